"""A session's admin page holds two forms (the session's details and a new agenda item) that both have a "Titel":
every id on the page is unique and every field has its own label, also when a form comes back with errors."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests import factories
from tests.helpers import post_form

LABELLED = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _Page(HTMLParser):
    """The ids of a page, its labels (``for`` and wrapping) and its form controls, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self._open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"] or "")
        if tag == "label":
            self._open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag in LABELLED and (a.get("type") or "text") not in UNLABELLED_TYPES:
            self.controls.append({**a, "_tag": tag, "_wrapped": "yes" if self._open_labels else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._open_labels:
            self._open_labels -= 1


def unlabelled_or_duplicate(html: str) -> tuple[list[str], list[str]]:
    """The ids used more than once, and the controls without a label of their own (a label's ``for`` names the
    first element with that id: a second control with the id has no label)."""
    page = _Page()
    page.feed(html)
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    first_with_id: dict[str, int] = {}
    for index, c in enumerate(page.controls):
        if c.get("id"):
            first_with_id.setdefault(c["id"] or "", index)
    unlabelled = []
    for index, c in enumerate(page.controls):
        if c["_wrapped"] or c.get("aria-label") or c.get("aria-labelledby"):
            continue
        cid = c.get("id")
        if not cid or cid not in page.label_for or first_with_id.get(cid) != index:
            unlabelled.append(f"<{c['_tag']} name={c.get('name')!r} id={cid!r}>")
    return duplicates, unlabelled


@pytest.fixture
def meeting(db):
    made = factories.meeting(db)
    db.commit()
    return made


@pytest.mark.signed_in("admin")
def test_the_session_page_has_unique_ids_and_a_label_for_every_field(client, meeting):
    html = client.get(f"/admin/sessions/{meeting.id}").text
    assert "Agendapunt toevoegen" in html and "Gegevens" in html  # both forms are there
    assert unlabelled_or_duplicate(html) == ([], [])


@pytest.mark.signed_in("admin")
def test_an_agenda_item_with_errors_points_at_the_agenda_form(client, meeting):
    response = post_form(
        client,
        f"/admin/sessions/{meeting.id}/agenda",
        {"title": "", "starts": "", "ends": ""},
        page=f"/admin/sessions/{meeting.id}",
    )
    assert response.status_code == 422
    assert unlabelled_or_duplicate(response.text) == ([], [])
    # The summary links to the agenda form's fields, and the session's own title field shows no error.
    assert 'href="#item-title"' in response.text
    assert 'id="item-title-error"' in response.text and 'id="error-title"' not in response.text


@pytest.mark.signed_in("admin")
def test_an_agenda_item_page_has_unique_ids_and_labels(client, meeting, db):
    item = factories.agenda(db, meeting)[0]
    html = client.get(f"/admin/sessions/{meeting.id}/agenda/{item.id}").text
    assert unlabelled_or_duplicate(html) == ([], [])
