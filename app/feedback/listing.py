"""The API's list of comments: every comment (and reply) a reader may see, filtered, oldest first or as a change
feed (``updated_at`` as the reader sees it, ``app.feedback.feed``), with the reviewers' details (official reply,
positions, internal notes) for the readers that may see them (``app.feedback.details``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal, null, or_
from sqlmodel import Session, col, select

from app.dialogues.participants import in_trajectories
from app.feedback.context import get_comment
from app.feedback.details import Details, load_details
from app.feedback.feed import updated_expression
from app.feedback.visibility import (
    author_group,
    author_label,
    comment_visibility,
    own_comments,
    reads_own_only,
    sees_names,
    status_column,
    status_for,
)
from app.feedback.writing import CommentInput, create_comment
from app.kit import clock
from app.kit.feed import FeedParams, Position, feed_rows
from app.kit.pagination import PageParams, paginate
from app.models import (
    Comment,
    Municipality,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    StakeholderGroup,
    User,
    VersionStatus,
)
from app.policy import INVITED_ROLE, PARTICIPANT_ROLE, Action, Principal, authorize, can


@dataclass(frozen=True)
class CommentFilter:
    dialogue_id: int | None = None
    proposal_id: int | None = None
    version: int | None = None
    section_key: str | None = None
    provider_id: int | None = None
    kind: str | None = None
    status: str | None = None
    since: datetime | None = None
    group: str | None = None  # authors of this stakeholder group (provider for providers' users)


@dataclass
class CommentRow:
    comment: Comment
    section: Section
    version: ProposalVersion
    proposal: Proposal
    author_name: str  # as the reader may see it (an experience expert's pseudonym: ``author_label``)
    provider_name: str | None
    status: str = "nieuw"  # as the reader may see it
    organisation: str = ""  # the author's organisation line as the reader sees it
    stakeholder_group: str | None = None  # provider for a provider's user, a participant's group, else None
    updated_at: datetime | None = None  # as the reader sees it (app.feedback.feed)
    details: Details | None = None  # official reply, positions, notes as the reader may see them


def list_comments(
    session: Session, principal: Principal, filters: CommentFilter, params: PageParams, *, comment_id: int | None = None
) -> tuple[list[CommentRow], int]:
    """Comments ``principal`` may see, oldest first (created_at, then id): a provider's user or a consultation
    participant those of the trajectories it takes part in and its own (one that takes part nowhere (any more):
    only its own)."""
    rows, total, _next = read_comments(session, principal, filters, params, comment_id=comment_id)
    return rows, total


def read_comments(
    session: Session,
    principal: Principal,
    filters: CommentFilter,
    params: PageParams,
    *,
    comment_id: int | None = None,
    feed: FeedParams | None = None,
) -> tuple[list[CommentRow], int, str | None]:
    """``list_comments``, or (``feed`` active) a page of the change feed ordered by (updated_at, id) as
    ``principal`` sees it, with the cursor after it. A fixed number of queries, however many comments."""
    own_only = reads_own_only(principal)
    if not own_only:
        authorize(principal, Action.view_comments)
    stmt: Any = (
        select(  # type: ignore[call-overload]
            Comment,
            Section,
            ProposalVersion,
            Proposal,
            User.name,
            Provider.name,
            User.role,
            Municipality.name,
            User.stakeholder_group,
            User.organisation,
            User.pseudonym,
        )
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .where(comment_visibility(principal))
    )
    if not can(principal, Action.view_draft_proposal):
        stmt = stmt.where(ProposalVersion.status == VersionStatus.published)
    if principal.limited_to_memberships:
        stmt = stmt.where(or_(in_trajectories(principal, Proposal.dialogue_id), own_comments(principal)))
    if comment_id is not None:
        stmt = stmt.where(Comment.id == comment_id)
    now = clock.now()
    updated = updated_expression(principal, now)
    stmt = _filtered(stmt.add_columns(updated), filters, principal, now)
    next_cursor = None
    if feed is not None and feed.active:
        rows, total, next_cursor = feed_rows(
            session,
            stmt,
            updated=updated,
            item_id=col(Comment.id),
            feed=feed,
            params=params,
            key=lambda row: Position(row[-1], row[0].id or 0),
        )
    else:
        rows, total = paginate(session, stmt.order_by(col(Comment.created_at), col(Comment.id)), params)
    names = sees_names(principal)
    out = [_row(row, status_for(principal, row[0], now), names) for row in rows]
    details = load_details(session, principal, [r.comment for r in out], now)
    for r in out:
        r.details = details.get(r.comment.id or 0)
    return out, total, next_cursor


def _row(row: Any, status: str, names: bool) -> CommentRow:
    comment, section, version, proposal, name, provider_name, role, municipality, group, organisation, *more = row
    pseudonym, updated_at = more
    shown, line = author_label(
        role,
        name,
        provider_name,
        municipality,
        group=group,
        organisation_name=organisation,
        pseudonym=pseudonym,
        names=names,
    )
    return CommentRow(
        comment,
        section,
        version,
        proposal,
        shown,
        provider_name,
        status=status,
        organisation=line,
        stakeholder_group=author_group(role, group),
        updated_at=updated_at,
    )


def _filtered(stmt: Any, filters: CommentFilter, principal: Principal, now: datetime) -> Any:
    if filters.dialogue_id is not None:
        stmt = stmt.where(Proposal.dialogue_id == filters.dialogue_id)
    if filters.proposal_id is not None:
        stmt = stmt.where(Proposal.id == filters.proposal_id)
    if filters.version is not None:
        stmt = stmt.where(ProposalVersion.number == filters.version)
    if filters.section_key:
        stmt = stmt.where(Section.key == filters.section_key)
    if filters.provider_id is not None:
        stmt = stmt.where(Comment.provider_id == filters.provider_id)
    if filters.kind:
        stmt = stmt.where(Comment.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(status_column(principal, now) == filters.status)
    if filters.since is not None:
        stmt = stmt.where(col(Comment.created_at) >= filters.since)
    if filters.group:
        stmt = stmt.where(_group_column() == filters.group)
    return stmt


def _group_column() -> Any:
    """``author_group`` in SQL: provider for a provider's user, a participant's group (other when none)."""
    return case(
        (col(User.role) == INVITED_ROLE, literal(StakeholderGroup.provider.value)),
        (col(User.role) == PARTICIPANT_ROLE, func.coalesce(User.stakeholder_group, StakeholderGroup.other.value)),
        else_=null(),
    )


def comment_row(session: Session, principal: Principal, comment_id: int) -> CommentRow:
    """One comment as the list shows it to ``principal``; 404 when they may not see it."""
    comment, _context = get_comment(session, principal, comment_id)
    rows, _total = list_comments(
        session, principal, CommentFilter(), PageParams(page=1, page_size=1), comment_id=comment.id
    )
    return rows[0]


def create_and_read(
    session: Session,
    principal: Principal,
    section_id: int,
    data: CommentInput,
    *,
    idempotency_key: str | None = None,
    ip: str | None = None,
) -> tuple[CommentRow, bool]:
    """``create_comment``, then the comment as the list shows it to its writer (and whether it is new)."""
    comment, created = create_comment(session, principal, section_id, data, idempotency_key=idempotency_key, ip=ip)
    session.flush()
    return comment_row(session, principal, comment.id or 0), created
