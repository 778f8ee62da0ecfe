"""A real `hoso web` server on 127.0.0.1 for tests, and the browser that drives it."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from waitress.server import create_server

from pipeline.web.app import address, create_app, set_port


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
