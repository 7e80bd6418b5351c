"""index comments.applied_in_version_id

A version page lists the comments it worked in ("Verwerkt in versie N"): without this index that query read
every comment (3.6 ms of a 15 ms proposal page with 10,000 comments on SQLite; bench/run.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:20:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_comments_applied_in_version_id"), "comments", ["applied_in_version_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_comments_applied_in_version_id"), table_name="comments")
