"""A real `hoso web` server on 127.0.0.1 for tests, and the browser that drives it."""

from __future__ import annotations

import html as htmllib
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from waitress.server import create_server
from werkzeug.test import EnvironBuilder, TestResponse

from pipeline.web.app import address, create_app, set_port

# The address and token of the app the request tests drive through Flask's test client.
BASE = "http://127.0.0.1:5123"
TOKEN = "jeton-de-test"


def web_app(tmp_path: Path) -> Flask:
    """`hoso web` over `tmp_path/ho-so`, its outputs and archive beside it, for the test
    client (the folder is made if missing)."""
    root = tmp_path / "ho-so"
    root.mkdir(exist_ok=True)
    return create_app(
        root, outputs=tmp_path / "outputs", archive=tmp_path / "archive", port=5123, token=TOKEN
    )


def signed_in(app: Flask) -> FlaskClient:
    """A client that opened the address `hoso web` printed: its token is now a cookie."""
    c = app.test_client()
    assert c.get(f"/?token={TOKEN}", base_url=BASE).status_code == 303
    return c


def get(client: FlaskClient, path: str) -> TestResponse:
    return client.get(path, base_url=BASE)


def text(response: TestResponse) -> str:
    """The page as a reader sees it (entities decoded)."""
    return htmllib.unescape(response.get_data(as_text=True))


def csrf(client: FlaskClient) -> str:
    html = get(client, "/").get_data(as_text=True)
    match = re.search(r'name="csrf" value="([^"]+)"', html) or re.search(
        r'name="csrf" value="([^"]*)"', get(client, "/moi").get_data(as_text=True)
    )
    assert match
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, object]) -> TestResponse:
    """A form sent with the session's CSRF token (the request body, spooled to a temporary
    file when large, is closed here: the test client leaves it open)."""
    builder = EnvironBuilder(path, base_url=BASE, method="POST",
                             data={"csrf": csrf(client), **data})  # fmt: skip
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


def wait_job(client: FlaskClient, response: TestResponse) -> str:
    """Follow a job's page until it is done; its HTML."""
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    url = response.headers["Location"]
    for _ in range(600):
        html = get(client, url).get_data(as_text=True)
        if 'data-done="yes"' in html:
            return html
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def wait_fragment(client: FlaskClient, path: str, data: dict[str, object]) -> str:
    """Send a form as htmx does and follow the job's fragment (as the page polls it) until
    the job is done; the last fragment's HTML, out-of-band parts included."""
    headers = {"HX-Request": "true"}
    html = client.post(path, base_url=BASE, headers=headers,
                       data={"csrf": csrf(client), **data}).get_data(as_text=True)  # fmt: skip
    for _ in range(600):
        if 'data-done="yes"' in html:
            return html
        poll = re.search(r'hx-get="([^"]+/viec/[^"]+)"', html)
        assert poll, html[:500]
        time.sleep(0.1)
        html = client.get(poll.group(1), base_url=BASE, headers=headers).get_data(as_text=True)
    raise AssertionError("job did not finish")


@dataclass(frozen=True)
class Live:
    url: str  # the address with its token, as `hoso web` prints it
    base: str  # http://127.0.0.1:<port>
    root: Path
    outputs: Path
    app: Flask
    stop: Callable[[], None]  # the server stops, as when the clerk closes hoso web


@contextmanager
def live_server(tmp_path: Path) -> Iterator[Live]:
    """`hoso web` on a free port, serving `tmp_path/ho-so`, until the block ends."""
    root = tmp_path / "ho-so"
    root.mkdir(exist_ok=True)
    outputs = tmp_path / "outputs"
    app = create_app(root, outputs=outputs, archive=tmp_path / "archive", port=0)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = int(server.effective_port)  # type: ignore[union-attr]
    set_port(app, port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Live(address(app, port), f"http://127.0.0.1:{port}", root, outputs, app, server.close)
    finally:
        server.close()
        app.extensions["hoso"].close()


def browser_paths() -> tuple[str, str]:
    """Debian's chromium and chromedriver; missing is a skip locally, a failure in CI."""
    chromium = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are required in CI; see .ci/run")
        pytest.skip("chromium / chromedriver not installed")
    return chromium, driver


def screenshot_folder(tmp_path: Path) -> Path:
    """outputs/screenshots (or the folder HOSO_SCREENSHOTS names) when that variable is set,
    else a folder of the test's own."""
    named = os.environ.get("HOSO_SCREENSHOTS")
    folder = Path(named) if named else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
