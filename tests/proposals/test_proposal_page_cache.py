"""The proposal page's shared cache (app/proposals/page_cache.py): readers of one kind share one rendering of
the sections and threads, yet each sees what is theirs, and every change or scheduled release shows at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.kit import clock
from app.models import Comment, Dialogue
from app.proposals import page_cache
from tests import factories
from tests.helpers import csrf_from, find_proposal, login, post_comment


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories."""
    made = factories.demo_world(db)
    db.commit()
    return made


PROVIDER = "re-care@example.org"
OTHER = "triade-vitree@example.org"
ADMIN = "sdfl@example.org"
MUNICIPALITY = "almere@example.org"
NEW_BADGE = "Nieuw sinds uw laatste bezoek"


@pytest.fixture
def browsers(app) -> Iterator:
    """``browsers(email)``: a signed-in browser of its own (cookies and all) per user."""
    opened: dict[str, TestClient] = {}

    def browser(email: str) -> TestClient:
        if email not in opened:
            opened[email] = TestClient(app, base_url="http://testserver").__enter__()
            assert login(opened[email], email).status_code == 303
        return opened[email]

    yield browser
    for client in opened.values():
        client.__exit__(None, None, None)


def comment_id(db: Session, body: str) -> int:
    return db.exec(select(Comment.id).where(Comment.body == body)).one()


def comment_html(page: str, cid: int) -> str:
    """The <li> of one comment, without its replies."""
    return page.split(f'id="comment-{cid}"')[1].split("</article>")[0]


