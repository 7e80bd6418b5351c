"""CSRF protection, request size limits and input hygiene, as ASGI middleware so no route can forget them.

CSRF: a signed double-submit token bound to the sign-in session. Every browser gets a random ``dialoog_csrf``
cookie (HttpOnly, SameSite=Lax); the token is HMAC(secret, cookie + hash of the session cookie). Pages carry it
in a hidden ``csrf_token`` field and, for htmx, in an ``X-CSRF-Token`` header set once on ``<body>``, always
*masked* (``mask_token``): a fresh random pad and the token XOR that pad, so every response spells it
differently. Pages are compressed (gzip), and a secret that is the same in every response of a compressed page
could be guessed from the compressed length (BREACH); a masked token is never the same twice. Signing in or
out changes the session cookie, and the response that does so also gets a new ``dialoog_csrf`` cookie, so a
token from before is worthless after. A POST, PUT, PATCH or DELETE outside ``/api/`` (which uses bearer
keys, not cookies) without a matching token (masked, or the bare token) gets 403.

Limits: a body over the size limit gets 413. A multipart body that cannot be parsed gets 400, on every route.
A NUL character anywhere the app reads data from gets 400 (see ``find_nul``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from html import escape
from typing import Any
from urllib.parse import parse_qsl

from python_multipart import MultipartParser
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.api_types import NUL_MESSAGE
from app.web.problems import problem_response

CSRF_COOKIE = "dialoog_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# The sign-in session's cookie; app.accounts.deps takes the name from here.
SESSION_COOKIE = "dialoog_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token_for(secret: str, cookie_value: str, session_cookie: str = "") -> str:
    """The token for a browser's CSRF cookie and its sign-in session cookie ("" when signed out)."""
    session_hash = hashlib.sha256(session_cookie.encode()).hexdigest() if session_cookie else ""
    return hmac.new(secret.encode(), f"csrf:{cookie_value}:{session_hash}".encode(), hashlib.sha256).hexdigest()


def mask_token(token: str) -> str:
    """``token`` (hex) masked for one response: base64url of a random pad followed by the token XOR that pad.
    Each call spells the same token differently; ``token_matches`` takes any of them."""
    raw = bytes.fromhex(token)
    pad = secrets.token_bytes(len(raw))
    masked = bytes(a ^ b for a, b in zip(raw, pad, strict=True))
    return base64.urlsafe_b64encode(pad + masked).rstrip(b"=").decode()


