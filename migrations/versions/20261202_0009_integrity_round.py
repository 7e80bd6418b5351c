"""integrity round: outbox claims, rate limit hits, idempotency fingerprint

- ``outbox_messages.claimed_until``: a worker claims a row before it talks to SMTP (status ``sending``); the claim
  expires, so a crashed worker does not strand the row;
- ``rate_limit_hits``: counted actions for limits per window, shared by every process (sign-in, password reset,
  comments, notes);
- ``comments.idempotency_fingerprint``: the request an ``Idempotency-Key`` was used for;
- ``agenda_item_comments.released_at``: a comment put on the agenda is a decision, shown to participants from its
  release; links made before this migration count as released.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 13:43:31.678736+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", app.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_limit_hits_at"), ["at"], unique=False)
        batch_op.create_index("ix_rate_limit_hits_bucket_key_at", ["bucket", "key", "at"], unique=False)

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True))

    with op.batch_alter_table("agenda_item_comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("released_at", app.db.UTCDateTime(), nullable=True))
    op.execute("UPDATE agenda_item_comments SET released_at = CURRENT_TIMESTAMP")

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_until", app.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")

    with op.batch_alter_table("agenda_item_comments", schema=None) as batch_op:
        batch_op.drop_column("released_at")

    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("idempotency_fingerprint")

    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.drop_index("ix_rate_limit_hits_bucket_key_at")
        batch_op.drop_index(batch_op.f("ix_rate_limit_hits_at"))

    op.drop_table("rate_limit_hits")
