"""Reading our own intermediate files (data.json, scorecard.json) defensively.

They are written by hoso, but a clerk may open one in Notepad, an antivirus may cut one
short, or a disk may fill up. Whatever they hold, reading them gives the object or one
ValueError saying what is wrong, which the stages report as "run the earlier stage again"
(exit 1), never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pipeline import limits

T = TypeVar("T")

# Everything a model's from_json may raise on content of the wrong shape.
MALFORMED = (
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    ArithmeticError,
    RecursionError,
)


def load_json(path: Path, build: Callable[[dict[str, Any]], T]) -> T:
    """`build(object)` for the JSON object in `path`; ValueError when anything is off.

    OSError (a file that cannot be read) passes through: that is the environment."""
    if path.stat().st_size > limits.MAX_JSON_BYTES:
        raise ValueError(f"tệp lớn hơn {limits.MAX_JSON_BYTES // (1024 * 1024)} MB")
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError(f"nội dung là {type(raw).__name__}, không phải một đối tượng JSON")
        return build(raw)
    except MALFORMED as exc:
        raise ValueError(f"{type(exc).__name__}: {exc}"[:200]) from exc
