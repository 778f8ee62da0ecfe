"""Write the demo dossiers' filled workbooks: the villages' in `thon/` and `xa.xlsx`.

`inputs/binh-trung-2024` (a mountain commune, 12 thôn): SAMPLE figures chosen so that the
default rules of Decision 06 give a recognisable total (about 900 of 1000, no criterion at
zero) with a few sub-items in lower tiers. One village is saved as .xls and one as .ods
through LibreOffice headless, as villages do; two villages type numbers as text and
"có"/"x", which ingest must accept.

`inputs/le-chan-2026` (an urban ward of a centrally-run city, 7 tổ dân phố, threshold 900):
SAMPLE figures giving 940 of 1000, no criterion at zero, three sub-items below their
maximum (2.1, 7.1, 9.1).

Run: `make demo-data` (both) or `scripts/make_demo_data.py le-chan-2026`, then commit.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.files.atomic import atomic_write, workbook_bytes
from pipeline.files.sheets import SPREADSHEET_SUFFIXES
from pipeline.model.dossier import Dossier
from pipeline.model.layout import VILLAGE_FOLDER, form_time, slug
from pipeline.model.profile import load_profile
from pipeline.stages.forms import commune_form, fill_figures, village_form
from pipeline.stages.ingest import ingest

INPUTS = Path(__file__).resolve().parent.parent / "inputs"

# Children under 16 per village, in profile order.
CHILDREN = (212, 148, 187, 236, 119, 165, 203, 134, 178, 241, 156, 192)
# Villages whose clerk saved in another format (by profile position).
CONVERT = {7: "xls", 11: "ods"}
# Villages whose clerk typed figures as text ("212", "có", "x").
AS_TEXT = {3, 9}
# Small per-village events (this period, previous period), summed per commune.
INJURED = (1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0)
INJURED_BEFORE = (1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0)
OFFENDERS = (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
OFFENDERS_BEFORE = (1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0)
ABUSED_BEFORE = (0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)
PLAY_AREA = (1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0)

COMMUNE: dict[str, Any] = {
    "co_nguoi_bvte": True,
    "ban_bvte_giao_ban": True,
    "kinh_phi_tre_em": 45_000_000,
    "vu_viec_xhtd": 0,
    "vu_viec_co_kh_can_thiep": 0,
    "dien_dan_tre_em": True,
    "clb_tre_em": True,
    "y_kien_tre_em": 14,
    "y_kien_duoc_giai_quyet": 14,
    "diem_vui_choi_xa": True,
    "hoat_dong_he": True,
    "phieu_khao_sat": 300,
    "phieu_hai_long": 261,
}


def village_figures(i: int) -> dict[str, Any]:
    """One village's figures, derived from its number of children."""
    n = CHILDREN[i]
    births = round(n * 0.07)
    under5 = round(n * 0.32)
    special = round(n * 0.04)
    due_check = round(n * 0.6)
    school_age = round(n * 0.55)
    preschool_age = round(n * 0.19)
    return {
        "tre_em_duoi_16": n,
        "sinh_trong_ky": births,
        # Two villages registered one birth late: 2.1 falls to its 95 % tier.
        "khai_sinh_dung_han": births - (1 if i in (2, 8) else 0),
        "duoi_1_tuoi": births,
        # Five villages missed one child's vaccines: 7.1 falls to its 95 % tier.
        "duoi_1_tiem_du": births - (1 if i in (0, 3, 5, 9, 10) else 0),
        "duoi_5_can_do": under5,
        "suy_dd_nhe_can": round(under5 * 0.08),
        "suy_dd_thap_coi": round(under5 * 0.17),
        "bi_xam_hai": 0,
        "bi_xam_hai_ky_truoc": ABUSED_BEFORE[i],
        "vi_pham_phap_luat": OFFENDERS[i],
        "vi_pham_phap_luat_ky_truoc": OFFENDERS_BEFORE[i],
        "tai_nan_thuong_tich": INJURED[i],
        "tai_nan_thuong_tich_ky_truoc": INJURED_BEFORE[i],
        "tu_vong_tntt": 0,
        "hcdb": special,
        "hcdb_tro_giup": special - (1 if i == 6 else 0),
        "dien_kham_sk": due_check,
        "kham_sk": round(due_check * 0.93),
        "tre_6_14": school_age,
        "tre_6_14_di_hoc": school_age - (1 if i in (1, 4) else 0),
        "tre_3_5": preschool_age,
        # Preschool attendance in the mountains lags: 10.2 falls to its 80 % tier.
        "tre_3_5_mam_non": round(preschool_age * 0.86),
        "co_ctv_bvte": True,
        "co_diem_vui_choi": bool(PLAY_AREA[i]),
    }


# --- phường Lê Chân, 2026 ------------------------------------------------------------------

# Children under 16 per tổ dân phố, in profile order: urban blocks are large.
WARD_CHILDREN = (412, 365, 448, 391, 337, 426, 384)
WARD_INJURED = (1, 0, 0, 1, 0, 0, 0)
WARD_INJURED_BEFORE = (1, 1, 0, 1, 1, 0, 0)
WARD_ABUSED_BEFORE = (0, 0, 1, 0, 0, 0, 0)
WARD_PLAY_AREA = (1, 1, 1, 0, 1, 1, 0)

