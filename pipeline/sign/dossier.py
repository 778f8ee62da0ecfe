"""Signing a dossier's PDFs: the signers' signatures (`hoso ky`) and the agency's (`hoso issue`).

The decree's order (Art. 14): the number and date are given, the signer signs, then the
agency signs when the văn thư issues, and the register records it. A paper without a
number is never signed by the agency. Keys are opened, and their certificates and the
images checked, before the first signature is made: a bad key stops the run with nothing
signed.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.common.errors import InputError, Problem
from pipeline.model.profile import DocumentSettings, Profile
from pipeline.sign import places, signing
from pipeline.sign.config import AGENCY, SigningSettings, paper_signatures, read_settings
from pipeline.sign.images import Checked, check_image
from pipeline.sign.keys import AskSecret, KeySpec, open_signer

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer

    from pipeline.model.dossier import Dossier


def signer_field(role: str) -> str:
    return f"{signing.SIGNER_FIELD}-{role}"


@dataclass(frozen=True)
class Signatory:
    """One signature at the foot of a paper: whose key, and the name printed under it."""

    role: str  # the key's name in [ky_so]
    name: str


def signatories(
    profile: Profile, doc: DocumentSettings, settings: SigningSettings
) -> list[Signatory]:
    """Who signs `doc` at its foot, in the order they sign."""
    plan, _ = paper_signatures()
    found: list[Signatory] = []
    for role in plan[doc.type.code].signers:
        if not role:
            found.append(Signatory(doc.nguoi_ky, profile.lanh_dao.name_of(doc.nguoi_ky)))
        elif role == "thu_ky":
            found.append(Signatory(role, profile.council_member("thu_ky").ho_ten))
        else:  # the chair of the meeting: the council's chairman
            chair = profile.council_member("chu_tich").ho_ten
            same = places.normal(chair) == places.normal(profile.lanh_dao.chu_tich)
            key = "chu_tich" if "chu_toa" not in settings.keys and same else "chu_toa"
            found.append(Signatory(key, chair))
    return found


def signed_fields(data: bytes) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """The signed signature fields of a PDF: name -> (page index, widget rectangle)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found: dict[str, tuple[int, tuple[float, float, float, float]]] = {}
    pages = {}
    for index in range(int(reader.root["/Pages"]["/Count"])):
        ref, _ = reader.find_page_for_modification(index)
        pages[(ref.idnum, ref.generation)] = index
    for sig in reader.embedded_signatures:
        widget: Any = sig.sig_field
        if "/Kids" in widget:
            widget = widget["/Kids"][0].get_object()
        rect = tuple(float(v) for v in widget.get("/Rect", (0, 0, 0, 0)))
        page_ref = widget.raw_get("/P") if "/P" in widget else None
        page = pages.get((page_ref.idnum, page_ref.generation), 0) if page_ref is not None else 0
        found[sig.field_name] = (page, (rect[0], rect[1], rect[2], rect[3]))
    return found


