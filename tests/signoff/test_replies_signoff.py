"""Sign-off of SDFL's official replies and decisions (issue 17): the release of a trajectory's replies and
decisions waits for the approval of every required municipality of exactly what goes out; a change withdraws it;
SDFL may override with a written reason; the check page shows every item. Per role."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.kit.markdown import render_markdown
from app.models import AuditEvent, Comment, Dialogue, Municipality, OutboxMessage
from app.policy import Principal
from app.signoff import service as signoff
from tests import factories
from tests.helpers import find_proposal, find_user, login, post_form

ADMIN, PROVIDER = "sdfl@example.org", "rodante@example.org"
TOWNS = ["almere", "dronten", "noordoostpolder", "urk"]  # the demo's municipalities in the procurement
CHECK = "/review/release/check"


@pytest.fixture(autouse=True)
def world(db: Session) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


def comment_by(db: Session, email: str, body: str, proposal_slug: str = "product-structure") -> Comment:
    author = find_user(db, email)
    proposal = find_proposal(db, proposal_slug)
    comment = Comment(
        section_id=factories.section(db, proposal).id,
        author_id=author.id,
        provider_id=author.provider_id,
        kind="zorg",
        body=body,
        body_html=render_markdown(body, heading_offset=3),
    )
    db.add(comment)
    db.commit()
    return comment


def as_user(client: TestClient, email: str | None) -> TestClient:
    client.cookies.clear()
    if email:
        assert login(client, email).status_code == 303
    return client


def page(dialogue) -> str:
    return f"{CHECK}?dialogue={dialogue.slug}"


def digest_on(html: str) -> str:
    found = re.search(r'name="digest" value="([0-9a-f]{64})"', html)
    assert found, "no digest on the page"
    return found.group(1)


@pytest.fixture
def drafted(client: TestClient, db: Session) -> dict:
    """SDFL answered a provider's comment (a drafted official reply) and decided on it (a pending decision)."""
    comment = comment_by(db, PROVIDER, "Wachttijden in Urk lopen op.")
    as_user(client, ADMIN)
    answered = post_form(
        client, f"/review/comments/{comment.id}/triage",
        {"status": "deels_overgenomen", "reply": "We nemen het deels over."}, page="/review",
    )  # fmt: skip
    assert answered.status_code == 303
    trajectory = db.exec(select(Dialogue)).first()
    reply = db.exec(select(Comment).where(Comment.parent_id == comment.id, col(Comment.official))).one()
    return {"comment": comment, "reply": reply, "dialogue": trajectory}


def decide(client: TestClient, db: Session, town: str, dialogue, decision: str = "approve", note: str = ""):
    as_user(client, f"{town}@example.org")
    html = client.get(page(dialogue)).text
    data = {"dialogue_id": str(dialogue.id), "digest": digest_on(html), "decision": decision, "note": note}
    return post_form(client, f"{CHECK}/decision", data, page=page(dialogue))


def release(client: TestClient, dialogue, **data):
    as_user(client, ADMIN)
    return post_form(client, "/review/release", {"dialogue_id": str(dialogue.id), **data}, page=page(dialogue))


def released(db: Session, reply: Comment) -> bool:
    db.expire_all()
    return db.get(Comment, reply.id).release_at is not None


def test_the_check_page_lists_exactly_what_goes_out_and_the_standings(client, db, drafted):
    d = drafted["dialogue"]
    html = as_user(client, "almere@example.org").get(page(d)).text
    assert "We nemen het deels over." in html
    assert f'href="/review/comments/{drafted["comment"].id}"' in html and "Deels overgenomen" in html
    for town in ("Almere", "Dronten", "Noordoostpolder", "Urk"):
        assert f'<th scope="row">{town}</th>' in html
    assert "Nog geen akkoord van: Almere, Dronten, Noordoostpolder, Urk." in html
    # A required municipality decides; SDFL's controls are not there.
    assert "/review/release/check/decision" in html
    assert "/review/release/check/override" not in html and 'action="/review/release"' not in html
    assert "/review/release/check/ask" not in html
    admin = as_user(client, ADMIN).get(page(d)).text
    assert "/review/release/check/decision" not in admin
    assert "/review/release/check/override" in admin and 'action="/review/release"' in admin
    assert "/review/release/check/ask" in admin
    # The dashboard points reviewers to the check page.
    assert f'href="{page(d)}"' in as_user(client, "almere@example.org").get("/review").text


