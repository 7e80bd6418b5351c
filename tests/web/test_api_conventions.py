"""API foundation: the pagination shape, problem+json for every error, OpenAPI and docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.helpers import PROBLEM, key_headers

# Fourteen providers, as many as the demo has; two of them named as the demo names them.
NAMES = ["Rodante", "'s Heeren Loo", *(f"Aanbieder {letter}" for letter in "ABCDEFGHIJKL")]


@pytest.fixture
def providers(db) -> dict[str, dict]:
    """The providers the API lists: Rodante works with people with a mild intellectual disability (tag lvb) and
    is contracted in two municipalities."""
    almere = factories.municipality(db, code="0034", name="Almere")
    dronten = factories.municipality(db, code="0303", name="Dronten")
    made = {}
    for i, name in enumerate(NAMES):
        slug = "rodante" if name == "Rodante" else f"aanbieder-{i}"
        tags = ["lvb", "ggz"] if i % 3 == 0 else ["jeugd"]
        contracted = [almere, dronten] if name == "Rodante" else []
        made[slug] = factories.provider(db, invitation=None, name=name, slug=slug, tags=tags, contracted_in=contracted)
    db.commit()
    return made


@pytest.fixture
def admin_key(db) -> dict[str, str]:
    return key_headers(db, factories.admin(db))


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["type"] == "about:blank"
    return body


def test_providers_list_has_the_pagination_shape(client, providers):
    response = client.get("/api/v1/providers")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total", "page", "page_size", "pages", "next_cursor", "cursor"}
    assert body["total"] == 14
    assert body["page"] == 1
    assert body["page_size"] == 50
    assert body["pages"] == 1
    names = [p["name"] for p in body["items"]]
    assert len(names) == 14
    assert "Rodante" in names and "'s Heeren Loo" in names
    assert names == sorted(names)


def test_provider_items_carry_their_fields(client, providers):
    rodante = next(p for p in client.get("/api/v1/providers").json()["items"] if p["slug"] == "rodante")
    assert set(rodante) == {
        "id",
        "name",
        "slug",
        "size",
        "tags",
        "contracted_in",
        "active_outside_flevoland",
        "website",
        "description",
        "illustrative",
        "archived_at",
        "updated_at",  # H-meetings: the change feed (issue 20)
    }
    assert "lvb" in rodante["tags"]
    assert all(set(m) == {"code", "name"} for m in rodante["contracted_in"])
    one = client.get(f"/api/v1/providers/{rodante['id']}")
    assert one.status_code == 200
    assert one.json() == rodante


def test_pages_are_stable_and_complete(client, providers):
    seen = []
    for page in (1, 2, 3):
        body = client.get("/api/v1/providers", params={"page": page, "page_size": 5}).json()
        assert body["pages"] == 3 and body["total"] == 14
        seen += [p["id"] for p in body["items"]]
    assert len(seen) == len(set(seen)) == 14
    empty = client.get("/api/v1/providers", params={"page": 9, "page_size": 5}).json()
    assert empty["items"] == [] and empty["total"] == 14


def test_filter_providers_by_tag(client, providers):
    body = client.get("/api/v1/providers", params={"tag": "lvb"}).json()
    assert body["total"] == len(body["items"]) > 0
    assert all("lvb" in p["tags"] for p in body["items"])


def test_municipalities(client, db):
    for code, name in (("0034", "Almere"), ("0303", "Dronten"), ("0184", "Urk"), ("0171", "Noordoostpolder")):
        factories.municipality(db, code=code, name=name)
    db.commit()
    body = client.get("/api/v1/municipalities").json()
    assert {m["name"] for m in body["items"]} >= {"Almere", "Dronten", "Urk", "Noordoostpolder"}
    almere = next(m for m in body["items"] if m["name"] == "Almere")
    assert almere["code"] == "0034" and almere["in_procurement"] is True
    assert client.get(f"/api/v1/municipalities/{almere['id']}").json() == almere


@pytest.mark.parametrize("path", ["/api/v1/providers/999999", "/api/v1/municipalities/999999", "/api/v1/no-such-thing"])
def test_not_found_is_problem_json(client, path):
    assert_problem(client.get(path), 404)


# Found by the API fuzzer: an id past 64 bits made SQLite raise OverflowError (a 500) instead of a 404.
@pytest.mark.parametrize("huge", ["99999999999999999999", "2147483648", "0", "-1"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/users/{id}",
        "/api/v1/providers/{id}",
        "/api/v1/municipalities/{id}",
        "/api/v1/sessions/{id}",
        "/api/v1/sessions/{id}/agenda-items",
        "/api/v1/invitations/{id}",
        "/api/v1/documents/{id}",
        "/api/v1/proposals/{id}",
        "/api/v1/comments/{id}",
    ],
)
def test_ids_out_of_range_are_404_not_a_server_error(app, admin_key, path, huge):
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path.format(id=huge), headers=admin_key)
    assert_problem(response, 404)


def test_an_invitation_id_out_of_range_is_404_when_answering(app, admin_key):
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.patch(
            "/api/v1/invitations/99999999999999999999", headers=admin_key, json={"status": "accepted"}
        )
    assert_problem(response, 404)


def test_method_not_allowed_is_problem_json(client):
    body = assert_problem(client.delete("/api/v1/providers"), 405)
    assert "DELETE" in body["detail"]


@pytest.mark.parametrize(
    "params,field", [({"page": 0}, "page"), ({"page_size": 500}, "page_size"), ({"page": "abc"}, "page")]
)
def test_validation_errors_are_problem_json_with_field_errors(client, params, field):
    body = assert_problem(client.get("/api/v1/providers", params=params), 422)
    assert any(e["field"] == field and e["message"] for e in body["errors"])


def test_bad_path_parameter_is_422(client):
    body = assert_problem(client.get("/api/v1/providers/not-a-number"), 422)
    assert body["errors"][0]["field"] == "provider_id"


def test_openapi_document_and_docs_page(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/providers" in paths and "/municipalities/{municipality_id}" in paths
    # errors are documented as what they are: problem+json
    listing = paths["/providers"]["get"]["responses"]
    assert "application/problem+json" in listing["422"]["content"]
    assert "application/problem+json" in listing["default"]["content"]
    assert "HTTPValidationError" not in spec.text
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/v1/openapi.json" in docs.text
    assert "<script>" not in docs.text  # no inline script: the CSP forbids it
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200


def test_api_answers_carry_security_headers(client):
    for path in ("/api/v1/providers", "/api/v1/providers/999999"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("mount", ["site", "api"])
def test_an_unexpected_error_is_a_500_logged_once_without_a_trace_to_the_user(app, caplog, mount):
    """A bug gives a 500 with a plain message (problem+json in the API), and one log line naming the request:
    the API is a mounted app with the same handler, and the exception passes both."""
    target, url = (app, "/boom-test") if mount == "site" else (app.state.api, "/api/v1/boom-test")

    def boom() -> None:
        raise RuntimeError("a bug with a secret in its message")

    target.add_api_route("/boom-test", boom, methods=["GET"])
    with caplog.at_level("ERROR", logger="dialoog.errors"), TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(url)
    assert response.status_code == 500
    assert "secret" not in response.text and "Traceback" not in response.text
    if mount == "api":
        assert_problem(response, 500)
    lines = [r.getMessage() for r in caplog.records if r.name == "dialoog.errors"]
    assert lines == [f"unhandled error on GET {url}: RuntimeError"]
