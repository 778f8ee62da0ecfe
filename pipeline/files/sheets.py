"""Reading any spreadsheet a clerk sends back (.xlsx, .xls, .ods) into plain grids of values.

The format is recognised from the file's content, not its name: villages rename files,
save .xls as .xlsx, or send a Word file by mistake. Every format goes through python-calamine
(one maintained reader, no office suite at run time, ~15x faster than openpyxl on our forms);
an .xlsx goes through openpyxl (read-only, cached values) instead whenever calamine's values
could differ from what openpyxl, the reference for .xlsx, would give: cells addressed past
the limits, error cells, `_xHHHH_` escapes, very large integers, chart or macro sheets.
openpyxl is also what finds formulas never calculated, only when ingest asks.

Reading is bounded (`pipeline.common.limits`): a file too large, a zip that expands too far, too
many sheets, or a sheet reaching past the rows or columns a form could hold is refused
before it is read, naming the sheet. Cells right of the column limit in a sheet that
declares a smaller size are never looked at: no form puts anything there.
"""

from __future__ import annotations

import io
import math
import re
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from xml.parsers import expat

from pipeline.common import limits
from pipeline.common.errors import Problem
from pipeline.common.vnformat import nfc
from pipeline.files.zipguard import ArchiveProblem, check_archive

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
# Values openpyxl and calamine would read differently: escaped characters, cached errors.
_DIFFERENT = re.compile(rb"_x[0-9A-Fa-f]{4}_|\bt=[\"']e[\"']")
_EXACT_FLOAT = 2**53  # above this an integral float may not be the integer the file holds

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted (password-protected) .xlsx is an OLE container holding these streams.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_WORD = "WordDocument".encode("utf-16-le")


class ReadProblem(Exception):
    """A file that cannot be read as a spreadsheet: the Problem (worded by the catalogue,
    not yet located in a file) and the sheet it is about, if one."""

    def __init__(self, problem: Problem, sheet: str | None = None) -> None:
        super().__init__(problem.message)
        self.code = problem.code
        self.message = problem.message
        self.hint = problem.hint
        self.sheet = sheet


@dataclass
class Grid:
    """One sheet: its values by 0-based (row, column), and where formulas lack a value."""

    name: str
    rows: list[list[Any]]
    _formulas: Callable[[], set[tuple[int, int]]] | None = field(default=None, repr=False)
    _formula_cache: set[tuple[int, int]] | None = field(default=None, repr=False)

    def value(self, row: int, col: int) -> Any:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def is_formula(self, row: int, col: int) -> bool:
        """Whether an empty-looking cell is really a formula never calculated."""
        if self._formulas is None:
            return False
        if self._formula_cache is None:
            self._formula_cache = self._formulas()
        return (row, col) in self._formula_cache


def is_xlsx(data: bytes) -> bool:
    """Whether the bytes are an Office Open XML workbook (what openpyxl can edit)."""
    if not data.startswith(_ZIP_MAGIC):
        return False
    try:
        return "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def read_book(data: bytes) -> list[Grid]:
    """The sheets of a spreadsheet file's bytes; raise ReadProblem when it is not readable."""
    if len(data) > limits.MAX_WORKBOOK_BYTES:
        raise too_big_file(len(data))
    if data.startswith(_ZIP_MAGIC):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            names = set(archive.namelist())
            check_archive(data, archive)
        except ArchiveProblem as exc:
            raise _too_big_archive() if exc.kind == "too-big" else _corrupt() from exc
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise _corrupt() from exc
        if "xl/workbook.xml" in names:
            return _read_xlsx(data, archive, names)
        if "content.xml" in names and b"opendocument.spreadsheet" in data[:200]:
            _check_ods_extent(archive.read("content.xml"))
            return _read_calamine(data)
        raise _not_spreadsheet()
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED in data:
            raise _protected()
        if _WORD in data:
            raise _not_spreadsheet()
        return _read_calamine(data)
    raise _not_spreadsheet()


