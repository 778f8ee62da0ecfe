"""The catalogue of dossier papers (`data/documents.toml`) and its loader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pipeline.files.resources import load_data_toml

SIGNER_ROLES = ("chu_tich", "pho_chu_tich")
# A document whose signer is "" is signed by the meeting (minutes: secretary and chair).
AUTHORITIES = ("", "TM", "KT")
# The profile's tables every paper reads: the unit, the issuing agency and its leaders.
PROFILE_SECTIONS = ("don_vi", "co_quan", "lanh_dao")


@dataclass(frozen=True)
class DocumentType:
    """One paper of the dossier: its code, Vietnamese name, Decree 30 symbol and file name."""

    code: str
    name: str
    symbol: str
    file: str
    default_signer: str
    default_authority: str
    has_grounds: bool
    needs_scorecard: bool
    only_if_recognized: bool
    free_text: tuple[str, ...] = ()  # profile keys of hand-written sections it prints
    sections: tuple[str, ...] = ()  # the profile's tables it reads (see PROFILE_SECTIONS)
    kind: str = ""  # "Báo cáo", "Tờ trình": how a sentence names a paper of this type
    records_meeting: bool = False  # minutes: issued, their figures need a new meeting

    @property
    def profile_sections(self) -> tuple[str, ...]:
        """Every profile table this paper needs: the shared ones, its own, and `can`."""
        return (*PROFILE_SECTIONS, f"van_ban.{self.code}", *self.sections)


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
            default_authority=str(entry.get("quyen_han", "")),
            has_grounds=bool(entry.get("can_cu", False)),
            needs_scorecard=bool(entry.get("can_bang_diem", False)),
            only_if_recognized=bool(entry.get("chi_khi_dat", False)),
            free_text=tuple(str(k) for k in entry.get("tu_viet", ())),
            sections=tuple(str(k) for k in entry.get("can", ())),
            kind=str(entry["loai"]),
            records_meeting=bool(entry.get("ghi_cuoc_hop", False)),
        )
        signer_ok = doc.default_signer in (*SIGNER_ROLES, "")
        if not signer_ok or doc.default_authority not in AUTHORITIES:
            raise ValueError(f"documents.toml [{code}]: unknown signer or authority")
        if any(not key.startswith("bao_cao.") for key in doc.free_text):
            raise ValueError(f"documents.toml [{code}]: tu_viet names keys of [bao_cao]")
        if not doc.file.endswith(".docx"):
            raise ValueError(f"documents.toml [{code}]: file must be a .docx")
        docs[code] = doc
    return docs


def render_sections(codes: Iterable[str], scored: bool) -> set[str]:
    """The profile tables render reads for `codes` (a paper waiting for the scorecard reads
    nothing yet): the plan and the decision go out before the council meets."""
    known = catalogue()
    return {
        name
        for code in codes
        if scored or not known[code].needs_scorecard
        for name in known[code].profile_sections
    }
