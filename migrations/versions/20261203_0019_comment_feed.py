"""comment feed: when a comment last changed, per kind of reader (the API's change feed, issue 20)

A comment's ``updated_at`` in the API is the latest moment of a change its reader may see. The moments already
stored (created, edited, withdrawn, the release moments of the decision and of the official reply) are not
enough: a release moment that has passed is cleared or replaced when SDFL decides again, and the reviewers'
working changes leave no trace on the comment. New columns on ``comments`` (all nullable):

- ``updated_at``: the latest change everyone who reads the comment sees (written, edited, withdrawn, and a
  passed release moment that a later decision or release replaced); filled here from the moments there are.
- ``reply_release_at``: the release moment of the comment's latest official reply (released when it passes).
- ``reviewed_at``: the latest working change reviewers see (decision, position, internal note).
- ``reply_drafted_at``: the latest change of a drafted official reply (or its release), seen by SDFL only.

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-03 12:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0019"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("updated_at", "reply_release_at", "reviewed_at", "reply_drafted_at")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("comments", sa.Column(name, app.db.UTCDateTime(), nullable=True))
    comments = sa.table(
        "comments",
        sa.column("id", sa.Integer()),
        sa.column("parent_id", sa.Integer()),
        sa.column("official", sa.Boolean()),
        sa.column("created_at", sa.DateTime()),
        sa.column("edited_at", sa.DateTime()),
        sa.column("deleted_at", sa.DateTime()),
        sa.column("release_at", sa.DateTime()),
        sa.column("updated_at", sa.DateTime()),
        sa.column("reply_release_at", sa.DateTime()),
    )
    latest = sa.case(
        (
            sa.and_(
                comments.c.deleted_at.is_not(None),
                comments.c.deleted_at >= sa.func.coalesce(comments.c.edited_at, comments.c.created_at),
            ),
            comments.c.deleted_at,
        ),
        (comments.c.edited_at.is_not(None), comments.c.edited_at),
        else_=comments.c.created_at,
    )
    op.execute(comments.update().values(updated_at=latest))
    reply = comments.alias("reply")
    released = (
        sa.select(sa.func.max(reply.c.release_at))
        .where(
            reply.c.parent_id == comments.c.id,
            reply.c.official.is_(True),
            reply.c.deleted_at.is_(None),
            reply.c.release_at.is_not(None),
        )
        .scalar_subquery()
    )
    op.execute(comments.update().values(reply_release_at=released))


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("comments", name)
