"""Build the shipped Word templates in `templates/` from their text below.

Run `python scripts/build_templates.py` after changing a template's wording or the
layout in `pipeline/papers/nd30.py`; a test fails while the committed templates differ from
what this script builds. The templates stay editable in Word: variables and loops are
plain Jinja tags in the text.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from docx.document import Document as DocxDocument
from docx.shared import Pt

from pipeline.files.atomic import atomic_write, docx_bytes, set_core_properties
from pipeline.model.dossier import Dossier
from pipeline.model.profile import load_profile
from pipeline.papers import nd30
from pipeline.papers.templating import flatten, variables_markdown
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import load_scoring, paper_context
from pipeline.stages.score import score

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Decision 06 as the papers cite it, and its title quoted exactly (never with the unit's kind).
QD06 = "Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ"
QD06_TITLE = (
    "ban hành Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp "
    "với trẻ em"
)
XA = "{{ don_vi.cap }} {{ don_vi.xa }}"
# The unit's words come from the profile (pipeline/model/units.py), never from the template text.
CAP = "{{ don_vi.cap }}"
THON = "{{ don_vi.cap_thon }}"
NAM = "{{ don_vi.nam }}"
# A title's last phrase is bound with non-breaking spaces, so that a title too long for one line
# breaks before "phù hợp với trẻ em năm 2026" and never leaves "em năm 2026" or one word alone.
NB = "\u00a0"
TITLE_END = f"phù{NB}hợp{NB}với{NB}trẻ{NB}em{NB}năm{NB}{NAM}"

AGENCY = ("ỦY BAN NHÂN DÂN", "{{ don_vi.cap|in_hoa }} {{ don_vi.xa|in_hoa }}")
NUMBER = "Số: {{ van_ban.so }}/{{ van_ban.ky_hieu }}"
PLACE_DATE = "{{ co_quan.dia_danh }}, {{ van_ban.ngay_thang }}"
RECIPIENTS = ("{%p for noi in van_ban.noi_nhan %}", "- {{ noi }};", "{%p endfor %}")
ARCHIVE = "- Lưu: {{ co_quan.luu }}."
AUTHORITY = ("{%p for dong in van_ban.tham_quyen %}", "{{ dong }}", "{%p endfor %}")
SIGNER = "{{ van_ban.nguoi_ky }}"

# (style, text) pairs; a text given as a tuple alternates plain and bold runs of one
# paragraph: ("plain", "bold", "plain", ...).
Block = tuple[str, str | tuple[str, ...]]

KH_BODY: list[Block] = [
    (
        "NoiDung",
        "Thực hiện {{ ke_hoach.can_cu_loai }} số {{ ke_hoach.can_cu_so }} ngày "
        "{{ ke_hoach.can_cu_ngay|ngay_so }} của {{ ke_hoach.can_cu_co_quan }}, Ủy ban nhân dân "
        f"{XA} xây dựng Kế hoạch thực hiện {QD06} {QD06_TITLE} năm {NAM} như sau:",
    ),
    ("DeMuc", "I. MỤC ĐÍCH, YÊU CẦU"),
    ("DeMuc", "1. Mục đích"),
    (
        "NoiDung",
        f"- Xây dựng {XA} đạt tiêu chuẩn phù hợp với trẻ em nhằm tạo môi trường sống an toàn, "
        "thân thiện với trẻ em; bảo đảm tất cả trẻ em đều được hưởng các quyền của mình, có cơ "
        "hội phát triển toàn diện về thể chất, trí tuệ, tinh thần và nhân cách.",
    ),
    (
        "NoiDung",
        "- {{ don_vi.cap|capitalize }} đạt tiêu chuẩn phù hợp với trẻ em là một trong những điều "
        "kiện quan trọng để đánh giá mức độ hoàn thành nhiệm vụ phát triển kinh tế - xã hội của "
        "địa phương, đơn vị. Bảo đảm việc thực thi pháp luật về bảo vệ, chăm sóc và giáo dục trẻ "
        "em ngày một tốt hơn; không ngừng xây dựng và hoàn thiện các điều kiện để bảo đảm thực "
        "hiện các quyền của trẻ em.",
    ),
    (
        "NoiDung",
        "- Phấn đấu toàn {{ cap_tren }} có {{ ke_hoach.muc_tieu_ty_le|ty_le(0) }} số đơn vị "
        f"hành chính cấp xã đạt tiêu chuẩn phù hợp với trẻ em trong năm {NAM}.",
    ),
    ("NoiDung", f"- 100% các {THON} thực hiện các tiêu chí phù hợp với trẻ em."),
    ("DeMuc", "2. Yêu cầu"),
    (
        "NoiDung",
        f"- Căn cứ {QD06} để đánh giá và công nhận {XA} phù hợp với trẻ em. "
        "{{ don_vi.cap|capitalize }} được công nhận phù hợp với trẻ em là một trong những tiêu "
        "chuẩn quan trọng để đánh giá mức độ hoàn thành nhiệm vụ phát triển kinh tế - xã hội của "
        "địa phương.",
    ),
    (
        "NoiDung",
        f"- Việc tổ chức đánh giá và công nhận {CAP} phù hợp với trẻ em phải bảo đảm công khai, "
        "minh bạch, dân chủ và đúng quy định.",
    ),
    ("DeMuc", "II. NỘI DUNG THỰC HIỆN"),
    (
        "NoiDung",
        "1. Tăng cường công tác lãnh đạo, chỉ đạo việc xây dựng "
        f"{CAP} đạt tiêu chuẩn phù hợp với trẻ em năm {NAM} theo {QD06}.",
    ),
    (
        "NoiDung",
        "2. Tổ chức các hoạt động truyền thông nhằm nâng cao vai trò, trách nhiệm của gia đình và "
        "cộng đồng đối với việc bảo vệ, chăm sóc và giáo dục trẻ em; giáo dục, tư vấn, tham vấn "
        "kỹ năng làm cha mẹ và kỹ năng sống cho trẻ em. Phòng ngừa, ngăn chặn, không để trẻ em "
        "rơi vào hoàn cảnh đặc biệt.",
    ),
    (
        "NoiDung",
        f"3. Nâng cao năng lực đội ngũ làm công tác bảo vệ, chăm sóc trẻ em từ {CAP} đến {THON}.",
    ),
    (
        "NoiDung",
        "4. Vận động các tổ chức, cá nhân tham gia đóng góp, đầu tư kinh phí cho các hoạt động "
        "thường xuyên của công tác bảo vệ, chăm sóc và giáo dục trẻ em. Thực hiện đầy đủ, kịp "
        "thời các chế độ, chính sách đối với trẻ em, tạo điều kiện để trẻ em được thực hiện đầy "
        "đủ các quyền theo quy định của pháp luật.",
    ),
    ("DeMuc", "III. TỔ CHỨC THỰC HIỆN"),
    ("DeMuc", "1. Công chức Văn hóa - Xã hội phụ trách công tác trẻ em"),
    (
        "NoiDung",
        f"- Tham mưu cho Ủy ban nhân dân {CAP} xây dựng Kế hoạch; phối hợp với các ban, ngành, "
        f"đoàn thể {CAP} và các {THON} triển khai thực hiện {QD06} {QD06_TITLE}.",
    ),
    (
        "NoiDung",
        "- Phối hợp với các ban, ngành, các tổ chức chính trị - xã hội đẩy mạnh công tác tuyên "
        "truyền, giáo dục nhằm nâng cao ý thức trách nhiệm của các cấp, các ngành, các tổ chức, "
        f"đoàn thể và nhân dân trong việc xây dựng {CAP} phù hợp với trẻ em.",
    ),
    (
        "NoiDung",
        f"- Tham gia các lớp tập huấn nâng cao nghiệp vụ về công tác xây dựng {CAP} phù hợp với "
        "trẻ em do cấp trên tổ chức.",
    ),
    ("DeMuc", f"2. Các ban, ngành, đoàn thể {CAP}"),
    (
        "NoiDung",
        f"- Quán triệt và xác định việc xây dựng {CAP} phù hợp với trẻ em là một trong những "
        "nhiệm vụ cần quan tâm lãnh đạo, chỉ đạo thực hiện.",
    ),
    (
        "NoiDung",
        f"- Căn cứ tiêu chuẩn {CAP} phù hợp với trẻ em và tình hình thực tế của địa phương, xây "
        "dựng kế hoạch để tổ chức triển khai thực hiện đạt các tiêu chuẩn theo quy định.",
    ),
    (
        "NoiDung",
        "- Đẩy mạnh công tác tuyên truyền, giáo dục nhằm nâng cao ý thức trách nhiệm của các tổ "
        f"chức, đoàn thể và nhân dân trong việc xây dựng {CAP} đạt tiêu chuẩn phù hợp với trẻ em.",
    ),
    (
        "NoiDung",
        (
            "",
            f"3. Các {THON}:",
            f" Thực hiện tốt các nội dung xây dựng {CAP} phù hợp với trẻ em; đẩy mạnh tuyên "
            "truyền công tác trẻ em trên địa bàn; chú trọng chăm sóc, quan tâm trẻ em, đặc biệt "
            "là trẻ em nghèo. Tập trung chỉ đạo công tác vệ sinh môi trường, tạo không khí trong "
            "sạch, lành mạnh cho trẻ em.",
        ),
    ),
    # The seed asked the villages to score and to hold the council's meeting too: they
    # gather the figures; scoring and the council's evaluation follow.
    ("DeMuc", "IV. CHẾ ĐỘ THÔNG TIN, BÁO CÁO"),
    (
        "NoiDung",
        (
            f"Yêu cầu các ban, ngành, đoàn thể {CAP} và các {THON} trên địa bàn {CAP} tổ chức "
            "thu thập số liệu, gửi về công chức Văn hóa - Xã hội trước ngày ",
            "{{ ke_hoach.han_bao_cao|ngay_so }}",
            f" để tổng hợp, chấm điểm, trình Hội đồng đánh giá {CAP} phù hợp với trẻ em năm "
            f"{NAM} và báo cáo {{{{ tiep_nhan.kinh_gui }}}} theo quy định.",
        ),
    ),
    (
        "NoiDung",
        f"Trên đây là Kế hoạch thực hiện {QD06} {QD06_TITLE} trên địa bàn {XA} năm{NB}{NAM}./.",
    ),
]


def _body(doc: DocxDocument, blocks: list[Block], *, after_table: bool = False) -> None:
    for n, (style, text) in enumerate(blocks):
        para = nd30.paragraph(doc, style)
        if after_table and n == 0:
            para.paragraph_format.space_before = Pt(6)
        parts = (text,) if isinstance(text, str) else text
        for i, part in enumerate(parts):
            if part:
                nd30.add_run(para, part, bold=True if i % 2 else None)


def build_ke_hoach() -> DocxDocument:
    """KH-ke-hoach.docx: the commune's plan (Mẫu 1.4, văn bản có tên loại)."""
    doc = nd30.new_document()
    nd30.header_block(doc, AGENCY, NUMBER, PLACE_DATE)
    nd30.title_block(
        doc,
        "KẾ HOẠCH",
        [
            f"Thực hiện {QD06.replace('Chính phủ', f'Chính{NB}phủ')} "
            f"{QD06_TITLE.removesuffix(' phù hợp với trẻ em')} {TITLE_END}"
        ],
    )
    _body(doc, KH_BODY)
    nd30.signature_block(doc, RECIPIENTS, ARCHIVE, AUTHORITY, SIGNER)
    return doc


