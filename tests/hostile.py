"""Hostile inputs built for real: workbooks and templates made to exhaust memory or time.

Shared by the resource tests and `bench/hostile_bench.py`, which measures the same files
at full size. Every builder writes into a dossier copy; sizes are parameters so tests stay
fast while the benchmark reproduces the reported cases.
"""

from __future__ import annotations

import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import openpyxl
from docx import Document

NA_CAY = "thon/na-cay.xlsx"
SHEET_XML = "xl/worksheets/sheet1.xml"


def replace_part(source: bytes, name: str, writer: Callable[[IO[bytes]], object]) -> bytes:
    """A copy of zip `source` whose part `name` is written, deflated, by `writer(stream)`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info.filename))
                continue
            part = zipfile.ZipInfo(name)
            part.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(part, "w", force_zip64=True) as stream:
                writer(stream)
    return out.getvalue()


def zip_bomb_xlsx(dossier: Path, expanded: int) -> Path:
    """The village form whose sheet XML grows by about `expanded` bytes of identical rows."""
    path = dossier / NA_CAY
    original = zipfile.ZipFile(path).read(SHEET_XML)
    head, tail = original.split(b"</sheetData>")
    rows = b"<row><c><v>1</v></c></row>" * 4096

    def write(stream: IO[bytes]) -> None:
        stream.write(head)
        for _ in range(max(1, expanded // len(rows))):
            stream.write(rows)
        stream.write(b"</sheetData>" + tail)

    path.write_bytes(replace_part(path.read_bytes(), SHEET_XML, write))
    return path


def wide_xlsx(dossier: Path, rows: int, *, honest_dimension: bool = True) -> Path:
    """The village form with a value in column XFD (the last one) on `rows` rows."""
    path = dossier / NA_CAY
    book = openpyxl.load_workbook(path)
    ws = book.worksheets[0]
    for r in range(100, 100 + rows):
        ws.cell(r, 16384, 1)
    book.save(path)
    if not honest_dimension:
        # Other tools write a wrong <dimension>; the reader must not trust it either way.
        data = zipfile.ZipFile(path).read(SHEET_XML)
        data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:E35"/>', data)
        path.write_bytes(replace_part(path.read_bytes(), SHEET_XML, lambda s: s.write(data)))
    return path


def tall_ods(dossier: Path, repeat: int) -> Path:
    """An .ods in place of a village's form, whose one filled cell is repeated `repeat`
    times across and down, as the format allows in a few bytes."""
    path = dossier / "thon" / "na-cay.ods"
    (dossier / NA_CAY).unlink()
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        '<table:table table:name="Số liệu">'
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="float"'
        ' office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def template_with(dossier: Path, name: str, paragraphs: list[str]) -> Path:
    """A dossier's own template `name` holding the given paragraphs (Jinja tags as text)."""
    folder = dossier / "templates"
    folder.mkdir(exist_ok=True)
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = folder / name
    document.save(str(path))
    return path


@dataclass(frozen=True)
class Run:
    """One `hoso` run in a child process: exit code, output, peak memory and wall time."""

    code: int
    stdout: str
    stderr: str
    peak_mb: float
    seconds: float
    killed: str | None  # "timeout" or "memory" when the caps stopped it


def run_capped(args: list[str], cwd: Path, *, memory_mb: int, timeout: float) -> Run:
    """`hoso ARGS` under an address-space cap and a wall-clock limit (POSIX only).

    The child is reaped with wait4 so its own peak resident memory is measured.
    """
    limit = memory_mb * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", *args],
            cwd=cwd,
            stdout=out,
            stderr=err,
            preexec_fn=cap,  # noqa: PLW1509 - only setrlimit, before any thread starts
        )
        killed = None
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                killed = "timeout"
                break
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if killed is None and ("MemoryError" in stderr or process.returncode < 0):
        killed = "memory"
    return Run(process.returncode, stdout, stderr, usage.ru_maxrss / 1024, seconds, killed)
