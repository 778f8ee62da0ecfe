"""`hoso pdf`: every paper of a dossier also as PDF/A-2b, through LibreOffice headless.

All papers of a dossier go through ONE soffice call (its start-up costs more than the
conversions), with a private LibreOffice profile so that parallel runs, or a LibreOffice
window the clerk has open, never hand the work to another instance. Each call has a
timeout; documents whose PDF is missing or broken get one retry with a fresh profile.
PDFs replace the previous ones only when all of them are good.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.files import scratch
from pipeline.files.outputset import Folder, locked
from pipeline.model.documents import catalogue
from pipeline.model.dossier import Dossier
from pipeline.stages import freshness

# The environment variable naming the LibreOffice program, for installs hoso cannot find.
SOFFICE_SETTING = "HOSO_SOFFICE"

# PDF/A-2b (SelectPdfVersion=2). The JSON form of filter options needs LibreOffice 7.4+;
# an older one ignores it silently, which `_check_pdf` catches through the PDF/A marker.
PDF_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'

# Seconds: LibreOffice's start (slow on a cold laptop) plus each document.
START_TIMEOUT = 120.0
PER_DOCUMENT_TIMEOUT = 30.0

INSTALL_HINT = (
    "cài LibreOffice (https://vi.libreoffice.org/download/; Debian/Ubuntu: "
    "`sudo apt install libreoffice-writer`), hoặc đặt biến môi trường "
    f"{SOFFICE_SETTING} chỉ tới chương trình soffice (ví dụ "
    r"C:\Program Files\LibreOffice\program\soffice.exe)."
)

_CONVERT_LINE = re.compile(r"^convert (.+?) -> (.+?) using filter")
_PDFA_MARK = re.compile(
    rb"<pdfaid:part>2</pdfaid:part>\s*<pdfaid:conformance>B</pdfaid:conformance>"
)


@dataclass(frozen=True)
class PdfResult:
    written: list[Path]
    removed: list[Path]  # PDFs of papers that render no longer writes (a request now "không đạt")
    notice: str | None  # said once per run: the font that stands in for Times New Roman


def candidates(environ: Mapping[str, str], platform: str) -> list[Path]:
    """Where LibreOffice is usually installed when it is not on PATH."""
    if platform == "win32":
        roots = [environ.get(k) for k in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        found = [Path(r) / "LibreOffice" / "program" / "soffice.exe" for r in roots if r]
        return found or [Path(r"C:\Program Files\LibreOffice\program\soffice.exe")]
    if platform == "darwin":
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    # LibreOffice's own Linux packages install into /opt/libreoffice<version>/ and put only
    # a versioned command (libreoffice7.6) on PATH.
    return sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)


def find_soffice(environ: Mapping[str, str] | None = None, platform: str = sys.platform) -> Path:
    """The LibreOffice program: the setting, else PATH, else the usual install folders."""
    env = os.environ if environ is None else environ
    named = env.get(SOFFICE_SETTING, "").strip()
    if named:
        path = Path(named).expanduser()
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise EnvironmentProblem(
            f"Biến môi trường {SOFFICE_SETTING} chỉ tới {named}, nhưng ở đó không có "
            "chương trình LibreOffice chạy được",
            f"sửa {SOFFICE_SETTING} cho đúng đường dẫn tới soffice, hoặc xóa biến này để hoso "
            "tự tìm; chưa có LibreOffice thì " + INSTALL_HINT,
        )
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name, path=env.get("PATH"))
        if found:
            return Path(found)
    for path in candidates(env, platform):
        if path.is_file():
            return path
    raise EnvironmentProblem(
        "Không tìm thấy LibreOffice, chương trình hoso dùng để lập bản PDF", INSTALL_HINT
    )


def _has_font(family: str) -> bool | None:
    """Whether fontconfig knows `family`; None where there is no fontconfig to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        done = subprocess.run(
            [fc_list, f":family={family}", "family"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(done.stdout.strip())


def font_notice() -> str | None:
    """The notice to give when Liberation Serif stands in for Times New Roman, else None.

    Windows and macOS ship Times New Roman (and no fontconfig): no notice there.
    """
    if _has_font("Times New Roman") is not False:
        return None
    if _has_font("Liberation Serif"):
        return (
            "Máy này không có phông Times New Roman; bản PDF dùng phông Liberation Serif, "
            "cùng kích thước từng chữ nên văn bản xuống dòng, sang trang như trong Word. "
            "Muốn PDF đúng phông Times New Roman: cài phông này rồi chạy lại."
        )
    raise EnvironmentProblem(
        "Máy này không có phông Times New Roman, cũng không có phông thay thế Liberation Serif "
        "cùng kích thước chữ: bản PDF sẽ sai thể thức",
        "cài phông Times New Roman, hoặc gói fonts-liberation2 "
        "(`sudo apt install fonts-liberation2`), rồi chạy lại.",
    )


def _check_pdf(data: bytes) -> str | None:
    """What is wrong with a converted file (Vietnamese), or None for a whole PDF/A-2b."""
    if not data:
        return "tệp PDF rỗng"
    if not data.startswith(b"%PDF-") or not data.rstrip().endswith(b"%%EOF"):
        return "tệp PDF không trọn vẹn"
    if not _PDFA_MARK.search(data):
        return "không phải PDF/A-2b (LibreOffice cần phiên bản 7.4 trở lên)"
    return None


def _no_pdf(output: Sequence[str]) -> str:
    # LibreOffice says why on its output ("Error: source file could not be loaded"); its
    # progress lines and start-up warnings say nothing about it.
    said = [line for line in output if line.strip() and not _CONVERT_LINE.match(line)]
    said = [line for line in said if not line.startswith("Warning:")]
    return "LibreOffice không ghi tệp PDF" + (f" ({said[-1].strip()[:200]})" if said else "")


def _kill(proc: subprocess.Popen[str]) -> None:
    # soffice is a launcher: the real work runs in a child, so the whole group must go.
    if sys.platform == "win32":
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False
        )
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.kill()


# Started beside LibreOffice on POSIX: it reads a pipe only hoso holds open, so whenever hoso
# ends (finished, Ctrl+C, or killed outright) it ends LibreOffice's process group and removes
# the private folder, which a killed hoso could not do itself.
_WATCHDOG = r"""
import os, shutil, signal, sys
if sys.stdin.buffer.read():
    sys.exit()  # hoso said it is done: LibreOffice has ended, the folder is hoso's to remove
try:
    os.killpg(int(sys.argv[1]), signal.SIGKILL)
except OSError:
    pass
shutil.rmtree(sys.argv[2], ignore_errors=True)
"""


def _watch(proc: subprocess.Popen[str], work: Path) -> Callable[[], None]:
    """A watchdog for LibreOffice's group (see _WATCHDOG); the function returned tells it
    hoso is done (a group id may be reused once LibreOffice has ended: never killed then)."""
    if sys.platform == "win32":
        return lambda: None
    read, write = os.pipe()
    try:
        watchdog = subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(proc.pid), str(work)],
            stdin=read,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl+C to hoso's group must not stop it first
        )
    except OSError:
        os.close(write)
        return lambda: None
    finally:
        os.close(read)

    def release() -> None:
        with contextlib.suppress(OSError):
            os.write(write, b"x")
        os.close(write)
        try:
            watchdog.wait(30)  # it only reads the byte and ends
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait()

    return release


