"""The Woo archive of one trajectory: everything about a procurement dialogue in one ZIP, for a request under the
Wet open overheid (issue 19).

The ZIP holds ``manifest.json`` (every other file with its SHA-256 and size, the export time, the software version,
the tender reference), the data as JSON and CSV per entity (``gegevens/``; what SDFL and the municipalities keep
among themselves in ``intern/``), the documents as uploaded (``documenten/``), every session report, response
report and nota as PDF (``pdf/``, made by the same functions as the pages' PDFs) and ``LEESMIJ.txt``.

Deterministic: the same data gives the same bytes. The entries are written in sorted order, each with the same
date (the export time), permissions 0644 and zlib's default deflate level; JSON has sorted keys, rows come in key
order. The export time is not the wall clock: by default it is the moment of the newest change in the trajectory
(its newest audit event, comment, edit, version, decision ..., or the newest scheduled release moment that has
passed: from then on participants see more), so two exports of unchanged data agree to the byte, and an export
says "this is the state as of that moment". ``at`` sets it explicitly (e.g. the date of the request). The PDFs
carry the export time as their creation date (``app.kit.pdf.fixed_documents``) and are made in Dutch, whoever asks.

Memory stays bounded: every entity is one streaming query (rows fetched in blocks, written to a temporary file at
once), documents are copied in blocks, and the ZIP is assembled from the temporary files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from app.archive import tables
from app.archive.privacy import Privacy
from app.archive.tables import ENTITIES, NEVER, Entity
from app.kit import clock, i18n
from app.kit.pdf import fixed_documents
from app.kit.storage import open_path
from app.meetings.service import report_pdf as session_report_pdf
from app.models import (
    AgendaItemComment,
    Approval,
    AuditEvent,
    Comment,
    CommentRevision,
    Dialogue,
    DialogueSession,
    Document,
    InternalNote,
    Invitation,
    Milestone,
    Nota,
    Participation,
    Position,
    Proposal,
    ProposalVersion,
    Question,
    ReleasePackage,
    Role,
    SignoffOverride,
    User,
    VersionStatus,
    id_of,
)
from app.policy import Principal
from app.questions.notas import nota_items, nota_pdf
from app.review.report import report_pdf, response_report

FORMAT = "dialoog-woo-archief/1"
MANIFEST = "manifest.json"
README = "LEESMIJ.txt"
EPOCH = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest moment a ZIP entry can carry
ROWS_PER_FETCH = 1000
BLOCK = 1 << 20
FILE_MODE = 0o100644  # a regular file, rw-r--r--

# The response reports are made as SDFL sees them (released answers only): by a principal of SDFL's role that is
# no stored user (the archive is the same whoever asks for it).
ARCHIVIST = Principal(user=User(email="woo-archief", name="Woo-archief", role=Role.admin))

# Columns of a row that name a person, and the column with that person's name (or pseudonym) added beside them.
NAME_COLUMNS = {"author_id": "author_name", "edited_by_id": "edited_by_name", "asker_id": "asker_name"}

Progress = Callable[[int, str], None]


def _no_progress(_percent: int, _step: str) -> None:
    return None


@dataclass(frozen=True)
class Member:
    """A file of the archive: where its bytes are now, and what the manifest says of them."""

    path: str
    source: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class ArchiveResult:
    path: Path
    exported_at: datetime
    files: int  # members, the manifest and LEESMIJ.txt included
    size: int  # of the ZIP
    sha256: str  # of the ZIP
    counts: dict[str, int] = field(default_factory=dict)  # rows per data file


def software_version() -> str:
    try:
        return package_version("dialoog")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout that is not installed
        return "onbekend"


# --- the export time ----------------------------------------------------------------------------------------------


def _change_columns(did: int) -> list[tuple[Any, Any]]:
    """(column, condition) of every moment something of the trajectory changed."""
    comments = col(Comment.section_id).in_(tables.sections_of(did))
    return [
        (Dialogue.updated_at, col(Dialogue.id) == did),
        (Dialogue.created_at, col(Dialogue.id) == did),
        (AuditEvent.at, tables.audit_where(did, internal=None)),
        (Comment.created_at, comments),
        (Comment.edited_at, comments),
        (Comment.deleted_at, comments),
        (CommentRevision.created_at, col(CommentRevision.comment_id).in_(tables.comments_of(did))),
        (InternalNote.created_at, col(InternalNote.comment_id).in_(tables.comments_of(did))),
        (Position.updated_at, col(Position.comment_id).in_(tables.comments_of(did))),
        (Question.updated_at, col(Question.dialogue_id) == did),
        (Nota.updated_at, col(Nota.dialogue_id) == did),
        (ReleasePackage.updated_at, col(ReleasePackage.dialogue_id) == did),
        (DialogueSession.updated_at, col(DialogueSession.dialogue_id) == did),
        (Document.created_at, col(Document.dialogue_id) == did),
        (Invitation.invited_at, col(Invitation.dialogue_id) == did),
        (Invitation.responded_at, col(Invitation.dialogue_id) == did),
        (Participation.updated_at, col(Participation.dialogue_id) == did),
        (Milestone.created_at, col(Milestone.dialogue_id) == did),
        (Proposal.updated_at, col(Proposal.dialogue_id) == did),
        (ProposalVersion.created_at, col(ProposalVersion.proposal_id).in_(tables.proposals_of(did))),
        (Approval.created_at, tables.signoff_subjects(Approval, did)),
        (SignoffOverride.created_at, tables.signoff_subjects(SignoffOverride, did)),
    ]


def _passed_moments(did: int, now: datetime) -> list[tuple[Any, Any]]:
    """(column, condition) of the scheduled moments that have passed: what participants see changed then (an
    answer released, a version published), so the archive of after such a moment is another archive."""
    comments = col(Comment.section_id).in_(tables.sections_of(did))
    moments: list[tuple[Any, Any]] = [
        (Comment.release_at, comments),
        (Comment.status_release_at, comments),
        (AgendaItemComment.released_at, col(AgendaItemComment.agenda_item_id).in_(tables.agenda_of(did))),
        (Nota.released_at, col(Nota.dialogue_id) == did),
        (ReleasePackage.released_at, col(ReleasePackage.dialogue_id) == did),
        (ProposalVersion.published_at, col(ProposalVersion.proposal_id).in_(tables.proposals_of(did))),
        (DialogueSession.report_published_at, col(DialogueSession.dialogue_id) == did),
        (Document.release_at, col(Document.dialogue_id) == did),
        (Milestone.met_at, col(Milestone.dialogue_id) == did),
    ]
    return [(column, and_(where, col(column) <= now)) for column, where in moments]


def newest_change(db: Session, dialogue: Dialogue) -> datetime:
    """The moment of the newest change in the trajectory: the newest row written or changed, or the newest
    scheduled moment that has passed (not before 1980: a ZIP cannot say so). What the archive shows as released
    is then exactly what was released at that moment."""
    did = id_of(dialogue)
    changes = _change_columns(did) + _passed_moments(did, clock.now())
    moments = [db.exec(select(func.max(column)).where(where)).one() for column, where in changes]
    return max([EPOCH, *(m.astimezone(UTC) for m in moments if m is not None)])


# --- rows as JSON and CSV -----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _cell(value: Any) -> str:
    """A CSV cell: empty for nothing, true/false, JSON for structures; text that a spreadsheet would run as a
    formula gets a leading apostrophe (as the review export does). The JSON file holds the exact values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
    return str(value)


