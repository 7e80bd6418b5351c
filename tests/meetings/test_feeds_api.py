"""The change feed on the lists of sessions, agenda items, documents, invitations, providers, municipalities, care
forms, dialogues, users, questions and notas (issue 20): paged by cursor over (updated_at, id), an item changed
between pages is delivered again after the cursor, nothing is skipped or repeated; a malformed cursor and `page`
with a cursor are 422; the query count does not grow with the data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from app.kit import clock
from app.models import CareForm
from tests import factories
from tests.helpers import assert_problem, key_headers

SINCE = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class Feed:
    path: Callable[[dict[str, Any]], str]  # the list's URL (given the world)
    make: Callable[[Session, dict[str, Any]], Any]  # one more item of the list
    touch: Callable[[Session, Any], None]  # change an item so its updated_at moves


def _bump(db: Session, row: Any) -> None:
    row.updated_at = clock.now()
    db.add(row)


def _meeting(db, world):
    return factories.meeting(db, agenda=())


def _item(db, world):
    return factories.agenda_item(db, world["meeting"], title="Punt")


def _document(db, world):
    return factories.document(db)


def _invitation(db, world):
    factories.provider(db)
    return factories.invitation_of(db, factories.provider(db))


def _provider(db, world):
    return factories.provider(db, invitation=None)


def _municipality(db, world):
    return factories.municipality(db)


def _care_form(db, world):
    n = factories.number()
    row = CareForm(key=f"vorm-{n}", name=f"Zorgvorm {n}")
    db.add(row)
    db.flush()
    return row


def _dialogue(db, world):
    return factories.dialogue(db, new=True, status="active")


def _user(db, world):
    return factories.municipality_user(db)


FEEDS: dict[str, Feed] = {
    "sessions": Feed(lambda w: "/api/v1/sessions", _meeting, _bump),
    "agenda-items": Feed(lambda w: f"/api/v1/sessions/{w['meeting'].id}/agenda-items", _item, _bump),
    "documents": Feed(lambda w: "/api/v1/documents", _document, _bump),
    "invitations": Feed(lambda w: "/api/v1/invitations", _invitation, _bump),
    "providers": Feed(lambda w: "/api/v1/providers", _provider, _bump),
    "municipalities": Feed(lambda w: "/api/v1/municipalities", _municipality, _bump),
    "care-forms": Feed(lambda w: "/api/v1/care-forms", _care_form, _bump),
    "dialogues": Feed(lambda w: "/api/v1/dialogues", _dialogue, _bump),
    "users": Feed(lambda w: "/api/v1/users", _user, _bump),
}
# Lists read as a feed without items made here (their content has its own factories' tests).
EMPTY_FEEDS = ["/api/v1/questions", "/api/v1/notas"]


@pytest.fixture
def world(db) -> dict[str, Any]:
    admin = factories.admin(db)
    made = {"admin": admin, "meeting": factories.meeting(db, agenda=())}
    made["headers"] = key_headers(db, admin)
    return made


def read_feed(client, url: str, headers, page_size: int = 2, between: Callable[[], None] | None = None):
    """Every page of the feed from SINCE; ``between`` runs after the first page."""
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"updated_since": SINCE, "page_size": page_size}
    pages = 0
    while True:
        response = client.get(url, headers=headers, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += body["items"]
        pages += 1
        if pages == 1 and between is not None:
            between()
        if body["next_cursor"] is None:
            return seen, pages
        params = {"cursor": body["next_cursor"], "page_size": page_size, "updated_since": SINCE}


@pytest.mark.parametrize("name", sorted(FEEDS))
def test_a_feed_pages_by_cursor_and_delivers_changes_between_pages(client, db, world, name):
    feed = FEEDS[name]
    rows = []
    for _ in range(5):
        clock.advance(timedelta(seconds=1))
        rows.append(feed.make(db, world))
    db.commit()
    url = feed.path(world)
    everything = client.get(url, headers=world["headers"], params={"page_size": 200}).json()["items"]
    assert all("updated_at" in item for item in everything)

    def change_the_first() -> None:
        clock.advance(timedelta(seconds=1))
        feed.touch(db, rows[0])
        db.commit()

    seen, pages = read_feed(client, url, world["headers"], between=change_the_first)
    assert pages >= 3
    ids = [item["id"] for item in seen]
    assert set(ids) == {item["id"] for item in everything}  # nothing skipped
    assert ids.count(rows[0].id) == 2 and len(ids) == len(set(ids)) + 1  # only the changed one comes again
    assert ids[-1] == rows[0].id  # ... after the cursor, as the newest change
    order = [(item["updated_at"], item["id"]) for item in seen[:-1]]
    assert order == sorted(order)
    # A sync from the last item's moment on gets only what changed after it.
    last = seen[-1]["updated_at"]
    later = client.get(url, headers=world["headers"], params={"updated_since": last}).json()["items"]
    assert [item["id"] for item in later] == [rows[0].id]


@pytest.mark.parametrize("url", [*(f.path for f in FEEDS.values()), *(lambda w, u=u: u for u in EMPTY_FEEDS)])
def test_a_malformed_cursor_and_a_page_number_with_a_cursor_are_422(client, db, world, url):
    path = url(world)
    headers = world["headers"]
    db.commit()
    for cursor in ("bm90LWEtY3Vyc29y", "abc", "W10"):
        body = assert_problem(client.get(path, headers=headers, params={"cursor": cursor}), 422)
        assert body["errors"][0]["field"] == "cursor"
    first = client.get(path, headers=headers, params={"updated_since": SINCE})
    assert first.status_code == 200, first.text
    assert_problem(client.get(path, headers=headers, params={"updated_since": SINCE, "page": 2}), 422)


@pytest.mark.parametrize("name", ["sessions", "documents", "invitations", "providers", "agenda-items"])
def test_a_feed_page_costs_the_same_queries_however_many_items(client, db, world, name, count_queries):
    feed = FEEDS[name]
    url = feed.path(world)

    def cost() -> int:
        with count_queries() as q:
            response = client.get(url, headers=world["headers"], params={"updated_since": SINCE, "page_size": 3})
        assert response.status_code == 200
        return q.count

    for _ in range(4):
        feed.make(db, world)
    db.commit()
    cost()  # the key's first use is noted once
    few = cost()
    for _ in range(8):
        feed.make(db, world)
    db.commit()
    assert cost() == few


def test_a_participant_never_sees_a_session_move_for_an_unreleased_recording(client, db, world):
    from app.meetings import recordings

    provider_key = key_headers(db, factories.provider_user(db))
    meeting = world["meeting"]
    meeting.recorded = True  # announced as recorded: public; the recording itself is not, until its release
    db.add(meeting)
    db.commit()
    url = f"/api/v1/sessions/{meeting.id}"
    before = client.get(url, headers=provider_key).json()["updated_at"]
    clock.advance(timedelta(minutes=1))
    later = clock.now() + timedelta(days=30)
    recordings.save_recording(
        db,
        meeting,
        recordings.RecordingInput(
            url="https://video.example.org/sessie", audience="public", release_at=later.isoformat()
        ),
        None,
        actor=world["admin"],
    )
    db.commit()
    assert client.get(url, headers=provider_key).json()["updated_at"] == before
    assert client.get(url, headers=world["headers"]).json()["updated_at"] > before  # staff see the change
    clock.advance(timedelta(days=31))
    released = client.get(url, headers=provider_key).json()
    assert released["recording"] is not None and released["updated_at"] > before
