"""A copy of the demo dossier with its outputs, and the village correction of the issue."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DEMO
from tests.helpers import edit

# The demo's one correction: Khuổi Khỉn typed 1 child in conflict with the law, it is 0.
CORRECTED_FILE = "thon/khuoi-khin.xlsx"


@dataclass(frozen=True)
class Setup:
    dossier: Path
    out: Path
    archive: Path


def build(dossier: Path, out: Path) -> None:
    """ingest -> score -> render through the library, as `hoso build` will."""
    ingest_to(dossier, out)
    score(dossier, out)
    render(dossier, out)


def demo_setup(tmp_path: Path) -> Setup:
    dossier = tmp_path / "binh-trung-2024"
    shutil.copytree(DEMO, dossier)
    out = tmp_path / "outputs" / "binh-trung-2024"
    build(dossier, out)
    return Setup(dossier, out, tmp_path / "archive")


def correct(setup: Setup, value: int = 0) -> None:
    """The village corrects one cell; the clerk re-runs the stages."""
    edit(setup.dossier / CORRECTED_FILE, {"vi_pham_phap_luat": value})
    build(setup.dossier, setup.out)
