"""Reading any spreadsheet a clerk sends back (.xlsx, .xls, .ods) into plain grids of values.

The format is recognised from the file's content, not its name: villages rename files,
save .xls as .xlsx, or send a Word file by mistake. .xlsx goes through openpyxl (read-only,
cached values); .xls and .ods through python-calamine, one maintained reader for both,
so no office suite is needed at run time.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import python_calamine

from pipeline.vnformat import nfc

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted (password-protected) .xlsx is an OLE container holding these streams.
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_WORD = "WordDocument".encode("utf-16-le")


class ReadProblem(Exception):
    """A file that cannot be read as a spreadsheet; `code` is the Problem code."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


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
    if data.startswith(_ZIP_MAGIC):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError) as exc:
            raise _corrupt() from exc
        if "xl/workbook.xml" in names:
            return _read_openpyxl(data)
        if "content.xml" in names and b"opendocument.spreadsheet" in data[:200]:
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
    return ReadProblem(
        "khong-doc-duoc",
        "tệp bị hỏng, không đọc được",
        "mở tệp bằng Excel hoặc LibreOffice, lưu lại dưới dạng .xlsx rồi chạy lại; "
        "nếu không mở được, xin nơi lập biểu gửi lại tệp.",
    )


def _not_spreadsheet() -> ReadProblem:
    return ReadProblem(
        "khong-phai-bang-tinh",
        "không phải tệp bảng tính Excel/LibreOffice",
        "chỉ đặt tệp .xlsx, .xls hoặc .ods vào đây; chuyển tệp khác ra khỏi thư mục.",
    )


def _protected() -> ReadProblem:
    return ReadProblem(
        "co-mat-khau",
        "tệp được đặt mật khẩu mở, không đọc được",
        "mở tệp bằng mật khẩu, bỏ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc) rồi lưu lại.",
    )


def _read_openpyxl(data: bytes) -> list[Grid]:
    def load(*, data_only: bool) -> Any:
        # openpyxl warns about workbook features it drops while reading (data validation
        # extensions, unknown styles or conditional formats written by Excel/WPS); ingest
        # only needs values, so those warnings say nothing to a clerk.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)

    def rows_of(book: Any) -> list[tuple[str, list[list[Any]]]]:
        sheets = []
        for ws in book.worksheets:
            # A wrong <dimension> (common in files from other tools) would cut rows off.
            ws.reset_dimensions()
            sheets.append((str(ws.title), [list(r) for r in ws.iter_rows(values_only=True)]))
        book.close()
        return sheets

    try:
        sheets = rows_of(load(data_only=True))
    except Exception as exc:  # any parser failure is one unreadable file, not a crash
        raise _corrupt() from exc

    formulas_cache: dict[str, set[tuple[int, int]]] = {}

    def formulas_of(title: str) -> set[tuple[int, int]]:
        if not formulas_cache:
            try:
                for name, rows in rows_of(load(data_only=False)):
                    formulas_cache[name] = {
                        (r, c)
                        for r, row in enumerate(rows)
                        for c, v in enumerate(row)
                        if isinstance(v, str) and v.startswith("=")
                    }
            except Exception:  # the values were readable; a failed second look finds nothing
                formulas_cache[""] = set()
        return formulas_cache.get(title, set())

    return [
        Grid(nfc(title), rows, _formulas=lambda t=title: formulas_of(t))  # type: ignore[misc]
        for title, rows in sheets
    ]


def _read_calamine(data: bytes) -> list[Grid]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            rows = [list(r) for r in sheet.to_python(skip_empty_area=False)]
            grids.append(Grid(nfc(name), rows))
        book.close()
    except python_calamine.PasswordError as exc:
        raise _protected() from exc
    except Exception as exc:  # any parser failure is one unreadable file, not a crash
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _protected() from exc
        raise _corrupt() from exc
    return grids