def _loop(open_tag: str, item: str) -> tuple[str, str, str]:
    return (f"{{%p {open_tag} %}}", item, "{%p endfor %}")


def _paragraph_loop(doc: DocxDocument, style: str, open_tag: str, item: str) -> None:
    for text in _loop(open_tag, item):
        nd30.paragraph(doc, style, text)


COUNCIL = f"Hội đồng đánh giá {XA} phù hợp với trẻ em năm {NAM}"


def build_quyet_dinh() -> DocxDocument:
    """QD-thanh-lap-hoi-dong.docx: the decision establishing the council (Mẫu 1.2)."""
    doc = nd30.new_document()
    nd30.header_block(doc, AGENCY, NUMBER, PLACE_DATE)
    nd30.title_block(
        doc,
        "QUYẾT ĐỊNH",
        [f"Về việc thành lập Hội đồng đánh giá {CAP} {TITLE_END}"],
    )
    nd30.paragraph(doc, "ThamQuyen", "{{ van_ban.tham_quyen_ban_hanh }}")
    _paragraph_loop(
        doc,
        "CanCu",
        "for cc in van_ban.can_cu",
        "{{ cc }}{% if loop.last %}.{% else %};{% endif %}",
    )
    nd30.paragraph(doc, "QuyetDinh", "QUYẾT ĐỊNH:")
    _body(
        doc,
        [
            (
                "NoiDung",
                (
                    "",
                    "Điều 1.",
                    f" Thành lập {COUNCIL} (sau đây gọi là Hội đồng), gồm các ông (bà) có tên sau:",
                ),
            ),
        ],
    )
    _paragraph_loop(
        doc,
        "NoiDung",
        "for tv in hoi_dong.thanh_vien",
        "{{ loop.index }}. {{ tv.dong }}{% if loop.last %}.{% else %};{% endif %}",
    )
    _body(
        doc,
        [
            (
                "NoiDung",
                (
                    "",
                    "Điều 2.",
                    f" Hội đồng có nhiệm vụ tổ chức thu thập, tổng hợp số liệu của các {THON} và "
                    "các ban, ngành; đánh giá, chấm điểm mức độ đạt các tiêu chuẩn "
                    f"{CAP} phù hợp với trẻ em theo {QD06}; lập biên bản, báo cáo kết quả đánh giá "
                    "và hồ sơ đề nghị công nhận gửi cấp có thẩm quyền. Hội đồng làm việc theo chế "
                    "độ kiêm nhiệm và tự giải thể sau khi hoàn thành nhiệm vụ.",
                ),
            ),
            (
                "NoiDung",
                (
                    "",
                    "Điều 3.",
                    " Quyết định này có hiệu lực kể từ ngày ký. {{ co_quan.van_phong_dau_cau }}, "
                    "công chức Văn hóa - Xã hội, các ban, ngành, đoàn thể có "
                    "liên quan và các ông (bà) có tên tại Điều 1 chịu trách nhiệm thi hành Quyết "
                    "định "
                    "này./.",
                ),
            ),
        ],
    )
    nd30.signature_block(
        doc,
        ("{%p for noi in ['Như Điều 3'] + van_ban.noi_nhan %}", "- {{ noi }};", "{%p endfor %}"),
        ARCHIVE,
        AUTHORITY,
        SIGNER,
    )
    return doc


