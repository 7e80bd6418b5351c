"""API shapes for dialogue sessions (public data)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


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
    recording_url: str | None = Field(description="Null until the report is published")
    calendar_url: str = Field(description="The save-the-date as iCalendar")


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
