"""`hoso web` routes through Flask's test client, on real dossiers in tmp_path."""

from __future__ import annotations

import html as htmllib
import http.cookiejar
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from pipeline import __version__
from pipeline.common import limits
from pipeline.common.errors import EnvironmentProblem
from pipeline.stages import freshness
from pipeline.stages.init import init_dossier
from pipeline.web import files
from pipeline.web.server import serve
from tests.conftest import DEMO
from tests.helpers import SHEET, edit, soffice
from tests.web_helpers import (
    BASE,
    TOKEN,
    csrf,
    get,
    post,
    text,
    wait_fragment,
    wait_job,
    web_app,
)

WEB = Path(files.__file__).parent  # the web package: its pages and static files


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    served = web_app(tmp_path)
    shutil.copytree(DEMO, served.extensions["hoso"].root / "binh-trung-2024")
    return served


@pytest.fixture
def dossier(app: Flask) -> Path:
    root: Path = app.extensions["hoso"].root
    return root / "binh-trung-2024"


# --- what keeps the server private --------------------------------------------------------------


def test_without_the_token_nothing_is_served(app: Flask) -> None:
    c = app.test_client()
    for path in ("/", "/hs/binh-trung-2024/thong-tin", "/static/htmx.min.js"):
        assert c.get(path, base_url=BASE).status_code == 403
    assert c.get("/?token=sai", base_url=BASE).status_code == 403
    first = c.get(f"/hs/binh-trung-2024/diem?token={TOKEN}", base_url=BASE)
    assert first.status_code == 303
    assert first.headers["Location"] == "/hs/binh-trung-2024/diem"  # the token leaves the address
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = c.get("/hs/binh-trung-2024/diem", base_url=BASE)
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_only_this_machine_s_addresses_are_answered(client: FlaskClient) -> None:
    # localhost passes the Host check (its cookie is its own: the token is asked again).
    assert client.get("/", base_url="http://localhost:5123").status_code == 403
    assert client.get(f"/?token={TOKEN}", base_url="http://localhost:5123").status_code == 303
    assert client.get("/", base_url="http://localhost:5123").status_code == 200
    for host in ("http://evil.example:5123", "http://127.0.0.1:80", "http://192.168.1.5:5123"):
        assert client.get("/", base_url=host).status_code == 400


def test_a_post_without_the_session_s_csrf_token_is_refused(
    client: FlaskClient, dossier: Path
) -> None:
    before = (dossier / "hoso.toml").read_bytes()
    for data in ({}, {"csrf": "khac"}):
        response = client.post("/hs/binh-trung-2024/dieu-chinh/xoa", base_url=BASE, data=data)
        assert response.status_code == 400
    assert (dossier / "hoso.toml").read_bytes() == before


def test_a_post_sent_by_another_site_is_refused(client: FlaskClient, dossier: Path) -> None:
    """A valid cookie and CSRF token are not enough: the browser says where the form was."""
    before = (dossier / "hoso.toml").read_bytes()
    token = csrf(client)
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        response = client.post("/hs/binh-trung-2024/kiem-tra", base_url=BASE,
                               data={"csrf": token}, headers=headers)  # fmt: skip
        assert response.status_code == 403, headers
        assert "Yêu cầu từ trang khác" in text(response)
    assert (dossier / "hoso.toml").read_bytes() == before
    same = {"Origin": BASE, "Sec-Fetch-Site": "same-origin"}
    ok = client.post("/hs/binh-trung-2024/kiem-tra", base_url=BASE, data={"csrf": token},
                     headers=same)  # fmt: skip
    assert ok.status_code == 303


def test_no_path_leaves_the_root_or_the_known_files(client: FlaskClient) -> None:
    for path in (
        "/hs/../thong-tin",
        "/hs/..%2Fho-so/thong-tin",
        "/hs/khong-co/thong-tin",
        "/hs/binh-trung-2024/tep/hoso.toml",
        "/hs/binh-trung-2024/tep/..%2Fhoso.toml",
        "/hs/binh-trung-2024/loi/thon%2F..%2F..%2Fhoso.toml",
        "/hs/binh-trung-2024/loi/thon/na-cay.xlsx",
        "/hs/binh-trung-2024/xem/XX.png",
    ):
        assert get(client, path).status_code == 404, path


# --- uploads --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "saved"),
    [
        ("na-cay.xlsx", "na-cay.xlsx"),
        ("Nà Cáy.XLSX", "Nà Cáy.xlsx"),
        ("na-cay.loi.xlsx", "na-cay.xlsx"),
        ("bo-nam.sao-luu-2.xls", "bo-nam.xls"),
        ("pac-luong.ods", "pac-luong.ods"),
        # Only the file name is kept: a folder, or a whole Windows path, goes.
        ("../hoso.xlsx", "hoso.xlsx"),
        ("..\\hoso.xlsx", "hoso.xlsx"),
        ("thon/na-cay.xlsx", "na-cay.xlsx"),
        ("/etc/passwd.xlsx", "passwd.xlsx"),
        ("C:\\Users\\Lan\\Desktop\\Nà Cáy.xlsx", "Nà Cáy.xlsx"),
        ("C:\\Users\\Lan\\..\\x.xlsx", "x.xlsx"),
        ("..", None),
        ("na..cay.xlsx", None),
        # Names Windows reserves, hidden names, characters Windows refuses.
        ("CON.xlsx", "CON-bieu.xlsx"),
        ("nul.ods", "nul-bieu.ods"),
        ("Com1.xls", "Com1-bieu.xls"),
        ("lpt9.tam.xlsx", "lpt9.tam-bieu.xlsx"),
        ("console.xlsx", "console.xlsx"),
        (".na-cay.xlsx", "na-cay.xlsx"),
        ("...na-cay.xlsx", None),
        ('na"cay?.xlsx', "na-cay-.xlsx"),
        ("bao-cao.docx", None),
        ("na-cay.xlsx.exe", None),
        (".xlsx", None),
        ("~$na-cay.xlsx", None),
        ("na\x00cay.xlsx", None),
        ("", None),
    ],
)
def test_an_uploaded_name_is_a_plain_workbook_name(sent: str, saved: str | None) -> None:
    assert files.safe_name(sent) == saved


