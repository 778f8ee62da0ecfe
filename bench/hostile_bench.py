"""What hostile inputs cost: peak memory, wall time and exit code of `hoso` on each.

Run `python bench/hostile_bench.py [CASE ...]`. Every case builds its file in a fresh copy
of the demo dossier (full size, as reported: a 2 GB zip bomb, 20 000 rows reaching column
XFD, a template multiplying a string by 3·10⁹, …) and runs the command in a child process
capped at MEMORY_MB of address space and TIMEOUT seconds, so a regression shows as
"memory"/"timeout" instead of taking the machine down. POSIX only (resource limits).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docx

from tests.hostile import (
    Run,
    run_capped,
    tall_ods,
    template_with,
    wide_xlsx,
    zip_bomb_xlsx,
)

DEMO = Path(__file__).resolve().parent.parent / "inputs" / "binh-trung-2024"
MEMORY_MB = 4096
TIMEOUT = 120.0
KH = "KH-ke-hoach.docx"
NESTED_RANGE = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
# The same without the `range` global (which `templates check` refuses as unknown).
NESTED_LOOPS = "{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}x{% endfor %}{% endfor %}"


def _profile_edit(dossier: Path, old: str, new: str) -> None:
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _scored(dossier: Path) -> None:
    for stage in ("ingest", "score"):
        run = run_capped([stage, str(dossier)], dossier.parent, memory_mb=MEMORY_MB, timeout=60)
        assert run.code == 0, run.stderr


def _big_report(dossier: Path) -> None:
    _scored(dossier)
    paragraph = "Đời sống của nhân dân còn nhiều khó khăn. " * 20
    lines = "\n".join([paragraph] * (24_000_000 // len(paragraph.encode())))
    _profile_edit(dossier, 'kho_khan = """\n', f'kho_khan = """\n{lines}\n')


def _one_big_paragraph(dossier: Path) -> None:
    _scored(dossier)
    _profile_edit(dossier, 'kho_khan = """\n', 'kho_khan = """\n' + "khó khăn " * 2_400_000 + "\n")


Setup = Callable[[Path], object]
CASES: dict[str, tuple[Setup, list[str]]] = {
    "zip-bomb-2gb": (lambda d: zip_bomb_xlsx(d, 2_000_000_000), ["ingest"]),
    "xfd-20000-rows": (lambda d: wide_xlsx(d, 20_000), ["ingest"]),
    "xfd-lying-dimension": (lambda d: wide_xlsx(d, 20_000, honest_dimension=False), ["ingest"]),
    "ods-repeat-1e6": (lambda d: tall_ods(d, 1_000_000), ["ingest"]),
    "template-str-mult-check": (
        lambda d: template_with(d, KH, ["{{ 'A' * 3000000000 }}"]),
        ["templates", "check"],
    ),
    "template-str-mult-render": (
        lambda d: template_with(d, KH, ["{{ 'A' * 3000000000 }}"]),
        ["render"],
    ),
    "template-nested-range": (lambda d: template_with(d, KH, [NESTED_RANGE]), ["render"]),
    "template-nested-loops": (lambda d: template_with(d, KH, [NESTED_LOOPS]), ["render"]),
    "report-24mb": (_big_report, ["render"]),
    "report-24mb-one-paragraph": (_one_big_paragraph, ["render"]),
}


def main(names: list[str]) -> None:
    print(f"{'case':28} {'exit':>5} {'peak MB':>9} {'seconds':>8}  stopped by")
    for name in names or list(CASES):
        setup, command = CASES[name]
        with tempfile.TemporaryDirectory() as tmp:
            dossier = Path(tmp) / "binh-trung-2024"
            shutil.copytree(DEMO, dossier)
            setup(dossier)
            run: Run = run_capped(
                [*command, str(dossier)], Path(tmp), memory_mb=MEMORY_MB, timeout=TIMEOUT
            )
            last = (run.stderr.strip().splitlines() or [""])[-1][:70]
            print(
                f"{name:28} {run.code:>5} {run.peak_mb:>9.0f} {run.seconds:>8.1f}  "
                f"{run.killed or '-'}  {last}"
            )
            if name.startswith("report-") and run.code == 0:
                _report_paragraphs(Path(tmp))


def _report_paragraphs(tmp: Path) -> None:
    path = tmp / "outputs" / "binh-trung-2024" / "BC-ket-qua-danh-gia.docx"
    document = docx.Document(str(path))
    print(f"{'':28} report has {len(document.paragraphs)} paragraphs")


if __name__ == "__main__":
    main(sys.argv[1:])
