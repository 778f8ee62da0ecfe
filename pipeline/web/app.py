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
from pipeline.web.routes import bp
from pipeline.web.state import State

TOKEN_PARAM = "token"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)


def create_app(
    root: Path, *, outputs: Path, archive: Path, port: int, token: str | None = None
) -> Flask:
    """The application for the dossiers under `root`, answering on 127.0.0.1:`port`."""
    app = Flask(__name__, template_folder="pages", static_folder="static")
    state = State(root.resolve(), outputs.resolve(), archive.resolve(), token or new_token())
    app.extensions["hoso"] = state
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),
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
    app.jinja_env.globals["csrf_field"] = CSRF_FIELD
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
    if request.host not in current_app.config["HOSO_HOSTS"]:
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
            "Mở trang bằng địa chỉ đầy đủ mà lệnh hoso web in ra (có phần ?token=…).",
        )
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    if request.method == "POST":
        sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent, session["csrf"]):
            return _refuse(
                400,
                "Biểu mẫu đã cũ",
                "Trang này đã mở từ lần chạy trước của hoso web: tải lại trang rồi làm lại.",
            )
    return None


def _headers(response: BaseResponse) -> BaseResponse:
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(exc: HTTPException) -> Any:
    messages = {
        404: ("Không tìm thấy", "Không có trang hoặc tệp này."),
        413: (
            "Tệp quá lớn",
            f"Mỗi lần chỉ tải lên tối đa {limits.MAX_UPLOAD_BYTES // (1024 * 1024)} MB "
            f"và {limits.MAX_UPLOAD_FILES} tệp: tải lên làm nhiều lần.",
        ),
    }
    title, message = messages.get(exc.code or 500, ("Yêu cầu không hợp lệ", exc.description or ""))
    return _refuse(exc.code or 500, title, message)
