"""Equal treatment (issue 14, points 1-3): nothing SDFL drafted reaches a provider before its release, not even
through an ETag, and access follows the provider's invitation (pending, accepted, declined, withdrawn).

Data: the demo's providers and proposals (product-structure is public, contract-terms is not), with comments,
documents and keys made per test in the rolled-back transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.kit import clock
from app.kit.markdown import render_markdown
from app.models import (
    AuditEvent,
    Comment,
    Dialogue,
    DialogueSession,
    Document,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    User,
)
from app.proposals import manage
from tests import factories
from tests.helpers import csrf_from, find_user, login, pdf_bytes


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories. These tests are about
    the release, not its sign-off (tests/signoff/test_replies_signoff.py): no municipality's approval is needed."""
    made = factories.demo_world(db)
    for trajectory in db.exec(select(Dialogue)).all():
        trajectory.signoff_chosen = True  # and no municipality chosen
        db.add(trajectory)
    db.commit()
    return made


API = "/api/v1"
PROBLEM = "application/problem+json"
ADMIN = "sdfl@example.org"
ACCEPTED = "rodante@example.org"
PENDING = "its4sure@example.org"
TIMON = "stichting-timon@example.org"


# --- factories -----------------------------------------------------------------------------------


def key_for(db: Session, email: str, scope: str = "write") -> dict[str, str]:
    _row, key = accounts.create_api_key(db, owner=find_user(db, email), scope=scope, name="test", actor=None)
    db.commit()
    return {"Authorization": f"Bearer {key}"}


def section_of(db: Session, slug: str = "product-structure") -> Section:
    return db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(Proposal.slug == slug, ProposalVersion.number == 1)
        .order_by(Section.position)
    ).first()


def comment_by(db: Session, email: str, body: str = "Wachttijden in Urk lopen op.", slug: str = "product-structure"):
    author = find_user(db, email)
    comment = Comment(
        section_id=section_of(db, slug).id,
        author_id=author.id,
        provider_id=author.provider_id,
        kind="zorg",
        body=body,
        body_html=render_markdown(body, heading_offset=3),
        created_at=clock.now(),
    )
    db.add(comment)
    db.commit()
    return comment


def invitation_of(db: Session, email: str) -> Invitation:
    return db.exec(select(Invitation).where(Invitation.provider_id == find_user(db, email).provider_id)).one()


def set_invitation(db: Session, email: str, status: str) -> None:
    invitation = invitation_of(db, email)
    invitation.status = status
    db.add(invitation)
    db.commit()


def browser(app, email: str | None = None) -> TestClient:
    client = TestClient(app, base_url="http://testserver")
    if email:
        assert login(client, email).status_code == 303
    return client


def post(client: TestClient, path: str, data: dict, page: str = "/review"):
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def admin(app) -> Iterator[TestClient]:
    with browser(app, ADMIN) as client:
        yield client


def release_now(admin: TestClient) -> None:
    assert post(admin, "/review/release", {}).status_code == 303


def planned_session(db: Session) -> DialogueSession:
    return db.exec(
        select(DialogueSession).where(DialogueSession.status == "planned").order_by(DialogueSession.starts_at)
    ).first()


# --- 1. ETags are of what the reader sees ----------------------------------------------------------------


