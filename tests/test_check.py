"""`hoso check`: the Decree 30 checker on our own papers (clean), on the decree's sample
layouts, on deliberately broken copies (every rule fires), on real agency documents (the
faults their sources list are reported) and on files that are not .docx at all."""

from __future__ import annotations

import copy
import json
import os
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from pipeline.check.checker import CheckReport, check_document, check_files
from pipeline.check.rules import PARAMS, parse_rules, rulebook, rules_markdown
from pipeline.cli import cli
from pipeline.files.docxread import iter_paragraphs
from pipeline.files.resources import load_data_toml
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DATA, DEMO, PAPERS, ROOT
from tests.helpers import libreoffice_convert

SAMPLES = DATA / "nd30-phuluc3.docx"
REAL_DOCS = ROOT.parent / "shared" / "reference" / "real-docs"


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dossier's papers, written by the library: ingest -> score -> render."""
    base = tmp_path_factory.mktemp("check")
    dossier = base / "binh-trung-2024"
    shutil.copytree(DEMO, dossier)
    out = base / "out"
    ingest_to(dossier, out)
    score(dossier, out)
    render(dossier, out)
    return out


def _rules(report_findings: list[object]) -> set[str]:
    return {f.rule for f in report_findings}  # type: ignore[attr-defined]


# --- our own papers -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAPERS)
def test_every_paper_hoso_writes_is_clean(papers: Path, name: str) -> None:
    report = check_files([papers / name])
    assert report.problems == []
    (checked,) = report.files
    assert checked.findings == [], [str(f) for f in checked.findings]
    assert report.ok and report.exit_code == 0


# --- broken copies: every rule fires --------------------------------------------------------


def _find(doc: DocxDocument, start: str) -> Paragraph:
    for para in iter_paragraphs(doc):
        if para.text.startswith(start):
            return para
    raise AssertionError(start)


def _set_text(para: Paragraph, text: str) -> None:
    runs = para.runs
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def _clear(doc: DocxDocument, *starts: str) -> None:
    for start in starts:
        _set_text(_find(doc, start), "")


def _following(para: Paragraph) -> Paragraph:
    nxt = para._p.getnext()
    assert nxt is not None
    return Paragraph(nxt, para._parent)


def _remove(para: Paragraph) -> None:
    para._p.getparent().remove(para._p)


def _runs(para: Paragraph, **attrs: object) -> None:
    for run in para.runs:
        for key, value in attrs.items():
            setattr(run.font, key, value)


def _body(doc: DocxDocument) -> Paragraph:
    return _find(doc, "Thực hiện Kế hoạch số 1301/KH-UBND")


def _theme_font(doc: DocxDocument) -> None:
    # A run set to the theme's body font ("+Body", Calibri in the stock theme).
    run = _body(doc).runs[0]
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    fonts.set(qn("w:asciiTheme"), "minorHAnsi")
    fonts.set(qn("w:hAnsiTheme"), "minorHAnsi")


def _page_in_footer(doc: DocxDocument) -> None:
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    para = footer.paragraphs[0]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    para._p.append(field)


def _motto_in_one_paragraph(doc: DocxDocument) -> None:
    motto = _find(doc, "Độc lập - Tự do")
    title = _find(doc, "CỘNG HÒA")
    run = title.add_run()
    run.add_break(WD_BREAK.LINE)
    title.add_run("Độc lập - Tự do - Hạnh phúc")
    _remove(motto)


def _vv_line(doc: DocxDocument) -> None:
    number = _find(doc, "Số:")
    para = copy.deepcopy(number._p)
    number._p.addnext(para)
    vv = Paragraph(para, number._parent)
    _set_text(vv, "V/v triển khai kế hoạch")
    _runs(vv, bold=True)


def _number_and_date_on_one_line(doc: DocxDocument) -> None:
    _set_text(_find(doc, "Số:"), "Số: 05/KH-UBND          Bình Trung, ngày 05 tháng 3 năm 2024")


Breaker = Callable[[DocxDocument], None]

