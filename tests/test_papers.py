"""The dossier's papers from a real pipeline run (ingest -> score -> render): every figure in
them equals scorecard.json and data.json, the request exists only when recognised, free text
and names appear literally, long lists lay out, and LibreOffice opens every paper."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from pipeline.files.docxread import iter_paragraphs, paragraph_alignment, run_format, text_lines
from pipeline.model.dossier import Dossier
from pipeline.papers.nd30 import TEXT_WIDTH_TWIPS
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DATA, PAPERS, ROOT
from tests.factories import make_data, without_workbooks, write_data
from tests.helpers import libreoffice_convert
from tests.paper_lint import faults

Edit = Callable[[str, str], Path]


@dataclass
class Run:
    out: Path
    scorecard: dict[str, Any]
    totals: dict[str, Any]

    def doc(self, name: str) -> DocxDocument:
        return docx.Document(str(self.out / name))


def _pipeline(dossier: Path, out: Path) -> Run:
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    totals = json.loads((out / "data.json").read_text(encoding="utf-8"))["totals"]
    return Run(out, card, totals)


@pytest.fixture
def run(dossier: Path, tmp_path: Path) -> Run:
    return _pipeline(dossier, tmp_path / "out")


def _num(text: str) -> float:
    """A Vietnamese number back to a float: "1.303" -> 1303, "37,5" -> 37.5."""
    return float(text.replace(".", "").replace(",", "."))


def _vi(value: float) -> str:
    whole = f"{int(value):,}".replace(",", ".")
    return whole if value == int(value) else f"{whole},{str(value).split('.')[1]}"


def _rows(doc: DocxDocument, table_index: int) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in doc.tables[table_index].rows]


def test_demo_writes_all_five_papers(run: Run) -> None:
    assert run.scorecard["recognized"] is True
    assert sorted(p.name for p in run.out.glob("*.docx")) == sorted(PAPERS)


def test_minutes_table_equals_the_scorecard(run: Run) -> None:
    rows = _rows(run.doc("BB-hop-hoi-dong.docx"), 1)
    assert rows[0] == [
        "TT", "Tiêu chí, nội dung đánh giá", "Điểm tối đa", "Điểm tính theo số liệu",
        "Điểm Hội đồng chấm", "Ghi chú",
    ]  # fmt: skip
    expected = []
    overrides = []
    for c in run.scorecard["criteria"]:
        expected.append([str(c["no"]), c["name"], c["max"], c["computed"], c["points"], ""])
        for i in c["items"]:
            note = ""
            if i["override"]:
                overrides.append(i)
                note = f"Điều chỉnh ({len(overrides)})"
            expected.append([i["id"], i["label"], i["max"], i["computed"], i["points"], note])
    body = [[r[0], r[1], _num(r[2]), _num(r[3]), _num(r[4]), r[5]] for r in rows[1:-1]]
    assert body == expected
    # Each "Điều chỉnh (n)" points to the paragraph giving its reason.
    lines = text_lines(run.doc("BB-hop-hoi-dong.docx"))
    for n, item in enumerate(overrides, start=1):
        reason = f"Lý do: {item['override']['reason']}"
        assert any(line.startswith(f"({n}) Hội đồng điều chỉnh điểm mục {item['id']} ")
                   and line.endswith(reason) for line in lines)  # fmt: skip
    assert overrides, "the demo council overrides at least one sub-item"
    total = rows[-1]
    assert (total[1], _num(total[2]), _num(total[3]), _num(total[4])) == (
        "Tổng cộng",
        run.scorecard["scale"],
        run.scorecard["computed_total"],
        run.scorecard["total"],
    )


def test_report_table_and_sentences_equal_scorecard_and_data(run: Run) -> None:
    doc = run.doc("BC-ket-qua-danh-gia.docx")
    rows = _rows(doc, 1)
    criteria = run.scorecard["criteria"]
    assert [[r[0], r[1], _num(r[2]), _num(r[3])] for r in rows[1:-1]] == [
        [str(c["no"]), c["name"], c["max"], c["points"]] for c in criteria
    ]
    assert _num(rows[-1][3]) == run.scorecard["total"]
    lines = text_lines(doc)
    under_16 = _vi(run.totals["tre_em_duoi_16"])
    assert f"tổng số trẻ em dưới 16 tuổi là {under_16} trẻ." in " ".join(lines)
    sentences = [line for line in lines if line.startswith("- ") and "điểm." in line]
    items = [i for c in criteria for i in c["items"]]
    assert len(sentences) == len(items)
    for item, sentence in zip(items, sentences, strict=True):
        assert f"đạt {_vi(item['computed'])}/{_vi(item['max'])} điểm." in sentence, sentence
        if item["override"]:
            assert sentence.endswith(
                f"Hội đồng chấm {_vi(item['points'])} điểm; lý do: {item['override']['reason']}"
            )
        if item["kind"] == "rate" and item["denominator"]:
            data_part = sentence.split("; đạt ")[0]
            numbers = [_num(n) for n in re.findall(r"\d[\d.]*(?:,\d+)?", data_part)]
            assert numbers[-3:-1] == [item["denominator"], item["numerator"]], sentence
            assert f"tỷ lệ {_vi(round(item['rate'], 1))}%" in sentence, sentence
    for c in criteria:
        heading = f"Tiêu chí {c['no']} ({c['name']}): đạt {_vi(c['points'])}/"
        assert any(line.startswith(heading) for line in lines), heading


def test_request_carries_the_totals(run: Run) -> None:
    lines = text_lines(run.doc("TTr-de-nghi-cong-nhan.docx"))
    card = run.scorecard
    total = f"- Tổng số điểm đạt: {_vi(card['total'])}/{_vi(card['scale'])} điểm"
    assert any(line.startswith(total) for line in lines)
    assert f"(ngưỡng điểm công nhận: {_vi(card['threshold'])} điểm);" in " ".join(lines)
    assert "Kính gửi: Ủy ban nhân dân huyện Cao Lộc." in lines


def test_not_recognised_removes_the_request_and_says_why(run: Run, dossier: Path) -> None:
    rules = dossier / "bo-tieu-chi.toml"
    shipped = Path(__file__).resolve().parent.parent / "pipeline" / "data" / "qd06-2019.toml"
    text = shipped.read_text(encoding="utf-8")
    # The same rules with the mountain threshold above the demo's total.
    assert text.count("mien_nui = 800") == 1
    rules.write_text(text.replace("mien_nui = 800", "mien_nui = 990"), encoding="utf-8")
    profile = dossier / "hoso.toml"
    before = profile.read_text(encoding="utf-8")
    after = before.replace('# [danh_gia]\n# bo_tieu_chi = "bo-tieu-chi.toml"',
                           '[danh_gia]\nbo_tieu_chi = "bo-tieu-chi.toml"')  # fmt: skip
    assert after != before
    profile.write_text(after, encoding="utf-8")
    assert (run.out / "TTr-de-nghi-cong-nhan.docx").exists()
    score(Dossier(dossier, run.out))
    result = render(Dossier(dossier, run.out))
    assert result.removed == [run.out / "TTr-de-nghi-cong-nhan.docx"]
    assert not (run.out / "TTr-de-nghi-cong-nhan.docx").exists()
    lines = text_lines(run.doc("BC-ket-qua-danh-gia.docx"))
    # The figures once, then the verdict once, in the papers' words.
    at = lines.index("IV. KẾT QUẢ ĐÁNH GIÁ")
    assert lines[at + 1 : at + 4] == [
        "Tổng số điểm: 940/1.000 điểm (ngưỡng điểm công nhận: 990 điểm); không có tiêu chí nào "
        "0 điểm.",
        "Xã Bình Trung chưa đạt tiêu chuẩn xã phù hợp với trẻ em năm 2024 do tổng số điểm còn "
        "thiếu 50 điểm so với ngưỡng công nhận.",
        "V. KHÓ KHĂN, VƯỚNG MẮC",
    ]
    minutes = text_lines(run.doc("BB-hop-hoi-dong.docx"))
    assert (
        "3. Tổng số điểm: 940/1.000 điểm; ngưỡng điểm công nhận đối với xã thuộc vùng miền núi, "
        "hải đảo, vùng đặc biệt khó khăn là 990 điểm; không có tiêu chí nào 0 điểm."
    ) in minutes
    assert (
        "5. Kết luận: Xã Bình Trung chưa đạt tiêu chuẩn xã phù hợp với trẻ em năm 2024 do tổng "
        "số điểm còn thiếu 50 điểm so với ngưỡng công nhận."
    ) in minutes
    for paper in (lines, minutes):
        assert sum("990" in line for line in paper) == 1
        assert sum("thiếu 50 điểm" in line for line in paper) == 1


def test_council_override_appears_with_its_reason(dossier: Path, tmp_path: Path) -> None:
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + '\n[[dieu_chinh]]\nmuc = "2.1"\ndiem = 50\n'
        + 'ly_do = "Hai trẻ đăng ký khai sinh muộn do sinh tại tỉnh khác, đã có xác nhận."\n',
        encoding="utf-8",
    )
    run = _pipeline(dossier, tmp_path / "out")
    minutes = run.doc("BB-hop-hoi-dong.docx")
    reason = "Hai trẻ đăng ký khai sinh muộn do sinh tại tỉnh khác, đã có xác nhận."
    row = next(r for r in _rows(minutes, 1) if r[0] == "2.1")
    assert row[3:] == ["35", "50", "Điều chỉnh (1)"]
    assert (
        "(1) Hội đồng điều chỉnh điểm mục 2.1 (Trẻ em dưới 1 tuổi được đăng ký khai sinh đúng "
        f"hạn / trẻ em sinh ra trong kỳ) từ 35 điểm thành 50 điểm. Lý do: {reason}"
    ) in text_lines(minutes)
    # The demo's own override of 10.2 (+25) stays; this one adds 15.
    assert run.scorecard["total"] == run.scorecard["computed_total"] + 25 + 15


def test_tables_fit_the_page_and_repeat_their_header(run: Run) -> None:
    for name, index in (("BB-hop-hoi-dong.docx", 1), ("BC-ket-qua-danh-gia.docx", 1)):
        table = run.doc(name).tables[index]
        widths = [int(c.width.twips) for c in table.columns if c.width is not None]
        assert sum(widths) == TEXT_WIDTH_TWIPS, name
        rows = table.rows
        flags = [r._tr.trPr for r in rows]
        assert all(f is not None and f.find(qn("w:cantSplit")) is not None for f in flags)
        assert flags[0] is not None and flags[0].find(qn("w:tblHeader")) is not None
        points = rows[1].cells[-2 if name.startswith("BB") else -1].paragraphs[0]
        assert paragraph_alignment(points) == WD_ALIGN_PARAGRAPH.RIGHT
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert {el.get(qn("w:val")) for el in borders} == {"single"}


def test_names_and_free_text_appear_literally(edit_profile: Edit, tmp_path: Path) -> None:
    edit_profile('ho_ten = "Chu Thị Mai"', 'ho_ten = "Chu Thị <Mai> & \\"Hoa\\" {{ x }}"')
    dossier = edit_profile(
        'de_xuat = """',
        'de_xuat = """\nĐề nghị hỗ trợ {% if %} & <kinh phí>.\n\nDòng thứ hai.',
    )
    run = _pipeline(dossier, tmp_path / "out")
    decision = text_lines(run.doc("QD-thanh-lap-hoi-dong.docx"))
    assert (
        '7. Bà Chu Thị <Mai> & "Hoa" {{ x }}, Hiệu trưởng Trường Tiểu học và THCS Bình '
        in (decision[decision.index("QUYẾT ĐỊNH:") + 8][:80])
    )
    report = text_lines(run.doc("BC-ket-qua-danh-gia.docx"))
    start = report.index("VI. ĐỀ XUẤT, KIẾN NGHỊ")
    assert report[start + 1 : start + 3] == [
        "Đề nghị hỗ trợ {% if %} & <kinh phí>.",
        "Dòng thứ hai.",
    ]


