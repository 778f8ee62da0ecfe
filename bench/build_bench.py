"""How long `hoso build` takes on the two demo dossiers: cold, unchanged, after one cell.

Run `python bench/build_bench.py` (with `--pdf` to include the PDFs; needs LibreOffice).
Each case runs the real `hoso` program in a fresh process, as a clerk runs it, on copies of
the demos in a temporary folder. Reported as ratios to a baseline measured in the same run:
`hoso --help`, which pays the same interpreter start and imports and does no work.

- cold: the first `hoso build` of both dossiers (no outputs yet), parallel (one worker per
  core) and with `--jobs 1`;
- no-op: `hoso build` again with nothing changed (best of 5): only fingerprints are read;
- one cell: a village workbook edited (openpyxl), then `hoso build` of both dossiers, and of
  the changed dossier alone (best of 3, a different value each time): ingest, score and
  render of that dossier, the other one untouched;
- a batch: 8 dossiers (4 copies of each demo) cold, with `--jobs 1` and parallel: where the
  workers' start-up is paid back (with 2 dossiers on 2 cores it barely is).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ("binh-trung-2024", "le-chan-2026")
HOSO = Path(sys.executable).with_name("hoso")
REPEAT = 5


def hoso(*args: str, cwd: Path) -> None:
    subprocess.run([str(HOSO), *args], cwd=cwd, check=True, capture_output=True, timeout=600)


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best_of(action: Callable[[], object], repeat: int = REPEAT) -> float:
    return min(timed(action) for _ in range(repeat))


def edit_cell(workbook: Path, value: int) -> None:
    book = openpyxl.load_workbook(workbook)
    ws = book["Số liệu"]
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, 1).value == "duoi_1_tiem_du":
            ws.cell(row, 4).value = value
    book.save(workbook)


def main() -> int:
    pdf = ["--pdf"] if "--pdf" in sys.argv[1:] else []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in DEMOS:
            shutil.copytree(ROOT / "inputs" / name, work / "inputs" / name)
        dossier = work / "inputs" / DEMOS[0]
        values = count(10)

        def cold(*extra: str, target: str = "inputs") -> float:
            shutil.rmtree(work / "outputs", ignore_errors=True)
            return timed(lambda: hoso("build", target, *pdf, *extra, cwd=work))

        def one_cell(*target: str) -> Callable[[], float]:
            def run() -> None:
                hoso("build", *target, *pdf, cwd=work)

            def step() -> float:
                edit_cell(dossier / "thon" / "na-cay.xlsx", next(values))
                return timed(run)

            return step

        base = best_of(lambda: hoso("--help", cwd=work))
        runs = {"cold, --jobs 1": cold("--jobs", "1"), "cold, parallel": cold()}
        runs["no-op rebuild"] = best_of(lambda: hoso("build", "inputs", *pdf, cwd=work))
        whole, alone = one_cell("inputs"), one_cell(f"inputs/{DEMOS[0]}")
        runs["one cell, both dossiers"] = min(whole() for _ in range(3))
        runs["one cell, that dossier"] = min(alone() for _ in range(3))
        batch = work / "batch"
        for name in DEMOS:
            for copy in range(4):
                shutil.copytree(ROOT / "inputs" / name, batch / f"{name}-{copy}")
        runs["8 dossiers, --jobs 1"] = cold("--jobs", "1", target="batch")
        runs["8 dossiers, parallel"] = cold(target="batch")
    label = " --pdf" if pdf else ""
    print(f"hoso build{label} of {len(DEMOS)} demo dossiers")
    print(f"baseline: hoso --help = {base * 1000:.0f} ms")
    for name, seconds in runs.items():
        print(f"{name:26s} {seconds / base:6.1f} x baseline   ({seconds * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
