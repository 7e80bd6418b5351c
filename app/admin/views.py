"""HTML admin pages (SDFL only): users, API keys, the audit trail and the outbox."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts import service as accounts
from app.accounts.deps import AdminUser, WebPrincipal
from app.admin import drafts, service
from app.audit.service import AuditFilter, entity_types, list_events
from app.db import SessionDep
from app.kit.dates import local_midnight, parse_date
from app.kit.errors import AppError, field_errors
from app.kit.i18n import gettext as _
from app.kit.pagination import PageParams
from app.models import ApiScope, OutboxStatus, User
from app.policy import USER_FORM_ROLES, Principal
from app.web.templates import render

router = APIRouter(prefix="/admin")

ROLE_FILTER = list(accounts.ROLE_NAMES.items())
# Participants are added per consultation (its participants page), not here.
ROLE_OPTIONS = [(role, name) for role, name in ROLE_FILTER if role in USER_FORM_ROLES]


def _optional_int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _user_form_context(session: SessionDep, **extra: object) -> dict[str, object]:
    return {
        "roles": ROLE_OPTIONS,
        "providers": [(p.id, p.name) for p in service.providers(session)],
        "municipalities": [(m.id, m.name) for m in service.municipalities(session)],
        **extra,
    }


# --- users ---------------------------------------------------------------------------------------


@router.get("/users", include_in_schema=False)
def users(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    role: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    rows = service.list_users(session, principal, role=role, q=q)
    pending = accounts.pending_invitation(session, principal, [r.user.id for r in rows if r.user.id])
    return render(
        request,
        "admin/users.html",
        {
            "title": _("Gebruikers"),
            "rows": rows,
            "pending": pending,
            "selected_role": role,
            "q": q,
            "roles": ROLE_FILTER,
        },
        block="results",
    )


@router.get("/users/new", include_in_schema=False)
def new_user_form(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(
        request,
        "admin/user_form.html",
        _user_form_context(session, title=_("Nieuwe gebruiker"), user=None, values={}, errors={}),
    )


@dataclass(frozen=True)
class UserForm:
    """The fields of the user form, as typed (to show again) and as service input."""

    email: str
    name: str
    role: str
    provider_id: str
    municipality_id: str

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self) -> accounts.UserInput:
        return accounts.UserInput(
            email=self.email,
            name=self.name,
            role=self.role,
            provider_id=_optional_int(self.provider_id),
            municipality_id=_optional_int(self.municipality_id),
        )


def user_form(
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    provider_id: Annotated[str, Form(max_length=20)] = "",
    municipality_id: Annotated[str, Form(max_length=20)] = "",
) -> UserForm:
    return UserForm(email=email, name=name, role=role, provider_id=provider_id, municipality_id=municipality_id)


UserFormDep = Annotated[UserForm, Depends(user_form)]


def _user_form_again(
    request: Request, session: SessionDep, *, user: User | None, form: UserForm, exc: AppError
) -> Response:
    """The form once more, with each error next to its field and everything typed kept."""
    return render(
        request,
        "admin/user_form.html",
        _user_form_context(
            session,
            title=form.email or _("Nieuwe gebruiker"),
            user=user,
            values=form.values,
            errors=field_errors(exc),
        ),
        status_code=exc.status_code,
        block="content",
    )


@router.post("/users", include_in_schema=False)
def create_user(request: Request, session: SessionDep, admin: AdminUser, form: UserFormDep) -> Response:
    try:
        user = accounts.create_user(session, form.to_input(), actor=admin)
    except AppError as exc:
        return _user_form_again(request, session, user=None, form=form, exc=exc)
    return RedirectResponse(f"/admin/users/{user.id}?created=1", status_code=303)


@router.get("/users/{user_id}", include_in_schema=False)
def edit_user_form(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, user_id: int
) -> Response:
    user = accounts.get_user(session, principal, user_id)
    values = {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "provider_id": user.provider_id,
        "municipality_id": user.municipality_id,
    }
    return render(
        request,
        "admin/user_form.html",
        _user_form_context(
            session, title=user.email, user=user, values=values, errors={}, pending=user.password_hash is None
        ),
    )


@router.post("/users/{user_id}", include_in_schema=False)
def update_user(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, user_id: int, form: UserFormDep
) -> Response:
    user = accounts.get_user(session, principal, user_id)
    try:
        accounts.update_user(session, user, form.to_input(), actor=admin)
    except AppError as exc:
        return _user_form_again(request, session, user=user, form=form, exc=exc)
    return RedirectResponse(f"/admin/users/{user.id}?saved=1", status_code=303)


@router.post("/users/{user_id}/active", include_in_schema=False)
def set_active(
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    user_id: int,
    active: Annotated[str, Form(pattern="^(0|1)$")],
) -> Response:
    user = accounts.get_user(session, principal, user_id)
    accounts.update_user(session, user, accounts.UserInput(active=active == "1"), actor=admin)
    return RedirectResponse(f"/admin/users/{user.id}?saved=1", status_code=303)


@router.post("/users/{user_id}/invitation", include_in_schema=False)
def resend_invitation(session: SessionDep, admin: AdminUser, principal: WebPrincipal, user_id: int) -> Response:
    user = accounts.get_user(session, principal, user_id)
    accounts.send_invitation(session, user, actor=admin)
    return RedirectResponse(f"/admin/users/{user.id}?invited=1", status_code=303)


# --- API keys ------------------------------------------------------------------------------------


def _keys_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    new_key: str | None = None,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    headers = {"Cache-Control": "no-store"} if new_key else None
    return render(
        request,
        "admin/api_keys.html",
        {
            "title": _("API-sleutels"),
            "keys": accounts.list_api_keys(session, principal),
            "new_key": new_key,
            "errors": errors or {},
            "values": values or {"scope": "read"},
            "users": [
                (r.user.email, f"{r.user.email} ({r.organisation})")
                for r in service.list_users(session, principal)
                if r.user.active
            ],
            "scopes": [
                (ApiScope.read.value, _("read: alleen lezen")),
                (ApiScope.write.value, _("write: lezen en wijzigen")),
            ],
        },
        status_code=status_code,
        headers=headers,
    )


@router.get("/api-keys", include_in_schema=False)
def api_keys(request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal) -> Response:
    return _keys_page(request, session, principal)


@router.post("/api-keys", include_in_schema=False)
def create_api_key(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    email: Annotated[str, Form(max_length=320)] = "",
    scope: Annotated[str, Form(max_length=10)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    values = {"email": email, "scope": scope, "name": name}
    owner = accounts.get_user_by_email(session, email)
    if owner is None:
        return _keys_page(
            request,
            session,
            principal,
            errors={"email": _("Kies de gebruiker van wie de sleutel is.")},
            values=values,
            status_code=422,
        )
    try:
        _row, key = accounts.create_api_key(session, owner=owner, scope=scope, name=name, actor=admin)
    except AppError as exc:
        return _keys_page(
            request,
            session,
            principal,
            errors=field_errors(exc),
            values=values,
            status_code=exc.status_code,
        )
    # Shown once, on this answer only: not stored, not in a redirect.
    return _keys_page(request, session, principal, new_key=key)


@router.post("/api-keys/{key_id}/revoke", include_in_schema=False)
def revoke_api_key(session: SessionDep, admin: AdminUser, principal: WebPrincipal, key_id: int) -> Response:
    accounts.revoke_api_key(session, accounts.get_api_key(session, principal, key_id), actor=admin)
    return RedirectResponse("/admin/api-keys?revoked=1", status_code=303)


# --- audit trail ---------------------------------------------------------------------------------


def _day_start(value: str) -> datetime | None:
    try:
        return local_midnight(parse_date(value))
    except ValueError:
        return None


@router.get("/audit", include_in_schema=False)
def audit(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    action: Annotated[str, Query(max_length=60)] = "",
    actor: Annotated[str, Query(max_length=320)] = "",
    entity_type: Annotated[str, Query(max_length=60)] = "",
    entity_id: Annotated[str, Query(max_length=60)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    until_day = _day_start(until)
    filters = AuditFilter(
        action=action.strip(),
        actor=actor.strip(),
        entity_type=entity_type,
        entity_id=entity_id.strip(),
        since=_day_start(since),
        until=until_day + timedelta(days=1) if until_day else None,
    )
    params = PageParams(page=page, page_size=50)
    events, total = list_events(session, principal, filters, params)
    query = {
        k: v
        for k, v in {
            "action": action,
            "actor": actor,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "since": since,
            "until": until,
        }.items()
        if v
    }
    return render(
        request,
        "admin/audit.html",
        {
            "title": _("Auditlog"),
            "events": events,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // params.page_size)),
            "filters": query,
            "entity_types": entity_types(session),
        },
        block="results",
    )


# --- outbox --------------------------------------------------------------------------------------


@router.get("/outbox", include_in_schema=False)
def outbox(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    params = PageParams(page=page, page_size=50)
    messages, total = service.list_outbox(session, principal, status=status, params=params)
    return render(
        request,
        "admin/outbox.html",
        {
            "title": _("Uitgaande e-mail"),
            "messages": messages,
            "total": total,
            "page": page,
            "status": status,
            "pages": max(1, -(-total // params.page_size)),
            "statuses": [s.value for s in OutboxStatus],
        },
    )


@router.get("/outbox/{message_id}", include_in_schema=False)
def outbox_message(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, message_id: int
) -> Response:
    message = service.outbox_message(session, principal, message_id)
    return render(
        request,
        "admin/outbox_message.html",
        {"title": message.subject, "message": message, "body_text": service.redact_one_time_links(message.body_text)},
    )


# --- drafts (SDFL and the municipalities) -------------------------------------------------------------


@router.get("/drafts", include_in_schema=False)
def drafts_overview(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The draft proposal versions and the agendas of the sessions to come, for their co-authors."""
    return render(
        request, "admin/drafts.html", {"title": _("Concepten"), "drafts": drafts.overview(session, principal)}
    )
