"""API shapes for invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.kit.api_types import NoNulStr

InvitationStatusName = Literal["pending", "accepted", "declined", "withdrawn"]
# What an invitation can be: answered or not, or withdrawn by SDFL (the provider no longer takes part).
InvitationStateName = Literal["pending", "accepted", "declined", "withdrawn"]


class ResponderOut(BaseModel):
    id: int
    name: str
    email: str


class InvitationOut(BaseModel):
    id: int
    dialogue_id: int
    provider_id: int
    provider_name: str
    status: InvitationStateName
    invited_at: datetime
    responded_at: datetime | None
    note: str | None = Field(
        description="The provider's note with its answer; only for admins and the provider's own users, else null"
    )
    responded_by: ResponderOut | None = Field(
        description="Who answered; only for admins and the provider's own users, else null"
    )
    updated_at: datetime = Field(description="Its last change: invited, answered or withdrawn")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "dialogue_id": 1,
                    "provider_id": 4,
                    "provider_name": "Zorggroep Almere",
                    "status": "accepted",
                    "invited_at": "2026-11-20T09:00:00Z",
                    "responded_at": "2026-11-22T14:30:00Z",
                    "note": None,
                    "responded_by": None,
                    "updated_at": "2026-11-22T14:30:00Z",
                }
            ]
        }
    )


class InvitationCreate(BaseModel):
    """Invite a provider to a trajectory: its active contact persons get the invitation mail."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"dialogue_id": 1, "provider_id": 4}]})

    dialogue_id: StrictInt = Field(ge=1, le=2_147_483_647)
    provider_id: StrictInt = Field(ge=1, le=2_147_483_647)


class InvitationPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "accepted", "note": "Wij komen met twee mensen."}]}
    )

    status: InvitationStatusName = Field(
        description="'accepted' or 'declined'; 'withdrawn' (admins) withdraws the invitation (409 when it is "
        "already); 'pending' is refused with 409"
    )
    note: NoNulStr | None = Field(default=None, max_length=2000, description="Omit to keep the current note")
