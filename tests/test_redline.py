"""The tracked-changes engines (our writer and python-redlines): Word's w:ins/w:del, read
back by us and by LibreOffice. Both engines pass the same checks."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

from pipeline.archive.docxdiff import paragraphs, read
from pipeline.archive.redline import Redliner, redline, tracked_changes, version_texts
from pipeline.archive.redliners import RedlinesEngine
from tests.archive_helpers import correct, demo_setup
from tests.helpers import libreoffice_convert

WHEN = datetime(2024, 11, 5, 9, 30)


@pytest.fixture(params=["noi-bo", "redlines"])
def engine(request: pytest.FixtureRequest) -> Redliner:
    """Each engine for real: python-redlines runs its bundled binary (installed by `dev`)."""
    return redline if request.param == "noi-bo" else RedlinesEngine()


def _doc(*texts: str, bold: str = "") -> bytes:
    document: DocxDocument = docx.Document()
    for text in texts:
        para = document.add_paragraph()
        if bold and text.startswith(bold):
            para.add_run(bold).bold = True
            para.add_run(text[len(bold) :])
        else:
            para.add_run(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "915"
    table.cell(0, 1).text = "940"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _texts(data: bytes) -> list[str]:
    return [p.text for p in paragraphs(read(data))]


def test_changed_words_inserted_and_deleted_paragraphs(engine: Redliner) -> None:
    old = _doc("Tổng điểm: 940 điểm.", "Một đoạn sẽ bỏ.", "Kết luận.", bold="Tổng điểm:")
    new = _doc("Tổng điểm: 965 điểm.", "Kết luận.", "Một đoạn mới.", bold="Tổng điểm:")
    tracked = engine(old, new, author="UBND xã Bình Trung", when=WHEN)
    assert version_texts(tracked, accepted=True) == _texts(new)
    assert version_texts(tracked, accepted=False) == _texts(old)
    # Engines differ only in putting a replaced word's deletion before or after its insertion.
    assert Counter(tracked_changes(tracked)) == Counter(
        [("del", "940"), ("ins", "965"), ("del", "Một đoạn sẽ bỏ."), ("ins", "Một đoạn mới.")]
    )
    body = read(tracked).element.body
    marks = list(body.iter(qn("w:ins"), qn("w:del")))
    assert {m.get(qn("w:author")) for m in marks} == {"UBND xã Bình Trung"}
    assert {m.get(qn("w:date")) for m in marks} == {"2024-11-05T09:30:00Z"}
    assert len({m.get(qn("w:id")) for m in marks}) == len(marks)
    # The unchanged bold label keeps its formatting.
    first = paragraphs(read(tracked))[0].element
    bold_runs = [
        r for r in first.iter(qn("w:r")) if r.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None
    ]
    assert "".join(t.text for r in bold_runs for t in r.iter(qn("w:t"))) == "Tổng điểm:"


def test_a_paragraph_with_a_field_is_replaced_whole() -> None:
    old, new = _doc("Trang 1"), _doc("Trang 2")
    document = read(new)
    run = paragraphs(document)[0].element.find(qn("w:r"))
    run.append(etree.SubElement(run, qn("w:fldChar"), {qn("w:fldCharType"): "begin"}))
    buffer = io.BytesIO()
    document.save(buffer)
    tracked = redline(old, buffer.getvalue(), author="x", when=WHEN)
    assert tracked_changes(tracked)[:2] == [("del", "Trang 1"), ("ins", "Trang 2")]
    assert version_texts(tracked, accepted=False)[0] == "Trang 1"


def test_identical_papers_have_no_tracked_change(engine: Redliner) -> None:
    same = _doc("Không đổi.")
    assert tracked_changes(engine(same, same, author="x", when=WHEN)) == []


_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _events(node: etree._Element) -> Iterator[tuple[str, str]]:
    """A paragraph's content in order: ("text", …), ("start"/"end", ""), ("change", id)."""
    tag = node.tag
    if tag == _TEXT + "change-start":
        yield "start", ""
    elif tag == _TEXT + "change-end":
        yield "end", ""
    elif tag == _TEXT + "change":
        yield "change", str(node.get(_TEXT + "change-id"))
    elif tag == _TEXT + "s":
        yield "text", " " * int(node.get(_TEXT + "c", "1"))
    elif tag == _TEXT + "tab":
        yield "text", "\t"
    elif node.text:
        yield "text", node.text
    for child in node:
        yield from _events(child)
        if child.tail:
            yield "text", child.tail


