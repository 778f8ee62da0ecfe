"""Replacing the set of files one stage run writes as a whole: all old or all new.

The contract keeps each output at a fixed path (OUTDIR/KH-ke-hoach.docx is what a clerk
opens), so the set cannot live in one directory swapped by a single rename: Windows has no
atomic directory exchange, and the papers must stay plain files, not links. Instead a
publish is a small transaction whose commit point is one rename:

1. stage: every new file is written and fsynced into a fresh hidden folder
   `.hoso-gen-XXXX/new/`, and every target is checked replaceable (not open in Word);
2. commit: a journal `.hoso-journal.json` naming that folder, the files to install, the
   files to remove and the targets that existed is written beside it and renamed into place;
3. apply: each current target is hard-linked (or copied) into `.hoso-gen-XXXX/old/`, then
   the new file is renamed over it; files to remove are unlinked;
4. finish: the journal is deleted, then the generation folder.

A kill before the journal's rename leaves the old set untouched (the staged folder is
garbage); a kill after it is rolled forward by the next run, since every step of (3) can be
repeated and the new files wait in `new/` until moved. An error during (3) (a paper opened
in Word between the check and the rename) switches the journal to "back" and restores the
old files from `old/`; a kill during that roll-back is finished the same way by the next
run. The next run also removes leftovers: generation folders no journal names and the
`.<name>.XXXXXXXX.tmp` files of single-file writes. All of this happens under the folder's
lock (`pipeline.files.lock`), which `locked` takes first, so no two runs ever interleave.

Between a kill inside (3) and the next run the folder can hold a mix; the journal says so,
and every hoso command that touches the folder completes the switch before anything else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from pipeline.common.errors import EnvironmentProblem
from pipeline.files import lock
from pipeline.files.atomic import check_replaceable, umask, write_error

JOURNAL_NAME = ".hoso-journal.json"
GENERATION_PREFIX = ".hoso-gen-"
# tempfile.mkstemp(prefix=".<name>.", suffix=".tmp"): output.atomic_write and older runs.
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def _no_fault(step: str) -> None:
    return None


# Called after every step that changes the disk; tests replace it to kill the process there.
fault_hook: Callable[[str], None] = _no_fault


class Folder:
    """A folder whose lock this run holds; only through it can a set be published."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def publish(self, files: Sequence[tuple[str, bytes]], remove: Iterable[str] = ()) -> None:
        """Replace the named files (relative POSIX names) and delete `remove`, as one step."""
        names = [_checked_name(name) for name, _ in files]
        gone = [_checked_name(name) for name in remove if name not in names]
        if len(set(names)) != len(names):
            raise ValueError(f"a file is published twice: {names}")
        generation = _stage(self.path, files)
        try:
            for name in [*names, *gone]:
                check_replaceable(self.path / name)
        except EnvironmentProblem:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        journal = {
            "generation": generation.name,
            "mode": "forward",
            "install": names,
            "remove": gone,
            "existed": [n for n in [*names, *gone] if (self.path / n).exists()],
        }
        _write_journal(self.path, journal)
        fault_hook("committed")
        try:
            _forward(self.path, journal, keep_old=True)
        except OSError as exc:
            journal["mode"] = "back"
            _write_journal(self.path, journal)
            fault_hook("rolling-back")
            _backward(self.path, journal)
            _finish(self.path, journal)
            raise write_error(Path(exc.filename or self.path), exc) from exc
        _finish(self.path, journal)


@contextmanager
def locked(
    folder: Path, *, wait: float | None = None, sweep: Sequence[str] = ()
) -> Iterator[Folder]:
    """Hold `folder`'s lock; first complete (or undo) a switch a killed run left, and remove
    leftovers of killed runs from the folder and its subfolders `sweep`."""
    with lock.hold(folder, wait=wait):
        recover(folder, sweep=sweep)
        yield Folder(folder)


def recover(folder: Path, *, sweep: Sequence[str] = ()) -> None:
    """Finish the switch a journal describes, then delete temporary leftovers (lock held)."""
    journal = _read_journal(folder)
    if journal is not None:
        try:
            if journal["mode"] == "back":
                _backward(folder, journal)
            else:
                _forward(folder, journal, keep_old=False)
        except OSError as exc:
            raise write_error(Path(exc.filename or folder), exc) from exc
        _finish(folder, journal)
    for place in [folder, *(folder / s for s in sweep)]:
        if not place.is_dir():
            continue
        for path in place.iterdir():
            if place == folder and path.name.startswith(GENERATION_PREFIX) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif _TEMPORARY.match(path.name) and path.is_file():
                path.unlink(missing_ok=True)


