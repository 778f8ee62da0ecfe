"""What the page's routes share, held by the application."""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.model.dossier import Dossier
from pipeline.model.layout import output_folder
from pipeline.sign.status import Cache
from pipeline.web.jobs import Jobs

_OPENED = 32


@dataclass
class State:
    """What the routes share: where dossiers, outputs and the archive are, and the jobs."""

    root: Path
    outputs: Path  # outputs/ as the CLI uses it: outputs/<dossier folder name>/
    archive: Path
    token: str
    jobs: Jobs = field(default_factory=Jobs)
    # Saves of hoso.toml are compare-and-swap: read, compare, write under this lock.
    saving: threading.Lock = field(default_factory=threading.Lock)
    # The hoso.toml texts the page was opened on, by digest: a refused save shows what the
    # other edit changed since (a few recent ones suffice).
    opened: dict[str, str] = field(default_factory=dict)
    # Checked signatures of the PDFs the papers page lists, by file and its time (never a
    # key or a password: those live in one request, and in the signing job they start).
    signatures: Cache = field(default_factory=dict)
    _cache: Path | None = None

    def remember(self, digest: str, text: str) -> None:
        self.opened[digest] = text
        while len(self.opened) > _OPENED:
            del self.opened[next(iter(self.opened))]

    def out(self, dossier: Path) -> Path:
        return output_folder(dossier, self.outputs)

    def dossier(self, folder: Path) -> Dossier:
        """The dossier in `folder` with its outputs and archive, loaded for one request (or
        one job): a request reads each file once, the next one sees edits made since."""
        return Dossier.open(folder, outputs=self.outputs, archive=self.archive)

    @property
    def cache(self) -> Path:
        """The server's temporary folder (previews), made on first use."""
        if self._cache is None:
            self._cache = Path(tempfile.mkdtemp(prefix="hoso-web-"))
        return self._cache

    def close(self) -> None:
        """Remove the temporary folder: the server has stopped."""
        if self._cache is not None:
            shutil.rmtree(self._cache, ignore_errors=True)
            self._cache = None
