"""How long `hoso pdf` takes on the demo dossier's five papers, cold and warm.

Run `python bench/pdf_bench.py` (needs LibreOffice). Reported as ratios to a baseline
measured in the same run: starting `soffice --version`, the least any LibreOffice call costs
on this machine. "cold" is the first conversion of this process (a fresh LibreOffice profile,
and LibreOffice's files maybe not yet in the disk cache: run the script first after a boot to
see a really cold start); "warm" is the best of the following runs (every run still builds a
fresh private profile, as `hoso pdf` always does). "start + one blank page" is one call
converting an empty document: LibreOffice's fixed cost, which the single call per dossier
pays once instead of once per paper.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docx

from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.pdf import convert, find_soffice, pdf_dossier
from pipeline.stages.render import render
from pipeline.stages.score import score

DEMO = Path(__file__).resolve().parent.parent / "inputs" / "binh-trung-2024"
REPEAT = 5


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def best_of(action: Callable[[], object], repeat: int = REPEAT) -> float:
    return min(timed(action) for _ in range(repeat))


def main() -> int:
    soffice = find_soffice()
    with tempfile.TemporaryDirectory() as tmp:
        dossier = Path(tmp) / DEMO.name
        shutil.copytree(DEMO, dossier)
        out = Path(tmp) / "out"
        ingest_to(Dossier(dossier, out))
        score(Dossier(dossier, out))
        papers = len(render(Dossier(dossier, out)).written)

        def dossier_pdf() -> None:
            pdf_dossier(Dossier(dossier, out))

        blank = Path(tmp) / "trang-trang.docx"
        docx.Document().save(str(blank))

        def start() -> None:
            convert([blank], soffice=soffice)

        def version() -> None:
            subprocess.run([str(soffice), "--version"], check=True, capture_output=True, timeout=60)

        cold = timed(dossier_pdf)
        base = best_of(version)
        runs = {
            f"cold: {papers} papers": cold,
            f"warm: {papers} papers": best_of(dossier_pdf),
            "start + one blank page": best_of(start),
        }
    print(f"baseline: soffice --version = {base * 1000:.0f} ms")
    for name, seconds in runs.items():
        print(f"{name:24s} {seconds / base:6.1f} x baseline   ({seconds * 1000:.0f} ms)")
    warm = runs[f"warm: {papers} papers"]
    per_paper = (warm - runs["start + one blank page"]) / (papers - 1)
    print(
        f"{'per paper, warm':24s} {per_paper / base:6.1f} x baseline   ({per_paper * 1000:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
