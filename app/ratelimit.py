"""Limits per window, counted in the database so that every process and replica shares one budget.

A ``Limit`` allows ``max_hits`` actions per ``window`` for one key (an address, a client, a user, an API key).
``check`` raises ``TooManyRequests`` (with ``Retry-After``) when the budget is spent, else counts the action
(``take`` does the same and returns the wait); ``hit`` counts one action in the caller's transaction, so an
action that is rolled back is not counted. ``wait`` only asks.

Counting reads before it writes: two requests racing for the last unit of a budget may both pass. The limits
here are against floods, not exact quotas, so that is accepted rather than serialising every write.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from app.config import get_settings
from app.kit import clock
from app.kit.api_route import note_rate_limit
from app.kit.errors import N_, TooManyRequests
from app.kit.i18n import gettext as _
from app.models import RateLimitHit
from app.policy import Principal

KEY_LENGTH = 200


@dataclass(frozen=True)
class Limit:
    bucket: str  # what is counted, e.g. "comment:user"
    max_hits: int  # 0: no limit
    window: timedelta


def _key(key: str) -> str:
    return key[:KEY_LENGTH]


def _recent(session: Session, limit: Limit, key: str, now: datetime) -> list[datetime]:
    """The moments of ``key``'s last ``max_hits`` actions within the window, newest first."""
    return list(
        session.exec(
            select(RateLimitHit.at)
            .where(
                RateLimitHit.bucket == limit.bucket,
                RateLimitHit.key == _key(key),
                RateLimitHit.at > now - limit.window,
            )
            .order_by(col(RateLimitHit.at).desc())
            .limit(limit.max_hits)
        ).all()
    )


def _delay(recent: list[datetime], limit: Limit, now: datetime) -> timedelta | None:
    if len(recent) < limit.max_hits:
        return None
    # Free again when the oldest of the last `max_hits` actions leaves the window.
    return max(recent[-1] + limit.window - now, timedelta(seconds=1))


def wait(session: Session, limit: Limit, key: str, *, now: datetime | None = None) -> timedelta | None:
    """How long ``key`` must wait before its next action under ``limit``, or None when it may act now."""
    if limit.max_hits <= 0:
        return None
    now = now or clock.now()
    return _delay(_recent(session, limit, key, now), limit, now)


def hit(session: Session, limit: Limit, key: str, *, now: datetime | None = None) -> None:
    """Count one action of ``key`` (in the caller's transaction) and forget its actions older than the window."""
    if limit.max_hits <= 0:
        return
    now = now or clock.now()
    session.exec(
        delete(RateLimitHit).where(
            col(RateLimitHit.bucket) == limit.bucket,
            col(RateLimitHit.key) == _key(key),
            col(RateLimitHit.at) <= now - limit.window,
        )
    )
    session.add(RateLimitHit(bucket=limit.bucket, key=_key(key), at=now))


def retry_after_seconds(delay: timedelta) -> int:
    return max(1, math.ceil(delay.total_seconds()))


def too_many(delay: timedelta, message: str, *, field: str | None = None) -> TooManyRequests:
    """A 429 with ``Retry-After``; ``message`` is Dutch text for the person (shown next to ``field`` if given)."""
    return TooManyRequests(
        message,
        headers={"Retry-After": str(retry_after_seconds(delay))},
        errors=[{"field": field, "message": message}] if field else None,
        user_message=True,
    )


def take(session: Session, limits: list[tuple[Limit, str]]) -> timedelta | None:
    """Count one action for every (limit, key) pair and return None; or, if any of them is spent, count nothing
    and return how long to wait. The API answers with the state of the tightest budget in its RateLimit headers
    (app.kit.api_route.note_rate_limit)."""
    now = clock.now()
    counted = [(limit, key, _recent(session, limit, key, now)) for limit, key in limits if limit.max_hits > 0]
    delays = [(d, limit) for limit, _key_, recent in counted if (d := _delay(recent, limit, now)) is not None]
    if delays:
        delay, limit = max(delays, key=lambda pair: pair[0])
        note_rate_limit(limit.max_hits, 0, delay.total_seconds())
        return delay
    for limit, key, recent in counted:
        hit(session, limit, key, now=now)
        window_left = (recent[-1] + limit.window - now) if recent else limit.window
        note_rate_limit(limit.max_hits, limit.max_hits - len(recent) - 1, window_left.total_seconds())
    return None


def check(session: Session, limits: list[tuple[Limit, str]], message: str, *, field: str | None = None) -> None:
    """Raise a 429 if any (limit, key) pair is spent; otherwise count one action for each."""
    delay = take(session, limits)
    if delay is not None:
        raise too_many(delay, message, field=field)


# --- writing: comments, replies, notes, questions -------------------------------------------------------------

WRITE_MESSAGE_NL = N_(
    "U plaatst veel berichten kort na elkaar. Wacht %(seconds)s seconden en probeer het dan opnieuw; "
    "uw tekst staat nog in het formulier."
)
WRITE_MESSAGE_API = "Too many comments, replies or notes in a short time; retry after %(seconds)s seconds."


def write_limits(principal: Principal) -> list[tuple[Limit, str]]:
    """The budget a write draws on: per API key for integrations (their own budget), else per user."""
    settings = get_settings()
    if principal.api_key_id is not None:
        key = f"key:{principal.api_key_id}"
        per_minute, per_hour = settings.api_write_limit_per_minute, settings.api_write_limit_per_hour
    else:
        key = f"user:{principal.user.id if principal.user else 0}"
        per_minute, per_hour = settings.write_limit_per_minute, settings.write_limit_per_hour
    return [
        (Limit("write:minute", per_minute, timedelta(minutes=1)), key),
        (Limit("write:hour", per_hour, timedelta(hours=1)), key),
    ]


def check_write(session: Session, principal: Principal, *, field: str) -> None:
    """Count one comment, reply, note or question of ``principal``; a 429 with ``Retry-After`` when its budget is
    spent (the message says how long to wait; the form keeps what was typed)."""
    delay = take(session, write_limits(principal))
    if delay is not None:
        seconds = retry_after_seconds(delay)
        message = WRITE_MESSAGE_API % {"seconds": seconds} if principal.scope else _(WRITE_MESSAGE_NL, seconds=seconds)
        raise too_many(delay, message, field=field)


# --- every change through the API ------------------------------------------------------------------------------

CHANGE_MESSAGE_API = "Too many changes with this API key in a short time; retry after %(seconds)s seconds."


def check_api_change(session: Session, principal: Principal) -> None:
    """Count one change (POST, PUT, PATCH, DELETE) made with ``principal``'s API key; a 429 with ``Retry-After``
    when the key's budget is spent. Comments, replies, notes and questions also draw on their own budget."""
    if principal.api_key_id is None:
        return
    settings = get_settings()
    key = f"key:{principal.api_key_id}"
    limits = [
        (Limit("api_change:minute", settings.api_change_limit_per_minute, timedelta(minutes=1)), key),
        (Limit("api_change:hour", settings.api_change_limit_per_hour, timedelta(hours=1)), key),
    ]
    delay = take(session, limits)
    if delay is not None:
        raise too_many(delay, CHANGE_MESSAGE_API % {"seconds": retry_after_seconds(delay)})
