"""Sign-off core: which municipalities must approve, approvals for the content shown, withdrawal by a change,
objections with a note, the admin's override with a reason, and who may do each (per role)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.kit.errors import Conflict, Forbidden, Unauthorized, ValidationFailed
from app.models import AuditEvent, OutboxMessage
from app.policy import Principal
from app.signoff import service as signoff
from tests import factories

SUBJECT = ("nota", 1)


@pytest.fixture
def world(db):
    dialogue = factories.demo_dialogue(db)
    people = factories.accounts(
        db,
        "sdfl@example.org",
        "almere@example.org",
        "dronten@example.org",
        "urk@example.org",
        "noordoostpolder@example.org",
        "rodante@example.org",
    )
    db.commit()
    return dialogue, {email.split("@")[0]: Principal(user=u) for email, u in people.items()}


def decide(db, dialogue, who, decision, digest="v1", note=""):
    return signoff.decide(
        db, who, subject_type=SUBJECT[0], subject_id=SUBJECT[1], dialogue=dialogue, digest=digest,
        decision=decision, note=note,
    )  # fmt: skip


def test_by_default_every_municipality_in_the_procurement_must_approve(db, world):
    dialogue, _ = world
    names = [m.name for m in signoff.required(db, dialogue)]
    assert names == ["Almere", "Dronten", "Noordoostpolder", "Urk"]


def test_sdfl_chooses_the_municipalities_and_it_is_audited(db, world):
    dialogue, who = world
    municipalities = {m.name: m for m in signoff.required(db, dialogue)}
    chosen = signoff.set_required(
        db, who["sdfl"], dialogue, [municipalities["Almere"].id, municipalities["Urk"].id], actor=who["sdfl"].user
    )
    assert [m.name for m in chosen] == ["Almere", "Urk"]
    assert [m.name for m in signoff.required(db, dialogue)] == ["Almere", "Urk"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.required_changed")).one()
    assert event.after == {"municipalities": ["Almere", "Urk"]}
    with pytest.raises(Forbidden):
        signoff.set_required(db, who["almere"], dialogue, [], actor=who["almere"].user)


def test_cleared_once_all_approved_and_a_change_withdraws_the_approvals(db, world):
    dialogue, who = world
    for name in ("almere", "dronten", "urk"):
        decide(db, dialogue, who[name], "approve")
    state = signoff.status(db, *SUBJECT, dialogue, "v1")
    assert not state.cleared and [m.name for m in state.missing] == ["Noordoostpolder"]
    with pytest.raises(Conflict, match="Noordoostpolder"):
        signoff.require_cleared(db, *SUBJECT, dialogue, "v1")
    decide(db, dialogue, who["noordoostpolder"], "approve")
    assert signoff.status(db, *SUBJECT, dialogue, "v1").cleared
    changed = signoff.status(db, *SUBJECT, dialogue, "v2")  # the content changed after the approvals
    assert not changed.cleared and len(changed.missing) == 4
    assert all(s.approval is not None and not s.current for s in changed.standings)


def test_an_objection_needs_a_note_and_the_newest_decision_counts(db, world):
    dialogue, who = world
    with pytest.raises(ValidationFailed):
        decide(db, dialogue, who["urk"], "object")
    decide(db, dialogue, who["urk"], "object", note="Urk mist de kleine aanbieders.")
    state = signoff.status(db, *SUBJECT, dialogue, "v1")
    assert {s.municipality.name: s.decision for s in state.standings}["Urk"] == "object"
    decide(db, dialogue, who["urk"], "approve")
    state = signoff.status(db, *SUBJECT, dialogue, "v1")
    assert {s.municipality.name: s.decision for s in state.standings}["Urk"] == "approve"
    assert [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()][-2:] == [
        "signoff.object",
        "signoff.approve",
    ]


def test_an_override_needs_a_reason_clears_this_content_only_and_is_audited(db, world):
    dialogue, who = world
    with pytest.raises(ValidationFailed):
        signoff.override(db, who["sdfl"], subject_type="nota", subject_id=1, digest="v1", reason="kort")
    signoff.override(
        db, who["sdfl"], subject_type="nota", subject_id=1, digest="v1",
        reason="De sessie is morgen; Urk is telefonisch akkoord.",
    )  # fmt: skip
    assert signoff.status(db, *SUBJECT, dialogue, "v1").cleared
    assert not signoff.status(db, *SUBJECT, dialogue, "v2").cleared
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.overridden")).one()
    assert "Urk is telefonisch akkoord" in event.summary and event.actor_label == "sdfl@example.org"


@pytest.mark.parametrize("role", ["public", "rodante", "sdfl"])
def test_only_municipalities_decide(db, world, role):
    dialogue, who = world
    principal = Principal() if role == "public" else who[role]
    with pytest.raises(Unauthorized if role == "public" else Forbidden):
        decide(db, dialogue, principal, "approve")


@pytest.mark.parametrize("role", ["public", "rodante", "almere"])
def test_only_admins_override(db, world, role):
    _, who = world
    principal = Principal() if role == "public" else who[role]
    with pytest.raises(Unauthorized if role == "public" else Forbidden):
        signoff.override(db, principal, subject_type="nota", subject_id=1, digest="v1", reason="Een goede reden.")


def test_a_municipality_not_required_cannot_decide(db, world):
    dialogue, who = world
    almere = next(m for m in signoff.required(db, dialogue) if m.name == "Almere")
    signoff.set_required(db, who["sdfl"], dialogue, [almere.id], actor=who["sdfl"].user)
    with pytest.raises(Forbidden):
        decide(db, dialogue, who["urk"], "approve")


def test_the_required_reviewers_are_asked_by_mail(db, world):
    dialogue, _ = world
    sent = signoff.ask_for_signoff(db, dialogue, subject_type="nota", title="Nota 1", link="/x", release_at=None)
    assert sent == 4
    mails = db.exec(select(OutboxMessage).order_by(OutboxMessage.to_address)).all()
    assert [m.to_address for m in mails] == [
        "almere@example.org",
        "dronten@example.org",
        "noordoostpolder@example.org",
        "urk@example.org",
    ]
    assert mails[0].subject == "Graag uw akkoord: nota van inlichtingen Nota 1"
