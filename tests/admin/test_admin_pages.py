"""Admin pages: each role tries each page and action; users, API keys, the audit log and the outbox."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from app.mail.service import send_pending
from app.models import ApiKey, AuditEvent, DialogueSession, OutboxMessage, User
from tests import factories
from tests.helpers import csrf_from, login, post_form


@pytest.fixture(autouse=True)
def people(db) -> None:
    """The accounts these tests use (the demo's addresses and password) and a meeting, made by factories."""
    factories.accounts(
        db, "sdfl@example.org", "rodante@example.org", "almere@example.org", "urk@example.org", "dronten@example.org"
    )
    factories.meeting(db)
    db.commit()


ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/api-keys", "/admin/audit", "/admin/outbox"]
ROLES = {"provider": "rodante@example.org", "municipality": "almere@example.org", "admin": "sdfl@example.org"}


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_public_is_sent_to_sign_in(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["provider", "municipality"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_admins_get_403(client, role, path):
    login(client, ROLES[role])
    response = client.get(path)
    assert response.status_code == 403
    assert "geen toegang" in response.text


@pytest.mark.parametrize("role", ["provider", "municipality"])
def test_non_admins_cannot_post_admin_actions(client, db, role):
    login(client, ROLES[role])
    urk = db.exec(select(User).where(User.email == "urk@example.org")).one()
    for path, data in [
        ("/admin/users", {"email": "n@example.org", "role": "admin"}),
        (f"/admin/users/{urk.id}/active", {"active": "0"}),
        (f"/admin/users/{urk.id}/invitation", {}),
        ("/admin/api-keys", {"email": "sdfl@example.org", "scope": "write"}),
    ]:
        assert post_form(client, path, data, page="/account").status_code == 403, path
    assert db.exec(select(User).where(User.email == "n@example.org")).first() is None


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_sees_the_pages(client, path):
    login(client, ROLES["admin"])
    assert client.get(path).status_code == 200


def test_admin_creates_a_user_in_the_form(client, db):
    login(client, ROLES["admin"])
    form = client.get("/admin/users/new").text
    municipality_id = re.search(r'<option value="(\d+)">Dronten</option>', form).group(1)
    response = client.post(
        "/admin/users",
        data={
            "email": "beleid@dronten.example.org",
            "name": "Beleid Dronten",
            "role": "municipality",
            "municipality_id": municipality_id,
            "provider_id": "",
            "csrf_token": csrf_from(form),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "uitnodiging per e-mail" in page.text
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "beleid@dronten.example.org")).one()
    listing = client.get("/admin/users", params={"q": "dronten.example"}).text
    assert "beleid@dronten.example.org" in listing and "Uitgenodigd" in listing


def test_invalid_user_form_is_shown_again_with_errors_next_to_the_fields(client, db):
    login(client, ROLES["admin"])
    form = client.get("/admin/users/new").text
    response = client.post(
        "/admin/users",
        data={"email": "geen-adres", "name": "Iemand", "role": "provider", "csrf_token": csrf_from(form)},
    )
    assert response.status_code == 422
    assert 'id="error-email"' in response.text and 'aria-invalid="true"' in response.text
    assert 'value="Iemand"' in response.text  # nothing typed is lost


def test_participants_are_listed_but_not_made_on_the_users_form(client, db):
    """A consultation participant needs a consultation and a stakeholder group: the users page lists and filters
    them, and its form refuses to make one (the consultation's participants page does)."""
    factories.participant(db, email="verwijzer@example.org", group="local_referrer")
    db.commit()
    login(client, ROLES["admin"])
    listing = client.get("/admin/users", params={"role": "participant"}).text
    assert "verwijzer@example.org" in listing and "sdfl@example.org" not in listing
    form = client.get("/admin/users/new").text
    assert 'value="participant"' not in form
    response = client.post(
        "/admin/users",
        data={"email": "nieuw@example.org", "role": "participant", "csrf_token": csrf_from(form)},
    )
    assert response.status_code == 422 and 'id="error-role"' in response.text
    assert "deelnemerspagina" in response.text
    assert db.exec(select(User).where(User.email == "nieuw@example.org")).first() is None


def test_a_provider_id_out_of_range_in_the_form_is_a_field_error(client, db):
    """The form takes up to 20 digits; an id no row can have is "choose a provider", not a database error."""
    login(client, ROLES["admin"])
    form = client.get("/admin/users/new").text
    response = client.post(
        "/admin/users",
        data={
            "email": "nieuw@example.org",
            "role": "provider",
            "provider_id": "9" * 20,
            "csrf_token": csrf_from(form),
        },
    )
    assert response.status_code == 422
    assert 'id="error-provider_id"' in response.text
    assert db.exec(select(User).where(User.email == "nieuw@example.org")).first() is None


HUGE_ID = "9" * 20  # past 64 bits: SQLite cannot even bind it (it was an OverflowError, a 500)


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/admin/outbox/{id}"),
        ("post", "/admin/api-keys/{id}/revoke"),
        ("get", "/admin/sessions/{session}/agenda/{id}"),
        ("post", "/admin/sessions/{session}/agenda/{id}/move"),
        ("post", "/admin/sessions/{session}/agenda/{id}/delete"),
    ],
)
def test_ids_out_of_range_on_admin_pages_are_404(app, db, method, path):
    session_id = db.exec(select(DialogueSession.id)).first()
    url = path.format(id=HUGE_ID, session=session_id)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        login(client, ROLES["admin"])
        if method == "get":
            response = client.get(url)
        else:
            response = post_form(client, url, {"direction": "up"}, page="/admin/users")
    assert response.status_code == 404


def test_admin_deactivates_and_resends(client, db):
    login(client, ROLES["admin"])
    urk = db.exec(select(User).where(User.email == "urk@example.org")).one()
    assert post_form(client, f"/admin/users/{urk.id}/active", {"active": "0"}, page="/admin/users").status_code == 303
    db.refresh(urk)
    assert urk.active is False
    assert post_form(client, f"/admin/users/{urk.id}/active", {"active": "1"}, page="/admin/users").status_code == 303
    assert post_form(client, f"/admin/users/{urk.id}/invitation", page="/admin/users").status_code == 303
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "urk@example.org")).all()


