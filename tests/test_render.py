"""The plan (KH) rendered from the demo dossier: fidelity to the seed, Decree 30 format,
determinism, and template problems reported with their location."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from pipeline.common.errors import InputError
from pipeline.files.docxread import (
    bottom_border,
    iter_paragraphs,
    paragraph_alignment,
    paragraph_format_value,
    run_format,
    text_lines,
)
from pipeline.model.dossier import Dossier
from pipeline.stages.render import render
from tests.conftest import DATA

Edit = Callable[[str, str], Path]
SIX = " " * 6
HEADER_ADDITIONS = [
    "ỦY BAN NHÂN DÂN",
    "XÃ BÌNH TRUNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
]
# The seed's slips and how the shipped plan words them instead: each slip is in the seed, the
# correction is in the plan and the slip is not.
SEED_CORRECTIONS = [
    ("trú trọng", "chú trọng"),
    ("Tập chung", "Tập trung"),
    ("100% các thôn kết thực hiện", "100% các thôn thực hiện"),
    ("KT.CHỦ TỊCH", "KT. CHỦ TỊCH"),
    (
        "Tập chung chỉ đạo quyết định vệ sinh môi trường",
        "Tập trung chỉ đạo công tác vệ sinh môi trường",
    ),
    ("theo quy định,\n", "thực hiện đạt các tiêu chuẩn theo quy định."),
    ("đạt tỷ lệ 90% trong năm 2024\n", "phù hợp với trẻ em trong năm 2024.\n"),
    ("xây dựng xã, phù hợp với trẻ em", "trong việc xây dựng xã phù hợp với trẻ em."),
    ("đánh giá xã, phù hợp", "trình Hội đồng đánh giá xã phù hợp với trẻ em năm 2024 và"),
    # The villages gather the figures; they do not score or hold the council's meeting.
    ("chấm điểm; họp Hội đồng", "trước ngày 07/11/2024 để tổng hợp, chấm điểm, trình Hội đồng"),
    ("IV. THÔNG TIN BÁO CÁO", "IV. CHẾ ĐỘ THÔNG TIN, BÁO CÁO"),
    ("Cao Lộc b/c", "- UBND huyện Cao Lộc (b/c);"),
    ("ngày 03/01/2019 Thủ tướng", "năm 2024 theo Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ"),
    ("2024. UBND xã Bình Trung xây dựng", "Ủy ban nhân dân huyện Cao Lộc, Ủy ban nhân dân xã Bình"),
    ("Công chức Văn hóa xã hội", "1. Công chức Văn hóa - Xã hội phụ trách công tác trẻ em"),
    ("công chức văn hóa xã hội xã", "thu thập số liệu, gửi về công chức Văn hóa - Xã hội trước"),
    ("báo cáo phòng Lao động", "báo cáo Phòng Lao động - Thương binh và Xã hội huyện Cao Lộc"),
    ("công nhận xã, thị trấn phù hợp", "công nhận xã, phường, thị trấn phù hợp với trẻ em"),
    ("Xã, thị trấn được công nhận", "Xã được công nhận phù hợp với trẻ em"),
    (
        "công tác xã phường phù hợp trẻ em",
        "Thực hiện tốt các nội dung xây dựng xã phù hợp với trẻ em;",
    ),
    ("06/QĐ-TTg, ngày", "Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ"),
    ("các ban ngành đoàn thể xã", "các ban, ngành, đoàn thể xã"),
    ("chính trị xã hội", "các tổ chức chính trị - xã hội"),
]


def _render_kh(dossier: Path, out: Path) -> DocxDocument:
    result = render(Dossier(dossier, out), codes=["KH"])
    assert result.written == [out / "KH-ke-hoach.docx"]
    return docx.Document(str(result.written[0]))


@pytest.fixture
def plan(dossier: Path, tmp_path: Path) -> DocxDocument:
    return _render_kh(dossier, tmp_path / "out")


def _seed_lines() -> list[str]:
    text = (DATA / "ke-hoach-binh-trung-2024.txt").read_text(encoding="utf-8")
    lines = [" ".join(line.replace("**", "").split()) for line in text.splitlines()]
    return [line for line in lines if line]


def test_plan_keeps_the_seeds_paragraphs_in_order_with_its_slips_corrected(
    plan: DocxDocument,
) -> None:
    lines = text_lines(plan)
    assert lines[:6] == [
        "ỦY BAN NHÂN DÂN",
        "XÃ BÌNH TRUNG",
        "Số: /KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Bình Trung, ngày tháng năm 2024",
    ]
    body = [line for line in lines if line not in HEADER_ADDITIONS]
    seed = _seed_lines()
    # One paragraph of the plan for each of the seed's, in its order, saying the same thing.
    assert len(body) == len(seed)
    for mine, theirs in zip(body, seed, strict=True):
        same = max(
            SequenceMatcher(None, mine, theirs).ratio(),
            SequenceMatcher(None, mine.split(), theirs.split()).ratio(),
        )
        assert same > 0.5, (mine, theirs)
    raw_seed = (DATA / "ke-hoach-binh-trung-2024.txt").read_text(encoding="utf-8")
    text = "\n".join(body) + "\n"
    for slip, correction in SEED_CORRECTIONS:
        assert slip in raw_seed, slip
        assert slip not in text, slip
        assert correction in text, correction


def _find(doc: DocxDocument, text: str) -> Paragraph:
    matches = [p for p in iter_paragraphs(doc) if p.text == text]
    assert len(matches) == 1, (text, len(matches))
    return matches[0]


def _fmt(para: Paragraph) -> tuple[float | None, bool, bool]:
    formats = {run_format(para, run) for run in para.runs if run.text.strip()}
    assert len(formats) == 1, (para.text, formats)
    (fmt,) = formats
    assert fmt.font == "Times New Roman"
    return fmt.size_pt, fmt.bold, fmt.italic


def test_page_setup_is_a4_portrait_with_decree_margins(plan: DocxDocument) -> None:
    (section,) = plan.sections
    assert section.orientation == WD_ORIENT.PORTRAIT
    sizes = (section.page_width, section.page_height)
    assert [round(m.mm) for m in sizes if m is not None] == [210, 297]
    assert [
        round(m.mm, 1)
        for m in (section.top_margin, section.bottom_margin, section.left_margin,
                  section.right_margin) if m is not None
    ] == [20.0, 20.0, 30.0, 15.0]  # fmt: skip


def test_every_run_is_times_new_roman(plan: DocxDocument) -> None:
    paragraphs = list(iter_paragraphs(plan)) + list(plan.sections[0].header.paragraphs)
    fonts = {run_format(p, r).font for p in paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"Times New Roman"}


@pytest.mark.parametrize(
    ("text", "size", "bold", "italic"),
    [
        ("ỦY BAN NHÂN DÂN", 13, True, False),
        ("XÃ BÌNH TRUNG", 13, True, False),
        (f"Số: {SIX}/KH-UBND", 13, False, False),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, True, False),
        ("Độc lập - Tự do - Hạnh phúc", 14, True, False),
        (f"Bình Trung, ngày {SIX}tháng {SIX}năm 2024", 14, False, True),
        ("KẾ HOẠCH", 14, True, False),
        ("KT. CHỦ TỊCH", 14, True, False),
        ("PHÓ CHỦ TỊCH", 14, True, False),
        ("Hà Nam Nhiệm", 14, True, False),
        ("Nơi nhận:", 12, True, True),
        ("- UBND huyện Cao Lộc (b/c);", 11, False, False),
        ("- Lưu: VT.", 11, False, False),
    ],
)
def test_header_title_and_signature_formats(
    plan: DocxDocument, text: str, size: float, bold: bool, italic: bool
) -> None:
    para = _find(plan, text)
    assert _fmt(para) == (size, bold, italic)
    if text != "Nơi nhận:" and not text.startswith("- "):
        assert paragraph_alignment(para) == WD_ALIGN_PARAGRAPH.CENTER
    else:
        assert paragraph_alignment(para) == WD_ALIGN_PARAGRAPH.LEFT


def _next(para: Paragraph) -> Paragraph:
    nxt = para._p.getnext()
    assert nxt is not None and nxt.tag == qn("w:p")
    return Paragraph(nxt, para._parent)


def _rule_length_mm(line: Paragraph, container_mm: float) -> float:
    assert bottom_border(line)
    left = line.paragraph_format.left_indent
    right = line.paragraph_format.right_indent
    assert left is not None and left == right  # centred
    return round(container_mm - 2 * float(left.mm), 1)


def test_solid_lines_under_agency_motto_and_summary(plan: DocxDocument) -> None:
    header = plan.tables[0]
    left_mm = header.columns[0].width.mm
    right_mm = header.columns[1].width.mm
    assert round(left_mm + right_mm, 1) == 165.0  # the full text width
    assert right_mm >= 100  # room for the 95.7 mm Quốc hiệu
    agency_line = _rule_length_mm(_next(_find(plan, "XÃ BÌNH TRUNG")), left_mm)
    # 1/3 to 1/2 of the bold 13 pt agency name (about 36-45 mm wide).
    assert 15 <= agency_line <= 22
    assert _rule_length_mm(_next(_find(plan, "Độc lập - Tự do - Hạnh phúc")), right_mm) == 60.5
    summary = _next(_find(plan, "KẾ HOẠCH"))
    assert summary.text.startswith("Thực hiện Quyết định số 06/QĐ-TTg")
    assert _fmt(summary) == (14, True, False)
    assert paragraph_alignment(summary) == WD_ALIGN_PARAGRAPH.CENTER
    summary_line = _rule_length_mm(_next(summary), 165.0)
    assert 165 / 3 <= summary_line <= 165 / 2


def test_header_and_signature_tables_are_borderless(plan: DocxDocument) -> None:
    assert len(plan.tables) == 2
    for table in plan.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {el.get(qn("w:val")) for el in borders} == {"nil"}


def test_body_paragraphs(plan: DocxDocument) -> None:
    body = [
        p
        for p in plan.paragraphs
        if p.text.strip() and p.style is not None and str(p.style.name).startswith("ND30 N")
    ]
    assert len(body) >= 20
    headings = {"I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "2. Yêu cầu", "II. NỘI DUNG THỰC HIỆN",
                "III. TỔ CHỨC THỰC HIỆN", "IV. CHẾ ĐỘ THÔNG TIN, BÁO CÁO"}  # fmt: skip
    for text in headings:
        para = _find(plan, text)
        assert _fmt(para) == (14, True, False)
    for para in body:
        assert paragraph_alignment(para) == WD_ALIGN_PARAGRAPH.JUSTIFY
        assert round(paragraph_format_value(para, "first_line_indent").mm, 1) == 10.0
        assert paragraph_format_value(para, "space_after") == Pt(6)
        sizes = {run_format(para, r).size_pt for r in para.runs}
        assert sizes == {14}
    # The deadline is in bold, as in the seed, and the rest of that paragraph is not.
    deadline = next(p for p in body if "07/11/2024" in p.text)
    assert [(r.text, run_format(deadline, r).bold) for r in deadline.runs][1] == (
        "07/11/2024",
        True,
    )
    # "năm 2024" bound with a non-breaking space: the year never starts a line alone.
    assert body[-1].text.endswith("năm\u00a02024./.")


def test_room_to_sign(plan: DocxDocument) -> None:
    name = _find(plan, "Hà Nam Nhiệm")
    assert paragraph_format_value(name, "space_before") >= Pt(60)


def test_page_numbers_from_page_two(plan: DocxDocument) -> None:
    section = plan.sections[0]
    assert section.different_first_page_header_footer
    first = section.first_page_header._element
    assert not first.xpath(".//w:fldSimple") and not first.xpath(".//w:instrText")
    (para,) = section.header.paragraphs
    (field,) = para._p.xpath("./w:fldSimple")
    assert field.get(qn("w:instr")).strip() == "PAGE"
    assert paragraph_alignment(para) == WD_ALIGN_PARAGRAPH.CENTER
    assert para.style.font.size == Pt(13)


def test_number_and_date_when_set(edit_profile: Edit, tmp_path: Path) -> None:
    edit_profile('so = ""', "so = 5")
    dossier = edit_profile('ngay = ""', "ngay = 2024-03-05")
    plan = _render_kh(dossier, tmp_path / "out")
    lines = text_lines(plan)
    assert "Số: 05/KH-UBND" in lines
    assert "Bình Trung, ngày 05 tháng 3 năm 2024" in lines


def test_direct_signature_by_chairman(edit_profile: Edit, tmp_path: Path) -> None:
    edit_profile('nguoi_ky = "pho_chu_tich"', 'nguoi_ky = "chu_tich"')
    dossier = edit_profile('quyen_han = "KT"', 'quyen_han = "TM"')
    lines = text_lines(_render_kh(dossier, tmp_path / "out"))
    assert lines[-3:] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nông Văn Hùng"]


def test_rendering_twice_gives_identical_bytes(dossier: Path, tmp_path: Path) -> None:
    first = render(Dossier(dossier, tmp_path / "a")).written
    second = render(Dossier(dossier, tmp_path / "b")).written
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    a = first[0]
    with zipfile.ZipFile(io.BytesIO(a.read_bytes())) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "python-docx" not in core
    assert "2024-01-01T00:00:00Z" in core


def test_markup_in_profile_values_appears_literally(edit_profile: Edit, tmp_path: Path) -> None:
    dossier = edit_profile(
        '    "Các trưởng thôn",', '    "Trường <Mầm non> & \\"Tiểu học\\" {{ x }}",'
    )
    lines = text_lines(_render_kh(dossier, tmp_path / "out"))
    assert '- Trường <Mầm non> & "Tiểu học" {{ x }};' in lines


def test_a_dossier_template_overrides_the_shipped_one(dossier: Path, tmp_path: Path) -> None:
    own = docx.Document()
    own.add_paragraph("Kế hoạch riêng của {{ don_vi.xa }}")
    (dossier / "templates").mkdir()
    own.save(str(dossier / "templates" / "KH-ke-hoach.docx"))
    lines = text_lines(_render_kh(dossier, tmp_path / "out"))
    assert lines == ["Kế hoạch riêng của Bình Trung"]


@pytest.mark.parametrize(
    ("tag", "code", "field"),
    [
        ("{{ don_vi.tenxa }}", "bien-khong-co", "don_vi.tenxa"),
        ("{{ khong_co }}", "bien-khong-co", "khong_co"),
        ("{{ don_vi.xa ", "cu-phap-mau", None),
        ("{{ don_vi.xa|khong_co_bo_loc }}", "bo-loc-khong-co", None),
    ],
    ids=["unknown-attribute", "unknown-variable", "unclosed-tag", "unknown-filter"],
)
def test_template_problems_name_the_template(
    dossier: Path, tmp_path: Path, tag: str, code: str, field: str | None
) -> None:
    own = docx.Document()
    own.add_paragraph(f"Xã {tag}")
    (dossier / "templates").mkdir()
    template = dossier / "templates" / "KH-ke-hoach.docx"
    own.save(str(template))
    out = tmp_path / "out"
    out.mkdir()
    (out / "KH-ke-hoach.docx").write_bytes(b"previous good version")
    with pytest.raises(InputError) as info:
        render(Dossier(dossier, out), codes=["KH"])
    (problem,) = info.value.problems
    assert (problem.code, problem.file, problem.field) == (code, str(template), field)
    # A failed render leaves the previous output untouched.
    assert (out / "KH-ke-hoach.docx").read_bytes() == b"previous good version"


def test_council_decision(dossier: Path, tmp_path: Path) -> None:
    (path,) = render(Dossier(dossier, tmp_path / "out"), codes=["QD"]).written
    doc = docx.Document(str(path))
    lines = text_lines(doc)
    assert "Số: /QĐ-UBND" in lines
    assert lines[6:9] == [
        "QUYẾT ĐỊNH",
        "Về việc thành lập Hội đồng đánh giá xã phù hợp với trẻ em năm 2024",
        "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ BÌNH TRUNG",
    ]
    grounds = [p for p in iter_paragraphs(doc) if p.text.startswith(("Căn cứ", "Theo đề nghị"))]
    assert len(grounds) == 4
    assert all(_fmt(p) == (14, False, True) for p in grounds)
    assert [p.text[-1] for p in grounds] == [";", ";", ";", "."]
    decide = _find(doc, "QUYẾT ĐỊNH:")
    assert _fmt(decide) == (14, True, False)
    assert paragraph_alignment(decide) == WD_ALIGN_PARAGRAPH.CENTER
    members = [line for line in lines if line[:2] in {f"{i}." for i in range(1, 10)}]
    assert members[0] == "1. Ông Nông Văn Hùng, Chủ tịch UBND xã - Chủ tịch Hội đồng;"
    assert members[-1] == "8. Ông Lý Văn Tài, Trưởng Trạm Y tế xã - Thành viên."
    for article in ("Điều 1.", "Điều 2.", "Điều 3."):
        para = next(p for p in iter_paragraphs(doc) if p.text.startswith(article))
        lead = para.runs[0]
        assert (lead.text, run_format(para, lead).bold) == (article, True)
        assert not run_format(para, para.runs[1]).bold
    assert lines[-7:] == [
        "Nơi nhận:",
        "- Như Điều 3;",
        "- CT, PCT UBND xã;",
        "- Công chức Văn phòng - Thống kê;",
        "- Lưu: VT.",
        "CHỦ TỊCH",
        "Nông Văn Hùng",
    ]


def test_the_receiving_office_is_a_proper_name_with_its_locality(
    edit_profile: Edit, tmp_path: Path
) -> None:
    # Typed in lower case and without its area: the papers still name it as a proper name,
    # a district office by its district.
    edit_profile('ten = "Phòng Lao động', 'ten = "phòng Lao động - Thương binh và Xã hội" #')
    dossier = edit_profile('dia_ban = "huyện Cao Lộc"', 'dia_ban = ""')
    lines = text_lines(_render_kh(dossier, tmp_path / "out"))
    report = lines[lines.index("IV. CHẾ ĐỘ THÔNG TIN, BÁO CÁO") + 1]
    assert report.endswith(
        "và báo cáo Phòng Lao động - Thương binh và Xã hội huyện Cao Lộc theo quy định."
    ), report
