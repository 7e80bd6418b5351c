"""Taking part in a consultation: the public request, confirming the address, SDFL's decision, and what the
person can do afterwards (sign in, take part)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.accounts import service as accounts
from app.accounts.deps import SESSION_COOKIE
from app.kit import clock
from app.models import (
    AuditEvent,
    Comment,
    DialogueKind,
    DialogueStatus,
    Participation,
    ParticipationStatus,
    Role,
    User,
)
from app.policy import Action, Principal, can
from tests import factories
from tests.consultations.helpers import consultation, link_in, mails_to
from tests.helpers import csrf_from, login, post_form, same_page

FORM = {
    "name": "Sanne Bakker",
    "organisation": "Wijkteam Almere Haven",
    "stakeholder_group": "local_referrer",
    "email": "Sanne.Bakker@Example.org",
    "motivation": "Ik verwijs vaak naar logeeropvang.",
}


def ask(client, slug: str, **changes):
    page = f"/dialogues/{slug}/deelnemen"
    return post_form(client, page, {**FORM, **changes}, page=page)


def participation_of(db, email: str) -> Participation:
    return db.exec(select(Participation).where(Participation.email == email)).one()


def decide(client, slug: str, participation: Participation, decision: str, note: str = ""):
    base = f"/admin/dialogues/{slug}/deelnemers"
    return post_form(client, f"{base}/{participation.id}/besluit", {"decision": decision, "note": note}, page=base)


def signed_in_principal(db, client) -> Principal:
    """The principal of ``client``'s sign-in session, read as every request reads it."""
    user, memberships = accounts.resolve_signed_in(db, client.cookies.get(SESSION_COOKIE))
    return Principal(user=user, memberships=memberships)


def test_request_confirm_approve_set_password_and_sign_in(client, db, browser):
    dialogue = consultation(db)
    admin = browser("admin")
    db.commit()

    form = client.get(f"/dialogues/{dialogue.slug}/deelnemen")
    assert form.status_code == 200
    assert "alleen voor deze consultatie" in form.text  # what the address is used for
    answer = ask(client, dialogue.slug)
    assert answer.status_code == 200 and "e-mail met een link" in answer.text

    participation = participation_of(db, "sanne.bakker@example.org")  # lower-cased
    assert participation.status == ParticipationStatus.unconfirmed
    assert participation.locale == "nl"
    [mail] = mails_to(db, "sanne.bakker@example.org")
    assert dialogue.title in mail.subject and mail.body_html
    path = link_in(mail, "/deelnemen/bevestigen/")
    token = path.rsplit("/", 1)[1]
    assert participation.confirm_token_hash != token and token not in (participation.confirm_token_hash or "")

    confirmed = client.get(path)
    assert confirmed.status_code == 200 and "beoordeelt nu uw aanmelding" in confirmed.text
    db.refresh(participation)
    assert participation.status == ParticipationStatus.requested and participation.confirmed_at
    assert client.get(path).status_code == 200  # used again: still a clear answer

    overview = admin.get(f"/admin/dialogues/{dialogue.slug}/deelnemers")
    assert overview.status_code == 200
    assert "Sanne Bakker" in overview.text and "Wijkteam Almere Haven" in overview.text
    assert "Lokale verwijzer" in overview.text
    assert decide(admin, dialogue.slug, participation, "approve", "Welkom!").status_code == 303

    db.refresh(participation)
    user = db.exec(select(User).where(User.email == "sanne.bakker@example.org")).one()
    assert participation.status == ParticipationStatus.approved and participation.user_id == user.id
    assert participation.decided_by_id == admin.user.id and participation.decided_at
    assert user.role == Role.participant and user.stakeholder_group == "local_referrer"
    assert user.organisation == "Wijkteam Almere Haven" and user.password_hash is None
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "participation")).all()
    assert {"participation.requested", "participation.confirmed", "participation.approved"} <= set(actions)

    approved = mails_to(db, "sanne.bakker@example.org")[-1]
    assert "Welkom!" in approved.body_text
    set_password = link_in(approved, "/account/set-password/")
    page = client.get(set_password)
    assert page.status_code == 200
    done = client.post(
        set_password,
        data={
            "password": "logeren in Flevoland",
            "password_confirm": "logeren in Flevoland",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert login(client, "sanne.bakker@example.org", "logeren in Flevoland").status_code == 303

    principal = signed_in_principal(db, client)
    assert dialogue.id in principal.taking_part_in
    assert principal.in_dialogue(dialogue.id).takes_part
    assert can(principal.in_dialogue(dialogue.id), Action.comment)
    other = factories.dialogue(db, new=True)
    assert not principal.in_dialogue(other.id).takes_part


def test_refusal_mails_a_neutral_message_and_gives_no_access(client, db, as_admin):
    dialogue = consultation(db)
    db.commit()
    ask(client, dialogue.slug)
    client.get(link_in(mails_to(db, "sanne.bakker@example.org")[0], "/deelnemen/bevestigen/"))
    participation = participation_of(db, "sanne.bakker@example.org")
    assert decide(as_admin, dialogue.slug, participation, "refuse", "De groep is vol.").status_code == 303
    db.refresh(participation)
    assert participation.status == ParticipationStatus.refused and participation.decision_note == "De groep is vol."
    assert participation.user_id is None
    assert db.exec(select(User).where(User.email == "sanne.bakker@example.org")).first() is None
    refused = mails_to(db, "sanne.bakker@example.org")[-1]
    assert "niet laten deelnemen" in refused.body_text and "De groep is vol." in refused.body_text
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "participation.refused")).one()
    # Deciding again on a refused request: refusing is a conflict, approving later is allowed.
    again = decide(as_admin, dialogue.slug, participation, "refuse")
    assert again.status_code == 409 and "al beslist" in again.text
    assert decide(as_admin, dialogue.slug, participation, "approve").status_code == 303


