"""Files the page reads and writes: the dossiers under the root, uploaded workbooks (names
sanitised, sizes bounded), the zips it hands out and the first-page previews."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.common import limits
from pipeline.common.errors import Problem
from pipeline.files.atomic import atomic_write
from pipeline.files.outputset import locked
from pipeline.model.documents import catalogue
from pipeline.model.layout import COMMUNE_STEM, VILLAGE_FOLDER, WORKBOOK_NAME
from pipeline.model.profile import PROFILE_NAME
from pipeline.stages.forms import backup_name, same_stem
from pipeline.stages.freshness import workbook_files
from pipeline.stages.ingest import error_copy_path

UPLOAD_SUFFIXES = (".xlsx", ".xls", ".ods")
# A dossier folder's name as the page creates it: the slug of the unit and the year.
_FOLDER = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
# Marks our own copies carry: a village returning its marked copy sends "<name>.loi.xlsx".
_OUR_MARKS = re.compile(r"\.(loi|sao-luu-\d+)$", re.IGNORECASE)
_PREVIEW_SECONDS = 60


def valid_folder_name(name: str) -> bool:
    return bool(_FOLDER.fullmatch(name))


def dossier_path(root: Path, name: str) -> Path | None:
    """The dossier `name` directly under `root`, or None (no path may leave the root)."""
    if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
        return None
    path = root / name
    if path.resolve().parent != root.resolve() or not (path / PROFILE_NAME).is_file():
        return None
    return path


def dossiers(root: Path) -> list[Path]:
    """Folders of `root` holding a hoso.toml, by name."""
    if not root.is_dir():
        return []
    return sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
        and (p / PROFILE_NAME).is_file()
    )  # fmt: skip


# --- uploads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    name: str  # as the browser sent it
    data: bytes


# Names Windows cannot hold as a file ("CON.xlsx" is the console), whatever the suffix.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}  # fmt: skip
_UNSAFE_CHARS = re.compile(r'[<>:"|?*]')


def safe_name(name: str) -> str | None:
    """The name an uploaded workbook is saved under, or None when it is refused: the file
    name only (a browser may send the whole Windows path "C:\\Users\\…\\x.xlsx"), without
    control characters, ending in .xlsx, .xls or .ods. A name Windows reserves (CON, NUL…)
    gets "-bieu" added, leading dots go (a hidden file would be skipped), and our marks are
    dropped, so a village's corrected `na-cay.loi.xlsx` replaces `na-cay.xlsx`."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", "..") or ".." in name:
        return None
    if any(unicodedata.category(c).startswith("C") for c in name) or len(name) > 120:
        return None
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}"
    if not dot or not stem or suffix not in UPLOAD_SUFFIXES:
        return None
    stem = _UNSAFE_CHARS.sub("-", _OUR_MARKS.sub("", stem)).strip(" .").lstrip(".").strip()
    if not stem or stem.startswith("~$"):
        return None
    if stem.split(".", 1)[0].strip().lower() in _RESERVED:
        stem += "-bieu"
    return stem + suffix


def macros(data: bytes) -> bool:
    """Whether a workbook carries macros (VBA, Excel 4 macro sheets, LibreOffice Basic),
    whatever its name says: an .xlsm renamed .xlsx still holds vbaProject.bin."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = [n.lower() for n in z.namelist()]
        except (zipfile.BadZipFile, OSError, ValueError):
            return False  # not a workbook at all: ingest says so with its place
        return any(
            n.endswith("vbaproject.bin") or n.startswith(("xl/macrosheets/", "basic/"))
            for n in names
        )
    # .xls (OLE): the VBA storage's name, as the directory holds it (UTF-16).
    return "_VBA_PROJECT".encode("utf-16-le") in data


def upload_target(dossier: Path, name: str) -> Path:
    """Where a workbook goes: the commune's (`xa.*`) in the dossier, others in `thon/`."""
    stem = name.rpartition(".")[0]
    if stem.lower() == COMMUNE_STEM:
        return dossier / f"{COMMUNE_STEM}{name[len(stem) :].lower()}"
    return dossier / VILLAGE_FOLDER / name


