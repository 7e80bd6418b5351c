"""Mail through an outbox: written with its cause, sent later by a worker.

``queue_mail`` only adds a row to the caller's session, so a mail exists exactly when the change that
causes it is committed (no invitation without its mail, no mail for a rolled-back change). The worker
(``run_worker``; ``dialoog serve`` starts one in-process, ``dialoog worker`` runs one on its own) sends pending
rows over SMTP and retries failures with exponential backoff. Delivery is at most once per row as far as SMTP
allows: a row is claimed (with a lease) before the mail goes out and marked right after, and every mail carries
a ``Message-ID`` derived from its row, so the one re-send a crash between the two can cause is recognisable as
the same message (``send_pending``). Without an SMTP host the mail is logged instead and stays readable in the
outbox, so a local install works without a mail server.

Mail is always Dutch: it is rendered with its own Jinja environment, independent of the locale of the
request that caused it.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.db import failure_cause, get_engine, write_queue_engine
from app.kit import clock
from app.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("dialoog.mail")

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
SUBJECT_PREFIX = "Onderwerp:"
# Headers the outbox sets itself: a caller's extra headers never replace them.
RESERVED_HEADERS = frozenset({"from", "to", "subject", "date", "message-id", "content-type", "mime-version"})
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)
SMTP_TIMEOUT = 30
BATCH_SIZE = 50
# A claimed message is left alone by other workers until its lease ends: long enough for a slow SMTP exchange
# (each step may take SMTP_TIMEOUT) and for recording its outcome; short enough that a worker killed mid-send
# delays the mail by minutes, not hours.
CLAIM_LEASE = timedelta(minutes=5)
CLAIM_TRIES = 10  # claims lost to other workers in a row before a pass gives up
# Recording a sent mail is retried this long (real seconds, pauses doubling up to the maximum) before the pass
# fails; less than the lease, so no other worker sends it again meanwhile.
MARK_RETRY_SECONDS = 120.0
MARK_RETRY_PAUSE = 0.05
MARK_RETRY_MAX_PAUSE = 2.0

# Autoescape only the HTML bodies: escaping the plain-text body would show "&amp;" to the reader.
# StrictUndefined: a missing context value is a bug in the caller, not an empty line in someone's mail.
mail_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
)


@dataclass
class SendReport:
    """What one ``send_pending`` pass did, for the worker's log and for tests."""

    sent: int = 0
    logged: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.logged + self.retried + self.failed


def _render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of ``mail/{template}``; the subject is the text's first line."""
    text = mail_env.get_template(f"mail/{template}.txt").render(context)
    first_line, _, rest = text.partition("\n")
    if not first_line.startswith(SUBJECT_PREFIX):
        raise ValueError(f"mail/{template}.txt must start with '{SUBJECT_PREFIX} <subject>'")
    # Collapse whitespace: a line break from a context value must never reach the Subject header.
    # Cut to the column's 300 characters: a long dialogue title must not make the cause's commit fail.
    subject = " ".join(first_line.removeprefix(SUBJECT_PREFIX).split())[:300]
    body_text = rest.lstrip("\n")
    body_html = mail_env.get_template(f"mail/{template}.html").render({**context, "subject": subject})
    return subject, body_text, body_html


