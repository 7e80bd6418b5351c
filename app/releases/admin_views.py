"""HTML for release packages: SDFL puts them together and releases them; the municipalities check them first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import AdminUser, WebPrincipal
from app.db import SessionDep
from app.dialogues import manage as dialogues
from app.documents.service import TYPE_LABELS
from app.kit.dates import local_input
from app.kit.errors import AppError, field_errors
from app.kit.i18n import gettext as _
from app.meetings import service as meetings
from app.meetings.manage import package_release_default
from app.models import ReleasePackage, ReleaseStatus
from app.policy import Action, authorize
from app.releases import service
from app.web.templates import render

router = APIRouter(prefix="/admin/packages")

STATUS_LABELS = {
    ReleaseStatus.draft: "Concept",
    ReleaseStatus.scheduled: "Gepland",
    ReleaseStatus.released: "Vrijgegeven",
    ReleaseStatus.blocked: "Tegengehouden",
}


def _errors(exc: AppError) -> dict[str, str]:
    return field_errors(exc) if exc.errors else {"package": exc.detail}


def _session_options(db: SessionDep, dialogue_id: int) -> list[tuple[int, str]]:
    return [
        (m.id or 0, _("Sessie %(n)s: %(title)s", n=m.number, title=m.title))
        for m in meetings.list_meetings(db, dialogue_id)
    ]


@router.get("", include_in_schema=False)
def packages(
    request: Request, db: SessionDep, principal: WebPrincipal, dialogue: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """The packages of one trajectory (``?dialogue=``; the current one by default)."""
    chosen = dialogues.pick(db, dialogue)
    return render(
        request,
        "releases/admin_list.html",
        {
            "title": _("Vrijgavepakketten"),
            "rows": service.list_packages(db, principal, chosen),
            "dialogue": chosen,
            "dialogue_options": [(d.slug, d.title) for d in dialogues.choices(db)],
            "status_labels": STATUS_LABELS,
        },
    )


def _new_form(
    request: Request, db: SessionDep, dialogue_ref: str, *, values: dict, errors: dict, status_code: int = 200
) -> Response:
    chosen = dialogues.pick(db, dialogue_ref)
    return render(
        request,
        "releases/admin_new.html",
        {
            "title": _("Nieuw vrijgavepakket"),
            "dialogue": chosen,
            "sessions": _session_options(db, chosen.id or 0),
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/new", include_in_schema=False)
def new_package(
    request: Request, db: SessionDep, admin: AdminUser, dialogue: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """The form; the session preselected is the next one to come, with its default title and moment."""
    chosen = dialogues.pick(db, dialogue)
    first = service.next_session(db, chosen)
    values = (
        {
            "session_id": str(first.id),
            "title": service.default_title(first),
            "release_at": local_input(package_release_default(first.starts_at)),
        }
        if first
        else {}
    )
    return _new_form(request, db, chosen.slug, values=values, errors={})


@router.post("", include_in_schema=False)
def create_package(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Form(max_length=100)] = "",
    session_id: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=300)] = "",
    release_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    chosen = dialogues.pick(db, dialogue)
    try:
        package = service.create_package(
            db, principal, chosen, session_id=session_id, title=title, release_at=release_at
        )
    except AppError as exc:
        values = {"session_id": session_id, "title": title, "release_at": release_at}
        return _new_form(request, db, chosen.slug, values=values, errors=_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/packages/{package.id}?saved=1", status_code=303)


def _detail(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package: ReleasePackage,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    authorize(principal, Action.manage)
    checked = service.check(db, principal, package)
    return render(
        request,
        "releases/admin_detail.html",
        {
            "title": package.title,
            "c": checked,
            "p": package,
            "candidates": service.candidates(db, package) if package.status in service.UNRELEASED else None,
            "status_labels": STATUS_LABELS,
            "type_labels": TYPE_LABELS,
            "errors": errors or {},
            "values": values or {"release_at": local_input(package.release_at)},
        },
        status_code=status_code,
    )


@router.get("/{package_id}", include_in_schema=False)
def package_detail(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    return _detail(request, db, principal, service.get_package(db, package_id))


@router.post("/{package_id}/items", include_in_schema=False)
def add_item(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package_id: int,
    kind: Annotated[str, Form(pattern="^(document|version|nota)$")],
    item_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    package = service.get_package(db, package_id)
    try:
        number = int(item_id) if item_id.strip().isdigit() else 0
        service.add_item(db, principal, package, kind, number)
    except AppError as exc:
        return _detail(request, db, principal, package, errors=_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/packages/{package.id}?saved=1#contents", status_code=303)


@router.post("/{package_id}/items/remove", include_in_schema=False)
def remove_item(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package_id: int,
    kind: Annotated[str, Form(pattern="^(document|version|nota)$")],
    item_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    package = service.get_package(db, package_id)
    try:
        service.remove_item(db, principal, package, kind, item_id)
    except AppError as exc:
        return _detail(request, db, principal, package, errors=_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/packages/{package.id}?saved=1#contents", status_code=303)


@router.post("/{package_id}/moment", include_in_schema=False)
def change_moment(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package_id: int,
    release_at: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    package = service.get_package(db, package_id)
    try:
        service.set_release_at(db, principal, package, release_at)
    except AppError as exc:
        return _detail(
            request,
            db,
            principal,
            package,
            errors=_errors(exc),
            values={"release_at": release_at},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/packages/{package.id}?saved=1", status_code=303)


def _action(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int, what: str) -> Response:
    package = service.get_package(db, package_id)
    actions = {
        "schedule": service.schedule,
        "unschedule": service.unschedule,
        "release": service.release_now,
        "follow-session": service.follow_session,
        "ask": service.ask_for_signoff,
    }
    try:
        actions[what](db, principal, package)
    except AppError as exc:
        return _detail(request, db, principal, package, errors=_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/packages/{package.id}?done={what}", status_code=303)


@router.post("/{package_id}/schedule", include_in_schema=False)
def schedule(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    return _action(request, db, principal, package_id, "schedule")


@router.post("/{package_id}/unschedule", include_in_schema=False)
def unschedule(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    return _action(request, db, principal, package_id, "unschedule")


@router.post("/{package_id}/release", include_in_schema=False)
def release_now(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    """Release now (sign-off gated: a 409 naming the municipalities whose approval is missing)."""
    return _action(request, db, principal, package_id, "release")


@router.post("/{package_id}/ask", include_in_schema=False)
def ask_for_signoff(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    return _action(request, db, principal, package_id, "ask")


@router.post("/{package_id}/follow-session", include_in_schema=False)
def follow_session(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    """The session moved and SDFL chose to move the package's release with it (asked on the session's page)."""
    package = service.get_package(db, package_id)
    service.follow_session(db, principal, package)
    return RedirectResponse(f"/admin/sessions/{package.session_id}?package_moved={package.id}", status_code=303)


# --- check before you release ---------------------------------------------------------------------


def _check(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package: ReleasePackage,
    *,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "releases/check.html",
        {
            "title": _("Controleren voor vrijgave: %(title)s", title=package.title),
            "c": service.check(db, principal, package),
            "status_labels": STATUS_LABELS,
            "type_labels": TYPE_LABELS,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status_code,
    )


@router.get("/{package_id}/check", include_in_schema=False)
def check(request: Request, db: SessionDep, principal: WebPrincipal, package_id: int) -> Response:
    """Every item that goes out, the municipalities' standings, and the forms to decide (reviewers only)."""
    return _check(request, db, principal, service.get_package(db, package_id))


@router.post("/{package_id}/decision", include_in_schema=False)
def decide(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package_id: int,
    decision: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=6000)] = "",
    digest: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    package = service.get_package(db, package_id)
    try:
        service.decide(db, principal, package, decision=decision, note=note, seen=digest)
    except AppError as exc:
        values = {"decision": decision, "note": note}
        return _check(request, db, principal, package, errors=_errors(exc), values=values, status_code=exc.status_code)
    return RedirectResponse(f"/admin/packages/{package.id}/check?saved=1", status_code=303)


@router.post("/{package_id}/override", include_in_schema=False)
def override(
    request: Request,
    db: SessionDep,
    principal: WebPrincipal,
    package_id: int,
    reason: Annotated[str, Form(max_length=6000)] = "",
    digest: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    package = service.get_package(db, package_id)
    try:
        service.override(db, principal, package, reason=reason, seen=digest)
    except AppError as exc:
        return _check(
            request, db, principal, package, errors=_errors(exc), values={"reason": reason}, status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/packages/{package.id}/check?saved=1", status_code=303)
