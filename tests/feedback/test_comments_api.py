"""The proposals and comments API (/api/v1): who may read and write what, the comment filters, ETag and
If-Match, the comment window, idempotent creation, sanitised Markdown, withdrawn comments and the OpenAPI
document.

Every test arranges its own data in the rolled-back ``db`` session (committed, i.e. a savepoint, before the
first request) on top of the demo data: proposal "product-structure" is public, "contract-terms" is not, both
are published (version 1) with their comment window open.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.kit import clock
from app.models import (
    Comment,
    CommentRevision,
    Proposal,
    ProposalVersion,
    Section,
    User,
    Visibility,
)
from app.proposals import manage
from tests import factories
from tests.conftest import PRINCIPALS
from tests.helpers import (
    assert_problem,
    error_fields,
    find_proposal,
    find_provider,
    find_section,
    find_user,
    publish_next_version,
)


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories."""
    made = factories.demo_world(db)
    db.commit()
    return made


API = "/api/v1"
PROBLEM = "application/problem+json"
PUBLIC_SLUG = "product-structure"
PRIVATE_SLUG = "contract-terms"

ROLES = ["public", "provider", "municipality", "admin", "provider-read", "municipality-read", "admin-read"]
PROVIDER_SLUG = {"provider": "re-care", "other-provider": "triade-vitree"}


# --- helpers -------------------------------------------------------------------------------------


def user_of(db: Session, role: str) -> User:
    return find_user(db, PRINCIPALS[role][0])


def first_section(db: Session, slug: str = PUBLIC_SLUG) -> Section:
    return find_section(db, slug, "productoverzicht" if slug == PUBLIC_SLUG else "indexering")


def comment_count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Comment)).one()


def visible_comment_count(db: Session) -> int:
    """Comments every participant sees in the demo data: no internal notes, no unreleased official replies."""
    return db.exec(
        select(func.count())
        .select_from(Comment)
        .where(Comment.visibility == Visibility.participants, col(Comment.official).is_(False))
    ).one()


def at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def post(client, headers: dict[str, str], section_id: int, **fields: Any):
    payload = {"section_id": section_id, "kind": "zorg", "body": "Een reactie.", **fields}
    return client.post(f"{API}/comments", headers=headers, json=payload)


def create(client, headers: dict[str, str], section_id: int, **fields: Any) -> dict[str, Any]:
    response = post(client, headers, section_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()


def etag(client, headers: dict[str, str], comment_id: int) -> str:
    response = client.get(f"{API}/comments/{comment_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


def with_if_match(headers: dict[str, str], tag: str) -> dict[str, str]:
    return {**headers, "If-Match": tag}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def writer_of(role: str) -> str:
    """The write key of the same user as ``role`` (a read key's owner writes with this one)."""
    email = PRINCIPALS[role][0]
    return next(name for name, (owner, scope) in PRINCIPALS.items() if owner == email and scope == "write")


@pytest.fixture
def draft(db: Session) -> Proposal:
    """A draft proposal (public flag on, window open, one section): only admins may know it exists."""
    admin = find_user(db, "sdfl@example.org")
    now = clock.now()
    p = manage.create_proposal(
        db,
        manage.ProposalInput(
            topic="requirements",
            title="Eisen aan professionals",
            summary="Nog niet gepubliceerd.",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=10),
            public=True,
        ),
        actor=admin,
    )
    manage.add_section(
        db, p, manage.SectionInput(heading="Kwalificaties", body="Een **SKJ**-registratie.", kind="text"), actor=admin
    )
    db.commit()
    return p


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    return parser.tags


# --- reading proposals, per role -----------------------------------------------------------------

VISIBLE_PROPOSALS = {
    "public": {PUBLIC_SLUG},
    "provider": {PUBLIC_SLUG, PRIVATE_SLUG},
    "municipality": {PUBLIC_SLUG, PRIVATE_SLUG, "draft"},  # a co-author reads drafts (issue 17)
    "provider-read": {PUBLIC_SLUG, PRIVATE_SLUG},
    "municipality-read": {PUBLIC_SLUG, PRIVATE_SLUG, "draft"},
    "admin": {PUBLIC_SLUG, PRIVATE_SLUG, "draft"},
    "admin-read": {PUBLIC_SLUG, PRIVATE_SLUG, "draft"},
}


@pytest.mark.parametrize("role", ROLES)
def test_list_proposals_shows_what_each_role_may_read(client, db, auth, draft, role):
    response = client.get(f"{API}/proposals", headers=auth(role))
    assert response.status_code == 200
    body = response.json()
    expected = {draft.slug if s == "draft" else s for s in VISIBLE_PROPOSALS[role]}
    assert {p["slug"] for p in body["items"]} == expected
    assert body["total"] == len(expected) and body["page"] == 1 and body["pages"] == 1
    titles = [p["title"] for p in body["items"]]
    assert titles == sorted(titles)

    by_slug = {p["slug"]: p for p in body["items"]}
    public = by_slug[PUBLIC_SLUG]
    demo = find_proposal(db, PUBLIC_SLUG)
    assert public["id"] == demo.id and public["dialogue_id"] == demo.dialogue_id
    assert public["title"] == "Productstructuur multidisciplinaire jeugdhulp"
    assert (public["topic"], public["status"], public["public"]) == ("product_structure", "published", True)
    assert (public["current_version"], public["window"]) == (1, "open")
    assert at(public["closes_at"]) == demo.closes_at
    if PRIVATE_SLUG in by_slug:
        assert by_slug[PRIVATE_SLUG]["public"] is False and by_slug[PRIVATE_SLUG]["current_version"] == 1
    if draft.slug in by_slug:
        assert by_slug[draft.slug]["status"] == "draft"
        assert by_slug[draft.slug]["current_version"] is None  # nothing published yet


# Per role: the answer for the public proposal, the non-public one and the draft.
READ_STATUS = {
    "public": (200, 401, 404),
    "provider": (200, 200, 404),
    "municipality": (200, 200, 200),  # municipalities co-author drafts (issue 17)
    "provider-read": (200, 200, 404),
    "municipality-read": (200, 200, 200),
    "admin": (200, 200, 200),
    "admin-read": (200, 200, 200),
}


@pytest.mark.parametrize("which", ["public", "non-public", "draft"])
@pytest.mark.parametrize("role", ROLES)
def test_reading_one_proposal_its_versions_and_sections_per_role(client, db, auth, draft, role, which):
    target = {"public": find_proposal(db, PUBLIC_SLUG), "non-public": find_proposal(db, PRIVATE_SLUG), "draft": draft}[
        which
    ]
    status = READ_STATUS[role][["public", "non-public", "draft"].index(which)]
    headers = auth(role)
    base = f"{API}/proposals/{target.id}"
    responses = {
        path: client.get(base + path, headers=headers)
        for path in ("", "/versions", "/versions/1", "/versions/1/sections")
    }
    if status != 200:
        for response in responses.values():
            assert_problem(response, status)
            if status == 401:
                assert response.headers["www-authenticate"].startswith("Bearer")
        return

    one = responses[""]
    assert one.status_code == 200
    assert one.json()["id"] == target.id and one.json()["slug"] == target.slug
    assert one.headers["etag"].startswith('"') and one.headers["etag"].endswith('"')
    assert client.get(base, headers=headers).headers["etag"] == one.headers["etag"]  # stable while nothing changes

    version_status = "draft" if which == "draft" else "published"
    versions = responses["/versions"].json()
    assert [(v["proposal_id"], v["number"], v["status"]) for v in versions] == [(target.id, 1, version_status)]
    version = responses["/versions/1"]
    assert version.status_code == 200 and version.json() == versions[0]
    assert version.headers["etag"]

    stored = db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(ProposalVersion.proposal_id == target.id, ProposalVersion.number == 1)
        .order_by(col(Section.position))
    ).all()
    sections = responses["/versions/1/sections"].json()
    assert [(s["id"], s["key"], s["heading"], s["body"]) for s in sections] == [
        (s.id, s.key, s.heading, s.body) for s in stored
    ]
    assert len(sections) >= 1


