"""`hoso tong-hop`: the receiving level's roll-up of many communes' scorecards.

The province (or, before July 2025, the district) receives every commune's dossier. For
each dossier this reads its current scorecard (refused through `freshness.current_scoring`
when the figures changed since it was scored, naming the dossier) and the unit's words from
its hoso.toml, then writes `tong-hop.xlsx` (a row per commune, the points of each criterion
and a native Excel chart) and `BC-tong-hop.docx`, the summary report in the Decree 30
layout, built directly with python-docx and the `nd30` building blocks: its table has
as many rows as there are communes and its wording is the receiving level's own, so there
is no clerk's template to fill.

Who issues the roll-up (agency, signer, number, recipients) comes from a small TOML file
(`tong-hop.toml`, see ROLLUP_EXAMPLE) and/or options; see `Issuer`.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.common import limits
from pipeline.common.errors import InputError, Problem
from pipeline.common.vnformat import doc_number, long_date, number, percent, upper, upper_first
from pipeline.files.atomic import atomic_write_all
from pipeline.model.profile import load_profile
from pipeline.model.scorecard import Scorecard
from pipeline.model.units import Words, period_of
from pipeline.stages import freshness

BOOK_NAME = "tong-hop.xlsx"
REPORT_NAME = "BC-tong-hop.docx"
PROFILE_NAME = "tong-hop.toml"

ROLLUP_EXAMPLE = """\
# tong-hop.toml: who issues the roll-up report (hoso tong-hop --ho-so tong-hop.toml)
[co_quan]
ten = "Sở Y tế"                                  # cơ quan ban hành báo cáo
chu_quan = "Ủy ban nhân dân tỉnh Lạng Sơn"       # cơ quan chủ quản (để trống nếu không có)
viet_tat = "SYT"                                 # ký hiệu: "Số: 15/BC-SYT"
dia_danh = "Lạng Sơn"                            # địa danh ở dòng ngày tháng
luu = "VT, NVY"
[van_ban]
so = ""                                          # để trống: văn thư ghi tay
ngay = ""                                        # ví dụ 2024-12-10
nguoi_ky = "Nguyễn Văn A"
chuc_vu = "Giám đốc"                             # dòng chức vụ trên chữ ký
ky_thay = ""                                     # "Phó Giám đốc": in "KT. GIÁM ĐỐC" rồi chức vụ này
noi_nhan = ["Ủy ban nhân dân tỉnh", "Bộ Y tế"]
"""


@dataclass(frozen=True)
class Issuer:
    """The agency issuing the roll-up and its signer (tong-hop.toml and options)."""

    ten: str = ""  # "Sở Y tế"; empty: "Ủy ban nhân dân <the receiving level>"
    chu_quan: str = ""  # the governing agency printed above, if any
    viet_tat: str = ""  # empty: "UBND"
    dia_danh: str = ""  # empty: the receiving level's name
    luu: str = "VT"
    so: int | None = None
    ngay: date | None = None
    nguoi_ky: str = ""
    chuc_vu: str = ""  # empty: "Chủ tịch" (with "TM. ỦY BAN NHÂN DÂN" for the default agency)
    ky_thay: str = ""
    noi_nhan: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommuneRow:
    """One commune of the roll-up, as its scorecard says."""

    dossier: str  # the dossier folder's name
    unit: str  # in its own words: "phường Lê Chân"
    total: Decimal
    threshold: Decimal
    scale: Decimal
    recognized: bool
    points: tuple[Decimal, ...]  # per criterion, in the rule set's order
    zero_criteria: tuple[int, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Rollup:
    """Every commune of a receiving level for one year, and what they add up to."""

    level: str  # "tỉnh Lạng Sơn", "thành phố Hải Phòng", "huyện Cao Lộc"
    level_kind: str  # "tỉnh", "thành phố", "huyện"…
    nam: int
    kinds: str  # "xã, phường, thị trấn"
    target: Decimal  # ke_hoach.muc_tieu_ty_le, percent
    criteria: tuple[tuple[int, str], ...]  # (number, name)
    rows: tuple[CommuneRow, ...]

    @property
    def evaluated(self) -> int:
        return len(self.rows)

    @property
    def recognized(self) -> int:
        return sum(1 for r in self.rows if r.recognized)

    @property
    def rate(self) -> Fraction:
        """Recognised communes in percent of those evaluated."""
        return Fraction(100 * self.recognized, self.evaluated) if self.rows else Fraction(0)


@dataclass(frozen=True)
class RollupResult:
    rollup: Rollup
    written: list[Path] = field(default_factory=list)


def read_rollup(dossiers: Sequence[Path], outputs: Path) -> Rollup:
    """The roll-up of `dossiers`, each scored into `outputs/<dossier name>/`; every problem
    of every dossier (not scored, stale, another province or year) is reported together."""
    problems: list[Problem] = []
    found: list[tuple[Words, int, Decimal, Scorecard, str]] = []
    for dossier in dossiers:
        name = dossier.resolve().name
        try:
            profile = load_profile(dossier, sections=("don_vi", "ke_hoach"))
            unfinished = freshness.incomplete_problems(outputs / name, dossier)
            if unfinished:
                raise InputError(unfinished)
            scoring = freshness.current_scoring(dossier, outputs / name)
        except InputError as exc:
            problems += [_named(p, name) for p in exc.problems]
            continue
        if scoring is None:
            problems.append(
                Problem(
                    "chua-cham-diem",
                    f"hồ sơ {name}: chưa chấm điểm (không có {outputs / name}/scorecard.json)",
                    file=str(dossier),
                    hint=f"chạy `hoso ingest {dossier}` rồi `hoso score {dossier}`, hoặc chỉ "
                    "đúng thư mục kết quả bằng --from.",
                )
            )
            continue
        unit = profile.don_vi
        found.append((unit.words, unit.nam, profile.ke_hoach.muc_tieu_ty_le, scoring.card, name))
    if not dossiers:
        problems.append(Problem("thieu-ho-so", "chưa chỉ thư mục hồ sơ nào", hint="ví dụ: "
                                "hoso tong-hop ho-so/* --out tong-hop/"))  # fmt: skip
    problems += _same_level(found)
    if problems:
        raise InputError(problems)
    words, nam, _, first, _ = found[0]
    districts = {w.huyen_day_du for w, *_ in found}
    district = next(iter(districts)) if len(districts) == 1 else ""
    period = period_of(nam)
    targets = Counter(target for _, _, target, _, _ in found)
    return Rollup(
        level=district or words.tinh_day_du,
        level_kind=words.cap_huyen if district else words.cap_tinh,
        nam=nam,
        kinds=", ".join(period.levels) if period else words.cap,
        target=targets.most_common(1)[0][0],
        criteria=tuple((c.no, c.name) for c in first.criteria),
        rows=tuple(_row(w, card, name) for w, _, _, card, name in found),
    )


def _named(problem: Problem, dossier: str) -> Problem:
    return replace(problem, message=f"hồ sơ {dossier}: {problem.message}")


def _row(words: Words, card: Scorecard, dossier: str) -> CommuneRow:
    return CommuneRow(
        dossier=dossier,
        unit=words.don_vi,
        total=card.total,
        threshold=card.threshold,
        scale=card.scale,
        recognized=card.recognized,
        points=tuple(c.points for c in card.criteria),
        zero_criteria=card.zero_criteria,
        reasons=card.reasons,
    )


def _same_level(found: list[tuple[Words, int, Decimal, Scorecard, str]]) -> list[Problem]:
    """One province (or city) and one year: a roll-up is one level's report for one year."""
    problems = []
    provinces = {w.tinh_day_du for w, *_ in found}
    years = {nam for _, nam, *_ in found}
    criteria = {tuple(c.no for c in card.criteria) for *_, card, _ in found}
    if len(provinces) > 1:
        problems.append(
            Problem(
                "khac-tinh",
                "các hồ sơ thuộc nhiều tỉnh, thành phố: " + ", ".join(sorted(provinces)),
                hint="mỗi lần tổng hợp chỉ các hồ sơ của một tỉnh, thành phố.",
            )
        )
    if len(years) > 1:
        problems.append(Problem("khac-nam", "các hồ sơ thuộc nhiều năm đánh giá: "
                                + ", ".join(str(y) for y in sorted(years)),
                                hint="mỗi lần tổng hợp chỉ các hồ sơ của một năm."))  # fmt: skip
    if len(criteria) > 1:
        problems.append(
            Problem(
                "khac-bo-tieu-chi",
                "các hồ sơ chấm theo những bộ tiêu chí khác nhau",
                hint="chấm lại các hồ sơ theo cùng một bộ tiêu chí.",
            )
        )
    return problems


