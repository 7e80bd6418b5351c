"""The personal overview (/overzicht): what waits for each role, through the real pages; sign-in lands there."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.kit import clock
from app.models import (
    Approval,
    AuditEvent,
    Comment,
    Dialogue,
    DialogueKind,
    InvitationStatus,
    Municipality,
    Nota,
    Provider,
    Question,
    QuestionStatus,
    ReleasePackage,
    ReleaseStatus,
    SectionKind,
    User,
)
from tests import factories
from tests.helpers import login

QUESTION_SECTIONS = [
    ("inleiding", "Inleiding", "Waarom dit voorstel."),
    ("vraag-tarief", "Welk tarief past bij deze zorg?", "Vraag aan de aanbieders.", SectionKind.question),
    ("vraag-wachttijd", "Hoe lang is uw wachttijd?", "Vraag aan de aanbieders.", SectionKind.question),
]


def section_of(html: str, heading_id: str) -> str:
    """The text of the overview's section headed by ``heading_id`` (empty when the page has none)."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def sdfl_reply(db: Session, parent: Comment, admin: User, body: str, *, released: bool) -> Comment:
    now = clock.now()
    return factories.reply(
        db, parent, admin, body, official=True, release_at=now - timedelta(minutes=5) if released else None
    )


# --- signing in lands on the overview --------------------------------------------------------------------------


def test_signing_in_lands_on_the_overview_unless_a_page_asked_for_it(client, db):
    user = factories.provider_user(db)
    db.commit()
    landed = login(client, user.email, factories.PASSWORD, next_url="")
    assert landed.status_code == 303 and landed.headers["location"] == "/overzicht"
    client.cookies.clear()
    asked = login(client, user.email, factories.PASSWORD, next_url="/proposals")
    assert asked.headers["location"] == "/proposals"


def test_the_login_form_carries_no_next_of_its_own(anonymous):
    assert 'name="next" value=""' in anonymous.get("/login").text
    assert 'name="next" value="/review"' in anonymous.get("/login?next=/review").text


