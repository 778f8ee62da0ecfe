"""All-or-nothing output sets and one run per folder, proven with real processes killed by
SIGKILL at every step of a switch, and real concurrent runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.common.errors import EnvironmentProblem
from pipeline.files import lock, outputset
from pipeline.model.dossier import Dossier
from pipeline.stages import freshness
from pipeline.stages.forms import _has_data
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import ROOT

# Runs `hoso ARGS…` with a fault hook: every step of a switch is logged to LOG as
# "<pid> <step>", the process sleeps PAUSE seconds after the step named PAUSE_AT, and
# SIGKILLs itself at step number KILL_AT (0: never).
HOOKED = r"""
import os, signal, sys, time
from pipeline.files import outputset
from pipeline.cli import main

log, kill_at, pause_at, pause = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
count = 0

def hook(step):
    global count
    count += 1
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {step}\n")
    if step == pause_at:
        time.sleep(pause)
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

outputset.fault_hook = hook
sys.argv = ["hoso", *sys.argv[5:]]
main()
"""


def _hooked(
    log: Path, args: list[str], *, kill_at: int = 0, pause_at: str = "", pause: float = 0.0
) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", HOOKED, str(log), str(kill_at), pause_at, str(pause), *args]
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def _returncode(process: subprocess.Popen[str]) -> int:
    _, err = process.communicate(timeout=120)
    assert process.returncode in (0, -signal.SIGKILL), err
    return process.returncode


def _visible(folder: Path) -> dict[str, bytes]:
    """What a clerk sees: every file but the hidden lock."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != lock.LOCK_NAME
    }


def _papers(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.glob("*.docx")} | {
        "papers.json": (out / "papers.json").read_bytes()
    }


# --- the switch ------------------------------------------------------------------------------


def test_publish_replaces_and_removes_as_one_set(tmp_path: Path) -> None:
    with outputset.locked(tmp_path) as folder:
        folder.publish([("a.txt", b"old a"), ("b.txt", b"old b"), ("c.txt", b"old c")])
    with outputset.locked(tmp_path) as folder:
        folder.publish([("a.txt", b"new a"), ("sub/d.txt", b"new d")], remove=["c.txt"])
    assert _visible(tmp_path) == {"a.txt": b"new a", "b.txt": b"old b", "sub/d.txt": b"new d"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        lock.LOCK_NAME,
        "a.txt",
        "b.txt",
        "sub",
    ]


def test_publish_refuses_names_outside_the_folder(tmp_path: Path) -> None:
    with outputset.locked(tmp_path) as folder:
        for bad in ("../x", "/etc/x", "a/../../x"):
            with pytest.raises(ValueError, match="not a relative file name"):
                folder.publish([(bad, b"x")])
    assert _visible(tmp_path) == {}


def test_a_failed_switch_puts_the_old_set_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}
    with outputset.locked(tmp_path) as folder:
        folder.publish(list(old.items()))

    def fail(step: str) -> None:
        # What Windows does when a clerk opens b.txt in Word between the check and the rename.
        if step == "installed b.txt":
            raise PermissionError(13, "Permission denied", str(tmp_path / "b.txt"))

    monkeypatch.setattr(outputset, "fault_hook", fail)
    with outputset.locked(tmp_path) as folder, pytest.raises(EnvironmentProblem) as caught:
        folder.publish([("a.txt", b"new a"), ("b.txt", b"new b"), ("d.txt", b"new d")], ["c.txt"])
    assert "đóng tệp trong Word/Excel rồi chạy lại" in str(caught.value)
    assert _visible(tmp_path) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [lock.LOCK_NAME, *old]


# The script for the switch-level kill test: publish set B over set A.
SWITCH = r"""
import os, signal, sys
from pathlib import Path
from pipeline.files import outputset

folder, kill_at, fail_at = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
count = 0

def hook(step):
    global count
    count += 1
    print(step, flush=True)
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    if step == fail_at:
        raise PermissionError(13, "Permission denied", str(folder / "b.txt"))

outputset.fault_hook = hook
with outputset.locked(folder) as target:
    target.publish([("a.txt", b"new a"), ("b.txt", b"new b"), ("d.txt", b"new d")], ["c.txt"])
"""
OLD = {"a.txt": b"old a", "b.txt": b"old b", "c.txt": b"old c"}
NEW = {"a.txt": b"new a", "b.txt": b"new b", "d.txt": b"new d"}


