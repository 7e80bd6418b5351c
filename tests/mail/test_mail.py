"""The mail outbox against a real SMTP server (aiosmtpd on 127.0.0.1) and the real database."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import migrate
from app.cli import SCHEDULED_TASKS
from app.config import Settings
from app.db import make_engine
from app.jobs import run_scheduled
from app.kit import clock
from app.mail.service import (
    MAX_ATTEMPTS,
    build_email,
    decode_attachments,
    queue_mail,
    run_worker,
    send_pending,
    start_background_worker,
)
from app.models import OutboxMessage, OutboxStatus, RateLimitHit
from tests.conftest import REJECTED, Collector, free_port, scratch_database_url

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:sessie-1@dialoog\r\n"
    "SUMMARY:Dialoogsessie 1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def invite_context(**overrides: Any) -> dict[str, Any]:
    return {
        "user_name": "Fatima el Amrani",
        "link": "http://127.0.0.1:8000/account/activeren/abc123",
        "expires_at_text": "maandag 9 maart 2026, 09:30",
        "role_text": "aanbieder",
        "organisation": "Rodante",
        **overrides,
    }


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    """Mail is queued at NOW, so the passes below can name their moment exactly."""
    clock.freeze(NOW)
    yield
    clock.reset()


@pytest.fixture
def outbox(db: Session) -> Session:
    """The test's session with an empty outbox, so a pass sees only this test's mail (rolled back after)."""
    db.exec(delete(OutboxMessage))
    return db


def test_queue_mail_renders_dutch_subject_text_and_html(outbox: Session) -> None:
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())
    outbox.flush()

    assert message.id is not None
    assert message.status == OutboxStatus.pending
    assert message.subject == "Uitnodiging voor Dialoog van Sociaal Domein Flevoland"
    assert message.body_text.startswith("Beste Fatima el Amrani,")
    assert "Onderwerp:" not in message.body_text
    assert "http://127.0.0.1:8000/account/activeren/abc123" in message.body_text
    assert "geldig tot maandag 9 maart 2026, 09:30" in message.body_text
    assert "aanbieder namens Rodante" in message.body_text
    assert message.body_text.rstrip().endswith("Sociaal Domein Flevoland")
    assert '<html lang="nl">' in message.body_html
    assert '<a href="http://127.0.0.1:8000/account/activeren/abc123">' in message.body_html
    assert "Sociaal Domein Flevoland</p>" in message.body_html


def test_password_reset_mail(outbox: Session) -> None:
    message = queue_mail(
        outbox, to="fatima@example.org", template="password_reset", context=invite_context(link="http://x/reset/1")
    )

    assert message.subject == "Nieuw wachtwoord instellen voor Dialoog"
    assert "http://x/reset/1" in message.body_text
    assert "niet zelf gevraagd" in message.body_text
    assert '<a href="http://x/reset/1">' in message.body_html


def test_queue_mail_escapes_html_but_not_plain_text(outbox: Session) -> None:
    context = invite_context(user_name='<script>alert("x")</script>', organisation="Zorg & Co")
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=context)

    assert "<script>" not in message.body_html
    assert "&lt;script&gt;" in message.body_html
    assert "Zorg &amp; Co" in message.body_html
    assert '<script>alert("x")</script>' in message.body_text
    assert "Zorg & Co" in message.body_text


def test_queue_mail_refuses_missing_context(outbox: Session) -> None:
    context = invite_context()
    del context["link"]
    with pytest.raises(UndefinedError):
        queue_mail(outbox, to="fatima@example.org", template="invite", context=context)


def test_attachments_are_stored_base64_and_decoded(outbox: Session) -> None:
    attachment = {"filename": "sessie.ics", "content_type": "text/calendar; method=REQUEST", "content": b"\x00\xff"}
    message = queue_mail(
        outbox, to="fatima@example.org", template="invite", context=invite_context(), attachments=[attachment]
    )
    outbox.flush()
    outbox.refresh(message)

    assert message.attachments[0]["content"] == "AP8="
    assert decode_attachments(message) == [attachment]


def test_send_pending_delivers_over_smtp(outbox: Session, smtp: tuple[Collector, int], smtp_settings: Settings) -> None:
    collector, _ = smtp
    attachment = {
        "filename": "sessie-1.ics",
        "content_type": "text/calendar; method=REQUEST",
        "content": ICS.encode(),
    }
    message = queue_mail(
        outbox, to="fatima@example.org", template="invite", context=invite_context(), attachments=[attachment]
    )

    report = send_pending(outbox, settings=smtp_settings, now=NOW, commit=False)

    assert (report.sent, report.logged, report.retried, report.failed) == (1, 0, 0, 0)
    assert message.status == OutboxStatus.sent
    assert message.sent_at == NOW
    assert collector.recipients == [["fatima@example.org"]]
    received = collector.messages[0]
    assert received["To"] == "fatima@example.org"
    assert received["From"] == smtp_settings.mail_from
    assert received["Subject"] == "Uitnodiging voor Dialoog van Sociaal Domein Flevoland"
    assert received["Message-ID"]
    assert received["Date"].datetime == NOW
    assert "Beste Fatima el Amrani," in received.get_body(("plain",)).get_content()
    assert '<a href="http://127.0.0.1:8000/account/activeren/abc123">' in received.get_body(("html",)).get_content()
    [ics] = list(received.iter_attachments())
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_param("method") == "REQUEST"
    assert ics.get_filename() == "sessie-1.ics"
    assert ics.get_payload(decode=True) == ICS.encode()


def test_one_refused_recipient_does_not_hold_up_the_others(
    outbox: Session, smtp: tuple[Collector, int], smtp_settings: Settings
) -> None:
    collector, _ = smtp
    refused = queue_mail(outbox, to=REJECTED, template="invite", context=invite_context())
    accepted = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())

    report = send_pending(outbox, settings=smtp_settings, now=NOW)  # commits each message (a savepoint here)

    assert (report.sent, report.retried) == (1, 1)
    assert accepted.status == OutboxStatus.sent
    assert refused.status == OutboxStatus.pending
    assert refused.last_error and "SMTPRecipientsRefused" in refused.last_error
    assert collector.recipients == [["fatima@example.org"]]


def test_without_smtp_host_mail_is_logged(
    outbox: Session, smtp: tuple[Collector, int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    collector, _ = smtp
    message = queue_mail(outbox, to="fatima@example.org", template="password_reset", context=invite_context())

    with caplog.at_level(logging.INFO, logger="dialoog.mail"):
        report = send_pending(outbox, settings=Settings(smtp_host="", data_dir=tmp_path), now=NOW, commit=False)

    assert (report.sent, report.logged) == (0, 1)
    assert message.status == OutboxStatus.logged
    assert message.sent_at == NOW
    assert "fatima@example.org" in caplog.text
    assert "Nieuw wachtwoord instellen voor Dialoog" in caplog.text
    assert collector.messages == []


def test_unreachable_server_retries_with_backoff_then_fails(outbox: Session, tmp_path: Path) -> None:
    settings = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), data_dir=tmp_path)
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())

    report = send_pending(outbox, settings=settings, now=NOW, commit=False)
    outbox.refresh(message)

    assert report.retried == 1
    assert message.status == OutboxStatus.pending
    assert message.attempts == 1
    assert message.next_attempt_at == NOW + timedelta(minutes=2)
    assert message.last_error and "ConnectionRefusedError" in message.last_error

    # Not due yet: the next pass leaves it alone.
    assert send_pending(outbox, settings=settings, now=NOW + timedelta(minutes=1), commit=False).total == 0

    for attempt in range(2, MAX_ATTEMPTS + 1):
        due = message.next_attempt_at
        send_pending(outbox, settings=settings, now=due, commit=False)
        if attempt < MAX_ATTEMPTS:
            assert message.next_attempt_at == due + min(timedelta(minutes=2**attempt), timedelta(hours=6))

    outbox.refresh(message)
    assert message.status == OutboxStatus.failed
    assert message.attempts == MAX_ATTEMPTS
    assert send_pending(outbox, settings=settings, now=NOW + timedelta(days=7), commit=False).total == 0


def test_message_due_later_is_not_sent_yet(
    outbox: Session, smtp: tuple[Collector, int], smtp_settings: Settings
) -> None:
    collector, _ = smtp
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())
    message.next_attempt_at = NOW + timedelta(hours=1)

    assert send_pending(outbox, settings=smtp_settings, now=NOW, commit=False).total == 0
    assert message.status == OutboxStatus.pending
    assert collector.messages == []

    assert send_pending(outbox, settings=smtp_settings, now=NOW + timedelta(hours=1), commit=False).sent == 1
    assert len(collector.messages) == 1


def test_message_id_is_stable_over_attempts_and_resends(outbox: Session, smtp_settings: Settings) -> None:
    """Derived from the row (id and creation time), not from the moment of sending: a re-send after a crash is
    recognisable as the same message, and two messages never share one."""
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())
    other = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())
    outbox.flush()
    first = build_email(message, smtp_settings, NOW)
    outbox.expire_all()  # as another worker would read it: from the database
    reread = outbox.get(OutboxMessage, message.id)
    assert reread is not None
    later = build_email(reread, smtp_settings, NOW + timedelta(days=2))

    assert first["Date"] != later["Date"]
    assert first["Message-ID"] == later["Message-ID"] == f"<outbox-{message.id}.{int(NOW.timestamp())}@example.org>"
    assert build_email(other, smtp_settings, NOW)["Message-ID"] != first["Message-ID"]


def test_claimed_message_waits_for_its_lease_then_goes_out(
    outbox: Session, smtp: tuple[Collector, int], smtp_settings: Settings
) -> None:
    """A row another worker claimed is left alone until its lease ends (that worker may be talking to SMTP); then
    it is taken over, as after a crash."""
    collector, _ = smtp
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())
    message.status, message.claimed_until = OutboxStatus.sending, NOW + timedelta(minutes=1)

    assert send_pending(outbox, settings=smtp_settings, now=NOW, commit=False).total == 0
    assert collector.messages == []

    report = send_pending(outbox, settings=smtp_settings, now=NOW + timedelta(minutes=1), commit=False)
    assert report.sent == 1
    assert (message.status, message.claimed_until) == (OutboxStatus.sent, None)
    assert len(collector.messages) == 1


def test_a_failed_attempt_returns_the_claim(outbox: Session, tmp_path: Path) -> None:
    """A failed attempt gives the row back as pending (with its backoff), no longer claimed."""
    settings = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), data_dir=tmp_path)
    message = queue_mail(outbox, to="fatima@example.org", template="invite", context=invite_context())

    assert send_pending(outbox, settings=settings, now=NOW, commit=False).retried == 1
    outbox.refresh(message)
    assert (message.status, message.claimed_until, message.attempts) == (OutboxStatus.pending, None, 1)


def test_scheduled_job_forgets_rate_limit_hits_older_than_a_day(db: Session) -> None:
    for age in (timedelta(days=3), timedelta(days=1), timedelta(hours=23), timedelta(0)):
        db.add(RateLimitHit(bucket="test:forget", key="client", at=NOW - age))
    db.commit()

    run_scheduled(db, SCHEDULED_TASKS)  # the worker runs this on every pass

    kept = db.exec(select(RateLimitHit.at).where(RateLimitHit.bucket == "test:forget").order_by(RateLimitHit.at))
    assert list(kept) == [NOW - timedelta(hours=23), NOW]


def test_scheduled_job_forgets_sign_in_attempts_older_than_the_failure_memory(db: Session) -> None:
    from app.accounts.service import FAILURE_MEMORY
    from app.jobs import LOGIN_ATTEMPTS_KEPT
    from app.models import LoginAttempt

    assert LOGIN_ATTEMPTS_KEPT == FAILURE_MEMORY  # kept exactly as long as they count
    for age in (timedelta(days=3), FAILURE_MEMORY, timedelta(hours=23), timedelta(0)):
        db.add(LoginAttempt(email="forget@example.org", ip="192.0.2.9", at=NOW - age))
    db.commit()

    run_scheduled(db, SCHEDULED_TASKS)

    kept = db.exec(select(LoginAttempt.at).where(LoginAttempt.email == "forget@example.org").order_by(LoginAttempt.at))
    assert list(kept) == [NOW - timedelta(hours=23), NOW]


@pytest.fixture
def scratch_engine(engine: Engine) -> Iterator[Engine]:
    """An empty migrated database of its own, for the worker that opens and commits its own sessions."""
    url = scratch_database_url("mail")
    migrate.upgrade(url)
    scratch = make_engine(url)
    yield scratch
    scratch.dispose()


def statuses(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_run_worker_once_sends_and_commits(
    scratch_engine: Engine, smtp: tuple[Collector, int], smtp_settings: Settings
) -> None:
    collector, _ = smtp
    with Session(scratch_engine) as session:
        queue_mail(session, to="fatima@example.org", template="invite", context=invite_context())
        queue_mail(session, to="jan@example.org", template="password_reset", context=invite_context())
        session.commit()

    run_worker(engine=scratch_engine, settings=smtp_settings, once=True)

    assert statuses(scratch_engine) == [OutboxStatus.sent, OutboxStatus.sent]
    assert collector.recipients == [["fatima@example.org"], ["jan@example.org"]]


def test_background_worker_logs_mail_without_smtp(scratch_engine: Engine) -> None:
    with Session(scratch_engine) as session:
        queue_mail(session, to="fatima@example.org", template="invite", context=invite_context())
        session.commit()

    stop = start_background_worker(scratch_engine)  # the test settings have no SMTP host
    try:
        deadline = time.monotonic() + 10
        while statuses(scratch_engine) != [OutboxStatus.logged] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    assert statuses(scratch_engine) == [OutboxStatus.logged]


def test_message_locked_by_another_worker_is_skipped(
    scratch_engine: Engine, smtp: tuple[Collector, int], smtp_settings: Settings
) -> None:
    if scratch_engine.dialect.name != "postgresql":
        pytest.skip("row locks (FOR UPDATE SKIP LOCKED) exist on PostgreSQL only")
    collector, _ = smtp
    with Session(scratch_engine) as session:
        queue_mail(session, to="fatima@example.org", template="invite", context=invite_context())
        session.commit()

    with Session(scratch_engine) as other_worker:
        other_worker.exec(select(OutboxMessage).with_for_update()).one()  # holds the row until closed
        with Session(scratch_engine) as session:
            assert send_pending(session, settings=smtp_settings).total == 0
    assert collector.messages == []

    with Session(scratch_engine) as session:
        assert send_pending(session, settings=smtp_settings).sent == 1
    assert len(collector.messages) == 1
