"""HTML: selecting and inviting providers (admins), answering an invitation (providers, or admins for
them) and the participation record (reviewers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import AdminUser, SignedInUser, WebPrincipal
from app.db import SessionDep
from app.invitations import service
from app.kit.errors import N_, AppError, NotFound, field_errors
from app.kit.i18n import gettext as _
from app.kit.notices import Notices, announce
from app.models import TARGET_GROUPS, Dialogue, InvitationStatus
from app.policy import Action, Principal, authorize, can
from app.web.templates import is_htmx, render

router = APIRouter()

# The form's answer values and the stored statuses they stand for.
FORM_ANSWERS = {"accept": InvitationStatus.accepted.value, "decline": InvitationStatus.declined.value}
STATUS_TO_ANSWER = {status: answer for answer, status in FORM_ANSWERS.items()}
FLASH_LIMIT = 100_000


# --- selection overview and inviting (admins) -----------------------------------------------------


def _selection_page(
    request: Request,
    session: SessionDep,
    dialogue: Dialogue,
    *,
    errors: dict[str, str] | None = None,
    selected: set[int] | None = None,
    flash: dict[str, int] | None = None,
    assessment_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "invitations/selection.html",
        {
            "title": _("Selectie en uitnodigingen"),
            "selection": service.selection(session, dialogue),
            "dialogue": dialogue,
            "dialogue_options": [(d.slug, d.title) for d in service.dialogue_choices(session)],
            "target_groups": TARGET_GROUPS,
            "outside_flevoland": service.OUTSIDE_FLEVOLAND,
            "assessment_errors": assessment_errors or {},
            "errors": errors or {},
            "selected": selected or set(),
            "flash": flash or {},
        },
        status_code=status_code,
    )


@router.get("/admin/invitations", include_in_schema=False)
def selection(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    invited: Annotated[int | None, Query(ge=0, le=FLASH_LIMIT)] = None,
    already: Annotated[int | None, Query(ge=0, le=FLASH_LIMIT)] = None,
    mails: Annotated[int | None, Query(ge=0, le=FLASH_LIMIT)] = None,
    without_contact: Annotated[int | None, Query(ge=0, le=FLASH_LIMIT)] = None,
    reminded: Annotated[int | None, Query(ge=0, le=FLASH_LIMIT)] = None,
    dialogue: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Every provider with what SDFL selects on, its invitation, and the mix of the participants."""
    flash = {
        key: value
        for key, value in {
            "invited": invited,
            "already": already,
            "mails": mails,
            "without_contact": without_contact,
            "reminded": reminded,
        }.items()
        if value is not None
    }
    return _selection_page(request, session, service.chosen_dialogue(session, dialogue), flash=flash)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit() and len(v.strip()) < 10]


