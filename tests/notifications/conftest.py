"""A trajectory with SDFL, two providers' contacts, a municipality's officer and a proposal with a question, on a
frozen clock (Monday 7 December 2026, 10:00 in Amsterdam); helpers that run the worker's pass against aiosmtpd."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import Session

from app.cli import run_scheduled_tasks
from app.config import Settings
from app.feedback import release as releasing
from app.kit import clock
from app.mail.service import send_pending
from app.models import Comment, Dialogue, Proposal, Section, User
from app.policy import Principal
from tests import factories

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Amsterdam
NEXT_MORNING = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # 07:00 in Amsterdam: the digest's hour

SECTIONS = (
    ("reikwijdte", "Reikwijdte", "Dit voorstel gaat over jeugdhulp."),
    ("tarieven", "Tarieven", "De tarieven worden per product vastgesteld."),
    ("wachttijd", "Vraag: wachttijden", "Hoe lang zijn de wachttijden nu?", "question"),
)


@dataclass
class World:
    dialogue: Dialogue
    admin: User
    provider: User  # contact of the first provider
    colleague: User  # the first provider's other contact
    other: User  # contact of a second provider
    officer: User  # a municipality's user
    proposal: Proposal
    sections: dict[str, Section]

    def comment(
        self, db: Session, author: User, key: str = "reikwijdte", body: str = "Wachttijden lopen op."
    ) -> Comment:
        return factories.comment(db, self.sections[key], author, body)

    def release(self, db: Session, at: datetime | None = None) -> releasing.Pending:
        return releasing.release(db, Principal(user=self.admin), at, dialogue=self.dialogue)


@pytest.fixture
def world(db: Session) -> World:
    clock.freeze(NOW)
    dialogue = factories.dialogue(db, new=True, signoff_chosen=True)  # no municipality has to approve
    admin = factories.admin(db)
    provider = factories.provider_user(db)
    colleague = factories.provider_user(db, provider_id=provider.provider_id)
    other = factories.provider_user(db)
    officer = factories.municipality_user(db)
    proposal = factories.proposal(db, sections=SECTIONS, dialogue_=dialogue, title="Productstructuur")
    sections = {s.key: s for s in factories.sections(db, proposal)}
    db.commit()
    return World(dialogue, admin, provider, colleague, other, officer, proposal, sections)


def worker_pass(db: Session, settings: Settings) -> None:
    """What one pass of ``dialoog worker`` does: the scheduled tasks, then the due mail over SMTP."""
    run_scheduled_tasks(db)
    send_pending(db, settings=settings, commit=False)


def received(smtp, to: str) -> list[EmailMessage]:
    collector, _port = smtp
    return [m for m in collector.messages if m["To"] == to]


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return part.get_content()


def later(hours: float) -> None:
    clock.advance(timedelta(hours=hours))
