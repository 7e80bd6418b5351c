"""Consultation participants comment as providers do (issue 16), and are shown by name or pseudonym per reader.

An experience expert takes part under a pseudonym: other participants (providers, other consultation participants)
see only the pseudonym and the stakeholder group, on the proposal page (whose cache renders per kind of reader),
in the API and in lists; SDFL and the municipalities see the name and the group.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from app.models import Comment, CommentRevision, Dialogue, Proposal, User
from tests import factories
from tests.helpers import csrf_from, key_headers, post_comment

API = "/api/v1"
REAL_NAME = "Wilhelmina Echtenaam"
PSEUDONYM = "Zonnebloem"


@dataclass
class Consultation:
    dialogue: Dialogue
    proposal: Proposal
    expert: User  # an experience expert under a pseudonym
    referrer: User  # a local referrer, by name
    provider: User  # a provider's user that accepted
    admin: User
    municipality: User


@pytest.fixture
def consultation(db: Session) -> Consultation:
    made = factories.dialogue(db, new=True, kind="consultation", title="Consultatie logeren")
    proposal = factories.proposal(db, dialogue_=made, title="Voorstel logeren")
    expert = factories.participant(
        db, dialogue_=made, group="experience_expert", pseudonym=PSEUDONYM, name=REAL_NAME, organisation="Eigen"
    )
    referrer = factories.participant(
        db, dialogue_=made, group="local_referrer", name="Ria Verwijzer", organisation="Wijkteam Almere"
    )
    provider_ = factories.provider(db, invitation="accepted", dialogue_=made)
    world = Consultation(
        dialogue=made,
        proposal=proposal,
        expert=expert,
        referrer=referrer,
        provider=factories.provider_user(db, provider_=provider_),
        admin=factories.admin(db),
        municipality=factories.municipality_user(db),
    )
    db.commit()
    return world


def the_comment(db: Session, body: str) -> Comment:
    db.expire_all()
    return db.exec(select(Comment).where(Comment.body == body)).one()


def test_a_participant_comments_replies_edits_and_withdraws_as_a_provider_does(
    browser, db: Session, consultation: Consultation
) -> None:
    c = browser(consultation.referrer)
    key = factories.section(db, consultation.proposal).key
    assert post_comment(c, consultation.proposal.id, key, {"kind": "zorg", "body": "Wachtlijsten"}).status_code == 303
    comment = the_comment(db, "Wachtlijsten")
    assert comment.provider_id is None and comment.author_id == consultation.referrer.id

    reply = {"kind": "", "body": "Nog een aanvulling", "parent_id": str(comment.id)}
    assert post_comment(c, consultation.proposal.id, key, reply).status_code == 303
    assert the_comment(db, "Nog een aanvulling").parent_id == comment.id

    token = csrf_from(c.get(f"/comments/{comment.id}/edit").text)
    edited = c.post(
        f"/comments/{comment.id}/edit",
        data={"kind": "vraag", "body": "Wachtlijsten en wachttijden", "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert db.exec(select(CommentRevision).where(CommentRevision.comment_id == comment.id)).one().body == "Wachtlijsten"

    # Another participant may not change it; a provider of the same consultation neither.
    for other in (consultation.expert, consultation.provider):
        o = browser(other)
        token = csrf_from(o.get(f"/proposals/{consultation.proposal.id}").text)
        refused = o.post(f"/comments/{comment.id}/withdraw", data={"csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 403

    token = csrf_from(c.get(f"/proposals/{consultation.proposal.id}").text)
    assert (
        c.post(
            f"/comments/{comment.id}/withdraw", data={"csrf_token": token, "confirm": "1"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert the_comment(db, "Wachtlijsten en wachttijden").deleted_at is not None

    # Through the API as well, with a participant's key.
    headers = key_headers(db, consultation.referrer)
    section = factories.section(db, consultation.proposal)
    made = c.post(
        f"{API}/comments", json={"section_id": section.id, "kind": "steun", "body": "Via de API"}, headers=headers
    )
    assert made.status_code == 201, made.text
    assert made.json()["provider"] is None
    assert made.json()["author"]["stakeholder_group"] == "local_referrer"


def test_a_participant_cannot_comment_when_the_window_is_closed(browser, db: Session, consultation) -> None:
    from datetime import timedelta

    from app.kit import clock

    consultation.proposal.closes_at = clock.now() - timedelta(days=1)
    db.add(consultation.proposal)
    db.commit()
    c = browser(consultation.referrer)
    key = factories.section(db, consultation.proposal).key
    assert post_comment(c, consultation.proposal.id, key, {"kind": "zorg", "body": "Te laat"}).status_code == 409


def test_other_participants_see_the_pseudonym_staff_see_the_name_and_group(
    browser, db: Session, consultation: Consultation
) -> None:
    section = factories.section(db, consultation.proposal)
    written = factories.comment(db, section, consultation.expert, "Logeren moet dichtbij huis kunnen.")
    factories.reply(db, written, consultation.expert, "En met vaste begeleiders.")
    db.commit()
    page_url = f"/proposals/{consultation.proposal.id}"

    def read(who: User) -> str:
        page = browser(who).get(page_url)
        assert page.status_code == 200
        assert "Logeren moet dichtbij huis kunnen." in page.text
        return page.text

    # In turns, so that every kind of reader meets the cache the one before filled.
    for _round in range(2):
        for who in (consultation.provider, consultation.referrer):
            text = read(who)
            assert PSEUDONYM in text and "Ervaringsdeskundige" in text
            assert REAL_NAME not in text
        for who in (consultation.admin, consultation.municipality):
            text = read(who)
            assert REAL_NAME in text and "Ervaringsdeskundige" in text
    # The section's own page and the comment's page too.
    other = browser(consultation.provider)
    for url in (f"{page_url}/sections/{section.key}", f"/comments/{written.id}"):
        text = other.get(url, follow_redirects=True).text
        assert PSEUDONYM in text and REAL_NAME not in text

    # The API: the provider's key sees the pseudonym only; the admin's the name and the group.
    listed = other.get(f"{API}/comments", params={"page_size": 100}, headers=key_headers(db, consultation.provider))
    assert REAL_NAME not in listed.text
    authors = [i["author"] for i in listed.json()["items"] if i["id"] == written.id]
    assert authors == [
        {
            "id": consultation.expert.id,
            "name": PSEUDONYM,
            "organisation": "Ervaringsdeskundige",
            "stakeholder_group": "experience_expert",
        }
    ]
    one = other.get(f"{API}/comments/{written.id}", headers=key_headers(db, consultation.provider))
    assert REAL_NAME not in one.text and PSEUDONYM in one.text
    staff = other.get(f"{API}/comments/{written.id}", headers=key_headers(db, consultation.admin)).json()
    assert REAL_NAME in staff["author"]["name"] and "Ervaringsdeskundige" in staff["author"]["organisation"]

    # The review pages and the export (staff only) name the person and the group.
    admin = browser(consultation.admin)
    review = admin.get(f"/review/comments/{written.id}").text
    assert REAL_NAME in review and "Ervaringsdeskundige" in review
    export = admin.get("/review/export", params={"format": "csv", "dialogue_id": consultation.dialogue.id})
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert REAL_NAME in text and "Ervaringsdeskundige" in text and "Consultatie logeren" in text
    # The provider's own list of its feedback does not leak the name either.
    assert REAL_NAME not in other.get("/my/comments").text
