"""`hoso issue`, `history`, `register`, `verify`: versions that are never lost or changed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.archive.docxdiff import issued_number
from pipeline.archive.register import open_register
from pipeline.archive.versions import issue, verify
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.common.vnformat import vietnam_day
from pipeline.model.dossier import Dossier
from tests.archive_helpers import Setup, build, correct, demo_setup, meet_again
from tests.conftest import PAPERS, ROOT
from tests.helpers import edit


@pytest.fixture
def setup(tmp_path: Path) -> Setup:
    return demo_setup(tmp_path)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _rows(archive: Path) -> list[tuple[int, str, int | None, int | None, int | None]]:
    register = open_register(archive)
    try:
        return [
            (p.version, p.code, p.number, p.carried_from, p.superseded_by)
            for p in register.papers()
        ]
    finally:
        register.close()


def _cli(setup: Setup, *args: str) -> tuple[int, str]:
    out = ["--out", str(setup.out)] if args[0] != "history" else []
    result = CliRunner().invoke(cli, [*args, *out, "--archive", str(setup.archive)])
    return result.exit_code, result.output


def test_issue_freezes_the_outputs_read_only_with_a_manifest(setup: Setup) -> None:
    code, output = _cli(setup, "issue", str(setup.dossier))
    assert code == 0, output
    v1 = setup.archive / "binh-trung-2024" / "v1"
    assert sorted(_hashes(v1)) == sorted(
        [*PAPERS, "bieu-cham-diem.xlsx", "data.json", "manifest.json", "scorecard.json"]
    )
    for name in PAPERS:
        assert (v1 / name).read_bytes() == (setup.out / name).read_bytes()
        assert not (v1 / name).stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    outputs = {item["file"]: item["sha256"] for item in manifest["outputs"]}
    assert outputs == {k: v for k, v in _hashes(v1).items() if k != "manifest.json"}
    inputs = {item["file"] for item in manifest["inputs"]}
    assert {"hoso.toml", "thon/na-cay.xlsx", "thon/pac-luong.ods", "xa.xlsx"} <= inputs
    assert "mẫu: mẫu có sẵn KH-ke-hoach.docx" in inputs
    assert "bộ tiêu chí: qd06-2019.toml" in inputs
    assert manifest["rule_set"]["version"] == "2019.1"
    assert (manifest["total"], manifest["verdict"], manifest["version"]) == (940, "đạt", 1)
    # Stamped in Vietnam time whatever the computer's zone; the meeting its minutes record.
    assert manifest["issued_at"].endswith("+07:00")
    assert manifest["meeting"] == "2024-11-05T08:00:00"
    assert manifest["tool"].startswith("hoso ")
    # No number was given: the register holds the papers with blank numbers.
    assert sorted(r[1] for r in _rows(setup.archive)) == ["BB", "BC", "KH", "QD", "TTr"]
    assert {r[2] for r in _rows(setup.archive)} == {None}


def test_a_second_version_needs_a_reason(setup: Setup) -> None:
    assert _cli(setup, "issue", str(setup.dossier))[0] == 0
    correct(setup)
    code, output = _cli(setup, "issue", str(setup.dossier))
    assert code == 1
    assert "phiên bản 2 cần lý do" in output
    assert '--reason "Thôn Nà Cáy sửa số liệu"' in output  # the profile's own words
    assert not (setup.archive / "binh-trung-2024" / "v2").exists()
    assert [r[0] for r in _rows(setup.archive)] == [1] * 5


MET = (
    "Hội đồng đã họp ngày 05/11/2024 và biểu quyết trên số điểm ghi trong Biên bản số "
    "01/BB-UBND (phiên bản 1); số liệu hiện tại làm thay đổi số điểm đó: tiêu chí 4 (Trẻ em "
    "vi phạm pháp luật, nghiện ma túy) từ 25 lên 50 điểm; tổng số điểm từ 940 lên 965 điểm. "
    "Biên bản ghi một cuộc họp đã diễn ra, nên không lập lại cho cùng cuộc họp"
)


def test_figures_the_council_voted_on_change_only_with_a_new_meeting(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    correct(setup, meet=False)
    # diff says it already, before the clerk tries to issue.
    code, compared = _cli(setup, "diff", str(setup.dossier))
    assert code == 0, compared
    assert f"hien-tai: {MET} — nếu Hội đồng họp lại" in compared
    code, output = _cli(setup, "issue", str(setup.dossier), "--reason", "Khuổi Khỉn sửa")
    assert code == 1, output
    profile = setup.dossier / "hoso.toml"
    assert f"Lỗi: {profile} › hop_hoi_dong.bat_dau: {MET} — nếu Hội đồng họp lại" in output
    assert "ghi thời gian cuộc họp mới vào hop_hoi_dong.bat_dau" in output
    assert not (setup.archive / "binh-trung-2024" / "v2").exists()
    # A meeting dated before the one recorded is not a new meeting.
    meet_again(setup.dossier, days=-1)
    build(setup.dossier, setup.out)
    with pytest.raises(InputError) as caught:
        issue(Dossier(setup.dossier, setup.out, archive=setup.archive), reason="x")
    # Both refusals at once: the old meeting, and the numbers this issue would drop.
    assert [(p.code, p.field) for p in caught.value.problems] == [
        ("can-hop-lai", "hop_hoi_dong.bat_dau"),
        ("so-giu-lai", "--assign-numbers"),
    ]
    # The council meets again: new minutes, numbered as a new paper.
    meet_again(setup.dossier, days=8)
    build(setup.dossier, setup.out)
    second = issue(
        Dossier(setup.dossier, setup.out, archive=setup.archive),
        reason="họp lại",
        assign_numbers=True,
    )
    minutes = next(p for p in second.papers if p.code == "BB")
    assert (minutes.number, minutes.date) == (2, "2024-11-12")


def test_papers_that_record_no_meeting_are_issued_again_normally(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    profile = setup.dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    marker = "[van_ban.BC]              # Báo cáo kết quả đánh giá\n"
    assert marker in text
    at = text.index("noi_nhan = [", text.index(marker)) + len("noi_nhan = [")
    profile.write_text(text[:at] + '\n    "Đảng ủy xã",' + text[at:], "utf-8")
    build(setup.dossier, setup.out)
    second = issue(Dossier(setup.dossier, setup.out, archive=setup.archive), reason="thêm nơi nhận",
                   assign_numbers=True)  # fmt: skip
    numbers = {p.code: (p.number, p.carried_from) for p in second.papers}
    assert numbers["BB"] == (1, 1) and numbers["BC"] == (2, None)
    report = next(p for p in second.papers if p.code == "BC")
    assert report.recipients.splitlines()[:2] == [
        "Phòng Lao động - Thương binh và Xã hội huyện Cao Lộc",
        "Đảng ủy xã",
    ]


def test_a_version_is_never_overwritten(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    v1 = setup.archive / "binh-trung-2024" / "v1"
    before = _hashes(v1)
    correct(setup)
    second = issue(Dossier(setup.dossier, setup.out, archive=setup.archive), reason="sửa số liệu")
    assert second.version == 2
    third = issue(Dossier(setup.dossier, setup.out, archive=setup.archive), reason="gửi lại")
    assert third.version == 3
    assert _hashes(v1) == before
    assert not verify(setup.archive).problems


def test_stale_outputs_are_refused(setup: Setup) -> None:
    edit(setup.dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 15})
    with pytest.raises(InputError) as caught:
        issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    assert [p.code for p in caught.value.problems] == ["so-lieu-cu"]
    assert not (setup.archive / "binh-trung-2024").exists()


def test_a_paper_missing_from_the_outputs_is_refused(setup: Setup) -> None:
    (setup.out / "BC-ket-qua-danh-gia.docx").unlink()
    with pytest.raises(InputError) as caught:
        issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    assert [p.code for p in caught.value.problems] == ["ket-qua-cu"]


def test_numbers_are_given_once_and_never_reused(setup: Setup) -> None:
    first = issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    v1 = first.folder
    assert {p.number for p in first.papers} == {1}
    assert issued_number((v1 / "BC-ket-qua-danh-gia.docx").read_bytes()) == "01"
    assert issued_number((setup.out / "BC-ket-qua-danh-gia.docx").read_bytes()) is None

    correct(setup)
    second = issue(
        Dossier(setup.dossier, setup.out, archive=setup.archive),
        reason="sửa số",
        assign_numbers=True,
    )
    numbers = {p.code: (p.number, p.carried_from) for p in second.papers}
    # Unchanged papers keep their number; changed ones get the next one.
    assert numbers == {"KH": (1, 1), "QD": (1, 1), "BB": (2, None), "BC": (2, None),
                       "TTr": (2, None)}  # fmt: skip
    assert (second.folder / "KH-ke-hoach.docx").read_bytes() == (
        v1 / "KH-ke-hoach.docx"
    ).read_bytes()

    correct(setup, value=1)  # back to version 1's figures: still new numbers, never 01 again
    third = issue(
        Dossier(setup.dossier, setup.out, archive=setup.archive),
        reason="trả lại",
        assign_numbers=True,
    )
    assert {p.code: p.number for p in third.papers if p.carried_from is None} == {
        "BB": 3,
        "BC": 3,
        "TTr": 3,
    }
    assert issued_number((third.folder / "TTr-de-nghi-cong-nhan.docx").read_bytes()) == "03"
    superseded = {(v, c): s for v, c, _, _, s in _rows(setup.archive)}
    assert superseded[(1, "BC")] == 2 and superseded[(2, "BC")] == 3
    assert superseded[(1, "KH")] is None and superseded[(3, "BC")] is None


def test_a_number_from_hoso_toml_already_used_is_refused(setup: Setup, tmp_path: Path) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    correct(setup)
    profile = setup.dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    marker = '[van_ban.BC]              # Báo cáo kết quả đánh giá\nso = ""'
    assert marker in text
    profile.write_text(text.replace(marker, marker.replace('so = ""', "so = 1")), "utf-8")
    build(setup.dossier, setup.out)
    with pytest.raises(InputError) as caught:
        issue(
            Dossier(setup.dossier, setup.out, archive=setup.archive),
            reason="sửa",
            assign_numbers=True,
        )
    assert [(p.code, p.field) for p in caught.value.problems] == [("so-da-dung", "van_ban.BC.so")]
    assert "01/BC-UBND năm 2024" in caught.value.problems[0].message


def _set_number(dossier: Path, code: str, number: int) -> None:
    profile = dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    found = re.search(rf"^\[van_ban\.{code}\][^\n]*\nso = \"\"", text, flags=re.M)
    assert found is not None
    numbered = found.group(0).replace('so = ""', f"so = {number}")
    profile.write_text(text.replace(found.group(0), numbered), encoding="utf-8")


def test_a_number_the_clerk_wrote_comes_before_the_registers_next(setup: Setup) -> None:
    _set_number(setup.dossier, "KH", 12)
    build(setup.dossier, setup.out)
    first = issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    assert {p.code: p.number for p in first.papers} == {
        "KH": 12, "QD": 1, "BB": 1, "BC": 1, "TTr": 1,
    }  # fmt: skip
    assert issued_number((first.folder / "KH-ke-hoach.docx").read_bytes()) == "12"


def test_issuing_again_without_numbering_would_drop_the_numbers_and_is_refused(
    setup: Setup,
) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    before = _hashes(setup.archive / setup.dossier.name)
    correct(setup)
    code, said = _cli(setup, "issue", str(setup.dossier), "--reason", "Thôn sửa số liệu")
    assert code == 1, said
    assert "--assign-numbers: phiên bản 1 đã cấp số từ sổ cho 01/KH-UBND, 01/QĐ-UBND" in said
    assert "phát hành với --assign-numbers" in said  # the hint
    assert _hashes(setup.archive / setup.dossier.name) == before
    assert [v for v, *_ in _rows(setup.archive)] == [1] * 5
    # With numbering, the unchanged papers keep theirs: nothing is lost.
    second = issue(
        Dossier(setup.dossier, setup.out, archive=setup.archive),
        reason="Thôn sửa số liệu",
        assign_numbers=True,
    )
    assert {p.code: p.number for p in second.papers}["KH"] == 1


def test_history_and_register_book(setup: Setup, tmp_path: Path) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    correct(setup)
    issue(
        Dossier(setup.dossier, setup.out, archive=setup.archive),
        reason="Khuổi Khỉn sửa",
        assign_numbers=True,
    )
    code, output = _cli(setup, "history", str(setup.dossier))
    assert code == 0, output
    lines = output.splitlines()
    # Vietnam time, as the clerk's clock shows it, and the result in the papers' words.
    first = r"v1  \d\d/\d\d/\d{4} \d\d:\d\d \(\+07:00\)  .*  940 điểm, đạt  \(lần đầu\)"
    assert re.fullmatch(first, lines[0]), lines[0]
    assert lines[2].startswith("v2 ") and lines[2].endswith("965 điểm, đạt  Khuổi Khỉn sửa")
    assert lines[3].strip() == "01/KH-UBND, 01/QĐ-UBND, 02/BB-UBND, 02/BC-UBND, 02/TTr-UBND"

    book = tmp_path / "so-van-ban-di.xlsx"
    result = CliRunner().invoke(
        cli, ["register", "--archive", str(setup.archive), "--year", "2024", "--xlsx", str(book)]
    )
    assert result.exit_code == 0, result.output
    assert "Xong: 8 văn bản" in result.output
    ws = openpyxl.load_workbook(book).active
    assert [c.value for c in ws[3]] == [
        "Số", "Ký hiệu", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản",
        "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Ghi chú",
    ]  # fmt: skip
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4)]
    assert len(rows) == 8
    bc1 = next(r for r in rows if r[:2] == ["01", "BC-UBND"])
    assert bc1[3] == "Báo cáo kết quả đánh giá xã Bình Trung phù hợp với trẻ em năm 2024"
    assert bc1[4] == "Nông Văn Hùng" and bc1[6] == "VT"
    assert re.fullmatch(
        r"binh-trung-2024, phiên bản 1, phát hành \d\d/\d\d/\d{4} \d\d:\d\d \(\+07:00\); "
        r"đã được thay thế ở phiên bản 2",
        bc1[7],
    ), bc1[7]
    # Dated by hand: the register gives the day it was issued, in Vietnam; "Như trên" is the
    # addressee of its "Kính gửi".
    manifest = json.loads((setup.archive / "binh-trung-2024/v1/manifest.json").read_text("utf-8"))
    assert bc1[2] == vietnam_day(manifest["issued_at"]).strftime("%d/%m/%Y")
    # The decision cites laws by their dates: none of them is its own.
    decision = next(r for r in rows if r[1] == "QĐ-UBND")
    assert decision[2] == bc1[2]
    assert bc1[5] == "Phòng Lao động - Thương binh và Xã hội huyện Cao Lộc; CT, PCT UBND xã"
    request = next(r for r in rows if r[:2] == ["01", "TTr-UBND"])
    assert request[5] == "Ủy ban nhân dân huyện Cao Lộc; CT, PCT UBND xã"
    # The minutes are dated by their meeting: the first, then the new one.
    minutes = {r[0]: r for r in rows if r[1] == "BB-UBND"}
    assert (minutes["01"][2], minutes["02"][2]) == ("05/11/2024", "12/11/2024")
    assert minutes["01"][5] == "UBND xã; Thành viên Hội đồng"
    empty = CliRunner().invoke(cli, ["register", "--archive", str(setup.archive), "--year", "2023"])
    assert "Xong: 0 văn bản" in empty.output


# --- verify ---------------------------------------------------------------------------------------


def _writable(path: Path) -> None:
    path.parent.chmod(0o755)
    path.chmod(0o644)


def test_verify_finds_altered_missing_and_stray_files(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    ok = CliRunner().invoke(cli, ["verify", str(setup.archive)])
    assert ok.exit_code == 0, ok.output
    v1 = setup.archive / "binh-trung-2024" / "v1"
    report = v1 / "BC-ket-qua-danh-gia.docx"
    _writable(report)
    report.write_bytes(report.read_bytes() + b"\0")
    (v1 / "data.json").chmod(0o644)
    (v1 / "data.json").unlink()
    (v1 / "ghi-chu.txt").write_text("thêm", encoding="utf-8")
    result = verify(setup.archive)
    found = sorted((p.code, Path(p.file or "").name) for p in result.problems)
    assert found == [
        ("bi-sua", "BC-ket-qua-danh-gia.docx"),  # against the manifest
        ("bi-sua", "BC-ket-qua-danh-gia.docx"),  # against the register row
        ("tep-la", "ghi-chu.txt"),
        ("thieu-tep", "data.json"),
    ]
    cli_result = CliRunner().invoke(cli, ["verify", str(setup.archive), "--json"])
    assert cli_result.exit_code == 1
    assert json.loads(cli_result.stdout) == result.to_json()


def test_verify_finds_a_register_row_without_its_files(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    v1 = setup.archive / "binh-trung-2024" / "v1"
    v1.chmod(0o755)
    (v1 / "TTr-de-nghi-cong-nhan.docx").chmod(0o644)
    (v1 / "TTr-de-nghi-cong-nhan.docx").unlink()
    codes = [p.code for p in verify(setup.archive).problems]
    assert codes == ["thieu-tep", "thieu-tep"]  # the manifest's file and the register's paper


# --- crashes and concurrency ------------------------------------------------------------------


_RUN = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from pipeline.archive.versions import issue
    from pipeline.model.dossier import Dossier
    dossier, out, archive, stop, pause, go = sys.argv[1:7]
    while go and not Path(go).exists():
        time.sleep(0.01)
    def checkpoint(stage):
        if stage == pause:
            time.sleep(0.5)
        if stage == stop:
            os._exit(9)  # a crash: no clean-up, no rollback, no finally
    result = issue(Dossier(Path(dossier), Path(out), archive=Path(archive)),
                   reason="lần chạy song song", checkpoint=checkpoint)
    print(result.version)
    """
)


