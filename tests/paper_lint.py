"""What a careful clerk would retype in a rendered paper, found by rule.

`faults(doc)` reads every paragraph of body text (style "ND30 Nội dung" or "ND30 Căn cứ") and
every paragraph anywhere, and lists each fault as "rule: text". An empty list is a paper a
chairman can sign as it is, as far as rules can tell.
"""

from __future__ import annotations

import re

from docx.document import Document as DocxDocument

from pipeline.files.docxread import iter_paragraphs
from pipeline.model.units import facts, period_of

# Paragraph styles whose paragraphs are sentences (headings, titles and cells are not).
SENTENCE_STYLES = ("ND30 Nội dung", "ND30 Căn cứ")
# A sentence ends with one of these (a hand-written blank ends with its dots).
FINAL = (".", ":", ";", "…", "./.")
# Proper names of agencies and offices, as written: found in lower case, they are a fault.
AGENCIES = (
    "Sở Y tế",
    "Phòng Lao động - Thương binh và Xã hội",
    "Ủy ban nhân dân",
    "Thủ tướng Chính phủ",
    "Hội đồng đánh giá",
    "Văn phòng HĐND và UBND",
)
_DOUBLED = re.compile(r"(?<!\w)(\w+) \1(?!\w)", re.IGNORECASE)
# A criterion is named "tiêu chí 4 (…)" and only so: not "tiêu chí d)", not "Tiêu chí 4 - …".
_OTHER_CRITERION_NAMES = re.compile(r"[Tt]iêu chí (?:[a-zđ]\)|số |\d+(?!\d| \(| điểm))|\bTC \d")


def _text(para_text: str) -> str:
    return " ".join(para_text.split())


# The tool's own bookkeeping, which no paper of the commune cites ("phiên bản 2019.1").
_TOOL_WORDS = re.compile(r"phiên bản \d+(?:\.\d+)+")


def _other_eras_offices(year: int | None) -> list[str]:
    """The unit's office as other periods of the law name it ("Văn phòng HĐND và UBND" is
    no commune office before July 2025): found in a paper of `year`, it is a fault."""
    mine = period_of(year) if year is not None else None
    if mine is None:
        return []
    own = mine.office_of("")
    return [p.office_of("").strip() for p in facts().periods if p.office_of("") != own]


def faults(doc: DocxDocument, year: int | None = None) -> list[str]:
    """The faults of `doc`; with the paper's `year`, also the words of another era."""
    found: list[str] = []
    offices = _other_eras_offices(year)
    for para in iter_paragraphs(doc):
        text = _text(para.text)
        if not text:
            continue
        style = para.style.name if para.style is not None else ""
        if style in SENTENCE_STYLES:
            if text.endswith(","):
                found.append(f"câu kết thúc bằng dấu phẩy: {text}")
            elif not text.endswith(FINAL):
                found.append(f"câu thiếu dấu kết: {text}")
        for match in _DOUBLED.finditer(text):
            if not match.group(1).isdigit():
                found.append(f"từ lặp «{match.group(0)}»: {text}")
        for name in AGENCIES:
            lower = name[0].lower() + name[1:]
            if re.search(rf"(?<!\w){re.escape(lower)}", text):
                found.append(f"tên cơ quan viết thường «{lower}»: {text}")
        for match in _OTHER_CRITERION_NAMES.finditer(text):
            found.append(f"tên tiêu chí khác cách gọi «{match.group(0)}»: {text}")
        found += _words_out_of_place(text, offices)
    return found


def _words_out_of_place(text: str, offices: list[str]) -> list[str]:
    """The tool's words, and another era's office, in a paragraph."""
    found = [f"chữ của phần mềm «{m.group(0)}»: {text}" for m in _TOOL_WORDS.finditer(text)]
    found += [
        f"văn phòng của thời kỳ khác «{office}»: {text}"
        for office in offices
        if office.casefold() in text.casefold()
    ]
    return found
