"""Signing on the page: each paper's PDF shown unsigned, signed by its signer (who, when)
or issued with the agency's signature, and the signer's signature made with a .p12 file
and its password typed there, on the demo dossier's real PDF/A papers (LibreOffice) with
keys of a CA made in the test. The password is never written anywhere."""

from __future__ import annotations

import html as htmllib
import logging
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.test import TestResponse

from pipeline.model.dossier import Dossier
from pipeline.sign.verify import check_pdf, load_trust
from pipeline.stages.ingest import ingest_to
from pipeline.stages.pdf import pdf_dossier
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.sign_helpers import PASSWORD, make_p12
from tests.test_sign import KY_SO, Made, made  # noqa: F401 (the module's dossier and keys)
from tests.test_web_browser import Clerk, browser, size  # noqa: F401 (fixtures)
from tests.web_helpers import (
    Live,
    get,
    live_server,
    post,
    screenshot_folder,
    text,
    wait_job,
    web_app,
)

NAME = "binh-trung-2024"
PAGE = f"/hs/{NAME}/van-ban"
OTHER_PASSWORD = "mat-khau-tep-chon"


@pytest.fixture(scope="module")
def ready(made: Made, tmp_path_factory: pytest.TempPathFactory) -> Made:  # noqa: F811
    """The demo dossier with [ky_so] in its profile and its papers' PDF/A made after it, as
    a clerk who set up signing has them: nothing stale, nothing signed."""
    tmp = tmp_path_factory.mktemp("web-sign")
    dossier, out = tmp / NAME, tmp / "out"
    shutil.copytree(made.dossier, dossier)
    profile = dossier / "hoso.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + KY_SO, encoding="utf-8")
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    pdf_dossier(Dossier(dossier, out))
    return Made(dossier, out, made.ca, made.ca_pem)


def _place(ready: Made, root: Path, outputs: Path) -> Path:
    """A copy of the dossier under `root`, its outputs in `outputs` (as hoso web has them)."""
    dossier = root / NAME
    shutil.copytree(ready.dossier, dossier)
    shutil.copytree(ready.out, outputs / NAME)
    return dossier


@pytest.fixture
def app(ready: Made, tmp_path: Path) -> Flask:
    served = web_app(tmp_path)
    _place(ready, served.extensions["hoso"].root, tmp_path / "outputs")
    return served


def _out(app: Flask) -> Path:
    return Path(app.extensions["hoso"].outputs) / NAME


def _states(html: str) -> dict[str, str]:
    """Each paper's signature state on the page, by its code."""
    found = {}
    for card in re.findall(
        r'<div class="paper[^"]*" data-code="(\w+)">(.*?)\n  </div>', html, re.S
    ):
        state = re.search(r'data-sig="([\w-]+)"', card[1])
        found[card[0]] = state.group(1) if state else ""
    return found


def _panel(html: str, role: str) -> str:
    match = re.search(rf'<div class="panel sign-offer" data-role="{role}".*?\n</div>', html, re.S)
    assert match, role
    return htmllib.unescape(match.group(0))


def _sign(client: FlaskClient, role: str, password: str, **extra: object) -> TestResponse:
    return post(client, f"/hs/{NAME}/ky", {"vai": role, "mat_khau": password, **extra})


def _issue(client: FlaskClient, passwords: dict[str, str], numbers: bool = True) -> TestResponse:
    typed = {f"mk_{role}": secret for role, secret in passwords.items()}
    return post(client, f"/hs/{NAME}/phat-hanh", {"cap_so": "1" if numbers else "", **typed})


def _issue_fields(html: str) -> dict[str, str]:
    """The issue form's password fields, by the key each opens."""
    form = re.search(r'<form[^>]*id="issue-form".*?</form>', html, re.S)
    assert form, "no issue form"
    found = re.findall(r'<input type="password" name="mk_(\w+)"[^>]*>', form.group(0))
    tags = re.findall(r'<input type="password" name="mk_\w+"[^>]*>', form.group(0))
    return dict(zip(found, tags, strict=True))


def _everything_written(tmp_path: Path) -> Iterator[tuple[Path, bytes]]:
    for path in tmp_path.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes()


