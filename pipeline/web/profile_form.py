"""hoso.toml as a form: which keys the page shows, their values as text, and the edits a
submitted form makes to the file, through tomlkit so its comments and layout stay.

Only the fields whose text changed are written: a value the clerk did not touch keeps its
exact spelling in the file (`2024-03-22` stays a date, `90` stays `90`). Validation is the
library's own (`load_profile`); this module only maps its problems back onto the fields.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT

from pipeline.common.errors import InputError, Problem
from pipeline.files.atomic import atomic_write
from pipeline.model.documents import AUTHORITIES, SIGNER_ROLES, catalogue
from pipeline.model.labels import BASE_WORDS, fill
from pipeline.model.profile import (
    COUNCIL_ROLES,
    OFFICIAL_TITLES,
    PROFILE_NAME,
    SALUTATIONS,
    UNIT_TYPES,
    load_profile,
    read_toml,
)
from pipeline.model.units import Words, all_levels, categories, period_of, village_examples

KINDS = ("text", "int", "number", "date", "datetime", "choice", "list", "paragraphs", "pairs")
COUNCIL = "hoi_dong.thanh_vien"
NEW_ROWS = 2  # blank council rows offered for new members
REMOVE = "bo"  # a council row's "remove this member" box
_BOM = "\ufeff"


def _options(name: str) -> tuple[tuple[str, str], ...]:
    """(value, label) pairs of a choice, from the library's own constants."""
    if name == "cap":
        return tuple((c, c) for c in all_levels())
    if name == "loai":
        return category_options()
    if name == "nguoi_ky":
        return (("", "(mặc định)"), *((r, OFFICIAL_TITLES[r].capitalize()) for r in SIGNER_ROLES))
    if name == "quyen_han":
        names = {"": "ký trực tiếp", "KT": "KT (ký thay)", "TM": "TM (thay mặt)"}
        return tuple((a, names.get(a, a)) for a in AUTHORITIES)
    if name == "danh_xung":
        return tuple((s, s) for s in SALUTATIONS)
    if name == "vai_tro":
        return tuple(COUNCIL_ROLES.items())
    raise ValueError(f"form.toml: unknown options {name!r}")


def category_options() -> tuple[tuple[str, str], ...]:
    """Decision 06's categories as data/don-vi.toml describes them, the threshold first: a
    phone shows the start of a long label in the closed select, and the threshold is what the
    choice decides."""
    return tuple((k, f"{UNIT_TYPES[k]} điểm: {text}") for k, text in categories().items())


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()
    note: str = ""
    placeholder: str = ""  # a date's or a time's example, in the dossier's year


@dataclass
class Section:
    id: str
    title: str
    fields: list[Field] = field(default_factory=list)
    # The council table: its columns and, per row, the fields of that row.
    columns: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)

    def all_fields(self) -> list[Field]:
        return self.fields + [f for row in self.rows for f in row]


@dataclass(frozen=True)
class _Spec:
    key: str
    label: str
    kind: str
    options: str = ""
    note: str = ""
    signer: bool = False
    grounds: bool = False


def _spec(entry: Any, where: str) -> _Spec:
    if not isinstance(entry, dict) or not {"key", "label", "kind"} <= set(entry):
        raise ValueError(f"form.toml {where}: needs key, label and kind")
    unknown = set(entry) - {"key", "label", "kind", "options", "note", "signer", "grounds"}
    if unknown or entry["kind"] not in KINDS:
        raise ValueError(f"form.toml {where}: unknown {sorted(unknown) or entry['kind']}")
    if (entry["kind"] == "choice") != ("options" in entry):
        raise ValueError(f"form.toml {where}: a choice, and only a choice, has options")
    spec = _Spec(**entry)
    if spec.options:
        _options(spec.options)
    return spec


@cache
def _layout() -> tuple[list[tuple[str, str, list[_Spec]]], list[_Spec], list[_Spec]]:
    """form.toml, validated: sections, the per-paper fields and the council's columns."""
    text = resources.files("pipeline.web").joinpath("form.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    sections = [
        (
            str(s["id"]),
            str(s["title"]),
            [_spec(f, f"{s['id']}[{i}]") for i, f in enumerate(s.get("fields", []))],
        )
        for s in raw["section"]
    ]
    papers = [_spec(f, f"van_ban[{i}]") for i, f in enumerate(raw["van_ban"])]
    council = [_spec(f, f"thanh_vien[{i}]") for i, f in enumerate(raw["thanh_vien"])]
    return sections, papers, council


_HINT = re.compile(r"\{(nam|huyen|vd_[a-z_]+)\}")


