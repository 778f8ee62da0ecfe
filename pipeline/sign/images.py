"""The signature and seal images: checked before anything is signed.

Decree 30 (Appendix I, II.7.d and II.8.a): the signer's image is the handwritten signature
in blue, the agency's is its seal in red, both PNG with a transparent background. A seal
that is not red, or an image with a white box around it, would be signed into the paper
for good: refused here, with the key that names the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pipeline.common.errors import Problem

if TYPE_CHECKING:
    from PIL.Image import Image

Colour = Literal["xanh", "do"]
_COLOUR_NAMES = {"xanh": "xanh (màu mực ký)", "do": "đỏ (màu dấu)"}
# Share of pixels that must be see-through: the background around the strokes.
MIN_TRANSPARENT = 0.2
MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Checked:
    image: Image
    path: Path


def dominant(image: Image) -> tuple[float, float, float] | None:
    """The mean colour (0-255) of the ink: opaque pixels that are not white, grey or black
    (a background left in the image is judged by the transparency check). None: no ink."""
    rgba = image.convert("RGBA")
    rgba.thumbnail((256, 256))
    total = [0.0, 0.0, 0.0]
    count = 0
    raw = rgba.tobytes()
    for i in range(0, len(raw), 4):
        r, g, b, a = raw[i], raw[i + 1], raw[i + 2], raw[i + 3]
        if a >= 128 and max(r, g, b) - min(r, g, b) >= 40:
            total[0] += r
            total[1] += g
            total[2] += b
            count += 1
    if not count:
        return None
    return (total[0] / count, total[1] / count, total[2] / count)


def transparent_share(image: Image) -> float:
    """Share of the pixels more than half see-through (0 for an image without alpha)."""
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return 0.0
    alpha = image.convert("RGBA").getchannel("A")
    alpha.thumbnail((256, 256))
    values = alpha.tobytes()
    return sum(1 for a in values if a < 128) / max(len(values), 1)


def is_colour(rgb: tuple[float, float, float], colour: Colour) -> bool:
    r, g, b = rgb
    if colour == "do":
        return r >= 120 and r >= g + 50 and r >= b + 50
    return b >= 100 and b >= r + 30 and b >= g + 10


def check_image(
    path: Path, colour: Colour, *, file: str, key: str
) -> tuple[Checked | None, list[Problem]]:
    """The image at `path` if it is a transparent PNG of `colour`, with the problems found.

    `file` and `key` say where the path was written (hoso.toml › ky_so.…)."""
    from PIL import Image, UnidentifiedImageError

    if not path.is_file():
        return None, [
            Problem.of(
                "anh-ky-so",
                variant="khong-co",
                file=file,
                field=key,
                value=str(path),
                hint="ghi đúng đường dẫn (tính từ thư mục hồ sơ).",
            )
        ]
    try:
        with Image.open(path) as opened:
            opened.load()
            image = opened.copy()
            kind = opened.format
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None, [
            Problem.of(
                "anh-ky-so",
                variant="khong-doc-duoc",
                file=file,
                field=key,
                value=str(path),
                hint="dùng tệp ảnh PNG.",
            )
        ]
    problems: list[Problem] = []
    if kind != "PNG":
        problems.append(
            Problem.of(
                "anh-ky-so",
                variant="khong-phai-png",
                file=file,
                field=key,
                value=str(path),
                hint="lưu ảnh dạng PNG nền trong suốt.",
                kind=kind or "không rõ loại",
            )
        )
    if transparent_share(image) < MIN_TRANSPARENT:
        problems.append(
            Problem.of(
                "anh-ky-so",
                variant="nen",
                file=file,
                field=key,
                value=str(path),
                hint="xóa nền ảnh (nền trong suốt) rồi lưu lại dạng PNG.",
            )
        )
    rgb = dominant(image)
    if rgb is None or not is_colour(rgb, colour):
        shown = "không có nét nào" if rgb is None else "#" + "".join(f"{round(c):02x}" for c in rgb)
        problems.append(
            Problem.of(
                "anh-ky-so",
                variant="mau-sac",
                file=file,
                field=key,
                value=str(path),
                hint="Nghị định 30: chữ ký màu xanh, dấu màu đỏ; dùng đúng ảnh.",
                colour=_COLOUR_NAMES[colour],
                shown=shown,
            )
        )
    return (None if problems else Checked(image, path)), problems
