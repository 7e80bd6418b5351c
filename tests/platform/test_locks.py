"""Locks across processes (app.locks): the start-up lock waits, the scheduler's lock is tried; the database
coordinates (a PostgreSQL advisory lock, an flock beside a SQLite file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from app import jobs, locks
from app.db import make_engine
from tests.platform.servers import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dialoog.db'}"
    return fresh_postgres_database("locks")


def test_a_lock_held_elsewhere_is_refused_to_a_try_and_granted_once_released(url: str):
    with locks.database_lock(url, "scheduler", wait=False) as first:
        assert first is True
        with locks.database_lock(url, "scheduler", wait=False) as second:
            assert second is False  # another connection (or open file) holds it: the try does not wait
        with locks.database_lock(url, "other", wait=False) as other:
            assert other is True  # locks of other names are other locks
    with locks.database_lock(url, "scheduler", wait=False) as again:
        assert again is True


def test_the_scheduler_runs_no_task_while_another_process_runs_them(url: str):
    ran: list[str] = []

    def task(_session: Session) -> int:
        ran.append("task")
        return 1

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            with locks.database_lock(url, "scheduler", wait=False) as held:
                assert held
                assert jobs.run_scheduled(session, [task]) == 0
            assert ran == []
            assert jobs.run_scheduled(session, [task]) == 1
        assert ran == ["task"]
    finally:
        engine.dispose()


def test_an_in_memory_database_is_one_process_s_own():
    with (
        locks.database_lock("sqlite://", "scheduler", wait=False) as first,
        locks.database_lock("sqlite://", "scheduler", wait=False) as second,
    ):
        assert first and second
