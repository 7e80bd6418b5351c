"""What is the reader's own on a proposal page: their comments and the comments new since their last visit.

The proposal page is cached per kind of reader (app/proposals/page_cache.py); these marks are filled in per
request, from one query built once per kind of reader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from app.db import UTCDateTime
from app.feedback.threads import Reader
from app.feedback.visibility import visible_comments
from app.models import Comment
from app.policy import Action, can


@dataclass
class ReaderMarks:
    """What is the reader's own on a proposal page: their comments (edit and withdraw buttons) and the
    comments new since their last visit."""

    own: dict[int, int] = field(default_factory=dict)  # comment id -> its section id
    new: set[int] = field(default_factory=set)
    new_per_section: dict[int, int] = field(default_factory=dict)


def reader_marks(session: Session, reader: Reader, section_ids: Iterable[int]) -> ReaderMarks:
    """The reader's own comments that they may still edit and the comments new to them, in ``section_ids``;
    the same rules as ``load_threads``. One query, built once per kind of reader (it runs on every view of a
    proposal page)."""
    marks = ReaderMarks()
    me, since = reader.user_id, reader.last_seen
    if me is None:
        return marks
    stmt = _marks_statement(can(reader.principal, Action.see_draft_replies), since is not None)
    params = {"me": me, "sections": list(section_ids), "now": reader.now, "since": since}
    for comment_id, section_id, author_id, created_at, deleted_at, official in session.execute(stmt, params):
        if author_id == me:
            if deleted_at is None and not official:
                marks.own[comment_id] = section_id
        elif since and created_at > since:
            marks.new.add(comment_id)
            marks.new_per_section[section_id] = marks.new_per_section.get(section_id, 0) + 1
    return marks


@lru_cache(maxsize=4)
def _marks_statement(sees_drafts: bool, with_since: bool) -> Any:
    me: Any = bindparam("me")
    mine_or_new = (
        or_(col(Comment.author_id) == me, col(Comment.created_at) > bindparam("since", type_=UTCDateTime))
        if with_since
        else col(Comment.author_id) == me
    )
    return select(  # type: ignore[call-overload]
        Comment.id, Comment.section_id, Comment.author_id, Comment.created_at, Comment.deleted_at, Comment.official
    ).where(
        col(Comment.section_id).in_(bindparam("sections", expanding=True)),
        visible_comments(sees_drafts=sees_drafts, now=bindparam("now", type_=UTCDateTime)),
        mine_or_new,
    )
