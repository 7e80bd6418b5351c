"""HTML and files for the public: a session's page, its calendar entry, its report as PDF, and the
calendar feed of all sessions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.config import get_settings
from app.db import SessionDep
from app.dialogues.service import current_dialogue
from app.kit.errors import NotFound
from app.kit.i18n import gettext as _
from app.meetings import manage, service
from app.models import AgendaFormat
from app.web.templates import render, templates

router = APIRouter()

ICS = "text/calendar; charset=utf-8"


@router.get("/sessions/{session_id}", include_in_schema=False)
def session_page(request: Request, session: SessionDep, session_id: int) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    agenda = service.agenda(session, ds.id or 0)
    user = request.state.user
    my_groups: dict[int, str] = {}
    if user is not None and user.provider_id:
        # A participant sees its own subgroup at each agenda item in subgroups.
        groups = manage.subgroups(session, [i.id for i in agenda if i.id and i.format == AgendaFormat.subgroups])
        my_groups = {item_id: g[user.provider_id] for item_id, g in groups.items() if user.provider_id in g}
    return render(
        request,
        "sessions/detail.html",
        {
            "title": _("Sessie %(n)s: %(title)s", n=ds.number, title=ds.title),
            "s": ds,
            "dialogue": dialogue,
            "agenda": agenda,
            "my_groups": my_groups,
            "report_public": service.report_is_public(ds),
            "documents": service.public_documents(session, ds.id or 0),
        },
    )


@router.get("/sessions/{session_id}/save-the-date.ics", include_in_schema=False)
def save_the_date(session: SessionDep, session_id: int) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    return Response(
        service.calendar_bytes([(ds, dialogue)]),
        media_type=ICS,
        headers={"Content-Disposition": f'attachment; filename="dialoogsessie-{ds.number}.ics"'},
    )


@router.get("/sessions/{session_id}/report.pdf", include_in_schema=False)
def report_pdf(session: SessionDep, session_id: int) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    if not service.report_is_public(ds):
        raise NotFound("Het verslag van deze sessie is nog niet gepubliceerd.", user_message=True)
    return Response(
        service.report_pdf(ds, dialogue),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="verslag-dialoogsessie-{ds.number}.pdf"'},
    )


@router.get("/sessions.ics", include_in_schema=False)
def calendar_feed(session: SessionDep) -> Response:
    """All sessions of the dialogue, to subscribe to in a calendar app."""
    dialogue, _care_form = current_dialogue(session)
    sessions = [(ds, dialogue) for ds in service.list_sessions(session, dialogue.id)]
    return Response(
        service.calendar_bytes(sessions, name=f"Dialoog: {dialogue.title}"),
        media_type=ICS,
        headers={"Content-Disposition": 'inline; filename="dialoogsessies.ics"'},
    )


@router.get("/feed.atom", include_in_schema=False)
def feed(request: Request, session: SessionDep) -> Response:
    """An Atom feed of publications, so providers that were not selected can follow the dialogue."""
    dialogue, _care_form = current_dialogue(session)
    items = service.publications(session, dialogue)
    updated = (items[0].updated if items else dialogue.updated_at).isoformat()
    response = templates.TemplateResponse(
        request,
        "feeds/publications.xml",
        {"dialogue": dialogue, "items": items, "updated": updated, "base_url": get_settings().base_url.rstrip("/")},
        media_type="application/atom+xml",
    )
    return response
