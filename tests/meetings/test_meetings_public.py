"""Public session pages, calendars (RFC 5545), the report as PDF and the sessions API."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.kit import clock
from app.kit.i18n import TIMEZONE
from app.models import DialogueSession, SessionStatus
from tests import factories


def at_local(days: int, hour: int) -> datetime:
    day = (clock.now() + timedelta(days=days)).astimezone(TIMEZONE).date()
    return datetime.combine(day, time(hour, 0), tzinfo=TIMEZONE)


@pytest.fixture(autouse=True)
def meetings(db) -> None:
    """Three meetings, made by factories: the first held (report published, recording), the next two to come (at
    13:00 Amsterdam time); a public proposal and one for participants only."""
    factories.dialogue(db, tender_reference="SDFL-2026-MULTI-01")
    held_at = at_local(-14, 13)
    factories.meeting(
        db,
        title="Kennismaking en productstructuur",
        starts_at=held_at,
        status=SessionStatus.held,
        agenda=("Welkom", "Productstructuur", "Subgroepen", "Terugkoppeling", "Afsluiting"),
        report="## Verslag\n\nWe bespraken de productstructuur.",
        report_published_at=held_at + timedelta(days=3),
        recording_url="https://video.example.org/sessie-1",
    )
    factories.meeting(db, title="Contractvoorwaarden en tarieven", starts_at=at_local(14, 13))
    factories.meeting(db, title="Eisen aan de hulp", starts_at=at_local(28, 13))
    factories.proposal(db, title="Productstructuur multidisciplinaire jeugdhulp", public=True)
    factories.proposal(db, title="Concept contractvoorwaarden", public=False)
    db.commit()


def sessions_by_number(db) -> dict[int, DialogueSession]:
    return {s.number: s for s in db.exec(select(DialogueSession)).all()}


def test_session_page_is_public_with_agenda_report_and_recording(client, db):
    held = sessions_by_number(db)[1]
    page = client.get(f"/sessions/{held.id}")
    assert page.status_code == 200
    assert held.title in page.text and "Programma" in page.text
    assert "Download als PDF" in page.text and held.recording_url in page.text
    assert "SDFL-2026-MULTI-01" in page.text


def test_unpublished_report_is_not_shown_until_its_moment(client, db):
    coming = sessions_by_number(db)[2]
    coming.report = "## Verslag\n\nGeheim tot publicatie."
    coming.report_published_at = clock.now() + timedelta(days=2)
    db.add(coming)
    db.commit()
    assert "Geheim tot publicatie" not in client.get(f"/sessions/{coming.id}").text
    assert client.get(f"/sessions/{coming.id}/report.pdf").status_code == 404
    assert client.get(f"/api/v1/sessions/{coming.id}").json()["report"] is None
    clock.advance(timedelta(days=2, seconds=1))
    assert "Geheim tot publicatie" in client.get(f"/sessions/{coming.id}").text
    assert client.get(f"/sessions/{coming.id}/report.pdf").content.startswith(b"%PDF")


def test_report_pdf_starts_with_pdf_and_carries_the_reference(client, db):
    held = sessions_by_number(db)[1]
    response = client.get(f"/sessions/{held.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 1000


def test_save_the_date_is_valid_icalendar_in_amsterdam_time(client, db):
    coming = sessions_by_number(db)[2]
    response = client.get(f"/sessions/{coming.id}/save-the-date.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == coming.ics_uid
    assert int(event["SEQUENCE"]) == coming.ics_sequence
    start = event.decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Amsterdam" and (start.hour, start.minute) == (13, 0)
    assert start == coming.starts_at
    again = Calendar.from_ical(client.get(f"/sessions/{coming.id}/save-the-date.ics").content)
    assert str(again.walk("VEVENT")[0]["UID"]) == coming.ics_uid  # stable


def test_calendar_feed_has_every_session(client, db):
    calendar = Calendar.from_ical(client.get("/sessions.ics").content)
    assert sorted(str(e["UID"]) for e in calendar.walk("VEVENT")) == sorted(
        s.ics_uid for s in sessions_by_number(db).values()
    )
    assert "/sessions.ics" in client.get("/").text


def test_sessions_api(client, db):
    body = client.get("/api/v1/sessions").json()
    assert set(body) == {"items", "total", "page", "page_size", "pages", "next_cursor", "cursor"} and body["total"] == 3
    assert [s["number"] for s in body["items"]] == [1, 2, 3]
    held, coming = body["items"][0], body["items"][1]
    assert held["report"] and held["recording_url"]
    assert coming["report"] is None and coming["calendar_url"].endswith("/save-the-date.ics")
    agenda = client.get(f"/api/v1/sessions/{held['id']}/agenda-items").json()
    assert agenda["total"] >= 4
    assert [i["position"] for i in agenda["items"]] == sorted(i["position"] for i in agenda["items"])
    assert client.get("/api/v1/sessions/99999/agenda-items").status_code == 404


def test_unknown_session_is_404(client):
    assert client.get("/sessions/99999").status_code == 404
    assert client.get("/sessions/99999/save-the-date.ics").status_code == 404
    problem = client.get("/api/v1/sessions/99999")
    assert problem.status_code == 404 and problem.headers["content-type"].startswith("application/problem+json")


def test_atom_feed_lists_publications(client, db):
    import xml.etree.ElementTree as ET

    response = client.get("/feed.atom")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(response.content)
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    held = sessions_by_number(db)[1]
    assert f"Verslag dialoogsessie 1: {held.title}" in titles
    assert sum(t.startswith("Dialoogsessie ") for t in titles) == 3
    updated = [e.findtext("a:updated", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert updated == sorted(updated, reverse=True)
    assert not any(t.startswith("Verslag dialoogsessie 2") for t in titles)
    # Public proposals are publications too; proposals for participants only are not.
    assert "Voorstel: Productstructuur multidisciplinaire jeugdhulp (versie 1)" in titles
    assert not any("contractvoorwaarden" in t for t in titles)
