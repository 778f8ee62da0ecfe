"""Unit words inside the labels of data files: `{cap}`, `{cap_thon}` and capitalised forms.

Indicator labels (data/indicators.toml) and rule sets name the commune and its villages
("{Cap_thon} có điểm vui chơi cho trẻ em"); every place that shows a label fills them with
the dossier's words, so a ward's forms say "Tổ dân phố có …" and a commune's "Thôn có …".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.common.vnformat import upper_first
from pipeline.model.units import Words

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# Each placeholder and how it is made from the words.
PLACEHOLDERS: dict[str, Callable[[Words], str]] = {
    "cap": lambda w: w.cap,
    "Cap": lambda w: upper_first(w.cap),
    "cap_thon": lambda w: w.cap_thon,
    "Cap_thon": lambda w: upper_first(w.cap_thon),
}

# The words of the case the labels were first written for (a xã with thôn): how a label is
# shown by callers that do not know the dossier yet.
BASE_WORDS = Words(
    cap="xã",
    cap_thon="thôn",
    ten="",
    tinh="",
    cap_tinh="tỉnh",
    huyen="",
)


def fill(text: str, words: Words) -> str:
    """`text` with every known placeholder replaced by the unit's word (others kept)."""
    return _PLACEHOLDER.sub(
        lambda m: PLACEHOLDERS[m.group(1)](words) if m.group(1) in PLACEHOLDERS else m.group(0),
        text,
    )


def unknown_placeholders(text: str) -> list[str]:
    """The `{…}` in `text` that `fill` does not know, as written (`{xa}`)."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text) if m.group(1) not in PLACEHOLDERS]


def known_list() -> str:
    """The placeholders for a hint: `{cap}, {Cap}, {cap_thon}, {Cap_thon}`."""
    return ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)


def criterion_title(no: int, name: str) -> str:
    """A criterion's one name in every paper, workbook and message: its number in the
    Decision's scoring table and its name, "tiêu chí 10 (Trẻ em đến trường, lớp mầm non)"."""
    return f"tiêu chí {no} ({name})"


def criteria_titles(criteria: list[tuple[int, str]]) -> str:
    """Several criteria in one phrase: "tiêu chí 4 (…)" or "các tiêu chí 4 (…) và 10 (…)"."""
    if len(criteria) == 1:
        return criterion_title(*criteria[0])
    parts = [criterion_title(no, name).removeprefix("tiêu chí ") for no, name in criteria]
    return "các tiêu chí " + ", ".join(parts[:-1]) + " và " + parts[-1]


# The result in the papers' words, everywhere a result is shown to a clerk.
RESULT_WORDS = {True: "đạt", False: "chưa đạt"}
# Versions issued before the papers' words were used everywhere recorded these.
_OLD_RESULT_WORDS = {"ĐẠT": True, "KHÔNG ĐẠT": False}


def result_words(recognized: bool) -> str:
    return RESULT_WORDS[recognized]


def stored_result(text: str) -> str:
    """A result as an archive recorded it, in the papers' words (older versions said "ĐẠT")."""
    old = _OLD_RESULT_WORDS.get(text)
    return text if old is None else RESULT_WORDS[old]
