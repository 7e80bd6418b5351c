"""The nota van inlichtingen: numbered questions and answers released to every participant at one moment.

SDFL composes a nota (number: the next of the trajectory) from answered questions that are in no nota yet,
numbered 1..n in the nota, and releases it now or schedules it. The release is gated by the municipalities'
sign-off (``app.signoff``) over exactly what goes out (``nota_digest``: title, intro, the questions' ids, wordings
and answers, the moment); an admin may override with a reason. A release sets ``released_at`` once, guarded by a
compare-and-set UPDATE, writes one audit event ``nota.released`` with the question ids and tells each asker (also
of the questions merged into those) by mail. A released nota never changes (409); a correction is a later nota
that refers to it (``corrects_id``). A nota in a release package goes out with the package
(``release_nota`` is what app.releases calls); a scheduled nota on its own goes out with ``release_due_notas``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, func, select, update

from app.audit.service import record
from app.dialogues.participants import in_trajectories
from app.events import service as events
from app.kit import clock, tenderned
from app.kit.errors import Conflict, NotFound, invalid
from app.kit.i18n import fmt_datetime
from app.kit.markdown import render_markdown
from app.kit.pdf import markdown_to_pdf, new_document, pdf_lines, to_latin1
from app.mail.service import queue_mail
from app.models import (
    Dialogue,
    Nota,
    Question,
    QuestionStatus,
    ReleaseStatus,
    SignoffSubject,
    User,
    id_of,
    is_valid_id,
)
from app.notifications import events as notifications
from app.policy import Action, Principal, authorize, can
from app.questions.asking import is_reviewer
from app.signoff import service as signoff

ENTITY = "nota"
MAX_TITLE = 200
MAX_INTRO = 20_000
SUBJECT = SignoffSubject.nota


# --- reading --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotaItem:
    """One question of a nota as it goes out: its number, neutral wording and answer."""

    number: int
    question_id: int
    text: str
    answer: str
    answer_html: str


def nota_questions(db: Session, nota: Nota) -> list[Question]:
    return list(
        db.exec(
            select(Question).where(Question.nota_id == nota.id).order_by(col(Question.number), col(Question.id))
        ).all()
    )


def nota_items(db: Session, nota: Nota) -> list[NotaItem]:
    """Exactly what the nota releases, in order (for its page, its PDF and the check page)."""
    return [
        NotaItem(number=q.number or 0, question_id=id_of(q), text=q.text, answer=q.answer, answer_html=q.answer_html)
        for q in nota_questions(db, nota)
    ]


def _digest_content(nota: Nota, items: Sequence[NotaItem]) -> dict[str, object]:
    return {
        "title": nota.title,
        "intro": nota.intro,
        "corrects_id": nota.corrects_id,
        "release_at": nota.release_at.isoformat() if nota.release_at else None,
        "questions": [[i.question_id, i.number, i.text, i.answer] for i in items],
    }


def nota_digest(db: Session, nota: Nota) -> str:
    """The digest the municipalities approve: any change of what goes out (or when) withdraws approvals."""
    return signoff.digest_of(_digest_content(nota, nota_items(db, nota)))


def is_released(nota: Nota, now: datetime | None = None) -> bool:
    return nota.released_at is not None and nota.released_at <= (now or clock.now())


def get_nota(db: Session, nota_id: int) -> Nota:
    nota = db.get(Nota, nota_id) if is_valid_id(nota_id) else None
    if nota is None:
        raise NotFound("Deze nota bestaat niet.", user_message=True)
    return nota


def nota_for_review(db: Session, principal: Principal, nota_id: int) -> Nota:
    """A nota for SDFL's and the municipalities' pages."""
    nota = get_nota(db, nota_id)
    authorize(principal.in_dialogue(nota.dialogue_id), Action.view_prepared)
    return nota


def may_read(principal: Principal, dialogue_id: int) -> None:
    """Released notas are for the participants (and the reviewers): the public signs in, others are refused."""
    if not is_reviewer(principal, dialogue_id):
        authorize(principal.in_dialogue(dialogue_id), Action.view_released_documents)


def visible_nota(db: Session, principal: Principal, nota: Nota) -> Nota:
    """The nota if the reader may see it: released, or the reader reviews (404 otherwise, as if it did not exist)."""
    may_read(principal, nota.dialogue_id)
    if not is_released(nota) and not is_reviewer(principal, nota.dialogue_id):
        raise NotFound("Deze nota bestaat niet.", user_message=True)
    return nota


def nota_by_number(db: Session, principal: Principal, dialogue: Dialogue, number: int) -> Nota:
    nota = (
        db.exec(select(Nota).where(Nota.dialogue_id == dialogue.id, Nota.number == number)).first()
        if is_valid_id(number)
        else None
    )
    if nota is None:
        may_read(principal, id_of(dialogue))
        raise NotFound("Deze nota bestaat niet.", user_message=True)
    return visible_nota(db, principal, nota)


def nota_by_id(db: Session, principal: Principal, nota_id: int) -> Nota:
    """For the API: 404 for a nota the reader may not see."""
    nota = db.get(Nota, nota_id) if is_valid_id(nota_id) else None
    if nota is None or not (is_released(nota) or is_reviewer(principal, nota.dialogue_id)):
        raise NotFound(f"Nota {nota_id} does not exist.")
    may_read(principal, nota.dialogue_id)
    return nota


@dataclass
class NotaWithItems:
    nota: Nota
    items: list[NotaItem] = field(default_factory=list)
    corrects: Nota | None = None


def with_items(db: Session, notas: Sequence[Nota]) -> list[NotaWithItems]:
    """Notas with their questions (two queries whatever their number)."""
    ids = [id_of(n) for n in notas]
    if not ids:
        return []
    questions = db.exec(
        select(Question).where(col(Question.nota_id).in_(ids)).order_by(col(Question.number), col(Question.id))
    ).all()
    corrected_ids = {n.corrects_id for n in notas if n.corrects_id}
    corrected = (
        {n.id: n for n in db.exec(select(Nota).where(col(Nota.id).in_(corrected_ids))).all()} if corrected_ids else {}
    )
    out = []
    for n in notas:
        items = [
            NotaItem(
                number=q.number or 0, question_id=id_of(q), text=q.text, answer=q.answer, answer_html=q.answer_html
            )
            for q in questions
            if q.nota_id == n.id
        ]
        out.append(NotaWithItems(n, items, corrected.get(n.corrects_id) if n.corrects_id else None))
    return out


def released_notas(db: Session, dialogue_id: int, now: datetime | None = None) -> list[NotaWithItems]:
    """The released notas of a trajectory, by number, with their questions."""
    now = now or clock.now()
    notas = db.exec(
        select(Nota)
        .where(Nota.dialogue_id == dialogue_id, col(Nota.released_at).is_not(None), col(Nota.released_at) <= now)
        .order_by(col(Nota.number))
    ).all()
    return with_items(db, list(notas))


def list_notas(
    db: Session, principal: Principal, *, dialogue_id: int | None, offset: int, limit: int
) -> tuple[list[NotaWithItems], int]:
    """For the API: released notas of the trajectories the reader takes part in; reviewers every nota."""
    now = clock.now()
    if not principal.is_authenticated:
        authorize(principal, Action.view_released_documents)
    stmt = select(Nota)
    if not is_reviewer(principal):
        stmt = stmt.where(
            col(Nota.released_at).is_not(None),
            col(Nota.released_at) <= now,
            in_trajectories(principal, Nota.dialogue_id),
        )
    if dialogue_id is not None:
        stmt = stmt.where(Nota.dialogue_id == dialogue_id)
    total = db.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = db.exec(stmt.order_by(col(Nota.dialogue_id), col(Nota.number)).offset(offset).limit(limit)).all()
    return with_items(db, list(rows)), int(total)


def admin_notas(db: Session, principal: Principal, dialogue: Dialogue) -> list[Nota]:
    authorize(principal.in_dialogue(dialogue.id), Action.view_prepared)
    return list(db.exec(select(Nota).where(Nota.dialogue_id == dialogue.id).order_by(col(Nota.number))).all())


# --- composing ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotaInput:
    title: str
    intro: str = ""
    question_ids: Sequence[int] = ()
    corrects_id: int | None = None


def candidates(db: Session, dialogue_id: int, nota: Nota | None = None) -> list[Question]:
    """Answered questions that may go in the nota: in no nota yet (or in this one)."""
    in_nota = col(Question.nota_id).is_(None)
    if nota is not None:
        in_nota = or_(in_nota, col(Question.nota_id) == nota.id)  # type: ignore[assignment]
    return list(
        db.exec(
            select(Question)
            .where(Question.dialogue_id == dialogue_id, Question.status == QuestionStatus.answered, in_nota)
            .order_by(col(Question.created_at), col(Question.id))
        ).all()
    )


def correctable(db: Session, dialogue_id: int) -> list[Nota]:
    """The released notas a new nota may correct."""
    return list(
        db.exec(
            select(Nota)
            .where(Nota.dialogue_id == dialogue_id, col(Nota.released_at).is_not(None))
            .order_by(col(Nota.number))
        ).all()
    )


def _check(db: Session, dialogue_id: int, data: NotaInput, nota: Nota | None) -> tuple[str, str, list[Question]]:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    intro = (data.intro or "").strip()
    if not title:
        errors["title"] = "Geef de nota een titel."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Houd de titel onder {MAX_TITLE} tekens."
    if len(intro) > MAX_INTRO:
        errors["intro"] = f"Houd de inleiding onder {MAX_INTRO} tekens."
    allowed = {q.id: q for q in candidates(db, dialogue_id, nota)}
    wanted = list(dict.fromkeys(data.question_ids))
    if any(i not in allowed for i in wanted):
        errors["question_ids"] = "Kies beantwoorde vragen die nog in geen andere nota staan."
    if data.corrects_id is not None and data.corrects_id not in {n.id for n in correctable(db, dialogue_id)}:
        errors["corrects_id"] = "Kies een vrijgegeven nota van dit traject."
    if errors:
        raise invalid(errors)
    chosen = sorted((allowed[i] for i in wanted), key=lambda q: (q.created_at, q.id or 0))
    return title, intro, chosen


def _place(db: Session, nota: Nota, questions: list[Question]) -> None:
    """The nota's questions are exactly ``questions``, numbered 1..n in that order."""
    keep = {q.id for q in questions}
    for q in nota_questions(db, nota):
        if q.id not in keep:
            q.nota_id = None
            q.number = None
            db.add(q)
    for number, q in enumerate(questions, start=1):
        q.nota_id = id_of(nota)
        q.number = number
        db.add(q)
    db.flush()