def _run(
    command: list[str],
    timeout: float,
    on_line: Callable[[str], None],
    work: Path | None = None,
    private: Path | None = None,
) -> bool:
    """Run LibreOffice, passing each output line on; False when it overran `timeout`.
    `work`: its temporary folder (for its lu*.tmp files too); `private`: the folder the
    watchdog removes if hoso is killed."""
    windows = sys.platform == "win32"
    env = dict(os.environ)
    if work is not None:
        env.update(TMPDIR=str(work), TMP=str(work), TEMP=str(work))
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        # Its own process group, so that a timeout can end LibreOffice's children too.
        start_new_session=not windows,
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if windows else 0,
        preexec_fn=scratch.die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
    )
    release = _watch(proc, private) if private is not None else (lambda: None)

    def read() -> None:
        assert proc.stdout is not None
        with contextlib.suppress(ValueError, OSError):  # the pipe closed under us
            for line in proc.stdout:
                on_line(line.rstrip("\r\n"))

    with proc:
        try:
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            try:
                proc.wait(timeout)
                finished = True
            except subprocess.TimeoutExpired:
                _kill(proc)
                proc.wait()
                finished = False
            except BaseException:  # Ctrl+C: LibreOffice goes with us
                _kill(proc)
                raise
            reader.join(5)
            if reader.is_alive():
                # Something LibreOffice started outlived it and holds its output open.
                _kill(proc)
                reader.join(5)
        finally:
            release()
    return finished


