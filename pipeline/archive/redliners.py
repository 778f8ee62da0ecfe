"""Which engine writes the tracked-changes copies: python-redlines, or our own writer.

python-redlines (optional extra `hoso[redlines]`) runs the Docxodus comparer, a
self-contained binary shipped in its wheel, offline. Our own writer (`pipeline.archive.redline`)
needs nothing more than python-docx. By default python-redlines is used when it is
installed and its binary runs, else our writer, with one notice per run. The setting
HOSO_REDLINE (or the commands' `--redline`) forces one: `redlines` or `noi-bo`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.archive.redline import Redliner, redline
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.files import scratch

ENV = "HOSO_REDLINE"
ENGINES = ("redlines", "noi-bo")
Engine = Literal["redlines", "noi-bo"]

_INSTALL = 'cài bằng pip install "hoso[redlines]"'
FALLBACK_NOTICE = (
    "bản đánh dấu thay đổi được lập bằng bộ so sánh có sẵn của hoso, vì python-redlines "
    f"chưa cài hoặc không chạy được trên máy này ({_INSTALL}; đặt {ENV}=noi-bo để không "
    "nhắc lại)."
)


# The per-run folder of the comparer's files in TMPDIR (pipeline.files.scratch): a killed
# run's folder is removed by the next run.
SCRATCH_PREFIX = "hoso-so-sanh-"
# Seconds one comparison may take (a paper compares in about a second).
TIMEOUT = 300.0

# Called with the comparer's process once it runs: tests stop hoso there to prove that a
# killed run leaves neither the comparer nor its files behind.
fault_hook: Callable[[subprocess.Popen[bytes]], None] | None = None


class RedlinesEngine:
    """python-redlines' Docxodus engine behind the `Redliner` interface.

    The comparer runs as hoso's own child rather than through python-redlines' runner,
    which leaves its temporary .docx files in TMPDIR when hoso is killed and lets the
    comparer outlive it: here the files go in one folder of the run (removed at `close`,
    or by the next run if this one is killed) and the comparer dies with hoso."""

    def __init__(self) -> None:
        # Imported here: the rest of hoso runs without the extra installed.
        from python_redlines import DocxodusEngine

        # Finds the binary in the wheel and unpacks it once into the user's cache folder.
        self._engine: Any = DocxodusEngine()
        self._stack = contextlib.ExitStack()
        self._folder: Path | None = None
        self._count = 0

    def _work(self) -> Path:
        if self._folder is None:
            purpose = "để so sánh văn bản (bản đánh dấu thay đổi)"
            self._folder = self._stack.enter_context(scratch.run_folder(SCRATCH_PREFIX, purpose))
        return self._folder

    def close(self) -> None:
        """Remove the run's folder (the comparer has ended)."""
        self._stack.close()
        self._folder = None

    def __call__(self, old: bytes, new: bytes, *, author: str, when: datetime) -> bytes:
        work = self._work()
        self._count += 1
        paths = [work / f"{self._count}-{name}.docx" for name in ("cu", "moi", "so-sanh")]
        try:
            paths[0].write_bytes(old)
            paths[1].write_bytes(new)
        except OSError as exc:
            raise scratch.temporary_problem(exc, "để so sánh văn bản") from exc
        command = self._engine._build_command(
            author, *map(str, paths), date_time=when.strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        try:
            return self._compare(command, work, paths[2])
        finally:
            for path in paths:
                path.unlink(missing_ok=True)

    def _compare(self, command: list[str], work: Path, target: Path) -> bytes:
        env = dict(os.environ)
        # The comparer is a .NET program: its own temporary files go in the run's folder,
        # and no diagnostics socket is opened (a killed run left dotnet-diagnostic-*).
        env.update(TMPDIR=str(work), TMP=str(work), TEMP=str(work), DOTNET_EnableDiagnostics="0")
        linux = sys.platform.startswith("linux")
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            # Its own process group: a timeout or Ctrl+C ends whatever it started too.
            start_new_session=sys.platform != "win32",
            preexec_fn=scratch.die_with_parent if linux else None,  # noqa: PLW1509
        )
        with proc:
            try:
                if fault_hook is not None:
                    fault_hook(proc)
                out, err = proc.communicate(timeout=TIMEOUT)
            except BaseException:  # a timeout, Ctrl+C: the comparer goes with us
                _end(proc)
                raise
        if proc.returncode != 0:
            said = err.decode("utf-8", "replace") or out.decode("utf-8", "replace")
            raise subprocess.CalledProcessError(proc.returncode, command, out, said)
        try:
            return target.read_bytes()
        except OSError as exc:
            raise subprocess.CalledProcessError(0, command, out, f"no output: {exc}") from exc


def _end(proc: subprocess.Popen[bytes]) -> None:
    if sys.platform != "win32":
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.kill()
    proc.wait()


# What python-redlines raises when it is absent, has no binary for this machine, cannot
# unpack it, or the binary fails or overruns its time.
_UNAVAILABLE = (ImportError, OSError, subprocess.SubprocessError)


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

    def close(self) -> None:
        """End the run: the comparer's folder goes (see RedlinesEngine.close)."""
        if isinstance(self._engine, RedlinesEngine):
            self._engine.close()

    def _fall_back(self, exc: BaseException) -> None:
        if isinstance(self._engine, RedlinesEngine):
            self._engine.close()
        if self.forced == "redlines":
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise EnvironmentProblem(
                f"python-redlines không chạy được: {first}",
                f"{_INSTALL}, hoặc đặt {ENV}=noi-bo để dùng bộ so sánh có sẵn.",
            ) from exc
        self._engine = redline
        self.notice = FALLBACK_NOTICE
