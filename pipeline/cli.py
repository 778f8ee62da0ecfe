"""The `hoso` command line: the only module that imports click.

Each command parses its options, calls one library function and prints the result;
`HosoError`s become Vietnamese messages and the contract's exit codes.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline import __version__
from pipeline.archive.register import DEFAULT_ARCHIVE
from pipeline.common.errors import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    EnvironmentProblem,
    HosoError,
    InputError,
)
from pipeline.model.dossier import Dossier
from pipeline.model.layout import OUTPUTS, output_folder
from pipeline.stages.reports import (
    Message,
    ingest_report,
    pdf_report,
    render_report,
    score_report,
)

# Each command imports the library modules it uses inside its function: `hoso --help` then
# loads almost nothing, and ingest never loads the Word libraries (tests/test_imports.py).

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for a program stopped by Ctrl+C

_HEADINGS = {
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Arguments": "Tham số",
}


class _HelpFormatter(click.HelpFormatter):
    """Click's formatter with Vietnamese headings."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[TÙY CHỌN]").replace("COMMAND [ARGS]", "LỆNH [THAM SỐ]")
        super().write_usage(prog, args, "Cách dùng: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))


class _Context(click.Context):
    formatter_class = _HelpFormatter


# Click's own usage errors, in Vietnamese. Click formats them in English through gettext;
# matching its few message shapes keeps us off its internals.
_USAGE_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Missing argument '?([^'.]+)'?\."), "Thiếu tham số '{0}'."),
    (re.compile(r"Missing option '?([^'.]+)'?\."), "Thiếu tùy chọn '{0}'."),
    (re.compile(r"No such option:? '?([^'\s]+?)'?\.?(?: Did you mean '?([^'?]+)'?\?)?$"),
     "Không có tùy chọn {0}."),
    (re.compile(r"No such command '(.+)'\."), "Không có lệnh '{0}'."),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)"), "Thừa tham số: {0}."),
    (re.compile(r"Option '(.+)' requires an argument\."), "Tùy chọn {0} cần một giá trị."),
    (re.compile(r"Invalid value for '?([^':]+)'?: '(.*)' is not a valid integer\."),
     "Giá trị không hợp lệ cho '{0}': '{1}' không phải số nguyên."),
    (re.compile(r"Invalid value for '?([^':]+)'?: Directory '(.+)' is a file\."),
     "Giá trị không hợp lệ cho '{0}': '{1}' là một tệp, không phải thư mục."),
    (re.compile(r"Invalid value for '?([^':]+)'?: (.*)"), "Giá trị không hợp lệ cho '{0}': {1}"),
]  # fmt: skip


def _vi_usage(message: str) -> str:
    for pattern, template in _USAGE_MESSAGES:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return message


def _vi_error(exc: click.UsageError) -> str:
    # Click's did-you-mean names the real commands/options in `possibilities`; reading them
    # there, not back out of the English text, keeps the typo and the suggestion apart.
    possibilities = getattr(exc, "possibilities", None)
    if possibilities:
        return f"{_vi_usage(exc.message)} Có phải ý bạn là {' hoặc '.join(possibilities)}?"
    return _vi_usage(exc.format_message())


class _Command(click.Command):
    context_class = _Context


