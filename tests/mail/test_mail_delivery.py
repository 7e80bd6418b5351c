"""Delivery of the outbox at most once per row, against a slow real SMTP server (aiosmtpd) and a real database:
concurrent workers beside writing requests, a worker killed in the middle of a send, a database that refuses the
record of a sent mail for a while, and what a failed pass leaves in the log."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import app.db
from app import migrate
from app.config import Settings
from app.db import make_engine, write_queue_engine
from app.mail.service import CLAIM_LEASE, queue_mail, run_worker
from app.models import AuditEvent, OutboxMessage, OutboxStatus, RateLimitHit
from tests.conftest import free_port, is_postgres, scratch_database_url

ROOT = Path(__file__).resolve().parents[2]
WORKER_PROCESS = Path(__file__).resolve().parent / "mail_worker_process.py"


class SlowServer:
    """An aiosmtpd handler that answers DATA only after a pause (``delays[n]`` for the n-th DATA, from 1, else
    ``delay``). It keeps what it received, at arrival: from then on the mail is the receiver's, even if the
    sender never hears the answer."""

    def __init__(self, delay: float, delays: dict[int, float] | None = None) -> None:
        self.delay = delay
        self.delays = delays or {}
        self.messages: list[EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
            number = len(self.messages)
            self.arrived.notify_all()
        await asyncio.sleep(self.delays.get(number, self.delay))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)

    def by_recipient(self) -> dict[str, list[str]]:
        """Recipient -> the Message-IDs it received, in order."""
        received: dict[str, list[str]] = {}
        for message in list(self.messages):
            received.setdefault(message["To"], []).append(message["Message-ID"])
        return received


def start_server(handler: SlowServer) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def database(engine: Engine) -> Iterator[tuple[str, Engine]]:
    """An empty database of this module's own, migrated to head (``engine``: the run's database is set up)."""
    url = scratch_database_url("maildelivery")
    migrate.upgrade(url)
    scratch = make_engine(url)
    yield url, scratch
    scratch.dispose()


def queue(engine: Engine, count: int) -> list[str]:
    """``count`` mails, one per recipient; their addresses."""
    addresses = [f"m{number:03d}@example.org" for number in range(count)]
    with Session(engine) as session:
        for address in addresses:
            context = {"user_name": address, "link": "x", "expires_at_text": "morgen"}
            queue_mail(session, to=address, template="password_reset", context=context)
        session.commit()
    return addresses


def statuses(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return dict(session.exec(select(OutboxMessage.to_address, OutboxMessage.status)).all())


def test_concurrent_workers_beside_writing_requests_send_each_mail_once(
    database: tuple[str, Engine], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Three workers and four request-like writers (comments, counted actions) on one engine: every mail exactly
    once, none left behind, no pass failing with "database is locked"."""
    _url, engine = database
    addresses = queue(engine, 100)
    server = SlowServer(delay=0.1)
    controller, port = start_server(server)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, data_dir=tmp_path)
    stop_writers, stop_workers = threading.Event(), threading.Event()
    writes: Counter[str] = Counter()
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        # As a request does: a session on the engine's write queue (db.get_session), one short transaction.
        while not stop_writers.is_set():
            try:
                with Session(write_queue_engine(engine)) as session:
                    session.add(AuditEvent(actor_label=name, action="comment.create", entity_type="comment"))
                    session.add(RateLimitHit(bucket="comment:user", key=name))
                    session.commit()
                writes[name] += 1
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=writer, args=(f"writer-{n}",)) for n in range(4)]
    threads += [
        threading.Thread(
            target=run_worker,
            kwargs={"engine": engine, "settings": settings, "interval": 0.05, "stop_event": stop_workers},
        )
        for _ in range(3)
    ]
    try:
        with caplog.at_level(logging.INFO, logger="dialoog"):
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 25
            while time.monotonic() < deadline and set(statuses(engine).values()) != {OutboxStatus.sent}:
                time.sleep(0.1)
    finally:
        stop_workers.set()
        stop_writers.set()
        for thread in threads:
            thread.join(timeout=30)
        controller.stop()

    assert errors == []
    assert min(writes.values()) > 0, writes  # the writers kept writing all along
    assert Counter(statuses(engine).values()) == {OutboxStatus.sent: 100}
    received = server.by_recipient()
    assert sorted(received) == addresses
    assert all(len(ids) == 1 for ids in received.values()), {to: ids for to, ids in received.items() if len(ids) > 1}
    assert len({ids[0] for ids in received.values()}) == 100
    assert "pass failed" not in caplog.text and "refused" not in caplog.text


