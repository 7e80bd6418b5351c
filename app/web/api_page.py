"""``/api``: what the API is, in plain Dutch, for those who build a link to Dialoog; the technical reference
(Swagger, in English) is at ``/api/docs``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.kit.i18n import gettext as _
from app.web.templates import render

router = APIRouter()


@router.get("/api", include_in_schema=False)
def about_the_api(request: Request) -> Response:
    return render(request, "web/api.html", {"title": _("De API van Dialoog")})
