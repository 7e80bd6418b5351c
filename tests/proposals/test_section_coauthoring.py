"""Municipal co-authoring of a proposal's draft (issue 17): SDFL and the municipalities write the draft's sections
(add, edit, move, delete, preview) and read drafts; the draft shows who wrote what; creating, publishing, new
versions, imports and the proposal's details stay SDFL's. Per role."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.models import AuditEvent, Proposal, ProposalVersion, Section, VersionStatus
from app.proposals import manage
from tests import factories
from tests.helpers import find_user, login, post_form

ADMIN, MUNICIPALITY, PROVIDER = "sdfl@example.org", "almere@example.org", "rodante@example.org"


@pytest.fixture
def draft(db) -> Proposal:
    """A proposal whose version 1 is a draft with two sections, in the demo's trajectory."""
    factories.demo_dialogue(db)
    factories.accounts(db, ADMIN, MUNICIPALITY, PROVIDER)
    made = factories.proposal(
        db,
        published=False,
        title="Concept eisen",
        sections=[("kwaliteit", "Kwaliteit", "Goede zorg."), ("tarief", "Tarief", "Een tarief.")],
    )
    db.commit()
    return made


def sections(db, proposal: Proposal) -> list[Section]:
    db.expire_all()
    return factories.sections(db, proposal)


def test_a_municipality_writes_sections_and_the_draft_says_who_wrote_what(client, db, draft):
    page = f"/admin/proposals/{draft.id}"
    login(client, MUNICIPALITY)
    html = client.get(page).text
    # Drafting only: no details form, no import, no publishing, no new version, a way back to the drafts.
    assert "Onderdeel toevoegen" in html and 'href="/admin/drafts"' in html
    assert f'action="{page}"' not in html and "/import" not in html and "/publish" not in html
    assert '/versions"' not in html and "/answers" not in html
    added = post_form(
        client, f"{page}/sections", {"heading": "Bereikbaarheid", "body": "Binnen *drie* dagen."}, page=page
    )
    assert added.status_code == 303
    new = sections(db, draft)[-1]
    almere = find_user(db, MUNICIPALITY)
    assert (new.heading, new.created_by_id, new.updated_by_id) == ("Bereikbaarheid", almere.id, None)
    assert "Opgesteld door Beleidsadviseur Almere (Gemeente Almere)" in client.get(page).text

    client.cookies.clear()
    login(client, ADMIN)
    data = {"heading": "Bereikbaarheid", "body": "Binnen twee dagen.", "kind": "text"}
    changed = post_form(client, f"{page}/sections/{new.id}", data, page=page)
    assert changed.status_code == 303
    assert (
        "Opgesteld door Beleidsadviseur Almere (Gemeente Almere) · laatst gewijzigd door Team inkoop SDFL (SDFL)"
        in client.get(page).text
    )
    events = db.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "section", AuditEvent.entity_id == new.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("section.created", almere.id),
        ("section.updated", find_user(db, ADMIN).id),
    ]


def test_a_municipality_edits_moves_deletes_and_previews_sections(client, db, draft):
    page = f"/admin/proposals/{draft.id}"
    login(client, MUNICIPALITY)
    first, second = sections(db, draft)
    edit = post_form(client, f"{page}/sections/{first.id}", {"heading": "Kwaliteit", "body": "Betere zorg."}, page=page)
    assert edit.status_code == 303 and sections(db, draft)[0].body == "Betere zorg."
    bad = post_form(client, f"{page}/sections/{first.id}", {"heading": " ", "body": "Mijn tekst blijft."}, page=page)
    assert bad.status_code == 422 and "Geef het onderdeel een kop." in bad.text and "Mijn tekst blijft." in bad.text
    assert post_form(client, f"{page}/sections/{second.id}/move", {"direction": "up"}, page=page).status_code == 303
    assert [s.id for s in sections(db, draft)] == [second.id, first.id]
    asked = post_form(client, f"{page}/sections/{first.id}/delete", page=page)
    assert asked.status_code == 200 and "Ja, onderdeel verwijderen" in asked.text  # asks first
    assert len(sections(db, draft)) == 2
    assert post_form(client, f"{page}/sections/{first.id}/delete", {"confirm": "1"}, page=page).status_code == 303
    assert [s.id for s in sections(db, draft)] == [second.id]
    preview = post_form(client, f"{page}/preview", {"body": "*nadruk*"}, page=page)
    assert preview.status_code == 200 and "<em>nadruk</em>" in preview.text
    # A municipality reads the draft as participants will see it.
    assert client.get(f"/proposals/{draft.id}/versions/1").status_code == 200


