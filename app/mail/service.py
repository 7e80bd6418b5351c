"""Mail through an outbox: written with its cause, sent later by a worker.

``queue_mail`` only adds a row to the caller's session, so a mail exists exactly when the change that
causes it is committed (no invitation without its mail, no mail for a rolled-back change). The worker
(``run_worker``; ``dialoog serve`` starts one in-process) sends pending rows over SMTP and retries
failures with exponential backoff. Without an SMTP host the mail is logged instead and stays readable
in the outbox, so a local install works without a mail server.

Mail is always Dutch: it is rendered with its own Jinja environment, independent of the locale of the
request that caused it.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import clock
from app.config import Settings, get_settings
from app.db import get_engine
from app.models import OutboxMessage, OutboxStatus

logger = logging.getLogger("dialoog.mail")

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
SUBJECT_PREFIX = "Onderwerp:"
MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=6)
SMTP_TIMEOUT = 30
BATCH_SIZE = 50

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
) -> OutboxMessage:
    """Render a mail and add it to the outbox in the caller's transaction (the caller commits).

    ``attachments`` are ``{"filename", "content_type", "content": bytes}``; the bytes are stored
    base64-encoded because the column is JSON.
    """
    to = to.strip()
    if not to or any(char in to for char in "\r\n"):
        raise ValueError(f"invalid mail recipient: {to!r}")
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
    # Stable over retries, so a receiver can drop a duplicate if an earlier attempt did arrive.
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "dialoog.invalid"
    email["Message-ID"] = f"<outbox-{message.id}.{int(message.created_at.timestamp())}@{domain}>"
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


def _next_due(session: Session, now: datetime) -> OutboxMessage | None:
    """The oldest message due for sending, locked on PostgreSQL so no other worker sends it too.

    One row at a time (not the whole batch): committing after each message releases its lock, and
    the rows of a batch selected earlier would then be free for a second worker while still queued here.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.exec(query).first()


def _send_one(message: OutboxMessage, settings: Settings, now: datetime, report: SendReport) -> None:
    if not settings.smtp_host:
        logger.info("mail not sent (no SMTP host configured) to %s: %s", message.to_address, message.subject)
        message.status, message.sent_at = OutboxStatus.logged, now
        report.logged += 1
        return
    try:
        _deliver(build_email(message, settings, now), settings)
    except Exception as exc:
        # Any error counts as a failed attempt, so one bad message cannot block the queue behind it.
        if isinstance(exc, smtplib.SMTPException | OSError):
            logger.warning("mail %s to %s not sent: %s", message.id, message.to_address, exc)
        else:
            logger.exception("mail %s to %s could not be built or sent", message.id, message.to_address)
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.failed
            report.failed += 1
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            report.retried += 1
        return
    message.status, message.sent_at, message.last_error = OutboxStatus.sent, now, None
    report.sent += 1


def send_pending(
    session: Session,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
    commit: bool = True,
) -> SendReport:
    """Send (or, without SMTP, log) up to ``limit`` due messages, oldest first.

    With ``commit`` each message's new state is committed right after it is handled, so a sent message
    stays marked sent whatever happens to the next one. ``commit=False`` leaves the transaction to the
    caller (tests stay inside their rolled-back transaction).
    """
    settings = settings or get_settings()
    now = now or clock.now()
    report = SendReport()
    for _ in range(limit):
        message = _next_due(session, now)
        if message is None:
            break
        _send_one(message, settings, now, report)
        if commit:
            session.commit()
        else:
            session.flush()
    return report


def run_worker(
    *,
    engine: Engine | None = None,
    settings: Settings | None = None,
    interval: float = 5.0,
    stop_event: threading.Event | None = None,
    once: bool = False,
) -> None:
    """Send due mail every ``interval`` seconds until ``stop_event`` is set (or one pass with ``once``).

    A pass that fails (database away, a bug) is logged and the loop goes on: the worker must outlive
    any single bad message or outage. A full batch is followed by the next pass at once.
    """
    stop = stop_event or threading.Event()
    while not stop.is_set():
        report = SendReport()
        try:
            with Session(engine or get_engine(), expire_on_commit=False) as session:
                from app.jobs import run_scheduled  # late: jobs import the domains, which import this module

                run_scheduled(session)
                report = send_pending(session, settings=settings)
        except Exception:
            logger.exception("mail worker pass failed")
        if report.total:
            logger.info("mail worker: %s", report)
        if once:
            return
        if report.total < BATCH_SIZE:
            stop.wait(interval)


def start_background_worker(engine: Engine | None = None) -> threading.Event:
    """Run the worker in a daemon thread (``dialoog serve``); set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, kwargs={"engine": engine, "stop_event": stop}, name="dialoog-mail-worker", daemon=True
    )
    thread.start()
    return stop
