"""A visitor opens the home page in Chromium, goes to the trajectory and sees all 14 providers; the pages pass
axe-core."""

from __future__ import annotations

from app import demo_content
from tests.browser.conftest import axe_violations, describe


def test_the_trajectory_page_from_the_home_page_lists_the_providers_and_passes_axe(page):
    page.goto("/")
    page.get_by_role("link", name=demo_content.DIALOGUE["title"]).click()
    page.wait_for_url("**/dialogues/*")
    assert page.title().startswith("Multidisciplinaire jeugdhulp")
    rows = page.locator("table tbody tr")
    assert rows.count() == 14
    names = rows.locator("th").all_inner_texts()
    assert sorted(names) == sorted(p["name"] for p in demo_content.PROVIDERS)
    assert page.get_by_role("heading", name="Sessies").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    assert page.console_errors == []


def test_htmx_loads_under_the_content_security_policy(page):
    page.goto("/")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.version").startswith("2.0")
    assert page.console_errors == []


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    assert skip.evaluate("el => el === document.activeElement")
    skip.press("Enter")
    assert page.url.endswith("#main")


def test_english_version_passes_axe(page):
    page.goto("/?lang=en")
    assert page.get_by_role("heading", name="Trajectories").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.get_by_role("link", name=demo_content.DIALOGUE["title"]).click()
    page.wait_for_url("**/dialogues/*")
    assert page.get_by_role("heading", name="Participants", exact=True).is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_session_page_from_the_trajectory_page_passes_axe(page):
    page.goto("/")
    page.get_by_role("link", name=demo_content.DIALOGUE["title"]).click()
    page.get_by_role("link", name="Sessie 1:").click()
    page.wait_for_url("**/sessions/*")
    assert page.get_by_role("heading", name="Programma").is_visible()
    assert page.get_by_role("heading", name="Verslag", exact=True).is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_a_new_installation_shows_the_start_page_accessibly_at_320_px(browser, empty_server):
    """On a new installation / is the start page (no 404); it passes axe and reflows at 320 px without
    scrolling sideways (the command line wraps inside its box)."""
    for width in (1280, 320):
        context = browser.new_context(base_url=empty_server, locale="nl-NL", viewport={"width": width, "height": 800})
        page = context.new_page()
        response = page.goto("/")
        assert response is not None and response.status == 200
        assert page.get_by_role("heading", name="Welkom bij Dialoog").is_visible()
        assert page.get_by_text("dialoog create-user --role admin").is_visible()
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        context.close()
