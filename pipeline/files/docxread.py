"""Reading a .docx back: paragraphs in reading order and their effective formatting.

Formatting in Word is inherited (run, then paragraph style and its bases, then the
document defaults); python-docx reports only what is set directly, so conformance
checks and tests resolve the chain here.
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn as _qualified
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.parfmt import ParagraphFormat
from docx.text.run import Run
from lxml import etree

# Clark names ("{ns}tag") are asked for in every loop over a paper: each computed once.
qn = cache(_qualified)


@dataclass(frozen=True)
class RunFormat:
    """How a run is displayed. `font` is the ASCII-slot font; `fonts` every font its
    characters are drawn with (Vietnamese letters with diacritics use the hAnsi slot)."""

    font: str | None
    size_pt: float | None
    bold: bool
    italic: bool
    fonts: frozenset[str] = field(default_factory=frozenset)
    color: str | None = None
    caps: bool = False
    vert_align: str | None = None


@dataclass(frozen=True)
class Place:
    """Where a body paragraph sits: outside tables, or in a table cell (0-based indexes;
    `table` counts the document's tables in reading order, nested ones included)."""

    table: int | None = None
    row: int = 0
    column: int = 0


def iter_paragraphs(doc: DocxDocument) -> Iterator[Paragraph]:
    """Body paragraphs in reading order, descending into tables cell by cell."""
    for para, _ in iter_placed(doc):
        yield para


def iter_placed(doc: DocxDocument) -> Iterator[tuple[Paragraph, Place]]:
    """Body paragraphs in reading order with their place. Content controls are entered;
    a merged cell is visited once."""
    counter = [0]
    yield from _walk(doc.element.body, doc._body, Place(), counter)


def _walk(
    element: Any, parent: Any, place: Place, counter: list[int]
) -> Iterator[tuple[Paragraph, Place]]:
    for child in element:
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent), place
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _walk(content, parent, place, counter)
        elif child.tag == qn("w:tbl"):
            table = Table(child, parent)
            index = counter[0]
            counter[0] += 1
            # Rows and cells of nested tables are visited through their own cell.
            rows = [tr for tr in child.iter(qn("w:tr")) if _nearest(tr, "w:tbl") is child]
            for r, tr in enumerate(rows):
                cells = [tc for tc in tr.iter(qn("w:tc")) if _nearest(tc, "w:tr") is tr]
                for c, tc in enumerate(cells):
                    yield from _walk(tc, _Cell(tc, table), Place(index, r, c), counter)


def _nearest(element: Any, tag: str) -> Any:
    parent = element.getparent()
    while parent is not None and parent.tag != qn(tag):
        parent = parent.getparent()
    return parent


def text_lines(doc: DocxDocument) -> list[str]:
    """Every non-empty line of the body, whitespace collapsed, in reading order."""
    lines = []
    for para in iter_paragraphs(doc):
        for line in para.text.split("\n"):
            text = " ".join(line.split())
            if text:
                lines.append(text)
    return lines


def run_format(para: Paragraph, run: Run) -> RunFormat:
    """The font, size, bold and italic a run is displayed with."""
    return resolver_for(para).format_of(para._p, run._r, run.text)


def paragraph_alignment(para: Paragraph) -> WD_ALIGN_PARAGRAPH | None:
    return paragraph_format_value(para, "alignment")  # type: ignore[no-any-return]


def paragraph_format_value(para: Paragraph, attribute: str) -> Any:
    """An inherited paragraph-format attribute (first_line_indent, space_after, ...),
    from the paragraph, its style chain, then the document defaults."""
    value = getattr(para.paragraph_format, attribute)
    if value is not None:
        return value
    res = resolver_for(para)
    # The style chain's answer, found once per style (python-docx looks styles up by XPath).
    chain = res.paragraph_styles(para._p)
    key = (chain[0].get(qn("w:styleId")) if chain else None, attribute)
    if key in res.inherited:
        return res.inherited[key]
    for style in chain:
        value = getattr(ParagraphFormat(style), attribute)
        if value is not None:
            break
    else:
        value = None
        if res.defaults_ppr is not None:
            # python-docx reads paragraph formats off a w:p; lend it the defaults' pPr.
            holder = OxmlElement("w:p")
            holder.append(copy.deepcopy(res.defaults_ppr))
            value = getattr(Paragraph(holder, para._parent).paragraph_format, attribute)
    res.inherited[key] = value
    return value


