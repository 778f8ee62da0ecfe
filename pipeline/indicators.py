"""The indicator catalogue (`data/indicators.toml`): what villages and the commune report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from pipeline.resources import load_data_toml

Level = Literal["thon", "xa"]
Kind = Literal["count", "amount", "yes_no"]
LEVELS: tuple[Level, ...] = ("thon", "xa")
KINDS: tuple[Kind, ...] = ("count", "amount", "yes_no")


@dataclass(frozen=True)
class Indicator:
    """One reported figure: its fixed code, Vietnamese label and unit, and its constraint."""

    code: str
    level: Level
    label: str
    unit: str
    kind: Kind
    not_above: str | None
    help: str
    # The same figure for the previous period, compared to flag sudden rises.
    previous: str | None = None
    # A zero here is suspicious (e.g. a village with no children): ingest warns.
    warn_if_zero: bool = False

    @property
    def form_help(self) -> str:
        """The help shown beside the value cell, naming the total it may not exceed."""
        if self.not_above is None:
            return self.help
        total = catalogue()[self.not_above].label.lower()
        return f"{self.help} Không lớn hơn số {total}."


class CatalogueError(ValueError):
    """The shipped catalogue is inconsistent (a developer error, caught by the tests)."""


def parse_catalogue(raw: dict[str, object]) -> dict[str, Indicator]:
    """Validate a parsed catalogue; raise CatalogueError naming the entry."""
    entries = raw.get("chi_tieu")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError("indicators: no [[chi_tieu]] entries")
    result: dict[str, Indicator] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise CatalogueError(f"indicators: entry {i} is not a table")
        code = str(entry.get("ma", ""))
        level = entry.get("cap")
        kind = entry.get("loai")
        if not code.isidentifier() or code in result:
            raise CatalogueError(f"indicators: entry {i}: bad or duplicate code {code!r}")
        if level not in LEVELS or kind not in KINDS:
            raise CatalogueError(f"indicators: {code}: unknown level or kind")
        not_above = entry.get("khong_vuot")
        previous = entry.get("ky_truoc")
        result[code] = Indicator(
            code=code,
            level=level,
            label=str(entry["ten"]),
            unit=str(entry.get("don_vi", "")),
            kind=kind,
            not_above=None if not_above is None else str(not_above),
            help=str(entry.get("huong_dan", "")),
            previous=None if previous is None else str(previous),
            warn_if_zero=bool(entry.get("canh_bao_khi_0", False)),
        )
    for ind in result.values():
        if ind.not_above is None:
            continue
        total = result.get(ind.not_above)
        if total is None or total.level != ind.level or "yes_no" in (total.kind, ind.kind):
            raise CatalogueError(f"indicators: {ind.code}: bad khong_vuot {ind.not_above!r}")
    for ind in result.values():
        if ind.previous is None:
            continue
        before = result.get(ind.previous)
        if before is None or before.level != ind.level or before.kind != ind.kind:
            raise CatalogueError(f"indicators: {ind.code}: bad ky_truoc {ind.previous!r}")
    return result


@cache
def catalogue() -> dict[str, Indicator]:
    """The shipped catalogue, in form order."""
    return parse_catalogue(load_data_toml("indicators.toml"))


def for_level(level: Level) -> list[Indicator]:
    return [ind for ind in catalogue().values() if ind.level == level]
