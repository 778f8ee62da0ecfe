"""`hoso tong-hop` on a province as an officer receives it: An Giang 2026, 20 units (12 xã,
6 phường, 2 đặc khu), one sent twice, one changed after scoring, one never scored; every
figure recomputed here from the scorecards, the printed setup read back from the files,
the report and the draft decision through `hoso check`."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.check.checker import check_files
from pipeline.check.pdfcheck import PT_PER_MM, read_pages
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.common.vnformat import percent
from pipeline.files.docxread import iter_paragraphs
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.rollup import (
    BOOK_NAME,
    DECISION_NAME,
    REPORT_NAME,
    Issuer,
    find_dossiers,
    load_issuer,
    roll_up,
)
from pipeline.stages.score import score
from scripts.make_synthetic import Kind, make_dossier
from tests.helpers import libreoffice_convert, soffice

_X: Kind = (2026, "xã", "ấp", "An Giang", "")
_P: Kind = (2026, "phường", "khu phố", "An Giang", "")
_D: Kind = (2026, "đặc khu", "thôn", "An Giang", "")
# 12 xã, 6 phường, 2 đặc khu, interleaved so the fates of make_synthetic fall on each kind.
KINDS = (_X, _P, _X, _P, _X, _D, _X, _P, _X, _P, _X, _P, _X, _P, _X, _D, _X, _X, _X, _X)
SETTINGS = """\
[co_quan]
ten = "Sở Y tế"
tinh = "An Giang"
luu = "VT, NVY"
[ke_hoach]
muc_tieu_ty_le = 70
[van_ban]
so = 15
ngay = 2026-12-10
nguoi_ky = "Nguyễn Văn A"
chuc_vu = "Giám đốc"
ky_thay = "Phó Giám đốc"
noi_nhan = ["Như trên", "Bộ Y tế"]
[quyet_dinh]
nguoi_ky = "Trần Văn B"
"""


class Province:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "ho-so"
        self.outputs = root / "outputs"
        made = [make_dossier(self.folder, i, villages=5, kinds=KINDS) for i in range(20)]
        self.units = {m.folder.name: m.unit for m in made}
        for m in made[:-1]:  # the last one is never scored
            out = self.outputs / m.folder.name
            ingest_to(Dossier(m.folder, out))
            score(Dossier(m.folder, out))
        self.unscored = made[-1].folder.name
        # The first unit sent twice, under another folder name, scored alike.
        self.first = made[0].folder.name
        self.copy = f"{self.first}-gui-lai"
        shutil.copytree(made[0].folder, self.folder / self.copy)
        shutil.copytree(self.outputs / self.first, self.outputs / self.copy)
        # A village's figure changed after scoring: stale.
        self.stale = made[1].folder.name
        book_path = next((made[1].folder / "thon").glob("*.xlsx"))
        book = openpyxl.load_workbook(book_path)
        book["Số liệu"]["D8"] = 999
        book.save(book_path)
        (root / "tong-hop.toml").write_text(SETTINGS, encoding="utf-8")

    def cards(self) -> dict[str, dict[str, Any]]:
        """The scorecards to count, read as plain JSON: not the stale, copy or unscored."""
        skip = {self.stale, self.copy, self.unscored}
        return {
            name: json.loads((self.outputs / name / "scorecard.json").read_text("utf-8"))
            for name in sorted(self.units)
            if name not in skip
        }


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Province:
    return Province(tmp_path_factory.mktemp("an-giang"))


def _run(province: Province, out: Path, *extra: str) -> Any:
    args = ["tong-hop", str(province.folder), "--from", str(province.outputs), "--out", str(out),
            "--ho-so", str(province.root / "tong-hop.toml"), *extra]  # fmt: skip
    return CliRunner().invoke(cli, args)


def _text(path: Path) -> str:
    return "\n".join(p.text for p in iter_paragraphs(docx.Document(str(path))))


def test_the_province_recomputed_independently(province: Province, tmp_path: Path) -> None:
    result = _run(province, tmp_path)
    assert result.exit_code == 0, result.output
    cards = province.cards()
    assert len(cards) == 18  # 21 folders: the copy, the stale and the unscored apart
    passing = {n for n, c in cards.items() if c["recognized"]}
    assert 0 < len(passing) < len(cards)
    assert (f"tỉnh An Giang: 18 đơn vị đủ điều kiện tổng hợp, {len(passing)} đạt; 3 hồ sơ "
            "chưa đủ điều kiện tổng hợp.") in result.output  # fmt: skip

    book = openpyxl.load_workbook(tmp_path / BOOK_NAME)
    sheet = book["Tổng hợp"]
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert [r[-1] for r in rows] == list(cards)  # one row per eligible dossier, no double
    for row, (name, card) in zip(rows, cards.items(), strict=True):
        unit = province.units[name]
        assert row[1:3] == (unit[0].upper() + unit[1:], unit.split(" ")[0] if not
                            unit.startswith("đặc khu") else "đặc khu")  # fmt: skip
        assert Decimal(str(row[3])) == Decimal(str(card["total"]))
        assert row[5] == ("Đạt" if card["recognized"] else "Chưa đạt")
        points = [Decimal(str(c["points"])) for c in card["criteria"]]
        assert [Decimal(str(p)) for p in row[6 : 6 + len(points)]] == points
    # Each criterion's maximum in its header.
    assert (
        sheet.cell(4, 7).value == "TC 1\n(100)" and sheet.cell(4, 4).value == "Tổng điểm\n(1.000)"
    )

    text = _text(tmp_path / REPORT_NAME)
    by_kind = {k: [0, 0] for k in ("xã", "phường", "đặc khu")}
    for name, card in cards.items():
        kind = (
            "đặc khu"
            if province.units[name].startswith("đặc khu")
            else province.units[name].split()[0]
        )
        by_kind[kind][0] += 1
        by_kind[kind][1] += int(card["recognized"])
    assert "- Số đơn vị đã gửi hồ sơ: 20 (21 hồ sơ, có đơn vị gửi hơn một lần)." in text
    assert (f"- Số đơn vị đủ điều kiện tổng hợp: 18 ({by_kind['xã'][0]} xã, "
            f"{by_kind['phường'][0]} phường và {by_kind['đặc khu'][0]} đặc khu); hồ sơ chưa đủ "
            "điều kiện tổng hợp: 3 (nêu tại mục IV).") in text  # fmt: skip
    rate = percent(Fraction(100 * len(passing), 18))
    met = "đạt" if Fraction(100 * len(passing), 18) >= 70 else "chưa đạt"
    assert f"chiếm {rate} số đơn vị đủ điều kiện tổng hợp, {met} chỉ tiêu kế hoạch (70%)" in text
    # Per criterion: units that lost points; per rate sub-item, the province-wide rate.
    first = next(iter(cards.values()))
    for i, criterion in enumerate(first["criteria"]):
        lost = sum(
            1 for c in cards.values() if c["criteria"][i]["points"] < c["criteria"][i]["max"]
        )
        title = f"Tiêu chí {criterion['no']} ({criterion['name']})"
        assert f"- {title}: {lost}/18 đơn vị" in text
    vaccinated = [i for c in cards.values() for cr in c["criteria"] for i in cr["items"]
                  if i["id"] == "7.1"]  # fmt: skip
    share = Fraction(
        sum(i["numerator"] for i in vaccinated), sum(i["denominator"] for i in vaccinated)
    )
    assert f"tỷ lệ chung {percent(100 * share)}" in text
    # Each unit not recognised once, punctuation clean; not eligible listed with the reason.
    for name, card in cards.items():
        unit = province.units[name]
        line = [p for p in text.splitlines() if p.startswith(f"- {unit[0].upper()}{unit[1:]}:")]
        assert len(line) == (0 if card["recognized"] else 1), unit
        if line:
            assert line[0].endswith(".") and not line[0].endswith("..") and ".;" not in line[0]
    assert (
        f"(hồ sơ {province.copy}): chưa đủ điều kiện tổng hợp, trùng đơn vị với hồ sơ "
        f"{province.first}" in text
    )
    assert f"(hồ sơ {province.stale}): chưa đủ điều kiện tổng hợp, kết quả chấm điểm cũ" in text
    assert f"(hồ sơ {province.unscored}): chưa đủ điều kiện tổng hợp, chưa chấm điểm." in text
    # It proposes; the committee decides.
    assert (
        f"Sở Y tế đề nghị Ủy ban nhân dân tỉnh An Giang xem xét, công nhận {len(passing)} đơn vị"
        in text
    )
    assert "Kính gửi: Ủy ban nhân dân tỉnh An Giang." in text
    assert "Số: 15/BC-SYT" in text and "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text
    assert "ỦY BAN NHÂN DÂN\nTỈNH AN\u00a0GIANG\nSỞ Y TẾ" in text  # the province unbroken
    assert "- Bộ Y tế;" in text

    decision = _text(tmp_path / DECISION_NAME)
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH AN GIANG" in decision
    assert f"Điều 1. Công nhận {len(passing)} đơn vị" in decision
    assert (
        "Theo đề nghị của Giám đốc Sở Y tế tại Báo cáo số 15/BC-SYT ngày 10 tháng 12 năm 2026."
        in decision
    )
    annex = docx.Document(str(tmp_path / DECISION_NAME)).tables[-1]
    listed = [r.cells[1].text for r in annex.rows[1:]]
    assert sorted(listed) == sorted(
        province.units[n][0].upper() + province.units[n][1:] for n in passing
    )
    assert not [u for u in listed if u.startswith("Đặc khu") and "xã" in u.lower().split()]

    report = check_files([tmp_path / REPORT_NAME, tmp_path / DECISION_NAME])
    assert report.problems == []
    assert [f.findings for f in report.files] == [[], []]


def test_print_setup_read_back(province: Province, tmp_path: Path) -> None:
    assert _run(province, tmp_path).exit_code == 0
    book = openpyxl.load_workbook(tmp_path / BOOK_NAME)
    assert book.sheetnames == ["Tổng hợp", "Chưa đủ điều kiện", "Phân tích", "Biểu đồ"]
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize, setup.fitToWidth) == ("landscape", 9, 1)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert sheet.oddHeader.center.text == "Sở Y tế - tổng hợp năm 2026"
    assert book["Tổng hợp"].print_title_rows == "$4:$4"
    # A title that wraps breaks before the place's name, never inside it.
    assert book["Tổng hợp"]["A1"].value.endswith("NĂM 2026 -\u00a0TỈNH\u00a0AN\u00a0GIANG")
    assert book["Tổng hợp"]["D5"].border.left.style == "thin"
    chart_sheet = book["Biểu đồ"]
    assert chart_sheet.page_setup.fitToHeight == 1  # the chart on one page
    chart = chart_sheet._charts[0]
    assert (chart.y_axis.scaling.min, chart.y_axis.scaling.max) == (0, 1000)
    titles = [s.tx.strRef.f for s in chart.series]
    assert titles == ["'Biểu đồ'!U1", "'Biểu đồ'!V1"]  # recognised, not: two colours
    fills = [str(s.graphicalProperties.solidFill.srgbClr) for s in chart.series]
    assert len(set(fills)) == 2
    # The thresholds as dashed lines over the bars, one per threshold in use.
    with zipfile.ZipFile(tmp_path / BOOK_NAME) as archive:
        xml = archive.read("xl/charts/chart1.xml").decode("utf-8")
    thresholds = {chart_sheet.cell(1, c).value for c in range(23, 30)} - {None}
    assert thresholds and all(str(t).startswith("Ngưỡng ") for t in thresholds)
    assert xml.count("<lineChart>") == 1 and xml.count('prstDash val="dash"') == len(thresholds)


def test_last_year_and_roster(province: Province, tmp_path: Path) -> None:
    first = tmp_path / "2025"
    assert _run(province, first).exit_code == 0
    roster = tmp_path / "danh-sach.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["STT", "Đơn vị"])
    for i, unit in enumerate(sorted(set(province.units.values())), start=1):
        ws.append([i, unit[0].upper() + unit[1:]])
    ws.append([21, "Xã Chưa Gửi"])
    book.save(roster)
    again = tmp_path / "2026"
    result = _run(
        province, again, "--nam-truoc", str(first / BOOK_NAME), "--danh-sach", str(roster)
    )
    assert result.exit_code == 0, result.output
    assert "1/21 đơn vị chưa gửi hồ sơ" in result.output
    text = _text(again / REPORT_NAME)
    assert (
        "- Số đơn vị đã gửi hồ sơ: 20 (21 hồ sơ, có đơn vị gửi hơn một lần) trên tổng số 21 "
        "đơn vị (95,2%); chưa gửi: 1." in text
    )
    assert "- Chưa gửi hồ sơ: Xã Chưa Gửi." in text
    assert "V. SO VỚI NĂM TRƯỚC" in text and "không đổi" in text and "tăng" not in text


def test_refusals_name_their_folder_or_key(province: Province, tmp_path: Path) -> None:
    other = tmp_path / "ho-so"
    shutil.copytree(province.folder / province.first, other / "khac-tinh")
    profile = other / "khac-tinh" / "hoso.toml"
    profile.write_text(
        profile.read_text("utf-8").replace('tinh = "An Giang"', 'tinh = "Kiên Giang"'), "utf-8"
    )
    with pytest.raises(InputError) as caught:
        roll_up(find_dossiers([province.folder, other], province.outputs), tmp_path / "th",
                load_issuer(province.root / "tong-hop.toml"))  # fmt: skip
    assert [(p.code, p.field) for p in caught.value.problems] == [("khac-tinh", "don_vi.tinh")]
    assert "khac-tinh" in caught.value.problems[0].message
    assert "tỉnh Kiên Giang, không thuộc tỉnh An Giang" in caught.value.problems[0].message
    assert not (tmp_path / "th").exists()
    deputy = tmp_path / "kt.toml"
    deputy.write_text(
        '[van_ban]\nnguoi_ky = "A"\nchuc_vu = "Phó Giám đốc"\nky_thay = "Phó Giám đốc"\n', "utf-8"
    )
    with pytest.raises(InputError) as refused:
        load_issuer(deputy)
    assert [p.field for p in refused.value.problems] == ["van_ban.chuc_vu"]
    empty = tmp_path / "trong"
    empty.mkdir()
    with pytest.raises(InputError) as nothing:
        find_dossiers([empty])
    assert "hoso init" not in (nothing.value.problems[0].hint or "")


def test_the_same_unit_with_different_results_counts_neither(
    province: Province, tmp_path: Path
) -> None:
    folder = tmp_path / "ho-so"
    for name in (province.first, province.copy):
        shutil.copytree(province.folder / name, folder / name)
    outputs = tmp_path / "outputs"
    shutil.copytree(province.outputs / province.first, outputs / province.first)
    profile = folder / province.copy / "hoso.toml"
    profile.write_text(profile.read_text("utf-8") + '\n[[dieu_chinh]]\nmuc = "1.1"\ndiem = 0\n'
                       'ly_do = "Hội đồng kiểm tra lại"\n', "utf-8")  # fmt: skip
    ingest_to(Dossier(folder / province.copy, outputs / province.copy))
    score(Dossier(folder / province.copy, outputs / province.copy))
    result = roll_up(find_dossiers([folder], outputs), tmp_path / "th", Issuer(nguoi_ky="A"))
    assert result.rollup.evaluated == 0
    reasons = {e.dossier: e.reason for e in result.rollup.excluded}
    assert province.first in reasons[province.copy] and province.copy in reasons[province.first]
    assert "kết quả khác nhau" in reasons[province.first]


def test_the_workbook_pdf_passes_hoso_check_at_full_size(
    province: Province, tmp_path: Path
) -> None:
    # An officer issues tong-hop.xlsx as a PDF beside the report: LibreOffice Calc's
    # conversion must keep the decree's margins (it printed with 0.5/0.6 inch ones, and the
    # chart in DejaVu Sans), with last year's columns and the units not yet sent, the
    # widest the summary gets.
    soffice()
    first = tmp_path / "2025"
    assert _run(province, first).exit_code == 0
    roster = tmp_path / "danh-sach.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["STT", "Đơn vị"])
    ws.append([1, "Xã Chưa Gửi"])
    book.save(roster)
    out = tmp_path / "2026"
    args = ("--nam-truoc", str(first / BOOK_NAME), "--danh-sach", str(roster))
    assert _run(province, out, *args).exit_code == 0
    pdf = libreoffice_convert(out / BOOK_NAME, "pdf", tmp_path)
    report = check_files([pdf])
    assert report.problems == []
    (checked,) = report.files
    assert checked.findings == []
    # Every page at 100 %: the 10 pt header line is the same height on each (a sheet
    # shrunk to fit the width shrinks it too), and each sheet's pages counted from 1.
    pages = read_pages(pdf)
    assert pages
    heights = {
        round(min(w.y1 - w.y0 for w in page.words if w.y1 < 20 * PT_PER_MM), 1) for page in pages
    }
    assert len(heights) == 1, heights
    assert heights.pop() == pytest.approx(13.0, abs=0.2)
    # Totals grouped the Vietnamese way in any locale: "1.000", never "1,000".
    words = [w.text for page in pages for w in page.words]
    assert "1.000" in words
    assert not [w for w in words if re.fullmatch(r"-?\d{1,3}(,\d{3})+", w)]
    sheets = openpyxl.load_workbook(out / BOOK_NAME).sheetnames
    # The footer ("Trang 1") sits below the 20 mm bottom margin.
    firsts = [p for p in pages if any(w.text == "1" and w.y0 > 192 * PT_PER_MM for w in p.words)]
    assert len(firsts) == len(sheets), len(pages)