def test_uploads_land_in_the_dossier_and_bad_ones_are_named(
    client: FlaskClient, dossier: Path
) -> None:
    big = b"PK\x03\x04" + b"0" * limits.MAX_WORKBOOK_BYTES
    fixed = (DEMO / "thon" / "na-cay.xlsx").read_bytes()
    response = post(
        client,
        "/hs/binh-trung-2024/tai-len",
        {
            "bieu": [
                (io.BytesIO(fixed), "na-cay.loi.xlsx"),
                (io.BytesIO((DEMO / "xa.xlsx").read_bytes()), "XA.xlsx"),
                (io.BytesIO(b"x"), "../../hoso.toml"),
                (io.BytesIO(big), "to.xlsx"),
            ]
        },
    )
    html = wait_job(client, response)
    assert "không nhận tệp này" in html and "../../hoso.toml" in html
    assert "lớn hơn 20 MB" in html
    assert not (dossier / "thon" / "to.xlsx").exists()
    assert (dossier / "thon" / "na-cay.xlsx").read_bytes() == fixed
    assert (dossier / "xa.xlsx").is_file() and not (dossier / "thon" / "XA.xlsx").exists()
    assert 'id="ingest-ok"' in html  # the demo's data, read again whole


def test_a_macro_workbook_named_xlsx_is_refused(client: FlaskClient, dossier: Path) -> None:
    """An .xlsm renamed .xlsx still carries its VBA project: refused by what it holds."""
    buffer = io.BytesIO((DEMO / "thon" / "na-cay.xlsx").read_bytes())
    with zipfile.ZipFile(buffer, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 Attribute VB_Name")
    before = (dossier / "thon" / "na-cay.xlsx").read_bytes()
    windows = "C:\\Users\\Lan\\na-cay.xlsx"
    sent: dict[str, object] = {"bieu": [(io.BytesIO(buffer.getvalue()), windows)]}
    html = htmllib.unescape(wait_job(client, post(client, "/hs/binh-trung-2024/tai-len", sent)))
    assert "biểu có macro" in html and "Excel Workbook (*.xlsx)" in html
    assert (dossier / "thon" / "na-cay.xlsx").read_bytes() == before
    assert files.macros(buffer.getvalue())
    assert not files.macros((DEMO / "thon" / "na-cay.xlsx").read_bytes())
    assert files.macros(b"\xd0\xcf\x11\xe0" + "_VBA_PROJECT_CUR".encode("utf-16-le"))


def test_a_workbook_in_another_format_replaces_the_village_s_earlier_one(
    client: FlaskClient, dossier: Path
) -> None:
    old = (dossier / "thon" / "bo-nam.xls").read_bytes()
    new = io.BytesIO((DEMO / "thon" / "na-cay.xlsx").read_bytes())
    wait_job(client, post(client, "/hs/binh-trung-2024/tai-len", {"bieu": [(new, "bo-nam.xlsx")]}))
    assert not (dossier / "thon" / "bo-nam.xls").exists()
    assert (dossier / "thon" / "bo-nam.sao-luu-1.xls").read_bytes() == old
    assert "thon/bo-nam.xlsx" in files.workbooks(dossier)


def test_too_many_files_at_once_are_refused_whole(tmp_path: Path) -> None:
    init_dossier(tmp_path / "d", xa="A", nam=2024, loai="con_lai")
    uploads = [files.Upload(f"t{i}.xlsx", b"x") for i in range(limits.MAX_UPLOAD_FILES + 1)]
    written, problems = files.save_uploads(tmp_path / "d", uploads)
    assert written == [] and problems[0].code == "qua-nhieu-tep"
    assert not (tmp_path / "d" / "thon").exists()


def test_a_wrong_cell_is_shown_on_its_cell_with_a_marked_copy_to_send_back(
    client: FlaskClient, dossier: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "na-cay.xlsx"
    shutil.copy(DEMO / "thon" / "na-cay.xlsx", bad)
    edit(bad, {"duoi_1_tuoi": 85, "duoi_1_tiem_du": 86})
    sent = (io.BytesIO(bad.read_bytes()), "na-cay.xlsx")
    html = wait_job(client, post(client, "/hs/binh-trung-2024/tai-len", {"bieu": [sent]}))
    row = re.search(r'<tr class="err" data-cell="D12" data-file="thon/na-cay.xlsx">(.*?)</tr>',
                    html, re.S)  # fmt: skip
    assert row, html
    assert "Trẻ em dưới 1 tuổi được tiêm" in row.group(1) and "(85)" in row.group(1)
    assert "duoi_1_tiem_du" not in row.group(1)  # the indicator's label, not its code
    link = re.search(r'href="(/hs/binh-trung-2024/loi/thon/na-cay\.loi\.xlsx)"', row.group(1))
    assert link
    copy = get(client, link.group(1))
    assert copy.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(copy.data))["Số liệu"]
    assert ws["D12"].fill.fgColor.rgb.endswith("FF9999")
    assert "85" in ws["D12"].comment.text
    # Received, but wrong: not the green tick of a workbook that is right.
    said = htmllib.unescape(html)
    assert '<li class="bad">✗ Nà Cáy (có lỗi)</li>' in said and "✓ Nà Cáy" not in said
    assert '<li class="got">✓ Pò Mạ</li>' in said


def test_deleting_a_workbook_asks_first_and_its_button_fits_a_finger(
    client: FlaskClient, dossier: Path
) -> None:
    """Each «Xóa» asks (form.confirm, as «Bỏ» an adjustment does), on the page and in the
    list a finished check sends again; on a phone the button is at least 44 px tall."""
    delete = re.compile(r'<form method="post" action="/hs/binh-trung-2024/xoa-bieu" '
                        r'class="inline confirm" data-confirm="Xóa biểu ([^"]+) khỏi hồ sơ\?">'
                        r'.*?<button type="submit" class="small secondary tap">Xóa</button>',
                        re.S)  # fmt: skip
    page = text(get(client, "/hs/binh-trung-2024/so-lieu"))
    asked = delete.findall(page)
    assert "na-cay.xlsx" in asked and "xa.xlsx" in asked
    assert len(asked) == page.count(">Xóa</button>")
    fragment = htmllib.unescape(wait_fragment(client, "/hs/binh-trung-2024/kiem-tra", {}))
    assert delete.findall(fragment.split('hx-swap-oob="true"', 1)[1]) == asked
    css = (WEB / "static" / "style.css").read_text("utf-8")
    phone = css[css.index("@media (max-width: 760px), (pointer: coarse)") :]
    assert re.search(r"button\.tap \{ min-height: 44px;", phone)
    # The confirmation is asked on the document: a list swapped in later asks as well.
    script = (WEB / "static" / "app.js").read_text("utf-8")
    assert 'document.addEventListener("submit", function (e) {' in script
    assert 'form.matches("form.confirm")' in script
    assert post(client, "/hs/binh-trung-2024/xoa-bieu", {"tep": "xa.xlsx"}).status_code == 303
    assert not (dossier / "xa.xlsx").exists()


def test_a_result_scrolled_to_stops_below_the_sticky_bar(client: FlaskClient) -> None:
    """htmx scrolls #job-slot to the top (show:#job-slot:top); the bar is sticky, so the slot
    keeps a margin at least the bar's height (about 2.7rem on a laptop)."""
    css = (WEB / "static" / "style.css").read_text("utf-8")
    assert re.search(r"\.top \{[^}]*position: sticky; top: 0;", css)
    rule = re.search(r"^([^{\n]*)\{ scroll-margin-top: ([\d.]+)rem; \}", css, re.M)
    assert rule and "#job-slot" in rule[1].split(", ") and float(rule[2]) >= 3.5
    for page in ("so-lieu", "van-ban"):
        assert "show:#job-slot:top" in get(client, f"/hs/binh-trung-2024/{page}").text


def test_a_running_job_s_fragment_never_reloads_the_page(client: FlaskClient) -> None:
    """htmx inserts the fragment as live markup: a refresh tag in it would reload the page
    and wipe the result two seconds later. Only the job's own page, without JavaScript,
    reloads itself (the tag sits in <noscript> in the head, ignored where scripts run)."""
    from pipeline.web.jobs import Job

    state = client.application.extensions["hoso"]
    gate = threading.Event()
    job = state.jobs.start("binh-trung-2024", "ingest", "Kiểm tra số liệu",
                           lambda say: gate.wait(30) and {})  # fmt: skip
    try:
        assert isinstance(job, Job) and not job.done
        path = f"/hs/binh-trung-2024/viec/{job.id}"
        fragment = client.get(path, base_url=BASE, headers={"HX-Request": "true"})
        assert 'hx-trigger="every 1s"' in fragment.get_data(as_text=True)
        assert "refresh" not in fragment.get_data(as_text=True)
        page = get(client, path).get_data(as_text=True)
        head, body = page.split("</head>", 1)
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in head
        assert "refresh" not in body
        data_page = get(client, "/hs/binh-trung-2024/so-lieu").get_data(as_text=True)
        assert job.id in data_page and "refresh" not in data_page
    finally:
        gate.set()
    for _ in range(100):
        if job.done:
            break
        time.sleep(0.05)
    done = get(client, f"/hs/binh-trung-2024/viec/{job.id}").get_data(as_text=True)
    assert 'data-done="yes"' in done and "refresh" not in done


def test_blank_forms_not_yet_returned_are_listed_by_name_not_as_errors(
    client: FlaskClient, dossier: Path
) -> None:
    shutil.rmtree(dossier / "thon")
    (dossier / "xa.xlsx").unlink()
    assert post(client, "/hs/binh-trung-2024/bieu-mau", {}).status_code == 200  # the zip
    names = ("na-cay.xlsx", "po-ma.xlsx")
    sent = [(io.BytesIO((DEMO / "thon" / n).read_bytes()), n) for n in names]
    html = htmllib.unescape(wait_job(client, post(client, "/hs/binh-trung-2024/tai-len",
                                                  {"bieu": sent})))  # fmt: skip
    assert "ô để trống" not in html
    assert "Đã nhận lại 2/12 biểu thôn" in html and "chưa nhận biểu cấp xã" in html
    assert '<li class="got">✓ Nà Cáy</li>' in html and '<li class="waiting">○ Bản Luận</li>' in html
    assert 'id="ingest-waiting"' in html and 'id="ingest-errors"' not in html
    # A form someone began is checked whole (its wrong figure, its cells left empty); the
    # untouched ones still only wait.
    edit(dossier / "thon" / "ban-luan.xlsx", {"duoi_1_tuoi": "nhiều"})
    html = htmllib.unescape(wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {})))
    assert re.search(r"Có \d+ lỗi cần sửa trong các biểu đã nhận", html)
    assert "Đã nhận lại 3/12" in html and '<li class="waiting">○ Nà Pàn</li>' in html
    assert "<th>Biểu</th><th>Trang</th><th>Ô</th>" in html  # a workbook's cells
    assert html.count('data-file="thon/ban-luan.xlsx"') == html.count('<tr class="err"')


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("chạy lại `hoso ingest /tmp/ho-so/d` (cùng --out nếu có), rồi `hoso score /tmp/ho-so/d`.",
         "bấm nút «Kiểm tra lại số liệu» ở bước 2, rồi nút «Chấm điểm» ở bước 3."),
        ("sửa tên thôn cho đúng danh sách thôn (don_vi.thon) trong hoso.toml",
         "sửa tên thôn cho đúng danh sách thôn («Các thôn») trong thông tin hồ sơ"),
        ("có ký tự ⟨U+200B⟩ ZERO WIDTH SPACE", "có ký tự ẩn (không nhìn thấy)"),
        ('viết 2024-03-22 (không ngoặc kép) hoặc "22/3/2024".', "viết 22/3/2024."),
        ('viết 2026-11-05T08:00:00 (không ngoặc kép) hoặc "05/11/2026 08:00".',
         "viết 05/11/2026 08:00."),
        ("xóa tệp này rồi chạy lại `hoso score /tmp/ho-so/d`.", "bấm nút «Chấm điểm» ở bước 3."),
        ("không đọc được /tmp/ho-so/d/data.json", "không đọc được số liệu đã nhập"),
        ("ghi [[dieu_chinh]] trong hoso.toml", "ghi điều chỉnh của Hội đồng trong thông tin hồ sơ"),
        ("chọn một: --loai con_lai (các xã, phường, thị trấn còn lại: 850 điểm).",
         "chọn một: «các xã, phường, thị trấn còn lại» (850 điểm)."),
        ("giữ một bản, chuyển bản kia ra khỏi thư mục thon/.",
         "giữ một bản, bấm «Xóa» cạnh bản kia trong danh sách «Các biểu trong hồ sơ»."),
        ("chỉ đặt tệp .xlsx vào đây; chuyển tệp khác ra khỏi thư mục.",
         "chỉ đặt tệp .xlsx vào đây; bấm «Xóa» cạnh tệp đó trong danh sách «Các biểu trong hồ "
         "sơ»."),
    ],
)  # fmt: skip
def test_the_library_s_words_become_page_words(said: str, shown: str) -> None:
    from pipeline.web import words

    labels = {"don_vi.thon": "Các thôn"}
    assert words.text(said, labels, (Path("/tmp/ho-so/d"), Path("/tmp/ho-so"))) == shown
    assert words.local_time("2026-12-04T19:05:00+00:00") == "02:05 ngày 05/12/2026"
    assert words.diff_line("So sánh v1 → hien-tai", labels) == "So sánh v1 → bản hiện tại"


