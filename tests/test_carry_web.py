"""The page "Hồ sơ năm mới từ hồ sơ năm trước" of `hoso web`: through Flask's test client
and in a real headless Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from pipeline.model.dossier import Dossier
from pipeline.stages.forms import write_forms
from pipeline.stages.ingest import ingest_to
from pipeline.stages.score import score
from tests.conftest import DEMO
from tests.helpers import SHEET, row_of
from tests.web_helpers import browser_paths, get, live_server, post, text, web_app


def _scored_demo(root: Path, outputs: Path) -> Path:
    folder = root / "binh-trung-2024"
    shutil.copytree(DEMO, folder)
    ingest_to(Dossier(folder, outputs / folder.name))
    score(Dossier(folder, outputs / folder.name))
    return folder


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    served = web_app(tmp_path)
    _scored_demo(served.extensions["hoso"].root, tmp_path / "outputs")
    return served


def test_the_page_makes_next_years_dossier(client: FlaskClient, app: Flask) -> None:
    root: Path = app.extensions["hoso"].root
    assert "Hồ sơ năm mới từ hồ sơ năm trước" in text(get(client, "/"))
    assert "xã Bình Trung (binh-trung-2024)" in text(get(client, "/nam-moi"))

    refused = post(client, "/nam-moi", {"thu_muc": "binh-trung-2025"})
    assert refused.status_code == 422 and "chưa chọn hồ sơ năm trước" in text(refused)
    wrong = post(client, "/nam-moi", {"tu": "binh-trung-2024", "thu_muc": "x", "nam": "2024"})
    assert wrong.status_code == 422
    assert "hồ sơ năm 2024 không nối tiếp năm 2024" in text(wrong)

    made = post(client, "/nam-moi", {"tu": "binh-trung-2024", "thu_muc": "binh-trung-2025"})
    assert made.headers["Location"] == "/hs/binh-trung-2025/thong-tin"
    page = text(get(client, made.headers["Location"]))
    assert "Đã thay đổi: năm đánh giá: 2024 → 2025" in page
    assert "Cần điền: tiep_nhan.ten, tiep_nhan.dia_ban, tiep_nhan.cong_nhan" in page
    written = write_forms(Dossier(root / "binh-trung-2025")).written
    ws = openpyxl.load_workbook(written[0].path)[SHEET]
    assert ws.cell(row_of(ws, "tai_nan_thuong_tich_ky_truoc"), 4).value is not None


def test_the_clerks_flow_in_a_browser(tmp_path: Path) -> None:
    chromium, driver = browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1366,768", "--lang=vi"):  # fmt: skip
        options.add_argument(arg)
    with live_server(tmp_path) as live:
        _scored_demo(live.root, live.outputs)
        chrome = webdriver.Chrome(service=Service(driver), options=options)
        try:
            _flow(chrome, live.url, live.root)
        finally:
            chrome.quit()


def _flow(chrome: webdriver.Chrome, url: str, root: Path) -> None:
    wait = WebDriverWait(chrome, 60)
    chrome.get(url)
    wait.until(
        ec.element_to_be_clickable((By.LINK_TEXT, "Hồ sơ năm mới từ hồ sơ năm trước"))
    ).click()
    wait.until(ec.presence_of_element_located((By.ID, "new-year-form")))
    chrome.find_element(By.CSS_SELECTOR, 'input[name="tu"][value="binh-trung-2024"]').click()
    chrome.find_element(By.ID, "thu_muc").send_keys("binh-trung-2025")
    chrome.find_element(By.CSS_SELECTOR, "#new-year-form button[type=submit]").click()
    wait.until(ec.url_contains("/hs/binh-trung-2025/thong-tin"))
    flashes = [e.text for e in chrome.find_elements(By.CSS_SELECTOR, ".flash")]
    assert "Đã tạo hồ sơ năm mới từ hồ sơ năm trước." in flashes
    assert "Đã thay đổi: năm đánh giá: 2024 → 2025" in flashes
    assert (root / "binh-trung-2025" / "nam-truoc.xlsx").is_file()
