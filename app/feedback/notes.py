"""Internal notes (reviewers): what municipalities and SDFL write to each other about a comment."""

from __future__ import annotations

from sqlmodel import Session

from app import ratelimit
from app.audit.service import record
from app.feedback import feed
from app.feedback.triage import feedback_comment
from app.kit import clock
from app.kit.errors import invalid
from app.kit.i18n import gettext as _
from app.models import InternalNote
from app.policy import Action, Principal, authorize

MAX_NOTE = 5_000


def add_note(
    session: Session, principal: Principal, comment_id: int, body: str, *, ip: str | None = None
) -> InternalNote:
    authorize(principal, Action.write_internal_notes)
    assert principal.user is not None
    comment = feedback_comment(session, comment_id)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise invalid({"note": _("Schrijf de notitie.")})
    if len(body) > MAX_NOTE:
        raise invalid({"note": _("De notitie is te lang: maximaal %(n)s tekens.", n=MAX_NOTE)})
    ratelimit.check_write(session, principal, field="note")
    note = InternalNote(comment_id=comment.id or 0, author_id=principal.user.id or 0, body=body, created_at=clock.now())
    session.add(note)
    feed.reviewed(comment, note.created_at)
    session.add(comment)
    session.flush()
    record(
        session,
        action="comment.note_added",
        entity_type="internal_note",
        entity_id=note.id,
        actor=principal.user,
        summary=f"Interne notitie bij reactie {comment.id}",
        after={"comment_id": comment.id, "body": body},
        ip=ip,
    )
    return note
