"""The query behind the dashboard, the exports and the report: reviewable feedback, filtered and sorted."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, literal, literal_column, null, text, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.feedback.threads import AppliedVersion
from app.feedback.visibility import (
    feedback_condition,
    official_visible,
)
from app.kit import dates
from app.models import (
    Comment,
    CommentStatus,
    Municipality,
    Position,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    StakeholderGroup,
    User,
    VersionStatus,
)
from app.policy import INVITED_ROLE, PARTICIPANT_ROLE, Principal
from app.review.filters import ReviewFilter

# A search term: letters and digits only, so no quote, operator or wildcard of FTS5, tsquery or LIKE reaches SQL.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 20
MAX_TERM_LENGTH = 100
PART_MIN = 3  # the index of parts of words holds trigrams: shorter terms are looked up in the word index


def search_terms(q: str) -> list[str]:
    """The terms of a search: its runs of letters and digits, at most ``MAX_TERMS``, each cut to
    ``MAX_TERM_LENGTH``, without repeats (case-insensitively)."""
    terms: dict[str, str] = {}
    for word in _WORD.findall(q):
        terms.setdefault(word.casefold(), word[:MAX_TERM_LENGTH])
    return list(terms.values())[:MAX_TERMS]


def full_text_condition(session: Session, q: str) -> Any:
    """Comments whose text, quote or suggested text holds every term of ``q``. A term of three or more
    characters is found anywhere, also inside a longer word ("wachttijd" in "behandelwachttijden"), and as a
    word in the word index (on PostgreSQL with Dutch stemming: "verlenging" finds "verlengen"; accents do not
    count there); a shorter term is found as the start of a word (word index only). Quotes, operators and
    wildcards only separate terms. ``None`` when ``q`` holds no terms."""
    terms = search_terms(q)
    if not terms:
        return None
    postgres = session.get_bind().dialect.name == "postgresql"
    return and_(*((_postgres_term if postgres else _sqlite_term)(i, term) for i, term in enumerate(terms)))


def _postgres_term(i: int, term: str) -> Any:
    if len(term) < PART_MIN:
        # A prefix of the stored lexemes; a literal tsquery, so PostgreSQL's parser never sees the term.
        return text(f"comments.full_text @@ CAST(:search_prefix_{i} AS tsquery)").bindparams(
            **{f"search_prefix_{i}": f"'{term.lower()}':*"}
        )
    # comments.full_text_parts: body, quote and suggested text in lower case, trigram-indexed (migration 0014).
    # Lowered by PostgreSQL on both sides, so they agree whatever the database's locale.
    return text(
        f"(comments.full_text @@ plainto_tsquery('dutch'::regconfig, :search_word_{i}) "
        f"OR comments.full_text_parts LIKE '%' || lower(:search_word_{i}) || '%')"
    ).bindparams(**{f"search_word_{i}": term})


def _fts(table: str, i: int, match: str) -> Any:
    param = f"{table}_{i}"
    return (
        select(literal_column("rowid"))
        .select_from(text(table))
        .where(text(f"{table} MATCH :{param}").bindparams(**{param: match}))
    )


def _sqlite_term(i: int, term: str) -> Any:
    # Quoted: FTS5 reads the term as a string, never as syntax.
    rows: Any = _fts("comments_fts", i, f'"{term}"*')
    if len(term) >= PART_MIN:
        rows = union(_fts("comments_fts_parts", i, f'"{term}"'), rows)
    return col(Comment.id).in_(rows)


def group_column() -> Any:
    """The stakeholder group a comment's author counts in, in SQL (``author_group``): provider for a provider's
    user, a participant's group (other when it has none), NULL for SDFL and municipalities. Needs ``User``."""
    return case(
        (col(User.role) == INVITED_ROLE, literal(StakeholderGroup.provider.value)),
        (col(User.role) == PARTICIPANT_ROLE, func.coalesce(User.stakeholder_group, StakeholderGroup.other.value)),
        else_=null(),
    )


def group_condition(group: str) -> Any:
    """Comments by authors of stakeholder ``group``."""
    return group_column() == group


def feedback_query(session: Session, principal: Principal, filters: ReviewFilter, now: datetime) -> Any:
    stmt = (
        select(  # type: ignore[call-overload]
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
            User.stakeholder_group,
            User.organisation,
            User.pseudonym,
            Proposal.dialogue_id,
        )
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .outerjoin(AppliedVersion, AppliedVersion.id == Comment.applied_in_version_id)
    )
    return _filtered(stmt, session, principal, filters, now).order_by(*_order(filters.sort))


def feedback_count_query(
    session: Session, principal: Principal, filters: ReviewFilter, now: datetime, *columns: Any
) -> Any:
    """``columns`` of the feedback ``feedback_query`` finds, unsorted, joined to no more than the filters and
    ``columns`` need (sections, versions, proposals and authors): for counting. Without the outer joins of the
    page's query, a count over all feedback reads only an index of ``comments`` (``ix_comments_feedback``,
    migration 0022) and three primary keys per comment."""
    stmt = (
        select(*columns)
        .select_from(Comment)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .join(User, col(User.id) == Comment.author_id)
    )
    return _filtered(stmt, session, principal, filters, now)


def _filtered(stmt: Any, session: Session, principal: Principal, filters: ReviewFilter, now: datetime) -> Any:
    stmt = stmt.where(feedback_condition(), ProposalVersion.status == VersionStatus.published)
    if filters.dialogue_id is not None:
        stmt = stmt.where(Proposal.dialogue_id == filters.dialogue_id)
    if filters.group:
        stmt = stmt.where(group_condition(filters.group))
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
            exists().where(
                col(Position.comment_id) == Comment.id, col(Position.municipality_id) == filters.municipality_id
            )
        )
    if filters.answered is not None:
        reply = aliased(Comment)
        has_reply = exists().where(col(reply.parent_id) == Comment.id, official_visible(principal, now, reply))
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
    return stmt


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
