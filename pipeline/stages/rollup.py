"""`hoso tong-hop`: the receiving level's roll-up of many communes' scorecards.

The province (or, before July 2025, the district) receives every commune's dossier. The
officer points `hoso tong-hop` at the folder that holds them (as `hoso build` takes it) and
gets, in `--out`:

- `tong-hop.xlsx`: a row per unit with the points of each criterion, the units not eligible
  and not submitted, the analysis per criterion and sub-item, and a chart, printable on A4;
- `BC-tong-hop.docx`: the department's report, which reports and proposes ("đề nghị công
  nhận") in the Decree 30 layout;
- `QD-cong-nhan-du-thao.docx`: the draft Decision of the provincial People's Committee
  recognising the passing units, their list as its annex.

A dossier not scored, or scored before its figures changed, does not stop the roll-up: it is
listed as "chưa đủ điều kiện tổng hợp" with its reason and counted apart, as is a unit sent
twice. A dossier of another province or year is refused, naming its folder. Who issues the
roll-up (agency, signer, number, plan target, recipients) comes from `tong-hop.toml` (see
ROLLUP_EXAMPLE) and/or options; see `Issuer`. An optional roster of the province's units (a
plain Excel list) gives the units not yet submitted; last year's `tong-hop.xlsx` gives the
change per unit and per criterion.
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.common import limits
from pipeline.common.errors import InputError, Problem
from pipeline.common.vnformat import (
    number,
    place_key,
    upper,
    upper_first,
)
from pipeline.files.atomic import atomic_write_all
from pipeline.model.dossier import Dossier
from pipeline.model.labels import criterion_title
from pipeline.model.layout import OUTPUTS, dossier_name
from pipeline.model.layout import find_dossiers as layout_find_dossiers
from pipeline.model.profile import PROFILE_NAME
from pipeline.model.scorecard import Scorecard
from pipeline.model.units import Words, period_of, strip_kind
from pipeline.stages import freshness

BOOK_NAME = "tong-hop.xlsx"
REPORT_NAME = "BC-tong-hop.docx"
DECISION_NAME = "QD-cong-nhan-du-thao.docx"
PROFILE_NAME_ROLLUP = "tong-hop.toml"
NOT_ELIGIBLE = "chưa đủ điều kiện tổng hợp"
SUMMARY_SHEET = "Tổng hợp"  # tong-hop.xlsx's first sheet, read back as last year's

ROLLUP_EXAMPLE = """\
# tong-hop.toml: who issues the roll-up report (hoso tong-hop DIR --ho-so tong-hop.toml)
[co_quan]
ten = "Sở Y tế"                                  # cơ quan ban hành báo cáo
chu_quan = "Ủy ban nhân dân tỉnh An Giang"       # cơ quan chủ quản (để trống: UBND tỉnh)
viet_tat = "SYT"                                 # ký hiệu: "Số: 15/BC-SYT"
dia_danh = "An Giang"                            # địa danh ở dòng ngày tháng
tinh = "An Giang"                                # tỉnh, thành phố được tổng hợp
luu = "VT, NVY"
[ke_hoach]
muc_tieu_ty_le = 70                              # chỉ tiêu kế hoạch của tỉnh (%)
[van_ban]
so = ""                                          # để trống: văn thư ghi tay
ngay = ""                                        # ví dụ 2026-12-10
nguoi_ky = "Nguyễn Văn A"
chuc_vu = "Giám đốc"                             # dòng chức vụ trên chữ ký
ky_thay = ""                                     # "Phó Giám đốc": in "KT. GIÁM ĐỐC" rồi chức vụ này
kinh_gui = ["Ủy ban nhân dân tỉnh An Giang"]
noi_nhan = ["Như trên", "Bộ Y tế"]
[quyet_dinh]                                     # dự thảo Quyết định công nhận
nguoi_ky = ""                                    # để trống: Văn phòng UBND ghi
ky_thay = ""                                     # "Phó Chủ tịch": in "KT. CHỦ TỊCH"
"""


@dataclass(frozen=True)
class Issuer:
    """The agency issuing the roll-up, its signer and its plan (tong-hop.toml and options)."""

    ten: str = ""  # "Sở Y tế"; empty: "Ủy ban nhân dân <the receiving level>"
    chu_quan: str = ""  # the governing agency printed above; empty: the level's committee
    viet_tat: str = ""  # empty: the initials of `ten` ("SYT"), or "UBND"
    dia_danh: str = ""  # empty: the receiving level's name
    tinh: str = ""  # the province rolled up; empty: the one the dossiers share
    luu: str = "VT"
    so: int | None = None
    ngay: date | None = None
    nguoi_ky: str = ""
    chuc_vu: str = ""  # empty: "Chủ tịch" (with "TM. ỦY BAN NHÂN DÂN" for the default agency)
    ky_thay: str = ""
    kinh_gui: tuple[str, ...] = ()  # empty: the level's People's Committee
    noi_nhan: tuple[str, ...] = ()  # empty: "Như trên"
    muc_tieu_ty_le: Decimal | None = None  # the plan target, percent
    # The draft decision's signer ([quyet_dinh]): the chairman, or a vice-chairman for him.
    qd_nguoi_ky: str = ""
    qd_ky_thay: str = ""

    @property
    def symbol(self) -> str:
        """The issuer's part of the document symbol: "SYT" for "Sở Y tế"."""
        if self.viet_tat:
            return self.viet_tat
        if not self.ten:
            return "UBND"
        return "".join(w[0] for w in upper(self.ten).split() if w[0].isalpha())


