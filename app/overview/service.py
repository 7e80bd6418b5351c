"""The personal overview after sign-in (``/overzicht``): what waits for the reader, per role.

- a provider's contact person and a consultation participant: an invitation to answer (or a request to take part
  that SDFL has not decided yet), the open comment windows with their end, the questions to the providers in those
  proposals that their organisation has not answered yet, new answers to their comments since they last opened
  the proposal, and their own questions whose answer is not out yet;
- a municipality: the unreviewed feedback per trajectory, what waits for its sign-off, the sessions to come;
- SDFL: the same, with the sign-offs still missing from any municipality, and the timeline's deadlines.

Which parts a reader gets is asked of the policy (``can``), never of the role. The overview costs a fixed number of
queries whatever the amount of data: every part is one query (or two), none per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, func, not_, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.dialogues.participants import in_trajectories
from app.dialogues.service import visible_trajectories
from app.feedback.release import pending_per_trajectory
from app.feedback.visibility import feedback_condition, own_comments
from app.kit import clock
from app.models import (
    Approval,
    AuditEvent,
    Comment,
    CommentStatus,
    Dialogue,
    DialogueSession,
    Invitation,
    InvitationStatus,
    Milestone,
    Municipality,
    Nota,
    Participation,
    ParticipationStatus,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    ProposalVisit,
    Question,
    QuestionStatus,
    ReleasePackage,
    ReleaseStatus,
    Section,
    SectionKind,
    SessionStatus,
    SignoffDecision,
    SignoffMunicipality,
    SignoffSubject,
    User,
    VersionStatus,
    Visibility,
    id_of,
)
from app.policy import Action, Principal, can
from app.questions.asking import own_condition, released_nota_ids

SESSIONS_SHOWN = 5
ANSWERS_SHOWN = 20
MILESTONES_SHOWN = 10
OVERDUE_SHOWN = timedelta(days=30)  # a deadline missed longer ago than this is history, not a task
# Sign-off is asked of scheduled and blocked notas and packages, and of drafts SDFL asked the municipalities about.
SIGNOFF_ASKED: dict[str, str] = {
    "nota.signoff_asked": SignoffSubject.nota,
    "package.signoff_requested": SignoffSubject.package,
}
UNRELEASED = (ReleaseStatus.draft, ReleaseStatus.scheduled, ReleaseStatus.blocked)


@dataclass(frozen=True)
class Window:
    proposal: Proposal
    dialogue: Dialogue
    closes_at: datetime


@dataclass(frozen=True)
class OpenQuestion:
    section: Section
    proposal: Proposal


@dataclass(frozen=True)
class Answer:
    reply: Comment
    author: User | None
    proposal: Proposal
    section: Section
    at: datetime  # when the reader could first see it


@dataclass(frozen=True)
class SignoffItem:
    subject: str  # SignoffSubject
    title: str
    dialogue: Dialogue
    link: str  # its check page
    release_at: datetime | None
    status: str  # ReleaseStatus (replies: "pending")
    missing: list[Municipality]  # required municipalities without an approval since the last change
    mine: bool  # the reader's municipality is one of them


@dataclass
class Overview:
    user: User
    # what the reader gets (the policy's answers)
    answers_invitations: bool = False
    writes: bool = False  # comments (open windows)
    answers_questions: bool = False  # the questions to the providers are put to the reader's organisation
    follows_own: bool = False  # answers to one's own comments (SDFL writes the answers: not for it)
    asks: bool = False  # own questions for the nota van inlichtingen
    reviews: bool = False
    signs_off: bool = False  # for its municipality
    oversees_signoff: bool = False  # every municipality's (SDFL)
    plans: bool = False  # the timeline's deadlines
    invitations: list[tuple[Invitation, Dialogue]] = field(default_factory=list)
    requests: list[tuple[Participation, Dialogue]] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    open_questions: list[OpenQuestion] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    questions: list[tuple[Question, Dialogue]] = field(default_factory=list)
    unreviewed: list[tuple[Dialogue, int]] = field(default_factory=list)
    signoffs: list[SignoffItem] = field(default_factory=list)
    sessions: list[tuple[DialogueSession, Dialogue]] = field(default_factory=list)
    milestones: list[tuple[Milestone, Dialogue]] = field(default_factory=list)
    now: datetime = field(default_factory=clock.now)

    @property
    def unreviewed_total(self) -> int:
        return sum(n for _d, n in self.unreviewed)

    @property
    def signoffs_mine(self) -> list[SignoffItem]:
        return [s for s in self.signoffs if s.mine]


def overview(db: Session, principal: Principal) -> Overview:
    """Everything the overview shows ``principal`` (a signed-in user)."""
    user = principal.user
    assert user is not None, "the overview is for signed-in users"
    now = clock.now()
    trajectories = {id_of(d): d for d in visible_trajectories(db, principal)}
    out = Overview(user=user, now=now)
    out.answers_invitations = can(principal, Action.view_own_invitation) and principal.provider_id is not None
    out.follows_own = can(principal, Action.view_own_comments) and not can(principal, Action.triage)
    out.asks = can(principal, Action.ask_question, provider_id=principal.provider_id)
    out.reviews = can(principal, Action.review)
    out.signs_off = can(principal, Action.sign_off) and user.municipality_id is not None
    out.oversees_signoff = can(principal, Action.override_signoff)
    out.plans = can(principal, Action.manage)

    if out.answers_invitations:
        out.invitations = _invitations(db, principal, trajectories)
    out.requests = _requests(db, user, trajectories)
    out.windows = _windows(db, principal, trajectories, now)
    out.writes = bool(out.windows) or any(
        can(principal.in_dialogue(d), Action.comment, provider_id=principal.provider_id) for d in trajectories
    )
    # Questions to the providers are answered by the providers and the consultation's participants, not reviewers.
    out.answers_questions = out.writes and not out.reviews
    if out.answers_questions and out.windows:
        out.open_questions = _open_questions(db, principal, [w.proposal for w in out.windows])
    if out.follows_own:
        out.answers = _answers(db, principal, now)
    if out.asks:
        out.questions = _own_questions(db, principal, trajectories, now)
    if out.reviews:
        out.unreviewed = _unreviewed(db, trajectories)
    if out.signs_off or out.oversees_signoff:
        out.signoffs = _signoffs(db, user, trajectories)
    out.sessions = _sessions(db, principal, trajectories, now)
    if out.plans:
        out.milestones = _milestones(db, trajectories, now)
    return out


# --- taking part ----------------------------------------------------------------------------------------------


def _invitations(
    db: Session, principal: Principal, trajectories: dict[int, Dialogue]
) -> list[tuple[Invitation, Dialogue]]:
    """The invitations of the reader's provider that wait for an answer."""
    rows = db.exec(
        select(Invitation)
        .where(
            Invitation.provider_id == principal.provider_id,
            Invitation.status == InvitationStatus.pending,
            col(Invitation.dialogue_id).in_(list(trajectories)),
        )
        .order_by(col(Invitation.invited_at), col(Invitation.id))
    ).all()
    return [(i, trajectories[i.dialogue_id]) for i in rows]


