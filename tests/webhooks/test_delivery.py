"""Webhooks end to end against a real receiver on 127.0.0.1: a comment posted through the API reaches the receiver
signed, the same event is in GET /events; a failing receiver gets the delivery again with backoff, and after 24
hours of failures the webhook is switched off and its owner mailed (real SMTP)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.config import get_settings
from app.kit import clock
from app.mail.service import send_pending
from app.models import AuditEvent, Webhook, WebhookDelivery
from app.webhooks.delivery import backoff, deliver_webhooks, dispatch_due_events
from tests import factories
from tests.webhooks.receiver import Receiver, verify

API = "/api/v1"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def worker_pass(db: Session) -> None:
    """What the worker's scheduled tasks do every pass."""
    dispatch_due_events(db)
    db.commit()
    deliver_webhooks(db)
    db.commit()


def setup(client, db: Session, receiver: Receiver, types: list[str] | None = None) -> dict:
    admin = factories.admin(db)
    _row, admin_key = factories.api_key(db, admin)
    provider = factories.provider_user(db)
    _row, provider_key = factories.api_key(db, provider)
    section = factories.section(db, factories.proposal(db))
    db.commit()
    made = client.post(
        f"{API}/webhooks",
        headers=bearer(admin_key),
        json={"url": receiver.url, "event_types": types or ["comment.created"], "description": "BI"},
    )
    assert made.status_code == 201, made.text
    assert made.headers["Location"] == f"{API}/webhooks/{made.json()['id']}"
    return {
        "admin": admin,
        "admin_key": admin_key,
        "provider_key": provider_key,
        "section": section,
        "webhook": made.json(),
    }


def post_comment(client, world: dict, body: str = "Graag meer uitleg over de tarieven.") -> dict:
    answer = client.post(
        f"{API}/comments",
        headers=bearer(world["provider_key"]),
        json={"section_id": world["section"].id, "kind": "vraag", "body": body},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_posted_comment_reaches_the_receiver_signed_and_is_in_the_event_log(client, db, receiver, allow_private):
    world = setup(client, db, receiver)
    secret = world["webhook"]["secret"]
    assert secret.startswith("whsec_")
    comment = post_comment(client, world)

    worker_pass(db)

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert verify(secret, got)
    assert not verify("whsec_wrong", got)
    assert got.headers["X-Dialoog-Event"] == "comment.created"
    assert got.headers["Content-Type"] == "application/json"
    event = json.loads(got.body)
    assert event["type"] == "comment.created"
    assert event["subject"]["type"] == "comment" and event["subject"]["id"] == comment["id"]
    assert event["subject"]["url"].endswith(f"/api/v1/comments/{comment['id']}")
    assert "body" not in json.dumps(event["data"])  # thin: ids only, never the text
    delivery_id = int(got.headers["X-Dialoog-Delivery"])

    clock.advance(timedelta(seconds=3))  # past the feed's settle time
    feed = client.get(f"{API}/events", headers=bearer(world["admin_key"]))
    assert feed.status_code == 200, feed.text
    assert [e for e in feed.json()["items"] if e["id"] == event["id"]] == [event]
    # continuing from the cursor: nothing repeated
    after = client.get(f"{API}/events", params={"after": feed.json()["cursor"]}, headers=bearer(world["admin_key"]))
    assert after.json()["items"] == [] and after.json()["cursor"] == feed.json()["cursor"]

    log = client.get(f"{API}/webhooks/{world['webhook']['id']}/deliveries", headers=bearer(world["admin_key"]))
    assert log.status_code == 200
    [row] = log.json()["items"]
    assert row["id"] == delivery_id and row["status"] == "delivered" and row["last_status_code"] == 204
    assert row["event_type"] == "comment.created"

    # a second pass sends nothing again
    worker_pass(db)
    assert len(receiver.requests) == 1

    # "send again": a new delivery of the same event, signed again
    again = client.post(
        f"{API}/webhooks/{world['webhook']['id']}/deliveries/{delivery_id}/redeliver",
        headers=bearer(world["admin_key"]),
    )
    assert again.status_code == 201, again.text
    worker_pass(db)
    assert len(receiver.requests) == 2
    assert receiver.requests[1].body == got.body and verify(secret, receiver.requests[1])
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "webhook.redelivered")).first() is not None


