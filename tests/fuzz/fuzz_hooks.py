"""Schemathesis hooks of tests/fuzz/api_fuzz.py (loaded through SCHEMATHESIS_HOOKS): point schema-valid comment
posts at sections that are open for comments, so that the fuzzer reaches the success path of POST /comments (and,
through the links, GET/PATCH/DELETE of the comment it made) instead of only ever hearing 404 or 409.

Only positive cases are changed: a negative case keeps its invalid value, so negative_data_rejection still checks it.
The open sections' ids come from the fuzz script in ``DIALOOG_FUZZ_SECTIONS`` (comma-separated).
"""

from __future__ import annotations

import os
import zlib

import schemathesis

SECTIONS = [int(s) for s in os.environ.get("DIALOOG_FUZZ_SECTIONS", "").split(",") if s.strip()]
KINDS = ("steun", "zorg", "vraag", "suggestie")


@schemathesis.hook
def map_case(context, case):  # type: ignore[no-untyped-def]
    operation = case.operation
    if not SECTIONS or operation.method.upper() != "POST" or operation.path != "/comments":
        return case
    meta = case.meta
    if meta is None or getattr(meta.generation.mode, "value", "") != "positive" or not isinstance(case.body, dict):
        return case
    pick = zlib.crc32(repr(sorted(case.body.items(), key=str)).encode())
    body = dict(case.body)
    body["section_id"] = SECTIONS[pick % len(SECTIONS)]
    body.pop("parent_id", None)  # a top-level comment: a reply needs a parent in that section
    body.pop("quote", None)  # a quote must be text of the section
    body["kind"] = KINDS[pick % len(KINDS)]
    if not str(body.get("body", "")).strip():
        body["body"] = "Een reactie van de fuzzer."
    case.body = body
    return case
