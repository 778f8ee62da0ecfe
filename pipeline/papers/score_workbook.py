"""The score workbook (`bieu-cham-diem.xlsx`): summary to print and sign, village data, chart.

Built with openpyxl and saved without its wall-clock timestamp, then zip-normalized, so the
same scorecard and data give the same bytes.
"""

from __future__ import annotations

import io
import math
import weakref
import zipfile
from collections.abc import Sequence
from copy import copy
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pipeline.common.vnformat import number, percent, upper, upper_first
from pipeline.files.atomic import normalize_zip
from pipeline.model.dataset import DossierData
from pipeline.model.indicators import catalogue, for_level
from pipeline.model.profile import Profile
from pipeline.model.scorecard import UNIT_NAMES, ItemScore, Scorecard
from pipeline.model.units import Words

SUMMARY = "Tổng hợp"
CHART = "Biểu đồ"


def villages_sheet(words: Words) -> str:
    """The name of the village data sheet: "Số liệu thôn", "Số liệu tổ dân phố"."""
    return f"Số liệu {words.cap_thon}"[:31]


_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")
_CRITERION_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="top")

_SUMMARY_COLUMNS = [
    ("TT", 6),
    ("Tiêu chí, mục", 44),
    ("Số liệu", 16),
    ("Tỷ lệ", 9),
    ("Cách tính và thang điểm", 30),
    ("Điểm tính", 9),
    ("Điểm Hội đồng chấm", 10),
    ("Điểm tối đa", 8),
    ("Lý do điều chỉnh, ghi chú", 30),
    ("Nhãn quy tắc", 11),
]
_HEADER_ROW = 5


def workbook_bytes(card: Scorecard, data: DossierData, profile: Profile) -> bytes:
    """The whole workbook as deterministic .xlsx bytes."""
    book = Workbook()
    summary = book.active
    assert isinstance(summary, Worksheet)
    summary.title = SUMMARY
    _summary(summary, card, profile)
    _villages(book.create_sheet(villages_sheet(profile.don_vi.words)), data, profile)
    _chart(book.create_sheet(CHART), card)

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
    return normalize_zip(buffer.getvalue())


def _font(**kwargs: object) -> Font:
    return Font(name=_FONT, size=kwargs.pop("size", 12), **kwargs)


def _print_setup(sheet: Worksheet, title_rows: str | None) -> None:
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = "Trang &P/&N"


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


