"""Checking a filled paper before it may replace the previous one: nothing was cut off.

A paper that opens in Word but lacks its last pages is worse than no paper: a clerk signs
it. So every rendered paper is read back with python-docx and compared with its template:
each paragraph the template prints unconditionally (outside any {% for %} / {% if %})
is there, the fixed ones with their exact text and in order (the signature block, "Nơi
nhận:"), and the signer's name is printed when the template prints it. Input limits and
strict parsing (`templating`) should make this impossible; when it fails anyway it is a
defect of hoso, reported as such (exit 4), never a paper written short.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx

from pipeline import __version__
from pipeline.files.cache import load_text, store_text
from pipeline.files.docxread import iter_paragraphs

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

# Opening and closing Jinja/docxtpl block tags: {% for %}, {%p if %}, {%tr endfor %}, …
_BLOCK_TAG = re.compile(r"\{%-?\s*(?:(?:p|tr|tc|r)\s+)?(\w+)")
_OPENING = {"for", "if"}
_CLOSING = {"endfor", "endif"}


class PaperIncomplete(RuntimeError):
    """A rendered paper lacks part of its template: a defect, never the user's input."""


def _normal(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Expected:
    """What a template prints whatever the data."""

    count: int  # paragraphs outside any block
    fixed: list[str]  # of those, the texts without any tag, in reading order
    signer: bool  # whether it prints {{ van_ban.nguoi_ky }}


@lru_cache(maxsize=64)  # keyed by the template's bytes: read once per template per process
def expected_paragraphs(template_data: bytes) -> Expected:
    """What a template's body prints whatever the data; kept in the disk cache, keyed by the
    template's bytes and the code that reads them, so a cold process does not open an
    unchanged template with python-docx only to learn this."""
    key = hashlib.sha256(_reader_digest().encode("ascii") + template_data).hexdigest()
    stored = load_text("in-san", key)
    if stored is not None:
        try:
            raw = json.loads(stored)
            fixed = [str(text) for text in raw["fixed"]]
            return Expected(int(raw["count"]), fixed, raw["signer"] is True)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry: read the template again
    expected = _expected_paragraphs(template_data)
    store_text("in-san", key, json.dumps(asdict(expected), ensure_ascii=False))
    return expected


@cache
def _reader_digest() -> str:
    """What `_expected_paragraphs` depends on besides the template: this code, the paragraph
    walk, python-docx."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}\0{docx.__version__}".encode())
    for path in (here / "readback.py", here.parent / "files" / "docxread.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _expected_paragraphs(template_data: bytes) -> Expected:
    document = docx.Document(io.BytesIO(template_data))
    depth = 0
    count = 0
    fixed: list[str] = []
    signer = False
    for paragraph in iter_paragraphs(document):
        text = paragraph.text
        signer = signer or "van_ban.nguoi_ky" in text
        tags = _BLOCK_TAG.findall(text)
        start = depth
        for tag in tags:
            depth += (tag in _OPENING) - (tag in _CLOSING)
        if start != 0 or depth != 0 or re.search(r"\{%-?\s*(p|tr|tc)\s", text):
            continue  # inside a block, or a docxtpl paragraph tag that vanishes
        count += 1
        if "{{" not in text and "{%" not in text and _normal(text):
            fixed.append(_normal(text))
    return Expected(count, fixed, signer)


def check_paper(data: bytes, template: Any, context: dict[str, Any]) -> None:
    """Raise PaperIncomplete unless the paper `data` holds all its template `template`
    (a TemplateSource) prints whatever the data, and the signer named in `context`."""
    try:
        paper = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a paper python-docx cannot open is our defect
        raise PaperIncomplete(f"{template.name}: văn bản lập ra không mở được ({exc})") from exc
    check_document(paper, template, context)


def check_document(paper: DocxDocument, template: Any, context: dict[str, Any]) -> None:
    """`check_paper` on the filled document itself, the very tree its bytes are written
    from: render reads each paper once."""
    texts = [_normal(p.text) for p in iter_paragraphs(paper)]
    expected = expected_paragraphs(template.data)
    missing = _first_missing(expected.fixed, texts)
    if missing is not None:
        raise PaperIncomplete(f"{template.name}: văn bản lập ra thiếu đoạn «{missing[:60]}»")
    if len(texts) < expected.count:
        raise PaperIncomplete(
            f"{template.name}: văn bản lập ra có {len(texts)} đoạn, mẫu in ít nhất {expected.count}"
        )
    signer = str(context.get("van_ban", {}).get("nguoi_ky") or "")
    if signer and expected.signer and not any(_normal(signer) in text for text in texts):
        raise PaperIncomplete(f"{template.name}: văn bản lập ra thiếu tên người ký")


def _first_missing(fixed: Sequence[str], texts: Sequence[str]) -> str | None:
    """The first of `fixed` not found, in order, among `texts`."""
    position = 0
    for wanted in fixed:
        while position < len(texts) and texts[position] != wanted:
            position += 1
        if position == len(texts):
            return wanted
        position += 1
    return None
