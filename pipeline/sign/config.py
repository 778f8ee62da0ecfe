"""`[ky_so]` of hoso.toml: the keys, images and seal size, and which paper gets which
signatures (`data/ky-so.toml`).

    [ky_so]
    thu_vien = "…"           PKCS#11 library of the USB tokens (the CA's driver)
    anh_dau = "dau.png"      the agency's seal, red, transparent PNG
    dau_mm = 36              the seal's real diameter
    [ky_so.co_quan]          the agency's key (văn thư, at issue)
    [ky_so.chu_tich] …       each signer's key and signature image: chu_tich, pho_chu_tich,
                             thu_ky and chu_toa (the council's secretary and chair)
    each key: tep = "x.p12" | token = "…", khoa = "…", chung_thu = "…"; anh_chu_ky = "…png"

Paths are relative to the dossier folder. A PIN or password is never written here; only a
sample certificate (subject marked MẪU) may carry `mat_khau_mau`, for the demo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.common.errors import Problem
from pipeline.files.resources import load_data_toml
from pipeline.model.profile import Profile, read_toml
from pipeline.sign.keys import KeySpec
from pipeline.sign.signing import DEFAULT_SEAL_MM

AGENCY = "co_quan"
SIGNERS = ("chu_tich", "pho_chu_tich", "thu_ky", "chu_toa")
_KEY_FIELDS = ("tep", "token", "khoa", "chung_thu", "anh_chu_ky", "mat_khau_mau")
_TOP_FIELDS = ("thu_vien", "anh_dau", "dau_mm", AGENCY, *SIGNERS)


@dataclass(frozen=True)
class PaperSignatures:
    """What one paper carries: its signers' roles (in [ky_so]'s names) and a seal or not."""

    signers: tuple[str, ...]
    seal: bool


@dataclass(frozen=True)
class SigningSettings:
    file: str
    keys: dict[str, KeySpec] = field(default_factory=dict)
    images: dict[str, Path] = field(default_factory=dict)  # role -> signature image
    seal: Path | None = None
    seal_mm: float = DEFAULT_SEAL_MM

    @property
    def configured(self) -> bool:
        return bool(self.keys)


@cache
def paper_signatures() -> tuple[dict[str, PaperSignatures], dict[str, str]]:
    """Per paper code its signatures; per attachment file the code of its paper."""
    raw = load_data_toml("ky-so.toml")
    attachments = {str(k): str(v) for k, v in dict(raw.pop("phu_luc", {})).items()}
    papers: dict[str, PaperSignatures] = {}
    for code, entry in raw.items():
        signers = tuple(str(s) for s in entry["nguoi_ky"])
        if any(s and s not in SIGNERS for s in signers):
            raise ValueError(f"ky-so.toml [{code}]: unknown signer")
        papers[code] = PaperSignatures(signers, bool(entry["dau"]))
    return papers, attachments


def read_settings(  # noqa: PLR0912
    profile: Profile, table: dict[str, Any] | None = None
) -> tuple[SigningSettings, list[Problem]]:
    """The dossier's [ky_so], with every problem of its keys (each naming its key); `table`:
    hoso.toml as already parsed (else it is read)."""
    file = str(profile.path)
    raw = (table if table is not None else read_toml(profile.path)).get("ky_so")
    if raw is None:
        return SigningSettings(file), []
    problems: list[Problem] = []

    if not isinstance(raw, dict):
        problems.append(
            Problem.of(
                "ky-so",
                variant="bang-ky-so",
                file=file,
                field="ky_so",
                hint="xem mẫu ghi chú do hoso init tạo.",
            )
        )
        return SigningSettings(file), problems
    for key in raw:
        if key not in _TOP_FIELDS:
            problems.append(
                Problem.of(
                    "ky-so",
                    variant="khoa-thua",
                    file=file,
                    field=f"ky_so.{key}",
                    hint="các khóa: " + ", ".join(_TOP_FIELDS) + ".",
                )
            )
    folder = profile.folder

    def path(value: Any, key: str) -> Path | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            problems.append(
                Problem.of(
                    "ky-so",
                    variant="duong-dan",
                    file=file,
                    field=key,
                    hint='ví dụ "ky-so/dau.png".',
                )
            )
            return None
        return (folder / value).resolve()

    module = path(raw.get("thu_vien"), "ky_so.thu_vien")
    seal = path(raw.get("anh_dau"), "ky_so.anh_dau")
    seal_mm = raw.get("dau_mm", DEFAULT_SEAL_MM)
    if (
        not isinstance(seal_mm, int | float)
        or isinstance(seal_mm, bool)
        or not (math.isfinite(seal_mm) and 20 <= seal_mm <= 60)
    ):
        problems.append(
            Problem.of(
                "ky-so",
                variant="duong-kinh-dau",
                file=file,
                field="ky_so.dau_mm",
                hint="dấu của xã thường 35–36 mm.",
            )
        )
        seal_mm = DEFAULT_SEAL_MM
    keys: dict[str, KeySpec] = {}
    images: dict[str, Path] = {}
    for role in (AGENCY, *SIGNERS):
        entry = raw.get(role)
        if entry is None:
            continue
        key = f"ky_so.{role}"
        if not isinstance(entry, dict):
            problems.append(
                Problem.of(
                    "ky-so",
                    variant="bang",
                    file=file,
                    field=key,
                    hint=f"ghi [{key}] rồi các dòng tep = …, anh_chu_ky = ….",
                )
            )
            continue
        for name in entry:
            if name not in _KEY_FIELDS:
                problems.append(
                    Problem.of(
                        "ky-so",
                        variant="khoa-thua",
                        file=file,
                        field=f"{key}.{name}",
                        hint="các khóa: " + ", ".join(_KEY_FIELDS) + ".",
                    )
                )
        p12 = path(entry.get("tep"), f"{key}.tep")
        token = str(entry.get("token", "") or "")
        key_label = str(entry.get("khoa", "") or "")
        if p12 is None and not (token or key_label):
            problems.append(
                Problem.of(
                    "ky-so",
                    variant="thieu-khoa",
                    file=file,
                    field=key,
                    hint='ghi tep = "…p12" (tệp khóa) hoặc token, khoa, chung_thu (USB token).',
                )
            )
            continue
        if p12 is None and module is None:
            problems.append(
                Problem.of(
                    "ky-so",
                    variant="thieu-thu-vien",
                    file=file,
                    field="ky_so.thu_vien",
                    hint="ghi đường dẫn thư viện của token (tệp .dll/.so) do nhà cung cấp "
                    "chứng thư số cài.",
                    key=key,
                )
            )
        keys[role] = KeySpec(
            role=role,
            file=file,
            p12=p12,
            module=module,
            token=token,
            key_label=key_label,
            cert_label=str(entry.get("chung_thu", "") or ""),
            sample_password=str(entry.get("mat_khau_mau", "") or ""),
        )
        image = path(entry.get("anh_chu_ky"), f"{key}.anh_chu_ky")
        if role != AGENCY:
            if image is None:
                problems.append(
                    Problem.of(
                        "ky-so",
                        variant="thieu-anh-chu-ky",
                        file=file,
                        field=f"{key}.anh_chu_ky",
                        hint="ghi đường dẫn ảnh chữ ký PNG nền trong suốt, màu xanh.",
                    )
                )
            else:
                images[role] = image
    return SigningSettings(file, keys, images, seal, float(seal_mm)), problems
