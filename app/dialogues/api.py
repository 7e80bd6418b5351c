"""JSON API: trajectories (dialogues and consultations). Reading is public for active and closed trajectories
(staff see drafts and archived ones too); creating and changing needs an admin's key with scope ``write``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from sqlmodel import Session

from app.accounts.deps import ApiPrincipal, ApiUser
from app.db import SessionDep
from app.dialogues import manage
from app.dialogues.schemas import (
    CriterionOut,
    DialogueOut,
    DialogueWrite,
    FrameworkOut,
    MilestoneOut,
)
from app.kit.api_route import ApiRoute
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_slice
from app.kit.pagination import Page, PageDep, PageParams
from app.policy import Action, authorize

router = APIRouter(tags=["dialogues"], route_class=ApiRoute)

WRITE_RESPONSES: dict[int | str, dict[str, str]] = {
    409: {"description": "The slug is taken by another trajectory"},
    422: {"description": "Invalid fields (problem+json with an error per field)"},
}


def dialogue_out(detail: manage.DialogueDetail) -> DialogueOut:
    d = detail.dialogue
    return DialogueOut(
        id=d.id or 0,
        slug=d.slug,
        kind=d.kind,
        title=d.title,
        description=d.description,
        care_form=detail.care_form.key if detail.care_form else None,
        status=d.status,
        tender_reference=d.tender_reference,
        selection_intro=d.selection_intro,
        criteria=[
            CriterionOut(id=c.id or 0, position=c.position, title=c.title, text=c.text, basis=c.basis)
            for c in detail.criteria
        ],
        frameworks=[
            FrameworkOut(
                id=f.id or 0,
                position=f.position,
                title=f.title,
                url=f.url,
                document_id=f.document_id,
                description=f.description,
            )
            for f in detail.frameworks
        ],
        milestones=[
            MilestoneOut(
                id=m.id or 0, kind=m.kind, title=m.title, due_at=m.due_at, session_id=m.session_id, met_at=m.met_at
            )
            for m in detail.milestones
        ],
        created_at=d.created_at,
        updated_at=d.updated_at,
    )


def _with_etag(response: Response, detail: manage.DialogueDetail) -> DialogueOut:
    out = dialogue_out(detail)
    response.headers["ETag"] = etag_of_model(out)
    return out


def _input(session: Session, body: DialogueWrite) -> manage.DialogueInput:
    given = body.model_fields_set
    return manage.DialogueInput(
        slug=body.slug,
        kind=body.kind,
        title=body.title,
        description=body.description,
        care_form_id=manage.care_form_id(session, body.care_form) if "care_form" in given else None,
        care_form_given="care_form" in given,
        selection_intro=body.selection_intro,
        tender_reference=body.tender_reference,
        status=body.status,
        criteria=None
        if body.criteria is None
        else [manage.CriterionInput(id=c.id, title=c.title, text=c.text, basis=c.basis) for c in body.criteria],
        frameworks=None
        if body.frameworks is None
        else [
            manage.FrameworkInput(
                id=f.id, title=f.title, url=f.url, document_id=f.document_id, description=f.description
            )
            for f in body.frameworks
        ],
        milestones=None
        if body.milestones is None
        else [
            manage.MilestoneInput(
                id=m.id, kind=m.kind, title=m.title, due_at=m.due_at, session_id=m.session_id, met_at=m.met_at
            )
            for m in body.milestones
        ],
    )


@router.get("/dialogues", response_model=Page[DialogueOut], summary="List trajectories")
def list_dialogues(session: SessionDep, principal: ApiPrincipal, params: PageDep, feed: FeedDep) -> Page[DialogueOut]:
    """Newest first, then by id. The public (and providers and participants) see active and closed
    trajectories; staff (admins, municipalities) see drafts and archived ones too. Read as a feed
    (`updated_since`, `cursor`): by `updated_at`, then id."""
    check_paging(params, feed)
    if feed.active:
        every, _total = manage.list_dialogues(session, principal, PageParams(page=1, page_size=1_000_000))
        outs, total, nxt = feed_slice(
            [dialogue_out(d) for d in every], feed, params, key=lambda o: Position(o.updated_at, o.id)
        )
        return feed_page(Page[DialogueOut], outs, total, params, nxt)
    rows, total = manage.list_dialogues(session, principal, params)
    return Page[DialogueOut].build([dialogue_out(d) for d in rows], total, params)


@router.get("/dialogues/{dialogue_id}", response_model=DialogueOut, summary="One trajectory")
def get_dialogue(session: SessionDep, principal: ApiPrincipal, dialogue_id: int, response: Response) -> DialogueOut:
    """With an `ETag` to send as `If-Match` when changing it."""
    return _with_etag(response, manage.get_detail(session, principal, dialogue_id))


@router.post(
    "/dialogues",
    response_model=DialogueOut,
    status_code=201,
    summary="Create a trajectory",
    responses=WRITE_RESPONSES,
)
def create_dialogue(session: SessionDep, principal: ApiUser, body: DialogueWrite, response: Response) -> DialogueOut:
    """Needs an admin's key with scope `write`. `slug` and `title` are required; `status` defaults to
    `draft` and `kind` to `dialogue`."""
    authorize(principal, Action.manage)
    detail = manage.create_dialogue(session, principal, _input(session, body))
    response.headers["Location"] = f"/api/v1/dialogues/{detail.dialogue.id}"
    return _with_etag(response, detail)


@router.patch(
    "/dialogues/{dialogue_id}",
    response_model=DialogueOut,
    summary="Change a trajectory",
    responses={
        **WRITE_RESPONSES,
        412: {"description": "If-Match does not match the current ETag"},
        428: {"description": "If-Match is missing"},
    },
)
def update_dialogue(
    session: SessionDep,
    principal: ApiUser,
    dialogue_id: int,
    body: DialogueWrite,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> DialogueOut:
    """Needs an admin's key with scope `write` and the ETag from GET as `If-Match`. Only the fields given
    change; a list given replaces the whole list (give an item's `id` to keep it, e.g. SDFL's assessments of
    a criterion)."""
    authorize(principal, Action.manage)
    detail = manage.get_detail(session, principal, dialogue_id)
    require_if_match(if_match, etag_of_model(dialogue_out(detail)), what="dialogue")
    return _with_etag(response, manage.update_dialogue(session, principal, detail, _input(session, body)))
