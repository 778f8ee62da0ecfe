"""Nothing hoso derived is trusted blindly: outputs edited by hand, stale PDFs, tampered
versions and damaged registers are refused (exit 1, with the file and what to run) or
flagged, and no refusal changes a file that was there before.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner, Result

from pipeline import __version__
from pipeline.archive.register import open_register
from pipeline.cli import cli
from pipeline.files.docxread import text_lines
from pipeline.files.lock import LOCK_NAME
from pipeline.stages import freshness
from tests.archive_helpers import Setup, build, correct
from tests.conftest import DEMO, ROOT
from tests.helpers import as_if_written, edit, soffice
from tests.hostile import NA_CAY, SHEET_XML, replace_part, template_with

KH = "KH-ke-hoach.docx"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dossier ingested, scored and rendered once; tests work on copies."""
    base = tmp_path_factory.mktemp("trust")
    shutil.copytree(DEMO, base / DEMO.name)
    build(base / DEMO.name, base / "outputs" / DEMO.name)
    return base


@pytest.fixture
def setup(built: Path, tmp_path: Path) -> Setup:
    shutil.copytree(built, tmp_path, dirs_exist_ok=True)
    return Setup(tmp_path / DEMO.name, tmp_path / "outputs" / DEMO.name, tmp_path / "archive")


def hashes(*folders: Path) -> dict[str, str]:
    """sha256 of every file under `folders` (absent folders hold nothing), the lock files
    aside (empty files only the kernel's locks use)."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        if folder.exists()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (LOCK_NAME, freshness.BUILD_LOCK_NAME)
    }


def hoso(setup: Setup, *args: str, out: bool = True, archive: bool = False) -> Result:
    extra = [*(["--out", str(setup.out)] if out else [])]
    extra += ["--archive", str(setup.archive)] if archive else []
    return CliRunner().invoke(cli, [*args, *extra])


def refused(result: Result, *said: str) -> None:
    """Exit 1, a located message, each of `said` in it, and no traceback."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for text in said:
        assert text in result.output, (text, result.output)


