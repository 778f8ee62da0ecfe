"""An attachment in a separate file (Decree 30, Appendix I II.8.b): the score workbook as a
PDF/A-2b, for the agency's text-only signature at issue. LibreOffice Calc makes it, as the
pdf stage's Writer does the papers."""

from __future__ import annotations

from pathlib import Path

from pipeline.common.errors import EnvironmentProblem
from pipeline.files import scratch

# PDF/A-2b from Calc (the papers' filter is Writer's).
CALC_FILTER = 'pdf:calc_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
TIMEOUT = 180.0


def workbook_pdf(workbook: Path) -> bytes:
    """`workbook` (.xlsx) as PDF/A-2b bytes."""
    from pipeline.stages.pdf import INSTALL_HINT, _run, find_soffice

    soffice = find_soffice()
    # A per-run folder removed by the next run if this one is killed; LibreOffice in its own
    # process group, ended with hoso (pipeline.stages.pdf._run).
    with scratch.run_folder("hoso-phu-luc-", "để LibreOffice lập PDF của phụ lục") as work:
        command = [
            str(soffice),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--nologo", "--norestore", "--nodefault",
            "--convert-to", CALC_FILTER, "--outdir", str(work / "pdf"), str(workbook),
        ]  # fmt: skip
        try:
            finished = _run(command, TIMEOUT, lambda _: None, work=work, private=work)
        except OSError as exc:
            raise EnvironmentProblem(
                f"LibreOffice không chuyển được {workbook.name} sang PDF ({exc})", INSTALL_HINT
            ) from exc
        if not finished:
            raise EnvironmentProblem(
                f"LibreOffice không chuyển được {workbook.name} sang PDF "
                f"(chạy quá {TIMEOUT:.0f} giây)",
                "đóng các cửa sổ LibreOffice đang treo rồi phát hành lại.",
            )
        target = work / "pdf" / f"{workbook.stem}.pdf"
        data = target.read_bytes() if target.is_file() else b""
    if not data.startswith(b"%PDF-") or b"<pdfaid:part>2</pdfaid:part>" not in data:
        raise EnvironmentProblem(
            f"LibreOffice không lập được bản PDF/A của {workbook.name}",
            "đóng các cửa sổ LibreOffice đang treo rồi phát hành lại.",
        )
    return data
