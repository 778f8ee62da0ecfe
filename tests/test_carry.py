"""Next year's dossier from last year's (`hoso init DIR --tu LAST_DIR…`): the profile carried
over under the new year's law, previous-period figures filled into the forms and traced
through ingest and the score workbook, merged units summed along a mapping."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomlkit
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.model import dataset
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import catalogue
from pipeline.model.layout import CARRIED_HEADER, PREVIOUS_BOOK, WORKBOOK_NAME, slug
from pipeline.model.profile import load_profile
from pipeline.stages import carry
from pipeline.stages.forms import fill_figures, write_forms
from pipeline.stages.ingest import ingest_to
from pipeline.stages.init import profile_text, write_profile
from pipeline.stages.score import score
from tests.conftest import DEMO
from tests.factories import PERFECT_COMMUNE, PERFECT_VILLAGE
from tests.helpers import SHEET, edit, row_of

PREVIOUS = ("bi_xam_hai_ky_truoc", "vi_pham_phap_luat_ky_truoc", "tai_nan_thuong_tich_ky_truoc")
CURRENT = ("bi_xam_hai", "vi_pham_phap_luat", "tai_nan_thuong_tich")


def _run(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(cli, list(args))


def _build(folder: Path) -> None:
    """Ingest and score a dossier into outputs/<name>/ (relative to the current folder)."""
    out = Path("outputs") / folder.name
    ingest_to(Dossier(folder, out))
    score(Dossier(folder, out))


def _fill(folder: Path, villages: dict[str, dict[str, int]]) -> None:
    """Type every figure into the dossier's forms as its villages would; a village's
    previous-period figures already filled in stay unless given."""
    for name, figures in villages.items():
        path = folder / "thon" / f"{slug(name)}.xlsx"
        book = openpyxl.load_workbook(path)
        ws = book[SHEET]
        typed = {
            code: value
            for code, value in {**PERFECT_VILLAGE, **figures}.items()
            if code not in PREVIOUS or code in figures or ws.cell(row_of(ws, code), 4).value is None
        }
        fill_figures(book, typed)
        book.save(path)
    path = folder / "xa.xlsx"
    book = openpyxl.load_workbook(path)
    fill_figures(book, PERFECT_COMMUNE)
    book.save(path)


def _values(path: Path, codes: tuple[str, ...] = PREVIOUS) -> tuple[Any, ...]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return tuple(ws.cell(row_of(ws, code), 4).value for code in codes)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder: dossiers beside outputs/, as `hoso` is run by a clerk."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def demo2024(here: Path) -> Path:
    """The demo commune's 2024 dossier, ingested and scored."""
    folder = here / "binh-trung-2024"
    shutil.copytree(DEMO, folder)
    _build(folder)
    return folder


# --- one commune, year after year ------------------------------------------------------------


