"""API shapes for providers, their contact persons, municipalities and care forms.

Reading providers and municipalities is public; writing (POST, PATCH, DELETE) needs an admin's ``write`` key."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.api_types import NoNulStr

SizeName = Literal["small", "medium", "large"]


class MunicipalityOut(BaseModel):
    id: int
    code: str = Field(description="CBS municipality code")
    name: str
    in_procurement: bool = Field(description="Part of this regional purchase")
    archived_at: datetime | None = Field(description="Archived: out of the lists, kept for history")
    updated_at: datetime = Field(description="Its last change (archiving included)")


class MunicipalityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: NoNulStr = Field(min_length=4, max_length=4, description="CBS code: four digits, e.g. 0034")
    name: NoNulStr = Field(min_length=1, max_length=100)
    in_procurement: bool = True


class MunicipalityPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: NoNulStr | None = Field(default=None, min_length=4, max_length=4)
    name: NoNulStr | None = Field(default=None, min_length=1, max_length=100)
    in_procurement: bool | None = None
    archived: bool | None = Field(default=None, description="true archives, false restores")


class MunicipalityRef(BaseModel):
    code: str
    name: str


class ProviderOut(BaseModel):
    id: int
    name: str
    slug: str
    size: str = Field(description="small, medium or large")
    tags: list[str] = Field(description="Target groups and expertise (slugs)")
    contracted_in: list[MunicipalityRef] = Field(description="Municipalities where the provider is contracted")
    active_outside_flevoland: bool
    website: str
    description: str
    illustrative: bool = Field(description="Demo data: tags are invented for the demo")
    archived_at: datetime | None = Field(description="Archived: out of the lists and of new invitations")
    updated_at: datetime = Field(description="Its last change (archiving included)")


class ProviderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NoNulStr = Field(min_length=1, max_length=200)
    slug: NoNulStr | None = Field(default=None, max_length=100, description="Made from the name when left out")
    size: SizeName = "medium"
    tags: list[NoNulStr] = Field(default_factory=list, max_length=50, description="Slugs of the target groups")
    municipalities: list[NoNulStr] = Field(
        default_factory=list, max_length=100, description="CBS codes of the municipalities where it is contracted"
    )
    active_outside_flevoland: bool = False
    website: NoNulStr = Field(default="", max_length=300)
    description: NoNulStr = Field(default="", max_length=10_000)


class ProviderPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NoNulStr | None = Field(default=None, min_length=1, max_length=200)
    slug: NoNulStr | None = Field(default=None, min_length=1, max_length=100)
    size: SizeName | None = None
    tags: list[NoNulStr] | None = Field(default=None, max_length=50)
    municipalities: list[NoNulStr] | None = Field(default=None, max_length=100)
    active_outside_flevoland: bool | None = None
    website: NoNulStr | None = Field(default=None, max_length=300)
    description: NoNulStr | None = Field(default=None, max_length=10_000)
    archived: bool | None = Field(default=None, description="true archives, false restores")


class ContactOut(BaseModel):
    id: int
    name: str
    email: str
    active: bool
    invitation_pending: bool = Field(description="Invited but no password set yet")


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: NoNulStr = Field(min_length=1, max_length=200)
    email: NoNulStr = Field(min_length=3, max_length=320)
    invite: bool = Field(default=True, description="Mail the link to choose a password now")


class CareFormOut(BaseModel):
    id: int
    key: str
    name: str
    description: str
    archived_at: datetime | None
    updated_at: datetime = Field(description="Its last change (archiving included)")


class CareFormCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: NoNulStr | None = Field(default=None, max_length=60, description="Made from the name when left out")
    name: NoNulStr = Field(min_length=1, max_length=200)
    description: NoNulStr = Field(default="", max_length=10_000)


class CareFormPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: NoNulStr | None = Field(default=None, min_length=1, max_length=60)
    name: NoNulStr | None = Field(default=None, min_length=1, max_length=200)
    description: NoNulStr | None = Field(default=None, max_length=10_000)
    archived: bool | None = Field(default=None, description="true archives, false restores")


class ImportResultOut(BaseModel):
    created: int = Field(description="Providers created")
    updated: int = Field(description="Existing providers updated")
    contacts: int = Field(description="Contact persons created")
