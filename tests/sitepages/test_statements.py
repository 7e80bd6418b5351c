"""The statements (accessibility, privacy, contact): public, linked from every page, texts managed by admins."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pydantic import ValidationError
from sqlmodel import select

from app.config import Settings, get_settings
from app.models import AuditEvent, SitePage
from app.sitepages.service import MAX_BODY
from tests.helpers import csrf_from

STATEMENTS = ["/toegankelijkheidsverklaring", "/privacy", "/contact"]


@pytest.fixture
def identity(monkeypatch) -> Iterator[None]:
    """This installation's identity from DIALOOG_* variables (the settings are read again, and again after)."""
    monkeypatch.setenv("DIALOOG_ORGANISATION_NAME", "Regio Testland")
    monkeypatch.setenv("DIALOOG_ORGANISATION_SHORT_NAME", "RTL")
    monkeypatch.setenv("DIALOOG_CONTACT_EMAIL", "dialoog@testland.example")
    monkeypatch.setenv("DIALOOG_CONTACT_PHONE", "036 123 45 67")
    monkeypatch.setenv("DIALOOG_CONTACT_ADDRESS", "Postbus 1, 1300 AA Almere")
    monkeypatch.setenv("DIALOOG_PRIVACY_EMAIL", "fg@testland.example")
    monkeypatch.setenv("DIALOOG_LOGO_URL", "/static/favicon.svg")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def footer(html: str) -> str:
    match = re.search(r"<footer.*?</footer>", html, re.S)
    assert match, "no footer"
    return match.group(0)


@pytest.mark.parametrize("path", STATEMENTS)
def test_the_public_reads_every_statement(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 200
    assert "<h1" in response.text


def test_the_accessibility_statement_follows_the_model(anonymous):
    text = anonymous.get("/toegankelijkheidsverklaring").text
    for part in [
        "http://127.0.0.1:8000",  # the scope: this installation's address (DIALOOG_BASE_URL)
        "WCAG 2.1",
        "EN 301 549",
        "Besluit digitale toegankelijkheid overheid",
        "voldoet <strong>gedeeltelijk</strong>",
        "<strong>3 december 2026</strong>",
        "axe-core",
        "<strong>320 pixels</strong>",
        "Bekende problemen",
        "Oplossing:",
        "Nationale ombudsman",
        "dialoog@sdflevoland.nl",  # the contact (DIALOOG_CONTACT_EMAIL)
    ]:
        assert part in text, part
    assert "{" not in text.split("<main", 1)[1].split("</main>", 1)[0], "a placeholder was not filled in"


def test_the_privacy_statement_names_data_basis_terms_rights_and_the_authority(anonymous):
    text = anonymous.get("/privacy").text
    for part in [
        "e-mailadres",
        "reacties",
        "Deelname aan sessies",
        "inlogsessies",
        "auditlog",
        "taak van algemeen belang",
        "Aanbestedingswet",
        "Hoe lang",
        "Wie uw gegevens ziet",
        "<strong>inzage</strong>",
        "<strong>correctie</strong>",
        "<strong>verwijdering</strong>",
        "<strong>bezwaar</strong>",
        "Autoriteit Persoonsgegevens",
    ]:
        assert part in text, part


def test_statements_show_the_installation_identity(anonymous, identity):
    contact = anonymous.get("/contact").text
    assert 'href="mailto:dialoog@testland.example"' in contact
    assert "036 123 45 67" in contact and "Postbus 1, 1300 AA Almere" in contact
    assert "fg@testland.example" in contact
    assert "Regio Testland" in anonymous.get("/toegankelijkheidsverklaring").text
    privacy = anonymous.get("/privacy").text
    assert "fg@testland.example" in privacy and "RTL" in privacy
    home = anonymous.get("/").text
    brand = re.search(r'<a class="brand".*?</a>', home, re.S)
    assert brand and "Regio Testland" in brand.group(0)
    assert '<img class="brand__logo" src="/static/favicon.svg" alt="">' in brand.group(0)


def test_without_a_logo_the_brand_is_the_name_alone(anonymous):
    brand = re.search(r'<a class="brand".*?</a>', anonymous.get("/").text, re.S)
    assert brand and "<img" not in brand.group(0) and "Sociaal Domein Flevoland" in brand.group(0)


@pytest.mark.parametrize("logo", ["https://elders.example/logo.png", "//elders.example/logo.png", "javascript:x"])
def test_a_logo_from_another_site_is_refused_at_start(logo):
    with pytest.raises(ValidationError, match="DIALOOG_LOGO_URL"):
        Settings(logo_url=logo)


def test_statements_are_in_english_when_the_interface_is(anonymous):
    text = anonymous.get("/privacy?lang=en").text
    assert "Privacy statement" in text and "Autoriteit Persoonsgegevens" in text and "Your rights" in text


@pytest.mark.parametrize("path", ["/", "/login", "/proposals", *STATEMENTS, "/bestaat-niet"])
def test_every_page_links_the_statements_in_its_footer(anonymous, path):
    links = footer(anonymous.get(path).text)
    for statement in STATEMENTS:
        assert f'href="{statement}"' in links, (path, statement)


@pytest.mark.parametrize("role", ["provider", "municipality", "admin", "participant"])
def test_signed_in_pages_link_the_statements_too(browser, role):
    c = browser(role)
    for path in ["/account", "/overzicht"]:
        links = footer(c.get(path).text)
        assert all(f'href="{s}"' in links for s in STATEMENTS), (role, path)


# --- admins manage the texts ----------------------------------------------------------------------------------

ADMIN_PATHS = ["/admin/pages", "/admin/pages/privacy", "/admin/pages/contact?locale=en"]


@pytest.mark.parametrize("path", ADMIN_PATHS)
def test_the_public_is_asked_to_sign_in(anonymous, path):
    response = anonymous.get(path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["provider", "municipality", "participant"])
def test_non_admins_may_not_see_or_change_the_texts(browser, db, role):
    c = browser(role)
    for path in ADMIN_PATHS:
        assert c.get(path).status_code == 403, path
    token = csrf_from(c.get("/account").text)
    for path, data in [
        ("/admin/pages/privacy", {"body": "Niets.", "locale": "nl"}),
        ("/admin/pages/privacy/reset", {"locale": "nl"}),
    ]:
        assert c.post(path, data={**data, "csrf_token": token}, follow_redirects=False).status_code == 403
    assert db.exec(select(SitePage)).first() is None
    assert "/admin/pages" not in c.get("/privacy").text


def test_an_admin_replaces_a_text_resets_it_and_each_change_is_audited(as_admin, anonymous, db):
    listing = as_admin.get("/admin/pages")
    assert listing.status_code == 200 and listing.text.count("Standaardtekst van Dialoog") == 6
    form = as_admin.get("/admin/pages/privacy")
    assert form.status_code == 200 and "Autoriteit Persoonsgegevens" in form.text  # the default, to edit
    token = csrf_from(form.text)
    body = "## Onze afspraken\n\nMail **{privacy-e-mail}** voor inzage. <script>alert(1)</script>"
    saved = as_admin.post(
        "/admin/pages/privacy", data={"body": body, "locale": "nl", "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"].startswith("/admin/pages?done=saved")
    public = anonymous.get("/privacy").text
    assert "<h2>Onze afspraken</h2>" in public
    assert "<strong>dialoog@sdflevoland.nl</strong>" in public  # the placeholder, filled in
    assert "<script>alert" not in public and "Autoriteit Persoonsgegevens" not in public
    assert "Laatst bijgewerkt op" in public
    # the English page shows the admin's Dutch text (marked Dutch) rather than the shipped translation
    english = anonymous.get("/privacy?lang=en").text
    assert "Onze afspraken" in english and '<div lang="nl">' in english
    assert "Eigen tekst, gewijzigd op" in as_admin.get("/admin/pages").text
    assert 'href="/admin/pages/privacy"' in as_admin.get("/privacy").text  # the way to edit it

    reset = as_admin.post(
        "/admin/pages/privacy/reset", data={"locale": "nl", "csrf_token": token}, follow_redirects=False
    )
    assert reset.status_code == 303 and "done=reset" in reset.headers["location"]
    assert "Autoriteit Persoonsgegevens" in anonymous.get("/privacy").text
    assert db.exec(select(SitePage)).first() is None
    again = as_admin.post(
        "/admin/pages/privacy/reset", data={"locale": "nl", "csrf_token": token}, follow_redirects=False
    )
    assert "done=unchanged" in again.headers["location"]

    events = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "site_page").order_by(AuditEvent.id)).all()
    assert [(e.action, e.entity_id, e.actor_id) for e in events] == [
        ("site_page.updated", "privacy.nl", as_admin.user.id),
        ("site_page.reset", "privacy.nl", as_admin.user.id),
    ]
    assert events[0].after == {"body": body} and events[0].before == {"body": None, "default": True}
    assert events[1].before == {"body": body}


