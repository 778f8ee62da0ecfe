"""What each stage read, and whether it has changed since: no paper with old figures.

Every stage records, in its own output, fingerprints of everything it read:

- ingest, in data.json: the files hoso.toml, xa.* and every workbook of thon/; the
  hoso.toml keys don_vi.xa, don_vi.nam, don_vi.thon;
- score, in scorecard.json: the files data.json and the rule set; the keys don_vi.loai,
  danh_gia.bo_tieu_chi, dieu_chinh (what ingest and score wrote, the score workbook too,
  is vouched for by written.json, so a derived file edited by hand is noticed);
- render, in papers.json, per paper: hoso.toml (the whole file: papers print nearly every
  key), its template, and scorecard.json + data.json for a paper with figures;
- pdf, in pdfs.json, per PDF: its own sha256 and the sha256 of the .docx it was made from
  (taken before LibreOffice reads it);

plus `hoso_version`, the program that wrote it (its rules for reading and scoring are part
of what an output depends on). Files are named relative to the dossier (`thon/na-cay.xlsx`,
`templates/BC-ket-qua-danh-gia.docx`), by absolute path for a rule set outside it, as
`hoso:<name>` for files shipped inside the package, and by their contract names for the
outputs of earlier stages (`data.json`, `scorecard.json`). The JSON shape: `inputs` is a list
of `{"file", "sha256"}` (data.json always had it), `profile_keys` maps a key to its sha256.

ingest and score depend on a few hoso.toml keys rather than the whole file, so correcting a
document number or a signer does not send the clerk back to re-read every workbook; the
whole-file hash stays in data.json for the record. Fingerprints are taken from the bytes a
stage used, or before it reads them, never after: a file edited during a run can only make
a record look older than it is, so the error is always on the safe side (one more run).

`stale(stage, dossier)` lists the `Change`s between a stage's record and the files as
they are now: what `hoso build` needs to decide what to run. A stage that consumes an
earlier stage's output goes through `load_data` / `current_scoring`, which refuse stale
outputs with a message naming each changed file and the commands to run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline import __version__
from pipeline.common import limits
from pipeline.common.errors import EnvironmentProblem, HosoError, InputError, Problem
from pipeline.files import lock
from pipeline.files.atomic import atomic_write
from pipeline.files.sheets import SPREADSHEET_SUFFIXES
from pipeline.model import dataset
from pipeline.model.dataset import DossierData
from pipeline.model.documents import DocumentType, catalogue, render_sections
from pipeline.model.dossier import Dossier
from pipeline.model.layout import COMMUNE_STEM, VILLAGE_FOLDER, WORKBOOK_NAME
from pipeline.model.profile import PROFILE_NAME, DocumentSettings, Profile
from pipeline.model.rules import SHIPPED_RULES, shipped_path
from pipeline.model.scorecard import SCORECARD_NAME, Scorecard
from pipeline.papers.template_source import TEMPLATE_FOLDER, TemplateSource, find_template

Stage = Literal["ingest", "score", "render", "pdf"]
Kind = Literal["added", "changed", "deleted", "missing", "edited", "unrecorded"]

INGEST: Stage = "ingest"
SCORE: Stage = "score"
RENDER: Stage = "render"
PDF: Stage = "pdf"
PAPERS_NAME = "papers.json"
PDFS_NAME = "pdfs.json"
WRITTEN_NAME = "written.json"
TOOL = "hoso"  # the file name a Change uses for the program itself
SHIPPED = "hoso:"  # prefix of files shipped inside the package

OUTPUT: dict[Stage, str] = {
    INGEST: dataset.DATA_NAME,
    SCORE: SCORECARD_NAME,
    RENDER: PAPERS_NAME,
    PDF: PDFS_NAME,
}
# The hoso.toml keys each stage reads; render reads the whole file.
# ingest matches village names in the unit's words; score writes the unit, its province, the
# council who signs it and the meeting's place and date into the score workbook, and the
# unit's words into the labels.
PROFILE_KEYS: dict[Stage, tuple[str, ...]] = {
    INGEST: ("don_vi.xa", "don_vi.nam", "don_vi.thon", "don_vi.cap", "don_vi.cap_thon"),
    SCORE: (
        "don_vi.loai",
        "don_vi.cap",
        "don_vi.cap_thon",
        "don_vi.xa",
        "don_vi.nam",
        "don_vi.tinh",
        "don_vi.huyen",
        "lanh_dao",
        "hoi_dong",
        "hop_hoi_dong.bat_dau",
        "co_quan.dia_danh",
        "danh_gia.bo_tieu_chi",
        "dieu_chinh",
    ),
}

_KIND_WORDS: dict[Kind, str] = {
    "added": "mới thêm",
    "changed": "đã sửa",
    "deleted": "đã xóa",
    "missing": "chưa có",
    "edited": "đã bị sửa sau khi hoso ghi (không dùng số liệu sửa tay)",
    "unrecorded": "không có mã băm do hoso ghi lúc lập",
}

# The files each stage writes that a later stage reads, vouched for in written.json.
WRITES: dict[Stage, tuple[str, ...]] = {
    INGEST: (dataset.DATA_NAME,),
    SCORE: (SCORECARD_NAME, WORKBOOK_NAME),
}


@dataclass(frozen=True)
class Change:
    """One difference between what a stage read and what is there now.

    `file` is named as in the records (see the module docstring), `key` is set for a
    hoso.toml key; kind "missing" means the stage's own output is absent or unreadable.
    """

    file: str
    kind: Kind
    key: str | None = None

    def __str__(self) -> str:
        if self.file == TOOL:
            return "phiên bản hoso đã đổi"
        what = f"{self.file} › {self.key}" if self.key else self.file
        return f"{what} {_KIND_WORDS[self.kind]}"


@dataclass(frozen=True)
class Record:
    """What one stage run read: file fingerprints, hoso.toml key fingerprints, version."""

    files: dict[str, str]
    profile_keys: dict[str, str]
    version: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# Recorded instead of the hash of a workbook too large to read: ingest refuses it anyway.
TOO_BIG = "qua-lon"


def file_sha256(path: Path, *, limit: int | None = None) -> str | None:
    """The fingerprint of a file (read in chunks), or None when it does not exist; `limit`:
    a larger file is fingerprinted as TOO_BIG without being read."""
    try:
        if limit is not None and path.stat().st_size > limit:
            return TOO_BIG
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as exc:
        raise EnvironmentProblem.unreadable(path, exc) from exc


# --- what ingest reads -------------------------------------------------------------------------


def shown_name(path: Path, folder: Path) -> str:
    """`path` relative to `folder`, printable even when the name is not valid UTF-8."""
    rel = path.relative_to(folder).as_posix()
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def workbook_files(dossier: Path) -> list[Path]:
    """The commune workbook(s) and every file of `thon/`, skipping lock files and our copies."""
    found = [dossier / f"{COMMUNE_STEM}{s}" for s in SPREADSHEET_SUFFIXES]
    found = [p for p in found if p.is_file()]
    villages = dossier / VILLAGE_FOLDER
    if villages.is_dir():
        found += sorted(p for p in villages.iterdir() if p.is_file() and not _ignored(p.name))
    return found


def _ignored(name: str) -> bool:
    # Office lock files (~$x.xlsx, .~lock.x.ods#), hidden files, our error copies and backups.
    return (
        name.startswith(("~$", ".", "desktop.ini", "Thumbs.db"))
        or ".loi." in name
        or ".sao-luu-" in name
    )


def _raw_profile(dossier: Dossier) -> dict[str, Any]:
    # An unreadable hoso.toml reads as empty: the record then looks stale (the safe side),
    # and the stage's own loader reports the file's problems with their places.
    try:
        return dossier.raw_profile()
    except InputError:
        return {}


def profile_keys(stage: Stage, dossier: Dossier) -> dict[str, str]:
    """Fingerprints of the hoso.toml keys `stage` reads, as the file is now (absent keys
    are left out)."""
    raw = _raw_profile(dossier)
    found: dict[str, str] = {}
    for key in PROFILE_KEYS[stage]:
        value: Any = raw
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
            found[key] = sha256(text.encode("utf-8"))
    return found


def current(stage: Stage, dossier: Dossier) -> Record:
    """The record `stage` would write if it ran now (ingest and score; render records per
    paper, see `paper_inputs`)."""
    if stage == INGEST:
        folder = dossier.folder
        files = {
            shown_name(p, folder): file_sha256(p, limit=limits.MAX_WORKBOOK_BYTES) or ""
            for p in workbook_files(folder)
        }
    elif stage == SCORE:
        files = {}
        data = dossier.sha(dataset.DATA_NAME)
        if data is not None:
            files[dataset.DATA_NAME] = data
        key, path = _rule_set(dossier)
        rules = file_sha256(path)
        if rules is not None:
            files[key] = rules
    else:
        raise ValueError("render records each paper: use paper_inputs")
    return Record(files, profile_keys(stage, dossier), __version__)


def _rule_set(dossier: Dossier) -> tuple[str, Path]:
    """The rule set hoso.toml names (its record name and path), else the shipped one."""
    table = _raw_profile(dossier).get("danh_gia")
    name = table.get("bo_tieu_chi") if isinstance(table, dict) else None
    if not isinstance(name, str) or not name.strip():
        return SHIPPED + SHIPPED_RULES, shipped_path()
    path = dossier.folder / name
    return _dossier_name(dossier.folder, path), path


def _dossier_name(dossier: Path, path: Path) -> str:
    return path.relative_to(dossier).as_posix() if path.is_relative_to(dossier) else str(path)


# --- comparing ---------------------------------------------------------------------------------


def _record(raw: dict[str, Any]) -> Record | None:
    try:
        files = {str(i["file"]): str(i["sha256"]) for i in raw.get("inputs", [])}
        keys = {str(k): str(v) for k, v in dict(raw.get("profile_keys", {})).items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return Record(files, keys, str(raw.get("hoso_version", "")))


def _diff(recorded: dict[str, str], now: dict[str, str], key_of: str | None = None) -> list[Change]:
    def change(name: str, kind: Kind) -> Change:
        return Change(PROFILE_NAME, kind, name) if key_of else Change(name, kind)

    changes = [
        change(name, "changed" if name in recorded else "added")
        for name, digest in sorted(now.items())
        if recorded.get(name) != digest
    ]
    changes += [change(name, "deleted") for name in sorted(set(recorded) - set(now))]
    return changes


def compare(recorded: Record, now: Record, *, ignore: tuple[str, ...] = ()) -> list[Change]:
    """The Changes from `recorded` to `now`; files in `ignore` are not compared."""
    if recorded.version != now.version:
        # Another program wrote the record: its notion of what it read may differ too.
        return [Change(TOOL, "changed")]
    files = {k: v for k, v in recorded.files.items() if k not in ignore}
    changes = _diff(files, now.files)
    changes += _diff(recorded.profile_keys, now.profile_keys, key_of=PROFILE_NAME)
    return changes


def _stage_changes(stage: Stage, dossier: Dossier, raw: dict[str, Any] | None) -> list[Change]:
    record = None if raw is None else _record(raw)
    if record is None:
        return [Change(OUTPUT[stage], "missing")]
    # A derived file edited by hand is never read as the stage's result: the stage runs again.
    edited = written_changes(stage, dossier)
    # The profile counts by the keys the stage reads; its whole-file hash is kept for the record.
    return edited + compare(record, current(stage, dossier), ignore=(PROFILE_NAME,))


# --- what each stage wrote ---------------------------------------------------------------------


def read_written(dossier: Dossier) -> dict[str, str]:
    """written.json: the sha256 of each file ingest and score wrote, as they wrote it ({}
    when absent or unreadable, so that every file reads as unrecorded: the safe side)."""
    raw = dossier.json(WRITTEN_NAME)
    files = raw.get("files") if raw is not None else None
    if not isinstance(files, dict):
        return {}
    return {
        str(name): str(entry["sha256"])
        for name, entry in files.items()
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
    }


def with_written(
    dossier: Dossier, stage: Stage, files: list[tuple[str, bytes]]
) -> list[tuple[str, bytes]]:
    """`files` plus written.json vouching for them: publish both as one set, under the
    folder's lock (the record of the other stages' files is kept as it was)."""
    raw = dossier.json(WRITTEN_NAME)
    old = raw.get("files") if raw is not None else None
    entries: dict[str, Any] = dict(old) if isinstance(old, dict) else {}
    for name in WRITES[stage]:
        entries.pop(name, None)
    for name, data in files:
        if name in WRITES[stage]:
            entries[name] = {"stage": stage, "sha256": sha256(data)}
    body = {"hoso_version": __version__, "files": dict(sorted(entries.items()))}
    text = json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    return [*files, (WRITTEN_NAME, text.encode("utf-8"))]


def written_changes(stage: Stage, dossier: Dossier) -> list[Change]:
    """The files `stage` wrote whose bytes are no longer those it wrote (or that no record
    vouches for); a missing file is the stage's own "missing" check."""
    recorded = read_written(dossier)
    changes: list[Change] = []
    for name in WRITES[stage]:
        on_disk = dossier.sha(name)
        if on_disk is None:
            continue
        if name not in recorded:
            changes.append(Change(name, "unrecorded"))
        elif recorded[name] != on_disk:
            changes.append(Change(name, "edited"))
    return changes


