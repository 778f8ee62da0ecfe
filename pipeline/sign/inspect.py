"""`hoso check FILE.pdf`: the signatures a PDF carries (signer, agency), their positions
against Decree 30's rules, and whether the file claims PDF/A."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.common.errors import Problem
from pipeline.sign import places, signing
from pipeline.sign.dossier import signed_fields
from pipeline.sign.images import MM
from pipeline.sign.verify import SignatureReport, check_pdf

# The text-only signature sits in the top right corner: within this distance of both edges.
CORNER_MM = 40.0


@dataclass
class PdfCheck:
    path: Path
    pdfa: str | None = None  # "2B" when the XMP claims PDF/A-2b
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "pdfa": self.pdfa,
            "lines": self.lines,
            "problems": [p.to_dict() for p in self.problems],
        }


def _pdfa(data: bytes) -> str | None:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    meta = reader.root.get("/Metadata")
    xmp = meta.get_object().data.decode("utf-8", "replace") if meta is not None else ""
    part = re.search(r'pdfaid:part(?:="|>)(\d)', xmp)
    level = re.search(r'pdfaid:conformance(?:="|>)([A-Za-z])', xmp)
    return f"{part.group(1)}{level.group(1).upper()}" if part and level else None


def _between(
    pages: list[list[places.Line]], page: int, rect: tuple[float, float, float, float]
) -> str | None:
    """The title line above and the name line below a signature image, if it sits
    between two lines of the same column; their texts joined, else None."""
    x0, y0, x1, y1 = rect
    centre = (x0 + x1) / 2
    column = [ln for ln in pages[page] if ln.x0 - 5 <= centre <= ln.x1 + 5]
    above = [ln for ln in column if ln.y0 >= (y0 + y1) / 2]
    below = [ln for ln in column if ln.y1 <= (y0 + y1) / 2]
    if not above or not below:
        return None
    title, name = min(above, key=lambda ln: ln.y0), max(below, key=lambda ln: ln.y1)
    # The title lines are in capitals (CHỦ TỊCH, KT. CHỦ TỊCH…), the name is not.
    if title.text != title.text.upper() or name.text == name.text.upper():
        return None
    return f"giữa {title.text} và {name.text}"


def inspect_pdf(path: Path) -> PdfCheck:
    result = PdfCheck(path)
    file = str(path)
    try:
        data = path.read_bytes()
        reports = check_pdf(data, [])
        fields = signed_fields(data)
        result.pdfa = _pdfa(data)
    except Exception as exc:  # a file that is not a readable PDF
        result.problems.append(
            Problem.of("pdf-hong", file=file, hint=None, error=type(exc).__name__)
        )
        return result
    result.lines.append(
        f"{path.name}: PDF/A-{result.pdfa}" if result.pdfa else f"{path.name}: không khai báo PDF/A"
    )
    if not reports:
        result.lines.append(f"{path.name}: chưa có chữ ký số")
        return result
    pages = places.text_lines(data)
    signer_rects = [
        fields[r.field][1] for r in reports if r.role == "nguoi-ky" and r.field in fields
    ]
    for report in reports:
        state = "hợp lệ" if report.ok else "KHÔNG hợp lệ"
        kind = {"nguoi-ky": "người ký", "co-quan": "cơ quan"}.get(report.role, "khác")
        where = _position(report, fields, pages, signer_rects, data)
        result.lines.append(f"{path.name}: chữ ký số {kind} ({report.signer}): {state}; {where}")
        if not report.ok:
            result.problems.append(
                Problem.of(
                    "chu-ky-sai",
                    variant="khong-hop-le",
                    file=file,
                    hint=None,
                    signature=report.field,
                    signer=report.signer,
                )
            )
        if where.startswith("sai chỗ"):
            result.problems.append(
                Problem.of("chu-ky-sai-cho", file=file, signature=report.field, where=where)
            )
    return result


def _position(
    report: SignatureReport,
    fields: dict[str, tuple[int, tuple[float, float, float, float]]],
    pages: list[list[places.Line]],
    signer_rects: list[tuple[float, float, float, float]],
    data: bytes,
) -> str:
    page, rect = fields.get(report.field, (0, (0.0, 0.0, 0.0, 0.0)))
    x0, y0, x1, y1 = rect
    if x1 - x0 <= 0 or y1 - y0 <= 0:
        return "không có hình ảnh"
    if report.role == "nguoi-ky":
        between = _between(pages, page, rect)
        return (
            f"ảnh chữ ký {between}"
            if between
            else "sai chỗ: ảnh chữ ký không nằm giữa chức vụ và họ tên"
        )
    if report.role == "co-quan":
        for sx0, sy0, sx1, sy1 in signer_rects:
            third = sx0 + (sx1 - sx0) * signing.SEAL_COVER
            overlaps = y0 < sy1 and y1 > sy0
            if overlaps and x0 < sx0 and abs(x1 - third) <= (sx1 - sx0) * 0.15:
                return f"ảnh dấu {(x1 - x0) / MM:.0f} mm đè 1/3 ảnh chữ ký bên trái"
        width, height = signing.page_size(data, page)
        corner = CORNER_MM * MM
        if page == 0 and x1 >= width - corner and y1 >= height - corner:
            return "dòng chữ ở góc trên bên phải trang đầu"
        return "sai chỗ: ảnh dấu không đè 1/3 ảnh chữ ký bên trái"
    return "không rõ vị trí"
