"""The personal overview of every role and the three statements in Chromium at 320 and 1366 px: signing in lands
on the overview; every page passes axe-core (WCAG 2.1 A and AA), does not scroll sideways and links the statements
from its footer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session

from app import migrate
from app.db import make_engine
from app.models import DialogueKind
from tests import factories
from tests.browser.conftest import _serving, axe_violations, describe
from tests.conftest import scratch_database_url
from tests.overview.test_overview import QUESTION_SECTIONS, provider_world, staff_world

WIDTHS = (320, 1366)
STATEMENTS = {
    "/toegankelijkheidsverklaring": "Toegankelijkheidsverklaring",
    "/privacy": "Privacyverklaring",
    "/contact": "Contact",
}
FOOTER_LINKS = {"/toegankelijkheidsverklaring": "Toegankelijkheid", "/privacy": "Privacy", "/contact": "Contact"}
WAIT = 5000


@pytest.fixture(scope="module")
def overview_server(fast_password_hashing) -> Iterator[tuple[str, dict[str, str]]]:
    """A server whose every role has something in every part of its overview; yields its URL and who signs in
    (role -> e-mail address, password ``factories.PASSWORD``)."""
    url = scratch_database_url("browser_overview")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        staff = staff_world(db, extra=1)
        contact = provider_world(db)["contact"]
        consultation = factories.dialogue(db, new=True, kind=DialogueKind.consultation, title="Consultatie logeren")
        person = factories.participant(db, dialogue_=consultation)
        waiting = factories.dialogue(db, new=True, kind=DialogueKind.consultation, title="Consultatie vervoer")
        factories.join(db, person, dialogue_=waiting, status="requested")
        factories.proposal(db, sections=QUESTION_SECTIONS, dialogue_=consultation, title="Voorstel logeren")
        db.commit()
        people = {
            "provider": contact.email,
            "participant": person.email,
            "municipality": staff["reviewer"].email,
            "admin": staff["admin"].email,
        }
    with _serving(engine) as base:
        yield base, people
    engine.dispose()


def check(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    violations = axe_violations(page)
    assert violations == [], f"{page.url} at {width}px: {describe(violations)}"
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} scrolls sideways at {width}px ({scroll} > {inner})"
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), f"{page.url}: duplicate ids"
    footer = page.locator("footer")
    for path in STATEMENTS:
        assert footer.locator(f'a[href="{path}"]').count() == 1, (page.url, path)


@pytest.mark.parametrize("role", ["provider", "participant", "municipality", "admin"])
def test_each_role_lands_on_an_accessible_overview(browser, overview_server, role):
    base, people = overview_server
    context = browser.new_context(base_url=base, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("E-mailadres").fill(people[role])
        page.get_by_label("Wachtwoord").fill(factories.PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/overzicht", timeout=WAIT)
        assert page.get_by_role("heading", level=1, name="Overzicht").is_visible()
        assert page.locator('nav a[href="/overzicht"][aria-current="page"]').count() == 1
        assert page.get_by_role("heading", level=2).count() >= 2
        for width in WIDTHS:
            check(page, width)
    finally:
        context.close()


@pytest.mark.parametrize("path", list(STATEMENTS))
def test_the_statements_are_accessible_to_the_public(browser, overview_server, path):
    base, _people = overview_server
    context = browser.new_context(base_url=base, locale="nl-NL")
    page = context.new_page()
    try:
        page.goto("/")
        page.locator("footer").get_by_role("link", name=FOOTER_LINKS[path], exact=True).click()
        page.wait_for_url(f"**{path}", timeout=WAIT)
        assert page.get_by_role("heading", level=1, name=STATEMENTS[path]).is_visible()
        for width in WIDTHS:
            check(page, width)
    finally:
        context.close()
