"""Every commune-level unit in its own words and its year's law: the papers of a xã, a
phường, a thị trấn and a đặc khu, under a province or a centrally-run city, in 2024 and 2026."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.check.checker import check_files
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.files.docxread import text_lines
from pipeline.model.dossier import Dossier
from pipeline.model.layout import WORKBOOK_NAME
from pipeline.model.profile import load_profile
from pipeline.model.units import (
    Words,
    is_central_city,
    known_category,
    period_of,
    split_district,
    split_province,
    strip_kind,
    village_name,
)
from pipeline.papers.nd30 import hand_line
from pipeline.papers.score_workbook import SUMMARY
from pipeline.stages.init import init_dossier, stale_defaults
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import PAPERS
from tests.factories import make_data, without_workbooks, write_data
from tests.helpers import libreoffice_convert
from tests.paper_lint import faults

QD06 = "Quyết định số 06/QĐ-TTg ngày 03/01/2019 của Thủ tướng Chính phủ"

VILLAGES = ("An Biên", "Cát Dài", "Dư Hàng")
# What the hand-typed parts of the profile say (names, places); filled in after `hoso init`.
FILLED = {
    "chu_tich": "Phạm Văn Thắng",
    "pho_chu_tich": "Nguyễn Thị Hạnh",
    "cong_chuc_vhxh": "Trần Thu Trang",
    "ten": "Sở Y tế",
    "can_cu_so": "85/KH-UBND",
    "can_cu_co_quan": "Ủy ban nhân dân cấp trên",
}


def unit_dossier(
    folder: Path,
    *,
    cap: str,
    tinh: str,
    nam: int,
    cap_thon: str = "",
    xa: str = "Hòa Khánh",
    huyen: str = "",
) -> Path:
    """`hoso init` for the unit, then the blanks a clerk fills, as a clerk would."""
    # A unit whose kind and place do not decide its category: the default of the examples.
    province, _ = split_province(tinh)
    loai = "" if known_category(cap, province, nam) else "con_lai"
    path = init_dossier(
        folder, xa=xa, tinh=tinh, huyen=huyen, nam=nam, cap=cap, cap_thon=cap_thon, loai=loai
    )
    text = path.read_text(encoding="utf-8")
    for key, value in FILLED.items():
        text = re.sub(rf'^{key} = ""', f'{key} = "{value}"', text, count=1, flags=re.M)
    province, _ = split_province(tinh)
    level = "thành phố" if is_central_city(province, nam) else "tỉnh"
    text = re.sub(r'^dia_ban = ""', f'dia_ban = "{level} {province}"', text, flags=re.M)
    text = re.sub(
        r'^cong_nhan = ""', f'cong_nhan = "Ủy ban nhân dân {level} {province}"', text, flags=re.M
    )
    text = text.replace('can_cu_ngay = ""', f"can_cu_ngay = {nam}-03-20")
    text = text.replace('han_bao_cao = ""', f"han_bao_cao = {nam}-11-06")
    text = text.replace("thon = []", "thon = [" + ", ".join(f'"{v}"' for v in VILLAGES) + "]")
    members = iter(["Phạm Văn Thắng", "Trần Thu Trang", "Đỗ Minh Quang"])
    text = re.sub(r'^ho_ten = ""', lambda _: f'ho_ten = "{next(members)}"', text, flags=re.M)
    text = text.replace('chuc_vu = ""', 'chuc_vu = "Trưởng Trạm Y tế"')
    path.write_text(text, encoding="utf-8")
    return folder


def render_all(dossier: Path, out: Path, nam: int, **village: object) -> dict[str, list[str]]:
    without_workbooks(dossier)
    data = {name: dict(village) for name in VILLAGES}
    write_data(out, make_data(data, xa="Hòa Khánh", nam=nam), dossier)  # type: ignore[arg-type]
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    return {
        name: text_lines(docx.Document(str(out / name))) for name in PAPERS if (out / name).exists()
    }


# Where a word names the law's level or a title quoted exactly, it stays in every unit's papers.
ALWAYS_ALLOWED = (
    "công nhận xã, phường, thị trấn phù hợp với trẻ em",  # Decision 06's title
    "tiêu chuẩn xã, phường, thị trấn phù hợp với trẻ em",
    "cấp xã",
    "xã hội",  # "Văn hóa - Xã hội", "Cộng hòa xã hội chủ nghĩa"
    "xã đặc biệt khó khăn",  # Decision 06's name of a unit type
    "thành phố trực thuộc trung ương",  # the law's name of a category of province
)
KINDS = ("xã", "phường", "thị trấn", "đặc khu")
BELOW = ("thôn", "tổ dân phố", "khu phố")

CASES = [
    pytest.param(cap, tinh, nam, id=f"{cap}-{tinh}-{nam}")
    for cap in KINDS
    for tinh in ("Lạng Sơn", "Hải Phòng")
    for nam in (2024, 2026)
    if not (cap == "thị trấn" and nam == 2026) and not (cap == "đặc khu" and nam == 2024)
]


def _strays(text: str, own: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """Forbidden words left in `text` once allowed phrases and the unit's own words are gone."""
    folded = text.casefold()
    for phrase in sorted(own, key=len, reverse=True):
        folded = folded.replace(phrase.casefold(), " ")
    return [w for w in forbidden if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded)]


