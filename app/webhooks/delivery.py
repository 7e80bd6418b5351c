"""Deliveries: the worker's two scheduled tasks (``app.cli.SCHEDULED_TASKS``, every pass, about every 5 s).

``dispatch_due_events``: events whose ``visible_at`` has come and that were not dispatched yet get one delivery per
active webhook that wants their type and whose owner may read them. The events are claimed first (PostgreSQL:
``FOR UPDATE SKIP LOCKED``; then a compare-and-set UPDATE of ``dispatched_at`` on every database), so two workers
never dispatch an event twice.

``deliver_webhooks``: each due delivery is claimed with a lease (a compare-and-set UPDATE to ``sending`` until
``claimed_until``, committed before the request), so a crashed worker strands nothing: after the lease another
worker takes it. The request: ``POST`` of the event exactly as ``GET /api/v1/events`` shows it, with

    Content-Type: application/json
    X-Dialoog-Event: comment.created
    X-Dialoog-Delivery: 42
    X-Dialoog-Timestamp: 1796292000            (unix seconds)
    X-Dialoog-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>", key: the secret as UTF-8>

A receiver recomputes the signature over the raw body with its secret, compares with ``hmac.compare_digest`` and
rejects a timestamp more than 5 minutes from its own clock (replay protection: the timestamp is signed, so an old
request cannot be replayed with a new one); ``X-Dialoog-Delivery`` is the same for the retries of one delivery
(drop duplicates). Any 2xx is success; anything else, a timeout or a connection error is retried after 30 s, 1, 2,
4 ... minutes (at most an hour between attempts) until 24 hours after the first attempt; then the delivery has
failed, and a webhook that had no success since that delivery's first attempt is disabled, its owner mailed and an
audit event written. The target's addresses are checked again before every attempt (DNS rebinding); redirects are
not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.db import commit_now
from app.events.schemas import event_body
from app.events.service import may_read
from app.kit import clock
from app.mail.service import queue_mail
from app.models import Event, User, Webhook, WebhookDelivery, WebhookDeliveryStatus
from app.policy import Principal
from app.webhooks import secrets
from app.webhooks.service import refused_address

logger = logging.getLogger("dialoog.webhooks")

TIMEOUT = 10.0
RETRY_WINDOW = timedelta(hours=24)
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
CLAIM_LEASE = timedelta(minutes=2)  # longer than a request may take (TIMEOUT) and its recording
DISPATCH_BATCH = 200
DELIVERY_BATCH = 50
LOG_KEPT = 50  # attempts kept per delivery in attempt_log


def backoff(attempts: int) -> timedelta:
    """After the n-th failed attempt: 30 s, 1, 2, 4, 8 ... minutes, at most an hour."""
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def dispatch_due_events(session: Session) -> int:
    """Make the deliveries of the events that became visible (see the module's docstring); returns how many."""
    now = clock.now()
    query = (
        select(Event.id)
        .where(col(Event.dispatched_at).is_(None), col(Event.visible_at) <= now)
        .order_by(col(Event.visible_at), col(Event.id))
        .limit(DISPATCH_BATCH)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.exec(query).all())
    if not ids:
        return 0
    ours = [
        event_id
        for event_id in ids
        if session.exec(
            update(Event)
            .where(col(Event.id) == event_id, col(Event.dispatched_at).is_(None))
            .values(dispatched_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1  # compare-and-set: another worker may have taken it since we read (SQLite has no row locks)
    ]
    if not ours:
        return 0
    hooks = session.exec(
        select(Webhook, User).join(User, col(User.id) == Webhook.owner_id).where(col(Webhook.active))
    ).all()
    if not hooks:
        return 0
    made = 0
    owners = {webhook.id: Principal(user=owner) for webhook, owner in hooks}
    for event in session.exec(select(Event).where(col(Event.id).in_(ours)).order_by(col(Event.id))).all():
        for webhook, _owner in hooks:
            if event.type in webhook.event_types and may_read(owners[webhook.id], event):
                session.add(
                    WebhookDelivery(
                        webhook_id=webhook.id or 0, event_id=event.id or 0, next_attempt_at=now, created_at=now
                    )
                )
                made += 1
    return made


def _due(now: datetime) -> Any:
    status, claimed_until = col(WebhookDelivery.status), col(WebhookDelivery.claimed_until)
    return or_(
        and_(status == WebhookDeliveryStatus.pending, col(WebhookDelivery.next_attempt_at) <= now),
        and_(status == WebhookDeliveryStatus.sending, or_(claimed_until.is_(None), claimed_until <= now)),
    )


def _claim(session: Session, now: datetime) -> WebhookDelivery | None:
    for _ in range(10):
        query = select(WebhookDelivery.id).where(_due(now)).order_by(col(WebhookDelivery.id)).limit(1)
        if _is_postgres(session):
            query = query.with_for_update(skip_locked=True)
        delivery_id = session.exec(query).first()
        if delivery_id is None:
            commit_now(session)
            return None
        claimed = session.exec(
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id) == delivery_id, _due(now))
            .values(status=WebhookDeliveryStatus.sending, claimed_until=now + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        ).rowcount
        commit_now(session)
        if claimed == 1:
            return session.get(WebhookDelivery, delivery_id, populate_existing=True)
    return None


def _attempt(webhook: Webhook, event: Event, delivery: WebhookDelivery, now: datetime) -> tuple[int | None, str]:
    """POST the event; (status code or None, error ("" on success))."""
    parts = urlsplit(webhook.url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None, "invalid URL"
    refused = refused_address(parts.hostname or "", port)
    if refused:
        return None, refused
    body = event_body(event)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Dialoog-Webhooks/1",
        "X-Dialoog-Event": event.type,
        "X-Dialoog-Delivery": str(delivery.id),
        "X-Dialoog-Timestamp": str(timestamp),
        "X-Dialoog-Signature": signature(secrets.unseal(webhook.secret_encrypted), timestamp, body),
    }
    try:
        response = httpx.post(webhook.url, content=body, headers=headers, timeout=TIMEOUT, follow_redirects=False)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def deliver_webhooks(session: Session) -> int:
    """Attempt up to ``DELIVERY_BATCH`` due deliveries; returns how many were attempted."""
    now = clock.now()
    done = 0
    for _ in range(DELIVERY_BATCH):
        delivery = _claim(session, now)
        if delivery is None:
            break
        done += 1
        webhook = session.get(Webhook, delivery.webhook_id)
        event = session.get(Event, delivery.event_id)
        if webhook is None or event is None or not webhook.active:
            _store(session, delivery, {"status": WebhookDeliveryStatus.failed, "last_error": "webhook disabled"})
            continue
        code, error = _attempt(webhook, event, delivery, now)
        _record_attempt(session, webhook, delivery, now, code, error)
    return done


def _store(session: Session, delivery: WebhookDelivery, values: dict[str, Any]) -> None:
    values = {**values, "claimed_until": None}
    session.exec(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    commit_now(session)


def _record_attempt(
    session: Session, webhook: Webhook, delivery: WebhookDelivery, now: datetime, code: int | None, error: str
) -> None:
    attempts = delivery.attempts + 1
    first = delivery.first_attempt_at or now
    log = [*delivery.attempt_log, {"at": now.isoformat(), "status_code": code, "error": error}][-LOG_KEPT:]
    values: dict[str, Any] = {
        "attempts": attempts,
        "first_attempt_at": first,
        "last_attempt_at": now,
        "last_status_code": code,
        "last_error": error,
        "attempt_log": log,
    }
    if not error:
        values.update(status=WebhookDeliveryStatus.delivered, delivered_at=now)
        webhook.last_success_at = now
        session.add(webhook)
    elif now + backoff(attempts) - first > RETRY_WINDOW:
        values["status"] = WebhookDeliveryStatus.failed
        if webhook.last_success_at is None or webhook.last_success_at < first:
            _disable(session, webhook, error)
    else:
        values.update(status=WebhookDeliveryStatus.pending, next_attempt_at=now + backoff(attempts))
    _store(session, delivery, values)


def _disable(session: Session, webhook: Webhook, error: str) -> None:
    """Every delivery failed for RETRY_WINDOW: off, with a mail to its owner and an audit event."""
    webhook.active = False
    webhook.disabled_reason = f"No delivery accepted for 24 hours; last error: {error}"[:300]
    webhook.updated_at = clock.now()
    session.add(webhook)
    owner = session.get(User, webhook.owner_id)
    if owner is not None:
        queue_mail(
            session,
            to=owner.email,
            template="webhook_disabled",
            context={
                "user_name": owner.name or owner.email,
                "url": webhook.url,
                "description": webhook.description,
                "hours": int(RETRY_WINDOW.total_seconds() // 3600),
                "last_error": error,
                "webhook_id": webhook.id,
            },
        )
    record(
        session,
        action="webhook.disabled",
        entity_type="webhook",
        entity_id=webhook.id,
        actor=None,
        summary=f"Webhook naar {webhook.url} uitgeschakeld: 24 uur geen levering aangenomen ({error})",
        after={"active": False},
    )
    session.exec(  # what still waits for it will not go out
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.webhook_id) == webhook.id,
            col(WebhookDelivery.status) == WebhookDeliveryStatus.pending,
        )
        .values(status=WebhookDeliveryStatus.failed, last_error="webhook disabled")
        .execution_options(synchronize_session=False)
    )