def _command(soffice: Path, work: Path, outdir: Path, pending: Sequence[Path]) -> list[str]:
    return [
        str(soffice),
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless", "--nologo", "--norestore", "--nodefault",
        "--convert-to", PDF_FILTER, "--outdir", str(outdir),
        *[str(p) for p in pending],
    ]  # fmt: skip


def convert(
    sources: Sequence[Path],
    *,
    soffice: Path,
    timeout: float | None = None,
    progress: Callable[[Path], None] | None = None,
) -> dict[Path, bytes]:
    """Each .docx of `sources` as PDF/A-2b bytes, in one LibreOffice call (and one retry
    for what failed). Raises EnvironmentProblem naming every document still failing."""
    results: dict[Path, bytes] = {}
    failures: dict[Path, str] = {}
    pending = [p.resolve() for p in sources]
    waited = 0.0  # seconds spent in calls that overran, all attempts together
    # One private folder per run, removed by the next run if this one is killed.
    with scratch.run_folder(_PRIVATE_PREFIX, _PURPOSE, _KEPT) as tmp:
        for attempt in (1, 2):
            if not pending:
                break
            work = Path(tmp) / f"lan-{attempt}"
            outdir = work / "pdf"
            try:
                outdir.mkdir(parents=True)
            except OSError as exc:
                raise scratch.temporary_problem(exc, _PURPOSE, _KEPT) from exc
            limit = timeout or START_TIMEOUT + PER_DOCUMENT_TIMEOUT * len(pending)
            command = _command(soffice, work, outdir, pending)
            output: list[str] = []

            def on_line(line: str, output: list[str] = output) -> None:
                output.append(line)
                match = _CONVERT_LINE.match(line)
                if match and progress is not None:
                    progress(Path(match.group(1)))

            started = time.monotonic()
            try:
                finished = _run(command, limit, on_line, work=work, private=Path(tmp))
            except OSError as exc:
                raise EnvironmentProblem(
                    f"Không chạy được LibreOffice ({soffice}): {exc.strerror or exc}",
                    INSTALL_HINT,
                ) from exc
            if not finished:
                waited += time.monotonic() - started
            still: list[Path] = []
            for source in pending:
                target = outdir / f"{source.stem}.pdf"
                data = target.read_bytes() if target.is_file() else None
                # A PDF finished before a hang is as good as any: only the rest is retried.
                fault = _check_pdf(data) if data is not None else _no_pdf(output)
                if fault is None:
                    results[source] = data or b""
                    failures.pop(source, None)
                    continue
                failures[source] = fault if finished else f"LibreOffice chạy quá {limit:.0f} giây"
                still.append(source)
            pending = still
    if failures:
        raise _failed(failures, waited)
    return results


