"""API keys and the accounts API: 401/403 problem+json, scopes, ETag and If-Match."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts import service
from app.models import ApiKey, AuditEvent, OutboxMessage, User
from tests import factories
from tests.helpers import bearer, make_key

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def people(db) -> None:
    """The accounts these tests use (the demo's addresses, made by factories): four municipalities' users."""
    factories.accounts(
        db,
        "sdfl@example.org",
        "rodante@example.org",
        "psymens@example.org",
        "almere@example.org",
        "dronten@example.org",
        "urk@example.org",
        "noordoostpolder@example.org",
    )
    db.commit()


def test_me_without_key_is_401_problem_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


@pytest.mark.parametrize("header", ["Bearer dlg_nope_nope", "Bearer ", "Basic dXNlcjpwdw==", "Bearer garbage"])
def test_bad_keys_are_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)


def test_me_tells_whose_key_it_is_and_keeps_last_used(client, db):
    key = make_key(db, "rodante@example.org", "read")
    response = client.get("/api/v1/me", headers=bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "rodante@example.org" and body["user"]["role"] == "provider"
    assert body["scope"] == "read"
    row = db.exec(select(ApiKey).where(ApiKey.key_hash == service.token_hash(key))).one()
    assert row.last_used_at is not None


def test_keys_are_stored_hashed(db):
    key = make_key(db, "sdfl@example.org", "write")
    stored = db.exec(select(ApiKey)).all()
    assert all(key not in (k.key_hash, k.prefix, k.name) for k in stored)


def test_read_key_cannot_create_users(client, db):
    key = make_key(db, "sdfl@example.org", "read")
    response = client.post("/api/v1/users", headers=bearer(key), json={"email": "x@example.org", "role": "admin"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "read" in response.json()["detail"]


@pytest.mark.parametrize("email", ["rodante@example.org", "almere@example.org"])
def test_non_admins_cannot_list_or_create_users(client, db, email):
    key = make_key(db, email, "write")
    assert client.get("/api/v1/users", headers=bearer(key)).status_code == 403
    response = client.post("/api/v1/users", headers=bearer(key), json={"email": "x@example.org", "role": "admin"})
    assert response.status_code == 403


def test_admin_lists_users_with_the_pagination_shape(client, db):
    key = make_key(db, "sdfl@example.org", "read")
    body = client.get("/api/v1/users", headers=bearer(key), params={"role": "municipality"}).json()
    assert body["total"] == 4 and {u["email"] for u in body["items"]} >= {"urk@example.org"}
    assert set(body) == {"items", "total", "page", "page_size", "pages", "next_cursor", "cursor"}


def test_admin_lists_consultation_participants_with_their_group(client, db):
    """Participants (role participant) are users too: the list shows them with their stakeholder group and
    pseudonym instead of failing on a role it does not know."""
    factories.participant(db, group="experience_expert", pseudonym="Sterre", organisation="")
    db.commit()
    key = make_key(db, "sdfl@example.org", "read")
    response = client.get("/api/v1/users", headers=bearer(key), params={"role": "participant"})
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    assert item["role"] == "participant"
    assert item["stakeholder_group"] == "experience_expert" and item["pseudonym"] == "Sterre"
    everyone = client.get("/api/v1/users", headers=bearer(key), params={"page_size": 50}).json()
    assert "participant" in {u["role"] for u in everyone["items"]}


def test_admin_creates_a_user_and_an_invitation_is_queued(client, db):
    key = make_key(db, "sdfl@example.org", "write")
    rodante = db.exec(select(User).where(User.email == "rodante@example.org")).one()
    response = client.post(
        "/api/v1/users",
        headers=bearer(key),
        json={
            "email": "Nieuw.Contact@Rodante.example.org",
            "name": "Nieuw Contact",
            "role": "provider",
            "provider_id": rodante.provider_id,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "nieuw.contact@rodante.example.org" and body["invitation_pending"] is True
    assert response.headers["location"] == f"/api/v1/users/{body['id']}"
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == body["email"])).one()
    assert "/account/set-password/" in mail.body_text
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.entity_id == str(body["id"]))).all()]
    assert "user.created" in actions and "user.invited" in actions


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"email": "geen-adres", "role": "admin"}, "email"),
        ({"email": "a@example.org", "role": "provider"}, "provider_id"),
        ({"email": "a@example.org", "role": "municipality", "municipality_id": 99999}, "municipality_id"),
        ({"email": "a@example.org", "role": "koning"}, "role"),
        ({"email": "a@example.org", "role": "admin", "extra": 1}, "extra"),
        # Found by the API fuzzer: an id past 64 bits was a 500 on SQLite, text with NUL a 500 on PostgreSQL.
        ({"email": "a@example.org", "role": "provider", "provider_id": 10**20}, "provider_id"),
        ({"email": "a@example.org", "role": "municipality", "municipality_id": 10**20}, "municipality_id"),
        ({"email": "a\x00@example.org", "role": "admin"}, "email"),
        ({"email": "a@example.org", "name": "A\x00", "role": "admin"}, "name"),
    ],
)
def test_invalid_users_are_422_with_the_field(client, db, payload, field):
    key = make_key(db, "sdfl@example.org", "write")
    response = client.post("/api/v1/users", headers=bearer(key), json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"provider_id": 10**20}, "provider_id"),
        ({"role": "municipality", "municipality_id": 2**31}, "municipality_id"),
        ({"name": "Urk\x00"}, "name"),
        ({"email": "urk\x00@example.org"}, "email"),
    ],
)
def test_invalid_changes_are_422_with_the_field_and_change_nothing(client, db, payload, field):
    key = make_key(db, "sdfl@example.org", "write")
    urk = db.exec(select(User).where(User.email == "urk@example.org")).one()
    before = client.get(f"/api/v1/users/{urk.id}", headers=bearer(key)).json()
    response = client.patch(f"/api/v1/users/{urk.id}", headers=bearer(key), json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in [e["field"] for e in response.json()["errors"]]
    assert client.get(f"/api/v1/users/{urk.id}", headers=bearer(key)).json() == before


def test_duplicate_address_is_409(client, db):
    key = make_key(db, "sdfl@example.org", "write")
    response = client.post("/api/v1/users", headers=bearer(key), json={"email": "URK@example.org", "role": "admin"})
    assert response.status_code == 409


def test_patch_with_etag_and_a_stale_if_match_is_412(client, db):
    key = make_key(db, "sdfl@example.org", "write")
    urk = db.exec(select(User).where(User.email == "urk@example.org")).one()
    current = client.get(f"/api/v1/users/{urk.id}", headers=bearer(key))
    tag = current.headers["etag"]
    changed = client.patch(
        f"/api/v1/users/{urk.id}", headers={**bearer(key), "If-Match": tag}, json={"name": "Team jeugd Urk"}
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Team jeugd Urk"
    assert changed.headers["etag"] != tag
    stale = client.patch(f"/api/v1/users/{urk.id}", headers={**bearer(key), "If-Match": tag}, json={"name": "X"})
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith(PROBLEM)


def test_deactivating_a_user_stops_their_keys(client, db):
    admin_key = make_key(db, "sdfl@example.org", "write")
    provider_key = make_key(db, "psymens@example.org", "read")
    assert client.get("/api/v1/me", headers=bearer(provider_key)).status_code == 200
    psymens = db.exec(select(User).where(User.email == "psymens@example.org")).one()
    tag = client.get(f"/api/v1/users/{psymens.id}", headers=bearer(admin_key)).headers["etag"]
    response = client.patch(
        f"/api/v1/users/{psymens.id}", headers={**bearer(admin_key), "If-Match": tag}, json={"active": False}
    )
    assert response.status_code == 200 and response.json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer(provider_key)).status_code == 401


def test_revoked_keys_are_401(client, db):
    key = make_key(db, "sdfl@example.org", "read")
    row = db.exec(select(ApiKey).where(ApiKey.key_hash == service.token_hash(key))).one()
    admin = db.exec(select(User).where(User.email == "sdfl@example.org")).one()
    service.revoke_api_key(db, row, actor=admin)
    db.commit()
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401


def test_public_endpoints_need_no_key(client):
    assert client.get("/api/v1/providers").status_code == 200
