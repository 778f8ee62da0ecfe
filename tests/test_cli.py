"""The `hoso` command line through Click's runner, on real files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from tests.conftest import ROOT

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
    result = runner.invoke(cli, ["init", str(folder), "--xa", "Bình Trung", "--nam", "2025"])
    assert result.exit_code == 0, result.output
    assert (folder / "hoso.toml").is_file()
    assert f"Đã tạo {folder / 'hoso.toml'}" in result.output

    again = runner.invoke(cli, ["init", str(folder)])
    assert again.exit_code == 1
    assert "đã có hồ sơ ở đây, không ghi đè" in again.output

    rendered = runner.invoke(cli, ["render", str(folder), "--out", str(tmp_path / "out")])
    assert rendered.exit_code == 1
    assert "lanh_dao.chu_tich: chưa điền — ghi họ và tên Chủ tịch UBND." in rendered.output
    assert "Lỗi:" in rendered.output and "Traceback" not in rendered.output
    assert not (tmp_path / "out").exists()


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
        (["init", "x", "--nam", "abc"], "Lỗi: Giá trị không hợp lệ cho '--nam':"),
    ],
    ids=["missing-dir", "unknown-option", "unknown-command", "bad-value"],
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
