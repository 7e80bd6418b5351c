"""Rows as an older schema had them, for tests of migrations: the ORM's model has later columns, so a comment
written to a database migrated to an earlier revision is inserted with the columns of that time only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app.kit import clock
from app.models import Comment, Section, User

# The columns of ``comments`` at revision 0013 that have no default in the table.
_AT_0013: dict[str, Any] = {
    "kind": "zorg",
    "body_html": "",
    "suggestion_diff": "",
    "official": False,
    "visibility": "participants",
    "status": "nieuw",
    "published_status": "nieuw",
}


def comment_at_0013(db: Session, section: Section, author: User, body: str, **fields: Any) -> int:
    """A comment by ``author`` on ``section`` with the columns comments had at revision 0013; returns its id."""
    values = {
        **_AT_0013,
        "section_id": section.id,
        "author_id": author.id,
        "provider_id": author.provider_id,
        "body": body,
        "created_at": clock.now(),
        **fields,
    }
    table = Comment.__table__  # type: ignore[attr-defined]
    db.info["change_counter"] = False  # the schema at 0013 has no change_counters (migration 0022) to move on
    result = db.execute(insert(table).values({table.c[name]: value for name, value in values.items()}))
    return int(result.inserted_primary_key[0])
