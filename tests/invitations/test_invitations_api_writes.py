"""Inviting a provider and withdrawing an invitation through the API (issue 20), as the admin pages do."""

from __future__ import annotations

from sqlmodel import select

from app.kit import clock
from app.models import AuditEvent, OutboxMessage
from tests import factories
from tests.helpers import assert_problem, error_fields, key_headers


def test_admin_invites_a_provider_and_its_contacts_are_mailed(client, db):
    admin_key = key_headers(db, factories.admin(db))
    provider = factories.provider(db, invitation=None)
    contact = factories.provider_user(db, provider_=provider)
    dialogue = factories.dialogue(db)
    db.commit()
    body = {"dialogue_id": dialogue.id, "provider_id": provider.id}
    response = client.post("/api/v1/invitations", headers=admin_key, json=body)
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["location"] == f"/api/v1/invitations/{made['id']}"
    assert response.headers["etag"] and made["status"] == "pending" and made["updated_at"]
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == contact.email)).first() is not None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.created")).one()
    again = client.post("/api/v1/invitations", headers=admin_key, json=body)
    assert_problem(again, 409)
    assert again.headers["location"] == response.headers["location"]
    archived = factories.provider(db, invitation=None, archived_at=clock.now())
    db.commit()
    wrong = client.post("/api/v1/invitations", headers=admin_key, json={**body, "provider_id": archived.id})
    assert error_fields(wrong) == ["provider_id"]
    assert_problem(client.post("/api/v1/invitations", headers=admin_key, json={**body, "provider_id": "1"}), 422)


def test_only_admins_invite(client, db):
    provider = factories.provider(db, invitation=None)
    body = {"dialogue_id": factories.dialogue(db).id, "provider_id": provider.id}
    keys = [
        (key_headers(db, factories.municipality_user(db)), 403),
        (key_headers(db, factories.provider_user(db, provider_=provider)), 403),
        (key_headers(db, factories.admin(db), scope="read"), 403),
        ({}, 401),
    ]
    db.commit()
    for headers, status in keys:
        assert_problem(client.post("/api/v1/invitations", headers=headers, json=body), status)


def test_admin_withdraws_an_invitation_with_patch_and_a_provider_cannot(client, db):
    admin_key = key_headers(db, factories.admin(db))
    provider = factories.provider(db)
    own_key = key_headers(db, factories.provider_user(db, provider_=provider))
    invitation = factories.invitation_of(db, provider)
    db.commit()
    url = f"/api/v1/invitations/{invitation.id}"
    tag = client.get(url, headers=own_key).headers["etag"]
    assert_problem(client.patch(url, headers={**own_key, "If-Match": tag}, json={"status": "withdrawn"}), 403)
    tag = client.get(url, headers=admin_key).headers["etag"]
    assert_problem(client.patch(url, headers=admin_key, json={"status": "withdrawn"}), 428)
    withdrawn = client.patch(url, headers={**admin_key, "If-Match": tag}, json={"status": "withdrawn"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.withdrawn")).one()
    twice = client.patch(
        url, headers={**admin_key, "If-Match": withdrawn.headers["etag"]}, json={"status": "withdrawn"}
    )
    assert_problem(twice, 409)
