"""What a Word template may use: the variables built from the profile, and the filters.

Template-facing names are Vietnamese and mirror `hoso.toml`, so what a clerk writes as
`don_vi.xa` in the profile is `{{ don_vi.xa }}` in a template.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline import vnformat
from pipeline.profile import DocumentSettings, Profile

FILTERS: dict[str, Callable[..., str]] = {
    "ngay_dai": vnformat.long_date,  # 2024-03-05 -> "ngày 05 tháng 3 năm 2024"
    "ngay_so": vnformat.short_date,  # 2024-11-07 -> "07/11/2024"
    "so": vnformat.number,  # 1234 -> "1.234"; 98.5 with so(1) -> "98,5"
    "ty_le": vnformat.percent,  # 90 -> "90%"
    "in_hoa": vnformat.upper,  # "Bình Trung" -> "BÌNH TRUNG"
    "thuong_dau": vnformat.lower_first,  # "Phòng Lao động" -> "phòng Lao động"
}


def document_context(profile: Profile, doc: DocumentSettings) -> dict[str, Any]:
    """The variables of one document's template."""
    unit = profile.don_vi
    return {
        "don_vi": {
            "tinh": unit.tinh,
            "huyen": unit.huyen or "",
            "xa": unit.xa,
            "cap": unit.cap,
            "loai": unit.loai,
            "thon": list(unit.thon),
            "so_thon": len(unit.thon),
            "nam": unit.nam,
            "nguong_diem": unit.threshold,
        },
        # The level above the commune that sets targets: the district until 2025, then the province.
        "cap_tren": "huyện" if unit.huyen else "tỉnh",
        "co_quan": {
            "viet_tat": profile.co_quan.viet_tat,
            "dia_danh": profile.co_quan.dia_danh,
            "luu": profile.co_quan.luu,
        },
        "lanh_dao": {
            "chu_tich": profile.lanh_dao.chu_tich,
            "pho_chu_tich": profile.lanh_dao.pho_chu_tich,
            "cong_chuc_vhxh": profile.lanh_dao.cong_chuc_vhxh,
        },
        "tiep_nhan": {"ten": profile.tiep_nhan.ten, "thuoc": profile.tiep_nhan.thuoc},
        "ke_hoach": {
            "can_cu_loai": profile.ke_hoach.can_cu_loai,
            "can_cu_so": profile.ke_hoach.can_cu_so,
            "can_cu_ngay": profile.ke_hoach.can_cu_ngay,
            "can_cu_co_quan": profile.ke_hoach.can_cu_co_quan,
            "muc_tieu_ty_le": profile.ke_hoach.muc_tieu_ty_le,
            "han_bao_cao": profile.ke_hoach.han_bao_cao,
        },
        "van_ban": {
            "ten": doc.type.name,
            "so": vnformat.doc_number(doc.so),
            "ky_hieu": f"{doc.type.symbol}-{profile.co_quan.viet_tat}",
            "ngay": doc.ngay,
            "ngay_thang": vnformat.long_date(doc.ngay, unit.nam),
            "noi_nhan": list(doc.noi_nhan),
            "tham_quyen": doc.authority_lines(),
            "nguoi_ky": profile.lanh_dao.name_of(doc.nguoi_ky),
        },
    }
