"""`hoso build`: ingest -> score -> render (-> pdf) of one dossier or many, each stage only
when what it read has changed.

The decision is `freshness.stale(stage, dossier)`, taken stage by stage in order and
re-taken after each stage that ran: a stage's record holds the sha256 of the earlier stage's
output, so ingest rewriting data.json is what makes score stale (not a guess that it might
be). Each check is taken once: what `needs_work` found before the build is not taken again.
The pdf stage compares pdfs.json (what each PDF was made from) with the papers there.
An unchanged dossier is only read, never written. Each stage is its library call, in this
process, on the one `Dossier` the build loaded (so a file one stage wrote is not read back
by the next); this module composes the stages and no stage imports it.

Many dossiers are built in worker processes, forked from a fork server that imported hoso
once (spawned on Windows, which has no fork: the code is spawn-safe, work and results are
pickled either way); a worker keeps its imports and module-level caches (catalogues,
indicator and unit tables) from one dossier to the next. A dossier with nothing to do is
settled in the parent, without a worker. A dossier that fails is reported with its problems
and does not stop the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pipeline.common.errors import (
    EXIT_ENVIRONMENT,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EnvironmentProblem,
    HosoError,
    InputError,
    Problem,
)
from pipeline.common.vnformat import number
from pipeline.files.outputset import JOURNAL_NAME, locked
from pipeline.model import scorecard
from pipeline.model.dossier import Dossier
from pipeline.model.layout import find_dossiers, output_folder
from pipeline.model.profile import PROFILE_NAME
from pipeline.papers.unchanged import rewriting_every_paper
from pipeline.stages import freshness, reports
from pipeline.stages.freshness import INGEST, PDF, RENDER, SCORE, Change, Stage, stale
from pipeline.stages.pdf import find_soffice, pdf_dossier
from pipeline.stages.reports import Kind, Message

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.context import BaseContext

Failure = Literal["input", "environment", "internal"]

FORCED = "chạy lại theo yêu cầu (--force)"
NOTHING_CHANGED = "Không có gì thay đổi: kết quả trong {out} đã mới, không chạy lại bước nào."


@dataclass(frozen=True)
class StageRun:
    """A stage that ran (or, in a dry run, would run) and why: `freshness.Change`s as text."""

    stage: Stage
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """The scorecard in the output folder, as printed: total, threshold, the result in the
    papers' words ("đạt" / "chưa đạt")."""

    total: str
    threshold: str
    verdict: str


@dataclass
class BuildResult:
    dossier: Path
    out: Path
    dry_run: bool
    ran: list[StageRun] = field(default_factory=list)  # or that would run, with dry_run
    messages: list[Message] = field(default_factory=list)
    verdict: Verdict | None = None

    @property
    def stages(self) -> list[Stage]:
        return [run.stage for run in self.ran]


Echo = Callable[[Message], None]
# What `stale` said of each stage checked before any stage ran (see `needs_work`).
Checked = dict[Stage, list[Change]]


def build(
    dossier: Dossier,
    *,
    force: bool = False,
    dry_run: bool = False,
    pdf: bool = False,
    echo: Echo | None = None,
    checked: Checked | None = None,
) -> BuildResult:
    """Run the stages of one dossier whose inputs changed (all with `force`; none with
    `dry_run`, which only says what would run and why). Stage errors propagate.
    `checked`: staleness already found for this dossier (by `needs_work`), not checked again."""
    out = dossier.out
    result = BuildResult(dossier.folder, out, dry_run)
    known: Checked = dict(checked or {})

    def say(text: str, kind: Kind = "info") -> None:
        message = Message(text, kind)
        result.messages.append(message)
        if echo is not None:
            echo(message)

    if not dry_run and (out / JOURNAL_NAME).exists():
        # A killed run left a switch half done: complete it before judging what is current.
        with locked(out):
            pass
    with ExitStack() as running:
        if force:
            running.enter_context(rewriting_every_paper())
        for stage in _stages(pdf):
            # What was found before holds until a stage runs; a later stage is then checked
            # anew (what it depends on may just have been rewritten).
            if result.ran and not dry_run:
                known.pop(stage, None)
            if not force and stage not in known:
                known[stage] = stale(stage, dossier)
            reasons = _reasons(
                known.get(stage, []), force=force, dry_run=dry_run, planned=bool(result.ran)
            )
            if not reasons:
                continue
            result.ran.append(StageRun(stage, reasons))
            verb = "Sẽ chạy" if dry_run else "Chạy"
            say(f"{verb} {stage}: {'; '.join(reasons)}", "plan")
            if not dry_run:
                if len(result.ran) == 1:
                    # From the first write to the last, the folder is marked incomplete.
                    running.enter_context(freshness.building(out))
                _RUNNERS[stage](dossier, say)
    _closing_notes(result, dossier, say, pdf=pdf)
    result.verdict = read_verdict(dossier)
    return result