def _edit_json(path: Path, change: dict[str, object]) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.update(change)
    path.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _card(setup: Setup) -> dict[str, object]:
    raw = json.loads((setup.out / "scorecard.json").read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


# --- item 1: derived files are verified --------------------------------------------------------


def test_scorecard_total_edited_by_hand_reaches_no_paper(setup: Setup) -> None:
    total = _card(setup)["total"]
    assert isinstance(total, float)
    _edit_json(setup.out / "scorecard.json", {"total": total + 90})
    before = hashes(setup.out)
    for args in (("render",), ("issue", "--reason", "x")):
        result = hoso(setup, *args, str(setup.dossier), archive=args[0] == "issue")
        refused(result, "scorecard.json", "sửa sau khi hoso ghi", f"hoso score {setup.dossier}")
    assert hashes(setup.out) == before
    assert not setup.archive.exists()


def test_scorecard_whose_parts_do_not_add_up_is_refused_even_when_recorded(setup: Setup) -> None:
    # Recorded as written (what a bug or another tool would leave): the sums still catch it.
    card = _card(setup)
    total = card["total"]
    assert isinstance(total, float)
    card["total"] = total + 90
    as_if_written(setup.out, freshness.SCORE, "scorecard.json", json.dumps(card).encode())
    before = hashes(setup.out)
    result = hoso(setup, "render", str(setup.dossier))
    refused(result, "scorecard.json", "bảng điểm không khớp", "tổng điểm ghi", "hoso score")
    assert hashes(setup.out) == before


def test_data_json_figure_edited_by_hand_is_refused_by_score(setup: Setup) -> None:
    path = setup.out / "data.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    code = next(k for k, v in raw["totals"].items() if isinstance(v, int) and v > 10)
    raw["totals"][code] = 9
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    before = hashes(setup.out)
    refused(hoso(setup, "score", str(setup.dossier)), "data.json", "hoso ingest")
    refused(hoso(setup, "render", str(setup.dossier)), "data.json", "hoso ingest")
    assert hashes(setup.out) == before


def test_data_json_without_a_record_is_refused(setup: Setup) -> None:
    (setup.out / "written.json").unlink()
    before = hashes(setup.out)
    refused(hoso(setup, "score", str(setup.dossier)), "data.json", "không có mã băm", "ingest")
    assert hashes(setup.out) == before


def test_build_remakes_a_hand_edited_data_json_from_the_workbooks(setup: Setup) -> None:
    path = setup.out / "data.json"
    original = path.read_bytes()
    path.write_bytes(original.replace(b'"nam": ', b'"nam":  ', 1))
    result = hoso(setup, "build", str(setup.dossier))
    assert result.exit_code == 0, result.output
    assert "Chạy ingest: data.json đã bị sửa sau khi hoso ghi" in result.output
    assert path.read_bytes() == original


def test_score_workbook_edited_by_hand_is_refused_by_issue(setup: Setup) -> None:
    edit(setup.out / "bieu-cham-diem.xlsx", {"A1": "sửa tay"}, sheet=_first_sheet(setup))
    before = hashes(setup.out)
    result = hoso(setup, "issue", str(setup.dossier), archive=True)
    refused(result, "bieu-cham-diem.xlsx", "sửa sau khi hoso ghi", "hoso score")
    assert hashes(setup.out) == before
    assert _versions(setup.archive) == []


def _first_sheet(setup: Setup) -> str:
    import openpyxl

    return str(openpyxl.load_workbook(setup.out / "bieu-cham-diem.xlsx").sheetnames[0])


def _edit_paper(path: Path) -> None:
    document = docx.Document(str(path))
    document.add_paragraph("Dòng thêm bằng Word.")
    document.save(str(path))


def _versions(archive: Path) -> list[int]:
    """The versions the register holds; a refused first issue leaves no archive at all."""
    if not archive.exists():
        return []
    register = open_register(archive)
    try:
        return [v.version for v in register.versions()]
    finally:
        register.close()


def test_hand_edited_paper_is_issued_only_knowingly(setup: Setup) -> None:
    _edit_paper(setup.out / KH)
    before = hashes(setup.out)
    result = hoso(setup, "issue", str(setup.dossier), archive=True)
    refused(result, KH, "sửa bằng Word sau khi hoso lập", "--chap-nhan-sua-tay")
    assert hashes(setup.out) == before
    assert _versions(setup.archive) == []

    result = hoso(setup, "issue", str(setup.dossier), "--chap-nhan-sua-tay", archive=True)
    assert result.exit_code == 0, result.output
    assert "Cảnh báo:" in result.output and KH in result.output
    register = open_register(setup.archive)
    try:
        edited = {p.code for p in register.papers() if p.hand_edited}
    finally:
        register.close()
    assert edited == {"KH"}
    book = hoso(setup, "register", out=False, archive=True)
    assert book.exit_code == 0, book.output
    assert "sửa bằng Word sau khi hoso lập" in book.output
    manifest = json.loads((setup.archive / DEMO.name / "v1" / "manifest.json").read_text())
    assert [p["code"] for p in manifest["papers"] if p["hand_edited"]] == ["KH"]
    # The copy issued is the clerk's own.
    assert (setup.archive / DEMO.name / "v1" / KH).read_bytes() == (setup.out / KH).read_bytes()

    diff = hoso(setup, "diff", str(setup.dossier), "1", "hien-tai", archive=True)
    assert diff.exit_code == 0, diff.output
    assert f"v1: {KH} được sửa bằng Word sau khi hoso lập" in diff.output
    assert f"hien-tai: {KH} đã sửa bằng Word sau khi hoso lập" in diff.output


# --- item 2 / issue 19: no stale PDF -------------------------------------------------------------


def test_build_dry_run_reports_stale_pdfs_whenever_pdfs_exist(setup: Setup) -> None:
    (setup.out / "KH-ke-hoach.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    before = hashes(setup.out)
    result = hoso(setup, "build", "--dry-run", str(setup.dossier))
    assert result.exit_code == 0, result.output
    assert "PDF" in result.output and "hoso pdf" in result.output
    assert hashes(setup.out) == before


def test_issue_refuses_pdfs_not_made_from_the_papers(setup: Setup) -> None:
    # A PDF with no record of the paper it was made from (killed between the papers and the
    # PDFs, or made by hand): never archived beside the paper.
    (setup.out / "KH-ke-hoach.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    before = hashes(setup.out)
    result = hoso(setup, "issue", str(setup.dossier), archive=True)
    refused(result, "PDF không khớp văn bản Word", f"hoso pdf {setup.dossier}")
    assert hashes(setup.out) == before
    assert not setup.archive.exists()


def test_pdf_refuses_papers_older_than_the_workbooks(setup: Setup) -> None:
    soffice()  # the program is looked for first
    edit(setup.dossier / "thon" / "na-cay.xlsx", {"tre_em_duoi_16": 80})
    before = hashes(setup.out)
    result = hoso(setup, "pdf", str(setup.dossier))
    refused(result, "thon/na-cay.xlsx đã sửa", f"hoso build {setup.dossier}")
    assert hashes(setup.out) == before


def test_pdf_refuses_papers_older_than_their_profile(setup: Setup) -> None:
    soffice()  # the program is looked for first
    profile = setup.dossier / "hoso.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n# ghi chú\n", encoding="utf-8")
    before = hashes(setup.out)
    refused(hoso(setup, "pdf", str(setup.dossier)), "hoso.toml", "hoso render")
    assert hashes(setup.out) == before


def test_diff_on_stale_outputs_says_they_are_stale(setup: Setup) -> None:
    assert hoso(setup, "issue", str(setup.dossier), archive=True).exit_code == 0
    edit(setup.dossier / "thon" / "na-cay.xlsx", {"tre_em_duoi_16": 80})
    result = hoso(setup, "diff", str(setup.dossier), archive=True)
    assert result.exit_code == 0, result.output
    assert "kết quả hiện tại đã cũ" in result.output
    assert "thon/na-cay.xlsx đã sửa" in result.output


# --- item 3: versions verified before compared; verify never writes ------------------------------


def _writable(path: Path) -> None:
    path.parent.chmod(0o755)
    path.chmod(stat.S_IREAD | stat.S_IWRITE)


@pytest.fixture
def two_versions(setup: Setup) -> Setup:
    assert hoso(setup, "issue", str(setup.dossier), archive=True).exit_code == 0
    correct(setup)  # the council meets again on the corrected figures
    result = hoso(setup, "issue", str(setup.dossier), "--reason", "sửa số liệu", archive=True)
    assert result.exit_code == 0, result.output
    return setup


@pytest.mark.parametrize(
    "damage", ["paper-edited", "data-edited", "paper-deleted", "paper-garbage"]
)
def test_diff_refuses_a_tampered_version(two_versions: Setup, damage: str) -> None:
    v1 = two_versions.archive / DEMO.name / "v1"
    target = v1 / ("data.json" if damage == "data-edited" else KH)
    _writable(target)
    if damage == "paper-deleted":
        target.unlink()
    elif damage == "paper-garbage":
        target.write_bytes(b"PK\x03\x04 garbage")
    elif damage == "paper-edited":
        _edit_paper(target)
    else:
        target.write_bytes(target.read_bytes().replace(b'"nam": ', b'"nam":  ', 1))
    before = hashes(two_versions.archive, two_versions.out)
    for docx_copies in ([], ["--docx"]):
        args = ["diff", *docx_copies, str(two_versions.dossier), "1", "2"]
        refused(hoso(two_versions, *args, archive=True), str(target))
    assert hashes(two_versions.archive, two_versions.out) == before


@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00" * 40, b"garbage" * 9])
def test_a_damaged_register_is_a_finding_and_never_rewritten(setup: Setup, content: bytes) -> None:
    assert hoso(setup, "issue", str(setup.dossier), archive=True).exit_code == 0
    register = setup.archive / "register.sqlite"
    register.write_bytes(content)
    before = hashes(setup.archive, setup.out)
    verified = CliRunner().invoke(cli, ["verify", str(setup.archive)])
    refused(verified, str(register), "sổ đăng ký hỏng")
    issued = hoso(setup, "issue", str(setup.dossier), "--reason", "lại", archive=True)
    refused(issued, str(register), "sổ đăng ký hỏng")
    refused(hoso(setup, "history", str(setup.dossier), out=False, archive=True), "sổ đăng ký")
    refused(hoso(setup, "register", out=False, archive=True), "sổ đăng ký hỏng")
    assert hashes(setup.archive, setup.out) == before
    assert register.stat().st_size == len(content)


def test_verify_finds_a_pdf_archived_beside_another_paper(setup: Setup) -> None:
    # PDFs recorded as made from the papers there: issued, their pairs recorded.
    record = {}
    for paper in setup.out.glob("*.docx"):
        pdf = paper.with_suffix(".pdf")
        pdf.write_bytes(b"%PDF-1.7\n%%EOF\n" + paper.name.encode())
        record[pdf.name] = freshness.PaperRecord(
            freshness.sha256(pdf.read_bytes()), {paper.name: freshness.file_sha256(paper) or ""}
        )
    (setup.out / "pdfs.json").write_bytes(freshness.pdfs_json(__version__, record))
    assert hoso(setup, "issue", str(setup.dossier), archive=True).exit_code == 0
    verified = CliRunner().invoke(cli, ["verify", str(setup.archive)])
    assert verified.exit_code == 0, verified.output
    manifest_path = setup.archive / DEMO.name / "v1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert {p["file"] for p in manifest["pdfs"]} == {p.name for p in setup.out.glob("*.pdf")}
    # A version whose PDF was made from another paper (as an issue before this check could
    # archive one): its manifest and register agree, only the pair is wrong.
    for item in manifest["pdfs"]:
        if item["file"] == "KH-ke-hoach.pdf":
            item["made_from"] = "0" * 64
    _writable(manifest_path)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    digest = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    with sqlite3.connect(setup.archive / "register.sqlite") as conn:
        conn.execute("UPDATE versions SET manifest_sha256 = ?", (digest,))
    conn.close()
    verified = CliRunner().invoke(cli, ["verify", str(setup.archive)])
    refused(verified, "KH-ke-hoach.pdf", "không được lập từ văn bản Word KH-ke-hoach.docx")


# --- item 6: no exit 4 from input ----------------------------------------------------------------


def test_register_year_out_of_range_is_a_usage_error(setup: Setup) -> None:
    result = hoso(setup, "register", "--year", "99999999999999999999", out=False, archive=True)
    assert result.exit_code == 2, result.output
    assert "--year" in result.output and "Traceback" not in result.output


def test_deeply_nested_profile_is_located_not_a_crash(setup: Setup) -> None:
    profile = setup.dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8") + "\nsau = " + "[" * 100_000 + "]" * 100_000 + "\n",
        encoding="utf-8",
    )
    before = hashes(setup.out)
    for command in ("ingest", "score", "render", "build"):
        refused(hoso(setup, command, str(setup.dossier)), "hoso.toml", "lồng nhau quá sâu")
    assert hashes(setup.out) == before


def test_diff_docx_on_a_garbage_current_paper_is_located(setup: Setup) -> None:
    assert hoso(setup, "issue", str(setup.dossier), archive=True).exit_code == 0
    (setup.out / KH).write_bytes(b"PK\x03\x04 not a paper")
    before = hashes(setup.archive, setup.out)
    result = hoso(setup, "diff", "--docx", str(setup.dossier), archive=True)
    refused(result, str(setup.out / KH), "không phải văn bản Word")
    assert hashes(setup.archive, setup.out) == before


# --- item 5: nothing silently dropped ------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "guess"), [("[[dieu_chinhh]]", "dieu_chinh"), ("[bao_cau]", "bao_cao")]
)
def test_a_misspelt_top_level_table_is_refused_by_every_stage(
    setup: Setup, table: str, guess: str
) -> None:
    profile = setup.dossier / "hoso.toml"
    extra = '\nmuc = "10.2"\ndiem = 0\nly_do = "x"\n' if "dieu" in table else '\nde_xuat = "x"\n'
    profile.write_text(profile.read_text(encoding="utf-8") + f"\n{table}{extra}", "utf-8")
    before = hashes(setup.out)
    name = table.strip("[]")
    for command in ("ingest", "score", "render"):
        result = hoso(setup, command, str(setup.dossier))
        refused(result, f"hoso.toml › {name}", "khóa không có trong mẫu hồ sơ", guess)
    assert hashes(setup.out) == before