def test_a_2024_commune_continued_into_2025_and_2026(
    runner: CliRunner, demo2024: Path, here: Path
) -> None:
    old = dataset.load(here / "outputs" / "binh-trung-2024" / "data.json")

    result = _run(runner, "init", "binh-trung-2025", "--tu", "binh-trung-2024")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        f"Đã tạo {Path('binh-trung-2025') / 'hoso.toml'}",
        f"Đã ghi bảng hồ sơ năm trước và bảng ghép {Path('binh-trung-2025') / PREVIOUS_BOOK}",
    ]
    assert "  - năm đánh giá: 2024 → 2025" in lines
    assert "  - xã Bình Trung: bỏ huyện Cao Lộc (năm 2025 không còn cấp huyện)" in lines
    assert (
        "  - van_ban.KH.noi_nhan: bỏ nơi nhận «UBND huyện Cao Lộc (b/c)» (không còn cấp huyện)"
        in (lines)
    )
    assert any(line.startswith("  - tiep_nhan.ten, tiep_nhan.dia_ban") for line in lines)
    assert (
        lines[-1] == "Số liệu kỳ trước sẽ được điền sẵn (36 ô) khi chạy: hoso forms binh-trung-2025"
    )

    # What carries over, what is blank, the new law, the comments of the new year.
    text = (here / "binh-trung-2025" / "hoso.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    unit = load_profile(here / "binh-trung-2025", sections=("don_vi",)).don_vi
    assert (unit.xa, unit.nam, unit.huyen, unit.cap, unit.loai) == (
        "Bình Trung", 2025, None, "xã", "mien_nui"
    )  # fmt: skip
    assert unit.thon == load_profile(demo2024, sections=("don_vi",)).don_vi.thon
    assert raw["lanh_dao"]["chu_tich"] == "Nông Văn Hùng"
    assert [m["ho_ten"] for m in raw["hoi_dong"]["thanh_vien"]][:2] == [
        "Nông Văn Hùng",
        "Hà Nam Nhiệm",
    ]
    assert len(raw["hoi_dong"]["thanh_vien"]) == 8
    assert raw["van_ban"]["KH"]["noi_nhan"][0] == "CT, PCT UBND xã"
    assert (raw["van_ban"]["KH"]["nguoi_ky"], raw["van_ban"]["KH"]["quyen_han"]) == (
        "pho_chu_tich",
        "KT",
    )
    assert raw["tiep_nhan"] == {"ten": "", "dia_ban": "", "cong_nhan": ""}
    assert raw["ke_hoach"]["can_cu_so"] == "" and raw["ke_hoach"]["can_cu_co_quan"] == ""
    assert raw["ke_hoach"]["muc_tieu_ty_le"] == 90
    assert "can_cu" not in raw["van_ban"]["QD"]  # the 2025 law's default grounds apply
    assert raw["hop_hoi_dong"]["bat_dau"] == "" and "dieu_chinh" not in raw
    assert "huyen" not in raw["don_vi"]
    assert "# Năm 2025 không còn cấp huyện" in text
    assert "# Cuộc họp chấm điểm của Hội đồng." in text

    # The forms carry last year's figures of the period as the previous period's.
    result = _run(runner, "forms", "binh-trung-2025")
    assert result.exit_code == 0, result.output
    assert "Đã điền sẵn 36 số liệu kỳ trước từ hồ sơ năm trước." in result.output
    for name, values in old.villages.items():
        form = here / "binh-trung-2025" / "thon" / f"{slug(name)}.xlsx"
        assert _values(form) == tuple(values[c].value for c in CURRENT), name
    book = openpyxl.load_workbook(here / "binh-trung-2025" / "thon" / "pac-luong.xlsx")
    ws = book[SHEET]
    assert ws.cell(7, 6).value == CARRIED_HEADER and ws.column_dimensions["F"].hidden
    guide = [c for row in book["Hướng dẫn"].iter_rows(values_only=True) for c in row if c]
    assert any(
        isinstance(c, str)
        and c.startswith("Hồ sơ năm 2024: xã Bình Trung › Pác Luống: 0 (binh-trung-2024/thon/")
        for c in guide
    ), guide
    # A second `forms` sees forms still holding only what was filled in: blank, replaced.
    assert _run(runner, "forms", "binh-trung-2025").exit_code == 0

    # Villages keep the filled-in figure or type another; ingest and the workbook tell which.
    _fill(
        here / "binh-trung-2025",
        {name: ({"tai_nan_thuong_tich": 1} if name != "Nà Cáy" else {
            "tai_nan_thuong_tich": 2, "tai_nan_thuong_tich_ky_truoc": 3}) for name in unit.thon},
    )  # fmt: skip
    result = _run(runner, "ingest", "binh-trung-2025")
    assert result.exit_code == 0, result.output
    assert (
        "Số liệu kỳ trước: 35 ô giữ số điền sẵn từ hồ sơ năm trước, 1 ô gõ lại khác số điền "
        "sẵn; các ô khác do thôn gõ." in result.output
    )
    data = dataset.load(here / "outputs" / "binh-trung-2025" / "data.json")
    origin = data.previous_origins["Nà Cáy"]["tai_nan_thuong_tich_ky_truoc"]
    assert (origin.kept, origin.year) == (False, 2024)
    assert data.previous_origins["Pò Mạ"]["bi_xam_hai_ky_truoc"].kept
    assert _run(runner, "score", "binh-trung-2025").exit_code == 0
    sheet = openpyxl.load_workbook(here / "outputs" / "binh-trung-2025" / WORKBOOK_NAME)[
        "Số liệu thôn"
    ]
    head = [c.value for c in sheet[3]]
    assert head[-1] == "Nguồn số liệu kỳ trước"
    label = catalogue()[PREVIOUS[2]].label_in(unit.words)
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == label)
    assert row[-1] == (
        "từ hồ sơ năm 2024: " + ", ".join(v for v in unit.thon if v != "Nà Cáy")
        + "; gõ lại khác số điền sẵn: Nà Cáy"
    )  # fmt: skip

    # 2025 -> 2026: the figures typed in 2025 become 2026's previous period.
    result = _run(runner, "init", "binh-trung-2026", "--tu", "binh-trung-2025")
    assert result.exit_code == 0, result.output
    assert "áp dụng luật" not in result.output  # the same law as 2025
    assert _run(runner, "forms", "binh-trung-2026").exit_code == 0
    assert _values(here / "binh-trung-2026" / "thon" / "na-cay.xlsx") == (0, 0, 2)
    assert _values(here / "binh-trung-2026" / "thon" / "po-ma.xlsx") == (0, 0, 1)


