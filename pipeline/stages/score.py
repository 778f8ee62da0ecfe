"""`hoso score`: apply a rule set to a dossier's data, with council overrides, and the verdict.

`evaluate` is pure (rule set + data + unit type + overrides -> Scorecard); `score` reads the
dossier's files, evaluates and writes `scorecard.json` and the score workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from pipeline.common.errors import InputError, Problem, did_you_mean
from pipeline.common.vnformat import number, upper_first
from pipeline.files.outputset import locked
from pipeline.model import scorecard
from pipeline.model.dataset import DossierData, Scalar
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import catalogue
from pipeline.model.labels import BASE_WORDS, criteria_titles
from pipeline.model.layout import WORKBOOK_NAME
from pipeline.model.profile import Override, Profile
from pipeline.model.rules import VILLAGE_COUNT, Item, RuleSet, load_rules
from pipeline.model.scorecard import (
    UNIT_NAMES,
    CriterionScore,
    ItemScore,
    Measure,
    OverrideRecord,
    RuleSetRef,
    Scorecard,
)
from pipeline.model.units import Words
from pipeline.papers.score_workbook import workbook_bytes
from pipeline.stages.freshness import (
    SCORE,
    Record,
    check_out,
    current,
    data_and_bytes,
    data_problems,
    inputs_digest,
    with_written,
)

# What `hoso score` needs of hoso.toml: the unit, its own rule set and the council's overrides.
PROFILE_SECTIONS = ("don_vi", "danh_gia", "dieu_chinh")
# The signers the score workbook prints: blank is a line to sign by hand, a bad value is refused.
WRITTEN_KEYS = ("lanh_dao.chu_tich", "lanh_dao.cong_chuc_vhxh")

_ZERO = Decimal(0)


@dataclass(frozen=True)
class ScoreResult:
    scorecard: Scorecard
    written: tuple[Path, ...]
    words: Words


# --- evaluation ------------------------------------------------------------------------------


def evaluate(
    rules: RuleSet,
    data: DossierData,
    unit_type: str,
    overrides: Sequence[Override] = (),
    *,
    profile_file: str | None = None,
    rule_file: str = "",
    words: Words = BASE_WORDS,
) -> Scorecard:
    """Score `data` with `rules` for a unit of `unit_type`; raise InputError on bad overrides
    or missing data (all problems together). `words` name the unit in messages; the labels
    the scorecard records are those of `rules` (see `RuleSet.in_words`)."""
    totals = data.totals()
    problems = _missing_data(rules, totals, words)
    awarded, override_problems = _check_overrides(rules, overrides, profile_file)
    problems += override_problems
    if unit_type not in rules.thresholds:
        problems.append(
            Problem.of(
                "loai-la",
                variant="nguong",
                file=profile_file,
                field="don_vi.loai",
                value=unit_type,
                hint="dùng một loại có trong [thresholds] của bộ tiêu chí: "
                + ", ".join(rules.thresholds)
                + ".",
            )
        )
    if problems:
        raise InputError(problems)

    criteria: list[CriterionScore] = []
    for criterion in rules.criteria:
        items = tuple(_score_item(item, totals, awarded.get(item.id)) for item in criterion.items)
        criteria.append(
            CriterionScore(
                no=criterion.no,
                letter=criterion.letter,
                name=criterion.name,
                max=criterion.max,
                computed=sum((i.computed for i in items), start=_ZERO),
                points=sum((i.points for i in items), start=_ZERO),
                items=items,
            )
        )
    total = sum((c.points for c in criteria), start=_ZERO)
    threshold = rules.thresholds[unit_type]
    zero = tuple(c.no for c in criteria if c.points == 0)
    return Scorecard(
        xa=data.xa,
        nam=data.nam,
        unit_type=unit_type,
        rule_set=RuleSetRef(rules.name, rules.version, rules.source, rule_file),
        criteria=tuple(criteria),
        scale=rules.scale,
        threshold=threshold,
        total=total,
        computed_total=sum((c.computed for c in criteria), start=_ZERO),
        recognized=total >= threshold and not zero,
        zero_criteria=zero,
        reasons=_reasons(
            total, threshold, unit_type, [(c.no, c.name) for c in criteria if c.points == 0]
        ),
        provisional_items=tuple(i.id for c in criteria for i in c.items if i.provisional),
    )


def _reasons(
    total: Decimal, threshold: Decimal, unit_type: str, zero: list[tuple[int, str]]
) -> tuple[str, ...]:
    unit = UNIT_NAMES.get(unit_type, unit_type)
    if total >= threshold:
        first = f"Tổng điểm {number(total, 2)} đạt ngưỡng {number(threshold)} ({unit})."
    else:
        first = (
            f"Tổng điểm {number(total, 2)} thấp hơn ngưỡng {number(threshold)} ({unit}), "
            f"còn thiếu {number(threshold - total, 2)} điểm."
        )
    if zero:
        listed = upper_first(criteria_titles(zero))
        second = f"{listed} bị 0 điểm: có tiêu chí 0 điểm thì không được công nhận."
    else:
        second = "Không có tiêu chí nào bị 0 điểm."
    return (first, second)


def _missing_data(rules: RuleSet, totals: dict[str, Scalar], words: Words) -> list[Problem]:
    """Commune values the rule set reads but xa.xlsx did not give (village ones sum to 0)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for item in rules.items():
        for code in item.codes:
            if code in totals or code in seen:
                continue
            seen.add(code)
            problems.append(
                Problem.of(
                    "thieu-so-lieu",
                    file="xa.xlsx",
                    field=code,
                    indicator=catalogue()[code].label_in(words).lower(),
                    id=item.id,
                    cap=words.cap,
                )
            )
    return problems


