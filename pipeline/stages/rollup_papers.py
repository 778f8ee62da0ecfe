"""The roll-up's papers: tong-hop.xlsx, BC-tong-hop.docx and the draft decision.

Built from a `Rollup` (pipeline/stages/rollup.py) with openpyxl and python-docx and the
`nd30` building blocks: the report's table grows with the units and its words are the
receiving level's own, so there is no clerk's template to fill.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from pipeline.common.vnformat import (
    doc_number,
    excel_format,
    long_date,
    number,
    percent,
    unbroken,
    upper,
    upper_first,
)
from pipeline.model.units import period_of
from pipeline.stages.rollup import (
    NOT_ELIGIBLE,
    SUMMARY_SHEET,
    CommuneRow,
    Issuer,
    Rollup,
    analysis,
    clean,
    kinds_phrase,
    previous_total,
    reason,
)


def _verdict(row: CommuneRow) -> str:
    return "Đạt" if row.recognized else "Chưa đạt"


def _zeros(row: CommuneRow) -> str:
    return ", ".join(str(n) for n in row.zero_criteria)


def _agency(rollup: Rollup, issuer: Issuer) -> str:
    return issuer.ten or f"Ủy ban nhân dân {rollup.level}"


def _proposer(rollup: Rollup, issuer: Issuer) -> str:
    """Who proposes, as a decision names him: "Giám đốc Sở Y tế"."""
    if not issuer.ten:
        return _agency(rollup, issuer)
    return f"{upper_first(issuer.chuc_vu or 'Thủ trưởng')} {issuer.ten}"


def _addressee(rollup: Rollup, issuer: Issuer) -> str:
    """Who the report goes to and asks: the People's Committee, or its chairman when the
    committee itself (its office) reports."""
    committee = _committee(rollup)
    return committee if issuer.ten else f"Chủ tịch {committee}"


def _committee(rollup: Rollup) -> str:
    return f"Ủy ban nhân dân {rollup.level}"


# --- the workbook ---------------------------------------------------------------------------

_NOT_ELIGIBLE_SHEET = "Chưa đủ điều kiện"
_ANALYSIS_SHEET = "Phân tích"
_CHART_SHEET = "Biểu đồ"


def workbook_bytes(rollup: Rollup, issuer: Issuer) -> bytes:
    """tong-hop.xlsx: a row per unit with each criterion's points (its maximum in the
    header), the units not eligible or not submitted, the analysis and a chart; every sheet
    prints on A4 landscape within Decree 30's margins at full size (an officer issues it
    as a PDF beside the report, and `hoso check` holds it to them), header rows repeated."""
    from openpyxl import Workbook

    from pipeline.files.atomic import workbook_bytes as deterministic
    from pipeline.papers.score_workbook import base_font
    from pipeline.papers.sheet_print import page_frame

    book = Workbook()
    base_font(book)
    ws = book.active
    assert ws is not None
    ws.title = SUMMARY_SHEET
    title = upper(
        f"Kết quả đánh giá {rollup.kinds} phù hợp với trẻ em năm {rollup.nam} - {rollup.level}"
    )
    # A title too long for one line wraps before the dash and the place's name, never
    # inside the name.
    place = upper(rollup.level)
    _summary_sheet(ws, rollup, title.replace(f" - {place}", " " + unbroken(f"- {place}")))
    _not_eligible_sheet(book.create_sheet(_NOT_ELIGIBLE_SHEET), rollup)
    _analysis_sheet(book.create_sheet(_ANALYSIS_SHEET), rollup)
    if rollup.rows:
        _chart_sheet(book.create_sheet(_CHART_SHEET), rollup)
    header = f"{upper_first(_agency(rollup, issuer))} - tổng hợp năm {rollup.nam}"
    for sheet in book.worksheets:
        page_frame(sheet, header)
    book.properties.title = title
    return deterministic(book, datetime(rollup.nam, 1, 1))


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "box": Border(left=thin, right=thin, top=thin, bottom=thin),
        "head": Font(name="Times New Roman", bold=True, size=11),
        "cell": Font(name="Times New Roman", size=11),
        "title": Font(name="Times New Roman", bold=True, size=14),
        "fill": PatternFill("solid", fgColor="D9E2F3"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "wrap": Alignment(vertical="top", wrap_text=True),
        "right": Alignment(horizontal="right", vertical="top"),
    }


def _table(
    ws: Any,
    first: int,
    heads: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    head_lines: int = 0,
) -> int:
    """A bordered table from row `first` (header) down; returns its last row. The header
    row is `head_lines` lines tall, or as many as its texts have."""
    from openpyxl.utils import get_column_letter

    from pipeline.papers.sheet_print import wrapped_lines

    s = _styles()
    for col, (text, width) in enumerate(zip(heads, widths, strict=True), start=1):
        cell = ws.cell(first, col, text)
        cell.font, cell.alignment, cell.fill, cell.border = (
            s["head"],
            s["center"],
            s["fill"],
            s["box"],
        )
        ws.column_dimensions[get_column_letter(col)].width = width
    lines = head_lines or max(t.count("\n") + 1 for t in heads)
    ws.row_dimensions[first].height = 15 * lines + 16
    for i, values in enumerate(rows, start=first + 1):
        # Rows written by openpyxl do not grow: as tall as the longest wrapped text.
        lines = max(
            [
                wrapped_lines(v, w)
                for v, w in zip(values, widths, strict=False)
                if isinstance(v, str)
            ]
            or [1]
        )
        ws.row_dimensions[i].height = 15 * lines + 2
        for col, value in enumerate(values, start=1):
            cell = ws.cell(i, col, value)
            if isinstance(value, str):
                cell.data_type = "s"
            cell.font, cell.border = s["cell"], s["box"]
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                cell.number_format = excel_format(value)
                cell.alignment = s["right"]
            elif isinstance(value, str) and value.endswith("%"):
                cell.alignment = s["right"]
            else:
                cell.alignment = s["wrap"]
    return first + len(rows)


def _print(ws: Any, title_rows: str | None, *, one_page: bool = False) -> None:
    """The score workbook's print setup (sheet_print): A4 landscape, the decree's margins."""
    from pipeline.papers.sheet_print import print_setup

    print_setup(ws, title_rows, one_page=one_page)


def _title(ws: Any, text: str, span: int, lines: Sequence[str] = ()) -> None:
    from pipeline.papers.sheet_print import wrapped_lines

    s = _styles()
    for row, value in enumerate([text, *lines], start=1):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(span, 1))
        cell = ws.cell(row, 1, value)
        cell.font = s["title"] if row == 1 else s["cell"]
        cell.alignment = s["center"] if row == 1 else s["wrap"]
        # A title or line longer than the printed width wraps (a province's full name):
        # about 85 characters of bold 14 pt, 120 of 11 pt between the decree's margins.
        count = wrapped_lines(value, 85 if row == 1 else 120)
        ws.row_dimensions[row].height = (20 * count + 2) if row == 1 else (15 * count + 2)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _summary_sheet(ws: Any, rollup: Rollup, title: str) -> None:
    from openpyxl.styles import Font

    from pipeline.papers.sheet_print import FONT

    heads = [
        "TT",
        "Đơn vị",
        "Loại",
        "Tổng điểm\n(" + number(_scale(rollup)) + ")",
        "Ngưỡng",
        "Kết quả",
    ]
    heads += [f"TC {c.no}\n({number(c.max)})" for c in rollup.criteria]
    heads += ["Tiêu chí 0 điểm"]
    with_previous = rollup.previous is not None
    if with_previous:
        heads += ["Năm trước", "Tăng, giảm"]
    heads += ["Thư mục hồ sơ"]
    rows: list[list[Any]] = []
    for i, row in enumerate(rollup.rows, start=1):
        values: list[Any] = [
            i,
            upper_first(row.unit),
            row.cap,
            _number(row.total),
            _number(row.threshold),
            _verdict(row),
        ]
        values += [_number(p) for p in row.points] + [_zeros(row)]
        if with_previous:
            before = previous_total(rollup, row)
            values += (
                [None, None] if before is None else [_number(before), _number(row.total - before)]
            )
        rows.append([*values, row.dossier])
    widths = _summary_widths(len(rollup.criteria), with_previous)
    printed = len(heads) - 1  # the folder column is for the screen, see _summary_widths
    lines = [_overview(rollup)]
    _title(ws, title, printed, lines)
    last = _table(ws, 4, heads, rows, widths, head_lines=3)
    # The criteria's heads at 10 pt: "(125)" in bold 11 pt is wider than a criterion's
    # column beside last year's figures, and broke before its parenthesis.
    for col in range(7, 7 + len(rollup.criteria)):
        ws.cell(4, col).font = Font(name=FONT, bold=True, size=10)
    names = [
        f"TC {c.no}: {upper_first(c.title)} (tối đa {number(c.max)} điểm)" for c in rollup.criteria
    ]
    for offset, text in enumerate(names, start=2):
        ws.cell(last + offset, 2, text).font = _styles()["cell"]
    ws.freeze_panes = "C5"
    ws.print_area = f"A1:{_col(printed)}{last + 1 + len(names)}"
    _print(ws, "4:4")


def _summary_widths(criteria: int, with_previous: bool) -> list[float]:
    """The summary's columns, sized so what prints fits between the decree's side margins
    at full size (sheet_print.PRINT_WIDTH_UNITS): TT, type, total, threshold and verdict,
    the criteria at 5 units (4.5 beside last year's figures: "(125)" still fits), criteria at
    zero, last year; the unit's name takes the rest and wraps. The dossier folder, the
    officer's own file name, is last and not printed: 13 criteria leave it no room."""
    from pipeline.papers.sheet_print import PRINT_WIDTH_UNITS

    tail = [8.0, *([7.0, 7.0] if with_previous else [])]
    criterion = 4.5 if with_previous else 5.0
    head = [4.0, 7.0, 8.0, 8.0, 8.0]
    name = PRINT_WIDTH_UNITS - sum(head) - sum(tail) - criterion * criteria
    return [head[0], max(12.0, name), *head[1:], *[criterion] * criteria, *tail, 24.0]


def _scale(rollup: Rollup) -> Decimal:
    return rollup.rows[0].scale if rollup.rows else Decimal(1000)


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _overview(rollup: Rollup) -> str:
    parts = [
        f"Đơn vị đã gửi hồ sơ: {rollup.units_sent} ({rollup.submitted} hồ sơ)",
        f"đủ điều kiện tổng hợp: {rollup.evaluated}",
        # Counted in dossiers: a unit's second dossier is set aside, the unit is not.
        f"hồ sơ {NOT_ELIGIBLE}: {len(rollup.excluded)}",
        f"đạt: {rollup.recognized} ({percent(rollup.rate)})",
    ]
    if rollup.target is not None:
        parts.append(f"chỉ tiêu kế hoạch: {percent(rollup.target, 0)}")
    if rollup.roster is not None:
        parts.append(f"chưa gửi: {len(rollup.not_submitted)}/{len(rollup.roster)}")
    return "; ".join(parts) + "."


def _not_eligible_sheet(ws: Any, rollup: Rollup) -> None:
    _title(ws, upper(f"Hồ sơ {NOT_ELIGIBLE} và đơn vị chưa gửi hồ sơ năm {rollup.nam}"), 4)
    rows = [
        [i, e.dossier, e.unit, upper_first(e.reason) + "."]
        for i, e in enumerate(rollup.excluded, start=1)
    ]
    offset = len(rows)
    rows += [
        [offset + i, "", upper_first(u), "Chưa gửi hồ sơ."]
        for i, u in enumerate(rollup.not_submitted, start=1)
    ]
    if not rows:
        rows = [["", "", "Không có.", ""]]
    # 127 units: the width between the decree's margins at full size.
    _table(ws, 3, ["TT", "Thư mục hồ sơ", "Đơn vị", "Lý do"], rows, [5, 28, 26, 68])
    _print(ws, "3:3")


def _analysis_sheet(ws: Any, rollup: Rollup) -> None:
    lines = analysis(rollup)
    heads = [
        "Tiêu chí, mục",
        "Nội dung",
        "Điểm tối đa",
        "Số đơn vị bị trừ điểm",
        "Điểm bình quân",
        "Tỷ lệ chung toàn " + rollup.level_kind,
    ]
    with_previous = rollup.previous is not None
    if with_previous:
        heads += ["Bình quân năm trước", "Tăng, giảm"]
    rows: list[list[Any]] = []
    for line in lines:
        values: list[Any] = [
            line.id,
            line.name,
            _number(line.max),
            line.lost,
            float(round(line.average, 2)),
            None if line.rate is None else percent(line.rate),
        ]
        if with_previous:
            before = line.previous
            values += (
                [None, None]
                if before is None
                else [float(round(before, 2)), float(round(line.average - before, 2))]
            )
        rows.append(values)
    kinds = rollup.by_kind()
    _title(ws, upper(f"Phân tích kết quả theo tiêu chí năm {rollup.nam}"), len(heads))
    widths = [9, 50, 9, 11, 11, 12, *([11, 10] if with_previous else [])]
    last = _table(ws, 3, heads, rows, widths)
    by_kind = [[kind, n, ok, percent(Fraction(100 * ok, n)) if n else ""] for kind, n, ok in kinds]
    _table(
        ws,
        last + 2,
        ["Loại đơn vị", "Đủ điều kiện tổng hợp", "Đạt", "Tỷ lệ đạt"],
        by_kind,
        widths[:4],
    )
    _print(ws, "3:3")


def _chart_sheet(ws: Any, rollup: Rollup) -> None:
    """Totals per unit: recognised and not in two colours, each threshold a line, the axis
    from 0 to the scale (1.000); the data beside it, out of the printed area."""
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.chart.shapes import GraphicalProperties

    from pipeline.papers.sheet_print import chart_text, chart_title

    thresholds = sorted({r.threshold for r in rollup.rows})
    data_col = 20  # the chart's figures sit right of the printed page
    heads = ["Đơn vị", "Đạt", "Chưa đạt", *[f"Ngưỡng {number(t)}" for t in thresholds]]
    for col, text in enumerate(heads, start=data_col):
        ws.cell(1, col, text)
    for i, row in enumerate(rollup.rows, start=2):
        ws.cell(i, data_col, upper_first(row.unit))
        ws.cell(i, data_col + (1 if row.recognized else 2), _number(row.total))
        for j, t in enumerate(thresholds):
            ws.cell(i, data_col + 3 + j, _number(t))
    last = len(rollup.rows) + 1
    bars = BarChart()
    bars.type = "col"
    bars.grouping = "clustered"
    bars.overlap = 100
    bars.title = chart_title(f"Tổng điểm các đơn vị năm {rollup.nam}", 14)
    bars.y_axis.title = chart_title("Điểm", 11)
    # Every text in the papers' font (LibreOffice would draw it in its default sans).
    bars.txPr = bars.x_axis.txPr = bars.y_axis.txPr = chart_text(11)
    bars.y_axis.scaling.min = 0
    bars.y_axis.scaling.max = float(_scale(rollup))
    bars.y_axis.majorUnit = 100
    bars.y_axis.delete = False
    bars.x_axis.delete = False
    bars.add_data(
        Reference(ws, min_col=data_col + 1, max_col=data_col + 2, min_row=1, max_row=last),
        titles_from_data=True,
    )
    bars.set_categories(Reference(ws, min_col=data_col, min_row=2, max_row=last))
    for series, colour in zip(bars.series, ("2E75B6", "C00000"), strict=True):
        series.graphicalProperties = GraphicalProperties(solidFill=colour)
    lines = LineChart()
    lines.add_data(
        Reference(
            ws,
            min_col=data_col + 3,
            max_col=data_col + 2 + len(thresholds),
            min_row=1,
            max_row=last,
        ),
        titles_from_data=True,
    )
    for series in lines.series:
        series.smooth = False
        series.graphicalProperties.line.solidFill = "404040"
        series.graphicalProperties.line.dashStyle = "dash"
        series.marker.symbol = "none"
    bars += lines
    # 23 × 14 cm within the page between the decree's margins (25.2 × 17 cm), on 14 columns
    # of 9 units (about 245 mm) and 28 rows of 15 pt (148 mm): printed at full size.
    bars.width, bars.height = 23, 14
    bars.legend.position = "b"
    bars.legend.txPr = chart_text(11)
    ws.add_chart(bars, "A1")
    for col in range(1, 15):
        ws.column_dimensions[_col(col)].width = 9
    ws.print_area = "A1:N28"
    _print(ws, None, one_page=True)


# --- the report ------------------------------------------------------------------------------

# The report's table: TT, unit, total, threshold, verdict, criteria at zero (165 mm).
_COLUMNS = (
    ("TT", 600, "BangChu"),
    ("Đơn vị", 3155, "BangChu"),
    ("Tổng điểm", 1300, "BangSo"),
    ("Ngưỡng", 1200, "BangSo"),
    ("Kết quả", 1500, "BangChu"),
    ("Tiêu chí 0 điểm", 1600, "BangChu"),
)


def _place(rollup: Rollup, issuer: Issuer) -> str:
    return issuer.dia_danh or rollup.level.removeprefix(f"{rollup.level_kind} ")


def _level_lines(level_kind: str, name: str) -> str:
    """ "ỦY BAN NHÂN DÂN" over the level ("TỈNH AN GIANG"), the level on a line of its own."""
    return f"ỦY BAN NHÂN DÂN\n{upper(level_kind)} {unbroken(upper(name))}"


def _agency_lines(rollup: Rollup, agency: str) -> list[str]:
    """The agency in caps; the People's Committee split after "ỦY BAN NHÂN DÂN", its level
    on one line that never breaks inside the province's name."""
    text = upper(agency)
    head = "ỦY BAN NHÂN DÂN"
    if text.startswith(head + " "):
        name = rollup.level.removeprefix(f"{rollup.level_kind} ")
        return [head, f"{upper(rollup.level_kind)} {unbroken(upper(name))}"]
    return [text]


def _parent(rollup: Rollup, issuer: Issuer) -> str | None:
    """The governing body above a department: the settings' chu_quan, else the level's
    People's Committee; none above the committee itself."""
    if not issuer.ten:
        return None
    if issuer.chu_quan:
        parent = upper(issuer.chu_quan)
        name = upper(rollup.level.removeprefix(f"{rollup.level_kind} "))
        return parent.replace(name, unbroken(name))
    name = rollup.level.removeprefix(f"{rollup.level_kind} ")
    return _level_lines(rollup.level_kind, name)


def report_bytes(rollup: Rollup, issuer: Issuer) -> bytes:
    """BC-tong-hop.docx, in the Decree 30 layout (Mẫu 1.4, a report): it reports the results
    and proposes recognition to the People's Committee, which decides."""
    from docx.shared import Pt

    from pipeline.files.atomic import docx_bytes, set_core_properties
    from pipeline.papers import nd30

    agency = _agency(rollup, issuer)
    doc = nd30.new_document()
    nd30.header_block(
        doc,
        _agency_lines(rollup, agency),
        f"Số: {doc_number(issuer.so)}/BC-{issuer.symbol}",
        f"{_place(rollup, issuer)}, {long_date(issuer.ngay, rollup.nam)}",
        parent_agency=_parent(rollup, issuer),
    )
    subject = (
        f"Kết quả đánh giá {rollup.kinds} phù hợp với trẻ em năm {rollup.nam} trên địa bàn "
        f"{rollup.level} và đề nghị công nhận"
    )
    nd30.title_block(doc, "BÁO CÁO", [subject])
    to = issuer.kinh_gui or (_addressee(rollup, issuer),)
    if len(to) == 1:
        nd30.paragraph(doc, "KinhGui", f"Kính gửi: {to[0]}.")
    else:
        nd30.paragraph(doc, "KinhGui", "Kính gửi:")
        for i, name in enumerate(to):
            nd30.paragraph(doc, "KinhGui", f"- {name}{'.' if i == len(to) - 1 else ';'}")
    for style, text in _body(rollup, agency):
        nd30.paragraph(doc, style, text)
    nd30.data_table(
        doc,
        [nd30.Column(*c) for c in _COLUMNS],
        [
            nd30.Row(
                (
                    str(i),
                    upper_first(r.unit),
                    number(r.total, 2),
                    number(r.threshold),
                    _verdict(r),
                    _zeros(r),
                )
            )
            for i, r in enumerate(rollup.rows, start=1)
        ],
    )
    closing = _closing(rollup, issuer, agency)
    for i, (style, text) in enumerate(closing):
        para = nd30.paragraph(doc, style, text)
        if i == 0:
            para.paragraph_format.space_before = Pt(12)
    _signature(
        doc,
        issuer,
        ["Như trên", *issuer.noi_nhan] if not issuer.noi_nhan else list(issuer.noi_nhan),
    )
    set_core_properties(
        doc,
        title=f"Báo cáo - BC-{issuer.symbol}",
        subject=subject,
        author=agency,
        when=datetime.combine(issuer.ngay or date(rollup.nam, 1, 1), datetime.min.time()),
    )
    return docx_bytes(doc)


def _body(rollup: Rollup, agency: str) -> list[tuple[str, str]]:
    counts = [(kind, n) for kind, n, _ in rollup.by_kind()]
    recognized = [(kind, ok) for kind, _, ok in rollup.by_kind()]
    if rollup.target is None:
        against = ""
    else:
        met = rollup.rate >= Fraction(rollup.target)
        against = (
            f", {'đạt' if met else 'chưa đạt'} chỉ tiêu kế hoạch ({percent(rollup.target, 0)})"
        )
    lines = [
        (
            "NoiDung",
            "Thực hiện Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ ban hành "
            "Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp với "
            f"trẻ em, {agency} báo cáo kết quả đánh giá năm {rollup.nam} trên địa bàn "
            f"{rollup.level} và đề nghị công nhận như sau:",
        ),
        ("DeMuc", "I. KẾT QUẢ CHUNG"),
    ]
    submitted = f"Số đơn vị đã gửi hồ sơ: {rollup.units_sent}"
    if rollup.units_sent != rollup.submitted:
        submitted += f" ({rollup.submitted} hồ sơ, có đơn vị gửi hơn một lần)"
    if rollup.roster is not None:
        covered = len(rollup.roster) - len(rollup.not_submitted)
        share = percent(Fraction(100 * covered, len(rollup.roster))) if rollup.roster else "0%"
        submitted += (
            f" trên tổng số {len(rollup.roster)} đơn vị ({share}); chưa gửi: "
            f"{len(rollup.not_submitted)}"
        )
    lines.append(("NoiDung", f"- {submitted}."))
    lines.append(
        (
            "NoiDung",
            f"- Số đơn vị đủ điều kiện tổng hợp: {rollup.evaluated} "
            f"({kinds_phrase(counts)}); hồ sơ {NOT_ELIGIBLE}: {len(rollup.excluded)} "
            "(nêu tại mục IV).",
        )
    )
    lines.append(
        (
            "NoiDung",
            f"- Số đơn vị đạt tiêu chuẩn phù hợp với trẻ em: {rollup.recognized} "
            f"({kinds_phrase(recognized)}), chiếm {percent(rollup.rate)} số đơn vị đủ điều kiện "
            f"tổng hợp{against}; số đơn vị chưa đạt: {rollup.evaluated - rollup.recognized}.",
        )
    )
    lines.append(("DeMuc", "II. BẢNG TỔNG HỢP KẾT QUẢ"))
    return lines


def _closing(rollup: Rollup, issuer: Issuer, agency: str) -> list[tuple[str, str]]:
    closing: list[tuple[str, str]] = [("DeMuc", "III. PHÂN TÍCH THEO TIÊU CHÍ")]
    lines = analysis(rollup)
    criteria = [line for line in lines if "." not in line.id]
    for line in criteria:
        text = (
            f"- {upper_first(line.name)}: {line.lost}/{rollup.evaluated} đơn vị bị trừ điểm, "
            f"điểm bình quân {number(line.average, 2)}/{number(line.max)}"
        )
        if line.previous is not None:
            change = line.average - line.previous
            text += f" (năm trước {number(line.previous, 2)}, {_signed(change)})"
        items = [x for x in lines if x.id.startswith(line.id + ".") and (x.lost or x.rate)]
        parts = []
        for item in items:
            part = f"mục {item.id}: {item.lost} đơn vị bị trừ điểm"
            if item.rate is not None:
                part += f", tỷ lệ chung {percent(item.rate)}"
            parts.append(part)
        closing.append(("NoiDung", text + (f" ({'; '.join(parts)})." if parts else ".")))
    closing += _not_recognized(rollup)
    if rollup.previous is not None:
        closing.append(("DeMuc", "V. SO VỚI NĂM TRƯỚC"))
        for r in rollup.rows:
            before = previous_total(rollup, r)
            if before is not None:
                closing.append(
                    (
                        "NoiDung",
                        f"- {upper_first(r.unit)}: {number(r.total, 2)} "
                        f"điểm (năm trước {number(before, 2)}, "
                        f"{_signed(r.total - before)}).",
                    )
                )
    recognized = [r for r in rollup.rows if r.recognized]
    closing.append(("DeMuc", f"{'VI' if rollup.previous is not None else 'V'}. ĐỀ NGHỊ"))
    if recognized:
        kinds = kinds_phrase([(k, ok) for k, _, ok in rollup.by_kind()])
        closing.append(
            (
                "NoiDung",
                f"{agency} đề nghị {_addressee(rollup, issuer)} xem xét, công nhận "
                f"{len(recognized)} đơn vị ({kinds}) đạt tiêu chuẩn phù hợp với trẻ em năm "
                f"{rollup.nam} (có danh sách và dự thảo Quyết định kèm theo).",
            )
        )
    else:
        closing.append(
            ("NoiDung", f"Năm {rollup.nam} không có đơn vị nào đủ tiêu chuẩn để đề nghị công nhận.")
        )
    closing.append(
        (
            "NoiDung",
            f"Trên đây là báo cáo kết quả đánh giá {rollup.kinds} phù hợp với trẻ em "
            f"năm {rollup.nam} trên địa bàn {rollup.level} của {agency}./.",
        )
    )
    return closing


def _not_recognized(rollup: Rollup) -> list[tuple[str, str]]:
    """Each unit not recognised with its reason, then the dossiers not eligible and the
    units not submitted."""
    closing: list[tuple[str, str]] = []
    closing.append(("DeMuc", "IV. CÁC ĐƠN VỊ CHƯA ĐẠT VÀ CHƯA ĐỦ ĐIỀU KIỆN TỔNG HỢP"))
    failing = [r for r in rollup.rows if not r.recognized]
    for r in failing:
        closing.append(("NoiDung", f"- {upper_first(r.unit)}: {reason(rollup, r)}."))
    if not failing:
        closing.append(("NoiDung", "- Không có đơn vị nào chưa đạt."))
    for e in rollup.excluded:
        closing.append(
            ("NoiDung", f"- {e.unit} (hồ sơ {e.dossier}): {NOT_ELIGIBLE}, {clean(e.reason)}.")
        )
    if rollup.not_submitted:
        closing.append(
            (
                "NoiDung",
                "- Chưa gửi hồ sơ: "
                + ", ".join(upper_first(u) for u in rollup.not_submitted)
                + ".",
            )
        )
    return closing


def _signed(value: Decimal) -> str:
    if value > 0:
        return f"tăng {number(value, 2)}"
    if value < 0:
        return f"giảm {number(-value, 2)}"
    return "không đổi"


def _signature(doc: Any, issuer: Issuer, recipients: list[str]) -> None:
    """Nơi nhận on the left; authority, room to sign and the name on the right."""
    from docx.oxml import OxmlElement

    from pipeline.papers import nd30

    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table = nd30.layout_table(
        doc, (nd30.SIGNATURE_LEFT_TWIPS, nd30.SIGNATURE_RIGHT_TWIPS), top_pad_pt=6
    )
    left, right = table.rows[0].cells
    nd30.paragraph(left, "NoiNhan", "Nơi nhận:")
    for text in [*(f"- {n};" for n in recipients), f"- Lưu: {issuer.luu}."]:
        nd30.paragraph(left, "NoiNhanDS", text)
    for line in _authority(issuer, issuer.ten == ""):
        nd30.paragraph(right, "QuyenHanKy", line)
    nd30.paragraph(right, "HoTenKy", issuer.nguoi_ky)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _authority(issuer: Issuer, council: bool) -> list[str]:
    """Decree 30, Appendix I, II.7.b: "KT. GIÁM ĐỐC" over the deputy's title; a people's
    committee signs "TM. ỦY BAN NHÂN DÂN" over its chairman's."""
    title = upper(issuer.chuc_vu or "Chủ tịch")
    lines = ["TM. ỦY BAN NHÂN DÂN"] if council and not issuer.chuc_vu else []
    if issuer.ky_thay:
        return [*lines, f"KT. {title}", upper(issuer.ky_thay)]
    return [*lines, title]


# --- the draft decision ---------------------------------------------------------------------


def decision_bytes(rollup: Rollup, issuer: Issuer) -> bytes:
    """QD-cong-nhan-du-thao.docx: the draft Decision of the Chairman of the People's
    Committee recognising the passing units (Mẫu 1.1), their list as its annex. Number,
    date and signer are left for the committee's office to fill."""
    from pipeline.files.atomic import docx_bytes, set_core_properties
    from pipeline.papers import nd30

    committee = _committee(rollup)
    name = rollup.level.removeprefix(f"{rollup.level_kind} ")
    doc = nd30.new_document()
    nd30.header_block(
        doc,
        ["ỦY BAN NHÂN DÂN", f"{upper(rollup.level_kind)} {unbroken(upper(name))}"],
        "Số: " + doc_number(None) + "/QĐ-UBND",
        f"{_place(rollup, issuer)}, {long_date(None, rollup.nam)}",
    )
    recognized = [r for r in rollup.rows if r.recognized]
    kinds = kinds_phrase([(k, ok) for k, _, ok in rollup.by_kind()])
    subject = f"Về việc công nhận {rollup.kinds} phù hợp với trẻ em năm {rollup.nam}"
    nd30.title_block(doc, "QUYẾT ĐỊNH", [subject])
    nd30.paragraph(doc, "ThamQuyen", f"CHỦ TỊCH {upper(committee)}")
    period = period_of(rollup.nam)
    grounds = [g for g in (period.grounds if period else ()) if g.startswith("Căn cứ")]
    report = (
        f"Báo cáo số {doc_number(issuer.so)}/BC-{issuer.symbol} "
        f"{long_date(issuer.ngay, rollup.nam)}"
    )
    grounds.append(f"Theo đề nghị của {_proposer(rollup, issuer)} tại {report}")
    for i, text in enumerate(grounds):
        nd30.paragraph(doc, "CanCu", text + ("." if i == len(grounds) - 1 else ";"))
    nd30.paragraph(doc, "QuyetDinh", "QUYẾT ĐỊNH:")
    articles = [
        (
            "Điều 1.",
            f" Công nhận {len(recognized)} đơn vị ({kinds}) đạt tiêu chuẩn phù hợp với "
            f"trẻ em năm {rollup.nam} (có danh sách kèm theo).",
        ),
        ("Điều 2.", " Quyết định này có hiệu lực kể từ ngày ký."),
        (
            "Điều 3.",
            f" Chánh Văn phòng {committee}, {_proposer(rollup, issuer)}, Chủ tịch Ủy ban "
            f"nhân dân các {rollup.kinds} có tên tại Điều 1 và các cơ quan, đơn vị có liên quan "
            "chịu trách nhiệm thi hành Quyết định này./.",
        ),
    ]
    for head, text in articles:
        para = nd30.paragraph(doc, "NoiDung")
        nd30.add_run(para, head, bold=True)
        nd30.add_run(para, text)
    # The committee's office writes the signer's name when it is not known yet.
    signer = Issuer(
        chuc_vu="Chủ tịch",
        ky_thay=issuer.qd_ky_thay,
        nguoi_ky=issuer.qd_nguoi_ky or "Họ và tên",
        luu="VT",
    )
    _signature(doc, signer, ["Như Điều 3"])
    _annex(doc, rollup, recognized)
    set_core_properties(
        doc,
        title="Dự thảo Quyết định công nhận",
        subject=subject,
        author=committee,
        when=datetime(rollup.nam, 1, 1),
    )
    return docx_bytes(doc)


_ANNEX_COLUMNS = (
    ("TT", 700, "BangChu"),
    ("Đơn vị", 4655, "BangChu"),
    ("Tổng điểm", 2000, "BangSo"),
    ("Ngưỡng", 2000, "BangSo"),
)


def _annex(doc: Any, rollup: Rollup, recognized: list[CommuneRow]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from pipeline.papers import nd30

    head = nd30.paragraph(doc, "TenLoai", "DANH SÁCH")
    head.paragraph_format.page_break_before = True
    nd30.paragraph(
        doc,
        "TrichYeu",
        f"{upper_first(rollup.kinds)} được công nhận phù hợp với trẻ em năm {rollup.nam}",
    )
    note = nd30.paragraph(
        doc,
        "CanCu",
        f"(Kèm theo Quyết định số {doc_number(None)}/QĐ-UBND {long_date(None, rollup.nam)} "
        f"của Chủ tịch {_committee(rollup)})",
    )
    note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.paragraph_format.first_line_indent = Mm(0)
    nd30.data_table(
        doc,
        [nd30.Column(*c) for c in _ANNEX_COLUMNS],
        [
            nd30.Row((str(i), upper_first(r.unit), number(r.total, 2), number(r.threshold)))
            for i, r in enumerate(recognized, start=1)
        ],
    )
