"""Review and triage: what the municipalities and SDFL do with the providers' feedback.

The dashboard lists *feedback*: top-level comments of participants on published versions, not withdrawn, not
SDFL's official replies. Every page of it takes a fixed number of queries whatever the number of comments: one
for the rows, one for the count, and one each for the official replies, notes, positions and agenda links of
the rows on the page.

Decisions are released together: a status an admin sets is SDFL's working decision (reviewers see it at
once); providers see the decision that was last released. ``release`` publishes every drafted official reply
and every pending decision at one moment, so every provider learns SDFL's answers at the same time.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import and_, case, exists, func, literal_column, or_, text
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app import ratelimit
from app.audit.service import record
from app.kit import clock, dates
from app.kit.errors import N_, Conflict, Forbidden, NotFound, invalid
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.kit.pagination import PageParams, paginate
from app.kit.pdf import pdf_footer, pdf_lines, to_latin1
from app.models import (
    AgendaItem,
    AgendaItemComment,
    Comment,
    CommentKind,
    CommentStatus,
    DialogueSession,
    InternalNote,
    Municipality,
    Position,
    Proposal,
    ProposalVersion,
    Provider,
    Role,
    Section,
    SectionKind,
    SessionStatus,
    Stance,
    User,
    VersionStatus,
    Visibility,
)
from app.policy import Action, Principal, authorize, can
from app.proposals.service import (
    KIND_LABELS,
    MAX_ID,
    STATUS_LABELS,
    AppliedVersion,
    organisation,
    pick_version,
    sections_of,
    sees_working_status,
    shown_status,
    status_for,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_NOTE = 5_000
MAX_REPLY = 10_000
MAX_SEARCH = 200
MAX_EXPORT_ROWS = 50_000
MAX_BULK = 500

STANCE_LABELS = {
    Stance.eens: N_("Eens"),
    Stance.oneens: N_("Oneens"),
    Stance.neutraal: N_("Neutraal"),
    Stance.toelichting: N_("Toelichting"),
}
SORT_LABELS = {
    "newest": N_("Nieuwste eerst"),
    "oldest": N_("Oudste eerst"),
    "section": N_("Volgorde van het voorstel"),
    "status": N_("Beoordeling"),
    "provider": N_("Aanbieder"),
}
# Statuses a comment can have after triage; "niet overgenomen" needs an official reply.
NEEDS_REPLY = CommentStatus.niet_overgenomen


# --- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewFilter:
    """One state of the dashboard's filters; every state has its own URL (``query_string``)."""

    proposal_id: int | None = None
    version: int | None = None
    section: str | None = None  # section key
    provider_id: int | None = None
    kind: str | None = None
    status: str | None = None
    municipality_id: int | None = None  # marked relevant by this municipality
    answered: bool | None = None  # has an official reply (that the reader may see)
    date_from: date | None = None
    date_to: date | None = None
    since: datetime | None = None  # the API's filter
    q: str = ""
    sort: str = "newest"

    def params(self, **overrides: Any) -> dict[str, str]:
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        out: dict[str, str] = {}
        for name, value in values.items():
            if value is None or value == "" or (name == "sort" and value == "newest"):
                continue
            if isinstance(value, bool):
                out[name] = "yes" if value else "no"
            elif isinstance(value, date | datetime):
                out[name] = value.isoformat()
            else:
                out[name] = str(value)
        return out

    def query_string(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides))

    @property
    def active(self) -> bool:
        return bool(self.params(sort="newest"))


def _int(raw: str, name: str, errors: dict[str, str], message: str) -> int | None:
    if not raw:
        return None
    if raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw)
    errors[name] = message
    return None


