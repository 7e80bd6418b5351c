"""Woo archives asked for by SDFL: from the command line (``export_to_file``) or on a trajectory's administration
page (``request_archive``). A small trajectory is built at once, in the request; a larger one is queued and built
by the scheduler (``build_queued_archives``, one per pass), which writes its progress as it goes (each step
committed, so the page can show it). The ZIP goes into the data directory (app.kit.storage).

Exports are recorded in the audit trail as ``archive.exported`` with entity type ``archive``: events about the
archive are not the trajectory's own (app.archive.tables.audit_where), so exporting does not change the next
archive of the same data.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select, update

from app.archive.export import ArchiveResult, Progress, build_archive
from app.archive.tables import comments_of
from app.audit.service import record
from app.config import get_settings
from app.db import commit_now, rollback_now
from app.kit import clock
from app.kit.errors import Conflict, NotFound
from app.kit.i18n import gettext as _
from app.kit.storage import open_path, store_file
from app.models import (
    ArchiveExport,
    ArchiveStatus,
    Comment,
    Dialogue,
    Document,
    User,
    id_of,
    is_valid_id,
)
from app.policy import Action, Principal, authorize

logger = logging.getLogger("dialoog.archive")

ENTITY = "archive"
# Built at once in the request up to this size; larger trajectories are built by the scheduler.
SMALL_COMMENTS = 200  # the response reports' PDFs take most of the time: ~20 s per 1,000 comments (fpdf line breaking)
SMALL_DOCUMENT_BYTES = 20 * 1024 * 1024
# A build that started this long ago without finishing belongs to a process that stopped: it is built again.
STALE_BUILD = timedelta(hours=1)
RECENT = 5  # archives shown on the trajectory page


def _audit(db: Session, dialogue: Dialogue, result: ArchiveResult, personal_data: bool, actor: User | None) -> None:
    record(
        db,
        action="archive.exported",
        entity_type=ENTITY,
        entity_id=dialogue.id,
        actor=actor,
        summary=f"Woo-archief van {dialogue.title} gemaakt"
        + ("" if personal_data else " (zonder persoonsgegevens)")
        + f": {result.files} bestanden, {result.size} bytes",
        after={"sha256": result.sha256, "exported_at": result.exported_at.isoformat(), "personal_data": personal_data},
    )


def export_to_file(
    db: Session,
    dialogue: Dialogue,
    out: Path,
    *,
    personal_data: bool = True,
    at: datetime | None = None,
    actor: User | None = None,
) -> ArchiveResult:
    """The command line's export: the archive at ``out``, recorded in the audit trail (the caller commits)."""
    result = build_archive(db, dialogue, out, personal_data=personal_data, at=at)
    _audit(db, dialogue, result, personal_data, actor)
    return result


# --- on the administration page -------------------------------------------------------------------------------


def dialogue_for_archive(db: Session, principal: Principal, slug: str) -> Dialogue:
    """The trajectory whose archive an admin asks for: whoever may read the audit trail (which it holds)."""
    authorize(principal, Action.audit_log)
    dialogue = db.exec(select(Dialogue).where(Dialogue.slug == slug)).first() if len(slug) <= 100 else None
    if dialogue is None:
        raise NotFound(_("Dit traject bestaat niet."), user_message=True)
    return dialogue


def recent(db: Session, dialogue: Dialogue) -> list[ArchiveExport]:
    return list(
        db.exec(
            select(ArchiveExport)
            .where(ArchiveExport.dialogue_id == dialogue.id)
            .order_by(col(ArchiveExport.created_at).desc(), col(ArchiveExport.id).desc())
            .limit(RECENT)
        ).all()
    )


def is_small(db: Session, dialogue: Dialogue) -> bool:
    did = id_of(dialogue)
    comments = db.exec(select(func.count()).select_from(Comment).where(col(Comment.id).in_(comments_of(did)))).one()
    documents = db.exec(select(func.coalesce(func.sum(Document.size), 0)).where(Document.dialogue_id == did)).one()
    return comments <= SMALL_COMMENTS and documents <= SMALL_DOCUMENT_BYTES


