"""JSON API for proposals, versions, sections and comments.

Reading follows the pages: a public proposal's published versions need no key, comments need a participant's
key. Comments are created, edited and withdrawn with a ``write`` key while the window is open (409 outside it).
Every comment has an ETag; PATCH and DELETE need it as ``If-Match`` (428 without, 412 when stale). POST takes
an ``Idempotency-Key`` header: a retry with the same key returns the comment made the first time.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from app.accounts.deps import ApiPrincipal, ApiUser, client_ip
from app.db import SessionDep
from app.feedback import release as releasing
from app.feedback.context import get_comment as find_comment
from app.feedback.editing import edit_comment as change_comment
from app.feedback.editing import withdraw_comment as withdraw
from app.feedback.listing import CommentFilter, CommentRow, comment_row, create_and_read, read_comments
from app.feedback.notes import add_note
from app.feedback.positions import set_position
from app.feedback.triage import feedback_comment
from app.feedback.triage import triage as triage_comment
from app.feedback.window import window_state
from app.feedback.writing import CommentInput
from app.kit import clock
from app.kit.api_route import ApiRoute
from app.kit.api_types import NoNulStr, UtcMoment
from app.kit.errors import Conflict, Forbidden, NotFound
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_slice
from app.kit.pagination import Page, PageDep
from app.models import MAX_ID, Comment, Dialogue, Proposal, ProposalVersion, Section, VersionStatus, id_of
from app.policy import Action, authorize
from app.proposals import manage, reading
from app.proposals.representation import comment_out
from app.proposals.schemas import (
    CommentCreate,
    CommentOut,
    CommentPatch,
    KindName,
    NoteAuthorOut,
    NoteCreate,
    NoteOut,
    PositionPut,
    ProposalCreate,
    ProposalOut,
    ProposalPatch,
    PublishCreate,
    ReleaseCheckOut,
    ReleaseCreate,
    ReleaseOut,
    ReviewPatch,
    SectionCreate,
    SectionOut,
    SectionPatch,
    SignoffCreate,
    StatusName,
    VersionCreate,
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
        publish_at=v.publish_at,
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
    feed: FeedDep,
    dialogue_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Of this trajectory only")] = None,
) -> Page[ProposalOut]:
    """Ordered by title, then id. Without a key: public published proposals; providers and consultation
    participants: public ones and every published one of the trajectories they take part in; municipalities:
    every published one; admins: drafts too. As a change feed (`updated_since`, `cursor`): ordered by
    (`updated_at`, id); a proposal changes when its details change or a version is published."""
    check_paging(params, feed)
    rows = reading.list_proposals(session, principal, dialogue_id)
    if feed.active:
        chosen, total, nxt = feed_slice(
            rows, feed, params, key=lambda r: Position(r.proposal.updated_at, r.proposal.id or 0)
        )
        return feed_page(Page[ProposalOut], [proposal_out(r.proposal, r.version) for r in chosen], total, params, nxt)
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
    feed: FeedDep,
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
    stay in the list with `withdrawn_at` set and their text null.

    Read as a change feed (`updated_since`, `updated_until` or `cursor`): ordered by (`updated_at`, id), where
    `updated_at` is the latest change you may see: written, edited, withdrawn, a decision or official reply once
    released (reviewers: also decisions, positions and notes as they are made; SDFL: drafted replies). A comment
    that changes while you page moves behind your cursor and comes again, newer; none is skipped. Reviewers get
    `official_reply`, `positions` and `notes`; participants the released official reply only."""
    check_paging(params, feed)
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
    rows, total, next_cursor = read_comments(session, principal, filters, params, feed=feed)
    if feed.active:
        return feed_page(Page[CommentOut], [comment_out(r) for r in rows], total, params, next_cursor)
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


# --- reviewers: triage, positions, notes, release ----------------------------------------------------------


def _reviewer_tag(session: SessionDep, principal: ApiUser, comment_id: int, if_match: str | None) -> None:
    """If-Match must name the ETag of the comment as this reviewer reads it now (GET /comments/{id})."""
    current = etag_of_model(comment_out(comment_row(session, principal, comment_id)))
    require_if_match(if_match, current, what="comment")


