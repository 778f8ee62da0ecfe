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

from pipeline.common import limits

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
    return build_json(read_bounded(path), build)


def read_bounded(path: Path) -> bytes:
    """The bytes of a JSON file; ValueError, before reading, for one far larger than ours."""
    if path.stat().st_size > limits.MAX_JSON_BYTES:
        raise ValueError(f"tệp lớn hơn {limits.MAX_JSON_BYTES // (1024 * 1024)} MB")
    return path.read_bytes()


def read_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, read within the size bound; ValueError for anything else."""
    return build_json(read_bounded(path), lambda raw: raw)


def build_json(data: bytes, build: Callable[[dict[str, Any]], T]) -> T:
    """`build(object)` for the JSON object in `data` (bytes a caller also fingerprints)."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, or nested too deep
        raise ValueError(f"không phải JSON hợp lệ ({str(exc)[:120]})") from exc
    if not isinstance(raw, dict):
        kind = _KINDS.get(type(raw), "một giá trị")
        raise ValueError(f"nội dung là {kind}, không phải một bảng JSON")
    try:
        return build(raw)
    except MALFORMED as exc:
        detail = f"{type(exc).__name__}: {exc}"[:160]
        raise ValueError(f"thiếu hoặc sai dạng dữ liệu ({detail})") from exc


_KINDS = {
    list: "một danh sách",
    str: "một chuỗi",
    int: "một số",
    float: "một số",
    bool: "true/false",
}