@pytest.mark.parametrize(("cap", "tinh", "nam"), CASES)
def test_every_paper_speaks_the_units_words(tmp_path: Path, cap: str, tinh: str, nam: int) -> None:
    below = "khu phố" if cap == "đặc khu" else ""
    # Before the reform every unit belongs to a district (a quận in a centrally-run city).
    district = "" if nam >= 2025 else ("quận Lê Chân" if tinh == "Hải Phòng" else "Cao Lộc")
    dossier = unit_dossier(
        tmp_path / "hs", cap=cap, tinh=tinh, nam=nam, cap_thon=below, huyen=district
    )
    profile = load_profile(dossier)
    words = profile.don_vi.words
    papers = render_all(dossier, tmp_path / "out", nam)
    assert set(papers) == set(PAPERS)

    city = tinh == "Hải Phòng"
    allowed = [*ALWAYS_ALLOWED, words.cap, words.cap_thon]
    forbidden = [k for k in (*KINDS, *BELOW) if k not in (words.cap, words.cap_thon)]
    forbidden += ["tỉnh"] if city else ["thành phố"]
    forbidden += ["huyện"] if nam >= 2025 else []
    for name, lines in papers.items():
        text = "\n".join(lines)
        assert _strays(text, tuple(allowed), tuple(forbidden)) == [], name

    head = cap.capitalize()
    cap_tren = "thành phố" if city else "tỉnh"
    assert papers["KH-ke-hoach.docx"][1] == f"{cap.upper()} HÒA KHÁNH"
    plan = papers["KH-ke-hoach.docx"]
    below = words.cap_thon
    province = f"{cap_tren} {tinh}"
    # The body that sets the target: the district while there are districts.
    whole = cap_tren if nam >= 2025 else ("quận" if city else "huyện")
    # The seed's slips, corrected for this unit and era (issue: the plan a clerk signs).
    for sentence in (
        f"- Phấn đấu toàn {whole} có 90% số đơn vị hành chính cấp xã đạt tiêu chuẩn phù hợp "
        f"với trẻ em trong năm {nam}.",
        f"3. Nâng cao năng lực đội ngũ làm công tác bảo vệ, chăm sóc trẻ em từ {cap} đến {below}.",
        f"Thực hiện Kế hoạch số 85/KH-UBND ngày 20/3/{nam} của Ủy ban nhân dân cấp trên, Ủy ban "
        f"nhân dân {cap} Hòa Khánh xây dựng Kế hoạch thực hiện {QD06} ban hành Quy định tiêu "
        "chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp với trẻ em năm "
        f"{nam} như sau:",
        f"- Căn cứ {QD06} để đánh giá và công nhận {cap} Hòa Khánh phù hợp với trẻ em. {head} "
        "được công nhận phù hợp với trẻ em là một trong những tiêu chuẩn quan trọng để đánh giá "
        "mức độ hoàn thành nhiệm vụ phát triển kinh tế - xã hội của địa phương.",
        f"1. Tăng cường công tác lãnh đạo, chỉ đạo việc xây dựng {cap} đạt tiêu chuẩn phù hợp "
        f"với trẻ em năm {nam} theo {QD06}.",
        "1. Công chức Văn hóa - Xã hội phụ trách công tác trẻ em",
        f"- Tham mưu cho Ủy ban nhân dân {cap} xây dựng Kế hoạch; phối hợp với các ban, ngành, "
        f"đoàn thể {cap} và các {below} triển khai thực hiện {QD06} ban hành Quy định tiêu "
        "chuẩn, trình tự đánh giá và công nhận xã, phường, thị trấn phù hợp với trẻ em.",
        "- Phối hợp với các ban, ngành, các tổ chức chính trị - xã hội đẩy mạnh công tác tuyên "
        "truyền, giáo dục nhằm nâng cao ý thức trách nhiệm của các cấp, các ngành, các tổ chức, "
        f"đoàn thể và nhân dân trong việc xây dựng {cap} phù hợp với trẻ em.",
        f"- Căn cứ tiêu chuẩn {cap} phù hợp với trẻ em và tình hình thực tế của địa phương, xây "
        "dựng kế hoạch để tổ chức triển khai thực hiện đạt các tiêu chuẩn theo quy định.",
        f"3. Các {below}: Thực hiện tốt các nội dung xây dựng {cap} phù hợp với trẻ em; đẩy mạnh "
        "tuyên truyền công tác trẻ em trên địa bàn; chú trọng chăm sóc, quan tâm trẻ em, đặc "
        "biệt là trẻ em nghèo. Tập trung chỉ đạo công tác vệ sinh môi trường, tạo không khí "
        "trong sạch, lành mạnh cho trẻ em.",
        f"Yêu cầu các ban, ngành, đoàn thể {cap} và các {below} trên địa bàn {cap} tổ chức thu "
        f"thập số liệu, gửi về công chức Văn hóa - Xã hội trước ngày 06/11/{nam} để tổng hợp, "
        f"chấm điểm, trình Hội đồng đánh giá {cap} phù hợp với trẻ em năm {nam} và báo cáo Sở Y "
        f"tế {province} theo quy định.",
        f"Trên đây là Kế hoạch thực hiện {QD06} ban hành Quy định tiêu chuẩn, trình tự đánh giá "
        f"và công nhận xã, phường, thị trấn phù hợp với trẻ em trên địa bàn {cap} Hòa Khánh năm "
        f"{nam}./.",
    ):
        assert sentence in plan, sentence
    minutes = papers["BB-hop-hoi-dong.docx"]
    group = {
        "phuong_do_thi": f"{cap} thuộc thành phố trực thuộc trung ương",
        "mien_nui": f"{cap} thuộc vùng miền núi, hải đảo, vùng đặc biệt khó khăn",
        "con_lai": "phường không thuộc thành phố trực thuộc trung ương"
        if cap == "phường"
        else f"{cap} không thuộc vùng miền núi, hải đảo, vùng đặc biệt khó khăn",
    }[profile.don_vi.loai]
    threshold = {"phuong_do_thi": 900, "mien_nui": 800, "con_lai": 850}[profile.don_vi.loai]
    assert (
        f"3. Tổng số điểm: 1.000/1.000 điểm; ngưỡng điểm công nhận đối với {group} là "
        f"{threshold} điểm; không có tiêu chí nào 0 điểm."
    ) in minutes
    assert "Có mặt: 3/3 thành viên." in minutes
    assert (
        f"2. Hội đồng thảo luận, đối chiếu số liệu và chấm điểm từng tiêu chí theo {QD06}. Kết "
        "quả chấm điểm như sau:"
    ) in minutes
    report = papers["BC-ket-qua-danh-gia.docx"]
    assert "Tiêu chí 10 (Trẻ em đến trường, lớp mầm non): đạt 100/100 điểm" in report
    assert f"Kính gửi: Sở Y tế {province}." in report
    # Every sentence of every paper ends as a sentence, no word is doubled, no office is
    # written in lower case, and every criterion is named one way.
    for name in PAPERS:
        assert faults(docx.Document(str(tmp_path / "out" / name)), nam) == [], name
    # The plan reports to the district the unit belongs to; after the reform there is none.
    recipients = plan[plan.index("Nơi nhận:") + 1 :]
    report_line = "- UBND quận Lê Chân (b/c);" if city else "- UBND huyện Cao Lộc (b/c);"
    assert (report_line in recipients) == (nam < 2025), recipients
    assert not [line for line in recipients if "(b/c)" in line and line != report_line]
    decision = papers["QD-thanh-lap-hoi-dong.docx"]
    # The unit's office in its era: before July 2025 a commune has no office of its council
    # and committee, only the officer who keeps it.
    office = f"Văn phòng HĐND và UBND {cap}" if nam >= 2025 else "Công chức Văn phòng - Thống kê"
    assert (
        f"Điều 3. Quyết định này có hiệu lực kể từ ngày ký. {office}, công chức Văn hóa - Xã "
        "hội, các ban, ngành, đoàn thể có liên quan và các ông (bà) có tên tại Điều 1 chịu "
        "trách nhiệm thi hành Quyết định này./."
    ) in decision
    assert f"- {office};" in decision
    assert f"Về việc thành lập Hội đồng đánh giá {cap} phù hợp với trẻ em năm {nam}" in decision
    assert f"CHỦ TỊCH ỦY BAN NHÂN DÂN {cap.upper()} HÒA KHÁNH" in decision
    law = (
        "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15 ngày 16 tháng 6 năm 2025;"
        if nam >= 2025
        else "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, "
        "bổ sung một số điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương "
        "ngày 22 tháng 11 năm 2019;"
    )
    assert law in decision
    assert (
        f"{head} Hòa Khánh có 3 {words.cap_thon}; tổng số trẻ em dưới 16 tuổi là 600 trẻ."
        in (papers["BC-ket-qua-danh-gia.docx"])
    )
    assert (
        f"{head} Hòa Khánh đạt tiêu chuẩn {cap} phù hợp với trẻ em năm {nam}."
        in (papers["BC-ket-qua-danh-gia.docx"])
    )
    assert (
        f"Đề nghị công nhận {cap} Hòa Khánh đạt tiêu chuẩn {cap} phù hợp với trẻ em năm {nam}"
        in papers["TTr-de-nghi-cong-nhan.docx"]
    )
    assert f"Kính gửi: Ủy ban nhân dân {cap_tren} {tinh}." in papers["TTr-de-nghi-cong-nhan.docx"]
    # Every unit's papers pass the Decree 30 checker as the demo's do.
    checked = check_files([tmp_path / "out" / name for name in PAPERS])
    assert [str(f) for c in checked.files for f in c.findings] == []
    assert checked.ok


