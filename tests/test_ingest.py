"""`ingest` on real workbooks: what it accepts, what it rejects and where it says so."""

from __future__ import annotations

import io
import json
import shutil
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msoffcrypto.format.ooxml import OOXMLFile

from pipeline.common.errors import InputError, Problem
from pipeline.model import dataset
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import catalogue, for_level
from pipeline.model.layout import slug
from pipeline.model.profile import load_profile
from pipeline.stages.forms import village_form, write_forms
from pipeline.stages.ingest import error_copy_path, ingest, ingest_to, mark_error_copies
from scripts import make_demo_data
from tests.conftest import DEMO
from tests.helpers import SHEET, edit, ingested, libreoffice_convert, located, problems, row_of

NA_CAY = "thon/na-cay.xlsx"
Mutation = Callable[[Path], object]


def _set(changes: dict[str, Any], file: str = NA_CAY) -> Mutation:
    return lambda d: edit(d / file, changes)


def _delete_row(code: str) -> Mutation:
    def run(d: Path) -> None:
        book = openpyxl.load_workbook(d / NA_CAY)
        ws = book[SHEET]
        ws.delete_rows(row_of(ws, code))
        book.save(d / NA_CAY)

    return run


def _write(name: str, content: bytes) -> Mutation:
    return lambda d: (d / name).write_bytes(content)


def _docx(d: Path) -> None:
    Document().save(str(d / "thon" / "bien-ban.docx"))


def _copy(source: str, target: str) -> Mutation:
    return lambda d: shutil.copy(d / source, d / target)


def _remove(name: str) -> Mutation:
    return lambda d: (d / name).unlink()


def _encrypted() -> bytes:
    """A workbook really encrypted with a password, as Excel's "Encrypt with Password" does."""
    book = openpyxl.Workbook()
    plain, locked = io.BytesIO(), io.BytesIO()
    book.save(plain)
    plain.seek(0)
    OOXMLFile(plain).encrypt("mat-khau", locked)
    return locked.getvalue()


