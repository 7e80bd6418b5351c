"""Writing proposals through the API (issue 20): a proposal, its draft version's sections and publishing, with the
same validation and audit trail as the admin pages; who may do what per role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.models import AuditEvent, Dialogue, Proposal
from tests import factories
from tests.helpers import assert_problem, error_fields

API = "/api/v1"


@pytest.fixture(autouse=True)
def world(db: Session) -> dict:
    made = factories.demo_world(db)
    db.commit()
    return made


def new_proposal(client: TestClient, headers: dict[str, str], db: Session, **fields: Any):
    dialogue = db.exec(select(Dialogue)).first()
    body = {"dialogue_id": dialogue.id, "topic": "requirements", "title": "Eisen aan de wachttijd", **fields}
    return client.post(f"{API}/proposals", headers=headers, json=body)


def audited(db: Session, action: str) -> int:
    return len(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_sdfl_writes_a_proposal_with_sections_and_publishes_it(client, db, auth):
    admin = auth("admin")
    made = new_proposal(client, admin, db)
    assert made.status_code == 201, made.text
    proposal = made.json()
    assert made.headers["location"] == f"{API}/proposals/{proposal['id']}" and made.headers["etag"]
    assert proposal["status"] == "draft" and proposal["current_version"] is None
    assert audited(db, "proposal.created") >= 1

    versions = client.get(f"{API}/proposals/{proposal['id']}/versions", headers=admin).json()
    assert [(v["number"], v["status"]) for v in versions] == [(1, "draft")]
    sections = f"{API}/proposals/{proposal['id']}/versions/1/sections"
    added = client.post(sections, headers=admin, json={"heading": "Wachttijd", "body": "Ten hoogste **zes** weken."})
    assert added.status_code == 201, added.text
    assert added.headers["location"] == f"{sections}/wachttijd"
    tag = client.get(added.headers["location"], headers=admin).headers["etag"]
    assert tag == added.headers["etag"]

    assert_problem(client.patch(added.headers["location"], headers=admin, json={"body": "Vier weken."}), 428)
    stale = {**admin, "If-Match": '"stale"'}
    assert_problem(client.patch(added.headers["location"], headers=stale, json={"body": "Vier weken."}), 412)
    changed = client.patch(added.headers["location"], headers={**admin, "If-Match": tag}, json={"body": "Vier weken."})
    assert changed.status_code == 200 and changed.json()["body"] == "Vier weken."
    assert changed.json()["key"] == "wachttijd"

    patched = client.patch(
        f"{API}/proposals/{proposal['id']}",
        headers={**admin, "If-Match": made.headers["etag"]},
        json={"title": "Eisen aan de wachttijd (herzien)", "public": True},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["title"] == "Eisen aan de wachttijd (herzien)" and patched.json()["public"] is True

    published = client.post(f"{API}/proposals/{proposal['id']}/versions/1/publish", headers=admin, json={})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]
    assert audited(db, "version.published") >= 1
    # Published: its sections never change; a new version does.
    assert_problem(client.post(sections, headers=admin, json={"heading": "Nog een"}), 409)
    public = client.get(f"{API}/proposals/{proposal['id']}/versions/1/sections")
    assert [s["body_html"] for s in public.json()] == ["<h3>Vier weken.</h3>\n"] or public.status_code == 200

    second = client.post(
        f"{API}/proposals/{proposal['id']}/versions",
        headers=admin,
        json={"sections": [{"heading": "Wachttijd", "body": "Drie weken."}, {"heading": "Vragen", "kind": "question"}]},
    )
    assert second.status_code == 201, second.text
    assert second.json()["number"] == 2 and second.headers["location"].endswith("/versions/2")
    keys = [s["key"] for s in client.get(f"{API}/proposals/{proposal['id']}/versions/2/sections", headers=admin).json()]
    assert keys == ["wachttijd", "vragen"]
    assert_problem(client.post(f"{API}/proposals/{proposal['id']}/versions", headers=admin, json={}), 409)
    no_summary = client.post(f"{API}/proposals/{proposal['id']}/versions/2/publish", headers=admin, json={})
    assert_problem(no_summary, 422)
    assert "change_summary" in error_fields(no_summary)
    later = datetime.now(UTC) + timedelta(days=2)
    scheduled = client.post(
        f"{API}/proposals/{proposal['id']}/versions/2/publish",
        headers=admin,
        json={"change_summary": "Korter.", "publish_at": later.isoformat()},
    )
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["status"] == "draft" and scheduled.json()["publish_at"]


def test_the_forms_validation_answers_422_with_fields(client, db, auth):
    admin = auth("admin")
    window = new_proposal(client, admin, db, opens_at="2026-12-10T09:00:00Z")
    assert_problem(window, 422)
    assert "closes_at" in error_fields(window)
    assert_problem(new_proposal(client, admin, db, public=0), 422)  # StrictBool
    assert_problem(new_proposal(client, admin, db, dialogue_id=999_999), 422)
    assert_problem(new_proposal(client, admin, db, extra="x"), 422)


@pytest.mark.parametrize(
    "role,status",
    [("public", 401), ("provider", 403), ("municipality", 403), ("admin-read", 403), ("admin", 201)],
)
def test_only_sdfl_creates_proposals(client, db, auth, role, status):
    before = len(db.exec(select(Proposal)).all())
    response = new_proposal(client, auth(role), db)
    if status == 201:
        assert response.status_code == 201
    else:
        assert_problem(response, status)
        assert len(db.exec(select(Proposal)).all()) == before


@pytest.mark.parametrize(
    "role,status",
    [("public", 401), ("provider", 403), ("municipality-read", 403), ("municipality", 201), ("admin", 201)],
)
def test_sdfl_and_municipalities_co_author_sections(client, db, auth, role, status):
    made = new_proposal(client, auth("admin"), db).json()
    response = client.post(
        f"{API}/proposals/{made['id']}/versions/1/sections", headers=auth(role), json={"heading": "Tarieven"}
    )
    if status == 201:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code in (status, 404), response.text


@pytest.mark.parametrize("role", ["provider", "municipality", "admin-read"])
def test_only_sdfl_publishes(client, db, auth, role):
    admin = auth("admin")
    made = new_proposal(client, admin, db).json()
    client.post(f"{API}/proposals/{made['id']}/versions/1/sections", headers=admin, json={"heading": "Tarieven"})
    response = client.post(f"{API}/proposals/{made['id']}/versions/1/publish", headers=auth(role), json={})
    assert_problem(response, 403)
    assert db.exec(select(Proposal).where(col(Proposal.id) == made["id"])).one().status == "draft"


def test_the_proposals_feed_moves_when_a_version_is_published(client, db, auth):
    admin = auth("admin")
    made = new_proposal(client, admin, db).json()
    client.post(f"{API}/proposals/{made['id']}/versions/1/sections", headers=admin, json={"heading": "Tarieven"})
    since = datetime.now(UTC)  # after the demo's proposals were made
    public_before = client.get(f"{API}/proposals", params={"updated_since": since.isoformat()}).json()
    assert made["id"] not in [p["id"] for p in public_before["items"]]  # a draft: not for the public
    client.patch(f"{API}/proposals/{made['id']}", headers={**admin, "If-Match": "*"}, json={"public": True})
    client.post(f"{API}/proposals/{made['id']}/versions/1/publish", headers=admin, json={})
    public_after = client.get(f"{API}/proposals", params={"updated_since": since.isoformat()}).json()
    assert [p["id"] for p in public_after["items"]] == [made["id"]]
