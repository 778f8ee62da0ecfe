"""Signing keys: a PKCS#12 file with its password, or a PKCS#11 token with its PIN.

Vietnamese CAs issue certificates on USB tokens reached through the vendor's PKCS#11
library; a .p12/.pfx file is the other form clerks get. The PIN or password is asked for
when signing and kept in memory only: never written to a file, the profile, a log or the
register. The certificate is checked before anything is signed: valid today, and made for
signing (key usage digitalSignature or nonRepudiation).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.common.errors import InputError, Problem

if TYPE_CHECKING:
    from asn1crypto import x509
    from pyhanko.sign.signers import Signer

# Asks for a PIN or password: (what it is for) -> the secret. The CLI hides what is typed.
AskSecret = Callable[[str], str]
# Only a certificate whose subject says it is a sample may have its password in the profile.
SAMPLE_MARK = "MẪU"


@dataclass(frozen=True)
class KeySpec:
    """One key of [ky_so]: where it is and how the profile names it (for messages)."""

    role: str  # "co_quan", "chu_tich", "pho_chu_tich", "thu_ky", "chu_toa"
    file: str  # the profile's path, for messages
    p12: Path | None = None
    module: Path | None = None
    token: str = ""
    key_label: str = ""
    cert_label: str = ""
    sample_password: str = ""  # only for certificates marked MẪU (the demo's sample data)
    # A .p12 chosen on the page: its bytes, held in memory only (never saved), and its name.
    p12_data: bytes | None = field(default=None, repr=False)
    p12_name: str = ""

    @property
    def key(self) -> str:
        return f"ky_so.{self.role}"


def check_certificate(cert: x509.Certificate, spec: KeySpec, now: datetime) -> list[Problem]:
    """What makes `cert` unfit to sign today, each naming the key."""
    who = cert.subject.native.get("common_name", "")
    problems: list[Problem] = []
    before, after = (
        cert["tbs_certificate"]["validity"]["not_before"].native,
        cert["tbs_certificate"]["validity"]["not_after"].native,
    )
    if now > after:
        problems.append(
            Problem.of(
                "khoa-ky-so",
                variant="het-han",
                file=spec.file,
                field=spec.key,
                hint="gia hạn chứng thư số với nhà cung cấp dịch vụ chứng thực, hoặc dùng "
                "khóa khác.",
                who=who,
                until=after.astimezone(UTC),
            )
        )
    elif now < before:
        problems.append(
            Problem.of(
                "khoa-ky-so",
                variant="chua-hieu-luc",
                file=spec.file,
                field=spec.key,
                hint="kiểm tra đồng hồ của máy, hoặc chờ đến ngày chứng thư có hiệu lực.",
                who=who,
                since=before,
            )
        )
    usage = cert.key_usage_value
    if usage is not None and not ({"digital_signature", "non_repudiation"} & set(usage.native)):
        problems.append(
            Problem.of(
                "khoa-ky-so",
                variant="khong-de-ky",
                file=spec.file,
                field=spec.key,
                hint="dùng chứng thư ký số do nhà cung cấp dịch vụ chứng thực cấp cho việc ký.",
                who=who,
            )
        )
    return problems


@contextlib.contextmanager
def open_signer(spec: KeySpec, ask: AskSecret, now: datetime | None = None) -> Iterator[Signer]:
    """The signer for `spec`, its certificate checked; a token's session is closed after."""
    moment = now or datetime.now(UTC)
    if spec.p12 is not None or spec.p12_data is not None:
        signer = _p12_signer(spec, ask)
        _check(signer, spec, moment)
        yield signer
        return
    with _token_signer(spec, ask) as signer:
        _check(signer, spec, moment)
        yield signer


def _prompt_end(key: str) -> str:
    return f"({key})"


def typed_answers(secrets: Mapping[str, str], file: str) -> AskSecret:
    """Answers the prompts of `open_signer` from passwords typed on the page, by the key
    each prompt names (`ky_so.ROLE`): a key with nothing typed stops the run, never asking
    anyone. The passwords stay in `secrets`, in memory."""

    def ask(what: str) -> str:
        for role, secret in secrets.items():
            if what.endswith(_prompt_end(f"ky_so.{role}")) and secret:
                return secret
        key = what[what.rfind("(") + 1 : -1] if what.endswith(")") else "ky_so"
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="chua-nhap-mat-khau",
                    file=file,
                    field=key,
                    hint="nhập mật khẩu của tệp khóa .p12/.pfx.",
                )
            ]
        )

    return ask


