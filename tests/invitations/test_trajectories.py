"""Invitations per trajectory: the admin picks the trajectory (``?dialogue=``), invites, reminds and sees the
coverage of that trajectory's selection criteria (with SDFL's assessment, e.g. the attitude criterion); a provider
invited to several trajectories sees and answers each; a consultation has no invitations."""

from __future__ import annotations

from sqlmodel import select

from app import demo_content
from app.models import (
    AuditEvent,
    CriterionAssessment,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    SelectionCriterion,
)
from tests import factories
from tests.helpers import post_form


def _with_criteria(db, dialogue) -> list[SelectionCriterion]:
    rows = [
        SelectionCriterion(dialogue_id=dialogue.id, position=i, title=c["title"], text=c["text"], basis=c["basis"])
        for i, c in enumerate(demo_content.DIALOGUE["criteria"], start=1)
    ]
    db.add_all(rows)
    db.commit()
    return rows


def test_the_admin_invites_to_the_chosen_trajectory(db, as_admin) -> None:
    first = factories.dialogue(db, new=True, slug="eerste", status="active")
    second = factories.dialogue(db, new=True, slug="tweede", status="active")
    provider = factories.provider(db, invitation=None, name="Zorg Tweede")
    contact = factories.user(db, "provider", provider_=provider)
    db.commit()
    page = "/admin/invitations?dialogue=eerste"
    html = as_admin.get(page).text
    assert 'value="eerste" selected' in html and first.title in html
    r = post_form(as_admin, "/admin/invitations", {"provider_id": str(provider.id), "dialogue": "eerste"}, page=page)
    assert r.status_code == 303 and r.headers["location"].endswith("dialogue=eerste")
    invitations = db.exec(select(Invitation).where(Invitation.provider_id == provider.id)).all()
    assert [i.dialogue_id for i in invitations] == [first.id]
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == contact.email)).first() is not None
    # the same provider to the second trajectory: a second invitation
    r = post_form(as_admin, "/admin/invitations", {"provider_id": str(provider.id), "dialogue": "tweede"}, page=page)
    assert r.status_code == 303
    assert {i.dialogue_id for i in db.exec(select(Invitation).where(Invitation.provider_id == provider.id)).all()} == {
        first.id,
        second.id,
    }
    # reminders act on the chosen trajectory only
    r = post_form(as_admin, "/admin/invitations/reminders", {"dialogue": "tweede"}, page=page)
    assert r.status_code == 303 and "reminded=1" in r.headers["location"]
    reminded = db.exec(select(Invitation).where(Invitation.provider_id == provider.id)).all()
    assert {i.dialogue_id for i in reminded if i.reminded_at} == {second.id}


def test_a_provider_invited_to_two_trajectories_answers_each(db, browser) -> None:
    first = factories.dialogue(db, new=True, slug="traject-a", title="Traject A")
    provider = factories.provider(db, invitation=InvitationStatus.pending, name="Dubbel Uitgenodigd")
    second = factories.dialogue(db, new=True, slug="traject-b", title="Traject B")
    factories.invite(db, provider, status=InvitationStatus.pending, dialogue_=second)
    user = factories.user(db, "provider", provider_=provider)
    db.commit()
    client = browser(user)
    html = client.get("/invitation?dialogue=traject-a").text
    assert "Traject A" in html and 'href="/invitation?dialogue=traject-b"' in html
    r = post_form(
        client, "/invitation", {"answer": "accept", "dialogue": "traject-b"}, page="/invitation?dialogue=traject-b"
    )
    assert r.status_code == 303 and r.headers["location"] == "/invitation?dialogue=traject-b&done=answered#invitation"
    by_dialogue = {
        i.dialogue_id: i.status for i in db.exec(select(Invitation).where(Invitation.provider_id == provider.id)).all()
    }
    assert by_dialogue == {first.id: InvitationStatus.pending, second.id: InvitationStatus.accepted}


def test_the_coverage_covers_every_criterion_of_the_seed_and_the_attitude_is_assessed(db, as_admin) -> None:
    dialogue = factories.dialogue(db, new=True, slug="multi-dekking")
    criteria = _with_criteria(db, dialogue)
    almere = factories.municipality(db, name="Almere-test", in_procurement=True)
    big = factories.provider(db, name="Groot Systeem", size="large", tags=["ggz"], contracted_in=[almere])
    factories.provider(
        db,
        name="Klein Buiten",
        size="small",
        tags=["lvb"],
        active_outside_flevoland=True,
        invitation=InvitationStatus.pending,
    )
    db.commit()
    page = "/admin/invitations?dialogue=multi-dekking"
    html = as_admin.get(page).text
    for c in demo_content.DIALOGUE["criteria"]:
        assert f">{c['title']}</h3>" in html, c["title"]
    assert "Houding" in html and "Actief buiten Flevoland" in html and "Almere-test" in html
    assert "Geen deelnemer voor:" in html  # e.g. no accepted provider with autism expertise
    attitude = next(c for c in criteria if c.basis == "assessment")
    r = post_form(
        as_admin,
        "/admin/invitations/assessments",
        {
            "dialogue": "multi-dekking",
            "criterion_id": str(attitude.id),
            "provider_id": str(big.id),
            "meets": "yes",
            "note": "Denkt constructief mee",
        },
        page=page,
    )
    assert r.status_code == 303, r.text
    a = db.get(CriterionAssessment, (attitude.id, big.id))
    assert a is not None and a.meets and a.note == "Denkt constructief mee"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "criterion.assessed")).first() is not None
    assert "Denkt constructief mee" in as_admin.get(page).text
    r = post_form(
        as_admin,
        "/admin/invitations/assessments",
        {
            "dialogue": "multi-dekking",
            "criterion_id": str(attitude.id),
            "provider_id": str(big.id),
            "meets": "no",
            "note": "x" * 501,
        },
        page=page,
    )
    assert r.status_code == 422 and f'id="note-{attitude.id}-{big.id}-error"' in r.text
    # a criterion of another trajectory is not found here
    other = factories.dialogue(db, new=True, slug="ander")
    other_criteria = _with_criteria(db, other)
    r = post_form(
        as_admin,
        "/admin/invitations/assessments",
        {
            "dialogue": "multi-dekking",
            "criterion_id": str(other_criteria[3].id),
            "provider_id": str(big.id),
            "meets": "yes",
        },
        page=page,
    )
    assert r.status_code == 404


def test_a_consultation_has_no_invitations(db, as_admin) -> None:
    consultation = factories.dialogue(db, new=True, slug="logeren", kind="consultation")
    p = factories.provider(db, invitation=None)
    db.commit()
    html = as_admin.get("/admin/invitations?dialogue=logeren").text
    assert "een consultatie heeft geen uitnodigingen" in html and "/admin/dialogues/logeren/deelnemers" in html
    r = post_form(
        as_admin,
        "/admin/invitations",
        {"provider_id": str(p.id), "dialogue": "logeren"},
        page="/admin/invitations?dialogue=logeren",
    )
    assert r.status_code == 422
    assert db.exec(select(Invitation).where(Invitation.dialogue_id == consultation.id)).all() == []


def test_unknown_trajectory_is_not_found(db, as_admin) -> None:
    factories.dialogue(db)
    db.commit()
    assert as_admin.get("/admin/invitations?dialogue=bestaat-niet").status_code == 404
