"""The scheduler: work that happens at a moment rather than on a request.

It knows no domain. A task is a function of a database session that returns how much it did; the top of the app
(``app.cli``) composes the list (the documents' release notifications, the housekeeping below) and hands it to
the mail worker, which runs it at the start of every pass, before it sends, so what a task queues goes out in the
same pass. ``run_scheduled`` runs each task in a transaction of its own.

Every ``dialoog serve`` (each replica, each uvicorn worker's parent) runs the mail worker and with it this pass.
The pass holds the database's ``scheduler`` lock (``app.locks``: a PostgreSQL advisory lock, an ``flock`` beside a
SQLite file): one process at a time runs the tasks, and a process that finds the lock taken leaves this pass to
the one holding it. A task sees what the previous pass committed (its next transaction starts after the lock is
taken), so a release, mail, digest or webhook that one process did is not done again by another.

The housekeeping tasks live here: they only forget old rows of tables that would otherwise grow without end,
and read nothing but ``app.models``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, delete

from app import locks
from app.db import failure_cause
from app.kit import clock
from app.models import LoginAttempt, RateLimitHit

logger = logging.getLogger("dialoog.jobs")

Task = Callable[[Session], int]

# No limit counts over a window longer than a day (app/ratelimit.py): older hits count for nothing.
RATE_LIMIT_HITS_KEPT = timedelta(days=1)
# Sign-in failures count for 24 hours (app.accounts.service.FAILURE_MEMORY; tests/mail/test_mail.py holds them equal).
LOGIN_ATTEMPTS_KEPT = timedelta(hours=24)


def forget_old_rate_limit_hits(session: Session) -> int:
    """Delete counted actions older than any limit's window. ``ratelimit.hit`` forgets those of the key it
    counts; this removes the rest (keys that never act again), so the table does not grow without end."""
    result = session.exec(delete(RateLimitHit).where(col(RateLimitHit.at) <= clock.now() - RATE_LIMIT_HITS_KEPT))
    return result.rowcount or 0


def forget_old_login_attempts(session: Session) -> int:
    """Delete sign-in attempts older than the accounts service remembers failures for (the audit trail keeps
    every sign-in and failure)."""
    result = session.exec(delete(LoginAttempt).where(col(LoginAttempt.at) <= clock.now() - LOGIN_ATTEMPTS_KEPT))
    return result.rowcount or 0


def run_scheduled(session: Session, tasks: Sequence[Task]) -> int:
    """Run every task in its own transaction; one failing task does not stop the others. A database error
    (locked, unreachable) is logged as one line with its cause; anything else with its traceback. Nothing runs
    while another process holds the scheduler lock (it is running the same tasks now)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    with locks.database_lock(url, "scheduler", wait=False) as mine:
        if not mine:
            logger.debug("scheduled tasks: another process is running them")
            return 0
        return _run_tasks(session, tasks)


def _run_tasks(session: Session, tasks: Sequence[Task]) -> int:
    done = 0
    for task in tasks:
        try:
            done += task(session)
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            logger.error("scheduled job %s failed: %s", task.__name__, failure_cause(exc))
        except Exception:
            session.rollback()
            logger.exception("scheduled job %s failed", task.__name__)
    return done
