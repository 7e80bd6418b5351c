"""API shapes for proposals, their versions and sections, and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from app.kit.api_types import NoNulStr, UtcMoment

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
    publish_at: datetime | None = Field(default=None, description="A draft scheduled to be published then")
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
    withdrawn: bool = Field(description="Withdrawn by its author: it stays in threads and feeds, without its text")
    updated_at: datetime = Field(
        description="The latest change you may see (written, edited, withdrawn, a released decision or official "
        "reply; reviewers also their working changes): the change feed's order"
    )
    official_reply: OfficialReplyOut | None = Field(
        default=None, description="SDFL's official reply as you may see it: participants once it is released"
    )
    positions: list[PositionOut] | None = Field(
        default=None, description="The municipalities' stances (reviewers only; null for everyone else)"
    )
    notes: list[NoteOut] | None = Field(default=None, description="Internal notes (reviewers only; null otherwise)")


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


# --- reviewers' details in the comment representation ----------------------------------------------------

StanceName = Literal["eens", "oneens", "neutraal", "toelichting"]


class OfficialReplyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "body": "Dank u. We nemen dit over in versie 2.",
                    "body_html": "<p>Dank u. We nemen dit over in versie 2.</p>",
                    "release_at": "2026-12-10T09:00:00Z",
                    "released": True,
                    "author_name": "SDFL",
                }
            ]
        }
    )

    id: int = Field(description="The reply's own comment id")
    body: str = Field(description="Markdown as written")
    body_html: str = Field(description="Sanitised HTML")
    release_at: datetime | None = Field(description="When it is (or was) released; null while only drafted")
    released: bool = Field(description="Whether participants see it (its release moment has passed)")
    author_name: str


class PositionOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "municipality_id": 2,
                    "municipality": "Almere",
                    "stance": "eens",
                    "note": "",
                    "updated_at": "2026-12-04T10:00:00Z",
                }
            ]
        }
    )

    municipality_id: int
    municipality: str
    stance: StanceName
    note: str
    updated_at: datetime


class NoteAuthorOut(BaseModel):
    name: str
    organisation: str = Field(description="SDFL or the municipality")


class NoteOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "author": {"name": "Marieke", "organisation": "Gemeente Almere"},
                    "body": "Bespreken in het overleg.",
                    "body_html": "<p>Bespreken in het overleg.</p>",
                    "created_at": "2026-12-04T10:00:00Z",
                }
            ]
        }
    )

    id: int
    author: NoteAuthorOut
    body: str = Field(description="Markdown as written")
    body_html: str = Field(description="Sanitised HTML")
    created_at: datetime


# --- writes for reviewers -----------------------------------------------------------------------------------


class ReviewPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "niet_overgenomen", "official_reply": "Dit past niet."}]},
    )

    status: StatusName | None = Field(default=None, description="SDFL's working decision; omit to keep")
    official_reply: NoNulStr | None = Field(
        default=None,
        max_length=10_000,
        description="Markdown: writes (or rewrites) the drafted official reply; released with the next release",
    )


class PositionPut(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"stance": "oneens", "note": ""}]})

    stance: StanceName
    note: NoNulStr = Field(default="", max_length=5_000, description="Required with stance 'toelichting'")


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"body": "Bespreken in het overleg."}]})

    body: NoNulStr = Field(min_length=1, max_length=5_000, description="Markdown")


class ReleaseCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "digest": "9f2c4e0b7d1a5c3e8f6b2d4a0c9e7f1b3d5a7c9e1f3b5d7f9a1c3e5b7d9f1a3c",
                    "release_at": "2026-12-10T09:00:00Z",
                }
            ]
        },
    )

    digest: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[0-9a-f]+$",
        description="The digest of GET /dialogues/{id}/release: what you checked is what goes out",
    )
    release_at: UtcMoment | None = Field(default=None, description="Now when omitted")
    override_reason: NoNulStr | None = Field(
        default=None,
        min_length=1,
        max_length=10_000,
        description="Release without every municipality's approval, for this written reason (recorded)",
    )


class SignoffCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"digest": "9f2c0e", "decision": "approve", "note": ""}]}
    )

    digest: str = Field(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$", description="What you checked")
    decision: Literal["approve", "object"]
    note: NoNulStr = Field(default="", max_length=10_000, description="Why you object")


class ReleaseCheckOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dialogue_id": 1,
                    "digest": "9f2c0e",
                    "replies": [41],
                    "decisions": [12, 13],
                    "agenda": [],
                    "cleared": True,
                }
            ]
        }
    )

    dialogue_id: int
    digest: str = Field(description="Send it back to release exactly this")
    replies: list[int] = Field(description="Ids of the drafted official replies that go out")
    decisions: list[int] = Field(description="Ids of the comments whose decision goes out")
    agenda: list[int] = Field(description="Ids of the comments whose agenda link goes out")
    cleared: bool = Field(description="Every required municipality approved (or SDFL overrode)")


class ReleaseOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"dialogue_id": 1, "release_at": "2026-12-10T09:00:00Z", "replies": 1, "decisions": 2}]
        }
    )

    dialogue_id: int
    release_at: datetime
    replies: int = Field(description="How many official replies were released")
    decisions: int = Field(description="How many decisions were released")


# --- writes for SDFL: proposals, versions, sections -------------------------------------------------------


class ProposalCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dialogue_id": 1,
                    "topic": "requirements",
                    "title": "Eisen aan de wachttijd",
                    "summary": "",
                    "opens_at": "2026-12-10T09:00:00Z",
                    "closes_at": "2026-12-24T17:00:00Z",
                    "public": False,
                }
            ]
        },
    )

    dialogue_id: StrictInt = Field(ge=1, le=2_147_483_647, description="The trajectory")
    topic: TopicName
    title: NoNulStr = Field(min_length=1, max_length=200)
    summary: NoNulStr = Field(default="", max_length=20_000)
    opens_at: UtcMoment | None = Field(default=None, description="Start of the comment window (with closes_at)")
    closes_at: UtcMoment | None = Field(default=None, description="End of the comment window")
    public: StrictBool = False


class ProposalPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "Eisen aan de wachttijd (herzien)"}]}
    )

    topic: TopicName | None = Field(default=None, description="Omit to keep")
    title: NoNulStr | None = Field(default=None, min_length=1, max_length=200, description="Omit to keep")
    summary: NoNulStr | None = Field(default=None, max_length=20_000, description="Omit to keep")
    opens_at: UtcMoment | None = Field(default=None, description="Omit to keep; null clears (with closes_at)")
    closes_at: UtcMoment | None = Field(default=None, description="Omit to keep; null clears (with opens_at)")
    public: StrictBool | None = Field(default=None, description="Omit to keep")


class SectionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"heading": "Wachttijd", "body": "De wachttijd is ten hoogste zes weken."}]},
    )

    heading: NoNulStr = Field(min_length=1, max_length=300)
    body: NoNulStr = Field(default="", max_length=100_000, description="Markdown")
    kind: Literal["text", "question"] = "text"


class SectionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"body": "Ten hoogste vier weken."}]})

    heading: NoNulStr | None = Field(default=None, min_length=1, max_length=300, description="Omit to keep")
    body: NoNulStr | None = Field(default=None, max_length=100_000, description="Omit to keep")
    kind: Literal["text", "question"] | None = Field(default=None, description="Omit to keep")


class VersionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"sections": [{"heading": "Wachttijd", "body": "Ten hoogste zes weken."}]}]},
    )

    sections: list[SectionCreate] | None = Field(
        default=None,
        max_length=200,
        description="Replace the new draft's sections (copied from the last version) by these; omit to keep the copy",
    )


class PublishCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"change_summary": "De wachttijd is aangescherpt."}]},
    )

    change_summary: NoNulStr = Field(default="", max_length=20_000, description="Required from version 2 on")
    publish_at: UtcMoment | None = Field(
        default=None, description="Schedule the publication at this moment instead of publishing now"
    )


CommentOut.model_rebuild()
