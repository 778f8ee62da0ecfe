"""The score workbook (`bieu-cham-diem.xlsx`): the summary the council signs, the village
data, a chart, and a hidden sheet of what the pipeline used (codes, rules, their labels).

What prints is what the council signs: A4 landscape within Decree 30's margins (it is
issued as a PDF attachment beside the papers, and `hoso check` holds it to them), at full
size (text never shrinks below 10 pt), the unit and year in every page's header, pages
numbered per sheet, and the totals, verdict and signatures kept on one page. Subtotals and
totals are formulas that carry their values (Excel and LibreOffice then show the same
figures before any recalculation), and the sheets are protected against accidental edits,
without a password.

Built with openpyxl and saved without its wall-clock timestamp, then zip-normalized, so the
same scorecard and data give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import weakref
import zipfile
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pipeline.common.vnformat import (
    excel_format,
    long_date,
    number,
    percent,
    unbroken,
    upper,
    upper_first,
)
from pipeline.files.atomic import normalize_zip
from pipeline.model.dataset import DossierData
from pipeline.model.indicators import catalogue, for_level
from pipeline.model.profile import Profile
from pipeline.model.scorecard import ItemScore, Scorecard
from pipeline.model.units import Words
from pipeline.papers import nd30
from pipeline.papers.narrative import figures_sentence, shortfall
from pipeline.papers.sheet_print import (
    FONT,
    MIN_PRINT_PT,
    PRINT_WIDTH_UNITS,
    PT_PER_MM,
    TEXT_PT,
    chart_text,
    chart_title,
    page_frame,
    print_setup,
    wrapped_lines,
)

SUMMARY = "Tổng hợp"
CHART = "Biểu đồ"
# Codes, rules applied and their labels: for whoever checks the scoring, never printed.
RULES = "Đối chiếu (không in)"


def villages_sheet(words: Words) -> str:
    """The name of the village data sheet: "Số liệu thôn", "Số liệu tổ dân phố"."""
    return f"Số liệu {words.cap_thon}"[:31]


_FONT = FONT
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
_CRITERION_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="top")

# Widths sum to 127 units: LibreOffice prints a unit of Times New Roman 11 pt as about
# 1.94 mm, so the table takes some 247 mm of the 252 mm between the decree's side margins
# and fit-to-width never shrinks the text.
_SUMMARY_COLUMNS = [
    ("TT", 5),
    ("Tiêu chí, mục", 35),
    ("Số liệu", 13),
    ("Tỷ lệ", 8),
    ("Thang điểm", 24),
    ("Điểm tính", 8),
    ("Điểm Hội đồng chấm", 9),
    ("Điểm tối đa", 8),
    ("Lý do điều chỉnh, ghi chú", 17),
]
_HEADER_ROW = 5
_POINT_COLUMNS = ("F", "G", "H")

# The printed page, in points: A4 landscape (841.9 × 595.3 pt) less the papers' margins
# (Decree 30, [PL1] I: 20/20/30/15 mm; sheet_print.print_setup). Rows are laid out against
# its height to keep the totals, verdict and signatures together on one page; the columns
# are sized to its width, so every sheet prints at full size.
_PAGE_HEIGHT = 595.0
# Room to sign: at least 25 mm between the title and the name (25 mm = 70.9 pt).
SIGNING_ROOM_PT = 75.0


@dataclass
class _Formulas:
    """Formula cells and the values they compute, per sheet: written as cached values."""

    cells: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def put(self, sheet: Worksheet, ref: str, formula: str, value: Decimal) -> Cell:
        cell = sheet[ref]
        cell.value = formula
        cell.number_format = excel_format(value, formula=True)
        self.cells.setdefault(sheet.title, {})[ref] = value
        return cell


def workbook_bytes(card: Scorecard, data: DossierData, profile: Profile) -> bytes:
    """The whole workbook as deterministic .xlsx bytes."""
    book = Workbook()
    base_font(book)
    formulas = _Formulas()
    summary = book.active
    assert isinstance(summary, Worksheet)
    summary.title = SUMMARY
    words = profile.don_vi.words
    header = f"{upper_first(words.don_vi)}, {words.tinh_day_du} - năm {card.nam}"
    _summary(summary, card, profile, formulas)
    _villages(book.create_sheet(villages_sheet(words)), data, profile)
    _commune(book.create_sheet(commune_sheet(words)), data, profile)
    _chart(book.create_sheet(CHART), card)
    _rules(book.create_sheet(RULES), card, data, words)
    for sheet in book.worksheets:
        page_frame(sheet, header)
        _protect(sheet)

    when = datetime(card.nam, 1, 1)
    props = book.properties
    props.creator = f"Ủy ban nhân dân {profile.don_vi.cap} {profile.don_vi.xa}"
    props.lastModifiedBy = props.creator
    props.title = f"Biểu chấm điểm năm {card.nam}"
    props.subject = f"Đánh giá {profile.don_vi.cap} phù hợp với trẻ em năm {card.nam}"
    props.created = when
    props.modified = when
    props.language = "vi-VN"

    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save_workbook stamps the current time as "modified".
    # Stored, not deflated: normalize_zip compresses each entry once.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(book, archive).write_data()
    parts = {
        f"xl/worksheets/sheet{i}.xml": formulas.cells.get(sheet.title, {})
        for i, sheet in enumerate(book.worksheets, start=1)
    }
    return normalize_zip(buffer.getvalue(), lambda name, xml: cached_values(xml, parts.get(name)))


def base_font(book: Workbook) -> None:
    """Times New Roman as the workbook's default font. Column widths count that font's
    digits: with the default Calibri, a LibreOffice without it measures a wider substitute,
    so the same columns print wider and the sheet shrinks below 10 pt to fit the page."""
    font = Font(name=_FONT, size=TEXT_PT)
    book._fonts = IndexedList([font])
    book._named_styles["Normal"].font = copy(font)


def cached_values(xml: bytes, values: dict[str, Decimal] | None) -> bytes:
    """A worksheet part with each formula's value written beside it, as Excel saves them:
    openpyxl writes formulas with an empty value, which a viewer that does not recalculate
    shows as 0 and LibreOffice may show differently from Excel."""
    if not values:
        return xml

    def fill(match: re.Match[bytes]) -> bytes:
        value = values.get(match[1].decode())
        if value is None:
            return match[0]
        text = format(value.normalize(), "f").encode()
        return (
            match[0]
            .replace(b"<v></v>", b"<v>" + text + b"</v>")
            .replace(b"<v/>", b"<v>" + text + b"</v>")
        )

    return re.sub(rb'<c r="([A-Z]+[0-9]+)"[^>]*><f>[^<]*</f><v(?:></v>|/>)', fill, xml)


def _font(**kwargs: object) -> Font:
    return Font(name=_FONT, size=kwargs.pop("size", 12), **kwargs)


def _protect(sheet: Worksheet) -> None:
    """Locked against accidental edits; no password, so anyone can unprotect it on purpose."""
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False


def _data_text(item: ItemScore, words: Words) -> str:
    """The data an item read, as a clerk would write it: `19/20`, `Có`, `2 (kỳ trước: 3)`."""
    if item.kind == "yes_no":
        return "Có" if item.value else "Không"
    if item.kind in ("rate", "village_share"):
        unit = f" {words.cap_thon}" if item.kind == "village_share" else ""
        return f"{number(item.numerator or 0)}/{number(item.denominator or 0)}{unit}"
    value = item.value if isinstance(item.value, int | Decimal) else 0
    text = number(value, 2)
    unit = catalogue()[item.indicators[0]].unit
    if unit and unit not in ("trẻ", "vụ việc", "ý kiến", "phiếu"):
        text += f" {unit}"
    if item.kind == "count_vs_previous":
        text += f" (kỳ trước: {number(item.previous or 0)})"
    return text


def _points(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value


def _summary(sheet: Worksheet, card: Scorecard, profile: Profile, formulas: _Formulas) -> None:
    words = profile.don_vi.words
    width = len(_SUMMARY_COLUMNS)
    for col, (_, col_width) in enumerate(_SUMMARY_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = col_width
    last = get_column_letter(width)
    # No district from July 2025: words.huyen is then empty.
    place = ", ".join(
        p for p in (upper_first(words.don_vi), words.huyen_day_du, words.tinh_day_du) if p
    )
    lines = [
        (f"BIỂU CHẤM ĐIỂM ĐÁNH GIÁ {upper(words.cap)} PHÙ HỢP VỚI TRẺ EM NĂM {card.nam}", 14),
        (place, 12),
        (f"Bộ tiêu chí: {card.rule_set.name}, phiên bản {card.rule_set.version}", 11),
    ]
    for row, (text, size) in enumerate(lines, start=1):
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet.cell(row, 1, text)
        cell.font = _font(size=size, bold=row == 1)
        cell.alignment = _CENTER
        sheet.row_dimensions[row].height = 20
    sheet.row_dimensions[4].height = 8

    for col, (title, _) in enumerate(_SUMMARY_COLUMNS, start=1):
        cell = sheet.cell(_HEADER_ROW, col, title)
        cell.font = _font(size=11, bold=True)
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _BOX
    # Three lines ("Điểm Hội / đồng / chấm"): repeated on every page, so no taller.
    sheet.row_dimensions[_HEADER_ROW].height = 3 * _LINE_PT + _ROW_PADDING_PT

    row = _HEADER_ROW + 1
    criterion_rows: list[int] = []
    groups: list[tuple[int, int]] = []
    for criterion in card.criteria:
        head = row
        criterion_rows.append(head)
        values: list[object] = [
            criterion.no,
            upper_first(criterion.title),
            None,
            None,
            None,
            None,
            None,
            None,
            "0 điểm: không được công nhận" if criterion.no in card.zero_criteria else None,
        ]
        _table_row(sheet, row, values, bold=True, fill=_CRITERION_FILL)
        row += 1
        for item in criterion.items:
            reason = item.override.reason if item.override else item.note
            values = [
                item.id,
                item.label,
                _data_text(item, words),
                None if item.rate is None else percent(item.rate),
                item.scale,
                _points(item.computed),
                _points(item.points),
                _points(item.max),
                reason,
            ]
            _table_row(sheet, row, values, bold=False, fill=None)
            row += 1
        groups.append((head, row - 1))
        sums = (criterion.computed, criterion.points, criterion.max)
        for c, value in zip(_POINT_COLUMNS, sums, strict=True):
            formulas.put(sheet, f"{c}{head}", f"=SUM({c}{head + 1}:{c}{row - 1})", value)
    _table_row(
        sheet,
        row,
        [None, "TỔNG CỘNG", None, None, None, None, None, None, None],
        bold=True,
        fill=_HEAD_FILL,
    )
    sums = (card.computed_total, card.total, card.scale)
    for c, value in zip(_POINT_COLUMNS, sums, strict=True):
        refs = ",".join(f"{c}{r}" for r in criterion_rows)
        formulas.put(sheet, f"{c}{row}", f"=SUM({refs})", value)
    row += 1
    sheet.row_dimensions[row].height = 8
    row += 1
    row = _verdict(sheet, row, card, profile.don_vi.cap)
    end = _signatures(sheet, row, profile)
    _paginate(sheet, groups, end)
    sheet.freeze_panes = f"A{_HEADER_ROW + 1}"
    sheet.print_area = f"A1:{last}{end}"
    print_setup(sheet, f"{_HEADER_ROW}:{_HEADER_ROW}")


def _verdict(sheet: Worksheet, row: int, card: Scorecard, cap: str) -> int:
    """Under the table, as the minutes word them: the figures with the threshold of the
    Decision's category, then the result once, with the condition not met; returns the next
    free row."""
    last = get_column_letter(len(_SUMMARY_COLUMNS))
    width = len(_SUMMARY_COLUMNS)
    data = card.to_json()
    why = shortfall(data)
    verdict = [
        figures_sentence(data, cap),
        f"Kết quả: {card.result}" + (f" do {why}." if why else "."),
    ]
    for text in verdict:
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet.cell(row, 1, text)
        cell.font = _font(bold=text.startswith("Kết quả"))
        cell.alignment = _WRAP
        _fit_height(sheet, row, [(1, text)], span=width, bold=cell.font.b)
        row += 1
    return row


def _signatures(sheet: Worksheet, row: int, profile: Profile) -> int:
    """The council signs as in its minutes: the secretary on the left, the chair for the
    council on the right, under the place and date of the meeting; returns the last row."""
    meeting = profile.hop_hoi_dong.bat_dau
    when = long_date(meeting.date() if meeting else None, profile.don_vi.nam)
    sheet.row_dimensions[row].height = 8
    row += 1
    sheet.merge_cells(f"E{row}:I{row}")
    dated = sheet.cell(row, 5, f"{profile.co_quan.dia_danh}, {when}")
    dated.font = _font(italic=True)
    dated.alignment = _CENTER
    sheet.row_dimensions[row].height = 18
    row += 1
    signers = [
        ("A", "D", "THƯ KÝ", _member(profile, "thu_ky")),
        ("E", "I", "TM. HỘI ĐỒNG ĐÁNH GIÁ\nCHỦ TỊCH", _member(profile, "chu_tich")),
    ]
    for start, end, title, name in signers:
        col = sheet[f"{start}1"].column
        for offset, text, font in (
            (0, title, _font(bold=True)),
            (1, "(Ký, ghi rõ họ tên)", _font(italic=True)),
            (3, name, _font(bold=True)),
        ):
            sheet.merge_cells(f"{start}{row + offset}:{end}{row + offset}")
            cell = sheet.cell(row + offset, col, text)
            cell.font = font
            cell.alignment = _CENTER
    sheet.row_dimensions[row].height = 32
    sheet.row_dimensions[row + 1].height = 17
    sheet.row_dimensions[row + 2].height = SIGNING_ROOM_PT
    sheet.row_dimensions[row + 3].height = 18
    return row + 3


def _member(profile: Profile, role: str) -> str:
    """The council member in `role`, as [[hoi_dong.thanh_vien]] names them; a dotted line
    to write by hand when the council is not (yet) filled in."""
    found = [m.ho_ten for m in profile.hoi_dong if m.vai_tro == role and m.ho_ten]
    return found[0] if len(found) == 1 else "." * 40


def _row_height(sheet: Worksheet, row: int) -> float:
    return sheet.row_dimensions[row].height or 15.0


def _paginate(sheet: Worksheet, groups: list[tuple[int, int]], end: int) -> None:
    """Page breaks for the summary, set by hand so every application prints the same pages:
    a criterion is never split from its sub-items, and the last criterion, the totals, the
    verdict and the signatures share the last page (the council signs a page that shows
    what it signs). Rows are laid out from their set heights, with some slack."""
    usable = _PAGE_HEIGHT - PT_PER_MM * (nd30.MARGIN_TOP_MM + nd30.MARGIN_BOTTOM_MM) - 10
    repeated = _row_height(sheet, _HEADER_ROW)
    first, last_head = groups[0][0], groups[-1][0]
    if repeated + _height(sheet, last_head, end) <= usable:
        groups = [*groups[:-1], (last_head, end)]
    else:  # too long for any page: the totals onwards together at least
        groups = [*groups, (groups[-1][1] + 1, end)]
    used = _height(sheet, 1, first - 1)
    for start, stop in groups:
        height = _height(sheet, start, stop)
        if used + height <= usable:
            used += height
            continue
        if repeated + height <= usable:
            sheet.row_breaks.append(Break(id=start - 1))
            used = repeated + height
            continue
        for row in range(start, stop + 1):  # a group taller than a page: row by row
            height = _row_height(sheet, row)
            if used + height > usable:
                sheet.row_breaks.append(Break(id=row - 1))
                used = repeated
            used += height


def _height(sheet: Worksheet, first: int, last: int) -> float:
    return sum(_row_height(sheet, r) for r in range(first, last + 1))


def _table_row(
    sheet: Worksheet,
    row: int,
    values: Sequence[object],
    *,
    bold: bool,
    fill: PatternFill | None,
    numbered: bool = True,
) -> None:
    """One bordered table row; `numbered`: its first cell is a centred number (TT)."""
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row, col, value)
        if isinstance(value, str):
            # A scale such as "= 0 → 50" is text, not a formula.
            cell.data_type = "s"
        numeric = isinstance(value, int | Decimal) and not isinstance(value, bool)
        alignment = _CENTER if col == 1 and numbered else (_RIGHT if numeric else _WRAP)
        _table_style(cell, bold, fill, alignment)
        if numeric:
            assert isinstance(value, int | Decimal)
            cell.number_format = excel_format(value)
    _fit_height(sheet, row, [(c, v) for c, v in enumerate(values, start=1)], bold=bold)


# Per workbook: a table cell's style indices by (bold, fill, alignment). Setting a font,
# border or fill makes openpyxl hash the whole style object to find its index, which was
# a third of a whole build; cells styled alike share the indices, as openpyxl's own copy does.
_TABLE_STYLES: weakref.WeakKeyDictionary[Workbook, dict[tuple[bool, int, int], StyleArray]] = (
    weakref.WeakKeyDictionary()
)


def _table_style(cell: Cell, bold: bool, fill: PatternFill | None, alignment: Alignment) -> None:
    styled = _TABLE_STYLES.setdefault(cell.parent.parent, {})
    key = (bold, id(fill), id(alignment))  # module constants: their ids are stable
    indices = styled.get(key)
    if indices is not None:
        cell._style = copy(indices)
        return
    cell.font = _font(size=11, bold=bold)
    cell.border = _BOX
    cell.alignment = alignment
    if fill is not None:
        cell.fill = fill
    styled[key] = copy(cell._style)


def _length(text: str) -> int:
    """`text`'s length in average characters: an arrow (a scale's "≥ 90% → 20") is as wide
    as two digits, twice an average character, and counting it as one clipped a scale's
    last line."""
    return len(text) + text.count("→")


# Characters of 11 pt Times New Roman per unit of column width (its digits' width), a little
# under the average so that an estimate errs towards a taller row, never a clipped one.
_CHARS_PER_UNIT = 1.1
# Bold is wider: a criterion's bold title estimated as regular text lost its last line.
_BOLD_CHARS = 0.85
# A line of 11 pt Times New Roman takes 12.6 pt (ascent, descent and gap); rows get 13 pt a
# line and 2 pt of padding. Any taller, and a village sheet that fits one page between the
# decree's 20 mm margins spills its last rows onto near-empty pages.
_LINE_PT = 13.0
_ROW_PADDING_PT = 2.0


def _fit_height(
    sheet: Worksheet,
    row: int,
    cells: Sequence[tuple[int, object]],
    span: int = 1,
    *,
    bold: bool = False,
) -> None:
    """Set a row tall enough for its wrapped text: Excel and LibreOffice do not grow rows
    written by openpyxl, and a printed sheet with clipped text cannot be signed."""
    lines = 1
    for col, value in cells:
        if not isinstance(value, str):
            continue
        width = sum(
            sheet.column_dimensions[get_column_letter(c)].width or 10
            for c in range(col, col + span)
        )
        per_line = max(1, int(width * _CHARS_PER_UNIT * (_BOLD_CHARS if bold else 1)))
        lines = max(
            lines, sum(max(1, math.ceil(_length(part) / per_line)) for part in value.split("\n"))
        )
    sheet.row_dimensions[row].height = _LINE_PT * lines + _ROW_PADDING_PT


# The village sheet: labels and unit repeat on every page, as many villages as fit across.
# Labels, unit and seven villages (46 + 10 + 7 × 10 = 126 units, about 245 mm) fit the
# width between the decree's side margins at full size; the total's "12/12 thôn có" needs 13.
_LABEL_WIDTH = 46
_UNIT_WIDTH = 10
_VILLAGE_COLUMN = 10
_TOTAL_COLUMN = 13
# Capitals in bold 13 pt over the label and unit columns (56 width units, about 109 mm).
_TITLE_CHARS_PER_LINE = 34


def commune_sheet(words: Words) -> str:
    """The name of the unit's own data sheet: "Số liệu xã", "Số liệu đặc khu"."""
    return f"Số liệu {words.cap}"[:31]


