"""A comment (or the section to comment on) with its version and proposal, and the checks every writer and
reader of one comment passes: may they see it, is its window open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app.feedback.visibility import comment_visibility, is_own, may_read_proposal, reads_own_only
from app.feedback.window import window_message, window_state
from app.kit.errors import Conflict, NotFound
from app.kit.i18n import gettext as _
from app.models import MAX_ID, Comment, Proposal, ProposalVersion, Section, VersionStatus
from app.policy import Action, Principal, authorize, can


@dataclass
class CommentContext:
    """A comment (or the section to comment on) with its version and proposal."""

    section: Section
    version: ProposalVersion
    proposal: Proposal
    # The number of the proposal's newest published version, when the caller read the versions already
    # (``ensure_open`` asks the database otherwise).
    newest_published: int | None = None


def section_context(session: Session, section_id: int) -> CommentContext:
    row = (
        session.exec(
            select(Section, ProposalVersion, Proposal)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(Section.id == section_id)
        ).first()
        if 0 < section_id <= MAX_ID
        else None
    )
    if row is None:
        raise NotFound("No such section.")
    return CommentContext(*row)


def ensure_open(session: Session, context: CommentContext) -> None:
    """Comments only on the current published version, while the proposal's window is open: 409 otherwise."""
    state = window_state(context.proposal)
    if state != "open":
        raise Conflict(window_message(context.proposal), user_message=True)
    newest = context.newest_published
    if newest is None:
        newest = session.exec(
            select(func.max(ProposalVersion.number)).where(
                ProposalVersion.proposal_id == context.proposal.id, ProposalVersion.status == VersionStatus.published
            )
        ).one()
    if context.version.status != VersionStatus.published or context.version.number != newest:
        raise Conflict(
            _("Op deze versie kan niet meer worden gereageerd: reageer op de huidige versie."), user_message=True
        )


def visible_to(principal: Principal, context: CommentContext) -> None:
    """The reader must be able to see the proposal and the comments on it: as it takes part in the proposal's
    trajectory."""
    principal = principal.in_dialogue(context.proposal.dialogue_id)
    if not may_read_proposal(principal, context.proposal) or (
        context.version.status != VersionStatus.published and not can(principal, Action.view_draft_proposal)
    ):
        raise NotFound("No such section.")
    authorize(principal, Action.view_comments)


def is_visible(session: Session, principal: Principal, comment_id: int | None) -> bool:
    """Whether comment ``comment_id`` is among those ``principal`` may see. One query."""
    return bool(session.exec(select(func.count()).where(Comment.id == comment_id, comment_visibility(principal))).one())


def get_comment(session: Session, principal: Principal, comment_id: int) -> tuple[Comment, CommentContext]:
    """A comment ``principal`` may see, with its section, version and proposal; 404 otherwise."""
    comment = session.get(Comment, comment_id) if 0 < comment_id <= MAX_ID else None
    if comment is None:
        raise NotFound("No such comment.")
    context = section_context(session, comment.section_id)
    principal = principal.in_dialogue(context.proposal.dialogue_id)
    if reads_own_only(principal):
        if not is_own(principal, comment):
            raise NotFound("No such comment.")
    else:
        visible_to(principal, context)
    if not is_visible(session, principal, comment.id):
        raise NotFound("No such comment.")
    return comment, context


def snapshot(comment: Comment) -> dict[str, Any]:
    """What the audit log keeps of a comment before and after a change."""
    return {
        "kind": comment.kind,
        "body": comment.body,
        "quote": comment.quote,
        "suggested_text": comment.suggested_text,
        "deleted_at": comment.deleted_at.isoformat() if comment.deleted_at else None,
    }
