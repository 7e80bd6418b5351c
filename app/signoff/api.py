"""JSON API: which municipalities must approve a trajectory's releases (SDFL chooses; reviewers read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from sqlmodel import Session

from app.accounts.deps import ApiUser
from app.db import SessionDep
from app.dialogues.service import get_trajectory
from app.kit.api_route import ApiRoute
from app.kit.errors import NotFound, invalid
from app.kit.etags import etag_of_model, require_if_match
from app.models import Dialogue, Municipality, id_of
from app.policy import Action, Principal, authorize
from app.signoff import service
from app.signoff.schemas import RequiredMunicipalityOut, SignoffSettingsIn, SignoffSettingsOut

router = APIRouter(tags=["sign-off"], route_class=ApiRoute)
MAX_ID = 2_147_483_647


def _out(dialogue: Dialogue, municipalities: list[Municipality]) -> SignoffSettingsOut:
    return SignoffSettingsOut(
        dialogue_id=id_of(dialogue),
        chosen=dialogue.signoff_chosen,
        municipalities=[RequiredMunicipalityOut(id=id_of(m), name=m.name) for m in municipalities],
    )


def _dialogue(session: Session, principal: Principal, dialogue_id: int) -> Dialogue:
    authorize(principal, Action.view_prepared)
    if not 1 <= dialogue_id <= MAX_ID:
        raise NotFound(f"Dialogue {dialogue_id} does not exist.")
    return get_trajectory(session, principal, str(dialogue_id))


@router.get(
    "/dialogues/{dialogue_id}/signoff",
    response_model=SignoffSettingsOut,
    summary="Which municipalities must approve releases",
)
def get_signoff(session: SessionDep, principal: ApiUser, dialogue_id: int, response: Response) -> SignoffSettingsOut:
    """For SDFL and the municipalities. With an `ETag` to send as `If-Match` when changing it."""
    dialogue = _dialogue(session, principal, dialogue_id)
    out = _out(dialogue, service.required(session, dialogue))
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.put(
    "/dialogues/{dialogue_id}/signoff",
    response_model=SignoffSettingsOut,
    summary="Choose which municipalities must approve releases",
    responses={
        412: {"description": "If-Match does not match the current ETag"},
        422: {"description": "An unknown municipality (problem+json with an error per field)"},
        428: {"description": "If-Match is missing"},
    },
)
def put_signoff(
    session: SessionDep,
    principal: ApiUser,
    dialogue_id: int,
    body: SignoffSettingsIn,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> SignoffSettingsOut:
    """Needs an admin's key with scope `write` and the ETag from GET as `If-Match`. The list replaces the
    choice; approvals already given for other municipalities stay in the trail but no longer count."""
    dialogue = _dialogue(session, principal, dialogue_id)
    authorize(principal, Action.manage)
    require_if_match(if_match, etag_of_model(_out(dialogue, service.required(session, dialogue))), what="sign-off")
    if any(not 1 <= m <= MAX_ID for m in body.municipality_ids):
        raise invalid({"municipality_ids": "Unknown municipality."})
    actor = principal.user
    assert actor is not None  # an API user
    after = service.set_required(session, principal, dialogue, body.municipality_ids, actor=actor)
    out = _out(dialogue, after)
    response.headers["ETag"] = etag_of_model(out)
    return out
