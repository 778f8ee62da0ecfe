"""A small on-disk cache of facts about unchanged files, kept across processes.

It only ever records that something was checked and found clean, keyed by a digest of
everything the answer depends on: a missing, unwritable or wiped cache costs time, never
correctness, and nothing found wrong is ever skipped.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
