"""The release (admins): every drafted official reply and every pending decision published at one moment, so
every provider learns SDFL's answers at the same time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from app.audit.service import record
from app.kit import clock
from app.kit.errors import Conflict, invalid
from app.kit.i18n import gettext as _
from app.models import AgendaItemComment, Comment
from app.policy import Action, Principal, authorize


@dataclass
class Pending:
    replies: int
    decisions: int


def _drafted_replies() -> ColumnElement[bool]:
    return and_(col(Comment.official).is_(True), col(Comment.deleted_at).is_(None), col(Comment.release_at).is_(None))


def _pending_decisions() -> ColumnElement[bool]:
    return and_(col(Comment.status) != col(Comment.published_status), col(Comment.status_release_at).is_(None))


def _unreleased_agenda_link() -> ColumnElement[bool]:
    return (
        exists()
        .where(col(AgendaItemComment.comment_id) == Comment.id, col(AgendaItemComment.released_at).is_(None))
        .correlate(Comment)
    )


def pending(session: Session) -> Pending:
    """What the next release would publish (a comment put on the agenda counts as a decision)."""
    replies = session.exec(select(func.count()).where(_drafted_replies())).one()
    decisions = session.exec(
        select(func.count()).select_from(Comment).where(or_(_pending_decisions(), _unreleased_agenda_link()))
    ).one()
    return Pending(replies=int(replies), decisions=int(decisions))


def release(session: Session, principal: Principal, at: datetime | None, *, ip: str | None = None) -> Pending:
    """Release every drafted official reply and every pending decision at ``at`` (now by default), together."""
    authorize(principal, Action.triage)
    now = clock.now()
    moment = at or now
    if moment < now - timedelta(minutes=1):
        raise invalid({"release_at": _("Kies nu of een moment in de toekomst.")})
    replies = list(session.exec(select(Comment).where(_drafted_replies())).all())
    decided = list(session.exec(select(Comment).where(_pending_decisions())).all())
    links = list(session.exec(select(AgendaItemComment).where(col(AgendaItemComment.released_at).is_(None))).all())
    if not replies and not decided and not links:
        raise Conflict(_("Er zijn geen conceptantwoorden of beoordelingen om vrij te geven."), user_message=True)
    for reply in replies:
        reply.release_at = moment
        session.add(reply)
    for comment in decided:
        comment.status_release_at = moment
        session.add(comment)
    for link in links:  # "op de agenda van sessie N" is shown from the same moment
        link.released_at = moment
        session.add(link)
    record(
        session,
        action="review.released",
        entity_type="review",
        actor=principal.user,
        summary=f"{len(replies)} antwoorden en {len(decided)} beoordelingen vrijgegeven per {moment.isoformat()}",
        after={
            "release_at": moment.isoformat(),
            "replies": [r.id for r in replies],
            "decisions": [c.id for c in decided],
            "agenda": [link.comment_id for link in links],
        },
        ip=ip,
    )
    return Pending(replies=len(replies), decisions=len(decided))