def _snapshot(nota: Nota, questions: Sequence[Question]) -> dict[str, object]:
    return {
        "title": nota.title,
        "intro": nota.intro,
        "corrects_id": nota.corrects_id,
        "questions": [q.id for q in questions],
        "status": nota.status,
        "release_at": nota.release_at.isoformat() if nota.release_at else None,
    }


def compose(db: Session, principal: Principal, dialogue: Dialogue, data: NotaInput, *, actor: User) -> Nota:
    """A new nota (a draft), numbered after the trajectory's others."""
    authorize(principal.in_dialogue(dialogue.id), Action.manage)
    title, intro, questions = _check(db, id_of(dialogue), data, None)
    number = (db.exec(select(func.max(Nota.number)).where(Nota.dialogue_id == dialogue.id)).one() or 0) + 1
    now = clock.now()
    nota = Nota(
        dialogue_id=id_of(dialogue),
        number=number,
        title=title,
        intro=intro,
        corrects_id=data.corrects_id,
        created_by_id=id_of(actor),
        created_at=now,
        updated_at=now,
    )
    db.add(nota)
    db.flush()
    _place(db, nota, questions)
    record(
        db,
        action="nota.created",
        entity_type=ENTITY,
        entity_id=nota.id,
        actor=actor,
        summary=f"Nota van inlichtingen {number} opgesteld: {title}",
        after=_snapshot(nota, questions),
    )
    return nota


