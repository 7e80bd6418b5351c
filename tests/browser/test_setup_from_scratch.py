"""The whole set-up of a real trajectory from a new installation, in Chromium, as SDFL would do it:

the start page, the first admin made with ``dialoog create-user`` (its set-password link printed), the
trajectory created and made active in the browser, providers and their contact persons imported from a CSV
file, the providers invited to the trajectory, and a contact person who sets a password from the mail and
accepts. Every page visited passes axe-core (WCAG 2.1 AA) at 320 px without scrolling sideways, and again
at 1280 px at the end."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from app import migrate
from app.db import make_engine
from app.models import OutboxMessage
from tests.browser.conftest import _serving, axe_violations, describe
from tests.conftest import scratch_database_url

PASSWORD = "een zin van een paar woorden"
PROVIDERS_CSV = (
    "naam;omvang;doelgroepen;gemeenten;buiten_flevoland;contact_naam;contact_email\n"
    "Eerste Zorg;groot;LVB|Autisme;Almere;ja;Ada Eerste;ada@eerstezorg.example.org\n"
    "Tweede Zorg;klein;Autisme;;nee;Bo Tweede;bo@tweedezorg.example.org\n"
)
SET_PASSWORD = re.compile(r"/account/set-password/[A-Za-z0-9_\-]+")


@pytest.fixture
def fresh_install() -> Iterator[tuple[str, str]]:
    """A new installation of its own (migrated, no data): the server's base URL and its database URL."""
    url = scratch_database_url("browser_setup")
    migrate.upgrade(url)
    engine = make_engine(url)
    with _serving(engine) as base:
        yield base, url
    engine.dispose()


class Visit:
    """A browser tab that checks every page it lands on, and remembers them to check again at another width."""

    def __init__(self, page) -> None:
        self.page = page
        self.who = ""  # whose pages these are (their address), "" before signing in
        self.seen: list[tuple[str, str]] = []
        self.errors: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def check(self, where: str) -> None:
        page = self.page
        page.wait_for_load_state()
        violations = axe_violations(page)
        assert violations == [], f"{where} ({page.url}): {describe(violations)}"
        width = page.viewport_size["width"]
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{where} at {width}px"
        path = "/" + page.url.split("://", 1)[1].split("/", 1)[1]
        if (self.who, path) not in self.seen and "set-password" not in path:
            self.seen.append((self.who, path))


def _first_admin_link(database_url: str) -> str:
    """``dialoog create-user --role admin`` on the installation's database; the set-password path it prints."""
    env = {**os.environ, "DIALOOG_DATABASE_URL": database_url, "DIALOOG_SMTP_HOST": ""}
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "create-user", "--role", "admin", "--email", "sdfl@example.org",
         "--name", "Sanne de Vries"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = SET_PASSWORD.search(done.stdout)
    assert found, done.stdout
    return found.group(0)


def _mailed_link(database_url: str, address: str) -> str:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            bodies = session.exec(select(OutboxMessage.body_text).where(OutboxMessage.to_address == address)).all()
    finally:
        engine.dispose()
    found = [m.group(0) for body in bodies if (m := SET_PASSWORD.search(body))]
    assert found, f"no set-password mail to {address}"
    return found[0]