def open_file_key(spec: KeySpec, secret: str) -> Signer:
    """The signer of a .p12 (a file or its bytes) opened with `secret`, its certificate
    checked: what the page does with the password typed there, in memory only."""
    signer = _p12_signer(spec, lambda _what: secret)
    _check(signer, spec, datetime.now(UTC))
    return signer


def _check(signer: Signer, spec: KeySpec, now: datetime) -> None:
    cert = signer.signing_cert
    if cert is None:
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="khong-co-chung-thu",
                    file=spec.file,
                    field=spec.key,
                    hint="kiểm tra khóa.",
                )
            ]
        )
    problems = check_certificate(cert, spec, now)
    if spec.sample_password and SAMPLE_MARK not in str(cert.subject.native.get("common_name", "")):
        problems.append(
            Problem.of(
                "khoa-ky-so",
                variant="mat-khau-mau",
                file=spec.file,
                field=f"{spec.key}.mat_khau_mau",
                hint="xóa dòng mat_khau_mau: hoso sẽ hỏi mật khẩu khi ký.",
            )
        )
    if problems:
        raise InputError(problems)


def _p12_signer(spec: KeySpec, ask: AskSecret) -> Signer:
    from pyhanko.sign.signers import SimpleSigner

    name = spec.p12_name or (spec.p12.name if spec.p12 else "")
    try:
        data = spec.p12_data if spec.p12_data is not None else _read(spec.p12)
    except OSError:
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="doc-tep",
                    file=spec.file,
                    field=f"{spec.key}.tep",
                    hint="ghi đúng đường dẫn tệp .p12/.pfx.",
                    key_file=spec.p12,
                )
            ]
        ) from None
    secret = spec.sample_password or ask(f"Mật khẩu tệp khóa {name} {_prompt_end(spec.key)}")
    try:
        signer: Signer = SimpleSigner.load_pkcs12_data(data, (), passphrase=secret.encode("utf-8"))
        return signer
    except ValueError:
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="mo-tep",
                    file=spec.file,
                    field=f"{spec.key}.tep",
                    hint="nhập lại đúng mật khẩu của tệp .p12/.pfx.",
                    key_file=name,
                )
            ]
        ) from None


def _read(path: Path | None) -> bytes:
    if path is None:
        raise OSError("no file")
    return path.read_bytes()


@contextlib.contextmanager
def _token_signer(spec: KeySpec, ask: AskSecret) -> Iterator[Signer]:
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if spec.module is None or not spec.module.is_file():
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="thu-vien",
                    file=spec.file,
                    field="ky_so.thu_vien",
                    hint="ghi đường dẫn tệp thư viện của nhà cung cấp token (.dll/.so/.dylib) vào "
                    "ky_so.thu_vien.",
                    library=spec.module or "chưa ghi",
                )
            ]
        )
    pin = spec.sample_password or ask(
        f"Mã PIN của token {spec.token or ''} {_prompt_end(spec.key)}"
    )
    criteria = TokenCriteria(label=spec.token or None)
    try:
        session = open_pkcs11_session(str(spec.module), token_criteria=criteria, user_pin=pin)
    except (pkcs11.PKCS11Error, OSError) as exc:
        raise InputError(
            [
                Problem.of(
                    "khoa-ky-so",
                    variant="mo-token",
                    file=spec.file,
                    field=spec.key,
                    hint="cắm USB token, kiểm tra tên token (ky_so.…token) và mã PIN.",
                    token=spec.token,
                    error=type(exc).__name__,
                )
            ]
        ) from None
    try:
        try:
            signer = PKCS11Signer(
                session,
                key_label=spec.key_label or None,
                cert_label=spec.cert_label or spec.key_label or None,
            )
            _ = signer.signing_cert  # found now, not in the middle of a signature
        except (pkcs11.PKCS11Error, Exception) as exc:
            raise InputError(
                [
                    Problem.of(
                        "khoa-ky-so",
                        variant="tim-khoa",
                        file=spec.file,
                        field=spec.key,
                        hint="ghi đúng nhãn khóa (khoa) và nhãn chứng thư (chung_thu) của token.",
                        key_label=spec.key_label,
                        cert_label=spec.cert_label or spec.key_label,
                        error=exc,
                    )
                ]
            ) from None
        yield signer
    finally:
        session.close()