def _bytes_problem(dossier: Dossier, name: str, data: bytes, rerun: str) -> list[Problem]:
    """A problem when `data`, read from out/name, is not what its stage wrote."""
    out = dossier.out
    recorded = read_written(dossier).get(name)
    if recorded == sha256(data):
        return []
    kind: Kind = "unrecorded" if recorded is None else "edited"
    return [
        Problem.of(
            "ket-qua-bi-sua",
            file=str(out / name),
            hint=f"không sửa tay tệp kết quả: sửa ở biểu Excel hoặc hoso.toml rồi chạy lại "
            f"`hoso {rerun} {dossier.folder}` (cùng --out nếu có).",
            kind=_KIND_WORDS[kind],
        )
    ]


def stale(stage: Stage, dossier: Dossier) -> list[Change]:
    """What changed since `stage` last wrote its output in `out`: [] when it is current.

    Only that stage's own inputs are compared: when ingest is stale, score becomes stale
    once ingest has rewritten data.json (run the stages in order, re-checking each).
    """
    if stage == RENDER:
        return _render_changes(dossier)
    if stage == PDF:
        return _pdf_changes(dossier)
    return _stage_changes(stage, dossier, dossier.json(OUTPUT[stage]))


# --- where outputs may go ---------------------------------------------------------------------


