"""The score workbook: read back with openpyxl, printed to PDF by LibreOffice."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from pipeline.model.profile import Override, load_profile
from pipeline.model.rules import load_rules
from pipeline.papers.score_workbook import CHART, SUMMARY, VN_WHOLE, workbook_bytes
from pipeline.stages.score import evaluate
from tests.conftest import DEMO
from tests.factories import DEMO_VILLAGES, demo_data
from tests.helpers import libreoffice_convert

VILLAGES = "Số liệu thôn"


def _book(overrides: list[Override] | None = None) -> bytes:
    data = demo_data()
    card = evaluate(load_rules(), data, "mien_nui", overrides or [])
    return workbook_bytes(card, data, load_profile(DEMO))


def test_workbook_sheets_print_setup_and_chart() -> None:
    book = load_workbook(io.BytesIO(_book()))
    assert book.sheetnames == [SUMMARY, VILLAGES, CHART] == ["Tổng hợp", "Số liệu thôn", "Biểu đồ"]
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4 in the OOXML paper-size table
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.page_setup.fitToWidth == 1
    summary = book[SUMMARY]
    assert summary.print_title_rows == "$5:$5"
    assert summary["A5"].value == "TT" and summary["G5"].value == "Điểm Hội đồng chấm"
    assert "tạm tính" in str(summary["A4"].value)
    charts = book[CHART]._charts
    assert len(charts) == 1 and type(charts[0]).__name__ == "BarChart"
    assert [s.tx.strRef.f for s in charts[0].series] == ["'Biểu đồ'!B1", "'Biểu đồ'!C1"]
    assert [book[CHART].cell(r, 3).value for r in range(2, 15)] == [
        100, 50, 125, 50, 100, 125, 50, 50, 50, 100, 75, 75, 50,
    ]  # fmt: skip
    # No cell is read as a formula (scales such as "= 0 → 50" are text).
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_summary_rows_carry_data_rate_points_and_reason() -> None:
    reason = "Hội đồng xác minh lại số liệu cân đo"
    sheet = load_workbook(io.BytesIO(_book([Override("8.2", Decimal(15), reason)])))[SUMMARY]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]}
    # Village figures of tests/factories.demo_data: 12 villages, 5 stunted each of 40+i weighed.
    # 60/546 = 11% stunted meets "≤ 20%" (decision-06.md, 8.2): computed 25, awarded 15.
    scale = "≤ 20% → 25; còn lại → 0\nÁp dụng: ≤ 20% → 25"
    assert rows["8.2"][2:9] == ("60/546", "11%", scale, 25, 15, 25, reason)
    assert rows["2.1"][2:4] == ("108/108", "100%")
    assert rows["1.4"][2] == "15.000.000 đồng"
    assert rows["5.2"][2] == "2 (kỳ trước: 3)"
    assert rows["12.2"][2:4] == ("6/12 thôn", "50%")
    assert rows["12.2"][9] == "Tạm tính" and rows["6.2"][9] == "Đã đối chiếu"
    total = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "TỔNG CỘNG")
    assert total[5:8] == (975, 965, 1000)
    texts = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    # The result in the papers' words, the criteria by their one name, figures grouped.
    assert "Kết quả: đạt." in texts and "Kết quả: ĐẠT." not in texts
    assert "Tiêu chí 1 (Nguồn lực thực hiện quyền trẻ em)" in texts
    total_row = next(r[0].row for r in sheet.iter_rows() if r[1].value == "TỔNG CỘNG")
    assert sheet.cell(total_row, 8).number_format == VN_WHOLE
    assert {"NGƯỜI LẬP BIỂU", "Hoàng Thị Lan", "Nông Văn Hùng"} <= set(texts)


def test_village_sheet_has_every_village_and_totals() -> None:
    sheet = load_workbook(io.BytesIO(_book()))[VILLAGES]
    header = [c.value for c in sheet[3]]
    assert header == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", *DEMO_VILLAGES, "Tổng"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}
    assert rows["duoi_5_can_do"][3] == 40 and rows["duoi_5_can_do"][-1] == 546
    assert rows["co_diem_vui_choi"][3:5] == ("Có", "Không")
    assert rows["co_diem_vui_choi"][-1] == "6 thôn Có"
    assert rows["so_thon"][-1] == 12
    assert rows["kinh_phi_tre_em"][-1] == 15_000_000


def test_workbook_is_deterministic() -> None:
    assert _book() == _book()


def test_workbook_prints_on_a4_landscape_with_libreoffice(tmp_path: Path) -> None:
    source = tmp_path / "bieu-cham-diem.xlsx"
    source.write_bytes(_book())
    libreoffice_convert(source, "pdf", tmp_path)
    pdf = (tmp_path / "bieu-cham-diem.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes, "no page found"
    # A4 landscape: 297 x 210 mm = 841.9 x 595.3 pt, on every page.
    assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(842, 595)}


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