def test_two_providers_share_one_rendering_yet_see_only_their_own_buttons(db: Session, browsers) -> None:
    proposal = find_proposal(db, "product-structure")
    a, b = browsers(PROVIDER), browsers(OTHER)
    assert post_comment(a, proposal.id, "reikwijdte", {"kind": "steun", "body": "Van A"}).status_code == 303
    assert post_comment(b, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Van B"}).status_code == 303
    mine, theirs = comment_id(db, "Van A"), comment_id(db, "Van B")
    url = f"/proposals/{proposal.id}"

    page_a = a.get(url).text
    hits = page_cache.cache.hits
    page_b = b.get(url).text
    assert page_cache.cache.hits == hits + 1  # B got the rendering A's request made

    for page in (page_a, page_b):
        assert "Van A" in page and "Van B" in page
        assert page_cache.CSRF_PLACEHOLDER not in page and page_cache.FORM_TOKEN_PLACEHOLDER not in page
        assert "<!--dlg:" not in page
    assert f'href="/comments/{mine}/edit"' in page_a and f'href="/comments/{theirs}/edit"' not in page_a
    assert f'href="/comments/{theirs}/edit"' in page_b and f'href="/comments/{mine}/edit"' not in page_b

    # Each browser's forms carry its own CSRF token, and every form a once-only token of its own.
    for page in (page_a, page_b):
        assert set(re.findall(r'name="csrf_token" value="([^"]+)"', page)) == {csrf_from(page)}
    assert csrf_from(page_a) != csrf_from(page_b)
    tokens_a = re.findall(r'name="form_token" value="([^"]+)"', page_a)
    tokens_b = re.findall(r'name="form_token" value="([^"]+)"', page_b)
    assert len(tokens_a) == len(tokens_b) == page_a.count('class="comment-form"') > 5
    assert len(set(tokens_a + tokens_b)) == len(tokens_a) + len(tokens_b)


def test_a_comment_that_spells_the_placeholders_or_marks_stays_text(db: Session, browsers) -> None:
    proposal = find_proposal(db, "product-structure")
    a, b = browsers(PROVIDER), browsers(OTHER)
    trick = (
        f"Kijk: {page_cache.CSRF_PLACEHOLDER.replace('&', '')} {page_cache.CSRF_PLACEHOLDER} "
        f"{page_cache.FORM_TOKEN_PLACEHOLDER} "
        "`<!--dlg:own:1 reikwijdte-->` `<!--dlg-sections-->`"
    )
    assert post_comment(a, proposal.id, "reikwijdte", {"kind": "steun", "body": trick}).status_code == 303
    cid = comment_id(db, trick)
    page = b.get(f"/proposals/{proposal.id}").text
    shown = comment_html(page, cid)
    assert csrf_from(page) not in shown and "Bewerken" not in shown  # nothing of the reader's got in
    assert "Kijk: dlg-csrf-d1a10065; &amp;dlg-csrf-d1a10065; &amp;dlg-form-token-d1a10065;" in shown
    assert "&lt;!--dlg:own:1 reikwijdte--&gt;" in shown and "&lt;!--dlg-sections--&gt;" in shown
    assert page.count('<div class="thread" id="thread-reikwijdte">') == 1


def test_a_new_comment_shows_at_once_and_is_new_for_the_others_only(db: Session, browsers) -> None:
    proposal = find_proposal(db, "product-structure")
    url = f"/proposals/{proposal.id}"
    a, b = browsers(PROVIDER), browsers(OTHER)
    a.get(url)  # A has now seen everything: the visit is recorded
    b.get(url)
    clock.advance(timedelta(minutes=1))
    assert post_comment(b, proposal.id, "reikwijdte", {"kind": "vraag", "body": "Later van B"}).status_code == 303
    cid = comment_id(db, "Later van B")

    page_a = a.get(url).text
    assert NEW_BADGE in comment_html(page_a, cid)
    toc_entry = page_a.split('href="#section-reikwijdte"')[1].split("</li>")[0]
    assert "1 nieuw" in toc_entry
    assert page_a.count(NEW_BADGE) == 1

    page_b = b.get(url).text
    assert "Later van B" in page_b and NEW_BADGE not in page_b  # one's own comment is never new to oneself


def test_an_edit_and_a_withdrawal_show_at_once(db: Session, browsers) -> None:
    proposal = find_proposal(db, "product-structure")
    url = f"/proposals/{proposal.id}"
    a, b = browsers(PROVIDER), browsers(OTHER)
    post_comment(a, proposal.id, "reikwijdte", {"kind": "steun", "body": "Eerste tekst"})
    cid = comment_id(db, "Eerste tekst")
    assert "Eerste tekst" in b.get(url).text  # cached now
    token = csrf_from(a.get(url).text)
    assert (
        a.post(
            f"/comments/{cid}/edit",
            data={"kind": "steun", "body": "Tweede tekst", "csrf_token": token},
            follow_redirects=False,
        ).status_code
        == 303
    )
    page = b.get(url).text
    assert "Tweede tekst" in page and "Eerste tekst" not in page
    assert (
        a.post(
            f"/comments/{cid}/withdraw", data={"csrf_token": token, "confirm": "1"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "Deze reactie is ingetrokken" in comment_html(b.get(url).text, cid)


def test_a_scheduled_answer_appears_when_its_moment_passes(db: Session, browsers) -> None:
    proposal = find_proposal(db, "product-structure")
    trajectory = db.get(Dialogue, proposal.dialogue_id)
    trajectory.signoff_chosen = True  # about the cache, not the sign-off: no municipality needs to approve
    db.add(trajectory)
    db.commit()
    url = f"/proposals/{proposal.id}"
    a, admin = browsers(PROVIDER), browsers(ADMIN)
    post_comment(a, proposal.id, "reikwijdte", {"kind": "vraag", "body": "Wanneer weten we het?"})
    cid = comment_id(db, "Wanneer weten we het?")
    token = csrf_from(admin.get("/review").text)
    admin.post(
        f"/review/comments/{cid}/triage", data={"status": "in_behandeling", "reply": "Op 1 maart.", "csrf_token": token}
    )
    soon = clock.now().astimezone(ZoneInfo("Europe/Amsterdam")) + timedelta(minutes=10)
    done = admin.post(
        "/review/release",
        data={"release_at": soon.strftime("%Y-%m-%dT%H:%M"), "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303

    before = a.get(url).text
    assert "Wanneer weten we het?" in before and "Op 1 maart." not in before
    hits = page_cache.cache.hits
    assert "Op 1 maart." not in a.get(url).text and page_cache.cache.hits == hits + 1  # cached until the moment
    clock.freeze(clock.now() + timedelta(minutes=12))  # nobody writes: only time passes
    assert "Op 1 maart." in a.get(url).text


def test_each_kind_of_reader_has_its_own_rendering(db: Session, browsers) -> None:
    proposal = find_proposal(db, "product-structure")
    url = f"/proposals/{proposal.id}"
    a, admin, municipality = browsers(PROVIDER), browsers(ADMIN), browsers(MUNICIPALITY)
    post_comment(a, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Te krap"})
    cid = comment_id(db, "Te krap")
    token = csrf_from(admin.get("/review").text)
    admin.post(
        f"/review/comments/{cid}/triage",
        data={"status": "overgenomen", "reply": "Wij passen het aan.", "csrf_token": token},
    )
    provider_page = a.get(url).text  # rendered for providers first
    admin_page = admin.get(url).text
    municipality_page = municipality.get(url).text
    assert "Wij passen het aan." not in provider_page and "Overgenomen" not in comment_html(provider_page, cid)
    assert "Wij passen het aan." in admin_page and "Concept, nog niet vrijgegeven" in admin_page
    assert "Overgenomen" in comment_html(admin_page, cid)
    assert "Overgenomen" in comment_html(municipality_page, cid)  # reviewers see the working decision
    assert "Wij passen het aan." not in municipality_page  # a drafted answer is SDFL's
    assert "Wij passen het aan." not in a.get(url).text


def test_the_cached_page_carries_a_freshly_masked_token_per_response_and_each_works(db: Session, browsers) -> None:
    """Issue 18 (BREACH): the page is gzipped, so its CSRF token is spelt differently in every response, also
    when the sections come from the cache; one spelling per response, and every spelling is accepted."""
    proposal = find_proposal(db, "product-structure")
    a = browsers(PROVIDER)
    url = f"/proposals/{proposal.id}"
    first = a.get(url, headers={"Accept-Encoding": "gzip"})
    hits = page_cache.cache.hits
    second = a.get(url, headers={"Accept-Encoding": "gzip"})
    assert page_cache.cache.hits == hits + 1
    assert first.headers["content-encoding"] == second.headers["content-encoding"] == "gzip"
    spellings = []
    for page in (first.text, second.text):
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        tokens |= set(re.findall(r'"X-CSRF-Token": "([^"]+)"', page))
        assert len(tokens) == 1
        spellings.append(tokens.pop())
    assert spellings[0] != spellings[1]
    for n, token in enumerate(spellings):
        response = a.post(
            f"/proposals/{proposal.id}/sections/reikwijdte/comments",
            data={"kind": "steun", "body": f"Gemaskeerd {n}", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
