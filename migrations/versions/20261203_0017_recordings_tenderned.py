"""recordings (consent, audience, file, release moment) and the TenderNed publication record

- ``dialogue_sessions``: ``recorded``, the uploaded recording (``recording_file_path``, ``recording_filename``,
  ``recording_content_type``, ``recording_size``), ``recording_audience`` and ``recording_release_at``; the
  TenderNed record of the report (``tenderned_published_on``, ``tenderned_reference``, ``tenderned_url``);
- ``notas``: the same TenderNed record;
- ``recording_consents``: each attendee's answer per recorded session.

Existing recording links were public once the report was: they become audience ``public`` with no moment of
their own (released with the report), and their sessions ``recorded``, so nothing changes for them. Columns are
added in place (no batch copy: other tables refer to dialogue_sessions and notas).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-03 08:10:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "0017"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SESSION_COLUMNS = (
    "recorded",
    "recording_file_path",
    "recording_filename",
    "recording_content_type",
    "recording_size",
    "recording_audience",
    "recording_release_at",
)
TENDERNED_COLUMNS = ("tenderned_published_on", "tenderned_reference", "tenderned_url")


def _tenderned(table: str) -> None:
    op.add_column(table, sa.Column("tenderned_published_on", sa.Date(), nullable=True))
    op.add_column(table, sa.Column("tenderned_reference", sa.String(length=100), nullable=True))
    op.add_column(table, sa.Column("tenderned_url", sa.String(length=500), nullable=True))


def upgrade() -> None:
    op.create_table(
        "recording_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["dialogue_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id"),
    )
    op.create_index(op.f("ix_recording_consents_session_id"), "recording_consents", ["session_id"], unique=False)
    op.create_index(op.f("ix_recording_consents_user_id"), "recording_consents", ["user_id"], unique=False)
    op.add_column("dialogue_sessions", sa.Column("recorded", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("dialogue_sessions", sa.Column("recording_file_path", sa.String(length=500), nullable=True))
    op.add_column("dialogue_sessions", sa.Column("recording_filename", sa.String(length=255), nullable=True))
    op.add_column("dialogue_sessions", sa.Column("recording_content_type", sa.String(length=100), nullable=True))
    op.add_column("dialogue_sessions", sa.Column("recording_size", sa.Integer(), server_default="0", nullable=False))
    op.add_column(
        "dialogue_sessions",
        sa.Column("recording_audience", sa.String(length=20), server_default="public", nullable=False),
    )
    op.add_column("dialogue_sessions", sa.Column("recording_release_at", app.db.UTCDateTime(), nullable=True))
    _tenderned("dialogue_sessions")
    _tenderned("notas")
    # Existing links: public, released with the report (as before), and the session is recorded.
    op.execute(
        "UPDATE dialogue_sessions SET recorded = TRUE, recording_audience = 'public' "
        "WHERE recording_url IS NOT NULL AND recording_url <> ''"
    )


def downgrade() -> None:
    for column in TENDERNED_COLUMNS:
        op.drop_column("notas", column)
    for column in TENDERNED_COLUMNS + SESSION_COLUMNS:
        op.drop_column("dialogue_sessions", column)
    op.drop_index(op.f("ix_recording_consents_user_id"), table_name="recording_consents")
    op.drop_index(op.f("ix_recording_consents_session_id"), table_name="recording_consents")
    op.drop_table("recording_consents")
