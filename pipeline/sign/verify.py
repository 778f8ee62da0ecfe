"""Checking the signatures of a PDF: intact, which revision each covers, the certificate
chain against the trust anchors the user gives, and what changed after signing."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.common.errors import InputError, Problem
from pipeline.sign import places, signing

if TYPE_CHECKING:
    from asn1crypto import x509


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str  # the certificate's common name
    role: str  # "nguoi-ky", "co-quan" or "" (a signature hoso did not make)
    intact: bool  # the signed bytes are those signed
    valid: bool  # the cryptographic signature checks
    trusted: bool  # the certificate chains to a given trust anchor
    revision: int  # 1-based revision of the file the signature covers
    revisions: int  # revisions in the file
    changed_after: bool  # the file was changed beyond adding signatures after this one
    page_one: str  # the first page's text in the signed revision (for the number check)
    when: str  # signing time (ISO 8601)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and not self.changed_after


def load_trust(paths: list[Path]) -> list[x509.Certificate]:
    """Trust anchors from PEM or DER certificate files; a bad file is an InputError."""
    if not paths:
        return []
    from pyhanko.keys import load_certs_from_pemder

    problems: list[Problem] = []
    found: list[x509.Certificate] = []
    for path in paths:
        try:
            found += list(load_certs_from_pemder([str(path)]))
        except (OSError, ValueError) as exc:
            problems.append(Problem.of("chung-thu-goc", file=str(path), error=exc))
    if problems:
        raise InputError(problems)
    return found


def check_pdf(data: bytes, trust: list[x509.Certificate]) -> list[SignatureReport]:
    """Every embedded signature of `data`, checked (raises ValueError on a broken file)."""

    # pyHanko logs a traceback for every chain it cannot build (no trust anchor given): the
    # report says it in one line instead.
    quiet = logging.getLogger("pyhanko")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    try:
        return _check_pdf(data, trust)
    finally:
        quiet.setLevel(level)


def _check_pdf(data: bytes, trust: list[x509.Certificate]) -> list[SignatureReport]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    revisions = reader.xrefs.total_revisions
    reports: list[SignatureReport] = []
    for sig in reader.embedded_signatures:
        context = ValidationContext(trust_roots=trust, allow_fetching=False)
        try:
            status: Any = validate_pdf_signature(sig, context)
        except Exception:  # e.g. a signed stream no longer inflates: the bytes changed
            reports.append(_broken(sig, int(revisions)))
            continue
        level = status.modification_level
        allowed = level is None or level in (
            ModificationLevel.NONE,
            ModificationLevel.LTA_UPDATES,
            ModificationLevel.FORM_FILLING,
        )
        signed_to = int(sig.byte_range[-2]) + int(sig.byte_range[-1])
        name = sig.field_name
        role = (
            "co-quan"
            if name == signing.AGENCY_FIELD
            else "nguoi-ky"
            if name.startswith(signing.SIGNER_FIELD)
            else ""
        )
        cert = sig.signer_cert
        reports.append(
            SignatureReport(
                field=name,
                signer=str(cert.subject.native.get("common_name", "")) if cert else "",
                role=role,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                revision=int(sig.signed_revision) + 1,
                revisions=int(revisions),
                changed_after=not allowed or status.docmdp_ok is False,
                page_one=_page_one(data[:signed_to]),
                when=status.signer_reported_dt.isoformat() if status.signer_reported_dt else "",
            )
        )
    return reports


def _broken(sig: Any, revisions: int) -> SignatureReport:
    """The report of a signature whose signed content cannot even be read back."""
    name = str(sig.field_name)
    cert = sig.signer_cert
    return SignatureReport(
        field=name,
        signer=str(cert.subject.native.get("common_name", "")) if cert else "",
        role="co-quan" if name == signing.AGENCY_FIELD else "nguoi-ky",
        intact=False,
        valid=False,
        trusted=False,
        revision=int(sig.signed_revision) + 1,
        revisions=revisions,
        changed_after=True,
        page_one="",
        when="",
    )


def _page_one(data: bytes) -> str:
    try:
        pages = places.text_lines(data)
    except Exception:  # the signed revision alone may not parse: no number check then
        return ""
    return "\n".join(line.text for line in pages[0]) if pages else ""


_NUMBER = re.compile(r"Số:\s*(\d+)\s*/")


def number_in(text: str) -> int | None:
    """The number on the "Số: 12/KH-UBND" line of a page's text, None when left blank."""
    match = _NUMBER.search(text)
    return int(match.group(1)) if match else None


def pdf_problems(
    path: Path, trust: list[x509.Certificate], number: int | None = None
) -> tuple[list[SignatureReport], list[Problem]]:
    """The signatures of the PDF at `path` and what is wrong with them. `number`: the number
    the register gave the paper (a signature over a revision without it is reported)."""
    file = str(path)
    try:
        reports = check_pdf(path.read_bytes(), trust)
    except Exception as exc:  # a damaged file is a finding, not a crash
        return [], [Problem.of("chu-ky-hong", file=file, error=type(exc).__name__)]
    problems: list[Problem] = []
    for r in reports:
        who = f"chữ ký số {r.field} ({r.signer})"
        if not r.intact or not r.valid:
            problems.append(
                Problem.of(
                    "chu-ky-sai",
                    variant="bi-sua",
                    file=file,
                    hint="không sửa tệp đã ký; lấy lại bản đúng từ bản sao lưu.",
                    who=who,
                )
            )
        elif r.changed_after:
            problems.append(Problem.of("sua-sau-khi-ky", file=file, who=who))
        if trust and not r.trusted:
            problems.append(Problem.of("chung-thu-khong-tin-cay", file=file, who=who))
        if number is not None and number_in(r.page_one) != number:
            problems.append(Problem.of("ky-truoc-khi-co-so", file=file, who=who, number=number))
    return reports, problems


@dataclass(frozen=True)
class ArchivedPaper:
    """A paper of the register: its file (relative to the archive) and the number it got."""

    path: str
    number: int | None


def archive_problems(
    archive: Path, papers: list[ArchivedPaper], trust: list[x509.Certificate]
) -> tuple[int, list[Problem]]:
    """Signatures checked and problems found in the PDFs beside the register's papers."""
    count = 0
    problems: list[Problem] = []
    numbers = {(archive / p.path).with_suffix(".pdf").resolve(): p.number for p in papers}
    # The papers' PDFs with the number each got, then any other PDF (attachments).
    others = {p.resolve() for p in archive.glob("*/v*/*.pdf")} - numbers.keys()
    targets = [*numbers.items(), *((path, None) for path in sorted(others))]
    for pdf, number in targets:
        if not pdf.is_file() or b"/ByteRange" not in pdf.read_bytes():
            continue  # no PDF, or an unsigned one: nothing to check here
        reports, found = pdf_problems(pdf, trust, number)
        count += len(reports)
        problems += found
    return count, problems
