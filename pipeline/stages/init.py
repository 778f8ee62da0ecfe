"""`hoso init`: a new dossier folder whose commented `hoso.toml` speaks the unit's words and
follows the law of its year (defaults, examples and legal grounds from `model/units.py`)."""

from __future__ import annotations

import hashlib
import json
import string
import tomllib
from functools import cache
from pathlib import Path

from pipeline import __version__
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.textcheck import text_problems
from pipeline.common.vnformat import lower_first, nfc, upper_first
from pipeline.files.cache import load_text, store_text
from pipeline.files.resources import data_file
from pipeline.model.documents import catalogue
from pipeline.model.profile import PROFILE_NAME, UNIT_TYPES, Profile
from pipeline.model.units import (
    all_levels,
    categories,
    default_village_level,
    facts,
    known_category,
    period_of,
    split_district,
    split_province,
    strip_kind,
    village_examples,
    village_head,
    words_for,
)


def init_dossier(
    folder: Path,
    *,
    xa: str = "",
    tinh: str = "",
    huyen: str = "",
    nam: int,
    cap: str = "xã",
    cap_thon: str = "",
    loai: str = "",
) -> Path:
    """Create `folder/hoso.toml` for the unit and year given; never overwrite one."""
    path = folder / PROFILE_NAME
    if path.exists():
        raise _exists(path)
    text = profile_text(
        xa=xa, tinh=tinh, huyen=huyen, nam=nam, cap=cap, cap_thon=cap_thon, loai=loai
    )
    return write_profile(folder, text)


def write_profile(folder: Path, text: str) -> Path:
    """Write `text` as `folder/hoso.toml`, never over an existing one."""
    path = folder / PROFILE_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # "x" mode: a file created between the check and here is not clobbered either.
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không ghi được {path}: {exc.strerror}",
            "kiểm tra quyền ghi của thư mục.",
        ) from exc
    return path


def profile_text(
    *,
    xa: str,
    tinh: str,
    huyen: str,
    nam: int,
    cap: str = "xã",
    cap_thon: str = "",
    loai: str = "",
) -> str:
    """The commented profile of a unit, its defaults in its words and its year's law; its
    recognition category (`loai`) chosen from what the unit is when that decides it, else
    the one given."""
    period = period_of(nam)
    cap = nfc(cap).strip().lower()
    if period is None:
        raise InputError(
            [
                Problem.of(
                    "khong-hop-le",
                    variant="nam-luat",
                    field="--nam",
                    value=f'"{nam}"',
                    hint="kiểm tra lại năm.",
                )
            ]
        )
    problems: list[Problem] = []
    # What is typed on the command line goes into hoso.toml: the profile's own text rules.
    typed = {"--xa": xa, "--tinh": tinh, "--huyen": huyen, "--cap": cap, "--cap-thon": cap_thon}
    for option, value in typed.items():
        problems += [
            Problem(p.code, p.message, field=option, value=p.shown, hint=p.hint)
            for p in text_problems(value, multiline=False)
        ]
    if problems:
        raise InputError(problems)
    if cap not in period.levels:
        problems.append(
            Problem.of(
                "khong-hop-le",
                variant="cap-trong-nam",
                field="--cap",
                value=f'"{cap}"',
                hint="dùng một trong: " + ", ".join(f'"{c}"' for c in period.levels) + ".",
                nam=nam,
                period=period.name,
            )
        )
    below = nfc(cap_thon).strip().lower() or default_village_level(cap)
    if not below and cap in all_levels():
        problems.append(
            Problem.of(
                "khong-hop-le",
                variant="cap-duoi",
                field="--cap-thon",
                value='""',
                hint='ví dụ --cap-thon "khu phố".',
                cap=cap,
            )
        )
    if huyen and not period.has_districts:
        problems.append(
            Problem.of(
                "khong-hop-le",
                variant="huyen",
                field="--huyen",
                value=f'"{huyen}"',
                hint="bỏ tùy chọn --huyen.",
                nam=nam,
            )
        )
    province, _ = split_province(tinh)
    name, _ = strip_kind(xa, (cap,))
    category, problem = choose_category(cap, name, province, nam, loai)
    if problem is not None:
        problems.append(problem)
    if problems:
        raise InputError(problems)
    below = below or "thôn"
    district_name, district_kind = split_district(huyen)
    words = words_for(
        cap=cap,
        cap_thon=below,
        ten=name,
        tinh=province or "…",
        huyen=district_name,
        year=nam,
        cap_huyen=district_kind,
    )
    level_above = words.cap_tinh
    example = period.examples(words.huyen_day_du or words.tinh_day_du)
    grounds = "\n".join(f"#   - {g}" for g in period.grounds)
    # As the comment says: a huyện by its name alone, another kind with it ("quận Lê Chân").
    typed_district = (
        district_name if district_kind == "huyện" else f"{district_kind} {district_name}"
    )
    district = (
        f"huyen = {_padded(typed_district, 20)}"
        '# tên huyện, không kèm chữ "huyện"; quận, thị xã, thành phố thì ghi kèm'
        if period.has_districts
        else f"# Năm {nam} không còn cấp huyện: không ghi huyen; cấp trên là {level_above}."
    )
    return template().substitute(
        nam=nam,
        thoi_ky=period.name,
        tinh=_padded(province, 20),
        xa=_padded(name, 20),
        huyen_dong=district,
        cap=cap,
        cap_toml=_padded(cap, 20),
        cap_ten=f"{cap} {name}".strip(),
        cac_cap=", ".join(f'"{c}"' for c in period.levels),
        cac_loai="\n".join(
            f"#   {_padded(key, 16)}{text}: {UNIT_TYPES[key]} điểm"
            for key, text in categories().items()
        ),
        cap_thon=below,
        cap_thon_toml=_padded(below, 16),
        loai_dong=category,
        truong_thon=lower_first(village_head(below)),
        vd_tiep_nhan_ten=_toml_string(example["ten"]),
        vd_tiep_nhan_dia_ban=_toml_string(example["dia_ban"]),
        vd_cong_nhan=_toml_string(example["cong_nhan"]),
        vd_cap_tren=_toml_string(example["cap_tren"]),
        can_cu_mac_dinh=grounds,
        vd_xa=_toml_string(name or "Bình Trung"),
        vd_thon="[" + ", ".join(_toml_string(v) for v in village_examples(below)) + "]",
        bao_cao_huyen=_line(period.report_line(words.huyen_day_du)),
        van_phong=upper_first(period.office_of(cap)),
    )


def _line(recipient: str) -> str:
    """A Nơi nhận item as its own line of the list, or nothing."""
    return f"    {_toml_string(recipient)},\n" if recipient else ""


def category_help() -> str:
    """The categories, as `--loai`'s help and its error list them."""
    return ", ".join(
        f"--loai {key} ({text}: {UNIT_TYPES[key]} điểm)" for key, text in categories().items()
    )


def choose_category(
    cap: str, name: str, province: str, year: int, typed: str
) -> tuple[str, Problem | None]:
    """The profile's `loai = …` line, its reason as a comment, or the problem to report: a
    unit whose category its kind and place decide gets it; any other, the one the clerk
    gives (never a silent default)."""
    typed = nfc(typed).strip().lower()
    known = known_category(cap, province, year)
    choices = "chọn một: " + category_help() + "."
    if typed and typed not in UNIT_TYPES:
        return "", Problem.of(
            "khong-hop-le", variant="loai-don-vi", field="--loai", value=f'"{typed}"', hint=choices
        )
    if known is not None:
        key, why = known
        if typed and typed != key:
            return "", Problem.of(
                "khong-hop-le",
                variant="loai-khac",
                field="--loai",
                value=f'"{typed}"',
                hint="bỏ tùy chọn --loai, hoso tự ghi loại này.",
                cap=cap,
                name=name,
                key=key,
                why=why,
            )
        return _padded_line(key, f"{why}: ngưỡng {UNIT_TYPES[key]} điểm"), None
    if not typed:
        return "", Problem.of("chua-chon-loai", field="--loai", hint=choices)
    return _padded_line(typed, f"{categories()[typed]}: ngưỡng {UNIT_TYPES[typed]} điểm"), None


def _padded_line(key: str, comment: str) -> str:
    return f"loai = {_padded(key, 20)}# {comment}"


def template() -> string.Template:
    return string.Template(data_file("hoso.mau.toml").read_text(encoding="utf-8"))


def _exists(path: Path) -> InputError:
    return InputError(
        [
            Problem.of(
                "da-co-ho-so",
                file=str(path),
                hint="sửa trực tiếp tệp này, hoặc chọn một thư mục khác.",
            )
        ]
    )


def _padded(text: str, width: int) -> str:
    """A TOML string followed by the spaces that line its comment up with the others."""
    value = _toml_string(text)
    return value + " " * max(1, width - len(value))


def _toml_string(text: str) -> str:
    escaped = nfc(text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


# --- defaults that name the unit's kinds ----------------------------------------------------------

COUNCIL_TITLE = "hoi_dong.thanh_vien[].chuc_vu"


@cache
def unit_defaults(cap: str, cap_thon: str, year: int) -> dict[str, tuple[str, ...]]:
    """What `hoso init` writes for a unit of these kinds in `year` that names them: each
    paper's Nơi nhận ("Các tổ trưởng tổ dân phố") and the council members' titles."""
    known = known_category(cap, "", year)
    text = profile_text(
        xa="X", tinh="", huyen="", nam=year, cap=cap, cap_thon=cap_thon,
        loai=known[0] if known else "con_lai",
    )  # fmt: skip
    raw = tomllib.loads(text)
    found = {
        f"van_ban.{code}.noi_nhan": tuple(table.get("noi_nhan", ()))
        for code, table in raw["van_ban"].items()
    }
    titles = (m.get("chuc_vu", "") for m in raw["hoi_dong"]["thanh_vien"])
    found[COUNCIL_TITLE] = tuple(title for title in titles if title)
    return found


def _era_years(cap: str, year: int) -> list[int]:
    """A year of each other period of the law that has units of kind `cap`."""
    mine = period_of(year)
    found = []
    for other in facts().periods:
        if other is mine or cap not in other.levels:
            continue
        # The law of a year is the law of its 31 December.
        found += [y for y in (other.start.year, other.start.year + 1) if period_of(y) is other][:1]
    return found


def _law(year: int) -> str:
    found = period_of(year)
    return found.name if found else str(year)


# key -> a default init writes there for another kind or era -> (what this unit's defaults
# have in its place or "", the year it was written for when it is another era's, else 0).
Others = dict[str, dict[str, tuple[str, int]]]


def _others(cap: str, cap_thon: str, year: int) -> Others:
    """Each default init writes for another unit kind or level below, or for the same kinds
    in another period of the law, that this unit's defaults lack.
    Kept in the disk cache: it writes and reads a profile for every other kind (a tenth of
    a one-figure correction's time), and depends only on the kinds, the year, this code
    and the package's data."""
    key = hashlib.sha256(repr((_defaults_digest(), cap, cap_thon, year)).encode()).hexdigest()
    stored = load_text("mac-dinh", key)
    if stored is not None:
        try:
            raw = json.loads(stored)
            if isinstance(raw, dict):
                return {
                    str(k): {str(a): (str(b[0]), int(b[1])) for a, b in v.items()}
                    for k, v in raw.items()
                }
        except (ValueError, AttributeError, TypeError, IndexError, KeyError):
            pass  # a damaged entry: work it out again
    theirs = _others_now(cap, cap_thon, year)
    store_text("mac-dinh", key, json.dumps(theirs, ensure_ascii=False, sort_keys=True))
    return theirs


@cache
def _defaults_digest() -> str:
    """What init's defaults are made from besides the unit: the program and its data."""
    root = Path(__file__).resolve().parent.parent
    files = [root / "stages" / "init.py", *sorted((root / "model").glob("*.py"))]
    files += [root / "common" / "vnformat.py", *sorted((root / "data").glob("*.toml"))]
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _others_now(cap: str, cap_thon: str, year: int) -> Others:
    period = period_of(year)
    mine = unit_defaults(cap, cap_thon, year)
    theirs: Others = {}
    # Each default names one of the two kinds: varying one at a time finds them all.
    kinds = [(level, cap_thon) for level in (period.levels if period else ()) if level != cap]
    kinds += [(cap, below) for below in facts().village_heads if below != cap_thon]
    sources = [(level, below, year) for level, below in kinds]
    sources += [(cap, cap_thon, other) for other in _era_years(cap, year)]
    for level, below, when in sources:
        for key, values in unit_defaults(level, below, when).items():
            own = mine.get(key, ())
            for i, value in enumerate(values):
                if value not in own:
                    instead = own[i] if len(own) == len(values) else ""
                    era = 0 if when == year else when
                    theirs.setdefault(key, {}).setdefault(value, (instead, era))
    return theirs


def stale_defaults(profile: Profile, codes: list[str]) -> list[Problem]:
    """A warning for each default `hoso init` wrote for another kind of unit or level below
    (the profile's cap or cap_thon changed since) in the papers `codes`: the key, and what
    init writes now."""
    unit = profile.don_vi
    period = period_of(unit.nam)
    if period is None or unit.cap not in period.levels:
        return []
    theirs = _others(unit.cap, unit.cap_thon, unit.nam)
    found: list[tuple[str, str, tuple[str, int]]] = []
    for code in codes:
        key = f"van_ban.{code}.noi_nhan"
        recipients = profile.van_ban[code].noi_nhan if code in profile.van_ban else ()
        found += [
            (f"{key}[{i}]", value, theirs[key][value])
            for i, value in enumerate(recipients, start=1)
            if value in theirs.get(key, {})
        ]
    titles = theirs.get(COUNCIL_TITLE, {})
    if any("hoi_dong" in catalogue()[c].sections for c in codes if c in catalogue()):
        found += [
            (f"hoi_dong.thanh_vien[{i}].chuc_vu", m.chuc_vu, titles[m.chuc_vu])
            for i, m in enumerate(profile.hoi_dong, start=1)
            if m.chuc_vu in titles
        ]
    return [
        _stale_default(profile, key, value, instead, era) for key, value, (instead, era) in found
    ]


def _stale_default(profile: Profile, key: str, value: str, instead: str, era: int) -> Problem:
    """A default `hoso init` wrote for another kind of unit, or in another period's law."""
    fix = f'sửa thành "{instead}"' if instead else "sửa lại cho đúng đơn vị"
    unit = profile.don_vi
    if era:
        period = period_of(unit.nam)
        return Problem.of(
            "mac-dinh-cu",
            variant="thoi-ky-khac",
            file=str(profile.path),
            field=key,
            written=value,
            law=_law(era),
            year=unit.nam,
            period=period.name if period else unit.nam,
            fix=fix,
        )
    return Problem.of(
        "mac-dinh-cu",
        variant="don-vi-khac",
        file=str(profile.path),
        field=key,
        written=value,
        don_vi=unit.words.don_vi,
        cap_thon=unit.words.cap_thon,
        fix=fix,
    )
