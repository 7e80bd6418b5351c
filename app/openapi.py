"""The API's OpenAPI document says what the API really answers, for every operation, without per-endpoint work.

``install_openapi`` post-processes FastAPI's document once:

- operationIds in camelCase from the endpoint function names (``list_comments`` -> ``listComments``;
  ``operation_id``), unique over the whole API;
- the HTTP bearer security scheme ``bearerAuth`` on every operation that reads an API key (optional where the
  public may read too);
- every error answer as ``application/problem+json`` (``Problem``): 401/403 where a key is read, 404 where the
  path names a resource, 412/428 where ``If-Match`` is taken, 415 and 422 where a body is taken, 429 where a
  write budget is drawn on, 304 on every GET (``If-None-Match``), and the 200 of an idempotent replay
  (``Idempotent-Replayed: true``) beside the 201 of an operation that takes an ``Idempotency-Key``;
- response headers: ``ETag``, ``Location``, ``Link``, ``RateLimit-*``, ``Retry-After``, ``Deprecation``/``Sunset``;
- binary answers (downloads, exports) as ``format: binary`` with ``application/octet-stream`` listed first, so
  generated clients hand out bytes instead of decoding them as text;
- an example for every JSON request and response body: the model's own, else one synthesised from its schema
  (``example_for``);
- OpenAPI ``links`` from each create operation to the operations on the created resource (``$response.body#/id``)
  and from each GET of a resource to its PATCH/PUT/DELETE (with its ``ETag`` as ``If-Match``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from app.kit.api_route import deprecation_of

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An error as application/problem+json (RFC 9457).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Field errors, for validation failures",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SCHEME = "bearerAuth"
WRITE_METHODS = ("post", "put", "patch", "delete")
BINARY = {"type": "string", "format": "binary"}

# The answers every operation may give, by status: when each applies is decided in ``_declare_errors``.
ERROR_TEXT = {
    400: "Bad request: the body could not be read (a malformed multipart form, a NUL character)",
    401: "No valid API key: send 'Authorization: Bearer <key>'",
    403: "The key's owner may not do this, or the key has scope read",
    404: "No such resource, or not visible to this key",
    409: "Conflict with the resource's current state",
    412: "If-Match does not match the current ETag (a weak ETag never matches)",
    413: "The request body is too large",
    415: "The request body's Content-Type is not one this operation takes",
    422: "Validation failed; see errors",
    428: "If-Match is missing: GET the resource and send its ETag",
    429: "Too many requests: the budget of this key is spent; retry after Retry-After seconds",
}

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "Strong entity tag of this representation", "schema": {"type": "string"}},
    "Location": {"description": "Address of the created resource", "schema": {"type": "string"}},
    "Link": {
        "description": "RFC 8288 links to the first, prev, next and last pages (next only for a feed)",
        "schema": {"type": "string"},
    },
    "RateLimit-Limit": {"description": "Requests allowed in the current window", "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "Requests left in the current window", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until the window frees a request", "schema": {"type": "integer"}},
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer"}},
    "Idempotent-Replayed": {
        "description": "true: an earlier request with this Idempotency-Key made this resource; nothing new was made",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Deprecation": {
        "description": "RFC 9745: this operation or a parameter used is deprecated",
        "schema": {"type": "string"},
    },
    "Sunset": {"description": "RFC 8594: the date after which it may stop working", "schema": {"type": "string"}},
}


def camel_case_id(route: APIRoute) -> str:
    """The operationId of a route: its endpoint function's name in camelCase (``list_comments`` -> ``listComments``)."""
    first, *rest = route.name.strip("_").split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest if part)


def _dependency_calls(route: Any) -> set[Any]:
    calls: set[Any] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if dependant.call is not None:
            calls.add(dependant.call)
        stack.extend(dependant.dependencies)
    return calls


def install_openapi(
    api: FastAPI, *, reads_key: Iterable[Callable[..., Any]], needs_key: Iterable[Callable[..., Any]]
) -> None:
    """Make ``api.openapi()`` the finished document. ``reads_key``: dependencies that read an API key (a route
    using one declares ``bearerAuth``); ``needs_key``: those that refuse a request without one."""
    reads, needs = set(reads_key), set(needs_key)

    def openapi() -> dict[str, Any]:
        if api.openapi_schema:
            return api.openapi_schema
        schema = get_openapi(
            title=api.title,
            version=api.version,
            description=api.description,
            routes=api.routes,
            servers=api.servers,
        )
        routes: dict[tuple[str, str], Any] = {}
        for route in iter_route_contexts(api.routes):
            if isinstance(route.original_route, APIRoute) and route.include_in_schema:
                for method in route.methods or ():
                    routes[(route.path_format or "", method.lower())] = route
        finish_openapi(schema, routes, reads=reads, needs=needs)
        api.openapi_schema = schema
        return schema

    api.openapi = openapi  # type: ignore[method-assign]


