"""API shapes for accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.api_types import NoNulStr
from app.models import MAX_ID

# The roles an admin gives through the users API; consultation participants join (or are added) per
# consultation, with their stakeholder group, through app.consultations.
RoleName = Literal["admin", "municipality", "provider"]
AnyRole = Literal["admin", "municipality", "provider", "participant"]
StakeholderGroupName = Literal["provider", "local_referrer", "external_referrer", "experience_expert", "other"]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: AnyRole
    provider_id: int | None
    municipality_id: int | None
    stakeholder_group: StakeholderGroupName | None = Field(description="A consultation participant's group")
    organisation: str = Field(description="The organisation a consultation participant named")
    pseudonym: str | None = Field(description="The name other participants see (experience experts)")
    active: bool
    invitation_pending: bool = Field(description="Invited but no password set yet")
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime = Field(description="Its last change (not counting sign-ins)")


class MeOut(BaseModel):
    user: UserOut
    scope: Literal["read", "write"] = Field(description="Scope of the API key used")


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: NoNulStr = Field(min_length=3, max_length=320)
    name: NoNulStr = Field(default="", max_length=200)
    role: RoleName
    provider_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Required for role provider")
    municipality_id: int | None = Field(default=None, ge=1, le=MAX_ID, description="Required for role municipality")


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: NoNulStr | None = Field(default=None, min_length=3, max_length=320)
    name: NoNulStr | None = Field(default=None, max_length=200)
    role: RoleName | None = None
    provider_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    municipality_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    active: bool | None = None
