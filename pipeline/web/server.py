"""`hoso web`: serve the page on 127.0.0.1 with waitress and open the browser on it.

A restart keeps the clerk's address: the token, the session key and the port of the last run
are remembered in a file readable by the user only (outputs/.hoso-web.json), and the port is
taken again when it is free. The address changes only when that port is taken; the clerk is
told so. The server's temporary folder (previews) is removed when it stops.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import socket
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from waitress.server import create_server

from pipeline.common.errors import EnvironmentProblem
from pipeline.web.app import address, create_app, set_port

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_TRIES = 20  # ports tried after the remembered (or default) one when it is taken
_THREADS = 8
SESSION_NAME = ".hoso-web.json"


@dataclass(frozen=True)
class Session:
    """What a restart reuses so the open page keeps working: token, session key, port."""

    token: str
    secret: bytes
    port: int | None


def load_session(folder: Path) -> Session:
    """The last run's session in `folder`, or a new one (absent, unreadable or malformed)."""
    try:
        raw = json.loads((folder / SESSION_NAME).read_text(encoding="utf-8"))
        token, secret, port = str(raw["token"]), bytes.fromhex(raw["secret"]), raw.get("port")
        if len(token) >= 16 and len(secret) >= 32 and (port is None or isinstance(port, int)):
            return Session(token, secret, port)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return Session(secrets.token_urlsafe(24), secrets.token_bytes(32), None)


def save_session(folder: Path, session: Session) -> None:
    """Written readable by the user only: the token opens the page."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SESSION_NAME
    body = json.dumps({"token": session.token, "secret": session.secret.hex(),
                       "port": session.port})  # fmt: skip
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(body)
    temp.replace(path)


def _bind(port: int) -> socket.socket | None:
    """A socket bound to 127.0.0.1:`port`, or None when the port is taken."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A restart takes its port again although the last run's connections linger (TIME_WAIT);
    # on Windows SO_REUSEADDR would let two servers share a port, so it is exclusive there.
    if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((HOST, port))
    except OSError as exc:
        listener.close()
        if exc.errno in (errno.EADDRINUSE, errno.EACCES):
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
    """Serve until Ctrl+C. `port` None: the last run's port (else the default), or the next
    free one."""
    if not root.is_dir():
        raise EnvironmentProblem(
            f"Không có thư mục {root}", "chỉ tới thư mục chứa các thư mục hồ sơ."
        )
    session = load_session(outputs)
    first = port or session.port or DEFAULT_PORT
    candidates = [port] if port is not None else [first, *range(first + 1, first + _TRIES)]
    app = create_app(root, outputs=outputs, archive=archive, port=first, token=session.token,
                     secret=session.secret)  # fmt: skip
    state = app.extensions["hoso"]
    try:
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
        save_session(outputs, Session(session.token, session.secret, bound))
        url = address(app, bound)
        try:  # Ctrl+C from the moment the address is said is a normal stop
            if session.port is not None and bound != session.port:
                say(f"Cổng {session.port} của lần trước đang bận: trang mở ở địa chỉ mới.")
            say(f"hoso web đang chạy tại {url}")
            say("Mở địa chỉ trên bằng trình duyệt trên máy này. Dừng: bấm Ctrl+C.")
            if open_browser:
                webbrowser.open(url)
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    finally:
        state.close()
    say("Đã dừng hoso web.")