def check_out(dossier: Dossier) -> None:
    """Refuse an output folder inside the folder of the villages' workbooks: every file there
    is read as a workbook, and the outputs would be mixed with what the villages sent."""
    out = dossier.out
    villages = (dossier.folder / VILLAGE_FOLDER).resolve()
    if out.resolve().is_relative_to(villages):
        raise InputError(
            [
                Problem.of(
                    "ket-qua-trong-thon",
                    file=str(out),
                    field="--out",
                    village_folder=VILLAGE_FOLDER,
                )
            ]
        )


# --- a build in progress ----------------------------------------------------------------------

# Present from a build's first stage until its last: a build killed midway leaves the folder
# marked, and render, pdf, issue and tong-hop refuse it until a build completes.
INCOMPLETE_NAME = ".hoso-dang-lap"
# Held by a build across all its stages (each stage takes the folder's own lock in turn).
BUILD_LOCK_NAME = ".hoso-build.lock"
_building: set[Path] = set()  # the folders this process is building (its stages may run)


@contextmanager
def building(out: Path) -> Iterator[None]:
    """A build's stages running in `out`: the build lock held, the folder marked incomplete
    until the block ends; a stage's refusal (each stage replaces its own set whole) unmarks
    it, a kill or Ctrl+C leaves the mark."""
    with lock.hold(out, name=BUILD_LOCK_NAME):
        atomic_write(out / INCOMPLETE_NAME, f"hoso {__version__}\n".encode())
        key = out.resolve()
        _building.add(key)
        try:
            yield
        except HosoError:
            (out / INCOMPLETE_NAME).unlink(missing_ok=True)
            raise
        finally:
            _building.discard(key)
        (out / INCOMPLETE_NAME).unlink(missing_ok=True)


