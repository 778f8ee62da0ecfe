"""`hoso ingest`: the villages' and the commune's workbooks -> one clean `data.json`.

Every workbook is read, every cell checked, and every problem collected with its
location before anything is decided: a clerk gets the whole list at once. Nothing typed
is silently dropped or turned into a zero.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.common import limits
from pipeline.common.errors import InputError, Problem, did_you_mean
from pipeline.common.textcheck import visible
from pipeline.common.vnformat import ascii_slug, nfc, place_key, village_key
from pipeline.common.vnformat import number as number_text
from pipeline.files.atomic import atomic_write, workbook_bytes
from pipeline.files.outputset import locked
from pipeline.files.sheets import (
    Grid,
    ReadProblem,
    column_letter,
    is_xlsx,
    long_integers,
    read_book,
    too_big_file,
)
from pipeline.model import dataset
from pipeline.model.dataset import DossierData, PreviousOrigin, Scalar, Source, Value
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import Indicator, Level, catalogue, for_level
from pipeline.model.layout import (
    COMMUNE_STEM,
    NO,
    VALUE_HEADER,
    VILLAGE_FOLDER,
    YES,
    form_time,
    slug,
    village_label,
)
from pipeline.model.profile import PROFILE_NAME, Profile
from pipeline.model.units import Words, all_levels, facts, strip_kind
from pipeline.stages import freshness
from pipeline.stages.carry import read_origins
from pipeline.stages.freshness import INGEST, profile_keys, shown_name
from pipeline.stages.freshness import workbook_files as input_files

Progress = Callable[[str], None]

_YES = {"có", "co", "x", "1", "yes", "y", "true"}
_NO = {"không", "khong", "0", "no", "n", "false"}
_EXCEL_ERRORS = {"#div/0!", "#n/a", "#name?", "#null!", "#num!", "#ref!", "#value!", "#####"}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")
_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+(,\d+)?")
_DECIMAL_POINT = re.compile(r"\d+\.\d+")
# Labels of the title block's cells, as forms of any kind of unit (and older forms) wrote
# them: a workbook made for the dossier before its kind was corrected still reads.
_LABELS_XA_OLD = {"xã, phường, thị trấn"}
_LABELS_THON_OLD = {"thôn, tổ dân phố", "thôn/tổ dân phố", "thôn, bản"}
_LABELS_NAM = {"năm", "năm đánh giá"}
# What ingest needs of hoso.toml.
PROFILE_SECTIONS = ("don_vi",)
_RED = "FF9999"  # the fill of a bad cell in a marked copy


# The codes of a workbook not yet returned: a blank form left as written, or none at all.
NOT_RECEIVED = "chua-nhan"
MISSING_VILLAGE = "thieu-thon"


@dataclass
class Ingested:
    """A successful ingest: the data, the warnings a clerk should look at, and the words of
    the unit (for the messages that report it)."""

    data: DossierData
    words: Words
    warnings: list[Problem] = field(default_factory=list)
    path: Path | None = None


key = place_key


def _commune_key(name: str) -> str:
    """A commune's name as compared: without any commune-level kind ("Phường Lê Chân")."""
    return key(strip_kind(name, all_levels())[0])


def _label_names() -> tuple[set[str], set[str]]:
    """The commune and village labels of the title block, every known kind included."""
    communes = {key(level) for level in all_levels()} | _LABELS_XA_OLD
    villages = {key(kind) for kind in facts().village_heads} | _LABELS_THON_OLD
    return communes, villages


def _label(value: Any) -> str:
    return key(value).rstrip(":").strip() if isinstance(value, str) else ""


def _ref(row: int, col: int) -> str:
    return f"{column_letter(col + 1)}{row + 1}"


def _show(raw: Any) -> str:
    if isinstance(raw, datetime | date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, int) and not isinstance(raw, bool) and raw.bit_length() > 64:
        # str() of an int of thousands of digits is refused by Python itself.
        return f"số có khoảng {int(math.log10(abs(raw))) + 1} chữ số"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    text = visible(nfc(str(raw)).strip())
    return text if len(text) <= 60 else text[:57] + "…"


