"""Which paragraphs of two versions of a paper differ, and how they pair up.

Papers of two versions come from the same template, so their paragraphs line up: we
compare them in document order (tables included, cell by cell) with difflib, keyed by
the paragraph's place in the table structure and its text. A paragraph whose only
difference is the issued number in its "Số:" line counts as unchanged: the number is
given at issue time and is not content.
"""

from __future__ import annotations

import difflib
import functools
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

# "Số: 05/KH-UBND", "Số:       /BC-UBND": the issued number, masked when comparing content.
_NUMBER_LINE = re.compile(r"^\s*Số:\s*\d*\s*/")
_CONTAINERS = (qn("w:tbl"), qn("w:tr"), qn("w:tc"))
_ISSUED = re.compile(r"^\s*Số:\s*(\d*)\s*/\s*(\S+)")
# A paragraph that is a place (or a time) and a date: "Bình Trung, ngày 20 tháng 11 năm
# 2024", the minutes' "Thời gian bắt đầu: 08 giờ 00 phút, ngày 05 tháng 11 năm 2024." (a
# ground citing a law's date is not one: it goes on after the date).
_DATED = re.compile(r"[^,;]{1,80},\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\.?")
# A data table has at least this many columns; the layout tables of Decree 30 (header,
# signature) have two.
_DATA_COLUMNS = 3


@dataclass(frozen=True)
class Para:
    """One paragraph: where it sits in the tables, its text, and its XML element."""

    path: tuple[int, ...]
    text: str
    element: Any

    @property
    def key(self) -> str:
        return _NUMBER_LINE.sub("Số: #/", self.text)


Pair = tuple[int | None, int | None]  # (old index, new index); None: only in the other


def read(data: bytes) -> Any:
    """A python-docx Document from .docx bytes."""
    return docx.Document(io.BytesIO(data))


def paragraphs(document: Any) -> list[Para]:
    """Every paragraph of the body in document order, descending into tables."""
    body = document.element.body
    return [Para(_path(p, body), Paragraph(p, document.part).text, p) for p in body.iter(qn("w:p"))]


def _path(element: Any, stop: Any) -> tuple[int, ...]:
    path: list[int] = []
    node = element.getparent()
    while node is not None and node is not stop:
        if node.tag in _CONTAINERS:
            parent = node.getparent()
            path.append(list(parent.iterchildren(node.tag)).index(node))
        node = node.getparent()
    return tuple(reversed(path))


def align(old: list[Para], new: list[Para]) -> list[Pair]:
    """Pair the paragraphs of two versions, in order.

    Unchanged paragraphs pair first (same place, same text); within each changed stretch,
    paragraphs at the same place in the tables pair as "modified", the rest are deleted or
    inserted.
    """
    matcher = difflib.SequenceMatcher(
        None, [(p.path, p.key) for p in old], [(p.path, p.key) for p in new], autojunk=False
    )
    pairs: list[Pair] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += zip(range(i1, i2), range(j1, j2), strict=True)
            continue
        inner = difflib.SequenceMatcher(
            None, [p.path for p in old[i1:i2]], [p.path for p in new[j1:j2]], autojunk=False
        )
        for kind, x1, x2, y1, y2 in inner.get_opcodes():
            if kind == "equal":
                pairs += zip(range(i1 + x1, i1 + x2), range(j1 + y1, j1 + y2), strict=True)
            else:
                pairs += [(i, None) for i in range(i1 + x1, i1 + x2)]
                pairs += [(None, j) for j in range(j1 + y1, j1 + y2)]
    return pairs


@dataclass(frozen=True)
class Change:
    """A paragraph that differs; `place` names a data table's cell: its row and column."""

    old: str | None
    new: str | None
    place: str = ""


def changes(old: bytes, new: bytes) -> list[Change]:
    """Every paragraph that differs in content (None when absent), a table cell with its
    row and column."""
    return list(_changes(old, new))


