from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.model.documents import catalogue

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "inputs" / "binh-trung-2024"
DATA = Path(__file__).resolve().parent / "data"
# Every paper of a dossier, in the catalogue's order (the five a recognised dossier gets).
PAPERS = tuple(doc.file for doc in catalogue().values())


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
