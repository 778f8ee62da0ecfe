"""`hoso web`: serve the page on 127.0.0.1 with waitress and open the browser on it."""

from __future__ import annotations

import errno
import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from waitress.server import create_server

from pipeline.common.errors import EnvironmentProblem
from pipeline.web.app import address, create_app, set_port

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_TRIES = 20  # ports tried after the default one when it is taken
_THREADS = 8


def _bind(port: int) -> socket.socket | None:
    """A socket bound to 127.0.0.1:`port`, or None when the port is taken."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind((HOST, port))
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            return None
        raise EnvironmentProblem(
            f"Không mở được cổng {port}: {exc.strerror}", "chọn cổng khác bằng --port."
        ) from exc
    return listener


def serve(
    root: Path,
    *,
    outputs: Path,
    archive: Path,
    port: int | None = None,
    open_browser: bool = True,
    say: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl+C. `port` None: the default port, or the next free one."""
    if not root.is_dir():
        raise EnvironmentProblem(
            f"Không có thư mục {root}", "chỉ tới thư mục chứa các thư mục hồ sơ."
        )
    app = create_app(root, outputs=outputs, archive=archive, port=port or DEFAULT_PORT)
    candidates = [port] if port is not None else list(range(DEFAULT_PORT, DEFAULT_PORT + _TRIES))
    server = None
    for candidate in candidates:
        listener = _bind(candidate)
        if listener is not None:
            server = create_server(app, sockets=[listener], threads=_THREADS)
            break
    if server is None:
        raise EnvironmentProblem(
            f"Cổng {candidates[0]} đang bận" if port else "Các cổng thường dùng đều đang bận",
            "chọn cổng khác bằng --port, hoặc đóng hoso web đang chạy.",
        )
    bound = int(server.effective_port)  # type: ignore[union-attr]
    set_port(app, bound)
    url = address(app, bound)
    say(f"hoso web đang chạy tại {url}")
    say("Mở địa chỉ trên bằng trình duyệt trên máy này. Dừng: bấm Ctrl+C.")
    if open_browser:
        webbrowser.open(url)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    say("Đã dừng hoso web.")
