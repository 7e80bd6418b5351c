"""archive_exports: the Woo archives asked for on a trajectory's administration page (issue 19)

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-03 08:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=100), nullable=False),
        sa.Column("storage_path", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("exported_at", app.db.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(), nullable=False),
        sa.Column("started_at", app.db.UTCDateTime(), nullable=True),
        sa.Column("finished_at", app.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dialogue_id"], ["dialogues.id"], name=op.f("fk_archive_exports_dialogue_id_dialogues")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_archive_exports_requested_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_exports")),
    )
    with op.batch_alter_table("archive_exports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_exports_dialogue_id"), ["dialogue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_archive_exports_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("archive_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_exports_status"))
        batch_op.drop_index(batch_op.f("ix_archive_exports_dialogue_id"))
    op.drop_table("archive_exports")
