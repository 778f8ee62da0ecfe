"""`hoso issue`, `history`, `verify`: frozen, numbered versions of a dossier's outputs.

Layout (the archive root is `archive/` in the current folder, or --archive):

    <archive>/register.sqlite            the register of issued papers (pipeline.archive.register)
    <archive>/<dossier>/v1/              version 1: data.json, scorecard.json, the score
                                         workbook, the papers (.docx, .pdf), manifest.json
    <archive>/<dossier>/v2/thay-doi/     from version 2 on: each changed paper with its
                                         changes tracked, and giai-trinh.txt

Issuing is one transaction. Under the register's write lock the version is built in a
hidden folder of the archive (`.vN-*`), every file fsynced and made read-only; the
register rows are inserted; the folder is renamed to `vN`; then the rows commit. A crash
before the rename leaves a hidden folder and no row; between the rename and the commit, a
`vN` without a row. Neither is a version: the next issue removes them (under the lock)
before it numbers its own. Nothing else in the archive is ever changed or deleted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.archive import docxdiff
from pipeline.archive.diff import CURRENT, Dates, DossierDiff, compare_folders, meeting_changes
from pipeline.archive.redline import Redliner
from pipeline.archive.redliners import ChosenRedliner
from pipeline.archive.register import (
    REGISTER_NAME,
    PaperRow,
    Register,
    VersionRow,
    in_memory_register,
    open_register,
    read_register,
)
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.vnformat import (
    lower_first,
    short_date,
    upper_first,
    vietnam_day,
    vietnam_now,
)
from pipeline.files import scratch
from pipeline.files.atomic import atomic_write
from pipeline.files.jsonfile import read_object
from pipeline.files.lock import LOCK_NAME
from pipeline.model.dataset import DATA_NAME
from pipeline.model.documents import catalogue
from pipeline.model.dossier import Dossier
from pipeline.model.labels import result_words
from pipeline.model.layout import WORKBOOK_NAME
from pipeline.model.profile import DocumentSettings, Profile
from pipeline.model.rules import shipped_path
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.papers.template_source import find_template
from pipeline.sign.dossier import Keyring, issue_keys
from pipeline.sign.keys import AskSecret
from pipeline.stages import freshness
from pipeline.stages.pdf import pdf_dossier
from pipeline.stages.render import RenderResult, render

MANIFEST_NAME = "manifest.json"
CHANGES_FOLDER = "thay-doi"
EXPLANATION_NAME = "giai-trinh.txt"
MANIFEST_SCHEMA = 2  # 2: papers say hand_edited, pdfs name the paper each was made from
_VERSION_DIR = re.compile(r"^v(\d+)$")
_STAGING_PREFIX = ".v"

# Called with a stage name ("staged", "registered", "renamed") during an issue: tests stop
# the process there to prove a crash leaves nothing behind.
Checkpoint = Callable[[str], None]


@dataclass(frozen=True)
class Issued:
    version: int
    folder: Path
    papers: list[PaperRow]
    redlines: list[Path]
    explanation: str
    warnings: list[Problem] = field(default_factory=list)


def version_folder(archive: Path, dossier: str, version: int) -> Path:
    return archive / dossier / f"v{version}"


def sha256_file(path: Path) -> str:
    """The fingerprint of a file every caller has just seen exist."""
    return freshness.file_sha256(path) or ""


# --- issue --------------------------------------------------------------------------------------


def issue(
    dossier: Dossier,
    *,
    reason: str = "",
    assign_numbers: bool = False,
    accept_hand_edits: bool = False,
    redliner: Redliner | None = None,
    checkpoint: Checkpoint | None = None,
    ask: AskSecret | None = None,
) -> Issued:
    """Freeze the current outputs of `dossier` as its next version in its archive.
    `redliner` writes the tracked-changes copies (default: the engine the setting picks);
    `ask` asks for a signing key's PIN or password ([ky_so] of hoso.toml).
    A paper edited in Word after render is refused unless `accept_hand_edits`; then the
    register, the manifest and `diff` say so."""
    chosen = redliner or ChosenRedliner()
    profile = dossier.profile()
    _check_fresh(dossier)
    reason = " ".join(reason.split())
    settings = {
        "profile": profile,
        "dossier": dossier,
        "reason": reason,
        "assign_numbers": assign_numbers,
        "accept_hand_edits": accept_hand_edits,
    }
    try:
        # The PIN or password is asked, and the keys opened, before the register is locked.
        with issue_keys(
            profile,
            dossier.out,
            assign_numbers=assign_numbers,
            ask=ask or _no_secret,
            table=dossier.raw_profile(),
        ) as keys:
            settings["keys"] = keys
            try:
                issued = _run(settings, _open_existing(dossier.archive_root), chosen, checkpoint)
            except _NotFirst:
                # Another issue created the register while this one prepared the first
                # version of a new archive: done again as an issue into the existing register.
                issued = _run(settings, open_register(dossier.archive_root), chosen, checkpoint)
    finally:
        if isinstance(chosen, ChosenRedliner):
            chosen.close()
    if isinstance(chosen, ChosenRedliner) and chosen.notice:
        issued.warnings.append(Problem.of("so-sanh-co-san", hint=None, notice=chosen.notice))
    return issued


class _NotFirst(Exception):
    """The archive got a register while its first version was being prepared."""


def _run(
    settings: dict[str, Any],
    register: Register | None,
    chosen: Redliner,
    checkpoint: Checkpoint | None,
) -> Issued:
    """One attempt; `register` None: the archive has none yet (see `_Issue.first`)."""
    first = register is None
    register = register or in_memory_register()
    try:
        with register.writing():
            job = _Issue(register=register, first=first, **settings)
            return job.run(chosen, checkpoint or (lambda _: None))
    finally:
        register.close()


def _render_into(
    dossier: Dossier, staging: Path, *, numbers: dict[str, int] | None = None
) -> RenderResult:
    """Render into a version being built (its bookkeeping goes at the end, `_BOOKKEEPING`)."""
    return render(dossier.with_out(staging), numbers=numbers)


# The stages' own records and lock in the folder being built: they name the working folder
# and are not part of a version (its manifest records every file instead).
_BOOKKEEPING = (
    LOCK_NAME,
    freshness.PAPERS_NAME,
    freshness.PDFS_NAME,
    freshness.WRITTEN_NAME,
)


def _check_fresh(dossier: Dossier) -> None:
    """Outputs made from the current workbooks and scores, or an InputError saying what to run."""
    folder = dossier.folder
    then = f"`hoso score {folder}`, `hoso render {folder}` rồi phát hành"
    # A build running now is waited for: its stages replace the outputs one after another.
    unfinished = freshness.incomplete_problems(dossier, wait=True)
    if unfinished:
        raise InputError(unfinished)
    # Refuses data older than the workbooks, a scorecard older than its data, and either
    # of them (or the score workbook) not as its stage wrote it.
    if freshness.current_scoring(dossier) is None:
        freshness.load_data(dossier)
        problems = freshness.data_problems(dossier, then)
        if problems:
            raise InputError(problems)
    problems = pdf_problems(dossier)
    if problems:
        raise InputError(problems)


def pdf_problems(dossier: Dossier) -> list[Problem]:
    """Why the PDFs in the output folder cannot be issued with its papers: once any PDF
    exists, each paper needs the PDF made from its very bytes (pdfs.json). [] when none
    exists."""
    out = dossier.out
    if not any(out.glob("*.pdf")):
        return []
    changes = freshness.stale(freshness.PDF, dossier)
    if not changes:
        return []
    return [
        Problem.of(
            "pdf-cu",
            file=str(out),
            changes="; ".join(str(c) for c in changes),
            dossier=dossier.folder,
        )
    ]


def _open_existing(archive: Path) -> Register | None:
    """The register, None when the archive has none yet (nothing is created before the
    first issue is accepted); an archive holding versions but no register is refused,
    never reset, and so is a damaged register (checked without writing to it)."""
    existing = read_register(archive)
    if existing is not None:
        existing.close()
        return open_register(archive)
    if any(archive.glob("*/v*/" + MANIFEST_NAME)):
        raise InputError(
            [
                Problem.of(
                    "mat-so-dang-ky",
                    variant="co-phien-ban",
                    file=str(archive / REGISTER_NAME),
                    hint="khôi phục tệp register.sqlite từ bản sao lưu; hoso không lập sổ mới "
                    "đè lên lưu trữ cũ.",
                )
            ]
        )
    return None


@dataclass(frozen=True)
class _Built:
    """A version prepared in its folder, not yet registered."""

    version: int
    rows: list[PaperRow]
    redlines: list[Path]  # in the folder it was prepared in
    explanation: str
    manifest: dict[str, Any]


# The per-run folder in TMPDIR where the first version of a new archive is prepared.
_FIRST_PREFIX = "hoso-phat-hanh-"


class _Issue:
    """One run of `issue`, inside the register's write transaction."""

    def __init__(
        self,
        *,
        profile: Profile,
        dossier: Dossier,
        register: Register,
        first: bool = False,
        reason: str,
        assign_numbers: bool,
        accept_hand_edits: bool = False,
        keys: Keyring | None,
    ) -> None:
        # `first`: the archive has no register yet and `register` is an empty one in memory;
        # the version is prepared outside the archive, which is created only once the issue
        # is accepted (a refused first issue leaves no empty register or folder).
        self.first = first
        self.profile = profile
        self.keys = keys
        self.accept_hand_edits = accept_hand_edits
        self.hand_edited: set[str] = set()  # codes of papers edited by hand, issued knowingly
        self.pdf_made_from: dict[str, str] = {}  # PDF name -> sha256 of its Word paper
        self.dossier = dossier
        self.out = dossier.out
        self.archive = dossier.archive_root
        self.register = register
        self.reason = reason
        self.assign_numbers = assign_numbers
        self.name = dossier.name
        self.folder = dossier.archive
        self.when = vietnam_now()
        self.warnings: list[Problem] = []
        words = profile.don_vi.words
        self.agency = f"{profile.co_quan.viet_tat} {words.don_vi}, {words.tinh_day_du}"
        self.author = f"{profile.co_quan.viet_tat} {words.don_vi}"

    def run(self, redliner: Redliner, checkpoint: Checkpoint) -> Issued:
        last = self.register.last_version(self.name)
        if not self.first:
            _clean_leftovers(self.folder, last)
        version = last + 1
        if version > 1 and not self.reason:
            raise InputError(
                [
                    Problem.of(
                        "thieu-ly-do",
                        variant="phat-hanh-lai",
                        field="--reason",
                        hint=f'ghi lý do, ví dụ --reason "{self._example_reason()}".',
                        version=version,
                    )
                ]
            )
        # Both said at once: the clerk mends each before issuing again.
        refused = [meeting_problem(self.register, self.dossier, last), self._numbers_lost(last)]
        if any(refused):
            raise InputError([p for p in refused if p is not None])
        final = version_folder(self.archive, self.name, version)
        if final.exists() and not self.first:  # cannot happen after the clean-up
            raise EnvironmentProblem(f"{final} đã có", "không ghi đè phiên bản đã phát hành.")
        if self.first:
            with scratch.run_folder(_FIRST_PREFIX, "để lập phiên bản đầu") as work:
                built = self._prepare(work / "v1", version, last, redliner)
                return self._publish_first(work / "v1", built, checkpoint)
        created = not self.folder.exists()
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{version}-", dir=self.folder))
        try:
            built = self._prepare(staging, version, last, redliner)
        except BaseException:
            _remove_tree(staging)
            if created:  # a new dossier's folder, refused: nothing left of this issue
                with contextlib.suppress(OSError):
                    self.folder.rmdir()
            raise
        return self._publish(staging, built, checkpoint)

    def _prepare(self, staging: Path, version: int, last: int, redliner: Redliner) -> _Built:
        staging.mkdir(parents=True, exist_ok=True)
        rows, redlines, explanation = self._build(staging, version, last, redliner)
        manifest = self._manifest(staging, version, rows)
        return _Built(version, rows, redlines, explanation, manifest)

    def _publish_first(self, prepared: Path, built: _Built, checkpoint: Checkpoint) -> Issued:
        """The first version, accepted: the register and the archive's folders are created
        now, the version copied in and registered under the register's write lock."""
        register = open_register(self.archive)
        try:
            with register.writing():
                if register.versions():
                    raise _NotFirst
                self.register = register
                _clean_leftovers(self.folder, 0)
                self.folder.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}1-", dir=self.folder))
                try:
                    shutil.copytree(prepared, staging, dirs_exist_ok=True)
                except BaseException:
                    _remove_tree(staging)
                    raise
                return self._publish(staging, built, checkpoint)
        finally:
            register.close()

    def _publish(self, staging: Path, built: _Built, checkpoint: Checkpoint) -> Issued:
        """Seal the version built in `staging`, register it, rename it into place."""
        final = version_folder(self.archive, self.name, built.version)
        renamed = False
        try:
            _seal(staging)
            checkpoint("staged")
            self._register(built.version, built.rows, built.manifest)
            checkpoint("registered")
            staging.rename(final)
            renamed = True
            _fsync_dir(self.folder)
            checkpoint("renamed")
        except BaseException:
            _remove_tree(final if renamed else staging)
            raise
        return Issued(
            built.version,
            final,
            built.rows,
            [final / p.relative_to(staging) for p in built.redlines],
            built.explanation,
            self.warnings,
        )

    # building the version's files

    def _build(
        self, staging: Path, version: int, last: int, redliner: Redliner
    ) -> tuple[list[PaperRow], list[Path], str]:
        for name in (DATA_NAME, SCORECARD_NAME, WORKBOOK_NAME, freshness.WRITTEN_NAME):
            if (self.out / name).is_file():
                _copy(self.out / name, staging / name)
        current = self._papers_as_rendered(staging)
        previous = version_folder(self.archive, self.name, last) if last else None
        prev_rows = {r.code: r for r in self.register.papers(self.name, last)} if last else {}
        changed = {
            code: _changed(previous, doc, staging) if previous else True
            for code, doc in current.items()
        }
        numbers = self._numbers(current, changed, prev_rows)
        if self.assign_numbers:
            _render_into(self.dossier, staging, numbers=numbers)
        else:
            for doc in current.values():
                _copy(self.out / doc.type.file, staging / doc.type.file)
        self._pdfs(staging, current)
        self._sign(staging, current, numbers)
        rows = []
        for code, doc in current.items():
            prev = prev_rows.get(code)
            carried = not changed[code] and prev is not None and prev.number == numbers.get(code)
            carried_from = (prev.carried_from or prev.version) if carried and prev else None
            row = self._row(staging, version, doc, numbers.get(code), carried_from)
            if carried and prev is not None and prev.date:
                row = dataclasses.replace(row, date=prev.date)  # issued then, dated then
            rows.append(row)
        redlines: list[Path] = []
        explanation = ""
        if previous is not None:
            changes = staging / CHANGES_FOLDER
            for code, doc in current.items():
                old = previous / doc.type.file
                if changed[code] and old.is_file():
                    path = changes / doc.type.file
                    data = redliner(
                        old.read_bytes(),
                        (staging / doc.type.file).read_bytes(),
                        author=self.author,
                        when=self.when,
                    )
                    _write(path, data)
                    redlines.append(path)
            labels = (f"v{last}", f"v{version}")
            dates = (register_dates(self.register, self.name, last), _row_dates(rows))
            explanation = compare_folders(
                self.profile, previous, staging, labels, reason=self.reason, dates=dates
            ).summary
            _write(changes / EXPLANATION_NAME, (explanation + "\n").encode("utf-8"))
        for name in _BOOKKEEPING:
            (staging / name).unlink(missing_ok=True)
        return rows, redlines, explanation

    def _papers_as_rendered(self, staging: Path) -> dict[str, DocumentSettings]:
        """The papers render makes now, checked against the outputs the clerk has.

        Rendered into the version's folder without numbers: a paper missing from the
        outputs, one that render no longer makes, or one render made from other inputs
        means the outputs are stale (refused). A paper render made from the current inputs
        and then edited in Word (its bytes differ from papers.json's record) is refused
        unless the clerk accepts hand edits; numbering re-renders it, so then it is refused.
        """
        result = _render_into(self.dossier, staging)
        made = {p.name for p in result.written}
        current = {c: d for c, d in self.profile.van_ban.items() if d.type.file in made}
        manifest = freshness.read_papers(self.dossier)
        recorded = manifest[1] if manifest is not None else {}
        problems: list[Problem] = []
        for code, doc in current.items():
            mine, theirs = staging / doc.type.file, self.out / doc.type.file
            if not theirs.is_file():
                problems.append(_stale(theirs, "chưa được lập", self.dossier.folder))
                continue
            # Each paper fingerprinted once: the outputs' as freshness read them, the staged
            # one as render wrote it (the dossier keeps both).
            theirs_sha, mine_sha = self.dossier.file_sha(theirs), self.dossier.file_sha(mine)
            if theirs_sha == mine_sha:
                continue
            record = recorded.get(doc.type.file)
            if record is None or record.sha256 != mine_sha:
                problems.append(
                    _stale(
                        theirs,
                        "khác bản lập từ hoso.toml, số liệu và mẫu hiện tại (chưa chạy lại "
                        "hoso render)",
                        self.dossier.folder,
                    )
                )
            elif self.assign_numbers:
                problems.append(_hand_edited(theirs, self.dossier.folder, numbering=True))
            elif not self.accept_hand_edits:
                problems.append(_hand_edited(theirs, self.dossier.folder, numbering=False))
            else:
                self.hand_edited.add(code)
                self.warnings.append(
                    _hand_edited(theirs, self.dossier.folder, numbering=False, accepted=True)
                )
        for path in sorted(self.out.glob("*.docx")):
            is_paper = any(d.file == path.name for d in catalogue().values())
            if is_paper and path.name not in made:
                problems.append(_stale(path, "không còn thuộc hồ sơ", self.dossier.folder))
        if problems:
            raise InputError(problems)
        return current

    def _numbers(
        self,
        current: dict[str, DocumentSettings],
        changed: dict[str, bool],
        prev_rows: dict[str, PaperRow],
    ) -> dict[str, int]:
        numbers: dict[str, int] = {}
        problems: list[Problem] = []
        taken: dict[str, int] = {}
        for code, doc in current.items():
            prev = prev_rows.get(code)
            symbol, year = self._symbol(doc), self._year(doc)
            # An unchanged paper keeps the number it was issued with, unless hoso.toml now
            # gives it another; the clerk's own number comes before the register's next one.
            kept = prev.number if prev is not None and not changed[code] else None
            if kept is not None and doc.so in (None, kept):
                numbers[code] = kept
            elif doc.so is not None:
                numbers[code] = doc.so
                used = self.register.number_taken(self.agency, symbol, year, doc.so)
                if used is not None:
                    problems.append(
                        Problem.of(
                            "so-da-dung",
                            file=str(self.profile.path),
                            field=f"van_ban.{code}.so",
                            so=doc.so,
                            symbol=symbol,
                            year=year,
                            version=used.version,
                            dossier=used.dossier,
                        )
                    )
            elif self.assign_numbers:
                number = max(
                    self.register.next_number(self.agency, symbol, year), taken.get(symbol, 0) + 1
                )
                taken[symbol] = number
                numbers[code] = number
        if problems:
            raise InputError(problems)
        return numbers

    def _numbers_lost(self, last: int) -> Problem | None:
        """A number once issued stays on its paper: when the last version took numbers from
        the register (so blank in hoso.toml), issuing again without numbering would put the
        same papers in the archive and the register without them."""
        if self.assign_numbers or not last:
            return None
        numbered = [
            f"{r.number:02d}/{r.symbol}"
            for r in self.register.papers(self.name, last)
            if r.number is not None
            and r.code in self.profile.van_ban
            and self.profile.van_ban[r.code].so is None
        ]
        if not numbered:
            return None
        return Problem.of(
            "so-giu-lai", field="--assign-numbers", version=last, numbers=", ".join(numbered)
        )

    def _meeting_iso(self) -> str | None:
        start = self.profile.hop_hoi_dong.bat_dau
        return start.isoformat() if start else None

    def _example_reason(self) -> str:
        unit = self.profile.don_vi
        village = unit.thon[0] if unit.thon else "…"
        return f"{upper_first(unit.words.cap_thon)} {village} sửa số liệu"

    def _symbol(self, doc: DocumentSettings) -> str:
        return f"{doc.type.symbol}-{self.profile.co_quan.viet_tat}"

    def _year(self, doc: DocumentSettings) -> int:
        # The year printed on the paper: its date's, or the evaluation year's when blank.
        return doc.ngay.year if doc.ngay else self.profile.don_vi.nam

    def _pdfs(self, staging: Path, current: dict[str, DocumentSettings]) -> None:
        pdfs = [self.out / Path(d.type.file).with_suffix(".pdf").name for d in current.values()]
        if not any(p.is_file() for p in pdfs):
            return
        if self.assign_numbers:
            staged = self.dossier.with_out(staging)
            pdf_dossier(staged)  # the numbered papers need their own PDFs
            source = staged
        else:
            for path in pdfs:
                if path.is_file():
                    _copy(path, staging / path.name)
            source = self.dossier
        record = freshness.read_pdfs(source)
        for name, made in (record[1] if record is not None else {}).items():
            self.pdf_made_from[name] = next(iter(made.inputs.values()), "")

    # --- digital signatures (pipeline.sign): after the numbers, before the register ---
    def _sign(
        self, staging: Path, current: dict[str, DocumentSettings], numbers: dict[str, int]
    ) -> None:
        """The numbered papers' PDFs signed by their signers (if not yet) and the agency."""
        from pipeline.sign.dossier import sign_version

        symbols = {c: f"{n:02d}/{self._symbol(current[c])}" for c, n in numbers.items()}
        self.warnings += sign_version(
            self.profile, staging, current, symbols, self.keys, table=self.dossier.raw_profile()
        )
        # An attachment's PDF is made here from its workbook (the score workbook): that is the
        # file verify pairs it with.
        for pdf in staging.glob("*.pdf"):
            book = pdf.with_suffix(".xlsx")
            if not pdf.with_suffix(".docx").exists() and book.is_file():
                self.pdf_made_from[pdf.name] = sha256_file(book)

    # --- end of digital signatures ---

    def _row(
        self,
        staging: Path,
        version: int,
        doc: DocumentSettings,
        number: int | None,
        carried_from: int | None,
    ) -> PaperRow:
        path = staging / doc.type.file
        data = path.read_bytes()
        printed = docxdiff.printed(data)
        # The date the paper prints (the minutes': their meeting's), else the day it is
        # issued, when the clerk writes it by hand.
        day = doc.ngay or printed.day or self.when.date()
        return PaperRow(
            dossier=self.name,
            version=version,
            code=doc.type.code,
            agency=self.agency,
            symbol=self._symbol(doc),
            year=self._year(doc),
            number=number,
            date=day.isoformat(),
            title=_title(data, doc.type.name),
            signer=self._signer(doc),
            # As printed: "Như trên" is the addressee of its "Kính gửi".
            recipients="\n".join(printed.recipients or doc.noi_nhan),
            storage=self.profile.co_quan.luu,
            path=(self.folder / f"v{version}" / doc.type.file).relative_to(self.archive).as_posix(),
            sha256=sha256_file(path),
            carried_from=carried_from,
            hand_edited=doc.type.code in self.hand_edited,
        )

    def _signer(self, doc: DocumentSettings) -> str:
        if doc.nguoi_ky:
            return self.profile.lanh_dao.name_of(doc.nguoi_ky)
        # Minutes are signed by the council's secretary and chair.
        names = [m.ho_ten for m in self.profile.hoi_dong if m.vai_tro in ("thu_ky", "chu_tich")]
        return ", ".join(names)

    def _manifest(self, staging: Path, version: int, rows: list[PaperRow]) -> dict[str, Any]:
        card = _read_json(staging / SCORECARD_NAME)
        manifest = {
            "schema": MANIFEST_SCHEMA,
            "dossier": self.name,
            "version": version,
            "issue_id": uuid.uuid4().hex,
            "issued_at": self.when.isoformat(),
            "meeting": self._meeting_iso(),
            "user": _user(),
            "reason": self.reason,
            "tool": f"hoso {__version__}",
            "rule_set": card.get("rule_set") if card else None,
            "total": card.get("total") if card else None,
            "verdict": result_words(bool(card.get("recognized"))) if card else None,
            "inputs": self._inputs(),
            "outputs": [
                {"file": p.relative_to(staging).as_posix(), "sha256": sha256_file(p)}
                for p in sorted(staging.rglob("*"))
                if p.is_file()
            ],
            "papers": [
                {
                    "code": r.code,
                    "file": Path(r.path).name,
                    "number": r.number_symbol,
                    "carried_from": r.carried_from,
                    "hand_edited": r.hand_edited,
                }
                for r in rows
            ],
            "pdfs": self._pdf_sources(staging),
        }
        _write(staging / MANIFEST_NAME, _json_bytes(manifest))
        return manifest

    def _pdf_sources(self, staging: Path) -> list[dict[str, str]]:
        """Each PDF of the version with the sha256 of the Word paper it was made from
        (`verify` checks the pair)."""
        return [
            {"file": pdf.name, "made_from": self.pdf_made_from.get(pdf.name, "")}
            for pdf in sorted(staging.glob("*.pdf"))
        ]

    def _inputs(self) -> list[dict[str, str]]:
        """sha256 of what the version was made from: profile, workbooks, rule set, templates."""
        data = self.dossier.json(DATA_NAME) or {}
        found = [{"file": "hoso.toml", "sha256": self.dossier.profile_sha() or ""}]
        for item in data.get("inputs", []):
            if item["file"] != "hoso.toml":
                found.append({"file": item["file"], "sha256": item["sha256"]})
        rules = self.profile.bo_tieu_chi or shipped_path()
        found.append({"file": f"bộ tiêu chí: {rules.name}", "sha256": sha256_file(rules)})
        for doc in self.profile.van_ban.values():
            template = find_template(self.profile.folder, doc.type.file)
            digest = hashlib.sha256(template.data).hexdigest()
            found.append({"file": f"mẫu: {template.label}", "sha256": digest})
        return found

    def _register(self, version: int, rows: list[PaperRow], manifest: dict[str, Any]) -> None:
        total = manifest["total"]
        rule_set = manifest["rule_set"]
        self.register.add_version(
            VersionRow(
                dossier=self.name,
                version=version,
                issue_id=manifest["issue_id"],
                issued_at=manifest["issued_at"],
                user=manifest["user"],
                reason=self.reason,
                total=None if total is None else f"{total:g}",
                verdict=manifest["verdict"],
                rule_set=None if not rule_set else f"{rule_set['name']} ({rule_set['version']})",
                tool=manifest["tool"],
                path=(self.folder / f"v{version}").relative_to(self.archive).as_posix(),
                manifest_sha256=hashlib.sha256(_json_bytes(manifest)).hexdigest(),
            )
        )
        codes = {r.code for r in rows}
        if version > 1:
            previous = {r.code for r in self.register.papers(self.name, version - 1)}
            for code in sorted(previous - codes):  # no longer part of the dossier
                self.register.supersede(self.name, code, version)
        for row in rows:
            if row.carried_from is None and version > 1:
                self.register.supersede(self.name, row.code, version)
            self.register.add_paper(row)


