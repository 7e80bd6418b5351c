"""The change feed: every API list can be read as "what changed since", with an opaque cursor.

``GET /api/v1/<list>?updated_since=2026-12-01T00:00:00Z`` answers the items whose ``updated_at`` (as this reader
sees it) lies in ``[updated_since, updated_until)``, ordered by ``(updated_at, id)``. The answer's
``next_cursor`` (and the ``Link: <...>; rel="next"`` header) continues exactly after the last item: keyset
paging, so an item that changes during a sync moves behind the cursor and is delivered again (newer), and no item
is skipped or repeated because others changed. ``cursor`` alone (without ``updated_since``) starts a feed from the
beginning. A client stores the last ``next_cursor`` it got (or the ``updated_at`` of the last item) and asks with
it next time.

Lists that are not read as a feed keep their page numbers (``page``, ``page_size``); ``page`` with a cursor is
refused (422).

A cursor is base64url JSON ``[updated_at ISO 8601, id]``: opaque to clients, checked on the way in (422 when
malformed, never a 500).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from sqlalchemy import and_, or_
from sqlmodel import Session, func, select

from app.kit.api_types import UtcMoment
from app.kit.errors import ValidationFailed
from app.kit.pagination import MAX_PAGE_SIZE, Page, PageParams

T = TypeVar("T")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


Row = TypeVar("Row")


@dataclass(frozen=True)
class Position:
    """Where a feed stands: after the item with this ``updated_at`` and ``id``."""

    updated_at: datetime
    id: int


def encode_cursor(position: Position) -> str:
    raw = json.dumps([position.updated_at.astimezone(UTC).isoformat(), position.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; ``ValidationFailed`` (422, field ``cursor``) for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, item_id = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None or not isinstance(item_id, int) or isinstance(item_id, bool) or item_id < 0:
            raise ValueError
        return Position(at.astimezone(UTC), item_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError, OverflowError):
        message = "Not a cursor of this API: pass next_cursor from an earlier answer unchanged."
        raise _invalid("cursor", message) from None


@dataclass(frozen=True)
class FeedParams:
    updated_since: datetime | None = None
    updated_until: datetime | None = None
    after: Position | None = None

    @property
    def active(self) -> bool:
        """Whether the list is read as a feed (ordered by updated_at, id; continued by cursor)."""
        return self.updated_since is not None or self.updated_until is not None or self.after is not None

    def includes(self, updated_at: datetime, item_id: int) -> bool:
        """Python's version of ``where`` for lists built in memory."""
        if self.updated_since is not None and updated_at < self.updated_since:
            return False
        if self.updated_until is not None and updated_at >= self.updated_until:
            return False
        return self.after is None or (updated_at, item_id) > (self.after.updated_at, self.after.id)


def feed_params(
    updated_since: Annotated[
        UtcMoment | None,
        Query(
            description="Only items changed at or after this moment (ISO 8601 with offset), ordered by "
            "(updated_at, id); continue with next_cursor",
            examples=["2026-12-01T00:00:00Z"],
        ),
    ] = None,
    updated_until: Annotated[
        UtcMoment | None,
        Query(description="Only items changed before this moment (ISO 8601 with offset)"),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[A-Za-z0-9_-]+$",
            description="Continue a feed after the last item of an earlier answer: its next_cursor, unchanged",
        ),
    ] = None,
) -> FeedParams:
    if updated_since is not None and updated_until is not None and updated_until <= updated_since:
        raise _invalid("updated_until", "updated_until must be later than updated_since.")
    return FeedParams(updated_since, updated_until, decode_cursor(cursor) if cursor else None)


FeedDep = Annotated[FeedParams, Depends(feed_params)]


def check_paging(params: PageParams, feed: FeedParams) -> None:
    """A feed is continued by its cursor, not by page numbers."""
    if feed.active and params.page != 1:
        raise _invalid("page", "Use cursor (next_cursor) to page through a feed, not page.")


def _tuple_after(updated: Any, item_id: Any, after: Position) -> Any:
    # Spelled out rather than a row-value comparison where a dialect would not use the index.
    return or_(updated > after.updated_at, and_(updated == after.updated_at, item_id > after.id))


def feed_rows(
    session: Session,
    stmt: Any,
    *,
    updated: Any,
    item_id: Any,
    feed: FeedParams,
    params: PageParams,
    key: Callable[[Any], Position],
) -> tuple[list[Any], int, str | None]:
    """One page of a feed over ``stmt`` (not yet ordered): the rows, the number of items in the window
    (``updated_since``/``until``, not counting the cursor) and the cursor after the last row (None at the end).
    ``key`` gives a row's position (its updated_at as this reader sees it, and id)."""
    window = stmt
    if feed.updated_since is not None:
        window = window.where(updated >= feed.updated_since)
    if feed.updated_until is not None:
        window = window.where(updated < feed.updated_until)
    total = int(session.exec(select(func.count()).select_from(window.order_by(None).subquery())).one())
    if feed.after is not None:
        window = window.where(_tuple_after(updated, item_id, feed.after))
    rows = list(session.exec(window.order_by(updated, item_id).limit(params.page_size + 1)).all())
    more = len(rows) > params.page_size
    rows = rows[: params.page_size]
    return rows, total, encode_cursor(key(rows[-1])) if more and rows else None


def feed_slice(
    items: Sequence[Row], feed: FeedParams, params: PageParams, key: Callable[[Row], Position]
) -> tuple[list[Row], int, str | None]:
    """``feed_rows`` for a list built in memory."""
    window = [
        i for i in items if FeedParams(feed.updated_since, feed.updated_until).includes(key(i).updated_at, key(i).id)
    ]
    window.sort(key=lambda i: (key(i).updated_at, key(i).id))
    after = [i for i in window if feed.after is None or feed.includes(key(i).updated_at, key(i).id)]
    rows = after[: params.page_size]
    more = len(after) > params.page_size
    return rows, len(window), encode_cursor(key(rows[-1])) if more and rows else None


def feed_page(
    model: type[Page[T]], items: list[Any], total: int, params: PageParams, next_cursor: str | None
) -> Page[T]:
    """The Page answer of a feed: ``page`` is 1, ``pages`` counts the window's pages, ``cursor`` is the position
    of the last item (every item of a feed carries its ``updated_at`` as this reader sees it, and its ``id``)."""
    return model(
        items=items,
        total=total,
        page=1,
        page_size=params.page_size,
        pages=math.ceil(total / params.page_size) if total else 0,
        next_cursor=next_cursor,
        cursor=_end_of(items[-1]) if items else None,
    )


def _end_of(item: Any) -> str:
    updated_at, item_id = (item["updated_at"], item["id"]) if isinstance(item, dict) else (item.updated_at, item.id)
    return encode_cursor(Position(updated_at, item_id))


__all__ = [
    "MAX_PAGE_SIZE",
    "FeedDep",
    "FeedParams",
    "Position",
    "check_paging",
    "decode_cursor",
    "encode_cursor",
    "feed_page",
    "feed_params",
    "feed_rows",
    "feed_slice",
]