def _villages(sheet: Worksheet, data: DossierData, profile: Profile) -> None:
    words = profile.don_vi.words
    order = [v for v in profile.don_vi.thon if v in data.villages]
    order += [v for v in data.villages if v not in order]
    heads = ["Chỉ tiêu", "Đơn vị", *order, "Tổng"]
    # Previous-period figures filled in from last year's dossier say so (hoso init --tu).
    previous = (
        {i.previous for i in for_level("thon") if i.previous} if data.previous_origins else set()
    )
    if previous:
        heads.append("Nguồn số liệu kỳ trước")
    total_col = len(heads)
    # Printed across pages: the title stays over the label columns, which repeat on every
    # page across, so each page carries it whole instead of cut at the first page's edge.
    # Wrapped before the unit's name, which stays whole with its year.
    unit = unbroken(f"{upper(words.don_vi)} NĂM {data.nam}")
    _title(sheet, f"SỐ LIỆU CÁC {upper(words.cap_thon)} CỦA {unit}", None)
    _head_row(sheet, 3, heads)
    for col in range(3, total_col + 1):
        sheet.column_dimensions[get_column_letter(col)].width = _VILLAGE_COLUMN
    sheet.column_dimensions[get_column_letter(3 + len(order))].width = _TOTAL_COLUMN
    if previous:
        sheet.column_dimensions[get_column_letter(total_col)].width = 40
    totals = data.totals()
    row = 4
    for ind in for_level("thon"):
        cells: list[object] = [ind.label_in(words), ind.unit or "Có/Không"]
        for village in order:
            value = data.villages[village].get(ind.code)
            cells.append(None if value is None else _cell_value(value.value))
        total = totals.get(ind.code, 0)
        if ind.kind == "yes_no":  # as the report says it: "6/12 thôn có"
            cells.append(f"{total}/{data.village_count} {words.cap_thon} có")
        else:
            cells.append(total)
        if previous:
            origin = data.previous_origin_text(ind.code, order) if ind.code in previous else ""
            cells.append(origin or None)
        _table_row(sheet, row, cells, bold=False, fill=None, numbered=False)
        row += 1
    cells = [f"Số {words.cap_thon} gửi số liệu", words.cap_thon, *[None] * len(order)]
    _table_row(sheet, row, [*cells, data.village_count], bold=False, fill=None, numbered=False)
    sheet.freeze_panes = "C4"
    sheet.print_area = f"A1:{get_column_letter(total_col)}{row}"
    columns = [get_column_letter(c) for c in range(1, total_col + 1)]
    width = sum(sheet.column_dimensions[c].width for c in columns)
    if width <= PRINT_WIDTH_UNITS * TEXT_PT / MIN_PRINT_PT:
        # A little too wide (a last column alone on a page of its own): shrunk to the page's
        # width, the text stays at 10 pt or more.
        print_setup(sheet, "3:3")
        return
    # Full size, villages across as many pages as they need, the label columns on each.
    print_setup(sheet, "3:3", fit_width=False)
    sheet.print_title_cols = "A:B"
    sheet.page_setup.pageOrder = "overThenDown"


