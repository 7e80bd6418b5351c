"""HTML for admins: per trajectory, which municipalities must approve its releases (the sign-off settings).

The settings show on the trajectory's administration page as a panel (app.main registers ``settings_panel`` with
app.dialogues.admin_views, which may not import this higher layer), and on a page of their own, where a refused
form comes back with its error."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app.accounts.deps import AdminUser, WebPrincipal
from app.db import SessionDep, rollback_now
from app.dialogues import manage as dialogues
from app.kit.errors import AppError, field_errors, invalid
from app.kit.i18n import gettext as _
from app.models import Dialogue, Municipality
from app.signoff import service
from app.web.templates import render

router = APIRouter(prefix="/admin/dialogues")

SETTINGS = "signoff/_settings.html"


def _context(
    session: Session, dialogue: Dialogue, *, chosen: set[int] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    municipalities = session.exec(
        select(Municipality).where(col(Municipality.archived_at).is_(None)).order_by(Municipality.name)
    ).all()
    required = chosen if chosen is not None else {m.id or 0 for m in service.required(session, dialogue)}
    return {
        "dialogue": dialogue,
        "municipalities": list(municipalities),
        "required_ids": required,
        "chosen_by_sdfl": dialogue.signoff_chosen,
        "errors": errors or {},
    }


def settings_panel(session: Session, dialogue: Dialogue) -> tuple[str, dict[str, Any]]:
    """The settings as a panel of the trajectory page (app.dialogues.admin_views.register_panel)."""
    return SETTINGS, _context(session, dialogue)


def _page(
    request: Request,
    session: Session,
    dialogue: Dialogue,
    *,
    chosen: set[int] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "signoff/admin_settings.html",
        {
            "title": _("Akkoord van gemeenten: %(title)s", title=dialogue.title),
            "panel": {"context": _context(session, dialogue, chosen=chosen, errors=errors)},
        },
        status_code=status_code,
    )


@router.get("/{slug}/signoff", include_in_schema=False)
def settings(request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, slug: str) -> Response:
    return _page(request, session, dialogues.by_slug(session, principal, slug).dialogue)


@router.post("/{slug}/signoff", include_in_schema=False)
def save_settings(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    slug: str,
    municipality_id: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """SDFL chooses which municipalities must approve the trajectory's releases (possibly none)."""
    dialogue = dialogues.by_slug(session, principal, slug).dialogue
    raw = (municipality_id or [])[:200]
    ids = {int(v) for v in raw if v.isascii() and v.isdigit() and len(v) <= 10}
    try:
        if len(ids) != len(set(raw)):
            raise invalid({"municipality_id": _("Een gekozen gemeente bestaat niet.")})
        service.set_required(session, principal, dialogue, ids, actor=admin)
    except AppError as exc:
        if exc.status_code != 422:
            raise
        rollback_now(session)
        return _page(request, session, dialogue, chosen=ids, errors=field_errors(exc), status_code=422)
    return RedirectResponse(f"/admin/dialogues/{dialogue.slug}?saved=signoff#signoff", status_code=303)
