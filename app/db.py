"""The engine, SQLite pragmas, a UTC timestamp type and the per-request session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Session, SQLModel, create_engine

from app import clock
from app.config import get_settings, normalise_database_url

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


def utcnow() -> datetime:
    """Now, from the app's clock (tests can set it)."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp stored in UTC on every database.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so the value is stored as naive UTC and
    handed back aware. Naive input is refused: it is always a bug somewhere.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling issues BEGIN late and breaks SAVEPOINTs; let SQLAlchemy do it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


_engine: Engine | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings().database_url)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Replace the process-wide engine (tests, CLI with another URL)."""
    global _engine
    _engine = engine


def request_engine(request: Request) -> Engine:
    """The engine of the app serving this request (``create_app(engine=...)``), else the global one."""
    return getattr(request.app.state, "engine", None) or get_engine()


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commits on success, rolls back on error."""
    with Session(request_engine(request), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


# scope="function": commit before the response is sent, so an acknowledged write is a stored one.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