def test_unknown_proposals_and_versions_are_404(client, auth):
    headers = auth("admin")
    for path in ("/proposals/999999", "/proposals/99999999999", "/proposals/0"):
        assert_problem(client.get(API + path, headers=headers), 404)
    demo = client.get(f"{API}/proposals", headers=headers).json()["items"][0]["id"]
    assert_problem(client.get(f"{API}/proposals/{demo}/versions/7", headers=headers), 404)
    assert_problem(client.get(f"{API}/proposals/{demo}/versions/7/sections", headers=headers), 404)


def test_draft_versions_are_listed_for_reviewers_only(client, db, auth):
    publish_next_version(db)
    manage.new_version(db, find_proposal(db, PUBLIC_SLUG), actor=find_user(db, "sdfl@example.org"))  # draft version 3
    db.commit()
    p = find_proposal(db, PUBLIC_SLUG)
    base = f"{API}/proposals/{p.id}"

    for reviewer in ("admin", "municipality"):  # SDFL and the municipalities co-author the draft
        seen = client.get(f"{base}/versions", headers=auth(reviewer)).json()
        assert [(v["number"], v["status"]) for v in seen] == [(1, "published"), (2, "published"), (3, "draft")]
        assert seen[1]["change_summary"] == "Tweede concept na de eerste reacties."
        assert client.get(f"{base}/versions/3", headers=auth(reviewer)).json()["status"] == "draft"

    for role in ("public", "provider"):
        seen = client.get(f"{base}/versions", headers=auth(role)).json()
        assert [(v["number"], v["status"]) for v in seen] == [(1, "published"), (2, "published")]
        assert_problem(client.get(f"{base}/versions/3", headers=auth(role)), 404)
        assert_problem(client.get(f"{base}/versions/3/sections", headers=auth(role)), 404)
        assert client.get(base, headers=auth(role)).json()["current_version"] == 2


# --- reading comments, per role ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_reading_comments_needs_a_participants_key(client, db, auth, role):
    demo = db.exec(select(Comment).order_by(col(Comment.id))).first()
    assert demo is not None
    listed = client.get(f"{API}/comments", headers=auth(role))
    one = client.get(f"{API}/comments/{demo.id}", headers=auth(role))
    if role == "public":
        for response in (listed, one):
            assert_problem(response, 401)
            assert response.headers["www-authenticate"].startswith("Bearer")
        return

    assert listed.status_code == 200
    body = listed.json()
    assert set(body) == {"items", "total", "page", "page_size", "pages", "next_cursor", "cursor"}
    # Every participant sees every participants' comment, on the non-public proposal too.
    assert body["total"] == visible_comment_count(db)
    assert {i["proposal_id"] for i in body["items"]} == {find_proposal(db, s).id for s in (PUBLIC_SLUG, PRIVATE_SLUG)}
    keys = [(at(i["created_at"]), i["id"]) for i in body["items"]]
    assert keys == sorted(keys)

    assert one.status_code == 200
    item = one.json()
    assert item == next(i for i in body["items"] if i["id"] == demo.id)
    assert item["body"] == demo.body and item["author"]["id"] == demo.author_id
    assert item["provider"]["id"] == demo.provider_id


def test_unknown_comments_are_404(client, auth):
    for comment_id in (999999, 99999999999, 0):
        assert_problem(client.get(f"{API}/comments/{comment_id}", headers=auth("provider")), 404)


