"""Running the sessions (admins): create and change sessions with save-the-date mails, the agenda with
its subgroups, and what happened afterwards (attendance, recording, report)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import record
from app.dialogues.participants import accepted_contacts
from app.events import service as events
from app.kit import clock, tenderned
from app.kit.errors import Conflict, NotFound, invalid
from app.kit.i18n import TIMEZONE, fmt_datetime
from app.mail.service import queue_mail
from app.meetings.service import agenda, calendar_bytes, report_is_public
from app.models import (
    AgendaFormat,
    AgendaItem,
    Attendance,
    Dialogue,
    DialogueSession,
    Proposal,
    ReleasePackage,
    ReleaseStatus,
    SessionStatus,
    SubgroupAssignment,
    User,
    has_recording,
    id_of,
    is_valid_id,
)
from app.notifications.events import notify_published, subgroups_changed
from app.policy import ALWAYS_TOLD_OF_RELEASES

# --- the release package's moment -----------------------------------------------------------------

PACKAGE_LEAD_DAYS = 7
UNRELEASED = (ReleaseStatus.draft, ReleaseStatus.scheduled, ReleaseStatus.blocked)


def package_release_default(starts_at: datetime) -> datetime:
    """Seven days before the session's start at the same local (Europe/Amsterdam) clock time, in UTC: computed
    on the local calendar, so a week across a change to or from summer time is still "the same time"."""
    local = starts_at.astimezone(TIMEZONE)
    moment = datetime.combine(
        local.date() - timedelta(days=PACKAGE_LEAD_DAYS), local.time().replace(tzinfo=None), tzinfo=TIMEZONE
    )
    return moment.astimezone(UTC)


def packages_off_schedule(db: Session, meeting: DialogueSession) -> list[ReleasePackage]:
    """The session's unreleased release packages whose moment is not seven days before its (new) start: a package
    keeps its absolute moment when the session moves, unless SDFL chooses to move it (asked on the session's page)."""
    wanted = package_release_default(meeting.starts_at)
    return [
        p
        for p in db.exec(
            select(ReleasePackage)
            .where(ReleasePackage.session_id == meeting.id, col(ReleasePackage.status).in_(UNRELEASED))
            .order_by(col(ReleasePackage.id))
        ).all()
        if p.release_at != wanted
    ]


# --- save-the-dates ------------------------------------------------------------------------------


def send_save_the_dates(
    db: Session, meeting: DialogueSession, dialogue: Dialogue, *, provider_id: int | None = None
) -> int:
    """Mail every accepted provider's contacts the session as an iCalendar invitation (REQUEST, or CANCEL
    for a cancelled session); the UID stays, the SEQUENCE says which version is newest."""
    cancelled = meeting.status == SessionStatus.cancelled
    method = "CANCEL" if cancelled else "REQUEST"
    template = "session_cancelled" if cancelled else ("session_changed" if meeting.ics_sequence else "save_the_date")
    recipients = accepted_contacts(db, dialogue.id or 0, provider_id)
    if provider_id is None:  # the municipalities' officers get the same invitations, updates and cancellations
        recipients += municipal_users(db)
    for user in recipients:
        ics = calendar_bytes([(meeting, dialogue)], method=method, attendee=user.email)
        queue_mail(
            db,
            to=user.email,
            template=template,
            context={
                "user_name": user.name or user.email,
                "number": meeting.number,
                "title": meeting.title,
                "when": f"{fmt_datetime(meeting.starts_at, 'EEEE d MMMM y, HH:mm')}–"
                f"{fmt_datetime(meeting.ends_at, 'HH:mm')}",
                "location": meeting.location,
                "dialogue_title": dialogue.title,
                "session_id": meeting.id,
                "recorded": meeting.recorded,  # attendees are asked for their consent
            },
            attachments=[
                {
                    "filename": f"dialoogsessie-{meeting.number}.ics",
                    "content": ics,
                    "content_type": f"text/calendar; method={method}; charset=utf-8",
                }
            ],
        )
    return len(recipients)


def municipal_users(db: Session) -> list[User]:
    """The municipalities' active users (told of every session, as of every release), by email."""
    return list(
        db.exec(
            select(User).where(col(User.role).in_(ALWAYS_TOLD_OF_RELEASES), col(User.active)).order_by(col(User.email))
        ).all()
    )


# --- sessions --------------------------------------------------------------------------------------


@dataclass
class MeetingInput:
    number: int | None
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    location: str
    status: str = SessionStatus.planned
    recorded: bool = False  # announced with the save-the-date, which asks the attendees for their consent


def _validate(session: Session, dialogue: Dialogue, data: MeetingInput, *, except_id: int | None = None) -> None:
    errors: dict[str, str] = {}
    if not data.number or data.number < 1:
        errors["number"] = "Vul een sessienummer in (1 of hoger)."
    elif session.exec(
        select(DialogueSession).where(
            DialogueSession.dialogue_id == dialogue.id,
            DialogueSession.number == data.number,
            DialogueSession.id != except_id,
        )
    ).first():
        errors["number"] = f"Er is al een sessie {data.number}."
    if not data.title.strip():
        errors["title"] = "Geef de sessie een titel."
    if data.starts_at is None:
        errors["starts_at"] = "Vul het begin in (datum en tijd)."
    if data.ends_at is None:
        errors["ends_at"] = "Vul het einde in (datum en tijd)."
    elif data.starts_at and data.ends_at <= data.starts_at:
        errors["ends_at"] = "Het einde moet na het begin liggen."
    elif data.starts_at and data.ends_at - data.starts_at > timedelta(hours=12):
        errors["ends_at"] = "Een sessie duurt hoogstens 12 uur."
    if data.status not in set(SessionStatus):
        errors["status"] = "Kies een status."
    if errors:
        raise invalid(errors)


def _snapshot(meeting: DialogueSession) -> dict[str, Any]:
    return {
        "number": meeting.number,
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "location": meeting.location,
        "status": meeting.status,
        "recorded": meeting.recorded,
    }


def create_meeting(db: Session, dialogue: Dialogue, data: MeetingInput, *, actor: User) -> DialogueSession:
    _validate(db, dialogue, data)
    assert data.starts_at and data.ends_at and data.number and dialogue.id
    now = clock.now()
    meeting = DialogueSession(
        dialogue_id=dialogue.id,
        number=data.number,
        title=data.title.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        location=data.location.strip(),
        status=data.status,
        recorded=data.recorded,
        documents_release_at=data.starts_at - timedelta(days=7),
        ics_uid=f"dialoog-{uuid.uuid4()}@sdfl.example.org",
        created_at=now,
        updated_at=now,
    )
    db.add(meeting)
    db.flush()
    record(
        db,
        action="session.created",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"Sessie {meeting.number} aangemaakt",
        after=_snapshot(meeting),
    )
    if meeting.status != SessionStatus.cancelled:
        send_save_the_dates(db, meeting, dialogue)
    return meeting


def update_meeting(
    db: Session, meeting: DialogueSession, dialogue: Dialogue, data: MeetingInput, *, actor: User
) -> DialogueSession:
    """Change a session; a new time or place goes out as an update (SEQUENCE + 1), a cancellation as CANCEL."""
    _validate(db, dialogue, data, except_id=meeting.id)
    if meeting.recorded and not data.recorded and has_recording(meeting):
        raise invalid({"recorded": "Deze sessie heeft een opname. Verwijder die eerst bij Opname."})
    assert data.starts_at and data.ends_at and data.number
    before = _snapshot(meeting)
    calendar_changed = (
        data.starts_at != meeting.starts_at
        or data.ends_at != meeting.ends_at
        or data.location.strip() != meeting.location
        or (data.status == SessionStatus.cancelled) != (meeting.status == SessionStatus.cancelled)
    )
    if data.starts_at != meeting.starts_at:
        meeting.documents_release_at = data.starts_at - timedelta(days=7)
    meeting.number, meeting.title, meeting.starts_at, meeting.ends_at = (
        data.number,
        data.title.strip(),
        data.starts_at,
        data.ends_at,
    )
    meeting.location, meeting.status, meeting.recorded = data.location.strip(), data.status, data.recorded
    after = _snapshot(meeting)
    if after == before:
        return meeting
    meeting.updated_at = clock.now()
    if calendar_changed:
        meeting.ics_sequence += 1
    db.add(meeting)
    changed = {k: v for k, v in after.items() if before[k] != v}
    record(
        db,
        action="session.updated",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"Sessie {meeting.number} gewijzigd: {', '.join(changed)}",
        before={k: before[k] for k in changed},
        after=changed,
    )
    events.session_changed(db, meeting, sorted(changed))  # issue 20
    if calendar_changed:
        send_save_the_dates(db, meeting, dialogue)
    return meeting


def proposal_options(session: Session) -> list[tuple[int, str]]:
    """Proposals an agenda item can link to."""
    return [
        (p.id or 0, p.title) for p in session.exec(select(Proposal).order_by(col(Proposal.title), col(Proposal.id)))
    ]


# --- agenda ----------------------------------------------------------------------------------------


@dataclass
class AgendaInput:
    starts_at: datetime | None
    ends_at: datetime | None
    title: str
    description: str
    format: str
    proposal_id: int | None = None


def _validate_item(db: Session, meeting: DialogueSession, data: AgendaInput) -> tuple[datetime, datetime]:
    """The item's start and end once everything about it is valid."""
    errors: dict[str, str] = {}
    if data.proposal_id is not None and (
        not is_valid_id(data.proposal_id) or db.get(Proposal, data.proposal_id) is None
    ):
        errors["proposal_id"] = "Kies een voorstel uit de lijst, of geen."
    if not data.title.strip():
        errors["title"] = "Geef het agendapunt een titel."
    if data.starts_at is None or data.ends_at is None:
        errors["starts_at"] = "Vul begin- en eindtijd in."
    elif data.ends_at <= data.starts_at:
        errors["ends_at"] = "De eindtijd moet na de begintijd liggen."
    elif data.starts_at < meeting.starts_at or data.ends_at > meeting.ends_at:
        errors["starts_at"] = (
            f"Een agendapunt valt binnen de sessie "
            f"({fmt_datetime(meeting.starts_at, 'HH:mm')}–{fmt_datetime(meeting.ends_at, 'HH:mm')})."
        )
    if data.format not in set(AgendaFormat):
        errors["format"] = "Kies plenair of in subgroepen."
    if errors or data.starts_at is None or data.ends_at is None:
        raise invalid(errors)
    return data.starts_at, data.ends_at


def get_item(db: Session, meeting: DialogueSession, item_id: int) -> AgendaItem:
    item = db.get(AgendaItem, item_id) if is_valid_id(item_id) else None
    if item is None or item.session_id != meeting.id:
        raise NotFound("Agenda item not found.")
    return item


def add_item(db: Session, meeting: DialogueSession, data: AgendaInput, *, actor: User) -> AgendaItem:
    starts_at, ends_at = _validate_item(db, meeting, data)
    meeting_id = id_of(meeting)
    position = max((i.position for i in agenda(db, meeting_id)), default=0) + 1
    item = AgendaItem(
        session_id=meeting_id,
        position=position,
        starts_at=starts_at,
        ends_at=ends_at,
        title=data.title.strip(),
        description=data.description.strip(),
        format=data.format,
        proposal_id=data.proposal_id,
        created_by_id=actor.id,  # SDFL or a municipality's user: the draft says who wrote it
        updated_at=clock.now(),
    )
    db.add(item)
    db.flush()
    record(
        db,
        action="agenda_item.created",
        entity_type="agenda_item",
        entity_id=item.id,
        actor=actor,
        summary=f"Agendapunt '{item.title}' toegevoegd aan sessie {meeting.number}",
    )
    return item


def update_item(
    db: Session, meeting: DialogueSession, item: AgendaItem, data: AgendaInput, *, actor: User
) -> AgendaItem:
    times_before = (item.starts_at, item.ends_at)
    item.starts_at, item.ends_at = _validate_item(db, meeting, data)
    item.title = data.title.strip()
    item.description, item.format, item.proposal_id = data.description.strip(), data.format, data.proposal_id
    item.updated_by_id = actor.id
    item.updated_at = clock.now()
    db.add(item)
    record(
        db,
        action="agenda_item.updated",
        entity_type="agenda_item",
        entity_id=item.id,
        actor=actor,
        summary=f"Agendapunt '{item.title}' gewijzigd",
    )
    if item.format == AgendaFormat.subgroups and (item.starts_at, item.ends_at) != times_before:
        _tell_subgroups(db, item, list(subgroups(db, [id_of(item)])[id_of(item)]), times_changed=True)
    return item


def delete_item(db: Session, meeting: DialogueSession, item: AgendaItem, *, actor: User) -> None:
    for assignment in db.exec(select(SubgroupAssignment).where(SubgroupAssignment.agenda_item_id == item.id)):
        db.delete(assignment)
    db.delete(item)
    record(
        db,
        action="agenda_item.deleted",
        entity_type="agenda_item",
        entity_id=item.id,
        actor=actor,
        summary=f"Agendapunt '{item.title}' verwijderd uit sessie {meeting.number}",
    )


def move_item(db: Session, meeting: DialogueSession, item: AgendaItem, direction: str, *, actor: User) -> None:
    """Swap with the neighbour above or below: reordering that needs no dragging and no JavaScript."""
    items = agenda(db, meeting.id or 0)
    now = clock.now()
    for position, it in enumerate(items, start=1):
        if it.position != position:
            it.position, it.updated_at = position, now  # close gaps first
    index = next(i for i, it in enumerate(items) if it.id == item.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index].position, items[other].position = items[other].position, items[index].position
        items[index].updated_at = items[other].updated_at = now
        record(
            db,
            action="agenda_item.moved",
            entity_type="agenda_item",
            entity_id=item.id,
            actor=actor,
            summary=f"Agendapunt '{item.title}' naar {'boven' if direction == 'up' else 'beneden'}",
        )
    for it in items:
        db.add(it)


def place_item(db: Session, meeting: DialogueSession, item: AgendaItem, position: int, *, actor: User) -> None:
    """Put the item at ``position`` (from 1; past the end: last), the others shifting: the API's reordering, as
    ``move_item`` step by step on the page."""
    items = [it for it in agenda(db, meeting.id or 0) if it.id != item.id]
    index = max(0, min(position - 1, len(items)))
    items.insert(index, item)
    now = clock.now()
    moved = [(number, it) for number, it in enumerate(items, start=1) if it.position != number]
    if not moved:
        return
    for number, it in moved:
        it.position, it.updated_at = number, now
        db.add(it)
    record(
        db,
        action="agenda_item.moved",
        entity_type="agenda_item",
        entity_id=item.id,
        actor=actor,
        summary=f"Agendapunt '{item.title}' naar plaats {index + 1}",
    )


def subgroups(session: Session, item_ids: list[int]) -> dict[int, dict[int, str]]:
    """agenda item id -> provider id -> subgroup, in one query."""
    out: dict[int, dict[int, str]] = {i: {} for i in item_ids}
    if item_ids:
        for a in session.exec(select(SubgroupAssignment).where(col(SubgroupAssignment.agenda_item_id).in_(item_ids))):
            out[a.agenda_item_id][a.provider_id] = a.subgroup
    return out


def set_subgroups(session: Session, item: AgendaItem, assignment: dict[int, str], *, actor: User) -> None:
    """Divide providers over subgroups for one agenda item; an empty name takes a provider out."""
    if item.format != AgendaFormat.subgroups:
        raise Conflict("Dit agendapunt is plenair; zet het eerst op 'in subgroepen'.", user_message=True)
    existing = {
        a.provider_id: a
        for a in session.exec(select(SubgroupAssignment).where(SubgroupAssignment.agenda_item_id == item.id))
    }
    before = {provider_id: a.subgroup for provider_id, a in existing.items()}
    for provider_id, name in assignment.items():
        name = name.strip()[:100]
        current = existing.get(provider_id)
        if not name and current:
            session.delete(current)
        elif name and current:
            current.subgroup = name
            session.add(current)
        elif name:
            session.add(SubgroupAssignment(agenda_item_id=item.id or 0, provider_id=provider_id, subgroup=name))
    record(
        session,
        action="agenda_item.subgroups",
        entity_type="agenda_item",
        entity_id=item.id,
        actor=actor,
        summary=f"Indeling in subgroepen voor '{item.title}' gewijzigd",
        after={str(k): v.strip() for k, v in assignment.items() if v.strip()},
    )
    changed = [p for p, name in assignment.items() if name.strip()[:100] != before.get(p, "")]
    if changed:
        item.updated_at = clock.now()
        session.add(item)
        session.flush()
        _tell_subgroups(session, item, changed, times_changed=False)


def _tell_subgroups(db: Session, item: AgendaItem, provider_ids: list[int], *, times_changed: bool) -> None:
    """The contacts of these providers hear of their organisation's subgroups (``app.notifications``); where the
    times changed, with the session's calendar file."""
    meeting = db.get(DialogueSession, item.session_id)
    dialogue = db.get(Dialogue, meeting.dialogue_id) if meeting else None
    if meeting is None or dialogue is None or not provider_ids:
        return

    def calendar(user: User) -> bytes:
        return calendar_bytes([(meeting, dialogue)], method="REQUEST", attendee=user.email)

    subgroups_changed(db, meeting, dialogue, provider_ids, calendar=calendar if times_changed else None)


# --- after the session -----------------------------------------------------------------------------


def attendance(session: Session, meeting_id: int) -> dict[int, Attendance]:
    return {a.provider_id: a for a in session.exec(select(Attendance).where(Attendance.session_id == meeting_id))}


def set_attendance(db: Session, meeting: DialogueSession, rows: dict[int, tuple[bool, int]], *, actor: User) -> None:
    """Who came, with how many people (provider id -> (attended, people))."""
    current = attendance(db, meeting.id or 0)
    for provider_id, (attended, people) in rows.items():
        if people < 0 or people > 50:
            raise invalid({f"people_{provider_id}": "Vul een aantal tussen 0 en 50 in."})
        row = current.get(provider_id) or Attendance(session_id=meeting.id or 0, provider_id=provider_id)
        row.attended, row.people = attended, people if attended else 0
        db.add(row)
    record(
        db,
        action="session.attendance",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"Aanwezigheid sessie {meeting.number} bijgewerkt",
        after={str(k): {"attended": a, "people": p} for k, (a, p) in rows.items()},
    )


def save_report(db: Session, meeting: DialogueSession, *, report: str, publish: bool, actor: User) -> None:
    """Save the report (Markdown); ``publish`` makes it public from now on: the one place a report is published.

    A report is published once the session is marked held (409 otherwise: SDFL marks it held first) and not
    before its end (``ends_at``). A report that is already public stays so when it is saved again.
    """
    if publish and not report.strip():
        raise invalid({"report": "Schrijf eerst het verslag; een leeg verslag kan niet worden gepubliceerd."})
    if publish and meeting.report_published_at is None and meeting.status != SessionStatus.held:
        message = (
            "Het verslag kan pas worden gepubliceerd als de sessie als gehouden is gemarkeerd. Zet de status van "
            "de sessie op ‘Gehouden’ en publiceer dan; tot die tijd kunt u het opslaan zonder te publiceren."
        )
        raise Conflict(message, user_message=True, errors=[{"field": "report", "message": message}])
    if publish and meeting.report_published_at is None and clock.now() < meeting.ends_at:
        raise invalid(
            {
                "report": (
                    "Het verslag kan pas worden gepubliceerd als de sessie is afgelopen, vanaf "
                    f"{fmt_datetime(meeting.ends_at, 'EEEE d MMMM y, HH:mm')}. Sla het tot dan op zonder te publiceren."
                )
            }
        )
    report_before = meeting.report
    meeting.report = report
    published_now = publish and meeting.report_published_at is None
    if published_now:
        meeting.report_published_at = clock.now()
    if report_is_public(meeting):  # a draft report is in no one's representation: it never moves updated_at
        meeting.updated_at = clock.now()
    db.add(meeting)
    record(
        db,
        action="session.report_published" if publish else "session.report_saved",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"Verslag sessie {meeting.number} {'gepubliceerd' if publish else 'opgeslagen'}",
        before={"report_length": len(report_before or "")},
        after={"report_length": len(meeting.report)},
    )
    if published_now:
        events.report_published(db, meeting)  # issue 20
    # The trajectory's members (by their notification settings) and followers (by mail) hear of a newly published
    # report (with a public recording released with it): app.notifications.events.
    if published_now:
        notify_published(
            db,
            meeting.dialogue_id,
            "report",
            f"Verslag sessie {meeting.number}: {meeting.title}",
            f"/sessions/{meeting.id}",
            key=f"{meeting.id}",
        )


# --- the TenderNed record of the report -------------------------------------------------------------


def _tenderned_snapshot(row: DialogueSession) -> dict[str, str | None]:
    return {
        "published_on": row.tenderned_published_on.isoformat() if row.tenderned_published_on else None,
        "reference": row.tenderned_reference,
        "url": row.tenderned_url,
    }


def record_report_tenderned(
    db: Session, meeting: DialogueSession, entry: tenderned.TenderNedRecord | None, *, actor: User
) -> None:
    """Record (or change, or with ``None`` remove) where the published report was published on TenderNed."""
    if entry is not None and not report_is_public(meeting):
        raise Conflict(
            "Publiceer eerst het verslag in Dialoog; daarna legt u de publicatie op TenderNed vast.", user_message=True
        )
    before = _tenderned_snapshot(meeting)
    meeting.tenderned_published_on = entry.published_on if entry else None
    meeting.tenderned_reference = entry.reference if entry else None
    meeting.tenderned_url = entry.url if entry else None
    after = _tenderned_snapshot(meeting)
    if after == before:
        return
    meeting.updated_at = clock.now()
    db.add(meeting)
    record(
        db,
        action="session.tenderned_recorded" if entry else "session.tenderned_removed",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"Publicatie op TenderNed van het verslag van sessie {meeting.number} "
        + ("vastgelegd" if entry else "verwijderd"),
        before=before,
        after=after,
    )
