"""Input the app cannot use is refused at the door, the same way on every route and both databases.

Issue 14: a malformed multipart body or a very long upload file name was a 500 (MultipartParseError); a NUL
character in a form field, path segment or header was a 500 on PostgreSQL (psycopg.DataError) and stored
on SQLite. One check in app.web.security answers 400 for each, before any route runs (422 with the field for
the API's own fields, as for any other invalid value there).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session, func, select
from starlette.routing import Mount

from app.main import create_app
from app.models import AuditEvent, Comment, Invitation, LoginAttempt, Proposal, Section, User, UserSession
from tests import factories
from tests.helpers import csrf_from, login


@pytest.fixture(autouse=True)
def people(db) -> None:
    """The demo's admin, a provider's and a municipality's user and a public proposal with a comment, made by
    factories."""
    people = factories.accounts(db, "sdfl@example.org", "rodante@example.org", "almere@example.org")
    proposal = factories.proposal(db, slug="product-structure", public=True)
    factories.comment(db, factories.section(db, proposal), people["rodante@example.org"])
    db.commit()


PROBLEM = "application/problem+json"
NUL_TEXT = "ongeldig teken (NUL)"
BOUNDARY_X = {"content-type": "multipart/form-data; boundary=x"}


def non_get_routes() -> list[tuple[str, str]]:
    """(method, path) of every route that changes something: the site's and the mounted API's."""
    app = create_app(engine=create_engine("sqlite://"))  # only to list the routes; no query is made

    def walk(routes, prefix: str = ""):
        for route in routes:
            if isinstance(route, Mount):
                yield from walk(getattr(route.app, "routes", []), prefix + route.path)
            elif hasattr(route, "effective_candidates"):  # a router included with include_router
                yield from walk(route.effective_candidates(), prefix)
            else:
                methods = getattr(route, "methods", None) or getattr(route.original_route, "methods", None)
                for method in sorted(set(methods or ()) - {"GET", "HEAD"}):
                    yield method, prefix + route.path

    found = sorted(set(walk(app.routes)))
    assert len(found) > 40 and ("POST", "/api/v1/comments") in found and ("POST", "/login") in found
    return found


ROUTES = non_get_routes()


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def assert_refused(response, status: int = 400, *, api: bool = False) -> None:
    assert response.status_code == status, f"{response.status_code}: {response.text[:300]}"
    if api:
        assert response.headers["content-type"].startswith(PROBLEM)
    else:
        assert response.headers["content-type"].startswith("text/html")


def count(db: Session, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


# --- point 4: multipart that cannot be read ------------------------------------------------------------


def test_garbage_multipart_to_login_is_400_not_403_or_500(client):
    client.get("/login")
    response = client.post("/login", content=b"garbage", headers=BOUNDARY_X)
    assert_refused(response)
    assert "formulier kon niet worden gelezen" in response.text


@pytest.mark.parametrize("signed_in", [False, True], ids=["no token", "admin with token"])
@pytest.mark.parametrize("method,path", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_garbage_multipart_is_400_on_every_route(app, method, path, signed_in):
    """Without a token the CSRF check read the body (a 500); with one, the route did (a 400 from Starlette)."""
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = dict(BOUNDARY_X)
        if signed_in:
            assert login(client, "sdfl@example.org").status_code == 303
            headers["X-CSRF-Token"] = csrf_from(client.get("/account").text)
        else:
            client.get("/")
        response = client.request(method, concrete(path), content=b"--x\r\ngarbage", headers=headers)
    assert_refused(response, api=path.startswith("/api/"))


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("multipart/form-data", b"--x\r\n\r\n--x--\r\n"),  # no boundary
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition form-data\r\n\r\nv\r\n--x--\r\n"),
        ("multipart/form-data; boundary=x", b"--x\r\n" + b"X-A: b\r\n" * 20 + b"\r\nv\r\n--x--\r\n"),  # 20 headers
    ],
    ids=["no boundary", "header without colon", "too many part headers"],
)
def test_other_unreadable_multipart_is_400(client, content_type, body):
    token = csrf_from(client.get("/login").text)
    for headers in ({}, {"X-CSRF-Token": token}):
        response = client.post("/password-reset", content=body, headers={"content-type": content_type, **headers})
        assert_refused(response)
    api = client.post("/api/v1/users", content=body, headers={"content-type": content_type})
    assert_refused(api, api=True)


def test_a_part_without_a_name_is_a_handled_400(client):
    """Readable multipart that Starlette refuses in the route: its 400 is an error page, not a 500."""
    token = csrf_from(client.get("/login").text)
    body = b'--x\r\nContent-Disposition: form-data; filename="a.txt"\r\n\r\nv\r\n--x--\r\n'
    response = client.post(
        "/password-reset", content=body, headers={**BOUNDARY_X, "X-CSRF-Token": token}, follow_redirects=False
    )
    assert_refused(response)


def upload_routes(db: Session) -> list[tuple[str, dict[str, str], str]]:
    proposal = db.exec(select(Proposal).where(Proposal.slug == "product-structure")).one()
    return [
        ("/admin/documents", {"title": "Lange naam", "audience": "participants"}, ".pdf"),
        (f"/admin/proposals/{proposal.id}/import", {}, ".md"),
    ]


CONTENT = {".pdf": b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", ".md": b"# Kop\n\nTekst.\n"}


def test_a_10000_character_file_name_is_400_on_both_upload_forms(app, db):
    with TestClient(app, raise_server_exceptions=False) as client:
        assert login(client, "sdfl@example.org").status_code == 303
        token = csrf_from(client.get("/admin/documents").text)
        for path, data, suffix in upload_routes(db):
            name = "a" * 10_000 + suffix
            response = client.post(
                path,
                data={**data, "csrf_token": token},
                files={"file": (name, CONTENT[suffix])},
                follow_redirects=False,
            )
            assert_refused(response)
            assert "bestandsnaam" in response.text and "te lang" in response.text


def test_a_long_file_name_that_can_be_read_is_not_a_server_error(app, db):
    """Just under the parser's limit the name reaches the route: shortened or refused there, never a 500."""
    with TestClient(app, raise_server_exceptions=False) as client:
        assert login(client, "sdfl@example.org").status_code == 303
        token = csrf_from(client.get("/admin/documents").text)
        for path, data, suffix in upload_routes(db):
            name = "b" * 4_000 + suffix
            response = client.post(
                path,
                data={**data, "csrf_token": token},
                files={"file": (name, CONTENT[suffix])},
                follow_redirects=False,
            )
            assert response.status_code < 500, f"{path}: {response.status_code}"


