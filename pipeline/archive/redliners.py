"""Which engine writes the tracked-changes copies: python-redlines, or our own writer.

python-redlines (optional extra `hoso[redlines]`) runs the Docxodus comparer, a
self-contained binary shipped in its wheel, offline. Our own writer (`pipeline.archive.redline`)
needs nothing more than python-docx. By default python-redlines is used when it is
installed and its binary runs, else our writer, with one notice per run. The setting
HOSO_REDLINE (or the commands' `--redline`) forces one: `redlines` or `noi-bo`.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from typing import Any, Literal

from pipeline.archive.redline import Redliner, redline
from pipeline.common.errors import EnvironmentProblem, InputError, Problem

ENV = "HOSO_REDLINE"
ENGINES = ("redlines", "noi-bo")
Engine = Literal["redlines", "noi-bo"]

_INSTALL = 'cài bằng pip install "hoso[redlines]"'
FALLBACK_NOTICE = (
    "bản đánh dấu thay đổi được lập bằng bộ so sánh có sẵn của hoso, vì python-redlines "
    f"chưa cài hoặc không chạy được trên máy này ({_INSTALL}; đặt {ENV}=noi-bo để không "
    "nhắc lại)."
)


class RedlinesEngine:
    """python-redlines' Docxodus engine behind the `Redliner` interface."""

    def __init__(self) -> None:
        # Imported here: the rest of hoso runs without the extra installed.
        from python_redlines import DocxodusEngine

        # The comparer is a .NET program: without this each run opens a diagnostics socket in
        # the temporary folder, which a killed run leaves behind (dotnet-diagnostic-*).
        os.environ.setdefault("DOTNET_EnableDiagnostics", "0")

        # Finds the binary in the wheel and unpacks it once into the user's cache folder.
        self._engine: Any = DocxodusEngine()

    def __call__(self, old: bytes, new: bytes, *, author: str, when: datetime) -> bytes:
        output, _, _ = self._engine.run_redline(
            author, old, new, date_time=when.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        return bytes(output)


# What python-redlines raises when it is absent, has no binary for this machine, cannot
# unpack it, or the binary fails (EngineExecutionError is a CalledProcessError).
_UNAVAILABLE = (ImportError, OSError, subprocess.CalledProcessError)


def setting(value: str | None = None) -> Engine | None:
    """The forced engine: `value` (the --redline option), else HOSO_REDLINE; None = automatic."""
    raw = value if value is not None else os.environ.get(ENV, "")
    text = raw.strip().lower()
    if not text:
        return None
    if text == "redlines":
        return "redlines"
    if text == "noi-bo":
        return "noi-bo"
    raise InputError(
        [Problem.of("bo-so-sanh-sai", field=ENV, value=raw, engines=", ".join(ENGINES))]
    )


class ChosenRedliner:
    """The `Redliner` the setting picks, resolved at the first paper (a run with no changed
    paper never loads python-redlines). `notice` is set once when it falls back."""

    def __init__(self, value: str | None = None) -> None:
        self.forced = setting(value)
        self.notice: str | None = None
        self._engine: Redliner | None = redline if self.forced == "noi-bo" else None

    @property
    def name(self) -> Engine | None:
        """The engine used so far (None before the first paper)."""
        if self._engine is None:
            return None
        return "noi-bo" if self._engine is redline else "redlines"

    def __call__(self, old: bytes, new: bytes, *, author: str, when: datetime) -> bytes:
        if self._engine is None:
            try:
                self._engine = RedlinesEngine()
            except _UNAVAILABLE as exc:
                self._fall_back(exc)
        if self._engine is not redline:
            assert self._engine is not None
            try:
                return self._engine(old, new, author=author, when=when)
            except _UNAVAILABLE as exc:
                self._fall_back(exc)
        return redline(old, new, author=author, when=when)

    def _fall_back(self, exc: BaseException) -> None:
        if self.forced == "redlines":
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EnvironmentProblem(
                f"python-redlines không chạy được: {first}",
                f"{_INSTALL}, hoặc đặt {ENV}=noi-bo để dùng bộ so sánh có sẵn.",
            ) from exc
        self._engine = redline
        self.notice = FALLBACK_NOTICE