def test_score_still_accepts_a_blank_signer(setup: Setup) -> None:
    # A blank signer is a line to sign by hand: only a bad value is refused.
    profile = setup.dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    start = text.index("chu_tich = ")
    end = text.index("\n", start)
    profile.write_text(text[:start] + 'chu_tich = ""' + text[end:], "utf-8")
    result = hoso(setup, "score", str(setup.dossier))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "name", ["Nguyễn Văn \u202eA", "Nguyễn " * 1_500_000], ids=["rtl-override", "10-mb"]
)
def test_score_refuses_a_signer_render_would_refuse(setup: Setup, name: str) -> None:
    profile = setup.dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    start = text.index("chu_tich = ")
    end = text.index("\n", start)
    profile.write_text(text[:start] + f'chu_tich = "{name}"' + text[end:], "utf-8")
    before = hashes(setup.out)
    for command in ("score", "render"):
        refused(hoso(setup, command, str(setup.dossier)), "lanh_dao.chu_tich")
    assert hashes(setup.out) == before


def test_a_variable_set_in_the_template_is_allowed(setup: Setup) -> None:
    template_with(setup.dossier, KH, ["{% set ten = don_vi.xa %}Tên: {{ ten }}"])
    result = CliRunner().invoke(cli, ["templates", "check", str(setup.dossier)])
    assert result.exit_code == 0, result.output
    template_with(setup.dossier, KH, ["{% set ten = don_vi.xa %}{{ ten.khong_co }}"])
    result = CliRunner().invoke(cli, ["templates", "check", str(setup.dossier)])
    refused(result, "don_vi.xa.khong_co")
    template_with(setup.dossier, KH, ["{% set n = 3 %}{{ n }} {{ khong_co }}"])
    result = CliRunner().invoke(cli, ["templates", "check", str(setup.dossier)])
    refused(result, "{{ khong_co }}")
    assert "{{ n }}" not in result.output


