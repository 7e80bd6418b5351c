"""Webhooks: who registers which receiver, checked and audited (issue 20).

Admins manage every webhook; a municipality's user its own (``Action.manage_webhooks``), and each webhook gets
only the events its owner may read (``app.events.service.may_read``, asked again at every dispatch, so a changed
role counts at once). A target must be http(s) on a public address: every address its host name resolves to is
checked (private, loopback, link-local, reserved, multicast refused) unless ``DIALOOG_WEBHOOK_ALLOW_PRIVATE``;
``app.webhooks.delivery`` checks again before every attempt (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, delete, select

from app.audit.service import record
from app.config import get_settings
from app.events.service import EVENT_TYPES
from app.kit import clock
from app.kit.errors import NotFound, ValidationFailed
from app.kit.pagination import PageParams, paginate
from app.models import User, Webhook, WebhookDelivery, WebhookDeliveryStatus, id_of, is_valid_id
from app.policy import Action, Principal, authorize, can
from app.webhooks import secrets

ENTITY = "webhook"


@dataclass
class WebhookInput:
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    active: bool | None = None


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


def refused_address(host: str, port: int) -> str | None:
    """Why a target host may not be called (None: it may): it does not resolve, or one of its addresses is not
    public while ``DIALOOG_WEBHOOK_ALLOW_PRIVATE`` is off."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return f"The host name {host} does not resolve."
    if get_settings().webhook_allow_private:
        return None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return f"{host} resolves to {ip}, a private, loopback, link-local or reserved address: not allowed."
    return None


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _invalid("url", "Give an http:// or https:// URL with a host name.")
    if parts.username or parts.password:
        raise _invalid("url", "Put no credentials in the URL: verify the signature instead.")
    if len(url) > 2000:
        raise _invalid("url", "The URL is longer than 2000 characters.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _invalid("url", "The URL's port is not a number from 1 to 65535.") from None
    reason = refused_address(parts.hostname, port)
    if reason:
        raise _invalid("url", reason)
    return url


def check_event_types(types: list[str]) -> list[str]:
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown or not types:
        raise _invalid("event_types", f"Choose one or more of: {', '.join(EVENT_TYPES)}.")
    return sorted(set(types), key=EVENT_TYPES.index)


def snapshot(webhook: Webhook) -> dict[str, Any]:
    return {
        "url": webhook.url,
        "event_types": list(webhook.event_types),
        "description": webhook.description,
        "active": webhook.active,
        "owner_id": webhook.owner_id,
    }


def _scope(principal: Principal) -> Any:
    """Admins see every webhook, everyone else its own."""
    authorize(principal, Action.manage_webhooks)
    if can(principal, Action.view_admin):
        return col(Webhook.id).is_not(None)
    return col(Webhook.owner_id) == (principal.user.id if principal.user else 0)


def list_webhooks(session: Session, principal: Principal, params: PageParams) -> tuple[list[Webhook], int]:
    stmt = select(Webhook).where(_scope(principal)).order_by(col(Webhook.id))
    return paginate(session, stmt, params)


def all_webhooks(session: Session, principal: Principal) -> list[tuple[Webhook, User]]:
    stmt = select(Webhook, User).join(User, col(User.id) == Webhook.owner_id).where(_scope(principal))
    return [(w, u) for w, u in session.exec(stmt.order_by(col(Webhook.id))).all()]


def get_webhook(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    scope = _scope(principal)
    found = (
        session.exec(select(Webhook).where(col(Webhook.id) == webhook_id, scope)).first()
        if is_valid_id(webhook_id)
        else None
    )
    if found is None:
        raise NotFound("No such webhook (or it is not yours).")
    return found


def create_webhook(
    session: Session, principal: Principal, data: WebhookInput, *, ip: str | None = None
) -> tuple[Webhook, str]:
    """The webhook and its secret (shown once)."""
    authorize(principal, Action.manage_webhooks)
    assert principal.user is not None
    secret = secrets.new_secret()
    webhook = Webhook(
        owner_id=id_of(principal.user),
        url=check_url(data.url or ""),
        event_types=check_event_types(data.event_types or []),
        description=(data.description or "").strip(),
        active=True if data.active is None else data.active,
        secret_encrypted=secrets.seal(secret),
        secret_prefix=secret[:12],
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(webhook)
    session.flush()
    record(
        session,
        action="webhook.created",
        entity_type=ENTITY,
        entity_id=webhook.id,
        actor=principal.user,
        summary=f"Webhook naar {webhook.url}",
        after=snapshot(webhook),
        ip=ip,
    )
    return webhook, secret


def update_webhook(
    session: Session, principal: Principal, webhook: Webhook, data: WebhookInput, *, ip: str | None = None
) -> Webhook:
    authorize(principal, Action.manage_webhooks)
    before = snapshot(webhook)
    if data.url is not None:
        webhook.url = check_url(data.url)
    if data.event_types is not None:
        webhook.event_types = check_event_types(data.event_types)
    if data.description is not None:
        webhook.description = data.description.strip()
    if data.active is not None:
        webhook.active = data.active
        if data.active:
            webhook.disabled_reason = ""
    after = snapshot(webhook)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        webhook.updated_at = clock.now()
        session.add(webhook)
        record(
            session,
            action="webhook.updated",
            entity_type=ENTITY,
            entity_id=webhook.id,
            actor=principal.user,
            summary=f"Webhook naar {webhook.url} gewijzigd: {', '.join(sorted(changed))}",
            before={k: before[k] for k in changed},
            after=changed,
            ip=ip,
        )
    return webhook


def rotate_secret(session: Session, principal: Principal, webhook: Webhook, *, ip: str | None = None) -> str:
    authorize(principal, Action.manage_webhooks)
    secret = secrets.new_secret()
    webhook.secret_encrypted, webhook.secret_prefix = secrets.seal(secret), secret[:12]
    webhook.updated_at = clock.now()
    session.add(webhook)
    record(
        session,
        action="webhook.secret_rotated",
        entity_type=ENTITY,
        entity_id=webhook.id,
        actor=principal.user,
        summary=f"Nieuw geheim voor de webhook naar {webhook.url}",
        ip=ip,
    )
    return secret


def delete_webhook(session: Session, principal: Principal, webhook: Webhook, *, ip: str | None = None) -> None:
    authorize(principal, Action.manage_webhooks)
    record(
        session,
        action="webhook.deleted",
        entity_type=ENTITY,
        entity_id=webhook.id,
        actor=principal.user,
        summary=f"Webhook naar {webhook.url} verwijderd",
        before=snapshot(webhook),
        ip=ip,
    )
    session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook.id))
    session.delete(webhook)
    session.flush()


def list_deliveries(
    session: Session, principal: Principal, webhook: Webhook, params: PageParams
) -> tuple[list[WebhookDelivery], int]:
    """Newest first."""
    authorize(principal, Action.manage_webhooks)
    stmt = (
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id).order_by(col(WebhookDelivery.id).desc())
    )
    return paginate(session, stmt, params)


def redeliver(
    session: Session, principal: Principal, webhook: Webhook, delivery_id: int, *, ip: str | None = None
) -> WebhookDelivery:
    """Send an earlier delivery's event again, as a new delivery (the log keeps both)."""
    authorize(principal, Action.manage_webhooks)
    earlier = (
        session.exec(
            select(WebhookDelivery).where(
                col(WebhookDelivery.id) == delivery_id, WebhookDelivery.webhook_id == webhook.id
            )
        ).first()
        if is_valid_id(delivery_id)
        else None
    )
    if earlier is None:
        raise NotFound("No such delivery of this webhook.")
    again = WebhookDelivery(
        webhook_id=id_of(webhook),
        event_id=earlier.event_id,
        redelivery_of_id=earlier.id,
        status=WebhookDeliveryStatus.pending,
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    session.add(again)
    session.flush()
    record(
        session,
        action="webhook.redelivered",
        entity_type=ENTITY,
        entity_id=webhook.id,
        actor=principal.user,
        summary=f"Levering {earlier.id} opnieuw verzonden naar {webhook.url}",
        after={"delivery_id": again.id, "event_id": again.event_id, "redelivery_of_id": earlier.id},
        ip=ip,
    )
    return again