SCORE_COLUMNS = (
    nd30.Column("TT", 700, "BangChu"),
    nd30.Column("Tiêu chí, nội dung đánh giá", 4055, "BangChu"),
    nd30.Column("Điểm tối đa", 1000, "BangSo"),
    nd30.Column("Điểm tính theo số liệu", 1100, "BangSo"),
    nd30.Column("Điểm Hội đồng chấm", 1100, "BangSo"),
    nd30.Column("Ghi chú", 1400, "BangChu"),
)
SCORE_ROWS = (
    nd30.Row(("{%tr for c in bang_diem.tieu_chi %}",)),
    nd30.Row(
        ("{{ c.stt }}", "{{ c.ten }}", "{{ c.toi_da }}", "{{ c.diem_tinh }}", "{{ c.diem }}", ""),
        bold=True,
    ),
    nd30.Row(("{%tr for m in c.muc %}",)),
    nd30.Row(
        (
            "{{ m.ma }}",
            "{{ m.ten }}",
            "{{ m.toi_da }}",
            "{{ m.diem_tinh }}",
            "{{ m.diem }}",
            "{{ m.ghi_chu }}",
        ),
    ),
    nd30.Row(("{%tr endfor %}",)),
    nd30.Row(("{%tr endfor %}",)),
    nd30.Row(
        (
            "",
            "Tổng cộng",
            "{{ bang_diem.toi_da }}",
            "{{ bang_diem.tong_tinh }}",
            "{{ bang_diem.tong }}",
            "",
        ),
        bold=True,
    ),
)


