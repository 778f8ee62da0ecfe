"""Test keys and images for the signature tests: a CA made in the test, PKCS#12 files,
blue signature and red seal PNGs drawn here (never a real seal)."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw

from tests.helpers import poppler

PASSWORD = "mat-khau-thu"


@dataclass(frozen=True)
class SampleCA:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    def pem(self, path: Path) -> Path:
        path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        return path


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_ca(common: str = "CA thử nghiệm") -> SampleCA:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(_name(common))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return SampleCA(key, cert)


def make_leaf(
    ca: SampleCA,
    common: str,
    *,
    days: int = 365,
    signing: bool = True,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A signing certificate issued by `ca` (expired when `days` < 0; with `signing`
    False, made for key encipherment only)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    start = now - dt.timedelta(days=400) if days < 0 else now - dt.timedelta(days=1)
    usage = (
        x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        if signing
        else x509.KeyUsage(False, False, True, False, False, False, False, False, False)
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(usage, critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    return key, cert


def make_p12(path: Path, ca: SampleCA, common: str, password: str = PASSWORD, **kw: object) -> Path:
    key, cert = make_leaf(ca, common, **kw)  # type: ignore[arg-type]
    data = pkcs12.serialize_key_and_certificates(
        common.encode("utf-8"),
        key,
        cert,
        [ca.cert],
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    path.write_bytes(data)
    return path


def signature_png(
    path: Path, colour: tuple[int, int, int] = (25, 45, 190), alpha: bool = True
) -> Path:
    """A scribble on a transparent background (600 x 240 px)."""
    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0) if alpha else (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line(
        [(20, 200), (160, 40), (260, 190), (420, 50), (580, 160)], fill=(*colour, 255), width=12
    )
    image.save(path)
    return path


def seal_png(path: Path, colour: tuple[int, int, int] = (215, 25, 30)) -> Path:
    """A plain ring with a star and MẪU-free geometry: no text, nothing of a real seal."""
    image = Image.new("RGBA", (425, 425), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([6, 6, 419, 419], outline=(*colour, 255), width=16)
    draw.ellipse([60, 60, 365, 365], outline=(*colour, 255), width=6)
    draw.regular_polygon((212, 212, 70), 5, fill=(*colour, 255))
    image.save(path)
    return path


def pdfsig(path: Path, *extra: str) -> str:
    done = subprocess.run(
        [poppler("pdfsig"), *extra, str(path)],
        capture_output=True, timeout=60, encoding="utf-8", check=False,
    )  # fmt: skip
    return done.stdout + done.stderr
