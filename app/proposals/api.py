"""JSON API for proposals, versions, sections and comments.

Reading follows the pages: a public proposal's published versions need no key, comments need a participant's
key. Comments are created, edited and withdrawn with a ``write`` key while the window is open (409 outside it).
Every comment has an ETag; PATCH and DELETE need it as ``If-Match`` (428 without, 412 when stale). POST takes
an ``Idempotency-Key`` header: a retry with the same key returns the comment made the first time.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from app.accounts.deps import ApiPrincipal, ApiUser, client_ip
from app.db import SessionDep
from app.feedback.context import get_comment as find_comment
from app.feedback.editing import edit_comment as change_comment
from app.feedback.editing import withdraw_comment as withdraw
from app.feedback.listing import CommentFilter, CommentRow, comment_row, create_and_read
from app.feedback.listing import list_comments as comment_list
from app.feedback.window import window_state
from app.feedback.writing import CommentInput
from app.kit.api_route import ApiRoute
from app.kit.api_types import NoNulStr, UtcMoment
from app.kit.etags import etag_of_model, require_if_match
from app.kit.pagination import Page, PageDep
from app.models import Comment, Proposal, ProposalVersion, Section
from app.policy import Action, authorize
from app.proposals import reading
from app.proposals.schemas import (
    AuthorOut,
    CommentCreate,
    CommentOut,
    CommentPatch,
    KindName,
    ProposalOut,
    ProviderRef,
    SectionOut,
    StatusName,
    VersionOut,
)

router = APIRouter(tags=["proposals"], route_class=ApiRoute)

CONFLICTS: dict[int | str, dict[str, Any]] = {
    409: {"description": "The comment window is closed, or the version is not the current one"},
}
PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the current ETag"},
    428: {"description": "If-Match is missing"},
}


def proposal_out(proposal: Proposal, current: int | None) -> ProposalOut:
    return ProposalOut(
        id=proposal.id or 0,
        dialogue_id=proposal.dialogue_id,
        slug=proposal.slug,
        topic=proposal.topic,  # type: ignore[arg-type]
        title=proposal.title,
        summary=proposal.summary,
        status=proposal.status,  # type: ignore[arg-type]
        public=proposal.public,
        opens_at=proposal.opens_at,
        closes_at=proposal.closes_at,
        window=window_state(proposal),  # type: ignore[arg-type]
        current_version=current,
        updated_at=proposal.updated_at,
    )


def version_out(v: ProposalVersion) -> VersionOut:
    return VersionOut(
        proposal_id=v.proposal_id,
        number=v.number,
        status=v.status,  # type: ignore[arg-type]
        published_at=v.published_at,
        change_summary=v.change_summary,
    )


def section_out(s: Section) -> SectionOut:
    return SectionOut(
        id=s.id or 0,
        key=s.key,
        position=s.position,
        heading=s.heading,
        kind=s.kind,  # type: ignore[arg-type]
        body=s.body,
        body_html=s.body_html,
    )


def comment_out(row: CommentRow) -> CommentOut:
    c = row.comment
    withdrawn = c.deleted_at is not None
    return CommentOut(
        id=c.id or 0,
        dialogue_id=row.proposal.dialogue_id,
        proposal_id=row.proposal.id or 0,
        version=row.version.number,
        section_id=row.section.id or 0,
        section_key=row.section.key,
        parent_id=c.parent_id,
        author=AuthorOut(
            id=c.author_id,
            name=row.author_name,
            organisation=row.organisation,
            stakeholder_group=row.stakeholder_group,  # type: ignore[arg-type]
        ),
        provider=ProviderRef(id=c.provider_id, name=row.provider_name or "") if c.provider_id else None,
        kind=c.kind,  # type: ignore[arg-type]
        body=None if withdrawn else c.body,
        body_html=None if withdrawn else c.body_html,
        quote=None if withdrawn else c.quote,
        suggested_text=None if withdrawn else c.suggested_text,
        official=c.official,
        status=row.status,  # type: ignore[arg-type]
        created_at=c.created_at,
        edited_at=c.edited_at,
        withdrawn_at=c.deleted_at,
    )


def _with_etag(response: Response, row: CommentRow) -> CommentOut:
    """The reader's representation of a comment, with its ETag (of exactly that body) in the response."""
    out = comment_out(row)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.get("/proposals", response_model=Page[ProposalOut], summary="List proposals")
def list_proposals(
    session: SessionDep,
    principal: ApiPrincipal,
    params: PageDep,
    dialogue_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Of this trajectory only")] = None,
) -> Page[ProposalOut]:
    """Ordered by title, then id. Without a key: public published proposals; providers and consultation
    participants: public ones and every published one of the trajectories they take part in; municipalities:
    every published one; admins: drafts too."""
    rows = reading.list_proposals(session, principal, dialogue_id)
    page = rows[params.offset : params.offset + params.page_size]
    return Page[ProposalOut].build([proposal_out(r.proposal, r.version) for r in page], len(rows), params)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, summary="One proposal")
def get_proposal(session: SessionDep, principal: ApiPrincipal, proposal_id: int, response: Response) -> ProposalOut:
    proposal, all_versions = reading.proposal_versions(session, principal, proposal_id)
    current = reading.current_of(all_versions)
    out = proposal_out(proposal, current.number if current else None)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.get("/proposals/{proposal_id}/versions", response_model=list[VersionOut], summary="A proposal's versions")
def list_versions(session: SessionDep, principal: ApiPrincipal, proposal_id: int) -> list[VersionOut]:
    """Oldest first; drafts only for admins."""
    _proposal, all_versions = reading.proposal_versions(session, principal, proposal_id)
    return [version_out(v) for v in all_versions]