REJECTIONS: list[tuple[str, Mutation, list[tuple[str | None, str | None, str]]]] = [
    ("text-with-unit", _set({"tre_em_duoi_16": "12 trẻ"}),
     [("D8", "tre_em_duoi_16", "khong-phai-so")]),
    ("text", _set({"sinh_trong_ky": "mười lăm"}), [("D9", "sinh_trong_ky", "khong-phai-so")]),
    ("date-not-number", _set({"hcdb": date(2024, 3, 5)}), [("D23", "hcdb", "khong-phai-so")]),
    ("negative", _set({"bi_xam_hai": -3}), [("D16", "bi_xam_hai", "so-am")]),
    ("negative-text", _set({"bi_xam_hai": " -3 "}), [("D16", "bi_xam_hai", "so-am")]),
    ("fraction", _set({"duoi_5_can_do": 67.5}), [("D13", "duoi_5_can_do", "so-le")]),
    ("fraction-comma", _set({"duoi_5_can_do": "67,5"}), [("D13", "duoi_5_can_do", "so-le")]),
    ("of-them-above-total", _set({"duoi_1_tuoi": 85, "duoi_1_tiem_du": 86}),
     [("D12", "duoi_1_tiem_du", "vuot-tong")]),
    ("missing-row", _delete_row("tre_3_5_mam_non"), [(None, "tre_3_5_mam_non", "thieu-dong")]),
    ("empty-cell", _set({"kham_sk": None}), [("D26", "kham_sk", "o-trong")]),
    ("blank-text-cell", _set({"kham_sk": "   "}), [("D26", "kham_sk", "o-trong")]),
    ("bad-yes-no", _set({"co_ctv_bvte": "có lẽ"}), [("D31", "co_ctv_bvte", "khong-phai-co-khong")]),
    ("formula-without-value", _set({"sinh_trong_ky": "=D8*0.07"}),
     [("D9", "sinh_trong_ky", "cong-thuc-chua-tinh")]),
    ("excel-error-value", _set({"tre_6_14": "#DIV/0!"}), [("D27", "tre_6_14", "loi-cong-thuc")]),
    ("duplicate-code-row", _set({"A33": "hcdb", "D33": 3}), [("A33", "hcdb", "trung-ma")]),
    ("no-value-header", _set({"D7": "Giá trị"}), [(None, None, "thieu-cot-so-lieu")]),
    ("other-commune", _set({"B3": "Bình Minh"}), [("B3", None, "khac-xa")]),
    ("other-year", _set({"B5": 2023}), [("B5", None, "khac-nam")]),
    ("unknown-village", _set({"B4": "Nà Cạy"}), [("B4", None, "thon-la"),
                                                (None, None, "thieu-thon")]),
    ("village-twice", _copy(NA_CAY, "thon/na-cay-gui-lai.xlsx"), [(None, None, "trung-thon")]),
    ("village-without-workbook", _remove(NA_CAY), [(None, None, "thieu-thon")]),
    ("no-commune-workbook", _remove("xa.xlsx"), [(None, None, "thieu-xa")]),
    ("commune-twice", _copy("xa.xlsx", "thon/xa-ban-sao.xlsx"), [(None, None, "trung-xa")]),
    ("corrupt-xlsx", lambda d: (d / NA_CAY).write_bytes((d / NA_CAY).read_bytes()[:3000]),
     [(None, None, "khong-doc-duoc"), (None, None, "thieu-thon")]),
    ("corrupt-xls", _write("thon/hong.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 900),
     [(None, None, "khong-doc-duoc")]),
    ("password-protected", _write("thon/mat-khau.xlsx", _encrypted()),
     [(None, None, "co-mat-khau")]),
    ("text-file", _write("thon/ghi-chu.txt", "số liệu gửi sau".encode()),
     [(None, None, "khong-phai-bang-tinh")]),
    ("csv-named-xlsx", _write("thon/bang.xlsx", b"ma,so lieu\ntre_em_duoi_16,12\n"),
     [(None, None, "khong-phai-bang-tinh")]),
    ("word-document", _docx, [(None, None, "khong-phai-bang-tinh")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutate", "expected"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_rejections_are_located(
    dossier: Path, mutate: Mutation, expected: list[tuple[str | None, str | None, str]]
) -> None:
    mutate(dossier)
    with pytest.raises(InputError) as caught:
        ingest(Dossier(dossier))
    assert [(p.cell, p.field, p.code) for p in caught.value.problems] == expected
    for problem in caught.value.problems:
        assert problem.file and problem.message and problem.hint
        assert problem.severity == "loi"


def test_message_names_file_sheet_cell_and_fix(dossier: Path) -> None:
    edit(dossier / NA_CAY, {"duoi_1_tuoi": 85, "duoi_1_tiem_du": 86})
    (problem,) = problems(dossier)
    assert str(problem) == (
        'thon/na-cay.xlsx › Số liệu › D12 (duoi_1_tiem_du): "86" lớn hơn số trẻ em dưới 1 tuổi'
        " (85) — kiểm tra lại hai ô D11 và D12."
    )


def test_did_you_mean_for_a_misspelt_village(dossier: Path) -> None:
    edit(dossier / NA_CAY, {"B4": "Na Cay"})
    first = problems(dossier)[0]
    assert first.code == "thon-la"
    assert first.hint is not None and first.hint.startswith('có phải thôn "Nà Cáy"?')


def test_every_error_of_every_file_in_one_run(dossier: Path) -> None:
    edit(dossier / NA_CAY, {"tre_em_duoi_16": "12 trẻ", "kham_sk": None})
    edit(dossier / "thon/po-ma.xlsx", {"B5": 2023})
    (dossier / "thon/khon-khuyen.xlsx").write_bytes(b"not a workbook")
    (dossier / "thon/keo-coong.xlsx").unlink()
    edit(dossier / "xa.xlsx", {"phieu_hai_long": 400})
    found = [(p.file, p.cell, p.code) for p in problems(dossier)]
    assert found == [
        ("xa.xlsx", "D20", "vuot-tong"),
        ("thon/khon-khuyen.xlsx", None, "khong-phai-bang-tinh"),
        ("thon/na-cay.xlsx", "D8", "khong-phai-so"),
        ("thon/na-cay.xlsx", "D26", "o-trong"),
        ("thon/po-ma.xlsx", "B5", "khac-nam"),
        ("thon/", None, "thieu-thon"),
        ("thon/", None, "thieu-thon"),
    ]
    assert [p.message for p in problems(dossier) if p.code == "thieu-thon"] == [
        'chưa có số liệu của thôn "Khòn Khuyên"',
        'chưa có số liệu của thôn "Kéo Coong"',
    ]


VILLAGE_TOLERANCE = [
    ("spaces", "tre_em_duoi_16", "  212 ", 212),
    ("thousands-dot", "tre_em_duoi_16", "1.234", 1234),
    ("thousands-space", "tre_em_duoi_16", "1\u00a0234", 1234),
    ("whole-float", "tre_em_duoi_16", 212.0, 212),
    ("integral-comma", "tre_em_duoi_16", "212,0", 212),
    ("yes-lower", "co_ctv_bvte", "có", True),
    ("yes-x", "co_ctv_bvte", "x", True),
    ("yes-1", "co_ctv_bvte", 1, True),
    ("yes-english", "co_ctv_bvte", " YES ", True),
    ("yes-nfd", "co_ctv_bvte", unicodedata.normalize("NFD", "Có"), True),
    ("yes-bool", "co_ctv_bvte", True, True),
    ("no-lower", "co_ctv_bvte", "không", False),
    ("no-0", "co_ctv_bvte", 0, False),
    ("no-english", "co_ctv_bvte", "no", False),
    ("no-nfd", "co_ctv_bvte", unicodedata.normalize("NFD", "Không"), False),
]


@pytest.mark.parametrize(
    ("code", "typed", "value"),
    [t[1:] for t in VILLAGE_TOLERANCE],
    ids=[t[0] for t in VILLAGE_TOLERANCE],
)
def test_what_people_type_is_accepted(dossier: Path, code: str, typed: Any, value: Any) -> None:
    edit(dossier / NA_CAY, {code: typed})
    got = ingested(dossier).data.villages["Nà Cáy"][code].value
    assert (got, type(got)) == (value, type(value))


@pytest.mark.parametrize(
    ("typed", "value"),
    [("45.000.000", Decimal(45000000)), ("1.500.000,5", Decimal("1500000.5")),
     ("2500000,75", Decimal("2500000.75")), (1234.5, Decimal("1234.5")), ("12.5", Decimal("12.5"))],
    ids=["thousands", "thousands-decimal-comma", "decimal-comma", "float", "decimal-point"],
)  # fmt: skip
def test_amounts_accept_vietnamese_numbers(dossier: Path, typed: Any, value: Decimal) -> None:
    edit(dossier / "xa.xlsx", {"kinh_phi_tre_em": typed})
    assert ingested(dossier).data.commune["kinh_phi_tre_em"].value == value


@pytest.mark.parametrize(
    "written",
    ["  nà   CÁY ", unicodedata.normalize("NFD", "Nà Cáy"), "Thôn Nà Cáy"],
    ids=["case-spacing", "nfd", "prefix"],
)
def test_village_names_match_loosely(dossier: Path, written: str) -> None:
    edit(dossier / NA_CAY, {"B4": written})
    assert "Nà Cáy" in ingested(dossier).data.villages


def test_warnings_do_not_stop_ingest(dossier: Path) -> None:
    edit(dossier / NA_CAY, {"tre_em_duoi_16": 0, "tai_nan_thuong_tich": 3})
    result = ingested(dossier)
    assert [(p.cell, p.field, p.code, p.severity) for p in result.warnings] == [
        ("D8", "tre_em_duoi_16", "bang-0", "canh-bao"),
        ("D20", "tai_nan_thuong_tich", "tang-gap-doi", "canh-bao"),
    ]
    assert result.data.villages["Nà Cáy"]["tre_em_duoi_16"].value == 0


def test_one_sheet_per_village_rows_in_any_order(dossier: Path) -> None:
    """A hand-made workbook: no title block, villages named by sheet, rows shuffled."""
    expected = {}
    book = openpyxl.Workbook()
    book.remove(book.worksheets[0])
    for i, name in ((0, "Nà Cáy"), (1, "Khòn Khuyên")):
        figures = make_demo_data.village_figures(i)
        figures["tre_em_duoi_16"] += 1
        expected[name] = figures
        ws = book.create_sheet(name.upper())
        ws.append(["Tổng hợp của thôn"])
        ws.append(["Mã", "Nội dung", "Ghi chú", "Số liệu"])
        for code in sorted(figures, reverse=True):
            value = figures[code]
            ws.append([code, catalogue()[code].label, None, "Có" if value is True else value])
            ws.append([None, "(dòng chèn thêm)"])
        (dossier / "thon" / f"{'na-cay' if i == 0 else 'khon-khuyen'}.xlsx").unlink()
    book.save(dossier / "thon" / "tong-hop.xlsx")
    data = ingested(dossier).data
    for name, figures in expected.items():
        got = {code: v.value for code, v in data.villages[name].items()}
        assert got == {c: (v if v is not True else True) for c, v in figures.items()}
    source = data.villages["Nà Cáy"]["tre_em_duoi_16"].source
    assert source is not None and (source.file, source.sheet) == ("thon/tong-hop.xlsx", "NÀ CÁY")


def test_renamed_workbook_is_found_by_its_title_block(dossier: Path) -> None:
    (dossier / NA_CAY).rename(dossier / "thon" / "bieu-gui-xa-lan-2.xlsx")
    data = ingested(dossier).data
    source = data.villages["Nà Cáy"]["tre_em_duoi_16"].source
    assert source is not None and source.file == "thon/bieu-gui-xa-lan-2.xlsx"


def _score(t: dict[str, Any]) -> dict[int, int]:
    """Decision 06 §3 default tiers, written out from the spec to check the demo figures."""

    def rate(num: str, den: str) -> float:
        return 100.0 if t[den] == 0 else 100.0 * t[num] / t[den]

    def tier(value: float, tiers: list[tuple[float, int]]) -> int:
        return next((points for bound, points in tiers if value >= bound), 0)

    def fewer(code: str) -> bool:
        return bool(t[code] == 0 or t[code] < t[f"{code}_ky_truoc"])

    return {
        1: 50 * t["co_nguoi_bvte"] + 15 * (t["co_ctv_bvte"] == t["so_thon"])
        + 15 * t["ban_bvte_giao_ban"] + 20 * (t["kinh_phi_tre_em"] > 0),
        2: tier(rate("khai_sinh_dung_han", "sinh_trong_ky"), [(100, 50), (95, 35), (90, 20)]),
        3: 125 if t["bi_xam_hai"] == 0 else 60 if fewer("bi_xam_hai") else 0,
        4: 50 if t["vi_pham_phap_luat"] == 0 else 25 if fewer("vi_pham_phap_luat") else 0,
        5: 50 * (t["tu_vong_tntt"] == 0) + 50 * fewer("tai_nan_thuong_tich"),
        6: tier(rate("hcdb_tro_giup", "hcdb"), [(95, 50), (90, 30)])
        + 75 * (rate("vu_viec_co_kh_can_thiep", "vu_viec_xhtd") == 100),
        7: tier(rate("duoi_1_tiem_du", "duoi_1_tuoi"), [(98, 50), (95, 30), (90, 15)]),
        8: 25 * (rate("suy_dd_nhe_can", "duoi_5_can_do") <= 10)
        + 25 * (rate("suy_dd_thap_coi", "duoi_5_can_do") <= 20),
        9: tier(rate("kham_sk", "dien_kham_sk"), [(90, 50), (80, 25)]),
        10: tier(rate("tre_6_14_di_hoc", "tre_6_14"), [(98, 50), (95, 25)])
        + tier(rate("tre_3_5_mam_non", "tre_3_5"), [(90, 50), (80, 25)]),
        11: 25 * t["dien_dan_tre_em"] + 25 * t["clb_tre_em"]
        + 25 * (rate("y_kien_duoc_giai_quyet", "y_kien_tre_em") == 100),
        12: 25 * t["diem_vui_choi_xa"] + 25 * (t["co_diem_vui_choi"] * 2 >= t["so_thon"])
        + 25 * t["hoat_dong_he"],
        13: tier(rate("phieu_hai_long", "phieu_khao_sat"), [(80, 50), (70, 25)]),
    }  # fmt: skip


def test_demo_dossier_ingests_clean_and_would_be_recognised() -> None:
    result = ingest(Dossier(DEMO))
    data = result.data
    assert result.warnings == []
    assert list(data.villages) == list(load_profile(DEMO).don_vi.thon)
    files = {v["tre_em_duoi_16"].source.file for v in data.villages.values()}  # type: ignore[union-attr]
    assert {"thon/bo-nam.xls", "thon/pac-luong.ods"} <= files
    for i, values in enumerate(data.villages.values()):
        assert {c: v.value for c, v in values.items()} == make_demo_data.village_figures(i)
    assert {c: v.value for c, v in data.commune.items()} == make_demo_data.COMMUNE
    assert all(100 <= int(v["tre_em_duoi_16"].value) <= 250 for v in data.villages.values())
    scores = _score(data.totals())
    assert 0 not in scores.values()
    assert 850 <= sum(scores.values()) <= 950


def test_data_json_is_stable_and_hashes_every_input(dossier: Path, tmp_path: Path) -> None:
    first = ingest_to(Dossier(dossier, tmp_path / "a"))
    ingest_to(Dossier(dossier, tmp_path / "b"))
    raw = (tmp_path / "a" / "data.json").read_bytes()
    assert raw == (tmp_path / "b" / "data.json").read_bytes() == dataset.dumps(first.data)
    inputs = {item["file"] for item in json.loads(raw)["inputs"]}
    on_disk = {p.relative_to(dossier).as_posix() for p in dossier.rglob("*") if p.is_file()}
    assert inputs == on_disk
    assert json.loads(raw)["villages"]["Nà Cáy"]["duoi_1_tiem_du"] == {
        "value": make_demo_data.village_figures(0)["duoi_1_tiem_du"],
        "file": "thon/na-cay.xlsx",
        "sheet": "Số liệu",
        "cell": "D12",
    }


def test_errors_write_no_data_but_marked_copies(dossier: Path, tmp_path: Path) -> None:
    edit(dossier / NA_CAY, {"duoi_1_tuoi": 85, "duoi_1_tiem_du": 86, "hcdb": "năm"})
    bo_nam = (dossier / "thon" / "bo-nam.xls").read_bytes()
    with pytest.raises(InputError) as caught:
        ingest_to(Dossier(dossier, tmp_path / "out"), mark_errors=True)
    assert not (tmp_path / "out").exists()
    assert caught.value.written == [str(error_copy_path(dossier / NA_CAY))]
    ws = openpyxl.load_workbook(dossier / "thon" / "na-cay.loi.xlsx")[SHEET]
    red = {c.coordinate for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == "00FF9999"}
    assert red == {"D12", "D23"}
    assert ws["D12"].comment.text.startswith('"86" lớn hơn số trẻ em dưới 1 tuổi (85)')
    assert ws["D12"].value == 86 and ws["B4"].value == "Nà Cáy"
    assert (dossier / "thon" / "bo-nam.xls").read_bytes() == bo_nam
    # The marked copy is not read as a second workbook of the village.
    assert [p.code for p in problems(dossier)] == ["vuot-tong", "khong-phai-so"]


def test_marked_copy_of_an_ods_workbook(dossier: Path) -> None:
    problem = Problem("o-trong", "ô để trống", file="thon/pac-luong.ods", sheet=SHEET, cell="D8")
    written = mark_error_copies(Dossier(dossier), [problem])
    assert written == [dossier / "thon" / "pac-luong.loi.xlsx"]
    ws = openpyxl.load_workbook(written[0])[SHEET]
    assert ws["D8"].comment is not None and ws["B4"].value == "Pác Luống"


def test_libreoffice_resaved_workbook_still_ingests(dossier: Path, tmp_path: Path) -> None:
    edit(dossier / NA_CAY, {"tre_em_duoi_16": 199})
    resaved = libreoffice_convert(dossier / NA_CAY, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    assert resaved.read_bytes() != (dossier / NA_CAY).read_bytes()
    shutil.copy(resaved, dossier / NA_CAY)
    data = ingested(dossier).data
    expected = {**make_demo_data.village_figures(0), "tre_em_duoi_16": 199}
    assert {c: v.value for c, v in data.villages["Nà Cáy"].items()} == expected


_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**12),
    st.floats(min_value=-1e9, max_value=1e12, allow_nan=False),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["1.234", "12,5", " có ", "x", "Không", "12 trẻ", "=1+", "#N/A", "-0"]),
)


def test_ingest_never_crashes_on_random_cells(tmp_path: Path) -> None:
    folder = tmp_path / "mot-thon"
    (folder / "thon").mkdir(parents=True)
    profile_text = (DEMO / "hoso.toml").read_text(encoding="utf-8")
    start = profile_text.index("thon = [")
    end = profile_text.index("]", start) + 1
    (folder / "hoso.toml").write_text(
        profile_text[:start] + 'thon = ["Nà Cáy"]' + profile_text[end:], encoding="utf-8"
    )
    shutil.copy(DEMO / "xa.xlsx", folder / "xa.xlsx")
    path = folder / "thon" / "na-cay.xlsx"
    codes = [ind.code for ind in for_level("thon")]

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_CELL, min_size=len(codes), max_size=len(codes)))
    def check(cells: list[Any]) -> None:
        book = village_form(load_profile(folder), "Nà Cáy")
        ws = book[SHEET]
        for code, value in zip(codes, cells, strict=True):
            ws.cell(row_of(ws, code), 4).value = value
        book.save(path)
        try:
            result = ingest(Dossier(folder))
        except InputError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.file in ("thon/na-cay.xlsx", "thon/") and p.message and p.hint
                assert p.cell or p.field or p.code in ("thieu-thon", "chua-nhan")
            return
        assert set(result.data.villages["Nà Cáy"]) == set(codes)

    check()