@dataclass(frozen=True)
class CommuneRow:
    """One unit of the roll-up, as its scorecard says."""

    dossier: str  # the dossier folder's name
    unit: str  # in its own words: "phường Lê Chân"
    cap: str  # its kind: "xã", "phường", "đặc khu"
    total: Decimal
    threshold: Decimal
    scale: Decimal
    recognized: bool
    points: tuple[Decimal, ...]  # per criterion, in the rule set's order
    zero_criteria: tuple[int, ...]
    reasons: tuple[str, ...]
    card: Scorecard | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Excluded:
    """A dossier not rolled up ("chưa đủ điều kiện tổng hợp") and why."""

    dossier: str
    unit: str
    reason: str


@dataclass(frozen=True)
class CriterionRef:
    no: int
    letter: str
    name: str
    max: Decimal

    @property
    def title(self) -> str:
        """As the communes' papers name it: "tiêu chí 4 (Trẻ em vi phạm pháp luật…)"."""
        return criterion_title(self.no, self.name)


@dataclass(frozen=True)
class Previous:
    """Last year's roll-up, as its tong-hop.xlsx reads: totals and points by unit."""

    nam: int | None
    totals: dict[str, Decimal]
    points: dict[str, tuple[Decimal | None, ...]]


@dataclass(frozen=True)
class Rollup:
    """Every unit of a receiving level for one year, and what they add up to."""

    level: str  # "tỉnh An Giang", "thành phố Hải Phòng", "huyện Cao Lộc"
    level_kind: str  # "tỉnh", "thành phố", "huyện"…
    nam: int
    kinds: str  # "xã, phường, đặc khu"
    target: Decimal | None  # the plan target (tong-hop.toml), percent
    criteria: tuple[CriterionRef, ...]
    rows: tuple[CommuneRow, ...]
    excluded: tuple[Excluded, ...] = ()
    roster: tuple[str, ...] | None = None  # the province's units, when a roster is given
    not_submitted: tuple[str, ...] = ()
    previous: Previous | None = None
    units_sent: int = 0  # distinct units among the dossiers (a unit sent twice counts once)

    @property
    def evaluated(self) -> int:
        return len(self.rows)

    @property
    def recognized(self) -> int:
        return sum(1 for r in self.rows if r.recognized)

    @property
    def rate(self) -> Fraction:
        """Recognised units in percent of those evaluated."""
        return Fraction(100 * self.recognized, self.evaluated) if self.rows else Fraction(0)

    @property
    def submitted(self) -> int:
        """Dossier folders received."""
        return len(self.rows) + len(self.excluded)

    def by_kind(self) -> list[tuple[str, int, int]]:
        """(kind, evaluated, recognised) per kind of unit, in the period's order."""
        order = [k.strip() for k in self.kinds.split(",")]
        counts: dict[str, list[int]] = {}
        for row in self.rows:
            entry = counts.setdefault(row.cap, [0, 0])
            entry[0] += 1
            entry[1] += int(row.recognized)
        kinds = [k for k in order if k in counts] + sorted(set(counts) - set(order))
        return [(k, counts[k][0], counts[k][1]) for k in kinds]


