"""Reading proposals and commenting on them: who sees what, the comment window, threads, versions.

Both the HTML routes and the API call these functions. Every page loads its comments with a fixed number of
queries whatever their number: counts are grouped per section, the newest threads per section come from
one windowed query (``ROW_NUMBER() OVER (PARTITION BY section_id ...)``) and their replies from one more.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, case, func, not_, or_, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app import ratelimit
from app.audit.service import record
from app.db import UTCDateTime
from app.kit import clock
from app.kit.errors import N_, Conflict, NotFound, ValidationFailed, invalid
from app.kit.i18n import fmt_datetime
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.kit.pagination import PageParams, paginate
from app.models import (
    MAX_ID,
    Comment,
    CommentKind,
    CommentRevision,
    CommentStatus,
    Municipality,
    Proposal,
    ProposalStatus,
    ProposalTopic,
    ProposalVersion,
    ProposalVisit,
    Provider,
    Role,
    Section,
    SectionKind,
    User,
    VersionStatus,
    Visibility,
    is_valid_id,
)
from app.policy import Action, Principal, authorize, can
from app.proposals.diff import word_diff

TOPIC_LABELS = {
    ProposalTopic.product_structure: N_("Productstructuur"),
    ProposalTopic.contract_terms: N_("Contractvoorwaarden"),
    ProposalTopic.requirements: N_("Eisen"),
    ProposalTopic.preconditions: N_("Randvoorwaarden"),
    ProposalTopic.procurement_process: N_("Inkoopproces"),
}
KIND_LABELS = {
    CommentKind.steun: N_("Steun"),
    CommentKind.zorg: N_("Zorg"),
    CommentKind.vraag: N_("Vraag"),
    CommentKind.suggestie: N_("Suggestie"),
}
STATUS_LABELS = {
    "nieuw": N_("Nieuw"),
    "in_behandeling": N_("In behandeling"),
    "overgenomen": N_("Overgenomen"),
    "deels_overgenomen": N_("Deels overgenomen"),
    "niet_overgenomen": N_("Niet overgenomen"),
    "bespreken_in_sessie": N_("Bespreken in sessie"),
}

# Decisions whose comment is to be worked into the next version.
ADOPTED = (CommentStatus.overgenomen, CommentStatus.deels_overgenomen)

NEWEST_THREADS = 5  # threads per section on the proposal page; the rest loads on demand
REPLIES_PER_THREAD = 50  # newest replies shown per thread; the section page pages through threads
REPLIES_ON_PROPOSAL_PAGE = 3  # newest replies per thread on the proposal page; the rest behind a link
MAX_BODY = 10_000
MAX_QUOTE = 2_000


# --- proposals and versions ------------------------------------------------------------------------


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


def _may_see(principal: Principal, proposal: Proposal) -> bool:
    if can(principal, Action.view_draft_proposal):
        return True
    if proposal.status == ProposalStatus.draft:
        return False
    return can(principal, Action.view_published_proposal, proposal_public=proposal.public)


def get_proposal(session: Session, principal: Principal, proposal_id: int) -> Proposal:
    """The proposal if ``principal`` may read it; 404 otherwise (drafts do not exist for others).

    The public gets 401 (sign in) for a published proposal that is not public."""
    proposal = session.get(Proposal, proposal_id) if 0 < proposal_id <= MAX_ID else None
    return _readable(principal, proposal)


def _readable(principal: Principal, proposal: Proposal | None) -> Proposal:
    if proposal is None or (proposal.status == ProposalStatus.draft and not can(principal, Action.view_draft_proposal)):
        raise NotFound("No such proposal.")
    if not _may_see(principal, proposal):
        authorize(principal, Action.view_published_proposal, proposal_public=proposal.public)
    return proposal


def _readable_versions(principal: Principal) -> ColumnElement[bool]:
    """Which versions ``principal`` may read: drafts only for admins."""
    if can(principal, Action.view_draft_proposal):
        return true()
    return col(ProposalVersion.status) == VersionStatus.published


def versions(session: Session, principal: Principal, proposal: Proposal) -> list[ProposalVersion]:
    """The versions ``principal`` may read, oldest first (drafts only for admins)."""
    stmt = select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id, _readable_versions(principal))
    return list(session.exec(stmt.order_by(col(ProposalVersion.number))).all())


def proposal_with_versions(
    session: Session, principal: Principal, proposal_id: int
) -> tuple[Proposal, list[ProposalVersion], datetime | None]:
    """``get_proposal``, ``versions`` and when the reader last opened the proposal, in one query: what the
    proposal page, the most read page, needs before it knows anything else."""
    user_id = principal.user.id if principal.user else None
    rows = (
        session.exec(
            select(Proposal, ProposalVersion, ProposalVisit.seen_at)
            .outerjoin(
                ProposalVersion,
                and_(col(ProposalVersion.proposal_id) == Proposal.id, _readable_versions(principal)),
            )
            .outerjoin(
                ProposalVisit,
                and_(col(ProposalVisit.proposal_id) == Proposal.id, col(ProposalVisit.user_id) == user_id),
            )
            .where(Proposal.id == proposal_id)
            .order_by(col(ProposalVersion.number))
        ).all()
        if is_valid_id(proposal_id)
        else []
    )
    proposal = _readable(principal, rows[0][0] if rows else None)
    last_seen = rows[0][2] if user_id is not None else None
    return proposal, [version for _p, version, _seen in rows if version is not None], last_seen


def current_of(all_versions: list[ProposalVersion]) -> ProposalVersion | None:
    """The newest published version: the one that is read and commented on."""
    published = [v for v in all_versions if v.status == VersionStatus.published]
    return published[-1] if published else None


def pick_version(all_versions: list[ProposalVersion], number: int | None) -> ProposalVersion:
    """Version ``number`` from the list; when None the current one, or (for admins, whose list holds drafts) the
    draft of a proposal not yet published."""
    if number is None:
        version = current_of(all_versions) or (all_versions[-1] if all_versions else None)
    else:
        version = next((v for v in all_versions if v.number == number), None)
    if version is None:
        raise NotFound("No such version.")
    return version


def sections_of(session: Session, version_ids: list[int]) -> list[Section]:
    if not version_ids:
        return []
    return list(
        session.exec(
            select(Section)
            .where(col(Section.version_id).in_(version_ids))
            .order_by(Section.version_id, Section.position, Section.id)
        ).all()
    )


@dataclass
class ProposalRow:
    proposal: Proposal
    topic_label: str
    version: int | None
    window: str
    comments: int


def list_proposals(session: Session, principal: Principal) -> list[ProposalRow]:
    """The proposals ``principal`` may read, with the current version and the number of comments."""
    stmt = select(Proposal).order_by(Proposal.title, Proposal.id)
    if not can(principal, Action.view_draft_proposal):
        stmt = stmt.where(Proposal.status != ProposalStatus.draft)
        if not principal.is_authenticated:
            stmt = stmt.where(col(Proposal.public))
    proposals = list(session.exec(stmt).all())
    ids = [p.id for p in proposals]
    current: dict[int, int] = {}
    counts: dict[int, int] = {}
    if ids:
        current = dict(
            session.exec(
                select(ProposalVersion.proposal_id, func.max(ProposalVersion.number))
                .where(col(ProposalVersion.proposal_id).in_(ids), ProposalVersion.status == VersionStatus.published)
                .group_by(ProposalVersion.proposal_id)
            ).all()
        )
        if can(principal, Action.view_comments):
            counts = dict(
                session.exec(
                    select(ProposalVersion.proposal_id, func.count(col(Comment.id)))
                    .join(Section, col(Section.id) == Comment.section_id)
                    .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
                    .where(
                        col(ProposalVersion.proposal_id).in_(ids),
                        comment_visibility(principal),
                        col(Comment.deleted_at).is_(None),
                    )
                    .group_by(ProposalVersion.proposal_id)
                ).all()
            )
    now = clock.now()
    return [
        ProposalRow(
            proposal=p,
            topic_label=TOPIC_LABELS.get(p.topic, p.topic),  # type: ignore[call-overload]
            version=current.get(p.id or 0),
            window=window_state(p, now),
            comments=counts.get(p.id or 0, 0),
        )
        for p in proposals
    ]


# --- who sees which comments ---------------------------------------------------------------------


def comment_visibility(principal: Principal, now: datetime | None = None) -> ColumnElement[bool]:
    """Comments ``principal`` may see: never internal notes here; official replies once released
    (admins also see drafted ones)."""
    return visible_comments(sees_drafts=principal.role == Role.admin, now=now or clock.now())


def visible_comments(*, sees_drafts: bool, now: Any) -> ColumnElement[bool]:
    """``comment_visibility`` by what decides it; ``now`` may be a ``bindparam`` (a statement built once)."""
    conditions: list[ColumnElement[bool]] = [col(Comment.visibility) == Visibility.participants]
    if not sees_drafts:
        conditions.append(
            or_(not_(col(Comment.official)), and_(col(Comment.release_at).is_not(None), col(Comment.release_at) <= now))
        )
    return and_(*conditions)


def sees_working_status(principal: Principal) -> bool:
    """Reviewers see SDFL's decision on a comment as soon as it is made; everyone else once it is released."""
    return can(principal, Action.read_internal_notes)


