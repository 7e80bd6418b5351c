"""Who may do what: DESIGN.md section 3, in one place, for the HTML routes and the API alike.

A ``Principal`` is whoever makes the request: nobody (the public), a signed-in user, or an API key acting
with its owner's role narrowed by its scope (a ``read`` key never writes). ``can`` answers yes or no;
``authorize`` raises ``Unauthorized`` for the public (sign in first) and ``Forbidden`` for everyone else.
Rules that depend on time or state (a comment window, a release moment) live in the services.

Access follows the invitation, not only the role (procurement law: only the providers taking part take part),
per trajectory. A provider's user acts with its provider's invitation status to a trajectory, a consultation
participant with the status of its participation (approved counts as accepted, a request not yet decided as
pending, refused as declined); ``Principal.memberships`` holds them all, ``Principal.in_dialogue(id)`` is the
principal as it stands in one trajectory (``Principal.invitation``). A principal not focused on one trajectory
counts with its best status: lists that span trajectories filter by ``Principal.taking_part_in`` themselves.

- accepted: a participant, as the table says;
- pending: sees what it needs to decide: its invitation (and may answer it) and the public pages, nothing for
  participants;
- declined or withdrawn (or never invited): the public pages, its invitation and its own earlier comments (read
  only); a declined provider may still change its answer, a withdrawn invitation cannot be answered.

What everyone may see (the dialogue home, session dates, published agendas, reports, public documents, the
participant list) needs no action: no check is written for it.

Templates get the answers, not the roles: ``app.web.templates.render`` gives every page ``may(action)``.

A provider that accepts later sees everything released so far from that moment, as the rules are evaluated on
every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

from app.kit.errors import Forbidden, Unauthorized
from app.models import ApiScope, InvitationStatus, ParticipationStatus, Role, User

PUBLIC = "public"


class Action(StrEnum):
    view_released_documents = "view_released_documents"
    view_unreleased_documents = "view_unreleased_documents"
    view_published_proposal = "view_published_proposal"  # needs proposal_public
    view_draft_proposal = "view_draft_proposal"
    comment = "comment"  # comment or reply while the window is open (provider: as its own provider)
    edit_own_comment = "edit_own_comment"  # edit or withdraw (needs author_id)
    view_comments = "view_comments"
    view_own_comments = "view_own_comments"  # what became of one's own (provider's) feedback
    read_internal_notes = "read_internal_notes"
    write_internal_notes = "write_internal_notes"
    take_position = "take_position"  # mark a comment relevant for one's municipality, with a stance
    triage = "triage"  # review status, official reply, move to agenda
    rsvp = "rsvp"  # answer an invitation (needs provider_id)
    view_own_invitation = "view_own_invitation"  # the invitation of one's own organisation (a provider's user)
    manage = "manage"  # dialogue, sessions, agenda, documents, proposals, providers, users, API keys
    view_admin = "view_admin"  # read what admins manage: users, API keys, outbox
    review = "review"  # review dashboard and exports
    audit_log = "audit_log"  # read the audit trail
    see_working_status = "see_working_status"  # SDFL's decisions (and agenda links) before they are released
    see_draft_replies = "see_draft_replies"  # SDFL's official replies before they are released
    read_withdrawn_comments = "read_withdrawn_comments"  # the earlier texts of anyone's withdrawn comment
    see_participant_names = "see_participant_names"  # the name behind an experience expert's pseudonym
    ask_question = "ask_question"  # a written question to SDFL (provider: as its own provider)
    view_prepared = "view_prepared"  # what is being prepared for release: every question, notas and packages
    draft = "draft"  # co-author: agenda items, proposal sections, question wordings and answers (SDFL publishes)
    sign_off = "sign_off"  # approve or object to what is about to be released, for one's municipality
    override_signoff = "override_signoff"  # release without every approval, with a written reason
    consent_to_recording = "consent_to_recording"  # say yes or no to being recorded at a recorded session
    view_participant_recordings = "view_participant_recordings"  # a released recording for participants only
    view_unreleased_recordings = "view_unreleased_recordings"  # a recording before its release moment
    edit_site_pages = "edit_site_pages"  # the texts of the statements: accessibility, privacy, contact
    manage_webhooks = "manage_webhooks"  # one's own webhooks (issue 20); admins see and change every webhook


# Actions that change something: an API key with scope `read` may not do them.
WRITE_ACTIONS = frozenset(
    {
        Action.comment,
        Action.edit_own_comment,
        Action.write_internal_notes,
        Action.take_position,
        Action.triage,
        Action.rsvp,
        Action.manage,
        Action.ask_question,
        Action.draft,
        Action.sign_off,
        Action.override_signoff,
        Action.consent_to_recording,
        Action.edit_site_pages,
        Action.manage_webhooks,
    }
)

PARTICIPANTS = frozenset({Role.provider, Role.participant, Role.municipality, Role.admin})
REVIEWERS = frozenset({Role.municipality, Role.admin})
ADMINS = frozenset({Role.admin})

# Roles allowed per action, before the per-resource checks below.
ROLES: dict[Action, frozenset[str]] = {
    Action.view_released_documents: PARTICIPANTS,
    Action.view_unreleased_documents: REVIEWERS,  # municipal reviewers check what goes out
    Action.view_published_proposal: PARTICIPANTS,  # the public too, if the proposal is public
    Action.view_draft_proposal: REVIEWERS,
    Action.comment: PARTICIPANTS,  # provider: as its own provider only
    Action.edit_own_comment: PARTICIPANTS,  # own comments only
    Action.view_comments: PARTICIPANTS,
    Action.view_own_comments: PARTICIPANTS,
    Action.read_internal_notes: REVIEWERS,
    Action.write_internal_notes: REVIEWERS,
    Action.take_position: frozenset({Role.municipality}),
    Action.triage: ADMINS,
    Action.rsvp: frozenset({Role.provider, Role.admin}),  # provider: own provider only
    Action.view_own_invitation: frozenset({Role.provider}),  # admins see every invitation (manage)
    Action.manage: ADMINS,
    Action.view_admin: ADMINS,
    Action.review: REVIEWERS,
    Action.audit_log: ADMINS,
    Action.see_working_status: REVIEWERS,
    Action.see_draft_replies: ADMINS,
    Action.read_withdrawn_comments: ADMINS,
    Action.see_participant_names: REVIEWERS,
    Action.ask_question: frozenset({Role.provider, Role.participant}),  # taking part; provider: own provider
    Action.view_prepared: REVIEWERS,
    Action.draft: REVIEWERS,
    Action.sign_off: frozenset({Role.municipality}),
    Action.override_signoff: ADMINS,
    Action.consent_to_recording: frozenset({Role.provider, Role.participant}),  # attendees, taking part
    Action.view_participant_recordings: PARTICIPANTS,
    Action.view_unreleased_recordings: REVIEWERS,  # as documents: staff check what goes out
    Action.edit_site_pages: ADMINS,
    Action.manage_webhooks: REVIEWERS,  # for the events they may read
}


# The role whose access follows its organisation's invitation to the dialogue (see the module's docstring).
INVITED_ROLE = Role.provider
# The role of a consultation participant, who speaks for itself (never for a provider) and is named as
# app.dialogues.participants.participant_label says.
PARTICIPANT_ROLE = Role.participant
# The roles an admin gives on the users form and through the users API. A consultation participant is made by
# app.consultations (asked for and approved, or added by SDFL), with a trajectory and a stakeholder group.
USER_FORM_ROLES = frozenset({Role.admin, Role.municipality, Role.provider})
# The roles whose access follows their membership of a trajectory (invitation or approved participation).
MEMBER_ROLES = frozenset({Role.provider, Role.participant})

# A participation's status as the invitation status access follows.
PARTICIPATION_AS_INVITATION: dict[str, str] = {
    ParticipationStatus.approved: InvitationStatus.accepted,
    ParticipationStatus.requested: InvitationStatus.pending,
    ParticipationStatus.refused: InvitationStatus.declined,
    ParticipationStatus.withdrawn: InvitationStatus.withdrawn,
}

# The best of several statuses first: a principal not focused on one trajectory counts with it.
_STATUS_ORDER = [
    InvitationStatus.accepted,
    InvitationStatus.pending,
    InvitationStatus.declined,
    InvitationStatus.withdrawn,
]

# Who is told by mail of what is released to participants: these roles always, the invited role while its
# organisation takes part (admins make the releases themselves).
ALWAYS_TOLD_OF_RELEASES = frozenset({Role.municipality})

# What a provider whose invitation is not accepted may still do (for everything else it counts as the public).
NOT_TAKING_PART = frozenset({Action.view_own_invitation, Action.view_own_comments, Action.rsvp})


_NO_MEMBERSHIPS: Mapping[int, str] = MappingProxyType({})


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    scope: str | None = None  # None: a browser session; "read" or "write": an API key
    # For a provider's user or a consultation participant: dialogue id -> invitation status (see the docstring).
    memberships: Mapping[int, str] = field(default_factory=lambda: _NO_MEMBERSHIPS)
    api_key_id: int | None = None  # the key a request came with (limits per key)
    dialogue_id: int | None = None  # the trajectory the question is about (``in_dialogue``)

    def in_dialogue(self, dialogue_id: int | None) -> Principal:
        """This principal as it stands in one trajectory."""
        return self if dialogue_id == self.dialogue_id else replace(self, dialogue_id=dialogue_id)

    @property
    def invitation(self) -> str | None:
        """The invitation status access follows: in the focused trajectory, else the best of all (None: none)."""
        if self.dialogue_id is not None:
            return self.memberships.get(self.dialogue_id)
        for status in _STATUS_ORDER:
            if status in self.memberships.values():
                return status
        return None

    @property
    def taking_part_in(self) -> frozenset[int]:
        """The trajectories a provider's user or participant takes part in (for other roles: see ``takes_part``)."""
        return frozenset(d for d, status in self.memberships.items() if status == InvitationStatus.accepted)

    @property
    def limited_to_memberships(self) -> bool:
        """Whether what this principal sees of trajectories is limited to those it takes part in."""
        return self.role in MEMBER_ROLES

    @property
    def role(self) -> str:
        return self.user.role if self.user and self.user.active else PUBLIC

    @property
    def is_authenticated(self) -> bool:
        return self.role != PUBLIC

    @property
    def provider_id(self) -> int | None:
        return self.user.provider_id if self.user else None

    @property
    def takes_part(self) -> bool:
        """Admins and municipalities always; a provider's user once its provider accepted the invitation, a
        consultation participant once approved."""
        if self.role not in MEMBER_ROLES:
            return self.is_authenticated
        return self.invitation == InvitationStatus.accepted


