"""HTML for admins: trajectories (list, new, edit, archive, delete) with their criteria, frameworks and milestones.

Every form works without JavaScript: each criterion, framework and milestone has its own small form (save,
remove, up, down); an invalid one comes back with the error next to its field and the text kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import AdminUser, WebPrincipal
from app.db import SessionDep
from app.dialogues import manage
from app.kit.dates import local_input, parse_local_datetime
from app.kit.errors import N_, AppError, field_errors
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.models import CriterionBasis, Dialogue, DialogueKind, DialogueStatus, MilestoneKind
from app.web.templates import render

router = APIRouter(prefix="/admin/dialogues")

KIND_OPTIONS = [(DialogueKind.dialogue.value, N_("Dialoog")), (DialogueKind.consultation.value, N_("Consultatie"))]
STATUS_OPTIONS = [
    (DialogueStatus.draft.value, N_("Concept")),
    (DialogueStatus.active.value, N_("Actief")),
    (DialogueStatus.closed.value, N_("Afgesloten")),
    (DialogueStatus.archived.value, N_("Gearchiveerd")),
]
BASIS_OPTIONS = [
    (CriterionBasis.size.value, N_("Omvang van de aanbieders")),
    (CriterionBasis.target_groups.value, N_("Doelgroepen en expertise")),
    (CriterionBasis.contracting.value, N_("Contractering per gemeente")),
    (CriterionBasis.assessment.value, N_("Beoordeling door SDFL per aanbieder")),
]
MILESTONE_OPTIONS = [
    (MilestoneKind.save_the_date.value, N_("Save-the-date")),
    (MilestoneKind.package_release.value, N_("Stukken beschikbaar")),
    (MilestoneKind.window_close.value, N_("Einde reactietermijn")),
    (MilestoneKind.tender.value, N_("Aanbesteding")),
    (MilestoneKind.contract_start.value, N_("Start contract")),
    (MilestoneKind.other.value, N_("Overig")),
]
LIST_NAMES = ("criteria", "frameworks", "milestones")


@dataclass(frozen=True)
class Panel:
    """A part of the trajectory page that a higher layer adds (it may not be imported from here): its template,
    included with ``panel`` in its context, and what that template needs."""

    template: str
    context: dict[str, Any]


# Functions that make the panels of a trajectory's page, as (template, context), registered by app.main (e.g.
# app.signoff's settings: which municipalities must approve). The trajectory knows no sign-off, and no domain
# imports another's admin views: the entry point wires the two together.
PanelMaker = Callable[[Session, Dialogue], tuple[str, dict[str, Any]]]
PANELS: list[PanelMaker] = []


def register_panel(make: PanelMaker) -> None:
    """Add a panel to every trajectory page (once, however often the app is created)."""
    if make not in PANELS:
        PANELS.append(make)


@dataclass(frozen=True)
class ItemFormState(FormState):
    """The state of one item form on the trajectory page: which list, which item (None: the form to add one)."""

    list_name: str = ""
    item_id: int | None = None


def _options(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(value, _(label)) for value, label in pairs]


def _option_context() -> dict[str, Any]:
    return {
        "kinds": _options(KIND_OPTIONS),
        "statuses": _options(STATUS_OPTIONS),
        "bases": _options(BASIS_OPTIONS),
        "milestone_kinds": _options(MILESTONE_OPTIONS),
        "status_labels": dict(_options(STATUS_OPTIONS)),
        "kind_labels": dict(_options(KIND_OPTIONS)),
        "basis_labels": dict(_options(BASIS_OPTIONS)),
        "milestone_labels": dict(_options(MILESTONE_OPTIONS)),
    }


# --- the list ---------------------------------------------------------------------------------------------------


@router.get("", include_in_schema=False)
def dialogues(request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal) -> Response:
    """Every trajectory with its status, kind and warnings."""
    return render(
        request,
        "dialogues/admin_list.html",
        {"title": _("Trajecten"), "rows": manage.admin_list(session, principal), **_option_context()},
    )


# --- the trajectory's own fields ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogueForm:
    slug: str
    kind: str
    title: str
    description: str
    care_form_id: str
    selection_intro: str
    tender_reference: str
    status: str

    @property
    def values(self) -> dict[str, str]:
        return dict(self.__dict__)

    def to_input(self) -> manage.DialogueInput:
        raw = self.care_form_id.strip()
        care_form_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0  # 0: no such care form
        return manage.DialogueInput(
            slug=self.slug,
            kind=self.kind,
            title=self.title,
            description=self.description,
            care_form_id=care_form_id if raw else None,
            care_form_given=True,
            selection_intro=self.selection_intro,
            tender_reference=self.tender_reference,
            status=self.status,
        )


def dialogue_form(
    new_slug: Annotated[str, Form(max_length=300, alias="slug")] = "",
    kind: Annotated[str, Form(max_length=30)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    description: Annotated[str, Form(max_length=100_000)] = "",
    care_form_id: Annotated[str, Form(max_length=20)] = "",
    selection_intro: Annotated[str, Form(max_length=100_000)] = "",
    tender_reference: Annotated[str, Form(max_length=1000)] = "",
    status: Annotated[str, Form(max_length=30)] = "",
) -> DialogueForm:
    return DialogueForm(new_slug, kind, title, description, care_form_id, selection_intro, tender_reference, status)


def _values(detail: manage.DialogueDetail) -> dict[str, str]:
    d = detail.dialogue
    return {
        "slug": d.slug,
        "kind": d.kind,
        "title": d.title,
        "description": d.description,
        "care_form_id": str(d.care_form_id or ""),
        "selection_intro": d.selection_intro,
        "tender_reference": d.tender_reference,
        "status": d.status,
    }


def _errors_of(exc: AppError) -> dict[str, str]:
    if exc.errors:
        return field_errors(exc)
    raise exc


@router.get("/new", include_in_schema=False)
def new_dialogue(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    state = FormState(values={"kind": DialogueKind.dialogue.value, "status": DialogueStatus.draft.value})
    return _new_page(request, session, state)


def _new_page(request: Request, session: SessionDep, state: FormState, status_code: int = 200) -> Response:
    return render(
        request,
        "dialogues/admin_new.html",
        {
            "title": _("Nieuw traject"),
            "form": state,
            "care_forms": [(c.id, c.name) for c in manage.care_forms(session)],
            **_option_context(),
        },
        status_code=status_code,
    )


DialogueFormDep = Annotated[DialogueForm, Depends(dialogue_form)]


@router.post("/new", include_in_schema=False)
def create_dialogue(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, form: DialogueFormDep
) -> Response:
    try:
        detail = manage.create_dialogue(session, principal, form.to_input())
    except AppError as exc:
        state = FormState(values=form.values, errors=_errors_of(exc))
        return _new_page(request, session, state, status_code=exc.status_code)
    return RedirectResponse(f"/admin/dialogues/{detail.dialogue.slug}?created=1", status_code=303)


# --- one trajectory ---------------------------------------------------------------------------------------------


def _page(
    request: Request,
    session: SessionDep,
    detail: manage.DialogueDetail,
    *,
    form: FormState | None = None,
    item: ItemFormState | None = None,
    delete_error: str = "",
    saved: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "dialogues/admin_edit.html",
        {
            "title": _("Traject: %(title)s", title=detail.dialogue.title),
            "detail": detail,
            "d": detail.dialogue,
            "form": form or FormState(values=_values(detail)),
            "item": item or ItemFormState(),
            "warnings": manage.warnings(session, detail),
            "care_forms": [(c.id, c.name) for c in manage.care_forms(session)],
            "meeting_options": [
                (m.id, _("Sessie %(n)s: %(title)s", n=m.number, title=m.title))
                for m in manage.meetings_of(session, detail.dialogue.id or 0)
            ],
            "document_options": [(doc.id, doc.title) for doc in manage.documents_of(session, detail.dialogue.id or 0)],
            "delete_error": delete_error,
            "saved": saved,
            "local_input": local_input,
            "panels": [Panel(*make(session, detail.dialogue)) for make in PANELS],
            **_option_context(),
        },
        status_code=status_code,
    )


@router.get("/{slug}", include_in_schema=False)
def dialogue(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    slug: str,
) -> Response:
    detail = manage.by_slug(session, principal, slug)
    flag = request.query_params.get("saved", "") or ("created" if request.query_params.get("created") else "")
    return _page(request, session, detail, saved=flag[:20])


@router.post("/{slug}", include_in_schema=False)
def update_dialogue(
    request: Request, session: SessionDep, admin: AdminUser, principal: WebPrincipal, slug: str, form: DialogueFormDep
) -> Response:
    detail = manage.by_slug(session, principal, slug)
    try:
        detail = manage.update_dialogue(session, principal, detail, form.to_input())
    except AppError as exc:
        state = FormState(values=form.values, errors=_errors_of(exc))
        return _page(request, session, detail, form=state, status_code=exc.status_code)
    return RedirectResponse(f"/admin/dialogues/{detail.dialogue.slug}?saved=dialogue", status_code=303)


@router.post("/{slug}/delete", include_in_schema=False)
def delete_dialogue(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    slug: str,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Delete an empty draft (asks for a confirmation); a trajectory with history is refused (409)."""
    detail = manage.by_slug(session, principal, slug)
    if confirm != "1":
        return _page(
            request, session, detail, delete_error=_("Bevestig dat u dit traject wilt verwijderen."), status_code=422
        )
    try:
        manage.delete_dialogue(session, principal, detail)
    except AppError as exc:
        return _page(request, session, detail, delete_error=exc.detail, status_code=exc.status_code)
    return RedirectResponse("/admin/dialogues?deleted=1", status_code=303)