HAND_EDITS_OPTION = "--chap-nhan-sua-tay"


def _hand_edited(path: Path, dossier: Path, *, numbering: bool, accepted: bool = False) -> Problem:
    if accepted:
        return Problem.of(
            "sua-tay", variant="da-nhan", file=str(path), hint=None, severity="canh-bao"
        )
    if numbering:
        hint = (
            "cấp số sẽ lập lại văn bản và mất phần sửa tay: ghi số vào hoso.toml "
            f"(van_ban.<mã>.so) rồi phát hành với {HAND_EDITS_OPTION}, hoặc đưa nội dung sửa "
            "vào hoso.toml rồi chạy lại hoso render."
        )
    else:
        hint = (
            f"nếu cố ý sửa, phát hành với {HAND_EDITS_OPTION} (sổ đăng ký và bản so sánh ghi "
            "rõ văn bản sửa tay); nếu không, chạy lại "
            f"`hoso render {dossier}` (cùng --out nếu có) rồi phát hành."
        )
    return Problem.of("sua-tay", variant="chua-nhan", file=str(path), hint=hint)


def _no_secret(what: str) -> str:
    raise InputError([Problem.of("can-ma-pin", what=what[:1].lower() + what[1:])])


def _stale(path: Path, what: str, dossier: Path, severity: str = "loi") -> Problem:
    return Problem.of(
        "ket-qua-cu",
        file=str(path),
        severity="loi" if severity == "loi" else "canh-bao",
        what=what,
        dossier=dossier,
    )


