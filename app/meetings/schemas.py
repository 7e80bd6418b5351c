"""API shapes for dialogue sessions (public data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class TenderNedOut(BaseModel):
    published_on: date
    reference: str
    url: str


class RecordingOut(BaseModel):
    url: str = Field(description="The link, or /api/v1/sessions/{id}/recording for an uploaded file")
    audience: Literal["participants", "public"]
    released_at: datetime | None = Field(description="When it is (or was) released; null: with the report, not yet")
    released: bool
    filename: str | None = Field(description="An uploaded file's name")
    content_type: str | None
    size: int | None


class SessionOut(BaseModel):
    id: int
    dialogue_id: int
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    status: Literal["planned", "held", "cancelled"]
    report: str | None = Field(description="Markdown; null until the report is published")
    report_published_at: datetime | None
    tenderned: TenderNedOut | None = Field(
        default=None, description="Where the published report was published on TenderNed, once SDFL recorded it"
    )
    recorded: bool = Field(default=False, description="Whether the session is (to be) recorded")
    recording_url: str | None = Field(
        description="The recording's link (or its download URL) for those who may see it; null before its release"
    )
    recording: RecordingOut | None = Field(default=None, description="The recording, for those who may see it")
    calendar_url: str = Field(description="The save-the-date as iCalendar")


class ReportIn(BaseModel):
    report: str = Field(max_length=200_000, description="Markdown")
    publish: bool = Field(
        default=False, description="Publish it (409 while the session is not marked held; a published report stays)"
    )


class AgendaItemOut(BaseModel):
    id: int
    session_id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    title: str
    description: str
    format: Literal["plenary", "subgroups"]
    proposal_id: int | None
