"""SDFL sets up a trajectory in Chromium: the list, the new form (with an error), the trajectory page with a
criterion, a framework and a milestone whose date passed (a warning), and the coverage on the selection page;
every page passes axe-core at 1280 and at 320 px without scrolling sideways."""

from __future__ import annotations

import secrets

from tests.browser.conftest import axe_violations, describe

PASSWORD = "dialoog-demo-2025"


def _sign_in(page) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill("sdfl@example.org")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _check(page, width: int) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url} at {width}px\n" + describe(violations)
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth"
        " && !e.closest('.table-scroll'))"
        ".slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} at {width}px {wide}"
    # a form answered 422 on purpose logs "Failed to load resource"; anything else (CSP, scripts) is a failure
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []


def test_admin_sets_up_a_trajectory_accessibly(browser, live_server) -> None:
    for width in (1280, 320):
        context = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None)
        page.console_errors = errors
        _sign_in(page)
        page.goto("/admin/dialogues")
        assert page.get_by_role("heading", name="Trajecten").is_visible()
        _check(page, width)

        page.get_by_role("link", name="Nieuw traject").click()
        page.get_by_label("Titel").fill("Consultatie logeren")
        page.get_by_label("Korte naam in het webadres").fill("Niet Goed")
        page.get_by_role("button", name="Traject aanmaken").click()
        assert page.locator("#error-slug").is_visible()
        _check(page, width)
        slug = f"logeren-{secrets.token_hex(3)}"
        page.get_by_label("Korte naam in het webadres").fill(slug)
        page.get_by_label("Soort traject").select_option("dialogue")
        page.get_by_role("button", name="Traject aanmaken").click()
        page.wait_for_url(f"**/admin/dialogues/{slug}*")
        assert page.get_by_text("Het traject is aangemaakt.").is_visible()

        criteria = page.locator("#criteria form[action$='/criteria']")
        criteria.get_by_label("Titel").fill("Houding")
        criteria.get_by_label("Tekst").fill("Constructief meedenken, buiten de gebaande paden.")
        criteria.get_by_label("Dekking geteld naar").select_option("assessment")
        criteria.get_by_role("button", name="Criterium toevoegen").click()
        page.wait_for_url("**saved=criteria*")
        frameworks = page.locator("#frameworks form[action$='/frameworks']")
        frameworks.get_by_label("Titel").fill("Hervormingsagenda Jeugd")
        frameworks.get_by_label("Webadres").fill("https://example.org/hervormingsagenda")
        frameworks.get_by_role("button", name="Kader toevoegen").click()
        page.wait_for_url("**saved=frameworks*")
        milestones = page.locator("#milestones form[action$='/milestones']")
        milestones.get_by_label("Titel").fill("Save-the-dates versturen")
        milestones.get_by_label("Datum en tijd").fill("2026-01-05T09:00")
        milestones.get_by_role("button", name="Mijlpaal toevoegen").click()
        page.wait_for_url("**saved=milestones*")
        warnings = page.locator("#warnings")
        assert "Save-the-dates versturen" in warnings.inner_text()
        assert "Er nemen 0 aanbieders deel" in warnings.inner_text()
        _check(page, width)

        page.goto(f"/admin/invitations?dialogue={slug}")
        assert page.get_by_role("heading", name="Houding").is_visible()
        _check(page, width)
        context.close()
