"""`hoso pdf`: the demo dossier's papers as PDF/A-2b through the real LibreOffice, read back
with poppler (pdfinfo, pdftotext, pdffonts); process handling (timeout, retry, broken
output, all-or-nothing) with a small stand-in program named by HOSO_SOFFICE."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.common.errors import EnvironmentProblem
from pipeline.model.dossier import Dossier
from pipeline.stages.ingest import ingest_to
from pipeline.stages.pdf import SOFFICE_SETTING, find_soffice, pdf_dossier
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.archive_helpers import build
from tests.conftest import DATA, DEMO, PAPERS, ROOT
from tests.helpers import poppler, soffice

TITLES = {
    "KH-ke-hoach.docx": "KẾ HOẠCH",
    "QD-thanh-lap-hoi-dong.docx": "QUYẾT ĐỊNH",
    "BB-hop-hoi-dong.docx": "BIÊN BẢN",
    "BC-ket-qua-danh-gia.docx": "BÁO CÁO",
    "TTr-de-nghi-cong-nhan.docx": "TỜ TRÌNH",
}
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="stand-in program is a script")


def _poppler_out(tool: str, *args: str) -> str:
    done = subprocess.run(
        [poppler(tool), *args], capture_output=True, check=True, timeout=60, encoding="utf-8"
    )
    return done.stdout


def _page_text(pdf: Path, page: int) -> str:
    return _poppler_out("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pages(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)$", _poppler_out("pdfinfo", str(pdf)), re.M)
    assert match, pdf
    return int(match.group(1))


@dataclass
class Converted:
    out: Path
    output: str  # what `hoso pdf` printed, stderr included


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Converted:
    """The demo dossier ingested, scored and rendered, then `hoso pdf` on its papers."""
    soffice()
    tmp = tmp_path_factory.mktemp("pdf")
    dossier = tmp / DEMO.name
    shutil.copytree(DEMO, dossier)
    out = tmp / "out"
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    result = CliRunner().invoke(cli, ["pdf", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return Converted(out, result.output)


def test_cli_writes_a_pdf_beside_every_paper(converted: Converted) -> None:
    out = converted.out
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted(
        name.replace(".docx", ".pdf") for name in PAPERS
    )
    lines = converted.output.splitlines()
    for name in PAPERS:
        assert f"Chuyển {name}" in lines
        assert f"Đã ghi {out / name.replace('.docx', '.pdf')}" in lines
    assert lines[-1] == f"Xong: 5 tệp PDF trong {out}"
    # No profile or half-written file left beside the papers (the folder's lock file stays).
    assert sorted(p.name for p in out.iterdir() if p.suffix not in (".docx", ".pdf")) == [
        ".hoso.lock",
        "bieu-cham-diem.xlsx",
        "data.json",
        "papers.json",
        "pdfs.json",
        "scorecard.json",
        "written.json",
    ]


@pytest.mark.parametrize("name", PAPERS)
def test_every_pdf_is_whole_and_declares_pdfa_2b(converted: Converted, name: str) -> None:
    pdf = converted.out / name.replace(".docx", ".pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    meta = _poppler_out("pdfinfo", "-meta", str(pdf))
    assert re.search(r"<pdfaid:part>2</pdfaid:part>|pdfaid:part=\"2\"", meta), meta
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>|pdfaid:conformance=\"B\"", meta)


@pytest.mark.parametrize("name", PAPERS)
def test_first_page_holds_header_number_date_and_title(converted: Converted, name: str) -> None:
    pdf = converted.out / name.replace(".docx", ".pdf")
    assert 1 <= _pages(pdf) <= 8
    first = _page_text(pdf, 1)
    # Page 1 carries no page number: its first line is the header block.
    assert first.split("\n", maxsplit=1)[0].split()[:4] == ["ỦY", "BAN", "NHÂN", "DÂN"]
    text = _flat(first)
    golden = (DATA / "golden" / name.replace(".docx", ".txt")).read_text(encoding="utf-8")
    lines = golden.splitlines()
    # Everything up to the title's second line: header, number, date line (none in the
    # minutes), document type and what it is about.
    title = lines.index(TITLES[name])
    assert "ỦY BAN NHÂN DÂN" in lines and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    assert any(line.startswith("Bình Trung, ngày") for line in lines) == (name != PAPERS[2])
    for line in lines[: title + 2]:
        assert _flat(line) in text, line


def test_page_numbers_start_on_page_two(converted: Converted) -> None:
    checked = []
    for name in PAPERS:
        pdf = converted.out / name.replace(".docx", ".pdf")
        for page in range(2, _pages(pdf) + 1):
            assert _page_text(pdf, page).split()[0] == str(page), (name, page)
            checked.append(name)
    assert "KH-ke-hoach.docx" in checked and "BC-ket-qua-danh-gia.docx" in checked


def test_fonts_are_times_new_roman_or_its_metric_twin(converted: Converted) -> None:
    families = set()
    for name in PAPERS:
        pdf = converted.out / name.replace(".docx", ".pdf")
        rows = _poppler_out("pdffonts", str(pdf)).splitlines()[2:]
        assert rows, name
        for row in rows:
            font, *_, emb, _sub, _uni, _obj, _gen = row.split()
            assert emb == "yes", row
            family = re.sub(r"^[A-Z]{6}\+", "", font)
            assert re.match(r"(TimesNewRoman|LiberationSerif)", family), row
            families.add(family.startswith("LiberationSerif"))
    # The stand-in font is said once, exactly when it was used.
    notices = [line for line in converted.output.splitlines() if line.startswith("Lưu ý:")]
    assert len(notices) == (1 if True in families else 0), converted.output
    if notices:
        assert "Liberation Serif" in notices[0] and "Times New Roman" in notices[0]


def test_pdf_of_a_paper_render_no_longer_writes_is_removed(
    converted: Converted, tmp_path: Path, runner: CliRunner
) -> None:
    out = tmp_path / "out"
    shutil.copytree(converted.out, out)
    dossier = tmp_path / DEMO.name
    shutil.copytree(DEMO, dossier)
    # No longer recognised (a ward's threshold, 900, and 50 points less): render drops the
    # request.
    profile = dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace('loai = "mien_nui"', 'loai = "phuong_do_thi"')
    profile.write_text(text.replace('muc = "10.2"\ndiem = 50', 'muc = "10.2"\ndiem = 0'), "utf-8")
    build(dossier, out)
    assert not (out / "TTr-de-nghi-cong-nhan.docx").exists()
    result = runner.invoke(cli, ["pdf", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "TTr-de-nghi-cong-nhan.pdf").exists()
    assert f"Đã xóa {out / 'TTr-de-nghi-cong-nhan.pdf'}" in result.output
    assert result.output.splitlines()[-1] == f"Xong: 4 tệp PDF trong {out}"


def test_no_papers_yet_is_an_input_problem(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["pdf", str(DEMO), "--out", str(tmp_path / "trong")])
    assert result.exit_code == 1
    assert "chưa có văn bản Word nào" in result.output
    assert f"hoso render {DEMO}" in result.output


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's papers as render wrote them (current: pdf converts only those)."""
    base = tmp_path_factory.mktemp("rendered")
    shutil.copytree(DEMO, base / DEMO.name)
    build(base / DEMO.name, base / "out")
    return base / "out"


