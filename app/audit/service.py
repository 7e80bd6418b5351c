"""The audit trail: every change writes an AuditEvent in the same transaction. Append-only."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.models import AuditEvent, User


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
