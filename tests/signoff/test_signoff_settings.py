"""Per trajectory, SDFL chooses which municipalities must approve (issue 17): the fieldset on the trajectory's
administration page (default: every municipality in the procurement), saved through app.signoff, per role."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Municipality
from app.signoff import service as signoff
from tests import factories
from tests.helpers import login, post_form

ADMIN, MUNICIPALITY, PROVIDER = "sdfl@example.org", "almere@example.org", "rodante@example.org"


@pytest.fixture
def trajectory(db: Session):
    made = factories.demo_dialogue(db)
    factories.accounts(db, ADMIN, MUNICIPALITY, PROVIDER)
    factories.demo_municipalities(db)
    db.commit()
    return made


def town(db: Session, name: str) -> Municipality:
    return db.exec(select(Municipality).where(Municipality.name == name)).one()


def checked(html: str) -> set[str]:
    return set(re.findall(r'name="municipality_id" value="(\d+)" checked', html))


def test_the_trajectory_page_shows_the_required_municipalities_and_saves_a_choice(client, db, trajectory):
    login(client, ADMIN)
    page = f"/admin/dialogues/{trajectory.slug}"
    html = client.get(page).text
    assert "Welke gemeenten moeten akkoord geven?" in html
    default = {str(m.id) for m in signoff.required(db, trajectory)}
    assert checked(html) == default and len(default) == 4  # every municipality in the procurement
    assert "niet in de aanbesteding" in html  # Zeewolde is offered, not checked
    chosen = [str(town(db, "Almere").id), str(town(db, "Urk").id)]
    saved = post_form(client, f"{page}/signoff", {"municipality_id": chosen}, page=page)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=signoff#signoff")
    db.expire_all()
    assert [m.name for m in signoff.required(db, trajectory)] == ["Almere", "Urk"]
    assert checked(client.get(page).text) == set(chosen)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.required_changed")).one()
    assert event.after == {"municipalities": ["Almere", "Urk"]}
    # None at all is a choice too.
    assert post_form(client, f"{page}/signoff", {}, page=page).status_code == 303
    db.expire_all()
    assert signoff.required(db, trajectory) == []


def test_an_unknown_municipality_comes_back_with_the_error(client, db, trajectory):
    login(client, ADMIN)
    page = f"/admin/dialogues/{trajectory.slug}"
    almere = str(town(db, "Almere").id)
    refused = post_form(client, f"{page}/signoff", {"municipality_id": [almere, "999999"]}, page=page)
    assert refused.status_code == 422 and "Een gekozen gemeente bestaat niet." in refused.text
    assert almere in checked(refused.text)
    bogus = post_form(client, f"{page}/signoff", {"municipality_id": ["Almere"]}, page=page)
    assert bogus.status_code == 422
    db.expire_all()
    assert len(signoff.required(db, trajectory)) == 4
    assert client.get(f"{page}/signoff").status_code == 200


@pytest.mark.parametrize("email,expected", [(None, 303), (PROVIDER, 403), (MUNICIPALITY, 403), (ADMIN, None)])
def test_only_sdfl_chooses(client, db, trajectory, email, expected):
    if email:
        login(client, email)
    source = "/login" if email is None else "/account"
    page = f"/admin/dialogues/{trajectory.slug}/signoff"
    assert client.get(page, follow_redirects=False).status_code == (expected or 200)
    response = post_form(client, page, {"municipality_id": [str(town(db, "Urk").id)]}, page=source)
    assert response.status_code == (expected or 303)
    db.expire_all()
    assert len(signoff.required(db, trajectory)) == (4 if expected else 1)