def _corrupt() -> ReadProblem:
    return ReadProblem(Problem.of("khong-doc-duoc", variant="hong"))


def too_big_file(size: int) -> ReadProblem:
    return ReadProblem(
        Problem.of(
            "tep-qua-lon",
            variant="bieu",
            hint="xóa hình ảnh, trang thừa khỏi tệp rồi lưu lại, hoặc tạo lại biểu bằng "
            "hoso forms.",
            size_mb=size // (1024 * 1024),
            max_mb=limits.MAX_WORKBOOK_BYTES // (1024 * 1024),
        )
    )


def _too_big_archive() -> ReadProblem:
    return ReadProblem(
        Problem.of(
            "tep-qua-lon",
            variant="giai-nen",
            hint="mở tệp bằng Excel hoặc LibreOffice, chép các ô số liệu sang biểu mới tạo bằng "
            "hoso forms rồi lưu lại; nếu không mở được, xin thôn gửi lại tệp.",
        )
    )


def _too_many_sheets(count: int) -> ReadProblem:
    return ReadProblem(Problem.of("qua-nhieu-trang", count=count, max_sheets=limits.MAX_SHEETS))


def _too_large_sheet(title: str, rows: int, columns: int) -> ReadProblem:
    return ReadProblem(
        Problem.of(
            "trang-qua-lon",
            rows=rows,
            columns=columns,
            max_rows=limits.MAX_SHEET_ROWS,
            max_columns=limits.MAX_SHEET_COLUMNS,
            last_column=column_letter(limits.MAX_SHEET_COLUMNS),
        ),
        sheet=nfc(title),
    )


def _not_spreadsheet() -> ReadProblem:
    return ReadProblem(Problem.of("khong-phai-bang-tinh"))


def _protected() -> ReadProblem:
    return ReadProblem(Problem.of("co-mat-khau"))


