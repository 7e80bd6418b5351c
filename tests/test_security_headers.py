"""Security headers on pages, fragments, API answers, errors and files."""

from __future__ import annotations

import pytest

from tests.conftest import login

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
def test_security_headers_everywhere(client, name, method, path, headers):
    login(client, "sdfl@example.org")
    response = client.request(method, path, headers=headers, follow_redirects=False)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_htmx_fragment_is_a_fragment(client):
    login(client, "sdfl@example.org")
    response = client.get("/admin/audit", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert response.headers["vary"] == "HX-Request"
