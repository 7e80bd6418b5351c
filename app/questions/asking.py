"""Asking a question, until the deadline, and reading questions as each reader may see them.

An accepted provider's user (for its own provider) or an approved consultation participant asks a written
question, optionally about a session, a released document or a published proposal section of the trajectory.
The asker (and the asker's colleagues of the same provider) and the reviewers (SDFL and the municipalities) see
it at once; every other participant sees only its neutral wording with its answer, once the nota it is in has
been released, and never who asked it.

Deadline: a question about a session is taken until ``DialogueSession.questions_until``; without that, until the
day before the session's release package goes out (the earliest package of that session not yet released), and
without a package until eight days before the session starts. A question without a session (or a document of
none) counts with the next planned session's deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, or_, true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from app.audit.service import record
from app.dialogues.participants import in_trajectories
from app.dialogues.service import get_trajectory
from app.kit import clock
from app.kit.errors import NotFound, Unauthorized, invalid
from app.kit.i18n import fmt_datetime
from app.models import (
    Dialogue,
    DialogueSession,
    Document,
    Nota,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Provider,
    Question,
    QuestionStatus,
    ReleasePackage,
    ReleaseStatus,
    Section,
    SessionStatus,
    User,
    VersionStatus,
    id_of,
    is_valid_id,
)
from app.policy import Action, Principal, authorize, can

MAX_TEXT = 5_000
MIN_TEXT = 10
ENTITY = "question"
# Without a release package, questions about a session are taken until this long before it starts (the
# default package goes out seven days before; questions close the day before that).
NO_PACKAGE_MARGIN = timedelta(days=8)
BEFORE_PACKAGE = timedelta(days=1)


# --- who sees what --------------------------------------------------------------------------------------------


def is_reviewer(principal: Principal, dialogue_id: int | None = None) -> bool:
    """SDFL and the municipalities: every question before publication, every nota before release."""
    return can(principal.in_dialogue(dialogue_id), Action.view_prepared)


def released_nota_ids(now: datetime) -> Any:
    """The ids of the notas out by ``now`` (a subquery)."""
    return select(Nota.id).where(col(Nota.released_at).is_not(None), col(Nota.released_at) <= now)


def own_condition(principal: Principal) -> ColumnElement[bool]:
    """The questions that are the reader's own: asked by them, or (a provider's user) by their provider."""
    user = principal.user
    if user is None:
        return false()
    mine = col(Question.asker_id) == id_of(user)
    if user.provider_id is not None:
        return or_(mine, col(Question.provider_id) == user.provider_id)
    return mine


def visible_condition(principal: Principal, now: datetime) -> ColumnElement[bool]:
    """Which questions ``principal`` may see: reviewers all; others their own and the published ones of the
    trajectories they take part in."""
    if is_reviewer(principal):
        return true()
    if not principal.is_authenticated:
        return false()
    published = and_(
        col(Question.nota_id).in_(released_nota_ids(now)), in_trajectories(principal, Question.dialogue_id)
    )
    return or_(own_condition(principal), published)


def is_own(principal: Principal, question: Question) -> bool:
    user = principal.user
    if user is None:
        return False
    return question.asker_id == user.id or (user.provider_id is not None and question.provider_id == user.provider_id)


def is_published(nota: Nota | None, now: datetime) -> bool:
    return nota is not None and nota.released_at is not None and nota.released_at <= now


# --- deadlines ------------------------------------------------------------------------------------------------


def session_deadline(db: Session, meeting: DialogueSession) -> datetime:
    """Until when questions about ``meeting`` are taken."""
    if meeting.questions_until is not None:
        return meeting.questions_until
    package = db.exec(
        select(ReleasePackage)
        .where(
            ReleasePackage.session_id == meeting.id,
            col(ReleasePackage.status) != ReleaseStatus.released,
            col(ReleasePackage.released_at).is_(None),
        )
        .order_by(col(ReleasePackage.release_at), col(ReleasePackage.id))
    ).first()
    if package is not None:
        return package.release_at - BEFORE_PACKAGE
    return meeting.starts_at - NO_PACKAGE_MARGIN


def next_session(db: Session, dialogue_id: int, now: datetime) -> DialogueSession | None:
    """The next planned session of the trajectory (None: none is planned)."""
    return db.exec(
        select(DialogueSession)
        .where(
            DialogueSession.dialogue_id == dialogue_id,
            DialogueSession.status == SessionStatus.planned,
            col(DialogueSession.starts_at) > now,
        )
        .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
    ).first()


@dataclass(frozen=True)
class Deadline:
    meeting: DialogueSession
    until: datetime


def deadline_for(db: Session, dialogue_id: int, meeting: DialogueSession | None, now: datetime) -> Deadline | None:
    """The deadline a question counts with: its session's, else the next planned session's (None: no session
    is planned, so no deadline)."""
    meeting = meeting or next_session(db, dialogue_id, now)
    return Deadline(meeting, session_deadline(db, meeting)) if meeting else None


def deadline_message(deadline: Deadline) -> str:
    return (
        f"Vragen over sessie {deadline.meeting.number} konden tot "
        f"{fmt_datetime(deadline.until, 'd MMMM y, HH:mm')} uur worden gesteld."
    )


# --- subjects -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subjects:
    """What a question of this trajectory may be about: sessions, released documents, published sections."""

    sessions: list[DialogueSession] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    sections: list[tuple[Section, str]] = field(default_factory=list)  # (section, proposal title)


def _released_document(now: datetime) -> ColumnElement[bool]:
    in_package = select(ReleasePackage.id).where(
        col(ReleasePackage.released_at).is_not(None), col(ReleasePackage.released_at) <= now
    )
    return and_(
        col(Document.release_at) <= now,
        or_(col(Document.package_id).is_(None), col(Document.package_id).in_(in_package)),
    )


def _published_sections(dialogue_id: int) -> Any:
    return (
        select(Section, Proposal.title, Proposal.id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(
            Proposal.dialogue_id == dialogue_id,
            Proposal.status == ProposalStatus.published,
            ProposalVersion.status == VersionStatus.published,
        )
    )


def subjects(db: Session, dialogue_id: int, now: datetime | None = None) -> Subjects:
    """The choices of the asking form (three queries)."""
    now = now or clock.now()
    sessions = db.exec(
        select(DialogueSession)
        .where(DialogueSession.dialogue_id == dialogue_id, DialogueSession.status != SessionStatus.cancelled)
        .order_by(col(DialogueSession.number))
    ).all()
    documents = db.exec(
        select(Document)
        .where(Document.dialogue_id == dialogue_id, _released_document(now))
        .order_by(col(Document.release_at), col(Document.id))
    ).all()
    # The newest published version's sections of each proposal.
    rows = db.exec(
        _published_sections(dialogue_id).order_by(
            col(Proposal.id), col(ProposalVersion.number).desc(), col(Section.position)
        )
    ).all()
    newest: dict[int, int] = {}
    sections: list[tuple[Section, str]] = []
    for section, title, proposal_id in rows:
        if newest.setdefault(proposal_id, section.version_id) == section.version_id:
            sections.append((section, title))
    return Subjects(list(sessions), list(documents), sections)


# --- asking ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    text: str
    session_id: int | None = None
    document_id: int | None = None
    section_id: int | None = None


def _subject(db: Session, dialogue_id: int, data: QuestionInput, now: datetime) -> DialogueSession | None:
    """Checks the subject fields; returns the session whose deadline counts (None: the next one)."""
    errors: dict[str, str] = {}
    meeting: DialogueSession | None = None
    if data.session_id is not None:
        meeting = db.get(DialogueSession, data.session_id) if is_valid_id(data.session_id) else None
        if meeting is None or meeting.dialogue_id != dialogue_id:
            errors["session_id"] = "Kies een sessie van dit traject."
    if data.document_id is not None:
        document = db.get(Document, data.document_id) if is_valid_id(data.document_id) else None
        released = (
            document is not None
            and document.dialogue_id == dialogue_id
            and db.exec(select(Document.id).where(Document.id == document.id, _released_document(now))).first()
        )
        if not released:
            errors["document_id"] = "Kies een vrijgegeven stuk van dit traject."
        elif meeting is None and document is not None and document.session_id is not None:
            meeting = db.get(DialogueSession, document.session_id)
    if data.section_id is not None:
        found = (
            db.exec(_published_sections(dialogue_id).where(Section.id == data.section_id)).first()
            if is_valid_id(data.section_id)
            else None
        )
        if found is None:
            errors["section_id"] = "Kies een onderdeel van een gepubliceerd voorstel van dit traject."
    if errors:
        raise invalid(errors)
    return meeting


def clean_text(text: str, field_name: str = "text") -> str:
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise invalid({field_name: f"Schrijf uw vraag in ten minste {MIN_TEXT} tekens."})
    if len(text) > MAX_TEXT:
        raise invalid({field_name: f"Houd uw vraag onder {MAX_TEXT} tekens."})
    return text


def ask(db: Session, principal: Principal, dialogue: Dialogue, data: QuestionInput) -> Question:
    """A participant asks a question (a provider's user for its own provider) until the deadline."""
    user = principal.user
    provider_id = user.provider_id if user else None
    authorize(principal.in_dialogue(dialogue.id), Action.ask_question, provider_id=provider_id)
    assert user is not None
    now = clock.now()
    text = clean_text(data.text)
    meeting = _subject(db, id_of(dialogue), data, now)
    deadline = deadline_for(db, id_of(dialogue), meeting, now)
    if deadline is not None and now > deadline.until:
        raise invalid({"session_id" if data.session_id is not None else "text": deadline_message(deadline)})
    question = Question(
        dialogue_id=id_of(dialogue),
        asker_id=id_of(user),
        provider_id=provider_id,
        session_id=data.session_id,
        document_id=data.document_id,
        section_id=data.section_id,
        original_text=text,
        text=text,
        created_at=now,
        updated_at=now,
    )
    db.add(question)
    db.flush()
    record(
        db,
        action="question.asked",
        entity_type=ENTITY,
        entity_id=question.id,
        actor=user,
        summary=f"Vraag gesteld in {dialogue.title}",
        after={"dialogue_id": dialogue.id, "session_id": data.session_id, "document_id": data.document_id,
               "section_id": data.section_id},
    )  # fmt: skip
    return question


def trajectory(db: Session, principal: Principal, slug: str) -> Dialogue:
    """The trajectory of the questions page: signed-in users that take part (or review) only."""
    dialogue = get_trajectory(db, principal, slug)
    focused = principal.in_dialogue(dialogue.id)
    if not can(focused, Action.view_prepared):
        user = principal.user
        authorize(focused, Action.ask_question, provider_id=user.provider_id if user else None)
    return dialogue


# --- reading --------------------------------------------------------------------------------------------------


@dataclass
class QuestionView:
    """A question as one reader sees it."""

    question: Question
    own: bool
    reviewer: bool
    nota: Nota | None = None  # the nota it is (or will be) in, when the reader may see that nota
    published: bool = False
    answered_by: Question | None = None  # a merged question: the question that answers it (when published)
    answered_in: Nota | None = None  # a merged question: the nota the other question is in (when published)
    asker: User | None = None  # reviewers only
    provider: Provider | None = None  # reviewers only
    text_edited_by: User | None = None  # reviewers only
    answer_by: User | None = None  # reviewers only

    @property
    def reader_status(self) -> str:
        """What the asker and the others are told: open until the answer is out, then answered; merged."""
        if self.reviewer:
            return self.question.status
        if self.question.status == QuestionStatus.merged:
            return QuestionStatus.merged
        return QuestionStatus.answered if self.published else QuestionStatus.open

    @property
    def text(self) -> str | None:
        """The published wording (reviewers: the working wording; the asker before publication: none)."""
        if self.reviewer or self.published:
            return self.question.text
        return None

    @property
    def answer(self) -> Question | None:
        """The question whose answer the reader may read (itself, or the one it was merged into)."""
        if self.reviewer or self.published:
            return self.question
        return self.answered_by


def views_of(
    db: Session, principal: Principal, questions: list[Question], now: datetime | None = None
) -> list[QuestionView]:
    """``questions`` (already filtered to what the reader may see) as the reader sees each, in a fixed number
    of queries whatever their number."""
    now = now or clock.now()
    reviewer = is_reviewer(principal)
    merged_ids = {q.merged_into_id for q in questions if q.merged_into_id}
    targets = (
        {t.id: t for t in db.exec(select(Question).where(col(Question.id).in_(merged_ids))).all()} if merged_ids else {}
    )
    nota_ids = {q.nota_id for q in [*questions, *targets.values()] if q.nota_id}
    notas = {n.id: n for n in db.exec(select(Nota).where(col(Nota.id).in_(nota_ids))).all()} if nota_ids else {}
    users: dict[int | None, User] = {}
    providers: dict[int | None, Provider] = {}
    if reviewer:
        user_ids = {i for q in questions for i in (q.asker_id, q.text_edited_by_id, q.answer_by_id) if i}
        if user_ids:
            users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()}
        provider_ids = {q.provider_id for q in questions if q.provider_id}
        if provider_ids:
            providers = {p.id: p for p in db.exec(select(Provider).where(col(Provider.id).in_(provider_ids))).all()}
    out = []
    for q in questions:
        nota = notas.get(q.nota_id)
        published = is_published(nota, now)
        target = targets.get(q.merged_into_id) if q.merged_into_id else None
        target_nota = notas.get(target.nota_id) if target and target.nota_id else None
        target_out = target is not None and is_published(target_nota, now)
        out.append(
            QuestionView(
                question=q,
                own=is_own(principal, q),
                reviewer=reviewer,
                nota=nota if (reviewer or published) else None,
                published=published,
                answered_by=target if (target_out or (reviewer and target)) else None,
                answered_in=target_nota if (target_out or (reviewer and target)) else None,
                asker=users.get(q.asker_id) if reviewer else None,
                provider=providers.get(q.provider_id) if reviewer else None,
                text_edited_by=users.get(q.text_edited_by_id) if reviewer else None,
                answer_by=users.get(q.answer_by_id) if reviewer else None,
            )
        )
    return out


