"""After every comment action the page says what happened (issue 18): htmx answers carry the message and the
element to focus (``HX-Trigger-After-Settle``, event ``dialoog:done``); a plain browser is sent back with a code
that the section page shows as a banner above the comment. Withdrawing without JavaScript asks first. The
proposal page's comment forms are closed until opened; a section links to its discussion in earlier versions."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.kit.notices import Notices, announce, with_notice
from app.models import Comment
from tests import factories
from tests.helpers import HTMX, csrf_from, find_proposal, post_comment, publish_next_version, signed_in

PROVIDER = "re-care@example.org"
OTHER_PROVIDER = "triade-vitree@example.org"


@pytest.fixture(autouse=True)
def world(db) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


def said(response) -> dict[str, str]:
    """What the htmx answer tells the page: {"message": ..., "focus": ...}."""
    header = response.headers.get("HX-Trigger-After-Settle")
    assert header, f"no HX-Trigger-After-Settle on {response.request.url}"
    assert header.isascii()
    return json.loads(header)["dialoog:done"]


def htmx_headers(client: TestClient, pid: int) -> dict[str, str]:
    token = csrf_from(client.get(f"/proposals/{pid}").text)
    return {**HTMX, "X-CSRF-Token": token, "HX-Current-URL": f"http://testserver/proposals/{pid}"}


def the_comment(db: Session, body: str) -> Comment:
    return db.exec(select(Comment).where(Comment.body == body)).one()


# --- the helper ------------------------------------------------------------------------------------------


def test_a_notice_code_goes_before_the_fragment_and_only_known_codes_show() -> None:
    assert with_notice("/a?page=2#comment-5", "posted") == "/a?page=2&done=posted#comment-5"
    assert with_notice("/a", "saved") == "/a?done=saved"
    notices = Notices({"saved": "Opgeslagen."})
    assert notices.message("saved") == "Opgeslagen."
    assert notices.message("<script>") == "" and notices.message(None) == ""
    with pytest.raises(KeyError):
        notices.url("/a", "unknown")
    header = announce("Status gewijzigd naar ‘bespreken in sessie’", focus="#row-5")["HX-Trigger-After-Settle"]
    assert header.isascii()
    assert json.loads(header) == {
        "dialoog:done": {"message": "Status gewijzigd naar ‘bespreken in sessie’", "focus": "#row-5"}
    }


# --- with htmx: say it and move the focus -----------------------------------------------------------------


def test_htmx_post_reply_edit_and_withdraw_say_what_happened_and_where(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    pid = proposal.id
    signed_in(client, PROVIDER)

    posted = post_comment(client, pid, "reikwijdte", {"kind": "zorg", "body": "Met htmx geplaatst."}, htmx=True)
    assert posted.status_code == 200
    mine = the_comment(db, "Met htmx geplaatst.")
    assert said(posted) == {"message": "Uw reactie is geplaatst.", "focus": f"#comment-{mine.id} > article"}
    assert f'id="comment-{mine.id}"' in posted.text  # the element to focus is in the fragment

    headers = htmx_headers(client, pid)
    replied = client.post(
        f"/proposals/{pid}/sections/reikwijdte/comments",
        data={"body": "Een antwoord met htmx.", "parent_id": str(mine.id)},
        headers=headers,
    )
    assert replied.status_code == 200
    reply = the_comment(db, "Een antwoord met htmx.")
    assert said(replied) == {"message": "Uw antwoord is geplaatst.", "focus": f"#comment-{reply.id} > article"}
    assert f'id="comment-{reply.id}"' in replied.text

    # "Bewerken": the edit form comes with the caret in its text, so the next Tab stays in the form.
    form = client.get(f"/comments/{mine.id}/edit", headers=HTMX)
    assert form.status_code == 200
    assert said(form) == {"focus": f"#edit-{mine.id}-body"}
    assert f'id="edit-{mine.id}-body"' in form.text

    edited = client.post(
        f"/comments/{mine.id}/edit", data={"kind": "zorg", "body": "Met htmx gewijzigd."}, headers=headers
    )
    assert edited.status_code == 200
    assert said(edited) == {"message": "Uw reactie is gewijzigd.", "focus": f"#comment-{mine.id} > article"}

    withdrawn = client.post(f"/comments/{mine.id}/withdraw", data={"confirm": "1"}, headers=headers)
    assert withdrawn.status_code == 200
    assert said(withdrawn) == {"message": "Uw reactie is ingetrokken.", "focus": f"#comment-{mine.id} > article"}
    assert f'id="comment-{mine.id}"' in withdrawn.text and "ingetrokken" in withdrawn.text


def test_htmx_rejected_post_and_edit_focus_their_error_summary(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    empty = post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": ""}, htmx=True)
    assert empty.status_code == 422
    assert empty.headers["HX-Retarget"] == "#form-new-reikwijdte"
    assert said(empty) == {
        "message": "Uw reactie is nog niet geplaatst. Bekijk de fouten.",
        "focus": "#form-new-reikwijdte .error-summary",
    }
    assert 'class="error-summary"' in empty.text

    post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Wordt straks leeg."})
    mine = the_comment(db, "Wordt straks leeg.")
    headers = htmx_headers(client, proposal.id)
    rejected = client.post(f"/comments/{mine.id}/edit", data={"kind": "zorg", "body": " "}, headers=headers)
    assert rejected.status_code == 422
    assert said(rejected) == {
        "message": "Uw wijziging is nog niet opgeslagen. Bekijk de fouten.",
        "focus": f"#form-edit-{mine.id} .error-summary",
    }
    reply = client.post(
        f"/proposals/{proposal.id}/sections/reikwijdte/comments",
        data={"body": "", "parent_id": str(mine.id)},
        headers=headers,
    )
    assert reply.status_code == 422
    assert said(reply)["message"] == "Uw antwoord is nog niet geplaatst. Bekijk de fouten."
    assert said(reply)["focus"] == f"#form-reply-{mine.id} .error-summary"


# --- without JavaScript: a banner after the redirect ------------------------------------------------------


def banner_above(html: str, comment_id: int, message: str) -> bool:
    notice = rf'<p class="notice[^"]*" role="status" data-notice>{re.escape(message)}</p>'
    return re.search(rf'<li id="comment-{comment_id}"[^>]*>\s*{notice}', html) is not None


def test_plain_forms_lead_to_a_banner_above_the_comment(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    posted = post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Zonder script."})
    mine = the_comment(db, "Zonder script.")
    assert "done=posted" in posted.headers["location"]
    assert banner_above(client.get(posted.headers["location"]).text, mine.id, "Uw reactie is geplaatst.")

    token = csrf_from(client.get(f"/proposals/{proposal.id}").text)
    replied = client.post(
        f"/proposals/{proposal.id}/sections/reikwijdte/comments",
        data={"body": "Antwoord zonder script.", "parent_id": str(mine.id), "csrf_token": token},
        follow_redirects=False,
    )
    reply = the_comment(db, "Antwoord zonder script.")
    assert banner_above(client.get(replied.headers["location"]).text, reply.id, "Uw antwoord is geplaatst.")

    edited = client.post(
        f"/comments/{mine.id}/edit",
        data={"kind": "zorg", "body": "Zonder script gewijzigd.", "csrf_token": token},
        follow_redirects=False,
    )
    assert banner_above(client.get(edited.headers["location"]).text, mine.id, "Uw reactie is gewijzigd.")

    # An unknown code or a comment id that is not a number shows nothing (no text from the address).
    section = f"/proposals/{proposal.id}/sections/reikwijdte"
    for query in (f"?done=hacked&comment={mine.id}", "?done=posted&comment=x", "?done=posted"):
        assert "data-notice" not in client.get(section + query).text


def test_withdrawing_without_javascript_asks_first(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Misschien trek ik dit in."})
    mine = the_comment(db, "Misschien trek ik dit in.")
    token = csrf_from(client.get(f"/proposals/{proposal.id}").text)

    asked = client.post(f"/comments/{mine.id}/withdraw", data={"csrf_token": token}, follow_redirects=False)
    assert asked.status_code == 200
    assert "<h1>Wilt u deze reactie intrekken?</h1>" in asked.text
    assert "Misschien trek ik dit in." in asked.text  # what is withdrawn
    assert 'name="confirm" value="1"' in asked.text
    assert f'href="/comments/{mine.id}"' in asked.text  # the way back
    db.refresh(mine)
    assert mine.deleted_at is None

    done = client.post(
        f"/comments/{mine.id}/withdraw", data={"csrf_token": token, "confirm": "1"}, follow_redirects=False
    )
    assert done.status_code == 303 and "done=withdrawn" in done.headers["location"]
    db.refresh(mine)
    assert mine.deleted_at is not None
    assert banner_above(client.get(done.headers["location"]).text, mine.id, "Uw reactie is ingetrokken.")
    # Asking again for a withdrawn comment: the conflict, not a second question.
    assert client.post(f"/comments/{mine.id}/withdraw", data={"csrf_token": token}).status_code == 409


def test_no_confirmation_page_for_someone_elses_comment(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Van Re-care."})
    mine = the_comment(db, "Van Re-care.")
    client.cookies.clear()
    signed_in(client, OTHER_PROVIDER)
    token = csrf_from(client.get(f"/proposals/{proposal.id}").text)
    assert client.post(f"/comments/{mine.id}/withdraw", data={"csrf_token": token}).status_code == 403


# --- the proposal page: closed forms, earlier discussion --------------------------------------------------


def test_comment_forms_are_closed_until_opened_or_shown_again_with_errors(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    page = client.get(f"/proposals/{proposal.id}").text
    forms = re.findall(r'<details class="new-comment"[^>]*>', page)
    assert len(forms) >= 5  # one per section, also the sections without comments
    assert all(" open" not in tag for tag in forms)
    assert 'Reageer op dit onderdeel<span class="visually-hidden">: Doel en uitgangspunten</span>' in page

    # Shown again with its errors (no JavaScript: the section page), the form is open.
    invalid = post_comment(client, proposal.id, "reikwijdte", {"kind": "", "body": "Zonder soort."})
    assert invalid.status_code == 422
    assert re.search(r'<details class="new-comment" open>\s*<summary>', invalid.text)
    assert "Zonder soort." in invalid.text
    # The form may be far down: the top of the page says so, with a link to it.
    top = invalid.text.index('<a href="#form-new-reikwijdte">Uw reactie is nog niet geplaatst.')
    assert top < invalid.text.index('id="thread-reikwijdte"')


def test_each_section_links_to_its_discussion_in_the_version_before(client: TestClient, db: Session) -> None:
    proposal = find_proposal(db, "product-structure")
    signed_in(client, PROVIDER)
    post_comment(client, proposal.id, "reikwijdte", {"kind": "zorg", "body": "Op versie 1."})
    publish_next_version(db)
    page = client.get(f"/proposals/{proposal.id}").text
    link = re.search(
        rf'<a href="/proposals/{proposal.id}/sections/reikwijdte\?version=1#thread-reikwijdte">'
        r"Eerdere discussie: (\d+) reacties? in versie 1<",
        page,
    )
    assert link, "no link to the discussion of version 1"
    earlier = client.get(f"/proposals/{proposal.id}/sections/reikwijdte?version=1").text
    assert 'id="thread-reikwijdte"' in earlier and "Op versie 1." in earlier
    # A section without comments in version 1 has no such link.
    quiet = [
        key
        for key in re.findall(r'<section class="proposal-section" id="section-([^"]+)"', page)
        if f"sections/{key}?version=1#thread-{key}" not in page
    ]
    assert quiet, "every section had comments in version 1: the test shows nothing"