def meeting_problem(register: Register, dossier: Dossier, last: int) -> Problem | None:
    """Minutes record a meeting: once issued, the figures the council voted on change only
    with a new meeting (a later start in [hop_hoi_dong]), never under the old one. The
    problem an issue of the current outputs after version `last` meets, or None."""
    archive, name, profile = dossier.archive_root, dossier.name, dossier.profile()
    met = _last_meeting(register, archive, name, last)
    if met is None:
        return None
    version, minutes = met
    folder = version_folder(archive, name, version)
    changes = meeting_changes(folder / SCORECARD_NAME, dossier.out / SCORECARD_NAME)
    if not changes:
        return None
    recorded = _recorded_meeting(folder, minutes)
    start = profile.hop_hoi_dong.bat_dau
    if start is not None and (
        recorded is None
        or (start > recorded if isinstance(recorded, datetime) else start.date() > recorded)
    ):
        return None  # a new meeting: new minutes are made
    when = f" ngày {short_date(_day(recorded))}" if recorded else ""
    doc = catalogue()[minutes.code]
    named = f"{doc.kind} số {minutes.number:02d}/{minutes.symbol}" if minutes.number else doc.name
    return Problem.of(
        "can-hop-lai",
        file=str(profile.path),
        field="hop_hoi_dong.bat_dau",
        when=when,
        named=named,
        minutes_version=minutes.carried_from or version,
        changes=changes,
        dossier=dossier.folder,
    )


