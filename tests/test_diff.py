"""`hoso diff`: one corrected cell, traced to the points, the total and the papers' paragraphs."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.archive.diff import PaperChange, PointsChange, ValueChange, explanation
from pipeline.archive.redline import tracked_changes, version_texts
from pipeline.archive.versions import diff_versions, issue
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.common.vnformat import short_date, vietnam_day
from pipeline.model.dossier import Dossier
from pipeline.model.profile import load_profile
from tests.archive_helpers import Setup, build, correct, demo_setup

# The figures, in the words of the papers: no arrows, no capitals for emphasis.
FIGURES = (
    "Số liệu thôn Khuổi Khỉn: trẻ em vi phạm pháp luật, nghiện ma túy trong kỳ từ 1 xuống 0. "
    "Điểm tiêu chí 4 (Trẻ em vi phạm pháp luật, nghiện ma túy) từ 25 lên 50 điểm. "
    "Tổng số điểm từ 940 lên 965 điểm. "
    "Kết quả đánh giá không thay đổi. Xã Bình Trung đạt tiêu chuẩn xã phù hợp với trẻ em năm "
    "2024."
)


def _issued_day(setup: Setup, version: int) -> str:
    """The day a version was issued, in Vietnam: the register's date of a hand-dated paper."""
    manifest = setup.archive / setup.dossier.name / f"v{version}" / "manifest.json"
    return short_date(vietnam_day(json.loads(manifest.read_text("utf-8"))["issued_at"]))


def _summary(setup: Setup) -> str:
    """Against the current outputs, not yet numbered: each paper made again replaces v1's."""
    day = _issued_day(setup, 1)
    return (
        f"{FIGURES} "
        "Biên bản họp Hội đồng đánh giá ngày 12/11/2024 thay thế Biên bản số 01/BB-UBND ngày "
        "05/11/2024. "
        f"Báo cáo kết quả đánh giá lập lại thay thế Báo cáo số 01/BC-UBND ngày {day}. "
        f"Tờ trình đề nghị công nhận lập lại thay thế Tờ trình số 01/TTr-UBND ngày {day}."
    )


@pytest.fixture
def corrected(tmp_path: Path) -> Setup:
    setup = demo_setup(tmp_path)
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive), assign_numbers=True)
    correct(setup)  # the council meets again on 12/11/2024
    return setup


def test_one_corrected_cell_is_traced_through_points_total_and_papers(corrected: Setup) -> None:
    result, written = diff_versions(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive)
    )
    assert (result.a, result.b, written) == ("v1", "hien-tai", [])
    assert result.values == [
        ValueChange("Khuổi Khỉn", "vi_pham_phap_luat",
                    "Trẻ em vi phạm pháp luật, nghiện ma túy trong kỳ", 1, 0,
                    "thon/khuoi-khin.xlsx", "Số liệu", "D18"),
    ]  # fmt: skip
    assert result.criteria == [
        PointsChange("4", "Trẻ em vi phạm pháp luật, nghiện ma túy", 25.0, 50.0, 4)
    ]
    assert [(i.id, i.old, i.new) for i in result.items] == [("4.1", 25.0, 50.0)]
    assert result.total == (940.0, 965.0)
    assert result.verdict == ("đạt", "đạt")
    # The plan and the decision carry no figure; a number given at issue is not a change.
    papers = {p.code: p for p in result.papers}
    assert sorted(papers) == ["BB", "BC", "TTr"]
    assert papers["BC"].number_old == "01" and papers["BC"].number_new is None
    assert papers["TTr"].paragraphs[1:] == [
        ("- Tổng số điểm đạt: 940/1.000 điểm (ngưỡng điểm công nhận: 800 điểm);",
         "- Tổng số điểm đạt: 965/1.000 điểm (ngưỡng điểm công nhận: 800 điểm);"),
        ("- Số tiêu chí có điểm: 13/13 tiêu chí, trong đó 10 tiêu chí đạt điểm tối đa; "
         "không có tiêu chí nào 0 điểm.",
         "- Số tiêu chí có điểm: 13/13 tiêu chí, trong đó 11 tiêu chí đạt điểm tối đa; "
         "không có tiêu chí nào 0 điểm."),
    ]  # fmt: skip
    assert (
        "- Trẻ em vi phạm pháp luật, nghiện ma túy trong kỳ: 1 trẻ (kỳ trước: 3 trẻ); "
        "đạt 25/50 điểm.",
        "- Trẻ em vi phạm pháp luật, nghiện ma túy trong kỳ: 0 trẻ (kỳ trước: 3 trẻ); "
        "đạt 50/50 điểm.",
    ) in papers["BC"].paragraphs
    # In the minutes' score table each cell pairs with the same cell, named by its row and
    # column: computed 915 -> 940, awarded 940 -> 965.
    cells = list(zip(papers["BB"].paragraphs, papers["BB"].places, strict=True))
    assert (("915", "940"), "dòng “Tổng cộng”, cột “Điểm tính theo số liệu”") in cells
    assert (("940", "965"), "dòng “Tổng cộng”, cột “Điểm Hội đồng chấm”") in cells
    assert (
        ("25", "50"),
        "dòng “4 Trẻ em vi phạm pháp luật, nghiện ma túy”, cột “Điểm Hội đồng chấm”",
    ) in cells
    # A paragraph outside a data table has no place.
    assert papers["TTr"].places == ["", "", ""]
    assert result.summary == _summary(corrected)