def _requests(db: Session, user: User, trajectories: dict[int, Dialogue]) -> list[tuple[Participation, Dialogue]]:
    """The reader's requests to take part in a consultation that SDFL has not decided yet."""
    rows = db.exec(
        select(Participation)
        .where(
            Participation.user_id == user.id,
            Participation.status == ParticipationStatus.requested,
            col(Participation.dialogue_id).in_(list(trajectories)),
        )
        .order_by(col(Participation.created_at))
    ).all()
    return [(p, trajectories[p.dialogue_id]) for p in rows]


def _windows(db: Session, principal: Principal, trajectories: dict[int, Dialogue], now: datetime) -> list[Window]:
    """Published proposals whose comment window is open and on which the reader may comment, closing first."""
    rows = db.exec(
        select(Proposal)
        .where(
            Proposal.status == ProposalStatus.published,
            col(Proposal.opens_at) <= now,
            col(Proposal.closes_at) > now,
            col(Proposal.dialogue_id).in_(list(trajectories)),
            in_trajectories(principal, Proposal.dialogue_id),
        )
        .order_by(col(Proposal.closes_at), col(Proposal.id))
    ).all()
    return [
        Window(proposal=p, dialogue=trajectories[p.dialogue_id], closes_at=p.closes_at or now)
        for p in rows
        if can(principal.in_dialogue(p.dialogue_id), Action.comment, provider_id=principal.provider_id)
    ]


