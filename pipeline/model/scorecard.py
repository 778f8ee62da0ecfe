"""The scorecard (`scorecard.json`): every sub-item's points traced to its rule and data.

Plain dataclasses with exact numbers (Decimal points, Fraction rates) and a JSON form
that loads back to an equal object, so `render` and outside tools read what `score` wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.files.jsonfile import load_json
from pipeline.model.labels import RESULT_WORDS, criterion_title

SCHEMA_VERSION = 1
SCORECARD_NAME = "scorecard.json"

Measure = bool | int | Decimal

UNIT_NAMES = {
    "phuong_do_thi": "phường đô thị",
    "mien_nui": "miền núi, hải đảo, xã đặc biệt khó khăn",
    "con_lai": "đơn vị còn lại",
}

# How the papers name the Decision's category of a unit where they state its threshold
# ("ngưỡng điểm công nhận đối với xã thuộc vùng miền núi, hải đảo, vùng đặc biệt khó khăn là
# 800 điểm"). The 900 category holds only wards, the 800 one only communes and towns: a ward
# in the remaining category is one outside a centrally-run city.
_GROUPS = {
    "phuong_do_thi": "{cap} thuộc thành phố trực thuộc trung ương",
    "mien_nui": "{cap} thuộc vùng miền núi, hải đảo, vùng đặc biệt khó khăn",
    "con_lai": "{cap} không thuộc vùng miền núi, hải đảo, vùng đặc biệt khó khăn",
}
_GROUP_OTHER_WARD = "phường không thuộc thành phố trực thuộc trung ương"


def threshold_group(unit_type: str, cap: str) -> str:
    """The unit's category in the Decision's words, named with the unit's own kind."""
    if unit_type == "con_lai" and cap == "phường":
        return _GROUP_OTHER_WARD
    return _GROUPS.get(unit_type, "{cap}").replace("{cap}", cap)


@dataclass(frozen=True)
class OverrideRecord:
    """A council override: the awarded points and the written reason."""

    points: Decimal
    reason: str


@dataclass(frozen=True)
class ItemScore:
    """One sub-item: data read, measure, the tier that applied, computed and awarded points."""

    id: str
    label: str
    kind: str
    indicators: tuple[str, ...]
    max: Decimal
    computed: Decimal
    points: Decimal
    value: Measure | None  # the measure the tiers compared (a rate in %, a count, yes/no)
    numerator: int | None
    denominator: int | None
    previous: int | None
    rate: Fraction | None  # percent, exact
    tier: int | None  # 1-based index of the tier that applied; None: no tier held
    rule: str  # the tier that applied, in words ("≥ 95% → 50"), or "còn lại → 0"
    scale: str  # the whole scale in words
    note: str | None
    provisional: bool
    source: str
    override: OverrideRecord | None


@dataclass(frozen=True)
class CriterionScore:
    no: int
    letter: str
    name: str
    max: Decimal
    computed: Decimal
    points: Decimal
    items: tuple[ItemScore, ...]

    @property
    def title(self) -> str:
        """ "tiêu chí 10 (Trẻ em đến trường, lớp mầm non)": see `labels.criterion_title`."""
        return criterion_title(self.no, self.name)


@dataclass(frozen=True)
class RuleSetRef:
    name: str
    version: str
    source: str
    file: str  # "" for the shipped rule set, else the path as the profile names it


