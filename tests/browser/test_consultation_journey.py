"""The consultation pages in Chromium at 1280 and 320 px: asking to take part (also with errors), following a
trajectory, and SDFL's participants page; every state passes axe-core and reflows without sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from app import migrate
from app.db import make_engine
from app.models import DialogueKind, Participation, ParticipationStatus, Role
from tests import factories
from tests.browser.conftest import _serving, axe_violations, describe
from tests.conftest import scratch_database_url

SLUG = "logeren"
ADMIN = "beheer@sdfl.example.org"
WIDTHS = (1280, 320)


@pytest.fixture(scope="module")
def consultation_server(fast_password_hashing) -> Iterator[str]:
    """A server with one active consultation, an admin and a few requests in different states."""
    url = scratch_database_url("browser_consult")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        dialogue = factories.dialogue(db, kind=DialogueKind.consultation, slug=SLUG, title="Consultatie logeren")
        factories.user(db, Role.admin, email=ADMIN)
        for name, group, status, pseudonym in (
            ("Sanne Bakker", "local_referrer", ParticipationStatus.requested, None),
            ("Eva de Wit", "experience_expert", ParticipationStatus.requested, "Merel"),
            ("Piet Jansen", "external_referrer", ParticipationStatus.refused, None),
        ):
            db.add(
                Participation(
                    dialogue_id=dialogue.id,
                    name=name,
                    email=f"{name.split()[0].lower()}@example.org",
                    organisation="Wijkteam Almere",
                    stakeholder_group=group,
                    status=status,
                    pseudonym=pseudonym,
                    motivation="Ik wil graag meedenken.",
                )
            )
        db.commit()
    with _serving(engine) as base:
        yield base
    engine.dispose()


def check(page) -> None:
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => !e.closest('.table-scroll') && "
        "e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 5)"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"scrolls sideways: {wide}"
    # A form answered with 422 shows up as a failed resource; anything else (CSP, scripts) is an error.
    assert [e for e in page.console_errors if "status of 422" not in e] == []


def new_page(browser, base: str, width: int):
    context = browser.new_context(base_url=base, locale="nl-NL", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_participation_form_and_its_errors_pass_axe(browser, consultation_server, width):
    context, page = new_page(browser, consultation_server, width)
    page.goto(f"/dialogues/{SLUG}/deelnemen")
    assert page.get_by_role("heading", name="Deelnemen aan de consultatie").is_visible()
    check(page)
    page.get_by_label("Naam", exact=True).fill("Test Persoon")
    page.get_by_label("E-mailadres").fill("geen-adres")
    page.get_by_label("Lokale verwijzer").check()
    page.get_by_label("Schuilnaam", exact=False).fill("Zonnebloem")
    page.get_by_role("button", name="Aanmelding versturen").click()
    page.wait_for_selector(".error-summary")
    assert page.locator("#error-email").is_visible() and page.locator("#error-pseudonym").is_visible()
    assert page.get_by_label("Naam", exact=True).input_value() == "Test Persoon"
    check(page)
    page.get_by_label("E-mailadres").fill(f"persoon-{width}@example.org")
    page.get_by_label("Schuilnaam", exact=False).fill("")
    page.get_by_role("button", name="Aanmelding versturen").click()
    page.wait_for_selector("main [role=status]")
    check(page)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_follow_form_passes_axe(browser, consultation_server, width):
    context, page = new_page(browser, consultation_server, width)
    page.goto(f"/dialogues/{SLUG}/volgen")
    assert page.get_by_text("alleen om u deze berichten te sturen").is_visible()
    check(page)
    page.get_by_role("button", name="Volgen").click()
    page.wait_for_selector(".error-summary")
    check(page)
    page.get_by_label("E-mailadres").fill(f"volger-{width}@example.org")
    page.get_by_role("button", name="Volgen").click()
    page.wait_for_selector("main [role=status]")
    check(page)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_admin_participants_page_passes_axe(browser, consultation_server, width):
    context, page = new_page(browser, consultation_server, width)
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(ADMIN)
    page.get_by_label("Wachtwoord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/overzicht")
    page.goto(f"/admin/dialogues/{SLUG}/deelnemers")
    assert page.get_by_role("heading", name="Te beoordelen (2)").is_visible()
    assert page.get_by_text("Merel").first.is_visible()
    check(page)
    # The add form with an error, then a decision.
    page.locator("#add-name").fill("Nieuwe Deelnemer")
    page.get_by_role("button", name="Toevoegen").click()
    page.wait_for_selector("#add-email-error")
    assert page.locator("#add-name").input_value() == "Nieuwe Deelnemer"
    check(page)
    context.close()
