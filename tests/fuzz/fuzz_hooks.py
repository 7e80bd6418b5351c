"""Schemathesis hooks of tests/fuzz/api_fuzz.py (loaded through SCHEMATHESIS_HOOKS): steer schema-valid (positive)
cases of writes towards data the business rules accept, so that the fuzzer reaches their success paths (and,
through the document's links, the GET/PATCH/DELETE of what it made) instead of only ever hearing 404, 409 or 422.

- ids in request bodies point at things that exist and that the key may use: an open section for a comment, the
  trajectory for a session or an invitation, the key's own municipality for a position...;
- moments are made consistent (a session's end after its start, an agenda item inside its session);
- members whose valid values the schema cannot express (a quote must be text of the section, tags from a fixed
  list, a slug or number not taken yet) are left out, as optional members may be;
- outside the stateful phase, the parent in the path of a create below a resource (POST
  /sessions/{id}/agenda-items, /comments/{id}/notes, ...) is one that exists.

Only positive cases of the examples, fuzzing and stateful phases are changed: a negative case keeps its invalid
value (negative_data_rejection still checks it) and the coverage phase keeps its boundary values. In the stateful
phase the path parameters and If-Match come from the links and are left alone.
The ids come from the fuzz script in ``DIALOOG_FUZZ_CONTEXT`` (JSON, see ``fuzz_context`` in api_fuzz.py).
"""

from __future__ import annotations

import json
import os
import zlib
from datetime import datetime, timedelta
from typing import Any

import schemathesis

CONTEXT: dict[str, Any] = json.loads(os.environ.get("DIALOOG_FUZZ_CONTEXT") or "{}")
KINDS = ("steun", "zorg", "vraag", "suggestie")
SESSION_START = "2027-03-01T09:00:00Z"  # a session the fuzzer creates: a day in the trajectory's future
SESSION_END = "2027-03-01T17:00:00Z"


def _pick(values: list[Any], seed: object) -> Any:
    return values[zlib.crc32(repr(seed).encode()) % len(values)] if values else None


def _steered(case: Any) -> bool:
    meta = case.meta
    if meta is None or getattr(meta.generation.mode, "value", "") != "positive":
        return False
    return getattr(meta.phase.name, "value", str(meta.phase.name)) != "coverage"


def _session_times(session_id: object) -> tuple[str, str]:
    for session in CONTEXT.get("sessions", []):
        if session["id"] == session_id:
            return session["starts_at"], session["ends_at"]
    return SESSION_START, SESSION_END


def _text(body: dict[str, Any], name: str, default: str) -> None:
    if name in body and not str(body[name] or "").strip():
        body[name] = default


