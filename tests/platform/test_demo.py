"""Demo data: the multi dialogue and the logeren consultation as the issues promise them, every invented fact
marked as demo data, a timeline that fits the seeds (sessions before the tender, the tender in 2026, contracts from
1 January 2027), and seeding twice adds nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import Session, col, func, select

from app import demo_content
from app.accounts.passwords import verify_password
from app.demo import (
    CONSULTATION_SLUG,
    CONTRACT_START,
    DEMO_PASSWORD,
    DIALOGUE_SLUG,
    TENDER_LATEST,
    WINDOW,
    anchor_day,
    format_accounts,
    seed_demo,
)
from app.kit.i18n import TIMEZONE
from app.models import (
    AgendaItem,
    Attendance,
    CareForm,
    Comment,
    Dialogue,
    DialogueSession,
    Document,
    Framework,
    Invitation,
    Milestone,
    Municipality,
    Participation,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    SelectionCriterion,
    SessionStatus,
    User,
)
from tests.helpers import login

pytestmark = pytest.mark.demo  # the demo data set is what these tests test

ALL_TABLES = (
    Dialogue,
    SelectionCriterion,
    Framework,
    Milestone,
    Participation,
    Municipality,
    Provider,
    User,
    Invitation,
    DialogueSession,
    Attendance,
    AgendaItem,
    Document,
    Proposal,
    ProposalVersion,
    Section,
    Comment,
)
PROCURING = ("Almere", "Dronten", "Urk", "Noordoostpolder")
CONTRACT_START_AT = datetime.combine(CONTRACT_START, time(0, 0), tzinfo=TIMEZONE)


def counts(db) -> dict[str, int]:
    return {m.__name__: db.exec(select(func.count()).select_from(m)).one() for m in ALL_TABLES}


def trajectory(db, slug: str) -> Dialogue:
    return db.exec(select(Dialogue).where(Dialogue.slug == slug)).one()


def milestones(db, dialogue: Dialogue) -> list[Milestone]:
    return list(db.exec(select(Milestone).where(Milestone.dialogue_id == dialogue.id).order_by(Milestone.due_at)))


def sessions_of(db, dialogue: Dialogue) -> list[DialogueSession]:
    return list(
        db.exec(
            select(DialogueSession).where(DialogueSession.dialogue_id == dialogue.id).order_by(DialogueSession.number)
        )
    )


def test_seeding_twice_does_not_duplicate(db):
    before = counts(db)
    result = seed_demo(db)
    db.flush()
    assert result.created == 0
    assert counts(db) == before


def test_demo_has_two_trajectories_one_of_them_a_consultation(db):
    dialogues = db.exec(select(Dialogue).order_by(Dialogue.id)).all()
    assert sorted((d.slug, d.kind) for d in dialogues) == [
        (CONSULTATION_SLUG, "consultation"),
        (DIALOGUE_SLUG, "dialogue"),
    ]
    assert all(d.status == "active" for d in dialogues)
    multi, logeren = trajectory(db, DIALOGUE_SLUG), trajectory(db, CONSULTATION_SLUG)
    assert db.get(CareForm, multi.care_form_id).key == "multi-complex"
    assert db.get(CareForm, logeren.care_form_id).key == "kortdurend-verblijf"
    assert logeren.description and logeren.selection_intro and not logeren.tender_reference
    assert len(db.exec(select(Framework).where(Framework.dialogue_id == logeren.id)).all()) >= 2
    assert {m.kind for m in milestones(db, logeren)} >= {"window_close"}


def test_demo_has_the_dialogue_municipalities_and_providers(db):
    dialogue = trajectory(db, DIALOGUE_SLUG)
    assert dialogue.title == "Multidisciplinaire jeugdhulp, regionale inkoop 2027"
    assert dialogue.tender_reference
    names = set(db.exec(select(Municipality.name)).all())
    assert set(PROCURING) <= names
    assert len(db.exec(select(Provider)).all()) == 14
    statuses = [i.status for i in db.exec(select(Invitation)).all()]
    assert statuses.count("accepted") > statuses.count("pending") > 0
    criteria = db.exec(select(SelectionCriterion).where(SelectionCriterion.dialogue_id == dialogue.id)).all()
    assert len(criteria) == 4 and any("gebaande paden" in c.text for c in criteria)


def test_the_multi_dialogue_has_the_frameworks_of_the_issue(db):
    dialogue = trajectory(db, DIALOGUE_SLUG)
    titles = " | ".join(
        f.title
        for f in db.exec(select(Framework).where(Framework.dialogue_id == dialogue.id).order_by(Framework.position))
    )
    for expected in ("productstructuur", "Hervormingsagenda Jeugd", "Groeipijn", "visie", "inkoopstrategie"):
        assert expected.lower() in titles.lower(), expected
    assert "17 juni 2025" in titles


def test_the_multi_timeline_fits_the_seeds(db):
    """Save-the-dates, documents a week before each session, the comment window, the tender in 2026 after every
    session, and the contract start on 1 January 2027 (midnight in Amsterdam)."""
    now = datetime.now(UTC)
    dialogue = trajectory(db, DIALOGUE_SLUG)
    by_kind: dict[str, list[Milestone]] = {}
    for m in milestones(db, dialogue):
        by_kind.setdefault(m.kind, []).append(m)
        assert (m.met_at is not None) == (m.due_at <= now), m.title  # nothing passes unmet in the demo
    assert set(by_kind) == {"save_the_date", "package_release", "window_close", "tender", "contract_start"}
    (start,) = by_kind["contract_start"]
    assert start.due_at == CONTRACT_START_AT
    (tender,) = by_kind["tender"]
    assert tender.due_at.astimezone(TIMEZONE).year == 2026 and tender.due_at < start.due_at

    meetings = sessions_of(db, dialogue)
    assert [s.number for s in meetings] == [1, 2, 3]
    releases = {m.session_id: m for m in by_kind["package_release"]}
    for s in meetings:
        assert s.ends_at < tender.due_at and s.ends_at < CONTRACT_START_AT, s.number
        assert releases[s.id].due_at == s.starts_at - timedelta(days=7) == s.documents_release_at
    (save_the_date,) = by_kind["save_the_date"]
    assert save_the_date.due_at < meetings[0].starts_at
    (window,) = by_kind["window_close"]
    proposals = db.exec(select(Proposal).where(Proposal.dialogue_id == dialogue.id)).all()
    assert {p.closes_at for p in proposals} == {window.due_at}
    assert window.due_at < tender.due_at


@pytest.mark.parametrize("day", [date(2026, 1, 5) + timedelta(days=n) for n in range(0, 700, 17)])
def test_the_anchor_keeps_every_session_and_the_tender_in_time(day):
    anchor = anchor_day(day)
    assert anchor <= day
    tender = anchor + timedelta(days=max(m["day_offset"] for m in demo_content.MILESTONES if m["kind"] == "tender"))
    assert tender <= TENDER_LATEST < CONTRACT_START
    for s in demo_content.SESSIONS:
        assert anchor + timedelta(days=s["day_offset"]) < tender
    assert anchor + timedelta(days=WINDOW[1]) < tender


def test_demo_sessions_are_held_once_they_have_ended(db):
    now = datetime.now(UTC)
    for s in sessions_of(db, trajectory(db, DIALOGUE_SLUG)):
        assert s.starts_at.tzinfo is not None
        if s.ends_at < now:
            assert s.status == SessionStatus.held
            assert s.report and s.report_published_at and s.report_published_at <= now
        else:
            assert s.status == SessionStatus.planned and not s.report_published_at
        items = db.exec(select(AgendaItem).where(AgendaItem.session_id == s.id)).all()
        assert items and all(s.starts_at <= i.starts_at < i.ends_at <= s.ends_at for i in items)
        docs = db.exec(select(Document).where(Document.session_id == s.id)).all()
        assert all(d.release_at <= now for d in docs)
    assert db.exec(select(func.count()).select_from(Document)).one() > 0


def test_every_held_session_report_states_its_attendance_record(db):
    held = [s for s in sessions_of(db, trajectory(db, DIALOGUE_SLUG)) if s.status == SessionStatus.held]
    assert held and held[0].number == 1
    for s in held:
        rows = db.exec(select(Attendance).where(Attendance.session_id == s.id)).all()
        came = [r for r in rows if r.attended]
        match = re.search(r"Aanwezig waren (\d+) mensen van (\d+) van de (\d+) deelnemende zorgaanbieders", s.report)
        assert match, s.report[:200]
        people, providers, invited = (int(g) for g in match.groups())
        assert (people, providers, invited) == (sum(r.people for r in came), len(came), len(rows)), s.number
        assert all(r.people == 0 for r in rows if not r.attended)
        assert "demo" in s.report[match.end() : match.end() + 30]  # the numbers are marked as demo numbers


def test_every_venue_is_in_one_of_the_four_municipalities_and_marked_as_demo(db):
    for s in db.exec(select(DialogueSession)).all():
        assert any(name in s.location for name in PROCURING), s.location
        assert "Lelystad" not in s.location
        assert "demo" in s.location.lower(), s.location


def test_invented_facts_are_marked_as_demo(db):
    multi, logeren = trajectory(db, DIALOGUE_SLUG), trajectory(db, CONSULTATION_SLUG)
    assert "demo" in multi.tender_reference.lower()
    for d in (multi, logeren):
        assert "*Demo:" in d.description
    for user in db.exec(select(User).where(User.role == "provider")).all():
        assert user.name.endswith("(demo)"), user.name
    for user in db.exec(select(User).where(User.role == "participant")).all():
        assert "(demo)" in user.name and (not user.organisation or "(demo)" in user.organisation), user.email
    for m in db.exec(select(Milestone)).all():
        assert m.kind == "contract_start" or "(demodatum)" in m.title, m.title
    for f in db.exec(select(Framework)).all():
        assert f.url or "Demo:" in f.description, f.title
    assert all(p.illustrative for p in db.exec(select(Provider)).all())


def test_the_multi_dialogue_is_about_multi_and_local_care_follows_the_memo(db):
    multi = trajectory(db, DIALOGUE_SLUG)
    assert "eigen trajecten" in multi.description
    assert "Het gaat om de vier vormen" not in multi.description  # what the description said before
    bodies = db.exec(
        select(Section.body)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(Proposal.dialogue_id == multi.id)
    ).all()
    text = "\n".join(bodies)
    for other in ("| 44M01", "| 41M01", "| 41M02", "| 54M01", "| 54M02"):
        assert other not in text, other  # logeren, dagbehandeling and jeugd-GGZ have their own trajectories
    assert "Noordoostpolder en Urk kopen ook hun overige, lokale jeugdhulpcontracten regionaal in" in text


def test_the_consultation_has_participants_from_four_groups(db):
    logeren = trajectory(db, CONSULTATION_SLUG)
    rows = {p.email: p for p in db.exec(select(Participation).where(Participation.dialogue_id == logeren.id))}
    assert {p.stakeholder_group for p in rows.values()} == {
        "local_referrer",
        "experience_expert",
        "external_referrer",
        "provider",
    }
    for p in rows.values():
        assert p.status == "approved" and p.confirmed_at and p.decided_at and p.decided_by_id and p.user_id
        assert p.email == p.email.lower()

    referrer = rows["verwijzer@example.org"]
    assert referrer.stakeholder_group == "local_referrer" and referrer.organisation == "Wijkteam Almere (demo)"
    expert = rows["ervaringsdeskundige@example.org"]
    assert expert.stakeholder_group == "experience_expert" and expert.pseudonym
    assert expert.name.split()[0] not in expert.pseudonym  # the pseudonym does not give the name away
    for email in ("verwijzer@example.org", "ervaringsdeskundige@example.org", "huisarts@example.org"):
        user = db.get(User, rows[email].user_id)
        assert user.email == email and user.role == "participant" and user.provider_id is None
        assert (user.stakeholder_group, user.pseudonym, user.organisation) == (
            rows[email].stakeholder_group,
            rows[email].pseudonym,
            rows[email].organisation,
        )
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    provider = next(p for p in rows.values() if p.stakeholder_group == "provider")
    provider_user = db.get(User, provider.user_id)
    assert provider_user.role == "provider" and provider_user.provider_id
    assert provider.organisation == db.get(Provider, provider_user.provider_id).name


def test_the_consultation_has_a_public_and_a_participants_proposal_with_comments(db):
    now = datetime.now(UTC)
    logeren = trajectory(db, CONSULTATION_SLUG)
    proposals = db.exec(select(Proposal).where(Proposal.dialogue_id == logeren.id)).all()
    assert sorted(p.public for p in proposals) == [False, True]
    participants = {p.user_id for p in db.exec(select(Participation).where(Participation.dialogue_id == logeren.id))}
    authors = set()
    for proposal in proposals:
        assert proposal.status == "published" and proposal.opens_at < now < proposal.closes_at
        version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
        sections = db.exec(select(Section).where(Section.version_id == version.id)).all()
        assert version.status == "published" and len(sections) >= 3 and all(s.body_html for s in sections)
        for comment in db.exec(select(Comment).where(col(Comment.section_id).in_([s.id for s in sections]))).all():
            author = db.get(User, comment.author_id)
            assert comment.author_id in participants and comment.provider_id == author.provider_id
            assert proposal.opens_at < comment.created_at < now
            authors.add(author.email)
    assert {"verwijzer@example.org", "ervaringsdeskundige@example.org"} <= authors
    assert len(authors) == 4


def test_the_multi_proposals_have_a_published_version_and_comments_in_their_window(db):
    multi = trajectory(db, DIALOGUE_SLUG)
    proposals = db.exec(select(Proposal).where(Proposal.dialogue_id == multi.id)).all()
    assert len(proposals) == 2 and sorted(p.public for p in proposals) == [False, True]
    for proposal in proposals:
        assert proposal.opens_at < proposal.closes_at
        assert (proposal.closes_at - proposal.opens_at).days == WINDOW[1] - WINDOW[0]
        version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
        assert version.status == "published"
        sections = db.exec(select(Section).where(Section.version_id == version.id)).all()
        assert 6 <= len(sections) <= 10
        assert all(s.body_html for s in sections)
        for comment in db.exec(select(Comment).where(col(Comment.section_id).in_([s.id for s in sections]))).all():
            assert proposal.opens_at < comment.created_at < proposal.closes_at
            assert comment.provider_id is not None
    assert any("<table>" in s.body_html for s in db.exec(select(Section)).all())


def test_demo_accounts_sign_in_with_the_demo_password(db):
    for email, role in [
        ("sdfl@example.org", "admin"),
        ("almere@example.org", "municipality"),
        ("noordoostpolder@example.org", "municipality"),
        ("rodante@example.org", "provider"),
        ("s-heeren-loo@example.org", "provider"),
        ("verwijzer@example.org", "participant"),
        ("ervaringsdeskundige@example.org", "participant"),
    ]:
        user = db.exec(select(User).where(User.email == email)).one()
        assert user.role == role
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    provider_users = db.exec(select(User).where(User.role == "provider")).all()
    assert len(provider_users) == 14 and all(u.provider_id for u in provider_users)


@pytest.mark.parametrize("email", ["ervaringsdeskundige@example.org", "verwijzer@example.org"])
def test_a_consultation_participant_signs_in_over_http(client, email):
    response = login(client, email)
    assert response.status_code == 303, response.text[:300]
    assert client.get("/").status_code == 200


def test_seed_lists_the_accounts(db):
    text = format_accounts(seed_demo(db))
    assert DEMO_PASSWORD in text
    for email in (
        "sdfl@example.org",
        "rodante@example.org",
        "verwijzer@example.org",
        "ervaringsdeskundige@example.org",
    ):
        assert email in text
    assert "consultatie logeren" in text


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 3, 2, 10, tzinfo=UTC), datetime(2026, 12, 2, 18, tzinfo=UTC), datetime(2027, 9, 1, 8, tzinfo=UTC)],
)
def test_seeding_on_another_day_keeps_the_timeline(empty_engine, now):
    """Seeded early in 2026 the dialogue is under way (one session held, two to come, the window open); seeded
    later, it lies wholly in the past before the tender. The consultation is open on the day it is seeded."""
    with empty_engine.connect() as connection:
        transaction = connection.begin()
        try:
            with Session(connection) as db:
                seed_demo(db, now=now)
                db.flush()
                multi, logeren = trajectory(db, DIALOGUE_SLUG), trajectory(db, CONSULTATION_SLUG)
                tender = next(m for m in milestones(db, multi) if m.kind == "tender")
                meetings = sessions_of(db, multi)
                assert all(s.ends_at < tender.due_at < CONTRACT_START_AT for s in meetings)
                held = [s.number for s in meetings if s.status == SessionStatus.held]
                assert held == ([1] if now < datetime(2026, 4, 1, tzinfo=UTC) else [1, 2, 3])
                for s in meetings:
                    if s.status == SessionStatus.held:
                        attended = db.exec(
                            select(func.count()).select_from(Attendance).where(Attendance.session_id == s.id)
                        ).one()
                        assert attended and s.report_published_at and s.report_published_at <= now
                for p in db.exec(select(Proposal).where(Proposal.dialogue_id == logeren.id)).all():
                    assert p.opens_at < now < p.closes_at
        finally:
            transaction.rollback()


def test_nota_1_is_released_approved_by_the_four_municipalities_and_one_question_is_open(db):
    from app.models import Nota, Question
    from app.questions.notas import nota_digest
    from app.signoff import service as signoff

    multi = trajectory(db, DIALOGUE_SLUG)
    nota = db.exec(select(Nota).where(Nota.dialogue_id == multi.id)).one()
    assert nota.number == 1 and nota.status == "released" and nota.released_at < datetime.now(UTC)
    first = db.exec(
        select(DialogueSession).where(DialogueSession.dialogue_id == multi.id, DialogueSession.number == 1)
    ).one()
    assert nota.released_at <= first.starts_at - timedelta(days=7)
    questions = db.exec(select(Question).where(Question.dialogue_id == multi.id).order_by(Question.id)).all()
    in_nota = [q for q in questions if q.nota_id == nota.id]
    assert [q.number for q in in_nota] == [1, 2, 3] and all(
        q.answer_html and q.text != q.original_text for q in in_nota
    )
    assert all(q.created_at < nota.released_at for q in in_nota)
    [open_question] = [q for q in questions if q.nota_id is None]
    assert open_question.status == "open"
    state = signoff.status(db, "nota", nota.id, multi, nota_digest(db, nota))
    assert state.approved and sorted(s.municipality.name for s in state.standings) == sorted(PROCURING)


def test_a_provider_reads_nota_1_and_only_the_asker_sees_the_open_question(client):
    login(client, "re-care@example.org")
    page = client.get(f"/dialogues/{DIALOGUE_SLUG}/nota/1")
    assert page.status_code == 200 and "Worden kleine aanbieders benadeeld" in page.text
    assert "Wij zijn een kleine aanbieder in Urk" not in page.text  # the original wording stays with the asker
    assert "wachtlijsten" not in client.get(f"/dialogues/{DIALOGUE_SLUG}/vragen").text
    client.post("/logout")
    client.cookies.clear()
    login(client, "rodante@example.org")
    assert "wachtlijsten" in client.get(f"/dialogues/{DIALOGUE_SLUG}/vragen").text
