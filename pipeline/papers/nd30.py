"""Decree 30/2020/NĐ-CP layout: the format choices of this project and the python-docx
helpers that build documents in it.

Where the decree allows a range, the value chosen here is used everywhere (see
`shared/spec/nd30-format.md`): Times New Roman, body 14 pt, margins 20/20/30/15 mm,
Quốc hiệu 13 pt, Tiêu ngữ 14 pt. Templates are built with these helpers; the checker
reads the same constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

FONT = "Times New Roman"
PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15
HEADER_DISTANCE_MM = 10
TEXT_WIDTH_TWIPS = 9355  # 165 mm: 210 - 30 - 15

# Header block: the right column must hold the bold 13 pt Quốc hiệu (95.7 mm).
HEADER_LEFT_TWIPS = 3600
HEADER_RIGHT_TWIPS = TEXT_WIDTH_TWIPS - HEADER_LEFT_TWIPS
SIGNATURE_LEFT_TWIPS = 4253
SIGNATURE_RIGHT_TWIPS = TEXT_WIDTH_TWIPS - SIGNATURE_LEFT_TWIPS

# Lengths of the solid lines (Appendix I, II.1-5): under the agency name 1/3-1/2 of
# its text, under the Tiêu ngữ as long as the Tiêu ngữ (60.5 mm at 14 pt bold),
# under the summary 1/3-1/2 of a line.
AGENCY_RULE_MM = 20.0
MOTTO_RULE_MM = 60.5
SUMMARY_RULE_MM = 60.0

# Room for the handwritten (or image) signature and the seal between the title and the name.
SIGNATURE_GAP_PT = 100  # 35 mm: a signature image and the seal fit as they are

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"


@dataclass(frozen=True)
class StyleSpec:
    """A paragraph style of the template: id (ASCII), Vietnamese name, and its format."""

    style_id: str
    name: str
    size: float
    bold: bool = False
    italic: bool = False
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER
    first_line_mm: float = 0
    before_pt: float = 0
    after_pt: float = 0
    keep_with_next: bool = False


# Sizes follow the table of components in nd30-format.md §2, one value per range.
STYLES = {
    spec.style_id: spec
    for spec in (
        StyleSpec("QuocHieu", "ND30 Quốc hiệu", 13, bold=True),
        StyleSpec("TieuNgu", "ND30 Tiêu ngữ", 14, bold=True),
        StyleSpec("CoQuanChuQuan", "ND30 Cơ quan chủ quản", 13),
        StyleSpec("CoQuan", "ND30 Cơ quan ban hành", 13, bold=True),
        StyleSpec("SoKyHieu", "ND30 Số, ký hiệu", 13, before_pt=8),
        StyleSpec("DiaDanhNgay", "ND30 Địa danh, ngày tháng", 14, italic=True, before_pt=6),
        StyleSpec("TenLoai", "ND30 Tên loại văn bản", 14, bold=True, before_pt=24),
        StyleSpec("TrichYeu", "ND30 Trích yếu", 14, bold=True),
        StyleSpec(
            "NoiDung",
            "ND30 Nội dung",
            14,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            first_line_mm=10,
            after_pt=6,
        ),
        StyleSpec(
            "DeMuc",
            "ND30 Đề mục",
            14,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            first_line_mm=10,
            after_pt=6,
            keep_with_next=True,
        ),
        StyleSpec(
            "NoiNhan",
            "ND30 Nơi nhận",
            12,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
            keep_with_next=True,
        ),
        StyleSpec("NoiNhanDS", "ND30 Danh sách nơi nhận", 11, align=WD_ALIGN_PARAGRAPH.LEFT),
        StyleSpec("QuyenHanKy", "ND30 Quyền hạn, chức vụ người ký", 14, bold=True),
        StyleSpec("HoTenKy", "ND30 Họ tên người ký", 14, bold=True, before_pt=SIGNATURE_GAP_PT),
        StyleSpec(
            "CanCu",
            "ND30 Căn cứ",
            14,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            first_line_mm=10,
            after_pt=6,
        ),
        StyleSpec("ThamQuyen", "ND30 Thẩm quyền ban hành", 14, bold=True, after_pt=6),
        StyleSpec("QuyetDinh", "ND30 Quyết định", 14, bold=True, before_pt=6, after_pt=6),
        StyleSpec("KinhGui", "ND30 Kính gửi", 14, before_pt=6, after_pt=6),
        StyleSpec("BangTieuDe", "ND30 Bảng - tiêu đề", 13, bold=True, before_pt=2, after_pt=2),
        StyleSpec(
            "BangChu", "ND30 Bảng - chữ", 13, align=WD_ALIGN_PARAGRAPH.LEFT, before_pt=2, after_pt=2
        ),
        StyleSpec(
            "BangSo", "ND30 Bảng - số", 13, align=WD_ALIGN_PARAGRAPH.RIGHT, before_pt=2, after_pt=2
        ),
        StyleSpec("DuongKe", "ND30 Đường kẻ", 1),
        StyleSpec("SoTrang", "ND30 Số trang", 13),
    )
}


def new_document() -> DocxDocument:
    """An empty A4 portrait document with the Decree 30 page setup and styles."""
    doc = Document()
    _drop_thumbnail(doc)
    _set_defaults(doc)
    for spec in STYLES.values():
        _add_style(doc, spec)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(HEADER_DISTANCE_MM)
    section.footer_distance = Mm(HEADER_DISTANCE_MM)
    _page_numbers_from_page_two(doc)
    # The default document holds one empty paragraph; templates start from nothing.
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    return doc


def _drop_thumbnail(doc: DocxDocument) -> None:
    # python-docx's stock package carries its own thumbnail, which Explorer would show.
    rels = doc.part.package.rels
    for r_id, rel in list(rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del rels[r_id]


def _set_defaults(doc: DocxDocument) -> None:
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for child in list(rpr):
        rpr.remove(child)
    rpr.append(_fonts_element())
    for tag, val in (("w:sz", "28"), ("w:szCs", "28")):
        el = OxmlElement(tag)
        el.set(qn("w:val"), val)
        rpr.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)
    ppr = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr"))
    for child in list(ppr):
        ppr.remove(child)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    _force_fonts(normal.element.get_or_add_rPr())
    for name in ("Header", "Footer", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            style = doc.styles[name]
            if style.type == WD_STYLE_TYPE.PARAGRAPH:
                style.font.name = FONT
                _force_fonts(style.element.get_or_add_rPr())


def _fonts_element() -> etree._Element:
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    return fonts


def _force_fonts(rpr: etree._Element) -> None:
    # Theme font attributes override explicit names in Word; drop them so TNR always wins.
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        rpr.insert(0, _fonts_element())
        return
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _add_style(doc: DocxDocument, spec: StyleSpec) -> ParagraphStyle:
    style = doc.styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = spec.style_id
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    font = style.font
    font.name = FONT
    font.size = Pt(spec.size)
    font.bold = spec.bold
    font.italic = spec.italic
    _force_fonts(style.element.get_or_add_rPr())
    fmt = style.paragraph_format
    fmt.alignment = spec.align
    fmt.first_line_indent = Mm(spec.first_line_mm) if spec.first_line_mm else None
    fmt.space_before = Pt(spec.before_pt)
    fmt.space_after = Pt(spec.after_pt)
    fmt.line_spacing = 1.0
    fmt.keep_with_next = spec.keep_with_next
    fmt.widow_control = True
    return cast(ParagraphStyle, style)


def _page_numbers_from_page_two(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].style = doc.styles[STYLES["SoTrang"].name]
    header = section.header
    header.is_linked_to_previous = False
    para = header.paragraphs[0]
    para.style = doc.styles[STYLES["SoTrang"].name]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    para._p.append(field)


# --- building blocks --------------------------------------------------------------------------


def paragraph(container: DocxDocument | _Cell, style_id: str, text: str = "") -> Paragraph:
    """A paragraph of one of the STYLES, holding `text` in a single run.

    One run per paragraph keeps every Jinja tag inside one run, which docxtpl needs.
    """
    para = container.add_paragraph(style=STYLES[style_id].name)
    if text:
        add_run(para, text)
    return para


def add_run(para: Paragraph, text: str, *, bold: bool | None = None) -> None:
    run = para.add_run(text)
    if bold is not None:
        run.bold = bold
    # Keep the blanks a clerk fills by hand ("Số:      /KH-UBND") exactly as typed.
    for t in run._r.findall(qn("w:t")):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def rule(container: DocxDocument | _Cell, length_mm: float, width_mm: float) -> Paragraph:
    """A centred solid line `length_mm` long, as a bordered empty paragraph."""
    para = paragraph(container, "DuongKe")
    side = Mm(max(0.0, (width_mm - length_mm) / 2))
    para.paragraph_format.left_indent = side
    para.paragraph_format.right_indent = side
    ppr = para._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, val in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(attr), val)
    borders.append(bottom)
    # pBdr must come before spacing/ind in CT_PPr's sequence.
    ppr.insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"
    )
    return para


def layout_table(doc: DocxDocument, widths_twips: Sequence[int], top_pad_pt: int = 0) -> Table:
    """A borderless, fixed-width table spanning the text width: the header and signature blocks."""
    table: Table = doc.add_table(rows=1, cols=len(widths_twips))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    width = tbl_pr.find(qn("w:tblW"))
    if width is None:
        width = OxmlElement("w:tblW")
        _insert_ordered(tbl_pr, width, _TBL_PR_ORDER)
    width.set(qn("w:w"), str(sum(widths_twips)))
    width.set(qn("w:type"), "dxa")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert_ordered(tbl_pr, borders, _TBL_PR_ORDER)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    _insert_ordered(tbl_pr, layout, _TBL_PR_ORDER)
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(top_pad_pt * 20 if side == "top" else 0))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    _insert_ordered(tbl_pr, margins, _TBL_PR_ORDER)
    for col, w in zip(table.columns, widths_twips, strict=True):
        col.width = Twips(w)
    for cell, w in zip(table.rows[0].cells, widths_twips, strict=True):
        cell.width = Twips(w)
        # A new cell holds one empty paragraph; content is appended after it and it is removed.
        cell._tc.remove(cell.paragraphs[0]._p)
    return table


# Schema order of CT_TblPr children: Word rejects a file whose elements are out of order.
_TBL_PR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
)


def _insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]) -> None:
    """Insert `child` into `parent` at its schema position given by `order` (local names)."""
    name = str(child.tag).split("}")[1]
    existing = parent.find(qn(f"w:{name}"))
    if existing is not None:
        parent.remove(existing)
    later = set(order[order.index(name) + 1 :])
    for i, sibling in enumerate(parent):
        if str(sibling.tag).split("}")[1] in later:
            parent.insert(i, child)
            return
    parent.append(child)


def twips_to_mm(twips: int) -> float:
    return twips * 25.4 / 1440


def header_block(
    doc: DocxDocument,
    agency_lines: Sequence[str],
    number_line: str,
    place_date_line: str | None,
    *,
    parent_agency: str | None = None,
) -> Table:
    """The two-column header: agency and number left; Quốc hiệu, Tiêu ngữ and date right.

    `place_date_line` is None for minutes, which carry no place and date (Mẫu 1.9).
    """
    table = layout_table(doc, (HEADER_LEFT_TWIPS, HEADER_RIGHT_TWIPS))
    left, right = table.rows[0].cells
    if parent_agency:
        paragraph(left, "CoQuanChuQuan", parent_agency)
    for line in agency_lines:
        paragraph(left, "CoQuan", line)
    rule(left, AGENCY_RULE_MM, twips_to_mm(HEADER_LEFT_TWIPS))
    paragraph(left, "SoKyHieu", number_line)
    paragraph(right, "QuocHieu", QUOC_HIEU)
    paragraph(right, "TieuNgu", TIEU_NGU)
    rule(right, MOTTO_RULE_MM, twips_to_mm(HEADER_RIGHT_TWIPS))
    if place_date_line is not None:
        paragraph(right, "DiaDanhNgay", place_date_line)
    return table


# The ellipsis "…" of Times New Roman (and of Liberation Serif, which has its metrics) is one
# em wide: a hand-written line is as many as fit in the body text's first line.
_ELLIPSIS_EM = 1.0


def hand_line() -> str:
    """A dotted line to write on by hand, one line long at the body text's width."""
    body = STYLES["NoiDung"]
    width_pt = TEXT_WIDTH_TWIPS / 20 - body.first_line_mm * 72 / 25.4
    return "…" * int(width_pt // (body.size * _ELLIPSIS_EM) - 1)


def title_block(doc: DocxDocument, type_name: str, summary_lines: Sequence[str]) -> None:
    """Document type in caps, the summary under it, and the short line below."""
    paragraph(doc, "TenLoai", type_name)
    for text in summary_lines:
        paragraph(doc, "TrichYeu", text)
    line = rule(doc, SUMMARY_RULE_MM, twips_to_mm(TEXT_WIDTH_TWIPS))
    line.paragraph_format.space_after = Pt(12)


def signature_block(
    doc: DocxDocument,
    recipients_loop: tuple[str, str, str],
    archive_line: str,
    authority_loop: tuple[str, str, str],
    signer_name: str,
) -> Table:
    """Nơi nhận on the left, the signer's authority, room to sign and name on the right.

    The loops are (opening tag, item paragraph, closing tag) triples of Jinja text, so
    the lists come from the profile while staying visible and editable in Word.
    """
    # The padding sets the block apart from the text while keeping "Nơi nhận:" level with
    # the signer's title.
    _keep_last_paragraph_with_next(doc)
    table = layout_table(doc, (SIGNATURE_LEFT_TWIPS, SIGNATURE_RIGHT_TWIPS), top_pad_pt=6)
    left, right = table.rows[0].cells
    _recipients(left, recipients_loop, archive_line)
    for text in authority_loop:
        paragraph(right, "QuyenHanKy", text)
    paragraph(right, "HoTenKy", signer_name)
    # Keep the signature block on one page.
    _row_flags(table.rows[0])
    return table


@dataclass(frozen=True)
class Column:
    """A column of a data table: its header, width and the style of its cells."""

    title: str
    width_twips: int
    style_id: str  # BangChu (text, left) or BangSo (numbers, right)


# A row of a data table: one text per column, or a single Jinja row tag ("{%tr ... %}")
# that docxtpl replaces with the loop; `bold` marks total and criterion rows.
@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    bold: bool = False


def data_table(doc: DocxDocument, columns: Sequence[Column], rows: Sequence[Row]) -> Table:
    """A bordered table over the text width: a header row repeated on every page, rows that
    never split across pages, numbers right-aligned."""
    widths = [c.width_twips for c in columns]
    if sum(widths) != TEXT_WIDTH_TWIPS:
        raise ValueError(f"columns add up to {sum(widths)} twips, not {TEXT_WIDTH_TWIPS}")
    table = layout_table(doc, widths)
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        for attr, val in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"),
                          ("w:color", "000000")):  # fmt: skip
            el.set(qn(attr), val)
        borders.append(el)
    _insert_ordered(tbl_pr, borders, _TBL_PR_ORDER)
    margins = tbl_pr.find(qn("w:tblCellMar"))
    for side in ("left", "right"):
        margins.find(qn(f"w:{side}")).set(qn("w:w"), "85")  # 1.5 mm
    header = table.rows[0]
    for cell, column in zip(header.cells, columns, strict=True):
        paragraph(cell, "BangTieuDe", column.title)
    _row_flags(header, repeat=True)
    for row in rows:
        new = table.add_row()  # type: ignore[no-untyped-call]
        _row_flags(new)
        for i, (cell, column) in enumerate(zip(new.cells, columns, strict=True)):
            cell._tc.remove(cell.paragraphs[0]._p)
            text = row.cells[i] if i < len(row.cells) else ""
            para = paragraph(cell, column.style_id)
            if text:
                add_run(para, text, bold=True if row.bold else None)
    return table


