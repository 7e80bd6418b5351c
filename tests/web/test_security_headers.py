"""Security headers on pages, fragments, API answers, errors and files."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.models import Comment
from tests import factories
from tests.conftest import Browser
from tests.helpers import key_headers, login


@pytest.fixture
def comment(db) -> Comment:
    """A dialogue with a published proposal and a provider's comment on it."""
    proposal = factories.proposal(db)
    made = factories.comment(db, factories.section(db, proposal), factories.provider_user(db))
    db.commit()
    return made


REQUESTS = [
    ("page", "GET", "/", {}),
    ("htmx fragment", "GET", "/admin/audit", {"HX-Request": "true"}),
    ("form page", "GET", "/login", {}),
    ("API answer", "GET", "/api/v1/providers", {}),
    ("API error", "GET", "/api/v1/me", {}),
    ("API 404", "GET", "/api/v1/nothing", {}),
    ("HTML 404", "GET", "/nothing", {}),
    ("CSRF 403", "POST", "/login", {}),
    ("static file", "GET", "/static/htmx.min.js", {}),
    ("OpenAPI", "GET", "/api/v1/openapi.json", {}),
]


@pytest.mark.parametrize("name,method,path,headers", REQUESTS, ids=[r[0] for r in REQUESTS])
def test_security_headers_everywhere(as_admin: TestClient, comment, name, method, path, headers):
    response = as_admin.request(method, path, headers=headers, follow_redirects=False)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_htmx_fragment_is_a_fragment(as_admin: TestClient):
    response = as_admin.get("/admin/audit", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "HX-Request" in response.headers["vary"].split(", ")


# --- pages for a signed-in user are not kept by caches (issue 14, point 11) -------------------------

SIGNED_IN_PAGES = {
    "provider": ("rodante@example.org", ["/account", "/my/comments", "/", "/proposals", "/invitation", "/documents"]),
    "municipality": (
        "almere@example.org",
        ["/account", "/review", "/review/comments/{comment}", "/review/overview", "/admin/participation"],
    ),
    "admin": (
        "sdfl@example.org",
        [
            "/account",
            "/review",
            "/review/comments/{comment}",
            "/admin/users",
            "/admin/audit",
            "/admin/documents",
            "/admin/sessions",
            "/admin/proposals",
            "/admin/invitations",
            "/review/comments/999999",  # an error page for a signed-in user too
        ],
    ),
}


# On the demo: an error page reads the signed-in user again in a database session of its own (app.web.errors),
# which cannot see a user made inside the test's transaction.
@pytest.mark.demo
@pytest.mark.parametrize("role", SIGNED_IN_PAGES)
def test_pages_for_a_signed_in_user_are_no_store(client, db, role):
    email, paths = SIGNED_IN_PAGES[role]
    comment = db.exec(select(Comment).where(col(Comment.parent_id).is_(None))).first()
    assert login(client, email).status_code == 303
    for path in paths:
        path = path.format(comment=comment.id)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers, follow_redirects=False)
            assert response.headers["content-type"].startswith("text/html"), path
            assert response.headers.get("cache-control") == "no-store", f"{path} {headers}"


def test_a_route_that_sets_its_own_cache_control_keeps_it(as_municipality: TestClient, comment):
    export = as_municipality.get("/review/export?format=csv")
    assert export.status_code == 200 and export.headers["cache-control"].count("no-store") == 1


def test_public_pages_static_files_and_the_api_are_not_no_store(anonymous: TestClient, browser: Browser, db, comment):
    for path in ("/", "/proposals", "/login", "/nothing"):
        response = anonymous.get(path)
        assert "no-store" not in response.headers.get("cache-control", ""), path
    client = browser("admin")
    for path in ("/static/htmx.min.js", "/api/docs"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("cache-control", ""), path
    api = client.get("/api/v1/providers", headers=key_headers(db, client.user))
    assert "no-store" not in api.headers.get("cache-control", "")
