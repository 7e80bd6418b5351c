"""Reading proposals and their versions: which a reader may read, the current version, the sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.feedback.visibility import comment_visibility, may_read_proposal
from app.feedback.window import window_state
from app.kit import clock
from app.kit.errors import N_, NotFound
from app.models import (
    MAX_ID,
    Comment,
    Proposal,
    ProposalStatus,
    ProposalTopic,
    ProposalVersion,
    ProposalVisit,
    Section,
    VersionStatus,
    is_valid_id,
)
from app.policy import Action, Principal, authorize, can

TOPIC_LABELS = {
    ProposalTopic.product_structure: N_("Productstructuur"),
    ProposalTopic.contract_terms: N_("Contractvoorwaarden"),
    ProposalTopic.requirements: N_("Eisen"),
    ProposalTopic.preconditions: N_("Randvoorwaarden"),
    ProposalTopic.procurement_process: N_("Inkoopproces"),
}


def get_proposal(session: Session, principal: Principal, proposal_id: int) -> Proposal:
    """The proposal if ``principal`` may read it; 404 otherwise (drafts do not exist for others).

    The public gets 401 (sign in) for a published proposal that is not public."""
    proposal = session.get(Proposal, proposal_id) if 0 < proposal_id <= MAX_ID else None
    return _readable(principal, proposal)


def _readable(principal: Principal, proposal: Proposal | None) -> Proposal:
    if proposal is None or (proposal.status == ProposalStatus.draft and not can(principal, Action.view_draft_proposal)):
        raise NotFound("No such proposal.")
    if not may_read_proposal(principal, proposal):
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
            .order_by(col(Section.version_id), col(Section.position), col(Section.id))
        ).all()
    )


@dataclass
class ProposalRow:
    proposal: Proposal
    topic_label: str
    version: int | None
    window: str
    comments: int


def list_proposals(session: Session, principal: Principal, dialogue_id: int | None = None) -> list[ProposalRow]:
    """The proposals ``principal`` may read (of trajectory ``dialogue_id``; None: of all), with the current version
    and the number of comments."""
    stmt = select(Proposal).order_by(col(Proposal.title), col(Proposal.id))
    if dialogue_id is not None:
        stmt = stmt.where(Proposal.dialogue_id == dialogue_id)
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
                .group_by(col(ProposalVersion.proposal_id))
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
                    .group_by(col(ProposalVersion.proposal_id))
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


def find_section(session: Session, version: ProposalVersion, key: str) -> Section:
    section = session.exec(select(Section).where(Section.version_id == version.id, Section.key == key)).first()
    if section is None:
        raise NotFound("No such section.")
    return section


def proposal_versions(
    session: Session, principal: Principal, proposal_id: int
) -> tuple[Proposal, list[ProposalVersion]]:
    """A proposal ``principal`` may read with the versions they may read, oldest first."""
    proposal = get_proposal(session, principal, proposal_id)
    return proposal, versions(session, principal, proposal)


def version_sections(session: Session, principal: Principal, proposal_id: int, number: int) -> list[Section]:
    """The sections of version ``number`` of a proposal ``principal`` may read, in their order."""
    _proposal, all_versions = proposal_versions(session, principal, proposal_id)
    return sections_of(session, [pick_version(all_versions, number).id or 0])
