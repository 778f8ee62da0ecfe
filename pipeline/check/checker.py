"""`hoso check`: test any .docx against the format rules of Decree 30/2020/NĐ-CP.

The rules and their expected values live in data/nd30-rules.toml (see checkrules.py); this
module finds the parts of a document (header, title, body, recipients, signature) the way a
reader would, whether the file came from hoso or was typed by hand, and reports every
departure as a Finding: rule id, where (paragraph number and the start of its text),
expected, found. A file that cannot be read as .docx is an input Problem, never a crash.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.exceptions import XmlchemyError
from docx.oxml.ns import qn as _qualified
from docx.section import Section
from docx.text.paragraph import Paragraph

from pipeline.check.pages import declared_pages, laid_out_pages
from pipeline.check.pdfcheck import check_pdf
from pipeline.check.rules import RuleBook, rulebook
from pipeline.common.errors import EXIT_INPUT, Problem, Severity
from pipeline.common.vnformat import ascii_slug, nfc
from pipeline.files.docxread import (
    Place,
    Resolver,
    RunFormat,
    bottom_border,
    has_page_field,
    iter_placed,
    paragraph_format_value,
    paragraph_runs,
    resolver,
    shape_count,
)

# Clark names ("{ns}tag") are asked for in every loop over a paper: each computed once.
qn = cache(_qualified)

# A .docx bigger than this (packed, or once unpacked) is refused: no agency paper comes near.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCERPT = 40
_MORE_SHOWN = 5
_JUSTIFIED = {
    WD_ALIGN_PARAGRAPH.JUSTIFY,
    WD_ALIGN_PARAGRAPH.DISTRIBUTE,
    WD_ALIGN_PARAGRAPH.JUSTIFY_LOW,
    WD_ALIGN_PARAGRAPH.JUSTIFY_MED,
    WD_ALIGN_PARAGRAPH.JUSTIFY_HI,
    WD_ALIGN_PARAGRAPH.THAI_JUSTIFY,
}
_ALIGN_NAMES = {
    None: "căn trái (chưa đặt)",
    WD_ALIGN_PARAGRAPH.LEFT: "căn trái",
    WD_ALIGN_PARAGRAPH.CENTER: "căn giữa",
    WD_ALIGN_PARAGRAPH.RIGHT: "căn phải",
    WD_ALIGN_PARAGRAPH.JUSTIFY: "căn đều hai lề",
}
_QUOC_HIEU_KEY = "conghoaxahoichunghiavietnam"
# Text split into components at a tab or a run of three spaces or more.
_GAP = re.compile(r"\t+| {3,}")
_NUMBER = re.compile(r"Số *:?[ \d.…]*/ *[^\s/]+(?:/[^\s/]+)*(?: [-–] [^\s]+)*")
_DATE = re.compile(
    r"(?:(?P<place>[^\s,](?:(?! {3})[^\t,])*?) *,? *)?"
    r"ngày\b.*?\btháng\b.*?\bnăm\b(?: *\d{4}|[ .…]*)",
    re.IGNORECASE,
)
_RULE_TEXT = re.compile(r"^_{3,}$")
_DASH_START = re.compile(r"^[-–—+•]")


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One departure from a rule: which rule, where, what was expected and what was found."""

    rule: str
    severity: Severity
    title: str
    where: str
    expected: str
    found: str
    paragraph: int | None = None
    text: str = ""
    # The same departure in further paragraphs (body rules), reported once.
    more: tuple[int, ...] = ()

    def __str__(self) -> str:
        place = f"{self.where} «{self.text}»" if self.text else self.where
        if self.more:
            shown = ", ".join(str(n) for n in self.more[:_MORE_SHOWN])
            rest = ", …" if len(self.more) > _MORE_SHOWN else ""
            place += f" (và {len(self.more)} đoạn khác cùng lỗi: {shown}{rest})"
        return f"{place}: [{self.rule}] {self.title} — cần {self.expected}; đang là {self.found}"


@dataclass
class FileCheck:
    """The findings for one file."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    # What the check saw and is worth saying without being a fault (a PDF's PDF/A claim).
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "loi"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "canh-bao"]


@dataclass
class CheckReport:
    """Every file checked, and the files that could not be read."""

    files: list[FileCheck] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(f.errors for f in self.files)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else EXIT_INPUT

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": [
                {
                    "file": f.file,
                    "errors": len(f.errors),
                    "warnings": len(f.warnings),
                    "findings": [{**asdict(x), "more": list(x.more)} for x in f.findings],
                    "notes": f.notes,
                }
                for f in self.files
            ],
            "problems": [p.to_dict() for p in self.problems],
        }


def check_files(paths: Sequence[Path], *, layout: bool = True) -> CheckReport:
    """Check every file; unreadable ones become Problems and the others are still checked.

    Papers without page numbers whose page count is not saved in the file are laid out by
    LibreOffice (one call for all of them) unless `layout` is False."""
    report = CheckReport()
    waiting: list[tuple[Path, FileCheck, _Checker]] = []
    for path in paths:
        if path.suffix.lower() == ".pdf" and path.is_file():
            _check_pdf(path, report)
            continue
        doc = open_docx(path, report.problems)
        if doc is None:
            continue
        try:
            checker = _Checker(doc, rulebook())
            checker.run()
        except (ValueError, XmlchemyError) as exc:
            # python-docx reads attribute values lazily: a value Word would not write
            # (w:sz="abc") surfaces here, as the file's fault.
            report.problems.append(_bad_value(path, doc, exc))
            continue
        checked = FileCheck(str(path))
        report.files.append(checked)
        if checker.needs_page_count and layout:
            waiting.append((path, checked, checker))
            continue
        if checker.needs_page_count:
            checker.page_count(None, "không dàn trang khi kiểm tra")
        checked.findings = _merge(checker.findings)
    if waiting:
        counts, why = laid_out_pages([path for path, _, _ in waiting])
        for path, checked, checker in waiting:
            pages = counts.get(path)
            checker.page_count(pages, "LibreOffice dàn trang" if pages else why)
            checked.findings = _merge(checker.findings)
    return report


def _check_pdf(path: Path, report: CheckReport) -> None:
    book = rulebook()
    result = check_pdf(path, book)
    if isinstance(result, Problem):
        report.problems.append(result)
        return
    found, notes = result
    findings = []
    for f in found:
        rule = book[f.rule]
        findings.append(Finding(rule.id, rule.severity, rule.title, f.where, f.expected, f.found))
    report.files.append(FileCheck(str(path), findings, notes))


# Attributes Word writes as numbers (sizes, indents, spacing, page setup).
_NUMERIC = {
    "val", "w", "h", "top", "bottom", "left", "right", "start", "end", "header", "footer",
    "gutter", "firstLine", "hanging", "before", "after", "line", "beforeLines", "afterLines",
}  # fmt: skip
_NUMERIC_TAGS = {"sz", "szCs", "kern", "position", "spacing", "ind", "pgSz", "pgMar", "w"}
_MISSING_ATTRIBUTE = re.compile(
    r"required '([\w:]+)' attribute not present on element \{[^}]*\}(\w+)"
)
_MEASURE = re.compile(r"^-?\d+(\.\d+)?(mm|cm|in|pt|pc|pi)?$")


def _bad_value(path: Path, doc: DocxDocument, exc: Exception) -> Problem:
    """An input Problem naming the first attribute value Word would not write."""
    found = ""
    parts = [doc.part.element, doc.part.styles.element]
    for element in (el for part in parts for el in part.iter()):
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag not in _NUMERIC_TAGS:
            continue
        for name, value in element.attrib.items():
            local = str(name).rsplit("}", 1)[-1]
            if local in _NUMERIC and not _MEASURE.match(str(value)):
                found = f'<w:{tag} w:{local}="{value}">'
                break
        if found:
            break
    missing = _MISSING_ATTRIBUTE.search(str(exc))
    if found:
        what = f"{found} không phải là số"
    elif missing:
        what = f"<w:{missing.group(2)}> thiếu thuộc tính bắt buộc {missing.group(1)}"
    else:
        what = f"giá trị không hợp lệ ({exc})"
    return Problem(
        "gia-tri-sai",
        f"tệp .docx có định dạng Word không viết ra được: {what}",
        file=str(path),
        hint="mở tệp bằng Word hoặc LibreOffice, định dạng lại đoạn đó rồi lưu lại.",
    )


def report_lines(report: CheckReport) -> list[str]:
    """The text report: one line per finding, then a summary per file."""
    lines = []
    for checked in report.files:
        for note in checked.notes:
            lines.append(f"Ghi chú: {checked.file} › {note}")
        for finding in checked.findings:
            label = "Lỗi" if finding.severity == "loi" else "Cảnh báo"
            lines.append(f"{label}: {checked.file} › {finding}")
        if checked.findings:
            lines.append(
                f"{checked.file}: {len(checked.errors)} lỗi, {len(checked.warnings)} cảnh báo."
            )
        elif checked.file.lower().endswith(".pdf"):
            # A PDF shows its pages, not its paragraphs: only what pages show is checked.
            lines.append(
                f"{checked.file}: đúng khổ giấy, lề, phông chữ và số trang theo Nghị định "
                "30/2020/NĐ-CP (bản PDF; các thành phần thể thức kiểm tra trên bản Word)."
            )
        else:
            lines.append(f"{checked.file}: đúng thể thức Nghị định 30/2020/NĐ-CP.")
    return lines


def open_docx(path: Path, problems: list[Problem]) -> DocxDocument | None:
    """The document at `path`, or None with a Problem saying why it cannot be read."""
    refusal = _refusal(path)
    if refusal is None:
        try:
            return docx.Document(str(path))
        except Exception as exc:  # a damaged part of any kind: the file's fault, not ours
            refusal = (
                "khong-doc-duoc",
                f"tệp .docx bị hỏng, không đọc được ({type(exc).__name__})",
                "mở bằng Word (Word sẽ đề nghị sửa tệp) rồi lưu lại.",
            )
    code, message, hint = refusal
    problems.append(Problem(code, message, file=str(path), hint=hint))
    return None


_NOT_DOCX = (
    "khong-phai-docx",
    "không phải tệp Word .docx",
    "mở tệp bằng Word rồi Lưu thành… › Word Document (*.docx).",
)


def _refusal(path: Path) -> tuple[str, str, str] | None:
    """(code, message, hint) when `path` is not a .docx we can open in bounded memory."""
    try:
        if not path.is_file():
            if path.exists():
                return (
                    "khong-phai-tep",
                    "không phải là một tệp",
                    "đưa vào đường dẫn tới tệp .docx.",
                )
            return ("khong-doc-duoc", "không có tệp này", "kiểm tra tên và thư mục của tệp.")
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        return ("khong-doc-duoc", f"không mở được tệp ({exc.strerror})", "kiểm tra tên tệp.")
    if size > MAX_FILE_BYTES:
        return ("tep-qua-lon", f"tệp quá lớn ({size // 1048576} MB)", "kiểm tra đúng tệp.")
    if head.startswith(_OLE_MAGIC):
        return (
            "khong-phai-docx",
            "tệp Word cũ (.doc) hoặc tệp có mật khẩu, không phải .docx",
            "mở bằng Word, bỏ mật khẩu nếu có, Lưu thành… › Word Document (*.docx).",
        )
    return _archive_refusal(path)


def _archive_refusal(path: Path) -> tuple[str, str, str] | None:
    """Why a zip file is not a .docx we open: no document part, or too big unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _NOT_DOCX
    if "word/document.xml" not in {i.filename for i in infos}:
        return _NOT_DOCX
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        return ("tep-qua-lon", "tệp giải nén ra quá lớn", "kiểm tra đúng tệp.")
    return None


