"""What SDFL and the municipalities are drafting together: the draft versions of proposals and the agendas of the
sessions to come, each a link to where its sections or agenda items are written (municipal co-authors reach the
draft pages from here; the admin lists of proposals and sessions stay SDFL's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.kit import clock
from app.models import (
    AgendaItem,
    Dialogue,
    DialogueSession,
    Proposal,
    ProposalVersion,
    Section,
    SessionStatus,
    VersionStatus,
)
from app.policy import Action, Principal, authorize


@dataclass(frozen=True)
class DraftVersion:
    proposal_id: int
    title: str
    dialogue: str
    number: int
    sections: int


@dataclass(frozen=True)
class UpcomingAgenda:
    session_id: int
    number: int
    title: str
    dialogue: str
    starts_at: datetime
    items: int


@dataclass(frozen=True)
class Drafts:
    versions: list[DraftVersion]
    sessions: list[UpcomingAgenda]


def overview(session: Session, principal: Principal) -> Drafts:
    """Every draft proposal version and every session still to come (not cancelled), with what they hold so far.
    Four queries."""
    authorize(principal, Action.draft)
    draft_rows = session.exec(
        select(Proposal, Dialogue.title, ProposalVersion)
        .join(ProposalVersion, col(ProposalVersion.proposal_id) == Proposal.id)
        .join(Dialogue, col(Dialogue.id) == Proposal.dialogue_id)
        .where(ProposalVersion.status == VersionStatus.draft)
        .order_by(col(Dialogue.title), col(Proposal.title), col(Proposal.id))
    ).all()
    version_ids = [v.id for _p, _t, v in draft_rows]
    sections: dict[int, int] = dict(
        session.exec(
            select(Section.version_id, func.count(col(Section.id)))
            .where(col(Section.version_id).in_(version_ids))
            .group_by(col(Section.version_id))
        ).all()
    )
    versions = [
        DraftVersion(
            proposal_id=p.id or 0,
            title=p.title,
            dialogue=dialogue,
            number=v.number,
            sections=sections.get(v.id or 0, 0),
        )
        for p, dialogue, v in draft_rows
    ]
    session_rows = session.exec(
        select(DialogueSession, Dialogue.title)
        .join(Dialogue, col(Dialogue.id) == DialogueSession.dialogue_id)
        .where(DialogueSession.ends_at >= clock.now(), DialogueSession.status != SessionStatus.cancelled)
        .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
    ).all()
    items: dict[int, int] = dict(
        session.exec(
            select(AgendaItem.session_id, func.count(col(AgendaItem.id)))
            .where(col(AgendaItem.session_id).in_([m.id for m, _t in session_rows]))
            .group_by(col(AgendaItem.session_id))
        ).all()
    )
    upcoming = [
        UpcomingAgenda(
            session_id=m.id or 0,
            number=m.number,
            title=m.title,
            dialogue=dialogue,
            starts_at=m.starts_at,
            items=items.get(m.id or 0, 0),
        )
        for m, dialogue in session_rows
    ]
    return Drafts(versions=versions, sessions=upcoming)
