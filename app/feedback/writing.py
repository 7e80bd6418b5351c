"""Writing comments and replies: validation, the once-only (idempotent) create, and where a reply goes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import ratelimit
from app.audit.service import record
from app.events import service as events
from app.feedback import feed
from app.feedback.context import (
    CommentContext,
    ensure_open,
    get_comment,
    is_visible,
    section_context,
    snapshot,
    visible_to,
)
from app.kit import clock
from app.kit.diff import markdown_diff
from app.kit.errors import Conflict, ValidationFailed, invalid
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.models import MAX_ID, Comment, CommentKind, Section
from app.policy import Action, Principal, authorize

MAX_BODY = 10_000
MAX_QUOTE = 2_000


@dataclass(frozen=True)
class CommentInput:
    body: str = ""
    kind: str | None = None
    quote: str | None = None
    suggested_text: str | None = None
    parent_id: int | None = None


def suggestion_diff(section: Section, quote: str | None, suggested_text: str | None) -> str:
    """The suggestion as a word diff against the quoted passage (or else the whole section), made once when the
    comment is written: the section never changes once published. Plain text, no Markdown syntax."""
    return markdown_diff(quote or section.body, suggested_text) if suggested_text else ""


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def validate(data: CommentInput, *, reply: bool) -> CommentInput:
    """``data`` cleaned (line ends, blanks), or 422 with a message per field."""
    body, quote, suggestion = _clean(data.body), _clean(data.quote), _clean(data.suggested_text)
    kind = (data.kind or "").strip() or None
    errors = {**_kind_errors(kind, reply), **_text_errors(body, quote, suggestion, kind)}
    if errors:
        raise invalid(errors)
    return CommentInput(
        body=body, kind=kind, quote=quote or None, suggested_text=suggestion or None, parent_id=data.parent_id
    )


def _kind_errors(kind: str | None, reply: bool) -> dict[str, str]:
    if kind is not None and kind not in CommentKind.__members__:
        return {"kind": _("Kies steun, zorg, vraag of suggestie.")}
    if kind is None and not reply:
        return {"kind": _("Kies wat voor reactie het is: steun, zorg, vraag of suggestie.")}
    return {}


def _text_errors(body: str, quote: str, suggestion: str, kind: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Schrijf uw reactie.")
    elif len(body) > MAX_BODY:
        errors["body"] = _("Uw reactie is te lang: maximaal %(n)s tekens.", n=MAX_BODY)
    if len(quote) > MAX_QUOTE:
        errors["quote"] = _("Het citaat is te lang: maximaal %(n)s tekens.", n=MAX_QUOTE)
    if suggestion and kind != CommentKind.suggestie:
        errors["suggested_text"] = _("Een vervangende tekst hoort bij een suggestie: kies de soort suggestie.")
    elif len(suggestion) > MAX_BODY:
        errors["suggested_text"] = _("De vervangende tekst is te lang: maximaal %(n)s tekens.", n=MAX_BODY)
    return errors


def create_comment(
    session: Session,
    principal: Principal,
    section_id: int,
    data: CommentInput,
    *,
    idempotency_key: str | None = None,
    ip: str | None = None,
    context: CommentContext | None = None,
) -> tuple[Comment, bool]:
    """Add a comment or a reply; returns it and whether it is new (an idempotency key seen before returns
    the comment it created then). ``context``: section ``section_id`` with its version and proposal, when the
    caller has read them already."""
    if context is None or context.section.id != section_id:
        context = section_context(session, section_id)
    principal = principal.in_dialogue(context.proposal.dialogue_id)  # takes part in the section's trajectory
    # A provider's user comments as its own provider: the comment takes the writer's provider (below), so
    # there is no other provider to check the permission against.
    authorize(principal, Action.comment)
    visible_to(principal, context)
    user = principal.user
    assert user is not None
    scoped_key = f"{user.id}:{idempotency_key}" if idempotency_key else None
    fingerprint = _request_fingerprint(section_id, data) if scoped_key else None
    earlier = _made_with(session, scoped_key, fingerprint)
    if earlier is not None:
        return earlier, False
    ensure_open(session, context)
    parent = _thread_root(session, principal, section_id, data.parent_id)
    clean = validate(data, reply=parent is not None)
    ratelimit.check_write(session, principal, field="body")
    comment = Comment(
        section_id=section_id,
        author_id=user.id or 0,
        provider_id=principal.provider_id,  # only a provider's users belong to a provider
        parent_id=parent.id if parent else None,
        kind=clean.kind,
        body=clean.body,
        body_html=render_markdown(clean.body, heading_offset=3),
        quote=clean.quote,
        suggested_text=clean.suggested_text,
        suggestion_diff=suggestion_diff(context.section, clean.quote, clean.suggested_text),
        idempotency_key=scoped_key,
        idempotency_fingerprint=fingerprint,
        created_at=clock.now(),
    )
    feed.changed(comment, comment.created_at)
    stored = _store(session, comment, scoped_key, fingerprint)
    if stored is not comment:
        return stored, False
    record(
        session,
        action="comment.replied" if parent else "comment.created",
        entity_type="comment",
        entity_id=comment.id,
        actor=user,
        summary=f"{context.proposal.title} v{context.version.number} · {context.section.heading}",
        after=snapshot(comment),
        ip=ip,
    )
    events.comment_event(session, events.COMMENT_CREATED, comment, dialogue_id=context.proposal.dialogue_id)  # issue 20
    return comment, True


def _thread_root(session: Session, principal: Principal, section_id: int, parent_id: int | None) -> Comment | None:
    """The top-level comment a reply to ``parent_id`` goes under (a reply to a reply joins the same thread);
    None for a new comment; 422 when it is not there (for the reader) or withdrawn."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id) if 0 < parent_id <= MAX_ID else None
    if parent is None or parent.section_id != section_id or not is_visible(session, principal, parent.id):
        raise invalid({"parent_id": _("De reactie waarop u wilt reageren bestaat niet (meer) bij dit onderdeel.")})
    if parent.parent_id is not None:
        parent = session.get(Comment, parent.parent_id)
    if parent is None or parent.deleted_at is not None:
        raise invalid({"parent_id": _("Op een ingetrokken reactie kan niet meer worden gereageerd.")})
    return parent


