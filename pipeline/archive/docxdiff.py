"""Which paragraphs of two versions of a paper differ, and how they pair up.

Papers of two versions come from the same template, so their paragraphs line up: we
compare them in document order (tables included, cell by cell) with difflib, keyed by
the paragraph's place in the table structure and its text. A paragraph whose only
difference is the issued number in its "Số:" line counts as unchanged: the number is
given at issue time and is not content.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

# "Số: 05/KH-UBND", "Số:       /BC-UBND": the issued number, masked when comparing content.
_NUMBER_LINE = re.compile(r"^\s*Số:\s*\d*\s*/")
_CONTAINERS = (qn("w:tbl"), qn("w:tr"), qn("w:tc"))


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


def changed_paragraphs(old: bytes, new: bytes) -> list[tuple[str | None, str | None]]:
    """(old text, new text) of every paragraph that differs in content; None when absent."""
    a, b = paragraphs(read(old)), paragraphs(read(new))
    changes: list[tuple[str | None, str | None]] = []
    for i, j in align(a, b):
        before = a[i] if i is not None else None
        after = b[j] if j is not None else None
        if before is None or after is None or before.key != after.key:
            changes.append((before.text if before else None, after.text if after else None))
    return changes


def issued_number(data: bytes) -> str | None:
    """The number of the paper's "Số:" line ("05"), or None when it is left blank."""
    for para in paragraphs(read(data)):
        match = re.match(r"^\s*Số:\s*(\d+)\s*/", para.text)
        if match:
            return match.group(1)
        if para.text.strip().startswith("Số:"):
            return None
    return None
