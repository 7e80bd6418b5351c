"""search: parts of words, and the quote, in the review dashboard's search

The word index (0006 on SQLite, 0008 on PostgreSQL) finds whole words and, on SQLite, words that begin with the
search term: "wachttijd" did not find "behandelwachttijd", and a comment's quote was not searched at all.

- The word index now covers the quote too (body, quote, suggested text): the SQLite FTS5 table ``comments_fts``
  and its triggers are made again with three columns, the PostgreSQL stored tsvector ``comments.full_text`` is
  made again with the quote in it.
- Beside it an index of parts of words: on SQLite an FTS5 table ``comments_fts_parts`` with the ``trigram``
  tokenizer (external content on ``comments``, kept current by triggers like the word index); on PostgreSQL a
  stored generated column ``comments.full_text_parts`` (the three columns joined, in lower case: a search
  compares with ``LIKE``, much cheaper per row than ``ILIKE``) with a GIN trigram index
  ``ix_comments_full_text_parts`` (the ``pg_trgm`` extension), so that ``LIKE '%term%'`` is answered from the
  index. pg_trgm is a trusted extension: the owner of the database may create it (PostgreSQL 13 and later);
  SQLite has the trigram tokenizer since 3.34.
- Suggestions' word diffs (``comments.suggestion_diff``, made when a comment is written) are made again as plain
  text, without Markdown syntax (``app.kit.diff.markdown_diff``), as new comments get them.

Both indexes are filled from the existing comments here. Their names begin with ``comments_fts``,
``ix_comments_full_text`` or ``full_text``: ``migrations/env.py`` leaves them out of ``alembic check``; the
columns are outside the SQLModel metadata (the ORM never reads them). ``app.review.query`` searches them by
these names. A later migration that makes SQLite *recreate* ``comments`` drops the triggers with the old table:
recreate them after it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 08:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.kit.diff import markdown_diff

revision: str = "0014"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("body", "quote", "suggested_text")


def _sqlite_index(table: str, columns: Sequence[str], tokenize: str) -> list[str]:
    """An FTS5 table over ``comments`` (external content) with the triggers that keep it current, filled. The
    names are this module's constants, never input."""
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete = f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old});"  # noqa: S608
    insert = f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new});"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE {table} USING fts5({names}, content='comments', content_rowid='id', "
        f"tokenize='{tokenize}')",
        f"CREATE TRIGGER {table}_insert AFTER INSERT ON comments BEGIN {insert} END",
        f"CREATE TRIGGER {table}_delete AFTER DELETE ON comments BEGIN {delete} END",
        f"CREATE TRIGGER {table}_update AFTER UPDATE OF {names} ON comments BEGIN {delete} {insert} END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",  # noqa: S608
    ]


def _sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_{t}" for t in ("insert", "delete", "update")] + [
        f"DROP TABLE IF EXISTS {table}"
    ]


WORDS_TOKENIZER = "unicode61 remove_diacritics 2"


def _tsvector(columns: Sequence[str]) -> str:
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector('dutch'::regconfig, {joined})"


PARTS_COLUMN = (
    "ALTER TABLE comments ADD COLUMN full_text_parts text GENERATED ALWAYS AS "
    "(lower(coalesce(body, '') || ' ' || coalesce(quote, '') || ' ' || coalesce(suggested_text, ''))) STORED"
)


def _postgres_words(columns: Sequence[str]) -> list[str]:
    return [
        "DROP INDEX IF EXISTS ix_comments_full_text",
        "ALTER TABLE comments DROP COLUMN IF EXISTS full_text",
        f"ALTER TABLE comments ADD COLUMN full_text tsvector GENERATED ALWAYS AS ({_tsvector(columns)}) STORED",
        "CREATE INDEX ix_comments_full_text ON comments USING gin (full_text)",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        statements = [
            *_postgres_words(COLUMNS),
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            PARTS_COLUMN,
            "CREATE INDEX ix_comments_full_text_parts ON comments USING gin (full_text_parts gin_trgm_ops)",
        ]
    else:
        statements = [
            *_sqlite_drop("comments_fts"),
            *_sqlite_index("comments_fts", COLUMNS, WORDS_TOKENIZER),
            *_sqlite_index("comments_fts_parts", COLUMNS, "trigram"),
        ]
    for statement in statements:
        op.execute(statement)
    _plain_suggestion_diffs()


def _plain_suggestion_diffs() -> None:
    """The word diff of every suggestion against its quote (or else its section), as plain text."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT comments.id, comments.quote, comments.suggested_text, sections.body FROM comments "
            "JOIN sections ON sections.id = comments.section_id "
            "WHERE comments.suggested_text IS NOT NULL AND comments.suggested_text != ''"
        )
    ).all()
    update = sa.text("UPDATE comments SET suggestion_diff = :diff WHERE id = :id")
    for comment_id, quote, suggested, section_body in rows:
        bind.execute(update, {"id": comment_id, "diff": markdown_diff(quote or section_body or "", suggested)})


def downgrade() -> None:
    before = ("body", "suggested_text")
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: other objects may use it by now.
        statements = [
            "DROP INDEX IF EXISTS ix_comments_full_text_parts",
            "ALTER TABLE comments DROP COLUMN IF EXISTS full_text_parts",
            *_postgres_words(before),
        ]
    else:
        statements = [
            *_sqlite_drop("comments_fts_parts"),
            *_sqlite_drop("comments_fts"),
            *_sqlite_index("comments_fts", before, WORDS_TOKENIZER),
        ]
    for statement in statements:
        op.execute(statement)