def test_admin_cannot_deactivate_itself(client, db):
    login(client, ROLES["admin"])
    me = db.exec(select(User).where(User.email == "sdfl@example.org")).one()
    response = post_form(client, f"/admin/users/{me.id}/active", {"active": "0"}, page="/admin/users")
    assert response.status_code == 422
    db.refresh(me)
    assert me.active is True


def test_admin_changes_a_role_and_link(client, db):
    login(client, ROLES["admin"])
    user = db.exec(select(User).where(User.email == "rodante@example.org")).one()
    form = client.get(f"/admin/users/{user.id}").text
    municipality_id = re.search(r'<option value="(\d+)">Urk</option>', form).group(1)
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "email": user.email,
            "name": user.name,
            "role": "municipality",
            "municipality_id": municipality_id,
            "provider_id": "",
            "csrf_token": csrf_from(form),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    db.refresh(user)
    assert user.role == "municipality" and user.provider_id is None and str(user.municipality_id) == municipality_id


def test_api_key_is_shown_once_and_can_be_revoked(client, db):
    login(client, ROLES["admin"])
    response = post_form(
        client,
        "/admin/api-keys",
        {"email": "sdfl@example.org", "scope": "read", "name": "Koppeling"},
        page="/admin/api-keys",
    )
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    key = re.search(r'<code id="new-key">(dlg_[^<]+)</code>', response.text).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert key not in client.get("/admin/api-keys").text  # never shown again
    row = db.exec(select(ApiKey).where(ApiKey.name == "Koppeling")).one()
    assert post_form(client, f"/admin/api-keys/{row.id}/revoke", page="/admin/api-keys").status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_audit_log_lists_and_filters(client, db):
    login(client, ROLES["admin"])
    login(client, "nobody@example.org", password="wrong")  # a failed sign-in, for the log
    page = client.get("/admin/audit", params={"action": "auth.login_failed"})
    assert page.status_code == 200
    assert "nobody@example.org" in page.text
    assert "auth.login<" not in page.text.replace("auth.login_failed", "")
    fragment = client.get("/admin/audit", params={"action": "auth."}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and 'id="results"' in fragment.text
    assert client.get("/admin/audit", params={"since": "2000-01-01", "until": "nonsense"}).status_code == 200


def test_audit_events_cannot_be_changed_or_deleted(db):
    db.add(AuditEvent(action="test.keep", entity_type="test"))
    db.commit()
    for statement in ("DELETE FROM audit_events", "UPDATE audit_events SET summary = 'x'"):
        nested = db.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.exec(text(statement))
        nested.rollback()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "test.keep")).one()


def test_outbox_page_shows_logged_mail(client, db):
    login(client, ROLES["admin"])
    post_form(client, "/password-reset", {"email": "dronten@example.org"}, page="/password-reset")
    page = client.get("/admin/outbox")
    assert "dronten@example.org" in page.text
    message = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "dronten@example.org")).one()
    detail = client.get(f"/admin/outbox/{message.id}")
    assert detail.status_code == 200 and "/account/set-password/" in detail.text


def test_outbox_shows_one_time_links_redacted_while_the_mail_carries_them(client, db, smtp, smtp_settings):
    collector, _port = smtp
    login(client, ROLES["admin"])
    post_form(client, "/password-reset", {"email": "dronten@example.org"}, page="/password-reset")
    invited = post_form(
        client,
        "/admin/users",
        {"email": "nieuw@sdfl.example.org", "name": "Nieuwe beheerder", "role": "admin"},
        page="/admin/users/new",
    )
    assert invited.status_code == 303
    for address in ("dronten@example.org", "nieuw@sdfl.example.org"):
        message = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == address)).one()
        token = re.search(r"/account/set-password/([\w-]+)", message.body_text).group(1)
        detail = client.get(f"/admin/outbox/{message.id}")
        assert detail.status_code == 200
        assert token not in detail.text and token not in client.get("/admin/outbox").text
        assert "/account/set-password/…" in detail.text  # the admin still sees which link was sent
        # The mail itself, as delivered, carries the live link.
        send_pending(db, settings=smtp_settings, commit=False)
        mail = next(m for m in collector.messages if m["To"] == address)
        assert token in mail.get_body(preferencelist=("plain",)).get_content()
        assert token in mail.get_body(preferencelist=("html",)).get_content()
