"""Who takes part in a dialogue: the providers that accepted their invitation, and their active contacts.

Meetings, proposals and review read them from here (save-the-dates, mail about proposals, who answered what).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.models import Invitation, InvitationStatus, Provider, User
from app.policy import INVITED_ROLE


def accepted_providers(session: Session, dialogue_id: int) -> list[Provider]:
    """The providers that accepted the invitation to the dialogue, by name."""
    return list(
        session.exec(
            select(Provider)
            .join(Invitation, col(Invitation.provider_id) == Provider.id)
            .where(Invitation.dialogue_id == dialogue_id, Invitation.status == InvitationStatus.accepted)
            .order_by(col(Provider.name), col(Provider.id))
        ).all()
    )


def accepted_contacts(session: Session, dialogue_id: int, provider_id: int | None = None) -> list[User]:
    """Active users of the providers that accepted (or of one of them)."""
    stmt = (
        select(User)
        .join(Invitation, col(Invitation.provider_id) == User.provider_id)
        .where(
            Invitation.dialogue_id == dialogue_id,
            Invitation.status == InvitationStatus.accepted,
            col(User.role) == INVITED_ROLE,
            col(User.active),
        )
        .order_by(col(User.email))
    )
    if provider_id is not None:
        stmt = stmt.where(User.provider_id == provider_id)
    return list(session.exec(stmt).all())
