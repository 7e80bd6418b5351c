"""A session's recording: whether the session is recorded, each attendee's consent, and the recording itself (a
link or an uploaded audio or video file) with its audience and release moment.

- Attendees (the accepted providers' contacts and the approved consultation participants of the trajectory) say
  yes or no on the session's page (``give_consent``); SDFL notes an answer given otherwise, e.g. an objection by
  phone (``note_consent``). Whoever objects is flagged on the session's admin page so SDFL can act.
- ``save_recording`` is the one place a recording is set, changed or removed. It is released at its own moment
  (``recording_release_at``) or, without one, together with the report; before that only staff see it (404 for
  everyone else, in pages, feeds and the API: ``app.meetings.service.can_see_recording``).
- An uploaded file is checked as documents are: by its bytes (never the name or the browser's claim), within
  the size limit, under a clean name that matches its type, stored by its SHA-256 (``app.kit.storage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlmodel import Session, select

from app.audit.service import record
from app.dialogues.participants import members
from app.kit import clock, storage
from app.kit.dates import parse_local_datetime
from app.kit.errors import Conflict, NotFound, invalid
from app.kit.storage import clean_filename
from app.meetings.service import recording_released
from app.models import Audience, DialogueSession, RecordingConsent, SessionStatus, User, id_of
from app.notifications.events import notify_published
from app.policy import Action, Principal, authorize

MAX_RECORDING_BYTES = 20 * 1024 * 1024  # as documents: the request limit (25 MiB) leaves room for the form
AUDIENCES = (Audience.participants.value, Audience.public.value)
SELF, STAFF = "self", "staff"


# --- checking an upload ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaType:
    label: str
    extensions: tuple[str, ...]
    content_type: str


MP4 = MediaType("MP4-video", (".mp4", ".m4v"), "video/mp4")
M4A = MediaType("M4A-audio", (".m4a",), "audio/mp4")
WEBM = MediaType("WebM-video", (".webm",), "video/webm")
OGG = MediaType("Ogg-audio", (".ogg", ".oga", ".ogv"), "audio/ogg")
MP3 = MediaType("MP3-audio", (".mp3",), "audio/mpeg")
WAV = MediaType("WAV-audio", (".wav",), "audio/wav")
ALLOWED = "MP4, M4A, WebM, Ogg, MP3 of WAV"


def detect_media(content: bytes) -> MediaType | None:
    """The type from the bytes themselves (the containers' signatures), never from the name or the browser."""
    if content[4:8] == b"ftyp":
        return M4A if content[8:11] in (b"M4A", b"M4B") else MP4
    if content.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if content.startswith(b"OggS"):
        return OGG
    if content.startswith(b"ID3") or (len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0):
        return MP3
    if content.startswith(b"RIFF") and content[8:12] == b"WAVE":
        return WAV
    return None


@dataclass(frozen=True)
class RecordingUpload:
    filename: str
    content: bytes  # read up to MAX_RECORDING_BYTES + 1, so a size above the limit shows


@dataclass(frozen=True)
class RecordingInput:
    """The recording form as typed."""

    url: str = ""
    audience: str = Audience.participants.value
    release_at: str = ""  # datetime-local in Europe/Amsterdam; empty: with the report
    remove_file: bool = False


def _check_upload(upload: RecordingUpload, errors: dict[str, str]) -> tuple[MediaType, str] | None:
    if not upload.content:
        errors["file"] = "Het bestand is leeg."
        return None
    if len(upload.content) > MAX_RECORDING_BYTES:
        errors["file"] = (
            f"Het bestand is te groot: hoogstens {MAX_RECORDING_BYTES // (1024 * 1024)} MB. "
            "Zet een grotere opname op een videodienst en geef de link."
        )
        return None
    kind = detect_media(upload.content)
    if kind is None:
        errors["file"] = f"Dit bestandstype kan niet: alleen audio of video ({ALLOWED})."
        return None
    filename = clean_filename(upload.filename)
    if PurePosixPath(filename.lower()).suffix not in kind.extensions:
        errors["file"] = (
            f"De bestandsnaam past niet bij de inhoud: dit is een {kind.label}-bestand, "
            f"de naam moet eindigen op {' of '.join(kind.extensions)}."
        )
        return None
    return kind, filename


def _snapshot(meeting: DialogueSession) -> dict[str, Any]:
    return {
        "recorded": meeting.recorded,
        "recording_url": meeting.recording_url,
        "recording_file": meeting.recording_filename,
        "recording_sha256": Path(meeting.recording_file_path).name if meeting.recording_file_path else None,
        "recording_audience": meeting.recording_audience,
        "recording_release_at": meeting.recording_release_at.isoformat() if meeting.recording_release_at else None,
    }


def save_recording(
    db: Session, meeting: DialogueSession, data: RecordingInput, upload: RecordingUpload | None, *, actor: User
) -> bool:
    """Set the session's recording: a link or a file (a new file replaces the link and the other way round), the
    audience and the release moment; a session with a recording is recorded. Every wrong field is named at once
    (422).
    Returns whether the recording was released to the public by this change (followers are told)."""
    errors: dict[str, str] = {}
    url = data.url.strip()
    if url and not (url.startswith("https://") and len(url) <= 500 and not any(c.isspace() for c in url)):
        errors["recording_url"] = "Een link naar de opname begint met https://."
    has_upload = upload is not None and bool(upload.filename or upload.content)
    if url and has_upload:
        errors["file"] = "Geef een link of een bestand, niet allebei."
    checked = _check_upload(upload, errors) if has_upload and upload is not None and "file" not in errors else None
    if data.audience not in AUDIENCES:
        errors["audience"] = "Kies voor wie de opname is: deelnemers of iedereen."
    release_at: datetime | None = None
    if data.release_at.strip():
        try:
            release_at = parse_local_datetime(data.release_at)
        except ValueError:
            errors["release_at"] = "Vul een geldige datum en tijd in, bijvoorbeeld 1-12-2026 13:00."
    will_have = bool(url or checked or (meeting.recording_file_path and not data.remove_file))
    if will_have and meeting.status == SessionStatus.cancelled:
        errors["recording_url"] = "Een geannuleerde sessie heeft geen opname."
    if errors:
        raise invalid(errors)
    released_before = recording_released(meeting)
    before = _snapshot(meeting)
    meeting.recorded = meeting.recorded or will_have
    if checked is not None and upload is not None:
        kind, filename = checked
        stored = storage.store_bytes(upload.content)
        meeting.recording_file_path, meeting.recording_filename = stored.path, filename
        meeting.recording_content_type, meeting.recording_size = kind.content_type, stored.size
        meeting.recording_url = None
    elif url or data.remove_file:  # a link replaces the file; or the file is removed
        meeting.recording_file_path = meeting.recording_filename = meeting.recording_content_type = None
        meeting.recording_size = 0
        meeting.recording_url = url or None
    else:  # the file (if any) stays; an emptied link field removes the link
        meeting.recording_url = None
    meeting.recording_audience, meeting.recording_release_at = data.audience, release_at
    after = _snapshot(meeting)
    if after == before:
        return False
    # The change feed: the recording's own moment (staff see it at once, others from its release on:
    # app.meetings.service.feed_moment); "recorded" is public.
    meeting.recording_changed_at = clock.now()
    if after["recorded"] != before["recorded"]:
        meeting.updated_at = clock.now()
    db.add(meeting)
    changed = {k: v for k, v in after.items() if before[k] != v}
    record(
        db,
        action="session.recording_updated",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"Opname sessie {meeting.number} gewijzigd: {', '.join(changed)}",
        before={k: before[k] for k in changed},
        after=changed,
    )
    # The moment a recording is released, the trajectory's members hear of it (each by their notification
    # settings) and, for a public one, its followers (a recording released together with the report is in the
    # report's notification; one scheduled ahead is not announced here).
    if recording_released(meeting) and (not released_before or before["recording_url"] != after["recording_url"]):
        notify_published(
            db,
            meeting.dialogue_id,
            "recording",
            f"Opname sessie {meeting.number}: {meeting.title}",
            f"/sessions/{meeting.id}",
            key=f"{meeting.id}:{meeting.recording_url or meeting.recording_file_path}",
            audience_members_only=meeting.recording_audience != Audience.public,
        )
        return True
    return False


def recording_path(meeting: DialogueSession) -> Path:
    if not meeting.recording_file_path:
        raise NotFound("Deze opname is geen bestand.")
    path = storage.open_path(meeting.recording_file_path)
    if not path.is_file():
        raise NotFound("Het bestand van deze opname ontbreekt.")
    return path


# --- consent -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentRow:
    """An attendee with their answer (None: not answered yet)."""

    user: User
    consent: RecordingConsent | None

    @property
    def objects(self) -> bool:
        return self.consent is not None and not self.consent.consent


def consents(db: Session, meeting: DialogueSession) -> dict[int, RecordingConsent]:
    """user id -> answer, for one session."""
    return {c.user_id: c for c in db.exec(select(RecordingConsent).where(RecordingConsent.session_id == meeting.id))}


def consent_rows(db: Session, meeting: DialogueSession) -> list[ConsentRow]:
    """Every attendee of the session's trajectory with their answer, those who object first."""
    answers = consents(db, meeting)
    rows = [ConsentRow(user=u, consent=answers.get(id_of(u))) for u in members(db, meeting.dialogue_id)]
    return sorted(rows, key=lambda r: (not r.objects, r.consent is not None, r.user.email))


def objections_by_provider(rows: list[ConsentRow]) -> dict[int, list[User]]:
    """provider id -> its contacts who object (for the attendance list)."""
    out: dict[int, list[User]] = {}
    for row in rows:
        if row.objects and row.user.provider_id:
            out.setdefault(row.user.provider_id, []).append(row.user)
    return out


def my_consent(db: Session, meeting: DialogueSession, user: User | None) -> RecordingConsent | None:
    if user is None or user.id is None:
        return None
    return db.exec(
        select(RecordingConsent).where(RecordingConsent.session_id == meeting.id, RecordingConsent.user_id == user.id)
    ).first()


def _asked(meeting: DialogueSession) -> None:
    if not meeting.recorded or meeting.status == SessionStatus.cancelled:
        raise Conflict("Deze sessie wordt niet opgenomen; er is niets om toestemming voor te geven.", user_message=True)


def _set(
    db: Session, meeting: DialogueSession, user: User, consent: bool, *, source: str, note: str, actor: User
) -> RecordingConsent:
    row = my_consent(db, meeting, user) or RecordingConsent(
        session_id=id_of(meeting), user_id=id_of(user), consent=consent
    )
    before = None if row.id is None else {"consent": row.consent, "source": row.source, "note": row.note}
    row.consent, row.source, row.note, row.recorded_by_id = consent, source, note, actor.id
    row.updated_at = clock.now()
    db.add(row)
    record(
        db,
        action="session.recording_consent",
        entity_type="session",
        entity_id=meeting.id,
        actor=actor,
        summary=f"{user.email} {'geeft toestemming' if consent else 'maakt bezwaar'} voor de opname van sessie "
        f"{meeting.number}" + (" (genoteerd door SDFL)" if source == STAFF else ""),
        before=before,
        after={"user_id": user.id, "consent": consent, "source": source, "note": note},
    )
    return row


def give_consent(db: Session, principal: Principal, meeting: DialogueSession, consent: bool) -> RecordingConsent:
    """An attendee's own yes or no (a provider's contact or a participant taking part in the trajectory)."""
    authorize(principal.in_dialogue(meeting.dialogue_id), Action.consent_to_recording)
    _asked(meeting)
    assert principal.user is not None
    return _set(db, meeting, principal.user, consent, source=SELF, note="", actor=principal.user)


def note_consent(
    db: Session, principal: Principal, meeting: DialogueSession, user_id: int, consent: bool, note: str, *, actor: User
) -> RecordingConsent:
    """SDFL notes an attendee's answer given otherwise (by phone, by mail), with a note."""
    authorize(principal, Action.manage)
    _asked(meeting)
    user = next((u for u in members(db, meeting.dialogue_id) if u.id == user_id), None)
    if user is None:
        raise invalid({"user_id": "Kies een deelnemer van dit traject."})
    if len(note) > 500:
        raise invalid({"note": "De notitie is te lang: hoogstens 500 tekens."})
    return _set(db, meeting, user, consent, source=STAFF, note=note.strip(), actor=actor)
