"""The clerk's story in a real headless Chromium, on a real `hoso web` server.

Create a dossier, fill its profile, upload the villages' workbooks with one wrong cell, see
the error on its cell, upload the fix, score, add the council's adjustment, make the papers
and read the total in the downloaded report. A screenshot of every page (1366x768) is saved
(see tests/web_helpers.py: screenshot_folder).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import DEMO
from tests.helpers import edit, row_of
from tests.web_helpers import Live, browser_paths, live_server, screenshot_folder

VILLAGES = [
    "Nà Cáy", "Khòn Khuyên", "Bản Luận", "Nà Pàn", "Khuổi Khỉn", "Pò Mạ",
    "Nà Lầu", "Bó Nặm", "Kéo Coong", "Nà Rì", "Còn Chủ", "Pác Luống",
]  # fmt: skip
WAIT = 60  # seconds a page or a job may take (LibreOffice is not used here)
LAPTOP = (1366, 768)  # a commune office's laptop
PHONE = (390, 844)
STAY = 5.5  # seconds a job's result must stay on screen once done


@pytest.fixture(params=[LAPTOP, PHONE], ids=["laptop", "phone"])
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    value: tuple[int, int] = request.param
    return value


@pytest.fixture
def browser(tmp_path: Path, size: tuple[int, int]) -> Iterator[WebDriver]:
    chromium, driver = browser_paths()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    width, height = size
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--lang=vi"):  # fmt: skip
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    chrome.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    if size == PHONE:  # a phone's screen: its width, touch, the mobile viewport
        chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})  # fmt: skip
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_server(tmp_path) as server:
        yield server


def _gone(element: WebElement) -> bool:
    """The element's page has been replaced. While the page changes, chromedriver may say so
    as "does not belong to the document" rather than as a stale element."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


class Clerk:
    """The browser, as a clerk uses it: pages, fields, buttons; a screenshot of each step."""

    def __init__(self, driver: WebDriver, shots: Path, downloads: Path) -> None:
        self.driver = driver
        self.shots = shots
        self.downloads = downloads
        self.count = 0

    def find(self, css: str) -> WebElement:
        return WebDriverWait(self.driver, WAIT).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def shot(self, name: str) -> None:
        """A screenshot of the page as it is, which must fit the screen's width."""
        self.count += 1
        width = self.driver.execute_script("return window.innerWidth")
        self.driver.save_screenshot(str(self.shots / f"{self.count:02d}-{name}-{width}.png"))
        wide = self.driver.execute_script("return document.documentElement.scrollWidth")
        assert wide <= width, f"{name}: the page is {wide} px wide on a {width} px screen"

    def in_view(self, css: str) -> None:
        """The page's main action is on screen as the page opens, without scrolling."""
        element = self.find(css)
        top, bottom = self.driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return [r.top, r.bottom];", element
        )
        height = self.driver.execute_script("return window.innerHeight")
        assert top >= 0 and bottom <= height, f"{css} at {top}-{bottom} of {height} px"

    def type(self, field_id: str, text: str) -> None:
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(text)

    def click(self, css: str) -> None:
        element = self.find(css)
        # Centred, so the sticky header never covers it.
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def submit(self, css: str) -> None:
        """Click what sends the page's form, and wait for the next page: a flash read before
        then would be the old page's."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.click(css)
        self.next_page(old)

    def nav(self, label: str) -> None:
        """A step of the menu (on a phone the menu opens first); waits for the new page."""
        toggle = self.driver.find_elements(By.ID, "menu-toggle")
        if toggle and toggle[0].is_displayed():
            toggle[0].click()
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.PARTIAL_LINK_TEXT, label).click()
        self.next_page(old)

    def next_page(self, old: WebElement) -> None:
        """Wait until the old page is gone and the new one is ready. A button pressed while
        the page is still loading, before its script took over the forms, sends a plain
        form: the clerk still gets the result, but as a new page, and the test would take
        that for the reload it watches for."""
        WebDriverWait(self.driver, WAIT).until(lambda _: _gone(old))
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def job_done(self) -> WebElement:
        """The finished job, still on screen after STAY seconds: the page was not reloaded
        (the mark set in the page survives) and the result was not replaced."""
        self.driver.execute_script("window.hosoMark = 'con nguyen';")
        job = WebDriverWait(self.driver, WAIT).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "#job[data-done='yes']"))
        )
        shown = job.text
        time.sleep(STAY)
        assert self.driver.execute_script("return window.hosoMark;") == "con nguyen"
        still = self.driver.find_element(By.CSS_SELECTOR, "#job[data-done='yes']")
        assert still.text == shown and still.is_displayed()
        return still

    def download(self, css: str, name: str) -> Path:
        target = self.downloads / name
        target.unlink(missing_ok=True)
        self.click(css)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if target.is_file() and not list(self.downloads.glob("*.crdownload")):
                return target
            time.sleep(0.1)
        raise AssertionError(f"{name} was not downloaded")


def _workbooks(tmp_path: Path) -> Path:
    """The demo's workbooks, as the villages send them back."""
    folder = tmp_path / "nhan-ve"
    folder.mkdir()
    for path in [DEMO / "xa.xlsx", *sorted((DEMO / "thon").iterdir())]:
        shutil.copy(path, folder / path.name)
    return folder


