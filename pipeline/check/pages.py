"""How many pages a .docx has: from its own properties, else laid out by LibreOffice.

Word and LibreOffice write the page count into docProps/app.xml when they save; a file
written by a library carries the template's stale figures there (0 words, 1 page), so the
count is trusted only next to a word count. Otherwise all the papers of one `hoso check`
call that need a count go through ONE LibreOffice conversion to PDF in a temporary folder
(its start-up costs more than the conversions), with a private profile so that a window the
clerk has open never takes the work.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

# The environment variable naming the LibreOffice program (the same one `hoso pdf` reads).
SOFFICE_SETTING = "HOSO_SOFFICE"
# Seconds: LibreOffice's start plus each document.
START_TIMEOUT = 120.0
PER_DOCUMENT_TIMEOUT = 30.0

_EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True)
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def declared_pages(doc: DocxDocument) -> int | None:
    """The page count an office suite saved in docProps/app.xml, or None when absent or
    not computed (no words counted)."""
    try:
        part = doc.part.package.part_related_by(RT.EXTENDED_PROPERTIES)
        root = etree.fromstring(part.blob, _SAFE_XML)
    except (KeyError, ValueError, etree.XMLSyntaxError):
        return None
    values = {}
    for name in ("Pages", "Words", "Characters"):
        el = root.find(f"{_EP}{name}")
        text = (el.text or "").strip() if el is not None else ""
        values[name] = int(text) if text.isdigit() else None
    pages = values["Pages"]
    if pages is None or pages < 1 or not (values["Words"] or values["Characters"]):
        return None
    return pages


def find_soffice() -> Path | None:
    """The LibreOffice program: the setting, else PATH, else the usual install folders."""
    named = os.environ.get(SOFFICE_SETTING, "").strip()
    if named:
        path = Path(named).expanduser()
        return path if path.is_file() else None
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    usual = [
        Path(r"C:\Program Files\LibreOffice\program\soffice.exe"),
        Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
        *sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True),
    ]
    return next((p for p in usual if p.is_file()), None)


def laid_out_pages(paths: Sequence[Path]) -> tuple[dict[Path, int], str]:
    """Page counts of `paths` laid out by LibreOffice, and why some are missing ("" if none)."""
    soffice = find_soffice()
    if soffice is None:
        return {}, "máy không có LibreOffice để dàn trang"
    counts: dict[Path, int] = {}
    with tempfile.TemporaryDirectory(prefix="hoso-check-") as tmp:
        base = Path(tmp)
        inputs = base / "in"
        inputs.mkdir()
        # Copies under plain names: two files of the call may share a name.
        named = {inputs / f"{n}.docx": path for n, path in enumerate(paths)}
        for copy, path in named.items():
            shutil.copyfile(path, copy)
        command = [
            str(soffice),
            f"-env:UserInstallation={(base / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(base / "out"),
            *map(str, named),
        ]
        try:
            subprocess.run(
                command,
                capture_output=True,
                timeout=START_TIMEOUT + PER_DOCUMENT_TIMEOUT * len(named),
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return {}, "LibreOffice không dàn trang được"
        for copy, path in named.items():
            pdf = base / "out" / (copy.stem + ".pdf")
            if pdf.is_file():
                pages = len(_PAGE_OBJECT.findall(pdf.read_bytes()))
                if pages:
                    counts[path] = pages
    return counts, "" if len(counts) == len(paths) else "LibreOffice không dàn trang được"
