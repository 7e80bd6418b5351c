"""Each user's choice per kind (at once, daily digest, off; required kinds never off) on /account, and the daily
digest: one mail the next morning at 07:00 Amsterdam time listing everything, with links that work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts import notification_settings as settings
from app.accounts.notification_settings import Kind, Mode
from app.kit import clock
from app.kit.errors import ValidationFailed
from app.meetings.manage import save_report
from app.models import (
    AuditEvent,
    Notification,
    NotificationDigest,
    NotificationPreference,
    NotificationStatus,
    SessionStatus,
)
from app.notifications import events
from tests import factories
from tests.helpers import csrf_from
from tests.notifications.conftest import NEXT_MORNING, World, html, later, plain, received, worker_pass


def answered(db, world: World, author, key: str = "reikwijdte"):
    mine = world.comment(db, author, key)
    factories.reply(db, mine, world.admin, "Dank voor uw reactie.", official=True)
    db.commit()
    world.release(db)
    db.commit()
    return mine


def test_off_sends_nothing(db, world: World, smtp, smtp_settings):
    settings.save(db, world.provider, {Kind.replies_released: Mode.off})
    db.commit()
    answered(db, world, world.provider)
    worker_pass(db, smtp_settings)
    assert received(smtp, world.provider.email) == []
    [row] = db.exec(select(Notification).where(Notification.user_id == world.provider.id)).all()
    assert row.status == NotificationStatus.skipped
    clock.freeze(NEXT_MORNING + timedelta(hours=1))
    worker_pass(db, smtp_settings)
    assert received(smtp, world.provider.email) == []


def test_the_digest_comes_the_next_morning_once_listing_everything(db, world: World, smtp, smtp_settings, browser):
    settings.save(db, world.provider, {Kind.replies_released: Mode.digest, Kind.published: Mode.digest})
    db.commit()
    mine = answered(db, world, world.provider)
    meeting = factories.meeting(db, dialogue_=world.dialogue, starts_at=clock.now() - timedelta(days=1))
    meeting.status = SessionStatus.held
    db.commit()
    save_report(db, meeting, report="Verslag.", publish=True, actor=world.admin)
    db.commit()

    worker_pass(db, smtp_settings)
    assert received(smtp, world.provider.email) == []  # not at once
    assert len(received(smtp, world.colleague.email)) == 1  # the colleague kept "at once"

    clock.freeze(NEXT_MORNING - timedelta(minutes=1))  # 06:59 in Amsterdam
    worker_pass(db, smtp_settings)
    assert received(smtp, world.provider.email) == []
    clock.freeze(NEXT_MORNING + timedelta(minutes=3))
    worker_pass(db, smtp_settings)
    worker_pass(db, smtp_settings)
    [digest] = received(smtp, world.provider.email)
    assert digest["Subject"] == "Uw dagelijkse overzicht van Dialoog, dinsdag 8 december 2026"
    text = plain(digest)
    assert f"Antwoorden en besluiten op uw reacties: {world.dialogue.title}" in text
    assert f"Verslag gepubliceerd: Verslag sessie {meeting.number}" in text
    assert text.index("Antwoorden en besluiten") < text.index("Verslag gepubliceerd")  # in order of arrival
    assert f"http://127.0.0.1:8000/comments/{mine.id}" in text and f"/sessions/{meeting.id}" in html(digest)
    assert db.exec(select(NotificationDigest).where(NotificationDigest.user_id == world.provider.id)).one()

    # The links work for the reader.
    reader = browser(world.provider)
    for path in (f"/comments/{mine.id}", f"/sessions/{meeting.id}", "/account#berichten"):
        assert reader.get(path).status_code == 200, path

    # Something new after 07:00 waits for tomorrow's digest.
    later(2)
    answered(db, world, world.provider, "tarieven")
    worker_pass(db, smtp_settings)
    assert len(received(smtp, world.provider.email)) == 1
    clock.freeze(NEXT_MORNING + timedelta(days=1, minutes=1))
    worker_pass(db, smtp_settings)
    assert len(received(smtp, world.provider.email)) == 2
    assert "Tarieven" in plain(received(smtp, world.provider.email)[1])


def test_required_kinds_cannot_be_switched_off(db, world: World, smtp, smtp_settings):
    with pytest.raises(ValidationFailed):
        settings.save(db, world.provider, {Kind.package_released: Mode.off})
    assert settings.preferences(db, world.provider.id)[Kind.package_released] == Mode.now
    # A stored "off" (an old row, a direct write) does not stop a required mail either.
    db.add(NotificationPreference(user_id=world.provider.id, kind=Kind.package_released, mode=Mode.off))
    db.commit()
    events.package_released(
        db, world.provider, world.dialogue, package_id=1, package_title="Stukken sessie 1", lines=[], context={
            "package_title": "Stukken sessie 1", "dialogue_title": world.dialogue.title, "session": "",
            "session_date": "", "items": [],
        },
    )  # fmt: skip
    db.commit()
    worker_pass(db, smtp_settings)
    [mail] = received(smtp, world.provider.email)
    assert mail["Subject"].startswith("Vrijgegeven: Stukken sessie 1")


def test_the_account_page_saves_the_choices_with_an_audit_event(db, world: World, browser):
    reader = browser(world.provider)
    page = reader.get("/account")
    assert page.status_code == 200
    assert 'id="berichten"' in page.text and 'name="notify_replies_released" value="digest"' in page.text
    assert 'name="notify_package_released" value="off"' not in page.text  # no "off" for a required kind
    token = csrf_from(page.text)

    saved = reader.post(
        "/account/notifications",
        data={"csrf_token": token, "notify_replies_released": "digest", "notify_window_closing": "off"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/account?saved=notifications#berichten"
    assert settings.preferences(db, world.provider.id)[Kind.replies_released] == Mode.digest
    shown = reader.get("/account?saved=notifications")
    assert "Uw keuzes zijn opgeslagen." in shown.text
    assert 'name="notify_replies_released" value="digest" checked' in shown.text
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "user.notification_preferences")).all()
    assert event.after == {"replies_released": "digest", "window_closing": "off"}

    refused = reader.post(
        "/account/notifications",
        data={"csrf_token": token, "notify_package_released": "off"},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "kunnen niet worden uitgezet" in refused.text and 'href="#field-notify_package_released"' in refused.text
    assert settings.preferences(db, world.provider.id)[Kind.package_released] == Mode.now
    assert reader.post("/account/notifications", data={"csrf_token": token, "notify_published": "x"}).status_code == 422
    assert browser().get("/account", follow_redirects=False).status_code in (303, 401)
