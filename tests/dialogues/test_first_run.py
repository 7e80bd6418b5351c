"""A new installation: without a dialogue, / is a start page that says what to do first (issue 16, part 1)."""

from __future__ import annotations

from tests import factories


def test_a_new_installation_answers_the_home_page_with_the_start_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Welkom bij Dialoog" in response.text
    assert "dialoog create-user --role admin" in response.text
    assert "Er is nog geen dialoogtraject" not in response.text


def test_once_an_admin_exists_the_start_page_asks_to_sign_in(client, db):
    factories.admin(db)
    db.commit()
    html = client.get("/").text
    assert "Er is al een beheerder" in html
    assert "dialoog create-user" not in html
    assert 'href="/login"' in html


def test_an_inactive_admin_does_not_count(client, db):
    factories.admin(db, active=False)
    db.commit()
    assert "dialoog create-user --role admin" in client.get("/").text


def test_with_a_dialogue_the_home_page_is_the_dialogue(client, db):
    made = factories.dialogue(db, title="Dialoog multidisciplinaire jeugdhulp")
    db.commit()
    html = client.get("/").text
    assert made.title in html
    assert "Welkom bij Dialoog" not in html


def test_the_start_page_in_english(client):
    html = client.get("/?lang=en").text
    assert "Welcome to Dialoog" in html
