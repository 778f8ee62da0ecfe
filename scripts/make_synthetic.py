"""Write N realistic synthetic dossiers, for tests and bench/scale_bench.py.

Each dossier is what a commune clerk would have once the villages sent their figures back:
a hoso.toml made by `hoso init`'s own text (`pipeline.stages.init.profile_text`) with its blanks
filled, a workbook per village written by `hoso forms`' layout and filled like the villages
do, and the commune's `xa.xlsx`. Every unit type appears (xã, phường, thị trấn in 2024 under a
district; xã, phường, đặc khu in 2026 directly under a province or a centrally-run city),
with 5 to 30 villages; about one dossier in five falls below its threshold, one in ten has a
criterion at zero, and one in four carries council adjustments ([[dieu_chinh]]). The same
seed gives the same dossiers, byte for byte. Names and figures are invented.

Run: `python scripts/make_synthetic.py OUT_DIR [--n 200] [--seed 1] [--villages K]`.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.files.atomic import atomic_write, workbook_bytes
from pipeline.model.layout import COMMUNE_STEM, VILLAGE_FOLDER, form_time, slug
from pipeline.model.profile import PROFILE_NAME, load_profile
from pipeline.stages.forms import commune_form, fill_figures, village_form
from pipeline.stages.init import profile_text

Fate = Literal["dat", "duoi-nguong", "tieu-chi-0"]

# (year, unit kind, village kind, province, district kind or "" from July 2025)
KINDS: tuple[tuple[int, str, str, str, str], ...] = (
    (2024, "xã", "thôn", "Lạng Sơn", "huyện"),
    (2024, "phường", "tổ dân phố", "Đà Nẵng", "quận"),
    (2024, "thị trấn", "khu phố", "Nghệ An", "huyện"),
    (2026, "xã", "ấp", "Cần Thơ", ""),
    (2026, "phường", "tổ dân phố", "Hải Phòng", ""),
    (2026, "đặc khu", "thôn", "Quảng Ninh", ""),
    (2026, "xã", "bản", "Sơn La", ""),
    (2024, "xã", "xóm", "Hà Nội", "huyện"),
)
# Every special zone is an island (data/don-vi.toml); the wards listed are in centrally-run
# cities.
_LOAI = {"phường": "phuong_do_thi", "đặc khu": "mien_nui", "thị trấn": "con_lai"}
_SYLLABLES = [
    "An",
    "Bình",
    "Châu",
    "Đông",
    "Hòa",
    "Hưng",
    "Khánh",
    "Lạc",
    "Long",
    "Minh",
    "Nam",
    "Phú",
    "Phúc",
    "Quang",
    "Sơn",
    "Tân",
    "Thạnh",
    "Thành",
    "Thuận",
    "Tiến",
    "Trung",
    "Vĩnh",
    "Xuân",
    "Yên",
    "Hải",
    "Hà",
    "Lâm",
    "Mỹ",
    "Ngọc",
    "Phong",
    "Thịnh",
    "Bắc",
    "Cát",
    "Đức",
    "Hồng",
    "Kim",
    "Lợi",
]
_PEOPLE = (
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Vũ Thị Giang",
    "Đặng Văn Hùng",
    "Bùi Thị Lan",
)


@dataclass(frozen=True)
class Synthetic:
    """What was generated, so a test can check what the pipeline makes of it."""

    folder: Path
    unit: str  # "xã Tân Hòa"
    villages: int
    fate: Fate
    adjusted: bool  # has [[dieu_chinh]]


def _name(rng: random.Random, taken: set[str]) -> str:
    """A new two-syllable name; numbered once the pairs run out (a thousand villages).
    Unique by file name, as the profile requires ("Thành Nam" and "Thạnh Nam" share one)."""
    attempt = 0
    while True:
        first, second = rng.sample(_SYLLABLES, 2)
        name = f"{first} {second}" + (f" {attempt // 20}" if attempt >= 20 else "")
        attempt += 1
        if slug(name) not in taken:
            taken.add(slug(name))
            return name


def _set(text: str, section: str, key: str, value: str) -> str:
    """Replace `key = …` in `[section]` of the commented profile (its first occurrence)."""
    start = text.index(f"[{section}]")
    pattern = re.compile(rf"^{re.escape(key)} = [^\n#]*?(?=\s*(#|$))", re.MULTILINE)
    match = pattern.search(text, start)
    if match is None:
        raise KeyError(f"{section}.{key}")
    return text[: match.start()] + f"{key} = {value}" + text[match.end() :]


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def profile_for(
    rng: random.Random, index: int, kind: tuple[int, str, str, str, str], villages: list[str]
) -> tuple[str, str]:
    """The filled hoso.toml text of one synthetic unit, and the unit's name."""
    year, cap, cap_thon, tinh, district = kind
    name = _name(rng, set())
    huyen = f"{rng.choice(_SYLLABLES)} {rng.choice(_SYLLABLES)}" if district else ""
    people = rng.sample(_PEOPLE, 5)
    loai = _LOAI.get(cap, rng.choice(("con_lai", "mien_nui")))
    text = profile_text(
        xa=name, tinh=tinh, huyen=huyen, nam=year, cap=cap, cap_thon=cap_thon, loai=loai
    )
    above = f"{district} {huyen}" if district else ("thành phố " if tinh in _CITIES else "tỉnh ")
    above = above if district else above + tinh
    values = {
        ("don_vi", "thon"): "[" + ", ".join(_toml(v) for v in villages) + "]",
        ("lanh_dao", "chu_tich"): _toml(people[0]),
        ("lanh_dao", "pho_chu_tich"): _toml(people[1]),
        ("lanh_dao", "cong_chuc_vhxh"): _toml(people[2]),
        ("tiep_nhan", "ten"): _toml("Phòng Văn hóa - Xã hội" if district else "Sở Y tế"),
        ("tiep_nhan", "dia_ban"): _toml(above),
        ("tiep_nhan", "cong_nhan"): _toml(f"Ủy ban nhân dân {above}"),
        ("ke_hoach", "can_cu_so"): _toml(f"{100 + index}/KH-UBND"),
        ("ke_hoach", "can_cu_ngay"): f"{year}-03-{10 + index % 18:02d}",
        ("ke_hoach", "can_cu_co_quan"): _toml(f"Ủy ban nhân dân {above}"),
        ("ke_hoach", "han_bao_cao"): f"{year}-11-06",
        ("hop_hoi_dong", "bat_dau"): f"{year}-11-10T08:00:00",
        ("hop_hoi_dong", "ket_thuc"): f"{year}-11-10T10:00:00",
        ("hop_hoi_dong", "dia_diem"): _toml(f"Hội trường UBND {cap} {name}"),
        ("hop_hoi_dong", "tan_thanh"): "3",
        ("hop_hoi_dong", "khong_tan_thanh"): "0",
        ("bao_cao", "dac_diem"): _toml(f"{cap.capitalize()} {name} có {len(villages)} {cap_thon}."),
        ("bao_cao", "kho_khan"): _toml("Kinh phí cho công tác trẻ em còn hạn chế."),
        ("bao_cao", "de_xuat"): _toml("Đề nghị cấp trên hỗ trợ kinh phí."),
    }
    for (section, key), value in values.items():
        text = _set(text, section, key, value)
    # The council: the three members init lists, named.
    for who in (people[0], people[2], people[3]):
        text = text.replace('ho_ten = ""', f"ho_ten = {_toml(who)}", 1)
    text = text.replace('chuc_vu = ""', f'chuc_vu = "Chủ tịch Ủy ban Mặt trận Tổ quốc {cap}"', 1)
    return text, name