ANONYMOUS = Principal()


def _judged_as(principal: Principal, action: Action) -> str | None:
    """The role ``action`` is judged with (a provider not taking part counts as the public); None: refused
    whatever the resource (a read key that would write, an answer to a withdrawn invitation)."""
    if principal.scope == ApiScope.read and action in WRITE_ACTIONS:
        return None
    role = principal.role
    if role in MEMBER_ROLES and not principal.takes_part and action not in NOT_TAKING_PART:
        return PUBLIC  # not (or no longer) taking part: what the public may do
    if action == Action.rsvp and role == Role.provider and principal.invitation == InvitationStatus.withdrawn:
        return None
    return role


def _on_own(principal: Principal, role: str, action: Action, provider_id: int | None, author_id: int | None) -> bool:
    """The per-resource part: one's own comment to edit; a provider's user acts only for its own provider."""
    if action == Action.edit_own_comment:
        return author_id is not None and principal.user is not None and principal.user.id == author_id
    if role == Role.participant and action in (Action.comment, Action.ask_question):
        return provider_id is None  # a participant speaks for itself, never for a provider
    if role == Role.provider and action in (Action.rsvp, Action.comment, Action.ask_question):
        if action in (Action.comment, Action.ask_question) and provider_id is None:
            return True
        return provider_id is not None and provider_id == principal.provider_id
    return True


