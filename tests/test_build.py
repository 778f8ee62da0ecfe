"""`hoso build`: only the stages whose inputs changed run, on copies of the demo dossiers;
many dossiers in worker processes give the same bytes as one after another."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from pipeline.archive.versions import issue
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.files.docxread import text_lines
from pipeline.files.lock import LOCK_NAME
from pipeline.model.dataset import DATA_NAME
from pipeline.model.layout import WORKBOOK_NAME
from pipeline.model.scorecard import SCORECARD_NAME
from pipeline.stages import freshness
from pipeline.stages.build import NOTHING_CHANGED, Options, build, build_many, find_jobs
from pipeline.stages.pdf import SOFFICE_SETTING
from tests.conftest import ROOT
from tests.helpers import edit, soffice

INPUTS = ROOT / "inputs"
DEMOS = ("binh-trung-2024", "le-chan-2026")
ALL = ["ingest", "score", "render"]
PAPERS = (
    "KH-ke-hoach.docx",
    "QD-thanh-lap-hoi-dong.docx",
    "BB-hop-hoi-dong.docx",
    "BC-ket-qua-danh-gia.docx",
    "TTr-de-nghi-cong-nhan.docx",
)

Snapshot = dict[str, tuple[int, int, bytes]]


def _copy(tmp_path: Path, name: str = DEMOS[0], as_name: str | None = None) -> Path:
    target = tmp_path / "ho-so" / (as_name or name)
    shutil.copytree(INPUTS / name, target)
    return target


def _snapshot(out: Path) -> Snapshot:
    """Every output file with its inode, modification time and bytes (the lock file aside)."""
    found: Snapshot = {}
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name not in (LOCK_NAME, freshness.BUILD_LOCK_NAME):
            st = path.stat()
            found[path.relative_to(out).as_posix()] = (st.st_ino, st.st_mtime_ns, path.read_bytes())
    return found


def _replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A demo dossier built once, all three stages."""
    dossier = _copy(tmp_path)
    out = tmp_path / "out"
    result = build(dossier, out)
    assert result.stages == ALL
    assert [r.reasons for r in result.ran] == [
        ("data.json chưa có",),
        ("scorecard.json chưa có",),
        ("papers.json chưa có",),
    ]
    return dossier, out


# --- deciding what runs --------------------------------------------------------------------------


def test_an_unchanged_rebuild_runs_no_stage_and_touches_no_file(built: tuple[Path, Path]) -> None:
    dossier, out = built
    before = _snapshot(out)
    assert {*PAPERS, DATA_NAME, SCORECARD_NAME, "papers.json"} <= set(before)
    again = build(dossier, out)
    assert again.ran == []
    assert [m.text for m in again.messages] == [NOTHING_CHANGED.format(out=out)]
    assert _snapshot(out) == before
    assert again.verdict is not None and (again.verdict.verdict, again.verdict.total) == (
        "đạt",
        "940",
    )


def test_one_changed_cell_reruns_ingest_score_and_render(built: tuple[Path, Path]) -> None:
    dossier, out = built
    before = _snapshot(out)
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 0})
    result = build(dossier, out)
    assert result.stages == ALL
    assert result.ran[0].reasons == ("thon/na-cay.xlsx đã sửa",)
    assert result.ran[1].reasons == ("data.json đã sửa",)
    assert "scorecard.json đã sửa" in result.ran[2].reasons
    after = _snapshot(out)
    for name in (DATA_NAME, SCORECARD_NAME, "BC-ket-qua-danh-gia.docx"):
        assert after[name][2] != before[name][2], name
    villages = json.loads((out / DATA_NAME).read_text(encoding="utf-8"))["villages"]
    (na_cay,) = [v for v in villages.values() if v["duoi_1_tiem_du"]["file"] == "thon/na-cay.xlsx"]
    assert na_cay["duoi_1_tiem_du"]["value"] == 0
    # The plan prints no figures: re-rendered to the very same bytes.
    assert after["KH-ke-hoach.docx"][2] == before["KH-ke-hoach.docx"][2]
    assert build(dossier, out).ran == []


