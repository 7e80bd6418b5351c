"""Sessions and agenda items through the API (issue 20): the admin form's service and checks, the audit trail,
201 + Location + ETag, If-Match on changes (428/412), 409 where the page refuses by state, every role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.kit import clock
from app.models import AgendaItem, AuditEvent, OutboxMessage, SubgroupAssignment
from tests import factories
from tests.helpers import assert_problem, error_fields, key_headers

START = datetime(2027, 1, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def admin_key(db) -> dict[str, str]:
    return key_headers(db, factories.admin(db))


@pytest.fixture
def municipality_key(db) -> dict[str, str]:
    return key_headers(db, factories.municipality_user(db))


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def session_body(db, **overrides):
    return {
        "dialogue_id": factories.dialogue(db).id,
        "title": "Tarieven en bekostiging",
        "starts_at": iso(START),
        "ends_at": iso(START + timedelta(hours=3)),
        "location": "Provinciehuis, Lelystad",
        **overrides,
    }


def actions(db, action: str) -> list[AuditEvent]:
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_admin_creates_a_session_with_location_etag_audit_and_save_the_dates(client, db, admin_key):
    contact = factories.provider_user(db)  # of an accepted provider: gets the save-the-date
    factories.meeting(db, agenda=())  # number 1 is taken: the new one is 2
    db.commit()
    response = client.post("/api/v1/sessions", headers=admin_key, json=session_body(db))
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/sessions/{body['id']}"
    assert response.headers["etag"]
    assert body["number"] == 2 and body["status"] == "planned" and body["title"] == "Tarieven en bekostiging"
    assert body["starts_at"].startswith("2027-01-14T12:00") and body["updated_at"]
    assert [e.entity_id for e in actions(db, "session.created")] == [str(body["id"])]
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == contact.email)).first() is not None
    fetched = client.get(response.headers["location"])
    assert fetched.headers["etag"] == response.headers["etag"]


def test_session_input_is_checked_as_the_form_does(client, db, admin_key):
    factories.meeting(db, agenda=())
    db.commit()
    wrong = session_body(db, number=1, ends_at=iso(START - timedelta(hours=1)))
    response = client.post("/api/v1/sessions", headers=admin_key, json=wrong)
    assert_problem(response, 422)
    assert set(error_fields(response)) == {"number", "ends_at"}
    too_long = session_body(db, ends_at=iso(START + timedelta(hours=13)))
    assert error_fields(client.post("/api/v1/sessions", headers=admin_key, json=too_long)) == ["ends_at"]
    for extra in ({"recorded": 0}, {"number": "3"}, {"colour": "red"}, {"starts_at": "2027-01-14T12:00:00"}):
        assert_problem(client.post("/api/v1/sessions", headers=admin_key, json=session_body(db, **extra)), 422)
    unknown = session_body(db, dialogue_id=999_999)
    assert error_fields(client.post("/api/v1/sessions", headers=admin_key, json=unknown)) == ["dialogue_id"]
    assert actions(db, "session.created") == []


def test_only_an_admins_write_key_creates_or_changes_sessions(client, db, municipality_key):
    meeting = factories.meeting(db, agenda=())
    provider_key = key_headers(db, factories.provider_user(db))
    read_key = key_headers(db, factories.admin(db), scope="read")
    db.commit()
    for headers, status in ((municipality_key, 403), (provider_key, 403), (read_key, 403), ({}, 401)):
        assert_problem(client.post("/api/v1/sessions", headers=headers, json=session_body(db)), status)
        tag = client.get(f"/api/v1/sessions/{meeting.id}").headers["etag"]
        patch = client.patch(
            f"/api/v1/sessions/{meeting.id}", headers={**headers, "If-Match": tag}, json={"title": "Anders"}
        )
        assert_problem(patch, status)


def test_patch_needs_the_current_etag_and_changes_only_what_is_sent(client, db, admin_key):
    meeting = factories.meeting(db, agenda=())
    db.commit()
    url = f"/api/v1/sessions/{meeting.id}"
    assert_problem(client.patch(url, headers=admin_key, json={"location": "Stadhuis, Almere"}), 428)
    stale = {**admin_key, "If-Match": '"stale"'}
    assert_problem(client.patch(url, headers=stale, json={"location": "Stadhuis, Almere"}), 412)
    before = client.get(url)
    clock.advance(timedelta(minutes=5))
    changed = client.patch(
        url, headers={**admin_key, "If-Match": before.headers["etag"]}, json={"location": "Stadhuis, Almere"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["location"] == "Stadhuis, Almere"
    assert changed.json()["title"] == before.json()["title"]
    assert changed.json()["updated_at"] > before.json()["updated_at"]
    assert changed.headers["etag"] != before.headers["etag"]
    event = actions(db, "session.updated")[0]
    assert event.before == {"location": "Provinciehuis, Lelystad"}
    again = {**admin_key, "If-Match": before.headers["etag"]}  # the old tag is stale now: no lost update
    assert_problem(client.patch(url, headers=again, json={"title": "Anders"}), 412)
    null = {**admin_key, "If-Match": changed.headers["etag"]}
    assert error_fields(client.patch(url, headers=null, json={"title": None})) == ["title"]


def test_a_draft_report_never_moves_the_updated_at_anyone_sees(client, db, admin_key):
    meeting = factories.meeting(db, agenda=())
    db.commit()
    url = f"/api/v1/sessions/{meeting.id}"
    before = client.get(url).json()["updated_at"]
    clock.advance(timedelta(minutes=5))
    saved = client.put(f"{url}/report", headers=admin_key, json={"report": "# Concept", "publish": False})
    assert saved.status_code == 200, saved.text
    assert saved.json()["report"] is None
    assert client.get(url).json()["updated_at"] == before
    assert client.get(url, headers=admin_key).json()["updated_at"] == before


# --- agenda items ---------------------------------------------------------------------------------------------


def item_body(**overrides):
    return {
        "title": "Welkom",
        "starts_at": iso(START),
        "ends_at": iso(START + timedelta(hours=1)),
        **overrides,
    }


@pytest.fixture
def meeting(db):
    made = factories.meeting(db, starts_at=START, agenda=())
    db.commit()
    return made


@pytest.mark.parametrize("who", ["admin", "municipality"])
def test_admins_and_municipalities_co_author_the_agenda(client, db, meeting, who, admin_key, municipality_key):
    headers = admin_key if who == "admin" else municipality_key
    url = f"/api/v1/sessions/{meeting.id}/agenda-items"
    first = client.post(url, headers=headers, json=item_body())
    assert first.status_code == 201, first.text
    assert first.headers["location"] == f"/api/v1/agenda-items/{first.json()['id']}"
    assert first.headers["etag"] and first.json()["position"] == 1
    second = client.post(url, headers=headers, json=item_body(title="Voorstel", format="subgroups"))
    assert second.json()["position"] == 2 and second.json()["format"] == "subgroups"
    front = client.post(url, headers=headers, json=item_body(title="Voorwoord", position=1))
    assert front.status_code == 201, front.text
    assert [i["title"] for i in client.get(url).json()["items"]] == ["Voorwoord", "Welkom", "Voorstel"]
    assert len(actions(db, "agenda_item.created")) == 3
    one = client.get(front.headers["location"])
    assert one.status_code == 200 and one.headers["etag"] == front.headers["etag"]


def test_providers_and_read_keys_cannot_write_the_agenda(client, db, meeting):
    item = factories.agenda_item(db, meeting, title="Welkom")
    provider_key = key_headers(db, factories.provider_user(db))
    read_key = key_headers(db, factories.admin(db), scope="read")
    db.commit()
    tag = client.get(f"/api/v1/agenda-items/{item.id}").headers["etag"]
    for headers, status in ((provider_key, 403), (read_key, 403), ({}, 401)):
        url = f"/api/v1/sessions/{meeting.id}/agenda-items"
        assert_problem(client.post(url, headers=headers, json=item_body()), status)
        with_tag = {**headers, "If-Match": tag}
        assert_problem(client.patch(f"/api/v1/agenda-items/{item.id}", headers=with_tag, json={"title": "X"}), status)
        assert_problem(client.delete(f"/api/v1/agenda-items/{item.id}", headers=with_tag), status)


def test_agenda_items_are_checked_as_the_form_does(client, db, meeting, admin_key):
    url = f"/api/v1/sessions/{meeting.id}/agenda-items"
    outside = item_body(starts_at=iso(START - timedelta(hours=1)))
    assert error_fields(client.post(url, headers=admin_key, json=outside)) == ["starts_at"]
    backwards = item_body(ends_at=iso(START - timedelta(minutes=1)))
    assert "ends_at" in error_fields(client.post(url, headers=admin_key, json=backwards))
    assert error_fields(client.post(url, headers=admin_key, json=item_body(proposal_id=999_999))) == ["proposal_id"]
    assert_problem(client.post(url, headers=admin_key, json=item_body(format="workshop")), 422)
    assert_problem(client.post(url, headers=admin_key, json=item_body(position=0)), 422)
    assert_problem(client.post("/api/v1/sessions/999999/agenda-items", headers=admin_key, json=item_body()), 404)
    assert db.exec(select(AgendaItem)).all() == []


def test_patch_moves_and_changes_an_item_and_delete_removes_it(client, db, meeting, admin_key):
    items = [factories.agenda_item(db, meeting, title=t, position=n) for n, t in enumerate("ABC", start=1)]
    proposal = factories.proposal(db)
    db.commit()
    url = f"/api/v1/agenda-items/{items[2].id}"
    assert_problem(client.patch(url, headers=admin_key, json={"position": 1}), 428)
    tag = client.get(url).headers["etag"]
    clock.advance(timedelta(minutes=1))
    moved = client.patch(url, headers={**admin_key, "If-Match": tag}, json={"position": 1, "proposal_id": proposal.id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["position"] == 1 and moved.json()["proposal_id"] == proposal.id
    listed = client.get(f"/api/v1/sessions/{meeting.id}/agenda-items").json()["items"]
    assert [(i["title"], i["position"]) for i in listed] == [("C", 1), ("A", 2), ("B", 3)]
    assert actions(db, "agenda_item.moved") and actions(db, "agenda_item.updated")
    assert_problem(client.patch(url, headers={**admin_key, "If-Match": tag}, json={"title": "D"}), 412)
    unlinked = client.patch(url, headers={**admin_key, "If-Match": moved.headers["etag"]}, json={"proposal_id": None})
    assert unlinked.json()["proposal_id"] is None
    assert_problem(client.delete(url, headers=admin_key), 428)
    assert_problem(client.delete(url, headers={**admin_key, "If-Match": moved.headers["etag"]}), 412)
    gone = client.delete(url, headers={**admin_key, "If-Match": unlinked.headers["etag"]})
    assert gone.status_code == 204
    assert_problem(client.get(url), 404)
    assert [e.entity_id for e in actions(db, "agenda_item.deleted")] == [str(items[2].id)]


def test_subgroups_are_sdfls_and_only_for_an_item_in_subgroups(client, db, meeting, admin_key, municipality_key):
    accepted = factories.provider(db)
    outsider = factories.provider(db, invitation=None)
    plenary = factories.agenda_item(db, meeting, format="plenary")
    split = factories.agenda_item(db, meeting, format="subgroups", position=2)
    db.commit()
    for item, status in ((plenary, 409), (split, 200)):
        url = f"/api/v1/agenda-items/{item.id}/subgroups"
        tag = client.get(url, headers=admin_key).headers["etag"]
        body = {"subgroups": [{"provider_id": accepted.id, "subgroup": "A"}]}
        assert_problem(client.put(url, headers={**municipality_key, "If-Match": tag}, json=body), 403)
        response = client.put(url, headers={**admin_key, "If-Match": tag}, json=body)
        assert response.status_code == status, response.text
    url = f"/api/v1/agenda-items/{split.id}/subgroups"
    assert client.get(url, headers=municipality_key).json()["subgroups"] == [
        {"provider_id": accepted.id, "subgroup": "A"}
    ]
    tag = client.get(url, headers=admin_key).headers["etag"]
    wrong = {"subgroups": [{"provider_id": outsider.id, "subgroup": "B"}]}
    assert error_fields(client.put(url, headers={**admin_key, "If-Match": tag}, json=wrong)) == ["subgroups"]
    assert_problem(client.get(url), 401)
    emptied = client.put(url, headers={**admin_key, "If-Match": tag}, json={"subgroups": []})
    assert emptied.json()["subgroups"] == []
    assert db.exec(select(SubgroupAssignment)).all() == []
