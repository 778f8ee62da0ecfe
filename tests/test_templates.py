"""The shipped templates are what `scripts/build_templates.py` builds, and stay editable."""

from __future__ import annotations

import io
import zipfile

import pytest
from docxtpl import DocxTemplate

from pipeline.render import jinja_environment
from scripts import build_templates
from tests.conftest import ROOT

# Parts our builder writes; the rest (theme, fonts table) is python-docx's stock package.
OWN_PARTS = ("word/document.xml", "word/header1.xml", "word/header2.xml")


@pytest.mark.parametrize("name", sorted(build_templates.BUILDERS))
def test_committed_template_matches_its_build_script(name: str) -> None:
    committed = zipfile.ZipFile(ROOT / "templates" / name)
    built = zipfile.ZipFile(io.BytesIO(build_templates.build(name)))
    for part in OWN_PARTS:
        assert committed.read(part) == built.read(part), (
            f"{part} of templates/{name} differs: run python scripts/build_templates.py"
        )


def test_plan_template_shows_its_variables_as_jinja_tags() -> None:
    template = DocxTemplate(str(ROOT / "templates" / "KH-ke-hoach.docx"))
    variables = template.get_undeclared_template_variables(jinja_environment())
    assert variables == {
        "don_vi", "co_quan", "van_ban", "ke_hoach", "tiep_nhan", "cap_tren",
    }  # fmt: skip