def _not_released(nota: Nota) -> None:
    if nota.released_at is not None or nota.status == ReleaseStatus.released:
        raise Conflict(
            f"Nota {nota.number} is vrijgegeven en verandert niet meer. Een correctie komt in een volgende nota.",
            user_message=True,
        )


def update_nota(db: Session, principal: Principal, nota: Nota, data: NotaInput, *, actor: User) -> Nota:
    """Change a nota before its release (any change withdraws the municipalities' approvals)."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.manage)
    _not_released(nota)
    title, intro, questions = _check(db, nota.dialogue_id, data, nota)
    before = _snapshot(nota, nota_questions(db, nota))
    nota.title, nota.intro, nota.corrects_id = title, intro, data.corrects_id
    nota.updated_at = clock.now()
    db.add(nota)
    _place(db, nota, questions)
    record(
        db,
        action="nota.updated",
        entity_type=ENTITY,
        entity_id=nota.id,
        actor=actor,
        summary=f"Nota van inlichtingen {nota.number} gewijzigd",
        before=before,
        after=_snapshot(nota, questions),
    )
    return nota


def _refuse_empty(db: Session, nota: Nota) -> None:
    if not nota_questions(db, nota) and not (nota.corrects_id and nota.intro.strip()):
        raise invalid({"question_ids": "Een nota zonder vragen kan niet worden vrijgegeven. Kies eerst vragen."})


def schedule(db: Session, principal: Principal, nota: Nota, at: datetime | None, *, actor: User) -> Nota:
    """Schedule the nota for ``at`` (None: back to a draft, released by hand)."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.manage)
    _not_released(nota)
    if nota.package_id is not None:
        raise Conflict("Deze nota gaat mee met haar vrijgavepakket: plan het pakket.", user_message=True)
    if at is not None:
        _refuse_empty(db, nota)
        if at <= clock.now():
            raise invalid({"release_at": "Kies een moment in de toekomst, of geef nu vrij."})
    before = {"status": nota.status, "release_at": nota.release_at.isoformat() if nota.release_at else None}
    nota.status = ReleaseStatus.scheduled if at else ReleaseStatus.draft
    nota.blocked_reason = ""
    nota.release_at = at
    nota.updated_at = clock.now()
    db.add(nota)
    db.flush()
    record(
        db,
        action="nota.scheduled" if at else "nota.unscheduled",
        entity_type=ENTITY,
        entity_id=nota.id,
        actor=actor,
        summary=(
            f"Nota {nota.number} wordt vrijgegeven op {fmt_datetime(at, 'd MMMM y, HH:mm')}"
            if at
            else f"Nota {nota.number}: geplande vrijgave ingetrokken"
        ),
        before=before,
        after={"status": nota.status, "release_at": at.isoformat() if at else None},
    )
    return nota


