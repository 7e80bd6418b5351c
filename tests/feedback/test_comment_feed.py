"""The comments' change feed (issue 20): ``updated_at`` as each reader sees it, keyset paging that never skips
or repeats while comments change, the reviewers' details (official reply, positions, notes) in the JSON, and what
a participant may not see yet never moving its ``updated_at`` or ETag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.kit import clock
from app.models import Comment, Dialogue
from tests import factories
from tests.conftest import PRINCIPALS
from tests.helpers import assert_problem, find_section, find_user

API = "/api/v1"


@pytest.fixture(autouse=True)
def world(db: Session) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


@pytest.fixture
def start() -> datetime:
    """The clock frozen a day after the demo's data was made: the feed from here holds only the test's comments."""
    moment = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    clock.freeze(moment)
    return moment


def tick(seconds: int = 1) -> None:
    clock.advance(timedelta(seconds=seconds))


def section_id(db: Session) -> int:
    return find_section(db, "product-structure", "productoverzicht").id or 0


def write(client: TestClient, headers: dict[str, str], db: Session, body: str) -> dict[str, Any]:
    tick()
    response = client.post(
        f"{API}/comments", headers=headers, json={"section_id": section_id(db), "kind": "zorg", "body": body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def get(client: TestClient, headers: dict[str, str], comment_id: int) -> Any:
    response = client.get(f"{API}/comments/{comment_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response


def feed(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get(f"{API}/comments", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def edit(client: TestClient, headers: dict[str, str], comment_id: int, body: str) -> None:
    tick()
    tag = get(client, headers, comment_id).headers["etag"]
    response = client.patch(f"{API}/comments/{comment_id}", headers={**headers, "If-Match": tag}, json={"body": body})
    assert response.status_code == 200, response.text


def withdraw(client: TestClient, headers: dict[str, str], comment_id: int) -> None:
    tick()
    tag = get(client, headers, comment_id).headers["etag"]
    assert client.delete(f"{API}/comments/{comment_id}", headers={**headers, "If-Match": tag}).status_code == 204


def review(client: TestClient, headers: dict[str, str], comment_id: int, **body: Any):
    tick()
    tag = get(client, headers, comment_id).headers["etag"]
    return client.patch(f"{API}/comments/{comment_id}/review", headers={**headers, "If-Match": tag}, json=body)


def sync(client: TestClient, headers: dict[str, str], since: datetime, between=None, page_size: int = 2):
    """Page through the feed from ``since``; ``between(n)`` runs after page n. Returns every item delivered."""
    delivered: list[dict[str, Any]] = []
    params: dict[str, Any] = {"updated_since": since.isoformat(), "page_size": page_size}
    n = 0
    while True:
        page = feed(client, headers, **params)
        delivered.extend(page["items"])
        n += 1
        if between:
            between(n)
        if page["next_cursor"] is None:
            return delivered
        params = {"cursor": page["next_cursor"], "page_size": page_size}
        assert n < 50


# --- the feed ---------------------------------------------------------------------------------------------


def test_a_sync_delivers_every_change_once_and_changes_during_it_again(client, db, auth, start):
    provider, bi = auth("provider"), auth("municipality")
    made = [write(client, provider, db, f"Reactie {i}") for i in range(6)]
    ids = [c["id"] for c in made]

    def meanwhile(page: int) -> None:
        if page == 1:  # one already delivered is edited, one not yet delivered is withdrawn
            edit(client, provider, ids[0], "Gewijzigd tijdens de sync.")
            withdraw(client, provider, ids[4])
        if page == 2:
            assert review(client, auth("admin"), ids[1], status="in_behandeling").status_code == 200

    delivered = sync(client, bi, start, meanwhile)
    moments = [datetime.fromisoformat(item["updated_at"]) for item in delivered]
    assert moments == sorted(moments)
    seen = [item["id"] for item in delivered]
    assert set(seen) == set(ids)
    assert sorted(seen) == sorted([*ids, ids[0], ids[1]])  # the two changed after delivery: again, once more
    last = {item["id"]: item for item in delivered}
    assert last[ids[0]]["body"] == "Gewijzigd tijdens de sync."
    assert last[ids[4]]["withdrawn"] is True and last[ids[4]]["body"] is None
    assert last[ids[1]]["status"] == "in_behandeling"

    # The next sync from the last moment has nothing new; a change after it comes alone.
    since = moments[-1] + timedelta(microseconds=1)
    assert feed(client, bi, updated_since=since.isoformat())["items"] == []
    withdraw(client, provider, ids[2])
    again = feed(client, bi, updated_since=since.isoformat())["items"]
    assert [(i["id"], i["withdrawn"]) for i in again] == [(ids[2], True)]


def test_the_next_sync_resumes_from_the_cursor_where_the_last_one_ended(client, db, auth, start):
    """``cursor`` in a feed's answer is where it ended, also on its last page: the next sync starts there and gets
    exactly what changed since, nothing twice; an answer without items leaves the client's cursor as it was."""
    provider, bi = auth("provider"), auth("municipality")
    ids = [write(client, provider, db, f"Reactie {i}")["id"] for i in range(3)]
    first = feed(client, bi, updated_since=start.isoformat(), page_size=2)
    second = feed(client, bi, cursor=first["next_cursor"], page_size=2)
    assert [i["id"] for i in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None and second["cursor"] is not None
    nothing = feed(client, bi, cursor=second["cursor"])
    assert nothing["items"] == [] and nothing["cursor"] is None

    edit(client, provider, ids[1], "Later gewijzigd.")
    withdraw(client, provider, ids[0])
    later = feed(client, bi, cursor=second["cursor"])
    assert [(i["id"], i["withdrawn"]) for i in later["items"]] == [(ids[1], False), (ids[0], True)]
    assert feed(client, bi, cursor=later["cursor"])["items"] == []


def test_a_status_filtered_feed_does_not_skip_a_comment_whose_status_changed(client, db, auth, start):
    provider, admin = auth("provider"), auth("admin")
    ids = [write(client, provider, db, f"Reactie {i}")["id"] for i in range(3)]
    for comment_id in ids:
        assert review(client, admin, comment_id, status="in_behandeling").status_code == 200
    params = {"status": "in_behandeling", "updated_since": start.isoformat(), "page_size": 1}
    first = feed(client, admin, **params)
    assert [i["id"] for i in first["items"]] == [ids[0]]
    assert review(client, admin, ids[0], status="overgenomen").status_code == 200  # leaves the filter
    assert review(client, admin, ids[1], status="nieuw").status_code == 200
    assert review(client, admin, ids[1], status="in_behandeling").status_code == 200  # back in, later
    rest: list[int] = []
    cursor = first["next_cursor"]
    while cursor:
        page = feed(client, admin, status="in_behandeling", cursor=cursor, page_size=1)
        rest += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert rest == [ids[2], ids[1]]


def test_a_drafted_decision_note_or_position_does_not_move_the_providers_updated_at(client, db, auth, start):
    provider, admin, town = auth("provider"), auth("admin"), auth("municipality")
    comment_id = write(client, provider, db, "De wachtlijst groeit.")["id"]
    before = get(client, provider, comment_id)
    written = before.json()["updated_at"]
    tick(60)
    drafted = review(client, admin, comment_id, status="niet_overgenomen", official_reply="Dat past **niet**.")
    assert drafted.status_code == 200, drafted.text
    almere = find_user(db, PRINCIPALS["municipality"][0]).municipality_id
    tick()
    tag = get(client, town, comment_id).headers["etag"]
    put = client.put(
        f"{API}/comments/{comment_id}/positions/{almere}", headers={**town, "If-Match": tag}, json={"stance": "eens"}
    )
    assert put.status_code == 200, put.text
    tick()
    note = client.post(f"{API}/comments/{comment_id}/notes", headers=town, json={"body": "Bespreken."})
    assert note.status_code == 201, note.text
    assert note.headers["location"] == f"{API}/comments/{comment_id}/notes/{note.json()['id']}"

    now = get(client, provider, comment_id)
    assert now.headers["etag"] == before.headers["etag"]
    shown = now.json()
    assert shown["updated_at"] == written and shown["status"] == "nieuw"
    assert shown["official_reply"] is None and shown["positions"] is None and shown["notes"] is None
    since = (start + timedelta(seconds=30)).isoformat()
    assert feed(client, provider, updated_since=since)["items"] == []
    # Reviewers see their working changes at once: the municipality decisions, positions and notes, SDFL also
    # the drafted reply; the municipality not the draft.
    seen = {role: feed(client, auth(role), updated_since=since)["items"] for role in ("municipality", "admin")}
    town_item = next(i for i in seen["municipality"] if i["id"] == comment_id)
    admin_item = next(i for i in seen["admin"] if i["id"] == comment_id)
    assert [i["id"] for i in seen["municipality"]] == [comment_id]  # not the drafted reply itself
    assert any(i["official"] for i in seen["admin"])  # SDFL sees it as an item too
    assert town_item["status"] == "niet_overgenomen" and town_item["official_reply"] is None
    assert [p["stance"] for p in town_item["positions"]] == ["eens"]
    assert [n["body"] for n in town_item["notes"]] == ["Bespreken."]
    assert admin_item["official_reply"]["body"] == "Dat past **niet**."
    assert admin_item["official_reply"]["released"] is False

    # Released an hour from now: nothing moves for the provider until that moment, then it does.
    dialogue = db.exec(select(Dialogue)).first()
    check = client.get(f"{API}/dialogues/{dialogue.id}/release", headers=admin)
    assert check.status_code == 200, check.text
    assert comment_id in check.json()["decisions"]
    release_at = clock.now() + timedelta(hours=1)
    released = client.post(
        f"{API}/dialogues/{dialogue.id}/release",
        headers=admin,
        json={
            "digest": check.json()["digest"],
            "release_at": release_at.isoformat(),
            "override_reason": "De gemeenten gaven mondeling akkoord in het overleg.",
        },
    )
    assert released.status_code == 200, released.text
    assert get(client, provider, comment_id).headers["etag"] == before.headers["etag"]
    assert feed(client, provider, updated_since=since)["items"] == []
    clock.advance(timedelta(hours=1, seconds=1))
    after = get(client, provider, comment_id)
    assert after.headers["etag"] != before.headers["etag"]
    item = after.json()
    assert datetime.fromisoformat(item["updated_at"]) == release_at
    assert item["status"] == "niet_overgenomen" and item["official_reply"]["released"] is True
    assert item["official_reply"]["body_html"] == "<p>Dat past <strong>niet</strong>.</p>\n"
    assert next(i["id"] for i in feed(client, provider, updated_since=since)["items"]) == comment_id

    # A new decision after the release does not take back the moment the provider saw.
    assert review(client, admin, comment_id, status="overgenomen").status_code == 200
    assert get(client, provider, comment_id).json()["updated_at"] == item["updated_at"]
    assert get(client, provider, comment_id).json()["status"] == "niet_overgenomen"


def test_the_feed_takes_a_fixed_number_of_queries(client, db, auth, start, count_queries):
    provider, admin = auth("provider"), auth("admin")

    def measured(n: int) -> int:
        for i in range(n):
            made = write(client, provider, db, f"Reactie {i}")
            review(client, admin, made["id"], status="in_behandeling", official_reply="Antwoord.")
        with count_queries() as counter:
            feed(client, admin, updated_since=start.isoformat(), page_size=50)
        return counter.count

    assert measured(2) == measured(8)


# --- who may do what --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [
        ("public", 401),
        ("provider", 403),
        ("provider-read", 403),
        ("municipality", 403),
        ("admin-read", 403),
        ("admin", 200),
    ],
)
def test_only_sdfl_triages(client, db, auth, start, role, status):
    comment_id = write(client, auth("provider"), db, "Reactie.")["id"]
    tag = get(client, auth("admin"), comment_id).headers["etag"]
    response = client.patch(
        f"{API}/comments/{comment_id}/review",
        headers={**auth(role), "If-Match": tag},
        json={"status": "in_behandeling"},
    )
    if status == 200:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "in_behandeling"
    else:
        assert_problem(response, status)
    stored = db.get(Comment, comment_id)
    db.refresh(stored)
    assert stored.status == ("in_behandeling" if status == 200 else "nieuw")


