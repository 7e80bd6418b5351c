"""The webhooks API per role: admins manage every webhook, a municipality's user its own; nobody else any."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.config import get_settings
from app.models import AuditEvent, User, Webhook
from tests import factories

API = "/api/v1/webhooks"
BODY = {"url": "http://127.0.0.1:9/hook", "event_types": ["comment.created"]}


@pytest.fixture(autouse=True)
def allow_private(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DIALOOG_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("DIALOOG_WEBHOOK_ALLOW_PRIVATE")
    get_settings.cache_clear()


def key_of(db: Session, user: User, scope: str = "write") -> dict[str, str]:
    _row, key = factories.api_key(db, user, scope=scope)
    db.commit()
    return {"Authorization": f"Bearer {key}"}


def user_for(db: Session, who: str) -> User:
    if who.startswith("provider-"):
        return factories.provider_user(db, invitation=who.removeprefix("provider-"))
    if who == "participant":
        return factories.participant(db)
    return factories.user(db, who)


@pytest.mark.parametrize(
    "who,status",
    [
        ("provider-accepted", 403),
        ("provider-pending", 403),
        ("provider-declined", 403),
        ("participant", 403),
        ("municipality", 201),
        ("admin", 201),
    ],
)
def test_who_may_register_a_webhook(client, db, who, status):
    headers = key_of(db, user_for(db, who))
    assert client.post(API, headers=headers, json=BODY).status_code == status
    assert client.get(API, headers=headers).status_code == (200 if status == 201 else 403)


def test_the_public_and_read_keys_may_not(client, db):
    assert client.post(API, json=BODY).status_code == 401
    assert client.get(API).status_code == 401
    read = key_of(db, factories.admin(db), scope="read")
    assert client.post(API, headers=read, json=BODY).status_code == 403


def test_a_municipality_sees_and_changes_only_its_own_admins_every_one(client, db):
    admin = key_of(db, factories.admin(db))
    almere = key_of(db, factories.municipality_user(db))
    lelystad = key_of(db, factories.municipality_user(db))
    own = client.post(API, headers=almere, json=BODY).json()
    other = client.post(API, headers=lelystad, json=BODY).json()
    assert "secret" in own and own["secret"].startswith("whsec_")

    assert [w["id"] for w in client.get(API, headers=almere).json()["items"]] == [own["id"]]
    assert {w["id"] for w in client.get(API, headers=admin).json()["items"]} == {own["id"], other["id"]}
    assert "secret" not in client.get(f"{API}/{own['id']}", headers=almere).json()
    assert client.get(f"{API}/{other['id']}", headers=almere).status_code == 404
    assert client.get(f"{API}/{other['id']}/deliveries", headers=almere).status_code == 404
    assert client.delete(f"{API}/{other['id']}", headers={**almere, "If-Match": "*"}).status_code == 404
    assert client.get(f"{API}/{other['id']}", headers=admin).status_code == 200


def test_update_rotate_and_delete_need_if_match_and_are_audited(client, db):
    admin = key_of(db, factories.admin(db))
    made = client.post(API, headers=admin, json=BODY)
    webhook_id = made.json()["id"]
    etag = made.headers["ETag"]
    assert client.patch(f"{API}/{webhook_id}", headers=admin, json={"description": "x"}).status_code == 428
    assert client.patch(f"{API}/{webhook_id}", headers={**admin, "If-Match": '"stale"'}, json={}).status_code == 412
    changed = client.patch(
        f"{API}/{webhook_id}",
        headers={**admin, "If-Match": etag},
        json={"description": "BI Almere", "event_types": ["comment.created", "comment.answered"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == ["comment.created", "comment.answered"]
    assert client.patch(f"{API}/{webhook_id}", headers={**admin, "If-Match": etag}, json={}).status_code == 412
    rotated = client.post(f"{API}/{webhook_id}/rotate-secret", headers=admin)
    assert rotated.status_code == 200 and rotated.json()["secret"] != made.json()["secret"]
    current = client.get(f"{API}/{webhook_id}", headers=admin).headers["ETag"]
    assert client.delete(f"{API}/{webhook_id}", headers={**admin, "If-Match": current}).status_code == 204
    assert client.get(f"{API}/{webhook_id}", headers=admin).status_code == 404
    actions = set(db.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "webhook")).all())
    assert {"webhook.created", "webhook.updated", "webhook.secret_rotated", "webhook.deleted"} <= actions


def test_the_secret_is_stored_encrypted(client, db):

    admin = key_of(db, factories.admin(db))
    secret = client.post(API, headers=admin, json=BODY).json()["secret"]
    row = db.exec(select(Webhook)).one()
    assert secret not in row.secret_encrypted and secret[:12] == row.secret_prefix
