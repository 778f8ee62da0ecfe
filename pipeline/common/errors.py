"""Located problem records and the exceptions that stop a run.

A stage collects `Problem`s for everything it can check and raises one
`InputError` carrying all of them, so a clerk fixes a whole batch at once.
Exit codes follow the contract: 1 bad input, 3 environment.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from pipeline.common.textcheck import visible

Severity = Literal["loi", "canh-bao"]

EXIT_INPUT = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERNAL = 4  # a bug in hoso itself (beyond the contract's 0-3)


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where it is, and how to fix it. `message`/`hint` are Vietnamese."""

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


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest of `choices` to a misspelt `word`, or None."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None
