"""`hoso check`: the Decree 30 checker on our own papers (clean), on the decree's sample
layouts, on deliberately broken copies (every rule fires), on real agency documents (the
faults their sources list are reported) and on files that are not .docx at all."""

from __future__ import annotations

import copy
import json
import os
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from pipeline.check.checker import CheckReport, check_document, check_files
from pipeline.check.pages import find_soffice
from pipeline.check.rules import PARAMS, parse_rules, rulebook, rules_markdown
from pipeline.cli import cli
from pipeline.files.docxread import iter_paragraphs
from pipeline.files.resources import load_data_toml
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DATA, DEMO, PAPERS, ROOT
from tests.helpers import libreoffice_convert
from tests.nd30_faults import (
    FAULTS,
    Case,
    build_corpus,
    declare_pages,
    measure,
    no_page_numbers,
    second_document,
)
from tests.nd30_faults import find as _find
from tests.nd30_faults import following as _following
from tests.nd30_faults import remove as _remove
from tests.nd30_faults import runs as _runs
from tests.nd30_faults import set_text as _set_text

SAMPLES = DATA / "nd30-phuluc3.docx"
REAL_DOCS = ROOT.parent / "shared" / "reference" / "real-docs"


@pytest.fixture(scope="module")
def papers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dossier's papers, written by the library: ingest -> score -> render."""
    base = tmp_path_factory.mktemp("check")
    dossier = base / "binh-trung-2024"
    shutil.copytree(DEMO, dossier)
    out = base / "out"
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    return out


def _rules(report_findings: list[object]) -> set[str]:
    return {f.rule for f in report_findings}  # type: ignore[attr-defined]


# --- our own papers -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAPERS)
def test_every_paper_hoso_writes_is_clean(papers: Path, name: str) -> None:
    report = check_files([papers / name])
    assert report.problems == []
    (checked,) = report.files
    assert checked.findings == [], [str(f) for f in checked.findings]
    assert report.ok and report.exit_code == 0


# --- broken copies: every rule fires --------------------------------------------------------


# --- the injected-fault corpus: every fault found, nothing else said -------------------------

# Rules no injected .docx fault can show: the page count is unknown only without LibreOffice
# (tested below); embedded fonts are a PDF's (tests/test_check_pdf.py), and so are a
# landscape attachment's own page numbers (tests/test_attachment_pdf.py).
NOT_INJECTED = {"so-trang.khong-ro", "phong-chu.nhung", "phu-luc.so-trang"}


def test_every_rule_has_an_injected_fault() -> None:
    covered = {rule for fault in FAULTS for rule in fault.rules}
    assert covered | NOT_INJECTED == set(rulebook().rules) == set(PARAMS)


@pytest.fixture(scope="module")
def corpus(papers: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Case]:
    return build_corpus(papers, tmp_path_factory.mktemp("corpus"))


def test_fault_corpus_has_no_miss_and_no_false_alarm(corpus: list[Case]) -> None:
    """Every fault kind, injected one at a time into every paper it fits, is reported by
    its rule and by nothing else; the valid variants get no finding at all."""
    score = measure(corpus)
    assert score.faults >= 200 and len(corpus) - score.faults >= 30
    assert score.misses == []
    assert score.false_alarms == []
    assert score.recall == 1.0 and score.precision == 1.0
    # Each finding says what is needed and what is there, in the rule's words.
    for finding in score.reported:
        assert finding.expected and finding.found and finding.where, str(finding)
        assert finding.title == rulebook()[finding.rule].title


def test_wrong_margins_calibri_and_padded_month_are_all_named(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].left_margin = Mm(25)
    doc.sections[0].top_margin = Mm(15)
    run = _find(doc, "Trên đây là Kế hoạch").runs[0]
    run.font.name = "Calibri"
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 05 tháng 03 năm 2024")
    path = tmp_path / "tay.docx"
    doc.save(str(path))
    report = check_files([path])
    findings = {f.rule: f for f in report.files[0].findings}
    assert {"le.trai", "le.tren", "phong-chu.ten", "ngay.so-0-thua"} <= set(findings)
    assert findings["le.trai"].found == "25 mm"
    assert findings["phong-chu.ten"].found == "Calibri"
    assert findings["phong-chu.ten"].text.startswith("Trên đây là Kế hoạch")
    # The decree requires the zero below March; it does not forbid it after: a warning.
    assert "ngay.so-0" not in findings
    assert findings["ngay.so-0-thua"].severity == "canh-bao"
    assert findings["ngay.so-0-thua"].expected == "«tháng 3»"
    assert findings["ngay.so-0-thua"].found == "«tháng 03»"
    assert report.exit_code == 1