def test_a_sheet_whose_dimension_claims_the_whole_grid_is_read_by_its_cells(
    setup: Setup,
) -> None:
    path = setup.dossier / NA_CAY
    sheet = zipfile.ZipFile(path).read(SHEET_XML)
    lying, count = re.subn(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)
    assert count == 1
    path.write_bytes(replace_part(path.read_bytes(), SHEET_XML, lambda s: s.write(lying)))
    result = hoso(setup, "ingest", "--json", str(setup.dossier))
    assert result.exit_code == 0, result.output
    assert "trang-qua-lon" not in result.output


# --- item 4: one switch per build; item 7: Ctrl+C -----------------------------------------------

# `hoso ARGS…` that stops itself at the Nth step of a switch (pipeline.files.outputset's fault
# hook): with SIGKILL, as a power cut or the task manager would, or SIGINT, as Ctrl+C.
STOPPED = r"""
import os, signal, sys
from pipeline.files import outputset
from pipeline.cli import main

at, how = int(sys.argv[1]), getattr(signal, sys.argv[2])
count = 0

def hook(step):
    global count
    count += 1
    if count == at:
        os.kill(os.getpid(), how)

def told():
    # With `at` 0 the run is not stopped: it tells how many steps it took.
    if at == 0:
        sys.stderr.write(f"steps={count}\n")

import atexit
atexit.register(told)
outputset.fault_hook = hook
sys.argv = ["hoso", *sys.argv[3:]]
main()
"""


