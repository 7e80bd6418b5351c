"""Edge cases of proposals and comments found in review: odd input, withdrawn comments, earlier versions,
errors that htmx must show, and nothing lost when an import fails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.kit import clock
from app.models import Comment, Proposal, ProposalVersion, Section
from app.proposals import manage
from tests import factories
from tests.helpers import HTMX, add_comments, csrf_from, find_proposal, find_user, post_comment, section_of, signed_in

PROVIDER = "re-care@example.org"
OTHER_PROVIDER = "triade-vitree@example.org"
ADMIN = "sdfl@example.org"


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories."""
    made = factories.demo_world(db)
    db.commit()
    return made


def own_comment(client: TestClient, db: Session, proposal: Proposal, body: str) -> Comment:
    assert post_comment(client, proposal.id, "reikwijdte", {"kind": "steun", "body": body}).status_code == 303
    return db.exec(select(Comment).where(Comment.body == body)).one()


def test_history_of_a_withdrawn_comment_is_for_its_author_only(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    comment = own_comment(client, db, proposal, "Eerste gedachte")
    token = csrf_from(client.get("/proposals").text)
    client.post(f"/comments/{comment.id}/edit", data={"kind": "steun", "body": "Tweede gedachte", "csrf_token": token})
    client.post(f"/comments/{comment.id}/withdraw", data={"csrf_token": token, "confirm": "1"})
    assert "Eerste gedachte" in client.get(f"/comments/{comment.id}/history").text  # the author still may
    client.cookies.clear()
    signed_in(client, OTHER_PROVIDER)
    response = client.get(f"/comments/{comment.id}/history")
    assert response.status_code == 404
    assert "Eerste gedachte" not in response.text


def test_odd_parent_ids_never_give_a_server_error(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    for parent in ("²", "中", "-1", "99999999999", "1 OR 1=1"):
        plain = post_comment(client, proposal.id, "reikwijdte", {"body": "x", "parent_id": parent})
        assert plain.status_code == 422, parent
        htmx = post_comment(client, proposal.id, "reikwijdte", {"body": "x", "parent_id": parent}, htmx=True)
        assert htmx.status_code == 422, parent
        assert htmx.headers["hx-retarget"] == "#form-new-reikwijdte"


def test_a_year_out_of_range_is_a_field_error(client: TestClient, db: Session) -> None:
    signed_in(client, ADMIN)
    token = csrf_from(client.get("/admin/proposals/new").text)
    response = client.post(
        "/admin/proposals",
        data={
            "topic": "requirements",
            "title": "Oud",
            "opens_at": "0001-01-01T00:00",
            "closes_at": "0001-02-01T00:00",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "Vul een geldige datum en tijd in." in response.text


def test_replying_to_a_withdrawn_comment_is_refused(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    comment = own_comment(client, db, proposal, "Straks weg")
    token = csrf_from(client.get("/proposals").text)
    client.post(f"/comments/{comment.id}/withdraw", data={"csrf_token": token, "confirm": "1"})
    page = client.get(f"/proposals/{proposal.id}").text
    assert f'id="form-reply-{comment.id}"' not in page
    response = post_comment(client, proposal.id, "reikwijdte", {"body": "Toch nog", "parent_id": str(comment.id)})
    assert response.status_code == 422
    assert "Op een ingetrokken reactie kan niet meer worden gereageerd." in response.text


def test_htmx_post_after_the_window_closed_shows_the_message_in_the_form(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    token = csrf_from(client.get(f"/proposals/{proposal.id}").text)  # the form was loaded while open
    proposal.closes_at = clock.now() - timedelta(minutes=1)
    db.add(proposal)
    db.commit()
    response = client.post(
        f"/proposals/{proposal.id}/sections/reikwijdte/comments",
        data={"kind": "zorg", "body": "Net te laat getypt", "csrf_token": token},
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert response.status_code == 409
    assert response.headers["hx-retarget"] == "#form-new-reikwijdte"
    assert "De reactietermijn is gesloten sinds" in response.text
    assert "Net te laat getypt</textarea>" in response.text  # nothing typed is lost
    assert 'href="#form-new-reikwijdte"' in response.text


def test_own_comments_on_an_earlier_version_cannot_be_edited(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    comment = own_comment(client, db, proposal, "Op versie 1")
    admin = find_user(db, ADMIN)
    manage.new_version(db, proposal, actor=admin)
    manage.publish(db, proposal, change_summary="Versie 2.", actor=admin)
    db.commit()
    page = client.get(f"/proposals/{proposal.id}").text
    # With the section: how many comments version 1 had, linked to that version's thread of the section.
    link = f'href="/proposals/{proposal.id}/sections/reikwijdte?version=1#thread-reikwijdte">Eerdere discussie: '
    assert link in page
    earlier = client.get(f"/proposals/{proposal.id}/sections/reikwijdte?version=1").text
    assert "Op versie 1" in earlier
    for html in (page, earlier):
        assert f'href="/comments/{comment.id}/edit"' not in html
        assert f'action="/comments/{comment.id}/withdraw"' not in html


def test_failed_import_leaves_the_draft_as_it_was(client: TestClient, db: Session) -> None:
    signed_in(client, ADMIN)
    admin = find_user(db, ADMIN)
    proposal = manage.create_proposal(
        db,
        manage.ProposalInput(
            topic="requirements", title="Importtest", summary="", opens_at=None, closes_at=None, public=False
        ),
        actor=admin,
    )
    manage.add_section(db, proposal, manage.SectionInput(heading="Blijft", body="Tekst", kind="text"), actor=admin)
    db.commit()
    token = csrf_from(client.get(f"/admin/proposals/{proposal.id}").text)
    markdown = ("# Goed\n\nTekst\n\n# " + "x" * 400 + "\n\nTe lange kop\n").encode()
    response = client.post(
        f"/admin/proposals/{proposal.id}/import",
        data={"csrf_token": token},
        files={"file": ("concept.md", markdown, "text/markdown")},
    )
    assert response.status_code == 422
    draft = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
    assert [s.heading for s in db.exec(select(Section).where(Section.version_id == draft.id)).all()] == ["Blijft"]


def test_summary_markdown_is_rendered_not_escaped(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    proposal.summary = "Een **vet** punt <script>x</script>"
    db.add(proposal)
    db.commit()
    page = client.get(f"/proposals/{proposal.id}").text
    assert "<strong>vet</strong>" in page and "&lt;strong&gt;" not in page
    assert "<script>x" not in page


def test_admin_reads_a_proposal_that_has_only_a_draft(client: TestClient, db: Session) -> None:
    admin = find_user(db, ADMIN)
    proposal = manage.create_proposal(
        db,
        manage.ProposalInput(
            topic="requirements", title="Alleen concept", summary="", opens_at=None, closes_at=None, public=False
        ),
        actor=admin,
    )
    manage.add_section(db, proposal, manage.SectionInput(heading="Kop", body="Tekst *nu*", kind="text"), actor=admin)
    db.commit()
    signed_in(client, ADMIN)
    page = client.get(f"/proposals/{proposal.id}")
    assert page.status_code == 200
    assert "Conceptversie 1" in page.text and "<em>nu</em>" in page.text
    client.cookies.clear()
    signed_in(client, PROVIDER)
    assert client.get(f"/proposals/{proposal.id}").status_code == 404


def test_pager_and_redirects_lead_to_the_thread_on_its_page(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "reikwijdte")
    signed_in(client, PROVIDER)
    mine = own_comment(client, db, proposal, "Mijn vroege reactie")
    mine.created_at = clock.now() - timedelta(days=3)  # older than the 60 below: on page 1 of 2
    db.add(mine)
    db.commit()
    add_comments(db, section, find_user(db, OTHER_PROVIDER), 60, text="Later")
    page = client.get(f"/proposals/{proposal.id}/sections/reikwijdte").text
    assert f'href="/proposals/{proposal.id}/sections/reikwijdte?page=2"' in page
    token = csrf_from(page)
    edited = client.post(
        f"/comments/{mine.id}/edit",
        data={"kind": "steun", "body": "Bijgewerkt", "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    assert edited.headers["location"] == (
        f"/proposals/{proposal.id}/sections/reikwijdte?page=1&version=1&done=edited&comment={mine.id}#comment-{mine.id}"
    )
    assert f'id="comment-{mine.id}"' in client.get(edited.headers["location"]).text
    # htmx on the section page gets that page of all threads back, not only the newest
    response = client.post(
        f"/comments/{mine.id}/edit",
        data={"kind": "steun", "body": "Nog eens bijgewerkt"},
        headers={
            **HTMX,
            "X-CSRF-Token": token,
            "HX-Current-URL": f"http://testserver/proposals/{proposal.id}/sections/reikwijdte?page=1",
        },
    )
    assert response.status_code == 200
    assert "Nog eens bijgewerkt" in response.text and "Later 0" in response.text
