"""The admin pages for organisations: providers (form, contacts, archive, delete), the CSV import with its
preview, municipalities and care forms; who may open them."""

from __future__ import annotations

import base64
import re

import pytest
from sqlmodel import select

from app.kit import clock
from app.models import AuditEvent, CareForm, Municipality, OutboxMessage, Provider, User
from tests import factories
from tests.helpers import csrf_from, post_form

PAGES = [
    "/admin/providers",
    "/admin/providers/new",
    "/admin/providers/import",
    "/admin/municipalities",
    "/admin/care-forms",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_public_is_sent_to_sign_in(anonymous, path):
    response = anonymous.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["provider", "participant", "municipality"])
def test_other_roles_get_403_and_cannot_post(browser, db, role):
    who = browser(role)
    for path in PAGES:
        assert who.get(path).status_code == 403, path
    provider = factories.provider(db, invitation=None)
    db.commit()
    for path, data in [
        ("/admin/providers", {"name": "Stiekem"}),
        (f"/admin/providers/{provider.id}/archive", {"archived": "1"}),
        (f"/admin/providers/{provider.id}/delete", {}),
        (f"/admin/providers/{provider.id}/contacts", {"contact_name": "X", "contact_email": "x@x.example.org"}),
        ("/admin/municipalities", {"code": "0001", "name": "Stiekem"}),
        ("/admin/care-forms", {"name": "Stiekem"}),
    ]:
        assert post_form(who, path, data, page="/account").status_code == 403, path
    assert db.exec(select(Provider).where(Provider.name == "Stiekem")).first() is None


@pytest.mark.parametrize("path", PAGES)
def test_admin_sees_the_pages_and_the_nav(as_admin, path):
    response = as_admin.get(path)
    assert response.status_code == 200
    assert 'href="/admin/providers"' in response.text and 'href="/admin/care-forms"' in response.text


def test_admin_creates_a_provider_and_errors_keep_the_text(as_admin, db):
    almere = factories.municipality(db, code="0034", name="Almere")
    db.commit()
    data = {
        "name": "Horizon Jeugdzorg",
        "size": "large",
        "tags": ["lvb", "autisme"],
        "municipalities": [almere.code],
        "active_outside_flevoland": "1",
        "website": "geen adres",
        "description": "Onze beschrijving",
    }
    response = post_form(as_admin, "/admin/providers", data, page="/admin/providers/new")
    assert response.status_code == 422
    assert 'id="error-website"' in response.text
    assert 'value="Horizon Jeugdzorg"' in response.text and "Onze beschrijving" in response.text
    assert re.search(r'value="autisme" checked', response.text)
    response = post_form(
        as_admin, "/admin/providers", {**data, "website": "https://horizon.example.org"}, page="/admin/providers/new"
    )
    assert response.status_code == 303
    provider = db.exec(select(Provider).where(Provider.name == "Horizon Jeugdzorg")).one()
    assert response.headers["location"] == f"/admin/providers/{provider.id}?created=1"
    assert provider.tags == ["lvb", "autisme"] and provider.slug == "horizon-jeugdzorg"
    page = as_admin.get(f"/admin/providers/{provider.id}").text
    assert "Contactpersoon toevoegen" in page
    again = post_form(as_admin, "/admin/providers", {"name": "horizon jeugdzorg"}, page="/admin/providers/new")
    assert again.status_code == 409 and 'id="error-name"' in again.text


def test_admin_edits_adds_contacts_archives_and_deletes(as_admin, db):
    provider = factories.provider(db, name="Zon", slug="zon", invitation=None)
    db.commit()
    url = f"/admin/providers/{provider.id}"
    response = post_form(as_admin, url, {"name": "Zon Jeugdhulp", "size": "small", "tags": ["ggz"]}, page=url)
    assert response.status_code == 303
    db.refresh(provider)
    assert provider.name == "Zon Jeugdhulp" and provider.size == "small"

    bad = post_form(as_admin, f"{url}/contacts", {"contact_name": "Mo", "contact_email": "nee"}, page=url)
    assert bad.status_code == 422 and 'id="error-contact_email"' in bad.text and 'value="Mo"' in bad.text
    good = post_form(
        as_admin,
        f"{url}/contacts",
        {"contact_name": "Mo Ali", "contact_email": "mo@zon.example.org", "invite": "1"},
        page=url,
    )
    assert good.status_code == 303
    user = db.exec(select(User).where(User.email == "mo@zon.example.org")).one()
    assert user.provider_id == provider.id and user.role == "provider"
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == "mo@zon.example.org")).one()
    assert "mo@zon.example.org" in as_admin.get(url).text

    refused = post_form(as_admin, f"{url}/delete", page=url)
    assert refused.status_code == 409 and "archiveer" in refused.text

    assert post_form(as_admin, f"{url}/archive", {"archived": "1"}, page=url).status_code == 303
    db.refresh(provider)
    assert provider.archived_at is not None
    assert "Zon Jeugdhulp" not in as_admin.get("/admin/providers").text
    assert "Zon Jeugdhulp" in as_admin.get("/admin/providers?archived=1").text

    fresh = factories.provider(db, name="Leeg", slug="leeg", invitation=None)
    db.commit()
    gone = post_form(as_admin, f"/admin/providers/{fresh.id}/delete", page=f"/admin/providers/{fresh.id}")
    assert gone.status_code == 303 and db.get(Provider, fresh.id) is None
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "provider.deleted")).one()


