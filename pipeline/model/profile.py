"""The commune profile (`hoso.toml`): its model, its validating loader and `hoso init`.

Loading never stops at the first mistake: every problem is collected with its key
path, what was found and what was expected, then raised together as one `InputError`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pipeline.common import limits
from pipeline.common.errors import (
    CATALOGUE_HINT,
    EnvironmentProblem,
    InputError,
    Problem,
    did_you_mean,
)
from pipeline.common.textcheck import text_problems, visible
from pipeline.common.vnformat import ascii_slug, nfc, village_key
from pipeline.model.documents import AUTHORITIES, SIGNER_ROLES, DocumentType, catalogue
from pipeline.model.units import (
    Words,
    all_levels,
    categories,
    default_village_level,
    is_central_city,
    period_of,
    split_district,
    split_province,
    strip_kind,
    village_examples,
    village_name,
    words_for,
)

PROFILE_NAME = "hoso.toml"

# Recognition thresholds per unit type (Decision 06, §1): the contract's names.
UNIT_TYPES = {"phuong_do_thi": 900, "mien_nui": 800, "con_lai": 850}
OFFICIAL_TITLES = {
    "chu_tich": "CHỦ TỊCH",
    "pho_chu_tich": "PHÓ CHỦ TỊCH",
}
_DMY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})\s*$")
_DMY_HM = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2})[:hg](\d{2})\s*$")


@dataclass(frozen=True)
class Unit:
    """[don_vi]: the administrative unit being evaluated."""

    tinh: str  # without its kind: "Lạng Sơn", "Hải Phòng"
    huyen: str | None
    xa: str  # without its kind: "Bình Trung"
    cap: str
    loai: str
    thon: tuple[str, ...]
    nam: int
    cap_thon: str = "thôn"
    cap_huyen: str = "huyện"  # the district's kind, typed before its name ("quận Lê Chân")

    @property
    def threshold(self) -> int:
        return UNIT_TYPES[self.loai]

    @property
    def words(self) -> Words:
        """How papers, forms and messages name this unit and the levels around it."""
        return words_for(
            cap=self.cap,
            cap_thon=self.cap_thon,
            ten=self.xa,
            tinh=self.tinh,
            huyen=self.huyen,
            year=self.nam,
            cap_huyen=self.cap_huyen,
        )


@dataclass(frozen=True)
class Agency:
    """[co_quan]: how the issuing People's Committee names and files its papers."""

    viet_tat: str
    dia_danh: str
    luu: str


@dataclass(frozen=True)
class Officials:
    """[lanh_dao]: the commune's leaders and the officer who drafts the dossier."""

    chu_tich: str
    pho_chu_tich: str
    cong_chuc_vhxh: str

    def name_of(self, role: str) -> str:
        return str(getattr(self, role))


@dataclass(frozen=True)
class Receiver:
    """[tiep_nhan]: the office the dossier goes up to (a setting: it changed in 2025)."""

    ten: str
    dia_ban: str
    cong_nhan: str

    @property
    def full_name(self) -> str:
        """The office with its area, as written after "Kính gửi:"."""
        return f"{self.ten} {self.dia_ban}".strip()


@dataclass(frozen=True)
class Plan:
    """[ke_hoach]: the parameters of the commune's plan."""

    can_cu_loai: str
    can_cu_so: str
    can_cu_ngay: date
    can_cu_co_quan: str
    muc_tieu_ty_le: Decimal
    han_bao_cao: date


@dataclass(frozen=True)
class DocumentSettings:
    """[van_ban.<code>]: number, date, signer and recipients of one paper."""

    type: DocumentType
    so: int | None
    ngay: date | None
    nguoi_ky: str
    quyen_han: str
    noi_nhan: tuple[str, ...]
    can_cu: tuple[str, ...]

    def authority_lines(self) -> list[str]:
        """The bold caps lines above the signature (Decree 30, Appendix I, II.7.b)."""
        if not self.nguoi_ky:
            return []
        title = OFFICIAL_TITLES[self.nguoi_ky]
        lines = ["TM. ỦY BAN NHÂN DÂN"] if self.quyen_han == "TM" else []
        if self.nguoi_ky == "pho_chu_tich":
            lines += ["KT. CHỦ TỊCH", title]
        else:
            lines.append(title)
        return lines


COUNCIL_ROLES = {
    "chu_tich": "Chủ tịch Hội đồng",
    "pho_chu_tich": "Phó Chủ tịch Hội đồng",
    "thu_ky": "Thư ký Hội đồng",
    "thanh_vien": "Thành viên",
}
SALUTATIONS = ("ông", "bà")


@dataclass(frozen=True)
class Member:
    """[[hoi_dong.thanh_vien]]: one member of the evaluation council."""

    ho_ten: str
    danh_xung: str  # "ông" / "bà"
    chuc_vu: str
    vai_tro: str

    @property
    def role_name(self) -> str:
        return COUNCIL_ROLES[self.vai_tro]


@dataclass(frozen=True)
class Meeting:
    """[hop_hoi_dong]: the council's scoring meeting (blank times are written by hand)."""

    bat_dau: datetime | None
    ket_thuc: datetime | None
    dia_diem: str
    vang_mat: tuple[str, ...]
    tan_thanh: int | None
    khong_tan_thanh: int | None
    # Why each absent member was absent (họ tên, lý do); one not given is written by hand.
    ly_do_vang: tuple[tuple[str, str], ...] = ()

    def reason(self, name: str) -> str:
        """Why `name` was absent, "" when the profile does not say."""
        return dict(self.ly_do_vang).get(name, "")