# --- the issuer ---------------------------------------------------------------------------

_KEYS = {
    "co_quan": {"ten", "chu_quan", "viet_tat", "dia_danh", "luu"},
    "van_ban": {"so", "ngay", "nguoi_ky", "chuc_vu", "ky_thay", "noi_nhan"},
}


def load_issuer(path: Path | None, **options: str | None) -> Issuer:
    """The issuer from a tong-hop.toml (optional) then the options given (which win).
    Every problem of the file is reported together, each with its key."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if path is not None:
        raw = _read(path)
        for section, table in raw.items():
            if section not in _KEYS or not isinstance(table, dict):
                problems.append(_bad(path, section, "mục không có", "chỉ có [co_quan], [van_ban]."))
                continue
            for key, value in table.items():
                problems += _take(path, section, key, value, values)
    values.update({k: v.strip() for k, v in options.items() if v is not None and v.strip()})
    if problems:
        raise InputError(problems)
    if not values.get("nguoi_ky"):
        raise InputError([Problem("chua-dien", "chưa có người ký báo cáo tổng hợp",
                                  file=str(path) if path else None, field="van_ban.nguoi_ky",
                                  hint='ghi --nguoi-ky "Họ và tên", hoặc nguoi_ky trong '
                                  f"[van_ban] của {PROFILE_NAME}.")])  # fmt: skip
    return Issuer(**values)


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > limits.MAX_PROFILE_BYTES:
            raise InputError([_bad(path, "", "tệp quá lớn", "chỉ vài dòng là đủ.")])
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise InputError([_bad(path, "", "không tìm thấy tệp", "kiểm tra đường dẫn.")]) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        hint = "mở bằng Notepad, sửa dòng được báo, lưu dạng UTF-8."
        raise InputError([_bad(path, "", f"tệp viết sai ({exc})", hint)]) from None
    except RecursionError:
        hint = "chỉ vài dòng `khoa = giá trị` là đủ: xóa các dấu [ [ [ … thừa."
        raise InputError([_bad(path, "", "mảng lồng nhau quá sâu", hint)]) from None


def _take(path: Path, section: str, key: str, value: Any, values: dict[str, Any]) -> list[Problem]:
    where = f"{section}.{key}"
    if key not in _KEYS[section]:
        known = ", ".join(sorted(_KEYS[section]))
        return [_bad(path, where, "khóa không có", f"các khóa: {known}.")]
    if key in ("so", "ngay") and value == "":
        return []  # left blank for the clerk to write by hand
    taken, hint = _convert(key, value)
    if taken is None:
        return [_bad(path, where, f"{value!r} không hợp lệ", hint)]
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
    if key == "noi_nhan":
        ok = isinstance(value, list) and len(value) <= limits.MAX_LIST_ITEMS
        ok = ok and all(isinstance(v, str) and len(v) <= limits.MAX_LINE_CHARS for v in value)
        items = tuple(" ".join(v.split()) for v in value if v.strip()) if ok else None
        return items, 'một danh sách, ví dụ noi_nhan = ["Bộ Y tế"].'
    ok = isinstance(value, str) and len(value) <= limits.MAX_LINE_CHARS
    return (" ".join(value.split()) if ok else None), 'một dòng chữ, ví dụ "Sở Y tế".'


def _bad(path: Path, key: str, message: str, hint: str) -> Problem:
    return Problem("khong-hop-le", message, file=str(path), field=key or None, hint=hint)


# --- writing ------------------------------------------------------------------------------


def roll_up(dossiers: Sequence[Path], out: Path, outputs: Path, issuer: Issuer) -> RollupResult:
    """Read the dossiers' scorecards and write tong-hop.xlsx and BC-tong-hop.docx into
    `out` together (nothing is written when any dossier is refused)."""
    rollup = read_rollup(dossiers, outputs)
    files = [
        (out / BOOK_NAME, workbook_bytes(rollup, issuer)),
        (out / REPORT_NAME, report_bytes(rollup, issuer)),
    ]
    atomic_write_all(files)
    return RollupResult(rollup, [path for path, _ in files])


def _verdict(row: CommuneRow) -> str:
    return "Đạt" if row.recognized else "Không đạt"


def _zeros(row: CommuneRow) -> str:
    return ", ".join(str(n) for n in row.zero_criteria)


def _agency(rollup: Rollup, issuer: Issuer) -> str:
    return issuer.ten or f"Ủy ban nhân dân {rollup.level}"


def workbook_bytes(rollup: Rollup, issuer: Issuer) -> bytes:
    """tong-hop.xlsx: one row per commune, points per criterion, and a bar chart."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font

    from pipeline.files.atomic import workbook_bytes as deterministic

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Tổng hợp"
    bold = Font(name="Times New Roman", bold=True, size=12)
    ws["A1"] = upper(
        f"Kết quả đánh giá {rollup.kinds} phù hợp với trẻ em năm {rollup.nam} - {rollup.level}"
    )
    ws["A1"].font = Font(name="Times New Roman", bold=True, size=14)
    ws["A2"] = (
        f"Đã đánh giá: {rollup.evaluated}; đạt: {rollup.recognized} "
        f"({percent(rollup.rate)}); chỉ tiêu kế hoạch: {percent(rollup.target, 0)}"
    )
    header = ["TT", "Đơn vị", "Tổng điểm", "Ngưỡng", "Kết quả"]
    header += [f"TC {no}" for no, _ in rollup.criteria] + ["Tiêu chí 0 điểm"]
    first = 4
    for col, text in enumerate(header, start=1):
        cell = ws.cell(first, col, text)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for i, row in enumerate(rollup.rows, start=1):
        values: list[Any] = [i, upper_first(row.unit), int(row.total), int(row.threshold)]
        values += [_verdict(row), *(int(p) for p in row.points), _zeros(row)]
        for col, value in enumerate(values, start=1):
            ws.cell(first + i, col, value)
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = f"C{first + 1}"
    for no, name in rollup.criteria:  # the criteria's names, under the table
        ws.cell(first + len(rollup.rows) + 1 + no, 2, f"TC {no}: {name}")
    if rollup.rows:
        chart = BarChart()
        chart.title = f"Tổng điểm các đơn vị năm {rollup.nam}"
        chart.y_axis.title = "Điểm"
        last = first + len(rollup.rows)
        chart.add_data(Reference(ws, min_col=3, min_row=first, max_row=last), titles_from_data=True)
        chart.add_data(Reference(ws, min_col=4, min_row=first, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=first + 1, max_row=last))
        chart.width, chart.height = 28, 12
        book.create_sheet("Biểu đồ").add_chart(chart, "A1")
    book.properties.title = ws["A1"].value
    return deterministic(book, datetime(rollup.nam, 1, 1))


