"""Signing in and out, sessions, brute-force protection, one-time links, no user enumeration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts import service
from app.demo import DEMO_PASSWORD
from app.kit import clock
from app.models import AuditEvent, LoginAttempt, OutboxMessage, User, UserSession
from tests import factories
from tests.helpers import csrf_from, login, post_form, same_page


@pytest.fixture(autouse=True)
def people(db) -> dict[str, User]:
    """The accounts these tests sign in with (the demo's addresses and password, made by factories)."""
    made = factories.accounts(
        db,
        "sdfl@example.org",
        "rodante@example.org",
        "psymens@example.org",
        "almere@example.org",
        "dronten@example.org",
        "urk@example.org",
    )
    db.commit()
    return made


def audit_actions(db) -> list[str]:
    return [e.action for e in db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_login_form_renders_with_csrf_field(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert 'name="email"' in response.text and 'name="password"' in response.text
    assert csrf_from(response.text)


def test_login_redirects_to_the_page_wanted_and_sets_a_safe_cookie(client, db):
    response = login(client, "rodante@example.org", next_url="/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    cookie = response.headers["set-cookie"]
    assert "dialoog_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    page = client.get("/account")
    assert page.status_code == 200 and "Rodante" in page.text
    user = db.exec(select(User).where(User.email == "rodante@example.org")).one()
    assert user.last_login_at is not None
    assert "auth.login" in audit_actions(db)


def test_login_is_case_insensitive_on_the_address(client):
    assert login(client, "  Rodante@Example.ORG ").status_code == 303


def test_login_refuses_other_sites_as_next(client):
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert login(client, "rodante@example.org", next_url=evil).headers["location"] == "/"
        client.cookies.clear()


def test_wrong_password_and_unknown_address_get_the_same_answer(client, db):
    wrong = login(client, "rodante@example.org", password="not-the-password")
    unknown = login(client, "nobody@example.org", password="not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    assert "horen niet bij elkaar" in wrong.text and "horen niet bij elkaar" in unknown.text
    assert 'value="rodante@example.org"' in wrong.text  # what was typed stays
    assert audit_actions(db).count("auth.login_failed") == 2


def test_twenty_wrong_passwords_get_429_then_a_later_sign_in_works(client):
    statuses = [login(client, "urk@example.org", password=f"wrong-{i}").status_code for i in range(20)]
    assert statuses[:5] == [400] * 5  # five free tries from one client, then a delay (tests/web/test_throttles.py)
    assert statuses[5:] == [429] * 15
    locked = login(client, "urk@example.org")  # even the right password waits on this client
    assert locked.status_code == 429
    assert "Te veel mislukte inlogpogingen" in locked.text and "minuut" in locked.text
    assert 0 < int(locked.headers["retry-after"]) <= 60
    clock.advance(timedelta(seconds=int(locked.headers["retry-after"]) + 1))
    assert login(client, "urk@example.org").status_code == 303


def test_one_client_trying_many_addresses_is_limited(db):
    now = clock.now()
    for i in range(service.MAX_FAILURES_PER_CLIENT):
        db.add(LoginAttempt(at=now - timedelta(minutes=1), email=f"guess{i}@example.org", ip="203.0.113.9"))
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    try:
        service.authenticate(db, email="rodante@example.org", password=DEMO_PASSWORD, ip="203.0.113.9")
    except service.TooManyRequests as exc:
        assert exc.status_code == 429
    else:
        raise AssertionError("expected 429 for the client")
    assert service.authenticate(db, email="rodante@example.org", password=DEMO_PASSWORD, ip="198.51.100.7")


def test_logout_ends_the_session(client, db):
    login(client, "almere@example.org")
    assert client.get("/account").status_code == 200
    response = post_form(client, "/logout", page="/account")
    assert response.status_code == 303
    assert "auth.logout" in audit_actions(db)
    response = client.get("/account", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=%2Faccount")
    assert db.exec(select(UserSession)).all() == []


def test_a_stolen_cookie_is_useless_after_logout(client):
    login(client, "almere@example.org")
    stolen = client.cookies.get("dialoog_session")
    post_form(client, "/logout", page="/account")
    client.cookies.set("dialoog_session", stolen)
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_sessions_expire_when_idle_and_after_the_maximum(client):
    login(client, "dronten@example.org")
    clock.advance(service.SESSION_IDLE - timedelta(minutes=5))
    assert client.get("/account").status_code == 200  # activity slides the idle limit
    clock.advance(service.SESSION_IDLE - timedelta(minutes=5))
    assert client.get("/account").status_code == 200
    clock.advance(service.SESSION_IDLE + timedelta(minutes=1))
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_deactivated_user_cannot_sign_in_and_is_signed_out(client, db):
    login(client, "psymens@example.org")
    user = db.exec(select(User).where(User.email == "psymens@example.org")).one()
    admin = db.exec(select(User).where(User.email == "sdfl@example.org")).one()
    service.update_user(db, user, service.UserInput(active=False), actor=admin)
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    assert client.get("/account", follow_redirects=False).status_code == 303
    assert login(client, "psymens@example.org").status_code == 400


def test_password_reset_answers_the_same_for_unknown_addresses(client, db):
    before = len(db.exec(select(OutboxMessage)).all())
    known = post_form(client, "/password-reset", {"email": "rodante@example.org"}, page="/password-reset")
    unknown = post_form(client, "/password-reset", {"email": "niemand@example.org"}, page="/password-reset")
    assert known.status_code == unknown.status_code == 200
    assert same_page(known.text) == same_page(unknown.text)  # but for the CSRF token, masked per response
    assert "Als dit e-mailadres bij ons bekend is" in known.text
    mails = db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()[before:]
    assert [m.to_address for m in mails] == ["rodante@example.org"]


def test_reset_link_sets_a_new_password_once(client, db):
    user = db.exec(select(User).where(User.email == "rodante@example.org")).one()
    token, _ = service.issue_token(db, user, service.TokenPurpose.reset)
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    form = client.get(f"/account/set-password/{token}")
    assert form.status_code == 200 and "rodante@example.org" in form.text
    too_short = client.post(
        f"/account/set-password/{token}",
        data={"password": "kort", "password_confirm": "kort", "csrf_token": csrf_from(form.text)},
    )
    assert too_short.status_code == 422 and "minstens 10 tekens" in too_short.text
    mismatch = client.post(
        f"/account/set-password/{token}",
        data={
            "password": "een lang wachtwoord",
            "password_confirm": "een ander wachtwoord",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text
    done = client.post(
        f"/account/set-password/{token}",
        data={
            "password": "nieuw geheim wachtwoord",
            "password_confirm": "nieuw geheim wachtwoord",
            "csrf_token": csrf_from(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login?password=set"
    assert client.get(f"/account/set-password/{token}").status_code == 404  # one time only
    assert login(client, "rodante@example.org").status_code == 400  # the old password is gone
    assert login(client, "rodante@example.org", password="nieuw geheim wachtwoord").status_code == 303


def test_links_expire(client, db):
    clock.freeze(clock.now())
    user = db.exec(select(User).where(User.email == "urk@example.org")).one()
    token, expires_at = service.issue_token(db, user, service.TokenPurpose.invite)
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    assert expires_at - clock.now() == timedelta(days=7)
    clock.advance(timedelta(days=7, seconds=1))
    response = client.get(f"/account/set-password/{token}")
    assert response.status_code == 404
    assert "ongeldig of verlopen" in response.text


def test_a_new_invitation_voids_the_previous_link(client, db):
    user = db.exec(select(User).where(User.email == "urk@example.org")).one()
    first, _ = service.issue_token(db, user, service.TokenPurpose.invite)
    second, _ = service.issue_token(db, user, service.TokenPurpose.invite)
    db.commit()  # release the test's savepoint, so a request that rolls back keeps it
    assert client.get(f"/account/set-password/{first}").status_code == 404
    assert client.get(f"/account/set-password/{second}").status_code == 200
