"""API shapes for questions and notas van inlichtingen."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.meetings.schemas import TenderNedOut


class QuestionIn(BaseModel):
    dialogue_id: int = Field(ge=1, le=2_147_483_647, description="The trajectory the question is asked in")
    text: str = Field(max_length=20_000, description="The question (at least 10 characters)")
    session_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description="About this session")
    document_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description="About this released document")
    section_id: int | None = Field(default=None, ge=1, le=2_147_483_647, description="About this published section")


class AskerOut(BaseModel):
    id: int
    name: str
    provider_id: int | None


class QuestionOut(BaseModel):
    id: int
    dialogue_id: int
    status: Literal["open", "merged", "answered"] = Field(
        description="For participants: open until the answer is released in a nota, then answered"
    )
    text: str | None = Field(description="The published (neutral) wording; null for your own before its release")
    answer: str | None = Field(description="The answer (Markdown), once released")
    answer_html: str | None = Field(description="The answer as sanitised HTML")
    nota_id: int | None
    nota_number: int | None = Field(description="The nota van inlichtingen it is answered in")
    number: int | None = Field(description="Its number in that nota")
    released_at: datetime | None
    session_id: int | None
    document_id: int | None
    section_id: int | None
    own: bool = Field(description="Asked by you (or your organisation)")
    original_text: str | None = Field(description="As asked: only for the asker and the reviewers")
    asked_at: datetime | None = Field(description="Only for the asker and the reviewers")
    merged_into_id: int | None = Field(description="A duplicate: answered by this question")
    asker: AskerOut | None = Field(default=None, description="Reviewers only")
    text_edited_by_id: int | None = Field(default=None, description="Reviewers only")
    answer_by_id: int | None = Field(default=None, description="Reviewers only")
    updated_at: datetime = Field(
        description="Its last change you can see: reviewers every change; others when asked (their own) and when "
        "its answer was released (drafted wordings and answers never move it)"
    )


class NotaQuestionOut(BaseModel):
    number: int
    question_id: int
    text: str
    answer: str
    answer_html: str


class NotaOut(BaseModel):
    id: int
    dialogue_id: int
    number: int
    title: str
    intro: str
    status: Literal["draft", "scheduled", "released", "blocked"]
    release_at: datetime | None
    released_at: datetime | None
    corrects_id: int | None
    questions: list[NotaQuestionOut]
    pdf_url: str
    tenderned: TenderNedOut | None = Field(
        default=None, description="Where the released nota was published on TenderNed, once SDFL recorded it"
    )
    updated_at: datetime = Field(description="Its last change you can see (for participants: from its release on)")
