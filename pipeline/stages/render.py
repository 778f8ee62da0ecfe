"""`hoso render`: fill the Word templates from the dossier and write the papers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.common.errors import InputError, Problem
from pipeline.files.atomic import docx_bytes, set_core_properties
from pipeline.files.outputset import locked
from pipeline.model.documents import catalogue, render_sections
from pipeline.model.dossier import Dossier
from pipeline.model.profile import DocumentSettings, Profile
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.model.units import Words
from pipeline.papers.context import document_context, score_context
from pipeline.papers.readback import check_document
from pipeline.papers.template_source import TemplateSource, find_template
from pipeline.papers.templating import fill_template, template_reads
from pipeline.papers.unchanged import known_paper, paper_key, remember_paper
from pipeline.stages import freshness
from pipeline.stages.init import stale_defaults


def render_document(
    template: TemplateSource, context: dict[str, Any], properties: dict[str, Any]
) -> bytes:
    """Render one template into deterministic .docx bytes, or raise InputError naming it.
    The filled document is read back (`readback`) before anyone may write it."""
    document = fill_template(template, context)
    set_core_properties(document, **properties)
    check_document(document, template, context)
    return docx_bytes(document)


def _properties(profile: Profile, doc: DocumentSettings) -> dict[str, Any]:
    # Derived from the inputs, never the clock, so re-rendering gives identical bytes.
    day = doc.ngay or date(profile.don_vi.nam, 1, 1)
    return {
        "title": f"{doc.type.name} - {doc.type.symbol}",
        "subject": f"Đánh giá {profile.don_vi.cap} phù hợp với trẻ em năm {profile.don_vi.nam}",
        "author": f"Ủy ban nhân dân {profile.don_vi.cap} {profile.don_vi.xa}",
        "when": datetime(day.year, day.month, day.day),
    }


@dataclass(frozen=True)
class RenderResult:
    # The papers of this run; one render would write with the same bytes is left in place.
    written: list[Path]
    removed: list[Path]  # papers of an earlier run that no longer apply (a request now "không đạt")
    waiting: list[str]  # papers that need `hoso score` first
    not_recognized: list[str]  # papers written only for a recognised commune
    words: Words  # how the messages name the unit
    # Other papers of an earlier run whose inputs changed or are gone (e.g. the scorecard).
    outdated: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # e.g. a section left to write by hand


# The scorecard as JSON and the data totals: what the papers' figures come from.
Scoring = tuple[dict[str, Any], dict[str, Any]]


def _figures(scoring: freshness.Scoring | None) -> Scoring | None:
    if scoring is None:
        return None
    return scoring.card.to_json(), dict(scoring.data.to_json()["totals"])


def load_scoring(dossier: Dossier) -> Scoring | None:
    """The scorecard and the data totals for the papers that need them, or None before
    `hoso score`. Refused unless workbooks -> data.json -> scorecard.json are all current:
    a paper must never print figures other than the current ones."""
    return _figures(freshness.current_scoring(dossier))


def paper_context(
    profile: Profile, doc: DocumentSettings, scoring: Scoring | None
) -> dict[str, Any]:
    """Every variable of one paper's template: profile, document and, once scored, results."""
    context = document_context(profile, doc)
    if scoring is not None:
        context.update(score_context(profile, *scoring))
    return context