def test_a_failing_receiver_gets_the_delivery_again_with_backoff_then_the_webhook_is_disabled_and_its_owner_mailed(
    client, db, receiver, allow_private, smtp, smtp_settings
):
    world = setup(client, db, receiver)
    receiver.status = 500
    post_comment(client, world)
    worker_pass(db)
    assert len(receiver.requests) == 1

    worker_pass(db)  # not yet: the first retry waits 30 seconds
    assert len(receiver.requests) == 1
    clock.advance(timedelta(seconds=31))
    worker_pass(db)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["X-Dialoog-Delivery"] == receiver.requests[1].headers["X-Dialoog-Delivery"]

    delivery = db.exec(select(WebhookDelivery)).one()
    db.refresh(delivery)
    assert delivery.status == "pending" and delivery.attempts == 2
    assert [a["status_code"] for a in delivery.attempt_log] == [500, 500]

    # keep failing for 24 hours: attempts at growing intervals (at most an hour apart)
    for _ in range(60):
        db.refresh(delivery)
        if delivery.status != "pending":
            break
        clock.advance(backoff(delivery.attempts) + timedelta(seconds=1))
        worker_pass(db)
    db.refresh(delivery)
    assert delivery.status == "failed"
    assert delivery.last_attempt_at is not None and delivery.first_attempt_at is not None
    assert timedelta(hours=23) < delivery.last_attempt_at - delivery.first_attempt_at <= timedelta(hours=24)
    assert 25 <= len(receiver.requests) <= 40

    webhook = db.get(Webhook, world["webhook"]["id"])
    assert webhook is not None
    db.refresh(webhook)
    assert webhook.active is False and "24 hours" in webhook.disabled_reason
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "webhook.disabled")).first() is not None
    send_pending(db, settings=smtp_settings)
    collector, _port = smtp
    [mail] = [m for m in collector.messages if m["To"] == world["admin"].email]
    assert "Webhook uitgeschakeld" in mail["Subject"]

    # a disabled webhook gets nothing more; switched on again, the next comment goes out
    count = len(receiver.requests)
    post_comment(client, world, "Nog een vraag.")
    worker_pass(db)
    assert len(receiver.requests) == count
    receiver.status = 200
    current = client.get(f"{API}/webhooks/{webhook.id}", headers=bearer(world["admin_key"]))
    on = client.patch(
        f"{API}/webhooks/{webhook.id}",
        headers={**bearer(world["admin_key"]), "If-Match": current.headers["ETag"]},
        json={"active": True},
    )
    assert on.status_code == 200 and on.json()["disabled_reason"] == ""
    post_comment(client, world, "En nog een.")
    worker_pass(db)
    assert len(receiver.requests) == count + 1


def test_private_targets_are_refused_without_the_setting(client, db, receiver):
    admin = factories.admin(db)
    _row, key = factories.api_key(db, admin)
    db.commit()
    for url in (receiver.url, "http://localhost:9/hook", "http://10.0.0.8/hook", "http://169.254.169.254/latest"):
        refused = client.post(
            f"{API}/webhooks", headers=bearer(key), json={"url": url, "event_types": ["comment.created"]}
        )
        assert refused.status_code == 422, (url, refused.text)
        assert refused.json()["errors"][0]["field"] == "url"
    assert db.exec(select(Webhook)).first() is None


def test_a_target_that_turned_private_is_not_called(client, db, receiver, allow_private, monkeypatch):
    """Checked again at delivery time (DNS rebinding): registered while allowed, then the setting is off."""
    world = setup(client, db, receiver)
    post_comment(client, world)
    monkeypatch.setenv("DIALOOG_WEBHOOK_ALLOW_PRIVATE", "false")
    get_settings.cache_clear()
    worker_pass(db)
    assert receiver.requests == []
    delivery = db.exec(select(WebhookDelivery)).one()
    db.refresh(delivery)
    assert delivery.status == "pending" and "not allowed" in delivery.last_error


@pytest.mark.parametrize("body", [{"event_types": ["comment.exploded"]}, {"event_types": []}, {"active": 0}])
def test_invalid_bodies_are_refused(client, db, receiver, allow_private, body):
    admin = factories.admin(db)
    _row, key = factories.api_key(db, admin)
    db.commit()
    answer = client.post(
        f"{API}/webhooks", headers=bearer(key), json={"url": receiver.url, "event_types": ["comment.created"], **body}
    )
    assert answer.status_code == 422, answer.text