# --- sign-off -------------------------------------------------------------------------------------------------


# --- the TenderNed record -------------------------------------------------------------------------------------


def _tenderned_snapshot(nota: Nota) -> dict[str, str | None]:
    return {
        "published_on": nota.tenderned_published_on.isoformat() if nota.tenderned_published_on else None,
        "reference": nota.tenderned_reference,
        "url": nota.tenderned_url,
    }


def record_tenderned(
    db: Session, principal: Principal, nota: Nota, entry: tenderned.TenderNedRecord | None, *, actor: User
) -> None:
    """Record (or change, or with ``None`` remove) where SDFL published the released nota on TenderNed. The
    record is about the nota, not in it: the nota itself (and its sign-off digest) does not change."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.manage)
    if entry is not None and not is_released(nota):
        raise Conflict(
            "Geef de nota eerst vrij; daarna legt u de publicatie op TenderNed vast.",
            user_message=True,
            errors=[{"field": "tenderned_published_on", "message": "Geef de nota eerst vrij."}],
        )
    before = _tenderned_snapshot(nota)
    nota.tenderned_published_on = entry.published_on if entry else None
    nota.tenderned_reference = entry.reference if entry else None
    nota.tenderned_url = entry.url if entry else None
    after = _tenderned_snapshot(nota)
    if after == before:
        return
    db.add(nota)
    record(
        db,
        action="nota.tenderned_recorded" if entry else "nota.tenderned_removed",
        entity_type=ENTITY,
        entity_id=nota.id,
        actor=actor,
        summary=f"Publicatie op TenderNed van nota {nota.number} " + ("vastgelegd" if entry else "verwijderd"),
        before=before,
        after=after,
    )


def check_link(nota: Nota) -> str:
    return f"/admin/notas/{nota.id}/check"


def title_of(nota: Nota) -> str:
    return f"{nota.number}: {nota.title}"


def signoff_state(db: Session, dialogue: Dialogue, nota: Nota, digest: str | None = None) -> signoff.Signoff:
    return signoff.status(db, SUBJECT, id_of(nota), dialogue, digest or nota_digest(db, nota))


def ask_signoff(db: Session, principal: Principal, nota: Nota, *, actor: User) -> int:
    """Mail the required municipalities' reviewers to check the nota; how many mails."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.manage)
    _not_released(nota)
    dialogue = db.get(Dialogue, nota.dialogue_id)
    assert dialogue is not None
    sent = signoff.ask_for_signoff(
        db, dialogue, subject_type=SUBJECT, title=title_of(nota), link=check_link(nota), release_at=nota.release_at
    )
    record(
        db,
        action="nota.signoff_asked",
        entity_type=ENTITY,
        entity_id=nota.id,
        actor=actor,
        summary=f"Akkoord gevraagd voor nota {nota.number} ({sent} berichten)",
        after={"digest": nota_digest(db, nota), "mails": sent},
    )
    return sent


