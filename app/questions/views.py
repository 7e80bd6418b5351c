"""HTML for participants: asking a question, one's own questions, the released notas van inlichtingen (page
and PDF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import WebPrincipal
from app.db import SessionDep, rollback_now
from app.kit.errors import AppError, field_errors
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.questions import asking, pages
from app.web.templates import render

router = APIRouter()

TEXT_MAX = 20_000


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else (-1 if raw else None)


def _page(request: Request, page: pages.QuestionsPage, state: FormState, *, status_code: int = 200) -> Response:
    return render(
        request,
        "questions/index.html",
        {
            "title": _("Vragen: %(title)s", title=page.dialogue.title),
            "page": page,
            "form": state,
            "asked": request.query_params.get("asked") == "1",
        },
        status_code=status_code,
        block="content" if state.invalid else None,
    )


@router.get("/dialogues/{slug}/vragen", include_in_schema=False)
def questions(request: Request, db: SessionDep, principal: WebPrincipal, slug: str) -> Response:
    """The asking form, one's own questions and every released nota of the trajectory."""
    return _page(request, pages.questions_page(db, principal, slug), FormState())


@router.post("/dialogues/{slug}/vragen", include_in_schema=False)
def ask(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    slug: str,
    text: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    subject: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Ask; after the deadline, 422 naming it, with the text kept."""
    dialogue = asking.trajectory(db, principal, slug)
    kind, _sep, raw = subject.partition(":")
    chosen = _int(raw) if kind in ("session", "document", "section") else None
    data = asking.QuestionInput(
        text=text,
        session_id=chosen if kind == "session" else None,
        document_id=chosen if kind == "document" else None,
        section_id=chosen if kind == "section" else None,
    )
    try:
        asking.ask(db, principal, dialogue, data)
    except AppError as exc:
        errors = field_errors(exc)
        rollback_now(db)
        # The subject fields are one select here.
        for name in ("session_id", "document_id", "section_id"):
            if name in errors:
                errors["subject"] = errors.pop(name)
        state = FormState({"text": text, "subject": subject}, errors)
        return _page(request, pages.questions_page(db, principal, slug), state, status_code=exc.status_code)
    return RedirectResponse(f"/dialogues/{dialogue.slug}/vragen?asked=1#mine", status_code=303)


@router.get("/dialogues/{slug}/nota/{number}.pdf", include_in_schema=False)
def nota_pdf(db: SessionDep, principal: WebPrincipal, slug: str, number: int) -> Response:
    body, nota = pages.nota_pdf(db, principal, slug, number)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="nota-van-inlichtingen-{nota.number}.pdf"'},
    )


@router.get("/dialogues/{slug}/nota/{number}", include_in_schema=False)
def nota(request: Request, db: SessionDep, principal: WebPrincipal, slug: str, number: int) -> Response:
    """A nota van inlichtingen: 404 before its release for everyone but the reviewers."""
    page = pages.nota_page(db, principal, slug, number)
    return render(
        request,
        "questions/nota.html",
        {"title": _("Nota van inlichtingen %(n)s", n=page.nota.nota.number), "page": page},
    )