@pytest.mark.parametrize("email,expected", [(None, 303), (PROVIDER, 403), (MUNICIPALITY, None), (ADMIN, None)])
def test_drafting_sections_per_role(client, db, draft, email, expected):
    page = f"/admin/proposals/{draft.id}"
    if email:
        login(client, email)
    source = "/login" if email is None else "/account"
    first = sections(db, draft)[0]
    assert client.get(page, follow_redirects=False).status_code == (expected or 200)
    for path, data, allowed in [
        (f"{page}/sections", {"heading": "Nieuw onderdeel", "kind": "text"}, 303),
        (f"{page}/sections/{first.id}", {"heading": "Kwaliteit", "body": "Anders.", "kind": "text"}, 303),
        (f"{page}/sections/{first.id}/move", {"direction": "down"}, 303),
        (f"{page}/preview", {"body": "x"}, 200),
        (f"{page}/sections/{first.id}/delete", {"confirm": "1"}, 303),
    ]:
        status = post_form(client, path, data, page=source).status_code
        assert status == (expected or allowed), (path, status)
    headings = [s.heading for s in sections(db, draft)]
    assert ("Nieuw onderdeel" in headings) == (expected is None)
    # Only reviewers read the draft.
    reader = client.get(f"/proposals/{draft.id}", follow_redirects=False).status_code
    assert (reader == 200) == (expected is None)


@pytest.mark.parametrize("email,expected", [(None, 303), (PROVIDER, 403), (MUNICIPALITY, 403), (ADMIN, None)])
def test_creating_publishing_and_the_proposal_itself_stay_sdfls(client, db, draft, email, expected):
    page = f"/admin/proposals/{draft.id}"
    if email:
        login(client, email)
    source = "/login" if email is None else "/account"
    for path in ("/admin/proposals", "/admin/proposals/new", f"{page}/answers"):
        assert client.get(path, follow_redirects=False).status_code == (expected or 200), path
    for path, data in [
        ("/admin/proposals", {"topic": "requirements", "title": "Niet van mij"}),
        (page, {"topic": "requirements", "title": "Gekaapt"}),
        (f"{page}/import", {}),
        (f"{page}/publish", {}),
        (f"{page}/versions", {}),
    ]:
        status = post_form(client, path, data, page=source).status_code
        if expected:
            assert status == expected, (path, status)
        else:
            assert status in (200, 303, 409, 422), (path, status)  # 200: publishing asks first
    db.expire_all()
    if expected:
        assert db.get(Proposal, draft.id).title == "Concept eisen"
        assert not db.exec(select(Proposal).where(Proposal.title == "Niet van mij")).first()
        version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == draft.id)).one()
        assert version.status == VersionStatus.draft


def test_a_new_version_keeps_who_wrote_each_section(db, draft):
    almere = find_user(db, MUNICIPALITY)
    sdfl = find_user(db, ADMIN)
    section = manage.add_section(
        db, draft, manage.SectionInput(heading="Van Almere", body="Tekst.", kind="text"), actor=almere
    )
    manage.publish(db, draft, change_summary="", actor=sdfl)
    manage.new_version(db, draft, actor=sdfl)
    db.flush()
    copied = next(s for s in factories.sections(db, draft) if s.key == section.key)
    assert copied.id != section.id and copied.created_by_id == almere.id