def test_the_release_is_blocked_until_every_required_municipality_approved(client, db, drafted):
    d, reply = drafted["dialogue"], drafted["reply"]
    blocked = release(client, d)
    assert blocked.status_code == 409
    assert "Nog geen akkoord van: Almere, Dronten, Noordoostpolder, Urk." in blocked.text
    assert not released(db, reply)
    for town in TOWNS[:3]:
        assert decide(client, db, town, d).status_code == 303
    still = release(client, d)
    assert still.status_code == 409 and "Nog geen akkoord van: Urk." in still.text and not released(db, reply)
    assert decide(client, db, "urk", d).status_code == 303
    done = release(client, d)
    assert done.status_code == 303 and "done=released" in done.headers["location"]
    assert released(db, reply)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "review.released")).one()
    assert event.after["replies"] == [reply.id] and event.after["decisions"] == [drafted["comment"].id]
    assert event.after["signoff"] == "approved" and event.entity_id == str(d.id)
    approvals = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.approve")).all()
    assert len(approvals) == 4


def test_a_change_after_the_approvals_withdraws_them(client, db, drafted):
    d, reply = drafted["dialogue"], drafted["reply"]
    for town in TOWNS:
        assert decide(client, db, town, d).status_code == 303
    as_user(client, ADMIN)
    changed = post_form(
        client, f"/review/comments/{drafted['comment'].id}/triage",
        {"status": "deels_overgenomen", "reply": "We nemen het grotendeels over."}, page="/review",
    )  # fmt: skip
    assert changed.status_code == 303
    html = client.get(page(d)).text
    assert "We nemen het grotendeels over." in html
    assert "Nog geen akkoord van: Almere, Dronten, Noordoostpolder, Urk." in html
    assert "eerder besluit vervallen" in html
    assert release(client, d).status_code == 409 and not released(db, reply)


def test_a_decision_for_content_that_changed_meanwhile_is_refused(client, db, drafted):
    d = drafted["dialogue"]
    as_user(client, "almere@example.org")
    stale = digest_on(client.get(page(d)).text)
    reply = db.get(Comment, drafted["reply"].id)
    reply.body = "Iets anders."
    db.add(reply)
    db.commit()
    data = {"dialogue_id": str(d.id), "digest": stale, "decision": "approve"}
    refused = post_form(client, f"{CHECK}/decision", data, page=page(d))
    assert refused.status_code == 409 and "Er is iets veranderd" in refused.text
    assert not db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.approve")).all()


def test_an_objection_needs_a_note_and_is_shown(client, db, drafted):
    d = drafted["dialogue"]
    bare = decide(client, db, "urk", d, decision="object")
    assert bare.status_code == 422 and "Schrijf bij een bezwaar wat er anders moet." in bare.text
    noted = decide(client, db, "urk", d, decision="object", note="Urk mist de kleine aanbieders.")
    assert noted.status_code == 303
    html = as_user(client, ADMIN).get(page(d)).text
    assert "Bezwaar" in html and "Urk mist de kleine aanbieders." in html


def test_an_override_records_its_reason_and_lets_the_release_go(client, db, drafted):
    d, reply = drafted["dialogue"], drafted["reply"]
    assert decide(client, db, "almere", d).status_code == 303
    as_user(client, ADMIN)
    html = client.get(page(d)).text
    short = post_form(client, f"{CHECK}/override", {"dialogue_id": d.id, "digest": digest_on(html), "reason": "Nu"},
                      page=page(d))  # fmt: skip
    assert short.status_code == 422 and "Schrijf op waarom" in short.text
    reason = "De gemeenten stemden mondeling in tijdens het overleg van dinsdag."
    data = {"dialogue_id": d.id, "digest": digest_on(html), "reason": reason}
    assert post_form(client, f"{CHECK}/override", data, page=page(d)).status_code == 303
    assert reason in client.get(page(d)).text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.overridden")).one()
    assert event.after["reason"] == reason and reason in event.summary
    assert release(client, d).status_code == 303 and released(db, reply)
    done = db.exec(select(AuditEvent).where(AuditEvent.action == "review.released")).one()
    assert done.after["signoff"] == "overridden"
    assert reason in client.get("/admin/audit").text