def _stopped_build(setup: Setup, at: int, how: str) -> int:
    return _run_build(setup, at, how).returncode


def _run_build(setup: Setup, at: int, how: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", STOPPED, str(at), how, "build", str(setup.dossier)]
    command += ["--out", str(setup.out)]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _steps(setup: Setup, tmp_path: Path) -> int:
    """How many switch steps the build of `setup` takes, counted on a copy of it."""
    copy = Setup(
        tmp_path / "d" / setup.dossier.name, tmp_path / "o" / setup.out.name, setup.archive
    )
    shutil.copytree(setup.dossier, copy.dossier)
    shutil.copytree(setup.out, copy.out)
    done = _run_build(copy, 0, "SIGKILL")
    assert done.returncode == 0, done.stderr
    return int(done.stderr.rsplit("steps=", 1)[1].split()[0])


@pytest.fixture
def changed(setup: Setup) -> Setup:
    """A workbook corrected after the first build: the next build rewrites every stage."""
    edit(setup.dossier / "thon" / "khuoi-khin.xlsx", {"vi_pham_phap_luat": 0})
    return setup


@pytest.mark.slow
# The steps of a correction's build: data.json first, then the scorecard, then the papers
# that print the figure; killed at the first, the last and five between.
@pytest.mark.parametrize("share", [0, 1, 2, 3, 4, 5, 6])
def test_a_build_killed_at_any_step_is_refused_until_a_build_completes(
    changed: Setup, share: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    setup = changed
    steps = _steps(setup, tmp_path_factory.mktemp("dem"))
    assert steps >= 7, steps
    at = 1 + round(share * (steps - 1) / 6)
    assert _stopped_build(setup, at, "SIGKILL") == -signal.SIGKILL
    assert (setup.out / freshness.INCOMPLETE_NAME).exists()
    before = hashes(setup.out)
    said = "bị ngắt giữa chừng"
    refused(hoso(setup, "render", str(setup.dossier)), said, f"hoso build {setup.dossier}")
    refused(hoso(setup, "issue", str(setup.dossier), archive=True), said)
    roll = tmp_path_factory.mktemp("tong-hop")
    args = ["tong-hop", str(setup.dossier), "--out", str(roll), "--from", str(setup.out.parent)]
    # The roll-up reports the others and lists this one as not eligible, with the reason.
    listed = CliRunner().invoke(cli, [*args, "--nguoi-ky", "A", "--co-quan", "B"])
    assert listed.exit_code == 0, listed.output
    assert "1 hồ sơ chưa đủ điều kiện tổng hợp" in listed.output
    report = "\n".join(text_lines(docx.Document(str(roll / "BC-tong-hop.docx"))))
    assert said in report
    assert hashes(setup.out) == before
    assert not setup.archive.exists()
    # A build completes the set: the same bytes a build never stopped gives.
    result = hoso(setup, "build", str(setup.dossier))
    assert result.exit_code == 0, result.output
    assert not (setup.out / freshness.INCOMPLETE_NAME).exists()
    clean = tmp_path_factory.mktemp("clean")
    build(setup.dossier, clean)
    mine = {Path(k).name: v for k, v in hashes(setup.out).items()}
    theirs = {Path(k).name: v for k, v in hashes(clean).items()}
    assert mine == theirs
    assert hoso(setup, "issue", str(setup.dossier), archive=True).exit_code == 0


@pytest.mark.slow
def test_ctrl_c_exits_130_and_leaves_the_folder_marked(changed: Setup) -> None:
    assert _stopped_build(changed, 5, "SIGINT") == 130
    assert (changed.out / freshness.INCOMPLETE_NAME).exists()
    refused(hoso(changed, "render", str(changed.dossier)), "bị ngắt giữa chừng")
    assert hoso(changed, "build", str(changed.dossier)).exit_code == 0
    assert hoso(changed, "render", str(changed.dossier)).exit_code == 0


def test_a_refused_stage_leaves_no_mark(setup: Setup) -> None:
    # Each stage replaces its own set whole: a refusal is no half-done build.
    profile = setup.dossier / "hoso.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("diem = 50", "diem = 500"))
    result = hoso(setup, "build", str(setup.dossier))
    refused(result, "dieu_chinh[1].diem")
    assert not (setup.out / freshness.INCOMPLETE_NAME).exists()


@pytest.mark.parametrize("command", ["ingest", "score", "render", "pdf", "build"])
def test_an_output_folder_inside_the_village_folder_is_refused(setup: Setup, command: str) -> None:
    out = setup.dossier / "thon" / "ket-qua"
    before = hashes(setup.dossier)
    result = CliRunner().invoke(cli, [command, str(setup.dossier), "--out", str(out)])
    refused(result, str(out), "--out", "thon/")
    assert hashes(setup.dossier) == before
    assert not out.exists()


# `hoso build` that sleeps after its first write (the fault hook's first step), holding the
# build lock with the folder marked incomplete.
PAUSED = r"""
import sys, time
from pipeline.files import outputset
from pipeline.cli import main

seconds, flag = float(sys.argv[1]), sys.argv[2]
steps = []

def hook(step):
    steps.append(step)
    if len(steps) == 1:
        open(flag, "w").close()
        time.sleep(seconds)

outputset.fault_hook = hook
sys.argv = ["hoso", *sys.argv[3:]]
main()
"""


@pytest.mark.slow
def test_issue_started_during_a_build_waits_for_it(changed: Setup) -> None:
    setup = changed
    flag = setup.archive.parent / "paused"
    command = [sys.executable, "-c", PAUSED, "3", str(flag), "build", str(setup.dossier)]
    command += ["--out", str(setup.out)]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL) as building:
        deadline = time.monotonic() + 120
        while not flag.exists() and building.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert flag.exists(), "the build never paused"
        assert (setup.out / freshness.INCOMPLETE_NAME).exists()
        result = hoso(setup, "issue", str(setup.dossier), archive=True)
        building.communicate(timeout=120)
    assert building.returncode == 0
    # Issued from the finished build, not refused as "edited in Word".
    assert result.exit_code == 0, result.output
    assert not (setup.out / freshness.INCOMPLETE_NAME).exists()
    verified = CliRunner().invoke(cli, ["verify", str(setup.archive)])
    assert verified.exit_code == 0, verified.output