def _date(raw: str, name: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return dates.parse_date(raw)
    except dates.YearOutOfRange:
        errors[name] = _("Vul een datum tussen 2000 en 2100 in.")
    except ValueError:
        errors[name] = _("Vul een datum in als jjjj-mm-dd.")
    return None


def parse_filter(query: Mapping[str, str]) -> tuple[ReviewFilter, dict[str, str]]:
    """The filter a query string describes, and a message per field that could not be read (that field is
    then ignored, the others still apply)."""
    errors: dict[str, str] = {}

    def raw(name: str, limit: int = 100) -> str:
        return (query.get(name) or "").strip()[:limit]

    kind = raw("kind") or None
    if kind and kind not in CommentKind.__members__:
        errors["kind"] = _("Onbekende soort reactie.")
        kind = None
    status = raw("status") or None
    if status and status not in CommentStatus.__members__:
        errors["status"] = _("Onbekende beoordeling.")
        status = None
    answered_raw = raw("answered")
    answered = {"yes": True, "no": False}.get(answered_raw)
    if answered_raw and answered is None:
        errors["answered"] = _("Kies beantwoord of niet beantwoord.")
    sort = raw("sort") or "newest"
    if sort not in SORT_LABELS:
        errors["sort"] = _("Onbekende sortering.")
        sort = "newest"
    q = (query.get("q") or "").strip()
    if len(q) > MAX_SEARCH:
        errors["q"] = _("Zoek op maximaal %(n)s tekens.", n=MAX_SEARCH)
        q = q[:MAX_SEARCH]
    date_from, date_to = _date(raw("date_from"), "date_from", errors), _date(raw("date_to"), "date_to", errors)
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = _("De einddatum ligt voor de begindatum.")
        date_to = None
    version = _int(raw("version"), "version", errors, _("Kies een versienummer."))
    if version is not None and version > 10_000:
        errors["version"] = _("Kies een versienummer.")
        version = None
    filters = ReviewFilter(
        proposal_id=_int(raw("proposal_id"), "proposal_id", errors, _("Kies een voorstel uit de lijst.")),
        version=version,
        section=raw("section") or None,
        provider_id=_int(raw("provider_id"), "provider_id", errors, _("Kies een aanbieder uit de lijst.")),
        kind=kind,
        status=status,
        municipality_id=_int(raw("municipality_id"), "municipality_id", errors, _("Kies een gemeente uit de lijst.")),
        answered=answered,
        date_from=date_from,
        date_to=date_to,
        q=q,
        sort=sort,
    )
    return filters, errors


# --- full text -----------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def full_text_condition(session: Session, q: str) -> ColumnElement[bool] | None:
    """Comments whose text or suggested text matches ``q``: SQLite FTS5 (every word, as a prefix) or
    PostgreSQL full text (Dutch stemming, web search syntax). ``None`` when ``q`` holds no words."""
    words = _WORD.findall(q)[:20]
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        # comments.full_text: a stored tsvector of body and suggested text with a GIN index (migration 0008).
        return text("comments.full_text @@ websearch_to_tsquery('dutch'::regconfig, :full_text_q)").bindparams(
            full_text_q=q
        )
    match = " ".join(f'"{word}"*' for word in words)  # quoted: no FTS5 syntax reaches the parser
    matching = (
        select(literal_column("rowid"))
        .select_from(text("comments_fts"))
        .where(text("comments_fts MATCH :full_text_match").bindparams(full_text_match=match))
    )
    return col(Comment.id).in_(matching)


# --- what participants see of the review ------------------------------------------------------------


def official_visible(principal: Principal, now: datetime, reply: Any = Comment) -> ColumnElement[bool]:
    """Official replies (``reply``: the comments table or an alias of it) ``principal`` may read: admins also
    drafted ones, everyone else released ones."""
    conditions = [reply.official.is_(True), reply.deleted_at.is_(None)]
    if principal.role != Role.admin:
        conditions += [reply.release_at.is_not(None), reply.release_at <= now]
    return and_(*conditions)


def feedback_condition() -> ColumnElement[bool]:
    """Top-level participant feedback that can be reviewed."""
    return and_(
        col(Comment.parent_id).is_(None),
        col(Comment.official).is_(False),
        Comment.visibility == Visibility.participants,
        col(Comment.deleted_at).is_(None),
    )


def _feedback_query(session: Session, principal: Principal, filters: ReviewFilter, now: datetime) -> Any:
    stmt = (
        select(
            Comment,
            Section.key,
            Section.heading,
            ProposalVersion.number,
            Proposal.id,
            Proposal.title,
            User.name,
            Provider.name,
            Municipality.name,
            User.role,
            AppliedVersion.number,
            AppliedVersion.status,
        )
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .outerjoin(AppliedVersion, AppliedVersion.id == Comment.applied_in_version_id)
        .where(feedback_condition(), ProposalVersion.status == VersionStatus.published)
    )
    if filters.proposal_id is not None:
        stmt = stmt.where(Proposal.id == filters.proposal_id)
    if filters.version is not None:
        stmt = stmt.where(ProposalVersion.number == filters.version)
    if filters.section:
        stmt = stmt.where(Section.key == filters.section)
    if filters.provider_id is not None:
        stmt = stmt.where(Comment.provider_id == filters.provider_id)
    if filters.kind:
        stmt = stmt.where(Comment.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(Comment.status == filters.status)
    if filters.municipality_id is not None:
        stmt = stmt.where(
            exists().where(Position.comment_id == Comment.id, Position.municipality_id == filters.municipality_id)
        )
    if filters.answered is not None:
        reply = aliased(Comment)
        has_reply = exists().where(reply.parent_id == Comment.id, official_visible(principal, now, reply))
        stmt = stmt.where(has_reply if filters.answered else ~has_reply)
    if filters.date_from is not None:
        stmt = stmt.where(col(Comment.created_at) >= dates.local_midnight(filters.date_from))
    if filters.date_to is not None:
        stmt = stmt.where(col(Comment.created_at) < dates.local_midnight(filters.date_to + timedelta(days=1)))
    if filters.since is not None:
        stmt = stmt.where(col(Comment.created_at) >= filters.since)
    if filters.q:
        condition = full_text_condition(session, filters.q)
        if condition is not None:
            stmt = stmt.where(condition)
    return stmt.order_by(*_order(filters.sort))


def _order(sort: str) -> tuple[Any, ...]:
    newest = (col(Comment.created_at).desc(), col(Comment.id).desc())
    if sort == "oldest":
        return (col(Comment.created_at), col(Comment.id))
    if sort == "section":
        return (Proposal.title, Proposal.id, ProposalVersion.number, Section.position, col(Comment.id))
    if sort == "status":
        order = case({s.value: i for i, s in enumerate(CommentStatus)}, value=Comment.status, else_=99)
        return (order, *newest)
    if sort == "provider":
        return (Provider.name, *newest)
    return newest


# --- the dashboard -------------------------------------------------------------------------------


@dataclass
class ReplyView:
    id: int
    body_html: str
    released: bool
    release_at: datetime | None
    author_name: str


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
    applied_in: int | None = None  # the published version that worked it in
    replies: list[ReplyView] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    positions: list[PositionView] = field(default_factory=list)
    agenda: list[AgendaLink] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.comment.kind, "") if self.comment.kind else ""  # type: ignore[call-overload]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def pending(self) -> bool:
        """The decision differs from what providers see and is not scheduled for release."""
        c = self.comment
        return c.status != c.published_status and c.status_release_at is None

    def position_of(self, municipality_id: int | None) -> PositionView | None:
        return next((p for p in self.positions if p.municipality_id == municipality_id), None)


def _rows(session: Session, principal: Principal, raw: list[Any], now: datetime) -> list[FeedbackRow]:
    rows = [
        FeedbackRow(
            comment=c,
            section_key=key,
            section_heading=heading,
            version=number,
            proposal_id=pid,
            proposal_title=ptitle,
            author_name=author or "",
            organisation=organisation(role, provider, municipality),
            status=status_for(principal, c, now),
            applied_in=applied if applied_status == VersionStatus.published else None,
        )
        for c, key, heading, number, pid, ptitle, author, provider, municipality, role, applied, applied_status in raw
    ]
    attach_details(session, principal, rows, now)
    return rows


def attach_details(session: Session, principal: Principal, rows: list[FeedbackRow], now: datetime) -> None:
    """Official replies, internal notes, positions and agenda links of ``rows``: four queries in all."""
    by_id = {row.comment.id: row for row in rows}
    if not by_id:
        return
    ids = list(by_id)
    for reply, author in session.exec(
        select(Comment, User.name)
        .join(User, col(User.id) == Comment.author_id)
        .where(col(Comment.parent_id).in_(ids), official_visible(principal, now))
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all():
        by_id[reply.parent_id].replies.append(
            ReplyView(
                id=reply.id or 0,
                body_html=reply.body_html,
                released=reply.release_at is not None and reply.release_at <= now,
                release_at=reply.release_at,
                author_name=author or "",
            )
        )
    if can(principal, Action.read_internal_notes):
        for note, author, role, municipality in session.exec(
            select(InternalNote, User.name, User.role, Municipality.name)
            .join(User, col(User.id) == InternalNote.author_id)
            .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
            .where(col(InternalNote.comment_id).in_(ids))
            .order_by(col(InternalNote.created_at), col(InternalNote.id))
        ).all():
            by_id[note.comment_id].notes.append(_note_view(note, author, role, municipality))
        for position, municipality_name in session.exec(
            select(Position, Municipality.name)
            .join(Municipality, col(Municipality.id) == Position.municipality_id)
            .where(col(Position.comment_id).in_(ids))
            .order_by(Municipality.name)
        ).all():
            by_id[position.comment_id].positions.append(
                PositionView(
                    municipality_id=position.municipality_id,
                    municipality=municipality_name,
                    stance=position.stance,
                    note=position.note,
                )
            )
    agenda = (
        select(
            AgendaItemComment.comment_id, AgendaItem.id, DialogueSession.id, DialogueSession.number, AgendaItem.title
        )
        .join(AgendaItem, col(AgendaItem.id) == AgendaItemComment.agenda_item_id)
        .join(DialogueSession, col(DialogueSession.id) == AgendaItem.session_id)
        .where(col(AgendaItemComment.comment_id).in_(ids))
        .order_by(DialogueSession.number, AgendaItem.position)
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
        created_at=note.created_at,
    )


@dataclass
class Options:
    """What the filters offer."""

    proposals: list[tuple[int, str, int]]  # id, title, newest published version number
    sections: list[tuple[str, str]]  # key, heading (of the chosen proposal)
    providers: list[tuple[int, str]]
    municipalities: list[tuple[int, str]]


def filter_options(session: Session, filters: ReviewFilter) -> Options:
    proposals = [
        (pid or 0, title, int(newest or 0))
        for pid, title, newest in session.exec(
            select(Proposal.id, Proposal.title, func.max(ProposalVersion.number))
            .join(ProposalVersion, col(ProposalVersion.proposal_id) == Proposal.id)
            .where(ProposalVersion.status == VersionStatus.published)
            .group_by(Proposal.id, Proposal.title)
            .order_by(Proposal.title)
        ).all()
    ]
    sections: list[tuple[str, str]] = []
    if filters.proposal_id is not None:
        seen: dict[str, str] = {}
        for key, heading in session.exec(
            select(Section.key, Section.heading)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .where(
                ProposalVersion.proposal_id == filters.proposal_id,
                ProposalVersion.status == VersionStatus.published,
                *([ProposalVersion.number == filters.version] if filters.version else []),
            )
            .order_by(col(ProposalVersion.number).desc(), Section.position)
        ).all():
            seen.setdefault(key, heading)
        sections = list(seen.items())
    providers = [
        (pid or 0, name) for pid, name in session.exec(select(Provider.id, Provider.name).order_by(Provider.name))
    ]
    municipalities = [
        (mid or 0, name)
        for mid, name in session.exec(select(Municipality.id, Municipality.name).order_by(Municipality.name))
    ]
    return Options(proposals=proposals, sections=sections, providers=providers, municipalities=municipalities)


@dataclass
class Dashboard:
    filters: ReviewFilter
    rows: list[FeedbackRow]
    total: int
    page: PageParams

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page.page_size))