def _odt_versions(odt: Path) -> tuple[list[str], list[str]]:
    """Paragraph texts of LibreOffice's reading: with every change accepted, and rejected."""
    root = etree.fromstring(zipfile.ZipFile(odt).read("content.xml"))
    deleted = {
        str(region.get(_TEXT + "id")): "".join(
            "".join(p.itertext()) for p in region.iter(_TEXT + "p")
        )
        for region in root.iter(_TEXT + "changed-region")
        if region.find(_TEXT + "deletion") is not None
    }
    body = root.find(f"{_OFFICE}body/{_OFFICE}text")
    assert body is not None
    accepted: list[str] = []
    rejected: list[str] = []
    for para in body.iter(_TEXT + "p", _TEXT + "h"):
        if any(a.tag == _TEXT + "tracked-changes" for a in para.iterancestors()):
            continue
        acc: list[str] = []
        rej: list[str] = []
        inserting = False
        for kind, value in _events(para):
            if kind in ("start", "end"):
                inserting = kind == "start"
            elif kind == "change":
                rej.append(deleted.get(value, ""))
            else:
                acc.append(value)
                if not inserting:
                    rej.append(value)
        accepted.append("".join(acc))
        rejected.append("".join(rej))
    return accepted, rejected


def _lines(texts: list[str]) -> list[str]:
    return [" ".join(t.split()) for t in texts if t.strip()]


@pytest.fixture(scope="module")
def report_versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """The demo's report before and after a village corrects one cell (real papers)."""
    setup = demo_setup(tmp_path_factory.mktemp("demo"))
    old = (setup.out / "BC-ket-qua-danh-gia.docx").read_bytes()
    correct(setup)
    return old, (setup.out / "BC-ket-qua-danh-gia.docx").read_bytes()


def test_libreoffice_reads_the_tracked_report_right(
    tmp_path: Path, engine: Redliner, report_versions: tuple[bytes, bytes]
) -> None:
    old, new = report_versions
    tracked = tmp_path / "bao-cao.docx"
    tracked.write_bytes(engine(old, new, author="UBND xã Bình Trung", when=WHEN))
    # The corrected figure (1 -> 0 children) and the total it moves (940 -> 965) are marked.
    changes = tracked_changes(tracked.read_bytes())
    deleted = " ".join(text for kind, text in changes if kind == "del")
    inserted = " ".join(text for kind, text in changes if kind == "ins")
    assert "940" in deleted and "965" not in deleted
    assert "965" in inserted and "940" not in inserted
    assert ("del", "1") in changes and ("ins", "0") in changes
    assert version_texts(tracked.read_bytes(), accepted=True) == _texts(new)
    assert version_texts(tracked.read_bytes(), accepted=False) == _texts(old)
    odt = libreoffice_convert(tracked, "odt", tmp_path)
    pdf = libreoffice_convert(tracked, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF-")
    accepted, rejected = _odt_versions(odt)
    assert _lines(accepted) == _lines(_texts(new))
    assert _lines(rejected) == _lines(_texts(old))
    assert _lines(accepted) != _lines(rejected)


def test_our_writer_alone_when_the_setting_says_so(tmp_path: Path) -> None:
    """HOSO_REDLINE=noi-bo: python-redlines is never imported, as on a machine without it."""
    old, new = tmp_path / "old.docx", tmp_path / "new.docx"
    old.write_bytes(_doc("Tổng điểm: 940 điểm."))
    new.write_bytes(_doc("Tổng điểm: 965 điểm."))
    script = (
        "import sys, datetime, pathlib\n"
        "from pipeline.archive.redliners import ChosenRedliner\n"
        "from pipeline.archive.redline import tracked_changes\n"
        "chosen = ChosenRedliner()\n"
        "old, new = (pathlib.Path(a).read_bytes() for a in sys.argv[1:])\n"
        "out = chosen(old, new, author='x', when=datetime.datetime(2024, 11, 5))\n"
        "loaded = 'python_redlines' in sys.modules\n"
        "print(chosen.name, chosen.notice, tracked_changes(out), loaded)\n"
    )
    env = {**os.environ, "HOSO_REDLINE": "noi-bo"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(old), str(new)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "noi-bo None [('del', '940'), ('ins', '965')] False"
