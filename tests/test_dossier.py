"""The dossier loaded once (`pipeline.model.dossier`): each file a command needs is read once,
a file changed on disk (by a stage or by hand) is read again, and what a stage wrote is
handed to the next one without reading it back."""

from __future__ import annotations

import builtins
import io
import os
import pickle
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.archive import docxdiff
from pipeline.archive.versions import issue
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.model.dataset import DATA_NAME
from pipeline.model.dossier import Dossier
from pipeline.model.layout import output_folder
from pipeline.model.profile import PROFILE_NAME, load_profile
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.stages import freshness
from pipeline.stages.build import Options, build_many, find_jobs
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.archive_helpers import correct, demo_setup
from tests.conftest import DEMO, ROOT
from tests.helpers import edit, soffice

# The dossier's own files, each parsed at most once per command.
OWN_FILES = (
    PROFILE_NAME,
    DATA_NAME,
    SCORECARD_NAME,
    freshness.WRITTEN_NAME,
    freshness.PAPERS_NAME,
    freshness.PDFS_NAME,
)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each of the dossier's own files is opened for reading (the real
    `open`, counted: pathlib's read_bytes and open go through io.open)."""
    counts: Counter[str] = Counter()
    real = io.open

    def counting(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, str | os.PathLike) and not any(c in mode for c in "wax+"):
            name = Path(os.fspath(file)).name
            if name in OWN_FILES:
                counts[str(name)] += 1
        return real(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)
    monkeypatch.setattr(builtins, "open", counting)
    return counts


@pytest.fixture
def hoso(runner: CliRunner, opened: Counter[str]) -> Callable[..., Counter[str]]:
    """Run one hoso command; the reads it made of each of the dossier's files."""

    def run(*args: str) -> Counter[str]:
        opened.clear()
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return Counter(opened)

    return run


def _read_more_than_once(counts: Counter[str]) -> dict[str, int]:
    return {name: n for name, n in counts.items() if n > 1}


def test_each_command_reads_each_file_once(
    hoso: Callable[..., Counter[str]], dossier: Path, tmp_path: Path
) -> None:
    out = str(tmp_path / "out")
    runs = {
        "build (cold)": hoso("build", str(dossier), "--out", out),
        "build (no-op)": hoso("build", str(dossier), "--out", out),
        "ingest": hoso("ingest", str(dossier), "--out", out),
        "score": hoso("score", str(dossier), "--out", out),
        "render": hoso("render", str(dossier), "--out", out),
        "build (after the stages)": hoso("build", str(dossier), "--out", out),
    }
    assert {cmd: _read_more_than_once(c) for cmd, c in runs.items()} == {cmd: {} for cmd in runs}
    # The counting sees reads: every command reads hoso.toml, a no-op build every record.
    assert all(c[PROFILE_NAME] == 1 for c in runs.values())
    assert {n for n, c in runs["build (no-op)"].items() if c} == {
        PROFILE_NAME, DATA_NAME, SCORECARD_NAME, freshness.WRITTEN_NAME, freshness.PAPERS_NAME
    }  # fmt: skip
    # What a cold build's stages wrote is handed on, never read back from the disk.
    assert set(runs["build (cold)"]) == {PROFILE_NAME}


