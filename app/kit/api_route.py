"""The API's route class: what every JSON API route does beside its own work, so that no endpoint can forget it.

- ``Link`` headers (RFC 8288) beside the JSON paging: ``first``, ``prev``, ``next`` and ``last`` for numbered
  pages; ``next`` (with the cursor) for a feed. A ``Page`` remembers itself when it is made
  (``remember_page``); the route turns the page its endpoint answered into the header.
- ``HEAD`` on every GET: the same status and headers, no body.
- ``405`` with the right ``Allow``: the methods of every route of the path (Starlette names only those of the
  first route that matches the path); a path with parameters never swallows a fixed path (``PATCH
  /comments/export`` is 405, not a 422 about the id ``export``).
- ``415`` (problem+json) for a request body whose ``Content-Type`` the operation does not take; a malformed JSON
  body is a 422 whose error names the field ``body`` and says where (line and column); booleans, integers and
  numbers in a JSON body must be JSON booleans and numbers (``"active": 0`` and ``"page_size": "5"`` are 422:
  pydantic's lax mode would take them).
- An ``ETag`` on every successful GET (the endpoint's own, else a strong hash of the body) and ``304 Not
  Modified`` when ``If-None-Match`` names it (weak comparison, RFC 9110 13.1.2).
- ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (draft-ietf-httpapi-ratelimit-headers)
  when the request drew on a budget (``note_rate_limit``, called by app.ratelimit).
- ``Deprecation`` (RFC 9745) and ``Sunset`` (RFC 8594) when a deprecated operation or parameter is used
  (``deprecate``, or ``deprecated=True`` on the route).

Every router of the API is made with ``APIRouter(route_class=ApiRoute)``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import HTTPException
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel
from starlette.routing import Match, get_route_path
from starlette.types import Receive, Scope, Send

from app.kit.errors import AppError, ValidationFailed

_PAGES: ContextVar[list[Any] | None] = ContextVar("dialoog_api_pages", default=None)
_LIMITS: ContextVar[list[RateLimitState] | None] = ContextVar("dialoog_api_rate_limits", default=None)

JSON_TYPES = ("application/json",)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class UnsupportedMediaType(AppError):
    status_code = 415
    title = "Unsupported media type"


@dataclass(frozen=True)
class RateLimitState:
    """A budget the request drew on: ``limit`` per window, ``remaining`` after this request, ``reset`` seconds
    until the window frees one again."""

    limit: int
    remaining: int
    reset: int


def note_rate_limit(limit: int, remaining: int, reset_seconds: float) -> None:
    """Called where a budget is counted (app.ratelimit): the route answers with its RateLimit headers (the
    tightest budget when there are several)."""
    states = _LIMITS.get()
    if states is not None:
        states.append(RateLimitState(limit, max(0, remaining), max(0, math.ceil(reset_seconds))))


def rate_limit_headers(state: RateLimitState) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(state.limit),
        "RateLimit-Remaining": str(state.remaining),
        "RateLimit-Reset": str(state.reset),
    }


def remember_page(page: Any) -> None:
    """Called by ``Page`` when one is made: the route of this request adds its Link header. The list is shared
    with the thread a sync endpoint runs in (contextvars are copied, the list is the same object)."""
    pages = _PAGES.get()
    if pages is not None:
        pages.append(page)


def link_header(request: Request, page: Any) -> str | None:
    """The Link header of a page answered to ``request``: the same query with another page or cursor."""
    url = request.url
    links: list[str] = []

    def link(rel: str, **params: str | int) -> None:
        query = dict(request.query_params)
        query.update({k: str(v) for k, v in params.items()})
        if "cursor" in params:
            query.pop("page", None)
        links.append(f'<{url.replace_query_params(**query)}>; rel="{rel}"')

    if page.next_cursor is not None or "cursor" in request.query_params or _is_feed(request):
        first = {k: v for k, v in request.query_params.items() if k != "cursor"}
        links.append(f'<{url.replace_query_params(**first)}>; rel="first"')
        if page.next_cursor is not None:
            link("next", cursor=page.next_cursor)
        return ", ".join(links)
    link("first", page=1)
    if page.page > 1:
        link("prev", page=min(page.page - 1, max(page.pages, 1)))
    if page.page < page.pages:
        link("next", page=page.page + 1)
    link("last", page=max(page.pages, 1))
    return ", ".join(links)


def _is_feed(request: Request) -> bool:
    return "updated_since" in request.query_params or "updated_until" in request.query_params


# --- deprecation --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deprecation:
    """A deprecated operation (``parameters`` empty) or parameters of one; ``since`` and ``sunset`` are dates."""

    parameters: tuple[str, ...] = ()
    since: date | None = None
    sunset: date | None = None
    use_instead: str | None = None


_DEPRECATIONS: dict[str, Deprecation] = {}


def deprecate(
    operation: str,
    *,
    parameters: tuple[str, ...] = (),
    since: date | None = None,
    sunset: date | None = None,
    use_instead: str | None = None,
) -> None:
    """Mark the operation of endpoint function ``operation`` (or only its ``parameters``) deprecated: the OpenAPI
    document says so, and a request that uses it gets ``Deprecation`` (and ``Sunset``) headers."""
    _DEPRECATIONS[operation] = Deprecation(tuple(parameters), since, sunset, use_instead)


def deprecation_of(route: Any) -> Deprecation | None:
    found = _DEPRECATIONS.get(route.name)
    if found is not None:
        return found
    if getattr(route, "deprecated", False):
        return Deprecation()
    return None


# The old creation-time filter of the comment list: the change feed (updated_since) replaces it (issue 20).
deprecate(
    "list_comments",
    parameters=("since",),
    since=date(2026, 12, 3),
    sunset=date(2027, 6, 30),
    use_instead="updated_since",
)


def _deprecation_headers(deprecation: Deprecation, request: Request) -> dict[str, str]:
    if deprecation.parameters and not any(p in request.query_params for p in deprecation.parameters):
        return {}
    when = deprecation.since or date(2026, 1, 1)
    headers = {"Deprecation": f"@{int(datetime.combine(when, time(), UTC).timestamp())}"}
    if deprecation.sunset:
        headers["Sunset"] = format_datetime(datetime.combine(deprecation.sunset, time(), UTC), usegmt=True)
    return headers


# --- routing: 405 with the right Allow, fixed paths before parameters ----------------------------------------------


@dataclass
class _PathTable:
    version: int
    fixed: set[str] = field(default_factory=set)
    routes: list[tuple[Any, set[str], bool]] = field(default_factory=list)


_TABLES: dict[int, _PathTable] = {}


def _table(app: Any) -> _PathTable:
    """The API routes of ``app``: which paths are fixed (no parameters), and each route's pattern and methods."""
    routes = list(iter_route_contexts(app.routes))
    cached = _TABLES.get(id(app))
    if cached is not None and cached.version == len(routes):
        return cached
    table = _PathTable(version=len(routes))
    for context in routes:
        if not isinstance(context.original_route, APIRoute):
            continue
        has_params = bool(context.param_convertors)
        if not has_params:
            table.fixed.add(context.path_format or "")
        table.routes.append((context.path_regex, set(context.methods or ()), has_params))
    _TABLES[id(app)] = table
    return table