# --- point 5: NUL characters, on every channel --------------------------------------------------------


def multipart(client: TestClient, path: str, fields: dict[str, str], *, page: str):
    """POST ``fields`` as multipart/form-data (as a browser does for a form with a file input)."""
    token = csrf_from(client.get(page).text)
    files = {name: (None, value) for name, value in {**fields, "csrf_token": token}.items()}
    return client.post(path, files=files, follow_redirects=False)


def test_a_nul_in_the_login_form_is_400(client, db):
    """The 'done when' of the issue: on PostgreSQL this was a 500 (psycopg.DataError) when the failure was
    written to the audit trail; now nothing is looked up or written."""
    before = count(db, AuditEvent), count(db, LoginAttempt)
    for email in ("rodante@example.org\x00", "\x00"):
        response = multipart(client, "/login", {"email": email, "password": "dialoog-demo-2025"}, page="/login")
        assert_refused(response)
        assert NUL_TEXT in response.text
    response = client.post(
        "/login",
        data={"email": "a\x00@example.org", "password": "x", "csrf_token": csrf_from(client.get("/login").text)},
    )
    assert_refused(response)
    assert (count(db, AuditEvent), count(db, LoginAttempt)) == before


def test_a_nul_in_the_password_reset_form_is_400(client):
    response = multipart(client, "/password-reset", {"email": "rodante@example.org\x00"}, page="/password-reset")
    assert_refused(response)
    assert NUL_TEXT in response.text


def test_a_nul_in_the_comment_note_invitation_and_section_forms_is_400_and_nothing_is_stored(client, db):
    proposal = db.exec(select(Proposal).where(Proposal.slug == "product-structure")).one()
    comments_before = count(db, Comment)

    assert login(client, "rodante@example.org").status_code == 303
    page = f"/proposals/{proposal.id}"
    comment = multipart(
        client, f"{page}/sections/reikwijdte/comments", {"kind": "steun", "body": "Met\x00nul"}, page=page
    )
    assert_refused(comment)
    invitation = multipart(client, "/invitation", {"answer": "accepted", "note": "n\x00"}, page="/invitation")
    assert_refused(invitation)
    rodante = db.exec(select(User).where(User.email == "rodante@example.org")).one()
    assert "\x00" not in (
        db.exec(select(Invitation).where(Invitation.provider_id == rodante.provider_id)).one().note or ""
    )
    assert count(db, Comment) == comments_before

    assert login(client, "almere@example.org").status_code == 303
    target = db.exec(select(Comment).where(Comment.parent_id.is_(None))).first()
    assert target is not None
    review = f"/review/comments/{target.id}"
    note = multipart(client, f"{review}/notes", {"note": "Intern\x00"}, page=review)
    assert_refused(note)

    assert login(client, "sdfl@example.org").status_code == 303
    admin_page = f"/admin/proposals/{proposal.id}"
    assert multipart(client, f"{admin_page}/versions", {}, page=admin_page).status_code == 303  # a draft
    sections_before = count(db, Section)
    section = multipart(
        client, f"{admin_page}/sections", {"heading": "Kop\x00", "body": "Tekst", "kind": "text"}, page=admin_page
    )
    assert_refused(section)
    assert count(db, Section) == sections_before
    for response in (comment, invitation, note, section):
        assert NUL_TEXT in response.text


@pytest.mark.parametrize("path", ["/proposals/1/sections/a%00b", "/sessions/%00", "/api/v1/comments/1%00"])
def test_a_nul_in_a_path_segment_is_400(client, path):
    assert login(client, "rodante@example.org").status_code == 303
    response = client.get(path)
    assert_refused(response, api=path.startswith("/api/"))