def _closing_notes(result: BuildResult, dossier: Dossier, say: Say, *, pdf: bool) -> None:
    """What the clerk is told once the stages are done: a killed run's set made whole,
    nothing to do, or PDFs older than their papers."""
    out, dry_run = dossier.out, result.dry_run
    if (out / freshness.INCOMPLETE_NAME).exists() and not result.ran:
        # Killed after its last write: every stage is current, the set is whole.
        if dry_run:
            say("Lần chạy trước bị ngắt sau khi đã ghi xong: sẽ đánh dấu kết quả trọn bộ.", "info")
        elif freshness.clear_incomplete(out):
            say("Lần chạy trước bị ngắt sau khi đã ghi xong: kết quả đã trọn bộ.", "info")
    if not result.ran:
        say(NOTHING_CHANGED.format(out=out), "info")
    if not pdf and _has_pdfs(out) and ((dry_run and result.ran) or stale(PDF, dossier)):
        # Whenever PDFs exist: a dry run too, which is where a clerk looks before issuing.
        say(
            "Lưu ý: các bản PDF cũ hơn văn bản Word (hoặc sẽ cũ sau lần chạy này); chạy "
            f"hoso build với --pdf, hoặc `hoso pdf {dossier.folder}`, để lập lại.",
            "warning",
        )


def _stages(pdf: bool) -> list[Stage]:
    return [INGEST, SCORE, RENDER, *([PDF] if pdf else [])]


def _reasons(
    changes: list[Change], *, force: bool, dry_run: bool, planned: bool
) -> tuple[str, ...]:
    if force:
        return (FORCED,)
    reasons = tuple(str(change) for change in changes)
    if not reasons and dry_run and planned:
        # After a real run the re-check is the truth; in a dry run nothing was rewritten, so
        # the earlier stage's new output is foreseen.
        reasons = ("bước trước sẽ chạy lại, kết quả của nó có thể đổi",)
    return reasons


def _has_pdfs(out: Path) -> bool:
    return out.is_dir() and any(out.glob("*.pdf"))


def read_verdict(dossier: Dossier) -> Verdict | None:
    """The scorecard in the output folder, or None before the first score (or when it is
    unreadable)."""
    try:
        card = dossier.parsed(scorecard.SCORECARD_NAME, scorecard.Scorecard.from_json)
    except (OSError, ValueError):
        return None
    if card is None:
        return None
    return Verdict(number(card.total, 2), number(card.threshold), card.result)


# --- the stages, as the single commands report them ------------------------------------------

Say = Callable[[str, Kind], None]


# The stage modules are imported when a stage runs: a build with nothing to do then loads
# no Office library (python-docx, docxtpl, openpyxl), which is most of a no-op's time.
STAGE_MODULES = ("pipeline.stages.ingest", "pipeline.stages.score", "pipeline.stages.render")


def _ingest(dossier: Dossier, say: Say) -> None:
    from pipeline.stages.ingest import ingest_to

    _tell(say, reports.ingest_report(ingest_to(dossier)))


def _score(dossier: Dossier, say: Say) -> None:
    from pipeline.stages.score import score

    _tell(say, reports.score_report(score(dossier)))


def _render(dossier: Dossier, say: Say) -> None:
    from pipeline.stages.render import render

    _tell(say, reports.render_report(render(dossier), dossier.out))


