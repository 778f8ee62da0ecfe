"""The injected-fault corpus of `hoso check`: an outside yardstick for the Decree 30 checker.

Each fault kind is injected ONE AT A TIME into the papers hoso renders (a copy per paper it
applies to), and each valid variant changes a paper in a way the decree allows. Run over the
corpus, the checker must report every fault with the rules listed for it (recall) and nothing
else, and nothing at all on the valid variants (precision).

    python -m tests.nd30_faults        # renders the demo papers, prints recall and precision

The corpus is generated, never stored: the papers change with the templates.
"""

from __future__ import annotations

import copy
import shutil
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from pipeline.check.checker import Finding, check_files
from pipeline.files.docxread import iter_paragraphs
from pipeline.model.dossier import Dossier

FILES = {
    "KH": "KH-ke-hoach.docx",
    "QD": "QD-thanh-lap-hoi-dong.docx",
    "BB": "BB-hop-hoi-dong.docx",
    "BC": "BC-ket-qua-danh-gia.docx",
    "TTr": "TTr-de-nghi-cong-nhan.docx",
}
ALL = tuple(FILES)
DATED = ("KH", "QD", "BC", "TTr")  # the minutes (BB) carry no place-and-date line
BODY = ("KH", "BC", "TTr")

Change = Callable[[DocxDocument], None]


def steps(*changes: Change) -> Change:
    """Several changes made as one."""

    def change(doc: DocxDocument) -> None:
        for step in changes:
            step(doc)

    return change


# --- finding the parts of a paper ------------------------------------------------------------


def find(doc: DocxDocument, start: str) -> Paragraph:
    for para in iter_paragraphs(doc):
        if para.text.startswith(start):
            return para
    raise AssertionError(start)


def set_text(para: Paragraph, text: str) -> None:
    runs = para.runs
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def following(para: Paragraph) -> Paragraph:
    nxt = para._p.getnext()
    assert nxt is not None
    return Paragraph(nxt, para._parent)


def remove(para: Paragraph) -> None:
    para._p.getparent().remove(para._p)


def runs(para: Paragraph, **attrs: object) -> None:
    for run in para.runs:
        for key, value in attrs.items():
            setattr(run.font, key, value)


def _body_paragraphs(doc: DocxDocument) -> list[Paragraph]:
    return [
        p
        for p in doc.paragraphs
        if _style(p) == "ND30 Nội dung"
        and len(p.text) > 40
        and not p.text.startswith(("- ", "Căn cứ", "Thời gian"))
    ]


def _style(para: Paragraph) -> str:
    return "" if para.style is None else str(para.style.name)


def body(doc: DocxDocument) -> Paragraph:
    """The first plain body paragraph (ô 6)."""
    return _body_paragraphs(doc)[0]


def heading(doc: DocxDocument) -> Paragraph:
    """The document-type heading (ô 5a)."""
    return next(p for p in doc.paragraphs if _style(p) == "ND30 Tên loại văn bản")


def date_line(doc: DocxDocument) -> Paragraph:
    return find(doc, "Bình Trung, ngày")


def clear(start: str) -> Change:
    return lambda d: set_text(find(d, start), "")


def set_date(text: str) -> Change:
    return lambda d: set_text(date_line(d), text)


def set_number(text: str) -> Change:
    return lambda d: set_text(find(d, "Số:"), text)


def page_field(doc: DocxDocument) -> Paragraph:
    para: Paragraph = doc.sections[0].header.paragraphs[0]
    return para


def declare_pages(doc: DocxDocument, pages: int) -> None:
    """docProps/app.xml as Word writes it after counting."""
    part = doc.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
    part._blob = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Microsoft Office Word</Application>'
        f"<Pages>{pages}</Pages><Words>{300 * pages}</Words>"
        f"<Characters>{1500 * pages}</Characters></Properties>"
    ).encode()


def no_page_numbers(doc: DocxDocument) -> None:
    for para in doc.sections[0].header.paragraphs:
        for el in list(para._p):
            if el.tag != qn("w:pPr"):
                para._p.remove(el)


# --- the faults ------------------------------------------------------------------------------