# --- one cell ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bad:
    """Why a cell's value is wrong; the sheet locates the problem in its cell."""

    problem: Problem


def parse_value(raw: Any, ind: Indicator, words: Words) -> Scalar | _Bad | None:
    """A typed value, a reason it is wrong, or None for an empty cell."""
    if raw is None or (isinstance(raw, str) and not _SPACES.sub("", raw)):
        return None
    if ind.kind == "yes_no":
        return _yes_no(raw)
    return _number(raw, ind, words)


def _yes_no(raw: Any) -> bool | _Bad:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return raw == 1
    text = key(str(raw))
    if text in _YES:
        return True
    if text in _NO:
        return False
    return _Bad(
        Problem.of(
            "khong-phai-co-khong",
            hint=f"chọn {YES} hoặc {NO} trong danh sách.",
            shown=_show(raw),
            yes=YES,
            no=NO,
        )
    )


def _number(raw: Any, ind: Indicator, words: Words) -> Scalar | _Bad:
    whole = ind.kind == "count"
    number = _decimal(raw, "12" if whole else "1.500.000")
    if isinstance(number, _Bad):
        return number
    if number < 0:
        return _Bad(
            Problem.of("so-am", hint="số liệu không được âm; không có thì ghi 0.", shown=_show(raw))
        )
    most = limits.MAX_COUNT if whole else limits.MAX_AMOUNT
    if number > most:
        return _Bad(
            Problem.of(
                "qua-lon",
                hint="kiểm tra lại con số (gõ thừa chữ số, hoặc dán nhầm ô khác?).",
                shown=_show(raw),
                most=number_text(most),
            )
        )
    if not whole:
        return number
    if number != number.to_integral_value():
        return _Bad(
            Problem.of(
                "so-le",
                hint=f"{ind.label_in(words).lower()} phải là số nguyên; kiểm tra lại.",
                shown=_show(raw),
            )
        )
    return int(number)


def _decimal(raw: Any, example: str) -> Decimal | _Bad:
    """What a clerk typed as a number: a number cell, or text such as "1.234" or "12,5"."""
    not_number = _Bad(
        Problem.of(
            "khong-phai-so",
            variant="chu",
            hint=f"chỉ ghi chữ số, ví dụ {example}; không kèm chữ hay đơn vị.",
            shown=_show(raw),
        )
    )
    if isinstance(raw, datetime | date | time | timedelta):
        return _Bad(
            Problem.of(
                "khong-phai-so",
                variant="ngay-gio",
                hint="định dạng ô thành Số (Number) rồi gõ lại con số.",
                shown=_show(raw),
            )
        )
    if isinstance(raw, bool):
        return not_number
    if isinstance(raw, int | float):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return number if number.is_finite() else not_number
    text = _SPACES.sub("", nfc(str(raw)))
    if text.casefold() in _EXCEL_ERRORS:
        return _Bad(
            Problem.of("loi-cong-thuc", hint="sửa công thức hoặc gõ thẳng con số.", text=text)
        )
    sign = -1 if text[:1] in ("-", "−") else 1
    text = text[1:] if text[:1] in ("-", "−", "+") else text
    if _GROUPED.fullmatch(text):  # Vietnamese "1.234" or "1.234.567,5"
        text = text.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.fullmatch(text):  # "12" or "12,5"
        text = text.replace(",", ".")
    elif not _DECIMAL_POINT.fullmatch(text):  # "12.5" typed the English way is accepted
        return not_number
    return sign * Decimal(text)


# --- one sheet -----------------------------------------------------------------------------


