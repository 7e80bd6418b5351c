"""The database's change counter behind the proposal page's cache (issue 21): every committed change of what a
cached page shows moves it on, in the change's own transaction, so every other process sees it; reading and
other writes leave it alone."""

from __future__ import annotations

from sqlmodel import Session, col, update

from app.models import Comment, RateLimitHit
from app.proposals.page_cache import shared_generation
from tests import factories


def test_a_committed_change_of_a_comment_moves_the_counter_once(db: Session):
    section = factories.section(db, factories.proposal(db))
    author = factories.provider_user(db)
    db.commit()
    before = shared_generation(db)
    comment = factories.comment(db, section, author)
    comment.body = "Nog eens anders."
    db.add(comment)
    db.commit()  # two flushes, one commit: one step
    assert shared_generation(db) == before + 1


def test_a_bulk_update_moves_it_and_a_rolled_back_change_does_not(db: Session):
    section = factories.section(db, factories.proposal(db))
    comment = factories.comment(db, section, factories.provider_user(db))
    db.commit()
    before = shared_generation(db)
    db.exec(update(Comment).where(col(Comment.id) == comment.id).values(body="Bulk."))
    db.commit()
    assert shared_generation(db) == before + 1
    comment.body = "Teruggedraaid."
    db.add(comment)
    db.flush()
    db.rollback()
    assert shared_generation(db) == before + 1


def test_reading_and_writes_the_page_does_not_show_leave_it_alone(db: Session):
    section = factories.section(db, factories.proposal(db))
    db.commit()
    before = shared_generation(db)
    assert db.get(type(section), section.id) is not None
    db.add(RateLimitHit(bucket="test", key="k"))
    db.commit()
    assert shared_generation(db) == before