@router.post("/admin/invitations", include_in_schema=False)
def invite(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    provider_id: Annotated[list[str], Form()] = [],  # noqa: B006 - FastAPI copies defaults
    dialogue: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Invite the chosen providers to the chosen trajectory (those invited already are left alone)."""
    ids = _ids(provider_id)
    chosen = service.chosen_dialogue(session, dialogue)
    try:
        if len(ids) != len(provider_id):
            raise AppError(errors=[{"field": "provider_id", "message": _("Een gekozen zorgaanbieder bestaat niet.")}])
        result = service.invite(session, chosen, provider_ids=ids, actor=admin)
    except AppError as exc:
        return _selection_page(
            request,
            session,
            chosen,
            errors=field_errors(exc),
            selected=set(ids),
            status_code=422,
        )
    query = (
        f"invited={len(result.invited)}&already={result.already}&mails={result.mails}"
        f"&without_contact={len(result.without_contact)}&dialogue={chosen.slug}"
    )
    return RedirectResponse(f"/admin/invitations?{query}", status_code=303)


@router.post("/admin/invitations/reminders", include_in_schema=False)
def reminders(session: SessionDep, admin: AdminUser, dialogue: Annotated[str, Form(max_length=100)] = "") -> Response:
    """Remind every provider that has not answered the invitation to the chosen trajectory yet."""
    chosen = service.chosen_dialogue(session, dialogue)
    result = service.send_reminders(session, chosen, actor=admin)
    return RedirectResponse(
        f"/admin/invitations?reminded={result.providers}&mails={result.mails}&dialogue={chosen.slug}", status_code=303
    )


@router.post("/admin/invitations/assessments", include_in_schema=False)
def assess(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    dialogue: Annotated[str, Form(max_length=100)] = "",
    criterion_id: Annotated[int, Form(ge=1, le=2_147_483_647)] = 1,
    provider_id: Annotated[int, Form(ge=1, le=2_147_483_647)] = 1,
    meets: Annotated[str, Form(max_length=5)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """SDFL's assessment of one provider against an assessment criterion (e.g. the attitude criterion)."""
    chosen = service.chosen_dialogue(session, dialogue)
    verdict = {"yes": True, "no": False}.get(meets)
    try:
        service.assess(
            session, principal, chosen, criterion_id=criterion_id, provider_id=provider_id, meets=verdict, note=note
        )
    except AppError as exc:
        errors = {f"{criterion_id}-{provider_id}-{k}": v for k, v in field_errors(exc).items()}
        return _selection_page(request, session, chosen, assessment_errors=errors, status_code=exc.status_code)
    return RedirectResponse(f"/admin/invitations?dialogue={chosen.slug}#criterion-{criterion_id}", status_code=303)


# --- answering ------------------------------------------------------------------------------------


NOTICES = Notices({"answered": N_("Het antwoord is opgeslagen.")})
NOT_SAVED = N_("Het antwoord is nog niet opgeslagen. Bekijk de fouten.")


def _invitation_response(
    request: Request,
    page: service.InvitationPage,
    *,
    action: str,
    admin_view: bool,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    invitation = page.detail.invitation
    provider = page.detail.provider
    title = _("Antwoord namens %(name)s", name=provider.name) if admin_view else _("Uw uitnodiging")
    saved = saved or (request.method == "GET" and bool(NOTICES.message(request.query_params.get("done"))))
    headers = None
    if is_htmx(request) and saved:
        headers = announce(NOTICES.message("answered"), focus="#invitation-saved")
    elif is_htmx(request) and errors:
        headers = announce(_(NOT_SAVED), focus="#invitation .error-summary")
    return render(
        request,
        "invitations/invitation.html",
        {
            "title": title,
            "page": page,
            "invitation": invitation,
            "provider": provider,
            "responded_by": page.detail.responded_by,
            "action": action,
            "admin_view": admin_view,
            "values": values
            if values is not None
            else {"answer": STATUS_TO_ANSWER.get(invitation.status, ""), "note": invitation.note},
            "errors": errors or {},
            "saved": saved,
            "note_max": service.NOTE_MAX,
        },
        block="invitation",
        status_code=status_code,
        headers=headers,
    )


def _answer(
    request: Request,
    session: SessionDep,
    page: service.InvitationPage,
    *,
    principal: Principal,
    answer: str,
    note: str,
    action: str,
    back: str,
    admin_view: bool,
) -> Response:
    """Store the answer; an invalid one shows the form again (422) with what was typed."""
    service.authorize_answer(principal, page.detail)
    errors: dict[str, str] = {}
    status = FORM_ANSWERS.get(answer)
    if status is None:
        errors["answer"] = _("Kies of uw organisatie meedoet of zich afmeldt.")
    if len(service.clean_note(note)) > service.NOTE_MAX:
        errors["note"] = _("De toelichting is te lang: ten hoogste %(max)s tekens.", max=service.NOTE_MAX)
    if errors or status is None:
        return _invitation_response(
            request,
            page,
            action=action,
            admin_view=admin_view,
            values={"answer": answer if answer in FORM_ANSWERS else "", "note": note},
            errors=errors,
            status_code=422,
        )
    detail = service.answer(session, page.detail, principal=principal, status=status, note=note)
    if not is_htmx(request):
        return RedirectResponse(NOTICES.url(back, "answered") + "#invitation", status_code=303)
    return _invitation_response(
        request,
        service.InvitationPage(detail=detail, dialogue=page.dialogue, sessions=page.sessions),
        action=action,
        admin_view=admin_view,
        saved=True,
    )


def _own_provider_id(principal: Principal, user: SignedInUser) -> int | None:
    """The provider a signed-in user answers for; municipalities are refused (403)."""
    authorize(principal, Action.rsvp, provider_id=user.provider_id)
    return user.provider_id


@router.get("/invitation", include_in_schema=False)
def own_invitation(
    request: Request,
    session: SessionDep,
    user: SignedInUser,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The invitation of the signed-in user's organisation to one trajectory (``?dialogue=``; the newest by
    default), with the answer form (none once it is withdrawn) and links to its other invitations."""
    if can(principal, Action.manage):  # admins answer for providers from the list of invitations
        return RedirectResponse("/admin/invitations", status_code=303)
    read_only = service.own_invitation_page(session, user.provider_id, dialogue) if user.provider_id else None
    focused = principal.in_dialogue(read_only.dialogue.id or 0) if read_only else principal
    if can(focused, Action.view_own_invitation) and not can(focused, Action.rsvp) and read_only:  # withdrawn
        return _invitation_response(request, read_only, action="", admin_view=False)
    page = service.own_invitation_page(session, _own_provider_id(focused, user), dialogue)
    return _invitation_response(request, page, action="/invitation", admin_view=False)


@router.post("/invitation", include_in_schema=False)
def answer_own_invitation(
    request: Request,
    session: SessionDep,
    user: SignedInUser,
    principal: WebPrincipal,
    answer: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=20_000)] = "",
    dialogue: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Accept or decline for the own organisation (again: an answer can be changed)."""
    provider_id = _own_provider_id(principal, user)
    if provider_id is None:
        raise NotFound(
            "U antwoordt niet namens een zorgaanbieder. Beheerders beantwoorden een uitnodiging via "
            "Beheer › Uitnodigingen.",
            user_message=True,
        )
    page = service.own_invitation_page(session, provider_id, dialogue)
    principal = principal.in_dialogue(page.dialogue.id)  # answered for this trajectory's invitation
    return _answer(
        request,
        session,
        page,
        principal=principal,
        answer=answer,
        note=note,
        action="/invitation",
        back=f"/invitation?dialogue={page.dialogue.slug}",
        admin_view=False,
    )


@router.get("/admin/invitations/{invitation_id}", include_in_schema=False)
def admin_invitation(request: Request, session: SessionDep, admin: AdminUser, invitation_id: int) -> Response:
    """An invitation with the form to answer on the provider's behalf."""
    page = service.invitation_page(session, invitation_id)
    return _invitation_response(request, page, action=f"/admin/invitations/{invitation_id}/answer", admin_view=True)


@router.post("/admin/invitations/{invitation_id}/answer", include_in_schema=False)
def admin_answer(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    invitation_id: int,
    answer: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Answer for a provider (e.g. after a phone call)."""
    page = service.invitation_page(session, invitation_id)
    return _answer(
        request,
        session,
        page,
        principal=principal,
        answer=answer,
        note=note,
        action=f"/admin/invitations/{invitation_id}/answer",
        back=f"/admin/invitations/{invitation_id}",
        admin_view=True,
    )


@router.post("/admin/invitations/{invitation_id}/withdraw", include_in_schema=False)
def admin_withdraw(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    invitation_id: int,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Withdraw an invitation (the provider no longer takes part); asks for a confirmation first."""
    page = service.invitation_page(session, invitation_id)
    action = f"/admin/invitations/{invitation_id}/answer"
    if confirm != "1":
        errors = {"confirm": _("Bevestig dat u de uitnodiging wilt intrekken.")}
        return _invitation_response(request, page, action=action, admin_view=True, errors=errors, status_code=422)
    try:
        service.withdraw(session, page.detail, principal=principal)
    except AppError as exc:
        errors = field_errors(exc)
        return _invitation_response(request, page, action=action, admin_view=True, errors=errors, status_code=409)
    return RedirectResponse(f"/admin/invitations/{invitation_id}?withdrawn=1", status_code=303)


# --- participation record (reviewers) -------------------------------------------------------------


@router.get("/admin/participation", include_in_schema=False)
def participation(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Per provider: invitation, answer and attendance per session, for one trajectory (``?dialogue=``)."""
    authorize(principal, Action.review)
    return render(
        request,
        "invitations/participation.html",
        {
            "title": _("Deelname per zorgaanbieder"),
            "record": service.participation(session, service.chosen_dialogue(session, dialogue)),
        },
    )