def test_a_vetoed_ward_says_exactly_why(tmp_path: Path) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2026)
    text = (dossier / "hoso.toml").read_text(encoding="utf-8")
    (dossier / "hoso.toml").write_text(text.replace('loai = "con_lai"', 'loai = "phuong_do_thi"'))
    # One village's offences rose against the previous period: criterion d) scores 0 while
    # the total, 950, is above the ward threshold of 900.
    papers = render_all(
        dossier, tmp_path / "out", 2026, vi_pham_phap_luat=2, vi_pham_phap_luat_ky_truoc=1
    )
    assert "TTr-de-nghi-cong-nhan.docx" not in papers
    why = (
        "Phường Hòa Khánh chưa đạt tiêu chuẩn phường phù hợp với trẻ em năm 2026 do có tiêu chí "
        "0 điểm."
    )
    veto = "tiêu chí 4 (Trẻ em vi phạm pháp luật, nghiện ma túy) bị 0 điểm"
    minutes = papers["BB-hop-hoi-dong.docx"]
    assert (
        "3. Tổng số điểm: 950/1.000 điểm; ngưỡng điểm công nhận đối với phường thuộc thành phố "
        f"trực thuộc trung ương là 900 điểm; {veto}."
    ) in minutes
    assert f"5. Kết luận: {why}" in minutes
    report = papers["BC-ket-qua-danh-gia.docx"]
    at = report.index("IV. KẾT QUẢ ĐÁNH GIÁ")
    # The figures once, the verdict once; the lost points are told in section II.
    assert report[at + 1 : at + 4] == [
        f"Tổng số điểm: 950/1.000 điểm (ngưỡng điểm công nhận: 900 điểm); {veto}.",
        why,
        "V. KHÓ KHĂN, VƯỚNG MẮC",
    ]
    assert "Tiêu chí 4 (Trẻ em vi phạm pháp luật, nghiện ma túy): đạt 0/50 điểm" in report
    # The score workbook the council signs words its result as the minutes do.
    sheet = load_workbook(tmp_path / "out" / WORKBOOK_NAME)[SUMMARY]
    texts = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str)]
    assert (
        "Tổng số điểm: 950/1.000 điểm; ngưỡng điểm công nhận đối với phường thuộc thành phố "
        f"trực thuộc trung ương là 900 điểm; {veto}."
    ) in texts
    assert "Kết quả: chưa đạt do có tiêu chí 0 điểm." in texts
    assert not [t for t in texts if "phường đô thị" in t or "ngưỡng 900 (" in t]
    for name in ("BB-hop-hoi-dong.docx", "BC-ket-qua-danh-gia.docx"):
        assert sum("chưa đạt" in line for line in papers[name]) == 1, name
    for name, paper in papers.items():
        assert not [line for line in paper if line.rstrip().endswith("vì:")]
        assert faults(docx.Document(str(tmp_path / "out" / name)), 2026) == [], name