def finish_openapi(
    schema: dict[str, Any], routes: dict[tuple[str, str], Any], *, reads: set[Any], needs: set[Any]
) -> None:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = PROBLEM_SCHEMA
    for model in schemas.values():
        _restore_nulls(model, schemas)
    components["securitySchemes"] = {
        SCHEME: {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (made at /admin/api-keys or with `dialoog create-api-key`), as "
            "'Authorization: Bearer <key>'. It acts with its owner's role; scope read cannot change anything.",
        }
    }
    for path, item in schema.get("paths", {}).items():
        item.pop("head", None)  # HEAD is answered for every GET (app.kit.api_route), not a separate operation
        for method, operation in item.items():
            route = routes.get((path, method))
            calls = _dependency_calls(route) if route is not None else set()
            uses_key = bool(calls & reads)
            if uses_key:
                operation["security"] = [{SCHEME: []}] if calls & needs else [{SCHEME: []}, {}]
            responses = operation.setdefault("responses", {})
            _declare_errors(path, method, operation, responses, uses_key=uses_key)
            _declare_success(method, operation, responses, schemas)
            _declare_deprecation(route, operation, responses)
            for response in responses.values():
                for media, content in response.get("content", {}).items():
                    if _is_json(media) and "example" not in content and "examples" not in content:
                        example = example_for(content.get("schema", {}), schemas)
                        if example is not _NO_EXAMPLE:
                            content["example"] = example
            body = operation.get("requestBody", {}).get("content", {})
            _binary_request(operation, body)
            for media, content in body.items():
                if _is_json(media) and "example" not in content and "examples" not in content:
                    example = example_for(content.get("schema", {}), schemas, request=True)
                    if example is not _NO_EXAMPLE:
                        content["example"] = example
    _add_links(schema, schemas)


def _restore_nulls(model: dict[str, Any], schemas: dict[str, Any]) -> None:
    """FastAPI drops every null from the document (``exclude_none``), also inside a model's own examples: a
    required member that may be null comes back as null, so the example still validates against its schema."""
    required = model.get("required", [])
    for example in model.get("examples", []):
        if isinstance(example, dict):
            for name in required:
                if name not in example and _nullable(model.get("properties", {}).get(name, {}), schemas):
                    example[name] = None


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or ERROR_TEXT[status],
        "content": {"application/problem+json": {"schema": _PROBLEM_REF}},
    }


def _header_params(operation: dict[str, Any]) -> set[str]:
    return {p["name"].lower() for p in operation.get("parameters", []) if p.get("in") == "header"}


def _declare_errors(
    path: str, method: str, operation: dict[str, Any], responses: dict[str, Any], *, uses_key: bool
) -> None:
    headers = _header_params(operation)
    wanted: list[int] = []
    if uses_key:
        wanted += [401, 403]
    if "{" in path:
        wanted.append(404)
    if "if-match" in headers:
        wanted += [412, 428]
    if "requestBody" in operation:
        wanted += [400, 413, 415]
    if operation.get("parameters") or "requestBody" in operation:
        wanted.append(422)
    if method in WRITE_METHODS and uses_key:
        wanted.append(429)
    for status in wanted:
        responses.setdefault(str(status), {"description": ERROR_TEXT[status]})
    for code, response in list(responses.items()):
        if code.startswith("4"):
            # Every 4xx is problem+json; keep the endpoint's own description.
            response["content"] = _problem(int(code), response.get("description"))["content"]
            response.setdefault("description", ERROR_TEXT.get(int(code), "Error"))
    if "429" in responses:
        responses["429"].setdefault("headers", {}).update(
            {h: HEADERS[h] for h in ("Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")}
        )
    responses.setdefault(
        "default", {"description": "Error", "content": {"application/problem+json": {"schema": _PROBLEM_REF}}}
    )