class _Writer:
    """Writes an entity's rows to ``<name>.json`` and ``<name>.csv`` in the work directory as they come."""

    def __init__(self, work: Path, path: str) -> None:
        self.json_path = work / f"{path}.json"
        self.csv_path = work / f"{path}.csv"
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        self._json: IO[str] = self.json_path.open("w", encoding="utf-8", newline="\n")
        self._csv_file: IO[str] = self.csv_path.open("w", encoding="utf-8", newline="")
        self._csv_file.write("\ufeff")  # the BOM makes spreadsheets read UTF-8
        self._csv = csv.writer(self._csv_file, delimiter=";", lineterminator="\r\n")
        self.columns: list[str] | None = None
        self.count = 0

    def header(self, columns: list[str]) -> None:
        self.columns = columns
        self._csv.writerow(columns)
        self._json.write("[")

    def row(self, row: dict[str, Any]) -> None:
        self._json.write(",\n  " if self.count else "\n  ")
        self._json.write(json.dumps(row, ensure_ascii=False, sort_keys=True))
        self._csv.writerow([_cell(row.get(c)) for c in self.columns or []])
        self.count += 1

    def close(self) -> None:
        self._json.write("\n]\n" if self.count else "]\n")
        self._json.close()
        self._csv_file.close()


def _stream(db: Session, entity: Entity, did: int) -> Iterator[dict[str, Any]]:
    table = entity.table
    never = NEVER.get(table.name, frozenset())
    columns = [c for c in table.columns if c.name not in never]
    stmt = (
        select(*columns)
        .where(entity.where(did))
        .order_by(*(table.c[name] for name in entity.order))
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    for row in db.connection().execute(stmt):
        yield {key: _plain(value) for key, value in row._mapping.items()}


# --- documents and PDFs -------------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def document_path(document_id: int, filename: str) -> str:
    safe = _UNSAFE.sub("-", filename).strip("-.") or "bestand"
    return f"documenten/{document_id}-{safe[:120]}"


def _hash_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


# --- the archive --------------------------------------------------------------------------------------------------


class _Build:
    def __init__(
        self, db: Session, dialogue: Dialogue, work: Path, privacy: Privacy, names: dict[int, str], progress: Progress
    ) -> None:
        self.db = db
        self.names = names
        self.dialogue = dialogue
        self.did = id_of(dialogue)
        self.work = work
        self.privacy = privacy
        self.progress = progress
        self.members: dict[str, Member] = {}
        self.counts: dict[str, int] = {}
        self.document_paths: dict[int, str] = {}
        self.missing_documents: list[int] = []

    def add_file(self, path: str, source: Path) -> None:
        sha, size = _hash_file(source)
        self.members[path] = Member(path, source, sha, size)

    def add_bytes(self, path: str, content: bytes) -> None:
        target = self.work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self.members[path] = Member(path, target, hashlib.sha256(content).hexdigest(), len(content))

    # documents first: the data of the documents says where each one is in the archive
    def documents(self) -> None:
        rows = self.db.connection().execute(
            select(Document.id, Document.filename, Document.storage_path)
            .where(Document.dialogue_id == self.did)
            .order_by(col(Document.id))
        )
        for document_id, filename, storage_path in rows.all():
            source = open_path(storage_path)
            if not source.is_file():
                self.missing_documents.append(document_id)
                continue
            path = document_path(document_id, filename)
            self.document_paths[document_id] = path
            self.add_file(path, source)

    def entity(self, entity: Entity) -> None:
        writer = _Writer(self.work, entity.path)
        table = entity.table.name
        try:
            for raw in _stream(self.db, entity, self.did):
                row = self.privacy.row(table, raw)
                for id_column, name_column in NAME_COLUMNS.items():
                    if id_column in raw:
                        person = raw[id_column]
                        row[name_column] = (
                            "" if person is None else self.privacy.name_of(person, self.names.get(person, ""))
                        )
                if table == "documents":
                    row["archive_path"] = self.document_paths.get(raw["id"], "")
                if writer.columns is None:
                    writer.header(list(row))
                writer.row(row)
            if writer.columns is None:
                writer.header(self._columns(entity))
        finally:
            writer.close()
        self.counts[entity.path] = writer.count
        self.add_file(f"{entity.path}.json", writer.json_path)
        self.add_file(f"{entity.path}.csv", writer.csv_path)

    def _columns(self, entity: Entity) -> list[str]:
        """The header of an empty file: the columns a row would have."""
        never = NEVER.get(entity.table.name, frozenset())
        empty = {c.name: None for c in entity.table.columns if c.name not in never}
        row = self.privacy.row(entity.table.name, {**empty, "id": 0})
        names = [NAME_COLUMNS[c] for c in empty if c in NAME_COLUMNS]
        extra = ["archive_path"] if entity.table.name == "documents" else []
        return [*row, *names, *extra]

    def pdfs(self, exported_at: datetime) -> None:
        db, dialogue = self.db, self.dialogue
        meetings = db.exec(
            select(DialogueSession)
            .where(DialogueSession.dialogue_id == self.did, DialogueSession.report != "")
            .order_by(col(DialogueSession.number))
        ).all()
        for meeting in meetings:
            draft = "" if meeting.report_published_at else "-concept"
            self.add_bytes(
                f"pdf/verslagen/sessie-{meeting.number:02d}{draft}.pdf", session_report_pdf(meeting, dialogue)
            )
        versions = db.exec(
            select(Proposal.id, Proposal.slug, ProposalVersion.number)
            .join(ProposalVersion, col(ProposalVersion.proposal_id) == Proposal.id)
            .where(Proposal.dialogue_id == self.did, ProposalVersion.status == VersionStatus.published)
            .order_by(col(Proposal.id), col(ProposalVersion.number))
        ).all()
        for proposal_id, slug, number in versions:
            report = response_report(db, ARCHIVIST, proposal_id or 0, number, anonymous=not self.privacy.keep)
            report = replace(report, generated_at=exported_at)
            self.add_bytes(f"pdf/reactierapporten/{slug}-v{number}.pdf", report_pdf(report, dialogue.tender_reference))
        notas = db.exec(select(Nota).where(Nota.dialogue_id == self.did).order_by(col(Nota.number))).all()
        for nota in notas:
            corrects = db.get(Nota, nota.corrects_id) if nota.corrects_id else None
            draft = "" if nota.released_at else "-concept"
            self.add_bytes(
                f"pdf/notas/nota-{nota.number:02d}{draft}.pdf",
                nota_pdf(dialogue, nota, nota_items(db, nota), corrects),
            )


def _people(db: Session, did: int) -> list[tuple[int, str, str]]:
    rows = db.connection().execute(
        select(User.id, User.name, User.role).where(col(User.id).in_(tables.people_of(did))).order_by(col(User.id))
    )
    return [(int(i), name or "", role) for i, name, role in rows.all()]


def _applicants(db: Session, did: int) -> list[tuple[int, str]]:
    rows = db.connection().execute(
        select(Participation.id, Participation.name).where(
            Participation.dialogue_id == did, col(Participation.user_id).is_(None)
        )
    )
    return [(int(i), name or "") for i, name in rows.all()]


def manifest(
    dialogue: Dialogue, exported_at: datetime, basis: str, personal_data: bool, members: list[Member]
) -> bytes:
    content = {
        "format": FORMAT,
        "software": {"name": "dialoog", "version": software_version()},
        "exported_at": exported_at.astimezone(UTC).isoformat(),
        "exported_at_basis": basis,
        "trajectory": {"id": dialogue.id, "slug": dialogue.slug, "title": dialogue.title},
        "tender_reference": dialogue.tender_reference,
        "personal_data": personal_data,
        "files": [{"path": m.path, "sha256": m.sha256, "size": m.size} for m in members],
    }
    return (json.dumps(content, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode("utf-8")


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    t = moment.astimezone(UTC)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second - t.second % 2)


def _write_zip(out: Path, members: list[Member], moment: datetime) -> None:
    date_time = _zip_time(moment)
    with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.path, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = FILE_MODE << 16
            info.file_size = member.size
            with member.source.open("rb") as src, archive.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, BLOCK)


def build_archive(
    db: Session,
    dialogue: Dialogue,
    out: Path,
    *,
    personal_data: bool = True,
    at: datetime | None = None,
    progress: Progress = _no_progress,
) -> ArchiveResult:
    """Write the Woo archive of ``dialogue`` to ``out``. ``at`` is the export time (default: the newest change,
    see the module's docstring); ``personal_data`` False leaves personal data out (app.archive.privacy)."""
    locale = i18n.get_locale()
    i18n.set_locale(i18n.DEFAULT_LOCALE)  # the PDFs' dates in Dutch, whoever asks
    try:
        return _build_archive(db, dialogue, out, personal_data=personal_data, at=at, progress=progress)
    finally:
        i18n.set_locale(locale)


def _build_archive(
    db: Session, dialogue: Dialogue, out: Path, *, personal_data: bool, at: datetime | None, progress: Progress
) -> ArchiveResult:
    did = id_of(dialogue)
    exported_at = (at or newest_change(db, dialogue)).astimezone(UTC)
    exported_at = max(exported_at, EPOCH)
    basis = "given" if at else "newest_change"
    people = _people(db, did)
    privacy = Privacy(personal_data, people, _applicants(db, did))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="woo-archief-", dir=out.parent) as tmp:
        names = {user_id: name for user_id, name, _role in people}
        build = _Build(db, dialogue, Path(tmp), privacy, names, progress)
        progress(2, "documenten")
        build.documents()
        for i, entity in enumerate(ENTITIES):
            progress(5 + 60 * i // len(ENTITIES), entity.name)
            build.entity(entity)
        progress(65, "pdf")
        with fixed_documents(exported_at, None if personal_data else privacy.text):
            build.pdfs(exported_at)
        progress(80, "leesmij")
        build.add_bytes(README, readme(dialogue, exported_at, personal_data, build.counts, build.missing_documents))
        members = sorted(build.members.values(), key=lambda m: m.path)
        build.add_bytes(MANIFEST, manifest(dialogue, exported_at, basis, personal_data, members))
        progress(85, "zip")
        ordered = sorted(build.members.values(), key=lambda m: m.path)
        partial = out.with_name(out.name + ".part")
        _write_zip(partial, ordered, exported_at)
        partial.replace(out)
    sha, size = _hash_file(out)
    progress(100, "klaar")
    return ArchiveResult(
        path=out, exported_at=exported_at, files=len(ordered), size=size, sha256=sha, counts=dict(build.counts)
    )


# --- LEESMIJ.txt --------------------------------------------------------------------------------------------------


def readme(
    dialogue: Dialogue, exported_at: datetime, personal_data: bool, counts: dict[str, int], missing: list[int]
) -> bytes:
    out = io.StringIO()
    w = out.write
    w(f'Woo-archief van het traject "{dialogue.title}"\n')
    w("=" * 72 + "\n\n")
    w(f"Kenmerk TenderNed: {dialogue.tender_reference or '(geen)'}\n")
    w(f"Stand van de gegevens (exporttijd, UTC): {exported_at.astimezone(UTC).isoformat()}\n")
    w(f"Gemaakt met Dialoog {software_version()} (formaat {FORMAT}).\n\n")
    w(
        "Dit archief bevat alles wat Dialoog over dit traject bewaart: elke versie van de voorstellen, elke reactie\n"
        "met haar volledige bewerkingsgeschiedenis, de officiële antwoorden en besluiten van SDFL met het moment\n"
        "waarop ze zijn vrijgegeven, de vragen en nota's van inlichtingen, de sessies met agenda, aanwezigheid en\n"
        "verslag, de stukken, de akkoorden van gemeenten en de audittrail.\n\n"
    )
    if not personal_data:
        w(
            "ZONDER PERSOONSGEGEVENS: e-mailadressen zijn weggelaten of vervangen door [e-mailadres]; namen van\n"
            'personen zijn vervangen door een vast pseudoniem per persoon ("Deelnemer 7", "Medewerker SDFL 3",\n'
            '"Medewerker gemeente 12": het getal is het id van de gebruiker, dus een gesprek blijft te volgen).\n'
            "Namen die deelnemers zelf in hun tekst schreven, zijn vervangen als ze gelijk zijn aan de naam van een\n"
            "persoon in dit archief. De stukken in documenten/ staan erin zoals ze zijn geüpload: controleer ze\n"
            "voor openbaarmaking.\n\n"
        )
    w("Indeling\n--------\n")
    w("manifest.json      elk bestand met zijn SHA-256 en grootte, de exporttijd, de softwareversie en het\n")
    w("                   kenmerk; controleer het archief met: dialoog verify-archive <bestand>.zip\n")
    w("LEESMIJ.txt        deze uitleg\n")
    w("gegevens/          de gegevens per onderdeel, als JSON (exacte waarden) en als CSV (puntkomma,\n")
    w("                   UTF-8; tekst die met = + - of @ begint, krijgt in de CSV een ' ervoor)\n")
    w("intern/            INTERN: wat SDFL en de gemeenten onder elkaar houden (interne notities,\n")
    w("                   standpunten van gemeenten en de audittrail daarvan); nooit aan deelnemers getoond\n")
    w("documenten/        de stukken zelf, als <id>-<bestandsnaam> (zie gegevens/documenten.json)\n")
    w('pdf/verslagen/     de verslagen van de sessies ("-concept": nog niet gepubliceerd)\n')
    w("pdf/reactierapporten/  per gepubliceerde versie van een voorstel: de reacties met de vrijgegeven\n")
    w("                   antwoorden van SDFL\n")
    w('pdf/notas/         de nota\'s van inlichtingen ("-concept": nog niet vrijgegeven)\n\n')
    w("Gegevens (aantal rijen)\n-----------------------\n")
    for entity in ENTITIES:
        w(f"{entity.path + '.json/.csv':<42} {counts.get(entity.path, 0):>7}  {entity.description}\n")
    w(
        "\nKolommen heten zoals in de database van Dialoog (Engels). Tijden zijn ISO 8601 in UTC. Een *_id verwijst\n"
        "naar de rij met dat id in het bestand van dat onderdeel (author_id, user_id, actor_id: personen.json).\n"
        "Reacties: parent_id is de reactie waarop geantwoord wordt; official=true is een officieel antwoord van\n"
        "SDFL, zichtbaar voor deelnemers vanaf release_at; status is het besluit van SDFL, published_status wat\n"
        "deelnemers zagen tot status_release_at; deleted_at: ingetrokken. De tekst vóór elke wijziging staat in\n"
        "reactie_wijzigingen.\n"
    )
    if missing:
        w("\nNiet gevonden in de opslag (document-id's): " + ", ".join(str(i) for i in missing) + "\n")
    return out.getvalue().encode("utf-8")
