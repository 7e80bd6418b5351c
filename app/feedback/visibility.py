"""Who sees which comments, and which decision on them.

Internal notes never show in threads; SDFL's official replies show once released (admins also see drafted
ones); SDFL's decision on a comment shows to reviewers at once and to everyone else once released.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, false, not_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from app.dialogues.participants import participant_label
from app.kit import clock
from app.kit.i18n import gettext as _
from app.models import Comment, Proposal, ProposalStatus, Role, StakeholderGroup, Visibility
from app.policy import INVITED_ROLE, PARTICIPANT_ROLE, Action, Principal, can


def comment_visibility(principal: Principal, now: datetime | None = None) -> ColumnElement[bool]:
    """Comments ``principal`` may see: never internal notes here; official replies once released
    (admins also see drafted ones)."""
    return visible_comments(sees_drafts=can(principal, Action.see_draft_replies), now=now or clock.now())


def visible_comments(*, sees_drafts: bool, now: Any) -> ColumnElement[bool]:
    """``comment_visibility`` by what decides it; ``now`` may be a ``bindparam`` (a statement built once)."""
    conditions: list[ColumnElement[bool]] = [col(Comment.visibility) == Visibility.participants]
    if not sees_drafts:
        conditions.append(
            or_(not_(col(Comment.official)), and_(col(Comment.release_at).is_not(None), col(Comment.release_at) <= now))
        )
    return and_(*conditions)


def official_visible(principal: Principal, now: datetime, reply: Any = Comment) -> ColumnElement[bool]:
    """Official replies (``reply``: the comments table or an alias of it) ``principal`` may read: admins also
    drafted ones, everyone else released ones."""
    conditions = [reply.official.is_(True), reply.deleted_at.is_(None)]
    if not can(principal, Action.see_draft_replies):
        conditions += [reply.release_at.is_not(None), reply.release_at <= now]
    return and_(*conditions)


def feedback_condition() -> ColumnElement[bool]:
    """Top-level participant feedback that can be reviewed."""
    return and_(
        col(Comment.parent_id).is_(None),
        col(Comment.official).is_(False),
        col(Comment.visibility) == Visibility.participants,
        col(Comment.deleted_at).is_(None),
    )


def sees_working_status(principal: Principal) -> bool:
    """Reviewers see SDFL's decision on a comment as soon as it is made; everyone else once it is released."""
    return can(principal, Action.see_working_status)


def shown_status(comment: Comment, now: datetime) -> str:
    """The decision providers see: the working status once its release moment has passed, else the last
    released one."""
    if comment.status_release_at is not None and comment.status_release_at <= now:
        return comment.status
    return comment.published_status


def status_for(principal: Principal, comment: Comment, now: datetime) -> str:
    return comment.status if sees_working_status(principal) else shown_status(comment, now)


def status_column(principal: Principal, now: datetime) -> Any:
    """``status_for`` in SQL, to filter on."""
    if sees_working_status(principal):
        return Comment.status
    released = and_(col(Comment.status_release_at).is_not(None), col(Comment.status_release_at) <= now)
    return case((released, Comment.status), else_=Comment.published_status)


def own_comments(principal: Principal) -> ColumnElement[bool]:
    """The comments that are ``principal``'s own: a provider's user's are its provider's, anyone else's those it
    wrote."""
    if principal.provider_id is not None:
        return col(Comment.provider_id) == principal.provider_id
    if principal.user is not None and principal.user.id is not None:
        return col(Comment.author_id) == principal.user.id
    return false()


def is_own(principal: Principal, comment: Comment) -> bool:
    """``own_comments`` for one comment."""
    if principal.provider_id is not None:
        return comment.provider_id == principal.provider_id
    return principal.user is not None and comment.author_id == principal.user.id


def reads_own_only(principal: Principal) -> bool:
    """A provider that does not (or no longer) take part reads its own earlier comments, nobody else's."""
    return not can(principal, Action.view_comments) and can(principal, Action.view_own_comments)


def may_read_proposal(principal: Principal, proposal: Proposal) -> bool:
    """Whether ``principal`` may read ``proposal`` (drafts only admins, a non-public one only participants of its
    trajectory)."""
    principal = principal.in_dialogue(proposal.dialogue_id)
    if can(principal, Action.view_draft_proposal):
        return True
    if proposal.status == ProposalStatus.draft:
        return False
    return can(principal, Action.view_published_proposal, proposal_public=proposal.public)


def organisation(role: str, provider: str | None, municipality: str | None) -> str:
    """The organisation an author (of ``role``) writes for: SDFL, a municipality, or the provider's name."""
    if role == Role.admin:
        return "SDFL"
    if role == Role.municipality:
        return _("Gemeente %(name)s", name=municipality) if municipality else _("Gemeente")
    return provider or ""


def sees_names(principal: Principal) -> bool:
    """SDFL and municipalities see the name behind an experience expert's pseudonym; everyone else the pseudonym."""
    return can(principal, Action.see_participant_names)


def author_label(
    role: str,
    name: str | None,
    provider: str | None,
    municipality: str | None,
    *,
    group: str | None = None,
    organisation_name: str = "",
    pseudonym: str | None = None,
    names: bool = False,
) -> tuple[str, str]:
    """How an author is shown to a reader: (name, organisation line). SDFL, a municipality or a provider by name
    and organisation; a consultation participant by name, stakeholder group and organisation, or (an experience
    expert, to readers that do not see names) by pseudonym and group (``participant_label``)."""
    if role == PARTICIPANT_ROLE:
        return participant_label(
            name=name or "", group=group, organisation=organisation_name or "", pseudonym=pseudonym, sees_names=names
        )
    return name or "", organisation(role, provider, municipality)


def author_group(role: str, group: str | None) -> str | None:
    """The stakeholder group an author counts in: a provider's user as a provider, a participant by its group;
    SDFL and municipalities in none."""
    if role == INVITED_ROLE:
        return StakeholderGroup.provider
    if role == PARTICIPANT_ROLE:
        return group or StakeholderGroup.other
    return None
