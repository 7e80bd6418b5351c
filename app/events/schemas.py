"""The representation of an event: the same JSON in ``GET /api/v1/events`` and in a webhook's body."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.events.service import subject_url
from app.models import Event

EXAMPLE: dict[str, Any] = {
    "id": 812,
    "type": "comment.created",
    "created_at": "2026-12-03T10:15:00Z",
    "dialogue_id": 1,
    "subject": {"type": "comment", "id": 4711, "url": "https://dialoog.example.org/api/v1/comments/4711"},
    "data": {"section_id": 31, "parent_id": None},
}


class EventSubject(BaseModel):
    type: str = Field(description="comment, document, proposal, session, question, nota or package")
    id: int
    url: str | None = Field(description="The subject's API resource (read it with your own key); null: none")


class EventOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    id: int
    type: str = Field(description="What happened, e.g. comment.created (see the list at GET /events)")
    created_at: datetime = Field(description="When readers could see it (a release moment for releases)")
    dialogue_id: int | None
    subject: EventSubject
    data: dict[str, Any] = Field(description="Ids of related things; never content (fetch the subject)")


def event_out(event: Event) -> EventOut:
    return EventOut(
        id=event.id or 0,
        type=event.type,
        created_at=event.visible_at,
        dialogue_id=event.dialogue_id,
        subject=EventSubject(type=event.subject_type, id=event.subject_id, url=subject_url(event)),
        data=dict(event.data),
    )


def event_body(event: Event) -> bytes:
    """The body a webhook receives: exactly the event as the feed shows it."""
    return event_out(event).model_dump_json().encode()
