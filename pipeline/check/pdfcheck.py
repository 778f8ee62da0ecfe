"""`hoso check FILE.pdf`: the page setup of a PDF made by hoso, Word or LibreOffice.

A PDF whose pages all lie landscape is a table or chart attachment (the score workbook's
PDF): it is held to the rules an attachment has (`check_attachment`), not a portrait paper's.

A PDF keeps no paragraphs or styles, only where each word was drawn and which fonts are in the
file, so this checks what can be measured there, with poppler's tools (pdfinfo, pdffonts,
pdftotext -bbox): page size; margins from the words' boxes (left and top where the text
starts, right and bottom only as "not beyond the margin": a short last page says nothing of
its bottom margin); the fonts embedded and their names; page numbers (none on page 1, the
number of each later page centred above the text); and the PDF/A claim, reported as a note.
"""

from __future__ import annotations

import bisect
import math
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.check.rules import RuleBook
from pipeline.common.errors import Problem

PT_PER_MM = 72 / 25.4
TIMEOUT = 60.0
# Where the header and footer areas end: the smallest top and bottom margins the decree allows
# come from the rules (le.tren, le.duoi); a page number sits in them.
_XHTML = "{http://www.w3.org/1999/xhtml}"
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_PDFA = re.compile(r"pdfaid:part(?:>|=\")(\d)(?:.*?pdfaid:conformance(?:>|=\")([ABUabu]))?", re.S)


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    width: float  # pt
    height: float
    words: list[Word]


@dataclass(frozen=True)
class PdfFinding:
    """A departure found in a PDF: the checker turns it into a Finding."""

    rule: str
    where: str
    expected: str
    found: str


def _run(tool: str, *args: str) -> str | None:
    program = shutil.which(tool)
    if program is None:
        return None
    try:
        done = subprocess.run([program, *args], capture_output=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def read_pages(path: Path) -> list[Page] | None:
    """Every page with the boxes of its words (pt, origin top left), or None if unreadable."""
    text = _run("pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-")
    if text is None:
        return None
    try:
        root = etree.fromstring(
            text.encode(), etree.XMLParser(resolve_entities=False, recover=True)
        )
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    pages = []
    for page in root.iter(f"{_XHTML}page"):
        words = [
            Word(
                float(w.get("xMin", 0)),
                float(w.get("yMin", 0)),
                float(w.get("xMax", 0)),
                float(w.get("yMax", 0)),
                w.text or "",
            )
            for w in page.iter(f"{_XHTML}word")
        ]
        pages.append(Page(float(page.get("width", 0)), float(page.get("height", 0)), words))
    return pages


def fonts(path: Path) -> list[tuple[str, bool]] | None:
    """(name, embedded) of every font the PDF uses."""
    text = _run("pdffonts", str(path))
    if text is None:
        return None
    found = []
    for line in text.splitlines()[2:]:
        tokens = line.split()
        if len(tokens) >= 7:
            found.append((_SUBSET.sub("", tokens[0]), tokens[-5] == "yes"))
    return found


# pdfminer reads each character's font; a file larger than this is judged on pdffonts alone.
_DRAWN_FONTS_BYTES = 20 * 1024 * 1024


def _drawn_fonts(path: Path, pages: int) -> set[str] | None:
    """The fonts that draw a visible character: a PDF may carry a font for its spaces only
    (LibreOffice's fallback for a space missing from the text font), which no reader sees.
    None when the file cannot be read this way."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTContainer, LTItem

    if path.stat().st_size > _DRAWN_FONTS_BYTES:
        return None
    found: set[str] = set()

    def walk(item: LTItem) -> None:
        if isinstance(item, LTChar):
            if item.get_text().strip():
                found.add(_SUBSET.sub("", item.fontname))
        elif isinstance(item, LTContainer):
            for child in item:
                walk(child)

    try:
        for page in extract_pages(str(path), maxpages=pages):
            walk(page)
    except Exception:  # a file pdfminer cannot read: pdffonts' list stands
        return None
    return found


def pdfa_claim(path: Path) -> str | None:
    """ "PDF/A-2B" and the like when the metadata claims it, else None."""
    meta = _run("pdfinfo", "-meta", str(path)) or ""
    match = _PDFA.search(meta)
    if match is None:
        return None
    return f"PDF/A-{match.group(1)}{(match.group(2) or '').upper()}"


def _mm(points: float) -> float:
    return points / PT_PER_MM


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def is_landscape(pages: list[Page]) -> bool:
    """Every page wider than high: a table or chart laid across the page, which the decree
    allows only for tables and charts ([PL1] I.2), like the score workbook attached to the
    papers in a file of its own."""
    return bool(pages) and all(page.width > page.height for page in pages)


def check_pages(pages: list[Page], book: RuleBook) -> list[PdfFinding]:
    """Page size, margins and page numbers measured on the words' boxes: a portrait paper's
    rules, or a landscape attachment's (`check_attachment`)."""
    if is_landscape(pages):
        return check_attachment(pages, book)
    found = _page_sizes(pages, book)
    top_min = book["le.tren"].range("mm")[0] * PT_PER_MM
    bottom_min = book["le.duoi"].range("mm")[0] * PT_PER_MM
    numbers = [_page_number_words(page, top_min, bottom_min) for page in pages]
    body = [
        (
            n,
            page,
            [
                x
                for x in page.words
                if x.y1 > top_min
                and x.y0 < page.height - bottom_min
                and x not in head
                and x not in foot
            ],
        )
        for n, (page, (head, foot)) in enumerate(zip(pages, numbers, strict=True), start=1)
    ]
    words = [(n, page, x) for n, page, ws in body for x in ws]
    if not words:
        return found
    # Left and right: the text's edges, measured on lines (a line starts with its first
    # word and ends with its last). Top: where page 1 starts. Bottom: how low text goes.
    starts: dict[tuple[int, int], float] = {}
    ends: dict[tuple[int, int], float] = {}
    widths: dict[int, float] = {}
    for n, p, x in words:
        key = (n, round(x.y0 / 2))
        starts[key] = min(starts.get(key, x.x0), x.x0)
        ends[key] = max(ends.get(key, 0.0), x.x1)
        widths[n] = p.width
    # Measured on the lines of running text, half the decree's text width or longer: the
    # header's and the recipients' short lines sit in tables that may be set wider.
    long = [k for k in starts if ends[k] - starts[k] >= _LONG_LINE * _TEXT_WIDTH_PT]
    lines = long if len(long) >= _EDGE_LINES else list(starts)
    margins = {
        "le.tren": (min(x.y0 for _, _, x in words), True),
        "le.trai": (_edge([starts[k] for k in lines]), True),
        "le.phai": (_edge([widths[k[0]] - ends[k] for k in lines]), True),
        "le.duoi": (min(p.height - x.y1 for _, p, x in words), False),
    }
    for rule_id, (points, both_ways) in margins.items():
        rule = book[rule_id]
        low, high = rule.range("mm")
        tolerance = rule.number("sai_so_pdf_mm")
        mm = _mm(points)
        if mm < low - tolerance or (both_ways and mm > high + tolerance):
            expected = f"{_num(low)}–{_num(high)} mm"
            how = "chữ bắt đầu cách mép" if rule_id != "le.duoi" else "chữ xuống sát mép"
            found.append(PdfFinding(rule_id, "tệp PDF", expected, f"{how} {_num(mm)} mm"))
    found += _page_numbers(pages, body, numbers)
    return found


def _page_number_words(
    page: Page, top_min: float, bottom_min: float
) -> tuple[list[Word], list[Word]]:
    """The figures in the page's header and footer: inside the top (bottom) margin, or a
    figure alone on its line reaching into it (a page number set lower than the margin's
    edge is still the page number, not text of the body)."""

    def alone(word: Word) -> bool:
        # No other word has its middle within the figure's height (the boxes of neighbouring
        # lines may overlap a little).
        return not any(
            other is not word and word.y0 < (other.y0 + other.y1) / 2 < word.y1
            for other in page.words
        )

    figures = [x for x in page.words if x.text.isdigit()]
    head = [x for x in figures if x.y1 <= top_min or (x.y0 < top_min and alone(x))]
    low = page.height - bottom_min
    foot = [x for x in figures if x.y0 >= low or (x.y1 > low and alone(x))]
    return head, foot


# A margin is where at least this many lines meet the text's edge, within _EDGE_BAND_MM:
# a few lines set wider (a table) do not move it. The edge itself is the nearest such place
# to the paper's edge: the lines indented (first lines, tables, the header and signature
# blocks) or ending short (last lines of paragraphs) are all further in, and however many
# they are, they do not move it either (where most lines started, a paper of one-line
# paragraphs measured its first-line indent).
_EDGE_LINES = 3
# The decree's text width on A4 portrait (210 - 30 - 15 mm), and the share of it that makes a
# line one of running text.
_TEXT_WIDTH_PT = 165 * PT_PER_MM
_LONG_LINE = 0.5
_EDGE_SHARE = 0.05
_EDGE_BAND_MM = 1.0


def _edge(distances: list[float]) -> float:
    """The text's edge on one side, from the lines' distances to the paper's edge (pt)."""
    ordered = sorted(distances)
    need = max(_EDGE_LINES, math.ceil(len(ordered) * _EDGE_SHARE))
    band = _EDGE_BAND_MM * PT_PER_MM
    for i, distance in enumerate(ordered):
        if bisect.bisect_right(ordered, distance + band) - i >= need:
            return distance
    return ordered[0]  # too few lines to tell: the nearest


def _page_numbers(
    pages: list[Page],
    body: list[tuple[int, Page, list[Word]]],
    numbers: list[tuple[list[Word], list[Word]]],
) -> list[PdfFinding]:
    found: list[PdfFinding] = []
    left = min((x.x0 for _, _, ws in body for x in ws), default=0.0)
    right = max((x.x1 for _, _, ws in body for x in ws), default=0.0)
    centre = (left + right) / 2
    missing = []
    in_footer = []
    for n, (head, foot) in enumerate(numbers, start=1):
        if n == 1 and (head or foot):
            found.append(
                PdfFinding(
                    "so-trang.trang-dau",
                    "trang 1",
                    "trang đầu không có số trang",
                    f"có số «{(head or foot)[0].text}»",
                )
            )
        if foot and n > 1:
            in_footer.append(n)
        if n > 1 and not any(x.text == str(n) for x in head):
            missing.append(n)
        for x in head:
            off = _mm((x.x0 + x.x1) / 2 - centre)
            if n > 1 and x.text == str(n) and abs(off) > 5:
                found.append(
                    PdfFinding(
                        "so-trang.dinh-dang",
                        f"trang {n}",
                        "số trang căn giữa",
                        f"lệch {'phải' if off > 0 else 'trái'} {_num(abs(off))} mm",
                    )
                )
    if in_footer:
        # One finding for the document: the same footer repeats on every page.
        where = f"trang {_page_list(in_footer)}"
        found.append(PdfFinding("so-trang.vi-tri", where, "số trang ở đầu trang", "chân trang"))
    elif missing and len(pages) > 1:
        shown = _page_list(missing)
        found.append(
            PdfFinding(
                "so-trang.thieu",
                "tệp PDF",
                "số trang ở giữa đầu trang, từ trang 2",
                f"văn bản {len(pages)} trang, không thấy số trang ở trang {shown}",
            )
        )
    return found


def _page_list(pages: list[int]) -> str:
    """ "2, 3, 4" or "2–8" for a run, the first few of a long scattered list."""
    if len(pages) > 2 and pages == list(range(pages[0], pages[-1] + 1)):
        return f"{pages[0]}–{pages[-1]}"
    return ", ".join(map(str, pages[:8])) + (", …" if len(pages) > 8 else "")


def _page_sizes(pages: list[Page], book: RuleBook) -> list[PdfFinding]:
    """A4 in either orientation."""
    found: list[PdfFinding] = []
    width, height = book.page_mm
    for n, page in enumerate(pages, start=1):
        w, h = _mm(page.width), _mm(page.height)
        short, long = sorted((w, h))
        if max(abs(short - width), abs(long - height)) > book["trang.kho-giay"].number("sai_so_mm"):
            found.append(
                PdfFinding(
                    "trang.kho-giay",
                    f"trang {n}",
                    f"{_num(width)} × {_num(height)} mm",
                    f"{_num(w)} × {_num(h)} mm",
                )
            )
    return found


def check_attachment(pages: list[Page], book: RuleBook) -> list[PdfFinding]:
    """A landscape attachment (a table or chart in a file of its own, [PL1] III.1): A4; the
    decree's margins as the least room between text and each edge, read the way the page
    is read (a table centred on the page leaves wider margins, which is no fault); its own
    page numbers from 1 ([PL1] III.1.đ), wherever the header or footer puts them. The
    portrait paper's page-number place (top centre, none on page 1) does not apply."""
    found = _page_sizes(pages, book)
    top_min = book["le.tren"].range("mm")[0] * PT_PER_MM
    bottom_min = book["le.duoi"].range("mm")[0] * PT_PER_MM

    def in_body(page: Page, word: Word) -> bool:
        return word.y1 > top_min and word.y0 < page.height - bottom_min

    body = [(page, x) for page in pages for x in page.words if in_body(page, x)]
    if body:
        margins = {
            "le.tren": min(x.y0 for _, x in body),
            "le.trai": min(x.x0 for _, x in body),
            "le.phai": min(p.width - x.x1 for p, x in body),
            "le.duoi": min(p.height - x.y1 for p, x in body),
        }
        for rule_id, points in margins.items():
            rule = book[rule_id]
            low = rule.range("mm")[0]
            mm = _mm(points)
            if mm < low - rule.number("sai_so_pdf_mm"):
                how = "chữ xuống sát mép" if rule_id == "le.duoi" else "chữ bắt đầu cách mép"
                found.append(
                    PdfFinding(
                        rule_id, _ATTACHMENT, f"ít nhất {_num(low)} mm", f"{how} {_num(mm)} mm"
                    )
                )
    # Each page shows the next number, or 1 where a new table starts its own count (the
    # score workbook numbers each sheet from 1); other figures in a header (a year) pass.
    missing: list[int] = []
    last: int | None = 0
    for n, page in enumerate(pages, start=1):
        numbers = {int(x.text) for x in page.words if x.text.isdigit() and not in_body(page, x)}
        if last is not None and last + 1 in numbers:
            last += 1
        elif 1 in numbers:
            last = 1
        elif last is None and numbers:
            last = min(numbers)
        elif n > 1:
            missing.append(n)
            last = None
    if missing:
        shown = ", ".join(map(str, missing[:8])) + (", …" if len(missing) > 8 else "")
        found.append(
            PdfFinding(
                "phu-luc.so-trang",
                _ATTACHMENT,
                "số trang riêng của phụ lục, từ 1 (mỗi biểu có thể đánh lại từ 1), ở đầu "
                "hoặc chân trang",
                f"{len(pages)} trang, không thấy số trang ở trang {shown}",
            )
        )
    return found


_ATTACHMENT = "tệp PDF (trang ngang: bảng, biểu kèm theo)"


def check_fonts(used: list[tuple[str, bool]], book: RuleBook) -> list[PdfFinding]:
    """Every font embedded, and each one Times New Roman (or its metric twin)."""
    rule = book["phong-chu.nhung"]
    accepted = {re.sub(r"[\s_-]", "", a).casefold() for a in rule.texts("ten_trong_pdf")}
    found: list[PdfFinding] = []
    loose = sorted({name for name, embedded in used if not embedded})
    if loose:
        found.append(
            PdfFinding("phong-chu.nhung", "tệp PDF", "mọi phông được nhúng", ", ".join(loose))
        )
    wrong = sorted(
        {
            name
            for name, _ in used
            if re.sub(r"[\s_-]", "", re.split(r"[,-]", name)[0]).casefold() not in accepted
            and not name.startswith("[")
        }
    )
    if wrong:
        found.append(PdfFinding("phong-chu.ten", "tệp PDF", book.font, ", ".join(wrong)))
    return found


def check_pdf(path: Path, book: RuleBook) -> tuple[list[PdfFinding], list[str]] | Problem:
    """(findings, notes) of a PDF, or a Problem when it cannot be read."""
    if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        return Problem(
            "thieu-poppler",
            "máy không có bộ công cụ poppler (pdftotext, pdffonts) để đọc tệp PDF",
            file=str(path),
            hint="cài poppler-utils (Debian/Ubuntu: `sudo apt install poppler-utils`; "
            "Windows: poppler for Windows, thêm thư mục bin vào PATH).",
        )
    pages = read_pages(path)
    used = fonts(path)
    if not pages or used is None:
        return Problem(
            "khong-doc-duoc",
            "tệp PDF bị hỏng hoặc có mật khẩu, không đọc được",
            file=str(path),
            hint="mở tệp bằng trình đọc PDF; xuất lại từ Word hoặc LibreOffice nếu cần.",
        )
    fonts_found = check_fonts(used, book)
    if any(f.rule == "phong-chu.ten" for f in fonts_found):
        drawn = _drawn_fonts(path, len(pages))
        if drawn is not None:  # only the fonts that draw a visible character count
            shown = [(n, e) for n, e in used if n in drawn or n.startswith("[")]
            loose = [f for f in fonts_found if f.rule == "phong-chu.nhung"]
            fonts_found = loose + [
                f for f in check_fonts(shown, book) if f.rule != "phong-chu.nhung"
            ]
    findings = check_pages(pages, book) + fonts_found
    claim = pdfa_claim(path)
    notes = [
        f"tệp PDF {len(pages)} trang; "
        + (f"tuyên bố theo chuẩn lưu trữ {claim}" if claim else "không tuyên bố chuẩn PDF/A")
    ]
    if is_landscape(pages):
        notes.append(
            "mọi trang nằm ngang: kiểm tra như bảng, biểu kèm theo (lề tối thiểu, số trang "
            "riêng từ 1), không theo vị trí số trang của văn bản trang dọc"
        )
    return findings, notes
