"""DESIGN.md section 3, row by row: every action tried by every role, with the exact outcome."""

from __future__ import annotations

import pytest

from app.accounts.service import parse_memberships
from app.kit.errors import Forbidden, Unauthorized
from app.models import Role, User
from app.policy import Action, Principal, authorize, can

OWN, OTHER = 1, 2  # provider ids
PROVIDER_USER = User(id=10, email="p@example.org", role=Role.provider, provider_id=OWN)
MUNICIPALITY_USER = User(id=20, email="m@example.org", role=Role.municipality, municipality_id=1)
ADMIN_USER = User(id=30, email="a@example.org", role=Role.admin)

ROLES = {
    "public": Principal(),
    # a provider whose invitation is accepted (for the other statuses see INVITATION_TABLE below)
    "provider_own": Principal(user=PROVIDER_USER, memberships={1: "accepted"}),  # acting on its own provider's things
    "provider_other": Principal(user=PROVIDER_USER, memberships={1: "accepted"}),  # acting on another provider's things
    "municipality": Principal(user=MUNICIPALITY_USER),
    "admin": Principal(user=ADMIN_USER),
}
COLUMNS = list(ROLES)
Y, N = True, False

# action, resource (for "own"; "other" swaps the provider/author), and the outcome per column:
#                                               public own   other  munic  admin
TABLE = [
    (Action.view_released_documents, {}, (N, Y, Y, Y, Y)),
    (Action.view_unreleased_documents, {}, (N, N, N, Y, Y)),  # municipal reviewers check what goes out
    (Action.view_published_proposal, {"proposal_public": True}, (Y, Y, Y, Y, Y)),
    (Action.view_published_proposal, {"proposal_public": False}, (N, Y, Y, Y, Y)),
    (Action.view_draft_proposal, {}, (N, N, N, Y, Y)),
    (Action.comment, {"provider_id": OWN}, (N, Y, N, Y, Y)),
    (Action.edit_own_comment, {"author_id": "self"}, (N, Y, N, Y, Y)),
    (Action.view_comments, {}, (N, Y, Y, Y, Y)),
    (Action.view_own_comments, {}, (N, Y, Y, Y, Y)),
    (Action.read_internal_notes, {}, (N, N, N, Y, Y)),
    (Action.write_internal_notes, {}, (N, N, N, Y, Y)),
    (Action.take_position, {}, (N, N, N, Y, N)),
    (Action.triage, {}, (N, N, N, N, Y)),
    (Action.rsvp, {"provider_id": OWN}, (N, Y, N, N, Y)),
    (Action.view_own_invitation, {}, (N, Y, Y, N, N)),
    (Action.manage, {}, (N, N, N, N, Y)),
    (Action.view_admin, {}, (N, N, N, N, Y)),
    (Action.review, {}, (N, N, N, Y, Y)),
    (Action.audit_log, {}, (N, N, N, N, Y)),
    (Action.see_working_status, {}, (N, N, N, Y, Y)),
    (Action.see_draft_replies, {}, (N, N, N, N, Y)),
    (Action.read_withdrawn_comments, {}, (N, N, N, N, Y)),
    (Action.see_participant_names, {}, (N, N, N, Y, Y)),
    (Action.ask_question, {"provider_id": OWN}, (N, Y, N, N, N)),
    (Action.view_prepared, {}, (N, N, N, Y, Y)),
    (Action.draft, {}, (N, N, N, Y, Y)),
    (Action.sign_off, {}, (N, N, N, Y, N)),
    (Action.override_signoff, {}, (N, N, N, N, Y)),
    (Action.consent_to_recording, {}, (N, Y, Y, N, N)),  # attendees only; SDFL notes objections (manage)
    (Action.view_participant_recordings, {}, (N, Y, Y, Y, Y)),
    (Action.view_unreleased_recordings, {}, (N, N, N, Y, Y)),
    (Action.edit_site_pages, {}, (N, N, N, N, Y)),
    (Action.manage_webhooks, {}, (N, N, N, Y, Y)),
]


def resource_for(column: str, principal: Principal, resource: dict) -> dict:
    out = dict(resource)
    if out.get("author_id") == "self":
        # "own comment": the principal wrote it; "other": someone else did.
        out["author_id"] = 999 if column == "provider_other" or principal.user is None else principal.user.id
    if column == "provider_other" and "provider_id" in out:
        out["provider_id"] = OTHER
    return out


CASES = [
    pytest.param(
        action,
        resource,
        column,
        expected[i],
        id=f"{action.value}-{column}-{'yes' if expected[i] else 'no'}" + (f"-{resource}" if resource else ""),
    )
    for action, resource, expected in TABLE
    for i, column in enumerate(COLUMNS)
]


def test_table_covers_every_action():
    assert {action for action, _, _ in TABLE} == set(Action)


