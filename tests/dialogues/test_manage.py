"""Administering trajectories: the admin pages (new, edit, criteria, frameworks, milestones, warnings, delete or
archive) and the API (GET list and one with ETag, POST, PATCH with If-Match), with who may do what per role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from app import demo_content
from app.kit import clock
from app.models import AuditEvent, CareForm, Dialogue, Milestone, SelectionCriterion
from tests import factories
from tests.helpers import assert_problem, error_fields, key_headers, local, post_form


def _trajectory(db, **overrides) -> Dialogue:
    d = factories.dialogue(db, new=True, **overrides)
    for position, c in enumerate(demo_content.DIALOGUE["criteria"], start=1):
        db.add(
            SelectionCriterion(dialogue_id=d.id, position=position, title=c["title"], text=c["text"], basis=c["basis"])
        )
    db.commit()
    return d


# --- admin pages ------------------------------------------------------------------------------------------------


def test_admin_creates_a_trajectory_and_fills_its_lists(db, as_admin) -> None:
    assert as_admin.get("/admin/dialogues").status_code == 200
    r = post_form(
        as_admin,
        "/admin/dialogues/new",
        {
            "title": "Logeren",
            "slug": "logeren-2027",
            "kind": "consultation",
            "status": "draft",
            "description": "Een **consultatie**.",
            "tender_reference": "SDFL-LOG",
        },
        page="/admin/dialogues/new",
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/admin/dialogues/logeren-2027")
    d = db.exec(select(Dialogue).where(Dialogue.slug == "logeren-2027")).one()
    assert (d.kind, d.status, d.tender_reference) == ("consultation", "draft", "SDFL-LOG")
    page = "/admin/dialogues/logeren-2027"
    assert (
        post_form(
            as_admin, f"{page}/criteria", {"title": "Houding", "text": "Meedenken", "basis": "assessment"}, page=page
        ).status_code
        == 303
    )
    assert post_form(as_admin, f"{page}/criteria", {"title": "Omvang", "basis": "size"}, page=page).status_code == 303
    assert (
        post_form(
            as_admin, f"{page}/frameworks", {"title": "Hervormingsagenda", "url": "https://example.org/ha"}, page=page
        ).status_code
        == 303
    )
    due = clock.now() + timedelta(days=30)
    assert (
        post_form(
            as_admin, f"{page}/milestones", {"title": "Aanbesteding", "kind": "tender", "due_at": local(due)}, page=page
        ).status_code
        == 303
    )
    criteria = db.exec(
        select(SelectionCriterion)
        .where(SelectionCriterion.dialogue_id == d.id)
        .order_by(col(SelectionCriterion.position))
    ).all()
    assert [c.title for c in criteria] == ["Houding", "Omvang"]
    # reorder without JavaScript
    assert (
        post_form(as_admin, f"{page}/criteria/{criteria[1].id}/move", {"direction": "up"}, page=page).status_code == 303
    )
    db.expire_all()
    criteria = db.exec(
        select(SelectionCriterion)
        .where(SelectionCriterion.dialogue_id == d.id)
        .order_by(col(SelectionCriterion.position))
    ).all()
    assert [c.title for c in criteria] == ["Omvang", "Houding"]
    # edit and remove
    assert (
        post_form(
            as_admin, f"{page}/criteria/{criteria[0].id}", {"title": "Omvang en belang", "basis": "size"}, page=page
        ).status_code
        == 303
    )
    assert post_form(as_admin, f"{page}/criteria/{criteria[1].id}/delete", page=page).status_code == 303
    db.expire_all()
    assert [
        c.title for c in db.exec(select(SelectionCriterion).where(SelectionCriterion.dialogue_id == d.id)).all()
    ] == ["Omvang en belang"]
    html = as_admin.get(page).text
    assert "Hervormingsagenda" in html and "Aanbesteding" in html
    audit = db.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "dialogue", AuditEvent.entity_id == str(d.id))
    ).all()
    assert len(audit) >= 6 and all(e.after is not None for e in audit)
    assert audit[-1].before is not None


def test_invalid_forms_come_back_with_the_errors_next_to_the_fields(db, as_admin) -> None:
    _trajectory(db, slug="bezet")
    r = post_form(
        as_admin,
        "/admin/dialogues/new",
        {"title": "", "slug": "Niet Goed!", "kind": "dialogue", "status": "draft"},
        page="/admin/dialogues/new",
    )
    assert r.status_code == 422
    assert 'id="error-title"' in r.text and 'id="error-slug"' in r.text and "Niet Goed!" in r.text
    r = post_form(
        as_admin,
        "/admin/dialogues/new",
        {"title": "Dubbel", "slug": "bezet", "kind": "dialogue", "status": "draft"},
        page="/admin/dialogues/new",
    )
    assert r.status_code == 409 and "al in gebruik" in r.text
    page = "/admin/dialogues/bezet"
    r = post_form(as_admin, f"{page}/milestones", {"title": "x" * 201, "kind": "other", "due_at": "morgen"}, page=page)
    assert r.status_code == 422
    assert (
        'id="milestone-new-title-error"' in r.text
        and 'id="milestone-new-due_at-error"' in r.text
        and "morgen" in r.text
    )
    r = post_form(as_admin, f"{page}/frameworks", {"title": "Kader", "url": "javascript:alert(1)"}, page=page)
    assert r.status_code == 422 and 'id="framework-new-url-error"' in r.text


def test_warnings_for_unmet_milestones_and_participant_numbers(db, as_admin) -> None:
    d = _trajectory(db, slug="multi-test")
    db.add(
        Milestone(
            dialogue_id=d.id,
            title="Save-the-dates versturen",
            kind="save_the_date",
            due_at=clock.now() - timedelta(days=1),
        )
    )
    for _ in range(3):
        factories.provider(db)
    db.commit()
    html = as_admin.get("/admin/dialogues/multi-test").text
    assert "Save-the-dates versturen" in html and "niet als gehaald gemarkeerd" in html
    assert "Er nemen 3 aanbieders deel; voor deze dialoog zijn 10 tot 15 deelnemers beoogd." in html
    assert "Er nemen 3 aanbieders deel" in as_admin.get("/admin/dialogues").text
    m = db.exec(select(Milestone).where(Milestone.dialogue_id == d.id)).one()
    assert (
        post_form(
            as_admin,
            f"/admin/dialogues/multi-test/milestones/{m.id}/met",
            {"met": "1"},
            page="/admin/dialogues/multi-test",
        ).status_code
        == 303
    )
    db.refresh(m)
    assert m.met_at is not None
    assert "niet als gehaald gemarkeerd" not in as_admin.get("/admin/dialogues/multi-test").text


def test_delete_only_an_empty_draft_else_archive(db, as_admin) -> None:
    used = _trajectory(db, slug="met-sessies", status="active")
    factories.meeting(db)
    empty = _trajectory(db, slug="leeg", status="draft")
    db.commit()
    r = post_form(
        as_admin, "/admin/dialogues/met-sessies/delete", {"confirm": "1"}, page="/admin/dialogues/met-sessies"
    )
    assert r.status_code == 409 and "1 sessies" in r.text and "archiveer" in r.text
    assert db.get(Dialogue, used.id) is not None
    r = post_form(as_admin, "/admin/dialogues/leeg/delete", {"confirm": "1"}, page="/admin/dialogues/leeg")
    assert r.status_code == 303
    db.expire_all()
    assert db.get(Dialogue, empty.id) is None
    r = post_form(
        as_admin,
        "/admin/dialogues/met-sessies",
        {"title": used.title, "slug": "met-sessies", "kind": "dialogue", "status": "archived"},
        page="/admin/dialogues/met-sessies",
    )
    assert r.status_code == 303
    db.refresh(used)
    assert used.status == "archived"


@pytest.mark.parametrize("role", ["provider", "participant", "municipality"])
def test_only_admins_administer_trajectories(db, browser, role) -> None:
    _trajectory(db, slug="alleen-beheer")
    client = browser(role)
    for path in ("/admin/dialogues", "/admin/dialogues/new", "/admin/dialogues/alleen-beheer"):
        assert client.get(path).status_code == 403
    assert browser().get("/admin/dialogues", follow_redirects=False).status_code in (303, 401)


# --- the API ----------------------------------------------------------------------------------------------------


def test_api_create_list_get_patch(db, client) -> None:
    admin = factories.admin(db)
    care = CareForm(key="logeren", name="Logeren")
    db.add(care)
    db.commit()
    write = key_headers(db, admin, "write")
    body = {
        "slug": "logeren",
        "title": "Consultatie logeren",
        "kind": "consultation",
        "care_form": "logeren",
        "status": "active",
        "criteria": [{"title": "Houding", "text": "Meedenken", "basis": "assessment"}],
        "frameworks": [{"title": "Groeipijn", "url": "https://example.org/groeipijn"}],
        "milestones": [{"title": "Contractstart", "kind": "contract_start", "due_at": "2027-01-01T00:00:00+01:00"}],
    }
    r = client.post("/api/v1/dialogues", json=body, headers=write)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == f"/api/v1/dialogues/{created['id']}"
    assert created["care_form"] == "logeren" and created["kind"] == "consultation"
    assert [c["title"] for c in created["criteria"]] == ["Houding"]
    assert created["milestones"][0]["due_at"].startswith("2026-12-31T23:00")
    assert any(d["slug"] == "logeren" for d in client.get("/api/v1/dialogues").json()["items"])
    one = client.get(f"/api/v1/dialogues/{created['id']}")
    etag = one.headers["etag"]
    path = f"/api/v1/dialogues/{created['id']}"
    assert_problem(client.patch(path, json={"title": "Nieuw"}, headers=write), 428)
    assert_problem(client.patch(path, json={"title": "Nieuw"}, headers={**write, "If-Match": '"oud"'}), 412)
    crit_id = created["criteria"][0]["id"]
    r = client.patch(
        path,
        json={
            "title": "Consultatie logeren 2027",
            "tender_reference": "SDFL-2026-LOG",
            "criteria": [
                {"id": crit_id, "title": "Houding", "basis": "assessment"},
                {"title": "Omvang", "basis": "size"},
            ],
        },
        headers={**write, "If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert r.json()["tender_reference"] == "SDFL-2026-LOG"
    assert r.json()["criteria"][0]["id"] == crit_id
    assert r.headers["etag"] != etag
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "dialogue.updated")).first() is not None


def test_api_validation_and_conflicts(db, client) -> None:
    _trajectory(db, slug="bestaat")
    write = key_headers(db, factories.admin(db), "write")
    r = client.post("/api/v1/dialogues", json={"slug": "bestaat", "title": "Dubbel"}, headers=write)
    assert error_fields(r) == ["slug"] and assert_problem(r, 409)
    r = client.post(
        "/api/v1/dialogues",
        json={"slug": "Fout Slug", "title": "", "criteria": [{"title": "x", "basis": "size"}] * 31},
        headers=write,
    )
    assert_problem(r, 422)
    assert {"slug", "title", "criteria"} <= set(error_fields(r))
    r = client.post(
        "/api/v1/dialogues", json={"slug": "zonder-vorm", "title": "T", "care_form": "bestaat-niet"}, headers=write
    )
    assert_problem(r, 422) and error_fields(r) == ["care_form"]
    r = client.post(
        "/api/v1/dialogues",
        json={"slug": "m", "title": "T", "milestones": [{"title": "", "due_at": "2026-01-01T00:00:00Z"}]},
        headers=write,
    )
    assert_problem(r, 422) and "milestones.0.title" in error_fields(r)


@pytest.mark.parametrize(
    ("role", "sees_drafts", "writes"),
    [
        (None, False, False),
        ("provider", False, False),
        ("participant", False, False),
        ("municipality", True, False),
        ("admin", True, True),
    ],
)
def test_api_per_role(db, client, role, sees_drafts, writes) -> None:
    active = _trajectory(db, slug="actief", status="active")
    draft = _trajectory(db, slug="concept", status="draft")
    archived = _trajectory(db, slug="archief", status="archived")
    headers = key_headers(db, factories.user(db, role), "write") if role else {}
    slugs = {d["slug"] for d in client.get("/api/v1/dialogues", headers=headers).json()["items"]}
    assert "actief" in slugs
    assert ({"concept", "archief"} <= slugs) == sees_drafts
    assert client.get(f"/api/v1/dialogues/{draft.id}", headers=headers).status_code == (200 if sees_drafts else 404)
    assert client.get(f"/api/v1/dialogues/{archived.id}", headers=headers).status_code == (200 if sees_drafts else 404)
    etag = client.get(f"/api/v1/dialogues/{active.id}", headers=headers).headers["etag"]
    r = client.post("/api/v1/dialogues", json={"slug": f"nieuw-{role}", "title": "Nieuw"}, headers=headers)
    p = client.patch(f"/api/v1/dialogues/{active.id}", json={"title": "Anders"}, headers={**headers, "If-Match": etag})
    if writes:
        assert r.status_code == 201 and p.status_code == 200
    else:
        assert_problem(r, 401 if role is None else 403)
        assert_problem(p, 401 if role is None else 403)


def test_api_read_key_of_an_admin_reads_but_never_writes(db, client) -> None:
    d = _trajectory(db, slug="alleen-lezen", status="draft")
    read = key_headers(db, factories.admin(db), "read")
    assert client.get(f"/api/v1/dialogues/{d.id}", headers=read).status_code == 200
    assert_problem(client.post("/api/v1/dialogues", json={"slug": "x", "title": "X"}, headers=read), 403)


def test_the_etag_is_of_what_the_reader_sees(db, client) -> None:
    """The public and staff read the same body of an active trajectory, so the same tag; a change moves it."""
    d = _trajectory(db, slug="zelfde-tag", status="active")
    staff = key_headers(db, factories.municipality_user(db), "read")
    public = client.get(f"/api/v1/dialogues/{d.id}")
    assert public.headers["etag"] == client.get(f"/api/v1/dialogues/{d.id}", headers=staff).headers["etag"]
    write = key_headers(db, factories.admin(db), "write")
    r = client.patch(
        f"/api/v1/dialogues/{d.id}", json={"status": "closed"}, headers={**write, "If-Match": public.headers["etag"]}
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert client.get(f"/api/v1/dialogues/{d.id}").headers["etag"] not in (public.headers["etag"],)
    r = client.patch(
        f"/api/v1/dialogues/{d.id}", json={"slug": "new"}, headers={**write, "If-Match": r.headers["etag"]}
    )
    assert_problem(r, 422)
    assert error_fields(r) == ["slug"]
