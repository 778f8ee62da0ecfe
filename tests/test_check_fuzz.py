"""`hoso check` on mutated Word files: whatever document.xml holds, every file is checked or
named as an input problem (exit 0 or 1), never a crash (exit 4).

The mutations are what hand-edited or half-broken files carry: attribute values that are
not numbers or not in their list, children in another order, elements emptied or removed."""

from __future__ import annotations

import random
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pipeline.check.checker import check_files
from pipeline.cli import cli
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DEMO

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ODD_VALUES = ["abc", "", "-1", "0", "99999999999", "1.5", "true", "nan", "٣", "both", "dxa"]


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """One rendered paper and its document.xml."""
    base = tmp_path_factory.mktemp("fuzz")
    dossier = base / "binh-trung-2024"
    shutil.copytree(DEMO, dossier)
    out = base / "out"
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    path = out / "KH-ke-hoach.docx"
    with zipfile.ZipFile(path) as z:
        return path, z.read("word/document.xml")


def mutate(xml: bytes, seed: int, count: int) -> bytes:
    """`count` random mutations of document.xml, chosen by `seed`."""
    rng = random.Random(seed)
    root = etree.fromstring(xml)
    elements = [el for el in root.iter() if isinstance(el.tag, str) and el is not root]
    for _ in range(count):
        el = rng.choice(elements)
        kind = rng.randrange(6)
        if kind == 5:
            # Formatting attributes (sizes, indents, spacing, alignment) most of the time.
            el = rng.choice([e for e in elements if e.attrib] or elements)
            kind = 0
        if kind == 0 and el.attrib:
            name = rng.choice(list(el.attrib))
            if rng.random() < 0.25:
                del el.attrib[name]  # a required attribute may go missing
            else:
                el.set(name, rng.choice(ODD_VALUES))
        elif kind == 1 and len(el) > 1:
            kids = list(el)
            rng.shuffle(kids)
            for kid in kids:
                el.append(kid)
        elif kind == 2:
            for kid in list(el):
                el.remove(kid)
            el.attrib.clear()
            el.text = None
        elif kind == 3 and el.getparent() is not None and el.getparent() is not root:
            el.getparent().remove(el)
            elements = [e for e in elements if e is not el and el not in e.iterancestors()]
        else:
            # A copy of an element somewhere else (a second sectPr, a paragraph in a run…).
            target = rng.choice(elements)
            target.append(etree.fromstring(etree.tostring(el)))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def write_with(source: Path, target: Path, document: bytes) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = document if item.filename == "word/document.xml" else old.read(item)
            new.writestr(item, data)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 12))
def test_mutated_document_xml_is_checked_or_refused_never_a_crash(
    paper: tuple[Path, bytes], tmp_path: Path, seed: int, count: int
) -> None:
    source, xml = paper
    target = tmp_path / f"dot-bien-{seed}-{count}.docx"
    write_with(source, target, mutate(xml, seed, count))
    # Without laying out: LibreOffice would only count pages.
    report = check_files([target, source], layout=False)
    assert report.exit_code in (0, 1)
    assert [f.file for f in report.files][-1] == str(source)
    assert len(report.files) + len(report.problems) == 2


def test_the_cli_reports_every_mutated_file(paper: tuple[Path, bytes], tmp_path: Path) -> None:
    source, xml = paper
    files = []
    for seed in range(6):
        target = tmp_path / f"dot-bien-{seed}.docx"
        write_with(source, target, mutate(xml, seed, 8))
        files.append(target)
    result = CliRunner().invoke(cli, ["check", *map(str, files), str(source)])
    assert result.exit_code in (0, 1), result.output
    assert "Lỗi chương trình" not in result.output
    for path in [*files, source]:
        assert str(path) in result.output
