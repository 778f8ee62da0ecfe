"""Scoring rule sets (Decision 06 and its successors) as data: model and validating loader.

A rule set is a TOML file: name, version and source; the recognition threshold of each
unit type; the criteria with their sub-items, each naming the indicators it reads, how
they become a measure (its kind) and the tiers that turn the measure into points. The
loader checks everything a district could get wrong when editing a copy and reports
every problem at once, each naming the file, the rule id and what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from pipeline.common.errors import InputError, Problem, did_you_mean
from pipeline.common.vnformat import number
from pipeline.files.resources import data_file
from pipeline.model.indicators import Indicator, catalogue
from pipeline.model.labels import criterion_title, fill, known_list, unknown_placeholders
from pipeline.model.profile import UNIT_TYPES, read_toml
from pipeline.model.units import Words

SHIPPED_RULES = "qd06-2019.toml"

# The commune-wide count the loader accepts besides the catalogue's codes.
VILLAGE_COUNT = "so_thon"

# Criterion letters of Điều 2 khoản 1: the Vietnamese alphabet has no f, j.
LETTERS = ("a", "b", "c", "d", "đ", "e", "g", "h", "i", "k", "l", "m", "n", "o", "p", "q", "r")

Kind = Literal[
    "yes_no", "rate", "count_vs_previous", "amount_positive", "village_share", "zero_count"
]
KINDS: tuple[Kind, ...] = (
    "yes_no",
    "rate",
    "count_vs_previous",
    "amount_positive",
    "village_share",
    "zero_count",
)
COMPARISONS = (">=", ">", "<=", "<", "==")
_DESCENDING = (">=", ">")  # bounds must fall from tier to tier
_ASCENDING = ("<=", "<")  # bounds must rise

# Which tier conditions each kind accepts, and whether its bound is a percentage.
_OPS: dict[Kind, tuple[str, ...]] = {
    "yes_no": ("yes",),
    "rate": COMPARISONS,
    "village_share": COMPARISONS,
    "count_vs_previous": (*COMPARISONS, "below_previous"),
    "amount_positive": COMPARISONS,
    "zero_count": COMPARISONS,
}
_PERCENT_KINDS = ("rate", "village_share")

# The indicator roles each kind reads (TOML key -> accepted indicator kinds and level).
_ROLES: dict[Kind, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "yes_no": {"indicator": (("yes_no",), ("xa",))},
    "rate": {
        "numerator": (("count",), ("thon", "xa")),
        "denominator": (("count",), ("thon", "xa")),
    },
    "village_share": {"indicator": (("yes_no",), ("thon",))},
    "count_vs_previous": {
        "indicator": (("count",), ("thon", "xa")),
        "previous": (("count",), ("thon", "xa")),
    },
    "amount_positive": {"indicator": (("amount", "count"), ("thon", "xa"))},
    "zero_count": {"indicator": (("count",), ("thon", "xa"))},
}

_TOP_KEYS = ("name", "version", "source", "scale", "thresholds", "criteria")
_CRITERION_KEYS = ("no", "letter", "name", "max", "provisional", "source", "items")
_ITEM_KEYS = (
    "id",
    "label",
    "kind",
    "indicator",
    "numerator",
    "denominator",
    "previous",
    "max",
    "provisional",
    "source",
    "tiers",
)
_TIER_KEYS = ("op", "bound", "points", "provisional")

_SYMBOLS = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}


@dataclass(frozen=True)
class Tier:
    """One line of a sub-item's scale: when the condition holds, these points."""

    op: str
    bound: Fraction | None
    points: Decimal
    provisional: bool

    def holds(self, measure: Fraction | bool, previous: int | None = None) -> bool:
        if self.op == "yes":
            return measure is True
        if self.op == "below_previous":
            return previous is not None and measure < previous
        assert self.bound is not None and not isinstance(measure, bool)
        return {
            ">=": measure >= self.bound,
            ">": measure > self.bound,
            "<=": measure <= self.bound,
            "<": measure < self.bound,
            "==": measure == self.bound,
        }[self.op]

    def condition(self, kind: Kind) -> str:
        """The condition in Vietnamese, as the score workbook prints it: `≥ 95%`, `Có`."""
        if self.op == "yes":
            return "Có"
        if self.op == "below_previous":
            return "ít hơn kỳ trước"
        assert self.bound is not None
        bound = _plain(self.bound)
        unit = "%" if kind in _PERCENT_KINDS else ""
        return f"{_SYMBOLS[self.op]} {bound}{unit}"

    def describe(self, kind: Kind) -> str:
        return f"{self.condition(kind)} → {_plain(self.points)}"