# --- the profile as a form ------------------------------------------------------------------------


def _form(client: FlaskClient, path: str) -> dict[str, str]:
    """The form's fields as the browser would send them back untouched."""
    return _fields_of(get(client, path).get_data(as_text=True))


def _fields_of(html: str) -> dict[str, str]:
    """The fields of a page's forms, as the browser sends them back untouched."""
    from html.parser import HTMLParser

    fields: dict[str, str] = {}

    class Reader(HTMLParser):
        current: str | None = None
        select: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("checkbox", "file"):
                fields[name] = a.get("value") or ""
            elif tag == "textarea" and name:
                self.current = name
                fields[name] = ""
            elif tag == "select" and name:
                self.select = name
            elif tag == "option" and self.select and ("selected" in a or self.select not in fields):
                fields[self.select] = a.get("value") or ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "textarea":
                self.current = None
            if tag == "select":
                self.select = None

        def handle_data(self, data: str) -> None:
            if self.current:
                fields[self.current] += data

    Reader().feed(html)
    return fields


def test_saving_an_untouched_profile_changes_nothing(client: FlaskClient, dossier: Path) -> None:
    before = (dossier / "hoso.toml").read_bytes()
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    assert fields["don_vi.xa"] == "Bình Trung"
    assert fields["ke_hoach.can_cu_ngay"] == "22/03/2024"  # as a clerk writes a date
    assert 'placeholder="ví dụ 22/3/2024"' in get(client, "/hs/binh-trung-2024/thong-tin").text
    response = client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    assert response.status_code == 303
    assert (dossier / "hoso.toml").read_bytes() == before
    assert "Không có gì thay đổi" in get(client, "/hs/binh-trung-2024/thong-tin").text


