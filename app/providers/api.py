"""JSON API: providers (with their contact persons), municipalities and care forms.

Reading is public (archived records only for staff, with ``?archived=true``); writing needs an admin's ``write``
key. Every record has an ETag; PATCH and DELETE need it as ``If-Match`` (428 without, 412 when stale). Deleting
is refused with 409 where history depends on the record: archive it instead (``PATCH {"archived": true}``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from app.accounts.deps import ApiPrincipal, ApiUser
from app.db import SessionDep
from app.kit.api_route import ApiRoute
from app.kit.errors import ValidationFailed
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_slice
from app.kit.pagination import Page, PageDep, PageParams
from app.models import CareForm, Municipality, Provider, User
from app.policy import Action, Principal, authorize
from app.providers import csv_import, manage, service
from app.providers.schemas import (
    CareFormCreate,
    CareFormOut,
    CareFormPatch,
    ContactCreate,
    ContactOut,
    ImportResultOut,
    MunicipalityCreate,
    MunicipalityOut,
    MunicipalityPatch,
    MunicipalityRef,
    ProviderCreate,
    ProviderOut,
    ProviderPatch,
    SizeName,
)

router = APIRouter(tags=["providers"], route_class=ApiRoute)

PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the current ETag"},
    428: {"description": "If-Match is missing"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "Taken (name, slug, code, key) or history"}}
ArchivedQuery = Annotated[bool, Query(description="Include archived records (staff only)")]


def _actor(principal: Principal) -> User:
    authorize(principal, Action.manage)
    assert principal.user is not None
    return principal.user


def _include_archived(principal: Principal, archived: bool) -> bool:
    if archived:
        authorize(principal, Action.view_admin)
    return archived


def _provider_out(provider: Provider, municipalities: list[Municipality]) -> ProviderOut:
    return ProviderOut(
        id=provider.id or 0,
        name=provider.name,
        slug=provider.slug,
        size=provider.size,
        tags=list(provider.tags or []),
        contracted_in=[MunicipalityRef(code=m.code, name=m.name) for m in municipalities],
        active_outside_flevoland=provider.active_outside_flevoland,
        website=provider.website,
        description=provider.description,
        illustrative=provider.illustrative,
        archived_at=provider.archived_at,
        updated_at=provider.updated_at,
    )


def _one_provider(session: SessionDep, provider: Provider, response: Response) -> ProviderOut:
    pid = provider.id or 0
    out = _provider_out(provider, service.contracted_municipalities(session, [pid]).get(pid, []))
    response.headers["ETag"] = etag_of_model(out)
    return out


def _municipality_out(m: Municipality) -> MunicipalityOut:
    return MunicipalityOut(
        id=m.id or 0,
        code=m.code,
        name=m.name,
        in_procurement=m.in_procurement,
        archived_at=m.archived_at,
        updated_at=m.updated_at,
    )


def _care_form_out(c: CareForm) -> CareFormOut:
    return CareFormOut(
        id=c.id or 0,
        key=c.key,
        name=c.name,
        description=c.description,
        archived_at=c.archived_at,
        updated_at=c.updated_at,
    )


ALL = PageParams(page=1, page_size=1_000_000)  # a feed over a short list is cut in memory (one query)


def _contact_out(u: User) -> ContactOut:
    return ContactOut(
        id=u.id or 0, name=u.name, email=u.email, active=u.active, invitation_pending=u.password_hash is None
    )


# --- providers ------------------------------------------------------------------------------------


@router.get("/providers", response_model=Page[ProviderOut], summary="List care providers")
def list_providers(
    session: SessionDep,
    principal: ApiPrincipal,
    params: PageDep,
    tag: Annotated[str | None, Query(max_length=60, description="Only providers with this tag")] = None,
    size: Annotated[SizeName | None, Query(description="Only providers of this size")] = None,
    archived: ArchivedQuery = False,
    *,
    feed: FeedDep,
) -> Page[ProviderOut]:
    """Providers ordered by name, then id; archived ones are left out unless `archived=true` (staff: a feed with
    it shows archivals). Read as a feed (`updated_since`, `cursor`): by `updated_at`, then id."""
    check_paging(params, feed)
    if feed.active:
        every, _total = service.list_providers(
            session, params=ALL, tag=tag, size=size, archived=_include_archived(principal, archived)
        )
        rows, total, nxt = feed_slice(every, feed, params, key=lambda p: Position(p.updated_at, p.id or 0))
        by_provider = service.contracted_municipalities(session, [p.id for p in rows if p.id])
        items = [_provider_out(p, by_provider.get(p.id or 0, [])) for p in rows]
        return feed_page(Page[ProviderOut], items, total, params, nxt)
    providers, total = service.list_providers(
        session, params=params, tag=tag, size=size, archived=_include_archived(principal, archived)
    )
    by_provider = service.contracted_municipalities(session, [p.id for p in providers if p.id])
    items = [_provider_out(p, by_provider.get(p.id or 0, [])) for p in providers]
    return Page[ProviderOut].build(items, total, params)


@router.get("/providers/{provider_id}", response_model=ProviderOut, summary="One care provider")
def get_provider(session: SessionDep, provider_id: int, response: Response) -> ProviderOut:
    """With an `ETag` to send as `If-Match` when changing it."""
    return _one_provider(session, service.get_provider(session, provider_id), response)


@router.post(
    "/providers",
    response_model=ProviderOut,
    status_code=201,
    summary="Create a care provider (admins)",
    responses=CONFLICT,
)
def create_provider(session: SessionDep, principal: ApiUser, body: ProviderCreate, response: Response) -> ProviderOut:
    """The slug is made from the name when left out; a slug or name taken is 409."""
    actor = _actor(principal)
    provider = manage.create_provider(session, manage.ProviderInput(**body.model_dump()), actor=actor)
    response.headers["Location"] = f"/api/v1/providers/{provider.id}"
    return _one_provider(session, provider, response)


@router.patch(
    "/providers/{provider_id}",
    response_model=ProviderOut,
    summary="Change, archive or restore a care provider (admins)",
    responses={**PRECONDITIONS, **CONFLICT},
)
def update_provider(
    session: SessionDep,
    principal: ApiUser,
    provider_id: int,
    body: ProviderPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> ProviderOut:
    """Send the ETag from GET as `If-Match`. `archived: true` archives (out of the lists and new invitations)."""
    actor = _actor(principal)
    provider = service.get_provider(session, provider_id)
    require_if_match(if_match, _etag_of_provider(session, provider), what="provider")
    changes = body.model_dump(exclude_unset=True)
    archived = changes.pop("archived", None)
    manage.update_provider(session, provider, manage.ProviderInput(**changes), actor=actor)
    if archived is not None:
        manage.archive_provider(session, provider, archived=archived, actor=actor)
    return _one_provider(session, provider, response)


def _etag_of_provider(session: SessionDep, provider: Provider) -> str:
    pid = provider.id or 0
    return etag_of_model(_provider_out(provider, service.contracted_municipalities(session, [pid]).get(pid, [])))


@router.delete(
    "/providers/{provider_id}",
    status_code=204,
    summary="Delete a care provider without history (admins)",
    responses={**PRECONDITIONS, 409: {"description": "History depends on it: archive it instead"}},
)
def delete_provider(
    session: SessionDep,
    principal: ApiUser,
    provider_id: int,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    actor = _actor(principal)
    provider = service.get_provider(session, provider_id)
    require_if_match(if_match, _etag_of_provider(session, provider), what="provider")
    manage.delete_provider(session, provider, actor=actor)
    return Response(status_code=204)


@router.get("/providers/{provider_id}/contacts", response_model=list[ContactOut], summary="Contact persons (admins)")
def list_contacts(session: SessionDep, principal: ApiUser, provider_id: int) -> list[ContactOut]:
    authorize(principal, Action.view_admin)
    return [_contact_out(u) for u in manage.contacts(session, service.get_provider(session, provider_id))]


@router.post(
    "/providers/{provider_id}/contacts",
    response_model=ContactOut,
    status_code=201,
    summary="Add a contact person (admins)",
    responses={409: {"description": "A user with this e-mail address exists"}},
)
def add_contact(
    session: SessionDep, principal: ApiUser, provider_id: int, body: ContactCreate, response: Response
) -> ContactOut:
    """Creates a user with role provider; with `invite` it is mailed the link to choose a password."""
    actor = _actor(principal)
    provider = service.get_provider(session, provider_id)
    user = manage.add_contact(session, provider, name=body.name, email=body.email, actor=actor, invite=body.invite)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    return _contact_out(user)


@router.post(
    "/providers/import",
    response_model=ImportResultOut,
    status_code=201,
    summary="Import providers and contact persons from CSV (admins)",
    responses={422: {"description": "Nothing imported: every bad row is listed in errors (with its line)"}},
    openapi_extra={
        "requestBody": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                },
            }
        }
    },
)
async def import_providers(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    invite: Annotated[bool, Query(description="Mail new contact persons the link to choose a password")] = True,
) -> ImportResultOut:
    """One row per contact person (`naam`, `website`, `omvang`, `doelgroepen`, `gemeenten`, `buiten_flevoland`,
    `contact_naam`, `contact_email`); UTF-8, `;` or `,`. Everything is checked first: one bad row and nothing is
    imported (422 listing every bad row)."""
    actor = _actor(principal)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ValidationFailed(
                "Send the CSV file as the form field 'file'.", errors=[{"field": "file", "message": "Required"}]
            )
        content = await upload.read(csv_import.MAX_BYTES + 1)
    else:
        content = await request.body()
    result = csv_import.import_providers(session, content, actor=actor, invite=invite)
    return ImportResultOut(created=result.created, updated=result.updated, contacts=result.contacts)


# --- municipalities -------------------------------------------------------------------------------


@router.get("/municipalities", response_model=Page[MunicipalityOut], summary="List municipalities")
def list_municipalities(
    session: SessionDep, principal: ApiPrincipal, params: PageDep, feed: FeedDep, archived: ArchivedQuery = False
) -> Page[MunicipalityOut]:
    """Municipalities ordered by name, then id; archived ones only with `archived=true` (staff). Read as a feed
    (`updated_since`, `cursor`): by `updated_at`, then id."""
    check_paging(params, feed)
    if feed.active:
        every = service.all_municipalities(session, archived=_include_archived(principal, archived))
        rows, total, nxt = feed_slice(every, feed, params, key=lambda m: Position(m.updated_at, m.id or 0))
        return feed_page(Page[MunicipalityOut], [_municipality_out(m) for m in rows], total, params, nxt)
    items, total = service.list_municipalities(session, params=params, archived=_include_archived(principal, archived))
    return Page[MunicipalityOut].build([_municipality_out(m) for m in items], total, params)


@router.get("/municipalities/{municipality_id}", response_model=MunicipalityOut, summary="One municipality")
def get_municipality(session: SessionDep, municipality_id: int, response: Response) -> MunicipalityOut:
    out = _municipality_out(service.get_municipality(session, municipality_id))
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.post(
    "/municipalities",
    response_model=MunicipalityOut,
    status_code=201,
    summary="Create a municipality (admins)",
    responses=CONFLICT,
)
def create_municipality(
    session: SessionDep, principal: ApiUser, body: MunicipalityCreate, response: Response
) -> MunicipalityOut:
    actor = _actor(principal)
    m = manage.create_municipality(session, manage.MunicipalityInput(**body.model_dump()), actor=actor)
    response.headers["Location"] = f"/api/v1/municipalities/{m.id}"
    out = _municipality_out(m)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.patch(
    "/municipalities/{municipality_id}",
    response_model=MunicipalityOut,
    summary="Change, archive or restore a municipality (admins)",
    responses={**PRECONDITIONS, **CONFLICT},
)
def update_municipality(
    session: SessionDep,
    principal: ApiUser,
    municipality_id: int,
    body: MunicipalityPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> MunicipalityOut:
    actor = _actor(principal)
    m = service.get_municipality(session, municipality_id)
    require_if_match(if_match, etag_of_model(_municipality_out(m)), what="municipality")
    changes = body.model_dump(exclude_unset=True)
    archived = changes.pop("archived", None)
    manage.update_municipality(session, m, manage.MunicipalityInput(**changes), actor=actor)
    if archived is not None:
        manage.archive_municipality(session, m, archived=archived, actor=actor)
    out = _municipality_out(m)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.delete(
    "/municipalities/{municipality_id}",
    status_code=204,
    summary="Delete a municipality without history (admins)",
    responses={**PRECONDITIONS, 409: {"description": "History depends on it: archive it instead"}},
)
def delete_municipality(
    session: SessionDep,
    principal: ApiUser,
    municipality_id: int,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    actor = _actor(principal)
    m = service.get_municipality(session, municipality_id)
    require_if_match(if_match, etag_of_model(_municipality_out(m)), what="municipality")
    manage.delete_municipality(session, m, actor=actor)
    return Response(status_code=204)


# --- care forms -----------------------------------------------------------------------------------


@router.get("/care-forms", response_model=Page[CareFormOut], summary="List care forms")
def list_care_forms(
    session: SessionDep, principal: ApiPrincipal, params: PageDep, feed: FeedDep, archived: ArchivedQuery = False
) -> Page[CareFormOut]:
    """Care forms by name, then id; archived ones only with `archived=true` (staff). Read as a feed
    (`updated_since`, `cursor`): by `updated_at`, then id."""
    check_paging(params, feed)
    every = manage.list_care_forms(session, archived=_include_archived(principal, archived))
    if feed.active:
        rows, total, nxt = feed_slice(every, feed, params, key=lambda c: Position(c.updated_at, c.id or 0))
        return feed_page(Page[CareFormOut], [_care_form_out(c) for c in rows], total, params, nxt)
    page = every[params.offset : params.offset + params.page_size]
    return Page[CareFormOut].build([_care_form_out(c) for c in page], len(every), params)


@router.get("/care-forms/{care_form_id}", response_model=CareFormOut, summary="One care form")
def get_care_form(session: SessionDep, care_form_id: int, response: Response) -> CareFormOut:
    out = _care_form_out(manage.get_care_form(session, care_form_id))
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.post(
    "/care-forms",
    response_model=CareFormOut,
    status_code=201,
    summary="Create a care form (admins)",
    responses=CONFLICT,
)
def create_care_form(session: SessionDep, principal: ApiUser, body: CareFormCreate, response: Response) -> CareFormOut:
    actor = _actor(principal)
    c = manage.create_care_form(session, manage.CareFormInput(**body.model_dump()), actor=actor)
    response.headers["Location"] = f"/api/v1/care-forms/{c.id}"
    out = _care_form_out(c)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.patch(
    "/care-forms/{care_form_id}",
    response_model=CareFormOut,
    summary="Change, archive or restore a care form (admins)",
    responses={**PRECONDITIONS, **CONFLICT},
)
def update_care_form(
    session: SessionDep,
    principal: ApiUser,
    care_form_id: int,
    body: CareFormPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> CareFormOut:
    actor = _actor(principal)
    c = manage.get_care_form(session, care_form_id)
    require_if_match(if_match, etag_of_model(_care_form_out(c)), what="care form")
    changes = body.model_dump(exclude_unset=True)
    archived = changes.pop("archived", None)
    manage.update_care_form(session, c, manage.CareFormInput(**changes), actor=actor)
    if archived is not None:
        manage.archive_care_form(session, c, archived=archived, actor=actor)
    out = _care_form_out(c)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.delete(
    "/care-forms/{care_form_id}",
    status_code=204,
    summary="Delete a care form no trajectory uses (admins)",
    responses={**PRECONDITIONS, 409: {"description": "Trajectories use it: archive it instead"}},
)
def delete_care_form(
    session: SessionDep,
    principal: ApiUser,
    care_form_id: int,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    actor = _actor(principal)
    c = manage.get_care_form(session, care_form_id)
    require_if_match(if_match, etag_of_model(_care_form_out(c)), what="care form")
    manage.delete_care_form(session, c, actor=actor)
    return Response(status_code=204)
