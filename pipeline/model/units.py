"""A unit's words and its year's law: what a paper calls the commune, its villages and the
province, and which legal facts hold in the evaluation year.

Two data files hold the facts (`data/don-vi.toml`: the kinds of unit; `data/thoi-ky.toml`:
periods of the law, keyed by date), so a reform is an edit there. Code only looks them up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pipeline.common.vnformat import lower_first, nfc, place_key, village_key
from pipeline.files.resources import load_data_toml

# A provincial unit typed with its kind: "tỉnh Lạng Sơn", "Thành phố Hải Phòng", "TP. Huế".
_PROVINCE_PREFIXES = ("thành phố ", "tỉnh ", "tp. ", "tp.", "tp ")


@dataclass(frozen=True)
class Period:
    """A period of the local-government law (`[[thoi_ky]]` in thoi-ky.toml)."""

    name: str
    start: date
    end: date | None
    levels: tuple[str, ...]
    has_districts: bool
    grounds: tuple[str, ...]
    receiver_example: dict[str, str]
    superior_example: str
    district_report: str  # "UBND {cap_tren} (b/c)", or "" when the plan reports to no district
    office: str  # "Văn phòng HĐND và UBND {cap}" or the officer who keeps the office

    def report_line(self, district: str) -> str:
        """The plan's Nơi nhận line for the district (`district`: "huyện Cao Lộc"), or ""."""
        if not (self.district_report and district):
            return ""
        return self.district_report.replace("{cap_tren}", district)

    def office_of(self, cap: str) -> str:
        """ "Văn phòng HĐND và UBND phường" (2025 on), "công chức Văn phòng - Thống kê"."""
        return self.office.replace("{cap}", cap)

    def holds_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def examples(self, superior: str) -> dict[str, str]:
        """`hoso init`'s examples, the level above named: "thành phố Huế", "huyện Cao Lộc"."""
        filled = {k: v.replace("{cap_tren}", superior) for k, v in self.receiver_example.items()}
        filled["cap_tren"] = self.superior_example.replace("{cap_tren}", superior)
        return filled


@dataclass(frozen=True)
class City:
    """A centrally-run city and the dates it was one."""

    name: str
    start: date
    end: date | None

    def holds_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class UnitFacts:
    """The validated contents of don-vi.toml and thoi-ky.toml."""

    levels: dict[str, str]  # commune-level kind -> default kind below ("" = none)
    village_heads: dict[str, str]  # kind below -> its head's title
    district_levels: tuple[str, ...]  # "huyện", "quận", "thị xã", "thành phố"
    periods: tuple[Period, ...]
    cities: tuple[City, ...]
    # Recognition categories (don_vi.loai) -> the units each covers.
    categories: dict[str, str] = field(default_factory=dict)
    # Commune-level kind -> (category, why) for every unit of the kind / in a central city.
    level_category: dict[str, tuple[str, str]] = field(default_factory=dict)
    city_category: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Kind below -> two names as a profile lists them, for hints.
    village_examples: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _date(entry: dict[str, Any], key: str, where: str) -> date | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, date):
        raise ValueError(f"{where}: {key} must be a date")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of strings")
    return tuple(nfc(v) for v in value)


