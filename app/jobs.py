"""Work that happens at a moment rather than on a request; the mail worker runs it on every pass, before
it sends, so what a job queues goes out in the same pass."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, delete

from app.db import failure_cause
from app.kit import clock
from app.models import LoginAttempt, RateLimitHit

logger = logging.getLogger("dialoog.jobs")

# No limit counts over a window longer than a day (app/ratelimit.py): older hits count for nothing.
RATE_LIMIT_HITS_KEPT = timedelta(days=1)
# Sign-in failures count for 24 hours (app.accounts.service.FAILURE_MEMORY; tests/test_mail.py holds them equal).
LOGIN_ATTEMPTS_KEPT = timedelta(hours=24)


def _release_documents(session: Session) -> int:
    """Mail participants about documents whose release moment has passed (once per document)."""
    from app.documents.service import notify_released_documents

    return notify_released_documents(session)


def _forget_old_rate_limit_hits(session: Session) -> int:
    """Delete counted actions older than any limit's window. ``ratelimit.hit`` forgets those of the key it
    counts; this removes the rest (keys that never act again), so the table does not grow without end."""
    result = session.exec(  # type: ignore[call-overload]
        delete(RateLimitHit).where(col(RateLimitHit.at) <= clock.now() - RATE_LIMIT_HITS_KEPT)
    )
    return result.rowcount or 0


def _forget_old_login_attempts(session: Session) -> int:
    """Delete sign-in attempts older than the accounts service remembers failures for (the audit trail keeps
    every sign-in and failure)."""
    result = session.exec(  # type: ignore[call-overload]
        delete(LoginAttempt).where(col(LoginAttempt.at) <= clock.now() - LOGIN_ATTEMPTS_KEPT)
    )
    return result.rowcount or 0


SCHEDULED_JOBS: list[Callable[[Session], int]] = [
    _release_documents,
    _forget_old_rate_limit_hits,
    _forget_old_login_attempts,
]


def run_scheduled(session: Session) -> int:
    """Run every job in its own transaction; one failing job does not stop the others. A database error
    (locked, unreachable) is logged as one line with its cause; anything else with its traceback."""
    done = 0
    for job in SCHEDULED_JOBS:
        try:
            done += job(session)
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            logger.error("scheduled job %s failed: %s", job.__name__, failure_cause(exc))
        except Exception:
            session.rollback()
            logger.exception("scheduled job %s failed", job.__name__)
    return done