def test_a_saved_field_changes_its_line_only_and_keeps_comments_and_bom(
    client: FlaskClient, dossier: Path
) -> None:
    path = dossier / "hoso.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    before = path.read_text(encoding="utf-8-sig").splitlines()
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["lanh_dao.chu_tich"] = "Lý Văn Mới"
    fields["ke_hoach.han_bao_cao"] = "8/11/2024"  # typed the Vietnamese way, saved as a date
    fields["van_ban.KH.noi_nhan"] = "UBND huyện Cao Lộc b/c\r\nCác trưởng thôn\r\n"
    assert (
        client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields).status_code == 303
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    after = path.read_text(encoding="utf-8-sig").splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=False) if a != b]
    assert changed[:2] == [
        ('chu_tich = "Nông Văn Hùng"    # họ và tên Chủ tịch UBND (tên mẫu)',
         'chu_tich = "Lý Văn Mới"    # họ và tên Chủ tịch UBND (tên mẫu)'),
        ("han_bao_cao = 2024-11-07    # hạn gửi số liệu về công chức Văn hóa - Xã hội",
         "han_bao_cao = 2024-11-08    # hạn gửi số liệu về công chức Văn hóa - Xã hội"),
    ]  # fmt: skip
    text = path.read_text(encoding="utf-8-sig")
    assert '    "UBND huyện Cao Lộc b/c",\n    "Các trưởng thôn",\n]' not in text  # two: inline
    assert 'noi_nhan = ["UBND huyện Cao Lộc b/c", "Các trưởng thôn"]' in text
    assert len(after) == len(before) - 6  # the seven-line list became one line


def test_problems_are_shown_beside_their_fields(client: FlaskClient, dossier: Path) -> None:
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["don_vi.nam"] = "hai nghìn"
    fields["hoi_dong.thanh_vien[2].ho_ten"] = ""
    fields["van_ban.QD.so"] = "0"
    client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    html = text(get(client, "/hs/binh-trung-2024/thong-tin"))
    assert 'nam = "hai nghìn"' in (dossier / "hoso.toml").read_text(encoding="utf-8")
    for key, message in (
        ("don_vi.nam", '"hai nghìn" không hợp lệ'),
        ("hoi_dong.thanh_vien[2].ho_ten", "chưa điền"),
        ("van_ban.QD.so", "0 không phải số văn bản"),
    ):
        assert re.search(rf'data-for="{re.escape(key)}">{re.escape(message)}', html), key
        assert re.search(rf'id="{re.escape(key)}" name="{re.escape(key)}"[^>]*aria-invalid', html)
    assert "Còn 3 chỗ cần sửa" in html


def test_after_saving_the_page_opens_on_what_the_save_did(
    client: FlaskClient, dossier: Path
) -> None:
    """The save's result (#said, which the page opens on) comes before the red fields; the
    page jumps to the first red field only when nothing was just said."""
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["lanh_dao.chu_tich"] = ""
    client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    html = text(get(client, "/hs/binh-trung-2024/thong-tin"))
    said = re.search(r'<div id="said" class="said" tabindex="-1">(.*?)</div>', html, re.S)
    assert said and "Đã lưu. Còn 1 chỗ cần sửa" in said.group(1)
    assert html.index('id="said"') < html.index('aria-invalid="true"')
    again = text(get(client, "/hs/binh-trung-2024/thong-tin"))
    assert 'id="said"' not in again and 'aria-invalid="true"' in again  # opens on the field
    script = (WEB / "static" / "app.js").read_text("utf-8")
    assert "else if (said) { said.focus(); }\n    else if (bad)" in script


