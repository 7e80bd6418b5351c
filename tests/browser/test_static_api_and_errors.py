"""Issue 18 in the browser: the page about the API (reached from the footer) and an error page pass axe; the
static files come under their hash with a year's cache and the page itself gzipped."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, describe


def test_the_footer_leads_to_the_api_page_which_passes_axe(page):
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Over de API").click()
    page.wait_for_url("**/api")
    assert page.get_by_role("heading", name="De API van Dialoog", level=1).is_visible()
    assert page.get_by_role("link", name="Technische documentatie (Swagger, Engelstalig)").get_attribute("href") == (
        "/api/docs"
    )
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.console_errors == []


def test_an_error_page_is_headed_in_words_and_passes_axe(page):
    page.goto("/bestaat-niet")
    assert page.get_by_role("heading", name="Pagina niet gevonden", level=1).is_visible()
    assert "404" in page.title()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_static_files_are_hashed_cached_for_a_year_and_the_page_is_gzipped(page):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/")
    document = next(r for r in responses if r.request.resource_type == "document")
    assert document.all_headers().get("content-encoding") == "gzip"
    assets = [r for r in responses if "/static/" in r.url]
    assert {r.request.resource_type for r in assets} >= {"stylesheet", "script"}
    for response in assets:
        assert response.status == 200, response.url
        assert response.all_headers()["cache-control"] == "public, max-age=31536000, immutable", response.url
    assert page.evaluate("typeof window.htmx") == "object"  # the hashed script ran under the CSP
    assert page.evaluate(
        "[...document.styleSheets].some(s => s.href.includes('/static/dialoog.') && s.cssRules.length)"
    )
    assert page.console_errors == []