def test_a_drafted_decision_and_reply_do_not_move_the_providers_etag(client, db, admin):
    comment = comment_by(db, ACCEPTED)
    provider = key_for(db, ACCEPTED)
    url = f"{API}/comments/{comment.id}"
    before = client.get(url, headers=provider)
    assert before.status_code == 200 and before.json()["status"] == "nieuw"

    drafted = post(
        admin,
        f"/review/comments/{comment.id}/triage",
        {"status": "niet_overgenomen", "reply": "Dit past niet in de kaders."},
    )
    assert drafted.status_code == 303
    after = client.get(url, headers=provider)
    assert after.json() == before.json()
    assert after.headers["etag"] == before.headers["etag"]
    # The provider's edit with the tag it holds still goes through: no 412 because of a hidden change.
    edited = client.patch(
        url, headers={**provider, "If-Match": before.headers["etag"]}, json={"body": "Wachttijden in Urk en Dronten."}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "nieuw"

    # A reviewer sees the working decision, so its tag is of another body.
    reviewer = client.get(url, headers=key_for(db, ADMIN, "read"))
    assert reviewer.json()["status"] == "niet_overgenomen"
    assert reviewer.headers["etag"] != edited.headers["etag"]

    release_now(admin)
    released = client.get(url, headers=provider)
    assert released.json()["status"] == "niet_overgenomen"
    assert released.headers["etag"] != edited.headers["etag"]


def test_two_readers_who_see_the_same_body_get_the_same_etag(client, db):
    comment = comment_by(db, ACCEPTED)
    url = f"{API}/comments/{comment.id}"
    one = client.get(url, headers=key_for(db, ACCEPTED, "read"))
    other = client.get(url, headers=key_for(db, "triade-vitree@example.org", "read"))
    assert one.json() == other.json()
    assert one.headers["etag"] == other.headers["etag"]


def test_the_public_invitation_etag_ignores_the_note_and_the_responder_it_hides(client, db):
    invitation = invitation_of(db, ACCEPTED)
    url = f"{API}/invitations/{invitation.id}"
    own = key_for(db, ACCEPTED, "read")
    public_before, own_before = client.get(url), client.get(url, headers=own)
    assert public_before.json()["note"] is None and public_before.json()["responded_by"] is None
    invitation.note = "Wij komen met twee mensen."
    invitation.responded_by_id = find_user(db, ADMIN).id
    db.add(invitation)
    db.commit()
    public_after, own_after = client.get(url), client.get(url, headers=own)
    assert public_after.headers["etag"] == public_before.headers["etag"]
    assert own_after.headers["etag"] != own_before.headers["etag"]  # the provider sees its note


def test_a_draft_version_does_not_move_the_proposal_etag_of_participants(client, db):
    proposal = db.exec(select(Proposal).where(Proposal.slug == "product-structure")).one()
    url = f"{API}/proposals/{proposal.id}"
    provider = key_for(db, ACCEPTED, "read")
    before, admin_before = client.get(url, headers=provider), client.get(url, headers=key_for(db, ADMIN, "read"))
    manage.new_version(db, proposal, actor=find_user(db, ADMIN))
    db.commit()
    after = client.get(url, headers=provider)
    assert after.headers["etag"] == before.headers["etag"]
    assert client.get(url).headers["etag"] == before.headers["etag"]  # the public reads the same body
    assert admin_before.status_code == 200


def test_hidden_columns_of_a_document_and_a_user_do_not_move_their_etags(client, db, admin):
    document = Document(
        dialogue_id=factories.dialogue(db).id,
        title="Kaders",
        filename="kaders.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
        storage_path="nowhere.pdf",
        audience="public",
        release_at=clock.now() - timedelta(hours=1),
    )
    db.add(document)
    db.commit()
    url = f"{API}/documents/{document.id}"
    before = client.get(url)
    document.notified_at = clock.now()
    document.storage_path = "elsewhere.pdf"
    db.add(document)
    db.commit()
    assert client.get(url).headers["etag"] == before.headers["etag"]

    admin_key = key_for(db, ADMIN, "read")
    urk = find_user(db, "urk@example.org")
    user_before = client.get(f"{API}/users/{urk.id}", headers=admin_key)
    urk.password_hash = "changed"
    db.add(urk)
    db.commit()
    assert client.get(f"{API}/users/{urk.id}", headers=admin_key).headers["etag"] == user_before.headers["etag"]


@pytest.mark.parametrize("resource", ["users", "invitations", "comments"])
def test_every_patch_and_delete_needs_if_match(client, db, resource):
    admin = key_for(db, ADMIN)
    if resource == "users":
        target, body = find_user(db, "urk@example.org").id, {"name": "Team jeugd Urk"}
        headers = admin
    elif resource == "invitations":
        target, body = invitation_of(db, PENDING).id, {"status": "accepted"}
        headers = admin
    else:
        target, body = comment_by(db, ACCEPTED).id, {"body": "Anders verwoord."}
        headers = key_for(db, ACCEPTED)
    url = f"{API}/{resource}/{target}"
    missing = client.patch(url, headers=headers, json=body)
    assert missing.status_code == 428 and missing.headers["content-type"].startswith(PROBLEM)
    assert "If-Match" in missing.json()["detail"]
    weak = client.patch(url, headers={**headers, "If-Match": "W/" + client.get(url, headers=headers).headers["etag"]})
    assert weak.status_code in (412, 422)  # a weak tag never matches (RFC 9110: If-Match compares strongly)
    tag = client.get(url, headers=headers).headers["etag"]
    assert client.patch(url, headers={**headers, "If-Match": tag}, json=body).status_code == 200
    if resource == "comments":
        assert client.delete(url, headers=headers).status_code == 428


# --- 2. nothing drafted about a comment reaches its author --------------------------------------------


def provider_views(client: TestClient, db: Session, comment: Comment, key: dict[str, str]) -> dict[str, str]:
    """Every place a provider reads its comment: the pages and the API."""
    proposal_id = db.exec(
        select(ProposalVersion.proposal_id)
        .join(Section, col(Section.version_id) == ProposalVersion.id)
        .where(Section.id == comment.section_id)
    ).one()
    return {
        "mine": client.get("/my/comments").text,
        "thread": client.get(f"/comments/{comment.id}", follow_redirects=True).text,
        "proposal": client.get(f"/proposals/{proposal_id}").text,
        "api-one": client.get(f"{API}/comments/{comment.id}", headers=key).text,
        "api-list": client.get(f"{API}/comments", headers=key, params={"page_size": 100}).text,
        "api-filtered": client.get(f"{API}/comments", headers=key, params={"status": "bespreken_in_sessie"}).text,
    }


def test_a_comment_put_on_the_agenda_is_shown_to_its_author_only_from_the_release(app, client, db, admin):
    comment = comment_by(db, ACCEPTED)
    ds = planned_session(db)
    done = post(admin, f"/review/comments/{comment.id}/agenda", {"session_id": ds.id, "title": "Wachttijden in Urk"})
    assert done.status_code == 303
    key = key_for(db, ACCEPTED, "read")
    with browser(app, ACCEPTED) as provider:
        before = provider_views(provider, db, comment, key)
        for place, text in before.items():
            assert "Op de agenda" not in text, place
            assert "bespreken_in_sessie" not in text and "Bespreken in sessie" not in text, place
        assert f'"id":{comment.id}' not in before["api-filtered"]
        assert "Wachttijden in Urk lopen op." in before["mine"]  # the comment itself is there

        release_now(admin)
        after = provider_views(provider, db, comment, key)
    assert f"Op de agenda van sessie {ds.number}: Wachttijden in Urk" in after["mine"]
    assert "Bespreken in sessie" in after["thread"] and "Bespreken in sessie" in after["mine"]
    assert '"status":"bespreken_in_sessie"' in after["api-one"]
    assert f'"id":{comment.id}' in after["api-filtered"]


def test_the_release_counts_and_releases_an_agenda_link_on_its_own(client, db, admin):
    comment = comment_by(db, ACCEPTED)
    comment.status = comment.published_status = "bespreken_in_sessie"  # decided and released earlier
    db.add(comment)
    db.commit()
    ds = planned_session(db)
    assert (
        post(admin, f"/review/comments/{comment.id}/agenda", {"session_id": ds.id, "title": "Extra"}).status_code == 303
    )
    assert "wachten op vrijgave" in admin.get("/review").text  # the link alone is something to release
    release_now(admin)
    again = post(admin, "/review/release", {})
    assert again.status_code == 409


# --- 3. access follows the invitation -----------------------------------------------------------------


def upload_participant_document(admin: TestClient) -> int:
    token = csrf_from(admin.get("/admin/documents").text)
    response = admin.post(
        "/admin/documents",
        data={"title": "Werkdocument sessie", "session_id": "", "audience": "participants", "release_at": ""},
        files={"file": ("werkdocument.pdf", pdf_bytes(), "application/pdf")},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return int(re.search(r"/admin/documents/(\d+)", response.headers["location"]).group(1))


STATUS_CASES = ["accepted", "pending", "declined", "withdrawn"]


@pytest.mark.parametrize("status", STATUS_CASES)
def test_what_a_provider_may_do_follows_its_invitation(app, client, db, admin, status):
    earlier = comment_by(db, TIMON, "Onze eerdere reactie.", slug="contract-terms")
    set_invitation(db, TIMON, status)
    document_id = upload_participant_document(admin)
    key = key_for(db, TIMON)
    takes_part = status == "accepted"

    posted = client.post(
        f"{API}/comments", headers=key, json={"section_id": section_of(db).id, "kind": "zorg", "body": "Een reactie."}
    )
    assert posted.status_code == (201 if takes_part else 403), posted.text
    if not takes_part:
        assert posted.headers["content-type"].startswith(PROBLEM)
        assert "accepted the invitation" in posted.json()["detail"]
    download = client.get(f"{API}/documents/{document_id}/download", headers=key)
    assert download.status_code == (200 if takes_part else 404)
    listed = client.get(f"{API}/documents", headers=key).json()
    assert (document_id in [d["id"] for d in listed["items"]]) is takes_part

    # The comments of others on a proposal for participants only: accepted providers only.
    others = comment_by(db, ACCEPTED, "Iemand anders.", slug="contract-terms")
    assert client.get(f"{API}/comments/{others.id}", headers=key).status_code == (200 if takes_part else 404)
    # Its own earlier comment stays readable, also after declining.
    assert client.get(f"{API}/comments/{earlier.id}", headers=key).status_code == 200
    ids = [c["id"] for c in client.get(f"{API}/comments", headers=key, params={"page_size": 100}).json()["items"]]
    assert earlier.id in ids and (others.id in ids) is takes_part
    # Editing it is taking part.
    tag = client.get(f"{API}/comments/{earlier.id}", headers=key).headers["etag"]
    edit = client.patch(f"{API}/comments/{earlier.id}", headers={**key, "If-Match": tag}, json={"body": "Anders."})
    assert edit.status_code == (200 if takes_part else 403)

    with browser(app, TIMON) as provider:
        assert provider.get(f"/documents/{document_id}/download").status_code in ((200,) if takes_part else (403, 404))
        documents = provider.get("/documents")
        assert documents.status_code == 200
        assert ("Werkdocument sessie" in documents.text) is takes_part
        assert ("alleen de openbare stukken" in documents.text) is not takes_part
        mine = provider.get("/my/comments")
        assert mine.status_code == 200 and ("Anders." if takes_part else "Onze eerdere reactie.") in mine.text
        contract = db.exec(select(Proposal).where(Proposal.slug == "contract-terms")).one()
        assert provider.get(f"/proposals/{contract.id}").status_code == (200 if takes_part else 403)
        public = db.exec(select(Proposal).where(Proposal.slug == "product-structure")).one()
        page = provider.get(f"/proposals/{public.id}")
        assert page.status_code == 200  # the public pages, for everyone
        assert ('name="body"' in page.text) is takes_part  # a comment form only for those taking part
        # Its invitation, to decide (or change its answer); a withdrawn one is shown without the form.
        own = provider.get("/invitation")
        assert own.status_code == 200 and ('name="answer"' in own.text) is (status != "withdrawn")


def test_the_demo_providers_of_the_issue_after_declining_and_while_pending(client, db, admin):
    document_id = upload_participant_document(admin)
    timon = key_for(db, TIMON)
    invitation = invitation_of(db, TIMON)
    url = f"{API}/invitations/{invitation.id}"
    tag = client.get(url, headers=timon).headers["etag"]
    declined = client.patch(url, headers={**timon, "If-Match": tag}, json={"status": "declined"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    for key in (timon, key_for(db, PENDING)):
        posted = client.post(
            f"{API}/comments", headers=key, json={"section_id": section_of(db).id, "kind": "zorg", "body": "Hallo."}
        )
        assert posted.status_code == 403 and posted.headers["content-type"].startswith(PROBLEM)
        assert client.get(f"{API}/documents/{document_id}/download", headers=key).status_code in (403, 404)


def test_a_withdrawn_invitation_cannot_be_answered(client, db):
    set_invitation(db, TIMON, InvitationStatus.withdrawn)
    key = key_for(db, TIMON)
    url = f"{API}/invitations/{invitation_of(db, TIMON).id}"
    tag = client.get(url, headers=key).headers["etag"]
    assert client.patch(url, headers={**key, "If-Match": tag}, json={"status": "accepted"}).status_code == 403
    assert invitation_of(db, TIMON).status == InvitationStatus.withdrawn


def test_a_provider_that_accepts_later_gets_what_was_released_so_far_and_one_mail(client, db, admin):
    document_id = upload_participant_document(admin)
    key = key_for(db, TIMON)
    assert client.get(f"{API}/documents/{document_id}/download", headers=key).status_code == 404
    timon_users = db.exec(select(User.email).where(User.provider_id == find_user(db, TIMON).provider_id)).all()
    before = set(db.exec(select(OutboxMessage.id)).all())

    url = f"{API}/invitations/{invitation_of(db, TIMON).id}"
    tag = client.get(url, headers=key).headers["etag"]
    assert client.patch(url, headers={**key, "If-Match": tag}, json={"status": "accepted"}).status_code == 200
    assert client.get(f"{API}/documents/{document_id}/download", headers=key).status_code == 200
    new = [m for m in db.exec(select(OutboxMessage)).all() if m.id not in before]
    so_far = [m for m in new if "Werkdocument sessie" in m.body_text]
    assert sorted(m.to_address for m in so_far) == sorted(timon_users)  # one mail each, listing the document
    assert all("/documents" in m.body_text for m in so_far)

    # Accepting again (after declining in between) does not send it twice for the same documents.
    tag = client.get(url, headers=key).headers["etag"]
    client.patch(url, headers={**key, "If-Match": tag}, json={"status": "declined"})
    tag = client.get(url, headers=key).headers["etag"]
    client.patch(url, headers={**key, "If-Match": tag}, json={"status": "accepted"})
    again = [m for m in db.exec(select(OutboxMessage)).all() if m.id not in before and "Werkdocument" in m.body_text]
    assert len(again) == len(so_far) * 2  # once per acceptance: it tells what there is at that moment


def test_providers_never_invited_count_as_not_taking_part(client, db):
    provider = db.exec(select(Provider).where(Provider.slug == "stichting-timon")).one()
    db.delete(invitation_of(db, TIMON))
    db.commit()
    key = key_for(db, TIMON)
    posted = client.post(
        f"{API}/comments", headers=key, json={"section_id": section_of(db).id, "kind": "zorg", "body": "Hallo."}
    )
    assert posted.status_code == 403 and provider.id


def test_sdfl_withdraws_an_invitation_after_a_confirmation_and_can_reinstate_it(app, client, db, admin):
    invitation = invitation_of(db, ACCEPTED)
    page = f"/admin/invitations/{invitation.id}"
    assert "Uitnodiging intrekken" in admin.get(page).text
    unconfirmed = post(admin, f"{page}/withdraw", {}, page=page)
    assert unconfirmed.status_code == 422 and "Bevestig dat u de uitnodiging wilt intrekken." in unconfirmed.text
    assert invitation_of(db, ACCEPTED).status == InvitationStatus.accepted

    done = post(admin, f"{page}/withdraw", {"confirm": "1"}, page=page)
    assert done.status_code == 303
    db.expire_all()
    assert invitation_of(db, ACCEPTED).status == InvitationStatus.withdrawn
    assert db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "invitation.withdrawn", AuditEvent.entity_id == str(invitation.id)
        )
    ).one()
    assert "De uitnodiging is ingetrokken." in admin.get(done.headers["location"]).text

    key = key_for(db, ACCEPTED)
    body = {"section_id": section_of(db).id, "kind": "zorg", "body": "Nog een reactie."}
    assert client.post(f"{API}/comments", headers=key, json=body).status_code == 403
    with browser(app, ACCEPTED) as provider:
        own = provider.get("/invitation")
        assert own.status_code == 200 and "heeft deze uitnodiging ingetrokken" in own.text
        assert 'name="answer"' not in own.text  # nothing to answer any more
        token = csrf_from(provider.get("/account").text)
        answered = provider.post("/invitation", data={"answer": "accept", "csrf_token": token}, follow_redirects=False)
        assert answered.status_code == 403
    assert invitation_of(db, ACCEPTED).status == InvitationStatus.withdrawn

    # SDFL answers on the provider's behalf: the invitation is back, and so is taking part.
    reinstated = post(admin, f"{page}/answer", {"answer": "accept"}, page=page)
    assert reinstated.status_code in (200, 303)
    db.expire_all()
    assert invitation_of(db, ACCEPTED).status == InvitationStatus.accepted
    assert client.post(f"{API}/comments", headers=key, json=body).status_code == 201


@pytest.mark.parametrize("email,expected", [(None, 303), (ACCEPTED, 403), ("almere@example.org", 403), (PENDING, 403)])
def test_only_admins_withdraw_an_invitation(app, db, email, expected):
    invitation = invitation_of(db, TIMON)
    with browser(app, email) as someone:
        token = csrf_from(someone.get("/account" if email else "/login").text)
        response = someone.post(
            f"/admin/invitations/{invitation.id}/withdraw",
            data={"confirm": "1", "csrf_token": token},
            follow_redirects=False,
        )
    assert response.status_code == expected
    if expected == 303:  # the public is sent to sign in
        assert response.headers["location"].startswith("/login")
    assert invitation_of(db, TIMON).status == InvitationStatus.pending
