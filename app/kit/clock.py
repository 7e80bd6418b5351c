"""The app's clock. Everything that depends on the time asks ``now()``, so tests can set the time
(``freeze``/``advance``) instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None
_offset = timedelta(0)


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC) + _offset


def freeze(at: datetime) -> None:
    global _frozen
    _frozen = at


def advance(delta: timedelta) -> None:
    global _frozen, _offset
    if _frozen is not None:
        _frozen += delta
    else:
        _offset += delta


def reset() -> None:
    global _frozen, _offset
    _frozen, _offset = None, timedelta(0)