def unmask_token(presented: str) -> bytes | None:
    """The token (raw bytes) in a masked token, or None when ``presented`` is not one."""
    if not presented or len(presented) > 200:
        return None
    try:
        both = base64.urlsafe_b64decode(presented + "=" * (-len(presented) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(both) % 2 or not both:
        return None
    half = len(both) // 2
    return bytes(a ^ b for a, b in zip(both[:half], both[half:], strict=True))


def token_matches(presented: str, expected: str) -> bool:
    """Whether ``presented`` (a masked token, or the bare hex token) is ``expected`` (hex); constant time."""
    if not presented:
        return False
    if len(presented) == len(expected) and hmac.compare_digest(presented.encode(), expected.encode()):
        return True  # the bare token (never in a page, so nothing to learn from a compressed one)
    unmasked = unmask_token(presented)
    return unmasked is not None and hmac.compare_digest(unmasked, bytes.fromhex(expected))


def csrf_token(request: Request) -> str:
    """The token to put in this response's forms, masked afresh: call it once per response."""
    return mask_token(
        csrf_token_for(
            request.app.state.secret_key,
            request.scope["state"]["csrf_cookie"],
            request.cookies.get(SESSION_COOKIE, ""),
        )
    )


def _is_api(scope: Scope) -> bool:
    return scope["path"].startswith("/api/")


# A mail client's one-click unsubscribe (RFC 8058) posts exactly this body to the List-Unsubscribe address,
# without any cookie or token of ours. The secret token in that address is the proof, so such a post needs no CSRF
# token (and a forged one could only unsubscribe an address whose link the forger already has).
ONE_CLICK_PATH = "/volgen/afmelden/"
ONE_CLICK_BODY = b"List-Unsubscribe=One-Click"


def _one_click_unsubscribe(scope: Scope, body: bytes) -> bool:
    return scope["path"].startswith(ONE_CLICK_PATH) and body.strip() == ONE_CLICK_BODY


# Headings of the bare error pages sent from here, before any route (and before the language is known).
_HEADINGS = {
    400: "Het verzoek kon niet worden verwerkt",
    403: "Deze pagina is verlopen",
    413: "Te groot om te versturen",
}


async def _send_problem(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    dutch: str,
    *,
    errors: list[dict[str, str]] | None = None,
) -> None:
    response: Response
    if _is_api(scope):
        title = "Validation failed" if status == 422 else None
        response = problem_response(status, detail, title=title, errors=errors)
    else:
        heading = _HEADINGS.get(status, _HEADINGS[400])
        response = HTMLResponse(
            f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{heading} (fout {status})</title>'
            f"</head><body><main><h1>{heading}</h1><p>{escape(dutch)}</p><p>Foutcode {status}</p>"
            '<p><a href="/">Naar de startpagina</a></p></main></body></html>',
            status_code=status,
        )

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)


# --- NUL characters --------------------------------------------------------------------------------------
#
# A NUL character is never text anyone typed, and PostgreSQL cannot store it in a text column (a 500 at the
# INSERT, after the work was done; SQLite would store it). So every channel the app reads data from is checked
# here, once, before any route runs: the path, the query string, header values (User-Agent is stored with a
# session, Idempotency-Key with a comment, If-Match is compared), url-encoded forms, the text fields, names
# and file names of multipart forms (file contents are binary and pass) and the strings of JSON bodies.

NUL_DETAIL = "The request contains a NUL character (U+0000)."
NUL_DUTCH = "Het verzoek bevat een ongeldig teken (NUL). Verwijder het en probeer het opnieuw."
MULTIPART_DETAIL = "The multipart form data could not be read."
MULTIPART_DUTCH = (
    "Het formulier kon niet worden gelezen: het is beschadigd of niet compleet verstuurd. "
    "Laad de pagina opnieuw en probeer het nog eens."
)
MULTIPART_HEADER_DETAIL = "A part header of the multipart form data (such as a file name) is too long."
MULTIPART_HEADER_DUTCH = "Een bestandsnaam in het formulier is te lang. Geef het bestand een kortere naam."
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"


class Nul(Exception):
    """A NUL character; ``field`` names the form field, query parameter or JSON member it is in, if any."""

    def __init__(self, field: str | None = None) -> None:
        super().__init__(field)
        self.field = field


class BadMultipart(Exception):
    def __init__(self, detail: str = MULTIPART_DETAIL, dutch: str = MULTIPART_DUTCH) -> None:
        super().__init__(detail)
        self.detail = detail
        self.dutch = dutch


class BodyTooLarge(Exception):
    pass


def _check_pairs(encoded: bytes) -> None:
    """A query string or url-encoded form: raw NUL or %00, in a name or a value."""
    if b"\x00" not in encoded and b"%00" not in encoded:
        return
    for name, value in parse_qsl(encoded.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name:
            raise Nul()
        if "\x00" in value:
            raise Nul(name)
    raise Nul()  # a NUL that parse_qsl did not hand out (a malformed pair): refused all the same


def _check_json(body: bytes) -> None:
    """A JSON body: a string (member name or value) with ``\\u0000``. A raw NUL is not JSON at all."""
    if b"\x00" in body:
        raise Nul()
    if b"\\u0000" not in body:
        return
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return  # not JSON: the route says so (422), and nothing of it reaches the database
    stack: list[tuple[tuple[str, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and "\x00" in value:
            raise Nul(".".join(path) or None)
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise Nul()
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, str(i)), item) for i, item in enumerate(value))


def _check_headers(scope: Scope) -> None:
    for _name, value in scope.get("headers", []):
        if b"\x00" in value:
            raise Nul()


def _check_path(scope: Scope) -> None:
    if "\x00" in scope["path"] or b"%00" in scope.get("raw_path", b""):
        raise Nul()


def parse_multipart(content_type: str, body: bytes, wanted: str) -> str:
    """Read a whole multipart body: refuses NUL in part headers (names, file names) and in the text fields,
    and a body that cannot be parsed; returns the value of the (small) text field ``wanted``, or ""."""
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadMultipart("The multipart form data has no boundary.")
    found: list[bytes] = []
    part: dict[str, Any] = {}
    ended: list[bool] = []

    def on_part_begin() -> None:
        part.clear()
        part.update(field=b"", value=b"", name="", file=False)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        if b"\x00" in part["field"] or b"\x00" in part["value"]:
            raise Nul(part["name"] or None)  # a field or file name with NUL
        if part["field"].lower() == b"content-disposition":
            _, disposition = parse_options_header(part["value"])
            part["name"] = disposition.get(b"name", b"").decode("utf-8", "replace")
            part["file"] = b"filename" in disposition
        part["field"], part["value"] = b"", b""

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part["file"]:
            return  # file contents are binary
        chunk = data[start:end]
        if b"\x00" in chunk:
            raise Nul(part["name"] or None)
        if part["name"] == wanted and sum(map(len, found)) < 1024:
            found.append(chunk)

    def on_end() -> None:
        ended.append(True)

    parser = MultipartParser(
        boundary,
        callbacks={
            "on_end": on_end,
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError as exc:
        if "header size" in str(exc):
            raise BadMultipart(MULTIPART_HEADER_DETAIL, MULTIPART_HEADER_DUTCH) from None
        raise BadMultipart() from None
    if not ended:  # cut off before the closing boundary: not all of the form arrived
        raise BadMultipart("The multipart form data ends before its closing boundary.")
    return b"".join(found).decode("utf-8", "replace")[:200]


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
        cookies = Request(scope).cookies
        cookie = cookies.get(CSRF_COOKIE, "")
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

        content_type = headers.get("content-type", "")
        body, presented = b"", ""
        try:
            _check_path(scope)
            _check_pairs(scope.get("query_string", b""))
            _check_headers(scope)
            if scope["method"] not in SAFE_METHODS:
                body = await self._read_body(receive)
                presented = self._check_body(content_type, body)
        except Nul as exc:
            await self._refuse_nul(scope, send, exc.field)
            return
        except BadMultipart as exc:
            await _send_problem(scope, send, 400, exc.detail, exc.dutch)
            return
        except BodyTooLarge:
            await _send_problem(scope, send, 413, "Request body too large.", "Het verzoek is te groot.")
            return

        if scope["method"] not in SAFE_METHODS:
            if not _is_api(scope) and not _one_click_unsubscribe(scope, body):
                expected = csrf_token_for(self.secret, cookie, cookies.get(SESSION_COOKIE, ""))
                presented = headers.get(CSRF_HEADER) or presented
                if not token_matches(presented, expected):
                    await _send_problem(
                        scope,
                        send,
                        403,
                        "CSRF token missing or invalid.",
                        "Deze pagina is verlopen of het formulier is niet compleet verstuurd. "
                        "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
                    )
                    return
            receive = self._replay(body, receive)
        else:
            receive = self._limited(receive)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and not _is_api(scope):  # the API sets no cookies
                fresh = new_cookie
                session_changed = any(
                    k.lower() == b"set-cookie" and v.startswith(f"{SESSION_COOKIE}=".encode())
                    for k, v in message.get("headers", [])
                )
                if session_changed:  # signed in or out: a new CSRF cookie too, so no earlier token is valid
                    fresh = secrets.token_urlsafe(24)
                if fresh:
                    attrs = f"{CSRF_COOKIE}={fresh}; Path=/; HttpOnly; SameSite=Lax"
                    if self.secure:
                        attrs += "; Secure"
                    message.setdefault("headers", []).append((b"set-cookie", attrs.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        except BodyTooLarge:
            await _send_problem(scope, send, 413, "Request body too large.", "Het verzoek is te groot.")

    @staticmethod
    def _check_body(content_type: str, body: bytes) -> str:
        """Refuse NUL (and unreadable multipart) in the body; returns the CSRF token in it, if any."""
        if content_type.startswith(FORM_TYPE):
            _check_pairs(body)
            values = [v for k, v in parse_qsl(body.decode("latin-1"), keep_blank_values=True) if k == CSRF_FIELD]
            return values[0] if values else ""
        if content_type.startswith(MULTIPART_TYPE):
            return parse_multipart(content_type, body, CSRF_FIELD)
        _check_json(body)  # JSON, or a body without a content type (read as JSON by the API)
        return ""

    @staticmethod
    async def _refuse_nul(scope: Scope, send: Send, field: str | None) -> None:
        # The API says which field, as for any other invalid value (422); without a field it is a bad request.
        if _is_api(scope) and field:
            errors = [{"field": field, "message": NUL_MESSAGE}]
            await _send_problem(scope, send, 422, "The request is not valid; see errors.", NUL_DUTCH, errors=errors)
        else:
            await _send_problem(scope, send, 400, NUL_DETAIL, NUL_DUTCH)

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
    def _replay(body: bytes, receive: Receive) -> Receive:
        """The body read above, then what the client sends next (its disconnect)."""
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay
