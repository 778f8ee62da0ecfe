"""What a run leaves when it is killed or its temporary folder is full (issue 18, item 7):
the tracked-changes comparer dies with hoso, its files go in one folder of the run that the
next run removes, a full temporary folder is named as such, and a refused first issue
creates nothing in a new archive."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.archive.versions import issue
from pipeline.cli import cli
from tests.archive_helpers import Setup, build, correct, demo_setup
from tests.conftest import DEMO, ROOT

POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and limits")


@pytest.fixture
def two(tmp_path: Path) -> Setup:
    """The demo issued once, then corrected and rebuilt: the next issue compares papers."""
    setup = demo_setup(tmp_path)
    issue(setup.dossier, setup.out, setup.archive)
    correct(setup)
    return setup


def _hoso(setup: Setup, *args: str) -> list[str]:
    return [*args, "--out", str(setup.out), "--archive", str(setup.archive)]


def _env(temporary: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(temporary), "HOSO_REDLINE": "redlines"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else ""
        for p in sorted(folder.rglob("*"))
    }


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    # A killed orphan may linger as a zombie until init reaps it: it runs no more.
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z"


# `hoso ARGS…` that stops itself once the comparer runs (pipeline.archive.redliners' fault
# hook), after noting the comparer's pid: SIGKILL, as a power cut or the task manager would,
# or SIGINT, as Ctrl+C.
STOPPED_COMPARING = r"""
import os, signal, sys, time
from pipeline.archive import redliners
from pipeline.cli import main

note, how = sys.argv[1], getattr(signal, sys.argv[2])

def hook(proc):
    with open(note, "w") as f:
        f.write(str(proc.pid))
    time.sleep(0.3)  # the comparer is started and at work
    os.kill(os.getpid(), how)