@pytest.mark.parametrize("action,resource,column,expected", CASES)
def test_permission(action, resource, column, expected):
    principal = ROLES[column]
    kwargs = resource_for(column, principal, resource)
    assert can(principal, action, **kwargs) is expected
    if expected:
        authorize(principal, action, **kwargs)
    else:
        with pytest.raises(Unauthorized if column == "public" else Forbidden):
            authorize(principal, action, **kwargs)


@pytest.mark.parametrize("action", sorted(Action, key=str))
def test_read_keys_never_write(action):
    """API keys act with their owner's role, narrowed by scope: a read key cannot write."""
    from app.policy import WRITE_ACTIONS

    # Taking a municipality's position is the one thing only municipality users do, seeing one's own
    # invitation the one thing only providers' users do.
    owner = {
        Action.take_position: MUNICIPALITY_USER,
        Action.sign_off: MUNICIPALITY_USER,
        Action.view_own_invitation: PROVIDER_USER,
        Action.ask_question: PROVIDER_USER,
        Action.consent_to_recording: PROVIDER_USER,
    }.get(action, ADMIN_USER)
    admin_read = Principal(user=owner, scope="read", memberships={1: "accepted"})
    admin_write = Principal(user=owner, scope="write", memberships={1: "accepted"})
    kwargs = {"provider_id": OWN, "author_id": owner.id, "proposal_public": True}
    assert can(admin_write, action, **kwargs) is True
    assert can(admin_read, action, **kwargs) is (action not in WRITE_ACTIONS)


def test_deactivated_user_is_the_public():
    gone = Principal(user=User(id=40, email="x@example.org", role=Role.admin, active=False))
    assert not can(gone, Action.manage)
    with pytest.raises(Unauthorized):
        authorize(gone, Action.view_comments)


# Access follows the invitation: a provider's user per invitation status of its provider (None: never invited).
STATUSES = ["accepted", "pending", "declined", "withdrawn", None]
#                                                                   accepted pending declined withdrawn none
INVITATION_TABLE = [
    (Action.view_released_documents, {}, (Y, N, N, N, N)),
    (Action.view_unreleased_documents, {}, (N, N, N, N, N)),
    (Action.view_published_proposal, {"proposal_public": True}, (Y, Y, Y, Y, Y)),
    (Action.view_published_proposal, {"proposal_public": False}, (Y, N, N, N, N)),
    (Action.view_draft_proposal, {}, (N, N, N, N, N)),
    (Action.comment, {"provider_id": OWN}, (Y, N, N, N, N)),
    (Action.edit_own_comment, {"author_id": PROVIDER_USER.id}, (Y, N, N, N, N)),
    (Action.view_comments, {}, (Y, N, N, N, N)),
    (Action.view_own_comments, {}, (Y, Y, Y, Y, Y)),
    (Action.read_internal_notes, {}, (N, N, N, N, N)),
    (Action.write_internal_notes, {}, (N, N, N, N, N)),
    (Action.take_position, {}, (N, N, N, N, N)),
    (Action.triage, {}, (N, N, N, N, N)),
    (Action.rsvp, {"provider_id": OWN}, (Y, Y, Y, N, Y)),
    (Action.view_own_invitation, {}, (Y, Y, Y, Y, Y)),
    (Action.manage, {}, (N, N, N, N, N)),
    (Action.view_admin, {}, (N, N, N, N, N)),
    (Action.review, {}, (N, N, N, N, N)),
    (Action.audit_log, {}, (N, N, N, N, N)),
    (Action.see_working_status, {}, (N, N, N, N, N)),
    (Action.see_draft_replies, {}, (N, N, N, N, N)),
    (Action.read_withdrawn_comments, {}, (N, N, N, N, N)),
    (Action.see_participant_names, {}, (N, N, N, N, N)),
    (Action.ask_question, {"provider_id": OWN}, (Y, N, N, N, N)),
    (Action.view_prepared, {}, (N, N, N, N, N)),
    (Action.draft, {}, (N, N, N, N, N)),
    (Action.sign_off, {}, (N, N, N, N, N)),
    (Action.override_signoff, {}, (N, N, N, N, N)),
    (Action.consent_to_recording, {}, (Y, N, N, N, N)),
    (Action.view_participant_recordings, {}, (Y, N, N, N, N)),
    (Action.view_unreleased_recordings, {}, (N, N, N, N, N)),
    (Action.edit_site_pages, {}, (N, N, N, N, N)),
    (Action.manage_webhooks, {}, (N, N, N, N, N)),
]


def test_invitation_table_covers_every_action():
    assert {action for action, _, _ in INVITATION_TABLE} == set(Action)


@pytest.mark.parametrize(
    "action,resource,status,expected",
    [
        pytest.param(action, resource, status, expected[i], id=f"{action.value}-{status}-{resource}")
        for action, resource, expected in INVITATION_TABLE
        for i, status in enumerate(STATUSES)
    ],
)
def test_provider_permission_per_invitation_status(action, resource, status, expected):
    principal = Principal(user=PROVIDER_USER, memberships={1: status} if status else {})
    assert can(principal, action, **resource) is expected
    if expected:
        authorize(principal, action, **resource)
    else:
        with pytest.raises(Forbidden):  # signed in: refused, never asked to sign in
            authorize(principal, action, **resource)


