"""The catalogue of dossier papers (`data/documents.toml`) and its loader."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipeline.resources import load_data_toml

SIGNER_ROLES = ("chu_tich", "pho_chu_tich")
AUTHORITIES = ("", "TM", "KT")


@dataclass(frozen=True)
class DocumentType:
    """One paper of the dossier: its code, Vietnamese name, Decree 30 symbol and file name."""

    code: str
    name: str
    symbol: str
    file: str
    default_signer: str
    default_authority: str


@cache
def catalogue() -> dict[str, DocumentType]:
    """The shipped document catalogue, validated once per process."""
    raw = load_data_toml("documents.toml")
    docs: dict[str, DocumentType] = {}
    for code, entry in raw.items():
        doc = DocumentType(
            code=code,
            name=str(entry["ten"]),
            symbol=str(entry["ky_hieu"]),
            file=str(entry["file"]),
            default_signer=str(entry["nguoi_ky"]),
            default_authority=str(entry["quyen_han"]),
        )
        if doc.default_signer not in SIGNER_ROLES or doc.default_authority not in AUTHORITIES:
            raise ValueError(f"documents.toml [{code}]: unknown signer or authority")
        if not doc.file.endswith(".docx"):
            raise ValueError(f"documents.toml [{code}]: file must be a .docx")
        docs[code] = doc
    return docs