def clear_incomplete(out: Path) -> bool:
    """Unmark a folder whose stages are all current (a build killed after its last write);
    True when there was a mark to remove. Only `hoso build` calls this, having checked."""
    if not (out / INCOMPLETE_NAME).exists():
        return False
    with lock.hold(out, name=BUILD_LOCK_NAME):
        (out / INCOMPLETE_NAME).unlink(missing_ok=True)
    return True


def incomplete_problems(dossier: Dossier, *, wait: bool = False) -> list[Problem]:
    """Why the output folder must not be used: a build stopped midway (or, without `wait`, one
    running now). With `wait`, a running build is waited for (up to the lock's usual wait)."""
    out = dossier.out
    marker = out / INCOMPLETE_NAME
    if not marker.exists() or out.resolve() in _building:
        return []
    try:
        with lock.hold(out, wait=None if wait else 0, name=BUILD_LOCK_NAME):
            stopped = marker.exists()
    except EnvironmentProblem:
        return [Problem.of("dang-lap", file=str(out), holder=lock.holder(out, BUILD_LOCK_NAME))]
    if not stopped:
        return []
    return [Problem.of("lap-do-dang", file=str(out), dossier=dossier.folder)]


# --- reading an earlier stage's output, refusing it when stale ---------------------------------


def _ingest_hint(dossier: Path, then: str) -> str:
    return f"chạy lại `hoso ingest {dossier}` (cùng --out nếu có), rồi {then}."


