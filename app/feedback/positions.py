"""Positions (municipal reviewers): a comment marked relevant for one's municipality, with a stance."""

from __future__ import annotations

from sqlmodel import Session, select

from app.audit.service import record
from app.feedback import feed
from app.feedback.notes import MAX_NOTE
from app.feedback.triage import feedback_comment
from app.kit import clock
from app.kit.errors import Forbidden, invalid
from app.kit.i18n import gettext as _
from app.models import Position, Stance
from app.policy import Action, Principal, authorize


def set_position(
    session: Session, principal: Principal, comment_id: int, stance: str, note: str, *, ip: str | None = None
) -> Position | None:
    """Mark a comment as relevant for the reviewer's municipality with its stance, or (empty stance) unmark it."""
    authorize(principal, Action.take_position)
    user = principal.user
    assert user is not None
    if user.municipality_id is None:
        raise Forbidden("Only a municipality's reviewers take its position.")
    comment = feedback_comment(session, comment_id)
    note = (note or "").replace("\r\n", "\n").strip()
    existing = session.exec(
        select(Position).where(Position.comment_id == comment.id, Position.municipality_id == user.municipality_id)
    ).first()
    before = {"stance": existing.stance, "note": existing.note} if existing else None
    if not stance:
        if existing is not None:
            session.delete(existing)
            feed.reviewed(comment, clock.now())
            session.add(comment)
            record(
                session,
                action="comment.position_removed",
                entity_type="position",
                entity_id=existing.id,
                actor=user,
                before=before,
                ip=ip,
            )
        return None
    errors = _errors(stance, note)
    if errors:
        raise invalid(errors)
    now = clock.now()
    position = existing or Position(
        comment_id=comment.id or 0,
        municipality_id=user.municipality_id,
        author_id=user.id or 0,
        stance=stance,
        created_at=now,
    )
    position.stance, position.note, position.author_id, position.updated_at = stance, note, user.id or 0, now
    session.add(position)
    feed.reviewed(comment, now)
    session.add(comment)
    session.flush()
    record(
        session,
        action="comment.position_set",
        entity_type="position",
        entity_id=position.id,
        actor=user,
        summary=f"Standpunt bij reactie {comment.id}",
        before=before,
        after={"comment_id": comment.id, "stance": stance, "note": note},
        ip=ip,
    )
    return position


def _errors(stance: str, note: str) -> dict[str, str]:
    errors = {}
    if stance not in Stance.__members__:
        errors["stance"] = _("Kies eens, oneens, neutraal of toelichting.")
    if len(note) > MAX_NOTE:
        errors["position_note"] = _("De toelichting is te lang: maximaal %(n)s tekens.", n=MAX_NOTE)
    if stance == Stance.toelichting and not note:
        errors["position_note"] = _("Schrijf de toelichting.")
    return errors
