"""HTML admin pages for webhooks (SDFL): list, register (the secret shown once), change, delete; a webhook's
delivery log with "Opnieuw verzenden". Municipalities manage theirs through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import AdminUser, WebPrincipal, client_ip
from app.db import SessionDep, rollback_now
from app.events.service import EVENT_TYPES
from app.kit.errors import AppError, field_errors
from app.kit.i18n import gettext as _
from app.kit.pagination import PageParams
from app.models import Webhook
from app.policy import Principal
from app.web.templates import render
from app.webhooks import service

router = APIRouter(prefix="/admin")

NOTICES = {
    "saved": "De webhook is opgeslagen.",
    "deleted": "De webhook is verwijderd.",
    "redelivered": "De levering wordt opnieuw verzonden.",
}

EventTypes = Annotated[list[str], Form()]


def _done(request: Request) -> str:
    code = request.query_params.get("done", "")
    return _(NOTICES[code]) if code in NOTICES else ""


def _list_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    new_secret: str | None = None,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/webhooks.html",
        {
            "title": _("Webhooks"),
            "webhooks": service.all_webhooks(session, principal),
            "event_types": EVENT_TYPES,
            "new_secret": new_secret,
            "errors": errors or {},
            "values": values or {"event_types": []},
            "done": _done(request),
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"} if new_secret else None,
    )


@router.get("/webhooks", include_in_schema=False)
def webhooks(request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal) -> Response:
    return _list_page(request, session, principal)


@router.post("/webhooks", include_in_schema=False)
def create_webhook_form(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    url: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=300)] = "",
    event_types: EventTypes = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    values = {"url": url, "description": description, "event_types": event_types}
    try:
        _webhook, secret = service.create_webhook(
            session,
            principal,
            service.WebhookInput(url=url, event_types=event_types, description=description),
            ip=client_ip(request),
        )
    except AppError as exc:
        rollback_now(session)
        return _list_page(
            request, session, principal, errors=field_errors(exc), values=values, status_code=exc.status_code
        )
    # Shown once, on this answer only: not in a redirect, not stored readable.
    return _list_page(request, session, principal, new_secret=secret)


def _detail_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    webhook: Webhook,
    *,
    new_secret: str | None = None,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    deliveries, total = service.list_deliveries(session, principal, webhook, PageParams(page=1, page_size=100))
    return render(
        request,
        "admin/webhook.html",
        {
            "title": _("Webhook"),
            "webhook": webhook,
            "deliveries": deliveries,
            "total": total,
            "event_types": EVENT_TYPES,
            "new_secret": new_secret,
            "errors": errors or {},
            "values": values
            or {
                "url": webhook.url,
                "description": webhook.description,
                "event_types": webhook.event_types,
                "active": webhook.active,
            },
            "done": _done(request),
        },
        status_code=status_code,
        headers={"Cache-Control": "no-store"} if new_secret else None,
    )


@router.get("/webhooks/{webhook_id}", include_in_schema=False)
def webhook_page(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, webhook_id: int
) -> Response:
    return _detail_page(request, session, principal, service.get_webhook(session, principal, webhook_id))


@router.post("/webhooks/{webhook_id}", include_in_schema=False)
def update_webhook_form(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    webhook_id: int,
    url: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=300)] = "",
    active: Annotated[str, Form(max_length=5)] = "",
    event_types: EventTypes = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    webhook = service.get_webhook(session, principal, webhook_id)
    data = service.WebhookInput(url=url, event_types=event_types, description=description, active=active == "1")
    try:
        service.update_webhook(session, principal, webhook, data, ip=client_ip(request))
    except AppError as exc:
        rollback_now(session)
        values = {"url": url, "description": description, "event_types": event_types, "active": active == "1"}
        webhook = service.get_webhook(session, principal, webhook_id)
        return _detail_page(
            request, session, principal, webhook, errors=field_errors(exc), values=values, status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/webhooks/{webhook_id}?done=saved", status_code=303)


@router.post("/webhooks/{webhook_id}/rotate-secret", include_in_schema=False)
def rotate_secret_form(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, webhook_id: int
) -> Response:
    webhook = service.get_webhook(session, principal, webhook_id)
    secret = service.rotate_secret(session, principal, webhook, ip=client_ip(request))
    return _detail_page(request, session, principal, webhook, new_secret=secret)


@router.post("/webhooks/{webhook_id}/delete", include_in_schema=False)
def delete_webhook_form(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, webhook_id: int
) -> Response:
    webhook = service.get_webhook(session, principal, webhook_id)
    service.delete_webhook(session, principal, webhook, ip=client_ip(request))
    return RedirectResponse("/admin/webhooks?done=deleted", status_code=303)


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", include_in_schema=False)
def redeliver_form(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    webhook_id: int,
    delivery_id: int,
) -> Response:
    webhook = service.get_webhook(session, principal, webhook_id)
    service.redeliver(session, principal, webhook, delivery_id, ip=client_ip(request))
    return RedirectResponse(f"/admin/webhooks/{webhook_id}?done=redelivered", status_code=303)
