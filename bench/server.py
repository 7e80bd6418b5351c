"""The app as ``bench/run.py`` serves it: the real ``create_app()`` plus two things a benchmark needs.

- ``GET /bench/baseline``: a bare endpoint that does no work (no database, no template): a route of the app
  like every page, so behind the same middleware and the app's global dependency (who is signed in; without a
  session cookie that asks the database nothing). The yardstick the other figures are divided by.
- ``GET /bench/raw/``: the same answer from a Starlette app mounted beside the routes: the middleware only.
  Shown for reference: what the app's routing and dependency cost before any page does anything.
- ``X-Bench-Queries``: every response says how many SQL statements its request ran (counted per request
  with a context variable, which Starlette copies into the thread pool that runs the sync endpoints).

Served with ``uvicorn --app-dir bench server:app``; configured like the app itself, by DIALOOG_* variables.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import get_engine
from app.main import create_app
from app.web.templates import templates

_queries: ContextVar[list[int] | None] = ContextVar("bench_queries", default=None)


def _count(*_args: Any) -> None:
    counter = _queries.get()
    if counter is not None:
        counter[0] += 1


class QueryCount:
    """Outermost middleware: a fresh counter per request, its value as a response header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = [0]
        token = _queries.set(counter)

        async def send_with_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-bench-queries", str(counter[0]).encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_count)
        finally:
            _queries.reset(token)


def build() -> ASGIApp:
    inner = create_app()
    templates.env.auto_reload = False  # as in production: the bench runs DIALOOG_ENV=development for its secret

    async def baseline() -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def raw(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    inner.add_api_route("/bench/baseline", baseline, methods=["GET"], include_in_schema=False)
    inner.mount("/bench/raw", Starlette(routes=[Route("/", raw)]))
    event.listen(get_engine(), "before_cursor_execute", _count)
    return QueryCount(inner)


app = build()
