"""The record of a publication on TenderNed (a report, a nota van inlichtingen): the date, TenderNed's reference
and the link, checked together. Domains keep the three on their own rows and write their own audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from app.kit.dates import parse_date
from app.kit.errors import invalid
from app.kit.i18n import TIMEZONE

MAX_REFERENCE = 100
MAX_URL = 500


@dataclass(frozen=True)
class TenderNedRecord:
    published_on: date
    reference: str
    url: str


def _valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and not any(ch.isspace() for ch in url)


def check(published_on: str, reference: str, url: str, *, now: datetime) -> TenderNedRecord | None:
    """The record from the form's text; None when all three are empty (no record, or it is removed).

    The date is a ``date`` value or a Dutch "3-12-2026", not after today (Europe/Amsterdam); the reference is
    text of at most 100 characters; the link an https URL. Every wrong field is named at once (422).
    """
    published_on, reference, url = published_on.strip(), " ".join(reference.split()), url.strip()
    if not (published_on or reference or url):
        return None
    errors: dict[str, str] = {}
    day: date | None = None
    try:
        day = parse_date(published_on)
    except ValueError:
        try:
            day = datetime.strptime(published_on, "%d-%m-%Y").date()
        except ValueError:
            errors["tenderned_published_on"] = "Vul de datum van publicatie op TenderNed in, bijvoorbeeld 3-12-2026."
    if day is not None and day > now.astimezone(TIMEZONE).date():
        errors["tenderned_published_on"] = "De datum van publicatie kan niet in de toekomst liggen."
    if not reference:
        errors["tenderned_reference"] = "Vul het kenmerk van de publicatie op TenderNed in."
    elif len(reference) > MAX_REFERENCE:
        errors["tenderned_reference"] = f"Het kenmerk is te lang: hoogstens {MAX_REFERENCE} tekens."
    if not url or len(url) > MAX_URL or not _valid_url(url):
        errors["tenderned_url"] = "Vul de link naar de publicatie op TenderNed in; die begint met https://."
    if errors or day is None:
        raise invalid(errors)
    return TenderNedRecord(published_on=day, reference=reference, url=url)
