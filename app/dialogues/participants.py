"""Who takes part in a dialogue: the providers that accepted their invitation, and their active contacts.

Meetings, proposals and review read them from here (save-the-dates, mail about proposals, who answered what).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.kit.errors import N_
from app.kit.i18n import gettext as _
from app.models import Invitation, InvitationStatus, Provider, StakeholderGroup, User
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
