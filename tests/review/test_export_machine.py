"""The feedback export for machines (issue 20): format=json (a page of the change feed) and format=ndjson (every
item, one per line), English keys, ISO 8601 UTC times, withdrawn comments included and marked, reviewers' details;
reviewers only; the spreadsheet formats stay as they were."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from app.kit import clock
from tests import factories
from tests.helpers import assert_problem, find_section, find_user

API = "/api/v1"


@pytest.fixture(autouse=True)
def world(db: Session) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


def _comments(db: Session) -> tuple[int, int, datetime]:
    """Two comments a day after the demo's data: one withdrawn, one with a note; and that moment."""
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    clock.freeze(start)
    section = find_section(db, "product-structure", "productoverzicht")
    author = find_user(db, "re-care@example.org")
    kept = factories.comment(db, section, author, "Blijft staan.")
    gone = factories.comment(db, section, author, "Ingetrokken.", deleted_at=start, updated_at=start)
    db.commit()
    return kept.id or 0, gone.id or 0, start


def test_ndjson_holds_every_comment_with_english_keys_and_utc_times(client, db, auth):
    kept, gone, start = _comments(db)
    admin = auth("admin")
    assert client.post(f"{API}/comments/{kept}/notes", headers=admin, json={"body": "Intern."}).status_code == 201
    response = client.get(
        f"{API}/comments/export", headers=admin, params={"format": "ndjson", "updated_since": start.isoformat()}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    items = [json.loads(line) for line in response.text.splitlines()]
    assert [i["id"] for i in items] == [kept, gone] or sorted(i["id"] for i in items) == sorted([kept, gone])
    by_id = {i["id"]: i for i in items}
    assert by_id[gone]["withdrawn"] is True and by_id[gone]["body"] is None
    assert [n["body"] for n in by_id[kept]["notes"]] == ["Intern."]
    assert by_id[kept]["created_at"].endswith("Z") or by_id[kept]["created_at"].endswith("+00:00")
    assert response.headers["x-rows"] == "2"


def test_json_is_a_page_of_the_feed_continued_by_its_cursor(client, db, auth):
    _comments(db)
    municipality = auth("municipality")
    first = client.get(f"{API}/comments/export", headers=municipality, params={"format": "json", "page_size": 1})
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    assert page["items"][0]["positions"] == [] and page["items"][0]["notes"] == []
    seen = [page["items"][0]["id"]]
    cursor = page["next_cursor"]
    while cursor:
        more = client.get(
            f"{API}/comments/export", headers=municipality, params={"format": "json", "page_size": 50, "cursor": cursor}
        ).json()
        seen += [i["id"] for i in more["items"]]
        cursor = more["next_cursor"]
    assert len(seen) == len(set(seen)) == first.json()["total"]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
@pytest.mark.parametrize("role,status", [("public", 401), ("provider", 403), ("municipality", 200), ("admin", 200)])
def test_only_reviewers_export(client, db, auth, fmt, role, status):
    response = client.get(f"{API}/comments/export", headers=auth(role), params={"format": fmt})
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        assert_problem(response, status)


def test_feed_parameters_go_with_the_machine_formats_only(client, db, auth):
    response = client.get(
        f"{API}/comments/export",
        headers=auth("admin"),
        params={"format": "csv", "updated_since": "2026-01-01T00:00:00Z"},
    )
    assert_problem(response, 422)