def load_data(dossier: Dossier) -> DossierData:
    """OUTDIR/data.json, or an InputError telling the clerk to run ingest first."""
    return data_and_bytes(dossier)[0]


def data_and_bytes(dossier: Dossier) -> tuple[DossierData, bytes]:
    """data.json and the very bytes it was read from (what a record fingerprints)."""
    path = dossier.out / dataset.DATA_NAME
    if path.is_file():
        try:
            loaded = dossier.load(dataset.DATA_NAME, DossierData.from_json)
        except ValueError as exc:
            # json.JSONDecodeError is a ValueError.
            raise InputError(
                [Problem.of("du-lieu-hong", file=str(path), error=exc, dossier=dossier.folder)]
            ) from None
        if loaded is not None:
            return loaded
    raise InputError([Problem.of("chua-nhap-so-lieu", file=str(path), dossier=dossier.folder)])


def data_problems(dossier: Dossier, then: str) -> list[Problem]:
    """Why data.json no longer describes the dossier (workbooks or hoso.toml keys changed
    since ingest); `then` names what to run after ingest."""
    edited, changes = _edited_apart(stale(INGEST, dossier))
    problems = _edited_problems(dossier, edited, "ingest", then)
    if changes:
        problems.append(
            Problem.of(
                "so-lieu-cu",
                file=str(dossier.out / dataset.DATA_NAME),
                hint=_ingest_hint(dossier.folder, then),
                changes="; ".join(str(c) for c in changes),
            )
        )
    return problems


def _edited_apart(changes: list[Change]) -> tuple[list[Change], list[Change]]:
    """The changes that are a stage's own output edited after it wrote it, and the others."""
    edited = [c for c in changes if c.kind in ("edited", "unrecorded")]
    return edited, [c for c in changes if c not in edited]


def _edited_problems(
    dossier: Dossier, edited: list[Change], rerun: str, then: str
) -> list[Problem]:
    return [
        Problem.of(
            "ket-qua-bi-sua",
            file=str(dossier.out / change.file),
            hint="không sửa tay tệp kết quả: sửa ở biểu Excel hoặc hoso.toml, chạy lại "
            f"`hoso {rerun} {dossier.folder}` (cùng --out nếu có), rồi {then}.",
            kind=_KIND_WORDS[change.kind],
        )
        for change in edited
    ]


