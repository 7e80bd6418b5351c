"""HTML admin pages (SDFL only) for the organisations: providers with their contact persons, the CSV import,
municipalities and care forms. Each route is glue around one call of ``app.providers.manage`` (or the import);
a form with errors is shown again with each error next to its field and everything typed kept."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import AdminUser
from app.db import SessionDep
from app.kit.errors import AppError, Conflict, field_errors
from app.kit.i18n import gettext as _
from app.models import TARGET_GROUPS, CareForm, Municipality, Provider, ProviderSize
from app.providers import csv_import, manage, service
from app.web.templates import render

router = APIRouter(prefix="/admin")

SIZE_OPTIONS = [(size.value, manage.SIZE_LABELS[size]) for size in ProviderSize]
TAG_OPTIONS = list(TARGET_GROUPS.items())


def _errors_of(exc: AppError) -> dict[str, str]:
    """Field errors to show next to the fields; an error without fields shows above the form."""
    return field_errors(exc) if exc.errors else {"form": exc.detail}


# --- providers ------------------------------------------------------------------------------------


@router.get("/providers", include_in_schema=False)
def providers(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    tag: Annotated[str, Query(max_length=60)] = "",
    size: Annotated[str, Query(max_length=20)] = "",
    archived: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    rows = service.all_providers(session, tag=tag or None, size=size or None, archived=archived == "1")
    by_provider = service.contracted_municipalities(session, [p.id for p in rows if p.id])
    return render(
        request,
        "providers/list.html",
        {
            "title": _("Zorgaanbieders"),
            "rows": rows,
            "municipalities_of": by_provider,
            "contact_counts": service.contact_counts(session, [p.id for p in rows if p.id]),
            "tag": tag,
            "size": size,
            "archived": archived == "1",
            "sizes": SIZE_OPTIONS,
            "size_labels": manage.SIZE_LABELS,
            "tags": TAG_OPTIONS,
            "tag_labels": TARGET_GROUPS,
        },
        block="results",
    )


def _provider_form_context(session: Session, provider: Provider | None, **extra: Any) -> dict[str, Any]:
    contracted = set(manage.contracted_codes(session, provider)) if provider else set()
    municipalities = [
        m for m in service.all_municipalities(session, archived=True) if m.archived_at is None or m.code in contracted
    ]
    return {
        "provider": provider,
        "sizes": SIZE_OPTIONS,
        "tags": TAG_OPTIONS,
        "municipalities": municipalities,
        "contacts": manage.contacts(session, provider) if provider else [],
        "contact_values": {},
        "contact_errors": {},
        "errors": {},
        **extra,
    }


def _provider_values(session: Session, provider: Provider) -> dict[str, Any]:
    return {
        "name": provider.name,
        "slug": provider.slug,
        "size": provider.size,
        "tags": list(provider.tags or []),
        "municipalities": manage.contracted_codes(session, provider),
        "active_outside_flevoland": provider.active_outside_flevoland,
        "website": provider.website,
        "description": provider.description,
    }


@router.get("/providers/new", include_in_schema=False)
def new_provider(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(
        request,
        "providers/form.html",
        _provider_form_context(
            session, None, title=_("Nieuwe zorgaanbieder"), values={"size": "medium", "tags": [], "municipalities": []}
        ),
    )


def _provider_input(
    name: str,
    slug: str,
    size: str,
    tags: list[str],
    municipalities: list[str],
    active_outside_flevoland: str,
    website: str,
    description: str,
) -> tuple[manage.ProviderInput, dict[str, Any]]:
    values: dict[str, Any] = {
        "name": name,
        "slug": slug,
        "size": size,
        "tags": tags,
        "municipalities": municipalities,
        "active_outside_flevoland": active_outside_flevoland == "1",
        "website": website,
        "description": description,
    }
    return manage.ProviderInput(**values), values


NameField = Annotated[str, Form(max_length=200)]
SlugField = Annotated[str, Form(max_length=100)]
SizeField = Annotated[str, Form(max_length=20)]
ListField = Annotated[list[str], Form(max_length=100)]
FlagField = Annotated[str, Form(max_length=1)]
WebsiteField = Annotated[str, Form(max_length=300)]
DescriptionField = Annotated[str, Form(max_length=manage.MAX_DESCRIPTION)]


@router.post("/providers", include_in_schema=False)
def create_provider(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    name: NameField = "",
    slug: SlugField = "",
    size: SizeField = "medium",
    tags: ListField = [],  # noqa: B006 - FastAPI copies defaults
    municipalities: ListField = [],  # noqa: B006
    active_outside_flevoland: FlagField = "",
    website: WebsiteField = "",
    description: DescriptionField = "",
) -> Response:
    data, values = _provider_input(
        name, slug, size, tags, municipalities, active_outside_flevoland, website, description
    )
    try:
        provider = manage.create_provider(session, data, actor=admin)
    except AppError as exc:
        return render(
            request,
            "providers/form.html",
            _provider_form_context(
                session, None, title=_("Nieuwe zorgaanbieder"), values=values, errors=_errors_of(exc)
            ),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/providers/{provider.id}?created=1", status_code=303)


@router.get("/providers/import", include_in_schema=False)
def import_form(request: Request, admin: AdminUser) -> Response:
    return render(request, "providers/import.html", _import_context())


def _import_context(**extra: Any) -> dict[str, Any]:
    return {
        "title": _("Zorgaanbieders importeren"),
        "max_rows": csv_import.MAX_ROWS,
        "max_mb": csv_import.MAX_BYTES // 1_000_000,
        "tag_labels": TARGET_GROUPS,
        "rows": [],
        "plan": None,
        "invite": True,
        "payload": "",
        **extra,
    }


@router.post("/providers/import", include_in_schema=False)
async def import_providers(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    file: Annotated[UploadFile | None, File()] = None,
    payload: Annotated[str, Form(max_length=2 * csv_import.MAX_BYTES)] = "",
    step: Annotated[str, Form(pattern="^(check|import)$")] = "check",
    invite: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """``check``: read the uploaded file and show what importing would do (or every bad row); ``import``: check
    the same file (sent back from the preview) once more and import it."""
    if file is not None and file.filename:
        content = await file.read(csv_import.MAX_BYTES + 1)
    else:
        try:
            content = base64.b64decode(payload.encode(), validate=True)
        except (binascii.Error, ValueError):
            content = b""
    if not content:
        return render(
            request,
            "providers/import.html",
            _import_context(errors={"file": _("Kies een CSV-bestand.")}, invite=invite == "1"),
            status_code=422,
        )
    try:
        if step == "import":
            result = csv_import.import_providers(session, content, actor=admin, invite=invite == "1")
            return RedirectResponse(
                f"/admin/providers?imported={result.created + result.updated}&contacts={result.contacts}",
                status_code=303,
            )
        plan = csv_import.check_import(session, content)
    except csv_import.ImportRejected as exc:
        return render(
            request,
            "providers/import.html",
            _import_context(rows=exc.rows, detail=exc.detail, invite=invite == "1"),
            status_code=422,
        )
    return render(
        request,
        "providers/import.html",
        _import_context(plan=plan, payload=base64.b64encode(content).decode(), invite=invite == "1"),
    )


@router.get("/providers/{provider_id}", include_in_schema=False)
def edit_provider(request: Request, session: SessionDep, admin: AdminUser, provider_id: int) -> Response:
    provider = service.get_provider(session, provider_id)
    return render(
        request,
        "providers/form.html",
        _provider_form_context(session, provider, title=provider.name, values=_provider_values(session, provider)),
    )


@router.post("/providers/{provider_id}", include_in_schema=False)
def update_provider(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    provider_id: int,
    name: NameField = "",
    slug: SlugField = "",
    size: SizeField = "medium",
    tags: ListField = [],  # noqa: B006
    municipalities: ListField = [],  # noqa: B006
    active_outside_flevoland: FlagField = "",
    website: WebsiteField = "",
    description: DescriptionField = "",
) -> Response:
    provider = service.get_provider(session, provider_id)
    data, values = _provider_input(
        name, slug, size, tags, municipalities, active_outside_flevoland, website, description
    )
    try:
        manage.update_provider(session, provider, data, actor=admin)
    except AppError as exc:
        return render(
            request,
            "providers/form.html",
            _provider_form_context(session, provider, title=provider.name, values=values, errors=_errors_of(exc)),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/providers/{provider.id}?saved=1", status_code=303)


@router.post("/providers/{provider_id}/contacts", include_in_schema=False)
def add_contact(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    provider_id: int,
    contact_name: Annotated[str, Form(max_length=200)] = "",
    contact_email: Annotated[str, Form(max_length=320)] = "",
    invite: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    provider = service.get_provider(session, provider_id)
    try:
        manage.add_contact(session, provider, name=contact_name, email=contact_email, actor=admin, invite=invite == "1")
    except AppError as exc:
        return render(
            request,
            "providers/form.html",
            _provider_form_context(
                session,
                provider,
                title=provider.name,
                values=_provider_values(session, provider),
                contact_values={"contact_name": contact_name, "contact_email": contact_email, "invite": invite == "1"},
                contact_errors=_errors_of(exc),
            ),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/providers/{provider.id}?contact=1#contacts", status_code=303)


@router.post("/providers/{provider_id}/archive", include_in_schema=False)
def archive_provider(
    session: SessionDep,
    admin: AdminUser,
    provider_id: int,
    archived: Annotated[str, Form(pattern="^(0|1)$")],
) -> Response:
    provider = service.get_provider(session, provider_id)
    manage.archive_provider(session, provider, archived=archived == "1", actor=admin)
    return RedirectResponse(f"/admin/providers/{provider.id}?archived={archived}", status_code=303)


@router.post("/providers/{provider_id}/delete", include_in_schema=False)
def delete_provider(request: Request, session: SessionDep, admin: AdminUser, provider_id: int) -> Response:
    provider = service.get_provider(session, provider_id)
    try:
        manage.delete_provider(session, provider, actor=admin)
    except Conflict as exc:
        return render(
            request,
            "providers/form.html",
            _provider_form_context(
                session, provider, title=provider.name, values=_provider_values(session, provider), refused=exc.detail
            ),
            status_code=409,
        )
    return RedirectResponse("/admin/providers?deleted=1", status_code=303)


# --- municipalities -------------------------------------------------------------------------------


def _municipalities_page(
    request: Request, session: Session, *, archived: bool, status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "providers/municipalities.html",
        {
            "title": _("Gemeenten"),
            "rows": service.all_municipalities(session, archived=archived),
            "archived": archived,
            "values": {"in_procurement": True},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/municipalities", include_in_schema=False)
def municipalities(
    request: Request, session: SessionDep, admin: AdminUser, archived: Annotated[str, Query(max_length=1)] = ""
) -> Response:
    return _municipalities_page(request, session, archived=archived == "1")


CodeField = Annotated[str, Form(max_length=10)]
MunicipalityName = Annotated[str, Form(max_length=100)]


@router.post("/municipalities", include_in_schema=False)
def create_municipality(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    code: CodeField = "",
    name: MunicipalityName = "",
    in_procurement: FlagField = "",
) -> Response:
    values: dict[str, Any] = {"code": code, "name": name, "in_procurement": in_procurement == "1"}
    try:
        m = manage.create_municipality(session, manage.MunicipalityInput(**values), actor=admin)
    except AppError as exc:
        return _municipalities_page(
            request, session, archived=False, values=values, errors=_errors_of(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/municipalities?created={m.id}", status_code=303)


def _municipality_page(
    request: Request, municipality: Municipality, *, values: dict[str, Any], status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "providers/municipality_form.html",
        {"title": municipality.name, "municipality": municipality, "values": values, "errors": {}, **extra},
        status_code=status_code,
    )


def _municipality_values(m: Municipality) -> dict[str, Any]:
    return {"code": m.code, "name": m.name, "in_procurement": m.in_procurement}


@router.get("/municipalities/{municipality_id}", include_in_schema=False)
def edit_municipality(request: Request, session: SessionDep, admin: AdminUser, municipality_id: int) -> Response:
    m = service.get_municipality(session, municipality_id)
    return _municipality_page(request, m, values=_municipality_values(m))


@router.post("/municipalities/{municipality_id}", include_in_schema=False)
def update_municipality(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    municipality_id: int,
    code: CodeField = "",
    name: MunicipalityName = "",
    in_procurement: FlagField = "",
) -> Response:
    m = service.get_municipality(session, municipality_id)
    values: dict[str, Any] = {"code": code, "name": name, "in_procurement": in_procurement == "1"}
    try:
        manage.update_municipality(session, m, manage.MunicipalityInput(**values), actor=admin)
    except AppError as exc:
        return _municipality_page(request, m, values=values, errors=_errors_of(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/municipalities/{m.id}?saved=1", status_code=303)


@router.post("/municipalities/{municipality_id}/archive", include_in_schema=False)
def archive_municipality(
    session: SessionDep, admin: AdminUser, municipality_id: int, archived: Annotated[str, Form(pattern="^(0|1)$")]
) -> Response:
    m = service.get_municipality(session, municipality_id)
    manage.archive_municipality(session, m, archived=archived == "1", actor=admin)
    return RedirectResponse(f"/admin/municipalities/{m.id}?archived={archived}", status_code=303)


@router.post("/municipalities/{municipality_id}/delete", include_in_schema=False)
def delete_municipality(request: Request, session: SessionDep, admin: AdminUser, municipality_id: int) -> Response:
    m = service.get_municipality(session, municipality_id)
    try:
        manage.delete_municipality(session, m, actor=admin)
    except Conflict as exc:
        return _municipality_page(request, m, values=_municipality_values(m), refused=exc.detail, status_code=409)
    return RedirectResponse("/admin/municipalities?deleted=1", status_code=303)


# --- care forms -----------------------------------------------------------------------------------


def _care_forms_page(
    request: Request, session: Session, *, archived: bool, status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "providers/care_forms.html",
        {
            "title": _("Zorgvormen"),
            "rows": manage.list_care_forms(session, archived=archived),
            "archived": archived,
            "values": {},
            "errors": {},
            **extra,
        },
        status_code=status_code,
    )


@router.get("/care-forms", include_in_schema=False)
def care_forms(
    request: Request, session: SessionDep, admin: AdminUser, archived: Annotated[str, Query(max_length=1)] = ""
) -> Response:
    return _care_forms_page(request, session, archived=archived == "1")


KeyField = Annotated[str, Form(max_length=60)]


@router.post("/care-forms", include_in_schema=False)
def create_care_form(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    key: KeyField = "",
    name: NameField = "",
    description: DescriptionField = "",
) -> Response:
    values = {"key": key, "name": name, "description": description}
    try:
        c = manage.create_care_form(session, manage.CareFormInput(**values), actor=admin)
    except AppError as exc:
        return _care_forms_page(
            request, session, archived=False, values=values, errors=_errors_of(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/care-forms?created={c.id}", status_code=303)


def _care_form_page(
    request: Request, care_form: CareForm, *, values: dict[str, Any], status_code: int = 200, **extra: Any
) -> Response:
    return render(
        request,
        "providers/care_form_form.html",
        {"title": care_form.name, "care_form": care_form, "values": values, "errors": {}, **extra},
        status_code=status_code,
    )


def _care_form_values(c: CareForm) -> dict[str, Any]:
    return {"key": c.key, "name": c.name, "description": c.description}


@router.get("/care-forms/{care_form_id}", include_in_schema=False)
def edit_care_form(request: Request, session: SessionDep, admin: AdminUser, care_form_id: int) -> Response:
    c = manage.get_care_form(session, care_form_id)
    return _care_form_page(request, c, values=_care_form_values(c))


@router.post("/care-forms/{care_form_id}", include_in_schema=False)
def update_care_form(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    care_form_id: int,
    key: KeyField = "",
    name: NameField = "",
    description: DescriptionField = "",
) -> Response:
    c = manage.get_care_form(session, care_form_id)
    values = {"key": key, "name": name, "description": description}
    try:
        manage.update_care_form(session, c, manage.CareFormInput(**values), actor=admin)
    except AppError as exc:
        return _care_form_page(request, c, values=values, errors=_errors_of(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/care-forms/{c.id}?saved=1", status_code=303)


@router.post("/care-forms/{care_form_id}/archive", include_in_schema=False)
def archive_care_form(
    session: SessionDep, admin: AdminUser, care_form_id: int, archived: Annotated[str, Form(pattern="^(0|1)$")]
) -> Response:
    c = manage.get_care_form(session, care_form_id)
    manage.archive_care_form(session, c, archived=archived == "1", actor=admin)
    return RedirectResponse(f"/admin/care-forms/{c.id}?archived={archived}", status_code=303)


@router.post("/care-forms/{care_form_id}/delete", include_in_schema=False)
def delete_care_form(request: Request, session: SessionDep, admin: AdminUser, care_form_id: int) -> Response:
    c = manage.get_care_form(session, care_form_id)
    try:
        manage.delete_care_form(session, c, actor=admin)
    except Conflict as exc:
        return _care_form_page(request, c, values=_care_form_values(c), refused=exc.detail, status_code=409)
    return RedirectResponse("/admin/care-forms?deleted=1", status_code=303)
