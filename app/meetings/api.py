"""JSON API: dialogue sessions and their agenda items. Public data, no key needed; an API key shows what its
owner may see besides (a recording for participants, one before its release for staff). Admins write the report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from app.accounts.deps import ApiPrincipal, ApiUser
from app.db import SessionDep
from app.dialogues import manage as dialogues
from app.dialogues.participants import accepted_providers
from app.kit.api_route import ApiRoute
from app.kit.errors import NotFound, ValidationFailed
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_slice
from app.kit.pagination import Page, PageDep
from app.meetings import manage, service
from app.meetings.download import recording_response
from app.meetings.schemas import (
    AgendaItemCreate,
    AgendaItemOut,
    AgendaItemPatch,
    RecordingOut,
    ReportIn,
    SessionCreate,
    SessionOut,
    SessionPatch,
    SubgroupOut,
    SubgroupsIn,
    SubgroupsOut,
    TenderNedOut,
)
from app.models import AgendaItem, DialogueSession, User, id_of, is_valid_id, recording_release_moment
from app.policy import ANONYMOUS, Action, Principal, authorize

router = APIRouter(tags=["sessions"], route_class=ApiRoute)

PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the current ETag"},
    428: {"description": "If-Match is missing"},
}
CREATED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "Created",
        "headers": {
            "Location": {"description": "The new resource", "schema": {"type": "string"}},
            "ETag": {"description": "Send as If-Match to change it", "schema": {"type": "string"}},
        },
    }
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such session or agenda item"}}


def tenderned_out(row: DialogueSession) -> TenderNedOut | None:
    if row.tenderned_published_on is None or not row.tenderned_url:
        return None
    return TenderNedOut(
        published_on=row.tenderned_published_on, reference=row.tenderned_reference or "", url=row.tenderned_url
    )


def recording_out(meeting: DialogueSession, principal: Principal) -> RecordingOut | None:
    if not service.can_see_recording(principal, meeting):
        return None
    return RecordingOut(
        url=meeting.recording_url or f"/api/v1/sessions/{meeting.id}/recording",
        audience=meeting.recording_audience,  # type: ignore[arg-type]
        released_at=recording_release_moment(meeting),
        released=service.recording_released(meeting),
        filename=meeting.recording_filename,
        content_type=meeting.recording_content_type,
        size=meeting.recording_size if meeting.recording_file_path else None,
    )


def session_out(meeting: DialogueSession, principal: Principal = ANONYMOUS) -> SessionOut:
    public = service.report_is_public(meeting)
    recording = recording_out(meeting, principal)
    return SessionOut(
        id=meeting.id or 0,
        dialogue_id=meeting.dialogue_id,
        number=meeting.number,
        title=meeting.title,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        location=meeting.location,
        status=meeting.status,  # type: ignore[arg-type]
        report=meeting.report if public else None,
        report_published_at=meeting.report_published_at if public else None,
        tenderned=tenderned_out(meeting) if public else None,
        recorded=meeting.recorded,
        recording_url=recording.url if recording else None,
        recording=recording,
        calendar_url=f"/sessions/{meeting.id}/save-the-date.ics",
        updated_at=service.feed_moment(principal, meeting),
    )


def agenda_item_out(item: AgendaItem) -> AgendaItemOut:
    return AgendaItemOut(
        id=item.id or 0,
        session_id=item.session_id,
        position=item.position,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        title=item.title,
        description=item.description,
        format=item.format,  # type: ignore[arg-type]
        proposal_id=item.proposal_id,
        updated_at=item.updated_at,
    )


@router.get("/sessions", response_model=Page[SessionOut], summary="List dialogue sessions")
def list_sessions(db: SessionDep, principal: ApiPrincipal, params: PageDep, feed: FeedDep) -> Page[SessionOut]:
    """Sessions ordered by dialogue, number, then id; read as a feed (`updated_since`, `cursor`): by `updated_at`,
    then id."""
    check_paging(params, feed)
    items = service.list_meetings(db)
    if feed.active:
        rows, total, nxt = feed_slice(
            [session_out(m, principal) for m in items], feed, params, key=lambda o: Position(o.updated_at, o.id)
        )
        return feed_page(Page[SessionOut], rows, total, params, nxt)
    page = items[params.offset : params.offset + params.page_size]
    return Page[SessionOut].build([session_out(meeting, principal) for meeting in page], len(items), params)


def _one_session(meeting: DialogueSession, principal: Principal, response: Response) -> SessionOut:
    out = session_out(meeting, principal)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.get("/sessions/{session_id}", response_model=SessionOut, summary="One dialogue session", responses=NOT_FOUND)
def get_session(db: SessionDep, principal: ApiPrincipal, session_id: int, response: Response) -> SessionOut:
    """With an `ETag` to send as `If-Match` when changing it."""
    return _one_session(service.get_meeting(db, session_id)[0], principal, response)


def _admin(principal: Principal) -> User:
    authorize(principal, Action.manage)
    assert principal.user is not None
    return principal.user


def _drafter(principal: Principal) -> User:
    authorize(principal, Action.draft)
    assert principal.user is not None
    return principal.user


@router.post(
    "/sessions",
    response_model=SessionOut,
    status_code=201,
    summary="Create a dialogue session (admins)",
    responses={**CREATED, 422: {"description": "A field is wrong (each named in errors), e.g. a number taken"}},
)
def create_session(db: SessionDep, principal: ApiUser, body: SessionCreate, response: Response) -> SessionOut:
    """As the admin form: the number is unique in the trajectory (left out: the next one), the end after the start
    and at most 12 hours later; the save-the-date is mailed (not for a cancelled session). Needs an admin's `write`
    key."""
    actor = _admin(principal)
    dialogue = dialogues.chosen(db, str(body.dialogue_id))
    number = body.number or max((s.number for s in service.list_meetings(db, dialogue.id)), default=0) + 1
    data = manage.MeetingInput(
        number=number,
        title=body.title,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        location=body.location,
        status=body.status,
        recorded=body.recorded,
    )
    meeting = manage.create_meeting(db, dialogue, data, actor=actor)
    response.headers["Location"] = f"/api/v1/sessions/{meeting.id}"
    return _one_session(meeting, principal, response)


@router.patch(
    "/sessions/{session_id}",
    response_model=SessionOut,
    summary="Change a dialogue session (admins)",
    responses={**NOT_FOUND, **PRECONDITIONS, 422: {"description": "A field is wrong (each named in errors)"}},
)
def update_session(
    db: SessionDep,
    principal: ApiUser,
    session_id: int,
    body: SessionPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> SessionOut:
    """Send the ETag from GET as `If-Match`. Only the fields sent change; a new time or place goes out to the
    participants as a calendar update, a cancellation as a cancellation. A session that has a recording cannot be
    set to not recorded (422)."""
    actor = _admin(principal)
    meeting, dialogue = service.get_meeting(db, session_id)
    require_if_match(if_match, etag_of_model(session_out(meeting, principal)), what="session")
    changes = body.model_dump(exclude_unset=True)
    for name in ("number", "title", "starts_at", "ends_at", "location", "status", "recorded"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be null.", errors=[{"field": name, "message": "May not be null"}])
    data = manage.MeetingInput(
        number=changes.get("number", meeting.number),
        title=changes.get("title", meeting.title),
        starts_at=changes.get("starts_at", meeting.starts_at),
        ends_at=changes.get("ends_at", meeting.ends_at),
        location=changes.get("location", meeting.location),
        status=changes.get("status", meeting.status),
        recorded=changes.get("recorded", meeting.recorded),
    )
    manage.update_meeting(db, meeting, dialogue, data, actor=actor)
    return _one_session(meeting, principal, response)


@router.put(
    "/sessions/{session_id}/report",
    response_model=SessionOut,
    summary="Save or publish a session's report",
    responses={409: {"description": "The session is not marked held: its report cannot be published yet"}},
)
def put_report(db: SessionDep, principal: ApiPrincipal, session_id: int, body: ReportIn) -> SessionOut:
    """Admins (a write key). ``publish`` makes the report public from now on; 409 with the reason while the session
    is not marked held, 422 before its end or for an empty report."""
    authorize(principal, Action.manage)
    meeting, _dialogue = service.get_meeting(db, session_id)
    assert principal.user is not None
    manage.save_report(db, meeting, report=body.report, publish=body.publish, actor=principal.user)
    return session_out(meeting, principal)


@router.get(
    "/sessions/{session_id}/recording",
    summary="A session's recording",
    response_class=Response,
    responses={
        200: {"description": "The uploaded file (audio or video)"},
        303: {"description": "A recording that is a link: redirected there"},
        404: {"description": "No recording, or not (yet) for you"},
    },
)
def get_recording(db: SessionDep, principal: ApiPrincipal, session_id: int) -> Response:
    return recording_response(service.visible_recording(db, principal, session_id))


@router.get(
    "/sessions/{session_id}/agenda-items",
    response_model=Page[AgendaItemOut],
    summary="The agenda of a session",
    responses=NOT_FOUND,
)
def list_agenda_items(db: SessionDep, session_id: int, params: PageDep, feed: FeedDep) -> Page[AgendaItemOut]:
    """Agenda items ordered by position, start, then id; read as a feed (`updated_since`, `cursor`): by
    `updated_at`, then id (a deleted item leaves the list)."""
    check_paging(params, feed)
    service.get_meeting(db, session_id)
    items = service.agenda(db, session_id)
    if feed.active:
        rows, total, nxt = feed_slice(items, feed, params, key=lambda i: Position(i.updated_at, id_of(i)))
        return feed_page(Page[AgendaItemOut], [agenda_item_out(i) for i in rows], total, params, nxt)
    page = items[params.offset : params.offset + params.page_size]
    return Page[AgendaItemOut].build([agenda_item_out(i) for i in page], len(items), params)


def _one_item(item: AgendaItem, response: Response) -> AgendaItemOut:
    out = agenda_item_out(item)
    response.headers["ETag"] = etag_of_model(out)
    return out


def _item(db: SessionDep, item_id: int) -> tuple[AgendaItem, DialogueSession]:
    item = db.get(AgendaItem, item_id) if is_valid_id(item_id) else None
    if item is None:
        raise NotFound(f"Agenda item {item_id} does not exist.")
    return item, service.get_meeting(db, item.session_id)[0]


@router.post(
    "/sessions/{session_id}/agenda-items",
    response_model=AgendaItemOut,
    status_code=201,
    summary="Add an agenda item (admins and municipalities)",
    responses={**CREATED, **NOT_FOUND, 422: {"description": "A field is wrong, e.g. times outside the session"}},
)
def create_agenda_item(
    db: SessionDep, principal: ApiUser, session_id: int, body: AgendaItemCreate, response: Response
) -> AgendaItemOut:
    """As on the session's page: co-authored by SDFL and the municipalities (a `write` key of either). Times lie
    within the session; the item goes at the end of the agenda, or at `position`."""
    actor = _drafter(principal)
    meeting, _dialogue = service.get_meeting(db, session_id)
    data = manage.AgendaInput(
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        title=body.title,
        description=body.description,
        format=body.format,
        proposal_id=body.proposal_id,
    )
    item = manage.add_item(db, meeting, data, actor=actor)
    if body.position is not None:
        manage.place_item(db, meeting, item, body.position, actor=actor)
    response.headers["Location"] = f"/api/v1/agenda-items/{item.id}"
    return _one_item(item, response)


@router.get("/agenda-items/{item_id}", response_model=AgendaItemOut, summary="One agenda item", responses=NOT_FOUND)
def get_agenda_item(db: SessionDep, item_id: int, response: Response) -> AgendaItemOut:
    """Public, as the agenda; with an `ETag` to send as `If-Match` when changing it."""
    return _one_item(_item(db, item_id)[0], response)


@router.patch(
    "/agenda-items/{item_id}",
    response_model=AgendaItemOut,
    summary="Change or move an agenda item (admins and municipalities)",
    responses={**NOT_FOUND, **PRECONDITIONS, 422: {"description": "A field is wrong (each named in errors)"}},
)
def update_agenda_item(
    db: SessionDep,
    principal: ApiUser,
    item_id: int,
    body: AgendaItemPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> AgendaItemOut:
    """Send the ETag from GET as `If-Match`. Only the fields sent change (`proposal_id: null` unlinks the
    proposal); `position` moves the item to that place on the agenda, the others shifting."""
    actor = _drafter(principal)
    item, meeting = _item(db, item_id)
    require_if_match(if_match, etag_of_model(agenda_item_out(item)), what="agenda item")
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "description", "starts_at", "ends_at", "format", "position"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be null.", errors=[{"field": name, "message": "May not be null"}])
    position = changes.pop("position", None)
    if changes:
        data = manage.AgendaInput(
            starts_at=changes.get("starts_at", item.starts_at),
            ends_at=changes.get("ends_at", item.ends_at),
            title=changes.get("title", item.title),
            description=changes.get("description", item.description),
            format=changes.get("format", item.format),
            proposal_id=changes.get("proposal_id", item.proposal_id),
        )
        manage.update_item(db, meeting, item, data, actor=actor)
    if position is not None:
        manage.place_item(db, meeting, item, position, actor=actor)
    return _one_item(item, response)


@router.delete(
    "/agenda-items/{item_id}",
    status_code=204,
    summary="Delete an agenda item (admins and municipalities)",
    responses={**NOT_FOUND, **PRECONDITIONS},
)
def delete_agenda_item(
    db: SessionDep,
    principal: ApiUser,
    item_id: int,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    """Send the ETag from GET as `If-Match`; its subgroups go with it."""
    actor = _drafter(principal)
    item, meeting = _item(db, item_id)
    require_if_match(if_match, etag_of_model(agenda_item_out(item)), what="agenda item")
    manage.delete_item(db, meeting, item, actor=actor)
    return Response(status_code=204)


def _subgroups_out(db: SessionDep, item: AgendaItem) -> SubgroupsOut:
    groups = manage.subgroups(db, [id_of(item)])[id_of(item)]
    return SubgroupsOut(
        agenda_item_id=id_of(item),
        subgroups=[SubgroupOut(provider_id=p, subgroup=g) for p, g in sorted(groups.items())],
    )


@router.get(
    "/agenda-items/{item_id}/subgroups",
    response_model=SubgroupsOut,
    summary="The subgroups of an agenda item (staff)",
    responses=NOT_FOUND,
)
def get_agenda_item_subgroups(db: SessionDep, principal: ApiUser, item_id: int, response: Response) -> SubgroupsOut:
    """Admins and municipalities: which provider joins which subgroup, by provider id."""
    authorize(principal, Action.draft)
    out = _subgroups_out(db, _item(db, item_id)[0])
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.put(
    "/agenda-items/{item_id}/subgroups",
    response_model=SubgroupsOut,
    summary="Divide the providers over subgroups (admins)",
    responses={
        **NOT_FOUND,
        **PRECONDITIONS,
        409: {"description": "The agenda item is plenary: set its format to subgroups first"},
        422: {"description": "A provider that has not accepted the invitation to the trajectory"},
    },
)
def set_agenda_item_subgroups(
    db: SessionDep,
    principal: ApiUser,
    item_id: int,
    body: SubgroupsIn,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> SubgroupsOut:
    """The whole division, as the form: every accepted provider left out (or with an empty subgroup) is in none.
    Send the ETag from GET as `If-Match`. The providers whose subgroup changed are told."""
    actor = _admin(principal)
    item, meeting = _item(db, item_id)
    require_if_match(if_match, etag_of_model(_subgroups_out(db, item)), what="division in subgroups")
    allowed = {id_of(p) for p in accepted_providers(db, meeting.dialogue_id)}
    wanted = {row.provider_id: row.subgroup for row in body.subgroups}
    unknown = sorted(set(wanted) - allowed)
    if unknown:
        message = f"Not an accepted provider of this trajectory: {', '.join(map(str, unknown))}"
        raise ValidationFailed(message, errors=[{"field": "subgroups", "message": message}])
    manage.set_subgroups(db, item, {pid: wanted.get(pid, "") for pid in sorted(allowed)}, actor=actor)
    db.flush()
    out = _subgroups_out(db, item)
    response.headers["ETag"] = etag_of_model(out)
    return out