def theme_font(doc: DocxDocument) -> None:
    # A run set to the theme's body font ("+Body", Calibri in the stock theme).
    run = body(doc).runs[0]
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:asciiTheme"), "minorHAnsi")
    fonts.set(qn("w:hAnsiTheme"), "minorHAnsi")


def page_in_footer(doc: DocxDocument) -> None:
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    para._p.append(field)


def motto_in_one_paragraph(doc: DocxDocument) -> None:
    motto = find(doc, "Độc lập - Tự do")
    title = find(doc, "CỘNG HÒA")
    title.add_run().add_break(WD_BREAK.LINE)
    title.add_run("Độc lập - Tự do - Hạnh phúc")
    remove(motto)


def vv_line(doc: DocxDocument) -> None:
    number = find(doc, "Số:")
    para = copy.deepcopy(number._p)
    number._p.addnext(para)
    vv = Paragraph(para, number._parent)
    set_text(vv, "V/v triển khai kế hoạch")
    runs(vv, bold=True)


def no_spacing_between(doc: DocxDocument) -> None:
    """No space between two body paragraphs that follow each other."""
    paras = doc.paragraphs
    n = next(
        i
        for i in range(len(paras) - 1)
        if {_style(paras[i]), _style(paras[i + 1])} == {"ND30 Nội dung"}
    )
    paras[n].paragraph_format.space_after = Pt(0)
    paras[n + 1].paragraph_format.space_before = Pt(0)


def line_spacing(value: object, rule: WD_LINE_SPACING | None = None) -> Change:
    def change(doc: DocxDocument) -> None:
        fmt = body(doc).paragraph_format
        fmt.line_spacing = value
        if rule is not None:
            fmt.line_spacing_rule = rule
            fmt.line_spacing = value

    return change


def tab_indent(zero_indent: bool) -> Change:
    def change(doc: DocxDocument) -> None:
        para = body(doc)
        set_text(para, "\t" + para.text)
        if zero_indent:
            para.paragraph_format.first_line_indent = Mm(0)

    return change


def signature_line(text: str, new: str) -> Change:
    return lambda d: set_text(find(d, text), new)


def add_above(text: str, new: str) -> Change:
    def change(doc: DocxDocument) -> None:
        para = find(doc, text)
        above = copy.deepcopy(para._p)
        para._p.addprevious(above)
        set_text(Paragraph(above, para._parent), new)

    return change


def _after_signature(doc: DocxDocument, *lines: tuple[str, float, bool]) -> None:
    """Paragraphs appended after the signature table (an appendix's name and caption)."""
    for text, size, italic in lines:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(text)
        run.font.name = "Times New Roman"
        run.font.size = Pt(size)
        run.font.bold = not italic
        run.font.italic = italic


def appendix(caption_size: float) -> Change:
    def change(doc: DocxDocument) -> None:
        code = heading(doc).text.split()[0]
        _after_signature(
            doc,
            ("Phụ lục", 14, False),
            (
                f"(Kèm theo {code.capitalize()} số       ngày 05 tháng 3 năm 2024)",
                caption_size,
                True,
            ),
        )

    return change


def landscape_section(with_table: bool) -> Change:
    def change(doc: DocxDocument) -> None:
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        _after_signature(doc, ("Phụ lục", 14, False))
        if with_table:
            table = doc.add_table(rows=2, cols=2)
            for n, cell in enumerate(table._cells):
                cell.paragraphs[0].add_run(f"Chỉ tiêu {n + 1}").font.size = Pt(13)
        else:
            _after_signature(doc, ("Danh sách thành viên kèm theo", 14, True))

    return change


def second_document(break_it: bool) -> Change:
    """The whole paper typed again after itself in the same file (two documents, one file)."""

    def change(doc: DocxDocument) -> None:
        body_el = doc.element.body
        kids = [k for k in body_el if k.tag != qn("w:sectPr")]
        copies = [copy.deepcopy(k) for k in kids]
        page_break = OxmlElement("w:p")
        run = OxmlElement("w:r")
        br = OxmlElement("w:br")
        br.set(qn("w:type"), "page")
        run.append(br)
        page_break.append(run)
        sect = body_el.find(qn("w:sectPr"))
        sect.addprevious(page_break)
        for el in copies:
            sect.addprevious(el)
        if break_it:
            # The copy's Quốc hiệu loses its bold: only the second document is wrong.
            second = [p for p in iter_paragraphs(doc) if p.text.startswith("CỘNG HÒA")][1]
            runs(second, bold=False)

    return change


