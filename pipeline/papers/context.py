"""What a Word template may use: the variables built from the profile, and the filters.

Template-facing names are Vietnamese and mirror `hoso.toml`, so what a clerk writes as
`don_vi.xa` in the profile is `{{ don_vi.xa }}` in a template. Numbers reach templates
already formatted the Vietnamese way ("1.234", "98,8%"), so a template never formats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from pipeline.common import vnformat
from pipeline.model.labels import RESULT_WORDS
from pipeline.model.profile import DocumentSettings, Member, Profile
from pipeline.model.scorecard import threshold_group
from pipeline.model.units import period_of
from pipeline.papers import nd30
from pipeline.papers.narrative import (
    conclusion,
    criterion_name,
    item_sentence,
    points,
    zero_sentence,
)

FILTERS: dict[str, Callable[..., str]] = {
    "ngay_dai": vnformat.long_date,  # 2024-03-05 -> "ngày 05 tháng 3 năm 2024"
    "ngay_so": vnformat.short_date,  # 2024-11-07 -> "07/11/2024"
    "so": vnformat.number,  # 1234 -> "1.234"; so(1) on 98.5 -> "98,5"
    "ty_le": vnformat.percent,  # 90 -> "90,0%"; ty_le(0) -> "90%"
    "in_hoa": vnformat.upper,  # "Bình Trung" -> "BÌNH TRUNG"
    "thuong_dau": vnformat.lower_first,  # "Phòng Lao động" -> "phòng Lao động"
    "hoa_dau": vnformat.upper_first,  # "tiêu chí 1 (Nguồn lực…)" -> "Tiêu chí 1 (Nguồn lực…)"
}

# Every variable a template may use, with its meaning: templates/README.md is generated
# from this table and `hoso templates check` accepts exactly these paths. `[]` marks a list
# (use it in a loop: `{%p for tv in hoi_dong.thanh_vien %}` … `{{ tv.ho_ten }}`).
VARIABLES: dict[str, str] = {
    "don_vi.tinh": "tên tỉnh hoặc thành phố trực thuộc trung ương, không kèm loại",
    "don_vi.cap_tinh": "“tỉnh”, hoặc “thành phố” với thành phố trực thuộc trung ương",
    "don_vi.tinh_day_du": "tên tỉnh kèm loại: “tỉnh Lạng Sơn”, “thành phố Hải Phòng”",
    "don_vi.huyen": "tên huyện (trống từ ngày 01/7/2025: không còn cấp huyện)",
    "don_vi.cap_huyen": "loại đơn vị cấp huyện: huyện, quận, thị xã, thành phố",
    "don_vi.huyen_day_du": "tên huyện kèm loại: “huyện Cao Lộc”, “quận Lê Chân” (hoặc trống)",
    "don_vi.xa": "tên đơn vị, không kèm loại (“Bình Trung”)",
    "don_vi.cap": "loại đơn vị: xã, phường, thị trấn hoặc đặc khu",
    "don_vi.ten_day_du": "tên đơn vị kèm loại: “xã Bình Trung”, “phường Lê Chân”",
    "don_vi.cap_thon": "cấp dưới: thôn, tổ dân phố, khu phố, ấp, bản…",
    "don_vi.truong_thon": "chức danh người đứng đầu cấp dưới: “Trưởng thôn”…",
    "don_vi.loai": "loại đơn vị theo Quyết định 06 (mien_nui, phuong_do_thi, con_lai)",
    "don_vi.thon": "danh sách tên các đơn vị cấp dưới (danh sách)",
    "don_vi.so_thon": "số đơn vị cấp dưới",
    "don_vi.nam": "năm đánh giá",
    "don_vi.nguong_diem": "ngưỡng điểm công nhận của loại đơn vị",
    "cap_tren": "cấp đặt chỉ tiêu: “huyện”; không còn cấp huyện: “tỉnh” hoặc “thành phố”",
    "co_quan.viet_tat": "chữ viết tắt của cơ quan trong ký hiệu văn bản",
    "co_quan.dia_danh": "địa danh ở dòng ngày tháng",
    "co_quan.luu": "nơi lưu văn bản (dòng “Lưu:”)",
    "co_quan.van_phong_dau_cau": "văn phòng của đơn vị theo thời kỳ, viết hoa đầu câu",
    "lanh_dao.chu_tich": "họ tên Chủ tịch UBND",
    "lanh_dao.pho_chu_tich": "họ tên Phó Chủ tịch UBND",
    "lanh_dao.cong_chuc_vhxh": "họ tên công chức Văn hóa - Xã hội",
    "tiep_nhan.ten": "cơ quan nhận báo cáo, hồ sơ",
    "tiep_nhan.dia_ban": "địa bàn của cơ quan nhận",
    "tiep_nhan.kinh_gui": "tên đầy đủ sau “Kính gửi:” của báo cáo",
    "tiep_nhan.cong_nhan": "cơ quan quyết định công nhận (Kính gửi của tờ trình)",
    "ke_hoach.can_cu_loai": "loại văn bản cấp trên mà Kế hoạch thực hiện",
    "ke_hoach.can_cu_so": "số, ký hiệu văn bản cấp trên",
    "ke_hoach.can_cu_ngay": "ngày văn bản cấp trên (dùng với bộ lọc ngay_so hoặc ngay_dai)",
    "ke_hoach.can_cu_co_quan": "cơ quan ban hành văn bản cấp trên",
    "ke_hoach.muc_tieu_ty_le": "tỷ lệ phấn đấu (dùng với bộ lọc ty_le)",
    "ke_hoach.han_bao_cao": "hạn gửi số liệu (dùng với bộ lọc ngay_so)",
    "hoi_dong.thanh_vien": "thành viên Hội đồng đánh giá (danh sách)",
    "hoi_dong.thanh_vien[].ho_ten": "họ tên thành viên",
    "hoi_dong.thanh_vien[].danh_xung": "Ông hoặc Bà",
    "hoi_dong.thanh_vien[].chuc_vu": "chức vụ của thành viên",
    "hoi_dong.thanh_vien[].vai_tro": "vai trò trong Hội đồng",
    "hoi_dong.thanh_vien[].dong": "dòng giới thiệu đủ: danh xưng, họ tên, chức vụ - vai trò",
    "hoi_dong.so_thanh_vien": "số thành viên Hội đồng",
    "hoi_dong.chu_tich": "Chủ tịch Hội đồng (có ho_ten, danh_xung, chuc_vu, vai_tro, dong)",
    "hoi_dong.chu_tich.ho_ten": "họ tên Chủ tịch Hội đồng",
    "hoi_dong.chu_tich.danh_xung": "Ông hoặc Bà",
    "hoi_dong.chu_tich.chuc_vu": "chức vụ của Chủ tịch Hội đồng",
    "hoi_dong.chu_tich.vai_tro": "vai trò",
    "hoi_dong.chu_tich.dong": "dòng giới thiệu đủ",
    "hoi_dong.thu_ky": "Thư ký Hội đồng (có ho_ten, danh_xung, chuc_vu, vai_tro, dong)",
    "hoi_dong.thu_ky.ho_ten": "họ tên Thư ký Hội đồng",
    "hoi_dong.thu_ky.danh_xung": "Ông hoặc Bà",
    "hoi_dong.thu_ky.chuc_vu": "chức vụ của Thư ký",
    "hoi_dong.thu_ky.vai_tro": "vai trò",
    "hoi_dong.thu_ky.dong": "dòng giới thiệu đủ",
    "hop.bat_dau": "giờ, ngày bắt đầu cuộc họp Hội đồng (chỗ trống nếu chưa ghi)",
    "hop.ket_thuc": "giờ, ngày kết thúc cuộc họp",
    "hop.ngay": "ngày họp dạng số",
    "hop.dia_diem": "địa điểm họp",
    "hop.co_mat": "thành viên có mặt (danh sách, mỗi mục như hoi_dong.thanh_vien)",
    "hop.co_mat[].ho_ten": "họ tên",
    "hop.co_mat[].danh_xung": "Ông hoặc Bà",
    "hop.co_mat[].chuc_vu": "chức vụ",
    "hop.co_mat[].vai_tro": "vai trò",
    "hop.co_mat[].dong": "dòng giới thiệu đủ",
    "hop.so_co_mat": "số thành viên có mặt",
    "hop.vang_mat": "họ tên thành viên vắng mặt (danh sách)",
    "hop.vang_mat_dong": "thành viên vắng mặt: danh xưng, họ tên, chức vụ, vai trò, lý do "
    "(danh sách)",
    "hop.tan_thanh": "số thành viên tán thành",
    "hop.khong_tan_thanh": "số thành viên không tán thành",
    "bao_cao.dac_diem": "đặc điểm tình hình, mỗi mục một đoạn (danh sách)",
    "bao_cao.kho_khan": "khó khăn, vướng mắc, mỗi mục một đoạn (danh sách)",
    "bao_cao.de_xuat": "đề xuất, kiến nghị, mỗi mục một đoạn (danh sách)",
    "van_ban.ten": "tên văn bản",
    "van_ban.so": "số văn bản (chỗ trống nếu văn thư ghi tay)",
    "van_ban.ky_hieu": "ký hiệu văn bản",
    "van_ban.ngay": "ngày văn bản (trống nếu ghi tay)",
    "van_ban.ngay_thang": "dòng ngày tháng đúng Nghị định 30 (hoặc chỗ trống ghi tay)",
    "van_ban.noi_nhan": "nơi nhận (danh sách)",
    "van_ban.can_cu": "căn cứ ban hành (danh sách)",
    "van_ban.tham_quyen": "các dòng quyền hạn, chức vụ người ký (danh sách)",
    "van_ban.tham_quyen_ban_hanh": "thẩm quyền ban hành quyết định, chữ in hoa",
    "van_ban.nguoi_ky": "họ tên người ký",
    "bang_diem.tong": "tổng điểm Hội đồng chấm",
    "bang_diem.tong_tinh": "tổng điểm tính theo số liệu",
    "bang_diem.toi_da": "thang điểm",
    "bang_diem.nguong": "ngưỡng điểm công nhận",
    "bang_diem.nhom_nguong": "nhóm đơn vị của ngưỡng theo Quyết định 06 (“xã thuộc vùng miền "
    "núi…”)",
    "bang_diem.dat": "đơn vị đạt hay không (đúng/sai, dùng trong {% if %})",
    "bang_diem.ket_luan": "câu kết luận đạt / chưa đạt, nêu điều kiện chưa đạt",
    "bang_diem.ket_qua": "kết quả: “đạt” hoặc “chưa đạt”",
    "bang_diem.chua_dat": "các mục bị mất điểm của tiêu chí 0 điểm (danh sách; trống khi đạt)",
    "bang_diem.tieu_chi": "13 tiêu chí (danh sách)",
    "bang_diem.tieu_chi[].stt": "số thứ tự tiêu chí",
    "bang_diem.tieu_chi[].ten": "tên tiêu chí",
    "bang_diem.tieu_chi[].ten_goi": "cách gọi tiêu chí: “tiêu chí 1 (Nguồn lực thực hiện quyền "
    "trẻ em)”",
    "bang_diem.tieu_chi[].toi_da": "điểm tối đa của tiêu chí",
    "bang_diem.tieu_chi[].diem_tinh": "điểm tính theo số liệu",
    "bang_diem.tieu_chi[].diem": "điểm Hội đồng chấm",
    "bang_diem.tieu_chi[].muc": "các mục của tiêu chí (danh sách)",
    "bang_diem.tieu_chi[].muc[].ma": "mã mục, ví dụ 6.1",
    "bang_diem.tieu_chi[].muc[].ten": "nội dung mục",
    "bang_diem.tieu_chi[].muc[].toi_da": "điểm tối đa của mục",
    "bang_diem.tieu_chi[].muc[].diem_tinh": "điểm tính theo số liệu",
    "bang_diem.tieu_chi[].muc[].diem": "điểm Hội đồng chấm",
    "bang_diem.tieu_chi[].muc[].ly_do": "lý do Hội đồng điều chỉnh (trống nếu không)",
    "bang_diem.tieu_chi[].muc[].stt_dieu_chinh": "số thứ tự điều chỉnh (trống nếu không)",
    "bang_diem.tieu_chi[].muc[].ghi_chu": "ghi chú trong bảng: “Điều chỉnh (1)” nếu có",
    "bang_diem.tieu_chi[].muc[].cau": "câu trình bày kết quả từ số liệu",
    "bang_diem.so_tieu_chi": "số tiêu chí",
    "bang_diem.so_tieu_chi_dat": "số tiêu chí có điểm (khác 0)",
    "bang_diem.so_tieu_chi_toi_da": "số tiêu chí đạt điểm tối đa",
    "bang_diem.tieu_chi_0_cau": "câu nêu các tiêu chí 0 điểm (hoặc không có tiêu chí nào)",
    "bang_diem.dieu_chinh": "các mục Hội đồng điều chỉnh (danh sách, mỗi mục như muc)",
    "bang_diem.dieu_chinh[].ma": "mã mục",
    "bang_diem.dieu_chinh[].ten": "nội dung mục",
    "bang_diem.dieu_chinh[].toi_da": "điểm tối đa",
    "bang_diem.dieu_chinh[].diem_tinh": "điểm tính theo số liệu",
    "bang_diem.dieu_chinh[].diem": "điểm Hội đồng chấm",
    "bang_diem.dieu_chinh[].ly_do": "lý do điều chỉnh",
    "bang_diem.dieu_chinh[].stt_dieu_chinh": "số thứ tự điều chỉnh, như trong cột Ghi chú",
    "bang_diem.dieu_chinh[].ghi_chu": "ghi chú trong bảng",
    "bang_diem.dieu_chinh[].cau": "câu trình bày kết quả",
    "bang_diem.bo_tieu_chi": "tên bộ tiêu chí đã dùng (văn bản ban hành)",
    "bang_diem.tre_em_duoi_16": "tổng số trẻ em dưới 16 tuổi",
}

FILTER_DOCS: dict[str, str] = {
    "ngay_dai": "ngày đầy đủ: {{ ke_hoach.can_cu_ngay|ngay_dai }} → ngày 22 tháng 3 năm 2024",
    "ngay_so": "ngày dạng số: {{ ke_hoach.han_bao_cao|ngay_so }} → 07/11/2024",
    "so": "số kiểu Việt Nam: {{ 1234|so }} → 1.234",
    "ty_le": "tỷ lệ phần trăm: {{ ke_hoach.muc_tieu_ty_le|ty_le(0) }} → 90%",
    "in_hoa": "chữ in hoa: {{ don_vi.xa|in_hoa }} → BÌNH TRUNG",
    "thuong_dau": "viết thường chữ đầu: {{ tiep_nhan.ten|thuong_dau }} → phòng Lao động…",
    "hoa_dau": "viết hoa chữ đầu: {{ c.ten_goi|hoa_dau }} → Tiêu chí 1 (Nguồn lực…)",
}

# An empty free-text section keeps its heading and these lines, to be written by hand: each
# fits one line of body text.
HAND_LINES = [nd30.hand_line(), nd30.hand_line()]

# Hand-filled blanks of a time, as in the decree's minutes sample.
_TIME_BLANK = "…. giờ …., ngày …. tháng …. năm ….."


def _when(moment: datetime | None) -> str:
    """`08 giờ 00 phút, ngày 05 tháng 11 năm 2024`, or the dotted blank."""
    if moment is None:
        return _TIME_BLANK
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {vnformat.long_date(moment.date())}"


def _member(member: Member) -> dict[str, str]:
    title = member.danh_xung.capitalize()
    return {
        "ho_ten": member.ho_ten,
        "danh_xung": title,
        "chuc_vu": member.chuc_vu,
        "vai_tro": member.role_name,
        # "Ông Hà Nam Nhiệm, Phó Chủ tịch UBND xã - Phó Chủ tịch Hội đồng"
        "dong": f"{title} {member.ho_ten}, {member.chuc_vu} - {member.role_name}",
    }


def _receiver(profile: Profile) -> str:
    """The receiving office with its locality, as a proper name: "Sở Y tế thành phố Hải
    Phòng", "Phòng Lao động - Thương binh và Xã hội huyện Cao Lộc". Where the profile names no
    area, a district office ("Phòng …") is of the district (when the era has one) and a
    department ("Sở …") of the province."""
    receiver = profile.tiep_nhan
    name = vnformat.upper_first(receiver.ten)
    if receiver.dia_ban or not name:
        return f"{name} {receiver.dia_ban}".strip()
    words = profile.don_vi.words
    if name.startswith("Phòng ") and words.huyen_day_du:
        return f"{name} {words.huyen_day_du}"
    if name.startswith("Sở "):
        return f"{name} {words.tinh_day_du}"
    return name


def _absent(member: Member, reason: str) -> str:
    """ "ông Dương Văn Khánh, Bí thư Đoàn Thanh niên xã, Thành viên (lý do: đi công tác)";
    a reason not given is a blank to write by hand."""
    return (
        f"{member.danh_xung.lower()} {member.ho_ten}, {member.chuc_vu}, {member.role_name} "
        f"(lý do: {reason.rstrip('.') or '……………'})"
    )


def profile_context(profile: Profile) -> dict[str, Any]:
    """The variables every template shares."""
    unit = profile.don_vi
    words = unit.words
    meeting = profile.hop_hoi_dong
    members = [_member(m) for m in profile.hoi_dong]
    present = [m for m in profile.hoi_dong if m.ho_ten not in meeting.vang_mat]
    chair = profile.council_member("chu_tich") if profile.hoi_dong else None
    secretary = profile.council_member("thu_ky") if profile.hoi_dong else None
    period = period_of(unit.nam)
    office = period.office_of(unit.cap) if period else ""
    return {
        "don_vi": {
            "tinh": unit.tinh,
            "cap_tinh": words.cap_tinh,
            "tinh_day_du": words.tinh_day_du,
            "huyen": unit.huyen or "",
            "cap_huyen": words.cap_huyen,
            "huyen_day_du": words.huyen_day_du,
            "xa": unit.xa,
            "cap": unit.cap,
            "ten_day_du": words.don_vi,
            "cap_thon": words.cap_thon,
            "truong_thon": words.truong_thon,
            "loai": unit.loai,
            "thon": list(unit.thon),
            "so_thon": len(unit.thon),
            "nam": unit.nam,
            "nguong_diem": vnformat.number(unit.threshold),
        },
        # The level above the commune that sets targets: the district until July 2025, then
        # the province or the centrally-run city.
        "cap_tren": words.cap_tren,
        "co_quan": {
            "viet_tat": profile.co_quan.viet_tat,
            "dia_danh": profile.co_quan.dia_danh,
            "luu": profile.co_quan.luu,
            # Who keeps the unit's office in its era (data/thoi-ky.toml), as a sentence opens.
            "van_phong_dau_cau": vnformat.upper_first(office) if office else "",
        },
        "lanh_dao": {
            "chu_tich": profile.lanh_dao.chu_tich,
            "pho_chu_tich": profile.lanh_dao.pho_chu_tich,
            "cong_chuc_vhxh": profile.lanh_dao.cong_chuc_vhxh,
        },
        "tiep_nhan": {
            "ten": profile.tiep_nhan.ten,
            "dia_ban": profile.tiep_nhan.dia_ban,
            "kinh_gui": _receiver(profile),
            "cong_nhan": profile.tiep_nhan.cong_nhan,
        },
        "ke_hoach": {
            "can_cu_loai": profile.ke_hoach.can_cu_loai,
            "can_cu_so": profile.ke_hoach.can_cu_so,
            "can_cu_ngay": profile.ke_hoach.can_cu_ngay,
            "can_cu_co_quan": profile.ke_hoach.can_cu_co_quan,
            "muc_tieu_ty_le": profile.ke_hoach.muc_tieu_ty_le,
            "han_bao_cao": profile.ke_hoach.han_bao_cao,
        },
        "hoi_dong": {
            "thanh_vien": members,
            "so_thanh_vien": len(members),
            "chu_tich": _member(chair) if chair else None,
            "thu_ky": _member(secretary) if secretary else None,
        },
        "hop": {
            "bat_dau": _when(meeting.bat_dau),
            "ngay": vnformat.short_date(meeting.bat_dau.date()) if meeting.bat_dau else "…/…/……",
            "ket_thuc": _when(meeting.ket_thuc),
            "dia_diem": meeting.dia_diem or "…………………………………………",
            "co_mat": [_member(m) for m in present],
            "so_co_mat": len(present),
            "vang_mat": list(meeting.vang_mat),
            "vang_mat_dong": [
                _absent(m, meeting.reason(m.ho_ten))
                for m in profile.hoi_dong
                if m.ho_ten in meeting.vang_mat
            ],
            "tan_thanh": "……" if meeting.tan_thanh is None else str(meeting.tan_thanh),
            "khong_tan_thanh": (
                "……" if meeting.khong_tan_thanh is None else str(meeting.khong_tan_thanh)
            ),
        },
        "bao_cao": {
            "dac_diem": list(profile.bao_cao.dac_diem) or HAND_LINES,
            "kho_khan": list(profile.bao_cao.kho_khan) or HAND_LINES,
            "de_xuat": list(profile.bao_cao.de_xuat) or HAND_LINES,
        },
    }


def document_context(profile: Profile, doc: DocumentSettings) -> dict[str, Any]:
    """The variables of one document's template: the shared ones plus `van_ban`."""
    context = profile_context(profile)
    unit = profile.don_vi
    signer = profile.lanh_dao.name_of(doc.nguoi_ky) if doc.nguoi_ky else ""
    # Mẫu 1.2 note 6: a decision names the collective (TM.) or the head who issues it.
    issuer = "ỦY BAN NHÂN DÂN" if doc.quyen_han == "TM" else "CHỦ TỊCH ỦY BAN NHÂN DÂN"
    context["van_ban"] = {
        "ten": doc.type.name,
        "so": vnformat.doc_number(doc.so),
        "ky_hieu": f"{doc.type.symbol}-{profile.co_quan.viet_tat}",
        "ngay": doc.ngay,
        "ngay_thang": vnformat.long_date(doc.ngay, unit.nam),
        "noi_nhan": list(doc.noi_nhan),
        "can_cu": list(doc.can_cu),
        "tham_quyen": doc.authority_lines(),
        "tham_quyen_ban_hanh": vnformat.upper(f"{issuer} {unit.cap} {unit.xa}"),
        "nguoi_ky": signer,
    }
    return context


