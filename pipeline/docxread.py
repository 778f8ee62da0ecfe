"""Reading a .docx back: paragraphs in reading order and their effective formatting.

Formatting in Word is inherited (run, then paragraph style and its bases, then the
document defaults); python-docx reports only what is set directly, so conformance
checks and tests resolve the chain here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run


@dataclass(frozen=True)
class RunFormat:
    font: str | None
    size_pt: float | None
    bold: bool
    italic: bool


def iter_paragraphs(doc: DocxDocument) -> Iterator[Paragraph]:
    """Body paragraphs in reading order, descending into tables cell by cell."""
    yield from _walk(doc)


def _walk(container: DocxDocument | _Cell) -> Iterator[Paragraph]:
    for item in container.iter_inner_content():
        if isinstance(item, Paragraph):
            yield item
        elif isinstance(item, Table):
            for row in item.rows:
                for cell in row.cells:
                    yield from _walk(cell)


def text_lines(doc: DocxDocument) -> list[str]:
    """Every non-empty line of the body, whitespace collapsed, in reading order."""
    lines = []
    for para in iter_paragraphs(doc):
        for line in para.text.split("\n"):
            text = " ".join(line.split())
            if text:
                lines.append(text)
    return lines


def _style_chain(para: Paragraph) -> Iterator[Any]:
    style = para.style
    while style is not None:
        yield style
        style = style.base_style


def _defaults_rpr(para: Paragraph) -> Any:
    # Header paragraphs live in their own part; the defaults are in the main document's styles.
    styles = para.part.package.main_document_part.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return None
    rpr_default = defaults.find(qn("w:rPrDefault"))
    return None if rpr_default is None else rpr_default.find(qn("w:rPr"))


def run_format(para: Paragraph, run: Run) -> RunFormat:
    """The font, size, bold and italic a run is displayed with."""
    size: Length | None = run.font.size
    name: str | None = run.font.name
    bold = run.font.bold
    italic = run.font.italic
    for style in _style_chain(para):
        size = size if size is not None else style.font.size
        name = name if name is not None else style.font.name
        bold = bold if bold is not None else style.font.bold
        italic = italic if italic is not None else style.font.italic
    rpr = _defaults_rpr(para)
    if rpr is not None:
        if size is None:
            sz = rpr.find(qn("w:sz"))
            size = Length(int(sz.get(qn("w:val"))) * 6350) if sz is not None else None
        if name is None:
            fonts = rpr.find(qn("w:rFonts"))
            name = fonts.get(qn("w:ascii")) if fonts is not None else None
    return RunFormat(
        font=name,
        size_pt=None if size is None else size.pt,
        bold=bool(bold),
        italic=bool(italic),
    )


def paragraph_alignment(para: Paragraph) -> WD_ALIGN_PARAGRAPH | None:
    if para.alignment is not None:
        return para.alignment
    for style in _style_chain(para):
        if style.paragraph_format.alignment is not None:
            return style.paragraph_format.alignment  # type: ignore[no-any-return]
    return None


def paragraph_format_value(para: Paragraph, attribute: str) -> Any:
    """An inherited paragraph-format attribute (first_line_indent, space_after, ...)."""
    value = getattr(para.paragraph_format, attribute)
    if value is not None:
        return value
    for style in _style_chain(para):
        value = getattr(style.paragraph_format, attribute)
        if value is not None:
            return value
    return None


def bottom_border(para: Paragraph) -> bool:
    """Whether the paragraph draws a solid bottom line (the short rules of Decree 30)."""
    ppr = para._p.pPr
    if ppr is None:
        return False
    borders = ppr.find(qn("w:pBdr"))
    bottom = None if borders is None else borders.find(qn("w:bottom"))
    return bottom is not None and bottom.get(qn("w:val")) == "single"