def _commune(sheet: Worksheet, data: DossierData, profile: Profile) -> None:
    """The unit's own figures, one value each."""
    words = profile.don_vi.words
    _title(sheet, f"SỐ LIỆU CỦA {upper(words.don_vi)} NĂM {data.nam}", 3)
    _head_row(sheet, 3, ["Chỉ tiêu", "Đơn vị", "Số liệu"])
    sheet.column_dimensions["C"].width = 16
    row = 4
    for ind in for_level("xa"):
        found = data.commune.get(ind.code)
        shown = None if found is None else _cell_value(found.value)
        _table_row(sheet, row, [ind.label_in(words), ind.unit or "Có/Không", shown],
                   bold=False, fill=None, numbered=False)  # fmt: skip
        row += 1
    sheet.print_area = f"A1:C{row - 1}"
    print_setup(sheet, "3:3")


def _title(sheet: Worksheet, text: str, span: int | None) -> None:
    """The sheet's title in row 1: centred over `span` columns, or, with None, wrapped over
    the two label columns."""
    sheet.column_dimensions["A"].width = _LABEL_WIDTH
    sheet.column_dimensions["B"].width = _UNIT_WIDTH
    title = sheet.cell(1, 1, text)
    title.font = _font(size=13, bold=True)
    lines = 1
    if span is None:
        span = 2
        title.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        lines = wrapped_lines(text, _TITLE_CHARS_PER_LINE)
    else:
        title.alignment = _CENTER
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=span)
    sheet.row_dimensions[1].height = 20 * lines
    sheet.row_dimensions[2].height = 8
    sheet.row_dimensions[3].height = 32


