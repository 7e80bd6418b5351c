"""Trajectories (model ``Dialogue``, "traject" in the UI): the list on the home page, a trajectory's public page,
its sessions and its participants."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, exists, or_
from sqlmodel import Session, col, select

from app.kit import clock
from app.kit.errors import N_, NotFound
from app.models import (
    MAX_ID,
    Audience,
    CareForm,
    Dialogue,
    DialogueKind,
    DialogueSession,
    DialogueStatus,
    Document,
    Framework,
    Invitation,
    Milestone,
    Proposal,
    ProposalStatus,
    Provider,
    ReleasePackage,
    SelectionCriterion,
    User,
    recording_release_moment,
)
from app.policy import ROLES, Action, Principal, can

KIND_LABELS: dict[str, str] = {
    DialogueKind.dialogue: N_("Dialoog"),
    DialogueKind.consultation: N_("Consultatie"),
}
STATUS_LABELS: dict[str, str] = {
    DialogueStatus.draft: N_("In voorbereiding"),
    DialogueStatus.active: N_("Loopt"),
    DialogueStatus.closed: N_("Afgesloten"),
    DialogueStatus.archived: N_("Gearchiveerd"),
}
PUBLIC_STATUSES = (DialogueStatus.active, DialogueStatus.closed)
# The order of the home page: running trajectories first, then finished ones; staff also see the rest.
_STATUS_ORDER = (DialogueStatus.active, DialogueStatus.closed, DialogueStatus.draft, DialogueStatus.archived)


def _newest_dialogue(session: Session) -> tuple[Dialogue, CareForm | None] | None:
    row = session.exec(
        select(Dialogue, CareForm)
        .outerjoin(CareForm, col(CareForm.id) == Dialogue.care_form_id)
        .order_by(col(Dialogue.status) != DialogueStatus.active, col(Dialogue.id).desc())
    ).first()
    return (row[0], row[1]) if row else None


def current_dialogue(session: Session) -> tuple[Dialogue, CareForm | None]:
    """The dialogue the site is about (the newest active one, else the newest) with its care form."""
    found = _newest_dialogue(session)
    if found is None:
        raise NotFound("Er is nog geen dialoogtraject.", user_message=True)
    return found


def list_sessions(session: Session, dialogue_id: int) -> list[DialogueSession]:
    return list(
        session.exec(
            select(DialogueSession)
            .where(DialogueSession.dialogue_id == dialogue_id)
            .order_by(col(DialogueSession.number), col(DialogueSession.id))
        ).all()
    )


@dataclass(frozen=True)
class Participant:
    provider: Provider
    invitation: Invitation


def participants(session: Session, dialogue_id: int) -> list[Participant]:
    """Every invited provider with its invitation, by name, in one query."""
    rows = session.exec(
        select(Provider, Invitation)
        .join(Invitation, col(Invitation.provider_id) == Provider.id)
        .where(Invitation.dialogue_id == dialogue_id)
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    return [Participant(provider=p, invitation=i) for p, i in rows]


@dataclass(frozen=True)
class FirstRun:
    """A new installation without a dialogue: what to do first (``has_admin``: the first admin exists)."""

    has_admin: bool


# --- which trajectories a reader sees -------------------------------------------------------------------------


def visible_statuses(principal: Principal) -> tuple[str, ...]:
    """Staff (who manage trajectories) see every trajectory; everyone else the active and closed ones."""
    return _STATUS_ORDER if can(principal, Action.manage) else PUBLIC_STATUSES


def _status_rank() -> ColumnElement[int]:
    return case({status.value: rank for rank, status in enumerate(_STATUS_ORDER)}, value=col(Dialogue.status), else_=9)


def next_milestone(milestones: Sequence[Milestone], now: datetime | None = None) -> Milestone | None:
    """The first milestone not yet due and not yet met (the next deadline), or None."""
    now = now or clock.now()
    ahead = [m for m in milestones if m.due_at > now and m.met_at is None]
    return min(ahead, key=lambda m: (m.due_at, m.id or 0), default=None)


@dataclass(frozen=True)
class TrajectoryRow:
    """A trajectory on the home page: with its care form and its next milestone."""

    dialogue: Dialogue
    care_form: CareForm | None
    next_milestone: Milestone | None


def list_trajectories(session: Session, principal: Principal) -> list[TrajectoryRow]:
    """The trajectories ``principal`` may see: active first, then closed (staff: then drafts and archived ones),
    newest first within each; two queries whatever their number."""
    rows = session.exec(
        select(Dialogue, CareForm)
        .outerjoin(CareForm, col(CareForm.id) == Dialogue.care_form_id)
        .where(col(Dialogue.status).in_(visible_statuses(principal)))
        .order_by(_status_rank(), col(Dialogue.id).desc())
    ).all()
    ids = [d.id for d, _c in rows]
    now = clock.now()
    ahead: dict[int, list[Milestone]] = {}
    if ids:
        for m in session.exec(
            select(Milestone).where(
                col(Milestone.dialogue_id).in_(ids), Milestone.due_at > now, col(Milestone.met_at).is_(None)
            )
        ).all():
            ahead.setdefault(m.dialogue_id, []).append(m)
    return [
        TrajectoryRow(dialogue=d, care_form=c, next_milestone=next_milestone(ahead.get(d.id or 0, []), now))
        for d, c in rows
    ]


def home(session: Session, principal: Principal) -> list[TrajectoryRow] | FirstRun:
    """The home page: the trajectories, or on a new installation (no trajectory at all) the start page."""
    rows = list_trajectories(session, principal)
    if rows or session.exec(select(Dialogue.id).limit(1)).first() is not None:
        return rows
    managers = ROLES[Action.manage]  # who may set the installation up
    admin = session.exec(select(User.id).where(col(User.role).in_(managers), col(User.active)).limit(1)).first()
    return FirstRun(has_admin=admin is not None)


def get_trajectory(session: Session, principal: Principal, key: str) -> Dialogue:
    """The trajectory with slug (or id) ``key`` as ``principal`` may see it; NotFound for an unknown one and for a
    draft or archived one to anyone but staff (as if it did not exist)."""
    stmt = select(Dialogue).where(col(Dialogue.status).in_(visible_statuses(principal)))
    if re.fullmatch(r"[0-9]{1,10}", key) and int(key) <= MAX_ID:
        stmt = stmt.where((col(Dialogue.slug) == key) | (col(Dialogue.id) == int(key)))
    else:
        stmt = stmt.where(Dialogue.slug == key)
    found = session.exec(stmt).first()
    if found is None:
        raise NotFound("Dit traject bestaat niet.", user_message=True)
    return found


def trajectory_of(session: Session, dialogue_id: int) -> Dialogue | None:
    """The trajectory a session, proposal or document belongs to (to name it and link its page)."""
    return session.get(Dialogue, dialogue_id)


@dataclass(frozen=True)
class TrajectoryChoice:
    """A list page's trajectory filter: the trajectories to choose from and the chosen one (None: all)."""

    options: list[Dialogue]
    chosen: Dialogue | None

    @property
    def dialogue_id(self) -> int | None:
        return self.chosen.id if self.chosen else None

    @property
    def by_id(self) -> dict[int, Dialogue]:
        """The trajectories by id (to name the one each row of a list belongs to)."""
        return {d.id or 0: d for d in self.options}

    @property
    def select_options(self) -> list[tuple[str, str]]:
        return [(d.slug, d.title) for d in self.options]


