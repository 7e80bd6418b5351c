"""HTML and files for the public: a session's page, its calendar entry, its report as PDF, and the
calendar feed of all sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.config import get_settings
from app.db import SessionDep
from app.dialogues.service import get_trajectory, visible_trajectories
from app.kit import clock
from app.kit.errors import NotFound
from app.kit.i18n import gettext as _
from app.meetings import manage, service
from app.models import AgendaFormat, Dialogue, DialogueSession
from app.policy import ANONYMOUS
from app.web.templates import render, templates

router = APIRouter()

ICS = "text/calendar; charset=utf-8"


@router.get("/sessions/{meeting_id}", include_in_schema=False)
def meeting_page(request: Request, db: SessionDep, meeting_id: int) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    agenda = service.agenda(db, meeting.id or 0)
    user = request.state.user
    my_groups: dict[int, str] = {}
    if user is not None and user.provider_id:
        # A participant sees its own subgroup at each agenda item in subgroups.
        groups = manage.subgroups(db, [i.id for i in agenda if i.id and i.format == AgendaFormat.subgroups])
        my_groups = {item_id: g[user.provider_id] for item_id, g in groups.items() if user.provider_id in g}
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
            "documents": service.public_documents(db, meeting.id or 0),
        },
    )


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