def test_a_2024_dossier_continued_straight_into_2026(
    runner: CliRunner, demo2024: Path, here: Path
) -> None:
    result = _run(runner, "init", "binh-trung-2026", "--tu", "binh-trung-2024", "--nam", "2026")
    assert result.exit_code == 0, result.output
    assert "  - xã Bình Trung: số liệu kỳ trước lấy từ hồ sơ năm 2024, không phải năm 2025" in (
        result.output.splitlines()
    )
    raw = tomllib.loads((here / "binh-trung-2026" / "hoso.toml").read_text(encoding="utf-8"))
    assert raw["don_vi"]["nam"] == 2026 and "huyen" not in raw["don_vi"]


def test_a_town_needs_a_new_kind_of_unit(runner: CliRunner, here: Path) -> None:
    folder = here / "na-sam-2024"
    shutil.copytree(DEMO, folder)
    path = folder / "hoso.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('cap = "xã"', 'cap = "thị trấn"'),
        encoding="utf-8",
    )
    _build(folder)
    result = _run(runner, "init", "na-sam-2025", "--tu", "na-sam-2024")
    assert result.exit_code == 1
    assert (
        "Lỗi: --cap: thị trấn Bình Trung là «thị trấn», năm 2025 không còn loại đơn vị này: "
        'cần chọn loại mới — chạy lại với --cap, một trong: "xã", "phường", "đặc khu".'
        in result.output
    )
    assert not (here / "na-sam-2025").exists()
    result = _run(runner, "init", "na-sam-2025", "--tu", "na-sam-2024", "--cap", "xã")
    assert result.exit_code == 0, result.output
    assert "  - loại đơn vị: thị trấn → xã; kiểm tra chức vụ" in result.output


# --- three 2025 wards and communes merged into one 2026 ward ---------------------------------

# Old unit -> (kind, {old village: (bi_xam_hai, vi_pham_phap_luat, tai_nan_thuong_tich)}).
OLD: dict[str, tuple[str, dict[str, tuple[int, int, int]]]] = {
    "Tân An": ("phường", {"Số 1": (1, 0, 2), "Số 2": (0, 1, 1), "Số 3": (2, 0, 0)}),
    "Phú Lợi": ("phường", {"Số 1": (0, 0, 3), "Số 2": (1, 1, 0), "Chợ": (0, 2, 1)}),
    "Hòa Bình": ("xã", {"Nà Cáy": (0, 0, 1), "Bản Luận": (1, 0, 0)}),
}
# How the clerk regrouped them: (old unit, old village) -> new residential group.
MAPPING = {
    ("phường Tân An", "Số 1"): "Số 1",
    ("phường Tân An", "Số 2"): "Số 1",
    ("phường Tân An", "Số 3"): "Số 2",
    ("phường Phú Lợi", "Số 1"): "Số 3",
    ("phường Phú Lợi", "Số 2"): "Số 3",
    ("phường Phú Lợi", "Chợ"): "Số 4",
    ("xã Hòa Bình", "Nà Cáy"): "Số 5",
    ("xã Hòa Bình", "Bản Luận"): "",  # not mapped: listed, never dropped
}
# The sums by hand: previous-period (abused, in conflict with the law, injured) per new group.
EXPECTED = {
    "Số 1": (1 + 0, 0 + 1, 2 + 1),
    "Số 2": (2, 0, 0),
    "Số 3": (0 + 1, 0 + 1, 3 + 0),
    "Số 4": (0, 2, 1),
    "Số 5": (0, 0, 1),
}
MERGE = ("--xa", "Tân Phú", "--cap", "phường", "--nam", "2026")