redliners.fault_hook = hook
sys.argv = ["hoso", *sys.argv[3:]]
main()
"""


@POSIX_ONLY
def test_ctrl_c_while_comparing_exits_130_and_cleans_up_at_once(two: Setup, tmp_path: Path) -> None:
    temporary = tmp_path / "tam"
    temporary.mkdir()
    note = tmp_path / "comparer"
    command = [sys.executable, "-c", STOPPED_COMPARING, str(note), "SIGINT"]
    command += _hoso(two, "issue", str(two.dossier), "--reason", "Thôn sửa số liệu")
    done = subprocess.run(
        command, cwd=ROOT, env=_env(temporary), capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 130, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert _gone(int(note.read_text()))
    # Interrupted, not killed: hoso removed its own folder and its half-built version.
    assert list(temporary.iterdir()) == []
    assert sorted(p.name for p in (two.archive / two.dossier.name).iterdir()) == ["v1"]


@POSIX_ONLY
def test_issue_killed_while_comparing_leaves_nothing_after_the_next_run(
    two: Setup, tmp_path: Path
) -> None:
    temporary = tmp_path / "tam"
    temporary.mkdir()
    note = tmp_path / "comparer"
    archive_before = _tree(two.archive)
    args = _hoso(two, "issue", str(two.dossier), "--reason", "Thôn sửa số liệu")
    command = [sys.executable, "-c", STOPPED_COMPARING, str(note), "SIGKILL", *args]
    killed = subprocess.run(
        command,
        cwd=ROOT,
        env=_env(temporary),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The comparer dies with hoso (parent-death signal), within moments.
    comparer = int(note.read_text())
    deadline = time.monotonic() + 10
    while not _gone(comparer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(comparer)
    # The killed run could not clean up: its one folder holds the papers it compared.
    left = list(temporary.iterdir())
    assert [p.name.startswith("hoso-so-sanh-") for p in left] == [True], left
    assert any(p.suffix == ".docx" for p in left[0].iterdir())

    again = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=ROOT, env=_env(temporary), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    # The next run removed what the killed one left, and its own folder: nothing remains
    # (no .docx, no folder, no dotnet-diagnostic socket).
    assert list(temporary.iterdir()) == []
    assert sorted(p.name for p in (two.archive / two.dossier.name).iterdir()) == ["v1", "v2"]
    assert (two.archive / two.dossier.name / "v2" / "thay-doi").is_dir()
    # Version 1 as it was (only the register gained rows).
    after = _tree(two.archive)
    assert {k: after[k] for k in archive_before if k != "register.sqlite"} == {
        k: v for k, v in archive_before.items() if k != "register.sqlite"
    }


def test_a_folder_a_live_run_holds_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.files import scratch

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)  # TMPDIR read again
    dead = tmp_path / "hoso-so-sanh-chet"
    dead.mkdir()
    (dead / "1-cu.docx").write_bytes(b"x")
    with scratch.run_folder("hoso-so-sanh-", "để so sánh văn bản") as mine:
        (mine / "1-cu.docx").write_bytes(b"y")
        assert not dead.exists()
        # A second run at the same time keeps the folder the first one holds.
        with scratch.run_folder("hoso-so-sanh-", "để so sánh văn bản") as other:
            assert mine.is_dir() and other != mine
        assert not other.exists()
        assert (mine / "1-cu.docx").read_bytes() == b"y"
    assert list(tmp_path.iterdir()) == []


# --- a full temporary folder ------------------------------------------------------------------

# Inside a user and mount namespace of its own (no privilege needed where the kernel allows
# them): a 64 KiB tmpfs as TMPDIR, filled but for 4 pages, then `hoso ARGS…`. The probe
# write of Python's tempfile and hoso's lock note fit; a paper to compare (tens of KiB) does
# not: the write fails with ENOSPC, a real full file system.
FULL = 'mount -t tmpfs -o size=64k tmpfs "$0" && head -c 49152 /dev/zero > "$0/day" && exec "$@"'


def _namespaces_work(where: Path) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run(
        [unshare, "-r", "-m", "sh", "-c", FULL, str(where), "true"],
        capture_output=True, check=False,
    )  # fmt: skip
    return probe.returncode == 0


@POSIX_ONLY
def test_a_full_temporary_folder_is_named_as_such(two: Setup, tmp_path: Path) -> None:
    temporary = tmp_path / "tam"
    temporary.mkdir()
    if not _namespaces_work(temporary):
        if os.environ.get("CI"):
            pytest.fail("the CI runner must allow `unshare -r -m` (a user-mounted tmpfs)")
        pytest.skip("this kernel refuses user namespaces: no tmpfs can be mounted here")
    before = _tree(two.archive)
    args = _hoso(two, "issue", str(two.dossier), "--reason", "Thôn sửa số liệu")
    inside = ["unshare", "-r", "-m", "sh", "-c", FULL, str(temporary)]
    done = subprocess.run(
        [*inside, sys.executable, "-m", "pipeline", *args],
        cwd=ROOT, env=_env(temporary), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 3, said
    assert "Traceback" not in said
    assert f"Thư mục tạm {temporary} đã đầy, không ghi được tệp để so sánh văn bản" in said
    assert "giải phóng chỗ trống" in said
    assert _tree(two.archive) == before


def _limit_file_size() -> None:
    limit = 16 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@POSIX_ONLY
def test_a_file_over_the_size_limit_is_not_called_a_full_folder(two: Setup, tmp_path: Path) -> None:
    # The nearest real thing where no file system can be filled: the kernel refuses a write
    # past RLIMIT_FSIZE (EFBIG; Python ignores SIGXFSZ). `diff --docx` writes nothing before
    # it hands the papers to the comparer, whose copies (tens of KiB) pass the limit.
    temporary = tmp_path / "tam"
    temporary.mkdir()
    args = _hoso(two, "diff", str(two.dossier), "1", "hien-tai", "--docx")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=ROOT, env=_env(temporary), capture_output=True, text=True, timeout=300, check=False,
        preexec_fn=_limit_file_size,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 3, said
    assert "Traceback" not in said
    assert "tệp vượt cỡ tối đa hệ thống cho phép" in said
    assert "ulimit -f" in said
    assert "đã đầy" not in said
    assert not (two.out / "thay-doi").exists()
    assert list(temporary.iterdir()) == []


# --- a refused first issue creates nothing ---------------------------------------------------


def _edit_paper(path: Path) -> None:
    import docx

    document = docx.Document(str(path))
    document.add_paragraph("Dòng thêm bằng Word.")
    document.save(str(path))


@pytest.mark.parametrize("archive_was", ["absent", "empty"])
@pytest.mark.parametrize("refusal", ["sua-tay", "pdf-cu", "cap-so"])
def test_a_refused_first_issue_leaves_the_archive_as_it_was(
    tmp_path: Path, archive_was: str, refusal: str
) -> None:
    setup = demo_setup(tmp_path)
    if archive_was == "empty":
        setup.archive.mkdir()
    if refusal == "sua-tay":  # a paper edited in Word, issued without the flag
        _edit_paper(setup.out / "KH-ke-hoach.docx")
        args = ["issue", str(setup.dossier)]
    elif refusal == "pdf-cu":  # a PDF not made from its paper
        (setup.out / "KH-ke-hoach.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
        args = ["issue", str(setup.dossier)]
    else:  # numbers asked for while a paper was edited by hand (numbering re-renders it)
        _edit_paper(setup.out / "KH-ke-hoach.docx")
        args = ["issue", str(setup.dossier), "--assign-numbers"]
    result = CliRunner().invoke(
        cli, [*args, "--out", str(setup.out), "--archive", str(setup.archive)]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    if archive_was == "absent":
        assert not setup.archive.exists()
    else:
        assert list(setup.archive.iterdir()) == []


def test_a_refused_issue_of_a_new_dossier_leaves_no_folder(tmp_path: Path) -> None:
    # The archive has a register (another dossier was issued); this dossier's first issue
    # is refused: no empty folder of it is left.
    setup = demo_setup(tmp_path)
    other = tmp_path / "khac" / "xa-khac-2024"
    shutil.copytree(DEMO, other)
    build(other, tmp_path / "khac" / "outputs")
    issue(other, tmp_path / "khac" / "outputs", setup.archive)
    assert sorted(p.name for p in setup.archive.iterdir()) == ["register.sqlite", "xa-khac-2024"]
    before = _tree(setup.archive)
    _edit_paper(setup.out / "KH-ke-hoach.docx")
    result = CliRunner().invoke(
        cli, ["issue", str(setup.dossier), "--out", str(setup.out), "--archive", str(setup.archive)]
    )
    assert result.exit_code == 1, result.output
    assert _tree(setup.archive) == before