def _last_meeting(
    register: Register, archive: Path, name: str, last: int
) -> tuple[int, PaperRow] | None:
    """The latest issued version holding minutes, and its minutes' register row."""
    recording = {c for c, d in catalogue().items() if d.records_meeting}
    for version in range(last, 0, -1):
        for row in register.papers(name, version):
            if row.code in recording:
                return version, row
    return None


def _recorded_meeting(folder: Path, minutes: PaperRow) -> datetime | date | None:
    """When the issued minutes' meeting began: as the version recorded it, else the day the
    minutes print (versions issued before the manifest kept it)."""
    manifest = _read_json(folder / MANIFEST_NAME) or {}
    if "meeting" in manifest:
        return datetime.fromisoformat(manifest["meeting"]) if manifest["meeting"] else None
    path = folder / Path(minutes.path).name
    return docxdiff.printed(path.read_bytes()).day if path.is_file() else None


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def register_dates(register: Register, name: str, version: int) -> Dates:
    """The date the register gives each paper of a version (for those dated by hand: the
    day they were issued, in Vietnam)."""
    issued = {v.version: v.issued_at for v in register.versions(name)}
    dates: Dates = {}
    for row in register.papers(name, version):
        if row.date:
            dates[row.code] = date.fromisoformat(row.date)
        elif (row.carried_from or row.version) in issued:
            dates[row.code] = vietnam_day(issued[row.carried_from or row.version])
    return dates


