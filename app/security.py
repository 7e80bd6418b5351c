"""CSRF protection and request size limits, as ASGI middleware so no route can forget them.

CSRF: a signed double-submit token. Every browser gets a random ``dialoog_csrf`` cookie (HttpOnly,
SameSite=Lax); pages carry HMAC(secret, cookie) in a hidden ``csrf_token`` field and, for htmx, in an
``X-CSRF-Token`` header set once on ``<body>``. A POST, PUT, PATCH or DELETE outside ``/api/`` (which uses
bearer keys, not cookies) without a matching token gets 403.

Limits: a body over the size limit gets 413; a form or query string with a NUL character gets 400.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "dialoog_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token_for(secret: str, cookie_value: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{cookie_value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token to put in this page's forms."""
    return csrf_token_for(request.app.state.secret_key, request.scope["state"]["csrf_cookie"])


async def _send_problem(scope: Scope, send: Send, status: int, detail: str, dutch: str) -> None:
    from app.errors import problem_response

    if scope["path"].startswith("/api/"):
        response = problem_response(status, detail)
    else:
        from starlette.responses import HTMLResponse

        response = HTMLResponse(
            f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Fout {status}</title></head>'
            f'<body><main><h1>Fout {status}</h1><p>{dutch}</p><p><a href="/">Naar de startpagina</a></p>'
            "</main></body></html>",
            status_code=status,
        )

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)


# A NUL character is never text anyone typed, and PostgreSQL cannot store it in a text column (a 500 at the
# INSERT, after the work was done). Forms and query strings that carry one are refused at the door; file
# uploads (multipart) are binary and pass.
NUL = b"%00"
FORM_TYPE = "application/x-www-form-urlencoded"
NUL_DETAIL = "The request contains a NUL character."
NUL_DUTCH = "Het verzoek bevat een ongeldig teken (NUL). Verwijder het en probeer het opnieuw."


class BodyTooLarge(Exception):
    pass


class CSRFMiddleware:
    def __init__(self, app: ASGIApp, *, secret: str, secure: bool, max_body: int) -> None:
        self.app = app
        self.secret = secret
        self.secure = secure
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookie = Request(scope).cookies.get(CSRF_COOKIE, "")
        new_cookie = None
        if len(cookie) < 20:
            cookie = new_cookie = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_cookie"] = cookie

        # Size limit first: a declared length over the limit is refused before anything is read.
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_body:
            await _send_problem(
                scope, send, 413, f"The request body is larger than {self.max_body} bytes.", "Het verzoek is te groot."
            )
            return

        web = not scope["path"].startswith("/api/")  # the API refuses NUL per field (app.api_types.NoNulStr)
        if web and NUL in scope.get("query_string", b""):
            await _send_problem(scope, send, 400, NUL_DETAIL, NUL_DUTCH)
            return
        if scope["method"] not in SAFE_METHODS and web:
            try:
                body = await self._read_body(receive)
            except BodyTooLarge:
                await _send_problem(scope, send, 413, "Request body too large.", "Het verzoek is te groot.")
                return
            if headers.get("content-type", "").startswith(FORM_TYPE) and (NUL in body or b"\x00" in body):
                await _send_problem(scope, send, 400, NUL_DETAIL, NUL_DUTCH)
                return
            if not self._valid(headers, body, cookie):
                await _send_problem(
                    scope,
                    send,
                    403,
                    "CSRF token missing or invalid.",
                    "Deze pagina is verlopen of het formulier is niet compleet verstuurd. "
                    "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
                )
                return
            receive = self._replay(body)
        else:
            receive = self._limited(receive)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and new_cookie:
                attrs = f"{CSRF_COOKIE}={new_cookie}; Path=/; HttpOnly; SameSite=Lax"
                if self.secure:
                    attrs += "; Secure"
                message.setdefault("headers", []).append((b"set-cookie", attrs.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        except BodyTooLarge:
            await _send_problem(scope, send, 413, "Request body too large.", "Het verzoek is te groot.")

    async def _read_body(self, receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    def _limited(self, receive: Receive) -> Receive:
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        return wrapped

    @staticmethod
    def _replay(body: bytes) -> Receive:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return {"type": "http.disconnect"}

        return replay

    def _valid(self, headers: Headers, body: bytes, cookie: str) -> bool:
        expected = csrf_token_for(self.secret, cookie)
        presented = headers.get(CSRF_HEADER) or self._token_from_body(headers, body)
        return bool(presented) and hmac.compare_digest(presented, expected)

    @staticmethod
    def _token_from_body(headers: Headers, body: bytes) -> str:
        content_type = headers.get("content-type", "")
        if content_type.startswith("application/x-www-form-urlencoded"):
            values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
            return values[0] if values else ""
        if content_type.startswith("multipart/form-data"):
            return _multipart_field(content_type, body, CSRF_FIELD)
        return ""


def _multipart_field(content_type: str, body: bytes, field: str) -> str:
    """The value of one small text field in a multipart body, with python-multipart's streaming parser."""
    from python_multipart import MultipartParser
    from python_multipart.multipart import parse_options_header

    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        return ""
    found: dict[str, bytes] = {}
    current: dict[str, object] = {}

    def on_header_field(data: bytes, start: int, end: int) -> None:
        current["field"] = current.get("field", b"") + data[start:end]  # type: ignore[operator]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        current["value"] = current.get("value", b"") + data[start:end]  # type: ignore[operator]

    def on_header_end() -> None:
        if bytes(current.get("field", b"")).lower() == b"content-disposition":  # type: ignore[arg-type]
            _, disp = parse_options_header(bytes(current.get("value", b"")))  # type: ignore[arg-type]
            current["name"] = disp.get(b"name", b"").decode()
        current["field"], current["value"] = b"", b""

    def on_part_begin() -> None:
        current.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if current.get("name") == field:
            found[field] = found.get(field, b"") + data[start:end]

    parser = MultipartParser(
        boundary,
        callbacks={  # type: ignore[arg-type]
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    parser.write(body)
    return found.get(field, b"").decode("utf-8", "replace")[:200]
