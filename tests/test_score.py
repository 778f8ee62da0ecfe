"""Scoring: tiers, zero denominators, overrides, the verdict, a hand-worked example."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.common.errors import InputError
from pipeline.model import scorecard
from pipeline.model.dataset import DossierData, Scalar
from pipeline.model.profile import Override
from pipeline.model.rules import RuleSet, load_rules, parse_rules, shipped_path
from pipeline.model.scorecard import Scorecard
from pipeline.stages.score import evaluate, score, score_dossier
from tests.factories import DEMO_VILLAGES, make_data, perfect, without_workbooks, write_data

RULES = load_rules()


def _points(card: Scorecard, item_id: str) -> Decimal:
    return next(i.points for i in card.items() if i.id == item_id)


def _village(**values: Scalar) -> DossierData:
    return make_data({"A": values})


def _commune(**values: Scalar) -> DossierData:
    return make_data({"A": {}}, values)


def _villages(yes: int, total: int, code: str) -> DossierData:
    return make_data({f"T{i}": {code: i < yes} for i in range(total)})


def test_perfect_data_scores_the_whole_scale() -> None:
    card = evaluate(RULES, perfect(), "con_lai")
    assert (card.total, card.recognized, card.zero_criteria) == (1000, True, ())
    assert [c.points for c in card.criteria] == [c.max for c in card.criteria]


# Bounds of decision-06.md §3, each at and just below (or above, for "≤") its bound.
TIERS = [
    ("1.1", _commune(co_nguoi_bvte=True), 50),
    ("1.1", _commune(co_nguoi_bvte=False), 0),
    ("1.2", _villages(100, 100, "co_ctv_bvte"), 15),
    ("1.2", _villages(99, 100, "co_ctv_bvte"), 0),
    ("1.3", _commune(ban_bvte_giao_ban=False), 0),
    ("1.4", _commune(kinh_phi_tre_em=Decimal("0.5")), 20),
    ("1.4", _commune(kinh_phi_tre_em=Decimal(0)), 0),
    ("2.1", _village(sinh_trong_ky=20, khai_sinh_dung_han=20), 50),
    ("2.1", _village(sinh_trong_ky=200, khai_sinh_dung_han=199), 35),
    ("2.1", _village(sinh_trong_ky=20, khai_sinh_dung_han=19), 35),
    ("2.1", _village(sinh_trong_ky=200, khai_sinh_dung_han=189), 20),
    ("2.1", _village(sinh_trong_ky=20, khai_sinh_dung_han=18), 20),
    ("2.1", _village(sinh_trong_ky=200, khai_sinh_dung_han=179), 0),
    ("3.1", _village(bi_xam_hai=0, bi_xam_hai_ky_truoc=3), 125),
    ("3.1", _village(bi_xam_hai=2, bi_xam_hai_ky_truoc=3), 60),
    ("3.1", _village(bi_xam_hai=3, bi_xam_hai_ky_truoc=3), 0),
    ("4.1", _village(vi_pham_phap_luat=0, vi_pham_phap_luat_ky_truoc=0), 50),
    ("4.1", _village(vi_pham_phap_luat=1, vi_pham_phap_luat_ky_truoc=2), 25),
    ("4.1", _village(vi_pham_phap_luat=1, vi_pham_phap_luat_ky_truoc=0), 0),
    ("5.1", _village(tai_nan_thuong_tich=1, tu_vong_tntt=0), 50),
    ("5.1", _village(tai_nan_thuong_tich=1, tu_vong_tntt=1), 0),
    ("5.2", _village(tai_nan_thuong_tich=0, tai_nan_thuong_tich_ky_truoc=0), 50),
    ("5.2", _village(tai_nan_thuong_tich=4, tai_nan_thuong_tich_ky_truoc=5), 50),
    ("5.2", _village(tai_nan_thuong_tich=5, tai_nan_thuong_tich_ky_truoc=5), 0),
    ("6.1", _village(hcdb=20, hcdb_tro_giup=19), 50),
    ("6.1", _village(hcdb=200, hcdb_tro_giup=189), 30),
    ("6.1", _village(hcdb=20, hcdb_tro_giup=18), 30),
    ("6.1", _village(hcdb=200, hcdb_tro_giup=179), 0),
    ("6.2", _commune(vu_viec_xhtd=3, vu_viec_co_kh_can_thiep=3), 75),
    ("6.2", _commune(vu_viec_xhtd=3, vu_viec_co_kh_can_thiep=2), 0),
    ("7.1", _village(duoi_1_tuoi=50, duoi_1_tiem_du=49), 50),
    ("7.1", _village(duoi_1_tuoi=500, duoi_1_tiem_du=489), 30),
    ("7.1", _village(duoi_1_tuoi=20, duoi_1_tiem_du=19), 30),
    ("7.1", _village(duoi_1_tuoi=200, duoi_1_tiem_du=189), 15),
    ("7.1", _village(duoi_1_tuoi=20, duoi_1_tiem_du=18), 15),
    ("7.1", _village(duoi_1_tuoi=200, duoi_1_tiem_du=179), 0),
    ("8.1", _village(duoi_5_can_do=100, suy_dd_nhe_can=10), 25),
    ("8.1", _village(duoi_5_can_do=1000, suy_dd_nhe_can=101), 0),
    ("8.2", _village(duoi_5_can_do=100, suy_dd_thap_coi=20), 25),
    ("8.2", _village(duoi_5_can_do=1000, suy_dd_thap_coi=201), 0),
    ("9.1", _village(dien_kham_sk=10, kham_sk=9), 50),
    ("9.1", _village(dien_kham_sk=200, kham_sk=179), 25),
    ("9.1", _village(dien_kham_sk=10, kham_sk=8), 25),
    ("9.1", _village(dien_kham_sk=200, kham_sk=159), 0),
    ("10.1", _village(tre_6_14=50, tre_6_14_di_hoc=49), 50),
    ("10.1", _village(tre_6_14=1000, tre_6_14_di_hoc=979), 25),
    ("10.1", _village(tre_6_14=20, tre_6_14_di_hoc=19), 25),
    ("10.1", _village(tre_6_14=1000, tre_6_14_di_hoc=949), 0),
    ("10.2", _village(tre_3_5=10, tre_3_5_mam_non=9), 50),
    ("10.2", _village(tre_3_5=1000, tre_3_5_mam_non=899), 25),
    ("10.2", _village(tre_3_5=10, tre_3_5_mam_non=8), 25),
    ("10.2", _village(tre_3_5=1000, tre_3_5_mam_non=799), 0),
    ("11.1", _commune(dien_dan_tre_em=False), 0),
    ("11.2", _commune(clb_tre_em=False), 0),
    ("11.3", _commune(y_kien_tre_em=10, y_kien_duoc_giai_quyet=10), 25),
    ("11.3", _commune(y_kien_tre_em=10, y_kien_duoc_giai_quyet=9), 0),
    ("12.1", _commune(diem_vui_choi_xa=False), 0),
    ("12.2", _villages(50, 100, "co_diem_vui_choi"), 25),
    ("12.2", _villages(49, 100, "co_diem_vui_choi"), 0),
    ("12.3", _commune(hoat_dong_he=False), 0),
    ("13.1", _commune(phieu_khao_sat=100, phieu_hai_long=80), 50),
    ("13.1", _commune(phieu_khao_sat=200, phieu_hai_long=159), 25),
    ("13.1", _commune(phieu_khao_sat=100, phieu_hai_long=70), 25),
    ("13.1", _commune(phieu_khao_sat=200, phieu_hai_long=139), 0),
]


@pytest.mark.parametrize(
    ("item_id", "data", "expected"),
    TIERS,
    ids=[f"{t[0]}-{n}" for n, t in enumerate(TIERS)],
)
def test_each_tier_at_and_below_its_bound(item_id: str, data: DossierData, expected: int) -> None:
    assert _points(evaluate(RULES, data, "mien_nui"), item_id) == expected


def test_rates_are_exact() -> None:
    card = evaluate(RULES, _village(sinh_trong_ky=20, khai_sinh_dung_han=19), "mien_nui")
    item = next(i for i in card.items() if i.id == "2.1")
    assert (item.numerator, item.denominator, item.rate, item.tier) == (19, 20, Fraction(95), 2)
    assert item.rule == "≥ 95% → 35"
    thirds = evaluate(RULES, _village(tre_3_5=3, tre_3_5_mam_non=2), "mien_nui")
    item = next(i for i in thirds.items() if i.id == "10.2")
    assert item.rate == Fraction(200, 3) and item.value == Decimal("66.67")


@pytest.mark.parametrize(
    ("item_id", "data"),
    [
        ("2.1", _village(sinh_trong_ky=0, khai_sinh_dung_han=0)),
        ("6.1", _village(hcdb=0, hcdb_tro_giup=0)),
        ("6.2", _commune(vu_viec_xhtd=0, vu_viec_co_kh_can_thiep=0)),
        ("8.1", _village(duoi_5_can_do=0, suy_dd_nhe_can=0, suy_dd_thap_coi=0)),
        ("11.3", _commune(y_kien_tre_em=0, y_kien_duoc_giai_quyet=0)),
    ],
    ids=["births", "special-circumstances", "cases", "underweight-lower-is-better", "opinions"],
)
def test_zero_denominator_counts_as_fully_met(item_id: str, data: DossierData) -> None:
    item = next(i for i in evaluate(RULES, data, "mien_nui").items() if i.id == item_id)
    assert (item.points, item.max, item.rate, item.denominator, item.tier) == (
        item.max,
        item.max,
        None,
        0,
        1,
    )
    assert item.note and "mẫu số bằng 0" in item.note


def _lose(deficit: Decimal) -> list[Override]:
    """Council overrides taking `deficit` points off a perfect dossier, no criterion at 0."""
    overrides = []
    for item_id, maximum in [("6.2", 75), ("10.1", 50), ("1.1", 50), ("11.1", 25), ("12.1", 25)]:
        lost = min(deficit, Decimal(maximum))
        overrides.append(Override(item_id, maximum - lost, "kiểm tra ngưỡng"))
        deficit -= lost
    assert deficit == 0
    return overrides


@pytest.mark.parametrize(
    ("unit_type", "threshold"),
    [("phuong_do_thi", 900), ("mien_nui", 800), ("con_lai", 850)],
)
def test_threshold_per_unit_type(unit_type: str, threshold: int) -> None:
    exactly = evaluate(RULES, perfect(), unit_type, _lose(Decimal(1000 - threshold)))
    assert (exactly.total, exactly.threshold, exactly.recognized) == (threshold, threshold, True)
    short = evaluate(RULES, perfect(), unit_type, _lose(Decimal(1000 - threshold) + Decimal("0.5")))
    assert (short.total, short.recognized, short.zero_criteria) == (
        threshold - Decimal("0.5"),
        False,
        (),
    )
    assert short.reasons[0].startswith(f"Tổng điểm {threshold - 1},5 thấp hơn ngưỡng {threshold} (")
    assert short.reasons[0].endswith("còn thiếu 0,5 điểm.")


def test_a_zero_criterion_vetoes_recognition() -> None:
    card = evaluate(RULES, _village(bi_xam_hai=4, bi_xam_hai_ky_truoc=4), "mien_nui")
    assert (card.total, card.zero_criteria, card.recognized) == (875, (3,), False)
    assert card.reasons == (
        "Tổng điểm 875 đạt ngưỡng 800 (miền núi, hải đảo, xã đặc biệt khó khăn).",
        "Tiêu chí 3 (Trẻ em bị xâm hại) bị 0 điểm: có tiêu chí 0 điểm thì không được công nhận.",
    )


def test_valid_override_keeps_both_points() -> None:
    data = _village(duoi_5_can_do=100, suy_dd_thap_coi=30)
    override = Override("8.2", Decimal(15), "Số liệu cân đo tháng 6 chưa cập nhật")
    card = evaluate(RULES, data, "mien_nui", [override])
    item = next(i for i in card.items() if i.id == "8.2")
    assert (item.computed, item.points) == (0, 15)
    assert item.override == scorecard.OverrideRecord(Decimal(15), override.ly_do)
    assert (card.computed_total, card.total) == (975, 990)
    assert card.criteria[7].points == 40 and card.criteria[7].computed == 25


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ([Override("8.3", Decimal(5), "x")], [("dieu_chinh[1].muc", "muc-la", "8.2")]),
        ([Override("99", Decimal(5), "x")], [("dieu_chinh[1].muc", "muc-la", None)]),
        ([Override("8.2", Decimal(26), "x")], [("dieu_chinh[1].diem", "diem-vuot-toi-da", None)]),
        ([Override("8.2", Decimal(-1), "x")], [("dieu_chinh[1].diem", "diem-vuot-toi-da", None)]),
        ([Override("8.2", Decimal(5), " ")], [("dieu_chinh[1].ly_do", "thieu-ly-do", None)]),
        (
            [Override("8.2", Decimal(5), "x"), Override("8.2", Decimal(6), "y")],
            [("dieu_chinh[2].muc", "trung-dieu-chinh", None)],
        ),
        (
            [Override("1.9", Decimal(5), "x"), Override("1.1", Decimal(60), "y")],
            [
                ("dieu_chinh[1].muc", "muc-la", None),
                ("dieu_chinh[2].diem", "diem-vuot-toi-da", None),
            ],
        ),
    ],
    ids=["unknown-id", "unknown-id-no-guess", "above-max", "negative", "no-reason", "twice", "all"],
)
def test_invalid_overrides(
    overrides: list[Override], expected: list[tuple[str, str, str | None]]
) -> None:
    with pytest.raises(InputError) as info:
        evaluate(RULES, perfect(), "mien_nui", overrides, profile_file="hoso.toml")
    problems = info.value.problems
    assert [(p.field, p.code) for p in problems] == [(f, c) for f, c, _ in expected]
    for problem, (_, _, guess) in zip(problems, expected, strict=True):
        assert problem.file == "hoso.toml"
        if guess:
            assert problem.hint == f'có phải ý bạn là "{guess}"?'


def test_missing_commune_value_is_reported() -> None:
    data = perfect()
    del data.commune["phieu_hai_long"]
    del data.commune["clb_tre_em"]
    with pytest.raises(InputError) as info:
        evaluate(RULES, data, "mien_nui")
    assert [(p.field, p.code) for p in info.value.problems] == [
        ("clb_tre_em", "thieu-so-lieu"),
        ("phieu_hai_long", "thieu-so-lieu"),
    ]


def test_hand_worked_example() -> None:
    """Three villages and a commune, scored by hand from decision-06.md (see comments)."""
    data = make_data(
        {
            "A": {
                "sinh_trong_ky": 10, "khai_sinh_dung_han": 10,
                "duoi_1_tuoi": 8, "duoi_1_tiem_du": 8,
                "duoi_5_can_do": 40, "suy_dd_nhe_can": 4, "suy_dd_thap_coi": 6,
                "bi_xam_hai": 0, "bi_xam_hai_ky_truoc": 1,
                "vi_pham_phap_luat": 1, "vi_pham_phap_luat_ky_truoc": 0,
                "tai_nan_thuong_tich": 1, "tai_nan_thuong_tich_ky_truoc": 2, "tu_vong_tntt": 0,
                "hcdb": 10, "hcdb_tro_giup": 9,
                "dien_kham_sk": 50, "kham_sk": 45,
                "tre_6_14": 100, "tre_6_14_di_hoc": 99,
                "tre_3_5": 30, "tre_3_5_mam_non": 27,
                "co_ctv_bvte": True, "co_diem_vui_choi": True,
            },
            "B": {
                "sinh_trong_ky": 10, "khai_sinh_dung_han": 9,
                "duoi_1_tuoi": 12, "duoi_1_tiem_du": 11,
                "duoi_5_can_do": 40, "suy_dd_nhe_can": 3, "suy_dd_thap_coi": 3,
                "bi_xam_hai": 0, "bi_xam_hai_ky_truoc": 0,
                "vi_pham_phap_luat": 0, "vi_pham_phap_luat_ky_truoc": 2,
                "tai_nan_thuong_tich": 0, "tai_nan_thuong_tich_ky_truoc": 1, "tu_vong_tntt": 0,
                "hcdb": 10, "hcdb_tro_giup": 10,
                "dien_kham_sk": 30, "kham_sk": 27,
                "tre_6_14": 100, "tre_6_14_di_hoc": 97,
                "tre_3_5": 20, "tre_3_5_mam_non": 16,
                "co_ctv_bvte": True, "co_diem_vui_choi": False,
            },
            "C": {
                "sinh_trong_ky": 0, "khai_sinh_dung_han": 0,
                "duoi_1_tuoi": 0, "duoi_1_tiem_du": 0,
                "duoi_5_can_do": 20, "suy_dd_nhe_can": 1, "suy_dd_thap_coi": 3,
                "bi_xam_hai": 0, "bi_xam_hai_ky_truoc": 0,
                "vi_pham_phap_luat": 0, "vi_pham_phap_luat_ky_truoc": 0,
                "tai_nan_thuong_tich": 0, "tai_nan_thuong_tich_ky_truoc": 0, "tu_vong_tntt": 0,
                "hcdb": 0, "hcdb_tro_giup": 0,
                "dien_kham_sk": 20, "kham_sk": 8,
                "tre_6_14": 50, "tre_6_14_di_hoc": 50,
                "tre_3_5": 10, "tre_3_5_mam_non": 10,
                "co_ctv_bvte": False, "co_diem_vui_choi": False,
            },
        },
        {
            "co_nguoi_bvte": True, "ban_bvte_giao_ban": True,
            "kinh_phi_tre_em": Decimal(5_000_000),
            "vu_viec_xhtd": 2, "vu_viec_co_kh_can_thiep": 2,
            "dien_dan_tre_em": True, "clb_tre_em": False,
            "y_kien_tre_em": 10, "y_kien_duoc_giai_quyet": 9,
            "diem_vui_choi_xa": True, "hoat_dong_he": True,
            "phieu_khao_sat": 200, "phieu_hai_long": 150,
        },
    )  # fmt: skip
    card = evaluate(RULES, data, "mien_nui")
    assert {i.id: i.points for i in card.items()} == {
        "1.1": 50,  # yes
        "1.2": 0,  # 2 of 3 villages have a collaborator, not 100%
        "1.3": 15,  # yes
        "1.4": 20,  # 5.000.000 đồng > 0
        "2.1": 35,  # 19/20 = 95% exactly: ≥ 95% -> 35
        "3.1": 125,  # 0 abused
        "4.1": 25,  # 1 against 2 in the previous period
        "5.1": 50,  # no death
        "5.2": 50,  # 1 injured against 3: fewer
        "6.1": 50,  # 19/20 = 95% -> 50
        "6.2": 75,  # 2/2 cases with an approved plan
        "7.1": 30,  # 19/20 = 95%: below 98%, ≥ 95% -> 30
        "8.1": 25,  # 8/100 = 8% ≤ 10%
        "8.2": 25,  # 12/100 = 12% ≤ 20%
        "9.1": 25,  # 80/100 = 80%: below 90%, ≥ 80% -> 25
        "10.1": 50,  # 246/250 = 98.4% ≥ 98%
        "10.2": 25,  # 53/60 = 88.3%: below 90%, ≥ 80% -> 25
        "11.1": 25,  # forum held
        "11.2": 0,  # no club
        "11.3": 0,  # 9/10 opinions answered, not 100%
        "12.1": 25,  # commune play area
        "12.2": 0,  # 1 of 3 villages has a play area: 33% < 50%
        "12.3": 25,  # summer activities
        "13.1": 25,  # 150/200 = 75%: below 80%, ≥ 70% -> 25
    }
    assert [c.points for c in card.criteria] == [
        85, 35, 125, 25, 100, 125, 30, 50, 25, 75, 25, 50, 25,
    ]  # fmt: skip
    assert (card.total, card.threshold, card.recognized, card.zero_criteria) == (
        775,
        800,
        False,
        (),
    )
    # Verified parts only: 1.1, 1.3, 6.2 and the verified top tier of 6.1.
    assert set(card.provisional_items) == {i.id for i in card.items()} - {
        "1.1",
        "1.3",
        "6.1",
        "6.2",
    }

    # The council awards 12.2 its 25 points: exactly the mountain threshold, recognized;
    # the same dossier would still fall short of 850 for any other unit.
    council = [Override("12.2", Decimal(25), "Hai thôn đã có điểm vui chơi tạm thời")]
    mountain = evaluate(RULES, data, "mien_nui", council)
    assert (mountain.total, mountain.computed_total, mountain.recognized) == (800, 775, True)
    assert evaluate(RULES, data, "con_lai", council).recognized is False


def test_scorecard_json_round_trip(tmp_path: Path) -> None:
    council = [Override("8.2", Decimal("12.5"), "lý do")]
    card = evaluate(RULES, _village(tre_3_5=3, tre_3_5_mam_non=2), "mien_nui", council)
    path = tmp_path / "scorecard.json"
    path.write_bytes(scorecard.dumps(card))
    assert scorecard.load(path) == card
    raw = card.to_json()
    assert {"total", "threshold", "recognized", "zero_criteria", "rule_set", "criteria"} <= set(raw)
    first = raw["criteria"][0]
    assert {"no", "name", "max", "points", "items"} <= set(first)
    assert {
        "id", "max", "points", "computed", "value", "provisional", "override",
        "label", "numerator", "denominator", "rate", "rate_exact", "tier", "indicators", "source",
    } <= set(first["items"][0])  # fmt: skip
    item = next(i for c in raw["criteria"] for i in c["items"] if i["id"] == "8.2")
    assert item["override"] == {"points": 12.5, "reason": "lý do"}


# --- properties --------------------------------------------------------------------------------

_counts = st.integers(min_value=0, max_value=300)


@st.composite
def _datasets(draw: st.DrawFn) -> DossierData:
    villages: dict[str, dict[str, Scalar]] = {}
    for name in ("A", "B", "C")[: draw(st.integers(min_value=1, max_value=3))]:
        values: dict[str, Scalar] = {}
        for total, part in [
            ("sinh_trong_ky", "khai_sinh_dung_han"),
            ("duoi_1_tuoi", "duoi_1_tiem_du"),
            ("duoi_5_can_do", "suy_dd_nhe_can"),
            ("hcdb", "hcdb_tro_giup"),
            ("tre_3_5", "tre_3_5_mam_non"),
        ]:
            whole = draw(_counts)
            values[total] = whole
            values[part] = draw(st.integers(min_value=0, max_value=whole))
        for code in ("bi_xam_hai", "bi_xam_hai_ky_truoc", "tai_nan_thuong_tich"):
            values[code] = draw(st.integers(min_value=0, max_value=5))
        values["co_diem_vui_choi"] = draw(st.booleans())
        villages[name] = values
    commune: dict[str, Scalar] = {
        "clb_tre_em": draw(st.booleans()),
        "kinh_phi_tre_em": Decimal(draw(st.integers(min_value=0, max_value=10**9))),
        "phieu_khao_sat": 100,
        "phieu_hai_long": draw(st.integers(min_value=0, max_value=100)),
    }
    return make_data(villages, commune)


@settings(max_examples=60, deadline=None)
@given(data=_datasets(), unit=st.sampled_from(["phuong_do_thi", "mien_nui", "con_lai"]))
def test_points_stay_within_bounds_and_add_up(data: DossierData, unit: str) -> None:
    card = evaluate(RULES, data, unit)
    for criterion in card.criteria:
        assert 0 <= criterion.points <= criterion.max
        assert criterion.points == sum(i.points for i in criterion.items)
        for item in criterion.items:
            assert 0 <= item.points <= item.max
    assert card.total == sum(c.points for c in card.criteria)
    assert card.recognized == (card.total >= card.threshold and not card.zero_criteria)


def _scaled(rules_raw: dict[str, Any], item_id: str, factor: int) -> RuleSet:
    raw = copy.deepcopy(rules_raw)
    raw["scale"] *= factor
    for criterion in raw["criteria"]:
        criterion["max"] *= factor
        for item in criterion["items"]:
            item["max"] *= factor
            for tier in item["tiers"]:
                tier["points"] *= factor
    rules, problems = parse_rules(raw, item_id)
    assert rules is not None, problems
    return rules


_RAW = tomllib.loads(shipped_path().read_text(encoding="utf-8"))


@settings(max_examples=30, deadline=None)
@given(data=_datasets(), factor=st.integers(min_value=2, max_value=5))
def test_changing_a_rule_files_points_changes_the_result(data: DossierData, factor: int) -> None:
    base = evaluate(RULES, data, "mien_nui")
    scaled = evaluate(_scaled(_RAW, "x", factor), data, "mien_nui")
    assert scaled.total == base.total * factor
    assert [i.points for i in scaled.items()] == [i.points * factor for i in base.items()]


def test_a_modified_rule_set_named_in_the_profile_changes_the_verdict(
    dossier: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    # 10/12 villages have a collaborator: 1.2 gives 0 and criterion 1 still scores.
    data = make_data({v: {"co_ctv_bvte": i < 10} for i, v in enumerate(DEMO_VILLAGES)})
    without_workbooks(dossier)
    write_data(out, data, dossier)
    shipped = score_dossier(dossier, out)
    assert (shipped.total, shipped.recognized) == (985, True)

    # A district's copy of the rule set raises the mountain threshold: same data, new verdict.
    text = shipped_path().read_text(encoding="utf-8")
    text = text.replace("mien_nui = 800", "mien_nui = 990").replace(
        'version = "2019.1"', 'version = "2025.1"'
    )
    (dossier / "bo-tieu-chi-2025.toml").write_text(text, encoding="utf-8")
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + '\n[danh_gia]\nbo_tieu_chi = "bo-tieu-chi-2025.toml"\n',
        encoding="utf-8",
    )
    result = score(dossier, out)
    card = result.scorecard
    assert (card.total, card.threshold, card.recognized) == (985, 990, False)
    assert (card.rule_set.version, card.rule_set.file) == ("2025.1", "bo-tieu-chi-2025.toml")
    assert scorecard.load(out / "scorecard.json") == card


def test_a_result_recorded_in_capitals_by_an_older_version_reads_in_the_papers_words() -> None:
    from pipeline.model.labels import stored_result

    assert [stored_result(w) for w in ("ĐẠT", "KHÔNG ĐẠT", "đạt", "chưa đạt")] == [
        "đạt",
        "chưa đạt",
        "đạt",
        "chưa đạt",
    ]
