"""The review dashboard: a page of the feedback that matches the filters, one piece of feedback, and what
became of a participant's own feedback."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session

from app.dialogues.manage import choices
from app.dialogues.participants import GROUP_LABELS, group_label
from app.feedback.release import Pending, pending_per_trajectory
from app.feedback.triage import draft_reply
from app.kit import clock
from app.kit.errors import NotFound
from app.kit.pagination import PageParams, paginate
from app.models import (
    MAX_ID,
    AgendaItem,
    Comment,
    Dialogue,
    DialogueSession,
)
from app.policy import Action, Principal, authorize, can
from app.review.agenda import agenda_choices
from app.review.filters import Options, ReviewFilter, filter_options
from app.review.query import feedback_count_query, feedback_query, group_column
from app.review.rows import FeedbackRow, feedback_rows, thread_replies


@dataclass
class Dashboard:
    filters: ReviewFilter
    rows: list[FeedbackRow]
    total: int
    page: PageParams
    by_group: dict[str, int] = field(default_factory=dict)  # the filter's feedback per stakeholder group

    @property
    def groups(self) -> list[tuple[str, str, int]]:
        """(group, label, feedback matching the other filters) for every stakeholder group."""
        return [(g, group_label(g), self.by_group.get(g, 0)) for g in GROUP_LABELS]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page.page_size))


def dashboard(session: Session, principal: Principal, filters: ReviewFilter, page: PageParams) -> Dashboard:
    """One page of the feedback that matches ``filters``, and how much of it (with any stakeholder group) each
    stakeholder group gave."""
    authorize(principal, Action.review)
    now = clock.now()
    stmt = feedback_query(session, principal, filters, now)
    by_group = group_counts(session, principal, filters, now)
    # Every row counts in one group (or in none, None): the counts add up to the total, and with a group chosen
    # its count is the total; a query fewer either way.
    total = sum(by_group.values()) if filters.group is None else by_group.get(filters.group, 0)
    raw = list(session.exec(stmt.offset(page.offset).limit(page.page_size)).all())
    return Dashboard(
        filters=filters,
        rows=feedback_rows(session, principal, raw, now),
        total=total,
        page=page,
        by_group={group: n for group, n in by_group.items() if group is not None},
    )


def group_counts(session: Session, principal: Principal, filters: ReviewFilter, now: datetime) -> dict[str | None, int]:
    """The feedback that matches ``filters`` but for the group, per stakeholder group of its authors (None: SDFL
    and the municipalities). One query."""
    author_group = group_column()
    counted = feedback_count_query(session, principal, replace(filters, group=None), now, author_group, func.count())
    counted = counted.group_by(author_group)
    return {group: int(n) for group, n in session.exec(counted).all()}


def get_feedback(session: Session, principal: Principal, comment_id: int) -> FeedbackRow:
    """One piece of feedback with its replies, notes, positions and agenda links; 404 for anything else."""
    authorize(principal, Action.review)
    now = clock.now()
    if not 0 < comment_id <= MAX_ID:
        raise NotFound("No such comment.")
    raw = session.exec(feedback_query(session, principal, ReviewFilter(), now).where(Comment.id == comment_id)).first()
    if raw is None:
        raise NotFound("No such comment.")
    return feedback_rows(session, principal, [raw], now)[0]


def my_feedback(session: Session, principal: Principal, page: PageParams) -> Dashboard:
    """What became of the reader's feedback: a provider's user sees every comment of its provider, anyone
    else their own; with the decision and SDFL's answer as released, the agenda and the version that took
    it in."""
    authorize(principal, Action.view_own_comments)
    user = principal.user
    assert user is not None
    now = clock.now()
    stmt = feedback_query(session, principal, ReviewFilter(), now)
    if principal.provider_id is not None:  # only a provider's users belong to a provider
        stmt = stmt.where(Comment.provider_id == principal.provider_id)
    else:
        stmt = stmt.where(Comment.author_id == user.id)
    raw, total = paginate(session, stmt, page)
    return Dashboard(filters=ReviewFilter(), rows=feedback_rows(session, principal, raw, now), total=total, page=page)


@dataclass
class DashboardPage:
    """Everything the dashboard shows: the page of feedback, what the filters offer and (for admins) what the
    next release would publish and the meetings to put feedback on."""

    board: Dashboard
    options: Options
    pending: list[tuple[Dialogue, Pending]]  # per trajectory with something to release (reviewers)
    agenda_choices: list[tuple[DialogueSession, list[AgendaItem]]]


def dashboard_page(session: Session, principal: Principal, filters: ReviewFilter, page: PageParams) -> DashboardPage:
    board = dashboard(session, principal, filters, page)
    triages = can(principal, Action.triage)
    return DashboardPage(
        board=board,
        options=filter_options(session, filters),
        pending=pending_per_trajectory(session, choices(session)) if can(principal, Action.view_prepared) else [],
        agenda_choices=agenda_choices(session) if triages else [],
    )


@dataclass
class CommentPage:
    """One piece of feedback as its review page shows it."""

    row: FeedbackRow
    thread: list[tuple[Comment, str, str]]
    draft: Comment | None  # the drafted official reply (admins)
    agenda_choices: list[tuple[DialogueSession, list[AgendaItem]]]


def comment_page(session: Session, principal: Principal, comment_id: int) -> CommentPage:
    row = get_feedback(session, principal, comment_id)
    triages = can(principal, Action.triage)
    return CommentPage(
        row=row,
        thread=thread_replies(session, [comment_id]).get(comment_id, []),
        draft=draft_reply(session, row.comment) if triages else None,
        agenda_choices=agenda_choices(session) if triages else [],
    )
