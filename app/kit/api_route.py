"""The API's route class: what every JSON API route does beside its own work.

- ``Link`` headers (RFC 8288) beside the JSON paging: ``first``, ``prev``, ``next`` and ``last`` for numbered
  pages; ``next`` (with the cursor) for a feed. A ``Page`` remembers itself when it is made
  (``remember_page``); the route turns the page its endpoint answered into the header.

Every router of the API is made with ``APIRouter(route_class=ApiRoute)``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

_PAGES: ContextVar[list[Any] | None] = ContextVar("dialoog_api_pages", default=None)


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


class ApiRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            pages: list[Any] = []
            token = _PAGES.set(pages)
            try:
                response = await handler(request)
            finally:
                _PAGES.reset(token)
            if pages and 200 <= response.status_code < 300 and "link" not in response.headers:
                header = link_header(request, pages[-1])
                if header:
                    response.headers["Link"] = header
            return response

        return route