def _pdf(dossier: Dossier, say: Say) -> None:
    _tell(say, reports.pdf_report(pdf_dossier(dossier), dossier.out))


def _tell(say: Say, lines: list[Message]) -> None:
    for line in lines:
        say(line.text, line.kind)


_RUNNERS: dict[Stage, Callable[[Dossier, Say], None]] = {
    INGEST: _ingest,
    SCORE: _score,
    RENDER: _render,
    PDF: _pdf,
}


# --- many dossiers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One dossier of a batch (sent to a worker as its folders: see `Dossier.__getstate__`)."""

    dossier: Dossier

    @property
    def out(self) -> Path:
        return self.dossier.out

    @property
    def name(self) -> str:
        return self.dossier.name


@dataclass(frozen=True)
class Options:
    force: bool = False
    dry_run: bool = False
    pdf: bool = False


@dataclass(frozen=True)
class Outcome:
    """One dossier's build: its result, or why it failed (with the messages up to there)."""

    job: Job
    result: BuildResult | None
    messages: tuple[Message, ...] = ()
    failure: Failure | None = None
    problems: tuple[Problem, ...] = ()
    error: str = ""  # an environment problem or a bug, in words


def find_jobs(
    dirs: Sequence[Path], out: Path | None, default_out: Callable[[Path], Path]
) -> tuple[list[Job], bool]:
    """The dossiers named by `dirs` (a dossier folder, or a folder of dossier folders) with
    their output folders, and whether this is a single dossier named directly.

    One dossier: `out` or `default_out(dossier)`; several: `out/<name>` or `default_out`."""
    unique = find_dossiers(
        dirs,
        hint="chỉ tới thư mục hồ sơ (có hoso.toml) hoặc thư mục chứa các thư mục hồ sơ; tạo "
        "hồ sơ mới bằng `hoso init`.",
    )
    single = len(dirs) == 1 and (dirs[0] / PROFILE_NAME).is_file()
    jobs = [
        Job(Dossier(d, (out if single else output_folder(d, out)) if out else default_out(d)))
        for d in unique
    ]
    problems = _same_outputs(jobs)
    for job in jobs:
        try:
            freshness.check_out(job.dossier)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return jobs, single


def _same_outputs(jobs: list[Job]) -> list[Problem]:
    seen: dict[Path, Job] = {}
    problems = []
    for job in jobs:
        key = job.out.resolve()
        if key in seen:
            problems.append(
                Problem.of(
                    "trung-thu-muc-ket-qua",
                    file=str(job.dossier.folder),
                    out=job.out,
                    first=seen[key].dossier.folder,
                    dossier=job.dossier.folder,
                )
            )
        seen.setdefault(key, job)
    return problems


def build_job(
    job: Job,
    options: Options,
    echo: Echo | None = None,
    *,
    catch_bugs: bool = True,
    checked: Checked | None = None,
) -> Outcome:
    """Build one dossier; its failure becomes the Outcome (top level, so spawn can call it).
    `catch_bugs`: a bug in one dossier of a batch must not hide the others."""
    messages: list[Message] = []

    def keep(message: Message) -> None:
        messages.append(message)
        if echo is not None:
            echo(message)

    try:
        result = build(
            job.dossier,
            force=options.force,
            dry_run=options.dry_run,
            pdf=options.pdf,
            echo=keep,
            checked=checked,
        )
    except InputError as exc:
        return Outcome(job, None, tuple(messages), "input", tuple(exc.problems))
    except EnvironmentProblem as exc:
        return Outcome(job, None, tuple(messages), "environment", error=str(exc))
    except Exception as exc:
        if not catch_bugs:
            raise
        text = f"{type(exc).__name__}: {exc}"
        return Outcome(job, None, tuple(messages), "internal", error=text)
    return Outcome(job, result, tuple(messages))


def needs_work(dossier: Dossier, checked: Checked, *, pdf: bool) -> bool:
    """Whether a build of the dossier would run a stage (or a problem would stop it); what
    each stage checked said is put in `checked`, for the build not to check it again."""
    out = dossier.out
    if (out / JOURNAL_NAME).exists() or (out / freshness.INCOMPLETE_NAME).exists():
        return True
    try:
        for stage in _stages(pdf):
            checked[stage] = stale(stage, dossier)
            if checked[stage]:
                return True
        return False
    except HosoError:
        return True  # the build reports it