# --- the steps -------------------------------------------------------------------------------


def _checked_name(name: str) -> str:
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or any(p in ("..", ".") for p in parts):
        raise ValueError(f"not a relative file name: {name!r}")
    return name


def _stage(folder: Path, files: Sequence[tuple[str, bytes]]) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        generation = Path(tempfile.mkdtemp(prefix=GENERATION_PREFIX, dir=folder))
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không tạo được thư mục hoặc tệp trong {folder}: {exc.strerror}",
            "kiểm tra quyền ghi, hoặc chọn thư mục khác bằng --out.",
        ) from exc
    mode = 0o666 & ~umask()
    try:
        for name, data in files:
            path = generation / "new" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            path.chmod(mode)
    except OSError as exc:
        shutil.rmtree(generation, ignore_errors=True)
        raise write_error(folder / name, exc) from exc
    fault_hook("staged")
    return generation


def _forward(folder: Path, journal: dict[str, Any], *, keep_old: bool) -> None:
    generation = folder / journal["generation"]
    for name in journal["install"]:
        new, target = generation / "new" / name, folder / name
        if not new.exists():
            continue  # already installed
        if keep_old and target.exists():
            _keep(target, generation / "old" / name)
        target.parent.mkdir(parents=True, exist_ok=True)
        new.replace(target)
        fault_hook(f"installed {name}")
    for name in journal["remove"]:
        target = folder / name
        if target.exists():
            if keep_old:
                _keep(target, generation / "old" / name)
            target.unlink()
            fault_hook(f"removed {name}")


def _backward(folder: Path, journal: dict[str, Any]) -> None:
    generation = folder / journal["generation"]
    existed = set(journal["existed"])
    for name in journal["install"]:
        new, old, target = generation / "new" / name, generation / "old" / name, folder / name
        if new.exists():
            continue  # never installed: the target still holds the old file, or nothing
        if old.exists():
            old.replace(target)
        elif name not in existed:
            target.unlink(missing_ok=True)
        fault_hook(f"restored {name}")
    for name in journal["remove"]:
        old, target = generation / "old" / name, folder / name
        if old.exists() and not target.exists():
            old.replace(target)
            fault_hook(f"restored {name}")


def _keep(target: Path, old: Path) -> None:
    """A second name for the current file, so a failed switch can put it back."""
    if old.exists():
        return
    old.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(target, old)
    except OSError:
        # FAT/exFAT USB sticks and some network shares have no hard links.
        shutil.copy2(target, old)


def _finish(folder: Path, journal: dict[str, Any]) -> None:
    (folder / JOURNAL_NAME).unlink(missing_ok=True)
    _sync_folder(folder)
    fault_hook("journal removed")
    shutil.rmtree(folder / journal["generation"], ignore_errors=True)


def _write_journal(folder: Path, journal: dict[str, Any]) -> None:
    data = json.dumps(journal, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{JOURNAL_NAME}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).replace(folder / JOURNAL_NAME)
    except OSError as exc:
        raise write_error(folder / JOURNAL_NAME, exc) from exc
    _sync_folder(folder)


def _read_journal(folder: Path) -> dict[str, Any] | None:
    path = folder / JOURNAL_NAME
    try:
        journal = json.loads(path.read_bytes().decode("utf-8"))
        names = [*journal["install"], *journal["remove"], *journal["existed"]]
        for name in names:
            _checked_name(name)
        if not str(journal["generation"]).startswith(GENERATION_PREFIX) or "/" in str(
            journal["generation"]
        ):
            raise ValueError(journal["generation"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(
            f"Không đọc được nhật ký ghi tệp {path} ({exc})",
            "tệp này do hoso ghi khi đang thay bộ kết quả; xóa nó rồi chạy lại cả các bước "
            "trước (hoso ingest, hoso score, hoso render).",
        ) from exc
    return dict(journal)


def _sync_folder(folder: Path) -> None:
    # A rename is durable once its folder is; Windows has no way (and no need) to ask.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