def test_internal_notes_and_unreleased_official_replies_stay_out_of_the_api(client, db, auth):
    target = first_section(db)
    admin = find_user(db, "sdfl@example.org")
    note = Comment(section_id=target.id, author_id=admin.id, body="Intern: bespreken.", visibility=Visibility.internal)
    draft_reply = Comment(section_id=target.id, author_id=admin.id, body="Officieel antwoord (concept).", official=True)
    released = Comment(
        section_id=target.id,
        author_id=admin.id,
        body="Officieel antwoord.",
        official=True,
        release_at=clock.now() - timedelta(hours=1),
    )
    db.add_all([note, draft_reply, released])
    db.commit()

    for role in ("provider", "municipality", "admin"):
        listed = set(ids(client.get(f"{API}/comments", headers=auth(role), params={"page_size": 200})))
        assert note.id not in listed
        assert_problem(client.get(f"{API}/comments/{note.id}", headers=auth(role)), 404)
        assert released.id in listed
        assert client.get(f"{API}/comments/{released.id}", headers=auth(role)).json()["official"] is True
        # An official reply before its release moment: only SDFL sees it.
        assert (draft_reply.id in listed) == (role == "admin")
        answer = client.get(f"{API}/comments/{draft_reply.id}", headers=auth(role))
        assert answer.status_code == (200 if role == "admin" else 404)


# --- creating comments, per role -----------------------------------------------------------------

CREATE_STATUS = {
    "public": 401,
    "provider": 201,
    "municipality": 201,
    "admin": 201,
    "provider-read": 403,
    "municipality-read": 403,
    "admin-read": 403,
}


@pytest.mark.parametrize("slug", [PUBLIC_SLUG, PRIVATE_SLUG])
@pytest.mark.parametrize("role", ROLES)
def test_create_comment_per_role(client, db, auth, role, slug):
    target = first_section(db, slug)
    before = comment_count(db)
    response = post(client, auth(role), target.id, kind="vraag", body=f"Vraag van {role}.", quote="iJw-categorie")
    expected = CREATE_STATUS[role]
    if expected != 201:
        body = assert_problem(response, expected)
        if role.endswith("-read"):
            assert "read" in body["detail"]
        assert comment_count(db) == before
        return

    assert response.status_code == 201
    created = response.json()
    author = user_of(db, role)
    assert created["section_id"] == target.id and created["section_key"] == target.key
    assert created["proposal_id"] == find_proposal(db, slug).id and created["version"] == 1
    assert (created["kind"], created["body"], created["quote"]) == ("vraag", f"Vraag van {role}.", "iJw-categorie")
    assert created["body_html"] == f"<p>Vraag van {role}.</p>\n"
    assert (created["author"]["id"], created["author"]["name"]) == (author.id, author.name)
    assert created["parent_id"] is None and created["status"] == "nieuw" and created["official"] is False
    assert created["edited_at"] is None and created["withdrawn_at"] is None
    assert response.headers["location"] == f"/api/v1/comments/{created['id']}"
    assert response.headers["etag"]
    assert comment_count(db) == before + 1
    stored = db.get(Comment, created["id"])
    assert stored is not None and stored.author_id == author.id and stored.provider_id == author.provider_id


@pytest.mark.parametrize("role", ["provider", "other-provider", "municipality", "admin"])
def test_provider_users_comment_for_their_provider_and_others_for_none(client, db, auth, role):
    created = create(client, auth(role), first_section(db).id)
    author = user_of(db, role)
    if role in PROVIDER_SLUG:
        own = find_provider(db, PROVIDER_SLUG[role])
        assert author.provider_id == own.id
        assert created["provider"] == {"id": own.id, "name": own.name}
    else:
        assert created["provider"] is None
    assert (created["author"]["id"], created["author"]["name"]) == (author.id, author.name)
    # The same in the list and for another reader.
    again = client.get(f"{API}/comments/{created['id']}", headers=auth("municipality")).json()
    assert again["provider"] == created["provider"] and again["author"] == created["author"]


def test_a_provider_cannot_name_another_provider(client, db, auth):
    other = find_provider(db, "triade-vitree")
    response = post(client, auth("provider"), first_section(db).id, provider_id=other.id)
    assert_problem(response, 422)
    assert "provider_id" in error_fields(response)


# --- editing and withdrawing, per role -----------------------------------------------------------