def test_the_english_text_is_edited_on_its_own(as_admin, anonymous):
    token = csrf_from(as_admin.get("/admin/pages/contact?locale=en").text)
    as_admin.post("/admin/pages/contact", data={"body": "Call us.", "locale": "en", "csrf_token": token})
    assert "Call us." in anonymous.get("/contact?lang=en").text
    assert "Call us." not in anonymous.get("/contact?lang=nl").text


@pytest.mark.parametrize(
    "body,message",
    [
        ("   \n  ", "Vul de tekst in"),
        ("x" * (MAX_BODY + 1), "De tekst is te lang"),
        ("---\n\n***", "niets over om te tonen"),
    ],
)
def test_a_bad_text_is_refused_with_the_form_again(as_admin, anonymous, db, body, message):
    token = csrf_from(as_admin.get("/admin/pages/contact").text)
    response = as_admin.post("/admin/pages/contact", data={"body": body, "locale": "nl", "csrf_token": token})
    assert response.status_code == 422
    assert message in response.text and 'aria-invalid="true"' in response.text
    assert 'class="error-summary"' in response.text
    assert db.exec(select(SitePage)).first() is None
    assert db.exec(select(AuditEvent).where(AuditEvent.entity_type == "site_page")).first() is None


@pytest.mark.parametrize("path", ["/admin/pages/bestaat-niet", "/admin/pages/privacy?locale=de"])
def test_unknown_pages_and_languages_are_404(as_admin, path):
    assert as_admin.get(path).status_code == 404


def test_the_admin_menu_offers_the_pages_to_admins_only(as_admin, as_municipality):
    assert 'href="/admin/pages"' in as_admin.get("/admin/users").text
    assert 'href="/admin/pages"' not in as_municipality.get("/admin/participation").text


def test_a_new_page_text_exists_for_each_statement_in_both_languages():
    from app.sitepages.service import DEFAULTS_DIR, SLUGS

    for slug in SLUGS:
        for locale in ("nl", "en"):
            assert (DEFAULTS_DIR / f"{slug}.{locale}.md").read_text().strip(), (slug, locale)
