"""The TenderNed record of a nota van inlichtingen: SDFL records it once the nota is released; the nota's page and
the API show it; every change is in the audit trail; the nota itself (and its sign-off) does not change."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.kit import clock
from app.models import AuditEvent
from app.questions import notas
from tests.helpers import bearer, csrf_from, make_key
from tests.questions.conftest import answer, ask, nota

URL = "https://www.tenderned.nl/aankondigingen/overzicht/9911"
RECORD = {"tenderned_published_on": "2026-11-02", "tenderned_reference": "TN-NVI-1", "tenderned_url": URL}


def post(client, path: str, data: dict, page: str):
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def made(db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    db.commit()
    return n


def test_the_tenderned_record_of_a_nota(as_, db, world):
    n = made(db, world)
    admin = as_("sdfl")
    page, action = f"/admin/notas/{n.id}", f"/admin/notas/{n.id}/tenderned"
    assert "Publicatie op TenderNed" not in admin.get(page).text  # not released: nothing to record yet
    early = post(admin, action, RECORD, page)
    assert early.status_code == 409
    notas.release_nota(db, n, at=clock.now(), actor=None)
    db.commit()
    digest = notas.nota_digest(db, n)

    wrong = post(admin, action, {**RECORD, "tenderned_url": "ftp://x", "tenderned_published_on": "2026-11-03"}, page)
    assert wrong.status_code == 422
    assert 'id="error-tenderned_url"' in wrong.text and "in de toekomst" in wrong.text
    assert 'value="ftp://x"' in wrong.text  # as typed

    assert post(admin, action, RECORD, page).status_code == 303
    db.refresh(n)
    assert n.tenderned_reference == "TN-NVI-1" and notas.nota_digest(db, n) == digest  # the nota is unchanged
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "nota.tenderned_recorded")).all()
    assert event.after == {"published_on": "2026-11-02", "reference": "TN-NVI-1", "url": URL}

    public = as_("re-care").get(f"/dialogues/{world.dialogue.slug}/nota/{n.number}").text
    assert "Gepubliceerd op TenderNed op maandag 2 november 2026" in public and f'href="{URL}"' in public
    api = as_(None).get(f"/api/v1/notas/{n.id}", headers=bearer(make_key(db, world.people["rodante"].email)))
    assert api.json()["tenderned"] == {"published_on": "2026-11-02", "reference": "TN-NVI-1", "url": URL}

    assert post(admin, action, {k: "" for k in RECORD}, page).status_code == 303
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "nota.tenderned_removed")).one()
    assert "Gepubliceerd op TenderNed" not in as_("re-care").get(f"/dialogues/{world.dialogue.slug}/nota/1").text


@pytest.mark.parametrize("who,status", [("almere", 403), ("rodante", 403), (None, 303)])
def test_only_admins_record_it(as_, db, world, who, status):
    n = made(db, world)
    notas.release_nota(db, n, at=clock.now(), actor=None)
    db.commit()
    client = as_(who)
    response = post(client, f"/admin/notas/{n.id}/tenderned", RECORD, "/login" if who is None else "/account")
    assert response.status_code == status
    db.refresh(n)
    assert n.tenderned_reference is None
