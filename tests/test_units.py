"""Every commune-level unit in its own words and its year's law: the papers of a xã, a
phường, a thị trấn and a đặc khu, under a province or a centrally-run city, in 2024 and 2026."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest

from pipeline.check.checker import check_files
from pipeline.common.errors import InputError
from pipeline.files.docxread import text_lines
from pipeline.model.profile import load_profile
from pipeline.model.units import is_central_city, split_province, strip_kind, village_name
from pipeline.stages.init import init_dossier
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import PAPERS
from tests.factories import make_data, without_workbooks, write_data

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
    folder: Path, *, cap: str, tinh: str, nam: int, cap_thon: str = "", xa: str = "Hòa Khánh"
) -> Path:
    """`hoso init` for the unit, then the blanks a clerk fills, as a clerk would."""
    path = init_dossier(folder, xa=xa, tinh=tinh, nam=nam, cap=cap, cap_thon=cap_thon)
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
    score(dossier, out)
    render(dossier, out)
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
    dossier = unit_dossier(tmp_path / "hs", cap=cap, tinh=tinh, nam=nam, cap_thon=below)
    profile = load_profile(dossier)
    words = profile.don_vi.words
    papers = render_all(dossier, tmp_path / "out", nam)
    assert set(papers) == set(PAPERS)

    city = tinh == "Hải Phòng"
    allowed = [*ALWAYS_ALLOWED, words.cap, words.cap_thon]
    if nam == 2024:
        # The plan of that time speaks of the district's kinds of unit and of the movement.
        allowed += [words.cung_cap, words.phong_trao]
    forbidden = [k for k in (*KINDS, *BELOW) if k not in (words.cap, words.cap_thon)]
    forbidden += ["tỉnh"] if city else ["thành phố"]
    forbidden += ["huyện"] if nam >= 2025 else []
    for name, lines in papers.items():
        text = "\n".join(lines)
        assert _strays(text, tuple(allowed), tuple(forbidden)) == [], name

    head = cap.capitalize()
    cap_tren = "thành phố" if city else "tỉnh"
    assert papers["KH-ke-hoach.docx"][1] == f"{cap.upper()} HÒA KHÁNH"
    assert (
        f"- Phấn đấu đạt tiêu chí phù hợp với trẻ em toàn {cap_tren} đạt tỷ lệ 90% trong năm {nam}"
        in papers["KH-ke-hoach.docx"]
    )
    assert (
        f"3. Nâng cao năng lực đội ngũ làm công tác bảo vệ, chăm sóc trẻ em từ {cap} đến "
        f"{words.cap_thon}." in papers["KH-ke-hoach.docx"]
    )
    decision = papers["QD-thanh-lap-hoi-dong.docx"]
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
    report = check_files([tmp_path / "out" / name for name in PAPERS])
    assert [str(f) for c in report.files for f in c.findings] == []
    assert report.ok


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
        "Phường Hòa Khánh chưa đạt tiêu chuẩn phường phù hợp với trẻ em năm 2026: tổng số điểm "
        "950 đạt ngưỡng công nhận 900 điểm, nhưng tiêu chí d) Trẻ em vi phạm pháp luật, nghiện "
        "ma túy bị 0 điểm."
    )
    assert f"5. Kết luận: {why}" in papers["BB-hop-hoi-dong.docx"]
    report = papers["BC-ket-qua-danh-gia.docx"]
    at = report.index(why)
    reasons = report[at + 1 : report.index("V. KHÓ KHĂN, VƯỚNG MẮC")]
    # The veto is the only reason: the passing total is context, never a reason.
    assert len(reasons) == 1
    assert reasons[0].startswith(
        "- Tiêu chí d) Trẻ em vi phạm pháp luật, nghiện ma túy bị 0/50 điểm (có tiêu chí 0 điểm "
        "thì không được công nhận). Mục 4.1: "
    )
    assert "kỳ trước: 3" in reasons[0] and "6 trẻ" in reasons[0], reasons[0]
    for paper in papers.values():
        assert not [line for line in paper if line.rstrip().endswith("vì:")]


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
    why = (
        "Xã Hòa Khánh chưa đạt tiêu chuẩn xã phù hợp với trẻ em năm 2026: tổng số điểm 850 "
        "đạt ngưỡng công nhận 850 điểm, nhưng các tiêu chí d) Trẻ em vi phạm pháp luật, nghiện "
        "ma túy; đ) Trẻ em bị tai nạn, thương tích bị 0 điểm."
    )
    assert why in report, [line for line in report if "chưa đạt" in line]


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
        ({'xa = "Hòa Khánh"': 'xa = "Xã Hòa Khánh"'}, ("don_vi.xa", "sai-cap")),
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
    commune = init_dossier(
        tmp_path / "b", tinh="Lạng Sơn", huyen="Cao Lộc", nam=2024, xa="Bình Trung"
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
    score(dossier, out)
    result = render(dossier, out)
    assert [(w.field, w.code) for w in result.warnings] == [
        ("bao_cao.dac_diem", "de-trong"),
        ("bao_cao.kho_khan", "de-trong"),
        ("bao_cao.de_xuat", "de-trong"),
    ]
    report = text_lines(docx.Document(str(out / "BC-ket-qua-danh-gia.docx")))
    at = report.index("V. KHÓ KHĂN, VƯỚNG MẮC")
    assert report[at + 1 : at + 4] == ["…" * 40, "…" * 40, "VI. ĐỀ XUẤT, KIẾN NGHỊ"]


def test_render_checks_only_what_its_papers_read(tmp_path: Path) -> None:
    dossier = unit_dossier(tmp_path / "hs", cap="phường", tinh="Hải Phòng", nam=2026)
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    # The meeting has not happened and the report is not written: both tables are gone.
    start, end = text.index("[hop_hoi_dong]"), text.index("# Điều chỉnh của Hội đồng")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    out = tmp_path / "out"
    without_workbooks(dossier)
    result = render(dossier, out)
    assert [p.name for p in result.written] == ["KH-ke-hoach.docx", "QD-thanh-lap-hoi-dong.docx"]
    # Once scored, the minutes and the report need the meeting: exactly that is asked for.
    write_data(out, make_data({name: {} for name in VILLAGES}, xa="Hòa Khánh", nam=2026), dossier)
    score(dossier, out)
    with pytest.raises(InputError) as info:
        render(dossier, out)
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
        "- Phấn đấu đạt tiêu chí phù hợp với trẻ em toàn quận đạt tỷ lệ 90% trong năm 2024"
        in papers["KH-ke-hoach.docx"]
    )


def test_init_refuses_a_control_character_typed_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        init_dossier(tmp_path, xa="Bình\bTrung", nam=2026)
    assert [p.field for p in info.value.problems] == ["--xa"]
    assert not (tmp_path / "hoso.toml").exists()