# `hoso issue` asks about one pair of papers several times (has it changed? what changed, for
# the explanation?): the same bytes are compared once. Keyed by the bytes themselves, so a
# paper rewritten in between is compared afresh.
@functools.lru_cache(maxsize=16)
def _changes(old: bytes, new: bytes) -> tuple[Change, ...]:
    a, b = paragraphs(read(old)), paragraphs(read(new))
    found: list[Change] = []
    for i, j in align(a, b):
        before = a[i] if i is not None else None
        after = b[j] if j is not None else None
        if before is None or after is None or before.key != after.key:
            shown = after or before
            found.append(
                Change(
                    before.text if before else None,
                    after.text if after else None,
                    cell_place(shown.element) if shown else "",
                )
            )
    return tuple(found)


def changed_paragraphs(old: bytes, new: bytes) -> list[tuple[str | None, str | None]]:
    """(old text, new text) of every paragraph that differs in content; None when absent."""
    return [(c.old, c.new) for c in changes(old, new)]


def _ancestor(element: Any, tag: str) -> Any:
    node = element.getparent()
    while node is not None and node.tag != tag:
        node = node.getparent()
    return node


def _cell_text(cell: Any) -> str:
    texts = ("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in cell.iter(qn("w:p")))
    return " ".join(" ".join(texts).split())


def cell_place(element: Any) -> str:
    """ "dòng “4 Trẻ em bị xâm hại”, cột “Điểm đạt”" for a paragraph in a data table's
    cell: the row named by its first cells, the column by the header row's cell; "" outside
    a data table."""
    cell = _ancestor(element, qn("w:tc"))
    row = _ancestor(cell, qn("w:tr")) if cell is not None else None
    table = _ancestor(row, qn("w:tbl")) if row is not None else None
    if cell is None or row is None or table is None:
        return ""
    cells = list(row.iterchildren(qn("w:tc")))
    if len(cells) < _DATA_COLUMNS:
        return ""
    index = cells.index(cell)
    # The row's name: its leading cells up to the first worded one ("4", "Trẻ em bị xâm hại").
    leading: list[str] = []
    for text in (_cell_text(c) for c in cells[:index]):
        if text:
            leading.append(text)
        if any(ch.isalpha() for ch in text):
            break
    name = " ".join(leading)
    rows = list(table.iterchildren(qn("w:tr")))
    parts = [f"dòng “{name}”"] if name else []
    if rows and rows[0] is not row:
        header = list(rows[0].iterchildren(qn("w:tc")))
        if index < len(header) and _cell_text(header[index]):
            parts.append(f"cột “{_cell_text(header[index])}”")
    return ", ".join(parts)


@dataclass(frozen=True)
class Printed:
    """What a paper prints about itself: its number and symbol, its date, its Nơi nhận."""

    number: str | None  # "02"; None: left blank to write by hand
    symbol: str  # "BC-UBND"
    day: date | None  # the date of its place-and-date line; None: written by hand
    recipients: tuple[str, ...]  # its Nơi nhận, "Như trên" replaced by the addressee


@functools.lru_cache(maxsize=16)
def printed(data: bytes) -> Printed:
    """Read a paper's own number, date and recipients (the register's columns); a paper
    read twice in one issue (its register row, the explanation) is read once."""
    texts = [p.text.strip() for p in paragraphs(read(data))]
    number, symbol, day = None, "", None
    addressee = ""
    recipients: list[str] = []
    listing = False
    for text in texts:
        issued = _ISSUED.match(text)
        if issued and not symbol:
            number, symbol = issued.group(1) or None, issued.group(2)
        found = _DATED.fullmatch(text)
        if found and day is None:
            day = _date(found)
        if text.startswith("Kính gửi:") and not addressee:
            addressee = text.removeprefix("Kính gửi:").strip().rstrip(".")
        if text.startswith("Nơi nhận:"):
            listing = True
        elif listing and text.startswith("-"):
            item = text.lstrip("- ").rstrip(";.").strip()
            if item.startswith("Lưu:"):
                listing = False
            elif item == "Như trên" and addressee:
                recipients.append(addressee)
            else:
                recipients.append(item)
    return Printed(number, symbol, day, tuple(recipients))


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    except ValueError:
        return None


def issued_number(data: bytes) -> str | None:
    """The number of the paper's "Số:" line ("05"), or None when it is left blank."""
    for para in paragraphs(read(data)):
        match = re.match(r"^\s*Số:\s*(\d+)\s*/", para.text)
        if match:
            return match.group(1)
        if para.text.strip().startswith("Số:"):
            return None
    return None
