"""PAdES signatures with the appearances of Decree 30, as incremental updates.

Every signature is ETSI.CAdES.detached over SHA-256, appended to the file: the signer's
signature stays valid after the agency signs. Three appearances (Appendix I):
- the signer's: the blue signature image in the gap between title and name (II.7.d);
- the agency's: the red seal image at its real size, over the left third of the signer's
  image (II.8.a);
- the agency's on an attachment or copy: no image, the text "number and symbol; time of
  signing" at the top right of page 1, Times New Roman (or its metric twin Liberation
  Serif) 10 pt, black (II.8.b, III.1.d).

PDF/A-2b: pyHanko appends itself to the document-info Producer but writes only its own name
into the XMP one, and PDF/A needs the two equal; the info Producer is set to pyHanko's name
before signing so both say the same.
"""

from __future__ import annotations

import functools
import io
import math
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pipeline.common.errors import EnvironmentProblem
from pipeline.sign.images import MM
from pipeline.sign.places import Place

if TYPE_CHECKING:
    from PIL.Image import Image
    from pyhanko.pdf_utils.font.api import FontEngineFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import Signer

VIETNAM = timezone(timedelta(hours=7), "ICT")
DEFAULT_SEAL_MM = 36.0
TEXT_SIZE = 10
# The text-only signature's distance from the page's top and right edges (in the margins).
TEXT_TOP_MM = 8.0
TEXT_RIGHT_MM = 15.0
# A seal over "about a third" of the signature: its right edge a third into the image.
SEAL_COVER = 1 / 3
SIGNER_FIELD = "NguoiKy"
AGENCY_FIELD = "CoQuan"


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def box(self) -> tuple[int, int, int, int]:
        return (
            math.floor(self.x0),
            math.floor(self.y0),
            math.ceil(self.x1),
            math.ceil(self.y1),
        )


def vietnam_time(moment: datetime | None = None) -> str:
    """ISO 8601 Vietnam time with a colon in the offset: 2026-03-15T09:30:12+07:00
    (strftime's %z would print +0700)."""
    when = (moment or datetime.now(VIETNAM)).astimezone(VIETNAM).replace(microsecond=0)
    return when.isoformat()


def fitted(place: Place, image: Image) -> Rect:
    """The image's rectangle: as large as the gap allows, aspect kept, centred in it."""
    scale = min(place.width / image.width, place.height / image.height)
    w, h = image.width * scale, image.height * scale
    cx, cy = (place.x0 + place.x1) / 2, (place.y0 + place.y1) / 2
    return Rect(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def seal_rect(signature: Rect, diameter_mm: float = DEFAULT_SEAL_MM) -> Rect:
    """The seal at its real size, its right edge a third into the signature, same middle."""
    d = diameter_mm * MM
    right = signature.x0 + signature.width * SEAL_COVER
    cy = (signature.y0 + signature.y1) / 2
    return Rect(right - d, cy - d / 2, right, cy + d / 2)


def _writer(data: bytes) -> IncrementalPdfFileWriter:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.metadata.model import VENDOR

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # PDF/A: document-info and XMP Producer must agree; pyHanko writes its name into XMP.
    info_ref = writer.trailer.raw_get("/Info") if "/Info" in writer.trailer else None
    if isinstance(info_ref, generic.IndirectObject):
        info = info_ref.get_object()
        assert isinstance(info, generic.DictionaryObject)
        info["/Producer"] = generic.TextStringObject(VENDOR)
        writer.mark_update(info_ref)
    return writer


def _sign(
    data: bytes,
    signer: Signer,
    field: str,
    *,
    page: int,
    rect: Rect | None,
    style: Any,
    text_params: dict[str, str] | None = None,
) -> bytes:
    from pyhanko.sign import fields, signers

    writer = _writer(data)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        subfilter=fields.SigSeedSubFilter.PADES,  # the default is adbe.pkcs7.detached
        md_algorithm="sha256",
    )
    spec = fields.SigFieldSpec(field, on_page=page, box=rect.box() if rect else None)
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=out, appearance_text_params=text_params)
    return out.getvalue()


def _image_style(image: Image) -> Any:
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.images import PdfImage
    from pyhanko.stamp import StaticStampStyle

    # pyHanko's stamps have a 3 pt border and 5 pt margins by default: the decree's
    # appearance is the image alone, filling its box.
    return StaticStampStyle(
        background=PdfImage(image.convert("RGBA")),
        border_width=0,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )


def sign_image(
    data: bytes, signer: Signer, field: str, *, page: int, rect: Rect, image: Image
) -> bytes:
    """`data` with a signature whose appearance is `image` filling `rect` on `page`."""
    return _sign(data, signer, field, page=page, rect=rect, style=_image_style(image))


