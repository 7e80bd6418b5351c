"""The event log (issue 20): an append-only, typed record of what happened, for integrators.

The domains call ``record_event`` in the transaction of the change (one line beside their audit record), so an
event exists exactly when its change is committed. An event is thin: its type, the trajectory, the subject (type,
id and the URL of its API resource) and ids in ``data``; never drafted content, which readers fetch from the API
with their own rights. ``visible_at`` is the moment readers may see it: now, or a release moment (a document's,
the official replies'); ``record_release`` keeps it right when that moment is moved before it came.

Who reads what follows ``audience`` and the policy (``readable`` in SQL, ``may_read`` in Python, the same rule):
public events everyone; participants' events whoever may read the trajectory's comments (a provider's user or a
consultation participant only in the trajectories it takes part in); reviewers' events SDFL and the
municipalities. The feed (``feed``) is ordered by ``(visible_at, id)`` and continued by an opaque cursor; it shows
only events that became visible at least ``SETTLE`` ago, so a transaction that commits a little later than it
recorded its event can never put that event behind a cursor a reader already holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.config import get_settings
from app.kit import clock
from app.kit.feed import Position, encode_cursor
from app.models import Comment, DialogueSession, Document, Event, EventAudience, Proposal, ProposalVersion
from app.policy import Action, Principal, can

COMMENT_CREATED = "comment.created"
COMMENT_EDITED = "comment.edited"
COMMENT_WITHDRAWN = "comment.withdrawn"
COMMENT_ANSWERED = "comment.answered"  # an official reply or a decision released (at the release's moment)
DOCUMENT_RELEASED = "document.released"
PROPOSAL_PUBLISHED = "proposal.published"  # a version of a proposal published
SESSION_CHANGED = "session.changed"
REPORT_PUBLISHED = "report.published"
QUESTION_ANSWERED = "question.answered"  # its answer went out in a released nota
NOTA_PUBLISHED = "nota.published"
PACKAGE_RELEASED = "package.released"

EVENT_TYPES: tuple[str, ...] = (
    COMMENT_CREATED,
    COMMENT_EDITED,
    COMMENT_WITHDRAWN,
    COMMENT_ANSWERED,
    DOCUMENT_RELEASED,
    PROPOSAL_PUBLISHED,
    SESSION_CHANGED,
    REPORT_PUBLISHED,
    QUESTION_ANSWERED,
    NOTA_PUBLISHED,
    PACKAGE_RELEASED,
)

# The API resource of a subject (under /api/v1); None: no resource of its own.
SUBJECT_PATHS: dict[str, str | None] = {
    "comment": "/comments/{id}",
    "document": "/documents/{id}",
    "proposal": "/proposals/{id}",
    "session": "/sessions/{id}",
    "question": "/questions/{id}",
    "nota": "/notas/{id}",
    "package": None,
}

# How long after its visible_at an event waits before the feed shows it (see the module's docstring).
SETTLE = timedelta(seconds=2)


def record_event(
    session: Session,
    type: str,
    *,
    subject: tuple[str, int | None],
    dialogue_id: int | None,
    audience: str = EventAudience.participants,
    visible_at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Add an event to the caller's transaction (committed with the change it describes). ``subject`` is
    (type, id) of the thing it is about; ``visible_at`` a later release moment (default: now)."""
    if type not in EVENT_TYPES or subject[0] not in SUBJECT_PATHS:
        raise ValueError(f"unknown event type or subject: {type} {subject[0]}")
    if subject[1] is None:
        raise ValueError(f"the subject of {type} has no id: flush the session before recording the event")
    event = Event(
        type=type,
        # Never before now: an event recorded late for a moment that passed (a scheduled release run by the worker)
        # must not land behind a cursor a reader already holds.
        visible_at=max(visible_at or clock.now(), clock.now()),
        dialogue_id=dialogue_id,
        audience=audience,
        subject_type=subject[0],
        subject_id=subject[1],
        data=data or {},
    )
    session.add(event)
    return event


def record_release(
    session: Session,
    type: str,
    *,
    subject: tuple[str, int | None],
    dialogue_id: int | None,
    audience: str,
    visible_at: datetime,
    data: dict[str, Any] | None = None,
) -> Event | None:
    """The event of a release at a moment that may still be moved: the one event of (type, subject) that has not
    become visible yet gets the new moment and audience; else a new one (None if it is already out and the
    moment did not move into the future: a release is told once)."""
    assert subject[1] is not None
    now = clock.now()
    earlier = session.exec(
        select(Event)
        .where(Event.type == type, Event.subject_type == subject[0], Event.subject_id == subject[1])
        .order_by(col(Event.id).desc())
        .limit(1)
    ).first()
    if earlier is not None and earlier.visible_at > now:
        earlier.visible_at, earlier.audience = visible_at, audience
        session.add(earlier)
        return earlier
    if earlier is not None and visible_at <= now:
        return None
    return record_event(
        session, type, subject=subject, dialogue_id=dialogue_id, audience=audience, visible_at=visible_at, data=data
    )


def comment_audience(visibility: str) -> str:
    """A comment's events are for the trajectory's participants, an internal comment's for reviewers."""
    return EventAudience.reviewers if visibility == "internal" else EventAudience.participants


def comment_event(session: Session, type: str, comment: Comment, *, dialogue_id: int) -> Event | None:
    """``comment.created``/``edited``/``withdrawn`` of a participant's comment or reply (an official reply is told
    by ``comment.answered`` at its release, never while drafted)."""
    if comment.official:
        return None
    data = {"section_id": comment.section_id, "parent_id": comment.parent_id}
    return record_event(
        session,
        type,
        subject=("comment", comment.id),
        dialogue_id=dialogue_id,
        audience=comment_audience(comment.visibility),
        data=data,
    )


