"""HTML for SDFL and the municipalities: the questions of a trajectory, a question's wording, answer and
duplicates, composing and releasing a nota van inlichtingen, its "check before you release" page with the
municipalities' sign-off, and the review export of questions and answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import WebPrincipal
from app.db import SessionDep, rollback_now
from app.kit import clock, tenderned
from app.kit.dates import local_input, parse_local
from app.kit.errors import AppError, field_errors, invalid
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.models import User
from app.policy import Principal
from app.questions import drafting, notas, pages
from app.web.templates import render

router = APIRouter()

TEXT_MAX = 25_000


def _user(principal: Principal) -> User:
    """The signed-in user (the services authorised the principal)."""
    assert principal.user is not None
    return principal.user


def _ids(raw: list[str]) -> list[int]:
    return [int(v) for v in raw if v.isascii() and v.isdigit() and len(v) <= 10]


# --- questions ------------------------------------------------------------------------------------------------


@router.get("/admin/questions", include_in_schema=False)
def question_list(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Every question of a trajectory (filter by status) and its notas."""
    page = pages.review_list(db, principal, dialogue, status)
    return render(
        request,
        "questions/admin_list.html",
        {"title": _("Vragen: %(title)s", title=page.dialogue.title), "page": page},
    )


def _question_page(
    request: Request, db: SessionDep, principal: Principal, question_id: int, state: FormState, status_code: int = 200
) -> Response:
    page = pages.review_question(db, principal, question_id)
    return render(
        request,
        "questions/admin_question.html",
        {
            "title": _("Vraag %(n)s", n=question_id),
            "page": page,
            "form": state,
            "done": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


@router.get("/admin/questions/{question_id}", include_in_schema=False)
def question(request: Request, db: SessionDep, principal: WebPrincipal, question_id: int) -> Response:
    return _question_page(request, db, principal, question_id, FormState())


@router.post("/admin/questions/{question_id}", include_in_schema=False)
def save_question(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    question_id: int,
    text: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    answer: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> Response:
    """The neutral wording and the answer (SDFL and the municipalities)."""
    q = drafting.question_for_review(db, principal, question_id)
    try:
        drafting.save_draft(db, principal, q, drafting.Draft(text=text, answer=answer), actor=_user(principal))
    except AppError as exc:
        rollback_now(db)
        state = FormState({"text": text, "answer": answer}, field_errors(exc))
        return _question_page(request, db, principal, question_id, state, exc.status_code)
    return RedirectResponse(f"/admin/questions/{question_id}?done=saved", status_code=303)


@router.post("/admin/questions/{question_id}/merge", include_in_schema=False)
def merge_question(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    question_id: int,
    merged_into_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Mark the question a duplicate of another (SDFL)."""
    q = drafting.question_for_review(db, principal, question_id)
    target = _ids([merged_into_id])
    try:
        drafting.merge(db, principal, q, target[0] if target else None, actor=_user(principal))
    except AppError as exc:
        rollback_now(db)
        state = FormState({"merged_into_id": merged_into_id}, field_errors(exc))
        return _question_page(request, db, principal, question_id, state, exc.status_code)
    return RedirectResponse(f"/admin/questions/{question_id}?done=merged", status_code=303)


@router.post("/admin/questions/{question_id}/unmerge", include_in_schema=False)
def unmerge_question(db: SessionDep, principal: WebPrincipal, question_id: int) -> Response:
    q = drafting.question_for_review(db, principal, question_id)
    drafting.unmerge(db, principal, q, actor=_user(principal))
    return RedirectResponse(f"/admin/questions/{question_id}?done=unmerged", status_code=303)


# --- notas ----------------------------------------------------------------------------------------------------


def _nota_input(title: str, intro: str, question_ids: list[str], corrects_id: str) -> notas.NotaInput:
    corrects = _ids([corrects_id])
    if corrects_id.strip() and not corrects:
        raise invalid({"corrects_id": "Kies een vrijgegeven nota van dit traject."})
    return notas.NotaInput(
        title=title, intro=intro, question_ids=_ids(question_ids), corrects_id=corrects[0] if corrects else None
    )


def _nota_values(title: str, intro: str, question_ids: list[str], corrects_id: str) -> dict[str, str]:
    return {"title": title, "intro": intro, "question_ids": ",".join(question_ids), "corrects_id": corrects_id}


def _new_page(request: Request, page: pages.NewNota, state: FormState, status_code: int = 200) -> Response:
    return render(
        request,
        "questions/admin_nota_new.html",
        {"title": _("Nieuwe nota van inlichtingen"), "page": page, "form": state},
        status_code=status_code,
    )


@router.get("/admin/notas/new", include_in_schema=False)
def new_nota(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    page = pages.new_nota(db, principal, dialogue)
    values = {"question_ids": ",".join(str(q.id) for q in page.candidates)}
    return _new_page(request, page, FormState(values))


@router.post("/admin/notas/new", include_in_schema=False)
def create_nota(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
    title: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    intro: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    question_ids: Annotated[list[str] | None, Form(max_length=500)] = None,
    corrects_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    page = pages.new_nota(db, principal, dialogue)
    raw_ids = question_ids or []
    try:
        data = _nota_input(title, intro, raw_ids, corrects_id)
        nota = notas.compose(db, principal, page.dialogue, data, actor=_user(principal))
    except AppError as exc:
        rollback_now(db)
        state = FormState(_nota_values(title, intro, raw_ids, corrects_id), field_errors(exc))
        return _new_page(request, pages.new_nota(db, principal, dialogue), state, exc.status_code)
    return RedirectResponse(f"/admin/notas/{nota.id}?done=created", status_code=303)


NOTICES = {
    "created": "De nota is opgesteld.",
    "saved": "De nota is opgeslagen.",
    "scheduled": "De vrijgave is gepland.",
    "unscheduled": "De geplande vrijgave is ingetrokken.",
    "released": "De nota is vrijgegeven aan alle deelnemers.",
    "asked": "De gemeenten zijn om akkoord gevraagd.",
    "decided": "Uw besluit is vastgelegd.",
    "overridden": "De vrijgave zonder akkoord van alle gemeenten is vastgelegd, met de reden.",
    "tenderned": "De publicatie op TenderNed is vastgelegd.",
}


def _nota_page(
    request: Request,
    db: SessionDep,
    principal: Principal,
    nota_id: int,
    state: FormState | None = None,
    status_code: int = 200,
    message: str = "",
    tenderned_state: FormState | None = None,
) -> Response:
    page = pages.nota_admin(db, principal, nota_id)
    nota = page.nota
    values = {
        "title": nota.title,
        "intro": nota.intro,
        "question_ids": ",".join(str(i.question_id) for i in page.items),
        "corrects_id": str(nota.corrects_id or ""),
        "release_at": local_input(nota.release_at),
    }
    done = request.query_params.get("done", "")
    return render(
        request,
        "questions/admin_nota.html",
        {
            "title": _("Nota van inlichtingen %(n)s", n=nota.number),
            "page": page,
            "form": state or FormState(values),
            "tenderned_form": tenderned_state
            or FormState(
                {
                    "tenderned_published_on": nota.tenderned_published_on.isoformat()
                    if nota.tenderned_published_on
                    else "",
                    "tenderned_reference": nota.tenderned_reference or "",
                    "tenderned_url": nota.tenderned_url or "",
                }
            ),
            "notice": _(NOTICES[done]) if done in NOTICES else "",
            "message": message,
        },
        status_code=status_code,
    )


@router.get("/admin/notas/{nota_id}", include_in_schema=False)
def nota_page(request: Request, db: SessionDep, principal: WebPrincipal, nota_id: int) -> Response:
    return _nota_page(request, db, principal, nota_id)


@router.post("/admin/notas/{nota_id}", include_in_schema=False)
def update_nota(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    nota_id: int,
    title: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    intro: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    question_ids: Annotated[list[str] | None, Form(max_length=500)] = None,
    corrects_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    nota = notas.nota_for_review(db, principal, nota_id)
    raw_ids = question_ids or []
    try:
        data = _nota_input(title, intro, raw_ids, corrects_id)
        notas.update_nota(db, principal, nota, data, actor=_user(principal))
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(db)
        state = FormState(_nota_values(title, intro, raw_ids, corrects_id), field_errors(exc))
        return _nota_page(request, db, principal, nota_id, state, exc.status_code)
    return RedirectResponse(f"/admin/notas/{nota_id}?done=saved", status_code=303)


@router.post("/admin/notas/{nota_id}/schedule", include_in_schema=False)
def schedule_nota(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    nota_id: int,
    release_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Schedule at a moment (empty: back to a draft)."""
    nota = notas.nota_for_review(db, principal, nota_id)
    at = parse_local(release_at)
    try:
        if release_at.strip() and at is None:
            raise invalid({"release_at": "Vul een datum en tijd in, bijvoorbeeld 1-12-2026 09:00."})
        notas.schedule(db, principal, nota, at, actor=_user(principal))
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(db)
        return _nota_page(
            request, db, principal, nota_id, FormState({"release_at": release_at}, field_errors(exc)), exc.status_code
        )
    return RedirectResponse(f"/admin/notas/{nota_id}?done={'scheduled' if at else 'unscheduled'}", status_code=303)


@router.post("/admin/notas/{nota_id}/release", include_in_schema=False)
def release_nota(request: Request, db: SessionDep, principal: WebPrincipal, nota_id: int) -> Response:
    """Release now: refused (the page again, with why) while empty or without every approval or an override."""
    nota = notas.nota_for_review(db, principal, nota_id)
    try:
        notas.release_now(db, principal, nota, actor=_user(principal))
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        rollback_now(db)
        return _nota_page(request, db, principal, nota_id, None, exc.status_code, message=exc.detail)
    return RedirectResponse(f"/admin/notas/{nota_id}?done=released", status_code=303)


@router.post("/admin/notas/{nota_id}/tenderned", include_in_schema=False)
def record_tenderned(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    nota_id: int,
    tenderned_published_on: Annotated[str, Form(max_length=30)] = "",
    tenderned_reference: Annotated[str, Form(max_length=200)] = "",
    tenderned_url: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Where the released nota was published on TenderNed (all fields empty: no record)."""
    nota = notas.nota_for_review(db, principal, nota_id)
    typed = {
        "tenderned_published_on": tenderned_published_on,
        "tenderned_reference": tenderned_reference,
        "tenderned_url": tenderned_url,
    }
    try:
        entry = tenderned.check(tenderned_published_on, tenderned_reference, tenderned_url, now=clock.now())
        notas.record_tenderned(db, principal, nota, entry, actor=_user(principal))
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(db)
        state = FormState(typed, field_errors(exc))
        return _nota_page(request, db, principal, nota_id, None, exc.status_code, tenderned_state=state)
    return RedirectResponse(f"/admin/notas/{nota_id}?done=tenderned#tenderned", status_code=303)


@router.post("/admin/notas/{nota_id}/signoff", include_in_schema=False)
def ask_signoff(db: SessionDep, principal: WebPrincipal, nota_id: int) -> Response:
    nota = notas.nota_for_review(db, principal, nota_id)
    notas.ask_signoff(db, principal, nota, actor=_user(principal))
    return RedirectResponse(f"/admin/notas/{nota_id}?done=asked", status_code=303)


# --- check before you release ---------------------------------------------------------------------------------


def _check_page(
    request: Request, db: SessionDep, principal: Principal, nota_id: int, state: FormState, status_code: int = 200
) -> Response:
    nota = notas.nota_for_review(db, principal, nota_id)
    page = notas.check_page(db, principal, nota)
    done = request.query_params.get("done", "")
    return render(
        request,
        "questions/check.html",
        {
            "title": _("Controle voor vrijgave: nota %(n)s", n=nota.number),
            "page": page,
            "form": state,
            "notice": _(NOTICES[done]) if done in NOTICES else "",
        },
        status_code=status_code,
    )


@router.get("/admin/notas/{nota_id}/check", include_in_schema=False)
def check(request: Request, db: SessionDep, principal: WebPrincipal, nota_id: int) -> Response:
    """Exactly what the nota releases, with each required municipality's standing."""
    return _check_page(request, db, principal, nota_id, FormState())


@router.post("/admin/notas/{nota_id}/check/decide", include_in_schema=False)
def decide(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    nota_id: int,
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    digest: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """A municipality approves or objects (with a note) to the nota as it was shown."""
    nota = notas.nota_for_review(db, principal, nota_id)
    try:
        notas.decide(db, principal, nota, decision=decision, note=note, digest=digest)
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(db)
        state = FormState({"decision": decision, "note": note}, field_errors(exc))
        return _check_page(request, db, principal, nota_id, state, exc.status_code)
    return RedirectResponse(f"/admin/notas/{nota_id}/check?done=decided", status_code=303)


@router.post("/admin/notas/{nota_id}/check/override", include_in_schema=False)
def override(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    nota_id: int,
    reason: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    digest: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """An admin clears the nota without every approval, with a written reason."""
    nota = notas.nota_for_review(db, principal, nota_id)
    try:
        notas.override(db, principal, nota, reason=reason, digest=digest)
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(db)
        state = FormState({"reason": reason}, field_errors(exc))
        return _check_page(request, db, principal, nota_id, state, exc.status_code)
    return RedirectResponse(f"/admin/notas/{nota_id}/check?done=overridden", status_code=303)


# --- the review export ----------------------------------------------------------------------------------------


@router.get("/review/questions.csv", include_in_schema=False)
def questions_csv(
    db: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Every question with its original and published wording, answer and nota (reviewers)."""
    return Response(
        pages.questions_csv(db, principal, dialogue),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="vragen-en-antwoorden.csv"'},
    )