def allowed_methods(scope: Scope) -> list[str]:
    """Every method some API route takes at this path (fixed paths are not taken by parameter routes)."""
    app = scope.get("app")
    if app is None:
        return []
    table = _table(app)
    path = get_route_path(scope)
    fixed = path in table.fixed
    methods: set[str] = set()
    for regex, route_methods, has_params in table.routes:
        if (fixed and has_params) or not regex.match(path):
            continue
        methods |= route_methods
    if "GET" in methods:
        methods.add("HEAD")
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    return sorted(methods, key=lambda m: (order.index(m) if m in order else len(order), m))


# --- request bodies: content type, malformed JSON, strict JSON types ------------------------------------------------


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _is_json_type(media: str) -> bool:
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def _json_error(exc: json.JSONDecodeError) -> ValidationFailed:
    message = f"Malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    return ValidationFailed("The request body is not valid JSON.", errors=[{"field": "body", "message": message}])


def strict_type_errors(value: Any, schema: dict[str, Any], defs: dict[str, Any], path: str = "") -> list[str]:
    """Where ``value`` (parsed JSON) has a boolean or a number that is not a JSON boolean or number of the type its
    schema says (pydantic's lax mode would take ``0`` for ``false`` or ``"5"`` for ``5``). Only types: ranges,
    formats and the rest are the model's to check."""
    depth = 0
    while "$ref" in schema and depth < 20:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
        depth += 1
    for key in ("anyOf", "oneOf"):
        if key in schema:
            results = [strict_type_errors(value, branch, defs, path) for branch in schema[key]]
            if any(not r for r in results):
                return []
            return min(results, key=len)
    if "allOf" in schema:
        return [e for part in schema["allOf"] for e in strict_type_errors(value, part, defs, path)]
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    errors: list[str] = []
    if kinds and not _json_type_ok(value, kinds):
        if kinds & {"boolean", "integer", "number", "null"}:
            wanted = " or ".join(sorted(kinds))
            return [f"{path or 'body'}: must be a JSON {wanted}, not {json.dumps(value)[:40]}"]
        return []
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            sub = props.get(name, extra if isinstance(extra, dict) else None)
            if sub is not None:
                errors += strict_type_errors(item, sub, defs, f"{path}.{name}" if path else name)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors += strict_type_errors(item, schema["items"], defs, f"{path}.{i}" if path else str(i))
    return errors