def test_below_threshold_and_vetoed_gives_both_reasons(tmp_path: Path) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="xã", tinh="Lạng Sơn", nam=2026)
    papers = render_all(
        dossier,
        tmp_path / "out",
        2026,
        vi_pham_phap_luat=2,
        vi_pham_phap_luat_ky_truoc=1,
        tai_nan_thuong_tich=3,
        tu_vong_tntt=1,
    )
    report = papers["BC-ket-qua-danh-gia.docx"]
    at = report.index("IV. KẾT QUẢ ĐÁNH GIÁ")
    assert report[at + 1 : at + 3] == [
        "Tổng số điểm: 850/1.000 điểm (ngưỡng điểm công nhận: 850 điểm); các tiêu chí 4 (Trẻ em "
        "vi phạm pháp luật, nghiện ma túy) và 5 (Trẻ em bị tai nạn, thương tích) bị 0 điểm.",
        "Xã Hòa Khánh chưa đạt tiêu chuẩn xã phù hợp với trẻ em năm 2026 do có tiêu chí 0 điểm.",
    ]


def test_names_typed_with_their_kind_are_not_doubled(tmp_path: Path) -> None:
    dossier = unit_dossier(
        tmp_path / "hs", cap="phường", tinh="TP. Hải Phòng", nam=2026, xa="Phường Hòa Khánh"
    )
    text = (dossier / "hoso.toml").read_text(encoding="utf-8")
    text = text.replace('xa = "Hòa Khánh"', 'xa = "PHƯỜNG Hòa Khánh"')
    text = text.replace('thon = ["An Biên"', 'thon = ["Tổ dân phố An Biên"').replace(
        'tinh = "Hải Phòng"', 'tinh = "thành phố Hải Phòng"'
    )
    (dossier / "hoso.toml").write_text(text, encoding="utf-8")
    unit = load_profile(dossier).don_vi
    assert (unit.xa, unit.tinh, unit.thon[0]) == ("Hòa Khánh", "Hải Phòng", "An Biên")
    assert unit.words.tinh_day_du == "thành phố Hải Phòng"
    papers = render_all(dossier, tmp_path / "out", 2026)
    assert papers["KH-ke-hoach.docx"][1] == "PHƯỜNG HÒA KHÁNH"
    assert not any("PHƯỜNG PHƯỜNG" in line.upper() for p in papers.values() for line in p)


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ({'\nxa = "Hòa Khánh"': '\nxa = "Xã Hòa Khánh"'}, ("don_vi.xa", "sai-cap")),
        (
            {'tinh = "Hải Phòng"': 'tinh = "thành phố Lạng Sơn"'},
            ("don_vi.tinh", "khong-phai-tp-tw"),
        ),
        ({'cap = "phường"': 'cap = "thị trấn"'}, ("don_vi.cap", "khong-co-trong-nam")),
        ({'cap = "phường"': 'cap = "quận"'}, ("don_vi.cap", "khong-hop-le")),
        ({"[don_vi]\n": '[don_vi]\nhuyen = "Lê Chân"\n'}, ("don_vi.huyen", "khong-con-cap-huyen")),
        (
            {'cap = "phường"': 'cap = "đặc khu"', 'cap_thon = "tổ dân phố"': ""},
            ("don_vi.cap_thon", "chua-dien"),
        ),
    ],
    ids=["other-kind", "provincial-city", "town-in-2026", "unknown-kind", "district", "zone"],
)
def test_unit_problems_are_located(
    tmp_path: Path, edits: dict[str, str], expected: tuple[str, str]
) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2026)
    text = (dossier / "hoso.toml").read_text(encoding="utf-8")
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    (dossier / "hoso.toml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_profile(dossier)
    assert [(p.field, p.code) for p in info.value.problems] == [expected]


def test_special_zones_exist_only_from_the_reform(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        init_dossier(tmp_path, cap="đặc khu", cap_thon="khu phố", nam=2024)
    assert [p.field for p in info.value.problems] == ["--cap"]
    assert "--cap" in str(info.value.problems[0]) and '"thị trấn"' in str(info.value.problems[0])


def test_hue_is_a_centrally_run_city_from_the_reform() -> None:
    assert not is_central_city("Huế", 2024)
    assert is_central_city("Huế", 2025) and is_central_city("huế", 2026)
    assert is_central_city("Hồ Chí Minh", 2024)
    assert split_province("TP. Hồ Chí Minh") == ("Hồ Chí Minh", "thành phố")
    assert split_province("Tỉnh Lạng Sơn") == ("Lạng Sơn", "tỉnh")
    assert strip_kind("Tổ dân phố số 3", ("tổ dân phố",)) == ("số 3", "tổ dân phố")
    # A village keeps its kind word where the rest alone is no name.
    assert village_name("Thôn  Nà Cáy", "thôn") == "Nà Cáy"
    assert village_name("Khu phố 1", "khu phố") == "Khu phố 1"
    assert village_name("Tổ dân phố số 3", "tổ dân phố") == "Tổ dân phố số 3"
    assert village_name("Khối Ga", "khối") == "Khối Ga"
    assert village_name("Khối Vườn Cam", "khối") == "Vườn Cam"
    # A village whose name starts with another kind's word keeps it.
    assert strip_kind("Bản Luận", ("thôn",)) == ("Bản Luận", None)


def test_init_writes_each_eras_defaults(tmp_path: Path) -> None:
    ward = init_dossier(tmp_path / "a", cap="phường", tinh="Hải Phòng", nam=2026).read_text(
        encoding="utf-8"
    )
    assert "huyen =" not in ward
    assert '"Các tổ trưởng tổ dân phố",' in ward and '"CT, PCT UBND phường",' in ward
    assert "#   - Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15" in ward
    assert '# ví dụ "Ủy ban nhân dân thành phố Hải Phòng"' in ward
    # No other era's office or place in a 2026 ward's examples.
    assert "Cao Lộc" not in ward and "Lao động" not in ward and "2024" not in ward
    # Nor in what loading it says of its blanks (shown beside the fields on the web page).
    with pytest.raises(InputError) as blanks:
        load_profile(tmp_path / "a")
    hints = {p.field: p.hint for p in blanks.value.problems}
    assert hints["tiep_nhan.ten"] == 'ghi tên cơ quan nhận hồ sơ, ví dụ "Sở Y tế".'
    assert hints["tiep_nhan.cong_nhan"] == (
        'cơ quan quyết định công nhận, ví dụ "Ủy ban nhân dân thành phố Hải Phòng".'
    )
    assert hints["ke_hoach.can_cu_co_quan"] == (
        'cơ quan ban hành, ví dụ "Ủy ban nhân dân thành phố Hải Phòng".'
    )
    assert hints["ke_hoach.han_bao_cao"] == "hạn gửi số liệu, ví dụ 2026-11-07."
    assert not [h for h in hints.values() if h and ("Cao Lộc" in h or "2024" in h)]
    commune = init_dossier(
        tmp_path / "b", tinh="Lạng Sơn", huyen="Cao Lộc", nam=2024, xa="Bình Trung", loai="mien_nui"
    ).read_text(encoding="utf-8")
    assert 'huyen = "Cao Lộc"' in commune
    assert '"Các trưởng thôn",' in commune and '"CT, PCT UBND xã",' in commune
    assert "#   - Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015" in commune
    assert '# ví dụ "Ủy ban nhân dân huyện Cao Lộc"' in commune


def test_empty_free_text_warns_and_leaves_lines_to_write_by_hand(tmp_path: Path) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="xã", tinh="Lạng Sơn", nam=2026)
    out = tmp_path / "out"
    without_workbooks(dossier)
    write_data(out, make_data({name: {} for name in VILLAGES}, xa="Hòa Khánh", nam=2026), dossier)
    score(Dossier(dossier, out))
    result = render(Dossier(dossier, out))
    assert [(w.field, w.code) for w in result.warnings] == [
        ("bao_cao.dac_diem", "de-trong"),
        ("bao_cao.kho_khan", "de-trong"),
        ("bao_cao.de_xuat", "de-trong"),
    ]
    report = text_lines(docx.Document(str(out / "BC-ket-qua-danh-gia.docx")))
    at = report.index("V. KHÓ KHĂN, VƯỚNG MẮC")
    assert report[at + 1 : at + 4] == [hand_line(), hand_line(), "VI. ĐỀ XUẤT, KIẾN NGHỊ"]


TYPE_NAMES = {
    "KH-ke-hoach.docx": "KẾ HOẠCH",
    "QD-thanh-lap-hoi-dong.docx": "QUYẾT ĐỊNH",
    "BB-hop-hoi-dong.docx": "BIÊN BẢN",
    "BC-ket-qua-danh-gia.docx": "BÁO CÁO",
    "TTr-de-nghi-cong-nhan.docx": "TỜ TRÌNH",
}


def test_dotted_lines_fit_one_line_and_titles_keep_their_last_phrase(tmp_path: Path) -> None:
    # A long name makes every title wrap; empty free text leaves dotted lines to write on.
    dossier = unit_dossier(
        tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2026, xa="Nguyễn Văn Linh Mới"
    )
    out = tmp_path / "out"
    render_all(dossier, out, 2026)
    pdf_dir = tmp_path / "pdf"
    pdf_dir.mkdir()
    for name in PAPERS:
        shutil.copy(out / name, pdf_dir / name)
        pdf = libreoffice_convert(pdf_dir / name, "pdf", pdf_dir)
        printed = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        lines = [" ".join(line.split()) for line in printed.splitlines()]
        # The title's lines: its bound end printed whole on its last line, no word split.
        start = lines.index(TYPE_NAMES[name]) + 1
        end = next(i for i in range(start, len(lines)) if "trẻ em năm 2026" in lines[i])
        title = lines[start : end + 1]
        assert title[-1].endswith("phù hợp với trẻ em năm 2026"), (name, title)
        assert not [line for line in title if line.endswith(" Chính")], (name, title)
        dots = [line for line in lines if line and set(line) == {"…"}]
        if name == "BC-ket-qua-danh-gia.docx":
            # Two lines under each of sections I, V and VI, none wrapped onto a second line.
            assert dots == [hand_line()] * 6, dots


def test_render_checks_only_what_its_papers_read(tmp_path: Path) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2026)
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    # The meeting has not happened and the report is not written: both tables are gone.
    start, end = text.index("[hop_hoi_dong]"), text.index("# Điều chỉnh của Hội đồng")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = tmp_path / "out"
    without_workbooks(dossier)
    result = render(Dossier(dossier, out))
    assert [p.name for p in result.written] == ["KH-ke-hoach.docx", "QD-thanh-lap-hoi-dong.docx"]
    # Once scored, the minutes and the report need the meeting: exactly that is asked for.
    write_data(out, make_data({name: {} for name in VILLAGES}, xa="Hòa Khánh", nam=2026), dossier)
    score(Dossier(dossier, out))
    with pytest.raises(InputError) as info:
        render(Dossier(dossier, out))
    assert [(p.field, p.code) for p in info.value.problems] == [("hop_hoi_dong", "thieu-bang")]