@dataclass(frozen=True)
class RollupResult:
    rollup: Rollup
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- finding and reading the dossiers ------------------------------------------------------


def find_dossiers(dirs: Sequence[Path], outputs: Path = OUTPUTS) -> list[Dossier]:
    """The dossiers named by `dirs`, as `hoso build` takes them: a dossier folder (with
    hoso.toml), or a folder of dossier folders, each with its results in
    `outputs/<dossier name>/`. Every folder without one is reported."""
    if not dirs:
        raise InputError(
            [
                Problem.of(
                    "thieu-ho-so",
                    variant="chua-chi",
                    hint="ví dụ: hoso tong-hop ho-so/ --out tong-hop/",
                )
            ]
        )
    found = layout_find_dossiers(
        dirs,
        hint="chỉ tới thư mục chứa các thư mục hồ sơ các đơn vị đã gửi (mỗi thư mục có "
        "hoso.toml), ví dụ: hoso tong-hop ho-so/ --out tong-hop/.",
    )
    return [Dossier.open(folder, outputs=outputs) for folder in found]


@dataclass(frozen=True)
class _Read:
    folder: Path
    words: Words
    nam: int
    card: Scorecard | None
    why: str  # why it is not eligible ("" when it is)


def read_rollup(
    dossiers: Sequence[Dossier],
    issuer: Issuer | None = None,
    *,
    roster: Path | None = None,
    previous: Path | None = None,
) -> Rollup:
    """The roll-up of `dossiers`, each scored into its output folder. A dossier not
    scored or stale, or a unit sent twice, is listed as not eligible; one of another
    province or year is refused with every other such problem."""
    issuer = issuer or Issuer()
    problems: list[Problem] = []
    read: list[_Read] = []
    for dossier in dossiers:
        name = dossier.name
        try:
            profile = dossier.profile(sections=("don_vi",))
        except InputError as exc:
            problems += [_named(p, name) for p in exc.problems]
            continue
        unit = profile.don_vi
        card, why = _scoring(dossier)
        read.append(_Read(dossier.folder, unit.words, unit.nam, card, why))
    if not read and not problems:
        problems.append(Problem.of("thieu-ho-so", variant="khong-co", hint=None))
    if problems:
        raise InputError(problems)
    province, nam = _level_of(read, issuer)
    problems += _same_level(read, province, nam)
    if problems:
        raise InputError(problems)
    rows, excluded = _eligible(read)
    criteria = _criteria(rows)
    if len({tuple(c.no for c in r.card.criteria) for r in rows if r.card}) > 1:
        raise InputError([Problem.of("khac-bo-tieu-chi")])
    words = read[0].words
    districts = {r.words.huyen_day_du for r in read}
    district = next(iter(districts)) if len(districts) == 1 else ""
    period = period_of(nam)
    roster_units = _roster(roster, district or words.tinh_day_du) if roster else None
    submitted = {_unit_key(r.words.cap, r.words.ten) for r in read}
    missing = tuple(u for u in roster_units or () if not _submitted_match(u, submitted))
    return Rollup(
        level=district or province,
        level_kind=words.cap_huyen if district else words.cap_tinh,
        nam=nam,
        kinds=", ".join(period.levels) if period else words.cap,
        target=issuer.muc_tieu_ty_le,
        criteria=criteria,
        rows=tuple(rows),
        excluded=tuple(excluded),
        roster=roster_units,
        not_submitted=missing,
        previous=read_previous(previous) if previous else None,
        units_sent=len(submitted),
    )