def save_uploads(dossier: Path, uploads: list[Upload]) -> tuple[list[Path], list[Problem]]:
    """Write the acceptable uploads (each atomically, under the dossier's lock); the refused
    ones become problems naming the file."""
    problems: list[Problem] = []
    if len(uploads) > limits.MAX_UPLOAD_FILES:
        problems.append(
            Problem.of(
                "qua-nhieu-tep", count=len(uploads), max_upload_files=limits.MAX_UPLOAD_FILES
            )
        )
        return [], problems
    accepted: list[tuple[Path, bytes]] = []
    for upload in uploads:
        name = safe_name(upload.name)
        if name is None:
            problems.append(Problem.of("ten-tep-khong-nhan", file=upload.name[:120]))
        elif macros(upload.data):
            problems.append(Problem.of("co-macro", file=name))
        elif len(upload.data) > limits.MAX_WORKBOOK_BYTES:
            problems.append(
                Problem.of(
                    "tep-qua-lon",
                    variant="toi-da",
                    file=name,
                    hint="lưu lại biểu không kèm hình ảnh, hoặc dùng biểu mẫu trống của hoso.",
                    max_mb=limits.MAX_WORKBOOK_BYTES // (1024 * 1024),
                )
            )
        else:
            accepted.append((upload_target(dossier, name), upload.data))
    written: list[Path] = []
    with locked(dossier, sweep=(VILLAGE_FOLDER,)):
        for path, data in accepted:
            # One workbook per village, or ingest would read it twice: the same name in
            # another format (na-cay.xls for na-cay.xlsx) is kept as a backup.
            for other in same_stem(path):
                if other != path:
                    other.replace(backup_name(other))
            atomic_write(path, data)
            written.append(path)
    return written, problems


def workbooks(dossier: Path) -> list[str]:
    """The workbooks ingest reads, relative to the dossier."""
    return [p.relative_to(dossier).as_posix() for p in workbook_files(dossier)]


def workbook_path(dossier: Path, rel: str) -> Path | None:
    """A workbook ingest reads, named as `workbooks` names it; None for anything else."""
    return dossier / rel if rel in workbooks(dossier) else None


def error_copy(dossier: Path, rel: str) -> Path | None:
    """A marked copy ingest wrote beside a workbook of the dossier, or None."""
    for source in [*workbook_files(dossier)]:
        copy = error_copy_path(source)
        if copy.relative_to(dossier).as_posix() == rel and copy.is_file():
            return copy
    return None


# --- downloads ---------------------------------------------------------------------------------


def zip_bytes(files: Iterable[tuple[str, Path | bytes]]) -> bytes:
    """A zip of (name inside, file or its bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source in files:
            if isinstance(source, bytes):
                z.writestr(name, source)
            else:
                z.write(source, name)
    return buffer.getvalue()


def output_names() -> list[str]:
    """Every file of the output folder the page offers: papers, their PDFs, the score book."""
    names = []
    for doc in catalogue().values():
        names += [doc.file, str(Path(doc.file).with_suffix(".pdf"))]
    return [*names, WORKBOOK_NAME]


def output_file(out: Path, name: str) -> Path | None:
    """A known output file present in `out`, else None (no other name is ever served)."""
    if name not in output_names():
        return None
    path = out / name
    return path if path.is_file() else None


def preview(pdf: Path, cache: Path) -> Path | None:
    """A PNG of the first page of `pdf` (pdftoppm), cached by the PDF's size and time."""
    tool = shutil.which("pdftoppm")
    if tool is None or not pdf.is_file():
        return None
    stat = pdf.stat()
    target = cache / f"{pdf.stem}-{stat.st_size}-{stat.st_mtime_ns}.png"
    if target.is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(
                [tool, "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to", "900",
                 str(pdf), str(prefix)],
                check=True, capture_output=True, timeout=_PREVIEW_SECONDS,
            )  # fmt: skip
        except (OSError, subprocess.SubprocessError):
            return None
        made = prefix.with_suffix(".png")
        if not made.is_file():
            return None
        made.replace(target)
    return target
