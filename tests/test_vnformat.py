from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest

from pipeline.common import vnformat
from tests.helpers import libreoffice_convert

# Calc's text export with each cell as shown (its ninth option), in UTF-8.
_CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 3, 5), "ngày 05 tháng 3 năm 2024"),
        (date(2024, 3, 9), "ngày 09 tháng 3 năm 2024"),
        (date(2024, 3, 10), "ngày 10 tháng 3 năm 2024"),
        (date(2024, 1, 31), "ngày 31 tháng 01 năm 2024"),
        (date(2023, 2, 28), "ngày 28 tháng 02 năm 2023"),
        (date(2024, 12, 1), "ngày 01 tháng 12 năm 2024"),
        (date(2019, 6, 29), "ngày 29 tháng 6 năm 2019"),
    ],
    ids=["day5", "day9", "day10", "jan", "feb", "dec-day1", "decree-example"],
)
def test_long_date_pads_days_below_10_and_months_1_2(day: date, expected: str) -> None:
    assert vnformat.long_date(day) == expected


def test_long_date_blank_keeps_year_for_hand_filling() -> None:
    six = " " * 6
    assert vnformat.long_date(None, 2024) == f"ngày {six}tháng {six}năm 2024"
    assert vnformat.long_date(None) == f"ngày {six}tháng {six}năm {six}"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2024, 11, 7), "07/11/2024"),
        (date(2024, 3, 22), "22/3/2024"),
        (date(2019, 1, 3), "03/01/2019"),
        (date(2024, 2, 10), "10/02/2024"),
        (date(2024, 10, 10), "10/10/2024"),
    ],
)
def test_short_date(day: date, expected: str) -> None:
    assert vnformat.short_date(day) == expected


@pytest.mark.parametrize(
    ("n", "expected"), [(None, " " * 6), (1, "01"), (9, "09"), (10, "10"), (1301, "1301")]
)
def test_document_number(n: int | None, expected: str) -> None:
    assert vnformat.doc_number(n) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, "1.000"),
        (1234, 0, "1.234"),
        (1234567, 0, "1.234.567"),
        (-1234, 0, "-1.234"),
        (98.5, 1, "98,5"),
        (Decimal("98.50"), 2, "98,5"),
        (100.0, 1, "100"),
        (Decimal("1234.56"), 1, "1.234,6"),
        (Decimal("0.05"), 1, "0,1"),  # half up, not banker's rounding
        (Fraction(2, 3), 2, "0,67"),
    ],
)
def test_number(value: vnformat.Number, decimals: int, expected: str) -> None:
    assert vnformat.number(value, decimals) == expected


def test_percentages() -> None:
    assert vnformat.percent(90, 0) == "90%"
    assert vnformat.percent(Decimal("98.8")) == "98,8%"
    assert vnformat.ratio_percent(84, 85) == "98,8%"
    assert vnformat.ratio_percent(19, 20) == "95%"
    assert vnformat.ratio_percent(1, 3, 2) == "33,33%"


def test_a_percentage_never_rounds_onto_a_whole_number_it_is_not() -> None:
    # 1.616/1.796 misses "≥ 90%": never printed "90%" beside it.
    assert vnformat.ratio_percent(1616, 1796) == "89,98%"
    assert vnformat.ratio_percent(2004, 10000) == "20,04%"  # misses "≤ 20%" too
    assert vnformat.ratio_percent(900004, 1000000) == "90,0004%"
    assert vnformat.percent(Fraction(8999999, 100000)) == "89,9999%"  # cut, never "90%"
    assert vnformat.percent(Fraction(2000001, 100000)) == "20,0001%"
    assert vnformat.percent(Decimal("89.94")) == "89,9%"  # already apart: one decimal
    assert vnformat.percent(90, 0) == vnformat.percent(Decimal("90.0")) == "90%"
    assert vnformat.percent(Decimal("89.6"), 0) == "89,6%"
    with pytest.raises(ValueError, match="zero"):
        vnformat.ratio_percent(1, 0)


def test_upper_is_vietnamese_and_nfc() -> None:
    assert vnformat.upper("Bình Trung") == "BÌNH TRUNG"
    assert vnformat.upper("đường Ưng") == "ĐƯỜNG ƯNG"
    decomposed = unicodedata.normalize("NFD", "Khòn Khuyên")
    result = vnformat.upper(decomposed)
    assert result == "KHÒN KHUYÊN"
    assert unicodedata.is_normalized("NFC", result)


def test_nfc_and_lower_first() -> None:
    assert vnformat.nfc(unicodedata.normalize("NFD", "Nà Cáy")) == "Nà Cáy"
    assert vnformat.lower_first("Phòng Lao động") == "phòng Lao động"
    assert vnformat.lower_first("") == ""


@pytest.mark.slow
def test_excel_formats_print_vietnamese_numbers_in_an_english_libreoffice(tmp_path: Path) -> None:
    """What Calc shows for each cell, read back as shown: a whole number as `number` prints
    it, whatever the reader's locale, negative ones too."""
    known = [0, 7, 999, 1000, 1196, 15_000_000, 999_999_999, 1_200_000_000, -25, -1500]
    computed = [0, 999, 1000, 975, 120_000_000]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row, value in enumerate(known, start=1):
        sheet.cell(row, 1, value).number_format = vnformat.excel_format(value)
    for row, value in enumerate(computed, start=1):
        sheet.cell(row, 2, value).number_format = vnformat.excel_format(value, formula=True)
    source = tmp_path / "so.xlsx"
    book.save(source)
    shown = libreoffice_convert(source, _CSV_AS_SHOWN, tmp_path).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(shown)))
    assert [r[0] for r in rows] == [vnformat.number(v) for v in known]
    assert [r[1] for r in rows[: len(computed)]] == [vnformat.number(v) for v in computed]
    assert "-1.500" in [r[0] for r in rows] and "15.000.000" in [r[0] for r in rows]
