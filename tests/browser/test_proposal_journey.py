"""A provider comments on a draft proposal in Chromium: posting, replying, editing and withdrawing happen in
place with htmx (no page load), an invalid comment keeps its text, selecting text fills the quote field, and
the proposal pages (also the admin ones) pass axe-core (WCAG 2.1 AA).

The browser session shares one server and database, so every test writes its own unique text and works in a
section of its own; none depends on another's order or leftovers.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import axe_violations, describe
from tests.browser.test_accounts_journey import sign_in

WAIT = 5000  # ms: generous, but a hanging swap fails the test instead of the suite
TRIADE_COMMENT = "Afrekenen in uren past bij één behandelaar"  # demo COMMENTS[0], triade-vitree on "productoverzicht"


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:10]}"


def signed_in(page, email: str) -> None:
    sign_in(page, email)
    page.wait_for_url(lambda url: "/login" not in url, timeout=WAIT)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {describe(violations)}"


def watch_navigation(page) -> list[str]:
    """Arm the 'no page load' check: a window marker (a page load loses it) and a list of main-frame
    navigations (a page load adds one)."""
    page.evaluate("window.__marker = 'same page'")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    return navigations


def assert_same_page(page, navigations: list[str]) -> None:
    assert page.evaluate("window.__marker") == "same page", "the page was reloaded"
    assert navigations == [], f"the page navigated: {navigations}"


def comment_item(page, text: str):
    """The <li id="comment-..."> whose own article (not a reply's) holds ``text``."""
    return page.locator("li.comment > article", has_text=text).locator("xpath=..")


def open_new_comment_form(page, key: str):
    """The section's new-comment form, its <details> opened (it is closed once a section has comments)."""
    form = page.locator(f"#form-new-{key}")
    details = page.locator(f"#thread-{key} > details.new-comment")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(form).to_be_visible(timeout=WAIT)
    return form


def post_comment(page, key: str, kind: str, body: str):
    form = open_new_comment_form(page, key)
    form.get_by_label(kind, exact=True).check()
    form.get_by_label("Uw reactie").fill(body)
    form.get_by_role("button", name="Plaats reactie").click()
    item = comment_item(page, body)
    expect(item).to_be_visible(timeout=WAIT)
    return item


def test_provider_comments_replies_and_edits_in_place(page):
    page.goto("/proposals")
    assert_accessible(page)  # anonymous: the public proposals only

    signed_in(page, "re-care@example.org")
    page.goto("/proposals")
    expect(page.get_by_role("link", name="Productstructuur multidisciplinaire jeugdhulp")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Productstructuur multidisciplinaire jeugdhulp").click()
    page.wait_for_url("**/proposals/1")
    assert_accessible(page)
    navigations = watch_navigation(page)

    # A new comment on a section appears in its thread, in place.
    key = "doel-en-uitgangspunten"
    body = unique("Re-care vindt het doel helder")
    mine = post_comment(page, key, "Vraag", body)
    expect(page.locator(f"#thread-{key}")).to_contain_text(body)
    expect(mine.locator(":scope > article .tag")).to_have_text("Vraag")
    assert_same_page(page, navigations)

    # A reply to triade-vitree's comment appears nested under it, in place.
    triade = comment_item(page, TRIADE_COMMENT)
    if triade.count() == 0:  # other tests pushed it out of the newest threads: load all of them
        page.locator("#thread-productoverzicht .thread__more a").click()
    expect(triade).to_be_visible(timeout=WAIT)
    triade_id = triade.get_attribute("id").removeprefix("comment-")
    triade.locator(":scope > article details.reply > summary", has_text="Reageren").click()
    reply_form = page.locator(f"#form-reply-{triade_id}")  # loaded when "Reageren" opens
    expect(reply_form).to_be_visible(timeout=WAIT)
    expect(reply_form.get_by_label("Uw antwoord")).to_be_focused()
    assert_accessible(page)
    reply = unique("Ook wij zien die administratieve last")
    reply_form.get_by_label("Uw antwoord").fill(reply)
    reply_form.get_by_role("button", name="Plaats antwoord").click()
    nested = page.locator(f"#comment-{triade_id} > ol.replies > li.comment > article", has_text=reply)
    expect(nested).to_be_visible(timeout=WAIT)
    assert_same_page(page, navigations)

    # Editing one's own comment: the form comes in place of the comment, the new text shows with "bewerkt".
    mine = comment_item(page, body)
    mine_id = mine.get_attribute("id").removeprefix("comment-")
    mine.locator(":scope > article").get_by_role("link", name="Bewerken").click()
    edit_form = page.locator(f"#form-edit-{mine_id}")
    expect(edit_form).to_be_visible(timeout=WAIT)
    edited = unique("Re-care vindt het doel helder, na bewerking")
    edit_form.get_by_label("Uw reactie").fill(edited)
    edit_form.get_by_role("button", name="Wijziging opslaan").click()
    after = page.locator(f"#comment-{mine_id} > article")
    expect(after.locator(".comment__body")).to_have_text(edited, timeout=WAIT)
    expect(after.locator(".comment__meta")).to_contain_text("bewerkt")
    expect(page.locator(f"#thread-{key}")).not_to_contain_text(body)
    assert_same_page(page, navigations)

    assert_accessible(page)
    assert page.console_errors == []

    # Without JavaScript "Reageren" leads to a page of its own with the form (also reached from a new tab, or
    # after signing in again); with JavaScript on, that form posts too and leads back to the thread.
    page.goto(f"/comments/{triade_id}/reply")
    expect(page.get_by_role("heading", level=1)).to_have_text("Antwoorden")
    assert_accessible(page)
    from_page = unique("Antwoord vanaf de eigen pagina")
    page.locator(f"#form-reply-{triade_id}").get_by_label("Uw antwoord").fill(from_page)
    page.get_by_role("button", name="Plaats antwoord").click()
    page.wait_for_url("**/sections/productoverzicht?*#comment-*", timeout=WAIT)
    expect(page.locator(f"#comment-{triade_id} li.comment > article", has_text=from_page)).to_be_visible()

    # The edit page of its own (a new tab) works the same way.
    page.goto(f"/comments/{mine_id}/edit")
    page.locator(f"#form-edit-{mine_id}").get_by_label("Uw reactie").fill(edited + " (vanaf de pagina)")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_url(f"**#comment-{mine_id}", timeout=WAIT)
    expect(page.locator(f"#comment-{mine_id} > article .comment__body")).to_have_text(edited + " (vanaf de pagina)")
    assert page.console_errors == []


def test_invalid_comment_shows_the_error_and_keeps_the_text(page):
    signed_in(page, "re-care@example.org")
    page.goto("/proposals/1")
    navigations = watch_navigation(page)
    key = "reikwijdte"
    form = open_new_comment_form(page, key)
    body = unique("Reactie zonder soort")
    form.get_by_label("Uw reactie").fill(body)
    form.get_by_role("button", name="Plaats reactie").click()

    error = page.locator(f"#new-{key}-kind-error")
    expect(error).to_be_visible(timeout=WAIT)
    fieldset = page.locator(f"#new-{key}-kind")
    expect(fieldset.locator(".field-error")).to_be_visible()  # the error sits in the kind field itself
    expect(fieldset).to_have_class(re.compile(r"\bfield--error\b"))
    expect(page.locator(f"#form-new-{key} .error-summary")).to_be_visible()
    expect(page.locator(f"#new-{key}-body")).to_have_value(body)
    expect(page.locator(f"#thread-{key} li.comment", has_text=body)).to_have_count(0)  # nothing was posted
    assert_same_page(page, navigations)
    assert_accessible(page)

    # The swapped-in form still posts with htmx: choosing a kind places the comment as typed.
    form = page.locator(f"#form-new-{key}")
    form.get_by_label("Zorg", exact=True).check()
    form.get_by_role("button", name="Plaats reactie").click()
    expect(comment_item(page, body)).to_be_visible(timeout=WAIT)
    expect(error).to_have_count(0)
    assert_same_page(page, navigations)
    # Chromium logs every 4xx response as a console error; the 422 is this test's point, anything else is not.
    others = [e for e in page.console_errors if "status of 422" not in e]
    assert others == []


def test_selecting_text_in_a_section_fills_its_quote_field(page):
    signed_in(page, "re-care@example.org")
    page.goto("/proposals/1")
    key = "eenheden-en-bekostiging"
    quote_field = page.locator(f'[data-quote-field="{key}"]')
    expect(quote_field).to_have_value("")
    selected = page.evaluate(
        """key => {
            const body = document.querySelector(`[data-quote-for="${key}"]`);
            const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, {
                acceptNode: n => n.textContent.trim().length > 20 ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP,
            });
            const node = walker.nextNode();
            const text = node.textContent;
            const start = text.search(/\\S/);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + 20);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            body.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
            return selection.toString();
        }""",
        key,
    )
    assert len(selected.strip()) > 5
    expected = " ".join(selected.split())
    expect(quote_field).to_have_value(expected, timeout=WAIT)
    expect(quote_field).to_be_visible()  # its <details> was opened
    # Another section's quote field stays empty.
    expect(page.locator('[data-quote-field="reikwijdte"]')).to_have_value("")
    assert page.console_errors == []


def test_withdrawing_own_comment_leaves_a_marker(page):
    signed_in(page, "triade-vitree@example.org")
    page.goto("/proposals/1")
    navigations = watch_navigation(page)
    key = "vraag-outputbekostiging"
    body = unique("Triade trekt deze reactie in")
    mine = post_comment(page, key, "Steun", body)
    mine_id = mine.get_attribute("id").removeprefix("comment-")
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    mine.locator(":scope > article").get_by_role("button", name="Intrekken").click()
    gone = page.locator(f"#comment-{mine_id}")
    expect(gone.locator(".comment__withdrawn")).to_contain_text("ingetrokken", timeout=WAIT)
    expect(gone).to_have_class(re.compile(r"\bcomment--withdrawn\b"))
    expect(page.locator(f"#thread-{key}")).not_to_contain_text(body)
    assert dialogs == ["Wilt u deze reactie intrekken?"]
    assert_same_page(page, navigations)
    assert_accessible(page)
    assert page.console_errors == []


def test_admin_proposal_pages_pass_axe(page):
    signed_in(page, "sdfl@example.org")
    for path in ("/admin/proposals", "/admin/proposals/1", "/proposals/1/history", "/proposals/1"):
        page.goto(path)
        assert_accessible(page)


def test_admin_writes_a_draft_with_live_preview_and_publishes(page):
    """The draft editor (with its live preview), a section page, a comparison and the answers page pass axe."""
    signed_in(page, "sdfl@example.org")
    title = unique("Voorstel")
    page.goto("/admin/proposals/new")
    page.fill("#field-title", title)
    page.fill("#field-opens_at", "2026-01-01T09:00")
    page.fill("#field-closes_at", "2030-01-01T17:00")
    page.click("button:has-text('Aanmaken')")
    expect(page.locator("h1")).to_have_text(title)
    page.fill("#new-heading", "Kwaliteit")
    page.fill("#new-body", "Een **sterke** tekst")
    expect(page.locator("#new-preview strong")).to_have_text("sterke", timeout=5000)  # htmx live preview
    assert_accessible(page)
    page.click("button:has-text('Toevoegen')")
    expect(page.locator(".section-editor h3")).to_contain_text("Kwaliteit")
    assert_accessible(page)
    page.click("button:has-text('Controleren en publiceren')")
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleer voor u publiceert")  # what goes out
    assert_accessible(page)
    page.click("button:has-text('Versie 1 publiceren')")
    expect(page.locator("main [role=status]")).to_contain_text("Gepubliceerd")
    proposal_id = page.url.split("/admin/proposals/")[1].split("?")[0]
    for path in (
        f"/proposals/{proposal_id}/sections/kwaliteit",
        "/admin/proposals/1/answers",
    ):
        page.goto(path)
        assert_accessible(page)
