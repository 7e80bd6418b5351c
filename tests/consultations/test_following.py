"""Following a trajectory by mail: double opt-in, mail when a report, recording or public document is published,
one-click unsubscribe (link in the text and List-Unsubscribe headers, RFC 8058)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.config import get_settings
from app.dialogues import following
from app.documents.service import notify_released_documents
from app.kit import clock
from app.mail.service import build_email, queue_mail, send_pending
from app.meetings.manage import save_report
from app.meetings.recordings import RecordingInput, save_recording
from app.models import Audience, AuditEvent, DialogueStatus, Follower, SessionStatus
from tests import factories
from tests.consultations.helpers import consultation, link_in, mails_to
from tests.helpers import post_form, same_page

ADDRESS = "volger@example.org"


def subscribe(client, slug: str, email: str = "Volger@Example.org"):
    page = f"/dialogues/{slug}/volgen"
    return post_form(client, page, {"email": email}, page=page)


def follow_confirmed(client, db, dialogue) -> Follower:
    subscribe(client, dialogue.slug)
    assert client.get(link_in(mails_to(db, ADDRESS)[-1], "/volgen/bevestigen/")).status_code == 200
    return db.exec(select(Follower).where(Follower.email == ADDRESS)).one()


PUBLIC_LINK = RecordingInput(url="https://video.example.org/1", audience="public")


def held_meeting(db, dialogue):
    return factories.meeting(
        db,
        dialogue_=dialogue,
        starts_at=clock.now() - timedelta(days=2),
        title="Eerste sessie",
        status=SessionStatus.held,
    )


def test_subscribe_confirm_get_a_report_mail_and_unsubscribe_with_one_click(client, db, smtp, smtp_settings):
    dialogue = factories.dialogue(db, new=True)
    admin = factories.admin(db)
    db.commit()
    form = client.get(f"/dialogues/{dialogue.slug}/volgen")
    assert form.status_code == 200 and "alleen om u deze berichten te sturen" in form.text
    answer = subscribe(client, dialogue.slug)
    assert answer.status_code == 200 and "Pas daarna krijgt u berichten" in answer.text
    follower = db.exec(select(Follower).where(Follower.email == ADDRESS)).one()  # lower-cased
    assert follower.confirmed_at is None
    [confirm_mail] = mails_to(db, ADDRESS)
    confirm = link_in(confirm_mail, "/volgen/bevestigen/")
    assert confirm.rsplit("/", 1)[1] not in follower.token_hash

    # Not confirmed yet: no news.
    meeting = held_meeting(db, dialogue)
    save_report(db, meeting, report="Verslag.", publish=False, actor=admin)
    assert len(mails_to(db, ADDRESS)) == 1

    page = client.get(confirm)
    assert page.status_code == 200 and "U volgt dit traject" in page.text
    db.refresh(follower)
    assert follower.confirmed_at is not None

    save_report(db, meeting, report="Het verslag.", publish=True, actor=admin)
    update = mails_to(db, ADDRESS)[-1]
    assert "Verslag sessie" in update.subject and "een verslag" in update.body_text
    assert f"/sessions/{meeting.id}" in update.body_text
    unsubscribe = link_in(update, "/volgen/afmelden/")
    assert unsubscribe in update.body_html
    assert update.headers == {
        "List-Unsubscribe": f"<{smtp_settings.base_url.rstrip('/')}{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    # The headers reach the receiver.
    collector, _port = smtp
    send_pending(db, settings=smtp_settings, commit=False)
    delivered = next(m for m in collector.messages if m["To"] == ADDRESS and "Verslag" in m["Subject"])
    assert delivered["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert delivered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A mail client's one-click POST: no cookie, no CSRF token.
    clean = mail_client(client)
    one_click = clean.post(
        unsubscribe,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert one_click.status_code == 303
    assert db.exec(select(Follower).where(Follower.email == ADDRESS)).first() is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "follower.removed")).one()
    assert client.get(unsubscribe).status_code == 404  # gone: the link says so

    # No mail after unsubscribing.
    before = len(mails_to(db, ADDRESS))
    save_recording(db, meeting, PUBLIC_LINK, None, actor=admin)
    assert len(mails_to(db, ADDRESS)) == before


def mail_client(client):
    """A client without cookies (a mail client)."""
    return TestClient(client.app, base_url="http://testserver")


def test_the_unsubscribe_page_asks_for_a_click(client, db):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    follower = follow_confirmed(client, db, dialogue)
    path = f"/volgen/afmelden/{following.unsubscribe_token(follower)}"
    page = client.get(path)
    assert page.status_code == 200 and dialogue.title in page.text and 'action="' + path + '"' in page.text
    assert db.get(Follower, follower.id) is not None  # opening the link changes nothing
    done = post_form(client, path, page=path)
    assert done.status_code == 303
    assert "U bent afgemeld" in client.get(done.headers["location"]).text
    assert db.get(Follower, follower.id) is None


def test_a_tampered_or_unknown_unsubscribe_link_does_nothing(client, db):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    follower = follow_confirmed(client, db, dialogue)
    token = following.unsubscribe_token(follower)
    for bad in (f"{follower.id}-{'0' * 40}", f"{follower.id + 1}-{token.split('-')[1]}", "onzin", "1-"):
        assert client.get(f"/volgen/afmelden/{bad}").status_code == 404
        response = mail_client(client).post(
            f"/volgen/afmelden/{bad}",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 404
    assert db.get(Follower, follower.id) is not None


def test_only_the_one_click_body_skips_the_csrf_check(client, db):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    follower = follow_confirmed(client, db, dialogue)
    path = f"/volgen/afmelden/{following.unsubscribe_token(follower)}"
    other = mail_client(client)
    assert other.post(path, data={"something": "else"}).status_code == 403
    assert (
        other.post(
            f"/dialogues/{dialogue.slug}/volgen",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).status_code
        == 403
    )
    assert db.get(Follower, follower.id) is not None


def test_a_recording_and_a_public_document_are_announced_too(client, db):
    dialogue = factories.dialogue(db, new=True)
    admin = factories.admin(db)
    db.commit()
    follow_confirmed(client, db, dialogue)
    meeting = held_meeting(db, dialogue)
    save_report(db, meeting, report="Verslag.", publish=True, actor=admin)
    count = len(mails_to(db, ADDRESS))
    save_recording(db, meeting, PUBLIC_LINK, None, actor=admin)
    recording = mails_to(db, ADDRESS)[-1]
    assert len(mails_to(db, ADDRESS)) == count + 1 and "een opname" in recording.body_text
    save_report(db, meeting, report="Verslag, aangevuld.", publish=True, actor=admin)
    save_recording(db, meeting, PUBLIC_LINK, None, actor=admin)
    assert len(mails_to(db, ADDRESS)) == count + 1  # nothing new published
    # A recording for participants only is no news for the public's followers.
    other = held_meeting(db, dialogue)
    save_report(db, other, report="Verslag.", publish=True, actor=admin)
    count = len(mails_to(db, ADDRESS))
    save_recording(
        db,
        other,
        RecordingInput(url="https://video.example.org/2", audience="participants"),
        None,
        actor=admin,
    )
    assert len(mails_to(db, ADDRESS)) == count

    now = clock.now()
    factories.document(
        db,
        dialogue_=dialogue,
        title="Openbare notitie",
        audience=Audience.public,
        release_at=now - timedelta(minutes=1),
        notified_at=None,
    )
    factories.document(
        db,
        dialogue_=dialogue,
        title="Stuk voor deelnemers",
        audience=Audience.participants,
        release_at=now - timedelta(minutes=1),
        notified_at=None,
    )
    notify_released_documents(db, now=now)
    subjects = [m.subject for m in mails_to(db, ADDRESS)]
    assert any("Openbare notitie" in s for s in subjects)
    assert not any("Stuk voor deelnemers" in s for s in subjects)


def test_followers_of_another_trajectory_hear_nothing(client, db):
    followed, other = factories.dialogue(db, new=True), factories.dialogue(db, new=True)
    admin = factories.admin(db)
    db.commit()
    follow_confirmed(client, db, followed)
    count = len(mails_to(db, ADDRESS))
    save_report(db, held_meeting(db, other), report="Verslag.", publish=True, actor=admin)
    assert len(mails_to(db, ADDRESS)) == count


def test_a_second_subscription_answers_the_same_and_sends_nothing_once_confirmed(client, db):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    first = subscribe(client, dialogue.slug)
    second = subscribe(client, dialogue.slug, email=ADDRESS)
    assert same_page(first.text) == same_page(second.text)  # but for the CSRF token, masked per response
    assert len(db.exec(select(Follower).where(Follower.email == ADDRESS)).all()) == 1
    old, new = (link_in(m, "/volgen/bevestigen/") for m in mails_to(db, ADDRESS))
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    third = subscribe(client, dialogue.slug)
    assert third.status_code == 200 and len(mails_to(db, ADDRESS)) == 2


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Vul uw e-mailadres in"),
        ("geen adres", "geldig e-mailadres"),
        ("a@b", "geldig e-mailadres"),
        ("x" * 320 + "@example.org", "geldig"),
    ],
)
def test_a_bad_address_is_shown_next_to_the_field(client, db, email, message):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    response = subscribe(client, dialogue.slug, email=email)
    assert response.status_code == 422 and 'id="error-email"' in response.text and message in response.text
    assert db.exec(select(Follower)).all() == []


def test_following_is_rate_limited(client, db):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    for _ in range(3):
        assert subscribe(client, dialogue.slug).status_code == 200
    limited = subscribe(client, dialogue.slug)
    assert limited.status_code == 429 and "te veel aanmeldingen" in limited.text and "Retry-After" in limited.headers


def test_only_public_trajectories_can_be_followed(client, db):
    draft = factories.dialogue(db, new=True, status=DialogueStatus.draft)
    archived = factories.dialogue(db, new=True, status=DialogueStatus.archived)
    closed = consultation(db, status=DialogueStatus.closed)
    db.commit()
    for slug in (draft.slug, archived.slug, "bestaat-niet"):
        assert client.get(f"/dialogues/{slug}/volgen").status_code == 404
    assert client.get(f"/dialogues/{closed.slug}/volgen").status_code == 200


def test_an_expired_confirmation_link_shows_a_clear_page(client, db):
    dialogue = factories.dialogue(db, new=True)
    db.commit()
    subscribe(client, dialogue.slug)
    path = link_in(mails_to(db, ADDRESS)[0], "/volgen/bevestigen/")
    clock.freeze(clock.now() + timedelta(days=8))
    response = client.get(path)
    assert response.status_code == 404 and "7 dagen geldig" in response.text


def test_english_followers_get_english_mail(client, db):
    dialogue = factories.dialogue(db, new=True)
    admin = factories.admin(db)
    db.commit()
    client.get("/?lang=en")
    follow_confirmed(client, db, dialogue)
    assert mails_to(db, ADDRESS)[0].subject.startswith("Confirm that you want to follow")
    save_report(db, held_meeting(db, dialogue), report="Verslag.", publish=True, actor=admin)
    assert "has published a report" in mails_to(db, ADDRESS)[-1].body_text


def test_queue_mail_refuses_headers_that_could_break_the_message(db):
    for headers in ({"Subject": "x"}, {"X-Bad": "a\r\nBcc: b@example.org"}, {"X:Y": "z"}, {"": "z"}):
        with pytest.raises(ValueError):
            queue_mail(
                db,
                to="a@example.org",
                template="follow_confirm",
                headers=headers,
                context={"dialogue_title": "T", "dialogue_url": "u", "link": "l"},
            )
    message = queue_mail(
        db,
        to="a@example.org",
        template="follow_confirm",
        headers={"X-Test": "1"},
        context={"dialogue_title": "T", "dialogue_url": "u", "link": "l"},
    )
    db.flush()
    assert build_email(message, get_settings(), clock.now())["X-Test"] == "1"