@dataclass(frozen=True)
class ReportText:
    """[bao_cao]: the free text of the assessment report, one string per paragraph."""

    dac_diem: tuple[str, ...]
    kho_khan: tuple[str, ...]
    de_xuat: tuple[str, ...]


@dataclass(frozen=True)
class Override:
    """[[dieu_chinh]]: a council override of one sub-item, checked against the rule set later."""

    muc: str
    diem: Decimal
    ly_do: str


@dataclass(frozen=True)
class Profile:
    """A validated `hoso.toml`."""

    path: Path
    don_vi: Unit
    co_quan: Agency
    lanh_dao: Officials
    tiep_nhan: Receiver
    ke_hoach: Plan
    van_ban: dict[str, DocumentSettings]
    dieu_chinh: tuple[Override, ...]
    hoi_dong: tuple[Member, ...]
    hop_hoi_dong: Meeting
    bao_cao: ReportText
    # [danh_gia] bo_tieu_chi: the dossier's own rule set (None: the shipped one).
    bo_tieu_chi: Path | None = None

    @property
    def folder(self) -> Path:
        return self.path.parent

    def council_member(self, role: str) -> Member:
        return next(m for m in self.hoi_dong if m.vai_tro == role)


_TOP_LEVEL = (
    "don_vi",
    "co_quan",
    "lanh_dao",
    "tiep_nhan",
    "ke_hoach",
    "danh_gia",
    "van_ban",
    "hoi_dong",
    "hop_hoi_dong",
    "bao_cao",
    "dieu_chinh",
    "ky_so",  # digital signatures: read by pipeline.sign.config
)


