"""Admin forms that make something in a trajectory (a session, a proposal, a document) choose it from the
trajectories that are not archived, the current one by default; an archived or unknown one is a field error."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from app.kit import clock
from app.models import DialogueSession, Document, Proposal
from tests import factories
from tests.helpers import local, pdf_bytes, post_form


def _two(db):
    current = factories.dialogue(db, new=True, slug="huidig", title="Huidig traject", status="active")
    other = factories.dialogue(db, new=True, slug="tweede-traject", title="Tweede traject", status="draft")
    archived = factories.dialogue(db, new=True, slug="oud", title="Oud traject", status="archived")
    db.commit()
    return current, other, archived


def test_a_session_is_made_in_the_chosen_trajectory(db, as_admin) -> None:
    _current, other, archived = _two(db)
    html = as_admin.get("/admin/sessions/new").text
    assert "Tweede traject" in html and "Oud traject" not in html
    start = clock.now() + timedelta(days=40)
    data = {
        "number": "1",
        "title": "Kick-off",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=2)),
        "status": "planned",
    }
    r = post_form(as_admin, "/admin/sessions", {**data, "dialogue_id": str(other.id)}, page="/admin/sessions/new")
    assert r.status_code == 303, r.text
    assert db.exec(select(DialogueSession).where(DialogueSession.title == "Kick-off")).one().dialogue_id == other.id
    r = post_form(
        as_admin,
        "/admin/sessions",
        {**data, "title": "Nee", "dialogue_id": str(archived.id)},
        page="/admin/sessions/new",
    )
    assert r.status_code == 422 and 'id="error-dialogue_id"' in r.text
    assert "Kick-off" in as_admin.get("/admin/sessions?dialogue=tweede-traject").text


def test_a_proposal_is_made_in_the_chosen_trajectory(db, as_admin) -> None:
    current, other, _archived = _two(db)
    assert f'value="{current.id}" selected' in as_admin.get("/admin/proposals/new").text
    data = {"topic": "product_structure", "title": "Productstructuur logeren"}
    r = post_form(as_admin, "/admin/proposals", {**data, "dialogue_id": str(other.id)}, page="/admin/proposals/new")
    assert r.status_code == 303, r.text
    assert db.exec(select(Proposal).where(Proposal.title == "Productstructuur logeren")).one().dialogue_id == other.id
    r = post_form(
        as_admin, "/admin/proposals", {**data, "title": "", "dialogue_id": "999999"}, page="/admin/proposals/new"
    )
    assert r.status_code == 422 and 'id="error-dialogue_id"' in r.text and 'id="error-title"' in r.text


def test_a_document_is_uploaded_to_the_chosen_trajectory(db, as_admin) -> None:
    current, other, _archived = _two(db)
    meeting_of_current = factories.meeting(db, dialogue_=current)
    db.commit()
    assert "Tweede traject" in as_admin.get("/admin/documents").text
    r = post_form(
        as_admin,
        "/admin/documents",
        {"title": "Kaderbrief", "audience": "public", "dialogue_id": str(other.id)},
        page="/admin/documents",
        files={"file": ("kaderbrief.pdf", pdf_bytes(), "application/pdf")},
    )
    assert r.status_code == 303, r.text
    assert db.exec(select(Document).where(Document.title == "Kaderbrief")).one().dialogue_id == other.id
    r = post_form(
        as_admin,
        "/admin/documents",
        {
            "title": "Verkeerd",
            "audience": "public",
            "dialogue_id": str(other.id),
            "session_id": str(meeting_of_current.id),
        },
        page="/admin/documents",
        files={"file": ("verkeerd.pdf", pdf_bytes(), "application/pdf")},
    )
    assert r.status_code == 422 and 'id="error-session_id"' in r.text