def test_the_whole_evaluation_in_the_browser(
    browser: WebDriver, live: Live, tmp_path: Path, size: tuple[int, int]
) -> None:
    """At both sizes: every page fits the screen's width (checked at each screenshot), the
    main action of each page is on screen as it opens (laptop), each result stays."""
    clerk = Clerk(browser, screenshot_folder(tmp_path), tmp_path / "downloads")
    laptop = size == LAPTOP
    browser.get(live.url)
    assert "token" not in browser.current_url  # the token became a cookie
    clerk.find("h1")
    clerk.shot("ho-so")

    # A new dossier, as `hoso init` asks, with its villages.
    clerk.nav("Tạo hồ sơ mới")
    Select(clerk.find("#cap")).select_by_value("xã")
    clerk.type("xa", "Bình Trung")
    clerk.type("tinh", "Lạng Sơn")
    clerk.type("huyen", "Cao Lộc")
    clerk.type("nam", "2024")
    # A mountain commune: only the clerk knows its category (Decision 06), so it is asked.
    Select(clerk.find("#loai")).select_by_value("mien_nui")
    clerk.type("thon", "\n".join(VILLAGES))
    clerk.shot("ho-so-moi")
    if laptop:
        clerk.in_view("#new-form button[type=submit]")
    clerk.submit("#new-form button[type=submit]")
    clerk.find("#profile-form")
    dossier = live.root / "binh-trung-2024"
    assert "Nà Cáy" in (dossier / "hoso.toml").read_text(encoding="utf-8")
    # What init leaves blank is shown beside its field.
    error = clerk.find("[data-for='lanh_dao.chu_tich']")
    assert "chưa điền" in error.text
    clerk.shot("thong-tin-moi")

    # The profile: names, receiver, plan, council; one date typed wrong first.
    Select(clerk.find("[name='don_vi.loai']")).select_by_value("mien_nui")
    fields = {
        "lanh_dao.chu_tich": "Nông Văn Hùng",
        "lanh_dao.pho_chu_tich": "Hà Nam Nhiệm",
        "lanh_dao.cong_chuc_vhxh": "Hoàng Thị Lan",
        "tiep_nhan.ten": "Phòng Lao động - Thương binh và Xã hội",
        "tiep_nhan.dia_ban": "huyện Cao Lộc",
        "tiep_nhan.cong_nhan": "Ủy ban nhân dân huyện Cao Lộc",
        "ke_hoach.can_cu_so": "1301/KH-UBND",
        "ke_hoach.can_cu_ngay": "31/2/2024",
        "ke_hoach.can_cu_co_quan": "Ủy ban nhân dân huyện Cao Lộc",
        "ke_hoach.han_bao_cao": "2024-11-07",
        "hoi_dong.thanh_vien[1].ho_ten": "Nông Văn Hùng",
        "hoi_dong.thanh_vien[2].ho_ten": "Hoàng Thị Lan",
        "hoi_dong.thanh_vien[3].ho_ten": "Lộc Văn Thành",
        "hoi_dong.thanh_vien[3].chuc_vu": "Chủ tịch Ủy ban Mặt trận Tổ quốc xã",
    }
    for key, text in fields.items():
        clerk.type(key, text)
    clerk.submit(".savebar button")
    error = clerk.find("[data-for='ke_hoach.can_cu_ngay']")
    assert "không phải một ngày" in error.text
    assert "còn 1 chỗ" in clerk.find(".flash").text.lower()
    clerk.shot("thong-tin-loi")
    clerk.type("ke_hoach.can_cu_ngay", "22/3/2024")
    clerk.submit(".savebar button")
    assert "đã điền đủ, đúng" in clerk.find(".flash").text
    saved = (dossier / "hoso.toml").read_text(encoding="utf-8")
    assert "can_cu_ngay = 2024-03-22" in saved
    assert "# họ và tên Chủ tịch UBND" in saved  # the file's comments stay

    # The blank forms, as one zip.
    clerk.nav("2. Số liệu")
    clerk.find("#upload-form")
    clerk.shot("so-lieu")
    if laptop:
        clerk.in_view("#upload-button")
    forms = clerk.download("#forms-zip", "bieu-mau-binh-trung-2024.zip")
    assert forms.stat().st_size > 0

    # The returned workbooks, one of them with a word in a number cell.
    returned = _workbooks(tmp_path)
    book = openpyxl.load_workbook(returned / "na-cay.xlsx")
    cell = f"D{row_of(book['Số liệu'], 'duoi_1_tiem_du')}"
    edit(returned / "na-cay.xlsx", {"duoi_1_tiem_du": "tám mươi"})
    upload = clerk.find("#bieu")
    upload.send_keys("\n".join(str(p) for p in sorted(returned.iterdir())))
    clerk.click("#upload-button")
    clerk.job_done()
    row = clerk.find(f"table.problems tr[data-file='thon/na-cay.xlsx'][data-cell='{cell}']")
    assert "tám mươi" in row.text or "số" in row.text
    assert clerk.find("#ingest-errors").text.startswith("Có 1 lỗi")
    marked = row.find_element(By.LINK_TEXT, "na-cay.loi.xlsx")
    assert marked.is_displayed()
    clerk.shot("so-lieu-loi")

    # The village's fix.
    shutil.copy(DEMO / "thon" / "na-cay.xlsx", returned / "na-cay.xlsx")
    clerk.nav("2. Số liệu")
    clerk.find("#bieu").send_keys(str(returned / "na-cay.xlsx"))
    clerk.click("#upload-button")
    clerk.job_done()
    assert "Số liệu đúng: 12 thôn" in clerk.find("#ingest-ok").text
    clerk.shot("so-lieu-dung")

    # The scorecard.
    clerk.nav("3. Chấm điểm")
    if laptop:
        clerk.in_view("#score-button")
    clerk.click("#score-button")
    assert clerk.find("#total").text == "915"
    assert "đạt" in clerk.find("#verdict").text.split("\n")
    assert len(browser.find_elements(By.CSS_SELECTOR, "figure.chart .bar-row")) == 13
    clerk.shot("cham-diem")

    # The council's adjustment: above the item's maximum first, then right.
    clerk.nav("4. Điều chỉnh")
    if laptop:
        clerk.in_view("#adjust-button")
    Select(clerk.find("#muc")).select_by_value("10.2")
    clerk.type("diem", "500")
    clerk.type("ly_do", "Hội đồng xác minh 19 trẻ em học mầm non tại xã lân cận.")
    clerk.click("#adjust-button")
    assert "ngoài khoảng 0 đến 50" in clerk.find(".field-error").text
    clerk.shot("dieu-chinh-loi")
    clerk.type("diem", "50")
    clerk.click("#adjust-button")
    assert clerk.find("#total").text == "940"
    assert "[[dieu_chinh]]" in (dossier / "hoso.toml").read_text(encoding="utf-8")
    clerk.shot("cham-diem-dieu-chinh")

    # The papers, and the total read back from the downloaded report.
    clerk.nav("5. Văn bản")
    if laptop:
        clerk.in_view("#render-button")
    pdf = clerk.find("input[name=pdf]")
    if pdf.is_selected():
        pdf.click()  # PDFs are tested on their own (tests/test_web.py)
    clerk.click("#render-button")
    clerk.job_done()
    assert clerk.find("#papers-ok").text.startswith("Đã lập 5 văn bản")
    clerk.click("#papers-ok a")
    clerk.find(".papers")
    clerk.shot("van-ban")
    report = clerk.download("a.docx[href$='BC-ket-qua-danh-gia.docx']", "BC-ket-qua-danh-gia.docx")
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "Tổng số điểm: 940/1.000 điểm" in text
    papers = clerk.download("#zip-link", "van-ban-binh-trung-2024.zip")
    assert papers.stat().st_size > 0

    # The plan's number corrected: the papers are marked old and cannot be issued, until
    # the one button beside the reason makes them again.
    clerk.nav("1. Thông tin")
    if laptop:
        clerk.in_view(".savebar button")
    clerk.type("ke_hoach.can_cu_so", "1302/KH-UBND")
    clerk.submit(".savebar button")
    assert "đã điền đủ, đúng" in clerk.find(".flash").text
    clerk.nav("5. Văn bản")
    box = clerk.find("#stale-papers")
    assert "thông tin hồ sơ đã sửa" in box.text
    assert clerk.find("#issue-button").get_attribute("disabled")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".old-docx")) == 5
    clerk.shot("van-ban-cu")
    clerk.click("#stale-papers button")
    clerk.job_done()
    clerk.nav("5. Văn bản")
    clerk.find(".papers")
    assert not browser.find_elements(By.ID, "stale-papers")

    # Issued: the result stays on screen.
    clerk.click("#issue-button")
    assert "Đã phát hành phiên bản 1" in clerk.job_done().text
    clerk.shot("phat-hanh")
    clerk.nav("5. Văn bản")
    versions = clerk.find("#versions").text
    assert "Hoàng Thị Lan" in versions and " ngày " in versions  # a person, Vietnam's time