def _digest_seen(digest: str) -> str:
    digest = (digest or "").strip()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise invalid({"digest": "Laad de pagina opnieuw en controleer de nota nog eens."})
    return digest


def decide(db: Session, principal: Principal, nota: Nota, *, decision: str, note: str, digest: str) -> None:
    """A municipality approves or objects to the nota as it was shown (``digest``)."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.sign_off)
    _not_released(nota)
    dialogue = db.get(Dialogue, nota.dialogue_id)
    assert dialogue is not None
    signoff.decide(
        db,
        principal.in_dialogue(nota.dialogue_id),
        subject_type=SUBJECT,
        subject_id=id_of(nota),
        dialogue=dialogue,
        digest=_digest_seen(digest),
        decision=decision,
        note=note,
        title=title_of(nota),
    )


def override(db: Session, principal: Principal, nota: Nota, *, reason: str, digest: str) -> None:
    """An admin clears the nota as it was shown without every approval, with a written reason."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.override_signoff)
    _not_released(nota)
    signoff.override(
        db,
        principal.in_dialogue(nota.dialogue_id),
        subject_type=SUBJECT,
        subject_id=id_of(nota),
        digest=_digest_seen(digest),
        reason=reason,
        title=title_of(nota),
    )


@dataclass
class CheckPage:
    nota: Nota
    dialogue: Dialogue
    items: list[NotaItem]
    digest: str
    state: signoff.Signoff
    may_decide: bool
    may_override: bool
    corrects: Nota | None = None


def check_page(db: Session, principal: Principal, nota: Nota) -> CheckPage:
    """Everything the nota releases, with where the sign-off stands (reviewers)."""
    focused = principal.in_dialogue(nota.dialogue_id)
    authorize(focused, Action.view_prepared)
    dialogue = db.get(Dialogue, nota.dialogue_id)
    assert dialogue is not None
    items = nota_items(db, nota)
    digest = signoff.digest_of(_digest_content(nota, items))
    state = signoff.status(db, SUBJECT, id_of(nota), dialogue, digest)
    user = principal.user
    required_ids = {s.municipality.id for s in state.standings}
    released = nota.released_at is not None
    return CheckPage(
        nota=nota,
        dialogue=dialogue,
        items=items,
        digest=digest,
        state=state,
        may_decide=not released
        and can(focused, Action.sign_off)
        and user is not None
        and user.municipality_id in required_ids,
        may_override=not released and can(focused, Action.override_signoff),
        corrects=db.get(Nota, nota.corrects_id) if nota.corrects_id else None,
    )


