"""HTML for admins: sessions, their agenda and subgroups, attendance, recording and report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import AdminUser, DrafterUser, WebPrincipal
from app.db import SessionDep
from app.dialogues import manage as dialogues
from app.dialogues.participants import accepted_providers
from app.feedback import drafted
from app.feedback.agenda import agenda_feedback
from app.kit import clock, tenderned
from app.kit.dates import local_input, parse_local
from app.kit.errors import N_, AppError, field_errors, invalid
from app.kit.i18n import TIMEZONE
from app.kit.i18n import gettext as _
from app.meetings import manage, recordings, service
from app.models import AgendaFormat, Audience, DialogueSession, SessionStatus, has_recording
from app.web.templates import render

router = APIRouter(prefix="/admin/sessions")

# SDFL and the municipalities co-author a session's agenda (DrafterUser); the session itself, its attendance,
# report and subgroups stay SDFL's (AdminUser).

STATUS_OPTIONS = [
    (SessionStatus.planned.value, N_("Gepland")),
    (SessionStatus.held.value, N_("Gehouden")),
    (SessionStatus.cancelled.value, N_("Geannuleerd")),
]
FORMAT_OPTIONS = [(AgendaFormat.plenary.value, N_("Plenair")), (AgendaFormat.subgroups.value, N_("In subgroepen"))]


def translated(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Select options with their labels in the page's language."""
    return [(value, _(label)) for value, label in options]


def at_time(meeting: DialogueSession, value: str) -> datetime | None:
    """A time field ("13:30") on the day of the session."""
    try:
        hours, minutes = (int(x) for x in value.strip().split(":")[:2])
        return datetime.combine(meeting.starts_at.astimezone(TIMEZONE).date(), time(hours, minutes), tzinfo=TIMEZONE)
    except (ValueError, TypeError):
        return None


def _meeting_form(
    request: Request,
    db: SessionDep,
    *,
    meeting: DialogueSession | None,
    values: dict,
    errors: dict,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "meetings/admin_form.html",
        {
            "title": _("Sessie bewerken") if meeting else _("Nieuwe sessie"),
            "s": meeting,
            "values": values,
            "errors": errors,
            "statuses": translated(STATUS_OPTIONS),
            "dialogue_options": dialogues.choice_options(db),
        },
        status_code=status_code,
        block="content",
    )


@dataclass(frozen=True)
class MeetingForm:
    """The session form as typed (to show again) and as service input."""

    number: str
    title: str
    starts_at: str
    ends_at: str
    location: str
    status: str
    recorded: str

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self) -> manage.MeetingInput:
        return manage.MeetingInput(
            number=int(self.number) if self.number.strip().isdigit() else None,
            title=self.title,
            starts_at=parse_local(self.starts_at),
            ends_at=parse_local(self.ends_at),
            location=self.location,
            status=self.status or SessionStatus.planned,
            recorded=self.recorded == "1",
        )


