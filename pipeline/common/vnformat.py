"""Vietnamese formatting: Decree 30 dates, numbers, percentages, upper case, NFC.

Everything a document or a message prints goes through here, so the
conventions live in one place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

# Blank a clerk fills in by hand after signing (as in the decree's samples).
BLANK = " " * 6

Number = int | float | Decimal | Fraction

# The commune's clock: versions and the register are stamped in Vietnam time, whatever the
# computer's own time zone (Vietnam keeps no summer time).
VIETNAM_TIME = timezone(timedelta(hours=7))


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the form every file we write uses."""
    return unicodedata.normalize("NFC", text)


def upper(text: str) -> str:
    """Vietnamese upper case ("Bình Trung" -> "BÌNH TRUNG"), in NFC."""
    # str.upper is correct for Vietnamese (đ -> Đ, ư -> Ư) once the text is composed;
    # decomposed input would leave combining marks detached in some fonts.
    return nfc(nfc(text).upper())


def unbroken(text: str) -> str:
    """`text` held on one line where it wraps (a place's name in a title): its spaces made
    no-break spaces."""
    return text.replace(" ", "\u00a0")


def upper_first(text: str) -> str:
    """Capitalize the first letter only: "xã Bình Trung" -> "Xã Bình Trung"."""
    text = nfc(text)
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case the first letter, for a proper phrase used inside a sentence."""
    text = nfc(text)
    return text[:1].lower() + text[1:]


def place_key(name: str) -> str:
    """Comparison form of a place name: NFC, case-folded, single spaces."""
    return " ".join(nfc(name).casefold().split())


def village_key(name: str, kinds: Iterable[str] = ()) -> str:
    """A village as ingest matches it: `place_key` without a leading "thôn", "tổ dân phố" or
    one of `kinds` (the dossier's own level below: "khu phố", "ấp"…)."""
    text = place_key(name)
    prefixes = {"thôn", "tổ dân phố", *(place_key(k) for k in kinds)}
    for prefix in sorted(prefixes, key=len, reverse=True):
        if text.startswith(prefix + " ") and len(text) > len(prefix) + 1:
            return text[len(prefix) + 1 :]
    return text


def ascii_slug(name: str, default: str = "thon") -> str:
    """ASCII file name for a place: "Nà Cáy" -> "na-cay"."""
    text = unicodedata.normalize("NFD", nfc(name).replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or default


def _day_month(d: date) -> tuple[str, str]:
    # Decree 30, Appendix I, II.4.b: days below 10 and months 1 and 2 take a leading zero.
    day = f"{d.day:02d}"
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return day, month


def long_date(d: date | None, year: int | None = None) -> str:
    """`ngày 05 tháng 3 năm 2024`; with no date, the hand-filled blank of the samples.

    The blank keeps the year when it is known, as commune papers do:
    `ngày       tháng       năm 2024`.
    """
    if d is None:
        tail = str(year) if year is not None else BLANK
        return f"ngày {BLANK}tháng {BLANK}năm {tail}"
    day, month = _day_month(d)
    return f"ngày {day} tháng {month} năm {d.year}"


def short_date(d: date) -> str:
    """`07/11/2024`, `22/3/2024`: the numeric form used in running text."""
    day, month = _day_month(d)
    return f"{day}/{month}/{d.year}"


def vietnam_now() -> datetime:
    """Now, to the second, in Vietnam time."""
    return datetime.now(VIETNAM_TIME).replace(microsecond=0)


def vietnam_clock(stamp: str) -> str:
    """An ISO time stamp as a clerk reads it, in Vietnam time: `05/11/2024 08:30 (+07:00)`.
    A stamp without an offset is taken as already in Vietnam time."""
    moment = datetime.fromisoformat(stamp)
    moment = moment.replace(tzinfo=VIETNAM_TIME) if moment.tzinfo is None else moment
    moment = moment.astimezone(VIETNAM_TIME)
    return f"{moment:%d/%m/%Y %H:%M} (+07:00)"


def vietnam_day(stamp: str) -> date:
    """The day of an ISO time stamp in Vietnam (23:30 UTC is already the next day there)."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(VIETNAM_TIME).date()


def doc_number(number: int | None) -> str:
    """The number part of `Số: 05/KH-UBND`: zero-padded below 10, blank when not yet issued."""
    if number is None:
        return BLANK
    return f"{number:02d}"


def _to_decimal(value: Number) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def number(value: Number, decimals: int = 0) -> str:
    """Vietnamese number: `1.234`, `1.234.567`, `98,5` (dot for thousands, comma for decimals).

    Rounds half up to `decimals` places; trailing zeros after the comma are dropped,
    so 98.50 prints `98,5` and 100.0 prints `100`.
    """
    quantum = Decimal(1).scaleb(-decimals)
    rounded = _to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, frac = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = ".".join(groups)
    frac = frac.rstrip("0")
    if frac:
        text += "," + frac
    return sign + text


# Excel number formats. Whole numbers are grouped the Vietnamese way ("1.000", "120.000.000")
# whatever the reader's locale: the dots are literal text between digit groups, so an English
# Excel or LibreOffice does not print "1,000", which a Vietnamese reader takes for one.
# EXCEL_WHOLE is for a cell whose value is not known when it is written (a formula, a form's
# input): a format holds two conditions at most, and its last section drops a minus sign, so
# it serves values from 0 to 999.999.999. A known value gets a format of its own size.
EXCEL_WHOLE = '[>=1000000]#"."###"."###;[>=1000]#"."###;0'
# Decimals follow the reader's locale ("12,5" in a Vietnamese Excel): no format code puts a
# literal comma before the fraction without rounding it away.
EXCEL_DECIMAL = "#,##0.0#"


def excel_format(value: Number, *, formula: bool = False) -> str:
    """The number format of a workbook cell holding `value`, or, with `formula`, computing
    it now (a sum of points, never negative; it may change when the sheet is edited)."""
    exact = _to_decimal(value)
    if exact != exact.to_integral_value():
        return EXCEL_DECIMAL
    if formula:
        return EXCEL_WHOLE
    groups = (len(str(abs(int(exact)))) - 1) // 3
    # One section: a negative value keeps its minus sign.
    return "#" + '"."###' * groups if groups else "0"


# Most decimals a percentage grows to before it is cut toward its exact value.
_MAX_PERCENT_DECIMALS = 4


def percent(value: Number, decimals: int = 1) -> str:
    """A percentage already scaled to 0..100: `98,8%`, `100%`, `90%`.

    Never a whole number it is not: tiers are whole percentages ("≥ 90%", "≤ 20%"), and
    1.616/1.796 = 89,98% rounded to "90%" would seem to meet "≥ 90%". Such a value gets the
    decimals that show it ("89,98%", "20,04%"), and past four it is cut toward its exact
    value ("89,9999%"), never rounded across the whole number.
    """
    exact = _to_decimal(value)
    if exact == exact.to_integral_value():
        return number(exact, decimals) + "%"
    for places in range(decimals, _MAX_PERCENT_DECIMALS + 1):
        text = number(exact, places)
        if "," in text:
            return text + "%"
    rounded = exact.quantize(Decimal(1))
    toward = ROUND_FLOOR if exact < rounded else ROUND_CEILING
    cut = exact.quantize(Decimal(1).scaleb(-_MAX_PERCENT_DECIMALS), rounding=toward)
    return number(cut, _MAX_PERCENT_DECIMALS) + "%"


def ratio_percent(numerator: int, denominator: int, decimals: int = 1) -> str:
    """numerator/denominator as a percentage, computed exactly before rounding."""
    if denominator == 0:
        raise ValueError("denominator is zero")
    return percent(Fraction(numerator * 100, denominator), decimals)
