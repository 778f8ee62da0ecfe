"""`hoso forms`: the blank data-entry workbooks sent to villages and to the commune sectors.

The layout here is what `ingest` reads back: indicator codes in column A, the value in the
column headed `Số liệu`, and a title block whose labelled cells name the commune, village and
year in the unit's words (`Xã:`, `Thôn:`, `Năm:` for a commune; `Phường:`, `Tổ dân phố:` for a
ward), so a workbook can be renamed freely.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.vnformat import EXCEL_WHOLE, nfc, upper
from pipeline.files.atomic import workbook_bytes
from pipeline.files.outputset import Folder, locked
from pipeline.files.sheets import SPREADSHEET_SUFFIXES, ReadProblem, read_book
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import Indicator, Level, for_level
from pipeline.model.layout import (
    CARRIED_HEADER,
    COMMUNE_STEM,
    DATA_SHEET,
    HELP_SHEET,
    LABEL_NAM,
    NO,
    VALUE_HEADER,
    VILLAGE_FOLDER,
    YES,
    form_time,
    slug,
    unit_label,
    village_label,
)
from pipeline.model.profile import Profile
from pipeline.model.units import Words

if TYPE_CHECKING:  # openpyxl is loaded only to write forms: ingest reads them without it
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

# What `hoso forms` needs of hoso.toml: the forms go out before the council is named.
PROFILE_SECTIONS = ("don_vi",)

_HEADERS = ("Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", VALUE_HEADER, "Ghi chú")
_WIDTHS = (26, 58, 11, 14, 26)
_HEADER_ROW = 7
_FONT = "Times New Roman"


@cache
def _styles() -> tuple[Any, Any, Any]:
    """The cell border, the input fill and the heading fill."""
    from openpyxl.styles import Border, PatternFill, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    return box, PatternFill("solid", fgColor="FFF9E5"), PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Written:
    path: Path
    backup: Path | None = None


@dataclass(frozen=True)
class FormsResult:
    """The workbooks written, and the words of the unit they were made for."""

    written: list[Written]
    words: Words
    # Old villages of last year's dossiers mapped to no new one (hoso init --tu), and how
    # many previous-period figures were filled in from those dossiers.
    unmapped: list[str] = field(default_factory=list)
    prefilled: int = 0


def form_title(words: Words, year: int, *, village: bool) -> str:
    """ "BIỂU SỐ LIỆU CỦA TỔ DÂN PHỐ ĐÁNH GIÁ PHƯỜNG PHÙ HỢP VỚI TRẺ EM NĂM 2026"; the
    commune's form is named by the law's level ("CẤP XÃ") for every kind of commune."""
    whose = f"CỦA {upper(words.cap_thon)}" if village else "CẤP XÃ"
    return f"BIỂU SỐ LIỆU {whose} ĐÁNH GIÁ {upper(words.cap)} PHÙ HỢP VỚI TRẺ EM NĂM {year}"


def village_form(profile: Profile, village: str) -> Workbook:
    """The blank workbook of one village."""
    return _workbook(profile, "thon", village)


def commune_form(profile: Profile) -> Workbook:
    """The blank commune-level workbook (filled by the commune's sectors)."""
    return _workbook(profile, "xa", None)


def value_rows(ws: Worksheet) -> dict[str, int]:
    """Row number of each indicator code in a form sheet (column A)."""
    return {
        code: row
        for row, (code,) in enumerate(ws.iter_rows(max_col=1, values_only=True), start=1)
        if isinstance(code, str)
    }


def fill_figures(book: Workbook, figures: dict[str, Any], *, as_text: bool = False) -> None:
    """Type `figures` (code -> value) into a form as a village clerk would; `as_text`: the
    habits ingest accepts (numbers stored as text with stray spaces, "có"/"không")."""
    ws = book[DATA_SHEET]
    rows = value_rows(ws)
    for code, value in figures.items():
        typed: Any = value
        if isinstance(value, bool):
            typed = ("có" if as_text else "Có") if value else ("không" if as_text else "Không")
        elif as_text:
            typed = f" {value} "
        ws.cell(rows[code], 4).value = typed


def write_forms(
    dossier: Dossier, *, force: bool = False, progress: Callable[[Path], None] | None = None
) -> FormsResult:
    """Write `thon/<slug>.xlsx` per profile village and `xa.xlsx`; only `[don_vi]` of
    hoso.toml is needed.

    A workbook that already holds figures is never overwritten: the whole run is refused,
    or with `force` the old file is first copied to `<name>.sao-luu-N<ext>`.
    """
    folder = dossier.folder
    profile = dossier.profile(sections=PROFILE_SECTIONS)
    jobs, prefill = _forms(dossier, profile)
    # One run at a time: a second `forms --force` must see the first one's blank forms, not
    # back up the same filled ones again (or a blank form the first has just written).
    with locked(folder, sweep=(VILLAGE_FOLDER,)) as target:
        written = _replace_forms(target, profile, jobs, force=force)
    if progress:
        for item in written:
            progress(item.path)
    if prefill is None:
        return FormsResult(written, profile.don_vi.words)
    return FormsResult(written, profile.don_vi.words, prefill.unmapped, prefill.count)


def _forms(dossier: Dossier, profile: Profile) -> tuple[list[tuple[Path, Workbook]], Any]:
    """Each blank form and where it goes: `thon/<slug>.xlsx` per village, then `xa.xlsx`;
    with last year's figures filled in where `hoso init --tu` carried them (its prefill)."""
    folder = dossier.folder
    jobs: list[tuple[Path, Workbook]] = [
        (folder / VILLAGE_FOLDER / f"{slug(v)}.xlsx", village_form(profile, v))
        for v in profile.don_vi.thon
    ]
    jobs.append((folder / f"{COMMUNE_STEM}.xlsx", commune_form(profile)))
    # --- previous-period figures from last year's dossiers (stages/carry.py) ---
    from pipeline.stages import carry

    prefill = carry.previous_figures(folder, profile)
    if prefill is not None:
        for village, (_, book) in zip(profile.don_vi.thon, jobs, strict=False):
            carry.fill_form(book, prefill.for_village(village))
        carry.note_unmapped(jobs[-1][1], prefill.unmapped)
    # --- end of previous-period figures ---
    return jobs, prefill


def blank_forms(dossier: Dossier) -> list[tuple[str, bytes]]:
    """The blank forms as `write_forms` would write them, made in memory (path inside the
    dossier, bytes): to send again when the dossier already holds returned workbooks, which
    stay as they are."""
    profile = dossier.profile(sections=PROFILE_SECTIONS)
    jobs, _ = _forms(dossier, profile)
    when = form_time(profile)
    folder = dossier.folder
    return [
        (path.relative_to(folder).as_posix(), workbook_bytes(book, when)) for path, book in jobs
    ]


def _replace_forms(
    target: Folder, profile: Profile, jobs: list[tuple[Path, Workbook]], *, force: bool
) -> list[Written]:
    folder = target.path
    problems: list[Problem] = []
    keep: dict[Path, list[Path]] = {}
    for path, _ in jobs:
        filled = [p for p in same_stem(path) if _has_data(p)]
        if filled and not force:
            problems += [Problem.of("da-co-so-lieu", file=str(p)) for p in filled]
        keep[path] = filled
    if problems:
        raise InputError(problems)

    written = []
    when = form_time(profile)
    files: list[tuple[str, bytes]] = []
    gone: list[str] = []
    for path, book in jobs:
        backup = None
        for old in keep[path]:
            backup = _backup(old)
            if old != path:
                gone.append(old.relative_to(folder).as_posix())
        files.append((path.relative_to(folder).as_posix(), workbook_bytes(book, when)))
        written.append(Written(path, backup))
    # All forms replace the old ones at once; only figures already backed up are dropped.
    target.publish(files, remove=gone)
    return written


def same_stem(path: Path) -> list[Path]:
    """The workbooks of the same name in every spreadsheet format (na-cay.xlsx, na-cay.xls…)."""
    return [p for p in (path.with_suffix(s) for s in SPREADSHEET_SUFFIXES) if p.is_file()]


def _has_data(path: Path) -> bool:
    """Whether any value cell of a workbook is filled; unreadable counts as filled."""
    try:
        grids = read_book(path.read_bytes())
    except ReadProblem:
        return True
    except OSError as exc:
        raise EnvironmentProblem.unreadable(path, exc) from exc
    for grid in grids:
        header = next(
            (
                (r, c)
                for r, row in enumerate(grid.rows)
                for c, v in enumerate(row)
                if isinstance(v, str) and nfc(v).strip() == VALUE_HEADER
            ),
            None,
        )
        if header is None:
            continue
        first, col = header
        # A figure still as filled in from last year's dossier is not the village's data.
        carried = next((c for c, v in enumerate(grid.rows[first]) if v == CARRIED_HEADER), None)
        for row in grid.rows[first + 1 :]:
            code, value = (row[0] if row else None), (row[col] if col < len(row) else None)
            if carried is not None and carried < len(row) and row[carried] == value:
                continue
            if isinstance(code, str) and code.strip() and value not in (None, ""):
                return True
    return False


def backup_name(path: Path) -> Path:
    """`<stem>.sao-luu-N<suffix>`, the first free one: ingest skips these copies."""
    n = 1
    while (target := path.with_name(f"{path.stem}.sao-luu-{n}{path.suffix}")).exists():
        n += 1
    return target


def _backup(path: Path) -> Path:
    target = backup_name(path)
    try:
        shutil.copy2(path, target)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không sao lưu được {path}: {exc.strerror}", "kiểm tra quyền ghi của thư mục."
        ) from exc
    return target


