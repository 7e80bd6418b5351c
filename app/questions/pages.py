"""What the questions pages show, each in one call: the participants' questions page, a nota's page, SDFL's
question list and pages, and the review export of questions and answers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.dialogues.service import current_dialogue, get_trajectory
from app.kit import clock
from app.kit.i18n import local_iso
from app.models import Dialogue, Nota, Question, User, id_of
from app.policy import Action, Principal, authorize, can
from app.questions import asking, drafting, notas


@dataclass
class QuestionsPage:
    dialogue: Dialogue
    may_ask: bool
    reviewer: bool
    subjects: asking.Subjects
    deadline: asking.Deadline | None
    mine: list[asking.QuestionView]
    released: list[notas.NotaWithItems]


def questions_page(db: Session, principal: Principal, slug: str) -> QuestionsPage:
    """The asking form, the reader's own questions and every released nota of the trajectory."""
    dialogue = asking.trajectory(db, principal, slug)
    focused = principal.in_dialogue(dialogue.id)
    user = principal.user
    now = clock.now()
    return QuestionsPage(
        dialogue=dialogue,
        may_ask=can(focused, Action.ask_question, provider_id=user.provider_id if user else None),
        reviewer=asking.is_reviewer(principal, dialogue.id),
        subjects=asking.subjects(db, id_of(dialogue), now),
        deadline=asking.deadline_for(db, id_of(dialogue), None, now),
        mine=asking.own_questions(db, principal, id_of(dialogue)),
        released=notas.released_notas(db, id_of(dialogue), now),
    )


@dataclass
class NotaPage:
    dialogue: Dialogue
    nota: notas.NotaWithItems
    released: bool


def nota_page(db: Session, principal: Principal, slug: str, number: int) -> NotaPage:
    """A nota for participants (404 before its release for everyone but the reviewers)."""
    dialogue = get_trajectory(db, principal, slug)
    nota = notas.nota_by_number(db, principal, dialogue, number)
    return NotaPage(dialogue, notas.with_items(db, [nota])[0], notas.is_released(nota))


def nota_pdf(db: Session, principal: Principal, slug: str, number: int) -> tuple[bytes, Nota]:
    page = nota_page(db, principal, slug, number)
    return notas.nota_pdf(page.dialogue, page.nota.nota, page.nota.items, page.nota.corrects), page.nota.nota


# --- SDFL's pages ---------------------------------------------------------------------------------------------


def review_dialogue(db: Session, principal: Principal, slug: str) -> Dialogue:
    """The trajectory of SDFL's pages (``?dialogue=``; empty: the current one); reviewers only."""
    authorize(principal, Action.view_prepared)
    dialogue = get_trajectory(db, principal, slug) if slug else current_dialogue(db)[0]
    authorize(principal.in_dialogue(dialogue.id), Action.view_prepared)
    return dialogue


@dataclass
class ReviewList:
    dialogue: Dialogue
    questions: list[asking.QuestionView]
    notas: list[Nota]
    status: str
    counts: dict[str, int] = field(default_factory=dict)


def review_list(db: Session, principal: Principal, slug: str, status: str) -> ReviewList:
    dialogue = review_dialogue(db, principal, slug)
    questions = drafting.review_list(db, principal, dialogue, status or None)
    return ReviewList(
        dialogue=dialogue,
        questions=questions,
        notas=notas.admin_notas(db, principal, dialogue),
        status=status if status in {"open", "merged", "answered"} else "",
    )


@dataclass
class ReviewQuestion:
    view: asking.QuestionView
    dialogue: Dialogue
    duplicates: list[Question]
    merge_choices: list[Question]


def review_question(db: Session, principal: Principal, question_id: int) -> ReviewQuestion:
    question = drafting.question_for_review(db, principal, question_id)
    dialogue = db.get(Dialogue, question.dialogue_id)
    assert dialogue is not None
    return ReviewQuestion(
        view=asking.views_of(db, principal, [question])[0],
        dialogue=dialogue,
        duplicates=drafting.merged_into(db, question),
        merge_choices=drafting.merge_choices(db, question),
    )


@dataclass
class NotaAdmin:
    nota: Nota
    dialogue: Dialogue
    items: list[notas.NotaItem]
    candidates: list[Question]
    correctable: list[Nota]
    check: notas.CheckPage
    blocked_reason: str
    created_by: User | None


def nota_admin(db: Session, principal: Principal, nota_id: int) -> NotaAdmin:
    nota = notas.nota_for_review(db, principal, nota_id)
    check = notas.check_page(db, principal, nota)
    return NotaAdmin(
        nota=nota,
        dialogue=check.dialogue,
        items=check.items,
        candidates=notas.candidates(db, nota.dialogue_id, nota),
        correctable=[n for n in notas.correctable(db, nota.dialogue_id) if n.id != nota.id],
        check=check,
        blocked_reason=nota.blocked_reason if nota.status == "blocked" else "",
        created_by=db.get(User, nota.created_by_id) if nota.created_by_id else None,
    )


@dataclass
class NewNota:
    dialogue: Dialogue
    candidates: list[Question]
    correctable: list[Nota]


def new_nota(db: Session, principal: Principal, slug: str) -> NewNota:
    dialogue = review_dialogue(db, principal, slug)
    authorize(principal.in_dialogue(dialogue.id), Action.manage)
    return NewNota(dialogue, notas.candidates(db, id_of(dialogue)), notas.correctable(db, id_of(dialogue)))


# --- the review export ----------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "id",
    "traject",
    "status",
    "gesteld_op",
    "vraagsteller",
    "aanbieder",
    "oorspronkelijke_vraag",
    "gepubliceerde_vraag",
    "antwoord",
    "samengevoegd_met",
    "nota",
    "nummer_in_nota",
    "nota_vrijgegeven",
]


def _safe_cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: keep such text as text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def questions_csv(db: Session, principal: Principal, slug: str) -> bytes:
    """Every question of a trajectory (or of all, without ``slug``) with its answer, for reviewers; UTF-8 with BOM."""
    authorize(principal, Action.view_prepared)
    stmt = select(Question)
    if slug:
        stmt = stmt.where(Question.dialogue_id == review_dialogue(db, principal, slug).id)
    rows = db.exec(stmt.order_by(col(Question.dialogue_id), col(Question.created_at), col(Question.id))).all()
    views = asking.views_of(db, principal, list(rows))
    titles = dict(db.exec(select(Dialogue.id, Dialogue.title)).all())
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for v in views:
        q = v.question
        writer.writerow(
            _safe_cell(str(value))
            for value in [
                q.id,
                titles.get(q.dialogue_id, ""),
                q.status,
                local_iso(q.created_at),
                (v.asker.name or v.asker.email) if v.asker else "",
                v.provider.name if v.provider else "",
                q.original_text,
                q.text,
                q.answer,
                q.merged_into_id or "",
                v.nota.number if v.nota else "",
                q.number or "",
                local_iso(v.nota.released_at) if v.nota and v.nota.released_at else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()
