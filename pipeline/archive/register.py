"""The register of issued papers (sổ đăng ký văn bản đi): an SQLite file in the archive.

One row per version of a dossier and one per paper of each version. The schema grows by
numbered migrations recorded in `PRAGMA user_version`; a register written by a newer
hoso is refused rather than guessed at. Writers take the database's write lock first
(`BEGIN IMMEDIATE`), so two issues of the same archive run one after the other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.model.layout import ARCHIVE

REGISTER_NAME = "register.sqlite"
DEFAULT_ARCHIVE = ARCHIVE

# Never edit a migration once released: add the next one.
MIGRATIONS: tuple[str, ...] = (
    # 1: versions and their papers.
    """
    CREATE TABLE versions (
        dossier TEXT NOT NULL,
        version INTEGER NOT NULL,
        issue_id TEXT NOT NULL UNIQUE,
        issued_at TEXT NOT NULL,
        user TEXT NOT NULL,
        reason TEXT NOT NULL,
        total TEXT,
        verdict TEXT,
        rule_set TEXT,
        tool TEXT NOT NULL,
        path TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        PRIMARY KEY (dossier, version)
    );
    CREATE TABLE papers (
        id INTEGER PRIMARY KEY,
        dossier TEXT NOT NULL,
        version INTEGER NOT NULL,
        code TEXT NOT NULL,
        agency TEXT NOT NULL,
        symbol TEXT NOT NULL,
        year INTEGER NOT NULL,
        number INTEGER,
        date TEXT,
        title TEXT NOT NULL,
        signer TEXT NOT NULL,
        recipients TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        superseded_by INTEGER,
        FOREIGN KEY (dossier, version) REFERENCES versions (dossier, version)
    );
    """,
    # 2: a paper carried unchanged into a later version keeps its number; a number given to
    # an issued paper is never given again, whatever happens to that paper afterwards.
    """
    ALTER TABLE papers ADD COLUMN carried_from INTEGER;
    ALTER TABLE papers ADD COLUMN storage TEXT NOT NULL DEFAULT '';
    CREATE UNIQUE INDEX papers_number ON papers (agency, symbol, year, number)
        WHERE number IS NOT NULL AND carried_from IS NULL;
    """,
    # 3: a paper edited in Word after hoso made it, issued knowingly (--chap-nhan-sua-tay).
    """
    ALTER TABLE papers ADD COLUMN hand_edited INTEGER NOT NULL DEFAULT 0;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class PaperRow:
    """One paper of one version, as the register records it."""

    dossier: str
    version: int
    code: str
    agency: str
    symbol: str  # "KH-UBND"
    year: int
    number: int | None
    date: str | None  # ISO date printed on the paper; None: written by hand
    title: str  # kind and summary line: "Kế hoạch thực hiện …"
    signer: str
    recipients: str  # one per line
    storage: str  # the filing unit of "Lưu: VT"
    path: str  # relative to the archive root
    sha256: str
    carried_from: int | None = None  # the version whose unchanged paper this is
    superseded_by: int | None = None
    hand_edited: bool = False  # edited in Word after hoso made it, issued knowingly

    @property
    def number_symbol(self) -> str:
        """ "05/KH-UBND", or "/KH-UBND" before a number is given."""
        number = "" if self.number is None else f"{self.number:02d}"
        return f"{number}/{self.symbol}"


@dataclass(frozen=True)
class VersionRow:
    dossier: str
    version: int
    issue_id: str
    issued_at: str
    user: str
    reason: str
    total: str | None
    verdict: str | None
    rule_set: str | None
    tool: str
    path: str
    manifest_sha256: str


_PAPER_COLUMNS = (
    "dossier, version, code, agency, symbol, year, number, date, title, signer, recipients, "
    "storage, path, sha256, carried_from, superseded_by, hand_edited"
)
_VERSION_COLUMNS = (
    "dossier, version, issue_id, issued_at, user, reason, total, verdict, rule_set, tool, path, "
    "manifest_sha256"
)