def test_sdfl_asks_the_required_municipalities_by_mail(client, db, drafted):
    d = drafted["dialogue"]
    as_user(client, ADMIN)
    before = len(db.exec(select(OutboxMessage)).all())
    assert post_form(client, f"{CHECK}/ask", {"dialogue_id": d.id}, page=page(d)).status_code == 303
    mails = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()[before:]
    assert sorted(m.to_address for m in mails) == [f"{t}@example.org" for t in TOWNS]
    assert f"{CHECK}?dialogue={d.slug}" in mails[0].body_text
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.requested")).one()


def test_only_the_required_municipalities_decide(client, db, drafted):
    d = drafted["dialogue"]
    almere = db.exec(select(Municipality).where(Municipality.name == "Almere")).one()
    signoff.set_required(db, Principal(user=find_user(db, ADMIN)), d, [almere.id], actor=find_user(db, ADMIN))
    db.commit()
    html = as_user(client, "urk@example.org").get(page(d)).text
    assert "/review/release/check/decision" not in html and '<th scope="row">Urk</th>' not in html
    data = {
        "dialogue_id": str(d.id),
        "digest": digest_on(as_user(client, ADMIN).get(page(d)).text),
        "decision": "approve",
    }
    as_user(client, "urk@example.org")
    assert post_form(client, f"{CHECK}/decision", data, page=page(d)).status_code == 403
    assert decide(client, db, "almere", d).status_code == 303
    assert release(client, d).status_code == 303 and released(db, drafted["reply"])


def test_the_release_is_per_trajectory(client, db, drafted):
    other = factories.dialogue(db, title="Tweede traject", slug="tweede-traject")
    proposal = factories.proposal(db, dialogue_=other, title="Ander voorstel")
    theirs = Comment(
        section_id=factories.section(db, proposal).id, author_id=find_user(db, ADMIN).id, parent_id=None,
        official=True, body="Antwoord in het andere traject.", kind=None,
    )  # fmt: skip
    db.add(theirs)
    db.commit()
    d = drafted["dialogue"]
    html = as_user(client, ADMIN).get(page(d)).text
    assert "Antwoord in het andere traject." not in html
    assert "Antwoord in het andere traject." in client.get(page(other)).text
    for town in TOWNS:
        decide(client, db, town, d)
    assert release(client, d).status_code == 303
    assert released(db, drafted["reply"]) and not released(db, theirs)


@pytest.mark.parametrize(
    "email,check,decision,override,ask,release_status",
    [
        (None, 303, 303, 303, 303, 303),  # the public is sent to sign in
        (PROVIDER, 403, 403, 403, 403, 403),
        ("almere@example.org", 200, 303, 403, 403, 403),
        (ADMIN, 200, 403, 303, 303, 303),
    ],
)
def test_the_release_and_its_sign_off_per_role(
    client, db, drafted, email, check, decision, override, ask, release_status
):
    d = drafted["dialogue"]
    digest = digest_on(as_user(client, ADMIN).get(page(d)).text)
    # Almere has approved already, the others follow if the override needs company (the admin's release).
    as_user(client, email)
    source = "/login" if email is None else "/account"
    assert client.get(page(d), follow_redirects=False).status_code == check
    base = {"dialogue_id": str(d.id), "digest": digest}
    assert post_form(client, f"{CHECK}/decision", {**base, "decision": "approve"}, page=source).status_code == decision
    reason = {**base, "reason": "Uitzonderlijke spoed, besproken met de gemeenten."}
    assert post_form(client, f"{CHECK}/override", reason, page=source).status_code == override
    assert post_form(client, f"{CHECK}/ask", base, page=source).status_code == ask
    assert post_form(client, "/review/release", base, page=source).status_code == release_status
    assert released(db, drafted["reply"]) == (release_status == 303 and email is not None)
