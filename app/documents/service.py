"""Documents (stukken): upload with the type checked by content, release at a set moment, downloads, release mail.

Visibility is computed at request time from ``release_at`` and the app's clock, never from a stored flag, so at
the release moment every participant sees a document at once. Before it nobody but the reviewers (SDFL and the
municipalities, who check what goes out) does, and to everyone else the document does not exist (404, not 403):
its existence must not leak before its moment either. A document in a release package (``package_id``) goes out
with its package: it is released when the package is (``ReleasePackage.released_at`` set and passed), whatever its
own ``release_at``; the package sends one mail for everything in it, so the documents' own release mail skips it.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from babel.dates import format_datetime
from sqlalchemy import ColumnElement, and_, case, exists, func, or_, true, type_coerce, update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.db import UTCDateTime
from app.dialogues import manage as dialogues
from app.dialogues.following import notify_followers
from app.dialogues.participants import approved_participants, in_trajectories
from app.events import service as events
from app.kit import clock
from app.kit.dates import parse_local_datetime
from app.kit.errors import AppError, Conflict, NotFound, ValidationFailed
from app.kit.i18n import TIMEZONE
from app.kit.pagination import PageParams, paginate
from app.kit.storage import clean_filename, open_path, store_bytes
from app.mail.service import queue_mail
from app.models import (
    Audience,
    AuditEvent,
    DialogueSession,
    Document,
    Invitation,
    InvitationStatus,
    Provider,
    ReleasePackage,
    User,
    id_of,
)
from app.policy import ALWAYS_TOLD_OF_RELEASES, INVITED_ROLE, Action, Principal, can

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # 20 MB; the request limit (25 MiB) leaves room for the form around it
MAX_TITLE = 200
DEFAULT_LEAD = timedelta(days=7)  # without a release moment of its own: a week before the session
MAX_ID = 2**31 - 1
ENTITY = "document"
DOWNLOADED = "document.downloaded"


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    extension: str
    content_type: str  # the canonical one: what we send, whatever the browser claimed at upload


FILE_TYPES: dict[str, FileType] = {
    t.key: t
    for t in (
        FileType("pdf", "PDF", ".pdf", "application/pdf"),
        FileType(
            "docx", "Word (DOCX)", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
        FileType("xlsx", "Excel (XLSX)", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        FileType("odt", "OpenDocument-tekst (ODT)", ".odt", "application/vnd.oasis.opendocument.text"),
    )
}
TYPE_LABELS: dict[str, str] = {t.content_type: t.label for t in FILE_TYPES.values()}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
AUDIENCES = (Audience.participants.value, Audience.public.value)
FORM_ORDER = ("title", "file", "dialogue_id", "session_id", "audience", "release_at")


# --- checking an upload --------------------------------------------------------------------------


def detect_type(content: bytes) -> FileType | None:
    """The type from the bytes themselves, never from the name or the browser's claim.

    PDF by its ``%PDF-`` header; DOCX, XLSX and ODT are ZIP archives told apart by their members. Only the
    directory and ODT's tiny ``mimetype`` member are read, so a ZIP bomb costs nothing.
    """
    if content.startswith(b"%PDF-"):
        return FILE_TYPES["pdf"]
    if not content.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if (
                    info.compress_type == zipfile.ZIP_STORED
                    and info.file_size <= 100
                    and archive.read(info) == ODT_MIMETYPE
                ):
                    return FILE_TYPES["odt"]
            if "word/document.xml" in names:
                return FILE_TYPES["docx"]
            if "xl/workbook.xml" in names:
                return FILE_TYPES["xlsx"]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        return None  # damaged, encrypted or otherwise unreadable: not a document we accept
    return None


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join("_" if ch in '"\\' or not ch.isprintable() else ch for ch in fallback) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@dataclass(frozen=True)
class DocumentInput:
    """The fields as typed in the form (text), so one check can report every field at once."""

    title: str = ""
    audience: str = Audience.participants.value
    release_at: str = ""  # datetime-local in Europe/Amsterdam; empty: the default moment
    session_id: str = ""  # empty: the document belongs to the whole dialogue
    dialogue_id: str = ""  # the trajectory (id or slug); empty: the session's, else the current one


@dataclass(frozen=True)
class FileUpload:
    filename: str
    content: bytes  # read up to MAX_DOCUMENT_BYTES + 1, so a size above the limit shows


@dataclass
class _Checked:
    title: str = ""
    audience: str = ""
    release_at: datetime | None = None
    errors: list[dict[str, str]] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})


def default_release_at(ds: DialogueSession | None, now: datetime) -> datetime:
    """The session's release moment, else a week before the session starts; without a session: now."""
    if ds is None:
        return now
    return ds.documents_release_at or ds.starts_at - DEFAULT_LEAD