def dashboard(session: Session, principal: Principal, filters: ReviewFilter, page: PageParams) -> Dashboard:
    """One page of the feedback that matches ``filters``."""
    authorize(principal, Action.review)
    now = clock.now()
    raw, total = paginate(session, _feedback_query(session, principal, filters, now), page)
    return Dashboard(filters=filters, rows=_rows(session, principal, raw, now), total=total, page=page)


def get_feedback(session: Session, principal: Principal, comment_id: int) -> FeedbackRow:
    """One piece of feedback with its replies, notes, positions and agenda links; 404 for anything else."""
    authorize(principal, Action.review)
    now = clock.now()
    if not 0 < comment_id <= MAX_ID:
        raise NotFound("No such comment.")
    raw = session.exec(_feedback_query(session, principal, ReviewFilter(), now).where(Comment.id == comment_id)).first()
    if raw is None:
        raise NotFound("No such comment.")
    return _rows(session, principal, [raw], now)[0]


def thread_replies(session: Session, comment_ids: list[int]) -> dict[int, list[tuple[Comment, str, str]]]:
    """The participants' replies (not SDFL's official ones) in the threads of ``comment_ids``, per thread:
    (reply, author, organisation), oldest first. One query per 1,000 threads."""
    out: dict[int, list[tuple[Comment, str, str]]] = defaultdict(list)
    for start in range(0, len(comment_ids), 1000):
        for reply, author, role, provider, municipality in session.exec(
            select(Comment, User.name, User.role, Provider.name, Municipality.name)
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
            out[reply.parent_id or 0].append((reply, author or "", organisation(role, provider, municipality)))
    return out


def my_feedback(session: Session, principal: Principal, page: PageParams) -> Dashboard:
    """What became of the reader's feedback: a provider's user sees every comment of its provider, anyone
    else their own; with the decision and SDFL's answer as released, the agenda and the version that took
    it in."""
    authorize(principal, Action.view_own_comments)
    user = principal.user
    assert user is not None
    now = clock.now()
    stmt = _feedback_query(session, principal, ReviewFilter(), now)
    if user.role == Role.provider:
        stmt = stmt.where(Comment.provider_id == user.provider_id)
    else:
        stmt = stmt.where(Comment.author_id == user.id)
    raw, total = paginate(session, stmt, page)
    return Dashboard(filters=ReviewFilter(), rows=_rows(session, principal, raw, now), total=total, page=page)


# --- overviews -----------------------------------------------------------------------------------


@dataclass
class ProviderParticipation:
    provider: Provider
    comments: int
    answered: int
    not_answered: int


@dataclass
class Overview:
    proposal: Proposal
    version: ProposalVersion
    versions: list[ProposalVersion]
    sections: list[Section]
    by_kind: dict[int, dict[str, int]]
    by_status: dict[int, dict[str, int]]
    participation: list[ProviderParticipation]
    questions: int

    def total(self, table: dict[int, dict[str, int]], key: str) -> int:
        return sum(row.get(key, 0) for row in table.values())

    def unreviewed(self, section_id: int) -> int:
        return self.by_status.get(section_id, {}).get(CommentStatus.nieuw, 0)

    def section_total(self, section_id: int) -> int:
        return sum(self.by_kind.get(section_id, {}).values())

    @property
    def grand_total(self) -> int:
        return sum(self.section_total(s.id or 0) for s in self.sections)


def _published_version(
    session: Session, proposal_id: int, number: int | None
) -> tuple[Proposal, list[ProposalVersion], ProposalVersion, list[Section]]:
    """A proposal, its published versions, version ``number`` of them (the newest by default) and its sections."""
    proposal = session.get(Proposal, proposal_id) if 0 < proposal_id <= MAX_ID else None
    if proposal is None:
        raise NotFound("No such proposal.")
    versions = list(
        session.exec(
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.status == VersionStatus.published)
            .order_by(ProposalVersion.number)
        ).all()
    )
    version = pick_version(versions, number)
    return proposal, versions, version, sections_of(session, [version.id or 0])


