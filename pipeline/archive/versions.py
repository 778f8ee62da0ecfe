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
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.archive import docxdiff
from pipeline.archive.diff import CURRENT, DossierDiff, compare_folders
from pipeline.archive.redline import Redliner
from pipeline.archive.redliners import ChosenRedliner
from pipeline.archive.register import REGISTER_NAME, PaperRow, Register, VersionRow, open_register
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.vnformat import lower_first, upper_first
from pipeline.files.atomic import atomic_write
from pipeline.files.lock import LOCK_NAME
from pipeline.model.dataset import DATA_NAME
from pipeline.model.documents import catalogue
from pipeline.model.layout import WORKBOOK_NAME
from pipeline.model.profile import DocumentSettings, Profile, load_profile
from pipeline.model.rules import shipped_path
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.papers.template_source import find_template
from pipeline.sign.keys import AskSecret
from pipeline.stages import freshness
from pipeline.stages.pdf import pdf_dossier
from pipeline.stages.render import RenderResult, render

MANIFEST_NAME = "manifest.json"
CHANGES_FOLDER = "thay-doi"
EXPLANATION_NAME = "giai-trinh.txt"
MANIFEST_SCHEMA = 1
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


def dossier_name(dossier: Path) -> str:
    """The dossier's name in outputs/ and in the archive: its folder's name."""
    return dossier.resolve().name


def version_folder(archive: Path, dossier: str, version: int) -> Path:
    return archive / dossier / f"v{version}"


def sha256_file(path: Path) -> str:
    """The fingerprint of a file every caller has just seen exist."""
    return freshness.file_sha256(path) or ""


# --- issue --------------------------------------------------------------------------------------


def issue(
    dossier: Path,
    out: Path,
    archive: Path,
    *,
    reason: str = "",
    assign_numbers: bool = False,
    redliner: Redliner | None = None,
    checkpoint: Checkpoint | None = None,
    ask: AskSecret | None = None,
) -> Issued:
    """Freeze the current outputs of `dossier` (in `out`) as its next version in `archive`.
    `redliner` writes the tracked-changes copies (default: the engine the setting picks);
    `ask` asks for a signing key's PIN or password ([ky_so] of hoso.toml)."""
    chosen = redliner or ChosenRedliner()
    profile = load_profile(dossier)
    _check_fresh(profile, dossier, out)
    reason = " ".join(reason.split())
    register = _open_existing(archive)
    try:
        with register.writing():
            job = _Issue(
                profile=profile,
                dossier=dossier,
                out=out,
                archive=archive,
                register=register,
                reason=reason,
                assign_numbers=assign_numbers,
                ask=ask or _no_secret,
            )
            issued = job.run(chosen, checkpoint or (lambda _: None))
    finally:
        register.close()
    if isinstance(chosen, ChosenRedliner) and chosen.notice:
        issued.warnings.append(Problem("so-sanh-co-san", chosen.notice, severity="canh-bao"))
    return issued


def _render_into(
    dossier: Path, staging: Path, *, numbers: dict[str, int] | None = None
) -> RenderResult:
    """Render into a version being built; render's own bookkeeping (its lock file and
    papers.json, which name the working folder) is not part of a version."""
    result = render(dossier, staging, numbers=numbers)
    for name in (LOCK_NAME, freshness.PAPERS_NAME):
        (staging / name).unlink(missing_ok=True)
    return result


def _check_fresh(profile: Profile, dossier: Path, out: Path) -> None:
    """Outputs made from the current workbooks and scores, or an InputError saying what to run."""
    then = f"`hoso score {dossier}`, `hoso render {dossier}` rồi phát hành"
    # Refuses data older than the workbooks and a scorecard older than its data.
    if freshness.current_scoring(dossier, out) is None:
        freshness.load_data(out, dossier)
        problems = freshness.data_problems(dossier, out, then)
        if problems:
            raise InputError(problems)


def _open_existing(archive: Path) -> Register:
    """The register; an archive holding versions but no register is refused, never reset."""
    if not (archive / REGISTER_NAME).exists() and any(archive.glob("*/v*/" + MANIFEST_NAME)):
        raise InputError(
            [
                Problem(
                    "mat-so-dang-ky",
                    "thư mục lưu trữ có các phiên bản nhưng không có sổ đăng ký",
                    file=str(archive / REGISTER_NAME),
                    hint="khôi phục tệp register.sqlite từ bản sao lưu; hoso không lập sổ mới "
                    "đè lên lưu trữ cũ.",
                )
            ]
        )
    return open_register(archive)