def _context() -> BaseContext:
    import multiprocessing  # here: building one dossier starts no process

    # The workers import hoso and its stages once, in a fork server, and are forked from it;
    # where there is no fork (Windows) each worker is spawned and imports them again. Both
    # pickle the work the same way, so the code stays spawn-safe.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, *STAGE_MODULES])
        return context
    return multiprocessing.get_context("spawn")


def default_jobs() -> int:
    """One worker per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def build_many(
    jobs: Sequence[Job],
    options: Options,
    *,
    workers: int | None = None,
    done: Callable[[int, int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Build every job, in `workers` processes (default: one per core); `done(i, n,
    outcome)` as each finishes. The outcomes come back in the order of `jobs`."""
    outcomes: dict[int, Outcome] = {}

    def finished(index: int, outcome: Outcome) -> None:
        outcomes[index] = outcome
        if done is not None:
            done(len(outcomes), len(jobs), outcome)

    pending: list[int] = []
    checks: dict[int, Checked] = {}
    for index, job in enumerate(jobs):
        checked = checks[index] = {}
        if options.force or needs_work(job.dossier, checked, pdf=options.pdf):
            pending.append(index)
        else:
            # Only fingerprints to read: cheaper here than starting a worker for it.
            finished(index, build_job(job, options, checked=checked))
    count = min(workers or default_jobs(), len(pending))
    if count <= 1:
        for index in pending:
            finished(index, build_job(jobs[index], options, checked=checks[index]))
        return [outcomes[i] for i in range(len(jobs))]
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    try:
        pool = ProcessPoolExecutor(count, mp_context=_context())
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không khởi động được các tiến trình chạy song song: {exc.strerror or exc}",
            "chạy lại với --jobs 1.",
        ) from exc
    with pool:
        futures: dict[Future[Outcome], int] = {
            pool.submit(build_job, jobs[i], options, checked=checks[i]): i for i in pending
        }
        for future in as_completed(futures):
            index = futures[future]
            try:
                outcome = future.result()
            except BrokenProcessPool:
                # The worker was killed (out of memory, the system ended it): not this
                # dossier's data; the rest of the pool is gone with it.
                outcome = Outcome(
                    jobs[index],
                    None,
                    failure="environment",
                    error="tiến trình lập hồ sơ bị dừng đột ngột (hết bộ nhớ?); "
                    "chạy lại với --jobs nhỏ hơn",
                )
            finished(index, outcome)
    return [outcomes[i] for i in range(len(jobs))]


def exit_code(outcomes: Sequence[Outcome]) -> int:
    """0 when every dossier built; else the gravest failure: 4 a bug, 3 environment, 1 input."""
    failures = {o.failure for o in outcomes}
    if "internal" in failures:
        return EXIT_INTERNAL
    if "environment" in failures:
        return EXIT_ENVIRONMENT
    return EXIT_INPUT if "input" in failures else 0


# --- what the command prints -----------------------------------------------------------------


def progress_line(index: int, total: int, outcome: Outcome) -> str:
    """`[12/200] phuong-le-chan-2026: 940 điểm, đạt (ingest, score, render)`."""
    return f"[{index}/{total}] {outcome.job.name}: {_state(outcome)}"


def _state(outcome: Outcome) -> str:
    result = outcome.result
    if result is None:
        return _failure_words(outcome)
    v = result.verdict
    verdict = f"{v.total} điểm, {v.verdict}" if v else ""
    return " ".join(x for x in (verdict, f"({_stages_words(result)})") if x)


def _stages_words(result: BuildResult) -> str:
    if not result.ran:
        return "không đổi"
    names = ", ".join(result.stages)
    return f"sẽ chạy {names}" if result.dry_run else f"đã chạy {names}"


def _failure_words(outcome: Outcome) -> str:
    if outcome.failure == "input":
        errors = sum(1 for p in outcome.problems if p.severity == "loi")
        return f"LỖI ({errors} lỗi cần sửa)"
    if outcome.failure == "environment":
        return "LỖI MÔI TRƯỜNG"
    return "LỖI CHƯƠNG TRÌNH"