def overview(
    session: Session, principal: Principal, proposal_id: int, number: int | None, providers: list[Provider]
) -> Overview:
    """Counts per section × kind and section × status for one version, what is still unreviewed, and how much
    each participating provider said and answered."""
    authorize(principal, Action.review)
    proposal, versions, version, sections = _published_version(session, proposal_id, number)
    section_ids = [s.id for s in sections]
    by_kind: dict[int, dict[str, int]] = defaultdict(dict)
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for section_id, kind, status, n in session.exec(
        select(Comment.section_id, Comment.kind, Comment.status, func.count())
        .where(col(Comment.section_id).in_(section_ids), feedback_condition())
        .group_by(Comment.section_id, Comment.kind, Comment.status)
    ).all():
        by_kind[section_id][kind or ""] = by_kind[section_id].get(kind or "", 0) + n
        by_status[section_id][status] = by_status[section_id].get(status, 0) + n

    questions = [s.id for s in sections if s.kind == SectionKind.question]
    comments_by: dict[int, int] = defaultdict(int)
    answered_by: dict[int, set[int]] = defaultdict(set)
    for provider_id, section_id, n in session.exec(
        select(Comment.provider_id, Comment.section_id, func.count())
        .where(
            col(Comment.section_id).in_(section_ids),
            col(Comment.provider_id).is_not(None),
            col(Comment.official).is_(False),
            Comment.visibility == Visibility.participants,
            col(Comment.deleted_at).is_(None),
        )
        .group_by(Comment.provider_id, Comment.section_id)
    ).all():
        comments_by[provider_id or 0] += n
        if section_id in questions:
            answered_by[provider_id or 0].add(section_id)
    participation = [
        ProviderParticipation(
            provider=p,
            comments=comments_by.get(p.id or 0, 0),
            answered=len(answered_by.get(p.id or 0, set())),
            not_answered=len(questions) - len(answered_by.get(p.id or 0, set())),
        )
        for p in providers
    ]
    return Overview(
        proposal=proposal,
        version=version,
        versions=versions,
        sections=sections,
        by_kind=dict(by_kind),
        by_status=dict(by_status),
        participation=participation,
        questions=len(questions),
    )