def build_bien_ban() -> DocxDocument:
    """BB-hop-hoi-dong.docx: the minutes of the council's scoring meeting (Mẫu 1.9)."""
    doc = nd30.new_document()
    nd30.header_block(doc, AGENCY, NUMBER, None)
    nd30.title_block(doc, "BIÊN BẢN", [f"Họp Hội đồng đánh giá {XA} {TITLE_END}"])
    _body(
        doc,
        [
            ("NoiDung", "Thời gian bắt đầu: {{ hop.bat_dau }}."),
            ("NoiDung", "Địa điểm: {{ hop.dia_diem }}."),
            ("NoiDung", "Thành phần tham dự:"),
        ],
    )
    _paragraph_loop(
        doc,
        "NoiDung",
        "for tv in hop.co_mat",
        "- {{ tv.dong }}{% if loop.last %}.{% else %};{% endif %}",
    )
    _body(
        doc,
        [
            (
                "NoiDung",
                "Có mặt: {{ hop.so_co_mat }}/{{ hoi_dong.so_thanh_vien }} thành viên"
                "{% if hop.vang_mat_dong %}; vắng mặt: {{ hop.vang_mat_dong|join('; ') }}"
                "{% endif %}.",
            ),
        ],
    )
    _body(
        doc,
        [
            (
                "NoiDung",
                "Chủ trì (chủ tọa): {{ hoi_dong.chu_tich.danh_xung }} "
                "{{ hoi_dong.chu_tich.ho_ten }}, {{ hoi_dong.chu_tich.chuc_vu }} - Chủ tịch Hội "
                "đồng.",
            ),
            (
                "NoiDung",
                "Thư ký (người ghi biên bản): {{ hoi_dong.thu_ky.danh_xung }} "
                "{{ hoi_dong.thu_ky.ho_ten }}, {{ hoi_dong.thu_ky.chuc_vu }}.",
            ),
            ("DeMuc", "NỘI DUNG CUỘC HỌP"),
            (
                "NoiDung",
                "1. Hội đồng nghe công chức Văn hóa - Xã hội báo cáo số liệu thu thập từ "
                f"{{{{ don_vi.so_thon }}}} {THON} và các ban, ngành của {CAP} năm "
                "{{ don_vi.nam }} theo các tiêu chuẩn của Quyết định số 06/QĐ-TTg ngày 03/01/2019 "
                "của Thủ tướng "
                "Chính phủ.",
            ),
            (
                "NoiDung",
                "2. Hội đồng thảo luận, đối chiếu số liệu và chấm điểm từng tiêu chí theo "
                "{{ bang_diem.bo_tieu_chi }}. Kết quả chấm điểm như sau:",
            ),
        ],
    )
    nd30.data_table(doc, SCORE_COLUMNS, SCORE_ROWS)
    _body(
        doc,
        after_table=True,
        blocks=[
            (
                "NoiDung",
                "3. Tổng số điểm: {{ bang_diem.tong }}/{{ bang_diem.toi_da }} điểm; ngưỡng điểm "
                "công nhận đối với {{ bang_diem.nhom_nguong }} là {{ bang_diem.nguong }} điểm; "
                "{{ bang_diem.tieu_chi_0_cau }}.",
            ),
            ("NoiDung", "{%p for dc in bang_diem.dieu_chinh %}"),
            (
                "NoiDung",
                "({{ dc.stt_dieu_chinh }}) Hội đồng điều chỉnh điểm mục {{ dc.ma }} ({{ dc.ten }}) "
                "từ {{ dc.diem_tinh }} "
                "điểm thành {{ dc.diem }} điểm. Lý do: {{ dc.ly_do }}",
            ),
            ("NoiDung", "{%p endfor %}"),
            (
                "NoiDung",
                "4. Biểu quyết: {{ hop.tan_thanh }}/{{ hop.so_co_mat }} thành viên có mặt tán "
                "thành, {{ hop.khong_tan_thanh }} thành viên không tán thành.",
            ),
            (
                "NoiDung",
                "5. Kết luận: {{ bang_diem.ket_luan }}",
            ),
            (
                "NoiDung",
                "Cuộc họp kết thúc vào {{ hop.ket_thuc }}; biên bản đã được đọc lại cho các thành "
                "viên dự họp cùng nghe và thống nhất./.",
            ),
        ],
    )
    nd30.minutes_signatures(
        doc,
        ("THƯ KÝ", "{{ hoi_dong.thu_ky.ho_ten }}"),
        ("CHỦ TỌA", "{{ hoi_dong.chu_tich.ho_ten }}"),
        RECIPIENTS,
        "- Lưu: {{ co_quan.luu }}, Hồ sơ.",
    )
    return doc


