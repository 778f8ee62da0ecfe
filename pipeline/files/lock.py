"""One run at a time per folder: an operating-system lock on `<folder>/.hoso.lock`.

The lock is taken with `fcntl.flock` (POSIX) or `msvcrt.locking` (Windows). Both are
released by the kernel when the holding process ends, however it ends, so a killed run
never leaves a lock behind and no "is that pid still alive" guess is needed (a pid may be
reused; a lock file created with O_EXCL would then block forever or be stolen wrongly).
The file itself stays; while held it names the holder (pid, host, command, since) so a
second run that gives up can say who is in the way.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pipeline.common.errors import EnvironmentProblem

LOCK_NAME = ".hoso.lock"
# How long a second run waits for the first before giving up (a render takes seconds).
WAIT_SECONDS = 120.0
_POLL = 0.05
# Windows locks byte ranges and refuses reads inside a locked range, so the lock covers one
# byte far past the holder's note, which stays readable.
_REGION = 1 << 30

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, _REGION, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _REGION, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _command() -> str:
    args = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    return " ".join(args)


def _note() -> bytes:
    return json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command(),
            "since": datetime.now().astimezone().isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
    ).encode("utf-8")


def holder(folder: Path, name: str = LOCK_NAME) -> str:
    """Who holds the folder's lock, in words, from the note the holder wrote."""
    try:
        raw = json.loads((folder / name).read_bytes().decode("utf-8"))
        since = datetime.fromisoformat(str(raw["since"])).strftime("%H:%M:%S ngày %d/%m/%Y")
        return (
            f"tiến trình {int(raw['pid'])} trên máy {raw['host']}, lệnh «{raw['command']}», "
            f"chạy từ {since}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "một lần chạy khác (chưa ghi kịp thông tin)"


@contextmanager
def hold(folder: Path, *, wait: float | None = None, name: str = LOCK_NAME) -> Iterator[None]:
    """Hold `folder`'s lock for the block, creating the folder if needed; wait up to `wait`
    seconds (default WAIT_SECONDS) for another run, then raise EnvironmentProblem naming it.
    `name`: another lock file of the folder (a build holds one across its stages)."""
    limit = WAIT_SECONDS if wait is None else wait
    try:
        folder.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
        fd = os.open(folder / name, flags, 0o666)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không tạo được thư mục hoặc tệp trong {folder}: {exc.strerror}",
            "kiểm tra quyền ghi, hoặc chọn thư mục khác bằng --out.",
        ) from exc
    try:
        deadline = time.monotonic() + limit
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise EnvironmentProblem(
                    f"Thư mục {folder} đang được dùng bởi {holder(folder, name)}",
                    f"đã chờ {limit:g} giây; đợi lần chạy đó xong rồi chạy lại lệnh.",
                )
            time.sleep(_POLL)
        try:
            note = _note()
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, note)
            yield
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)