def _check_overrides(
    rules: RuleSet, overrides: Sequence[Override], file: str | None
) -> tuple[dict[str, OverrideRecord], list[Problem]]:
    awarded: dict[str, OverrideRecord] = {}
    problems: list[Problem] = []
    ids = [item.id for item in rules.items()]
    for index, override in enumerate(overrides, start=1):
        key = f"dieu_chinh[{index}]"
        item = rules.item(override.muc)
        if item is None:
            guess = did_you_mean(override.muc, ids)
            problems.append(
                Problem.of(
                    "muc-la",
                    file=file,
                    field=f"{key}.muc",
                    value=override.muc,
                    hint=f'có phải ý bạn là "{guess}"?'
                    if guess
                    else 'ghi mã mục như trong biểu chấm điểm, ví dụ "8.2".',
                )
            )
            continue
        if override.muc in awarded:
            problems.append(
                Problem.of("trung-dieu-chinh", file=file, field=f"{key}.muc", value=override.muc)
            )
            continue
        if not _ZERO <= override.diem <= item.max:
            problems.append(
                Problem.of(
                    "diem-vuot-toi-da",
                    file=file,
                    field=f"{key}.diem",
                    value=str(override.diem),
                    score=number(override.diem, 2),
                    max_score=number(item.max, 2),
                    id=item.id,
                )
            )
            continue
        if not override.ly_do.strip():
            problems.append(
                Problem.of(
                    "thieu-ly-do",
                    variant="dieu-chinh",
                    file=file,
                    field=f"{key}.ly_do",
                    hint="Hội đồng phải ghi lý do điều chỉnh; lý do được in vào biên bản.",
                    id=item.id,
                )
            )
            continue
        awarded[item.id] = OverrideRecord(override.diem, override.ly_do.strip())
    return awarded, problems


def _score_item(
    item: Item, totals: dict[str, Scalar], override: OverrideRecord | None
) -> ItemScore:
    codes = item.indicators
    numerator = denominator = previous = None
    rate: Fraction | None = None
    value: Measure | None
    note: str | None = None
    tier_index: int | None = None

    if item.kind in ("rate", "village_share"):
        numerator = int(totals[codes["numerator" if item.kind == "rate" else "indicator"]])
        denominator = int(totals[codes["denominator"] if item.kind == "rate" else VILLAGE_COUNT])
        if denominator == 0:
            # Decision 06 as read (decision-06.md §3): no such children counts as fully met.
            tier_index = 0
            value = None
            note = "Không có trường hợp nào (mẫu số bằng 0): tính là đạt."
        else:
            rate = Fraction(100 * numerator, denominator)
            value = Decimal(rate.numerator) / Decimal(rate.denominator)
            value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            tier_index = _first_tier(item, rate)
    elif item.kind == "yes_no":
        value = bool(totals[codes["indicator"]])
        tier_index = _first_tier(item, value)
    else:
        raw = totals[codes["indicator"]]
        value = raw
        if item.kind == "count_vs_previous":
            previous = int(totals[codes["previous"]])
        measure = Fraction(str(raw)) if isinstance(raw, Decimal) else Fraction(int(raw))
        tier_index = _first_tier(item, measure, previous)

    tier = None if tier_index is None else item.tiers[tier_index]
    computed = _ZERO if tier is None else tier.points
    provisional = item.provisional if tier is None else tier.provisional
    return ItemScore(
        id=item.id,
        label=item.label,
        kind=item.kind,
        indicators=item.codes,
        max=item.max,
        computed=computed,
        points=computed if override is None else override.points,
        value=value,
        numerator=numerator,
        denominator=denominator,
        previous=previous,
        rate=rate,
        tier=None if tier_index is None else tier_index + 1,
        rule="còn lại → 0" if tier is None else tier.describe(item.kind),
        scale=item.describe(),
        note=note,
        provisional=provisional,
        source=item.source,
        override=override,
    )


def _first_tier(item: Item, measure: Fraction | bool, previous: int | None = None) -> int | None:
    for index, tier in enumerate(item.tiers):
        if tier.holds(measure, previous):
            return index
    return None


# --- the dossier -----------------------------------------------------------------------------


def rules_for(profile: Profile) -> RuleSet:
    """The dossier's own rule set when hoso.toml names one, else the shipped one, with its
    labels in the unit's words (`Dossier.rules` keeps it for a dossier loaded once)."""
    return load_rules(profile.bo_tieu_chi).in_words(profile.don_vi.words)


