from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.common.errors import InputError
from pipeline.model.profile import load_profile
from pipeline.stages.init import init_dossier, profile_text
from tests.conftest import DEMO

Edit = Callable[[str, str], Path]


def _problems(path: Path) -> list[tuple[str | None, str]]:
    with pytest.raises(InputError) as info:
        load_profile(path)
    return [(p.field, p.code) for p in info.value.problems]


def test_demo_profile_carries_the_seed_values() -> None:
    profile = load_profile(DEMO)
    unit = profile.don_vi
    assert (unit.tinh, unit.huyen, unit.xa, unit.cap, unit.loai, unit.nam) == (
        "Lạng Sơn",
        "Cao Lộc",
        "Bình Trung",
        "xã",
        "mien_nui",
        2024,
    )
    assert unit.threshold == 800
    assert len(unit.thon) == 12
    plan = profile.ke_hoach
    assert (plan.can_cu_so, plan.can_cu_ngay, plan.can_cu_co_quan) == (
        "1301/KH-UBND",
        date(2024, 3, 22),
        "Ủy ban nhân dân huyện Cao Lộc",
    )
    assert plan.muc_tieu_ty_le == Decimal(90)
    assert plan.han_bao_cao == date(2024, 11, 7)
    kh = profile.van_ban["KH"]
    assert kh.so is None and kh.ngay is None
    assert profile.lanh_dao.name_of(kh.nguoi_ky) == "Hà Nam Nhiệm"
    assert kh.authority_lines() == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert kh.noi_nhan == (
        "UBND huyện Cao Lộc (b/c)",
        "CT, PCT UBND xã",
        "Các tổ chức đoàn thể xã",
        "Các đơn vị nhà trường",
        "Các trưởng thôn",
    )
    assert profile.co_quan.luu == "VT"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('loai = "mien_nui"', 'loai = "nui"', [("don_vi.loai", "khong-hop-le")]),
        ('xa = "Bình Trung"', 'xa = ""', [("don_vi.xa", "chua-dien")]),
        ('xa = "Bình Trung"', "xa = 12", [("don_vi.xa", "sai-kieu")]),
        ("nam = 2024 ", 'nam = "2024"', [("don_vi.nam", "khong-hop-le")]),
        ("nam = 2024 ", "nam = 1990", [("don_vi.nam", "khong-hop-le")]),
        ('cap = "xã"', 'cap = "huyện"', [("don_vi.cap", "khong-hop-le")]),
        ('    "Nà Cáy", "Khòn', '    "Nà Cáy", "nà cáy", "Khòn', [("don_vi.thon[2]", "trung-lap")]),
        ('    "Nà Cáy", "Khòn', '    "Nà Cáy", "Thôn Nà Cáy", "Khòn',
         [("don_vi.thon[2]", "trung-lap")]),
        ('    "Nà Cáy", "Khòn', '    "Nà Cáy", "Nà Cây", "Khòn', [("don_vi.thon[2]", "trung-lap")]),
        ('tinh = "Lạng Sơn"', 'tihn = "Lạng Sơn"', [("don_vi.tihn", "khoa-la"),
                                                    ("don_vi.tinh", "chua-dien")]),
        ("can_cu_ngay = 2024-03-22", 'can_cu_ngay = "32/3/2024"',
         [("ke_hoach.can_cu_ngay", "sai-ngay")]),
        ("muc_tieu_ty_le = 90", "muc_tieu_ty_le = 120", [("ke_hoach.muc_tieu_ty_le",
                                                         "khong-hop-le")]),
        ('quyen_han = "KT"', 'quyen_han = "TL"', [("van_ban.KH.quyen_han", "khong-hop-le")]),
        ('quyen_han = "KT"', 'quyen_han = ""', [("van_ban.KH.quyen_han", "ky-sai-tham-quyen")]),
        ('nguoi_ky = "pho_chu_tich"', 'nguoi_ky = "chu_tich"',
         [("van_ban.KH.quyen_han", "ky-sai-tham-quyen")]),
        ("[van_ban.KH]", "[van_ban.KHH]", [("van_ban.KHH", "khoa-la"),
                                          ("van_ban.KH", "thieu-bang")]),
        ('so = ""', "so = -3", [("van_ban.KH.so", "khong-hop-le")]),
        ('so = ""', 'so = "12a"', [("van_ban.KH.so", "khong-hop-le")]),
        ('pho_chu_tich = "Hà Nam Nhiệm"', 'pho_chu_tich = "  "',
         [("lanh_dao.pho_chu_tich", "chua-dien")]),
        ("[tiep_nhan]", "[tiep_nhan_x]", [("tiep_nhan_x", "khoa-la"),
                                         ("tiep_nhan", "thieu-bang"),
                                         ("tiep_nhan.ten", "chua-dien"),
                                         ("tiep_nhan.cong_nhan", "chua-dien")]),
    ],
    ids=[
        "unit-type", "empty-name", "name-not-text", "year-as-text", "year-range", "level",
        "duplicate-village", "same-village-with-prefix", "same-form-file", "misspelt-key",
        "bad-date", "rate-above-100", "unknown-authority",
        "vice-chair-signing-directly", "chair-signing-KT", "unknown-document", "negative-number",
        "number-not-digits", "blank-signer", "missing-table",
    ],
)  # fmt: skip
def test_profile_errors_are_located(edit_profile: Edit, old: str, new: str,
                                    expected: list[tuple[str, str]]) -> None:  # fmt: skip
    assert _problems(edit_profile(old, new)) == expected


