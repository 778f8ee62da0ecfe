"""A clerk's correction, measured against the cost of loading the Office libraries.

Run `python bench/correction_bench.py [--repeat 5]`. Every figure is the median of
`--repeat` runs of the real `hoso` program in a child process, on copies in a temporary
folder, divided by the median time of `python -c "import docxtpl, openpyxl, click"`
measured in the same run (the floor any Python tool that writes Word and Excel pays):

  cold         `hoso build` of the demo ward (7 tổ dân phố), no outputs yet     (goal ≤ 3.0)
               (after one warm-up run: hoso installed and used once before)
  no-op        `hoso build` again, nothing changed                              (goal ≤ 1.3)
  correction   one cell of one tổ dân phố's workbook edited, then `hoso build`  (goal ≤ 2.5)
  batch / 20   `hoso build` of 20 synthetic dossiers, per dossier, as a share
               of one cold build                                                (goal ≤ 0.5)
  check        `hoso check` over 250 papers in one call, per paper after
               start-up (call time minus a one-paper call, / 249), in ms        (goal ≤ 25 ms)

The goals are on wall time. Beside each wall figure the CPU time (user + system) of the
child process is given, with its ratio to the import's: on a shared machine the wall
ratios move with the load (a busy core slows the short import less than the long build),
the CPU ratios hardly. The batch's CPU is left out: its workers are not the bench's
children, so their time cannot be counted from here.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARD = ROOT / "inputs" / "le-chan-2026"
HOSO = Path(sys.executable).with_name("hoso")
sys.path.insert(0, str(ROOT))

from scale_bench import edit_cell  # noqa: E402  (the same correction a village makes)

# As an installed hoso runs: Python keeps the compiled modules (a shell or CI that sets
# PYTHONDONTWRITEBYTECODE would otherwise make every run compile hoso from source).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(*args: str | Path, cwd: Path) -> None:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, check=False, env=_ENV
    )
    if done.returncode != 0:
        raise SystemExit(f"{args[0]} failed ({done.returncode}):\n{done.stderr.decode()}")


def _cpu() -> float:
    """User + system time of the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(action: Callable[[], None]) -> tuple[float, float]:
    start, cpu = time.perf_counter(), _cpu()
    action()
    return time.perf_counter() - start, _cpu() - cpu


def _median(
    repeat: int, prepare: Callable[[int], None], action: Callable[[], None]
) -> tuple[float, float]:
    """The median wall time and the median CPU time of `repeat` runs."""
    walls, cpus = [], []
    for i in range(repeat):
        prepare(i)
        wall, cpu = _timed(action)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    n = args.repeat
    work = Path(tempfile.mkdtemp(prefix="hoso-bench-"))
    try:
        dossier = work / "le-chan-2026"
        out = work / "out"
        shutil.copytree(WARD, dossier)

        def nothing(_: int) -> None:
            pass

        base, base_cpu = _median(
            n,
            nothing,
            lambda: _run(sys.executable, "-c", "import docxtpl, openpyxl, click", cwd=work),
        )

        def fresh(_: int) -> None:
            shutil.rmtree(out, ignore_errors=True)

        def build() -> None:
            _run(HOSO, "build", dossier, "--out", out, cwd=work)

        fresh(0)
        build()  # warm-up: compiled modules and the template cache exist, as after a first use
        cold, cold_cpu = _median(n, fresh, build)
        noop, noop_cpu = _median(n, nothing, build)
        correction, correction_cpu = _median(n, lambda i: edit_cell(dossier, 700 + i), build)

        from scripts.make_synthetic import make_dossiers

        many = work / "many"
        make_dossiers(many, 20, villages=7)
        many_out = work / "many-out"
        batch, _ = _median(
            max(1, n // 2),
            lambda _: shutil.rmtree(many_out, ignore_errors=True),
            lambda: _run(HOSO, "build", many, "--out", many_out, cwd=work),
        )

        papers = sorted(out.glob("*.docx"))
        corpus = work / "corpus"
        corpus.mkdir()
        for i in range(250):
            shutil.copyfile(
                papers[i % len(papers)], corpus / f"{i:03d}-{papers[i % len(papers)].name}"
            )
        one = sorted(corpus.iterdir())[:1]
        all_ = sorted(corpus.iterdir())
        check_one, check_one_cpu = _median(n, nothing, lambda: _run(HOSO, "check", *one, cwd=work))
        check_all, check_all_cpu = _median(n, nothing, lambda: _run(HOSO, "check", *all_, cwd=work))
        per_paper_ms = (check_all - check_one) / (len(all_) - 1) * 1000
        per_paper_cpu_ms = (check_all_cpu - check_one_cpu) / (len(all_) - 1) * 1000

        def cpu(seconds: float) -> str:
            return f"CPU {seconds:.3f} s  {seconds / base_cpu:.2f}×"

        rows = [
            ("import docxtpl, openpyxl, click", f"{base:.3f} s", "1,00×", "(cơ sở)", cpu(base_cpu)),
            (
                "build lần đầu (7 tổ dân phố)",
                f"{cold:.3f} s",
                f"{cold / base:.2f}×",
                "≤ 3,0×",
                cpu(cold_cpu),
            ),
            ("build không đổi gì", f"{noop:.3f} s", f"{noop / base:.2f}×", "≤ 1,3×", cpu(noop_cpu)),
            (
                "sửa một ô rồi build",
                f"{correction:.3f} s",
                f"{correction / base:.2f}×",
                "≤ 2,5×",
                cpu(correction_cpu),
            ),
            (
                "20 hồ sơ, mỗi hồ sơ / build lần đầu",
                f"{batch / 20:.3f} s",
                f"{batch / 20 / cold:.2f}×",
                "≤ 0,5×",
                "",
            ),
            (
                "check 250 văn bản, mỗi văn bản",
                f"{per_paper_ms:.1f} ms",
                "",
                "≤ 25 ms",
                f"CPU {per_paper_cpu_ms:.1f} ms",
            ),
        ]
        print(f"hoso correction bench: Python {sys.version.split()[0]}, trung vị của {n} lần")
        width = max(len(r[0]) for r in rows)
        for name, shown, ratio, goal, used in rows:
            print(f"{name:<{width}}  {shown:>9}  {ratio:>7}  {goal:<8}  {used}".rstrip())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