def _switch(folder: Path, kill_at: int, fail_at: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SWITCH, str(folder), str(kill_at), fail_at],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("fail_at", ["", "installed b.txt"], ids=["forward", "rolling-back"])
def test_a_kill_at_any_step_leaves_the_whole_old_or_the_whole_new_set(
    tmp_path: Path, fail_at: str
) -> None:
    counting = tmp_path / "count"
    with outputset.locked(counting) as folder:
        folder.publish(list(OLD.items()))
    steps = _switch(counting, 0, fail_at).stdout.split("\n")[:-1]
    committed = steps.index("committed") + 1
    # After a failure the switch is undone: from then on a kill must leave the old set.
    undone = steps.index("rolling-back") + 1 if fail_at else len(steps) + 1
    assert undone > committed + 2, steps
    for kill_at in range(1, len(steps) + 1):
        folder_path = tmp_path / f"kill-{kill_at}"
        with outputset.locked(folder_path) as folder:
            folder.publish(list(OLD.items()))
        run = _switch(folder_path, kill_at, fail_at)
        assert run.returncode == -signal.SIGKILL, (kill_at, run.stderr)
        if _visible_set(folder_path) not in (OLD, NEW):
            # A mix is only ever seen with the journal that says how to finish it.
            assert (folder_path / outputset.JOURNAL_NAME).is_file(), steps[kill_at - 1]
        # The next run completes or undoes the switch, and removes what was left behind.
        with outputset.locked(folder_path):
            pass
        expected = NEW if committed <= kill_at < undone else OLD
        assert _visible(folder_path) == expected, steps[kill_at - 1]
        assert sorted(p.name for p in folder_path.iterdir()) == [lock.LOCK_NAME, *expected]


def _visible_set(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in _visible(folder).items() if not k.startswith(".")}


def test_a_render_killed_at_any_step_leaves_a_whole_set(dossier: Path, tmp_path: Path) -> None:
    before = tmp_path / "before"
    ingest_to(Dossier(dossier, before))
    score(Dossier(dossier, before))
    render(Dossier(dossier, before))
    old = _papers(before)
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace('so = ""', "so = 12"), encoding="utf-8"
    )
    # Where the steps are: counted on one run that is not killed.
    log = tmp_path / "steps.log"
    counted = tmp_path / "counted"
    shutil.copytree(before, counted)
    assert _returncode(_hooked(log, ["render", str(dossier), "--out", str(counted)])) == 0
    steps = [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]
    assert steps[:2] == ["staged", "committed"] and len(steps) == 9, steps
    new = _papers(counted)
    assert set(new) == set(old) and all(new[name] != old[name] for name in new)
    for kill_at in range(1, len(steps) + 1):
        out = tmp_path / f"kill-{kill_at}"
        shutil.copytree(before, out)
        killed = _hooked(log, ["render", str(dossier), "--out", str(out)], kill_at=kill_at)
        assert _returncode(killed) == -signal.SIGKILL
        with outputset.locked(out):
            pass
        assert _papers(out) == (new if kill_at >= 2 else old), steps[kill_at - 1]
        assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [lock.LOCK_NAME]


def test_leftovers_of_killed_runs_are_removed_by_the_next_run(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    leftovers = [
        out / ".KH-ke-hoach.docx.k2j3h4g5.tmp",  # a single-file write of an older run
        out / ".data.json.abcd_123.tmp",
        out / f".{outputset.JOURNAL_NAME}.zzzzzzzz.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half")
    generation = out / f"{outputset.GENERATION_PREFIX}q1w2e3r4"
    (generation / "new").mkdir(parents=True)
    (generation / "new" / "KH-ke-hoach.docx").write_bytes(b"staged, never committed")
    keep = out / ".ghi-chu.tmp"  # not a name hoso makes: someone else's file stays
    keep.write_bytes(b"mine")
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".ghi-chu.tmp",
        lock.LOCK_NAME,
    ]
    assert (out / "KH-ke-hoach.docx").read_bytes() != b"staged, never committed"