def _papers(out: Path, rendered: Path) -> dict[Path, bytes]:
    """A folder of current papers with earlier PDFs beside them; returns the PDFs' bytes."""
    shutil.copytree(rendered, out)
    old = {}
    for name in PAPERS:
        pdf = out / name.replace(".docx", ".pdf")
        pdf.write_bytes(b"%PDF-1.7 old " + name.encode() + b"\n%%EOF\n")
        old[pdf] = pdf.read_bytes()
    return old


def test_a_setting_naming_a_missing_program_is_an_environment_problem(
    rendered: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _papers(tmp_path / "out", rendered)
    missing = tmp_path / "khong-co" / "soffice"
    monkeypatch.setenv(SOFFICE_SETTING, str(missing))
    result = runner.invoke(cli, ["pdf", str(DEMO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 3
    lines = result.output.splitlines()
    assert lines[0] == (
        f"Lỗi: Biến môi trường {SOFFICE_SETTING} chỉ tới {missing}, nhưng ở đó không có "
        "chương trình LibreOffice chạy được"
    )
    assert lines[1].startswith(f"Gợi ý: sửa {SOFFICE_SETTING} cho đúng")
    assert "cài LibreOffice" in lines[1]
    assert {p: p.read_bytes() for p in old} == old


def test_libreoffice_found_nowhere_says_how_to_install(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    with pytest.raises(EnvironmentProblem) as caught:
        find_soffice({"PATH": str(empty)}, platform="darwin")
    assert caught.value.exit_code == 3
    assert caught.value.message.startswith("Không tìm thấy LibreOffice")
    assert caught.value.hint and "cài LibreOffice" in caught.value.hint
    assert SOFFICE_SETTING in caught.value.hint


def test_windows_install_folder_is_found_without_path(tmp_path: Path) -> None:
    program = tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice.exe"
    program.parent.mkdir(parents=True)
    program.write_bytes(b"")
    environ = {"PATH": str(tmp_path / "bin"), "ProgramFiles": str(tmp_path / "Program Files")}
    assert find_soffice(environ, platform="win32") == program


@POSIX_ONLY
def test_path_is_searched_for_soffice_then_libreoffice(tmp_path: Path) -> None:
    program = tmp_path / "libreoffice"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    assert find_soffice({"PATH": str(tmp_path)}, platform="linux") == program
    # The setting wins over PATH.
    named = tmp_path / "khac" / "soffice"
    named.parent.mkdir()
    shutil.copy(program, named)
    assert find_soffice({"PATH": str(tmp_path), SOFFICE_SETTING: str(named)}) == named


# --- process handling, with a stand-in for soffice -----------------------------------------

VALID = b"%PDF-1.7\n<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\n%%EOF\n"

# Logs its arguments, then on call number N (1, 2) does what `plan[N-1]` says: "hang" (with
# a child, as soffice's launcher has), "half" (one good PDF, then hang), "fail" (exit 1, no
# PDF), or write the given bytes as every PDF.
STAND_IN = """#!{python}
import os, subprocess, sys, time
from pathlib import Path
log = Path({log!r})
with log.open("a", encoding="utf-8") as f:
    f.write(repr(sys.argv[1:]) + "\\n")
call = len(log.read_text(encoding="utf-8").splitlines())
action = {plan!r}[call - 1]
args = sys.argv[1:]
if action == "half":
    outdir = Path(args[args.index("--outdir") + 1])
    first = args[args.index("--outdir") + 2]
    (outdir / (Path(first).stem + ".pdf")).write_bytes({valid!r})
    action = "hang"
if action == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open({pids!r}, "a", encoding="utf-8") as f:
        f.write(f"{{os.getpid()}} {{child.pid}}\\n")
    time.sleep(60)
if action == "fail":
    print("Error: source file could not be loaded")
    sys.exit(1)
outdir = Path(args[args.index("--outdir") + 1])
for source in args[args.index("--outdir") + 2:]:
    print(f"convert {{source}} -> {{outdir / Path(source).stem}}.pdf using filter : x", flush=True)
    (outdir / (Path(source).stem + ".pdf")).write_bytes(action)
"""


def _stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan: list[object]) -> Path:
    log = tmp_path / "calls.log"
    program = tmp_path / "fake" / "soffice"
    program.parent.mkdir()
    script = STAND_IN.format(
        python=sys.executable, log=str(log), plan=plan, pids=str(tmp_path / "pids"), valid=VALID
    )
    program.write_text(script, encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv(SOFFICE_SETTING, str(program))
    return log


def _calls(log: Path) -> list[list[str]]:
    return [ast.literal_eval(line) for line in log.read_text(encoding="utf-8").splitlines()]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    # A killed orphan may linger as a zombie until init reaps it: it runs no more.
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z"


@POSIX_ONLY
def test_a_hanging_libreoffice_is_stopped_retried_once_and_old_pdfs_kept(
    rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    old = _papers(out, rendered)
    log = _stand_in(tmp_path, monkeypatch, ["hang", "hang"])
    with pytest.raises(EnvironmentProblem) as caught:
        pdf_dossier(Dossier(DEMO, out), timeout=1)
    assert caught.value.exit_code == 3
    assert "LibreOffice chạy quá 1 giây" in caught.value.message
    # The message states the real wait, both attempts together (1 s each, or a bit more).
    waited = re.search(r"đã chờ tổng cộng (\d+) giây", caught.value.message)
    assert waited is not None and int(waited.group(1)) >= 2, caught.value.message
    assert "đã thử hai lần" in caught.value.message
    calls = _calls(log)
    assert len(calls) == 2
    # The retry starts from a fresh private profile.
    profiles = [next(a for a in call if a.startswith("-env:UserInstallation=")) for call in calls]
    assert profiles[0] != profiles[1]
    # The stand-in and its child were both ended.
    pids = [int(p) for p in (tmp_path / "pids").read_text(encoding="utf-8").split()]
    assert len(pids) == 4 and all(_gone(pid) for pid in pids)
    assert {p: p.read_bytes() for p in old} == old


@POSIX_ONLY
def test_a_failed_first_call_is_retried(
    rendered: Path, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _papers(out, rendered)
    log = _stand_in(tmp_path, monkeypatch, ["fail", VALID])
    result = runner.invoke(cli, ["pdf", str(DEMO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    calls = _calls(log)
    assert len(calls) == 2
    # All papers in one call, PDF/A-2b asked for, in a private profile.
    for call in calls:
        assert [Path(a).name for a in call if a.endswith(".docx")] == list(PAPERS)
        assert call[call.index("--convert-to") + 1] == (
            'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
        )
        assert "--headless" in call
    for name in PAPERS:
        assert (out / name.replace(".docx", ".pdf")).read_bytes() == VALID
        assert f"Chuyển {name}" in result.output


@POSIX_ONLY
def test_only_what_a_hang_left_unfinished_is_retried(
    rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _papers(out, rendered)
    log = _stand_in(tmp_path, monkeypatch, ["half", VALID])
    result = pdf_dossier(Dossier(DEMO, out), timeout=1)
    assert [p.name for p in result.written] == [n.replace(".docx", ".pdf") for n in PAPERS]
    _, retry = _calls(log)
    assert [Path(a).name for a in retry if a.endswith(".docx")] == list(PAPERS[1:])
    assert all((out / n.replace(".docx", ".pdf")).read_bytes() == VALID for n in PAPERS)


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("fail", "LibreOffice không ghi tệp PDF (Error: source file could not be loaded)"),
        (b"", "tệp PDF rỗng"),
        (b"%PDF-1.7\n<pdfaid:part>2</pdfaid:part>\n1 0 obj", "tệp PDF không trọn vẹn"),
        (b"<html>%%EOF", "tệp PDF không trọn vẹn"),
        (b"%PDF-1.7\n1 0 obj\n%%EOF\n", "không phải PDF/A-2b"),
    ],
)
@POSIX_ONLY
def test_broken_output_fails_after_the_retry_and_keeps_old_pdfs(
    *,
    rendered: Path,
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    written: object,
    why: str,
) -> None:
    out = tmp_path / "out"
    old = _papers(out, rendered)
    log = _stand_in(tmp_path, monkeypatch, [written, written])
    result = runner.invoke(cli, ["pdf", str(DEMO), "--out", str(out)])
    assert result.exit_code == 3, result.output
    message = result.output.splitlines()[-2]
    assert message.startswith("Lỗi: LibreOffice không chuyển được sang PDF (đã thử hai lần): ")
    assert message.startswith(
        "Lỗi: LibreOffice không chuyển được sang PDF (đã thử hai lần): "
        + ", ".join(PAPERS)
        + ": "
        + why
    ), message
    assert "Các tệp PDF cũ vẫn giữ nguyên." in result.output
    assert len(_calls(log)) == 2
    assert {p: p.read_bytes() for p in old} == old


@pytest.mark.slow
@POSIX_ONLY
def test_killing_hoso_ends_libreoffice_and_removes_its_folder(
    rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _papers(out, rendered)
    _stand_in(tmp_path, monkeypatch, ["hang", "hang"])
    temporary = tmp_path / "tam"
    temporary.mkdir()
    left = temporary / "hoso-pdf-cu"  # what a run killed before this fix left
    left.mkdir()
    (left / "lu123.tmp").write_bytes(b"x")
    env = {**os.environ, "TMPDIR": str(temporary)}
    command = [sys.executable, "-m", "pipeline", "pdf", str(DEMO), "--out", str(out)]
    hoso = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    pids = tmp_path / "pids"
    deadline = time.monotonic() + 60
    while not pids.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pids.exists(), "the stand-in never started"
    assert not left.exists()  # the next run removes what a killed run left
    hoso.kill()
    hoso.wait()
    started = [int(p) for p in pids.read_text(encoding="utf-8").split()]
    # The watchdog ends LibreOffice's group and removes the private folder: wait for it.
    while time.monotonic() < deadline and (
        not all(_gone(pid) for pid in started) or any(temporary.iterdir())
    ):
        time.sleep(0.05)
    assert all(_gone(pid) for pid in started)
    assert list(temporary.iterdir()) == []
