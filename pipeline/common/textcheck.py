"""Which characters a clerk's text may hold, and how to show the ones it may not.

Text copied from web pages, chat apps or other documents can carry characters that print
as nothing but change what is printed: a backspace or a zero-width space inside a name, a
right-to-left override that reverses the signature line, a byte-order mark in the middle of
a sentence. Word shows none of them, and some make the .docx unreadable. They are refused
with their position; messages show them as ⟨U+XXXX⟩ so the terminal is not affected either.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from pipeline.common import limits
from pipeline.common.vnformat import number

# Bidirectional controls: embeddings, overrides, isolates and marks. Vietnamese never needs
# them; an override reverses the text Word shows.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Line and paragraph separators break lines inside a Word paragraph without a newline.
_SEPARATORS = frozenset("\u2028\u2029")
_MULTILINE_ALLOWED = frozenset("\n\r\t")
_BY_CATEGORY = {
    "Cc": "ký tự điều khiển không in được",
    # Zero-width spaces and joiners, byte-order marks, soft hyphens, tags: all invisible.
    "Cf": "ký tự ẩn (không nhìn thấy)",
}
_SHOWN_AROUND = 12
_PRINTABLE_SPACES = str.maketrans(dict.fromkeys(_MULTILINE_ALLOWED, " "))


@dataclass(frozen=True)
class Unwanted:
    """One refused character: 1-based position in the text and what it is (Vietnamese)."""

    position: int
    char: str
    kind: str

    @property
    def code_point(self) -> str:
        name = unicodedata.name(self.char, "")
        return f"U+{ord(self.char):04X}" + (f" {name}" if name else "")


def kind_of(char: str, *, multiline: bool = False) -> str | None:
    """Why `char` may not appear in a profile text, or None when it may."""
    if multiline and char in _MULTILINE_ALLOWED:
        return None
    code = ord(char)
    category = unicodedata.category(char)
    if char in "\n\r\t" or char in _SEPARATORS:
        return "dấu xuống dòng hoặc dấu tab (mục này chỉ ghi trên một dòng)"
    if char in _BIDI:
        return "ký tự ẩn đổi chiều chữ"
    if code & 0xFFFE == 0xFFFE or 0xFDD0 <= code <= 0xFDEF or category == "Cs":
        return "ký tự không hợp lệ"
    return _BY_CATEGORY.get(category)


def unwanted(text: str, *, multiline: bool = False) -> list[Unwanted]:
    """Every refused character of `text`, in order."""
    # Fast path: str.isprintable is false for every refused character (and for spaces
    # other than U+0020, which are fine), so most texts need no character-by-character look.
    if (text.translate(_PRINTABLE_SPACES) if multiline else text).isprintable():
        return []
    found = []
    for index, char in enumerate(text):
        kind = kind_of(char, multiline=multiline)
        if kind is not None:
            found.append(Unwanted(index + 1, char, kind))
    return found


def visible(text: str, *, multiline: bool = False) -> str:
    """`text` with every refused character written as ⟨U+XXXX⟩, safe to print anywhere."""
    return "".join(
        f"⟨U+{ord(c):04X}⟩" if kind_of(c, multiline=multiline) is not None else c for c in text
    )


def around(text: str, position: int) -> str:
    """The text near a 1-based position, refused characters made visible."""
    start = max(position - 1 - _SHOWN_AROUND, 0)
    piece = text[start : position + _SHOWN_AROUND]
    prefix = "…" if start > 0 else ""
    suffix = "…" if position + _SHOWN_AROUND < len(text) else ""
    return prefix + visible(piece) + suffix


@dataclass(frozen=True)
class TextProblem:
    """What is wrong with one text value, ready for a located Problem."""

    code: str
    message: str
    hint: str
    shown: str


def text_problems(text: str, *, multiline: bool) -> list[TextProblem]:
    """Length and character problems of one profile text (the first few refused characters)."""
    # Imported here: errors uses `visible` from this module.
    from pipeline.common.errors import Problem

    def said(problem: Problem, shown: str) -> TextProblem:
        return TextProblem(problem.code, problem.message, problem.hint or "", shown)

    most = limits.MAX_FREE_TEXT_CHARS if multiline else limits.MAX_LINE_CHARS
    if len(text) > most:
        return [
            said(
                Problem.of("qua-dai", length=number(len(text)), most=number(most)), around(text, 1)
            )
        ]
    problems = []
    found = unwanted(text, multiline=multiline)
    for item in found[:3]:
        problems.append(
            said(
                Problem.of(
                    "ky-tu-an",
                    variant="ky-tu",
                    kind=item.kind,
                    position=item.position,
                    code_point=item.code_point,
                ),
                around(text, item.position),
            )
        )
    if len(found) > 3:
        problems.append(
            said(
                Problem.of(
                    "ky-tu-an",
                    variant="con-nua",
                    hint="gõ lại toàn bộ mục này thay vì chép từ nơi khác.",
                    more=len(found) - 3,
                ),
                "",
            )
        )
    return problems