# --- criteria, frameworks and milestones ------------------------------------------------------------------------


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _moment(raw: str) -> tuple[Any, bool]:
    """A datetime-local field: (value, invalid)."""
    if not raw.strip():
        return None, False
    try:
        return parse_local_datetime(raw), False
    except ValueError:
        return None, True


def _item_input(list_name: str, item_id: int | None, values: dict[str, str], existing: Any) -> Any:
    if list_name == "criteria":
        return manage.CriterionInput(
            id=item_id, title=values.get("title", ""), text=values.get("text", ""), basis=values.get("basis", "")
        )
    if list_name == "frameworks":
        return manage.FrameworkInput(
            id=item_id,
            title=values.get("title", ""),
            url=values.get("url", ""),
            document_id=_int(values.get("document_id", "")),
            description=values.get("description", ""),
        )
    due_at, due_invalid = _moment(values.get("due_at", ""))
    met_at = existing.met_at if existing is not None else None
    return manage.MilestoneInput(
        id=item_id,
        title=values.get("title", ""),
        kind=values.get("kind", ""),
        due_at=due_at,
        due_invalid=due_invalid,
        session_id=_int(values.get("session_id", "")),
        met_at=met_at,
    )


def _existing(detail: manage.DialogueDetail, list_name: str, item_id: int | None) -> Any:
    if item_id is None:
        return None
    rows = getattr(detail, list_name)
    return next((r for r in rows if r.id == item_id), None)