def bottom_border(para: Paragraph) -> bool:
    """Whether the paragraph draws a solid bottom line (the short rules of Decree 30)."""
    ppr = para._p.pPr
    if ppr is None:
        return False
    borders = ppr.find(qn("w:pBdr"))
    bottom = None if borders is None else borders.find(qn("w:bottom"))
    return bottom is not None and bottom.get(qn("w:val")) == "single"


# --- effective formatting through every layer ------------------------------------------------
#
# Word resolves a run's look from: the run's own properties, its character style (and the
# styles it is based on), the paragraph style chain, then the document defaults. Fonts may
# be named through the theme ("+Body" = minorHAnsi), and the font of letters outside ASCII
# (all Vietnamese letters with diacritics) comes from the hAnsi slot, not the ascii one.

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_NOT_SHOWN = {f"{_W}del", f"{_W}moveFrom", f"{_W}txbxContent"}
_SHAPES = (f"{_W}drawing", f"{_W}pict", f"{_W}object")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


class Resolver:
    """Style, theme and default lookups of one document, read once."""

    def __init__(self, doc: DocxDocument) -> None:
        styles = doc.part.styles.element
        self._styles = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
        self._default_para = next(
            (
                s
                for s in styles.findall(qn("w:style"))
                if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in ("1", "true")
            ),
            None,
        )
        defaults = styles.find(qn("w:docDefaults"))
        rpr_default = None if defaults is None else defaults.find(qn("w:rPrDefault"))
        self.defaults_rpr = None if rpr_default is None else rpr_default.find(qn("w:rPr"))
        ppr_default = None if defaults is None else defaults.find(qn("w:pPrDefault"))
        self.defaults_ppr = None if ppr_default is None else ppr_default.find(qn("w:pPr"))
        self.theme = _theme_fonts(doc)
        # (paragraph style id, attribute) -> the value the style chain and defaults give.
        self.inherited: dict[tuple[Any, str], Any] = {}
        # Style chains and the rPr layers styles give, found once (a paper has few styles).
        self._chains: dict[str | None, list[Any]] = {}
        self._styled: dict[tuple[str | None, str | None], list[Any]] = {}
        self._formats: dict[tuple[str | None, bytes | None], RunFormat] = {}

    def style_chain(self, style_id: str | None) -> list[Any]:
        """A style element and the styles it is based on, nearest first (cycles cut)."""
        if style_id in self._chains:
            return self._chains[style_id]
        chain: list[Any] = []
        style = self._styles.get(style_id) if style_id else None
        while style is not None and style not in chain and len(chain) < 20:
            chain.append(style)
            based = style.find(qn("w:basedOn"))
            style = None if based is None else self._styles.get(based.get(qn("w:val")))
        self._chains[style_id] = chain
        return chain

    def paragraph_style_id(self, p: Any) -> str | None:
        ppr = p.find(_PPR)
        pstyle = None if ppr is None else ppr.find(_PSTYLE)
        if pstyle is not None:
            return str(pstyle.get(_VAL))
        if self._default_para is None:
            return None
        return str(self._default_para.get(qn("w:styleId")))

    def paragraph_styles(self, p: Any) -> list[Any]:
        return self.style_chain(self.paragraph_style_id(p))

    def rpr_layers(self, p: Any, r: Any | None) -> list[Any]:
        """The rPr elements that apply to run `r` of paragraph `p`, nearest first."""
        rpr = None if r is None else r.find(_RPR)
        rstyle = None if rpr is None else rpr.find(_RSTYLE)
        key = (None if rstyle is None else rstyle.get(_VAL), self.paragraph_style_id(p))
        styled = self._styled.get(key)
        if styled is None:
            chains = [*(self.style_chain(key[0]) if key[0] else []), *self.style_chain(key[1])]
            layers = [s.find(_RPR) for s in chains]
            layers.append(self.defaults_rpr)
            styled = self._styled[key] = [layer for layer in layers if layer is not None]
        return styled if rpr is None else [rpr, *styled]

    def font_slot(self, layers: list[Any], slot: str) -> str | None:
        """The font of the `ascii` or `hAnsi` slot: a theme reference beats a name."""
        for rpr in layers:
            fonts = rpr.find(_RFONTS)
            if fonts is None:
                continue
            theme = str(fonts.get(_tag(f"w:{slot}Theme")) or "")
            if theme:
                return self.theme.get("major" if theme.startswith("major") else "minor", theme)
            name = fonts.get(_tag(f"w:{slot}"))
            if name:
                return str(name)
        return None

    def format_of(self, p: Any, r: Any | None, text: str = "") -> RunFormat:
        rpr = None if r is None else r.find(_RPR)
        # Runs of a paper share a handful of formats: resolve each (styles, own rPr) once.
        key = (self.paragraph_style_id(p), None if rpr is None else etree.tostring(rpr))
        base = self._formats.get(key)
        if base is None:
            base = self._formats[key] = self._resolve(self.rpr_layers(p, r))
        ascii_font, other_font = base.font, next(iter(base.fonts), None)
        fonts = set()
        if not text or any(ord(c) < 128 and not c.isspace() for c in text):
            fonts.add(ascii_font)
        if any(ord(c) >= 128 and not c.isspace() for c in text):
            fonts.add(other_font)
        return replace(base, fonts=frozenset(f for f in fonts if f))

    def _resolve(self, layers: list[Any]) -> RunFormat:
        """The format the layers give; `fonts` holds the hAnsi slot's font (or the ascii)."""

        def first(tag: str) -> Any:
            name = _tag(tag)
            for rpr in layers:
                el = rpr.find(name)
                if el is not None:
                    return el
            return None

        ascii_font = self.font_slot(layers, "ascii")
        other_font = self.font_slot(layers, "hAnsi") or ascii_font
        sz = first("w:sz")
        # Without any size Word shows 10 pt (ECMA-376 17.3.2.38).
        size = int(sz.get(_VAL, "20")) / 2 if sz is not None else 10.0
        color = first("w:color")
        return RunFormat(
            font=ascii_font,
            size_pt=size,
            bold=_on(first("w:b")),
            italic=_on(first("w:i")),
            fonts=frozenset([other_font] if other_font else []),
            color=None if color is None else color.get(_VAL),
            caps=_on(first("w:caps")),
            vert_align=None if (va := first("w:vertAlign")) is None else va.get(_VAL),
        )