OWN_STATUS = {
    "public": 401,
    "provider": 200,
    "municipality": 200,
    "admin": 200,
    "provider-read": 403,
    "municipality-read": 403,
    "admin-read": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_edit_own_comment_per_role(client, db, auth, role):
    author_role = "provider" if role == "public" else writer_of(role)
    created = create(client, auth(author_role), first_section(db).id, body="Eerste tekst.")
    tag = etag(client, auth(author_role), created["id"])
    response = client.patch(
        f"{API}/comments/{created['id']}", headers=with_if_match(auth(role), tag), json={"body": "Tweede tekst."}
    )
    stored = db.get(Comment, created["id"])
    assert stored is not None
    if OWN_STATUS[role] != 200:
        body = assert_problem(response, OWN_STATUS[role])
        if role.endswith("-read"):
            assert "read" in body["detail"]
        db.refresh(stored)
        assert stored.body == "Eerste tekst." and stored.edited_at is None
        return

    assert response.status_code == 200
    edited = response.json()
    assert edited["id"] == created["id"] and edited["body"] == "Tweede tekst."
    assert edited["body_html"] == "<p>Tweede tekst.</p>\n"
    assert edited["edited_at"] is not None and edited["kind"] == "zorg"
    revisions = db.exec(select(CommentRevision).where(CommentRevision.comment_id == created["id"])).all()
    assert [r.body for r in revisions] == ["Eerste tekst."]


@pytest.mark.parametrize(
    "author_role,editor_role",
    [
        ("provider", "other-provider"),
        ("provider", "municipality"),
        ("provider", "admin"),
        ("municipality", "provider"),
        ("admin", "provider"),
        ("admin", "municipality"),
    ],
)
def test_editing_someone_elses_comment_is_403(client, db, auth, author_role, editor_role):
    created = create(client, auth(author_role), first_section(db).id, body="Van mij.")
    tag = etag(client, auth(editor_role), created["id"])
    response = client.patch(
        f"{API}/comments/{created['id']}", headers=with_if_match(auth(editor_role), tag), json={"body": "Overschreven."}
    )
    assert_problem(response, 403)
    again = client.get(f"{API}/comments/{created['id']}", headers=auth(author_role))
    assert again.json()["body"] == "Van mij." and again.json()["edited_at"] is None
    # Unchanged as the editor reads it (a reviewer's representation has positions and notes, so its own tag).
    assert etag(client, auth(editor_role), created["id"]) == tag
    assert not db.exec(select(CommentRevision).where(CommentRevision.comment_id == created["id"])).all()


WITHDRAW_STATUS = {**OWN_STATUS, "provider": 204, "municipality": 204, "admin": 204}


@pytest.mark.parametrize("role", ROLES)
def test_withdraw_own_comment_per_role(client, db, auth, role):
    author_role = "provider" if role == "public" else writer_of(role)
    created = create(client, auth(author_role), first_section(db).id, body="Wordt misschien ingetrokken.")
    tag = etag(client, auth(author_role), created["id"])
    response = client.delete(f"{API}/comments/{created['id']}", headers=with_if_match(auth(role), tag))
    after = client.get(f"{API}/comments/{created['id']}", headers=auth(author_role)).json()
    if WITHDRAW_STATUS[role] != 204:
        body = assert_problem(response, WITHDRAW_STATUS[role])
        if role.endswith("-read"):
            assert "read" in body["detail"]
        assert after["withdrawn_at"] is None and after["body"] == "Wordt misschien ingetrokken."
        return
    assert response.status_code == 204 and response.content == b""
    assert after["withdrawn_at"] is not None and after["body"] is None


@pytest.mark.parametrize(
    "author_role,other_role",
    [("provider", "other-provider"), ("provider", "municipality"), ("provider", "admin"), ("admin", "provider")],
)
def test_withdrawing_someone_elses_comment_is_403(client, db, auth, author_role, other_role):
    created = create(client, auth(author_role), first_section(db).id, body="Blijft staan.")
    tag = etag(client, auth(other_role), created["id"])
    assert_problem(client.delete(f"{API}/comments/{created['id']}", headers=with_if_match(auth(other_role), tag)), 403)
    after = client.get(f"{API}/comments/{created['id']}", headers=auth(author_role)).json()
    assert after["withdrawn_at"] is None and after["body"] == "Blijft staan."


# --- the filters of GET /comments ----------------------------------------------------------------


@pytest.fixture
def filter_set(client, db, auth) -> dict[str, Any]:
    """Seven comments at known moments (one minute apart), on both proposals and on two versions:

    a provider   product-structure v1 productoverzicht  zorg
    b other-prov product-structure v1 reikwijdte        steun (status overgenomen)
    c municipal. product-structure v1 productoverzicht  vraag
    d provider   contract-terms    v1 indexering        suggestie
    -- version 2 of product-structure is published --
    e provider   product-structure v2 productoverzicht  steun
    f admin      product-structure v2 reikwijdte        zorg
    g other-prov product-structure v2 reikwijdte        reply to f (no kind)
    """
    start = (clock.now() + timedelta(minutes=5)).replace(microsecond=0)
    moments = iter(start + timedelta(minutes=i) for i in range(20))
    made: dict[str, Any] = {"start": start}

    def make(name: str, role: str, slug: str, key: str, number: int = 1, **fields: Any) -> None:
        at_ = next(moments)
        clock.freeze(at_)
        made[name] = create(client, auth(role), find_section(db, slug, key, number).id, **fields)
        made[f"{name}_at"] = at_

    make("a", "provider", PUBLIC_SLUG, "productoverzicht", kind="zorg")
    make("b", "other-provider", PUBLIC_SLUG, "reikwijdte", kind="steun")
    make("c", "municipality", PUBLIC_SLUG, "productoverzicht", kind="vraag")
    make("d", "provider", PRIVATE_SLUG, "indexering", kind="suggestie", suggested_text="Indexering volgt de OVA.")
    clock.freeze(next(moments))
    publish_next_version(db)
    make("e", "provider", PUBLIC_SLUG, "productoverzicht", 2, kind="steun")
    make("f", "admin", PUBLIC_SLUG, "reikwijdte", 2, kind="zorg")
    make("g", "other-provider", PUBLIC_SLUG, "reikwijdte", 2, kind=None, parent_id=made["f"]["id"])
    b = db.get(Comment, made["b"]["id"])
    assert b is not None
    b.status = "overgenomen"
    db.add(b)
    db.commit()
    made["ids"] = {name: made[name]["id"] for name in "abcdefg"}
    return made


def test_each_comment_filter_narrows_the_list(client, db, auth, filter_set):
    n = filter_set["ids"]
    since = filter_set["start"].isoformat()
    ps, ct = find_proposal(db, PUBLIC_SLUG).id, find_proposal(db, PRIVATE_SLUG).id
    re_care, triade = find_provider(db, "re-care").id, find_provider(db, "triade-vitree").id

    def listed(**params: Any) -> list[int]:
        return ids(client.get(f"{API}/comments", headers=auth("municipality"), params={"since": since, **params}))

    def expect(names: str) -> list[int]:
        return [n[x] for x in names]

    assert listed() == expect("abcdefg")  # oldest first
    assert listed(proposal_id=ps) == expect("abcefg")
    assert listed(proposal_id=ct) == expect("d")
    assert listed(proposal_id=ps, version=1) == expect("abc")
    assert listed(proposal_id=ps, version=2) == expect("efg")
    assert listed(section_key="productoverzicht") == expect("ace")
    assert listed(section_key="reikwijdte", version=2) == expect("fg")
    assert listed(section_key="bestaat-niet") == []
    assert listed(provider_id=re_care) == expect("ade")
    assert listed(provider_id=triade) == expect("bg")
    assert listed(kind="steun") == expect("be")
    assert listed(kind="suggestie") == expect("d")
    assert listed(status="overgenomen") == expect("b")
    assert listed(status="nieuw") == expect("acdefg")
    assert listed(proposal_id=ps, kind="zorg", provider_id=re_care) == expect("a")

    # since is inclusive: a comment made at exactly that moment is in.
    assert listed(since=filter_set["e_at"].isoformat()) == expect("efg")
    assert listed(since=(filter_set["g_at"] + timedelta(seconds=1)).isoformat()) == []
    # The same moment written with "Z", or in another time zone.
    e_at = filter_set["e_at"]
    assert listed(since=e_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")) == expect("efg")
    assert listed(since=e_at.astimezone(timezone(timedelta(hours=2))).isoformat()) == expect("efg")

    g = client.get(f"{API}/comments/{n['g']}", headers=auth("provider")).json()
    assert (g["parent_id"], g["kind"], g["version"], g["section_key"]) == (n["f"], None, 2, "reikwijdte")


def test_filters_apply_to_all_comments_not_just_new_ones(client, db, auth, filter_set):
    """Without since, the demo comments are filtered too: every item matches and the total is the DB's."""
    re_care = find_provider(db, "re-care")
    response = client.get(f"{API}/comments", headers=auth("provider"), params={"provider_id": re_care.id})
    body = response.json()
    expected = db.exec(select(func.count()).select_from(Comment).where(Comment.provider_id == re_care.id)).one()
    assert body["total"] == expected == len(body["items"])
    assert {i["provider"]["id"] for i in body["items"]} == {re_care.id}

    steun = client.get(f"{API}/comments", headers=auth("provider"), params={"kind": "steun"}).json()
    assert steun["total"] == db.exec(select(func.count()).select_from(Comment).where(Comment.kind == "steun")).one()
    assert {i["kind"] for i in steun["items"]} == {"steun"}


def test_comment_list_pages(client, auth, filter_set):
    n = filter_set["ids"]
    params = {"since": filter_set["start"].isoformat(), "page_size": 3}
    pages = [
        client.get(f"{API}/comments", headers=auth("admin"), params={**params, "page": p}).json() for p in (1, 2, 3, 4)
    ]
    assert [[i["id"] for i in page["items"]] for page in pages] == [
        [n["a"], n["b"], n["c"]],
        [n["d"], n["e"], n["f"]],
        [n["g"]],
        [],
    ]
    assert all((page["total"], page["pages"], page["page_size"]) == (7, 3, 3) for page in pages)
    assert [page["page"] for page in pages] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "params,field",
    [
        ({"kind": "boos"}, "kind"),
        ({"status": "afgewezen"}, "status"),
        ({"proposal_id": 0}, "proposal_id"),
        ({"version": 0}, "version"),
        ({"provider_id": "abc"}, "provider_id"),
        ({"since": "gisteren"}, "since"),
        ({"page_size": 201}, "page_size"),
        ({"section_key": "x" * 101}, "section_key"),
        # Found by the API fuzzer: moments without a date in UTC (a 500 on converting them), NUL (a 500 on
        # PostgreSQL).
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"since": "9999-12-31T23:59:59-14:00"}, "since"),
        ({"section_key": "a\x00b"}, "section_key"),
    ],
)
def test_invalid_comment_filters_are_422(client, auth, params, field):
    response = client.get(f"{API}/comments", headers=auth("provider"), params=params)
    assert_problem(response, 422)
    assert field in error_fields(response)