# The report's table: TT, unit, total, threshold, verdict, criteria at zero (165 mm).
_COLUMNS = (("TT", 600, "BangChu"), ("Đơn vị", 3155, "BangChu"), ("Tổng điểm", 1300, "BangSo"),
            ("Ngưỡng", 1200, "BangSo"), ("Kết quả", 1500, "BangChu"),
            ("Tiêu chí 0 điểm", 1600, "BangChu"))  # fmt: skip


def report_bytes(rollup: Rollup, issuer: Issuer) -> bytes:
    """BC-tong-hop.docx, in the Decree 30 layout (Mẫu 1.4, a report)."""
    from docx.shared import Pt

    from pipeline.files.atomic import docx_bytes, set_core_properties
    from pipeline.papers import nd30

    agency = _agency(rollup, issuer)
    symbol = issuer.viet_tat or "UBND"
    place = issuer.dia_danh or rollup.level.removeprefix(f"{rollup.level_kind} ")
    doc = nd30.new_document()
    nd30.header_block(
        doc,
        _agency_lines(agency),
        f"Số: {doc_number(issuer.so)}/BC-{symbol}",
        f"{place}, {long_date(issuer.ngay, rollup.nam)}",
        parent_agency=upper(issuer.chu_quan) if issuer.chu_quan else None,
    )
    subject = (
        f"Kết quả đánh giá, công nhận {rollup.kinds} phù hợp với trẻ em năm {rollup.nam} "
        f"trên địa bàn {rollup.level}"
    )
    nd30.title_block(doc, "BÁO CÁO", [subject])
    for style, text in _body(rollup, agency):
        nd30.paragraph(doc, style, text)
    nd30.data_table(
        doc,
        [nd30.Column(*c) for c in _COLUMNS],
        [
            nd30.Row((str(i), upper_first(r.unit), number(r.total), number(r.threshold),
                      _verdict(r), _zeros(r)))
            for i, r in enumerate(rollup.rows, start=1)
        ],
    )  # fmt: skip
    closing = [("DeMuc", "III. CÁC ĐƠN VỊ CHƯA ĐẠT")]
    failing = [r for r in rollup.rows if not r.recognized]
    for r in failing:
        why = "; ".join(r.reasons) or "chưa đạt"
        closing.append(("NoiDung", f"- {upper_first(r.unit)}: {why}."))
    if not failing:
        closing.append(("NoiDung", "Không có đơn vị nào chưa đạt."))
    closing.append(
        ("NoiDung", f"Trên đây là báo cáo kết quả đánh giá, công nhận {rollup.kinds} phù hợp "
         f"với trẻ em năm {rollup.nam} trên địa bàn {rollup.level} của {agency}./.")
    )  # fmt: skip
    for i, (style, text) in enumerate(closing):
        para = nd30.paragraph(doc, style, text)
        if i == 0:
            para.paragraph_format.space_before = Pt(12)
    _signature(doc, rollup, issuer, agency)
    set_core_properties(
        doc,
        title=f"Báo cáo - BC-{symbol}",
        subject=subject,
        author=agency,
        when=datetime.combine(issuer.ngay or date(rollup.nam, 1, 1), datetime.min.time()),
    )
    return docx_bytes(doc)