def shown_status(comment: Comment, now: datetime) -> str:
    """The decision providers see: the working status once its release moment has passed, else the last
    released one."""
    if comment.status_release_at is not None and comment.status_release_at <= now:
        return comment.status
    return comment.published_status


def status_for(principal: Principal, comment: Comment, now: datetime) -> str:
    return comment.status if sees_working_status(principal) else shown_status(comment, now)


def status_column(principal: Principal, now: datetime) -> Any:
    """``status_for`` in SQL, to filter on."""
    if sees_working_status(principal):
        return Comment.status
    released = and_(col(Comment.status_release_at).is_not(None), col(Comment.status_release_at) <= now)
    return case((released, Comment.status), else_=Comment.published_status)


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
        return KIND_LABELS.get(self.comment.kind, "") if self.comment.kind else ""  # type: ignore[call-overload]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


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


AppliedVersion = aliased(ProposalVersion, name="applied_version")
VIEW_COLUMNS = 7  # the columns of _author_columns, as _view reads them


def _author_columns() -> tuple[Any, ...]:
    return (
        Comment,
        User.name,
        User.role,
        Provider.name,
        Municipality.name,
        AppliedVersion.number,
        AppliedVersion.status,
    )


def _with_authors(stmt: Any) -> Any:
    return (
        stmt.join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .outerjoin(AppliedVersion, AppliedVersion.id == Comment.applied_in_version_id)
    )