def run_worker_process(url: str, port: int, data_dir: Path, *args: str, ahead: float = 0) -> subprocess.Popen:
    env = {
        **os.environ,
        "DIALOOG_DATABASE_URL": url,
        "DIALOOG_SMTP_HOST": "127.0.0.1",
        "DIALOOG_SMTP_PORT": str(port),
        "DIALOOG_DATA_DIR": str(data_dir),
        "DIALOOG_ENV": "development",
    }
    return subprocess.Popen(
        [sys.executable, str(WORKER_PROCESS), str(ahead), "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_worker_killed_while_sending_loses_nothing_and_resends_with_the_same_message_id(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    """``dialoog worker`` gets SIGKILL while the server holds the third mail's DATA: the claimed row waits out its
    lease (a worker at once does not send it again), then goes out again with the same Message-ID; no mail is
    lost."""
    url, engine = database
    addresses = queue(engine, 6)
    server = SlowServer(delay=0.05, delays={3: 3.0})
    controller, port = start_server(server)
    try:
        worker = run_worker_process(url, port, tmp_path, "--interval", "0.1")
        try:
            assert server.wait_for(3, timeout=20), "the worker process sent no third mail"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        killed = server.messages[2]["To"]
        after_kill = statuses(engine)
        assert after_kill[killed] == OutboxStatus.sending  # claimed before the send: no other worker takes it
        assert [after_kill[to] for to in addresses[:2]] == [OutboxStatus.sent] * 2

        # A worker within the lease (here in this process, on real time): everything else goes out, the claimed
        # row waits.
        settings = Settings(smtp_host="127.0.0.1", smtp_port=port, data_dir=tmp_path)
        run_worker(engine=engine, settings=settings, once=True)
        assert statuses(engine) == {to: OutboxStatus.sending if to == killed else OutboxStatus.sent for to in addresses}
        assert len(server.by_recipient()[killed]) == 1

        # The worker process restarted after the lease: the row that may or may not have arrived goes out again, as
        # the same message.
        later = run_worker_process(url, port, tmp_path, "--once", ahead=(CLAIM_LEASE.total_seconds() + 60))
        _out, log = later.communicate(timeout=30)
        assert later.returncode == 0, log
    finally:
        controller.stop()

    assert set(statuses(engine).values()) == {OutboxStatus.sent}
    received = server.by_recipient()
    assert sorted(received) == addresses  # nothing lost
    assert {to: len(ids) for to, ids in received.items()} == {to: 2 if to == killed else 1 for to in addresses}
    first, again = received[killed]
    assert first == again  # the re-send is recognisable as the same message
    assert len({ids[0] for ids in received.values()}) == len(addresses)


def hold_the_row(url: str, engine: Engine, message_id: int, seconds: float) -> None:
    """Keep the database from recording anything about the row for ``seconds``: SQLite's write lock from another
    connection, on PostgreSQL a lock on the row."""
    if is_postgres(url):
        with engine.connect() as conn:
            conn.execute(text("SELECT id FROM outbox_messages WHERE id = :id FOR UPDATE"), {"id": message_id}).one()
            time.sleep(seconds)
            conn.rollback()
        return
    conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        time.sleep(seconds)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def test_a_refused_record_is_retried_not_the_send(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The database refuses to record the sent mail for a second (lock timeout 0.3 s): the record is tried again
    until it succeeds; the mail goes out once and the log says so in one line, without a traceback."""
    url = scratch_database_url("maildelivery_mark")
    migrate.upgrade(url)
    if is_postgres(url):
        database_name = url.rsplit("/", 1)[1]
        with make_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"ALTER DATABASE \"{database_name}\" SET lock_timeout = '300ms'"))
    else:
        monkeypatch.setattr(app.db, "SQLITE_BUSY_TIMEOUT_MS", 300)
    scratch = make_engine(url)
    queue(scratch, 1)
    with Session(scratch) as session:
        message_id = session.exec(select(OutboxMessage.id)).one()
    server = SlowServer(delay=0.3)
    controller, port = start_server(server)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, data_dir=tmp_path)

    def block_when_data_arrives() -> None:
        if server.wait_for(1, timeout=10):
            hold_the_row(url, scratch, message_id, seconds=1.2)

    blocker = threading.Thread(target=block_when_data_arrives)
    blocker.start()
    try:
        with caplog.at_level(logging.INFO, logger="dialoog"):
            run_worker(engine=scratch, settings=settings, once=True)
    finally:
        blocker.join(timeout=10)
        controller.stop()
        scratch.dispose()

    assert statuses(make_engine(url)) == {"m000@example.org": OutboxStatus.sent}
    assert len(server.messages) == 1
    refused = [record for record in caplog.records if "refused to record" in record.getMessage()]
    assert len(refused) == 1 and refused[0].exc_info is None
    assert "pass failed" not in caplog.text


def test_a_failed_pass_is_one_line_with_its_cause(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    """A database without the outbox (an outage would do the same): each pass logs one line naming the cause,
    no traceback, and the worker goes on."""
    url = scratch_database_url("maildelivery_empty")  # not migrated
    empty = make_engine(url)
    try:
        with caplog.at_level(logging.INFO, logger="dialoog"):
            run_worker(engine=empty, once=True)
            run_worker(engine=empty, once=True)
    finally:
        empty.dispose()

    failed = [record for record in caplog.records if record.getMessage().startswith("mail worker pass failed")]
    assert len(failed) == 2
    assert all("outbox_messages" in record.getMessage() for record in failed)
    assert all("\n" not in record.getMessage() for record in caplog.records)
    assert [record for record in caplog.records if record.exc_info] == []