@dataclass
class Keyring:
    """The keys a run needs, opened (and checked) up front; PINs asked once per key."""

    settings: SigningSettings
    ask: AskSecret
    signers: dict[str, Signer] = field(default_factory=dict)
    images: dict[str, Checked] = field(default_factory=dict)
    seal: Checked | None = None

    @contextlib.contextmanager
    def opened(self, roles: set[str], *, need_seal: bool) -> Iterator[Keyring]:
        problems: list[Problem] = []
        for role in sorted(roles - self.settings.keys.keys() - self.signers.keys()):
            problems.append(
                Problem.of(
                    "ky-so",
                    variant="khoa",
                    file=self.settings.file,
                    field=f"ky_so.{role}",
                    hint=f'ghi bảng [ky_so.{role}] với tep = "…p12" (hoặc token), anh_chu_ky.',
                    role=role,
                )
            )
        for role in sorted(roles - {AGENCY}):
            path = self.settings.images.get(role)
            if path is None and role in self.settings.keys.keys() | self.signers.keys():
                problems.append(
                    Problem.of(
                        "ky-so",
                        variant="anh-chu-ky",
                        file=self.settings.file,
                        field=f"ky_so.{role}.anh_chu_ky",
                        hint="ghi đường dẫn ảnh chữ ký PNG nền trong suốt, màu xanh.",
                    )
                )
            if path is not None:
                image, found = check_image(
                    path, "xanh", file=self.settings.file, key=f"ky_so.{role}.anh_chu_ky"
                )
                problems += found
                if image:
                    self.images[role] = image
        if need_seal:
            if self.settings.seal is None:
                problems.append(
                    Problem.of(
                        "ky-so",
                        variant="anh-dau",
                        file=self.settings.file,
                        field="ky_so.anh_dau",
                        hint="ghi đường dẫn ảnh dấu PNG màu đỏ, nền trong suốt.",
                    )
                )
            else:
                self.seal, found = check_image(
                    self.settings.seal, "do", file=self.settings.file, key="ky_so.anh_dau"
                )
                problems += found
        if problems:
            raise InputError(problems)
        with contextlib.ExitStack() as stack:
            now = datetime.now(UTC)
            for role in sorted(roles - self.signers.keys()):  # a key opened before is kept
                spec: KeySpec = self.settings.keys[role]
                self.signers[role] = stack.enter_context(open_signer(spec, self.ask, now))
            yield self


def sign_signatories(data: bytes, who: list[Signatory], keys: Keyring, pdf: Path) -> bytes:
    """`data` with each signatory's image signature in its gap (those not yet signed)."""
    present = signed_fields(data)
    pages = None
    for person in who:
        name = signer_field(person.role)
        if name in present:
            continue
        pages = pages or places.text_lines(data)
        place = places.find_place(pages, person.name)
        if place is None:
            raise InputError([Problem.of("khong-thay-cho-ky", file=str(pdf), name=person.name)])
        image = keys.images[person.role].image
        rect = signing.fitted(place, image)
        data = signing.sign_image(
            data, keys.signers[person.role], name, page=place.page, rect=rect, image=image
        )
    return data


def sign_agency(
    data: bytes, who: list[Signatory], seal: bool, keys: Keyring, settings: SigningSettings
) -> bytes:
    """`data` with the agency's signature: the seal over the (last) signer's image, or none."""
    present = signed_fields(data)
    if signing.AGENCY_FIELD in present:
        return data
    agency = keys.signers[AGENCY]
    if not seal or keys.seal is None:
        return signing.sign_invisible(data, agency, signing.AGENCY_FIELD)
    page, (x0, y0, x1, y1) = present[signer_field(who[-1].role)]
    rect = signing.seal_rect(signing.Rect(x0, y0, x1, y1), settings.seal_mm)
    return signing.sign_image(
        data, agency, signing.AGENCY_FIELD, page=page, rect=rect, image=keys.seal.image
    )


def pdf_of(doc: DocumentSettings) -> str:
    return str(Path(doc.type.file).with_suffix(".pdf"))


def load_settings(profile: Profile, table: dict[str, Any] | None = None) -> SigningSettings:
    settings, problems = read_settings(profile, table)
    if problems:
        raise InputError(problems)
    return settings


# --- hoso ky ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KyResult:
    signed: list[Path]
    already: list[Path]


