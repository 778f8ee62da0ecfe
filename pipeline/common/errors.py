"""Located problem records and the exceptions that stop a run.

A stage collects `Problem`s for everything it can check and raises one
`InputError` carrying all of them, so a clerk fixes a whole batch at once.
Exit codes follow the contract: 1 bad input, 3 environment.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

from pipeline.common.textcheck import visible

Severity = Literal["loi", "canh-bao"]

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERNAL = 4  # a bug in hoso itself (beyond the contract's 0-3)


class _CatalogueHint:
    """The default of `Problem.of(hint=…)`: the code's own `goi_y` from the catalogue."""

    def __repr__(self) -> str:
        return "CATALOGUE_HINT"


CATALOGUE_HINT: Final = _CatalogueHint()


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where it is, and how to fix it. `message`/`hint` are Vietnamese.

    Make one with `Problem.of(code, …)`: the words come from the problem catalogue
    (pipeline/data/problems.toml). A Problem built field by field only re-locates one made
    elsewhere, or words a code still listed as unconverted in tests/test_problems.py."""

    code: str
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    value: str | None = None
    hint: str | None = None
    severity: Severity = "loi"

    @property
    def location(self) -> str:
        """`file › sheet › cell (field)`, or `file › key.path` for settings files."""
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        where = " › ".join(parts)
        if self.field:
            if self.cell:
                where += f" ({self.field})"
            else:
                where = f"{where} › {self.field}" if where else self.field
        return where

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f" — {self.hint}"
        # A value quoted from a file may hold control characters that would garble a terminal.
        return visible(text)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(
        cls,
        code: str,
        *,
        variant: str | None = None,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        field: str | None = None,
        value: str | None = None,
        hint: str | _CatalogueHint | None = CATALOGUE_HINT,
        severity: Severity | None = None,
        **fields: object,
    ) -> Problem:
        """The Problem `code` worded by the catalogue: its template (of `variant`, for a
        code said in several sentences) filled with `fields` and the location (`{value}`,
        `{field}`…); the hint is the code's `goi_y` filled the same way unless the caller
        gives the hint of its own case, or None for none; a warning code is a warning.
        An unknown code, variant or field is a bug in hoso, caught by tests/test_problems.py."""
        # Imported here: the catalogue module reads a data file and needs the exit codes above.
        from pipeline.common.problems import problem_catalogue

        kind = problem_catalogue()[code]
        names = {"file": file, "sheet": sheet, "cell": cell, "field": field, "value": value}
        message = kind.template(variant).format(**names, **fields)
        if isinstance(hint, _CatalogueHint):
            hint = kind.hint.format(**names, **fields)
        if severity is None:
            severity = "canh-bao" if kind.kind == "canh-bao" else "loi"
        return cls(code, message, file, sheet, cell, field, value, hint, severity)


class HosoError(Exception):
    """Base of every error the CLI turns into a message and an exit code."""

    exit_code = EXIT_INPUT


class InputError(HosoError):
    """The user's files are wrong; carries every problem found."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: Iterable[Problem], written: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        # Files written anyway to help fixing the input (e.g. copies with bad cells marked).
        self.written = list(written)
        super().__init__("\n".join(str(p) for p in self.problems))


class EnvironmentProblem(HosoError):
    """Something outside the user's data is wrong: a folder, a program, a permission."""

    exit_code = EXIT_ENVIRONMENT

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} — {hint}")

    @classmethod
    def unreadable(cls, path: object, exc: OSError) -> EnvironmentProblem:
        """A file that exists but cannot be read: open elsewhere, or no permission."""
        return cls(
            f"Không đọc được {path}: {exc.strerror}",
            "đóng tệp nếu đang mở trong chương trình khác, kiểm tra quyền đọc rồi chạy lại.",
        )


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest of `choices` to a misspelt `word`, or None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None
