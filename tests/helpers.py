"""Editing real workbooks the way a village clerk (or a user's script) would."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from pipeline.common.errors import InputError, Problem
from pipeline.files.outputset import locked
from pipeline.model.dossier import Dossier
from pipeline.stages import freshness
from pipeline.stages.ingest import Ingested, ingest

SHEET = "Số liệu"


def row_of(ws: Any, code: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == code:
            return row
    raise KeyError(code)


def edit(path: Path, changes: dict[str, Any], sheet: str = SHEET) -> None:
    """Set value cells by indicator code, or plain cells by reference ("B4")."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    for target, value in changes.items():
        if target[:1].isupper() and target[1:].isdigit():
            ws[target] = value
        else:
            ws.cell(row_of(ws, target), 4).value = value
    book.save(path)


def problems(folder: Path) -> list[Problem]:
    try:
        result = ingest(Dossier(folder))
    except InputError as exc:
        return exc.problems
    return result.warnings


def located(folder: Path) -> list[tuple[str | None, str | None, str]]:
    """(cell, indicator, problem code) of every problem of an ingest run."""
    return [(p.cell, p.field, p.code) for p in problems(folder)]


def ingested(folder: Path) -> Ingested:
    return ingest(Dossier(folder))


def poppler(tool: str) -> str:
    """A poppler-utils program; missing is a skip on a developer machine, a failure in CI."""
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} (poppler-utils) is required in CI; see .ci/run")
        pytest.skip(f"{tool} (poppler-utils) not installed")
    return found


def soffice() -> str:
    """The LibreOffice binary; missing is a skip on a developer machine, a failure in CI."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required in CI; see .ci/run")
        pytest.skip("LibreOffice (soffice) not installed")
    return found


def libreoffice_convert(source: Path, fmt: str, outdir: Path) -> Path:
    """Open and save `source` with LibreOffice headless, as a clerk using Calc would."""
    profile = outdir / "lo-profile"
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", fmt, "--outdir", str(outdir), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return outdir / f"{source.stem}.{fmt.split(':', maxsplit=1)[0]}"


def as_if_written(out: Path, stage: freshness.Stage, name: str, data: bytes) -> None:
    """Replace out/name with `data` and record it as `stage` wrote it: what another run (or
    another version of hoso) would leave, as opposed to an edit by hand."""
    with locked(out) as folder:
        files = [(n, (out / n).read_bytes()) for n in freshness.WRITES[stage] if n != name]
        folder.publish(freshness.with_written(Dossier(out, out), stage, [*files, (name, data)]))
