"""`hoso diff`: what changed between two output sets of a dossier.

An output set is an issued version (`<archive>/<dossier>/vN/`) or the current outputs
(`hien-tai`). The comparison reads what the stages wrote: the figures and their cells
from data.json, the points, total and verdict from scorecard.json, and each paper's
paragraphs from its .docx. It ends with a paragraph a clerk can paste into a message
to the level above.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx.opc.exceptions import OpcError
from lxml import etree

from pipeline.archive import docxdiff
from pipeline.common import vnformat
from pipeline.common.errors import InputError, Problem
from pipeline.files.jsonfile import read_object
from pipeline.files.zipguard import ArchiveProblem, check_archive
from pipeline.model.dataset import DATA_NAME
from pipeline.model.documents import catalogue
from pipeline.model.indicators import catalogue as indicators
from pipeline.model.labels import result_words
from pipeline.model.profile import Profile
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.papers.narrative import conclusion, criterion_name

CURRENT = "hien-tai"
# A side's papers, code -> the date the register gives a paper whose date is written by hand.
Dates = dict[str, date]


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

    id: str  # "7" for a criterion, "7.1" for a sub-item
    name: str
    old: float | None
    new: float | None
    no: int | None = None  # a criterion's number in the Decision (None for a sub-item)


@dataclass(frozen=True)
class PaperChange:
    code: str
    name: str
    file: str
    status: str  # "sua" (changed), "them" (new in B), "bo" (no longer in B)
    number_old: str | None
    number_new: str | None
    paragraphs: list[tuple[str | None, str | None]] = field(default_factory=list)
    # Per changed paragraph: the data-table cell it sits in ("dòng “Tổng cộng”, cột …"), or "".
    places: list[str] = field(default_factory=list)
    kind: str = ""  # "Báo cáo"
    symbol: str = ""  # "BC-UBND"
    date_old: date | None = None
    date_new: date | None = None


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
            {
                **{k: v for k, v in asdict(p).items() if k != "places"},
                "paragraphs": [
                    {"cu": o, "moi": n, "o": place}
                    for (o, n), place in zip(p.paragraphs, p.places, strict=True)
                ],
                "date_old": p.date_old.isoformat() if p.date_old else None,
                "date_new": p.date_new.isoformat() if p.date_new else None,
            }
            for p in self.papers
        ]
        return out


def compare_folders(
    profile: Profile,
    a: Path,
    b: Path,
    labels: tuple[str, str],
    *,
    reason: str = "",
    dates: tuple[Dates, Dates] = ({}, {}),
) -> DossierDiff:
    """Compare two output sets; the paragraph is worded with the profile's unit words, gives
    `reason`, and dates a paper left undated with the register's date for it (`dates`)."""
    old_data, new_data = _json(a / DATA_NAME), _json(b / DATA_NAME)
    values = _values(old_data, new_data)
    old_card, new_card = _json(a / SCORECARD_NAME), _json(b / SCORECARD_NAME)
    criteria, items = _points(old_card, new_card)
    total = (_get(old_card, "total"), _get(new_card, "total"))
    verdict = (_verdict(old_card), _verdict(new_card))
    papers = _papers(a, b, dates)
    summary = explanation(
        profile,
        reason=reason,
        values=values,
        criteria=criteria,
        total=total,
        verdict=verdict,
        papers=papers,
        card=new_card,
    )
    return DossierDiff(*labels, values, criteria, items, total, verdict, papers, summary)


def _json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        return read_object(path)
    except (OSError, ValueError) as exc:
        raise InputError([Problem.of("tep-hong", file=str(path), hint=None, error=exc)]) from exc


def _get(data: dict[str, Any] | None, key: str) -> Any:
    return None if data is None else data.get(key)


def _verdict(card: dict[str, Any] | None) -> str | None:
    """The result in the papers' words."""
    if card is None:
        return None
    return result_words(bool(card.get("recognized")))


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
            criteria[str(c["no"])] = c
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
                        named.get("no"),
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
            [Problem.of("van-ban-hong", file=str(path), error=type(exc).__name__)]
        ) from None
    return data


