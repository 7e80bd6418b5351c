"""The OpenAPI document is a contract a generated client and a fuzzer can rely on (app.openapi): operationIds,
the bearer security scheme, every answer declared (problem+json 4xx, 304, the idempotent replay), response headers,
binary downloads, an example for every JSON body that validates against its schema, and links."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from app.main import create_app
from app.openapi import example_for

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document() -> dict:
    return create_app().state.api.openapi()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_operation_ids_are_camel_case_and_unique(document):
    ids = [op["operationId"] for _p, _m, op in operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids
    assert {"listComments", "createComment", "getComment", "listUsers", "createUser"} <= set(ids)


def test_no_head_operations(document):
    assert not any("head" in item for item in document["paths"].values())


def test_bearer_security_scheme(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    by_id = {op["operationId"]: op for _p, _m, op in operations(document)}
    assert by_id["createComment"]["security"] == [{"bearerAuth": []}]
    assert by_id["listProviders"]["security"] == [{"bearerAuth": []}, {}]  # public, a key shows more
    assert "401" in by_id["createComment"]["responses"] and "403" in by_id["createComment"]["responses"]


def test_every_error_is_problem_json(document):
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("4") or code == "default":
                assert list(response["content"]) == ["application/problem+json"], (method, path, code)


def test_answers_that_apply_are_declared(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        headers = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "get":
            assert "304" in responses and "ETag" in responses["200"]["headers"], path
        if "if-match" in headers:
            assert {"412", "428"} <= set(responses), (method, path)
        if "requestBody" in operation:
            assert {"415", "422"} <= set(responses), (method, path)
        if "201" in responses:
            assert "Location" in responses["201"]["headers"], (method, path)
        if "429" in responses:
            assert "Retry-After" in responses["429"]["headers"]


def test_the_idempotent_replay_is_declared(document):
    create = document["paths"]["/comments"]["post"]
    replay = create["responses"]["200"]
    assert replay["content"] == create["responses"]["201"]["content"]
    assert "Idempotent-Replayed" in replay["headers"]


def test_lists_declare_link_and_writes_ratelimit(document):
    assert "Link" in document["paths"]["/comments"]["get"]["responses"]["200"]["headers"]
    created = document["paths"]["/comments"]["post"]["responses"]["201"]["headers"]
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "ETag", "Location"} <= set(created)


def test_downloads_are_binary(document):
    for path in ("/documents/{document_id}/download", "/comments/export", "/notas/{nota_id}/pdf"):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert next(iter(content)) == "application/octet-stream", path
        # the export's machine formats (json, ndjson) are JSON; everything else is bytes
        binary = [c for m, c in content.items() if "json" not in m]
        assert binary and all(c["schema"] == {"type": "string", "format": "binary"} for c in binary), path
    export = document["paths"]["/comments/export"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= set(export)


def test_every_json_body_has_an_example_that_validates(document):
    """Request and response bodies: the model's example, or one made from the schema."""
    resolver_doc = {"components": document["components"]}
    missing = []
    for path, method, operation in operations(document):
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(code, r.get("content", {})) for code, r in operation["responses"].items()]
        for where, content in bodies:
            for media, entry in content.items():
                if not (media == "application/json" or media.endswith("+json")):
                    continue
                if "example" not in entry and "examples" not in entry:
                    missing.append((method, path, where))
                    continue
                example = entry["example"] if "example" in entry else next(iter(entry["examples"].values()))["value"]
                schema = {**entry["schema"], **resolver_doc}
                errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(example)]
                assert not errors, (method, path, where, example, errors)
    assert not missing


def test_example_synthesiser_respects_the_schema():
    schemas = {"Kind": {"enum": ["vraag", "zorg"], "type": "string"}}
    schema = {
        "type": "object",
        "required": ["at", "mail", "n", "kind", "tags"],
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "mail": {"type": "string", "format": "email"},
            "site": {"type": "string", "format": "uri"},
            "n": {"type": "integer", "minimum": 5, "maximum": 9},
            "kind": {"$ref": "#/components/schemas/Kind"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 3}, "minItems": 2},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "active": {"type": "boolean"},
        },
    }
    made = example_for(schema, schemas, request=True)
    assert made == {
        "at": "2026-03-02T09:30:00Z",
        "mail": "anna.jansen@example.org",
        "site": "https://example.org/",
        "n": 5,
        "kind": "vraag",
        "tags": ["exa", "exa"],
        "active": True,
    }
    assert "note" in example_for(schema, schemas)  # a response shows the optional members too


def test_links_from_create_to_the_created_resource(document):
    links = document["paths"]["/comments"]["post"]["responses"]["201"]["links"]
    assert links["getComment"] == {"operationId": "getComment", "parameters": {"path.comment_id": "$response.body#/id"}}
    assert links["editComment"]["parameters"] == {
        "path.comment_id": "$response.body#/id",
        "header.If-Match": "$response.header.ETag",
    }
    assert "withdrawComment" in links
    users = document["paths"]["/users"]["post"]["responses"]["201"]["links"]
    assert {"getUser", "updateUser"} <= set(users)
    from_get = document["paths"]["/comments/{comment_id}"]["get"]["responses"]["200"]["links"]
    assert from_get["editComment"]["parameters"]["header.If-Match"] == "$response.header.ETag"
    assert from_get["reviewComment"]["parameters"]["header.If-Match"] == "$response.header.ETag"  # the comment's
    from_edit = document["paths"]["/comments/{comment_id}"]["patch"]["responses"]["200"]["links"]
    assert from_edit["withdrawComment"]["parameters"] == {
        "path.comment_id": "$request.path.comment_id",
        "header.If-Match": "$response.header.ETag",
    }


def test_links_to_nested_and_relocated_resources(document):
    """A create below a resource passes on the parent's path parameters; a resource created below its parent but
    living at an address of its own (agenda items) is linked there; a created id can go into another body."""
    sections = "/proposals/{proposal_id}/versions/{number}/sections"
    section = document["paths"][sections]["post"]["responses"]["201"]["links"]["updateSection"]["parameters"]
    assert section == {
        "path.key": "$response.body#/key",
        "path.proposal_id": "$request.path.proposal_id",
        "path.number": "$request.path.number",
        "header.If-Match": "$response.header.ETag",
    }
    version = document["paths"]["/proposals/{proposal_id}/versions"]["post"]["responses"]["201"]["links"]
    assert version["createSection"]["parameters"] == {
        "path.number": "$response.body#/number",
        "path.proposal_id": "$request.path.proposal_id",
    }
    items = document["paths"]["/sessions/{session_id}/agenda-items"]["post"]["responses"]["201"]["links"]
    assert items["deleteAgendaItem"]["parameters"] == {
        "path.item_id": "$response.body#/id",
        "header.If-Match": "$response.header.ETag",
    }
    providers = document["paths"]["/providers"]["post"]["responses"]["201"]["links"]
    assert providers["createInvitation"] == {
        "operationId": "createInvitation",
        "requestBody": {"provider_id": "$response.body#/id"},
    }


def test_deprecated_since_is_marked(document):
    since = next(p for p in document["paths"]["/comments"]["get"]["parameters"] if p["name"] == "since")
    assert since["deprecated"] is True
    assert "updated_since" in since["description"]
    assert "Deprecation" in document["paths"]["/comments"]["get"]["responses"]["200"]["headers"]
