"""Route dispatch by the first path segment: a request is matched only against the routes that can match it.

FastAPI tries the routes of an app in order until one matches, and a route of an included router costs far
more to try than a regular expression (FastAPI sets and restores per-route context in the request scope and
recomputes its routers' versions). With ~250 routes in ~30 routers a route near the end (every /admin page,
/bench/baseline) spent about as long in routing as the whole rest of the framework (issue 21).

Every route's path starts with a literal segment (``/proposals/{id}`` starts with ``proposals``, ``/`` with
the empty segment), and a route can only match a path whose first segment is that literal: its regular
expression is anchored. So ``index_routes`` groups the top-level routes (included routers, mounts, single
routes) by the first segments they can match, keeping their order, and hands a request to FastAPI's own
routing loop over only the group of its first segment. Which route answers is exactly what the full loop
would have chosen: the same routes in the same order, minus routes that cannot match; the slash redirect
(``/x/`` to ``/x``) stays within one segment. A route whose first segment is not a literal (``/{slug}``), a
mount at the root, a host route or anything not understood goes into every group.

The groups are made at the first request and made again when routes are added to the app itself (a test
adding a route); routes added to an already included router after the app served its first request are not
seen, as nothing does that.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.routing import APIRouter
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Host, Mount
from starlette.types import Receive, Scope, Send

ANY = None  # a route that may match any first segment


def first_segment(path: str) -> str:
    """``/proposals/1`` -> ``proposals``; ``/`` -> ``""``."""
    return path[1:].partition("/")[0] if path.startswith("/") else path


def _literal_segment(path_format: str | None) -> str | None:
    """The literal first segment of a route path, or None when it has a parameter (or is not a path)."""
    if path_format is None or not path_format.startswith("/"):
        return ANY
    segment = first_segment(path_format)
    return ANY if "{" in segment else segment


def _route_paths(route: Any, prefix: str = "") -> Iterator[str | None]:
    """The path of each route a top-level route stands for (None for one of unknown shape). Read from the
    routes as registered, without making FastAPI build each route's request handling before it is needed."""
    included = getattr(route, "original_router", None)
    if included is not None:  # a router included with include_router (FastAPI's _IncludedRouter)
        context = getattr(route, "include_context", None)
        if context is None or getattr(included, "_low_priority_routes", None):
            yield None  # of unknown shape, or with fall-back routes (FastAPI's frontend routes): may match anything
            return
        for child in included.routes:
            yield from _route_paths(child, prefix + context.prefix)
        return
    if isinstance(route, Host) or (isinstance(route, Mount) and route.path in ("", "/")):
        yield None
        return
    path = getattr(route, "path", None)
    yield prefix + path if isinstance(path, str) else None


def route_segments(route: BaseRoute) -> set[str | None]:
    """The first segments ``route`` can match; ``{None}`` when it may match any."""
    segments = {_literal_segment(path) for path in _route_paths(route)}
    return {ANY} if ANY in segments or not segments else segments


class SegmentIndex:
    """The app router's ``middleware_stack``: picks the routes of the request's first segment, then runs
    FastAPI's own routing loop (``APIRouter.app``) over only those. Lifespan events go to the router as is."""

    def __init__(self, router: APIRouter) -> None:
        self.router = router
        self.full = router.app
        self._key: tuple[int, int] | None = None
        self._groups: dict[str, APIRouter] = {}
        self._others: APIRouter = router

    def _subset(self, routes: Iterable[BaseRoute]) -> APIRouter:
        subset = copy.copy(self.router)  # the same settings, default (404) and fall-back routes
        subset.routes = list(routes)
        return subset

    def _build(self) -> None:
        routes = list(self.router.routes)
        segments = [route_segments(route) for route in routes]
        named = {segment for found in segments for segment in found if segment is not ANY}
        self._groups = {
            name: self._subset(r for r, found in zip(routes, segments, strict=True) if name in found or ANY in found)
            for name in named
        }
        self._others = self._subset(r for r, found in zip(routes, segments, strict=True) if ANY in found)
        self._key = (len(self.router.routes), getattr(self.router, "_routes_version", 0))

    def routes_for(self, scope: Scope) -> APIRouter:
        """The router (a copy of the app's with fewer routes) that matches this request exactly as the app's."""
        if self._key != (len(self.router.routes), getattr(self.router, "_routes_version", 0)):
            self._build()
        return self._groups.get(first_segment(get_route_path(scope)), self._others)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.full(scope, receive, send)
            return
        scope.setdefault("router", self.router)  # url_for knows every route
        await self.routes_for(scope).app(scope, receive, send)


def index_routes(router: APIRouter) -> None:
    """Route ``router``'s requests through a ``SegmentIndex`` (only when its stack is the plain routing loop)."""
    if getattr(router.middleware_stack, "__func__", None) is APIRouter.app:
        router.middleware_stack = SegmentIndex(router)