def era_hints(doc: Mapping[str, Any], words: Words) -> dict[str, str]:
    """What the notes' `{nam}`, `{huyen}`, `{vd_…}` say for the dossier's year: its law's
    examples (data/thoi-ky.toml), never another era's offices."""
    typed = _get(doc, "don_vi.nam")
    year = typed if isinstance(typed, int) and period_of(typed) else date.today().year
    period = period_of(year)
    superior = words.huyen_day_du or (words.tinh_day_du if words.tinh else "cấp trên")
    hints = {"nam": str(year), "vd_thon": "«" + "», «".join(village_examples(words.cap_thon)) + "»"}
    if period is not None:
        examples = period.examples(superior)
        hints["vd_tiep_nhan_ten"] = examples["ten"]
        hints["vd_tiep_nhan_dia_ban"] = examples["dia_ban"]
        hints["vd_cong_nhan"] = examples["cong_nhan"]
        hints["vd_cap_tren"] = examples["cap_tren"]
        hints["huyen"] = (
            "tên, không kèm loại; để trống khi không có"
            if period.has_districts
            else f"năm {year} không còn cấp huyện: để trống"
        )
    return hints


def _field(spec: _Spec, key: str, words: Words, hints: Mapping[str, str]) -> Field:
    options = _options(spec.options) if spec.options else ()
    note = _HINT.sub(lambda m: hints.get(m.group(1), ""), fill(spec.note, words))
    year = hints.get("nam", "")
    # As the form shows a date (and as a clerk writes one); _date and _datetime read it.
    placeholder = {
        "date": f"ví dụ 22/3/{year}",
        "datetime": f"ví dụ 05/11/{year} 08:00",
    }.get(spec.kind, "")
    return Field(key, fill(spec.label, words), spec.kind, options, note, placeholder)


def sections(doc: Mapping[str, Any], words: Words) -> list[Section]:
    """The form's sections for the profile `doc` as it is now (council rows: one per member,
    then blank ones)."""
    hints = era_hints(doc, words)
    layout, papers, council = _layout()
    result: list[Section] = []
    for sid, title, specs in layout:
        if sid == "van_ban":
            for code, doc_type in catalogue().items():
                keep = [
                    s
                    for s in papers
                    if (not s.signer or doc_type.default_signer)
                    and (not s.grounds or doc_type.has_grounds)
                ]
                result.append(
                    Section(
                        f"van_ban.{code}",
                        f"{doc_type.name} ({doc_type.symbol})",
                        [_field(s, f"van_ban.{code}.{s.key}", words, hints) for s in keep],
                    )
                )
        elif sid == "hoi_dong":
            members = _get(doc, COUNCIL)
            count = len(members) if isinstance(members, list) else 0
            labels = [f"[{i}]" for i in range(1, count + 1)]
            labels += [f"[moi{i}]" for i in range(1, NEW_ROWS + 1)]
            columns = [_field(s, s.key, words, hints) for s in council]
            section = Section("hoi_dong", title, columns=columns)
            section.rows = [
                [_field(s, f"{COUNCIL}{label}.{s.key}", words, hints) for s in council]
                for label in labels
            ]
            result.append(section)
        else:
            result.append(Section(sid, title, [_field(s, s.key, words, hints) for s in specs]))
    return result


# --- reading values as text ----------------------------------------------------------------

_PATH_PART = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")


def _parts(key: str) -> list[str | int]:
    """ "hoi_dong.thanh_vien[2].ho_ten" -> ["hoi_dong", "thanh_vien", 1, "ho_ten"]."""
    parts: list[str | int] = []
    for piece in key.split("."):
        match = _PATH_PART.fullmatch(piece)
        if match is None:
            raise KeyError(key)
        parts.append(match.group(1))
        if match.group(2):
            parts.append(int(match.group(2)) - 1)
    return parts


def _get(doc: Any, key: str) -> Any:
    """The value at `key`, or None (absent, or a new council row "[moi1]")."""
    try:
        parts = _parts(key)
    except KeyError:
        return None
    node = doc
    for part in parts:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return None
            node = node[part]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    return node


def shown(value: Any, kind: str) -> str:
    """A TOML value as the form shows it."""
    if hasattr(value, "unwrap"):
        value = value.unwrap()
    text: str
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "có" if value else "không"
    elif isinstance(value, datetime):
        text = value.strftime("%d/%m/%Y %H:%M")  # as a clerk writes it; ISO is read too
    elif isinstance(value, date):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, list):
        text = "\n".join(shown(v, "text") for v in value)
    elif isinstance(value, dict):
        text = "\n".join(f"{k}: {shown(v, 'text')}" for k, v in value.items())
    elif kind == "paragraphs" and isinstance(value, str):
        text = "\n".join(line for line in value.splitlines() if line.strip())
    else:
        text = str(value)
    return text


def values(doc: Any, fields: Iterable[Field]) -> dict[str, str]:
    return {f.key: shown(_get(doc, f.key), f.kind) for f in fields}


