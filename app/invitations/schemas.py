"""API shapes for invitations."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.api_types import NoNulStr

InvitationStatusName = Literal["pending", "accepted", "declined"]
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


class InvitationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: InvitationStatusName = Field(description="'accepted' or 'declined'; 'pending' is refused with 409")
    note: NoNulStr | None = Field(default=None, max_length=2000, description="Omit to keep the current note")