@dataclass(frozen=True)
class Item:
    """A sub-item ("6.1"): what it reads, how it is measured, and its tiers top-down."""

    id: str
    label: str
    kind: Kind
    indicators: dict[str, str]  # role ("indicator", "numerator", …) -> indicator code
    max: Decimal
    tiers: tuple[Tier, ...]
    provisional: bool
    source: str

    @property
    def codes(self) -> tuple[str, ...]:
        codes = tuple(self.indicators.values())
        return (*codes, VILLAGE_COUNT) if self.kind == "village_share" else codes

    def describe(self) -> str:
        """The whole scale on one line: `≥ 95% → 50; ≥ 90% → 30; còn lại → 0`."""
        return "; ".join([*(t.describe(self.kind) for t in self.tiers), "còn lại → 0"])


@dataclass(frozen=True)
class Criterion:
    no: int
    letter: str
    name: str
    max: Decimal
    provisional: bool
    source: str
    items: tuple[Item, ...]

    @property
    def title(self) -> str:
        """ "tiêu chí 10 (Trẻ em đến trường, lớp mầm non)": see `labels.criterion_title`."""
        return criterion_title(self.no, self.name)


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    source: str
    scale: Decimal
    thresholds: dict[str, Decimal]
    criteria: tuple[Criterion, ...]
    file: str = field(default="", compare=False)

    def items(self) -> Iterator[Item]:
        for criterion in self.criteria:
            yield from criterion.items

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items() if i.id == item_id), None)

    def in_words(self, words: Words) -> RuleSet:
        """The same rules with names, labels and sources in one dossier's words
        (`{cap_thon}` -> "tổ dân phố"): what a scorecard records and the papers print."""
        return replace(
            self,
            criteria=tuple(
                replace(
                    c,
                    name=fill(c.name, words),
                    source=fill(c.source, words),
                    items=tuple(
                        replace(i, label=fill(i.label, words), source=fill(i.source, words))
                        for i in c.items
                    ),
                )
                for c in self.criteria
            ),
        )


def _plain(value: Fraction | Decimal) -> str:
    """A bound or a point value as a short Vietnamese number (`97,5`, `100`, `66,67`)."""
    return number(value, 2)


# --- loading -------------------------------------------------------------------------------


def shipped_path() -> Path:
    """The rule set that ships with the package (Decision 06/QĐ-TTg of 2019)."""
    return Path(str(data_file(SHIPPED_RULES)))


def load_rules(path: Path | None = None) -> RuleSet:
    """Load and validate a rule file (default: the shipped one); InputError lists every problem."""
    path = path or shipped_path()
    raw = read_toml(path)
    checker = _Checker(str(path))
    rules = checker.rule_set(raw)
    if checker.problems or rules is None:
        raise InputError(checker.problems)
    return rules


def parse_rules(raw: dict[str, Any], file: str) -> tuple[RuleSet | None, list[Problem]]:
    """Validate an already parsed rule file: the rule set (when valid) and the problems."""
    checker = _Checker(file)
    rules = checker.rule_set(raw)
    return (None if checker.problems else rules), checker.problems