def details(outcome: Outcome, *, dry_run: bool) -> list[Message]:
    """What a batch prints under a dossier's progress line: its warnings and errors, and in a
    dry run what would run and why."""
    shown = [m for m in outcome.messages if m.kind != "info" and (dry_run or m.kind != "plan")]
    lines = [Message(f"    {m.text}", m.kind) for m in shown]
    for problem in outcome.problems:
        label = "Cảnh báo" if problem.severity == "canh-bao" else "Lỗi"
        lines.append(Message(f"    {label}: {problem}", "error"))
    if outcome.error:
        lines.append(Message(f"    Lỗi: {outcome.error}", "error"))
    return lines


def failure_messages(outcome: Outcome) -> list[Message]:
    """A single dossier's failure, printed like the single commands print theirs."""
    if outcome.failure == "input":
        lines = [
            Message(f"{'Cảnh báo' if p.severity == 'canh-bao' else 'Lỗi'}: {p}", "error")
            for p in outcome.problems
        ]
        errors = sum(1 for p in outcome.problems if p.severity == "loi")
        return [*lines, Message(f"Có {errors} lỗi cần sửa; bước này chưa ghi tệp nào.", "error")]
    if outcome.failure == "environment":
        return [Message(f"Lỗi: {outcome.error}", "error")]
    return [
        Message(f"Lỗi chương trình (không phải do số liệu của bạn): {outcome.error}", "error"),
        Message(
            "Gợi ý: các tệp kết quả trước đó vẫn nguyên vẹn; gửi thông báo này cùng lệnh đã "
            "chạy cho người hỗ trợ kỹ thuật.",
            "error",
        ),
    ]


def table_lines(outcomes: Sequence[Outcome]) -> list[str]:
    """The closing table: dossier, total, threshold, verdict, what happened."""
    header = ("Hồ sơ", "Tổng điểm", "Ngưỡng", "Kết quả", "Tình trạng")
    rows = []
    for o in outcomes:
        v = o.result.verdict if o.result else None
        state = _stages_words(o.result) if o.result else _failure_words(o)
        rows.append((o.job.name, v.total if v else "-", v.threshold if v else "-",
                     v.verdict if v else "-", state))  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()

    failed = sum(1 for o in outcomes if o.failure)
    summary = f"{len(outcomes)} hồ sơ, {len(outcomes) - failed} xong, {failed} lỗi."
    return [line(header), line(tuple("-" * w for w in widths)), *map(line, rows), summary]


# --- the command -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RunReport:
    outcomes: list[Outcome]
    exit_code: int


def run(
    dirs: Sequence[Path],
    *,
    out: Path | None,
    default_out: Callable[[Path], Path],
    options: Options,
    workers: int | None = None,
    echo: Echo,
) -> RunReport:
    """`hoso build DIR…`: one dossier named directly prints every stage's report as the
    single commands do; several print a line per finished dossier, then a table.
    Problems of the whole run (no dossier found, LibreOffice missing) are raised."""
    jobs, single = find_jobs(dirs, out, default_out)
    if options.pdf and not options.dry_run:
        find_soffice()  # missing is the whole run's environment problem, found before any work
    if single:
        # The stages' lines are shown as they come; a bug propagates (exit 4 on the command line).
        outcome = build_job(jobs[0], options, echo, catch_bugs=False)
        if outcome.failure:
            for message in failure_messages(outcome):
                echo(message)
        return RunReport([outcome], exit_code([outcome]))

    said: set[str] = set()

    def done(index: int, total: int, outcome: Outcome) -> None:
        echo(Message(progress_line(index, total, outcome)))
        for message in details(outcome, dry_run=options.dry_run):
            # A notice about this machine (the PDF font) is the same for every dossier.
            if message.text.lstrip().startswith("Lưu ý:") and message.text in said:
                continue
            said.add(message.text)
            echo(message)

    outcomes = build_many(jobs, options, workers=workers, done=done)
    echo(Message(""))
    for text in table_lines(outcomes):
        echo(Message(text))
    return RunReport(outcomes, exit_code(outcomes))
