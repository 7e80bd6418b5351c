"""updated_at for the change feed: documents, invitations, agenda items, municipalities, care forms; when a
session's recording last changed

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-03 12:00:00.000000+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the columns the new updated_at is filled from, the first that is set (none: the migration's moment)
BACKFILL: dict[str, tuple[str, ...]] = {
    "care_forms": (),
    "municipalities": (),
    "invitations": ("responded_at", "invited_at"),
    "agenda_items": (),
    "documents": ("created_at",),
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
        rows = sa.table(table, *(sa.column(c, app.db.UTCDateTime()) for c in ("updated_at", *source)))
        value: Any = sa.literal(now, app.db.UTCDateTime())
        if len(source) == 1:
            value = rows.c[source[0]]
        elif source:
            value = sa.func.coalesce(*(rows.c[c] for c in source))
        op.execute(rows.update().values(updated_at=value))
        if postgres:
            op.alter_column(table, "updated_at", server_default=None)
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"], unique=False)
    op.add_column("dialogue_sessions", sa.Column("recording_changed_at", app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("dialogue_sessions", "recording_changed_at")
    for table in reversed(BACKFILL):
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
        op.drop_column(table, "updated_at")