def visible_question(db: Session, principal: Principal, question_id: int) -> QuestionView:
    """One question as the reader sees it; 404 when it is not theirs to see (yet)."""
    now = clock.now()
    found = (
        db.exec(select(Question).where(Question.id == question_id, visible_condition(principal, now))).first()
        if is_valid_id(question_id)
        else None
    )
    if found is None:
        raise NotFound(f"Question {question_id} does not exist.")
    return views_of(db, principal, [found], now)[0]


def list_questions(
    db: Session, principal: Principal, *, dialogue_id: int | None, offset: int, limit: int
) -> tuple[list[QuestionView], int]:
    """Questions the reader may see, oldest first: reviewers all; participants their own and the published ones
    (in nota order)."""
    now = clock.now()
    stmt = select(Question).where(visible_condition(principal, now))
    if dialogue_id is not None:
        stmt = stmt.where(Question.dialogue_id == dialogue_id)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(stmt.order_by(col(Question.created_at), col(Question.id)).offset(offset).limit(limit)).all()
    return views_of(db, principal, list(rows), now), int(total)


def own_questions(db: Session, principal: Principal, dialogue_id: int) -> list[QuestionView]:
    """The reader's own questions in a trajectory, newest first."""
    rows = db.exec(
        select(Question)
        .where(Question.dialogue_id == dialogue_id, own_condition(principal))
        .order_by(col(Question.created_at).desc(), col(Question.id).desc())
    ).all()
    return views_of(db, principal, list(rows))


def require_signed_in(principal: Principal) -> None:
    """Questions are for signed-in users (and API keys) only: the public is asked to sign in."""
    if not principal.is_authenticated:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <key>'.")
