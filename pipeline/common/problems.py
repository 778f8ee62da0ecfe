"""The catalogue of problem codes (pipeline/data/problems.toml): what each code means, its
class (input, environment, warning) and the usual fix. A `Problem` carries the message and
hint of its own case; the catalogue is the one place a code is explained."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pipeline.common.errors import EXIT_ENVIRONMENT, EXIT_INPUT

ProblemClass = Literal["du-lieu", "moi-truong", "canh-bao"]
_CLASSES: dict[str, int] = {"du-lieu": EXIT_INPUT, "moi-truong": EXIT_ENVIRONMENT, "canh-bao": 0}
_KEYS = {"nhom", "tieu_de", "noi", "loai", "goi_y"}


@dataclass(frozen=True)
class ProblemKind:
    code: str
    group: str
    title: str
    where: str
    kind: ProblemClass
    hint: str

    @property
    def exit_code(self) -> int:
        return _CLASSES[self.kind]


class CatalogueError(ValueError):
    """The shipped catalogue is malformed: a bug in hoso, found by its tests."""


@cache
def problem_catalogue() -> dict[str, ProblemKind]:
    """Every problem code, in the catalogue's order."""
    with (resources.files("pipeline.data") / "problems.toml").open("rb") as f:
        raw = tomllib.load(f)
    found: dict[str, ProblemKind] = {}
    for code, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) != _KEYS:
            raise CatalogueError(f"problems.toml › {code}: cần đúng các khóa {sorted(_KEYS)}")
        if entry["loai"] not in _CLASSES or not all(isinstance(v, str) for v in entry.values()):
            raise CatalogueError(f"problems.toml › {code}: loai phải là {sorted(_CLASSES)}")
        found[code] = ProblemKind(
            code, entry["nhom"], entry["tieu_de"], entry["noi"], entry["loai"], entry["goi_y"]
        )
    return found


def catalogue_markdown(kinds: dict[str, ProblemKind]) -> str:
    """docs/problems.md: one table per group."""
    lines = [
        "# Mã lỗi của hoso",
        "",
        "Mỗi lỗi hoso báo có một mã (`--json` in ra ở trường `code`). Bảng này nói mỗi mã nghĩa",
        "là gì, gặp ở đâu và cách sửa thường gặp; thông báo của từng lần chạy còn ghi rõ tệp,",
        "trang, ô hoặc khóa và cách sửa cho trường hợp đó. Loại: *dữ liệu* (mã thoát 1),",
        "*môi trường* (mã thoát 3), *cảnh báo* (vẫn chạy tiếp).",
        "",
        "Tệp này được lập từ `pipeline/data/problems.toml` bằng `scripts/build_problems_doc.py`.",
    ]
    shown = {"du-lieu": "dữ liệu", "moi-truong": "môi trường", "canh-bao": "cảnh báo"}
    group = None
    for kind in kinds.values():
        if kind.group != group:
            group = kind.group
            lines += ["", f"## {group}", "", "| mã | nghĩa | gặp ở | loại | cách sửa |"]
            lines.append("|---|---|---|---|---|")
        lines.append(
            f"| `{kind.code}` | {kind.title} | {kind.where} | {shown[kind.kind]} | {kind.hint} |"
        )
    return "\n".join(lines) + "\n"