def _papers(a: Path, b: Path, dates: tuple[Dates, Dates]) -> list[PaperChange]:
    changes = []
    for doc in catalogue().values():
        old_path, new_path = a / doc.file, b / doc.file
        if not old_path.is_file() and not new_path.is_file():
            continue
        old, new = _paper_bytes(old_path), _paper_bytes(new_path)
        was = docxdiff.printed(old) if old else None
        now = docxdiff.printed(new) if new else None
        either = now or was
        found: list[docxdiff.Change] = []
        if old is None or new is None:
            status = "them" if old is None else "bo"
        else:
            status = "sua"
            found = docxdiff.changes(old, new)
            if not found:
                continue
        changes.append(
            PaperChange(
                doc.code,
                doc.name,
                doc.file,
                status,
                was.number if was else None,
                now.number if now else None,
                [(c.old, c.new) for c in found],
                [c.place for c in found],
                kind=doc.kind,
                symbol=either.symbol if either else "",
                date_old=(was.day if was else None) or dates[0].get(doc.code),
                date_new=(now.day if now else None) or dates[1].get(doc.code),
            )
        )
    return changes


# --- the paragraph for the level above ---------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int | float):
        return vnformat.number(Decimal(str(value)), 2)
    return str(value)


def _phrase(name: str) -> str:
    """An indicator's label inside a sentence: lower-case unless it starts with an acronym."""
    if len(name) > 1 and name[1].isupper():
        return name
    return vnformat.lower_first(name)


def _moved(old: Any, new: Any, unit: str = "") -> str:
    """ "từ 193 xuống 178", "từ 25 lên 50 điểm", "từ không thành có"."""
    after = f" {unit}" if unit else ""
    if old is None:
        return f"ghi bổ sung {_show(new)}{after}"
    if new is None:
        return f"bỏ số liệu đã ghi ({_show(old)}{after})"
    numbers = isinstance(old, int | float) and isinstance(new, int | float)
    if numbers and not isinstance(old, bool) and not isinstance(new, bool):
        way = "lên" if new > old else "xuống"
        return f"từ {_show(old)} {way} {_show(new)}{after}"
    return f"từ {_show(old)} thành {_show(new)}{after}"


def _paper(kind: str, name: str, number: str | None, symbol: str, day: date | None) -> str:
    """ "Báo cáo số 02/BC-UBND ngày 20/11/2024"; a paper without its number yet goes by its
    name ("Báo cáo kết quả đánh giá")."""
    text = f"{kind} số {number}/{symbol}" if number and symbol else name
    return f"{text} ngày {vnformat.short_date(day)}" if day else text


def replacements(papers: list[PaperChange]) -> list[str]:
    """One sentence per paper issued again, added or withdrawn, in the dossier's order."""
    sentences = []
    for p in papers:
        old = _paper(p.kind, p.name, p.number_old, p.symbol, p.date_old)
        new = _paper(p.kind, p.name, p.number_new, p.symbol, p.date_new)
        if p.status == "sua":
            # Not numbered yet: the paper by its name, and its date when it prints one.
            made = new if p.number_new or p.date_new else f"{p.name} lập lại"
            sentences.append(f"{made} thay thế {old}.")
        elif p.status == "them":
            sentences.append(f"Lập mới {new}.")
        else:
            sentences.append(f"Rút lại {old}.")
    return sentences


