"""Equal treatment per trajectory (issue 16): only the members of a trajectory take part in it, and nothing of one
trajectory reaches the members of another.

Two trajectories: A (a dialogue) and B (a consultation). Each has a proposal only for participants with a
comment on it, a public proposal, and a document for participants. A provider's user whose provider accepted in A
(and has another status, or none, in B) and a consultation participant approved in B (and not in A) each read,
comment on and list only their own trajectory's participant-only things; public things stay public; staff see
everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Comment, Dialogue, Document, Proposal, Section, User
from tests import factories
from tests.helpers import csrf_from, key_headers, post_comment

API = "/api/v1"


@dataclass
class Trajectory:
    dialogue: Dialogue
    private: Proposal  # for participants only
    public: Proposal
    section: Section  # of the private proposal
    comment: Comment  # on the private proposal
    document: Document  # for participants
    public_document: Document


@dataclass
class World:
    a: Trajectory
    b: Trajectory
    provider: User  # accepted in A
    participant: User  # approved in B
    admin: User


def trajectory(db: Session, kind: str, author: User | None, name: str) -> Trajectory:
    made = factories.dialogue(db, new=True, kind=kind, title=f"Traject {name}")
    private = factories.proposal(db, dialogue_=made, title=f"Besloten voorstel {name}")
    public = factories.proposal(db, dialogue_=made, title=f"Openbaar voorstel {name}", public=True)
    section = factories.section(db, private)
    writer = author or factories.admin(db)
    comment = factories.comment(db, section, writer, f"Reactie in traject {name}")
    return Trajectory(
        dialogue=made,
        private=private,
        public=public,
        section=section,
        comment=comment,
        document=factories.document(db, dialogue_=made, title=f"Stuk voor deelnemers {name}"),
        public_document=factories.document(db, dialogue_=made, title=f"Openbaar stuk {name}", audience="public"),
    )


def make_world(db: Session, *, provider_in_b: str | None = None, participant_in_a: str | None = None) -> World:
    a = trajectory(db, "dialogue", None, "A")
    b = trajectory(db, "consultation", None, "B")
    provider_ = factories.provider(db, invitation="accepted", dialogue_=a.dialogue)
    if provider_in_b:
        factories.invite(db, provider_, status=provider_in_b, dialogue_=b.dialogue)
    provider_user = factories.provider_user(db, provider_=provider_)
    participant = factories.participant(db, dialogue_=b.dialogue, status="approved", group="local_referrer")
    if participant_in_a:
        factories.join(db, participant, dialogue_=a.dialogue, status=participant_in_a)
    # Each member wrote in its own trajectory too.
    factories.comment(db, a.section, provider_user, "Reactie van de aanbieder in A")
    factories.comment(db, b.section, participant, "Reactie van de deelnemer in B")
    world = World(a=a, b=b, provider=provider_user, participant=participant, admin=factories.admin(db))
    db.commit()
    return world


@pytest.fixture
def world(db: Session) -> World:
    return make_world(db)


def post_to(c: TestClient, proposal: Proposal, key: str, body: str, *, via: Proposal) -> int:
    """Post a comment on ``proposal`` with the CSRF token of a page the member may read (``via``)."""
    token = csrf_from(c.get(f"/proposals/{via.id}").text)
    data = {"kind": "zorg", "body": body, "csrf_token": token}
    return c.post(f"/proposals/{proposal.id}/sections/{key}/comments", data=data, follow_redirects=False).status_code


def members(world: World) -> list[tuple[User, Trajectory, Trajectory]]:
    """(member, its own trajectory, the other one)."""
    return [(world.provider, world.a, world.b), (world.participant, world.b, world.a)]


# --- reading ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provider", "participant"])
def test_a_member_reads_its_own_trajectory_and_not_the_other(browser, world: World, who: str) -> None:
    member, own, other = members(world)[0 if who == "provider" else 1]
    c = browser(member)
    page = c.get(f"/proposals/{own.private.id}")
    assert page.status_code == 200
    assert own.comment.body in page.text
    assert c.get(f"/proposals/{other.private.id}").status_code in (403, 404)
    assert c.get(f"/proposals/{other.private.id}/sections/{other.section.key}").status_code in (403, 404)
    assert c.get(f"/comments/{other.comment.id}").status_code in (403, 404)
    # The other's public proposal is public: readable, but its comments are for its members only.
    public = c.get(f"/proposals/{other.public.id}")
    assert public.status_code == 200
    assert 'class="comment-form"' not in public.text
    assert c.get(f"/proposals/{other.public.id}/sections/{other.section.key}").status_code in (403, 404)


@pytest.mark.parametrize("who", ["provider", "participant"])
def test_a_member_does_not_comment_on_the_other_trajectory(browser, db: Session, world: World, who: str) -> None:
    member, own, other = members(world)[0 if who == "provider" else 1]
    c = browser(member)
    refused = post_comment(c, other.public.id, other.section.key, {"kind": "zorg", "body": "Mag dit?"})
    assert refused.status_code in (403, 404)
    assert post_to(c, other.private, other.section.key, "Mag dit?", via=own.private) in (403, 404)
    done = post_comment(c, own.private.id, own.section.key, {"kind": "zorg", "body": "Eigen traject."})
    assert done.status_code == 303
    headers = key_headers(db, member)
    body = {"section_id": other.section.id, "kind": "zorg", "body": "Via de API"}
    assert c.post(f"{API}/comments", json=body, headers=headers).status_code in (403, 404)
    reply = {"section_id": other.section.id, "parent_id": other.comment.id, "body": "Antwoord"}
    assert c.post(f"{API}/comments", json=reply, headers=headers).status_code in (403, 404, 422)
    body = {"section_id": own.section.id, "kind": "zorg", "body": "Via de API, eigen traject"}
    assert c.post(f"{API}/comments", json=body, headers=headers).status_code == 201


@pytest.mark.parametrize("who", ["provider", "participant"])
def test_the_api_shows_a_member_only_its_own_trajectory(browser, db: Session, world: World, who: str) -> None:
    member, own, other = members(world)[0 if who == "provider" else 1]
    c = browser()
    headers = key_headers(db, member)
    listed = c.get(f"{API}/comments", params={"page_size": 100}, headers=headers).json()
    bodies = {item["body"] for item in listed["items"]}
    assert own.comment.body in bodies
    assert other.comment.body not in bodies
    assert not any("in B" in b for b in bodies) if own is world.a else not any("in A" in b for b in bodies)
    assert listed["total"] == len(listed["items"])
    assert c.get(f"{API}/comments/{other.comment.id}", headers=headers).status_code in (403, 404)
    assert c.get(f"{API}/comments", params={"proposal_id": other.private.id}, headers=headers).json()["items"] == []
    assert c.get(f"{API}/proposals/{other.private.id}", headers=headers).status_code in (403, 404)
    assert c.get(f"{API}/proposals/{own.private.id}", headers=headers).status_code == 200
    titles = {p["title"] for p in c.get(f"{API}/proposals", params={"page_size": 100}, headers=headers).json()["items"]}
    assert {own.private.title, own.public.title, other.public.title} <= titles
    assert other.private.title not in titles


@pytest.mark.parametrize("who", ["provider", "participant"])
def test_lists_and_counts_show_a_member_only_its_own_trajectory(browser, world: World, who: str) -> None:
    member, own, other = members(world)[0 if who == "provider" else 1]
    c = browser(member)
    listing = c.get("/proposals").text
    assert own.private.title in listing and other.public.title in listing
    assert other.private.title not in listing
    mine = c.get("/my/comments").text
    assert other.comment.body not in mine


def test_staff_see_every_trajectory(browser, db: Session, world: World) -> None:
    for who in (world.admin, factories.municipality_user(db)):
        db.commit()
        c = browser(who)
        for t in (world.a, world.b):
            assert c.get(f"/proposals/{t.private.id}").status_code == 200
        bodies = {
            i["body"]
            for i in c.get(f"{API}/comments", params={"page_size": 100}, headers=key_headers(db, who)).json()["items"]
        }
        assert {world.a.comment.body, world.b.comment.body} <= bodies


# Per status in the other trajectory: only accepted/approved takes part.
@pytest.mark.parametrize("status", ["pending", "declined", "withdrawn"])
def test_a_provider_not_accepted_in_b_does_not_take_part_in_b(browser, db: Session, status: str) -> None:
    world = make_world(db, provider_in_b=status)
    c = browser(world.provider)
    assert c.get(f"/proposals/{world.b.private.id}").status_code in (403, 404)
    assert c.get(f"/proposals/{world.a.private.id}").status_code == 200
    assert post_to(c, world.b.private, world.b.section.key, "x", via=world.a.private) in (403, 404)


def test_a_provider_accepted_in_both_takes_part_in_both(browser, db: Session) -> None:
    world = make_world(db, provider_in_b="accepted")
    c = browser(world.provider)
    assert c.get(f"/proposals/{world.b.private.id}").status_code == 200
    assert post_comment(c, world.b.private.id, world.b.section.key, {"kind": "zorg", "body": "y"}).status_code == 303


@pytest.mark.parametrize("status", ["requested", "refused", "withdrawn", "unconfirmed"])
def test_a_participant_not_approved_in_a_does_not_take_part_in_a(browser, db: Session, status: str) -> None:
    world = make_world(db, participant_in_a=status)
    c = browser(world.participant)
    assert c.get(f"/proposals/{world.a.private.id}").status_code in (403, 404)
    assert c.get(f"/proposals/{world.b.private.id}").status_code == 200


# --- documents --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["provider", "participant"])
def test_documents_of_the_other_trajectory_stay_hidden(browser, db: Session, world: World, who: str) -> None:
    member, own, other = members(world)[0 if who == "provider" else 1]
    c = browser(member)
    listing = c.get("/documents").text
    assert own.document.title in listing and other.public_document.title in listing
    assert other.document.title not in listing
    assert c.get(f"/documents/{own.document.id}/download").status_code == 200
    assert c.get(f"/documents/{other.document.id}/download").status_code == 404
    assert c.get(f"/documents/{other.public_document.id}/download").status_code == 200
    headers = key_headers(db, member)
    titles = {d["title"] for d in c.get(f"{API}/documents", params={"page_size": 100}, headers=headers).json()["items"]}
    assert own.document.title in titles and other.public_document.title in titles
    assert other.document.title not in titles
    assert c.get(f"{API}/documents/{other.document.id}", headers=headers).status_code == 404
    only_other = c.get(f"{API}/documents", params={"dialogue_id": other.dialogue.id}, headers=headers).json()
    assert {d["title"] for d in only_other["items"]} == {other.public_document.title}


# --- mail to the members of one trajectory ------------------------------------------------------------------


def test_publication_and_release_mails_go_to_the_trajectory_s_members_only(db: Session, world: World) -> None:
    from sqlmodel import select

    from app.dialogues.participants import approved_participants, members
    from app.documents.service import notify_released_documents, release_recipients
    from app.models import OutboxMessage
    from app.proposals import manage

    assert approved_participants(db, world.b.dialogue.id) == [world.participant]
    assert approved_participants(db, world.a.dialogue.id) == []
    assert world.provider in members(db, world.a.dialogue.id) and world.participant not in members(
        db, world.a.dialogue.id
    )
    assert world.participant in release_recipients(db, world.b.dialogue.id)
    assert world.provider not in release_recipients(db, world.b.dialogue.id)

    def recipients_of(publish_in: Trajectory) -> set[str]:
        before = len(db.exec(select(OutboxMessage)).all())
        draft = factories.proposal(db, dialogue_=publish_in.dialogue, published=False)
        manage.publish(db, draft, change_summary="", actor=world.admin)
        db.flush()
        return {m.to_address for m in db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]}

    in_b = recipients_of(world.b)
    assert world.participant.email in in_b and world.provider.email not in in_b
    in_a = recipients_of(world.a)
    assert world.provider.email in in_a and world.participant.email not in in_a

    before = len(db.exec(select(OutboxMessage)).all())
    factories.document(db, dialogue_=world.b.dialogue, title="Nieuw stuk B", notified_at=None)
    notify_released_documents(db)
    told = {m.to_address for m in db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]}
    assert world.participant.email in told and world.provider.email not in told