# --- triage (admins) -----------------------------------------------------------------------------


def _feedback_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id) if 0 < comment_id <= MAX_ID else None
    if (
        comment is None
        or comment.parent_id is not None
        or comment.official
        or comment.visibility != Visibility.participants
        or comment.deleted_at is not None
    ):
        raise NotFound("No such comment.")
    return comment


def _replied(session: Session, comment_ids: list[int]) -> set[int]:
    """Which of ``comment_ids`` have an official reply (drafted or released)."""
    return {
        parent_id or 0
        for parent_id in session.exec(
            select(Comment.parent_id).where(
                col(Comment.parent_id).in_(comment_ids),
                col(Comment.official).is_(True),
                col(Comment.deleted_at).is_(None),
            )
        ).all()
    }


def _selection(session: Session, comment_ids: list[int]) -> list[Comment]:
    """The feedback an admin selected (each once); 422 for none or too many, 404 for one that is not feedback."""
    if not comment_ids:
        raise invalid({"ids": _("Selecteer eerst een of meer reacties.")})
    if len(comment_ids) > MAX_BULK:
        raise invalid({"ids": _("Selecteer maximaal %(n)s reacties tegelijk.", n=MAX_BULK)})
    return [_feedback_comment(session, cid) for cid in dict.fromkeys(comment_ids)]


def _apply_status(session: Session, comment: Comment, status: str, now: datetime) -> bool:
    """Set the working status; a decision released earlier becomes what providers see until the next release.
    Returns whether anything changed."""
    if comment.status == status:
        return False
    if comment.status_release_at is not None and comment.status_release_at <= now:
        comment.published_status = comment.status
        comment.status_release_at = None
    comment.status = status
    session.add(comment)
    return True


def _check_status(status: str) -> None:
    if status not in CommentStatus.__members__:
        raise invalid({"status": _("Kies een beoordeling uit de lijst.")})


def draft_reply(session: Session, comment: Comment) -> Comment | None:
    """The official reply to ``comment`` that is not released yet, if any."""
    return session.exec(
        select(Comment)
        .where(
            Comment.parent_id == comment.id,
            col(Comment.official).is_(True),
            col(Comment.deleted_at).is_(None),
            or_(col(Comment.release_at).is_(None), col(Comment.release_at) > clock.now()),
        )
        .order_by(col(Comment.id).desc())
    ).first()


def triage(
    session: Session,
    principal: Principal,
    comment_id: int,
    *,
    status: str | None,
    reply: str | None,
    ip: str | None = None,
) -> Comment:
    """Set a comment's status and/or write (or rewrite) its drafted official reply. "Niet overgenomen" needs an
    official reply: one written before, or the one sent along."""
    authorize(principal, Action.triage)
    assert principal.user is not None
    comment = _feedback_comment(session, comment_id)
    now = clock.now()
    text_ = (reply or "").replace("\r\n", "\n").strip()
    if len(text_) > MAX_REPLY:
        raise invalid({"reply": _("Het antwoord is te lang: maximaal %(n)s tekens.", n=MAX_REPLY)})
    if status is not None:
        _check_status(status)
        if status == NEEDS_REPLY and not text_ and comment.id not in _replied(session, [comment.id or 0]):
            raise invalid({"reply": _("Bij ‘niet overgenomen’ hoort een officieel antwoord: schrijf het hier.")})
    before = {"status": comment.status}
    if text_:
        draft = draft_reply(session, comment)
        if draft is None:
            draft = Comment(
                section_id=comment.section_id,
                author_id=principal.user.id or 0,
                parent_id=comment.id,
                official=True,
                body=text_,
                body_html=render_markdown(text_, heading_offset=3),
                created_at=now,
            )
            session.add(draft)
            session.flush()
            action = "comment.official_reply_drafted"
        elif draft.body != text_:
            draft.body = text_
            draft.body_html = render_markdown(text_, heading_offset=3)
            draft.edited_at = now
            session.add(draft)
            action = "comment.official_reply_edited"
        else:
            action = ""
        if action:
            record(
                session,
                action=action,
                entity_type="comment",
                entity_id=draft.id,
                actor=principal.user,
                summary=f"Officieel antwoord op reactie {comment.id}",
                after={"body": text_, "parent_id": comment.id},
                ip=ip,
            )
    if status is not None and _apply_status(session, comment, status, now):
        record(
            session,
            action="comment.status_set",
            entity_type="comment",
            entity_id=comment.id,
            actor=principal.user,
            before=before,
            after={"status": status},
            ip=ip,
        )
    return comment


def bulk_status(
    session: Session, principal: Principal, comment_ids: list[int], status: str, *, ip: str | None = None
) -> int:
    """Give every selected comment ``status``; all or nothing. Returns how many changed."""
    authorize(principal, Action.triage)
    assert principal.user is not None
    comments = _selection(session, comment_ids)
    _check_status(status)
    if status == NEEDS_REPLY:
        replied = _replied(session, [c.id or 0 for c in comments])
        missing = [c.id for c in comments if c.id not in replied]
        if missing:
            raise invalid(
                {
                    "status": _(
                        "‘Niet overgenomen’ vraagt een officieel antwoord; dat ontbreekt nog bij reactie %(ids)s.",
                        ids=", ".join(f"#{m}" for m in missing),
                    )
                }
            )
    now = clock.now()
    changed = 0
    for comment in comments:
        before = comment.status
        if _apply_status(session, comment, status, now):
            changed += 1
            record(
                session,
                action="comment.status_set",
                entity_type="comment",
                entity_id=comment.id,
                actor=principal.user,
                summary="in bulk",
                before={"status": before},
                after={"status": status},
                ip=ip,
            )
    return changed