def queue_mail(
    session: Session,
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    attachments: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Render a mail and add it to the outbox in the caller's transaction (the caller commits).

    ``attachments`` are ``{"filename", "content_type", "content": bytes}``; the bytes are stored
    base64-encoded because the column is JSON. ``headers``: extra headers (e.g. ``List-Unsubscribe``).
    """
    to = to.strip()
    if not to or any(char in to for char in "\r\n"):
        raise ValueError(f"invalid mail recipient: {to!r}")
    for name, value in (headers or {}).items():
        if not name or name.lower() in RESERVED_HEADERS or ":" in name or any(c in name + value for c in "\r\n"):
            raise ValueError(f"invalid mail header: {name!r}")
    subject, body_text, body_html = _render(template, {"base_url": get_settings().base_url, **context})
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        attachments=[
            {
                "filename": attachment["filename"],
                "content_type": attachment["content_type"],
                "content": base64.b64encode(attachment["content"]).decode("ascii"),
            }
            for attachment in attachments or []
        ],
        headers=dict(headers) if headers else None,
        status=OutboxStatus.pending,
        next_attempt_at=clock.now(),
    )
    session.add(message)
    return message


def decode_attachments(message: OutboxMessage) -> list[dict[str, Any]]:
    """The attachments of ``message`` with their content back as bytes."""
    return [{**attachment, "content": base64.b64decode(attachment["content"])} for attachment in message.attachments]


def build_email(message: OutboxMessage, settings: Settings, now: datetime) -> EmailMessage:
    """The MIME message: plain text with an HTML alternative, then the attachments."""
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    # Stable over retries and re-sends (from the row alone: id and creation time, never the moment of sending),
    # so a receiver can drop a duplicate if an earlier attempt did arrive.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "dialoog.invalid"
    email["Message-ID"] = f"<outbox-{message.id}.{int(message.created_at.timestamp())}@{domain}>"
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in decode_attachments(message):
        # Keep the content type's parameters: a calendar invitation needs "method=REQUEST" to be
        # offered as an invitation rather than as a file.
        content_type = default_policy.header_factory("Content-Type", attachment["content_type"])
        email.add_attachment(
            attachment["content"],
            maintype=content_type.maintype,
            subtype=content_type.subtype,
            filename=attachment["filename"],
            params=dict(content_type.params),
        )
    return email


def _deliver(email: EmailMessage, settings: Settings) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(email)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 2, 4, 8, ... minutes, at most six hours."""
    return min(timedelta(minutes=2**attempts), MAX_BACKOFF)


def _due(now: datetime) -> ColumnElement[bool]:
    """Rows a worker may claim at ``now``: pending and due, or claimed by a worker whose lease has run out."""
    status, claimed_until = col(OutboxMessage.status), col(OutboxMessage.claimed_until)
    return or_(
        and_(status == OutboxStatus.pending, col(OutboxMessage.next_attempt_at) <= now),
        and_(status == OutboxStatus.sending, or_(claimed_until.is_(None), claimed_until <= now)),
    )


def _end(session: Session, commit: bool) -> None:
    if commit:
        session.commit()
    else:
        session.flush()


@dataclass
class _Claim:
    message: OutboxMessage
    until: datetime  # the lease: until then no other worker takes the row
    email: EmailMessage | None  # None without an SMTP host
    error: Exception | None = None  # the message could not be built


def _claim(session: Session, settings: Settings, now: datetime, *, commit: bool) -> _Claim | None:
    """Claim the oldest due message in a transaction of its own: it moves to ``sending`` until ``now + CLAIM_LEASE``.

    The UPDATE is a compare-and-set (it repeats the due condition, and only its row count says whether the claim
    is ours), so two workers, in this process or another, never both claim a row; FOR UPDATE SKIP LOCKED on
    PostgreSQL only spares them waiting for each other. On SQLite a worker session queues for the write lock like
    a request (``db.write_queue_engine``); the UPDATE is its first write, so it sees the current row. The mail is
    built from what was read before the claim (a row's content never changes), outside the write lock.
    """
    until = now + CLAIM_LEASE
    for _ in range(CLAIM_TRIES):
        query = select(OutboxMessage.id).where(_due(now)).order_by(col(OutboxMessage.id)).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message_id = session.exec(query).first()
        if message_id is None:
            _end(session, commit)  # nothing due: end the read transaction too
            return None
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        assert message is not None
        email: EmailMessage | None = None
        error: Exception | None = None
        if settings.smtp_host:
            try:
                email = build_email(message, settings, now)
            except Exception as exc:  # a bug: it counts as a failed attempt of this message, reported below
                error = exc
        claimed = session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message_id, _due(now))
            .values(status=OutboxStatus.sending, claimed_until=until)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed == 1:
            _end(session, commit)
            set_committed_value(message, "status", OutboxStatus.sending)
            set_committed_value(message, "claimed_until", until)
            return _Claim(message, until, email, error)
        # Another worker claimed it between our read and our write: look again.
    _end(session, commit)
    return None


def _outcome(claim: _Claim, settings: Settings, now: datetime, report: SendReport) -> tuple[dict[str, Any], bool]:
    """Talk to SMTP (outside any transaction) and say what to store: the new values, and whether they are the
    delivery's outcome (stored whoever holds the row now) or a failed attempt (stored only while the claim is
    still ours: after our lease another worker may have taken over)."""
    message = claim.message
    if not settings.smtp_host:
        logger.info("mail not sent (no SMTP host configured) to %s: %s", message.to_address, message.subject)
        report.logged += 1
        return {"status": OutboxStatus.logged, "sent_at": now, "claimed_until": None}, True
    try:
        if claim.error is not None:
            raise claim.error
        assert claim.email is not None
        _deliver(claim.email, settings)
    except Exception as exc:
        # Any error counts as a failed attempt, so one bad message cannot block the queue behind it.
        if isinstance(exc, smtplib.SMTPException | OSError) or message.attempts:
            logger.warning("mail %s to %s not sent: %s", message.id, message.to_address, failure_cause(exc))
        else:  # unexpected: the traceback once, at the first attempt
            logger.exception("mail %s to %s could not be built or sent", message.id, message.to_address)
        attempts = message.attempts + 1
        values: dict[str, Any] = {
            "attempts": attempts,
            "last_error": f"{type(exc).__name__}: {exc}"[:500],
            "claimed_until": None,
        }
        if attempts >= MAX_ATTEMPTS:
            values["status"] = OutboxStatus.failed
            report.failed += 1
        else:
            values["status"], values["next_attempt_at"] = OutboxStatus.pending, now + backoff(attempts)
            report.retried += 1
        return values, False
    report.sent += 1
    return {"status": OutboxStatus.sent, "sent_at": now, "last_error": None, "claimed_until": None}, True


