"""Issue 4 end to end, over HTTP with a real SMTP server and a controllable clock (no sleeps):
invite, accept, save-the-date with a valid ICS, a time change with SEQUENCE + 1, a document that is 404
until its release and then visible, a report published for everyone and downloadable as PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fpdf import FPDF
from icalendar import Calendar
from sqlmodel import delete, select

from app.cli import SCHEDULED_TASKS
from app.jobs import run_scheduled
from app.kit import clock
from app.mail.service import send_pending
from app.models import DialogueSession, Document, Invitation, InvitationStatus, OutboxMessage, Provider, SessionStatus
from tests import factories
from tests.helpers import csrf_from, local, login, post_form


@pytest.fixture(autouse=True)
def dialogue(db) -> None:
    """SDFL, Rodante (taking part), Its4sure (not answered yet) and two meetings: one held, one two weeks ahead,
    made by factories under the demo's names."""
    factories.accounts(db, "sdfl@example.org", "rodante@example.org")
    factories.account(db, "its4sure@example.org", invitation=InvitationStatus.pending)
    factories.meeting(db, starts_at=clock.now() - timedelta(days=14), status=SessionStatus.held)
    start = (clock.now() + timedelta(days=14)).replace(minute=0, second=0, microsecond=0)
    factories.meeting(db, title="Contractvoorwaarden en tarieven", starts_at=start, hours=4)
    db.commit()


def ics_events(mail) -> list:
    parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    return [e for p in parts for e in Calendar.from_ical(p.get_payload(decode=True)).walk("VEVENT")]


def small_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Vragen voor sessie 2")
    return bytes(pdf.output())


def test_the_dialogue_from_invitation_to_published_report(client, db, smtp, smtp_settings):
    collector, _port = smtp
    clock.freeze(clock.now())
    db.exec(delete(OutboxMessage))
    db.commit()
    its4sure = db.exec(select(Provider).where(Provider.slug == "its4sure")).one()
    coming = db.exec(select(DialogueSession).where(DialogueSession.number == 2)).one()

    # 1. SDFL invites (again: idempotent) and reminds Its4sure, which has not answered yet.
    login(client, "sdfl@example.org")
    assert (
        post_form(
            client, "/admin/invitations", {"provider_id": str(its4sure.id)}, page="/admin/invitations"
        ).status_code
        == 303
    )
    assert post_form(client, "/admin/invitations/reminders", page="/admin/invitations").status_code == 303
    post_form(client, "/logout", page="/account")
    send_pending(db, settings=smtp_settings, commit=False)
    assert any(m["To"] == "its4sure@example.org" for m in collector.messages)
    collector.messages.clear()

    # 2. Its4sure accepts for its own organisation...
    login(client, "its4sure@example.org")
    assert (
        post_form(
            client, "/invitation", {"answer": "accept", "note": "Wij komen met twee mensen."}, page="/invitation"
        ).status_code
        == 303
    )
    invitation = db.exec(select(Invitation).where(Invitation.provider_id == its4sure.id)).one()
    assert invitation.status == "accepted"

    # ...and receives the save-the-dates of the sessions to come, as valid ICS, over SMTP.
    send_pending(db, settings=smtp_settings, commit=False)
    mails = [m for m in collector.messages if m["To"] == "its4sure@example.org"]
    events = {str(e["UID"]): e for m in mails for e in ics_events(m)}
    assert coming.ics_uid in events
    assert int(events[coming.ics_uid]["SEQUENCE"]) == coming.ics_sequence == 0
    assert events[coming.ics_uid].decoded("DTSTART") == coming.starts_at
    post_form(client, "/logout", page="/account")
    collector.messages.clear()

    # 3. SDFL moves session 2 by an hour: everyone who accepted gets an update with SEQUENCE + 1.
    login(client, "sdfl@example.org")
    later = coming.starts_at + timedelta(hours=1)
    assert (
        post_form(
            client,
            f"/admin/sessions/{coming.id}",
            {
                "number": "2",
                "title": coming.title,
                "starts_at": local(later),
                "ends_at": local(later + timedelta(hours=4)),
                "location": coming.location,
                "status": "planned",
            },
            page=f"/admin/sessions/{coming.id}",
        ).status_code
        == 303
    )
    send_pending(db, settings=smtp_settings, commit=False)
    update = next(m for m in collector.messages if m["To"] == "its4sure@example.org")
    (event,) = ics_events(update)
    assert str(event["UID"]) == coming.ics_uid and int(event["SEQUENCE"]) == 1
    collector.messages.clear()

    # 4. A document for participants, released in two days.
    release = clock.now() + timedelta(days=2)
    form = client.get("/admin/documents").text
    response = client.post(
        "/admin/documents",
        data={
            "title": "Vragen voor sessie 2",
            "audience": "participants",
            "release_at": local(release),
            "session_id": str(coming.id),
            "csrf_token": csrf_from(form),
        },
        files={"file": ("vragen.pdf", small_pdf(), "application/pdf")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    document = db.exec(select(Document).where(Document.title == "Vragen voor sessie 2")).one()
    post_form(client, "/logout", page="/account")

    login(client, "its4sure@example.org")
    assert client.get(f"/documents/{document.id}/download").status_code == 404
    assert "Vragen voor sessie 2" not in client.get("/documents").text
    run_scheduled(db, SCHEDULED_TASKS)
    assert send_pending(db, settings=smtp_settings, commit=False).total == 0  # nothing announced yet

    clock.advance(timedelta(days=2, seconds=1))  # the release moment passes
    login(client, "its4sure@example.org")  # two days later: a new sign-in
    download = client.get(f"/documents/{document.id}/download")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert "Vragen voor sessie 2" in client.get("/documents").text
    run_scheduled(db, SCHEDULED_TASKS)
    send_pending(db, settings=smtp_settings, commit=False)
    assert any(m["To"] == "its4sure@example.org" and "Vragen voor sessie 2" in m["Subject"] for m in collector.messages)
    post_form(client, "/logout", page="/account")

    # 5. After the session: the report is published and visible without signing in, also as PDF.
    clock.advance(coming.ends_at - clock.now() + timedelta(minutes=5))  # a report only once the session was held
    coming.status = SessionStatus.held  # SDFL marks it held (the session form; tests/meetings test that form)
    db.add(coming)
    db.commit()
    login(client, "sdfl@example.org")
    assert (
        post_form(
            client,
            f"/admin/sessions/{coming.id}/report",
            {"report": "# Verslag sessie 2\n\nDe aanbieders bespraken de tarieven.", "publish": "1"},
            page=f"/admin/sessions/{coming.id}",
        ).status_code
        == 303
    )
    post_form(client, "/logout", page="/account")
    client.cookies.clear()
    assert "De aanbieders bespraken de tarieven." in client.get(f"/sessions/{coming.id}").text
    pdf = client.get(f"/sessions/{coming.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"/documents/{document.id}/download").status_code == 404  # participants only