# --- layout ------------------------------------------------------------------------------


def _workbook(profile: Profile, level: Level, village: str | None) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Protection

    box, input_fill, head_fill = _styles()
    unit = profile.don_vi
    words = unit.words
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = DATA_SHEET
    ws.sheet_view.showGridLines = False
    for i, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + i)].width = width

    title = form_title(words, unit.nam, village=village is not None)
    _merged(ws, 1, title, bold=True, size=14)
    _merged(ws, 2, "(theo Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ)")
    block: list[tuple[str, Any]] = [(unit_label(words), unit.xa)]
    if village:
        block.append((village_label(words), village))
    block.append((LABEL_NAM, unit.nam))
    for offset, (label, value) in enumerate(block):
        _cell(ws, 3 + offset, 1, label, bold=True)
        cell = _cell(ws, 3 + offset, 2, value, bold=True)
        cell.alignment = Alignment(horizontal="left")

    for col, text in enumerate(_HEADERS, start=1):
        cell = _cell(ws, _HEADER_ROW, col, text, bold=True)
        cell.fill = head_fill
        cell.border = box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    indicators = for_level(level)
    for row, ind in enumerate(indicators, start=_HEADER_ROW + 1):
        _cell(ws, row, 1, ind.code, size=9, color="595959")
        _cell(ws, row, 2, ind.label_in(words), wrap=True)
        _cell(ws, row, 3, ind.unit)
        value = _cell(ws, row, 4, None)
        value.fill = input_fill
        value.protection = Protection(locked=False)
        value.alignment = Alignment(horizontal="right" if ind.kind != "yes_no" else "center")
        if ind.kind == "amount":
            value.number_format = EXCEL_WHOLE
        note = _cell(ws, row, 5, None, wrap=True)
        note.protection = Protection(locked=False)
        for col in range(1, 6):
            ws.cell(row, col).border = box
        ws.add_data_validation(_validation(ind, f"D{row}", words))

    last = _HEADER_ROW + len(indicators)
    who = words.truong_thon if village else "Công chức Văn hóa - Xã hội"
    _cell(ws, last + 2, 2, "Người lập biểu", bold=True).alignment = Alignment(horizontal="center")
    _cell(ws, last + 2, 4, who, bold=True)
    _cell(ws, last + 3, 2, "(ký, ghi rõ họ tên)", italic=True).alignment = Alignment(
        horizontal="center"
    )

    # Labels and codes are locked; only the value and note cells accept typing. No
    # password: a clerk who must fix a label can unprotect from the Review menu.
    ws.protection.sheet = True
    ws.freeze_panes = f"A{_HEADER_ROW + 1}"
    _print_setup(ws, f"A1:E{last + 3}")
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"

    _help_sheet(book.create_sheet(HELP_SHEET), indicators, words, village)
    book.active = 0
    return book