def test_since_at_the_edge_of_the_range_still_filters(client, auth, filter_set):
    """The earliest and latest moments that have a date in UTC are accepted (and select all, or nothing)."""
    everything = client.get(f"{API}/comments", headers=auth("admin"), params={"since": "0001-01-01T00:00:00Z"})
    assert everything.status_code == 200 and everything.json()["total"] >= 7
    nothing = client.get(f"{API}/comments", headers=auth("admin"), params={"since": "9999-12-31T23:59:59Z"})
    assert nothing.status_code == 200 and nothing.json()["total"] == 0


def test_since_without_a_time_zone_is_not_a_server_error(app, auth, filter_set):
    """A moment without an offset is either refused (422 on "since") or read as UTC; never a 500."""
    naive = filter_set["e_at"].astimezone(UTC).replace(tzinfo=None).isoformat()
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(f"{API}/comments", headers=auth("provider"), params={"since": naive})
    assert response.status_code == 422, f"{response.status_code}: {response.text}"  # refused: say the offset
    assert response.headers["content-type"].startswith(PROBLEM)
    assert "since" in error_fields(response)


def test_listing_comments_takes_the_same_number_of_queries_for_more_comments(client, db, auth, count_queries):
    headers = auth("municipality")
    target = first_section(db).id
    params = {"since": clock.now().isoformat(), "page_size": 50}
    create(client, auth("provider"), target)
    client.get(f"{API}/comments", headers=headers, params=params)  # the key's first use is written once
    with count_queries() as few:
        assert len(ids(client.get(f"{API}/comments", headers=headers, params=params))) == 1
    for i in range(12):
        create(client, auth("provider" if i % 2 else "other-provider"), target, body=f"Reactie {i}.")
    with count_queries() as many:
        assert len(ids(client.get(f"{API}/comments", headers=headers, params=params))) == 13
    assert many.count == few.count


# --- ETag and If-Match ---------------------------------------------------------------------------


