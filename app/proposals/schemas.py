"""API shapes for proposals, their versions and sections, and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.kit.api_types import NoNulStr

TopicName = Literal["product_structure", "contract_terms", "requirements", "preconditions", "procurement_process"]
KindName = Literal["steun", "zorg", "vraag", "suggestie"]
StatusName = Literal[
    "nieuw", "in_behandeling", "overgenomen", "deels_overgenomen", "niet_overgenomen", "bespreken_in_sessie"
]
WindowName = Literal["not_open", "open", "closed"]
StakeholderGroupName = Literal["provider", "local_referrer", "external_referrer", "experience_expert", "other"]


class ProposalOut(BaseModel):
    id: int
    dialogue_id: int
    slug: str
    topic: TopicName
    title: str
    summary: str
    status: Literal["draft", "published", "archived"]
    public: bool
    opens_at: datetime | None = Field(description="Start of the comment window")
    closes_at: datetime | None = Field(description="End of the comment window")
    window: WindowName = Field(description="Whether comments are accepted now")
    current_version: int | None = Field(description="Number of the newest published version")
    updated_at: datetime


class VersionOut(BaseModel):
    proposal_id: int
    number: int
    status: Literal["draft", "published"]
    published_at: datetime | None
    change_summary: str


class SectionOut(BaseModel):
    id: int
    key: str = Field(description="Stays the same across versions")
    position: int
    heading: str
    kind: Literal["text", "question"]
    body: str = Field(description="Markdown as written")
    body_html: str = Field(description="Sanitised HTML, rendered at publication")


class AuthorOut(BaseModel):
    id: int
    name: str = Field(
        description="An experience expert under a pseudonym: the pseudonym, except for SDFL and municipalities"
    )
    organisation: str = Field(default="", description="The organisation (and stakeholder group) as you may see it")
    stakeholder_group: StakeholderGroupName | None = Field(
        default=None,
        description="provider for a provider's contact, a consultation participant's group; null for staff",
    )


class ProviderRef(BaseModel):
    id: int
    name: str


class CommentOut(BaseModel):
    id: int
    dialogue_id: int = Field(description="The trajectory of the comment's proposal")
    proposal_id: int
    version: int
    section_id: int
    section_key: str
    parent_id: int | None
    author: AuthorOut
    provider: ProviderRef | None = Field(
        description="The provider the author comments for; null for SDFL and municipalities"
    )
    kind: KindName | None = Field(description="Null for replies that have none")
    body: str | None = Field(description="Markdown as written; null once withdrawn")
    body_html: str | None = Field(description="Sanitised HTML; null once withdrawn")
    quote: str | None
    suggested_text: str | None
    official: bool = Field(description="An official SDFL reply")
    status: StatusName = Field(
        description="SDFL's decision. Providers see the last released decision; reviewers the current one"
    )
    created_at: datetime
    edited_at: datetime | None
    withdrawn_at: datetime | None


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section_id: int = Field(ge=1, le=2_147_483_647, description="A section of the proposal's current version")
    parent_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description="Reply to this comment")
    kind: KindName | None = Field(default=None, description="Required unless this is a reply")
    body: NoNulStr = Field(min_length=1, max_length=10_000, description="Markdown")
    quote: NoNulStr | None = Field(default=None, max_length=2_000)
    suggested_text: NoNulStr | None = Field(default=None, max_length=10_000, description="Only with kind 'suggestie'")


class CommentPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: KindName | None = Field(default=None, description="Omit to keep")
    body: NoNulStr | None = Field(default=None, min_length=1, max_length=10_000, description="Omit to keep")
    quote: NoNulStr | None = Field(default=None, max_length=2_000, description="Omit to keep; empty string clears")
    suggested_text: NoNulStr | None = Field(
        default=None, max_length=10_000, description="Omit to keep; empty string clears"
    )