def test_triage_needs_if_match_and_a_reply_for_niet_overgenomen(client, db, auth, start):
    comment_id = write(client, auth("provider"), db, "Reactie.")["id"]
    admin = auth("admin")
    assert_problem(client.patch(f"{API}/comments/{comment_id}/review", headers=admin, json={"status": "nieuw"}), 428)
    stale = {**admin, "If-Match": '"stale"'}
    assert_problem(client.patch(f"{API}/comments/{comment_id}/review", headers=stale, json={"status": "nieuw"}), 412)
    refused = review(client, admin, comment_id, status="niet_overgenomen")
    assert_problem(refused, 422)
    assert_problem(review(client, admin, comment_id, status="kapot"), 422)
    missing = client.patch(
        f"{API}/comments/999999/review", headers={**admin, "If-Match": "*"}, json={"status": "nieuw"}
    )
    assert_problem(missing, 404)


@pytest.mark.parametrize(
    "role,status",
    [("public", 401), ("provider", 403), ("admin", 403), ("municipality-read", 403), ("municipality", 200)],
)
def test_a_municipality_takes_its_own_position(client, db, auth, start, role, status):
    comment_id = write(client, auth("provider"), db, "Reactie.")["id"]
    almere = find_user(db, PRINCIPALS["municipality"][0]).municipality_id
    tag = get(client, auth("municipality"), comment_id).headers["etag"]
    response = client.put(
        f"{API}/comments/{comment_id}/positions/{almere}",
        headers={**auth(role), "If-Match": tag},
        json={"stance": "toelichting", "note": "Zie notitie."},
    )
    if status == 200:
        assert response.status_code == 200, response.text
        assert response.json()["positions"][0]["stance"] == "toelichting"
        other = factories.municipality(db, name="Elders")
        db.commit()
        assert_problem(
            client.put(
                f"{API}/comments/{comment_id}/positions/{other.id}",
                headers={**auth(role), "If-Match": "*"},
                json={"stance": "eens"},
            ),
            403,
        )
        gone = client.delete(
            f"{API}/comments/{comment_id}/positions/{almere}",
            headers={**auth(role), "If-Match": response.headers["etag"]},
        )
        assert gone.status_code == 204
        assert get(client, auth(role), comment_id).json()["positions"] == []
    else:
        assert_problem(response, status)