REPORT_COLUMNS = (
    nd30.Column("TT", 700, "BangChu"),
    nd30.Column("Tiêu chí", 5855, "BangChu"),
    nd30.Column("Điểm tối đa", 1400, "BangSo"),
    nd30.Column("Điểm đạt", 1400, "BangSo"),
)
REPORT_ROWS = (
    nd30.Row(("{%tr for c in bang_diem.tieu_chi %}",)),
    nd30.Row(("{{ c.stt }}", "{{ c.ten }}", "{{ c.toi_da }}", "{{ c.diem }}")),
    nd30.Row(("{%tr endfor %}",)),
    nd30.Row(("", "Tổng cộng", "{{ bang_diem.toi_da }}", "{{ bang_diem.tong }}"), bold=True),
)
KINH_GUI_BC = "Kính gửi: {{ tiep_nhan.kinh_gui }}."


def build_bao_cao() -> DocxDocument:
    """BC-ket-qua-danh-gia.docx: the self-assessment report (Mẫu 1.4, with Kính gửi)."""
    doc = nd30.new_document()
    nd30.header_block(doc, AGENCY, NUMBER, PLACE_DATE)
    nd30.title_block(doc, "BÁO CÁO", [f"Kết quả đánh giá {XA} {TITLE_END}"])
    nd30.paragraph(doc, "KinhGui", KINH_GUI_BC)
    _body(
        doc,
        [
            (
                "NoiDung",
                "Thực hiện Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ ban "
                "hành Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù "
                f"hợp với trẻ em, Ủy ban nhân dân {XA} báo cáo kết quả tự đánh giá năm {NAM} như "
                "sau:",
            ),
            ("DeMuc", "I. ĐẶC ĐIỂM TÌNH HÌNH"),
            (
                "NoiDung",
                "{{ don_vi.cap|capitalize }} {{ don_vi.xa }} có {{ don_vi.so_thon }} "
                f"{THON}; tổng số trẻ em dưới 16 tuổi là {{{{ bang_diem.tre_em_duoi_16 }}}} trẻ.",
            ),
        ],
    )
    _paragraph_loop(doc, "NoiDung", "for doan in bao_cao.dac_diem", "{{ doan }}")
    _body(
        doc,
        [
            ("DeMuc", "II. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHUẨN"),
            ("DeMuc", "{%p for c in bang_diem.tieu_chi %}"),
            (
                "DeMuc",
                "{{ c.ten_goi|hoa_dau }}: đạt" + NB + "{{ c.diem }}/{{ c.toi_da }}" + NB + "điểm",
            ),
            ("NoiDung", "{%p for m in c.muc %}"),
            ("NoiDung", "- {{ m.cau }}"),
            ("NoiDung", "{%p endfor %}"),
            ("DeMuc", "{%p endfor %}"),
            ("DeMuc", "III. BẢNG TỔNG HỢP ĐIỂM"),
        ],
    )
    nd30.data_table(doc, REPORT_COLUMNS, REPORT_ROWS)
    _body(
        doc,
        after_table=True,
        blocks=[
            ("DeMuc", "IV. KẾT QUẢ ĐÁNH GIÁ"),
            (
                "NoiDung",
                "Tổng số điểm: {{ bang_diem.tong }}/{{ bang_diem.toi_da }} điểm (ngưỡng điểm công "
                "nhận: {{ bang_diem.nguong }} điểm); {{ bang_diem.tieu_chi_0_cau }}.",
            ),
            ("NoiDung", "{{ bang_diem.ket_luan }}"),
            ("DeMuc", "V. KHÓ KHĂN, VƯỚNG MẮC"),
            ("NoiDung", "{%p for doan in bao_cao.kho_khan %}"),
            ("NoiDung", "{{ doan }}"),
            ("NoiDung", "{%p endfor %}"),
            ("DeMuc", "VI. ĐỀ XUẤT, KIẾN NGHỊ"),
            ("NoiDung", "{%p for doan in bao_cao.de_xuat %}"),
            ("NoiDung", "{{ doan }}"),
            ("NoiDung", "{%p endfor %}"),
            (
                "NoiDung",
                f"Trên đây là báo cáo kết quả đánh giá {XA} phù hợp với trẻ em năm {NAM} của Ủy "
                f"ban nhân dân {XA}./.",
            ),
        ],
    )
    nd30.signature_block(doc, RECIPIENTS_UP, ARCHIVE, AUTHORITY, SIGNER)
    return doc