def test_list_filters_by_tag_and_size(as_admin, db):
    factories.provider(db, name="Alfa", tags=["lvb"], size="small", invitation=None)
    factories.provider(db, name="Beta", tags=["ggz"], size="large", invitation=None)
    db.commit()
    page = as_admin.get("/admin/providers?tag=lvb").text
    assert "Alfa" in page and "Beta" not in page
    page = as_admin.get("/admin/providers?size=large").text
    assert "Beta" in page and "Alfa" not in page


GOOD = "naam;omvang;doelgroepen;contact_naam;contact_email\nHorizon;groot;LVB;Sanne;sanne@horizon.example.org\n"


def _upload(client, content: bytes, invite: bool = True):
    token = csrf_from(client.get("/admin/providers/import").text)
    data = {"csrf_token": token, "step": "check", **({"invite": "1"} if invite else {})}
    return client.post(
        "/admin/providers/import", data=data, files={"file": ("a.csv", content, "text/csv")}, follow_redirects=False
    )


def test_import_checks_then_previews_then_imports(as_admin, db):
    preview = _upload(as_admin, GOOD.encode())
    assert preview.status_code == 200
    assert "Importeer 1 aanbieders en 1 contactpersonen" in preview.text
    assert db.exec(select(Provider).where(Provider.name == "Horizon")).first() is None
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)
    assert base64.b64decode(payload).decode() == GOOD
    done = post_form(
        as_admin, "/admin/providers/import", {"payload": payload, "step": "import"}, page="/admin/providers/import"
    )
    assert done.status_code == 303 and "imported=1" in done.headers["location"]
    assert db.exec(select(Provider).where(Provider.name == "Horizon")).one()
    assert db.exec(select(User).where(User.email == "sanne@horizon.example.org")).one()
    assert db.exec(select(OutboxMessage)).first() is None  # the preview's box was left unticked
    unticked = _upload(as_admin, GOOD.encode(), invite=False)
    assert re.search(r'name="invite" value="1"\s*>', unticked.text)  # stays unticked in the preview


def test_import_lists_every_bad_row(as_admin, db):
    bad = "naam;omvang;contact_email\nGoed;klein;a@b.example.org\n;klein;x@y.example.org\nFout;reus;nee\n"
    response = _upload(as_admin, bad.encode())
    assert response.status_code == 422
    assert "Er is niets geïmporteerd" in response.text
    rows = re.findall(r'<tr><th scope="row">(\d+)</th><td>([^<]+)</td>', response.text)
    assert rows == [("3", "naam"), ("4", "omvang"), ("4", "contact_email")]
    assert db.exec(select(Provider)).first() is None
    missing = post_form(as_admin, "/admin/providers/import", {"step": "check"}, page="/admin/providers/import")
    assert missing.status_code == 422 and 'id="error-file"' in missing.text


def test_municipalities_and_care_forms_pages(as_admin, db):
    bad = post_form(as_admin, "/admin/municipalities", {"code": "12", "name": "Lelystad"}, page="/admin/municipalities")
    assert bad.status_code == 422 and 'id="error-code"' in bad.text and 'value="Lelystad"' in bad.text
    ok = post_form(
        as_admin,
        "/admin/municipalities",
        {"code": "0995", "name": "Lelystad", "in_procurement": "1"},
        page="/admin/municipalities",
    )
    assert ok.status_code == 303
    lelystad = db.exec(select(Municipality).where(Municipality.code == "0995")).one()
    url = f"/admin/municipalities/{lelystad.id}"
    assert post_form(as_admin, url, {"code": "0995", "name": "Lelystad (gemeente)"}, page=url).status_code == 303
    db.refresh(lelystad)
    assert lelystad.name == "Lelystad (gemeente)" and lelystad.in_procurement is False
    assert post_form(as_admin, f"{url}/archive", {"archived": "1"}, page=url).status_code == 303
    assert "Lelystad" not in as_admin.get("/admin/municipalities").text
    assert post_form(as_admin, f"{url}/delete", page=url).status_code == 303

    made = post_form(as_admin, "/admin/care-forms", {"name": "KDC"}, page="/admin/care-forms")
    assert made.status_code == 303
    kdc = db.exec(select(CareForm).where(CareForm.key == "kdc")).one()
    taken = post_form(as_admin, "/admin/care-forms", {"name": "KDC 2", "key": "kdc"}, page="/admin/care-forms")
    assert taken.status_code == 409 and 'id="error-key"' in taken.text
    factories.dialogue(db, care_form_id=kdc.id)
    db.commit()
    url = f"/admin/care-forms/{kdc.id}"
    refused = post_form(as_admin, f"{url}/delete", page=url)
    assert refused.status_code == 409 and "archiveer" in refused.text


def test_pages_speak_english_when_asked(as_admin):
    page = as_admin.get("/admin/providers/import?lang=en").text
    assert "Import care providers" in page and "Send contact persons an invitation" in page
    assert "Add a municipality" in as_admin.get("/admin/municipalities?lang=en").text
    as_admin.get("/?lang=nl")


def test_user_form_offers_no_archived_provider(as_admin, db):
    factories.provider(db, name="Oud Archief", invitation=None, archived_at=clock.now())
    factories.provider(db, name="Nog Actief", invitation=None)
    db.commit()
    form = as_admin.get("/admin/users/new").text
    assert "Nog Actief" in form and "Oud Archief" not in form