@pytest.mark.parametrize(
    "role,status",
    [("public", 401), ("provider", 403), ("municipality-read", 403), ("municipality", 201), ("admin", 201)],
)
def test_reviewers_write_internal_notes(client, db, auth, start, role, status):
    comment_id = write(client, auth("provider"), db, "Reactie.")["id"]
    response = client.post(f"{API}/comments/{comment_id}/notes", headers=auth(role), json={"body": "Let op."})
    if status == 201:
        assert response.status_code == 201, response.text
        got = client.get(response.headers["location"], headers=auth(role))
        assert got.status_code == 200 and got.json()["body"] == "Let op."
        assert got.headers["etag"] == response.headers["etag"]
        assert_problem(client.get(response.headers["location"], headers=auth("provider")), 403)
    else:
        assert_problem(response, status)


def _member_roles(db: Session) -> dict[str, dict[str, str]]:
    """Headers of a provider that was invited (pending), one that declined and a consultation participant."""
    dialogue = db.exec(select(Dialogue)).first()
    out: dict[str, dict[str, str]] = {}
    for name, status in (("invited", "pending"), ("declined", "declined")):
        provider = factories.provider(db, invitation=status, dialogue_=dialogue)
        _key, secret = factories.api_key(db, factories.provider_user(db, provider_=provider))
        out[name] = {"Authorization": f"Bearer {secret}"}
    participant = factories.participant(db, dialogue_=dialogue, status="approved")
    _key, secret = factories.api_key(db, participant)
    out["participant"] = {"Authorization": f"Bearer {secret}"}
    db.commit()
    return out


def test_participants_never_get_reviewer_details_nor_write_them(client, db, auth, start):
    comment_id = write(client, auth("provider"), db, "Reactie.")["id"]
    assert review(client, auth("admin"), comment_id, official_reply="Concept.").status_code == 200
    client.post(f"{API}/comments/{comment_id}/notes", headers=auth("admin"), json={"body": "Intern."})
    for name, headers in _member_roles(db).items():
        listed = client.get(f"{API}/comments", headers=headers, params={"updated_since": start.isoformat()})
        if listed.status_code == 200:
            for item in listed.json()["items"]:
                assert item["positions"] is None and item["notes"] is None and item["official_reply"] is None, name
        assert "Concept." not in listed.text and "Intern." not in listed.text
        tag = {**headers, "If-Match": "*"}
        assert client.patch(
            f"{API}/comments/{comment_id}/review", headers=tag, json={"status": "nieuw"}
        ).status_code in (403, 404)
        assert client.post(f"{API}/comments/{comment_id}/notes", headers=headers, json={"body": "x"}).status_code in (
            403,
            404,
        )
        dialogue = db.exec(select(Dialogue)).first()
        assert_problem(client.get(f"{API}/dialogues/{dialogue.id}/release", headers=headers), 403)
