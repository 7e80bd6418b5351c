"""CSRF on every state-changing HTML request, and request size limits."""

from __future__ import annotations

import pytest

from app.models import User
from tests import factories
from tests.factories import PASSWORD
from tests.helpers import csrf_from, login


@pytest.fixture(autouse=True)
def admin(db) -> User:
    """A dialogue (so the home page is there) and an admin."""
    factories.dialogue(db)
    made = factories.admin(db)
    db.commit()
    return made


STATE_CHANGING = [
    ("/login", {"email": "rodante@example.org", "password": "dialoog-demo-2025"}),
    ("/logout", {}),
    ("/password-reset", {"email": "rodante@example.org"}),
    ("/admin/users", {"email": "nieuw@example.org", "role": "admin"}),
    ("/admin/api-keys", {"email": "sdfl@example.org", "scope": "read"}),
]


@pytest.mark.parametrize("path,data", STATE_CHANGING)
def test_post_without_token_is_403(client, path, data):
    client.get("/")  # has a CSRF cookie, like any browser that saw a page
    response = client.post(path, data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "formulier" in response.text  # a Dutch explanation


@pytest.mark.parametrize("path,data", STATE_CHANGING)
def test_post_with_a_forged_token_is_403(client, path, data):
    client.get("/")
    response = client.post(path, data={**data, "csrf_token": "0" * 64}, follow_redirects=False)
    assert response.status_code == 403


def test_token_from_another_browser_does_not_work(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as alice, TestClient(app) as mallory:
        token = csrf_from(mallory.get("/login").text)
        alice.get("/login")
        response = alice.post(
            "/login",
            data={"email": "rodante@example.org", "password": "dialoog-demo-2025", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 403


def test_htmx_requests_send_the_token_in_a_header(client):
    page = client.get("/login").text
    token = csrf_from(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page  # set once on <body>
    response = client.post(
        "/password-reset", data={"email": "x@example.org"}, headers={"X-CSRF-Token": token, "HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text  # htmx gets the fragment


def test_multipart_forms_carry_the_token_too(client):
    token = csrf_from(client.get("/login").text)
    ok = client.post("/password-reset", files={"email": (None, "x@example.org"), "csrf_token": (None, token)})
    assert ok.status_code == 200
    bad = client.post("/password-reset", files={"email": (None, "x@example.org"), "csrf_token": (None, "nope")})
    assert bad.status_code == 403


def test_the_api_uses_keys_not_cookies_so_no_csrf(client):
    response = client.post("/api/v1/users", json={"email": "a@example.org", "role": "admin"})
    assert response.status_code == 401  # refused for lack of a key, not for lack of a CSRF token


def test_csrf_cookie_is_httponly_and_lax(client):
    cookie = client.get("/").headers["set-cookie"]
    assert "dialoog_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_too_large_body_is_413_for_pages_and_problem_json_for_the_api(client):
    from app.config import get_settings

    too_big = b"x" * (get_settings().max_request_bytes + 1)
    page = client.post("/login", content=too_big, headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413 and "te groot" in page.text
    api = client.post("/api/v1/users", content=too_big, headers={"content-type": "application/json"})
    assert api.status_code == 413
    assert api.headers["content-type"].startswith("application/problem+json")


def test_signed_in_forms_work_with_the_token(client, admin):
    assert login(client, admin.email, PASSWORD).status_code == 303


@pytest.mark.parametrize("nul", ["%00", "\x00"])
def test_a_nul_character_in_a_form_or_query_is_refused_and_nothing_is_stored(client, db, nul):
    """PostgreSQL cannot store NUL in text: without this check a comment with one was a 500 after the work."""
    from sqlmodel import select

    from app.models import Comment

    provider = factories.provider_user(db)
    proposal = factories.proposal(db)
    db.commit()
    assert login(client, provider.email, PASSWORD).status_code == 303
    page = client.get(f"/proposals/{proposal.id}")
    token = csrf_from(page.text)
    before = len(db.exec(select(Comment)).all())
    response = client.post(
        f"/proposals/{proposal.id}/sections/reikwijdte/comments",
        content=f"kind=steun&body=Met{nul}nul&csrf_token={token}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "ongeldig teken" in response.text
    assert len(db.exec(select(Comment)).all()) == before
    search = client.get("/review?q=a%00b")
    assert search.status_code == 400 and "ongeldig teken" in search.text
    assert client.get("/review?q=ab").status_code in (200, 403)  # without NUL the same request goes through


# --- the token is bound to the sign-in session (issue 14, point 11) ----------------------------------


def test_a_token_from_before_sign_in_is_refused_after_it(client, admin):
    anonymous = csrf_from(client.get("/login").text)
    cookie_before = client.cookies.get("dialoog_csrf")
    response = login(client, admin.email, PASSWORD)
    assert response.status_code == 303
    assert client.cookies.get("dialoog_csrf") != cookie_before  # renewed at sign-in
    stale = client.post("/logout", data={"csrf_token": anonymous}, follow_redirects=False)
    assert stale.status_code == 403
    assert client.post("/logout", headers={"X-CSRF-Token": anonymous}).status_code == 403
    fresh = csrf_from(client.get("/account").text)
    assert fresh != anonymous
    assert client.post("/logout", data={"csrf_token": fresh}, follow_redirects=False).status_code == 303


def test_a_token_from_before_sign_out_is_refused_after_it(client, admin):
    anonymous = csrf_from(client.get("/login").text)
    assert login(client, admin.email, PASSWORD).status_code == 303
    signed_in = csrf_from(client.get("/account").text)
    cookie_before = client.cookies.get("dialoog_csrf")
    assert client.post("/logout", data={"csrf_token": signed_in}, follow_redirects=False).status_code == 303
    assert client.cookies.get("dialoog_csrf") != cookie_before  # renewed at sign-out
    for token in (signed_in, anonymous):
        refused = client.post("/password-reset", data={"email": "x@example.org", "csrf_token": token})
        assert refused.status_code == 403
    token = csrf_from(client.get("/password-reset").text)
    assert client.post("/password-reset", data={"email": "x@example.org", "csrf_token": token}).status_code == 200


def test_a_token_is_bound_to_the_session_cookie_not_only_the_csrf_cookie(app, admin):
    """Someone who plants their own signed-in session's token cannot use it with another session."""
    from fastapi.testclient import TestClient

    with TestClient(app) as alice, TestClient(app) as bob:
        assert login(alice, admin.email, PASSWORD).status_code == 303
        assert login(bob, admin.email, PASSWORD).status_code == 303
        bob.cookies.set("dialoog_csrf", alice.cookies.get("dialoog_csrf"))  # the same CSRF cookie
        token = csrf_from(alice.get("/account").text)
        assert bob.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 403
        assert alice.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def test_a_failed_sign_in_keeps_the_form_usable(client, admin):
    token = csrf_from(client.get("/login").text)
    failed = client.post("/login", data={"email": admin.email, "password": "fout", "csrf_token": token})
    assert failed.status_code == 400
    again = csrf_from(failed.text)
    assert again != token  # masked afresh for each response...
    assert client.post("/password-reset", data={"email": "x@example.org", "csrf_token": token}).status_code == 200
    assert client.post("/password-reset", data={"email": "x@example.org", "csrf_token": again}).status_code == 200
    assert login(client, admin.email, PASSWORD).status_code == 303  # ...and no session was made: both still go


def test_htmx_header_token_works_after_sign_in(client, admin):
    assert login(client, admin.email, PASSWORD).status_code == 303
    page = client.get("/account").text
    token = csrf_from(page)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page
    response = client.post("/logout", headers={"X-CSRF-Token": token, "HX-Request": "true"}, follow_redirects=False)
    assert response.status_code in (200, 204, 303)
    assert client.get("/account", follow_redirects=False).status_code == 303  # signed out


# --- masked per response, against BREACH (issue 18) -----------------------------------------------------


def test_every_response_spells_the_token_differently_and_each_spelling_works(client):
    first, second = client.get("/login").text, client.get("/login").text
    a, b = csrf_from(first), csrf_from(second)
    assert a != b
    assert f'hx-headers=\'{{"X-CSRF-Token": "{a}"}}\'' in first  # one spelling per response
    assert client.post("/password-reset", data={"email": "x@example.org", "csrf_token": a}).status_code == 200
    for token in (b, a):
        header = {"X-CSRF-Token": token}
        assert client.post("/password-reset", data={"email": "x@example.org"}, headers=header).status_code == 200
    assert client.post("/logout", data={"csrf_token": b}, follow_redirects=False).status_code == 303


def test_the_bare_token_never_appears_in_a_page(client, app):
    from app.web.security import csrf_token_for

    page = client.get("/login").text
    bare = csrf_token_for(app.state.secret_key, client.cookies.get("dialoog_csrf"))
    assert bare not in page
    assert client.post("/password-reset", data={"email": "x@example.org", "csrf_token": bare}).status_code == 200


@pytest.mark.parametrize("tamper", ["flip", "cut", "pad-only", "junk"])
def test_a_tampered_masked_token_is_refused_with_a_message(client, tamper):
    token = csrf_from(client.get("/login").text)
    if tamper == "flip":  # one character of the masked half changed
        i = len(token) - 5
        bad = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    elif tamper == "cut":
        bad = token[:-4]
    elif tamper == "pad-only":
        bad = token[: len(token) // 2]
    else:
        bad = "!!" + token[2:]
    response = client.post("/password-reset", data={"email": "x@example.org", "csrf_token": bad})
    assert response.status_code == 403
    assert "formulier" in response.text


def test_mask_and_unmask_round_trip():
    from app.web.security import mask_token, token_matches

    token = "ab" * 32
    masked = {mask_token(token) for _ in range(20)}
    assert len(masked) == 20
    assert all(token_matches(m, token) for m in masked)
    assert not any(token_matches(m, "cd" * 32) for m in masked)
    assert not token_matches("", token)