@dataclass(frozen=True)
class Fault:
    """One kind of fault: what it is, the rules that report it, the papers it goes into."""

    name: str
    rules: frozenset[str]
    change: Change
    papers: tuple[str, ...] = ("KH",)


def _f(name: str, rules: str, change: Change, papers: tuple[str, ...] = ("KH",)) -> Fault:
    return Fault(name, frozenset(rules.split()), change, papers)


FAULTS: list[Fault] = [
    # page
    _f("kho-giay", "trang.kho-giay", lambda d: setattr(d.sections[0], "page_width", Mm(216)), ALL),
    _f(
        "kho-giay-lech",
        "trang.kho-giay-lech",
        lambda d: setattr(d.sections[0], "page_height", Mm(296.8)),
    ),
    # BB and BC hold tables of figures: the decree lets such a paper be landscape.
    _f(
        "trang-ngang",
        "trang.huong",
        lambda d: setattr(d.sections[0], "orientation", WD_ORIENT.LANDSCAPE),
        ("KH", "QD", "TTr"),
    ),
    _f("le-tren", "le.tren", lambda d: setattr(d.sections[0], "top_margin", Mm(15)), ALL),
    _f("le-duoi", "le.duoi", lambda d: setattr(d.sections[0], "bottom_margin", Mm(30)), ALL),
    _f("le-trai", "le.trai", lambda d: setattr(d.sections[0], "left_margin", Mm(25)), ALL),
    _f("le-phai", "le.phai", lambda d: setattr(d.sections[0], "right_margin", Mm(10)), ALL),
    _f(
        "so-trang-trang-dau",
        "so-trang.trang-dau",
        lambda d: setattr(d.sections[0], "different_first_page_header_footer", False),
        ALL,
    ),
    _f("so-trang-chan-trang", "so-trang.vi-tri so-trang.trang-dau", page_in_footer),
    _f(
        "so-trang-can-phai",
        "so-trang.dinh-dang",
        lambda d: setattr(page_field(d), "alignment", WD_ALIGN_PARAGRAPH.RIGHT),
        ALL,
    ),
    _f(
        "so-trang-thieu",
        "so-trang.thieu",
        steps(no_page_numbers, lambda d: declare_pages(d, 3)),
        ALL,
    ),
    # fonts and text
    _f(
        "phong-calibri",
        "phong-chu.ten",
        lambda d: setattr(body(d).runs[0].font, "name", "Calibri"),
        BODY,
    ),
    _f("phong-theme", "phong-chu.ten", theme_font, BODY),
    # The style's font shows in every paragraph of that style: both rules are right.
    _f(
        "phong-kieu",
        "phong-chu.kieu phong-chu.ten",
        lambda d: setattr(d.styles["ND30 Nội dung"].font, "name", ".VnTime"),
    ),
    _f(
        "chu-do",
        "phong-chu.mau",
        lambda d: setattr(body(d).runs[0].font.color, "rgb", RGBColor(255, 0, 0)),
        BODY,
    ),
    _f(
        "chu-xanh",
        "phong-chu.mau",
        lambda d: setattr(body(d).runs[0].font.color, "rgb", RGBColor(0, 0, 0xCC)),
    ),
    _f(
        "nfd",
        "van-ban.nfc",
        lambda d: set_text(body(d), unicodedata.normalize("NFD", body(d).text)),
        BODY,
    ),
    # Quốc hiệu, Tiêu ngữ, agency
    _f("quoc-hieu-thieu", "quoc-hieu.thieu", lambda d: set_text(find(d, "CỘNG HÒA"), ""), ALL),
    _f(
        "quoc-hieu-chu",
        "quoc-hieu.chu",
        lambda d: set_text(find(d, "CỘNG HÒA"), "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ALL,
    ),
    _f(
        "quoc-hieu-thuong",
        "quoc-hieu.chu",
        lambda d: set_text(find(d, "CỘNG HÒA"), "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ),
    _f(
        "quoc-hieu-dam", "quoc-hieu.dinh-dang", lambda d: runs(find(d, "CỘNG HÒA"), bold=False), ALL
    ),
    _f(
        "quoc-hieu-can-phai",
        "bo-cuc.can-giua",
        lambda d: setattr(find(d, "CỘNG HÒA"), "alignment", WD_ALIGN_PARAGRAPH.RIGHT),
        ALL,
    ),
    _f("tieu-ngu-thieu", "tieu-ngu.thieu", lambda d: set_text(find(d, "Độc lập"), "")),
    _f(
        "tieu-ngu-gach",
        "tieu-ngu.chu",
        lambda d: set_text(find(d, "Độc lập"), "Độc lập – Tự do – Hạnh phúc"),
        ALL,
    ),
    _f("tieu-ngu-co", "tieu-ngu.dinh-dang", lambda d: runs(find(d, "Độc lập"), size=Pt(12)), ALL),
    _f("tieu-ngu-chung-doan", "tieu-ngu.dong-rieng", motto_in_one_paragraph),
    _f("tieu-ngu-ke", "tieu-ngu.duong-ke", lambda d: remove(following(find(d, "Độc lập"))), ALL),
    _f(
        "co-quan-thieu",
        "co-quan.thieu",
        steps(*(clear(t) for t in ("ỦY BAN", "XÃ BÌNH"))),
    ),
    _f(
        "co-quan-thuong",
        "co-quan.chu-hoa",
        lambda d: set_text(find(d, "XÃ BÌNH"), "Xã Bình Trung"),
        ALL,
    ),
    _f("co-quan-dam", "co-quan.dinh-dang", lambda d: runs(find(d, "XÃ BÌNH"), bold=False), ALL),
    _f("co-quan-ke", "co-quan.duong-ke", lambda d: remove(following(find(d, "XÃ BÌNH"))), ALL),
    _f(
        "co-quan-can-trai",
        "bo-cuc.can-giua",
        lambda d: setattr(find(d, "XÃ BÌNH"), "alignment", WD_ALIGN_PARAGRAPH.LEFT),
        ALL,
    ),
    # number and date
    _f("so-thieu", "so.thieu", set_number(""), ALL),
    _f("so-dau-cach", "so.mau", set_number("Số:05/KH-UBND")),
    _f("so-gach-dai", "so.mau", set_number("Số: 05/KH – UBND")),
    _f("so-0", "so.so-0", set_number("Số: 5/KH-UBND")),
    _f("so-thu-tu", "so.thu-tu", set_number("Số: 12/UBND-KH")),
    _f("so-thu-tu-bc", "so.thu-tu", set_number("Số: 12/UBND-BC"), ("BC",)),
    _f("so-loai-khac", "so.thu-tu", set_number("Số: 12/TTr-UBND"), ("BC",)),
    _f("so-co", "so.dinh-dang", lambda d: runs(find(d, "Số:"), size=Pt(14)), ALL),
    _f(
        "so-can-trai",
        "bo-cuc.can-giua",
        lambda d: setattr(find(d, "Số:"), "alignment", WD_ALIGN_PARAGRAPH.LEFT),
        ALL,
    ),
    _f("ngay-thieu", "ngay.thieu", set_date(""), DATED),
    _f("ngay-dau-phay", "ngay.mau", set_date("Bình Trung ngày 05 tháng 3 năm 2024"), DATED),
    _f("ngay-so-0", "ngay.so-0", set_date("Bình Trung, ngày 5 tháng 3 năm 2024")),
    _f("thang-so-0", "ngay.so-0", set_date("Bình Trung, ngày 15 tháng 2 năm 2024")),
    _f("thang-03", "ngay.so-0-thua", set_date("Bình Trung, ngày 15 tháng 03 năm 2024")),
    _f("ngay-00-thang-13", "ngay.co-that", set_date("Bình Trung, ngày 00 tháng 13 năm 2024")),
    _f("ngay-30-thang-2", "ngay.co-that", set_date("Bình Trung, ngày 30 tháng 02 năm 2024"), DATED),
    _f("ngay-29-2-2023", "ngay.co-that", set_date("Bình Trung, ngày 29 tháng 02 năm 2023")),
    _f("ngay-cach", "ngay.khoang-cach", set_date("Bình Trung, ngày  15  tháng 3 năm 2024")),
    _f("ngay-dung", "ngay.dinh-dang", lambda d: runs(date_line(d), italic=False), DATED),
    _f(
        "ngay-can-phai",
        "bo-cuc.can-giua",
        lambda d: setattr(date_line(d), "alignment", WD_ALIGN_PARAGRAPH.RIGHT),
        DATED,
    ),
    # The date typed in the number's paragraph also takes the number's upright style.
    _f(
        "so-ngay-chung-dong",
        "bo-cuc.chung-dong ngay.dinh-dang",
        set_number("Số: 05/KH-UBND          Bình Trung, ngày 05 tháng 3 năm 2024"),
    ),
    _f(
        "ngay-dau-cach",
        "bo-cuc.dau-cach",
        set_date("    Bình Trung, ngày 15 tháng 3 năm 2024"),
        DATED,
    ),
    # title
    _f("ten-loai-thieu", "ten-loai.thieu", lambda d: set_text(heading(d), "")),
    _f(
        "ten-loai-can-trai",
        "ten-loai.dinh-dang",
        lambda d: setattr(heading(d), "alignment", WD_ALIGN_PARAGRAPH.LEFT),
        ALL,
    ),
    _f("trich-yeu-thieu", "trich-yeu.thieu", lambda d: set_text(following(heading(d)), "")),
    _f(
        "trich-yeu-dam",
        "trich-yeu.dinh-dang",
        lambda d: runs(following(heading(d)), bold=False),
        ALL,
    ),
    _f(
        "trich-yeu-ke",
        "trich-yeu.duong-ke",
        lambda d: remove(following(following(heading(d)))),
        ("KH", "BC", "TTr", "BB"),
    ),
    _f("vv-dam", "vv.dinh-dang", vv_line),
    # body
    _f(
        "can-cu-dung",
        "can-cu.dinh-dang",
        lambda d: runs(find(d, "Căn cứ Luật Trẻ em"), italic=False),
        ("QD",),
    ),
    _f(
        "can-cu-cham",
        "can-cu.dau-cau",
        lambda d: set_text(find(d, "Căn cứ Luật Trẻ em"), "Căn cứ Luật Trẻ em."),
        ("QD",),
    ),
    _f("noi-dung-co", "noi-dung.co-chu", lambda d: runs(body(d), size=Pt(12)), BODY),
    _f(
        "noi-dung-can-trai",
        "noi-dung.can-deu",
        lambda d: setattr(body(d), "alignment", WD_ALIGN_PARAGRAPH.LEFT),
        BODY,
    ),
    _f(
        "noi-dung-thut-0",
        "noi-dung.thut-dau-dong",
        lambda d: setattr(body(d).paragraph_format, "first_line_indent", Mm(0)),
        BODY,
    ),
    _f("noi-dung-tab", "noi-dung.thut-bang-phim", tab_indent(zero_indent=True), BODY),
    _f("noi-dung-tab-va-thut", "noi-dung.thut-bang-phim", tab_indent(zero_indent=False)),
    _f("noi-dung-cach-doan", "noi-dung.cach-doan", no_spacing_between, BODY),
    _f("gian-dong-2", "noi-dung.gian-dong", line_spacing(2.0), BODY),
    _f("gian-dong-30pt", "noi-dung.gian-dong", line_spacing(Pt(30), WD_LINE_SPACING.EXACTLY)),
    _f(
        "gian-dong-dung-14pt",
        "noi-dung.gian-dong",
        line_spacing(Pt(14), WD_LINE_SPACING.EXACTLY),
        BODY,
    ),
    _f("phu-luc-co-12", "phu-luc.co-chu", appendix(caption_size=12), ("KH", "BC", "QD")),
    _f("van-ban-thu-hai", "quoc-hieu.dinh-dang", second_document(break_it=True), ("KH", "TTr")),
    # recipients and signature
    _f("noi-nhan-thieu", "noi-nhan.thieu", lambda d: set_text(find(d, "Nơi nhận:"), ""), ALL),
    _f(
        "noi-nhan-dung",
        "noi-nhan.dinh-dang",
        lambda d: runs(find(d, "Nơi nhận:"), italic=False),
        ALL,
    ),
    _f(
        "noi-nhan-gach",
        "noi-nhan.danh-sach",
        lambda d: set_text(find(d, "- CT, PCT"), "CT, PCT UBND xã;"),
        ("KH", "QD", "BC", "TTr"),
    ),
    _f(
        "noi-nhan-co",
        "noi-nhan.danh-sach",
        lambda d: runs(find(d, "- CT, PCT"), size=Pt(13)),
        ("KH", "QD", "BC", "TTr"),
    ),
    _f("luu-cham", "noi-nhan.luu", lambda d: set_text(find(d, "- Lưu:"), "- Lưu: VT"), ALL),
    _f(
        "chu-ky-thieu",
        "chu-ky.thieu",
        steps(*(clear(t) for t in ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Hà Nam"))),
    ),
    _f(
        "chu-ky-thieu-ten",
        "chu-ky.thieu",
        lambda d: set_text(find(d, "Nông Văn Hùng"), ""),
        ("QD", "BC", "TTr"),
    ),
    _f("chu-ky-thieu-ten-pho", "chu-ky.thieu", lambda d: set_text(find(d, "Hà Nam"), "")),
    _f(
        "chu-ky-thuong",
        "chu-ky.quyen-han chu-ky.tham-quyen",
        signature_line("PHÓ CHỦ TỊCH", "Phó Chủ tịch"),
    ),
    _f("chu-ky-thieu-kt", "chu-ky.tham-quyen", signature_line("KT. CHỦ TỊCH", "")),
    _f("chu-ky-kt-dinh", "chu-ky.dau-cach", signature_line("KT. CHỦ TỊCH", "KT.CHỦ TỊCH")),
    _f("chu-ky-thieu-tm", "chu-ky.tham-quyen", signature_line("TM. ỦY BAN", ""), ("BC", "TTr")),
    _f(
        "chu-ky-tm-sai",
        "chu-ky.tham-quyen",
        signature_line("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"),
    ),
    _f("chu-ky-hoc-vi", "chu-ky.ho-ten", signature_line("Hà Nam", "TS. Hà Nam Nhiệm")),
    _f("chu-ky-in-hoa", "chu-ky.ho-ten", signature_line("Hà Nam", "HÀ NAM NHIỆM")),
]


# --- valid variants: what the decree allows ---------------------------------------------------


def caps_quoc_hieu(doc: DocxDocument) -> None:
    para = find(doc, "CỘNG HÒA")
    set_text(para, "Cộng hòa xã hội chủ nghĩa Việt Nam")
    runs(para, all_caps=True)


def margins(top: float, bottom: float, left: float, right: float) -> Change:
    def change(doc: DocxDocument) -> None:
        section = doc.sections[0]
        section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
        section.left_margin, section.right_margin = Mm(left), Mm(right)

    return change


@dataclass(frozen=True)
class Variant:
    name: str
    change: Change
    papers: tuple[str, ...] = ("KH",)


VALID: list[Variant] = [
    Variant("nguyen-ban", lambda d: None, ALL),
    Variant("quoc-hieu-all-caps", caps_quoc_hieu, ("KH", "BC")),
    Variant("le-toi-da", margins(25, 25, 35, 20), ("KH", "QD")),
    Variant("le-toi-thieu", margins(20, 20, 30, 15)),
    Variant("gian-dong-1-15", line_spacing(1.15), BODY),
    Variant("gian-dong-1-5", line_spacing(1.5)),
    Variant("gian-dong-dung-17pt", line_spacing(Pt(17), WD_LINE_SPACING.EXACTLY)),
    Variant("gian-dong-it-nhat-12pt", line_spacing(Pt(12), WD_LINE_SPACING.AT_LEAST)),
    Variant("thut-1cm", lambda d: setattr(body(d).paragraph_format, "first_line_indent", Mm(10))),
    Variant("ngay-day-du", set_date("Bình Trung, ngày 05 tháng 3 năm 2024"), DATED),
    Variant("ngay-thang-02", set_date("Bình Trung, ngày 28 tháng 02 năm 2023")),
    Variant("ngay-29-2-2024", set_date("Bình Trung, ngày 29 tháng 02 năm 2024")),
    Variant("ngay-31-12", set_date("Bình Trung, ngày 31 tháng 12 năm 2024"), ("QD",)),
    Variant("so-day-du", set_number("Số: 05/KH-UBND")),
    Variant("so-lon", set_number("Số: 1301/KH-UBND")),
    Variant("so-bc", set_number("Số: 12/BC-UBND"), ("BC",)),
    Variant("tieu-ngu-13", lambda d: runs(find(d, "Độc lập"), size=Pt(13)), ALL),
    Variant("quoc-hieu-12", lambda d: runs(find(d, "CỘNG HÒA"), size=Pt(12))),
    Variant("chu-ky-ba-dong", add_above("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN")),
    Variant("phu-luc-co-14", appendix(caption_size=14), ("KH", "BC", "QD")),
    Variant("phu-luc-trang-ngang-co-bang", landscape_section(with_table=True), BODY),
    Variant("phu-luc-trang-ngang", landscape_section(with_table=False), ("KH", "QD")),
    Variant(
        "trang-ngang-co-bang-so-lieu",
        lambda d: setattr(d.sections[0], "orientation", WD_ORIENT.LANDSCAPE),
        ("BC",),
    ),
    Variant("hai-van-ban-dung", second_document(break_it=False), ("KH", "TTr")),
    Variant("so-trang-mot-trang", steps(no_page_numbers, lambda d: declare_pages(d, 1))),
]


# --- building and measuring -------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    path: Path
    name: str  # fault or variant name, with the paper
    rules: frozenset[str]  # empty for a valid variant


@dataclass
class Score:
    faults: int = 0
    found: int = 0
    findings: int = 0
    right: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    reported: list[Finding] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.faults if self.faults else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.findings if self.findings else 1.0

    def summary(self) -> str:
        return (
            f"recall {self.found}/{self.faults} = {self.recall:.1%}; "
            f"precision {self.right}/{self.findings} = {self.precision:.1%}"
        )


def build_corpus(papers: Path, out: Path) -> list[Case]:
    """Every fault in every paper it applies to, and every valid variant, as .docx files."""
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    items: list[tuple[str, Change, tuple[str, ...], frozenset[str]]] = [
        *((f.name, f.change, f.papers, f.rules) for f in FAULTS),
        *((v.name, v.change, v.papers, frozenset[str]()) for v in VALID),
    ]
    for name, change, codes, rules in items:
        for code in codes:
            doc = docx.Document(str(papers / FILES[code]))
            change(doc)
            path = out / f"{'loi' if rules else 'dung'}-{name}-{code}.docx"
            doc.save(str(path))
            cases.append(Case(path, f"{name} ({code})", rules))
    return cases


def measure(cases: list[Case]) -> Score:
    """Recall over the faults, precision over every finding of the corpus."""
    report = check_files([c.path for c in cases])
    assert not report.problems, [str(p) for p in report.problems]
    by_file: dict[str, list[Finding]] = {f.file: f.findings for f in report.files}
    score = Score()
    for case in cases:
        findings = by_file[str(case.path)]
        if case.rules:
            score.faults += 1
            if any(f.rule in case.rules for f in findings):
                score.found += 1
            else:
                score.misses.append(case.name)
        score.reported += findings
        for finding in findings:
            score.findings += 1
            if finding.rule in case.rules:
                score.right += 1
            else:
                score.false_alarms.append(f"{case.name}: {finding}")
    return score


def main() -> None:
    from pipeline.stages.ingest import ingest_to
    from pipeline.stages.render import render
    from pipeline.stages.score import score

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        dossier = base / "binh-trung-2024"
        shutil.copytree(root / "inputs" / "binh-trung-2024", dossier)
        out = base / "out"
        ingest_to(Dossier(dossier, out))
        score(Dossier(dossier, out))
        render(Dossier(dossier, out))
        cases = build_corpus(out, base / "corpus")
        result = measure(cases)
    faults = sum(1 for c in cases if c.rules)
    print(f"{len(FAULTS)} fault kinds in {faults} files, {len(VALID)} valid variants in "
          f"{len(cases) - faults} files")  # fmt: skip
    print(result.summary())
    for line in result.misses + result.false_alarms:
        print("  ", line)
    sys.exit(0 if not result.misses and not result.false_alarms else 1)


if __name__ == "__main__":
    main()
