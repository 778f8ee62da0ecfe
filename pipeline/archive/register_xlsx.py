"""The register as the clerk's book (sổ đăng ký văn bản đi): lines to print and an .xlsx."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from pipeline.archive.register import PaperRow, read_register
from pipeline.common.vnformat import vietnam_clock
from pipeline.files.atomic import atomic_write, workbook_bytes

# The columns of a register of outgoing documents, with their widths in characters.
COLUMNS = (
    ("Số", 8),
    ("Ký hiệu", 12),
    ("Ngày tháng văn bản", 13),
    ("Tên loại và trích yếu nội dung văn bản", 48),
    ("Người ký", 18),
    ("Nơi nhận văn bản", 30),
    ("Đơn vị, người nhận bản lưu", 12),
    ("Ghi chú", 30),
)
_FONT = "Times New Roman"


def book_rows(
    rows: list[PaperRow], issued: dict[tuple[str, int], str] | None = None
) -> list[tuple[str, ...]]:
    """One line per issued paper, in the book's columns; `issued` gives each version's issue
    time ((dossier, version) -> ISO stamp), noted in Vietnam time."""
    return [
        (
            "" if r.number is None else f"{r.number:02d}",
            r.symbol,
            "" if r.date is None else date.fromisoformat(r.date).strftime("%d/%m/%Y"),
            r.title,
            r.signer,
            r.recipients.replace("\n", "; "),
            r.storage,
            _note(r, (issued or {}).get((r.dossier, r.version))),
        )
        for r in rows
    ]


def _note(row: PaperRow, issued_at: str | None) -> str:
    when = f", phát hành {vietnam_clock(issued_at)}" if issued_at else ""
    parts = [f"{row.dossier}, phiên bản {row.version}{when}"]
    if row.hand_edited:
        parts.append("văn bản được sửa bằng Word sau khi hoso lập, phát hành có xác nhận")
    if row.superseded_by is not None:
        parts.append(f"đã được thay thế ở phiên bản {row.superseded_by}")
    return "; ".join(parts)


def write_book(
    rows: list[PaperRow],
    path: Path,
    year: int | None,
    issued: dict[tuple[str, int], str] | None = None,
) -> Path:
    """The book as an A4 landscape workbook, ready to print."""
    book = Workbook()
    ws = book.active
    ws.title = "Sổ văn bản đi"
    title = "SỔ ĐĂNG KÝ VĂN BẢN ĐI" + (f" NĂM {year}" if year else "")
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(name=_FONT, size=14, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([])
    ws.append([name for name, _ in COLUMNS])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(3, column).column_letter].width = width
        cell = ws.cell(3, column)
        cell.font = Font(name=_FONT, size=12, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for line in book_rows(rows, issued):
        ws.append(list(line))
        for column in range(1, len(COLUMNS) + 1):
            cell = ws.cell(ws.max_row, column)
            cell.font = Font(name=_FONT, size=12)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    ws.print_title_rows = "3:3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    when = datetime(year or date.today().year, 1, 1)
    atomic_write(path, workbook_bytes(book, when))
    return path


def register_book(
    archive: Path, year: int | None = None, xlsx: Path | None = None
) -> list[tuple[str, ...]]:
    """The book's lines (issued papers, not those carried unchanged), in number order;
    with `xlsx`, also written there as a workbook."""
    rows: list[PaperRow] = []
    issued: dict[tuple[str, int], str] = {}
    register = read_register(archive)
    if register is not None:
        try:
            rows = [r for r in register.papers(year=year) if r.carried_from is None]
            issued = {(v.dossier, v.version): v.issued_at for v in register.versions()}
        finally:
            register.close()
    rows.sort(key=lambda r: (r.year, r.number is None, r.number or 0, r.symbol, r.version))
    if xlsx is not None:
        write_book(rows, xlsx, year, issued)
    return book_rows(rows, issued)