def test_every_problem_is_reported_at_once(edit_profile: Edit) -> None:
    edit_profile('loai = "mien_nui"', 'loai = "nui"')
    edit_profile("can_cu_ngay = 2024-03-22", 'can_cu_ngay = "hôm qua"')
    path = edit_profile('quyen_han = "KT"', 'quyen_han = "XX"')
    with pytest.raises(InputError) as info:
        load_profile(path)
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 3
    assert messages[0].endswith(
        'hoso.toml › don_vi.loai: "nui" không hợp lệ — dùng một trong: '
        '"phuong_do_thi", "mien_nui", "con_lai".'
    )
    assert '"hôm qua" không phải một ngày' in messages[1]
    assert "van_ban.KH.quyen_han" in messages[2]


def test_a_missing_category_is_explained(edit_profile: Edit) -> None:
    path = edit_profile('loai = "mien_nui"', "")
    with pytest.raises(InputError) as info:
        load_profile(path)
    (problem,) = info.value.problems
    assert (problem.field, problem.hint) == (
        "don_vi.loai",
        'chọn loại đơn vị theo Quyết định 06/QĐ-TTg: "mien_nui": xã, thị trấn miền núi, hải đảo, '
        'xã đặc biệt khó khăn (800 điểm); "phuong_do_thi": phường thuộc quận, thị xã, thành phố '
        'của thành phố trực thuộc trung ương (900 điểm); "con_lai": các xã, phường, thị trấn còn '
        "lại (850 điểm).",
    )


def test_misspelt_key_gets_a_suggestion(edit_profile: Edit) -> None:
    with pytest.raises(InputError) as info:
        load_profile(edit_profile('tinh = "Lạng Sơn"', 'tihn = "Lạng Sơn"'))
    assert info.value.problems[0].hint == "có phải ý bạn là don_vi.tinh?"


def test_syntax_error_names_line(dossier: Path) -> None:
    path = dossier / "hoso.toml"
    path.write_text("[don_vi]\nxa = Bình Trung\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_profile(dossier)
    (problem,) = info.value.problems
    assert problem.code == "cu-phap"
    assert "dòng 2" in problem.message


def test_windows_notepad_files_load(dossier: Path) -> None:
    path = dossier / "hoso.toml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert load_profile(dossier).don_vi.xa == "Bình Trung"


def test_non_utf8_file_is_explained(dossier: Path) -> None:
    (dossier / "hoso.toml").write_bytes('xa = "Bình"'.encode("utf-16"))
    assert _problems(dossier) == [(None, "ma-hoa")]


def test_missing_profile(tmp_path: Path) -> None:
    assert _problems(tmp_path) == [(None, "thieu-tep")]


def test_dates_and_numbers_accept_what_clerks_type(edit_profile: Edit) -> None:
    edit_profile('so = ""', 'so = "7"')
    path = edit_profile('ngay = ""', 'ngay = "5/3/2024"')
    kh = load_profile(path).van_ban["KH"]
    assert (kh.so, kh.ngay) == (7, date(2024, 3, 5))


def test_decomposed_names_are_normalized(edit_profile: Edit) -> None:
    nfd = unicodedata.normalize("NFD", "Bình Trung")
    profile = load_profile(edit_profile('xa = "Bình Trung"', f'xa = "{nfd}"'))
    assert profile.don_vi.xa == "Bình Trung"


def test_init_writes_a_commented_profile_that_lists_what_to_fill(tmp_path: Path) -> None:
    path = init_dossier(
        tmp_path / "moi", xa="Bình Trung", tinh="Lạng Sơn", nam=2025, loai="mien_nui"
    )
    text = path.read_text(encoding="utf-8")
    assert text.count("\n#") > 20  # every setting is explained
    fields = {field for field, _ in _problems(path.parent)}
    assert {
        "don_vi.thon",
        "lanh_dao.chu_tich",
        "lanh_dao.pho_chu_tich",
        "tiep_nhan.ten",
        "ke_hoach.can_cu_so",
        "ke_hoach.han_bao_cao",
    } <= fields
    assert "don_vi.xa" not in fields and "don_vi.nam" not in fields


def test_init_never_overwrites(tmp_path: Path) -> None:
    init_dossier(tmp_path, xa="A", nam=2024, loai="con_lai")
    before = (tmp_path / "hoso.toml").read_bytes()
    with pytest.raises(InputError) as info:
        init_dossier(tmp_path, xa="B", nam=2024, loai="con_lai")
    assert info.value.problems[0].code == "da-co-ho-so"
    assert (tmp_path / "hoso.toml").read_bytes() == before


def test_init_escapes_quotes(tmp_path: Path) -> None:
    path = init_dossier(tmp_path, xa='Xã "A" \\ B', nam=2024, loai="con_lai")
    # The kind typed with the name is dropped: papers write "xã" themselves.
    assert tomllib.loads(path.read_text(encoding="utf-8"))["don_vi"]["xa"] == '"A" \\ B'


def _keys(table: dict[str, object], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in table.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
    return keys


def test_demo_and_init_template_have_the_same_settings() -> None:
    template = profile_text(xa="x", tinh="y", huyen="", nam=2024, loai="con_lai")
    demo = (DEMO / "hoso.toml").read_text(encoding="utf-8")
    # [[dieu_chinh]] is the council's, optional and repeatable: the template only explains it;
    # the council decision's grounds default to the year's law; the demo names its level below
    # by default.
    assert _keys(tomllib.loads(template)) == (
        _keys(tomllib.loads(demo)) - {"dieu_chinh", "van_ban.QD.can_cu"} | {"don_vi.cap_thon"}
    )


def test_dossier_may_name_its_own_rule_set(dossier: Path) -> None:
    profile_path = dossier / "hoso.toml"
    text = profile_path.read_text(encoding="utf-8")
    profile_path.write_text(text + '\n[danh_gia]\nbo_tieu_chi = "tieu-chi/bo.toml"\n', "utf-8")
    assert _problems(dossier) == [("danh_gia.bo_tieu_chi", "thieu-tep")]
    (dossier / "tieu-chi").mkdir()
    (dossier / "tieu-chi" / "bo.toml").write_text("", encoding="utf-8")
    assert load_profile(dossier).bo_tieu_chi == dossier / "tieu-chi" / "bo.toml"
    assert load_profile(DEMO).bo_tieu_chi is None


def test_an_absence_reason_names_an_absent_member_or_is_located(edit_profile: Edit) -> None:
    # A reason for a member who attended: located at the table, the name its value, the
    # absent member suggested.
    path = edit_profile("ly_do_vang = {}", 'ly_do_vang = { "Dương Văn Khanh" = "đi công tác" }')
    with pytest.raises(InputError) as info:
        load_profile(path)
    [problem] = info.value.problems
    assert (problem.code, problem.field, problem.value) == (
        "ly-do-khong-vang",
        "hop_hoi_dong.ly_do_vang",
        '"Dương Văn Khanh"',
    )
    assert problem.hint == "có phải ý bạn là Dương Văn Khánh?"


def test_absence_reasons_must_be_a_table_of_texts(edit_profile: Edit) -> None:
    path = edit_profile("ly_do_vang = {}", 'ly_do_vang = ["đi công tác"]')
    assert _problems(path) == [("hop_hoi_dong.ly_do_vang", "sai-kieu")]
    path = edit_profile('ly_do_vang = ["đi công tác"]', 'ly_do_vang = { "Dương Văn Khánh" = 3 }')
    assert _problems(path) == [("hop_hoi_dong.ly_do_vang", "sai-kieu")]


def test_an_absence_reason_is_read_by_the_members_name(edit_profile: Edit) -> None:
    path = edit_profile("ly_do_vang = {}", 'ly_do_vang = { "Dương  Văn Khánh" = "đi  công tác" }')
    meeting = load_profile(path).hop_hoi_dong
    assert meeting.reason("Dương Văn Khánh") == "đi công tác"
    assert meeting.reason("Nông Văn Hùng") == ""


@pytest.mark.parametrize(
    ("cap", "cap_thon", "example"),
    [
        ("xã", "", '["Nà Cáy", "Khòn Khuyên"]'),
        ("phường", "", '["An Biên", "Tổ dân phố số 2"]'),
        ("đặc khu", "khu phố", '["Khu phố 1", "Khu phố 2"]'),
    ],
)
def test_the_list_of_villages_is_asked_with_an_example_of_its_kind(
    tmp_path: Path, cap: str, cap_thon: str, example: str
) -> None:
    init_dossier(tmp_path, xa="Hòa Khánh", tinh="Hải Phòng", nam=2026, cap=cap,
                 cap_thon=cap_thon, loai="con_lai" if cap == "xã" else "")  # fmt: skip
    # init's comments give the same example, and the unit's own name as the example of text.
    text = (tmp_path / "hoso.toml").read_text(encoding="utf-8")
    assert f"mỗi tên một lần, ví dụ thon = {example}\n" in text
    assert '#   - Chữ đặt trong ngoặc kép: xa = "Hòa Khánh"\n' in text
    assert "Bình Trung" not in text and "Nà Cáy" not in text.replace('["Nà Cáy"', "")
    with pytest.raises(InputError) as info:
        load_profile(tmp_path)
    [hint] = [p.hint for p in info.value.problems if p.field == "don_vi.thon"]
    assert hint is not None and hint.endswith(f", ví dụ {example}.")