def _check_fields(data: DocumentInput, ds: DialogueSession | None, now: datetime) -> _Checked:
    checked = _Checked(title=" ".join(data.title.split()), audience=data.audience)
    if not checked.title:
        checked.error("title", "Geef het stuk een titel.")
    elif len(checked.title) > MAX_TITLE:
        checked.error("title", f"De titel is te lang: hoogstens {MAX_TITLE} tekens.")
    if data.audience not in AUDIENCES:
        checked.error("audience", "Kies voor wie het stuk is: deelnemers of iedereen.")
    if data.release_at.strip():
        try:
            checked.release_at = parse_local_datetime(data.release_at)
        except ValueError:
            checked.error("release_at", "Vul een geldige datum en tijd in, bijvoorbeeld 1-12-2026 13:00.")
    else:
        checked.release_at = default_release_at(ds, now)
    return checked


def _check_file(upload: FileUpload | None, checked: _Checked) -> tuple[FileType | None, str]:
    if upload is None or (not upload.filename and not upload.content):
        checked.error("file", "Kies een bestand.")
        return None, ""
    if not upload.content:
        checked.error("file", "Het bestand is leeg.")
        return None, ""
    if len(upload.content) > MAX_DOCUMENT_BYTES:
        checked.error("file", f"Het bestand is te groot: hoogstens {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.")
        return None, ""
    kind = detect_type(upload.content)
    if kind is None:
        checked.error("file", "Dit bestandstype kan niet: alleen PDF, Word (DOCX), Excel (XLSX) of OpenDocument (ODT).")
        return None, ""
    filename = clean_filename(upload.filename)
    if PurePosixPath(filename.lower()).suffix != kind.extension:
        checked.error(
            "file",
            f"De bestandsnaam past niet bij de inhoud: dit is een {kind.label}-bestand, "
            f"de naam moet eindigen op {kind.extension}.",
        )
        return None, ""
    return kind, filename


def _snapshot(document: Document) -> dict[str, Any]:
    return {
        "title": document.title,
        "audience": document.audience,
        "release_at": document.release_at.isoformat() if document.release_at else None,
        "session_id": document.session_id,
        "filename": document.filename,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
    }


# --- admin: upload and change --------------------------------------------------------------------


def session_choices(session: Session) -> list[DialogueSession]:
    """Sessions a document can belong to, in their order."""
    return list(
        session.exec(
            select(DialogueSession).order_by(
                col(DialogueSession.dialogue_id), col(DialogueSession.number), col(DialogueSession.id)
            )
        ).all()
    )