def _save_item(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    slug: str,
    list_name: str,
    item_id: int | None,
    values: dict[str, str],
) -> Response:
    detail = manage.by_slug(session, principal, slug)
    try:
        manage.save_item(
            session,
            principal,
            detail,
            list_name,
            _item_input(list_name, item_id, values, _existing(detail, list_name, item_id)),
        )
    except AppError as exc:
        state = ItemFormState(values=values, errors=_errors_of(exc), list_name=list_name, item_id=item_id)
        return _page(request, session, detail, item=state, status_code=exc.status_code)
    return RedirectResponse(f"/admin/dialogues/{slug}?saved={list_name}#{list_name}", status_code=303)


class ItemFields:
    """The fields of an item form (each list uses some of them)."""

    def __init__(
        self,
        title: Annotated[str, Form(max_length=1000)] = "",
        text: Annotated[str, Form(max_length=20_000)] = "",
        basis: Annotated[str, Form(max_length=30)] = "",
        url: Annotated[str, Form(max_length=2000)] = "",
        document_id: Annotated[str, Form(max_length=20)] = "",
        description: Annotated[str, Form(max_length=5000)] = "",
        kind: Annotated[str, Form(max_length=30)] = "",
        due_at: Annotated[str, Form(max_length=40)] = "",
        session_id: Annotated[str, Form(max_length=20)] = "",
    ) -> None:
        self.values = {
            "title": title,
            "text": text,
            "basis": basis,
            "url": url,
            "document_id": document_id,
            "description": description,
            "kind": kind,
            "due_at": due_at,
            "session_id": session_id,
        }


