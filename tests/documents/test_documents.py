"""Documents: upload checked by content, release at a set moment (404 before), downloads logged, release mail."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.accounts import service as accounts
from app.documents import service
from app.kit import clock
from app.models import (
    AuditEvent,
    DialogueSession,
    Document,
    Invitation,
    InvitationStatus,
    OutboxMessage,
    Role,
    SessionStatus,
    User,
)
from tests import factories
from tests.helpers import csrf_from, local, login, pdf_bytes, post_form

ADMIN = "sdfl@example.org"
PROVIDER = "rodante@example.org"  # invitation accepted
PENDING_PROVIDER = "its4sure@example.org"  # invitation not answered
MUNICIPALITY = "almere@example.org"


@pytest.fixture(autouse=True)
def dialogue(db) -> None:
    """SDFL, Rodante (taking part), Its4sure (not answered), Almere and Urk, three meetings (the first held, the
    next two ahead) and the second one's two released documents, made by factories under the demo's names."""
    factories.accounts(db, ADMIN, PROVIDER, MUNICIPALITY, "urk@example.org")
    factories.account(db, PENDING_PROVIDER, invitation=InvitationStatus.pending)
    factories.meeting(db, starts_at=clock.now() - timedelta(days=14), status=SessionStatus.held)
    two = factories.meeting(db, starts_at=clock.now() + timedelta(days=14))
    factories.meeting(db, starts_at=clock.now() + timedelta(days=28))
    for title, audience in (
        ("Toelichting op de concept contractvoorwaarden", "participants"),
        ("Programma dialoogsessie 2", "public"),
    ):  # released already, as the demo's are
        factories.document(db, meeting_=two, title=title, audience=audience, content=pdf_bytes(title))
    db.commit()


ROLES = {"provider": PROVIDER, "municipality": MUNICIPALITY, "admin": ADMIN}

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


# --- small valid files ---------------------------------------------------------------------------


def zip_bytes(
    members: dict[str, bytes], *, stored_mimetype: bytes | None = None, deflate_mimetype: bool = False
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if stored_mimetype is not None:
            compression = zipfile.ZIP_DEFLATED if deflate_mimetype else zipfile.ZIP_STORED
            archive.writestr(zipfile.ZipInfo("mimetype"), stored_mimetype, compress_type=compression)
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def xml(tag: str, namespace: str) -> bytes:
    """A minimal XML part: one empty root element in its namespace."""
    prefix = f"{tag.split(':')[0]}:" if ":" in tag else ""
    attribute = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    return f'<?xml version="1.0" encoding="UTF-8"?><{tag} {attribute}="{namespace}"/>'.encode()


CONTENT_TYPES = xml("Types", "http://schemas.openxmlformats.org/package/2006/content-types")


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "word/document.xml": xml("w:document", "http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "xl/workbook.xml": xml("workbook", "http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
        }
    )


def odt_bytes(*, deflate_mimetype: bool = False) -> bytes:
    return zip_bytes(
        {
            "content.xml": xml("office:document-content", "urn:oasis:names:tc:opendocument:xmlns:office:1.0"),
            "META-INF/manifest.xml": xml("manifest:manifest", "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"),
        },
        stored_mimetype=ODT.encode(),
        deflate_mimetype=deflate_mimetype,
    )


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def clients(app) -> Iterator:
    """``clients(email)``: a browser of its own, signed in as ``email`` (None: the public)."""
    opened: list[TestClient] = []

    def make(email: str | None = None) -> TestClient:
        browser = TestClient(app, base_url="http://testserver")
        opened.append(browser)
        if email:
            assert login(browser, email).status_code == 303
        return browser

    yield make
    for browser in opened:
        browser.close()


def session_number(db, number: int) -> DialogueSession:
    return db.exec(select(DialogueSession).where(DialogueSession.number == number)).one()


def upload(
    browser: TestClient,
    *,
    title: str = "Conceptproductstructuur",
    filename: str = "productstructuur.pdf",
    content: bytes | None = None,
    session_id: object = "",
    audience: str = "participants",
    release_at: str = "",
    content_type: str = "application/octet-stream",
):
    token = csrf_from(browser.get("/admin/documents").text)
    return browser.post(
        "/admin/documents",
        data={
            "title": title,
            "session_id": str(session_id),
            "audience": audience,
            "release_at": release_at,
            "csrf_token": token,
        },
        files={"file": (filename, pdf_bytes() if content is None else content, content_type)},
        follow_redirects=False,
    )


def uploaded_id(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    match = re.fullmatch(r"/admin/documents/(\d+)\?created=1", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def api_key(db, email: str) -> dict[str, str]:
    owner = db.exec(select(User).where(User.email == email)).one()
    _row, key = accounts.create_api_key(db, owner=owner, scope="read", name="test", actor=None)
    db.commit()
    return {"Authorization": f"Bearer {key}"}


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="error-{field}">(.*?)</p>', html, re.S)
    assert match, f"no error next to {field}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- who may upload ------------------------------------------------------------------------------


def test_the_public_is_sent_to_sign_in_for_the_admin_page_and_upload(clients):
    public = clients()
    response = public.get("/admin/documents", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    posted = post_form(
        public, "/admin/documents", {"title": "x"}, page="/login", files={"file": ("a.pdf", pdf_bytes())}
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["provider", "municipality"])
def test_participants_get_403_on_the_admin_page_and_upload(clients, db, role):
    browser = clients(ROLES[role])
    assert browser.get("/admin/documents").status_code == 403
    posted = post_form(
        browser, "/admin/documents", {"title": "Niet van mij"}, page="/account", files={"file": ("a.pdf", pdf_bytes())}
    )
    assert posted.status_code == 403
    document = db.exec(select(Document).where(Document.title == "Niet van mij")).first()
    assert document is None
    some = db.exec(select(Document)).first()
    assert post_form(browser, f"/admin/documents/{some.id}", {"title": "x"}, page="/account").status_code == 403
    assert browser.get(f"/admin/documents/{some.id}").status_code == 403


def test_admin_sees_the_page_and_uploads(clients, db):
    admin = clients(ADMIN)
    page = admin.get("/admin/documents")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'for="field-file"' in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    document_id = uploaded_id(upload(admin, title="Uitgangspunten"))
    detail = admin.get(f"/admin/documents/{document_id}?created=1")
    assert detail.status_code == 200 and "Het stuk is toegevoegd" in detail.text
    document = db.get(Document, document_id)
    assert document.title == "Uitgangspunten" and document.content_type == "application/pdf"
    assert document.size == len(pdf_bytes()) and len(document.sha256) == 64 and document.session_id is None
    created = db.exec(
        select(AuditEvent).where(AuditEvent.action == "document.created", AuditEvent.entity_id == str(document_id))
    ).one()
    assert created.actor_label == ADMIN and created.after["sha256"] == document.sha256


# --- the type, by content ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename,content,content_type",
    [
        ("stuk.pdf", pdf_bytes(), "application/pdf"),
        ("stuk.docx", docx_bytes(), DOCX),
        ("Stuk.XLSX", xlsx_bytes(), XLSX),
        ("stuk.odt", odt_bytes(), ODT),
    ],
)
def test_real_documents_are_accepted_with_their_canonical_type(clients, db, filename, content, content_type):
    admin = clients(ADMIN)
    # The browser's claim does not count: the type comes from the content.
    document_id = uploaded_id(upload(admin, filename=filename, content=content, content_type="text/plain"))
    document = db.get(Document, document_id)
    assert document.content_type == content_type and document.filename == filename
    download = admin.get(f"/documents/{document_id}/download")
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"].split(";")[0] == content_type
    assert download.headers["content-disposition"].startswith("attachment;")
    assert f'filename="{filename}"' in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "filename,content,message",
    [
        ("stuk.docx", pdf_bytes(), "moet eindigen op .pdf"),  # a PDF renamed .docx
        ("stuk.pdf", b"Gewoon wat tekst, geen PDF.\n", "alleen PDF"),  # a text file named .pdf
        ("stuk.xlsx", docx_bytes(), "moet eindigen op .docx"),
        ("stuk.odt", odt_bytes(deflate_mimetype=True), "alleen PDF"),  # ODT needs an uncompressed mimetype
        ("stuk.docx", zip_bytes({"readme.txt": b"hallo"}), "alleen PDF"),  # a ZIP, but no document
        ("stuk.docx", b"PK\x03\x04 kapot", "alleen PDF"),  # a broken ZIP
        ("stuk.pdf", b"", "leeg"),
        ("stuk", pdf_bytes(), "moet eindigen op .pdf"),
    ],
)
def test_wrong_or_disguised_files_are_refused(clients, db, filename, content, message):
    admin = clients(ADMIN)
    before = len(db.exec(select(Document)).all())
    response = upload(admin, title="Vermomd stuk", filename=filename, content=content)
    assert response.status_code == 422
    assert message in field_error(response.text, "file")
    assert len(db.exec(select(Document)).all()) == before


def test_a_file_over_20_mb_is_refused(clients, db):
    admin = clients(ADMIN)
    too_big = b"%PDF-1.4\n" + b"0" * (service.MAX_DOCUMENT_BYTES - 9 + 1)
    assert len(too_big) == 20 * 1024 * 1024 + 1
    response = upload(admin, title="Te groot", content=too_big)
    assert response.status_code == 422
    assert "te groot" in field_error(response.text, "file")
    assert db.exec(select(Document).where(Document.title == "Te groot")).first() is None


def test_an_error_shows_the_form_again_with_what_was_typed(clients, db):
    admin = clients(ADMIN)
    two = session_number(db, 2)
    response = upload(
        admin,
        title="Mijn zorgvuldig getypte titel",
        filename="notities.txt",
        content=b"tekst",
        session_id=two.id,
        audience="public",
        release_at="2031-05-04T10:30",
    )
    assert response.status_code == 422
    html = response.text
    assert 'value="Mijn zorgvuldig getypte titel"' in html
    assert 'value="2031-05-04T10:30"' in html
    assert f'<option value="{two.id}" selected>' in html and '<option value="public" selected>' in html
    assert 'aria-describedby="hint-file error-file"' in html and 'aria-invalid="true"' in html
    assert '<a href="#field-file">' in html  # the summary links to the field


def test_every_field_is_checked_at_once(clients):
    admin = clients(ADMIN)
    response = upload(admin, title="  ", session_id="999999", audience="iedereen", release_at="morgen", content=b"")
    assert response.status_code == 422
    for field in ("title", "file", "session_id", "audience", "release_at"):
        assert field_error(response.text, field)
    summary = re.findall(r'<li><a href="#field-([a-z_]+)">', response.text)
    assert summary == ["title", "file", "session_id", "audience", "release_at"]  # in the order of the form


def test_the_filename_loses_its_path(clients, db):
    admin = clients(ADMIN)
    document_id = uploaded_id(upload(admin, filename="C:\\Users\\sdfl\\..\\Notitie dialoog.pdf"))
    assert db.get(Document, document_id).filename == "Notitie dialoog.pdf"
    disposition = admin.get(f"/documents/{document_id}/download").headers["content-disposition"]
    assert "Users" not in disposition and "filename*=UTF-8''Notitie%20dialoog.pdf" in disposition


# --- release moments -----------------------------------------------------------------------------


def test_the_default_release_moment_comes_from_the_session(clients, db):
    admin = clients(ADMIN)
    two, three = session_number(db, 2), session_number(db, 3)
    three.documents_release_at = None
    db.add(three)
    db.commit()
    with_moment = db.get(Document, uploaded_id(upload(admin, session_id=two.id)))
    assert with_moment.release_at == two.documents_release_at and with_moment.dialogue_id == two.dialogue_id
    week_before = db.get(Document, uploaded_id(upload(admin, session_id=three.id)))
    assert week_before.release_at == three.starts_at - timedelta(days=7)
    frozen = clock.now()
    clock.freeze(frozen)
    no_session = db.get(Document, uploaded_id(upload(admin)))
    assert no_session.release_at == frozen


def test_a_typed_release_moment_is_amsterdam_time(clients, db):
    admin = clients(ADMIN)
    summer = db.get(Document, uploaded_id(upload(admin, release_at="2031-07-01T09:00")))
    assert summer.release_at == datetime(2031, 7, 1, 7, 0, tzinfo=UTC)  # CEST: UTC+2
    winter = db.get(Document, uploaded_id(upload(admin, release_at="2031-12-01T09:00")))
    assert winter.release_at == datetime(2031, 12, 1, 8, 0, tzinfo=UTC)  # CET: UTC+1
    typed = db.get(Document, uploaded_id(upload(admin, release_at="2-12-2031 9:30")))  # no date picker
    assert typed.release_at == datetime(2031, 12, 2, 8, 30, tzinfo=UTC)


def test_before_release_only_reviewers_see_it_then_everyone_at_once(clients, db):
    """Page, download and API: 404 before the moment (as if it did not exist), visible right after it. The
    reviewers (SDFL and the municipalities, who check what goes out) see it before."""
    admin, provider, municipality, public = clients(ADMIN), clients(PROVIDER), clients(MUNICIPALITY), clients()
    headers = {"provider": api_key(db, PROVIDER), "admin": api_key(db, ADMIN)}
    two = session_number(db, 2)
    release = clock.now() + timedelta(hours=2)
    document_id = uploaded_id(upload(admin, title="Geheim tot dinsdag", session_id=two.id, release_at=local(release)))
    download = f"/documents/{document_id}/download"
    api_one = f"/api/v1/documents/{document_id}"

    assert "Geheim tot dinsdag" not in provider.get("/documents").text
    assert provider.get(download).status_code == 404
    assert public.get(download).status_code == 404
    assert provider.get(api_one, headers=headers["provider"]).status_code == 404
    assert provider.get(f"{api_one}/download", headers=headers["provider"]).status_code == 404
    assert public.get(api_one).status_code == 404
    listed = provider.get("/api/v1/documents", params={"session_id": two.id}, headers=headers["provider"]).json()
    assert document_id not in [d["id"] for d in listed["items"]]

    for reviewer in (admin, municipality):
        page = reviewer.get("/documents").text
        assert "Geheim tot dinsdag" in page and "Nog niet vrijgegeven (vanaf" in page
        assert reviewer.get(download).status_code == 200
    body = admin.get(api_one, headers=headers["admin"]).json()
    assert body["released"] is False and body["download_url"] == f"{api_one}/download"

    clock.advance(timedelta(hours=2, minutes=1))  # within a sign-in's idle time

    for browser in (provider, municipality):
        page = browser.get("/documents").text
        assert "Geheim tot dinsdag" in page and "Nog niet vrijgegeven" not in page
        response = browser.get(download)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert public.get(download).status_code == 404  # participants only
    assert public.get(api_one).status_code == 404
    body = provider.get(api_one, headers=headers["provider"]).json()
    assert body["released"] is True and body["title"] == "Geheim tot dinsdag"
    assert provider.get(f"{api_one}/download", headers=headers["provider"]).status_code == 200


def test_a_public_document_is_for_everyone_after_release(clients, db):
    admin, public = clients(ADMIN), clients()
    release = clock.now() + timedelta(hours=1)
    document_id = uploaded_id(upload(admin, title="Openbare uitnodiging", audience="public", release_at=local(release)))
    assert public.get(f"/documents/{document_id}/download").status_code == 404
    assert document_id not in [d["id"] for d in public.get("/api/v1/documents").json()["items"]]
    clock.advance(timedelta(hours=1, minutes=1))
    response = public.get(f"/documents/{document_id}/download")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    items = public.get("/api/v1/documents", params={"audience": "public"}).json()["items"]
    assert document_id in [d["id"] for d in items] and all(d["audience"] == "public" for d in items)
    # Anonymous downloads of public documents are not written to the audit trail.
    assert not db.exec(
        select(AuditEvent).where(AuditEvent.action == "document.downloaded", AuditEvent.entity_id == str(document_id))
    ).all()


def test_the_public_api_lists_released_public_documents_only(client, db):
    body = client.get("/api/v1/documents").json()
    assert set(body) == {"items", "total", "page", "page_size", "pages", "next_cursor", "cursor"}
    now = clock.now()
    assert body["items"] and all(d["audience"] == "public" and d["released"] for d in body["items"])
    for item in body["items"]:
        assert datetime.fromisoformat(item["release_at"]) <= now
    order = [(d["release_at"], d["id"]) for d in body["items"]]
    assert order == sorted(order)


def test_the_api_validates_filters_and_sends_an_etag(client, db):
    assert client.get("/api/v1/documents", params={"audience": "iedereen"}).status_code == 422
    assert client.get("/api/v1/documents/99999999999999").status_code == 404
    item = client.get("/api/v1/documents").json()["items"][0]
    response = client.get(f"/api/v1/documents/{item['id']}")
    assert response.status_code == 200 and response.headers["etag"].startswith('"')
    again = client.get(f"/api/v1/documents/{item['id']}", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_the_api_documents_every_content_type_a_download_can_have(client):
    """Found by the API fuzzer: the download was documented as application/octet-stream, but it is sent with
    the type found at upload."""
    spec = client.get("/api/v1/openapi.json").json()
    documented = set(spec["paths"]["/documents/{document_id}/download"]["get"]["responses"]["200"]["content"])
    # application/octet-stream first, so that generated clients treat the answer as bytes (tests/api)
    assert documented == {"application/octet-stream"} | {t.content_type for t in service.FILE_TYPES.values()}
    item = client.get("/api/v1/documents").json()["items"][0]
    download = client.get(item["download_url"])
    assert download.status_code == 200 and download.headers["content-type"].split(";")[0] in documented


def test_participants_page_needs_sign_in_and_groups_by_session(clients, db):
    response = clients().get("/documents", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=%2Fdocuments")
    admin = clients(ADMIN)
    earlier = local(clock.now() - timedelta(minutes=5))
    uploaded_id(upload(admin, title="Algemene notitie", release_at=earlier))
    uploaded_id(upload(admin, title="Stuk sessie 3", session_id=session_number(db, 3).id, release_at=earlier))
    page = clients(PROVIDER).get("/documents")
    assert page.status_code == 200
    released = db.exec(select(Document).where(col(Document.release_at) <= clock.now())).all()
    for document in released:
        assert f"/documents/{document.id}/download" in page.text
    headings = re.findall(r"<h2 id=\"group-[^\"]+\">(.*?)</h2>", page.text)
    assert [h.split(":")[0] for h in headings] == ["Voor het hele traject", "Sessie 2", "Sessie 3"]
    assert page.text.index("Algemene notitie") < page.text.index("Stuk sessie 3")


def test_every_participant_download_is_logged_with_the_user(clients, db):
    admin, provider = clients(ADMIN), clients(PROVIDER)
    document_id = uploaded_id(upload(admin, title="Logboekstuk", release_at=local(clock.now() - timedelta(minutes=1))))
    assert provider.get(f"/documents/{document_id}/download").status_code == 200
    assert provider.get(f"/api/v1/documents/{document_id}/download", headers=api_key(db, PROVIDER)).status_code == 200
    events = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "document.downloaded", AuditEvent.entity_id == str(document_id))
        .order_by(AuditEvent.id)
    ).all()
    rodante = db.exec(select(User).where(User.email == PROVIDER)).one()
    assert [(e.actor_id, e.entity_type) for e in events] == [(rodante.id, "document")] * 2
    row = next(r for r in admin.get("/admin/documents").text.split("<tr>") if "Logboekstuk" in r)
    assert '<td class="downloads">2</td>' in row


def test_the_admin_list_takes_two_queries_whatever_the_number_of_documents(clients, db, count_queries):
    admin = clients(ADMIN)
    for i in range(3):
        uploaded_id(upload(admin, title=f"Stuk {i}", content=pdf_bytes(f"stuk {i}")))
    rows = service.admin_rows(db)
    assert len(rows) >= 3
    with count_queries() as few:
        service.admin_rows(db)
    assert few.count == 2


# --- changing a document -------------------------------------------------------------------------


def test_an_unreleased_document_can_be_changed_and_every_change_is_audited(clients, db):
    admin = clients(ADMIN)
    document_id = uploaded_id(upload(admin, title="Eerste titel", release_at=local(clock.now() + timedelta(days=3))))
    page = admin.get(f"/admin/documents/{document_id}")
    response = admin.post(
        f"/admin/documents/{document_id}",
        data={
            "title": "Betere titel",
            "audience": "public",
            "release_at": "2031-02-03T09:00",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/admin/documents/{document_id}?saved=1"
    document = db.get(Document, document_id)
    assert (document.title, document.audience) == ("Betere titel", "public")
    assert document.release_at == datetime(2031, 2, 3, 8, 0, tzinfo=UTC)
    event = db.exec(
        select(AuditEvent).where(AuditEvent.action == "document.updated", AuditEvent.entity_id == str(document_id))
    ).one()
    assert event.before["title"] == "Eerste titel" and event.after["title"] == "Betere titel"
    assert set(event.after) == {"title", "audience", "release_at"}

    bad = admin.post(
        f"/admin/documents/{document_id}",
        data={"title": "", "audience": "public", "release_at": "2031-02-03T09:00", "csrf_token": csrf_from(page.text)},
    )
    assert bad.status_code == 422 and "titel" in field_error(bad.text, "title")


def test_a_released_document_is_fixed(clients, db):
    admin = clients(ADMIN)
    document_id = uploaded_id(upload(admin, title="Vastgelegd", release_at=local(clock.now() + timedelta(hours=1))))
    clock.advance(timedelta(hours=1, minutes=1))
    page = admin.get(f"/admin/documents/{document_id}")
    assert "ligt vast" in page.text and f'action="/admin/documents/{document_id}"' not in page.text
    response = admin.post(
        f"/admin/documents/{document_id}",
        data={"title": "Toch anders", "audience": "participants", "release_at": "", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 409
    assert "al vrijgegeven" in response.text
    assert db.get(Document, document_id).title == "Vastgelegd"


# --- release mail --------------------------------------------------------------------------------


def expected_recipients(db, dialogue_id: int) -> set[str]:
    accepted = {
        i.provider_id
        for i in db.exec(
            select(Invitation).where(
                Invitation.dialogue_id == dialogue_id, Invitation.status == InvitationStatus.accepted
            )
        ).all()
    }
    users = db.exec(select(User).where(col(User.active).is_(True))).all()
    return {
        u.email for u in users if u.role == Role.municipality or (u.role == Role.provider and u.provider_id in accepted)
    }


def mails_about(db, title: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(col(OutboxMessage.subject).contains(title))).all())


def test_release_mail_goes_once_to_every_participant_and_never_before_release(clients, db):
    admin = clients(ADMIN)
    service.notify_released_documents(db)  # the demo's documents are announced out of the way
    db.commit()
    two = session_number(db, 2)
    release = clock.now() + timedelta(hours=2)
    document_id = uploaded_id(upload(admin, title="Conceptcontract", session_id=two.id, release_at=local(release)))

    assert service.notify_released_documents(db) == 0
    assert mails_about(db, "Conceptcontract") == []
    assert db.get(Document, document_id).notified_at is None

    clock.advance(timedelta(hours=2, minutes=1))
    expected = expected_recipients(db, two.dialogue_id)
    assert PROVIDER in expected and MUNICIPALITY in expected and PENDING_PROVIDER not in expected
    assert ADMIN not in expected
    assert service.notify_released_documents(db) == len(expected)
    db.commit()
    mails = mails_about(db, "Conceptcontract")
    assert sorted(m.to_address for m in mails) == sorted(expected)  # exactly one each
    mail = next(m for m in mails if m.to_address == PROVIDER)
    assert mail.subject == "Nieuw stuk voor dialoogsessie 2: Conceptcontract"
    assert "/documents" in mail.body_text and "/documents" in mail.body_html
    assert db.get(Document, document_id).notified_at is not None
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "document.notified", AuditEvent.entity_id == str(document_id))
    ).one()

    # Idempotent: a second run (or a second worker) sends nothing again.
    assert service.notify_released_documents(db) == 0
    clock.advance(timedelta(days=1))
    assert service.notify_released_documents(db) == 0
    db.commit()
    assert len(mails_about(db, "Conceptcontract")) == len(expected)


def test_release_mail_skips_inactive_users(clients, db):
    admin = clients(ADMIN)
    service.notify_released_documents(db)
    urk = db.exec(select(User).where(User.email == "urk@example.org")).one()
    urk.active = False
    db.add(urk)
    db.commit()
    uploaded_id(upload(admin, title="Zonder Urk", release_at=local(clock.now() - timedelta(minutes=1))))
    service.notify_released_documents(db)
    recipients = {m.to_address for m in mails_about(db, "Zonder Urk")}
    assert "urk@example.org" not in recipients and MUNICIPALITY in recipients
    assert next(iter(mails_about(db, "Zonder Urk"))).subject == "Nieuw stuk voor de dialoog: Zonder Urk"
