"""The comment window of a proposal: when comments can be written, and the next moment that changes what
readers of a proposal see without anyone writing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from app.kit import clock
from app.kit.i18n import fmt_datetime
from app.kit.i18n import gettext as _
from app.models import Comment, Proposal, ProposalVersion, Section


def window_state(proposal: Proposal, now: datetime | None = None) -> str:
    """``open``, ``not_open`` (not yet, or no window set) or ``closed``."""
    now = now or clock.now()
    if proposal.opens_at is None or proposal.closes_at is None or now < proposal.opens_at:
        return "not_open"
    return "open" if now < proposal.closes_at else "closed"


def window_message(proposal: Proposal, now: datetime | None = None) -> str:
    """Why nobody can comment now, in Dutch; empty while the window is open."""
    state = window_state(proposal, now)
    if state == "open":
        return ""
    if state == "closed":
        return _(
            "De reactietermijn is gesloten sinds %(closed)s. Reageren kan niet meer.",
            closed=fmt_datetime(proposal.closes_at),
        )
    if proposal.opens_at is None:
        return _("Voor dit voorstel is nog geen reactietermijn vastgesteld.")
    return _("De reactietermijn opent op %(opens)s.", opens=fmt_datetime(proposal.opens_at))


def next_change(session: Session, proposal: Proposal, now: datetime) -> datetime | None:
    """The first scheduled moment after ``now`` that changes what readers of the proposal see without anyone
    writing: an answer or decision released, the comment window opening or closing. One query."""
    in_proposal = col(Comment.section_id).in_(
        select(Section.id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(ProposalVersion.proposal_id == proposal.id)
    )
    released, decided = session.exec(
        select(
            func.min(Comment.release_at).filter(col(Comment.release_at) > now),
            func.min(Comment.status_release_at).filter(col(Comment.status_release_at) > now),
        ).where(in_proposal)
    ).one()
    moments = [m for m in (released, decided, proposal.opens_at, proposal.closes_at) if m is not None and m > now]
    return min(moments, default=None)