# A consultation participant (role participant) per participation status (None: never asked); its participation
# counts as an invitation: approved as accepted, requested as pending, refused as declined, withdrawn as withdrawn.
PARTICIPANT_USER = User(id=50, email="v@example.org", role=Role.participant, stakeholder_group="local_referrer")
PARTICIPATION_STATUSES = ["approved", "requested", "refused", "withdrawn", "unconfirmed"]
#                                                                  approved requested refused withdrawn unconfirmed
PARTICIPANT_TABLE = [
    (Action.view_released_documents, {}, (Y, N, N, N, N)),
    (Action.view_unreleased_documents, {}, (N, N, N, N, N)),
    (Action.view_published_proposal, {"proposal_public": True}, (Y, Y, Y, Y, Y)),
    (Action.view_published_proposal, {"proposal_public": False}, (Y, N, N, N, N)),
    (Action.view_draft_proposal, {}, (N, N, N, N, N)),
    (Action.comment, {}, (Y, N, N, N, N)),
    (Action.comment, {"provider_id": OWN}, (N, N, N, N, N)),  # never for a provider
    (Action.edit_own_comment, {"author_id": PARTICIPANT_USER.id}, (Y, N, N, N, N)),
    (Action.edit_own_comment, {"author_id": 999}, (N, N, N, N, N)),
    (Action.view_comments, {}, (Y, N, N, N, N)),
    (Action.view_own_comments, {}, (Y, Y, Y, Y, Y)),
    (Action.read_internal_notes, {}, (N, N, N, N, N)),
    (Action.write_internal_notes, {}, (N, N, N, N, N)),
    (Action.take_position, {}, (N, N, N, N, N)),
    (Action.triage, {}, (N, N, N, N, N)),
    (Action.rsvp, {}, (N, N, N, N, N)),
    (Action.view_own_invitation, {}, (N, N, N, N, N)),
    (Action.manage, {}, (N, N, N, N, N)),
    (Action.view_admin, {}, (N, N, N, N, N)),
    (Action.review, {}, (N, N, N, N, N)),
    (Action.audit_log, {}, (N, N, N, N, N)),
    (Action.see_working_status, {}, (N, N, N, N, N)),
    (Action.see_draft_replies, {}, (N, N, N, N, N)),
    (Action.read_withdrawn_comments, {}, (N, N, N, N, N)),
    (Action.see_participant_names, {}, (N, N, N, N, N)),
    (Action.ask_question, {}, (Y, N, N, N, N)),
    (Action.ask_question, {"provider_id": OWN}, (N, N, N, N, N)),  # never for a provider
    (Action.view_prepared, {}, (N, N, N, N, N)),
    (Action.draft, {}, (N, N, N, N, N)),
    (Action.sign_off, {}, (N, N, N, N, N)),
    (Action.override_signoff, {}, (N, N, N, N, N)),
    (Action.consent_to_recording, {}, (Y, N, N, N, N)),
    (Action.view_participant_recordings, {}, (Y, N, N, N, N)),
    (Action.view_unreleased_recordings, {}, (N, N, N, N, N)),
    (Action.edit_site_pages, {}, (N, N, N, N, N)),
    (Action.manage_webhooks, {}, (N, N, N, N, N)),
]


def test_participant_table_covers_every_action():
    assert {action for action, _, _ in PARTICIPANT_TABLE} == set(Action)


@pytest.mark.parametrize(
    "action,resource,status,expected",
    [
        pytest.param(action, resource, status, expected[i], id=f"{action.value}-{status}-{resource}")
        for action, resource, expected in PARTICIPANT_TABLE
        for i, status in enumerate(PARTICIPATION_STATUSES)
    ],
)
def test_participant_permission_per_participation_status(action, resource, status, expected):
    principal = Principal(user=PARTICIPANT_USER, memberships=parse_memberships(f"7:{status}"))
    assert can(principal, action, **resource) is expected
    if expected:
        authorize(principal, action, **resource)
    else:
        with pytest.raises(Forbidden):
            authorize(principal, action, **resource)


def test_access_follows_the_membership_of_the_trajectory_in_question():
    """A provider accepted in one trajectory and pending in another: focused on each, it counts with that one's
    status; unfocused (a list across trajectories), with the best, and the list filters by ``taking_part_in``."""
    principal = Principal(user=PROVIDER_USER, memberships=parse_memberships("1:accepted,2:pending,"))
    assert can(principal.in_dialogue(1), Action.view_comments)
    assert not can(principal.in_dialogue(2), Action.view_comments)
    assert can(principal.in_dialogue(2), Action.rsvp, provider_id=OWN)
    assert not can(principal.in_dialogue(3), Action.view_comments)  # never invited to 3
    assert principal.invitation == "accepted" and principal.taking_part_in == {1}
    assert principal.in_dialogue(2).invitation == "pending"