def _open_questions(db: Session, principal: Principal, proposals: list[Proposal]) -> list[OpenQuestion]:
    """The question sections of these proposals' current versions that the reader's organisation (a provider's
    users) or the reader has not answered in any version (a comment of its own under the same section key)."""
    current = (
        select(ProposalVersion.proposal_id, func.max(ProposalVersion.number).label("number"))
        .where(
            col(ProposalVersion.proposal_id).in_([id_of(p) for p in proposals]),
            ProposalVersion.status == VersionStatus.published,
        )
        .group_by(col(ProposalVersion.proposal_id))
        .subquery()
    )
    answer_section = aliased(Section)
    answer_version = aliased(ProposalVersion)
    answered = (
        exists()
        .where(
            col(Comment.section_id) == answer_section.id,
            col(answer_section.version_id) == answer_version.id,
            col(answer_version.proposal_id) == ProposalVersion.proposal_id,
            col(answer_section.key) == Section.key,
            col(Comment.parent_id).is_(None),
            col(Comment.deleted_at).is_(None),
            col(Comment.visibility) == Visibility.participants,
            own_comments(principal),
        )
        .correlate(Section, ProposalVersion)
    )
    by_id = {id_of(p): p for p in proposals}
    rows = db.exec(
        select(Section, ProposalVersion.proposal_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(
            current,
            and_(current.c.proposal_id == ProposalVersion.proposal_id, current.c.number == ProposalVersion.number),
        )
        .where(Section.kind == SectionKind.question, not_(answered))
        .order_by(col(ProposalVersion.proposal_id), col(Section.position), col(Section.id))
    ).all()
    return [OpenQuestion(section=s, proposal=by_id[proposal_id]) for s, proposal_id in rows]


def _answers(db: Session, principal: Principal, now: datetime) -> list[Answer]:
    """Answers to the reader's comments (SDFL's official replies once released; others' replies where the reader
    reads the discussion) that came after the reader last opened the proposal, newest first."""
    user = principal.user
    assert user is not None
    mine = select(Comment.id).where(own_comments(principal)).correlate(None).scalar_subquery()
    released = and_(
        col(Comment.official).is_(True), col(Comment.release_at).is_not(None), col(Comment.release_at) <= now
    )
    reads_discussion: ColumnElement[bool] = (
        and_(col(Comment.official).is_(False), in_trajectories(principal, Proposal.dialogue_id))
        if can(principal, Action.view_comments)
        else false()
    )
    seen_at = ProposalVisit.seen_at
    moment = func.coalesce(Comment.release_at, Comment.created_at)
    rows = db.exec(
        select(Comment, User, Proposal, Section)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .outerjoin(User, col(User.id) == Comment.author_id)
        .outerjoin(
            ProposalVisit,
            and_(col(ProposalVisit.user_id) == user.id, col(ProposalVisit.proposal_id) == Proposal.id),
        )
        .where(
            col(Comment.parent_id).in_(mine),
            col(Comment.deleted_at).is_(None),
            col(Comment.visibility) == Visibility.participants,
            col(Comment.id).not_in(mine),  # (not "not own": NULL-safe for SDFL's replies, which have no provider)
            or_(released, reads_discussion),
            or_(col(seen_at).is_(None), moment > seen_at),
        )
        .order_by(moment.desc(), col(Comment.id).desc())
        .limit(ANSWERS_SHOWN)
    ).all()
    return [Answer(reply=c, author=u, proposal=p, section=s, at=c.release_at or c.created_at) for c, u, p, s in rows]


def _own_questions(
    db: Session, principal: Principal, trajectories: dict[int, Dialogue], now: datetime
) -> list[tuple[Question, Dialogue]]:
    """The reader's own (or its provider's) questions whose answer is not out yet, oldest first."""
    rows = db.exec(
        select(Question)
        .where(
            own_condition(principal),
            Question.status != QuestionStatus.merged,
            or_(col(Question.nota_id).is_(None), col(Question.nota_id).not_in(released_nota_ids(now))),
            col(Question.dialogue_id).in_(list(trajectories)),
        )
        .order_by(col(Question.created_at), col(Question.id))
    ).all()
    return [(q, trajectories[q.dialogue_id]) for q in rows]


# --- reviewing and signing off --------------------------------------------------------------------------------


def _unreviewed(db: Session, trajectories: dict[int, Dialogue]) -> list[tuple[Dialogue, int]]:
    """Per trajectory with any: the participants' feedback SDFL has not reviewed yet (status "nieuw")."""
    rows = db.exec(
        select(Proposal.dialogue_id, func.count(col(Comment.id)))
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(feedback_condition(), Comment.status == CommentStatus.nieuw)
        .group_by(col(Proposal.dialogue_id))
    ).all()
    counts = {dialogue_id: int(n) for dialogue_id, n in rows}
    return [(d, counts[i]) for i, d in trajectories.items() if counts.get(i)]


def _required(db: Session, dialogues: list[Dialogue]) -> dict[int, list[Municipality]]:
    """Per trajectory: the municipalities that must approve its releases (``app.signoff.required`` for many
    trajectories at once: two queries)."""
    default = list(
        db.exec(
            select(Municipality)
            .where(col(Municipality.in_procurement).is_(True), col(Municipality.archived_at).is_(None))
            .order_by(col(Municipality.name))
        ).all()
    )
    chosen_ids = [id_of(d) for d in dialogues if d.signoff_chosen]
    chosen: dict[int, list[Municipality]] = defaultdict(list)
    if chosen_ids:
        for dialogue_id, municipality in db.exec(
            select(SignoffMunicipality.dialogue_id, Municipality)
            .join(Municipality, col(Municipality.id) == SignoffMunicipality.municipality_id)
            .where(col(SignoffMunicipality.dialogue_id).in_(chosen_ids))
            .order_by(col(Municipality.name))
        ).all():
            chosen[dialogue_id].append(municipality)
    return {id_of(d): (chosen[id_of(d)] if d.signoff_chosen else default) for d in dialogues}


def _signoffs(db: Session, user: User, trajectories: dict[int, Dialogue]) -> list[SignoffItem]:
    """What waits for the municipalities' sign-off: scheduled or blocked notas and packages (and drafts SDFL asked
    about), and the official replies and decisions waiting for release; with the required municipalities that
    have not approved since it last changed. Whether an approval still counts for the content exactly is what
    the check page says (it compares the content itself); this list takes the moments. A fixed number of queries."""
    dialogues = list(trajectories.values())
    if not dialogues:
        return []
    ids = list(trajectories)
    notas = list(
        db.exec(
            select(Nota).where(col(Nota.dialogue_id).in_(ids), col(Nota.status).in_(UNRELEASED)).order_by(col(Nota.id))
        ).all()
    )
    packages = list(
        db.exec(
            select(ReleasePackage)
            .where(col(ReleasePackage.dialogue_id).in_(ids), col(ReleasePackage.status).in_(UNRELEASED))
            .order_by(col(ReleasePackage.release_at), col(ReleasePackage.id))
        ).all()
    )
    asked = _asked(db, [id_of(n) for n in notas], [id_of(p) for p in packages])
    notas = [n for n in notas if n.status != ReleaseStatus.draft or (SignoffSubject.nota, id_of(n)) in asked]
    packages = [p for p in packages if p.status != ReleaseStatus.draft or (SignoffSubject.package, id_of(p)) in asked]
    # A nota changes with its questions' answers too.
    nota_changed = {id_of(n): n.updated_at for n in notas}
    if notas:
        for nota_id, changed in db.exec(
            select(Question.nota_id, func.max(Question.updated_at))
            .where(col(Question.nota_id).in_(list(nota_changed)))
            .group_by(col(Question.nota_id))
        ).all():
            if nota_id is not None and changed is not None and changed > nota_changed[nota_id]:
                nota_changed[nota_id] = changed
    replies = pending_per_trajectory(db, dialogues)
    replies_changed = _replies_changed(db, [id_of(d) for d, _p in replies])
    subjects: list[tuple[str, int]] = (
        [(str(SignoffSubject.nota), id_of(n)) for n in notas]
        + [(str(SignoffSubject.package), id_of(p)) for p in packages]
        + [(str(SignoffSubject.replies), id_of(d)) for d, _p in replies]
    )
    approved = _approved_since(db, subjects)
    required = _required(db, dialogues)

    def item(
        subject: str,
        subject_id: int,
        changed: datetime | None,
        *,
        title: str,
        dialogue: Dialogue,
        link: str,
        release_at: datetime | None,
        status: str,
    ) -> SignoffItem:
        decided = approved.get((subject, subject_id), {})
        missing = [
            m
            for m in required[id_of(dialogue)]
            if id_of(m) not in decided or (changed is not None and decided[id_of(m)] < changed)
        ]
        return SignoffItem(
            subject=subject,
            title=title,
            dialogue=dialogue,
            link=link,
            release_at=release_at,
            status=status,
            missing=missing,
            mine=any(m.id == user.municipality_id for m in missing),
        )

    items = [
        item(
            SignoffSubject.nota,
            id_of(n),
            nota_changed[id_of(n)],
            title=f"{n.number}: {n.title}",
            dialogue=trajectories[n.dialogue_id],
            link=f"/admin/notas/{n.id}/check",
            release_at=n.release_at,
            status=n.status,
        )
        for n in notas
    ]
    items += [
        item(
            SignoffSubject.package,
            id_of(p),
            p.updated_at,
            title=p.title,
            dialogue=trajectories[p.dialogue_id],
            link=f"/admin/packages/{p.id}/check",
            release_at=p.release_at,
            status=p.status,
        )
        for p in packages
    ]
    items += [
        item(
            SignoffSubject.replies,
            id_of(d),
            replies_changed.get(id_of(d)),
            title=d.title,
            dialogue=d,
            link=f"/review/release/check?dialogue={d.slug}",
            release_at=None,
            status="pending",
        )
        for d, _pending in replies
    ]
    return [i for i in items if i.missing]


def _asked(db: Session, nota_ids: list[int], package_ids: list[int]) -> set[tuple[str, int]]:
    """The notas and packages SDFL asked the municipalities to sign off (the audit trail says so)."""
    if not nota_ids and not package_ids:
        return set()
    wanted = [str(i) for i in nota_ids + package_ids]
    rows = db.exec(
        select(AuditEvent.action, AuditEvent.entity_id)
        .where(col(AuditEvent.action).in_(list(SIGNOFF_ASKED)), col(AuditEvent.entity_id).in_(wanted))
        .distinct()
    ).all()
    return {(SIGNOFF_ASKED[action], int(entity_id)) for action, entity_id in rows}


def _replies_changed(db: Session, dialogue_ids: list[int]) -> dict[int, datetime]:
    """Per trajectory: when its drafted official replies last changed (written or edited)."""
    if not dialogue_ids:
        return {}
    moment = func.max(func.coalesce(Comment.edited_at, Comment.created_at))
    rows = db.exec(
        select(Proposal.dialogue_id, moment)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(
            col(Proposal.dialogue_id).in_(dialogue_ids),
            col(Comment.official).is_(True),
            col(Comment.deleted_at).is_(None),
            col(Comment.release_at).is_(None),
        )
        .group_by(col(Proposal.dialogue_id))
    ).all()
    return {dialogue_id: at for dialogue_id, at in rows if at is not None}


def _approved_since(db: Session, subjects: list[tuple[str, int]]) -> dict[tuple[str, int], dict[int, datetime]]:
    """Per subject: the municipalities whose newest decision is an approval, with its moment."""
    if not subjects:
        return {}
    wanted = or_(
        *[
            and_(
                col(Approval.subject_type) == kind, col(Approval.subject_id).in_([i for k, i in subjects if k == kind])
            )
            for kind in {k for k, _i in subjects}
        ]
    )
    newest: dict[tuple[str, int], dict[int, tuple[datetime, str]]] = defaultdict(dict)
    for approval in db.exec(
        select(Approval).where(wanted).order_by(col(Approval.created_at).desc(), col(Approval.id).desc())
    ).all():
        newest[(approval.subject_type, approval.subject_id)].setdefault(
            approval.municipality_id, (approval.created_at, approval.decision)
        )
    return {
        key: {m: at for m, (at, decision) in per.items() if decision == SignoffDecision.approve}
        for key, per in newest.items()
    }


# --- dates ----------------------------------------------------------------------------------------------------


def _sessions(
    db: Session, principal: Principal, trajectories: dict[int, Dialogue], now: datetime
) -> list[tuple[DialogueSession, Dialogue]]:
    """The next planned sessions of the trajectories the reader takes part in (staff: all)."""
    rows = db.exec(
        select(DialogueSession)
        .where(
            col(DialogueSession.dialogue_id).in_(list(trajectories)),
            in_trajectories(principal, DialogueSession.dialogue_id),
            col(DialogueSession.ends_at) > now,
            DialogueSession.status == SessionStatus.planned,
        )
        .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
        .limit(SESSIONS_SHOWN)
    ).all()
    return [(s, trajectories[s.dialogue_id]) for s in rows]


def _milestones(db: Session, trajectories: dict[int, Dialogue], now: datetime) -> list[tuple[Milestone, Dialogue]]:
    """The timeline's deadlines not met yet: the overdue ones of the last month, then those to come."""
    rows = db.exec(
        select(Milestone)
        .where(
            col(Milestone.dialogue_id).in_(list(trajectories)),
            col(Milestone.met_at).is_(None),
            col(Milestone.due_at) > now - OVERDUE_SHOWN,
        )
        .order_by(col(Milestone.due_at), col(Milestone.id))
        .limit(MILESTONES_SHOWN)
    ).all()
    return [(m, trajectories[m.dialogue_id]) for m in rows]
