"""Signing in and the admin pages in Chromium, checked with axe-core."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, describe


def sign_in(page, email: str, password: str = "dialoog-demo-2025") -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()


def test_login_page_and_error_pass_axe(page):
    page.goto("/login")
    assert axe_violations(page) == []
    sign_in(page, "rodante@example.org", "verkeerd wachtwoord")
    assert page.get_by_text("horen niet bij elkaar").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_provider_signs_in_sees_account_and_signs_out(page):
    sign_in(page, "rodante@example.org")
    page.goto("/account")
    assert page.get_by_role("heading", name="Mijn account").is_visible()
    assert page.get_by_text("Rodante", exact=True).is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/")
    assert page.get_by_role("link", name="Inloggen").is_visible()


def test_admin_pages_pass_axe_and_htmx_filters_without_reload(page):
    sign_in(page, "sdfl@example.org")
    for path in ("/admin/users", "/admin/users/new", "/admin/api-keys", "/admin/audit", "/admin/outbox"):
        page.goto(path)
        violations = axe_violations(page)
        assert violations == [], f"{path}: {describe(violations)}"
    page.goto("/admin/users")
    page.evaluate("window.__marker = 'same page'")
    page.get_by_label("Rol").select_option("municipality")
    page.wait_for_url("**/admin/users?*role=municipality*")
    page.wait_for_function("document.querySelectorAll('#results tbody tr').length === 4")
    assert page.evaluate("window.__marker") == "same page"  # htmx swapped the results, no page load
    assert page.console_errors == []
