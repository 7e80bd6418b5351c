"""The dialogue, its sessions and its participants."""

from __future__ import annotations

from collections import Counter
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
    User,
)
from app.policy import ROLES, Action


def _newest_dialogue(session: Session) -> tuple[Dialogue, CareForm | None] | None:
    row = session.exec(
        select(Dialogue, CareForm)
        .outerjoin(CareForm, col(CareForm.id) == Dialogue.care_form_id)
        .order_by(col(Dialogue.status) != DialogueStatus.active, col(Dialogue.id).desc())
    ).first()
    return (row[0], row[1]) if row else None


def current_dialogue(session: Session) -> tuple[Dialogue, CareForm | None]:
    """The dialogue the site is about (the newest active one, else the newest) with its care form."""
    found = _newest_dialogue(session)
    if found is None:
        raise NotFound("Er is nog geen dialoogtraject.", user_message=True)
    return found


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


@dataclass(frozen=True)
class Home:
    """The public home page: the dialogue, its sessions and the invited providers with their answers."""

    dialogue: Dialogue
    care_form: CareForm | None
    sessions: list[DialogueSession]
    participants: list[Participant]
    counts: Counter[str]


@dataclass(frozen=True)
class FirstRun:
    """A new installation without a dialogue: what to do first (``has_admin``: the first admin exists)."""

    has_admin: bool


def home(session: Session) -> Home | FirstRun:
    """The home page, or on a new installation the start page."""
    found = _newest_dialogue(session)
    if found is None:
        managers = ROLES[Action.manage]  # who may set the installation up
        admin = session.exec(select(User.id).where(col(User.role).in_(managers), col(User.active)).limit(1)).first()
        return FirstRun(has_admin=admin is not None)
    dialogue, care_form = found
    invited = participants(session, dialogue.id or 0)
    return Home(
        dialogue=dialogue,
        care_form=care_form,
        sessions=list_sessions(session, dialogue.id or 0),
        participants=invited,
        counts=Counter(p.invitation.status for p in invited),
    )
