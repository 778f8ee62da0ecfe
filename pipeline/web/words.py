"""The library's messages in the page's words.

The library speaks to the command line: its hints name commands (`hoso score …`), files
(hoso.toml, data.json), option names, key paths (don_vi.thon) and code points (U+200B).
A clerk in the page never sees those: each becomes the button, the page or the field it
stands for. Times are shown in Vietnam's time, as a clerk writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipeline.archive.diff import CURRENT
from pipeline.common.errors import Problem
from pipeline.model import dataset, scorecard
from pipeline.model.indicators import catalogue as indicators
from pipeline.model.profile import PROFILE_NAME
from pipeline.model.units import Words

VIETNAM = timezone(timedelta(hours=7), "Giờ Việt Nam")  # no daylight saving

# A command of the CLI, as the library's hints write it, and the page's way to do the same.
_COMMANDS = {  # "chạy lại `hoso score …`" becomes "bấm nút «Chấm điểm» ở bước 3"
    "init": "nút «Tạo hồ sơ mới» ở trang đầu",
    "forms": "nút «Tải biểu mẫu trống» ở bước 2",
    "ingest": "nút «Kiểm tra lại số liệu» ở bước 2",
    "score": "nút «Chấm điểm» ở bước 3",
    "render": "nút «Lập văn bản» ở bước 5",
    "pdf": "nút «Lập văn bản» (kèm bản PDF) ở bước 5",
    "build": "các nút ở bước 2, 3 và 5",
}
_COMMAND = re.compile(
    r"(?:(chạy lại|chạy)\s+)?`?\bhoso (init|forms|ingest|score|render|pdf|build)\b[^`,;.)]*`?"
)
# "--loai mien_nui (xã, thị trấn miền núi…: 800 điểm)": the page's list shows the words.
_CATEGORY = re.compile(r"--loai [a-z_]+ \(([^()]*?): (\d+) điểm\)")
_OPTION = re.compile(r"\s*\((?:với )?cùng --[a-z-]+ nếu có\)|\s*--[a-z][a-z-]*(?: [A-Z_]+)?")
_MOVE_OUT = re.compile(r"chuyển (tệp khác|bản kia) ra khỏi thư mục(?: [\w.-]+/)?")
_CODE_POINT = re.compile(r"⟨?U\+[0-9A-F]{4,6}⟩?(?: [A-Z][A-Z -]*[A-Z])?")
_FILES = {
    "[[dieu_chinh]]": "điều chỉnh của Hội đồng",
    PROFILE_NAME: "thông tin hồ sơ",
    dataset.DATA_NAME: "số liệu đã nhập",
    scorecard.SCORECARD_NAME: "kết quả chấm điểm",
    "papers.json": "danh sách văn bản đã lập",
    "pdfs.json": "danh sách bản PDF đã lập",
}
_FILE_DATE = re.compile(r'viết \d{4}-\d{2}-\d{2}(?:T[\d:]+)? \(không ngoặc kép\) hoặc "([^"]+)"')
_KEY = re.compile(r"\b[a-z_]+(?:\.[a-z_0-9]+)+(?:\[\d+\](?:\.[a-z_0-9]+)*)?\b")


@dataclass(frozen=True)
class Shown:
    """A problem as the page shows it; `source` is the library's own (its file and cell
    place it on the page)."""

    source: Problem
    file: str
    field: str
    message: str
    hint: str
    value: str


def text(said: str, labels: dict[str, str], roots: tuple[Path, ...] = ()) -> str:
    """One message or hint in the page's words."""
    for root in roots:
        said = said.replace(f"{root}/", "").replace(str(root), "hồ sơ")
    said = _COMMAND.sub(lambda m: ("bấm " if m[1] else "") + _COMMANDS[m[2]], said)
    said = _CATEGORY.sub(r"«\1» (\2 điểm)", said)
    said = _OPTION.sub("", said)
    said = _CODE_POINT.sub("ký tự ẩn (không nhìn thấy)", said).replace("ký tự ký tự", "ký tự")
    # A file to take out of the dossier's folder: the page's list has a button for it.
    said = _MOVE_OUT.sub(
        lambda m: (
            f"bấm «Xóa» cạnh {'tệp đó' if m[1] == 'tệp khác' else m[1]} trong danh sách "
            "«Các biểu trong hồ sơ»"
        ),
        said,
    )
    # The page's button rewrites the program's own file: nothing to delete by hand.
    said = said.replace("xóa tệp này rồi ", "")
    # The file's way to write a date (ISO, unquoted) is not the form's: the form shows and
    # reads 22/3/2024 and 05/11/2024 08:00, so its hint gives only that.
    said = _FILE_DATE.sub(r"viết \1", said)
    said = said.replace(" (không ngoặc kép)", "")
    for name, page_name in _FILES.items():
        said = said.replace(name, page_name)
    said = _KEY.sub(lambda m: f"«{labels[m[0]]}»" if m[0] in labels else m[0], said)
    return said.replace("``", "").replace("`", "")


def field_label(field: str, words: Words, labels: dict[str, str]) -> str:
    """An indicator's code or a profile key as the label the clerk reads."""
    known = indicators()
    if field in known:
        return known[field].label_in(words)
    if field in labels:
        return labels[field]
    bare = re.sub(r"\[\d+\]", "", field)
    return labels.get(bare, labels.get(bare.rsplit(".", 1)[0], "")) if "." in bare else ""


def file_label(file: str) -> str:
    """A workbook by its own name; the program's files by what they hold; never a path."""
    name = Path(file).name if file and not file.endswith("/") else ""
    if name in _FILES:
        return _FILES[name][0].upper() + _FILES[name][1:]
    return "" if name in ("", ".") else name


def problem(p: Problem, words: Words, labels: dict[str, str], roots: tuple[Path, ...]) -> Shown:
    return Shown(
        source=p,
        file=file_label(p.file or ""),
        field=field_label(p.field or "", words, labels),
        message=text(p.message, labels, roots),
        hint=text(p.hint or "", labels, roots),
        value=text(str(p.value), labels, roots) if p.value not in (None, "") else "",
    )


_PAPER_FILE = re.compile(r" \([\w.-]+\.docx\)")
_WHERE = re.compile(r"\[(?:[\w.-]+/)?([^\]]+)\]")


def diff_line(line: str, labels: dict[str, str], roots: tuple[Path, ...] = ()) -> str:
    """A line of the comparison of two versions, without file names or the CLI's names."""
    line = line.replace(CURRENT, "bản hiện tại")
    line = _PAPER_FILE.sub("", line)
    line = _WHERE.sub(lambda m: f"[{m[1]}]", line)
    return text(line, labels, roots)


def local_time(iso: str) -> str:
    """An ISO timestamp as Vietnam's time: "14:05 ngày 03/12/2026"."""
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=VIETNAM)
    when = when.astimezone(VIETNAM)
    return f"{when:%H:%M} ngày {when:%d/%m/%Y}"
