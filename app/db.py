"""The engine, SQLite pragmas, a UTC timestamp type and the per-request session."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings, normalise_database_url
from app.kit import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


def utcnow() -> datetime:
    """Now, from the app's clock (tests can set it)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp stored in UTC on every database.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is stored as naive UTC and
    handed back aware. Naive input is refused: it is always a bug somewhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


SQLITE_BUSY_TIMEOUT_MS = 30_000  # writers queue for the lock; a long queue is slow, not an error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling issues BEGIN late and breaks SAVEPOINTs; let SQLAlchemy do it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# SQLite has one writer at a time. A deferred transaction (plain BEGIN) reads in a snapshot and asks for the
# write lock at its first write; if another connection committed since that snapshot began, SQLite cannot
# hand it the lock without breaking the snapshot and fails at once with "database is locked"
# (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout: under concurrent writers an ordinary POST got a 500.
#
# So a request's transaction (the execution option below, set by get_session) takes the write lock at its
# first write (INSERT, UPDATE, DELETE, SAVEPOINT, DDL): as nothing is written yet, it ends its read snapshot
# and continues in BEGIN IMMEDIATE. What it reads from then on is current and no other writer can change it
# before the commit; what it read before is at least as fresh as under PostgreSQL's READ COMMITTED, the
# isolation the app runs with in production. Within the process, writers queue first come, first served at
# a gate (_WriteGate) in front of that lock; the busy timeout covers other processes (CLI, a second server).
#
# Not BEGIN IMMEDIATE at the start of every POST: a request runs its dependencies (load_user, api_principal,
# which read) and its endpoint in separate worker-thread hops, and waits for a free worker thread in between.
# A lock taken in a dependency would be held while waiting, and with every worker thread blocked on that lock
# nothing moves until the timeout (bench/load.py showed exactly that). Writes happen in the endpoint, and the
# commit (the session dependency's exit) does not wait for a worker thread. One hop remains: a sync endpoint
# with a response model (the JSON API) has its answer validated in a worker thread before the commit: with
# as many writers queued as the server has worker threads (anyio's default: 40) it cannot get one, and all
# of them wait until the timeout. The server needs more worker threads than requests in flight.
#
# The mail worker uses the option too (write_queue_engine). Without it (CLI, tests) a transaction is a plain
# deferred BEGIN.
SQLITE_LOCK_ON_WRITE = "dialoog_sqlite_lock_on_write"
_UPGRADE = "dialoog_sqlite_upgrade"  # in connection.info: the open transaction has not written yet
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT|CREATE|DROP|ALTER)\b", re.IGNORECASE)