def _body(method: str, path: str, case: Any, body: dict[str, Any], seed: object) -> dict[str, Any]:
    ctx = CONTEXT
    if (method, path) == ("POST", "/comments") and ctx.get("sections"):
        body["section_id"] = _pick(ctx["sections"], seed)
        body.pop("parent_id", None)  # a top-level comment: a reply needs a parent in that section
        body.pop("quote", None)  # a quote must be text of the section
        body["kind"] = _pick(list(KINDS), seed)
        if not str(body.get("body", "")).strip():
            body["body"] = "Een reactie van de fuzzer."
    elif (method, path) == ("PATCH", "/comments/{comment_id}"):
        body.pop("quote", None)
        if body.get("kind") is not None:
            body["kind"] = _pick(list(KINDS), seed)
        _text(body, "body", "Een bewerkte reactie van de fuzzer.")
    elif path == "/comments/{comment_id}/review":
        if body.get("status") is not None:
            body["official_reply"] = body.get("official_reply") or "Het antwoord van SDFL."
    elif path == "/comments/{comment_id}/positions/{municipality_id}":
        body["note"] = "Toelichting van de fuzzer."
    elif (method, path) == ("POST", "/sessions") and ctx.get("trajectory"):
        body["dialogue_id"] = ctx["trajectory"]
        body["starts_at"], body["ends_at"] = SESSION_START, SESSION_END
        for name in ("number", "status"):
            body.pop(name, None)
    elif (method, path) == ("PATCH", "/sessions/{session_id}"):
        for name in ("number", "status", "starts_at", "ends_at"):
            body.pop(name, None)
    elif path in ("/sessions/{session_id}/agenda-items", "/agenda-items/{item_id}"):
        if method == "POST":
            starts = datetime.fromisoformat(_session_times((case.path_parameters or {}).get("session_id"))[0])
            body["starts_at"] = starts.isoformat()
            body["ends_at"] = (starts + timedelta(minutes=30)).isoformat()  # inside the session
        else:
            body.pop("starts_at", None)
            body.pop("ends_at", None)
        body.pop("proposal_id", None)
        body.pop("position", None)
    elif (method, path) == ("POST", "/proposals") and ctx.get("trajectory"):
        body["dialogue_id"] = ctx["trajectory"]
        body.pop("opens_at", None)
        body.pop("closes_at", None)
    elif (method, path) == ("PATCH", "/proposals/{proposal_id}"):
        body.pop("opens_at", None)
        body.pop("closes_at", None)
    elif (method, path) == ("POST", "/proposals/{proposal_id}/versions"):
        body.pop("sections", None)  # a copy of the current version's sections
    elif path == "/proposals/{proposal_id}/versions/{number}/publish":
        body.pop("publish_at", None)
    elif (method, path) == ("POST", "/invitations") and ctx.get("trajectory"):
        body["dialogue_id"] = ctx["trajectory"]
    elif (method, path) == ("POST", "/users"):
        role = body.get("role")
        body["email"] = f"fuzz-{zlib.crc32(repr(seed).encode()):08x}@example.org"  # an address, not yet taken
        body["provider_id"] = _pick(ctx.get("providers", []), seed) if role == "provider" else None
        body["municipality_id"] = _pick(ctx.get("municipalities", []), seed) if role == "municipality" else None
    elif (method, path) == ("PATCH", "/users/{user_id}"):
        for name in ("email", "role", "provider_id", "municipality_id"):
            body.pop(name, None)
    elif path in ("/providers", "/providers/{provider_id}"):
        for name in ("slug", "tags", "municipalities", "website"):
            body.pop(name, None)
    elif path == "/providers/{provider_id}/contacts":
        body["invite"] = False
    elif path in ("/care-forms", "/care-forms/{care_form_id}"):
        body.pop("key", None)
    elif (method, path) == ("POST", "/questions") and ctx.get("dialogues"):
        body["dialogue_id"] = _pick(ctx["dialogues"], seed)
        for name in ("session_id", "document_id", "section_id"):
            body.pop(name, None)
    elif path in ("/webhooks", "/webhooks/{webhook_id}") and "url" in body:
        body["url"] = "https://93.184.215.14/dialoog-webhook"  # public, and no DNS lookup needed
    return body


# Outside the stateful phase: the parent named in the path of a create (or of a write below a resource).
_PARENTS = {
    "/sessions/{session_id}/agenda-items": {"session_id": "sessions"},
    "/proposals/{proposal_id}/versions": {"proposal_id": "proposals"},
    "/comments/{comment_id}/notes": {"comment_id": "comments"},
    "/comments/{comment_id}/positions/{municipality_id}": {"comment_id": "comments"},
    "/providers/{provider_id}/contacts": {"provider_id": "providers"},
}


@schemathesis.hook
def map_case(context, case):  # type: ignore[no-untyped-def]
    if not CONTEXT or not _steered(case):
        return case
    operation = case.operation
    method, path = operation.method.upper(), operation.path
    stateful = getattr(case.meta.phase.name, "value", "") == "stateful"
    seed = (path, case.body if not isinstance(case.body, dict) else sorted(case.body.items(), key=str))
    if case.path_parameters is not None:
        params = dict(case.path_parameters)
        if not stateful and method != "GET":
            for name, kind in _PARENTS.get(path, {}).items():
                if CONTEXT.get(kind):
                    value = _pick(CONTEXT[kind], seed)
                    params[name] = value["id"] if isinstance(value, dict) else value
        if "municipality_id" in params and path.startswith("/comments/") and CONTEXT.get("municipality_id"):
            params["municipality_id"] = CONTEXT["municipality_id"]  # a reviewer takes their own's position
        case.path_parameters = params
    if isinstance(case.body, dict):
        case.body = _body(method, path, case, dict(case.body), seed)
    return case
