"""HTML for admins: sessions, their agenda and subgroups, attendance, recording and report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import AdminUser
from app.db import SessionDep
from app.dialogues.service import current_dialogue
from app.feedback.agenda import agenda_feedback
from app.kit.dates import local_input, parse_local
from app.kit.errors import AppError, field_errors
from app.kit.i18n import TIMEZONE
from app.kit.i18n import gettext as _
from app.meetings import manage, service
from app.models import AgendaFormat, DialogueSession, SessionStatus
from app.web.templates import render

router = APIRouter(prefix="/admin/sessions")

STATUS_OPTIONS = [
    (SessionStatus.planned.value, "Gepland"),
    (SessionStatus.held.value, "Gehouden"),
    (SessionStatus.cancelled.value, "Geannuleerd"),
]
FORMAT_OPTIONS = [(AgendaFormat.plenary.value, "Plenair"), (AgendaFormat.subgroups.value, "In subgroepen")]


def at_time(ds: DialogueSession, value: str) -> datetime | None:
    """A time field ("13:30") on the day of the session."""
    try:
        hours, minutes = (int(x) for x in value.strip().split(":")[:2])
        return datetime.combine(ds.starts_at.astimezone(TIMEZONE).date(), time(hours, minutes), tzinfo=TIMEZONE)
    except (ValueError, TypeError):
        return None


def _session_form(
    request: Request, *, ds: DialogueSession | None, values: dict, errors: dict, status_code: int = 200
) -> Response:
    return render(
        request,
        "sessions/admin_form.html",
        {
            "title": _("Sessie bewerken") if ds else _("Nieuwe sessie"),
            "s": ds,
            "values": values,
            "errors": errors,
            "statuses": STATUS_OPTIONS,
        },
        status_code=status_code,
        block="content",
    )


@dataclass(frozen=True)
class SessionForm:
    """The session form as typed (to show again) and as service input."""

    number: str
    title: str
    starts_at: str
    ends_at: str
    location: str
    status: str
    recording_url: str

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self) -> manage.SessionInput:
        return manage.SessionInput(
            number=int(self.number) if self.number.strip().isdigit() else None,
            title=self.title,
            starts_at=parse_local(self.starts_at),
            ends_at=parse_local(self.ends_at),
            location=self.location,
            status=self.status or SessionStatus.planned,
            recording_url=self.recording_url.strip() or None,
        )


def session_form(
    number: Annotated[str, Form(max_length=5)] = "",
    title: Annotated[str, Form(max_length=200)] = "",
    starts_at: Annotated[str, Form(max_length=30)] = "",
    ends_at: Annotated[str, Form(max_length=30)] = "",
    location: Annotated[str, Form(max_length=300)] = "",
    status: Annotated[str, Form(max_length=20)] = "planned",
    recording_url: Annotated[str, Form(max_length=500)] = "",
) -> SessionForm:
    return SessionForm(
        number=number,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        status=status,
        recording_url=recording_url,
    )


@dataclass(frozen=True)
class AgendaForm:
    """The agenda item form as typed and as service input (times on the day of the session)."""

    starts: str
    ends: str
    title: str
    description: str
    format: str
    proposal_id: str

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self, ds: DialogueSession) -> manage.AgendaInput:
        return manage.AgendaInput(
            starts_at=at_time(ds, self.starts),
            ends_at=at_time(ds, self.ends),
            title=self.title,
            description=self.description,
            format=self.format,
            proposal_id=int(self.proposal_id) if self.proposal_id.strip().isdigit() else None,
        )


def agenda_form(
    starts: Annotated[str, Form(max_length=5)] = "",
    ends: Annotated[str, Form(max_length=5)] = "",
    title: Annotated[str, Form(max_length=200)] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    format: Annotated[str, Form(max_length=20)] = "plenary",
    proposal_id: Annotated[str, Form(max_length=10)] = "",
) -> AgendaForm:
    return AgendaForm(
        starts=starts, ends=ends, title=title, description=description, format=format, proposal_id=proposal_id
    )


SessionFormDep = Annotated[SessionForm, Depends(session_form)]
AgendaFormDep = Annotated[AgendaForm, Depends(agenda_form)]


@router.get("", include_in_schema=False)
def sessions(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    dialogue, _care_form = current_dialogue(session)
    return render(
        request,
        "sessions/admin_list.html",
        {"title": _("Sessies"), "sessions": service.list_sessions(session, dialogue.id), "dialogue": dialogue},
    )


@router.get("/new", include_in_schema=False)
def new_session(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    dialogue, _care_form = current_dialogue(session)
    number = max((s.number for s in service.list_sessions(session, dialogue.id)), default=0) + 1
    return _session_form(request, ds=None, values={"number": number, "status": "planned"}, errors={})


@router.post("", include_in_schema=False)
def create_session(request: Request, session: SessionDep, admin: AdminUser, form: SessionFormDep) -> Response:
    dialogue, _care_form = current_dialogue(session)
    try:
        ds = manage.create_session(session, dialogue, form.to_input(), actor=admin)
    except AppError as exc:
        return _session_form(
            request, ds=None, values=form.values, errors=field_errors(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/sessions/{ds.id}?saved=1", status_code=303)


def _detail(
    request: Request,
    session: SessionDep,
    ds: DialogueSession,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    item_values: dict | None = None,
    report_values: dict | None = None,
    status_code: int = 200,
) -> Response:
    dialogue, _care_form = current_dialogue(session)
    items = service.agenda(session, ds.id or 0)
    providers = manage.accepted_providers(session, dialogue.id or 0)
    return render(
        request,
        "sessions/admin_detail.html",
        {
            "title": _("Sessie %(n)s: %(title)s", n=ds.number, title=ds.title),
            "s": ds,
            "agenda": items,
            "values": values
            or {
                "number": ds.number,
                "title": ds.title,
                "starts_at": local_input(ds.starts_at),
                "ends_at": local_input(ds.ends_at),
                "location": ds.location,
                "status": ds.status,
                "recording_url": ds.recording_url or "",
            },
            "item_values": item_values or {"format": "plenary"},
            "errors": errors or {},
            "statuses": STATUS_OPTIONS,
            "report_values": report_values or {"report": ds.report, "recording_url": ds.recording_url or ""},
            "formats": FORMAT_OPTIONS,
            "providers": providers,
            "attendance": manage.attendance(session, ds.id or 0),
            "proposals": manage.proposal_options(session),
            "feedback": agenda_feedback(session, [item.id or 0 for item in items]),
        },
        status_code=status_code,
    )


@router.get("/{session_id}", include_in_schema=False)
def session_detail(request: Request, session: SessionDep, admin: AdminUser, session_id: int) -> Response:
    return _detail(request, session, service.get_session(session, session_id)[0])


@router.post("/{session_id}", include_in_schema=False)
def update_session(
    request: Request, session: SessionDep, admin: AdminUser, session_id: int, form: SessionFormDep
) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    try:
        manage.update_session(session, ds, dialogue, form.to_input(), actor=admin)
    except AppError as exc:
        return _detail(request, session, ds, values=form.values, errors=field_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/sessions/{ds.id}?saved=1", status_code=303)


# --- agenda ----------------------------------------------------------------------------------------


@router.post("/{session_id}/agenda", include_in_schema=False)
def add_agenda_item(
    request: Request, session: SessionDep, admin: AdminUser, session_id: int, form: AgendaFormDep
) -> Response:
    ds, _dialogue = service.get_session(session, session_id)
    try:
        manage.add_item(session, ds, form.to_input(ds), actor=admin)
    except AppError as exc:
        return _detail(
            request, session, ds, errors=field_errors(exc), item_values=form.values, status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/sessions/{ds.id}#agenda", status_code=303)


@router.get("/{session_id}/agenda/{item_id}", include_in_schema=False)
def agenda_item(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    session_id: int,
    item_id: int,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    item = manage.get_item(session, ds, item_id)
    return render(
        request,
        "sessions/admin_item.html",
        {
            "title": item.title,
            "s": ds,
            "item": item,
            "errors": errors or {},
            "formats": FORMAT_OPTIONS,
            "values": values
            or {
                "starts": item.starts_at.astimezone(TIMEZONE).strftime("%H:%M"),
                "ends": item.ends_at.astimezone(TIMEZONE).strftime("%H:%M"),
                "title": item.title,
                "description": item.description,
                "format": item.format,
                "proposal_id": item.proposal_id or "",
            },
            "providers": manage.accepted_providers(session, dialogue.id or 0),
            "groups": manage.subgroups(session, [item.id or 0]).get(item.id or 0, {}),
            "proposals": manage.proposal_options(session),
        },
        status_code=status_code,
    )


@router.post("/{session_id}/agenda/{item_id}", include_in_schema=False)
def update_agenda_item(
    request: Request, session: SessionDep, admin: AdminUser, session_id: int, item_id: int, form: AgendaFormDep
) -> Response:
    ds, _dialogue = service.get_session(session, session_id)
    item = manage.get_item(session, ds, item_id)
    try:
        manage.update_item(session, ds, item, form.to_input(ds), actor=admin)
    except AppError as exc:
        return agenda_item(
            request,
            session,
            admin,
            session_id,
            item_id,
            values=form.values,
            errors=field_errors(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/sessions/{ds.id}#agenda", status_code=303)


@router.post("/{session_id}/agenda/{item_id}/move", include_in_schema=False)
def move_agenda_item(
    session: SessionDep,
    admin: AdminUser,
    session_id: int,
    item_id: int,
    direction: Annotated[str, Form(pattern="^(up|down)$")],
) -> Response:
    ds, _dialogue = service.get_session(session, session_id)
    manage.move_item(session, ds, manage.get_item(session, ds, item_id), direction, actor=admin)
    return RedirectResponse(f"/admin/sessions/{ds.id}#agenda", status_code=303)


@router.post("/{session_id}/agenda/{item_id}/delete", include_in_schema=False)
def delete_agenda_item(session: SessionDep, admin: AdminUser, session_id: int, item_id: int) -> Response:
    ds, _dialogue = service.get_session(session, session_id)
    manage.delete_item(session, ds, manage.get_item(session, ds, item_id), actor=admin)
    return RedirectResponse(f"/admin/sessions/{ds.id}#agenda", status_code=303)


async def posted_form(request: Request) -> FormData:
    """The posted form, for forms whose fields are named per provider. Read on the event loop, so that the
    endpoint using it can be a plain ``def`` run in the thread pool: database calls block, and in an
    ``async def`` they would block every other request."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@router.post("/{session_id}/agenda/{item_id}/subgroups", include_in_schema=False)
