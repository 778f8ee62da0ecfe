"""`hoso forms`: the blank workbooks' layout, protection, validation and safety."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline.common.errors import InputError
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import for_level
from pipeline.model.layout import slug
from pipeline.stages.forms import blank_forms, write_forms
from tests.conftest import DEMO
from tests.helpers import SHEET, edit


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    folder = tmp_path / "binh-trung-2024"
    folder.mkdir()
    shutil.copy(DEMO / "hoso.toml", folder)
    return folder


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Nà Cáy", "na-cay"), ("Khuổi Khỉn", "khuoi-khin"), ("Đồng Đăng 2", "dong-dang-2")],
)
def test_slug(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_one_workbook_per_village_and_the_commune(blank: Path) -> None:
    written = write_forms(Dossier(blank)).written
    names = sorted(p.path.relative_to(blank).as_posix() for p in written)
    assert names == sorted(
        ["xa.xlsx"] + [f"thon/{n}.xlsx" for n in (
            "na-cay", "khon-khuyen", "ban-luan", "na-pan", "khuoi-khin", "po-ma",
            "na-lau", "bo-nam", "keo-coong", "na-ri", "con-chu", "pac-luong")]
    )  # fmt: skip


def test_village_workbook_layout(blank: Path) -> None:
    write_forms(Dossier(blank))
    book = openpyxl.load_workbook(blank / "thon" / "khuoi-khin.xlsx")
    assert book.sheetnames == [SHEET, "Hướng dẫn"]
    ws = book[SHEET]
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (3, 4, 5)] == [
        ("Xã:", "Bình Trung"), ("Thôn:", "Khuổi Khỉn"), ("Năm:", 2024)
    ]  # fmt: skip
    assert [c.value for c in ws[7]] == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Số liệu",
                                        "Ghi chú"]  # fmt: skip
    village = for_level("thon")
    assert [ws.cell(8 + i, 1).value for i in range(len(village))] == [i.code for i in village]
    assert ws["B12"].value == "Trẻ em dưới 1 tuổi được tiêm chủng đầy đủ"
    # Only value and note cells are open for typing on the protected sheet.
    assert ws.protection.sheet and not ws.protection.password
    assert (ws["D12"].protection.locked, ws["E12"].protection.locked) == (False, False)
    assert (ws["A12"].protection.locked, ws["B12"].protection.locked) == (True, True)
    assert book["Hướng dẫn"].protection.sheet
    # The guide names the cells at the top of each form: the commune's has no village cell.
    keep = "các ô Xã, Thôn, Năm ở đầu biểu"
    assert any(keep in str(c) for row in book["Hướng dẫn"].iter_rows(values_only=True) for c in row)
    commune = openpyxl.load_workbook(blank / "xa.xlsx")["Hướng dẫn"]
    guide = " ".join(str(c) for row in commune.iter_rows(values_only=True) for c in row if c)
    assert "các ô Xã, Năm ở đầu biểu" in guide and "Thôn" not in guide
    # A4 portrait, one page wide.
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "portrait")
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1


def test_validation_follows_the_catalogue(blank: Path) -> None:
    write_forms(Dossier(blank))
    ws = openpyxl.load_workbook(blank / "xa.xlsx")[SHEET]
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    count, amount, yes_no = rules["D11"], rules["D10"], rules["D8"]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert (amount.type, amount.formula1) == ("decimal", "0")
    assert (yes_no.type, yes_no.formula1) == ("list", '"Có,Không"')
    assert rules["D12"].prompt == (
        "Số nguyên, từ 0 trở lên. Không lớn hơn số vụ việc trẻ em bị xâm hại tình dục, "
        "bỏ rơi, mua bán."
    )
    assert count.error == "Nhập một số nguyên từ 0 trở lên, không kèm chữ."
    assert len(rules) == len(for_level("xa"))
    assert ws["B4"].value == 2024 and ws["A4"].value == "Năm:"


def test_same_profile_gives_identical_bytes(blank: Path, tmp_path: Path) -> None:
    other = tmp_path / "copy"
    shutil.copytree(blank, other)
    write_forms(Dossier(blank))
    write_forms(Dossier(other))
    for path in blank.rglob("*.xlsx"):
        assert path.read_bytes() == (other / path.relative_to(blank)).read_bytes(), path
    # Blank forms may be regenerated freely: nothing typed is at stake.
    before = (blank / "xa.xlsx").read_bytes()
    write_forms(Dossier(blank))
    assert (blank / "xa.xlsx").read_bytes() == before


def test_filled_workbooks_are_never_overwritten(blank: Path) -> None:
    write_forms(Dossier(blank))
    edit(blank / "thon" / "na-pan.xlsx", {"tre_em_duoi_16": 150})
    filled = (blank / "thon" / "na-pan.xlsx").read_bytes()
    (blank / "thon" / "bo-nam.ods").write_bytes(b"typed in another program")
    with pytest.raises(InputError) as caught:
        write_forms(Dossier(blank))
    assert [(p.code, Path(p.file or "").name) for p in caught.value.problems] == [
        ("da-co-so-lieu", "na-pan.xlsx"),
        ("da-co-so-lieu", "bo-nam.ods"),
    ]
    assert (blank / "thon" / "na-pan.xlsx").read_bytes() == filled

    written = {w.path.name: w.backup for w in write_forms(Dossier(blank), force=True).written}
    backup = written["na-pan.xlsx"]
    assert backup == blank / "thon" / "na-pan.sao-luu-1.xlsx"
    assert backup.read_bytes() == filled
    assert written["bo-nam.xlsx"] == blank / "thon" / "bo-nam.sao-luu-1.ods"
    assert not (blank / "thon" / "bo-nam.ods").exists()
    ws = openpyxl.load_workbook(blank / "thon" / "na-pan.xlsx")[SHEET]
    assert ws["D8"].value is None


def test_blank_forms_in_memory_are_the_written_ones_and_touch_nothing(
    blank: Path, tmp_path: Path
) -> None:
    # A dossier whose villages sent their figures back: the blank forms can still be had.
    filled = tmp_path / "filled"
    shutil.copytree(DEMO, filled)
    before = {p: p.read_bytes() for p in sorted(filled.rglob("*")) if p.is_file()}
    made = dict(blank_forms(Dossier(filled)))
    assert {p: p.read_bytes() for p in sorted(filled.rglob("*")) if p.is_file()} == before
    write_forms(Dossier(blank))
    written = {p.relative_to(blank).as_posix(): p.read_bytes() for p in blank.rglob("*.xlsx")}
    assert made == written
