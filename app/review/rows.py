"""Feedback rows as reviewers see them: the comment with its official replies, internal notes, positions and
agenda links, a fixed number of queries for a page of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.feedback.labels import STANCE_LABELS, kind_label, status_label
from app.feedback.visibility import (
    author_group,
    author_label,
    official_visible,
    organisation,
    sees_names,
    sees_working_status,
    status_for,
)
from app.kit.markdown import plain_text, render_markdown
from app.models import (
    AgendaItem,
    AgendaItemComment,
    Comment,
    CommentStatus,
    DialogueSession,
    InternalNote,
    Municipality,
    Position,
    Provider,
    User,
    VersionStatus,
    Visibility,
)
from app.policy import Action, Principal, can


@dataclass
class ReplyView:
    id: int
    body_html: str
    released: bool
    release_at: datetime | None
    author_name: str
    body: str = ""  # the Markdown as written


@dataclass
class PositionView:
    municipality_id: int
    municipality: str
    stance: str
    note: str

    @property
    def stance_label(self) -> str:
        return STANCE_LABELS.get(self.stance, self.stance)  # type: ignore[call-overload]


@dataclass
class AgendaLink:
    agenda_item_id: int
    session_id: int
    session_number: int
    title: str


@dataclass
class NoteView:
    id: int
    comment_id: int
    author_name: str
    organisation: str
    body_html: str
    created_at: datetime
    body: str = ""  # the Markdown as written


EXCERPT_LENGTH = 160


@dataclass
class FeedbackRow:
    comment: Comment
    section_key: str
    section_heading: str
    version: int
    proposal_id: int
    proposal_title: str
    author_name: str
    organisation: str
    status: str = CommentStatus.nieuw  # as the reader may see it
    dialogue_id: int = 0  # the trajectory of the proposal
    stakeholder_group: str | None = None  # provider for a provider's user, a participant's group; None for staff
    applied_in: int | None = None  # the published version that worked it in
    replies: list[ReplyView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    positions: list[PositionView] = field(default_factory=list)
    agenda: list[AgendaLink] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return kind_label(self.comment.kind)

    @property
    def excerpt(self) -> str:
        """The start of the comment as plain text (no Markdown syntax), on one line, at most
        ``EXCERPT_LENGTH`` characters: cut at a word with "…" when longer."""
        text = " ".join(plain_text(self.comment.body).split())
        if len(text) <= EXCERPT_LENGTH:
            return text
        cut = text[: EXCERPT_LENGTH - 1]
        return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def pending(self) -> bool:
        """The decision differs from what providers see and is not scheduled for release."""
        c = self.comment
        return c.status != c.published_status and c.status_release_at is None

    @property
    def by_participant(self) -> bool:
        """Written by a consultation participant (not for a provider, SDFL or a municipality): named in the row."""
        return self.stakeholder_group is not None and self.comment.provider_id is None

    def position_of(self, municipality_id: int | None) -> PositionView | None:
        return next((p for p in self.positions if p.municipality_id == municipality_id), None)


def feedback_rows(session: Session, principal: Principal, raw: list[Any], now: datetime) -> list[FeedbackRow]:
    """``feedback_query``'s rows as ``FeedbackRow``s, with their details; authors named as the reader may see them
    (``author_label``)."""
    names = sees_names(principal)
    rows = [_feedback_row(principal, row, now, names) for row in raw]
    attach_details(session, principal, rows, now)
    return rows


def _feedback_row(principal: Principal, row: Any, now: datetime, names: bool) -> FeedbackRow:
    c, key, heading, number, pid, ptitle, author, provider, municipality, role, applied, applied_status, *more = row
    group, organisation_name, pseudonym, dialogue_id = more
    shown, line = author_label(
        role,
        author,
        provider,
        municipality,
        group=group,
        organisation_name=organisation_name,
        pseudonym=pseudonym,
        names=names,
    )
    return FeedbackRow(
        comment=c,
        section_key=key,
        section_heading=heading,
        version=number,
        proposal_id=pid,
        proposal_title=ptitle,
        author_name=shown,
        organisation=line,
        status=status_for(principal, c, now),
        applied_in=applied if applied_status == VersionStatus.published else None,
        dialogue_id=dialogue_id,
        stakeholder_group=author_group(role, group),
    )


def attach_details(session: Session, principal: Principal, rows: list[FeedbackRow], now: datetime) -> None:
    """Official replies, internal notes, positions and agenda links of ``rows``: four queries in all."""
    by_id = {row.comment.id or 0: row for row in rows}
    if not by_id:
        return
    _attach_replies(session, principal, by_id, now)
    if can(principal, Action.read_internal_notes):
        _attach_notes(session, by_id)
        _attach_positions(session, by_id)
    _attach_agenda(session, principal, by_id, now)


def _attach_replies(session: Session, principal: Principal, by_id: dict[int, FeedbackRow], now: datetime) -> None:
    for reply, author in session.exec(
        select(Comment, User.name)
        .join(User, col(User.id) == Comment.author_id)
        .where(col(Comment.parent_id).in_(list(by_id)), official_visible(principal, now))
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all():
        by_id[reply.parent_id or 0].replies.append(
            ReplyView(
                id=reply.id or 0,
                body_html=reply.body_html,
                body=reply.body,
                released=reply.release_at is not None and reply.release_at <= now,
                release_at=reply.release_at,
                author_name=author or "",
            )
        )


def _attach_notes(session: Session, by_id: dict[int, FeedbackRow]) -> None:
    for note, author, role, municipality in session.exec(
        select(InternalNote, User.name, User.role, Municipality.name)
        .join(User, col(User.id) == InternalNote.author_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .where(col(InternalNote.comment_id).in_(list(by_id)))
        .order_by(col(InternalNote.created_at), col(InternalNote.id))
    ).all():
        by_id[note.comment_id].notes.append(_note_view(note, author, role, municipality))


def _attach_positions(session: Session, by_id: dict[int, FeedbackRow]) -> None:
    for position, municipality_name in session.exec(
        select(Position, Municipality.name)
        .join(Municipality, col(Municipality.id) == Position.municipality_id)
        .where(col(Position.comment_id).in_(list(by_id)))
        .order_by(col(Municipality.name))
    ).all():
        by_id[position.comment_id].positions.append(
            PositionView(
                municipality_id=position.municipality_id,
                municipality=municipality_name,
                stance=position.stance,
                note=position.note,
            )
        )


def _attach_agenda(session: Session, principal: Principal, by_id: dict[int, FeedbackRow], now: datetime) -> None:
    agenda = (
        select(  # type: ignore[call-overload]
            AgendaItemComment.comment_id, AgendaItem.id, DialogueSession.id, DialogueSession.number, AgendaItem.title
        )
        .join(AgendaItem, col(AgendaItem.id) == AgendaItemComment.agenda_item_id)
        .join(DialogueSession, col(DialogueSession.id) == AgendaItem.session_id)
        .where(col(AgendaItemComment.comment_id).in_(list(by_id)))
        .order_by(col(DialogueSession.number), col(AgendaItem.position))
    )
    if not sees_working_status(principal):  # putting a comment on the agenda is a decision: shown once released
        released = col(AgendaItemComment.released_at)
        agenda = agenda.where(released.is_not(None), released <= now)
    for comment_id, item_id, session_id, number, title in session.exec(agenda).all():
        by_id[comment_id].agenda.append(
            AgendaLink(agenda_item_id=item_id or 0, session_id=session_id or 0, session_number=number, title=title)
        )


def _note_view(note: InternalNote, author: str | None, role: str, municipality: str | None) -> NoteView:
    return NoteView(
        id=note.id or 0,
        comment_id=note.comment_id,
        author_name=author or "",
        organisation=organisation(role, None, municipality),
        body_html=render_markdown(note.body, heading_offset=4),
        body=note.body,
        created_at=note.created_at,
    )


def thread_replies(
    session: Session, comment_ids: list[int], *, names: bool = True
) -> dict[int, list[tuple[Comment, str, str]]]:
    """The participants' replies (not SDFL's official ones) in the threads of ``comment_ids``, per thread:
    (reply, author, organisation), oldest first, authors named as ``author_label`` says (``names``: the reader sees
    the names behind pseudonyms). One query per 1,000 threads."""
    out: dict[int, list[tuple[Comment, str, str]]] = defaultdict(list)
    for start in range(0, len(comment_ids), 1000):
        for reply, author, role, provider, municipality, group, organisation_name, pseudonym in session.exec(
            select(  # type: ignore[call-overload]
                Comment,
                User.name,
                User.role,
                Provider.name,
                Municipality.name,
                User.stakeholder_group,
                User.organisation,
                User.pseudonym,
            )
            .join(User, col(User.id) == Comment.author_id)
            .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
            .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
            .where(
                col(Comment.parent_id).in_(comment_ids[start : start + 1000]),
                col(Comment.official).is_(False),
                Comment.visibility == Visibility.participants,
                col(Comment.deleted_at).is_(None),
            )
            .order_by(col(Comment.created_at), col(Comment.id))
        ).all():
            shown, line = author_label(
                role,
                author,
                provider,
                municipality,
                group=group,
                organisation_name=organisation_name,
                pseudonym=pseudonym,
                names=names,
            )
            out[reply.parent_id or 0].append((reply, shown, line))
    return out
