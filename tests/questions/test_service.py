"""The questions' and notas' rules at the service: who may ask, until when, who sees what, the nota's release
(sign-off gated, once, at its moment, blocked without approvals) and its immutability."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.kit import clock
from app.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from app.models import AuditEvent, Nota, OutboxMessage, ReleasePackage
from app.policy import Principal
from app.questions import asking, drafting, notas
from tests.questions.conftest import NOW, answer, approve_all, ask, nota


def test_an_accepted_provider_asks_as_its_own_provider(db, world):
    q = ask(db, world)
    assert q.provider_id == world.people["rodante"].provider_id
    assert q.original_text == q.text == "Hoe worden de tarieven geïndexeerd?"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "question.asked")).one().entity_id == str(q.id)


def test_an_approved_participant_asks_without_a_provider(db, world):
    q = ask(db, world, "participant")
    assert q.provider_id is None and q.asker_id == world.people["participant"].id


@pytest.mark.parametrize("who", ["declined", "refused", "almere", "sdfl"])
def test_others_may_not_ask(db, world, who):
    with pytest.raises(Forbidden):
        ask(db, world, who)


def test_the_public_is_asked_to_sign_in(db, world):
    with pytest.raises(Unauthorized):
        asking.ask(db, Principal(), world.dialogue, asking.QuestionInput(text="Een vraag van iemand"))


def test_a_short_question_is_refused_with_the_field(db, world):
    with pytest.raises(ValidationFailed) as exc:
        ask(db, world, text="Kort")
    assert exc.value.errors[0]["field"] == "text"


def test_the_deadline_is_eight_days_before_the_session_without_a_package(db, world):
    deadline = world.meeting.starts_at - timedelta(days=8)
    clock.freeze(deadline)
    ask(db, world, session_id=world.meeting.id)
    clock.freeze(deadline + timedelta(seconds=1))
    with pytest.raises(ValidationFailed) as exc:
        ask(db, world, session_id=world.meeting.id)
    assert exc.value.detail.startswith(f"Vragen over sessie {world.meeting.number} konden tot ")
    assert exc.value.errors[0]["field"] == "session_id"
    # A question about nothing in particular counts with the next session's deadline.
    with pytest.raises(ValidationFailed, match="konden tot"):
        ask(db, world)


def test_the_deadline_is_the_day_before_the_package_or_the_sessions_own(db, world):
    package = ReleasePackage(
        dialogue_id=world.dialogue.id, session_id=world.meeting.id, title="Pakket", release_at=NOW + timedelta(days=3)
    )
    db.add(package)
    db.flush()
    assert asking.session_deadline(db, world.meeting) == NOW + timedelta(days=2)
    world.meeting.questions_until = NOW + timedelta(days=1)
    assert asking.session_deadline(db, world.meeting) == NOW + timedelta(days=1)
    clock.freeze(NOW + timedelta(days=1, seconds=1))
    with pytest.raises(ValidationFailed):
        ask(db, world, session_id=world.meeting.id)


def test_a_subject_of_another_trajectory_is_refused(db, world):
    with pytest.raises(ValidationFailed) as exc:
        ask(db, world, session_id=999_999, document_id=999_999, section_id=999_999)
    assert {e["field"] for e in exc.value.errors} == {"session_id", "document_id", "section_id"}


def visible_ids(db, world, who):
    views, total = asking.list_questions(
        db, world.principal(db, who), dialogue_id=world.dialogue.id, offset=0, limit=50
    )
    assert total == len(views)
    return [v.question.id for v in views]


def test_only_the_asker_and_reviewers_see_a_question_before_its_nota_is_released(db, world):
    q = ask(db, world)
    assert visible_ids(db, world, "rodante") == [q.id]
    assert visible_ids(db, world, "re-care") == []
    assert visible_ids(db, world, "participant") == []
    assert visible_ids(db, world, "almere") == [q.id]
    assert visible_ids(db, world, "sdfl") == [q.id]
    with pytest.raises(NotFound):
        asking.visible_question(db, world.principal(db, "re-care"), q.id)
    mine = asking.visible_question(db, world.principal(db, "rodante"), q.id)
    assert mine.reader_status == "open" and mine.text is None  # the draft wording is SDFL's until released


def test_after_release_everyone_sees_the_published_wording_without_the_asker(db, world):
    q = ask(db, world)
    answer(db, world, q, text="Hoe worden de tarieven jaarlijks aangepast?")
    n = nota(db, world, [q])
    approve_all(db, world, n)
    # Answered but not released: still unseen.
    assert visible_ids(db, world, "re-care") == []
    assert notas.release_now(db, world.principal(db, "sdfl"), n, actor=world.people["sdfl"]) == [q.id]
    seen = asking.visible_question(db, world.principal(db, "re-care"), q.id)
    assert seen.text == "Hoe worden de tarieven jaarlijks aangepast?" and seen.asker is None and not seen.own
    assert seen.answer is not None and seen.answer.answer == "Jaarlijks, met de OVA."
    assert visible_ids(db, world, "participant") == [q.id]
    assert visible_ids(db, world, "declined") == []  # not taking part
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "rodante@example.org")).one()
    assert "nota van inlichtingen 1" in mail.subject
    assert f"/dialogues/{world.dialogue.slug}/nota/1" in mail.body_text


def test_a_merged_question_is_answered_by_the_other_and_its_asker_is_told(db, world):
    first = ask(db, world)
    second = ask(db, world, "participant", text="Worden de tarieven ieder jaar geïndexeerd?")
    admin = world.principal(db, "sdfl")
    drafting.merge(db, admin, second, first.id, actor=admin.user)
    assert second.status == "merged" and second.merged_into_id == first.id
    answer(db, world, first)
    n = nota(db, world, [first])
    approve_all(db, world, n)
    notas.release_now(db, admin, n, actor=admin.user)
    mine = asking.visible_question(db, world.principal(db, "participant"), second.id)
    assert mine.reader_status == "merged" and mine.answer is not None and mine.answer.id == first.id
    told = {m.to_address for m in db.exec(select(OutboxMessage)).all() if "beantwoord" in m.subject}
    assert told == {"rodante@example.org", world.people["participant"].email}


def test_municipalities_draft_but_only_sdfl_merges_and_composes(db, world):
    q = ask(db, world)
    almere = world.principal(db, "almere")
    drafting.save_draft(db, almere, q, drafting.Draft(text="Neutraal geformuleerd?", answer="Ja."), actor=almere.user)
    assert q.text_edited_by_id == almere.user.id and q.answer_by_id == almere.user.id
    assert q.original_text == "Hoe worden de tarieven geïndexeerd?" and q.status == "answered"
    with pytest.raises(Forbidden):
        drafting.merge(db, almere, q, q.id, actor=almere.user)
    with pytest.raises(Forbidden):
        notas.compose(db, almere, world.dialogue, notas.NotaInput(title="N"), actor=almere.user)
    with pytest.raises(Forbidden):
        drafting.save_draft(db, world.principal(db, "rodante"), q, drafting.Draft("x" * 20, "y"), actor=almere.user)


def test_release_needs_questions_and_the_signoff(db, world):
    admin = world.principal(db, "sdfl")
    empty = notas.compose(db, admin, world.dialogue, notas.NotaInput(title="Leeg"), actor=admin.user)
    with pytest.raises(ValidationFailed):
        notas.release_now(db, admin, empty, actor=admin.user)
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q], title="Tweede")
    assert n.number == 2 and q.number == 1
    approve_all(db, world, n, names=("almere", "dronten", "noordoostpolder"))
    with pytest.raises(Conflict, match="Urk"):
        notas.release_now(db, admin, n, actor=admin.user)
    state = notas.signoff_state(db, world.dialogue, n)
    notas.override(db, admin, n, reason="Urk is telefonisch akkoord gegaan.", digest=state.digest)
    notas.release_now(db, admin, n, actor=admin.user)
    assert n.status == "released" and n.released_at == NOW
    override = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.overridden")).one()
    assert "Urk is telefonisch akkoord gegaan." in override.summary


def test_a_change_withdraws_the_approvals(db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    approve_all(db, world, n)
    assert notas.signoff_state(db, world.dialogue, n).cleared
    answer(db, world, q, "Een ander antwoord.")
    assert not notas.signoff_state(db, world.dialogue, n).cleared


def test_two_releases_release_once(db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    approve_all(db, world, n)
    notas.release_nota(db, n, at=NOW, actor=world.people["sdfl"])
    with pytest.raises(Conflict):  # a second admin or worker, at the same moment: the UPDATE finds it done
        notas.release_nota(db, n, at=NOW + timedelta(seconds=1), actor=world.people["sdfl"])
    assert db.get(Nota, n.id).released_at == NOW
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "nota.released")).all()) == 1


def test_a_released_nota_and_its_questions_never_change(db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    notas.release_nota(db, n, at=NOW, actor=None)
    admin = world.principal(db, "sdfl")
    with pytest.raises(Conflict):
        notas.update_nota(db, admin, n, notas.NotaInput(title="Anders", question_ids=[q.id]), actor=admin.user)
    with pytest.raises(Conflict):
        answer(db, world, q, "Gewijzigd")
    correction = notas.compose(
        db, admin, world.dialogue, notas.NotaInput(title="Correctie", intro="Vraag 1 is aangevuld.", corrects_id=n.id),
        actor=admin.user,
    )  # fmt: skip
    assert correction.corrects_id == n.id and correction.number == 2


def test_a_scheduled_nota_goes_out_at_its_moment_and_not_a_second_before(db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    admin = world.principal(db, "sdfl")
    at = NOW + timedelta(days=2)
    notas.schedule(db, admin, n, at, actor=admin.user)
    approve_all(db, world, n)
    clock.freeze(at - timedelta(seconds=1))
    assert notas.release_due_notas(db) == 0
    assert visible_ids(db, world, "re-care") == []
    clock.freeze(at)
    assert notas.release_due_notas(db) == 1
    assert n.status == "released" and n.released_at == at
    assert visible_ids(db, world, "re-care") == [q.id]
    assert notas.release_due_notas(db) == 0
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "nota.released")).all()) == 1


def test_a_scheduled_nota_without_every_approval_is_blocked_and_the_admins_are_told(db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    admin = world.principal(db, "sdfl")
    at = NOW + timedelta(days=2)
    notas.schedule(db, admin, n, at, actor=admin.user)
    approve_all(db, world, n, names=("almere", "dronten", "noordoostpolder"))
    clock.freeze(at)
    assert notas.release_due_notas(db) == 1
    assert n.status == "blocked" and n.released_at is None
    assert "Urk" in n.blocked_reason
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "sdfl@example.org")).one()
    assert "niet vrijgegeven" in mail.subject and "Urk" in mail.body_text
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "nota.blocked")).one()
    assert visible_ids(db, world, "re-care") == []
