"""JSON API: dialogue sessions and their agenda items. Public data, no key needed."""

from __future__ import annotations

from fastapi import APIRouter

from app.db import SessionDep
from app.kit.pagination import Page, PageDep
from app.meetings import service
from app.meetings.schemas import AgendaItemOut, SessionOut
from app.models import AgendaItem, DialogueSession

router = APIRouter(tags=["sessions"])


def session_out(meeting: DialogueSession) -> SessionOut:
    public = service.report_is_public(meeting)
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
        recording_url=meeting.recording_url if public else None,
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
def list_sessions(db: SessionDep, params: PageDep) -> Page[SessionOut]:
    """Sessions ordered by dialogue, number, then id."""
    items = service.list_meetings(db)
    page = items[params.offset : params.offset + params.page_size]
    return Page[SessionOut].build([session_out(meeting) for meeting in page], len(items), params)


@router.get("/sessions/{session_id}", response_model=SessionOut, summary="One dialogue session")
def get_session(db: SessionDep, session_id: int) -> SessionOut:
    return session_out(service.get_meeting(db, session_id)[0])


@router.get(
    "/sessions/{session_id}/agenda-items", response_model=Page[AgendaItemOut], summary="The agenda of a session"
)
def list_agenda_items(db: SessionDep, session_id: int, params: PageDep) -> Page[AgendaItemOut]:
    """Agenda items ordered by position, start, then id."""
    service.get_meeting(db, session_id)
    items = service.agenda(db, session_id)
    page = items[params.offset : params.offset + params.page_size]
    return Page[AgendaItemOut].build([agenda_item_out(i) for i in page], len(items), params)