# A council adjustment, as a clerk adds it under the profile.
ADJUSTMENT = '\n[[dieu_chinh]]\nmuc = "8.2"\ndiem = 20\nly_do = "Hội đồng kiểm tra lại sổ sách"\n'
_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}


def village_figures(rng: random.Random, fate: Fate, first: bool) -> dict[str, Any]:
    """One village's figures; a failing dossier's villages lag on several sub-items."""
    n = rng.randint(80, 450)
    births = max(4, round(n * rng.uniform(0.05, 0.08)))
    under5 = round(n * rng.uniform(0.28, 0.33))
    special = max(1, round(n * 0.03))
    due_check = round(n * 0.6)
    school_age = round(n * 0.55)
    preschool = round(n * 0.19)
    weak = fate == "duoi-nguong"
    return {
        "tre_em_duoi_16": n,
        "sinh_trong_ky": births,
        "khai_sinh_dung_han": births - (1 if weak and births >= 20 else 0),
        "duoi_1_tuoi": births,
        "duoi_1_tiem_du": births - rng.choice((0, 0, 1)),
        "duoi_5_can_do": under5,
        "suy_dd_nhe_can": round(under5 * (0.09 if weak else 0.06)),
        "suy_dd_thap_coi": round(under5 * 0.12),
        # A child abused this period where none was before: criterion 3 at zero.
        "bi_xam_hai": 1 if fate == "tieu-chi-0" and first else 0,
        "bi_xam_hai_ky_truoc": 0,
        "vi_pham_phap_luat": 0,
        "vi_pham_phap_luat_ky_truoc": 0,
        "tai_nan_thuong_tich": rng.choice((0, 0, 1)) + (1 if weak and first else 0),
        "tai_nan_thuong_tich_ky_truoc": 1,
        "tu_vong_tntt": 1 if weak and first else 0,
        "hcdb": special,
        "hcdb_tro_giup": special,
        "dien_kham_sk": due_check,
        "kham_sk": round(due_check * (0.86 if weak else 0.93)),
        "tre_6_14": school_age,
        "tre_6_14_di_hoc": school_age,
        "tre_3_5": preschool,
        "tre_3_5_mam_non": round(preschool * (0.86 if weak else 0.95)),
        "co_ctv_bvte": True,
        "co_diem_vui_choi": (not weak) and rng.random() < 0.8,
    }


