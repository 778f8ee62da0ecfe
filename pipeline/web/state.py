"""What the page's routes share, held by the application."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model.layout import output_folder
from pipeline.web.jobs import Jobs


@dataclass
class State:
    """What the routes share: where dossiers, outputs and the archive are, and the jobs."""

    root: Path
    outputs: Path  # outputs/ as the CLI uses it: outputs/<dossier folder name>/
    archive: Path
    token: str
    jobs: Jobs = field(default_factory=Jobs)
    cache: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hoso-web-")))

    def out(self, dossier: Path) -> Path:
        return output_folder(dossier, self.outputs)