ItemFieldsDep = Annotated[ItemFields, Depends()]


def _item_routes(list_name: str) -> None:
    """Add, change, remove and move for one list (criteria, frameworks, milestones): explicit paths, so that
    other pages under a trajectory (its participants) are not taken for a list."""

    def add_item(
        request: Request,
        session: SessionDep,
        admin: AdminUser,
        principal: WebPrincipal,
        slug: str,
        fields: ItemFieldsDep,
    ) -> Response:
        return _save_item(request, session, principal, slug, list_name, None, fields.values)

    def update_item(
        request: Request,
        session: SessionDep,
        admin: AdminUser,
        principal: WebPrincipal,
        slug: str,
        item_id: int,
        fields: ItemFieldsDep,
    ) -> Response:
        return _save_item(request, session, principal, slug, list_name, item_id, fields.values)

    def remove_item(
        session: SessionDep, admin: AdminUser, principal: WebPrincipal, slug: str, item_id: int
    ) -> Response:
        detail = manage.by_slug(session, principal, slug)
        manage.remove_item(session, principal, detail, list_name, item_id)
        return RedirectResponse(f"/admin/dialogues/{slug}?saved={list_name}#{list_name}", status_code=303)

    def move_item(
        session: SessionDep,
        admin: AdminUser,
        principal: WebPrincipal,
        slug: str,
        item_id: int,
        direction: Annotated[str, Form(max_length=5)] = "",
    ) -> Response:
        detail = manage.by_slug(session, principal, slug)
        manage.move_item(session, principal, detail, list_name, item_id, up=direction == "up")
        return RedirectResponse(f"/admin/dialogues/{slug}?saved={list_name}#{list_name}", status_code=303)

    base = f"/{{slug}}/{list_name}"
    router.add_api_route(base, add_item, methods=["POST"], include_in_schema=False)
    router.add_api_route(base + "/{item_id}", update_item, methods=["POST"], include_in_schema=False)
    router.add_api_route(base + "/{item_id}/delete", remove_item, methods=["POST"], include_in_schema=False)
    if list_name != "milestones":  # milestones keep the order of their dates
        router.add_api_route(base + "/{item_id}/move", move_item, methods=["POST"], include_in_schema=False)


for _name in LIST_NAMES:
    _item_routes(_name)


@router.post("/{slug}/milestones/{item_id}/met", include_in_schema=False)
def mark_met(
    session: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    slug: str,
    item_id: int,
    met: Annotated[str, Form(max_length=5)] = "1",
) -> Response:
    """Mark a milestone met now (``met=0``: not met after all)."""
    detail = manage.by_slug(session, principal, slug)
    manage.mark_met(session, principal, detail, item_id, met == "1")
    return RedirectResponse(f"/admin/dialogues/{slug}?saved=milestones#milestones", status_code=303)