# A paper sent up starts its Nơi nhận with "Như trên" (the addressee of Kính gửi).
RECIPIENTS_UP = (
    "{%p for noi in ['Như trên'] + van_ban.noi_nhan %}",
    "- {{ noi }};",
    "{%p endfor %}",
)


def build_to_trinh() -> DocxDocument:
    """TTr-de-nghi-cong-nhan.docx: the request for recognition (Mẫu 1.4, with Kính gửi)."""
    doc = nd30.new_document()
    nd30.header_block(doc, AGENCY, NUMBER, PLACE_DATE)
    nd30.title_block(
        doc,
        "TỜ TRÌNH",
        [f"Đề nghị công nhận {XA} đạt tiêu chuẩn {CAP} {TITLE_END}"],
    )
    nd30.paragraph(doc, "KinhGui", "Kính gửi: {{ tiep_nhan.cong_nhan }}.")
    _body(
        doc,
        [
            (
                "NoiDung",
                "Căn cứ Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ ban hành "
                "Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp "
                "với trẻ em;",
            ),
            (
                "NoiDung",
                f"Căn cứ kết quả đánh giá, chấm điểm của {COUNCIL} tại cuộc họp ngày "
                "{{ hop.ngay }}.",
            ),
            (
                "NoiDung",
                f"Ủy ban nhân dân {XA} kính trình {{{{ tiep_nhan.cong_nhan }}}} xem xét, công "
                f"nhận {XA} đạt tiêu chuẩn {CAP} phù hợp với trẻ em năm {NAM}, với kết quả như "
                "sau:",
            ),
            (
                "NoiDung",
                "- Tổng số điểm đạt: {{ bang_diem.tong }}/{{ bang_diem.toi_da }} điểm (ngưỡng điểm "
                "công nhận: {{ bang_diem.nguong }} điểm);",
            ),
            (
                "NoiDung",
                "- Số tiêu chí có điểm: {{ bang_diem.so_tieu_chi_dat }}/"
                "{{ bang_diem.so_tieu_chi }} tiêu chí, trong đó {{ bang_diem.so_tieu_chi_toi_da }} "
                "tiêu chí đạt điểm tối đa; "
                "{{ bang_diem.tieu_chi_0_cau }}.",
            ),
            ("NoiDung", "Hồ sơ kèm theo gồm:"),
            ("NoiDung", "- Báo cáo kết quả đánh giá và bảng tổng hợp điểm;"),
            ("NoiDung", "- Biên bản họp Hội đồng đánh giá;"),
            ("NoiDung", f"- Biểu chấm điểm và số liệu của các {THON}."),
            (
                "NoiDung",
                f"Ủy ban nhân dân {XA} kính trình {{{{ tiep_nhan.cong_nhan }}}} xem xét, quyết "
                "định./.",
            ),
        ],
    )
    nd30.signature_block(doc, RECIPIENTS_UP, ARCHIVE, AUTHORITY, SIGNER)
    return doc