def _head_row(sheet: Worksheet, row: int, heads: Sequence[str]) -> None:
    for col, text in enumerate(heads, start=1):
        cell = sheet.cell(row, col, text)
        cell.font = _font(size=11, bold=True)
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _BOX


def _cell_value(value: bool | int | Decimal) -> str | int | Decimal:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return value


def _chart(sheet: Worksheet, card: Scorecard) -> None:
    _head_row(sheet, 1, ["Tiêu chí", "Điểm đạt", "Điểm tối đa"])
    for row, criterion in enumerate(card.criteria, start=2):
        _table_row(
            sheet,
            row,
            [f"Tiêu chí {criterion.no}", _points(criterion.points), _points(criterion.max)],
            bold=False,
            fill=None,
        )  # fmt: skip
    # The table (A:C), a narrow gap (D) and the chart fit between the decree's side margins
    # at full size: 12 + 11 + 11 + 2 units (about 70 mm) and 16 cm of chart.
    for col, width in zip("ABCD", (12, 11, 11, 2), strict=True):
        sheet.column_dimensions[col].width = width
    last = len(card.criteria) + 1
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    total = number(card.total, 2)
    chart.title = chart_title(f"Điểm đạt so với điểm tối đa theo tiêu chí (tổng {total})", 14)
    chart.y_axis.title = chart_title("Điểm", 11)
    chart.x_axis.title = chart_title("Tiêu chí", 11)
    # Every text of the chart in the papers' font: a chart without its own says nothing,
    # and LibreOffice then draws it in its default sans (DejaVu Sans in the PDF).
    chart.txPr = chart.x_axis.txPr = chart.y_axis.txPr = chart_text(11)
    if chart.legend is not None:
        chart.legend.txPr = chart_text(11)
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.width = 16
    chart.height = 11
    sheet.add_chart(chart, "E2")
    print_setup(sheet, None)