def test_a_date_field_s_examples_are_what_it_reads(client: FlaskClient, dossier: Path) -> None:
    """Placeholder, note and error all give the clerk's way (22/3/2024, 05/11/2024 08:00),
    and that very example is what the field saves as a date."""
    html = text(get(client, "/hs/binh-trung-2024/thong-tin"))
    for key in ("ke_hoach.can_cu_ngay", "ke_hoach.han_bao_cao", "hop_hoi_dong.bat_dau"):
        field = re.search(rf'id="{re.escape(key)}"[^>]*placeholder="ví dụ ([^"]+)"[^>]*>'
                          r'(?:<span class="note">([^<]*)</span>)?', html)  # fmt: skip
        assert field, key
        assert re.fullmatch(r"\d{1,2}/\d{1,2}/2024( 08:00)?", field[1]), field[1]
        assert not re.search(r"\d{4}-\d{2}", field[2] or ""), field[2]
    assert "ví dụ 22/3/2024</span>" in html and "ví dụ 05/11/2024 08:00;" in html
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["ke_hoach.can_cu_ngay"] = "22/3/2024"
    fields["hop_hoi_dong.bat_dau"] = "05/11/2024 08:00"
    fields["hop_hoi_dong.ket_thuc"] = "sáng mai"
    client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    saved = (dossier / "hoso.toml").read_text("utf-8")
    assert re.search(r"^can_cu_ngay = 2024-03-22\b", saved, re.M)
    assert re.search(r"^bat_dau = 2024-11-05T08:00:00\b", saved, re.M)
    said = text(get(client, "/hs/binh-trung-2024/thong-tin"))
    error = re.search(r'data-for="hop_hoi_dong.ket_thuc">([^<]*)</span>', said)
    assert error and "viết 05/11/2024 08:00" in error[1] and "T08" not in error[1], error


def test_an_edit_made_elsewhere_meanwhile_is_not_overwritten(
    client: FlaskClient, dossier: Path
) -> None:
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    path = dossier / "hoso.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Nông Văn Hùng", "Notepad"), "utf-8")
    fields["lanh_dao.pho_chu_tich"] = "Trình Duyệt"
    response = client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    assert response.status_code == 409
    page = text(response)
    assert "Chưa lưu: trong lúc bạn sửa" in page
    # The other edit is shown; the clerk's typing is kept, on top of the new file.
    assert "«Nông Văn Hùng» thành «Notepad»" in page
    assert 'id="lanh_dao.pho_chu_tich" name="lanh_dao.pho_chu_tich" value="Trình Duyệt"' in page
    assert 'id="lanh_dao.chu_tich" name="lanh_dao.chu_tich" value="Notepad"' in page
    saved = path.read_text(encoding="utf-8")
    assert "Notepad" in saved and "Trình Duyệt" not in saved
    # Saved again from that page: both edits are in the file.
    again = _fields_of(response.get_data(as_text=True))
    resaved = client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=again)
    assert resaved.status_code == 303
    saved = path.read_text(encoding="utf-8")
    assert "Notepad" in saved and "Trình Duyệt" in saved