def meeting_form(
    number: Annotated[str, Form(max_length=5)] = "",
    title: Annotated[str, Form(max_length=200)] = "",
    starts_at: Annotated[str, Form(max_length=30)] = "",
    ends_at: Annotated[str, Form(max_length=30)] = "",
    location: Annotated[str, Form(max_length=300)] = "",
    status: Annotated[str, Form(max_length=20)] = "planned",
    recorded: Annotated[str, Form(max_length=1)] = "",
) -> MeetingForm:
    return MeetingForm(
        number=number,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        status=status,
        recorded=recorded,
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

    def to_input(self, meeting: DialogueSession) -> manage.AgendaInput:
        return manage.AgendaInput(
            starts_at=at_time(meeting, self.starts),
            ends_at=at_time(meeting, self.ends),
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


MeetingFormDep = Annotated[MeetingForm, Depends(meeting_form)]
AgendaFormDep = Annotated[AgendaForm, Depends(agenda_form)]


@router.get("", include_in_schema=False)
def meetings(
    request: Request, db: SessionDep, admin: AdminUser, dialogue: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """The sessions of one trajectory (``?dialogue=``; the current one by default)."""
    chosen = dialogues.pick(db, dialogue)
    return render(
        request,
        "meetings/admin_list.html",
        {
            "title": _("Sessies"),
            "sessions": service.list_meetings(db, chosen.id),
            "dialogue": chosen,
            "dialogue_options": [(d.slug, d.title) for d in dialogues.choices(db)],
        },
    )


@router.get("/new", include_in_schema=False)
def new_meeting(
    request: Request, db: SessionDep, admin: AdminUser, dialogue: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    chosen = dialogues.pick(db, dialogue)
    number = max((s.number for s in service.list_meetings(db, chosen.id)), default=0) + 1
    values = {"number": number, "status": "planned", "dialogue_id": chosen.id}
    return _meeting_form(request, db, meeting=None, values=values, errors={})


@router.post("", include_in_schema=False)
def create_meeting(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    form: MeetingFormDep,
    dialogue_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new session in the trajectory chosen in the form."""
    try:
        chosen = dialogues.chosen(db, dialogue_id)
        meeting = manage.create_meeting(db, chosen, form.to_input(), actor=admin)
    except AppError as exc:
        values = {**form.values, "dialogue_id": dialogue_id}
        return _meeting_form(
            request, db, meeting=None, values=values, errors=field_errors(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1", status_code=303)


AUDIENCE_OPTIONS = [
    (Audience.participants.value, N_("Alleen deelnemers van het traject")),
    (Audience.public.value, N_("Iedereen (openbaar)")),
]


def _recording_values(meeting: DialogueSession) -> dict:
    return {
        "recording_url": meeting.recording_url or "",
        # A session without a recording yet: for participants only unless SDFL chooses otherwise.
        "audience": meeting.recording_audience if has_recording(meeting) else Audience.participants.value,
        "release_at": local_input(meeting.recording_release_at),
    }


def _tenderned_values(row: DialogueSession) -> dict:
    return {
        "tenderned_published_on": row.tenderned_published_on.isoformat() if row.tenderned_published_on else "",
        "tenderned_reference": row.tenderned_reference or "",
        "tenderned_url": row.tenderned_url or "",
    }


def _detail(
    request: Request,
    db: SessionDep,
    meeting: DialogueSession,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    item_values: dict | None = None,
    item_errors: dict | None = None,
    report_values: dict | None = None,
    recording_values: dict | None = None,
    tenderned_values: dict | None = None,
    consent_values: dict | None = None,
    status_code: int = 200,
) -> Response:
    items = service.agenda(db, meeting.id or 0)
    providers = accepted_providers(db, meeting.dialogue_id)  # the session's own trajectory
    consent_rows = recordings.consent_rows(db, meeting) if meeting.recorded else []
    return render(
        request,
        "meetings/admin_detail.html",
        {
            "title": _("Sessie %(n)s: %(title)s", n=meeting.number, title=meeting.title),
            "s": meeting,
            "agenda": items,
            "values": values
            or {
                "number": meeting.number,
                "title": meeting.title,
                "starts_at": local_input(meeting.starts_at),
                "ends_at": local_input(meeting.ends_at),
                "location": meeting.location,
                "status": meeting.status,
                "recorded": "1" if meeting.recorded else "",
            },
            "item_values": item_values or {"format": "plenary"},
            "item_errors": item_errors or {},  # the agenda form's, apart from the session form's own
            "errors": errors or {},
            "statuses": translated(STATUS_OPTIONS),
            "report_values": report_values or {"report": meeting.report},
            "report_public": service.report_is_public(meeting),
            "recording_values": recording_values or _recording_values(meeting),
            "recording_released": service.recording_released(meeting),
            "recording_href": service.recording_href(meeting),
            "audiences": translated(AUDIENCE_OPTIONS),
            "tenderned_values": tenderned_values or _tenderned_values(meeting),
            "consent_rows": consent_rows,
            "consent_options": [
                (str(r.user.id), f"{r.user.name} ({r.user.email})" if r.user.name else r.user.email)
                for r in consent_rows
            ],
            "max_recording_mb": recordings.MAX_RECORDING_BYTES // (1024 * 1024),
            "consent_values": consent_values or {},
            "objections": recordings.objections_by_provider(consent_rows),
            "formats": translated(FORMAT_OPTIONS),
            "providers": providers,
            "attendance": manage.attendance(db, meeting.id or 0),
            "proposals": manage.proposal_options(db),
            "feedback": agenda_feedback(db, [item.id or 0 for item in items]),
            "packages_off_schedule": manage.packages_off_schedule(db, meeting),
            "authorship": drafted.authorship(db, items),
        },
        status_code=status_code,
    )


@router.get("/{meeting_id}", include_in_schema=False)
def meeting_detail(request: Request, db: SessionDep, drafter: DrafterUser, meeting_id: int) -> Response:
    return _detail(request, db, service.get_meeting(db, meeting_id)[0])


@router.post("/{meeting_id}", include_in_schema=False)
def update_meeting(
    request: Request, db: SessionDep, admin: AdminUser, meeting_id: int, form: MeetingFormDep
) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    start = meeting.starts_at
    try:
        manage.update_meeting(db, meeting, dialogue, form.to_input(), actor=admin)
    except AppError as exc:
        return _detail(request, db, meeting, values=form.values, errors=field_errors(exc), status_code=exc.status_code)
    moved = "&moved=1" if meeting.starts_at != start else ""  # the page asks about the session's release package
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1{moved}", status_code=303)


# --- agenda ----------------------------------------------------------------------------------------


@router.post("/{meeting_id}/agenda", include_in_schema=False)
def add_agenda_item(
    request: Request, db: SessionDep, drafter: DrafterUser, meeting_id: int, form: AgendaFormDep
) -> Response:
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    try:
        manage.add_item(db, meeting, form.to_input(meeting), actor=drafter)
    except AppError as exc:
        return _detail(
            request, db, meeting, item_errors=field_errors(exc), item_values=form.values, status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/sessions/{meeting.id}#agenda", status_code=303)


@router.get("/{meeting_id}/agenda/{item_id}", include_in_schema=False)
def agenda_item(
    request: Request,
    db: SessionDep,
    drafter: DrafterUser,
    meeting_id: int,
    item_id: int,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    item = manage.get_item(db, meeting, item_id)
    return render(
        request,
        "meetings/admin_item.html",
        {
            "title": item.title,
            "s": meeting,
            "item": item,
            "errors": errors or {},
            "formats": translated(FORMAT_OPTIONS),
            "values": values
            or {
                "starts": item.starts_at.astimezone(TIMEZONE).strftime("%H:%M"),
                "ends": item.ends_at.astimezone(TIMEZONE).strftime("%H:%M"),
                "title": item.title,
                "description": item.description,
                "format": item.format,
                "proposal_id": item.proposal_id or "",
            },
            "providers": accepted_providers(db, dialogue.id or 0),
            "groups": manage.subgroups(db, [item.id or 0]).get(item.id or 0, {}),
            "proposals": manage.proposal_options(db),
            "authorship": drafted.authorship(db, [item]).get(item.id or 0),
        },
        status_code=status_code,
    )


@router.post("/{meeting_id}/agenda/{item_id}", include_in_schema=False)
def update_agenda_item(
    request: Request, db: SessionDep, drafter: DrafterUser, meeting_id: int, item_id: int, form: AgendaFormDep
) -> Response:
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    item = manage.get_item(db, meeting, item_id)
    try:
        manage.update_item(db, meeting, item, form.to_input(meeting), actor=drafter)
    except AppError as exc:
        return agenda_item(
            request,
            db,
            drafter,
            meeting_id,
            item_id,
            values=form.values,
            errors=field_errors(exc),
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/admin/sessions/{meeting.id}#agenda", status_code=303)


@router.post("/{meeting_id}/agenda/{item_id}/move", include_in_schema=False)
def move_agenda_item(
    db: SessionDep,
    drafter: DrafterUser,
    meeting_id: int,
    item_id: int,
    direction: Annotated[str, Form(pattern="^(up|down)$")],
) -> Response:
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    manage.move_item(db, meeting, manage.get_item(db, meeting, item_id), direction, actor=drafter)
    return RedirectResponse(f"/admin/sessions/{meeting.id}#agenda", status_code=303)


@router.post("/{meeting_id}/agenda/{item_id}/delete", include_in_schema=False)
def delete_agenda_item(db: SessionDep, drafter: DrafterUser, meeting_id: int, item_id: int) -> Response:
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    manage.delete_item(db, meeting, manage.get_item(db, meeting, item_id), actor=drafter)
    return RedirectResponse(f"/admin/sessions/{meeting.id}#agenda", status_code=303)


async def posted_form(request: Request) -> FormData:
    """The posted form, for forms whose fields are named per provider. Read on the event loop, so that the
    endpoint using it can be a plain ``def`` run in the thread pool: database calls block, and in an
    ``async def`` they would block every other request."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


@router.post("/{meeting_id}/agenda/{item_id}/subgroups", include_in_schema=False)
def set_subgroups(db: SessionDep, admin: AdminUser, meeting_id: int, item_id: int, form: PostedForm) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    item = manage.get_item(db, meeting, item_id)
    allowed = {p.id for p in accepted_providers(db, dialogue.id or 0)}
    assignment = {pid: str(form.get(f"group_{pid}", ""))[:100] for pid in allowed if pid is not None}
    manage.set_subgroups(db, item, assignment, actor=admin)
    return RedirectResponse(f"/admin/sessions/{meeting.id}/agenda/{item.id}?saved=1", status_code=303)


# --- after the session -----------------------------------------------------------------------------


@router.post("/{meeting_id}/attendance", include_in_schema=False)
def set_attendance(request: Request, db: SessionDep, admin: AdminUser, meeting_id: int, form: PostedForm) -> Response:
    meeting, dialogue = service.get_meeting(db, meeting_id)
    rows: dict[int, tuple[bool, int]] = {}
    for provider in accepted_providers(db, dialogue.id or 0):
        people = str(form.get(f"people_{provider.id}", "0")).strip() or "0"
        rows[provider.id or 0] = (form.get(f"attended_{provider.id}") == "1", int(people) if people.isdigit() else -1)
    try:
        manage.set_attendance(db, meeting, rows, actor=admin)
    except AppError as exc:
        return _detail(request, db, meeting, errors=field_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1#attendance", status_code=303)


@router.post("/{meeting_id}/report", include_in_schema=False)
def save_report(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    meeting_id: int,
    report: Annotated[str, Form(max_length=200_000)] = "",
    publish: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    try:
        manage.save_report(db, meeting, report=report, publish=publish == "1", actor=admin)
    except AppError as exc:  # 422 for the text, 409 for a session not marked held: the text as typed stays
        return _detail(
            request,
            db,
            meeting,
            errors=field_errors(exc),
            status_code=exc.status_code,
            report_values={"report": report},
        )
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1#report", status_code=303)


@router.post("/{meeting_id}/tenderned", include_in_schema=False)
def record_tenderned(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    meeting_id: int,
    tenderned_published_on: Annotated[str, Form(max_length=30)] = "",
    tenderned_reference: Annotated[str, Form(max_length=200)] = "",
    tenderned_url: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Where the published report was published on TenderNed (all fields empty: no record)."""
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    typed = {
        "tenderned_published_on": tenderned_published_on,
        "tenderned_reference": tenderned_reference,
        "tenderned_url": tenderned_url,
    }
    try:
        entry = tenderned.check(tenderned_published_on, tenderned_reference, tenderned_url, now=clock.now())
        manage.record_report_tenderned(db, meeting, entry, actor=admin)
    except AppError as exc:
        errors = field_errors(exc) if exc.errors else {"tenderned_published_on": exc.detail}
        return _detail(request, db, meeting, errors=errors, status_code=exc.status_code, tenderned_values=typed)
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1#tenderned", status_code=303)


def _read_upload(file: UploadFile | None) -> recordings.RecordingUpload | None:
    if file is None or not file.filename:
        return None
    content = file.file.read(recordings.MAX_RECORDING_BYTES + 1)
    return recordings.RecordingUpload(filename=file.filename, content=content)


@router.post("/{meeting_id}/recording", include_in_schema=False)
def save_recording(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    meeting_id: int,
    recording_url: Annotated[str, Form(max_length=1000)] = "",
    audience: Annotated[str, Form(max_length=20)] = "",
    release_at: Annotated[str, Form(max_length=30)] = "",
    remove_file: Annotated[str, Form(max_length=1)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The recording: a link or a file, its audience and release moment."""
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    data = recordings.RecordingInput(
        url=recording_url,
        audience=audience,
        release_at=release_at,
        remove_file=remove_file == "1",
    )
    try:
        recordings.save_recording(db, meeting, data, _read_upload(file), actor=admin)
    except AppError as exc:
        typed = {
            "recording_url": recording_url,
            "audience": audience,
            "release_at": release_at,
        }
        return _detail(
            request, db, meeting, errors=field_errors(exc), status_code=exc.status_code, recording_values=typed
        )
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1#recording", status_code=303)


@router.post("/{meeting_id}/consents", include_in_schema=False)
def note_consent(
    request: Request,
    db: SessionDep,
    admin: AdminUser,
    principal: WebPrincipal,
    meeting_id: int,
    user_id: Annotated[str, Form(max_length=12)] = "",
    consent: Annotated[str, Form(max_length=3)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """SDFL notes an attendee's answer given otherwise, e.g. an objection by phone."""
    meeting, _dialogue = service.get_meeting(db, meeting_id)
    try:
        if consent not in ("yes", "no"):
            raise invalid({"consent": "Kies: toestemming of bezwaar."})
        chosen = int(user_id) if user_id.isdigit() else 0
        recordings.note_consent(db, principal, meeting, chosen, consent == "yes", note, actor=admin)
    except AppError as exc:
        typed = {"user_id": user_id, "consent": consent, "note": note}
        errors = field_errors(exc) if exc.errors else {"user_id": exc.detail}
        return _detail(request, db, meeting, errors=errors, status_code=exc.status_code, consent_values=typed)
    return RedirectResponse(f"/admin/sessions/{meeting.id}?saved=1#consents", status_code=303)
