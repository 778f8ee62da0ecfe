"""One report per stage: `hoso ingest/score/render/pdf` and `hoso build` say the same words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.model.dossier import Dossier
from pipeline.stages.build import build
from pipeline.stages.pdf import SOFFICE_SETTING
from tests.conftest import ROOT
from tests.helpers import soffice

WARD = "le-chan-2026"


def _lines(text: str) -> list[str]:
    """The report, without the progress lines only a single command shows as it works."""
    return [line for line in text.splitlines() if not line.startswith(("Đọc ", "Chuyển "))]


@pytest.mark.parametrize("pdf", [False, True], ids=["ingest-score-render", "with-pdf"])
def test_each_stage_reports_the_same_text_alone_and_in_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf: bool
) -> None:
    if pdf:
        monkeypatch.setenv(SOFFICE_SETTING, soffice())
    monkeypatch.chdir(tmp_path)
    dossier = tmp_path / WARD
    shutil.copytree(ROOT / "inputs" / WARD, dossier)
    runner = CliRunner()
    alone = tmp_path / "alone"
    together = tmp_path / "together"

    stages = ["ingest", "score", "render", *(["pdf"] if pdf else [])]
    said: dict[str, list[str]] = {}
    for stage in stages:
        result = runner.invoke(cli, [stage, str(dossier), "--out", str(alone)])
        assert result.exit_code == 0, result.output
        said[stage] = _lines(result.output.replace(str(alone), "<OUT>"))

    built = build(Dossier(dossier, together), pdf=pdf)
    assert [str(stage) for stage in built.stages] == stages
    in_build = [m.text.replace(str(together), "<OUT>") for m in built.messages]
    for stage in stages:
        block = said[stage]
        start = in_build.index(block[0])
        assert in_build[start : start + len(block)] == block, stage
    # The commune-level data is named by the law's level, as its form is, for a ward too.
    assert any("7 tổ dân phố và số liệu cấp xã" in line for line in said["ingest"])
