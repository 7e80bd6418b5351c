"""API shapes of webhooks and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.events.schemas import EventOut
from app.kit.api_types import NoNulStr
from app.kit.pagination import Page

WEBHOOK_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "url": "https://bi.almere.example/dialoog-hook",
    "event_types": ["comment.created", "comment.answered"],
    "description": "BI-koppeling Almere",
    "active": True,
    "disabled_reason": "",
    "secret_prefix": "whsec_AbCdEf",
    "owner_id": 12,
    "last_success_at": "2026-12-03T10:15:02Z",
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}


class WebhookOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WEBHOOK_EXAMPLE]})

    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    disabled_reason: str = Field(description="Why the server switched it off (empty: it did not)")
    secret_prefix: str = Field(description="The start of the secret, to tell secrets apart")
    owner_id: int
    last_success_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**WEBHOOK_EXAMPLE, "secret": "whsec_AbCdEf0123456789abcdefghijklmnopqrstuvwx"}]
        }
    )

    secret: str = Field(description="Sign-checking secret: shown only now; store it (rotate-secret for a new one)")


class WebhookCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://bi.almere.example/dialoog-hook",
                    "event_types": ["comment.created", "comment.edited"],
                    "description": "BI-koppeling Almere",
                }
            ]
        },
    )

    url: NoNulStr = Field(min_length=8, max_length=2000, description="http(s) URL on a public address")
    event_types: list[NoNulStr] = Field(min_length=1, max_length=20, description="The event types to receive")
    description: NoNulStr = Field(default="", max_length=300)
    active: StrictBool = True


class WebhookPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": True}]})

    url: NoNulStr | None = Field(default=None, min_length=8, max_length=2000)
    event_types: list[NoNulStr] | None = Field(default=None, min_length=1, max_length=20)
    description: NoNulStr | None = Field(default=None, max_length=300)
    active: StrictBool | None = None


class AttemptOut(BaseModel):
    at: datetime
    status_code: int | None
    error: str


class DeliveryOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "webhook_id": 3,
                    "event_id": 812,
                    "event_type": "comment.created",
                    "redelivery_of_id": None,
                    "status": "delivered",
                    "attempts": 2,
                    "last_status_code": 200,
                    "last_error": "",
                    "next_attempt_at": None,
                    "first_attempt_at": "2026-12-03T10:15:02Z",
                    "last_attempt_at": "2026-12-03T10:15:32Z",
                    "delivered_at": "2026-12-03T10:15:32Z",
                    "created_at": "2026-12-03T10:15:01Z",
                    "attempt_log": [
                        {"at": "2026-12-03T10:15:02Z", "status_code": 500, "error": "HTTP 500"},
                        {"at": "2026-12-03T10:15:32Z", "status_code": 200, "error": ""},
                    ],
                }
            ]
        }
    )

    id: int
    webhook_id: int
    event_id: int
    event_type: str
    redelivery_of_id: int | None
    status: str = Field(description="pending, sending, delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str
    next_attempt_at: datetime | None = Field(description="When it is tried again (pending only)")
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    attempt_log: list[AttemptOut]


class EventPage(Page[EventOut]):
    cursor: str | None = Field(
        default=None,
        description="Where this answer ends: store it and ask with after=<cursor> next time (also at the end of "
        "the log, when next_cursor is null); null only when there were no events at all",
    )
