"""The score workbook: read back with openpyxl, printed to PDF and recalculated by LibreOffice."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from pipeline.common.vnformat import EXCEL_WHOLE
from pipeline.model.profile import Override, Profile, load_profile
from pipeline.model.rules import load_rules
from pipeline.papers.score_workbook import (
    CHART,
    RULES,
    SIGNING_ROOM_PT,
    SUMMARY,
    workbook_bytes,
)
from pipeline.stages.score import evaluate
from tests.conftest import DEMO
from tests.factories import DEMO_VILLAGES, demo_data
from tests.helpers import libreoffice_convert

VILLAGES = "Số liệu thôn"
COMMUNE = "Số liệu xã"
PRINTED = [SUMMARY, VILLAGES, COMMUNE, CHART]


def _book(overrides: list[Override] | None = None, profile: Profile | None = None) -> bytes:
    data = demo_data()
    card = evaluate(load_rules(), data, "mien_nui", overrides or [])
    return workbook_bytes(card, data, profile or load_profile(DEMO))


def _texts(sheet: object) -> list[str]:
    rows = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    return [c for r in rows for c in r if isinstance(c, str)]


def test_workbook_sheets_and_print_setup() -> None:
    book = load_workbook(io.BytesIO(_book()))
    assert book.sheetnames == [*PRINTED, RULES]
    assert [s.sheet_state for s in book.worksheets] == ["visible"] * 4 + ["hidden"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9)  # A4
        # The unit and year on every page; pages counted within the sheet.
        assert sheet.oddHeader.center.text == "Xã Bình Trung, tỉnh Lạng Sơn - năm 2024"
        assert sheet.oddFooter.center.text == "Trang &P"
        assert (setup.firstPageNumber, setup.useFirstPageNumber) == (1, True)
        # Protected against accidental edits, with no password to lift it.
        assert sheet.protection.sheet is True and not sheet.protection.password
        # Decree 30's margins, as the papers', with the header and footer inside them.
        margins = sheet.page_margins
        in_mm = [
            round(v * 25.4, 3) for v in (margins.top, margins.bottom, margins.left, margins.right)
        ]
        assert in_mm == [20, 20, 30, 15], sheet.title
        assert margins.header * 25.4 < 20 and margins.footer * 25.4 < 20
    summary = book[SUMMARY]
    assert summary.print_title_rows == "$5:$5"
    assert summary.sheet_properties.pageSetUpPr.fitToPage is True
    assert summary["A5"].value == "TT" and summary["G5"].value == "Điểm Hội đồng chấm"
    villages = book[VILLAGES]
    # Full size (text stays 11 pt), villages across pages with their labels repeated.
    assert villages.page_setup.scale == 100
    assert villages.sheet_properties.pageSetUpPr.fitToPage is False
    assert (villages.print_title_rows, villages.print_title_cols) == ("$3:$3", "$A:$B")
    # Its title lies within those repeated columns, so every page across carries it whole.
    assert [str(r) for r in villages.merged_cells.ranges if r.min_row == 1] == ["A1:B1"]
    assert villages["A1"].alignment.wrap_text and villages.row_dimensions[1].height >= 40
    charts = book[CHART]._charts
    assert len(charts) == 1 and type(charts[0]).__name__ == "BarChart"
    assert [s.tx.strRef.f for s in charts[0].series] == ["'Biểu đồ'!B1", "'Biểu đồ'!C1"]
    assert [book[CHART].cell(r, 3).value for r in range(2, 15)] == [
        100, 50, 125, 50, 100, 125, 50, 50, 50, 100, 75, 75, 50,
    ]  # fmt: skip


def test_printed_sheets_show_no_codes_rules_or_labels() -> None:
    book = load_workbook(io.BytesIO(_book()))
    printed = [t for name in PRINTED for t in _texts(book[name])]
    assert not [t for t in printed if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", t)]  # tre_em_duoi_16…
    assert not [t for t in printed if "Áp dụng" in t or "tạm tính" in t.lower()]
    assert "Đã đối chiếu" not in printed and "Nhãn quy tắc" not in printed
    hidden = _texts(book[RULES])
    assert "tạm tính" in hidden[0] and "12.2" in hidden[0]  # the provisional warning
    rows = {r[0]: r for r in book[RULES].iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows["12.2"][2:5] == ("≥ 50% → 25", "Tạm tính", "co_diem_vui_choi, so_thon")
    assert rows["6.2"][3] == "Đã đối chiếu"
    assert rows["tre_em_duoi_16"][1] == "Trẻ em dưới 16 tuổi"


def test_summary_rows_carry_data_rate_points_and_reason() -> None:
    reason = "Hội đồng xác minh lại số liệu cân đo"
    sheet = load_workbook(io.BytesIO(_book([Override("8.2", Decimal(15), reason)])))[SUMMARY]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]}
    # Village figures of tests/factories.demo_data: 12 villages, 5 stunted each of 40+i weighed.
    # 60/546 = 10,99% stunted meets "≤ 20%" (decision-06.md, 8.2): computed 25, awarded 15.
    # (Never "11%": a rate is not printed as a whole number it is not.)
    assert rows["8.2"][2:9] == ("60/546", "10,99%", "≤ 20% → 25; còn lại → 0", 25, 15, 25, reason)
    assert rows["2.1"][2:4] == ("108/108", "100%")
    assert rows["1.4"][2] == "15.000.000 đồng"
    assert rows["5.2"][2] == "2 (kỳ trước: 3)"
    assert rows["12.2"][2:4] == ("6/12 thôn", "50%")
    texts = _texts(sheet)
    # The result in the papers' words, the criteria by their one name.
    assert "Kết quả: đạt." in texts and "Kết quả: ĐẠT." not in texts
    assert "Tiêu chí 1 (Nguồn lực thực hiện quyền trẻ em)" in texts


def test_subtotals_and_totals_are_formulas_with_their_values() -> None:
    data = _book([Override("8.2", Decimal(15), "Hội đồng xác minh lại")])
    formulas = load_workbook(io.BytesIO(data))[SUMMARY]
    values = load_workbook(io.BytesIO(data), data_only=True)[SUMMARY]
    total = next(r[0].row for r in formulas.iter_rows(min_row=6) if r[1].value == "TỔNG CỘNG")
    criterion = next(r[0].row for r in formulas.iter_rows(min_row=6) if r[0].value == 8)
    assert str(formulas[f"G{total}"].value).startswith("=SUM(G6,")
    assert formulas[f"G{criterion}"].value == f"=SUM(G{criterion + 1}:G{criterion + 2})"
    assert [values[f"{c}{total}"].value for c in "FGH"] == [975, 965, 1000]
    assert values[f"G{criterion}"].value == 40  # 8.1 at 25 + 8.2 awarded 15
    assert formulas[f"H{total}"].number_format == EXCEL_WHOLE  # 1.000 in any Excel


def test_signed_as_the_minutes_by_the_council(tmp_path: Path) -> None:
    profile = load_profile(DEMO)
    # The council's chair need not be the committee's: the workbook names the council's.
    council = tuple(
        replace(m, ho_ten="Lương Thị Mai") if m.vai_tro == "chu_tich" else m
        for m in profile.hoi_dong
    )
    sheet = load_workbook(io.BytesIO(_book(profile=replace(profile, hoi_dong=council))))[SUMMARY]
    texts = _texts(sheet)
    assert {"THƯ KÝ", "TM. HỘI ĐỒNG ĐÁNH GIÁ\nCHỦ TỊCH", "Hoàng Thị Lan", "Lương Thị Mai"} <= set(
        texts
    )
    assert "Nông Văn Hùng" not in texts and "NGƯỜI LẬP BIỂU" not in texts
    assert "Bình Trung, ngày 05 tháng 11 năm 2024" in texts  # the meeting's date
    head = next(c.row for r in sheet.iter_rows() for c in r if c.value == "THƯ KÝ")
    # Room to sign: the row between "(Ký, ghi rõ họ tên)" and the name, 25 mm at least.
    assert sheet.row_dimensions[head + 2].height == SIGNING_ROOM_PT >= 25 / 25.4 * 72
    unnamed = tuple(m for m in profile.hoi_dong if m.vai_tro != "thu_ky")
    bare = _texts(
        load_workbook(io.BytesIO(_book(profile=replace(profile, hoi_dong=unnamed))))[SUMMARY]
    )
    assert "." * 40 in bare  # no secretary named: a line to write the name by hand


def test_village_sheet_has_every_village_and_totals() -> None:
    book = load_workbook(io.BytesIO(_book()))
    sheet = book[VILLAGES]
    header = [c.value for c in sheet[3]]
    assert header == ["Chỉ tiêu", "Đơn vị", *DEMO_VILLAGES, "Tổng"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    weighed = rows["Trẻ em dưới 5 tuổi được cân, đo"]
    assert weighed[2] == 40 and weighed[-1] == 546
    playground = rows["Thôn có điểm vui chơi cho trẻ em"]
    assert playground[2:4] == ("Có", "Không") and playground[-1] == "6/12 thôn có"
    assert rows["Số thôn gửi số liệu"][-1] == 12
    commune = {r[0]: r for r in book[COMMUNE].iter_rows(min_row=4, values_only=True) if r[0]}
    assert commune["Kinh phí cho công tác bảo vệ, chăm sóc trẻ em"][2] == 15_000_000
    funds = next(c for r in book[COMMUNE].iter_rows() for c in r if c.value == 15_000_000)
    # 15.000.000 in any Excel (test_vnformat reads these formats back through LibreOffice).
    assert funds.number_format == '#"."###"."###'


def test_workbook_is_deterministic() -> None:
    assert _book() == _book()


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def test_printed_by_libreoffice_signatures_with_totals_text_at_least_10pt(
    tmp_path: Path,
) -> None:
    source = tmp_path / "bieu-cham-diem.xlsx"
    source.write_bytes(_book())
    pdf = libreoffice_convert(source, "pdf", tmp_path)
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    # A4 landscape: 297 x 210 mm = 841.9 x 595.3 pt, on every page.
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}
    if shutil.which("pdftotext") is None:
        return
    pages = [p for p in _pages(pdf) if p.strip()]
    signed = [p for p in pages if "TỔNG CỘNG" in p]
    assert len(signed) == 1
    for text in (
        "Kết quả: đạt",
        "THƯ KÝ",
        "TM. HỘI ĐỒNG ĐÁNH GIÁ",
        "Hoàng Thị Lan",
        "Nông Văn Hùng",
    ):
        assert text in signed[0], text
    assert "tre_em_duoi_16" not in "".join(pages) and "Áp dụng" not in "".join(pages)
    # Each sheet counts its pages from 1: as many "Trang 1" as printed sheets.
    assert sum(bool(re.search(r"Trang 1\s*$", p.strip())) for p in pages) == len(PRINTED)
    assert _smallest_text_pt(pdf) >= 10


def _smallest_text_pt(pdf: Path) -> float:
    """The smallest text on the PDF's pages: "em" is 1.222 em wide in Times New Roman
    (Liberation Serif), 13.4 pt at 11 pt."""
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    widths = [
        float(b) - float(a)
        for a, b in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>em<', bbox)
    ]
    assert widths
    return min(widths) / 1.222


def test_a_village_sheet_a_little_too_wide_prints_on_one_page_across(tmp_path: Path) -> None:
    """Seven villages are a column wider than the page: shrunk to its width (text still
    10 pt or more) rather than their total printed alone on a second page across."""
    data = demo_data()
    data = replace(data, villages=dict(list(data.villages.items())[:7]))
    card = evaluate(load_rules(), data, "mien_nui", [])
    source = tmp_path / "bieu-cham-diem.xlsx"
    source.write_bytes(workbook_bytes(card, data, load_profile(DEMO)))
    sheet = load_workbook(source)[VILLAGES]
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.page_setup.fitToWidth, sheet.print_title_cols) == (1, None)
    pdf = libreoffice_convert(source, "pdf", tmp_path)
    shown = [p for p in _pages(pdf) if DEMO_VILLAGES[0] in p]
    assert len(shown) == 1 and "Tổng" in shown[0] and DEMO_VILLAGES[6] in shown[0]
    assert _smallest_text_pt(pdf) >= 10


def test_libreoffice_recalculates_to_the_same_totals(tmp_path: Path) -> None:
    source = tmp_path / "in" / "bieu-cham-diem.xlsx"
    source.parent.mkdir()
    source.write_bytes(_book([Override("8.2", Decimal(15), "Hội đồng xác minh lại")]))
    saved = libreoffice_convert(source, "xlsx", tmp_path)
    ours = load_workbook(source, data_only=True)[SUMMARY]
    theirs = load_workbook(saved, data_only=True)[SUMMARY]
    cells = [(r, c) for r in range(6, ours.max_row + 1) for c in (6, 7, 8)]
    ours_values = [ours.cell(r, c).value for r, c in cells]
    assert [theirs.cell(r, c).value for r, c in cells] == ours_values
    assert 965 in ours_values and 975 in ours_values


def test_numbers_print_with_vietnamese_grouping(tmp_path: Path) -> None:
    source = tmp_path / "bieu-cham-diem.xlsx"
    source.write_bytes(_book())
    # The summary sheet as LibreOffice shows it (last option: cell contents as shown), in an
    # English locale: the points read "1.000", never "1,000" (which reads as one).
    shown = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true"
    text = libreoffice_convert(source, shown, tmp_path).read_text(encoding="utf-8")
    total = next(line for line in text.splitlines() if "TỔNG CỘNG" in line)
    assert total.split(",")[5:8] == ["975", "975", "1.000"], total

    # Table cells styled alike share openpyxl style indices (for speed); each kind of cell
    # must still read back with its own font, fill, border and alignment, in every workbook.
    first, second = _book(), _book()
    assert first == second
    sheet = load_workbook(io.BytesIO(second))[SUMMARY]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=6) if row[0].value}
    criterion, item = rows[1], rows["8.2"]
    total = next(r for r in sheet.iter_rows(min_row=6) if r[1].value == "TỔNG CỘNG")
    for cell in (*criterion, *item, *total):
        assert (cell.font.name, cell.font.sz) == ("Times New Roman", 11)
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
    assert all(c.font.b for c in (*criterion, *total)) and not any(c.font.b for c in item)
    assert {c.fill.fgColor.rgb for c in criterion} == {"00F2F2F2"}
    assert {c.fill.fgColor.rgb for c in total} == {"00D9E2F3"}
    assert {c.fill.fill_type for c in item} == {None}
    assert item[0].alignment.horizontal == "center"
    assert item[5].alignment.horizontal == "right"  # computed points: a number
    assert item[1].alignment.horizontal is None and item[1].alignment.wrap_text


def test_a_rate_just_below_a_tier_is_never_shown_at_it() -> None:
    # 1.616/1.796 = 89,98% misses "≥ 90%": the workbook must not print "90%" beside it.
    data = demo_data()
    first = data.villages[DEMO_VILLAGES[0]]
    totals = data.totals()
    for code, wanted in (("duoi_1_tuoi", 1796), ("duoi_1_tiem_du", 1616)):
        value = first[code]
        first[code] = replace(value, value=int(value.value) + wanted - int(totals[code]))
    first["tre_em_duoi_16"] = replace(first["tre_em_duoi_16"], value=5000)
    card = evaluate(load_rules(), data, "mien_nui", [])
    sheet = load_workbook(io.BytesIO(workbook_bytes(card, data, load_profile(DEMO))))[SUMMARY]
    row = next(r for r in sheet.iter_rows(min_row=6, values_only=True) if r[0] == "7.1")
    assert row[2:4] == ("1.616/1.796", "89,98%")
    assert row[5] < 50  # not the "≥ 90%" tier's points either
