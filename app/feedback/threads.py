"""Threads: the comments of sections as readers see them (``CommentView``), loaded with a fixed number of
queries whatever their number: counts grouped per section, the newest threads per section from one windowed
query (``ROW_NUMBER() OVER (PARTITION BY section_id ...)``) and their replies from one more."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.feedback.labels import kind_label, status_label
from app.feedback.visibility import author_label, comment_visibility, sees_names, status_for
from app.kit import clock
from app.kit.pagination import PageParams
from app.models import Comment, Municipality, ProposalVersion, Provider, Section, User, VersionStatus
from app.policy import Principal

NEWEST_THREADS = 5  # threads per section on the proposal page; the rest loads on demand
REPLIES_PER_THREAD = 50  # newest replies shown per thread; the section page pages through threads
REPLIES_ON_PROPOSAL_PAGE = 3  # newest replies per thread on the proposal page; the rest behind a link


@dataclass
class CommentView:
    """A comment as shown in a thread, with what the reader may do with it."""

    comment: Comment
    author_name: str
    organisation: str
    is_own: bool = False
    can_edit: bool = False
    is_draft: bool = False  # an official reply not released yet (only admins see it)
    suggestion_diff: str = ""
    status: str = "nieuw"  # as the reader may see it
    applied_in: int | None = None  # the published version that took this comment in
    replies: list[CommentView] = field(default_factory=list)
    hidden_replies: int = 0

    @property
    def withdrawn(self) -> bool:
        return self.comment.deleted_at is not None

    @property
    def kind_label(self) -> str:
        return kind_label(self.comment.kind)

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass
class Thread:
    """The threads of one section: ``shown`` of ``total`` top-level comments."""

    section: Section
    threads: list[CommentView]
    total_threads: int
    comments: int  # comments and replies, withdrawn ones not counted

    @property
    def hidden(self) -> int:
        return max(0, self.total_threads - len(self.threads))


@dataclass
class Reader:
    """Who reads, and since when things count as new for them."""

    principal: Principal
    last_seen: datetime | None = None
    now: datetime = field(default_factory=clock.now)
    window_open: bool = False

    @property
    def user_id(self) -> int | None:
        return self.principal.user.id if self.principal.user else None

    @property
    def sees_names(self) -> bool:
        """Whether the reader sees the name behind an experience expert's pseudonym."""
        return sees_names(self.principal)


AppliedVersion = aliased(ProposalVersion, name="applied_version")
VIEW_COLUMNS = 10  # the columns of _author_columns, as _view reads them


def _author_columns() -> tuple[Any, ...]:
    return (
        Comment,
        User.name,
        User.role,
        Provider.name,
        Municipality.name,
        AppliedVersion.number,
        AppliedVersion.status,
        User.stakeholder_group,
        User.organisation,
        User.pseudonym,
    )


def _with_authors(stmt: Any) -> Any:
    return (
        stmt.join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .outerjoin(AppliedVersion, AppliedVersion.id == Comment.applied_in_version_id)
    )


def _view(row: Any, reader: Reader) -> CommentView:
    (comment, author_name, role, provider_name, municipality_name, applied_number, applied_status, *participant) = row
    group, organisation_name, pseudonym = participant
    own = reader.user_id is not None and comment.author_id == reader.user_id
    name, organisation = author_label(
        role,
        author_name,
        provider_name,
        municipality_name,
        group=group,
        organisation_name=organisation_name,
        pseudonym=pseudonym,
        names=reader.sees_names,
    )
    return CommentView(
        comment=comment,
        author_name=name,
        organisation=organisation,
        is_own=own,
        can_edit=own and reader.window_open and comment.deleted_at is None and not comment.official,
        is_draft=comment.official and (comment.release_at is None or comment.release_at > reader.now),
        suggestion_diff=comment.suggestion_diff if comment.deleted_at is None else "",
        status=status_for(reader.principal, comment, reader.now),
        applied_in=applied_number if applied_status == VersionStatus.published else None,
    )