def set_subgroups(session: SessionDep, admin: AdminUser, session_id: int, item_id: int, form: PostedForm) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    item = manage.get_item(session, ds, item_id)
    allowed = {p.id for p in manage.accepted_providers(session, dialogue.id or 0)}
    assignment = {pid: str(form.get(f"group_{pid}", ""))[:100] for pid in allowed if pid is not None}
    manage.set_subgroups(session, item, assignment, actor=admin)
    return RedirectResponse(f"/admin/sessions/{ds.id}/agenda/{item.id}?saved=1", status_code=303)


# --- after the session -----------------------------------------------------------------------------


@router.post("/{session_id}/attendance", include_in_schema=False)
def set_attendance(
    request: Request, session: SessionDep, admin: AdminUser, session_id: int, form: PostedForm
) -> Response:
    ds, dialogue = service.get_session(session, session_id)
    rows: dict[int, tuple[bool, int]] = {}
    for provider in manage.accepted_providers(session, dialogue.id or 0):
        people = str(form.get(f"people_{provider.id}", "0")).strip() or "0"
        rows[provider.id or 0] = (form.get(f"attended_{provider.id}") == "1", int(people) if people.isdigit() else -1)
    try:
        manage.set_attendance(session, ds, rows, actor=admin)
    except AppError as exc:
        return _detail(request, session, ds, errors=field_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/sessions/{ds.id}?saved=1#attendance", status_code=303)


@router.post("/{session_id}/report", include_in_schema=False)
def save_report(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    session_id: int,
    report: Annotated[str, Form(max_length=200_000)] = "",
    recording_url: Annotated[str, Form(max_length=500)] = "",
    publish: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    ds, _dialogue = service.get_session(session, session_id)
    try:
        manage.save_report(
            session, ds, report=report, recording_url=recording_url.strip() or None, publish=publish == "1", actor=admin
        )
    except AppError as exc:
        return _detail(
            request,
            session,
            ds,
            errors=field_errors(exc),
            status_code=exc.status_code,
            report_values={"report": report, "recording_url": recording_url},
        )
    return RedirectResponse(f"/admin/sessions/{ds.id}?saved=1#report", status_code=303)
