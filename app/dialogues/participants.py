"""Who takes part in a trajectory: the providers that accepted their invitation and their active contacts, and
(in a consultation) the approved participants; how a participant is named as an author.

Meetings, proposals and review read them from here (save-the-dates, mail about proposals, who answered what).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.kit.errors import N_
from app.kit.i18n import gettext as _
from app.models import (
    Invitation,
    InvitationStatus,
    Participation,
    ParticipationStatus,
    Provider,
    StakeholderGroup,
    User,
)
from app.policy import INVITED_ROLE, PARTICIPANT_ROLE, Principal


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


def approved_participants(session: Session, dialogue_id: int) -> list[User]:
    """Active consultation participants (role participant) with an approved participation in the trajectory,
    by email."""
    return list(
        session.exec(
            select(User)
            .join(Participation, col(Participation.user_id) == User.id)
            .where(
                Participation.dialogue_id == dialogue_id,
                Participation.status == ParticipationStatus.approved,
                col(User.role) == PARTICIPANT_ROLE,
                col(User.active),
            )
            .order_by(col(User.email))
        ).all()
    )


def members(session: Session, dialogue_id: int) -> list[User]:
    """Who takes part in the trajectory as a member: the active users of the providers that accepted and the
    approved consultation participants (each once), by email."""
    found = {u.id: u for u in accepted_contacts(session, dialogue_id) + approved_participants(session, dialogue_id)}
    return sorted(found.values(), key=lambda u: (u.email, u.id or 0))


def in_trajectories(principal: Principal, dialogue_id: Any) -> ColumnElement[bool]:
    """Whether the trajectory ``dialogue_id`` (a column) is one ``principal`` takes part in: for a provider's user or
    a consultation participant the trajectories of ``Principal.taking_part_in``, for everyone else every one (their
    role decides). Lists that span trajectories limit what is only for participants with it."""
    if not principal.limited_to_memberships:
        return true()
    taking_part = sorted(principal.taking_part_in)
    return col(dialogue_id).in_(taking_part) if taking_part else false()


# --- consultation participants: stakeholder groups and how an author is named -------------------------------

GROUP_LABELS: dict[str, str] = {
    StakeholderGroup.provider: N_("Zorgaanbieder"),
    StakeholderGroup.local_referrer: N_("Lokale verwijzer"),
    StakeholderGroup.external_referrer: N_("Externe verwijzer"),
    StakeholderGroup.experience_expert: N_("Ervaringsdeskundige"),
    StakeholderGroup.other: N_("Andere belanghebbende"),
}


def group_label(group: str | None) -> str:
    """The stakeholder group as shown (translated)."""
    return _(GROUP_LABELS[group]) if group in GROUP_LABELS else ""


def participant_label(
    *, name: str, group: str | None, organisation: str, pseudonym: str | None, sees_names: bool
) -> tuple[str, str]:
    """How a consultation participant (role ``participant``) is shown as an author: (name, organisation line).

    Experience experts may take part under a pseudonym: other participants see only the pseudonym (and the group),
    staff (``sees_names``: the policy's ``see_participant_names``) see the name, the group and the organisation."""
    line = ", ".join(part for part in (group_label(group), organisation) if part)
    if pseudonym and not sees_names:
        return pseudonym, group_label(group)
    if pseudonym:
        return f"{name} ({pseudonym})", line
    return name, line