def test_each_paper_unsigned_then_signed_on_the_page_then_issued(
    client: FlaskClient,
    app: Flask,
    ready: Made,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for noisy in ("pipeline", "pyhanko", "werkzeug", "flask"):
        caplog.set_level(logging.DEBUG, logger=noisy)
    out = _out(app)
    page = get(client, PAGE).get_data(as_text=True)
    assert "is-stale" not in page  # [ky_so] set up before the papers were made
    assert 'id="resign-note"' not in page
    assert set(_states(page).values()) == {"chua-ky"}, _states(page)
    # One form per signer awaited, each with a password field that never carries a value.
    assert re.findall(r'data-role="(\w+)" id="ky-', page) == [
        "pho_chu_tich", "chu_tich", "thu_ky",
    ]  # fmt: skip
    fields = re.findall(r"<input type=\"password\" name=\"mat_khau\"[^>]*>", page)
    assert len(fields) == 3 and not any("value=" in f for f in fields)
    assert "Chờ ký: Kế hoạch." in _panel(page, "pho_chu_tich")

    # The Vice-Chairman signs with the .p12 hoso.toml names and its password.
    done = wait_job(client, _sign(client, "pho_chu_tich", PASSWORD))
    assert 'id="sign-ok"' in done and "Kế hoạch" in htmllib.unescape(done)
    page = text(get(client, PAGE))
    states = _states(page)
    assert states["KH"] == "da-ky" and states["QD"] == "chua-ky", states
    assert "Hà Nam Nhiệm (Phó Chủ tịch)" in page
    assert 'id="resign-note"' in page  # making the PDFs again would drop the signature
    reports = check_pdf((out / "KH-ke-hoach.pdf").read_bytes(), load_trust([ready.ca_pem]))
    assert [(r.field, r.ok, r.trusted) for r in reports] == [("NguoiKy-pho_chu_tich", True, True)]

    # The secretary picks another .p12 (not the one hoso.toml names) with its own password.
    chosen = make_p12(tmp_path / "thu-ky-khac.p12", ready.ca, "Hoàng Thị Lan (tệp chọn)",
                      password=OTHER_PASSWORD)  # fmt: skip
    sent = (chosen.open("rb"), "thu-ky-khac.p12")
    done = wait_job(client, _sign(client, "thu_ky", OTHER_PASSWORD, tep_khoa=sent))
    assert 'id="sign-ok"' in done
    chosen.unlink()  # the only copy was the test's own: the page kept none
    page = text(get(client, PAGE))
    assert _states(page)["BB"] == "cho-ky"  # the chair has still to sign the minutes
    assert "Hoàng Thị Lan (tệp chọn) (Thư ký Hội đồng)" in page
    assert "Chờ ký: Nông Văn Hùng (Chủ tịch)" in page

    done = wait_job(client, _sign(client, "chu_tich", PASSWORD))
    assert "đã ký số 4 văn bản" in htmllib.unescape(done)
    page = text(get(client, PAGE))
    assert set(_states(page).values()) == {"da-ky"}
    assert 'id="all-signed"' in page and "sign-offer" not in page

    # Issued with numbers from the page: the papers are made again with their numbers, so
    # the form asks the agency's password and each signer's, typed there, never sent back.
    asked = _issue_fields(get(client, PAGE).get_data(as_text=True))
    assert set(asked) == {"co_quan", "chu_tich", "pho_chu_tich", "thu_ky"}
    assert not any("value=" in f for f in asked.values())
    done = wait_job(client, _issue(client, dict.fromkeys(asked, PASSWORD)))
    assert 'id="issue-ok"' in done, htmllib.unescape(done)[-3000:]
    page = text(get(client, PAGE))
    assert page.count('data-issued="co-quan-da-ky"') == 5
    assert "Bản đã phát hành v1, số 01/KH-UBND" in page
    state = app.extensions["hoso"]
    archived = next(state.archive.rglob("KH-ke-hoach.pdf"))
    reports = check_pdf(archived.read_bytes(), load_trust([ready.ca_pem]))
    assert ("CoQuan", True, True) in [(r.field, r.ok, r.trusted) for r in reports], reports

    # The passwords: in no page, file, log, or the server's state.
    for secret in (PASSWORD, OTHER_PASSWORD):
        assert secret not in page and secret not in caplog.text
        assert secret not in repr(vars(state)) and secret not in repr(state.jobs._jobs)
        for path, data in _everything_written(tmp_path):
            assert secret.encode() not in data, path


def test_a_wrong_password_is_said_at_its_form_and_nothing_is_signed(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    out = _out(app)
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    refused = _sign(client, "thu_ky", "sai-mat-khau")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "sai-mat-khau" not in page
    panel = _panel(page, "thu_ky")
    assert "sai mật khẩu" in panel and 'aria-invalid="true"' in panel
    assert "sai mật khẩu" not in _panel(page, "chu_tich")
    # No password at all, for a key that is not the demo's sample.
    assert "chưa nhập mật khẩu" in _panel(_sign(client, "thu_ky", "").get_data(as_text=True),
                                           "thu_ky")  # fmt: skip
    # A file that is no .p12.
    junk = tmp_path / "anh.p12"
    junk.write_bytes(b"PK\x03\x04 not a key")
    sent = _sign(client, "thu_ky", PASSWORD, tep_khoa=(junk.open("rb"), "anh.p12"))
    assert "không mở được tệp khóa anh.p12" in _panel(sent.get_data(as_text=True), "thu_ky")
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == before


def test_a_token_is_left_to_the_command_line(client: FlaskClient, app: Flask) -> None:
    dossier = app.extensions["hoso"].root / NAME
    profile = dossier / "hoso.toml"
    edited = profile.read_text(encoding="utf-8").replace(
        '[ky_so.chu_tich]\ntep = "khoa/chu_tich.p12"',
        '[ky_so.chu_tich]\ntoken = "UBND"\nkhoa = "chu-tich"',
    )
    profile.write_text(edited.replace("[ky_so]\n", '[ky_so]\nthu_vien = "pkcs11.so"\n', 1))
    page = text(get(client, PAGE))
    panel = _panel(page, "chu_tich")
    assert "USB token" in panel and "<form" not in panel
    assert f'hoso ky "{dossier}" --out "{_out(app)}"' in panel
    assert "<form" in _panel(page, "thu_ky")  # the others still sign here
    before = (_out(app) / "QD-thanh-lap-hoi-dong.pdf").read_bytes()
    sent = _sign(client, "chu_tich", PASSWORD)
    assert sent.status_code == 303 and "#ky-so" in sent.headers["Location"]
    assert (_out(app) / "QD-thanh-lap-hoi-dong.pdf").read_bytes() == before


def test_a_dossier_that_does_not_sign_is_told_how_to_set_it_up(
    client: FlaskClient, app: Flask
) -> None:
    profile = app.extensions["hoso"].root / NAME / "hoso.toml"
    before = profile.read_text(encoding="utf-8")
    profile.write_text(before[: before.index("\n[ky_so]")] + "\n", encoding="utf-8")
    page = text(get(client, PAGE))
    assert 'id="no-keys"' in page and "[ky_so]" in page
    assert "sign-offer" not in page  # nothing to fill in for keys it has not got
    assert set(_states(page).values()) == {"chua-ky"}


def test_a_key_request_is_small(client: FlaskClient) -> None:
    big = b"0" * (300 * 1024)
    import io

    refused = _sign(client, "thu_ky", PASSWORD, tep_khoa=(io.BytesIO(big), "lon.p12"))
    assert refused.status_code == 413


# --- in the browser ---------------------------------------------------------------------------


@pytest.fixture
def live(ready: Made, tmp_path: Path) -> Iterator[Live]:
    with live_server(tmp_path) as server:
        _place(ready, server.root, server.outputs)
        yield server


def test_signing_in_the_browser(
    browser: WebDriver,  # noqa: F811 (the fixture imported above)
    live: Live,
    tmp_path: Path,
    size: tuple[int, int],  # noqa: F811
) -> None:
    """The clerk types the Vice-Chairman's password and signs; a wrong one first is said at
    its form. Every screen fits its width (1366x768 and a phone)."""
    clerk = Clerk(browser, screenshot_folder(tmp_path), tmp_path / "downloads")
    browser.get(live.url.replace("/?", f"{PAGE}?"))
    clerk.find("#ky-so")
    clerk.shot("van-ban-chua-ky")
    browser.execute_script("document.getElementById('ky-so').scrollIntoView()")
    clerk.shot("ky-so")
    clerk.type("mk-pho_chu_tich", "sai")
    clerk.click("#ky-pho_chu_tich .sign-button")
    refused = clerk.find("#ky-pho_chu_tich .sign-refused")
    assert "sai mật khẩu" in refused.text
    field = browser.find_element(By.ID, "mk-pho_chu_tich")
    assert field.get_attribute("value") == ""  # never sent back
    clerk.shot("ky-so-sai-mat-khau")
    clerk.type("mk-pho_chu_tich", PASSWORD)
    clerk.click("#ky-pho_chu_tich .sign-button")
    WebDriverWait(browser, 60).until(lambda b: "/viec/" in b.current_url)  # the job's page
    done = clerk.job_done()
    assert "đã ký số 1 văn bản" in done.text
    clerk.shot("ky-so-xong")
    clerk.click("#sign-ok a")
    card = clerk.find(".paper[data-code='KH'] .sig")
    assert card.get_attribute("data-sig") == "da-ky" and "Hà Nam Nhiệm" in card.text
    # The signed paper's preview shows (pdftoppm reads the signed PDF).
    shown = "var i = document.querySelector(\".paper[data-code='KH'] img\"); "
    browser.execute_script(shown + "i.loading = 'eager'; i.scrollIntoView();")
    WebDriverWait(browser, 60).until(
        lambda b: b.execute_script(shown + "return i.complete && i.naturalWidth > 0;")
    )
    browser.execute_script("window.scrollTo(0, 0)")
    clerk.shot("van-ban-da-ky")


# --- issuing from the page --------------------------------------------------------------------


def test_a_wrong_agency_password_is_said_at_its_field_and_nothing_is_issued(
    client: FlaskClient, app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    archive = Path(app.extensions["hoso"].archive)
    before = sorted(p.relative_to(archive) for p in archive.rglob("*")) if archive.exists() else []
    out_before = {p.name: p.read_bytes() for p in _out(app).iterdir() if p.is_file()}
    passwords = dict.fromkeys(("chu_tich", "pho_chu_tich", "thu_ky"), PASSWORD)
    refused = _issue(client, {**passwords, "co_quan": "sai-mat-khau-co-quan"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    field = re.search(r'<div class="issue-key" data-role="co_quan">.*?</div>', page, re.S)
    assert field and "sai mật khẩu" in htmllib.unescape(field.group(0))
    assert 'aria-invalid="true"' in field.group(0)
    other = re.search(r'<div class="issue-key" data-role="thu_ky">.*?</div>', page, re.S)
    assert other and "sai mật khẩu" not in htmllib.unescape(other.group(0))
    assert not any("value=" in f for f in _issue_fields(page).values())
    assert 'name="cap_so" value="1" checked' in page  # the rest of the form as sent
    # No password typed for a key the issue needs.
    missing = _issue(client, passwords)
    assert missing.status_code == 422
    assert "chưa nhập mật khẩu" in htmllib.unescape(missing.get_data(as_text=True))
    after = sorted(p.relative_to(archive) for p in archive.rglob("*")) if archive.exists() else []
    assert after == before and not any(p.suffix == ".sqlite" for p in after)
    assert {p.name: p.read_bytes() for p in _out(app).iterdir() if p.is_file()} == out_before
    for secret in ("sai-mat-khau-co-quan", PASSWORD):
        assert secret not in page and secret not in caplog.text
        for path, data in _everything_written(tmp_path):
            assert secret.encode() not in data, path


def test_an_agency_token_leaves_issuing_to_the_command_line(
    client: FlaskClient, app: Flask
) -> None:
    state = app.extensions["hoso"]
    dossier = state.root / NAME
    profile = dossier / "hoso.toml"
    edited = profile.read_text(encoding="utf-8").replace(
        '[ky_so.co_quan]\ntep = "khoa/co_quan.p12"',
        '[ky_so.co_quan]\ntoken = "UBND"\nkhoa = "co-quan"',
    )
    profile.write_text(edited.replace("[ky_so]\n", '[ky_so]\nthu_vien = "pkcs11.so"\n', 1))
    page = text(get(client, PAGE))
    command = f'hoso issue "{dossier}" --out "{_out(app)}" --archive "{state.archive}"'
    assert command in page and "USB token" in page
    assert "co_quan" not in _issue_fields(get(client, PAGE).get_data(as_text=True))
    refused = _issue(client, dict.fromkeys(("chu_tich", "pho_chu_tich", "thu_ky"), PASSWORD))
    assert refused.status_code == 422
    assert "hoso issue" in text(refused)
    assert not Path(state.archive).exists() or not any(Path(state.archive).rglob("*.pdf"))


def test_issuing_in_the_browser(
    browser: WebDriver,  # noqa: F811 (the fixture imported above)
    live: Live,
    tmp_path: Path,
    size: tuple[int, int],  # noqa: F811
) -> None:
    """The văn thư issues with numbers, typing the agency's password (wrong first, said at
    its field) and the signers' in the issue form. Every screen fits its width."""
    clerk = Clerk(browser, screenshot_folder(tmp_path), tmp_path / "downloads")
    browser.get(live.url.replace("/?", f"{PAGE}?"))
    clerk.find("#issue-form")
    browser.execute_script("document.getElementById('issue-form').scrollIntoView()")
    clerk.shot("phat-hanh-mat-khau")
    clerk.click("#issue-form input[name='cap_so']")
    for role in ("chu_tich", "pho_chu_tich", "thu_ky"):
        clerk.type(f"mk-phat-hanh-{role}", PASSWORD)
    clerk.type("mk-phat-hanh-co_quan", "sai")
    clerk.submit("#issue-button")
    refused = clerk.find(".issue-key[data-role='co_quan'] .issue-key-refused")
    assert "sai mật khẩu" in refused.text
    assert browser.find_element(By.ID, "mk-phat-hanh-co_quan").get_attribute("value") == ""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", refused)
    clerk.shot("phat-hanh-sai-mat-khau")
    for role in ("co_quan", "chu_tich", "pho_chu_tich", "thu_ky"):
        clerk.type(f"mk-phat-hanh-{role}", PASSWORD)
    clerk.click("#issue-button")
    WebDriverWait(browser, 60).until(lambda b: "/viec/" in b.current_url)  # the job's page
    done = WebDriverWait(browser, 300).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#job[data-done='yes']")
    )[0]
    assert "Đã phát hành phiên bản 1" in done.text, done.text
    clerk.shot("phat-hanh-xong")