def test_etag_changes_after_an_edit_and_if_match_is_enforced(client, db, auth):
    headers = auth("provider")
    created = post(client, headers, first_section(db).id, body="Origineel.")
    assert created.status_code == 201
    comment_id = created.json()["id"]
    url = f"{API}/comments/{comment_id}"
    first = created.headers["etag"]
    assert first.startswith('"') and first.endswith('"')

    db.expire_all()  # read back from the database, as a later request would
    read = client.get(url, headers=headers)
    assert read.headers["etag"] == first

    missing = client.patch(url, headers=headers, json={"body": "Zonder If-Match."})
    assert "If-Match" in assert_problem(missing, 428)["detail"]
    wrong = client.patch(url, headers=with_if_match(headers, '"nope"'), json={"body": "Verkeerde tag."})
    assert_problem(wrong, 412)

    edited = client.patch(url, headers=with_if_match(headers, first), json={"body": "Aangepast."})
    assert edited.status_code == 200 and edited.json()["body"] == "Aangepast."
    second = edited.headers["etag"]
    assert second != first

    db.expire_all()
    again = client.get(url, headers=headers)
    assert again.headers["etag"] == second  # the PATCH answer's ETag is the stored state's
    assert again.json()["body"] == "Aangepast." and again.json()["edited_at"] is not None

    stale = client.patch(url, headers=with_if_match(headers, first), json={"body": "Met een oude tag."})
    assert_problem(stale, 412)
    assert_problem(client.delete(url, headers=with_if_match(headers, first)), 412)
    assert_problem(client.delete(url, headers=headers), 428)
    assert client.get(url, headers=headers).json()["body"] == "Aangepast."

    # An edit that changes nothing keeps the ETag and adds no revision.
    same = client.patch(url, headers=with_if_match(headers, second), json={"body": "Aangepast."})
    assert same.status_code == 200 and same.headers["etag"] == second
    assert len(db.exec(select(CommentRevision).where(CommentRevision.comment_id == comment_id)).all()) == 1

    # "*" matches whatever the current ETag is.
    starred = client.patch(url, headers=with_if_match(headers, "*"), json={"quote": "iJw-categorie"})
    assert starred.status_code == 200 and starred.json()["quote"] == "iJw-categorie"
    third = starred.headers["etag"]
    assert third not in (first, second)

    # A list of tags matches when one of them is current (RFC 9110).
    listed = client.patch(url, headers=with_if_match(headers, f"{first}, {third}"), json={"body": "Uit een lijst."})
    assert listed.status_code == 200
    third = listed.headers["etag"]

    assert client.delete(url, headers=with_if_match(headers, third)).status_code == 204
    assert client.get(url, headers=headers).headers["etag"] not in (first, second, third)


def test_someone_elses_comment_is_403_even_without_if_match(client, db, auth):
    created = create(client, auth("provider"), first_section(db).id, body="Van mij.")
    url = f"{API}/comments/{created['id']}"
    other = auth("other-provider")
    assert_problem(client.patch(url, headers=other, json={"body": "Niet van jou."}), 403)
    assert_problem(client.delete(url, headers=other), 403)


def test_patch_keeps_omitted_fields_and_validates_the_result(client, db, auth):
    headers = auth("provider")
    created = create(
        client, headers, first_section(db).id, kind="suggestie", body="Zo beter.", quote="iJw", suggested_text="Nieuw."
    )
    url = f"{API}/comments/{created['id']}"
    tag = etag(client, headers, created["id"])

    kept = client.patch(url, headers=with_if_match(headers, tag), json={"body": "Zo nog beter."})
    assert kept.status_code == 200
    assert (kept.json()["kind"], kept.json()["quote"], kept.json()["suggested_text"]) == ("suggestie", "iJw", "Nieuw.")
    tag = kept.headers["etag"]

    # A suggestion text only goes with kind suggestie.
    refused = client.patch(url, headers=with_if_match(headers, tag), json={"kind": "steun"})
    assert_problem(refused, 422)
    assert "suggested_text" in error_fields(refused)
    for payload, field in (
        ({"body": ""}, "body"),
        ({"kind": None}, "kind"),
        ({"section_id": 1}, "section_id"),
        ({"body": "Met\x00NUL."}, "body"),
        ({"quote": "\x00"}, "quote"),
    ):
        response = client.patch(url, headers=with_if_match(headers, tag), json=payload)
        assert_problem(response, 422)
        assert field in error_fields(response)

    cleared = client.patch(url, headers=with_if_match(headers, tag), json={"kind": "steun", "suggested_text": ""})
    assert cleared.status_code == 200
    assert (cleared.json()["kind"], cleared.json()["suggested_text"], cleared.json()["quote"]) == ("steun", None, "iJw")


# --- the comment window and versions -------------------------------------------------------------


def _close_by_clock(db: Session, p: Proposal) -> None:
    assert p.closes_at is not None
    clock.freeze(p.closes_at + timedelta(minutes=1))


def _close_in_db(db: Session, p: Proposal) -> None:
    p.closes_at = clock.now() - timedelta(hours=1)
    db.add(p)
    db.commit()


@pytest.mark.parametrize("close", [_close_by_clock, _close_in_db], ids=["clock-after-closes_at", "closes_at-in-db"])
def test_after_the_window_closes_post_patch_and_delete_are_409(client, db, auth, close):
    headers = auth("provider")
    target = first_section(db)
    created = create(client, headers, target.id, body="Op tijd.")
    url = f"{API}/comments/{created['id']}"
    tag = etag(client, headers, created["id"])
    p = find_proposal(db, PUBLIC_SLUG)
    close(db, p)
    before = comment_count(db)

    assert client.get(f"{API}/proposals/{p.id}", headers=headers).json()["window"] == "closed"
    late = post(client, headers, target.id, body="Te laat.")
    assert "gesloten" in assert_problem(late, 409)["detail"]
    assert_problem(client.patch(url, headers=with_if_match(headers, tag), json={"body": "Te laat."}), 409)
    assert_problem(client.delete(url, headers=with_if_match(headers, tag)), 409)
    reply = post(client, auth("admin"), target.id, kind=None, parent_id=created["id"], body="Antwoord.")
    assert_problem(reply, 409)

    assert comment_count(db) == before
    after = client.get(url, headers=headers).json()
    assert after["body"] == "Op tijd." and after["edited_at"] is None and after["withdrawn_at"] is None


def test_before_the_window_opens_commenting_is_409(client, db, auth):
    p = find_proposal(db, PRIVATE_SLUG)
    p.opens_at = clock.now() + timedelta(days=2)
    db.add(p)
    db.commit()
    assert client.get(f"{API}/proposals/{p.id}", headers=auth("admin")).json()["window"] == "not_open"
    response = post(client, auth("municipality"), first_section(db, PRIVATE_SLUG).id)
    assert_problem(response, 409)


