"""Running the sessions: save-the-dates with ICS over SMTP, updates (SEQUENCE + 1), cancellation,
the agenda with subgroups, attendance and the report."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import delete, select

from app import demo_content
from app.kit import clock
from app.kit.i18n import TIMEZONE, fmt_datetime
from app.mail.service import decode_attachments, send_pending
from app.models import (
    AgendaItem,
    Attendance,
    AuditEvent,
    DialogueSession,
    OutboxMessage,
    Provider,
    SessionStatus,
    User,
)
from tests import factories
from tests.helpers import local, login, post_form


def at_local(days: int, hour: int) -> datetime:
    day = (clock.now() + timedelta(days=days)).astimezone(TIMEZONE).date()
    return datetime.combine(day, time(hour, 0), tzinfo=TIMEZONE)


@pytest.fixture(autouse=True)
def dialogue(db) -> None:
    """The demo's providers with their answers (11 accepted), SDFL, Almere and three meetings from 13:00 to 17:00
    Amsterdam time: the first held, the next two ahead; made by factories."""
    factories.accounts(db, "sdfl@example.org", "almere@example.org")
    for p in demo_content.PROVIDERS:
        factories.account(db, f"{p['slug']}@example.org", invitation=p["invitation"])
    factories.meeting(db, starts_at=at_local(-14, 13), hours=4, status=SessionStatus.held)
    factories.meeting(db, starts_at=at_local(14, 13), hours=4)
    factories.meeting(db, starts_at=at_local(28, 13), hours=4)
    db.commit()


ACCEPTED_CONTACTS = 11  # demo: 11 providers accepted, one contact each
INVITED = ACCEPTED_CONTACTS + 1  # and the municipality's officer (issue 19: calendar invitations to them too)


def new_session(client, **overrides) -> object:
    start = (clock.now() + timedelta(days=60)).astimezone(TIMEZONE).replace(hour=13, minute=0, second=0, microsecond=0)
    data = {
        "number": "4",
        "title": "Extra sessie tarieven",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=4)),
        "location": "Stadhuis Almere",
        "status": "planned",
    }
    return post_form(client, "/admin/sessions", {**data, **overrides}, page="/admin/sessions/new")


def calendars(db, *, to: str | None = None) -> list[Calendar]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    out = []
    for message in db.exec(stmt).all():
        if to and message.to_address != to:
            continue
        for attachment in decode_attachments(message):
            if attachment["content_type"].startswith("text/calendar"):
                out.append(Calendar.from_ical(attachment["content"]))
    return out


@pytest.fixture
def admin(client, db):
    db.exec(delete(OutboxMessage))
    db.commit()
    login(client, "sdfl@example.org")
    return client


def test_save_the_date_update_and_cancel_over_smtp(admin, db, smtp, smtp_settings):
    collector, _port = smtp
    response = new_session(admin)
    assert response.status_code == 303
    ds = db.exec(select(DialogueSession).where(DialogueSession.number == 4)).one()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "session.created")).first()

    # Every accepted provider's contact and every municipal officer gets a save-the-date with a valid ICS, received
    # over SMTP.
    report = send_pending(db, settings=smtp_settings, commit=False)
    assert report.sent == INVITED
    assert {m["To"] for m in collector.messages} == {
        u.email
        for u in db.exec(select(User).where(User.role == "provider")).all()
        if u.email.split("@")[0] not in ("its4sure", "omega-groep", "stichting-timon")
    } | {"almere@example.org"}
    mail = next(m for m in collector.messages if m["To"] == "rodante@example.org")
    assert "Save the date" in mail["Subject"]
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST" and str(event["UID"]) == ds.ics_uid and int(event["SEQUENCE"]) == 0
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert event.decoded("DTSTART").hour == 13 and str(event.decoded("DTSTART").tzinfo) == "Europe/Amsterdam"
    assert "mailto:rodante@example.org" in str(event["ATTENDEE"])

    # A new time goes out as an update: same UID, SEQUENCE + 1.
    moved = ds.starts_at + timedelta(hours=1)
    response = post_form(
        admin,
        f"/admin/sessions/{ds.id}",
        {
            "number": "4",
            "title": ds.title,
            "starts_at": local(moved),
            "ends_at": local(moved + timedelta(hours=4)),
            "location": ds.location,
            "status": "planned",
        },
        page=f"/admin/sessions/{ds.id}",
    )
    assert response.status_code == 303
    collector.messages.clear()
    assert send_pending(db, settings=smtp_settings, commit=False).sent == INVITED
    mail = next(m for m in collector.messages if m["To"] == "rodante@example.org")
    assert "Gewijzigd" in mail["Subject"]
    event = Calendar.from_ical(next(mail.iter_attachments()).get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["UID"]) == ds.ics_uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").hour == 14

    # A new title only changes nothing in calendars: no mail.
    post_form(
        admin,
        f"/admin/sessions/{ds.id}",
        {
            "number": "4",
            "title": "Extra sessie: tarieven en indexering",
            "starts_at": local(moved),
            "ends_at": local(moved + timedelta(hours=4)),
            "location": ds.location,
            "status": "planned",
        },
        page=f"/admin/sessions/{ds.id}",
    )
    assert send_pending(db, settings=smtp_settings, commit=False).total == 0

    # Cancelling sends a CANCEL with a higher SEQUENCE.
    post_form(
        admin,
        f"/admin/sessions/{ds.id}",
        {
            "number": "4",
            "title": "Extra sessie: tarieven en indexering",
            "starts_at": local(moved),
            "ends_at": local(moved + timedelta(hours=4)),
            "location": ds.location,
            "status": "cancelled",
        },
        page=f"/admin/sessions/{ds.id}",
    )
    collector.messages.clear()
    send_pending(db, settings=smtp_settings, commit=False)
    mail = next(m for m in collector.messages if m["To"] == "rodante@example.org")
    assert "Geannuleerd" in mail["Subject"]
    calendar = Calendar.from_ical(next(mail.iter_attachments()).get_payload(decode=True))
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 2


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": ""}, "title"),
        ({"number": "1"}, "number"),
        ({"ends_at": "2020-01-01T10:00"}, "ends_at"),
        ({"starts_at": "geen datum"}, "starts_at"),
    ],
)
def test_invalid_sessions_are_refused_with_the_error_at_the_field(admin, db, overrides, field):
    response = new_session(admin, **overrides)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text
    assert db.exec(select(DialogueSession).where(DialogueSession.number == 4)).first() is None
    assert db.exec(select(OutboxMessage)).all() == []


def test_agenda_items_reordering_and_subgroups(admin, db):
    ds = db.exec(select(DialogueSession).where(DialogueSession.number == 3)).one()
    page = f"/admin/sessions/{ds.id}"
    outside = post_form(admin, f"{page}/agenda", {"starts": "08:00", "ends": "09:00", "title": "Te vroeg"}, page=page)
    assert outside.status_code == 422 and "binnen de sessie" in outside.text
    assert (
        post_form(
            admin,
            f"{page}/agenda",
            {"starts": "16:00", "ends": "16:30", "title": "Werkgroepen", "format": "subgroups"},
            page=page,
        ).status_code
        == 303
    )
    items = db.exec(select(AgendaItem).where(AgendaItem.session_id == ds.id).order_by(AgendaItem.position)).all()
    assert items[-1].title == "Werkgroepen"
    # Move it up once: it swaps with its neighbour, without JavaScript.
    assert post_form(admin, f"{page}/agenda/{items[-1].id}/move", {"direction": "up"}, page=page).status_code == 303
    db.expire_all()
    titles = [
        i.title
        for i in db.exec(select(AgendaItem).where(AgendaItem.session_id == ds.id).order_by(AgendaItem.position)).all()
    ]
    assert titles[-2] == "Werkgroepen" and titles[-1] == items[-2].title
    # Divide two providers over subgroups; the provider sees its own.
    rodante = db.exec(select(Provider).where(Provider.slug == "rodante")).one()
    psymens = db.exec(select(Provider).where(Provider.slug == "psymens")).one()
    item = items[-1]
    response = post_form(
        admin,
        f"{page}/agenda/{item.id}/subgroups",
        {f"group_{rodante.id}": "Groep A", f"group_{psymens.id}": "Groep B"},
        page=f"{page}/agenda/{item.id}",
    )
    assert response.status_code == 303
    post_form(admin, "/logout", page=page)
    login(admin, "rodante@example.org")
    mine = admin.get(f"/sessions/{ds.id}").text
    assert "Uw subgroep: Groep A" in mine and "Groep B" not in mine
    post_form(admin, "/logout", page="/")
    assert "Uw subgroep" not in admin.get(f"/sessions/{ds.id}").text


def test_attendance_and_report_publication(admin, db):
    ds = db.exec(select(DialogueSession).where(DialogueSession.number == 2)).one()
    page = f"/admin/sessions/{ds.id}"
    rodante = db.exec(select(Provider).where(Provider.slug == "rodante")).one()
    assert (
        post_form(
            admin, f"{page}/attendance", {f"attended_{rodante.id}": "1", f"people_{rodante.id}": "3"}, page=page
        ).status_code
        == 303
    )
    row = db.exec(select(Attendance).where(Attendance.session_id == ds.id, Attendance.provider_id == rodante.id)).one()
    assert row.attended and row.people == 3
    bad_link = post_form(
        admin, f"{page}/recording", {"recorded": "1", "recording_url": "javascript:alert(1)"}, page=page
    )
    assert bad_link.status_code == 422 and 'id="error-recording_url"' in bad_link.text
    empty = post_form(admin, f"{page}/report", {"report": "  ", "publish": "1"}, page=page)
    assert empty.status_code == 422 and 'id="error-report"' in empty.text
    draft = post_form(admin, f"{page}/report", {"report": "# Verslag\n\nConcepttekst.", "publish": ""}, page=page)
    assert draft.status_code == 303
    assert "Concepttekst" not in admin.get(f"/sessions/{ds.id}").text  # a draft is not public
    clock.freeze(ds.ends_at + timedelta(hours=1))  # session 2 lies ahead in the demo: publish once it is held
    login(admin, "sdfl@example.org")  # a new day: the earlier sign-in has been idle too long
    ds.status = SessionStatus.held
    db.add(ds)
    db.commit()
    post_form(admin, f"{page}/report", {"report": "# Verslag\n\nDefinitieve tekst.", "publish": "1"}, page=page)
    recording = {"recorded": "1", "recording_url": "https://video.example.org/sessie-2", "audience": "public"}
    assert post_form(admin, f"{page}/recording", recording, page=page).status_code == 303
    post_form(admin, "/logout", page=page)
    public = admin.get(f"/sessions/{ds.id}").text
    assert "Definitieve tekst." in public and "https://video.example.org/sessie-2" in public
    pdf = admin.get(f"/sessions/{ds.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def at(client, moment) -> None:
    """Set the clock and sign the admin in again (a sign-in idle for 8 hours has ended)."""
    clock.freeze(moment)
    login(client, "sdfl@example.org")


def test_report_cannot_be_published_before_the_session_has_ended(admin, db):
    # The rule: a report is published once the session is over, from its end time (ends_at) on (and marked held:
    # tests/meetings/test_publication.py).
    ds = db.exec(select(DialogueSession).where(DialogueSession.number == 2)).one()
    ds.status = SessionStatus.held  # marked held too early: the end time still counts
    db.add(ds)
    db.commit()
    page = f"/admin/sessions/{ds.id}"
    text = "# Verslag\n\nWat we <b>bespraken</b>."
    message = (
        "Het verslag kan pas worden gepubliceerd als de sessie is afgelopen, vanaf "
        f"{fmt_datetime(ds.ends_at, 'EEEE d MMMM y, HH:mm')}. Sla het tot dan op zonder te publiceren."
    )
    for moment in (
        ds.starts_at - timedelta(days=3),
        ds.starts_at + timedelta(hours=1),
        ds.ends_at - timedelta(minutes=1),
    ):
        at(admin, moment)
        refused = post_form(admin, f"{page}/report", {"report": text, "publish": "1"}, page=page)
        assert refused.status_code == 422, moment
        # The message next to the report field, the text as typed still in it, nothing published.
        assert f'<p class="field-error" id="error-report">{message}</p>' in refused.text
        assert 'aria-describedby="error-report"' in refused.text
        assert "# Verslag\n\nWat we &lt;b&gt;bespraken&lt;/b&gt;.</textarea>" in refused.text
        db.refresh(ds)
        assert ds.report_published_at is None and ds.report == ""
        assert not db.exec(select(AuditEvent).where(AuditEvent.action == "session.report_published")).all()
    # Saving without publishing is allowed before the session.
    assert post_form(admin, f"{page}/report", {"report": text, "publish": ""}, page=page).status_code == 303
    db.refresh(ds)
    assert ds.report == text and ds.report_published_at is None
    # From the end of the session on, it is published.
    at(admin, ds.ends_at)
    assert post_form(admin, f"{page}/report", {"report": text, "publish": "1"}, page=page).status_code == 303
    db.refresh(ds)
    assert ds.report_published_at == ds.ends_at
    # A published report stays published and can be corrected, also if the session is later moved ahead.
    at(admin, ds.ends_at - timedelta(days=1))
    corrected = post_form(admin, f"{page}/report", {"report": text + " Correctie.", "publish": "1"}, page=page)
    assert corrected.status_code == 303
    db.refresh(ds)
    assert ds.report.endswith("Correctie.") and ds.report_published_at == ds.ends_at


@pytest.mark.parametrize(
    "email,expected",
    [(None, 303), ("rodante@example.org", 403), ("sdfl@example.org", None)],
)
def test_session_admin_per_role(client, db, email, expected):
    """(A municipality co-authors the agenda: tests/meetings/test_agenda_coauthoring.py.)"""
    ds = db.exec(select(DialogueSession).where(DialogueSession.number == 1)).one()
    if email:
        login(client, email)
    for path in ("/admin/sessions", "/admin/sessions/new", f"/admin/sessions/{ds.id}"):
        status = client.get(path, follow_redirects=False).status_code
        assert status == (expected or 200), (path, status)
    for path, data in [
        (f"/admin/sessions/{ds.id}/attendance", {}),
        (f"/admin/sessions/{ds.id}/report", {"report": "x", "publish": "1"}),
        (f"/admin/sessions/{ds.id}/agenda", {"title": "x", "starts": "13:00", "ends": "13:10"}),
    ]:
        status = post_form(client, path, data, page="/login" if email is None else "/account").status_code
        assert status == (expected or 303), (path, status)
