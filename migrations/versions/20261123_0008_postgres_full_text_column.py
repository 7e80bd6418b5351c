"""PostgreSQL: full text from a stored tsvector column instead of an expression index

Migration 0006 indexed ``to_tsvector('dutch', body || suggested_text)`` as an expression. A search for a common
word then recomputed that expression for every matching comment (836 ms for a word in 7,700 of 10,000
comments, bench/review_dashboard.py). A stored generated column holds the tsvector, computed once when a
comment is written; the GIN index is on the column. SQLite keeps its FTS5 table and is not touched.

The column is outside the SQLModel metadata (the ORM never reads it); ``migrations/env.py`` leaves it out of
``alembic check`` like the other full-text objects.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 15:40:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Must match app.review.query.full_text_condition.
COLUMN = (
    "ALTER TABLE comments ADD COLUMN full_text tsvector GENERATED ALWAYS AS "
    "(to_tsvector('dutch'::regconfig, coalesce(body, '') || ' ' || coalesce(suggested_text, ''))) STORED"
)
OLD_INDEX = (
    "CREATE INDEX ix_comments_full_text ON comments USING gin "
    "(to_tsvector('dutch'::regconfig, coalesce(body, '') || ' ' || coalesce(suggested_text, '')))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_comments_full_text")
    op.execute(COLUMN)
    op.execute("CREATE INDEX ix_comments_full_text ON comments USING gin (full_text)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_comments_full_text")
    op.execute("ALTER TABLE comments DROP COLUMN full_text")
    op.execute(OLD_INDEX)