def sign_outputs(
    dossier: Dossier,
    ask: AskSecret,
    *,
    only: str | None = None,
    opened: Signer | None = None,
    progress: Callable[[Path], None] | None = None,
) -> KyResult:
    """`hoso ky`: the signers' signatures on every paper PDF in the output folder not yet
    signed. `only`: the places of that key's holder alone (the page signs one signer at a
    time), with `opened`, the key already opened and checked (a .p12 and password given
    there)."""
    from pipeline.files.outputset import locked

    out = dossier.out
    profile = dossier.profile()
    settings = load_settings(profile, dossier.raw_profile())
    with locked(out) as folder:
        todo: list[tuple[Path, bytes, list[Signatory]]] = []
        already: list[Path] = []
        for doc in profile.van_ban.values():
            pdf = out / pdf_of(doc)
            if not pdf.is_file():
                continue
            data = pdf.read_bytes()
            who = [p for p in signatories(profile, doc, settings) if only is None or p.role == only]
            if not who:
                continue
            present = signed_fields(data)
            if all(signer_field(p.role) in present for p in who):
                already.append(pdf)
            else:
                todo.append((pdf, data, who))
        if not todo and not already:
            raise InputError([Problem.of("chua-co-pdf", file=str(out), dossier=dossier.folder)])
        if not todo:
            return KyResult([], already)
        roles = {p.role for _, _, who in todo for p in who}
        keyring = Keyring(settings, ask)
        if opened is not None and only is not None:
            keyring.signers[only] = opened
        files: list[tuple[str, bytes]] = []
        with keyring.opened(roles, need_seal=False):
            for pdf, data, who in todo:
                files.append((pdf.name, sign_signatories(data, who, keyring, pdf)))
                if progress is not None:
                    progress(pdf)
        files += _pdfs_record(out, files)
        folder.publish(files)
    return KyResult([out / name for name, _ in files if name.endswith(".pdf")], already)


