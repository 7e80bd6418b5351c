"""HTML: the personal overview after sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.deps import SignedInUser, WebPrincipal
from app.db import SessionDep
from app.kit.i18n import gettext as _
from app.overview.service import overview
from app.web.templates import render

router = APIRouter()


@router.get("/overzicht", include_in_schema=False)
def personal_overview(request: Request, db: SessionDep, user: SignedInUser, principal: WebPrincipal) -> Response:
    return render(request, "overview/overview.html", {"title": _("Overzicht"), "o": overview(db, principal)})
