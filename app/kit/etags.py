"""Entity tags for the API: one strong ETag of a resource's representation, the same everywhere.

An ETag is derived only from what its reader's representation shows (the JSON body that reader gets): two
readers who see the same body get the same tag, and nothing the reader cannot see (SDFL's drafted decision, a
note only admins read) can move it or be guessed from it. Writes (PATCH, DELETE) need the tag as ``If-Match``:
428 without it, 412 when it is not the current one. ``If-Match`` uses the strong comparison (RFC 9110 13.1.1):
a weak tag never matches.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from app.kit.errors import PreconditionFailed, PreconditionRequired


def etag_of(representation: str) -> str:
    """A strong ETag of a representation (e.g. a response model's JSON): it changes whenever the resource does."""
    return '"' + hashlib.sha256(representation.encode()).hexdigest()[:32] + '"'


def etag_of_model(representation: BaseModel) -> str:
    """The ETag of the body a reader gets (a response model)."""
    return etag_of(representation.model_dump_json())


def require_if_match(if_match: str | None, current: str, *, what: str) -> None:
    """The write may go ahead only if ``If-Match`` names ``current`` (or is ``*``); ``what`` names the resource."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(f"Send the {what}'s ETag as If-Match (GET it first).")
    offered = {tag.strip() for tag in if_match.split(",")}
    if "*" not in offered and current not in offered:
        raise PreconditionFailed(f"The {what} was changed since you read it; GET it again and retry.")
