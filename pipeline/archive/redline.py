"""A Word copy of a paper's new version showing the changes as native tracked changes.

The new version is the base, so its formatting is kept; the old text comes back as
deletions (`w:del`) and the new text is marked as insertions (`w:ins`), with an author
and a date, so a reviewer reads them in Word or LibreOffice and accepts or rejects them.

Paragraphs are paired by `docxdiff.align`; inside a paired paragraph the change is made
word by word. A paragraph holding anything other than plain text runs (fields, drawings,
bookmarks…) is replaced whole: the old one deleted, the new one inserted. Table rows
added or removed show as their cells' paragraphs deleted or inserted, not as tracked rows.

`Redliner` is the interface the archive uses, so another engine can be swapped in.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from pipeline.archive.docxdiff import Para, align, paragraphs, read
from pipeline.files.atomic import docx_bytes

_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
# Run content we rebuild character by character; anything else makes a paragraph "complex".
_SPECIAL = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n"}
_DROPPABLE = {qn("w:lastRenderedPageBreak"), qn("w:proofErr")}


class Redliner(Protocol):
    """Makes the tracked-changes document between two versions of one paper."""

    def __call__(self, old: bytes, new: bytes, *, author: str, when: datetime) -> bytes: ...


def redline(old: bytes, new: bytes, *, author: str, when: datetime) -> bytes:
    """The new version of a .docx with every difference from `old` as a tracked change."""
    old_doc, new_doc = read(old), read(new)
    before, after = paragraphs(old_doc), paragraphs(new_doc)
    marks = _Marks(author, when, _max_id(new_doc.element) + 1)
    pairs = align(before, after)
    last: Any = None
    for position, (i, j) in enumerate(pairs):
        if j is not None:
            target = after[j]
            if i is None:
                _mark_inserted(target.element, marks)
            elif before[i].text != target.text:
                _mark_modified(before[i].element, target.element, marks)
            last = target.element
            continue
        assert i is not None
        deleted = _deleted_copy(before[i].element, marks)
        following = _next_new(pairs, position, after)
        if following is not None and (last is None or _path_of(last, after) != before[i].path):
            following.element.addprevious(deleted)
        elif last is not None:
            last.addnext(deleted)
        else:
            new_doc.element.body.insert(0, deleted)
        last = deleted
    return docx_bytes(new_doc)


def _next_new(pairs: list[tuple[int | None, int | None]], start: int, after: list[Para]) -> Any:
    for _, j in pairs[start + 1 :]:
        if j is not None:
            return after[j]
    return None


def _path_of(element: Any, after: list[Para]) -> tuple[int, ...] | None:
    for para in after:
        if para.element is element:
            return para.path
    return None  # a deleted copy placed earlier: keep going after it


class _Marks:
    """Revision attributes: unique ids, one author, one date."""

    def __init__(self, author: str, when: datetime, first_id: int) -> None:
        self.author = author
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.next_id = first_id

    def make(self, tag: str) -> Any:
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(self.next_id))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        self.next_id += 1
        return element


def _max_id(root: Any) -> int:
    ids = [root.get(qn("w:id"))] + [e.get(qn("w:id")) for e in root.iter()]
    return max((int(i) for i in ids if i is not None and i.lstrip("-").isdigit()), default=0)


def _mark_paragraph(p: Any, kind: str, marks: _Marks) -> None:
    """Mark the paragraph mark itself as inserted or deleted (`w:pPr/w:rPr/w:ins`)."""
    ppr = p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        later = [c for c in ppr if c.tag in (qn("w:sectPr"), qn("w:pPrChange"))]
        if later:
            later[0].addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.insert(0, marks.make(kind))


def _mark_inserted(p: Any, marks: _Marks) -> None:
    for run in list(p.iterchildren(qn("w:r"))):
        wrapper = marks.make("w:ins")
        run.addprevious(wrapper)
        wrapper.append(run)
    _mark_paragraph(p, "w:ins", marks)


def _deleted_copy(p: Any, marks: _Marks) -> Any:
    """A copy of an old paragraph with all its text and its mark deleted."""
    clone = copy.deepcopy(p)
    for tag in ("w:bookmarkStart", "w:bookmarkEnd", "w:sectPr"):
        for element in list(clone.iter(qn(tag))):
            element.getparent().remove(element)
    for run in list(clone.iterchildren(qn("w:r"))):
        _to_deleted_run(run)
        wrapper = marks.make("w:del")
        run.addprevious(wrapper)
        wrapper.append(run)
    _mark_paragraph(clone, "w:del", marks)
    return clone


def _to_deleted_run(run: Any) -> None:
    for old, new in (("w:t", "w:delText"), ("w:instrText", "w:delInstrText")):
        for element in run.iter(qn(old)):
            element.tag = qn(new)


# --- word by word inside one paragraph ---------------------------------------------------------

Atom = tuple[str, Any, Any]  # (character, run properties or None, special element or None)


def _atoms(p: Any) -> list[Atom] | None:
    """The paragraph as characters with their run formatting; None if it is not plain runs."""
    atoms: list[Atom] = []
    for child in p:
        if child.tag == qn("w:pPr") or child.tag in _DROPPABLE:
            continue
        if child.tag != qn("w:r"):
            return None
        rpr = child.find(qn("w:rPr"))
        for item in child:
            if item.tag == qn("w:rPr") or item.tag in _DROPPABLE:
                continue
            if item.tag == qn("w:t"):
                atoms += [(ch, rpr, None) for ch in item.text or ""]
            elif item.tag in _SPECIAL:
                atoms.append((_SPECIAL[item.tag], rpr, item))
            else:
                return None
    return atoms


def _tokens(atoms: list[Atom]) -> list[tuple[str, int, int]]:
    text = "".join(a[0] for a in atoms)
    return [(m.group(), m.start(), m.end()) for m in _TOKENS.finditer(text)]


def _mark_modified(old_p: Any, new_p: Any, marks: _Marks) -> None:
    old_atoms, new_atoms = _atoms(old_p), _atoms(new_p)
    if old_atoms is None or new_atoms is None:
        new_p.addprevious(_deleted_copy(old_p, marks))
        _mark_inserted(new_p, marks)
        return
    old_tokens, new_tokens = _tokens(old_atoms), _tokens(new_atoms)
    matcher = difflib.SequenceMatcher(
        None, [t[0] for t in old_tokens], [t[0] for t in new_tokens], autojunk=False
    )
    content: list[Any] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            span = old_atoms[old_tokens[i1][1] : old_tokens[i2 - 1][2]]
            content.append(_wrapped(span, "w:del", marks))
        if tag in ("insert", "replace"):
            span = new_atoms[new_tokens[j1][1] : new_tokens[j2 - 1][2]]
            content.append(_wrapped(span, "w:ins", marks))
        if tag == "equal":
            content += _runs(new_atoms[new_tokens[j1][1] : new_tokens[j2 - 1][2]], deleted=False)
    for child in list(new_p):
        if child.tag != qn("w:pPr"):
            new_p.remove(child)
    for element in content:
        new_p.append(element)


def _wrapped(atoms: list[Atom], tag: str, marks: _Marks) -> Any:
    wrapper = marks.make(tag)
    for run in _runs(atoms, deleted=tag == "w:del"):
        wrapper.append(run)
    return wrapper


def _runs(atoms: list[Atom], *, deleted: bool) -> Iterator[Any]:
    """Runs rebuilt from characters, one per stretch of equal formatting."""
    text_tag = "w:delText" if deleted else "w:t"
    run: Any = None
    current: bytes | None = None
    text: list[str] = []

    def flush() -> None:
        if run is not None and text:
            t = OxmlElement(text_tag)
            t.text = "".join(text)
            t.set(_XML_SPACE, "preserve")
            run.append(t)
            text.clear()

    for ch, rpr, special in atoms:
        key = b"" if rpr is None else _serialize(rpr)
        if run is None or key != current:
            flush()
            if run is not None:
                yield run
            run = OxmlElement("w:r")
            if rpr is not None:
                run.append(copy.deepcopy(rpr))
            current = key
        if special is not None:
            flush()
            run.append(copy.deepcopy(special))
        else:
            text.append(ch)
    flush()
    if run is not None:
        yield run


def _serialize(element: Any) -> bytes:
    return bytes(etree.tostring(element))


# --- reading a tracked document back ---------------------------------------------------------


def version_texts(data: bytes, *, accepted: bool) -> list[str]:
    """The paragraph texts a reviewer sees after accepting (or rejecting) every change."""
    hidden, shown = (qn("w:del"), qn("w:ins")) if accepted else (qn("w:ins"), qn("w:del"))
    texts: list[str] = []
    for para in paragraphs(read(data)):
        p = para.element
        rpr = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
        if rpr is not None and rpr.find(hidden) is not None:
            continue  # the paragraph itself exists only in the other version
        parts: list[str] = []
        for element in p.iter(qn("w:t"), qn("w:delText"), qn("w:tab"), qn("w:br"), qn("w:cr")):
            wrappers = {a.tag for a in element.iterancestors(hidden, shown)}
            if hidden in wrappers:
                continue
            if element.tag in _SPECIAL:
                parts.append(_SPECIAL[element.tag])
            else:
                parts.append(element.text or "")
        texts.append("".join(parts))
    return texts


def tracked_changes(data: bytes) -> list[tuple[str, str]]:
    """("ins" or "del", text) of every tracked change, in document order."""
    root = read(data).element.body
    found: list[tuple[str, str]] = []
    for element in root.iter(qn("w:ins"), qn("w:del")):
        if element.getparent().tag == qn("w:rPr"):
            continue  # a paragraph mark
        kind = "ins" if element.tag == qn("w:ins") else "del"
        text = "".join(t.text or "" for t in element.iter(qn("w:t"), qn("w:delText")))
        found.append((kind, text))
    return found
