"""Invitations and participation: the selection overview, inviting and reminding, answering (RSVP) on
the page, with htmx and through the API, who may do what, and the participation record."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from app import demo_content
from app.kit import clock
from app.mail.service import send_pending
from app.models import (
    Attendance,
    AuditEvent,
    DialogueSession,
    Invitation,
    InvitationStatus,
    Municipality,
    OutboxMessage,
    Provider,
    ProviderMunicipality,
    SessionStatus,
    User,
)
from tests import factories
from tests.helpers import bearer, find_provider, find_user, login, make_key, post_form

PROBLEM = "application/problem+json"
ROLES = {"provider": "rodante@example.org", "municipality": "almere@example.org", "admin": "sdfl@example.org"}


@pytest.fixture(autouse=True)
def dialogue(db) -> None:
    """The demo's dialogue, providers with their answers and contacts, SDFL, the municipalities' users and a
    held first meeting with the attendance of most accepted providers and two meetings ahead, made by factories."""
    factories.demo_dialogue(db)
    providers = factories.demo_providers(db)
    held = factories.meeting(db, starts_at=clock.now() - timedelta(days=14), status=SessionStatus.held)
    factories.meeting(db, starts_at=clock.now() + timedelta(days=14))
    factories.meeting(db, starts_at=clock.now() + timedelta(days=28))
    accepted = [p for p in demo_content.PROVIDERS if p["invitation"] == InvitationStatus.accepted]
    for i, p in enumerate(accepted):
        came = i % 5 != 4
        db.add(
            Attendance(
                session_id=held.id,
                provider_id=providers[p["slug"]].id,
                attended=came,
                people=(1 + i % 3) if came else 0,
            )
        )
    factories.accounts(db, "sdfl@example.org", "almere@example.org", "dronten@example.org", "urk@example.org")
    factories.account(db, "noordoostpolder@example.org")
    db.commit()


PENDING_SLUGS = {"its4sure", "omega-groep", "stichting-timon"}


# --- helpers -------------------------------------------------------------------------------------


def invitation_of(db: Session, slug: str) -> Invitation:
    return db.exec(select(Invitation).where(Invitation.provider_id == find_provider(db, slug).id)).one()


def new_provider(db: Session, slug: str, *, tags: list[str] | None = None, users: int = 1) -> Provider:
    """A provider that is not invited yet, with ``users`` active users that can sign in (and one inactive)."""
    p = Provider(name=f"Nieuwe aanbieder {slug}", slug=slug, size="small", tags=tags or ["gender"])
    db.add(p)
    db.commit()
    almere = db.exec(select(Municipality).where(Municipality.name == "Almere")).one()
    db.add(ProviderMunicipality(provider_id=p.id, municipality_id=almere.id))
    password_hash = find_user(db, "rodante@example.org").password_hash
    for i in range(users):
        db.add(
            User(
                email=f"{slug}-{i}@example.org",
                name=f"Contact {i}",
                role="provider",
                provider_id=p.id,
                password_hash=password_hash,
            )
        )
    db.add(User(email=f"{slug}-oud@example.org", role="provider", provider_id=p.id, active=False))
    db.commit()
    return p


def row_of(html: str, name: str) -> str:
    """The table row whose row header is ``name``."""
    match = re.search(rf"<th scope=\"row\">(?:<label[^>]*>)?{re.escape(name)}(?:</label>)?</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {name}"
    return match.group(1)


def outbox_to(db: Session, email: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.to_address == email)).all())


# --- the selection overview ----------------------------------------------------------------------


def test_selection_overview_shows_every_provider_with_what_sdfl_selects_on(client, db):
    new_provider(db, "nieuw-overzicht", tags=["autisme"])
    rodante = invitation_of(db, "rodante")
    rodante.note = "Wij komen met twee gedragswetenschappers."
    db.add(rodante)
    db.commit()
    login(client, ROLES["admin"])
    response = client.get("/admin/invitations")
    assert response.status_code == 200
    html = response.text
    assert len(re.findall(r'name="provider_id"', html)) == 1  # only the provider not invited yet
    assert html.count("(demogegevens)") == 14
    row = row_of(html, "Rodante")
    assert "middelgroot" in row and "LVB" in row and "Noordoostpolder, Urk" in row and "ja" in row
    assert "Doet mee" in row and "twee gedragswetenschappers" in row
    assert "Nog geen antwoord" in row_of(html, "Its4sure")
    new_row = row_of(html, "Nieuwe aanbieder nieuw-overzicht")
    assert "Niet uitgenodigd" in new_row and "Autisme" in new_row and "nee" in new_row
    assert '<label for="select-' in html  # the checkbox has the provider's name as its label
    assert '<th scope="col">' in html and "<legend>" in html


def test_the_mix_warns_about_every_target_group_without_a_participant(client, db):
    login(client, ROLES["admin"])
    html = client.get("/admin/invitations").text
    warning = re.search(r'<div class="notice notice--warning".*?</div>', html, re.S).group(0)
    assert "Let op" in warning  # the warning is in words, not only in colour
    assert "Voor de doelgroep Gender doet nog geen enkele zorgaanbieder mee." in warning
    assert "Geen van de zorgaanbieders heeft deze expertise." in warning
    # Levensbeschouwelijk: only Stichting Timon, which has not answered yet
    assert "Voor de doelgroep Levensbeschouwelijk doet" in warning
    assert "LVB" not in warning
    gender = row_of(html, "Gender")
    assert re.search(r"<td>0</td><td>0</td><td>0</td>", gender) and "geen deelnemer" in gender
    assert re.search(r"<td>3</td><td>3</td><td>3</td>", row_of(html, "LVB"))


def test_the_warning_goes_once_a_provider_of_that_group_accepts(client, db):
    p = new_provider(db, "gender-expert", tags=["gender"])
    login(client, ROLES["admin"])
    assert (
        post_form(client, "/admin/invitations", {"provider_id": str(p.id)}, page="/admin/invitations").status_code
        == 303
    )
    html = client.get("/admin/invitations").text
    assert re.search(r"<td>1</td><td>1</td><td>0</td>", row_of(html, "Gender"))  # invited, not yet accepted
    invitation = db.exec(select(Invitation).where(Invitation.provider_id == p.id)).one()
    response = post_form(
        client, f"/admin/invitations/{invitation.id}/answer", {"answer": "accept"}, page="/admin/invitations"
    )
    assert response.status_code == 303
    html = client.get("/admin/invitations").text
    assert "Voor de doelgroep Gender" not in html
    assert re.search(r"<td>1</td><td>1</td><td>1</td>", row_of(html, "Gender"))


def test_counts_by_size_and_by_municipality(client):
    login(client, ROLES["admin"])
    html = client.get("/admin/invitations").text
    # Urk: Leger des Heils, Re-care, Rodante, 's Heeren Loo, Stichting Timon (pending), Triade Vitree
    assert re.search(r"<td>6</td><td>6</td>\s*<td>5</td>", row_of(html, "Urk"))
    # large: Leger des Heils, 's Heeren Loo, Triade Vitree; medium: 6 of which 3 pending
    assert re.search(r"<td>3</td><td>3</td>\s*<td>3</td>", row_of(html, "Groot"))
    assert re.search(r"<td>6</td><td>6</td>\s*<td>3</td>", row_of(html, "Middelgroot"))
    assert "11 doen mee, 3 hebben nog niet geantwoord en 0 hebben zich afgemeld" in html


def test_selection_overview_runs_a_constant_number_of_queries(client, db, count_queries):
    login(client, ROLES["admin"])
    with count_queries() as before:
        client.get("/admin/invitations")
    dialogue_id = invitation_of(db, "rodante").dialogue_id
    almere = db.exec(select(Municipality).where(Municipality.name == "Almere")).one()
    for i in range(15):
        p = Provider(name=f"Extra {i}", slug=f"extra-sel-{i}", tags=["ggz", "lvb"])
        db.add(p)
        db.commit()
        db.add(ProviderMunicipality(provider_id=p.id, municipality_id=almere.id))
        if i % 2:
            db.add(Invitation(dialogue_id=dialogue_id, provider_id=p.id))
    db.commit()
    with count_queries() as after:
        html = client.get("/admin/invitations").text
    assert "Extra 14" in html
    assert after.count == before.count


# --- inviting and reminding ----------------------------------------------------------------------


def test_inviting_a_new_provider_queues_mail_to_its_users_and_is_idempotent(client, db):
    p = new_provider(db, "nieuwe-zorg", users=2)
    login(client, ROLES["admin"])
    response = post_form(client, "/admin/invitations", {"provider_id": str(p.id)}, page="/admin/invitations")
    assert response.status_code == 303
    assert response.headers["location"].startswith(
        "/admin/invitations?invited=1&already=0&mails=2&without_contact=0&dialogue="
    )
    invitation = db.exec(select(Invitation).where(Invitation.provider_id == p.id)).one()
    assert invitation.status == InvitationStatus.pending
    for email in ("nieuwe-zorg-0@example.org", "nieuwe-zorg-1@example.org"):
        [mail] = outbox_to(db, email)
        assert mail.subject.startswith("Uitnodiging: dialoog ")
        assert "http://127.0.0.1:8000/invitation" in mail.body_text
        assert 'href="http://127.0.0.1:8000/invitation"' in mail.body_html
        assert "Nieuwe aanbieder nieuwe-zorg" in mail.body_text
    assert outbox_to(db, "nieuwe-zorg-oud@example.org") == []  # inactive users get nothing
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.created")).all()
    assert [e.entity_id for e in events] == [str(invitation.id)]
    page = client.get(response.headers["location"]).text
    assert "1 zorgaanbieder uitgenodigd" in page and "2 e-mails" in page

    # Again, together with one that was invited long ago: nothing new.
    again = post_form(
        client,
        "/admin/invitations",
        {"provider_id": [str(p.id), str(find_provider(db, "rodante").id)]},
        page="/admin/invitations",
    )
    assert again.headers["location"].startswith(
        "/admin/invitations?invited=0&already=2&mails=0&without_contact=0&dialogue="
    )
    assert len(db.exec(select(Invitation).where(Invitation.provider_id == p.id)).all()) == 1
    assert len(outbox_to(db, "nieuwe-zorg-0@example.org")) == 1
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.created")).all()) == 1


def test_inviting_a_provider_without_contact_person_says_so(client, db):
    p = new_provider(db, "zonder-contact", users=0)
    login(client, ROLES["admin"])
    response = post_form(client, "/admin/invitations", {"provider_id": str(p.id)}, page="/admin/invitations")
    assert "without_contact=1&" in response.headers["location"]
    assert "geen actieve contactpersoon" in client.get(response.headers["location"]).text


@pytest.mark.parametrize("data", [{}, {"provider_id": "999999"}, {"provider_id": "abc"}])
def test_inviting_nothing_or_an_unknown_provider_shows_the_form_again(client, db, data):
    login(client, ROLES["admin"])
    response = post_form(client, "/admin/invitations", data, page="/admin/invitations")
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text and 'href="#field-provider_id"' in response.text
    assert 'id="field-provider_id"' in response.text
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.created")).first() is None


def test_an_archived_provider_is_not_offered_and_cannot_be_invited(client, db):
    """An archived provider stays in history but takes part in nothing new: it has no checkbox on the selection
    page and inviting it anyway is refused with the reason, inviting nobody."""
    p = new_provider(db, "opgeheven-zorg", users=1)
    p.archived_at = clock.now()
    db.add(p)
    db.commit()
    login(client, ROLES["admin"])
    page = client.get("/admin/invitations").text
    assert f'value="{p.id}" id="select-{p.id}"' not in page
    response = post_form(client, "/admin/invitations", {"provider_id": str(p.id)}, page="/admin/invitations")
    assert response.status_code == 422
    assert "Gearchiveerd, dus niet uit te nodigen: Nieuwe aanbieder opgeheven-zorg" in response.text
    assert db.exec(select(Invitation).where(Invitation.provider_id == p.id)).first() is None


def test_reminders_go_only_to_providers_that_have_not_answered(client, db):
    now = datetime.now(UTC).replace(microsecond=0)
    clock.freeze(now)
    before = {m.id for m in db.exec(select(OutboxMessage)).all()}
    login(client, ROLES["admin"])
    response = post_form(client, "/admin/invitations/reminders", page="/admin/invitations")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/invitations?reminded=3&mails=3&dialogue=")
    new = [m for m in db.exec(select(OutboxMessage)).all() if m.id not in before]
    assert {m.to_address for m in new} == {f"{slug}@example.org" for slug in PENDING_SLUGS}
    assert all(m.subject.startswith("Herinnering: uitnodiging") for m in new)
    assert all("/invitation" in m.body_text for m in new)
    for slug in PENDING_SLUGS:
        assert invitation_of(db, slug).reminded_at == now
    assert invitation_of(db, "rodante").reminded_at is None
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.reminded")).all()) == 3
    page = client.get(response.headers["location"]).text
    assert "Herinnering gestuurd aan 3 zorgaanbieders" in page


def test_the_invitation_mail_really_arrives_over_smtp(client, db, smtp, smtp_settings):
    collector, _port = smtp
    p = new_provider(db, "per-smtp")
    login(client, ROLES["admin"])
    post_form(client, "/admin/invitations", {"provider_id": str(p.id)}, page="/admin/invitations")
    report = send_pending(db, settings=smtp_settings, commit=False)
    assert report.sent >= 1
    [message] = [m for m in collector.messages if m["To"] == "per-smtp-0@example.org"]
    assert message["Subject"].strip().startswith("Uitnodiging: dialoog")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "http://127.0.0.1:8000/invitation" in text
    assert "Beste Contact 0" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'href="http://127.0.0.1:8000/invitation"' in html


# --- answering -----------------------------------------------------------------------------------


def test_a_provider_sees_its_own_invitation(client):
    login(client, "its4sure@example.org")
    response = client.get("/invitation")
    assert response.status_code == 200
    html = response.text
    assert "Multidisciplinaire jeugdhulp, regionale inkoop 2027" in html
    assert "Sessie 1" in html and "Sessie 3" in html
    assert "Nog geen antwoord" in html
    assert "<fieldset" in html and "<legend>Doet uw organisatie mee" in html
    assert '<label for="answer-accept">' in html and '<label for="field-note">' in html


def test_a_provider_accepts_with_the_form_and_may_change_its_mind(client, db):
    now = datetime.now(UTC).replace(microsecond=0)
    clock.freeze(now)
    login(client, "its4sure@example.org")
    response = post_form(
        client, "/invitation", {"answer": "accept", "note": " Wij komen met z'n tweeën. "}, page="/invitation"
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/invitation?dialogue=")
    invitation = invitation_of(db, "its4sure")
    its4sure = find_user(db, "its4sure@example.org")
    assert invitation.status == InvitationStatus.accepted
    assert invitation.responded_at == now and invitation.responded_by_id == its4sure.id
    assert invitation.note == "Wij komen met z'n tweeën."
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "invitation.answered")).one()
    assert event.actor_id == its4sure.id and event.entity_id == str(invitation.id)
    assert event.before["status"] == "pending" and event.after["status"] == "accepted"
    page = client.get("/invitation").text
    assert "Doet mee" in page and "met z&#39;n tweeën" in page and "Pieter van Dam" in page
    assert 'value="accept" id="answer-accept" required checked' in page

    response = post_form(client, "/invitation", {"answer": "decline", "note": ""}, page="/invitation")
    assert response.status_code == 303
    assert invitation_of(db, "its4sure").status == InvitationStatus.declined
    assert invitation_of(db, "its4sure").note == ""
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "invitation.answered").order_by(col(AuditEvent.id))
    ).all()
    assert [(e.before["status"], e.after["status"]) for e in events] == [
        ("pending", "accepted"),
        ("accepted", "declined"),
    ]


def test_with_htmx_the_answer_returns_only_the_invitation_block(client, db):
    login(client, "omega-groep@example.org")
    response = post_form(
        client,
        "/invitation",
        {"answer": "decline", "note": "Geen capaciteit."},
        page="/invitation",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "<header" not in response.text
    assert response.text.lstrip().startswith('<section id="invitation"')
    assert "Afgemeld" in response.text and "Het antwoord is opgeslagen." in response.text
    assert "HX-Request" in response.headers["vary"].split(", ")
    said = json.loads(response.headers["HX-Trigger-After-Settle"])["dialoog:done"]
    assert said == {"message": "Het antwoord is opgeslagen.", "focus": "#invitation-saved"}
    assert invitation_of(db, "omega-groep").status == InvitationStatus.declined
    again = post_form(
        client, "/invitation", {"answer": "accept", "note": ""}, page="/invitation", headers={"HX-Request": "true"}
    )
    assert "Doet mee" in again.text and "<html" not in again.text
    assert invitation_of(db, "omega-groep").status == InvitationStatus.accepted


@pytest.mark.parametrize("answer", ["", "maybe", "accepted", "pending"])
def test_an_invalid_answer_shows_the_form_again_with_the_note(client, db, answer):
    login(client, "its4sure@example.org")
    response = post_form(client, "/invitation", {"answer": answer, "note": "Mijn toelichting"}, page="/invitation")
    assert response.status_code == 422
    assert "Kies of uw organisatie meedoet" in response.text
    assert ">Mijn toelichting</textarea>" in response.text
    assert "<html" in response.text  # without htmx: the whole page
    assert invitation_of(db, "its4sure").status == InvitationStatus.pending


def test_a_note_that_is_too_long_is_refused(client, db):
    login(client, "its4sure@example.org")
    response = post_form(client, "/invitation", {"answer": "accept", "note": "x" * 2001}, page="/invitation")
    assert response.status_code == 422
    assert "te lang" in response.text
    assert invitation_of(db, "its4sure").status == InvitationStatus.pending


def test_a_provider_without_invitation_gets_a_clear_message(client, db):
    new_provider(db, "niet-uitgenodigd")
    login(client, "niet-uitgenodigd-0@example.org")
    response = client.get("/invitation")
    assert response.status_code == 404
    assert "niet uitgenodigd" in response.text
    assert post_form(client, "/invitation", {"answer": "accept"}, page="/").status_code == 404


def test_a_provider_cannot_answer_for_another(client, db):
    omega = invitation_of(db, "omega-groep")
    login(client, "rodante@example.org")
    response = post_form(client, f"/admin/invitations/{omega.id}/answer", {"answer": "decline"}, page="/invitation")
    assert response.status_code == 403
    key = make_key(db, "rodante@example.org", "write")
    response = client.patch(f"/api/v1/invitations/{omega.id}", json={"status": "declined"}, headers=bearer(key))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM)
    assert invitation_of(db, "omega-groep").status == InvitationStatus.pending


def test_a_municipality_cannot_answer(client, db):
    omega = invitation_of(db, "omega-groep")
    login(client, ROLES["municipality"])
    assert client.get("/invitation").status_code == 403
    assert post_form(client, "/invitation", {"answer": "accept"}).status_code == 403
    assert post_form(client, f"/admin/invitations/{omega.id}/answer", {"answer": "accept"}).status_code == 403
    key = make_key(db, ROLES["municipality"], "write")
    response = client.patch(f"/api/v1/invitations/{omega.id}", json={"status": "accepted"}, headers=bearer(key))
    assert response.status_code == 403
    assert invitation_of(db, "omega-groep").status == InvitationStatus.pending


def test_an_admin_answers_for_a_provider(client, db):
    timon = invitation_of(db, "stichting-timon")
    login(client, ROLES["admin"])
    page = client.get(f"/admin/invitations/{timon.id}")
    assert page.status_code == 200 and "namens Stichting Timon" in page.text
    response = post_form(
        client,
        f"/admin/invitations/{timon.id}/answer",
        {"answer": "accept", "note": "Telefonisch aangemeld."},
        page=f"/admin/invitations/{timon.id}",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/invitations/{timon.id}?done=answered#invitation"
    # Without JavaScript the page it leads to says it in a banner.
    banner = 'data-notice id="invitation-saved">Het antwoord is opgeslagen.'
    assert banner in client.get(response.headers["location"]).text
    timon = invitation_of(db, "stichting-timon")
    assert timon.status == InvitationStatus.accepted
    assert timon.responded_by_id == find_user(db, ROLES["admin"]).id
    assert timon.note == "Telefonisch aangemeld."
    fragment = post_form(
        client,
        f"/admin/invitations/{timon.id}/answer",
        {"answer": "decline"},
        page=f"/admin/invitations/{timon.id}",
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text and "Afgemeld" in fragment.text


def test_the_trajectory_page_reflects_a_changed_answer(client, db):
    page = f"/dialogues/{factories.dialogue(db).slug}"
    before = client.get(page).text
    login(client, "its4sure@example.org")
    post_form(client, "/invitation", {"answer": "decline"}, page="/invitation")
    after = client.get(page).text
    assert after.count("Afgemeld") == before.count("Afgemeld") + 1
    assert after.count("Nog geen antwoord") == before.count("Nog geen antwoord") - 1
    assert "Afgemeld" in row_of(after, "Its4sure")


# --- who may do what: every role tries every route ------------------------------------------------

LOGIN = "login"
# (method, path, data) -> expected status for anonymous, provider (rodante), municipality, admin
ROUTES = [
    ("GET", "/admin/invitations", None, {"anonymous": LOGIN, "provider": 403, "municipality": 403, "admin": 200}),
    ("POST", "/admin/invitations", {}, {"anonymous": LOGIN, "provider": 403, "municipality": 403, "admin": 422}),
    (
        "POST",
        "/admin/invitations/reminders",
        {},
        {"anonymous": LOGIN, "provider": 403, "municipality": 403, "admin": 303},
    ),
    ("GET", "/admin/invitations/{own}", None, {"anonymous": LOGIN, "provider": 403, "municipality": 403, "admin": 200}),
    (
        "POST",
        "/admin/invitations/{own}/answer",
        {"answer": "accept"},
        {"anonymous": LOGIN, "provider": 403, "municipality": 403, "admin": 303},
    ),
    (
        "GET",
        "/admin/invitations/999999",
        None,
        {"anonymous": LOGIN, "provider": 403, "municipality": 403, "admin": 404},
    ),
    ("GET", "/invitation", None, {"anonymous": LOGIN, "provider": 200, "municipality": 403, "admin": 303}),
    (
        "POST",
        "/invitation",
        {"answer": "accept"},
        {"anonymous": LOGIN, "provider": 303, "municipality": 403, "admin": 404},
    ),
    ("GET", "/admin/participation", None, {"anonymous": LOGIN, "provider": 403, "municipality": 200, "admin": 200}),
]


@pytest.mark.parametrize("role", ["anonymous", "provider", "municipality", "admin"])
@pytest.mark.parametrize(("method", "path", "data", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _d, _e in ROUTES])
def test_every_role_on_every_page(client, db, role, method, path, data, expected):
    path = path.replace("{own}", str(invitation_of(db, "rodante").id))
    if role != "anonymous":
        assert login(client, ROLES[role]).status_code == 303
    response = (
        client.get(path, follow_redirects=False)
        if method == "GET"
        else post_form(client, path, data, page="/login" if role == "anonymous" else "/")
    )
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    else:
        assert response.status_code == want, response.text[:300]
    if role == "admin" and path == "/invitation" and method == "GET":
        assert response.headers["location"] == "/admin/invitations"


API_ROLES = {"anonymous": None, **ROLES}


@pytest.mark.parametrize("role", list(API_ROLES))
def test_every_role_on_the_api(client, db, role):
    own = invitation_of(db, "rodante")
    other = invitation_of(db, "omega-groep")
    headers = bearer(make_key(db, API_ROLES[role], "write")) if API_ROLES[role] else {}
    assert client.get("/api/v1/invitations", headers=headers).status_code == 200
    assert client.get(f"/api/v1/invitations/{own.id}", headers=headers).status_code == 200
    assert client.get("/api/v1/invitations/999999", headers=headers).status_code == 404
    expected_own = {"anonymous": 401, "provider": 200, "municipality": 403, "admin": 200}[role]
    expected_other = {"anonymous": 401, "provider": 403, "municipality": 403, "admin": 200}[role]
    body = {"status": "declined"}

    def patch(invitation_id: int) -> int:
        tag = client.get(f"/api/v1/invitations/{invitation_id}", headers=headers).headers["etag"]
        return client.patch(
            f"/api/v1/invitations/{invitation_id}", json=body, headers={**headers, "If-Match": tag}
        ).status_code

    assert patch(own.id) == expected_own
    assert patch(other.id) == expected_other
    # Without If-Match a write is refused (428) for whoever may write at all.
    no_tag = client.patch(f"/api/v1/invitations/{own.id}", json=body, headers=headers).status_code
    assert no_tag == {"anonymous": 401, "provider": 428, "municipality": 403, "admin": 428}[role]


# --- the API -------------------------------------------------------------------------------------


def test_api_lists_invitations_in_a_stable_order_with_the_page_shape(client, db):
    response = client.get("/api/v1/invitations")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "total", "page", "page_size", "pages", "next_cursor", "cursor"}
    assert body["total"] == 14 and body["pages"] == 1
    in_db_order = db.exec(
        select(Invitation.id)
        .join(Provider, col(Provider.id) == Invitation.provider_id)
        .order_by(Provider.name, Invitation.id)
    ).all()
    assert [item["id"] for item in body["items"]] == list(in_db_order)
    first = body["items"][0]
    assert {"id", "provider_id", "provider_name", "status", "responded_at", "note", "responded_by"} <= set(first)
    accepted = next(i for i in body["items"] if i["status"] == "accepted")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$", accepted["responded_at"])
    pending = client.get("/api/v1/invitations", params={"status": "pending"}).json()
    assert pending["total"] == 3
    assert {i["provider_name"] for i in pending["items"]} == {"Its4sure", "Omega groep", "Stichting Timon"}
    page2 = client.get("/api/v1/invitations", params={"page": 2, "page_size": 5}).json()
    assert [i["id"] for i in page2["items"]] == [i["id"] for i in body["items"][5:10]]
    assert client.get("/api/v1/invitations", params={"status": "maybe"}).status_code == 422


def test_api_hides_the_note_and_the_responder_from_others(client, db):
    rodante = invitation_of(db, "rodante")
    rodante.note = "Vertrouwelijke toelichting"
    db.add(rodante)
    db.commit()

    def rodante_item(headers: dict[str, str]) -> dict:
        items = client.get("/api/v1/invitations", headers=headers).json()["items"]
        return next(i for i in items if i["id"] == rodante.id)

    assert rodante_item({})["note"] is None and rodante_item({})["responded_by"] is None
    assert client.get(f"/api/v1/invitations/{rodante.id}").json()["note"] is None
    for email in ("almere@example.org", "omega-groep@example.org"):
        item = rodante_item(bearer(make_key(db, email, "read")))
        assert item["note"] is None and item["responded_by"] is None, email
    for email in ("rodante@example.org", "sdfl@example.org"):
        item = rodante_item(bearer(make_key(db, email, "read")))
        assert item["note"] == "Vertrouwelijke toelichting", email
        assert item["responded_by"]["email"] == "rodante@example.org"
    own = client.get(f"/api/v1/invitations/{rodante.id}", headers=bearer(make_key(db, "rodante@example.org", "read")))
    assert own.json()["note"] == "Vertrouwelijke toelichting"


def test_api_patch_honours_if_match(client, db):
    omega = invitation_of(db, "omega-groep")
    key = make_key(db, "omega-groep@example.org", "write")
    got = client.get(f"/api/v1/invitations/{omega.id}", headers=bearer(key))
    etag = got.headers["etag"]
    response = client.patch(
        f"/api/v1/invitations/{omega.id}",
        json={"status": "accepted", "note": "Tot dan!"},
        headers={**bearer(key), "If-Match": etag},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "accepted" and response.json()["note"] == "Tot dan!"
    assert response.json()["responded_by"]["email"] == "omega-groep@example.org"
    new_etag = response.headers["etag"]
    assert new_etag != etag
    assert client.get(f"/api/v1/invitations/{omega.id}", headers=bearer(key)).headers["etag"] == new_etag
    stale = client.patch(
        f"/api/v1/invitations/{omega.id}", json={"status": "declined"}, headers={**bearer(key), "If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith(PROBLEM)
    assert invitation_of(db, "omega-groep").status == InvitationStatus.accepted
    # without a note the note stays
    kept = client.patch(
        f"/api/v1/invitations/{omega.id}", json={"status": "declined"}, headers={**bearer(key), "If-Match": new_etag}
    )
    assert kept.status_code == 200 and kept.json()["note"] == "Tot dan!"
    assert invitation_of(db, "omega-groep").status == InvitationStatus.declined


def test_api_refuses_pending_read_keys_and_bad_bodies(client, db):
    omega = invitation_of(db, "omega-groep")
    write = {**bearer(make_key(db, "sdfl@example.org", "write")), "If-Match": "*"}
    pending = client.patch(f"/api/v1/invitations/{omega.id}", json={"status": "pending"}, headers=write)
    assert pending.status_code == 409
    assert pending.headers["content-type"].startswith(PROBLEM)
    read = client.patch(
        f"/api/v1/invitations/{omega.id}",
        json={"status": "accepted"},
        headers=bearer(make_key(db, "omega-groep@example.org", "read")),
    )
    assert read.status_code == 403 and "read" in read.json()["detail"]
    assert client.patch(f"/api/v1/invitations/{omega.id}", json={"status": "accepted"}).status_code == 401
    for body in (
        {"status": "maybe"},
        {"status": "accepted", "note": "x" * 2001},
        {"status": "accepted", "x": 1},
        {},
        {"status": "accepted", "note": "x\x00"},  # found by the API fuzzer: a 500 on PostgreSQL
    ):
        bad = client.patch(f"/api/v1/invitations/{omega.id}", json=body, headers=write)
        assert bad.status_code == 422, body
        assert bad.headers["content-type"].startswith(PROBLEM)
    assert client.patch("/api/v1/invitations/999999", json={"status": "accepted"}, headers=write).status_code == 404
    assert invitation_of(db, "omega-groep").status == InvitationStatus.pending


# --- the participation record --------------------------------------------------------------------


def test_the_participation_record_shows_answers_and_attendance(client, db):
    session_1 = db.exec(select(DialogueSession).where(DialogueSession.number == 1)).one()
    attendance = {
        a.provider_id: a for a in db.exec(select(Attendance).where(Attendance.session_id == session_1.id)).all()
    }
    assert attendance, "the demo has attendance for session 1"
    login(client, ROLES["municipality"])
    html = client.get("/admin/participation").text
    assert "Deelname per zorgaanbieder" in html
    for p in db.exec(select(Provider).where(col(Provider.id).in_(list(attendance)))).all():
        a = attendance[p.id]
        cells = row_of(html, p.name.replace("'", "&#39;"))
        if a.attended:
            people = f"{a.people} persoon" if a.people == 1 else f"{a.people} personen"
            assert f"Aanwezig ({people})" in cells, p.name
        else:
            assert "Afwezig" in cells, p.name
        assert "Doet mee" in cells
    assert "Nog geen antwoord" in row_of(html, "Its4sure")
    present = [a for a in attendance.values() if a.attended]
    assert f"{len(present)} aanbieders, {sum(a.people for a in present)} personen" in html
    assert "Beheer" not in re.search(r"<main.*?</main>", html, re.S).group(0)  # no admin menu for municipalities


def test_the_participation_record_says_who_answered(client, db):
    login(client, "its4sure@example.org")
    post_form(client, "/invitation", {"answer": "accept"}, page="/invitation")
    client.cookies.clear()
    login(client, ROLES["admin"])
    cells = row_of(client.get("/admin/participation").text, "Its4sure")
    assert "Doet mee" in cells and "door Pieter van Dam" in cells


def test_the_participation_record_runs_a_constant_number_of_queries(client, db, count_queries):
    login(client, ROLES["admin"])
    with count_queries() as before:
        client.get("/admin/participation")
    dialogue_id = invitation_of(db, "rodante").dialogue_id
    session_1 = db.exec(select(DialogueSession).where(DialogueSession.number == 1)).one()
    for i in range(15):
        p = Provider(name=f"Extra deelnemer {i}", slug=f"extra-part-{i}")
        db.add(p)
        db.commit()
        db.add(Invitation(dialogue_id=dialogue_id, provider_id=p.id, status="accepted"))
        db.add(Attendance(session_id=session_1.id, provider_id=p.id, attended=True, people=2))
    db.commit()
    with count_queries() as after:
        html = client.get("/admin/participation").text
    assert "Extra deelnemer 14" in html
    assert after.count == before.count