@dataclass(frozen=True)
class Scoring:
    """A current scorecard with the data it was scored from, and their fingerprints."""

    card: Scorecard
    data: DossierData
    inputs: dict[str, str]  # scorecard.json and data.json -> sha256 of the bytes read


def current_scoring(dossier: Dossier) -> Scoring | None:
    """The scorecard and data in the output folder for the papers with figures, or None
    before `hoso score`; refused (InputError) unless the whole chain workbooks -> data.json ->
    scorecard.json is current."""
    folder, out = dossier.folder, dossier.out
    card_path = out / SCORECARD_NAME
    if not card_path.is_file():
        return None
    # Parsed and fingerprinted from the same bytes, so papers.json never vouches for a file
    # that changed between two reads.
    data, data_bytes = data_and_bytes(dossier)
    try:
        loaded = dossier.load(SCORECARD_NAME, Scorecard.from_json)
        if loaded is None:
            raise ValueError("tệp vừa bị xóa")
        card, card_bytes = loaded
    except ValueError as exc:
        raise InputError(
            [Problem.of("bang-diem-hong", file=str(card_path), value=str(exc), dossier=folder)]
        ) from exc
    card_raw = json.loads(card_bytes.decode("utf-8"))
    problems = data_problems(dossier, f"`hoso score {folder}` và `hoso render {folder}`")
    # Parsed bytes, not the file again: what is printed is what was checked.
    problems += _bytes_problem(dossier, dataset.DATA_NAME, data_bytes, "ingest")
    problems += _bytes_problem(dossier, SCORECARD_NAME, card_bytes, "score")
    problems = list({(p.code, p.file): p for p in problems}.values())
    problems += _sum_problems(card, card_path, folder)
    # Stale data already sends the clerk through score again: one message, the earliest stage.
    changes = [] if problems else _stage_changes(SCORE, dossier, card_raw)
    edited, changes = _edited_apart(changes)
    problems += _edited_problems(dossier, edited, "score", f"`hoso render {folder}`")
    if changes:
        problems.append(
            Problem.of(
                "bang-diem-cu",
                file=str(card_path),
                changes="; ".join(str(c) for c in changes),
                dossier=folder,
            )
        )
    if problems:
        raise InputError(problems)
    inputs = {SCORECARD_NAME: sha256(card_bytes), dataset.DATA_NAME: sha256(data_bytes)}
    return Scoring(card, data, inputs)


def _sum_problems(card: Scorecard, path: Path, dossier: Path) -> list[Problem]:
    """A scorecard whose parts do not add up to its totals is never printed on a paper."""
    return [
        Problem.of("bang-diem-khong-khop", file=str(path), what=what, dossier=dossier)
        for what in card.inconsistencies()
    ]


def inputs_digest(profile: Profile, data: bytes) -> str:
    """scorecard.json's `inputs_digest` (kept for the contract): sha256 of data.json (`data`,
    its bytes), the rule set, the council's overrides, the unit type and the unit's words (its
    labels name them)."""
    digest = hashlib.sha256()
    digest.update(data)
    rule_source = profile.bo_tieu_chi or shipped_path()
    digest.update(rule_source.read_bytes())
    unit = profile.don_vi
    digest.update(repr((unit.loai, profile.dieu_chinh, unit.cap, unit.cap_thon)).encode("utf-8"))
    return digest.hexdigest()


# --- render ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperPlan:
    """Which papers render writes now, which wait for the scorecard, which do not apply."""

    write: list[DocumentSettings]
    waiting: list[DocumentType]
    not_recognized: list[DocumentType]


def paper_plan(
    profile: Profile, recognized: bool | None, codes: list[str] | None = None
) -> PaperPlan:
    """The plan for the profile's papers (`codes` only, if given); `recognized` is None
    before scoring."""
    plan = PaperPlan([], [], [])
    known = catalogue()
    for code in codes if codes is not None else list(known):
        paper = known[code]
        if paper.needs_scorecard and recognized is None:
            plan.waiting.append(paper)
        elif paper.only_if_recognized and recognized is False:
            plan.not_recognized.append(paper)
        else:
            # In scope, so load_profile has refused a profile without [van_ban.<code>].
            plan.write.append(profile.van_ban[code])
    return plan


