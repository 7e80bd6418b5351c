"""Locks that hold across processes: the database is the coordinator.

Dialoog may run as several processes on one database (uvicorn workers, replicas behind a load balancer, the
command line beside them). Two kinds of work must then happen in one process at a time:

- the start-up work (migrations, demo seeding): ``app.migrate.startup_lock`` waits for the lock;
- the scheduler's pass (releases, notifications, digests, webhooks, housekeeping): ``app.jobs.run_scheduled``
  tries the lock and, when another process holds it, leaves the pass to that process.

On PostgreSQL a lock is a session-level advisory lock held on a connection of its own (it conflicts with nothing
but itself, and a process that dies releases it with its connection); on SQLite an exclusive ``flock`` on a file
beside the database (``<database>.<name>.lock``; the start-up lock keeps its old name ``<database>.lock``): the
database's own write lock cannot be held across other connections of the same process that need to write.
An in-memory database belongs to one process: every lock is granted.
"""

from __future__ import annotations

import fcntl
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# int.from_bytes(b"dialoog!") >> 1: ours, and unlikely to be another application's on a shared server. Other
# locks add a CRC of their name to it (still a signed 64-bit number), the same in every process and version.
BASE_KEY = 3617710697350673296
WAITING = "waiting for another process's %s (%s)"


def advisory_key(name: str) -> int:
    return BASE_KEY if name == "startup" else BASE_KEY + zlib.crc32(name.encode())


def lock_file(database: Path, name: str) -> Path:
    return Path(f"{database}.lock") if name == "startup" else Path(f"{database}.{name}.lock")


@contextmanager
def database_lock(url: str, name: str, *, wait: bool, waiting_for: str = "") -> Iterator[bool]:
    """Hold the lock ``name`` on the database at ``url`` for the ``with`` block. With ``wait`` the block starts
    once the lock is ours (logging that it waits); without, it starts at once and gets ``False`` when another
    process holds the lock (``True`` when it is ours). ``waiting_for``: what the log says it waits for."""
    what = waiting_for or f"{name} lock"
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with _advisory_lock(url, name, what, wait=wait) as mine:
            yield mine
    elif parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        with _file_lock(lock_file(Path(parsed.database), name), what, wait=wait) as mine:
            yield mine
    else:
        yield True


@contextmanager
def _advisory_lock(url: str, name: str, what: str, *, wait: bool) -> Iterator[bool]:
    key = advisory_key(name)
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            # Session-level: held until unlocked or the connection ends (a killed process releases it too).
            mine = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
            if not mine and wait:
                log.warning(WAITING, what, "PostgreSQL")
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                mine = True
            try:
                yield mine
            finally:
                if mine:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        engine.dispose()


@contextmanager
def _file_lock(path: Path, what: str, *, wait: bool) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:  # the file stays; only its lock comes and goes
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            mine = True
        except BlockingIOError:
            mine = False
            if wait:
                log.warning(WAITING, what, path)
                fcntl.flock(handle, fcntl.LOCK_EX)
                mine = True
        try:
            yield mine
        finally:
            if mine:
                fcntl.flock(handle, fcntl.LOCK_UN)
