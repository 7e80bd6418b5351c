"""Entity tags for the API: one strong ETag of a resource's representation, the same everywhere."""

from __future__ import annotations

import hashlib


def etag_of(representation: str) -> str:
    """A strong ETag of a representation (e.g. a response model's JSON): it changes whenever the resource does."""
    return '"' + hashlib.sha256(representation.encode()).hexdigest()[:32] + '"'