def test_long_member_list_and_many_villages(dossier: Path, tmp_path: Path) -> None:
    profile = dossier / "hoso.toml"
    extra = "".join(
        f'\n[[hoi_dong.thanh_vien]]\nho_ten = "Thành viên {n}"\ndanh_xung = "ông"\n'
        f'chuc_vu = "Trưởng thôn số {n}"\nvai_tro = "thanh_vien"\n'
        for n in range(1, 21)
    )
    text = profile.read_text(encoding="utf-8").replace(
        "# Cuộc họp chấm điểm", extra + "\n# Cuộc họp chấm điểm"
    )
    profile.write_text(text, encoding="utf-8")
    run = _pipeline(dossier, tmp_path / "out")
    decision = text_lines(run.doc("QD-thanh-lap-hoi-dong.docx"))
    assert "28. Ông Thành viên 20, Trưởng thôn số 20 - Thành viên." in decision
    minutes = text_lines(run.doc("BB-hop-hoi-dong.docx"))
    assert (
        "Có mặt: 27/28 thành viên; vắng mặt: ông Dương Văn Khánh, Bí thư Đoàn Thanh niên xã, "
        "Thành viên (lý do: ……………)." in minutes
    )


def test_all_papers_are_deterministic(dossier: Path, tmp_path: Path) -> None:
    first = _pipeline(dossier, tmp_path / "a")
    second = _pipeline(dossier, tmp_path / "b")
    for name in PAPERS:
        assert (first.out / name).read_bytes() == (second.out / name).read_bytes(), name