def test_forms_filled_by_a_script_ingest_to_the_same_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "moi"
    folder.mkdir()
    shutil.copy(DEMO / "hoso.toml", folder)
    write_forms(Dossier(folder))
    expected: dict[str, dict[str, Any]] = {}
    villages = load_profile(folder).don_vi.thon
    for i, name in enumerate(villages):
        figures = {
            ind.code: (i % 2 == 0) if ind.kind == "yes_no" else 300 - 7 * i - n
            for n, ind in enumerate(for_level("thon"))
        }
        expected[name] = figures
        path = next(p for p in (folder / "thon").iterdir() if p.stem == slug(name))
        edit(path, figures)
    edit(folder / "xa.xlsx", dict(make_demo_data.COMMUNE.items()))
    data = ingested(folder).data
    assert {
        n: {c: v.value for c, v in vals.items()} for n, vals in data.villages.items()
    } == expected
    assert data.commune["kinh_phi_tre_em"].value == Decimal(45000000)


def test_empty_value_is_never_zero(dossier: Path) -> None:
    edit(dossier / "xa.xlsx", {"vu_viec_xhtd": None, "vu_viec_co_kh_can_thiep": None})
    assert located(dossier) == [
        ("D11", "vu_viec_xhtd", "o-trong"),
        ("D12", "vu_viec_co_kh_can_thiep", "o-trong"),
    ]


def test_problem_json_is_plain(dossier: Path) -> None:
    edit(dossier / NA_CAY, {"tre_em_duoi_16": "12 trẻ"})
    (problem,) = problems(dossier)
    assert problem.to_dict() == {
        "code": "khong-phai-so",
        "message": '"12 trẻ" không phải số',
        "file": "thon/na-cay.xlsx",
        "sheet": "Số liệu",
        "cell": "D8",
        "field": "tre_em_duoi_16",
        "value": "12 trẻ",
        "hint": "chỉ ghi chữ số, ví dụ 12; không kèm chữ hay đơn vị.",
        "severity": "loi",
    }
