"""The reviewers' details of comments, for the API: SDFL's official reply, the municipalities' positions and the
internal notes, each only for the readers that may see it (``app.policy``), loaded for a page of comments in a
fixed number of queries.

A participant gets the official reply once it is released, and never positions or notes (``None``, not an empty
list: the field is not theirs); SDFL also gets the drafted reply; reviewers get positions and notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.feedback.visibility import official_visible, organisation
from app.kit.markdown import render_markdown
from app.models import Comment, InternalNote, Municipality, Position, User
from app.policy import Action, Principal, can


@dataclass(frozen=True)
class ReplyDetail:
    id: int
    body: str
    body_html: str
    release_at: datetime | None
    released: bool
    author_name: str


@dataclass(frozen=True)
class PositionDetail:
    municipality_id: int
    municipality: str
    stance: str
    note: str
    updated_at: datetime


@dataclass(frozen=True)
class NoteDetail:
    id: int
    author_name: str
    organisation: str
    body: str
    body_html: str
    created_at: datetime


@dataclass
class Details:
    official_reply: ReplyDetail | None = None
    positions: list[PositionDetail] | None = None
    notes: list[NoteDetail] | None = None


def load_details(session: Session, principal: Principal, comments: list[Comment], now: datetime) -> dict[int, Details]:
    """comment id -> its details as ``principal`` may see them: at most three queries."""
    reviewer = can(principal, Action.read_internal_notes)
    out = {c.id or 0: Details(positions=[] if reviewer else None, notes=[] if reviewer else None) for c in comments}
    ids = [c.id or 0 for c in comments if c.parent_id is None and not c.official]
    if not ids:
        return out
    for reply, author in session.exec(
        select(Comment, User.name)
        .join(User, col(User.id) == Comment.author_id)
        .where(col(Comment.parent_id).in_(ids), official_visible(principal, now))
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all():  # the latest one wins
        out[reply.parent_id or 0].official_reply = ReplyDetail(
            id=reply.id or 0,
            body=reply.body,
            body_html=reply.body_html,
            release_at=reply.release_at,
            released=reply.release_at is not None and reply.release_at <= now,
            author_name=author or "",
        )
    if not reviewer:
        return out
    for position, municipality in session.exec(
        select(Position, Municipality.name)
        .join(Municipality, col(Municipality.id) == Position.municipality_id)
        .where(col(Position.comment_id).in_(ids))
        .order_by(col(Municipality.name), col(Position.id))
    ).all():
        positions = out[position.comment_id].positions
        assert positions is not None
        positions.append(
            PositionDetail(
                municipality_id=position.municipality_id,
                municipality=municipality,
                stance=position.stance,
                note=position.note,
                updated_at=position.updated_at,
            )
        )
    for note, author, role, municipality_name in session.exec(
        select(InternalNote, User.name, User.role, Municipality.name)
        .join(User, col(User.id) == InternalNote.author_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .where(col(InternalNote.comment_id).in_(ids))
        .order_by(col(InternalNote.created_at), col(InternalNote.id))
    ).all():
        notes = out[note.comment_id].notes
        assert notes is not None
        notes.append(
            NoteDetail(
                id=note.id or 0,
                author_name=author or "",
                organisation=organisation(role, None, municipality_name),
                body=note.body,
                body_html=render_markdown(note.body, heading_offset=4),
                created_at=note.created_at,
            )
        )
    return out
