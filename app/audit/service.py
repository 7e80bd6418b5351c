"""The audit trail: every change writes an AuditEvent in the same transaction. Append-only; only admins read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.kit.pagination import PageParams, paginate
from app.models import AuditEvent, User
from app.policy import Action, Principal, authorize


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: object = "",
    actor: User | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id or ""),
        summary=summary,
        before=before,
        after=after,
        ip=ip,
    )
    session.add(event)
    return event


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # prefix, e.g. "auth." or "user.created"
    actor: str = ""  # part of the actor's e-mail
    entity_type: str = ""
    entity_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def list_events(
    session: Session, principal: Principal, filters: AuditFilter, params: PageParams
) -> tuple[list[AuditEvent], int]:
    """Newest first, filtered."""
    authorize(principal, Action.audit_log)
    stmt = select(AuditEvent)
    if filters.action:
        stmt = stmt.where(col(AuditEvent.action).startswith(filters.action))
    if filters.actor:
        stmt = stmt.where(col(AuditEvent.actor_label).contains(filters.actor.lower()))
    if filters.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEvent.at < filters.until)
    return paginate(session, stmt.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc()), params)


def entity_types(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)).all())
