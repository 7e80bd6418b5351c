"""Issue 18's smaller points on /review: the agenda links a municipality follows, the municipalities the filter
offers, and choosing the proposal and version of the response report."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from app.models import AgendaItemComment
from tests import factories


@pytest.fixture
def reviewed(db: Session) -> dict:
    """A trajectory with a proposal in two published versions, a comment on each, one put on a meeting's agenda."""
    dialogue = factories.dialogue(db)
    dialogue.signoff_chosen = True
    db.add(dialogue)
    proposal = factories.proposal(db, dialogue_=dialogue, title="Voorstel Tarieven")
    other = factories.proposal(db, dialogue_=dialogue, title="Voorstel Kwaliteit")
    author = factories.provider_user(db)
    first = factories.comment(db, factories.sections(db, proposal)[0], author, body="Over versie een")
    factories.publish_next_version(db, proposal)
    second = factories.comment(db, factories.sections(db, proposal, 2)[0], author, body="Over versie twee")
    factories.comment(db, factories.sections(db, other)[0], author, body="Over kwaliteit")
    meeting = factories.meeting(db, dialogue_=dialogue)
    item = factories.agenda(db, meeting)[0]
    db.add(AgendaItemComment(agenda_item_id=item.id or 0, comment_id=first.id or 0))
    db.commit()
    return {
        "dialogue": dialogue,
        "proposal": proposal,
        "other": other,
        "first": first,
        "second": second,
        "meeting": meeting,
    }


# --- (f) the agenda links ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["municipality", "admin"])
def test_every_agenda_link_a_reviewer_sees_opens(browser, reviewed, role):
    reviewer = browser(role)
    links: set[str] = set()
    for page in ("/review", f"/review/comments/{reviewed['first'].id}"):
        html = reviewer.get(page).text
        links |= {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]*sessions/[^"]*)"', html)}
    assert links, "the comment on the agenda links to its agenda item"
    for link in links:
        response = reviewer.get(link)
        assert response.status_code == 200, link
        anchor = link.partition("#")[2]
        assert not anchor or f'id="{anchor}"' in response.text, link  # it lands on the agenda item


# --- (g) the municipalities of the purchase -----------------------------------------------------------------


def municipality_options(html: str) -> list[str]:
    select = html.split('id="f-municipality"')[1].split("</select>")[0]
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)


@pytest.mark.signed_in("municipality")
def test_the_municipality_filter_offers_only_the_purchase(client, db, reviewed):
    factories.municipality(db, name="Almere", code="0034")
    factories.municipality(db, name="Lelystad", code="0995", in_procurement=False)
    factories.municipality(db, name="Zeewolde", code="0050", archived_at=reviewed["first"].created_at)
    db.commit()
    offered = municipality_options(client.get("/review").text)
    assert "Almere" in offered
    assert "Lelystad" not in offered and "Zeewolde" not in offered


@pytest.mark.signed_in("municipality")
def test_a_chosen_municipality_outside_the_purchase_stays_selected(client, db, reviewed):
    lelystad = factories.municipality(db, name="Lelystad", code="0995", in_procurement=False)
    db.commit()
    html = client.get(f"/review?municipality_id={lelystad.id}").text
    assert municipality_options(html) and "Lelystad" in municipality_options(html)
    assert f'<option value="{lelystad.id}" selected>Lelystad</option>' in html


# --- (h) choosing the report's proposal and version ---------------------------------------------------------


def report_form(html: str) -> str:
    return html.split('action="/review/report"')[1].split("</form>")[0]


@pytest.mark.signed_in("municipality")
def test_the_report_offers_every_proposal_and_its_versions_in_a_get_form(client, reviewed):
    html = client.get("/review/report").text
    form = report_form(html)
    assert 'name="proposal_id"' in form and 'name="version"' in form
    assert "Voorstel Tarieven" in form and "Voorstel Kwaliteit" in form
    chosen = client.get(f"/review/report?proposal_id={reviewed['proposal'].id}").text
    versions = report_form(chosen).split('name="version"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d*)"', versions) == ["", "1", "2"]


@pytest.mark.signed_in("municipality")
def test_the_report_shows_the_chosen_proposal_and_version(client, reviewed):
    pid = reviewed["proposal"].id
    one = client.get(f"/review/report?proposal_id={pid}&version=1")
    assert one.status_code == 200
    assert "Over versie een" in one.text and "Over versie twee" not in one.text
    two = client.get(f"/review/report?proposal_id={pid}&version=2").text
    assert "Over versie twee" in two and "Over versie een" not in two
    newest = client.get(f"/review/report?proposal_id={pid}&version=").text  # "de nieuwste versie"
    assert "Over versie twee" in newest
    other = client.get(f"/review/report?proposal_id={reviewed['other'].id}").text
    assert "Over kwaliteit" in other and "Over versie" not in other
    assert f'<option value="{reviewed["other"].id}" selected>' in other


@pytest.mark.signed_in("municipality")
def test_a_version_the_proposal_does_not_have_falls_back_to_its_newest_with_a_note(client, reviewed):
    """Choosing another proposal in the form sends the version of the one before along: no 404 for that."""
    response = client.get(f"/review/report?proposal_id={reviewed['other'].id}&version=2")
    assert response.status_code == 200
    assert "Over kwaliteit" in response.text
    assert "heeft geen versie 2" in response.text
    assert client.get(f"/review/report.pdf?proposal_id={reviewed['other'].id}&version=2").status_code == 404


@pytest.mark.signed_in("municipality")
def test_report_titles_name_the_proposal_and_version(client, reviewed):
    pid = reviewed["proposal"].id
    titles = {
        re.search(r"<title>(.*?)</title>", client.get(url).text).group(1)  # type: ignore[union-attr]
        for url in (f"/review/report?proposal_id={pid}&version=1", f"/review/report?proposal_id={pid}&version=2")
    }
    assert len(titles) == 2 and all("Voorstel Tarieven" in t for t in titles)
