"""Triage (admins): SDFL's working decision on a comment and its drafted official reply, one by one or in bulk.

A decision set here is SDFL's working decision: reviewers see it at once, providers once it is released
(app/feedback/release.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.audit.service import record
from app.feedback import feed
from app.kit import clock
from app.kit.errors import NotFound, invalid
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.models import MAX_ID, Comment, CommentStatus, Visibility
from app.policy import Action, Principal, authorize

MAX_REPLY = 10_000
MAX_BULK = 500
# Statuses a comment can have after triage; "niet overgenomen" needs an official reply.
NEEDS_REPLY = CommentStatus.niet_overgenomen


def feedback_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id) if 0 < comment_id <= MAX_ID else None
    if (
        comment is None
        or comment.parent_id is not None
        or comment.official
        or comment.visibility != Visibility.participants
        or comment.deleted_at is not None
    ):
        raise NotFound("No such comment.")
    return comment


def _replied(session: Session, comment_ids: list[int]) -> set[int]:
    """Which of ``comment_ids`` have an official reply (drafted or released)."""
    return {
        parent_id or 0
        for parent_id in session.exec(
            select(Comment.parent_id).where(
                col(Comment.parent_id).in_(comment_ids),
                col(Comment.official).is_(True),
                col(Comment.deleted_at).is_(None),
            )
        ).all()
    }


def selection(session: Session, comment_ids: list[int]) -> list[Comment]:
    """The feedback an admin selected (each once); 422 for none or too many, 404 for one that is not feedback."""
    if not comment_ids:
        raise invalid({"ids": _("Selecteer eerst een of meer reacties.")})
    if len(comment_ids) > MAX_BULK:
        raise invalid({"ids": _("Selecteer maximaal %(n)s reacties tegelijk.", n=MAX_BULK)})
    return [feedback_comment(session, cid) for cid in dict.fromkeys(comment_ids)]


def apply_status(session: Session, comment: Comment, status: str, now: datetime) -> bool:
    """Set the working status; a decision released earlier becomes what providers see until the next release.
    Returns whether anything changed."""
    if comment.status == status:
        return False
    if comment.status_release_at is not None and comment.status_release_at <= now:
        feed.fold(comment, comment.status_release_at, now)  # what providers saw then stays in their updated_at
        comment.published_status = comment.status
        comment.status_release_at = None
    comment.status = status
    feed.reviewed(comment, now)
    session.add(comment)
    return True


def check_status(status: str) -> None:
    if status not in CommentStatus.__members__:
        raise invalid({"status": _("Kies een beoordeling uit de lijst.")})


def draft_reply(session: Session, comment: Comment) -> Comment | None:
    """The official reply to ``comment`` that is not released yet, if any."""
    return session.exec(
        select(Comment)
        .where(
            Comment.parent_id == comment.id,
            col(Comment.official).is_(True),
            col(Comment.deleted_at).is_(None),
            or_(col(Comment.release_at).is_(None), col(Comment.release_at) > clock.now()),
        )
        .order_by(col(Comment.id).desc())
    ).first()


def triage(
    session: Session,
    principal: Principal,
    comment_id: int,
    *,
    status: str | None,
    reply: str | None,
    ip: str | None = None,
) -> Comment:
    """Set a comment's status and/or write (or rewrite) its drafted official reply. "Niet overgenomen" needs an
    official reply: one written before, or the one sent along."""
    authorize(principal, Action.triage)
    assert principal.user is not None
    comment = feedback_comment(session, comment_id)
    now = clock.now()
    text_ = (reply or "").replace("\r\n", "\n").strip()
    if len(text_) > MAX_REPLY:
        raise invalid({"reply": _("Het antwoord is te lang: maximaal %(n)s tekens.", n=MAX_REPLY)})
    if status is not None:
        check_status(status)
        if status == NEEDS_REPLY and not text_ and comment.id not in _replied(session, [comment.id or 0]):
            raise invalid({"reply": _("Bij ‘niet overgenomen’ hoort een officieel antwoord: schrijf het hier.")})
    before = {"status": comment.status}
    if text_:
        _write_draft(session, principal, comment, text_, now, ip=ip)
    if status is not None and apply_status(session, comment, status, now):
        record(
            session,
            action="comment.status_set",
            entity_type="comment",
            entity_id=comment.id,
            actor=principal.user,
            before=before,
            after={"status": status},
            ip=ip,
        )
    return comment


def _write_draft(
    session: Session, principal: Principal, comment: Comment, text_: str, now: datetime, *, ip: str | None
) -> None:
    """Write the drafted official reply to ``comment``, or rewrite the draft there is (audited when it changes)."""
    assert principal.user is not None
    draft = draft_reply(session, comment)
    if draft is None:
        draft = Comment(
            section_id=comment.section_id,
            author_id=principal.user.id or 0,
            parent_id=comment.id,
            official=True,
            body=text_,
            body_html=render_markdown(text_, heading_offset=3),
            created_at=now,
        )
        feed.changed(draft, now)
        session.add(draft)
        session.flush()
        action = "comment.official_reply_drafted"
    elif draft.body != text_:
        draft.body = text_
        draft.body_html = render_markdown(text_, heading_offset=3)
        draft.edited_at = now
        feed.changed(draft, now)
        session.add(draft)
        action = "comment.official_reply_edited"
    else:
        return
    feed.reply_drafted(comment, now)
    session.add(comment)
    record(
        session,
        action=action,
        entity_type="comment",
        entity_id=draft.id,
        actor=principal.user,
        summary=f"Officieel antwoord op reactie {comment.id}",
        after={"body": text_, "parent_id": comment.id},
        ip=ip,
    )


def bulk_status(
    session: Session, principal: Principal, comment_ids: list[int], status: str, *, ip: str | None = None
) -> int:
    """Give every selected comment ``status``; all or nothing. Returns how many changed."""
    authorize(principal, Action.triage)
    assert principal.user is not None
    comments = selection(session, comment_ids)
    check_status(status)
    if status == NEEDS_REPLY:
        replied = _replied(session, [c.id or 0 for c in comments])
        missing = [c.id for c in comments if c.id not in replied]
        if missing:
            raise invalid(
                {
                    "status": _(
                        "‘Niet overgenomen’ vraagt een officieel antwoord; dat ontbreekt nog bij reactie %(ids)s.",
                        ids=", ".join(f"#{m}" for m in missing),
                    )
                }
            )
    now = clock.now()
    changed = 0
    for comment in comments:
        before = comment.status
        if apply_status(session, comment, status, now):
            changed += 1
            record(
                session,
                action="comment.status_set",
                entity_type="comment",
                entity_id=comment.id,
                actor=principal.user,
                summary="in bulk",
                before={"status": before},
                after={"status": status},
                ip=ip,
            )
    return changed
