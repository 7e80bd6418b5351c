"""The comment routes of the proposal pages, one call each: write, edit or withdraw a comment and get back
what the browser shows next (the changed thread for htmx, the thread's page for a plain browser)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.feedback.context import CommentContext, ensure_open, get_comment
from app.feedback.editing import comment_history, edit_comment, withdraw_comment
from app.feedback.threads import NEWEST_THREADS, thread_page
from app.feedback.writing import CommentInput, create_comment
from app.kit.errors import AppError, Conflict, NotFound
from app.kit.i18n import gettext as _
from app.kit.pagination import PageParams
from app.models import Comment, CommentRevision, ProposalVersion
from app.policy import Action, Principal, authorize
from app.proposals.pages import SectionPage, section_thread
from app.proposals.reading import current_of, find_section, proposal_with_versions


@dataclass(frozen=True)
class ThreadPlace:
    """Where the browser shows the changed thread: the address of the page it is on (``path``), and which page
    of a section's threads (``page``) that is. On the section's own page the thread is that page of all
    threads; elsewhere the newest threads."""

    path: str = ""
    page: int = 1


@dataclass
class Changed:
    """A comment after a change, with what to show next: ``thread`` (when a place was asked for) or else
    ``thread_page``, the page of the section's threads that holds it."""

    comment: Comment
    context: CommentContext
    thread_page: int = 1
    thread: SectionPage | None = None
    on_section_page: bool = False  # ``thread`` is a page of all the section's threads


class CommentRefused(Exception):
    """The comment could not be written or changed (``error``): the form is shown again in ``context``."""

    def __init__(self, context: CommentContext, error: AppError, comment: Comment | None = None) -> None:
        super().__init__(error.detail)
        self.context = context
        self.error = error
        self.comment = comment  # the comment being edited


def post_comment(
    session: Session,
    principal: Principal,
    proposal_id: int,
    key: str,
    data: CommentInput,
    *,
    form_token: str = "",
    place: ThreadPlace | None = None,
    ip: str | None = None,
) -> Changed:
    """A comment on section ``key`` of the proposal's current version, or a reply in one of its threads. The
    form's once-only token makes a resubmission return the comment the first one made."""
    proposal, all_versions, _seen = proposal_with_versions(session, principal, proposal_id)  # one query
    current = current_of(all_versions)
    if current is None:
        raise NotFound("No published version.")
    section = find_section(session, current, key)
    context = CommentContext(section=section, version=current, proposal=proposal, newest_published=current.number)
    try:
        comment, _new = create_comment(
            session,
            principal,
            section.id or 0,
            data,
            idempotency_key=f"form:{form_token}" if form_token else None,
            ip=ip,
            context=context,
        )
    except AppError as exc:
        raise CommentRefused(context, exc) from exc
    return _changed(session, principal, comment, context, place, all_versions)


def edit(
    session: Session,
    principal: Principal,
    comment_id: int,
    data: CommentInput,
    *,
    place: ThreadPlace | None = None,
    ip: str | None = None,
) -> Changed:
    """Save an edit of one's own comment (the text before is kept in its history)."""
    comment, context = get_comment(session, principal, comment_id)
    try:
        edit_comment(session, principal, comment, context, data, ip=ip)
    except AppError as exc:
        raise CommentRefused(context, exc, comment) from exc
    return _changed(session, principal, comment, context, place)


def withdraw(
    session: Session, principal: Principal, comment_id: int, *, place: ThreadPlace | None = None, ip: str | None = None
) -> Changed:
    """Withdraw one's own comment; the thread keeps a marker in its place."""
    comment, context = get_comment(session, principal, comment_id)
    withdraw_comment(session, principal, comment, context, ip=ip)
    return _changed(session, principal, comment, context, place)


def locate(session: Session, principal: Principal, comment_id: int) -> Changed:
    """Where a comment is: its section and the page of the section's threads that holds it."""
    comment, context = get_comment(session, principal, comment_id)
    return _changed(session, principal, comment, context, None)


def editable(session: Session, principal: Principal, comment_id: int) -> tuple[Comment, CommentContext]:
    """One's own comment, to edit."""
    comment, context = get_comment(session, principal, comment_id)
    principal = principal.in_dialogue(context.proposal.dialogue_id)
    authorize(principal, Action.edit_own_comment, author_id=comment.author_id)
    return comment, context


def withdrawable(session: Session, principal: Principal, comment_id: int) -> tuple[Comment, CommentContext]:
    """One's own comment that may still be withdrawn (not yet withdrawn, the window open): to ask first."""
    comment, context = editable(session, principal, comment_id)
    if comment.deleted_at is not None:
        raise Conflict(_("Deze reactie is ingetrokken en kan niet meer worden gewijzigd."), user_message=True)
    ensure_open(session, context)
    return comment, context


def history(
    session: Session, principal: Principal, comment_id: int
) -> tuple[Comment, CommentContext, list[CommentRevision]]:
    """A comment with its earlier texts."""
    comment, context = get_comment(session, principal, comment_id)
    return comment, context, comment_history(session, principal, comment)


def _changed(
    session: Session,
    principal: Principal,
    comment: Comment,
    context: CommentContext,
    place: ThreadPlace | None,
    all_versions: list[ProposalVersion] | None = None,
) -> Changed:
    if place is None:
        return Changed(comment=comment, context=context, thread_page=thread_page(session, principal, comment))
    on_section_page = place.path == f"/proposals/{context.proposal.id}/sections/{context.section.key}"
    thread = section_thread(
        session,
        principal,
        context.proposal,
        context.section.key,
        number=context.version.number,
        newest=None if on_section_page else NEWEST_THREADS,
        include=comment.parent_id or comment.id,
        page=PageParams(page=place.page, page_size=50),
        known=(all_versions, context.section) if all_versions is not None else None,
    )
    return Changed(comment=comment, context=context, thread=thread, on_section_page=on_section_page)
