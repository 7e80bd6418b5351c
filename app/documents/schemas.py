"""API shapes for documents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.api_types import NoNulStr, UtcMoment

AudienceName = Literal["participants", "public"]


class DocumentOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "dialogue_id": 1,
                    "session_id": 3,
                    "title": "Concept tarieven 2027",
                    "filename": "tarieven-2027.pdf",
                    "content_type": "application/pdf",
                    "size": 48213,
                    "sha256": "9f2c0b5e" + "0" * 56,
                    "audience": "participants",
                    "release_at": "2027-01-07T12:00:00Z",
                    "released": False,
                    "download_url": "/api/v1/documents/12/download",
                    "updated_at": "2026-12-03T10:00:00Z",
                }
            ]
        }
    )

    id: int
    dialogue_id: int = Field(description="The trajectory")
    session_id: int | None = Field(description="Null: the document belongs to the whole dialogue")
    title: str
    filename: str
    content_type: str = Field(description="Determined from the file's content at upload")
    size: int = Field(ge=0, description="Bytes")
    sha256: str = Field(description="Hex SHA-256 of the file, to verify a download")
    audience: AudienceName
    release_at: datetime = Field(
        description="Before this moment only reviewers (admins, municipalities) see the document; "
        "in a release package it goes out with the package instead"
    )
    released: bool
    download_url: str
    updated_at: datetime = Field(
        description="Its last change, or its release once released (participants never see it before)"
    )


class DocumentPatch(BaseModel):
    """Only the fields sent change; only before the document's release (409 afterwards)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"release_at": "2027-01-08T08:00:00Z"}, {"audience": "public"}]},
    )

    title: NoNulStr | None = Field(default=None, min_length=1, max_length=200)
    audience: AudienceName | None = None
    release_at: UtcMoment | None = Field(
        default=None, description="A document in a release package goes out with it: change the package's moment"
    )
