"""When a comment last changed, as its reader sees it: the ``updated_at`` of the API's change feed.

Everyone who reads a comment sees it change when it is written, edited or withdrawn, and when a release moment
passes: its decision's (``status_release_at``), its own as an official reply (``release_at``) and its latest
official reply's (``reply_release_at``). Reviewers (municipalities and SDFL) also see their working changes
(``reviewed_at``: a decision, a position, an internal note); SDFL also the drafting of an official reply
(``reply_drafted_at``). What a reader may not see yet never moves the moment that reader gets: a drafted decision
or reply only moves the reviewers' (or SDFL's).

The moment is an SQL expression over the stored columns and the release moments compared with now
(``updated_expression``), so that the feed filters, orders and answers with the same value in one query. A
release moment that has passed and is then replaced (a new decision, a later reply) is first folded into
``updated_at`` (``fold``), so that the moment a reader gets never goes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from app.db import UTCDateTime
from app.models import Comment
from app.policy import Action, Principal, can


class greatest(GenericFunction[datetime]):
    """The largest of its (non-null) arguments: ``GREATEST`` on PostgreSQL, the many-argument ``max`` on
    SQLite."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def _passed(moment: Any, now: Any, fallback: Any) -> Any:
    """``moment`` once it has passed, else ``fallback``."""
    return case((moment <= now, moment), else_=fallback)


def updated_expression(principal: Principal, now: datetime, comment: Any = Comment) -> Any:
    """A comment's ``updated_at`` as ``principal`` sees it, in SQL (``comment``: the table or an alias)."""
    created = comment.created_at
    parts = [
        func.coalesce(comment.updated_at, created),
        _passed(comment.status_release_at, now, created),
        _passed(comment.release_at, now, created),
        _passed(comment.reply_release_at, now, created),
    ]
    if can(principal, Action.see_working_status):
        parts.append(func.coalesce(comment.reviewed_at, created))
    if can(principal, Action.see_draft_replies):
        parts.append(func.coalesce(comment.reply_drafted_at, created))
    return greatest(*parts)


def updated_for(principal: Principal, comment: Comment, now: datetime) -> datetime:
    """``updated_expression`` for one comment in memory."""
    created = comment.created_at
    moments = [comment.updated_at or created]
    for moment in (comment.status_release_at, comment.release_at, comment.reply_release_at):
        if moment is not None and moment <= now:
            moments.append(moment)
    if can(principal, Action.see_working_status) and comment.reviewed_at is not None:
        moments.append(comment.reviewed_at)
    if can(principal, Action.see_draft_replies) and comment.reply_drafted_at is not None:
        moments.append(comment.reply_drafted_at)
    return max(moments)


def _later(current: datetime | None, moment: datetime) -> datetime:
    return moment if current is None or moment > current else current


def changed(comment: Comment, now: datetime) -> None:
    """A change everyone who reads the comment sees (written, edited, withdrawn)."""
    comment.updated_at = _later(comment.updated_at, now)


def reviewed(comment: Comment, now: datetime) -> None:
    """A working change reviewers see: a decision, a position, an internal note."""
    comment.reviewed_at = _later(comment.reviewed_at, now)


def reply_drafted(comment: Comment, now: datetime) -> None:
    """A change of the comment's drafted official reply (written, rewritten, scheduled for release)."""
    comment.reply_drafted_at = _later(comment.reply_drafted_at, now)


def fold(comment: Comment, moment: datetime | None, now: datetime) -> None:
    """A release moment of ``comment`` is about to be replaced: if it has passed, its readers saw it, so it
    stays in ``updated_at``."""
    if moment is not None and moment <= now:
        comment.updated_at = _later(comment.updated_at or comment.created_at, moment)


def reply_released(parent: Comment, moment: datetime, now: datetime) -> None:
    """The latest official reply to ``parent`` is released at ``moment``."""
    fold(parent, parent.reply_release_at, now)
    parent.reply_release_at = moment
    reply_drafted(parent, now)


__all__ = [
    "changed",
    "fold",
    "greatest",
    "reply_drafted",
    "reply_released",
    "reviewed",
    "updated_expression",
    "updated_for",
]
