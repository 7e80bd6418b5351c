"""Which comments a published version worked in ("verwerkt in versie N")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.dialogues.participants import group_label
from app.models import Comment, ProposalVersion, Provider, Section, User, VersionStatus
from app.policy import PARTICIPANT_ROLE


@dataclass
class AppliedLink:
    """A comment that a version worked in ("verwerkt in versie N")."""

    comment_id: int
    section_key: str
    section_heading: str
    organisation: str


def applied_in(session: Session, version: ProposalVersion) -> list[AppliedLink]:
    """The comments a published version took in, in the order of its sections, with the provider they came from
    (a consultation participant's: its stakeholder group, never its name). One query."""
    if version.status != VersionStatus.published:
        return []
    now_section = aliased(Section, name="now_section")
    return [
        AppliedLink(
            comment_id=cid or 0,
            section_key=key,
            section_heading=heading,
            organisation=provider or (group_label(group) if role == PARTICIPANT_ROLE else ""),
        )
        for cid, key, heading, provider, role, group in session.exec(
            select(  # type: ignore[call-overload]
                Comment.id, Section.key, now_section.heading, Provider.name, User.role, User.stakeholder_group
            )
            .join(Section, col(Section.id) == Comment.section_id)
            .join(User, col(User.id) == Comment.author_id)
            .outerjoin(
                now_section, and_(col(now_section.version_id) == version.id, col(now_section.key) == Section.key)
            )
            .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
            .where(Comment.applied_in_version_id == version.id, col(Comment.deleted_at).is_(None))
            .order_by(col(now_section.position), col(Comment.id))
        ).all()
    ]