def _on(el: Any) -> bool:
    return el is not None and el.get(_VAL, "true") not in ("0", "false", "off")


_tag = qn
_VAL = qn("w:val")
_PPR = qn("w:pPr")
_RPR = qn("w:rPr")
_PSTYLE = qn("w:pStyle")
_RSTYLE = qn("w:rStyle")
_RFONTS = qn("w:rFonts")


def _theme_fonts(doc: DocxDocument) -> dict[str, str]:
    """The theme's major (headings) and minor (body) Latin fonts."""
    try:
        theme = doc.part.part_related_by(RT.THEME)
    except KeyError:
        return {}
    try:
        root = etree.fromstring(theme.blob, _SAFE_XML)
    except etree.XMLSyntaxError:
        return {}
    found = {}
    for kind in ("major", "minor"):
        latin = root.find(f".//{_A}{kind}Font/{_A}latin")
        if latin is not None and latin.get("typeface"):
            found[kind] = str(latin.get("typeface"))
    return found


_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)
_RESOLVERS: weakref.WeakKeyDictionary[Any, Resolver] = weakref.WeakKeyDictionary()


def resolver(doc: DocxDocument) -> Resolver:
    """The document's Resolver, built on first use."""
    found = _RESOLVERS.get(doc.part)
    if found is None:
        found = _RESOLVERS[doc.part] = Resolver(doc)
    return found


def paragraph_runs(para: Paragraph) -> list[Run]:
    """Every run shown in the paragraph: inside hyperlinks, fields, content controls and
    tracked insertions too; deleted text and text boxes (their own paragraphs) left out."""
    runs = []
    for r in para._p.iter(qn("w:r")):
        parent = r.getparent()
        shown = True
        while parent is not None and parent is not para._p:
            if parent.tag in _NOT_SHOWN or parent.tag == f"{_W}p":
                shown = False
                break
            parent = parent.getparent()
        if shown:
            runs.append(Run(r, para))
    return runs


def shape_count(para: Paragraph) -> int:
    """Drawings and VML shapes anchored in the paragraph (lines are drawn this way); a
    shape stored twice (DrawingML with a VML fallback) counts once."""
    return sum(
        1
        for el in para._p.iter(*_SHAPES)
        if not any(a.tag == _FALLBACK for a in el.iterancestors())
    )


def has_page_field(element: Any) -> bool:
    """Whether a part (header, footer) holds a PAGE field."""
    for simple in element.iter(qn("w:fldSimple")):
        if _is_page(simple.get(qn("w:instr"), "")):
            return True
    return any(_is_page(t.text or "") for t in element.iter(qn("w:instrText")))


def _is_page(instruction: str) -> bool:
    words = instruction.split()
    return bool(words) and words[0].upper() == "PAGE"


def resolver_for(para: Paragraph) -> Resolver:
    """The Resolver of the document a paragraph (of the body, a header or a footer) is in."""
    return resolver(para.part.package.main_document_part.document)