@dataclass
class Pending:
    replies: int
    decisions: int


def _drafted_replies() -> ColumnElement[bool]:
    return and_(col(Comment.official).is_(True), col(Comment.deleted_at).is_(None), col(Comment.release_at).is_(None))


def _pending_decisions() -> ColumnElement[bool]:
    return and_(Comment.status != Comment.published_status, col(Comment.status_release_at).is_(None))


def _unreleased_agenda_link() -> ColumnElement[bool]:
    return (
        exists()
        .where(AgendaItemComment.comment_id == Comment.id, col(AgendaItemComment.released_at).is_(None))
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


# --- internal notes and positions (reviewers) -------------------------------------------------------


def add_note(
    session: Session, principal: Principal, comment_id: int, body: str, *, ip: str | None = None
) -> InternalNote:
    authorize(principal, Action.write_internal_notes)
    assert principal.user is not None
    comment = _feedback_comment(session, comment_id)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise invalid({"note": _("Schrijf de notitie.")})
    if len(body) > MAX_NOTE:
        raise invalid({"note": _("De notitie is te lang: maximaal %(n)s tekens.", n=MAX_NOTE)})
    ratelimit.check_write(session, principal, field="note")
    note = InternalNote(comment_id=comment.id or 0, author_id=principal.user.id or 0, body=body, created_at=clock.now())
    session.add(note)
    session.flush()
    record(
        session,
        action="comment.note_added",
        entity_type="internal_note",
        entity_id=note.id,
        actor=principal.user,
        summary=f"Interne notitie bij reactie {comment.id}",
        after={"comment_id": comment.id, "body": body},
        ip=ip,
    )
    return note


def set_position(
    session: Session, principal: Principal, comment_id: int, stance: str, note: str, *, ip: str | None = None
) -> Position | None:
    """Mark a comment as relevant for the reviewer's municipality with its stance, or (empty stance) unmark it."""
    authorize(principal, Action.take_position)
    user = principal.user
    assert user is not None
    if user.municipality_id is None:
        raise Forbidden("Only a municipality's reviewers take its position.")
    comment = _feedback_comment(session, comment_id)
    note = (note or "").replace("\r\n", "\n").strip()
    existing = session.exec(
        select(Position).where(Position.comment_id == comment.id, Position.municipality_id == user.municipality_id)
    ).first()
    before = {"stance": existing.stance, "note": existing.note} if existing else None
    if not stance:
        if existing is not None:
            session.delete(existing)
            record(
                session,
                action="comment.position_removed",
                entity_type="position",
                entity_id=existing.id,
                actor=user,
                before=before,
                ip=ip,
            )
        return None
    errors = {}
    if stance not in Stance.__members__:
        errors["stance"] = _("Kies eens, oneens, neutraal of toelichting.")
    if len(note) > MAX_NOTE:
        errors["position_note"] = _("De toelichting is te lang: maximaal %(n)s tekens.", n=MAX_NOTE)
    if stance == Stance.toelichting and not note:
        errors["position_note"] = _("Schrijf de toelichting.")
    if errors:
        raise invalid(errors)
    now = clock.now()
    position = existing or Position(
        comment_id=comment.id or 0, municipality_id=user.municipality_id, author_id=user.id or 0, created_at=now
    )
    position.stance, position.note, position.author_id, position.updated_at = stance, note, user.id or 0, now
    session.add(position)
    session.flush()
    record(
        session,
        action="comment.position_set",
        entity_type="position",
        entity_id=position.id,
        actor=user,
        summary=f"Standpunt bij reactie {comment.id}",
        before=before,
        after={"comment_id": comment.id, "stance": stance, "note": note},
        ip=ip,
    )
    return position


# --- feedback onto a session's agenda (admins) ------------------------------------------------------


def agenda_choices(session: Session) -> list[tuple[DialogueSession, list[AgendaItem]]]:
    """Sessions still to be held, each with its agenda."""
    sessions = list(
        session.exec(
            select(DialogueSession)
            .where(DialogueSession.status == SessionStatus.planned)
            .order_by(DialogueSession.starts_at, DialogueSession.id)
        ).all()
    )
    items: dict[int, list[AgendaItem]] = defaultdict(list)
    if sessions:
        for item in session.exec(
            select(AgendaItem)
            .where(col(AgendaItem.session_id).in_([s.id for s in sessions]))
            .order_by(AgendaItem.position, AgendaItem.id)
        ).all():
            items[item.session_id].append(item)
    return [(s, items.get(s.id or 0, [])) for s in sessions]


def put_on_agenda(
    session: Session,
    principal: Principal,
    comment_ids: list[int],
    *,
    agenda_item_id: int | None = None,
    session_id: int | None = None,
    title: str = "",
    ip: str | None = None,
) -> AgendaItem:
    """Link the comments to an agenda item (an existing one, or a new one at the end of a session's programme)
    and give them the status "bespreken in sessie"."""
    authorize(principal, Action.triage)
    assert principal.user is not None
    comments = _selection(session, comment_ids)
    title = (title or "").strip()
    if agenda_item_id is not None:
        item = session.get(AgendaItem, agenda_item_id) if 0 < agenda_item_id <= MAX_ID else None
        if item is None:
            raise invalid({"agenda_item_id": _("Dit agendapunt bestaat niet.")})
        ds = session.get(DialogueSession, item.session_id)
    else:
        ds = session.get(DialogueSession, session_id) if session_id and 0 < session_id <= MAX_ID else None
        errors = {}
        if ds is None:
            errors["agenda_item_id"] = _("Kies een agendapunt, of een sessie en een titel voor een nieuw agendapunt.")
        if not title:
            errors["title"] = _("Geef het nieuwe agendapunt een titel.")
        elif len(title) > 200:
            errors["title"] = _("De titel is te lang: maximaal 200 tekens.")
        if errors:
            raise invalid(errors)
        assert ds is not None
        last = session.exec(
            select(AgendaItem).where(AgendaItem.session_id == ds.id).order_by(col(AgendaItem.position).desc())
        ).first()
        starts = last.ends_at if last else ds.starts_at
        starts = min(starts, ds.ends_at)
        item = AgendaItem(
            session_id=ds.id or 0,
            position=(last.position + 1) if last else 1,
            starts_at=starts,
            ends_at=min(starts + timedelta(minutes=30), ds.ends_at),
            title=title,
            description=_("Naar aanleiding van de reacties op de voorstellen."),
            proposal_id=_proposal_of(session, comments[0]),
        )
        session.add(item)
        session.flush()
        record(
            session,
            action="agenda_item.created",
            entity_type="agenda_item",
            entity_id=item.id,
            actor=principal.user,
            summary=f"Sessie {ds.number}: {title} (uit reacties)",
            ip=ip,
        )
    if ds is None or ds.status != SessionStatus.planned:
        raise Conflict(_("Deze sessie is al gehouden of afgelast: kies een geplande sessie."), user_message=True)
    linked = set(
        session.exec(
            select(AgendaItemComment.comment_id).where(
                AgendaItemComment.agenda_item_id == item.id,
                col(AgendaItemComment.comment_id).in_([c.id for c in comments]),
            )
        ).all()
    )
    now = clock.now()
    for comment in comments:
        if comment.id not in linked:
            session.add(AgendaItemComment(agenda_item_id=item.id or 0, comment_id=comment.id or 0))
        before = comment.status
        _apply_status(session, comment, CommentStatus.bespreken_in_sessie, now)
        record(
            session,
            action="comment.put_on_agenda",
            entity_type="comment",
            entity_id=comment.id,
            actor=principal.user,
            summary=f"Sessie {ds.number}: {item.title}",
            before={"status": before},
            after={"status": comment.status, "agenda_item_id": item.id},
            ip=ip,
        )
    return item


def _proposal_of(session: Session, comment: Comment) -> int | None:
    return session.exec(
        select(ProposalVersion.proposal_id)
        .join(Section, col(Section.version_id) == ProposalVersion.id)
        .where(Section.id == comment.section_id)
    ).first()


def agenda_feedback(session: Session, item_ids: list[int]) -> dict[int, list[tuple[Comment, str, str]]]:
    """Per agenda item: the comments it came from (comment, organisation, section heading)."""
    out: dict[int, list[tuple[Comment, str, str]]] = defaultdict(list)
    if not item_ids:
        return out
    for item_id, comment, role, provider, municipality, heading in session.exec(
        select(AgendaItemComment.agenda_item_id, Comment, User.role, Provider.name, Municipality.name, Section.heading)
        .join(Comment, col(Comment.id) == AgendaItemComment.comment_id)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .where(col(AgendaItemComment.agenda_item_id).in_(item_ids))
        .order_by(col(Comment.id))
    ).all():
        out[item_id].append((comment, organisation(role, provider, municipality), heading))
    return out


# --- exports ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("id", N_("Nummer")),
    ("proposal", N_("Voorstel")),
    ("version", N_("Versie")),
    ("section_key", N_("Onderdeel (sleutel)")),
    ("section", N_("Onderdeel")),
    ("created_at", N_("Geplaatst")),
    ("provider", N_("Aanbieder")),
    ("author", N_("Schrijver")),
    ("kind", N_("Soort")),
    ("status", N_("Beoordeling")),
    ("quote", N_("Citaat")),
    ("comment", N_("Reactie")),
    ("suggested_text", N_("Vervangende tekst")),
    ("thread", N_("Draad (antwoorden van deelnemers)")),
    ("official_reply", N_("Officieel antwoord SDFL")),
    ("official_reply_released_at", N_("Antwoord vrijgegeven")),
    ("positions", N_("Standpunten gemeenten")),
    ("internal_notes", N_("Interne notities")),
    ("agenda", N_("Op de agenda")),
]


