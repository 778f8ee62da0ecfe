"""`hoso check FILE.pdf`: page size, margins from the words' boxes, embedded fonts, page
numbers and the PDF/A claim, on PDFs LibreOffice makes from our papers and broken copies."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.document import Document as DocxDocument
from docx.shared import Mm

from pipeline.check.checker import check_files, report_lines
from pipeline.check.pages import find_soffice
from pipeline.check.pdfcheck import Page, Word, check_fonts, check_pages
from pipeline.check.rules import rulebook
from pipeline.cli import cli
from pipeline.model.dossier import Dossier
from pipeline.papers.sheet_print import PT_PER_MM
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DEMO, PAPERS
from tests.helpers import libreoffice_convert
from tests.nd30_faults import no_page_numbers, page_in_footer, steps

PDF_A = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'

BROKEN: dict[str, tuple[str, Callable[[DocxDocument], None]]] = {
    "le-trai": ("le.trai", lambda d: setattr(d.sections[0], "left_margin", Mm(40))),
    "le-tren": ("le.tren", lambda d: setattr(d.sections[0], "top_margin", Mm(30))),
    "le-phai": ("le.phai", lambda d: setattr(d.sections[0], "right_margin", Mm(8))),
    "kho-giay": ("trang.kho-giay", lambda d: setattr(d.sections[0], "page_height", Mm(279))),
    "trang-dau": (
        "so-trang.trang-dau",
        lambda d: setattr(d.sections[0], "different_first_page_header_footer", False),
    ),
    "khong-so-trang": ("so-trang.thieu", no_page_numbers),
    "chan-trang": ("so-trang.vi-tri", steps(no_page_numbers, page_in_footer)),
}


def _tools() -> None:
    if find_soffice() is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice or poppler-utils is missing")
        pytest.skip("LibreOffice or poppler-utils is not installed")


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo's papers and broken copies of its plan as PDF/A, converted in one
    LibreOffice call."""
    _tools()
    base = tmp_path_factory.mktemp("pdf")
    dossier = base / "binh-trung-2024"
    shutil.copytree(DEMO, dossier)
    out = base / "out"
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    sources = [out / name for name in PAPERS]
    for name, (_, change) in BROKEN.items():
        doc = docx.Document(str(out / "KH-ke-hoach.docx"))
        change(doc)
        path = base / f"{name}.docx"
        doc.save(str(path))
        sources.append(path)
    plain = base / "plain"
    plain.mkdir()
    soffice = find_soffice()
    assert soffice is not None
    subprocess.run(
        [str(soffice), f"-env:UserInstallation={(base / 'lo').as_uri()}", "--headless",
         "--convert-to", PDF_A, "--outdir", str(base / "pdf"), *map(str, sources)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return {p.stem: p for p in (base / "pdf").glob("*.pdf")}


@pytest.mark.parametrize("name", PAPERS)
def test_a_pdf_of_each_of_our_papers_is_clean_and_claims_pdfa(
    pdfs: dict[str, Path], name: str
) -> None:
    # The minutes' attendance table and the report's many one-line paragraphs once read
    # as margins of 44 and 40 mm: where most lines start is not where the text begins.
    report = check_files([pdfs[Path(name).stem]])
    (checked,) = report.files
    assert checked.findings == [], [str(f) for f in checked.findings]
    assert checked.notes == [checked.notes[0]] and "PDF/A-2B" in checked.notes[0]
    assert report.exit_code == 0
    (verdict,) = [line for line in report_lines(report) if "theo Nghị định" in line]
    assert "đúng khổ giấy, lề, phông chữ và số trang" in verdict  # not the whole format


def _line(y: float, *starts_ends: tuple[float, float]) -> list[Word]:
    """Words of one line at `y` mm from the top, each given as (x0, x1) in mm."""
    mm = PT_PER_MM
    return [Word(a * mm, y * mm, b * mm, (y + 5) * mm, "chữ") for a, b in starts_ends]


def _a4(words: list[Word]) -> Page:
    return Page(210 * PT_PER_MM, 297 * PT_PER_MM, words)


def test_margins_are_the_texts_edges_not_where_most_lines_start() -> None:
    # On each page: 30 one-line paragraphs indented 10 mm (from 40 to 150 mm), 18 lines of
    # justified text from 30 to 195 mm, two table rows set wider (25 to 200 mm).
    def page(shift: float) -> Page:
        spans = [[(40.0, 150.0)]] * 30 + [[(30.0, 100.0), (101.0, 195.0)]] * 18
        spans += [[(25.0, 200.0)]] * 2
        words: list[Word] = []
        for i, line in enumerate(spans):
            words += _line(25 + 5 * i, *[(a - shift, b - shift) for a, b in line])
        return _a4(words)

    found = check_pages([page(0), page(0)], rulebook())
    assert not [f for f in found if f.rule.startswith("le.")], [f.found for f in found]
    # The same text set 5 mm further left: that is what is said.
    found = check_pages([page(5), page(5)], rulebook())
    assert [(f.rule, f.found) for f in found if f.rule.startswith("le.")] == [
        ("le.trai", "chữ bắt đầu cách mép 25 mm")
    ]


def test_page_numbers_in_the_footer_are_one_finding_not_a_narrow_margin() -> None:
    # A number 17.5 mm above the bottom edge, reaching into the body's last 20 mm.
    def page(n: int) -> Page:
        body = [w for i in range(30) for w in _line(25 + 8 * i, (30, 120), (121, 195))]
        number = Word(104 * PT_PER_MM, 273 * PT_PER_MM, 106 * PT_PER_MM, 279.5 * PT_PER_MM, str(n))
        return _a4([*body, number])

    found = check_pages([page(n) for n in range(1, 6)], rulebook())
    assert [(f.rule, f.where) for f in found] == [
        ("so-trang.trang-dau", "trang 1"),
        ("so-trang.vi-tri", "trang 2–5"),
    ]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_pdf_is_caught(pdfs: dict[str, Path], name: str) -> None:
    rule = BROKEN[name][0]
    (checked,) = check_files([pdfs[name]]).files
    rules = {f.rule for f in checked.findings}
    assert rule in rules, [str(f) for f in checked.findings]
    # Nothing else is said about a paper with one fault.
    assert rules <= {rule, "so-trang.trang-dau"}, [str(f) for f in checked.findings]


def test_cli_reports_a_pdf_and_a_damaged_pdf(
    runner: CliRunner, pdfs: dict[str, Path], tmp_path: Path
) -> None:
    damaged = tmp_path / "hong.pdf"
    damaged.write_bytes(b"%PDF-1.4\nkhong phai pdf")
    result = runner.invoke(cli, ["check", str(pdfs["le-trai"]), str(damaged)])
    assert result.exit_code == 1
    assert "[le.trai]" in result.output and "cần 30–35 mm; đang là chữ bắt đầu cách mép" in (
        result.output
    )
    assert f"{damaged}: tệp PDF bị hỏng" in result.output
    assert "Lỗi chương trình" not in result.output


def test_fonts_not_embedded_or_not_times_are_named() -> None:
    used = [("LiberationSerif-Bold", True), ("TimesNewRomanPSMT", True), ("Arial", False)]
    found = {f.rule: f for f in check_fonts(used, rulebook())}
    assert set(found) == {"phong-chu.nhung", "phong-chu.ten"}
    assert found["phong-chu.nhung"].found == "Arial"
    assert found["phong-chu.ten"].found == "Arial"
    assert check_fonts(used[:2], rulebook()) == []


def test_a_font_that_draws_only_spaces_is_not_named(tmp_path: Path) -> None:
    # LibreOffice may set a space in a fallback font; no reader sees it. A word in that
    # font is a fault.
    _tools()
    for name, word_font in (("spaces", "Times New Roman"), ("word", "DejaVu Sans")):
        doc = docx.Document()
        para = doc.add_paragraph()
        for text, font in (("Chữ", "Times New Roman"), ("   ", "DejaVu Sans"), ("in", word_font)):
            para.add_run(text).font.name = font
        source = tmp_path / f"{name}.docx"
        doc.save(str(source))
        pdf = libreoffice_convert(source, "pdf", tmp_path)
        listed = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True)
        used = listed.stdout
        assert "DejaVuSans" in used  # the space's font is in the file
        (checked,) = check_files([pdf]).files
        named = [f.found for f in checked.findings if f.rule == "phong-chu.ten"]
        assert named == ([] if name == "spaces" else ["DejaVuSans"]), name