# --- reading the document into lines ---------------------------------------------------------


@dataclass
class Para:
    """A body paragraph with what the checks need: its number, place, text and run formats."""

    number: int
    para: Paragraph
    place: Place
    text: str
    spans: list[tuple[int, int, RunFormat]]  # (start, end, format) of runs with visible text
    shapes: int
    border: bool

    @property
    def clean(self) -> str:
        return _clean(self.text)

    @property
    def in_table(self) -> bool:
        return self.place.table is not None

    def formats(self, start: int = 0, end: int | None = None) -> list[RunFormat]:
        """Formats of the runs in [start, end); note references (superscripts) left out."""
        stop = len(self.text) if end is None else end
        return [
            f
            for s, e, f in self.spans
            if s < stop and e > start and f.vert_align not in ("superscript", "subscript")
        ]

    def is_line(self) -> bool:
        """An empty paragraph drawing a line (border, shape) or a row of underscores."""
        return (not self.clean and (self.border or self.shapes > 0)) or bool(
            _RULE_TEXT.match(self.clean)
        )


def _clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_CHARS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def _run_text(r: Any) -> str:
    """A run's text as python-docx's Run.text gives it, without an XPath per run."""
    parts = []
    for child in r:
        tag = child.tag
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag == f"{_W}br":
            # A line break ends the line; a page or column break shows no character.
            parts.append("\n" if child.get(f"{_W}type", "textWrapping") == "textWrapping" else "")
        else:
            parts.append(_RUN_CHARS.get(tag, ""))
    return "".join(parts)


def _upper(text: str) -> str:
    """Capitals letter by letter, keeping the length (offsets of runs stay valid)."""
    return "".join(u if len(u := c.upper()) == 1 else c for c in text)


def _key(text: str) -> str:
    return ascii_slug(text, "").replace("-", "")


def _read(doc: DocxDocument) -> list[Para]:
    paras = []
    res = resolver(doc)
    for number, (para, place) in enumerate(iter_placed(doc), start=1):
        paras.append(_para(number, para, place, res))
    return paras


def _para(number: int, para: Paragraph, place: Place, res: Resolver) -> Para:
    spans = []
    parts = []
    offset = 0
    for run in paragraph_runs(para):
        text = _run_text(run._r)
        if text.strip():
            fmt = res.format_of(para._p, run._r, text)
            if fmt.caps:
                # What shows is what counts: All Caps displays the letters in capitals.
                text = _upper(text)
            spans.append((offset, offset + len(text), fmt))
        parts.append(text)
        offset += len(text)
    text = "".join(parts)
    return Para(number, para, place, text, spans, shape_count(para), bottom_border(para))


@dataclass(frozen=True)
class Segment:
    """One component of a line: its paragraph, span and text (spaces normalised)."""

    para: Para
    start: int
    end: int
    text: str
    line_text: str
    line: int = 0


def _segments(para: Para) -> list[Segment]:
    """The components of a paragraph's lines: a number or a date line (blanks and all),
    and the other pieces of text separated by tabs or runs of spaces."""
    found: list[Segment] = []
    text = para.text.replace("\u00a0", " ")
    line_start = 0
    for line_number, line in enumerate(text.split("\n")):
        taken: list[tuple[int, int]] = []
        for pattern in (_NUMBER, _DATE):
            for m in pattern.finditer(line):
                if not any(s < m.end() and m.start() < e for s, e in taken):
                    taken.append((m.start(), m.end()))
        pieces = list(taken)
        cursor = 0
        for s, e in [*sorted(taken), (len(line), len(line))]:
            gap_text = line[cursor:s]
            pos = cursor
            for piece in _GAP.split(gap_text):
                if piece.strip():
                    at = gap_text.index(piece, pos - cursor) + cursor
                    pieces.append((at, at + len(piece)))
                    pos = at + len(piece)
            cursor = max(cursor, e)
        for s, e in sorted(pieces):
            seg = line[s:e].strip()
            if seg:
                found.append(Segment(para, line_start + s, line_start + e, seg, line, line_number))
        line_start += len(line) + 1
    return found