def export_rows(session: Session, principal: Principal, filters: ReviewFilter) -> list[dict[str, str]]:
    """Every comment that matches ``filters`` (up to MAX_EXPORT_ROWS), one dict per row with the columns of
    EXPORT_COLUMNS. Reviewers only: internal notes and positions are part of it."""
    authorize(principal, Action.review)
    now = clock.now()
    raw = session.exec(_feedback_query(session, principal, filters, now).limit(MAX_EXPORT_ROWS)).all()
    rows = _rows(session, principal, list(raw), now)
    threads = thread_replies(session, [r.comment.id or 0 for r in rows])
    out = []
    for r in rows:
        c = r.comment
        out.append(
            {
                "id": str(c.id),
                "proposal": r.proposal_title,
                "version": str(r.version),
                "section_key": r.section_key,
                "section": r.section_heading,
                "created_at": c.created_at.astimezone(AMSTERDAM).isoformat(timespec="seconds"),
                "provider": r.organisation,
                "author": r.author_name,
                "kind": r.kind_label and _(r.kind_label),
                "status": _(r.status_label),
                "quote": c.quote or "",
                "comment": c.body,
                "suggested_text": c.suggested_text or "",
                "thread": "\n".join(
                    f"{author} ({org}): {reply.body}" for reply, author, org in threads.get(c.id or 0, [])
                ),
                "official_reply": "\n\n".join(_plain(reply.body_html) for reply in r.replies),
                "official_reply_released_at": ", ".join(
                    reply.release_at.astimezone(AMSTERDAM).isoformat(timespec="seconds")
                    for reply in r.replies
                    if reply.released and reply.release_at
                ),
                "positions": "\n".join(
                    f"{p.municipality}: {_(p.stance_label)}{' - ' + p.note if p.note else ''}" for p in r.positions
                ),
                "internal_notes": "\n".join(
                    f"{n.author_name} ({n.organisation}): {_plain(n.body_html)}" for n in r.notes
                ),
                "agenda": "\n".join(f"Sessie {a.session_number}: {a.title}" for a in r.agenda),
            }
        )
    return out