def test_comments_on_an_older_version_are_409(client, db, auth):
    headers = auth("provider")
    old_section = first_section(db)
    earlier = create(client, headers, old_section.id, body="Over versie 1.")
    url = f"{API}/comments/{earlier['id']}"
    tag = etag(client, headers, earlier["id"])
    publish_next_version(db)
    before = comment_count(db)

    refused = post(client, headers, old_section.id, body="Nog over versie 1.")
    assert "huidige versie" in assert_problem(refused, 409)["detail"]
    assert_problem(client.patch(url, headers=with_if_match(headers, tag), json={"body": "Gewijzigd."}), 409)
    assert_problem(client.delete(url, headers=with_if_match(headers, tag)), 409)
    assert comment_count(db) == before

    new_section = find_section(db, PUBLIC_SLUG, old_section.key, 2)
    current = create(client, headers, new_section.id, body="Over versie 2.")
    assert (current["version"], current["section_key"]) == (2, old_section.key)
    # The earlier comment still reads as a comment on version 1.
    assert client.get(url, headers=headers).json()["version"] == 1


def test_comments_on_a_draft_version(client, db, auth, draft):
    draft_section = db.exec(select(Section).join(ProposalVersion).where(ProposalVersion.proposal_id == draft.id)).one()
    # A provider does not know the section exists; SDFL and the municipalities (co-authors, who read drafts) are
    # told the version is not open for comments.
    assert_problem(post(client, auth("provider"), draft_section.id), 404)
    for role in ("municipality", "admin"):
        assert_problem(post(client, auth(role), draft_section.id), 409)
    assert_problem(post(client, auth("public"), draft_section.id), 401)


# --- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"kind": None}, "kind"),
        ({"kind": "boos"}, "kind"),
        ({"kind": "zorg", "suggested_text": "Andere tekst."}, "suggested_text"),
        ({"kind": "steun", "suggested_text": "Andere tekst."}, "suggested_text"),
        ({"parent_id": 999999}, "parent_id"),
        ({"body": "   \n  "}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ({"quote": "q" * 2_001}, "quote"),
        ({"official": True}, "official"),
        # Found by the API fuzzer: PostgreSQL's text cannot hold NUL, it was a 500 there.
        ({"body": "Een\x00reactie."}, "body"),
        ({"quote": "citaat\x00"}, "quote"),
        ({"kind": "suggestie", "suggested_text": "\x00"}, "suggested_text"),
    ],
)
def test_invalid_comments_are_422(client, db, auth, fields, field):
    before = comment_count(db)
    response = post(client, auth("provider"), first_section(db).id, **fields)
    assert_problem(response, 422)
    assert field in error_fields(response)
    assert comment_count(db) == before


def test_missing_body_and_unknown_section(client, db, auth):
    response = client.post(f"{API}/comments", headers=auth("provider"), json={"section_id": first_section(db).id})
    assert_problem(response, 422)
    assert "body" in error_fields(response)
    assert_problem(post(client, auth("provider"), 999999), 404)


def test_replies(client, db, auth):
    target = first_section(db)
    root = create(client, auth("provider"), target.id, body="Vraag.")
    reply = create(client, auth("admin"), target.id, kind=None, parent_id=root["id"], body="Antwoord.")
    assert (reply["parent_id"], reply["kind"], reply["provider"]) == (root["id"], None, None)
    # A reply to a reply joins the same thread.
    nested = create(client, auth("other-provider"), target.id, kind="steun", parent_id=reply["id"], body="Eens.")
    assert (nested["parent_id"], nested["kind"]) == (root["id"], "steun")

    # The parent must be a comment on the same section.
    elsewhere = find_section(db, PUBLIC_SLUG, "reikwijdte")
    response = post(client, auth("provider"), elsewhere.id, kind=None, parent_id=root["id"])
    assert_problem(response, 422)
    assert "parent_id" in error_fields(response)
    # ... and one the author may see.
    admin = find_user(db, "sdfl@example.org")
    note = Comment(section_id=target.id, author_id=admin.id, body="Intern.", visibility=Visibility.internal)
    db.add(note)
    db.commit()
    response = post(client, auth("provider"), target.id, kind=None, parent_id=note.id)
    assert_problem(response, 422)
    assert "parent_id" in error_fields(response)


# --- idempotency ---------------------------------------------------------------------------------


def test_idempotency_key_retry_returns_the_same_comment(client, db, auth):
    target = first_section(db)
    text = "Precies één keer."
    headers = {**auth("provider"), "Idempotency-Key": "reactie-2025-001"}
    first = post(client, headers, target.id, body=text)
    retry = post(client, headers, target.id, body=text)
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["location"] == first.headers["location"] == f"/api/v1/comments/{first.json()['id']}"
    assert retry.headers["etag"] == first.headers["etag"]
    rows = db.exec(select(Comment).where(Comment.body == text)).all()
    assert [r.id for r in rows] == [first.json()["id"]]

    # The same key from another user is another comment.
    theirs = post(client, {**auth("other-provider"), "Idempotency-Key": "reactie-2025-001"}, target.id, body=text)
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    assert theirs.json()["provider"]["id"] == find_provider(db, "triade-vitree").id
    assert len(db.exec(select(Comment).where(Comment.body == text)).all()) == 2

    # Another key from the same user is another comment; no key at all is never deduplicated.
    other_key = post(client, {**auth("provider"), "Idempotency-Key": "reactie-2025-002"}, target.id, body=text)
    assert other_key.status_code == 201
    plain = [post(client, auth("provider"), target.id, body="Zonder sleutel.") for _ in range(2)]
    assert [r.status_code for r in plain] == [201, 201] and plain[0].json()["id"] != plain[1].json()["id"]

    # A retry after the window closed still gets the comment made when it was open.
    p = find_proposal(db, PUBLIC_SLUG)
    assert p.closes_at is not None
    clock.freeze(p.closes_at + timedelta(hours=1))
    late_retry = post(client, headers, target.id, body=text)
    assert late_retry.status_code == 200 and late_retry.json()["id"] == first.json()["id"]


