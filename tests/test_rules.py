"""The rule-set format: the shipped Decision 06 set and the loader's checks."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline.common.errors import InputError
from pipeline.model.rules import LETTERS, load_rules, parse_rules, shipped_path

# decision-06.md §2, copied by hand: (no, letter, max, provisional).
CRITERIA = [
    (1, "a", 100, False),
    (2, "b", 50, True),
    (3, "c", 125, True),
    (4, "d", 50, True),
    (5, "đ", 100, True),
    (6, "e", 125, False),
    (7, "g", 50, False),
    (8, "h", 50, True),
    (9, "i", 50, True),
    (10, "k", 100, True),
    (11, "l", 75, True),
    (12, "m", 75, True),
    (13, "n", 50, True),
]

# decision-06.md §3, copied by hand: id -> (indicators read, scale, sub-item is fully verified).
ITEMS = {
    "1.1": (("co_nguoi_bvte",), "Có → 50; còn lại → 0", True),
    "1.2": (("co_ctv_bvte", "so_thon"), "≥ 100% → 15; còn lại → 0", False),
    "1.3": (("ban_bvte_giao_ban",), "Có → 15; còn lại → 0", True),
    "1.4": (("kinh_phi_tre_em",), "> 0 → 20; còn lại → 0", False),
    "2.1": (
        ("khai_sinh_dung_han", "sinh_trong_ky"),
        "≥ 100% → 50; ≥ 95% → 35; ≥ 90% → 20; còn lại → 0",
        False,
    ),
    "3.1": (
        ("bi_xam_hai", "bi_xam_hai_ky_truoc"),
        "= 0 → 125; ít hơn kỳ trước → 60; còn lại → 0",
        False,
    ),
    "4.1": (
        ("vi_pham_phap_luat", "vi_pham_phap_luat_ky_truoc"),
        "= 0 → 50; ít hơn kỳ trước → 25; còn lại → 0",
        False,
    ),
    "5.1": (("tu_vong_tntt",), "= 0 → 50; còn lại → 0", False),
    "5.2": (
        ("tai_nan_thuong_tich", "tai_nan_thuong_tich_ky_truoc"),
        "= 0 → 50; ít hơn kỳ trước → 50; còn lại → 0",
        False,
    ),
    "6.1": (("hcdb_tro_giup", "hcdb"), "≥ 95% → 50; ≥ 90% → 30; còn lại → 0", False),
    "6.2": (("vu_viec_co_kh_can_thiep", "vu_viec_xhtd"), "≥ 100% → 75; còn lại → 0", True),
    "7.1": (
        ("duoi_1_tiem_du", "duoi_1_tuoi"),
        "≥ 98% → 50; ≥ 95% → 30; ≥ 90% → 15; còn lại → 0",
        False,
    ),
    "8.1": (("suy_dd_nhe_can", "duoi_5_can_do"), "≤ 10% → 25; còn lại → 0", False),
    "8.2": (("suy_dd_thap_coi", "duoi_5_can_do"), "≤ 20% → 25; còn lại → 0", False),
    "9.1": (("kham_sk", "dien_kham_sk"), "≥ 90% → 50; ≥ 80% → 25; còn lại → 0", False),
    "10.1": (("tre_6_14_di_hoc", "tre_6_14"), "≥ 98% → 50; ≥ 95% → 25; còn lại → 0", False),
    "10.2": (("tre_3_5_mam_non", "tre_3_5"), "≥ 90% → 50; ≥ 80% → 25; còn lại → 0", False),
    "11.1": (("dien_dan_tre_em",), "Có → 25; còn lại → 0", False),
    "11.2": (("clb_tre_em",), "Có → 25; còn lại → 0", False),
    "11.3": (("y_kien_duoc_giai_quyet", "y_kien_tre_em"), "≥ 100% → 25; còn lại → 0", False),
    "12.1": (("diem_vui_choi_xa",), "Có → 25; còn lại → 0", False),
    "12.2": (("co_diem_vui_choi", "so_thon"), "≥ 50% → 25; còn lại → 0", False),
    "12.3": (("hoat_dong_he",), "Có → 25; còn lại → 0", False),
    "13.1": (("phieu_hai_long", "phieu_khao_sat"), "≥ 80% → 50; ≥ 70% → 25; còn lại → 0", False),
}


def test_shipped_rule_set_encodes_decision_06() -> None:
    rules = load_rules()
    assert (rules.name, rules.version, rules.scale) == (
        "Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ",
        "2019.1",
        1000,
    )
    assert rules.thresholds == {"phuong_do_thi": 900, "mien_nui": 800, "con_lai": 850}
    assert [(c.no, c.letter, c.max, c.provisional) for c in rules.criteria] == CRITERIA
    assert rules.criteria[6].name == (
        "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin thuộc chương trình tiêm "
        "chủng mở rộng"
    )
    found = {i.id: (i.codes, i.describe(), not i.provisional) for i in rules.items()}
    assert found == ITEMS
    assert all(i.source and i.label for i in rules.items())


def test_tier_labels_split_verified_from_provisional() -> None:
    rules = load_rules()
    labels = {
        item.id: [t.provisional for t in item.tiers]
        for item in rules.items()
        if item.id in "6.1 7.1"
    }
    assert labels == {"6.1": [False, True], "7.1": [False, True, True]}


def _raw() -> dict[str, Any]:
    with shipped_path().open("rb") as f:
        return tomllib.load(f)


def _item(raw: dict[str, Any], item_id: str) -> dict[str, Any]:
    no = int(item_id.split(".", maxsplit=1)[0])
    items: list[dict[str, Any]] = raw["criteria"][no - 1]["items"]
    return next(i for i in items if i["id"] == item_id)


def _edit_item(item_id: str, **changes: Any) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        _item(raw, item_id).update(changes)

    return edit


def _set_tier(item_id: str, index: int, **changes: Any) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        _item(raw, item_id)["tiers"][index].update(changes)

    return edit


def _criterion(no: int, **changes: Any) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        raw["criteria"][no - 1].update(changes)

    return edit


def _duplicate_item(raw: dict[str, Any]) -> None:
    items = raw["criteria"][10]["items"]
    items[1]["id"] = "11.1"


def _top(**changes: Any) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        raw.update(changes)

    return edit


def _drop_threshold(raw: dict[str, Any]) -> None:
    del raw["thresholds"]["mien_nui"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            _edit_item("1.2", max=20, tiers=[{"op": ">=", "bound": 100, "points": 20}]),
            [("tiêu chí 1 › max", "tong-muc")],
        ),
        (
            _criterion(13, max=60, items=[{**_item(_raw(), "13.1"), "max": 60}]),
            [
                ("mục 13.1 › bậc 1", "bac-dau-khong-toi-da"),
                ("bộ tiêu chí › scale", "tong-tieu-chi"),
            ],
        ),
        (_set_tier("2.1", 1, bound=100), [("mục 2.1 › bậc 2", "bac-sai-thu-tu")]),
        (_set_tier("9.1", 1, bound=95), [("mục 9.1 › bậc 2", "bac-sai-thu-tu")]),
        (_set_tier("9.1", 1, points=60), [("mục 9.1 › bậc 2 › points", "bac-vuot-toi-da")]),
        (_set_tier("13.1", 1, points=50.5), [("mục 13.1 › bậc 2 › points", "bac-vuot-toi-da")]),
        (_set_tier("10.1", 1, op="<="), [("mục 10.1 › tiers", "bac-sai-thu-tu")]),
        (_set_tier("8.1", 0, bound=110), [("mục 8.1 › bậc 1 › bound", "ty-le-vuot-100")]),
        (_set_tier("11.1", 0, op=">="), [("mục 11.1 › bậc 1 › op", "phep-so-sanh-la")]),
        (_edit_item("9.1", numerator="kham_suc_khoe"), [("mục 9.1 › numerator", "chi-tieu-la")]),
        (_edit_item("1.1", indicator="tre_3_5"), [("mục 1.1 › indicator", "chi-tieu-sai-loai")]),
        (_edit_item("12.2", kind="village_ratio"), [("mục 12.2 › kind", "loai-la")]),
        (_edit_item("1.1", previous="x"), [("mục 1.1 › previous", "khoa-thua")]),
        (_edit_item("1.1", diem=5), [("mục 1.1 › diem", "khoa-la")]),
        (_duplicate_item, [("mục 11.1", "trung-ma")]),
        (_edit_item("12.1", id="11.4"), [("mục 11.4", "ma-muc-sai")]),
        (_criterion(7, letter="f"), [("tiêu chí 7 › letter", "chu-cai-sai")]),
        (_criterion(7, letter="e"), [("tiêu chí 7 › letter", "trung-ma")]),
        (_drop_threshold, [("thresholds › mien_nui", "chua-dien")]),
        (_top(version=""), [("bộ tiêu chí › version", "chua-dien")]),
        (_top(scale=900), [("bộ tiêu chí › scale", "tong-tieu-chi")]),
    ],
    ids=[
        "item-maxima",
        "criteria-maxima",
        "tier-shadowed",
        "tier-bound-rises",
        "tier-points-above-max",
        "tier-fractional-points-above-max",
        "tier-mixed-directions",
        "rate-above-100",
        "op-for-kind",
        "unknown-indicator",
        "indicator-of-wrong-kind",
        "unknown-kind",
        "role-not-for-kind",
        "unknown-key",
        "duplicate-id",
        "id-outside-criterion",
        "letter-f",
        "letter-twice",
        "missing-threshold",
        "missing-version",
        "scale",
    ],
)
def test_rule_file_errors_are_located(edit: Any, expected: list[tuple[str, str]]) -> None:
    raw = copy.deepcopy(_raw())
    edit(raw)
    rules, problems = parse_rules(raw, "bo-tieu-chi.toml")
    assert rules is None
    assert [(p.field, p.code) for p in problems] == expected
    assert all(p.file == "bo-tieu-chi.toml" and p.message for p in problems)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = shipped_path().read_text(encoding="utf-8")
    text = text.replace('indicator = "co_nguoi_bvte"', 'indicator = "co_nguoi"')
    text = text.replace('kind = "zero_count"', 'kind = "zero"')
    path = tmp_path / "bo.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rules(path)
    assert [(p.field, p.code) for p in info.value.problems] == [
        ("mục 1.1 › indicator", "chi-tieu-la"),
        ("mục 5.1 › kind", "loai-la"),
    ]
    first = str(info.value.problems[0])
    assert first.startswith(f"{path} › mục 1.1 › indicator: ")
    assert "có phải ý bạn là co_nguoi_bvte?" in first


def test_letters_follow_the_vietnamese_alphabet() -> None:
    assert "".join(LETTERS[:13]) == "abcdđeghiklmn"
    assert Decimal(sum(c.max for c in load_rules().criteria)) == 1000
