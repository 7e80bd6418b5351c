"""API shapes for providers and municipalities (public data)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class MunicipalityOut(BaseModel):
    id: int
    code: str = Field(description="CBS municipality code")
    name: str
    in_procurement: bool = Field(description="Part of this regional purchase")


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
    illustrative: bool = Field(description="Demo data: tags are invented for the demo")
