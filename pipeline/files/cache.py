"""A small on-disk cache kept across processes: that an unchanged file was checked and found
clean, and the code objects compiled from unchanged template sources.

Every entry is keyed by a digest of everything it depends on: a missing, unwritable or
wiped cache costs time, never correctness, and nothing found wrong is ever skipped.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from types import CodeType

CACHE_SETTING = "HOSO_CACHE"  # a folder, or "" to switch the cache off


def cache_folder() -> Path | None:
    """Where the cache lives: $HOSO_CACHE, else the user's cache folder."""
    setting = os.environ.get(CACHE_SETTING)
    if setting is not None:
        return Path(setting) if setting else None
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return Path(base) / "hoso" / "cache" if base else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hoso"


def known_clean(kind: str, key: str) -> bool:
    folder = cache_folder()
    return folder is not None and (folder / kind / key).is_file()


def mark_clean(kind: str, key: str) -> None:
    folder = cache_folder()
    if folder is None:
        return
    try:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        (folder / kind / key).touch()
    except OSError:
        pass  # a read-only or full home folder: the check simply runs again next time


def load_code(kind: str, key: str) -> CodeType | None:
    """A code object stored by `store_code`, or None (absent, unreadable, or not code)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        code = marshal.loads((folder / kind / key).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def store_code(kind: str, key: str, code: CodeType) -> None:
    folder = cache_folder()
    if folder is None:
        return
    target = folder / kind / key
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        partial = target.with_name(f"{key}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps(code))
        partial.replace(target)
    except OSError:
        pass