def test_two_saves_at_the_same_instant_never_lose_one(client: FlaskClient, dossier: Path) -> None:
    """Each round, two saves made on the same version race: exactly one is written, the
    other is refused (409) with its typing kept; never both told "saved"."""
    path = dossier / "hoso.toml"
    for round_ in range(10):
        fields = _form(client, "/hs/binh-trung-2024/thong-tin")
        mine = {**fields, "lanh_dao.pho_chu_tich": f"Một {round_}"}
        theirs = {**fields, "lanh_dao.cong_chuc_vhxh": f"Hai {round_}"}
        start = threading.Barrier(2)
        codes: list[int] = []

        def save(
            data: dict[str, str], codes: list[int] = codes, start: threading.Barrier = start
        ) -> None:
            c = client.application.test_client()  # another browser tab's own session
            c.get(f"/?token={TOKEN}", base_url=BASE)
            csrf_token = csrf(c)
            start.wait()
            codes.append(c.post("/hs/binh-trung-2024/thong-tin", base_url=BASE,
                                data={**data, "csrf": csrf_token}).status_code)  # fmt: skip

        threads = [threading.Thread(target=save, args=(d,)) for d in (mine, theirs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [303, 409], codes
        saved = path.read_text(encoding="utf-8")
        assert (f"Một {round_}" in saved) != (f"Hai {round_}" in saved)


def test_council_members_are_added_and_removed(client: FlaskClient, dossier: Path) -> None:
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["hoi_dong.thanh_vien[6].bo"] = "1"  # Dương Văn Khánh
    fields["hop_hoi_dong.vang_mat"] = ""
    fields["hoi_dong.thanh_vien[moi1].ho_ten"] = "Hoàng Văn Mới"
    fields["hoi_dong.thanh_vien[moi1].chuc_vu"] = "Trưởng Công an xã"
    fields["hoi_dong.thanh_vien[moi1].danh_xung"] = "ông"
    fields["hoi_dong.thanh_vien[moi1].vai_tro"] = "thanh_vien"
    client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    text = (dossier / "hoso.toml").read_text(encoding="utf-8")
    assert "Dương Văn Khánh" not in text
    assert 'ho_ten = "Hoàng Văn Mới"\ndanh_xung = "ông"\nchuc_vu = "Trưởng Công an xã"' in text
    assert "đã điền đủ, đúng" in get(client, "/hs/binh-trung-2024/thong-tin").text


def test_absence_reasons_are_typed_one_a_line(client: FlaskClient, dossier: Path) -> None:
    page = get(client, "/hs/binh-trung-2024/thong-tin").text
    assert "Lý do vắng mặt" in page and "mỗi dòng «họ tên: lý do»" in page
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["hop_hoi_dong.ly_do_vang"] = "Dương Văn Khánh: đi công tác\r\n"
    client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    text = (dossier / "hoso.toml").read_text(encoding="utf-8")
    assert 'ly_do_vang = {"Dương Văn Khánh" = "đi công tác"}' in text
    page = get(client, "/hs/binh-trung-2024/thong-tin").text
    assert "Dương Văn Khánh: đi công tác</textarea>" in page and "đã điền đủ, đúng" in page
    # A name that is not absent: the loader's located error, beside the field.
    fields = _form(client, "/hs/binh-trung-2024/thong-tin")
    fields["hop_hoi_dong.ly_do_vang"] = "Nông Văn Hùng: ốm"
    client.post("/hs/binh-trung-2024/thong-tin", base_url=BASE, data=fields)
    page = get(client, "/hs/binh-trung-2024/thong-tin").text
    assert (
        '<span class="field-error" data-for="hop_hoi_dong.ly_do_vang">có lý do vắng mặt nhưng '
        "&#34;Nông Văn Hùng&#34; không có trong vang_mat"
    ) in page


def test_a_new_dossier_asks_what_init_asks(client: FlaskClient, app: Flask) -> None:
    root: Path = app.extensions["hoso"].root
    response = post(
        client,
        "/moi",
        {"cap": "phường", "xa": "Lê Chân", "tinh": "Hải Phòng", "nam": "2026",
         "thon": "Tổ dân phố số 1\nTổ dân phố số 2\n", "thu_muc": ""},
    )  # fmt: skip
    assert response.headers["Location"] == "/hs/le-chan-2026/thong-tin"
    text = (root / "le-chan-2026" / "hoso.toml").read_text(encoding="utf-8")
    assert 'thon = ["Tổ dân phố số 1", "Tổ dân phố số 2"]' in text
    # A ward of a centrally-run city: its category without being asked.
    assert 'loai = "phuong_do_thi"' in text
    assert "# " in text  # init's comments are there
    page = get(client, "/hs/le-chan-2026/thong-tin").text
    assert "Tên phường" in page and "Các tổ dân phố" in page  # the unit's own words
    # The hints' examples are the dossier's era: its city, its year, no district.
    assert "ví dụ Ủy ban nhân dân thành phố Hải Phòng" in page
    assert "ví dụ Sở Y tế" in page and "ví dụ 05/11/2026 08:00" in page
    assert "năm 2026 không còn cấp huyện: để trống" in page
    assert "Cao Lộc" not in page and "Lao động" not in page and "2024" not in page
    # The example of the level below is the ward's own kind, not the demo commune's villages.
    assert "mỗi dòng một tên, ví dụ «An Biên», «Tổ dân phố số 2»" in page
    assert "Nà Cáy" not in page
    # The category select: the threshold first, so a phone's closed select shows it.
    assert '<option value="phuong_do_thi" selected>900 điểm: phường thuộc quận' in page
    again = post(client, "/moi", {"cap": "phường", "xa": "Lê Chân", "nam": "2026",
                                  "huyen": "Lê Chân", "thu_muc": "../x"})  # fmt: skip
    assert again.status_code == 422
    assert "không dùng được làm tên thư mục" in again.text
    third = post(client, "/moi", {"cap": "phường", "xa": "Ngô Quyền", "nam": "2026",
                                  "huyen": "Lê Chân"})  # fmt: skip
    assert "năm 2026 không còn cấp huyện" in third.text
    assert "đã có hồ sơ ở đây" in post(client, "/moi", {"cap": "phường", "xa": "Lê Chân",
                                                       "nam": "2026"}).text  # fmt: skip
    # A commune whose category only the clerk knows: asked, with the three categories.
    asked = post(client, "/moi", {"cap": "xã", "xa": "Tân Lập", "tinh": "Phú Thọ", "nam": "2026"})
    assert asked.status_code == 422 and not (root / "tan-lap-2026").exists()
    assert "chưa rõ loại đơn vị theo Quyết định 06/QĐ-TTg" in asked.text
    said = htmllib.unescape(asked.text)
    assert "«xã, thị trấn miền núi, hải đảo, xã đặc biệt khó khăn» (800 điểm)" in said
    assert "--loai" not in said and "mien_nui (" not in said
    assert '<option value="mien_nui" >800 điểm: xã, thị trấn miền núi' in asked.text
    # The first option is short enough for a phone-width select; its meaning is in the note.
    assert '<option value="" >hoso tự chọn</option>' in get(client, "/moi").text.replace(
        "selected", ""
    )
    chosen = post(client, "/moi", {"cap": "xã", "xa": "Tân Lập", "tinh": "Phú Thọ",
                                   "nam": "2026", "loai": "mien_nui"})  # fmt: skip
    assert chosen.status_code == 303
    assert 'loai = "mien_nui"' in (root / "tan-lap-2026" / "hoso.toml").read_text("utf-8")


# --- forms, scores, adjustments, papers -----------------------------------------------------------


def test_the_dossier_list_tells_two_years_of_one_unit_apart(
    client: FlaskClient, dossier: Path
) -> None:
    """Next year's dossier reads like this year's but for its year and folder; on a phone
    the list stacks (one card a dossier, each cell with its heading) instead of running off."""
    shutil.copytree(dossier, dossier.parent / "binh-trung-2025")
    profile = dossier.parent / "binh-trung-2025" / "hoso.toml"
    toml = profile.read_text("utf-8").replace("nam = 2024 ", "nam = 2025 ")
    profile.write_text(toml.replace('huyen = "Cao Lộc"', 'huyen = ""'), "utf-8")  # no districts
    html = text(get(client, "/"))
    units = re.findall(r'<a href="/hs/([\w-]+)/">([^<]+)</a>\s*<span class="note folder">'
                       r"thư mục ([\w-]+)</span>", html)  # fmt: skip
    assert units == [
        ("binh-trung-2024", "xã Bình Trung, năm 2024", "binh-trung-2024"),
        ("binh-trung-2025", "xã Bình Trung, năm 2025", "binh-trung-2025"),
    ]
    assert '<table class="list dossiers">' in html
    assert html.count('<td data-label="Kết quả chấm điểm">') == 2
    css = (WEB / "static" / "style.css").read_text("utf-8")
    phone = css[css.index("@media (max-width: 760px) {") :]
    assert ".scroll > table.dossiers { min-width: 0; }" in phone
    assert "table.dossiers tr, table.dossiers td { display: block; }" in phone


def test_blank_forms_come_as_one_zip_and_filled_ones_are_never_overwritten(
    client: FlaskClient, app: Flask, dossier: Path
) -> None:
    # Villages have sent their figures back: those stay, the blank forms still come.
    before = {p: p.read_bytes() for p in sorted(dossier.rglob("*.xlsx"))}
    again = post(client, "/hs/binh-trung-2024/bieu-mau", {})
    assert again.status_code == 200, again.text[:300]
    names = sorted(zipfile.ZipFile(io.BytesIO(again.data)).namelist())
    assert len(names) == 13 and "xa.xlsx" in names and "thon/na-cay.xlsx" in names
    assert {p: p.read_bytes() for p in sorted(dossier.rglob("*.xlsx"))} == before
    blank = openpyxl.load_workbook(io.BytesIO(zipfile.ZipFile(io.BytesIO(again.data)).read(
        "thon/na-cay.xlsx")))[SHEET]  # fmt: skip
    assert all(row[3] is None for row in blank.iter_rows(min_row=8, values_only=True) if row[0])
    root: Path = app.extensions["hoso"].root
    init_dossier(root / "moi", xa="Bình Trung", tinh="Lạng Sơn", nam=2024, loai="mien_nui")
    path = root / "moi" / "hoso.toml"
    path.write_text(
        path.read_text("utf-8").replace("thon = []", 'thon = ["Nà Cáy", "Pò Mạ"]'), "utf-8"
    )
    response = post(client, "/hs/moi/bieu-mau", {})
    assert 'filename="bieu-mau-moi.zip"' in response.headers["Content-Disposition"]
    names = sorted(zipfile.ZipFile(io.BytesIO(response.data)).namelist())
    assert names == ["thon/na-cay.xlsx", "thon/po-ma.xlsx", "xa.xlsx"]


def test_score_adjust_and_papers(client: FlaskClient, dossier: Path) -> None:
    wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {}))
    post(client, "/hs/binh-trung-2024/diem", {})
    page = get(client, "/hs/binh-trung-2024/diem").text
    assert '<span id="total">940</span>' in page and '<div class="word">đạt</div>' in page
    assert page.count('class="bar-row"') == 13  # one bar per criterion
    digest = re.search(
        r'name="digest" value="(\w+)"', get(client, "/hs/binh-trung-2024/dieu-chinh").text
    )
    assert digest
    adjust = "/hs/binh-trung-2024/dieu-chinh"
    bad = post(client, adjust, {"muc": "99.9", "diem": "5", "ly_do": "x", "digest": digest[1]})
    assert bad.status_code == 422 and 'không có mục "99.9"' in text(bad)
    no_reason = post(client, adjust, {"muc": "8.2", "diem": "5", "ly_do": "", "digest": digest[1]})
    assert no_reason.status_code == 422 and "chưa điền" in no_reason.text
    reason = "Xác minh lại."
    good = post(client, adjust, {"muc": "10.2", "diem": "30", "ly_do": reason, "digest": digest[1]})
    assert good.headers["Location"] == "/hs/binh-trung-2024/diem"
    saved = (dossier / "hoso.toml").read_text(encoding="utf-8")
    assert saved.count("[[dieu_chinh]]") == 2  # the commented example, and the one replaced
    assert 'muc = "10.2"\ndiem = 30\nly_do = "Xác minh lại."' in saved
    assert '<span id="total">920</span>' in get(client, "/hs/binh-trung-2024/diem").text

    html = wait_job(client, post(client, "/hs/binh-trung-2024/van-ban", {}))
    assert "Đã lập 5 văn bản" in html
    report = get(client, "/hs/binh-trung-2024/tep/BC-ket-qua-danh-gia.docx")
    assert report.status_code == 200 and report.data[:2] == b"PK"
    bundle = zipfile.ZipFile(io.BytesIO(get(client, "/hs/binh-trung-2024/van-ban.zip").data))
    assert {"BC-ket-qua-danh-gia.docx", "bieu-cham-diem.xlsx"} <= set(bundle.namelist())

    issued = wait_job(client, post(client, "/hs/binh-trung-2024/phat-hanh", {"ly_do": ""}))
    assert "Đã phát hành phiên bản 1" in issued
    papers = get(client, "/hs/binh-trung-2024/van-ban").text
    assert "v1" in papers and "Phát hành phiên bản 2" in papers
    assert "bản hiện tại" in papers and "hien-tai" not in papers  # page words
    # The changes box sets Vietnamese in the page's own font, not the machine's monospace.
    assert '<pre class="log diff" id="diff">' in papers
    css = (WEB / "static" / "style.css").read_text("utf-8")
    assert "body { margin: 0; font: 15px/1.45 var(--text);" in css
    assert re.search(r"\.log\.diff \{ font-family: var\(--text\);", css)
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", papers)  # Vietnam's time, not ISO


