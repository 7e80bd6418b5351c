"""/admin/webhooks: admins register (the secret shown once), change, delete, read the delivery log and send again;
no one else opens the pages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.events import service as events
from app.models import Webhook, WebhookDelivery
from tests.helpers import post_form
from tests.webhooks.test_delivery import worker_pass


@pytest.mark.signed_in("admin")
def test_an_admin_registers_a_webhook_sees_the_secret_once_and_sends_a_delivery_again(
    client, db, receiver, allow_private
):
    page = client.get("/admin/webhooks")
    assert page.status_code == 200 and "Webhooks" in page.text
    made = post_form(
        client,
        "/admin/webhooks",
        {"url": receiver.url, "description": "BI", "event_types": ["session.changed"]},
        page="/admin/webhooks",
    )
    assert made.status_code == 200, made.text
    assert 'id="new-secret">whsec_' in made.text
    webhook = db.exec(select(Webhook)).one()
    assert "whsec_" not in client.get("/admin/webhooks").text

    refused = post_form(client, "/admin/webhooks", {"url": "ftp://x", "event_types": ["nope"]}, page="/admin/webhooks")
    assert refused.status_code == 422

    events.record_event(db, events.SESSION_CHANGED, subject=("session", 1), dialogue_id=None, audience="public")
    db.commit()
    worker_pass(db)
    assert len(receiver.requests) == 1
    delivery = db.exec(select(WebhookDelivery)).one()
    detail = client.get(f"/admin/webhooks/{webhook.id}")
    assert detail.status_code == 200 and "Opnieuw verzenden" in detail.text and "204" in detail.text
    again = post_form(
        client, f"/admin/webhooks/{webhook.id}/deliveries/{delivery.id}/redeliver", page=f"/admin/webhooks/{webhook.id}"
    )
    assert again.status_code == 303
    worker_pass(db)
    assert len(receiver.requests) == 2

    changed = post_form(
        client,
        f"/admin/webhooks/{webhook.id}",
        {"url": receiver.url, "description": "BI 2", "event_types": ["session.changed", "report.published"]},
        page=f"/admin/webhooks/{webhook.id}",
    )
    assert changed.status_code == 303
    db.refresh(webhook)
    assert webhook.description == "BI 2" and webhook.active is False  # the checkbox was not sent
    gone = post_form(client, f"/admin/webhooks/{webhook.id}/delete", page=f"/admin/webhooks/{webhook.id}")
    assert gone.status_code == 303
    assert db.exec(select(Webhook)).first() is None


@pytest.mark.signed_in("municipality")
def test_a_municipality_does_not_open_the_admin_pages(client, db):
    assert client.get("/admin/webhooks").status_code == 403