def test_a_district_keeps_its_kind(tmp_path: Path) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2024)
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('huyen = ""', 'huyen = "Quận Lê Chân"'), encoding="utf-8")
    words = load_profile(dossier).don_vi.words
    assert (words.huyen, words.cap_huyen, words.huyen_day_du) == ("Lê Chân", "quận", "quận Lê Chân")
    papers = render_all(dossier, tmp_path / "out", 2024)
    assert (
        "- Phấn đấu toàn quận có 90% số đơn vị hành chính cấp xã đạt tiêu chuẩn phù hợp với trẻ "
        "em trong năm 2024." in papers["KH-ke-hoach.docx"]
    )


def test_init_refuses_a_control_character_typed_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        init_dossier(tmp_path, xa="Bình\bTrung", nam=2026)
    assert [p.field for p in info.value.problems] == ["--xa"]
    assert not (tmp_path / "hoso.toml").exists()


def test_a_default_written_for_another_level_below_is_reported_by_its_key(
    tmp_path: Path,
) -> None:
    # Made for a ward with its default level below, then the ward says it has khu phố.
    dossier = unit_dossier(tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2026)
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('cap_thon = "tổ dân phố"', 'cap_thon = "khu phố"', 1), encoding="utf-8"
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f'Cảnh báo: {path} › van_ban.KH.noi_nhan[3]: "Các tổ trưởng tổ dân phố" là giá trị '
        "`hoso init` ghi cho một đơn vị khác, không hợp với phường Hòa Khánh có các khu phố — "
        'sửa thành "Các trưởng khu phố" trong hoso.toml rồi chạy lại hoso render.'
    ]
    # Fixed as told: nothing more to say.
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Các tổ trưởng tổ dân phố", "Các trưởng khu phố"), "utf-8")
    again = CliRunner().invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert again.exit_code == 0 and again.stderr == "", again.output


