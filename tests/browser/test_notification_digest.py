"""A provider chooses the daily digest for SDFL's answers on /account (axe: no WCAG 2.1 A/AA violation), SDFL
releases the answers, and the next morning at 07:00 (Amsterdam) the worker's pass sends the provider one digest
over SMTP (aiosmtpd) whose links open in the browser."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from app import migrate
from app.cli import run_scheduled_tasks
from app.config import Settings
from app.db import make_engine
from app.kit import clock
from app.kit.i18n import TIMEZONE
from app.mail.service import send_pending
from tests import factories
from tests.browser.conftest import _serving, axe_violations, describe
from tests.conftest import Collector, free_port, scratch_database_url

pytestmark = pytest.mark.browser


def _sign_in(browser, base_url: str, address: str):
    context = browser.new_context(base_url=base_url, locale="nl-NL")
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_label("Wachtwoord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _no_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n" + describe(violations)


def test_a_provider_gets_one_digest_the_next_morning_with_links_that_work(browser, tmp_path) -> None:
    url = scratch_database_url("browser_digest")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        dialogue = factories.dialogue(db, new=True, signoff_chosen=True)
        admin = factories.admin(db)
        provider = factories.provider_user(db)
        proposal = factories.proposal(db, dialogue_=dialogue, title="Productstructuur")
        first, second = factories.sections(db, proposal)[:2]
        asked = factories.comment(db, first, provider, "Hoe lang zijn de wachttijden?")
        decided = factories.comment(db, second, provider, "De tarieven zijn te laag.", status="overgenomen")
        factories.reply(db, asked, admin, "Gemiddeld zes weken.", official=True)
        db.commit()
    collector = Collector()
    port = free_port()
    smtp = Controller(collector, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with _serving(engine) as base_url:
            # The provider chooses the digest for answers and decisions.
            page = _sign_in(browser, base_url, provider.email)
            page.goto("/account")
            _no_violations(page)
            choices = page.get_by_role("group", name="Antwoorden en besluiten op mijn reacties")
            choices.get_by_label("Dagelijks overzicht").check()
            page.get_by_role("button", name="Keuzes opslaan").click()
            page.wait_for_url("**/account?saved=notifications#berichten")
            assert page.locator("main [role=status]").inner_text() == "Uw keuzes zijn opgeslagen."
            assert choices.get_by_label("Dagelijks overzicht").is_checked()
            _no_violations(page)

            # SDFL releases the answers now.
            sdfl = _sign_in(browser, base_url, admin.email)
            sdfl.goto(f"/review/release/check?dialogue={dialogue.slug}")
            sdfl.get_by_role("button", name="Antwoorden en beoordelingen vrijgeven").click()
            sdfl.wait_for_load_state()
            settings = Settings(smtp_host="127.0.0.1", smtp_port=port, data_dir=tmp_path)

            def worker_pass() -> None:
                with Session(engine, expire_on_commit=False) as session:
                    run_scheduled_tasks(session)
                    send_pending(session, settings=settings)

            worker_pass()
            assert [m for m in collector.messages if m["To"] == provider.email] == []  # not at once

            # The next morning at 07:00 in Amsterdam: one digest; another pass sends no second one.
            tomorrow = datetime.now(UTC).astimezone(TIMEZONE).date() + timedelta(days=1)
            clock.freeze(
                datetime.combine(tomorrow, datetime.min.time(), tzinfo=TIMEZONE) + timedelta(hours=7, minutes=2)
            )
            worker_pass()
            worker_pass()
            mails = [m for m in collector.messages if m["To"] == provider.email]
            assert len(mails) == 1
            digest = email.message_from_bytes(mails[0].as_bytes(), policy=email.policy.default)
            assert str(digest["Subject"]).strip().startswith("Uw dagelijkse overzicht van Dialoog")
            text = digest.get_body(("plain",)).get_content()
            assert "Antwoord van SDFL (Productstructuur, Reikwijdte)" in text
            assert "Beoordeling: Overgenomen (Productstructuur, Tarieven)" in text
            paths = sorted(set(re.findall(r"http://127\.0\.0\.1:8000(/[^\s\"<]*)", text)))
            assert f"/comments/{asked.id}" in paths and f"/comments/{decided.id}" in paths

            # The links work: the provider signs in again in the morning and opens each.
            morning = _sign_in(browser, base_url, provider.email)
            for path in paths:
                response = morning.goto(path)
                assert response is not None and response.status == 200, path
            morning.goto(f"/comments/{asked.id}")
            assert "Gemiddeld zes weken." in morning.content()
    finally:
        clock.reset()
        smtp.stop()
        engine.dispose()
