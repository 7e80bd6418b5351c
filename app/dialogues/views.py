"""HTML: the public home page of the dialogue, or on a new installation the start page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.dialogues import service
from app.kit.i18n import gettext as _
from app.models import TARGET_GROUPS
from app.web.templates import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep) -> Response:
    page = service.home(session)
    if isinstance(page, service.FirstRun):
        return render(request, "dialogues/start.html", {"title": _("Welkom bij Dialoog"), "start": page})
    return render(
        request,
        "dialogues/home.html",
        {
            "dialogue": page.dialogue,
            "care_form": page.care_form,
            "sessions": page.sessions,
            "participants": page.participants,
            "counts": page.counts,
            "target_groups": TARGET_GROUPS,
        },
    )