def migrate(conn: sqlite3.Connection, upto: int = SCHEMA_VERSION) -> None:
    """Bring the schema to version `upto`, one migration per transaction."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise EnvironmentProblem(
            f"Sổ đăng ký {REGISTER_NAME} do phiên bản hoso mới hơn ghi "
            f"(lược đồ {current}, bản này biết đến {SCHEMA_VERSION})",
            "cập nhật hoso rồi chạy lại.",
        )
    for number in range(current + 1, upto + 1):
        # Under the write lock, the version is read again: two processes opening a new
        # register at once must not both run the same migration.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if int(conn.execute("PRAGMA user_version").fetchone()[0]) < number:
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script, one by one (in one transaction, which
    `executescript` would commit first)."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                statements.append(pending.strip())
            pending = ""
    return statements


class Register:
    """An open register; use `writing()` for a transaction holding the write lock.
    `read_only`: opened without any write (no creation, no migration): `verify`, `history`,
    `diff` and the book never change the file they check."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.columns = _PAPER_COLUMNS
        if read_only:
            self._open_read_only(path)
            return
        try:
            # isolation_level=None: transactions are ours (BEGIN IMMEDIATE), not the module's.
            self.conn = sqlite3.connect(path, timeout=120, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise EnvironmentProblem(
                f"Không mở được sổ đăng ký {path}: {exc}", "kiểm tra quyền ghi của thư mục."
            ) from exc
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA synchronous = FULL")
            migrate(self.conn)
        except BaseException as exc:
            self.conn.close()
            if not isinstance(exc, sqlite3.DatabaseError):
                raise
            raise EnvironmentProblem(
                f"Không mở được sổ đăng ký {path}: {exc}",
                "kiểm tra tệp (có thể đã hỏng: khôi phục từ bản sao lưu) và quyền ghi.",
            ) from exc

    def _open_read_only(self, path: Path) -> None:
        try:
            self.conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=120, isolation_level=None
            )
        except sqlite3.DatabaseError as exc:
            raise EnvironmentProblem(
                f"Không mở được sổ đăng ký {path}: {exc}", "kiểm tra quyền đọc của thư mục."
            ) from exc
        try:
            schema = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
            have = {row[1] for row in self.conn.execute("PRAGMA table_info(papers)")}
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise damaged(path, f"không phải tệp SQLite ({exc})") from exc
        if schema > SCHEMA_VERSION:
            self.conn.close()
            raise EnvironmentProblem(
                f"Sổ đăng ký {REGISTER_NAME} do phiên bản hoso mới hơn ghi "
                f"(lược đồ {schema}, bản này biết đến {SCHEMA_VERSION})",
                "cập nhật hoso rồi chạy lại.",
            )
        if schema < 1 or not {"versions", "papers"} <= tables:
            self.conn.close()
            raise damaged(path, "tệp rỗng hoặc không có các bảng của sổ đăng ký")
        # An older register lacks the later columns: read them as their defaults.
        defaults = {"carried_from": "NULL", "storage": "''", "hand_edited": "0"}
        self.columns = ", ".join(
            c if c in have else f"{defaults[c]} AS {c}" for c in _PAPER_COLUMNS.split(", ")
        )

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One transaction with the write lock, taken before anything is read."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- versions --------------------------------------------------------------------------

    def last_version(self, dossier: str) -> int:
        row = self.conn.execute(
            "SELECT MAX(version) FROM versions WHERE dossier = ?", (dossier,)
        ).fetchone()
        return int(row[0] or 0)

    def versions(self, dossier: str | None = None) -> list[VersionRow]:
        sql = f"SELECT {_VERSION_COLUMNS} FROM versions"
        args: tuple[Any, ...] = ()
        if dossier is not None:
            sql += " WHERE dossier = ?"
            args = (dossier,)
        rows = self.conn.execute(sql + " ORDER BY dossier, version", args).fetchall()
        return [VersionRow(*row) for row in rows]

    def add_version(self, row: VersionRow) -> None:
        self.conn.execute(
            f"INSERT INTO versions ({_VERSION_COLUMNS}) VALUES ({_marks(12)})",
            astuple(row),
        )

    # --- papers ----------------------------------------------------------------------------

    def papers(
        self, dossier: str | None = None, version: int | None = None, year: int | None = None
    ) -> list[PaperRow]:
        where, args = [], []
        for column, value in (("dossier", dossier), ("version", version), ("year", year)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT {self.columns} FROM papers"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        names = [f.name for f in fields(PaperRow)]
        found = [dict(zip(names, row, strict=True)) for row in rows]
        return [PaperRow(**{**r, "hand_edited": bool(r["hand_edited"])}) for r in found]

    def add_paper(self, row: PaperRow) -> None:
        self.conn.execute(
            f"INSERT INTO papers ({_PAPER_COLUMNS}) VALUES ({_marks(17)})",
            (*astuple(row)[:-1], int(row.hand_edited)),
        )

    def number_taken(self, agency: str, symbol: str, year: int, number: int) -> PaperRow | None:
        """The issued paper that already has this number, if any."""
        found = [
            p
            for p in self.papers()
            if (p.agency, p.symbol, p.year, p.number) == (agency, symbol, year, number)
            and p.carried_from is None
        ]
        return found[0] if found else None

    def next_number(self, agency: str, symbol: str, year: int) -> int:
        """The next free number of the year for this agency and symbol (superseded ones count)."""
        row = self.conn.execute(
            "SELECT MAX(number) FROM papers WHERE agency = ? AND symbol = ? AND year = ?",
            (agency, symbol, year),
        ).fetchone()
        return int(row[0] or 0) + 1

    def supersede(self, dossier: str, code: str, version: int) -> None:
        """Mark every current earlier paper of this kind as replaced by `version`."""
        self.conn.execute(
            "UPDATE papers SET superseded_by = ? WHERE dossier = ? AND code = ? "
            "AND version < ? AND superseded_by IS NULL",
            (version, dossier, code, version),
        )


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def damaged(path: Path, why: str) -> InputError:
    """The refusal of a register that is not one: a finding, never something to rewrite."""
    return InputError([Problem.of("so-dang-ky-hong", file=str(path), why=why)])


def read_register(archive: Path) -> Register | None:
    """The archive's register opened for reading only, None when there is none; a damaged
    one is an InputError (see `damaged`)."""
    path = archive / REGISTER_NAME
    if not path.is_file():
        return None
    return Register(path, read_only=True)


def open_register(archive: Path) -> Register:
    """The archive's register, created (and migrated) on first use."""
    try:
        archive.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không tạo được thư mục lưu trữ {archive}: {exc.strerror}",
            "kiểm tra quyền ghi, hoặc chọn thư mục khác bằng --archive.",
        ) from exc
    return Register(archive / REGISTER_NAME)


def in_memory_register() -> Register:
    """An empty register in memory: what an archive without one reads as, so that a first
    issue prepares its version without creating the register before it is accepted."""
    return Register(Path(":memory:"))