def override_problems(profile: Profile) -> list[Problem]:
    """What the score stage would refuse in the council's [[dieu_chinh]] (unknown item, item
    adjusted twice, points above the item's maximum, no reason), before any data exists."""
    return _check_overrides(rules_for(profile), profile.dieu_chinh, str(profile.path))[1]


def _inputs(dossier: Dossier) -> tuple[Profile, RuleSet, DossierData, bytes]:
    """Profile, rule set and data (with its bytes), the problems of all three reported
    together."""
    problems: list[Problem] = []
    profile = rules = loaded = None
    try:
        profile = dossier.profile(sections=PROFILE_SECTIONS, written=WRITTEN_KEYS)
        rules = dossier.rules(profile)
    except InputError as exc:
        problems += exc.problems
    try:
        loaded = data_and_bytes(dossier)
    except InputError as exc:
        problems += exc.problems
    if profile is not None and loaded is not None:
        problems += data_problems(dossier, "hoso score")
    if problems or profile is None or rules is None or loaded is None:
        raise InputError(problems)
    return profile, rules, *loaded


def _evaluate_dossier(
    profile: Profile, rules: RuleSet, data: DossierData, data_bytes: bytes, record: Record
) -> Scorecard:
    rule_file = ""
    if profile.bo_tieu_chi is not None:
        # An absolute path outside the dossier is recorded as written.
        rule_file = (
            profile.bo_tieu_chi.relative_to(profile.folder).as_posix()
            if profile.bo_tieu_chi.is_relative_to(profile.folder)
            else str(profile.bo_tieu_chi)
        )
    card = evaluate(
        rules,
        data,
        profile.don_vi.loai,
        profile.dieu_chinh,
        profile_file=str(profile.path),
        rule_file=rule_file,
        words=profile.don_vi.words,
    )
    return replace(
        card,
        inputs_digest=inputs_digest(profile, data_bytes),
        inputs=record.files,
        profile_keys=record.profile_keys,
        hoso_version=record.version,
    )


def _scored(dossier: Dossier) -> tuple[Scorecard, bytes, Profile]:
    """The scorecard and its workbook (written.json vouches for both once published)."""
    # Fingerprinted before reading: an edit during the run makes the scorecard look stale.
    record = current(SCORE, dossier)
    profile, rules, data, data_bytes = _inputs(dossier)
    card = _evaluate_dossier(profile, rules, data, data_bytes, record)
    book = workbook_bytes(card, data, profile)
    return card, book, profile


def score_dossier(dossier: Dossier) -> Scorecard:
    """Read profile, rule set and OUTDIR/data.json of a dossier and score it; write nothing."""
    return _scored(dossier)[0]


def score(dossier: Dossier) -> ScoreResult:
    """`hoso score`: score the dossier, write scorecard.json and the score workbook as one set."""
    check_out(dossier)
    out = dossier.out
    with locked(out) as folder:
        card, book, profile = _scored(dossier)
        files = [(scorecard.SCORECARD_NAME, scorecard.dumps(card)), (WORKBOOK_NAME, book)]
        published = with_written(dossier, SCORE, files)
        folder.publish(published)
        dossier.wrote(published)
    return ScoreResult(
        card, (out / scorecard.SCORECARD_NAME, out / WORKBOOK_NAME), profile.don_vi.words
    )


def to_json_text(card: Scorecard) -> str:
    return scorecard.dumps(card).decode("utf-8").rstrip("\n")


# --- the printed summary ---------------------------------------------------------------------


def summary_lines(card: Scorecard) -> list[str]:
    """The terminal report: the criteria table, total, threshold, verdict and warnings."""
    lines = [
        f"Bộ tiêu chí: {card.rule_set.name} (phiên bản {card.rule_set.version})",
        "",
        f"{'Tiêu chí':<71} {'Điểm':>6} / {'Tối đa':<6}",
    ]
    for c in card.criteria:
        # The criterion's one name carries its number: no separate TT column.
        name = upper_first(c.title)
        if len(name) > 71:
            name = name[:70] + "…"
        mark = " *" if any(i.override for i in c.items) else ""
        lines.append(f"{name:<71} {number(c.points, 2):>6} / {number(c.max, 2):<6}{mark}".rstrip())
    lines.append("")
    lines.append(
        f"Tổng điểm: {number(card.total, 2)} / {number(card.scale)}; "
        f"ngưỡng công nhận ({UNIT_NAMES.get(card.unit_type, card.unit_type)}): "
        f"{number(card.threshold)}"
    )
    overridden = [i for i in card.items() if i.override is not None]
    if overridden:
        lines.append(
            "(*) Hội đồng điều chỉnh: "
            + "; ".join(
                f"mục {i.id} từ {number(i.computed, 2)} thành {number(i.points, 2)}"
                for i in overridden
            )
            + f". Điểm tính theo số liệu: {number(card.computed_total, 2)}."
        )
    lines.append(f"Kết quả: {card.result}")
    lines += [f"  - {reason}" for reason in card.reasons]
    if card.provisional_items:
        lines.append("")
        lines.append(f"Cảnh báo: {card.provisional_warning()}")
    return lines