@dataclass
class _Sheet:
    """A data sheet as found: its title block, its level and its checked values."""

    file: str
    name: str
    level: Level
    village: tuple[str, str] | None  # (name as written, cell) or None
    values: dict[str, Value] = field(default_factory=dict)
    problems: list[tuple[int, Problem]] = field(default_factory=list)
    # Previous-period figures filled in from last year's dossier: kept or typed over.
    origins: dict[str, PreviousOrigin] = field(default_factory=dict)

    def where(self) -> str:
        return f"{self.file} › {self.name}"

    def add(self, row: int, problem: Problem) -> None:
        """Record a problem found in this sheet; `row` orders the sheet's problems as a clerk
        reads them."""
        self.problems.append((row, replace(problem, file=self.file, sheet=self.name)))


def _find_header(grid: Grid) -> tuple[int, int] | None:
    for r, row in enumerate(grid.rows):
        for c, v in enumerate(row):
            if _label(v) == key(VALUE_HEADER):
                return r, c
    return None


def _title_block(grid: Grid, before: int, words: Words) -> dict[str, tuple[Any, str]]:
    """Labelled cells above the table: {"xa"|"thon"|"nam": (value, cell ref)}."""
    communes, villages = _label_names()
    villages.add(key(words.cap_thon))
    found: dict[str, tuple[Any, str]] = {}
    for r, row in enumerate(grid.rows[:before]):
        for c, v in enumerate(row):
            label = _label(v)
            name = (
                "xa"
                if label in communes
                else "thon"
                if label in villages
                else "nam"
                if label in _LABELS_NAM
                else None
            )
            if name is None or name in found:
                continue
            for c2 in range(c + 1, len(row)):
                if row[c2] not in (None, "") and _show(row[c2]):
                    found[name] = (row[c2], _ref(r, c2))
                    break
    return found


def _read_sheet(grid: Grid, file: str, profile: Profile) -> _Sheet | None:
    """Check one sheet; None when it is not a data sheet (e.g. the instructions)."""
    header = _find_header(grid)
    codes, duplicates = _locate_codes(grid, header[0] + 1 if header else 0)
    if header is None:
        if not codes:
            return None
        sheet = _Sheet(file, grid.name, "thon", None)
        sheet.add(
            0,
            Problem.of(
                "thieu-cot-so-lieu",
                hint=f"ghi tiêu đề «{VALUE_HEADER}» ở ô đầu cột chứa số liệu (như biểu mẫu gốc).",
                value_header=VALUE_HEADER,
            ),
        )
        return sheet
    title = _title_block(grid, header[0], profile.don_vi.words)
    villages = sum(1 for c in codes if catalogue()[c].level == "thon")
    level: Level = "thon" if "thon" in title or villages * 2 >= len(codes) else "xa"
    village = (_show(title["thon"][0]), title["thon"][1]) if "thon" in title else None
    sheet = _Sheet(file, grid.name, level, village)
    _check_title(sheet, title, profile)
    for code, first, again in duplicates:
        sheet.add(
            again,
            Problem.of(
                "trung-ma",
                variant="bieu",
                cell=_ref(again, 0),
                field=code,
                hint="xóa dòng thừa, mỗi chỉ tiêu một dòng.",
                first_row=first + 1,
                again_row=again + 1,
            ),
        )
    words = profile.don_vi.words
    for ind in for_level(level):
        _check_value(sheet, grid, ind, codes.get(ind.code), header[1], words=words)
    for ind in for_level(level):
        _cross_checks(sheet, ind, words)
    sheet.origins = read_origins(grid, header, codes, sheet.values)
    return sheet


