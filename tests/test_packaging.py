"""A wheel built from the repository works on its own: templates and data inside."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import DEMO, ROOT


def test_wheel_renders_the_plan_outside_the_checkout(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("pipeline", "templates"):
        shutil.copytree(ROOT / folder, source / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(wheels), str(source)],
        check=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("hoso-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        z.extractall(site)
    assert {
        "pipeline/templates/KH-ke-hoach.docx",
        "pipeline/data/documents.toml",
        "pipeline/data/hoso.mau.toml",
        "pipeline/data/qd06-2019.toml",
        "pipeline/py.typed",
        "pipeline/web/form.toml",
        "pipeline/web/pages/base.html",
        "pipeline/web/static/htmx.min.js",
        "pipeline/web/static/style.css",
    } <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "hoso = pipeline.cli:main" in (site / entry_points).read_text()

    work = tmp_path / "elsewhere"
    shutil.copytree(DEMO, work / "binh-trung-2024")
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", "import pipeline; print(pipeline.__file__)"],
        cwd=work, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(probe.stdout.strip()).is_relative_to(site)
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "render", "binh-trung-2024"],
        cwd=work, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (work / "outputs" / "binh-trung-2024" / "KH-ke-hoach.docx").is_file()
