"""Dialogue meetings (model DialogueSession): what the public may see, calendars (RFC 5545) and the report as PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parseaddr

from icalendar import Calendar, Event, vText
from sqlalchemy import ColumnElement, and_, exists, or_
from sqlmodel import Session, col, select

from app.config import get_settings
from app.kit import clock
from app.kit.errors import NotFound
from app.kit.i18n import TIMEZONE, fmt_datetime
from app.kit.pdf import markdown_to_pdf, new_document, pdf_lines, to_latin1
from app.models import (
    AgendaItem,
    Audience,
    Dialogue,
    DialogueSession,
    Document,
    Proposal,
    ProposalVersion,
    ReleasePackage,
    SessionStatus,
    VersionStatus,
    has_recording,
    is_valid_id,
    recording_release_moment,
)
from app.policy import Action, Principal, can

PRODID = "-//Sociaal Domein Flevoland//Dialoog//NL"


def get_meeting(session: Session, meeting_id: int) -> tuple[DialogueSession, Dialogue]:
    """The meeting with its dialogue; NotFound for an id that does not exist."""
    if not is_valid_id(meeting_id):
        raise NotFound(f"Session {meeting_id} does not exist.")
    row = session.exec(
        select(DialogueSession, Dialogue)
        .join(Dialogue, col(Dialogue.id) == DialogueSession.dialogue_id)
        .where(DialogueSession.id == meeting_id)
    ).first()
    if row is None:
        raise NotFound(f"Session {meeting_id} does not exist.")
    return row


def list_meetings(session: Session, dialogue_id: int | None = None) -> list[DialogueSession]:
    stmt = select(DialogueSession).order_by(
        col(DialogueSession.dialogue_id), col(DialogueSession.number), col(DialogueSession.id)
    )
    if dialogue_id is not None:
        stmt = stmt.where(DialogueSession.dialogue_id == dialogue_id)
    return list(session.exec(stmt).all())


def agenda(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.starts_at), col(AgendaItem.id))
        ).all()
    )


def report_is_public(meeting: DialogueSession, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return bool(meeting.report) and meeting.report_published_at is not None and meeting.report_published_at <= now


# --- the recording ---------------------------------------------------------------------------------


def recording_released(meeting: DialogueSession, now: datetime | None = None) -> bool:
    """Its own moment passed or, without one, the report is public (app.models.recording_release_moment)."""
    moment = recording_release_moment(meeting)
    return (
        moment is not None
        and moment <= (now or clock.now())
        and (meeting.recording_release_at is not None or report_is_public(meeting, now))
    )


def can_see_recording(principal: Principal, meeting: DialogueSession, now: datetime | None = None) -> bool:
    """Staff (admins, municipalities) always; after its release the participants of the trajectory a recording
    for participants, everyone a public one. Before that it does not exist for anyone else (404)."""
    if not has_recording(meeting):
        return False
    principal = principal.in_dialogue(meeting.dialogue_id)
    if can(principal, Action.view_unreleased_recordings):
        return True
    if not recording_released(meeting, now):
        return False
    return meeting.recording_audience == Audience.public or can(principal, Action.view_participant_recordings)


def feed_moment(principal: Principal, meeting: DialogueSession, now: datetime | None = None) -> datetime:
    """The session's ``updated_at`` as ``principal`` sees it (the change feed): its own last visible change, or its
    recording's, for those who see the recording: staff from the change on, others from its release on (a draft
    report or an unreleased recording never moves it for them)."""
    moment = meeting.updated_at
    if meeting.recording_changed_at is None:
        return moment
    staff = can(principal.in_dialogue(meeting.dialogue_id), Action.view_unreleased_recordings)
    if not staff and not can_see_recording(principal, meeting, now):
        return moment
    seen = meeting.recording_changed_at
    release = recording_release_moment(meeting)
    if release is not None and recording_released(meeting, now):
        seen = max(seen, release)
    return max(moment, seen)


def recording_href(meeting: DialogueSession) -> str:
    """Where the recording is watched: its link, or the uploaded file (through the visibility check)."""
    return meeting.recording_url or f"/sessions/{meeting.id}/recording"


def visible_recording(db: Session, principal: Principal, meeting_id: int) -> DialogueSession:
    """The session whose recording ``principal`` may see now; NotFound otherwise."""
    meeting, _dialogue = get_meeting(db, meeting_id)
    if not can_see_recording(principal, meeting):
        raise NotFound("Deze opname bestaat niet of is (nog) niet gepubliceerd.", user_message=True)
    return meeting


def document_released(now: datetime) -> ColumnElement[bool]:
    """As app.documents.service.released_clause (same layer): its own moment passed, or, in a release package,
    the package was released by ``now``."""
    package_released = (
        exists()
        .where(
            col(ReleasePackage.id) == Document.package_id,
            col(ReleasePackage.released_at).is_not(None),
            col(ReleasePackage.released_at) <= now,
        )
        .correlate(Document)
    )
    return or_(
        and_(col(Document.package_id).is_(None), col(Document.release_at) <= now),
        and_(col(Document.package_id).is_not(None), package_released),
    )


def public_documents(session: Session, meeting_id: int) -> list[Document]:
    """Documents for everyone, once released."""
    return list(
        session.exec(
            select(Document)
            .where(
                Document.session_id == meeting_id,
                Document.audience == Audience.public,
                document_released(clock.now()),
            )
            .order_by(col(Document.release_at), col(Document.id))
        ).all()
    )


# --- calendars -----------------------------------------------------------------------------------


def _event(meeting: DialogueSession, dialogue: Dialogue, attendee: str | None = None) -> Event:
    base = get_settings().base_url.rstrip("/")
    event = Event()
    event.add("uid", meeting.ics_uid)
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at.astimezone(TIMEZONE))
    event.add("dtend", meeting.ends_at.astimezone(TIMEZONE))
    event.add("summary", f"Dialoogsessie {meeting.number}: {meeting.title}")
    event.add("location", vText(meeting.location))
    event.add("url", f"{base}/sessions/{meeting.id}")
    event.add(
        "description",
        f"{dialogue.title}\nKenmerk TenderNed: {dialogue.tender_reference}\n"
        f"Programma en stukken: {base}/sessions/{meeting.id}",
    )
    event.add("status", "CANCELLED" if meeting.status == SessionStatus.cancelled else "CONFIRMED")
    name, address = parseaddr(get_settings().mail_from)
    event.add("organizer", f"mailto:{address}", parameters={"CN": name or "Sociaal Domein Flevoland"})
    if attendee:
        event.add("attendee", f"mailto:{attendee}", parameters={"ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
    return event


def calendar_bytes(
    meetings: list[tuple[DialogueSession, Dialogue]],
    *,
    method: str = "PUBLISH",
    name: str | None = None,
    attendee: str | None = None,
) -> bytes:
    """An iCalendar file with one VEVENT per session, times in Europe/Amsterdam with its VTIMEZONE."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for meeting, dialogue in meetings:
        calendar.add_component(_event(meeting, dialogue, attendee))
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- the report as PDF ---------------------------------------------------------------------------