# (rule id, paper to break, how) — each rule of the data file fires at least once.
BROKEN: list[tuple[str, str, Breaker]] = [
    ("trang.kho-giay", "KH", lambda d: setattr(d.sections[0], "page_width", Mm(216))),
    ("trang.kho-giay-lech", "KH", lambda d: setattr(d.sections[0], "page_height", Mm(296.8))),
    ("trang.huong", "KH", lambda d: setattr(d.sections[0], "orientation", WD_ORIENT.LANDSCAPE)),
    ("le.tren", "KH", lambda d: setattr(d.sections[0], "top_margin", Mm(15))),
    ("le.duoi", "KH", lambda d: setattr(d.sections[0], "bottom_margin", Mm(30))),
    ("le.trai", "KH", lambda d: setattr(d.sections[0], "left_margin", Mm(25))),
    ("le.phai", "KH", lambda d: setattr(d.sections[0], "right_margin", Mm(10))),
    (
        "so-trang.trang-dau",
        "KH",
        lambda d: setattr(d.sections[0], "different_first_page_header_footer", False),
    ),
    ("so-trang.vi-tri", "KH", _page_in_footer),
    (
        "so-trang.dinh-dang",
        "KH",
        lambda d: setattr(
            d.sections[0].header.paragraphs[0], "alignment", WD_ALIGN_PARAGRAPH.RIGHT
        ),
    ),
    ("phong-chu.ten", "KH", lambda d: setattr(_body(d).runs[0].font, "name", "Calibri")),
    ("phong-chu.ten", "KH", _theme_font),
    ("phong-chu.kieu", "KH", lambda d: setattr(d.styles["ND30 Nội dung"].font, "name", ".VnTime")),
    (
        "phong-chu.mau",
        "KH",
        lambda d: setattr(_body(d).runs[0].font.color, "rgb", RGBColor(255, 0, 0)),
    ),
    (
        "van-ban.nfc",
        "KH",
        lambda d: _set_text(_body(d), unicodedata.normalize("NFD", _body(d).text)),
    ),
    ("quoc-hieu.thieu", "KH", lambda d: _set_text(_find(d, "CỘNG HÒA"), "")),
    (
        "quoc-hieu.chu",
        "KH",
        lambda d: _set_text(_find(d, "CỘNG HÒA"), "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ),
    ("quoc-hieu.dinh-dang", "KH", lambda d: _runs(_find(d, "CỘNG HÒA"), bold=False)),
    ("tieu-ngu.thieu", "KH", lambda d: _set_text(_find(d, "Độc lập"), "")),
    ("tieu-ngu.chu", "KH", lambda d: _set_text(_find(d, "Độc lập"), "Độc lập – Tự do – Hạnh phúc")),
    ("tieu-ngu.dinh-dang", "KH", lambda d: _runs(_find(d, "Độc lập"), size=Pt(12))),
    ("tieu-ngu.dong-rieng", "KH", _motto_in_one_paragraph),
    ("tieu-ngu.duong-ke", "KH", lambda d: _remove(_following(_find(d, "Độc lập")))),
    ("co-quan.thieu", "KH", lambda d: _clear(d, "ỦY BAN", "XÃ BÌNH")),
    ("co-quan.chu-hoa", "KH", lambda d: _set_text(_find(d, "XÃ BÌNH"), "Xã Bình Trung")),
    ("co-quan.dinh-dang", "KH", lambda d: _runs(_find(d, "XÃ BÌNH"), bold=False)),
    ("co-quan.duong-ke", "KH", lambda d: _remove(_following(_find(d, "XÃ BÌNH")))),
    ("so.thieu", "KH", lambda d: _set_text(_find(d, "Số:"), "")),
    ("so.mau", "KH", lambda d: _set_text(_find(d, "Số:"), "Số:05/KH-UBND")),
    ("so.mau", "KH", lambda d: _set_text(_find(d, "Số:"), "Số: 05/KH – UBND")),
    ("so.so-0", "KH", lambda d: _set_text(_find(d, "Số:"), "Số: 5/KH-UBND")),
    ("so.dinh-dang", "KH", lambda d: _runs(_find(d, "Số:"), size=Pt(14))),
    ("ngay.thieu", "KH", lambda d: _set_text(_find(d, "Bình Trung, ngày"), "")),
    (
        "ngay.mau",
        "KH",
        lambda d: _set_text(_find(d, "Bình Trung, ngày"), "Bình Trung ngày 05 tháng 3 năm 2024"),
    ),
    (
        "ngay.so-0",
        "KH",
        lambda d: _set_text(_find(d, "Bình Trung, ngày"), "Bình Trung, ngày 5 tháng 3 năm 2024"),
    ),
    (
        "ngay.so-0",
        "KH",
        lambda d: _set_text(_find(d, "Bình Trung, ngày"), "Bình Trung, ngày 15 tháng 03 năm 2024"),
    ),
    (
        "ngay.so-0",
        "KH",
        lambda d: _set_text(_find(d, "Bình Trung, ngày"), "Bình Trung, ngày 15 tháng 2 năm 2024"),
    ),
    (
        "ngay.khoang-cach",
        "KH",
        lambda d: _set_text(_find(d, "Bình Trung, ngày"), "Bình Trung, ngày  15  tháng 3 năm 2024"),
    ),
    ("ngay.dinh-dang", "KH", lambda d: _runs(_find(d, "Bình Trung, ngày"), italic=False)),
    ("bo-cuc.chung-dong", "KH", _number_and_date_on_one_line),
    (
        "bo-cuc.dau-cach",
        "KH",
        lambda d: _set_text(
            _find(d, "Bình Trung, ngày"), "    Bình Trung, ngày 15 tháng 3 năm 2024"
        ),
    ),
    ("ten-loai.thieu", "KH", lambda d: _set_text(_find(d, "KẾ HOẠCH"), "")),
    (
        "ten-loai.dinh-dang",
        "KH",
        lambda d: setattr(_find(d, "KẾ HOẠCH"), "alignment", WD_ALIGN_PARAGRAPH.LEFT),
    ),
    ("trich-yeu.thieu", "KH", lambda d: _set_text(_following(_find(d, "KẾ HOẠCH")), "")),
    ("trich-yeu.dinh-dang", "KH", lambda d: _runs(_following(_find(d, "KẾ HOẠCH")), bold=False)),
    ("trich-yeu.duong-ke", "KH", lambda d: _remove(_following(_following(_find(d, "KẾ HOẠCH"))))),
    ("vv.dinh-dang", "KH", _vv_line),
    ("can-cu.dinh-dang", "QD", lambda d: _runs(_find(d, "Căn cứ Luật Trẻ em"), italic=False)),
    (
        "can-cu.dau-cau",
        "QD",
        lambda d: _set_text(_find(d, "Căn cứ Luật Trẻ em"), "Căn cứ Luật Trẻ em."),
    ),
    ("noi-dung.co-chu", "KH", lambda d: _runs(_body(d), size=Pt(12))),
    ("noi-dung.can-deu", "KH", lambda d: setattr(_body(d), "alignment", WD_ALIGN_PARAGRAPH.LEFT)),
    (
        "noi-dung.thut-dau-dong",
        "KH",
        lambda d: setattr(_body(d).paragraph_format, "first_line_indent", Mm(0)),
    ),
    ("noi-dung.thut-bang-phim", "KH", lambda d: _set_text(_body(d), "\t" + _body(d).text)),
    (
        "noi-dung.cach-doan",
        "KH",
        lambda d: setattr(_find(d, "- Xây dựng xã").paragraph_format, "space_after", Pt(0)),
    ),
    ("noi-dung.gian-dong", "KH", lambda d: setattr(_body(d).paragraph_format, "line_spacing", 2.0)),
    (
        "noi-dung.gian-dong",
        "KH",
        lambda d: setattr(_body(d).paragraph_format, "line_spacing", Pt(30)),
    ),
    ("noi-nhan.thieu", "KH", lambda d: _set_text(_find(d, "Nơi nhận:"), "")),
    ("noi-nhan.dinh-dang", "KH", lambda d: _runs(_find(d, "Nơi nhận:"), italic=False)),
    ("noi-nhan.danh-sach", "KH", lambda d: _set_text(_find(d, "- CT, PCT"), "CT, PCT UBND xã")),
    ("noi-nhan.danh-sach", "KH", lambda d: _runs(_find(d, "- CT, PCT"), size=Pt(13))),
    ("noi-nhan.luu", "KH", lambda d: _set_text(_find(d, "- Lưu:"), "- Lưu: VT")),
    (
        "chu-ky.thieu",
        "KH",
        lambda d: _clear(d, "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Hà Nam"),
    ),
    ("chu-ky.quyen-han", "KH", lambda d: _set_text(_find(d, "PHÓ CHỦ TỊCH"), "Phó Chủ tịch")),
    ("chu-ky.ho-ten", "KH", lambda d: _set_text(_find(d, "Hà Nam"), "TS. Hà Nam Nhiệm")),
    ("chu-ky.ho-ten", "KH", lambda d: _set_text(_find(d, "Hà Nam"), "HÀ NAM NHIỆM")),
]
_FILES = {"KH": "KH-ke-hoach.docx", "QD": "QD-thanh-lap-hoi-dong.docx"}


def test_every_rule_has_a_broken_copy() -> None:
    assert {rule for rule, _, _ in BROKEN} == set(rulebook().rules) == set(PARAMS)


@pytest.mark.parametrize(
    ("rule", "paper", "breaker"),
    BROKEN,
    ids=[f"{rule}-{n}" for n, (rule, _, _) in enumerate(BROKEN)],
)
def test_a_broken_copy_is_caught(
    papers: Path, tmp_path: Path, rule: str, paper: str, breaker: Breaker
) -> None:
    doc = docx.Document(str(papers / _FILES[paper]))
    breaker(doc)
    path = tmp_path / "broken.docx"
    doc.save(str(path))
    report = check_files([path])
    (checked,) = report.files
    found = [f for f in checked.findings if f.rule == rule]
    assert found, [str(f) for f in checked.findings]
    assert report.exit_code == (1 if rulebook()[rule].severity == "loi" else report.exit_code)
    for finding in found:
        assert finding.expected and finding.found and finding.where


def test_wrong_margins_calibri_and_padded_month_are_all_named(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].left_margin = Mm(25)
    doc.sections[0].top_margin = Mm(15)
    run = _find(doc, "Trên đây là Kế hoạch").runs[0]
    run.font.name = "Calibri"
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 05 tháng 03 năm 2024")
    path = tmp_path / "tay.docx"
    doc.save(str(path))
    report = check_files([path])
    findings = {f.rule: f for f in report.files[0].findings}
    assert {"le.trai", "le.tren", "phong-chu.ten", "ngay.so-0"} <= set(findings)
    assert findings["le.trai"].found == "25 mm"
    assert findings["phong-chu.ten"].found == "Calibri"
    assert findings["phong-chu.ten"].text.startswith("Trên đây là Kế hoạch")
    assert findings["ngay.so-0"].expected == "«tháng 3»"
    assert findings["ngay.so-0"].found == "«tháng 03»"
    assert report.exit_code == 1


def test_office_resaved_files_are_read_the_same(papers: Path, tmp_path: Path) -> None:
    """A clerk opens our paper, and a faulty copy of it, in an office suite and saves them
    again: the clean one stays clean, the faults are still all named."""
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].left_margin = Mm(25)
    _find(doc, "Trên đây là Kế hoạch").runs[0].font.name = "Calibri"
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 05 tháng 03 năm 2024")
    faulty = tmp_path / "sai.docx"
    doc.save(str(faulty))
    out = tmp_path / "resaved"
    clean = libreoffice_convert(papers / "KH-ke-hoach.docx", "docx:MS Word 2007 XML", out)
    resaved = libreoffice_convert(faulty, "docx:MS Word 2007 XML", out)
    report = check_files([clean, resaved])
    assert [str(f) for f in report.files[0].findings] == []
    rules = _rules(report.files[1].findings)  # type: ignore[arg-type]
    assert {"le.trai", "phong-chu.ten", "ngay.so-0"} <= rules


def test_a_finding_repeated_in_many_paragraphs_is_one_line(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    for para in iter_paragraphs(doc):
        if para.text.startswith("- ") and para.paragraph_format.alignment is None:
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
    path = tmp_path / "trai.docx"
    doc.save(str(path))
    (finding,) = [f for f in check_files([path]).files[0].findings if f.rule == "noi-dung.can-deu"]
    assert len(finding.more) >= 5
    assert "cùng" in str(finding) and finding.found == "căn trái"


# --- the decree's sample layouts (Phụ lục III) -----------------------------------------------


def _sample(start: str, stop: str) -> DocxDocument:
    """One sample of Phụ lục III as a document of its own."""
    doc = docx.Document(str(SAMPLES))
    body = doc.element.body
    kids = list(body)

    def text(el: object) -> str:
        return "".join(t.text or "" for t in el.iter(qn("w:t")))  # type: ignore[attr-defined]

    first = next(i for i, k in enumerate(kids) if text(k).startswith(start))
    last = next(i for i, k in enumerate(kids) if i > first and text(k).startswith(stop))
    for kid in kids[: first + 1] + kids[last:-1]:  # keep the final sectPr
        body.remove(kid)
    return doc


# What the samples fill in concretely (the rest are "……" placeholders): these rules hold.
SAMPLE_RULES = {
    "le.tren", "le.duoi", "le.trai", "le.phai", "trang.kho-giay", "trang.huong",
    "phong-chu.ten", "quoc-hieu.thieu", "quoc-hieu.chu", "quoc-hieu.dinh-dang",
    "tieu-ngu.thieu", "tieu-ngu.chu", "tieu-ngu.dinh-dang", "tieu-ngu.duong-ke",
    "tieu-ngu.dong-rieng", "co-quan.thieu", "co-quan.chu-hoa", "co-quan.duong-ke", "so.thieu",
    "so.dinh-dang", "ngay.thieu", "ngay.dinh-dang", "noi-nhan.thieu", "noi-nhan.dinh-dang",
    "noi-nhan.luu", "chu-ky.thieu", "chu-ky.quyen-han", "chu-ky.ho-ten",
}  # fmt: skip


@pytest.mark.parametrize(
    ("start", "stop"),
    [
        ("Mẫu 1.2", "Mẫu 1.3"),
        ("Mẫu 1.4", "Mẫu 1.5"),
        ("Mẫu 1.5", "Mẫu 1.6"),
        ("Mẫu 1.9", "Mẫu 1.10"),
    ],
)
def test_decree_samples_pass_the_rules_they_fill_in(start: str, stop: str) -> None:
    findings = check_document(_sample(start, stop))
    wrong = [f for f in findings if f.rule in SAMPLE_RULES]
    if start == "Mẫu 1.9":
        # The decree's own file types the end of the minutes' closing line (" năm …../.")
        # in Calibri 11: the checker is right to say so.
        (calibri,) = [f for f in wrong if f.rule == "phong-chu.ten"]
        assert calibri.found == "Calibri" and calibri.text.startswith("Cuộc họp (hội nghị")
        wrong.remove(calibri)
    assert [str(f) for f in wrong] == []


def test_a_sample_with_a_plain_quoc_hieu_is_caught() -> None:
    doc = _sample("Mẫu 1.4", "Mẫu 1.5")
    _runs(_find(doc, "CỘNG HÒA"), bold=False)
    _remove(_following(_find(doc, "Độc lập")))
    rules = _rules(check_document(doc))  # type: ignore[arg-type]
    assert {"quoc-hieu.dinh-dang", "tieu-ngu.duong-ke"} <= rules


# --- real agency documents (reference/real-docs, listed with their faults in SOURCES.md) -----

# The faults SOURCES.md lists for each file, as the rules that report them.
REAL_FAULTS = {
    "02-kh-thpt-caolanh2-lichsu.docx": {"le.trai"},
    "03-ttr-snv-lamdong-thuaphatlai.docx": set(),
    "04-tb-ubnd-lamdong-ketluan-cchc.docx": {"phong-chu.ten", "phong-chu.kieu"},
    "05-bb-cuchoachat-thamdinh.docx": {"phong-chu.ten", "phong-chu.kieu", "so.thieu"},
    "06-cv-sct-laocai-moihop.docx": {"phong-chu.kieu"},
    "07-qd-xndaumay-saigon.docx": {
        "bo-cuc.chung-dong", "tieu-ngu.chu", "le.trai", "phong-chu.kieu"
    },
    "11-qd-ubnd-vinhlong-gianuoc.docx": {
        "bo-cuc.chung-dong", "tieu-ngu.chu", "so.mau", "le.tren", "le.duoi", "le.trai"
    },
    "12-bc-gia-ca-khanhhoa.docx": {"le.tren", "le.duoi", "trang.kho-giay-lech"},
    "13-hd-hdtdkt-hungyen-cumkhoi.docx": {"tieu-ngu.dong-rieng", "so.mau"},
    "14-bb-snv-quangbinh-taphuan.docx": {
        "quoc-hieu.chu", "tieu-ngu.chu", "tieu-ngu.duong-ke", "co-quan.thieu", "so.thieu", "le.trai"
    },
}  # fmt: skip


def _no_real_docs() -> None:
    # CI runs on a clone with ../shared beside it (.ci/run): there these tests must run.
    if os.environ.get("CI"):
        pytest.fail("../shared/reference/real-docs is missing")
    pytest.skip("reference/real-docs is not beside the repository")


@pytest.mark.parametrize("name", sorted(REAL_FAULTS))
def test_real_documents_report_their_listed_faults(name: str) -> None:
    path = REAL_DOCS / name
    if not path.exists():
        _no_real_docs()
    report = check_files([path])
    assert report.problems == []
    rules = _rules(report.files[0].findings)  # type: ignore[arg-type]
    assert REAL_FAULTS[name] <= rules, sorted(rules)
    # A blank number or day in an unsigned draft is not a fault.
    assert not rules & {"so.so-0", "ngay.so-0", "ngay.mau"} or name.startswith("11-")


def test_real_documents_never_crash_the_cli(runner: CliRunner) -> None:
    files = sorted(REAL_DOCS.glob("*.docx"))
    if not files:
        _no_real_docs()
    result = runner.invoke(cli, ["check", *map(str, files)])
    assert result.exit_code == 1, result.output
    assert "Lỗi chương trình" not in result.output
    assert result.output.count("Lỗi: ") >= len(files) - 1


# --- files that are not .docx ----------------------------------------------------------------


def _unreadable(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "ghi-chu.docx"
    text.write_text("không phải Word", encoding="utf-8")
    old = tmp_path / "cu.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    archive = tmp_path / "zip.docx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "xin chào")
    broken = tmp_path / "hong.docx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("word/document.xml", "<w:document")
    return {
        "khong-phai-docx": text,
        "khong-phai-docx ": old,
        "khong-phai-docx  ": archive,
        "khong-doc-duoc": broken,
        "khong-doc-duoc ": tmp_path / "khong-co.docx",
        "khong-phai-tep": tmp_path,
    }


def test_unreadable_files_are_input_problems_named_by_file(papers: Path, tmp_path: Path) -> None:
    bad = _unreadable(tmp_path)
    report = check_files([*bad.values(), papers / "KH-ke-hoach.docx"])
    assert [(p.code, p.file) for p in report.problems] == [
        (code.strip(), str(path)) for code, path in bad.items()
    ]
    assert all(p.hint for p in report.problems)
    assert [f.file for f in report.files] == [str(papers / "KH-ke-hoach.docx")]
    assert report.exit_code == 1


# --- command line ----------------------------------------------------------------------------


def test_cli_clean_paper_exits_0(runner: CliRunner, papers: Path) -> None:
    result = runner.invoke(cli, ["check", str(papers / "QD-thanh-lap-hoi-dong.docx")])
    assert result.exit_code == 0, result.output
    assert "đúng thể thức" in result.output


def test_cli_prints_one_line_per_finding_and_exits_1(
    runner: CliRunner, papers: Path, tmp_path: Path
) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].right_margin = Mm(10)
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 5 tháng 3 năm 2024")
    path = tmp_path / "sai.docx"
    doc.save(str(path))
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Lỗi: ")]
    assert len(lines) == 2, result.output
    margin, date = lines
    assert "[le.phai]" in margin and "cần 15–20 mm; đang là 10 mm" in margin
    assert "[ngay.so-0]" in date and "«Bình Trung, ngày 5 tháng 3 năm 2024»" in date
    assert "cần «ngày 05»; đang là «ngày 5»" in date
    assert date.startswith(f"Lỗi: {path} › đoạn ")


def test_cli_json_equals_the_library_report(runner: CliRunner, papers: Path) -> None:
    files = [papers / "KH-ke-hoach.docx", papers / "BB-hop-hoi-dong.docx"]
    paths = [str(f) for f in files]
    result = runner.invoke(cli, ["check", "--json", *paths])
    assert result.exit_code == 0
    assert json.loads(result.output) == check_files(files).to_dict()


def test_cli_json_of_a_broken_and_an_unreadable_file(
    runner: CliRunner, papers: Path, tmp_path: Path
) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].left_margin = Mm(20)
    broken = tmp_path / "le.docx"
    doc.save(str(broken))
    text = tmp_path / "a.docx"
    text.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["check", "--json", str(broken), str(text)])
    assert result.exit_code == 1
    assert "Lỗi chương trình" not in result.output
    printed = json.loads(result.output[: result.output.rindex("}") + 1])
    expected: CheckReport = check_files([broken, text])
    assert printed == expected.to_dict()
    assert printed["files"][0]["findings"][0]["rule"] == "le.trai"
    assert printed["problems"][0]["file"] == str(text)