def comments_answered(session: Session, dialogue_id: int, comment_ids: Iterable[int | None], moment: datetime) -> None:
    """``comment.answered`` for each comment whose official reply or decision is released at ``moment``."""
    for comment_id in sorted({c for c in comment_ids if c is not None}):
        record_event(
            session, COMMENT_ANSWERED, subject=("comment", comment_id), dialogue_id=dialogue_id, visible_at=moment
        )


def proposal_published(session: Session, proposal: Proposal, version: ProposalVersion, at: datetime) -> None:
    record_event(
        session,
        PROPOSAL_PUBLISHED,
        subject=("proposal", proposal.id),
        dialogue_id=proposal.dialogue_id,
        audience=EventAudience.public if proposal.public else EventAudience.participants,
        visible_at=at,
        data={"version_id": version.id, "number": version.number},
    )


def session_changed(session: Session, meeting: DialogueSession, changed: list[str]) -> None:
    """Dates, places and agendas are public: the names of the changed fields, not their values."""
    record_event(
        session,
        SESSION_CHANGED,
        subject=("session", meeting.id),
        dialogue_id=meeting.dialogue_id,
        audience=EventAudience.public,
        data={"changed": changed},
    )


def report_published(session: Session, meeting: DialogueSession) -> None:
    record_event(
        session,
        REPORT_PUBLISHED,
        subject=("session", meeting.id),
        dialogue_id=meeting.dialogue_id,
        audience=EventAudience.public,
    )


def document_release(session: Session, document: Document) -> None:
    """``document.released`` at the document's own moment (kept right when it moves); a document in a release
    package is told by ``package_released``."""
    if document.package_id is None:
        record_release(
            session,
            DOCUMENT_RELEASED,
            subject=("document", document.id),
            dialogue_id=document.dialogue_id,
            audience=document.audience,
            visible_at=document.release_at,
        )


def nota_released(session: Session, dialogue_id: int, nota_id: int, question_ids: list[int], at: datetime) -> None:
    record_event(session, NOTA_PUBLISHED, subject=("nota", nota_id), dialogue_id=dialogue_id, visible_at=at)
    for question_id in question_ids:
        record_event(
            session,
            QUESTION_ANSWERED,
            subject=("question", question_id),
            dialogue_id=dialogue_id,
            visible_at=at,
            data={"nota_id": nota_id},
        )


def package_released(
    session: Session, dialogue_id: int, package_id: int, document_ids: list[int], at: datetime
) -> None:
    """``package.released`` and a ``document.released`` per document in it (its versions are told by
    ``proposal.published``, its nota by ``nota.published``). Who may read a document follows its audience."""
    record_event(session, PACKAGE_RELEASED, subject=("package", package_id), dialogue_id=dialogue_id, visible_at=at)
    audiences = dict(
        session.exec(select(Document.id, Document.audience).where(col(Document.id).in_(document_ids))).all()
    )
    for document_id in document_ids:
        record_event(
            session,
            DOCUMENT_RELEASED,
            subject=("document", document_id),
            dialogue_id=dialogue_id,
            audience=audiences.get(document_id, EventAudience.participants),
            visible_at=at,
            data={"package_id": package_id},
        )


# --- reading ---------------------------------------------------------------------------------------------------


def readable(principal: Principal) -> ColumnElement[bool]:
    """The events ``principal`` may read, as a SQL condition (``may_read`` is the same rule in Python)."""
    audience = col(Event.audience)
    allowed: list[ColumnElement[bool]] = [audience == EventAudience.public]
    if can(principal, Action.view_comments):
        if principal.limited_to_memberships:
            taking_part = sorted(principal.taking_part_in)
            allowed.append(
                and_(audience == EventAudience.participants, col(Event.dialogue_id).in_(taking_part))
                if taking_part
                else false()
            )
        else:
            allowed.append(audience == EventAudience.participants)
    if can(principal, Action.review):
        allowed.append(audience == EventAudience.reviewers)
    return or_(*allowed)


def may_read(principal: Principal, event: Event) -> bool:
    if event.audience == EventAudience.public:
        return True
    if event.audience == EventAudience.participants:
        return can(principal.in_dialogue(event.dialogue_id), Action.view_comments)
    return event.audience == EventAudience.reviewers and can(principal, Action.review)


def feed(
    session: Session,
    principal: Principal,
    *,
    after: Position | None,
    types: Sequence[str] = (),
    limit: int,
) -> tuple[list[Event], str | None]:
    """Up to ``limit`` events ``principal`` may read after the cursor position, oldest first, and the cursor
    after the last one (None at the end: keep the last cursor you got)."""
    stmt = select(Event).where(col(Event.visible_at) <= clock.now() - SETTLE, readable(principal))
    if types:
        stmt = stmt.where(col(Event.type).in_(list(types)))
    if after is not None:
        stmt = stmt.where(
            or_(
                col(Event.visible_at) > after.updated_at,
                and_(col(Event.visible_at) == after.updated_at, col(Event.id) > after.id),
            )
        )
    rows = list(session.exec(stmt.order_by(col(Event.visible_at), col(Event.id)).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (cursor_of(rows[-1]) if more and rows else None)


def cursor_of(event: Event) -> str:
    return encode_cursor(Position(event.visible_at, event.id or 0))


def subject_url(event: Event) -> str | None:
    path = SUBJECT_PATHS.get(event.subject_type)
    if path is None:
        return None
    return get_settings().base_url.rstrip("/") + "/api/v1" + path.format(id=event.subject_id)