def score_context(
    profile: Profile, scorecard: dict[str, Any], totals: dict[str, Any]
) -> dict[str, Any]:
    """The scoring results for the minutes, the report and the request (`bang_diem`)."""
    villages = int(totals.get("so_thon", 0))
    words = profile.don_vi.words
    criteria = []
    overrides: list[dict[str, Any]] = []
    for c in scorecard["criteria"]:
        items = []
        for item in c["items"]:
            override = item.get("override")
            entry = {
                "ma": item["id"],
                "ten": item["label"],
                "toi_da": points(item["max"]),
                "diem_tinh": points(item["computed"]),
                "diem": points(item["points"]),
                "ly_do": override["reason"] if override else "",
                # A reason is too long for a table cell: the cell points to its paragraph.
                "stt_dieu_chinh": len(overrides) + 1 if override else "",
                "ghi_chu": f"Điều chỉnh ({len(overrides) + 1})" if override else "",
                "cau": item_sentence(item, villages, words),
            }
            items.append(entry)
            if override:
                overrides.append(entry)
        criteria.append(
            {
                "stt": c["no"],
                "ten": c["name"],
                "toi_da": points(c["max"]),
                "diem_tinh": points(c["computed"]),
                "diem": points(c["points"]),
                "muc": items,
                "ten_goi": criterion_name(c),
            }
        )
    zero = [c for c in scorecard["criteria"] if c["no"] in scorecard["zero_criteria"]]
    recognized = bool(scorecard["recognized"])
    # What a criterion at 0 lost, for a template that details it (the shipped ones name the
    # criterion once and leave its figures to section II).
    lost = [
        f"{vnformat.upper_first(criterion_name(c))}, mục {i['id']}: "
        f"{vnformat.lower_first(item_sentence(i, villages, words))}"
        for c in zero
        for i in c["items"]
        if Decimal(str(i["points"])) < Decimal(str(i["max"]))
    ]
    at_max = sum(1 for c in scorecard["criteria"] if c["points"] >= c["max"])
    return {
        "bang_diem": {
            "tong": points(scorecard["total"]),
            "tong_tinh": points(scorecard["computed_total"]),
            "toi_da": points(scorecard["scale"]),
            "nguong": points(scorecard["threshold"]),
            "dat": recognized,
            "nhom_nguong": threshold_group(str(scorecard["unit_type"]), words.cap),
            "ket_luan": conclusion(scorecard, words),
            "ket_qua": RESULT_WORDS[recognized],
            "chua_dat": lost,
            "tieu_chi": criteria,
            "so_tieu_chi": len(criteria),
            "so_tieu_chi_dat": len(criteria) - len(zero),
            "so_tieu_chi_toi_da": at_max,
            "tieu_chi_0_cau": zero_sentence(scorecard),
            "dieu_chinh": overrides,
            # The name a clerk cites; the version is the tool's bookkeeping, not the law's.
            "bo_tieu_chi": scorecard["rule_set"]["name"],
            "tre_em_duoi_16": vnformat.number(int(totals.get("tre_em_duoi_16", 0))),
        }
    }
