"""A provider signs in, accepts the invitation, sees the agenda with its subgroup and downloads a released
document, in Chromium; every page passes axe-core (WCAG 2.1 AA)."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, describe
from tests.browser.test_accounts_journey import sign_in


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {describe(violations)}"


def test_provider_accepts_sees_its_subgroup_and_downloads_a_document(page):
    sign_in(page, "its4sure@example.org")
    page.get_by_role("link", name="Uitnodiging").click()
    page.wait_for_url("**/invitation")
    assert_accessible(page)
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Ja, wij doen mee").check()
    page.get_by_label("Toelichting (niet verplicht)").fill("Wij komen met twee collega's.")
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("button", name="Antwoord wijzigen").wait_for()
    assert page.evaluate("window.__marker") == "same page"  # htmx swapped the answer in place
    assert_accessible(page)

    page.goto("/")
    page.get_by_role("link", name="Multidisciplinaire jeugdhulp").first.click()
    page.get_by_role("link", name="Sessie 2:").click()
    page.wait_for_url("**/sessions/*")
    assert page.get_by_text("Uw subgroep: Groep A").first.is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Stukken").first.click()
    page.wait_for_url("**/documents")
    assert_accessible(page)
    link = page.locator("a[href$='/download']").first
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert page.console_errors == []


def test_admin_session_and_document_pages_pass_axe(page):
    sign_in(page, "sdfl@example.org")
    for path in (
        "/admin/sessions",
        "/admin/sessions/new",
        "/admin/sessions/2",
        "/admin/invitations",
        "/admin/invitations/1",  # with the form to withdraw it
        "/admin/documents",
        "/admin/participation",
    ):
        page.goto(path)
        assert_accessible(page)


def test_a_provider_that_does_not_take_part_yet_sees_why_accessibly(page):
    sign_in(page, "stichting-timon@example.org")  # invitation pending in the demo
    for path in ("/documents", "/invitation", "/my/comments"):
        page.goto(path)
        assert_accessible(page)
    page.goto("/documents")
    assert page.get_by_text("alleen de openbare stukken").is_visible()
