"""care forms are archived instead of deleted: ``care_forms.archived_at``

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 19:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("care_forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("care_forms", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