def template_name(dossier: Path, template: TemplateSource) -> str:
    """How a template is named in records: its dossier path, or `hoso:templates/<name>`."""
    own = dossier / TEMPLATE_FOLDER / template.name
    if template.label == str(own):
        return _dossier_name(dossier, own)
    return f"{SHIPPED}{TEMPLATE_FOLDER}/{template.name}"


def paper_inputs(
    dossier: Path,
    profile_sha: str,
    template: TemplateSource,
    doc: DocumentType,
    scoring_inputs: dict[str, str] | None,
) -> dict[str, str]:
    """What one paper is made from: hoso.toml, its template, and for a paper with figures
    the scorecard and data it printed."""
    inputs = {PROFILE_NAME: profile_sha, template_name(dossier, template): sha256(template.data)}
    if doc.needs_scorecard and scoring_inputs is not None:
        inputs.update(scoring_inputs)
    return inputs


@dataclass(frozen=True)
class PaperRecord:
    sha256: str
    inputs: dict[str, str]


def papers_json(version: str, papers: dict[str, PaperRecord]) -> bytes:
    """papers.json: render's record, one entry per paper in OUTDIR."""
    return _records_json(version, "papers", papers)


def read_papers(dossier: Dossier) -> tuple[str, dict[str, PaperRecord]] | None:
    """papers.json's version and entries, or None when absent or unreadable."""
    return _read_records(dossier, PAPERS_NAME, "papers")


def _records_json(version: str, key: str, records: dict[str, PaperRecord]) -> bytes:
    """papers.json and pdfs.json: each file written, its digest and what it was made from."""
    body = {
        "hoso_version": version,
        key: {
            name: {
                "sha256": rec.sha256,
                "inputs": [{"file": f, "sha256": h} for f, h in sorted(rec.inputs.items())],
            }
            for name, rec in sorted(records.items())
        },
    }
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _read_records(
    dossier: Dossier, name: str, key: str
) -> tuple[str, dict[str, PaperRecord]] | None:
    raw = dossier.json(name)
    if raw is None:
        return None
    try:
        records = {
            str(name): PaperRecord(
                str(entry["sha256"]), {str(i["file"]): str(i["sha256"]) for i in entry["inputs"]}
            )
            for name, entry in dict(raw[key]).items()
        }
    except (KeyError, TypeError, ValueError):
        return None
    return str(raw.get("hoso_version", "")), records


def paper_changes(
    dossier: Dossier, name: str, recorded: PaperRecord | None, now: dict[str, str]
) -> list[Change]:
    """Why one paper in the output folder is not what render would write from `now` inputs."""
    if recorded is None:
        return [Change(name, "missing")]
    on_disk = dossier.sha(name)
    changes = []
    if on_disk is None:
        changes.append(Change(name, "missing"))
    elif on_disk != recorded.sha256:
        changes.append(Change(name, "changed"))
    return changes + _diff(recorded.inputs, now)


def _render_changes(dossier: Dossier) -> list[Change]:
    manifest = read_papers(dossier)
    if manifest is None:
        return [Change(PAPERS_NAME, "missing")]
    version, papers = manifest
    if version != __version__:
        return [Change(TOOL, "changed")]
    profile_sha = dossier.profile_sha() or ""
    # The tables render itself checks: a blank meeting section stops neither render nor this.
    scored = (dossier.out / SCORECARD_NAME).is_file()
    profile = dossier.profile(sections=render_sections(catalogue(), scored))
    card = dossier.json(SCORECARD_NAME)
    scoring_inputs = None
    recognized = None
    if card is not None:
        recognized = bool(card.get("recognized"))
        scoring_inputs = {
            SCORECARD_NAME: dossier.sha(SCORECARD_NAME) or "",
            dataset.DATA_NAME: dossier.sha(dataset.DATA_NAME) or "",
        }
    expected = {doc.type.file: doc.type for doc in paper_plan(profile, recognized).write}
    by_file = {doc.file: doc for doc in catalogue().values()}
    changes: list[Change] = []
    for name in sorted(set(expected) | set(papers)):
        doc = by_file.get(name)
        if doc is None:
            continue
        template = find_template(dossier.folder, doc.file)
        now = paper_inputs(dossier.folder, profile_sha, template, doc, scoring_inputs)
        recorded = papers.get(name)
        if name not in expected and recorded is not None:
            # A paper that no longer applies: its inputs say why, or it must go.
            found = paper_changes(dossier, name, recorded, now)
            changes += found or [Change(name, "changed")]
            continue
        changes += paper_changes(dossier, name, recorded, now)
    return list(dict.fromkeys(changes))