WARD: dict[str, Any] = {
    "co_nguoi_bvte": True,
    "ban_bvte_giao_ban": True,
    "kinh_phi_tre_em": 120_000_000,
    "vu_viec_xhtd": 1,
    "vu_viec_co_kh_can_thiep": 1,
    "dien_dan_tre_em": True,
    "clb_tre_em": True,
    "y_kien_tre_em": 23,
    "y_kien_duoc_giai_quyet": 23,
    "diem_vui_choi_xa": True,
    "hoat_dong_he": True,
    "phieu_khao_sat": 400,
    "phieu_hai_long": 352,
}


def block_figures(i: int) -> dict[str, Any]:
    """One tổ dân phố's figures, derived from its number of children."""
    n = WARD_CHILDREN[i]
    births = round(n * 0.06)
    under5 = round(n * 0.3)
    special = round(n * 0.02)
    due_check = round(n * 0.65)
    school_age = round(n * 0.56)
    preschool_age = round(n * 0.18)
    return {
        "tre_em_duoi_16": n,
        "sinh_trong_ky": births,
        # One block registered a birth late: 2.1 falls to its 95 % tier.
        "khai_sinh_dung_han": births - (1 if i == 3 else 0),
        "duoi_1_tuoi": births,
        # Five blocks missed one child's vaccines: 7.1 falls to its 95 % tier.
        "duoi_1_tiem_du": births - (1 if i in (0, 1, 4, 5, 6) else 0),
        "duoi_5_can_do": under5,
        "suy_dd_nhe_can": round(under5 * 0.05),
        "suy_dd_thap_coi": round(under5 * 0.09),
        "bi_xam_hai": 0,
        "bi_xam_hai_ky_truoc": WARD_ABUSED_BEFORE[i],
        "vi_pham_phap_luat": 0,
        "vi_pham_phap_luat_ky_truoc": 0,
        "tai_nan_thuong_tich": WARD_INJURED[i],
        "tai_nan_thuong_tich_ky_truoc": WARD_INJURED_BEFORE[i],
        "tu_vong_tntt": 0,
        "hcdb": special,
        "hcdb_tro_giup": special,
        "dien_kham_sk": due_check,
        # Periodic health checks lag in the city: 9.1 falls to its 80 % tier.
        "kham_sk": round(due_check * 0.87),
        "tre_6_14": school_age,
        "tre_6_14_di_hoc": school_age,
        "tre_3_5": preschool_age,
        "tre_3_5_mam_non": preschool_age - (1 if i in (0, 3) else 0),
        "co_ctv_bvte": True,
        "co_diem_vui_choi": bool(WARD_PLAY_AREA[i]),
    }


def convert(xlsx: bytes, fmt: str, target: Path) -> None:
    """Save through LibreOffice headless, as a village using Calc or old Excel would."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to write the .xls and .ods samples.")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{target.stem}.xlsx"
        source.write_bytes(xlsx)
        subprocess.run(
            [soffice, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless",
             "--convert-to", fmt, "--outdir", str(Path(tmp) / "out"), str(source)],
            check=True, capture_output=True,
        )  # fmt: skip
        atomic_write(target, (Path(tmp) / "out" / f"{target.stem}.{fmt}").read_bytes())


@dataclass(frozen=True)
class Demo:
    """One demo dossier: how its villages' and its commune's figures are made."""

    villages: Callable[[int], dict[str, Any]]
    commune: dict[str, Any]
    convert: dict[int, str] = field(default_factory=dict)
    as_text: frozenset[int] = frozenset()


DEMOS = {
    "binh-trung-2024": Demo(village_figures, COMMUNE, CONVERT, frozenset(AS_TEXT)),
    "le-chan-2026": Demo(block_figures, WARD),
}


def write_demo(name: str, demo: Demo) -> None:
    folder = INPUTS / name
    # Only [don_vi] is needed, as for `hoso forms`.
    profile = load_profile(folder, sections=("don_vi",))
    when = form_time(profile)
    villages = folder / VILLAGE_FOLDER
    for old in villages.glob("*") if villages.is_dir() else []:
        if old.suffix in SPREADSHEET_SUFFIXES:
            old.unlink()
    for i, village in enumerate(profile.don_vi.thon):
        book = village_form(profile, village)
        fill_figures(book, demo.villages(i), as_text=i in demo.as_text)
        data = workbook_bytes(book, when)
        fmt = demo.convert.get(i)
        target = villages / f"{slug(village)}.{fmt or 'xlsx'}"
        if fmt:
            convert(data, fmt, target)
        else:
            atomic_write(target, data)
        print(f"wrote {name}/{target.relative_to(folder)}")
    book = commune_form(profile)
    fill_figures(book, demo.commune)
    atomic_write(folder / "xa.xlsx", workbook_bytes(book, when))
    print(f"wrote {name}/xa.xlsx")
    result = ingest(Dossier(folder))
    assert not result.warnings, result.warnings
    for code, value in result.data.totals().items():
        print(f"  {code} = {value}")


def main(names: list[str]) -> None:
    unknown = [n for n in names if n not in DEMOS]
    if unknown:
        sys.exit(f"unknown demo dossier {unknown}; choose from {list(DEMOS)}")
    for name in names or list(DEMOS):
        write_demo(name, DEMOS[name])


if __name__ == "__main__":
    main(sys.argv[1:])