def _pdfs_record(out: Path, files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """pdfs.json with the signed PDFs' hashes (none when `out` has no record)."""
    from pipeline import __version__
    from pipeline.stages import freshness

    # pdfs.json records each PDF's hash: the signed PDF is still the one made from its
    # paper, so `hoso build --pdf` keeps it instead of making it again.
    record_path = out / freshness.PDFS_NAME
    if record_path.is_file():
        raw = json.loads(record_path.read_text(encoding="utf-8"))
        records = {
            name: freshness.PaperRecord(
                str(entry["sha256"]), {i["file"]: i["sha256"] for i in entry["inputs"]}
            )
            for name, entry in raw.get("pdfs", {}).items()
        }
        for name, data in files:
            if name in records:
                old = records[name]
                records[name] = freshness.PaperRecord(freshness.sha256(data), old.inputs)
        version = str(raw.get("hoso_version", __version__))
        return [(freshness.PDFS_NAME, freshness.pdfs_json(version, records))]
    return []


# --- hoso issue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _IssueWork:
    """What an issue signs in a folder: numbered papers' PDFs (with their signatories) and
    attachments (with their paper's number), and the keys and seal that takes."""

    papers: list[tuple[Path, DocumentSettings, list[Signatory]]]
    attachments: list[tuple[Path, str]]
    roles: set[str]
    need_seal: bool


def _issue_work(
    profile: Profile,
    settings: SigningSettings,
    folder: Path,
    papers: dict[str, DocumentSettings],
    numbers: dict[str, str],
    *,
    remade: bool = False,
) -> _IssueWork:
    """The signing an issue does in `folder`. `remade`: the papers' PDFs will be made again
    (numbers written into them), so every PDF comes and every signatory signs anew."""
    plan, attachments = paper_signatures()
    any_pdf = any((folder / pdf_of(doc)).is_file() for doc in papers.values())
    jobs = []
    for code, doc in papers.items():
        pdf = folder / pdf_of(doc)
        if code in numbers and (pdf.is_file() or (remade and any_pdf)):
            jobs.append((pdf, doc, signatories(profile, doc, settings)))
    extra = [
        (folder / name, numbers[code])
        for name, code in attachments.items()
        if code in numbers and (folder / name).with_suffix(".xlsx").is_file()
    ]
    roles = {AGENCY} if jobs or extra else set()
    for pdf, _doc, who in jobs:
        present = {} if remade else signed_fields(pdf.read_bytes())
        roles |= {p.role for p in who if signer_field(p.role) not in present}
    need_seal = any(plan[doc.type.code].seal for _, doc, _ in jobs)
    return _IssueWork(jobs, extra, roles, need_seal)


def _issue_plan(
    profile: Profile, out: Path, *, assign_numbers: bool, table: dict[str, Any] | None
) -> tuple[SigningSettings, _IssueWork] | None:
    """The signing settings and what an issue of the outputs in `out` will sign; None when
    it signs nothing."""
    settings = load_settings(profile, table)
    if not settings.configured:
        return None
    papers = {c: d for c, d in profile.van_ban.items() if (out / d.type.file).is_file()}
    # The numbers themselves come from the register later; which papers get one is known.
    numbered = {c: "" for c, d in papers.items() if assign_numbers or d.so is not None}
    work = _issue_work(profile, settings, out, papers, numbered, remade=assign_numbers)
    return (settings, work) if work.roles else None


def issue_roles(
    profile: Profile, out: Path, *, assign_numbers: bool, table: dict[str, Any] | None = None
) -> set[str]:
    """The keys of [ky_so] an issue of the outputs in `out` will open (`issue_keys` opens
    exactly these): what the page asks a password for."""
    planned = _issue_plan(profile, out, assign_numbers=assign_numbers, table=table)
    return planned[1].roles if planned else set()


@contextlib.contextmanager
def issue_keys(
    profile: Profile,
    out: Path,
    *,
    assign_numbers: bool,
    ask: AskSecret,
    table: dict[str, Any] | None = None,
) -> Iterator[Keyring | None]:
    """The keys `hoso issue` will sign with, opened (PIN or password asked, certificates and
    images checked) from the outputs in `out` before the register's write lock is taken:
    a prompt waiting for the clerk never holds up another issue, nor a reader of the
    register. None when the dossier signs nothing. `table`: hoso.toml as parsed."""
    planned = _issue_plan(profile, out, assign_numbers=assign_numbers, table=table)
    if planned is None:
        yield None
        return
    settings, work = planned
    keyring = Keyring(settings, ask)
    with keyring.opened(work.roles, need_seal=work.need_seal):
        yield keyring


def sign_version(
    profile: Profile,
    staging: Path,
    papers: dict[str, DocumentSettings],
    numbers: dict[str, str],
    keys: Keyring | None,
    *,
    table: dict[str, Any] | None = None,
) -> list[Problem]:
    """At issue, in the version being built: each numbered paper's PDF gets its signers'
    signatures if it lacks them (a paper numbered at issue was made again) and then the
    agency's; each attachment the text-only agency signature. `numbers` maps a paper's
    code to its number and symbol ("05/KH-UBND"), for numbered papers only. `keys`: those
    `issue_keys` opened before the lock; nothing is asked here. Returns warnings (papers
    left unsigned by the agency, and why). `table`: hoso.toml as parsed."""
    settings = load_settings(profile, table)
    if not settings.configured:
        return []
    plan, _ = paper_signatures()
    warnings: list[Problem] = []
    for code, doc in papers.items():
        pdf = staging / pdf_of(doc)
        if pdf.is_file() and code not in numbers:
            warnings.append(Problem.of("chua-co-so", file=str(pdf.name)))
    work = _issue_work(profile, settings, staging, papers, numbers)
    if not work.roles:
        return warnings
    missing = sorted(work.roles - (keys.signers.keys() if keys else set()))
    if keys is None or missing or (work.need_seal and keys.seal is None):
        raise InputError(
            [
                Problem.of(
                    "khoa-chua-mo",
                    file=settings.file,
                    keys=", ".join(f"ky_so.{r}" for r in missing or ["anh_dau"]),
                )
            ]
        )
    for pdf, doc, who in work.papers:
        data = sign_signatories(pdf.read_bytes(), who, keys, pdf)
        data = sign_agency(data, who, plan[doc.type.code].seal, keys, settings)
        _replace(pdf, data)
    for path, number in work.attachments:
        if not path.is_file():  # the workbook attached to a numbered paper, as PDF/A
            from pipeline.sign.attachments import workbook_pdf

            _write_new(path, workbook_pdf(path.with_suffix(".xlsx")))
        agency = keys.signers[AGENCY]
        _replace(path, signing.sign_text(path.read_bytes(), agency, signing.AGENCY_FIELD, number))
    return warnings


def _replace(path: Path, data: bytes) -> None:
    path.unlink()
    _write_new(path, data)


def _write_new(path: Path, data: bytes) -> None:
    with path.open("xb") as f:
        f.write(data)