def _scoring(dossier: Dossier) -> tuple[Scorecard | None, str]:
    """The current scorecard, or why there is none to roll up."""
    unfinished = freshness.incomplete_problems(dossier)
    if unfinished:
        return None, f"{clean(unfinished[0].message)}, cần chạy lại hoso build"
    try:
        scoring = freshness.current_scoring(dossier)
    except InputError as exc:
        first = exc.problems[0].message if exc.problems else "kết quả chấm điểm cũ"
        return None, f"kết quả chấm điểm cũ hơn hồ sơ ({clean(first)}), cần chấm điểm lại"
    if scoring is None:
        return None, "chưa chấm điểm"
    return scoring.card, ""


def clean(text: str) -> str:
    """A reason without its trailing punctuation, to end a sentence with one full stop."""
    return text.strip().rstrip(".;, ")


def _named(problem: Problem, dossier: str) -> Problem:
    return replace(problem, message=f"hồ sơ {dossier}: {problem.message}")


def _level_of(read: list[_Read], issuer: Issuer) -> tuple[str, int]:
    """The province (full: "tỉnh An Giang") and year rolled up: the settings' province, else
    the one most dossiers share; the year most dossiers share."""
    if issuer.tinh:
        name, kind = strip_kind(issuer.tinh, ("tỉnh", "thành phố"))
        match = [r.words for r in read if place_key(r.words.tinh) == place_key(name)]
        province = match[0].tinh_day_du if match else f"{kind or 'tỉnh'} {name}"
    else:
        province = Counter(r.words.tinh_day_du for r in read).most_common(1)[0][0]
    nam = Counter(r.nam for r in read).most_common(1)[0][0]
    return province, nam


def _same_level(read: list[_Read], province: str, nam: int) -> list[Problem]:
    """One province (or city) and one year: each dossier of another is named."""
    problems = []
    for r in read:
        name = dossier_name(r.folder)
        if place_key(r.words.tinh_day_du) != place_key(province):
            problems.append(
                Problem.of(
                    "khac-tinh",
                    variant="tong-hop",
                    file=str(r.folder / PROFILE_NAME),
                    field="don_vi.tinh",
                    hint="bỏ thư mục này ra khỏi lần tổng hợp; nếu là tên tỉnh cũ trước khi "
                    "sắp xếp đơn vị hành chính, đơn vị sửa don_vi.tinh theo tên tỉnh mới rồi "
                    "chấm điểm lại.",
                    name=name,
                    don_vi=r.words.don_vi,
                    tinh_day_du=r.words.tinh_day_du,
                    province=province,
                )
            )
        if r.nam != nam:
            problems.append(
                Problem.of(
                    "khac-nam",
                    variant="tong-hop",
                    file=str(r.folder / PROFILE_NAME),
                    field="don_vi.nam",
                    hint="mỗi lần tổng hợp chỉ các hồ sơ của một năm.",
                    name=name,
                    don_vi=r.words.don_vi,
                    dossier_year=r.nam,
                    nam=nam,
                )
            )
    return problems


def _unit_key(cap: str, ten: str) -> tuple[str, str]:
    return place_key(cap), place_key(ten)


def _eligible(read: list[_Read]) -> tuple[list[CommuneRow], list[Excluded]]:
    """The rows to roll up and the dossiers not eligible: not scored, stale, or a unit sent
    twice (the copies agree: the first folder counts; they differ: none counts)."""
    groups: dict[tuple[str, str], list[_Read]] = defaultdict(list)
    for r in read:
        groups[_unit_key(r.words.cap, r.words.ten)].append(r)
    rows: list[CommuneRow] = []
    excluded: list[Excluded] = []
    for r in read:
        same = groups[_unit_key(r.words.cap, r.words.ten)]
        name = dossier_name(r.folder)
        unit = upper_first(r.words.don_vi)
        if len(same) > 1:
            others = [dossier_name(s.folder) for s in same if s is not r]
            cards = [s.card for s in same]
            agree = (
                all(c is not None for c in cards)
                and len({(c.total, tuple(x.points for x in c.criteria)) for c in cards if c}) == 1
            )
            if not (agree and same[0] is r):
                copies = ", ".join(others)
                why = (
                    f"trùng đơn vị với hồ sơ {copies} (cùng kết quả, đã tổng hợp một lần)"
                    if agree
                    else f"trùng đơn vị với hồ sơ {copies}, kết quả khác nhau: cần xác định "
                    "hồ sơ đúng"
                )
                excluded.append(Excluded(name, unit, why))
                continue
        if r.card is None:
            excluded.append(Excluded(name, unit, r.why))
            continue
        rows.append(_row(r.words, r.card, name))
    return rows, excluded