def _dossier_2025(here: Path, name: str, tinh: str = "Lạng Sơn") -> Path:
    cap, villages = OLD[name]
    folder = here / f"{slug(name)}-2025"
    doc = tomlkit.parse(
        profile_text(xa=name, tinh=tinh, huyen="", nam=2025, cap=cap, loai="con_lai")
    )
    doc["don_vi"]["thon"] = list(villages)
    folder.mkdir()
    write_profile(folder, tomlkit.dumps(doc))
    write_forms(Dossier(folder))
    _fill(folder, {v: dict(zip(CURRENT, figures, strict=True)) for v, figures in villages.items()})
    _build(folder)
    return folder


@pytest.fixture
def wards2025(here: Path) -> list[str]:
    return [_dossier_2025(here, name).name for name in OLD]


def _tu(folders: list[str]) -> list[str]:
    return [arg for f in folders for arg in ("--tu", f)]


def _map(path: Path, mapping: dict[tuple[str, str], str]) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[carry.MAP_SHEET]
    for row in range(2, ws.max_row + 1):
        key = (ws.cell(row, 1).value, ws.cell(row, 2).value)
        if key in mapping:
            ws.cell(row, 3).value = mapping[key] or None
    book.save(path)


def test_three_dossiers_merged_into_one_ward_with_a_mapping(
    runner: CliRunner, wards2025: list[str], here: Path
) -> None:
    # First run: the draft table, every old village listed, same names in two units left open.
    result = _run(runner, "init", "tan-phu-2026", *_tu(wards2025), *MERGE, "--ghep", "ghep.xlsx")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Đã ghi bảng ghép nháp ghep.xlsx"
    assert not (here / "tan-phu-2026").exists()
    rows = list(openpyxl.load_workbook(here / "ghep.xlsx")[carry.MAP_SHEET].values)
    assert rows[0][:3] == ("Đơn vị cũ", "Cấp dưới cũ", "Tổ dân phố mới (năm 2026)")
    assert [r[:3] for r in rows[1:]] == [
        ("phường Tân An", "Số 1", None),
        ("phường Tân An", "Số 2", None),
        ("phường Tân An", "Số 3", "Số 3"),
        ("phường Phú Lợi", "Số 1", None),
        ("phường Phú Lợi", "Số 2", None),
        ("phường Phú Lợi", "Chợ", "Chợ"),
        ("xã Hòa Bình", "Nà Cáy", "Nà Cáy"),
        ("xã Hòa Bình", "Bản Luận", "Bản Luận"),
    ]
    assert rows[1][3] == "cùng tên với phường Phú Lợi: ghi tên mới, hoso không tự gộp"

    # The clerk regroups in Excel, then runs the same command again.
    _map(here / "ghep.xlsx", MAPPING)
    result = _run(runner, "init", "tan-phu-2026", *_tu(wards2025), *MERGE, "--ghep", "ghep.xlsx")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "  - xã Hòa Bình › Bản Luận (năm 2025): trẻ em bị xâm hại trong kỳ: 1, trẻ em vi phạm "
        "pháp luật, nghiện ma túy trong kỳ: 0, trẻ em bị tai nạn, thương tích trong kỳ: 0" in lines
    )
    assert (
        "  - hợp nhất 3 đơn vị (phường Tân An, phường Phú Lợi, xã Hòa Bình) thành phường Tân Phú"
        in lines
    )
    unit = load_profile(here / "tan-phu-2026", sections=("don_vi",)).don_vi
    assert (unit.xa, unit.cap, unit.cap_thon, unit.nam) == ("Tân Phú", "phường", "tổ dân phố", 2026)
    assert unit.thon == tuple(EXPECTED)

    result = _run(runner, "forms", "tan-phu-2026")
    assert result.exit_code == 0, result.output
    assert (
        "Cảnh báo: chưa ghép, số liệu kỳ trước chưa cộng vào đâu: xã Hòa Bình › Bản Luận"
        in result.output
    )
    for name, expected in EXPECTED.items():
        assert _values(here / "tan-phu-2026" / "thon" / f"{slug(name)}.xlsx") == expected, name
    book = openpyxl.load_workbook(here / "tan-phu-2026" / "thon" / "so-1.xlsx")
    ws = book[SHEET]
    source = ws.cell(row_of(ws, "tai_nan_thuong_tich_ky_truoc"), 7).value
    assert source == (
        "Hồ sơ năm 2025: phường Tân An › Số 1: 2 (tan-an-2025/thon/so-1.xlsx › Số liệu › D20); "
        "phường Tân An › Số 2: 1 (tan-an-2025/thon/so-2.xlsx › Số liệu › D20)"
    )
    guide = [c for r in openpyxl.load_workbook(here / "tan-phu-2026" / "xa.xlsx")["Hướng dẫn"]
             .iter_rows(values_only=True) for c in r if c]  # fmt: skip
    assert any(isinstance(c, str) and c.startswith("xã Hòa Bình › Bản Luận") for c in guide)

    # Nothing lost, nothing counted twice: mapped and unmapped add up to the old totals.
    olds = [dataset.load(here / "outputs" / f / "data.json").totals() for f in wards2025]
    for i, code in enumerate(CURRENT):
        carried = sum(e[i] for e in EXPECTED.values())
        assert carried + OLD["Hòa Bình"][1]["Bản Luận"][i] == sum(int(t[code]) for t in olds)


