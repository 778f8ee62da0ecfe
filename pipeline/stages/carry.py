"""Next year's dossier from last year's: `hoso init DIR --tu LAST_DIR…` and the
previous-period figures `hoso forms` fills in.

`new_year` writes the new hoso.toml from the new year's commented template (so its comments
speak the new year's law), carrying over what `data/nam-moi.toml` lists from last year's
profile and leaving every number, date and free text blank. Beside it, `nam-truoc.xlsx` is a
plain table a clerk edits in Excel: the sheet "Hồ sơ năm trước" names last year's dossiers and
their output folders, the sheet "Ghép" maps every old village (old unit › old village) to a
new one. Several old dossiers become one merged unit that way: villages are matched by name,
a name found in two old units is left for the clerk to map, and nothing unmapped is dropped:
it is listed, with its figures.

`previous_figures` reads that table back for `hoso forms`: last year's data.json must be
current and scored (freshness.current_scoring); each new village's previous-period figures
(the indicators marked `ky_truoc` in indicators.toml) are the sums of its old villages'
figures of the period. `fill_form` types them into the blank form, with their source, and
`read_origins` lets ingest tell a figure kept from one typed over it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.common import limits
from pipeline.common.errors import EnvironmentProblem, InputError, Problem, did_you_mean
from pipeline.common.textcheck import text_problems
from pipeline.common.vnformat import nfc, place_key, upper_first, village_key
from pipeline.files.atomic import atomic_write, workbook_bytes
from pipeline.files.resources import load_data_toml
from pipeline.files.sheets import Grid, ReadProblem, read_book
from pipeline.model.dataset import DossierData, PreviousOrigin
from pipeline.model.documents import catalogue as paper_catalogue
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import catalogue, for_level
from pipeline.model.layout import (
    CARRIED_HEADER,
    CARRIED_SOURCE_HEADER,
    DATA_SHEET,
    HELP_SHEET,
    PREVIOUS_BOOK,
    VALUE_HEADER,
)
from pipeline.model.profile import PROFILE_NAME, Profile, Unit
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.model.units import (
    Words,
    default_village_level,
    period_of,
    split_province,
    strip_kind,
)
from pipeline.stages.freshness import current_scoring
from pipeline.stages.init import profile_text, write_profile

if TYPE_CHECKING:
    from openpyxl import Workbook

SOURCES_SHEET = "Hồ sơ năm trước"
MAP_SHEET = "Ghép"
_SOURCE_HEADS = ("Đơn vị cũ", "Năm", "Thư mục hồ sơ", "Thư mục kết quả")
_UNIT_HEAD = _SOURCE_HEADS[0]
_PREFILL_FILL = "E2EFDA"  # a filled-in value: light green, still editable


# --- the rules of carrying over (data/nam-moi.toml) ----------------------------------------


@dataclass(frozen=True)
class CarryRules:
    """The validated `data/nam-moi.toml`."""

    max_gap: int
    keep: tuple[str, ...]
    keep_same_law: tuple[str, ...]


@cache
def _template_keys() -> frozenset[str]:
    """The keys `hoso init` writes (a paper's key as `van_ban.*.<key>`), plus the legal
    grounds it leaves commented out: what nam-moi.toml may name."""
    import tomllib

    parsed = tomllib.loads(profile_text(xa="A", tinh="B", huyen="", nam=2026, loai="con_lai"))
    keys = {"van_ban.*.can_cu", "hoi_dong.thanh_vien"}
    for table, values in parsed.items():
        if table == "van_ban":
            keys |= {f"van_ban.*.{k}" for paper in values.values() for k in paper}
        elif isinstance(values, dict):
            keys |= {f"{table}.{k}" for k in values}
    return frozenset(keys)


def parse_rules(raw: dict[str, Any]) -> CarryRules:
    """Check a parsed nam-moi.toml; ValueError naming the bad entry."""
    gap = raw.get("nam_cach_toi_da")
    if isinstance(gap, bool) or not isinstance(gap, int) or not 1 <= gap <= 10:
        raise ValueError("nam-moi.toml: nam_cach_toi_da must be a whole number from 1 to 10")
    lists: list[tuple[str, ...]] = []
    for name in ("giu", "giu_cung_thoi_ky"):
        keys = raw.get(name)
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"nam-moi.toml: {name} must be a list of keys")
        for key in keys:
            parts = key.split(".")
            if parts[0] == "van_ban" and len(parts) == 3 and parts[1] != "*":
                if parts[1] not in paper_catalogue():
                    raise ValueError(f"nam-moi.toml: {name}: unknown paper in {key!r}")
                parts[1] = "*"
            # The unit itself is the code's (options, merges, the new law): not listed here.
            unit_key = parts[0] == "don_vi" and key != "don_vi.loai"
            if ".".join(parts) not in _template_keys() or unit_key:
                raise ValueError(f"nam-moi.toml: {name}: unknown key {key!r}")
        lists.append(tuple(keys))
    if set(lists[0]) & set(lists[1]):
        raise ValueError("nam-moi.toml: a key is listed in both giu and giu_cung_thoi_ky")
    return CarryRules(gap, lists[0], lists[1])


@cache
def rules() -> CarryRules:
    return parse_rules(load_data_toml("nam-moi.toml"))


def _pairs() -> list[tuple[str, str]]:
    """(this period's indicator, its previous-period twin) for the village indicators."""
    return [(ind.code, ind.previous) for ind in for_level("thon") if ind.previous is not None]


# --- last year's dossiers ------------------------------------------------------------------


@dataclass(frozen=True)
class LastYear:
    """One of last year's dossiers, scored and current."""

    folder: Path
    out: Path
    raw: dict[str, Any]  # its hoso.toml as parsed
    unit: Unit
    data: DossierData

    @property
    def label(self) -> str:
        """How the mapping names it: "xã Hòa An"."""
        return f"{self.unit.cap} {self.unit.xa}"

    @property
    def profile_file(self) -> str:
        return str(self.folder / PROFILE_NAME)

    def villages(self) -> list[str]:
        order = [v for v in self.unit.thon if v in self.data.villages]
        return order + [v for v in self.data.villages if v not in order]


def load_last(last: Dossier, problems: list[Problem]) -> LastYear | None:
    """Last year's dossier with its outputs, refused unless scored and current (problems are
    added, None returned)."""
    folder, out = last.folder, last.out
    try:
        profile = last.profile(sections=("don_vi",))
        scoring = current_scoring(last)
    except InputError as exc:
        problems += exc.problems
        return None
    if scoring is None:
        problems.append(Problem.of("chua-cham-diem", file=str(out / SCORECARD_NAME), folder=folder))
        return None
    return LastYear(folder, out, last.raw_profile(), profile.don_vi, scoring.data)


def _check_years(sources: list[LastYear], year: int, problems: list[Problem]) -> None:
    gap = rules().max_gap
    for s in sources:
        if not 0 < year - s.unit.nam <= gap:
            problems.append(
                Problem.of(
                    "nam-khong-noi-tiep",
                    file=s.profile_file,
                    field="don_vi.nam",
                    value=str(s.unit.nam),
                    nam=s.unit.nam,
                    year=year,
                    gap=gap,
                )
            )


# --- the mapping of old villages to new ones -----------------------------------------------


@dataclass(frozen=True)
class Mapped:
    """One row of the mapping: an old village of an old unit and the new village it joins
    ("" while not mapped)."""

    source: LastYear
    old: str
    new: str
    note: str = ""
    row: int = 0  # the row in the sheet (0 for a draft not yet written)


def draft_mapping(sources: list[LastYear]) -> list[Mapped]:
    """Every old village, mapped to the new village of the same name unless that name is in
    two old units (never merged silently: the clerk decides)."""
    owners: dict[str, list[str]] = {}
    for s in sources:
        for v in s.villages():
            owners.setdefault(village_key(v, (s.unit.cap_thon,)), []).append(s.label)
    rows: list[Mapped] = []
    for s in sources:
        for v in s.villages():
            others = [o for o in owners[village_key(v, (s.unit.cap_thon,))] if o != s.label]
            if others:
                note = f"cùng tên với {', '.join(others)}: ghi tên mới, hoso không tự gộp"
                rows.append(Mapped(s, v, "", note))
            else:
                rows.append(Mapped(s, v, v))
    return rows


def read_mapping(
    path: Path, sources: list[LastYear], problems: list[Problem]
) -> list[Mapped] | None:
    """The sheet "Ghép" of `path`, each row checked against last year's dossiers."""
    grid = _sheet(path, MAP_SHEET, problems)
    if grid is None:
        return None
    start = _header_row(grid)
    if start is None:
        problems.append(
            Problem.of("thieu-tieu-de", file=str(path), sheet=MAP_SHEET, unit_head=_UNIT_HEAD)
        )
        return None
    by_label = {place_key(s.label): s for s in sources}
    by_name = {place_key(s.unit.xa): s for s in sources}
    seen: dict[tuple[str, str], int] = {}
    rows: list[Mapped] = []
    for r in range(start + 1, len(grid.rows)):
        unit, old, new = (_text(grid.value(r, c)) for c in range(3))
        if not (unit or old or new):
            continue
        source = by_label.get(place_key(unit)) or by_name.get(place_key(unit))
        if source is None:
            guess = did_you_mean(unit, [s.label for s in sources])
            problems.append(
                Problem.of(
                    "don-vi-cu-la",
                    cell=f"A{r + 1}",
                    value=unit,
                    file=str(path),
                    sheet=MAP_SHEET,
                    hint=f"có phải «{guess}»?"
                    if guess
                    else "ghi một trong: " + ", ".join(f"«{s.label}»" for s in sources) + ".",
                )
            )
            continue
        kinds = (source.unit.cap_thon,)
        names = {village_key(v, kinds): v for v in source.villages()}
        found = names.get(village_key(old, kinds))
        if found is None:
            guess = did_you_mean(old, list(names.values()))
            problems.append(
                Problem.of(
                    "khong-co-trong-ho-so",
                    cell=f"B{r + 1}",
                    value=old,
                    file=str(path),
                    sheet=MAP_SHEET,
                    hint=f"có phải «{guess}»?"
                    if guess
                    else f"ghi đúng tên như trong don_vi.thon của {source.profile_file}.",
                    nam=source.unit.nam,
                    label=source.label,
                )
            )
            continue
        for p in text_problems(new, multiline=False):
            problems.append(
                Problem(
                    p.code,
                    p.message,
                    file=str(path),
                    sheet=MAP_SHEET,
                    cell=f"C{r + 1}",
                    value=p.shown,
                    hint=p.hint,
                )
            )
        twice = seen.get((source.label, found))
        if twice is not None:
            problems.append(
                Problem.of(
                    "ghep-hai-lan",
                    cell=f"B{r + 1}",
                    value=old,
                    file=str(path),
                    sheet=MAP_SHEET,
                    label=source.label,
                    found=found,
                    twice=twice,
                )
            )
            continue
        seen[(source.label, found)] = r + 1
        note = _text(grid.value(r, 3))
        rows.append(Mapped(source, found, " ".join(nfc(new).split()), note, row=r + 1))
    if len(rows) > limits.MAX_LIST_ITEMS:
        problems.append(
            Problem.of(
                "qua-nhieu",
                variant="dong",
                file=str(path),
                sheet=MAP_SHEET,
                hint="bớt các dòng thừa.",
                count=len(rows),
                max_list_items=limits.MAX_LIST_ITEMS,
            )
        )
    return rows


def unmapped(sources: list[LastYear], rows: list[Mapped]) -> list[tuple[LastYear, str]]:
    """Old villages whose figures go nowhere: left blank in the table, or not in it at all."""
    mapped = {(r.source.label, r.old) for r in rows if r.new}
    return [(s, v) for s in sources for v in s.villages() if (s.label, v) not in mapped]


def new_villages(rows: list[Mapped]) -> list[str]:
    """The new villages the mapping names, in the table's order, each once."""
    seen: dict[str, str] = {}
    for r in rows:
        if r.new:
            seen.setdefault(place_key(r.new), r.new)
    return list(seen.values())


# --- summing the previous-period figures ---------------------------------------------------


@dataclass(frozen=True)
class Carried:
    """A previous-period figure of a new village and where it came from."""

    value: int
    year: int
    parts: tuple[str, ...]  # "xã Hòa An › Tổ 1: 2 (thon/to-1.xlsx › Số liệu › D16)"

    @property
    def source(self) -> str:
        return f"Hồ sơ năm {self.year}: " + "; ".join(self.parts)


def sum_figures(rows: list[Mapped]) -> dict[str, dict[str, Carried]]:
    """New village (as the mapping writes it) -> previous-period code -> the sum of its old
    villages' figures of the period."""
    found: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    names: dict[str, str] = {}
    for r in rows:
        if not r.new:
            continue
        key = place_key(r.new)
        names.setdefault(key, r.new)
        values = r.source.data.villages.get(r.old, {})
        for code, previous in _pairs():
            value = values.get(code)
            if value is None or isinstance(value.value, bool | Decimal):
                continue
            where = ""
            if value.source is not None:
                s = value.source
                where = f" ({r.source.folder.name}/{s.file} › {s.sheet} › {s.cell})"
            part = f"{r.source.label} › {r.old}: {value.value}{where}"
            found.setdefault(key, {}).setdefault(previous, []).append(
                (value.value, r.source.unit.nam, part)
            )
    return {
        names[key]: {
            code: Carried(
                sum(v for v, _, _ in parts),
                max(y for _, y, _ in parts),
                tuple(p for _, _, p in parts),
            )
            for code, parts in codes.items()
        }
        for key, codes in found.items()
    }


def unmapped_lines(items: list[tuple[LastYear, str]]) -> list[str]:
    """Each unmapped old village with its figures of the period, so nothing is lost unseen."""
    lines = []
    for s, v in items:
        values = s.data.villages.get(v, {})
        words = s.unit.words
        figures = ", ".join(
            f"{catalogue()[code].label_in(words).lower()}: {values[code].value}"
            for code, _ in _pairs()
            if code in values
        )
        lines.append(f"{s.label} › {v} (năm {s.unit.nam}): {figures or 'không có số liệu'}")
    return lines


# --- the table nam-truoc.xlsx --------------------------------------------------------------


def _relative(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path.resolve())


def mapping_book(
    folder: Path, sources: list[LastYear], rows: list[Mapped], words: Words, year: int
) -> bytes:
    """nam-truoc.xlsx: last year's dossiers, and every old village with its new one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    head = PatternFill("solid", fgColor="DDEBF7")
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = MAP_SHEET
    heads = (
        _UNIT_HEAD,
        "Cấp dưới cũ",
        f"{upper_first(words.cap_thon)} mới (năm {year})",
        "Ghi chú",
    )
    for col, (text, width) in enumerate(zip(heads, (26, 26, 30, 60), strict=True), start=1):
        cell = ws.cell(1, col, text)
        cell.font, cell.fill = bold, head
        ws.column_dimensions[chr(64 + col)].width = width
    for row, m in enumerate(rows, start=2):
        for col, value in enumerate((m.source.label, m.old, m.new, m.note), start=1):
            _put(ws, row, col, value)
    ws.freeze_panes = "A2"
    src = book.create_sheet(SOURCES_SHEET)
    for col, (text, width) in enumerate(zip(_SOURCE_HEADS, (26, 8, 50, 50), strict=True), 1):
        cell = src.cell(1, col, text)
        cell.font, cell.fill = bold, head
        src.column_dimensions[chr(64 + col)].width = width
    for row, s in enumerate(sources, start=2):
        _put(src, row, 1, s.label)
        src.cell(row, 2, s.unit.nam)
        _put(src, row, 3, _relative(s.folder, folder))
        _put(src, row, 4, _relative(s.out, folder))
    return workbook_bytes(book, datetime(year, 1, 1))


def _put(ws: Any, row: int, col: int, text: str) -> None:
    """A text cell that stays text: a name typed "=…" must not become a formula."""
    if text:
        cell = ws.cell(row, col, text)
        cell.data_type = "s"


def _sheet(path: Path, name: str, problems: list[Problem]) -> Grid | None:
    try:
        grids = read_book(path.read_bytes())
    except ReadProblem as exc:
        problems.append(Problem(exc.code, exc.message, file=str(path), hint=exc.hint))
        return None
    except OSError as exc:
        raise EnvironmentProblem.unreadable(path, exc) from exc
    grid = next((g for g in grids if place_key(g.name) == place_key(name)), None)
    if grid is None:
        problems.append(Problem.of("thieu-trang", file=str(path), name=name))
    return grid


def _header_row(grid: Grid) -> int | None:
    return next(
        (r for r in range(len(grid.rows)) if place_key(_text(grid.value(r, 0))) == "đơn vị cũ"),
        None,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(nfc(str(value)).split())


def read_sources(folder: Path, path: Path, problems: list[Problem]) -> list[LastYear]:
    """The dossiers the sheet "Hồ sơ năm trước" names, each loaded (scored and current)."""
    grid = _sheet(path, SOURCES_SHEET, problems)
    if grid is None:
        return []
    start = _header_row(grid)
    sources: list[LastYear] = []
    for r in range((start or 0) + 1, len(grid.rows)):
        dossier, out = _text(grid.value(r, 2)), _text(grid.value(r, 3))
        if not dossier and not out:
            continue
        if not dossier or not out:
            problems.append(
                Problem.of(
                    "chua-dien",
                    variant="nguon-nam-truoc",
                    file=str(path),
                    sheet=SOURCES_SHEET,
                    cell=f"{'C' if not dossier else 'D'}{r + 1}",
                    hint="ghi đường dẫn (tính từ thư mục hồ sơ mới) như hoso đã ghi.",
                )
            )
            continue
        last = load_last(Dossier(folder / dossier, folder / out), problems)
        if last is not None:
            sources.append(last)
    return sources


# --- `hoso forms`: the previous-period figures --------------------------------------------


@dataclass(frozen=True)
class Prefill:
    """What `hoso forms` fills in: per new village, its previous-period figures."""

    figures: dict[str, dict[str, Carried]]
    unmapped: list[str]

    @property
    def count(self) -> int:
        return sum(len(codes) for codes in self.figures.values())

    def for_village(self, village: str) -> dict[str, Carried]:
        key = place_key(village)
        return next((f for name, f in self.figures.items() if place_key(name) == key), {})


def previous_figures(folder: Path, profile: Profile) -> Prefill | None:
    """The figures to fill in from last year's dossiers named in `folder/nam-truoc.xlsx`
    (None without that table); InputError listing every problem of the table."""
    path = folder / PREVIOUS_BOOK
    if not path.is_file():
        return None
    problems: list[Problem] = []
    sources = read_sources(folder, path, problems)
    if problems:
        # Last year's dossier moved or changed: say why the forms wait, and the way out.
        problems.append(Problem.of("nam-truoc-chua-dung-duoc", file=str(path), sheet=SOURCES_SHEET))
    _check_years(sources, profile.don_vi.nam, problems)
    rows = read_mapping(path, sources, problems) or []
    kinds = (profile.don_vi.cap_thon,)
    listed = {village_key(v, kinds) for v in profile.don_vi.thon}
    words = profile.don_vi.words
    for r in rows:
        if r.new and village_key(r.new, kinds) not in listed:
            problems.append(
                Problem.of(
                    "thon-moi-la",
                    file=str(path),
                    sheet=MAP_SHEET,
                    cell=f"C{r.row}",
                    value=r.new,
                    cap_thon=words.cap_thon,
                )
            )
    if problems:
        raise InputError(problems)
    # Figures are keyed by the profile's own spelling of each village.
    names = {village_key(v, kinds): v for v in profile.don_vi.thon}
    figures = {names[village_key(new, kinds)]: codes for new, codes in sum_figures(rows).items()}
    return Prefill(figures, unmapped_lines(unmapped(sources, rows)))


def fill_form(book: Workbook, figures: dict[str, Carried]) -> None:
    """Type the previous-period figures into a blank form as filled-in but editable values,
    the number and its source kept in two hidden columns, and the sources in the guide."""
    from openpyxl.styles import Alignment, Font, PatternFill

    if not figures:
        return
    ws = book[DATA_SHEET]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 4).value == VALUE_HEADER)
    ws.cell(header, 6, CARRIED_HEADER)
    ws.cell(header, 7, CARRIED_SOURCE_HEADER)
    for column in ("F", "G"):
        ws.column_dimensions[column].hidden = True
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1)}
    green = PatternFill("solid", fgColor=_PREFILL_FILL)
    for code, carried in figures.items():
        row = rows.get(code)
        if row is None:
            continue
        ws.cell(row, 4).value = carried.value
        ws.cell(row, 4).fill = green
        note = ws.cell(row, 5)
        note.value = f"Điền sẵn từ hồ sơ năm {carried.year}; sửa nếu chưa đúng."
        note.font = Font(name="Times New Roman", size=10, italic=True)
        note.alignment = Alignment(wrap_text=True, vertical="center")
        ws.cell(row, 6).value = carried.value
        ws.cell(row, 7).value = carried.source[:1000]

    guide = book[HELP_SHEET]
    labels = {ind.code: ind.text for ind in for_level("thon")}
    start = guide.max_row + 2
    lines = [
        "SỐ LIỆU KỲ TRƯỚC ĐÃ ĐIỀN SẴN (ô nền xanh ở trang «" + DATA_SHEET + "»)",
        "Lấy từ số liệu đã nhập, đã chấm điểm của hồ sơ năm trước; nếu chưa đúng thì gõ lại số "
        "đúng: hoso ghi nhận số đã gõ lại.",
    ]
    for offset, text in enumerate(lines):
        guide.cell(start + offset, 1, text).font = Font(
            name="Times New Roman", size=12, bold=offset == 0
        )
    row = start + len(lines)
    for code, carried in figures.items():
        label = ws.cell(rows[code], 2).value if code in rows else labels.get(code, code)
        guide.cell(row, 1, f"{label}: {carried.value}").alignment = Alignment(wrap_text=True)
        guide.cell(row, 2, carried.source[:1000]).alignment = Alignment(wrap_text=True)
        row += 1
    guide.print_area = f"A1:B{row}"


def note_unmapped(book: Workbook, lines: list[str]) -> None:
    """List in the guide sheet the old villages whose figures were mapped nowhere."""
    from openpyxl.styles import Alignment, Font

    if not lines:
        return
    guide = book[HELP_SHEET]
    row = guide.max_row + 2
    guide.cell(
        row, 1, "CẤP DƯỚI CŨ CHƯA GHÉP (số liệu kỳ trước chưa được cộng vào đâu)"
    ).font = Font(name="Times New Roman", size=12, bold=True)
    for offset, line in enumerate(lines, start=1):
        guide.cell(row + offset, 1, line).alignment = Alignment(wrap_text=True)
    guide.cell(row + len(lines) + 1, 1, f"Sửa bảng {PREVIOUS_BOOK} rồi chạy lại hoso forms.")
    guide.print_area = f"A1:B{row + len(lines) + 1}"


# --- ingest: kept or typed over ------------------------------------------------------------


def read_origins(
    grid: Grid, header: tuple[int, int], codes: dict[str, int], values: dict[str, Any]
) -> dict[str, PreviousOrigin]:
    """For a form filled in by `fill_form`: each previous-period figure's origin, kept
    (the value is still the one filled in) or typed over."""
    head_row = header[0]
    columns = {_text(v): c for c, v in enumerate(grid.rows[head_row]) if isinstance(v, str)}
    value_col, source_col = columns.get(CARRIED_HEADER), columns.get(CARRIED_SOURCE_HEADER)
    if value_col is None:
        return {}
    origins: dict[str, PreviousOrigin] = {}
    for _, code in _pairs():
        row = codes.get(code)
        if row is None:
            continue
        filled = grid.value(row, value_col)
        if isinstance(filled, bool) or not isinstance(filled, int | float):
            continue
        source = _text(grid.value(row, source_col)) if source_col is not None else ""
        typed = values.get(code)
        kept = typed is not None and Decimal(str(typed.value)) == Decimal(str(filled))
        year = _year_of(source)
        origins[code] = PreviousOrigin(kept, year, source)
    return origins


def _year_of(source: str) -> int:
    # "Hồ sơ năm 2025: …" as fill_form writes it.
    words = source.split(":", 1)[0].split()
    return int(words[-1]) if words and words[-1].isdigit() else 0


def origin_counts(data: DossierData) -> tuple[int, int]:
    """(figures kept from last year's dossier, figures typed over them)."""
    kept = over = 0
    for codes in data.previous_origins.values():
        for origin in codes.values():
            if origin.kept:
                kept += 1
            else:
                over += 1
    return kept, over


# --- `hoso init DIR --tu LAST_DIR…` --------------------------------------------------------


@dataclass
class NewYear:
    """What `new_year` wrote and what the clerk must look at."""

    profile: Path | None
    table: Path
    changed: list[str] = field(default_factory=list)
    to_fill: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    prefilled: int = 0  # previous-period figures hoso forms will fill in


def new_year(
    folder: Path,
    last: Iterable[tuple[Path, Path]],
    *,
    nam: int | None = None,
    xa: str = "",
    cap: str = "",
    cap_thon: str = "",
    tinh: str = "",
    huyen: str = "",
    mapping: Path | None = None,
) -> NewYear:
    """Write `folder/hoso.toml` and `folder/nam-truoc.xlsx` for the year after last year's
    dossiers (`last`: each dossier folder with its outputs folder).

    With `mapping` naming a table that does not exist yet, only the draft table is written
    there (for the clerk to complete, then run again)."""
    target = folder / PROFILE_NAME
    if target.exists():
        raise InputError(
            [
                Problem.of(
                    "da-co-ho-so", file=str(target), hint="chọn một thư mục mới cho hồ sơ năm mới."
                )
            ]
        )
    problems: list[Problem] = []
    sources = [s for d, o in last if (s := load_last(Dossier(d, o), problems)) is not None]
    if problems or not sources:
        raise InputError(problems)
    _same_twice(sources, problems)
    year = nam if nam is not None else max(s.unit.nam for s in sources) + 1
    _check_years(sources, year, problems)
    first = sources[0]
    merged = len(sources) > 1
    name, level, below, province = _identity(
        sources, year, xa=xa, cap=cap, cap_thon=cap_thon, tinh=tinh, problems=problems
    )
    if problems:
        raise InputError(problems)

    if mapping is not None and not mapping.exists():
        rows = draft_mapping(sources)
        words = _words(name, level, below, province, year)
        _write(mapping, mapping_book(folder, sources, rows, words, year))
        return NewYear(None, mapping, unmapped=unmapped_lines(unmapped(sources, rows)))
    _other_province(sources, province, year, mapping, problems)
    read = draft_mapping(sources) if mapping is None else read_mapping(mapping, sources, problems)
    if problems or read is None:
        raise InputError(problems)
    rows = read

    villages = new_villages(rows)
    # Before July 2025 the district carries over too (a district's kind other than
    # "huyện" is typed before its name, as `hoso init --huyen` takes it).
    old = first.unit
    district = huyen or (
        (old.huyen if old.cap_huyen == "huyện" else f"{old.cap_huyen} {old.huyen}")
        if old.huyen and _has_districts(year)
        else ""
    )
    # The category carries over unless the new unit's kind and place decide it.
    from pipeline.model.units import known_category

    loai = "" if known_category(level, province, year) else old.loai
    text = profile_text(
        xa=name, tinh=province, huyen=district, nam=year, cap=level, cap_thon=below, loai=loai
    )
    import tomlkit  # only a new year's profile is edited in place: not loaded by ingest

    doc = tomlkit.parse(text)
    result = NewYear(folder / PROFILE_NAME, folder / PREVIOUS_BOOK)
    _carry(doc, first, year, name=name, level=level, result=result)
    doc["don_vi"]["thon"] = _array(villages)
    _notes(result, sources, year, name=name, level=level, merged=merged, villages=villages)
    result.unmapped = unmapped_lines(unmapped(sources, rows))
    result.prefilled = sum(len(codes) for codes in sum_figures(rows).values())

    words = _words(name, level, below, province, year)
    book = mapping_book(folder, sources, rows, words, year)
    folder.mkdir(parents=True, exist_ok=True)
    _write(result.table, book)
    write_profile(folder, tomlkit.dumps(doc))
    return result


def _write(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, content)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không ghi được {path}: {exc.strerror}", "kiểm tra quyền ghi của thư mục."
        ) from exc


def _words(name: str, level: str, below: str, province: str, year: int) -> Words:
    from pipeline.model.units import words_for

    return words_for(cap=level, cap_thon=below, ten=name, tinh=province, huyen=None, year=year)


def _same_twice(sources: list[LastYear], problems: list[Problem]) -> None:
    seen: dict[str, LastYear] = {}
    for s in sources:
        key = place_key(s.label)
        if key in seen:
            problems.append(
                Problem.of(
                    "trung-ho-so",
                    file=s.profile_file,
                    field="don_vi.xa",
                    label=s.label,
                    first_folder=seen[key].folder,
                    folder=s.folder,
                )
            )
        seen[key] = s


def _identity(
    sources: list[LastYear],
    year: int,
    *,
    xa: str,
    cap: str,
    cap_thon: str,
    tinh: str,
    problems: list[Problem],
) -> tuple[str, str, str, str]:
    """The new unit's name, kind, kind below and province: asked when several units merge,
    else last year's, the new year's law applied."""
    first = sources[0]
    merged = len(sources) > 1
    period = period_of(year)
    level = nfc(cap).strip().lower() or ("" if merged else first.unit.cap)
    if merged and not xa.strip():
        problems.append(
            Problem.of(
                "khong-hop-le",
                variant="hop-nhat-ten",
                field="--xa",
                value='""',
                hint='ví dụ --xa "Tân Phú".',
                count=len(sources),
            )
        )
    if merged and not level:
        problems.append(
            Problem.of(
                "khong-hop-le",
                variant="hop-nhat-cap",
                field="--cap",
                value='""',
                hint="ví dụ --cap phường.",
            )
        )
    elif period is not None and level not in period.levels:
        problems.append(
            Problem.of(
                "khong-hop-le",
                variant="cap-cu",
                field="--cap",
                value=f'"{level}"',
                hint="chạy lại với --cap, một trong: "
                + ", ".join(f'"{c}"' for c in period.levels)
                + ".",
                label=first.label,
                level=level,
                year=year,
            )
        )
    name = strip_kind(xa, (level,))[0] if xa.strip() else first.unit.xa
    below = nfc(cap_thon).strip().lower()
    if not below:
        below = (
            first.unit.cap_thon if level == first.unit.cap else default_village_level(level)
        ) or first.unit.cap_thon
    province = split_province(tinh)[0] if tinh.strip() else first.unit.tinh
    return name, level, below, province


def _other_province(
    sources: list[LastYear], province: str, year: int, mapping: Path | None, problems: list[Problem]
) -> None:
    if mapping is not None:
        return
    for s in sources:
        if place_key(s.unit.tinh) != place_key(province):
            words = s.unit.words
            problems.append(
                Problem.of(
                    "khac-tinh",
                    variant="nam-truoc",
                    file=s.profile_file,
                    field="don_vi.tinh",
                    value=s.unit.tinh,
                    hint="nếu đúng là đơn vị đã chuyển địa bàn, chạy lại với "
                    "--ghep bang-ghep.xlsx: hoso ghi bảng ghép nháp để kiểm tra, rồi chạy lại "
                    "đúng lệnh đó.",
                    label=s.label,
                    tinh_day_du=words.tinh_day_du,
                    year=year,
                    province=province,
                )
            )


def _array(items: list[str]) -> Any:
    import tomlkit

    array = tomlkit.array()
    array.extend(items)
    if len(items) > 3:
        array.multiline(True)
    return array


def _lookup(raw: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(raw, dict) or part not in raw:
            return None
        raw = raw[part]
    return raw


def _carry(doc: Any, first: LastYear, year: int, *, name: str, level: str, result: NewYear) -> None:
    """Copy the keys nam-moi.toml lists from last year's profile into the new one."""
    same_law = period_of(first.unit.nam) == period_of(year)
    keys = list(rules().keep) + (list(rules().keep_same_law) if same_law else [])
    old_district = first.unit.huyen if first.unit.huyen and not _has_districts(year) else ""
    for key in keys:
        parts = key.split(".")
        targets = (
            [[parts[0], code, *parts[2:]] for code in paper_catalogue()]
            if parts[1:2] == ["*"]
            else [parts]
        )
        for path in targets:
            value = _lookup(first.raw, path)
            if value is None:
                continue
            if path == ["co_quan", "dia_danh"] and name != first.unit.xa:
                result.changed.append(
                    f"co_quan.dia_danh «{value}» bỏ đi vì đổi tên đơn vị (mặc định: {name})"
                )
                continue
            if path[-1] == "noi_nhan" and old_district and isinstance(value, list):
                kept = [v for v in value if place_key(old_district) not in place_key(str(v))]
                for gone in (v for v in value if v not in kept):
                    result.changed.append(
                        f"{'.'.join(path)}: bỏ nơi nhận «{gone}» (không còn cấp huyện)"
                    )
                value = kept
            _set(doc, path, value)
    if level != first.unit.cap:
        result.changed.append(
            f"loại đơn vị: {first.unit.cap} → {level}; kiểm tra chức vụ trong hoi_dong.thanh_vien "
            "và các nơi nhận còn ghi loại cũ"
        )


def _set(doc: Any, path: list[str], value: Any) -> None:
    table = doc
    for part in path[:-1]:
        table = table[part]
    if path == ["hoi_dong", "thanh_vien"]:
        _members(table[path[-1]], [m for m in value if isinstance(m, dict)])
        return
    key = path[-1]
    before = table.item(key) if key in table else None
    table[key] = _array([str(v) for v in value]) if isinstance(value, list) else value
    if before is not None and before.trivia.comment:
        # Keep the comment in its column when there is room (the template lines them up).
        column = len(before.as_string()) + len(before.trivia.comment_ws)
        after = table.item(key)
        after.trivia.comment_ws = " " * max(2, column - len(after.as_string()))


def _members(aot: Any, members: list[dict[str, Any]]) -> None:
    """Replace the template's council by last year's, in place: the comments that follow
    the last table (the next section's heading) belong to it and must stay."""
    import tomlkit

    if not members:
        return
    last = aot[-1]
    for key in [k for k in last if k not in members[-1]]:
        del last[key]
    for key, value in members[-1].items():
        last[key] = value  # an existing key keeps its place, before the comments
    while len(aot) > 1:
        del aot[0]
    for index, member in enumerate(members[:-1]):
        item = tomlkit.table()
        for key, value in member.items():
            item[key] = value
        # A blank line between two members (the first follows [hoi_dong]'s own).
        item.trivia.indent = "\n" if index else ""
        aot.insert(index, item)
    if len(members) > 1:
        last.trivia.indent = "\n"


def _has_districts(year: int) -> bool:
    period = period_of(year)
    return bool(period and period.has_districts)


def _notes(
    result: NewYear,
    sources: list[LastYear],
    year: int,
    *,
    name: str,
    level: str,
    merged: bool,
    villages: list[str],
) -> None:
    first = sources[0]
    years = sorted({s.unit.nam for s in sources})
    result.changed.insert(0, f"năm đánh giá: {', '.join(map(str, years))} → {year}")
    period = period_of(year)
    changed_law = any(period_of(s.unit.nam) != period for s in sources)
    if changed_law and period is not None:
        result.changed.append(f"áp dụng luật năm {year}: {period.name}")
        result.to_fill.append(
            "tiep_nhan.ten, tiep_nhan.dia_ban, tiep_nhan.cong_nhan: cơ quan nhận hồ sơ và "
            f"cơ quan công nhận năm {year} (hỏi lại cấp trên)"
        )
        result.to_fill.append("ke_hoach.can_cu_co_quan: cơ quan ban hành văn bản cấp trên")
        result.changed.append(f"van_ban.QD.can_cu: dùng căn cứ mặc định năm {year}")
    for s in sources:
        if s.unit.huyen and not _has_districts(year):
            result.changed.append(
                f"{s.label}: bỏ {s.unit.words.huyen_day_du} (năm {year} không còn cấp huyện)"
            )
    if merged:
        result.changed.append(
            f"hợp nhất {len(sources)} đơn vị ({', '.join(s.label for s in sources)}) "
            f"thành {level} {name}"
        )
        result.to_fill.append(
            f"lanh_dao, hoi_dong.thanh_vien, van_ban.*.noi_nhan: lấy từ {first.label}, "
            f"kiểm tra lại cho {level} {name}"
        )
        kinds = {s.unit.loai for s in sources}
        if len(kinds) > 1:
            result.to_fill.append(
                f"don_vi.loai: các đơn vị cũ khác loại ({', '.join(sorted(kinds))}); "
                f"đang ghi «{first.unit.loai}», chọn lại"
            )
    elif name != first.unit.xa:
        result.changed.append(f"tên đơn vị: {first.unit.xa} → {name}")
    if not villages:
        result.to_fill.append(f"don_vi.thon: danh sách cấp dưới của {level} {name}")
    rule_set = _lookup(first.raw, ["danh_gia", "bo_tieu_chi"])
    if isinstance(rule_set, str) and rule_set.strip():
        result.to_fill.append(
            f"danh_gia.bo_tieu_chi: năm trước dùng bộ tiêu chí riêng «{rule_set}»; nếu vẫn "
            "dùng, chép tệp sang thư mục hồ sơ mới và ghi lại"
        )
    gaps = [s for s in sources if year - s.unit.nam > 1]
    for s in gaps:
        result.changed.append(
            f"{s.label}: số liệu kỳ trước lấy từ hồ sơ năm {s.unit.nam}, không phải năm {year - 1}"
        )
    result.to_fill += [
        "van_ban.*.so, van_ban.*.ngay: số, ngày các văn bản năm mới (để trống thì ghi tay)",
        "ke_hoach.can_cu_so, ke_hoach.can_cu_ngay, ke_hoach.han_bao_cao",
        "hop_hoi_dong: cuộc họp chấm điểm của Hội đồng",
        "bao_cao: đặc điểm, khó khăn, đề xuất",
    ]
