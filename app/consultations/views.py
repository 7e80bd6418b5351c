"""HTML for the public: asking to take part in a consultation and confirming the address; following a
trajectory by mail, confirming it and unsubscribing (also with one click from a mail client, RFC 8058)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import client_ip
from app.consultations import service
from app.db import SessionDep
from app.dialogues import following
from app.dialogues.participants import GROUP_LABELS
from app.kit.errors import AppError, NotFound, TooManyRequests, field_errors
from app.kit.forms import FormState
from app.kit.i18n import get_locale
from app.kit.i18n import gettext as _
from app.models import Dialogue, StakeholderGroup
from app.web.templates import render

router = APIRouter()

# Generous bounds on what is read at all; the service checks the real limits and says so next to the field.
TEXT_MAX = 10_000


# --- taking part -------------------------------------------------------------------------------------------------


def _participate_page(
    request: Request,
    dialogue: Dialogue,
    state: FormState,
    *,
    sent: bool = False,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "consultations/participate.html",
        {
            "title": _("Deelnemen aan %(title)s", title=dialogue.title),
            "dialogue": dialogue,
            "form": state,
            "sent": sent,
            "groups": list(GROUP_LABELS.items()),
            "expert": StakeholderGroup.experience_expert.value,
            "limits": service,
        },
        block="content",
        status_code=status_code,
        headers=headers,
    )


@router.get("/dialogues/{slug}/deelnemen", include_in_schema=False)
def participate_form(request: Request, db: SessionDep, slug: str) -> Response:
    """The form with which someone asks to take part in an open consultation."""
    return _participate_page(request, service.open_consultation(db, slug), FormState())


@router.post("/dialogues/{slug}/deelnemen", include_in_schema=False)
def participate(
    request: Request,
    db: SessionDep,
    slug: str,
    name: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    organisation: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    stakeholder_group: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    pseudonym: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    motivation: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> Response:
    """Ask to take part: the same answer whether or not the address asked before."""
    dialogue = service.open_consultation(db, slug)
    form = service.ParticipationForm(name, organisation, stakeholder_group, email, pseudonym, motivation)
    try:
        service.request_participation(db, dialogue, form, ip=client_ip(request))
    except TooManyRequests as exc:
        return _participate_page(
            request, dialogue, FormState(form.values(), field_errors(exc)), status_code=429, headers=exc.headers
        )
    except AppError as exc:
        return _participate_page(request, dialogue, FormState(form.values(), field_errors(exc)), status_code=422)
    return _participate_page(request, dialogue, FormState(), sent=True)


@router.get("/deelnemen/bevestigen/{token}", include_in_schema=False)
def confirm_participation(request: Request, db: SessionDep, token: str) -> Response:
    """The link in the confirmation mail: the request now waits for SDFL's decision."""
    found = service.confirm_participation(db, token)
    return render(
        request,
        "consultations/participation_confirmed.html",
        {
            "title": _("Aanmelding bevestigd") if found else _("Deze link werkt niet (meer)"),
            "participation": found[0] if found else None,
            "dialogue": found[1] if found else None,
        },
        status_code=200 if found else 404,
    )


# --- following -----------------------------------------------------------------------------------------------------


def _followable(db: SessionDep, slug: str) -> Dialogue:
    dialogue = service.find_dialogue(db, slug)
    if not following.followable(dialogue):
        raise NotFound("No trajectory to follow at this address.")
    assert dialogue is not None
    return dialogue


def _follow_page(
    request: Request,
    dialogue: Dialogue,
    state: FormState,
    *,
    sent: bool = False,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "consultations/follow.html",
        {"title": _("%(title)s volgen", title=dialogue.title), "dialogue": dialogue, "form": state, "sent": sent},
        block="content",
        status_code=status_code,
        headers=headers,
    )


@router.get("/dialogues/{slug}/volgen", include_in_schema=False)
def follow_form(request: Request, db: SessionDep, slug: str) -> Response:
    """Follow a trajectory by mail: the form."""
    return _follow_page(request, _followable(db, slug), FormState())


@router.post("/dialogues/{slug}/volgen", include_in_schema=False)
def follow(
    request: Request, db: SessionDep, slug: str, email: Annotated[str, Form(max_length=TEXT_MAX)] = ""
) -> Response:
    """Ask to follow: a confirmation mail (double opt-in); the same answer whatever the address."""
    dialogue = _followable(db, slug)
    try:
        following.subscribe(db, dialogue, email=email, locale=get_locale(), ip=client_ip(request))
    except TooManyRequests as exc:
        return _follow_page(
            request, dialogue, FormState({"email": email}, field_errors(exc)), status_code=429, headers=exc.headers
        )
    except AppError as exc:
        return _follow_page(request, dialogue, FormState({"email": email}, field_errors(exc)), status_code=422)
    return _follow_page(request, dialogue, FormState(), sent=True)


@router.get("/volgen/bevestigen/{token}", include_in_schema=False)
def confirm_follow(request: Request, db: SessionDep, token: str) -> Response:
    dialogue = following.confirm(db, token)
    return render(
        request,
        "consultations/follow_done.html",
        {
            "title": _("U volgt dit traject") if dialogue else _("Deze link werkt niet (meer)"),
            "dialogue": dialogue,
            "done": "confirmed" if dialogue else "unknown",
        },
        status_code=200 if dialogue else 404,
    )


@router.get("/volgen/afmelden/{token}", include_in_schema=False)
def unsubscribe_form(request: Request, db: SessionDep, token: str) -> Response:
    """The unsubscribe link of a mail: one button (a link followed by a mail scanner must not unsubscribe)."""
    found = following.by_unsubscribe_token(db, token)
    return render(
        request,
        "consultations/unsubscribe.html",
        {
            "title": _("Afmelden"),
            "dialogue": found.dialogue if found else None,
            "token": token,
        },
        status_code=200 if found else 404,
    )


@router.post("/volgen/afmelden/{token}", include_in_schema=False)
def unsubscribe(request: Request, db: SessionDep, token: str) -> Response:
    """Unsubscribe: the button, or a mail client's one-click POST (``List-Unsubscribe=One-Click``, which the
    security middleware lets through without a CSRF token: the token in the address is the proof)."""
    dialogue = following.unsubscribe(db, token)
    if dialogue is None:
        return render(
            request,
            "consultations/follow_done.html",
            {"title": _("Deze link werkt niet (meer)"), "dialogue": None, "done": "unknown_unsubscribe"},
            status_code=404,
        )
    return RedirectResponse(f"/volgen/afgemeld?traject={dialogue.slug}", status_code=303)


@router.get("/volgen/afgemeld", include_in_schema=False)
def unsubscribed(request: Request, db: SessionDep, traject: str = "") -> Response:
    dialogue = service.find_dialogue(db, traject)
    return render(
        request,
        "consultations/follow_done.html",
        {
            "title": _("U bent afgemeld"),
            "dialogue": dialogue if following.followable(dialogue) else None,
            "done": "unsubscribed",
        },
    )