class _Issue:
    """One run of `issue`, inside the register's write transaction."""

    def __init__(
        self,
        *,
        profile: Profile,
        dossier: Path,
        out: Path,
        archive: Path,
        register: Register,
        reason: str,
        assign_numbers: bool,
        ask: AskSecret,
    ) -> None:
        self.profile = profile
        self.ask = ask
        self.dossier = dossier
        self.out = out
        self.archive = archive
        self.register = register
        self.reason = reason
        self.assign_numbers = assign_numbers
        self.name = dossier_name(dossier)
        self.folder = archive / self.name
        self.when = datetime.now().astimezone().replace(microsecond=0)
        self.warnings: list[Problem] = []
        words = profile.don_vi.words
        self.agency = f"{profile.co_quan.viet_tat} {words.don_vi}, {words.tinh_day_du}"
        self.author = f"{profile.co_quan.viet_tat} {words.don_vi}"

    def run(self, redliner: Redliner, checkpoint: Checkpoint) -> Issued:
        last = self.register.last_version(self.name)
        _clean_leftovers(self.folder, last)
        version = last + 1
        if version > 1 and not self.reason:
            raise InputError(
                [
                    Problem(
                        "thieu-ly-do",
                        f"phiên bản {version} cần lý do phát hành lại",
                        field="--reason",
                        hint=f'ghi lý do, ví dụ --reason "{self._example_reason()}".',
                    )
                ]
            )
        final = version_folder(self.archive, self.name, version)
        if final.exists():  # cannot happen after the clean-up; never overwrite all the same
            raise EnvironmentProblem(f"{final} đã có", "không ghi đè phiên bản đã phát hành.")
        self.folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING_PREFIX}{version}-", dir=self.folder))
        renamed = False
        try:
            rows, redlines, explanation = self._build(staging, version, last, redliner)
            manifest = self._manifest(staging, version, rows)
            _seal(staging)
            checkpoint("staged")
            self._register(version, rows, manifest)
            checkpoint("registered")
            staging.rename(final)
            renamed = True
            _fsync_dir(self.folder)
            checkpoint("renamed")
        except BaseException:
            _remove_tree(final if renamed else staging)
            raise
        return Issued(
            version,
            final,
            rows,
            [final / p.relative_to(staging) for p in redlines],
            explanation,
            self.warnings,
        )

    # building the version's files

    def _build(
        self, staging: Path, version: int, last: int, redliner: Redliner
    ) -> tuple[list[PaperRow], list[Path], str]:
        for name in (DATA_NAME, SCORECARD_NAME, WORKBOOK_NAME):
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
            rows.append(self._row(staging, version, doc, numbers.get(code), carried_from))
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
            explanation = compare_folders(self.profile, previous, staging, labels).summary
            _write(changes / EXPLANATION_NAME, (explanation + "\n").encode("utf-8"))
        return rows, redlines, explanation

    def _papers_as_rendered(self, staging: Path) -> dict[str, DocumentSettings]:
        """The papers render makes now, checked against the outputs the clerk has.

        Rendered into the version's folder without numbers: a paper missing from the
        outputs, or one that render no longer makes, means the outputs are stale. A paper
        that differs (edited in Word, or made before hoso.toml changed) is frozen as it is,
        with a warning; numbering re-renders it, so then it is refused.
        """
        result = _render_into(self.dossier, staging)
        made = {p.name for p in result.written}
        current = {c: d for c, d in self.profile.van_ban.items() if d.type.file in made}
        problems: list[Problem] = []
        for doc in current.values():
            mine, theirs = staging / doc.type.file, self.out / doc.type.file
            if not theirs.is_file():
                problems.append(_stale(theirs, "chưa được lập", self.dossier))
            elif sha256_file(mine) != sha256_file(theirs):
                problem = _stale(
                    theirs,
                    "khác bản lập từ hoso.toml và mẫu hiện tại (đã sửa bằng Word, hoặc "
                    "chưa chạy lại hoso render)",
                    self.dossier,
                    severity="loi" if self.assign_numbers else "canh-bao",
                )
                (problems if self.assign_numbers else self.warnings).append(problem)
        for path in sorted(self.out.glob("*.docx")):
            is_paper = any(d.file == path.name for d in catalogue().values())
            if is_paper and path.name not in made:
                problems.append(_stale(path, "không còn thuộc hồ sơ", self.dossier))
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
            if self.assign_numbers:
                if not changed[code] and prev is not None and prev.number is not None:
                    numbers[code] = prev.number
                    continue
                number = max(
                    self.register.next_number(self.agency, symbol, year), taken.get(symbol, 0) + 1
                )
                taken[symbol] = number
                numbers[code] = number
            elif doc.so is not None:
                numbers[code] = doc.so
                same = not changed[code] and prev is not None and prev.number == doc.so
                used = self.register.number_taken(self.agency, symbol, year, doc.so)
                if used is not None and not same:
                    problems.append(
                        Problem(
                            "so-da-dung",
                            f"số {doc.so:02d}/{symbol} năm {year} đã cấp cho văn bản của "
                            f"phiên bản {used.version} ({used.dossier})",
                            file=str(self.profile.path),
                            field=f"van_ban.{code}.so",
                            hint='mỗi số chỉ dùng một lần: để so = "" và phát hành với '
                            "--assign-numbers, hoặc ghi số khác.",
                        )
                    )
        if problems:
            raise InputError(problems)
        return numbers

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
            pdf_dossier(self.dossier, staging)  # the numbered papers need their own PDFs
            # As for render: the pdf stage's bookkeeping is not part of a version.
            for name in (LOCK_NAME, freshness.PDFS_NAME):
                (staging / name).unlink(missing_ok=True)
            return
        for path in pdfs:
            if path.is_file():
                _copy(path, staging / path.name)

    # --- digital signatures (pipeline.sign): after the numbers, before the register ---
    def _sign(
        self, staging: Path, current: dict[str, DocumentSettings], numbers: dict[str, int]
    ) -> None:
        """The numbered papers' PDFs signed by their signers (if not yet) and the agency."""
        from pipeline.sign.dossier import sign_version

        symbols = {c: f"{n:02d}/{self._symbol(current[c])}" for c, n in numbers.items()}
        self.warnings += sign_version(self.profile, staging, current, symbols, self.ask)

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
        return PaperRow(
            dossier=self.name,
            version=version,
            code=doc.type.code,
            agency=self.agency,
            symbol=self._symbol(doc),
            year=self._year(doc),
            number=number,
            date=doc.ngay.isoformat() if doc.ngay else None,
            title=_title(path.read_bytes(), doc.type.name),
            signer=self._signer(doc),
            recipients="\n".join(doc.noi_nhan),
            storage=self.profile.co_quan.luu,
            path=(self.folder / f"v{version}" / doc.type.file).relative_to(self.archive).as_posix(),
            sha256=sha256_file(path),
            carried_from=carried_from,
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
            "user": _user(),
            "reason": self.reason,
            "tool": f"hoso {__version__}",
            "rule_set": card.get("rule_set") if card else None,
            "total": card.get("total") if card else None,
            "verdict": (("ĐẠT" if card.get("recognized") else "KHÔNG ĐẠT") if card else None),
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
                }
                for r in rows
            ],
        }
        _write(staging / MANIFEST_NAME, _json_bytes(manifest))
        return manifest

    def _inputs(self) -> list[dict[str, str]]:
        """sha256 of what the version was made from: profile, workbooks, rule set, templates."""
        data = _read_json(self.out / DATA_NAME) or {}
        found = [{"file": "hoso.toml", "sha256": sha256_file(self.profile.path)}]
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