def request_archive(
    db: Session, principal: Principal, dialogue: Dialogue, *, personal_data: bool, at_once: bool | None = None
) -> ArchiveExport:
    """Ask for the trajectory's archive: built now when the trajectory is small (``at_once`` None) or ``at_once``
    is True, else queued for the scheduler. Built now, the archive is made before anything is written, so the
    request does not hold SQLite's write lock while it reads."""
    authorize(principal, Action.audit_log)
    now = clock.now()
    job = ArchiveExport(
        dialogue_id=id_of(dialogue),
        requested_by_id=principal.user.id if principal.user else None,
        personal_data=personal_data,
        created_at=now,
    )
    if at_once if at_once is not None else is_small(db, dialogue):
        job.started_at = now
        try:
            _build(db, job, dialogue, principal.user, progress=lambda _p, _s: None)
        except OSError as exc:  # the data directory is full or not writable: the page says so
            logger.exception("archive of %s failed", dialogue.slug)
            job.status, job.error, job.finished_at = ArchiveStatus.failed, str(exc)[:2000], clock.now()
    db.add(job)
    db.flush()
    return job


def job_of(db: Session, principal: Principal, dialogue: Dialogue, job_id: int) -> ArchiveExport:
    authorize(principal, Action.audit_log)
    job = db.get(ArchiveExport, job_id) if is_valid_id(job_id) else None
    if job is None or job.dialogue_id != dialogue.id:
        raise NotFound(_("Dit archief bestaat niet."), user_message=True)
    return job


def archive_file(db: Session, principal: Principal, dialogue: Dialogue, job_id: int) -> tuple[Path, str]:
    """The finished archive's file and the name to download it as."""
    job = job_of(db, principal, dialogue, job_id)
    if job.status != ArchiveStatus.done or not job.storage_path:
        raise Conflict(_("Dit archief is nog niet klaar."), user_message=True)
    path = open_path(job.storage_path)
    if not path.is_file():
        raise NotFound(_("Het bestand van dit archief is er niet meer."), user_message=True)
    moment = f"{job.exported_at:%Y%m%d-%H%M%S}" if job.exported_at else str(job.id)
    suffix = "" if job.personal_data else "-zonder-persoonsgegevens"
    return path, f"woo-archief-{dialogue.slug}-{moment}{suffix}.zip"


def _build(db: Session, job: ArchiveExport, dialogue: Dialogue, actor: User | None, progress: Progress) -> None:
    """Build ``job``'s archive into the data directory and mark it done (or failed, with the reason)."""
    work = get_settings().data_dir / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="archive-", dir=work) as tmp:
        out = Path(tmp) / "archief.zip"
        result = build_archive(db, dialogue, out, personal_data=job.personal_data, progress=progress)
        stored = store_file(out)
    job.status = ArchiveStatus.done
    job.progress = 100
    job.step = "klaar"
    job.storage_path = stored.path
    job.size = stored.size
    job.sha256 = stored.sha256
    job.exported_at = result.exported_at
    job.finished_at = clock.now()
    db.add(job)
    db.flush()
    _audit(db, dialogue, result, job.personal_data, actor)


def build_queued_archives(session: Session) -> int:
    """The scheduler's task: build the oldest queued archive (one per pass), committing its progress as it goes.
    A build another process left half-way (started more than STALE_BUILD ago) is built again."""
    now = clock.now()
    waiting = or_(
        col(ArchiveExport.status) == ArchiveStatus.queued,
        and_(col(ArchiveExport.status) == ArchiveStatus.building, col(ArchiveExport.started_at) < now - STALE_BUILD),
    )
    job = session.exec(
        select(ArchiveExport).where(waiting).order_by(col(ArchiveExport.created_at), col(ArchiveExport.id)).limit(1)
    ).first()
    if job is None:
        return 0
    job_id, seen = id_of(job), job.status
    claimed = session.exec(
        update(ArchiveExport)
        .where(col(ArchiveExport.id) == job_id, col(ArchiveExport.status) == seen, waiting)
        .values(status=ArchiveStatus.building, started_at=now, progress=0, step="")
    )
    if claimed.rowcount != 1:  # another worker took it
        return 0
    commit_now(session)

    def progress(percent: int, step: str) -> None:
        session.exec(update(ArchiveExport).where(col(ArchiveExport.id) == job_id).values(progress=percent, step=step))
        commit_now(session)

    job = session.get(ArchiveExport, job_id)
    dialogue = session.get(Dialogue, job.dialogue_id) if job else None
    if job is None or dialogue is None:
        return 0
    actor = session.get(User, job.requested_by_id) if job.requested_by_id else None
    try:
        _build(session, job, dialogue, actor, progress)
    except Exception as exc:
        rollback_now(session)
        logger.exception("archive %s failed", job_id)
        session.exec(
            update(ArchiveExport)
            .where(col(ArchiveExport.id) == job_id)
            .values(status=ArchiveStatus.failed, error=str(exc)[:2000], finished_at=clock.now())
        )
    return 1
