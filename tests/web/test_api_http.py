"""HTTP conformance of the API, for every route at once (app.kit.api_route, app.web, app.main): 405 with the
right Allow, HEAD on every GET, 415 for a wrong Content-Type, strong ETags for If-Match, 304 for If-None-Match,
no cookies, CORS off by default and per origin, RateLimit headers, Link headers, strict datetimes, strict JSON
types and malformed JSON named as the body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError

from app.config import get_settings
from app.kit.api_types import UtcMoment
from app.main import create_app
from tests import factories
from tests.helpers import assert_problem, key_headers

API = "/api/v1"


@pytest.fixture
def admin_key(db) -> dict[str, str]:
    return key_headers(db, factories.admin(db))


@pytest.fixture
def comment_setup(db):
    section = factories.section(db, factories.proposal(db))
    author = factories.provider_user(db)
    db.commit()
    return section, key_headers(db, author)


def post_comment(client: TestClient, section, headers, **extra) -> dict:
    response = client.post(
        f"{API}/comments", json={"section_id": section.id, "kind": "vraag", "body": "Een vraag"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


# --- 405 and Allow ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/comments", {"GET", "HEAD", "POST"}),
        ("POST", "/comments/1", {"GET", "HEAD", "PATCH", "DELETE"}),
        ("DELETE", "/users", {"GET", "HEAD", "POST"}),
        ("PUT", "/providers/1", {"GET", "HEAD", "PATCH", "DELETE"}),
        # A fixed path is never taken for an id: PATCH /comments/export is 405, not a 422 about the id "export".
        ("PATCH", "/comments/export", {"GET", "HEAD"}),
        ("DELETE", "/comments/export", {"GET", "HEAD"}),
    ],
)
def test_405_names_every_method_of_the_path(client, admin_key, method, path, allow):
    response = client.request(method, API + path, headers=admin_key)
    assert_problem(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allow


# --- HEAD ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/providers", "/municipalities", "/openapi.json", "/proposals"])
def test_head_answers_like_get_without_a_body(client, db, path):
    factories.provider(db, invitation=None)
    db.commit()
    get = client.get(API + path)
    head = client.head(API + path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    if "etag" in get.headers:
        assert head.headers["etag"] == get.headers["etag"]


def test_head_of_a_resource_with_an_etag(client, comment_setup):
    section, headers = comment_setup
    made = post_comment(client, section, headers)
    get = client.get(f"{API}/comments/{made['id']}", headers=headers)
    head = client.head(f"{API}/comments/{made['id']}", headers=headers)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]


# --- 415 and malformed JSON -----------------------------------------------------------------------------------


def test_wrong_content_type_is_415(client, comment_setup):
    section, headers = comment_setup
    body = f'{{"section_id": {section.id}, "kind": "vraag", "body": "x"}}'
    for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded"):
        response = client.post(f"{API}/comments", content=body, headers={**headers, "Content-Type": content_type})
        assert_problem(response, 415)
    missing = client.post(f"{API}/comments", content=body, headers=headers)
    assert_problem(missing, 415)


def test_json_with_a_charset_is_fine(client, comment_setup):
    section, headers = comment_setup
    body = f'{{"section_id": {section.id}, "kind": "vraag", "body": "x"}}'
    response = client.post(
        f"{API}/comments", content=body, headers={**headers, "Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201


def test_malformed_json_names_the_body_and_the_place(client, comment_setup):
    _section, headers = comment_setup
    response = client.post(
        f"{API}/comments", content='{"body": "x",\n  oops}', headers={**headers, "Content-Type": "application/json"}
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "body"
    assert problem["errors"][0]["message"].startswith("Malformed JSON at line 2 column 3")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Urk", "code": "0184", "in_procurement": 0}, "in_procurement"),
        ({"name": "Urk", "code": "0184", "in_procurement": "true"}, "in_procurement"),
    ],
)
def test_booleans_in_a_body_are_json_booleans(client, admin_key, payload, field):
    response = client.post(f"{API}/municipalities", json=payload, headers=admin_key)
    problem = assert_problem(response, 422)
    assert field in [e["field"] for e in problem["errors"]]


def test_integers_in_a_body_are_json_numbers(client, comment_setup):
    section, headers = comment_setup
    response = client.post(
        f"{API}/comments", json={"section_id": str(section.id), "kind": "vraag", "body": "x"}, headers=headers
    )
    problem = assert_problem(response, 422)
    assert "section_id" in [e["field"] for e in problem["errors"]]


# --- strict datetimes -------------------------------------------------------------------------------------------


BAD_MOMENTS = ["0.5", "12345", "1700000000", "tomorrow", "2026-01-01"]


@pytest.mark.parametrize("value", BAD_MOMENTS)
def test_moments_are_iso_8601_only(client, comment_setup, value):
    _section, headers = comment_setup
    problem = assert_problem(client.get(f"{API}/comments", params={"since": value}, headers=headers), 422)
    assert "since" in [e["field"] for e in problem["errors"]]
    assert client.get(f"{API}/comments", params={"since": "2026-01-01T00:00:00+01:00"}, headers=headers).is_success


@pytest.mark.parametrize("value", [*BAD_MOMENTS, 0.5, 12345])
def test_the_moment_type_of_every_feed_refuses_numbers(value):
    """UtcMoment (app.kit.api_types) is the type of since, updated_since and updated_until everywhere."""
    with pytest.raises(ValidationError):
        TypeAdapter(UtcMoment).validate_python(value)
    assert (
        TypeAdapter(UtcMoment).validate_python("2026-03-02T10:30:00+01:00").isoformat() == "2026-03-02T09:30:00+00:00"
    )


# --- ETags: If-Match strong only, If-None-Match -> 304 ----------------------------------------------------------


def test_a_weak_etag_never_matches_if_match(client, comment_setup):
    section, headers = comment_setup
    made = post_comment(client, section, headers)
    etag = client.get(f"{API}/comments/{made['id']}", headers=headers).headers["ETag"]
    url = f"{API}/comments/{made['id']}"
    weak = client.patch(url, json={"body": "Anders"}, headers={**headers, "If-Match": f"W/{etag}"})
    assert_problem(weak, 412)
    strong = client.patch(url, json={"body": "Anders"}, headers={**headers, "If-Match": etag})
    assert strong.status_code == 200


def test_if_none_match_gives_304_on_a_resource(client, comment_setup):
    section, headers = comment_setup
    made = post_comment(client, section, headers)
    url = f"{API}/comments/{made['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]
    for offered in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url, headers={**headers, "If-None-Match": offered})
        assert response.status_code == 304, offered
        assert response.content == b""
        assert response.headers["ETag"] == etag
    assert client.get(url, headers={**headers, "If-None-Match": '"other"'}).status_code == 200


def test_every_get_has_an_etag_and_answers_304(client, db):
    factories.provider(db, invitation=None)
    db.commit()
    first = client.get(f"{API}/providers")
    assert first.headers["ETag"].startswith('"')
    again = client.get(f"{API}/providers", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Link"] == first.headers["Link"]


# --- cookies, CORS ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/providers", "/no-such-thing", "/openapi.json", "/providers?lang=en"])
def test_the_api_sets_no_cookies(path):
    with TestClient(create_app()) as fresh:
        response = fresh.get(API + path)
    assert "set-cookie" not in response.headers
    assert not fresh.cookies


def test_pages_still_get_their_csrf_cookie():
    with TestClient(create_app()) as fresh:
        assert "dialoog_csrf" in fresh.get("/login").headers.get("set-cookie", "")


def test_cors_is_off_by_default(client):
    response = client.get(f"{API}/providers", headers={"Origin": "https://bi.example.org"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        f"{API}/comments", headers={"Origin": "https://bi.example.org", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in preflight.headers


@pytest.fixture
def cors_app(monkeypatch, engine):
    monkeypatch.setenv("DIALOOG_API_CORS_ORIGINS", "https://bi.example.org, https://portaal.example.org")
    get_settings.cache_clear()
    try:
        yield create_app(engine=engine)
    finally:
        monkeypatch.delenv("DIALOOG_API_CORS_ORIGINS")
        get_settings.cache_clear()


def test_cors_per_origin(cors_app):
    with TestClient(cors_app) as browser:
        allowed = browser.get(f"{API}/openapi.json", headers={"Origin": "https://bi.example.org"})
        assert allowed.headers["access-control-allow-origin"] == "https://bi.example.org"
        exposed = {h.strip().lower() for h in allowed.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "link", "location", "ratelimit-remaining", "retry-after"} <= exposed
        other = browser.get(f"{API}/openapi.json", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers
        preflight = browser.options(
            f"{API}/comments",
            headers={
                "Origin": "https://portaal.example.org",
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, if-match, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://portaal.example.org"
        assert "PATCH" in preflight.headers["access-control-allow-methods"]
        assert "set-cookie" not in preflight.headers


# --- RateLimit headers ----------------------------------------------------------------------------------------------


def test_writes_carry_ratelimit_headers_and_429_says_when(client, comment_setup, monkeypatch):
    monkeypatch.setenv("DIALOOG_API_WRITE_LIMIT_PER_MINUTE", "2")
    get_settings.cache_clear()
    try:
        section, headers = comment_setup
        first = client.post(
            f"{API}/comments", json={"section_id": section.id, "kind": "vraag", "body": "1"}, headers=headers
        )
        assert first.status_code == 201
        assert first.headers["RateLimit-Limit"] == "2"
        assert first.headers["RateLimit-Remaining"] == "1"
        assert 0 < int(first.headers["RateLimit-Reset"]) <= 60
        second = client.post(
            f"{API}/comments", json={"section_id": section.id, "kind": "vraag", "body": "2"}, headers=headers
        )
        assert second.headers["RateLimit-Remaining"] == "0"
        third = client.post(
            f"{API}/comments", json={"section_id": section.id, "kind": "vraag", "body": "3"}, headers=headers
        )
        assert_problem(third, 429)
        assert third.headers["RateLimit-Remaining"] == "0"
        assert int(third.headers["Retry-After"]) >= 1
        assert third.headers["RateLimit-Reset"] == third.headers["Retry-After"]
    finally:
        get_settings.cache_clear()


# --- Link headers, deprecation ------------------------------------------------------------------------------------


def test_lists_have_link_headers(client, db):
    for _ in range(3):
        factories.provider(db, invitation=None)
    db.commit()
    response = client.get(f"{API}/providers", params={"page_size": 1, "page": 2})
    links = response.headers["Link"]
    for rel in ("first", "prev", "next", "last"):
        assert f'rel="{rel}"' in links


def test_a_deprecated_parameter_says_so(client, comment_setup):
    _section, headers = comment_setup
    old = client.get(f"{API}/comments", params={"since": "2026-01-01T00:00:00Z"}, headers=headers)
    assert old.status_code == 200
    assert old.headers["Deprecation"].startswith("@")
    assert old.headers["Sunset"].endswith("GMT")
    new = client.get(f"{API}/comments", params={"updated_since": "2026-01-01T00:00:00Z"}, headers=headers)
    assert "deprecation" not in new.headers