def test_a_nul_in_the_query_string_is_refused_for_pages_and_the_api(client, auth):
    assert login(client, "almere@example.org").status_code == 303
    assert_refused(client.get("/review?q=a%00b"))
    assert_refused(client.get("/proposals?x%00=1"))
    # The API names the parameter, as for any invalid value; also one the route does not know.
    response = client.get("/api/v1/providers", params={"unknown": "a\x00b"}, headers=auth("provider"))
    assert_refused(response, 422, api=True)
    assert response.json()["errors"] == [
        {"field": "unknown", "message": "Text must not contain NUL characters (U+0000)"}
    ]
    assert client.get("/api/v1/providers", params={"unknown": "ab"}, headers=auth("provider")).status_code == 200


@pytest.mark.parametrize("nul", ["%00", "\x00"])
def test_a_nul_in_a_url_encoded_form_name_or_value_is_400(client, nul):
    token = csrf_from(client.get("/login").text)
    for body in (f"email=a{nul}b", f"em{nul}ail=ab"):
        response = client.post(
            "/password-reset",
            content=f"{body}&csrf_token={token}".encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert_refused(response)


def test_a_nul_in_a_json_body_is_refused_with_the_field_by_the_api_and_400_for_pages(client, db, auth):
    users_before = count(db, User)
    body = b'{"email": "nieuw@example.org", "role": "admin", "extra": {"list": ["ok", "a\\u0000"]}}'
    response = client.post("/api/v1/users", content=body, headers={**auth("admin"), "content-type": "application/json"})
    assert_refused(response, 422, api=True)
    assert [e["field"] for e in response.json()["errors"]] == ["extra.list.1"]
    # A JSON string holding a backslash followed by "u0000" is text, not NUL: it passes this check.
    escaped = client.post(
        "/api/v1/users",
        content=b'{"email": "nieuw@example.org", "role": "admin", "name": "a\\\\u0000"}',
        headers={**auth("admin"), "content-type": "application/json"},
    )
    assert escaped.status_code == 201, escaped.text
    assert escaped.json()["name"] == "a\\u0000"
    # A raw NUL, and a NUL in a member name, have no field to name: 400.
    for raw in (b'{"email": "a\x00"}', b'{"a\\u0000": 1}'):
        refused = client.post(
            "/api/v1/users", content=raw, headers={**auth("admin"), "content-type": "application/json"}
        )
        assert_refused(refused, api=True)
    assert count(db, User) == users_before + 1
    # A page posted as JSON (no route reads it, but no channel is left open).
    token = csrf_from(client.get("/login").text)
    page = client.post(
        "/password-reset", json={"email": "a\x00"}, headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert_refused(page)


def test_a_nul_in_a_multipart_file_name_is_400_but_nul_bytes_in_a_file_pass(client, db):
    assert login(client, "sdfl@example.org").status_code == 303
    token = csrf_from(client.get("/admin/documents").text)
    data = {"title": "Met nul", "audience": "participants", "csrf_token": token}
    # Built by hand: httpx, like a browser, would send the NUL in a file name as %00 (three characters).
    fields = b"".join(
        b'--x\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (k.encode(), v.encode())
        for k, v in data.items()
    )
    body = (
        fields
        + b'--x\r\nContent-Disposition: form-data; name="file"; filename="a\x00b.pdf"\r\n'
        + b"Content-Type: application/pdf\r\n\r\n"
        + CONTENT[".pdf"]
        + b"\r\n--x--\r\n"
    )
    named = client.post("/admin/documents", content=body, headers=BOUNDARY_X, follow_redirects=False)
    assert_refused(named)
    assert NUL_TEXT in named.text
    binary = CONTENT[".pdf"].replace(b"<<>>\nendobj", b"<< /N (\x00\x00) >>\nendobj")
    stored = client.post("/admin/documents", data=data, files={"file": ("met-nul.pdf", binary)}, follow_redirects=False)
    assert stored.status_code == 303, stored.text[:300]


@pytest.mark.parametrize(
    "header", ["User-Agent", "X-Forwarded-For", "Idempotency-Key", "If-Match", "If-None-Match", "Accept-Language"]
)
def test_a_nul_in_a_header_is_400(client, db, auth, header):
    """User-Agent is stored with the session at sign-in; the API reads Idempotency-Key and If-Match."""
    sessions_before = count(db, UserSession)
    token = csrf_from(client.get("/login").text)
    page = client.post(
        "/login",
        data={"email": "rodante@example.org", "password": "dialoog-demo-2025", "csrf_token": token},
        headers={header: "a\x00b"},
        follow_redirects=False,
    )
    assert_refused(page)
    assert count(db, UserSession) == sessions_before
    section = db.exec(select(Section)).first()
    api = client.post(
        "/api/v1/comments",
        json={"section_id": section.id, "kind": "steun", "body": "Met een kop."},
        headers={**auth("provider"), header: "k\x00"},
    )
    assert_refused(api, api=True)
    assert api.json()["detail"] == "The request contains a NUL character (U+0000)."