# --- text back to TOML ---------------------------------------------------------------------

_INT = re.compile(r"-?\d+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")
_VN_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_VN_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})[ ,]+(\d{1,2})[:h](\d{2})")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _int(text: str) -> Any:
    return int(text) if _INT.fullmatch(text) else text


def _number(text: str) -> Any:
    if _INT.fullmatch(text):
        return int(text)
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def _date(text: str) -> Any:
    m = _ISO_DATE.fullmatch(text)
    vn = _VN_DATE.fullmatch(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        return date(int(vn[3]), int(vn[2]), int(vn[1])) if vn else text
    except ValueError:
        return text


def _datetime(text: str) -> Any:
    m = _ISO_DATETIME.fullmatch(text)
    vn = _VN_DATETIME.fullmatch(text)
    try:
        if m:
            return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
        if vn:
            return datetime(int(vn[3]), int(vn[2]), int(vn[1]), int(vn[4]), int(vn[5]))
        return text
    except ValueError:
        return text


def _list(text: str) -> Any:
    array = tomlkit.array()
    array.extend(_lines(text))
    if len(array) > 2:
        array.multiline(True)
    return array


def _pairs(text: str) -> Any:
    """ "Nông Văn Tuấn: đi công tác" a line -> { "Nông Văn Tuấn" = "đi công tác" }; a line
    without a colon is a name with no reason yet."""
    table = tomlkit.inline_table()
    for line in _lines(text):
        name, _, value = line.partition(":")
        table[name.strip()] = value.strip()
    return table


def _paragraphs(text: str) -> Any:
    lines = _lines(text)
    # TOML drops the newline right after the opening quotes: """\n…\n""".
    return tomlkit.string("\n" + "\n".join(lines) + "\n", multiline=True) if lines else ""


_CONVERT = {
    "int": _int,
    "number": _number,
    "date": _date,
    "datetime": _datetime,
    "list": _list,
    "pairs": _pairs,
    "paragraphs": _paragraphs,
}


def typed(text: str, kind: str) -> Any:
    """The TOML value for a field's text. What does not parse is kept as a string, so the
    profile's loader reports it with its own message ("… không hợp lệ")."""
    convert = _CONVERT.get(kind)
    if convert is None:
        return text.strip()
    return convert(text if kind == "paragraphs" else text.strip())


def _container(doc: Any, parts: list[str | int]) -> Any:
    """The table holding the last part of a key, created when missing."""
    node = doc
    for part in parts[:-1]:
        if isinstance(part, int):
            node = node[part]
            continue
        if part not in node:
            node.add(part, tomlkit.table())
        node = node[part]
    return node


def _set(doc: Any, key: str, value: Any) -> None:
    parts = _parts(key)
    table = _container(doc, parts)
    table[parts[-1]] = value


def _remove(doc: Any, key: str) -> None:
    parts = _parts(key)
    table = _get(doc, ".".join(str(p) for p in parts[:-1])) if len(parts) > 1 else doc
    if isinstance(table, Mapping) and parts[-1] in table:
        del table[parts[-1]]  # type: ignore[attr-defined]


def apply(doc: Any, form: Mapping[str, str], fields: Iterable[Field]) -> list[str]:
    """Write into `doc` every field whose submitted text differs from what the file gives;
    return the keys changed. A list emptied is removed (its default applies again); other
    emptied fields become "" (the profile's "to be written by hand")."""
    changed: list[str] = []
    for f in fields:
        if f.key not in form or f.key.startswith(f"{COUNCIL}["):
            continue
        new = form[f.key].replace("\r\n", "\n")
        old = shown(_get(doc, f.key), f.kind)
        if _same(new, old, f.kind):
            continue
        if not new.strip():
            if f.kind in ("list", "pairs") or _get(doc, f.key) is None:
                _remove(doc, f.key)
            else:
                _set(doc, f.key, "")
        else:
            _set(doc, f.key, typed(new, f.kind))
        changed.append(f.key)
    changed += _apply_council(doc, form)
    return changed


def differs(new: str, old: str, kind: str) -> bool:
    """Whether a field's submitted text changes what `old` shows."""
    return not _same(new.replace("\r\n", "\n"), old, kind)


def _same(new: str, old: str, kind: str) -> bool:
    if kind in ("list", "paragraphs"):
        return _lines(new) == _lines(old)
    if kind == "pairs":
        return [line.replace(" ", "") for line in _lines(new)] == [
            line.replace(" ", "") for line in _lines(old)
        ]
    return new.strip() == old.strip()


def _apply_council(doc: Any, form: Mapping[str, str]) -> list[str]:
    """Edit, remove (all cells blank) and add council members."""
    _, _, council = _layout()
    members = _get(doc, COUNCIL)
    existing = list(members) if isinstance(members, list) else []
    changed: list[str] = []
    removed: list[int] = []
    for i, member in enumerate(existing, start=1):
        cells = {s.key: form.get(f"{COUNCIL}[{i}].{s.key}") for s in council}
        if all(v is None for v in cells.values()):
            continue
        if form.get(f"{COUNCIL}[{i}].{REMOVE}") == "1":
            removed.append(i - 1)
            changed.append(f"{COUNCIL}[{i}]")
            continue
        for s in council:
            new = (cells[s.key] or "").strip()
            if new != shown(member.get(s.key), s.kind):
                member[s.key] = new
                changed.append(f"{COUNCIL}[{i}].{s.key}")
    for index in reversed(removed):
        del members[index]
    for i in range(1, NEW_ROWS + 1):
        cells = {s.key: (form.get(f"{COUNCIL}[moi{i}].{s.key}") or "").strip() for s in council}
        # A new row's choices start on their first option: only a typed name or post counts.
        if not (cells["ho_ten"] or cells["chuc_vu"]):
            continue
        table = tomlkit.table()
        for s in council:
            table[s.key] = cells[s.key]
        table.add(tomlkit.nl())
        if not isinstance(members, AoT):
            parent = _container(doc, ["hoi_dong", "thanh_vien"])
            parent["thanh_vien"] = tomlkit.aot()
            members = parent["thanh_vien"]
        members.append(table)
        changed.append(f"{COUNCIL}[moi{i}]")
    return changed


# --- the file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """hoso.toml as text and as a tomlkit document, with the digest the form carries to
    notice an edit made elsewhere (Notepad, the CLI) after the page was opened."""

    path: Path
    text: str
    bom: bool
    doc: Any
    digest: str


def read(dossier: Path) -> Loaded:
    """The dossier's hoso.toml for editing; a file tomlkit cannot parse is an InputError
    with the loader's own located message."""
    path = dossier / PROFILE_NAME
    read_toml(path)  # size, encoding and syntax problems, located, as the CLI reports them
    data = path.read_bytes()
    text = data.decode("utf-8-sig")
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise InputError([Problem.of("cu-phap", file=str(path), hint=None, error=exc)]) from None
    return Loaded(path, text, data.startswith(_BOM.encode()), doc, digest(data))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(loaded: Loaded) -> None:
    """Write the edited document back through a temporary file and a rename."""
    text = tomlkit.dumps(loaded.doc)
    atomic_write(loaded.path, ((_BOM if loaded.bom else "") + text).encode("utf-8"))


def problems_of(dossier: Path) -> list[Problem]:
    """Every problem the profile's loader finds in the file as it is now."""
    try:
        load_profile(dossier)
    except InputError as exc:
        return exc.problems
    return []


def words_of(dossier: Path) -> Words:
    """The unit's words, or the labels' base words while [don_vi] itself has problems."""
    try:
        return load_profile(dossier, sections=("don_vi",)).don_vi.words
    except InputError:
        return BASE_WORDS


@dataclass
class Placed:
    """Problems mapped onto the form: per field, per section, and the rest."""

    fields: dict[str, list[Problem]] = field(default_factory=dict)
    sections: dict[str, list[Problem]] = field(default_factory=dict)
    other: list[Problem] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            sum(len(v) for v in self.fields.values())
            + sum(len(v) for v in self.sections.values())
            + len(self.other)
        )


