"""SDFL's (and the municipalities') work on the questions: the neutral wording, the answer, duplicates.

Reviewers (``Action.view_prepared``) read every question with its asker; SDFL and the municipalities' users
(``Action.draft``) word it neutrally (the original is kept) and draft its answer (Markdown, sanitised); SDFL
(``Action.manage``) merges a duplicate into another question, which answers both. Who wrote the wording and the
answer last is kept (``text_edited_by_id``, ``answer_by_id``). A question in a released nota never changes (409).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select, update

from app.audit.service import record
from app.kit import clock
from app.kit.errors import Conflict, NotFound, invalid
from app.kit.markdown import render_markdown
from app.models import Dialogue, Nota, Question, QuestionStatus, User, id_of, is_valid_id
from app.policy import Action, Principal, authorize
from app.questions.asking import ENTITY, MAX_TEXT, QuestionView, views_of

MAX_ANSWER = 20_000
STATUS_LABELS: dict[str, str] = {
    QuestionStatus.open: "open",
    QuestionStatus.merged: "samengevoegd",
    QuestionStatus.answered: "beantwoord",
}


def question_for_review(db: Session, principal: Principal, question_id: int) -> Question:
    """A question for its review page (reviewers only); 404 for an unknown one."""
    question = db.get(Question, question_id) if is_valid_id(question_id) else None
    if question is None:
        raise NotFound("Deze vraag bestaat niet.", user_message=True)
    authorize(principal.in_dialogue(question.dialogue_id), Action.view_prepared)
    return question


def review_list(db: Session, principal: Principal, dialogue: Dialogue, status: str | None = None) -> list[QuestionView]:
    """Every question of a trajectory (of one status), oldest first, with askers and authors: a fixed number of
    queries, whatever the number of questions."""
    authorize(principal.in_dialogue(dialogue.id), Action.view_prepared)
    stmt = select(Question).where(Question.dialogue_id == dialogue.id)
    if status in set(QuestionStatus):
        stmt = stmt.where(Question.status == status)
    rows = db.exec(stmt.order_by(col(Question.created_at), col(Question.id))).all()
    return views_of(db, principal, list(rows))


def _not_released(db: Session, question: Question) -> None:
    if question.nota_id is not None:
        nota = db.get(Nota, question.nota_id)
        if nota is not None and nota.released_at is not None:
            raise Conflict(
                f"Deze vraag staat in de vrijgegeven nota {nota.number} en verandert niet meer. "
                "Een correctie komt in een volgende nota.",
                user_message=True,
            )


@dataclass(frozen=True)
class Draft:
    text: str
    answer: str


def save_draft(db: Session, principal: Principal, question: Question, data: Draft, *, actor: User) -> Question:
    """The neutral wording and the answer as a reviewer drafted them; a drafted answer makes the question
    answered (it goes out with the nota it is put in)."""
    authorize(principal.in_dialogue(question.dialogue_id), Action.draft)
    _not_released(db, question)
    text = (data.text or "").strip()
    answer = (data.answer or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "De vraag kan niet leeg zijn."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"Houd de vraag onder {MAX_TEXT} tekens."
    if len(answer) > MAX_ANSWER:
        errors["answer"] = f"Houd het antwoord onder {MAX_ANSWER} tekens."
    if not answer and question.nota_id is not None:
        errors["answer"] = "Deze vraag staat in een nota: haal haar daar eerst uit, of schrijf een antwoord."
    if question.status == QuestionStatus.merged and answer:
        errors["answer"] = "Deze vraag is samengevoegd: de andere vraag beantwoordt haar."
    if errors:
        raise invalid(errors)
    before = {"text": question.text, "answer": question.answer, "status": question.status}
    if text != question.text:
        question.text = text
        question.text_edited_by_id = id_of(actor)
    if answer != question.answer:
        question.answer = answer
        question.answer_html = render_markdown(answer)
        question.answer_by_id = id_of(actor)
    if question.status != QuestionStatus.merged:
        question.status = QuestionStatus.answered if answer else QuestionStatus.open
    after = {"text": question.text, "answer": question.answer, "status": question.status}
    if after == before:
        return question
    question.updated_at = clock.now()
    db.add(question)
    db.flush()
    record(
        db,
        action="question.drafted",
        entity_type=ENTITY,
        entity_id=question.id,
        actor=actor,
        summary=f"Formulering of antwoord van vraag {question.id} bijgewerkt",
        before=before,
        after=after,
    )
    return question


def merge(db: Session, principal: Principal, question: Question, into_id: int | None, *, actor: User) -> Question:
    """Mark ``question`` a duplicate of another question of the trajectory: that one answers both (its askers
    are told too when it is released). Questions merged into ``question`` move along."""
    authorize(principal.in_dialogue(question.dialogue_id), Action.manage)
    _not_released(db, question)
    target = db.get(Question, into_id) if into_id is not None and is_valid_id(into_id) else None
    if target is None or target.dialogue_id != question.dialogue_id or target.id == question.id:
        raise invalid({"merged_into_id": "Kies een andere vraag van dit traject."})
    if target.status == QuestionStatus.merged:
        raise invalid({"merged_into_id": "Die vraag is zelf samengevoegd; kies de vraag die haar beantwoordt."})
    if question.nota_id is not None:
        raise invalid({"merged_into_id": "Deze vraag staat in een nota: haal haar daar eerst uit."})
    before = {"status": question.status, "merged_into_id": question.merged_into_id}
    question.status = QuestionStatus.merged
    question.merged_into_id = id_of(target)
    question.updated_at = clock.now()
    db.add(question)
    db.exec(update(Question).where(col(Question.merged_into_id) == question.id).values(merged_into_id=id_of(target)))
    db.flush()
    record(
        db,
        action="question.merged",
        entity_type=ENTITY,
        entity_id=question.id,
        actor=actor,
        summary=f"Vraag {question.id} samengevoegd met vraag {target.id}",
        before=before,
        after={"status": question.status, "merged_into_id": target.id},
    )
    return question


def unmerge(db: Session, principal: Principal, question: Question, *, actor: User) -> Question:
    """Undo a merge: the question is open again."""
    authorize(principal.in_dialogue(question.dialogue_id), Action.manage)
    _not_released(db, question)
    if question.status != QuestionStatus.merged:
        return question
    before = {"status": question.status, "merged_into_id": question.merged_into_id}
    question.status = QuestionStatus.answered if question.answer else QuestionStatus.open
    question.merged_into_id = None
    question.updated_at = clock.now()
    db.add(question)
    db.flush()
    record(
        db,
        action="question.unmerged",
        entity_type=ENTITY,
        entity_id=question.id,
        actor=actor,
        summary=f"Samenvoeging van vraag {question.id} ongedaan gemaakt",
        before=before,
        after={"status": question.status, "merged_into_id": None},
    )
    return question


def merge_choices(db: Session, question: Question) -> list[Question]:
    """The questions of the trajectory ``question`` may be merged into."""
    return list(
        db.exec(
            select(Question)
            .where(
                Question.dialogue_id == question.dialogue_id,
                Question.id != question.id,
                Question.status != QuestionStatus.merged,
            )
            .order_by(col(Question.id))
        ).all()
    )


def merged_into(db: Session, question: Question) -> list[Question]:
    """The duplicates this question answers."""
    return list(
        db.exec(select(Question).where(Question.merged_into_id == question.id).order_by(col(Question.id))).all()
    )
