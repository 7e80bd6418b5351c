"""GET /api/v1/events per role: what each reader may read, from the moment it is visible, continued by cursor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.events import service as events
from app.kit import clock
from app.models import Event, EventAudience, User
from tests import factories

API = "/api/v1/events"


def headers_for(db: Session, user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    _row, key = factories.api_key(db, user, scope="read")
    return {"Authorization": f"Bearer {key}"}


def world(db: Session) -> dict[str, int]:
    """One event of each audience in the test's trajectory, one for participants of another trajectory, and an
    answer released in an hour."""
    elsewhere = factories.dialogue(db, slug="elders", title="Elders")
    here = factories.dialogue(db, new=True)  # the test's dialogue from now on: the readers are invited to it
    made = {
        "public": events.record_event(
            db, events.SESSION_CHANGED, subject=("session", 1), dialogue_id=here.id, audience=EventAudience.public
        ),
        "participants": events.record_event(
            db, events.COMMENT_CREATED, subject=("comment", 2), dialogue_id=here.id, audience=EventAudience.participants
        ),
        "reviewers": events.record_event(
            db, events.COMMENT_CREATED, subject=("comment", 3), dialogue_id=here.id, audience=EventAudience.reviewers
        ),
        "elsewhere": events.record_event(
            db,
            events.COMMENT_CREATED,
            subject=("comment", 4),
            dialogue_id=elsewhere.id,
            audience=EventAudience.participants,
        ),
    }
    events.comments_answered(db, here.id or 0, [2], clock.now() + timedelta(hours=1))
    db.commit()
    return {name: e.id or 0 for name, e in made.items()}


def reader(db: Session, who: str) -> User | None:
    if who == "public":
        return None
    if who.startswith("provider-"):
        return factories.provider_user(db, invitation=who.removeprefix("provider-"))
    if who.startswith("participant-"):
        return factories.participant(db, status=who.removeprefix("participant-"))
    return factories.user(db, who)


EXPECTED = {
    "public": {"public"},
    "provider-accepted": {"public", "participants"},
    "provider-pending": {"public"},
    "provider-declined": {"public"},
    "participant-approved": {"public", "participants"},
    "participant-requested": {"public"},
    "municipality": {"public", "participants", "reviewers", "elsewhere"},
    "admin": {"public", "participants", "reviewers", "elsewhere"},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_reader_gets_what_it_may_read_and_nothing_before_its_moment(client, db, who):
    ids = world(db)
    user = reader(db, who)
    headers = headers_for(db, user)
    db.commit()
    clock.advance(timedelta(seconds=3))
    answer = client.get(API, headers=headers)
    assert answer.status_code == 200, answer.text
    got = [e["id"] for e in answer.json()["items"]]
    assert set(got) == {ids[name] for name in EXPECTED[who]}
    assert all(e["type"] != "comment.answered" for e in answer.json()["items"])  # released in an hour

    clock.advance(timedelta(hours=1, seconds=3))
    later = client.get(API, params={"after": answer.json()["cursor"]}, headers=headers).json()["items"]
    answered = [e for e in later if e["type"] == "comment.answered"]
    if "participants" in EXPECTED[who]:
        assert [e["subject"]["id"] for e in answered] == [2]
    else:
        assert answered == []


def test_the_feed_pages_by_cursor_without_repeats_and_filters_by_type(client, db):
    for n in range(5):
        events.record_event(db, events.SESSION_CHANGED, subject=("session", n + 1), dialogue_id=None, audience="public")
    events.record_event(db, events.REPORT_PUBLISHED, subject=("session", 9), dialogue_id=None, audience="public")
    db.commit()
    clock.advance(timedelta(seconds=3))
    seen: list[int] = []
    cursor = None
    for _ in range(5):
        params = {"page_size": 2, **({"after": cursor} if cursor else {})}
        page = client.get(API, params=params).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["cursor"]
        if page["next_cursor"] is None:
            break
    assert len(seen) == 6 and len(set(seen)) == 6 and seen == sorted(seen)
    only = client.get(API, params={"type": "report.published"}).json()["items"]
    assert [e["type"] for e in only] == ["report.published"]
    assert client.get(API, params={"type": "nope"}).status_code == 422
    assert client.get(API, params={"after": "not-a-cursor"}).status_code == 422


def test_an_event_recorded_now_waits_for_the_settle_time(client, db):
    events.record_event(db, events.SESSION_CHANGED, subject=("session", 1), dialogue_id=None, audience="public")
    db.commit()
    assert client.get(API).json()["items"] == []
    clock.advance(timedelta(seconds=3))
    assert len(client.get(API).json()["items"]) == 1


def test_a_moved_release_moment_moves_the_event(db):
    document = factories.document(db, release_at=clock.now() + timedelta(days=2))
    events.document_release(db, document)  # as documents.service.create_document does (the factory stores directly)
    db.commit()
    [event] = [e for e in db.exec(select(Event)).all() if e.subject_id == document.id]
    assert event.type == "document.released" and event.visible_at == document.release_at
    document.release_at = clock.now() + timedelta(days=5)
    events.document_release(db, document)
    db.commit()
    db.refresh(event)
    assert event.visible_at == document.release_at
    assert len([e for e in db.exec(select(Event)).all() if e.subject_id == document.id]) == 1