_ITEM = re.compile(r"\[\d+\]$")


def place(problems: Iterable[Problem], form: list[Section]) -> Placed:
    """Each problem beside its field (a list item's beside its list), else at the top of its
    section, else in the general list."""
    keys = {f.key for s in form for f in s.all_fields()}
    placed = Placed()
    for p in problems:
        key = p.field or ""
        if key in keys:
            placed.fields.setdefault(key, []).append(p)
            continue
        if _ITEM.sub("", key) in keys:
            placed.fields.setdefault(_ITEM.sub("", key), []).append(p)
            continue
        owner = max(
            (s.id for s in form if key == s.id or key.startswith((f"{s.id}.", f"{s.id}["))),
            key=len,
            default=None,
        )
        if owner is not None:
            placed.sections.setdefault(owner, []).append(p)
        else:
            placed.other.append(p)
    return placed


_KEYS = {
    "dieu_chinh": "Điều chỉnh của Hội đồng",
    "danh_gia.bo_tieu_chi": "Bộ tiêu chí",
    "lanh_dao": "Lãnh đạo",
}


def labels(dossier: Path) -> dict[str, str]:
    """hoso.toml keys -> the label the information page shows for them (sections too)."""
    found = dict(_KEYS)
    try:
        loaded = read(dossier)
    except InputError:
        return found
    for section in sections(loaded.doc, words_of(dossier)):
        found.setdefault(section.id, section.title)
        for f in section.all_fields():
            found.setdefault(f.key, f.label)
    return found
