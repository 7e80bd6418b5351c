"""Apply and inspect Alembic migrations from the app (``dialoog serve``, ``/readyz``), and the start-up lock.

Any number of processes may start at the same moment on one database (replicas behind a load balancer, uvicorn
workers, ``dialoog migrate`` beside a running deploy). Whatever changes the database at start-up (the migrations,
the demo data) runs inside ``startup_lock``: one process at a time, the others wait and then find the work done.
``app.locks`` holds it: on PostgreSQL an advisory lock on a connection of its own (alembic's connection runs its
DDL beside it), on SQLite an ``flock`` on ``<database>.lock``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from app import locks
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
        with locks.database_lock(url, "startup", wait=True, waiting_for="migration"):
            _depth = 1
            try:
                yield
            finally:
                _depth = 0


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def is_at_head(engine: Engine) -> bool:
    return current_revisions(engine) == head_revisions()