def report_pdf(meeting: DialogueSession, dialogue: Dialogue) -> bytes:
    """The published report as a PDF for TenderNed, with the tender reference on every page."""
    reference = f"{dialogue.title} - kenmerk TenderNed {dialogue.tender_reference}"
    pdf = new_document(f"Verslag dialoogsessie {meeting.number}: {meeting.title}", reference)
    pdf.set_font("Helvetica", "B", 16)
    pdf_lines(pdf, 8, to_latin1(f"Verslag dialoogsessie {meeting.number}: {meeting.title}"))
    pdf.set_font("Helvetica", size=10)
    pdf_lines(
        pdf,
        6,
        to_latin1(
            f"{reference}\n{fmt_datetime(meeting.starts_at, 'd MMMM y, HH:mm')} uur, "
            f"{meeting.location}\nGepubliceerd: {fmt_datetime(meeting.report_published_at, 'd MMMM y')}"
        ),
    )
    pdf.ln(4)
    markdown_to_pdf(pdf, meeting.report)
    return bytes(pdf.output())


# --- publications feed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    id: str
    title: str
    url: str
    updated: datetime
    summary: str
    dialogue: Dialogue | None = None  # the trajectory it belongs to (a category of the feed's entry)


def publications(db: Session, dialogue: Dialogue) -> list[Publication]:
    """What the public can follow: published reports and recordings, public documents, the sessions, and the
    published versions of public proposals."""
    now = clock.now()
    base = get_settings().base_url.rstrip("/")
    host = base.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    out: list[Publication] = []
    for meeting in list_meetings(db, dialogue.id):
        out.append(
            Publication(
                id=f"tag:{host},2026:session-{meeting.id}",
                title=f"Dialoogsessie {meeting.number}: {meeting.title}",
                url=f"{base}/sessions/{meeting.id}",
                updated=meeting.updated_at,
                summary=(
                    f"{fmt_datetime(meeting.starts_at, 'EEEE d MMMM y, HH:mm')} uur, "
                    f"{meeting.location} ({meeting.status})"
                ),
            )
        )
        if report_is_public(meeting, now):
            assert meeting.report_published_at is not None
            out.append(
                Publication(
                    id=f"tag:{host},2026:session-{meeting.id}-report",
                    title=f"Verslag dialoogsessie {meeting.number}: {meeting.title}",
                    url=f"{base}/sessions/{meeting.id}#report-title",
                    updated=meeting.report_published_at,
                    summary="Het verslag is gepubliceerd.",
                )
            )
        if meeting.recording_audience == Audience.public and recording_released(meeting, now):
            moment = recording_release_moment(meeting)
            assert moment is not None
            out.append(
                Publication(
                    id=f"tag:{host},2026:session-{meeting.id}-recording",
                    title=f"Opname dialoogsessie {meeting.number}: {meeting.title}",
                    url=f"{base}/sessions/{meeting.id}#recording-title",
                    updated=moment,
                    summary="De opname is gepubliceerd.",
                )
            )
    documents = db.exec(
        select(Document).where(
            Document.dialogue_id == dialogue.id, Document.audience == Audience.public, document_released(now)
        )
    ).all()
    for doc in documents:
        out.append(
            Publication(
                id=f"tag:{host},2026:document-{doc.id}",
                title=f"Stuk: {doc.title}",
                url=f"{base}/sessions/{doc.session_id}" if doc.session_id else f"{base}/dialogues/{dialogue.slug}",
                updated=doc.release_at,
                summary=f"{doc.filename} is openbaar beschikbaar.",
            )
        )
    public_versions = db.exec(
        select(ProposalVersion, Proposal)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(
            Proposal.dialogue_id == dialogue.id, col(Proposal.public), ProposalVersion.status == VersionStatus.published
        )
    ).all()
    for version, proposal in public_versions:
        assert version.published_at is not None
        out.append(
            Publication(
                id=f"tag:{host},2026:proposal-{proposal.id}-v{version.number}",
                title=f"Voorstel: {proposal.title} (versie {version.number})",
                url=f"{base}/proposals/{proposal.id}/versions/{version.number}",
                updated=version.published_at,
                summary=version.change_summary or "Een nieuw voorstel is gepubliceerd.",
            )
        )
    return sorted((replace(p, dialogue=dialogue) for p in out), key=lambda p: p.updated, reverse=True)


def all_publications(db: Session, dialogues: Sequence[Dialogue]) -> list[Publication]:
    """The publications of several trajectories (the global feed), newest first."""
    return sorted((p for d in dialogues for p in publications(db, d)), key=lambda p: p.updated, reverse=True)