def test_a_document_number_reruns_only_render(built: tuple[Path, Path]) -> None:
    dossier, out = built
    before = _snapshot(out)
    _replace_line(
        dossier / "hoso.toml",
        '[van_ban.KH]              # Kế hoạch thực hiện Quyết định 06/QĐ-TTg\nso = ""',
        "[van_ban.KH]              # Kế hoạch thực hiện Quyết định 06/QĐ-TTg\nso = 17",
    )
    result = build(dossier, out)
    assert result.stages == ["render"]
    assert "hoso.toml đã sửa" in result.ran[0].reasons
    after = _snapshot(out)
    assert after[DATA_NAME] == before[DATA_NAME]
    assert after[SCORECARD_NAME] == before[SCORECARD_NAME]
    assert "Số: 17/KH-UBND" in text_lines(Document(str(out / "KH-ke-hoach.docx")))


def test_a_council_override_reruns_score_and_render(built: tuple[Path, Path]) -> None:
    dossier, out = built
    before = _snapshot(out)
    _replace_line(dossier / "hoso.toml", 'muc = "10.2"\ndiem = 50', 'muc = "10.2"\ndiem = 40')
    result = build(dossier, out)
    assert result.stages == ["score", "render"]
    assert result.ran[0].reasons == ("hoso.toml › dieu_chinh đã sửa",)
    assert _snapshot(out)[DATA_NAME] == before[DATA_NAME]
    assert result.verdict is not None and result.verdict.total == "930"


def test_an_own_rule_set_reruns_score_and_render(built: tuple[Path, Path]) -> None:
    dossier, out = built
    shutil.copyfile(ROOT / "pipeline" / "data" / "qd06-2019.toml", dossier / "bo-tieu-chi.toml")
    _replace_line(
        dossier / "hoso.toml",
        '# bo_tieu_chi = "bo-tieu-chi.toml"',
        '[danh_gia]\nbo_tieu_chi = "bo-tieu-chi.toml"',
    )
    result = build(dossier, out)
    assert result.stages == ["score", "render"]
    assert "bo-tieu-chi.toml mới thêm" in result.ran[0].reasons