# --- formatting helpers ----------------------------------------------------------------------


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _pts(low: float, high: float) -> str:
    return f"cỡ {_num(low)}" if low == high else f"cỡ {_num(low)}–{_num(high)}"


def _sizes(formats: Iterable[RunFormat]) -> str:
    sizes = sorted({f.size_pt for f in formats if f.size_pt is not None})
    return "cỡ " + ", ".join(_num(s) for s in sizes) if sizes else "không rõ cỡ chữ"


def _excerpt(text: str) -> str:
    text = _clean(text)
    return text if len(text) <= _EXCERPT else text[:_EXCERPT].rstrip() + "…"


def _line(para: Para) -> Segment:
    """The whole paragraph as one segment."""
    return Segment(para, 0, len(para.text), para.clean, para.text)


# "KT.CHỦ TỊCH", "TL.GIÁM ĐỐC": the abbreviation of the signer's authority run into the title.
_AUTHORITY_JOINED = re.compile(r"\s*(TM|KT|TL|TUQ|Q)\.(?=[^\s.])")


def _not_caps_centred(para: Para) -> list[str]:
    """What keeps a line from being in capitals and centred (a type name, a signer's title)."""
    letters = "".join(c for c in para.clean if c.isalpha())
    problems = []
    if letters != letters.upper():
        problems.append("chữ thường")
    if _alignment(para) != WD_ALIGN_PARAGRAPH.CENTER:
        problems.append(_ALIGN_NAMES.get(_alignment(para), "không căn giữa"))
    return problems


def _alignment(para: Para) -> Any:
    return paragraph_format_value(para.para, "alignment")


# --- the checks ------------------------------------------------------------------------------