def _json_type_ok(value: Any, kinds: set[str]) -> bool:
    """Whether ``value``'s JSON type is one of ``kinds``, as far as booleans and numbers go."""
    if kinds == {"null"}:
        return value is None
    if not kinds & {"boolean", "integer", "number"}:
        return True  # strings, objects, arrays: the model checks those
    if value is None:
        return "null" in kinds
    if isinstance(value, bool):
        return "boolean" in kinds
    if isinstance(value, int):
        return bool(kinds & {"integer", "number"})
    if isinstance(value, float):
        return "number" in kinds or ("integer" in kinds and value.is_integer())
    return bool(kinds - {"boolean", "integer", "number", "null"})


# --- conditional requests -------------------------------------------------------------------------------------------


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def none_match(if_none_match: str, etag: str) -> bool:
    """``If-None-Match`` names ``etag`` (weak comparison: ``W/"x"`` matches ``"x"``), or is ``*``."""
    if if_none_match.strip() == "*":
        return True
    current = _opaque(etag)
    return any(_opaque(tag) == current for tag in if_none_match.split(","))


def body_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# Headers a 304 carries over from the 200 it stands for (RFC 9110 15.4.5), beside the API's own.
HEAD_SCOPE_KEY = "dialoog.head"
_NOT_MODIFIED_HEADERS = ("etag", "cache-control", "content-location", "date", "expires", "vary", "link")


class ApiRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self._body_schema: tuple[dict[str, Any], dict[str, Any]] | None = None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match == Match.PARTIAL and scope.get("method") == "HEAD" and "GET" in (self.methods or ()):
            match = Match.FULL  # HEAD is answered by every GET (not a method of its own in the OpenAPI document)
        if (
            match != Match.NONE
            and self.param_convertors
            and scope.get("type") == "http"
            and "app" in scope
            and get_route_path(scope) in _table(scope["app"]).fixed
        ):
            return Match.NONE, {}  # a fixed path (/comments/export) is never an id
        return match, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = self.methods or set()
        if scope.get("type") == "http" and scope["method"] == "HEAD" and "GET" in methods:
            # Run the GET; the route drops the body (``_finish``).
            scope["method"] = "GET"
            scope[HEAD_SCOPE_KEY] = True
        if scope.get("type") == "http" and scope["method"] not in methods:
            allow = allowed_methods(scope) or sorted(methods)
            raise HTTPException(status_code=405, headers={"Allow": ", ".join(allow)})
        await super().handle(scope, receive, send)

    def _accepted_media(self) -> tuple[str, ...] | None:
        """The media types a body may have, or None when the route takes no body FastAPI reads."""
        if self.body_field is None:
            return None
        media = getattr(self.body_field.field_info, "media_type", "application/json")
        return FORM_TYPES if media in FORM_TYPES else JSON_TYPES

    def _schema_of_body(self) -> tuple[dict[str, Any], dict[str, Any]]:
        if self._body_schema is None:
            annotation = getattr(self.body_field.field_info, "annotation", None) if self.body_field else None
            schema: dict[str, Any] = {}
            if self._embed_body_fields:
                schema = {}
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                schema = annotation.model_json_schema()
            self._body_schema = (schema, schema.get("$defs", {}))
        return self._body_schema

    async def _check_body(self, request: Request) -> None:
        accepted = self._accepted_media()
        if accepted is None or request.method in ("GET", "HEAD", "OPTIONS"):
            return
        body = await request.body()
        media = _media_type(request)
        if not body and not media:
            return  # no body at all: the model says whether one is required (422)
        json_route = accepted == JSON_TYPES
        if not (_is_json_type(media) if json_route else media in accepted):
            wanted = "application/json" if json_route else " or ".join(accepted)
            raise UnsupportedMediaType(f"Send the body as {wanted} (Content-Type: {media or 'none'}).")
        if not json_route or not body:
            return
        try:
            document = json.loads(body)
        except json.JSONDecodeError as exc:
            raise _json_error(exc) from None
        except (ValueError, RecursionError):
            raise ValidationFailed(
                "The request body is not valid JSON.",
                errors=[{"field": "body", "message": "Malformed JSON: not UTF-8, or nested too deeply"}],
            ) from None
        schema, defs = self._schema_of_body()
        if schema:
            problems = strict_type_errors(document, schema, defs)
            if problems:
                raise ValidationFailed(
                    "The request is not valid; see errors.",
                    errors=[
                        {"field": p.split(":", 1)[0], "message": p.split(": ", 1)[1].capitalize()} for p in problems
                    ],
                )

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            pages: list[Any] = []
            limits: list[RateLimitState] = []
            page_token = _PAGES.set(pages)
            limit_token = _LIMITS.set(limits)
            try:
                await self._check_body(request)
                response = await handler(request)
            except AppError as exc:
                if limits and exc.status_code == 429:
                    exc.headers = {**rate_limit_headers(min(limits, key=lambda s: s.remaining)), **exc.headers}
                raise
            finally:
                _PAGES.reset(page_token)
                _LIMITS.reset(limit_token)
            return self._finish(request, response, pages, limits)

        return route

    def _finish(self, request: Request, response: Response, pages: list[Any], limits: list[RateLimitState]) -> Response:
        ok = 200 <= response.status_code < 300
        if pages and ok and "link" not in response.headers:
            header = link_header(request, pages[-1])
            if header:
                response.headers["Link"] = header
        if limits:
            for name, value in rate_limit_headers(min(limits, key=lambda s: s.remaining)).items():
                response.headers.setdefault(name, value)
        deprecation = deprecation_of(self)
        if deprecation is not None:
            for name, value in _deprecation_headers(deprecation, request).items():
                response.headers[name] = value
        if request.method not in ("GET", "HEAD"):
            return response
        if response.status_code == 200 and "etag" not in response.headers:
            body = getattr(response, "body", None)
            if isinstance(body, bytes | bytearray | memoryview):
                response.headers["ETag"] = body_etag(bytes(body))
        etag = response.headers.get("etag")
        if_none_match = request.headers.get("if-none-match")
        if response.status_code == 200 and etag and if_none_match and none_match(if_none_match, etag):
            kept = {k: v for k, v in response.headers.items() if k.lower() in _NOT_MODIFIED_HEADERS}
            kept.update(
                {k: v for k, v in response.headers.items() if k.lower().startswith(("ratelimit-", "deprec", "sunset"))}
            )
            return Response(status_code=304, headers=kept)
        if request.scope.get(HEAD_SCOPE_KEY):
            headers = dict(response.headers)
            head = Response(status_code=response.status_code, headers=headers)
            if "content-length" in response.headers:
                head.headers["content-length"] = response.headers["content-length"]
            head.background = response.background
            return head
        return response