def _process(setup: Setup, stop: str = "", pause: str = "", go: str = "") -> subprocess.Popen[str]:
    args = [str(setup.dossier), str(setup.out), str(setup.archive), stop, pause, go]
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("stage", ["staged", "registered", "renamed"])
def test_a_crash_inside_issue_leaves_no_version_and_the_next_issue_succeeds(
    setup: Setup, stage: str
) -> None:
    crashed = _process(setup, stop=stage)
    _, err = crashed.communicate(timeout=120)
    assert crashed.returncode == 9, err
    assert _rows(setup.archive) == []
    _, output = _cli(setup, "history", str(setup.dossier))
    assert output.strip() == "Hồ sơ chưa phát hành phiên bản nào."

    result = issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    assert result.version == 1
    folder = setup.archive / "binh-trung-2024"
    assert sorted(p.name for p in folder.iterdir()) == ["v1"]  # leftovers cleaned
    assert not verify(setup.archive).problems


def test_an_error_inside_issue_leaves_nothing_at_all(setup: Setup) -> None:
    def fail(stage: str) -> None:
        if stage == "renamed":
            raise RuntimeError("mất điện")

    with pytest.raises(RuntimeError):
        issue(Dossier(setup.dossier, setup.out, archive=setup.archive), checkpoint=fail)
    assert list((setup.archive / "binh-trung-2024").iterdir()) == []
    assert _rows(setup.archive) == []