class _Checker:
    """Runs every rule over one document and collects the findings."""

    def __init__(self, doc: DocxDocument, book: RuleBook) -> None:
        self.doc = doc
        self.book = book
        self.findings: list[Finding] = []
        self.all_paras = _read(doc)
        self.paras = self.all_paras
        # Said after "đoạn N" for the second and later documents typed in the same file.
        self.part_label = ""
        self.agency = ""
        # Set when the paper has no page numbers and its page count must come from a layout.
        self.needs_page_count = False

    def add(
        self,
        rule_id: str,
        expected: str,
        found: str,
        para: Para | None = None,
        where: str | None = None,
    ) -> None:
        rule = self.book[rule_id]
        if where is None:
            where = f"đoạn {para.number}" if para is not None else "văn bản"
            where += self.part_label
        self.findings.append(
            Finding(
                rule=rule.id,
                severity=rule.severity,
                title=rule.title,
                where=where,
                expected=expected,
                found=found,
                paragraph=None if para is None else para.number,
                text="" if para is None else _excerpt(para.text),
            )
        )

    def run(self) -> list[Finding]:
        sections = list(self.doc.sections)
        # Which sections hold tables matters only for landscape pages (a walk of the body).
        landscape = any(
            s.orientation == WD_ORIENT.LANDSCAPE or (s.page_width or 0) > (s.page_height or 0)
            for s in sections
        )
        tables = _sections_with_tables(self.doc) if landscape else {}
        for number, section in enumerate(sections, start=1):
            self.page(number, section, tables.get(number - 1, False))
        self.page_numbers()
        self.fonts()
        starts = self._document_starts()
        for n, (start, stop) in enumerate(
            zip(starts, [*starts[1:], len(self.all_paras)], strict=True)
        ):
            self.paras = self.all_paras[start:stop]
            self.part_label = f" (văn bản thứ {n + 1} trong tệp)" if n else ""
            self.agency = ""
            header_end = self.header()
            body_end, signature_end = self.recipients_and_signature(header_end)
            self.body(header_end, body_end)
            self.after_signature(signature_end)
        self.paras = self.all_paras
        self.part_label = ""
        return self.findings

    def _document_starts(self) -> list[int]:
        """Where each document typed in the file starts: a later Quốc hiệu on a line of its
        own, after a «Nơi nhận:», begins another document (its header table, if any)."""
        starts = [0]
        seen_recipients = False
        for i, para in enumerate(self.all_paras):
            text = para.clean.casefold()
            if text.startswith("nơi nhận"):
                seen_recipients = True
                continue
            if not seen_recipients or not any(
                _key(seg.text) == _QUOC_HIEU_KEY for seg in _segments(para)
            ):
                continue
            start = i
            if para.in_table:
                start = next(
                    j for j, p in enumerate(self.all_paras) if p.place.table == para.place.table
                )
            if start > starts[-1]:
                starts.append(start)
                seen_recipients = False
        return starts

    # --- page setup

    def page(self, number: int, section: Section, has_table: bool) -> None:
        where = f"phần {number} (Bố trí trang)"
        width, height = self.book.page_mm
        w = section.page_width.mm if section.page_width is not None else width
        h = section.page_height.mm if section.page_height is not None else height
        landscape = section.orientation == WD_ORIENT.LANDSCAPE or w > h
        short, long = sorted((w, h))
        off = max(abs(short - width), abs(long - height))
        size = f"{_num(round(w, 2))} × {_num(round(h, 2))} mm"
        if off > self.book["trang.kho-giay"].number("sai_so_mm"):
            self.add("trang.kho-giay", f"{_num(width)} × {_num(height)} mm", size, where=where)
        elif off > self.book["trang.kho-giay-lech"].number("sai_so_mm"):
            self.add("trang.kho-giay-lech", f"{_num(width)} × {_num(height)} mm", size, where=where)
        if landscape and not has_table:
            self.add(
                "trang.huong",
                "trang dọc (trang ngang chỉ cho phần có bảng, biểu)",
                "trang ngang không có bảng, biểu",
                where=where,
            )
        margins = {
            "le.tren": section.top_margin,
            "le.duoi": section.bottom_margin,
            "le.trai": section.left_margin,
            "le.phai": section.right_margin,
        }
        for rule_id, length in margins.items():
            if length is None:
                continue
            rule = self.book[rule_id]
            low, high = rule.range("mm")
            tolerance = rule.number("sai_so_mm")
            mm = abs(length.mm)
            if not low - tolerance <= mm <= high + tolerance:
                expected = f"{_num(low)}–{_num(high)} mm"
                self.add(rule_id, expected, f"{_num(round(mm, 1))} mm", where=where)

    def _parts(self, section: Section) -> list[tuple[str, Any, bool]]:
        """(name, part, shows on page 1) of the headers and footers a section defines."""
        even = self.doc.settings.odd_and_even_pages_header_footer
        first_page = section.different_first_page_header_footer
        parts = [
            ("đầu trang", section.header, not first_page),
            ("chân trang", section.footer, not first_page),
            ("đầu trang trang đầu", section.first_page_header, True),
            ("chân trang trang đầu", section.first_page_footer, True),
        ]
        if even:
            parts += [
                ("đầu trang trang chẵn", section.even_page_header, False),
                ("chân trang trang chẵn", section.even_page_footer, False),
            ]
        used = []
        for name, part, on_first in parts:
            if "trang đầu" in name and not first_page:
                continue
            # A linked part has no definition of its own; reading it would create one.
            if part.is_linked_to_previous:
                continue
            try:
                _ = part._element
            except KeyError:
                continue  # a reference to a part the file does not hold: nothing shows
            used.append((name, part, on_first))
        return used

    def page_numbers(self) -> None:
        size_rule = self.book["so-trang.dinh-dang"]
        numbered = False
        for number, section in enumerate(self.doc.sections, start=1):
            for name, part, on_first in self._parts(section):
                where = f"{name} (phần {number})"
                if not has_page_field(part._element):
                    continue
                numbered = numbered or "trang đầu" not in name
                if on_first and number == 1:
                    self.add(
                        "so-trang.trang-dau",
                        "trang đầu không có số trang (Trang đầu khác: Different First Page)",
                        f"số trang hiện ở trang 1 ({name})",
                        where=where,
                    )
                if name.startswith("chân trang"):
                    self.add("so-trang.vi-tri", "số trang ở đầu trang", name, where=where)
                for p in part.paragraphs:
                    if not has_page_field(p._p):
                        continue
                    para = _para(0, p, Place(), resolver(self.doc))
                    formats = para.formats() or [resolver(self.doc).format_of(p._p, None, "0")]
                    low, high = size_rule.range("co_chu")
                    wrong = [f for f in formats if not low <= (f.size_pt or 0) <= high or f.italic]
                    align = paragraph_format_value(p, "alignment")
                    if wrong or align != WD_ALIGN_PARAGRAPH.CENTER:
                        found = _sizes(formats) + (
                            ", nghiêng" if any(f.italic for f in formats) else ""
                        )
                        found += f", {_ALIGN_NAMES.get(align, 'căn khác')}"
                        self.add(
                            "so-trang.dinh-dang",
                            f"{_pts(low, high)}, chữ đứng, căn giữa",
                            found,
                            where=where,
                        )
        if not numbered:
            pages = declared_pages(self.doc)
            if pages is None:
                self.needs_page_count = True
            else:
                self.page_count(pages, "theo thuộc tính của tệp")

    def page_count(self, pages: int | None, how: str) -> None:
        """The findings of a paper without page numbers, once its page count is known."""
        self.needs_page_count = False
        if pages is None:
            self.add(
                "so-trang.khong-ro",
                "biết số trang (tệp lưu bằng Word hoặc LibreOffice ghi số trang; "
                "hoặc cài LibreOffice để hoso dàn trang và đếm)",
                f"văn bản không đánh số trang và không xác định được số trang ({how})",
                where="đầu trang",
            )
        elif pages >= 2:
            self.add(
                "so-trang.thieu",
                "số trang ở giữa đầu trang, từ trang 2 (Insert › Page Number › Top of Page, "
                "Different First Page)",
                f"văn bản {pages} trang ({how}) không đánh số trang",
                where="đầu trang",
            )

    # --- fonts, colour, Unicode

    def fonts(self) -> None:
        font = self.book.font
        res = resolver(self.doc)
        used: dict[str, list[Any]] = {}
        for para in self.paras:
            self._font_of(para, f"đoạn {para.number}")
            chain = res.paragraph_styles(para.para._p)
            if para.clean and chain:
                used.setdefault(str(chain[0].get(qn("w:styleId"))), chain)
        for number, section in enumerate(self.doc.sections, start=1):
            for name, part, _ in self._parts(section):
                for p in part.paragraphs:
                    self._font_of(_para(0, p, Place(), res), f"{name} (phần {number})")
        defaults = [res.defaults_rpr] if res.defaults_rpr is not None else []
        default = res.font_slot(defaults, "ascii")
        if default is not None and default != font:
            self.add("phong-chu.kieu", font, default, where="phông mặc định của văn bản")
        for style_id, chain in sorted(used.items()):
            layers = [x for x in (s.find(qn("w:rPr")) for s in chain) if x is not None]
            style_font = res.font_slot(layers, "ascii")
            if style_font is not None and style_font != font:
                name = chain[0].find(qn("w:name"))
                label = style_id if name is None else name.get(qn("w:val"))
                self.add("phong-chu.kieu", font, style_font, where=f"kiểu «{label}»")

    def _font_of(self, para: Para, where: str) -> None:
        formats = [f for _, _, f in para.spans]
        font = self.book.font
        wrong = sorted({f for fmt in formats for f in fmt.fonts if f != font})
        if wrong:
            self.add("phong-chu.ten", font, ", ".join(wrong), para, where)
        colours = self.book["phong-chu.mau"].texts("mau_chu")
        odd = sorted({f.color for f in formats if f.color and f.color.lower() not in colours})
        if odd:
            self.add("phong-chu.mau", "màu đen", "màu " + ", ".join(odd), para, where)
        if para.text != nfc(para.text):
            self.add("van-ban.nfc", "chữ dựng sẵn (NFC)", "chữ tổ hợp (NFD)", para, where)

    # --- header: ô 1 to 4

    def header(self) -> int:
        """Check the header and title; return the index of the first paragraph after them."""
        paras = self.paras
        limit = min(len(paras), 60)
        qh = tn = None
        for i in range(limit):
            for seg in _segments(paras[i]):
                key = _key(seg.text)
                if qh is None and _QUOC_HIEU_KEY in key:
                    qh = (i, seg)
                elif tn is None and "doclap" in key and "hanhphuc" in key:
                    tn = (i, seg)
            if qh and tn:
                break
        start = max(qh[0] if qh else 0, tn[0] if tn else 0)
        type_index = self._type_heading(start)
        end = type_index if type_index is not None else limit
        number = date = vv = None
        for i in range(end):
            for seg in _segments(paras[i]):
                if number is None and _NUMBER.fullmatch(seg.text.replace("\u00a0", " ")):
                    number = (i, seg)
                elif date is None and _DATE.fullmatch(seg.text):
                    date = (i, seg)
                elif vv is None and seg.text.startswith("V/v"):
                    vv = (i, seg)
        if type_index is None:
            found = [x[0] for x in (qh, tn, number, date, vv) if x is not None]
            end = max(found) + 1 if found else 0
        self._quoc_hieu(qh, tn)
        self._agency(qh, number, end)
        doc_type = self._type_name(type_index)
        self._number(number, doc_type, vv is not None)
        self._date(date, doc_type)
        self._layout(end)
        self._centred([x for x in (qh, tn, number, date) if x is not None])
        if vv is not None:
            self._vv(vv[1])
        title_end = self._title(type_index, vv is not None)
        return max(end, title_end)

    def _quoc_hieu(self, qh: tuple[int, Segment] | None, tn: tuple[int, Segment] | None) -> None:
        book = self.book
        if qh is None:
            self.add("quoc-hieu.thieu", book["quoc-hieu.chu"].texts("chu")[0], "không có")
        else:
            self._text_and_format(qh[1], "quoc-hieu.chu", "quoc-hieu.dinh-dang", bold=True)
        if tn is None:
            self.add("tieu-ngu.thieu", book["tieu-ngu.chu"].texts("chu")[0], "không có")
            return
        seg = tn[1]
        self._text_and_format(seg, "tieu-ngu.chu", "tieu-ngu.dinh-dang", bold=True)
        if qh is not None and qh[1].para is seg.para:
            self.add(
                "tieu-ngu.dong-rieng",
                "Tiêu ngữ một đoạn riêng",
                "chung một đoạn với Quốc hiệu (xuống dòng bằng Shift+Enter)",
                seg.para,
            )
        if not self._line_below(tn[0], seg.para) and not self._header_shapes(tn[0] + 2, 1):
            nxt = self._next_text(tn[0])
            found = f"«{_excerpt(nxt.text)}»" if nxt is not None else "không có đường kẻ"
            self.add("tieu-ngu.duong-ke", "đường kẻ liền dưới Tiêu ngữ", found, seg.para)

    def _text_and_format(
        self, seg: Segment, text_rule: str, format_rule: str, *, bold: bool
    ) -> None:
        expected = self.book[text_rule].texts("chu")
        if _clean(seg.text) not in expected:
            self.add(text_rule, f"«{expected[0]}»", f"«{_clean(seg.text)}»", seg.para)
        self._format(seg, format_rule, bold=bold, italic=False)

    def _format(
        self,
        seg: Segment,
        rule_id: str,
        *,
        bold: bool | None,
        italic: bool | None,
        expected_extra: str = "",
    ) -> bool:
        """Check size (the rule's co_chu), bold and italic of a segment; True when right."""
        formats = seg.para.formats(seg.start, seg.end)
        if not formats:
            return True
        low, high = self.book[rule_id].range("co_chu")
        wrong = []
        if any(not low <= (f.size_pt or 0) <= high for f in formats):
            wrong.append(_sizes(formats))
        if bold is not None and any(f.bold != bold for f in formats):
            wrong.append("không đậm" if bold else "in đậm")
        if italic is not None and any(f.italic != italic for f in formats):
            wrong.append("không nghiêng" if italic else "in nghiêng")
        if wrong:
            want = [_pts(low, high)]
            if bold is not None:
                want.append("in đậm" if bold else "không đậm")
            if italic is not None:
                want.append("in nghiêng" if italic else "chữ đứng")
            if expected_extra:
                want.append(expected_extra)
            self.add(rule_id, ", ".join(want), ", ".join(wrong), seg.para)
        return not wrong

    def _neighbours(self, index: int, count: int = 3) -> list[Para]:
        """The paragraphs after `index` in the same container (cell or body), at most `count`."""
        here = self.paras[index]
        found = []
        for para in self.paras[index + 1 : index + 1 + count]:
            if para.place != here.place:
                break
            found.append(para)
        return found

    def _line_below(self, index: int, para: Para) -> bool:
        """Whether a solid line follows paragraph `index`: its own bottom border or shape, or
        just below it (in the same table column, maybe the next row) an empty paragraph with
        a border or a drawn line, a row of underscores, or a drawing in the same cell."""
        if para.border or para.shapes:
            return True
        seen = 0
        for nxt in self.paras[index + 1 :]:
            same = (
                nxt.place == para.place
                if not para.in_table
                else (nxt.place.table, nxt.place.column) == (para.place.table, para.place.column)
            )
            if not same:
                if not para.in_table and not nxt.in_table:
                    break
                continue
            if nxt.is_line():
                return True
            seen += 1
            if nxt.clean or seen > 3:
                break
        if para.in_table:
            return any(p.shapes for p in self.paras if p.place == para.place)
        return False

    def _next_text(self, index: int) -> Para | None:
        for para in self.paras[index + 1 : index + 4]:
            if para.clean:
                return para
        return None

    def _agency(
        self, qh: tuple[int, Segment] | None, number: tuple[int, Segment] | None, end: int
    ) -> None:
        stop = number[0] if number is not None else end
        segments: list[Segment] = []
        if qh is not None and qh[1].para.in_table:
            table, column = qh[1].para.place.table, qh[1].para.place.column
            for para in self.paras[:stop]:
                if para.place.table == table and para.place.column < column:
                    segments += [s for s in _segments(para) if self._agency_text(s)]
        else:
            for para in self.paras[:stop]:
                pieces = _segments(para)
                # Typed with spaces: the agency is the piece a line starts with.
                leading = len(para.text) - len(para.text.lstrip())
                if pieces and pieces[0].start <= leading and self._agency_text(pieces[0]):
                    segments.append(pieces[0])
        if not segments:
            self.add("co-quan.thieu", "tên cơ quan ban hành, in hoa, đậm", "không có")
            return
        self.agency = " ".join(seg.text for seg in segments)
        self._centred([(self.paras.index(seg.para), seg) for seg in segments])
        for seg in segments:
            letters = "".join(c for c in seg.text if c.isalpha())
            if letters != letters.upper():
                self.add("co-quan.chu-hoa", "chữ in hoa", f"«{_excerpt(seg.text)}»", seg.para)
        for seg in segments[:-1]:
            self._format(seg, "co-quan.dinh-dang", bold=None, italic=False)
        self._format(
            segments[-1],
            "co-quan.dinh-dang",
            bold=True,
            italic=False,
            expected_extra="(tên cơ quan ban hành)",
        )
        last = segments[-1].para
        index = self.paras.index(last)
        if not self._line_below(index, last) and not self._header_shapes(end, 2):
            self.add("co-quan.duong-ke", "đường kẻ liền dưới tên cơ quan", "không có", last)

    def _header_shapes(self, end: int, count: int) -> bool:
        """For a header typed without a table: whether it draws `count` lines somewhere."""
        paras = self.paras[:end]
        if any(p.in_table for p in paras):
            return False
        return sum(p.shapes for p in paras) >= count

    def _agency_text(self, seg: Segment) -> bool:
        key = _key(seg.text)
        if not key or _QUOC_HIEU_KEY in key or ("doclap" in key and "hanhphuc" in key):
            return False
        text = seg.text
        return not (
            _NUMBER.fullmatch(text)
            or _DATE.fullmatch(text)
            or text.startswith(("V/v", "(", "Số"))
            or _RULE_TEXT.match(text)
            or set(text) <= set("-_–—=*o0 .")
        )

    def _number(
        self, number: tuple[int, Segment] | None, doc_type: str | None, is_letter: bool
    ) -> None:
        if number is None:
            self.add("so.thieu", "«Số: …/…»", "không có")
            return
        seg = number[1]
        match = self.book["so.mau"].regex("mau").fullmatch(seg.text)
        if match is None:
            self.add("so.mau", "«Số: 05/KH-UBND»", f"«{seg.text}»", seg.para)
        else:
            value = match.group("so")
            limit = self.book["so.so-0"].number("them_0_duoi")
            if value is not None and int(value) < limit and not value.startswith("0"):
                self.add("so.so-0", f"«{int(value):02d}»", f"«{value}»", seg.para)
            self._symbol_order(match.group("ky_hieu"), doc_type, is_letter, seg)
        self._format(seg, "so.dinh-dang", bold=False, italic=False)

    def _symbol_order(
        self, symbol: str, doc_type: str | None, is_letter: bool, seg: Segment
    ) -> None:
        """The type's abbreviation opens the symbol of a typed document (12/KH-UBND); a
        công văn has none (12/UBND-VX)."""
        groups = [g.casefold() for g in symbol.split("-")]
        abbreviations = {a.casefold(): a for a in self.book.types.values()}
        if doc_type is not None:
            abbr = self.book.types[doc_type]
            if groups[0] != abbr.casefold():
                others = [g for g in symbol.split("-") if g.casefold() != abbr.casefold()]
                right = "-".join([abbr, *others])
                self.add(
                    "so.thu-tu",
                    f"chữ viết tắt tên loại «{abbr}» đứng đầu ký hiệu: «…/{right}»",
                    f"«{symbol}»",
                    seg.para,
                )
        elif is_letter and groups[0] in abbreviations and len(groups) > 1:
            right = "-".join(symbol.split("-")[1:])
            self.add(
                "so.thu-tu",
                f"công văn: ký hiệu «tên cơ quan-đơn vị», không có tên loại (…/{right}-…)",
                f"«{symbol}» (bắt đầu bằng «{abbreviations[groups[0]]}»)",
                seg.para,
            )

    def _type_heading(self, start: int) -> int | None:
        for i in range(start, min(len(self.paras), start + 40)):
            text = self.paras[i].clean
            upper = text.upper()
            for name in self.book.types:
                if (
                    upper.startswith(name)
                    and not text.endswith(":")
                    and len(text) <= len(name) + 40
                    and not _DATE.search(text)
                ):
                    return i
        return None

    def _type_name(self, index: int | None) -> str | None:
        if index is None:
            return None
        upper = self.paras[index].clean.upper()
        return max((n for n in self.book.types if upper.startswith(n)), key=len)

    def _date(self, date: tuple[int, Segment] | None, doc_type: str | None) -> None:
        if date is None:
            if doc_type not in self.book.undated_types:
                self.add("ngay.thieu", "«Địa danh, ngày … tháng … năm …»", "không có")
            return
        seg = date[1]
        text = seg.text.replace("\u00a0", " ").strip()
        match = self.book["ngay.mau"].regex("mau").fullmatch(text)
        if match is None or not match.group("dia_danh")[:1].isupper():
            # The example in the document's own place name when it has one.
            place = text.split(",", 1)[0].strip() if "," in text else ""
            if not place or len(place) > 40 or not place[:1].isupper():
                place = "Địa danh"
            example = f"«{place}, ngày 05 tháng 3 năm 2024»"
            self.add("ngay.mau", example, f"«{_clean(text)}»", seg.para)
        else:
            self._padding(match, seg)
            self._real_date(match, seg)
            if re.search(r"\d {2,}|ngày {2,}\d|tháng {2,}\d|năm {2,}\d", text):
                self.add("ngay.khoang-cach", "một dấu cách", f"«{_excerpt(text)}»", seg.para)
        self._format(seg, "ngay.dinh-dang", bold=False, italic=True)

    def _padding(self, match: re.Match[str], seg: Segment) -> None:
        rule = self.book["ngay.so-0"]
        day_limit = rule.number("ngay_them_0_duoi")
        month_limit = rule.number("thang_them_0_duoi")
        wrong = []
        day, month = match.group("ngay"), match.group("thang")
        if day.isdigit() and 0 < int(day) < day_limit and len(day) < 2:
            wrong.append((f"ngày {int(day):02d}", f"ngày {day}"))
        if month.isdigit():
            value = int(month)
            if 0 < value < month_limit and len(month) < 2:
                wrong.append((f"tháng {value:02d}", f"tháng {month}"))
            elif value >= month_limit and month.startswith("0"):
                # Not forbidden by the decree, only unusual: a warning.
                self.add("ngay.so-0-thua", f"«tháng {value}»", f"«tháng {month}»", seg.para)
        if wrong:
            self.add(
                "ngay.so-0",
                ", ".join(f"«{w[0]}»" for w in wrong),
                ", ".join(f"«{w[1]}»" for w in wrong),
                seg.para,
            )

    def _real_date(self, match: re.Match[str], seg: Segment) -> None:
        day, month, year = match.group("ngay"), match.group("thang"), match.group("nam")
        if not (day.isdigit() and month.isdigit()):
            return  # a draft's blanks
        y = int(year) if year.isdigit() else 2000  # a leap year when the year is blank
        try:
            datetime.date(y, int(month), int(day))
        except ValueError:
            when = f"ngày {day} tháng {month}" + (f" năm {year}" if year.isdigit() else "")
            self.add("ngay.co-that", "một ngày có thật", f"«{when}» không có", seg.para)

    def _centred(self, found: list[tuple[int, Segment]]) -> None:
        """Header components on a line of their own are centred in their column: by the
        paragraph's alignment, with equal left and right indents."""
        for _, seg in found:
            para = seg.para
            if _clean(seg.text) != para.clean or para.text[:1] in (" ", "\t"):
                continue  # typed beside another component, or pushed by spaces: said elsewhere
            wrong = []
            align = _alignment(para)
            if align != WD_ALIGN_PARAGRAPH.CENTER:
                wrong.append(_ALIGN_NAMES.get(align, "không căn giữa"))
            left, right = (
                paragraph_format_value(para.para, name) for name in ("left_indent", "right_indent")
            )
            shift = (
                (left.mm if left is not None else 0) - (right.mm if right is not None else 0)
            ) / 2
            if abs(shift) > 3:
                side = "phải" if shift > 0 else "trái"
                wrong.append(f"lệch sang {side} {_num(round(abs(shift) / 10, 1))} cm do thụt lề")
            if wrong:
                self.add("bo-cuc.can-giua", "căn giữa trong cột", ", ".join(wrong), para)

    def _layout(self, end: int) -> None:
        for para in self.paras[:end]:
            pieces = _segments(para)
            lines: dict[str, list[Segment]] = {}
            for seg in pieces:
                lines.setdefault(seg.line_text, []).append(seg)
            for line, segs in lines.items():
                if len(segs) > 1:
                    self.add(
                        "bo-cuc.chung-dong",
                        "mỗi thành phần một dòng, trong bảng không viền",
                        " | ".join(f"«{_excerpt(s.text)}»" for s in segs),
                        para,
                    )
                elif re.match(r"^(\t| {2,})\S", line):
                    self.add(
                        "bo-cuc.dau-cach",
                        "căn giữa bằng định dạng đoạn",
                        "dòng bắt đầu bằng dấu cách hoặc Tab",
                        para,
                    )

    def _vv(self, vv: Segment) -> None:
        self._format(vv, "vv.dinh-dang", bold=False, italic=False)

    def _title(self, index: int | None, is_letter: bool) -> int:
        """Type heading and summary (ô 5a); return the index after the title block."""
        if index is None:
            if not is_letter:
                names = ", ".join(list(self.book.types)[:5])
                self.add("ten-loai.thieu", f"tên loại in hoa ({names}, …)", "không có")
            return 0
        heading = self.paras[index]
        seg = _line(heading)
        problems = _not_caps_centred(heading)
        if problems:
            self.add("ten-loai.dinh-dang", "in hoa, căn giữa", ", ".join(problems), heading)
        self._format(seg, "ten-loai.dinh-dang", bold=True, italic=False)
        summary = self._summary(index)
        if not summary:
            self.add("trich-yeu.thieu", "trích yếu dưới tên loại", "không có", heading)
            return index + 1
        for i in summary:
            para = self.paras[i]
            seg = _line(para)
            problems = []
            letters = "".join(c for c in para.clean if c.isalpha())
            if i == summary[0] and letters == letters.upper() and len(letters) > 3:
                problems.append("in hoa cả dòng")
            if _alignment(para) != WD_ALIGN_PARAGRAPH.CENTER:
                problems.append(_ALIGN_NAMES.get(_alignment(para), "không căn giữa"))
            if problems:
                self.add("trich-yeu.dinh-dang", "chữ thường, căn giữa", ", ".join(problems), para)
            self._format(seg, "trich-yeu.dinh-dang", bold=True, italic=False)
        last = summary[-1]
        if not self._line_below(last, self.paras[last]):
            self.add(
                "trich-yeu.duong-ke", "đường kẻ liền dưới trích yếu", "không có", self.paras[last]
            )
        end = last + 1
        while end < len(self.paras) and end <= last + 3 and self.paras[end].is_line():
            end += 1
        return end

    def _summary(self, index: int) -> list[int]:
        """The summary lines under the type heading: centred, bold or capitalised lines up
        to an empty one, a drawn line, or the issuing authority of a decision."""
        heading = self.paras[index]
        summary: list[int] = []
        for i in range(index + 1, min(index + 5, len(self.paras))):
            para = self.paras[i]
            if not para.clean or para.is_line() or para.in_table != heading.in_table:
                break
            text = para.clean
            if text.startswith(("Kính gửi", "Căn cứ")) or text.endswith(":"):
                break
            formats = para.formats()
            centred = _alignment(para) == WD_ALIGN_PARAGRAPH.CENTER
            bold = bool(formats) and all(f.bold for f in formats)
            caps = text == text.upper() and len(text) < 120
            # A capitalised line after the summary is the issuing authority of a decision.
            if not (centred or bold or caps) or (summary and caps):
                break
            summary.append(i)
            if para.shapes or para.border:
                break  # the line under the summary is drawn from this paragraph
        return summary

    # --- recipients and signature: ô 7, 9b

    def recipients_and_signature(self, start: int) -> tuple[int, int]:
        """Check Nơi nhận and the signature; return the indexes where the body ends and
        where the signature block ends."""
        index = next(
            (
                i
                for i in range(start, len(self.paras))
                if self.paras[i].clean.casefold().startswith("nơi nhận")
            ),
            None,
        )
        if index is None:
            self.add("noi-nhan.thieu", "«Nơi nhận:» cuối văn bản, bên trái", "không có")
            return len(self.paras), len(self.paras)
        head = self.paras[index]
        segments = _segments(head)
        # The first line with text (a paragraph may start with a line break).
        pieces = [seg for seg in segments if seg.line == segments[0].line]
        if len(pieces) > 1:
            self.add(
                "bo-cuc.chung-dong",
                "«Nơi nhận:» một dòng riêng, bên trái bảng chữ ký",
                " | ".join(f"«{_excerpt(s.text)}»" for s in pieces),
                head,
            )
        seg = pieces[0]
        problems = []
        if seg.text != "Nơi nhận:":
            problems.append(f"«{seg.text}»")
        align = _alignment(head)
        # Where the first line starts: a hanging indent may cancel a first-line one.
        start_mm = sum(
            length.mm
            for length in (
                paragraph_format_value(head.para, "first_line_indent"),
                paragraph_format_value(head.para, "left_indent"),
            )
            if length is not None
        )
        if align not in (None, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY) or start_mm > 1:
            problems.append("không sát lề trái")
        if problems:
            self.add("noi-nhan.dinh-dang", "«Nơi nhận:» sát lề trái", ", ".join(problems), head)
        self._format(seg, "noi-nhan.dinh-dang", bold=True, italic=True)
        last = self._recipient_list(index, pieces[0].line)
        if head.in_table:
            self._signature(head)
        # The body ends where the signature table (or the Nơi nhận line) starts.
        if head.in_table:
            table = [i for i, p in enumerate(self.paras) if p.place.table == head.place.table]
            return table[0], table[-1] + 1
        return index, last + 1

    def _recipient_list(self, index: int, head_line: int) -> int:
        """Check the recipients under «Nơi nhận:»; return the index of the last one."""
        head = self.paras[index]
        last_index = index
        # Recipients typed in the same paragraph after line breaks count too.
        items = [seg for seg in self._recipient_lines(head, head.in_table) if seg.line > head_line]
        for offset, para in enumerate(self.paras[index + 1 :], start=index + 1):
            if head.in_table and para.place != head.place:
                break
            if not para.clean:
                if head.in_table:
                    continue
                break
            lines = self._recipient_lines(para, head.in_table)
            if not head.in_table and not (lines and _DASH_START.match(lines[0].text)):
                break
            items += lines
            last_index = offset
        if not items:
            self.add("noi-nhan.danh-sach", "danh sách nơi nhận", "không có", head)
            return last_index
        for n, seg in enumerate(items):
            text = _clean(seg.text)
            wrong = []
            if not text.startswith("- "):
                wrong.append("không bắt đầu «- »")
            if n < len(items) - 1 and not text.endswith(";"):
                wrong.append("không kết thúc «;»")
            if wrong:
                found = f"«{_excerpt(text)}»: " + ", ".join(wrong)
                self.add("noi-nhan.danh-sach", "«- …;»", found, seg.para)
            self._format(seg, "noi-nhan.danh-sach", bold=None, italic=False)
        last = items[-1]
        if not self.book["noi-nhan.luu"].regex("mau").match(_clean(last.text)):
            found = f"«{_excerpt(last.text)}»"
            self.add("noi-nhan.luu", "«- Lưu: VT, ….»", found, last.para)
        return last_index

    @staticmethod
    def _recipient_lines(para: Para, in_table: bool) -> list[Segment]:
        """Each line of a recipients paragraph; without a table, only the left component of
        a line (the signature typed beside it with tabs is not a recipient)."""
        if not in_table:
            firsts: dict[int, Segment] = {}
            for seg in _segments(para):
                firsts.setdefault(seg.line, seg)
            return list(firsts.values())
        lines = []
        start = 0
        for number, line in enumerate(para.text.split("\n")):
            if line.strip():
                lines.append(Segment(para, start, start + len(line), line.strip(), line, number))
            start += len(line) + 1
        return lines

    def _signature(self, head: Para) -> None:
        # A signature column may span several rows (title, room to sign, name).
        columns: dict[int, list[Para]] = {}
        for para in self.paras:
            if para.place.table == head.place.table and para.clean and para.place != head.place:
                columns.setdefault(para.place.column, []).append(para)
        blocks = [b for paras in columns.values() if (b := self._signer(paras)) is not None]
        if not blocks:
            self.add("chu-ky.thieu", "quyền hạn, chức vụ và họ tên người ký", "không có", head)
            return
        for titles, name in blocks:
            for para in titles:
                seg = _line(para)
                problems = _not_caps_centred(para)
                if problems:
                    self.add("chu-ky.quyen-han", "in hoa, căn giữa", ", ".join(problems), para)
                joined = _AUTHORITY_JOINED.match(seg.text)
                if joined:  # "KT.CHỦ TỊCH": one space after the authority's abbreviation
                    fixed = f"{joined[1]}. {seg.text[joined.end() :].strip()}"
                    self.add("chu-ky.dau-cach", f"«{fixed}»", f"«{seg.text.strip()}»", para)
                self._format(seg, "chu-ky.quyen-han", bold=True, italic=False)
            self._authority(titles)
            if name is None:
                self.add(
                    "chu-ky.thieu",
                    "họ tên người ký dưới chức vụ",
                    f"không có họ tên (dòng cuối là chức vụ «{_excerpt(titles[-1].clean)}»)",
                    titles[-1],
                )
                continue
            seg = _line(name)
            rule = self.book["chu-ky.ho-ten"]
            letters = "".join(c for c in name.clean if c.isalpha())
            problems = []
            if letters == letters.upper():
                problems.append("in hoa cả dòng")
            prefix = next(
                (t for t in rule.texts("hoc_ham_hoc_vi") if name.clean.startswith(t)), None
            )
            if prefix:
                problems.append(f"có «{prefix}» trước tên")
            if problems:
                self.add(
                    "chu-ky.ho-ten",
                    "họ tên chữ thường, không học hàm, học vị",
                    ", ".join(problems),
                    name,
                )
            self._format(seg, "chu-ky.ho-ten", bold=True, italic=False)

    def _signer(self, paras: list[Para]) -> tuple[list[Para], Para | None] | None:
        """(title lines, name or None when only titles are typed) of a signature cell;
        notes in parentheses are skipped."""
        lines: list[Para] = []
        depth = 0  # open parentheses: a note may run over several lines
        for para in paras:
            text = para.clean
            inside = depth > 0 or text.startswith("(")
            depth = max(0, depth + text.count("(") - text.count(")"))
            if not inside:
                lines.append(para)
        if not lines:
            return None
        if self._is_title(lines[-1]):
            return lines, None
        if len(lines) < 2:
            return None
        return lines[:-1], lines[-1]

    def _is_title(self, para: Para) -> bool:
        """Whether a signature line is a title (capitals with a word of office in it)."""
        text = para.clean
        if text != text.upper():
            return False
        words = f" {text} "
        return any(
            (w.endswith(".") and text.startswith(w)) or f" {w} " in words
            for w in self.book["chu-ky.thieu"].texts("chuc_vu")
        )

    def _authority(self, titles: list[Para]) -> None:
        """TM. over the head's title when the head signs for a collective body; KT. over a
        deputy's title."""
        rule = self.book["chu-ky.tham-quyen"]
        # «KT.GIÁM ĐỐC» reads as «KT. GIÁM ĐỐC».
        lines = [re.sub(r"^(TM|KT|TL|TUQ|Q)\. *", r"\1. ", p.clean) for p in titles]
        position = lines[-1]
        above = lines[:-1]
        for deputy in rule.texts("cap_pho"):
            if position.startswith(deputy):
                head_title = position[len(deputy) :].strip()
                want = f"KT. {head_title}"
                # «KT. CHỦ TỊCH» over «PHÓ CHỦ TỊCH THƯỜNG TRỰC» is right too.
                if not above or not (
                    above[-1].startswith("KT. ") and head_title.startswith(above[-1][4:])
                ):
                    found = f"«{above[-1]}»" if above else "không có dòng quyền hạn"
                    self.add(
                        "chu-ky.tham-quyen",
                        f"«{want}» ngay trên «{position}»",
                        found,
                        titles[-1],
                    )
                return
        if position not in rule.texts("nguoi_dung_dau") or any(
            a.startswith(("Q.", "TL.", "TUQ.", "KT.")) for a in above
        ):
            return
        agency = " ".join(self.agency.split())
        for body in rule.texts("tap_the"):
            # The head's own decision (issued by «CHỦ TỊCH ỦY BAN NHÂN DÂN …») is signed
            # by the head alone.
            own = f"{position} {body}"
            if not agency.startswith(body) or any(p.clean.startswith(own) for p in self.paras):
                continue
            want = f"TM. {body}"
            if want not in above:
                found = " / ".join(f"«{a}»" for a in [*above, position])
                self.add("chu-ky.tham-quyen", f"«{want}» trên «{position}»", found, titles[-1])

    # --- body: ô 6

    def body(self, start: int, end: int) -> None:
        paras = [p for p in self.paras[start:end] if not p.in_table]
        decision = next(
            (i for i, p in enumerate(paras) if p.clean in ("QUYẾT ĐỊNH:", "QUYẾT NGHỊ:")), None
        )
        grounds = []
        if decision is not None:
            grounds = [
                p
                for p in paras[:decision]
                if p.clean and not _whole(p, "bold") and p.clean.startswith(("Căn cứ", "Theo"))
            ]
        self._grounds(grounds)
        previous: Para | None = None
        after_greeting = False
        for para in paras:
            text = para.clean
            if not text or para.is_line():
                previous = None
                continue
            if text.startswith("Kính gửi"):
                after_greeting = True
                previous = None
                continue
            if after_greeting and _DASH_START.match(text):
                continue
            after_greeting = False
            if _whole(para, "bold") or (text.startswith("(") and text.endswith(")")):
                previous = None
                continue
            self._body_paragraph(para, previous)
            previous = para

    def _grounds(self, grounds: list[Para]) -> None:
        for n, para in enumerate(grounds):
            if not _whole(para, "italic"):
                self.add("can-cu.dinh-dang", "in nghiêng", "chữ đứng", para)
            last = n == len(grounds) - 1
            end = "." if last else ";"
            if not para.clean.endswith(end):
                self.add("can-cu.dau-cau", f"kết thúc «{end}»", f"«…{para.clean[-12:]}»", para)

    def _body_paragraph(self, para: Para, previous: Para | None) -> None:
        book = self.book
        formats = para.formats()
        low, high = book["noi-dung.co-chu"].range("co_chu")
        if any(not low <= (f.size_pt or 0) <= high for f in formats):
            self.add("noi-dung.co-chu", _pts(low, high), _sizes(formats), para)
        align = _alignment(para)
        if align not in _JUSTIFIED:
            self.add("noi-dung.can-deu", "căn đều hai lề", _ALIGN_NAMES.get(align, "khác"), para)
        self._indent(para)
        if previous is not None and previous.para._p.getnext() is para.para._p:
            after = paragraph_format_value(previous.para, "space_after")
            before = paragraph_format_value(para.para, "space_before")
            gap = (after.pt if after is not None else 0) + (before.pt if before is not None else 0)
            minimum = book["noi-dung.cach-doan"].number("toi_thieu_pt")
            if gap < minimum:
                self.add(
                    "noi-dung.cach-doan",
                    f"từ {_num(minimum)} pt",
                    f"{_num(round(gap, 1))} pt",
                    para,
                )
        self._line_spacing(para, formats)

    def _indent(self, para: Para) -> None:
        ppr = para.para._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return  # a numbered list: its indents come from the numbering definition
        rule = self.book["noi-dung.thut-dau-dong"]
        low, high = rule.range("mm")
        tolerance = rule.number("sai_so_mm")
        indent = paragraph_format_value(para.para, "first_line_indent")
        mm = indent.mm if indent is not None else 0.0
        if re.match(r"^(\t| {2,})", para.text):
            # One finding: the indent a Tab or spaces make is not also measured.
            self.add(
                "noi-dung.thut-bang-phim",
                "thụt đầu dòng bằng định dạng đoạn (Paragraph › Special: First line 1,27 cm)",
                "Tab hoặc dấu cách ở đầu đoạn",
                para,
            )
            return
        if not low - tolerance <= mm <= high + tolerance:
            self.add(
                "noi-dung.thut-dau-dong",
                f"{_num(low / 10)} cm hoặc {_num(high / 10)} cm",
                f"{_num(round(mm / 10, 2))} cm",
                para,
            )

    def _line_spacing(self, para: Para, formats: list[RunFormat]) -> None:
        rule = self.book["noi-dung.gian-dong"]
        spacing = paragraph_format_value(para.para, "line_spacing")
        if spacing is None:
            return
        how = paragraph_format_value(para.para, "line_spacing_rule")
        if isinstance(spacing, float):
            low, high = rule.range("boi_so")
            if not low - 0.01 <= spacing <= high + 0.01:
                self.add(
                    "noi-dung.gian-dong",
                    f"{_num(low)}–{_num(high)} dòng",
                    f"{_num(spacing)} dòng",
                    para,
                )
            return
        size = max((f.size_pt or 0 for f in formats), default=14.0) or 14.0
        low, high = rule.range("he_so_co_chu")
        points = spacing.pt
        # "At least" never goes below the single line the font needs; "exactly" does.
        too_low = how == WD_LINE_SPACING.EXACTLY and points < round(low * size, 1) - 0.05
        if points > high * size + 0.1 or too_low:
            kind = "đúng" if how == WD_LINE_SPACING.EXACTLY else "ít nhất"
            self.add(
                "noi-dung.gian-dong",
                f"{_num(round(low * size, 1))}–{_num(round(high * size, 1))} pt "
                f"(một dòng đến 1,5 dòng của chữ cỡ {_num(size)})",
                f"{kind} {_num(points)} pt" + (" (dưới một dòng)" if too_low else ""),
                para,
            )

    # --- after the signature: appendices, captions, notes

    def after_signature(self, start: int) -> None:
        """Text after the signature (an appendix's name, its «Kèm theo …» caption, notes)
        keeps the body's size; appendix tables are left to their own layout."""
        low, high = self.book["phu-luc.co-chu"].range("co_chu")
        for para in self.paras[start:]:
            if para.in_table or not para.clean:
                continue
            formats = para.formats()
            if any(not low <= (f.size_pt or 0) <= high for f in formats):
                self.add("phu-luc.co-chu", _pts(low, high), _sizes(formats), para)


