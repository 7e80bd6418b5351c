"""A provider comments by keyboard only (issue 18): Tab, Enter, Space and typing. After every action the focus is
on what changed (the new comment, the reply, the edit form, the withdrawn comment, the error summary) and the
live region says what happened in plain Dutch. Without JavaScript the same message is a banner on the page the
form leads to. axe-core finds nothing on the pages visited.

The keyboard test works in a section of its own ("multidisciplinair-werken") and with its own unique texts.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe
from tests.browser.test_accounts_journey import sign_in

WAIT = 5000  # ms
KEY = "multidisciplinair-werken"
HEADING = "Wat verstaan we onder multidisciplinair?"
MAX_TABS = 400


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {describe(violations)}"


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the focused element matches ``selector``: it can be reached by keyboard."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} not reached with {key} in {MAX_TABS} presses")


def active_description(page) -> str:
    return page.evaluate(
        "() => { const a = document.activeElement; return a ? a.outerHTML.slice(0, 200) : 'nothing'; }"
    )


def expect_focus(page, selector: str) -> None:
    expect(page.locator(selector)).to_be_focused(timeout=WAIT)


def expect_said(page, text: str) -> None:
    expect(page.locator("#live")).to_have_text(text, timeout=WAIT)


def new_id_after(page, before: set[str], scope: str) -> str:
    """The id of the comment in ``scope`` that was not there ``before``."""
    ids = set(page.locator(f"{scope} li.comment").evaluate_all("els => els.map(e => e.id)"))
    new = ids - before
    assert len(new) == 1, f"expected one new comment, found {new}"
    return new.pop().removeprefix("comment-")


def comment_ids(page, scope: str) -> set[str]:
    return set(page.locator(f"{scope} li.comment").evaluate_all("els => els.map(e => e.id)"))


def test_the_comment_journey_by_keyboard_says_what_happened_and_moves_the_focus(page):
    sign_in(page, "re-care@example.org")
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    page.goto("/proposals/1")
    assert_accessible(page)
    thread = f"#thread-{KEY}"
    before = comment_ids(page, thread)

    # From the table of contents to the section, then to its closed comment form: Enter opens it.
    tab_to(page, f'.toc a[href="#section-{KEY}"]')
    page.keyboard.press("Enter")
    summary = f"{thread} > details.new-comment > summary"
    tab_to(page, summary)
    expect(page.locator(f"#form-new-{KEY}")).to_be_hidden()  # closed until opened
    page.keyboard.press("Enter")
    expect(page.locator(f"#form-new-{KEY}")).to_be_visible(timeout=WAIT)

    # A rejected post (no kind chosen): the error summary has the focus and the live region says so.
    body = unique("Per toetsmoment afrekenen helpt multidisciplinaire teams")
    tab_to(page, f"#new-{KEY}-body")
    page.keyboard.type(body)
    tab_to(page, f"#form-new-{KEY} button[type=submit]")
    page.keyboard.press("Enter")
    expect_focus(page, f"#form-new-{KEY} .error-summary")
    expect_said(page, "Uw reactie is nog niet geplaatst. Bekijk de fouten.")
    expect(page.locator(f"#new-{KEY}-body")).to_have_value(body)
    assert_accessible(page)

    # The summary's link leads to the kind; Space chooses the first one; Enter on the button posts.
    page.keyboard.press("Tab")
    assert focused(page, f"#form-new-{KEY} .error-summary a"), active_description(page)
    page.keyboard.press("Enter")
    tab_to(page, f"#form-new-{KEY} input[name=kind]")
    page.keyboard.press("Space")
    assert page.locator(f"#form-new-{KEY} input[name=kind]:checked").count() == 1
    tab_to(page, f"#form-new-{KEY} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(f"{thread} li.comment > article", has_text=body)).to_be_visible(timeout=WAIT)
    mine = new_id_after(page, before, thread)
    expect_focus(page, f"#comment-{mine} > article")
    expect_said(page, "Uw reactie is geplaatst.")
    expect(page.locator(f"#comment-{mine} > article")).to_be_in_viewport()  # scrolled into view

    # Reply: "Reageren" loads its form with the caret in it; the new reply gets the focus.
    tab_to(page, f"#comment-{mine} > article details.reply > summary")
    page.keyboard.press("Enter")
    expect_focus(page, f"#form-reply-{mine} textarea[name=body]")
    reply = unique("Ook de jeugdarts hoort erbij")
    page.keyboard.type(reply)
    tab_to(page, f"#form-reply-{mine} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(f"#comment-{mine} ol.replies article", has_text=reply)).to_be_visible(timeout=WAIT)
    reply_id = new_id_after(page, before | {f"comment-{mine}"}, thread)
    expect_focus(page, f"#comment-{reply_id} > article")
    expect_said(page, "Uw antwoord is geplaatst.")

    # Edit: after "Bewerken" the caret is in the edit form and the next Tab stays in it.
    tab_to(page, f'#comment-{mine} > article a[href="/comments/{mine}/edit"]', backwards=True)
    page.keyboard.press("Enter")
    expect_focus(page, f"#edit-{mine}-body")
    page.keyboard.press("Tab")
    assert focused(page, f"#form-edit-{mine} *"), active_description(page)
    page.keyboard.press("Shift+Tab")
    expect_focus(page, f"#edit-{mine}-body")
    edited = unique("Per toetsmoment afrekenen, na overleg")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(edited)
    tab_to(page, f"#form-edit-{mine} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(f"#comment-{mine} > article .comment__body")).to_have_text(edited, timeout=WAIT)
    expect_focus(page, f"#comment-{mine} > article")
    expect_said(page, "Uw reactie is gewijzigd.")

    # Withdraw: the browser asks; the comment's marker gets the focus.
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    tab_to(page, f'#comment-{mine} > article form[action="/comments/{mine}/withdraw"] button')
    page.keyboard.press("Enter")
    expect(page.locator(f"#comment-{mine} > article .comment__withdrawn")).to_be_visible(timeout=WAIT)
    expect_focus(page, f"#comment-{mine} > article")
    expect_said(page, "Uw reactie is ingetrokken.")
    assert dialogs == ["Wilt u deze reactie intrekken?"]
    assert_accessible(page)
    others = [e for e in page.console_errors if "status of 422" not in e]
    assert others == []


def test_without_javascript_a_banner_says_what_happened(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "triade-vitree@example.org")
        page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
        page.goto("/proposals/1")
        details = page.locator(f"#thread-{KEY} > details.new-comment")
        expect(details).not_to_have_attribute("open", re.compile(".*"))
        details.locator("summary").click()
        form = page.locator(f"#form-new-{KEY}")
        form.get_by_label("Zorg", exact=True).check()
        body = unique("Zonder JavaScript: de regiebehandelaar")
        form.get_by_label("Uw reactie").fill(body)
        form.get_by_role("button", name="Plaats reactie").click()
        page.wait_for_url(re.compile(rf"/sections/{KEY}\?.*done=posted.*#comment-\d+$"), timeout=WAIT)
        comment_id = page.url.rsplit("#comment-", 1)[1]
        banner = page.locator(f"#comment-{comment_id} > [data-notice]")
        expect(banner).to_have_text("Uw reactie is geplaatst.")
        expect(banner).to_be_in_viewport()
        expect(page.locator(f"#comment-{comment_id} > article")).to_contain_text(body)

        # Withdrawing asks on a page of its own first.
        page.locator(f"#comment-{comment_id} > article").get_by_role("button", name="Intrekken").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Wilt u deze reactie intrekken?")
        page.get_by_role("button", name="Ja, reactie intrekken").click()
        page.wait_for_url(re.compile(r"done=withdrawn"), timeout=WAIT)
        expect(page.locator(f"#comment-{comment_id} > [data-notice]")).to_have_text("Uw reactie is ingetrokken.")
    finally:
        context.close()


def test_the_confirmation_and_banner_pages_pass_axe(page):
    """The pages a plain browser sees (the question before withdrawing, the banner), checked with scripts on
    (axe needs them)."""
    sign_in(page, "triade-vitree@example.org")
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    page.goto(f"/proposals/1/sections/{KEY}")
    form = page.locator(f"#form-new-{KEY}")
    page.locator(f"#thread-{KEY} > details.new-comment > summary").click()
    form.get_by_label("Steun", exact=True).check()
    body = unique("Voor de axe-controle")
    form.get_by_label("Uw reactie").fill(body)
    form.get_by_role("button", name="Plaats reactie").click()
    item = page.locator(f"#thread-{KEY} li.comment > article", has_text=body).locator("xpath=..")
    expect(item).to_be_visible(timeout=WAIT)
    comment_id = item.get_attribute("id").removeprefix("comment-")
    page.goto(f"/comments/{comment_id}")  # the section page at the comment
    # The confirmation page, as a plain browser gets it: the form without htmx posts without "confirm".
    page.evaluate(
        "id => { const f = document.querySelector(`form[action='/comments/${id}/withdraw']`); f.submit(); }",
        comment_id,
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Wilt u deze reactie intrekken?", timeout=WAIT)
    assert_accessible(page)
    page.get_by_role("button", name="Ja, reactie intrekken").click()
    page.wait_for_url(re.compile(r"done=withdrawn"), timeout=WAIT)
    banner = page.locator(f"#comment-{comment_id} > [data-notice]")
    expect(banner).to_be_focused(timeout=WAIT)  # with scripts on, the banner takes the focus
    assert_accessible(page)


def post_as(browser, live_server, email: str, body: str) -> str:
    """A comment on the keyboard test's section by ``email``, in a browser of its own; returns its id."""
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    try:
        sign_in(page, email)
        page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
        page.goto(f"/proposals/1/sections/{KEY}")
        page.locator(f"#thread-{KEY} > details.new-comment > summary").click()
        form = page.locator(f"#form-new-{KEY}")
        form.get_by_label("Zorg", exact=True).check()
        form.get_by_label("Uw reactie").fill(body)
        form.get_by_role("button", name="Plaats reactie").click()
        item = page.locator(f"#thread-{KEY} li.comment > article", has_text=body).locator("xpath=..")
        expect(item).to_be_visible(timeout=WAIT)
        return item.get_attribute("id").removeprefix("comment-")
    finally:
        context.close()


