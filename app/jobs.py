"""Work that happens at a moment rather than on a request; the mail worker runs it on every pass, before
it sends, so what a job queues goes out in the same pass."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

logger = logging.getLogger("dialoog.jobs")


def _release_documents(session: Session) -> int:
    """Mail participants about documents whose release moment has passed (once per document)."""
    from app.documents.service import notify_released_documents

    return notify_released_documents(session)


SCHEDULED_JOBS: list[Callable[[Session], int]] = [_release_documents]


def run_scheduled(session: Session) -> int:
    """Run every job in its own transaction; one failing job does not stop the others."""
    done = 0
    for job in SCHEDULED_JOBS:
        try:
            done += job(session)
            session.commit()
        except Exception:
            session.rollback()
            logger.exception("scheduled job %s failed", job.__name__)
    return done