def test_cli_prints_the_changes_and_json_equals_the_library(corrected: Setup) -> None:
    args = [str(corrected.dossier), "--out", str(corrected.out), "--archive",
            str(corrected.archive)]  # fmt: skip
    text = CliRunner().invoke(cli, ["diff", *args, "--reason", "thôn Khuổi Khỉn sửa số liệu"])
    assert text.exit_code == 0, text.output
    assert (
        "  Khuổi Khỉn: Trẻ em vi phạm pháp luật, nghiện ma túy trong kỳ 1 → 0  "
        "[thon/khuoi-khin.xlsx › Số liệu › D18]"
    ) in text.output
    assert "  Tiêu chí 4 (Trẻ em vi phạm pháp luật, nghiện ma túy): 25 → 50" in text.output
    # A changed table cell names its row and column.
    assert (
        "  Ô dòng “Tổng cộng”, cột “Điểm Hội đồng chấm”:\n    - 940\n    + 965\n"
    ) in text.output
    summary = "Lý do điều chỉnh: thôn Khuổi Khỉn sửa số liệu. " + _summary(corrected)
    assert text.output.rstrip().endswith("Giải trình:\n" + summary)
    assert "→" not in summary and "ĐẠT" not in summary
    as_json = CliRunner().invoke(cli, ["diff", *args, "1", "hien-tai", "--json"])
    assert as_json.exit_code == 0, as_json.output
    expected = diff_versions(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive), "1"
    )[0]
    assert json.loads(as_json.stdout) == json.loads(json.dumps(expected.to_json()))


def test_diff_docx_writes_tracked_copies_of_the_changed_papers(corrected: Setup) -> None:
    _, written = diff_versions(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive),
        "v1",
        "hien-tai",
        docx=True,
    )
    names = sorted(p.name for p in written)
    assert names == [
        "BB-hop-hoi-dong.v1-hien-tai.docx",
        "BC-ket-qua-danh-gia.v1-hien-tai.docx",
        "TTr-de-nghi-cong-nhan.v1-hien-tai.docx",
    ]
    request = next(p for p in written if p.name.startswith("TTr"))
    # The issued number goes back to the blank to write by hand, then the new meeting's day
    # and the figures; nothing else.
    assert tracked_changes(request.read_bytes()) == [
        ("del", " 01"), ("ins", " " * 7), ("del", "05"), ("ins", "12"), ("del", "940"),
        ("ins", "965"), ("del", "10"), ("ins", "11"),
    ]  # fmt: skip


