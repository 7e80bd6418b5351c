"""HTML: the statements (public) and their texts (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import SignedInUser, WebPrincipal
from app.db import SessionDep
from app.kit.errors import N_, AppError, field_errors
from app.kit.i18n import get_locale
from app.kit.i18n import gettext as _
from app.sitepages import service
from app.web.templates import env, render

router = APIRouter()

# Every page shows who runs the installation (the header's brand, the statements): ``site()`` in the templates.
env.globals["site"] = service.identity


def _statement(request: Request, db: SessionDep, slug: str) -> Response:
    page = service.shown_page(db, slug, get_locale())
    return render(request, "sitepages/page.html", {"title": page.title, "page": page})


@router.get("/toegankelijkheidsverklaring", include_in_schema=False)
def accessibility(request: Request, db: SessionDep) -> Response:
    return _statement(request, db, "toegankelijkheidsverklaring")


@router.get("/privacy", include_in_schema=False)
def privacy(request: Request, db: SessionDep) -> Response:
    return _statement(request, db, "privacy")


@router.get("/contact", include_in_schema=False)
def contact(request: Request, db: SessionDep) -> Response:
    return _statement(request, db, "contact")


# --- admins ---------------------------------------------------------------------------------------------------

NOTICES = {
    "saved": N_("De tekst is opgeslagen en staat nu op de pagina."),
    "reset": N_("De standaardtekst staat weer op de pagina."),
    "unchanged": N_("Deze pagina had al de standaardtekst."),
}


@router.get("/admin/pages", include_in_schema=False)
def admin_pages(
    request: Request,
    db: SessionDep,
    user: SignedInUser,
    principal: WebPrincipal,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    rows = service.admin_list(db, principal)
    return render(
        request,
        "sitepages/admin_list.html",
        {"title": _("Pagina's"), "rows": rows, "notice": _(NOTICES[done]) if done in NOTICES else ""},
    )


def _edit_form(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    slug: str,
    locale: str,
    *,
    body: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = service.edit_page(db, principal, slug, locale)
    return render(
        request,
        "sitepages/admin_edit.html",
        {
            "title": _("%(page)s bewerken", page=page.title),
            "page": page,
            "body": page.body if body is None else body,
            "errors": errors or {},
            "max_body": service.MAX_BODY,
            "placeholder_names": ", ".join("{" + name + "}" for name in page.placeholders),
        },
        status_code=status_code,
        block="content",
    )


@router.get("/admin/pages/{slug}", include_in_schema=False)
def edit_page(
    request: Request,
    db: SessionDep,
    user: SignedInUser,
    principal: WebPrincipal,
    slug: str,
    locale: Annotated[str, Query(max_length=5)] = "nl",
) -> Response:
    return _edit_form(request, db, principal, slug, locale)


def _back(slug: str, locale: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/pages?done={done}#page-{slug}-{locale}", status_code=303)


@router.post("/admin/pages/{slug}", include_in_schema=False)
def save_page(
    request: Request,
    db: SessionDep,
    user: SignedInUser,
    principal: WebPrincipal,
    slug: str,
    locale: Annotated[str, Form(max_length=5)] = "nl",
    body: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    try:
        service.save(db, principal, slug, locale, body, actor=user)
    except AppError as exc:
        if exc.status_code != 422:
            raise
        return _edit_form(request, db, principal, slug, locale, body=body, errors=field_errors(exc), status_code=422)
    return _back(slug, locale, "saved")


@router.post("/admin/pages/{slug}/reset", include_in_schema=False)
def reset_page(
    request: Request,
    db: SessionDep,
    user: SignedInUser,
    principal: WebPrincipal,
    slug: str,
    locale: Annotated[str, Form(max_length=5)] = "nl",
) -> Response:
    changed = service.reset(db, principal, slug, locale, actor=user)
    return _back(slug, locale, "reset" if changed else "unchanged")