def test_a_second_request_with_the_same_address_says_nothing_new(client, db, as_admin):
    dialogue = consultation(db)
    db.commit()
    first = ask(client, dialogue.slug)
    second = ask(client, dialogue.slug, email="sanne.bakker@example.org ", name="Iemand Anders")
    assert first.status_code == second.status_code == 200
    assert same_page(first.text) == same_page(second.text)  # but for the CSRF token, masked per response
    rows = db.exec(select(Participation).where(Participation.dialogue_id == dialogue.id)).all()
    assert len(rows) == 1 and rows[0].name == "Sanne Bakker"
    mails = mails_to(db, "sanne.bakker@example.org")
    assert len(mails) == 2  # still unconfirmed: a new link, and only the newest works
    old, new = (link_in(m, "/deelnemen/bevestigen/") for m in mails)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    # Confirmed (or decided): a further request sends nothing and answers the same.
    third = ask(client, dialogue.slug)
    assert third.status_code == 200 and "e-mail met een link" in third.text
    assert len(mails_to(db, "sanne.bakker@example.org")) == 2


def test_an_expired_or_unknown_link_shows_a_clear_page(client, db):
    dialogue = consultation(db)
    db.commit()
    ask(client, dialogue.slug)
    path = link_in(mails_to(db, "sanne.bakker@example.org")[0], "/deelnemen/bevestigen/")
    clock.freeze(clock.now() + timedelta(days=8))
    expired = client.get(path)
    assert expired.status_code == 404 and "7 dagen geldig" in expired.text
    assert participation_of(db, "sanne.bakker@example.org").status == ParticipationStatus.unconfirmed
    unknown = client.get("/deelnemen/bevestigen/onzin")
    assert unknown.status_code == 404 and "Deze link werkt niet" in unknown.text
    assert client.get("/deelnemen/bevestigen/" + "x" * 300).status_code == 404


def test_the_form_is_rate_limited_per_address_and_per_client(client, db):
    dialogue = consultation(db)
    db.commit()
    for _ in range(3):
        assert ask(client, dialogue.slug).status_code == 200
    limited = ask(client, dialogue.slug)
    assert limited.status_code == 429 and limited.headers["Retry-After"]
    assert "te veel aanmeldingen" in limited.text and 'value="Sanne Bakker"' in limited.text
    for n in range(7):  # 3 + 7 = 10 counted (the refused one is not)
        assert ask(client, dialogue.slug, email=f"persoon{n}@example.org").status_code == 200
    assert ask(client, dialogue.slug, email="nog-iemand@example.org").status_code == 429


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "geen-adres"}, "email", "geldig e-mailadres"),
        ({"email": ""}, "email", "Vul uw e-mailadres in"),
        ({"name": "  "}, "name", "Vul uw naam in"),
        ({"stakeholder_group": ""}, "stakeholder_group", "Kies de groep"),
        ({"stakeholder_group": "admin"}, "stakeholder_group", "Kies de groep"),
        ({"pseudonym": "Zonnebloem"}, "pseudonym", "Alleen ervaringsdeskundigen"),
        ({"stakeholder_group": "experience_expert", "pseudonym": "sanne bakker"}, "pseudonym", "anders is dan"),
        ({"name": "x" * 201}, "name", "te lang"),
        ({"motivation": "x" * 2001}, "motivation", "te lang"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_with_the_text_kept(client, db, changes, field, message):
    dialogue = consultation(db)
    db.commit()
    response = ask(client, dialogue.slug, **changes)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.text and message in response.text
    assert "Wijkteam Almere Haven" in response.text  # what was typed stays
    assert db.exec(select(Participation)).all() == []


def test_an_experience_expert_may_take_part_under_a_pseudonym(client, db, as_admin):
    dialogue = consultation(db)
    db.commit()
    ask(client, dialogue.slug, stakeholder_group="experience_expert", pseudonym="Zonnebloem", organisation="")
    client.get(link_in(mails_to(db, "sanne.bakker@example.org")[0], "/deelnemen/bevestigen/"))
    participation = participation_of(db, "sanne.bakker@example.org")
    assert participation.pseudonym == "Zonnebloem"
    assert "Zonnebloem" in as_admin.get(f"/admin/dialogues/{dialogue.slug}/deelnemers").text
    decide(as_admin, dialogue.slug, participation, "approve")
    user = db.exec(select(User).where(User.email == "sanne.bakker@example.org")).one()
    assert user.pseudonym == "Zonnebloem" and user.stakeholder_group == "experience_expert"


def test_only_an_active_consultation_takes_requests(client, db):
    plain = factories.dialogue(db, new=True, kind=DialogueKind.dialogue)
    closed = consultation(db, status=DialogueStatus.closed)
    draft = consultation(db, status=DialogueStatus.draft)
    db.commit()
    for slug in (plain.slug, closed.slug, draft.slug, "bestaat-niet"):
        assert client.get(f"/dialogues/{slug}/deelnemen").status_code == 404
    open_one = consultation(db)
    db.commit()
    token = csrf_from(client.get(f"/dialogues/{open_one.slug}/deelnemen").text)
    response = client.post(f"/dialogues/{plain.slug}/deelnemen", data={**FORM, "csrf_token": token})
    assert response.status_code == 404


def test_english_requests_get_english_mail(client, db):
    dialogue = consultation(db)
    db.commit()
    client.get("/?lang=en")
    page = f"/dialogues/{dialogue.slug}/deelnemen"
    post_form(client, page, FORM, page=page)
    [mail] = mails_to(db, "sanne.bakker@example.org")
    assert mail.subject.startswith("Confirm your registration") and 'lang="en"' in mail.body_html


def test_a_providers_user_is_linked_and_keeps_its_role(client, db, as_admin):
    dialogue = consultation(db)
    provider_user = factories.user(db, Role.provider, email="contact@zorgaanbieder.example.org")
    db.commit()
    ask(client, dialogue.slug, email="contact@zorgaanbieder.example.org", stakeholder_group="provider")
    client.get(link_in(mails_to(db, "contact@zorgaanbieder.example.org")[0], "/deelnemen/bevestigen/"))
    participation = participation_of(db, "contact@zorgaanbieder.example.org")
    decide(as_admin, dialogue.slug, participation, "approve")
    db.refresh(provider_user)
    db.refresh(participation)
    assert provider_user.role == Role.provider and provider_user.provider_id is not None
    assert participation.user_id == provider_user.id
    approved = mails_to(db, "contact@zorgaanbieder.example.org")[-1]
    assert "/account/set-password/" not in approved.body_text and "/login" in approved.body_text
    login(client, provider_user.email, factories.PASSWORD)
    assert dialogue.id in signed_in_principal(db, client).taking_part_in


def test_sdfl_adds_a_participant_directly_and_can_end_the_participation(client, db, as_admin):
    dialogue = consultation(db)
    db.commit()
    base = f"/admin/dialogues/{dialogue.slug}/deelnemers"
    data = {
        "name": "Ervaringsdeskundige Eva",
        "email": "eva@example.org",
        "stakeholder_group": "experience_expert",
        "pseudonym": "Merel",
        "organisation": "",
    }
    assert post_form(as_admin, f"{base}/toevoegen", data, page=base).status_code == 303
    participation = participation_of(db, "eva@example.org")
    assert participation.status == ParticipationStatus.approved
    user = db.exec(select(User).where(User.email == "eva@example.org")).one()
    assert user.role == Role.participant and user.pseudonym == "Merel"
    assert "/account/set-password/" in mails_to(db, "eva@example.org")[-1].body_text

    again = post_form(as_admin, f"{base}/toevoegen", data, page=base)
    assert again.status_code == 409 and "neemt al deel" in again.text and 'value="Merel"' in again.text
    bad = post_form(as_admin, f"{base}/toevoegen", {**data, "email": "nee"}, page=base)
    assert bad.status_code == 422 and 'id="add-email-error"' in bad.text

    ended = post_form(as_admin, f"{base}/{participation.id}/beeindigen", {"note": "Verhuisd"}, page=base)
    assert ended.status_code == 303
    db.refresh(participation)
    assert participation.status == ParticipationStatus.withdrawn
    token = accounts.start_session(db, user, ip=None, user_agent=None)
    _user, memberships = accounts.resolve_signed_in(db, token)
    principal = Principal(user=user, memberships=memberships)
    assert memberships == {dialogue.id: "withdrawn"} and dialogue.id not in principal.taking_part_in
    assert db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "participation.withdrawn", AuditEvent.entity_id == str(participation.id)
        )
    ).one()
    assert post_form(as_admin, f"{base}/{participation.id}/beeindigen", {}, page=base).status_code == 409


def test_a_participation_of_another_consultation_is_not_found(db, as_admin):
    one, other = consultation(db), consultation(db)
    participation = Participation(
        dialogue_id=other.id,
        name="A",
        email="a@example.org",
        stakeholder_group="other",
        status=ParticipationStatus.requested,
    )
    db.add(participation)
    db.commit()
    base = f"/admin/dialogues/{one.slug}/deelnemers"
    assert decide(as_admin, one.slug, participation, "approve").status_code == 404
    assert post_form(as_admin, f"{base}/999999/beeindigen", {}, page=base).status_code == 404
    assert as_admin.get(f"/admin/dialogues/{factories.dialogue(db, new=True).slug}/deelnemers").status_code == 404


@pytest.mark.parametrize("role", ["public", Role.provider, Role.participant, Role.municipality, Role.admin])
def test_only_admins_manage_participants(db, browser, role):
    dialogue = consultation(db)
    participation = Participation(
        dialogue_id=dialogue.id,
        name="A",
        email="a@example.org",
        stakeholder_group="other",
        status=ParticipationStatus.requested,
    )
    db.add(participation)
    db.commit()
    who = browser() if role == "public" else browser(role)
    base = f"/admin/dialogues/{dialogue.slug}/deelnemers"
    token = csrf_from(who.get("/login" if role == "public" else "/account").text)
    page = who.get(base, follow_redirects=False)
    posts = [
        who.post(
            f"{base}/{participation.id}/besluit",
            data={"decision": "approve", "csrf_token": token},
            follow_redirects=False,
        ),
        who.post(f"{base}/toevoegen", data={**FORM, "csrf_token": token}, follow_redirects=False),
        who.post(f"{base}/{participation.id}/beeindigen", data={"csrf_token": token}, follow_redirects=False),
    ]
    if role == Role.admin:
        assert page.status_code == 200
        assert [r.status_code for r in posts] == [303, 303, 303]
        return
    expected = 303 if role == "public" else 403  # the public is asked to sign in
    assert page.status_code == expected and all(r.status_code == expected for r in posts)
    db.refresh(participation)
    assert participation.status == ParticipationStatus.requested
    assert db.exec(select(Participation).where(col(Participation.email) == "sanne.bakker@example.org")).first() is None


def test_an_approved_participant_reads_the_consultations_proposal_and_comments(client, db, as_admin):
    """The whole path to taking part: added by SDFL, password set from the mail, signed in, a non-public proposal
    of the consultation opened and commented on (as the participant itself, without a provider)."""
    dialogue = consultation(db)
    proposal = factories.proposal(db, dialogue_=dialogue, public=False)
    section = factories.sections(db, proposal)[0]
    db.commit()
    base = f"/admin/dialogues/{dialogue.slug}/deelnemers"
    data = {"name": "Vera Verwijzer", "email": "vera@example.org", "stakeholder_group": "local_referrer"}
    assert post_form(as_admin, f"{base}/toevoegen", data, page=base).status_code == 303
    set_password = link_in(mails_to(db, "vera@example.org")[-1], "/account/set-password/")
    page = client.get(set_password)
    client.post(
        set_password,
        data={
            "password": "logeren in Flevoland",
            "password_confirm": "logeren in Flevoland",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert login(client, "vera@example.org", "logeren in Flevoland").status_code == 303

    page = client.get(f"/proposals/{proposal.id}/sections/{section.key}")
    assert page.status_code == 200 and proposal.title in page.text
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    posted = client.post(
        f"/proposals/{proposal.id}/sections/{section.key}/comments",
        data={
            "kind": "zorg",
            "body": "Logeeropvang is in Urk schaars.",
            "csrf_token": csrf_from(page.text),
            **({"form_token": form_token.group(1)} if form_token else {}),
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303
    comment = db.exec(select(Comment).where(Comment.body == "Logeeropvang is in Urk schaars.")).one()
    user = db.exec(select(User).where(User.email == "vera@example.org")).one()
    assert comment.author_id == user.id and comment.provider_id is None