def _agency_lines(agency: str) -> list[str]:
    """The agency in caps, split after "ỦY BAN NHÂN DÂN" as the samples do."""
    text = upper(agency)
    head = "ỦY BAN NHÂN DÂN"
    if text.startswith(head + " "):
        return [head, text.removeprefix(head + " ")]
    return [text]


def _body(rollup: Rollup, agency: str) -> list[tuple[str, str]]:
    target = Fraction(rollup.target)
    if rollup.rate >= target:
        against = f"đạt chỉ tiêu kế hoạch ({percent(target, 0)})"
    else:
        against = f"chưa đạt chỉ tiêu kế hoạch ({percent(target, 0)})"
    return [
        (
            "NoiDung",
            "Thực hiện Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ ban hành "
            "Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp với "
            f"trẻ em, {agency} báo cáo kết quả đánh giá, công nhận năm {rollup.nam} trên địa bàn "
            f"{rollup.level} như sau:",
        ),
        ("DeMuc", "I. KẾT QUẢ CHUNG"),
        (
            "NoiDung",
            f"Số đơn vị đã đánh giá: {rollup.evaluated}; số đơn vị đạt tiêu chuẩn phù hợp với "
            f"trẻ em: {rollup.recognized}, chiếm {percent(rollup.rate)}, {against}; số đơn vị "
            f"chưa đạt: {rollup.evaluated - rollup.recognized}.",
        ),
        ("DeMuc", "II. BẢNG TỔNG HỢP KẾT QUẢ"),
    ]