@router.patch(
    "/comments/{comment_id}/review",
    response_model=CommentOut,
    summary="Triage a comment: SDFL's decision and drafted official reply",
    responses={**PRECONDITIONS, 403: {"description": "Not SDFL (admins only)"}},
)
def review_comment(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    comment_id: int,
    body: ReviewPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> CommentOut:
    """SDFL (an admin's `write` key): set the working decision (`status`) and/or write the drafted official reply
    (`official_reply`), as the review dashboard does. Reviewers see both at once; participants only after the
    release (`POST /dialogues/{id}/release`). `niet_overgenomen` needs an official reply. Send the comment's ETag
    as `If-Match`."""
    authorize(principal, Action.triage)
    feedback_comment(session, comment_id)  # 404 unless reviewable feedback
    _reviewer_tag(session, principal, comment_id, if_match)
    triage_comment(session, principal, comment_id, status=body.status, reply=body.official_reply, ip=client_ip(request))
    session.flush()
    return _with_etag(response, comment_row(session, principal, comment_id))


@router.put(
    "/comments/{comment_id}/positions/{municipality_id}",
    response_model=CommentOut,
    summary="Set your municipality's position on a comment",
    responses={**PRECONDITIONS, 403: {"description": "Not a reviewer of this municipality"}},
)
def set_comment_position(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    comment_id: int,
    municipality_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    body: PositionPut,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> CommentOut:
    """A municipality's reviewer (`write` key) marks a comment relevant for its own municipality with a stance
    (`toelichting` needs a note). Reviewers see it in `positions`; participants never. Send the comment's ETag
    as `If-Match`."""
    _own_municipality(principal, municipality_id)
    feedback_comment(session, comment_id)
    _reviewer_tag(session, principal, comment_id, if_match)
    set_position(session, principal, comment_id, body.stance, body.note, ip=client_ip(request))
    session.flush()
    return _with_etag(response, comment_row(session, principal, comment_id))


@router.delete(
    "/comments/{comment_id}/positions/{municipality_id}",
    status_code=204,
    summary="Remove your municipality's position on a comment",
    responses={**PRECONDITIONS, 403: {"description": "Not a reviewer of this municipality"}},
)
def delete_comment_position(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    comment_id: int,
    municipality_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Unmark the comment for your municipality (nothing happens when it was not marked)."""
    _own_municipality(principal, municipality_id)
    feedback_comment(session, comment_id)
    _reviewer_tag(session, principal, comment_id, if_match)
    set_position(session, principal, comment_id, "", "", ip=client_ip(request))
    return Response(status_code=204)


def _own_municipality(principal: ApiUser, municipality_id: int) -> None:
    authorize(principal, Action.take_position)
    if principal.user is None or principal.user.municipality_id != municipality_id:
        raise Forbidden("A municipality's reviewers take the position of their own municipality only.")


def _note_out(session: SessionDep, principal: ApiUser, comment_id: int, note_id: int) -> NoteOut:
    row = comment_row(session, principal, comment_id)
    note = next((n for n in (row.details.notes or []) if n.id == note_id), None) if row.details else None
    if note is None:
        raise NotFound("No such note.")
    return NoteOut(
        id=note.id,
        author=NoteAuthorOut(name=note.author_name, organisation=note.organisation),
        body=note.body,
        body_html=note.body_html,
        created_at=note.created_at,
    )


@router.post(
    "/comments/{comment_id}/notes",
    response_model=NoteOut,
    status_code=201,
    summary="Add an internal note to a comment",
    responses={403: {"description": "Not a reviewer"}, 429: {"description": "Too many writes in a short time"}},
)
def create_comment_note(
    request: Request, session: SessionDep, principal: ApiUser, comment_id: int, body: NoteCreate, response: Response
) -> NoteOut:
    """Reviewers (municipalities and SDFL, `write` key): a note the other reviewers read; participants never."""
    note = add_note(session, principal, comment_id, body.body, ip=client_ip(request))
    out = _note_out(session, principal, comment_id, note.id or 0)
    response.headers["Location"] = f"/api/v1/comments/{comment_id}/notes/{note.id}"
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.get("/comments/{comment_id}/notes/{note_id}", response_model=NoteOut, summary="One internal note")
def get_comment_note(
    session: SessionDep, principal: ApiUser, comment_id: int, note_id: int, response: Response
) -> NoteOut:
    """Reviewers only."""
    authorize(principal, Action.read_internal_notes)
    out = _note_out(session, principal, comment_id, note_id)
    response.headers["ETag"] = etag_of_model(out)
    return out


def _dialogue(session: SessionDep, dialogue_id: int) -> Dialogue:
    dialogue = session.get(Dialogue, dialogue_id) if 0 < dialogue_id <= MAX_ID else None
    if dialogue is None:
        raise NotFound("No such trajectory.")
    return dialogue


def _check_out(check: releasing.ReleaseCheck) -> ReleaseCheckOut:
    shown = check.content
    return ReleaseCheckOut(
        dialogue_id=id_of(shown.dialogue),
        digest=shown.digest,
        replies=[id_of(r.reply) for r in shown.replies],
        decisions=[id_of(d.comment) for d in shown.decisions],
        agenda=[a.link.comment_id for a in shown.agenda],
        cleared=check.signoff.cleared,
    )


@router.get(
    "/dialogues/{dialogue_id}/release",
    response_model=ReleaseCheckOut,
    summary="What the next release of a trajectory would publish",
    responses={403: {"description": "Not a reviewer"}},
)
def get_release_check(session: SessionDep, principal: ApiUser, dialogue_id: int) -> ReleaseCheckOut:
    """Reviewers: every drafted official reply and pending decision of the trajectory, the digest to release
    exactly that, and whether the required municipalities approved."""
    return _check_out(releasing.check(session, principal, _dialogue(session, dialogue_id)))


@router.post(
    "/dialogues/{dialogue_id}/release",
    response_model=ReleaseOut,
    summary="Release the official replies and decisions of a trajectory",
    responses={
        403: {"description": "Not SDFL"},
        409: {"description": "Nothing to release, something changed since the digest, or approvals are missing"},
    },
)
def release_replies(
    request: Request, session: SessionDep, principal: ApiUser, dialogue_id: int, body: ReleaseCreate
) -> ReleaseOut:
    """SDFL (an admin's `write` key), as the release page does: every drafted official reply and pending decision
    of the trajectory goes out at `release_at` (now when omitted), together; refused (409) until every required
    municipality approved exactly this (`digest` from `GET /dialogues/{id}/release`)."""
    authorize(principal, Action.triage)
    dialogue = _dialogue(session, dialogue_id)
    if body.override_reason is not None:
        releasing.override(session, principal, dialogue, digest=body.digest, reason=body.override_reason)
    released = releasing.release(
        session, principal, body.release_at, dialogue=dialogue, ip=client_ip(request), digest=body.digest
    )
    return ReleaseOut(
        dialogue_id=dialogue_id,
        release_at=released.moment or clock.now(),
        replies=released.replies,
        decisions=released.decisions,
    )


# --- SDFL: proposals, draft versions with sections, publishing ------------------------------------------------


def _proposal_read(session: SessionDep, principal: ApiUser, proposal_id: int) -> ProposalOut:
    proposal, all_versions = reading.proposal_versions(session, principal, proposal_id)
    current = reading.current_of(all_versions)
    return proposal_out(proposal, current.number if current else None)


def _proposal_input(p: Proposal, body: ProposalCreate | ProposalPatch) -> manage.ProposalInput:
    fields = body.model_fields_set
    return manage.ProposalInput(
        topic=body.topic if "topic" in fields and body.topic is not None else p.topic,
        title=body.title if "title" in fields and body.title is not None else p.title,
        summary=body.summary if "summary" in fields and body.summary is not None else p.summary,
        opens_at=body.opens_at if "opens_at" in fields else p.opens_at,
        closes_at=body.closes_at if "closes_at" in fields else p.closes_at,
        public=body.public if "public" in fields and body.public is not None else p.public,
    )


@router.post(
    "/proposals",
    response_model=ProposalOut,
    status_code=201,
    summary="Create a proposal (with an empty draft version 1)",
    responses={403: {"description": "Not SDFL"}},
)
def create_proposal(session: SessionDep, principal: ApiUser, body: ProposalCreate, response: Response) -> ProposalOut:
    """SDFL (an admin's `write` key), as the proposals form: a draft proposal in the trajectory, with an empty draft
    version 1 to add sections to."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    data = manage.ProposalInput(
        topic=body.topic,
        title=body.title,
        summary=body.summary,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        public=body.public,
    )
    proposal = manage.create_proposal(session, data, actor=principal.user, dialogue_ref=str(body.dialogue_id))
    session.flush()
    out = _proposal_read(session, principal, proposal.id or 0)
    response.headers["Location"] = f"/api/v1/proposals/{proposal.id}"
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.patch(
    "/proposals/{proposal_id}",
    response_model=ProposalOut,
    summary="Change a proposal's details",
    responses={**PRECONDITIONS, 403: {"description": "Not SDFL"}},
)
def update_proposal(
    session: SessionDep,
    principal: ApiUser,
    proposal_id: int,
    body: ProposalPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> ProposalOut:
    """SDFL: topic, title, summary, comment window, public. Send the proposal's ETag as `If-Match`."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    require_if_match(if_match, etag_of_model(_proposal_read(session, principal, proposal_id)), what="proposal")
    proposal = manage.get_proposal(session, proposal_id)
    manage.update_proposal(session, proposal, _proposal_input(proposal, body), actor=principal.user)
    session.flush()
    out = _proposal_read(session, principal, proposal_id)
    response.headers["ETag"] = etag_of_model(out)
    return out


def _the_draft(session: SessionDep, proposal: Proposal, number: int) -> ProposalVersion:
    """Version ``number`` of ``proposal`` if it is the draft; 404 for no such version, 409 for a published one."""
    versions = manage.all_versions(session, proposal)
    version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise NotFound("No such version.")
    if version.status != VersionStatus.draft:
        raise Conflict("A published version never changes: start a new version (POST .../versions).")
    return version


def _version_location(proposal_id: int, number: int) -> str:
    return f"/api/v1/proposals/{proposal_id}/versions/{number}"


@router.post(
    "/proposals/{proposal_id}/versions",
    response_model=VersionOut,
    status_code=201,
    summary="Start the next draft version",
    responses={403: {"description": "Not SDFL"}, 409: {"description": "There is a draft version already"}},
)
def create_version(
    session: SessionDep, principal: ApiUser, proposal_id: int, body: VersionCreate, response: Response
) -> VersionOut:
    """SDFL: a new draft as a copy of the last published version (every section keeps its key, so threads line
    up); with `sections`, the copy's sections are replaced by these."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    proposal = manage.get_proposal(session, proposal_id)
    draft = manage.new_version(session, proposal, actor=principal.user)
    session.flush()
    if body.sections is not None:
        for old in reading.sections_of(session, [draft.id or 0]):
            manage.delete_section(session, proposal, old.id or 0, actor=principal.user)
        session.flush()
        for new in body.sections:
            manage.add_section(
                session,
                proposal,
                manage.SectionInput(heading=new.heading, body=new.body, kind=new.kind),
                actor=principal.user,
            )
        session.flush()
    out = version_out(draft)
    response.headers["Location"] = _version_location(proposal_id, draft.number)
    response.headers["ETag"] = etag_of_model(out)
    return out


def _section_of(session: SessionDep, principal: ApiUser, proposal_id: int, number: int, key: str) -> Section:
    section = next((s for s in reading.version_sections(session, principal, proposal_id, number) if s.key == key), None)
    if section is None:
        raise NotFound("No such section.")
    return section


@router.get(
    "/proposals/{proposal_id}/versions/{number}/sections/{key}",
    response_model=SectionOut,
    summary="One section of a version",
)
def get_section(
    session: SessionDep, principal: ApiPrincipal, proposal_id: int, number: int, key: str, response: Response
) -> SectionOut:
    """With an `ETag` to send as `If-Match` when changing a draft's section."""
    out = section_out(_section_of(session, principal, proposal_id, number, key))
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.post(
    "/proposals/{proposal_id}/versions/{number}/sections",
    response_model=SectionOut,
    status_code=201,
    summary="Add a section to the draft version",
    responses={403: {"description": "Not SDFL or a municipality"}, 409: {"description": "Not the draft version"}},
)
def create_section(
    session: SessionDep, principal: ApiUser, proposal_id: int, number: int, body: SectionCreate, response: Response
) -> SectionOut:
    """SDFL and the municipalities co-author the draft (`write` key); the key is made from the heading and stays
    the same in later versions."""
    authorize(principal, Action.draft)
    assert principal.user is not None
    proposal = manage.get_proposal(session, proposal_id)
    _the_draft(session, proposal, number)
    data = manage.SectionInput(heading=body.heading, body=body.body, kind=body.kind)
    section = manage.add_section(session, proposal, data, actor=principal.user)
    session.flush()
    out = section_out(section)
    response.headers["Location"] = f"{_version_location(proposal_id, number)}/sections/{section.key}"
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.patch(
    "/proposals/{proposal_id}/versions/{number}/sections/{key}",
    response_model=SectionOut,
    summary="Change a section of the draft version",
    responses={**PRECONDITIONS, 403: {"description": "Not SDFL or a municipality"}, 409: {"description": "Published"}},
)
def update_section(
    session: SessionDep,
    principal: ApiUser,
    proposal_id: int,
    number: int,
    key: str,
    body: SectionPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> SectionOut:
    """Heading, text (Markdown) or kind; the key stays. Send the section's ETag as `If-Match`."""
    authorize(principal, Action.draft)
    assert principal.user is not None
    proposal = manage.get_proposal(session, proposal_id)
    _the_draft(session, proposal, number)
    section = _section_of(session, principal, proposal_id, number, key)
    require_if_match(if_match, etag_of_model(section_out(section)), what="section")
    fields = body.model_fields_set
    data = manage.SectionInput(
        heading=body.heading if "heading" in fields and body.heading is not None else section.heading,
        body=body.body if "body" in fields and body.body is not None else section.body,
        kind=body.kind if "kind" in fields and body.kind is not None else section.kind,
    )
    manage.update_section(session, proposal, section.id or 0, data, actor=principal.user, only_changed=True)
    session.flush()
    out = section_out(section)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.delete(
    "/proposals/{proposal_id}/versions/{number}/sections/{key}",
    status_code=204,
    summary="Delete a section of the draft version",
    responses={**PRECONDITIONS, 403: {"description": "Not SDFL or a municipality"}, 409: {"description": "Published"}},
)
def delete_section(
    session: SessionDep,
    principal: ApiUser,
    proposal_id: int,
    number: int,
    key: str,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Send the section's ETag as `If-Match`; its text is gone then."""
    authorize(principal, Action.draft)
    assert principal.user is not None
    proposal = manage.get_proposal(session, proposal_id)
    _the_draft(session, proposal, number)
    section = _section_of(session, principal, proposal_id, number, key)
    require_if_match(if_match, etag_of_model(section_out(section)), what="section")
    manage.delete_section(session, proposal, section.id or 0, actor=principal.user)
    return Response(status_code=204)


@router.post(
    "/proposals/{proposal_id}/versions/{number}/publish",
    response_model=VersionOut,
    summary="Publish the draft version, or schedule it",
    responses={403: {"description": "Not SDFL"}, 409: {"description": "Not the draft version, or in a package"}},
)
def publish_version(
    session: SessionDep, principal: ApiUser, proposal_id: int, number: int, body: PublishCreate, response: Response
) -> VersionOut:
    """SDFL: publish the draft now (immutable from then on; every participant gets a mail), or with `publish_at`
    schedule it (the scheduler publishes it then; `publish_at` null with a scheduled draft: no longer scheduled
    is not done here, use the admin page). Version 2 on needs a `change_summary`."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    proposal = manage.get_proposal(session, proposal_id)
    _the_draft(session, proposal, number)
    if body.publish_at is not None:
        version = manage.schedule_publication(
            session, proposal, publish_at=body.publish_at, change_summary=body.change_summary, actor=principal.user
        )
    else:
        version = manage.publish(session, proposal, change_summary=body.change_summary, actor=principal.user)
    session.flush()
    out = version_out(version)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.post(
    "/dialogues/{dialogue_id}/release/signoffs",
    response_model=ReleaseCheckOut,
    status_code=200,
    summary="Approve, or object to, what the next release would publish",
    responses={403: {"description": "Not a municipality's reviewer"}, 409: {"description": "Changed since"}},
)
def create_release_signoff(
    session: SessionDep, principal: ApiUser, dialogue_id: int, body: SignoffCreate
) -> ReleaseCheckOut:
    """A required municipality's reviewer (`write` key), as on the check page: approve exactly what `digest`
    names, or object with a note. Any later change to a reply or decision withdraws the approval."""
    authorize(principal, Action.sign_off)
    dialogue = _dialogue(session, dialogue_id)
    releasing.decide(session, principal, dialogue, digest=body.digest, decision=body.decision, note=body.note)
    session.flush()
    return _check_out(releasing.check(session, principal, dialogue))
