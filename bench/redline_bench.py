"""Time per paper of the two tracked-changes engines, on the demo's papers after one cell.

Run `python bench/redline_bench.py`. The demo dossier is copied into a temporary folder,
built, one village cell corrected (openpyxl) and built again; each engine then compares the
old and new version of every paper that changed (best of 3 per paper). Reported in seconds
and as a ratio to our own writer (pipeline/archive/redline.py) measured in the same run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import openpyxl

from pipeline.archive.redline import Redliner, redline
from pipeline.archive.redliners import RedlinesEngine
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "inputs" / "binh-trung-2024"
REPEAT = 3


def build(dossier: Path, out: Path) -> None:
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))


def correct(workbook: Path) -> None:
    """Khuổi Khỉn: the children in conflict with the law go from 1 to 0 (column D)."""
    book = openpyxl.load_workbook(workbook)
    sheet = book["Số liệu"]
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, 1).value == "vi_pham_phap_luat":
            sheet.cell(row, 4).value = 0
    book.save(workbook)


def best(engine: Redliner, old: bytes, new: bytes) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        engine(old, new, author="UBND", when=datetime(2024, 11, 5))
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dossier = Path(tmp) / DEMO.name
        shutil.copytree(DEMO, dossier)
        before, after = Path(tmp) / "v1", Path(tmp) / "v2"
        build(dossier, before)
        correct(dossier / "thon" / "khuoi-khin.xlsx")
        build(dossier, after)
        changed = [
            (p.name, p.read_bytes(), (after / p.name).read_bytes())
            for p in sorted(before.glob("*.docx"))
            if p.read_bytes() != (after / p.name).read_bytes()
        ]
        engines: dict[str, Redliner] = {"noi-bo": redline, "redlines": RedlinesEngine()}
        print(f"{'paper':32} {'noi-bo':>8} {'redlines':>9} {'ratio':>7}")
        for name, old, new in changed:
            ours, theirs = (best(engines[e], old, new) for e in ("noi-bo", "redlines"))
            print(f"{name:32} {ours:8.3f} {theirs:9.3f} {theirs / ours:6.0f}x")


if __name__ == "__main__":
    main()
