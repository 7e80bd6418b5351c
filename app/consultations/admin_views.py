"""HTML for SDFL: a consultation's participants (requests by status, counts per stakeholder group), deciding on
requests, adding someone directly and ending a participation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import AdminUser, WebPrincipal
from app.consultations import service
from app.db import SessionDep
from app.dialogues.participants import GROUP_LABELS, group_label
from app.kit.errors import N_, AppError, field_errors
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.kit.notices import Notices
from app.models import Dialogue, StakeholderGroup
from app.policy import Principal
from app.web.templates import render

router = APIRouter()

TEXT_MAX = 10_000
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOTICES = Notices(
    {
        "approved": N_("De aanmelding is goedgekeurd; de deelnemer heeft een e-mail gekregen."),
        "refused": N_("De aanmelding is afgewezen; de aanmelder heeft een e-mail gekregen."),
        "added": N_("De deelnemer is toegevoegd en heeft een e-mail gekregen."),
        "withdrawn": N_("De deelname is beëindigd."),
    }
)


def _page(
    request: Request,
    db: SessionDep,
    principal: Principal,
    dialogue: Dialogue,
    *,
    add_form: FormState | None = None,
    decision_errors: dict[int, dict[str, str]] | None = None,
    decision_values: dict[int, dict[str, str]] | None = None,
    done: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "consultations/admin_participants.html",
        {
            "title": _("Deelnemers: %(title)s", title=dialogue.title),
            "overview": service.overview(db, principal, dialogue),
            "add_form": add_form or FormState(),
            "decision_errors": decision_errors or {},
            "decision_values": decision_values or {},
            "groups": list(GROUP_LABELS.items()),
            "expert": StakeholderGroup.experience_expert.value,
            "group_label": group_label,
            "notice": NOTICES.message(done),
        },
        status_code=status_code,
    )


def _base(dialogue: Dialogue) -> str:
    return f"/admin/dialogues/{dialogue.slug}/deelnemers"


@router.get("/admin/dialogues/{slug}/deelnemers", include_in_schema=False)
def participants(
    request: Request, db: SessionDep, principal: WebPrincipal, admin: AdminUser, slug: str, done: str = ""
) -> Response:
    """Who asked to take part and who takes part, by status, with the forms to decide."""
    return _page(request, db, principal, service.consultation(db, slug), done=done)


@router.post("/admin/dialogues/{slug}/deelnemers/{participation_id}/besluit", include_in_schema=False)
def decide(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    admin: AdminUser,
    slug: str,
    participation_id: Id,
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> Response:
    """Approve or refuse one request; the person gets a mail."""
    dialogue = service.consultation(db, slug)
    try:
        participation = service.decide(db, principal, participation_id, decision, note, dialogue_id=dialogue.id)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        return _page(
            request,
            db,
            principal,
            dialogue,
            decision_errors={participation_id: field_errors(exc)},
            decision_values={participation_id: {"decision": decision, "note": note}},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"{_base(dialogue)}?done={participation.status}", status_code=303)


@router.post("/admin/dialogues/{slug}/deelnemers/toevoegen", include_in_schema=False)
def add(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    admin: AdminUser,
    slug: str,
    name: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    organisation: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    stakeholder_group: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    pseudonym: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    note: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> Response:
    """Add someone directly: they take part at once and get a mail (with a link to set a password if needed)."""
    dialogue = service.consultation(db, slug)
    form = service.ParticipationForm(name, organisation, stakeholder_group, email, pseudonym)
    try:
        service.add_participant(db, principal, dialogue, form, note)
    except AppError as exc:
        return _page(
            request,
            db,
            principal,
            dialogue,
            add_form=FormState({**form.values(), "note": note}, field_errors(exc)),
            status_code=exc.status_code,
        )
    return RedirectResponse(NOTICES.url(_base(dialogue), "added"), status_code=303)


@router.post("/admin/dialogues/{slug}/deelnemers/{participation_id}/beeindigen", include_in_schema=False)
def withdraw(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    admin: AdminUser,
    slug: str,
    participation_id: Id,
    note: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> Response:
    """End a participation: the person no longer takes part from now on."""
    dialogue = service.consultation(db, slug)
    try:
        service.withdraw(db, principal, participation_id, note, dialogue_id=dialogue.id)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        return _page(
            request,
            db,
            principal,
            dialogue,
            decision_errors={participation_id: field_errors(exc)},
            decision_values={participation_id: {"note": note}},
            status_code=exc.status_code,
        )
    return RedirectResponse(NOTICES.url(_base(dialogue), "withdrawn"), status_code=303)
