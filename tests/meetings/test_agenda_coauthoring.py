"""Municipal co-authoring of a session's agenda (issue 17): SDFL and the municipalities draft agenda items (add,
edit, move, delete), the draft shows who wrote what, and the session itself stays SDFL's. Per role."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from app.kit import clock
from app.kit.i18n import TIMEZONE
from app.models import AgendaItem, AuditEvent, DialogueSession
from tests import factories
from tests.helpers import login, post_form

ADMIN, MUNICIPALITY, PROVIDER = "sdfl@example.org", "almere@example.org", "rodante@example.org"


@pytest.fixture
def meeting(db) -> DialogueSession:
    factories.demo_dialogue(db)
    factories.accounts(db, ADMIN, MUNICIPALITY, PROVIDER)
    day = (clock.now() + timedelta(days=14)).astimezone(TIMEZONE).date()
    made = factories.meeting(db, starts_at=datetime.combine(day, time(13, 0), tzinfo=TIMEZONE), hours=4)
    db.commit()
    return made


def item_data(title: str, starts: str = "13:00", ends: str = "13:30") -> dict[str, str]:
    return {"title": title, "starts": starts, "ends": ends, "format": "plenary", "description": "Toelichting."}


def items(db, meeting: DialogueSession) -> list[AgendaItem]:
    db.expire_all()
    return list(
        db.exec(select(AgendaItem).where(AgendaItem.session_id == meeting.id).order_by(AgendaItem.position)).all()
    )


def test_a_municipality_drafts_the_agenda_and_the_draft_says_who_wrote_what(client, db, meeting):
    page = f"/admin/sessions/{meeting.id}"
    login(client, MUNICIPALITY)
    html = client.get(page).text
    # The page is for drafting: no forms of SDFL's (session details, attendance, report), a way back to drafts.
    assert "Agendapunt toevoegen" in html and 'href="/admin/drafts"' in html
    assert f'action="/admin/sessions/{meeting.id}"' not in html
    assert "/attendance" not in html and "/report" not in html
    assert post_form(client, f"{page}/agenda", item_data("Inbreng van Almere"), page=page).status_code == 303
    added = next(i for i in items(db, meeting) if i.title == "Inbreng van Almere")
    assert added.created_by_id is not None and added.updated_by_id is None
    html = client.get(page).text
    assert "Opgesteld door Beleidsadviseur Almere (Gemeente Almere)" in html

    # SDFL changes it: the draft now names both.
    client.cookies.clear()
    login(client, ADMIN)
    item_page = f"{page}/agenda/{added.id}"
    changed = post_form(client, item_page, item_data("Inbreng van Almere en SDFL", "13:30", "14:00"), page=item_page)
    assert changed.status_code == 303
    html = client.get(item_page).text
    assert (
        "Opgesteld door Beleidsadviseur Almere (Gemeente Almere) · laatst gewijzigd door Team inkoop SDFL (SDFL)"
        in html
    )
    events = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "agenda_item")).all()
    assert [(e.action, e.actor_id) for e in events][-2:] == [
        ("agenda_item.created", added.created_by_id),
        ("agenda_item.updated", items(db, meeting)[-1].updated_by_id),
    ]


def test_a_municipality_edits_moves_and_deletes_agenda_items(client, db, meeting):
    page = f"/admin/sessions/{meeting.id}"
    login(client, MUNICIPALITY)
    first, second, third = items(db, meeting)
    item_page = f"{page}/agenda/{second.id}"
    html = client.get(item_page).text
    assert "Agendapunt verwijderen" in html and "/subgroups" not in html
    assert post_form(client, item_page, item_data("Nieuwe titel", "14:00", "14:30"), page=item_page).status_code == 303
    assert items(db, meeting)[1].title == "Nieuwe titel"
    assert items(db, meeting)[1].updated_by_id is not None
    # Bad input comes back with the error next to the field and the text kept.
    bad = post_form(client, item_page, item_data("Te laat", "19:00", "19:30"), page=item_page)
    assert bad.status_code == 422 and "binnen de sessie" in bad.text and 'value="Te laat"' in bad.text
    moved = post_form(client, f"{item_page}/move", {"direction": "up"}, page=page)
    assert moved.status_code == 303
    assert [i.id for i in items(db, meeting)] == [second.id, first.id, third.id]
    assert post_form(client, f"{page}/agenda/{third.id}/delete", page=page).status_code == 303
    assert [i.id for i in items(db, meeting)] == [second.id, first.id]
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.entity_type == "agenda_item")).all()]
    assert actions == ["agenda_item.updated", "agenda_item.moved", "agenda_item.deleted"]


@pytest.mark.parametrize(
    "email,expected",
    [(None, 303), (PROVIDER, 403), (MUNICIPALITY, None), (ADMIN, None)],  # None: allowed
)
def test_drafting_the_agenda_per_role(client, db, meeting, email, expected):
    page = f"/admin/sessions/{meeting.id}"
    if email:
        login(client, email)
    source = "/login" if email is None else "/account"
    first = items(db, meeting)[0]
    assert client.get(page, follow_redirects=False).status_code == (expected or 200)
    assert client.get(f"{page}/agenda/{first.id}", follow_redirects=False).status_code == (expected or 200)
    assert client.get("/admin/drafts", follow_redirects=False).status_code == (expected or 200)
    for path, data in [
        (f"{page}/agenda", item_data("Nieuw punt")),
        (f"{page}/agenda/{first.id}", item_data("Gewijzigd")),
        (f"{page}/agenda/{first.id}/move", {"direction": "down"}),
        (f"{page}/agenda/{first.id}/delete", {}),
    ]:
        status = post_form(client, path, data, page=source).status_code
        assert status == (expected or 303), (path, status)
    titles = [i.title for i in items(db, meeting)]
    assert ("Nieuw punt" in titles) == (expected is None)


@pytest.mark.parametrize("email,expected", [(None, 303), (PROVIDER, 403), (MUNICIPALITY, 403), (ADMIN, None)])
def test_the_session_itself_stays_sdfls(client, db, meeting, email, expected):
    page = f"/admin/sessions/{meeting.id}"
    if email:
        login(client, email)
    source = "/login" if email is None else "/account"
    first = items(db, meeting)[0]
    for path in ("/admin/sessions", "/admin/sessions/new"):
        assert client.get(path, follow_redirects=False).status_code == (expected or 200), path
    for path, data in [
        (page, {"title": "Gekaapt"}),
        (f"{page}/attendance", {}),
        (f"{page}/report", {"report": "x", "publish": ""}),
        (f"{page}/agenda/{first.id}/subgroups", {}),
    ]:
        status = post_form(client, path, data, page=source).status_code
        if expected:
            assert status == expected, (path, status)
        else:
            assert status in (303, 409, 422), (path, status)  # SDFL may (a plenary item has no subgroups: 409)
    db.expire_all()
    assert db.get(DialogueSession, meeting.id).title != "Gekaapt"


def test_the_drafts_overview_lists_upcoming_agendas_and_draft_versions(client, db, meeting):
    draft = factories.proposal(db, published=False, title="Concept tarieven")
    past = factories.meeting(db, starts_at=clock.now() - timedelta(days=30), title="Voorbije sessie")
    db.commit()
    login(client, MUNICIPALITY)
    html = client.get("/admin/drafts").text
    assert f'href="/admin/sessions/{meeting.id}#agenda"' in html and "3</td>" in html
    assert f'href="/admin/proposals/{draft.id}#sections"' in html and "Concept tarieven" in html
    assert "Voorbije sessie" not in html and f"/admin/sessions/{past.id}" not in html
    # The reviewers' navigation leads the municipality to the drafts; the page offers nothing of SDFL's.
    assert 'href="/admin/drafts"' in client.get("/review").text
    assert 'href="/admin/sessions"' not in html and 'href="/admin/users"' not in html
