"""Where a signature goes on a rendered paper, found from the PDF's text positions.

Decree 30 (Appendix I, II.7.d) puts the signer's image centred in the gap between the
signer's title (the bold caps lines, ô 7b) and the signer's name (ô 7c). The paper's
layout depends on its text, so the gap is measured on the PDF LibreOffice made, never
guessed: the line holding the signer's name on the last page it appears on, and the
nearest line above it in the same column.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

# Points between the signature image and the lines around it.
GAP_PADDING = 4.0
# The image's width against the gap's height: a handwritten signature is wide and low;
# never wider than 6 cm, so that the minutes' two signatures stay apart.
MAX_ASPECT = 2.6
MAX_WIDTH = 170.0


@dataclass(frozen=True)
class Line:
    page: int  # 0-based
    text: str  # NFC, single spaces
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Place:
    """A signature's box on a page, in PDF points from the page's lower left corner."""

    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float
    title: str  # the line above the gap (for messages)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def normal(text: str) -> str:
    """NFC with single spaces: names typed in NFD or with doubled spaces still match."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_lines(pdf: bytes) -> list[list[Line]]:
    """Every page's text lines with their boxes (pdfminer's layout analysis)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine

    pages: list[list[Line]] = []
    for number, layout in enumerate(extract_pages(io.BytesIO(pdf), laparams=LAParams())):
        lines: list[Line] = []
        for element in layout:
            if not isinstance(element, LTTextContainer):
                continue
            for line in element:
                if isinstance(line, LTTextLine) and line.get_text().strip():
                    x0, y0, x1, y1 = line.bbox
                    lines.append(Line(number, normal(line.get_text()), x0, y0, x1, y1))
        pages.append(lines)
    return pages


def find_place(pages: list[list[Line]], name: str) -> Place | None:
    """The signature gap above `name`'s line (its last occurrence), or None if not found."""
    wanted = normal(name)
    for lines in reversed(pages):
        named = [line for line in lines if line.text == wanted]
        if not named:
            continue
        # The signature block ends the paper: the lowest line with the name is the signer's.
        below = min(named, key=lambda line: line.y0)
        above = [
            line
            for line in lines
            if line.y0 >= below.y1 and line.x0 <= below.centre <= line.x1 and line is not below
        ]
        if not above:
            return None
        title = min(above, key=lambda line: line.y0)
        top, bottom = title.y0 - GAP_PADDING, below.y1 + GAP_PADDING
        height = top - bottom
        if height <= 0:
            return None
        # Centred on the column the title and the name share.
        centre = (title.centre + below.centre) / 2
        half = min(height * MAX_ASPECT, MAX_WIDTH) / 2
        return Place(below.page, centre - half, bottom, centre + half, top, title.text)
    return None