class _Reader:
    """Typed access to the parsed TOML that records a Problem instead of raising."""

    def __init__(self, raw: dict[str, Any], file: str) -> None:
        self.raw = raw
        self.file = file
        self.problems: list[Problem] = []
        # Years the dossier's dates may fall in, once don_vi.nam is known (limits.py).
        self.years: tuple[int, int] | None = None
        # The evaluation year, once known: the year of the hints' examples.
        self.year = date.today().year

    def problem(self, key: str, found: Problem, value: Any = None) -> None:
        """Record `found` (made by Problem.of) at `key`, with the value written there."""
        shown = None if value is None else _show(value)
        self.problems.append(replace(found, file=self.file, field=key, value=shown))

    def acceptable(self, key: str, text: str, *, multiline: bool = False) -> bool:
        """Record length and invisible-character problems of a text; whether it had none."""
        found = text_problems(text, multiline=multiline)
        for p in found:
            self.problems.append(
                Problem(p.code, p.message, file=self.file, field=key, value=p.shown, hint=p.hint)
            )
        return not found

    def in_years(self, key: str, day: date) -> None:
        if self.years is not None and not self.years[0] <= day.year <= self.years[1]:
            self.problem(
                key,
                Problem.of(
                    "ngay-ngoai-khoang",
                    hint=f"ngày của hồ sơ phải trong các năm {self.years[0]} - {self.years[1]}; "
                    "kiểm tra lại năm.",
                    year=day.year,
                ),
                day.strftime("%d/%m/%Y"),
            )

    def table(self, key: str, *, required: bool = True) -> dict[str, Any]:
        value = self.lookup(key)
        if value is _MISSING:
            if required:
                self.problem(
                    key,
                    Problem.of("thieu-bang", variant="ho-so", hint=f"thêm bảng [{key}] vào hồ sơ."),
                )
            return {}
        if not isinstance(value, dict):
            self.problem(
                key,
                Problem.of(
                    "sai-kieu",
                    variant="khong-phai-bang",
                    hint=f"viết thành [{key}].",
                    shown=_show(value),
                ),
            )
            return {}
        return value

    def known_keys(self, key: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for name in table:
            if name in allowed:
                continue
            guess = did_you_mean(name, allowed)
            hint = (
                f"có phải ý bạn là {key + '.' if key else ''}{guess}?"
                if guess
                else "xóa khóa này hoặc sửa tên; các khóa hợp lệ: " + ", ".join(allowed) + "."
            )
            self.problem(_join(key, name), Problem.of("khoa-la", variant="ho-so", hint=hint))

    def text(self, key: str, hint: str, *, required: bool = True) -> str:
        value = self.lookup(key)
        if value is _MISSING or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(key, Problem.of("chua-dien", variant="o-trong", hint=hint))
            return ""
        if not isinstance(value, str):
            self.problem(
                key,
                Problem.of(
                    "sai-kieu",
                    variant="khong-phai-chu",
                    hint=f"đặt trong ngoặc kép; {hint}",
                    shown=_show(value),
                ),
            )
            return ""
        if not self.acceptable(key, value):
            return ""
        return " ".join(nfc(value).split())

    def choice(
        self, key: str, choices: tuple[str, ...], hint: str, *, required: bool = True
    ) -> str:
        value = self.text(key, hint, required=required)
        if value and value not in choices:
            self.problem(
                key,
                Problem.of(
                    "khong-hop-le",
                    variant="gia-tri-ho-so",
                    hint="dùng một trong: " + ", ".join(f'"{c}"' for c in choices) + ".",
                    shown=_show(value),
                ),
                value,
            )
            return ""
        return value

    def text_list(
        self,
        key: str,
        hint: str,
        *,
        unique_by: Callable[[str], tuple[str, ...]] | None = None,
        required: bool = True,
    ) -> tuple[str, ...]:
        value = self.lookup(key)
        if value is _MISSING or (value == [] and not required):
            if required:
                self.problem(key, Problem.of("chua-dien", variant="o-trong", hint=hint))
            return ()
        if not isinstance(value, list):
            self.problem(
                key,
                Problem.of(
                    "sai-kieu", variant="khong-phai-danh-sach", hint=hint, shown=_show(value)
                ),
                value,
            )
            return ()
        if len(value) > limits.MAX_LIST_ITEMS:
            self.problem(
                key,
                Problem.of(
                    "qua-nhieu",
                    variant="muc",
                    hint=hint,
                    count=len(value),
                    max_list_items=limits.MAX_LIST_ITEMS,
                ),
            )
            return ()
        items: list[str] = []
        # Each unique_by component -> the first item having it: one look-up per component,
        # so a list of a thousand villages is checked in linear time.
        seen: list[dict[str, int]] = []
        for i, item in enumerate(value, start=1):
            if not isinstance(item, str) or not item.strip():
                self.problem(
                    f"{key}[{i}]",
                    Problem.of("sai-kieu", variant="khong-phai-chu", hint=hint, shown=_show(item)),
                    item,
                )
                continue
            if not self.acceptable(f"{key}[{i}]", item):
                continue
            text = " ".join(nfc(item).split())
            parts = unique_by(text) if unique_by else ()
            seen += [{} for _ in range(len(parts) - len(seen))]
            found = [seen[n][part] for n, part in enumerate(parts) if part in seen[n]]
            twin = items[min(found)] if found else None
            if twin is not None:
                self.problem(
                    f"{key}[{i}]",
                    Problem.of("trung-lap", variant="hai-lan", shown=_show(text))
                    if twin == text
                    else Problem.of(
                        "trung-lap", variant="trung-voi", shown=_show(text), twin=_show(twin)
                    ),
                )
                continue
            for n, part in enumerate(parts):
                seen[n].setdefault(part, len(items))
            items.append(text)
        if not items and not any(p.field and p.field.startswith(key) for p in self.problems):
            self.problem(key, Problem.of("chua-dien", variant="danh-sach-trong", hint=hint))
        return tuple(items)

    def integer(self, key: str, low: int, high: int, hint: str) -> int:
        value = self.lookup(key)
        if value is _MISSING:
            self.problem(key, Problem.of("chua-dien", variant="o-trong", hint=hint))
            return low
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(
                key,
                Problem.of(
                    "khong-hop-le",
                    variant="gia-tri-ho-so",
                    hint=f"cần một số nguyên từ {low} đến {high}; {hint}",
                    shown=_show(value),
                ),
                value,
            )
            return low
        return value

    def optional_number(self, key: str, low: int, high: int) -> int | None:
        """A document number: blank ("" or absent) means the clerk writes it by hand."""
        value = self.lookup(key)
        if value is _MISSING or value == "" or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(
                key,
                Problem.of(
                    "khong-hop-le",
                    variant="so-van-ban",
                    hint=f'ghi số từ {low} đến {high} (ví dụ 12), hoặc để "" nếu sẽ ghi tay.',
                    shown=_show(value),
                ),
                value,
            )
            return None
        return value

    def decimal(self, key: str, low: Decimal, high: Decimal, hint: str) -> Decimal:
        value = self.lookup(key)
        if value is _MISSING:
            self.problem(key, Problem.of("chua-dien", variant="o-trong", hint=hint))
            return low
        number: Decimal | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = Decimal(str(value))
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip().rstrip("%").replace(",", "."))
            except InvalidOperation:
                number = None
        if number is None or not number.is_finite() or not low <= number <= high:
            self.problem(
                key,
                Problem.of(
                    "khong-hop-le",
                    variant="gia-tri-ho-so",
                    hint=f"cần một số từ {low} đến {high}; {hint}",
                    shown=_show(value),
                ),
                value,
            )
            return low
        return number

    def date(self, key: str, hint: str, *, required: bool = True) -> date | None:
        value = self.lookup(key)
        if value is _MISSING or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(key, Problem.of("chua-dien", variant="o-trong", hint=hint))
            return None
        parsed = _parse_date(value)
        if parsed is None:
            self.problem(
                key,
                Problem.of(
                    "sai-ngay",
                    hint=f'viết {self.year}-03-22 (không ngoặc kép) hoặc "22/3/{self.year}".',
                    shown=_show(value),
                ),
                value,
            )
        else:
            self.in_years(key, parsed)
        return parsed

    def paragraphs(self, key: str) -> tuple[str, ...]:
        """Free text: one paragraph per non-empty line (TOML triple quotes allow several)."""
        value = self.lookup(key)
        if value is _MISSING:
            return ()
        if not isinstance(value, str):
            self.problem(
                key,
                Problem.of(
                    "sai-kieu",
                    variant="khong-phai-chu",
                    hint="đặt trong ngoặc kép.",
                    shown=_show(value),
                ),
            )
            return ()
        if not self.acceptable(key, value, multiline=True):
            return ()
        return tuple(" ".join(line.split()) for line in nfc(value).splitlines() if line.strip())

    def timestamp(self, key: str) -> datetime | None:
        """A time of day and date; blank means written by hand."""
        value = self.lookup(key)
        if value is _MISSING or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, datetime):
            self.in_years(key, value)
            return value.replace(tzinfo=None)
        if isinstance(value, str):
            match = _DMY_HM.match(value)
            if match:
                day, month, year, hour, minute = (int(g) for g in match.groups())
                try:
                    parsed = datetime(year, month, day, hour, minute)
                except ValueError:
                    pass
                else:
                    self.in_years(key, parsed)
                    return parsed
        self.problem(
            key,
            Problem.of(
                "sai-thoi-gian",
                hint=f"viết {self.year}-11-05T08:00:00 (không ngoặc kép) hoặc "
                f'"05/11/{self.year} 08:00".',
                shown=_show(value),
            ),
            value,
        )
        return None

    def optional_count(self, key: str, high: int) -> int | None:
        value = self.lookup(key)
        if value is _MISSING or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            self.problem(
                key,
                Problem.of(
                    "khong-hop-le",
                    variant="gia-tri-ho-so",
                    hint=f"cần một số nguyên từ 0 đến {high}.",
                    shown=_show(value),
                ),
                value,
            )
            return None
        return value

    def lookup(self, key: str) -> Any:
        node: Any = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node