def _plain(html: str) -> str:
    """The text an HTML fragment shows: tags dropped, then every entity decoded once (``&amp;lt;`` is ``&lt;``)."""
    return unescape(re.sub(r"\s+\n", "\n", re.sub(r"<[^>]+>", "", html))).strip()


def _safe_cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: keep such text as text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_(label) for _key, label in EXPORT_COLUMNS])
    for row in rows:
        writer.writerow([_safe_cell(row[key]) for key, _label in EXPORT_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Reacties")
    sheet.append([_(label) for _key, label in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(_xlsx_text(row[key])) for key, _label in EXPORT_COLUMNS])
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = {"comment": 60, "thread": 50, "official_reply": 50, "internal_notes": 40, "quote": 40}
    for index, (key, _label) in enumerate(EXPORT_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(key, 18)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_text(value: str) -> str:
    return _ILLEGAL_XLSX.sub("", value)


# --- the response report ---------------------------------------------------------------------------


@dataclass
class ReportSection:
    section: Section
    rows: list[FeedbackRow]


@dataclass
class ResponseReport:
    proposal: Proposal
    version: ProposalVersion
    sections: list[ReportSection]
    anonymous: bool
    generated_at: datetime

    @property
    def count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def response_report(
    session: Session, principal: Principal, proposal_id: int, number: int | None, *, anonymous: bool
) -> ResponseReport:
    """Every comment on a version with SDFL's released answer, grouped by section in the proposal's order.
    Only released answers are in it, so the report can be shared without running ahead of the release."""
    authorize(principal, Action.review)
    proposal, _versions, version, sections = _published_version(session, proposal_id, number)
    now = clock.now()
    raw = session.exec(
        _feedback_query(
            session, principal, ReviewFilter(proposal_id=proposal_id, version=version.number, sort="section"), now
        )
    ).all()
    rows = _rows(session, principal, list(raw), now)
    by_section: dict[str, list[FeedbackRow]] = defaultdict(list)
    for row in rows:
        row.replies = [r for r in row.replies if r.released]
        by_section[row.section_key].append(row)
    return ResponseReport(
        proposal=proposal,
        version=version,
        sections=[ReportSection(section=s, rows=by_section.get(s.key, [])) for s in sections],
        anonymous=anonymous,
        generated_at=now,
    )


def report_pdf(report: ResponseReport, tender_reference: str) -> bytes:
    now = report.generated_at
    pdf = FPDF(format="A4")
    title = f"Reactierapport {report.proposal.title}, versie {report.version.number}"
    pdf.set_title(to_latin1(title))
    pdf.set_author("Sociaal Domein Flevoland")
    pdf.set_auto_page_break(auto=True, margin=18)
    reference = f"Kenmerk TenderNed {tender_reference}" if tender_reference else "Sociaal Domein Flevoland"
    pdf.footer = lambda: pdf_footer(pdf, reference)  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf_lines(pdf, 8, to_latin1(title))
    pdf.set_font("Helvetica", size=10)
    pdf_lines(pdf, 6, to_latin1(f"{report.count} reacties · opgesteld {now.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}"))
    for part in report.sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf_lines(pdf, 7, to_latin1(part.section.heading))
        if not part.rows:
            pdf.set_font("Helvetica", "I", 10)
            pdf_lines(pdf, 6, "Geen reacties.")
        for row in part.rows:
            c = row.comment
            who = "" if report.anonymous else f" - {row.organisation}"
            pdf.set_font("Helvetica", "B", 10)
            status = STATUS_LABELS.get(shown_status(c, now), c.status)
            pdf_lines(pdf, 6, to_latin1(f"Reactie {c.id}{who} ({row.kind_label}; {status})"))
            pdf.set_font("Helvetica", size=10)
            if c.quote:
                pdf_lines(pdf, 5, to_latin1(f"Citaat: {c.quote}"))
            pdf_lines(pdf, 5, to_latin1(c.body))
            if c.suggested_text:
                pdf_lines(pdf, 5, to_latin1(f"Voorgestelde tekst: {c.suggested_text}"))
            pdf.set_font("Helvetica", "I", 10)
            answer = "\n".join(_plain(r.body_html) for r in row.replies) or "Nog geen antwoord van SDFL."
            pdf_lines(pdf, 5, to_latin1(f"Antwoord SDFL: {answer}"))
            pdf.ln(2)
    return bytes(pdf.output())