def column_letter(column: int) -> str:
    """The letters of a 1-based column number: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_xlsx(data: bytes, archive: zipfile.ZipFile, names: set[str]) -> list[Grid]:
    grids = _calamine_xlsx(data, archive, names)
    if grids is None:
        return _read_openpyxl(data)
    formulas = _formula_finder(data)
    for grid in grids:
        grid._formulas = lambda t=grid.name: formulas(t)
    return grids


def _calamine_xlsx(data: bytes, archive: zipfile.ZipFile, names: set[str]) -> list[Grid] | None:
    """The sheets through calamine, or None when openpyxl must read this file (see above)."""
    if any(n.startswith(("xl/chartsheets/", "xl/macrosheets/", "xl/dialogsheets/")) for n in names):
        return None
    try:
        for name in names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                content = archive.read(name)
                if _DIFFERENT.search(content) or not _xlsx_within_limits(content):
                    return None
            elif name == "xl/sharedStrings.xml" and _DIFFERENT.search(archive.read(name)):
                return None
        grids = _read_calamine(data)
    except Exception:  # openpyxl gives the reference answer, or the reference error
        return None
    return grids if all(_as_openpyxl(grid) for grid in grids) else None


def _as_openpyxl(grid: Grid) -> bool:
    """Make calamine's values of an .xlsx sheet those openpyxl gives; False when that cannot
    be known (an integral float too large to say which integer the file holds, NaN, inf)."""
    for row in grid.rows:
        for i, value in enumerate(row):
            if isinstance(value, float):
                if value.is_integer() and abs(value) < _EXACT_FLOAT:
                    row[i] = int(value)  # openpyxl reads "12" as the integer 12
                elif value.is_integer() or not math.isfinite(value):
                    return False
            elif isinstance(value, date) and not isinstance(value, datetime):
                row[i] = datetime.combine(value, time())  # openpyxl's dates are datetimes
    return True


def _xlsx_within_limits(content: bytes) -> bool:
    """Whether every cell a worksheet part addresses (and its declared size) lies within the
    limits: calamine builds the whole rectangle up to the farthest cell in memory."""
    state = {"row": 0, "col": 0, "ok": 1}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _MAIN_NS + "row":
            row = attrs.get("r", "")
            state["row"] = int(row) if row.isdigit() and len(row) < 10 else state["row"] + 1
            state["col"] = 0
        elif tag == _MAIN_NS + "c":
            ref = _cell_ref(attrs.get("r", ""))
            if ref is not None:
                state["row"], state["col"] = ref
            else:
                state["col"] += 1
        elif tag == _MAIN_NS + "dimension":
            last = _cell_ref(attrs.get("ref", "").rpartition(":")[2])
            if last is None:
                return
            state["row"], state["col"] = last
        else:
            return
        if state["row"] > limits.MAX_SHEET_ROWS or state["col"] > limits.MAX_SHEET_COLUMNS:
            state["ok"] = 0
            raise _OutOfLimits

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        parser.Parse(content, True)
    except (_OutOfLimits, expat.ExpatError):
        return False
    return bool(state["ok"])


class _OutOfLimits(Exception):
    pass


_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d{1,7})")


def _cell_ref(text: str) -> tuple[int, int] | None:
    """(row, column), both 1-based, of a cell reference such as "D12"."""
    match = _REF.fullmatch(text)
    if match is None:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _load_openpyxl(data: bytes, *, data_only: bool) -> Any:
    import openpyxl  # only for the files calamine cannot be trusted with, and formulas

    # openpyxl warns about workbook features it drops while reading (data validation
    # extensions, unknown styles or conditional formats written by Excel/WPS); ingest
    # only needs values, so those warnings say nothing to a clerk.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _read_openpyxl(data: bytes) -> list[Grid]:
    try:
        with long_integers():
            sheets = _openpyxl_rows(_load_openpyxl(data, data_only=True))
    except ReadProblem:
        raise
    except Exception as exc:  # any parser failure is one unreadable file, not a crash
        raise _corrupt() from exc
    formulas = _formula_finder(data)
    return [
        Grid(name, rows, _formulas=lambda t=name: formulas(t))  # type: ignore[misc]
        for name, rows in ((nfc(title), rows) for title, rows in sheets)
    ]


def _openpyxl_rows(book: Any) -> list[tuple[str, list[list[Any]]]]:
    if len(book.worksheets) > limits.MAX_SHEETS:
        raise _too_many_sheets(len(book.worksheets))
    sheets = []
    for ws in book.worksheets:
        title = str(ws.title)
        # The sheet's <dimension> is not trusted either way: a wrong one (common in files
        # from other tools) would cut rows off, or refuse 35 x 5 cells that claim
        # A1:XFD1048576. The cells are read as they are, each row as far as its last cell
        # (at most column XFD), and refused past the limits as they stream.
        ws.reset_dimensions()
        rows = ws.iter_rows(values_only=True)
        sheets.append((title, _bounded_rows(title, rows)))
    book.close()
    return sheets


def _formula_finder(data: bytes) -> Callable[[str], set[tuple[int, int]]]:
    """The cells of a sheet (by its NFC title) holding a formula, read once on first use."""
    formulas_cache: dict[str, set[tuple[int, int]]] = {}

    def formulas_of(title: str) -> set[tuple[int, int]]:
        if not formulas_cache:
            try:
                with long_integers():
                    found = _openpyxl_rows(_load_openpyxl(data, data_only=False))
                for name, rows in found:
                    formulas_cache[nfc(name)] = {
                        (r, c)
                        for r, row in enumerate(rows)
                        for c, v in enumerate(row)
                        if isinstance(v, str) and v.startswith("=")
                    }
            except Exception:  # the values were readable; a failed second look finds nothing
                formulas_cache[""] = set()
        return formulas_cache.get(title, set())

    return formulas_of


@contextmanager
def long_integers() -> Iterator[None]:
    """Let a number cell of a few thousand digits be read, so ingest can say which cell is
    wrong; Python refuses more than 4300 by default (its guard against slow conversion)."""
    previous = sys.get_int_max_str_digits()
    if previous:
        sys.set_int_max_str_digits(max(previous, limits.MAX_CELL_DIGITS))
    try:
        yield
    finally:
        sys.set_int_max_str_digits(previous)


def _bounded_rows(title: str, rows: Iterable[Iterable[Any]]) -> list[list[Any]]:
    """The rows of a sheet without their trailing empty cells; refused past the row limit."""
    kept: list[list[Any]] = []
    for count, row in enumerate(rows, start=1):
        if count > limits.MAX_SHEET_ROWS:
            raise _too_large_sheet(title, count, limits.MAX_SHEET_COLUMNS)
        values = list(row)
        while values and values[-1] in (None, ""):
            values.pop()
        if len(values) > limits.MAX_SHEET_COLUMNS:
            raise _too_large_sheet(title, count, len(values))
        kept.append(values)
    while kept and not kept[-1]:
        kept.pop()
    return kept


def _check_ods_extent(content: bytes) -> None:
    """Refuse an .ods sheet whose filled cells reach past the limits, before calamine expands
    its repeated rows and cells (one short element may stand for millions of cells)."""
    ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
    state = {"row": 0, "col": 0, "rows": 0, "cols": 0, "row_repeat": 1, "depth": 0}
    cell: dict[str, int] = {}
    title = [""]

    def repeat(attrs: dict[str, str], name: str) -> int:
        text = attrs.get(ns + name, "1")
        return int(text) if text.isdigit() and len(text) < 10 else 1

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == ns + "table":
            state["depth"] += 1
            if state["depth"] == 1:
                title[0] = attrs.get(ns + "name", "")
                state.update(row=0, rows=0, cols=0)
        elif state["depth"] != 1:
            return
        elif tag == ns + "table-row":
            state.update(col=0, row_repeat=repeat(attrs, "number-rows-repeated"))
        elif tag in (ns + "table-cell", ns + "covered-table-cell"):
            filled = any(k.endswith(" value-type") for k in attrs)
            cell.update(repeat=repeat(attrs, "number-columns-repeated"), filled=int(filled))
        elif cell:
            cell["filled"] = 1  # a paragraph or anything else inside the cell

    def end(tag: str) -> None:
        if tag == ns + "table":
            state["depth"] -= 1
            if state["depth"] == 0 and (
                state["rows"] > limits.MAX_SHEET_ROWS or state["cols"] > limits.MAX_SHEET_COLUMNS
            ):
                raise _too_large_sheet(title[0], state["rows"], state["cols"])
        elif state["depth"] != 1:
            return
        elif tag in (ns + "table-cell", ns + "covered-table-cell") and cell:
            if cell["filled"]:
                state["cols"] = max(state["cols"], state["col"] + cell["repeat"])
                state["rows"] = max(state["rows"], state["row"] + state["row_repeat"])
            state["col"] += cell["repeat"]
            cell.clear()
        elif tag == ns + "table-row":
            state["row"] += state["row_repeat"]

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise _corrupt() from exc


def _read_calamine(data: bytes) -> list[Grid]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if len(book.sheet_names) > limits.MAX_SHEETS:
            raise _too_many_sheets(len(book.sheet_names))
        grids = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows_to, cols_to = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
            if rows_to > limits.MAX_SHEET_ROWS or cols_to > limits.MAX_SHEET_COLUMNS:
                raise _too_large_sheet(name, rows_to, cols_to)
            rows = _bounded_rows(name, sheet.to_python(skip_empty_area=False))
            grids.append(Grid(nfc(name), rows))
        book.close()
    except ReadProblem:
        raise
    except python_calamine.PasswordError as exc:
        raise _protected() from exc
    except Exception as exc:  # any parser failure is one unreadable file, not a crash
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _protected() from exc
        raise _corrupt() from exc
    return grids