@dataclass(frozen=True)
class Scorecard:
    xa: str
    nam: int
    unit_type: str
    rule_set: RuleSetRef
    criteria: tuple[CriterionScore, ...]
    scale: Decimal
    threshold: Decimal
    total: Decimal
    computed_total: Decimal
    recognized: bool
    zero_criteria: tuple[int, ...]
    reasons: tuple[str, ...]
    provisional_items: tuple[str, ...]
    # sha256 of what was scored (data.json, rule set, overrides, unit type): render refuses a
    # scorecard whose inputs have changed since.
    inputs_digest: str = ""
    # What was scored, file by file (stages/freshness.py): the stale check names the change.
    inputs: dict[str, str] = field(default_factory=dict)
    profile_keys: dict[str, str] = field(default_factory=dict)
    hoso_version: str = ""
    # sha256 of the score workbook written with this scorecard: a hand edit is noticed.

    def items(self) -> list[ItemScore]:
        return [item for c in self.criteria for item in c.items]

    @property
    def result(self) -> str:
        """The result as the papers word it: "đạt" or "chưa đạt"."""
        return RESULT_WORDS[self.recognized]

    def inconsistencies(self) -> list[str]:
        """What does not add up (Vietnamese), e.g. a total edited by hand; [] when it does."""
        found: list[str] = []

        def differs(a: Decimal, b: Decimal) -> bool:
            # The JSON carries floats of 2-decimal points: exact to well under a hundredth.
            return abs(a - b) > _TOLERANCE

        for c in self.criteria:
            for item in c.items:
                if not Decimal(0) <= item.points <= item.max:
                    found.append(f"mục {item.id} có {_n(item.points)} điểm, tối đa {_n(item.max)}")
                if item.override is None and differs(item.points, item.computed):
                    found.append(
                        f"mục {item.id}: {_n(item.points)} điểm nhưng tính được "
                        f"{_n(item.computed)}, không có điều chỉnh của Hội đồng"
                    )
            for name, value, parts in (
                ("điểm", c.points, sum((i.points for i in c.items), Decimal(0))),
                ("điểm tính", c.computed, sum((i.computed for i in c.items), Decimal(0))),
            ):
                if differs(value, parts):
                    found.append(
                        f"tiêu chí {c.no} ghi {name} {_n(value)} nhưng các mục cộng lại {_n(parts)}"
                    )
        for name, value, parts in (
            ("tổng điểm", self.total, sum((c.points for c in self.criteria), Decimal(0))),
            (
                "tổng điểm tính",
                self.computed_total,
                sum((c.computed for c in self.criteria), Decimal(0)),
            ),
        ):
            if differs(value, parts):
                found.append(f"{name} ghi {_n(value)} nhưng các tiêu chí cộng lại {_n(parts)}")
        zero = tuple(c.no for c in self.criteria if c.points == 0)
        if zero != self.zero_criteria:
            found.append("danh sách tiêu chí 0 điểm không đúng với điểm các tiêu chí")
        if self.recognized != (self.total >= self.threshold and not zero):
            found.append(
                f"kết quả {self.result} không đúng với tổng điểm {_n(self.total)} và "
                f"ngưỡng {_n(self.threshold)}"
            )
        return found

    def provisional_warning(self) -> str:
        """Why the result must be checked: which sub-items used provisional rules."""
        ids = ", ".join(self.provisional_items)
        return (
            f"{len(self.provisional_items)} mục được chấm theo quy tắc tạm tính "
            f"(chưa đối chiếu được với bảng điểm chính thức): {ids}. "
            "Hội đồng cần kiểm tra lại các mục này với văn bản hướng dẫn hiện hành."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "xa": self.xa,
            "nam": self.nam,
            "unit_type": self.unit_type,
            "rule_set": {
                "name": self.rule_set.name,
                "version": self.rule_set.version,
                "source": self.rule_set.source,
                "file": self.rule_set.file,
            },
            "scale": _whole(self.scale),
            "threshold": _whole(self.threshold),
            "total": float(self.total),
            "computed_total": float(self.computed_total),
            "recognized": self.recognized,
            "zero_criteria": list(self.zero_criteria),
            "reasons": list(self.reasons),
            "provisional_items": list(self.provisional_items),
            "inputs_digest": self.inputs_digest,
            "inputs": [{"file": f, "sha256": h} for f, h in sorted(self.inputs.items())],
            "profile_keys": dict(sorted(self.profile_keys.items())),
            "hoso_version": self.hoso_version,
            "criteria": [_criterion_json(c) for c in self.criteria],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scorecard:
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported scorecard schema {data.get('schema')!r}")
        ref = data["rule_set"]
        return cls(
            xa=data["xa"],
            nam=int(data["nam"]),
            unit_type=data["unit_type"],
            rule_set=RuleSetRef(ref["name"], ref["version"], ref["source"], ref["file"]),
            criteria=tuple(_criterion_from_json(c) for c in data["criteria"]),
            scale=_dec(data["scale"]),
            threshold=_dec(data["threshold"]),
            total=_dec(data["total"]),
            computed_total=_dec(data["computed_total"]),
            recognized=bool(data["recognized"]),
            zero_criteria=tuple(int(n) for n in data["zero_criteria"]),
            reasons=tuple(data["reasons"]),
            provisional_items=tuple(data["provisional_items"]),
            inputs_digest=str(data.get("inputs_digest", "")),
            inputs={str(i["file"]): str(i["sha256"]) for i in data.get("inputs", [])},
            profile_keys={str(k): str(v) for k, v in data.get("profile_keys", {}).items()},
            hoso_version=str(data.get("hoso_version", "")),
        )


_TOLERANCE = Decimal("0.005")


def _n(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def _whole(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _measure_json(value: Measure | None) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _measure_from_json(value: Any) -> Measure | None:
    if isinstance(value, float):
        return Decimal(str(value))
    return value  # type: ignore[no-any-return]


def _criterion_json(c: CriterionScore) -> dict[str, Any]:
    return {
        "no": c.no,
        "letter": c.letter,
        "name": c.name,
        "max": _whole(c.max),
        "computed": float(c.computed),
        "points": float(c.points),
        "items": [_item_json(i) for i in c.items],
    }


def _criterion_from_json(c: dict[str, Any]) -> CriterionScore:
    return CriterionScore(
        no=int(c["no"]),
        letter=c["letter"],
        name=c["name"],
        max=_dec(c["max"]),
        computed=_dec(c["computed"]),
        points=_dec(c["points"]),
        items=tuple(_item_from_json(i) for i in c["items"]),
    )


def _item_json(i: ItemScore) -> dict[str, Any]:
    return {
        "id": i.id,
        "label": i.label,
        "kind": i.kind,
        "indicators": list(i.indicators),
        "max": _whole(i.max),
        "computed": float(i.computed),
        "points": float(i.points),
        "value": _measure_json(i.value),
        "numerator": i.numerator,
        "denominator": i.denominator,
        "previous": i.previous,
        "rate": None if i.rate is None else float(i.rate),
        "rate_exact": None if i.rate is None else str(i.rate),
        "tier": i.tier,
        "rule": i.rule,
        "scale": i.scale,
        "note": i.note,
        "provisional": i.provisional,
        "source": i.source,
        "override": None
        if i.override is None
        else {"points": float(i.override.points), "reason": i.override.reason},
    }


def _item_from_json(i: dict[str, Any]) -> ItemScore:
    override = i["override"]
    return ItemScore(
        id=i["id"],
        label=i["label"],
        kind=i["kind"],
        indicators=tuple(i["indicators"]),
        max=_dec(i["max"]),
        computed=_dec(i["computed"]),
        points=_dec(i["points"]),
        value=_measure_from_json(i["value"]),
        numerator=i["numerator"],
        denominator=i["denominator"],
        previous=i["previous"],
        rate=None if i["rate_exact"] is None else Fraction(i["rate_exact"]),
        tier=i["tier"],
        rule=i["rule"],
        scale=i["scale"],
        note=i["note"],
        provisional=bool(i["provisional"]),
        source=i["source"],
        override=None
        if override is None
        else OverrideRecord(_dec(override["points"]), override["reason"]),
    )


def dumps(card: Scorecard) -> bytes:
    """Stable JSON bytes (UTF-8, keys in a fixed order) for hashing and diffs."""
    text = json.dumps(card.to_json(), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def load(path: Path) -> Scorecard:
    """scorecard.json; ValueError when it is not one this version wrote (see jsonfile)."""
    return load_json(path, Scorecard.from_json)
