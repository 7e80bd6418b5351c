"""The public home page (the trajectories) and a trajectory's page: the dialogue, its sessions and the
participant list."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from app import demo_content
from app.models import Dialogue, Invitation, InvitationStatus, Provider
from tests import factories


@pytest.fixture(autouse=True)
def dialogue(db) -> Dialogue:
    """The dialogue of the demo's texts, built with factories: its providers with their answers, its sessions."""
    made = factories.dialogue(
        db,
        title=demo_content.DIALOGUE["title"],
        tender_reference=demo_content.DIALOGUE["tender_reference"],
        description=demo_content.DIALOGUE["description"],
    )
    for p in demo_content.PROVIDERS:
        factories.provider(db, name=p["name"], slug=p["slug"], invitation=p["invitation"])
    for s in demo_content.SESSIONS:
        factories.meeting(db, title=s["title"], status=s["status"])
    db.commit()
    return made


def page_of(d: Dialogue) -> str:
    return f"/dialogues/{d.slug}"


def test_home_lists_the_trajectory_with_a_link_to_its_page(client, dialogue):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Multidisciplinaire jeugdhulp, regionale inkoop 2027" in html
    assert f'href="{page_of(dialogue)}"' in html
    assert '<html lang="nl">' in html


def test_the_trajectory_page_shows_dialogue_sessions_and_all_providers(client, dialogue):
    response = client.get(page_of(dialogue))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Multidisciplinaire jeugdhulp, regionale inkoop 2027" in html
    assert demo_content.DIALOGUE["tender_reference"] in html
    for provider in demo_content.PROVIDERS:
        escaped = provider["name"].replace("'", "&#39;")
        assert escaped in html, provider["name"]
    rows = re.findall(r'<th scope="row">', html)
    assert len(rows) == 14
    for session in demo_content.SESSIONS:
        assert session["title"] in html
    assert '<html lang="nl">' in html


def test_the_trajectory_page_shows_invitation_status_per_provider(client, db, dialogue):
    html = client.get(page_of(dialogue)).text
    accepted = db.exec(select(Invitation).where(Invitation.status == InvitationStatus.accepted)).all()
    pending = db.exec(select(Invitation).where(Invitation.status == InvitationStatus.pending)).all()
    assert html.count("Doet mee") == len(accepted) > 0
    assert html.count("Nog geen antwoord") == len(pending) > 0
    assert f"{len(accepted)} doen mee" in html


def test_the_trajectory_page_reflects_a_changed_answer(client, db, dialogue):
    provider = db.exec(select(Provider).where(Provider.slug == "its4sure")).one()
    invitation = db.exec(select(Invitation).where(Invitation.provider_id == provider.id)).one()
    before = client.get(page_of(dialogue)).text.count("Afgemeld")
    invitation.status = InvitationStatus.declined
    db.add(invitation)
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    assert client.get(page_of(dialogue)).text.count("Afgemeld") == before + 1


def test_home_in_english(client, dialogue):
    response = client.get("/?lang=en")
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Trajectories" in response.text
    assert "dialoog_lang=en" in response.headers["set-cookie"]
    # the choice is remembered
    assert '<html lang="en">' in client.get("/").text
    assert "Participants" in client.get(page_of(dialogue)).text


def test_home_query_count_does_not_grow_with_trajectories(client, db, count_queries):
    with count_queries() as before:
        client.get("/")
    for i in range(10):
        d = factories.dialogue(db, title=f"Extra traject {i}")
        factories.milestone(db, dialogue_=d)
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    with count_queries() as after:
        html = client.get("/").text
    assert "Extra traject 9" in html
    assert after.count == before.count == 2  # the trajectories with their care forms; their next milestones


def test_the_trajectory_page_query_count_does_not_grow_with_providers(client, db, count_queries, dialogue):
    with count_queries() as before:
        client.get(page_of(dialogue))
    for i in range(20):
        p = Provider(name=f"Extra aanbieder {i}", slug=f"extra-{i}")
        db.add(p)
        db.commit()  # release the test's savepoint, so a request that rolls back keeps it
        db.add(Invitation(dialogue_id=dialogue.id, provider_id=p.id))
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    with count_queries() as after:
        html = client.get(page_of(dialogue)).text
    assert "Extra aanbieder 19" in html
    assert after.count == before.count == 8, after.statements


def test_unknown_page_is_a_dutch_html_404(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Deze pagina bestaat niet" in response.text


def test_security_headers_on_pages_and_static(client):
    for path in ("/", "/static/dialoog.css", "/bestaat-niet"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