@cache
def facts() -> UnitFacts:
    """Load and check the shipped unit and law facts once per process."""
    kinds = load_data_toml("don-vi.toml")
    levels = {nfc(k): nfc(str(v["cap_thon"])) for k, v in kinds["cap"].items()}
    heads = {nfc(k): nfc(str(v["truong"])) for k, v in kinds["cap_thon"].items()}
    examples = {
        nfc(k): tuple(nfc(str(n)) for n in v["vi_du"])
        for k, v in kinds["cap_thon"].items()
        if "vi_du" in v
    }
    for level, below in levels.items():
        if below and below not in heads:
            raise ValueError(f"don-vi.toml cap.{level}: unknown cap_thon {below!r}")
    law = load_data_toml("thoi-ky.toml")
    periods: list[Period] = []
    for i, entry in enumerate(law["thoi_ky"], start=1):
        where = f"thoi-ky.toml thoi_ky[{i}]"
        start = _date(entry, "tu_ngay", where)
        if start is None:
            raise ValueError(f"{where}: tu_ngay is required")
        period = Period(
            name=nfc(str(entry["ten"])),
            start=start,
            end=_date(entry, "den_ngay", where),
            levels=_strings(entry["cap"], where),
            has_districts=bool(entry["co_cap_huyen"]),
            grounds=_strings(entry["can_cu"], where),
            receiver_example={k: nfc(v) for k, v in entry["tiep_nhan_vi_du"].items()},
            superior_example=nfc(str(entry["vi_du_cap_tren"])),
            district_report=nfc(str(entry.get("bao_cao_huyen", ""))),
            office=nfc(str(entry["van_phong"])),
        )
        unknown = [level for level in period.levels if level not in levels]
        if unknown:
            raise ValueError(f"{where}: unknown cap {unknown}")
        if periods and (periods[-1].end is None or periods[-1].end >= period.start):
            raise ValueError(f"{where}: periods must follow each other without overlap")
        periods.append(period)
    cities = tuple(
        City(nfc(str(c["ten"])), c["tu_ngay"], c.get("den_ngay")) for c in law["thanh_pho"]
    )
    districts = _strings(kinds["cap_huyen"], "don-vi.toml cap_huyen")
    categories = {k: nfc(str(v["mo_ta"])) for k, v in kinds["loai"].items()}
    by_level: dict[str, tuple[str, str]] = {}
    in_city: dict[str, tuple[str, str]] = {}
    for level, entry in kinds["cap"].items():
        for key, target in (("loai", by_level), ("loai_thanh_pho", in_city)):
            if key in entry:
                if entry[key] not in categories:
                    raise ValueError(f"don-vi.toml cap.{level}: unknown {key} {entry[key]!r}")
                target[nfc(level)] = (str(entry[key]), nfc(str(entry[f"{key}_ly_do"])))
    return UnitFacts(
        levels, heads, districts, tuple(periods), cities, categories, by_level, in_city, examples
    )


def reference_day(year: int) -> date:
    """The day whose law an evaluation of `year` follows: its papers are signed at year end."""
    return date(year, 12, 31)


def period_of(year: int) -> Period | None:
    day = reference_day(year)
    return next((p for p in facts().periods if p.holds_on(day)), None)


def all_levels() -> tuple[str, ...]:
    return tuple(facts().levels)


def default_village_level(level: str) -> str:
    """The level below a commune-level kind when the profile names none ("" if it must)."""
    return facts().levels.get(level, "")


def village_head(village_level: str) -> str:
    """ "Trưởng thôn", "Tổ trưởng tổ dân phố"…; an unlisted kind gets "Trưởng <kind>"."""
    return facts().village_heads.get(village_level, f"Trưởng {village_level}")


def village_examples(village_level: str) -> tuple[str, ...]:
    """Two names of the level below, as a profile lists them: the example of a hint."""
    found = facts().village_examples.get(village_level)
    if found:
        return found
    kind = village_level[:1].upper() + village_level[1:]
    return (f"{kind} 1", f"{kind} 2")


def strip_kind(name: str, kinds: tuple[str, ...]) -> tuple[str, str | None]:
    """`("Phường Hòa Khánh", ("phường",))` -> `("Hòa Khánh", "phường")`: the name without a
    leading kind word, and the kind found (None when the name does not start with one)."""
    text = " ".join(nfc(name).split())
    key = place_key(text)
    for kind in sorted(kinds, key=len, reverse=True):
        prefix = place_key(kind) + " "
        if key.startswith(prefix) and len(key) > len(prefix):
            return text[len(prefix) :].strip(), kind
    return text, None


def village_name(name: str, kind: str) -> str:
    """A village as the papers show it: "Thôn Nà Cáy" -> "Nà Cáy", but "Khu phố 1", "Tổ dân
    phố số 3" and "Khối Ga" keep their kind word, since "1", "số 3" or "Ga" alone is no name."""
    bare, found = strip_kind(name, (kind,))
    words = bare.split()
    if found is None or len(words) < 2 or words[0].casefold() == "số":
        return " ".join(nfc(name).split())
    if any(ch.isdigit() for ch in bare):
        return " ".join(nfc(name).split())
    return bare