class _Checker:
    """Builds the model while recording a Problem, located by rule id, for every mistake."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.catalogue: dict[str, Indicator] = catalogue()

    def problem(self, where: str, found: Problem, value: Any = None) -> None:
        """Record `found` (made by Problem.of) at rule `where`, with the value written there."""
        shown = None if value is None else str(value)
        self.problems.append(replace(found, file=self.file, field=where, value=shown))

    def unknown_keys(self, where: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
        for name in table:
            if name not in allowed:
                guess = did_you_mean(name, allowed)
                hint = (
                    f"có phải ý bạn là {guess}?"
                    if guess
                    else "các khóa hợp lệ: " + ", ".join(allowed)
                )
                self.problem(
                    f"{where} › {name}", Problem.of("khoa-la", variant="bo-tieu-chi", hint=hint)
                )

    def text(self, where: str, table: dict[str, Any], key: str) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(
                f"{where} › {key}",
                Problem.of("chua-dien", variant="chu", hint=f'ghi {key} = "…".'),
            )
            return ""
        return value.strip()

    def shown_text(self, where: str, table: dict[str, Any], key: str) -> str:
        """A text printed for the dossier: its placeholders must be ones `fill` knows."""
        text = self.text(where, table, key)
        for unknown in unknown_placeholders(text):
            self.problem(
                f"{where} › {key}",
                Problem.of(
                    "cho-dien-la",
                    hint=f"dùng một trong: {known_list()} (thay bằng từ của đơn vị khi in); "
                    "hoặc bỏ dấu ngoặc nhọn.",
                    unknown=unknown,
                ),
                unknown,
            )
        return text

    def number(self, where: str, table: dict[str, Any], key: str) -> Decimal | None:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(
                f"{where} › {key}",
                Problem.of(
                    "khong-phai-so",
                    variant="thieu",
                    hint=f"ghi {key} = một số, ví dụ {key} = 50.",
                ),
                value,
            )
            return None
        amount = Decimal(str(value))
        if not amount.is_finite() or amount < 0:
            self.problem(
                f"{where} › {key}",
                Problem.of("khong-phai-so", variant="am", hint=""),
                value,
            )
            return None
        return amount

    def flag(self, where: str, table: dict[str, Any], key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.problem(
                f"{where} › {key}", Problem.of("sai-kieu", variant="dung-sai", hint=""), value
            )
            return default
        return value

    def rule_set(self, raw: dict[str, Any]) -> RuleSet | None:
        self.unknown_keys("bộ tiêu chí", raw, _TOP_KEYS)
        name = self.text("bộ tiêu chí", raw, "name")
        version = self.text("bộ tiêu chí", raw, "version")
        source = self.text("bộ tiêu chí", raw, "source")
        scale = self.number("bộ tiêu chí", raw, "scale")
        thresholds = self.thresholds(raw.get("thresholds"), scale)
        criteria, declared = self.criteria(raw.get("criteria"))
        if scale is not None and declared is not None and declared != scale:
            self.problem(
                "bộ tiêu chí › scale",
                Problem.of(
                    "tong-tieu-chi",
                    hint="sửa max của các tiêu chí hoặc scale cho khớp.",
                    declared=_plain(declared),
                    scale=_plain(scale),
                ),
            )
        if self.problems or scale is None:
            return None
        return RuleSet(name, version, source, scale, thresholds, criteria, self.file)

    def thresholds(self, raw: Any, scale: Decimal | None) -> dict[str, Decimal]:
        where = "thresholds"
        if not isinstance(raw, dict):
            self.problem(
                where,
                Problem.of("thieu-bang", variant="nguong", hint=_threshold_hint()),
            )
            return {}
        self.unknown_keys(where, raw, tuple(UNIT_TYPES))
        result: dict[str, Decimal] = {}
        for unit in UNIT_TYPES:
            if unit not in raw:
                self.problem(
                    f"{where} › {unit}",
                    Problem.of("chua-dien", variant="thieu-nguong", hint=_threshold_hint()),
                )
                continue
            value = self.number(where, raw, unit)
            if value is None:
                continue
            if scale is not None and value > scale:
                self.problem(
                    f"{where} › {unit}",
                    Problem.of(
                        "nguong-vuot-thang",
                        hint="ngưỡng phải nằm trong thang điểm.",
                        shown=_plain(value),
                        scale=_plain(scale),
                    ),
                )
            result[unit] = value
        return result

    def criteria(self, raw: Any) -> tuple[tuple[Criterion, ...], Decimal | None]:
        """The criteria, and the sum of their declared maxima (None when one is unreadable)."""
        if not isinstance(raw, list) or not raw:
            self.problem(
                "criteria",
                Problem.of("thieu-bang", variant="tieu-chi", hint="thêm các bảng [[criteria]]."),
            )
            return (), None
        result: list[Criterion] = []
        declared: Decimal | None = Decimal(0)
        seen_no: set[int] = set()
        seen_letters: set[str] = set()
        seen_items: set[str] = set()
        for index, table in enumerate(raw, start=1):
            where = f"tiêu chí thứ {index}"
            if not isinstance(table, dict):
                self.problem(
                    where,
                    Problem.of(
                        "sai-kieu", variant="bang-tieu-chi", hint="viết thành [[criteria]]."
                    ),
                )
                continue
            no = table.get("no")
            if isinstance(no, bool) or not isinstance(no, int) or no < 1:
                self.problem(
                    f"{where} › no",
                    Problem.of("khong-phai-so", variant="so-thu-tu", hint="ghi no = 1, 2, …"),
                    no,
                )
                no = 0
            else:
                where = f"tiêu chí {no}"
                if no in seen_no:
                    self.problem(
                        where,
                        Problem.of(
                            "trung-ma",
                            variant="tieu-chi",
                            hint="mỗi số thứ tự chỉ dùng một lần.",
                            no=no,
                        ),
                    )
                seen_no.add(no)
            self.unknown_keys(where, table, _CRITERION_KEYS)
            letter = self.text(where, table, "letter")
            if letter and letter not in LETTERS:
                self.problem(
                    f"{where} › letter",
                    Problem.of(
                        "chu-cai-sai",
                        hint="dùng a, b, c, d, đ, e, g, h, i, k, l, m, n (không có f, j).",
                        letter=letter,
                    ),
                    letter,
                )
            elif letter in seen_letters:
                self.problem(
                    f"{where} › letter",
                    Problem.of(
                        "trung-ma",
                        variant="chu-cai",
                        hint="mỗi tiêu chí một chữ cái.",
                        letter=letter,
                    ),
                    letter,
                )
            seen_letters.add(letter)
            name = self.shown_text(where, table, "name")
            maximum = self.number(where, table, "max")
            provisional = self.flag(where, table, "provisional", False)
            source = self.shown_text(where, table, "source")
            items, total = self.items(where, no, table.get("items"), seen_items, provisional)
            declared = None if declared is None or maximum is None else declared + maximum
            if maximum is not None and total is not None and total != maximum:
                self.problem(
                    f"{where} › max",
                    Problem.of(
                        "tong-muc",
                        hint="sửa max của các mục hoặc của tiêu chí cho khớp.",
                        total=_plain(total),
                        maximum=_plain(maximum),
                    ),
                )
            result.append(
                Criterion(no, letter, name, maximum or Decimal(0), provisional, source, items)
            )
        return tuple(result), declared

    def items(
        self, parent: str, no: int, raw: Any, seen: set[str], provisional: bool
    ) -> tuple[tuple[Item, ...], Decimal | None]:
        """The valid sub-items, and the sum of all declared maxima (None if one is unreadable)."""
        if not isinstance(raw, list) or not raw:
            self.problem(
                parent,
                Problem.of(
                    "thieu-bang",
                    variant="muc",
                    hint="thêm các bảng [[criteria.items]] ngay sau tiêu chí.",
                ),
            )
            return (), None
        result: list[Item] = []
        declared: Decimal | None = Decimal(0)
        for index, table in enumerate(raw, start=1):
            where = f"{parent}, mục thứ {index}"
            if not isinstance(table, dict):
                self.problem(
                    where,
                    Problem.of(
                        "sai-kieu", variant="bang-tieu-chi", hint="viết thành [[criteria.items]]."
                    ),
                )
                declared = None
                continue
            item_id = self.text(where, table, "id")
            if item_id:
                where = f"mục {item_id}"
                if item_id in seen:
                    self.problem(
                        where,
                        Problem.of(
                            "trung-ma",
                            variant="muc",
                            hint="mỗi mã mục chỉ dùng một lần.",
                            item_id=item_id,
                        ),
                    )
                elif no and not item_id.startswith(f"{no}."):
                    self.problem(
                        where,
                        Problem.of(
                            "ma-muc-sai",
                            hint=f'mục của tiêu chí {no} đánh số "{no}.1", "{no}.2", …',
                            item_id=item_id,
                            no=no,
                        ),
                    )
                seen.add(item_id)
            item = self.item(where, item_id, table, provisional)
            if item is not None:
                result.append(item)
            # Sum what the file declares, so one broken tier does not also report the total.
            maximum = table.get("max")
            if (
                declared is None
                or isinstance(maximum, bool)
                or not isinstance(maximum, int | float)
            ):
                declared = None
            else:
                declared += Decimal(str(maximum))
        return tuple(result), declared

    def item(
        self, where: str, item_id: str, table: dict[str, Any], provisional: bool
    ) -> Item | None:
        self.unknown_keys(where, table, _ITEM_KEYS)
        label = self.shown_text(where, table, "label")
        source = self.shown_text(where, table, "source")
        maximum = self.number(where, table, "max")
        flag = self.flag(where, table, "provisional", provisional)
        kind = table.get("kind")
        if kind not in KINDS:
            guess = did_you_mean(str(kind), KINDS)
            self.problem(
                f"{where} › kind",
                Problem.of(
                    "loai-la",
                    variant="cach-tinh",
                    hint=f"có phải ý bạn là {guess}?"
                    if guess
                    else "dùng một trong: " + ", ".join(KINDS),
                    kind=kind,
                ),
                kind,
            )
            return None
        indicators = self.indicators(where, kind, table)
        tiers = self.tiers(where, kind, table.get("tiers"), maximum, flag)
        if maximum is None or indicators is None or tiers is None:
            return None
        return Item(item_id, label, kind, indicators, maximum, tiers, flag, source)

    def indicators(self, where: str, kind: Kind, table: dict[str, Any]) -> dict[str, str] | None:
        roles = _ROLES[kind]
        result: dict[str, str] = {}
        ok = True
        for role in ("indicator", "numerator", "denominator", "previous"):
            if role in table and role not in roles:
                self.problem(
                    f"{where} › {role}",
                    Problem.of(
                        "khoa-thua",
                        variant="loai",
                        hint="dùng: " + ", ".join(roles) + ".",
                        kind=kind,
                        role=role,
                    ),
                )
                ok = False
        for role, (kinds, levels) in roles.items():
            code = table.get(role)
            if not isinstance(code, str) or not code:
                self.problem(
                    f"{where} › {role}",
                    Problem.of(
                        "chua-dien", variant="chua-ghi-ma", hint=f'ghi {role} = "<mã chỉ tiêu>".'
                    ),
                )
                ok = False
                continue
            indicator = self.catalogue.get(code)
            if indicator is None:
                guess = did_you_mean(code, self.catalogue)
                self.problem(
                    f"{where} › {role}",
                    Problem.of(
                        "chi-tieu-la",
                        hint=f"có phải ý bạn là {guess}?"
                        if guess
                        else "dùng mã chỉ tiêu của biểu mẫu (xem data/indicators.toml).",
                        code_text=code,
                    ),
                    code,
                )
                ok = False
                continue
            if indicator.kind not in kinds or indicator.level not in levels:
                self.problem(
                    f"{where} › {role}",
                    Problem.of(
                        "chi-tieu-sai-loai",
                        hint="cần chỉ tiêu " + "/".join(kinds) + " cấp " + "/".join(levels) + ".",
                        code_text=code,
                        kind=indicator.kind,
                        level=indicator.level,
                        kind2=kind,
                    ),
                    code,
                )
                ok = False
                continue
            result[role] = code
        return result if ok else None

    def tiers(
        self, where: str, kind: Kind, raw: Any, maximum: Decimal | None, provisional: bool
    ) -> tuple[Tier, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(
                f"{where} › tiers",
                Problem.of(
                    "thieu-bac", hint='ghi tiers = [{ op = ">=", bound = 95, points = 50 }, …].'
                ),
            )
            return None
        before = len(self.problems)
        tiers: list[Tier] = []
        for index, table in enumerate(raw, start=1):
            at = f"{where} › bậc {index}"
            if not isinstance(table, dict):
                self.problem(
                    at,
                    Problem.of(
                        "sai-kieu", variant="bang-tieu-chi", hint="viết { op = …, points = … }."
                    ),
                )
                continue
            self.unknown_keys(at, table, _TIER_KEYS)
            op = table.get("op")
            allowed = _OPS[kind]
            if op not in allowed:
                self.problem(
                    f"{at} › op",
                    Problem.of(
                        "phep-so-sanh-la",
                        hint="dùng một trong: " + ", ".join(allowed) + ".",
                        op=op,
                        kind=kind,
                    ),
                    op,
                )
                continue
            bound: Fraction | None = None
            if op in COMPARISONS:
                amount = self.number(at, table, "bound")
                if amount is None:
                    continue
                bound = Fraction(amount)
                if kind in _PERCENT_KINDS and bound > 100:
                    self.problem(
                        f"{at} › bound",
                        Problem.of("ty-le-vuot-100", hint="ghi tỷ lệ từ 0 đến 100."),
                        table.get("bound"),
                    )
            elif "bound" in table:
                self.problem(
                    f"{at} › bound",
                    Problem.of("khoa-thua", variant="dieu-kien", hint="xóa bound.", op=op),
                )
            points = self.number(at, table, "points")
            if points is None:
                continue
            if maximum is not None and points > maximum:
                self.problem(
                    f"{at} › points",
                    Problem.of(
                        "bac-vuot-toi-da",
                        hint="giảm điểm của bậc hoặc tăng max.",
                        points=_plain(points),
                        maximum=_plain(maximum),
                    ),
                )
            tiers.append(Tier(op, bound, points, self.flag(at, table, "provisional", provisional)))
        if len(self.problems) > before:
            return None
        self.tier_order(where, kind, tiers, maximum)
        return tuple(tiers) if len(self.problems) == before else None

    def tier_order(
        self, where: str, kind: Kind, tiers: list[Tier], maximum: Decimal | None
    ) -> None:
        if maximum is not None and tiers[0].points != maximum:
            self.problem(
                f"{where} › bậc 1",
                Problem.of(
                    "bac-dau-khong-toi-da",
                    hint="bậc đầu (điều kiện cao nhất) phải cho điểm tối đa của mục.",
                    first_points=_plain(tiers[0].points),
                    maximum=_plain(maximum),
                ),
            )
        directions = {
            "down" if t.op in _DESCENDING else "up"
            for t in tiers
            if t.op in _DESCENDING or t.op in _ASCENDING
        }
        if len(directions) > 1:
            self.problem(
                f"{where} › tiers",
                Problem.of(
                    "bac-sai-thu-tu",
                    variant="tron-dieu-kien",
                    hint="một mục chỉ so sánh theo một chiều.",
                ),
            )
            return
        for index, (upper, lower) in enumerate(pairwise(tiers), start=2):
            at = f"{where} › bậc {index}"
            if lower.points > upper.points:
                self.problem(
                    at,
                    Problem.of(
                        "bac-sai-thu-tu",
                        variant="nhieu-diem-hon",
                        hint="xếp các bậc từ cao xuống thấp: bậc trên cho nhiều điểm nhất.",
                        index=index,
                        previous=index - 1,
                    ),
                )
            if upper.bound is None or lower.bound is None:
                continue
            shadowed = (
                (upper.op in _DESCENDING and lower.bound > upper.bound)
                or (upper.op in _ASCENDING and lower.bound < upper.bound)
                or (upper.op, upper.bound) == (lower.op, lower.bound)
            )
            if shadowed:
                self.problem(
                    at,
                    Problem.of(
                        "bac-sai-thu-tu",
                        variant="khong-duoc-xet",
                        hint="xếp các bậc từ điều kiện chặt nhất xuống.",
                        index=index,
                        lower=lower.condition(kind),
                        previous=index - 1,
                        upper=upper.condition(kind),
                    ),
                )


def _threshold_hint() -> str:
    return "ghi [thresholds] với " + ", ".join(f"{k} = {v}" for k, v in UNIT_TYPES.items()) + "."
