"""The dialogue, its sessions and its participants."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.kit.errors import NotFound
from app.models import (
    CareForm,
    Dialogue,
    DialogueSession,
    DialogueStatus,
    Invitation,
    Provider,
)


def current_dialogue(session: Session) -> tuple[Dialogue, CareForm | None]:
    """The dialogue the site is about (the newest active one, else the newest) with its care form."""
    row = session.exec(
        select(Dialogue, CareForm)
        .outerjoin(CareForm, col(CareForm.id) == Dialogue.care_form_id)
        .order_by(col(Dialogue.status) != DialogueStatus.active, col(Dialogue.id).desc())
    ).first()
    if row is None:
        raise NotFound("Er is nog geen dialoogtraject.", user_message=True)
    return row[0], row[1]


def list_sessions(session: Session, dialogue_id: int) -> list[DialogueSession]:
    return list(
        session.exec(
            select(DialogueSession)
            .where(DialogueSession.dialogue_id == dialogue_id)
            .order_by(col(DialogueSession.number), col(DialogueSession.id))
        ).all()
    )


@dataclass(frozen=True)
class Participant:
    provider: Provider
    invitation: Invitation


def participants(session: Session, dialogue_id: int) -> list[Participant]:
    """Every invited provider with its invitation, by name, in one query."""
    rows = session.exec(
        select(Provider, Invitation)
        .join(Invitation, col(Invitation.provider_id) == Provider.id)
        .where(Invitation.dialogue_id == dialogue_id)
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    return [Participant(provider=p, invitation=i) for p, i in rows]