def _row(words: Words, card: Scorecard, dossier: str) -> CommuneRow:
    return CommuneRow(
        dossier=dossier,
        unit=words.don_vi,
        cap=words.cap,
        total=card.total,
        threshold=card.threshold,
        scale=card.scale,
        recognized=card.recognized,
        points=tuple(c.points for c in card.criteria),
        zero_criteria=card.zero_criteria,
        reasons=card.reasons,
        card=card,
    )


def _criteria(rows: list[CommuneRow]) -> tuple[CriterionRef, ...]:
    first = next((r.card for r in rows if r.card), None)
    if first is None:
        return ()
    return tuple(CriterionRef(c.no, c.letter, c.name, c.max) for c in first.criteria)


def _split_unit(text: str) -> tuple[str, str]:
    """ "Xã Tân Hòa" -> ("xã", "Tân Hòa"); a name without its kind keeps an empty kind."""
    name, kind = strip_kind(text, ("xã", "phường", "thị trấn", "đặc khu"))
    return kind or "", name


def _submitted_match(entry: str, keys: set[tuple[str, str]]) -> bool:
    kind, name = _split_unit(entry)
    if kind:
        return _unit_key(kind, name) in keys
    return any(n == place_key(name) for _, n in keys)


def _roster(path: Path, level: str) -> tuple[str, ...]:
    """The province's units from a plain Excel list: the first sheet, the column headed
    "Đơn vị" (or "Tên đơn vị", "Xã, phường"…), else its first column; one unit a row."""
    grids = _read_sheets(path, "danh sách đơn vị")
    grid = grids[0]
    column, start = 0, 0
    for r in range(min(len(grid.rows), 10)):
        for c, value in enumerate(grid.rows[r]):
            text = place_key(str(value or ""))
            if text.startswith(("đơn vị", "tên đơn vị", "tên", "xã")):
                column, start = c, r + 1
                break
        else:
            continue
        break
    units: list[str] = []
    for r in range(start, len(grid.rows)):
        value = grid.value(r, column)
        text = " ".join(str(value).split()) if value is not None else ""
        if text and not text.isdigit() and text not in units:
            units.append(text)
    if not units:
        raise InputError([Problem.of("danh-sach-trong", file=str(path), level=level)])
    return tuple(units)


def _read_sheets(path: Path, what: str) -> list[Any]:
    from pipeline.files.sheets import ReadProblem, read_book

    try:
        return read_book(path.read_bytes())
    except FileNotFoundError:
        raise InputError([Problem.of("khong-co-tep", file=str(path), what=what)]) from None
    except ReadProblem as exc:
        raise InputError(
            [Problem(exc.code, f"{what}: {exc.message}", file=str(path), hint=exc.hint)]
        ) from None


def read_previous(path: Path) -> Previous:
    """Last year's roll-up from its tong-hop.xlsx (sheet "Tổng hợp"): totals and the points
    of each criterion, by unit."""
    grids = _read_sheets(path, "bảng tổng hợp năm trước")
    grid = next((g for g in grids if g.name == SUMMARY_SHEET), grids[0])
    head = None
    for r in range(min(len(grid.rows), 12)):
        if [str(v or "").strip() for v in grid.rows[r][:2]] == ["TT", "Đơn vị"]:
            head = r
            break
    if head is None:
        raise InputError([Problem.of("khong-phai-bang-tong-hop", file=str(path))])
    titles = [str(v or "").split("\n")[0].strip() for v in grid.rows[head]]
    total_col = titles.index("Tổng điểm") if "Tổng điểm" in titles else 3
    criteria = [i for i, t in enumerate(titles) if t.startswith("TC ")]
    totals: dict[str, Decimal] = {}
    points: dict[str, tuple[Decimal | None, ...]] = {}
    for r in range(head + 1, len(grid.rows)):
        unit = grid.value(r, 1)
        total = grid.value(r, total_col)
        if not isinstance(unit, str) or not isinstance(total, int | float | Decimal):
            continue
        key = place_key(unit)
        totals[key] = Decimal(str(total))
        points[key] = tuple(
            Decimal(str(v)) if isinstance(v, int | float | Decimal) else None
            for v in (grid.value(r, c) for c in criteria)
        )
    year = None
    title = str(grid.value(0, 0) or "")
    for word in title.split():
        if word.isdigit() and len(word) == 4:
            year = int(word)
    return Previous(year, totals, points)