def create_document(session: Session, data: DocumentInput, upload: FileUpload | None, *, actor: User) -> Document:
    """Check everything (all errors at once), then store the file and add the document."""
    now = clock.now()
    ds: DialogueSession | None = None
    session_error = ""
    if data.session_id.strip():
        raw = data.session_id.strip()
        ds = session.get(DialogueSession, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
        if ds is None:
            session_error = "Kies een sessie uit de lijst, of geen sessie."
    checked = _check_fields(data, ds, now)
    if session_error:
        checked.error("session_id", session_error)
    dialogue_id: int | None = ds.dialogue_id if ds else None
    if data.dialogue_id.strip() or ds is None:
        try:
            dialogue_id = dialogues.chosen(session, data.dialogue_id).id
        except AppError as exc:
            checked.error("dialogue_id", exc.errors[0]["message"] if exc.errors else exc.detail)
        if ds is not None and dialogue_id is not None and ds.dialogue_id != dialogue_id:
            checked.error("session_id", "Kies een sessie van het gekozen traject, of geen sessie.")
    kind, filename = _check_file(upload, checked)
    if checked.errors or kind is None or upload is None or checked.release_at is None or dialogue_id is None:
        errors = sorted(checked.errors, key=lambda e: FORM_ORDER.index(e["field"]))  # as the form shows them
        raise ValidationFailed(errors[0]["message"], errors=errors, user_message=True)
    stored = store_bytes(upload.content)  # content-addressed: a rolled-back upload leaves a harmless file
    document = Document(
        dialogue_id=dialogue_id,
        session_id=ds.id if ds else None,
        title=checked.title,
        filename=filename,
        content_type=kind.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_path=stored.path,
        audience=checked.audience,
        release_at=checked.release_at,
        uploaded_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(document)
    session.flush()
    record(
        session,
        action="document.created",
        entity_type=ENTITY,
        entity_id=document.id,
        actor=actor,
        summary=f"Stuk '{document.title}' geüpload ({filename}, {kind.label})",
        after=_snapshot(document),
    )
    events.document_release(session, document)  # issue 20: document.released at its moment
    return document


def is_released(document: Document, now: datetime | None = None, package: ReleasePackage | None = None) -> bool:
    """Whether the document is out: its own moment passed, or, in a release package, the package (``package``:
    the document's package; without it a package's document counts as not released) was released."""
    now = now or clock.now()
    if document.package_id is not None:
        return (
            package is not None
            and package.id == document.package_id
            and package.released_at is not None
            and package.released_at <= now
        )
    return document.release_at <= now


def released_clause(now: datetime) -> ColumnElement[bool]:
    """``is_released`` as SQL: its own moment passed, or its package was released by ``now``."""
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


def feed_moment(document: Document, now: datetime | None = None, package: ReleasePackage | None = None) -> datetime:
    """The ``updated_at`` readers see: the last change, or the release once it has happened (a document's release
    is its last visible change; before it, only reviewers see the document at all)."""
    if is_released(document, now, package) and document.release_at > document.updated_at:
        return document.release_at
    return document.updated_at


def feed_moment_clause(now: datetime) -> Any:
    """``feed_moment`` as SQL (a package's document gets its package's moment as ``release_at`` when released)."""
    moment = case(
        (and_(released_clause(now), col(Document.release_at) > col(Document.updated_at)), col(Document.release_at)),
        else_=col(Document.updated_at),
    )
    return type_coerce(moment, UTCDateTime())


def package_of(session: Session, document: Document) -> ReleasePackage | None:
    """The release package the document goes out with (None: on its own)."""
    return session.get(ReleasePackage, document.package_id) if document.package_id is not None else None


def packages_of(session: Session, documents: list[Document]) -> dict[int, ReleasePackage]:
    """The release packages of ``documents`` by id, in one query."""
    ids = {d.package_id for d in documents if d.package_id is not None}
    if not ids:
        return {}
    return {id_of(p): p for p in session.exec(select(ReleasePackage).where(col(ReleasePackage.id).in_(ids))).all()}


def update_document(session: Session, document: Document, data: DocumentInput, *, actor: User) -> Document:
    """Change title, audience and release moment: only before release, since afterwards participants rely on it."""
    now = clock.now()
    package = package_of(session, document)
    if is_released(document, now, package):
        raise Conflict(
            "Dit stuk is al vrijgegeven en ligt vast: het kan niet meer worden gewijzigd.", user_message=True
        )
    ds = session.get(DialogueSession, document.session_id) if document.session_id else None
    checked = _check_fields(data, ds, now)
    if package is not None and checked.release_at is not None and checked.release_at != document.release_at:
        checked.error(
            "release_at", f"Dit stuk gaat mee met het pakket '{package.title}': wijzig het moment van het pakket."
        )
    if checked.errors or checked.release_at is None:
        raise ValidationFailed(checked.errors[0]["message"], errors=checked.errors, user_message=True)
    before = _snapshot(document)
    document.title, document.audience, document.release_at = checked.title, checked.audience, checked.release_at
    after = _snapshot(document)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        document.updated_at = now
        session.add(document)
        record(
            session,
            action="document.updated",
            entity_type=ENTITY,
            entity_id=document.id,
            actor=actor,
            summary=f"Stuk '{document.title}' gewijzigd: {', '.join(sorted(changed))}",
            before={k: before[k] for k in changed},
            after=changed,
        )
        events.document_release(session, document)  # issue 20: a moved moment moves the event
    return document


def _valid_id(document_id: int) -> bool:
    """An id a database column can hold; anything else is simply not found (never an overflow)."""
    return 1 <= document_id <= MAX_ID


def get_document(session: Session, document_id: int) -> tuple[Document, DialogueSession | None]:
    """A document with its session, whatever its release (for admins)."""
    if not _valid_id(document_id):
        raise NotFound(f"Document {document_id} does not exist.")
    row = session.exec(
        select(Document, DialogueSession)
        .outerjoin(DialogueSession, col(DialogueSession.id) == Document.session_id)
        .where(Document.id == document_id)
    ).first()
    if row is None:
        raise NotFound(f"Document {document_id} does not exist.")
    return row[0], row[1]


@dataclass(frozen=True)
class AdminRow:
    document: Document
    dialogue_session: DialogueSession | None
    released: bool
    downloads: int


def admin_rows(session: Session) -> list[AdminRow]:
    """Every document with its session and download count: two queries, however many documents."""
    now = clock.now()
    rows = session.exec(
        select(Document, DialogueSession, ReleasePackage)
        .outerjoin(DialogueSession, col(DialogueSession.id) == Document.session_id)
        .outerjoin(ReleasePackage, col(ReleasePackage.id) == Document.package_id)
        .order_by(col(Document.release_at).desc(), col(Document.id).desc())
    ).all()
    counts = download_counts(session, [d.id for d, _, _ in rows if d.id is not None])
    return [
        AdminRow(document=d, dialogue_session=ds, released=is_released(d, now, p), downloads=counts.get(d.id or 0, 0))
        for d, ds, p in rows
    ]


def download_counts(session: Session, document_ids: list[int]) -> dict[int, int]:
    """Downloads per document, counted from the audit trail (the one record of who downloaded what)."""
    if not document_ids:
        return {}
    rows = session.exec(
        select(AuditEvent.entity_id, func.count())
        .where(
            AuditEvent.action == DOWNLOADED,
            AuditEvent.entity_type == ENTITY,
            col(AuditEvent.entity_id).in_([str(i) for i in document_ids]),
        )
        .group_by(AuditEvent.entity_id)
    ).all()
    return {int(entity_id): int(count) for entity_id, count in rows}


# --- who sees what -------------------------------------------------------------------------------


def can_see(
    principal: Principal, document: Document, now: datetime | None = None, package: ReleasePackage | None = None
) -> bool:
    """Reviewers (admins, municipalities) always; after release (``package``: the document's release package, if
    it is in one), the participants of its trajectory see participants' documents and everyone public ones."""
    principal = principal.in_dialogue(document.dialogue_id)
    if can(principal, Action.view_unreleased_documents):
        return True
    if not is_released(document, now, package):
        return False
    return document.audience == Audience.public or can(principal, Action.view_released_documents)


def _visible(principal: Principal, now: datetime) -> ColumnElement[bool]:
    """``can_see`` as SQL, for lists (across trajectories: participants' documents only of the trajectories a
    provider's user or consultation participant takes part in)."""
    if can(principal, Action.view_unreleased_documents):
        return true()
    released = released_clause(now)
    if can(principal, Action.view_released_documents):
        return and_(
            released, or_(col(Document.audience) == Audience.public, in_trajectories(principal, Document.dialogue_id))
        )
    return and_(released, col(Document.audience) == Audience.public)


def visible_document(session: Session, principal: Principal, document_id: int) -> Document:
    """The document if ``principal`` may see it now; otherwise it does not exist for them (404)."""
    document = session.get(Document, document_id) if _valid_id(document_id) else None
    if document is None or not can_see(principal, document, package=package_of(session, document)):
        raise NotFound(f"Document {document_id} does not exist.")
    return document


def list_documents(
    session: Session,
    principal: Principal,
    params: PageParams,
    *,
    session_id: int | None = None,
    audience: str | None = None,
    dialogue_id: int | None = None,
) -> tuple[list[Document], int]:
    """The documents ``principal`` may see now (of trajectory ``dialogue_id`` when given), by release moment then
    id."""
    stmt = visible_documents(principal, session_id=session_id, audience=audience, dialogue_id=dialogue_id)
    return paginate(session, stmt.order_by(col(Document.release_at), col(Document.id)), params)


def visible_documents(
    principal: Principal,
    *,
    session_id: int | None = None,
    audience: str | None = None,
    dialogue_id: int | None = None,
    now: datetime | None = None,
) -> Any:
    """The query (not yet ordered) of the documents ``principal`` may see now, filtered as asked."""
    stmt = select(Document).where(_visible(principal, now or clock.now()))
    if dialogue_id is not None:
        stmt = stmt.where(Document.dialogue_id == dialogue_id)
    if session_id is not None:
        stmt = stmt.where(Document.session_id == session_id)
    if audience:
        stmt = stmt.where(Document.audience == audience)
    return stmt


@dataclass(frozen=True)
class DocumentItem:
    document: Document
    released: bool


@dataclass
class DocumentGroup:
    dialogue_session: DialogueSession | None  # None: documents for the whole trajectory
    items: list[DocumentItem] = field(default_factory=list)
    dialogue_id: int = 0  # the trajectory the documents belong to


def documents_by_session(session: Session, principal: Principal, dialogue_id: int | None = None) -> list[DocumentGroup]:
    """What ``principal`` may see now (of trajectory ``dialogue_id``; None: of all), grouped by trajectory and
    session (general documents first), in one query."""
    now = clock.now()
    stmt = (
        select(Document, DialogueSession, ReleasePackage)
        .outerjoin(DialogueSession, col(DialogueSession.id) == Document.session_id)
        .outerjoin(ReleasePackage, col(ReleasePackage.id) == Document.package_id)
        .where(_visible(principal, now))
        .order_by(col(Document.release_at), col(Document.id))
    )
    if dialogue_id is not None:
        stmt = stmt.where(Document.dialogue_id == dialogue_id)
    groups: dict[tuple[int, int], DocumentGroup] = {}
    for document, ds, package in session.exec(stmt).all():
        key = (document.dialogue_id, (ds.id or 0) if ds else 0)
        group = groups.setdefault(key, DocumentGroup(dialogue_session=ds, dialogue_id=document.dialogue_id))
        group.items.append(DocumentItem(document=document, released=is_released(document, now, package)))
    return sorted(groups.values(), key=_group_order)


def _group_order(group: DocumentGroup) -> tuple[int, int, int, int]:
    """By trajectory (newest first); in each, general documents first, then sessions by number."""
    ds = group.dialogue_session
    return (-group.dialogue_id, 0, 0, 0) if ds is None else (-group.dialogue_id, 1, ds.number, ds.id or 0)


# --- downloads -----------------------------------------------------------------------------------


def file_path(document: Document) -> Path:
    """Where the stored file is; NotFound (and a log line from the caller) if it has gone missing."""
    path = open_path(document.storage_path)
    if not path.is_file():
        raise NotFound(f"The file of document {document.id} is missing.")
    return path


def record_download(session: Session, document: Document, *, actor: User | None, ip: str | None = None) -> None:
    """Who downloaded what: every download by a signed-in user (so every participants' document) is logged.

    Anonymous downloads of public documents are not: anyone could fill the append-only trail with them.
    """
    if actor is None:
        return
    record(
        session,
        action=DOWNLOADED,
        entity_type=ENTITY,
        entity_id=document.id,
        actor=actor,
        summary=f"Stuk '{document.title}' gedownload ({document.filename})",
        ip=ip,
    )


# --- release mail --------------------------------------------------------------------------------


def release_recipients(session: Session, dialogue_id: int) -> list[User]:
    """Active users of every provider that accepted the invitation to the trajectory, its approved consultation
    participants, and every active municipality user."""
    told = list(
        session.exec(
            select(User)
            .outerjoin(
                Invitation,
                and_(
                    col(Invitation.provider_id) == User.provider_id,
                    col(Invitation.dialogue_id) == dialogue_id,
                    col(Invitation.status) == InvitationStatus.accepted,
                ),
            )
            .where(
                col(User.active).is_(True),
                or_(
                    col(User.role).in_(ALWAYS_TOLD_OF_RELEASES),
                    and_(col(User.role) == INVITED_ROLE, col(Invitation.id).is_not(None)),
                ),
            )
            .order_by(col(User.email), col(User.id))
        ).all()
    )
    found = {u.id: u for u in told + approved_participants(session, dialogue_id)}
    return sorted(found.values(), key=lambda u: (u.email, u.id or 0))


def notify_released_so_far(session: Session, *, dialogue_id: int, provider: Provider, users: list[User]) -> int:
    """A provider that accepts the invitation later sees from then on every document released to participants so
    far; its users get one mail that lists them (none when nothing was released yet). Returns the mails queued."""
    now = clock.now()
    rows = session.exec(
        select(Document, DialogueSession.number)
        .outerjoin(DialogueSession, col(DialogueSession.id) == Document.session_id)
        .where(
            Document.dialogue_id == dialogue_id,
            Document.audience == Audience.participants,
            released_clause(now),
        )
        .order_by(col(Document.release_at), col(Document.id))
    ).all()
    if not rows:
        return 0
    documents = [
        {
            "title": document.title,
            "session_number": number,
            "released": format_datetime(document.release_at, "d MMMM y", tzinfo=TIMEZONE, locale="nl"),
        }
        for document, number in rows
    ]
    for user in users:
        queue_mail(
            session,
            to=user.email,
            template="documents_released_so_far",
            context={"user_name": user.name or user.email, "provider_name": provider.name, "documents": documents},
        )
    return len(users)


def notify_released_documents(session: Session, *, now: datetime | None = None) -> int:
    """Queue one mail per released, not yet announced document per recipient; returns the number of mails.
    Documents in a release package are not announced here: their package sends one mail for all it released.

    Each document is claimed with a conditional UPDATE (``notified_at IS NULL``) before its mail is queued, in
    the caller's transaction: a second run, or a second worker at the same time, finds nothing left to claim,
    so no one gets a release mail twice. The caller commits.
    """
    now = now or clock.now()
    due = session.exec(
        select(Document, DialogueSession)
        .outerjoin(DialogueSession, col(DialogueSession.id) == Document.session_id)
        .where(
            col(Document.release_at) <= now,
            col(Document.notified_at).is_(None),
            col(Document.package_id).is_(None),
            col(Document.audience).in_(AUDIENCES),
        )
        .order_by(col(Document.release_at), col(Document.id))
    ).all()
    recipients: dict[int, list[User]] = {}
    queued = 0
    for document, ds in due:
        claimed = session.exec(
            update(Document)
            .where(
                col(Document.id) == document.id, col(Document.notified_at).is_(None), col(Document.package_id).is_(None)
            )
            .values(notified_at=now)
        )
        if claimed.rowcount != 1:
            continue
        users = recipients.setdefault(document.dialogue_id, release_recipients(session, document.dialogue_id))
        context = {
            "title": document.title,
            "session_number": ds.number if ds else None,
            "session_title": ds.title if ds else "",
            "session_date": format_datetime(ds.starts_at, "EEEE d MMMM y", tzinfo=TIMEZONE, locale="nl") if ds else "",
            "public": document.audience == Audience.public,
        }
        for user in users:
            queue_mail(
                session,
                to=user.email,
                template="document_released",
                context={**context, "user_name": user.name or user.email},
            )
        queued += len(users)
        record(
            session,
            action="document.notified",
            entity_type=ENTITY,
            entity_id=document.id,
            summary=f"Bericht over vrijgave van '{document.title}' aan {len(users)} ontvangers in de wachtrij gezet",
            after={"recipients": len(users), "notified_at": now.isoformat()},
        )
        if document.audience == Audience.public:  # the public too: the trajectory's followers
            queued += notify_followers(session, document.dialogue_id, "document", document.title, "/documents")
    return queued
