"""Migrations: upgrade, `alembic check` finds no drift, downgrade to base and upgrade again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from app import migrate
from app.db import make_engine, metadata
from tests.conftest import scratch_database_url


def test_upgrade_check_downgrade_upgrade():
    url = scratch_database_url("migrations")
    cfg = migrate.alembic_config(url)
    command.upgrade(cfg, "head")
    command.check(cfg)  # raises when the models and the migrations disagree
    engine = make_engine(url)
    try:
        assert migrate.is_at_head(engine)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert migrate.is_at_head(engine)
    finally:
        engine.dispose()