def _is_page(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    resolved = _resolve(schema, schemas)
    props = resolved.get("properties", {})
    return {"items", "total", "page", "pages"} <= set(props)


def _declare_success(
    method: str, operation: dict[str, Any], responses: dict[str, Any], schemas: dict[str, Any]
) -> None:
    for code, response in responses.items():
        if not code.startswith("2"):
            continue
        headers = response.setdefault("headers", {})
        content = response.get("content")
        if content:
            _binary(content)
        if method == "get" or (content and code in ("200", "201")):
            headers.setdefault("ETag", HEADERS["ETag"])
        if code == "201":
            headers.setdefault("Location", HEADERS["Location"])
        json_schema = (content or {}).get("application/json", {}).get("schema")
        if method == "get" and json_schema and _is_page(json_schema, schemas):
            headers.setdefault("Link", HEADERS["Link"])
        if method in WRITE_METHODS:
            for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
                headers.setdefault(name, HEADERS[name])
        if not headers:
            del response["headers"]
    if method == "get":
        responses.setdefault(
            "304",
            {
                "description": "Not modified: If-None-Match names the current ETag (weak comparison); no body",
                "headers": {"ETag": HEADERS["ETag"]},
            },
        )
    if "201" in responses and "idempotency-key" in _header_params(operation):
        created = responses["201"]
        replay = responses.setdefault("200", {})
        replay["description"] = (
            "A retry with the same Idempotency-Key: the resource made the first time, as it is now; nothing new was "
            "made (header Idempotent-Replayed: true)"
        )
        if "content" in created:
            replay["content"] = copy.deepcopy(created["content"])
        replay["headers"] = {
            **{k: v for k, v in created.get("headers", {}).items()},
            "Idempotent-Replayed": HEADERS["Idempotent-Replayed"],
        }


def _binary(content: dict[str, Any]) -> None:
    """A download or export: every non-JSON media type is binary, with application/octet-stream first so a
    generated client (openapi-python-client) returns the bytes instead of decoding text or failing."""
    if not content or all(_is_json(media) for media in content):
        return
    binary = {media: {"schema": dict(BINARY)} for media in content if not _is_json(media)}
    others = {media: value for media, value in content.items() if _is_json(media)}
    content.clear()
    content["application/octet-stream"] = {"schema": dict(BINARY)}
    content.update(binary)
    content.update(others)


_CLIENT_REQUEST_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")


def _binary_request(operation: dict[str, Any], content: dict[str, Any]) -> None:
    """A raw body (a CSV upload) is declared as application/octet-stream bytes, which generated clients can send;
    the operation's description names the real type. (openapi-python-client has no text/csv request bodies.)"""
    raw = [m for m in content if not _is_json(m) and m not in _CLIENT_REQUEST_TYPES and m != "application/octet-stream"]
    if not raw:
        return
    for media in raw:
        del content[media]
    content["application/octet-stream"] = {"schema": dict(BINARY)}
    note = f"The raw body may be sent as {', '.join(raw)} or application/octet-stream."
    operation["description"] = (operation.get("description", "") + "\n\n" + note).strip()


def _declare_deprecation(route: Any, operation: dict[str, Any], responses: dict[str, Any]) -> None:
    if route is None:
        return
    deprecation = deprecation_of(route)
    if deprecation is None:
        return
    if deprecation.parameters:
        for parameter in operation.get("parameters", []):
            if parameter.get("name") in deprecation.parameters:
                parameter["deprecated"] = True
                note = f" Deprecated: use {deprecation.use_instead} instead" if deprecation.use_instead else ""
                note += f"; works until {deprecation.sunset}." if deprecation.sunset else "."
                parameter["description"] = (parameter.get("description", "") + note).strip()
    else:
        operation["deprecated"] = True
    for code, response in responses.items():
        if code.startswith("2"):
            headers = response.setdefault("headers", {})
            headers["Deprecation"] = HEADERS["Deprecation"]
            if deprecation.sunset:
                headers["Sunset"] = HEADERS["Sunset"]


# --- examples --------------------------------------------------------------------------------------------------

_NO_EXAMPLE: Any = object()
MOMENT_EXAMPLE = "2026-03-02T09:30:00Z"
_STRING_FORMATS = {
    "date-time": MOMENT_EXAMPLE,
    "date": "2026-03-02",
    "time": "09:30:00",
    "email": "anna.jansen@example.org",
    "uri": "https://example.org/",
    "url": "https://example.org/",
    "uuid": "3f2c9e1a-7b4d-4c1e-9a6f-0d2b8c5e7a10",
    "duration": "PT1H",
}


def _resolve(schema: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema and seen < 20:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        seen += 1
    return schema


def example_for(schema: dict[str, Any], schemas: dict[str, Any], *, request: bool = False, depth: int = 0) -> Any:
    """A deterministic example value of ``schema`` (refs resolved in ``schemas``): the schema's own example,
    default or first enum value, else one made from its type, format and bounds. In a request body, members that
    are optional and may be null are left out. ``_NO_EXAMPLE`` when none can be made (binary, too deep)."""
    if depth > 8:
        return _NO_EXAMPLE
    if "$ref" in schema:
        return example_for(_resolve(schema, schemas), schemas, request=request, depth=depth + 1)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("default") is not None:
        return schema["default"]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if _resolve(b, schemas).get("type") != "null"]
            for branch in branches or schema[key]:
                value = example_for(branch, schemas, request=request, depth=depth + 1)
                if value is not _NO_EXAMPLE:
                    return value
            return _NO_EXAMPLE
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = example_for(part, schemas, request=request, depth=depth + 1)
            if isinstance(value, dict):
                merged.update(value)
            elif value is not _NO_EXAMPLE and len(schema["allOf"]) == 1:
                return value
        return merged
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        required = set(schema.get("required", []))
        out: dict[str, Any] = {}
        for name, prop in schema.get("properties", {}).items():
            if request and name not in required and _nullable(prop, schemas):
                continue
            value = example_for(prop, schemas, request=request, depth=depth + 1)
            if value is _NO_EXAMPLE:
                if name in required:
                    return _NO_EXAMPLE
                continue
            out[name] = value
        return out
    if kind == "array":
        item = example_for(schema.get("items", {}), schemas, request=request, depth=depth + 1)
        if item is _NO_EXAMPLE:
            return [] if not schema.get("minItems") else _NO_EXAMPLE
        count = max(1, schema.get("minItems", 1))
        if schema.get("uniqueItems") and count > 1:
            return _NO_EXAMPLE
        return [item] * count
    if kind == "string":
        return _string_example(schema)
    if kind == "integer":
        return int(_number_example(schema, 1))
    if kind == "number":
        return _number_example(schema, 1.5)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _NO_EXAMPLE


def _nullable(prop: dict[str, Any], schemas: dict[str, Any]) -> bool:
    resolved = _resolve(prop, schemas)
    branches = resolved.get("anyOf", resolved.get("oneOf", [resolved]))
    return any(_resolve(b, schemas).get("type") == "null" for b in branches)


def _string_example(schema: dict[str, Any]) -> Any:
    fmt = schema.get("format")
    if fmt == "binary" or fmt == "byte":
        return _NO_EXAMPLE
    if fmt in _STRING_FORMATS:
        return _STRING_FORMATS[fmt]
    pattern = schema.get("pattern")
    value = "example"
    if pattern:
        matching = _pattern_example(pattern)
        if matching is None:
            return _NO_EXAMPLE
        value = matching
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    if len(value) < low:
        value = value + "x" * (low - len(value)) if not pattern else value
    if high is not None and len(value) > high:
        value = value[:high]
    if pattern and not re.search(pattern, value):
        return _NO_EXAMPLE
    return value


# Patterns the API uses, and a value that matches each; others get no example.
_PATTERN_CANDIDATES = ("example", "example-1", "ABC-123", "0034", "12345678", "a", "1")


def _pattern_example(pattern: str) -> str | None:
    for candidate in _PATTERN_CANDIDATES:
        try:
            if re.search(pattern, candidate):
                return candidate
        except re.error:
            return None
    return None


def _number_example(schema: dict[str, Any], preferred: float) -> float:
    value = preferred
    if "minimum" in schema:
        value = max(value, schema["minimum"])
    if "exclusiveMinimum" in schema:
        value = max(value, schema["exclusiveMinimum"] + 1)
    if "maximum" in schema:
        value = min(value, schema["maximum"])
    if "exclusiveMaximum" in schema:
        value = min(value, schema["exclusiveMaximum"] - 1)
    multiple = schema.get("multipleOf")
    if multiple:
        value = multiple * max(1, round(value / multiple))
    return value


# --- links -----------------------------------------------------------------------------------------------------

_PARAM = re.compile(r"^\{([^}]+)\}$")
_WRITES = ("patch", "put", "delete")
# Operations below a resource whose If-Match is the ETag of that resource (the comment's, as the reader reads it),
# not of a representation of their own.
_PARENT_ETAG = frozenset({"reviewComment", "setCommentPosition", "deleteCommentPosition"})
# What a resource just created does not have yet: no link leads there from its create.
_NOT_YET = frozenset({"getRecording"})
# Links that carry a created id into another operation's request body: (source operationId, target operationId,
# the body member). A provider created is one to invite.
_BODY_LINKS = (("createProvider", "createInvitation", "provider_id"),)


def _path_params(path: str) -> list[str]:
    return [m.group(1) for segment in path.split("/") if (m := _PARAM.match(segment))]


def _link(target: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    return {"operationId": target["operationId"], "parameters": parameters}


def _created_links(
    path: str, created_body: dict[str, Any], paths: dict[str, Any], *, etag: bool
) -> dict[str, dict[str, Any]]:
    """Links from an answer carrying the resource at (or created under) ``path``: to every operation on
    ``path/{x}`` and below (x from the body's member of that name, else its ``id``; the other parameters of
    ``path`` from the request's path), and, for a create on ``.../S`` whose resources live at ``/S/{x}`` (agenda
    items), to the operations there; not to what needs a parameter the answer does not give, nor to what a new
    resource does not have yet (``_NOT_YET``). With ``etag``, If-Match from the answer's ETag where the target
    takes it."""
    links: dict[str, dict[str, Any]] = {}
    members = created_body.get("properties", {})
    own = _path_params(path)
    last = path.rstrip("/").rsplit("/", 1)[-1]
    for target_path, target_item in paths.items():
        if target_path.startswith(path + "/"):
            prefix = path
        elif own and target_path.startswith(f"/{last}/"):
            prefix = f"/{last}"  # the created resource's own address, outside its parent
        else:
            continue
        rest = target_path[len(prefix) :].split("/")
        if len(rest) < 2 or not _PARAM.match(rest[1]):
            continue
        param = _PARAM.match(rest[1]).group(1)  # type: ignore[union-attr]
        member = param if param in members else "id"
        if member not in members:
            continue
        deeper = any(_PARAM.match(segment) for segment in rest[2:])  # parameters the answer does not give
        for method, target in target_item.items():
            if not isinstance(target, dict) or "operationId" not in target or target["operationId"] in _NOT_YET:
                continue
            if deeper and target["operationId"] not in _PARENT_ETAG:
                continue
            parameters = {f"path.{param}": f"$response.body#/{member}"}
            if prefix == path:
                parameters |= {f"path.{name}": f"$request.path.{name}" for name in own}
            same_resource = len(rest) == 2 or target["operationId"] in _PARENT_ETAG
            if etag and method in _WRITES and "if-match" in _header_params(target) and same_resource:
                parameters["header.If-Match"] = "$response.header.ETag"
            links[target["operationId"]] = _link(target, parameters)
    return links


def _add_links(schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Links that stateful fuzzers and generated clients follow: from a create (POST answering 201 with an ``id``)
    to every operation on the created resource and below (see ``_created_links``), from the GET of ``P/{x}`` and
    from a PATCH/PUT answering 200 on it to its operations (the answer's ``ETag`` as If-Match for the writes), and
    the few links that carry a created id into another create's body (``_BODY_LINKS``)."""
    paths = schema.get("paths", {})
    by_id = {
        op["operationId"]: op
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for path, item in paths.items():
        create = item.get("post")
        if create is not None and "201" in create.get("responses", {}):
            created = create["responses"]["201"]
            body = _resolve(created.get("content", {}).get("application/json", {}).get("schema", {}), schemas)
            links = _created_links(path, body, paths, etag=True)
            for source, target, member in _BODY_LINKS:
                if create.get("operationId") == source and target in by_id:
                    links[target] = {"operationId": target, "requestBody": {member: "$response.body#/id"}}
            if links:
                created["links"] = links
                if "200" in create["responses"]:
                    create["responses"]["200"]["links"] = copy.deepcopy(links)
        segments = path.split("/")
        if not (segments and _PARAM.match(segments[-1])):
            continue
        own = _path_params(path)
        for method in ("get", *_WRITES):
            source = item.get(method)
            if source is None or "200" not in source.get("responses", {}):
                continue
            links = {}
            for other in ("get", *_WRITES):
                target = item.get(other)
                if target is None or "operationId" not in target or target is source:
                    continue
                parameters = {f"path.{name}": f"$request.path.{name}" for name in own}
                if other in _WRITES and "if-match" in _header_params(target):
                    parameters["header.If-Match"] = "$response.header.ETag"
                links[target["operationId"]] = _link(target, parameters)
            if method == "get":
                # and to what lies below it, with this resource's ETag where that is the If-Match wanted
                for target_path, target_item in paths.items():
                    if not target_path.startswith(path + "/"):
                        continue
                    for target in target_item.values():
                        if not isinstance(target, dict) or target.get("operationId") not in _PARENT_ETAG:
                            continue
                        parameters = {f"path.{name}": f"$request.path.{name}" for name in own}
                        parameters["header.If-Match"] = "$response.header.ETag"
                        links[target["operationId"]] = _link(target, parameters)
            if links:
                source["responses"]["200"]["links"] = links