def test_pdf_and_build_with_pdfs_read_each_file_once(
    hoso: Callable[..., Counter[str]],
    dossier: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOSO_SOFFICE", soffice())
    out = str(tmp_path / "out")
    hoso("build", str(dossier), "--out", out)
    runs = {
        "pdf": hoso("pdf", str(dossier), "--out", out),
        "build --pdf (no-op)": hoso("build", str(dossier), "--out", out, "--pdf"),
    }
    assert {cmd: _read_more_than_once(c) for cmd, c in runs.items()} == {cmd: {} for cmd in runs}
    assert runs["build --pdf (no-op)"][freshness.PDFS_NAME] == 1


def test_a_batch_checks_each_stage_of_an_unchanged_dossier_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("binh-trung-2024", "le-chan-2026"):
        shutil.copytree(ROOT / "inputs" / name, tmp_path / "ho-so" / name)
    jobs, _ = find_jobs([tmp_path / "ho-so"], tmp_path / "out", lambda d: d)
    build_many(jobs, Options(), workers=1)
    checks: Counter[tuple[str, str]] = Counter()
    real = freshness.stale

    def counted(stage: freshness.Stage, dossier: Dossier) -> list[freshness.Change]:
        checks[(dossier.name, stage)] += 1
        return real(stage, dossier)

    monkeypatch.setattr("pipeline.stages.build.stale", counted)
    outcomes = build_many(jobs, Options(), workers=1)
    assert all(o.result is not None and not o.result.ran for o in outcomes)
    # needs_work checked each stage; the build, settled in this process, did not again.
    assert checks == Counter(
        {(job.name, stage): 1 for job in jobs for stage in ("ingest", "score", "render")}
    )


def test_a_stage_hands_what_it_wrote_to_the_next(
    dossier: Path, tmp_path: Path, opened: Counter[str]
) -> None:
    loaded = Dossier(dossier, tmp_path / "out")
    ingest_to(loaded)
    score(loaded)
    opened.clear()
    written = (tmp_path / "out" / DATA_NAME).read_bytes()
    assert loaded.read(DATA_NAME) == written
    assert loaded.sha(SCORECARD_NAME) == freshness.sha256(
        (tmp_path / "out" / SCORECARD_NAME).read_bytes()
    )
    assert freshness.stale(freshness.SCORE, loaded) == []
    # Only the two reads of this test: the dossier kept what ingest and score published.
    assert opened == Counter({DATA_NAME: 1, SCORECARD_NAME: 1})


def test_a_file_changed_on_disk_is_read_again(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    loaded = Dossier(dossier, out)
    ingest_to(loaded)
    score(loaded)
    before = loaded.json(SCORECARD_NAME)
    assert before is not None
    # Edited by hand (in place, as Notepad saves): the dossier sees the edit and
    # written.json's digest no longer vouches for it.
    path = out / SCORECARD_NAME
    path.write_bytes(path.read_bytes().replace(b'"total"', b'"total" ', 1))
    assert loaded.read(SCORECARD_NAME) == path.read_bytes()
    assert freshness.written_changes(freshness.SCORE, loaded) == [
        freshness.Change(SCORECARD_NAME, "edited")
    ]
    with pytest.raises(InputError) as caught:
        render(loaded)
    assert "ket-qua-bi-sua" in {p.code for p in caught.value.problems}
    # A workbook corrected after ingest makes the data stale for the same loaded dossier.
    assert freshness.stale(freshness.INGEST, loaded) == []
    edit(next((dossier / "thon").glob("*.xlsx")), {"D8": 3})
    assert [c.kind for c in freshness.stale(freshness.INGEST, loaded)] == ["changed"]


def test_profile_views_are_validated_from_one_read(
    dossier: Path, tmp_path: Path, opened: Counter[str]
) -> None:
    loaded = Dossier(dossier, tmp_path / "out")
    whole = loaded.profile()
    unit = loaded.profile(sections=("don_vi",))
    assert loaded.profile() is whole
    assert unit.don_vi == whole.don_vi
    assert loaded.profile_sha() == freshness.sha256((dossier / PROFILE_NAME).read_bytes())
    assert opened[PROFILE_NAME] == 2  # the dossier once, the check above once
    # A hoso.toml saved since is read again.
    text = (dossier / PROFILE_NAME).read_text("utf-8")
    (dossier / PROFILE_NAME).write_text(text.replace("Bình Trung", "Bình Trung Mới"), "utf-8")
    assert loaded.profile().don_vi.xa == "Bình Trung Mới"


@pytest.mark.parametrize(
    "broken",
    [
        'nam = "hai nghìn"',  # a bad value: located at its key
        "nam = ",  # not TOML at all: located at its line
    ],
)
def test_profile_problems_are_those_of_load_profile(
    dossier: Path, tmp_path: Path, broken: str
) -> None:
    path = dossier / PROFILE_NAME
    text = path.read_text("utf-8")
    path.write_text(text.replace("nam = ", broken + "\n# ", 1), "utf-8")
    with pytest.raises(InputError) as direct:
        load_profile(dossier, sections=("don_vi",))
    with pytest.raises(InputError) as loaded:
        Dossier(dossier, tmp_path / "out").profile(sections=("don_vi",))
    assert loaded.value.problems == direct.value.problems
    with pytest.raises(InputError) as missing:
        Dossier(tmp_path / "khong-co", tmp_path / "out").profile()
    assert [p.code for p in missing.value.problems] == ["thieu-thu-muc"]


def test_the_dossier_knows_where_its_results_go(tmp_path: Path) -> None:
    loaded = Dossier.open(DEMO, outputs=tmp_path / "outputs", archive=tmp_path / "archive")
    assert loaded.out == output_folder(DEMO, tmp_path / "outputs")
    assert loaded.archive == tmp_path / "archive" / DEMO.name
    assert Dossier(DEMO).out == Path("outputs") / DEMO.name
    staged = loaded.with_out(tmp_path / "staging")
    assert staged.folder == loaded.folder and staged.out == tmp_path / "staging"
    # Sent to a worker process as its folders only: that process reads afresh.
    loaded.profile()
    copy = pickle.loads(pickle.dumps(loaded))
    assert copy == loaded and not copy._files


def test_issue_compares_each_paper_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setup = demo_setup(tmp_path)
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    correct(setup)
    compared: list[int] = []
    real = docxdiff.align

    def counted(a: Any, b: Any) -> Any:
        compared.append(1)
        return real(a, b)

    monkeypatch.setattr(docxdiff, "align", counted)
    second = issue(
        Dossier(setup.dossier, setup.out, archive=setup.archive), reason="thôn sửa số liệu"
    )
    # Whether each paper changed, then what changed for the explanation: one comparison.
    assert len(compared) == len(second.papers) == 5
    assert second.explanation
