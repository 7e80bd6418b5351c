"""Irreversible actions ask first (issue 18): publishing a version shows exactly what goes out and to whom, then
one button that publishes that content only; deleting a draft section asks on a page of its own; the draft
editor's Omhoog/Omlaag save what was typed in the section, so reordering never loses an edit."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session, select

from app.models import AuditEvent, Municipality, OutboxMessage, ProposalVersion, Provider
from app.proposals import manage
from tests import factories
from tests.helpers import login
from tests.proposals.test_proposals_admin import ADMIN, add_section, form, new_proposal, sections


@pytest.fixture(autouse=True)
def world(db) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    assert login(client, ADMIN).status_code == 303
    return client


def digest_of(html: str) -> str:
    match = re.search(r'name="digest" value="([0-9a-f]+)"', html)
    assert match, "no digest on the check page"
    return match.group(1)


def mails(db: Session) -> int:
    return len(db.exec(select(OutboxMessage)).all())


def test_publishing_shows_what_goes_out_and_to_whom_before_the_one_button(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    add_section(admin, proposal, "Kwaliteit", "De aanbieder levert goede zorg.")
    add_section(admin, proposal, "Toegang", "Via het lokale team.")
    before = mails(db)
    path = f"/admin/proposals/{proposal.id}/publish"

    check = form(admin, path, {"change_summary": "Eerste versie."})
    assert check.status_code == 200
    page = check.text
    assert "<h1>Controleer voor u publiceert</h1>" in page
    assert re.search(r"<li>Kwaliteit</li>\s*<li>Toegang</li>", page)  # the sections, in order
    recipients = manage.participants_to_notify(db, proposal.dialogue_id)
    assert recipients
    assert f"{len(recipients)} ontvangers" in page
    providers = {db.get(Provider, u.provider_id).name for u in recipients if u.provider_id}
    municipalities = {db.get(Municipality, u.municipality_id).name for u in recipients if u.municipality_id}
    for name in providers | municipalities:
        assert f"<li>{escape(name)}</li>" in page
    assert "Versie 1 publiceren" in page and 'name="confirm" value="1"' in page
    # Nothing went out yet.
    assert mails(db) == before
    assert db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one().status == "draft"

    # The draft changes after the check: the old button publishes nothing and the page shows the new content.
    kwaliteit = sections(db, proposal, 1)[0]
    form(admin, f"/admin/proposals/{proposal.id}/sections/{kwaliteit.id}", {"heading": "Kwaliteit", "body": "Anders."})
    stale = form(admin, path, {"change_summary": "Eerste versie.", "confirm": "1", "digest": digest_of(page)})
    assert stale.status_code == 409
    assert "Er is niets gepubliceerd: controleer het opnieuw." in stale.text
    assert mails(db) == before
    db.expire_all()
    assert db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one().status == "draft"

    published = form(admin, path, {"change_summary": "Eerste versie.", "confirm": "1", "digest": digest_of(stale.text)})
    assert published.status_code == 303 and published.headers["location"].endswith("?saved=published")
    banner = "data-notice>Gepubliceerd. Alle deelnemers krijgen een e-mail.</p>"
    assert banner in admin.get(published.headers["location"]).text
    assert "data-notice" not in admin.get(f"/admin/proposals/{proposal.id}?saved=<b>x</b>").text
    db.expire_all()
    assert db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one().status == (
        "published"
    )
    assert mails(db) == before + len(recipients)


def test_publishing_refusals_show_on_the_draft_not_on_a_check_page(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    empty = form(admin, f"/admin/proposals/{proposal.id}/publish", {"change_summary": ""})
    assert empty.status_code == 422 and "zonder onderdelen" in empty.text
    assert "Controleer voor u publiceert" not in empty.text


def test_the_draft_page_leads_to_the_check_and_explains_it(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    page = admin.get(f"/admin/proposals/{proposal.id}").text
    assert "Controleren en publiceren" in page
    assert "U ziet eerst precies wat er verstuurd wordt en aan wie." in page


def test_deleting_a_section_asks_first(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    add_section(admin, proposal, "Kwaliteit", "Goede **zorg**.")
    add_section(admin, proposal, "Toegang", "Via het lokale team.")
    first = sections(db, proposal, 1)[0]
    path = f"/admin/proposals/{proposal.id}/sections/{first.id}/delete"
    asked = form(admin, path)
    assert asked.status_code == 200
    assert "Onderdeel “Kwaliteit” verwijderen?" in asked.text
    assert "<strong>zorg</strong>" in asked.text  # what would be gone
    assert f'href="/admin/proposals/{proposal.id}#edit-{first.id}"' in asked.text
    assert [s.heading for s in sections(db, proposal, 1)] == ["Kwaliteit", "Toegang"]
    assert form(admin, path, {"confirm": "1"}).status_code == 303
    assert [s.heading for s in sections(db, proposal, 1)] == ["Toegang"]


def test_omhoog_and_omlaag_save_what_was_typed(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    add_section(admin, proposal, "Kwaliteit", "Oude tekst.")
    add_section(admin, proposal, "Toegang", "Via het lokale team.")
    kwaliteit, toegang = sections(db, proposal, 1)
    page = admin.get(f"/admin/proposals/{proposal.id}").text
    # The buttons are in the section's own form, after its save button (Enter in a field saves, not moves).
    editor = page.split(f'id="edit-{toegang.id}"', 1)[1].split("</form>", 1)[0]
    assert editor.index("Onderdeel opslaan") < editor.index('name="direction" value="up"')
    assert f'formaction="/admin/proposals/{proposal.id}/sections/{toegang.id}/move"' in editor

    move = f"/admin/proposals/{proposal.id}/sections/{toegang.id}/move"
    typed = {"heading": "Toegang en wachttijd", "body": "Nog niet opgeslagen.", "kind": "text", "save": "1"}
    assert form(admin, move, {**typed, "direction": "up"}).status_code == 303
    db.expire_all()
    first, second = sections(db, proposal, 1)
    assert (first.id, first.heading, first.body) == (toegang.id, "Toegang en wachttijd", "Nog niet opgeslagen.")
    assert second.id == kwaliteit.id

    # Text that cannot be saved: nothing moves, and the form shows it again as typed with the error.
    bad = form(admin, move, {**typed, "heading": " ", "body": "Mijn nieuwe tekst.", "direction": "down"})
    assert bad.status_code == 422
    assert "Geef het onderdeel een kop." in bad.text and "Mijn nieuwe tekst." in bad.text
    db.expire_all()
    assert [s.id for s in sections(db, proposal, 1)] == [toegang.id, kwaliteit.id]

    # Moving without a change writes no "section.updated" to the audit trail.
    updates = len(db.exec(select(AuditEvent).where(AuditEvent.action == "section.updated")).all())
    unchanged = {"heading": "Toegang en wachttijd", "body": "Nog niet opgeslagen.", "kind": "text", "save": "1"}
    assert form(admin, move, {**unchanged, "direction": "down"}).status_code == 303
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "section.updated")).all()) == updates
    db.expire_all()
    assert [s.id for s in sections(db, proposal, 1)] == [kwaliteit.id, toegang.id]
