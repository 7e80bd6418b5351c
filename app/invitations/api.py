"""JSON API for invitations: the public list of who was invited and who answered what, and answering
(RSVP) with a write key of the provider's own user or an admin."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from app.accounts.deps import ApiPrincipal, ApiUser
from app.db import SessionDep
from app.dialogues import manage as dialogues
from app.invitations import service
from app.invitations.schemas import InvitationCreate, InvitationOut, InvitationPatch, ResponderOut
from app.kit.api_route import ApiRoute
from app.kit.errors import Conflict
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, check_paging, feed_page
from app.kit.pagination import Page, PageDep
from app.models import InvitationStatus, id_of
from app.policy import Action, Principal, authorize

router = APIRouter(tags=["invitations"], route_class=ApiRoute)


def _full_out(detail: service.InvitationDetail) -> InvitationOut:
    invitation, responder = detail.invitation, detail.responded_by
    return InvitationOut(
        id=invitation.id or 0,
        dialogue_id=invitation.dialogue_id,
        provider_id=invitation.provider_id,
        provider_name=detail.provider.name,
        status=invitation.status,  # type: ignore[arg-type]
        invited_at=invitation.invited_at,
        responded_at=invitation.responded_at,
        note=invitation.note,
        responded_by=ResponderOut(id=responder.id or 0, name=responder.name, email=responder.email)
        if responder
        else None,
        updated_at=invitation.updated_at,
    )


def invitation_out(detail: service.InvitationDetail, principal: Principal) -> InvitationOut:
    """The representation for ``principal``: the note and the responder only for who may answer."""
    out = _full_out(detail)
    if service.may_see_answer_details(principal, detail.invitation.provider_id):
        return out
    return out.model_copy(update={"note": None, "responded_by": None})


def etag(detail: service.InvitationDetail, principal: Principal) -> str:
    """Of the representation ``principal`` reads: what it does not see (the note, the responder) never moves it."""
    return etag_of_model(invitation_out(detail, principal))


@router.get("/invitations", response_model=Page[InvitationOut], summary="List invitations")
def list_invitations(
    session: SessionDep,
    principal: ApiPrincipal,
    params: PageDep,
    status: Annotated[str | None, Query(pattern="^(pending|accepted|declined|withdrawn)$")] = None,
    dialogue_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    *,
    feed: FeedDep,
) -> Page[InvitationOut]:
    """Public, no key needed. Ordered by provider name, then invitation id; read as a feed (`updated_since`,
    `cursor`): by `updated_at`, then id. `note` and `responded_by` are null unless the key belongs to an admin or
    to a user of that provider."""
    check_paging(params, feed)
    if feed.active:
        rows, total, nxt = service.invitation_feed(
            session, feed=feed, params=params, status=status, dialogue_id=dialogue_id
        )
        return feed_page(Page[InvitationOut], [invitation_out(d, principal) for d in rows], total, params, nxt)
    details, total = service.list_invitations(session, params=params, status=status, dialogue_id=dialogue_id)
    return Page[InvitationOut].build([invitation_out(d, principal) for d in details], total, params)


@router.get("/invitations/{invitation_id}", response_model=InvitationOut, summary="One invitation")
def get_invitation(
    session: SessionDep, principal: ApiPrincipal, invitation_id: int, response: Response
) -> InvitationOut:
    """Public; with an `ETag` to send as `If-Match` when answering."""
    detail = service.get_invitation(session, invitation_id)
    response.headers["ETag"] = etag(detail, principal)
    return invitation_out(detail, principal)


@router.patch(
    "/invitations/{invitation_id}",
    response_model=InvitationOut,
    summary="Answer an invitation (accept or decline)",
    responses={
        409: {"description": "Status 'pending' was requested, or the invitation is withdrawn already"},
        412: {"description": "If-Match does not match the current ETag"},
        428: {"description": "If-Match is missing"},
    },
)
def answer_invitation(
    session: SessionDep,
    principal: ApiUser,
    invitation_id: int,
    body: InvitationPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> InvitationOut:
    """Needs a key with scope `write` of an admin or of a user of that provider. An answer can be changed
    later. Send the ETag from GET as `If-Match` so you never overwrite someone else's answer. Admins withdraw an
    invitation with `withdrawn` (the provider no longer takes part; an answer for it later reinstates it)."""
    detail = service.get_invitation(session, invitation_id)
    if body.status == InvitationStatus.withdrawn:
        authorize(principal, Action.manage)
    else:
        service.authorize_answer(principal, detail)
    require_if_match(if_match, etag(detail, principal), what="invitation")
    if body.status == InvitationStatus.withdrawn:
        detail = service.withdraw(session, detail, principal=principal)
    else:
        detail = service.answer(session, detail, principal=principal, status=body.status, note=body.note)
    response.headers["ETag"] = etag(detail, principal)
    return invitation_out(detail, principal)


@router.post(
    "/invitations",
    response_model=InvitationOut,
    status_code=201,
    summary="Invite a provider to a trajectory (admins)",
    responses={
        201: {
            "description": "Invited; its contact persons are mailed",
            "headers": {
                "Location": {"description": "The new invitation", "schema": {"type": "string"}},
                "ETag": {"description": "Of the invitation", "schema": {"type": "string"}},
            },
        },
        409: {"description": "The provider is invited to this trajectory already (Location names the invitation)"},
        422: {"description": "An unknown or archived provider or trajectory, or a trajectory without invitations"},
    },
)
def create_invitation(
    session: SessionDep, principal: ApiUser, body: InvitationCreate, response: Response
) -> InvitationOut:
    """As the admin selection page: the provider's active contact persons get the invitation mail. Needs an
    admin's `write` key."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    dialogue = dialogues.chosen(session, str(body.dialogue_id))
    result = service.invite(session, dialogue, provider_ids=[body.provider_id], actor=principal.user)
    existing = service.find_invitation(session, id_of(dialogue), body.provider_id)
    if not result.invited or existing is None:
        location = f"/api/v1/invitations/{existing.invitation.id}" if existing else None
        raise Conflict(
            "This provider is invited to this trajectory already.",
            headers={"Location": location} if location else None,
        )
    response.headers["Location"] = f"/api/v1/invitations/{existing.invitation.id}"
    response.headers["ETag"] = etag(existing, principal)
    return invitation_out(existing, principal)
