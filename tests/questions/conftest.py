"""The world of the questions tests: the demo's trajectory, SDFL, the four municipalities, providers that
accepted (rodante, re-care), one that declined, an approved and a refused consultation participant, and a planned
session three weeks ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.demo import DEMO_PASSWORD
from app.kit import clock
from app.models import Dialogue, DialogueSession, Invitation, InvitationStatus, Nota, Participation, Question, User
from app.policy import PARTICIPATION_AS_INVITATION, Principal
from app.questions import asking, drafting, notas
from tests import factories

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    dialogue: Dialogue
    meeting: DialogueSession
    people: dict[str, User]

    def principal(self, db: Session, name: str) -> Principal:
        """The principal of ``name`` as the app resolves it: with its provider's invitations or its participations."""
        return principal_of(db, self.people[name])


def principal_of(db: Session, user: User) -> Principal:
    memberships: dict[int, str] = {}
    if user.provider_id is not None:
        for inv in db.exec(select(Invitation).where(Invitation.provider_id == user.provider_id)).all():
            memberships[inv.dialogue_id] = inv.status
    for p in db.exec(select(Participation).where(Participation.user_id == user.id)).all():
        if p.status in PARTICIPATION_AS_INVITATION:
            memberships[p.dialogue_id] = PARTICIPATION_AS_INVITATION[p.status]
    return Principal(user=user, memberships=memberships)


@pytest.fixture
def world(db: Session) -> World:
    clock.freeze(NOW)
    dialogue = factories.demo_dialogue(db)
    people = factories.accounts(
        db,
        "sdfl@example.org",
        "almere@example.org",
        "dronten@example.org",
        "urk@example.org",
        "noordoostpolder@example.org",
        "rodante@example.org",
        "re-care@example.org",
    )
    people["declined"] = factories.account(db, "afgemeld@example.org", invitation=InvitationStatus.declined)
    people["participant"] = factories.participant(db)
    people["refused"] = factories.participant(db, status="refused")
    meeting = factories.meeting(db, starts_at=NOW + timedelta(days=21))
    db.commit()
    short = {email.split("@")[0]: u for email, u in people.items()}
    return World(dialogue, meeting, short)


def ask(db: Session, world: World, who: str = "rodante", text: str = "Hoe worden de tarieven geïndexeerd?", **kw):
    return asking.ask(db, world.principal(db, who), world.dialogue, asking.QuestionInput(text=text, **kw))


def answer(db: Session, world: World, question: Question, answer_text: str = "Jaarlijks, met de OVA.", text=None):
    admin = world.principal(db, "sdfl")
    return drafting.save_draft(
        db, admin, question, drafting.Draft(text=text or question.text, answer=answer_text), actor=admin.user
    )


def nota(db: Session, world: World, questions: list[Question], title: str = "Eerste nota") -> Nota:
    admin = world.principal(db, "sdfl")
    return notas.compose(
        db,
        admin,
        world.dialogue,
        notas.NotaInput(title=title, question_ids=[q.id for q in questions]),
        actor=admin.user,
    )


def approve_all(db: Session, world: World, n, names=("almere", "dronten", "urk", "noordoostpolder")) -> None:
    digest = notas.nota_digest(db, n)
    for name in names:
        notas.decide(db, world.principal(db, name), n, decision="approve", note="", digest=digest)


@pytest.fixture
def as_(app, world):
    """``as_(name)``: a browser signed in as one of the world's people (``as_(None)``: the public)."""
    from fastapi.testclient import TestClient

    from tests.helpers import signed_in

    opened: list[TestClient] = []

    def make(name: str | None) -> TestClient:
        c = TestClient(app, base_url="http://testserver")
        opened.append(c)
        if name is not None:
            signed_in(
                c,
                world.people[name].email,
                DEMO_PASSWORD if "@example.org" in world.people[name].email else factories.PASSWORD,
            )
        return c

    yield make
    for c in opened:
        c.close()
