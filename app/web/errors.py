"""The one place that turns errors into answers.

Under ``/api/`` every error, including validation errors, 404 and 405, becomes ``application/problem+json``
(RFC 9457); elsewhere it becomes an HTML error page (or, for htmx requests, the page's error fragment). A stack
trace never reaches a user.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import inspect
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import request_engine
from app.kit.errors import N_, AppError, Unauthorized
from app.kit.i18n import gettext as _
from app.models import User
from app.web.problems import is_api_request, problem_response
from app.web.templates import render

log = logging.getLogger("dialoog.errors")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":  # the position is not a field: say where in the body it is
            out.append({"field": "body", "message": _json_position(exc, err)})
            continue
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        out.append({"field": ".".join(loc) or str(err.get("loc", [""])[0]), "message": err.get("msg", "")})
    return out


def _json_position(exc: RequestValidationError, err: dict[str, Any]) -> str:
    """ "Malformed JSON at line L column C: reason" for a body that is not JSON (FastAPI gives a character offset)."""
    loc = err.get("loc", ())
    offset = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    document = exc.body if isinstance(exc.body, str) else ""
    line = document.count("\n", 0, offset) + 1
    column = offset - (document.rfind("\n", 0, offset) + 1) + 1
    reason = (err.get("ctx") or {}).get("error", "not JSON")
    return f"Malformed JSON at line {line} column {column}: {reason}"


def login_redirect(request: Request) -> Response:
    """Send the browser to the sign-in page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?{urlencode({'next': target})}"
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


def _signed_in_user(request: Request) -> object | None:
    """The signed-in user for the page header. The request's session has been rolled back (and closed) when an
    error ends a request, which expires the user loaded by it: read it again in a short session of its own."""
    user = getattr(request.state, "user", None)
    if user is None:
        return None
    state = inspect(user)
    if not state.expired_attributes or state.identity is None:
        return user
    try:
        with Session(request_engine(request), expire_on_commit=False) as session:
            return session.get(User, state.identity[0])
    except Exception:  # the database itself failing: show the error page without a user
        log.exception("could not reload the signed-in user for an error page")
        return None


def _html_error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if hasattr(request.state, "user"):
        request.state.user = _signed_in_user(request)
        principal = getattr(request.state, "principal", None)
        if principal is not None:  # the page header asks the policy (may) about the same, reloaded user
            request.state.principal = replace(principal, user=request.state.user)
    heading = error_heading(status)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "message": message,
            "heading": heading,
            "error_page": True,  # its title says what went wrong, not where (no "Beheer")
            "title": _("%(heading)s (fout %(status)s)", heading=heading, status=status),
        },
        status_code=status,
        headers=headers,
        block="content",
    )


_HTML_MESSAGES = {
    400: N_("Het verzoek kon niet worden verwerkt."),
    401: N_("Log in om verder te gaan."),
    403: N_("U hebt geen toegang tot deze pagina."),
    404: N_("Deze pagina bestaat niet (meer)."),
    405: N_("Deze actie is hier niet mogelijk."),
    409: N_("Dit kan nu niet: de gegevens zijn intussen gewijzigd of de termijn is voorbij."),
    413: N_("Het verzoek is te groot."),
    422: N_("Niet alle velden zijn goed ingevuld."),
    429: N_("Te veel pogingen. Probeer het later opnieuw."),
    500: N_("Er ging iets mis aan onze kant. Probeer het later opnieuw."),
}


# The heading of an error page says what happened in words; the status code is in its title and text.
_HTML_HEADINGS = {
    400: N_("Het verzoek kon niet worden verwerkt"),
    401: N_("Log in om verder te gaan"),
    403: N_("Geen toegang"),
    404: N_("Pagina niet gevonden"),
    405: N_("Dit kan hier niet"),
    409: N_("Dit kan niet meer"),
    413: N_("Te groot om te versturen"),
    422: N_("Controleer wat u hebt ingevuld"),
    429: N_("Even geduld"),
    500: N_("Er ging iets mis"),
}


def error_heading(status: int) -> str:
    """The human heading of the error page for ``status``."""
    if status in _HTML_HEADINGS:
        return _(_HTML_HEADINGS[status])
    return _(_HTML_HEADINGS[500 if status >= 500 else 400])


def _html_message(status: int) -> str:
    return _(_HTML_MESSAGES.get(status, _HTML_MESSAGES[400]))


def install_error_handlers(app: FastAPI, *, api: bool) -> None:
    """Register the handlers; ``api=True`` answers problem+json for every path."""

    def wants_json(request: Request) -> bool:
        return api or is_api_request(request)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        if wants_json(request):
            headers = dict(exc.headers)
            if exc.status_code == 401:
                headers.setdefault("WWW-Authenticate", 'Bearer realm="dialoog"')
            return problem_response(
                exc.status_code,
                exc.detail,
                title=exc.title,
                instance=request.url.path,
                errors=exc.errors,
                headers=headers,
            )
        if isinstance(exc, Unauthorized):
            return login_redirect(request)
        # Authorisation and API-style details are in English; people get a Dutch message.
        message = exc.detail if exc.user_message else _html_message(exc.status_code)
        return _html_error(request, exc.status_code, message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if wants_json(request):
            detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
            if exc.status_code == 404 and detail == "Not Found":
                detail = "No resource at this address."
            if exc.status_code == 405:
                detail = f"Method {request.method} is not allowed here."
            return problem_response(exc.status_code, detail, instance=request.url.path, headers=headers)
        return _html_error(request, exc.status_code, _html_message(exc.status_code), headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return problem_response(
                422,
                "The request is not valid; see errors.",
                title="Validation failed",
                instance=request.url.path,
                errors=_field_errors(exc),
            )
        return _html_error(request, 422, _html_message(422))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # One line to say which request it was; the traceback is logged by the server, to which Starlette
        # passes the exception on after this answer (logging it here too wrote every traceback twice). The
        # API is a mounted app with this handler too: the exception passes both, the line is written once.
        if not getattr(exc, "_dialoog_logged", False):
            log.error("unhandled error on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
            with contextlib.suppress(AttributeError):  # an exception type without attributes of its own
                exc._dialoog_logged = True  # type: ignore[attr-defined]
        if wants_json(request):
            return problem_response(500, "An unexpected error occurred.", instance=request.url.path)
        return _html_error(request, 500, _html_message(500))
