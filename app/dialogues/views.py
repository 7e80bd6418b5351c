"""HTML: the home page (the trajectories, or on a new installation the start page) and a trajectory's public
page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.dialogues import service
from app.dialogues.participants import GROUP_LABELS
from app.kit.i18n import gettext as _
from app.models import TARGET_GROUPS
from app.policy import ANONYMOUS, Principal
from app.web.templates import render

router = APIRouter()


def _principal(request: Request) -> Principal:
    """Who asks (set for every request by app.accounts.deps.load_user, the app's dependency)."""
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)
    return principal


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep) -> Response:
    page = service.home(session, _principal(request))
    if isinstance(page, service.FirstRun):
        return render(request, "dialogues/start.html", {"title": _("Welkom bij Dialoog"), "start": page})
    return render(
        request,
        "dialogues/home.html",
        {
            "title": _("Trajecten"),
            "rows": page,
            "kind_labels": service.KIND_LABELS,
            "status_labels": service.STATUS_LABELS,
        },
    )


@router.get("/dialogues/{slug}", include_in_schema=False)
def trajectory(request: Request, session: SessionDep, slug: str) -> Response:
    page = service.trajectory_page(session, _principal(request), slug)
    return render(
        request,
        "dialogues/trajectory.html",
        {
            "title": page.dialogue.title,
            "page": page,
            "dialogue": page.dialogue,
            "kind_labels": service.KIND_LABELS,
            "status_labels": service.STATUS_LABELS,
            "group_labels": GROUP_LABELS,
            "target_groups": TARGET_GROUPS,
        },
    )
