"""The main menu: always shown on a wide screen, behind "Menu" on a phone (details/summary: no JavaScript needed),
opened by keyboard; the header stays small on a phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, describe


@pytest.mark.parametrize("javascript", [True, False])
def test_the_menu_is_open_on_a_wide_screen_and_behind_menu_on_a_phone(browser, live_server, javascript):
    context = browser.new_context(
        base_url=live_server, locale="nl-NL", java_script_enabled=javascript, viewport={"width": 1366, "height": 900}
    )
    page = context.new_page()
    page.goto("/proposals")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    toggle = page.locator("summary.menu__toggle")
    assert menu.get_by_role("link", name="Voorstellen").is_visible()
    assert menu.get_by_role("link", name="Inloggen").is_visible()
    assert not toggle.is_visible()

    page.set_viewport_size({"width": 320, "height": 700})
    assert toggle.is_visible() and toggle.inner_text().strip() == "Menu"
    assert not menu.get_by_role("link", name="Inloggen").is_visible()
    assert page.locator(".site-header").bounding_box()["height"] <= 80  # one line: the name and "Menu"

    toggle.focus()
    page.keyboard.press("Enter")
    assert menu.get_by_role("link", name="Inloggen").is_visible()
    page.keyboard.press("Tab")  # the first link of the opened menu comes next
    assert menu.get_by_role("link", name="Dialoog").evaluate("link => link === document.activeElement")
    if javascript:  # axe-core runs in the page
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert not menu.get_by_role("link", name="Inloggen").is_visible()
    context.close()
