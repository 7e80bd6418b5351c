"""Demo data: what the foundation issue promises, and seeding twice adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import func, select

from app.accounts.passwords import verify_password
from app.demo import DEMO_PASSWORD, format_accounts, seed_demo
from app.models import (
    AgendaItem,
    Comment,
    Dialogue,
    DialogueSession,
    Document,
    Invitation,
    Municipality,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    SessionStatus,
    User,
)

pytestmark = pytest.mark.demo  # the demo data set is what these tests test

ALL_TABLES = (
    Dialogue,
    Municipality,
    Provider,
    User,
    Invitation,
    DialogueSession,
    AgendaItem,
    Document,
    Proposal,
    ProposalVersion,
    Section,
    Comment,
)


def counts(db) -> dict[str, int]:
    return {m.__name__: db.exec(select(func.count()).select_from(m)).one() for m in ALL_TABLES}


def test_seeding_twice_does_not_duplicate(db):
    before = counts(db)
    result = seed_demo(db)
    db.flush()
    assert result.created == 0
    assert counts(db) == before


def test_demo_has_the_dialogue_municipalities_and_providers(db):
    dialogue = db.exec(select(Dialogue)).one()
    assert dialogue.title == "Multidisciplinaire jeugdhulp, regionale inkoop 2027"
    assert dialogue.tender_reference
    names = set(db.exec(select(Municipality.name)).all())
    assert {"Almere", "Dronten", "Urk", "Noordoostpolder"} <= names
    assert len(db.exec(select(Provider)).all()) == 14
    statuses = [i.status for i in db.exec(select(Invitation)).all()]
    assert statuses.count("accepted") > statuses.count("pending") > 0


def test_demo_sessions_are_relative_to_today(db):
    now = datetime.now(UTC)
    sessions = db.exec(select(DialogueSession).order_by(DialogueSession.number)).all()
    assert [s.number for s in sessions] == [1, 2, 3]
    held, coming, later = sessions
    assert held.status == SessionStatus.held and held.ends_at < now
    assert held.report and held.report_published_at and held.report_published_at <= now
    assert now < coming.starts_at < later.starts_at
    assert coming.starts_at.tzinfo is not None
    docs = db.exec(select(Document).where(Document.session_id == coming.id)).all()
    assert docs and all(d.release_at <= now for d in docs)
    for s in sessions:
        items = db.exec(select(AgendaItem).where(AgendaItem.session_id == s.id)).all()
        assert items and all(s.starts_at <= i.starts_at < i.ends_at <= s.ends_at for i in items)


def test_demo_proposals_have_a_published_version_with_open_window(db):
    now = datetime.now(UTC)
    proposals = db.exec(select(Proposal)).all()
    assert len(proposals) == 2
    for proposal in proposals:
        assert proposal.opens_at < now < proposal.closes_at
        assert 19 <= (proposal.closes_at - now).days <= 21
        version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
        assert version.status == "published"
        sections = db.exec(select(Section).where(Section.version_id == version.id)).all()
        assert 6 <= len(sections) <= 10
        assert all(s.body_html for s in sections)
    assert db.exec(select(func.count()).select_from(Comment)).one() >= 5
    assert any("<table>" in s.body_html for s in db.exec(select(Section)).all())


def test_demo_accounts_sign_in_with_the_demo_password(db):
    for email, role in [
        ("sdfl@example.org", "admin"),
        ("almere@example.org", "municipality"),
        ("noordoostpolder@example.org", "municipality"),
        ("rodante@example.org", "provider"),
        ("s-heeren-loo@example.org", "provider"),
    ]:
        user = db.exec(select(User).where(User.email == email)).one()
        assert user.role == role
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    provider_users = db.exec(select(User).where(User.role == "provider")).all()
    assert len(provider_users) == 14 and all(u.provider_id for u in provider_users)


def test_seed_lists_the_accounts(db):
    text = format_accounts(seed_demo(db))
    assert DEMO_PASSWORD in text
    assert "sdfl@example.org" in text and "rodante@example.org" in text
