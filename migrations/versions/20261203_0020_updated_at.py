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
    for table, source in BACKFILL.items():
        op.add_column(table, sa.Column("updated_at", app.db.UTCDateTime(), nullable=True))
        if source is None:
            op.execute(
                sa.text(f"UPDATE {table} SET updated_at = :now").bindparams(
                    sa.bindparam("now", now, type_=app.db.UTCDateTime())
                )
            )
        else:
            op.execute(sa.text(f"UPDATE {table} SET updated_at = {source}"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("updated_at", existing_type=app.db.UTCDateTime(), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_updated_at"), ["updated_at"], unique=False)
    op.add_column("dialogue_sessions", sa.Column("recording_changed_at", app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("dialogue_sessions", "recording_changed_at")
    for table in reversed(BACKFILL):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_updated_at"))
            batch_op.drop_column("updated_at")
