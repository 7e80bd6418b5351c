"""SDFL asks for the Woo archive of a trajectory on its administration page, in Chromium: the panel, the status
page and the download; both pages pass axe-core (WCAG 2.1 AA) at 320 and 1280 px wide."""

from __future__ import annotations

import io
import zipfile

from playwright.sync_api import expect

from app import demo_content
from tests.browser.test_coauthoring_signoff_pages import accessible_at_every_width
from tests.browser.test_proposal_journey import WAIT, signed_in


def test_sdfl_makes_and_downloads_the_woo_archive(page):
    signed_in(page, "sdfl@example.org")
    page.goto("/admin/dialogues")
    page.get_by_role("link", name=demo_content.DIALOGUE["title"]).first.click()
    expect(page.get_by_role("heading", name="Woo-archief")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)

    page.get_by_label("Zonder persoonsgegevens").check()
    page.get_by_role("button", name="Archief maken").click()
    expect(page.get_by_role("heading", level=1, name="Woo-archief")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("link", name="Archief downloaden")).to_be_visible(timeout=WAIT)
    accessible_at_every_width(page)

    with page.expect_download(timeout=WAIT) as info:
        page.get_by_role("link", name="Archief downloaden").click()
    download = info.value
    assert download.suggested_filename.endswith("-zonder-persoonsgegevens.zip")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        assert "manifest.json" in archive.namelist() and "LEESMIJ.txt" in archive.namelist()
    assert page.console_errors == []
