"""Per-run temporary folders in TMPDIR, and child programs that die with hoso.

A run that hands files to another program (LibreOffice, the tracked-changes comparer) puts
them in ONE folder of its own under the temporary folder, named with a recognisable prefix
(`hoso-pdf-…`, `hoso-so-sanh-…`) and locked by the run (pipeline.files.lock) while it
lasts. A run killed outright cannot remove its folder, so every run first removes the
folders of its prefix whose lock is free: their owner process has ended (the kernel drops
a dead process's locks; a pid may be reused, a lock may not). A folder a live run uses is
locked and kept.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pipeline.common.errors import EnvironmentProblem
from pipeline.files import lock

_WINDOWS = sys.platform == "win32"


def sweep(prefix: str) -> None:
    """Remove the folders `prefix*` in TMPDIR left by runs that were killed."""
    try:
        found = list(Path(tempfile.gettempdir()).glob(prefix + "*"))
    except OSError:
        return
    for folder in found:
        if not folder.is_dir() or folder.is_symlink():
            continue
        try:
            with lock.hold(folder, wait=0):
                shutil.rmtree(folder, ignore_errors=True)
        except (EnvironmentProblem, OSError):
            continue


@contextlib.contextmanager
def run_folder(prefix: str, purpose: str, kept: str = "") -> Iterator[Path]:
    """A fresh folder `prefix…` in TMPDIR, locked for the block and removed after it; the
    leftovers of killed runs with the same prefix are removed first. `purpose` says in
    Vietnamese what the files are for ("để LibreOffice lập PDF"), for the message of a
    full or unwritable temporary folder; `kept`, what it adds (see temporary_problem)."""
    sweep(prefix)
    try:
        # Made under a hidden name and locked before it takes its swept name: a sweeping run
        # never finds it unlocked (between mkdtemp and the lock) and removes it under us.
        # Windows renames no folder holding an open file: there it is named at once.
        hidden = Path(tempfile.mkdtemp(prefix=("" if _WINDOWS else ".") + prefix))
    except OSError as exc:
        raise temporary_problem(exc, purpose, kept) from exc
    folder = hidden if _WINDOWS else hidden.with_name(hidden.name[1:])
    try:
        with lock.hold(hidden, wait=0):
            if not _WINDOWS:
                hidden.rename(folder)
            yield folder
    finally:
        # ignore_errors: on Windows a killed child may hold a file a moment.
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(hidden, ignore_errors=True)


def temporary_problem(exc: OSError, purpose: str, kept: str = "") -> EnvironmentProblem:
    """The message of a failed write in TMPDIR `purpose` ("để LibreOffice lập PDF"): a
    full one (or a full quota) is named as such, and so is a file over the size limit the
    system sets for this user (ulimit -f), which freeing space would not cure. `kept`: a
    sentence on what stays as it was ("Các tệp PDF cũ vẫn giữ nguyên.")."""
    where = tempfile.gettempdir()
    again = " rồi chạy lại." + (f" {kept}" if kept else "")
    if exc.errno == errno.EFBIG:
        return EnvironmentProblem(
            f"Không ghi được tệp {purpose} trong thư mục tạm {where}: tệp vượt cỡ tối đa "
            "hệ thống cho phép người dùng này ghi",
            "nâng giới hạn cỡ tệp (ulimit -f, do người quản trị máy đặt)" + again,
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = f"Thư mục tạm {where} đã đầy, không ghi được tệp {purpose}"
    else:
        what = f"Không tạo được tệp {purpose} trong thư mục tạm {where}: {exc.strerror or exc}"
    return EnvironmentProblem(
        what,
        "giải phóng chỗ trống (hoặc đặt biến môi trường TMPDIR, trên Windows TEMP, chỉ tới "
        "thư mục còn chỗ)" + again,
    )


def die_with_parent() -> None:
    """In a child, before exec (Linux): the kernel kills it when hoso dies, however hoso
    dies, so no converter or comparer runs on after a killed run."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
