"""`hoso diff`: what changed between two output sets of a dossier.

An output set is an issued version (`<archive>/<dossier>/vN/`) or the current outputs
(`hien-tai`). The comparison reads what the stages wrote: the figures and their cells
from data.json, the points, total and verdict from scorecard.json, and each paper's
paragraphs from its .docx. It ends with a paragraph a clerk can paste into a message
to the level above.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx.opc.exceptions import OpcError
from lxml import etree

from pipeline.archive import docxdiff
from pipeline.common import vnformat
from pipeline.common.errors import InputError, Problem
from pipeline.files.zipguard import ArchiveProblem, check_archive
from pipeline.model.dataset import DATA_NAME
from pipeline.model.documents import catalogue
from pipeline.model.indicators import catalogue as indicators
from pipeline.model.profile import Profile
from pipeline.model.scorecard import SCORECARD_NAME

CURRENT = "hien-tai"


@dataclass(frozen=True)
class ValueChange:
    """One reported figure that changed; `unit` is the village, "" for the commune's own."""

    unit: str
    code: str
    name: str
    old: Any
    new: Any
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class PointsChange:
    """A criterion's or a sub-item's points that changed."""

    id: str  # "g" for a criterion, "7.1" for a sub-item
    name: str
    old: float | None
    new: float | None


@dataclass(frozen=True)
class PaperChange:
    code: str
    name: str
    file: str
    status: str  # "sua" (changed), "them" (new in B), "bo" (no longer in B)
    number_old: str | None
    number_new: str | None
    paragraphs: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class DossierDiff:
    a: str
    b: str
    values: list[ValueChange]
    criteria: list[PointsChange]
    items: list[PointsChange]
    total: tuple[float | None, float | None]
    verdict: tuple[str | None, str | None]
    papers: list[PaperChange]
    summary: str
    # What the clerk must know before trusting the comparison: outputs older than the
    # dossier, papers edited in Word after hoso made them.
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        scores_same = self.total[0] == self.total[1] and self.verdict[0] == self.verdict[1]
        return not (self.values or self.criteria or self.items or self.papers) and scores_same

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["papers"] = [
            {**asdict(p), "paragraphs": [{"cu": o, "moi": n} for o, n in p.paragraphs]}
            for p in self.papers
        ]
        return out


def compare_folders(profile: Profile, a: Path, b: Path, labels: tuple[str, str]) -> DossierDiff:
    """Compare two output sets; the paragraph is worded with the profile's unit words."""
    old_data, new_data = _json(a / DATA_NAME), _json(b / DATA_NAME)
    values = _values(old_data, new_data)
    old_card, new_card = _json(a / SCORECARD_NAME), _json(b / SCORECARD_NAME)
    criteria, items = _points(old_card, new_card)
    total = (_get(old_card, "total"), _get(new_card, "total"))
    verdict = (_verdict(old_card), _verdict(new_card))
    papers = _papers(a, b)
    summary = explanation(
        profile, values=values, criteria=criteria, total=total, verdict=verdict, papers=papers
    )
    return DossierDiff(*labels, values, criteria, items, total, verdict, papers, summary)


def _json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem("tep-hong", f"không đọc được ({exc})", file=str(path))]) from exc
    if not isinstance(data, dict):
        raise InputError([Problem("tep-hong", "không phải tệp kết quả của hoso", file=str(path))])
    return data


def _get(data: dict[str, Any] | None, key: str) -> Any:
    return None if data is None else data.get(key)


def _verdict(card: dict[str, Any] | None) -> str | None:
    if card is None:
        return None
    return "ĐẠT" if card.get("recognized") else "KHÔNG ĐẠT"


