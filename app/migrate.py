"""Apply and inspect Alembic migrations from the app (``dialoog serve``, ``/readyz``), and the start-up lock.

Any number of processes may start at the same moment on one database (replicas behind a load balancer, uvicorn
workers, ``dialoog migrate`` beside a running deploy). Whatever changes the database at start-up (the migrations,
the demo data) runs inside ``startup_lock``: one process at a time, the others wait and then find the work done.
On PostgreSQL that is a session-level advisory lock held on a connection of its own (alembic's connection runs
its DDL beside it: an advisory lock conflicts with nothing but itself); on SQLite an exclusive ``flock`` on a file
beside the database (``<database>.lock``): the database's own write lock cannot be held across alembic's
connection, which needs it to write.
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from app.config import get_settings, normalise_database_url

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str | None = None) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["configure_logger"] = False
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Bring the database to ``revision``, inside the start-up lock (so several processes may call it at once)."""
    with startup_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


log = logging.getLogger(__name__)

# The advisory lock's key: any fixed 64-bit number, the same in every process of every version of Dialoog.
# (int.from_bytes(b"dialoog!") >> 1: ours, and unlikely to be another application's on a shared server.)
STARTUP_LOCK_KEY = 3617710697350673296
WAITING = "waiting for another process's migration (start-up lock on %s)"

# Held by this process: the lock is re-entrant within it (``dialoog serve`` holds it around the upgrade and the
# demo seeding, and the upgrade takes it again), and threads of one process take turns on this RLock first.
_held = threading.RLock()
_depth = 0


@contextmanager
def startup_lock(database_url: str | None = None) -> Iterator[None]:
    """Hold the database's start-up lock: one process at a time migrates and seeds, the others wait here."""
    global _depth
    url = normalise_database_url(database_url or get_settings().database_url)
    with _held:
        if _depth:
            _depth += 1
            try:
                yield
            finally:
                _depth -= 1
            return
        with _database_lock(url):
            _depth = 1
            try:
                yield
            finally:
                _depth = 0


@contextmanager
def _database_lock(url: str) -> Iterator[None]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with _advisory_lock(url):
            yield
    elif parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        with _file_lock(Path(parsed.database)):
            yield
    else:
        yield  # an in-memory database belongs to one process


@contextmanager
def _advisory_lock(url: str) -> Iterator[None]:
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            # Session-level: held until unlocked or the connection ends (a killed process releases it too).
            if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY}).scalar():
                log.warning(WAITING, "PostgreSQL")
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
    finally:
        engine.dispose()


@contextmanager
def _file_lock(database: Path) -> Iterator[None]:
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{database}.lock", "a") as handle:  # the file stays; only its lock comes and goes
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning(WAITING, f"{database}.lock")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def is_at_head(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()
