"""API shapes for documents."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DocumentOut(BaseModel):
    id: int
    session_id: int | None = Field(description="Null: the document belongs to the whole dialogue")
    title: str
    filename: str
    content_type: str = Field(description="Determined from the file's content at upload")
    size: int = Field(ge=0, description="Bytes")
    sha256: str = Field(description="Hex SHA-256 of the file, to verify a download")
    audience: Literal["participants", "public"]
    release_at: datetime = Field(
        description="Before this moment only reviewers (admins, municipalities) see the document; "
        "in a release package it goes out with the package instead"
    )
    released: bool
    download_url: str
