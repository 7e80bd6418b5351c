"""Issue 21: any number of processes start at the same moment on one database (empty, migrated or older).

The migrations and the demo seeding run inside the start-up lock (app.migrate.startup_lock: a PostgreSQL advisory
lock, a file lock beside a SQLite database); the other processes wait, then find the schema at head and the demo
loaded. Three real ``dialoog serve --demo`` processes are started at once; all three must answer ``/readyz``, the
schema must be at head once, and exactly one of them must have loaded the demo.
The PostgreSQL cases are skipped when no PostgreSQL server can be reached (tests/platform/servers.py).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app import demo_content, migrate
from app.db import make_engine
from tests.conftest import free_port
from tests.platform.servers import (
    Server,
    fresh_postgres_database,
    start,
    wait_for_line,
    wait_until_ready,
)

LOADED = "Demodata geladen"
ALREADY_THERE = "De database bevat al gegevens"
PROCESSES = 3


def start_three_at_once(url: str, tmp_path: Path, started: list[Server]) -> list[Server]:
    """Three ``dialoog serve --demo`` on ``url`` at the same moment, each on its own port; waits until all three
    are ready and returns them."""
    env = {
        "DIALOOG_DATABASE_URL": url,
        "DIALOOG_DATA_DIR": str(tmp_path / "data"),
        "DIALOOG_ENV": "development",
    }
    for _ in range(PROCESSES):  # no waiting between them: all three reach the database at once
        port = free_port()
        started.append(start(["serve", "--demo", "--no-worker", "--port", str(port)], env, port))
    deadline = time.monotonic() + 180  # a safety net for a stuck start, not a measure
    for server in started:
        wait_until_ready(server, deadline)
    return started


def assert_started_once(url: str, servers: list[Server]) -> None:
    for server in servers:
        assert server.process.poll() is None, server.log
        assert "Traceback" not in server.log and " ERROR " not in server.log, server.log
    loaded = [server for server in servers if LOADED in server.log]
    assert len(loaded) == 1, "\n-----\n".join(server.log for server in servers)
    assert sum(ALREADY_THERE in server.log for server in servers) == PROCESSES - 1
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
            codes = conn.execute(text("SELECT code FROM municipalities")).scalars().all()
            dialogues = conn.execute(text("SELECT count(*) FROM dialogues")).scalar()
    finally:
        engine.dispose()
    assert set(versions) == migrate.head_revisions() and len(versions) == 1
    assert sorted(codes) == sorted(m["code"] for m in demo_content.MUNICIPALITIES)
    assert dialogues == 2  # the multi dialogue and the consultation on kortdurend verblijf, once each


def stopped_cleanly(servers: list[Server]) -> None:
    """Stopped with SIGTERM, each shuts down as usual (uvicorn ends with that signal or 0, never an error)."""
    for server in servers:
        server.process.terminate()
    for server in servers:
        assert server.process.wait(30) in (0, -signal.SIGTERM), server.log
        assert "Traceback" not in server.log, server.log


# --- PostgreSQL -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("before", ["empty", "migrated", "older"])
def test_three_processes_start_at_once_on_one_postgresql_database(
    before: str, tmp_path: Path, stop_afterwards: list[Server]
):
    url = fresh_postgres_database(f"concurrent_{before}")
    if before == "migrated":
        migrate.upgrade(url)
    elif before == "older":
        migrate.upgrade(url, "0013")
    servers = start_three_at_once(url, tmp_path, stop_afterwards)
    assert_started_once(url, servers)
    stopped_cleanly(servers)


def test_a_migration_waits_for_the_postgresql_lock_then_goes_on(tmp_path: Path, stop_afterwards: list[Server]):
    url = fresh_postgres_database("concurrent_wait")
    env = {"DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path)}
    with migrate.startup_lock(url):
        waiting = start(["migrate"], env)
        stop_afterwards.append(waiting)
        wait_for_line(waiting, "waiting for another process's migration", time.monotonic() + 120)
        assert waiting.process.poll() is None  # still waiting while this process holds the lock
    assert waiting.process.wait(120) == 0, waiting.log
    engine = make_engine(url)
    try:
        assert migrate.is_at_head(engine)
    finally:
        engine.dispose()


# --- SQLite ---------------------------------------------------------------------------------------------------


def test_three_processes_start_at_once_on_one_sqlite_file(tmp_path: Path, stop_afterwards: list[Server]):
    url = f"sqlite:///{tmp_path / 'data' / 'dialoog.db'}"
    servers = start_three_at_once(url, tmp_path, stop_afterwards)
    assert_started_once(url, servers)
    stopped_cleanly(servers)


def test_a_migration_waits_for_the_sqlite_lock_file_then_goes_on(tmp_path: Path, stop_afterwards: list[Server]):
    url = f"sqlite:///{tmp_path / 'dialoog.db'}"
    env = {"DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path)}
    with migrate.startup_lock(url):
        waiting = start(["migrate"], env)
        stop_afterwards.append(waiting)
        wait_for_line(waiting, "waiting for another process's migration", time.monotonic() + 120)
        assert waiting.process.poll() is None
    assert waiting.process.wait(120) == 0, waiting.log
    engine = make_engine(url)
    try:
        assert migrate.is_at_head(engine)
    finally:
        engine.dispose()


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'dialoog.db'}"
    with migrate.startup_lock(url):
        migrate.upgrade(url)  # takes the lock again: no wait on itself
    engine = make_engine(url)
    try:
        assert migrate.is_at_head(engine)
    finally:
        engine.dispose()
