"""Reading and writing local (Europe/Amsterdam) dates and times: the one parser every form uses.

Browsers send ``datetime-local`` values ("2026-12-01T13:00") and ``date`` values ("2026-12-01"); where a browser
has no date picker people type the Dutch "1-12-2026 13:00". Everything is read in Europe/Amsterdam and stored as
an aware datetime. Years outside 2000-2100 are refused: they keep the UTC conversion and both databases out of
trouble.
"""

from __future__ import annotations

from datetime import date, datetime, time

from app.kit.i18n import TIMEZONE

DUTCH_FORMATS = ("%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M", "%d-%m-%Y")  # typed where a browser has no date picker
FIRST_YEAR, LAST_YEAR = 2000, 2100


class YearOutOfRange(ValueError):
    """A well-formed date whose year is outside 2000-2100."""


def _in_range(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise YearOutOfRange("year out of range")


def parse_local_datetime(text: str) -> datetime:
    """A ``datetime-local`` value ("2026-12-01T13:00") or a Dutch "1-12-2026 13:00", read in Europe/Amsterdam.

    ValueError if it is neither, or its year is outside 2000-2100.
    """
    text = " ".join(text.split())
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for fmt in DUTCH_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise
    _in_range(value.year)
    return value.astimezone(TIMEZONE) if value.tzinfo else value.replace(tzinfo=TIMEZONE)


def parse_local(value: str) -> datetime | None:
    """A datetime field as above; None when empty or invalid."""
    try:
        return parse_local_datetime(value) if value.strip() else None
    except ValueError:
        return None


def parse_date(text: str) -> date:
    """A ``date`` value ("2026-12-01"); ValueError if it is not one, or its year is outside 2000-2100."""
    value = date.fromisoformat(text.strip())
    _in_range(value.year)
    return value


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in Europe/Amsterdam."""
    return datetime.combine(day, time(0), tzinfo=TIMEZONE)


def local_input(value: datetime | None) -> str:
    """The value for a ``datetime-local`` field, in Europe/Amsterdam."""
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M") if value else ""