def test_two_processes_issuing_at_once_get_two_versions(setup: Setup, tmp_path: Path) -> None:
    go = tmp_path / "go"
    workers = [_process(setup, pause="staged", go=str(go)) for _ in range(2)]
    time.sleep(0.3)
    go.touch()
    outputs = [w.communicate(timeout=180) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert sorted(int(out.strip()) for out, _ in outputs) == [1, 2]
    assert sorted({r[0] for r in _rows(setup.archive)}) == [1, 2]
    assert sorted(p.name for p in (setup.archive / "binh-trung-2024").iterdir()) == ["v1", "v2"]
    assert not verify(setup.archive).problems


def test_an_archive_without_its_register_is_refused(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    (setup.archive / "register.sqlite").unlink()
    with pytest.raises(InputError) as caught:
        issue(Dossier(setup.dossier, setup.out, archive=setup.archive), reason="x")
    assert [p.code for p in caught.value.problems] == ["mat-so-dang-ky"]
    assert (setup.archive / "binh-trung-2024" / "v1" / "manifest.json").is_file()


def _edit_workbook(path: Path) -> None:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        sheet.protection.sheet = False
    book["Tổng hợp"]["G32"] = 1
    book.save(path)


def test_a_hand_edited_score_workbook_is_not_issued(setup: Setup) -> None:
    _edit_workbook(setup.out / "bieu-cham-diem.xlsx")
    with pytest.raises(InputError) as caught:
        issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    assert [p.code for p in caught.value.problems] == ["ket-qua-bi-sua"]
    assert caught.value.problems[0].file == str(setup.out / "bieu-cham-diem.xlsx")
    assert not (setup.archive / "binh-trung-2024" / "v1").exists()


def test_verify_finds_an_archived_workbook_edited(setup: Setup) -> None:
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    book = setup.archive / "binh-trung-2024" / "v1" / "bieu-cham-diem.xlsx"
    _writable(book)
    _edit_workbook(book)
    assert [(p.code, Path(p.file or "").name) for p in verify(setup.archive).problems] == [
        ("bi-sua", "bieu-cham-diem.xlsx")
    ]
