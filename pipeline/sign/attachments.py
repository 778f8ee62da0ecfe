"""An attachment in a separate file (Decree 30, Appendix I II.8.b): the score workbook as a
PDF/A-2b, for the agency's text-only signature at issue. LibreOffice Calc makes it, as the
pdf stage's Writer does the papers."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from pipeline.common.errors import EnvironmentProblem

# PDF/A-2b from Calc (the papers' filter is Writer's).
CALC_FILTER = 'pdf:calc_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
TIMEOUT = 180.0


def workbook_pdf(workbook: Path) -> bytes:
    """`workbook` (.xlsx) as PDF/A-2b bytes."""
    from pipeline.stages.pdf import INSTALL_HINT, find_soffice

    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="hoso-phu-luc-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        command = [
            str(soffice),
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--nologo", "--norestore", "--nodefault",
            "--convert-to", CALC_FILTER, "--outdir", str(work / "pdf"), str(workbook),
        ]  # fmt: skip
        try:
            subprocess.run(
                command, capture_output=True, timeout=TIMEOUT, check=False,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EnvironmentProblem(
                f"LibreOffice không chuyển được {workbook.name} sang PDF ({exc})", INSTALL_HINT
            ) from exc
        target = work / "pdf" / f"{workbook.stem}.pdf"
        data = target.read_bytes() if target.is_file() else b""
    if not data.startswith(b"%PDF-") or b"<pdfaid:part>2</pdfaid:part>" not in data:
        raise EnvironmentProblem(
            f"LibreOffice không lập được bản PDF/A của {workbook.name}",
            "đóng các cửa sổ LibreOffice đang treo rồi phát hành lại.",
        )
    return data
