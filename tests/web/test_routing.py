"""Routing by first path segment (app.web.routing) picks exactly the route FastAPI's full loop picks, and the
request path of someone not signed in asks the database nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import create_engine
from starlette.routing import Match

from app.main import create_app
from app.web.routing import SegmentIndex, first_segment


def _first_match(routes: list[Any], scope: dict[str, Any]) -> Any:
    """What FastAPI's routing loop does: the first full match, else the first partial one (a wrong method)."""
    partial = None
    for route in routes:
        match, _child = route.matches(dict(scope))
        if match == Match.FULL:
            return route
        if match == Match.PARTIAL and partial is None:
            partial = route
    return partial


def _paths(app: Any) -> list[tuple[str, str]]:
    """(method, concrete path) for every route of the app's own routers, plus paths no route has."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(included.routes, prefix + route.include_context.prefix)
                continue
            path = re.sub(r"\{[^}]+\}", "1", prefix + getattr(route, "path", ""))
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                found.append((method, path))
                found.append(("DELETE" if method != "DELETE" else "GET", path))  # a wrong method: 405
            found.append(("GET", path + "/"))  # the slash redirect

    walk(app.router.routes, "")
    return [*found, ("GET", "/nothing-here"), ("GET", "/"), ("GET", "/admin/nothing"), ("POST", "/proposals")]


@pytest.mark.parametrize("mounted", [False, True], ids=["site", "api"])
def test_the_segment_index_picks_the_route_the_full_loop_picks(mounted):
    site = create_app(engine=create_engine("sqlite://"))  # only to route; no query is made
    app = site.state.api if mounted else site
    index = app.router.middleware_stack
    assert isinstance(index, SegmentIndex)
    paths = _paths(app)
    assert len(paths) > 200
    for method, path in paths:
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "query_string": b""}
        expected = _first_match(app.router.routes, scope)
        assert _first_match(index.routes_for(scope).routes, scope) is expected, (method, path)


def test_routes_added_after_the_first_request_are_found(client, app):
    assert client.get("/late-route").status_code == 404

    async def late() -> dict[str, str]:
        return {"late": "yes"}

    app.add_api_route("/late-route", late, methods=["GET"])
    assert client.get("/late-route").json() == {"late": "yes"}


def test_first_segment():
    assert first_segment("/") == ""
    assert first_segment("/proposals") == "proposals"
    assert first_segment("/proposals/1/sections") == "proposals"
    assert first_segment("/sessions.ics") == "sessions.ics"


def test_a_request_without_a_session_cookie_asks_the_database_nothing(client, count_queries):
    """The app's global dependency (who is signed in) has nothing to look up without a session cookie."""
    client.cookies.clear()
    with count_queries() as anonymous:
        assert client.get("/api").status_code == 200  # a page without data of its own
        assert client.get("/favicon.ico", follow_redirects=False).status_code == 301
    assert anonymous.statements == []


@pytest.mark.signed_in("provider")
def test_a_signed_in_request_is_one_query_for_who_is_asking(client, count_queries):
    with count_queries() as signed_in:
        response = client.get("/api")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert len(signed_in.statements) == 1, signed_in.statements
