"""Documents through the API (issue 20): a multipart upload with the admin form's checks, PATCH of the metadata and
the release moment (If-Match; 409 once released), the audit trail, every role; updated_at as each reader sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.kit import clock
from app.models import AuditEvent, Document
from tests import factories
from tests.helpers import assert_problem, error_fields, key_headers, pdf_bytes


@pytest.fixture
def admin_key(db) -> dict[str, str]:
    return key_headers(db, factories.admin(db))


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def upload(client, headers, *, name="tarieven.pdf", content=None, **fields):
    data = {k: str(v) for k, v in fields.items()}
    files = {"file": (name, content if content is not None else pdf_bytes(), "application/octet-stream")}
    return client.post("/api/v1/documents", headers=headers, data=data, files=files)


def test_admin_uploads_a_document_for_a_session(client, db, admin_key):
    meeting = factories.meeting(db, agenda=())
    db.commit()
    release = clock.now() + timedelta(days=2)
    response = upload(
        client, admin_key, title="Concept tarieven", session_id=meeting.id, audience="public", release_at=iso(release)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/documents/{body['id']}"
    assert response.headers["etag"]
    assert body["dialogue_id"] == meeting.dialogue_id and body["session_id"] == meeting.id
    assert body["content_type"] == "application/pdf" and body["filename"] == "tarieven.pdf"
    assert body["audience"] == "public" and body["released"] is False
    assert body["release_at"].startswith(iso(release)[:16])
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "document.created")).one()
    assert event.entity_id == str(body["id"])
    assert client.get(response.headers["location"], headers=admin_key).headers["etag"] == response.headers["etag"]
    # Not yet released: no one else sees it.
    assert_problem(client.get(response.headers["location"]), 404)


def test_without_a_moment_it_goes_out_with_the_session_or_now(client, db, admin_key):
    meeting = factories.meeting(db, agenda=())
    db.commit()
    for_session = upload(client, admin_key, title="Agenda", session_id=meeting.id).json()
    assert for_session["release_at"][:16] == iso(meeting.documents_release_at)[:16]
    general = upload(client, admin_key, title="Kader", dialogue_id=meeting.dialogue_id).json()
    assert general["session_id"] is None and general["released"] is True


def test_the_upload_is_checked_as_the_form_does(client, db, admin_key):
    other = factories.meeting(db, agenda=(), dialogue_=factories.dialogue(db, new=True))
    first = factories.dialogue(db, new=True)
    db.commit()
    cases = [
        ({"name": "notities.txt", "content": b"gewone tekst", "title": "X", "dialogue_id": first.id}, ["file"]),
        ({"name": "stuk.docx", "title": "X", "dialogue_id": first.id}, ["file"]),  # a PDF named .docx
        ({"content": b"", "title": "X", "dialogue_id": first.id}, ["file"]),
        ({"title": "X"}, ["dialogue_id"]),
        ({"title": "X", "dialogue_id": first.id, "session_id": other.id}, ["session_id"]),
        ({"title": "X", "dialogue_id": 999_999}, ["dialogue_id"]),
    ]
    for fields, wrong in cases:
        response = upload(client, admin_key, **fields)
        assert_problem(response, 422)
        assert error_fields(response) == wrong, fields
    for fields in ({"title": "X", "dialogue_id": first.id, "audience": "everyone"}, {"dialogue_id": first.id}):
        assert_problem(upload(client, admin_key, **fields), 422)
    late = {"title": "X", "dialogue_id": first.id, "release_at": "2027-01-01T12:00:00"}  # no offset
    assert_problem(upload(client, admin_key, **late), 422)
    no_file = client.post("/api/v1/documents", headers=admin_key, data={"title": "X", "dialogue_id": str(first.id)})
    assert_problem(no_file, 422)
    assert db.exec(select(Document)).all() == []


@pytest.mark.parametrize("role", ["municipality", "provider", "read", "anonymous"])
def test_only_an_admins_write_key_uploads_or_changes(client, db, role):
    dialogue = factories.dialogue(db)
    document = factories.document(db, release_at=clock.now() + timedelta(days=1))
    owners = {
        "municipality": lambda: key_headers(db, factories.municipality_user(db)),
        "provider": lambda: key_headers(db, factories.provider_user(db)),
        "read": lambda: key_headers(db, factories.admin(db), scope="read"),
        "anonymous": lambda: {},
    }
    headers = owners[role]()
    db.commit()
    status = 401 if role == "anonymous" else 403
    assert_problem(upload(client, headers, title="X", dialogue_id=dialogue.id), status)
    patch = client.patch(f"/api/v1/documents/{document.id}", headers={**headers, "If-Match": "*"}, json={"title": "Y"})
    assert_problem(patch, status)


def test_patch_changes_metadata_before_release_only(client, db, admin_key):
    document = factories.document(db, release_at=clock.now() + timedelta(days=1), title="Oud")
    db.commit()
    url = f"/api/v1/documents/{document.id}"
    assert_problem(client.patch(url, headers=admin_key, json={"title": "Nieuw"}), 428)
    assert_problem(client.patch(url, headers={**admin_key, "If-Match": '"oud"'}, json={"title": "Nieuw"}), 412)
    before = client.get(url, headers=admin_key)
    clock.advance(timedelta(minutes=1))
    soon = clock.now() + timedelta(hours=1)
    changed = client.patch(
        url,
        headers={**admin_key, "If-Match": before.headers["etag"]},
        json={"title": "Nieuw", "audience": "public", "release_at": iso(soon)},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Nieuw" and changed.json()["audience"] == "public"
    assert changed.json()["updated_at"] > before.json()["updated_at"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "document.updated")).one()
    assert set(event.after) == {"title", "audience", "release_at"}
    assert error_fields(
        client.patch(url, headers={**admin_key, "If-Match": changed.headers["etag"]}, json={"title": None})
    ) == ["title"]
    clock.advance(timedelta(hours=2))  # released now: it lies fixed
    released = client.get(url, headers=admin_key)
    assert released.json()["released"] is True
    late = client.patch(url, headers={**admin_key, "If-Match": released.headers["etag"]}, json={"title": "Later"})
    assert_problem(late, 409)


def test_a_participant_sees_a_document_from_its_release_with_that_moment_as_updated_at(client, db, admin_key):
    provider_key = key_headers(db, factories.provider_user(db))
    db.commit()
    release = clock.now() + timedelta(hours=1)
    made = upload(client, admin_key, title="Stuk", dialogue_id=factories.dialogue(db).id, release_at=iso(release))
    since = {"updated_since": iso(clock.now() - timedelta(days=1))}
    assert client.get("/api/v1/documents", headers=provider_key, params=since).json()["items"] == []
    clock.advance(timedelta(hours=2))
    items = client.get("/api/v1/documents", headers=provider_key, params=since).json()["items"]
    assert [i["id"] for i in items] == [made.json()["id"]]
    assert items[0]["updated_at"][:19] == iso(release)[:19]
    staff = client.get(f"/api/v1/documents/{made.json()['id']}", headers=admin_key).json()
    assert staff["updated_at"] == items[0]["updated_at"]
