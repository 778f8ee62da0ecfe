"""How a workbook sheet prints when it is issued beside the papers (the score workbook, the
roll-up): A4 landscape within Decree 30's margins, the papers' font in headers, footers and
charts. One home, so both workbooks pass `hoso check` on their PDF alike.
"""

from __future__ import annotations

import re

from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.drawing.text import Font as DrawingFont
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.papers import nd30

FONT = "Times New Roman"
PT_PER_MM = 72 / 25.4
# Column width units that fit between the decree's side margins (297 - 30 - 15 = 252 mm)
# at full size: LibreOffice prints a unit of Times New Roman 11 pt (the workbooks' default
# font, see score_workbook.base_font) as about 1.94 mm; a little is left for the borders.
PRINT_WIDTH_UNITS = 127
# The workbooks' text size (score_workbook.base_font), and the least a sheet shrunk to the
# page's width may print it at.
TEXT_PT = 11
MIN_PRINT_PT = 10


def print_setup(
    sheet: Worksheet, title_rows: str | None, *, fit_width: bool = True, one_page: bool = False
) -> None:
    """A4 landscape within the decree's margins (a table attached in a file of its own is
    held to them: `hoso check` on its PDF), the header and footer lines at the papers' header
    distance, inside the 20 mm margins."""
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    # Fit to width only shrinks what is wider than the page: the columns are sized to fit at
    # full scale, so text prints at its own size (never below 10 pt).
    setup.fitToWidth = 1 if fit_width else 0
    setup.fitToHeight = 1 if one_page else 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = fit_width
    if not fit_width:
        setup.scale = 100
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins  # inches
    margins.top, margins.bottom = _inches(nd30.MARGIN_TOP_MM), _inches(nd30.MARGIN_BOTTOM_MM)
    margins.left, margins.right = _inches(nd30.MARGIN_LEFT_MM), _inches(nd30.MARGIN_RIGHT_MM)
    margins.header = margins.footer = _inches(nd30.HEADER_DISTANCE_MM)
    if title_rows:
        sheet.print_title_rows = title_rows


# Where a line may break: any white space but the no-break space.
_BREAKS = re.compile(r"[^\S\u00a0]+")


def wrapped_lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` units wide: words never split, a
    unit holding about one character (an estimate that errs towards a taller row, since a
    narrow column's names wrap at their spaces, not at a character count). No-break spaces
    (vnformat.unbroken) hold a word together."""
    per_line = max(1, int(width))
    lines, used = 1, 0
    for word in _BREAKS.split(text.strip()):
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, len(word)
        else:
            used += len(word) + (1 if used else 0)
    return lines


def _inches(mm: float) -> float:
    return mm / 25.4


def page_frame(sheet: Worksheet, header: str) -> None:
    """`header` on top of every page, the page number within the sheet below."""
    sheet.oddHeader.center.text = header
    sheet.oddFooter.center.text = "Trang &P"
    for part in (sheet.oddHeader.center, sheet.oddFooter.center):
        part.font = f"{FONT},Regular"
        part.size = 10
    # Each sheet counts its own pages from 1.
    sheet.page_setup.firstPageNumber = 1
    sheet.page_setup.useFirstPageNumber = True


def _chart_font(size: int, *, bold: bool = False) -> CharacterProperties:
    return CharacterProperties(latin=DrawingFont(typeface=FONT), sz=size * 100, b=bold)


def chart_text(size: int) -> RichText:
    """Text properties of a chart part: `FONT` at `size` points. A chart without its own
    says nothing, and LibreOffice then draws it in its default sans (DejaVu Sans in the PDF)."""
    font = _chart_font(size)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=font), endParaRPr=font)])


def chart_title(text: str, size: int) -> Title:
    """A chart title in bold `FONT` (a plain string title carries no font)."""
    font = _chart_font(size, bold=True)
    line = Paragraph(pPr=ParagraphProperties(defRPr=font), r=[RegularTextRun(rPr=font, t=text)])
    return Title(tx=Text(rich=RichText(p=[line])), overlay=False)