def _store(session: Session, comment: Comment, scoped_key: str | None, fingerprint: str | None) -> Comment:
    """Add ``comment``; for a concurrent retry with the same key, the comment that one made."""
    try:
        with session.begin_nested():
            session.add(comment)
    except IntegrityError:
        earlier = _made_with(session, scoped_key, fingerprint) if scoped_key else None
        if earlier is None:
            raise
        return earlier
    return comment


def _made_with(session: Session, scoped_key: str | None, fingerprint: str | None) -> Comment | None:
    """The comment an earlier request with this Idempotency-Key made, if any."""
    if not scoped_key:
        return None
    existing = session.exec(select(Comment).where(Comment.idempotency_key == scoped_key)).first()
    return _same_request(existing, fingerprint) if existing is not None else None


def _request_fingerprint(section_id: int, data: CommentInput) -> str:
    """What a comment request asked for, to bind an Idempotency-Key to it."""
    asked = [section_id, data.parent_id, data.kind, data.body, data.quote, data.suggested_text]
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()


def _same_request(existing: Comment, fingerprint: str | None) -> Comment:
    """The comment an Idempotency-Key made, if this is a retry of that request; a key reused for another
    request is refused (422) rather than answered with a comment it did not ask for."""
    if existing.idempotency_fingerprint is not None and existing.idempotency_fingerprint != fingerprint:
        message = _("Dit formulier is al verstuurd met een andere inhoud. Laad de pagina opnieuw.")
        raise ValidationFailed(
            "This Idempotency-Key was already used for a different request; use a new key for a new comment.",
            errors=[{"field": "Idempotency-Key", "message": message}],
        )
    return existing


def reply_target(session: Session, principal: Principal, comment_id: int) -> tuple[Comment, CommentContext]:
    """The thread a reply to ``comment_id`` goes into (a reply to a reply joins its thread), when
    ``principal`` may reply there now: 404 when they cannot see it, 401/403 when they may not comment,
    409 when the thread's comment is withdrawn or the window is not open (``create_comment`` checks again)."""
    comment, context = get_comment(session, principal, comment_id)
    principal = principal.in_dialogue(context.proposal.dialogue_id)
    authorize(principal, Action.comment)  # as in create_comment: a provider's user replies as its provider
    root = session.get(Comment, comment.parent_id) if comment.parent_id is not None else comment
    if root is None or root.deleted_at is not None:
        raise Conflict(_("Op een ingetrokken reactie kan niet meer worden gereageerd."), user_message=True)
    ensure_open(session, context)
    return root, context
