"""What the page shows of a dossier's digital signatures: per paper, who signed its current
PDF and when (and whether the file is still as signed), whose signature it still waits
for, and, once issued, the agency's signature on the archived PDF; per signer still
awaited, the key [ky_so] names, which the page can open (a .p12 file) or must leave to the
command line (a USB token)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pipeline.common.errors import InputError, Problem
from pipeline.sign import signing
from pipeline.sign.config import AGENCY, SigningSettings, read_settings
from pipeline.sign.dossier import Signatory, pdf_of, signatories
from pipeline.sign.keys import open_file_key
from pipeline.sign.verify import SignatureReport, check_pdf

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from pipeline.archive.register import PaperRow
    from pipeline.model.dossier import Dossier
    from pipeline.model.profile import Profile

# The holder of each key of [ky_so], as the page names them.
TITLES = {
    "chu_tich": "Chủ tịch",
    "pho_chu_tich": "Phó Chủ tịch",
    "thu_ky": "Thư ký Hội đồng",
    "chu_toa": "Chủ tọa cuộc họp",
    AGENCY: "Cơ quan",
}

# Checked signatures by file (path, size, modification time): validating takes 50–150 ms
# a file, and the page lists every paper twice (outputs and archive) on each load.
Cache = dict[tuple[str, int, int], list[SignatureReport]]
_CACHED = 64
_CACHE_LOCK = threading.Lock()  # the page's requests run in threads


@dataclass(frozen=True)
class Signed:
    """A signature present in a PDF."""

    role: str  # the key's name in [ky_so] ("co_quan": the agency), "" when not hoso's
    signer: str  # the certificate's holder
    when: str  # ISO 8601
    ok: bool  # the file is as signed

    @property
    def title(self) -> str:
        return TITLES.get(self.role, "")


@dataclass(frozen=True)
class Issued:
    """The paper as the latest issued version holds it."""

    version: int
    number: str  # "05/KH-UBND", "" when issued without a number
    pdf: bool
    agency: Signed | None


@dataclass(frozen=True)
class PaperSigning:
    code: str
    pdf: bool  # the outputs hold its PDF
    signed: list[Signed] = field(default_factory=list)
    waiting: list[Signatory] = field(default_factory=list)  # signatures still to make
    issued: Issued | None = None

    @property
    def broken(self) -> bool:
        return any(not s.ok for s in self.signed)


KeyKind = Literal["p12", "token", "none"]


@dataclass(frozen=True)
class KeyOffer:
    """A signer whose signature papers wait for, and the key [ky_so] gives them."""

    role: str
    name: str  # as printed under the signature
    papers: list[str]  # codes of the papers waiting for them
    kind: KeyKind
    p12: str = ""  # the .p12 file [ky_so] names (its name only)
    sample: bool = False  # the demo's sample key: its password is the sample data's

    @property
    def title(self) -> str:
        return TITLES.get(self.role, self.role)


@dataclass
class DossierSigning:
    papers: dict[str, PaperSigning] = field(default_factory=dict)
    offers: list[KeyOffer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of [ky_so] or the profile
    configured: bool = False


def reports(path: Path, cache: Cache) -> list[SignatureReport]:
    """The checked signatures of the PDF at `path` ([] when it has none or cannot be read)."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        with _CACHE_LOCK:
            if key in cache:
                return cache[key]
        data = path.read_bytes()
        found = check_pdf(data, []) if b"/ByteRange" in data else []
        with _CACHE_LOCK:
            while len(cache) >= _CACHED:
                del cache[next(iter(cache))]
            cache[key] = found
        return found
    except Exception:  # a damaged PDF: shown as its signatures being broken, by verify
        return [SignatureReport("?", "", "", False, False, False, 0, 0, True, "", "")]


def _role(report: SignatureReport) -> str:
    if report.field == signing.AGENCY_FIELD:
        return AGENCY
    prefix = f"{signing.SIGNER_FIELD}-"
    return report.field[len(prefix) :] if report.field.startswith(prefix) else ""


def _signed(report: SignatureReport) -> Signed:
    return Signed(_role(report), report.signer, report.when, report.ok)


def dossier_signing(
    dossier: Dossier,
    cache: Cache,
    *,
    archive: Path | None = None,
    issued: list[PaperRow] | None = None,
) -> DossierSigning:
    """The signatures of the dossier's papers in its output folder; with `issued` (the
    latest version's register rows), the agency's on the archived PDFs under `archive`."""
    out = dossier.out
    try:
        profile = dossier.profile()
    except InputError as exc:
        return DossierSigning(problems=exc.problems)
    settings, problems = read_settings(profile, dossier.raw_profile())
    found = DossierSigning(problems=problems, configured=settings.configured)
    rows = {r.code: r for r in issued or []}
    waiting_for: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for code, doc in profile.van_ban.items():
        pdf = out / pdf_of(doc)
        paper = PaperSigning(code, pdf.is_file())
        if paper.pdf:
            paper.signed.extend(_signed(r) for r in reports(pdf, cache))
            present = {s.role for s in paper.signed}
            for person in _signatories(profile, doc.type.code, settings):
                if person.role not in present:
                    paper.waiting.append(person)
                    waiting_for.setdefault(person.role, []).append(code)
                    names[person.role] = person.name
        row = rows.get(code)
        if row is not None and archive is not None:
            paper = _with_issued(paper, row, archive, cache)
        found.papers[code] = paper
    if settings.configured:  # a dossier that does not sign digitally is offered nothing
        for role, codes in waiting_for.items():
            found.offers.append(_offer(role, names[role], codes, settings))
    return found


