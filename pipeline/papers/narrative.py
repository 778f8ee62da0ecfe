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
from pipeline.model.labels import BASE_WORDS, RESULT_WORDS, criteria_titles, criterion_title
from pipeline.model.scorecard import threshold_group
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
    """ "tiêu chí 4 (Trẻ em vi phạm pháp luật, nghiện ma túy)": `labels.criterion_title`."""
    return criterion_title(int(criterion["no"]), str(criterion["name"]))


def zero_sentence(scorecard: dict[str, Any]) -> str:
    """ "không có tiêu chí nào 0 điểm" or "tiêu chí 4 (…) bị 0 điểm"."""
    zero = [
        (int(c["no"]), str(c["name"]))
        for c in scorecard["criteria"]
        if c["no"] in scorecard["zero_criteria"]
    ]
    return f"{criteria_titles(zero)} bị 0 điểm" if zero else "không có tiêu chí nào 0 điểm"


def conclusion(scorecard: dict[str, Any], words: Words) -> str:
    """The verdict sentence. The figures (total, threshold, criteria at 0) are stated once
    beside it in each paper; a failed verdict only says which condition was not met."""
    head = vnformat.upper_first(words.don_vi)
    level = words.cap
    year = scorecard["nam"]
    if scorecard["recognized"]:
        return f"{head} {RESULT_WORDS[True]} tiêu chuẩn {level} phù hợp với trẻ em năm {year}."
    return (
        f"{head} {RESULT_WORDS[False]} tiêu chuẩn {level} phù hợp với trẻ em năm {year} do "
        + shortfall(scorecard)
        + "."
    )


def shortfall(scorecard: dict[str, Any]) -> str:
    """Which condition of recognition was not met: "có tiêu chí 0 điểm", "tổng số điểm còn
    thiếu 40 điểm so với ngưỡng công nhận", or both joined by "và" ("" when recognised)."""
    total, threshold = Decimal(str(scorecard["total"])), Decimal(str(scorecard["threshold"]))
    why = []
    if total < threshold:
        why.append(
            f"tổng số điểm còn thiếu {points(threshold - total)} điểm so với ngưỡng công nhận"
        )
    if scorecard["zero_criteria"]:
        why.append("có tiêu chí 0 điểm")
    return " và ".join(why)


def figures_sentence(scorecard: dict[str, Any], cap: str) -> str:
    """ "Tổng số điểm: 950/1.000 điểm; ngưỡng điểm công nhận đối với phường thuộc thành phố
    trực thuộc trung ương là 900 điểm; tiêu chí 4 (…) bị 0 điểm." (the minutes' point 3)."""
    total = points(Decimal(str(scorecard["total"])))
    scale = points(Decimal(str(scorecard["scale"])))
    threshold = points(Decimal(str(scorecard["threshold"])))
    group = threshold_group(str(scorecard["unit_type"]), cap)
    return (
        f"Tổng số điểm: {total}/{scale} điểm; ngưỡng điểm công nhận đối với {group} là "
        f"{threshold} điểm; {zero_sentence(scorecard)}."
    )
