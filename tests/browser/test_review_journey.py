"""Reviewers at work in Chromium: a municipality filters the review dashboard in place with htmx (the URL follows
the filter), opens a comment, takes a position and writes an internal note; SDFL triages a row in place, writes
the official reply and puts the comment on a session's agenda; a provider gets no access to any of it. The
dashboard and the comment page pass axe-core (WCAG 2.1 AA).

Every test first has a provider post a comment of its own, with a unique word in it, and works on that comment
only: none depends on another's order or leftovers.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.test_proposal_journey import (
    WAIT,
    assert_accessible,
    post_comment,
    signed_in,
    unique,
)

PROPOSAL = 1
SECTION = "vraag-ontbrekende-producten"  # the review tests post here; the proposal journey uses other sections


def token() -> str:
    """One word that no other comment holds, to find a comment with the full-text search."""
    return f"rvw{uuid.uuid4().hex[:12]}"


def new_context(browser, live_server):
    return browser.new_context(base_url=live_server, locale="nl-NL")


def provider_posts(browser, live_server, kind: str, body: str) -> int:
    """re-care posts ``body`` (a comment of ``kind``) on proposal 1, in a browser of its own; returns its id."""
    context = new_context(browser, live_server)
    try:
        provider = context.new_page()
        signed_in(provider, "re-care@example.org")
        provider.goto(f"/proposals/{PROPOSAL}")
        item = post_comment(provider, SECTION, kind, body)
        return int(item.get_attribute("id").removeprefix("comment-"))
    finally:
        context.close()


def watch_page_loads(page) -> list[str]:
    """Arm the 'no page load' check for htmx swaps that push the URL. Playwright reports history.pushState as a
    frame navigation, so (unlike the proposal journey's watch_navigation) this counts what only a real page load
    does: a navigation request of the main frame, and the loss of a window marker."""
    page.evaluate("window.__marker = 'same page'")
    loads: list[str] = []
    page.on(
        "request",
        lambda request: (
            loads.append(request.url) if request.is_navigation_request() and request.frame == page.main_frame else None
        ),
    )
    return loads


def assert_no_page_load(page, loads: list[str]) -> None:
    assert page.evaluate("window.__marker") == "same page", "the page was reloaded"
    assert loads == [], f"the page loaded: {loads}"


def rows(page):
    return page.locator("#results tbody tr")


def results_count(page):
    return page.locator("#results > p[role=status]")


def shown_total(page) -> int:
    """The number of comments the results say they hold ("12 reacties met deze filters")."""
    return int(re.match(r"\d+", results_count(page).inner_text()).group())


def notice(page):
    return page.locator("p.notice[role=status]")


def test_municipality_filters_and_takes_a_position(page, browser, live_server):
    word = token()
    body = unique(f"Zorg over de wachttijd {word}")
    comment_id = provider_posts(browser, live_server, "Zorg", body)

    signed_in(page, "almere@example.org")
    page.goto("/review")
    expect(page.get_by_role("heading", name="Beoordelen", level=1)).to_be_visible()
    expect(page.locator(f"#row-{comment_id}")).to_be_visible()  # newest first
    assert_accessible(page)
    total = shown_total(page)
    loads = watch_page_loads(page)

    # Filtering by kind swaps the results in place and puts the filter in the URL.
    page.get_by_label("Soort", exact=True).select_option("zorg")
    page.wait_for_url(re.compile(r"/review\?(.*&)?kind=zorg"), timeout=WAIT)
    expect(results_count(page)).to_contain_text("met deze filters", timeout=WAIT)
    expect(page.locator(f"#row-{comment_id}")).to_be_visible()
    expect(page.locator("#results tbody .tag", has_text=re.compile("^(Steun|Vraag|Suggestie)$"))).to_have_count(0)
    assert_no_page_load(page, loads)
    of_kind = shown_total(page)
    assert 1 < of_kind < total  # the demo has comments of other kinds, and another "zorg" one

    # Typing a word narrows the results to the one comment that holds it.
    page.locator("#f-q").fill(word)
    page.wait_for_url(re.compile(rf"[?&]q={word}"), timeout=WAIT)
    assert "kind=zorg" in page.url
    expect(rows(page)).to_have_count(1, timeout=WAIT)
    expect(page.locator(f"#row-{comment_id}")).to_contain_text(word)
    expect(results_count(page)).to_contain_text("1 reactie met deze filters")
    assert_no_page_load(page, loads)
    assert_accessible(page)

    # The comment page: a position (relevant, with a stance and a note) and an internal note.
    page.get_by_role("link", name=f"Reactie {comment_id}", exact=True).click()
    page.wait_for_url(re.compile(rf"/review/comments/{comment_id}(\?|$)"), timeout=WAIT)
    expect(page.locator(".comment__body").first).to_contain_text(body)
    assert_accessible(page)

    position_note = unique("Almere herkent de wachttijd niet")
    page.get_by_label("Oneens", exact=True).check()
    page.locator("#position_note").fill(position_note)
    page.get_by_role("button", name="Standpunt opslaan").click()
    expect(notice(page)).to_have_text("Het standpunt is opgeslagen.", timeout=WAIT)
    positions = page.locator("section[aria-labelledby=positions-title] ul")
    expect(positions).to_contain_text(f"Almere: Oneens – {position_note}")
    expect(page.get_by_label("Oneens", exact=True)).to_be_checked()
    expect(page.locator("#position_note")).to_have_value(position_note)

    note = unique("Intern: navragen bij het wijkteam")
    page.locator("#note").fill(note)
    page.get_by_role("button", name="Notitie toevoegen").click()
    expect(notice(page)).to_have_text("De notitie is opgeslagen.", timeout=WAIT)
    notes = page.locator("section[aria-labelledby=notes-title]")
    expect(notes.locator(".comment__body", has_text=note)).to_be_visible()
    expect(page.locator("#note")).to_have_value("")
    expect(positions).to_contain_text(position_note)  # the position is still there
    assert_accessible(page)

    # Back on the dashboard, the filter "relevant voor Almere" lists the comment, with the position and the note.
    page.get_by_role("link", name="Terug naar alle reacties").click()
    page.wait_for_url(re.compile(rf"/review\?(.*&)?q={word}"), timeout=WAIT)  # the filter it came from
    assert "kind=zorg" in page.url
    expect(rows(page)).to_have_count(1)
    page.goto("/review")
    loads = watch_page_loads(page)
    page.get_by_label("Relevant voor gemeente").select_option(label="Almere")
    page.wait_for_url(re.compile(r"[?&]municipality_id=\d+"), timeout=WAIT)
    row = page.locator(f"#row-{comment_id}")
    expect(row).to_be_visible(timeout=WAIT)
    expect(row.locator(".tag", has_text="Almere: Oneens")).to_be_visible()
    expect(row).to_contain_text("1 notitie")
    assert_no_page_load(page, loads)
    assert_accessible(page)
    assert page.console_errors == []


def test_admin_triages_in_place_and_on_the_comment_page(page, browser, live_server):
    word = token()
    body = unique(f"Vraag over de indicatie {word}")
    comment_id = provider_posts(browser, live_server, "Vraag", body)

    signed_in(page, "sdfl@example.org")
    page.goto(f"/review?q={word}")
    row = page.locator(f"#row-{comment_id}")
    expect(row).to_be_visible()
    expect(rows(page)).to_have_count(1)
    assert_accessible(page)
    loads = watch_page_loads(page)

    # "Niet overgenomen" without an official reply: the row comes back in place with the error in it.
    row.locator(f"#status-{comment_id}").select_option("niet_overgenomen")
    row.get_by_role("button", name="Opslaan").click()
    error = page.locator(f"#row-{comment_id} [role=alert]")
    expect(error).to_be_visible(timeout=WAIT)
    expect(error).to_contain_text("officieel antwoord")
    expect(page.locator(f"#status-{comment_id}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#status-{comment_id}")).to_have_value("nieuw")  # nothing was saved
    assert page.url.endswith(f"/review?q={word}")
    assert_no_page_load(page, loads)
    assert_accessible(page)

    # On the comment page: "Niet overgenomen" with the official reply saves both; the reply stays a draft.
    page.goto(f"/review/comments/{comment_id}")
    assert_accessible(page)
    reply = unique("Dit nemen we niet over, omdat de indicatie bij de gemeente ligt")
    triage = page.locator("#triage")
    triage.get_by_label("Beoordeling").select_option(label="Niet overgenomen")
    triage.get_by_label("Officieel antwoord").fill(reply)
    triage.get_by_role("button", name="Opslaan").click()
    expect(notice(page)).to_have_text("De beoordeling is opgeslagen.", timeout=WAIT)
    official = page.locator("section[aria-labelledby=official-title] .comment--official")
    expect(official).to_have_count(1)
    expect(official.locator(".comment__body")).to_contain_text(reply)
    expect(official).to_contain_text("Concept, nog niet vrijgegeven")
    expect(page.locator("dl.facts")).to_contain_text("Niet overgenomen")
    expect(page.locator("#status")).to_have_value("niet_overgenomen")
    expect(page.get_by_label("Officieel antwoord (concept)")).to_have_value(reply)

    # On a session's agenda, as a new agenda item.
    title = unique("Indicaties bij de gemeente")
    agenda = page.locator("section[aria-labelledby=agenda-title]")
    expect(page.locator("#agenda_item_id")).to_have_value("")  # "Een nieuw agendapunt"
    expect(page.locator("#agenda_item_id option").first).to_have_text("Een nieuw agendapunt")
    session_label = page.locator("#session_id option:checked").inner_text()
    session_number = re.match(r"Sessie (\d+):", session_label).group(1)
    page.locator("#title").fill(title)
    agenda.get_by_role("button", name="Op de agenda zetten").click()
    expect(notice(page)).to_contain_text("staan op de agenda", timeout=WAIT)
    listed = agenda.locator("ul > li", has_text=title)
    expect(listed).to_have_text(f"Sessie {session_number}: {title}")
    expect(listed.get_by_role("link", name=title)).to_have_attribute(
        "href", re.compile(r"^/admin/sessions/\d+#item-\d+$")
    )
    expect(page.locator("#agenda_item_id option", has_text=title)).to_have_count(1)  # now a choice itself
    expect(page.locator("dl.facts")).to_contain_text("Bespreken in sessie")
    expect(official.locator(".comment__body")).to_contain_text(reply)  # the draft reply stays
    assert_accessible(page)
    # Chromium logs every 4xx response as a console error; the inline 422 is this test's point.
    others = [e for e in page.console_errors if "status of 422" not in e]
    assert others == []


def reviewer_notes(browser, live_server, comment_id: int, stance: str, position_note: str, note: str) -> None:
    """almere takes a position on the comment and writes an internal note, in a browser of its own."""
    context = new_context(browser, live_server)
    try:
        reviewer = context.new_page()
        signed_in(reviewer, "almere@example.org")
        reviewer.goto(f"/review/comments/{comment_id}")
        reviewer.get_by_label(stance, exact=True).check()
        reviewer.locator("#position_note").fill(position_note)
        reviewer.get_by_role("button", name="Standpunt opslaan").click()
        expect(notice(reviewer)).to_have_text("Het standpunt is opgeslagen.", timeout=WAIT)
        reviewer.locator("#note").fill(note)
        reviewer.get_by_role("button", name="Notitie toevoegen").click()
        expect(reviewer.locator("section[aria-labelledby=notes-title]")).to_contain_text(note, timeout=WAIT)
    finally:
        context.close()


def test_provider_never_sees_internal_notes_or_positions(page, browser, live_server):
    word = token()
    body = unique(f"Suggestie over de overdracht {word}")
    comment_id = provider_posts(browser, live_server, "Suggestie", body)
    note = unique("Intern: niet delen met de aanbieder")
    position_note = unique("Almere wil dit eerst intern bespreken")
    reviewer_notes(browser, live_server, comment_id, "Neutraal", position_note, note)

    signed_in(page, "re-care@example.org")
    for path in ("/proposals", f"/proposals/{PROPOSAL}", f"/proposals/{PROPOSAL}/sections/{SECTION}"):
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        if path != "/proposals":
            expect(page.locator(f"#comment-{comment_id}")).to_contain_text(body)  # the comment itself shows
        html = page.content()
        assert note not in html, f"{path} shows the internal note"
        assert position_note not in html, f"{path} shows the municipality's position"
    assert page.console_errors == []


def test_provider_gets_no_access_to_the_review_pages(page, browser, live_server):
    word = token()
    body = unique(f"Vraag over de toegang {word}")
    comment_id = provider_posts(browser, live_server, "Vraag", body)
    note = unique("Intern: alleen voor gemeenten")
    reviewer_notes(browser, live_server, comment_id, "Eens", unique("Almere is het eens"), note)

    signed_in(page, "re-care@example.org")
    for path in ("/review", f"/review?q={word}", f"/review/comments/{comment_id}"):
        response = page.goto(path)
        assert response is not None and response.status == 403, f"{path}: {response and response.status}"
        expect(page.get_by_text("U hebt geen toegang tot deze pagina.")).to_be_visible()
        expect(page.locator("body")).not_to_contain_text(note)
        expect(page.locator("body")).not_to_contain_text(body)
    assert_accessible(page)  # the 403 page
    # Chromium logs the 403 responses as console errors; those are this test's point.
    others = [e for e in page.console_errors if "status of 403" not in e]
    assert others == []


def test_overview_and_dashboard_by_trajectory_and_stakeholder_group_are_accessible(page):
    """The overview counts per stakeholder group; the dashboard filters by trajectory and group: axe-clean at 1280
    and at 320 px (issue 16)."""
    signed_in(page, "sdfl@example.org")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/review/overview")
        expect(page.get_by_role("heading", name="Per groep belanghebbenden")).to_be_visible()
        assert_accessible(page)
        page.goto("/review?group=provider")
        expect(page.get_by_label("Groep belanghebbenden")).to_have_value("provider")
        expect(page.get_by_label("Traject", exact=True)).to_be_visible()
        assert_accessible(page)
