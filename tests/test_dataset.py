from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.model import dataset
from pipeline.model.dataset import DossierData, Source, Value
from pipeline.model.indicators import CatalogueError, catalogue, for_level, parse_catalogue


def test_catalogue_matches_the_contract() -> None:
    cat = catalogue()
    assert len(for_level("thon")) == 25 and len(for_level("xa")) == 13
    assert cat["duoi_1_tiem_du"].not_above == "duoi_1_tuoi"
    assert cat["kinh_phi_tre_em"].kind == "amount"
    assert cat["co_ctv_bvte"].kind == "yes_no"
    assert cat["bi_xam_hai"].previous == "bi_xam_hai_ky_truoc"
    assert [i.code for i in cat.values() if i.warn_if_zero] == ["tre_em_duoi_16"]
    assert cat["kham_sk"].form_help == (
        "Số nguyên, từ 0 trở lên. Không lớn hơn số trẻ em thuộc diện khám sức khỏe định kỳ."
    )


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "no \\[\\[chi_tieu\\]\\]"),
        ([{"ma": "a", "cap": "thon", "loai": "count", "ten": "A"}] * 2, "duplicate"),
        ([{"ma": "a", "cap": "huyen", "loai": "count", "ten": "A"}], "unknown level"),
        ([{"ma": "a", "cap": "thon", "loai": "count", "ten": "A", "khong_vuot": "b"}], "bad"),
        ([{"ma": "a", "cap": "thon", "loai": "count", "ten": "A", "ky_truoc": "b"}], "ky_truoc"),
    ],
    ids=["empty", "duplicate", "level", "dangling-total", "dangling-previous"],
)
def test_catalogue_validation(entries: list[dict[str, str]], message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue({"chi_tieu": entries})


def test_totals_and_json_round_trip(tmp_path: Path) -> None:
    src = Source("thon/a.xlsx", "Số liệu", "D5")
    data = DossierData(
        xa="Bình Trung",
        nam=2024,
        villages={
            "A": {"tre_em_duoi_16": Value(10, src), "co_ctv_bvte": Value(True, src)},
            "B": {"tre_em_duoi_16": Value(5), "co_ctv_bvte": Value(False)},
        },
        commune={"kinh_phi_tre_em": Value(Decimal("1500000.5"), src)},
        inputs={"thon/a.xlsx": "ab" * 32},
    )
    totals = data.totals()
    assert (totals["tre_em_duoi_16"], totals["co_ctv_bvte"], totals["so_thon"]) == (15, 1, 2)
    assert totals["kinh_phi_tre_em"] == Decimal("1500000.5")
    path = tmp_path / "data.json"
    path.write_bytes(dataset.dumps(data))
    again = dataset.load(path)
    assert again == data
    assert dataset.dumps(again) == path.read_bytes()