class _Group(click.Group):
    context_class = _Context
    command_class = _Command

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "hoso"
            click.echo(f"Lỗi: {_vi_error(exc)}", err=True)
            click.echo(f"Xem hướng dẫn: {command} --help", err=True)
            sys.exit(EXIT_USAGE)
        except click.Abort:
            # Ctrl+C (Click turns it into Abort): 130 as for any program a signal stopped,
            # never 1, which means the clerk's input is wrong.
            click.echo("Đã dừng.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            click.echo(f"Lỗi: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Đã dừng.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            # A bug of ours, not the user's data: say so plainly, with what to report.
            click.echo(
                f"Lỗi chương trình (không phải do số liệu của bạn): {type(exc).__name__}: {exc}",
                err=True,
            )
            click.echo(
                "Gợi ý: các tệp kết quả trước đó vẫn nguyên vẹn; gửi thông báo này cùng lệnh đã "
                "chạy cho người hỗ trợ kỹ thuật.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        sys.exit(result if isinstance(result, int) else 0)


class _DataHelp(click.Option):
    """An option whose help is read from the data files when it is shown, not at import."""

    def __init__(self, *args: Any, help_from: Callable[[], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_from = help_from

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = self.help_from()
        return super().get_help_record(ctx)


def _category_help() -> str:
    from pipeline.stages.init import category_help

    return (
        "Loại đơn vị theo Quyết định 06/QĐ-TTg, quyết định ngưỡng điểm công nhận: "
        f"{category_help()}. Khi loại đơn vị hành chính và tỉnh, thành phố đã quyết định loại "
        "này, hoso tự ghi kèm lý do; nếu không, phải chọn."
    )


def _help_option(f: F) -> F:
    return click.help_option("-h", "--help", help="Hiện hướng dẫn này rồi thoát.")(f)


def _run(action: Callable[[], Any], *, json_errors: bool = False) -> Any:
    """Call the library; turn its errors into messages and exit codes.

    With `json_errors`, an input error also prints its problems as JSON on stdout.
    """
    try:
        return action()
    except InputError as exc:
        if json_errors:
            click.echo(
                json.dumps([p.to_dict() for p in exc.problems], ensure_ascii=False, indent=2)
            )
        for problem in exc.problems:
            label = "Cảnh báo" if problem.severity == "canh-bao" else "Lỗi"
            click.echo(f"{label}: {problem}", err=True)
        errors = sum(1 for p in exc.problems if p.severity == "loi")
        if exc.written:
            click.echo(f"Có {errors} lỗi cần sửa; chưa ghi số liệu.", err=True)
            for path in exc.written:
                click.echo(f"Đã ghi bản đánh dấu lỗi: {path}", err=True)
        else:
            click.echo(f"Có {errors} lỗi cần sửa; chưa ghi tệp nào.", err=True)
        raise click.exceptions.Exit(exc.exit_code) from None
    except EnvironmentProblem as exc:
        click.echo(f"Lỗi: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"Gợi ý: {exc.hint}", err=True)
        raise click.exceptions.Exit(exc.exit_code) from None
    except HosoError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        raise click.exceptions.Exit(exc.exit_code) from None


def _tell(lines: list[Message]) -> None:
    """A stage's report, in the same words `hoso build` uses."""
    for line in lines:
        click.echo(line.text, err=line.to_stderr)


def _default_out(dossier: Path) -> Path:
    return output_folder(dossier)


def _dossier(dir: Path, out: Path | None = None, archive: Path = DEFAULT_ARCHIVE) -> Dossier:
    """The dossier a command works on, loaded once and handed to the library."""
    return Dossier(dir, out or _default_out(dir), archive=archive)


_DIR = click.Path(file_okay=False, path_type=Path)
_OUT_HELP = "Thư mục ghi kết quả (mặc định: outputs/<tên thư mục hồ sơ>/)."


@click.group(name="hoso", cls=_Group, context_settings={"max_content_width": 100})
@click.version_option(
    __version__, "-V", "--version", message="hoso %(version)s", help="Hiện phiên bản rồi thoát."
)
@_help_option
def cli() -> None:
    """hoso: lập hồ sơ đánh giá, công nhận xã, phường, thị trấn phù hợp với trẻ em
    (Quyết định 06/QĐ-TTg), văn bản đúng thể thức Nghị định 30/2020/NĐ-CP.

    Mỗi hồ sơ là một thư mục (một xã, phường hoặc đặc khu, một kỳ đánh giá) có tệp
    hoso.toml. Các bước:

    \b
      hoso init DIR      tạo hồ sơ, rồi điền hoso.toml
      hoso forms DIR     tạo biểu mẫu Excel gửi các thôn, tổ dân phố
      hoso ingest DIR    đọc, kiểm tra số liệu các thôn, tổ dân phố gửi về
      hoso score DIR     chấm điểm, lập biểu chấm điểm
      hoso render DIR    lập các văn bản Word
      hoso pdf DIR       lập bản PDF/A của các văn bản
      hoso build DIR     làm các bước trên khi có gì thay đổi (một hay nhiều hồ sơ)
      hoso ky DIR        ký số của người ký trên các bản PDF
      hoso issue DIR     phát hành: lưu một phiên bản, vào sổ đăng ký văn bản đi
      hoso diff DIR      xem thay đổi so với phiên bản đã phát hành
      hoso check TỆP     kiểm tra thể thức một văn bản Word bất kỳ
      hoso tong-hop DIR… tổng hợp kết quả nhiều hồ sơ cho cấp trên
      hoso web           làm cả hồ sơ trên trình duyệt
    """


@cli.command()
@click.argument("dir", type=_DIR)
@click.option(
    "--cap", default="xã", show_default=True, help="Loại đơn vị: xã, phường, thị trấn, đặc khu."
)
@click.option(
    "--cap-thon", default="", help="Cấp dưới: thôn, tổ dân phố, khu phố, ấp… (mặc định theo --cap)."
)
@click.option("--xa", default="", help='Tên đơn vị, không kèm loại, ví dụ "Bình Trung".')
@click.option("--tinh", default="", help="Tên tỉnh hoặc thành phố trực thuộc trung ương.")
@click.option(
    "--huyen",
    default="",
    help="Tên huyện (chỉ trước ngày 01/7/2025); quận, thị xã, thành phố thì ghi kèm loại, "
    'ví dụ "quận Cầu Giấy".',
)
@click.option("--nam", type=int, default=None, help="Năm đánh giá (mặc định: năm nay).")
@click.option(
    "--tu",
    "tu",
    multiple=True,
    type=_DIR,
    metavar="HỒ_SƠ_CŨ",
    help="Lập hồ sơ năm mới từ hồ sơ năm trước (đã chấm điểm); ghi nhiều lần khi hợp nhất.",
)
@click.option(
    "--ghep",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="BẢNG.xlsx",
    help="Bảng ghép cấp dưới cũ -> mới; chưa có thì hoso ghi bảng nháp để sửa.",
)
@click.option("--loai", default="", metavar="LOẠI", cls=_DataHelp, help_from=_category_help)
@_help_option
def init(
    *,
    dir: Path,
    cap: str,
    cap_thon: str,
    xa: str,
    tinh: str,
    huyen: str,
    nam: int | None,
    loai: str,
    tu: tuple[Path, ...],
    ghep: Path | None,
) -> None:
    """Tạo hồ sơ mới: thư mục DIR với tệp hoso.toml có ghi chú hướng dẫn từng mục.

    Các giá trị mặc định (nơi nhận, chức vụ, căn cứ pháp lý, ví dụ) theo loại đơn vị và luật
    của năm đánh giá. Không bao giờ ghi đè một hoso.toml đã có.

    Với --tu HỒ_SƠ_CŨ (một hoặc nhiều lần): hồ sơ năm mới giữ thông tin đơn vị, lãnh đạo,
    Hội đồng, nơi nhận của hồ sơ năm trước, bỏ trống số, ngày; số liệu kỳ trước được điền
    sẵn vào biểu khi chạy hoso forms (bảng DIR/nam-truoc.xlsx).
    """
    if tu:
        _init_from_last_year(dir, tu, ghep=ghep, cap=cap, cap_thon=cap_thon, xa=xa, tinh=tinh,
                             huyen=huyen, nam=nam)  # fmt: skip
        return
    from pipeline.stages.init import init_dossier

    year = nam or date.today().year
    path = _run(
        lambda: init_dossier(
            dir, xa=xa, huyen=huyen, tinh=tinh, nam=year, cap=cap, cap_thon=cap_thon, loai=loai
        )
    )
    click.echo(f"Đã tạo {path}")
    click.echo(f"Mở tệp này, điền các mục còn trống, rồi chạy: hoso forms {dir}")


def _init_from_last_year(
    folder: Path,
    last: tuple[Path, ...],
    *,
    ghep: Path | None,
    cap: str,
    cap_thon: str,
    xa: str,
    tinh: str,
    huyen: str,
    nam: int | None,
) -> None:
    from pipeline.stages.carry import new_year

    # --cap has a default for a new dossier; carried over, the old unit's kind is the default.
    typed = click.get_current_context().get_parameter_source("cap")
    level = "" if typed == click.core.ParameterSource.DEFAULT else cap
    result = _run(
        lambda: new_year(
            folder,
            [(d, _default_out(d)) for d in last],
            nam=nam,
            xa=xa,
            cap=level,
            cap_thon=cap_thon,
            tinh=tinh,
            huyen=huyen,
            mapping=ghep,
        )
    )
    if result.profile is None:
        click.echo(f"Đã ghi bảng ghép nháp {result.table}")
        click.echo("Mở bảng, ghi cột tên mới cho từng dòng, rồi chạy lại đúng lệnh này.")
    else:
        click.echo(f"Đã tạo {result.profile}")
        click.echo(f"Đã ghi bảng hồ sơ năm trước và bảng ghép {result.table}")
    for title, lines in (
        ("Đã thay đổi so với năm trước:", result.changed),
        ("Cần điền hoặc kiểm tra trong hoso.toml:", result.to_fill),
        ("Chưa ghép (số liệu kỳ trước chưa cộng vào đâu, sửa bảng ghép):", result.unmapped),
    ):
        if lines:
            click.echo(title)
            for line in lines:
                click.echo(f"  - {line}")
    if result.profile is not None:
        click.echo(
            f"Số liệu kỳ trước sẽ được điền sẵn ({result.prefilled} ô) khi chạy: "
            f"hoso forms {folder}"
        )


@cli.command()
@click.argument("dir", type=_DIR)
@click.option("--force", is_flag=True, help="Làm lại cả biểu đã có số liệu (tệp cũ được sao lưu).")
@_help_option
def forms(dir: Path, force: bool) -> None:
    """Tạo biểu mẫu Excel trống: DIR/thon/<tên>.xlsx cho mỗi thôn (tổ dân phố…) và DIR/xa.xlsx.

    Biểu có sẵn hướng dẫn, kiểm tra số liệu khi gõ và khóa các ô nhãn. Không ghi đè biểu
    đã có số liệu; với --force, biểu cũ được sao lưu thành <tên>.sao-luu-1.xlsx trước.
    """
    from pipeline.stages.forms import write_forms

    result = _run(lambda: write_forms(_dossier(dir), force=force))
    for item in result.written:
        click.echo(f"Đã ghi {item.path}")
        if item.backup:
            click.echo(f"  (bản cũ sao lưu ở {item.backup})")
    if result.prefilled:
        click.echo(f"Đã điền sẵn {result.prefilled} số liệu kỳ trước từ hồ sơ năm trước.")
    for line in result.unmapped:
        click.echo(f"Cảnh báo: chưa ghép, số liệu kỳ trước chưa cộng vào đâu: {line}", err=True)
    click.echo(
        f"Xong: {len(result.written)} biểu mẫu. Gửi các biểu trong thư mục thon/ cho các "
        f"{result.words.cap_thon}."
    )


@cli.command("ingest")
@click.argument("dir", type=_DIR)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả (hoặc danh sách lỗi) dạng JSON.")
@click.option(
    "--mark-errors",
    is_flag=True,
    help="Khi có lỗi, ghi bản sao <tên>.loi.xlsx cạnh mỗi biểu sai, ô sai tô đỏ, kèm ghi chú.",
)
@_help_option
def ingest_cmd(dir: Path, out: Path | None, as_json: bool, mark_errors: bool) -> None:
    """Đọc, kiểm tra số liệu cấp dưới (DIR/thon/) và cấp xã (DIR/xa.xlsx), ghi data.json.

    Nhận tệp .xlsx, .xls, .ods. Mọi lỗi được báo cùng lúc, mỗi lỗi ghi rõ tệp › trang › ô,
    sai gì và cách sửa; khi còn lỗi, data.json không được ghi.
    """
    from pipeline.model import dataset
    from pipeline.stages.ingest import ingest_to

    def progress(name: str) -> None:
        click.echo(f"Đọc {name}", err=as_json)

    result = _run(
        lambda: ingest_to(_dossier(dir, out), mark_errors=mark_errors, progress=progress),
        json_errors=as_json,
    )
    if as_json:
        for warning in result.warnings:
            click.echo(f"Cảnh báo: {warning}", err=True)
        click.echo(dataset.dumps(result.data).decode("utf-8"), nl=False)
        return
    _tell(ingest_report(result))


@cli.command("score")
@click.argument("dir", type=_DIR)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@click.option("--json", "as_json", is_flag=True, help="In kết quả chấm điểm dạng JSON.")
@_help_option
def score_cmd(dir: Path, out: Path | None, as_json: bool) -> None:
    """Chấm điểm hồ sơ DIR theo bộ tiêu chí: tổng điểm, ngưỡng, đạt hoặc chưa đạt.

    Đọc số liệu đã nhập (THƯ_MỤC/data.json, do hoso ingest ghi) và các điều chỉnh của
    Hội đồng ([[dieu_chinh]] trong hoso.toml); ghi scorecard.json và bieu-cham-diem.xlsx.
    """
    from pipeline.stages.score import score, to_json_text

    result = _run(lambda: score(_dossier(dir, out)), json_errors=as_json)
    if as_json:
        click.echo(to_json_text(result.scorecard))
        return
    _tell(score_report(result))


@cli.command("render")
@click.argument("dir", type=_DIR)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@_help_option
def render_cmd(dir: Path, out: Path | None) -> None:
    """Lập các văn bản Word (.docx) của hồ sơ DIR từ hoso.toml và các mẫu.

    Mẫu riêng của hồ sơ (DIR/templates/<tên tệp>.docx) được dùng thay mẫu có sẵn.
    Nếu có lỗi, không tệp nào bị ghi đè.
    """
    from pipeline.stages.render import render

    dossier = _dossier(dir, out)
    result = _run(lambda: render(dossier))
    _tell(render_report(result, dossier.out))


@cli.command("pdf")
@click.argument("dir", type=_DIR)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@_help_option
def pdf_cmd(dir: Path, out: Path | None) -> None:
    """Lập bản PDF/A (lưu trữ lâu dài) cạnh mỗi văn bản Word do hoso render lập, bằng LibreOffice.

    Cần LibreOffice; nếu hoso không tự tìm thấy, đặt biến môi trường HOSO_SOFFICE chỉ
    tới chương trình soffice. Nếu có lỗi, các tệp PDF cũ được giữ nguyên.
    """
    from pipeline.stages.pdf import pdf_dossier

    dossier = _dossier(dir, out)
    result = _run(lambda: pdf_dossier(dossier, progress=lambda p: click.echo(f"Chuyển {p.name}")))
    _tell(pdf_report(result, dossier.out))


@cli.command("ky")
@click.argument("dir", type=_DIR)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@_help_option
def ky_cmd(dir: Path, out: Path | None) -> None:
    """Ký số của người ký (Nghị định 30, Điều 5) trên các bản PDF của hồ sơ DIR.

    Mỗi văn bản: chữ ký số PAdES, ảnh chữ ký màu xanh đặt giữa chức vụ và họ tên người ký;
    biên bản: Thư ký và Chủ tọa, mỗi người ở chỗ ký của mình. Khóa, ảnh chữ ký ghi trong
    [ky_so] của hoso.toml (tệp .p12 hoặc USB token); mật khẩu, mã PIN được hỏi khi ký, không
    lưu ở đâu. Chữ ký số của cơ quan (ảnh dấu) được ký khi phát hành (hoso issue).
    """
    from pipeline.sign.dossier import sign_outputs

    dossier = _dossier(dir, out)
    target = dossier.out
    result = _run(lambda: sign_outputs(dossier, _ask_secret))
    for path in result.signed:
        click.echo(f"Đã ký {path}")
    for path in result.already:
        click.echo(f"Đã có chữ ký: {path}")
    click.echo(f"Xong: ký {len(result.signed)} tệp PDF trong {target}")


def _ask_secret(what: str) -> str:
    """A PIN or password typed without echo; kept in memory only."""
    return str(click.prompt(what, hide_input=True, err=True))


@cli.command("build")
@click.argument("dirs", nargs=-1, required=True, type=_DIR, metavar="DIR...")
@click.option(
    "--out",
    type=_DIR,
    default=None,
    metavar="THƯ_MỤC",
    help="Thư mục ghi kết quả (mặc định: outputs/<tên thư mục hồ sơ>/); nhiều hồ sơ: "
    "THƯ_MỤC/<tên thư mục hồ sơ>/.",
)
@click.option("--force", is_flag=True, help="Chạy lại mọi bước, kể cả khi không có gì thay đổi.")
@click.option("--dry-run", is_flag=True, help="Chỉ báo bước nào sẽ chạy và vì sao; không ghi gì.")
@click.option("--pdf", is_flag=True, help="Lập cả bản PDF/A của các văn bản (cần LibreOffice).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Số hồ sơ lập cùng lúc (mặc định: số nhân của máy).",
)
@_help_option
def build_cmd(
    *, dirs: tuple[Path, ...], out: Path | None, force: bool, dry_run: bool, pdf: bool,
    jobs: int | None,
) -> None:  # fmt: skip
    """Lập hồ sơ từ đầu đến cuối: ingest, score, render (và pdf với --pdf), chỉ chạy các
    bước có đầu vào đã đổi.

    DIR là một thư mục hồ sơ (có hoso.toml) hoặc thư mục chứa nhiều thư mục hồ sơ; nhiều
    hồ sơ được lập song song, mỗi hồ sơ xong in một dòng, cuối cùng in bảng kết quả. Hồ sơ
    lỗi không làm dừng các hồ sơ khác; có hồ sơ lỗi thì mã thoát là 1.
    """
    from pipeline.stages.build import Options
    from pipeline.stages.build import run as run_build

    options = Options(force=force, dry_run=dry_run, pdf=pdf)

    def echo(message: Message) -> None:
        click.echo(message.text, err=message.to_stderr)

    report = _run(lambda: run_build(dirs, out=out, default_out=_default_out, options=options,
                                    workers=jobs, echo=echo))  # fmt: skip
    raise click.exceptions.Exit(report.exit_code)


@cli.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="TỆP...")
@click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON.")
@_help_option
def check_cmd(files: tuple[Path, ...], as_json: bool) -> None:
    """Kiểm tra thể thức các văn bản Word (.docx) hoặc PDF theo Nghị định 30/2020/NĐ-CP; với
    tệp .pdf còn liệt kê các chữ ký số (người ký, cơ quan), vị trí của chúng.

    Dùng cho mọi tệp .docx, không riêng văn bản do hoso lập. Mỗi chỗ sai một dòng: mã quy
    tắc, vị trí (đoạn số và đầu đoạn), cần gì, đang là gì. Có lỗi thì mã thoát là 1. Với
    tệp PDF: khổ giấy, lề (đo theo vị trí chữ), phông nhúng, số trang, chuẩn PDF/A.
    """
    from pipeline.check.checker import check_files, report_lines
    from pipeline.sign.inspect import inspect_pdf

    report = check_files(files)
    # A PDF's layout is checked with the papers; its digital signatures are listed after.
    signed = [inspect_pdf(f) for f in files if f.suffix.lower() == ".pdf" and f.is_file()]
    if as_json:
        found = report.to_dict()
        if signed:
            found["chu_ky"] = [c.to_dict() for c in signed]
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    else:
        for line in report_lines(report):
            click.echo(line)
        for check in signed:
            for line in check.lines:
                click.echo(line)
    for problem in [*report.problems, *(p for c in signed for p in c.problems)]:
        click.echo(f"Lỗi: {problem}", err=True)
    failed = any(c.problems for c in signed)
    raise click.exceptions.Exit(max(report.exit_code, 1 if failed else 0))


_ARCHIVE = click.option(
    "--archive",
    type=_DIR,
    default=DEFAULT_ARCHIVE,
    envvar="HOSO_ARCHIVE",
    show_default=True,
    metavar="THƯ_MỤC",
    help="Thư mục lưu trữ các phiên bản và sổ đăng ký (hoặc biến môi trường HOSO_ARCHIVE).",
)


_REDLINE = click.option(
    "--redline",
    type=click.Choice(["redlines", "noi-bo"]),
    default=None,
    help="Bộ so sánh lập bản đánh dấu thay đổi: redlines (python-redlines) hoặc noi-bo (có sẵn); "
    "mặc định redlines nếu đã cài, hoặc theo biến môi trường HOSO_REDLINE.",
)


@cli.command("issue")
@click.argument("dir", type=_DIR)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@_ARCHIVE
@click.option("--reason", default="", metavar="LÝ_DO", help="Lý do phát hành (bắt buộc từ lần 2).")
@click.option(
    "--assign-numbers",
    is_flag=True,
    help="Lấy số tiếp theo trong sổ đăng ký và ghi vào văn bản (khi so trong hoso.toml để trống).",
)
@click.option(
    "--chap-nhan-sua-tay",
    "accept_hand_edits",
    is_flag=True,
    help="Phát hành cả văn bản đã sửa bằng Word sau khi hoso lập (sổ đăng ký ghi rõ).",
)
@_REDLINE
@_help_option
def issue_cmd(
    *, dir: Path, out: Path | None, archive: Path, reason: str, assign_numbers: bool,
    accept_hand_edits: bool, redline: str | None,
) -> None:  # fmt: skip
    """Phát hành: lưu kết quả hiện tại thành phiên bản mới (v1, v2…) trong thư mục lưu trữ.

    Lưu số liệu, bảng điểm, biểu chấm điểm, các văn bản Word và PDF kèm manifest.json (mã
    băm từng tệp), ghi từng văn bản vào sổ đăng ký văn bản đi. Phiên bản cũ được giữ nguyên,
    chỉ đọc. Từ phiên bản 2: cần --reason; mỗi văn bản thay đổi có bản Word đánh dấu thay
    đổi trong thư mục thay-doi/ kèm đoạn giải trình. Đã phát hành Biên bản thì số điểm Hội
    đồng đã biểu quyết chỉ đổi khi có cuộc họp mới (thời gian mới ở hop_hoi_dong.bat_dau).
    """
    from pipeline.archive.redliners import ChosenRedliner
    from pipeline.archive.versions import issue

    dossier = _dossier(dir, out, archive)
    result = _run(lambda: issue(dossier, reason=reason, assign_numbers=assign_numbers,
                                accept_hand_edits=accept_hand_edits,
                                redliner=ChosenRedliner(redline), ask=_ask_secret))  # fmt: skip
    for warning in result.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    for paper in result.papers:
        state = f" (không đổi, giữ từ phiên bản {paper.carried_from})" if paper.carried_from else ""
        click.echo(f"Số: {paper.number_symbol}  {paper.title}{state}")
    for path in result.redlines:
        click.echo(f"Bản đánh dấu thay đổi: {path}")
    if result.explanation:
        click.echo(f"Giải trình: {result.explanation}")
    click.echo(f"Xong: phiên bản {result.version} lưu tại {result.folder}")


@cli.command("history")
@click.argument("dir", type=_DIR)
@_ARCHIVE
@_help_option
def history_cmd(dir: Path, archive: Path) -> None:
    """Liệt kê các phiên bản đã phát hành của hồ sơ DIR: thời gian (giờ Việt Nam), người, lý
    do, kết quả."""
    from pipeline.archive.versions import history
    from pipeline.common.vnformat import vietnam_clock
    from pipeline.model.labels import stored_result

    versions = _run(lambda: history(_dossier(dir, archive=archive)))
    for info in versions:
        v = info.row
        verdict = stored_result(v.verdict or "")
        result = f"{v.total} điểm, {verdict}" if v.verdict else "chưa chấm điểm"
        when = vietnam_clock(v.issued_at)
        click.echo(f"v{v.version}  {when}  {v.user}  {result}  {v.reason or '(lần đầu)'}")
        click.echo("    " + ", ".join(p.number_symbol for p in info.papers))
    if not versions:
        click.echo("Hồ sơ chưa phát hành phiên bản nào.")


@cli.command("register")
@_ARCHIVE
@click.option("--year", type=click.IntRange(1, 9999), default=None, help="Chỉ năm này.")
@click.option(
    "--xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="TỆP",
    help="Ghi sổ ra tệp Excel (khổ A4 ngang) để in.",
)
@_help_option
def register_cmd(archive: Path, year: int | None, xlsx: Path | None) -> None:
    """In sổ đăng ký văn bản đi: số, ký hiệu, ngày, trích yếu, người ký, nơi nhận, lưu, ghi chú."""
    from pipeline.archive.register_xlsx import register_book

    lines = _run(lambda: register_book(archive, year, xlsx))
    for line in lines:
        click.echo(" | ".join(line))
    click.echo(f"Xong: {len(lines)} văn bản" + (f"; đã ghi {xlsx}" if xlsx else ""))


@cli.command("diff")
@click.argument("dir", type=_DIR)
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--out", type=_DIR, default=None, metavar="THƯ_MỤC", help=_OUT_HELP)
@_ARCHIVE
@click.option("--json", "as_json", is_flag=True, help="In kết quả so sánh dạng JSON.")
@click.option("--docx", "as_docx", is_flag=True, help="Ghi bản Word đánh dấu thay đổi (thay-doi/).")
@click.option(
    "--reason",
    default="",
    metavar="LÝ_DO",
    help="Lý do điều chỉnh ghi vào đoạn giải trình (mặc định: lý do phát hành phiên bản B).",
)
@_REDLINE
@_help_option
def diff_cmd(
    *,
    dir: Path, a: str | None, b: str | None, out: Path | None, archive: Path, as_json: bool,
    as_docx: bool, reason: str, redline: str | None,
) -> None:  # fmt: skip
    """So sánh hai phiên bản A, B (số phiên bản hoặc hien-tai; mặc định: phiên bản phát hành
    sau cùng với kết quả hiện tại): số liệu (ô nào), điểm, kết quả, từng đoạn văn bản đổi,
    rồi đoạn giải trình gửi cấp trên (lý do, số liệu, điểm, kết quả, văn bản thay thế).
    """
    from pipeline.archive.diff import diff_lines
    from pipeline.archive.redliners import ChosenRedliner
    from pipeline.archive.versions import diff_versions

    # The setting is read here (HOSO_REDLINE may be wrong) so that its notice can be printed.
    chosen = _run(lambda: ChosenRedliner(redline)) if as_docx else None
    result, written = _run(
        lambda: diff_versions(
            _dossier(dir, out, archive), a, b, docx=as_docx, redliner=chosen, reason=reason
        )
    )
    if chosen and chosen.notice:
        click.echo(f"Lưu ý: {chosen.notice}", err=True)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        return
    for line in diff_lines(result):
        click.echo(line)
    for path in written:
        click.echo(f"Đã ghi {path}")


@cli.command("verify")
@click.argument("archive", type=_DIR, required=False, default=DEFAULT_ARCHIVE)
@click.option("--json", "as_json", is_flag=True, help="In kết quả kiểm tra dạng JSON.")
@click.option(
    "--tin-cay",
    "trust",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="TỆP",
    help="Chứng thư gốc (.pem/.cer) của tổ chức chứng thực được tin cậy; lặp lại được.",
)
@_help_option
def verify_cmd(archive: Path, as_json: bool, trust: tuple[Path, ...]) -> None:
    """Kiểm tra thư mục lưu trữ (mặc định archive/): tính lại mã băm mọi tệp, báo tệp thiếu,
    tệp bị sửa, dòng sổ đăng ký không có tệp; kiểm tra mọi chữ ký số trên các bản PDF (còn
    nguyên vẹn, không bị sửa sau khi ký, ký sau khi có số; chứng thư theo --tin-cay). Có vấn
    đề thì mã thoát 1."""
    from pipeline.archive.versions import verify

    result = _run(lambda: verify(archive, list(trust)))
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    for problem in result.problems:
        click.echo(f"Lỗi: {problem}", err=True)
    click.echo(f"Đã kiểm tra {result.files} tệp của {result.versions} phiên bản, "
               f"{result.signatures} chữ ký số; {len(result.problems)} vấn đề.",
               err=as_json)  # fmt: skip
    if result.problems:
        raise click.exceptions.Exit(1)


@cli.command("web")
@click.argument("root", type=_DIR, required=False, default=Path())
@click.option("--port", type=int, default=None, help="Cổng (mặc định 8765, bận thì cổng kế tiếp).")
@click.option("--no-browser", is_flag=True, help="Không tự mở trình duyệt.")
@_ARCHIVE
@_help_option
def web_cmd(root: Path, port: int | None, no_browser: bool, archive: Path) -> None:
    """Mở trang làm hồ sơ trên trình duyệt (chỉ trên máy này): thông tin, biểu mẫu, số liệu,
    chấm điểm, điều chỉnh, văn bản. ROOT: thư mục chứa các hồ sơ (mặc định: thư mục hiện tại).
    """
    from pipeline.web.server import serve

    _run(lambda: serve(root, outputs=OUTPUTS, archive=archive, port=port,
                       open_browser=not no_browser, say=click.echo))  # fmt: skip


@cli.command("tong-hop")
@click.argument("dirs", nargs=-1, required=True, type=_DIR, metavar="DIR...")
@click.option(
    "--out", type=_DIR, required=True, metavar="THƯ_MỤC", help="Thư mục ghi bảng và báo cáo."
)
@click.option(
    "--from",
    "outputs",
    type=_DIR,
    default=OUTPUTS,
    show_default=True,
    metavar="THƯ_MỤC",
    help="Thư mục chứa kết quả các hồ sơ (THƯ_MỤC/<tên thư mục hồ sơ>/scorecard.json).",
)
@click.option(
    "--ho-so",
    "profile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="TỆP",
    help="Tệp tong-hop.toml: cơ quan ban hành, người ký, số, ngày, chỉ tiêu, kính gửi, nơi nhận.",
)
@click.option(
    "--danh-sach",
    "roster",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="TỆP",
    help='Tệp Excel danh sách các đơn vị của tỉnh (một cột "Đơn vị"): báo đơn vị chưa gửi.',
)
@click.option(
    "--nam-truoc",
    "previous",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="TỆP",
    help="Tệp tong-hop.xlsx của năm trước: so sánh từng đơn vị, từng tiêu chí.",
)
@click.option("--co-quan", default=None, help='Cơ quan ban hành, ví dụ "Sở Y tế".')
@click.option("--nguoi-ky", default=None, help="Họ và tên người ký.")
@click.option("--chuc-vu", default=None, help='Chức vụ người ký, ví dụ "Giám đốc".')
@_help_option
def tong_hop_cmd(
    *, dirs: tuple[Path, ...], out: Path, outputs: Path, profile: Path | None,
    roster: Path | None, previous: Path | None, co_quan: str | None, nguoi_ky: str | None,
    chuc_vu: str | None,
) -> None:  # fmt: skip
    """Tổng hợp kết quả các hồ sơ của một tỉnh, thành phố (hoặc huyện, trước 7/2025): ghi
    tong-hop.xlsx, báo cáo BC-tong-hop.docx (báo cáo và đề nghị công nhận) và dự thảo
    Quyết định công nhận QD-cong-nhan-du-thao.docx, đúng thể thức Nghị định 30.

    DIR là thư mục chứa các thư mục hồ sơ (như hoso build) hoặc từng thư mục hồ sơ. Hồ sơ
    chưa chấm điểm, đã thay đổi sau khi chấm điểm, hoặc trùng đơn vị được nêu trong báo
    cáo là chưa đủ điều kiện tổng hợp; hồ sơ của tỉnh khác hoặc năm khác bị từ chối.
    """
    from pipeline.stages.rollup import find_dossiers, load_issuer, roll_up

    def action() -> Any:
        issuer = load_issuer(profile, ten=co_quan, nguoi_ky=nguoi_ky, chuc_vu=chuc_vu)
        return roll_up(find_dossiers(dirs, outputs), out, issuer, roster=roster,
                       previous=previous)  # fmt: skip

    result = _run(action)
    summary = result.rollup
    line = (
        f"{summary.level}: {summary.evaluated} đơn vị đủ điều kiện tổng hợp, "
        f"{summary.recognized} đạt"
    )
    if summary.excluded:
        line += f"; {len(summary.excluded)} hồ sơ chưa đủ điều kiện tổng hợp"
    if summary.roster is not None:
        line += f"; {len(summary.not_submitted)}/{len(summary.roster)} đơn vị chưa gửi hồ sơ"
    click.echo(line + ".")
    for warning in result.warnings:
        click.echo(f"Lưu ý: {warning}", err=True)
    for path in result.written:
        click.echo(f"Đã ghi {path}")


@cli.group(cls=_Group)
@_help_option
def templates() -> None:
    """Mẫu văn bản Word: chép ra để sửa, kiểm tra trước khi lập văn bản.

    Các biến và bộ lọc dùng được trong mẫu: xem templates/README.md.
    """


@templates.command("export")
@click.argument("dir", type=_DIR)
@_help_option
def templates_export(dir: Path) -> None:
    """Chép các mẫu có sẵn vào DIR/templates/ để sửa bằng Word.

    Mẫu trong DIR/templates/ được dùng thay mẫu có sẵn cùng tên. Không ghi đè mẫu đã có.
    """
    from pipeline.papers.templating import export_templates

    written = _run(lambda: export_templates(dir))
    for path in written:
        click.echo(f"Đã chép {path}")


@templates.command("check")
@click.argument("dir", type=_DIR, required=False)
@_help_option
def templates_check(dir: Path | None) -> None:
    """Kiểm tra các mẫu (của hồ sơ DIR nếu có, hoặc mẫu có sẵn): lỗi cú pháp, biến không có.

    Mỗi lỗi ghi rõ tệp mẫu và thẻ bị sai.
    """
    from pipeline.papers.templating import check_templates

    checked = _run(lambda: check_templates(dir))
    for label in checked:
        click.echo(f"Đúng: {label}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="hoso")