def test_a_failed_unit_still_gets_its_papers_but_no_request(built: tuple[Path, Path]) -> None:
    dossier, out = built
    with (dossier / "hoso.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[dieu_chinh]]\nmuc = "2.1"\ndiem = 0\nly_do = "Hội đồng kiểm tra lại."\n')
    result = build(dossier, out)
    assert result.stages == ["score", "render"]
    assert result.verdict is not None and result.verdict.verdict == "chưa đạt"
    assert (out / "BC-ket-qua-danh-gia.docx").is_file()
    assert not (out / "TTr-de-nghi-cong-nhan.docx").exists()
    texts = [m.text for m in result.messages]
    assert any(t.startswith("Đã xóa") and "TTr-de-nghi-cong-nhan.docx" in t for t in texts)


def test_dry_run_writes_nothing_and_names_the_change(built: tuple[Path, Path]) -> None:
    dossier, out = built
    edit(dossier / "thon" / "po-ma.xlsx", {"duoi_1_tiem_du": 0})
    before = _snapshot(out)
    result = build(dossier, out, dry_run=True)
    assert result.stages == ALL
    assert result.ran[0].reasons == ("thon/po-ma.xlsx đã sửa",)
    assert result.messages[0].text == "Sẽ chạy ingest: thon/po-ma.xlsx đã sửa"
    assert _snapshot(out) == before
    assert build(dossier, out).stages == ALL  # the dry run left the work to do


def test_dry_run_of_a_new_dossier_creates_no_folder(runner: CliRunner, tmp_path: Path) -> None:
    dossier = _copy(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(cli, ["build", str(dossier), "--out", str(out), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Sẽ chạy ingest: data.json chưa có" in result.output
    assert "Sẽ chạy render: papers.json chưa có" in result.output
    assert not out.exists()


def test_force_runs_every_stage_to_the_same_bytes(built: tuple[Path, Path]) -> None:
    dossier, out = built
    before = _snapshot(out)
    result = build(dossier, out, force=True)
    assert result.stages == ALL
    assert all(r.reasons == ("chạy lại theo yêu cầu (--force)",) for r in result.ran)
    after = _snapshot(out)
    assert after.keys() == before.keys()
    assert all(after[n][2] == before[n][2] for n in after)  # deterministic outputs
    assert after["KH-ke-hoach.docx"][:2] != before["KH-ke-hoach.docx"][:2]  # yet rewritten


# --- the command ---------------------------------------------------------------------------------


def test_cli_reports_each_stage_then_nothing_to_do(runner: CliRunner, tmp_path: Path) -> None:
    dossier = _copy(tmp_path)
    out = tmp_path / "out"
    first = runner.invoke(cli, ["build", str(dossier), "--out", str(out)])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0] == "Chạy ingest: data.json chưa có"
    assert "Kết quả: đạt" in lines
    assert f"Đã ghi {out / 'TTr-de-nghi-cong-nhan.docx'}" in lines
    assert lines[-1] == f"Xong: 5 văn bản trong {out}"
    second = runner.invoke(cli, ["build", str(dossier), "--out", str(out)])
    assert second.exit_code == 0
    assert second.output.startswith("Không có gì thay đổi")


def test_cli_input_error_names_its_cell_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    dossier = _copy(tmp_path)
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": "nhiều"})
    result = runner.invoke(cli, ["build", str(dossier), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "Lỗi: thon/na-cay.xlsx › Số liệu › D" in result.output
    assert not (tmp_path / "out" / DATA_NAME).exists()


def test_a_folder_without_dossiers_is_an_input_problem(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "rong").mkdir()
    result = runner.invoke(cli, ["build", str(tmp_path / "rong")])
    assert result.exit_code == 1
    assert "không có hồ sơ nào" in result.output


def test_two_dossiers_with_one_name_are_refused(tmp_path: Path) -> None:
    a = tmp_path / "a" / "binh-trung-2024"
    b = tmp_path / "b" / "binh-trung-2024"
    for folder in (a, b):
        shutil.copytree(INPUTS / DEMOS[0], folder)
    with pytest.raises(InputError) as caught:
        find_jobs([a, b], None, lambda d: Path("outputs") / d.name)
    assert [p.code for p in caught.value.problems] == ["trung-thu-muc-ket-qua"]


def test_output_folders_of_one_and_of_many(tmp_path: Path) -> None:
    one = _copy(tmp_path, DEMOS[0])
    _copy(tmp_path, DEMOS[1])
    out = tmp_path / "out"

    def default(d: Path) -> Path:
        return tmp_path / "outputs" / d.name

    jobs, single = find_jobs([one], out, default)
    assert single and [j.out for j in jobs] == [out]
    assert find_jobs([one], None, default)[0][0].out == tmp_path / "outputs" / DEMOS[0]
    jobs, single = find_jobs([tmp_path / "ho-so"], out, default)
    assert not single
    assert [(j.name, j.out) for j in jobs] == [(n, out / n) for n in DEMOS]


def test_a_batch_builds_the_others_around_a_broken_dossier(
    runner: CliRunner, tmp_path: Path
) -> None:
    _copy(tmp_path, DEMOS[0], "a-binh-trung")
    broken = _copy(tmp_path, DEMOS[0], "b-hong")
    _copy(tmp_path, DEMOS[1], "c-le-chan")
    edit(broken / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": "nhiều"})
    out = tmp_path / "out"
    result = runner.invoke(
        cli, ["build", str(tmp_path / "ho-so"), "--out", str(out), "--jobs", "2"]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    progress = sorted(line for line in lines if line.startswith("["))
    assert [line[:6] for line in progress] == ["[1/3] ", "[2/3] ", "[3/3] "]
    assert "b-hong: LỖI (1 lỗi cần sửa)" in result.output
    assert any("Lỗi: thon/na-cay.xlsx › Số liệu › D" in line for line in lines)
    table = lines[lines.index(next(x for x in lines if x.startswith("Hồ sơ"))) :]
    assert table[2].split() == ["a-binh-trung", "940", "800", "đạt", "đã", "chạy", "ingest,",
                                "score,", "render"]  # fmt: skip
    assert table[3].split()[:5] == ["b-hong", "-", "-", "-", "LỖI"]
    assert table[4].split()[:4] == ["c-le-chan", "940", "900", "đạt"]
    assert table[-1] == "3 hồ sơ, 2 xong, 1 lỗi."
    for name in ("a-binh-trung", "c-le-chan"):
        assert all((out / name / paper).is_file() for paper in PAPERS)
    assert not (out / "b-hong" / DATA_NAME).exists()


def test_parallel_build_gives_the_serial_bytes(runner: CliRunner, tmp_path: Path) -> None:
    for name in DEMOS:
        _copy(tmp_path, name)
    outs = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out-{jobs}"
        result = runner.invoke(cli, ["build", str(tmp_path / "ho-so"), "--out", str(out),
                                     "--jobs", jobs])  # fmt: skip
        assert result.exit_code == 0, result.output
        outs[jobs] = {k: v[2] for k, v in _snapshot(out).items()}
    assert len(outs["1"]) == 2 * len({*PAPERS, DATA_NAME, SCORECARD_NAME, "papers.json",
                                      "written.json", "bieu-cham-diem.xlsx"})  # fmt: skip
    assert outs["1"] == outs["2"]

    edit(tmp_path / "ho-so" / DEMOS[1] / "thon" / "an-bien.xlsx", {"duoi_1_tiem_du": 0})
    again = runner.invoke(cli, ["build", str(tmp_path / "ho-so"), "--out", str(tmp_path / "out-2"),
                                "--jobs", "2"])  # fmt: skip
    assert again.exit_code == 0, again.output
    assert f"{DEMOS[0]}: 940 điểm, đạt (không đổi)" in again.output
    assert f"{DEMOS[1]}: " in again.output and "(đã chạy ingest, score, render)" in again.output


def test_workers_return_outcomes_in_the_order_of_the_jobs(tmp_path: Path) -> None:
    for name in DEMOS:
        _copy(tmp_path, name)
    jobs, _ = find_jobs([tmp_path / "ho-so"], tmp_path / "out", lambda d: d)
    seen: list[tuple[int, int]] = []
    outcomes = build_many(jobs, Options(dry_run=True), workers=2,
                          done=lambda i, n, o: seen.append((i, n)))  # fmt: skip
    assert [o.job for o in outcomes] == jobs
    assert seen == [(1, 2), (2, 2)]
    assert all(o.result is not None and o.result.stages == ALL for o in outcomes)
    assert not (tmp_path / "out").exists()


def test_missing_libreoffice_stops_the_run_before_any_work(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SOFFICE_SETTING, str(tmp_path / "khong-co" / "soffice"))
    dossier = _copy(tmp_path)
    result = runner.invoke(cli, ["build", str(dossier), "--out", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == 3, result.output
    assert not (tmp_path / "out").exists()


# --- PDFs ----------------------------------------------------------------------------------------


def test_pdf_beside_every_paper_then_only_when_a_paper_changes(
    runner: CliRunner, tmp_path: Path
) -> None:
    soffice()
    dossier = _copy(tmp_path)
    out = tmp_path / "out"
    first = runner.invoke(cli, ["build", str(dossier), "--out", str(out), "--pdf"])
    assert first.exit_code == 0, first.output
    assert "Chạy pdf: pdfs.json chưa có" in first.output
    for paper in PAPERS:
        pdf = out / paper.replace(".docx", ".pdf")
        assert pdf.read_bytes().startswith(b"%PDF-"), pdf
    record = json.loads((out / freshness.PDFS_NAME).read_text(encoding="utf-8"))
    entry = record["pdfs"]["KH-ke-hoach.pdf"]
    assert entry["inputs"] == [
        {"file": "KH-ke-hoach.docx", "sha256": freshness.file_sha256(out / "KH-ke-hoach.docx")}
    ]
    assert entry["sha256"] == freshness.file_sha256(out / "KH-ke-hoach.pdf")

    before = _snapshot(out)
    again = build(dossier, out, pdf=True)
    assert again.ran == []
    assert _snapshot(out) == before

    # What makes the PDFs stale, as build sees it (nothing is converted for these checks).
    (out / "QD-thanh-lap-hoi-dong.pdf").rename(tmp_path / "qd.pdf")
    assert freshness.stale("pdf", dossier, out) == [
        freshness.Change("QD-thanh-lap-hoi-dong.pdf", "missing")
    ]
    (tmp_path / "qd.pdf").rename(out / "QD-thanh-lap-hoi-dong.pdf")
    assert freshness.stale("pdf", dossier, out) == []

    _replace_line(
        dossier / "hoso.toml",
        '[van_ban.KH]              # Kế hoạch thực hiện Quyết định 06/QĐ-TTg\nso = ""',
        "[van_ban.KH]              # Kế hoạch thực hiện Quyết định 06/QĐ-TTg\nso = 17",
    )
    changed = build(dossier, out, pdf=True)
    assert changed.stages == ["render", "pdf"]
    assert changed.ran[1].reasons == ("KH-ke-hoach.docx đã sửa",)
    after = _snapshot(out)
    assert after["KH-ke-hoach.pdf"][2] != before["KH-ke-hoach.pdf"][2]
    # render replaces the whole set, but only the plan's bytes differ
    assert after["BC-ket-qua-danh-gia.docx"][2] == before["BC-ket-qua-danh-gia.docx"][2]
    assert build(dossier, out, pdf=True).ran == []


def test_a_build_without_pdf_says_the_pdfs_are_behind(built: tuple[Path, Path]) -> None:
    dossier, out = built
    (out / "KH-ke-hoach.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")  # a PDF of unknown origin
    result = build(dossier, out)
    assert result.ran == []
    assert result.messages[-1].kind == "warning"
    assert "--pdf" in result.messages[-1].text


def test_issued_version_keeps_pdfs_but_not_their_record(tmp_path: Path) -> None:
    soffice()
    dossier = _copy(tmp_path)
    out = tmp_path / "out"
    assert build(dossier, out, pdf=True).stages == [*ALL, "pdf"]
    result = issue(dossier, out, tmp_path / "archive", assign_numbers=True)
    names = sorted(p.name for p in result.folder.iterdir() if p.is_file())
    assert "KH-ke-hoach.pdf" in names
    assert freshness.PDFS_NAME not in names and LOCK_NAME not in names


def test_a_hand_edited_score_workbook_reruns_score(built: tuple[Path, Path]) -> None:
    dossier, out = built
    book_path = out / WORKBOOK_NAME
    original = book_path.read_bytes()
    book = openpyxl.load_workbook(book_path)
    for sheet in book.worksheets:
        sheet.protection.sheet = False  # as a clerk lifts the protection to type over it
    book["Tổng hợp"]["C12"] = "999/999"
    book["Tổng hợp"]["G32"] = 1
    book.save(book_path)
    result = build(dossier, out)
    assert result.stages == ["score"]
    assert result.ran[0].reasons == (
        f"{WORKBOOK_NAME} đã bị sửa sau khi hoso ghi (không dùng số liệu sửa tay)",
    )
    assert book_path.read_bytes() == original  # written again as score makes it