def _signature(doc: Any, rollup: Rollup, issuer: Issuer, agency: str) -> None:
    """Nơi nhận on the left; authority, room to sign and the name on the right."""
    from docx.oxml import OxmlElement

    from pipeline.papers import nd30

    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    table = nd30.layout_table(
        doc, (nd30.SIGNATURE_LEFT_TWIPS, nd30.SIGNATURE_RIGHT_TWIPS), top_pad_pt=6
    )
    left, right = table.rows[0].cells
    nd30.paragraph(left, "NoiNhan", "Nơi nhận:")
    for text in [*(f"- {n};" for n in issuer.noi_nhan), f"- Lưu: {issuer.luu}."]:
        nd30.paragraph(left, "NoiNhanDS", text)
    for line in _authority(issuer, issuer.ten == ""):
        nd30.paragraph(right, "QuyenHanKy", line)
    nd30.paragraph(right, "HoTenKy", issuer.nguoi_ky)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _authority(issuer: Issuer, council: bool) -> list[str]:
    """Decree 30, Appendix I, II.7.b: "KT. GIÁM ĐỐC" over the deputy's title; a people's
    committee signs "TM. ỦY BAN NHÂN DÂN" over its chairman's."""
    title = upper(issuer.chuc_vu or "Chủ tịch")
    lines = ["TM. ỦY BAN NHÂN DÂN"] if council and not issuer.chuc_vu else []
    if issuer.ky_thay:
        return [*lines, f"KT. {title}", upper(issuer.ky_thay)]
    return [*lines, title]