def _signatories(profile: Profile, code: str, settings: SigningSettings) -> list[Signatory]:
    try:
        return signatories(profile, profile.van_ban[code], settings)
    except (StopIteration, KeyError, InputError):  # a council without its secretary
        return []


def _with_issued(paper: PaperSigning, row: PaperRow, archive: Path, cache: Cache) -> PaperSigning:
    pdf = (archive / row.path).with_suffix(".pdf")
    agency = None
    if pdf.is_file():
        agency = next((_signed(r) for r in reports(pdf, cache) if _role(r) == AGENCY), None)
    number = row.number_symbol if row.number is not None else ""
    issued = Issued(row.version, number, pdf.is_file(), agency)
    return PaperSigning(paper.code, paper.pdf, paper.signed, paper.waiting, issued)


def _offer(role: str, name: str, codes: list[str], settings: SigningSettings) -> KeyOffer:
    spec = settings.keys.get(role)
    if spec is None or role not in settings.images:
        return KeyOffer(role, name, codes, "none")
    if spec.p12 is None:
        return KeyOffer(role, name, codes, "token")
    return KeyOffer(role, name, codes, "p12", spec.p12.name, bool(spec.sample_password))


@dataclass(frozen=True)
class IssueKey:
    """A key `hoso issue` will open for the outputs as they are now, and how the page can
    open it: a .p12 with a password typed there, the demo's sample, or only the command
    line (a token)."""

    role: str
    kind: KeyKind
    file: str  # the profile, for messages
    p12: str = ""  # the .p12 file [ky_so] names (its name only)
    sample: bool = False
    numbers_only: bool = False  # needed only when the issue gives numbers (papers made again)

    @property
    def title(self) -> str:
        return TITLES.get(self.role, self.role)

    @property
    def agency(self) -> bool:
        return self.role == AGENCY


def issue_offers(dossier: Dossier) -> list[IssueKey]:
    """The keys an issue of the dossier's outputs opens, the agency's first: those of a
    plain issue, and those an issue giving numbers adds (its papers are made again, so
    their signers sign anew). [] when the profile or [ky_so] cannot be read (the issue
    itself says why)."""
    from pipeline.sign.dossier import issue_roles, load_settings

    try:
        profile = dossier.profile()
        table = dossier.raw_profile()
        plain = issue_roles(profile, dossier.out, assign_numbers=False, table=table)
        numbered = issue_roles(profile, dossier.out, assign_numbers=True, table=table)
        settings = load_settings(profile, table)
    except InputError:
        return []
    found = []
    for role in sorted(plain | numbered, key=lambda r: (r != AGENCY, r)):
        spec = settings.keys.get(role)
        only = role not in plain
        if spec is None:
            found.append(IssueKey(role, "none", settings.file, numbers_only=only))
        elif spec.p12 is None:
            found.append(IssueKey(role, "token", spec.file, numbers_only=only))
        else:
            sample = bool(spec.sample_password)
            found.append(IssueKey(role, "p12", spec.file, spec.p12.name, sample, only))
    return found


# A .p12 file holds one key and its chain: a few kilobytes.
KEY_FILE_BYTES = 64 * 1024


def open_page_key(
    dossier: Dossier, role: str, secret: str, p12: bytes | None = None, p12_name: str = ""
) -> Signer:
    """The key of `role` opened with the password typed on the page: the .p12 chosen
    there (`p12`, its bytes, never saved), else the one [ky_so] names. The password is
    used here and dropped; an empty one opens only the demo's sample key."""
    from pipeline.sign.dossier import load_settings

    settings = load_settings(dossier.profile(), dossier.raw_profile())
    spec = settings.keys.get(role)
    if spec is None:
        raise InputError(
            [
                Problem.of(
                    "ky-so",
                    variant="khoa",
                    file=settings.file,
                    field=f"ky_so.{role}",
                    hint=f'ghi bảng [ky_so.{role}] với tep = "…p12", anh_chu_ky = "…png".',
                    role=TITLES.get(role, role),
                )
            ]
        )
    if p12 is not None:
        if len(p12) > KEY_FILE_BYTES:
            raise InputError(
                [
                    Problem.of(
                        "khoa-ky-so",
                        variant="qua-lon",
                        file=spec.file,
                        field=spec.key,
                        hint=_P12_HINT,
                        key_file=p12_name,
                    )
                ]
            )
        spec = replace(spec, p12=None, p12_data=p12, p12_name=p12_name, sample_password="")
    elif spec.p12 is None:
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="token-tren-trang",
                    file=spec.file,
                    field=spec.key,
                    hint="cắm token rồi ký bằng lệnh hoso ky trong cửa sổ dòng lệnh.",
                )
            ]
        )
    if secret:
        spec = replace(spec, sample_password="")  # what the clerk typed, not the sample's
    elif not spec.sample_password:
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="chua-nhap-mat-khau",
                    file=spec.file,
                    field=spec.key,
                    hint=_P12_HINT,
                )
            ]
        )
    return open_file_key(spec, secret)


_P12_HINT = "chọn tệp khóa .p12/.pfx của người ký và nhập mật khẩu của tệp đó."
