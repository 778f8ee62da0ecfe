"""Sentences made from the scorecard, for the report and the minutes.

Every figure in a sentence is taken from the scorecard item it describes (numerator,
denominator, value, points), so a test can compare each sentence with scorecard.json.
The wording comes from the indicator labels of the catalogue.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from pipeline.common import vnformat
from pipeline.model.indicators import catalogue
from pipeline.model.labels import BASE_WORDS
from pipeline.model.units import Words


def points(value: Any) -> str:
    """Points as printed: `50`, `37,5`."""
    return vnformat.number(Decimal(str(value)), 2)


def _label(code: str, words: Words) -> str:
    return catalogue()[code].label_in(words)


def _unit(code: str) -> str:
    unit = catalogue()[code].unit
    return f" {unit}" if unit else ""


def _part_label(part: str, whole: str) -> str:
    """What the part adds to the whole's label: "được tiêm chủng đầy đủ" from
    "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ" against "Trẻ em dưới 1 tuổi"."""
    part_words, whole_words = part.split(), whole.split()
    common = 0
    for a, b in zip(part_words, whole_words, strict=False):
        if a.casefold() != b.casefold():
            break
        common += 1
    rest = part_words[common:]
    return " ".join(rest) if rest else part.lower()


def _count(code: str, value: Any) -> str:
    return f"{vnformat.number(int(value))}{_unit(code)}"


def item_sentence(item: dict[str, Any], villages: int, words: Words = BASE_WORDS) -> str:
    """One sub-item in the unit's words, ending with its points: "…; đạt 50/50 điểm."."""
    kind = item["kind"]
    codes: list[str] = item["indicators"]
    result = f"đạt {points(item['computed'])}/{points(item['max'])} điểm"
    if kind == "rate":
        num_code, den_code = codes[0], codes[1]
        num, den = item["numerator"], item["denominator"]
        whole = _label(den_code, words)
        if den == 0:
            text = f"Không có {whole.lower()} trong kỳ, nội dung này được tính là đạt"
        else:
            rate = vnformat.percent(Fraction(item["rate_exact"]))
            text = (
                f"Tổng số {whole.lower()} là {_count(den_code, den)}, "
                f"{_part_label(_label(num_code, words), whole)} {_count(num_code, num)}, "
                f"tỷ lệ {rate}"
            )
    elif kind == "village_share":
        yes = item["numerator"] if item["numerator"] is not None else item["value"]
        share = vnformat.ratio_percent(int(yes), villages) if villages else "100%"
        text = f"{_label(codes[0], words)}: {yes}/{villages} {words.cap_thon} ({share})"
    elif kind == "yes_no":
        text = f"{_label(codes[0], words)}: {'có' if item['value'] else 'không'}"
    elif kind == "count_vs_previous":
        text = (
            f"{_label(codes[0], words)}: {_count(codes[0], item['value'])} "
            f"(kỳ trước: {_count(codes[1], item['previous'])})"
        )
    elif kind == "amount_positive":
        amount = vnformat.number(Decimal(str(item["value"])))
        text = f"{_label(codes[0], words)}: {amount}{_unit(codes[0])}"
    else:  # zero_count
        text = f"{_label(codes[0], words)}: {_count(codes[0], item['value'])}"
    sentence = f"{text}; {result}."
    override = item.get("override")
    if override:
        sentence += f" Hội đồng chấm {points(override['points'])} điểm; lý do: {override['reason']}"
        if not sentence.endswith("."):
            sentence += "."
    return sentence


def criterion_name(criterion: dict[str, Any]) -> str:
    """ "tiêu chí d) Trẻ em vi phạm pháp luật, nghiện ma túy": its letter in Điều 2 khoản 1."""
    letter = criterion.get("letter") or str(criterion["no"])
    return f"tiêu chí {letter}) {criterion['name']}"


def _names(criteria: list[dict[str, Any]]) -> str:
    """ "tiêu chí d) …" or "các tiêu chí d) …; đ) …"."""
    if len(criteria) == 1:
        return criterion_name(criteria[0])
    return "các " + "; ".join(
        criterion_name(c) if i == 0 else criterion_name(c).removeprefix("tiêu chí ")
        for i, c in enumerate(criteria)
    )


def conclusion(scorecard: dict[str, Any], words: Words, villages: int) -> tuple[str, list[str]]:
    """The verdict sentence and, when not recognised, its reasons and only those.

    A passing total may stand as context in the sentence of a vetoed unit, never as a
    reason in the list.
    """
    head = vnformat.upper_first(words.don_vi)
    level = words.cap
    year = scorecard["nam"]
    if scorecard["recognized"]:
        return f"{head} đạt tiêu chuẩn {level} phù hợp với trẻ em năm {year}.", []
    total, threshold = Decimal(str(scorecard["total"])), Decimal(str(scorecard["threshold"]))
    zero = [c for c in scorecard["criteria"] if c["no"] in scorecard["zero_criteria"]]
    below = total < threshold
    score = f"tổng số điểm {points(total)} "
    if below:
        score += f"thấp hơn ngưỡng công nhận {points(threshold)} điểm"
    else:
        score += f"đạt ngưỡng công nhận {points(threshold)} điểm"
    if zero:
        veto = f"{_names(zero)} bị 0 điểm"
        why = f"{score} và {veto}" if below else f"{score}, nhưng {veto}"
    else:
        why = score
    sentence = f"{head} chưa đạt tiêu chuẩn {level} phù hợp với trẻ em năm {year}: {why}."
    reasons = []
    if below:
        reasons.append(
            f"Tổng số điểm {points(total)}/{points(scorecard['scale'])} thấp hơn ngưỡng công "
            f"nhận {points(threshold)} điểm, còn thiếu {points(threshold - total)} điểm."
        )
    for c in zero:
        lost = " ".join(
            f"Mục {i['id']}: {vnformat.lower_first(item_sentence(i, villages, words))}"
            for i in c["items"]
            if Decimal(str(i["points"])) < Decimal(str(i["max"]))
        )
        reasons.append(
            f"{vnformat.upper_first(criterion_name(c))} bị 0/{points(c['max'])} điểm "
            f"(có tiêu chí 0 điểm thì không được công nhận). {lost}".strip()
        )
    return sentence, reasons