def hand_edited(dossier: Dossier) -> list[str]:
    """The papers in the output folder whose bytes are no longer those render wrote (edited
    in Word)."""
    manifest = read_papers(dossier)
    recorded = manifest[1] if manifest is not None else {}
    return sorted(
        name
        for name, record in recorded.items()
        if (sha := dossier.sha(name)) is not None and sha != record.sha256
    )


def paper_problems(dossier: Dossier) -> list[Problem]:
    """Why the papers in `out` are not what render would write now: the workbooks, data,
    scorecard, hoso.toml or a template changed since (a paper edited in Word after render is
    not stale: it is the clerk's, and `hoso issue` asks about it). [] when current."""
    out, folder = dossier.out, dossier.folder
    edited = set(hand_edited(dossier))
    changes: list[Change] = []
    if (out / dataset.DATA_NAME).is_file():
        changes += stale(INGEST, dossier)
    if (out / SCORECARD_NAME).is_file():
        changes += stale(SCORE, dossier)
    changes += [c for c in stale(RENDER, dossier) if not (c.file in edited and c.kind == "changed")]
    if not changes:
        return []
    return [
        Problem.of(
            "van-ban-cu",
            file=str(out),
            changes="; ".join(str(c) for c in dict.fromkeys(changes)),
            dossier=folder,
        )
    ]


# --- the PDFs ----------------------------------------------------------------------------------


def pdf_name(paper: str) -> str:
    """The PDF beside a paper: `KH-ke-hoach.docx` -> `KH-ke-hoach.pdf`."""
    return str(Path(paper).with_suffix(".pdf"))


def paper_of(pdf: str) -> str:
    """The paper a PDF is made from: `KH-ke-hoach.pdf` -> `KH-ke-hoach.docx`."""
    return str(Path(pdf).with_suffix(".docx"))


def pdfs_json(version: str, pdfs: dict[str, PaperRecord]) -> bytes:
    """pdfs.json: the pdf stage's record, one entry per PDF with the paper it was made from."""
    return _records_json(version, "pdfs", pdfs)


def read_pdfs(dossier: Dossier) -> tuple[str, dict[str, PaperRecord]] | None:
    return _read_records(dossier, PDFS_NAME, "pdfs")


def _pdf_changes(dossier: Dossier) -> list[Change]:
    """Why the PDFs in the output folder are not those of the papers there: a PDF missing or
    edited, a paper changed since its PDF was made, or a PDF left over from a paper that is
    gone."""
    manifest = read_pdfs(dossier)
    if manifest is None:
        return [Change(PDFS_NAME, "missing")]
    version, pdfs = manifest
    if version != __version__:
        return [Change(TOOL, "changed")]
    changes: list[Change] = []
    for doc in catalogue().values():
        paper, pdf = doc.file, pdf_name(doc.file)
        paper_sha, pdf_sha = dossier.sha(paper), dossier.sha(pdf)
        if paper_sha is None:
            if pdf_sha is not None:
                changes.append(Change(paper, "deleted"))  # its PDF must go too
            continue
        recorded = pdfs.get(pdf)
        if recorded is None or pdf_sha is None:
            changes.append(Change(pdf, "missing"))
            continue
        if pdf_sha != recorded.sha256:
            changes.append(Change(pdf, "changed"))
        if recorded.inputs.get(paper) != paper_sha:
            changes.append(Change(paper, "changed"))
    return changes
