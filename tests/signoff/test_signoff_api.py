"""The sign-off settings in the API (issue 17): `GET/PUT /api/v1/dialogues/{id}/signoff`. SDFL chooses with a
write key and If-Match; municipalities read; nobody else sees the settings. Per role."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.models import AuditEvent, Municipality
from tests import factories
from tests.helpers import bearer, make_key

ADMIN, MUNICIPALITY, PROVIDER = "sdfl@example.org", "almere@example.org", "rodante@example.org"


@pytest.fixture
def trajectory(db: Session):
    made = factories.demo_dialogue(db)
    factories.accounts(db, ADMIN, MUNICIPALITY, PROVIDER)
    factories.demo_municipalities(db)
    db.commit()
    return made


def town(db: Session, name: str) -> Municipality:
    return db.exec(select(Municipality).where(Municipality.name == name)).one()


def test_the_admin_reads_the_default_and_replaces_it_with_if_match(client, db, trajectory):
    key = make_key(db, ADMIN)
    url = f"/api/v1/dialogues/{trajectory.id}/signoff"
    first = client.get(url, headers=bearer(key))
    assert first.status_code == 200
    body = first.json()
    assert body["chosen"] is False
    assert [m["name"] for m in body["municipalities"]] == ["Almere", "Dronten", "Noordoostpolder", "Urk"]
    urk, dronten = town(db, "Urk"), town(db, "Dronten")

    missing = client.put(url, json={"municipality_ids": [urk.id]}, headers=bearer(key))
    assert missing.status_code == 428
    stale = client.put(url, json={"municipality_ids": [urk.id]}, headers={**bearer(key), "If-Match": '"nope"'})
    assert stale.status_code == 412

    changed = client.put(
        url, json={"municipality_ids": [urk.id, dronten.id]}, headers={**bearer(key), "If-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["chosen"] is True
    assert [m["name"] for m in changed.json()["municipalities"]] == ["Dronten", "Urk"]
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert client.get(url, headers=bearer(key)).json() == changed.json()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "signoff.required_changed")).one()
    assert event.after == {"municipalities": ["Dronten", "Urk"]}

    none = client.put(url, json={"municipality_ids": []}, headers={**bearer(key), "If-Match": changed.headers["ETag"]})
    assert none.status_code == 200 and none.json()["municipalities"] == []


def test_bad_input_is_a_clear_422_and_an_unknown_trajectory_404(client, db, trajectory):
    key = make_key(db, ADMIN)
    url = f"/api/v1/dialogues/{trajectory.id}/signoff"
    etag = client.get(url, headers=bearer(key)).headers["ETag"]
    for ids in ([999_999], [0], [-3]):
        bad = client.put(url, json={"municipality_ids": ids}, headers={**bearer(key), "If-Match": etag})
        assert bad.status_code == 422, ids
        assert bad.headers["content-type"].startswith("application/problem+json")
    extra = client.put(url, json={"municipality_ids": [], "x": 1}, headers={**bearer(key), "If-Match": etag})
    assert extra.status_code == 422
    assert client.get("/api/v1/dialogues/987654/signoff", headers=bearer(key)).status_code == 404
    assert client.get("/api/v1/dialogues/99999999999/signoff", headers=bearer(key)).status_code in (404, 422)


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [(None, 401, 401), (PROVIDER, 403, 403), (MUNICIPALITY, 200, 403), (ADMIN, 200, 200)],
)
def test_per_role(client, db, trajectory, who, read, write):
    headers = bearer(make_key(db, who)) if who else {}
    url = f"/api/v1/dialogues/{trajectory.id}/signoff"
    got = client.get(url, headers=headers)
    assert got.status_code == read
    etag = got.headers.get("ETag", '"x"')
    put = client.put(url, json={"municipality_ids": []}, headers={**headers, "If-Match": etag})
    assert put.status_code == write
    chosen = client.get(url, headers=bearer(make_key(db, ADMIN))).json()["chosen"]
    assert chosen is (write == 200)