def _summary(sheet: Worksheet, card: Scorecard, profile: Profile) -> None:
    words = profile.don_vi.words
    width = len(_SUMMARY_COLUMNS)
    for col, (_, col_width) in enumerate(_SUMMARY_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = col_width
    last = get_column_letter(width)
    # No district from July 2025: words.huyen is then empty.
    place = ", ".join(
        p
        for p in (
            upper_first(words.don_vi),
            words.huyen_day_du,
            words.tinh_day_du,
        )
        if p
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
    if card.provisional_items:
        sheet.merge_cells(f"A4:{last}4")
        note = sheet.cell(4, 1, f"Lưu ý: {card.provisional_warning()}")
        note.font = _font(size=11, italic=True, color="C00000")
        note.alignment = _WRAP
        _fit_height(sheet, 4, [(1, note.value)], span=width)

    for col, (title, _) in enumerate(_SUMMARY_COLUMNS, start=1):
        cell = sheet.cell(_HEADER_ROW, col, title)
        cell.font = _font(size=11, bold=True)
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _BOX
    sheet.row_dimensions[_HEADER_ROW].height = 32

    row = _HEADER_ROW + 1
    for criterion in card.criteria:
        values: list[object] = [
            criterion.no,
            upper_first(criterion.title),
            None,
            None,
            None,
            criterion.computed,
            criterion.points,
            criterion.max,
            "0 điểm: không được công nhận" if criterion.no in card.zero_criteria else None,
            None,
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
                f"{item.scale}\nÁp dụng: {item.rule}",
                item.computed,
                item.points,
                item.max,
                reason,
                "Tạm tính" if item.provisional else "Đã đối chiếu",
            ]
            _table_row(sheet, row, values, bold=False, fill=None)
            row += 1
    _table_row(
        sheet,
        row,
        [
            None,
            "TỔNG CỘNG",
            None,
            None,
            None,
            card.computed_total,
            card.total,
            card.scale,
            None,
            None,
        ],
        bold=True,
        fill=_HEAD_FILL,
    )
    row += 2
    verdict = [
        f"Ngưỡng công nhận ({UNIT_NAMES.get(card.unit_type, card.unit_type)}): "
        f"{number(card.threshold)} điểm.",
        f"Kết quả: {card.result}.",
        *card.reasons,
    ]
    for text in verdict:
        sheet.merge_cells(f"A{row}:{last}{row}")
        cell = sheet.cell(row, 1, text)
        cell.font = _font(bold=text.startswith("Kết quả"))
        row += 1

    _signatures(sheet, row + 1, profile)
    sheet.freeze_panes = f"A{_HEADER_ROW + 1}"
    sheet.print_area = f"A1:{last}{row + 6}"
    _print_setup(sheet, f"{_HEADER_ROW}:{_HEADER_ROW}")


def _signatures(sheet: Worksheet, row: int, profile: Profile) -> None:
    """The two signature blocks under the table: the drafter and the council chair."""
    signers = [
        (2, "NGƯỜI LẬP BIỂU", profile.lanh_dao.cong_chuc_vhxh),
        (7, "TM. HỘI ĐỒNG ĐÁNH GIÁ\nCHỦ TỊCH", profile.lanh_dao.chu_tich),
    ]
    for col, title, name in signers:
        end = get_column_letter(col + 3 if col > 2 else col + 1)
        start = get_column_letter(col)
        sheet.merge_cells(f"{start}{row}:{end}{row}")
        head = sheet.cell(row, col, title)
        head.font = _font(bold=True)
        head.alignment = _CENTER
        sheet.merge_cells(f"{start}{row + 1}:{end}{row + 1}")
        hint = sheet.cell(row + 1, col, "(Ký, ghi rõ họ tên)")
        hint.font = _font(italic=True)
        hint.alignment = _CENTER
        sheet.merge_cells(f"{start}{row + 5}:{end}{row + 5}")
        signed = sheet.cell(row + 5, col, name)
        signed.font = _font(bold=True)
        signed.alignment = _CENTER
    sheet.row_dimensions[row].height = 32


# Whole numbers grouped the Vietnamese way ("1.000", "120.000.000") whatever the reader's
# locale: the dots are literal text between digit groups, so an English Excel does not print
# "1,000", which a Vietnamese reader takes for one.
VN_WHOLE = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'


def _table_row(
    sheet: Worksheet, row: int, values: Sequence[object], *, bold: bool, fill: PatternFill | None
) -> None:
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row, col, value)
        if isinstance(value, str):
            # A scale such as "= 0 → 50" is text, not a formula.
            cell.data_type = "s"
        numeric = isinstance(value, int | Decimal)
        alignment = _CENTER if col == 1 else (_RIGHT if numeric else _WRAP)
        _table_style(cell, bold, fill, alignment)
        if isinstance(value, int | Decimal) and value == int(value):
            cell.number_format = VN_WHOLE
    _fit_height(sheet, row, [(c, v) for c, v in enumerate(values, start=1)])


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


def _fit_height(
    sheet: Worksheet, row: int, cells: Sequence[tuple[int, object]], span: int = 1
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
        per_line = max(1, int(width))
        lines = max(
            lines, sum(max(1, math.ceil(len(part) / per_line)) for part in value.split("\n"))
        )
    sheet.row_dimensions[row].height = 15 * lines + 2


def _villages(sheet: Worksheet, data: DossierData, profile: Profile) -> None:
    words = profile.don_vi.words
    order = [v for v in profile.don_vi.thon if v in data.villages]
    order += [v for v in data.villages if v not in order]
    heads = ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị", *order, "Tổng"]
    # Previous-period figures filled in from last year's dossier say so (hoso init --tu).
    previous = (
        {i.previous for i in for_level("thon") if i.previous} if data.previous_origins else set()
    )
    if previous:
        heads.append("Nguồn số liệu kỳ trước")
    total_col = len(heads)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=total_col)
    title = sheet.cell(
        1,
        1,
        f"SỐ LIỆU CÁC {upper(words.cap_thon)} VÀ CỦA {upper(words.cap)} {upper(data.xa)} "
        f"NĂM {data.nam}",
    )
    title.font = _font(size=13, bold=True)
    title.alignment = _CENTER
    for col, text in enumerate(heads, start=1):
        cell = sheet.cell(3, col, text)
        cell.font = _font(size=11, bold=True)
        cell.alignment = _CENTER
        cell.fill = _HEAD_FILL
        cell.border = _BOX
        width = {1: 24, 2: 44, 3: 10}.get(col, 40 if previous and col == total_col else 12)
        sheet.column_dimensions[get_column_letter(col)].width = width
    totals = data.totals()
    row = 4
    for ind in for_level("thon"):
        cells: list[object] = [ind.code, ind.label_in(words), ind.unit or "Có/Không"]
        for village in order:
            value = data.villages[village].get(ind.code)
            cells.append(None if value is None else _cell_value(value.value))
        total = totals.get(ind.code, 0)
        cells.append(f"{total} {words.cap_thon} Có" if ind.kind == "yes_no" else total)
        if previous:
            origin = data.previous_origin_text(ind.code, order) if ind.code in previous else ""
            cells.append(origin or None)
        _table_row(sheet, row, cells, bold=False, fill=None)
        row += 1
    cells = [
        "so_thon",
        f"Số {words.cap_thon} gửi số liệu",
        words.cap_thon,
        *[None] * len(order),
        data.village_count,
    ]
    _table_row(sheet, row, cells, bold=False, fill=None)
    row += 2
    sheet.cell(row, 1, "Chỉ tiêu cấp xã").font = _font(size=11, bold=True)
    row += 1
    for ind in for_level("xa"):
        found = data.commune.get(ind.code)
        shown = None if found is None else _cell_value(found.value)
        cells = [
            ind.code, ind.label_in(words), ind.unit or "Có/Không", *[None] * len(order), shown
        ]  # fmt: skip
        _table_row(sheet, row, cells, bold=False, fill=None)
        row += 1
    sheet.freeze_panes = "D4"
    _print_setup(sheet, "3:3")


def _cell_value(value: bool | int | Decimal) -> str | int | Decimal:
    if isinstance(value, bool):
        return "Có" if value else "Không"
    return value


def _chart(sheet: Worksheet, card: Scorecard) -> None:
    heads = ["Tiêu chí", "Điểm đạt", "Điểm tối đa"]
    for col, text in enumerate(heads, start=1):
        cell = sheet.cell(1, col, text)
        cell.font = _font(size=11, bold=True)
        cell.border = _BOX
    for row, criterion in enumerate(card.criteria, start=2):
        _table_row(
            sheet,
            row,
            [f"Tiêu chí {criterion.no}", criterion.points, criterion.max],
            bold=False,
            fill=None,
        )
    sheet.column_dimensions["A"].width = 12
    last = len(card.criteria) + 1
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = f"Điểm đạt so với điểm tối đa theo tiêu chí (tổng {number(card.total, 2)})"
    chart.y_axis.title = "Điểm"
    chart.x_axis.title = "Tiêu chí"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.width = 24
    chart.height = 12
    sheet.add_chart(chart, "E2")
    _print_setup(sheet, None)