def _row_dates(rows: list[PaperRow]) -> Dates:
    return {r.code: date.fromisoformat(r.date) for r in rows if r.date}


def _changed(previous: Path, doc: DocumentSettings, staging: Path) -> bool:
    old = previous / doc.type.file
    if not old.is_file():
        return True
    new = staging / doc.type.file
    return bool(docxdiff.changed_paragraphs(old.read_bytes(), new.read_bytes()))


def _title(data: bytes, fallback: str) -> str:
    """ "Kế hoạch thực hiện …": the paper's kind line and its summary line (trích yếu).

    Decree 30 puts the kind in capitals under the national motto, the summary below it.
    """
    # Whitespace collapsed: a title binds its last words with non-breaking spaces.
    texts = [" ".join(p.text.split()) for p in docxdiff.paragraphs(docxdiff.read(data))]
    start = next((i for i, t in enumerate(texts) if t.startswith("Độc lập")), None)
    if start is None:
        return fallback
    rest = [t for t in texts[start + 1 :] if t]
    for i, text in enumerate(rest[:-1]):
        if any(ch.isalpha() for ch in text) and text == text.upper():
            return f"{upper_first(text.lower())} {lower_first(rest[i + 1])}"
    return fallback


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    return read_object(path)


# --- files --------------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    """Write and fsync a new file of the version being built."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)  # a paper render put in the hidden folder first
    _write(target, source.read_bytes())


