"""API shapes for trajectories (dialogues and consultations)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.api_types import NoNulStr, UtcMoment

KindName = Literal["dialogue", "consultation"]
StatusName = Literal["draft", "active", "closed", "archived"]
BasisName = Literal["size", "target_groups", "contracting", "assessment"]
MilestoneKindName = Literal["save_the_date", "package_release", "window_close", "tender", "contract_start", "other"]


class CriterionOut(BaseModel):
    id: int
    position: int
    title: str
    text: str
    basis: str = Field(description="What its coverage is counted from: size, target_groups, contracting, assessment")


class FrameworkOut(BaseModel):
    id: int
    position: int
    title: str
    url: str
    document_id: int | None
    description: str


class MilestoneOut(BaseModel):
    id: int
    kind: str
    title: str
    due_at: datetime
    session_id: int | None
    met_at: datetime | None


class DialogueOut(BaseModel):
    id: int
    slug: str
    kind: str = Field(description="dialogue (invite-only) or consultation (approved participants)")
    title: str
    description: str = Field(description="Markdown")
    care_form: str | None = Field(description="The care form's key")
    status: str = Field(description="draft, active, closed or archived (drafts and archived: staff only)")
    tender_reference: str
    selection_intro: str = Field(description="Markdown before the criteria")
    criteria: list[CriterionOut]
    frameworks: list[FrameworkOut]
    milestones: list[MilestoneOut] = Field(description="By due moment")
    created_at: datetime
    updated_at: datetime


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(default=None, description="An existing criterion of this trajectory, to keep it")
    title: NoNulStr = Field(max_length=1000)
    text: NoNulStr = Field(default="", max_length=20_000)
    basis: BasisName = "assessment"


class FrameworkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    title: NoNulStr = Field(max_length=1000)
    url: NoNulStr = Field(default="", max_length=2000)
    document_id: int | None = Field(default=None, description="A document of this trajectory")
    description: NoNulStr = Field(default="", max_length=5000)


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    kind: MilestoneKindName = "other"
    title: NoNulStr = Field(max_length=1000)
    due_at: UtcMoment
    session_id: int | None = Field(default=None, description="A session of this trajectory")
    met_at: UtcMoment | None = None


class DialogueWrite(BaseModel):
    """Fields of POST (slug and title required) and PATCH (every field optional; a list replaces the whole list;
    items with the id of an existing item keep it)."""

    model_config = ConfigDict(extra="forbid")

    slug: NoNulStr | None = Field(default=None, max_length=1000, description="lower-case letters, digits, hyphens")
    kind: KindName | None = None
    title: NoNulStr | None = Field(default=None, max_length=1000)
    description: NoNulStr | None = Field(default=None, max_length=100_000)
    care_form: NoNulStr | None = Field(default=None, max_length=100, description="A care form's key; null: none")
    selection_intro: NoNulStr | None = Field(default=None, max_length=100_000)
    tender_reference: NoNulStr | None = Field(default=None, max_length=1000)
    status: StatusName | None = None
    criteria: list[CriterionIn] | None = Field(default=None, max_length=100)
    frameworks: list[FrameworkIn] | None = Field(default=None, max_length=100)
    milestones: list[MilestoneIn] | None = Field(default=None, max_length=200)