def _recipients(cell: _Cell, loop: tuple[str, str, str], archive_line: str) -> None:
    """ "Nơi nhận:" (12 pt bold italic), the looped list and the archive line (11 pt)."""
    paragraph(cell, "NoiNhan", "Nơi nhận:")
    for text in (*loop, archive_line):
        paragraph(cell, "NoiNhanDS", text)


def _keep_last_paragraph_with_next(doc: DocxDocument) -> None:
    # A signature block alone on the last page is not signed: the closing paragraph
    # travels with it.
    doc.paragraphs[-1].paragraph_format.keep_with_next = True


def _row_flags(row: Any, *, repeat: bool = False) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    if repeat:
        tr_pr.append(OxmlElement("w:tblHeader"))


def minutes_signatures(
    doc: DocxDocument,
    left: tuple[str, str],
    right: tuple[str, str],
    recipients_loop: tuple[str, str, str],
    archive_line: str,
) -> Table:
    """Mẫu 1.9: THƯ KÝ on the left, CHỦ TỌA on the right, each with room to sign and a name;
    the Nơi nhận list under the secretary."""
    _keep_last_paragraph_with_next(doc)
    half = TEXT_WIDTH_TWIPS // 2
    table = layout_table(doc, (half, TEXT_WIDTH_TWIPS - half), top_pad_pt=6)
    for cell, (title, name) in zip(table.rows[0].cells, (left, right), strict=True):
        paragraph(cell, "QuyenHanKy", title)
        paragraph(cell, "HoTenKy", name)
    _row_flags(table.rows[0])
    row = table.add_row()  # type: ignore[no-untyped-call]
    left_cell = row.cells[0]
    left_cell._tc.remove(left_cell.paragraphs[0]._p)
    _recipients(left_cell, recipients_loop, archive_line)
    return table