def _values(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[ValueChange]:
    def flat(data: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
        if data is None:
            return {}
        found = {
            (village, code): v
            for village, values in data.get("villages", {}).items()
            for code, v in values.items()
        }
        found.update({("", code): v for code, v in data.get("commune", {}).items()})
        return found

    before, after = flat(old), flat(new)
    names = indicators()
    changes = []
    for key in sorted(set(before) | set(after), key=_order(new, old)):
        o, n = before.get(key, {}), after.get(key, {})
        if o.get("value") == n.get("value"):
            continue
        where = n or o
        code = key[1]
        changes.append(
            ValueChange(
                unit=key[0],
                code=code,
                name=names[code].label if code in names else code,
                old=o.get("value"),
                new=n.get("value"),
                file=str(where.get("file", "")),
                sheet=str(where.get("sheet", "")),
                cell=str(where.get("cell", "")),
            )
        )
    return changes


def _order(*sources: dict[str, Any] | None) -> Any:
    """Villages in the order data.json lists them, the commune last; codes as catalogued."""
    villages: list[str] = []
    for data in sources:
        for name in (data or {}).get("villages", {}):
            if name not in villages:
                villages.append(name)
    codes = list(indicators())

    def key(item: tuple[str, str]) -> tuple[int, int]:
        unit, code = item
        rank = villages.index(unit) if unit in villages else len(villages)
        return rank, codes.index(code) if code in codes else len(codes)

    return key


def _points(
    old: dict[str, Any] | None, new: dict[str, Any] | None
) -> tuple[list[PointsChange], list[PointsChange]]:
    def index(card: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
        criteria: dict[str, Any] = {}
        items: dict[str, Any] = {}
        for c in (card or {}).get("criteria", []):
            criteria[c["letter"]] = c
            for item in c["items"]:
                items[item["id"]] = item
        return criteria, items

    (oc, oi), (nc, ni) = index(old), index(new)

    def changed(before: dict[str, Any], after: dict[str, Any], label: str) -> list[PointsChange]:
        out = []
        for key in list(after) + [k for k in before if k not in after]:
            o, n = before.get(key), after.get(key)
            if (o or {}).get("points") != (n or {}).get("points"):
                named = n or o or {}
                out.append(
                    PointsChange(
                        key,
                        str(named.get(label, "")),
                        None if o is None else o["points"],
                        None if n is None else n["points"],
                    )
                )
        return out

    return changed(oc, nc, "name"), changed(oi, ni, "label")


def _paper_bytes(path: Path) -> bytes | None:
    """A paper's bytes, None when absent; an InputError naming it when it is no Word file
    (a copy cut short, another file saved under its name)."""
    if not path.is_file():
        return None
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(data, archive)
            archive.getinfo("word/document.xml")
        docxdiff.read(data)
    except (
        zipfile.BadZipFile,
        ArchiveProblem,
        OpcError,
        KeyError,
        ValueError,
        etree.LxmlError,
    ) as exc:
        raise InputError(
            [
                Problem(
                    "van-ban-hong",
                    f"không phải văn bản Word đọc được ({type(exc).__name__})",
                    file=str(path),
                    hint="lấy lại tệp từ bản sao lưu, hoặc lập lại văn bản (hoso render).",
                )
            ]
        ) from None
    return data


def _papers(a: Path, b: Path) -> list[PaperChange]:
    changes = []
    for doc in catalogue().values():
        old_path, new_path = a / doc.file, b / doc.file
        if not old_path.is_file() and not new_path.is_file():
            continue
        old, new = _paper_bytes(old_path), _paper_bytes(new_path)
        number_old = docxdiff.issued_number(old) if old else None
        number_new = docxdiff.issued_number(new) if new else None
        if old is None or new is None:
            status = "them" if old is None else "bo"
            changes.append(
                PaperChange(doc.code, doc.name, doc.file, status, number_old, number_new)
            )
            continue
        paragraphs = docxdiff.changed_paragraphs(old, new)
        if paragraphs:
            changes.append(
                PaperChange(doc.code, doc.name, doc.file, "sua", number_old, number_new, paragraphs)
            )
    return changes


# --- the paragraph for the level above ---------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int | float):
        return vnformat.number(Decimal(str(value)), 2)
    return str(value)


def _phrase(name: str) -> str:
    """An indicator's label inside a sentence: lower-case unless it starts with an acronym."""
    if len(name) > 1 and name[1].isupper():
        return name
    return vnformat.lower_first(name)


def explanation(
    profile: Profile,
    *,
    values: list[ValueChange],
    criteria: list[PointsChange],
    total: tuple[float | None, float | None],
    verdict: tuple[str | None, str | None],
    papers: list[PaperChange],
) -> str:
    """ "Số liệu thôn Nà Cáy: …; điểm tiêu chí g) 30 → 50; tổng điểm 915 → 935; kết quả
    không đổi: ĐẠT." followed by the papers that changed."""
    words = profile.don_vi.words
    parts: list[str] = []
    units: dict[str, list[str]] = {}
    for change in values:
        units.setdefault(change.unit, []).append(
            f"{_phrase(change.name)} {_show(change.old)} → {_show(change.new)}"
        )
    for unit, texts in units.items():
        place = f"{words.cap_thon} {unit}" if unit else words.don_vi
        parts.append(f"{place}: {', '.join(texts)}")
    if parts:
        parts[0] = "Số liệu " + parts[0]
    if criteria:
        parts.append(
            "điểm tiêu chí "
            + ", ".join(f"{c.id}) {_show(c.old)} → {_show(c.new)}" for c in criteria)
        )
    if total[0] != total[1]:
        parts.append(f"tổng điểm {_show(total[0])} → {_show(total[1])}")
    if parts and verdict[1] is not None:
        if verdict[0] == verdict[1]:
            parts.append(f"kết quả không đổi: {verdict[1]}")
        else:
            parts.append(f"kết quả: {verdict[0] or '(chưa chấm)'} → {verdict[1]}")
    text = vnformat.upper_first("; ".join(parts)) + "." if parts else ""
    edited = [p.name for p in papers if p.status == "sua"]
    if edited:
        sentence = "Các văn bản đã sửa tương ứng: " + ", ".join(edited) + "."
        text = f"{text} {sentence}" if text else sentence
    added = [p.name for p in papers if p.status == "them"]
    if added:
        text += (" " if text else "") + "Văn bản mới: " + ", ".join(added) + "."
    dropped = [p.name for p in papers if p.status == "bo"]
    if dropped:
        text += (" " if text else "") + "Không còn: " + ", ".join(dropped) + "."
    return text or "Không có thay đổi về số liệu, điểm, kết quả và văn bản."


def diff_lines(result: DossierDiff) -> list[str]:
    """The comparison as lines to print, the paragraph for the level above last."""
    lines = [f"So sánh {result.a} → {result.b}"]
    lines += [f"Lưu ý: {note}" for note in result.notes]
    if result.values:
        lines.append("Số liệu:")
        for v in result.values:
            where = " › ".join(x for x in (v.file, v.sheet, v.cell) if x)
            unit = v.unit or "số liệu chung"
            lines.append(f"  {unit}: {v.name} {_show(v.old)} → {_show(v.new)}  [{where}]")
    for title, changes in (("Điểm tiêu chí:", result.criteria), ("Điểm từng mục:", result.items)):
        if changes:
            lines.append(title)
            lines += [f"  {c.id}) {c.name}: {_show(c.old)} → {_show(c.new)}" for c in changes]
    if result.total[0] != result.total[1]:
        lines.append(f"Tổng điểm: {_show(result.total[0])} → {_show(result.total[1])}")
    if result.verdict[0] != result.verdict[1]:
        lines.append(f"Kết quả: {result.verdict[0] or '(chưa chấm)'} → {result.verdict[1]}")
    for paper in result.papers:
        status = {"sua": "sửa", "them": "mới", "bo": "không còn"}[paper.status]
        lines.append(f"{paper.name} ({paper.file}): {status}")
        for old, new in paper.paragraphs:
            if old is not None:
                lines.append(f"  - {old}")
            if new is not None:
                lines.append(f"  + {new}")
    lines += ["", "Giải trình:", result.summary]
    return lines
