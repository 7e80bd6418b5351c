"""The pages issue 17 opens to municipal co-authors and adds for the sign-off, in Chromium: Almere drafts an
agenda item (and removes it again), reads a proposal's draft page, the drafts overview and the check-before-you-
release page; SDFL sees the sign-off settings on the trajectory page. Every page passes axe-core (WCAG 2.1 AA) at
320 and 1280 px wide."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_proposal_journey import WAIT, assert_accessible, signed_in

WIDTHS = (320, 1280)


def accessible_at_every_width(page) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)


def test_a_municipality_drafts_an_agenda_item_on_accessible_pages(page):
    signed_in(page, "almere@example.org")
    page.goto("/review")
    page.get_by_role("link", name="Concepten").first.click()
    expect(page.get_by_role("heading", level=1, name="Concepten")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)

    page.locator('a[href$="#agenda"]').first.click()
    expect(page.get_by_role("heading", name="Agendapunt toevoegen")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)
    session_url = page.url.split("#")[0]

    # Add an item in the session's first half hour.
    start = page.locator("td").first.inner_text().split("–")[0].strip()
    hours, minutes = (int(x) for x in start.split(":"))
    page.get_by_label("Begintijd").fill(f"{hours:02d}:{minutes:02d}")
    page.get_by_label("Eindtijd").fill(f"{hours:02d}:{minutes + 10 if minutes < 50 else 59:02d}")
    page.get_by_label("Titel", exact=True).fill("Inbreng Almere (browsertest)")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("Opgesteld door Beleidsadviseur Almere (Gemeente Almere)")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)

    page.get_by_role("link", name="Inbreng Almere (browsertest)").click()
    expect(page.get_by_role("button", name="Agendapunt verwijderen")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)
    page.get_by_role("button", name="Agendapunt verwijderen").click()  # leave the shared world as it was
    page.wait_for_url(re.compile(re.escape(session_url)), timeout=WAIT)
    expect(page.get_by_text("Inbreng Almere (browsertest)")).to_have_count(0)

    page.goto("/admin/proposals/1")
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)

    page.goto("/review/release/check")
    expect(page.get_by_role("heading", level=1, name="Vrijgave controleren")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)


def test_sdfl_sees_the_signoff_settings_and_the_check_page(page):
    signed_in(page, "sdfl@example.org")
    page.goto("/admin/dialogues")
    page.locator('main a[href^="/admin/dialogues/"]:not([href$="/new"])').first.click()
    expect(page.get_by_role("group", name="Welke gemeenten moeten akkoord geven?")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("checkbox", name="Almere")).to_be_checked()
    accessible_at_every_width(page)
    page.goto(page.url.split("?")[0].split("#")[0] + "/signoff")
    expect(page.get_by_role("heading", level=1, name="Akkoord van gemeenten")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)
    page.goto("/review/release/check")
    expect(page.get_by_role("heading", level=1, name="Vrijgave controleren")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)
