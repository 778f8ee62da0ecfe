"""What `hoso check` costs per paper: 250 papers in one call, after start-up.

Run `python bench/check_bench.py [N]` (default N = 250). The demo's papers are rendered once,
copied N times round-robin, and checked by the real command in a child process twice: on one
paper (start-up plus one check) and on all N. The cost per paper is the difference divided by
N - 1; the budget is BUDGET_MS. Every paper has page numbers, so no layout runs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.files.atomic import atomic_write
from pipeline.model import dataset
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest
from pipeline.stages.render import render
from pipeline.stages.score import score

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "inputs" / "binh-trung-2024"
BUDGET_MS = 25.0


def _cpu() -> float:
    """CPU seconds used by finished children (user + system); 0 where not measurable."""
    if resource is None:
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(files: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds of one `hoso check` over `files`."""
    hoso = Path(sys.executable).parent / "hoso"
    cpu = _cpu()
    start = time.perf_counter()
    done = subprocess.run([str(hoso), "check", *map(str, files)], capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stdout.decode()[-2000:]
    return elapsed, _cpu() - cpu


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        dossier = base / "binh-trung-2024"
        shutil.copytree(DEMO, dossier)
        out = base / "out"
        atomic_write(out / dataset.DATA_NAME, dataset.dumps(ingest(Dossier(dossier)).data))
        score(Dossier(dossier, out))
        render(Dossier(dossier, out))
        papers = sorted(out.glob("*.docx"))
        files = []
        for n in range(count):
            copy = base / "many" / f"{n:03d}-{papers[n % len(papers)].name}"
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(papers[n % len(papers)], copy)
            files.append(copy)
        one, one_cpu = min(_timed(files[:1]) for _ in range(3))
        many, many_cpu = _timed(files)
    per_paper = (many - one) / (count - 1) * 1000
    per_paper_cpu = (many_cpu - one_cpu) / (count - 1) * 1000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"hoso check: {count} papers in one call {many:.2f} s, one paper {one:.2f} s "
        f"(start-up); after start-up {per_paper:.1f} ms per paper wall clock = "
        f"{per_paper / BUDGET_MS:.2f} × the {BUDGET_MS:.0f} ms budget, "
        f"{per_paper_cpu:.1f} ms CPU = {per_paper_cpu / BUDGET_MS:.2f} × "
        f"({os.cpu_count()} cores, 1-minute load {load:.2f})"
    )


if __name__ == "__main__":
    main()
