"""A small on-disk cache kept across processes: that an unchanged file was checked and found
clean, the code objects compiled from unchanged template sources, and small texts computed
from unchanged inputs (what a template prints whatever the data, which variables it reads,
the digest of the paper a template and the variables it reads give).

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
    _store(kind, key, marshal.dumps(code))


def load_text(kind: str, key: str) -> str | None:
    """A text stored by `store_text`, or None (absent, unreadable or not UTF-8)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        return (folder / kind / key).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def store_text(kind: str, key: str, text: str) -> None:
    _store(kind, key, text.encode("utf-8"))


def _store(kind: str, key: str, data: bytes) -> None:
    folder = cache_folder()
    if folder is None:
        return
    target = folder / kind / key
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a reader never sees half a file.
        partial = target.with_name(f"{key}.{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(target)
    except OSError:
        pass