def can(
    principal: Principal,
    action: Action,
    *,
    provider_id: int | None = None,
    author_id: int | None = None,
    proposal_public: bool | None = None,
) -> bool:
    """Whether ``principal`` may do ``action`` (on the resource the keyword arguments describe)."""
    role = _judged_as(principal, action)
    if role is None:
        return False
    if action == Action.view_published_proposal and proposal_public and role == PUBLIC:
        return True
    if role not in ROLES[action]:
        return False
    return _on_own(principal, role, action, provider_id, author_id)


def authorize(
    principal: Principal,
    action: Action,
    *,
    provider_id: int | None = None,
    author_id: int | None = None,
    proposal_public: bool | None = None,
) -> None:
    """Raise unless ``can``: the public is asked to sign in, everyone else is refused."""
    if can(principal, action, provider_id=provider_id, author_id=author_id, proposal_public=proposal_public):
        return
    if not principal.is_authenticated:
        raise Unauthorized("Sign in (or send an API key) to do this.")
    if principal.scope == ApiScope.read and action in WRITE_ACTIONS:
        raise Forbidden("This API key has scope 'read' and cannot change anything.")
    if principal.role == Role.provider and not principal.takes_part:
        raise Forbidden(
            "Only providers that accepted the invitation to this dialogue take part "
            f"(your organisation's invitation: {principal.invitation or 'none'})."
        )
    if principal.role == Role.participant and not principal.takes_part:
        raise Forbidden("Only approved participants take part in this consultation.")
    raise Forbidden("You are not allowed to do this.")
