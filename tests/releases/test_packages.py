"""Release packages: everything in a package goes out at its moment and not a second before, for every kind of item
and every role, with one audit event and one mail per participant; the sign-off gates it (blocked with a mail to
the admins, or an override with its reason); two releases release once; the session-moved question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.cli import SCHEDULED_TASKS
from app.demo import DEMO_PASSWORD
from app.kit import clock
from app.kit.errors import Conflict
from app.meetings.manage import package_release_default
from app.models import (
    AuditEvent,
    Document,
    Nota,
    OutboxMessage,
    ProposalVersion,
    Question,
    ReleasePackage,
    ReleaseStatus,
    VersionStatus,
)
from app.policy import Principal
from app.proposals import manage
from app.proposals.manage import publish_due_versions
from app.releases import service
from app.signoff import service as signoff
from tests import factories
from tests.helpers import bearer, csrf_from, local, login, make_key

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
MUNICIPALITIES = ("almere", "dronten", "urk", "noordoostpolder")


@pytest.fixture
def world(db):
    clock.freeze(START)
    dialogue = factories.demo_dialogue(db)
    people = factories.accounts(
        db, "sdfl@example.org", *(f"{m}@example.org" for m in MUNICIPALITIES), "rodante@example.org"
    )
    who = {email.split("@")[0]: u for email, u in people.items()}
    who["declined"] = factories.account(db, "gelukkig-hb@example.org", invitation="declined")
    who["participant"] = factories.participant(db, dialogue_=dialogue)
    meeting = factories.meeting(db, starts_at=START + timedelta(days=14), dialogue_=dialogue)
    document = factories.document(
        db,
        dialogue_=dialogue,
        meeting_=meeting,
        title="Kaders voor sessie 2",
        audience="public",
        release_at=START + timedelta(days=30),
        notified_at=None,
    )
    proposal = factories.proposal(db, published=False, dialogue_=dialogue, public=True, title="Productstructuur")
    version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
    nota = Nota(dialogue_id=dialogue.id, number=1, title="Eerste nota", status=ReleaseStatus.draft)
    db.add(nota)
    db.flush()
    question = Question(
        dialogue_id=dialogue.id,
        asker_id=who["rodante"].id,
        provider_id=who["rodante"].provider_id,
        original_text="Wat is de wachttijd?",
        text="Hoe lang is de wachttijd nu?",
        answer="Gemiddeld zes weken.",
        status="answered",
        nota_id=nota.id,
        number=1,
    )
    db.add(question)
    admin = Principal(user=who["sdfl"])
    package = service.create_package(db, admin, dialogue, session_id=str(meeting.id), title="", release_at="")
    for kind, item in (("document", document), ("version", version), ("nota", nota)):
        service.add_item(db, admin, package, kind, item.id)
    db.commit()
    return {
        "dialogue": dialogue,
        "who": who,
        "admin": admin,
        "meeting": meeting,
        "document": document,
        "proposal": proposal,
        "version": version,
        "nota": nota,
        "question": question,
        "package": package,
    }


@pytest.fixture
def as_(browser):
    """``as_(user)``: a browser signed in as ``user`` (demo accounts and factory users alike); ``as_(None)``: the
    public."""

    def make(user):
        c = browser()
        if user is not None and login(c, user.email, DEMO_PASSWORD).status_code != 303:
            assert login(c, user.email, factories.PASSWORD).status_code == 303
        return c

    return make


def approve_all(db, w):
    digest = service.digest(db, w["package"])
    for name in MUNICIPALITIES:
        service.decide(db, Principal(user=w["who"][name]), w["package"], decision="approve", note="", seen=digest)
    db.commit()


def run_task(db) -> int:
    done = service.release_due_packages(db)
    db.commit()
    return done


def test_defaults_title_and_a_week_before_in_local_time_across_dst(db, world):
    package = world["package"]
    assert package.title == f"Stukken voor sessie {world['meeting'].number}"
    assert package.release_at == START + timedelta(days=7)
    # Summer time ends on 25 October 2026: a session at 13:00 on 30 October gets its package at 13:00 on the 23rd.
    starts = datetime(2026, 10, 30, 12, 0, tzinfo=UTC)  # 13:00 CET
    assert package_release_default(starts) == datetime(2026, 10, 23, 11, 0, tzinfo=UTC)  # 13:00 CEST


def test_the_package_releases_everything_at_its_moment_for_every_role(db, world, as_, count_queries):
    w = world
    approve_all(db, w)
    service.schedule(db, w["admin"], w["package"])
    db.commit()
    who = w["who"]
    clock.freeze(w["package"].release_at - timedelta(seconds=1))  # signed in at that time (sign-ins expire when idle)
    clients = {
        "public": as_(None),
        "provider": as_(who["rodante"]),
        "declined": as_(who["declined"]),
        "participant": as_(who["participant"]),
        "municipality": as_(who["almere"]),
        "admin": as_(who["sdfl"]),
    }
    provider_key = bearer(make_key(db, "rodante@example.org", "read"))
    doc, proposal = w["document"], w["proposal"]
    download = f"/documents/{doc.id}/download"
    feed = f"/dialogues/{w['dialogue'].slug}/feed.atom"

    def visible(name: str) -> dict[str, bool]:
        c = clients[name]
        return {
            "download": c.get(download).status_code == 200,
            "documents": doc.title in c.get("/documents").text if name != "public" else False,
            "proposal": c.get(f"/proposals/{proposal.id}").status_code == 200,
        }

    assert run_task(db) == 0
    for name in ("public", "provider", "declined", "participant"):
        assert visible(name) == {"download": False, "documents": False, "proposal": False}, name
    for name in ("municipality", "admin"):
        assert visible(name)["download"], name
    assert clients["provider"].get(f"/api/v1/documents/{doc.id}", headers=provider_key).status_code == 404
    assert doc.id not in [d["id"] for d in clients["public"].get("/api/v1/documents").json()["items"]]
    assert clients["provider"].get(f"/api/v1/proposals/{proposal.id}", headers=provider_key).status_code == 404
    assert doc.title not in clients["public"].get(feed).text
    assert db.get(Nota, w["nota"].id).status == ReleaseStatus.draft

    clock.advance(timedelta(seconds=1))
    assert run_task(db) == 1
    for name in clients:
        seen = visible(name)
        assert seen["download"] and seen["proposal"], name
    assert clients["provider"].get(f"/api/v1/documents/{doc.id}", headers=provider_key).json()["released"] is True
    assert clients["provider"].get(f"/api/v1/proposals/{proposal.id}", headers=provider_key).status_code == 200
    assert doc.title in clients["public"].get(feed).text
    package = db.get(ReleasePackage, w["package"].id)
    db.refresh(package)
    assert package.status == ReleaseStatus.released and package.released_at == package.release_at
    version = db.get(ProposalVersion, w["version"].id)
    db.refresh(version)
    assert version.status == VersionStatus.published and version.published_at == package.release_at
    nota = db.get(Nota, w["nota"].id)
    db.refresh(nota)
    assert nota.status == ReleaseStatus.released and nota.released_at == package.release_at

    events = db.exec(select(AuditEvent).where(AuditEvent.action == "package.released")).all()
    assert len(events) == 1
    assert events[0].after["documents"] == [doc.id]
    assert events[0].after["versions"] == [w["version"].id]
    assert events[0].after["nota"] == w["nota"].id
    assert run_task(db) == 0  # once
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "package.released")).all()) == 1


def test_one_mail_per_participant_lists_everything_and_no_per_item_mails(db, world):
    w = world
    approve_all(db, w)
    service.schedule(db, w["admin"], w["package"])
    db.commit()
    clock.freeze(w["package"].release_at)
    before = {m.id for m in db.exec(select(OutboxMessage)).all()}
    for task in SCHEDULED_TASKS:  # the whole scheduler pass: the documents' own mail job must not announce it
        task(db)
    db.commit()
    new = [m for m in db.exec(select(OutboxMessage)).all() if m.id not in before]
    who = w["who"]
    # Besides the package's mail, the asker of the nota's question is told that it is answered.
    answered = [m for m in new if not m.subject.startswith("Vrijgegeven")]
    assert [m.to_address for m in answered] == [who["rodante"].email]
    mails = [m for m in new if m not in answered]
    expected = {who[n].email for n in ("rodante", "participant", *MUNICIPALITIES)}
    assert sorted(m.to_address for m in mails) == sorted(expected)
    assert who["declined"].email not in {m.to_address for m in mails}
    for m in mails:
        assert m.subject.startswith("Vrijgegeven")
        assert "Kaders voor sessie 2" in m.body_text and "Productstructuur" in m.body_text
        assert "Eerste nota" in m.body_text
    assert db.get(Document, w["document"].id).notified_at is not None


def test_a_missing_approval_blocks_it_and_the_admins_get_a_mail(db, world, as_):
    w = world
    digest = service.digest(db, w["package"])
    for name in ("almere", "dronten"):
        service.decide(db, Principal(user=w["who"][name]), w["package"], decision="approve", note="", seen=digest)
    service.decide(
        db,
        Principal(user=w["who"]["urk"]),
        w["package"],
        decision="object",
        note="Urk mist de wachttijden.",
        seen=digest,
    )
    service.schedule(db, w["admin"], w["package"])
    db.commit()
    clock.freeze(w["package"].release_at)
    assert run_task(db) == 0
    package = db.get(ReleasePackage, w["package"].id)
    db.refresh(package)
    assert package.status == ReleaseStatus.blocked and package.released_at is None
    assert "Noordoostpolder" in package.blocked_reason and "Urk" in package.blocked_reason
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "package.blocked")).one()
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "sdfl@example.org")).all()
    assert any("Niet vrijgegeven" in m.subject and "Urk" in m.body_text for m in mail)
    assert as_(None).get(f"/documents/{w['document'].id}/download").status_code == 404
    assert db.get(ProposalVersion, w["version"].id).status == VersionStatus.draft
    # Release now is gated too: 409 naming who is missing.
    admin = as_(w["who"]["sdfl"])
    page = admin.get(f"/admin/packages/{package.id}")
    response = admin.post(
        f"/admin/packages/{package.id}/release", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert response.status_code == 409 and "Noordoostpolder" in response.text


def test_an_override_records_its_reason_and_then_it_releases(db, world, as_):
    w = world
    admin = as_(w["who"]["sdfl"])
    check = admin.get(f"/admin/packages/{w['package'].id}/check")
    assert check.status_code == 200 and "Hoe lang is de wachttijd nu?" in check.text
    token = csrf_from(check.text)
    short = admin.post(
        f"/admin/packages/{w['package'].id}/override",
        data={"csrf_token": token, "reason": "kort"},
        follow_redirects=False,
    )
    assert short.status_code == 422
    reason = "De sessie is over een week; de gemeenten zijn telefonisch akkoord."
    ok = admin.post(
        f"/admin/packages/{w['package'].id}/override",
        data={"csrf_token": token, "reason": reason},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.overridden")).one()
    assert reason in event.summary
    released = admin.post(
        f"/admin/packages/{w['package'].id}/release", data={"csrf_token": token}, follow_redirects=False
    )
    assert released.status_code == 303
    assert as_(None).get(f"/documents/{w['document'].id}/download").status_code == 200
    again = admin.post(f"/admin/packages/{w['package'].id}/release", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "package.released")).all()) == 1


def test_a_change_after_approval_withdraws_it(db, world):
    w = world
    approve_all(db, w)
    dialogue = w["dialogue"]
    assert signoff.status(db, "package", w["package"].id, dialogue, service.digest(db, w["package"])).cleared
    section = db.exec(select(ProposalVersion).where(ProposalVersion.id == w["version"].id)).one()
    assert section is not None
    w["question"].answer = "Gemiddeld acht weken."
    db.add(w["question"])
    db.commit()
    state = signoff.status(db, "package", w["package"].id, dialogue, service.digest(db, w["package"]))
    assert not state.cleared and len(state.missing) == 4
    with pytest.raises(Conflict, match="Almere"):
        service.release_now(db, w["admin"], w["package"])


def test_two_releases_at_once_release_once(db, world):
    w = world
    approve_all(db, w)
    service.schedule(db, w["admin"], w["package"])
    db.commit()
    clock.freeze(w["package"].release_at)
    stale = db.get(ReleasePackage, w["package"].id)
    items = service.contents(db, stale)
    assert service._release(db, stale, items, at=stale.release_at, seen="scheduled", actor=None)
    # a second worker that read the package as scheduled before the first committed loses the compare-and-set
    assert not service._release(db, stale, items, at=stale.release_at, seen="scheduled", actor=None)
    db.commit()
    assert run_task(db) == 0
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "package.released")).all()) == 1
    with pytest.raises(Conflict):
        service.release_now(db, w["admin"], stale)


def test_the_check_page_is_for_reviewers_and_a_municipality_decides_there(db, world, as_):
    w = world
    path = f"/admin/packages/{w['package'].id}/check"
    assert as_(None).get(path, follow_redirects=False).status_code in (303, 401)
    for name in ("rodante", "participant"):
        assert as_(w["who"][name]).get(path).status_code == 403
    urk = as_(w["who"]["urk"])
    page = urk.get(path)
    assert page.status_code == 200 and "Kaders voor sessie 2" in page.text and "Gemiddeld zes weken." in page.text
    assert urk.get(f"/documents/{w['document'].id}/download").status_code == 200
    token = csrf_from(page.text)
    digest = service.digest(db, w["package"])
    no_note = urk.post(
        path.replace("check", "decision"), data={"csrf_token": token, "decision": "object", "digest": digest}
    )
    assert no_note.status_code == 422 and "Schrijf bij een bezwaar" in no_note.text
    done = urk.post(
        path.replace("check", "decision"),
        data={"csrf_token": token, "decision": "approve", "digest": digest},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert urk.get(f"/admin/packages/{w['package'].id}", follow_redirects=False).status_code == 403  # SDFL manages


def test_package_list_queries_do_not_grow_with_packages(db, world, as_, count_queries):
    admin = as_(world["who"]["sdfl"])
    path = f"/admin/packages?dialogue={world['dialogue'].slug}"
    admin.get(path)
    with count_queries() as few:
        assert admin.get(path).status_code == 200
    for n in range(5):
        service.create_package(
            db,
            world["admin"],
            world["dialogue"],
            session_id=str(world["meeting"].id),
            title=f"Extra {n}",
            release_at="",
        )
    db.commit()
    with count_queries() as many:
        assert "Extra 4" in admin.get(path).text
    assert many.count == few.count


def test_session_moved_keeps_the_moment_unless_sdfl_moves_it(db, world, as_):
    w = world
    admin = as_(w["who"]["sdfl"])
    meeting = w["meeting"]
    page = admin.get(f"/admin/sessions/{meeting.id}")
    new_start = meeting.starts_at + timedelta(days=3)
    form = {
        "csrf_token": csrf_from(page.text),
        "number": str(meeting.number),
        "title": meeting.title,
        "starts_at": local(new_start),
        "ends_at": local(new_start + timedelta(hours=3)),
        "location": meeting.location,
        "status": "planned",
        "recording_url": "",
    }
    response = admin.post(f"/admin/sessions/{meeting.id}", data=form, follow_redirects=False)
    assert response.status_code == 303 and "moved=1" in response.headers["location"]
    package = db.get(ReleasePackage, w["package"].id)
    db.refresh(package)
    assert package.release_at == START + timedelta(days=7)  # kept
    asked = admin.get(response.headers["location"])
    assert "Het vrijgavemoment van het pakket verzetten" in asked.text
    moved = admin.post(
        f"/admin/packages/{package.id}/follow-session",
        data={"csrf_token": csrf_from(asked.text)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    db.refresh(package)
    assert package.release_at == package_release_default(new_start)
    assert db.get(Document, w["document"].id).release_at == package.release_at


def test_a_version_scheduled_on_its_own_is_published_at_its_moment(db, world):
    w = world
    proposal = factories.proposal(db, published=False, dialogue_=w["dialogue"], title="Los voorstel")
    moment = START + timedelta(hours=2)
    manage.schedule_publication(db, proposal, publish_at=moment, change_summary="", actor=w["who"]["sdfl"])
    db.commit()
    clock.freeze(moment - timedelta(seconds=1))
    assert publish_due_versions(db) == 0
    clock.freeze(moment)
    assert publish_due_versions(db) == 1
    assert publish_due_versions(db) == 0
    version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
    assert version.status == VersionStatus.published and version.published_at == moment
    # a version in a package is not published on its own
    with pytest.raises(Conflict):
        manage.publish(db, w["proposal"], change_summary="", actor=w["who"]["sdfl"])


def test_the_proposal_admin_schedules_a_version_on_its_own(db, world, as_):
    proposal = factories.proposal(db, published=False, dialogue_=world["dialogue"], title="Los gepland")
    db.commit()
    admin = as_(world["who"]["sdfl"])
    page = admin.get(f"/admin/proposals/{proposal.id}")
    token = csrf_from(page.text)
    past = admin.post(
        f"/admin/proposals/{proposal.id}/publish-at",
        data={"csrf_token": token, "publish_at": local(START - timedelta(hours=1))},
        follow_redirects=False,
    )
    assert past.status_code == 422 and "Kies een moment in de toekomst." in past.text
    ok = admin.post(
        f"/admin/proposals/{proposal.id}/publish-at",
        data={"csrf_token": token, "publish_at": local(START + timedelta(days=1))},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    version = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).one()
    db.refresh(version)
    assert version.publish_at == START + timedelta(days=1)
    # the page shows the form with the planned moment; the bad moment stays in the field beside its error
    assert f'action="/admin/proposals/{proposal.id}/publish-at"' in page.text
    assert f'value="{local(START - timedelta(hours=1))}"' in past.text
    scheduled = admin.get(f"/admin/proposals/{proposal.id}?saved=scheduled")
    assert f'value="{local(START + timedelta(days=1))}"' in scheduled.text
    assert "De planning van de publicatie is opgeslagen." in scheduled.text
    # emptied: no longer scheduled
    cleared = admin.post(
        f"/admin/proposals/{proposal.id}/publish-at",
        data={"csrf_token": token, "publish_at": ""},
        follow_redirects=False,
    )
    assert cleared.status_code == 303
    db.refresh(version)
    assert version.publish_at is None


def test_a_version_in_a_package_says_so_instead_of_a_publish_button(db, world, as_):
    admin = as_(world["who"]["sdfl"])
    page = admin.get(f"/admin/proposals/{world['proposal'].id}")
    assert page.status_code == 200
    assert "Deze versie gaat uit met een vrijgavepakket" in page.text
    assert f'/admin/proposals/{world["proposal"].id}/publish"' not in page.text
    assert f"/admin/packages/{world['package'].id}" in page.text