def _no_secret(what: str) -> str:
    raise InputError(
        [
            Problem(
                "can-ma-pin",
                f"cần {what[:1].lower()}{what[1:]} để ký số",
                hint="phát hành bằng lệnh hoso issue trong cửa sổ dòng lệnh để nhập mật khẩu.",
            )
        ]
    )


def _stale(path: Path, what: str, dossier: Path, severity: str = "loi") -> Problem:
    return Problem(
        "ket-qua-cu",
        f"văn bản {what}",
        file=str(path),
        hint=f"chạy lại hoso render {dossier} (cùng --out nếu có) rồi phát hành.",
        severity="loi" if severity == "loi" else "canh-bao",
    )


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
    texts = [p.text.strip() for p in docxdiff.paragraphs(docxdiff.read(data))]
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
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


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
                Problem(
                    "luu-tru-lech",
                    "thư mục lưu trữ có phiên bản "
                    + ", ".join(f"v{n}" for n in unregistered)
                    + " mà sổ đăng ký không ghi",
                    file=str(folder),
                    hint="sổ đăng ký có thể đã bị thay bằng bản cũ: khôi phục register.sqlite "
                    "mới nhất rồi chạy lại; hoso không xóa các phiên bản này.",
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


def history(dossier: Path, archive: Path) -> list[VersionInfo]:
    """The issued versions of a dossier, oldest first, with their papers."""
    name = dossier_name(dossier)
    if not (archive / REGISTER_NAME).is_file():
        return []
    register = open_register(archive)
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
    if not (archive / REGISTER_NAME).is_file():
        problems.append(
            Problem("mat-so-dang-ky", "không có sổ đăng ký", file=str(archive / REGISTER_NAME))
        )
        return Verified(0, 0, problems)
    register = open_register(archive)
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
    for row in papers:
        path = archive / row.path
        if not path.is_file():
            problems.append(_finding("thieu-tep", f"văn bản {row.number_symbol} không còn", path))
        elif sha256_file(path) != row.sha256:
            problems.append(_finding("bi-sua", f"văn bản {row.number_symbol} đã bị sửa", path))
    for folder in sorted(archive.glob("*/*")):
        if folder.is_dir() and folder.resolve() not in known:
            problems.append(_finding("ngoai-so", "thư mục không có trong sổ đăng ký", folder))
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
        return 0, [_finding("thieu-tep", "thiếu tệp (phiên bản không còn)", manifest_path)]
    if sha256_file(manifest_path) != v.manifest_sha256:
        return 1, [_finding("bi-sua", "tệp đã bị sửa", manifest_path)]
    problems: list[Problem] = []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    listed = {MANIFEST_NAME}
    for item in manifest["outputs"]:
        listed.add(item["file"])
        path = folder / item["file"]
        if not path.is_file():
            problems.append(_finding("thieu-tep", "thiếu tệp", path))
        elif sha256_file(path) != item["sha256"]:
            problems.append(_finding("bi-sua", "tệp đã bị sửa", path))
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.relative_to(folder).as_posix() not in listed:
            problems.append(_finding("tep-la", "tệp không thuộc phiên bản", path))
    return len(listed), problems


def _finding(code: str, message: str, path: Path) -> Problem:
    hints = {
        "bi-sua": "không sửa tệp trong lưu trữ; lấy lại bản đúng từ bản sao lưu.",
        "thieu-tep": "lấy lại tệp từ bản sao lưu của thư mục lưu trữ.",
        "tep-la": "chuyển tệp này ra khỏi thư mục lưu trữ.",
        "ngoai-so": "nếu do lần phát hành bị ngắt, lần hoso issue sau sẽ dọn; nếu không, "
        "chuyển thư mục này ra khỏi lưu trữ.",
    }
    return Problem(code, message, file=str(path), hint=hints.get(code))


# --- diff ---------------------------------------------------------------------------------------


def diff_versions(
    dossier: Path,
    out: Path,
    archive: Path,
    a: str | None = None,
    b: str | None = None,
    *,
    docx: bool = False,
    redliner: Redliner | None = None,
) -> tuple[DossierDiff, list[Path]]:
    """Compare two output sets of a dossier (default: the last version and the current
    outputs); with `docx`, write each changed paper with tracked changes into
    `out/thay-doi/` (`redliner`: default, the engine the setting picks)."""
    profile = load_profile(dossier)
    name = dossier_name(dossier)
    versions = [v.row.version for v in history(dossier, archive)]
    if a is None:
        if not versions:
            raise InputError(
                [
                    Problem(
                        "chua-phat-hanh",
                        "hồ sơ chưa phát hành phiên bản nào",
                        file=str(archive / name),
                        hint=f"phát hành bằng `hoso issue {dossier}`, hoặc ghi rõ hai phiên "
                        "bản cần so.",
                    )
                ]
            )
        a = str(versions[-1])
    b = b or CURRENT
    sides = [_side(label, out, archive, name, versions) for label in (a, b)]
    result = compare_folders(profile, sides[0][1], sides[1][1], (sides[0][0], sides[1][0]))
    written: list[Path] = []
    if docx:
        redliner = redliner or ChosenRedliner()
        when = datetime.now().astimezone().replace(microsecond=0)
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
    return result, written


def _side(label: str, out: Path, archive: Path, name: str, versions: list[int]) -> tuple[str, Path]:
    text = label.strip().lower()
    if text in (CURRENT, "hientai", "hien_tai"):
        return CURRENT, out
    match = re.fullmatch(r"v?(\d+)", text)
    if not match or int(match.group(1)) not in versions:
        issued = ", ".join(str(v) for v in versions) or "chưa có"
        raise InputError(
            [
                Problem(
                    "khong-co-phien-ban",
                    f"không có phiên bản {label!r}",
                    file=str(archive / name),
                    hint=f"các phiên bản đã phát hành: {issued}; hoặc {CURRENT} "
                    "(kết quả hiện tại).",
                )
            ]
        )
    return f"v{int(match.group(1))}", version_folder(archive, name, int(match.group(1)))
