"""API shapes for dialogue sessions (public data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from app.kit.api_types import NoNulStr, UtcMoment

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _in_years(value: datetime) -> datetime:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"A moment between {FIRST_YEAR} and {LAST_YEAR}")
    return value


# A session's or agenda item's moment: ISO 8601 with offset, in the years the forms accept.
Moment = Annotated[UtcMoment, AfterValidator(_in_years)]
SessionStatusName = Literal["planned", "held", "cancelled"]
AgendaFormatName = Literal["plenary", "subgroups"]


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
    updated_at: datetime = Field(
        description="Its last change you can see (a draft report or an unreleased recording never moves it)"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "dialogue_id": 1,
                    "number": 2,
                    "title": "Tarieven en bekostiging",
                    "starts_at": "2027-01-14T12:00:00Z",
                    "ends_at": "2027-01-14T15:00:00Z",
                    "location": "Provinciehuis, Lelystad",
                    "status": "planned",
                    "report": None,
                    "report_published_at": None,
                    "tenderned": None,
                    "recorded": False,
                    "recording_url": None,
                    "recording": None,
                    "calendar_url": "/sessions/3/save-the-date.ics",
                    "updated_at": "2026-12-03T10:00:00Z",
                }
            ]
        }
    )


class SessionCreate(BaseModel):
    """A new session of a trajectory; the save-the-date goes to the accepted providers and the municipalities."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dialogue_id": 1,
                    "title": "Tarieven en bekostiging",
                    "starts_at": "2027-01-14T12:00:00Z",
                    "ends_at": "2027-01-14T15:00:00Z",
                    "location": "Provinciehuis, Lelystad",
                }
            ]
        },
    )

    dialogue_id: StrictInt = Field(ge=1, le=2_147_483_647, description="The trajectory")
    number: StrictInt | None = Field(
        default=None, ge=1, le=99_999, description="Unique in the trajectory; left out: the next free number"
    )
    title: NoNulStr = Field(min_length=1, max_length=200)
    starts_at: Moment
    ends_at: Moment = Field(description="After starts_at, at most 12 hours later")
    location: NoNulStr = Field(default="", max_length=300)
    status: SessionStatusName = "planned"
    recorded: StrictBool = Field(default=False, description="Recorded: the save-the-date asks for consent")


class SessionPatch(BaseModel):
    """Only the fields sent change. A new time or place goes out as a calendar update, a cancellation as CANCEL."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"location": "Stadhuis, Almere"}, {"status": "held"}]},
    )

    number: StrictInt | None = Field(default=None, ge=1, le=99_999)
    title: NoNulStr | None = Field(default=None, min_length=1, max_length=200)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    location: NoNulStr | None = Field(default=None, max_length=300)
    status: SessionStatusName | None = None
    recorded: StrictBool | None = None


class ReportIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"report": "# Verslag", "publish": True}]}
    )

    report: str = Field(max_length=200_000, description="Markdown")
    publish: StrictBool = Field(
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
    format: AgendaFormatName
    proposal_id: int | None
    updated_at: datetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "session_id": 3,
                    "position": 1,
                    "starts_at": "2027-01-14T12:00:00Z",
                    "ends_at": "2027-01-14T13:00:00Z",
                    "title": "Welkom en toelichting",
                    "description": "",
                    "format": "plenary",
                    "proposal_id": None,
                    "updated_at": "2026-12-03T10:00:00Z",
                }
            ]
        }
    )


class AgendaItemCreate(BaseModel):
    """A new agenda item, within the session's times; it goes to the end of the agenda unless ``position`` says
    otherwise."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Welkom en toelichting",
                    "starts_at": "2027-01-14T12:00:00Z",
                    "ends_at": "2027-01-14T13:00:00Z",
                    "format": "plenary",
                }
            ]
        },
    )

    title: NoNulStr = Field(min_length=1, max_length=200)
    description: NoNulStr = Field(default="", max_length=5000)
    starts_at: Moment = Field(description="Within the session")
    ends_at: Moment = Field(description="After starts_at, within the session")
    format: AgendaFormatName = "plenary"
    proposal_id: StrictInt | None = Field(default=None, ge=1, le=2_147_483_647, description="The proposal discussed")
    position: StrictInt | None = Field(
        default=None, ge=1, le=1000, description="Place on the agenda, from 1 (left out: at the end)"
    )


class AgendaItemPatch(BaseModel):
    """Only the fields sent change; ``position`` moves the item to that place (the others shift)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Pauze"}, {"position": 1}, {"proposal_id": None}]}
    )

    title: NoNulStr | None = Field(default=None, min_length=1, max_length=200)
    description: NoNulStr | None = Field(default=None, max_length=5000)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    format: AgendaFormatName | None = None
    proposal_id: StrictInt | None = Field(default=None, ge=1, le=2_147_483_647, description="null: no proposal")
    position: StrictInt | None = Field(default=None, ge=1, le=1000)


class SubgroupOut(BaseModel):
    provider_id: int
    subgroup: str


class SubgroupsOut(BaseModel):
    """Which subgroup each provider joins for an agenda item in subgroups (staff)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"agenda_item_id": 7, "subgroups": [{"provider_id": 4, "subgroup": "A"}]}]}
    )

    agenda_item_id: int
    subgroups: list[SubgroupOut]


class SubgroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider_id: StrictInt = Field(ge=1, le=2_147_483_647)
    subgroup: NoNulStr = Field(max_length=100, description="Empty: not in a subgroup")


class SubgroupsIn(BaseModel):
    """The whole division: providers left out (or with an empty name) are taken out of their subgroup. Only the
    trajectory's accepted providers can be placed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"subgroups": [{"provider_id": 4, "subgroup": "A"}]}]},
    )

    subgroups: list[SubgroupIn] = Field(max_length=500)