def _alert(clerk: Clerk) -> str:
    element = WebDriverWait(clerk.driver, WAIT).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, ".page-alert"))
    )
    text: str = element.text
    clerk.driver.execute_script("document.querySelectorAll('.page-alert').forEach(e => e.remove())")
    return text


def test_every_failure_is_said_where_the_clerk_is_looking(
    browser: WebDriver, live: Live, tmp_path: Path
) -> None:
    shutil.copytree(DEMO, live.root / "binh-trung-2024")
    clerk = Clerk(browser, screenshot_folder(tmp_path), tmp_path / "downloads")
    port = live.base.rsplit(":", 1)[1]
    page = f"{live.base}/hs/binh-trung-2024/so-lieu"
    browser.get(live.url)
    browser.get(page)
    workbook = DEMO / "thon" / "na-cay.xlsx"

    # Too large, noticed before sending.
    browser.execute_script("document.getElementById('upload-form').dataset.maxBytes = '10'")
    clerk.find("#bieu").send_keys(str(workbook))
    clerk.click("#upload-button")
    assert "Tệp quá lớn" in _alert(clerk)
    # Too large for the server (413), said in the page.
    live.app.config["MAX_CONTENT_LENGTH"] = 1000
    browser.get(page)
    clerk.find("#bieu").send_keys(str(workbook))
    clerk.click("#upload-button")
    assert "Tệp quá lớn" in _alert(clerk)
    live.app.config["MAX_CONTENT_LENGTH"] = None

    # A page from before a restart whose session key changed (400).
    browser.get(page)
    browser.delete_cookie(f"hoso_phien_{port}")
    clerk.click("#check-button")
    said = _alert(clerk)
    assert "Trang đã cũ" in said and "F5" in said
    clerk.shot("loi-trang-cu")

    # The token cookie gone (403).
    browser.get(live.url)
    browser.get(page)
    browser.delete_cookie(f"hoso_token_{port}")
    clerk.click("#check-button")
    assert "Chưa mở đúng địa chỉ" in _alert(clerk)

    # The server stops: the banner says it, and a button pressed says it again.
    browser.get(live.url)
    browser.get(page)
    clerk.find("#check-button")
    live.stop()
    banner = WebDriverWait(browser, WAIT).until(
        ec.visibility_of_element_located((By.ID, "connection"))
    )
    assert "Mất kết nối với hoso web" in banner.text
    clerk.shot("mat-ket-noi")
    clerk.click("#check-button")
    assert "Mất kết nối" in _alert(clerk)