# --- releasing ------------------------------------------------------------------------------------------------


def _askers(db: Session, question_ids: list[int]) -> list[User]:
    """The active users who asked these questions or questions merged into them, once each."""
    if not question_ids:
        return []
    asker_ids = set(
        db.exec(
            select(Question.asker_id).where(
                col(Question.id).in_(question_ids) | col(Question.merged_into_id).in_(question_ids)
            )
        ).all()
    )
    return list(
        db.exec(
            select(User).where(col(User.id).in_(asker_ids), col(User.active).is_(True)).order_by(col(User.email))
        ).all()
    )


def nota_link(dialogue: Dialogue, nota: Nota) -> str:
    return f"/dialogues/{dialogue.slug}/nota/{nota.number}"


def release_nota(db: Session, nota: Nota, *, at: datetime, actor: User | None) -> list[int]:
    """Release the nota at ``at`` (no sign-off check: the caller, a package or ``release_now``, made it). Sets
    ``released_at`` once: a second release (another admin, another worker) finds it done and gets a 409.
    Returns the ids of the questions released; each asker is told by mail."""
    questions = nota_questions(db, nota)
    if not questions and not (nota.corrects_id and nota.intro.strip()):
        raise invalid({"question_ids": "Een nota zonder vragen kan niet worden vrijgegeven. Kies eerst vragen."})
    claimed = db.exec(
        update(Nota)
        .where(
            col(Nota.id) == nota.id,
            col(Nota.status) != ReleaseStatus.released,
            col(Nota.released_at).is_(None),
        )
        .values(status=ReleaseStatus.released, released_at=at, release_at=at, updated_at=clock.now())
    )
    if claimed.rowcount != 1:
        db.refresh(nota)
        raise Conflict(f"Nota {nota.number} is al vrijgegeven.", user_message=True)
    db.refresh(nota)
    ids = [id_of(q) for q in questions]
    dialogue = db.get(Dialogue, nota.dialogue_id)
    assert dialogue is not None
    record(
        db,
        action="nota.released",
        entity_type=ENTITY,
        entity_id=nota.id,
        actor=actor,
        summary=f"Nota van inlichtingen {nota.number} vrijgegeven ({len(ids)} vragen)",
        after={"questions": ids, "released_at": at.isoformat(), "package_id": nota.package_id},
    )
    events.nota_released(db, nota.dialogue_id, id_of(nota), ids, at)  # issue 20: nota.published, question.answered
    askers = _askers(db, ids)
    for user in askers:  # by each asker's notification settings (app.notifications)
        notifications.question_answered(
            db,
            user,
            dialogue,
            nota_id=id_of(nota),
            nota_number=nota.number,
            nota_title=nota.title,
            path=nota_link(dialogue, nota),
        )
    if nota.package_id is None:  # a nota in a package is announced by the package's mail
        notifications.notify_published(
            db,
            nota.dialogue_id,
            "nota",
            f"{nota.number}. {nota.title}",
            nota_link(dialogue, nota),
            key=str(nota.id),
            exclude_user_ids=[id_of(u) for u in askers],
        )
    return ids


def release_now(db: Session, principal: Principal, nota: Nota, *, actor: User) -> list[int]:
    """SDFL releases the nota now: refused while it is empty or its sign-off is not cleared."""
    authorize(principal.in_dialogue(nota.dialogue_id), Action.manage)
    _not_released(nota)
    if nota.package_id is not None:
        raise Conflict("Deze nota gaat mee met haar vrijgavepakket.", user_message=True)
    _refuse_empty(db, nota)
    dialogue = db.get(Dialogue, nota.dialogue_id)
    assert dialogue is not None
    signoff.require_cleared(db, SUBJECT, id_of(nota), dialogue, nota_digest(db, nota))
    return release_nota(db, nota, at=clock.now(), actor=actor)


