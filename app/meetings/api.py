"""JSON API: dialogue sessions and their agenda items. Public data, no key needed; an API key shows what its
owner may see besides (a recording for participants, one before its release for staff). Admins write the report."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.accounts.deps import ApiPrincipal
from app.db import SessionDep
from app.kit.api_route import ApiRoute
from app.kit.pagination import Page, PageDep
from app.meetings import manage, service
from app.meetings.download import recording_response
from app.meetings.schemas import AgendaItemOut, RecordingOut, ReportIn, SessionOut, TenderNedOut
from app.models import AgendaItem, DialogueSession, recording_release_moment
from app.policy import ANONYMOUS, Action, Principal, authorize

router = APIRouter(tags=["sessions"], route_class=ApiRoute)


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
    )


@router.get("/sessions", response_model=Page[SessionOut], summary="List dialogue sessions")
def list_sessions(db: SessionDep, principal: ApiPrincipal, params: PageDep) -> Page[SessionOut]:
    """Sessions ordered by dialogue, number, then id."""
    items = service.list_meetings(db)
    page = items[params.offset : params.offset + params.page_size]
    return Page[SessionOut].build([session_out(meeting, principal) for meeting in page], len(items), params)


@router.get("/sessions/{session_id}", response_model=SessionOut, summary="One dialogue session")
def get_session(db: SessionDep, principal: ApiPrincipal, session_id: int) -> SessionOut:
    return session_out(service.get_meeting(db, session_id)[0], principal)


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
    "/sessions/{session_id}/agenda-items", response_model=Page[AgendaItemOut], summary="The agenda of a session"
)
def list_agenda_items(db: SessionDep, session_id: int, params: PageDep) -> Page[AgendaItemOut]:
    """Agenda items ordered by position, start, then id."""
    service.get_meeting(db, session_id)
    items = service.agenda(db, session_id)
    page = items[params.offset : params.offset + params.page_size]
    return Page[AgendaItemOut].build([agenda_item_out(i) for i in page], len(items), params)
