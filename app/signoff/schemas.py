"""API shapes for the sign-off settings of a trajectory."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RequiredMunicipalityOut(BaseModel):
    id: int
    name: str


class SignoffSettingsOut(BaseModel):
    dialogue_id: int
    chosen: bool = Field(description="False: the default, every municipality of the purchase must approve")
    municipalities: list[RequiredMunicipalityOut] = Field(
        description="The municipalities that must approve every release of this trajectory, by name"
    )


class SignoffSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_ids: list[int] = Field(
        max_length=100, description="The municipalities that must approve (an empty list: none)"
    )