def test_two_tabs_saving_the_same_version_lose_nothing(
    browser: WebDriver, live: Live, tmp_path: Path
) -> None:
    """The same form open in two tabs: the second save is refused, keeps what was typed and
    shows the first tab's change; saved again, the file holds both."""
    shutil.copytree(DEMO, live.root / "binh-trung-2024")
    clerk = Clerk(browser, screenshot_folder(tmp_path), tmp_path / "downloads")
    page = f"{live.base}/hs/binh-trung-2024/thong-tin"
    browser.get(live.url)
    browser.get(page)
    first = browser.current_window_handle
    clerk.find("#profile-form")
    browser.switch_to.new_window("tab")
    browser.get(page)
    clerk.type("lanh_dao.pho_chu_tich", "Tab Hai")
    clerk.submit(".savebar button")
    assert "Đã lưu" in clerk.find(".flash").text
    browser.switch_to.window(first)
    clerk.type("lanh_dao.cong_chuc_vhxh", "Tab Một")
    clerk.submit(".savebar button")
    conflict = clerk.find("#conflict")
    assert "Chưa lưu" in conflict.text and "Tab Hai" in conflict.text
    kept = browser.find_element(By.ID, "lanh_dao.cong_chuc_vhxh").get_attribute("value")
    assert kept == "Tab Một"
    assert browser.find_element(By.ID, "lanh_dao.pho_chu_tich").get_attribute("value") == "Tab Hai"
    clerk.shot("luu-trung")
    clerk.submit(".savebar button")
    assert "Đã lưu" in clerk.find(".flash").text
    saved = (live.root / "binh-trung-2024" / "hoso.toml").read_text(encoding="utf-8")
    assert "Tab Một" in saved and "Tab Hai" in saved
