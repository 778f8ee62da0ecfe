"""The `hoso` command line through Click's runner, on real files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.model import dataset
from pipeline.model.rules import shipped_path
from pipeline.stages.ingest import ingest
from pipeline.stages.score import score_dossier
from tests.conftest import ROOT
from tests.factories import demo_data, without_workbooks, write_data
from tests.helpers import edit

Edit = Callable[[str, str], Path]


def _command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command and subcommand, as argument lists: [["init"], ["templates", "check"], …]."""
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append([*prefix, name])
        if isinstance(command, click.Group):
            paths += _command_paths(command, (*prefix, name))
    return paths


def test_init_then_render_lists_what_to_fill(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "xa-moi"
    args = ["init", str(folder), "--xa", "Bình Trung", "--nam", "2025", "--loai", "mien_nui"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (folder / "hoso.toml").is_file()
    assert f"Đã tạo {folder / 'hoso.toml'}" in result.output

    again = runner.invoke(cli, ["init", str(folder)])
    assert again.exit_code == 1
    assert "đã có hồ sơ ở đây, không ghi đè" in again.output

    rendered = runner.invoke(cli, ["render", str(folder), "--out", str(tmp_path / "out")])
    assert rendered.exit_code == 1
    assert "lanh_dao.chu_tich: chưa điền — ghi họ và tên Chủ tịch UBND." in rendered.output
    assert "Lỗi:" in rendered.output and isinstance(rendered.exception, SystemExit)
    assert not (tmp_path / "out").exists()


def test_init_chooses_the_category_only_when_the_unit_decides_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    def loai_line(folder: Path) -> str:
        text = (folder / "hoso.toml").read_text(encoding="utf-8")
        return next(line for line in text.splitlines() if line.startswith("loai = "))

    # A ward of a centrally-run city is 900 without being asked.
    ward = tmp_path / "le-chan"
    args = ["--xa", "Lê Chân", "--tinh", "Hải Phòng", "--nam", "2026"]
    result = runner.invoke(cli, ["init", str(ward), "--cap", "phường", *args])
    assert result.exit_code == 0, result.output
    assert loai_line(ward) == (
        'loai = "phuong_do_thi"     # phường của thành phố trực thuộc trung ương: ngưỡng 900 điểm'
    )
    # A special zone is an island: 800, the reason as the comment.
    zone = tmp_path / "phu-quoc"
    result = runner.invoke(
        cli, ["init", str(zone), "--cap", "đặc khu", "--cap-thon", "khu phố", "--xa", "Phú Quốc",
              "--tinh", "An Giang", "--nam", "2026"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        loai_line(zone) == 'loai = "mien_nui"          # đặc khu là đơn vị hải đảo: ngưỡng 800 điểm'
    )
    # Anything else: the clerk must say, told the three categories; nothing is written.
    commune = tmp_path / "tan-lap"
    args = ["init", str(commune), "--xa", "Tân Lập", "--tinh", "Phú Thọ", "--nam", "2026"]
    asked = runner.invoke(cli, args)
    assert asked.exit_code == 1
    assert asked.stderr.splitlines()[0] == (
        "Lỗi: --loai: chưa rõ loại đơn vị theo Quyết định 06/QĐ-TTg, loại này quyết định ngưỡng "
        "điểm công nhận — chọn một: --loai mien_nui (xã, thị trấn miền núi, hải đảo, xã đặc "
        "biệt khó khăn: 800 điểm), --loai phuong_do_thi (phường thuộc quận, thị xã, thành phố "
        "của thành phố trực thuộc trung ương: 900 điểm), --loai con_lai (các xã, phường, thị "
        "trấn còn lại: 850 điểm)."
    )
    assert not commune.exists()
    help_text = runner.invoke(cli, ["init", "--help"]).output
    assert "--loai mien_nui" in " ".join(help_text.split())
    chosen = runner.invoke(cli, [*args, "--loai", "mien_nui"])
    assert chosen.exit_code == 0, chosen.output
    assert loai_line(commune) == (
        'loai = "mien_nui"          # xã, thị trấn miền núi, hải đảo, xã đặc biệt khó khăn: '
        "ngưỡng 800 điểm"
    )
    # A category the unit's kind and place contradict is refused, as is an unknown one.
    ward_args = ["--cap", "phường", "--xa", "Lê Chân", "--tinh", "Hải Phòng", "--nam", "2026"]
    wrong = runner.invoke(cli, ["init", str(tmp_path / "x"), *ward_args, "--loai", "con_lai"])
    assert wrong.exit_code == 1
    assert (
        'Lỗi: --loai: phường Lê Chân thuộc loại "phuong_do_thi": phường của thành phố '
        "trực thuộc trung ương — bỏ tùy chọn --loai, hoso tự ghi loại này."
    ) in wrong.stderr
    unknown = runner.invoke(cli, [*args[:1], str(tmp_path / "y"), *args[2:], "--loai", "nui"])
    assert unknown.exit_code == 1 and "không phải một loại đơn vị" in unknown.stderr


def test_render_writes_the_plan(runner: CliRunner, dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Đã ghi {out / 'KH-ke-hoach.docx'}",
        f"Đã ghi {out / 'QD-thanh-lap-hoi-dong.docx'}",
        "Chưa lập (cần chấm điểm trước, chạy hoso score): BB-hop-hoi-dong.docx, "
        "BC-ket-qua-danh-gia.docx, TTr-de-nghi-cong-nhan.docx",
        f"Xong: 2 văn bản trong {out}",
    ]


def test_render_defaults_to_outputs_folder(
    runner: CliRunner, dossier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["render", str(dossier)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "outputs" / "binh-trung-2024" / "KH-ke-hoach.docx").is_file()


def test_profile_errors_exit_1_with_every_message(
    runner: CliRunner, edit_profile: Edit, tmp_path: Path
) -> None:
    edit_profile('loai = "mien_nui"', 'loai = "nui"')
    dossier = edit_profile('xa = "Bình Trung"', 'xa = ""')
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Lỗi: ")]
    assert [re.sub(r"^Lỗi: .*hoso\.toml › ", "", e).split(":")[0] for e in errors] == [
        "don_vi.xa",
        "don_vi.loai",
    ]
    assert "Có 2 lỗi cần sửa; chưa ghi tệp nào." in result.output


def test_unwritable_output_is_an_environment_problem(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(blocker / "out")])
    assert result.exit_code == 3
    assert result.output.startswith("Lỗi: Không tạo được thư mục")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render"], "Lỗi: Thiếu tham số 'DIR'."),
        (["render", "x", "--bogus"], "Lỗi: Không có tùy chọn --bogus."),
        (["lam-gi"], "Lỗi: Không có lệnh 'lam-gi'."),
        (["rendr", "x"], "Lỗi: Không có lệnh 'rendr'. Có phải ý bạn là render?\n"),
        (["templates", "chek"], "Lỗi: Không có lệnh 'chek'. Có phải ý bạn là check?\n"),
        (
            ["render", "x", "--outt", "y"],
            "Lỗi: Không có tùy chọn --outt. Có phải ý bạn là --out?\n",
        ),
        (["init", "x", "--nam", "abc"], "Lỗi: Giá trị không hợp lệ cho '--nam':"),
    ],
    ids=[
        "missing-dir",
        "unknown-option",
        "unknown-command",
        "misspelt-command",
        "misspelt-subcommand",
        "misspelt-option",
        "bad-value",
    ],
)
def test_usage_errors_exit_2_in_vietnamese(
    runner: CliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert "Xem hướng dẫn: hoso" in result.output


@pytest.mark.parametrize("command", [[], *_command_paths()], ids=lambda c: " ".join(c) or "hoso")
def test_help_is_vietnamese(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(cli, [*command, "--help"], prog_name="hoso")
    assert result.exit_code == 0
    assert result.output.startswith("Cách dùng: hoso")
    assert "Tùy chọn:" in result.output
    for english in ("Usage:", "Options:", "Show this message", "Commands:", "[OPTIONS]"):
        assert english not in result.output
    short = runner.invoke(cli, [*command, "-h"], prog_name="hoso")
    assert short.output == result.output


def test_every_command_has_help_and_appears_in_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert isinstance(cli, click.Group)
    for path in _command_paths():
        command: click.Command = cli
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        assert command.help and len(command.help) > 30, path
        assert "hoso " + " ".join(path) in readme, path


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("hoso ")


# --- hoso score ----------------------------------------------------------------------------------


def _demo_data(dossier: Path, tmp_path: Path) -> Path:
    """An output folder holding the factories' demo data as the dossier's current data."""
    out = tmp_path / "out"
    without_workbooks(dossier)
    write_data(out, demo_data(), dossier)
    return out


def test_score_prints_the_table_verdict_and_warning(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = _demo_data(dossier, tmp_path)
    result = runner.invoke(cli, ["score", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [line for line in lines if re.match(r"Tiêu chí \d", line)]
    assert len(rows) == 13
    assert re.sub(r"\s+", " ", rows[10]).strip() == (
        "Tiêu chí 11 (Trẻ em được thực hiện quyền tham gia của trẻ em) 50 / 75"
    )
    assert (
        "Tổng điểm: 975 / 1.000; ngưỡng công nhận "
        "(miền núi, hải đảo, xã đặc biệt khó khăn): 800" in lines
    )
    assert "Kết quả: đạt" in lines
    warning = next(line for line in lines if line.startswith("Cảnh báo: "))
    assert "19 mục được chấm theo quy tắc tạm tính" in warning and "1.2, 1.4, 2.1" in warning
    assert lines[-2:] == [
        f"Đã ghi {out / 'scorecard.json'}",
        f"Đã ghi {out / 'bieu-cham-diem.xlsx'}",
    ]


def test_score_json_equals_the_library_result(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = _demo_data(dossier, tmp_path)
    result = runner.invoke(cli, ["score", str(dossier), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed == score_dossier(dossier, out).to_json()
    assert printed == json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    assert (printed["total"], printed["threshold"], printed["recognized"]) == (975.0, 800, True)


def test_score_without_ingest_tells_what_to_run(
    runner: CliRunner, dossier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["score", str(dossier)])
    assert result.exit_code == 1
    data_json = Path("outputs") / "binh-trung-2024" / "data.json"
    assert result.output.splitlines() == [
        f"Lỗi: {data_json}: chưa có số liệu đã nhập — chạy `hoso ingest {dossier}` trước "
        "(với cùng --out nếu có), rồi chạy lại hoso score.",
        "Có 1 lỗi cần sửa; chưa ghi tệp nào.",
    ]
    assert not (tmp_path / "outputs" / "binh-trung-2024" / "scorecard.json").exists()


def test_score_reports_bad_overrides_and_writes_nothing(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = _demo_data(dossier, tmp_path)
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + '\n[[dieu_chinh]]\nmuc = "8.2"\ndiem = 30\nly_do = "x"\n'
        + '\n[[dieu_chinh]]\nmuc = "14.1"\ndiem = 5\nly_do = "y"\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["score", str(dossier), "--out", str(out)])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Lỗi: ")]
    # dieu_chinh[1] is the demo profile's own (valid) override.
    assert [e.split(" › ")[1].split(":")[0] for e in errors] == [
        "dieu_chinh[2].diem",
        "dieu_chinh[3].muc",
    ]
    assert "điểm 30 ngoài khoảng 0 đến 25 của mục 8.2" in errors[0]
    assert not (out / "scorecard.json").exists()


def test_score_applies_council_overrides(runner: CliRunner, dossier: Path, tmp_path: Path) -> None:
    out = _demo_data(dossier, tmp_path)
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + '\n[[dieu_chinh]]\nmuc = "11.2"\ndiem = 20\nly_do = "Câu lạc bộ hoạt động từ tháng 9"\n',
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["score", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    # The demo profile already carries the council's override of 10.2.
    changed = "mục 10.2 từ 50 thành 50; mục 11.2 từ 0 thành 20"
    assert f"(*) Hội đồng điều chỉnh: {changed}. Điểm tính theo số liệu: 975." in result.output
    assert "Tổng điểm: 995 / 1.000;" in result.output


def test_forms_then_refuse_to_overwrite(runner: CliRunner, tmp_path: Path) -> None:
    folder = tmp_path / "xa-moi"
    folder.mkdir()
    (folder / "hoso.toml").write_bytes((ROOT / "inputs/binh-trung-2024/hoso.toml").read_bytes())
    result = runner.invoke(cli, ["forms", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Đã ghi {folder / 'thon' / 'na-cay.xlsx'}"
    assert lines[-1] == "Xong: 13 biểu mẫu. Gửi các biểu trong thư mục thon/ cho các thôn."
    edit(folder / "xa.xlsx", {"kinh_phi_tre_em": 1000})
    again = runner.invoke(cli, ["forms", str(folder)])
    assert again.exit_code == 1
    assert f"Lỗi: {folder / 'xa.xlsx'}: biểu mẫu đã có số liệu, không ghi đè" in again.output
    forced = runner.invoke(cli, ["forms", str(folder), "--force"])
    assert forced.exit_code == 0
    assert f"  (bản cũ sao lưu ở {folder / 'xa.sao-luu-1.xlsx'})" in forced.output


def test_ingest_writes_data_json(
    runner: CliRunner, dossier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["ingest", str(dossier)])
    assert result.exit_code == 0, result.output
    target = Path("outputs") / "binh-trung-2024" / "data.json"
    assert result.output.splitlines()[0] == "Đọc xa.xlsx"
    assert result.output.splitlines()[-1] == (
        f"Xong: 12 thôn và số liệu cấp xã, 0 cảnh báo; đã ghi {target}"
    )
    assert (tmp_path / target).read_bytes() == dataset.dumps(ingest(dossier).data)


def test_ingest_json_equals_the_library(runner: CliRunner, dossier: Path, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(dossier), "--json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == ingest(dossier).data.to_json()

    edit(dossier / "thon/na-cay.xlsx", {"tre_em_duoi_16": "12 trẻ"})
    (dossier / "thon/po-ma.xlsx").unlink()
    failed = runner.invoke(cli, ["ingest", str(dossier), "--json", "--out", str(tmp_path)])
    assert failed.exit_code == 1
    with pytest.raises(InputError) as caught:
        ingest(dossier)
    assert json.loads(failed.stdout) == [p.to_dict() for p in caught.value.problems]
    assert 'Lỗi: thon/na-cay.xlsx › Số liệu › D8 (tre_em_duoi_16): "12 trẻ" không phải số' in (
        failed.stderr
    )


def test_ingest_mark_errors(runner: CliRunner, dossier: Path, tmp_path: Path) -> None:
    edit(dossier / "thon/na-cay.xlsx", {"duoi_1_tuoi": 85, "duoi_1_tiem_du": 86})
    out = tmp_path / "out"
    result = runner.invoke(cli, ["ingest", str(dossier), "--mark-errors", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "Có 1 lỗi cần sửa; chưa ghi số liệu.",
        f"Đã ghi bản đánh dấu lỗi: {dossier / 'thon' / 'na-cay.loi.xlsx'}",
    ]
    assert (dossier / "thon" / "na-cay.loi.xlsx").is_file() and not out.exists()


def test_ingest_warnings_are_shown(runner: CliRunner, dossier: Path, tmp_path: Path) -> None:
    edit(dossier / "thon/na-cay.xlsx", {"tre_em_duoi_16": 0})
    result = runner.invoke(cli, ["ingest", str(dossier), "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert (
        "Cảnh báo: thon/na-cay.xlsx › Số liệu › D8 (tre_em_duoi_16): «Trẻ em dưới 16 tuổi» ghi 0"
        " — kiểm tra lại; nếu đúng thì bỏ qua cảnh báo này."
    ) in result.stderr
    assert "1 cảnh báo" in result.stdout


# --- stale and damaged intermediate files ----------------------------------------------------


def _scored(runner: CliRunner, dossier: Path, out: Path) -> None:
    for command in ("ingest", "score", "render"):
        result = runner.invoke(cli, [command, str(dossier), "--out", str(out)])
        assert result.exit_code == 0, (command, result.output)


def _corrupt_scorecard(dossier: Path, out: Path) -> list[str]:
    (out / "scorecard.json").write_text("{bad", encoding="utf-8")
    return ["render"]


def _scorecard_without_data(dossier: Path, out: Path) -> list[str]:
    (out / "data.json").unlink()
    return ["render"]


def _workbook_edited_after_scoring(dossier: Path, out: Path) -> list[str]:
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 0})
    return ["ingest", "render"]


def _override_added_after_scoring(dossier: Path, out: Path) -> list[str]:
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8")
        + '\n[[dieu_chinh]]\nmuc = "2.1"\ndiem = 50\nly_do = "Đã xác minh."\n',
        encoding="utf-8",
    )
    return ["render"]


def _workbook_edited_after_ingest(dossier: Path, out: Path) -> list[str]:
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 0})
    return ["score"]


@pytest.mark.parametrize(
    ("damage", "code", "message"),
    [
        (_corrupt_scorecard, 1, "scorecard.json: tệp bảng điểm không đọc được"),
        (_scorecard_without_data, 1, "data.json: chưa có số liệu đã nhập"),
        (_workbook_edited_after_scoring, 1, "scorecard.json: bảng điểm cũ"),
        (_override_added_after_scoring, 1, "scorecard.json: bảng điểm cũ"),
        (_workbook_edited_after_ingest, 1,
         "data.json: số liệu đã nhập cũ hơn hồ sơ: thon/na-cay.xlsx đã sửa"),
    ],
    ids=["corrupt-scorecard", "no-data", "data-changed", "override-changed", "stale-ingest"],
)  # fmt: skip
def test_stale_or_damaged_files_are_refused_not_printed(  # noqa: PLR0917
    runner: CliRunner,
    dossier: Path,
    tmp_path: Path,
    damage: Callable[[Path, Path], list[str]],
    code: int,
    message: str,
) -> None:
    out = tmp_path / "out"
    _scored(runner, dossier, out)
    papers = {p.name: p.read_bytes() for p in out.glob("*.docx")}
    commands = damage(dossier, out)
    for command in commands[:-1]:
        assert runner.invoke(cli, [command, str(dossier), "--out", str(out)]).exit_code == 0
    result = runner.invoke(cli, [commands[-1], str(dossier), "--out", str(out)])
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.output
    # The papers already issued are left as they were.
    assert {p.name: p.read_bytes() for p in out.glob("*.docx")} == papers


def test_a_rule_set_named_by_absolute_path(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "elsewhere" / "bo.toml"
    rules.parent.mkdir()
    rules.write_text(shipped_path().read_text(encoding="utf-8"), encoding="utf-8")
    profile = dossier / "hoso.toml"
    profile.write_text(
        profile.read_text(encoding="utf-8").replace(
            '# [danh_gia]\n# bo_tieu_chi = "bo-tieu-chi.toml"',
            f'[danh_gia]\nbo_tieu_chi = "{rules.as_posix()}"',
        ),
        encoding="utf-8",
    )
    _scored(runner, dossier, tmp_path / "out")
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text(encoding="utf-8"))
    assert card["rule_set"]["file"] == str(rules)


def test_a_bug_is_reported_as_one_not_as_bad_data(
    runner: CliRunner, dossier: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    # Stands in for a defect in the library; nothing else can make it fail this way.
    monkeypatch.setattr("pipeline.stages.render.render", broken)  # cli imports it when run
    result = runner.invoke(cli, ["render", str(dossier)])
    assert result.exit_code == 4
    assert result.output.startswith(
        "Lỗi chương trình (không phải do số liệu của bạn): RuntimeError: boom"
    )


def test_score_json_prints_problems_as_json(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    result = runner.invoke(cli, ["score", str(dossier), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert [p["code"] for p in json.loads(result.stdout)] == ["chua-nhap-so-lieu"]