def test_defaults_of_another_kind_of_unit_are_reported_where_the_papers_print_them(
    tmp_path: Path,
) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="xã", tinh="Phú Thọ", nam=2026, xa="Tân Lập")
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    # The commune became a ward; its level below (thôn, written by init) stays.
    path.write_text(text.replace('cap = "xã"', 'cap = "phường"', 1), encoding="utf-8")
    profile = load_profile(dossier)
    found = stale_defaults(profile, ["KH", "QD"])
    assert [(w.field, w.hint) for w in found] == [
        ("van_ban.KH.noi_nhan[1]", 'sửa thành "CT, PCT UBND phường" trong hoso.toml rồi chạy '
         "lại hoso render."),
        ("van_ban.KH.noi_nhan[2]", 'sửa thành "Các tổ chức đoàn thể phường" trong hoso.toml '
         "rồi chạy lại hoso render."),
        ("van_ban.QD.noi_nhan[1]", 'sửa thành "CT, PCT UBND phường" trong hoso.toml rồi chạy '
         "lại hoso render."),
        ("van_ban.QD.noi_nhan[2]", 'sửa thành "Văn phòng HĐND và UBND phường" trong hoso.toml '
         "rồi chạy lại hoso render."),
        ("hoi_dong.thanh_vien[1].chuc_vu", 'sửa thành "Chủ tịch UBND phường" trong hoso.toml '
         "rồi chạy lại hoso render."),
    ]  # fmt: skip
    assert {w.severity for w in found} == {"canh-bao"}
    # The plan alone prints no council: its titles wait for the papers that do.
    assert [w.field for w in stale_defaults(profile, ["KH"])][-1] == "van_ban.KH.noi_nhan[2]"


