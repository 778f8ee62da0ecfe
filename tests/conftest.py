from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from pipeline.model.documents import catalogue
from tests.web_helpers import signed_in

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "inputs" / "binh-trung-2024"
DATA = Path(__file__).resolve().parent / "data"
# Every paper of a dossier, in the catalogue's order (the five a recognised dossier gets).
PAPERS = tuple(doc.file for doc in catalogue().values())


# The fast set a developer runs while working (`make test-fast`): these modules and tests
# drive LibreOffice, Chromium or child processes, or loop over generated inputs. `make test`
# and CI run everything.
_SLOW_MODULES = {
    "test_archive.py",
    "test_attachment_pdf.py",
    "test_diff.py",
    "test_leftovers.py",
    "test_outputset.py",
    "test_packaging.py",
    "test_pdf.py",
    "test_redline.py",
    "test_scale.py",
    "test_web_browser.py",
    "test_web_sign.py",
}
_SLOW_TESTS = {
    "test_the_workbook_pdf_passes_hoso_check_at_full_size",
    "test_a_batch_builds_the_others_around_a_broken_dossier",
    "test_any_cell_value_gives_exit_0_or_a_located_exit_1",
    "test_each_stage_reports_the_same_text_alone_and_in_build",
    "test_hoso_web_serves_on_localhost_and_stops_on_ctrl_c",
    "test_hostile_template_is_refused_in_bounded_memory_and_time",
    "test_hostile_workbook_is_refused_in_bounded_memory_and_time",
    "test_ingest_never_crashes_on_random_cells",
    "test_issue_asks_for_passwords_before_it_locks_the_register",
    "test_issued_version_keeps_pdfs_but_not_their_record",
    "test_libreoffice_opens_every_paper_as_a4",
    "test_libreoffice_resaved_workbook_still_ingests",
    "test_office_resaved_files_are_read_the_same",
    "test_papers_as_pdf_with_a_preview_of_their_first_page",
    "test_parallel_build_gives_the_serial_bytes",
    "test_pdf_and_build_with_pdfs_read_each_file_once",
    "test_pdf_beside_every_paper_then_only_when_a_paper_changes",
    "test_real_documents_never_crash_the_cli",
    "test_workbook_prints_on_a4_landscape_with_libreoffice",
    # The unit x era matrices and generated-text loops: seconds each, dozens of cases.
    "test_any_profile_text_gives_exit_0_or_a_located_exit_1",
    "test_every_kind_of_unit_in_its_own_words",
    "test_every_paper_speaks_the_units_words",
    "test_filled_workbooks_are_never_overwritten",
    "test_forms_then_refuse_to_overwrite",
    "test_over_long_free_text_names_its_key",
    "test_same_profile_gives_identical_bytes",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if item.path.name in _SLOW_MODULES or name in _SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    """The template-check cache of this run in a folder of its own (child processes too),
    never the developer's."""
    os.environ["HOSO_CACHE"] = tempfile.mkdtemp(prefix="hoso-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop("HOSO_CACHE", ""), ignore_errors=True)


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    """A private copy of the demo dossier, free to edit."""
    target = tmp_path / "binh-trung-2024"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def edit_profile(dossier: Path) -> Callable[[str, str], Path]:
    """Replace the start of the first line of the dossier's hoso.toml that begins with `old`."""

    def edit(old: str, new: str) -> Path:
        path = dossier / "hoso.toml"
        text = path.read_text(encoding="utf-8")
        text, count = re.subn("^" + re.escape(old), lambda _: new, text, count=1, flags=re.M)
        assert count == 1, old
        path.write_text(text, encoding="utf-8")
        return dossier

    return edit


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def _own_redliner(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our own tracked-changes writer unless a test picks the engine: the archive tests pin
    its exact output, and python-redlines takes seconds per paper (its own tests set
    HOSO_REDLINE or pass the engine)."""
    monkeypatch.setenv("HOSO_REDLINE", "noi-bo")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """The web page's test client, signed in, over the `app` fixture of the module."""
    return signed_in(app)
