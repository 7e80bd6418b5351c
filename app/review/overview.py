"""The overview of one version: counts per section, what is unreviewed, participation per provider and feedback
per stakeholder group."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.dialogues.participants import GROUP_LABELS, accepted_providers, group_label
from app.feedback.visibility import (
    feedback_condition,
)
from app.kit.errors import NotFound
from app.models import (
    MAX_ID,
    Comment,
    CommentStatus,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    SectionKind,
    User,
    VersionStatus,
    Visibility,
)
from app.policy import Action, Principal, authorize
from app.proposals.reading import pick_version, sections_of
from app.review.filters import Options, ReviewFilter, filter_options
from app.review.query import group_column


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
    by_group: dict[str, int] = field(default_factory=dict)  # feedback per stakeholder group of its authors
    group: str | None = None  # counted only for authors of this group

    @property
    def groups(self) -> list[tuple[str, str, int]]:
        """(group, label, feedback) for every stakeholder group, in the order of the labels."""
        return [(g, group_label(g), self.by_group.get(g, 0)) for g in GROUP_LABELS]

    def total(self, table: dict[int, dict[str, int]], key: str) -> int:
        return sum(row.get(key, 0) for row in table.values())

    def unreviewed(self, section_id: int) -> int:
        return self.by_status.get(section_id, {}).get(CommentStatus.nieuw, 0)

    def section_total(self, section_id: int) -> int:
        return sum(self.by_kind.get(section_id, {}).values())

    @property
    def grand_total(self) -> int:
        return sum(self.section_total(s.id or 0) for s in self.sections)


def published_version(
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
            .order_by(col(ProposalVersion.number))
        ).all()
    )
    version = pick_version(versions, number)
    return proposal, versions, version, sections_of(session, [version.id or 0])


def overview(
    session: Session,
    principal: Principal,
    proposal_id: int,
    number: int | None,
    providers: list[Provider] | None = None,
    *,
    group: str | None = None,
) -> Overview:
    """Counts per section × kind and section × status for one version (of the feedback of stakeholder ``group``
    only, when given), what is still unreviewed, how much each participating provider (by default those that
    accepted in the proposal's trajectory) said and answered, and the feedback per stakeholder group."""
    authorize(principal, Action.review)
    proposal, versions, version, sections = published_version(session, proposal_id, number)
    if providers is None:
        providers = accepted_providers(session, proposal.dialogue_id)
    section_ids = [s.id or 0 for s in sections]
    by_kind, by_status, by_group = _counts(session, section_ids, group)
    questions = [s.id or 0 for s in sections if s.kind == SectionKind.question]
    return Overview(
        proposal=proposal,
        version=version,
        versions=versions,
        sections=sections,
        by_kind=by_kind,
        by_status=by_status,
        participation=_participation(session, section_ids, questions, providers),
        questions=len(questions),
        by_group=by_group,
        group=group,
    )


def _counts(
    session: Session, section_ids: list[int], group: str | None
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]], dict[str, int]]:
    """Per section: the feedback (of stakeholder ``group`` only, when given) per kind and per status; and the
    feedback per stakeholder group of its authors (every group). One query."""
    by_kind: dict[int, dict[str, int]] = defaultdict(dict)
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    by_group: dict[str, int] = defaultdict(int)
    author_group = group_column()
    for section_id, kind, status, author_in, n in session.exec(
        select(Comment.section_id, Comment.kind, Comment.status, author_group, func.count())  # type: ignore[call-overload]
        .join(User, col(User.id) == Comment.author_id)
        .where(col(Comment.section_id).in_(section_ids), feedback_condition())
        .group_by(col(Comment.section_id), col(Comment.kind), col(Comment.status), author_group)
    ).all():
        if author_in is not None:
            by_group[author_in] += n
        if group is not None and author_in != group:
            continue
        by_kind[section_id][kind or ""] = by_kind[section_id].get(kind or "", 0) + n
        by_status[section_id][status] = by_status[section_id].get(status, 0) + n
    return dict(by_kind), dict(by_status), dict(by_group)


def _participation(
    session: Session, section_ids: list[int], questions: list[int], providers: list[Provider]
) -> list[ProviderParticipation]:
    """Per provider: its comments on the version and how many of its questions it answered. One query."""
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
        .group_by(col(Comment.provider_id), col(Comment.section_id))
    ).all():
        comments_by[provider_id or 0] += n
        if section_id in questions:
            answered_by[provider_id or 0].add(section_id)
    return [
        ProviderParticipation(
            provider=p,
            comments=comments_by.get(p.id or 0, 0),
            answered=len(answered_by.get(p.id or 0, set())),
            not_answered=len(questions) - len(answered_by.get(p.id or 0, set())),
        )
        for p in providers
    ]


def overview_page(
    session: Session,
    principal: Principal,
    proposal_id: int | None,
    number: int | None,
    *,
    dialogue_id: int | None = None,
    group: str | None = None,
) -> tuple[Overview | None, Options]:
    """The overview of a version of proposal ``proposal_id`` (by default the first published proposal, of
    trajectory ``dialogue_id`` when given), for the providers that accepted in its trajectory, of the feedback of
    stakeholder ``group`` when given; and the trajectories and proposals to choose from."""
    options = filter_options(session, ReviewFilter(dialogue_id=dialogue_id))
    chosen = proposal_id or (options.proposals[0][0] if options.proposals else None)
    if chosen is None:
        return None, options
    return overview(session, principal, chosen, number, group=group), options
