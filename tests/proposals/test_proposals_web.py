"""Reading proposals and commenting in the browser, over plain HTTP and with htmx (issue 5)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.db import utcnow
from app.kit import clock
from app.models import Comment, CommentRevision, Proposal, ProposalVersion, Section
from app.proposals import page_cache
from tests import factories
from tests.helpers import HTMX, add_comments, csrf_from, find_proposal, find_user, post_comment, section_of, signed_in


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories."""
    made = factories.demo_world(db)
    db.commit()
    return made


PROVIDER = "re-care@example.org"
OTHER_PROVIDER = "triade-vitree@example.org"
MUNICIPALITY = "almere@example.org"
ADMIN = "sdfl@example.org"


# --- reading -------------------------------------------------------------------------------------


def test_proposals_list_shows_topic_version_and_window(client: TestClient, db: Session) -> None:
    signed_in(client, PROVIDER)
    page = client.get("/proposals").text
    assert "Productstructuur multidisciplinaire jeugdhulp" in page
    assert "Concept contractvoorwaarden" in page  # not public, but a participant reads it
    assert "Open voor reacties" in page
    assert re.search(r"nog 2[01] dagen", page)


def test_public_reads_public_proposal_without_comments(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    page = client.get(f"/proposals/{proposal.id}")
    assert page.status_code == 200
    assert "Doel en uitgangspunten" in page.text  # the sections
    assert "Reacties zijn alleen zichtbaar voor deelnemers" in page.text
    assert "Afrekenen in uren" not in page.text  # a provider's comment
    assert 'class="comment-form"' not in page.text
    listing = client.get("/proposals").text
    assert "Concept contractvoorwaarden" not in listing


def test_public_is_sent_to_sign_in_for_a_participants_only_proposal(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "contract-terms")
    response = client.get(f"/proposals/{proposal.id}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_draft_proposal_is_404_for_participants_and_visible_to_admins(client: TestClient, db: Session) -> None:
    proposal = Proposal(
        dialogue_id=factories.dialogue(db).id, slug="draft-x", topic="requirements", title="Geheim concept"
    )
    db.add(proposal)
    db.flush()
    db.add(ProposalVersion(proposal_id=proposal.id, number=1))
    db.commit()
    signed_in(client, PROVIDER)
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    assert "Geheim concept" not in client.get("/proposals").text
    client.cookies.clear()
    signed_in(client, ADMIN)
    assert "Geheim concept" in client.get(f"/proposals/{proposal.id}/versions/1").text


def test_proposal_page_has_toc_rendered_sections_counts_and_threads(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    page = client.get(f"/proposals/{proposal.id}").text
    assert '<nav class="toc"' in page
    assert 'href="#section-productoverzicht"' in page
    # a section body with a Markdown table, rendered at publication; on the page it stacks on a phone
    assert '<table class="table table--stack" role="table">' in page and 'data-label="Code"' in page
    assert "Afrekenen in uren" in page  # the triade-vitree comment in its thread
    assert re.search(r'id="thread-productoverzicht">\s*<h3[^>]*>\d+ reacties', page)


# --- commenting without JavaScript ------------------------------------------------------------------


def test_plain_post_redirects_back_to_the_section(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    response = post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Zonder JavaScript geplaatst."})
    assert response.status_code == 303
    comment = db.exec(select(Comment).where(Comment.body == "Zonder JavaScript geplaatst.")).one()
    assert response.headers["location"] == (
        f"/proposals/{proposal.id}/sections/reikwijdte?page=1&version=1&done=posted&comment={comment.id}"
        f"#comment-{comment.id}"
    )
    assert comment.provider_id == find_user(db, PROVIDER).provider_id
    assert comment.kind == "zorg"
    page = client.get(response.headers["location"]).text
    assert f'id="comment-{comment.id}"' in page
    # The banner says what happened, above the comment the address leads to.
    notice = r'<p class="notice[^"]*" role="status" data-notice>Uw reactie is geplaatst.</p>'
    banner = rf'<li id="comment-{comment.id}"[^>]*>\s*{notice}'
    assert re.search(banner, page)
    assert page.count("data-notice") == 1


def test_a_resubmitted_form_makes_one_comment(client: TestClient, db: Session) -> None:
    """The form's once-only token: a second submission of the same form (double click, retry after a lost
    connection) answers with the comment the first one made; a fresh form makes a new one."""
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    page = client.get(f"/proposals/{proposal.id}/sections/reikwijdte").text
    form = page.split('id="form-new-reikwijdte"')[1].split("</form>")[0]
    token = re.search(r'name="form_token" value="([A-Za-z0-9_-]{16,})"', form).group(1)
    data = {"kind": "steun", "body": "Twee keer verstuurd", "form_token": token, "csrf_token": csrf_from(page)}
    url = f"/proposals/{proposal.id}/sections/reikwijdte/comments"
    first = client.post(url, data=data, follow_redirects=False)
    again = client.post(url, data=data, follow_redirects=False)
    htmx_again = client.post(url, data=data, headers={**HTMX, "X-CSRF-Token": data["csrf_token"]})
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert htmx_again.status_code == 200 and htmx_again.text.count("Twee keer verstuurd") == 1
    assert len(db.exec(select(Comment).where(Comment.body == "Twee keer verstuurd")).all()) == 1
    fresh = re.search(r'name="form_token" value="([A-Za-z0-9_-]{16,})"', htmx_again.text).group(1)
    assert fresh != token
    assert client.post(url, data={**data, "form_token": fresh}, follow_redirects=False).status_code == 303
    assert len(db.exec(select(Comment).where(Comment.body == "Twee keer verstuurd")).all()) == 2


def test_plain_invalid_post_shows_the_form_again_with_what_was_typed(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    before = db.exec(select(Comment)).all()
    response = post_comment(client, proposal.id, "reikwijdte", {"body": "Mijn tekst & meer"})
    assert response.status_code == 422
    assert "Kies wat voor reactie het is" in response.text
    assert "Mijn tekst &amp; meer</textarea>" in response.text
    assert 'aria-invalid="true"' not in response.text.split('id="new-reikwijdte-body"')[0][-200:]
    assert len(db.exec(select(Comment)).all()) == len(before)


def test_reply_to_a_reply_joins_the_thread(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "productoverzicht")
    root = db.exec(select(Comment).where(Comment.section_id == section.id, col(Comment.parent_id).is_(None))).first()
    reply = db.exec(select(Comment).where(Comment.parent_id == root.id)).first()
    signed_in(client, PROVIDER)
    response = post_comment(
        client, proposal.id, "productoverzicht", {"body": "Antwoord op antwoord", "parent_id": str(reply.id)}
    )
    assert response.status_code == 303
    mine = db.exec(select(Comment).where(Comment.body == "Antwoord op antwoord")).one()
    assert mine.parent_id == root.id
    assert mine.kind is None


def test_reply_to_a_comment_of_another_section_is_refused(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    other = db.exec(select(Comment).where(col(Comment.parent_id).is_(None))).first()
    signed_in(client, PROVIDER)
    key = "reikwijdte" if section_of(db, proposal, "reikwijdte").id != other.section_id else "productoverzicht"
    response = post_comment(client, proposal.id, key, {"body": "Verdwaald", "parent_id": str(other.id)})
    assert response.status_code == 422
    assert "bestaat niet (meer) bij dit onderdeel" in response.text


def test_reply_forms_load_on_demand_on_the_proposal_page_and_are_inline_on_the_section_page(
    client: TestClient, db: Session
) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "productoverzicht")
    root = db.exec(select(Comment).where(Comment.section_id == section.id, col(Comment.parent_id).is_(None))).first()
    signed_in(client, PROVIDER)
    page = client.get(f"/proposals/{proposal.id}").text
    assert f'hx-get="/comments/{root.id}/reply"' in page and f'<a href="/comments/{root.id}/reply">' in page
    assert f'id="form-reply-{root.id}"' not in page and 'name="parent_id"' not in page
    section_page = client.get(f"/proposals/{proposal.id}/sections/productoverzicht").text
    assert f'id="form-reply-{root.id}"' in section_page and f"/comments/{root.id}/reply" not in section_page


def test_reply_form_is_a_fragment_for_htmx_and_a_page_without(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "productoverzicht")
    root = db.exec(select(Comment).where(Comment.section_id == section.id, col(Comment.parent_id).is_(None))).first()
    reply = db.exec(select(Comment).where(Comment.parent_id == root.id)).first()
    signed_in(client, PROVIDER)
    fragment = client.get(f"/comments/{root.id}/reply", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith(f'<form method="post" action="/proposals/{proposal.id}/sections/')
    assert f'id="form-reply-{root.id}"' in fragment.text and "<html" not in fragment.text
    assert f'<input type="hidden" name="parent_id" value="{root.id}">' in fragment.text
    assert re.search(r'name="form_token" value="[A-Za-z0-9_-]{16,}"', fragment.text)
    assert 'hx-post="' in fragment.text  # in the thread: htmx swaps the thread after posting
    # Replying to a reply: the form is the thread's.
    assert f'id="form-reply-{root.id}"' in client.get(f"/comments/{reply.id}/reply", headers=HTMX).text
    # Without JavaScript: a page with the comment answered and the form, which posts and comes back.
    full = client.get(f"/comments/{root.id}/reply")
    assert full.status_code == 200 and "<html" in full.text and "<h1>Antwoorden</h1>" in full.text
    assert root.body_html in full.text
    form = full.text.split(f'id="form-reply-{root.id}"')[1].split(">")[0]
    assert "hx-post" not in form and "hx-target" not in form  # on its own page: a plain form, also with JS
    token = csrf_from(full.text)
    form_token = re.search(r'name="form_token" value="([^"]+)"', full.text).group(1)
    posted = client.post(
        f"/proposals/{proposal.id}/sections/productoverzicht/comments",
        data={
            "body": "Antwoord zonder JavaScript",
            "parent_id": str(root.id),
            "csrf_token": token,
            "form_token": form_token,
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303
    mine = db.exec(select(Comment).where(Comment.body == "Antwoord zonder JavaScript")).one()
    assert mine.parent_id == root.id and posted.headers["location"].endswith(f"#comment-{mine.id}")


@pytest.mark.parametrize(
    ("who", "expected"),
    [(None, 303), (PROVIDER, 200), (OTHER_PROVIDER, 200), (MUNICIPALITY, 200), (ADMIN, 200)],
)
def test_who_gets_the_reply_form(client: TestClient, db: Session, who: str | None, expected: int) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "productoverzicht")
    root = db.exec(select(Comment).where(Comment.section_id == section.id, col(Comment.parent_id).is_(None))).first()
    if who:
        signed_in(client, who)
    response = client.get(f"/comments/{root.id}/reply", follow_redirects=False)
    assert response.status_code == expected
    assert (f'id="form-reply-{root.id}"' in response.text) == (expected == 200)
    htmx = client.get(f"/comments/{root.id}/reply", headers=HTMX, follow_redirects=False)
    if who is None:  # sent to sign in, and back here afterwards
        assert response.headers["location"].startswith("/login?next=")
        assert htmx.status_code == 204 and htmx.headers["hx-redirect"].startswith("/login?next=")
    else:
        assert htmx.status_code == 200 and f'id="form-reply-{root.id}"' in htmx.text


def test_no_reply_form_for_a_withdrawn_comment_a_closed_window_or_an_unknown_comment(
    client: TestClient, db: Session
) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "steun", "body": "Straks ingetrokken"})
    mine = db.exec(select(Comment).where(Comment.body == "Straks ingetrokken")).one()
    token = csrf_from(client.get("/proposals").text)
    client.post(f"/comments/{mine.id}/withdraw", data={"csrf_token": token, "confirm": "1"})
    withdrawn = client.get(f"/comments/{mine.id}/reply")
    assert withdrawn.status_code == 409
    assert "Op een ingetrokken reactie kan niet meer worden gereageerd." in withdrawn.text
    # htmx (opening "Reageren"): the reason alone, announced, in place of the form; no error page in the thread
    in_place = client.get(f"/comments/{mine.id}/reply", headers=HTMX)
    assert in_place.status_code == 409
    assert in_place.text == (
        '<p class="notice notice--warning" role="alert">Op een ingetrokken reactie kan niet meer worden gereageerd.</p>'
    )
    assert client.get("/comments/99999999/reply").status_code == 404
    assert client.get("/comments/99999999999/reply").status_code == 404
    other = db.exec(select(Comment).where(col(Comment.parent_id).is_(None), col(Comment.deleted_at).is_(None))).first()
    assert client.get(f"/comments/{other.id}/reply").status_code == 200
    proposal.closes_at = clock.now() - timedelta(minutes=1)
    db.add(proposal)
    db.commit()
    closed = client.get(f"/comments/{other.id}/reply")
    assert closed.status_code == 409 and "De reactietermijn is gesloten sinds" in closed.text


# --- commenting with htmx --------------------------------------------------------------------------


def test_htmx_post_returns_only_the_thread_fragment(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    response = post_comment(
        client, proposal.id, "productoverzicht", {"kind": "vraag", "body": "Via htmx gevraagd"}, htmx=True
    )
    assert response.status_code == 200
    body = response.text
    assert body.lstrip().startswith('<div class="thread" id="thread-productoverzicht">')
    assert "<html" not in body and "<header" not in body and "Doel en uitgangspunten" not in body
    assert "Via htmx gevraagd" in body
    assert len(response.content) < 16_000, len(response.content)
    assert "HX-Request" in response.headers["vary"].split(", ")


def test_htmx_invalid_post_returns_the_form_with_errors_and_typed_text(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    response = post_comment(
        client, proposal.id, "reikwijdte", {"kind": "steun", "body": "", "suggested_text": "Nieuwe zin"}, htmx=True
    )
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#form-new-reikwijdte"
    assert response.headers["hx-reswap"] == "outerHTML"
    assert response.text.lstrip().startswith("<form")
    assert "Schrijf uw reactie." in response.text
    assert "Een vervangende tekst hoort bij een suggestie" in response.text
    assert "Nieuwe zin</textarea>" in response.text
    assert 'id="new-reikwijdte-body-error"' in response.text


def test_suggestion_shows_a_word_diff_against_the_quote(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    response = post_comment(
        client,
        proposal.id,
        "reikwijdte",
        {
            "kind": "suggestie",
            "body": "Scherper formuleren.",
            "quote": "Deze productstructuur gaat over vier daarvan",
            "suggested_text": "Deze productstructuur gaat over precies vier daarvan",
        },
        htmx=True,
    )
    assert response.status_code == 200
    assert "<ins>precies </ins>" in response.text
    assert "Deze productstructuur gaat over vier daarvan</p></blockquote>" in response.text


# --- edit, withdraw ---------------------------------------------------------------------------------


def test_edit_keeps_history_and_only_the_author_may(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "steun", "body": "Eerste tekst"})
    comment = db.exec(select(Comment).where(Comment.body == "Eerste tekst")).one()
    form = client.get(f"/comments/{comment.id}/edit")
    assert 'hx-post="' not in form.text.split(f'id="form-edit-{comment.id}"')[1].split(">")[0]  # a page: plain form
    assert 'hx-post="' in client.get(f"/comments/{comment.id}/edit", headers=HTMX).text  # in place: htmx
    assert form.status_code == 200 and "Eerste tekst</textarea>" in form.text
    token = csrf_from(form.text)
    saved = client.post(
        f"/comments/{comment.id}/edit",
        data={"kind": "zorg", "body": "Tweede tekst", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    db.refresh(comment)
    assert (comment.body, comment.kind) == ("Tweede tekst", "zorg")
    assert comment.edited_at is not None
    revisions = db.exec(select(CommentRevision).where(CommentRevision.comment_id == comment.id)).all()
    assert [r.body for r in revisions] == ["Eerste tekst"]
    history = client.get(f"/comments/{comment.id}/history").text
    assert "Eerste tekst" in history and "Tweede tekst" in history

    client.cookies.clear()
    signed_in(client, OTHER_PROVIDER)
    assert client.get(f"/comments/{comment.id}/edit").status_code == 403
    token = csrf_from(client.get("/proposals").text)
    refused = client.post(
        f"/comments/{comment.id}/edit", data={"kind": "steun", "body": "Overschreven", "csrf_token": token}
    )
    assert refused.status_code == 403
    refused = client.post(f"/comments/{comment.id}/withdraw", data={"csrf_token": token})
    assert refused.status_code == 403
    db.refresh(comment)
    assert comment.body == "Tweede tekst" and comment.deleted_at is None


def test_htmx_edit_returns_the_thread_and_invalid_edit_the_form(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "steun", "body": "Te bewerken"})
    comment = db.exec(select(Comment).where(Comment.body == "Te bewerken")).one()
    token = csrf_from(client.get("/proposals").text)
    headers = {**HTMX, "X-CSRF-Token": token}
    bad = client.post(f"/comments/{comment.id}/edit", data={"kind": "steun", "body": "  "}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["hx-retarget"] == f"#form-edit-{comment.id}"
    assert "Schrijf uw reactie." in bad.text and "<html" not in bad.text
    good = client.post(
        f"/comments/{comment.id}/edit", data={"kind": "steun", "body": "Bewerkt via htmx"}, headers=headers
    )
    assert good.status_code == 200
    assert good.text.lstrip().startswith('<div class="thread" id="thread-reikwijdte">')
    assert "Bewerkt via htmx" in good.text and "bewerkt" in good.text


def test_htmx_answer_keeps_the_thread_acted_on_even_when_it_is_not_among_the_newest(
    client: TestClient, db: Session
) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "reikwijdte")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "steun", "body": "Een oude gedachte"})
    mine = db.exec(select(Comment).where(Comment.body == "Een oude gedachte")).one()
    mine.created_at = utcnow() - timedelta(days=2)
    db.add(mine)
    db.commit()
    add_comments(db, section, find_user(db, OTHER_PROVIDER), 8, text="Nieuwer")  # pushes it out of the newest 5
    page = client.get(f"/proposals/{proposal.id}").text
    assert f'id="comment-{mine.id}"' not in page  # on the overview only after "Toon alle ..."
    token = csrf_from(page)
    headers = {**HTMX, "X-CSRF-Token": token, "HX-Current-URL": f"http://testserver/proposals/{proposal.id}"}
    edited = client.post(
        f"/comments/{mine.id}/edit", data={"kind": "steun", "body": "Een bijgewerkte gedachte"}, headers=headers
    )
    assert edited.status_code == 200
    assert "Een bijgewerkte gedachte" in edited.text and "Nieuwer 7" in edited.text and "Nieuwer 2" not in edited.text
    replied = client.post(
        f"/proposals/{proposal.id}/sections/reikwijdte/comments",
        data={"body": "Een antwoord op de oude", "parent_id": str(mine.id)},
        headers=headers,
    )
    assert replied.status_code == 200
    assert f'id="comment-{mine.id}"' in replied.text and "Een antwoord op de oude" in replied.text
    withdrawn = client.post(f"/comments/{mine.id}/withdraw", data={"confirm": "1"}, headers=headers)
    assert withdrawn.status_code == 200
    assert f'id="comment-{mine.id}"' in withdrawn.text and "ingetrokken" in withdrawn.text


def test_withdrawn_comment_leaves_a_marker(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Spijt van deze zin"})
    comment = db.exec(select(Comment).where(Comment.body == "Spijt van deze zin")).one()
    token = csrf_from(client.get("/proposals").text)
    response = client.post(
        f"/comments/{comment.id}/withdraw",
        data={"csrf_token": token, "confirm": "1"},
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert "Deze reactie is ingetrokken door de schrijver" in response.text
    assert "Spijt van deze zin" not in response.text
    db.refresh(comment)
    assert comment.deleted_at is not None and comment.body == "Spijt van deze zin"  # kept for the record
    again = client.post(f"/comments/{comment.id}/withdraw", data={"csrf_token": token})
    assert again.status_code == 409


# --- the window ---------------------------------------------------------------------------------


def test_after_the_window_closes_the_form_is_gone_and_posting_is_refused(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "steun", "body": "Net op tijd"})
    mine = db.exec(select(Comment).where(Comment.body == "Net op tijd")).one()
    token = csrf_from(client.get("/proposals").text)
    proposal.closes_at = clock.now() - timedelta(minutes=1)  # (moving the clock 3 weeks on would end the sign-in)
    db.add(proposal)
    db.commit()
    page = client.get(f"/proposals/{proposal.id}").text
    assert "De reactietermijn is gesloten sinds" in page
    assert 'class="comment-form"' not in page
    assert f'href="/comments/{mine.id}/edit"' not in page
    response = client.post(
        f"/proposals/{proposal.id}/sections/reikwijdte/comments",
        data={"kind": "steun", "body": "Te laat", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 409
    assert "De reactietermijn is gesloten sinds" in response.text
    assert not db.exec(select(Comment).where(Comment.body == "Te laat")).first()
    edit = client.post(
        f"/comments/{mine.id}/edit", data={"kind": "steun", "body": "Later gewijzigd", "csrf_token": token}
    )
    assert edit.status_code == 409


def test_before_the_window_opens_the_page_says_when(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    proposal.opens_at = clock.now() + timedelta(days=1)
    db.add(proposal)
    db.commit()
    page = client.get(f"/proposals/{proposal.id}").text
    assert "De reactietermijn opent op" in page
    assert 'class="comment-form"' not in page


# --- XSS ----------------------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert('xss')</script>",
    "<img src=x onerror=alert(1)>",
    "[klik](javascript:alert(1))",
    '<a href="javascript:alert(1)">klik</a>',
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    '<iframe src="https://evil.example"></iframe>',
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
    "[a](JaVaScRiPt:alert(1))",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_script_in_a_comment_is_inert(client: TestClient, db: Session, payload: str) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    response = post_comment(
        client,
        proposal.id,
        "reikwijdte",
        {"kind": "suggestie", "body": f"Tekst {payload}", "quote": payload, "suggested_text": payload},
        htmx=True,
    )
    assert response.status_code == 200
    assert_inert(response.text)
    assert_inert(client.get(f"/proposals/{proposal.id}").text)
    assert_inert(client.get(f"/proposals/{proposal.id}/sections/reikwijdte").text)


def assert_inert(html: str) -> None:
    """No script element, embedded object, event handler attribute or javascript: URL in the markup
    (escaped text that merely reads like one is fine: it is shown, not run)."""
    lowered = html.lower()
    tags = re.findall(r"<[a-z][^>]*>", lowered)
    assert not [
        t
        for t in tags
        if t.startswith(("<script", "<iframe", "<svg", "<img", "<object", "<embed")) and 'src="/static/' not in t
    ]
    assert not [t for t in tags if re.search(r"\son\w+\s*=", t)]
    assert not [t for t in tags if re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", t)]


# --- performance properties ---------------------------------------------------------------------


def test_proposal_page_query_count_does_not_grow_with_comments(client: TestClient, db: Session, count_queries) -> None:
    """Rendered (a cache miss) and from the shared cache (a hit), the same statements for 10 comments as for
    1,020; a hit runs fewer."""
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "reikwijdte")
    author = find_user(db, OTHER_PROVIDER)
    url = f"/proposals/{proposal.id}"
    signed_in(client, PROVIDER)
    add_comments(db, section, author, 10)
    client.get(url)  # warm up: the first visit writes the visit row
    page_cache.cache.changed()
    with count_queries() as few:
        small = client.get(url)
    with count_queries() as few_cached:
        assert client.get(url).text.count("Reactie 9") == small.text.count("Reactie 9") == 1
    add_comments(db, section, author, 990, text="Nog een")
    replies_root = db.exec(
        select(Comment).where(Comment.section_id == section.id).order_by(col(Comment.id).desc())
    ).first()
    for i in range(20):
        db.add(
            Comment(
                section_id=section.id,
                author_id=author.id,
                provider_id=author.provider_id,
                parent_id=replies_root.id,
                body=f"antwoord {i}",
                body_html=f"<p>antwoord {i}</p>",
                created_at=utcnow() - timedelta(hours=1),  # before the visit: no "nieuw", no visit to record
            )
        )
    db.commit()  # a change: the cached page is not used again
    with count_queries() as many:
        large = client.get(url)
    with count_queries() as many_cached:
        assert client.get(url).text.count("Toon alle 1000 reacties") == 1
    assert small.status_code == large.status_code == 200
    assert many.count == few.count, (few.count, many.count)
    assert many_cached.count == few_cached.count < few.count, (few_cached.count, many_cached.count, few.count)
    # From the cache: the sign-in session (with the provider's invitation: access follows it), the proposal with
    # its versions and the reader's last visit, the database's change counter (a change made by another
    # process ends the entry), and the reader's own marks.
    assert few_cached.count == 4, few_cached.statements
    assert "1020 reacties" in large.text  # 1,000 comments and 20 replies
    assert "Toon alle 1000 reacties" in large.text
    assert len(large.content) < len(small.content) * 1.5  # the newest threads only, not all 1,000


def test_load_more_gives_all_threads_as_a_fragment_or_a_page(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "reikwijdte")
    add_comments(db, section, find_user(db, OTHER_PROVIDER), 12, text="Draad")
    signed_in(client, PROVIDER)
    page = client.get(f"/proposals/{proposal.id}").text
    assert "Draad 11" in page and "Draad 0" not in page  # the newest five
    link = f"/proposals/{proposal.id}/sections/reikwijdte"
    assert f'href="{link}" hx-get="{link}"' in page
    fragment = client.get(link, headers=HTMX)
    assert fragment.text.lstrip().startswith('<div class="thread" id="thread-reikwijdte">')
    assert "Draad 0" in fragment.text and "Draad 11" in fragment.text and "<html" not in fragment.text
    full = client.get(link)
    assert "<html" in full.text and "Draad 0" in full.text


# --- new since the last visit --------------------------------------------------------------------------


def test_new_since_last_visit_marks_comments_of_others(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    first = client.get(f"/proposals/{proposal.id}").text
    assert "Nieuw sinds uw laatste bezoek" not in first  # everything is new on a first visit: no markers
    clock.advance(timedelta(minutes=5))
    section = section_of(db, proposal, "reikwijdte")
    other = find_user(db, OTHER_PROVIDER)
    db.add(
        Comment(
            section_id=section.id,
            author_id=other.id,
            provider_id=other.provider_id,
            kind="vraag",
            body="Na uw bezoek",
            body_html="<p>Na uw bezoek</p>",
            created_at=clock.now(),
        )
    )
    db.commit()
    clock.advance(timedelta(minutes=5))
    second = client.get(f"/proposals/{proposal.id}").text
    item = second.split("Na uw bezoek")[0].rsplit('<li id="comment-', 1)[1]
    assert "Nieuw sinds uw laatste bezoek" in item
    assert "1 nieuw" in second
    third = client.get(f"/proposals/{proposal.id}").text
    assert "Nieuw sinds uw laatste bezoek" not in third


# --- questions --------------------------------------------------------------------------------------


def test_admin_sees_per_question_which_providers_answered(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    question = db.exec(
        select(Section).where(
            Section.kind == "question", Section.version_id == section_of(db, proposal, "reikwijdte").version_id
        )
    ).first()
    answerer = find_user(db, PROVIDER)
    db.add(
        Comment(
            section_id=question.id,
            author_id=answerer.id,
            provider_id=answerer.provider_id,
            kind="vraag",
            body="Ons antwoord",
            body_html="<p>Ons antwoord</p>",
        )
    )
    db.commit()
    signed_in(client, ADMIN)
    page = client.get(f"/admin/proposals/{proposal.id}/answers").text
    table = page.split(f'id="q-{question.key}"')[1].split("</table>")[0]
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td><span class="badge badge--\w+">(ja|nee)</span>', table))
    assert rows["Re-care"] == "ja"
    assert "nee" in rows.values()  # accepted providers that did not answer are listed too
    assert re.search(r"(\d+) van de (\d+) aanbieders hebben geantwoord", page)
    client.cookies.clear()
    signed_in(client, PROVIDER)
    assert client.get(f"/admin/proposals/{proposal.id}/answers").status_code == 403


def test_posting_with_htmx_runs_as_many_queries_with_many_comments(
    client: TestClient, db: Session, count_queries
) -> None:
    """The htmx post answers with the section's newest threads: the same statements with 1,000 comments on the
    section as with a few, and the proposal, its versions and the section read once (issue 21)."""
    proposal = find_proposal(db, "product-structure")
    section = section_of(db, proposal, "reikwijdte")
    signed_in(client, PROVIDER)
    token = csrf_from(client.get(f"/proposals/{proposal.id}").text)

    def post(n: int):
        return client.post(
            f"/proposals/{proposal.id}/sections/reikwijdte/comments",
            data={"kind": "steun", "body": f"Gepost {n}", "csrf_token": token, "form_token": f"count-{n}"},
            headers={**HTMX, "X-CSRF-Token": token},
        )

    add_comments(db, section, find_user(db, OTHER_PROVIDER), 3)
    assert post(0).status_code == 200
    with count_queries() as few:
        assert "Gepost 1" in post(1).text
    add_comments(db, section, find_user(db, OTHER_PROVIDER), 1000, text="Nog een")
    with count_queries() as many:
        answer = post(2)
    assert answer.status_code == 200 and "Gepost 2" in answer.text and "Nog een 999" in answer.text
    assert many.count == few.count, (few.statements, many.statements)
    selects = [s for s in few.statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 9, selects  # 14 before issue 21 (the proposal, its versions and the section twice)
    assert sum("FROM proposal_versions" in s.split("WHERE")[0] for s in selects) == 0, selects  # with the proposal
