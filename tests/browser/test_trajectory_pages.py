"""The home page with several trajectories and a trajectory's page, of a dialogue and of a consultation, in
Chromium at 1280 and 320 px: axe-core finds nothing, nothing scrolls sideways, and the next deadline is marked
for assistive technology (aria-current) and in text ("Volgende")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session

from app import migrate
from app.db import make_engine
from app.kit import clock
from app.models import Audience, DialogueKind, DialogueStatus, InvitationStatus, SessionStatus
from tests import factories
from tests.browser.conftest import _serving, axe_violations, describe
from tests.conftest import scratch_database_url

DIALOGUE = "multi-2027"
CONSULTATION = "logeren-consultatie"


def _trajectories(db: Session) -> None:
    """A dialogue with everything its page shows, a consultation and a closed trajectory."""
    now = clock.now()
    factories.dialogue(
        db,
        slug=DIALOGUE,
        title="Multidisciplinaire jeugdhulp, regionale inkoop 2027",
        description="In dit dialoogtraject bespreekt SDFL met een **selectie** van zorgaanbieders de inkoop.",
        selection_intro="SDFL heeft de deelnemende zorgaanbieders geselecteerd op:",
    )
    for title, text in (
        ("Omvang en belang", "Een mix van grote en kleinere aanbieders."),
        ("Doelgroepen en expertise", "LVB, GGZ, autisme en meer."),
        ("Houding", "Constructief meedenken, buiten de gebaande paden, samenwerking, creativiteit."),
    ):
        factories.criterion(db, title=title, text=text)
    factories.framework(db, title="Landelijke productstructuur", description="De indeling in producten.")
    factories.framework(db, title="Hervormingsagenda Jeugd")
    public = factories.document(db, title="Regionale inkoopstrategie", audience=Audience.public)
    factories.framework(db, title="Regionale inkoopstrategie", url="", document_id=public.id)
    factories.milestone(db, title="Save-the-dates verstuurd", due_in=-timedelta(days=30), met_at=now)
    factories.milestone(db, title="Stukken sessie 1", due_in=-timedelta(days=3))
    factories.milestone(db, title="Reactietermijn productstructuur sluit", due_in=timedelta(days=5))
    factories.milestone(db, title="Start contract", due_in=timedelta(days=400))
    for i, status in enumerate((InvitationStatus.accepted, InvitationStatus.pending, InvitationStatus.declined)):
        factories.provider(db, name=f"Zorgaanbieder {i + 1} met een lange naam", invitation=status, tags=["lvb"])
    factories.meeting(
        db,
        title="Kennismaking en productstructuur",
        starts_at=now - timedelta(days=10),
        status=SessionStatus.held,
        report="# Verslag\n\nEen goed gesprek.",
        report_published_at=now - timedelta(days=2),
        recording_url="https://example.org/opname-sessie-1",
    )
    factories.meeting(db, title="Contractvoorwaarden en tarieven", starts_at=now + timedelta(days=14))
    factories.proposal(db, title="Productstructuur multidisciplinaire jeugdhulp", public=True)

    c = factories.dialogue(
        db,
        slug=CONSULTATION,
        kind=DialogueKind.consultation,
        title="Logeren (kortdurend verblijf), consultatie",
        description="Een consultatie over logeren voor zorgaanbieders, verwijzers en ervaringsdeskundigen.",
    )
    factories.framework(db, dialogue_=c, title="Groeipijn", url="https://example.org/groeipijn")
    factories.milestone(db, dialogue_=c, title="Reactietermijn sluit", due_in=timedelta(days=20))
    factories.dialogue(db, title="Een afgesloten traject", status=DialogueStatus.closed)


@pytest.fixture(scope="module")
def trajectories_server(fast_password_hashing) -> Iterator[str]:
    url = scratch_database_url("browser_trajectories")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        _trajectories(session)
        session.commit()
    with _serving(engine) as url_of_server:
        yield url_of_server
    engine.dispose()


@pytest.mark.parametrize("width", [1280, 320])
def test_the_home_page_and_both_kinds_of_trajectory_page_are_accessible(browser, trajectories_server, width):
    context = browser.new_context(
        base_url=trajectories_server, locale="nl-NL", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    def check(path: str) -> None:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        violations = axe_violations(page)
        assert violations == [], f"{path} at {width} px: {describe(violations)}"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (path, width)

    check("/")
    assert page.get_by_role("heading", name="Trajecten").is_visible()
    assert page.get_by_text("Reactietermijn productstructuur sluit").is_visible()  # the next milestone
    page.get_by_role("link", name="Multidisciplinaire jeugdhulp, regionale inkoop 2027").click()
    page.wait_for_url(f"**/dialogues/{DIALOGUE}")

    check(f"/dialogues/{DIALOGUE}")
    current = page.locator('[aria-current="step"]')
    assert current.count() == 1
    assert "Reactietermijn productstructuur sluit" in current.inner_text()
    assert "Volgende" in current.inner_text()
    assert page.get_by_role("heading", name="Selectie van de deelnemers").is_visible()
    assert page.get_by_text("Constructief meedenken").is_visible()
    assert page.get_by_role("heading", name="Staat uw organisatie niet op de lijst?").is_visible()

    check(f"/dialogues/{CONSULTATION}")
    assert page.get_by_role("heading", name="Wie kan meedoen").is_visible()
    assert page.get_by_role("link", name="Meedoen aan deze consultatie").first.is_visible()
    assert page.get_by_role("link", name="Volg dit traject").first.is_visible()
    assert errors == []
    context.close()
