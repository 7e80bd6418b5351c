"""Trajectories for the public (issue 16, part 3): the list on the home page, a trajectory's page with its
criteria and timeline, who sees drafts and archived ones, the feed per trajectory, and the trajectory that
sessions, proposals and documents belong to."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from sqlmodel import Session

from app.dialogues import service
from app.dialogues.participants import GROUP_LABELS
from app.kit import clock
from app.models import (
    Audience,
    Dialogue,
    DialogueKind,
    DialogueStatus,
    InvitationStatus,
    ParticipationStatus,
    SessionStatus,
)
from app.policy import ANONYMOUS
from tests import factories

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def page_of(d: Dialogue) -> str:
    return f"/dialogues/{d.slug}"


def trajectory(db: Session, status: str = DialogueStatus.active, **fields) -> Dialogue:
    return factories.dialogue(db, title=f"Traject {status} {factories.number()}", status=status, **fields)


# --- who sees which trajectory ----------------------------------------------------------------------------------

# A reader per role: the browser fixture's user (None: the public), and whether staff sees drafts.
ROLES = {
    "public": (None, {}),
    "provider accepted": ("provider", {"invitation": InvitationStatus.accepted}),
    "provider pending": ("provider", {"invitation": InvitationStatus.pending}),
    "provider not invited": ("provider", {"invitation": None}),
    "participant": ("participant", {}),
    "municipality": ("municipality", {}),
    "admin": ("admin", {}),
}
STAFF = {"admin"}


@pytest.mark.parametrize("role", ROLES)
def test_drafts_and_archived_trajectories_only_for_staff(browser, db, role):
    active = trajectory(db)
    closed = trajectory(db, DialogueStatus.closed)
    draft = trajectory(db, DialogueStatus.draft)
    archived = trajectory(db, DialogueStatus.archived)
    kind, overrides = ROLES[role]
    if kind == "participant":
        reader = browser(factories.participant(db, dialogue_=draft))  # taking part does not open a draft
    else:
        reader = browser(kind, **overrides) if kind else browser()
    home = reader.get("/").text
    for shown in (active, closed):
        assert f'href="{page_of(shown)}"' in home
        assert reader.get(page_of(shown)).status_code == 200
    for hidden in (draft, archived):
        assert (f'href="{page_of(hidden)}"' in home) == (role in STAFF)
        response = reader.get(page_of(hidden))
        assert response.status_code == (200 if role in STAFF else 404)
        assert reader.get(f"{page_of(hidden)}/feed.atom").status_code == (200 if role in STAFF else 404)
        assert reader.get(f"/proposals?dialogue={hidden.slug}").status_code == (200 if role in STAFF else 404)
    if role in STAFF:
        assert "Alleen beheerders zien deze pagina" in reader.get(page_of(draft)).text


def test_active_trajectories_come_first_then_closed_ones(client, db):
    closed = trajectory(db, DialogueStatus.closed)
    active = trajectory(db)
    html = client.get("/").text
    assert html.index(active.title) < html.index(closed.title)
    assert "Loopt" in html and "Afgesloten" in html


def test_an_unknown_trajectory_is_404(client, db):
    trajectory(db)
    db.commit()
    for path in ("/dialogues/bestaat-niet", "/dialogues/bestaat-niet/feed.atom", "/dialogues/" + "x" * 300):
        response = client.get(path)
        assert response.status_code == 404, path
    assert "Dit traject bestaat niet" in client.get("/dialogues/bestaat-niet").text
    assert client.get("/proposals?dialogue=bestaat-niet").status_code == 404
    for odd in ("²", "99999999999", "0", "-1", "%00"):
        assert client.get(f"/dialogues/{odd}/feed.atom").status_code in (400, 404), odd  # NUL: 400
        assert client.get(f"/proposals?dialogue={odd}").status_code in (400, 404), odd


def test_with_only_a_draft_the_public_sees_no_trajectory_and_no_start_page(client, db):
    trajectory(db, DialogueStatus.draft)
    db.commit()
    html = client.get("/").text
    assert "Er zijn nog geen openbare trajecten" in html
    assert "Welkom bij Dialoog" not in html


# --- the page of a trajectory -----------------------------------------------------------------------------------


def test_the_page_shows_kind_care_form_description_frameworks_and_criteria_in_order(client, db):
    d = trajectory(db, description="Over **multi** <script>alert(1)</script>", selection_intro="Geselecteerd op:")
    factories.framework(db, title="Hervormingsagenda Jeugd", url="https://example.org/hervormingsagenda")
    document = factories.document(db, title="Inkoopstrategie", audience=Audience.public)
    factories.framework(db, title="Regionale inkoopstrategie", url="", document_id=document.id)
    factories.criterion(db, title="Omvang en belang", text="Grote en kleine aanbieders.", position=1)
    factories.criterion(db, title="Houding", text="Constructief meedenken, buiten de gebaande paden.", position=2)
    db.commit()
    html = client.get(page_of(d)).text
    assert "<strong>multi</strong>" in html and "<script>alert" not in html  # sanitised Markdown
    assert "Dialoog" in html
    assert 'href="https://example.org/hervormingsagenda"' in html
    assert f'href="/documents/{document.id}/download">Regionale inkoopstrategie' in html
    assert "Geselecteerd op:" in html
    assert html.index("Omvang en belang") < html.index("Houding")
    assert "Constructief meedenken, buiten de gebaande paden." in html
    assert "geen oordeel over uw organisatie" in html  # providers not on the list
    assert "staat open voor iedere geïnteresseerde zorgaanbieder" in html
    assert f'href="{page_of(d)}/volgen"' in html
    assert f'<link rel="alternate" type="application/atom+xml" href="{page_of(d)}/feed.atom"' in html


def test_a_framework_document_for_participants_is_not_linked_for_the_public(client, db):
    d = trajectory(db)
    document = factories.document(db, title="Intern kader", audience=Audience.participants)
    factories.framework(db, title="Intern kader", url="", document_id=document.id)
    db.commit()
    html = client.get(page_of(d)).text
    assert "Intern kader" in html
    assert f"/documents/{document.id}/download" not in html


def test_the_timeline_marks_past_milestones_and_highlights_the_next_deadline(client, db):
    clock.freeze(clock.now())
    d = trajectory(db)
    factories.milestone(db, title="Save-the-dates verstuurd", due_in=-timedelta(days=20), met_at=clock.now())
    factories.milestone(db, title="Stukken sessie 1", due_in=-timedelta(days=2))  # passed, not met
    factories.milestone(db, title="Reactietermijn sluit", due_in=timedelta(days=3))
    factories.milestone(db, title="Publicatie aanbesteding", due_in=timedelta(days=60))
    db.commit()

    def states(html: str) -> dict[str, str]:
        items = re.findall(r'<li class="timeline__item timeline__item--(\w+)"([^>]*)>(.*?)</li>', html, re.S)
        return {re.sub(r"<[^>]+>", "", body).split()[-1]: (state, attrs, body) for state, attrs, body in items}

    html = client.get(page_of(d)).text
    assert html.index("Save-the-dates verstuurd") < html.index("Stukken sessie 1") < html.index("Reactietermijn")
    found = states(html)
    assert found["verstuurd"][0] == "met" and "Afgerond" in found["verstuurd"][2]
    assert found["1"][0] == "passed" and "Verstreken" in found["1"][2]
    assert found["sluit"][0] == "next" and 'aria-current="step"' in found["sluit"][1]
    assert "Volgende" in found["sluit"][2]  # a visible label, not colour only
    assert found["aanbesteding"][0] == "ahead" and "aria-current" not in found["aanbesteding"][1]
    assert html.count('aria-current="step"') == 1

    clock.advance(timedelta(days=4))  # the window closed: the tender is next
    found = states(client.get(page_of(d)).text)
    assert found["sluit"][0] == "passed"
    assert found["aanbesteding"][0] == "next"
    assert "Publicatie aanbesteding" in client.get("/").text  # the home page names the next milestone


def test_next_milestone_skips_met_and_past_ones():
    from app.models import Milestone

    now = clock.now()
    past = Milestone(id=1, dialogue_id=1, title="a", due_at=now - timedelta(days=1))
    met_early = Milestone(id=2, dialogue_id=1, title="b", due_at=now + timedelta(days=1), met_at=now)
    later = Milestone(id=3, dialogue_id=1, title="c", due_at=now + timedelta(days=9))
    soon = Milestone(id=4, dialogue_id=1, title="d", due_at=now + timedelta(days=2))
    assert service.next_milestone([past, met_early, later, soon], now) is soon
    assert service.next_milestone([past, met_early], now) is None


def test_sessions_reports_recordings_and_public_proposals_of_this_trajectory_only(client, db):
    other = trajectory(db)
    foreign = factories.proposal(db, dialogue_=other, title="Voorstel van een ander traject", public=True)
    d = trajectory(db)
    held = factories.meeting(
        db,
        dialogue_=d,
        title="Kennismaking",
        starts_at=clock.now() - timedelta(days=10),
        status=SessionStatus.held,
        report="# Verslag\n\nGoed gesprek.",
        report_published_at=clock.now() - timedelta(days=1),
        recording_url="https://example.org/opname-1",
    )
    factories.meeting(db, dialogue_=d, title="Tarieven")
    public = factories.proposal(db, title="Openbaar voorstel", public=True)
    closed = factories.proposal(db, title="Voorstel voor deelnemers", public=False)
    db.commit()
    html = client.get(page_of(d)).text
    assert f'href="/sessions/{held.id}"' in html and "Tarieven" in html
    assert f'href="/sessions/{held.id}/report.pdf"' in html
    assert 'href="https://example.org/opname-1"' in html
    assert f'href="/proposals/{public.id}"' in html
    assert closed.title not in html and foreign.title not in html
    # A recording for participants only, or one whose moment is still ahead, is not on the public page.
    for change in (
        {"recording_audience": Audience.participants},
        {"recording_release_at": clock.now() + timedelta(days=1)},
    ):
        for field, value in change.items():
            setattr(held, field, value)
        db.add(held)
        db.commit()
        assert "opname-1" not in client.get(page_of(d)).text
        held.recording_audience, held.recording_release_at = Audience.public, None
        db.add(held)
        db.commit()


def test_a_consultation_says_who_may_take_part_and_links_the_request_form(client, db):
    d = trajectory(db, kind=DialogueKind.consultation)
    factories.provider(db, name="Aanbieder met uitnodiging")
    db.commit()
    html = client.get(page_of(d)).text
    assert "Consultatie" in html
    for label in GROUP_LABELS.values():
        assert label in html
    assert f'href="{page_of(d)}/deelnemen"' in html and "Meedoen aan deze consultatie" in html
    assert f'href="{page_of(d)}/volgen"' in html
    assert "Aanbieder met uitnodiging" not in html  # no providers' list for a consultation
    assert "geen oordeel over uw organisatie" not in html


def test_the_page_loads_with_a_constant_number_of_queries(client, db, count_queries):
    d = trajectory(db)
    factories.criterion(db)
    factories.milestone(db)
    factories.framework(db)
    factories.provider(db)
    db.commit()
    with count_queries() as few:
        client.get(page_of(d))
    for i in range(10):
        factories.criterion(db)
        factories.milestone(db, due_in=timedelta(days=i + 1))
        factories.framework(db, document_id=factories.document(db, audience=Audience.public).id, url="")
        factories.provider(db, invitation=InvitationStatus.pending)
        factories.meeting(db)
    db.commit()
    with count_queries() as many:
        assert client.get(page_of(d)).status_code == 200
    assert many.count == few.count == 8, many.statements


# --- feeds ------------------------------------------------------------------------------------------------------


def entries(response) -> list[tuple[str, str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return [
        (e.findtext("a:title", namespaces=ATOM) or "", e.find("a:category", ATOM).get("term"))
        for e in root.findall("a:entry", ATOM)
    ]


def test_the_feed_of_a_trajectory_has_only_its_publications_and_the_global_feed_all_public_ones(client, db):
    one = trajectory(db)
    factories.meeting(db, dialogue_=one, title="Sessie van het eerste traject")
    factories.proposal(db, dialogue_=one, title="Voorstel een", public=True)
    two = trajectory(db)
    factories.meeting(db, dialogue_=two, title="Sessie van het tweede traject")
    factories.document(db, dialogue_=two, title="Openbaar stuk twee", audience=Audience.public)
    draft = trajectory(db, DialogueStatus.draft)
    factories.meeting(db, dialogue_=draft, title="Sessie in voorbereiding")
    db.commit()

    first = entries(client.get(f"{page_of(one)}/feed.atom"))
    assert {term for _t, term in first} == {one.slug}
    assert any("Sessie van het eerste traject" in t for t, _ in first)
    assert any("Voorstel een" in t for t, _ in first)
    second = entries(client.get(f"{page_of(two)}/feed.atom"))
    assert {term for _t, term in second} == {two.slug}
    assert any("Openbaar stuk twee" in t for t, _ in second)

    everything = entries(client.get("/feed.atom"))
    assert {term for _t, term in everything} == {one.slug, two.slug}  # not the draft
    assert not any("voorbereiding" in t for t, _ in everything)


def test_the_global_feed_lists_the_public_trajectories(db):
    shown = trajectory(db)
    hidden = trajectory(db, DialogueStatus.archived)
    slugs = [d.slug for d in service.visible_trajectories(db, ANONYMOUS)]
    assert shown.slug in slugs and hidden.slug not in slugs


# --- sessions, proposals and documents say which trajectory they belong to ----------------------------------------


def test_a_session_and_a_proposal_link_their_trajectory(client, db):
    d = trajectory(db)
    meeting = factories.meeting(db, dialogue_=d)
    proposal = factories.proposal(db, dialogue_=d, public=True)
    db.commit()
    assert f'href="{page_of(d)}">{d.title}</a>' in client.get(f"/sessions/{meeting.id}").text
    html = client.get(f"/proposals/{proposal.id}").text
    assert f'href="{page_of(d)}">{d.title}</a>' in html


def test_the_proposals_list_filters_by_trajectory_with_a_picker(client, db):
    one = trajectory(db)
    first = factories.proposal(db, dialogue_=one, title="Voorstel van traject een", public=True)
    two = trajectory(db)
    second = factories.proposal(db, dialogue_=two, title="Voorstel van traject twee", public=True)
    db.commit()
    html = client.get("/proposals").text
    assert first.title in html and second.title in html
    assert '<select id="f-dialogue" name="dialogue"' in html  # a GET form: works without JavaScript
    assert f'href="{page_of(one)}">{one.title}</a>' in html  # each row names its trajectory
    filtered = client.get(f"/proposals?dialogue={one.slug}").text
    assert first.title in filtered and second.title not in filtered
    assert f'<option value="{one.slug}" selected>' in filtered
    assert second.title in client.get(f"/proposals?dialogue={two.id}").text  # an id works too


def test_one_trajectory_needs_no_picker(client, db):
    factories.proposal(db, public=True)
    db.commit()
    assert 'name="dialogue"' not in client.get("/proposals").text


def test_the_documents_list_filters_by_trajectory(browser, db):
    one = trajectory(db)
    factories.document(db, dialogue_=one, title="Stuk van traject een", audience=Audience.public)
    two = trajectory(db)
    factories.document(db, dialogue_=two, title="Stuk van traject twee", audience=Audience.public)
    reader = browser("municipality")
    html = reader.get("/documents").text
    assert "Stuk van traject een" in html and "Stuk van traject twee" in html
    assert f'href="{page_of(two)}">{two.title}</a>' in html
    filtered = reader.get(f"/documents?dialogue={two.slug}").text
    assert "Stuk van traject twee" in filtered and "Stuk van traject een" not in filtered
    assert reader.get("/documents?dialogue=bestaat-niet").status_code == 404


def test_a_pending_participant_is_like_the_public(browser, db):
    d = trajectory(db, kind=DialogueKind.consultation)
    reader = browser(factories.participant(db, dialogue_=d, status=ParticipationStatus.requested))
    assert reader.get(page_of(d)).status_code == 200


def test_the_calendar_of_a_trajectory_has_only_its_sessions(client, db):
    from icalendar import Calendar

    one = trajectory(db)
    mine = factories.meeting(db, dialogue_=one)
    two = trajectory(db)
    theirs = factories.meeting(db, dialogue_=two)
    draft = trajectory(db, DialogueStatus.draft)
    hidden = factories.meeting(db, dialogue_=draft)
    db.commit()
    uids = [
        str(e["UID"]) for e in Calendar.from_ical(client.get(f"{page_of(one)}/sessions.ics").content).walk("VEVENT")
    ]
    assert uids == [mine.ics_uid]
    everything = {str(e["UID"]) for e in Calendar.from_ical(client.get("/sessions.ics").content).walk("VEVENT")}
    assert everything == {mine.ics_uid, theirs.ics_uid} and hidden.ics_uid not in everything
    assert client.get(f"{page_of(draft)}/sessions.ics").status_code == 404