def _failed(failures: dict[Path, str], waited: float) -> EnvironmentProblem:
    # One reason usually stops the whole call: say it once, after the documents it hit.
    reasons: dict[str, list[str]] = {}
    for source, why in failures.items():
        reasons.setdefault(why, []).append(source.name)
    names = "; ".join(f"{', '.join(files)}: {why}" for why, files in reasons.items())
    # The real wait, both attempts together (each overran its own limit).
    total = f"; đã chờ tổng cộng {waited:.0f} giây" if waited else ""
    return EnvironmentProblem(
        f"LibreOffice không chuyển được sang PDF (đã thử hai lần{total}): {names}"
        + _temporary_space(),
        "đóng các cửa sổ LibreOffice đang treo rồi chạy lại; mở thử tệp .docx bằng "
        "LibreOffice xem có mở được không. Các tệp PDF cũ vẫn giữ nguyên.",
    )


_PRIVATE_PREFIX = "hoso-pdf-"
_PURPOSE = "để LibreOffice lập PDF"
_KEPT = "Các tệp PDF cũ vẫn giữ nguyên."
# Below this, a failed conversion is most likely the temporary folder filling up.
_LOW_SPACE = 64 * 1024 * 1024


def _temporary_space() -> str:
    where = tempfile.gettempdir()
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return ""
    if free >= _LOW_SPACE:
        return ""
    return f". Thư mục tạm {where} gần đầy (còn {free // (1024 * 1024)} MB): có thể vì vậy"


def papers_in(out: Path) -> list[Path]:
    """The dossier's papers present in `out`, in the catalogue's order."""
    return [out / doc.file for doc in catalogue().values() if (out / doc.file).is_file()]


def _stale(out: Path, papers: Iterable[Path]) -> list[Path]:
    have = {p.name for p in papers}
    pdfs = (out / Path(doc.file).with_suffix(".pdf").name for doc in catalogue().values())
    return [p for p in pdfs if p.with_suffix(".docx").name not in have and p.exists()]


def pdf_dossier(
    dossier: Dossier,
    *,
    timeout: float | None = None,
    progress: Callable[[Path], None] | None = None,
) -> PdfResult:
    """Write `<paper>.pdf` beside every paper `hoso render` put in the output folder, all or
    nothing.

    `progress` is called with each .docx as LibreOffice starts on it.
    """
    freshness.check_out(dossier)
    unfinished = freshness.incomplete_problems(dossier)
    if unfinished:
        raise InputError(unfinished)
    # Under the folder's lock: render cannot replace a paper while it is being converted.
    with locked(dossier.out) as folder:
        return _pdf_locked(dossier, folder, timeout=timeout, progress=progress)


def _pdf_locked(
    dossier: Dossier,
    folder: Folder,
    *,
    timeout: float | None,
    progress: Callable[[Path], None] | None,
) -> PdfResult:
    out = dossier.out
    papers = papers_in(out)
    if not papers:
        raise InputError([Problem.of("chua-co-van-ban", file=str(out), dossier=dossier.folder)])
    soffice = find_soffice()
    notice = font_notice()
    # As render refuses a scorecard older than the workbooks, no PDF is made of a paper
    # older than the dossier: a PDF would carry figures the workbooks no longer give.
    problems = freshness.paper_problems(dossier)
    if problems:
        raise InputError(problems)
    # Fingerprinted before LibreOffice reads them: a paper edited meanwhile looks stale.
    made_from = {paper.name: dossier.sha(paper.name) or "" for paper in papers}
    converted = convert(papers, soffice=soffice, timeout=timeout, progress=progress)
    by_name = {source.name: data for source, data in converted.items()}
    files = [(paper.with_suffix(".pdf").name, by_name[paper.name]) for paper in papers]
    record = {
        pdf: freshness.PaperRecord(freshness.sha256(data), {paper.name: made_from[paper.name]})
        for (pdf, data), paper in zip(files, papers, strict=True)
    }
    stale = _stale(out, papers)
    # The PDFs replace the previous ones as one set, a PDF without its paper going with them,
    # and pdfs.json says what each was made from (`hoso build --pdf` skips current ones).
    manifest = (freshness.PDFS_NAME, freshness.pdfs_json(__version__, record))
    removed = [p.name for p in stale]
    folder.publish([*files, manifest], remove=removed)
    dossier.wrote([*files, manifest], removed=removed)
    return PdfResult([out / name for name, _ in files], stale, notice)