def test_office_resaved_files_are_read_the_same(papers: Path, tmp_path: Path) -> None:
    """A clerk opens our paper, and a faulty copy of it, in an office suite and saves them
    again: the clean one stays clean, the faults are still all named."""
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].left_margin = Mm(25)
    _find(doc, "Trên đây là Kế hoạch").runs[0].font.name = "Calibri"
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 05 tháng 03 năm 2024")
    faulty = tmp_path / "sai.docx"
    doc.save(str(faulty))
    out = tmp_path / "resaved"
    clean = libreoffice_convert(papers / "KH-ke-hoach.docx", "docx:MS Word 2007 XML", out)
    resaved = libreoffice_convert(faulty, "docx:MS Word 2007 XML", out)
    report = check_files([clean, resaved])
    assert [str(f) for f in report.files[0].findings] == []
    rules = _rules(report.files[1].findings)  # type: ignore[arg-type]
    assert {"le.trai", "phong-chu.ten", "ngay.so-0-thua"} <= rules


def test_a_finding_repeated_in_many_paragraphs_is_one_line(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    for para in iter_paragraphs(doc):
        if para.text.startswith("- ") and para.paragraph_format.alignment is None:
            para.alignment = WD_ALIGN_PARAGRAPH.LEFT
    path = tmp_path / "trai.docx"
    doc.save(str(path))
    (finding,) = [f for f in check_files([path]).files[0].findings if f.rule == "noi-dung.can-deu"]
    assert len(finding.more) >= 5
    assert "cùng" in str(finding) and finding.found == "căn trái"


# --- the decree's sample layouts (Phụ lục III) -----------------------------------------------


def _sample(start: str, stop: str) -> DocxDocument:
    """One sample of Phụ lục III as a document of its own."""
    doc = docx.Document(str(SAMPLES))
    body = doc.element.body
    kids = list(body)

    def text(el: object) -> str:
        return "".join(t.text or "" for t in el.iter(qn("w:t")))  # type: ignore[attr-defined]

    first = next(i for i, k in enumerate(kids) if text(k).startswith(start))
    last = next(i for i, k in enumerate(kids) if i > first and text(k).startswith(stop))
    for kid in kids[: first + 1] + kids[last:-1]:  # keep the final sectPr
        body.remove(kid)
    return doc


# What the samples fill in concretely (the rest are "……" placeholders): these rules hold.
SAMPLE_RULES = {
    "le.tren", "le.duoi", "le.trai", "le.phai", "trang.kho-giay", "trang.huong",
    "phong-chu.ten", "quoc-hieu.thieu", "quoc-hieu.chu", "quoc-hieu.dinh-dang",
    "tieu-ngu.thieu", "tieu-ngu.chu", "tieu-ngu.dinh-dang", "tieu-ngu.duong-ke",
    "tieu-ngu.dong-rieng", "co-quan.thieu", "co-quan.chu-hoa", "co-quan.duong-ke", "so.thieu",
    "so.dinh-dang", "ngay.thieu", "ngay.dinh-dang", "noi-nhan.thieu", "noi-nhan.dinh-dang",
    "noi-nhan.luu", "chu-ky.thieu", "chu-ky.quyen-han", "chu-ky.ho-ten",
}  # fmt: skip


@pytest.mark.parametrize(
    ("start", "stop"),
    [
        ("Mẫu 1.2", "Mẫu 1.3"),
        ("Mẫu 1.4", "Mẫu 1.5"),
        ("Mẫu 1.5", "Mẫu 1.6"),
        ("Mẫu 1.9", "Mẫu 1.10"),
    ],
)
def test_decree_samples_pass_the_rules_they_fill_in(start: str, stop: str) -> None:
    findings = check_document(_sample(start, stop))
    wrong = [f for f in findings if f.rule in SAMPLE_RULES]
    if start == "Mẫu 1.9":
        # The decree's own file types the end of the minutes' closing line (" năm …../.")
        # in Calibri 11: the checker is right to say so.
        (calibri,) = [f for f in wrong if f.rule == "phong-chu.ten"]
        assert calibri.found == "Calibri" and calibri.text.startswith("Cuộc họp (hội nghị")
        wrong.remove(calibri)
    assert [str(f) for f in wrong] == []


def test_a_sample_with_a_plain_quoc_hieu_is_caught() -> None:
    doc = _sample("Mẫu 1.4", "Mẫu 1.5")
    _runs(_find(doc, "CỘNG HÒA"), bold=False)
    _remove(_following(_find(doc, "Độc lập")))
    rules = _rules(check_document(doc))  # type: ignore[arg-type]
    assert {"quoc-hieu.dinh-dang", "tieu-ngu.duong-ke"} <= rules


# --- real agency documents (reference/real-docs, listed with their faults in SOURCES.md) -----

# The faults SOURCES.md lists for each file, as the rules that report them.
REAL_FAULTS = {
    "02-kh-thpt-caolanh2-lichsu.docx": {"le.trai"},
    "03-ttr-snv-lamdong-thuaphatlai.docx": set(),
    "04-tb-ubnd-lamdong-ketluan-cchc.docx": {"phong-chu.ten", "phong-chu.kieu"},
    "05-bb-cuchoachat-thamdinh.docx": {"phong-chu.ten", "phong-chu.kieu", "so.thieu"},
    "06-cv-sct-laocai-moihop.docx": {"phong-chu.kieu"},
    "07-qd-xndaumay-saigon.docx": {
        "bo-cuc.chung-dong", "tieu-ngu.chu", "le.trai", "phong-chu.kieu"
    },
    "11-qd-ubnd-vinhlong-gianuoc.docx": {
        "bo-cuc.chung-dong", "tieu-ngu.chu", "so.mau", "le.tren", "le.duoi", "le.trai"
    },
    "12-bc-gia-ca-khanhhoa.docx": {"le.tren", "le.duoi", "trang.kho-giay-lech"},
    "13-hd-hdtdkt-hungyen-cumkhoi.docx": {"tieu-ngu.dong-rieng", "so.mau"},
    "14-bb-snv-quangbinh-taphuan.docx": {
        "quoc-hieu.chu", "tieu-ngu.chu", "tieu-ngu.duong-ke", "co-quan.thieu", "so.thieu", "le.trai"
    },
}  # fmt: skip


def _no_real_docs() -> None:
    # CI runs on a clone with ../shared beside it (.ci/run): there these tests must run.
    if os.environ.get("CI"):
        pytest.fail("../shared/reference/real-docs is missing")
    pytest.skip("reference/real-docs is not beside the repository")


@pytest.mark.parametrize("name", sorted(REAL_FAULTS))
def test_real_documents_report_their_listed_faults(name: str) -> None:
    path = REAL_DOCS / name
    if not path.exists():
        _no_real_docs()
    report = check_files([path])
    assert report.problems == []
    rules = _rules(report.files[0].findings)  # type: ignore[arg-type]
    assert REAL_FAULTS[name] <= rules, sorted(rules)
    # A blank number or day in an unsigned draft is not a fault.
    assert not rules & {"so.so-0", "ngay.so-0", "ngay.mau"} or name.startswith("11-")


def test_real_documents_never_crash_the_cli(runner: CliRunner) -> None:
    files = sorted(REAL_DOCS.glob("*.docx"))
    if not files:
        _no_real_docs()
    result = runner.invoke(cli, ["check", *map(str, files)])
    assert result.exit_code == 1, result.output
    assert "Lỗi chương trình" not in result.output
    assert result.output.count("Lỗi: ") >= len(files) - 1


# --- files that are not .docx ----------------------------------------------------------------


def _unreadable(tmp_path: Path) -> dict[str, Path]:
    text = tmp_path / "ghi-chu.docx"
    text.write_text("không phải Word", encoding="utf-8")
    old = tmp_path / "cu.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    archive = tmp_path / "zip.docx"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "xin chào")
    broken = tmp_path / "hong.docx"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("[Content_Types].xml", "<Types")
        z.writestr("word/document.xml", "<w:document")
    return {
        "khong-phai-docx": text,
        "khong-phai-docx ": old,
        "khong-phai-docx  ": archive,
        "khong-doc-duoc": broken,
        "khong-doc-duoc ": tmp_path / "khong-co.docx",
        "khong-phai-tep": tmp_path,
    }


def test_unreadable_files_are_input_problems_named_by_file(papers: Path, tmp_path: Path) -> None:
    bad = _unreadable(tmp_path)
    report = check_files([*bad.values(), papers / "KH-ke-hoach.docx"])
    assert [(p.code, p.file) for p in report.problems] == [
        (code.strip(), str(path)) for code, path in bad.items()
    ]
    assert all(p.hint for p in report.problems)
    assert [f.file for f in report.files] == [str(papers / "KH-ke-hoach.docx")]
    assert report.exit_code == 1


# --- command line ----------------------------------------------------------------------------


def test_cli_clean_paper_exits_0(runner: CliRunner, papers: Path) -> None:
    result = runner.invoke(cli, ["check", str(papers / "QD-thanh-lap-hoi-dong.docx")])
    assert result.exit_code == 0, result.output
    assert "đúng thể thức" in result.output


def test_cli_prints_one_line_per_finding_and_exits_1(
    runner: CliRunner, papers: Path, tmp_path: Path
) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].right_margin = Mm(10)
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 5 tháng 3 năm 2024")
    path = tmp_path / "sai.docx"
    doc.save(str(path))
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("Lỗi: ")]
    assert len(lines) == 2, result.output
    margin, date = lines
    assert "[le.phai]" in margin and "cần 15–20 mm; đang là 10 mm" in margin
    assert "[ngay.so-0]" in date and "«Bình Trung, ngày 5 tháng 3 năm 2024»" in date
    assert "cần «ngày 05»; đang là «ngày 5»" in date
    assert date.startswith(f"Lỗi: {path} › đoạn ")


