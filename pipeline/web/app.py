"""The Flask application of `hoso web`, and what keeps it private to the clerk.

- Only `127.0.0.1:<port>` and `localhost:<port>` are accepted as Host (a web site cannot
  reach the server through a DNS name it controls).
- A random token, given once in the address the browser opens (`?token=…`), becomes an
  HttpOnly, SameSite=Strict cookie; without it every request is refused (another local user,
  or a page of another site, cannot drive the server).
- Every POST carries the session's CSRF token in a hidden field.
- Uploads are bounded in size and count (pipeline/common/limits.py).
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from pipeline.common import limits
from pipeline.common.vnformat import number, vietnam_clock
from pipeline.model.labels import stored_result
from pipeline.web.routes import bp
from pipeline.web.state import State

TOKEN_PARAM = "token"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
TOO_LARGE = (
    f"Mỗi lần chỉ tải lên tối đa {limits.MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
    f"và {limits.MAX_UPLOAD_FILES} tệp: chọn ít tệp hơn, tải lên làm nhiều lần."
)
KEY_REQUEST_BYTES = 256 * 1024
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(
    root: Path,
    *,
    outputs: Path,
    archive: Path,
    port: int,
    token: str | None = None,
    secret: bytes | None = None,
) -> Flask:
    """The application for the dossiers under `root`, answering on 127.0.0.1:`port`;
    `token` and `secret` (the session key) given to keep a restarted server's pages valid."""
    app = Flask(__name__, template_folder="pages", static_folder="static")
    state = State(root.resolve(), outputs.resolve(), archive.resolve(), token or new_token())
    app.extensions["hoso"] = state
    app.config.update(
        SECRET_KEY=secret or secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=limits.MAX_UPLOAD_BYTES,
        MAX_FORM_MEMORY_SIZE=2 * 1024 * 1024,
        MAX_FORM_PARTS=limits.MAX_UPLOAD_FILES + 500,
        SESSION_COOKIE_NAME=f"hoso_phien_{port}",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        TEMPLATES_AUTO_RELOAD=False,
    )
    set_port(app, port)
    app.jinja_env.filters["so"] = lambda v, digits=2: number(v, digits)
    app.jinja_env.filters["gio_vn"] = vietnam_clock
    app.jinja_env.filters["ket_qua"] = stored_result
    app.jinja_env.globals.update(
        csrf_field=CSRF_FIELD,
        max_bytes=limits.MAX_UPLOAD_BYTES,
        max_files=limits.MAX_UPLOAD_FILES,
        too_large=TOO_LARGE,
    )
    app.before_request(_guard)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)

    app.register_blueprint(bp)
    return app


def new_token() -> str:
    return secrets.token_urlsafe(24)


def set_port(app: Flask, port: int) -> None:
    """The port the server really listens on (known once bound): the Host check and the
    cookie name depend on it."""
    app.config["HOSO_HOSTS"] = {f"127.0.0.1:{port}", f"localhost:{port}"}
    app.config["HOSO_COOKIE"] = f"hoso_token_{port}"
    app.config["SESSION_COOKIE_NAME"] = f"hoso_phien_{port}"


def address(app: Flask, port: int) -> str:
    """The address to open: it carries the token once."""
    token = app.extensions["hoso"].token
    return f"http://127.0.0.1:{port}/?{urlencode({TOKEN_PARAM: token})}"


def _refuse(status: int, title: str, message: str) -> BaseResponse:
    html = render_template("refused.html", title=title, message=message)
    return Response(html, status=status, mimetype="text/html")


def _guard() -> BaseResponse | None:
    hosts = current_app.config["HOSO_HOSTS"]
    if request.host not in hosts:
        return _refuse(400, "Địa chỉ không hợp lệ", "Trang này chỉ mở được trên chính máy này.")
    state: State = current_app.extensions["hoso"]
    cookie = current_app.config["HOSO_COOKIE"]
    given = request.args.get(TOKEN_PARAM)
    if given is not None and hmac.compare_digest(given, state.token):
        args = {k: v for k, v in request.args.items() if k != TOKEN_PARAM}
        target = request.path + (f"?{urlencode(args)}" if args else "")
        response = redirect(target, 303)
        response.set_cookie(cookie, state.token, httponly=True, samesite="Strict")
        return response
    held = request.cookies.get(cookie, "")
    if not hmac.compare_digest(held, state.token):
        return _refuse(
            403,
            "Chưa mở đúng địa chỉ",
            "Mở lại trang bằng địa chỉ đầy đủ hiện trong cửa sổ hoso web "
            "(dòng «hoso web đang chạy tại …»), hoặc chạy lại hoso web: trang tự mở.",
        )
    if request.method == "POST" and not _same_origin(hosts):
        return _refuse(
            403,
            "Yêu cầu từ trang khác",
            "Chỉ các nút trên chính trang hoso web mới được ghi vào hồ sơ. "
            "Mở lại trang hoso web rồi làm lại.",
        )
    if request.endpoint == "web.sign_papers":
        # A .p12 and its password: a small request, read in memory (a large one would be
        # spooled to a temporary file before any check).
        request.max_content_length = KEY_REQUEST_BYTES
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    if request.method == "POST":
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent, session["csrf"]):
            return _refuse(
                400,
                "Trang đã cũ",
                "Trang này mở từ trước khi hoso web chạy lại: tải lại trang (phím F5) "
                "rồi làm lại; những gì đã lưu trước đó vẫn còn.",
            )
    return None


def _same_origin(hosts: set[str]) -> bool:
    """A state-changing request comes from the page itself: the browser's Origin (when sent)
    is this server, and its Sec-Fetch-Site (when sent) says same-origin (or typed by hand)."""
    origin = request.headers.get("Origin")
    if origin is not None and origin not in {f"http://{h}" for h in hosts}:
        return False
    site = request.headers.get("Sec-Fetch-Site")
    return site is None or site in ("same-origin", "none")


def _headers(response: BaseResponse) -> BaseResponse:
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer a form's POST carries "Origin: null" and
    # could not be told from a sandboxed page of another site. Other sites still get nothing.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(exc: HTTPException) -> Any:
    messages = {
        404: (
            "Không tìm thấy",
            "Không có trang hoặc tệp này (có thể đã bị xóa). Quay lại trang trước, tải lại trang.",
        ),
        413: ("Tệp quá lớn", TOO_LARGE),
    }
    fallback = (
        ("Lỗi chương trình", "Không phải do số liệu của bạn; các tệp đã lưu vẫn nguyên vẹn. "
         "Tải lại trang rồi làm lại; lặp lại thì báo cho người hỗ trợ kỹ thuật.")
        if (exc.code or 500) >= 500
        else ("Yêu cầu không hợp lệ", "Trang không làm được việc này: tải lại trang rồi làm lại.")
    )  # fmt: skip
    title, message = messages.get(exc.code or 500, fallback)
    return _refuse(exc.code or 500, title, message)
