"""Limits on writing (issue 14, point 9) and Idempotency-Keys bound to their request (point 11).

Comments, replies and internal notes draw on a budget per user (browser) or per API key (its own budget):
generous for people (10 a minute, 120 an hour by default), a script that floods gets 429 with Retry-After and a
clear message, and a form comes back with the text kept. The budget is counted in the database, so it holds
across processes; time is the app's clock.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.accounts import service as accounts
from app.config import get_settings
from app.kit import clock
from app.models import Comment, InternalNote, Proposal, ProposalVersion, Section
from tests import factories
from tests.helpers import csrf_from, find_user, login


@pytest.fixture(autouse=True)
def people(db) -> None:
    """A provider's and a municipality's user (the demo's addresses) and a public proposal, made by factories."""
    factories.accounts(db, "rodante@example.org", "almere@example.org")
    factories.proposal(db, slug="product-structure", public=True)
    db.commit()


API = "/api/v1"
PROVIDER = "rodante@example.org"
MUNICIPALITY = "almere@example.org"


def key_for(db: Session, email: str) -> dict[str, str]:
    _row, key = accounts.create_api_key(db, owner=find_user(db, email), scope="write", name="script", actor=None)
    db.commit()
    return {"Authorization": f"Bearer {key}"}


def public_section(db: Session) -> tuple[Proposal, Section]:
    proposal = db.exec(select(Proposal).where(Proposal.slug == "product-structure")).one()
    section = db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == 1)
        .order_by(Section.position)
    ).first()
    return proposal, section


def comments_of(db: Session, email: str) -> int:
    """Comments written by ``email`` in this test (the demo's own are older than the test's clock)."""
    return db.exec(
        select(func.count())
        .select_from(Comment)
        .where(Comment.author_id == find_user(db, email).id, col(Comment.created_at) >= STARTED[0])
    ).one()


STARTED = [clock.now()]


@pytest.fixture(autouse=True)
def _started() -> None:
    STARTED[0] = clock.now()


