"""How long a clerk waits after a correction: ingest, score and render of the demo dossier.

Run `python bench/pipeline_bench.py`. Each stage is timed several times (best of N) and
reported as a ratio to a baseline measured in the same run: opening and saving one shipped
template with python-docx, the least any .docx-writing step can cost on this machine. The
ratios stay comparable across machines; the seconds are printed for reference only.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docx

from pipeline.files.resources import shipped_template
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score

DEMO = Path(__file__).resolve().parent.parent / "inputs" / "binh-trung-2024"
REPEAT = 5


def best_of(action: Callable[[], object], repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def baseline() -> None:
    doc = docx.Document(io.BytesIO(shipped_template("KH-ke-hoach.docx").read_bytes()))
    doc.save(io.BytesIO())


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        dossier = Path(tmp) / "binh-trung-2024"
        shutil.copytree(DEMO, dossier)
        out = Path(tmp) / "out"

        def do_ingest() -> None:
            ingest_to(Dossier(dossier, out))

        def do_score() -> None:
            score(Dossier(dossier, out))

        def do_render() -> None:
            render(Dossier(dossier, out))

        do_ingest()
        do_score()
        base = best_of(baseline)
        stages = {
            "ingest (13 workbooks)": best_of(do_ingest),
            "score (+ workbook)": best_of(do_score),
            "render (5 papers)": best_of(do_render),
        }
    print(f"baseline: open+save one template with python-docx = {base * 1000:.1f} ms")
    for name, seconds in stages.items():
        print(f"{name:24s} {seconds / base:6.1f} x baseline   ({seconds * 1000:.0f} ms)")
    total = sum(stages.values())
    print(f"{'correction -> papers':24s} {total / base:6.1f} x baseline   ({total * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
