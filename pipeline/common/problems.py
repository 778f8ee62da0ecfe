"""The catalogue of problem codes (pipeline/data/problems.toml): what each code means, its
class (input, environment, warning), the usual fix and the sentence a clerk reads.

`Problem.of(code, …, name=value)` makes a located Problem from the catalogue: the message is
the code's template (`mau`) filled with the fields the caller passes, the hint the code's
`goi_y` filled the same way unless the caller gives the hint of its own case (or None for
none), and a warning code gives a warning. The catalogue is the one place a code is
explained and worded."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pipeline.common.errors import EXIT_ENVIRONMENT, EXIT_INPUT

ProblemClass = Literal["du-lieu", "moi-truong", "canh-bao"]
_CLASSES: dict[str, int] = {"du-lieu": EXIT_INPUT, "moi-truong": EXIT_ENVIRONMENT, "canh-bao": 0}
_KEYS = {"nhom", "tieu_de", "noi", "loai", "goi_y"}
# mau: the message, a str.format template; or, for a code said in different sentences, a
# table of templates by variant name (the caller names the variant).
_OPTIONAL = {"mau"}


@dataclass(frozen=True)
class ProblemKind:
    code: str
    group: str
    title: str
    where: str
    kind: ProblemClass
    hint: str
    # Message templates by variant; "" names the only one. Empty: every call site of the
    # code still words its own message (listed in tests/test_problems.py).
    templates: dict[str, str]

    @property
    def exit_code(self) -> int:
        return _CLASSES[self.kind]

    def template(self, variant: str | None = None) -> str:
        """The message template of `variant` (None for a code with one template)."""
        try:
            return self.templates["" if variant is None else variant]
        except KeyError:
            raise CatalogueError(
                f"problems.toml › {self.code}: không có mẫu {variant!r} "
                f"(có: {sorted(self.templates)})"
            ) from None


class CatalogueError(ValueError):
    """The shipped catalogue is malformed: a bug in hoso, found by its tests."""


@cache
def problem_catalogue() -> dict[str, ProblemKind]:
    """Every problem code, in the catalogue's order."""
    with (resources.files("pipeline.data") / "problems.toml").open("rb") as f:
        raw = tomllib.load(f)
    found: dict[str, ProblemKind] = {}
    for code, entry in raw.items():
        if not isinstance(entry, dict) or not _KEYS <= set(entry) <= _KEYS | _OPTIONAL:
            raise CatalogueError(f"problems.toml › {code}: cần đúng các khóa {sorted(_KEYS)}")
        templates = entry.pop("mau", {})
        if isinstance(templates, str):
            templates = {"": templates}
        if entry["loai"] not in _CLASSES or not all(isinstance(v, str) for v in entry.values()):
            raise CatalogueError(f"problems.toml › {code}: loai phải là {sorted(_CLASSES)}")
        if not isinstance(templates, dict) or not all(
            isinstance(v, str) and v for v in templates.values()
        ):
            raise CatalogueError(f"problems.toml › {code}: mau là chuỗi hoặc bảng các chuỗi")
        found[code] = ProblemKind(
            code,
            entry["nhom"],
            entry["tieu_de"],
            entry["noi"],
            entry["loai"],
            entry["goi_y"],
            templates,
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
        "Tệp này được lập từ `pipeline/data/problems.toml` bằng `scripts/build_docs.py`.",
    ]
    lines += [
        "",
        "Cột *thông báo* là câu hoso in ra; chữ trong ngoặc nhọn như `{value}` là chỗ hoso",
        "điền giá trị của lần chạy (tên tệp, số, ô…). Mã có nhiều câu thì mỗi câu một dòng.",
    ]
    shown = {"du-lieu": "dữ liệu", "moi-truong": "môi trường", "canh-bao": "cảnh báo"}
    group = None
    for kind in kinds.values():
        if kind.group != group:
            group = kind.group
            lines += ["", f"## {group}", ""]
            lines.append("| mã | nghĩa | gặp ở | loại | thông báo | cách sửa |")
            lines.append("|---|---|---|---|---|---|")
        said = "<br>".join(_cell(t) for t in kind.templates.values())
        lines.append(
            f"| `{kind.code}` | {kind.title} | {kind.where} | {shown[kind.kind]} | {said} "
            f"| {_cell(kind.hint)} |"
        )
    return "\n".join(lines) + "\n"


def _cell(template: str) -> str:
    """A template as a clerk reads it in a Markdown table cell: `{name}` for each field
    (without its format spec), braces and bars as written."""
    shown = []
    for text, name, _, _ in string.Formatter().parse(template):
        shown.append(text.replace("|", "\\|"))
        if name is not None:
            shown.append("{" + name + "}")
    return "".join(shown)