def test_idempotency_key_header_is_validated(client, db, auth):
    target = first_section(db).id
    for key in ("k" * 81, "met spatie"):
        response = post(client, {**auth("provider"), "Idempotency-Key": key}, target)
        assert_problem(response, 422)
    assert post(client, {**auth("provider"), "Idempotency-Key": "k" * 80}, target).status_code == 201


def test_a_read_key_with_an_idempotency_key_is_still_403(client, db, auth):
    target = first_section(db).id
    assert post(client, {**auth("provider"), "Idempotency-Key": "gedeeld"}, target).status_code == 201
    assert_problem(post(client, {**auth("provider-read"), "Idempotency-Key": "gedeeld"}, target), 403)


# --- Markdown is sanitised -----------------------------------------------------------------------

SAFE_SCHEMES = ("http:", "https:", "mailto:")


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<a href="javascript:alert(1)">x</a>',
        "<img src=x onerror=alert(1)>",
        "![x](javascript:alert(1))",
        '[x](https://example.org "t" onmouseover="alert(1)")',
        "<iframe src=https://example.org></iframe>",
    ],
)
def test_comment_html_is_inert(client, db, auth, body):
    headers = auth("provider")
    created = create(client, headers, first_section(db).id, body=body)
    read = client.get(f"{API}/comments/{created['id']}", headers=headers).json()
    for item in (created, read):
        assert item["body"] == body  # the Markdown comes back as written
        html = item["body_html"]
        assert "<script" not in html.lower() and "<iframe" not in html.lower()
        for tag, attrs in tags_of(html):
            assert tag not in {"script", "img", "iframe", "object", "embed", "style"}
            assert not [name for name in attrs if name.startswith("on")], html
            href = (attrs.get("href") or attrs.get("src") or "").strip().lower()
            assert not href or href.startswith(SAFE_SCHEMES), html
    if body.startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in created["body_html"]


def test_edited_comment_html_is_sanitised_and_safe_links_stay(client, db, auth):
    headers = auth("municipality")
    created = create(client, headers, first_section(db).id, body="Zie [de regeling](https://example.org/regeling).")
    tags = tags_of(created["body_html"])
    assert ("a", {"href": "https://example.org/regeling", "rel": "noopener noreferrer nofollow"}) in tags
    tag = etag(client, headers, created["id"])
    edited = client.patch(
        f"{API}/comments/{created['id']}",
        headers=with_if_match(headers, tag),
        json={"body": "<script>alert(1)</script> en [klik](javascript:alert(1))"},
    ).json()
    assert "<script" not in edited["body_html"] and 'href="javascript' not in edited["body_html"]
    assert all(t != "a" for t, _attrs in tags_of(edited["body_html"]))


# --- withdrawn comments --------------------------------------------------------------------------


def test_a_withdrawn_comment_stays_listed_without_its_text_and_cannot_be_edited(client, db, auth):
    headers = auth("provider")
    created = create(
        client, headers, first_section(db).id, kind="suggestie", body="Spijt.", quote="iJw", suggested_text="Anders."
    )
    url = f"{API}/comments/{created['id']}"
    moment = (clock.now() + timedelta(minutes=1)).replace(microsecond=0)
    clock.freeze(moment)
    assert client.delete(url, headers=with_if_match(headers, etag(client, headers, created["id"]))).status_code == 204

    for role in ("provider", "other-provider", "admin"):
        shown = client.get(url, headers=auth(role)).json()
        assert at(shown["withdrawn_at"]) == moment
        assert (shown["body"], shown["body_html"], shown["quote"], shown["suggested_text"]) == (None, None, None, None)
        assert shown["kind"] == "suggestie" and shown["author"] == created["author"]
        assert shown["provider"] == created["provider"]
        listed = client.get(f"{API}/comments", headers=auth(role), params={"since": created["created_at"]}).json()
        assert [i for i in listed["items"] if i["id"] == created["id"]] == [shown]

    stored = db.get(Comment, created["id"])
    assert stored is not None and stored.body == "Spijt."  # kept for the record

    tag = etag(client, headers, created["id"])
    edit = client.patch(url, headers=with_if_match(headers, tag), json={"body": "Toch weer."})
    assert "ingetrokken" in assert_problem(edit, 409)["detail"]
    assert_problem(client.delete(url, headers=with_if_match(headers, tag)), 409)
    assert at(client.get(url, headers=headers).json()["withdrawn_at"]) == moment


# --- the OpenAPI document ------------------------------------------------------------------------


def test_openapi_lists_the_proposal_and_comment_paths(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    expected = {
        "/proposals": {"get"},
        "/proposals/{proposal_id}": {"get"},
        "/proposals/{proposal_id}/versions": {"get"},
        "/proposals/{proposal_id}/versions/{number}": {"get"},
        "/proposals/{proposal_id}/versions/{number}/sections": {"get"},
        "/comments": {"get", "post"},
        "/comments/{comment_id}": {"get", "patch", "delete"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) >= methods, path

    create_op = paths["/comments"]["post"]
    assert {"200", "201", "409", "422"} <= set(create_op["responses"])
    assert "idempotency-key" in [p["name"].lower() for p in create_op["parameters"]]
    for method in ("patch", "delete"):
        op = paths["/comments/{comment_id}"][method]
        assert {"409", "412", "428"} <= set(op["responses"])
        assert "if-match" in [p["name"].lower() for p in op["parameters"]]
    listing = {p["name"] for p in paths["/comments"]["get"]["parameters"]}
    assert listing >= {"proposal_id", "version", "section_key", "provider_id", "kind", "status", "since", "page"}
