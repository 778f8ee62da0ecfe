"""Sample signing keys and images for the demo ward (`make demo`): labelled MẪU everywhere.

Writes into DIR (default inputs/le-chan-2026/ky-so-mau/): a sample CA, one PKCS#12 file
per signer and one for the agency, their certificates' subjects starting with
"MẪU — không có giá trị pháp lý", a blue scribble per signer and a red sample seal: a ring
with the word MẪU and no unit's name, star or emblem, so that it can never pass for a real
seal. The password of the sample files is the profile's `mat_khau_mau` (sample data, as the
names are). Nothing here has any legal value; real keys come from a licensed CA, on a
token or in a .p12 file whose password hoso asks for.

Existing files are kept while their certificates are valid for 30 more days.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "inputs" / "le-chan-2026" / "ky-so-mau"
LABEL = "MẪU — không có giá trị pháp lý"
PASSWORD = "mau-khong-co-gia-tri"
# File name -> the holder named in the certificate (the demo ward's sample names).
HOLDERS = {
    "chu-tich": "Phạm Văn Thắng",
    "pho-chu-tich": "Nguyễn Thị Hạnh",
    "thu-ky": "Trần Thu Trang",
    "co-quan": "UBND phường Lê Chân (mẫu)",
}
BLUE = (20, 50, 185, 255)
RED = (215, 25, 35, 255)
_FONT = "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"


def _name(holder: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, LABEL),
            x509.NameAttribute(NameOID.COMMON_NAME, f"MẪU: {holder}"),
        ]
    )


def _still_good(folder: Path) -> bool:
    ca = folder / "ca-mau.pem"
    if not ca.is_file() or not all((folder / f"{n}.p12").is_file() for n in HOLDERS):
        return False
    cert = x509.load_pem_x509_certificate(ca.read_bytes())
    return cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=30)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(_FONT, size)
    except OSError:
        return ImageFont.load_default(size)


def make(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("CA mẫu")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    (folder / "ca-mau.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for file, holder in HOLDERS.items():
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(holder))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3 * 365 - 2))
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                critical=True,
            )
            .sign(ca_key, hashes.SHA256())
        )
        data = pkcs12.serialize_key_and_certificates(
            file.encode(), key, cert, [ca], serialization.BestAvailableEncryption(PASSWORD.encode())
        )
        (folder / f"{file}.p12").write_bytes(data)
        if file != "co-quan":
            _signature(folder / f"chu-ky-{file}.png", seed=len(holder))
    _seal(folder / "dau-mau.png")
    (folder / "DOC-TRUOC.txt").write_text(
        f"{LABEL}.\nCác tệp trong thư mục này là khóa, chứng thư và ảnh MẪU để chạy thử hoso; "
        f"mật khẩu mẫu: {PASSWORD}.\nKhông dùng để ký văn bản thật.\n",
        encoding="utf-8",
    )


def _signature(path: Path, seed: int) -> None:
    """A blue scribble with the word MẪU under it (600 x 240 px, transparent)."""
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [
        (30, 150),
        (110, 50 + seed),
        (170, 170),
        (260, 60),
        (330, 150 - seed),
        (440, 70),
        (560, 120),
    ]
    draw.line(points, fill=BLUE, width=9, joint="curve")
    draw.text((300, 215), "MẪU", fill=BLUE, font=_font(30), anchor="mm")
    image.save(path)


def _seal(path: Path) -> None:
    """A red sample ring: "MẪU" and "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ", nothing of a real seal."""
    size = 425
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([8, 8, size - 8, size - 8], outline=RED, width=14)
    draw.text((size / 2, size / 2 - 30), "MẪU", fill=RED, font=_font(110), anchor="mm")
    draw.text((size / 2, size / 2 + 55), "KHÔNG CÓ GIÁ TRỊ", fill=RED, font=_font(30), anchor="mm")
    draw.text((size / 2, size / 2 + 92), "PHÁP LÝ", fill=RED, font=_font(30), anchor="mm")
    image.save(path)


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if _still_good(folder):
        print(f"Khóa mẫu còn dùng được: {folder}")
        return 0
    make(folder)
    print(f"Đã tạo khóa, chứng thư và ảnh MẪU (không có giá trị pháp lý) trong {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
