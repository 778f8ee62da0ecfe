"""The score workbook's PDF, the landscape attachment signed beside the papers: made by a real
LibreOffice Calc conversion, it uses only the papers' font (Times New Roman, or its metric
twin Liberation Serif), and `hoso check` holds it to an attachment's rules, not a portrait
paper's."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline.check.checker import check_files
from pipeline.check.pdfcheck import PT_PER_MM, read_pages
from pipeline.sign.attachments import workbook_pdf
from tests.archive_helpers import build
from tests.conftest import DEMO
from tests.helpers import libreoffice_convert, poppler, soffice

TIMES = {"TimesNewRoman", "LiberationSerif"}


@pytest.fixture(scope="module")
def attachment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's score workbook as the PDF/A issue attaches (pipeline.sign.attachments)."""
    soffice()
    base = tmp_path_factory.mktemp("phu-luc")
    shutil.copytree(DEMO, base / DEMO.name)
    out = base / "out"
    build(base / DEMO.name, out)
    pdf = out / "bieu-cham-diem.pdf"
    pdf.write_bytes(workbook_pdf(out / "bieu-cham-diem.xlsx"))
    return pdf


def _fonts(pdf: Path) -> set[str]:
    listing = subprocess.run(
        [poppler("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    # "BAAAAA+LiberationSerif-Bold  TrueType …": the family, without subset tag and style.
    names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
    return {name.split("+")[-1].split("-")[0].split(",")[0] for name in names}


def test_the_workbook_pdf_uses_only_the_papers_font(attachment: Path) -> None:
    # The chart's titles, axes and legend used to fall back on LibreOffice's default sans
    # (DejaVu Sans); the cells, header and footer are Times New Roman.
    families = _fonts(attachment)
    assert families, "pdffonts found no font"
    assert families <= TIMES, families


def test_the_workbook_pdf_is_checked_as_a_landscape_attachment(attachment: Path) -> None:
    report = check_files([attachment])
    assert report.problems == []
    (checked,) = report.files
    assert any("nằm ngang" in note for note in checked.notes), checked.notes
    rules = {f.rule for f in checked.findings}
    # A portrait paper's page-number place (none on page 1, top centre) is not an
    # attachment's, its header's year is no page number, its font is right, and a table
    # centred on the page has no fault in its wide right margin.
    assert not {r for r in rules if r.startswith(("so-trang.", "phong-chu."))}, rules
    assert "phu-luc.so-trang" not in rules
    # Its margins are the decree's (top and bottom 20, left 30, right 15 mm at least): a
    # clerk checking the issued set does not see the pipeline's own attachment flagged.
    assert not {r for r in rules if r.startswith("le.")}, checked.findings
    assert checked.findings == []


def test_every_page_of_the_workbook_pdf_prints_at_full_size(attachment: Path) -> None:
    # The columns fit the width between the decree's margins: no sheet is shrunk to fit it.
    # Each page's header is the same 10 pt line; a sheet scaled down shrinks it with the
    # rest (the village sheet is printed at 100 %, so all equal means all at 100 %).
    pages = read_pages(attachment)
    assert pages
    heights = [
        round(min(w.y1 - w.y0 for w in page.words if w.y1 < 20 * PT_PER_MM), 1) for page in pages
    ]
    assert len(set(heights)) == 1, heights
    # 10 pt Times New Roman: its word boxes are 1.3 em high.
    assert heights[0] == pytest.approx(13.0, abs=0.2)


def test_a_landscape_attachment_without_page_numbers_is_found(tmp_path: Path) -> None:
    soffice()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_margins.left, sheet.page_margins.right = 1.25, 0.75
    sheet.page_margins.top = sheet.page_margins.bottom = 1.0
    for row in range(1, 120):
        sheet.cell(row, 1, f"Dòng {row}").font = openpyxl.styles.Font(name="Times New Roman")
    source = tmp_path / "bang.xlsx"
    book.save(source)
    pdf = libreoffice_convert(source, "pdf", tmp_path)
    (checked,) = check_files([pdf]).files
    rules = {f.rule: f for f in checked.findings}
    assert set(rules) == {"phu-luc.so-trang"}, checked.findings
    assert "không thấy số trang ở trang 2" in rules["phu-luc.so-trang"].found
