"""Timestamps are timezone-aware and stored in UTC on every database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import select

from app.models import AuditEvent


def test_aware_timestamps_round_trip_as_utc(db):
    amsterdam_summer = timezone(timedelta(hours=2))
    at = datetime(2026, 6, 1, 14, 30, tzinfo=amsterdam_summer)
    db.add(AuditEvent(action="test.tz", entity_type="test", at=at))
    db.flush()
    db.expire_all()
    stored = db.exec(select(AuditEvent).where(AuditEvent.action == "test.tz")).one()
    assert stored.at.tzinfo is not None
    assert stored.at.utcoffset() == timedelta(0)
    assert stored.at == datetime(2026, 6, 1, 12, 30, tzinfo=UTC)


def test_naive_timestamps_are_refused(db):
    db.add(AuditEvent(action="test.naive", entity_type="test", at=datetime(2026, 6, 1, 12, 0)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.flush()
    db.rollback()
