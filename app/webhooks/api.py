"""JSON API: the event log (``GET /events``) and webhooks (issue 20)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from sqlmodel import col, select

from app.accounts.deps import ApiPrincipal, ApiUser, client_ip
from app.db import SessionDep
from app.events import service as events
from app.events.schemas import event_out
from app.kit.api_route import ApiRoute
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import decode_cursor
from app.kit.pagination import MAX_PAGE_SIZE, Page, PageDep
from app.models import Event, Webhook, WebhookDelivery
from app.policy import Action, authorize
from app.webhooks import service
from app.webhooks.schemas import (
    AttemptOut,
    DeliveryOut,
    EventPage,
    WebhookCreate,
    WebhookOut,
    WebhookPatch,
    WebhookWithSecret,
)

router = APIRouter(tags=["events"], route_class=ApiRoute)

PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the current ETag"},
    428: {"description": "If-Match is missing"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such webhook (or it is not yours)"}}


@router.get("/events", response_model=EventPage, summary="The event log, for you (continue with after=cursor)")
def list_events(
    session: SessionDep,
    principal: ApiPrincipal,
    after: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Continue after an earlier answer: its cursor (or next_cursor), unchanged",
        ),
    ] = None,
    type: Annotated[list[str] | None, Query(description=f"Only these types: {', '.join(events.EVENT_TYPES)}")] = None,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Events per answer")] = 50,
) -> EventPage:
    """Append-only and typed, ordered by (created_at, id); each reader gets the events it may read, from the moment
    they are visible (a released reply at its release moment). Poll with `after` set to the last `cursor`; the same
    events reach webhooks."""
    position = decode_cursor(after) if after else None
    unknown = [t for t in type or [] if t not in events.EVENT_TYPES]
    if unknown:
        service.check_event_types(unknown)  # 422 naming the known types
    rows, nxt = events.feed(session, principal, after=position, types=type or [], limit=page_size)
    cursor = events.cursor_of(rows[-1]) if rows else after
    return EventPage(
        items=[event_out(e) for e in rows],
        total=len(rows),
        page=1,
        page_size=page_size,
        pages=1 if rows else 0,
        next_cursor=nxt,
        cursor=cursor,
    )


def webhook_out(webhook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=webhook.id or 0,
        url=webhook.url,
        event_types=list(webhook.event_types),
        description=webhook.description,
        active=webhook.active,
        disabled_reason=webhook.disabled_reason,
        secret_prefix=webhook.secret_prefix,
        owner_id=webhook.owner_id,
        last_success_at=webhook.last_success_at,
        created_at=webhook.created_at,
        updated_at=webhook.updated_at,
    )


def _with_secret(webhook: Webhook, secret: str, response: Response) -> WebhookWithSecret:
    out = webhook_out(webhook)
    response.headers["ETag"] = etag_of_model(out)
    response.headers["Cache-Control"] = "no-store"
    return WebhookWithSecret(**out.model_dump(), secret=secret)


def delivery_out(delivery: WebhookDelivery, event_type: str) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id or 0,
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        event_type=event_type,
        redelivery_of_id=delivery.redelivery_of_id,
        status=delivery.status,
        attempts=delivery.attempts,
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
        first_attempt_at=delivery.first_attempt_at,
        last_attempt_at=delivery.last_attempt_at,
        delivered_at=delivery.delivered_at,
        created_at=delivery.created_at,
        attempt_log=[AttemptOut(**a) for a in delivery.attempt_log],
    )


@router.get("/webhooks", response_model=Page[WebhookOut], summary="List webhooks (admins: all; others: yours)")
def list_webhooks(session: SessionDep, principal: ApiUser, params: PageDep) -> Page[WebhookOut]:
    """Ordered by id."""
    rows, total = service.list_webhooks(session, principal, params)
    return Page[WebhookOut].build([webhook_out(w) for w in rows], total, params)


@router.post(
    "/webhooks",
    response_model=WebhookWithSecret,
    status_code=201,
    summary="Register a webhook (the secret is in this answer only)",
    responses={422: {"description": "Unknown event type, or a URL on a private address"}},
)
def create_webhook(
    request: Request, session: SessionDep, principal: ApiUser, body: WebhookCreate, response: Response
) -> WebhookWithSecret:
    data = service.WebhookInput(**body.model_dump())
    webhook, secret = service.create_webhook(session, principal, data, ip=client_ip(request))
    response.headers["Location"] = f"/api/v1/webhooks/{webhook.id}"
    return _with_secret(webhook, secret, response)


@router.get("/webhooks/{webhook_id}", response_model=WebhookOut, summary="One webhook", responses=NOT_FOUND)
def get_webhook(session: SessionDep, principal: ApiUser, webhook_id: int, response: Response) -> WebhookOut:
    out = webhook_out(service.get_webhook(session, principal, webhook_id))
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.patch(
    "/webhooks/{webhook_id}",
    response_model=WebhookOut,
    summary="Change a webhook (active: true switches a disabled one on again)",
    responses={**NOT_FOUND, **PRECONDITIONS},
)
def update_webhook(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    webhook_id: int,
    body: WebhookPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> WebhookOut:
    authorize(principal, Action.manage_webhooks)
    webhook = service.get_webhook(session, principal, webhook_id)
    require_if_match(if_match, etag_of_model(webhook_out(webhook)), what="webhook")
    data = service.WebhookInput(**body.model_dump(exclude_unset=True))
    service.update_webhook(session, principal, webhook, data, ip=client_ip(request))
    out = webhook_out(webhook)
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=204,
    summary="Delete a webhook and its delivery log",
    responses={**NOT_FOUND, **PRECONDITIONS},
)
def delete_webhook(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    webhook_id: int,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    authorize(principal, Action.manage_webhooks)
    webhook = service.get_webhook(session, principal, webhook_id)
    require_if_match(if_match, etag_of_model(webhook_out(webhook)), what="webhook")
    service.delete_webhook(session, principal, webhook, ip=client_ip(request))
    return Response(status_code=204)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    summary="A new secret (in this answer only); the old one stops signing at once",
    responses=NOT_FOUND,
)
def rotate_webhook_secret(
    request: Request, session: SessionDep, principal: ApiUser, webhook_id: int, response: Response
) -> WebhookWithSecret:
    authorize(principal, Action.manage_webhooks)
    webhook = service.get_webhook(session, principal, webhook_id)
    secret = service.rotate_secret(session, principal, webhook, ip=client_ip(request))
    return _with_secret(webhook, secret, response)


def _event_types(session: SessionDep, deliveries: list[WebhookDelivery]) -> dict[int, str]:
    ids = sorted({d.event_id for d in deliveries})
    if not ids:
        return {}
    return {
        event_id or 0: kind
        for event_id, kind in session.exec(select(Event.id, Event.type).where(col(Event.id).in_(ids)))
    }


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=Page[DeliveryOut],
    summary="A webhook's delivery log, newest first",
    responses=NOT_FOUND,
)
def list_webhook_deliveries(
    session: SessionDep, principal: ApiUser, webhook_id: int, params: PageDep
) -> Page[DeliveryOut]:
    webhook = service.get_webhook(session, principal, webhook_id)
    rows, total = service.list_deliveries(session, principal, webhook, params)
    types = _event_types(session, rows)
    return Page[DeliveryOut].build([delivery_out(d, types.get(d.event_id, "")) for d in rows], total, params)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    response_model=DeliveryOut,
    status_code=201,
    summary="Send a delivery's event again (a new delivery)",
    responses={404: {"description": "No such webhook or delivery"}},
)
def redeliver_webhook_delivery(
    request: Request, session: SessionDep, principal: ApiUser, webhook_id: int, delivery_id: int, response: Response
) -> DeliveryOut:
    webhook = service.get_webhook(session, principal, webhook_id)
    again = service.redeliver(session, principal, webhook, delivery_id, ip=client_ip(request))
    response.headers["Location"] = f"/api/v1/webhooks/{webhook_id}/deliveries"
    return delivery_out(again, _event_types(session, [again]).get(again.event_id, ""))