def sign_invisible(data: bytes, signer: Signer, field: str) -> bytes:
    """`data` with a signature that has no appearance (a paper without a seal on paper)."""
    return _sign(data, signer, field, page=0, rect=None, style=None)


def sign_text(
    data: bytes, signer: Signer, field: str, number: str, when: datetime | None = None
) -> bytes:
    """`data` with the text-only agency signature at the top right of page 1:
    "<number and symbol>; <time of signing, ISO 8601 Vietnam time>"."""
    from pyhanko.pdf_utils import layout, text
    from pyhanko.stamp import TextStampStyle

    line = unicodedata.normalize("NFC", f"{number}; {vietnam_time(when)}")
    font = serif_font()
    width = font.width(line) + 2
    height = TEXT_SIZE * 1.6
    page_w, page_h = page_size(data)
    x1 = page_w - TEXT_RIGHT_MM * MM
    y1 = page_h - TEXT_TOP_MM * MM
    rect = Rect(x1 - width, y1 - height, x1, y1)
    flush = layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MAX,
        y_align=layout.AxisAlignment.ALIGN_MID,
        margins=layout.Margins.uniform(0),
        inner_content_scaling=layout.InnerScaling.NO_SCALING,
    )
    style = TextStampStyle(
        stamp_text="%(dong)s",
        border_width=0,
        text_box_style=text.TextBoxStyle(
            font=cast("FontEngineFactory", font),
            font_size=TEXT_SIZE,
            box_layout_rule=flush,
            text_color=(0, 0, 0),
        ),
        inner_content_layout=flush,
    )
    return _sign(data, signer, field, page=0, rect=rect, style=style, text_params={"dong": line})


def page_size(data: bytes, page: int = 0) -> tuple[float, float]:
    """Width and height in points of a page (its MediaBox, its own or inherited)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    ref, _resources = reader.find_page_for_modification(page)
    obj: Any = ref.get_object()
    while "/MediaBox" not in obj and "/Parent" in obj:
        obj = obj["/Parent"]
    x0, y0, x1, y1 = (float(v) for v in obj["/MediaBox"])
    return x1 - x0, y1 - y0


# --- the font of the text-only signature --------------------------------------------------------


class SerifFont:
    """Times New Roman, else Liberation Serif, rescaled to 1000 units per em.

    pyHanko's embedded-font text comes out letter-spaced about twice with fonts of 2048
    units per em (both of these): it assumes the PDF's 1000-unit glyph space.
    """

    def __init__(self, data: bytes) -> None:
        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        font = TTFont(io.BytesIO(data))
        if "FFTM" in font:
            del font["FFTM"]  # FontForge's timestamp: the subsetter would only warn about it
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        out = io.BytesIO()
        font.save(out)
        self.data = out.getvalue()
        self._cmap = font.getBestCmap()
        self._advances = {name: adv for name, (adv, _lsb) in font["hmtx"].metrics.items()}

    def width(self, line: str, size: float = TEXT_SIZE) -> float:
        """The line's width in points (no kerning: a little wide, never cut)."""
        units = sum(self._advances.get(self._cmap.get(ord(ch), ".notdef"), 500) for ch in line)
        return float(units * size / 1000)

    def create_font_engine(self, writer: Any, obj_stream: Any = None) -> Any:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulator

        if obj_stream is None and writer.stream_xrefs:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(
            writer=writer,
            font_handle=io.BytesIO(self.data),
            font_size=TEXT_SIZE,
            obj_stream=obj_stream,
        )


_FONT_FILES = (
    # Windows, macOS, then fontconfig's usual Linux homes.
    "C:/Windows/Fonts/times.ttf",
    "/Library/Fonts/Times New Roman.ttf",
    "/System/Library/Fonts/Supplemental/Times New Roman.ttf",
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)


def _font_file() -> Path | None:
    for name in _FONT_FILES:
        if Path(name).is_file():
            return Path(name)
    fc_match = shutil.which("fc-match")
    if fc_match and sys.platform != "win32":
        for family in ("Times New Roman:style=Regular", "Liberation Serif:style=Regular"):
            done = subprocess.run(
                [fc_match, "-f", "%{file}", family],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            path = Path(done.stdout.strip())
            if path.suffix.lower() == ".ttf" and path.is_file() and "erif" in path.name + family:
                return path
    return None


@functools.cache
def serif_font() -> SerifFont:
    path = _font_file()
    if path is None:
        raise EnvironmentProblem(
            "Không tìm thấy phông Times New Roman hay Liberation Serif để ghi chữ ký số của "
            "cơ quan trên phụ lục",
            "cài phông Times New Roman, hoặc gói fonts-liberation2 "
            "(`sudo apt install fonts-liberation2`), rồi chạy lại.",
        )
    return SerifFont(path.read_bytes())