def test_made_papers_show_on_their_cards_without_a_reload(client: FlaskClient) -> None:
    """The finished job's fragment also replaces the cards (out of band): they name the
    Word paper just made, not «chưa lập» as before the job."""
    wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {}))
    post(client, "/hs/binh-trung-2024/diem", {})
    before = get(client, "/hs/binh-trung-2024/van-ban").text
    assert before.count("chưa lập") >= 5
    fragment = wait_fragment(client, "/hs/binh-trung-2024/van-ban", {})
    assert "Đã lập 5 văn bản" in fragment
    cards = fragment.split('<div class="papers" id="paper-cards" hx-swap-oob="true">', 1)
    assert len(cards) == 2, fragment[-800:]
    assert cards[1].count('class="docx"') == 5
    assert cards[1].count("chưa lập") == before.count("chưa lập") - 5
    assert '<div id="papers-stale" hx-swap-oob="true">' in fragment


def test_stale_scores_papers_and_pdfs_are_marked_and_never_issued(
    client: FlaskClient, dossier: Path, app: Flask
) -> None:
    out = app.extensions["hoso"].out(dossier)
    wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {}))
    post(client, "/hs/binh-trung-2024/diem", {})
    wait_job(client, post(client, "/hs/binh-trung-2024/van-ban", {}))
    home = get(client, "/").text
    assert "940 điểm" in home and "đã cũ" not in home
    assert "stale-" not in get(client, "/hs/binh-trung-2024/van-ban").text

    # A PDF made, then the Word papers made again (as when stopped between the two).
    pdfs = {}
    for paper in ("KH-ke-hoach.docx", "BC-ket-qua-danh-gia.docx"):
        pdf = out / freshness.pdf_name(paper)
        pdf.write_bytes(b"%PDF-1.7 made from the first papers")
        sha = freshness.file_sha256(out / paper) or ""
        pdfs[pdf.name] = freshness.PaperRecord(freshness.sha256(pdf.read_bytes()), {paper: sha})
    (out / freshness.PDFS_NAME).write_bytes(freshness.pdfs_json(__version__, pdfs))
    assert "stale-pdfs" not in get(client, "/hs/binh-trung-2024/van-ban").text
    profile = dossier / "hoso.toml"
    profile.write_text(profile.read_text("utf-8").replace("1301/KH-UBND", "1302/KH-UBND"), "utf-8")
    page = get(client, "/hs/binh-trung-2024/van-ban").text
    assert 'id="stale-papers"' in page and "thông tin hồ sơ đã sửa" in page
    assert page.count("old-docx") == 5 and "Lập lại văn bản và bản PDF" in page
    wait_job(client, post(client, "/hs/binh-trung-2024/van-ban", {}))  # Word only, PDFs kept
    page = get(client, "/hs/binh-trung-2024/van-ban").text
    assert 'id="stale-papers"' not in page and 'id="stale-pdfs"' in page
    # The report does not print the plan's number: its Word paper came out the same.
    assert page.count("old-pdf") == 1 and 'issue-button" disabled' in page.replace("\n", "")
    for headers in ({}, {"HX-Request": "true"}):
        refused = client.post("/hs/binh-trung-2024/phat-hanh", base_url=BASE, headers=headers,
                              data={"csrf": csrf(client), "ly_do": ""})  # fmt: skip
        said = text(refused)
        assert "bản PDF của Kế hoạch đã cũ" in said and "PDF của Báo cáo" not in said, said
        assert "data.json" not in said and "pdfs.json" not in said
    assert not (app.extensions["hoso"].archive / "binh-trung-2024").exists()

    # A workbook changed after scoring: the score is marked old, with the one button.
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tuoi": 84})
    home = get(client, "/").text
    assert "đã cũ" in home and "biểu «na-cay.xlsx» đã sửa" in home
    assert "Kiểm tra lại số liệu" in home
    score_page = get(client, "/hs/binh-trung-2024/diem").text
    assert 'id="stale-data"' in score_page
    wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {}))
    score_page = get(client, "/hs/binh-trung-2024/diem").text
    assert 'id="stale-data"' not in score_page and 'id="stale-card"' in score_page
    assert "số liệu đã nhập đã sửa" in score_page
    post(client, "/hs/binh-trung-2024/diem", {})
    assert "stale-" not in get(client, "/hs/binh-trung-2024/diem").text


