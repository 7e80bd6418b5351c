"""Each kind of notification, through the outbox and the worker's pass to a real SMTP server (aiosmtpd), on the
controllable clock: a real mail with a plain-text part and a link to the place, in the reader's language."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.accounts.notification_settings import Kind
from app.kit import clock
from app.meetings import manage as meetings
from app.meetings import recordings
from app.meetings.recordings import RecordingInput
from app.models import (
    AgendaFormat,
    Nota,
    Notification,
    NotificationStatus,
    Question,
    ReleaseStatus,
    SessionStatus,
)
from app.notifications.service import Line, Message, notify
from app.policy import Principal
from app.questions import notas
from tests import factories
from tests.notifications.conftest import World, html, later, plain, received, worker_pass


def test_answers_and_decisions_released_on_my_comments_one_mail_listing_them(db, world: World, smtp, smtp_settings):
    first = world.comment(db, world.provider, "reikwijdte")
    second = world.comment(db, world.provider, "tarieven", "De tarieven zijn te laag.")
    theirs = world.comment(db, world.other, "tarieven", "Graag meer overleg.")
    factories.reply(db, first, world.admin, "Dat klopt; we passen het aan.", official=True)
    second.status = "overgenomen"
    db.add(second)
    db.commit()

    world.release(db)
    db.commit()
    worker_pass(db, smtp_settings)

    [mail] = received(smtp, world.provider.email)
    assert mail["Subject"] == f"Antwoorden en besluiten op uw reacties: {world.dialogue.title}"
    text = plain(mail)
    assert f"/comments/{first.id}" in text and f"/comments/{second.id}" in text
    assert "Antwoord van SDFL (Productstructuur, Reikwijdte)" in text
    assert "Beoordeling: Overgenomen (Productstructuur, Tarieven)" in text
    assert f'href="http://127.0.0.1:8000/comments/{first.id}"' in html(mail)
    assert "/account#berichten" in text  # where to change it
    # Nothing for a comment without an answer; nothing for the colleague who wrote nothing.
    assert received(smtp, world.other.email) == [] and received(smtp, world.colleague.email) == []
    assert f"/comments/{theirs.id}" not in text


def test_answers_released_at_a_later_moment_are_told_at_that_moment(db, world: World, smtp, smtp_settings):
    mine = world.comment(db, world.provider)
    factories.reply(db, mine, world.admin, "Dank u.", official=True)
    db.commit()
    world.release(db, at=clock.now() + timedelta(hours=2))
    db.commit()

    worker_pass(db, smtp_settings)
    assert received(smtp, world.provider.email) == []  # not before the answers can be read
    later(2)
    worker_pass(db, smtp_settings)
    assert len(received(smtp, world.provider.email)) == 1
    worker_pass(db, smtp_settings)
    assert len(received(smtp, world.provider.email)) == 1


def test_a_published_report_tells_the_members_and_a_recording_again(db, world: World, smtp, smtp_settings):
    meeting = factories.meeting(db, dialogue_=world.dialogue, starts_at=clock.now() - timedelta(days=1))
    meeting.status = SessionStatus.held  # a report is published only once its session is marked held
    db.commit()
    meetings.save_report(db, meeting, report="# Verslag\n\nGoed gesprek.", publish=True, actor=world.admin)
    db.commit()
    meetings.save_report(db, meeting, report="# Verslag\n\nGoed gesprek.", publish=True, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)

    for member in (world.provider, world.colleague, world.other):
        [mail] = received(smtp, member.email)
        assert mail["Subject"] == f"Verslag gepubliceerd: Verslag sessie {meeting.number}: {meeting.title}"
        assert f"http://127.0.0.1:8000/sessions/{meeting.id}" in plain(mail)

    # A recording for the participants, released now (with the published report): told once more, once.
    recording = RecordingInput(url="https://video.example.org/1", audience="participants")
    recordings.save_recording(db, meeting, recording, None, actor=world.admin)
    db.commit()
    recordings.save_recording(db, meeting, recording, None, actor=world.admin)  # unchanged: nothing new
    db.commit()
    worker_pass(db, smtp_settings)
    assert [m["Subject"].split(":")[0] for m in received(smtp, world.provider.email)] == [
        "Verslag gepubliceerd",
        "Opname gepubliceerd",
    ]


def _nota_with_a_question(db, world: World) -> tuple[Nota, Question]:
    nota = Nota(dialogue_id=world.dialogue.id, number=1, title="Eerste nota", status=ReleaseStatus.draft)
    db.add(nota)
    db.flush()
    question = Question(
        dialogue_id=world.dialogue.id,
        asker_id=world.provider.id,
        provider_id=world.provider.provider_id,
        original_text="Wat is de wachttijd?",
        text="Hoe lang is de wachttijd nu?",
        answer="Gemiddeld zes weken.",
        status="answered",
        nota_id=nota.id,
        number=1,
    )
    db.add(question)
    db.commit()
    return nota, question


def test_a_released_nota_tells_the_asker_answered_and_the_other_members_published(
    db, world: World, smtp, smtp_settings
):
    nota, _question = _nota_with_a_question(db, world)
    notas.release_now(db, Principal(user=world.admin), nota, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)

    [asker] = received(smtp, world.provider.email)
    assert asker["Subject"] == "Uw vraag is beantwoord in nota van inlichtingen 1"
    assert f"/dialogues/{world.dialogue.slug}/nota/1" in plain(asker)
    for member in (world.colleague, world.other):
        [mail] = received(smtp, member.email)
        assert mail["Subject"] == "Nota van inlichtingen gepubliceerd: 1. Eerste nota"
        assert f"http://127.0.0.1:8000/dialogues/{world.dialogue.slug}/nota/1" in plain(mail)


def test_subgroups_set_and_changed_for_my_organisation_with_the_calendar_where_times_change(
    db, world: World, smtp, smtp_settings
):
    meeting = factories.meeting(
        db,
        dialogue_=world.dialogue,
        agenda=[{"title": "Werkvormen", "format": AgendaFormat.subgroups}],
    )
    [item] = factories.agenda(db, meeting)
    db.commit()
    provider_id, other_id = world.provider.provider_id, world.other.provider_id
    meetings.set_subgroups(db, item, {provider_id: "Groep A", other_id: "Groep B"}, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)
    [mail] = received(smtp, world.provider.email)
    assert mail["Subject"] == f"Indeling in subgroepen voor sessie {meeting.number}: {meeting.title}"
    assert "Werkvormen: subgroep Groep A" in plain(mail) and f"/sessions/{meeting.id}" in plain(mail)
    assert len(received(smtp, world.colleague.email)) == 1 and len(received(smtp, world.other.email)) == 1

    # The same division again: nothing new. Only the changed organisation hears of a change.
    meetings.set_subgroups(db, item, {provider_id: "Groep A", other_id: "Groep C"}, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)
    assert len(received(smtp, world.provider.email)) == 1
    assert "subgroep Groep C" in plain(received(smtp, world.other.email)[-1])

    # New times for the item: everyone in it is told, with the session's calendar file.
    data = meetings.AgendaInput(
        starts_at=item.starts_at + timedelta(minutes=30),
        ends_at=item.ends_at,
        title=item.title,
        description="",
        format=AgendaFormat.subgroups,
    )
    meetings.update_item(db, meeting, item, data, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)
    changed = received(smtp, world.provider.email)[-1]
    assert len(received(smtp, world.provider.email)) == 2
    [calendar] = [part for part in changed.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert meeting.ics_uid in calendar.get_content()


def test_municipal_users_get_the_calendar_invitations_updates_and_cancellations(db, world: World, smtp, smtp_settings):
    data = meetings.MeetingInput(
        number=5,
        title="Sessie over tarieven",
        starts_at=clock.now() + timedelta(days=10),
        ends_at=clock.now() + timedelta(days=10, hours=3),
        location="Lelystad",
    )
    meeting = meetings.create_meeting(db, world.dialogue, data, actor=world.admin)
    db.commit()
    data.location = "Almere"
    meetings.update_meeting(db, meeting, world.dialogue, data, actor=world.admin)
    data.status = "cancelled"
    meetings.update_meeting(db, meeting, world.dialogue, data, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)
    mails = received(smtp, world.officer.email)
    methods = []
    for mail in mails:
        [calendar] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        methods.append(calendar.get_param("method"))
        assert meeting.ics_uid in calendar.get_content()
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]


def test_a_comment_window_closing_reminds_who_has_not_answered_the_question_once(db, world: World, smtp, smtp_settings):
    world.proposal.closes_at = clock.now() + timedelta(days=5)
    db.add(world.proposal)
    world.comment(db, world.other, "wachttijd", "Zes weken.")  # answered the question
    world.comment(db, world.colleague, "reikwijdte")  # commented, but not on the question
    db.commit()

    worker_pass(db, smtp_settings)
    assert received(smtp, world.provider.email) == []  # five days ahead: not yet
    later(2 * 24 + 1)  # less than three days before it closes
    worker_pass(db, smtp_settings)
    worker_pass(db, smtp_settings)
    for member in (world.provider, world.colleague):
        [mail] = received(smtp, member.email)
        assert mail["Subject"].strip().startswith("Reactietermijn sluit op ") and "Productstructuur" in mail["Subject"]
        assert f"/proposals/{world.proposal.id}/sections/wachttijd" in plain(mail)
        assert "Vraag: wachttijden" in plain(mail)
    assert received(smtp, world.other.email) == []
    rows = db.exec(select(Notification).where(Notification.kind == Kind.window_closing)).all()
    assert {r.user_id for r in rows} == {world.provider.id, world.colleague.id}


def test_mail_for_an_english_user_is_english(db, world: World, smtp, smtp_settings):
    world.provider.locale = "en"
    db.add(world.provider)
    mine = world.comment(db, world.provider)
    factories.reply(db, mine, world.admin, "Thank you.", official=True)
    db.commit()
    world.release(db)
    nota, _question = _nota_with_a_question(db, world)
    notas.release_now(db, Principal(user=world.admin), nota, actor=world.admin)
    db.commit()
    worker_pass(db, smtp_settings)

    subjects = sorted(m["Subject"] for m in received(smtp, world.provider.email))
    assert subjects == [
        f"Answers and decisions on your comments: {world.dialogue.title}",
        "Your question has been answered in nota van inlichtingen 1",
    ]
    for mail in received(smtp, world.provider.email):
        assert "Dear " in plain(mail) and "Kind regards" in plain(mail) and 'lang="en"' in html(mail)
    assert "Answer from SDFL (Productstructuur, Reikwijdte)" in plain(received(smtp, world.provider.email)[0]) or (
        "Answer from SDFL (Productstructuur, Reikwijdte)" in plain(received(smtp, world.provider.email)[1])
    )
    # Dutch for the Dutch colleague.
    [colleague] = received(smtp, world.colleague.email)
    assert colleague["Subject"].startswith("Nota van inlichtingen gepubliceerd")


def test_a_notification_is_made_once_per_user_kind_and_subject(db, world: World):
    nota, _question = _nota_with_a_question(db, world)
    notas.release_now(db, Principal(user=world.admin), nota, actor=world.admin)
    db.commit()
    rows = db.exec(select(Notification).where(Notification.user_id == world.provider.id)).all()
    assert [(r.kind, r.key, r.status) for r in rows] == [
        (Kind.question_answered, f"nota:{nota.id}", NotificationStatus.sent)
    ]


def test_the_same_subject_twice_makes_one_notification_and_one_mail(db, world: World, smtp, smtp_settings):
    message = Message(
        title="Verslag gepubliceerd: sessie 1", intro="Gepubliceerd:", path="/sessions/1", lines=[Line("x")]
    )
    assert notify(db, world.provider, Kind.published, "report:1", message) is True
    assert notify(db, world.provider, Kind.published, "report:1", message) is False
    assert notify(db, world.colleague, Kind.published, "report:1", message) is True  # another user: their own
    db.commit()
    worker_pass(db, smtp_settings)
    worker_pass(db, smtp_settings)
    assert len(received(smtp, world.provider.email)) == 1 and len(received(smtp, world.colleague.email)) == 1
    world.other.active = False
    db.add(world.other)
    assert notify(db, world.other, Kind.published, "report:1", message) is False  # no mail to a deactivated user