def test_a_form_shown_again_with_errors_on_a_page_of_its_own_focuses_its_summary(page, browser, live_server):
    comment_id = post_as(browser, live_server, "re-care@example.org", unique("Om te bewerken"))
    sign_in(page, "re-care@example.org")
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    page.goto(f"/comments/{comment_id}/edit")  # the edit page of its own: a plain form, no htmx
    page.locator(f"#edit-{comment_id}-body").fill("   ")  # passes "required", not the server
    page.get_by_role("button", name="Wijziging opslaan").click()
    expect_focus(page, f"#form-edit-{comment_id} .error-summary")
    assert_accessible(page)


def test_the_review_tables_status_change_keeps_the_focus_in_its_row(page, browser, live_server):
    comment_id = post_as(browser, live_server, "triade-vitree@example.org", unique("Voor de beoordeling"))
    sign_in(page, "sdfl@example.org")
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    page.goto("/review")
    row = f"#row-{comment_id}"
    tab_to(page, f"#status-{comment_id}")
    page.keyboard.press("ArrowDown")  # the next status
    chosen = page.locator(f"#status-{comment_id}").input_value()
    tab_to(page, f"{row} .inline-status button")
    page.evaluate("s => { document.querySelector(s).dataset.before = 'swap'; }", row)
    page.keyboard.press("Enter")
    expect(page.locator(f"{row}:not([data-before])")).to_have_count(1, timeout=WAIT)  # the new row
    expect(page.locator(f"#status-{comment_id}")).to_have_value(chosen)
    # The row was swapped: the focus is on the same control of the new row, not lost at the top of the page.
    expect(page.locator(f"#status-{comment_id}")).to_be_focused(timeout=WAIT)
    expect(page.locator("#live")).to_contain_text("Status gewijzigd naar", timeout=WAIT)