def _rules(sheet: Worksheet, card: Scorecard, data: DossierData, words: Words) -> None:
    """What the scoring used, for whoever checks it: each sub-item's indicator codes, the
    rule that applied and whether that rule is checked against the official table. Hidden:
    the council signs the summary, not this."""
    sheet.sheet_state = "hidden"
    note = "Không in. Mã chỉ tiêu, quy tắc đã áp dụng và nhãn của từng quy tắc."
    if card.provisional_items:
        note += " Lưu ý: " + card.provisional_warning()
    sheet.merge_cells("A1:E1")
    cell = sheet.cell(1, 1, note)
    cell.font = _font(size=11, italic=True, color="C00000" if card.provisional_items else None)
    cell.alignment = _WRAP
    widths = (8, 44, 30, 14, 34)
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    _fit_height(sheet, 1, [(1, note)], span=len(widths))
    _head_row(sheet, 3, ["Mục", "Nội dung", "Áp dụng", "Nhãn quy tắc", "Mã chỉ tiêu"])
    row = 4
    for item in card.items():
        label = "Tạm tính" if item.provisional else "Đã đối chiếu"
        values = [item.id, item.label, item.rule, label, ", ".join(item.indicators)]
        _table_row(sheet, row, values, bold=False, fill=None)
        row += 1
    row += 1
    _head_row(sheet, row, ["Mã chỉ tiêu", "Chỉ tiêu", "Tổng"])
    row += 1
    totals = data.totals()
    for ind in [*for_level("thon"), *for_level("xa")]:
        found = data.commune.get(ind.code)
        value: object = totals.get(ind.code) if found is None else _cell_value(found.value)
        _table_row(sheet, row, [ind.code, ind.label_in(words), value], bold=False, fill=None)
        row += 1
    print_setup(sheet, None)