def visible_trajectories(session: Session, principal: Principal) -> list[Dialogue]:
    """The trajectories ``principal`` may see, in the home page's order (active, closed, then staff's others)."""
    return list(
        session.exec(
            select(Dialogue)
            .where(col(Dialogue.status).in_(visible_statuses(principal)))
            .order_by(_status_rank(), col(Dialogue.id).desc())
        ).all()
    )


def trajectory_choice(session: Session, principal: Principal, key: str | None) -> TrajectoryChoice:
    """The trajectories ``principal`` may see (for a list page's picker and the name on each row) and the one
    ``key`` (slug or id) chooses; NotFound for a trajectory they may not see."""
    options = visible_trajectories(session, principal)
    chosen = None
    if key:
        chosen = next((d for d in options if d.slug == key or str(d.id) == key), None)
        if chosen is None:
            raise NotFound("Dit traject bestaat niet.", user_message=True)
    return TrajectoryChoice(options=options, chosen=chosen)


# --- a trajectory's public page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkRow:
    """A framework with its document, if it has one (``document_link``: whether the reader may download it)."""

    framework: Framework
    document: Document | None
    document_link: bool


@dataclass(frozen=True)
class TimelineEntry:
    milestone: Milestone
    state: str  # "met", "passed" (due and not met), "next" (the next deadline) or "ahead"


@dataclass(frozen=True)
class SessionEntry:
    meeting: DialogueSession
    report_public: bool
    recording_public: bool = False  # a recording for everyone, released (app.meetings: participants' ones too)


@dataclass(frozen=True)
class TrajectoryPage:
    """Everything a trajectory's public page shows, loaded with a constant number of queries."""

    dialogue: Dialogue
    care_form: CareForm | None
    frameworks: list[FrameworkRow]
    criteria: list[SelectionCriterion]
    timeline: list[TimelineEntry]
    next_milestone: Milestone | None
    sessions: list[SessionEntry]
    proposals: list[Proposal]
    documents: list[Document]
    participants: list[Participant]  # invited providers with their answer (kind dialogue)
    counts: Counter[str]
    opens_questions: bool = False  # the reader may open the questions page (takes part, or reviews)

    @property
    def is_consultation(self) -> bool:
        return self.dialogue.kind == DialogueKind.consultation

    @property
    def reports(self) -> list[SessionEntry]:
        """The sessions whose report is published (with the recording, if there is one)."""
        return [s for s in self.sessions if s.report_public]


def _timeline(milestones: list[Milestone], now: datetime) -> tuple[list[TimelineEntry], Milestone | None]:
    upcoming = next_milestone(milestones, now)
    entries = []
    for m in milestones:
        if m.met_at is not None:
            state = "met"
        elif m is upcoming:
            state = "next"
        elif m.due_at <= now:
            state = "passed"
        else:
            state = "ahead"
        entries.append(TimelineEntry(milestone=m, state=state))
    return entries, upcoming