class _WriteGate:
    """First come, first served in front of SQLite's write lock, one per engine. SQLite's busy handler polls
    with growing sleeps (up to 100 ms), so under many writers a newcomer mostly wins and an early waiter can
    starve past the busy timeout; here waiters queue and the lock is handed to the longest waiting one."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Event] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Event()
            self._waiters.append(turn)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ended
                return True
            self._waiters.remove(turn)
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().set()  # handed over: stays held
            else:
                self._held = False


_GATE = "dialoog_sqlite_gate"  # in connection.info: the gate this connection holds


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")
    connection.info[_UPGRADE] = bool(connection.get_execution_options().get(SQLITE_LOCK_ON_WRITE))


def _sqlite_events(engine: Engine) -> None:
    gate = _WriteGate()

    def write_lock(cursor: Any, statement: str, context: Any) -> None:
        """Before the first write of a lock-on-write transaction: end the read snapshot, take the write lock."""
        info = context.root_connection.info
        if not (info.get(_UPGRADE) and _WRITES.match(statement)):
            return
        if _GATE not in info:
            if not gate.acquire(SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise sqlite3.OperationalError("database is locked (waited for the write lock in this process)")
            info[_GATE] = gate
        cursor.execute("COMMIT")  # nothing written yet: this only ends the read snapshot
        cursor.execute("BEGIN IMMEDIATE")  # others (CLI, worker, other processes) may still hold it: busy timeout
        info[_UPGRADE] = False

    def on_execute(cursor: Any, statement: str, _parameters: Any, context: Any) -> None:
        write_lock(cursor, statement, context)

    def on_execute_no_params(cursor: Any, statement: str, context: Any) -> None:
        write_lock(cursor, statement, context)

    def transaction_ended(connection: Any, *_args: Any) -> None:
        held = connection.info.pop(_GATE, None)
        if held is not None:
            held.release()

    def returned(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        held = record.info.pop(_GATE, None) if record is not None else None
        if held is not None:  # a transaction that ended without commit() or rollback() (an error, a lost connection)
            held.release()

    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "do_execute", on_execute)
    event.listen(engine, "do_executemany", on_execute)
    event.listen(engine, "do_execute_no_params", on_execute_no_params)
    event.listen(engine, "commit", transaction_ended)
    event.listen(engine, "rollback", transaction_ended)
    event.listen(engine.pool, "checkin", returned)
    event.listen(engine.pool, "invalidate", returned)
    event.listen(engine.pool, "close", returned)


# Every request waiting for the write lock holds its pool connection meanwhile. With SQLAlchemy's default pool
# (5 + 10 connections) 50 concurrent writers left the rest waiting for a connection instead of queueing at the
# gate, and after the pool timeout (30 s) they failed with "QueuePool limit ... reached" (a 500). SQLite
# connections are only open files, so the pool has no limit: 10 are kept, more are opened when needed.
SQLITE_POOL_SIZE = 10


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=-1,
        )
        _sqlite_events(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def failure_cause(exc: BaseException) -> str:
    """One line for the log: for a database error the driver's message without the SQL, its parameters and
    PostgreSQL's context lines, else the exception."""
    origin = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first_line = next((line.strip() for line in str(origin).splitlines() if line.strip()), "")
    return f"{type(origin).__name__}: {first_line}" if first_line else type(origin).__name__


_engine: Engine | None = None
_engine_lock = threading.Lock()


def get_engine() -> Engine:
    """The process-wide engine, made once: ``dialoog serve`` starts the mail worker's thread while the app is
    created, and both must queue at the same engine's write gate on SQLite."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = make_engine(get_settings().database_url)
        return _engine


def set_engine(engine: Engine | None) -> None:
    """Replace the process-wide engine (tests, CLI with another URL)."""
    global _engine
    _engine = engine


def request_engine(request: Request) -> Engine:
    """The engine of the app serving this request (``create_app(engine=...)``), else the global one."""
    return getattr(request.app.state, "engine", None) or get_engine()


@lru_cache(maxsize=64)
def _lock_on_write(engine: Engine) -> Engine:
    return engine.execution_options(**{SQLITE_LOCK_ON_WRITE: True})


def write_queue_engine(engine: Engine) -> Engine:
    """``engine`` for sessions that write beside the requests (the requests' own, the in-process mail worker): on
    SQLite their transactions take the write lock at their first write and queue for it at this engine's gate
    (see SQLITE_LOCK_ON_WRITE); other databases need nothing of the kind."""
    return _lock_on_write(engine) if engine.dialect.name == "sqlite" else engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commits on success, rolls back on error. On SQLite its transaction takes the
    write lock at its first write (see SQLITE_LOCK_ON_WRITE)."""
    with Session(write_queue_engine(request_engine(request)), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


# scope="function": commit before the response is sent, so an acknowledged write is a stored one.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def commit_now(session: Session) -> None:
    """Commit the request's change before the response is rendered, instead of after the route.

    For a route that writes and then renders a large fragment (a thread after a comment): on SQLite the change
    holds the database's write lock until the commit, and rendering with it held keeps every other writer
    waiting (bench/load.py). The session dependency still commits (nothing left) or rolls back after the route.
    """
    session.commit()
