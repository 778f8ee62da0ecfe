"""A signature through a PKCS#11 token: SoftHSM2 stands in for the clerk's USB token (the
same interface a Vietnamese CA's vendor library offers). The token, its key and its
certificate are made in the test; the PIN is typed at the prompt."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from pipeline.cli import cli
from pipeline.sign.verify import check_pdf
from tests.sign_helpers import make_ca, make_leaf, pdfsig
from tests.test_sign import KY_SO, Made, made  # noqa: F401  (the module fixture)

PIN = "246810"
TOKEN = "hoso-thu"
MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


def softhsm() -> tuple[str, Path]:
    util = shutil.which("softhsm2-util")
    module = next((Path(m) for m in MODULES if Path(m).is_file()), None)
    if util is None or module is None:
        if os.environ.get("CI"):
            pytest.fail("softhsm2 is required in CI; see .ci/run")
        pytest.skip("softhsm2 not installed")
    # The profile's path is resolved; one process loads a PKCS#11 library once, by one path.
    return util, module.resolve()


def test_ky_signs_with_a_key_on_a_pkcs11_token(
    made: Made,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    util, module = softhsm()
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))

    def run(*args: str) -> None:
        subprocess.run([util, *args], check=True, capture_output=True, timeout=60)

    run("--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "13579")
    ca = make_ca()
    key, cert = make_leaf(ca, "Hà Nam Nhiệm")
    pem = tmp_path / "khoa.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    run("--import", str(pem), "--token", TOKEN, "--label", "ky-so", "--id", "01", "--pin", PIN)
    pem.unlink()
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN)
    with token.open(user_pin=PIN, rw=True) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "ky-so",
                Attribute.ID: b"\x01",
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
            }
        )

    dossier = tmp_path / made.dossier.name
    out = tmp_path / "out"
    shutil.copytree(made.dossier, dossier)
    shutil.copytree(made.out, out)
    profile = dossier / "hoso.toml"
    ky_so = KY_SO.replace("[ky_so]\n", f'[ky_so]\nthu_vien = "{module.as_posix()}"\n').replace(
        '[ky_so.pho_chu_tich]\ntep = "khoa/pho_chu_tich.p12"',
        f'[ky_so.pho_chu_tich]\ntoken = "{TOKEN}"\nkhoa = "ky-so"\nchung_thu = "ky-so"',
    )
    assert 'token = "hoso-thu"' in ky_so
    profile.write_text(profile.read_text(encoding="utf-8") + ky_so, encoding="utf-8")
    from tests.sign_helpers import PASSWORD

    # Prompts in key order: chu_tich (file), pho_chu_tich (token PIN), thu_ky (file).
    result = CliRunner().invoke(
        cli, ["ky", str(dossier), "--out", str(out)], input=f"{PASSWORD}\n{PIN}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "Mã PIN của token hoso-thu (ky_so.pho_chu_tich)" in result.output
    assert PIN not in result.output.replace("Mã PIN", "")
    pdf = out / "KH-ke-hoach.pdf"  # signed by the vice-chairman, whose key is on the token
    from pyhanko.keys import load_cert_from_pemder

    anchor_file = ca.pem(tmp_path / "ca.pem")
    reports = check_pdf(pdf.read_bytes(), [load_cert_from_pemder(str(anchor_file))])
    assert [(r.signer, r.intact, r.valid, r.trusted) for r in reports] == [
        ("Hà Nam Nhiệm", True, True, True)
    ]
    said = pdfsig(pdf)
    assert "ETSI.CAdES.detached" in said and "Signature is Valid." in said
    # A wrong PIN is an error naming the key, and nothing is signed.
    shutil.copy(made.out / "KH-ke-hoach.pdf", pdf)  # unsigned again: the token is needed
    result = CliRunner().invoke(
        cli, ["ky", str(dossier), "--out", str(out)], input=f"{PASSWORD}\n000000\n{PASSWORD}\n"
    )
    assert result.exit_code == 1, result.output
    assert "ky_so.pho_chu_tich" in result.output
    assert (out / "KH-ke-hoach.pdf").read_bytes() == (made.out / "KH-ke-hoach.pdf").read_bytes()
