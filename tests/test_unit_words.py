"""Forms, ingest and the score workbook in the words of every kind of commune-level unit.

Every workbook is written by `hoso forms`, filled by script, ingested and scored, then read
back cell by cell: no other unit's word may appear in it.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.common.vnformat import ascii_slug
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import CatalogueError, parse_catalogue
from pipeline.model.layout import DATA_SHEET, HELP_SHEET, WORKBOOK_NAME
from pipeline.model.profile import load_profile
from pipeline.model.rules import load_rules, parse_rules, shipped_path
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.model.units import words_for
from pipeline.stages.forms import value_rows, write_forms
from pipeline.stages.ingest import ingest, ingest_to
from pipeline.stages.score import score
from tests.conftest import ROOT
from tests.factories import PERFECT_COMMUNE, PERFECT_VILLAGE
from tests.helpers import edit, problems

LE_CHAN = ROOT / "inputs" / "le-chan-2026"

# The law's name of the level and the Decision's title may name other kinds.
_ALLOWED = (
    "cấp xã",
    "xã hội",
    "xã, phường, thị trấn phù hợp với trẻ em",
)


def _profile(
    cap: str, *, tinh: str, nam: int, huyen: str = "", cap_thon: str = "", loai: str
) -> str:
    lines = [
        "[don_vi]",
        f'tinh = "{tinh}"',
        f'huyen = "{huyen}"' if huyen else "",
        'xa = "Hòa Bình"',
        f'cap = "{cap}"',
        f'cap_thon = "{cap_thon}"' if cap_thon else "",
        f'loai = "{loai}"',
        'thon = ["An Biên", "Cát Dài", "Hồ Nam"]',
        f"nam = {nam}",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def _fill(path: Path, figures: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(path)
    ws = book[DATA_SHEET]
    rows = value_rows(ws)
    for code, value in figures.items():
        typed = ("Có" if value else "Không") if isinstance(value, bool) else value
        ws.cell(rows[code], 4).value = typed
    book.save(path)


def _cell_texts(path: Path) -> list[str]:
    """Every text a clerk can see in a workbook: cells, sheet names, input prompts."""
    book = openpyxl.load_workbook(path)
    texts: list[str] = list(book.sheetnames)
    for ws in book.worksheets:
        texts += [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
        for dv in ws.data_validations.dataValidation:
            texts += [t for t in (dv.promptTitle, dv.prompt, dv.error) if t]
    return texts


def _foreign(texts: list[str], forbidden: list[str]) -> list[tuple[str, str]]:
    """(word, text) for every forbidden word found outside the allowed phrases."""
    found = []
    for text in texts:
        plain = text.casefold()
        for phrase in _ALLOWED:
            plain = plain.replace(phrase, " ")
        found += [(w, text) for w in forbidden if re.search(rf"(?<!\w){w}(?!\w)", plain)]
    return found


_CASES = [
    # cap, cap_thon as typed ("" = default), year, city?
    (cap, cap_thon, nam, city)
    for nam, caps in (
        (2024, [("xã", ""), ("phường", ""), ("thị trấn", "")]),
        (2026, [("xã", ""), ("phường", ""), ("đặc khu", "khu phố")]),
    )
    for cap, cap_thon in caps
    for city in (False, True)
]


def _case_id(case: tuple[str, str, int, bool]) -> str:
    cap, _, nam, city = case
    return f"{ascii_slug(cap)}-{nam}-{'thanh-pho' if city else 'tinh'}"


@pytest.mark.parametrize("case", _CASES, ids=[_case_id(c) for c in _CASES])
def test_every_kind_of_unit_in_its_own_words(
    tmp_path: Path, case: tuple[str, str, int, bool]
) -> None:
    cap, typed_below, nam, city = case
    below = typed_below or {"xã": "thôn"}.get(cap, "tổ dân phố")
    loai = {"phường": "phuong_do_thi", "xã": "con_lai" if city else "mien_nui"}.get(cap, "con_lai")
    huyen = ""
    if nam == 2024:
        huyen = ("quận Lê Chân" if cap == "phường" else "An Lão") if city else "Cao Lộc"
    folder = tmp_path / "ho-so"
    folder.mkdir()
    (folder / "hoso.toml").write_text(
        _profile(
            cap,
            tinh="Hải Phòng" if city else "Lạng Sơn",
            nam=nam,
            huyen=huyen,
            cap_thon=typed_below,
            loai=loai,
        ),
        encoding="utf-8",
    )
    # Forms, with nothing but [don_vi] in hoso.toml; filled as a clerk's script would.
    write_forms(Dossier(folder))
    for village in ("an-bien", "cat-dai", "ho-nam"):
        _fill(folder / "thon" / f"{village}.xlsx", PERFECT_VILLAGE)
    _fill(folder / "xa.xlsx", PERFECT_COMMUNE)
    out = tmp_path / "out"
    ingest_to(Dossier(folder, out))
    score(Dossier(folder, out))

    cap_title = cap.upper()
    below_title = below.upper()
    kind_label, below_label = f"{cap[0].upper()}{cap[1:]}:", f"{below[0].upper()}{below[1:]}:"
    village = openpyxl.load_workbook(folder / "thon" / "cat-dai.xlsx")
    ws = village[DATA_SHEET]
    assert ws["A1"].value == (
        f"BIỂU SỐ LIỆU CỦA {below_title} ĐÁNH GIÁ {cap_title} PHÙ HỢP VỚI TRẺ EM NĂM {nam}"
    )
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (3, 4, 5)] == [
        (kind_label, "Hòa Bình"), (below_label, "Cát Dài"), ("Năm:", nam)
    ]  # fmt: skip
    head = "Tổ trưởng tổ dân phố" if below == "tổ dân phố" else f"Trưởng {below}"
    assert head in [c.value for row in ws.iter_rows() for c in row]
    assert f"1. Điền số liệu của {below} vào cột" in str(village[HELP_SHEET]["A2"].value)
    commune = openpyxl.load_workbook(folder / "xa.xlsx")[DATA_SHEET]
    assert commune["A1"].value == (
        f"BIỂU SỐ LIỆU CẤP XÃ ĐÁNH GIÁ {cap_title} PHÙ HỢP VỚI TRẺ EM NĂM {nam}"
    )
    assert [(commune[f"A{r}"].value, commune[f"B{r}"].value) for r in (3, 4)] == [
        (kind_label, "Hòa Bình"), ("Năm:", nam)
    ]  # fmt: skip
    labels = {row[0]: row[1] for row in commune.iter_rows(values_only=True) if row[0]}
    assert labels["vu_viec_co_kh_can_thiep"] == (
        f"Vụ việc có kế hoạch can thiệp, hỗ trợ được Chủ tịch UBND {cap} phê duyệt"
    )

    sheet_name = f"Số liệu {below}"
    book = openpyxl.load_workbook(out / WORKBOOK_NAME)
    assert book.sheetnames == [
        "Tổng hợp", sheet_name, f"Số liệu {cap}", "Biểu đồ", "Đối chiếu (không in)"
    ]  # fmt: skip
    summary = book["Tổng hợp"]
    assert (
        summary["A1"].value == f"BIỂU CHẤM ĐIỂM ĐÁNH GIÁ {cap_title} PHÙ HỢP VỚI TRẺ EM NĂM {nam}"
    )
    province = "thành phố Hải Phòng" if city else "tỉnh Lạng Sơn"
    district = {"": "", "Cao Lộc": "huyện Cao Lộc, ", "An Lão": "huyện An Lão, "}.get(
        huyen, f"{huyen}, "
    )
    assert summary["A2"].value == f"{cap[0].upper()}{cap[1:]} Hòa Bình, {district}{province}"
    items = {row[0]: row for row in summary.iter_rows(min_row=6, values_only=True) if row[0]}
    assert items["12.2"][1:3] == (
        f"{below[0].upper()}{below[1:]} có điểm vui chơi cho trẻ em / tổng số {below}",
        f"3/3 {below}",
    )
    assert items["1.2"][1] == f"Có cộng tác viên bảo vệ trẻ em tại {below}"
    villages = book[sheet_name]
    # The unit's name and year held together where the title wraps (no-break spaces).
    unit = f"{cap_title} HÒA BÌNH NĂM {nam}".replace(" ", "\u00a0")
    assert villages["A1"].value == f"SỐ LIỆU CÁC {below_title} CỦA {unit}"
    rows = {row[0]: row for row in villages.iter_rows(min_row=4, values_only=True) if row[0]}
    playground = f"{below[0].upper()}{below[1:]} có điểm vui chơi cho trẻ em"
    assert rows[playground][-1] == f"3/3 {below} có"
    assert rows[f"Số {below} gửi số liệu"][1] == below
    # scorecard.json records the labels in the unit's words, for the papers.
    card = json.loads((out / SCORECARD_NAME).read_text(encoding="utf-8"))
    labels_json = [i["label"] for c in card["criteria"] for i in c["items"]]
    assert not [label for label in labels_json if "{" in label]
    assert f"Có cộng tác viên bảo vệ trẻ em tại {below}" in labels_json

    forbidden = [w for w in ("xã", "phường", "thị trấn", "đặc khu") if w != cap]
    forbidden += [w for w in ("thôn", "tổ dân phố", "khu phố") if w != below]
    if nam >= 2025:
        forbidden += ["huyện", "quận"]
    if city:
        forbidden.append("tỉnh")
    workbooks = [*sorted(folder.rglob("*.xlsx")), out / WORKBOOK_NAME]
    assert len(workbooks) == 5
    for path in workbooks:
        texts = _cell_texts(path)
        assert _foreign(texts, forbidden) == [], path.name
        assert not [t for t in texts if "{" in t], path.name


def test_forms_need_only_the_unit_table(tmp_path: Path) -> None:
    for name, text in {
        "ward-2026": _profile("phường", tinh="Hải Phòng", nam=2026, loai="phuong_do_thi"),
        "commune-2024": _profile("xã", tinh="Lạng Sơn", nam=2024, huyen="Cao Lộc", loai="mien_nui"),
    }.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "hoso.toml").write_text(text, encoding="utf-8")
        # The whole profile is not valid yet: no council, no leaders…
        with pytest.raises(InputError) as caught:
            load_profile(folder)
        assert "hoi_dong" in {p.field for p in caught.value.problems}
        result = write_forms(Dossier(folder))
        assert sorted(w.path.name for w in result.written) == [
            "an-bien.xlsx", "cat-dai.xlsx", "ho-nam.xlsx", "xa.xlsx"
        ]  # fmt: skip


def test_sections_keep_only_the_problems_of_the_named_tables(tmp_path: Path) -> None:
    text = _profile("phường", tinh="Hải Phòng", nam=2026, loai="phuong_do_thi")
    (tmp_path / "hoso.toml").write_text(
        text.replace('cap = "phường"', 'cap = "thị trấn"') + '[danh_gia]\nbo_tieu_chi = "x.toml"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_profile(tmp_path, sections=("don_vi",))
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("don_vi.cap", "khong-co-trong-nam")
    ]
    with pytest.raises(InputError) as caught:
        load_profile(tmp_path, sections=("don_vi", "danh_gia", "dieu_chinh"))
    assert [p.field for p in caught.value.problems] == ["don_vi.cap", "danh_gia.bo_tieu_chi"]


@pytest.fixture
def ward(tmp_path: Path) -> Path:
    target = tmp_path / "le-chan-2026"
    shutil.copytree(LE_CHAN, target)
    return target


def test_the_ward_demo_is_recognised_in_its_own_words(ward: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ingest_to(Dossier(ward, out))
    assert result.warnings == []
    assert list(result.data.villages) == [
        "An Biên", "Cát Dài", "Dư Hàng", "Hồ Nam", "Lam Sơn", "Niệm Nghĩa", "Trại Cau"
    ]  # fmt: skip
    card = score(Dossier(ward, out)).scorecard
    assert (card.total, card.threshold) == (Decimal(940), Decimal(900))
    assert card.recognized and not card.zero_criteria
    below_max = [i.id for i in card.items() if i.points < i.max]
    assert below_max == ["2.1", "7.1", "9.1"]


def test_ingest_reads_old_labels_and_any_kind_label(ward: Path) -> None:
    # Forms made before the profile named its kinds, or by hand with another kind's label.
    edit(ward / "thon" / "an-bien.xlsx", {"A3": "Xã:", "A4": "Thôn:", "B4": "Tổ dân phố An Biên"})
    edit(ward / "thon" / "cat-dai.xlsx", {"A3": "Thị trấn:", "A4": "Khu phố:"})
    edit(ward / "thon" / "ho-nam.xlsx", {"A4": "Thôn, tổ dân phố", "B3": "Phường Lê Chân"})
    edit(ward / "xa.xlsx", {"A3": "Xã, phường, thị trấn:"})
    result = ingest(Dossier(ward))
    assert result.warnings == []
    assert result.data.villages["An Biên"]["tre_em_duoi_16"].source is not None
    assert result.words.cap_thon == "tổ dân phố"


def test_ingest_messages_name_the_ward_and_its_blocks(ward: Path) -> None:
    # The other unit is named as its workbook names it: the dossier's kind is not its kind.
    edit(ward / "thon" / "an-bien.xlsx", {"B3": "Bình Trung"})
    edit(ward / "thon" / "cat-dai.xlsx", {"B3": "Phường Lê Lợi"})
    edit(ward / "thon" / "ho-nam.xlsx", {"B4": "Hồ Nan"})
    (ward / "thon" / "trai-cau.xlsx").unlink()
    found = {p.code: p for p in problems(ward)}
    assert found["khac-xa"].message == 'biểu ghi đơn vị "Phường Lê Lợi", không phải phường Lê Chân'
    other = [p.message for p in problems(ward) if p.code == "khac-xa"]
    assert 'biểu ghi đơn vị "Bình Trung", không phải phường Lê Chân' in other
    assert found["thon-la"].message == (
        'tổ dân phố "Hồ Nan" không có trong danh sách tổ dân phố của hồ sơ'
    )
    assert (found["thon-la"].hint or "").startswith('có phải tổ dân phố "Hồ Nam"?')
    assert found["thieu-thon"].message == 'chưa có số liệu của tổ dân phố "Trại Cau"'
    assert "«Tổ dân phố:»" in (found["thieu-thon"].hint or "")


def test_cli_lines_name_the_blocks(ward: Path, tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "out"
    ingested = runner.invoke(cli, ["ingest", str(ward), "--out", str(out)])
    assert ingested.exit_code == 0, ingested.output
    assert ingested.output.splitlines()[-1] == (
        f"Xong: 7 tổ dân phố và số liệu cấp xã, 0 cảnh báo; đã ghi {out / 'data.json'}"
    )
    blank = tmp_path / "blank"
    blank.mkdir()
    shutil.copy(ward / "hoso.toml", blank)
    written = runner.invoke(cli, ["forms", str(blank)])
    assert written.exit_code == 0, written.output
    assert written.output.splitlines()[-1] == (
        "Xong: 8 biểu mẫu. Gửi các biểu trong thư mục thon/ cho các tổ dân phố."
    )


def test_rule_set_labels_take_the_units_words() -> None:
    words = words_for(
        cap="đặc khu", cap_thon="khu phố", ten="Cát Hải", tinh="Hải Phòng", huyen=None, year=2026
    )
    shipped = load_rules()
    item = shipped.item("12.2")
    assert (
        item is not None
        and item.label == "{Cap_thon} có điểm vui chơi cho trẻ em / tổng số {cap_thon}"
    )
    worded = shipped.in_words(words).item("12.2")
    assert worded is not None
    assert worded.label == "Khu phố có điểm vui chơi cho trẻ em / tổng số khu phố"
    kh = shipped.in_words(words).item("6.2")
    assert kh is not None and "Chủ tịch UBND đặc khu phê duyệt" in kh.label


def test_an_unknown_placeholder_is_a_located_rule_set_error() -> None:
    raw = _shipped_raw()
    raw["criteria"][11]["items"][1]["label"] = "{Thon} có điểm vui chơi / tổng số {cap_thon}"
    raw["criteria"][0]["name"] = "Nguồn lực của {xa}"
    rules, found = parse_rules(raw, "bo-tieu-chi.toml")
    assert rules is None
    assert [(p.field, p.code, p.value) for p in found] == [
        ("tiêu chí 1 › name", "cho-dien-la", "{xa}"),
        ("mục 12.2 › label", "cho-dien-la", "{Thon}"),
    ]
    assert "{cap_thon}" in (found[0].hint or "")


def test_an_unknown_placeholder_in_the_catalogue_is_refused() -> None:
    entry = {"ma": "a", "cap": "thon", "ten": "{thon} có", "loai": "yes_no"}
    with pytest.raises(CatalogueError, match=r"\{thon\}"):
        parse_catalogue({"chi_tieu": [entry]})


def _shipped_raw() -> dict[str, Any]:
    return tomllib.loads(shipped_path().read_text(encoding="utf-8"))


def test_village_names_keep_their_kind_word_when_the_rest_is_no_name(tmp_path: Path) -> None:
    folder = tmp_path / "ho-so"
    folder.mkdir()
    text = _profile(
        "phường", tinh="Hải Phòng", nam=2026, cap_thon="khu phố", loai="phuong_do_thi"
    ).replace(
        'thon = ["An Biên", "Cát Dài", "Hồ Nam"]',
        'thon = ["Khu phố 1", "Khu phố số 2", "Khu phố Cát Dài"]',
    )
    (folder / "hoso.toml").write_text(text, encoding="utf-8")
    assert load_profile(folder, sections=("don_vi",)).don_vi.thon == (
        "Khu phố 1", "Khu phố số 2", "Cát Dài"
    )  # fmt: skip
    write_forms(Dossier(folder))
    forms = sorted(p.name for p in (folder / "thon").glob("*.xlsx"))
    assert forms == ["cat-dai.xlsx", "khu-pho-1.xlsx", "khu-pho-so-2.xlsx"]
    for name in forms:
        _fill(folder / "thon" / name, PERFECT_VILLAGE)
    _fill(folder / "xa.xlsx", PERFECT_COMMUNE)
    out = tmp_path / "out"
    ingest_to(Dossier(folder, out))
    score(Dossier(folder, out))
    form = openpyxl.load_workbook(folder / "thon" / "khu-pho-1.xlsx")[DATA_SHEET]
    assert (form["A4"].value, form["B4"].value) == ("Khu phố:", "Khu phố 1")
    villages = openpyxl.load_workbook(out / WORKBOOK_NAME)["Số liệu khu phố"]
    heads = [c.value for c in villages[3]]
    assert heads[2:5] == ["Khu phố 1", "Khu phố số 2", "Cát Dài"]
