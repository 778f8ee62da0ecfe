"""Where a dossier's files live and how the workbooks are laid out: what forms writes,
ingest and the freshness records read, and the archive and the page list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.common.errors import InputError, Problem
from pipeline.common.vnformat import ascii_slug, upper_first

if TYPE_CHECKING:
    from pipeline.model.profile import Profile
    from pipeline.model.units import Words

# Where results go, relative to where hoso runs (contract.md): outputs/<dossier folder name>/
# for the derived files and papers, archive/<dossier folder name>/v<N>/ for issued versions.
OUTPUTS = Path("outputs")
ARCHIVE = Path("archive")


def dossier_name(dossier: Path) -> str:
    """A dossier's name in outputs/ and in the archive: its folder's name."""
    return dossier.resolve().name


def output_folder(dossier: Path, outputs: Path = OUTPUTS) -> Path:
    """Where a dossier's results go: `outputs/<dossier folder name>/`."""
    return outputs / dossier_name(dossier)


def archive_folder(dossier: Path, archive: Path = ARCHIVE) -> Path:
    """Where a dossier's issued versions go: `archive/<dossier folder name>/`."""
    return archive / dossier_name(dossier)


def find_dossiers(dirs: Sequence[Path], *, hint: str) -> list[Path]:
    """The dossiers `dirs` name, as build and tong-hop take them: a dossier folder (with
    hoso.toml), or a folder of dossier folders; each folder holding none is reported."""
    from pipeline.model.profile import PROFILE_NAME

    problems: list[Problem] = []
    found: list[Path] = []
    for folder in dirs:
        if (folder / PROFILE_NAME).is_file():
            found.append(folder)
            continue
        inside = (
            sorted(p for p in folder.iterdir() if (p / PROFILE_NAME).is_file())
            if folder.is_dir()
            else []
        )
        if not inside:
            problems.append(Problem.of("khong-co-ho-so", file=str(folder), hint=hint))
        found += inside
    if problems:
        raise InputError(problems)
    return list({p.resolve(): p for p in found}.values())


# The dossier folder: village workbooks in thon/, the commune's in xa.xlsx.
VILLAGE_FOLDER = "thon"
COMMUNE_STEM = "xa"

# The form workbook.
DATA_SHEET = "Số liệu"
HELP_SHEET = "Hướng dẫn"
VALUE_HEADER = "Số liệu"
LABEL_NAM = "Năm:"
YES, NO = "Có", "Không"

# A new year's dossier made from last year's (`hoso init DIR --tu LAST_DIR`): the table of
# last year's dossiers and of how their villages map to the new ones, which `hoso forms` reads
# to fill in the previous-period figures. Two hidden columns beside a filled-in value keep
# what was filled in and where it came from, so ingest tells a figure kept from last year's
# dossier from one typed over it.
PREVIOUS_BOOK = "nam-truoc.xlsx"
CARRIED_HEADER = "Số điền sẵn từ hồ sơ năm trước"
CARRIED_SOURCE_HEADER = "Nguồn số điền sẵn"

# The score workbook written beside scorecard.json.
WORKBOOK_NAME = "bieu-cham-diem.xlsx"

slug = ascii_slug


def unit_label(words: Words) -> str:
    """The labelled cell naming the commune: "Xã:", "Phường:", "Đặc khu:"."""
    return f"{upper_first(words.cap)}:"


def village_label(words: Words) -> str:
    """The labelled cell naming the village: "Thôn:", "Tổ dân phố:", "Khu phố:"."""
    return f"{upper_first(words.cap_thon)}:"


def form_time(profile: Profile) -> datetime:
    """Workbook properties carry a date derived from the dossier, never the wall clock."""
    return datetime(profile.don_vi.nam, 1, 1)