def test_without_a_mapping_same_names_are_never_merged(
    runner: CliRunner, wards2025: list[str], here: Path
) -> None:
    result = _run(runner, "init", "tan-phu-2026", *_tu(wards2025), *MERGE)
    assert result.exit_code == 0, result.output
    unit = load_profile(here / "tan-phu-2026", sections=("don_vi",)).don_vi
    assert unit.thon == ("Số 3", "Chợ", "Nà Cáy", "Bản Luận")
    assert (
        "  - phường Tân An › Số 1 (năm 2025): trẻ em bị xâm hại trong kỳ: 1, trẻ em vi phạm "
        "pháp luật, nghiện ma túy trong kỳ: 0, trẻ em bị tai nạn, thương tích trong kỳ: 2"
        in result.output.splitlines()
    )
    # The table hoso wrote is the one forms reads; the clerk may still complete it.
    assert (here / "tan-phu-2026" / PREVIOUS_BOOK).is_file()
    assert _run(runner, "forms", "tan-phu-2026").exit_code == 0
    assert _values(here / "tan-phu-2026" / "thon" / "cho.xlsx") == (0, 2, 1)


# --- checks ----------------------------------------------------------------------------------


def _problems(action: Any) -> list[tuple[str | None, str | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        action()
    return [(p.file, p.cell, p.field, p.code) for p in caught.value.problems]


def test_last_year_must_be_scored_and_current(runner: CliRunner, here: Path) -> None:
    folder = here / "binh-trung-2024"
    shutil.copytree(DEMO, folder)
    out = Path("outputs") / folder.name
    ingest_to(Dossier(folder, out))
    result = _run(runner, "init", "moi", "--tu", str(folder))
    assert result.exit_code == 1
    assert f"Lỗi: {out / 'scorecard.json'}: hồ sơ năm trước chưa được chấm điểm" in result.output
    score(Dossier(folder, out))
    edit(folder / "thon" / "na-cay.xlsx", {"tai_nan_thuong_tich": 4})
    result = _run(runner, "init", "moi", "--tu", str(folder))
    assert result.exit_code == 1
    assert "số liệu đã nhập cũ hơn hồ sơ: thon/na-cay.xlsx đã sửa" in result.output
    assert not (here / "moi").exists()


@pytest.mark.parametrize(
    ("year", "ok"), [("2025", False), ("2027", True), ("2028", False)], ids=["same", "gap", "far"]
)
def test_a_year_that_does_not_follow(runner: CliRunner, here: Path, year: str, ok: bool) -> None:
    old = _dossier_2025(here, "Hòa Bình")
    result = _run(runner, "init", "moi", "--tu", old.name, "--nam", year)
    assert result.exit_code == (0 if ok else 1), result.output
    if not ok:
        assert (
            f"Lỗi: {Path(old.name) / 'hoso.toml'} › don_vi.nam: hồ sơ năm 2025 không nối tiếp năm "
            f"{year}" in result.output
        )


def test_a_different_province_needs_a_mapping(runner: CliRunner, here: Path) -> None:
    a = _dossier_2025(here, "Tân An")
    b = _dossier_2025(here, "Phú Lợi", tinh="Cao Bằng")
    result = _run(runner, "init", "moi", "--tu", a.name, "--tu", b.name, *MERGE)
    assert result.exit_code == 1
    assert (
        f"Lỗi: {Path(b.name) / 'hoso.toml'} › don_vi.tinh: phường Phú Lợi thuộc tỉnh Cao Bằng, "
        "hồ sơ năm 2026 thuộc Lạng Sơn" in result.output
    )
    args = ["init", "moi", "--tu", a.name, "--tu", b.name, *MERGE, "--ghep", "g.xlsx"]
    assert _run(runner, *args).exit_code == 0  # the draft
    assert _run(runner, *args).exit_code == 0, "with the mapping the clerk vouches for"


def test_mistakes_in_the_mapping_are_located(wards2025: list[str], here: Path) -> None:
    out = [(here / f, here / "outputs" / f) for f in wards2025]
    table = here / "ghep.xlsx"
    carry.new_year(here / "moi", out, xa="Tân Phú", cap="phường", nam=2026, mapping=table)
    book = openpyxl.load_workbook(table)
    ws = book[carry.MAP_SHEET]
    ws["B3"] = "Số 9"  # no such group in phường Tân An
    ws["A5"] = "phường Phú Lời"  # no such old unit
    ws["A8"], ws["B8"] = "phường Tân An", "Số 1"  # mapped twice
    book.save(table)
    found = _problems(
        lambda: carry.new_year(
            here / "moi", out, xa="Tân Phú", cap="phường", nam=2026, mapping=table
        )
    )
    assert found == [
        (str(table), "B3", None, "khong-co-trong-ho-so"),
        (str(table), "A5", None, "don-vi-cu-la"),
        (str(table), "B8", None, "ghep-hai-lan"),
    ]


def test_forms_refuse_a_new_group_the_profile_does_not_list(
    runner: CliRunner, wards2025: list[str], here: Path
) -> None:
    assert _run(runner, "init", "moi", *_tu(wards2025), *MERGE).exit_code == 0
    table = here / "moi" / PREVIOUS_BOOK
    book = openpyxl.load_workbook(table)
    book[carry.MAP_SHEET]["C2"] = "Số 7"
    book.save(table)
    found = _problems(lambda: write_forms(Dossier(here / "moi")))
    assert found == [(str(table), "C2", None, "thon-moi-la")]


def test_merging_asks_for_the_new_name_and_kind(runner: CliRunner, wards2025: list[str]) -> None:
    result = _run(runner, "init", "moi", *_tu(wards2025))
    assert result.exit_code == 1
    assert "Lỗi: --xa: hợp nhất 3 đơn vị: cần tên đơn vị mới" in result.output
    assert "Lỗi: --cap: hợp nhất nhiều đơn vị: cần loại đơn vị mới" in result.output


def test_the_carry_rules_are_checked() -> None:
    assert carry.rules().max_gap == 2
    with pytest.raises(ValueError, match=r"unknown key 'don_vi\.xa'"):
        carry.parse_rules({"nam_cach_toi_da": 2, "giu": ["don_vi.xa"], "giu_cung_thoi_ky": []})
    with pytest.raises(ValueError, match="unknown paper"):
        carry.parse_rules({"nam_cach_toi_da": 2, "giu": ["van_ban.XX.so"], "giu_cung_thoi_ky": []})
    with pytest.raises(ValueError, match=r"unknown key 'lanh_dao\.chu_tch'"):
        carry.parse_rules(
            {"nam_cach_toi_da": 2, "giu": ["lanh_dao.chu_tch"], "giu_cung_thoi_ky": []}
        )
    with pytest.raises(ValueError, match="both"):
        carry.parse_rules(
            {"nam_cach_toi_da": 2, "giu": ["co_quan.luu"], "giu_cung_thoi_ky": ["co_quan.luu"]}
        )
    with pytest.raises(ValueError, match="nam_cach_toi_da"):
        carry.parse_rules({"nam_cach_toi_da": 0, "giu": [], "giu_cung_thoi_ky": []})


def test_forms_wait_for_last_years_dossier_and_say_how_to_go_without(
    runner: CliRunner, demo2024: Path, here: Path
) -> None:
    assert _run(runner, "init", "moi", "--tu", "binh-trung-2024").exit_code == 0
    edit(demo2024 / "thon" / "na-cay.xlsx", {"tai_nan_thuong_tich": 4})  # corrected since
    result = _run(runner, "forms", "moi")
    assert result.exit_code == 1
    assert "số liệu đã nhập cũ hơn hồ sơ: thon/na-cay.xlsx đã sửa" in result.output
    assert (
        f"Lỗi: {Path('moi') / PREVIOUS_BOOK} › Hồ sơ năm trước: chưa lấy được số liệu kỳ trước "
        "từ hồ sơ năm trước — sửa các lỗi trên" in result.output
    )
    _build(demo2024)  # the corrected figure is the one filled in
    assert _run(runner, "forms", "moi").exit_code == 0
    assert _values(here / "moi" / "thon" / "na-cay.xlsx")[2] == 4