def render(
    dossier: Dossier,
    *,
    codes: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
    numbers: Mapping[str, int] | None = None,
) -> RenderResult:
    """Write the dossier's papers into its output folder; every template problem is reported
    together.

    Papers that need the scorecard are written once `hoso score` has put scorecard.json in
    the output folder; the request for recognition only when the commune is recognised. The
    papers and papers.json (what each was made from) replace the previous set as a whole; a
    paper of the previous set that is not rewritten stays only while its inputs are unchanged.
    `numbers` (code -> number) overrides hoso.toml's `so`: `hoso issue` stamps the numbers
    it gives.
    """
    freshness.check_out(dossier)
    out = dossier.out
    # Only what the papers to be written read is checked: the plan and the decision go out
    # before the council meets, so a blank meeting section stops neither.
    wanted = list(codes) if codes is not None else list(catalogue())
    sections = render_sections(wanted, scored=(out / SCORECARD_NAME).is_file())
    # Fingerprinted before validating: an edit during the run makes papers.json look stale.
    profile_sha = dossier.profile_sha() or ""
    profile = dossier.profile(sections=sections)
    unfinished = freshness.incomplete_problems(dossier)
    if unfinished:
        raise InputError(unfinished)
    with locked(out) as folder:
        scoring = freshness.current_scoring(dossier)
        figures = _figures(scoring)
        recognized = None if scoring is None else scoring.card.recognized
        plan = freshness.paper_plan(profile, recognized, wanted)
        scoring_inputs = None if scoring is None else scoring.inputs
        problems: list[Problem] = []
        rendered: list[tuple[str, bytes]] = []
        papers: list[str] = []  # this run's papers, rewritten or left as they are
        records: dict[str, freshness.PaperRecord] = {}
        warnings: list[Problem] = []
        earlier = _current_records(dossier)
        for planned in plan.write:
            code = planned.type.code
            doc = replace(planned, so=numbers[code]) if numbers and code in numbers else planned
            template = find_template(profile.folder, doc.type.file)
            inputs = freshness.paper_inputs(
                dossier.folder, profile_sha, template, doc.type, scoring_inputs
            )
            context, properties = paper_context(profile, doc, figures), _properties(profile, doc)
            try:
                sha, data = _fill(
                    dossier, doc.type.file, template, context, properties, earlier=earlier
                )
            except InputError as exc:
                problems += exc.problems
                continue
            if data is not None:
                rendered.append((doc.type.file, data))
            papers.append(doc.type.file)
            records[doc.type.file] = freshness.PaperRecord(sha, inputs)
            warnings += _empty_sections(profile, doc)
        if problems:
            raise InputError(problems)
        # A default hoso init wrote for another kind of unit (cap or cap_thon changed since).
        warnings += stale_defaults(profile, [p.type.code for p in plan.write])
        kept, gone = _earlier_papers(
            dossier=dossier,
            profile=profile,
            profile_sha=profile_sha,
            scoring_inputs=scoring_inputs,
            written=records,
        )
        records.update(kept)
        manifest = freshness.papers_json(__version__, records)
        # Only once every paper rendered: a failure above leaves the previous set untouched.
        published = [*rendered, (freshness.PAPERS_NAME, manifest)]
        folder.publish(published, remove=gone)
        dossier.wrote(published, removed=gone)
    for name in papers:
        if progress:
            progress(str(out / name))
    refused = [t.file for t in plan.not_recognized]
    return RenderResult(
        written=[out / name for name in papers],
        removed=[out / name for name in gone if name in refused],
        waiting=[t.file for t in plan.waiting],
        not_recognized=refused,
        words=profile.don_vi.words,
        outdated=[out / name for name in gone if name not in refused],
        warnings=warnings,
    )


def _fill(
    dossier: Dossier,
    name: str,
    template: TemplateSource,
    context: dict[str, Any],
    properties: dict[str, Any],
    *,
    earlier: dict[str, freshness.PaperRecord],
) -> tuple[str, bytes | None]:
    """The paper's sha256, and its new bytes unless the one in place is what filling the
    template would give again (then None: it is left as it is)."""
    key = paper_key(template, template_reads(template), context, properties)
    sha = _same_paper(dossier, name, earlier.get(name), key)
    if sha is not None:
        return sha, None
    data = render_document(template, context, properties)
    sha = freshness.sha256(data)
    remember_paper(key, sha)
    return sha, data


def _current_records(dossier: Dossier) -> dict[str, freshness.PaperRecord]:
    """papers.json's records when this version of hoso wrote it, else none."""
    manifest = freshness.read_papers(dossier)
    return manifest[1] if manifest is not None and manifest[0] == __version__ else {}


def _same_paper(
    dossier: Dossier, name: str, recorded: freshness.PaperRecord | None, key: str
) -> str | None:
    """The sha256 of the paper `name` in the output folder when it is what rendering `key`
    gives (see `papers.unchanged`) and has the bytes papers.json recorded (not edited by
    hand)."""
    if recorded is None or known_paper(key) != recorded.sha256:
        return None
    return recorded.sha256 if dossier.sha(name) == recorded.sha256 else None


def _earlier_papers(
    *,
    dossier: Dossier,
    profile: Profile,
    profile_sha: str,
    scoring_inputs: dict[str, str] | None,
    written: dict[str, freshness.PaperRecord],
) -> tuple[dict[str, freshness.PaperRecord], list[str]]:
    """Papers already in `out` that this run did not write: those still current are kept
    (a run limited to some papers), every other one is removed, so the folder never holds
    a paper whose inputs have changed."""
    out = dossier.out
    manifest = freshness.read_papers(dossier)
    version, recorded = manifest if manifest is not None else ("", {})
    kept: dict[str, freshness.PaperRecord] = {}
    gone: list[str] = []
    for code, doc in catalogue().items():
        name = doc.file
        if name in written or not (out / name).exists():
            continue
        record = recorded.get(name)
        if record is not None and version == __version__ and code in profile.van_ban:
            template = find_template(profile.folder, name)
            now = freshness.paper_inputs(dossier.folder, profile_sha, template, doc, scoring_inputs)
            if not freshness.paper_changes(dossier, name, record, now):
                kept[name] = record
                continue
        gone.append(name)
    return kept, gone


def _empty_sections(profile: Profile, doc: DocumentSettings) -> list[Problem]:
    """A warning for each free-text section the paper prints that the profile leaves empty."""
    texts = {
        f"bao_cao.{name}": getattr(profile.bao_cao, name)
        for name in ("dac_diem", "kho_khan", "de_xuat")
    }
    return [
        Problem.of("de-trong", file=str(profile.path), field=key, name=doc.type.name)
        for key in doc.type.free_text
        if not texts.get(key)
    ]
