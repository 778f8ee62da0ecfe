"""Writing results: all or nothing, no temporary files left behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.common.errors import EnvironmentProblem
from pipeline.files.atomic import atomic_write_all


def test_a_blocked_target_leaves_every_previous_file_whole(tmp_path: Path) -> None:
    first = tmp_path / "KH-ke-hoach.docx"
    first.write_bytes(b"previous plan")
    blocked = tmp_path / "BB-hop-hoi-dong.docx"
    blocked.mkdir()  # stands for a paper that cannot be replaced (open in Word)
    with pytest.raises(EnvironmentProblem) as info:
        atomic_write_all([(first, b"new plan"), (blocked, b"new minutes")])
    assert str(blocked) in info.value.message
    assert first.read_bytes() == b"previous plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == [blocked.name, first.name]


def test_writes_every_file(tmp_path: Path) -> None:
    files = [(tmp_path / "a" / "x.json", b"1"), (tmp_path / "y.xlsx", b"2")]
    atomic_write_all(files)
    assert [p.read_bytes() for p, _ in files] == [b"1", b"2"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "x.json", "y.xlsx"]