def organisation(role: str, provider: str | None, municipality: str | None) -> str:
    """The organisation an author writes for: SDFL, a municipality, or the provider's name."""
    if role == Role.admin:
        return "SDFL"
    if role == Role.municipality:
        return _("Gemeente %(name)s", name=municipality) if municipality else _("Gemeente")
    return provider or ""


def _view(row: Any, reader: Reader) -> CommentView:
    comment, author_name, role, provider_name, municipality_name, applied_number, applied_status = row
    own = reader.user_id is not None and comment.author_id == reader.user_id
    return CommentView(
        comment=comment,
        author_name=author_name or "",
        organisation=organisation(role, provider_name, municipality_name),
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
    counts = _thread_counts(session, reader, ids)
    roots_filter = and_(col(Comment.section_id).in_(ids), col(Comment.parent_id).is_(None), visible)
    if newest is not None:
        rank = (
            func.row_number()
            .over(partition_by=Comment.section_id, order_by=(col(Comment.created_at).desc(), col(Comment.id).desc()))
            .label("rank")
        )
        ranked = select(col(Comment.id).label("id"), rank).where(roots_filter).subquery()
        root_rows = session.exec(
            _with_authors(select(*_author_columns()).join(ranked, ranked.c.id == Comment.id))
            .where(or_(ranked.c.rank <= newest, ranked.c.id == include))
            .order_by(Comment.section_id, Comment.created_at, Comment.id)
        ).all()
    else:
        page = page or PageParams(page=1, page_size=50)
        root_rows = session.exec(
            _with_authors(select(*_author_columns()))
            .where(roots_filter)
            .order_by(Comment.section_id, Comment.created_at, Comment.id)
            .offset(page.offset)
            .limit(page.page_size)
        ).all()

    roots = [_view(row, reader) for row in root_rows]
    by_id = {view.comment.id: view for view in roots}
    if by_id:
        reply_rank = (
            func.row_number()
            .over(partition_by=Comment.parent_id, order_by=(col(Comment.created_at).desc(), col(Comment.id).desc()))
            .label("rank")
        )
        reply_count = func.count().over(partition_by=Comment.parent_id).label("replies")
        ranked_replies = (
            select(col(Comment.id).label("id"), reply_rank, reply_count)
            .where(col(Comment.parent_id).in_(list(by_id)), visible)
            .subquery()
        )
        for row in session.exec(
            _with_authors(
                select(*_author_columns(), ranked_replies.c.replies).join(
                    ranked_replies, ranked_replies.c.id == Comment.id
                )
            )
            .where(ranked_replies.c.rank <= replies)
            .order_by(Comment.created_at, Comment.id)
        ).all():
            parent = by_id[row[0].parent_id]
            parent.replies.append(_view(row[:VIEW_COLUMNS], reader))
            total = int(row[VIEW_COLUMNS])
            parent.hidden_replies = total - min(total, replies)

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


def _thread_counts(session: Session, reader: Reader, section_ids: list[int | None]) -> dict[int, tuple[int, int]]:
    """Per section: its threads, and its comments that are not withdrawn. One query. (What is new to a reader
    is ``reader_marks``: the threads themselves are the same for every reader of a kind.)"""
    return {
        section_id: (int(threads or 0), int(comments or 0))
        for section_id, threads, comments in session.exec(
            select(  # type: ignore[call-overload]
                Comment.section_id,
                func.sum(case((col(Comment.parent_id).is_(None), 1), else_=0)),
                func.sum(case((col(Comment.deleted_at).is_(None), 1), else_=0)),
            )
            .where(col(Comment.section_id).in_(section_ids), comment_visibility(reader.principal, reader.now))
            .group_by(Comment.section_id)
        ).all()
    }


# --- the proposal page -----------------------------------------------------------------------------


@dataclass
class SectionView:
    section: Section
    thread: Thread | None  # None when the reader may not see comments
    changed: bool  # added or changed since the version before
    earlier: list[tuple[int, int]]  # (version number, comments) on the same key in earlier versions


@dataclass
class AppliedLink:
    """A comment that a version worked in ("verwerkt in versie N")."""

    comment_id: int
    section_key: str
    section_heading: str
    organisation: str


def applied_in(session: Session, version: ProposalVersion) -> list[AppliedLink]:
    """The comments a published version took in, in the order of its sections. One query."""
    if version.status != VersionStatus.published:
        return []
    now_section = aliased(Section, name="now_section")
    return [
        AppliedLink(comment_id=cid or 0, section_key=key, section_heading=heading, organisation=provider or "")
        for cid, key, heading, provider in session.exec(
            select(Comment.id, Section.key, now_section.heading, Provider.name)
            .join(Section, col(Section.id) == Comment.section_id)
            .outerjoin(now_section, and_(now_section.version_id == version.id, now_section.key == Section.key))
            .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
            .where(Comment.applied_in_version_id == version.id, col(Comment.deleted_at).is_(None))
            .order_by(now_section.position, col(Comment.id))
        ).all()
    ]


@dataclass
class ProposalPage:
    proposal: Proposal
    topic_label: str
    version: ProposalVersion
    versions: list[ProposalVersion]
    is_current: bool
    sections: list[SectionView]
    reader: Reader
    window: str
    window_message: str
    may_comment: bool
    shows_comments: bool
    applied: list[AppliedLink] = field(default_factory=list)


def mark_visited(session: Session, principal: Principal, proposal: Proposal) -> None:
    """Remember now as the reader's last visit (not audited: reading changes nothing). One upsert, so two tabs
    opening the proposal at once cannot collide on the primary key."""
    if principal.user is None:
        return
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(ProposalVisit).values(user_id=principal.user.id, proposal_id=proposal.id, seen_at=clock.now())
    session.execute(
        stmt.on_conflict_do_update(index_elements=["user_id", "proposal_id"], set_={"seen_at": stmt.excluded.seen_at})
    )


def may_comment(
    principal: Principal, proposal: Proposal, version: ProposalVersion, all_versions: list[ProposalVersion]
) -> bool:
    return (
        can(principal, Action.comment)
        and version.status == VersionStatus.published
        and current_of(all_versions) is version
        and window_state(proposal) == "open"
    )


def proposal_page(
    principal: Principal,
    proposal: Proposal,
    all_versions: list[ProposalVersion],
    *,
    number: int | None = None,
    last_seen: datetime | None = None,
) -> ProposalPage:
    """A version (the current one by default) of ``proposal`` with its readable ``all_versions``: what the page
    says about it. Its sections come from ``section_views`` and ``applied_in`` (the proposal page caches them)."""
    version = pick_version(all_versions, number)
    is_current = current_of(all_versions) is version
    reader = Reader(
        principal=principal,
        last_seen=last_seen,
        window_open=is_current and window_state(proposal) == "open" and can(principal, Action.comment),
    )
    return ProposalPage(
        proposal=proposal,
        topic_label=TOPIC_LABELS.get(proposal.topic, proposal.topic),  # type: ignore[call-overload]
        version=version,
        versions=all_versions,
        is_current=is_current,
        sections=[],
        reader=reader,
        window=window_state(proposal),
        window_message=window_message(proposal),
        may_comment=may_comment(principal, proposal, version, all_versions),
        shows_comments=can(principal, Action.view_comments),
    )


def section_views(session: Session, page: ProposalPage) -> list[SectionView]:
    """The page's sections with their newest threads, and under each section how many comments the same key
    had in earlier versions (their threads are on the section page of that version: a page with 1,000
    comments stays readable and quick). Five queries, whatever the numbers."""
    version, reader = page.version, page.reader
    earlier_versions = [v for v in page.versions if v.number < version.number and v.status == VersionStatus.published]
    sections = sections_of(session, [version.id or 0] + [v.id or 0 for v in earlier_versions])
    own = [s for s in sections if s.version_id == version.id]
    older = [s for s in sections if s.version_id != version.id]
    threads = (
        load_threads(session, reader, own, newest=NEWEST_THREADS, replies=REPLIES_ON_PROPOSAL_PAGE)
        if page.shows_comments
        else {}
    )
    older_counts = _thread_counts(session, reader, [s.id for s in older]) if page.shows_comments and older else {}
    number_of = {v.id: v.number for v in page.versions}
    previous = {s.key: s for s in older if earlier_versions and s.version_id == earlier_versions[-1].id}

    views = []
    for s in own:
        prior = previous.get(s.key)
        changed = prior is None or prior.body != s.body or prior.heading != s.heading
        earlier = [
            (number_of[o.version_id], older_counts[o.id or 0][1])
            for o in reversed(older)
            if o.key == s.key and older_counts.get(o.id or 0, (0, 0))[0]
        ]
        views.append(SectionView(section=s, thread=threads.get(s.id or 0), changed=changed, earlier=earlier))
    return views


@dataclass
class ReaderMarks:
    """What is the reader's own on a proposal page: their comments (edit and withdraw buttons) and the
    comments new since their last visit."""

    own: dict[int, int] = field(default_factory=dict)  # comment id -> its section id
    new: set[int] = field(default_factory=set)
    new_per_section: dict[int, int] = field(default_factory=dict)


def reader_marks(session: Session, reader: Reader, section_ids: Iterable[int]) -> ReaderMarks:
    """The reader's own comments that they may still edit and the comments new to them, in ``section_ids``;
    the same rules as ``load_threads``. One query, built once per kind of reader (it runs on every view of a
    proposal page)."""
    marks = ReaderMarks()
    me, since = reader.user_id, reader.last_seen
    if me is None:
        return marks
    stmt = _marks_statement(reader.principal.role == Role.admin, since is not None)
    params = {"me": me, "sections": list(section_ids), "now": reader.now, "since": since}
    for comment_id, section_id, author_id, created_at, deleted_at, official in session.execute(stmt, params):
        if author_id == me:
            if deleted_at is None and not official:
                marks.own[comment_id] = section_id
        elif since and created_at > since:
            marks.new.add(comment_id)
            marks.new_per_section[section_id] = marks.new_per_section.get(section_id, 0) + 1
    return marks


@lru_cache(maxsize=4)
def _marks_statement(sees_drafts: bool, with_since: bool) -> Any:
    me = bindparam("me")
    mine_or_new = (
        or_(col(Comment.author_id) == me, col(Comment.created_at) > bindparam("since", type_=UTCDateTime))
        if with_since
        else col(Comment.author_id) == me
    )
    return select(  # type: ignore[call-overload]
        Comment.id, Comment.section_id, Comment.author_id, Comment.created_at, Comment.deleted_at, Comment.official
    ).where(
        col(Comment.section_id).in_(bindparam("sections", expanding=True)),
        visible_comments(sees_drafts=sees_drafts, now=bindparam("now", type_=UTCDateTime)),
        mine_or_new,
    )


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


@dataclass
class SectionPage:
    proposal: Proposal
    version: ProposalVersion
    section: Section
    thread: Thread
    page: PageParams
    may_comment: bool
    window_message: str
    is_current: bool


def find_section(session: Session, version: ProposalVersion, key: str) -> Section:
    section = session.exec(select(Section).where(Section.version_id == version.id, Section.key == key)).first()
    if section is None:
        raise NotFound("No such section.")
    return section


def section_thread(
    session: Session,
    principal: Principal,
    proposal: Proposal,
    key: str,
    *,
    number: int | None = None,
    page: PageParams | None = None,
    newest: int | None = None,
    include: int | None = None,
) -> SectionPage:
    """One section with its threads: a page of all of them, or only the newest ones (and thread ``include``)."""
    authorize(principal, Action.view_comments)
    all_versions = versions(session, principal, proposal)
    version = pick_version(all_versions, number)
    section = find_section(session, version, key)
    allowed = may_comment(principal, proposal, version, all_versions)
    reader = Reader(principal=principal, window_open=allowed)
    page = page or PageParams(page=1, page_size=50)
    thread = load_threads(session, reader, [section], newest=newest, page=page, include=include)[section.id or 0]
    return SectionPage(
        proposal=proposal,
        version=version,
        section=section,
        thread=thread,
        page=page,
        may_comment=allowed,
        window_message=window_message(proposal) if current_of(all_versions) is version else "",
        is_current=current_of(all_versions) is version,
    )


# --- writing comments ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentInput:
    body: str = ""
    kind: str | None = None
    quote: str | None = None
    suggested_text: str | None = None
    parent_id: int | None = None


def suggestion_diff(section: Section, quote: str | None, suggested_text: str | None) -> str:
    """The suggestion as a word diff against the quoted passage (or else the whole section), made once when the
    comment is written: the section never changes once published."""
    return word_diff(quote or section.body, suggested_text) if suggested_text else ""


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _validate(data: CommentInput, *, reply: bool) -> CommentInput:
    body, quote, suggestion = _clean(data.body), _clean(data.quote), _clean(data.suggested_text)
    kind = (data.kind or "").strip() or None
    errors: dict[str, str] = {}
    if kind is not None and kind not in CommentKind.__members__:
        errors["kind"] = _("Kies steun, zorg, vraag of suggestie.")
    elif kind is None and not reply:
        errors["kind"] = _("Kies wat voor reactie het is: steun, zorg, vraag of suggestie.")
    if not body:
        errors["body"] = _("Schrijf uw reactie.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Uw reactie is te lang: maximaal %(n)s tekens.", n=MAX_BODY)
    if len(quote) > MAX_QUOTE:
        errors["quote"] = _("Het citaat is te lang: maximaal %(n)s tekens.", n=MAX_QUOTE)
    if suggestion and kind != CommentKind.suggestie:
        errors["suggested_text"] = _("Een vervangende tekst hoort bij een suggestie: kies de soort suggestie.")
    elif len(suggestion) > MAX_BODY:
        errors["suggested_text"] = _("De vervangende tekst is te lang: maximaal %(n)s tekens.", n=MAX_BODY)
    if errors:
        raise invalid(errors)
    return CommentInput(
        body=body, kind=kind, quote=quote or None, suggested_text=suggestion or None, parent_id=data.parent_id
    )


@dataclass
class CommentContext:
    """A comment (or the section to comment on) with its version and proposal."""

    section: Section
    version: ProposalVersion
    proposal: Proposal


def section_context(session: Session, section_id: int) -> CommentContext:
    row = (
        session.exec(
            select(Section, ProposalVersion, Proposal)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(Section.id == section_id)
        ).first()
        if 0 < section_id <= MAX_ID
        else None
    )
    if row is None:
        raise NotFound("No such section.")
    return CommentContext(*row)


def ensure_open(session: Session, context: CommentContext) -> None:
    """Comments only on the current published version, while the proposal's window is open: 409 otherwise."""
    state = window_state(context.proposal)
    if state != "open":
        raise Conflict(window_message(context.proposal), user_message=True)
    newest = session.exec(
        select(func.max(ProposalVersion.number)).where(
            ProposalVersion.proposal_id == context.proposal.id, ProposalVersion.status == VersionStatus.published
        )
    ).one()
    if context.version.status != VersionStatus.published or context.version.number != newest:
        raise Conflict(
            _("Op deze versie kan niet meer worden gereageerd: reageer op de huidige versie."), user_message=True
        )


def _visible_to(session: Session, principal: Principal, context: CommentContext) -> None:
    """The reader must be able to see the proposal and the comments on it."""
    if not _may_see(principal, context.proposal) or (
        context.version.status != VersionStatus.published and not can(principal, Action.view_draft_proposal)
    ):
        raise NotFound("No such section.")
    authorize(principal, Action.view_comments)


def _snapshot(comment: Comment) -> dict[str, Any]:
    return {
        "kind": comment.kind,
        "body": comment.body,
        "quote": comment.quote,
        "suggested_text": comment.suggested_text,
        "deleted_at": comment.deleted_at.isoformat() if comment.deleted_at else None,
    }


def create_comment(
    session: Session,
    principal: Principal,
    section_id: int,
    data: CommentInput,
    *,
    idempotency_key: str | None = None,
    ip: str | None = None,
) -> tuple[Comment, bool]:
    """Add a comment or a reply; returns it and whether it is new (an idempotency key seen before returns
    the comment it created then)."""
    context = section_context(session, section_id)
    user = principal.user
    authorize(principal, Action.comment, provider_id=user.provider_id if user else None)
    _visible_to(session, principal, context)
    assert user is not None
    scoped_key = f"{user.id}:{idempotency_key}" if idempotency_key else None
    fingerprint = _request_fingerprint(section_id, data) if scoped_key else None
    if scoped_key:
        existing = session.exec(select(Comment).where(Comment.idempotency_key == scoped_key)).first()
        if existing is not None:
            return _same_request(existing, fingerprint), False
    ensure_open(session, context)
    parent = None
    if data.parent_id is not None:
        parent = session.get(Comment, data.parent_id) if 0 < data.parent_id <= MAX_ID else None
        if (
            parent is None
            or parent.section_id != section_id
            or not session.exec(
                select(func.count()).where(Comment.id == parent.id, comment_visibility(principal))
            ).one()
        ):
            raise invalid({"parent_id": _("De reactie waarop u wilt reageren bestaat niet (meer) bij dit onderdeel.")})
        if parent.parent_id is not None:  # a reply to a reply joins the same thread
            parent = session.get(Comment, parent.parent_id)
        if parent is None or parent.deleted_at is not None:
            raise invalid({"parent_id": _("Op een ingetrokken reactie kan niet meer worden gereageerd.")})
    clean = _validate(data, reply=parent is not None)
    ratelimit.check_write(session, principal, field="body")
    comment = Comment(
        section_id=section_id,
        author_id=user.id or 0,
        provider_id=user.provider_id if user.role == Role.provider else None,
        parent_id=parent.id if parent else None,
        kind=clean.kind,
        body=clean.body,
        body_html=render_markdown(clean.body, heading_offset=3),
        quote=clean.quote,
        suggested_text=clean.suggested_text,
        suggestion_diff=suggestion_diff(context.section, clean.quote, clean.suggested_text),
        idempotency_key=scoped_key,
        idempotency_fingerprint=fingerprint,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():  # a concurrent retry with the same key: return the comment it made
            session.add(comment)
    except IntegrityError:
        if scoped_key is None:
            raise
        existing = session.exec(select(Comment).where(Comment.idempotency_key == scoped_key)).first()
        if existing is None:
            raise
        return _same_request(existing, fingerprint), False
    record(
        session,
        action="comment.replied" if parent else "comment.created",
        entity_type="comment",
        entity_id=comment.id,
        actor=user,
        summary=f"{context.proposal.title} v{context.version.number} · {context.section.heading}",
        after=_snapshot(comment),
        ip=ip,
    )
    return comment, True


def reads_own_only(principal: Principal) -> bool:
    """A provider that does not (or no longer) take part reads its own earlier comments, nobody else's."""
    return not can(principal, Action.view_comments) and can(principal, Action.view_own_comments)


def _request_fingerprint(section_id: int, data: CommentInput) -> str:
    """What a comment request asked for, to bind an Idempotency-Key to it."""
    asked = [section_id, data.parent_id, data.kind, data.body, data.quote, data.suggested_text]
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()


def _same_request(existing: Comment, fingerprint: str | None) -> Comment:
    """The comment an Idempotency-Key made, if this is a retry of that request; a key reused for another
    request is refused (422) rather than answered with a comment it did not ask for."""
    if existing.idempotency_fingerprint is not None and existing.idempotency_fingerprint != fingerprint:
        message = _("Dit formulier is al verstuurd met een andere inhoud. Laad de pagina opnieuw.")
        raise ValidationFailed(
            "This Idempotency-Key was already used for a different request; use a new key for a new comment.",
            errors=[{"field": "Idempotency-Key", "message": message}],
        )
    return existing


def get_comment(session: Session, principal: Principal, comment_id: int) -> tuple[Comment, CommentContext]:
    """A comment ``principal`` may see, with its section, version and proposal; 404 otherwise."""
    comment = session.get(Comment, comment_id) if 0 < comment_id <= MAX_ID else None
    if comment is None:
        raise NotFound("No such comment.")
    context = section_context(session, comment.section_id)
    if reads_own_only(principal):
        if comment.provider_id is None or comment.provider_id != principal.provider_id:
            raise NotFound("No such comment.")
    else:
        _visible_to(session, principal, context)
    if not session.exec(select(func.count()).where(Comment.id == comment.id, comment_visibility(principal))).one():
        raise NotFound("No such comment.")
    return comment, context


def reply_target(session: Session, principal: Principal, comment_id: int) -> tuple[Comment, CommentContext]:
    """The thread a reply to ``comment_id`` goes into (a reply to a reply joins its thread), when
    ``principal`` may reply there now: 404 when they cannot see it, 401/403 when they may not comment,
    409 when the thread's comment is withdrawn or the window is not open (``create_comment`` checks again)."""
    comment, context = get_comment(session, principal, comment_id)
    user = principal.user
    authorize(principal, Action.comment, provider_id=user.provider_id if user else None)
    root = session.get(Comment, comment.parent_id) if comment.parent_id is not None else comment
    if root is None or root.deleted_at is not None:
        raise Conflict(_("Op een ingetrokken reactie kan niet meer worden gereageerd."), user_message=True)
    ensure_open(session, context)
    return root, context


def _own_open(session: Session, principal: Principal, comment: Comment, context: CommentContext) -> User:
    authorize(principal, Action.edit_own_comment, author_id=comment.author_id)
    if comment.deleted_at is not None:
        raise Conflict(_("Deze reactie is ingetrokken en kan niet meer worden gewijzigd."), user_message=True)
    ensure_open(session, context)
    assert principal.user is not None
    return principal.user


def edit_comment(
    session: Session,
    principal: Principal,
    comment: Comment,
    context: CommentContext,
    data: CommentInput,
    *,
    ip: str | None = None,
) -> Comment:
    """Change one's own comment while the window is open; the text before is kept as a revision."""
    user = _own_open(session, principal, comment, context)
    clean = _validate(data, reply=comment.parent_id is not None)
    if (clean.kind, clean.body, clean.quote, clean.suggested_text) == (
        comment.kind,
        comment.body,
        comment.quote,
        comment.suggested_text,
    ):
        return comment
    before = _snapshot(comment)
    session.add(
        CommentRevision(
            comment_id=comment.id or 0,
            kind=comment.kind,
            body=comment.body,
            quote=comment.quote,
            suggested_text=comment.suggested_text,
            edited_by_id=user.id or 0,
            created_at=clock.now(),
        )
    )
    comment.kind = clean.kind if comment.parent_id is None or clean.kind else comment.kind
    comment.body = clean.body
    comment.body_html = render_markdown(clean.body, heading_offset=3)
    comment.quote = clean.quote
    comment.suggested_text = clean.suggested_text
    comment.suggestion_diff = suggestion_diff(context.section, clean.quote, clean.suggested_text)
    comment.edited_at = clock.now()
    session.add(comment)
    record(
        session,
        action="comment.edited",
        entity_type="comment",
        entity_id=comment.id,
        actor=user,
        before=before,
        after=_snapshot(comment),
        ip=ip,
    )
    return comment


def withdraw_comment(
    session: Session, principal: Principal, comment: Comment, context: CommentContext, *, ip: str | None = None
) -> Comment:
    """Withdraw one's own comment: the text is kept for the record, the thread shows a marker."""
    user = _own_open(session, principal, comment, context)
    before = _snapshot(comment)
    comment.deleted_at = clock.now()
    session.add(comment)
    record(
        session,
        action="comment.withdrawn",
        entity_type="comment",
        entity_id=comment.id,
        actor=user,
        before=before,
        after=_snapshot(comment),
        ip=ip,
    )
    return comment


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


def comment_history(session: Session, principal: Principal, comment: Comment) -> list[CommentRevision]:
    """The earlier texts of a comment. Once withdrawn, only its author and admins may still read them."""
    withdrawn_for_others = comment.deleted_at is not None and not (
        principal.role == Role.admin or (principal.user is not None and principal.user.id == comment.author_id)
    )
    if withdrawn_for_others:
        raise NotFound(_("Deze reactie is ingetrokken."), user_message=True)
    return revisions(session, comment)


def revisions(session: Session, comment: Comment) -> list[CommentRevision]:
    return list(
        session.exec(
            select(CommentRevision).where(CommentRevision.comment_id == comment.id).order_by(col(CommentRevision.id))
        ).all()
    )


# --- the API's comment list ----------------------------------------------------------------------


@dataclass(frozen=True)
class CommentFilter:
    proposal_id: int | None = None
    version: int | None = None
    section_key: str | None = None
    provider_id: int | None = None
    kind: str | None = None
    status: str | None = None
    since: datetime | None = None


@dataclass
class CommentRow:
    comment: Comment
    section: Section
    version: ProposalVersion
    proposal: Proposal
    author_name: str
    provider_name: str | None
    status: str = "nieuw"  # as the reader may see it


def list_comments(
    session: Session, principal: Principal, filters: CommentFilter, params: PageParams, *, comment_id: int | None = None
) -> tuple[list[CommentRow], int]:
    """Comments ``principal`` may see, oldest first (created_at, then id); for a provider that does not take
    part (any more), only its own."""
    own_only = reads_own_only(principal)
    if not own_only:
        authorize(principal, Action.view_comments)
    stmt = (
        select(Comment, Section, ProposalVersion, Proposal, User.name, Provider.name)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .where(comment_visibility(principal))
    )
    if not can(principal, Action.view_draft_proposal):
        stmt = stmt.where(ProposalVersion.status == VersionStatus.published)
    if own_only:
        stmt = stmt.where(Comment.provider_id == principal.provider_id)
    if comment_id is not None:
        stmt = stmt.where(Comment.id == comment_id)
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
    now = clock.now()
    if filters.status:
        stmt = stmt.where(status_column(principal, now) == filters.status)
    if filters.since is not None:
        stmt = stmt.where(col(Comment.created_at) >= filters.since)
    rows, total = paginate(session, stmt.order_by(col(Comment.created_at), col(Comment.id)), params)  # type: ignore[arg-type]
    return [CommentRow(*row, status=status_for(principal, row[0], now)) for row in rows], total


# --- questions: who answered -----------------------------------------------------------------------


@dataclass
class QuestionAnswers:
    section: Section
    answered: list[Provider]
    not_answered: list[Provider]


def question_answers(session: Session, version: ProposalVersion, providers: list[Provider]) -> list[QuestionAnswers]:
    """Per question section of ``version``: which of ``providers`` answered (a comment of their own, not
    withdrawn) and which did not."""
    questions = [s for s in sections_of(session, [version.id or 0]) if s.kind == SectionKind.question]
    answered: dict[int, set[int]] = defaultdict(set)
    if questions:
        for section_id, provider_id in session.exec(
            select(Comment.section_id, Comment.provider_id)
            .where(
                col(Comment.section_id).in_([q.id for q in questions]),
                col(Comment.provider_id).is_not(None),
                col(Comment.deleted_at).is_(None),
                Comment.visibility == Visibility.participants,
            )
            .distinct()
        ).all():
            answered[section_id].add(provider_id)  # type: ignore[arg-type]
    return [
        QuestionAnswers(
            section=q,
            answered=[p for p in providers if p.id in answered[q.id or 0]],
            not_answered=[p for p in providers if p.id not in answered[q.id or 0]],
        )
        for q in questions
    ]