def test_the_draft_editor_keeps_what_was_typed(page):
    """Omhoog/Omlaag save the section's form with the move; leaving with unsaved text asks first."""
    sign_in(page, "sdfl@example.org")
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    title = unique("Voorstel")
    page.goto("/admin/proposals/new")
    page.fill("#field-title", title)
    page.fill("#field-opens_at", "2026-01-01T09:00")
    page.fill("#field-closes_at", "2030-01-01T17:00")
    page.click("button:has-text('Aanmaken')")
    for heading in ("Eerste", "Tweede"):
        page.fill("#new-heading", heading)
        page.fill("#new-body", f"Tekst van {heading.lower()}.")
        page.click("button:has-text('Toevoegen')")
        expect(page.locator(".section-editor h3", has_text=heading)).to_be_visible(timeout=WAIT)
    second = page.locator(".section-editor", has_text="Tweede")
    second.locator("textarea[name=body]").fill("Veranderd en nog niet opgeslagen.")
    second.get_by_role("button", name="Omhoog").click()
    page.wait_for_load_state()
    editors = page.locator(".section-editor h3")
    expect(editors.first).to_contain_text("Tweede", timeout=WAIT)  # moved up
    first = page.locator(".section-editor").first
    expect(first.locator("textarea[name=body]")).to_have_value("Veranderd en nog niet opgeslagen.")  # and saved
    assert_accessible(page)

    # Typed and not saved, then away: the browser asks (and staying keeps the text).
    dialogs: list[str] = []

    def stay(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    first.locator("textarea[name=body]").fill("Weer veranderd.")
    page.click("body")  # a user gesture: browsers ask only then
    page.get_by_role("link", name="Alle voorstellen").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(first.locator("textarea[name=body]")).to_have_value("Weer veranderd.")
    page.remove_listener("dialog", stay)


def test_a_section_page_shown_again_with_errors_says_so_at_its_top(page):
    sign_in(page, "re-care@example.org")
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)
    page.goto(f"/proposals/1/sections/{KEY}")
    page.locator(f"#thread-{KEY} > details.new-comment > summary").click()
    page.locator(f"#new-{KEY}-body").fill(unique("Zonder soort, als gewoon formulier"))
    page.evaluate("key => document.getElementById(`form-new-${key}`).submit()", KEY)  # as without htmx
    top = page.locator("main > .error-summary").first
    expect(top).to_contain_text("Uw reactie is nog niet geplaatst", timeout=WAIT)
    expect(top).to_be_focused()
    expect(page.locator(f"#thread-{KEY} > details.new-comment")).to_have_attribute("open", "")
    top.get_by_role("link").press("Enter")
    expect(page.locator(f"#form-new-{KEY}")).to_be_in_viewport()
    assert_accessible(page)
