"""HTML and files for the public: a session's page, its calendar entry, its report as PDF, and the
calendar feed of all sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.config import get_settings
from app.db import SessionDep
from app.dialogues.service import get_trajectory, visible_trajectories
from app.kit import clock
from app.kit.errors import AppError, NotFound
from app.kit.i18n import gettext as _
from app.meetings import manage, recordings, service
from app.meetings.download import recording_response
from app.models import AgendaFormat, Dialogue, DialogueSession, SessionStatus
from app.policy import ANONYMOUS, Action, can
from app.web.templates import render, templates

router = APIRouter()

ICS = "text/calendar; charset=utf-8"


def _page(
    request: Request, db: SessionDep, meeting_id: int, *, consent_error: str = "", status_code: int = 200
) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    agenda = service.agenda(db, meeting.id or 0)
    user = request.state.user
    principal = request.state.principal
    my_groups: dict[int, str] = {}
    if user is not None and user.provider_id:
        # A participant sees its own subgroup at each agenda item in subgroups.
        groups = manage.subgroups(db, [i.id for i in agenda if i.id and i.format == AgendaFormat.subgroups])
        my_groups = {item_id: g[user.provider_id] for item_id, g in groups.items() if user.provider_id in g}
    # An attendee of a recorded session is asked for consent (and may change the answer).
    asks_consent = meeting.recorded and can(principal.in_dialogue(meeting.dialogue_id), Action.consent_to_recording)
    return render(
        request,
        "meetings/detail.html",
        {
            "title": _("Sessie %(n)s: %(title)s", n=meeting.number, title=meeting.title),
            "s": meeting,
            "dialogue": dialogue,
            "agenda": agenda,
            "my_groups": my_groups,
            "report_public": service.report_is_public(meeting),
            "recording_visible": service.can_see_recording(principal, meeting),
            "recording_released": service.recording_released(meeting),
            "recording_href": service.recording_href(meeting),
            "asks_consent": asks_consent and meeting.status != SessionStatus.cancelled,
            "my_consent": recordings.my_consent(db, meeting, user) if asks_consent else None,
            "consent_error": consent_error,
            "documents": service.public_documents(db, meeting.id or 0),
        },
        status_code=status_code,
    )


@router.get("/sessions/{meeting_id}", include_in_schema=False)
def meeting_page(request: Request, db: SessionDep, meeting_id: int) -> Response:
    return _page(request, db, meeting_id)


@router.post("/sessions/{meeting_id}/consent", include_in_schema=False)
def give_consent(
    request: Request, db: SessionDep, meeting_id: int, consent: Annotated[str, Form(max_length=3)] = ""
) -> Response:
    """An attendee's yes or no to being recorded (no JavaScript needed: a form and a redirect)."""
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    if consent not in ("yes", "no"):
        return _page(request, db, meeting_id, consent_error=_("Kies ja of nee."), status_code=422)
    try:
        recordings.give_consent(db, request.state.principal, meeting, consent == "yes")
    except AppError as exc:
        if exc.status_code in (401, 403):
            raise
        return _page(request, db, meeting_id, consent_error=exc.detail, status_code=exc.status_code)
    return RedirectResponse(f"/sessions/{meeting.id}?consent=saved#recording-consent", status_code=303)


@router.get("/sessions/{meeting_id}/recording", include_in_schema=False)
def recording(request: Request, db: SessionDep, meeting_id: int) -> Response:
    """The recording (the file, or a redirect to its link): 404 before its release for everyone but staff, and
    for a recording for participants to everyone else."""
    return recording_response(service.visible_recording(db, request.state.principal, meeting_id))


@router.get("/sessions/{meeting_id}/save-the-date.ics", include_in_schema=False)
def save_the_date(db: SessionDep, meeting_id: int) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    return Response(
        service.calendar_bytes([(meeting, dialogue)]),
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="dialoogsessie-{meeting.number}.ics"'},
    )


@router.get("/sessions/{meeting_id}/report.pdf", include_in_schema=False)
def report_pdf(db: SessionDep, meeting_id: int) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    if not service.report_is_public(meeting):
        raise NotFound("Het verslag van deze sessie is nog niet gepubliceerd.", user_message=True)
    return Response(
        service.report_pdf(meeting, dialogue),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="verslag-dialoogsessie-{meeting.number}.pdf"'},
    )


def _calendar(meetings: list[tuple[DialogueSession, Dialogue]], name: str) -> Response:
    return Response(
        service.calendar_bytes(meetings, name=name),
        media_type=ICS,
        headers={"Content-Disposition": 'inline; filename="dialoogsessies.ics"'},
    )


@router.get("/sessions.ics", include_in_schema=False)
def calendar_feed(db: SessionDep) -> Response:
    """The sessions of every public trajectory, to subscribe to in a calendar app."""
    meetings = [
        (meeting, dialogue)
        for dialogue in visible_trajectories(db, ANONYMOUS)
        for meeting in service.list_meetings(db, dialogue.id)
    ]
    return _calendar(meetings, "Dialoog: sessies")


@router.get("/dialogues/{slug}/sessions.ics", include_in_schema=False)
def trajectory_calendar(request: Request, db: SessionDep, slug: str) -> Response:
    """The sessions of one trajectory (404 for a trajectory the reader may not see)."""
    dialogue = get_trajectory(db, request.state.principal, slug)
    meetings = [(meeting, dialogue) for meeting in service.list_meetings(db, dialogue.id)]
    return _calendar(meetings, f"Dialoog: {dialogue.title}")


def _feed(request: Request, items: list[service.Publication], *, title: str, path: str, page: str) -> Response:
    base_url = get_settings().base_url.rstrip("/")
    updated = max((p.updated for p in items), default=None)
    return templates.TemplateResponse(
        request,
        "feeds/publications.xml",
        {
            "feed_title": title,
            "items": items,
            "updated": (updated or clock.now()).isoformat(),
            "self_url": f"{base_url}{path}",
            "page_url": f"{base_url}{page}",
        },
        media_type="application/atom+xml",
    )


@router.get("/feed.atom", include_in_schema=False)
def feed(request: Request, db: SessionDep) -> Response:
    """An Atom feed of the publications of every public trajectory, so that anyone (providers that were not
    selected too) can follow them."""
    items = service.all_publications(db, visible_trajectories(db, ANONYMOUS))
    return _feed(request, items, title="Dialoog: publicaties van alle trajecten", path="/feed.atom", page="/")


@router.get("/dialogues/{slug}/feed.atom", include_in_schema=False)
def trajectory_feed(request: Request, db: SessionDep, slug: str) -> Response:
    """The Atom feed of one trajectory's publications (404 for a trajectory the reader may not see)."""
    dialogue = get_trajectory(db, request.state.principal, slug)
    items = service.publications(db, dialogue)
    title = f"Dialoog: {dialogue.title}"
    if dialogue.tender_reference:
        title += f" (kenmerk TenderNed {dialogue.tender_reference})"
    path = f"/dialogues/{dialogue.slug}"
    return _feed(request, items, title=title, path=f"{path}/feed.atom", page=path)