# --- the issuer ---------------------------------------------------------------------------

_KEYS = {
    "co_quan": {"ten", "chu_quan", "viet_tat", "dia_danh", "tinh", "luu"},
    "ke_hoach": {"muc_tieu_ty_le"},
    "van_ban": {"so", "ngay", "nguoi_ky", "chuc_vu", "ky_thay", "kinh_gui", "noi_nhan"},
    "quyet_dinh": {"qd_nguoi_ky", "qd_ky_thay"},
}
# [quyet_dinh] keys as written in the file -> Issuer fields.
_DECISION_KEYS = {"nguoi_ky": "qd_nguoi_ky", "ky_thay": "qd_ky_thay"}


def load_issuer(path: Path | None, **options: str | None) -> Issuer:
    """The issuer from a tong-hop.toml (optional) then the options given (which win).
    Every problem of the file is reported together, each with its key."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if path is not None:
        raw = _read(path)
        for section, table in raw.items():
            if section not in _KEYS or not isinstance(table, dict):
                known = ", ".join(f"[{k}]" for k in _KEYS)
                problems.append(
                    Problem.of(
                        "khong-hop-le",
                        variant="muc",
                        file=str(path),
                        field=section or None,
                        hint=f"chỉ có {known}.",
                    )
                )
                continue
            for written, value in table.items():
                key = (
                    str(_DECISION_KEYS.get(written, written))
                    if section == "quyet_dinh"
                    else written
                )
                problems += _take(path, section, key, value, values)
    values.update({k: v.strip() for k, v in options.items() if v is not None and v.strip()})
    where = str(path) if path else None
    if not values.get("nguoi_ky"):
        problems.append(
            Problem.of(
                "chua-dien",
                variant="nguoi-ky",
                file=where,
                field="van_ban.nguoi_ky",
                hint='ghi --nguoi-ky "Họ và tên", hoặc nguoi_ky trong '
                f"[van_ban] của {PROFILE_NAME_ROLLUP}.",
            )
        )
    problems += _authority_problems(values, where)
    if problems:
        raise InputError(problems)
    return Issuer(**values)


def _authority_problems(values: dict[str, Any], where: str | None) -> list[Problem]:
    """A deputy signs "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC": the head's title above, the deputy's
    below; "KT. PHÓ GIÁM ĐỐC" is refused, as the communes' profile checks do."""
    head, deputy = str(values.get("chuc_vu", "")), str(values.get("ky_thay", ""))
    if not deputy:
        return []
    problems = []
    if place_key(head).startswith("phó"):
        problems.append(
            Problem.of(
                "ky-thay",
                variant="cap-truong",
                file=where,
                field="van_ban.chuc_vu",
                hint='ghi chuc_vu = "Giám đốc" và ky_thay = "Phó Giám đốc".',
                head=upper(head),
            )
        )
    if not place_key(deputy).startswith("phó"):
        problems.append(
            Problem.of(
                "ky-thay",
                variant="cap-pho",
                file=where,
                field="van_ban.ky_thay",
                hint='ghi chức vụ của cấp phó ký thay, ví dụ "Phó Giám đốc"; '
                "người đứng đầu ký thì để trống ky_thay.",
                deputy=deputy,
            )
        )
    return problems


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > limits.MAX_PROFILE_BYTES:
            raise InputError(
                [
                    Problem.of(
                        "khong-hop-le",
                        variant="tep-qua-lon",
                        file=str(path),
                        hint="chỉ vài dòng là đủ.",
                    )
                ]
            )
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise InputError(
            [
                Problem.of(
                    "khong-hop-le",
                    variant="khong-co-tep",
                    file=str(path),
                    hint="kiểm tra đường dẫn.",
                )
            ]
        ) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        hint = "mở bằng Notepad, sửa dòng được báo, lưu dạng UTF-8."
        raise InputError(
            [
                Problem.of(
                    "khong-hop-le", variant="tep-viet-sai", file=str(path), hint=hint, error=exc
                )
            ]
        ) from None
    except RecursionError:
        hint = "chỉ vài dòng `khoa = giá trị` là đủ: xóa các dấu [ [ [ … thừa."
        raise InputError(
            [Problem.of("khong-hop-le", variant="long-qua-sau", file=str(path), hint=hint)]
        ) from None


