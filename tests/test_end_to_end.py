"""A clerk's whole season through the command line: a new dossier, blank forms, villages
filling them in, a mistake caught and corrected, scoring and the five papers."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.files.docxread import text_lines
from tests.conftest import DEMO
from tests.factories import PERFECT_COMMUNE, PERFECT_VILLAGE
from tests.helpers import edit


def _yes_no(values: dict[str, object]) -> dict[str, object]:
    """What a person types in the form: "Có"/"Không" for yes/no cells."""
    return {k: ("Có" if v else "Không") if isinstance(v, bool) else v for k, v in values.items()}


def test_forms_fill_ingest_score_render(runner: CliRunner, tmp_path: Path) -> None:
    dossier = tmp_path / "binh-trung-2024"
    dossier.mkdir()
    shutil.copy(DEMO / "hoso.toml", dossier / "hoso.toml")
    out = tmp_path / "out"

    assert runner.invoke(cli, ["forms", str(dossier)]).exit_code == 0
    villages = sorted((dossier / "thon").glob("*.xlsx"))
    assert len(villages) == 12
    for path in villages:
        edit(path, _yes_no(dict(PERFECT_VILLAGE)))
    edit(dossier / "xa.xlsx", _yes_no(dict(PERFECT_COMMUNE)))
    # One village types more vaccinated babies than babies.
    edit(villages[0], {"duoi_1_tuoi": 9, "duoi_1_tiem_du": 10})

    failed = runner.invoke(cli, ["ingest", str(dossier), "--out", str(out)])
    assert failed.exit_code == 1
    errors = [line for line in failed.output.splitlines() if line.startswith("Lỗi: ")]
    assert len(errors) == 1 and "(duoi_1_tiem_du)" in errors[0], failed.output
    assert not (out / "data.json").exists()

    edit(villages[0], {"duoi_1_tuoi": 10})
    for command in ("ingest", "score", "render"):
        result = runner.invoke(cli, [command, str(dossier), "--out", str(out)])
        assert result.exit_code == 0, (command, result.output)
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "BB-hop-hoi-dong.docx",
        "BC-ket-qua-danh-gia.docx",
        "KH-ke-hoach.docx",
        "QD-thanh-lap-hoi-dong.docx",
        "TTr-de-nghi-cong-nhan.docx",
    ]
    report = text_lines(docx.Document(str(out / "BC-ket-qua-danh-gia.docx")))
    # Twelve perfect villages of 200 children; the demo council's override of 10.2 changes
    # nothing on perfect data.
    assert "Xã Bình Trung có 12 thôn; tổng số trẻ em dưới 16 tuổi là 2.400 trẻ." in report
    assert (
        "Tổng số điểm: 1.000/1.000 điểm (ngưỡng điểm công nhận: 800 điểm); "
        "không có tiêu chí nào 0 điểm." in report
    )