def test_issue_of_version_two_writes_redlines_and_the_explanation(corrected: Setup) -> None:
    second = issue(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive),
        reason="sửa số liệu",
        assign_numbers=True,
    )
    changes = second.folder / "thay-doi"
    assert sorted(p.name for p in changes.iterdir()) == [
        "BB-hop-hoi-dong.docx", "BC-ket-qua-danh-gia.docx", "TTr-de-nghi-cong-nhan.docx",
        "giai-trinh.txt",
    ]  # fmt: skip
    # Each changed paper by its new number and the date the register gives it.
    first_day, second_day = _issued_day(corrected, 1), _issued_day(corrected, 2)
    summary = (
        f"Lý do điều chỉnh: sửa số liệu. {FIGURES} "
        "Biên bản số 02/BB-UBND ngày 12/11/2024 thay thế Biên bản số 01/BB-UBND ngày "
        "05/11/2024. "
        f"Báo cáo số 02/BC-UBND ngày {second_day} thay thế Báo cáo số 01/BC-UBND ngày "
        f"{first_day}. "
        f"Tờ trình số 02/TTr-UBND ngày {second_day} thay thế Tờ trình số 01/TTr-UBND ngày "
        f"{first_day}."
    )
    assert (changes / "giai-trinh.txt").read_text(encoding="utf-8") == summary + "\n"
    assert second.explanation == summary
    report = tracked_changes((changes / "BC-ket-qua-danh-gia.docx").read_bytes())
    # The new number, then only figures.
    assert report[:2] == [("del", "01"), ("ins", "02")], report[:4]
    assert all(re.fullmatch(r"\d+", text) for _, text in report[2:]), report
    assert sorted(report[2:]) == sorted(
        [("del", "25"), ("ins", "50"), ("del", "1"), ("ins", "0")] + [("del", "25"), ("ins", "50")]
        + [("del", "25"), ("ins", "50")] + [("del", "940"), ("ins", "965")] * 2
    )  # fmt: skip


def test_the_paragraph_uses_the_profile_words_for_the_level_below(
    tmp_path: Path,
) -> None:
    setup = demo_setup(tmp_path)
    toml = setup.dossier / "hoso.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('cap = "xã"', 'cap = "xã"\ncap_thon = "ấp"', 1), "utf-8")
    build(setup.dossier, setup.out)
    issue(Dossier(setup.dossier, setup.out, archive=setup.archive))
    correct(setup)
    result, _ = diff_versions(Dossier(setup.dossier, setup.out, archive=setup.archive))
    assert result.summary.startswith("Số liệu ấp Khuổi Khỉn: trẻ em vi phạm pháp luật")


def test_numbered_again_the_paragraph_says_which_paper_replaces_which(corrected: Setup) -> None:
    second = issue(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive),
        reason="thôn Khuổi Khỉn sửa số liệu", assign_numbers=True,
    )  # fmt: skip
    first_day, second_day = _issued_day(corrected, 1), _issued_day(corrected, 2)
    assert second.explanation == (
        f"Lý do điều chỉnh: thôn Khuổi Khỉn sửa số liệu. {FIGURES} "
        "Biên bản số 02/BB-UBND ngày 12/11/2024 thay thế Biên bản số 01/BB-UBND ngày "
        "05/11/2024. "
        f"Báo cáo số 02/BC-UBND ngày {second_day} thay thế Báo cáo số 01/BC-UBND ngày "
        f"{first_day}. "
        f"Tờ trình số 02/TTr-UBND ngày {second_day} thay the Tờ trình số 01/TTr-UBND ngày "
        f"{first_day}."
    ).replace("thay the", "thay thế")
    # `hoso diff 1 2` says the same, with the reason version 2 was issued with.
    result, _ = diff_versions(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive), "1", "2"
    )
    assert result.summary == second.explanation


def test_nothing_changed_and_unknown_versions(corrected: Setup) -> None:
    same, _ = diff_versions(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive), "1", "1"
    )
    assert same.empty
    assert same.summary == "Không có thay đổi về số liệu, điểm, kết quả và văn bản."
    with pytest.raises(InputError) as caught:
        diff_versions(Dossier(corrected.dossier, corrected.out, archive=corrected.archive), "7")
    assert [p.code for p in caught.value.problems] == ["khong-co-phien-ban"]


def test_diff_before_any_issue_says_so(tmp_path: Path) -> None:
    setup = demo_setup(tmp_path)
    with pytest.raises(InputError) as caught:
        diff_versions(Dossier(setup.dossier, setup.out, archive=setup.archive))
    assert [p.code for p in caught.value.problems] == ["chua-phat-hanh"]


def _cli_args(setup: Setup) -> list[str]:
    return [str(setup.dossier), "1", "hien-tai", "--docx", "--out", str(setup.out),
            "--archive", str(setup.archive)]  # fmt: skip