def _set_password_and_sign_in(visit: Visit, link: str, email: str) -> None:
    page = visit.page
    page.goto(link)
    visit.check("set password")
    page.get_by_label("Nieuw wachtwoord").fill(PASSWORD)
    page.get_by_label("Herhaal het wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    page.wait_for_url("**/login?password=set")
    visit.check("sign in")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/login" not in url)
    visit.who = email


def test_sdfl_sets_up_a_trajectory_from_an_empty_install_and_a_provider_accepts(browser, fresh_install) -> None:
    base, database_url = fresh_install
    context = browser.new_context(base_url=base, locale="nl-NL", viewport={"width": 320, "height": 800})
    visit = Visit(context.new_page())
    page = visit.page

    # A new installation says what to do first.
    page.goto("/")
    assert "dialoog create-user --role admin" in page.content()
    visit.check("start page")

    # The first admin, made on the command line, sets a password from the printed link.
    _set_password_and_sign_in(visit, _first_admin_link(database_url), "sdfl@example.org")

    # A trajectory, active at once.
    page.goto("/admin/dialogues/new")
    visit.check("new trajectory")
    page.get_by_label("Titel").fill("Multidisciplinaire jeugdhulp 2027")
    page.get_by_label("Korte naam in het webadres").fill("multi-2027")
    page.get_by_label("Soort traject").select_option("dialogue")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Beschrijving").fill("Dialoog met geselecteerde aanbieders over **multi**.")
    page.get_by_role("button", name="Traject aanmaken").click()
    page.wait_for_url("**/admin/dialogues/multi-2027*")
    assert page.get_by_text("Het traject is aangemaakt.").is_visible()
    visit.check("trajectory admin page")
    criteria = page.locator("#criteria form[action$='/criteria']")
    criteria.get_by_label("Titel").fill("Houding")
    criteria.get_by_label("Tekst").fill("Constructief meedenken, buiten de gebaande paden, samenwerking, creativiteit.")
    criteria.get_by_role("button", name="Criterium toevoegen").click()
    page.wait_for_url("**saved=criteria*")
    visit.check("trajectory with a criterion")

    # The municipality the providers are contracted by, then the providers and their contact persons from a
    # CSV file: checked first, then imported.
    page.goto("/admin/municipalities")
    visit.check("municipalities")
    page.get_by_label("CBS-code").fill("0034")
    page.get_by_label("Naam").fill("Almere")
    page.get_by_label("Doet mee aan deze regionale inkoop").check()
    page.get_by_role("button", name="Toevoegen").click()
    page.wait_for_url("**/admin/municipalities?created=*")
    assert page.get_by_role("link", name="Almere").is_visible()
    visit.check("municipality added")
    page.goto("/admin/providers/import")
    visit.check("import")
    page.get_by_label("CSV-bestand").set_input_files(
        files=[{"name": "aanbieders.csv", "mimeType": "text/csv", "buffer": PROVIDERS_CSV.encode()}]
    )
    page.get_by_role("button", name="Controleren").click()
    visit.check("import preview")
    page.get_by_role("button", name="Importeer 2 aanbieders en").click()
    page.wait_for_url("**/admin/providers?imported=*")
    assert page.get_by_text("Import gelukt").is_visible()
    visit.check("providers")

    # Both invited to the trajectory.
    page.goto("/admin/invitations?dialogue=multi-2027")
    visit.check("invitations")
    page.get_by_label("Eerste Zorg").check()
    page.get_by_label("Tweede Zorg").check()
    page.get_by_role("button", name="Gekozen zorgaanbieders uitnodigen").click()
    page.wait_for_url("**/admin/invitations?invited=2*")
    visit.check("invitations sent")
    page.locator("summary.menu__toggle").click()  # at 320 px the main menu is behind "Menu"
    page.get_by_role("button", name="Uitloggen").click()
    visit.who = ""

    # A contact person sets a password from the mail and accepts for the organisation.
    _set_password_and_sign_in(
        visit, _mailed_link(database_url, "ada@eerstezorg.example.org"), "ada@eerstezorg.example.org"
    )
    page.goto("/invitation?dialogue=multi-2027")
    visit.check("own invitation")
    page.get_by_label("Ja, wij doen mee").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    page.get_by_role("button", name="Antwoord wijzigen").wait_for()
    visit.check("invitation accepted")

    # The public trajectory page lists the provider that takes part, with its criterion.
    public = browser.new_context(base_url=base, locale="nl-NL", viewport={"width": 320, "height": 800})
    anonymous = Visit(public.new_page())
    anonymous.page.goto("/")
    anonymous.page.get_by_role("link", name="Multidisciplinaire jeugdhulp 2027").first.click()
    anonymous.page.wait_for_url("**/dialogues/multi-2027")
    assert anonymous.page.get_by_text("Eerste Zorg").first.is_visible()
    assert anonymous.page.get_by_text("Constructief meedenken, buiten de gebaande paden").first.is_visible()
    anonymous.check("public trajectory page")
    public.close()

    # Every page seen, again at 1280 px, as the person who saw it.
    context.close()
    assert {who for who, _ in visit.seen} == {"", "sdfl@example.org", "ada@eerstezorg.example.org"}
    for who in ("", "sdfl@example.org", "ada@eerstezorg.example.org"):
        wide = browser.new_context(base_url=base, locale="nl-NL", viewport={"width": 1280, "height": 900})
        again = Visit(wide.new_page())
        if who:
            again.page.goto("/login")
            again.page.get_by_label("E-mailadres").fill(who)
            again.page.get_by_label("Wachtwoord").fill(PASSWORD)
            again.page.get_by_role("button", name="Inloggen").click()
            again.page.wait_for_url(lambda url: "/login" not in url)
        for path in [path for person, path in visit.seen if person == who]:
            again.page.goto(path)
            again.check(f"{path} at 1280 as {who or 'nobody'}")
        visit.errors += again.errors
        wide.close()
    assert [e for e in visit.errors + anonymous.errors if not e.startswith("Failed to load resource")] == []
