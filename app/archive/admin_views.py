"""HTML for admins: the Woo archive of a trajectory, asked for and downloaded on its administration page.

The panel shows on the trajectory's page (app.main registers ``archive_panel`` with app.dialogues.admin_views, which
may not import this higher layer). Asking for an archive leads to its own page: done at once for a small
trajectory, else it shows the scheduler's progress (htmx asks for the status block every two seconds; without
JavaScript the page has a link to look again) and the download once it is there.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import AdminUser, WebPrincipal
from app.archive import service
from app.db import SessionDep
from app.kit.i18n import gettext as _
from app.models import ArchiveStatus, Dialogue
from app.web.templates import render

router = APIRouter(prefix="/admin/dialogues")

PANEL = "archive/_panel.html"


def archive_panel(session: Session, dialogue: Dialogue) -> tuple[str, dict[str, Any]]:
    """The archive as a panel of the trajectory page (app.dialogues.admin_views.register_panel)."""
    return PANEL, {"dialogue": dialogue, "exports": service.recent(session, dialogue), "statuses": ArchiveStatus}


@router.post("/{slug}/archive", include_in_schema=False)
def ask(
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    slug: str,
    without_personal_data: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    dialogue = service.dialogue_for_archive(session, principal, slug)
    job = service.request_archive(session, principal, dialogue, personal_data=not without_personal_data)
    return RedirectResponse(f"/admin/dialogues/{dialogue.slug}/archive/{job.id}", status_code=303)


@router.get("/{slug}/archive/{job_id}", include_in_schema=False)
def status(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, slug: str, job_id: int
) -> Response:
    dialogue = service.dialogue_for_archive(session, principal, slug)
    job = service.job_of(session, principal, dialogue, job_id)
    return render(
        request,
        "archive/admin_job.html",
        {
            "title": _("Woo-archief: %(title)s", title=dialogue.title),
            "dialogue": dialogue,
            "job": job,
            "statuses": ArchiveStatus,
            "working": job.status in (ArchiveStatus.queued, ArchiveStatus.building),
        },
        block="status",
    )


@router.get("/{slug}/archive/{job_id}/download", include_in_schema=False)
def download(session: SessionDep, admin: AdminUser, principal: WebPrincipal, slug: str, job_id: int) -> Response:
    dialogue = service.dialogue_for_archive(session, principal, slug)
    path, filename = service.archive_file(session, principal, dialogue, job_id)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=filename,
        headers={"Cache-Control": "private, no-store"},
    )
