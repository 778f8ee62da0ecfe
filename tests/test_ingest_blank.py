"""Blank forms nobody filled are "not yet received", said once by name, never a cell error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.model.dossier import Dossier
from pipeline.stages.forms import write_forms
from pipeline.stages.ingest import MISSING_VILLAGE, NOT_RECEIVED, ingest
from tests.conftest import DEMO
from tests.helpers import edit


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    """The demo dossier with blank forms written, then two villages' filled ones copied in."""
    folder = tmp_path / "binh-trung-2024"
    shutil.copytree(DEMO, folder)
    shutil.rmtree(folder / "thon")
    (folder / "xa.xlsx").unlink()
    write_forms(Dossier(folder))
    for name in ("na-cay.xlsx", "po-ma.xlsx"):
        shutil.copy(DEMO / "thon" / name, folder / "thon" / name)
    return folder


def _problems(folder: Path) -> list[tuple[str, str | None, str | None]]:
    with pytest.raises(InputError) as refused:
        ingest(Dossier(folder))
    return [(p.code, p.value, p.file) for p in refused.value.problems]


def test_untouched_blank_forms_are_not_yet_received_by_name(dossier: Path) -> None:
    found = _problems(dossier)
    assert all(code == NOT_RECEIVED for code, _, _ in found), found
    names = [value for _, value, _ in found]
    assert len(found) == 11  # ten villages and the commune, not ~90 empty cells
    assert "Nà Cáy" not in names and "Pò Mạ" not in names and "Khòn Khuyên" in names
    assert ("chua-nhan", "", "xa.xlsx") in found
    assert ("chua-nhan", "Bản Luận", "thon/ban-luan.xlsx") in found


def test_a_form_with_one_figure_typed_is_checked_as_filled(dossier: Path) -> None:
    edit(dossier / "thon" / "ban-luan.xlsx", {"duoi_1_tuoi": 12})
    found = _problems(dossier)
    cells = [f for code, _, f in found if code == "o-trong"]
    assert cells and set(cells) == {"thon/ban-luan.xlsx"}  # its other cells are wanted
    assert ("chua-nhan", "Bản Luận", "thon/ban-luan.xlsx") not in found


def test_a_village_with_no_form_at_all_is_still_missing(dossier: Path) -> None:
    (dossier / "thon" / "ban-luan.xlsx").unlink()
    found = _problems(dossier)
    assert (MISSING_VILLAGE, "Bản Luận", "thon/") in found


def test_hoso_ingest_says_the_same(dossier: Path) -> None:
    result = CliRunner().invoke(cli, ["ingest", str(dossier), "--out", str(dossier / "o")])
    assert result.exit_code == 1
    assert "ô để trống" not in result.output
    assert 'chưa nhận số liệu của thôn "Khòn Khuyên": biểu còn trống' in result.output