BUILDERS: dict[str, tuple[str, Callable[[], DocxDocument]]] = {
    "KH-ke-hoach.docx": ("Mẫu Kế hoạch", build_ke_hoach),
    "QD-thanh-lap-hoi-dong.docx": ("Mẫu Quyết định thành lập Hội đồng", build_quyet_dinh),
    "BB-hop-hoi-dong.docx": ("Mẫu Biên bản họp Hội đồng", build_bien_ban),
    "BC-ket-qua-danh-gia.docx": ("Mẫu Báo cáo kết quả đánh giá", build_bao_cao),
    "TTr-de-nghi-cong-nhan.docx": ("Mẫu Tờ trình đề nghị công nhận", build_to_trinh),
}


def build(name: str) -> bytes:
    """The bytes of one shipped template, identical on every run."""
    title, builder = BUILDERS[name]
    doc = builder()
    set_core_properties(
        doc,
        title=title,
        author="hoso",
        subject="Mẫu văn bản theo Nghị định 30/2020/NĐ-CP",
        when=datetime(2024, 1, 1),
    )
    return docx_bytes(doc)


DEMO = Path(__file__).resolve().parent.parent / "inputs" / "binh-trung-2024"


def demo_context() -> dict[str, Any]:
    """Every template variable of the demo dossier, its data ingested and scored."""
    profile = load_profile(DEMO)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        ingest_to(Dossier(DEMO, out))
        score(Dossier(DEMO, out))
        return paper_context(profile, profile.van_ban["QD"], load_scoring(Dossier(DEMO, out)))


def readme() -> str:
    """templates/README.md, with example values taken from the demo dossier."""
    return variables_markdown(flatten(demo_context()))


def main() -> int:
    for name in BUILDERS:
        atomic_write(TEMPLATES / name, build(name))
        print(TEMPLATES / name)
    atomic_write(TEMPLATES / "README.md", readme().encode("utf-8"))
    print(TEMPLATES / "README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
