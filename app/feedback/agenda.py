"""Feedback on a meeting's agenda: the comments an agenda item came from."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from app.feedback.visibility import organisation
from app.models import AgendaItemComment, Comment, Municipality, Provider, Section, User


def agenda_feedback(session: Session, item_ids: list[int]) -> dict[int, list[tuple[Comment, str, str]]]:
    """Per agenda item: the comments it came from (comment, organisation, section heading)."""
    out: dict[int, list[tuple[Comment, str, str]]] = defaultdict(list)
    if not item_ids:
        return out
    for item_id, comment, role, provider, municipality, heading in session.exec(
        select(  # type: ignore[call-overload]
            AgendaItemComment.agenda_item_id, Comment, User.role, Provider.name, Municipality.name, Section.heading
        )
        .join(Comment, col(Comment.id) == AgendaItemComment.comment_id)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(User, col(User.id) == Comment.author_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .where(col(AgendaItemComment.agenda_item_id).in_(item_ids))
        .order_by(col(Comment.id))
    ).all():
        out[item_id].append((comment, organisation(role, provider, municipality), heading))
    return out
