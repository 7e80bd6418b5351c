"""updated_at for the change feed: documents, invitations, agenda items, municipalities, care forms; when a
session's recording last changed

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-03 12:00:00.000000+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0020"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the SQL the new updated_at is filled from (None: the moment of the migration)
BACKFILL: dict[str, str | None] = {
    "care_forms": None,
    "municipalities": None,
    "invitations": "COALESCE(responded_at, invited_at)",
    "agenda_items": None,
    "documents": "created_at",
}


def upgrade() -> None:
    now = datetime.now(UTC)
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, source in BACKFILL.items():
        # NOT NULL at once, with a placeholder default every row gets filled over next: altering a column on SQLite
        # would copy the table (and its foreign keys would then no longer let older downgrades drop columns).
        op.add_column(
            table,
            sa.Column(
                "updated_at", app.db.UTCDateTime(), nullable=False, server_default=sa.text("'2000-01-01 00:00:00'")
            ),
        )
        if source is None:
            op.execute(
                sa.text(f"UPDATE {table} SET updated_at = :now").bindparams(
                    sa.bindparam("now", now, type_=app.db.UTCDateTime())
                )
            )
        else:
            op.execute(sa.text(f"UPDATE {table} SET updated_at = {source}"))
        if postgres:
            op.alter_column(table, "updated_at", server_default=None)
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"], unique=False)
    op.add_column("dialogue_sessions", sa.Column("recording_changed_at", app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("dialogue_sessions", "recording_changed_at")
    for table in reversed(BACKFILL):
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
        op.drop_column(table, "updated_at")