def test_a_blank_council_member_is_explained_in_the_units_words(tmp_path: Path) -> None:
    init_dossier(tmp_path / "pq", xa="Phú Quốc", tinh="An Giang", huyen="", nam=2026, cap="đặc khu",
                 cap_thon="khu phố")  # fmt: skip
    with pytest.raises(InputError) as caught:
        load_profile(tmp_path / "pq")
    hints = [p.hint for p in caught.value.problems if (p.field or "").endswith(".chuc_vu")]
    assert hints and all(h == 'chức vụ, ví dụ "Phó Chủ tịch UBND đặc khu".' for h in hints)


def test_the_minutes_give_each_absent_members_reason_or_a_blank_to_write(tmp_path: Path) -> None:
    dossier = unit_dossier(
        tmp_path / "hs", cap="thị trấn", tinh="Lạng Sơn", nam=2024, huyen="Cao Lộc"
    )
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("vang_mat = []", 'vang_mat = ["Đỗ Minh Quang", "Trần Thu Trang"]')
    text = text.replace("ly_do_vang = {}", 'ly_do_vang = { "Đỗ Minh Quang" = "đi công tác" }')
    path.write_text(text, encoding="utf-8")
    minutes = render_all(dossier, tmp_path / "out", 2024)["BB-hop-hoi-dong.docx"]
    assert (
        "Có mặt: 1/3 thành viên; vắng mặt: bà Trần Thu Trang, Công chức Văn hóa - Xã hội, "
        "Thư ký Hội đồng (lý do: ……………); ông Đỗ Minh Quang, Trưởng Trạm Y tế, Thành viên "
        "(lý do: đi công tác)."
    ) in minutes