def load_threads(
    session: Session,
    reader: Reader,
    sections: list[Section],
    *,
    newest: int | None,
    page: PageParams | None = None,
    replies: int = REPLIES_PER_THREAD,
    include: int | None = None,
) -> dict[int, Thread]:
    """The threads of ``sections``: the ``newest`` top-level comments per section (oldest of them first), and
    the thread of top-level comment ``include`` if it is older; or with ``newest=None`` one ``page`` of all of
    them (a single section), each with its ``replies`` newest replies. Three queries, whatever the numbers."""
    if not sections:
        return {}
    ids = [s.id for s in sections]
    visible = comment_visibility(reader.principal, reader.now)
    counts = thread_counts(session, reader, ids)
    roots_filter = and_(col(Comment.section_id).in_(ids), col(Comment.parent_id).is_(None), visible)
    if newest is not None:
        root_rows = _newest_roots(session, roots_filter, newest, include)
    else:
        root_rows = _page_of_roots(session, roots_filter, page or PageParams(page=1, page_size=50))
    roots = [_view(row, reader) for row in root_rows]
    _attach_replies(session, reader, {view.comment.id or 0: view for view in roots}, visible, replies)

    grouped: dict[int, list[CommentView]] = defaultdict(list)
    for view in roots:
        grouped[view.comment.section_id].append(view)
    result = {}
    for s in sections:
        threads, comments = counts.get(s.id or 0, (0, 0))
        result[s.id or 0] = Thread(
            section=s, threads=grouped.get(s.id or 0, []), total_threads=threads, comments=comments
        )
    return result


def _newest_roots(session: Session, roots_filter: Any, newest: int, include: int | None) -> list[Any]:
    """The ``newest`` top-level comments per section, and top-level comment ``include``. One query."""
    rank = (
        func.row_number()
        .over(partition_by=col(Comment.section_id), order_by=(col(Comment.created_at).desc(), col(Comment.id).desc()))
        .label("rank")
    )
    ranked = select(col(Comment.id).label("id"), rank).where(roots_filter).subquery()
    return list(
        session.exec(
            _with_authors(select(*_author_columns()).join(ranked, ranked.c.id == Comment.id))
            .where(or_(ranked.c.rank <= newest, ranked.c.id == include))
            .order_by(col(Comment.section_id), col(Comment.created_at), col(Comment.id))
        ).all()
    )


def _page_of_roots(session: Session, roots_filter: Any, page: PageParams) -> list[Any]:
    """One page of the top-level comments, oldest first. One query."""
    return list(
        session.exec(
            _with_authors(select(*_author_columns()))
            .where(roots_filter)
            .order_by(col(Comment.section_id), col(Comment.created_at), col(Comment.id))
            .offset(page.offset)
            .limit(page.page_size)
        ).all()
    )


def _attach_replies(
    session: Session, reader: Reader, by_id: dict[int, CommentView], visible: Any, replies: int
) -> None:
    """The ``replies`` newest replies of each thread in ``by_id``, and how many more there are. One query."""
    if not by_id:
        return
    reply_rank = (
        func.row_number()
        .over(partition_by=col(Comment.parent_id), order_by=(col(Comment.created_at).desc(), col(Comment.id).desc()))
        .label("rank")
    )
    reply_count = func.count().over(partition_by=col(Comment.parent_id)).label("replies")
    ranked_replies = (
        select(col(Comment.id).label("id"), reply_rank, reply_count)
        .where(col(Comment.parent_id).in_(list(by_id)), visible)
        .subquery()
    )
    stmt: Any = select(*_author_columns(), ranked_replies.c.replies)  # type: ignore[call-overload]  # sqlmodel types select() for fixed arities only
    for row in session.exec(
        _with_authors(stmt.join(ranked_replies, ranked_replies.c.id == Comment.id))
        .where(ranked_replies.c.rank <= replies)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all():
        parent = by_id[row[0].parent_id]
        parent.replies.append(_view(row[:VIEW_COLUMNS], reader))
        total = int(row[VIEW_COLUMNS])
        parent.hidden_replies = total - min(total, replies)


def thread_counts(session: Session, reader: Reader, section_ids: list[int | None]) -> dict[int, tuple[int, int]]:
    """Per section: its threads, and its comments that are not withdrawn. One query. (What is new to a reader
    is ``reader_marks``: the threads themselves are the same for every reader of a kind.)"""
    return {
        section_id: (int(threads or 0), int(comments or 0))
        for section_id, threads, comments in session.exec(
            select(
                Comment.section_id,
                func.sum(case((col(Comment.parent_id).is_(None), 1), else_=0)),
                func.sum(case((col(Comment.deleted_at).is_(None), 1), else_=0)),
            )
            .where(col(Comment.section_id).in_(section_ids), comment_visibility(reader.principal, reader.now))
            .group_by(col(Comment.section_id))
        ).all()
    }


def thread_page(session: Session, principal: Principal, comment: Comment, page_size: int = 50) -> int:
    """The page of its section's thread list (oldest threads first) that holds ``comment``'s thread."""
    root = session.get(Comment, comment.parent_id) if comment.parent_id else comment
    assert root is not None
    earlier = session.exec(
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.section_id == root.section_id,
            col(Comment.parent_id).is_(None),
            comment_visibility(principal),
            or_(
                col(Comment.created_at) < root.created_at,
                and_(col(Comment.created_at) == root.created_at, col(Comment.id) < root.id),
            ),
        )
    ).one()
    return int(earlier) // page_size + 1
