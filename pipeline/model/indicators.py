"""The indicator catalogue (`data/indicators.toml`): what villages and the commune report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from pipeline.files.resources import load_data_toml
from pipeline.model.labels import BASE_WORDS, fill, known_list, unknown_placeholders
from pipeline.model.units import Words

Level = Literal["thon", "xa"]
Kind = Literal["count", "amount", "yes_no"]
LEVELS: tuple[Level, ...] = ("thon", "xa")
KINDS: tuple[Kind, ...] = ("count", "amount", "yes_no")


@dataclass(frozen=True)
class Indicator:
    """One reported figure: its fixed code, Vietnamese label and unit, and its constraint.

    The label and help may name the unit through placeholders (`{Cap_thon}`, see labels.py):
    `label_in(words)` shows them for one dossier.
    """

    code: str
    level: Level
    text: str  # the label as written in the catalogue, placeholders included
    unit: str
    kind: Kind
    not_above: str | None
    help: str
    # The same figure for the previous period, compared to flag sudden rises.
    previous: str | None = None
    # A zero here is suspicious (e.g. a village with no children): ingest warns.
    warn_if_zero: bool = False

    def label_in(self, words: Words) -> str:
        """The label in one dossier's words: "Tổ dân phố có điểm vui chơi cho trẻ em"."""
        return fill(self.text, words)

    @property
    def label(self) -> str:
        """The label in the words of a xã with thôn (for callers without a dossier)."""
        return self.label_in(BASE_WORDS)

    def form_help_in(self, words: Words) -> str:
        """The help shown beside the value cell, naming the total it may not exceed."""
        if self.not_above is None:
            return fill(self.help, words)
        total = catalogue()[self.not_above].label_in(words).lower()
        return f"{fill(self.help, words)} Không lớn hơn số {total}."

    @property
    def form_help(self) -> str:
        return self.form_help_in(BASE_WORDS)


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
            text=str(entry["ten"]),
            unit=str(entry.get("don_vi", "")),
            kind=kind,
            not_above=None if not_above is None else str(not_above),
            help=str(entry.get("huong_dan", "")),
            previous=None if previous is None else str(previous),
            warn_if_zero=bool(entry.get("canh_bao_khi_0", False)),
        )
    _check_placeholders(result)
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


def _check_placeholders(indicators: dict[str, Indicator]) -> None:
    for ind in indicators.values():
        unknown = unknown_placeholders(ind.text) + unknown_placeholders(ind.help)
        if unknown:
            raise CatalogueError(
                f"indicators: {ind.code}: unknown placeholder {unknown[0]}; use {known_list()}"
            )


@cache
def catalogue() -> dict[str, Indicator]:
    """The shipped catalogue, in form order."""
    return parse_catalogue(load_data_toml("indicators.toml"))


def for_level(level: Level) -> list[Indicator]:
    return [ind for ind in catalogue().values() if ind.level == level]