def _take(path: Path, section: str, key: str, value: Any, values: dict[str, Any]) -> list[Problem]:
    where = f"{section}.{key}"
    if key not in _KEYS[section]:
        known = ", ".join(sorted(_KEYS[section]))
        return [
            Problem.of(
                "khong-hop-le",
                variant="khoa",
                file=str(path),
                field=where or None,
                hint=f"các khóa: {known}.",
            )
        ]
    if key in ("so", "ngay") and value == "":
        return []  # left blank for the clerk to write by hand
    taken, hint = _convert(key, value)
    if taken is None:
        return [
            Problem.of(
                "khong-hop-le",
                variant="gia-tri",
                file=str(path),
                field=where or None,
                hint=hint,
                written=value,
            )
        ]
    values[key] = taken
    return []


def _convert(key: str, value: Any) -> tuple[Any, str]:
    """The value of one key of tong-hop.toml, or None and how to write it."""
    if key == "so":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000
        return (value if ok else None), 'một số văn bản, ví dụ so = 15, hoặc so = "".'
    if key == "ngay":
        ok = isinstance(value, date) and not isinstance(value, datetime)
        return (value if ok else None), "một ngày, ví dụ ngay = 2024-12-10."
    if key == "muc_tieu_ty_le":
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 100
        return (Decimal(str(value)) if ok else None), "một tỷ lệ phần trăm, ví dụ 70."
    if key in ("noi_nhan", "kinh_gui"):
        ok = isinstance(value, list) and len(value) <= limits.MAX_LIST_ITEMS
        ok = ok and all(isinstance(v, str) and len(v) <= limits.MAX_LINE_CHARS for v in value)
        items = tuple(" ".join(v.split()) for v in value if v.strip()) if ok else None
        return items, f'một danh sách, ví dụ {key} = ["Bộ Y tế"].'
    ok = isinstance(value, str) and len(value) <= limits.MAX_LINE_CHARS
    return (" ".join(value.split()) if ok else None), 'một dòng chữ, ví dụ "Sở Y tế".'


# --- analysis -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    """One criterion or sub-item across the province."""

    id: str  # "3" for a criterion, "3.1" for a sub-item
    name: str
    max: Decimal
    lost: int  # units below the maximum
    average: Decimal
    rate: Fraction | None  # the province-wide rate of a rate item (sum of parts)
    previous: Decimal | None = None  # last year's average (criteria only)


def analysis(rollup: Rollup) -> list[ItemLine]:
    """Per criterion and sub-item: how many units lost points, the average, and for a rate
    the province-wide rate (every unit's numerators over every unit's denominators)."""
    cards = [r.card for r in rollup.rows if r.card is not None]
    if not cards:
        return []
    lines: list[ItemLine] = []
    previous = _previous_averages(rollup)
    for i, criterion in enumerate(cards[0].criteria):
        scores = [c.criteria[i] for c in cards]
        lines.append(
            ItemLine(
                str(criterion.no),
                criterion_title(criterion.no, criterion.name),
                criterion.max,
                sum(1 for s in scores if s.points < s.max),
                _mean([s.points for s in scores]),
                None,
                previous[i] if previous else None,
            )
        )
        for j, item in enumerate(criterion.items):
            found = [s.items[j] for s in scores]
            rate = None
            if item.kind in ("rate", "village_share"):
                num = sum(x.numerator or 0 for x in found)
                den = sum(x.denominator or 0 for x in found)
                rate = Fraction(100 * num, den) if den else None
            lines.append(
                ItemLine(
                    item.id,
                    item.label,
                    item.max,
                    sum(1 for x in found if x.points < x.max),
                    _mean([x.points for x in found]),
                    rate,
                )
            )
    return lines


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, start=Decimal(0)) / len(values) if values else Decimal(0)


