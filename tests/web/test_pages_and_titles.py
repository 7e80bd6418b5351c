"""Issue 18's smaller points about pages: validation summaries and error pages headed in words, a title of its own
for every page, the Dutch page about the API, and Dutch content marked lang="nl" on English pages."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from app.web.errors import error_heading
from tests import factories
from tests.helpers import post_form

TITLE = re.compile(r"<title>(.*?)</title>", re.S)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def title_of(html: str) -> str:
    found = TITLE.search(html)
    assert found, "a page without <title>"
    return found.group(1).strip()


# --- (a) the error summary of a form ----------------------------------------------------------------------


@pytest.mark.signed_in("admin")
def test_a_validation_summary_says_it_found_errors_not_that_something_went_wrong(client):
    response = post_form(client, "/admin/users", {"email": "geen-adres", "role": "admin"}, page="/admin/users/new")
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert re.search(r"Er (is een fout|zijn \d+ fouten) gevonden", summary)
    assert "Er ging iets mis" not in summary


def test_the_request_error_box_keeps_its_message_for_real_failures(client):
    html = client.get("/login").text
    assert re.search(r'id="request-error"[^>]*data-default="Er ging iets mis', html)


# --- (b) error pages headed in words ---------------------------------------------------------------------


def test_a_missing_page_is_headed_in_words_with_the_status_in_title_and_text(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert H1.search(response.text).group(1) == "Pagina niet gevonden"  # type: ignore[union-attr]
    assert "404" in title_of(response.text) and "Foutcode 404" in response.text
    assert "Fout 404" not in response.text


@pytest.mark.signed_in("provider")
def test_a_forbidden_page_is_headed_geen_toegang(client):
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert H1.search(response.text).group(1) == "Geen toegang"  # type: ignore[union-attr]
    assert title_of(response.text) == "Geen toegang (fout 403) · Dialoog SDFL"


def test_a_refused_form_is_headed_in_words_too(client):
    client.get("/login")
    response = client.post("/logout", data={"csrf_token": "vervalst"})
    assert response.status_code == 403
    assert "<h1>Deze pagina is verlopen</h1>" in response.text
    assert "403" in title_of(response.text) and "Fout 403" not in response.text


@pytest.mark.parametrize(
    "status,heading",
    [
        (400, "Het verzoek kon niet worden verwerkt"),
        (409, "Dit kan niet meer"),
        (429, "Even geduld"),
        (503, "Er ging iets mis"),
    ],
)
def test_every_status_has_a_heading_in_words(status, heading):
    assert error_heading(status) == heading


# --- (c) a title of its own for every page ---------------------------------------------------------------


@pytest.fixture
def site(db: Session) -> dict:
    dialogue = factories.dialogue(db, title="Jeugdhulp 2027")
    proposal = factories.proposal(db, dialogue_=dialogue, title="Productstructuur")
    factories.publish_next_version(db, proposal)
    other = factories.proposal(db, dialogue_=dialogue, title="Contractvoorwaarden")
    author = factories.provider_user(db)
    comments = [factories.comment(db, factories.sections(db, other)[0], author, body=f"Reactie {i}") for i in range(2)]
    meeting = factories.meeting(db, dialogue_=dialogue, agenda=[{"title": "Pauze"}, {"title": "Pauze"}])
    second = factories.meeting(db, dialogue_=dialogue, agenda=["Pauze"])
    db.commit()
    return {
        "dialogue": dialogue,
        "proposal": proposal,
        "other": other,
        "comments": comments,
        "meeting": meeting,
        "second": second,
    }


def test_every_page_has_a_title_of_its_own(browser, site, db):
    p, o, d = site["proposal"].id, site["other"].id, site["dialogue"]
    items = [*factories.agenda(db, site["meeting"]), *factories.agenda(db, site["second"])]
    public = browser()
    admin = browser("admin")
    pages = {
        public: [
            "/",
            "/login",
            "/password-reset",
            "/api",
            "/proposals",
            f"/dialogues/{d.slug}",
            f"/sessions/{site['meeting'].id}",
            f"/sessions/{site['second'].id}",
            "/bestaat-niet",
        ],
        admin: [
            f"/proposals?dialogue={d.slug}",
            f"/proposals/{p}",
            f"/proposals/{p}/versions/1",
            f"/proposals/{o}",
            "/admin/dialogues",
            "/admin/proposals",
            f"/admin/proposals/{p}",
            f"/admin/proposals/{p}/answers",
            f"/admin/proposals/{o}/answers",
            f"/admin/sessions/{site['meeting'].id}",
            *(f"/admin/sessions/{item.session_id}/agenda/{item.id}" for item in items),
            "/admin/documents",
            "/documents",
            "/admin/municipalities",
            "/admin/municipalities?archived=1",
            "/admin/care-forms",
            "/admin/care-forms?archived=1",
            f"/comments/{site['comments'][0].id}/reply",
            f"/comments/{site['comments'][1].id}/reply",
            f"/review/report?proposal_id={p}&version=1",
            f"/review/report?proposal_id={p}&version=2",
            f"/review/report?proposal_id={o}",
            "/review",
            "/review?kind=steun",
            "/review?status=nieuw&kind=steun",
            f"/review?proposal_id={p}&version=2",
            "/review?q=wachttijd",
            "/review?sort=oldest",
        ],
    }
    titles: dict[str, str] = {}
    for client, urls in pages.items():
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), url
            titles[url] = title_of(response.text)
    shared = {t: [u for u in titles if titles[u] == t] for t in set(titles.values())}
    assert {t: urls for t, urls in shared.items() if len(urls) > 1} == {}
    assert len(titles) >= 30


# --- (d) the API, explained in Dutch -------------------------------------------------------------------------


def test_the_api_page_explains_in_dutch_and_links_the_reference(client):
    response = client.get("/api")
    assert response.status_code == 200
    html = response.text
    assert "<h1>De API van Dialoog</h1>" in html
    assert 'href="/api/docs"' in html and 'href="/api/v1/openapi.json"' in html
    assert "sleutel" in html


def test_the_api_is_linked_from_the_footer_not_the_main_menu(client):
    html = client.get("/login").text
    menu = html.split('aria-label="Hoofdmenu"')[1].split("</nav>")[0]
    footer = html.split('<footer class="site-footer">')[1]
    assert "/api" not in menu
    assert 'href="/api"' in footer


# --- (e) Dutch content on an English page ------------------------------------------------------------------


def test_dutch_content_is_marked_lang_nl_on_english_pages(browser, site):
    p = site["proposal"].id
    english = browser("admin")
    html = english.get(f"/proposals/{p}?lang=en").text
    assert '<html lang="en">' in html
    assert re.search(r'<h1 lang="nl">Productstructuur</h1>', html)
    assert re.search(r'class="section-body prose"[^>]* lang="nl"', html)
    dutch = browser("admin").get(f"/proposals/{p}").text
    assert '<html lang="nl">' in dutch
    assert not re.search(r'class="section-body prose"[^>]* lang=', dutch)
    trajectory = english.get(f"/dialogues/{site['dialogue'].slug}").text
    assert '<h1 id="dialogue-title" lang="nl">' in trajectory


@pytest.mark.signed_in("municipality")
def test_comments_in_the_review_report_are_marked_dutch_in_english(client, site):
    html = client.get(f"/review/report?proposal_id={site['other'].id}&lang=en").text
    assert re.search(r'<div lang="nl">\s*<div class="comment__body prose"><p>Reactie 0</p>', html)
