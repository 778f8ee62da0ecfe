"""A copy of the demo dossier with its outputs, and the village correction of the issue."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.model.dossier import Dossier
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
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))


def demo_setup(tmp_path: Path) -> Setup:
    dossier = tmp_path / "binh-trung-2024"
    shutil.copytree(DEMO, dossier)
    out = tmp_path / "outputs" / "binh-trung-2024"
    build(dossier, out)
    return Setup(dossier, out, tmp_path / "archive")


def correct(setup: Setup, value: int = 0, *, meet: bool = True) -> None:
    """The village corrects one cell; the council meets again a week later (unless `meet`
    is False: the minutes issued cannot be re-made for their meeting); the clerk re-runs
    the stages."""
    edit(setup.dossier / CORRECTED_FILE, {"vi_pham_phap_luat": value})
    if meet:
        meet_again(setup.dossier)
    build(setup.dossier, setup.out)


def meet_again(dossier: Path, days: int = 7) -> None:
    """Move the council's meeting `days` later in hoso.toml (a new meeting, new minutes)."""
    profile = dossier / "hoso.toml"

    def later(match: re.Match[str]) -> str:
        moment = datetime.fromisoformat(match.group(2)) + timedelta(days=days)
        return f"{match.group(1)}{moment.isoformat()}"

    text = re.sub(
        r"^((?:bat_dau|ket_thuc) = )(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)",
        later,
        profile.read_text(encoding="utf-8"),
        flags=re.M,
    )
    profile.write_text(text, encoding="utf-8")