def _previous_averages(rollup: Rollup) -> list[Decimal | None] | None:
    if rollup.previous is None or not rollup.previous.points:
        return None
    columns = list(zip(*rollup.previous.points.values(), strict=False))
    return [
        _mean([v for v in column if v is not None]) if any(v is not None for v in column) else None
        for column in columns
    ] + [None] * max(0, len(rollup.criteria) - len(columns))


def previous_total(rollup: Rollup, row: CommuneRow) -> Decimal | None:
    if rollup.previous is None:
        return None
    return rollup.previous.totals.get(place_key(row.unit))


def reason(rollup: Rollup, row: CommuneRow) -> str:
    """Why a unit is not recognised, once, with criteria named as in its papers:
    "tổng điểm 760, thấp hơn ngưỡng 800 điểm (còn thiếu 40 điểm); tiêu chí c) … bị 0 điểm"."""
    parts = []
    if row.total < row.threshold:
        parts.append(
            f"tổng điểm {number(row.total, 2)}, thấp hơn ngưỡng {number(row.threshold)} điểm "
            f"(còn thiếu {number(row.threshold - row.total, 2)} điểm)"
        )
    names = {c.no: c.title for c in rollup.criteria}
    parts += [f"{names.get(n, f'tiêu chí {n}')} bị 0 điểm" for n in row.zero_criteria]
    return "; ".join(parts) or "chưa đạt"


def kinds_phrase(counts: Sequence[tuple[str, int]]) -> str:
    """ "9 xã, 5 phường và 2 đặc khu": each unit named by its own kind."""
    parts = [f"{n} {kind}" for kind, n in counts if n]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " và " + parts[-1]
    return parts[0] if parts else "0 đơn vị"


# --- writing ------------------------------------------------------------------------------


def roll_up(
    dossiers: Sequence[Dossier],
    out: Path,
    issuer: Issuer,
    *,
    roster: Path | None = None,
    previous: Path | None = None,
) -> RollupResult:
    """Read the dossiers' scorecards and write tong-hop.xlsx, BC-tong-hop.docx and the draft
    decision into `out` together (nothing is written when a dossier is refused)."""
    from pipeline.stages.rollup_papers import decision_bytes, report_bytes, workbook_bytes

    rollup = read_rollup(dossiers, issuer, roster=roster, previous=previous)
    files = [
        (out / BOOK_NAME, workbook_bytes(rollup, issuer)),
        (out / REPORT_NAME, report_bytes(rollup, issuer)),
    ]
    if rollup.recognized:
        files.append((out / DECISION_NAME, decision_bytes(rollup, issuer)))
    atomic_write_all(files)
    warnings = [
        f"{NOT_ELIGIBLE}: {e.unit} (hồ sơ {e.dossier}): {e.reason}." for e in rollup.excluded
    ]
    if rollup.recognized and not issuer.qd_nguoi_ky:
        warnings.append(
            f"dự thảo Quyết định chưa có họ tên người ký (nguoi_ky trong "
            f'[quyet_dinh] của {PROFILE_NAME_ROLLUP}): đang ghi "Họ và tên".'
        )
    if rollup.target is None:
        warnings.append(
            "chưa có chỉ tiêu kế hoạch (muc_tieu_ty_le trong [ke_hoach] của "
            f"{PROFILE_NAME_ROLLUP}): báo cáo không so sánh với chỉ tiêu."
        )
    return RollupResult(rollup, [path for path, _ in files], warnings)
