"""SDFL manages providers in Chromium: the list, the form with its errors, the CSV import (bad file, preview,
import), a provider's page with contacts, municipalities and care forms; axe at 1280 and 320 px."""

from __future__ import annotations

from tests.browser.conftest import axe_violations, describe
from tests.browser.test_accounts_journey import sign_in

BAD = "naam;omvang;doelgroepen;contact_email\nBrowser Zorg;reus;onbekend;geen-adres\n;klein;;\n"
GOOD = (
    "naam;omvang;doelgroepen;gemeenten;buiten_flevoland;contact_naam;contact_email\n"
    "Browser Zorg;groot;LVB|Autisme;Almere;ja;Bo Browser;bo@browserzorg.example.org\n"
    "Browser Zorg;;;;;Cas Browser;cas@browserzorg.example.org\n"
)


def _clean(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {describe(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{where}: scrolls sideways"


def test_admin_manages_and_imports_providers_accessibly(browser, live_server):
    for width in (1280, 320):
        context = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, "sdfl@example.org")

        page.goto("/admin/providers")
        assert page.get_by_role("heading", name="Zorgaanbieders", exact=True).is_visible()
        _clean(page, f"list {width}")

        page.goto("/admin/providers/new")
        _clean(page, f"new {width}")
        page.get_by_label("Website").fill("geen adres")
        page.get_by_role("button", name="Aanmaken").click()
        assert page.locator("#error-name").is_visible() and page.locator("#error-website").is_visible()
        assert page.get_by_label("Website").input_value() == "geen adres"
        _clean(page, f"new with errors {width}")

        page.goto("/admin/providers/import")
        _clean(page, f"import {width}")
        page.get_by_label("CSV-bestand").set_input_files(
            files=[{"name": "fout.csv", "mimeType": "text/csv", "buffer": BAD.encode()}]
        )
        page.get_by_role("button", name="Controleren").click()
        assert page.get_by_role("heading", name="Er is niets geïmporteerd").is_visible()
        _clean(page, f"import errors {width}")

        page.goto("/admin/providers/import")
        page.get_by_label("CSV-bestand").set_input_files(
            files=[{"name": "goed.csv", "mimeType": "text/csv", "buffer": GOOD.encode()}]
        )
        page.get_by_role("button", name="Controleren").click()
        button = page.get_by_role("button", name="Importeer 1 aanbieders en")
        assert button.is_visible()
        _clean(page, f"import preview {width}")
        button.click()
        page.wait_for_url("**/admin/providers?imported=*")
        assert page.get_by_text("Import gelukt").is_visible()

        page.get_by_role("link", name="Browser Zorg").click()
        assert page.get_by_text("bo@browserzorg.example.org").first.is_visible()
        _clean(page, f"provider {width}")

        for path in ("/admin/municipalities", "/admin/care-forms"):
            page.goto(path)
            _clean(page, f"{path} {width}")
        assert page.console_errors == [] if hasattr(page, "console_errors") else True
        context.close()