def test_diff_docx_uses_python_redlines_by_default(
    corrected: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOSO_REDLINE")
    result = CliRunner().invoke(cli, ["diff", *_cli_args(corrected)])
    assert result.exit_code == 0, result.output
    assert "Lưu ý" not in result.stderr
    copy = corrected.out / "thay-doi" / "TTr-de-nghi-cong-nhan.v1-hien-tai.docx"
    tracked = copy.read_bytes()
    # python-redlines' marking (a replaced word's insertion first), not our writer's.
    assert tracked_changes(tracked)[-2:] == [("ins", "11"), ("del", "10")]
    v1 = corrected.archive / corrected.dossier.name / "v1" / "TTr-de-nghi-cong-nhan.docx"
    current = corrected.out / "TTr-de-nghi-cong-nhan.docx"
    assert version_texts(tracked, accepted=True) == version_texts(
        current.read_bytes(), accepted=True
    )
    assert version_texts(tracked, accepted=False) == version_texts(v1.read_bytes(), accepted=True)


@pytest.mark.skipif(sys.platform != "linux", reason="the engine's cache folder follows XDG")
def test_diff_docx_falls_back_to_our_writer_with_one_notice(
    corrected: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # python-redlines cannot unpack its binary: its cache folder is a file.
    blocked = tmp_path / "cache"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.delenv("HOSO_REDLINE")
    result = CliRunner().invoke(cli, ["diff", *_cli_args(corrected)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("Lưu ý:") == 1
    assert "HOSO_REDLINE=noi-bo" in result.stderr
    copy = corrected.out / "thay-doi" / "TTr-de-nghi-cong-nhan.v1-hien-tai.docx"
    assert tracked_changes(copy.read_bytes())[-2:] == [("del", "10"), ("ins", "11")]
    # Forced, the same machine is an environment problem (exit 3) saying what to do.
    forced = CliRunner().invoke(cli, ["diff", *_cli_args(corrected), "--redline", "redlines"])
    assert forced.exit_code == 3, forced.output
    assert "python-redlines không chạy được" in forced.stderr
    # issue says it once among its warnings.
    second = issue(
        Dossier(corrected.dossier, corrected.out, archive=corrected.archive),
        reason="sửa số liệu",
        assign_numbers=True,
    )
    assert [w.code for w in second.warnings] == ["so-sanh-co-san"]
    assert len(list((second.folder / "thay-doi").glob("*.docx"))) == 3


def test_a_wrong_redline_setting_is_an_input_problem(tmp_path: Path) -> None:
    # Read before anything else: no dossier is needed to be told.
    args = ["diff", str(tmp_path), "--docx", "--archive", str(tmp_path)]
    result = CliRunner(env={"HOSO_REDLINE": "word"}).invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "HOSO_REDLINE" in result.stderr and "redlines, noi-bo" in result.stderr


def test_a_result_that_changes_is_said_in_the_papers_words(tmp_path: Path) -> None:
    setup = demo_setup(tmp_path)
    card = json.loads((setup.out / "scorecard.json").read_text(encoding="utf-8"))
    card.update(total=780, recognized=False, zero_criteria=[])
    profile = load_profile(setup.dossier)
    text = explanation(
        profile,
        reason="tổ chức lại số liệu theo hướng dẫn của cấp trên.",
        values=[ValueChange("", "tre_em_duoi_16", "Số trẻ em dưới 16 tuổi", 193, 178, "xa.xlsx",
                            "Số liệu", "D7")],
        criteria=[PointsChange("g", "Trẻ em được chăm sóc sức khỏe", 100.0, 0.0, 7)],
        total=(940.0, 780.0),
        verdict=("đạt", "chưa đạt"),
        papers=[PaperChange("TTr", "Tờ trình đề nghị công nhận", "TTr-de-nghi-cong-nhan.docx",
                            "bo", "01", None, kind="Tờ trình", symbol="TTr-UBND",
                            date_old=date(2024, 11, 10))],
        card=card,
    )  # fmt: skip
    assert text == (
        "Lý do điều chỉnh: tổ chức lại số liệu theo hướng dẫn của cấp trên. "
        "Số liệu xã Bình Trung: số trẻ em dưới 16 tuổi từ 193 xuống 178. "
        "Điểm tiêu chí 7 (Trẻ em được chăm sóc sức khỏe) từ 100 xuống 0 điểm. "
        "Tổng số điểm từ 940 xuống 780 điểm. "
        "Kết quả đánh giá thay đổi từ đạt thành chưa đạt. Xã Bình Trung chưa đạt tiêu chuẩn xã "
        "phù hợp với trẻ em năm 2024 do tổng số điểm còn thiếu 20 điểm so với ngưỡng công "
        "nhận. "
        "Rút lại Tờ trình số 01/TTr-UBND ngày 10/11/2024."
    )