def test_the_public_is_asked_to_sign_in(anonymous):
    response = anonymous.get("/overzicht", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Foverzicht"


@pytest.mark.parametrize("role", ["provider", "participant", "municipality", "admin"])
def test_every_signed_in_role_has_the_menu_entry(browser, role):
    c = browser(role)
    page = c.get("/overzicht")
    assert page.status_code == 200
    assert '<a href="/overzicht" aria-current="page">Overzicht</a>' in page.text


def test_the_public_has_no_menu_entry(anonymous):
    assert 'href="/overzicht"' not in anonymous.get("/").text


# --- a provider's contact person -----------------------------------------------------------------------------


def provider_world(db: Session) -> dict[str, Any]:
    d1 = factories.dialogue(db, new=True)
    contact = factories.provider_user(db)  # its provider accepted d1
    other = factories.provider_user(db)
    admin = factories.admin(db)
    d2 = factories.dialogue(db, new=True, title="Tweede traject")
    factories.invite(db, db.get(Provider, contact.provider_id), status=InvitationStatus.pending, dialogue_=d2)
    proposal = factories.proposal(db, sections=QUESTION_SECTIONS, dialogue_=d1, title="Voorstel tarieven")
    closed = factories.proposal(
        db,
        dialogue_=d1,
        title="Voorstel gesloten",
        opens_at=clock.now() - timedelta(days=30),
        closes_at=clock.now() - timedelta(days=1),
    )
    mine = factories.comment(db, factories.section(db, proposal, "vraag-tarief"), contact, "Ons tarief is 80 euro.")
    sdfl_reply(db, mine, admin, "Dank, wij nemen het mee.", released=True)
    sdfl_reply(db, mine, admin, "Nog niet vrijgegeven antwoord.", released=False)
    factories.reply(db, mine, other, "Wij zien dat anders.")
    factories.reply(db, mine, contact, "Mijn eigen aanvulling.")
    db.add(
        Question(
            dialogue_id=d1.id,
            asker_id=contact.id,
            provider_id=contact.provider_id,
            original_text="Mogen wij onderaannemers inzetten?",
            text="Mogen aanbieders onderaannemers inzetten?",
        )
    )
    db.add(
        Question(
            dialogue_id=d1.id,
            asker_id=contact.id,
            provider_id=contact.provider_id,
            original_text="Beantwoorde vraag",
            text="Beantwoorde vraag",
            status=QuestionStatus.answered,
            nota_id=factories._save(
                db,
                Nota(
                    dialogue_id=d1.id,
                    number=1,
                    title="Nota 1",
                    status=ReleaseStatus.released,
                    released_at=clock.now() - timedelta(days=1),
                ),
            ).id,
        )
    )
    factories.meeting(db, dialogue_=d1, title="Tweede dialoogsessie")
    factories.milestone(db, dialogue_=d1, title="Publicatie aanbesteding")
    db.commit()
    return {"contact": contact, "proposal": proposal, "closed": closed, "d1": d1, "d2": d2}


def test_a_provider_sees_its_invitation_windows_open_questions_answers_and_own_questions(browser, db):
    world = provider_world(db)
    c = browser(world["contact"])
    html = c.get("/overzicht").text

    invitations = section_of(html, "ov-invitations")
    assert "Tweede traject" in invitations and "uw antwoord ontbreekt nog" in invitations
    assert world["d1"].title not in invitations  # accepted: nothing to answer
    windows = section_of(html, "ov-windows")
    assert "Voorstel tarieven" in windows and "reageren kan tot" in windows and "<time datetime=" in windows
    assert "Voorstel gesloten" not in windows
    questions = section_of(html, "ov-open-questions")
    assert "Hoe lang is uw wachttijd?" in questions and "#section-vraag-wachttijd" in questions
    assert "Welk tarief past" not in questions  # answered by its comment
    assert "Inleiding" not in questions  # not a question
    answers = section_of(html, "ov-answers")
    assert "Antwoord van SDFL" in answers and "Reactie van Provider" in answers
    assert answers.count("<li>") == 2  # not the unreleased answer, not its own addition
    own = section_of(html, "ov-questions")
    assert "Mogen wij onderaannemers inzetten?" in own and "Beantwoorde vraag" not in own
    assert "Tweede dialoogsessie" in section_of(html, "ov-sessions")
    for staff_only in ("ov-unreviewed", "ov-signoff", "ov-milestones"):
        assert section_of(html, staff_only) == "", staff_only


def test_answers_are_new_until_the_provider_opens_the_proposal(browser, db):
    world = provider_world(db)
    c = browser(world["contact"])
    assert section_of(c.get("/overzicht").text, "ov-answers").count("<li>") == 2
    assert c.get(f"/proposals/{world['proposal'].id}").status_code == 200
    answers = section_of(c.get("/overzicht").text, "ov-answers")
    assert "<li>" not in answers and "Geen nieuwe antwoorden" in answers


def test_answering_a_question_takes_it_off_the_list(browser, db):
    world = provider_world(db)
    c = browser(world["contact"])
    factories.comment(db, factories.section(db, world["proposal"], "vraag-wachttijd"), world["contact"], "Zes weken.")
    db.commit()
    questions = section_of(c.get("/overzicht").text, "ov-open-questions")
    assert "Hoe lang is uw wachttijd?" not in questions and "alle open vragen beantwoord" in questions


def test_a_provider_whose_invitation_is_pending_sees_only_the_invitation(browser, db):
    d = factories.dialogue(db, new=True, title="Nieuw traject")
    contact = factories.provider_user(db, invitation=InvitationStatus.pending)
    factories.proposal(db, sections=QUESTION_SECTIONS, dialogue_=d)
    factories.meeting(db, dialogue_=d)
    db.commit()
    html = browser(contact).get("/overzicht").text
    assert "Nieuw traject" in section_of(html, "ov-invitations")
    assert section_of(html, "ov-windows") == "" and section_of(html, "ov-open-questions") == ""
    assert "Er is geen sessie gepland" in section_of(html, "ov-sessions")  # not its trajectory yet


# --- a consultation participant -------------------------------------------------------------------------------


def test_a_consultation_participant_sees_windows_open_questions_and_its_pending_request(browser, db):
    consultation = factories.dialogue(db, new=True, kind=DialogueKind.consultation, title="Consultatie logeren")
    person = factories.participant(db, dialogue_=consultation)
    other = factories.dialogue(db, new=True, kind=DialogueKind.consultation, title="Consultatie vervoer")
    factories.join(db, person, dialogue_=other, status="requested")
    factories.proposal(db, sections=QUESTION_SECTIONS, dialogue_=consultation, title="Voorstel logeren")
    db.commit()
    html = browser(person).get("/overzicht").text
    assert "Consultatie vervoer" in section_of(html, "ov-requests")
    assert "Voorstel logeren" in section_of(html, "ov-windows")
    assert "Welk tarief past bij deze zorg?" in section_of(html, "ov-open-questions")
    assert section_of(html, "ov-invitations") == "" and section_of(html, "ov-unreviewed") == ""


# --- a municipality and SDFL ----------------------------------------------------------------------------------


def staff_world(db: Session, *, extra: int = 0, tag: str = "") -> dict[str, Any]:
    """A trajectory with feedback to review, a nota and a package waiting for sign-off, replies drafted, a session
    and deadlines; ``extra`` more trajectories like it (for counting queries)."""
    municipality = factories.municipality(db, name=f"Gemeente Almere-Test{tag}")
    other = factories.municipality(db, name=f"Gemeente Urk-Test{tag}")
    reviewer = factories.municipality_user(db, municipality_=municipality)
    admin = factories.admin(db)
    made: list[Dialogue] = []
    for i in range(1 + extra):
        d = factories.dialogue(db, new=True, title=f"Traject {i}")
        made.append(d)
        contact = factories.provider_user(db, provider_=factories.provider(db, dialogue_=d))
        proposal = factories.proposal(db, dialogue_=d, sections=QUESTION_SECTIONS)
        section = factories.section(db, proposal, "vraag-tarief")
        factories.comments(db, section, contact, 2 + i)
        reviewed = factories.comment(db, section, contact, "Al beoordeeld", status="overgenomen")
        sdfl_reply(db, reviewed, admin, "Concept-antwoord", released=False)
        nota = factories._save(
            db,
            Nota(
                dialogue_id=d.id,
                number=1,
                title=f"Nota {i}",
                status=ReleaseStatus.scheduled,
                release_at=clock.now() + timedelta(days=3),
            ),
        )
        package = factories._save(
            db,
            ReleasePackage(
                dialogue_id=d.id,
                title=f"Pakket {i}",
                release_at=clock.now() + timedelta(days=5),
                status=ReleaseStatus.scheduled,
            ),
        )
        draft = factories._save(
            db, ReleasePackage(dialogue_id=d.id, title=f"Concept zonder verzoek {i}", release_at=clock.now())
        )
        # the other municipality approved the package (after its last change); nobody approved the nota
        db.add(
            Approval(
                subject_type="package",
                subject_id=package.id,
                municipality_id=other.id,
                user_id=admin.id,
                decision="approve",
                digest="0" * 64,
                created_at=clock.now() + timedelta(seconds=1),
            )
        )
        assert draft.id and nota.id
        factories.meeting(db, dialogue_=d, title=f"Sessie {i}")
        factories.milestone(db, dialogue_=d, title=f"Termijn {i}", due_in=timedelta(days=10))
        factories.milestone(db, dialogue_=d, title=f"Verlopen termijn {i}", due_in=timedelta(days=-2))
        factories.milestone(
            db, dialogue_=d, title=f"Gehaald {i}", due_in=timedelta(days=-3), met_at=clock.now() - timedelta(days=3)
        )
    db.commit()
    return {"reviewer": reviewer, "admin": admin, "municipality": municipality, "other": other, "dialogues": made}


def test_a_municipality_sees_unreviewed_feedback_its_sign_offs_and_sessions(browser, db):
    world = staff_world(db)
    d = world["dialogues"][0]
    html = browser(world["reviewer"]).get("/overzicht").text
    unreviewed = section_of(html, "ov-unreviewed")
    assert f'href="/review?dialogue_id={d.id}&amp;status=nieuw"' in unreviewed and "2 reacties" in unreviewed
    signoff = section_of(html, "ov-signoff")
    assert "Wacht op uw akkoord" in html
    for title in ("Nota van inlichtingen: 1: Nota 0", "Vrijgavepakket: Pakket 0", "Officiële reacties en besluiten"):
        assert title in signoff, title
    assert "Concept zonder verzoek" not in signoff
    assert "Akkoord ontbreekt van" not in signoff  # that is SDFL's view
    assert "Sessie 0" in section_of(html, "ov-sessions")
    assert section_of(html, "ov-milestones") == "" and section_of(html, "ov-open-questions") == ""
    assert section_of(html, "ov-invitations") == "" and section_of(html, "ov-questions") == ""
    assert "Nieuwe antwoorden op uw reacties" in html  # a municipality comments too


def test_an_approval_takes_an_item_off_the_municipality_s_list_until_it_changes(browser, db):
    world = staff_world(db)
    nota = db.exec(select(Nota).where(Nota.title == "Nota 0")).one()
    db.add(
        Approval(
            subject_type="nota",
            subject_id=nota.id,
            municipality_id=world["municipality"].id,
            user_id=world["reviewer"].id,
            decision="approve",
            digest="0" * 64,
            created_at=clock.now() + timedelta(seconds=1),
        )
    )
    db.commit()
    c = browser(world["reviewer"])
    assert "Nota 0" not in section_of(c.get("/overzicht").text, "ov-signoff")
    nota.updated_at = clock.now() + timedelta(seconds=2)  # changed after the approval
    db.add(nota)
    db.commit()
    assert "Nota 0" in section_of(c.get("/overzicht").text, "ov-signoff")


def test_a_draft_package_shows_once_sdfl_asked_for_sign_off(browser, db):
    world = staff_world(db)
    draft = db.exec(select(ReleasePackage).where(ReleasePackage.title == "Concept zonder verzoek 0")).one()
    db.add(AuditEvent(action="package.signoff_requested", entity_type="package", entity_id=str(draft.id)))
    db.commit()
    assert "Concept zonder verzoek 0" in section_of(browser(world["reviewer"]).get("/overzicht").text, "ov-signoff")


def test_sdfl_sees_everything_with_the_missing_municipalities_and_the_deadlines(browser, db):
    world = staff_world(db)
    html = browser(world["admin"]).get("/overzicht").text
    assert "2 reacties" in section_of(html, "ov-unreviewed")
    signoff = section_of(html, "ov-signoff")
    assert "Wacht op akkoord van de gemeenten" in html
    package_line = next(line for line in signoff.split("<li>") if "Pakket 0" in line)
    assert "Gemeente Almere-Test" in package_line and "Gemeente Urk-Test" not in package_line  # Urk approved
    nota_line = next(line for line in signoff.split("<li>") if "Nota 0" in line)
    assert "Gemeente Almere-Test" in nota_line and "Gemeente Urk-Test" in nota_line
    milestones = section_of(html, "ov-milestones")
    assert "Termijn 0" in milestones and "<strong>Verlopen:</strong> Verlopen termijn 0" in milestones
    assert "Gehaald 0" not in milestones
    assert "Sessie 0" in section_of(html, "ov-sessions")
    assert section_of(html, "ov-invitations") == "" and section_of(html, "ov-open-questions") == ""
    assert section_of(html, "ov-answers") == "" and section_of(html, "ov-questions") == ""  # SDFL answers


def test_chosen_sign_off_municipalities_are_the_ones_asked(browser, db):
    from app.models import SignoffMunicipality

    world = staff_world(db)
    d = world["dialogues"][0]
    d.signoff_chosen = True  # only Urk must approve (none of the reviewer's municipality)
    db.add(d)
    db.add(SignoffMunicipality(dialogue_id=d.id, municipality_id=world["other"].id))
    db.commit()
    html = browser(world["reviewer"]).get("/overzicht").text
    assert "Niets wacht op akkoord" in section_of(html, "ov-signoff")


# --- no query per row -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "reviewer", "contact"])
def test_the_overview_costs_the_same_queries_for_more_data(browser, db, count_queries, who):
    world = staff_world(db)
    people = {**world, "contact": provider_world(db)["contact"]}
    c = browser(people[who])
    c.get("/overzicht")
    with count_queries() as few:
        small = c.get("/overzicht")
    assert small.status_code == 200
    staff_world(db, extra=4, tag="-2")
    more = provider_world(db)
    # the contact person's provider takes part in the new trajectory too, with its comments and answers
    factories.invite(db, db.get(Provider, people["contact"].provider_id), dialogue_=more["d1"])
    extra_comment = factories.comment(db, factories.section(db, more["proposal"], "vraag-tarief"), people["contact"])
    sdfl_reply(db, extra_comment, world["admin"], "Nog een antwoord", released=True)
    db.commit()
    with count_queries() as many:
        big = c.get("/overzicht")
    assert big.status_code == 200 and big.text != small.text  # the page shows the new data
    assert many.count == few.count, (few.statements, many.statements)


def test_municipalities_that_left_the_procurement_are_not_asked(browser, db):
    world = staff_world(db)
    gone: Municipality = world["other"]
    gone.in_procurement = False
    db.add(gone)
    db.commit()
    signoff = section_of(browser(world["admin"]).get("/overzicht").text, "ov-signoff")
    assert "Gemeente Urk-Test" not in signoff and "Gemeente Almere-Test" in signoff
