"""Questions to the providers: which providers answered each question of a version."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Comment, ProposalVersion, Provider, Section, SectionKind, Visibility


@dataclass
class QuestionAnswers:
    section: Section
    answered: list[Provider]
    not_answered: list[Provider]


def question_answers(session: Session, version: ProposalVersion, providers: list[Provider]) -> list[QuestionAnswers]:
    """Per question section of ``version``: which of ``providers`` answered (a comment of their own, not
    withdrawn) and which did not."""
    questions = list(
        session.exec(
            select(Section)
            .where(Section.version_id == version.id, Section.kind == SectionKind.question)
            .order_by(col(Section.version_id), col(Section.position), col(Section.id))
        ).all()
    )
    answered = _answered(session, [q.id or 0 for q in questions])
    return [
        QuestionAnswers(
            section=q,
            answered=[p for p in providers if p.id in answered[q.id or 0]],
            not_answered=[p for p in providers if p.id not in answered[q.id or 0]],
        )
        for q in questions
    ]


def _answered(session: Session, question_ids: list[int]) -> dict[int, set[int]]:
    """Per question: the providers with a comment of their own on it, not withdrawn."""
    answered: dict[int, set[int]] = defaultdict(set)
    if not question_ids:
        return answered
    for section_id, provider_id in session.exec(
        select(Comment.section_id, Comment.provider_id)
        .where(
            col(Comment.section_id).in_(question_ids),
            col(Comment.provider_id).is_not(None),
            col(Comment.deleted_at).is_(None),
            Comment.visibility == Visibility.participants,
        )
        .distinct()
    ).all():
        answered[section_id].add(provider_id or 0)
    return answered