def commune_figures(rng: random.Random, fate: Fate) -> dict[str, Any]:
    asked = rng.randint(8, 30)
    surveyed = rng.randint(200, 400)
    weak = fate == "duoi-nguong"
    return {
        "co_nguoi_bvte": True,
        "ban_bvte_giao_ban": True,
        "kinh_phi_tre_em": rng.randint(20, 150) * 1_000_000,
        "vu_viec_xhtd": 0,
        "vu_viec_co_kh_can_thiep": 0,
        "dien_dan_tre_em": not weak,
        "clb_tre_em": True,
        "y_kien_tre_em": asked,
        "y_kien_duoc_giai_quyet": asked - (1 if weak else 0),
        "diem_vui_choi_xa": True,
        "hoat_dong_he": not weak,
        "phieu_khao_sat": surveyed,
        "phieu_hai_long": round(surveyed * (0.78 if weak else 0.88)),
    }


Kind = tuple[int, str, str, str, str]


def one_province(year: int, tinh: str, district: str = "") -> tuple[Kind, ...]:
    """The unit types of one province (or one district of it before July 2025) in a year:
    what its receiving level rolls up."""
    levels = ("xã", "phường", "thị trấn") if year < 2025 else ("xã", "phường", "đặc khu")
    below = {"xã": "thôn", "phường": "tổ dân phố", "thị trấn": "khu phố", "đặc khu": "thôn"}
    return tuple((year, cap, below[cap], tinh, district) for cap in levels)


def make_dossier(
    root: Path,
    index: int,
    *,
    seed: int = 1,
    villages: int | None = None,
    kinds: Sequence[Kind] = KINDS,
) -> Synthetic:
    """Write synthetic dossier number `index` of the series `seed` under `root`."""
    rng = random.Random(f"{seed}-{index}")
    kind = kinds[index % len(kinds)]
    fate: Fate = "dat"
    if index % 10 == 3:
        fate = "tieu-chi-0"
    elif index % 5 == 1:
        fate = "duoi-nguong"
    count = villages if villages is not None else rng.randint(5, 30)
    taken: set[str] = set()
    names = [_name(rng, taken) for _ in range(count)]
    text, unit_name = profile_for(rng, index, kind, names)
    adjusted = index % 4 == 2 and fate == "dat"
    if adjusted:
        text += (
            '\n[[dieu_chinh]]\nmuc = "8.2"\ndiem = 20\nly_do = "Hội đồng kiểm tra lại sổ sách"\n'
        )
    folder = root / f"{slug(unit_name)}-{kind[0]}-{index:03d}"
    atomic_write(folder / PROFILE_NAME, text.encode("utf-8"))
    profile = load_profile(folder, sections=("don_vi",))
    when = form_time(profile)
    for i, village in enumerate(profile.don_vi.thon):
        book = village_form(profile, village)
        fill_figures(book, village_figures(rng, fate, i == 0), as_text=rng.random() < 0.1)
        atomic_write(folder / VILLAGE_FOLDER / f"{slug(village)}.xlsx", workbook_bytes(book, when))
    book = commune_form(profile)
    fill_figures(book, commune_figures(rng, fate), as_text=False)
    atomic_write(folder / f"{COMMUNE_STEM}.xlsx", workbook_bytes(book, when))
    return Synthetic(folder, f"{kind[1]} {unit_name}", count, fate, adjusted)


def make_dossiers(
    root: Path,
    n: int,
    *,
    seed: int = 1,
    villages: int | None = None,
    kinds: Sequence[Kind] = KINDS,
) -> list[Synthetic]:
    """N synthetic dossiers under `root` (see the module's docstring)."""
    return [make_dossier(root, i, seed=seed, villages=villages, kinds=kinds) for i in range(n)]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--villages", type=int, default=None)
    parser.add_argument("--tinh", default="", help="all in this province, this year (--nam)")
    parser.add_argument("--nam", type=int, default=2026)
    args = parser.parse_args(argv)
    kinds = one_province(args.nam, args.tinh) if args.tinh else KINDS
    made_all = make_dossiers(args.out, args.n, seed=args.seed, villages=args.villages, kinds=kinds)
    for made in made_all:
        print(f"{made.folder}  {made.unit}  {made.villages} villages  {made.fate}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
