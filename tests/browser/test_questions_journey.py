"""A provider asks a question, SDFL answers it in a nota van inlichtingen, Almere and Dronten approve, Urk objects,
SDFL overrides with a reason and releases the nota, and the provider reads it: axe-core finds no WCAG 2.1 A/AA
violation on any page visited (the participants' pages at 1280 and 320 px)."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.browser.conftest import axe_violations, describe

pytestmark = pytest.mark.browser

PASSWORD = "dialoog-demo-2025"


def _check(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n" + describe(violations)
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []


def _page(browser, live_server, email: str | None, width: int = 1280):
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    if email:
        page.goto("/login")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(lambda url: "/login" not in url)
    return page


def _both_widths(page) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        _check(page)
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth"
            " && !e.closest('.table-scroll')).slice(0, 5)"
            ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{page.url} at {width}px {wide}"
        )
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_question_answered_in_a_nota_with_the_municipalities_signoff(browser, live_server) -> None:
    text = f"Hoe worden de tarieven geïndexeerd? ({secrets.token_hex(3)})"
    provider = _page(browser, live_server, "rodante@example.org")
    provider.goto("/")
    slug = next(
        href.split("/")[2]
        for href in provider.locator("a[href^='/dialogues/']").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        if re.fullmatch(r"/dialogues/[^/?#]+", href)
    )
    provider.goto(f"/dialogues/{slug}/vragen")
    _both_widths(provider)
    provider.get_by_label("Uw vraag").fill(text)
    provider.get_by_label("Waar gaat de vraag over? (niet verplicht)").select_option(index=3)  # the last session
    provider.get_by_role("button", name="Vraag versturen").click()
    assert provider.get_by_text("Uw vraag is ontvangen.").is_visible()
    _check(provider)

    sdfl = _page(browser, live_server, "sdfl@example.org")
    sdfl.goto(f"/admin/questions?dialogue={slug}")
    _check(sdfl)
    sdfl.get_by_role("row").filter(has_text=text).get_by_role("link").first.click()
    _check(sdfl)
    sdfl.get_by_label("Neutrale formulering (wordt gepubliceerd, zonder naam)").fill(
        "Hoe worden de tarieven geïndexeerd?"
    )
    sdfl.get_by_label("Antwoord (Markdown)").fill("Jaarlijks, met de **OVA**-index.")
    sdfl.get_by_role("button", name="Opslaan").click()
    sdfl.goto(f"/admin/notas/new?dialogue={slug}")
    _check(sdfl)
    sdfl.get_by_label("Titel").fill("Vragen over de tarieven")
    sdfl.get_by_role("button", name="Nota opstellen").click()
    sdfl.wait_for_url(re.compile(r".*/admin/notas/\d+\?done=created"))
    nota_path = sdfl.url.split("?")[0].replace(live_server, "")
    _check(sdfl)
    sdfl.get_by_role("button", name="Gemeenten om akkoord vragen").click()

    for name, decision, note in (
        ("almere", "Akkoord", ""),
        ("dronten", "Akkoord", ""),
        ("urk", "Bezwaar", "Te stellig."),
    ):
        municipality = _page(browser, live_server, f"{name}@example.org")
        municipality.goto(f"{nota_path}/check")
        _check(municipality)
        municipality.get_by_label(decision, exact=True).check()
        if note:
            municipality.get_by_label("Toelichting (verplicht bij bezwaar)").fill(note)
        municipality.get_by_role("button", name="Besluit vastleggen").click()
        assert municipality.get_by_text("Uw besluit is vastgelegd.").is_visible()
        _check(municipality)
        municipality.context.close()

    sdfl.goto(nota_path)
    sdfl.get_by_role("button", name="Nu vrijgeven aan alle deelnemers").click()
    assert sdfl.get_by_text("Nog geen akkoord van").is_visible()  # Urk objected, Noordoostpolder did not answer
    _check(sdfl)
    sdfl.goto(f"{nota_path}/check")
    sdfl.get_by_label("Reden (wordt vastgelegd in het logboek)").fill(
        "De sessie is aanstaande; de antwoorden zijn feitelijk."
    )
    sdfl.get_by_role("button", name="Vrijgave toestaan met deze reden").click()
    assert sdfl.get_by_text("De sessie is aanstaande; de antwoorden zijn feitelijk.").first.is_visible()
    _check(sdfl)
    sdfl.goto(nota_path)
    sdfl.get_by_role("button", name="Nu vrijgeven aan alle deelnemers").click()
    assert sdfl.get_by_text("De nota is vrijgegeven aan alle deelnemers.").is_visible()
    _check(sdfl)

    provider.goto(f"/dialogues/{slug}/vragen")
    provider.get_by_role("link", name=re.compile("Beantwoord in nota")).first.click()
    assert provider.get_by_text("Jaarlijks, met de").is_visible()
    assert provider.get_by_text("Hoe worden de tarieven geïndexeerd?", exact=True).first.is_visible()
    _both_widths(provider)