def _mark(session: Session, claim: _Claim, values: dict[str, Any], *, delivered: bool, commit: bool) -> None:
    """Store the outcome in a short transaction of its own. If the database refuses (locked, unreachable), the
    mark is tried again with a growing pause for up to ``MARK_RETRY_SECONDS``; the mail is never sent again for
    it. Only if the database stays away that long does the pass fail, and the row goes out again after its lease.
    """
    message = claim.message
    where = [col(OutboxMessage.id) == message.id]
    if delivered:  # it went out: true whoever holds the row now, unless it is already marked
        where.append(col(OutboxMessage.status).not_in([OutboxStatus.sent, OutboxStatus.logged]))
    else:  # a failed attempt counts only while the claim is ours
        where += [col(OutboxMessage.status) == OutboxStatus.sending, col(OutboxMessage.claimed_until) == claim.until]
    statement = update(OutboxMessage).where(*where).values(**values).execution_options(synchronize_session=False)
    deadline = time.monotonic() + MARK_RETRY_SECONDS
    pause = MARK_RETRY_PAUSE
    tries = 0
    while True:
        tries += 1
        try:
            stored = session.exec(statement).rowcount
            _end(session, commit)
            break
        except DBAPIError as exc:
            if not commit or not _database_unavailable(exc):
                raise
            session.rollback()
            if time.monotonic() + pause > deadline:
                raise
            if tries == 1:
                logger.warning(
                    "mail %s %s, but the database refused to record it (%s); trying again",
                    message.id,
                    "went out" if delivered else "was attempted",
                    failure_cause(exc),
                )
            time.sleep(pause)
            pause = min(pause * 2, MARK_RETRY_MAX_PAUSE)
    if tries > 1:
        logger.info("mail %s recorded after %d tries", message.id, tries)
    if stored:  # keep the caller's object in step without making it dirty
        for key, value in values.items():
            set_committed_value(message, key, value)


def _database_unavailable(exc: Exception) -> bool:
    """Locked, a lock timeout, a lost connection: worth waiting for (not a bug in the statement)."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def send_pending(
    session: Session,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
    commit: bool = True,
) -> SendReport:
    """Send (or, without SMTP, log) up to ``limit`` due messages, oldest first, each at most once.

    Per message: claim it (``_claim``: its own committed transaction, a lease of ``CLAIM_LEASE``), send it outside
    any transaction, then record the outcome (``_mark``: its own transaction, retried on its own). A worker killed
    between the SMTP answer and the mark leaves the row ``sending``; after the lease it is sent again, with the
    same ``Message-ID``, so the receiver can recognise it. That one duplicate is as far as SMTP allows: the mail
    cannot be sent and marked in one step.

    ``commit=False`` flushes instead of committing (tests stay inside their rolled-back transaction).
    """
    settings = settings or get_settings()
    now = now or clock.now()
    report = SendReport()
    for _ in range(limit):
        claim = _claim(session, settings, now, commit=commit)
        if claim is None:
            break
        values, delivered = _outcome(claim, settings, now, report)
        _mark(session, claim, values, delivered=delivered, commit=commit)
    return report


def run_worker(
    *,
    engine: Engine | None = None,
    settings: Settings | None = None,
    interval: float = 5.0,
    stop_event: threading.Event | None = None,
    once: bool = False,
    before_send: Callable[[Session], object] | None = None,
) -> None:
    """Send due mail every ``interval`` seconds until ``stop_event`` is set (or one pass with ``once``).

    ``before_send`` (the scheduled jobs, handed over by ``app.cli``) runs at the start of every pass in the pass's
    session, so the mail it queues goes out in the same pass.

    On SQLite the worker's transactions take the write lock at their first write and queue for it first come,
    first served with the requests of this process (``db.write_queue_engine``), instead of failing with
    "database is locked". A pass that fails anyway (database away, a bug) is logged as one line with its cause
    (an unexpected error with its traceback, once while it repeats) and the loop goes on: the worker must outlive
    any single bad message or outage. A full batch is followed by the next pass at once.
    """
    stop = stop_event or threading.Event()
    bind = write_queue_engine(engine or get_engine())
    last_failure: str | None = None
    while not stop.is_set():
        report = SendReport()
        try:
            with Session(bind, expire_on_commit=False) as session:
                if before_send is not None:
                    before_send(session)
                report = send_pending(session, settings=settings)
            last_failure = None
        except Exception as exc:
            cause = failure_cause(exc)
            if isinstance(exc, DBAPIError | PoolTimeout | smtplib.SMTPException | OSError) or cause == last_failure:
                logger.error("mail worker pass failed: %s", cause)
            else:
                logger.exception("mail worker pass failed: %s", cause)
            last_failure = cause
        if report.total:
            logger.info("mail worker: %s", report)
        if once:
            return
        if report.total < BATCH_SIZE:
            stop.wait(interval)


def start_background_worker(
    engine: Engine | None = None,
    *,
    before_send: Callable[[Session], object] | None = None,
    interval: float = 5.0,
) -> threading.Event:
    """Run the worker in a daemon thread (``dialoog serve``); set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        kwargs={"engine": engine, "stop_event": stop, "before_send": before_send, "interval": interval},
        name="dialoog-mail-worker",
        daemon=True,
    )
    thread.start()
    return stop
