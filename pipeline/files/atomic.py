"""Writing results: byte-identical Office files and atomic replacement.

Office files are zip archives whose entries carry timestamps; we rewrite them with
a fixed timestamp so the same inputs give the same bytes and hashes mean something.
A file is written beside its destination and renamed over it, so a failed run never
leaves half a document where the previous good one was.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.common.errors import EnvironmentProblem

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes, rewrite: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """Rewrite an Office zip with fixed timestamps and attributes, entries in original order.

    `rewrite(name, content)` may replace an entry's content (e.g. a dated properties part).
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if rewrite is not None:
                content = rewrite(info.filename, content)
            _write_entry(dst, info.filename, content)
    return out.getvalue()


def _write_entry(archive: zipfile.ZipFile, name: str, content: bytes) -> None:
    """One entry with a fixed timestamp and attributes: the same content, the same bytes."""
    fixed = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    fixed.compress_type = zipfile.ZIP_DEFLATED
    fixed.external_attr = 0o644 << 16
    fixed.create_system = 0
    archive.writestr(fixed, content, compresslevel=6)


def set_core_properties(
    doc: DocxDocument, *, title: str, author: str, subject: str, when: datetime
) -> None:
    """Fixed document properties: no "python-docx", no wall-clock time."""
    props = doc.core_properties
    props.title = title
    props.subject = subject
    props.author = author
    props.last_modified_by = author
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when
    props.language = "vi-VN"


def docx_bytes(doc: DocxDocument) -> bytes:
    """The document as deterministic .docx bytes, each part compressed once.

    What `doc.save` writes, entry for entry, but straight into a zip with normalize_zip's
    fixed fields: saving then normalizing deflated every part twice."""
    from docx.opc.pkgwriter import PackageWriter

    steps: Any = PackageWriter  # its private steps, each checked present below
    package = doc.part.package
    if not all(
        hasattr(steps, name)
        for name in ("_write_content_types_stream", "_write_pkg_rels", "_write_parts")
    ):  # a python-docx without these steps: save, then normalize
        buffer = io.BytesIO()
        doc.save(buffer)
        return normalize_zip(buffer.getvalue())
    for part in package.parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        writer = _FixedEntries(archive)
        steps._write_content_types_stream(writer, package.parts)
        steps._write_pkg_rels(writer, package.rels)
        steps._write_parts(writer, package.parts)
    return out.getvalue()


class _FixedEntries:
    """python-docx's physical package writer, writing entries as normalize_zip does."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive

    def write(self, pack_uri: Any, blob: bytes) -> None:
        _write_entry(self._archive, pack_uri.membername, blob)

    def close(self) -> None:
        """The zip is closed by its owner."""


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    atomic_write_all([(path, data)])


def atomic_write_all(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write several files as one step: all are written to temporary files first, every
    target is checked writable, and only then are they renamed into place, so a failure
    (a paper open in Word) leaves the previous set whole."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
        for _, path in staged:
            check_replaceable(path)
        for tmp, path in staged:
            try:
                tmp.replace(path)
            except OSError as exc:
                raise write_error(path, exc) from exc
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def _stage(path: Path, data: bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không tạo được thư mục hoặc tệp trong {path.parent}: {exc.strerror}",
            "kiểm tra quyền ghi, hoặc chọn thư mục khác bằng --out.",
        ) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp creates the file private (0600); give it the mode a normal save would.
        tmp.chmod(0o666 & ~umask())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc) from exc
    return tmp


def check_replaceable(path: Path) -> None:
    # On Windows a document open in Word or Excel is locked; opening it for appending
    # fails the same way the rename would, but before anything has been replaced.
    if path.exists():
        try:
            with path.open("ab"):
                pass
        except OSError as exc:
            raise write_error(path, exc) from exc


def write_error(path: Path, exc: OSError) -> EnvironmentProblem:
    if isinstance(exc, PermissionError):
        return EnvironmentProblem(
            f"Không ghi được {path}: tệp đang mở hoặc không có quyền ghi",
            "đóng tệp trong Word/Excel rồi chạy lại.",
        )
    return EnvironmentProblem(
        f"Không ghi được {path}: {exc.strerror}", "kiểm tra ổ đĩa và quyền ghi của thư mục."
    )


def workbook_bytes(workbook: Any, when: datetime) -> bytes:
    """An openpyxl workbook as deterministic .xlsx bytes, its properties dated `when`.

    openpyxl stamps `modified` with the wall clock while saving, so the core
    properties part is rewritten afterwards.
    """
    props = workbook.properties
    props.creator = "hoso"
    props.lastModifiedBy = "hoso"
    props.created = when
    props.modified = when  # rewritten below anyway; set so the element is always there
    buffer = io.BytesIO()
    from openpyxl.writer.excel import ExcelWriter

    # Stored, not deflated: normalize_zip compresses each entry once.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(workbook, archive).write_data()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

    def fix(name: str, data: bytes) -> bytes:
        if name != "docProps/core.xml":
            return data
        return re.sub(
            rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
            rb"\g<1>" + stamp + rb"\2",
            data,
        )

    return normalize_zip(buffer.getvalue(), rewrite=fix)
