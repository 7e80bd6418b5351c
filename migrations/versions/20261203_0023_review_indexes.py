"""indexes on comments for the review dashboard's counts and a section's threads (issue 21)

Found with py-spy and ``bench/run.py`` (SQLite, 10,000 comments): three counting queries took two thirds of the
review dashboard's time, each reading every comment row.

- ``ix_comments_feedback`` (parent_id, official, visibility, deleted_at, section_id, author_id): the feedback
  condition and the columns the dashboard's per-group counts join on, so those counts read this index instead of
  the comments' rows (19 ms to 4 ms).
- ``ix_comments_section_threads`` (section_id, parent_id, created_at): the threads of a section. Without it SQLite
  read a section's newest threads (after posting a comment with htmx) through ``ix_comments_parent_id_created_at``,
  every top-level comment of every section (76 ms on 10,000 comments; 0.3 ms with it).
- ``ix_comments_drafted_replies`` and ``ix_comments_pending_decisions``: partial indexes of what the next release
  would publish (drafted official replies, decisions not yet released), normally a handful of comments: the
  release card's counts read these instead of every comment (23 ms to 0.1 ms). Their conditions are written as
  ``app.feedback.release`` asks (SQLite uses a partial index only for a query that states its condition).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 15:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DRAFTED = {
    "sqlite": "official IS 1 AND deleted_at IS NULL AND release_at IS NULL",
    "postgresql": "official IS true AND deleted_at IS NULL AND release_at IS NULL",
}
PENDING = "status != published_status AND status_release_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_comments_feedback",
        "comments",
        ["parent_id", "official", "visibility", "deleted_at", "section_id", "author_id"],
        unique=False,
    )
    op.create_index("ix_comments_section_threads", "comments", ["section_id", "parent_id", "created_at"], unique=False)
    op.create_index(
        "ix_comments_drafted_replies",
        "comments",
        ["section_id"],
        unique=False,
        sqlite_where=sa.text(DRAFTED["sqlite"]),
        postgresql_where=sa.text(DRAFTED["postgresql"]),
    )
    op.create_index(
        "ix_comments_pending_decisions",
        "comments",
        ["section_id"],
        unique=False,
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_comments_pending_decisions", table_name="comments")
    op.drop_index("ix_comments_drafted_replies", table_name="comments")
    op.drop_index("ix_comments_section_threads", table_name="comments")
    op.drop_index("ix_comments_feedback", table_name="comments")
