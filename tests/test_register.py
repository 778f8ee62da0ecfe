"""The register's schema migrations: from an empty file and from every older version."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.archive.register import (
    MIGRATIONS,
    REGISTER_NAME,
    SCHEMA_VERSION,
    PaperRow,
    Register,
    VersionRow,
    migrate,
)
from pipeline.common.errors import EnvironmentProblem

VERSION = VersionRow("binh-trung-2024", 1, "abc", "2024-11-05T09:00:00+07:00", "lan", "",
                     "940", "ĐẠT", "QĐ 06 (2019.1)", "hoso 0.1.0", "binh-trung-2024/v1",
                     "0" * 64)  # fmt: skip


def _paper(number: int | None, version: int = 1, carried_from: int | None = None) -> PaperRow:
    return PaperRow("binh-trung-2024", version, "BC", "UBND xã Bình Trung, tỉnh Lạng Sơn",
                    "BC-UBND", 2024, number, None, "Báo cáo", "Nông Văn Hùng", "CT", "VT",
                    f"binh-trung-2024/v{version}/BC-ket-qua-danh-gia.docx", "1" * 64,
                    carried_from)  # fmt: skip


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def test_an_empty_file_gets_the_whole_schema(tmp_path: Path) -> None:
    register = Register(tmp_path / "register.sqlite")
    conn = register.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert "carried_from" in _columns(conn, "papers")
    with register.writing():
        register.add_version(VERSION)
        register.add_paper(_paper(1))
    assert register.next_number("UBND xã Bình Trung, tỉnh Lạng Sơn", "BC-UBND", 2024) == 2
    assert register.next_number("UBND xã Bình Trung, tỉnh Lạng Sơn", "BC-UBND", 2025) == 1
    register.close()


@pytest.mark.parametrize("start", range(1, SCHEMA_VERSION))
def test_every_older_register_is_brought_up_to_date(tmp_path: Path, start: int) -> None:
    path = tmp_path / "register.sqlite"
    old = sqlite3.connect(path, isolation_level=None)
    migrate(old, upto=start)
    assert old.execute("PRAGMA user_version").fetchone()[0] == start
    old.execute(
        "INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        tuple(VERSION.__dict__.values()),
    )
    old.execute(
        "INSERT INTO papers (dossier, version, code, agency, symbol, year, number, date, title, "
        "signer, recipients, path, sha256) VALUES (?, 1, 'BC', 'A', 'BC-UBND', 2024, 7, NULL, "
        "'Báo cáo', 'X', 'CT', 'p', 'h')",
        ("binh-trung-2024",),
    )
    old.close()

    register = Register(path)
    assert register.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    (row,) = register.papers()
    assert (row.number, row.carried_from, row.storage) == (7, None, "")
    assert register.versions() == [VERSION]
    # A number already given cannot be given again, except to the same paper carried on.
    with pytest.raises(sqlite3.IntegrityError), register.writing():
        register.conn.execute(
            "INSERT INTO papers (dossier, version, code, agency, symbol, year, number, title, "
            "signer, recipients, path, sha256) VALUES ('d', 2, 'BC', 'A', 'BC-UBND', 2024, 7, "
            "'t', 's', 'r', 'p', 'h')"
        )
    register.close()


def test_a_carried_paper_may_keep_its_number(tmp_path: Path) -> None:
    register = Register(tmp_path / "register.sqlite")
    with register.writing():
        register.add_version(VERSION)
        register.add_version(VersionRow(**{**VERSION.__dict__, "version": 2, "issue_id": "def"}))
        register.add_paper(_paper(1))
        register.add_paper(_paper(1, version=2, carried_from=1))
    with pytest.raises(sqlite3.IntegrityError), register.writing():
        register.add_paper(_paper(1, version=2))
    assert len(register.papers()) == 2  # the failed transaction left nothing
    register.close()


def test_a_register_from_a_newer_hoso_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(EnvironmentProblem, match="phiên bản hoso mới hơn"):
        Register(path)


def test_a_damaged_register_is_an_environment_problem(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(EnvironmentProblem, match="Không mở được sổ đăng ký"):
        Register(path)


def test_processes_opening_a_new_register_at_once_migrate_it_once(tmp_path: Path) -> None:
    # Each process waits for the same instant, then opens the empty archive's register.
    go = tmp_path / "go"
    script = (
        "import sys, time, pathlib\n"
        "from pipeline.archive.register import open_register\n"
        "go = pathlib.Path(sys.argv[1])\n"
        "while not go.exists(): time.sleep(0.005)\n"
        "open_register(pathlib.Path(sys.argv[2])).conn.close()\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go), str(tmp_path)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    time.sleep(0.5)
    go.touch()
    errors = [w.communicate(timeout=60)[1] for w in workers]
    assert [w.returncode for w in workers] == [0] * 6, errors
    conn = sqlite3.connect(tmp_path / REGISTER_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