@pytest.mark.parametrize(
    ("nam", "written", "now"),
    [
        (2024, "Văn phòng HĐND và UBND xã", "Công chức Văn phòng - Thống kê"),
        (2026, "Công chức Văn phòng - Thống kê", "Văn phòng HĐND và UBND xã"),
    ],
)
def test_a_default_of_another_era_is_reported(
    tmp_path: Path, nam: int, written: str, now: str
) -> None:
    # A profile written for the other law (by an older init, or carried across the reform).
    dossier = unit_dossier(tmp_path / "hs", cap="xã", tinh="Lạng Sơn", nam=nam)
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    assert f'    "{now}",' in text
    path.write_text(text.replace(f'    "{now}",', f'    "{written}",'), encoding="utf-8")
    profile = load_profile(dossier)
    period = period_of(nam)
    assert period is not None
    other = period_of(2016 if nam == 2026 else 2026)
    assert other is not None
    assert [(w.field, w.message, w.hint) for w in stale_defaults(profile, ["QD"])] == [
        (
            "van_ban.QD.noi_nhan[2]",
            f'"{written}" là giá trị `hoso init` ghi theo {other.name}; năm {nam} theo '
            f"{period.name}",
            f'sửa thành "{now}" trong hoso.toml rồi chạy lại hoso render.',
        )
    ]


def test_a_village_named_in_a_sentence_gets_its_kind_once() -> None:
    commune = Words(
        cap="xã", cap_thon="thôn", ten="Tân Lập", tinh="Thái Bình", cap_tinh="tỉnh", huyen=""
    )
    assert [commune.thon(n) for n in ("Nà Cáy", "Thôn Đông", "thôn 5")] == [
        "thôn Nà Cáy",
        "thôn Đông",
        "thôn 5",
    ]
    ward = Words(
        cap="phường",
        cap_thon="tổ dân phố",
        ten="An Khánh",
        tinh="Hà Nội",
        cap_tinh="thành phố",
        huyen="",
    )
    assert [ward.thon(n) for n in ("An Biên", "Tổ dân phố 5")] == [
        "tổ dân phố An Biên",
        "tổ dân phố 5",
    ]


def test_init_writes_a_district_as_its_comment_asks(tmp_path: Path) -> None:
    # A huyện by its name alone, as the line's comment says; another kind keeps its word.
    for folder, typed, line, kind in (
        ("a", "Huyện Vũ Thư", 'huyen = "Vũ Thư"', "huyện"),
        ("b", "Quận Lê Chân", 'huyen = "quận Lê Chân"', "quận"),
    ):
        init_dossier(
            tmp_path / folder, xa="Tân Lập", tinh="Thái Bình", huyen=typed, nam=2024, loai="con_lai"
        )
        text = (tmp_path / folder / "hoso.toml").read_text(encoding="utf-8")
        assert line in text, text[:800]
        # Read back as the profile reads it.
        assert split_district(tomllib.loads(text)["don_vi"]["huyen"])[1] == kind