def explanation(
    profile: Profile,
    *,
    values: list[ValueChange],
    criteria: list[PointsChange],
    total: tuple[float | None, float | None],
    verdict: tuple[str | None, str | None],
    papers: list[PaperChange],
    reason: str = "",
    card: dict[str, Any] | None = None,
) -> str:
    """The paragraph a clerk pastes into the letter to the level above, e.g. "Lý do điều
    chỉnh: …. Số liệu thôn Nà Cáy: … từ 1 xuống 0. Điểm tiêu chí 4 (…) từ 25 lên 50 điểm.
    Tổng số điểm từ 940 lên 965 điểm. Kết quả đánh giá không thay đổi. Xã … đạt tiêu chuẩn
    …. Báo cáo số 02/BC-UBND ngày … thay thế Báo cáo số 01/BC-UBND ngày …."."""
    words = profile.don_vi.words
    sentences: list[str] = []
    if reason:
        sentences.append(f"Lý do điều chỉnh: {reason.rstrip('. ')}.")
    units: dict[str, list[str]] = {}
    for change in values:
        units.setdefault(change.unit, []).append(
            f"{_phrase(change.name)} {_moved(change.old, change.new)}"
        )
    places = [
        f"{words.thon(unit) if unit else words.don_vi}: {', '.join(texts)}"
        for unit, texts in units.items()
    ]
    if places:
        sentences.append("Số liệu " + "; ".join(places) + ".")
    if criteria:
        named = [
            f"{criterion_name({'no': c.no, 'letter': c.id, 'name': c.name})} "
            f"{_moved(c.old, c.new, 'điểm')}"
            for c in criteria
        ]
        sentences.append("Điểm " + "; ".join(named) + ".")
    if total[0] != total[1]:
        sentences.append(f"Tổng số điểm {_moved(total[0], total[1], 'điểm')}.")
    figures = bool(values or criteria or total[0] != total[1])
    if card is not None and verdict[1] is not None and (figures or verdict[0] != verdict[1]):
        if verdict[0] == verdict[1]:
            sentences.append("Kết quả đánh giá không thay đổi.")
        elif verdict[0] is not None:
            sentences.append(f"Kết quả đánh giá thay đổi từ {verdict[0]} thành {verdict[1]}.")
        # Then the result as the papers state it.
        sentences.append(conclusion(card, words))
    sentences += replacements(papers)
    if len(sentences) == (1 if reason else 0):
        sentences.append("Không có thay đổi về số liệu, điểm, kết quả và văn bản.")
    return " ".join(sentences)


def meeting_changes(voted: Path, now: Path) -> str:
    """What differs between the points a council voted on (the scorecard issued with its
    minutes) and the current ones, in words; "" when nothing it voted on changed."""
    old_card, new_card = _json(voted), _json(now)
    if old_card is None or new_card is None:
        return ""
    criteria, items = _points(old_card, new_card)
    changed = {c.id for c in criteria}
    parts = [
        f"{criterion_name({'no': c.no, 'letter': c.id, 'name': c.name})} "
        f"{_moved(c.old, c.new, 'điểm')}"
        for c in criteria
    ]
    owner = {i["id"]: str(c["no"]) for c in new_card.get("criteria", []) for i in c["items"]}
    parts += [
        f"mục {i.id} {_moved(i.old, i.new, 'điểm')}"
        for i in items
        if owner.get(i.id) not in changed
    ]
    total = (old_card.get("total"), new_card.get("total"))
    if total[0] != total[1]:
        parts.append(f"tổng số điểm {_moved(total[0], total[1], 'điểm')}")
    verdict = (_verdict(old_card), _verdict(new_card))
    if verdict[0] != verdict[1]:
        parts.append(f"kết quả từ {verdict[0]} thành {verdict[1]}")
    return "; ".join(parts)


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
            lines += [f"  {_points_name(c)}: {_show(c.old)} → {_show(c.new)}" for c in changes]
    if result.total[0] != result.total[1]:
        lines.append(f"Tổng điểm: {_show(result.total[0])} → {_show(result.total[1])}")
    if result.verdict[0] != result.verdict[1]:
        lines.append(f"Kết quả: {result.verdict[0] or '(chưa chấm)'} → {result.verdict[1]}")
    for paper in result.papers:
        status = {"sua": "sửa", "them": "mới", "bo": "không còn"}[paper.status]
        lines.append(f"{paper.name} ({paper.file}): {status}")
        for (old, new), place in zip(paper.paragraphs, paper.places, strict=True):
            indent = "  "
            if place:
                lines.append(f"  Ô {place}:")
                indent = "    "
            if old is not None:
                lines.append(f"{indent}- {old}")
            if new is not None:
                lines.append(f"{indent}+ {new}")
    lines += ["", "Giải trình:", result.summary]
    return lines


def _points_name(change: PointsChange) -> str:
    """ "Tiêu chí 4 (Trẻ em bị xâm hại)" (the papers' naming), "Mục 4.1 …" for a sub-item."""
    if change.no is None and "." in change.id:
        return f"Mục {change.id} {change.name}"
    named = {"no": change.no, "letter": change.id, "name": change.name}
    return vnformat.upper_first(criterion_name(named))