def _seal(folder: Path) -> None:
    """fsync every file, then make files and folders read-only, deepest first."""
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file():
            fd = os.open(path, os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            path.chmod(0o444)
        else:
            _fsync_dir(path)
            path.chmod(0o555)
    _fsync_dir(folder)
    folder.chmod(0o555)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder to flush it; NTFS journals the rename
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_tree(folder: Path) -> None:
    """Remove a folder of ours that never became a version (read-only files included)."""
    if not folder.exists():
        return

    def writable(func: Any, path: str, _exc: Any) -> None:
        Path(path).chmod(stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
        Path(path).parent.chmod(stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
        func(path)

    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder, onerror=writable)


def _clean_leftovers(folder: Path, last: int) -> None:
    """Remove what an interrupted issue left: hidden build folders and an unregistered vN."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name.startswith(_STAGING_PREFIX) and path.is_dir():
            _remove_tree(path)
    versions = {
        int(m.group(1)): path
        for path in folder.iterdir()
        if (m := _VERSION_DIR.match(path.name)) and path.is_dir()
    }
    unregistered = sorted(n for n in versions if n > last)
    if unregistered and unregistered != [last + 1]:
        raise InputError(
            [
                Problem.of(
                    "luu-tru-lech",
                    file=str(folder),
                    versions=", ".join(f"v{n}" for n in unregistered),
                )
            ]
        )
    if unregistered:
        # Renamed by an issue that stopped before its commit: never a version.
        _remove_tree(versions[last + 1])


# --- history ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    row: VersionRow
    papers: list[PaperRow]


def history(dossier: Dossier) -> list[VersionInfo]:
    """The issued versions of a dossier, oldest first, with their papers."""
    name = dossier.name
    register = read_register(dossier.archive_root)
    if register is None:
        return []
    try:
        return [VersionInfo(v, register.papers(name, v.version)) for v in register.versions(name)]
    finally:
        register.close()


# --- verify -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    versions: int
    files: int
    problems: list[Problem]
    signatures: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "versions": self.versions,
            "files": self.files,
            "signatures": self.signatures,
            "problems": [p.to_dict() for p in self.problems],
        }


def verify(archive: Path, trust: list[Path] | None = None) -> Verified:
    """Re-hash every archived file against its manifest and the register, and check the
    digital signatures of its PDFs (chains against the `trust` anchors, when given)."""
    problems: list[Problem] = []
    try:
        register = read_register(archive)
    except InputError as exc:  # a damaged register is a finding like any other
        return Verified(0, 0, list(exc.problems))
    if register is None:
        problems.append(
            Problem.of(
                "mat-so-dang-ky", variant="thieu", file=str(archive / REGISTER_NAME), hint=None
            )
        )
        return Verified(0, 0, problems)
    try:
        versions, papers = register.versions(), register.papers()
    finally:
        register.close()
    files = 0
    for v in versions:
        count, found = _verify_version(archive / v.path, v)
        files += count
        problems += found
    known = {(archive / v.path).resolve() for v in versions}
    problems += [p for row in papers if (p := _paper_problem(archive, row)) is not None]
    for folder in sorted(archive.glob("*/*")):
        if folder.is_dir() and folder.resolve() not in known:
            problems.append(Problem.of("ngoai-so", file=str(folder)))
    # --- digital signatures (pipeline.sign) ---
    from pipeline.sign import verify as signatures

    anchors = signatures.load_trust(trust or [])
    listed = [signatures.ArchivedPaper(r.path, r.number) for r in papers]
    signed, found = signatures.archive_problems(archive, listed, anchors)
    problems += found
    return Verified(len(versions), files, problems, signed)


def _verify_version(folder: Path, v: VersionRow) -> tuple[int, list[Problem]]:
    """Files checked and problems found in one version's folder."""
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        return 0, [Problem.of("thieu-tep", variant="phien-ban", file=str(manifest_path))]
    if sha256_file(manifest_path) != v.manifest_sha256:
        return 1, [Problem.of("bi-sua", variant="tep", file=str(manifest_path))]
    problems: list[Problem] = []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    listed = {MANIFEST_NAME}
    for item in manifest["outputs"]:
        listed.add(item["file"])
        path = folder / item["file"]
        if not path.is_file():
            problems.append(Problem.of("thieu-tep", variant="tep", file=str(path)))
        elif sha256_file(path) != item["sha256"]:
            problems.append(Problem.of("bi-sua", variant="tep", file=str(path)))
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in listed:
            problems.append(Problem.of("tep-la", file=str(path)))
    problems += _pdf_pairs(folder, manifest)
    return len(listed), problems


def _pdf_pairs(folder: Path, manifest: dict[str, Any]) -> list[Problem]:
    """Each archived PDF against the Word paper it was made from (manifest schema 2 on)."""
    if manifest.get("schema", 1) < 2:
        return []  # issued before hoso recorded the pair: nothing to check it against
    made_from = {str(i["file"]): str(i.get("made_from", "")) for i in manifest.get("pdfs", [])}
    hashes = {str(i["file"]): str(i["sha256"]) for i in manifest["outputs"]}
    problems = []
    for name in sorted(hashes):
        if not name.endswith(".pdf") or "/" in name:
            continue
        paper = freshness.paper_of(name)
        if paper not in hashes and str(Path(name).with_suffix(".xlsx")) in hashes:
            paper = str(Path(name).with_suffix(".xlsx"))  # an attachment made from its workbook
        if made_from.get(name) != hashes.get(paper):
            problems.append(Problem.of("pdf-khac-van-ban", file=str(folder / name), paper=paper))
    return problems


# --- diff ---------------------------------------------------------------------------------------


def diff_versions(
    dossier: Dossier,
    a: str | None = None,
    b: str | None = None,
    *,
    docx: bool = False,
    redliner: Redliner | None = None,
    reason: str = "",
) -> tuple[DossierDiff, list[Path]]:
    """Compare two output sets of a dossier (default: the last version and the current
    outputs); with `docx`, write each changed paper with tracked changes into
    `<output folder>/thay-doi/` (`redliner`: default, the engine the setting picks). The paragraph
    gives `reason`, else the reason version B was issued with."""
    profile = dossier.profile()
    name, out, archive = dossier.name, dossier.out, dossier.archive_root
    versions = [v.row.version for v in history(dossier)]
    if a is None:
        if not versions:
            raise InputError(
                [Problem.of("chua-phat-hanh", file=str(archive / name), dossier=dossier.folder)]
            )
        a = str(versions[-1])
    b = b or CURRENT
    sides = [_side(label, out, archive, name, versions) for label in (a, b)]
    # A tampered version would show changes that never happened: verify before comparing.
    problems = [
        p for label, folder in sides if label != CURRENT for p in _verified(archive, name, label)
    ]
    if problems:
        raise InputError(problems)
    dates = tuple(_side_dates(label, archive, name) for label, _ in sides)
    reason = " ".join(reason.split()) or _side_reason(sides[1][0], archive, name)
    result = compare_folders(
        profile,
        sides[0][1],
        sides[1][1],
        (sides[0][0], sides[1][0]),
        reason=reason,
        dates=(dates[0], dates[1]),
    )
    seen: set[str] = set()
    for label, folder in sides:
        if label not in seen:
            seen.add(label)
            result.notes.extend(_side_notes(label, folder, dossier))
    if sides[1][0] == CURRENT and versions:
        # Said now, not first when the clerk issues: the change needs a new meeting.
        register = read_register(archive)
        found = None
        if register is not None:
            try:
                found = meeting_problem(register, dossier, versions[-1])
            finally:
                register.close()
        if found is not None:
            result.notes.append(f"{CURRENT}: {found.message} — {found.hint}")
    if not docx:
        return result, []
    chosen = redliner or ChosenRedliner()
    try:
        return result, _changed_copies(profile, result, sides, out, chosen)
    finally:
        if isinstance(chosen, ChosenRedliner):
            chosen.close()


def _changed_copies(
    profile: Profile,
    result: DossierDiff,
    sides: list[tuple[str, Path]],
    out: Path,
    redliner: Redliner,
) -> list[Path]:
    """Each changed paper with tracked changes, in `out/thay-doi/`."""
    written: list[Path] = []
    when = vietnam_now()
    words = profile.don_vi.words
    author = f"{profile.co_quan.viet_tat} {words.don_vi}"
    for paper in result.papers:
        if paper.status != "sua":
            continue
        data = redliner(
            (sides[0][1] / paper.file).read_bytes(),
            (sides[1][1] / paper.file).read_bytes(),
            author=author,
            when=when,
        )
        stem = Path(paper.file).stem
        target = out / CHANGES_FOLDER / f"{stem}.{sides[0][0]}-{sides[1][0]}.docx"
        atomic_write(target, data)
        written.append(target)
    return written


def _side_dates(label: str, archive: Path, name: str) -> Dates:
    register = None if label == CURRENT else read_register(archive)
    if register is None:
        return {}
    try:
        return register_dates(register, name, int(label.removeprefix("v")))
    finally:
        register.close()


def _side_reason(label: str, archive: Path, name: str) -> str:
    """The reason an issued version was given (none for the current outputs)."""
    register = None if label == CURRENT else read_register(archive)
    if register is None:
        return ""
    try:
        found = [v.reason for v in register.versions(name) if f"v{v.version}" == label]
    finally:
        register.close()
    return found[0] if found else ""


def _verified(archive: Path, name: str, label: str) -> list[Problem]:
    """What is wrong with one issued version: its files against its manifest and the register."""
    number = int(label.removeprefix("v"))
    register = read_register(archive)
    if register is None:
        return []
    try:
        rows = [v for v in register.versions(name) if v.version == number]
        papers = register.papers(name, number)
    finally:
        register.close()
    if not rows:
        return []
    problems = _verify_version(archive / rows[0].path, rows[0])[1]
    listed = {p.file for p in problems}
    for row in papers:
        found = None if str(archive / row.path) in listed else _paper_problem(archive, row)
        if found is not None:
            problems.append(found)
    return problems


def _paper_problem(archive: Path, row: PaperRow) -> Problem | None:
    """A registered paper missing from the archive or no longer the bytes registered."""
    path = archive / row.path
    if not path.is_file():
        return Problem.of(
            "thieu-tep", variant="van-ban", file=str(path), number_symbol=row.number_symbol
        )
    if sha256_file(path) != row.sha256:
        return Problem.of(
            "bi-sua", variant="van-ban", file=str(path), number_symbol=row.number_symbol
        )
    return None


def _side_notes(label: str, folder: Path, dossier: Dossier) -> list[str]:
    """Hand-edited papers of one side, and for the current outputs what makes them stale."""
    if label != CURRENT:
        manifest = _read_json(folder / MANIFEST_NAME) or {}
        return [
            f"{label}: {p['file']} được sửa bằng Word sau khi hoso lập (phát hành có xác nhận)."
            for p in manifest.get("papers", [])
            if p.get("hand_edited")
        ]
    notes: list[str] = []
    edited = freshness.hand_edited(dossier)
    notes += [f"{CURRENT}: {name} đã sửa bằng Word sau khi hoso lập." for name in edited]
    changes: list[str] = []
    try:
        for stage in (freshness.INGEST, freshness.SCORE, freshness.RENDER):
            found = freshness.stale(stage, dossier)
            changes += [str(c) for c in found if not (c.file in edited and c.kind == "changed")]
        if any(folder.glob("*.pdf")):
            changes += [str(c) for c in freshness.stale(freshness.PDF, dossier)]
    except InputError as exc:
        changes.append(f"không kiểm tra được ({exc.problems[0]})")
    if changes:
        notes.append(
            "kết quả hiện tại đã cũ, chưa lập lại theo hồ sơ "
            f"({'; '.join(dict.fromkeys(changes))}); "
            f"chạy `hoso build {dossier.folder}` (cùng --out nếu có) rồi so sánh lại."
        )
    return notes


def _side(label: str, out: Path, archive: Path, name: str, versions: list[int]) -> tuple[str, Path]:
    text = label.strip().lower()
    if text in (CURRENT, "hientai", "hien_tai"):
        return CURRENT, out
    match = re.fullmatch(r"v?(\d+)", text)
    if not match or int(match.group(1)) not in versions:
        issued = ", ".join(str(v) for v in versions) or "chưa có"
        raise InputError(
            [
                Problem.of(
                    "khong-co-phien-ban",
                    file=str(archive / name),
                    label=label,
                    issued=issued,
                    current=CURRENT,
                )
            ]
        )
    return f"v{int(match.group(1))}", version_folder(archive, name, int(match.group(1)))
