"""The engine, SQLite pragmas, a UTC timestamp type and the per-request session."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections import deque
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import anyio
import anyio.to_thread
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


# The execution option that makes a transaction follow SQLiteWriteLock (set by write_queue_engine).
SQLITE_LOCK_ON_WRITE = "dialoog_sqlite_lock_on_write"


class SQLiteWriteLock:
    """The rule for SQLite's write lock, in one place: a transaction takes it at its first write, in turn.

    SQLite lets one connection write at a time. For sessions on ``write_queue_engine(engine)`` (every request, via
    ``get_session``, and the mail worker) a transaction goes like this:

    1. It starts as a plain ``BEGIN``: it reads from a snapshot and holds no lock.
    2. At its first write (a statement starting with one of ``WRITES``) it waits for its turn at this engine's
       gate (``_WriteGate``: first come, first served within the process), ends its read snapshot with
       ``COMMIT`` (nothing is written yet, so nothing is lost) and continues with ``BEGIN IMMEDIATE``, which takes
       the write lock (waiting up to the busy timeout for other processes: the CLI, a second server).
    3. When it ends (commit, rollback, or its connection going back to the pool after an error) the gate passes to
       the longest waiting writer.

    Other sessions (CLI, tests, migrations) keep SQLite's own behaviour: a plain deferred ``BEGIN``.

    Why at the first write: a deferred transaction that read in a snapshot and then writes fails at once with
    "database is locked" if another connection committed since its snapshot began (SQLITE_BUSY_SNAPSHOT), whatever
    the busy timeout; under concurrent writers an ordinary POST got a 500. After step 2 what it reads is current and
    no other writer can change it before the commit; what it read before is at least as fresh as under
    PostgreSQL's READ COMMITTED, the isolation the app runs with in production.

    Why not ``BEGIN IMMEDIATE`` at the start of every POST: a request runs its dependencies (``load_user``,
    ``api_principal``, which read) and its endpoint in separate worker-thread hops and waits for a free worker
    thread in between; a lock taken in a dependency would be held while waiting, and with every worker thread
    blocked on it nothing moves until the timeout (bench/load.py showed exactly that). Writes happen in the
    endpoint, and the commit (the session dependency's exit) does not wait for a worker thread. One hop remains: a
    sync endpoint with a response model (the JSON API) has its answer validated in a worker thread before the
    commit, so the server needs more worker threads than requests in flight (app.main.WORKER_THREADS).

    Why a gate of our own: SQLite's busy handler polls with growing sleeps (up to 100 ms), so under many writers a
    newcomer mostly wins and an early waiter can starve past the busy timeout.
    """

    # Statements that write (or may: a SAVEPOINT, DDL). Anything else is a read and leaves the transaction alone.
    WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|SAVEPOINT|CREATE|DROP|ALTER)\b", re.IGNORECASE)
    # Keys in a connection's ``info``: the open transaction is still to take the lock at its first write; the gate
    # this connection holds.
    _PENDING = "dialoog_sqlite_upgrade"
    _HOLDS = "dialoog_sqlite_gate"

    def __init__(self) -> None:
        self.gate = _WriteGate()

    def install(self, engine: Engine) -> None:
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "do_execute", self.before_execute)
        event.listen(engine, "do_executemany", self.before_execute)
        event.listen(engine, "do_execute_no_params", self.before_execute_no_params)
        event.listen(engine, "commit", self.transaction_ended)
        event.listen(engine, "rollback", self.transaction_ended)
        event.listen(engine.pool, "checkin", self.connection_returned)
        event.listen(engine.pool, "invalidate", self.connection_returned)
        event.listen(engine.pool, "close", self.connection_returned)

    def begin(self, connection: Any) -> None:
        """Step 1: a plain BEGIN; remember whether this transaction takes the lock at its first write."""
        connection.exec_driver_sql("BEGIN")
        connection.info[self._PENDING] = bool(connection.get_execution_options().get(SQLITE_LOCK_ON_WRITE))

    def take_at_first_write(self, cursor: Any, statement: str, context: Any) -> None:
        """Step 2, before the statement runs: if it is this transaction's first write, wait for the gate, end the
        read snapshot and take the write lock."""
        info = context.root_connection.info
        if not (info.get(self._PENDING) and self.WRITES.match(statement)):
            return
        if self._HOLDS not in info:
            if not self.gate.acquire(SQLITE_BUSY_TIMEOUT_MS / 1000):
                raise sqlite3.OperationalError("database is locked (waited for the write lock in this process)")
            info[self._HOLDS] = self.gate
        cursor.execute("COMMIT")  # nothing written yet: this only ends the read snapshot
        cursor.execute("BEGIN IMMEDIATE")  # others (CLI, worker, other processes) may still hold it: busy timeout
        info[self._PENDING] = False

    def before_execute(self, cursor: Any, statement: str, _parameters: Any, context: Any) -> None:
        self.take_at_first_write(cursor, statement, context)

    def before_execute_no_params(self, cursor: Any, statement: str, context: Any) -> None:
        self.take_at_first_write(cursor, statement, context)

    def transaction_ended(self, connection: Any, *_args: Any) -> None:
        """Step 3: commit or rollback passes the gate on."""
        held = connection.info.pop(self._HOLDS, None)
        if held is not None:
            held.release()

    def connection_returned(self, _dbapi_connection: Any, record: Any, *_args: Any) -> None:
        """Step 3 for a transaction that ended without commit() or rollback() (an error, a lost connection)."""
        held = record.info.pop(self._HOLDS, None) if record is not None else None
        if held is not None:
            held.release()


class _WriteGate:
    """First come, first served in front of SQLite's write lock, one per engine: waiters queue and the lock is
    handed to the longest waiting one."""

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
        event.listen(engine, "connect", _sqlite_pragmas)
        SQLiteWriteLock().install(engine)
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
    (``SQLiteWriteLock``); other databases need nothing of the kind."""
    return _lock_on_write(engine) if engine.dialect.name == "sqlite" else engine


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: commits on success, rolls back on error. On SQLite its transaction takes the
    write lock at its first write (``SQLiteWriteLock``).

    Async, and it hands work to a worker thread only when there is some: making a Session opens no connection,
    and a request that never used its session (the public on a page without data, the baseline) ends it on the
    event loop. A sync generator cost two thread-pool hops on every page (issue 21). The commit, rollback and
    close run with a limiter of their own, as FastAPI does for a sync dependency's exit: they must not wait for a
    free worker thread while holding SQLite's write lock (see SQLiteWriteLock)."""
    session = Session(write_queue_engine(request_engine(request)), expire_on_commit=False)
    try:
        yield session
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            await anyio.to_thread.run_sync(session.commit, limiter=anyio.CapacityLimiter(1))
    except BaseException:
        if session.in_transaction():
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.rollback, limiter=anyio.CapacityLimiter(1))
        raise
    finally:
        if session.in_transaction():
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close, limiter=anyio.CapacityLimiter(1))
        else:
            session.close()  # no connection: nothing to wait for


# scope="function": commit before the response is sent, so an acknowledged write is a stored one.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def commit_now(session: Session) -> None:
    """Commit the request's change before the response is rendered, instead of after the route.

    For a route that writes and then renders a large fragment (a thread after a comment): on SQLite the change
    holds the database's write lock until the commit, and rendering with it held keeps every other writer
    waiting (bench/load.py). The session dependency still commits (nothing left) or rolls back after the route.
    """
    session.commit()


def rollback_now(session: Session) -> None:
    """Undo the request's changes before the route answers with an error it renders itself (a form again with
    the errors next to its fields): what it reads for that page must not include the refused change. The session
    dependency then has nothing left to commit."""
    session.rollback()