@router.get("/proposals/{proposal_id}/versions/{number}", response_model=VersionOut, summary="One version")
def get_version(
    session: SessionDep, principal: ApiPrincipal, proposal_id: int, number: int, response: Response
) -> VersionOut:
    _proposal, all_versions = reading.proposal_versions(session, principal, proposal_id)
    out = version_out(reading.pick_version(all_versions, number))
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.get(
    "/proposals/{proposal_id}/versions/{number}/sections",
    response_model=list[SectionOut],
    summary="The sections of a version",
)
def list_sections(session: SessionDep, principal: ApiPrincipal, proposal_id: int, number: int) -> list[SectionOut]:
    """In their order in the version."""
    return [section_out(s) for s in reading.version_sections(session, principal, proposal_id, number)]


@router.get("/comments", response_model=Page[CommentOut], summary="List comments")
def list_comments(
    session: SessionDep,
    principal: ApiUser,
    params: PageDep,
    dialogue_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Of this trajectory only")] = None,
    proposal_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    version: Annotated[int | None, Query(ge=1, le=10_000, description="Version number (with proposal_id)")] = None,
    section_key: Annotated[NoNulStr | None, Query(max_length=100)] = None,
    provider_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    kind: KindName | None = None,
    status: StatusName | None = None,
    since: Annotated[
        UtcMoment | None, Query(description="Created at or after this moment (ISO 8601 with offset)")
    ] = None,
) -> Page[CommentOut]:
    """Comments and replies a participant may see, oldest first (created_at, then id): a provider's user or a
    consultation participant sees those of the trajectories it takes part in (and its own). Withdrawn comments
    stay in the list with `withdrawn_at` set and their text null."""
    filters = CommentFilter(
        dialogue_id=dialogue_id,
        proposal_id=proposal_id,
        version=version,
        section_key=section_key,
        provider_id=provider_id,
        kind=kind,
        status=status,
        since=since,
    )
    rows, total = comment_list(session, principal, filters, params)
    return Page[CommentOut].build([comment_out(r) for r in rows], total, params)


@router.get("/comments/{comment_id}", response_model=CommentOut, summary="One comment")
def get_comment(session: SessionDep, principal: ApiUser, comment_id: int, response: Response) -> CommentOut:
    """With an `ETag` to send as `If-Match` when editing or withdrawing."""
    return _with_etag(response, comment_row(session, principal, comment_id))


@router.post(
    "/comments",
    response_model=CommentOut,
    status_code=201,
    summary="Comment on a section, or reply",
    responses={
        **CONFLICTS,
        200: {"description": "A retry: the comment made earlier with this Idempotency-Key"},
        422: {"description": "Invalid body, or an Idempotency-Key already used for a different request"},
        429: {
            "description": "Too many comments in a short time: the key's (or user's) budget is spent",
            "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        },
    },
)
def create_comment(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    body: CommentCreate,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=80, pattern=r"^[\x21-\x7e]+$")] = None,
) -> CommentOut:
    """Needs a `write` key; a provider's user comments for its own provider. `kind` is required unless
    `parent_id` is given. Send an `Idempotency-Key` header to retry safely."""
    row, created = create_and_read(
        session,
        principal,
        body.section_id,
        CommentInput(
            body=body.body,
            kind=body.kind,
            quote=body.quote,
            suggested_text=body.suggested_text,
            parent_id=body.parent_id,
        ),
        idempotency_key=idempotency_key,
        ip=client_ip(request),
    )
    if not created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"  # issue 20 (H-contract): a replay says so
    response.headers["Location"] = f"/api/v1/comments/{row.comment.id}"
    return _with_etag(response, row)


def _check_if_match(session: SessionDep, principal: ApiUser, if_match: str | None, comment: Comment) -> None:
    """The author only (403 before anything else); then If-Match must name the ETag of the comment as the author
    reads it now (a list is fine)."""
    authorize(principal, Action.edit_own_comment, author_id=comment.author_id)
    current = etag_of_model(comment_out(comment_row(session, principal, comment.id or 0)))
    require_if_match(if_match, current, what="comment")


@router.patch(
    "/comments/{comment_id}",
    response_model=CommentOut,
    summary="Edit your own comment",
    responses={**CONFLICTS, **PRECONDITIONS},
)
def edit_comment(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    comment_id: int,
    body: CommentPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> CommentOut:
    """Only the author, with a `write` key, while the window is open. The text before is kept in the history."""
    comment, context = find_comment(session, principal, comment_id)
    _check_if_match(session, principal, if_match, comment)
    fields = body.model_fields_set
    data = CommentInput(
        kind=body.kind if "kind" in fields else comment.kind,
        body=body.body if "body" in fields and body.body is not None else comment.body,
        quote=body.quote if "quote" in fields else comment.quote,
        suggested_text=body.suggested_text if "suggested_text" in fields else comment.suggested_text,
    )
    change_comment(session, principal, comment, context, data, ip=client_ip(request))
    session.flush()
    return _with_etag(response, comment_row(session, principal, comment_id))


@router.delete(
    "/comments/{comment_id}",
    status_code=204,
    summary="Withdraw your own comment",
    responses={**CONFLICTS, **PRECONDITIONS},
)
def withdraw_comment(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    comment_id: int,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Only the author, while the window is open. The comment stays in its thread as withdrawn."""
    comment, context = find_comment(session, principal, comment_id)
    _check_if_match(session, principal, if_match, comment)
    withdraw(session, principal, comment, context, ip=client_ip(request))
    return Response(status_code=204)