def _validation(ind: Indicator, ref: str, words: Words) -> DataValidation:
    from openpyxl.worksheet.datavalidation import DataValidation

    if ind.kind == "yes_no":
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        error = f"Chọn {YES} hoặc {NO} trong danh sách."
    else:
        dv = DataValidation(
            type="whole" if ind.kind == "count" else "decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
        )
        error = (
            "Nhập một số nguyên từ 0 trở lên, không kèm chữ."
            if ind.kind == "count"
            else "Nhập số tiền (đồng) từ 0 trở lên, chỉ gõ chữ số."
        )
    dv.showErrorMessage = True
    dv.errorStyle = "stop"
    dv.errorTitle = "Số liệu không hợp lệ"
    dv.error = error
    dv.showInputMessage = True
    # Excel limits an input message to a 32-character title and 255 characters of text.
    dv.promptTitle = ind.label_in(words)[:32]
    dv.prompt = ind.form_help_in(words)[:255]
    dv.add(ref)
    return dv


def _help_sheet(
    ws: Worksheet, indicators: list[Indicator], words: Words, village: str | None
) -> None:
    box, _, head_fill = _styles()
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 60
    who = words.cap_thon if village else words.cap
    # The cells at the top of this form: the commune's own has no village cell.
    heads = (
        (unit_label(words), village_label(words), LABEL_NAM)
        if village
        else (unit_label(words), LABEL_NAM)
    )
    cells = ", ".join(heads).replace(":", "")
    lines = [
        "HƯỚNG DẪN ĐIỀN BIỂU",
        f"1. Điền số liệu của {who} vào cột «{VALUE_HEADER}» (ô nền vàng) ở trang «{DATA_SHEET}».",
        "2. Số đếm ghi số nguyên, không kèm chữ (ghi 12, không ghi «12 trẻ»); không có thì ghi 0,"
        " không để trống.",
        f"3. Các ô Có/Không: chọn «{YES}» hoặc «{NO}» trong danh sách.",
        "4. Số «trong đó» không được lớn hơn số tổng tương ứng (ví dụ số trẻ được tiêm chủng"
        " đầy đủ không lớn hơn số trẻ dưới 1 tuổi).",
        f"5. Không sửa, không xóa cột mã chỉ tiêu (cột A) và các ô {cells} ở đầu biểu;"
        " có thể đổi tên tệp.",
        "6. Lưu tệp (Excel .xlsx, .xls hoặc LibreOffice .ods) và gửi lại công chức"
        " Văn hóa - Xã hội.",
        "",
    ]
    for row, text in enumerate(lines, start=1):
        _cell(ws, row, 1, text or None, bold=row == 1, size=14 if row == 1 else 12)
    head = len(lines) + 1
    for col, text in enumerate(("Chỉ tiêu", "Cách ghi"), start=1):
        cell = _cell(ws, head, col, text, bold=True)
        cell.fill = head_fill
        cell.border = box
    for row, ind in enumerate(indicators, start=head + 1):
        _cell(ws, row, 1, ind.label_in(words), wrap=True).border = box
        _cell(ws, row, 2, ind.form_help_in(words), wrap=True).border = box
    ws.protection.sheet = True
    _print_setup(ws, f"A1:B{head + len(indicators)}")


def _print_setup(ws: Worksheet, area: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.print_area = area


def _merged(ws: Worksheet, row: int, text: str, *, bold: bool = False, size: int = 12) -> None:
    from openpyxl.styles import Alignment

    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_HEADERS))
    cell = _cell(ws, row, 1, text, bold=bold, size=size, italic=not bold)
    cell.alignment = Alignment(horizontal="center")


def _cell(
    ws: Worksheet,
    row: int,
    col: int,
    value: Any,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 12,
    color: str = "000000",
    wrap: bool = False,
) -> Any:
    from openpyxl.styles import Alignment, Font

    cell = ws.cell(row, col, value)
    cell.font = Font(name=_FONT, size=size, bold=bold, italic=italic, color=color)
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell
