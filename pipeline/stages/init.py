"""`hoso init`: a new dossier folder whose commented `hoso.toml` speaks the unit's words and
follows the law of its year (defaults, examples and legal grounds from `model/units.py`)."""

from __future__ import annotations

import string
from pathlib import Path

from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.textcheck import text_problems
from pipeline.common.vnformat import lower_first, nfc
from pipeline.files.resources import data_file
from pipeline.model.profile import PROFILE_NAME, UNIT_TYPES
from pipeline.model.units import (
    all_levels,
    categories,
    default_village_level,
    known_category,
    period_of,
    split_district,
    split_province,
    strip_kind,
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
            [_option("--nam", str(nam), "năm này không có trong dữ liệu luật", "kiểm tra lại năm.")]
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
            _option(
                "--cap",
                cap,
                f"năm {nam} không có đơn vị cấp này ({period.name})",
                "dùng một trong: " + ", ".join(f'"{c}"' for c in period.levels) + ".",
            )
        )
    below = nfc(cap_thon).strip().lower() or default_village_level(cap)
    if not below and cap in all_levels():
        problems.append(
            _option("--cap-thon", "", f"chưa rõ cấp dưới của {cap}", 'ví dụ --cap-thon "khu phố".')
        )
    if huyen and not period.has_districts:
        problems.append(
            _option("--huyen", huyen, f"năm {nam} không còn cấp huyện", "bỏ tùy chọn --huyen.")
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
    district = (
        f'huyen = {_toml_string(huyen)}  # tên huyện, không kèm chữ "huyện"'
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
    )


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
        return "", _option("--loai", typed, "không phải một loại đơn vị", choices)
    if known is not None:
        key, why = known
        if typed and typed != key:
            return "", _option(
                "--loai",
                typed,
                f'{cap} {name} thuộc loại "{key}": {why}',
                "bỏ tùy chọn --loai, hoso tự ghi loại này.",
            )
        return _padded_line(key, f"{why}: ngưỡng {UNIT_TYPES[key]} điểm"), None
    if not typed:
        return "", Problem(
            "chua-chon-loai",
            "chưa rõ loại đơn vị theo Quyết định 06/QĐ-TTg, loại này quyết định ngưỡng điểm "
            "công nhận",
            field="--loai",
            hint=choices,
        )
    return _padded_line(typed, f"{categories()[typed]}: ngưỡng {UNIT_TYPES[typed]} điểm"), None


def _padded_line(key: str, comment: str) -> str:
    return f"loai = {_padded(key, 20)}# {comment}"


def template() -> string.Template:
    return string.Template(data_file("hoso.mau.toml").read_text(encoding="utf-8"))


def _option(option: str, value: str, message: str, hint: str) -> Problem:
    return Problem("khong-hop-le", message, field=option, value=f'"{value}"', hint=hint)


def _exists(path: Path) -> InputError:
    return InputError(
        [
            Problem(
                "da-co-ho-so",
                "đã có hồ sơ ở đây, không ghi đè",
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