class _Missing:
    pass


_MISSING = _Missing()


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = visible(value)
        return f'"{shown}"' if len(shown) <= 80 else f'"{shown[:77]}…"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "một bảng"
    if isinstance(value, list):
        return "một danh sách"
    return str(value)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        text = value.strip()
        match = _DMY.match(text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return date(year, month, day)
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a UTF-8 TOML file (a BOM from Notepad is accepted) into a dict, or raise located."""
    return parse_toml(read_profile_bytes(path), path)


def read_profile_bytes(path: Path) -> bytes:
    """The bytes of a TOML file within the profile's size bound, or raise located."""
    try:
        if path.stat().st_size > limits.MAX_PROFILE_BYTES:
            raise InputError(
                [
                    Problem.of(
                        "tep-qua-lon",
                        variant="toi-da",
                        file=str(path),
                        hint="hồ sơ chỉ gồm thông tin xã và vài đoạn văn: xóa nội dung thừa.",
                        max_mb=limits.MAX_PROFILE_BYTES // (1024 * 1024),
                    )
                ]
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            [
                Problem.of(
                    "thieu-tep",
                    variant="ho-so",
                    file=str(path),
                    hint="thư mục này chưa là hồ sơ: tạo hoso.toml bằng `hoso init`.",
                )
            ]
        ) from None
    except OSError as exc:
        raise EnvironmentProblem.unreadable(path, exc) from exc


def parse_toml(data: bytes, path: Path) -> dict[str, Any]:
    """Parse the bytes of the TOML file `path` (a BOM from Notepad is accepted), or raise
    located."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem.of("ma-hoa", file=str(path))]) from None
    try:
        return tomllib.loads(text)
    except RecursionError:
        # 100,000 nested arrays: tomllib recurses once per level.
        raise InputError([Problem.of("long-qua-sau", file=str(path))]) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            [
                Problem.of(
                    "cu-phap",
                    file=str(path),
                    hint="chữ phải nằm trong ngoặc kép, mỗi khóa một dòng `khoa = giá trị`.",
                    error=_vi_toml_error(str(exc)),
                )
            ]
        ) from None


# tomllib's messages, in Vietnamese; an unlisted one is shown as it is.
_TOML_MESSAGES = (
    ("Invalid value", "giá trị không hợp lệ (chữ phải trong ngoặc kép, ngày viết 2024-03-22)"),
    ("Unterminated string", "thiếu dấu ngoặc kép đóng"),
    ("Cannot overwrite a value", "một khóa được ghi hai lần"),
    ("Cannot declare", "một bảng [..] được khai báo hai lần"),
    ("Expected '=' after a key", "thiếu dấu = sau tên khóa"),
    ("Expected newline or end of document", "thừa chữ sau giá trị (mỗi khóa một dòng)"),
    ("Illegal character", "có ký tự không hợp lệ (thường là xuống dòng trong ngoặc kép)"),
    ("Invalid date or datetime", "ngày không hợp lệ (viết 2024-03-22)"),
)


def _vi_toml_error(message: str) -> str:
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    where = f"dòng {match.group(1)}, cột {match.group(2)}" if match else "cuối tệp"
    detail = message.split(" (at ", maxsplit=1)[0]
    for english, vietnamese in _TOML_MESSAGES:
        if detail.startswith(english):
            detail = vietnamese
            break
    return f"{where}: {detail}"


def load_profile(
    folder_or_file: Path,
    *,
    sections: Collection[str] | None = None,
    written: Collection[str] = (),
) -> Profile:
    """Load and validate a dossier's `hoso.toml`; raise InputError listing every problem.

    With `sections` (tables such as "don_vi" or "van_ban.KH"), only the problems of those
    tables count: a stage that reads nothing else runs before the rest is filled in (the
    other fields then hold placeholder values and must not be used). The keys `written`
    (outside `sections`) are ones the stage writes when filled: a blank one passes, a bad
    value is refused as render would refuse it. A misspelt top-level table always counts:
    what it held would otherwise be lost without a word.
    """
    is_file = folder_or_file.suffix == ".toml" and not folder_or_file.is_dir()
    path = folder_or_file if is_file else folder_or_file / PROFILE_NAME
    check_profile_folder(path)
    return validate_profile(read_toml(path), path, sections=sections, written=written)


def check_profile_folder(path: Path) -> None:
    """Refuse a profile path whose folder does not exist (a mistyped dossier folder)."""
    if not path.parent.is_dir():
        raise InputError([Problem.of("thieu-thu-muc", file=str(path.parent))])


def validate_profile(
    raw: dict[str, Any],
    path: Path,
    *,
    sections: Collection[str] | None = None,
    written: Collection[str] = (),
) -> Profile:
    """The profile in `raw`, parsed from `path`, validated as `load_profile` does (the same
    located problems): for a caller that has read and parsed the file already."""
    r = _Reader(raw, file=str(path))
    r.known_keys("", raw, _TOP_LEVEL)

    unit = _read_unit(r)
    if not any(p.field == "don_vi.nam" for p in r.problems):
        r.years = limits.year_window(unit.nam)
        r.year = unit.nam
    examples = _examples(unit)
    agency = _read_agency(r, unit)
    officials = _read_officials(r)
    receiver = _read_receiver(r, examples)
    plan = _read_plan(r, examples)
    rule_file = _read_assessment(r, path.parent)
    documents = _read_documents(r, unit)
    overrides = _read_overrides(r)
    council = _read_council(r, unit)
    meeting = _read_meeting(r, council)
    report = _read_report(r)
    if sections is not None:
        r.problems = [
            p
            for p in r.problems
            if _in_sections(p.field or "", sections)
            or (p.field in written and p.code not in _BLANK)
            or (p.code == "khoa-la" and p.field in raw)
        ]
    if r.problems:
        raise InputError(r.problems)
    return Profile(
        path, unit, agency, officials, receiver, plan, documents, overrides, council, meeting,
        report, rule_file,
    )  # fmt: skip


# Problem codes of a key or table left blank (not a bad value).
_BLANK = ("chua-dien", "thieu-bang")


def _in_sections(key: str, sections: Collection[str]) -> bool:
    """Whether a problem at `key` ("van_ban.KH.so", "hoi_dong.thanh_vien[2]") is in scope."""
    return any(key == s or key.startswith((f"{s}.", f"{s}[")) for s in sections)


def _read_unit(r: _Reader) -> Unit:
    r.known_keys(
        "don_vi",
        r.table("don_vi"),
        ("tinh", "huyen", "xa", "cap", "cap_thon", "loai", "thon", "nam"),
    )
    nam = r.integer("don_vi.nam", 2019, 2100, "năm đánh giá, ví dụ 2024.")
    period = period_of(nam)
    cap = _read_level(r, nam)
    cap_thon = _read_village_level(r, cap)
    xa = _strip_own_kind(
        r,
        "don_vi.xa",
        r.text("don_vi.xa", f'ghi tên {cap}, không kèm chữ "{cap}", ví dụ "Bình Trung".'),
        cap,
        all_levels(),
    )
    tinh = _read_province(r, nam)
    huyen, cap_huyen = split_district(r.text("don_vi.huyen", "", required=False))
    if huyen and period is not None and not period.has_districts:
        r.problem(
            "don_vi.huyen",
            Problem.of(
                "khong-con-cap-huyen",
                hint='xóa dòng này hoặc để huyen = "".',
                nam=nam,
                name=period.name,
            ),
            huyen,
        )
        huyen = ""
    villages = r.text_list(
        "don_vi.thon",
        f"liệt kê mọi {cap_thon or 'thôn'}, ví dụ "
        + "["
        + ", ".join(f'"{n}"' for n in village_examples(cap_thon or "thôn"))
        + "].",
        # Names ingest would take for one village ("Thôn Nà Cáy", "nà  cáy") or that
        # would share one form file ("Nà Cáy", "Nà Cây") cannot both be listed.
        unique_by=lambda name: (
            village_key(village_name(name, cap_thon)),
            ascii_slug(village_name(name, cap_thon)),
        ),
    )
    return Unit(
        tinh=tinh,
        huyen=huyen or None,
        xa=xa,
        cap=cap,
        loai=r.choice(
            "don_vi.loai",
            tuple(UNIT_TYPES),
            "chọn loại đơn vị theo Quyết định 06/QĐ-TTg: "
            + "; ".join(
                f'"{key}": {text} ({UNIT_TYPES[key]} điểm)' for key, text in categories().items()
            )
            + ".",
        ),
        # "Thôn Nà Cáy" is listed as "Nà Cáy" (papers write "thôn Nà Cáy" themselves); "Khu
        # phố 1" keeps its kind word, "1" alone being no name.
        thon=tuple(village_name(name, cap_thon) for name in villages),
        nam=nam,
        cap_thon=cap_thon or "thôn",
        cap_huyen=cap_huyen,
    )


def _read_level(r: _Reader, nam: int) -> str:
    levels = all_levels()
    cap = (r.text("don_vi.cap", "", required=False) or "xã").lower()
    if cap not in levels:
        r.problem(
            "don_vi.cap",
            Problem.of(
                "khong-hop-le",
                variant="cap",
                hint="dùng một trong: " + ", ".join(f'"{c}"' for c in levels) + ".",
                cap=cap,
            ),
            cap,
        )
        return "xã"
    period = period_of(nam)
    if period is not None and cap not in period.levels:
        r.problem(
            "don_vi.cap",
            Problem.of(
                "khong-co-trong-nam",
                hint="năm này dùng một trong: " + ", ".join(f'"{c}"' for c in period.levels) + ".",
                nam=nam,
                cap=cap,
                name=period.name,
            ),
            cap,
        )
    return cap


def _read_village_level(r: _Reader, cap: str) -> str:
    typed = r.text("don_vi.cap_thon", "", required=False).lower()
    if typed:
        return typed
    default = default_village_level(cap)
    if not default:
        r.problem(
            "don_vi.cap_thon",
            Problem.of(
                "chua-dien",
                variant="cap-duoi",
                hint='ghi tên cấp dưới, ví dụ cap_thon = "khu phố" hoặc "thôn".',
                cap=cap,
            ),
        )
    return default


def _strip_own_kind(r: _Reader, key: str, name: str, own: str, kinds: tuple[str, ...]) -> str:
    """A name typed with its kind ("Phường Hòa Khánh") loses it; another kind is an error."""
    bare, kind = strip_kind(name, kinds)
    if kind is not None and kind != own:
        r.problem(
            key,
            Problem.of(
                "sai-cap",
                hint=f'ghi tên không kèm chữ "{kind}", hoặc sửa don_vi.cap cho đúng.',
                name=_show(name),
                kind=kind,
                own=own,
            ),
            name,
        )
    return bare


def _read_province(r: _Reader, nam: int) -> str:
    typed = r.text("don_vi.tinh", 'ghi tên tỉnh hoặc thành phố, ví dụ "Lạng Sơn".')
    name, kind = split_province(typed)
    if kind == "thành phố" and name and not is_central_city(name, nam):
        r.problem(
            "don_vi.tinh",
            Problem.of(
                "khong-phai-tp-tw",
                hint='ghi tên tỉnh, không kèm chữ "thành phố", ví dụ "Lạng Sơn".',
                typed=_show(typed),
                nam=nam,
            ),
            typed,
        )
    return name


def _read_agency(r: _Reader, unit: Unit) -> Agency:
    r.known_keys("co_quan", r.table("co_quan", required=False), ("viet_tat", "dia_danh", "luu"))
    return Agency(
        viet_tat=r.text("co_quan.viet_tat", "", required=False) or "UBND",
        dia_danh=r.text("co_quan.dia_danh", "", required=False) or unit.xa,
        luu=r.text("co_quan.luu", "", required=False) or "VT",
    )


def _read_officials(r: _Reader) -> Officials:
    r.known_keys("lanh_dao", r.table("lanh_dao"), ("chu_tich", "pho_chu_tich", "cong_chuc_vhxh"))
    return Officials(
        chu_tich=r.text("lanh_dao.chu_tich", "ghi họ và tên Chủ tịch UBND."),
        pho_chu_tich=r.text("lanh_dao.pho_chu_tich", "ghi họ và tên Phó Chủ tịch UBND."),
        cong_chuc_vhxh=r.text(
            "lanh_dao.cong_chuc_vhxh", "ghi họ và tên công chức Văn hóa - Xã hội."
        ),
    )


def _examples(unit: Unit) -> dict[str, str]:
    """The hints' examples in the unit's era (data/thoi-ky.toml), the level above named."""
    period = period_of(unit.nam)
    words = unit.words
    superior = words.huyen_day_du or (words.tinh_day_du if unit.tinh else "cấp trên")
    if period is None:
        return {"ten": "…", "dia_ban": superior, "cong_nhan": "…", "cap_tren": "…"}
    return period.examples(superior)


def _read_receiver(r: _Reader, examples: dict[str, str]) -> Receiver:
    r.known_keys("tiep_nhan", r.table("tiep_nhan"), ("ten", "dia_ban", "cong_nhan"))
    return Receiver(
        ten=r.text("tiep_nhan.ten", f'ghi tên cơ quan nhận hồ sơ, ví dụ "{examples["ten"]}".'),
        dia_ban=r.text("tiep_nhan.dia_ban", "", required=False),
        cong_nhan=r.text(
            "tiep_nhan.cong_nhan",
            f'cơ quan quyết định công nhận, ví dụ "{examples["cong_nhan"]}".',
        ),
    )


def _read_plan(r: _Reader, examples: dict[str, str]) -> Plan:
    r.known_keys(
        "ke_hoach",
        r.table("ke_hoach"),
        (
            "can_cu_loai",
            "can_cu_so",
            "can_cu_ngay",
            "can_cu_co_quan",
            "muc_tieu_ty_le",
            "han_bao_cao",
        ),
    )
    return Plan(
        can_cu_loai=r.text("ke_hoach.can_cu_loai", "", required=False) or "Kế hoạch",
        can_cu_so=r.text(
            "ke_hoach.can_cu_so", 'số, ký hiệu văn bản cấp trên, ví dụ "1301/KH-UBND".'
        ),
        can_cu_ngay=r.date("ke_hoach.can_cu_ngay", "ngày ký văn bản cấp trên.") or date.min,
        can_cu_co_quan=r.text(
            "ke_hoach.can_cu_co_quan", f'cơ quan ban hành, ví dụ "{examples["cap_tren"]}".'
        ),
        muc_tieu_ty_le=r.decimal(
            "ke_hoach.muc_tieu_ty_le", Decimal(0), Decimal(100), "tỷ lệ phấn đấu, ví dụ 90."
        ),
        han_bao_cao=r.date("ke_hoach.han_bao_cao", f"hạn gửi số liệu, ví dụ {r.year}-11-07.")
        or date.min,
    )


def _read_assessment(r: _Reader, folder: Path) -> Path | None:
    """[danh_gia]: an optional rule-set file, relative to the dossier folder."""
    r.known_keys("danh_gia", r.table("danh_gia", required=False), ("bo_tieu_chi",))
    name = r.text("danh_gia.bo_tieu_chi", "", required=False)
    if not name:
        return None
    path = folder / name
    if not path.is_file():
        r.problem(
            "danh_gia.bo_tieu_chi",
            Problem.of(
                "thieu-tep",
                variant="bo-tieu-chi",
                hint="ghi đường dẫn tính từ thư mục hồ sơ, hoặc xóa dòng này để dùng bộ tiêu chí "
                "có sẵn.",
                path=path,
            ),
            name,
        )
        return None
    return path


def _read_documents(r: _Reader, unit: Unit) -> dict[str, DocumentSettings]:
    known = catalogue()
    r.known_keys("van_ban", r.table("van_ban"), tuple(known))
    documents: dict[str, DocumentSettings] = {}
    for code, doc_type in known.items():
        key = f"van_ban.{code}"
        table = r.table(key)
        if not table:
            continue
        allowed = ["so", "ngay", "noi_nhan"]
        if doc_type.default_signer:
            allowed += ["nguoi_ky", "quyen_han"]
        if doc_type.has_grounds:
            allowed.append("can_cu")
        r.known_keys(key, table, tuple(allowed))
        signer, authority = _read_signer(r, key, doc_type) if doc_type.default_signer else ("", "")
        documents[code] = DocumentSettings(
            type=doc_type,
            so=r.optional_number(f"{key}.so", 1, 9999),
            ngay=r.date(f"{key}.ngay", "", required=False),
            nguoi_ky=signer,
            quyen_han=authority,
            noi_nhan=r.text_list(
                f"{key}.noi_nhan",
                "nơi nhận, mỗi nơi một dòng, ví dụ "
                f'["UBND {unit.words.huyen_day_du or unit.words.tinh_day_du} (b/c)"].',
            ),
            can_cu=_read_grounds(r, f"{key}.can_cu", unit) if doc_type.has_grounds else (),
        )
    return documents


def _read_grounds(r: _Reader, key: str, unit: Unit) -> tuple[str, ...]:
    """The decision's legal grounds; absent, those of the evaluation year's law."""
    if r.lookup(key) is _MISSING:
        period = period_of(unit.nam)
        return period.grounds if period else ()
    return r.text_list(key, "mỗi căn cứ một dòng; xóa khóa này để dùng căn cứ mặc định.")


def _read_signer(r: _Reader, key: str, doc_type: DocumentType) -> tuple[str, str]:
    signer = (
        r.choice(f"{key}.nguoi_ky", SIGNER_ROLES, "người ký văn bản.", required=False)
        or doc_type.default_signer
    )
    authority_raw = r.lookup(f"{key}.quyen_han")
    authority = doc_type.default_authority if authority_raw is _MISSING else ""
    if isinstance(authority_raw, str):
        authority = authority_raw.strip().rstrip(".").upper()
    if authority not in AUTHORITIES:
        r.problem(
            f"{key}.quyen_han",
            Problem.of(
                "khong-hop-le",
                variant="tham-quyen",
                hint='dùng "KT" (cấp phó ký thay), "TM" (thay mặt UBND) hoặc "" (ký trực tiếp).',
                authority=_show(authority_raw),
            ),
            authority_raw,
        )
    elif (signer, authority) in {("pho_chu_tich", ""), ("chu_tich", "KT")}:
        r.problem(
            f"{key}.quyen_han",
            Problem.of(
                "ky-sai-tham-quyen",
                hint='Phó Chủ tịch ký "KT" hoặc "TM"; Chủ tịch ký "TM" hoặc "" (trực tiếp).',
                title=OFFICIAL_TITLES[signer].capitalize(),
                authority=authority,
            ),
            authority_raw,
        )
    return signer, authority


def _read_overrides(r: _Reader) -> tuple[Override, ...]:
    result = []
    for key, sub in _items(r, "dieu_chinh"):
        sub.known_keys("", sub.raw, ("muc", "diem", "ly_do"))
        muc = sub.text("muc", 'mã tiểu mục, ví dụ "8.2".')
        diem = sub.decimal("diem", Decimal(0), Decimal(1000), "số điểm Hội đồng chấm.")
        ly_do = sub.text("ly_do", "Hội đồng phải ghi lý do điều chỉnh.")
        r.problems += [_prefixed(p, key) for p in sub.problems]
        result.append(Override(muc, diem, ly_do))
    return tuple(result)


def _items(r: _Reader, key: str) -> list[tuple[str, _Reader]]:
    """The tables of an array of tables, each with a reader whose problems carry `key[i]`."""
    raw = r.lookup(key)
    if raw is _MISSING:
        return []
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        r.problem(key, Problem.of("sai-kieu", variant="cac-bang", hint=f"mỗi mục viết [[{key}]]."))
        return []
    if len(raw) > limits.MAX_LIST_ITEMS:
        r.problem(
            key,
            Problem.of(
                "qua-nhieu",
                variant="muc",
                hint="bớt các mục thừa.",
                count=len(raw),
                max_list_items=limits.MAX_LIST_ITEMS,
            ),
        )
        return []
    return [(f"{key}[{i}]", _Reader(item, r.file)) for i, item in enumerate(raw, start=1)]


def _read_council(r: _Reader, unit: Unit) -> tuple[Member, ...]:
    r.known_keys("hoi_dong", r.table("hoi_dong"), ("thanh_vien",))
    members: list[Member] = []
    for key, sub in _items(r, "hoi_dong.thanh_vien"):
        sub.known_keys("", sub.raw, ("ho_ten", "danh_xung", "chuc_vu", "vai_tro"))
        member = Member(
            ho_ten=sub.text("ho_ten", "họ và tên thành viên."),
            danh_xung=sub.choice("danh_xung", SALUTATIONS, '"ông" hoặc "bà".'),
            chuc_vu=sub.text("chuc_vu", f'chức vụ, ví dụ "Phó Chủ tịch UBND {unit.cap}".'),
            vai_tro=sub.choice("vai_tro", tuple(COUNCIL_ROLES), "vai trò trong Hội đồng."),
        )
        r.problems += [_prefixed(p, key) for p in sub.problems]
        members.append(member)
    roles = [m.vai_tro for m in members]
    for role in ("chu_tich", "thu_ky"):
        if roles.count(role) != 1 and members:
            r.problem(
                "hoi_dong.thanh_vien",
                Problem.of(
                    "vai-tro",
                    hint=f'đặt vai_tro = "{role}" cho đúng một thành viên.',
                    role_name=COUNCIL_ROLES[role],
                    count=roles.count(role),
                ),
            )
    if len(members) < 3:
        r.problem(
            "hoi_dong.thanh_vien",
            Problem.of(
                "thieu-thanh-vien",
                hint="ghi ít nhất 3 thành viên, mỗi người một bảng [[hoi_dong.thanh_vien]].",
                count=len(members),
            ),
        )
    return tuple(members)


def _read_meeting(r: _Reader, council: tuple[Member, ...]) -> Meeting:
    r.known_keys(
        "hop_hoi_dong",
        r.table("hop_hoi_dong"),
        (
            "bat_dau",
            "ket_thuc",
            "dia_diem",
            "vang_mat",
            "ly_do_vang",
            "tan_thanh",
            "khong_tan_thanh",
        ),
    )
    start = r.timestamp("hop_hoi_dong.bat_dau")
    end = r.timestamp("hop_hoi_dong.ket_thuc")
    if start and end and end <= start:
        r.problem(
            "hop_hoi_dong.ket_thuc",
            Problem.of(
                "khong-hop-le", variant="gio-ket-thuc", hint="kiểm tra lại bat_dau và ket_thuc."
            ),
        )
    absent = r.text_list("hop_hoi_dong.vang_mat", "", required=False)
    names = {m.ho_ten for m in council}
    for i, name in enumerate(absent, start=1):
        if council and name not in names:
            guess = did_you_mean(name, names)
            r.problem(
                f"hop_hoi_dong.vang_mat[{i}]",
                Problem.of(
                    "khong-co-trong-hoi-dong",
                    hint=f"có phải ý bạn là {guess}?"
                    if guess
                    else "ghi đúng họ tên như ở [[hoi_dong.thanh_vien]].",
                    name=name,
                ),
            )
    reasons = _absence_reasons(r, absent)
    present = len(council) - len(absent)
    votes = [
        r.optional_count(f"hop_hoi_dong.{k}", present) for k in ("tan_thanh", "khong_tan_thanh")
    ]
    cast_votes = sum(v for v in votes if v is not None)
    if cast_votes > present:
        r.problem(
            "hop_hoi_dong.tan_thanh",
            Problem.of(
                "vuot-so-co-mat",
                hint="kiểm tra lại tan_thanh, khong_tan_thanh và vang_mat.",
                cast_votes=cast_votes,
                present=present,
            ),
        )
    return Meeting(
        bat_dau=start,
        ket_thuc=end,
        dia_diem=r.text("hop_hoi_dong.dia_diem", "", required=False),
        vang_mat=absent,
        tan_thanh=votes[0],
        khong_tan_thanh=votes[1],
        ly_do_vang=reasons,
    )


def _absence_reasons(r: _Reader, absent: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """[hop_hoi_dong] ly_do_vang = { "Họ tên" = "lý do" }: a reason for each absent member
    who has one, the name as in vang_mat; a blank reason is written by hand in the minutes."""
    key = "hop_hoi_dong.ly_do_vang"
    value = r.lookup(key)
    if value is _MISSING:
        return ()
    example = '{ "Nông Văn Tuấn" = "đi công tác" }'
    if not isinstance(value, dict):
        found = Problem.of("sai-kieu", variant="khong-phai-bang", shown=_show(value))
        r.problem(key, replace(found, hint=f"viết {example}."), value)
        return ()
    reasons: dict[str, str] = {}
    # Each problem is located at the table (the key the web page shows), the name as its value.
    for name, reason in value.items():
        if not isinstance(reason, str):
            found = Problem.of("sai-kieu", variant="ly-do", shown=_show(reason))
            r.problem(key, replace(found, hint=f"viết {example}."), name)
            continue
        if not (r.acceptable(key, name) and r.acceptable(key, reason)):
            continue
        person = " ".join(nfc(name).split())
        if person not in absent:
            guess = did_you_mean(person, absent)
            found = Problem.of(
                "ly-do-khong-vang",
                hint=f"có phải ý bạn là {guess}?" if guess else CATALOGUE_HINT,
                person=person,
            )
            r.problem(key, found, person)
            continue
        reasons[person] = " ".join(nfc(reason).split())
    return tuple(reasons.items())


def _read_report(r: _Reader) -> ReportText:
    r.known_keys("bao_cao", r.table("bao_cao", required=False), ("dac_diem", "kho_khan", "de_xuat"))
    return ReportText(
        dac_diem=r.paragraphs("bao_cao.dac_diem"),
        kho_khan=r.paragraphs("bao_cao.kho_khan"),
        de_xuat=r.paragraphs("bao_cao.de_xuat"),
    )


def _prefixed(problem: Problem, prefix: str) -> Problem:
    return Problem(
        problem.code,
        problem.message,
        file=problem.file,
        field=f"{prefix}.{problem.field}",
        value=problem.value,
        hint=problem.hint,
    )