def test_cli_unreadable_file_is_named_without_traceback(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bang.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert f"Lỗi: {path}: không phải tệp Word .docx" in result.output
    assert "Traceback" not in result.output


# --- the rules data file ---------------------------------------------------------------------


def test_rules_come_from_the_spec_not_the_writer() -> None:
    book = rulebook()
    assert book.font == "Times New Roman"
    assert book.page_mm == (210, 297)
    assert book["le.trai"].range("mm") == (30, 35)
    assert book["le.phai"].range("mm") == (15, 20)
    assert book["quoc-hieu.dinh-dang"].range("co_chu") == (12, 13)
    assert book["noi-nhan.dinh-dang"].range("co_chu") == (12, 12)
    assert book["noi-nhan.danh-sach"].range("co_chu") == (11, 11)
    assert book["so.dinh-dang"].range("co_chu") == (13, 13)


def test_the_loader_names_every_problem_at_once() -> None:
    raw = load_data_toml("nd30-rules.toml")
    broken = copy.deepcopy(raw)
    del broken["quy_tac"]["le.tren"]
    broken["quy_tac"]["le.moi"] = {"muc": "loi", "ten": "x", "nguon": "y"}
    broken["quy_tac"]["le.trai"]["mm"] = [35, 30]
    broken["quy_tac"]["so.mau"]["mau"] = "^Số: (?P<so>\\d+$"
    broken["quy_tac"]["ngay.mau"]["mau"] = "^ngày (?P<ngay>\\d+)$"
    broken["quy_tac"]["le.phai"]["muc"] = "nang"
    broken["quy_tac"]["le.duoi"]["thua"] = 1
    with pytest.raises(ValueError) as caught:
        parse_rules(broken)
    message = str(caught.value)
    for fragment in (
        "quy_tac.le.tren]: missing",
        "quy_tac.le.moi]: no check",
        "quy_tac.le.trai] mm",
        "quy_tac.so.mau] mau: not a valid pattern",
        "quy_tac.ngay.mau] mau: needs the groups dia_danh, nam, thang",
        "quy_tac.le.phai] muc",
        "quy_tac.le.duoi] thua",
    ):
        assert fragment in message, message
    assert parse_rules(raw) == rulebook()


def test_rule_table_in_docs_is_up_to_date() -> None:
    text = (ROOT / "docs" / "nd30-rules.md").read_text(encoding="utf-8")
    assert text == rules_markdown(rulebook()), "run: python scripts/build_rules_doc.py"
    for rule_id in PARAMS:
        assert f"`{rule_id}`" in text
