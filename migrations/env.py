"""Alembic environment: the database URL and the metadata come from the app itself."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlmodel.sql.sqltypes import AutoString

import app.models  # noqa: F401  (registers every table on the metadata)
from app.config import get_settings, normalise_database_url
from app.db import UTCDateTime, make_engine, metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    return normalise_database_url(config.attributes.get("database_url") or get_settings().database_url)


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Render our column types so migrations need no SQLModel internals."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "app.db.UTCDateTime()"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


# Full-text search lives outside the metadata: SQLite's FTS5 tables with their shadow tables (migrations 0006,
# 0014: comments_fts, comments_fts_parts), PostgreSQL's stored columns and their GIN indexes (0008, 0014:
# full_text, full_text_parts). Autogenerate and `alembic check` must not try to drop them.
FULL_TEXT_OBJECTS = ("comments_fts", "ix_comments_full_text", "full_text")  # see migrations 0006, 0008, 0014


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    return not (reflected and compare_to is None and name is not None and name.startswith(FULL_TEXT_OBJECTS))


def _options() -> dict:
    return {
        "target_metadata": metadata,
        "compare_type": True,
        "render_as_batch": True,  # SQLite can only alter tables by copying them
        "render_item": _render_item,
        "include_object": _include_object,
    }


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"}, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, **_options())
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