def _block(db: Session, nota: Nota, dialogue: Dialogue, state: signoff.Signoff) -> bool:
    reason = "Nog geen akkoord van: " + ", ".join(m.name for m in state.missing) + "."
    claimed = db.exec(
        update(Nota)
        .where(col(Nota.id) == nota.id, col(Nota.status) == ReleaseStatus.scheduled, col(Nota.released_at).is_(None))
        .values(status=ReleaseStatus.blocked, blocked_reason=reason, updated_at=clock.now())
    )
    if claimed.rowcount != 1:
        return False
    db.refresh(nota)
    record(
        db,
        action="nota.blocked",
        entity_type=ENTITY,
        entity_id=nota.id,
        summary=f"Nota {nota.number} is niet vrijgegeven op het geplande moment. {reason}",
        after={"reason": reason, "release_at": nota.release_at.isoformat() if nota.release_at else None},
    )
    for admin in signoff.releasers(db):
        queue_mail(
            db,
            to=admin.email,
            template="nota_blocked",
            context={
                "user_name": admin.name or admin.email,
                "dialogue_title": dialogue.title,
                "nota_number": nota.number,
                "nota_title": nota.title,
                "release_at": fmt_datetime(nota.release_at, "d MMMM y, HH:mm") if nota.release_at else "",
                "reason": reason,
                "link": f"/admin/notas/{nota.id}",
            },
        )
    return True


def release_due_notas(session: Session) -> int:
    """The scheduler's task: release every scheduled nota (not in a package) whose moment has come and whose
    sign-off is cleared, at its moment; block the others (the admins are told why). Returns how many it handled."""
    now = clock.now()
    due = session.exec(
        select(Nota)
        .where(
            Nota.status == ReleaseStatus.scheduled,
            col(Nota.package_id).is_(None),
            col(Nota.release_at).is_not(None),
            col(Nota.release_at) <= now,
        )
        .order_by(col(Nota.release_at), col(Nota.id))
    ).all()
    done = 0
    for nota in due:
        dialogue = session.get(Dialogue, nota.dialogue_id)
        assert dialogue is not None and nota.release_at is not None
        state = signoff_state(session, dialogue, nota)
        if not state.cleared:
            done += _block(session, nota, dialogue, state)
            continue
        try:
            release_nota(session, nota, at=nota.release_at, actor=None)
        except Conflict:  # another worker released it first
            continue
        done += 1
    return done


# --- the PDF --------------------------------------------------------------------------------------------------


def nota_pdf(dialogue: Dialogue, nota: Nota, items: Sequence[NotaItem], corrects: Nota | None = None) -> bytes:
    """The nota as a PDF for TenderNed: trajectory, tender reference, number and release date on it."""
    reference = f"{dialogue.title} - kenmerk TenderNed {dialogue.tender_reference}"
    heading = f"Nota van inlichtingen {nota.number}: {nota.title}"
    pdf = new_document(heading, reference)
    pdf.set_font("Helvetica", "B", 16)
    pdf_lines(pdf, 8, to_latin1(heading))
    pdf.set_font("Helvetica", size=10)
    released = fmt_datetime(nota.released_at, "d MMMM y") if nota.released_at else "nog niet vrijgegeven"
    pdf_lines(pdf, 6, to_latin1(f"{reference}\nVrijgegeven: {released}"))
    if corrects is not None:
        pdf_lines(pdf, 6, to_latin1(f"Deze nota corrigeert nota {corrects.number}."))
    pdf.ln(4)
    if nota.intro:
        markdown_to_pdf(pdf, nota.intro)
        pdf.ln(2)
    for item in items:
        pdf.set_font("Helvetica", "B", 12)
        pdf_lines(pdf, 7, to_latin1(f"Vraag {item.number}"))
        pdf.set_font("Helvetica", size=11)
        pdf_lines(pdf, 6, to_latin1(item.text))
        pdf.set_font("Helvetica", "B", 11)
        pdf_lines(pdf, 7, to_latin1("Antwoord"))
        markdown_to_pdf(pdf, item.answer)
        pdf.ln(3)
    return bytes(pdf.output())


def intro_html(nota: Nota) -> str:
    return render_markdown(nota.intro)