def split_district(name: str) -> tuple[str, str]:
    """A district as typed -> its bare name and its kind ("quận Lê Chân" -> "Lê Chân", "quận");
    a name typed without a kind is a "huyện"."""
    bare, kind = strip_kind(name, facts().district_levels)
    return bare, kind or "huyện"


def split_province(name: str) -> tuple[str, str | None]:
    """A province as typed -> its bare name and the kind typed ("tỉnh", "thành phố" or None)."""
    text = " ".join(nfc(name).split())
    key = text.casefold()
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            kind = "tỉnh" if prefix == "tỉnh " else "thành phố"
            return text[len(prefix) :].strip(), kind
    return text, None


def categories() -> dict[str, str]:
    """The recognition categories (`don_vi.loai`) and the units each covers."""
    return dict(facts().categories)


def known_category(level: str, province: str, year: int) -> tuple[str, str] | None:
    """The category a unit is in by what its profile says, and why: (`"mien_nui"`, "đặc khu
    là đơn vị hải đảo"); None when only the clerk knows (mountain, disadvantaged…)."""
    found = facts().level_category.get(level)
    if found is None and is_central_city(province, year):
        found = facts().city_category.get(level)
    return found


def is_central_city(name: str, year: int) -> bool:
    day = reference_day(year)
    key = place_key(name)
    return any(place_key(c.name) == key and c.holds_on(day) for c in facts().cities)


@dataclass(frozen=True)
class Words:
    """How the papers of one dossier name its unit, the level below and the levels above."""

    cap: str  # "xã", "phường", "thị trấn", "đặc khu"
    cap_thon: str  # "thôn", "tổ dân phố", "ấp"…
    ten: str  # the unit's name without its kind: "Hòa Khánh"
    tinh: str  # the province's name without its kind: "Đà Nẵng"
    cap_tinh: str  # "tỉnh" or "thành phố"
    huyen: str  # the district's name ("" from July 2025)
    cap_huyen: str = "huyện"  # the district's kind: "huyện", "quận", "thị xã", "thành phố"

    @property
    def don_vi(self) -> str:
        """ "phường Hòa Khánh"."""
        return f"{self.cap} {self.ten}"

    @property
    def tinh_day_du(self) -> str:
        """ "thành phố Đà Nẵng", "tỉnh Lạng Sơn"."""
        return f"{self.cap_tinh} {self.tinh}"

    @property
    def huyen_day_du(self) -> str:
        """ "huyện Cao Lộc", "quận Lê Chân"; "" when there is no district."""
        return f"{self.cap_huyen} {self.huyen}" if self.huyen else ""

    @property
    def cap_tren(self) -> str:
        """The level above that sets the commune's targets: the district, else the province."""
        return self.cap_huyen if self.huyen else self.cap_tinh

    @property
    def truong_thon(self) -> str:
        return village_head(self.cap_thon)

    def thon(self, name: str) -> str:
        """A village named in a sentence: "thôn Nà Cáy"; a name that already starts with its
        kind ("Thôn Đông", "Tổ dân phố 5") is not given it twice: "thôn Đông"."""
        if village_key(name, [self.cap_thon]) != place_key(name):
            return lower_first(name)
        return f"{self.cap_thon} {name}"


def words_for(
    *,
    cap: str,
    cap_thon: str,
    ten: str,
    tinh: str,
    huyen: str | None,
    year: int,
    cap_huyen: str = "huyện",
) -> Words:
    """The vocabulary of a validated unit (names already stripped of their kinds)."""
    return Words(
        cap=cap,
        cap_thon=cap_thon,
        ten=ten,
        tinh=tinh,
        cap_tinh="thành phố" if is_central_city(tinh, year) else "tỉnh",
        huyen=huyen or "",
        cap_huyen=cap_huyen,
    )
