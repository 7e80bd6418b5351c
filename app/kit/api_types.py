"""Input types shared by the API's request bodies and parameters: values the database can store.

Found by fuzzing the API (tests/fuzz/api_fuzz.py): without these, such input reached the database and the
answer was a 500 instead of a 422. NUL characters are refused for every request, web and API, by
app.web.security.CSRFMiddleware before any route runs; ``NoNulStr`` stays on the API's text fields as a second
line (and for values that reach a schema another way).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator

NUL_MESSAGE = "Text must not contain NUL characters (U+0000)"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return value


def _in_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("Moment out of range: it has no date in UTC") from None


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
MOMENT_MESSAGE = "Expected an ISO 8601 moment with offset, such as 2026-03-02T09:30:00Z"


def _iso_only(value: object) -> object:
    """Only an ISO 8601 string (or a datetime made in Python): pydantic would read ``0.5`` or ``12345`` as Unix
    time, and an integration that sends those has a bug it should hear about (422)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_MOMENT.match(value.strip()):
        return value
    raise ValueError(MOMENT_MESSAGE)


# Text without NUL characters: PostgreSQL's text columns cannot hold U+0000 (SQLite can).
NoNulStr = Annotated[str, AfterValidator(_no_nul)]

# A moment (ISO 8601 with offset), normalised to UTC as it is compared with stored timestamps. One that has no
# date in UTC, such as 0001-01-01T00:00+01:00, is refused, and so are numbers (Unix time): only ISO 8601.
UtcMoment = Annotated[AwareDatetime, BeforeValidator(_iso_only), AfterValidator(_in_utc)]