def _recording_public(meeting: DialogueSession, now: datetime) -> bool:
    """As app.meetings.service.recording_released for a public recording (that package is above this one)."""
    moment = recording_release_moment(meeting)
    return (
        meeting.recording_audience == Audience.public
        and moment is not None
        and moment <= now
        and (meeting.recording_release_at is not None or _report_public(meeting, now))
    )


def trajectory_page(session: Session, principal: Principal, slug: str) -> TrajectoryPage:
    """A trajectory's public page (NotFound as ``get_trajectory``): description, frameworks, criteria, timeline,
    sessions with their reports, public proposals and documents and, for a dialogue, the invited providers."""
    now = clock.now()
    row = session.exec(
        select(Dialogue, CareForm)
        .outerjoin(CareForm, col(CareForm.id) == Dialogue.care_form_id)
        .where(Dialogue.slug == slug, col(Dialogue.status).in_(visible_statuses(principal)))
    ).first()
    if row is None:
        raise NotFound("Dit traject bestaat niet.", user_message=True)
    dialogue, care_form = row
    did = dialogue.id or 0
    criteria = list(
        session.exec(
            select(SelectionCriterion)
            .where(SelectionCriterion.dialogue_id == did)
            .order_by(col(SelectionCriterion.position), col(SelectionCriterion.id))
        ).all()
    )
    frameworks = [
        FrameworkRow(
            framework=f, document=doc, document_link=doc is not None and _may_download(principal, doc, now, package)
        )
        for f, doc, package in session.exec(
            select(Framework, Document, ReleasePackage)
            .outerjoin(Document, col(Document.id) == Framework.document_id)
            .outerjoin(ReleasePackage, col(ReleasePackage.id) == Document.package_id)
            .where(Framework.dialogue_id == did)
            .order_by(col(Framework.position), col(Framework.id))
        ).all()
    ]
    milestones = list(
        session.exec(
            select(Milestone).where(Milestone.dialogue_id == did).order_by(col(Milestone.due_at), col(Milestone.id))
        ).all()
    )
    timeline, upcoming = _timeline(milestones, now)
    sessions = [
        SessionEntry(meeting=m, report_public=_report_public(m, now), recording_public=_recording_public(m, now))
        for m in list_sessions(session, did)
    ]
    proposals = list(
        session.exec(
            select(Proposal)
            .where(Proposal.dialogue_id == did, Proposal.status != ProposalStatus.draft, col(Proposal.public))
            .order_by(col(Proposal.title), col(Proposal.id))
        ).all()
    )
    documents = list(
        session.exec(
            select(Document)
            .where(Document.dialogue_id == did, Document.audience == Audience.public, _document_released(now))
            .order_by(col(Document.release_at), col(Document.id))
        ).all()
    )
    invited = participants(session, did) if dialogue.kind == DialogueKind.dialogue else []
    return TrajectoryPage(
        dialogue=dialogue,
        care_form=care_form,
        frameworks=frameworks,
        criteria=criteria,
        timeline=timeline,
        next_milestone=upcoming,
        sessions=sessions,
        proposals=proposals,
        documents=documents,
        participants=invited,
        counts=Counter(p.invitation.status for p in invited),
        opens_questions=_opens_questions(principal, did),
    )


def _opens_questions(principal: Principal, dialogue_id: int) -> bool:
    """As app.questions.asking.trajectory (a layer above) lets them in: reviewers, and who may ask a question."""
    focused = principal.in_dialogue(dialogue_id)
    user = principal.user
    return can(focused, Action.view_prepared) or can(
        focused, Action.ask_question, provider_id=user.provider_id if user else None
    )


def _report_public(meeting: DialogueSession, now: datetime) -> bool:
    """As app.meetings.service.report_is_public (a layer above): the report is written and its moment passed."""
    return bool(meeting.report) and meeting.report_published_at is not None and meeting.report_published_at <= now


def _document_released(now: datetime) -> ColumnElement[bool]:
    """As app.documents.service.released_clause (a layer above): its own moment passed, or, in a release package,
    the package was released by ``now``."""
    package_released = (
        exists()
        .where(
            col(ReleasePackage.id) == Document.package_id,
            col(ReleasePackage.released_at).is_not(None),
            col(ReleasePackage.released_at) <= now,
        )
        .correlate(Document)
    )
    return or_(
        and_(col(Document.package_id).is_(None), col(Document.release_at) <= now),
        and_(col(Document.package_id).is_not(None), package_released),
    )


def _may_download(principal: Principal, document: Document, now: datetime, package: ReleasePackage | None) -> bool:
    """Whether a framework's document link leads somewhere for this reader (else only its title is shown)."""
    if can(principal, Action.view_unreleased_documents):
        return True
    if document.package_id is not None:
        if package is None or package.released_at is None or package.released_at > now:
            return False
    elif document.release_at > now:
        return False
    return document.audience == Audience.public or can(
        principal.in_dialogue(document.dialogue_id), Action.view_released_documents
    )