@pytest.fixture
def limits(monkeypatch) -> Iterator[None]:
    """Smaller budgets, set as an operator would (environment), so a test needs few requests."""
    for name, value in {
        "DIALOOG_WRITE_LIMIT_PER_MINUTE": "3",
        "DIALOOG_WRITE_LIMIT_PER_HOUR": "5",
        "DIALOOG_API_WRITE_LIMIT_PER_MINUTE": "4",
        "DIALOOG_API_WRITE_LIMIT_PER_HOUR": "100",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_burst_of_200_comments_by_one_api_key_gets_429_with_retry_after_and_no_5xx(client, db):
    _proposal, section = public_section(db)
    key = key_for(db, PROVIDER)
    clock.freeze(clock.now())
    codes = Counter()
    refused = None
    for i in range(200):
        response = client.post(
            f"{API}/comments", headers=key, json={"section_id": section.id, "kind": "zorg", "body": f"Reactie {i}"}
        )
        codes[response.status_code] += 1
        if response.status_code == 429 and refused is None:
            refused = response
    assert set(codes) == {201, 429}, codes
    assert codes[201] == get_settings().api_write_limit_per_minute  # the default budget: 30 a minute
    assert refused is not None
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "retry after" in refused.json()["detail"]
    assert comments_of(db, PROVIDER) == codes[201]
    # A minute later the key may write again.
    clock.advance(timedelta(seconds=61))
    again = client.post(f"{API}/comments", headers=key, json={"section_id": section.id, "kind": "zorg", "body": "Weer"})
    assert again.status_code == 201


def post_comment(browser: TestClient, proposal: Proposal, section: Section, body: str, *, htmx: bool = False):
    page = browser.get(f"/proposals/{proposal.id}/sections/{section.key}")
    token = csrf_from(page.text)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    data = {"kind": "zorg", "body": body, "csrf_token": token}
    if form_token:
        data["form_token"] = form_token.group(1)
    return browser.post(
        f"/proposals/{proposal.id}/sections/{section.key}/comments",
        data=data,
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )


def test_a_person_is_slowed_down_with_the_text_kept_then_may_go_on(app, db, limits):
    proposal, section = public_section(db)
    clock.freeze(clock.now())
    with TestClient(app, base_url="http://testserver") as browser:
        assert login(browser, PROVIDER).status_code == 303
        for i in range(3):
            assert post_comment(browser, proposal, section, f"Reactie {i}").status_code == 303
        refused = post_comment(browser, proposal, section, "Mijn vierde, zorgvuldig geschreven reactie.")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "Wacht" in refused.text and "uw tekst staat nog in het formulier" in refused.text
        assert "Mijn vierde, zorgvuldig geschreven reactie." in refused.text  # the text is kept in the form
        htmx = post_comment(browser, proposal, section, "Via htmx.", htmx=True)
        assert htmx.status_code == 429 and "Via htmx." in htmx.text and "retry-after" in htmx.headers
        assert comments_of(db, PROVIDER) == 3

        clock.advance(timedelta(seconds=61))
        assert post_comment(browser, proposal, section, "Na een minuut.").status_code == 303
        assert post_comment(browser, proposal, section, "En nog een.").status_code == 303
        # Five an hour: the sixth waits until the first leaves the hour.
        clock.advance(timedelta(seconds=61))
        hourly = post_comment(browser, proposal, section, "Te veel dit uur.")
        assert hourly.status_code == 429
        assert int(hourly.headers["retry-after"]) > 60 * 55
        assert comments_of(db, PROVIDER) == 5


def test_an_api_key_has_its_own_budget_beside_its_owners_browser(app, client, db, limits):
    proposal, section = public_section(db)
    clock.freeze(clock.now())
    key = key_for(db, PROVIDER)
    with TestClient(app, base_url="http://testserver") as browser:
        assert login(browser, PROVIDER).status_code == 303
        for i in range(3):
            assert post_comment(browser, proposal, section, f"Reactie {i}").status_code == 303
        assert post_comment(browser, proposal, section, "Te veel.").status_code == 429
    body = {"section_id": section.id, "kind": "zorg", "body": "Via de koppeling."}
    codes = [client.post(f"{API}/comments", headers=key, json=body).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 201, 429]


def test_replies_count_too_and_a_refused_one_stores_nothing(client, db, limits):
    _proposal, section = public_section(db)
    clock.freeze(clock.now())
    key = key_for(db, PROVIDER)
    first = client.post(f"{API}/comments", headers=key, json={"section_id": section.id, "kind": "zorg", "body": "Eén"})
    assert first.status_code == 201
    reply = {"section_id": section.id, "parent_id": first.json()["id"], "body": "Een antwoord."}
    codes = [client.post(f"{API}/comments", headers=key, json=reply).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert comments_of(db, PROVIDER) == 4


def test_internal_notes_are_limited_per_reviewer(app, db, limits):
    _proposal, section = public_section(db)
    author = find_user(db, PROVIDER)
    comment = Comment(section_id=section.id, author_id=author.id, provider_id=author.provider_id, kind="zorg", body="x")
    db.add(comment)
    db.commit()
    clock.freeze(clock.now())
    with TestClient(app, base_url="http://testserver") as browser:
        assert login(browser, MUNICIPALITY).status_code == 303

        def note(text: str):
            token = csrf_from(browser.get(f"/review/comments/{comment.id}").text)
            return browser.post(
                f"/review/comments/{comment.id}/notes",
                data={"note": text, "csrf_token": token},
                follow_redirects=False,
            )

        assert [note(f"Notitie {i}").status_code for i in range(3)] == [303, 303, 303]
        refused = note("Een vierde notitie met inhoud.")
        assert refused.status_code == 429 and "retry-after" in refused.headers
        assert "Een vierde notitie met inhoud." in refused.text
    count = db.exec(select(func.count()).select_from(InternalNote).where(InternalNote.comment_id == comment.id)).one()
    assert count == 3


def test_an_idempotency_key_is_bound_to_its_request(client, db):
    _proposal, section = public_section(db)
    key = key_for(db, PROVIDER)
    body = {"section_id": section.id, "kind": "zorg", "body": "Eenmaal."}
    headers = {**key, "Idempotency-Key": "abc-123"}
    first = client.post(f"{API}/comments", headers=headers, json=body)
    retry = client.post(f"{API}/comments", headers=headers, json=body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    other = client.post(f"{API}/comments", headers=headers, json={**body, "body": "Iets anders."})
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "Idempotency-Key" in other.json()["detail"]
    assert comments_of(db, PROVIDER) == 1
    # A retry does not draw on the budget: it made nothing new.
    assert client.post(f"{API}/comments", headers=headers, json=body).status_code == 200


def test_every_change_through_the_api_draws_on_the_keys_budget(client, db):
    """Not only comments: any POST, PUT, PATCH or DELETE with a key counts (120 a minute by default); then 429 with
    Retry-After and the RateLimit headers, reads stay free, and a minute later the key may change things again."""
    factories.accounts(db, "sdfl@example.org")
    key = key_for(db, "sdfl@example.org")
    other = key_for(db, "sdfl@example.org")
    clock.freeze(clock.now())
    budget = get_settings().api_change_limit_per_minute
    codes = Counter(
        client.post(f"{API}/care-forms", headers=key, json={"name": f"Zorgvorm {i}"}).status_code
        for i in range(budget + 3)
    )
    assert codes == {201: budget, 429: 3}
    refused = client.post(f"{API}/care-forms", headers=key, json={"name": "Nog een"})
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == str(budget) and refused.headers["ratelimit-remaining"] == "0"
    assert "API key" in refused.json()["detail"]
    assert client.get(f"{API}/care-forms", headers=key).status_code == 200  # reading is not a change
    assert client.post(f"{API}/care-forms", headers=other, json={"name": "Andere sleutel"}).status_code == 201
    clock.advance(timedelta(seconds=61))
    assert client.post(f"{API}/care-forms", headers=key, json={"name": "Weer"}).status_code == 201
