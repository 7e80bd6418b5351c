"""The organisations API: providers (with contacts), municipalities and care forms; writes with an admin's write
key, PATCH/DELETE with If-Match, archive instead of delete where history depends on the record."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import AuditEvent, CareForm, OutboxMessage, Provider, User
from tests import factories
from tests.helpers import assert_problem, error_fields, key_headers


@pytest.fixture
def admin_key(db) -> dict[str, str]:
    return key_headers(db, factories.admin(db))


def _create(client, headers, **body):
    return client.post("/api/v1/providers", headers=headers, json={"name": "Horizon Jeugdzorg", **body})


def test_admin_creates_a_provider_with_location_and_etag(client, db, admin_key):
    almere = factories.municipality(db, code="0034", name="Almere")
    response = _create(
        client,
        admin_key,
        size="large",
        tags=["lvb", "ggz"],
        municipalities=["0034"],
        active_outside_flevoland=True,
        website="www.horizon.example.org",
        description="Jeugdhulp in heel Flevoland.",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/providers/{body['id']}"
    assert response.headers["etag"]
    assert body["slug"] == "horizon-jeugdzorg"
    assert body["size"] == "large" and body["tags"] == ["lvb", "ggz"]
    assert body["contracted_in"] == [{"code": almere.code, "name": "Almere"}]
    assert body["website"] == "https://www.horizon.example.org"
    assert body["archived_at"] is None
    listed = client.get("/api/v1/providers").json()["items"]
    assert [p["name"] for p in listed] == ["Horizon Jeugdzorg"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "provider.created")).one()
    assert event.entity_id == str(body["id"])


def test_bad_provider_input_is_422_with_field_errors(client, admin_key):
    response = _create(client, admin_key, tags=["lvb", "onbekend"], municipalities=["9999"], website="geen url")
    body = assert_problem(response, 422)
    assert set(error_fields(response)) == {"tags", "municipalities", "website"}
    assert "onbekend" in str(body["errors"])
    assert_problem(client.post("/api/v1/providers", headers=admin_key, json={"name": ""}), 422)
    assert_problem(client.post("/api/v1/providers", headers=admin_key, json={"name": "X", "size": "huge"}), 422)


def test_name_or_slug_taken_is_409_with_the_field(client, db, admin_key):
    factories.provider(db, name="Horizon Jeugdzorg", slug="horizon", invitation=None)
    db.commit()
    response = _create(client, admin_key)
    assert_problem(response, 409)
    assert error_fields(response) == ["name"]
    response = client.post("/api/v1/providers", headers=admin_key, json={"name": "Andere", "slug": "horizon"})
    assert_problem(response, 409)
    assert error_fields(response) == ["slug"]


def test_generated_slug_gets_a_number_when_taken(client, db, admin_key):
    factories.provider(db, name="Kind & Co", slug="kind-co", invitation=None)
    db.commit()
    assert client.post("/api/v1/providers", headers=admin_key, json={"name": "Kind Co"}).json()["slug"] == "kind-co-2"


def test_patch_needs_if_match_and_refuses_a_stale_etag(client, db, admin_key):
    provider_id = _create(client, admin_key).json()["id"]
    url = f"/api/v1/providers/{provider_id}"
    assert_problem(client.patch(url, headers=admin_key, json={"size": "small"}), 428)
    etag = client.get(url).headers["etag"]
    changed = client.patch(url, headers={**admin_key, "If-Match": etag}, json={"size": "small", "tags": ["autisme"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["size"] == "small" and changed.json()["tags"] == ["autisme"]
    assert changed.headers["etag"] != etag
    assert_problem(client.patch(url, headers={**admin_key, "If-Match": etag}, json={"size": "large"}), 412)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "provider.updated")).one()
    assert event.before == {"size": "medium", "tags": []}


def test_archived_provider_is_hidden_unless_staff_ask(client, db, admin_key):
    provider_id = _create(client, admin_key).json()["id"]
    url = f"/api/v1/providers/{provider_id}"
    etag = client.get(url).headers["etag"]
    archived = client.patch(url, headers={**admin_key, "If-Match": etag}, json={"archived": True})
    assert archived.json()["archived_at"] is not None
    assert client.get("/api/v1/providers").json()["total"] == 0
    assert client.get("/api/v1/providers?archived=true", headers=admin_key).json()["total"] == 1
    assert_problem(client.get("/api/v1/providers?archived=true"), 401)
    provider_key = key_headers(db, factories.provider_user(db))
    assert_problem(client.get("/api/v1/providers?archived=true", headers=provider_key), 403)
    assert client.get(url).status_code == 200  # its history stays readable


def test_delete_without_history_and_409_with_history(client, db, admin_key):
    fresh = _create(client, admin_key).json()["id"]
    url = f"/api/v1/providers/{fresh}"
    assert_problem(client.delete(url, headers=admin_key), 428)
    response = client.delete(url, headers={**admin_key, "If-Match": client.get(url).headers["etag"]})
    assert response.status_code == 204
    assert db.get(Provider, fresh) is None

    invited = factories.provider(db)  # has an invitation: history
    db.commit()
    url = f"/api/v1/providers/{invited.id}"
    body = assert_problem(client.delete(url, headers={**admin_key, "If-Match": client.get(url).headers["etag"]}), 409)
    assert "uitnodigingen" in body["detail"] and "archiveer" in body["detail"]


@pytest.mark.parametrize("role", ["provider", "municipality", "participant"])
def test_other_roles_cannot_write(client, db, role):
    headers = key_headers(db, factories.user(db, role))
    assert_problem(_create(client, headers), 403)
    assert_problem(client.post("/api/v1/municipalities", headers=headers, json={"code": "0034", "name": "A"}), 403)
    assert_problem(client.post("/api/v1/care-forms", headers=headers, json={"name": "Logeren"}), 403)


def test_public_and_read_key_cannot_write(client, db):
    assert_problem(_create(client, {}), 401)
    read_key = key_headers(db, factories.admin(db), scope="read")
    assert_problem(_create(client, read_key), 403)
    assert client.get("/api/v1/providers?archived=true", headers=read_key).status_code == 200


def test_contacts_are_users_of_the_provider_and_get_the_mail(client, db, admin_key):
    provider_id = _create(client, admin_key).json()["id"]
    url = f"/api/v1/providers/{provider_id}/contacts"
    made = client.post(url, headers=admin_key, json={"name": "Sanne de Vries", "email": "Sanne@Horizon.example.org"})
    assert made.status_code == 201, made.text
    assert made.json()["email"] == "sanne@horizon.example.org" and made.json()["invitation_pending"]
    user = db.exec(select(User).where(User.email == "sanne@horizon.example.org")).one()
    assert user.role == "provider" and user.provider_id == provider_id
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "sanne@horizon.example.org")).one()
    assert [c["name"] for c in client.get(url, headers=admin_key).json()] == ["Sanne de Vries"]
    again = client.post(url, headers=admin_key, json={"name": "Twee", "email": "sanne@horizon.example.org"})
    assert_problem(again, 409)
    assert error_fields(again) == ["contact_email"]
    quiet = client.post(
        url, headers=admin_key, json={"name": "Stil", "email": "stil@horizon.example.org", "invite": False}
    )
    assert quiet.status_code == 201
    assert not db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "stil@horizon.example.org")).first()


def test_municipalities_create_patch_archive_and_delete(client, db, admin_key):
    made = client.post("/api/v1/municipalities", headers=admin_key, json={"code": "0050", "name": "Zeewolde"})
    assert made.status_code == 201, made.text
    url = made.headers["location"]
    assert_problem(client.post("/api/v1/municipalities", headers=admin_key, json={"code": "0050", "name": "X"}), 409)
    dup = client.post("/api/v1/municipalities", headers=admin_key, json={"code": "0051", "name": "zeewolde"})
    assert error_fields(dup) == ["name"]
    bad = client.post("/api/v1/municipalities", headers=admin_key, json={"code": "A050", "name": "Lelystad"})
    assert_problem(bad, 422)
    assert_problem(client.patch(url, headers=admin_key, json={"in_procurement": False}), 428)
    etag = client.get(url).headers["etag"]
    changed = client.patch(
        url, headers={**admin_key, "If-Match": etag}, json={"in_procurement": False, "archived": True}
    )
    assert changed.json()["in_procurement"] is False and changed.json()["archived_at"]
    assert client.get("/api/v1/municipalities").json()["total"] == 0
    assert client.get("/api/v1/municipalities?archived=true", headers=admin_key).json()["total"] == 1
    # a user of the municipality is history: delete refused
    factories.municipality_user(db, municipality_id=made.json()["id"])
    db.commit()
    etag = client.get(url).headers["etag"]
    assert_problem(client.delete(url, headers={**admin_key, "If-Match": etag}), 409)


def test_care_forms_get_post_patch(client, db, admin_key):
    made = client.post("/api/v1/care-forms", headers=admin_key, json={"name": "Logeren", "description": "Logeerzorg"})
    assert made.status_code == 201, made.text
    assert made.json()["key"] == "logeren"
    url = made.headers["location"]
    assert_problem(
        client.post("/api/v1/care-forms", headers=admin_key, json={"name": "Logeren 2", "key": "logeren"}), 409
    )
    etag = client.get(url).headers["etag"]
    assert_problem(client.patch(url, headers={**admin_key, "If-Match": '"stale"'}, json={"name": "X"}), 412)
    changed = client.patch(url, headers={**admin_key, "If-Match": etag}, json={"name": "Logeren (kort verblijf)"})
    assert changed.json()["name"] == "Logeren (kort verblijf)"
    assert [c["key"] for c in client.get("/api/v1/care-forms").json()["items"]] == ["logeren"]
    factories.dialogue(db, care_form_id=made.json()["id"])
    db.commit()
    etag = client.get(url).headers["etag"]
    assert_problem(client.delete(url, headers={**admin_key, "If-Match": etag}), 409)
    etag = client.patch(url, headers={**admin_key, "If-Match": etag}, json={"archived": True}).headers["etag"]
    assert client.get("/api/v1/care-forms").json()["items"] == []
    assert db.get(CareForm, made.json()["id"]).archived_at is not None
