"""Changing one's own comment: editing (the text before is kept as a revision), withdrawing, and reading
the earlier texts."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.audit.service import record
from app.events import service as events
from app.feedback import feed
from app.feedback.context import CommentContext, ensure_open, snapshot
from app.feedback.writing import CommentInput, suggestion_diff, validate
from app.kit import clock
from app.kit.errors import Conflict, NotFound
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.models import Comment, CommentRevision, User
from app.policy import Action, Principal, authorize, can


def _own_open(session: Session, principal: Principal, comment: Comment, context: CommentContext) -> User:
    principal = principal.in_dialogue(context.proposal.dialogue_id)  # taking part in the comment's trajectory
    authorize(principal, Action.edit_own_comment, author_id=comment.author_id)
    if comment.deleted_at is not None:
        raise Conflict(_("Deze reactie is ingetrokken en kan niet meer worden gewijzigd."), user_message=True)
    ensure_open(session, context)
    assert principal.user is not None
    return principal.user


def edit_comment(
    session: Session,
    principal: Principal,
    comment: Comment,
    context: CommentContext,
    data: CommentInput,
    *,
    ip: str | None = None,
) -> Comment:
    """Change one's own comment while the window is open; the text before is kept as a revision."""
    user = _own_open(session, principal, comment, context)
    clean = validate(data, reply=comment.parent_id is not None)
    if (clean.kind, clean.body, clean.quote, clean.suggested_text) == (
        comment.kind,
        comment.body,
        comment.quote,
        comment.suggested_text,
    ):
        return comment
    before = snapshot(comment)
    session.add(
        CommentRevision(
            comment_id=comment.id or 0,
            kind=comment.kind,
            body=comment.body,
            quote=comment.quote,
            suggested_text=comment.suggested_text,
            edited_by_id=user.id or 0,
            created_at=clock.now(),
        )
    )
    comment.kind = clean.kind if comment.parent_id is None or clean.kind else comment.kind
    comment.body = clean.body
    comment.body_html = render_markdown(clean.body, heading_offset=3)
    comment.quote = clean.quote
    comment.suggested_text = clean.suggested_text
    comment.suggestion_diff = suggestion_diff(context.section, clean.quote, clean.suggested_text)
    comment.edited_at = clock.now()
    feed.changed(comment, comment.edited_at)
    session.add(comment)
    record(
        session,
        action="comment.edited",
        entity_type="comment",
        entity_id=comment.id,
        actor=user,
        before=before,
        after=snapshot(comment),
        ip=ip,
    )
    events.comment_event(session, events.COMMENT_EDITED, comment, dialogue_id=context.proposal.dialogue_id)  # issue 20
    return comment


def withdraw_comment(
    session: Session, principal: Principal, comment: Comment, context: CommentContext, *, ip: str | None = None
) -> Comment:
    """Withdraw one's own comment: the text is kept for the record, the thread shows a marker."""
    user = _own_open(session, principal, comment, context)
    before = snapshot(comment)
    comment.deleted_at = clock.now()
    feed.changed(comment, comment.deleted_at)
    session.add(comment)
    record(
        session,
        action="comment.withdrawn",
        entity_type="comment",
        entity_id=comment.id,
        actor=user,
        before=before,
        after=snapshot(comment),
        ip=ip,
    )
    events.comment_event(session, events.COMMENT_WITHDRAWN, comment, dialogue_id=context.proposal.dialogue_id)  # i20
    return comment


def comment_history(session: Session, principal: Principal, comment: Comment) -> list[CommentRevision]:
    """The earlier texts of a comment. Once withdrawn, only its author and admins may still read them."""
    withdrawn_for_others = comment.deleted_at is not None and not (
        can(principal, Action.read_withdrawn_comments)
        or (principal.user is not None and principal.user.id == comment.author_id)
    )
    if withdrawn_for_others:
        raise NotFound(_("Deze reactie is ingetrokken."), user_message=True)
    return revisions(session, comment)


def revisions(session: Session, comment: Comment) -> list[CommentRevision]:
    return list(
        session.exec(
            select(CommentRevision).where(CommentRevision.comment_id == comment.id).order_by(col(CommentRevision.id))
        ).all()
    )