def test_papers_as_pdf_with_a_preview_of_their_first_page(client: FlaskClient) -> None:
    soffice()
    wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {}))
    post(client, "/hs/binh-trung-2024/diem", {})
    html = wait_job(client, post(client, "/hs/binh-trung-2024/van-ban", {"pdf": "1"}))
    assert "và 5 bản PDF" in html, html
    pdf = get(client, "/hs/binh-trung-2024/tep/BC-ket-qua-danh-gia.pdf")
    assert pdf.data.startswith(b"%PDF-")
    if shutil.which("pdftoppm"):
        png = get(client, "/hs/binh-trung-2024/xem/BC.png")
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG")


# --- the command ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str, str]:
    """`hoso web` in its own process (temporary files under tmp_path/tmp); its address."""
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "web", str(tmp_path / "ho-so"), "--no-browser", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)},
    )  # fmt: skip
    assert proc.stdout is not None
    said = ""
    for _ in range(3):  # a notice may come before the address
        said += proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/\?token=\S+", said)
        if url:
            return proc, url.group(0), said
    proc.kill()  # never left running by a failed test
    proc.communicate(timeout=20)
    raise AssertionError(said)


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return out


def test_hoso_web_serves_on_localhost_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "ho-so" / "binh-trung-2024")
    port = _free_port()
    proc, url, _ = _start(tmp_path, "--port", str(port))
    try:
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with browser.open(url, timeout=10) as page:
            assert "binh-trung-2024" in page.read().decode("utf-8")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
        assert refused.value.code == 403
        refused.value.close()
        # A preview asked for makes the server's temporary folder.
        with pytest.raises(urllib.error.HTTPError) as absent:
            browser.open(f"http://127.0.0.1:{port}/hs/binh-trung-2024/xem/KH.png", timeout=10)
        absent.value.close()
        assert list((tmp_path / "tmp").glob("hoso-web-*"))
    finally:
        out = _stop(proc)
    assert "Đã dừng hoso web." in out
    assert not list((tmp_path / "tmp").glob("hoso-web-*"))  # removed when it stops

    # Started again: the same port and the same address, so the open page keeps working.
    again, url_again, _ = _start(tmp_path)
    try:
        assert url_again == url
        with browser.open(f"http://127.0.0.1:{port}/", timeout=10) as page:  # the old cookie
            assert page.status == 200
    finally:
        _stop(again)
    session = tmp_path / "outputs" / ".hoso-web.json"
    if os.name == "posix":
        assert session.stat().st_mode & 0o077 == 0  # the token is the user's alone

    # Its port taken meanwhile: the next one, and the clerk is told the address changed.
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past the TIME_WAIT
        taken.bind(("127.0.0.1", port))
        taken.listen()
        moved, url_moved, said = _start(tmp_path)
        _stop(moved)
    assert url_moved != url and f":{port}/" not in url_moved
    assert f"Cổng {port} của lần trước đang bận" in said


def test_a_busy_port_is_an_environment_problem(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EnvironmentProblem, match=f"Cổng {port} đang bận"):
            serve(tmp_path, outputs=tmp_path / "o", archive=tmp_path / "a", port=port,
                  open_browser=False, say=lambda _: None)  # fmt: skip


def test_web_files_ship_in_the_package() -> None:
    static = Path(files.__file__).parent / "static"
    assert (static / "htmx.min.js").read_bytes().startswith(b"var htmx=")
    assert (static / "htmx.min.js").stat().st_size < 100_000


def test_problems_outside_workbooks_are_placed_without_sheet_or_cell(
    client: FlaskClient, dossier: Path
) -> None:
    wait_job(client, post(client, "/hs/binh-trung-2024/kiem-tra", {}))
    post(client, "/hs/binh-trung-2024/diem", {})
    profile = dossier / "hoso.toml"
    text_now = profile.read_text("utf-8")
    profile.write_text(text_now.replace('chu_tich = "Nông Văn Hùng"', 'chu_tich = ""', 1), "utf-8")
    html = wait_job(client, post(client, "/hs/binh-trung-2024/van-ban", {}))
    assert "Chưa lập được văn bản" in html
    assert "<th>Ở đâu</th>" in html and "<th>Ô</th>" not in html
