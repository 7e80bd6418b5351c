"""After a session: SDFL records the report's publication on TenderNed, a provider objects to being recorded on
the session's page, and SDFL sees the objection flagged on the attendance list. axe-core finds no WCAG 2.1 A/AA
violation on the session's page (1280 and 320 px) or its admin page."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser

PASSWORD = "dialoog-demo-2025"


def _page(browser, live_server, email: str, width: int = 1280):
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _check(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n" + describe(violations)


def test_tenderned_record_consent_and_the_objection_flag(browser, live_server) -> None:
    sdfl = _page(browser, live_server, "sdfl@example.org")
    sdfl.goto("/admin/sessions")
    sdfl.locator("table a[href^='/admin/sessions/']").first.click()  # session 1: held, report and recording
    session_id = sdfl.url.rsplit("/", 1)[1].split("?")[0]
    _check(sdfl)

    today = date.today().isoformat()
    sdfl.get_by_label("Gepubliceerd op TenderNed op").fill(today)
    sdfl.get_by_label("Kenmerk van de publicatie").fill("TN-2026-0001")
    sdfl.get_by_label("Link naar de publicatie").fill("https://www.tenderned.nl/aankondigingen/overzicht/1")
    sdfl.get_by_role("button", name="Publicatie vastleggen").click()
    assert sdfl.get_by_text("Opgeslagen.").is_visible()

    provider = _page(browser, live_server, "rodante@example.org")
    provider.goto(f"/sessions/{session_id}")
    assert provider.get_by_text("Gepubliceerd op TenderNed op").is_visible()
    assert provider.get_by_role("link", name="kenmerk TN-2026-0001 op TenderNed").is_visible()
    provider.get_by_label("Nee, ik maak bezwaar").check()
    provider.get_by_role("button", name="Antwoord opslaan").click()
    assert provider.get_by_text("Uw antwoord: u maakt bezwaar.").is_visible()
    for width in (1280, 320):
        provider.set_viewport_size({"width": width, "height": 900})
        _check(provider)
        assert provider.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width

    sdfl.goto(f"/admin/sessions/{session_id}")
    attendance = sdfl.locator("#attendance")
    assert attendance.get_by_text("Bezwaar tegen opname:").is_visible()
    assert "rodante@example.org" in attendance.inner_text()
    _check(sdfl)
