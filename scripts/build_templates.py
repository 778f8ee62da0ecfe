"""Build the shipped Word templates in `templates/` from their text below.

Run `python scripts/build_templates.py` after changing a template's wording or the
layout in `pipeline/nd30.py`; a test fails while the committed templates differ from
what this script builds. The templates stay editable in Word: variables and loops are
plain Jinja tags in the text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docx.document import Document as DocxDocument

from pipeline import nd30
from pipeline.output import atomic_write, docx_bytes, set_core_properties

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

QD06 = "Quyết định số 06/QĐ-TTg, ngày 03/01/2019 của Thủ tướng Chính phủ"
XA = "{{ don_vi.cap }} {{ don_vi.xa }}"
NAM = "{{ don_vi.nam }}"

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
        "Thực hiện {{ ke_hoach.can_cu_loai }} số {{ ke_hoach.can_cu_so }}, ngày "
        "{{ ke_hoach.can_cu_ngay|ngay_so }} của {{ ke_hoach.can_cu_co_quan }}, về thực hiện "
        f"{QD06} ban hành quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, phường, thị "
        f"trấn phù hợp với trẻ em năm {NAM}. UBND {XA} xây dựng Kế hoạch thực hiện {QD06} ban "
        "hành quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, thị trấn phù hợp với trẻ "
        f"em năm {NAM}, như sau:",
    ),
    ("DeMuc", "I. MỤC ĐÍCH, YÊU CẦU"),
    ("DeMuc", "1. Mục đích"),
    (
        "NoiDung",
        f"- Xây dựng {XA} đạt tiêu chuẩn phù hợp với trẻ em nhằm tạo môi trường sống an toàn, "
        "thân thiện với trẻ em; đảm bảo tất cả các trẻ em đều được hưởng các quyền của mình, có "
        "cơ hội phát triển toàn diện về thể chất, trí tuệ, tinh thần và nhân cách.",
    ),
    (
        "NoiDung",
        "- Xã đạt tiêu chuẩn phù hợp với trẻ em là một trong những điều kiện quan trọng để đánh "
        "giá mức độ hoàn thành nhiệm vụ phát triển kinh tế - xã hội của địa phương, đơn vị. Đảm "
        "bảo việc thực thi pháp luật về bảo vệ, chăm sóc và giáo dục trẻ em ngày một tốt hơn; "
        "không ngừng xây dựng và hoàn thiện các điều kiện để đảm bảo thực hiện các quyền về trẻ "
        "em.",
    ),
    (
        "NoiDung",
        "- Phấn đấu đạt tiêu chí phù hợp với trẻ em toàn {{ cap_tren }} đạt tỷ lệ "
        f"{{{{ ke_hoach.muc_tieu_ty_le|ty_le(0) }}}} trong năm {NAM}",
    ),
    ("NoiDung", "- 100% các thôn thực hiện các tiêu chí phù hợp với trẻ em."),
    ("DeMuc", "2. Yêu cầu"),
    (
        "NoiDung",
        "- Căn cứ Quyết định số 06/QĐ-TTg, ngày 03/01/2019 của Thủ tướng Chính phủ để đánh giá "
        "và công nhận xã, phường, thị trấn phù hợp với trẻ em. Xã, thị trấn được công nhận phù "
        "hợp với trẻ em là một trong những tiêu chuẩn quan trọng để đánh giá mức độ hoàn thành "
        "nhiệm vụ phát triển kinh tế - xã hội của địa phương.",
    ),
    (
        "NoiDung",
        "- Việc tổ chức, đánh giá và công nhận xã phù hợp với trẻ em phải đảm bảo công khai, minh "
        "bạch, dân chủ và đúng quy định.",
    ),
    ("DeMuc", "II. NỘI DUNG THỰC HIỆN"),
    (
        "NoiDung",
        "1. Tăng cường công tác lãnh đạo, chỉ đạo đối với công tác xây dựng xã đạt tiêu chuẩn phù "
        f"hợp với trẻ em năm {NAM} theo Quyết định số 06/QĐ-TTg ngày 03/01/2019 Thủ tướng Chính "
        "phủ.",
    ),
    (
        "NoiDung",
        "2. Tổ chức các hoạt động truyền thông, nâng cao vai trò, trách nhiệm của gia đình và "
        "cộng đồng đối với việc bảo vệ, chăm sóc và giáo dục trẻ em; giáo dục, tư vấn, tham vấn "
        "kỹ năng làm cha mẹ và kỹ năng sống cho trẻ em. Phòng ngừa, ngăn chặn không để trẻ em "
        "rơi vào hoàn cảnh đặc biệt.",
    ),
    (
        "NoiDung",
        "3. Nâng cao năng lực đội ngũ làm công tác bảo vệ, chăm sóc trẻ em từ xã đến thôn.",
    ),
    (
        "NoiDung",
        "4. Vận động các tổ chức, cá nhân tham gia quyên góp đầu tư kinh phí cho các hoạt động "
        "thường xuyên của công tác bảo vệ, chăm sóc và giáo dục trẻ em. Thực hiện đầy đủ, kịp "
        "thời các chế độ, chính sách đối với trẻ em, tạo điều kiện cho trẻ em được thực hiện đầy "
        "đủ các quyền theo quy định của pháp luật.",
    ),
    ("DeMuc", "III. TỔ CHỨC THỰC HIỆN"),
    ("DeMuc", "1. Công chức Văn hóa xã hội phụ trách công tác trẻ em"),
    (
        "NoiDung",
        "- Tham mưu cho UBND {{ don_vi.cap }} xây dựng Kế hoạch, phối hợp với các ban ngành đoàn "
        "thể xã, các thôn triển khai thực hiện Quyết định số 06/QĐ-TTg, ngày 03/01/2019 của Thủ "
        "tướng Chính phủ về việc ban hành Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, "
        "phù hợp với trẻ em.",
    ),
    (
        "NoiDung",
        "- Phối hợp với các ban ngành các tổ chức chính trị xã hội đẩy mạnh công tác tuyên "
        "truyền, giáo dục nâng cao ý thức trách nhiệm của các cấp, các ngành, các tổ chức, đoàn "
        "thể và nhân dân trong việc xây dựng xã, phù hợp với trẻ em.",
    ),
    (
        "NoiDung",
        "- Tham gia các lớp tập huấn nâng cao nghiệp vụ về công tác xây dựng xã, thị trấn phù hợp "
        "với trẻ em do cấp trên tổ chức.",
    ),
    ("DeMuc", "2. Các ban ngành đoàn thể xã"),
    (
        "NoiDung",
        "- Quán triệt và xác định việc xây dựng xã, thị trấn phù hợp với trẻ em là một trong "
        "những nhiệm vụ cần quan tâm lãnh đạo, chỉ đạo thực hiện.",
    ),
    (
        "NoiDung",
        "- Căn cứ tiêu chuẩn xã, thị trấn phù hợp với trẻ em và tình hình thực tế của địa phương "
        "xây dựng Kế hoạch để tổ chức triển khai thực hiện đạt các tiêu chuẩn theo quy định,",
    ),
    (
        "NoiDung",
        "- Đẩy mạnh công tác tuyên truyền, giáo dục nâng cao ý thức trách nhiệm của các tổ chức, "
        "đoàn thể và nhân dân trong việc xây dựng xã, thị trấn đạt tiêu chuẩn phù hợp với trẻ em.",
    ),
    (
        "NoiDung",
        (
            "",
            "3. Các thôn:",
            " Thực hiện tốt công tác xã phường phù hợp trẻ em, đẩy mạnh tuyên truyền công tác trẻ "
            "em trên địa bàn, chú trọng chăm sóc quan tâm trẻ em, đặc biệt là các trẻ em nghèo. "
            "Tập trung chỉ đạo quyết định vệ sinh môi trường tạo không khí trong sạch lành mạnh "
            "cho trẻ.",
        ),
    ),
    ("DeMuc", "IV. THÔNG TIN BÁO CÁO"),
    (
        "NoiDung",
        (
            "Yêu cầu các ban ngành đoàn thể xã, các thôn trên địa bàn xã, tổ chức triển khai thu "
            "thập số liệu, chấm điểm; họp Hội đồng đánh giá báo cáo kết quả đánh giá xã, phù hợp "
            f"với trẻ em trong năm {NAM} số liệu gửi qua công chức văn hóa xã hội xã trước ngày ",
            "{{ ke_hoach.han_bao_cao|ngay_so }}",
            " để tổng hợp báo cáo {{ tiep_nhan.ten|thuong_dau }} theo quy định.",
        ),
    ),
    (
        "NoiDung",
        f"Trên đây là Kế hoạch thực hiện {QD06} ban hành Quy định tiêu chuẩn, trình tự đánh giá "
        f"và công nhận xã, phù hợp với trẻ em trên địa bàn {XA} năm {NAM}./.",
    ),
]


def _body(doc: DocxDocument, blocks: list[Block]) -> None:
    for style, text in blocks:
        para = nd30.paragraph(doc, style)
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
            f"Thực hiện {QD06} ban hành Quy định tiêu chuẩn, trình tự đánh giá và công nhận xã, "
            f"thị trấn phù hợp với trẻ em năm {NAM}"
        ],
    )
    _body(doc, KH_BODY)
    nd30.signature_block(doc, RECIPIENTS, ARCHIVE, AUTHORITY, SIGNER)
    return doc


BUILDERS: dict[str, tuple[str, Callable[[], DocxDocument]]] = {
    "KH-ke-hoach.docx": ("Mẫu Kế hoạch", build_ke_hoach),
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


def main() -> int:
    for name in BUILDERS:
        atomic_write(TEMPLATES / name, build(name))
        print(TEMPLATES / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