def test_cli_json_equals_the_library_report(runner: CliRunner, papers: Path) -> None:
    files = [papers / "KH-ke-hoach.docx", papers / "BB-hop-hoi-dong.docx"]
    paths = [str(f) for f in files]
    result = runner.invoke(cli, ["check", "--json", *paths])
    assert result.exit_code == 0
    assert json.loads(result.output) == check_files(files).to_dict()


def test_cli_json_of_a_broken_and_an_unreadable_file(
    runner: CliRunner, papers: Path, tmp_path: Path
) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    doc.sections[0].left_margin = Mm(20)
    broken = tmp_path / "le.docx"
    doc.save(str(broken))
    text = tmp_path / "a.docx"
    text.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["check", "--json", str(broken), str(text)])
    assert result.exit_code == 1
    assert "Lỗi chương trình" not in result.output
    printed = json.loads(result.output[: result.output.rindex("}") + 1])
    expected: CheckReport = check_files([broken, text])
    assert printed == expected.to_dict()
    assert printed["files"][0]["findings"][0]["rule"] == "le.trai"
    assert printed["problems"][0]["file"] == str(text)


def test_cli_unreadable_file_is_named_without_traceback(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bang.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    result = runner.invoke(cli, ["check", str(path)])
    assert result.exit_code == 1
    assert f"Lỗi: {path}: không phải tệp Word .docx" in result.output
    assert "Traceback" not in result.output


# --- the rules data file ---------------------------------------------------------------------


def test_rules_come_from_the_spec_not_the_writer() -> None:
    book = rulebook()
    assert book.font == "Times New Roman"
    assert book.page_mm == (210, 297)
    assert book["le.trai"].range("mm") == (30, 35)
    assert book["le.phai"].range("mm") == (15, 20)
    assert book["quoc-hieu.dinh-dang"].range("co_chu") == (12, 13)
    assert book["noi-nhan.dinh-dang"].range("co_chu") == (12, 12)
    assert book["noi-nhan.danh-sach"].range("co_chu") == (11, 11)
    assert book["so.dinh-dang"].range("co_chu") == (13, 13)


def test_the_loader_names_every_problem_at_once() -> None:
    raw = load_data_toml("nd30-rules.toml")
    broken = copy.deepcopy(raw)
    del broken["quy_tac"]["le.tren"]
    broken["quy_tac"]["le.moi"] = {"muc": "loi", "ten": "x", "nguon": "y"}
    broken["quy_tac"]["le.trai"]["mm"] = [35, 30]
    broken["quy_tac"]["so.mau"]["mau"] = "^Số: (?P<so>\\d+$"
    broken["quy_tac"]["ngay.mau"]["mau"] = "^ngày (?P<ngay>\\d+)$"
    broken["quy_tac"]["le.phai"]["muc"] = "nang"
    broken["quy_tac"]["le.duoi"]["thua"] = 1
    with pytest.raises(ValueError) as caught:
        parse_rules(broken)
    message = str(caught.value)
    for fragment in (
        "quy_tac.le.tren]: missing",
        "quy_tac.le.moi]: no check",
        "quy_tac.le.trai] mm",
        "quy_tac.so.mau] mau: not a valid pattern",
        "quy_tac.ngay.mau] mau: needs the groups dia_danh, nam, thang",
        "quy_tac.le.phai] muc",
        "quy_tac.le.duoi] thua",
    ):
        assert fragment in message, message
    assert parse_rules(raw) == rulebook()


def test_rule_table_in_docs_is_up_to_date() -> None:
    text = (ROOT / "docs" / "nd30-rules.md").read_text(encoding="utf-8")
    assert text == rules_markdown(rulebook()), "run: python scripts/build_docs.py"
    for rule_id in PARAMS:
        assert f"`{rule_id}`" in text


# --- the misses and false alarms of the first version -------------------------------------


def _save(doc: DocxDocument, path: Path) -> Path:
    doc.save(str(path))
    return path


def test_a_cong_van_symbol_is_agency_then_unit() -> None:
    doc = _sample("Mẫu 1.5", "Mẫu 1.6")
    _set_text(_find(doc, "Số:"), "Số: 12/KH-UBND")
    (finding,) = [f for f in check_document(doc) if f.rule == "so.thu-tu"]
    assert "công văn" in finding.expected and finding.found.startswith("«KH-UBND»")
    _set_text(_find(doc, "Số:"), "Số: 12/UBND-VX")
    assert not [f for f in check_document(doc) if f.rule == "so.thu-tu"]


def test_symbol_order_and_authority_say_what_is_needed(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    _set_text(_find(doc, "Số:"), "Số: 12/UBND-KH")
    _set_text(_find(doc, "KT. CHỦ TỊCH"), "")
    report = check_files([_save(doc, tmp_path / "kh.docx")])
    found = {f.rule: f for f in report.files[0].findings}
    assert set(found) == {"so.thu-tu", "chu-ky.tham-quyen"}
    assert found["so.thu-tu"].expected == "chữ viết tắt tên loại «KH» đứng đầu ký hiệu: «…/KH-UBND»"
    assert found["so.thu-tu"].found == "«UBND-KH»"
    assert found["chu-ky.tham-quyen"].expected == "«KT. CHỦ TỊCH» ngay trên «PHÓ CHỦ TỊCH»"


def test_a_chair_signing_for_the_committee_needs_tm(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "TTr-de-nghi-cong-nhan.docx"))
    _set_text(_find(doc, "TM. ỦY BAN"), "")
    (finding,) = check_files([_save(doc, tmp_path / "ttr.docx")]).files[0].findings
    assert finding.rule == "chu-ky.tham-quyen"
    assert finding.expected == "«TM. ỦY BAN NHÂN DÂN» trên «CHỦ TỊCH»"


def test_a_missing_signer_name_is_said_so(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    _set_text(_find(doc, "Hà Nam"), "")
    (finding,) = check_files([_save(doc, tmp_path / "kh.docx")]).files[0].findings
    assert finding.rule == "chu-ky.thieu" and "không có họ tên" in finding.found


def test_impossible_dates_are_named(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    _set_text(_find(doc, "Bình Trung, ngày"), "Bình Trung, ngày 30 tháng 02 năm 2024")
    (finding,) = check_files([_save(doc, tmp_path / "kh.docx")]).files[0].findings
    assert finding.rule == "ngay.co-that"
    assert finding.found == "«ngày 30 tháng 02 năm 2024» không có"


def test_exact_line_height_of_the_font_size_is_below_single(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    fmt = _find(doc, "Thực hiện Kế hoạch số 1301").paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(14)
    (finding,) = check_files([_save(doc, tmp_path / "kh.docx")]).files[0].findings
    assert finding.rule == "noi-dung.gian-dong"
    assert finding.expected.startswith("16,1–24,2 pt")
    assert finding.found == "đúng 14 pt (dưới một dòng)"


def test_a_second_document_in_the_file_is_checked(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "TTr-de-nghi-cong-nhan.docx"))
    second_document(break_it=True)(doc)
    (finding,) = check_files([_save(doc, tmp_path / "hai.docx")]).files[0].findings
    assert finding.rule == "quoc-hieu.dinh-dang"
    assert finding.where.endswith("(văn bản thứ 2 trong tệp)")


def test_many_paragraphs_with_one_fault_are_one_line_with_the_count(
    papers: Path, tmp_path: Path
) -> None:
    doc = docx.Document(str(papers / "BC-ket-qua-danh-gia.docx"))
    doc.styles["ND30 Nội dung"].font.name = "Arial"
    findings = check_files([_save(doc, tmp_path / "bc.docx")]).files[0].findings
    (font,) = [f for f in findings if f.rule == "phong-chu.ten"]
    assert len(font.more) >= 10
    assert f"(và {len(font.more)} đoạn khác cùng lỗi: " in str(font) and "…)" in str(font)


def _no_page_numbers(papers: Path, tmp_path: Path) -> Path:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    no_page_numbers(doc)  # docProps/app.xml keeps the library template's 1 page, 0 words
    return _save(doc, tmp_path / "khong-so-trang.docx")


def test_page_count_from_the_file_properties(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    no_page_numbers(doc)
    declare_pages(doc, 4)
    (finding,) = check_files([_save(doc, tmp_path / "kh.docx")]).files[0].findings
    assert finding.rule == "so-trang.thieu"
    assert finding.found == "văn bản 4 trang (theo thuộc tính của tệp) không đánh số trang"


def test_page_count_by_laying_out_with_libreoffice(papers: Path, tmp_path: Path) -> None:
    if find_soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing")
        pytest.skip("LibreOffice is not installed")
    path = _no_page_numbers(papers, tmp_path)
    report = check_files([path, papers / "QD-thanh-lap-hoi-dong.docx"])
    (finding,) = report.files[0].findings
    assert finding.rule == "so-trang.thieu" and "(LibreOffice dàn trang)" in finding.found
    assert report.files[1].findings == []


def test_unknown_page_count_is_said_never_passed(
    papers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _no_page_numbers(papers, tmp_path)
    (finding,) = check_files([path], layout=False).files[0].findings
    assert finding.rule == "so-trang.khong-ro" and finding.severity == "canh-bao"
    monkeypatch.setenv("HOSO_SOFFICE", str(tmp_path / "khong-co-soffice"))
    (finding,) = check_files([path]).files[0].findings
    assert finding.rule == "so-trang.khong-ro"
    assert "máy không có LibreOffice" in finding.found


# --- odd Word files: a finding or an input problem, never a crash -----------------------------


def test_noi_nhan_after_a_line_break_is_read(papers: Path, tmp_path: Path) -> None:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    first = _find(doc, "Nơi nhận:").runs[0]._r
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    first.addprevious(run)
    report = check_files([_save(doc, tmp_path / "kh.docx")])
    assert report.problems == [] and report.files[0].findings == []


def _with_attribute(papers: Path, path: Path, start: str, tag: str, attr: str) -> Path:
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    para = _find(doc, start)
    if tag == "w:sz":
        el = para.runs[0]._r.get_or_add_rPr().get_or_add_sz()
    else:
        el = para._p.get_or_add_pPr().get_or_add_ind()
    el.set(qn(attr), "abc")
    return _save(doc, path)


def test_invalid_numbers_are_input_problems_and_the_other_files_are_checked(
    runner: CliRunner, papers: Path, tmp_path: Path
) -> None:
    size = _with_attribute(papers, tmp_path / "co.docx", "Thực hiện Kế", "w:sz", "w:val")
    indent = _with_attribute(papers, tmp_path / "le.docx", "Thực hiện Kế", "w:ind", "w:firstLine")
    doc = docx.Document(str(papers / "KH-ke-hoach.docx"))
    jc = OxmlElement("w:jc")  # an alignment without its value
    _find(doc, "Thực hiện Kế").paragraph_format._element.get_or_add_pPr().append(jc)
    no_value = _save(doc, tmp_path / "can.docx")
    clean = papers / "QD-thanh-lap-hoi-dong.docx"
    result = runner.invoke(cli, ["check", str(size), str(indent), str(no_value), str(clean)])
    assert result.exit_code == 1, result.output
    assert "Lỗi chương trình" not in result.output and "Traceback" not in result.output
    assert f'{size}: tệp .docx có định dạng Word không viết ra được: <w:sz w:val="abc">' in (
        result.output
    )
    assert '<w:ind w:firstLine="abc"> không phải là số' in result.output
    assert "<w:jc> thiếu thuộc tính bắt buộc w:val" in result.output
    assert f"{clean}: đúng thể thức" in result.output
    report = check_files([size, indent, no_value, clean])
    assert [p.code for p in report.problems] == ["gia-tri-sai"] * 3
    assert all(p.hint for p in report.problems)