def _locate_codes(grid: Grid, start: int) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Row of each indicator code in column A, and the codes found twice."""
    cat = catalogue()
    codes: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    for r in range(start, len(grid.rows)):
        raw = grid.value(r, 0)
        code = raw.strip().lower() if isinstance(raw, str) else ""
        if code not in cat:
            continue
        if code in codes:
            duplicates.append((code, codes[code], r))
        else:
            codes[code] = r
    return codes, duplicates


def _check_title(sheet: _Sheet, title: dict[str, tuple[Any, str]], profile: Profile) -> None:
    unit = profile.don_vi
    words = unit.words
    if "xa" in title:
        raw, cell = title["xa"]
        if _commune_key(_show(raw)) != _commune_key(unit.xa):
            sheet.add(
                -1,
                Problem.of(
                    "khac-xa",
                    cell=cell,
                    value=_show(raw),
                    hint=f"kiểm tra đúng tệp của {words.cap} mình; nếu chỉ ghi nhầm tên thì sửa "
                    "ô này.",
                    # The other unit's kind is not known here ("xã", "phường"…): only its name.
                    don_vi=words.don_vi,
                ),
            )
    if "nam" in title:
        raw, cell = title["nam"]
        if _decimal(raw, str(unit.nam)) != unit.nam:
            sheet.add(
                -1,
                Problem.of(
                    "khac-nam",
                    variant="bieu",
                    cell=cell,
                    value=_show(raw),
                    hint=f"dùng biểu của năm {unit.nam} (tạo bằng hoso forms); nếu chỉ ghi nhầm "
                    "năm thì sửa ô này.",
                    nam=unit.nam,
                ),
            )


def _check_value(
    sheet: _Sheet, grid: Grid, ind: Indicator, row: int | None, col: int, *, words: Words
) -> None:
    label = ind.label_in(words)
    if row is None:
        sheet.add(
            10**9,
            Problem.of(
                "thieu-dong",
                field=ind.code,
                hint=f"thêm lại dòng có mã {ind.code} ở cột A (chép từ biểu mẫu gốc, "
                "hoặc tạo biểu mới bằng hoso forms).",
                label=label,
            ),
        )
        return
    raw = grid.value(row, col)
    cell = _ref(row, col)
    parsed = parse_value(raw, ind, words)
    if parsed is None and grid.is_formula(row, col):
        sheet.add(
            row,
            Problem.of(
                "cong-thuc-chua-tinh",
                cell=cell,
                field=ind.code,
                hint="mở tệp bằng Excel hoặc LibreOffice cho bảng tính tự tính rồi lưu lại, "
                "hoặc gõ thẳng con số.",
            ),
        )
    elif parsed is None:
        fill = f"chọn {YES} hoặc {NO}." if ind.kind == "yes_no" else "không có thì ghi 0."
        sheet.add(
            row,
            Problem.of("o-trong", cell=cell, field=ind.code, hint=f"ghi số liệu «{label}»; {fill}"),
        )
    elif isinstance(parsed, _Bad):
        sheet.add(row, replace(parsed.problem, cell=cell, field=ind.code, value=_show(raw)))
    else:
        sheet.values[ind.code] = Value(parsed, Source(sheet.file, sheet.name, cell))


def _cross_checks(sheet: _Sheet, ind: Indicator, words: Words) -> None:
    value = sheet.values.get(ind.code)
    if value is None or value.source is None:
        return
    row = _row_of(value.source.cell)
    if ind.not_above is not None:
        total = sheet.values.get(ind.not_above)
        if total is not None and total.source is not None and _gt(value.value, total.value):
            total_ind = catalogue()[ind.not_above]
            sheet.add(
                row,
                Problem.of(
                    "vuot-tong",
                    cell=value.source.cell,
                    field=ind.code,
                    value=_show(value.value),
                    hint=f"kiểm tra lại hai ô {total.source.cell} và {value.source.cell}.",
                    total_label=total_ind.label_in(words).lower(),
                    total=_show(total.value),
                ),
            )
            del sheet.values[ind.code]
    if ind.warn_if_zero and value.value == 0 and not isinstance(value.value, bool):
        sheet.add(
            row,
            Problem.of(
                "bang-0",
                cell=value.source.cell,
                field=ind.code,
                value="0",
                hint="kiểm tra lại; nếu đúng thì bỏ qua cảnh báo này.",
                label=ind.label_in(words),
            ),
        )
    if ind.previous is not None:
        before = sheet.values.get(ind.previous)
        if (
            before is not None
            and before.source is not None
            and _gt(before.value, 0)
            and _gt(value.value, 2 * Decimal(str(before.value)))
        ):
            sheet.add(
                row,
                Problem.of(
                    "tang-gap-doi",
                    cell=value.source.cell,
                    field=ind.code,
                    value=_show(value.value),
                    hint="kiểm tra lại hai ô; nếu đúng thì bỏ qua cảnh báo này.",
                    before=_show(before.value),
                    before_cell=before.source.cell,
                ),
            )


def _gt(a: Scalar, b: Scalar | Decimal) -> bool:
    return not isinstance(a, bool) and not isinstance(b, bool) and Decimal(a) > Decimal(b)


def _row_of(cell: str) -> int:
    return int(re.sub(r"^[A-Z]+", "", cell)) - 1


# --- the dossier ---------------------------------------------------------------------------


def ingest(dossier: Dossier, *, progress: Progress | None = None) -> Ingested:
    """Read and check every workbook of a dossier; raise InputError listing every problem."""
    folder = dossier.folder
    # Fingerprinted before reading: an edit during the run makes data.json look stale, never fresh.
    keys = profile_keys(INGEST, dossier)
    profile = dossier.profile(sections=PROFILE_SECTIONS)
    unit = profile.don_vi
    words = unit.words
    data = DossierData(xa=unit.xa, nam=unit.nam, profile_keys=keys, hoso_version=__version__)
    data.inputs[PROFILE_NAME] = hashlib.sha256(dossier.profile_bytes()).hexdigest()
    problems: list[Problem] = []
    kinds = (words.cap_thon,)
    by_key = {village_key(v, kinds): v for v in unit.thon}
    seen: dict[str, _Sheet] = {}
    communes: list[_Sheet] = []
    blank: dict[str, str] = {}  # village (COMMUNE_STEM for the commune) -> its blank form

    for path in input_files(folder):
        rel = shown_name(path, folder)
        if rel != path.relative_to(folder).as_posix():
            # Names the system could not decode (surrogate escapes): cannot be recorded.
            problems.append(Problem.of("ten-tep-loi", file=rel))
            continue
        if progress:
            progress(rel)
        sheets = _read_file(path, rel, profile, data, problems)
        for sheet in sheets:
            if untouched(sheet):
                # Not yet received, not wrong: said once by name (see _missing). A blank
                # form of no known village is checked as any other.
                owner = COMMUNE_STEM if sheet.level == "xa" else (
                    _village_name(sheet, len(sheets) > 1, path, by_key, [], words=words)
                )  # fmt: skip
                if owner is not None:
                    blank.setdefault(owner, sheet.file)
                    continue
            problems += [p for _, p in sorted(sheet.problems, key=lambda rp: rp[0])]
            if sheet.level == "xa":
                if communes:
                    problems.append(
                        Problem.of(
                            "trung-xa",
                            file=sheet.file,
                            sheet=sheet.name,
                            first=communes[0].where(),
                            village_folder=VILLAGE_FOLDER,
                        )
                    )
                communes.append(sheet)
                continue
            name = _village_name(sheet, len(sheets) > 1, path, by_key, problems, words=words)
            if name is not None and name in seen:
                problems.append(
                    Problem.of(
                        "trung-thon",
                        file=sheet.file,
                        sheet=sheet.name,
                        cap_thon=words.cap_thon,
                        name=name,
                        first=seen[name].where(),
                        village_folder=VILLAGE_FOLDER,
                    )
                )
            elif name is not None:
                seen[name] = sheet

    problems += _missing(unit.thon, seen, communes, words, blank)
    if any(p.severity == "loi" for p in problems):
        raise InputError(problems)
    data.villages = {name: seen[name].values for name in unit.thon}
    data.previous_origins = {n: seen[n].origins for n in unit.thon if seen[n].origins}
    data.commune = communes[0].values
    return Ingested(data, words, problems)


def _read_file(
    path: Path, rel: str, profile: Profile, data: DossierData, problems: list[Problem]
) -> list[_Sheet]:
    """The data sheets of one file; a file that cannot be read adds one problem."""
    try:
        size = path.stat().st_size
        if size > limits.MAX_WORKBOOK_BYTES:
            big = too_big_file(size)
            problems.append(Problem(big.code, big.message, file=rel, hint=big.hint))
            return []
        content = path.read_bytes()
    except OSError as exc:
        problems.append(
            Problem.of(
                "khong-doc-duoc",
                variant="mo-tep",
                file=rel,
                hint="đóng tệp nếu đang mở, kiểm tra quyền đọc rồi chạy lại.",
                strerror=exc.strerror,
            )
        )
        return []
    data.inputs[rel] = hashlib.sha256(content).hexdigest()
    try:
        grids = read_book(content)
    except ReadProblem as exc:
        problems.append(Problem(exc.code, exc.message, file=rel, sheet=exc.sheet, hint=exc.hint))
        return []
    sheets = [s for g in grids if (s := _read_sheet(g, rel, profile)) is not None]
    if not sheets:
        problems.append(Problem.of("khong-co-so-lieu", file=rel, value_header=VALUE_HEADER))
    return sheets


def untouched(sheet: _Sheet) -> bool:
    """A blank form as `hoso forms` wrote it and nobody filled: every value cell empty and
    nothing else wrong (a form with one figure typed in is checked as filled)."""
    return (
        not sheet.values
        and bool(sheet.problems)
        and all(p.code == "o-trong" for _, p in sheet.problems)
    )


def _not_received(who: str, name: str, form: str) -> Problem:
    return Problem.of(NOT_RECEIVED, file=form, value=name, who=who)


def _missing(
    villages: tuple[str, ...],
    seen: dict[str, _Sheet],
    communes: list[_Sheet],
    words: Words,
    blank: dict[str, str],
) -> list[Problem]:
    problems = [
        _not_received(f'{words.cap_thon} "{name}"', name, blank[name])
        if name in blank
        else Problem.of(
            MISSING_VILLAGE,
            file=f"{VILLAGE_FOLDER}/",
            value=name,
            cap_thon=words.cap_thon,
            village_folder=VILLAGE_FOLDER,
            village_label=village_label(words),
        )
        for name in villages
        if name not in seen
    ]
    if not communes and COMMUNE_STEM in blank:
        problems.append(_not_received(words.cap, "", blank[COMMUNE_STEM]))
    elif not communes:
        problems.append(Problem.of("thieu-xa", file=f"{COMMUNE_STEM}.xlsx", cap=words.cap))
    return problems


def _village_name(
    sheet: _Sheet,
    several: bool,
    path: Path,
    by_key: dict[str, str],
    problems: list[Problem],
    *,
    words: Words,
) -> str | None:
    """The profile village a sheet belongs to: its `Thôn:` cell, else the sheet or file name."""
    kinds = (words.cap_thon,)
    if sheet.village is None:
        fallbacks = [sheet.name] if several else [sheet.name, path.stem]
        for candidate in fallbacks:
            if village_key(candidate, kinds) in by_key:
                return by_key[village_key(candidate, kinds)]
        stems = {slug(v): v for v in by_key.values()}
        if not several and path.stem.lower() in stems:
            return stems[path.stem.lower()]
        problems.append(
            Problem.of(
                "khong-ro-thon",
                file=sheet.file,
                sheet=sheet.name,
                cap_thon=words.cap_thon,
                village_label=village_label(words),
                value_header=VALUE_HEADER,
            )
        )
        return None
    written, cell = sheet.village
    found = by_key.get(village_key(written, kinds))
    if found is not None:
        return found
    plain = {_plain(v, kinds): v for v in by_key.values()}
    guess = did_you_mean(_plain(written, kinds), list(plain))
    level = words.cap_thon
    hint = (
        f'có phải {level} "{plain[guess]}"? Sửa tên {level} ở ô này cho đúng danh sách '
        f"{level} (don_vi.thon) trong hoso.toml."
        if guess
        else f"sửa tên {level} cho đúng danh sách {level} (don_vi.thon) trong hoso.toml, "
        f"hoặc thêm {level} này vào danh sách."
    )
    problems.append(
        Problem.of(
            "thon-la",
            file=sheet.file,
            sheet=sheet.name,
            cell=cell,
            value=written,
            hint=hint,
            level=level,
        )
    )
    return None


def _plain(name: str, kinds: tuple[str, ...]) -> str:
    """Without tones or marks, for "did you mean": "Nà Cáy" -> "na-cay"."""
    return ascii_slug(village_key(name, kinds), default="")


# --- writing -------------------------------------------------------------------------------


def ingest_to(
    dossier: Dossier,
    *,
    mark_errors: bool = False,
    progress: Progress | None = None,
) -> Ingested:
    """`ingest`, then write data.json into the output folder; on errors optionally write
    marked copies."""
    freshness.check_out(dossier)
    try:
        result = ingest(dossier, progress=progress)
    except InputError as exc:
        if not mark_errors:
            raise
        with locked(dossier.folder, sweep=(VILLAGE_FOLDER,)):
            written = mark_error_copies(dossier, exc.problems)
        raise InputError(exc.problems, written=[str(p) for p in written]) from None
    out = dossier.out
    result.path = out / dataset.DATA_NAME
    with locked(out) as target:
        files = [(dataset.DATA_NAME, dataset.dumps(result.data))]
        published = freshness.with_written(dossier, freshness.INGEST, files)
        target.publish(published)
        dossier.wrote(published)
    return result


def error_copy_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.loi.xlsx")


def mark_error_copies(dossier: Dossier, problems: list[Problem]) -> list[Path]:
    """Beside each faulty workbook, `<name>.loi.xlsx` with bad cells red and commented."""
    by_file: dict[str, list[Problem]] = {}
    for p in problems:
        if p.file and p.sheet:
            by_file.setdefault(p.file, []).append(p)
    written: list[Path] = []
    folder = dossier.folder
    profile_time = form_time(dossier.profile(sections=PROFILE_SECTIONS))
    with long_integers():  # a copy must hold the over-long number it marks
        for rel, found in by_file.items():
            _mark_copy(folder, rel, found, profile_time, written)
    return written


def _mark_copy(
    folder: Path, rel: str, found: list[Problem], profile_time: datetime, written: list[Path]
) -> None:
    """Write the marked copy of one workbook, when it can be opened at all."""
    # openpyxl only when there are copies to mark: a clean ingest never loads it.
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    source = folder / rel
    try:
        book = _editable(source.read_bytes())
    except (OSError, ReadProblem):
        return
    # Problems name sheets in NFC; a workbook may store a title decomposed.
    sheets = {nfc(name): name for name in book.sheetnames}
    for p in found:
        if p.sheet is None or nfc(p.sheet) not in sheets:
            continue
        ws = book[sheets[nfc(p.sheet)]]
        cell = ws[p.cell or "A1"]
        cell.fill = PatternFill("solid", fgColor=_RED)
        text = f"{p.message} — {p.hint}" if p.hint else p.message
        old = cell.comment.text + "\n" if cell.comment else ""
        cell.comment = Comment(old + text, "hoso", width=320, height=120)
    target = error_copy_path(source)
    atomic_write(target, workbook_bytes(book, profile_time))
    written.append(target)


def _editable(content: bytes) -> Any:
    """An openpyxl workbook of a file: the file itself for .xlsx, its values otherwise."""
    import openpyxl

    grids = read_book(content)  # raises ReadProblem for what cannot be read at all
    if is_xlsx(content):
        with warnings.catch_warnings():
            # Same reason as in sheets: features openpyxl cannot keep are irrelevant here.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            try:
                return openpyxl.load_workbook(io.BytesIO(content))
            except Exception:  # fall back to values only
                pass
    book = openpyxl.Workbook()
    book.remove(book.active)
    for grid in grids:
        ws = book.create_sheet(grid.name[:31])
        for row in grid.rows:
            ws.append([None if v == "" else v for v in row])
    return book