@pytest.mark.parametrize("name", PAPERS)
def test_demo_papers_match_their_golden_text(run: Run, name: str) -> None:
    golden = DATA / "golden" / name.replace(".docx", ".txt")
    lines = text_lines(run.doc(name))
    assert lines == golden.read_text(encoding="utf-8").splitlines()


def test_libreoffice_opens_every_paper_as_a4(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pdf"
    folder.mkdir()
    for name in PAPERS:
        shutil.copy(run.out / name, folder / name)
        pdf = libreoffice_convert(folder / name, "pdf", folder).read_bytes()
        boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
        assert boxes, name
        # A4 portrait: 210 x 297 mm = 595.3 x 841.9 pt.
        assert {(round(float(w)), round(float(h))) for w, h in boxes} == {(595, 842)}, name


TYPES = {
    "KH-ke-hoach.docx": "KẾ HOẠCH",
    "QD-thanh-lap-hoi-dong.docx": "QUYẾT ĐỊNH",
    "BB-hop-hoi-dong.docx": "BIÊN BẢN",
    "BC-ket-qua-danh-gia.docx": "BÁO CÁO",
    "TTr-de-nghi-cong-nhan.docx": "TỜ TRÌNH",
}


def _format_of(doc: DocxDocument, text: str) -> set[tuple[float | None, bool, bool]]:
    paras = [p for p in iter_paragraphs(doc) if p.text == text]
    assert paras, text
    return {
        (f.size_pt, f.bold, f.italic)
        for p in paras
        for f in (run_format(p, r) for r in p.runs if r.text.strip())
    }


@pytest.mark.parametrize("name", PAPERS)
def test_every_paper_follows_decree_30(run: Run, name: str) -> None:
    doc = run.doc(name)
    (section,) = doc.sections
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # type: ignore[union-attr]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins if m is not None] == [20, 20, 30, 15]
    runs = [(p, r) for p in iter_paragraphs(doc) for r in p.runs if r.text.strip()]
    assert {run_format(p, r).font for p, r in runs} == {"Times New Roman"}
    symbol = name.split("-", maxsplit=1)[0].replace("QD", "QĐ")
    expected = {
        "ỦY BAN NHÂN DÂN": (13, True, False),
        "XÃ BÌNH TRUNG": (13, True, False),
        f"Số: {' ' * 6}/{symbol}-UBND": (13, False, False),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM": (13, True, False),
        "Độc lập - Tự do - Hạnh phúc": (14, True, False),
        TYPES[name]: (14, True, False),
        "Nơi nhận:": (12, True, True),
        "- Lưu: VT." if not name.startswith("BB") else "- Lưu: VT, Hồ sơ.": (11, False, False),
    }
    if not name.startswith("BB"):  # minutes carry no place and date (Mẫu 1.9)
        expected[f"Bình Trung, ngày {' ' * 6}tháng {' ' * 6}năm 2024"] = (14, False, True)
    for text, fmt in expected.items():
        assert _format_of(doc, text) == {fmt}, (name, text)
    header = section.header._element
    assert header.xpath(".//w:fldSimple") and section.different_first_page_header_footer
    assert not section.first_page_header._element.xpath(".//w:fldSimple")


def test_twenty_five_villages(dossier: Path, tmp_path: Path) -> None:
    names = [f"Nà {n}" for n in range(1, 26)]
    profile = dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    start = text.index("thon = [")
    end = text.index("]", start) + 1
    listed = ", ".join(f'"{n}"' for n in names)
    profile.write_text(text[:start] + f"thon = [{listed}]" + text[end:], encoding="utf-8")
    out = tmp_path / "out"
    without_workbooks(dossier)
    write_data(
        out, make_data({n: {"co_diem_vui_choi": i % 3 != 0} for i, n in enumerate(names)}), dossier
    )
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    report = text_lines(docx.Document(str(out / "BC-ket-qua-danh-gia.docx")))
    assert "Xã Bình Trung có 25 thôn; tổng số trẻ em dưới 16 tuổi là 5.000 trẻ." in report
    assert "- Thôn có điểm vui chơi cho trẻ em: 16/25 thôn (64%); đạt 25/25 điểm." in report


def test_both_demo_dossiers_have_no_fault_a_clerk_would_retype(run: Run, tmp_path: Path) -> None:
    ward = tmp_path / "le-chan-2026"
    shutil.copytree(ROOT / "inputs" / "le-chan-2026", ward)
    ward_run = _pipeline(ward, tmp_path / "ward-out")
    for paper_run, year in ((run, 2024), (ward_run, 2026)):
        for name in PAPERS:
            assert faults(paper_run.doc(name), year) == [], name
    plan = text_lines(ward_run.doc("KH-ke-hoach.docx"))
    assert (
        "Yêu cầu các ban, ngành, đoàn thể phường và các tổ dân phố trên địa bàn phường tổ chức "
        "thu thập số liệu, gửi về công chức Văn hóa - Xã hội trước ngày 06/11/2026 để tổng hợp, "
        "chấm điểm, trình Hội đồng đánh giá phường phù hợp với trẻ em năm 2026 và báo cáo Sở Y "
        "tế thành phố Hải Phòng theo quy định."
    ) in plan
    minutes = text_lines(ward_run.doc("BB-hop-hoi-dong.docx"))
    assert (
        "3. Tổng số điểm: 940/1.000 điểm; ngưỡng điểm công nhận đối với phường thuộc thành phố "
        "trực thuộc trung ương là 900 điểm; không có tiêu chí nào 0 điểm."
    ) in minutes
    assert "Có mặt: 6/6 thành viên." in minutes


def test_the_lint_finds_each_kind_of_fault() -> None:
    doc = docx.Document()
    body = doc.styles.add_style("ND30 Nội dung", WD_STYLE_TYPE.PARAGRAPH)
    for text in (
        "Căn cứ tiêu chuẩn và tình hình thực tế xây dựng kế hoạch theo quy định,",
        "- Phấn đấu đạt tỷ lệ 90% trong năm 2024",
        "Xây dựng xã xã phù hợp với trẻ em.",
        "Tổng hợp báo cáo phòng Lao động - Thương binh và Xã hội.",
        "Tiêu chí k) Trẻ em đến trường, lớp mầm non bị 0 điểm.",
        "Tiêu chí 10 - Trẻ em đến trường, lớp mầm non: đạt 100/100 điểm.",
        # Not faults: the one name, a count of criteria, a criterion at zero.
        "Tiêu chí 10 (Trẻ em đến trường, lớp mầm non) đạt; 13/13 tiêu chí có điểm.",
        "Có tiêu chí 0 điểm thì không được công nhận.",
        "Chấm điểm theo bộ tiêu chí (phiên bản 2019.1).",
        # In a paper of 2024: the commune office of the two-level law.
        "Văn phòng HĐND và UBND xã chịu trách nhiệm thi hành.",
    ):
        doc.add_paragraph(text, style=body)
    found = [fault.split(":", 1)[0] for fault in faults(doc, 2024)]
    assert found == [
        "câu kết thúc bằng dấu phẩy",
        "câu thiếu dấu kết",
        "từ lặp «xã xã»",
        "tên cơ quan viết thường «phòng Lao động - Thương binh và Xã hội»",
        "tên tiêu chí khác cách gọi «Tiêu chí k)»",
        "tên tiêu chí khác cách gọi «Tiêu chí 10»",
        "chữ của phần mềm «phiên bản 2019.1»",
        "văn phòng của thời kỳ khác «Văn phòng HĐND và UBND»",
    ]
    # The same office in a paper of 2026 is that era's own.
    assert not [f for f in faults(doc, 2026) if f.startswith("văn phòng")]
