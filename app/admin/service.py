"""Queries for the admin pages: users with their organisation, and the outbox. Each asks app.policy first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from app.accounts.service import ROLE_NAMES
from app.kit.errors import NotFound
from app.kit.pagination import PageParams, paginate
from app.models import Municipality, OutboxMessage, Provider, User, is_valid_id
from app.policy import Action, Principal, authorize


@dataclass(frozen=True)
class UserRow:
    user: User
    organisation: str
    role_name: str  # untranslated (ROLE_NAMES); "" for a role that does not exist


def list_users(session: Session, principal: Principal, *, role: str = "", q: str = "") -> list[UserRow]:
    """Every user with the name of their provider or municipality, in one query."""
    authorize(principal, Action.view_admin)
    stmt = (
        select(User, Provider.name, Municipality.name)
        .outerjoin(Provider, col(Provider.id) == User.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
    )
    if role:
        stmt = stmt.where(col(User.role) == role)
    if q:
        needle = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(
                col(User.email).like(needle),
                col(User.name).ilike(needle),
                col(Provider.name).ilike(needle),
                col(Municipality.name).ilike(needle),
            )
        )
    rows = session.exec(stmt.order_by(User.role, User.email)).all()
    return [
        UserRow(user=u, organisation=p or (f"Gemeente {m}" if m else "SDFL"), role_name=ROLE_NAMES.get(u.role, ""))
        for u, p, m in rows
    ]


def providers(session: Session) -> list[Provider]:
    """The providers a new user can be linked to: archived ones are left out."""
    return list(session.exec(select(Provider).where(col(Provider.archived_at).is_(None)).order_by(Provider.name)).all())


def municipalities(session: Session) -> list[Municipality]:
    """The municipalities a new user can be linked to: archived ones are left out."""
    return list(
        session.exec(
            select(Municipality).where(col(Municipality.archived_at).is_(None)).order_by(Municipality.name)
        ).all()
    )


def list_outbox(
    session: Session, principal: Principal, *, status: str, params: PageParams
) -> tuple[list[OutboxMessage], int]:
    authorize(principal, Action.view_admin)
    stmt = select(OutboxMessage)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    return paginate(session, stmt.order_by(col(OutboxMessage.id).desc()), params)


def outbox_message(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    authorize(principal, Action.view_admin)
    message = session.get(OutboxMessage, message_id) if is_valid_id(message_id) else None
    if message is None:
        raise NotFound("Message not found.")
    return message


# One-time links (invitations, password resets) set a password for whoever opens them first. Admins see which
# link a mail carried, never the link itself; the mail keeps it.
_ONE_TIME_LINK = re.compile(r"(/account/set-password/)[A-Za-z0-9_\-]+")


def redact_one_time_links(text: str) -> str:
    return _ONE_TIME_LINK.sub(r"\1…", text or "")