def test_forms_removes_its_own_leftovers_in_the_village_folder(dossier: Path) -> None:
    stale = dossier / "thon" / ".na-cay.xlsx.a1b2c3d4.tmp"
    stale.write_bytes(b"half")
    runner = CliRunner()
    result = runner.invoke(cli, ["forms", str(dossier), "--force"])
    assert result.exit_code == 0, result.output
    assert not stale.exists()


def test_a_damaged_journal_is_an_environment_problem(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / outputset.JOURNAL_NAME).write_text('{"install": ["../../x"]}', encoding="utf-8")
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 3
    assert f"Lỗi: Không đọc được nhật ký ghi tệp {out / outputset.JOURNAL_NAME}" in result.output
    assert not (out / "KH-ke-hoach.docx").exists()


# --- one run per folder ------------------------------------------------------------------------

HOLD = r"""
import sys, time
from pathlib import Path
from pipeline.files import lock

with lock.hold(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _holder(folder: Path, seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "held\n"
    return process


def test_a_busy_folder_is_refused_after_a_bounded_wait_naming_the_holder(
    runner: CliRunner, dossier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    holder = _holder(out, 60)
    try:
        monkeypatch.setattr(lock, "WAIT_SECONDS", 0.5)
        result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    finally:
        holder.kill()
        holder.communicate()
    assert result.exit_code == 3, result.output
    first = result.output.splitlines()[0]
    assert first.startswith(
        f"Lỗi: Thư mục {out} đang được dùng bởi tiến trình {holder.pid} trên máy "
        f"{socket.gethostname()}, lệnh «-c {out} 60», chạy từ "
    )
    assert "Gợi ý: đã chờ 0.5 giây; đợi lần chạy đó xong rồi chạy lại lệnh." in result.output
    assert not (out / "KH-ke-hoach.docx").exists()


def test_a_killed_holder_leaves_no_lock_behind(tmp_path: Path) -> None:
    holder = _holder(tmp_path, 60)
    with pytest.raises(EnvironmentProblem), lock.hold(tmp_path, wait=0.2):
        pass
    holder.send_signal(signal.SIGKILL)
    holder.communicate()
    start = time.monotonic()
    with lock.hold(tmp_path, wait=5):
        note = json.loads((tmp_path / lock.LOCK_NAME).read_text(encoding="utf-8"))
    assert note["pid"] == os.getpid()
    assert time.monotonic() - start < 5


def test_two_renders_at_once_do_not_interleave(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    log = tmp_path / "steps.log"
    args = ["render", str(dossier), "--out", str(out)]
    # The first pauses inside its switch, so the second surely arrives while it holds the lock.
    first = _hooked(log, args, pause_at="committed", pause=1.5)
    while not log.exists():
        time.sleep(0.02)
    second = _hooked(log, args)
    assert _returncode(first) == 0
    assert _returncode(second) == 0
    pids = [line.split(" ", 1)[0] for line in log.read_text(encoding="utf-8").splitlines()]
    assert pids == sorted(pids, key=[str(first.pid), str(second.pid)].index), pids
    assert set(pids) == {str(first.pid), str(second.pid)}
    assert freshness.stale(freshness.RENDER, Dossier(dossier, out)) == []


def test_forms_force_run_eight_times_at_once(dossier: Path) -> None:
    originals = {p.name: p.read_bytes() for p in (dossier / "thon").iterdir()}
    originals["xa.xlsx"] = (dossier / "xa.xlsx").read_bytes()
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipeline", "forms", str(dossier), "--force"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    for run in runs:
        _out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    backups = sorted(p.name for p in dossier.rglob("*.sao-luu-*"))
    # One backup of each workbook holding figures, made by whichever run came first.
    assert len(backups) == len(originals)
    for name in backups:
        original = name.replace(".sao-luu-1", "")
        assert original in originals, name
        path = next(dossier.rglob(name))
        assert path.read_bytes() == originals[original]
    forms = [p for p in (dossier / "thon").iterdir() if ".sao-luu-" not in p.name]
    assert len(forms) == 12 and all(p.suffix == ".xlsx" and not _has_data(p) for p in forms)
    assert not _has_data(dossier / "xa.xlsx")