def _merge(findings: list[Finding]) -> list[Finding]:
    """One finding per rule and departure: later paragraphs with the same rule, expected and
    found values are listed on the first one (a wrong font on 40 paragraphs is one line)."""
    merged: list[Finding] = []
    first: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        key = (finding.rule, finding.expected, finding.found)
        if finding.paragraph and key in first:
            index = first[key]
            earlier = merged[index]
            more = (*earlier.more, finding.paragraph) if finding.paragraph else earlier.more
            merged[index] = replace(earlier, more=more)
            continue
        if finding.paragraph:
            first.setdefault(key, len(merged))
        merged.append(finding)
    return merged


def _whole(para: Para, attribute: str) -> bool:
    formats = para.formats()
    return bool(formats) and all(getattr(f, attribute) for f in formats)


def check_document(doc: DocxDocument) -> list[Finding]:
    """Every finding of the Decree 30 rules on one document, in reading order of the checks
    (without laying the document out: an unknown page count is said so)."""
    checker = _Checker(doc, rulebook())
    checker.run()
    if checker.needs_page_count:
        checker.page_count(None, "chưa dàn trang")
    return _merge(checker.findings)


_CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart"


def _sections_with_tables(doc: DocxDocument) -> dict[int, bool]:
    """For each section (0-based), whether landscape is allowed there: it holds a table of
    figures or a chart (not the borderless header or signature table), or it comes after the
    section of «Nơi nhận:» (an appendix)."""
    found: dict[int, bool] = {}
    section = 0
    recipients: int | None = None
    for child in doc.element.body:
        text = "".join(t.text or "" for t in child.iter(qn("w:t")))
        if child.tag == qn("w:tbl"):
            if _QUOC_HIEU_KEY not in _key(text) and "nơi nhận" not in text.casefold():
                found[section] = True
        elif any(True for _ in child.iter(_CHART)):
            found[section] = True
        if recipients is None and "nơi nhận" in text.casefold():
            recipients = section
        if child.tag == qn("w:p") and child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            section += 1
    if recipients is not None:
        for later in range(recipients + 1, section + 1):
            found[later] = True
    return found
