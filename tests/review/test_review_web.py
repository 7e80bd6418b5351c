"""The review dashboard and triage in the browser's HTTP (issue 6): filters, permissions, triage, release."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.db import utcnow
from app.kit import clock
from app.kit.markdown import render_markdown
from app.models import (
    AgendaItem,
    AgendaItemComment,
    Comment,
    Dialogue,
    DialogueSession,
    InternalNote,
    Municipality,
    Position,
    Proposal,
    ProposalVersion,
    Section,
    User,
)
from app.proposals import manage
from tests import factories
from tests.helpers import csrf_from, find_proposal, find_user, signed_in


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


PROVIDER = "re-care@example.org"
MUNICIPALITY = "almere@example.org"
ADMIN = "sdfl@example.org"
HTMX = {"HX-Request": "true"}


def sections(db: Session, proposal: Proposal) -> list[Section]:
    return list(
        db.exec(
            select(Section)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .where(ProposalVersion.proposal_id == proposal.id)
            .order_by(Section.position)
        ).all()
    )


def feedback(db: Session, section: Section, author: User, body: str, **extra) -> Comment:
    comment = Comment(
        section_id=section.id,
        author_id=author.id,
        provider_id=author.provider_id,
        kind=extra.pop("kind", "zorg"),
        body=body,
        body_html=render_markdown(body, heading_offset=3),
        created_at=extra.pop("created_at", utcnow()),
        **extra,
    )
    db.add(comment)
    db.commit()
    return comment


def ids_on(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<tr id="row-(\d+)"', html)]


def post(client: TestClient, path: str, data: dict, *, page: str = "/review", headers: dict | None = None):
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, headers=headers or {}, follow_redirects=False)


def all_ids(client: TestClient, query: str = "") -> list[int]:
    """Every row id over all pages of the dashboard for ``query``, in order."""
    found: list[int] = []
    for page in range(1, 50):
        response = client.get(f"/review?{query}&page={page}")
        assert response.status_code == 200, response.text
        ids = ids_on(response.text)
        found += ids
        if 'rel="next"' not in response.text:
            return found
    raise AssertionError("too many pages")


@pytest.fixture
def data(db: Session) -> dict:
    """Three pieces of feedback of known shape on the product structure, besides the demo's."""
    proposal = find_proposal(db, "product-structure")
    first, second = sections(db, proposal)[:2]
    now = clock.now()
    provider, other, almere, admin = (
        find_user(db, PROVIDER),
        find_user(db, "triade-vitree@example.org"),
        find_user(db, MUNICIPALITY),
        find_user(db, ADMIN),
    )
    c1 = feedback(db, first, provider, "Wachttijden lopen op in Urk.", kind="zorg", created_at=now - timedelta(days=3))
    c2 = feedback(db, second, other, "Goed plan voor dagbehandeling.", kind="steun", created_at=now - timedelta(days=1))
    c3 = feedback(db, first, almere, "Hoe zit het met wachtlijsten?", kind="vraag", created_at=now)
    c2.status = c2.published_status = "overgenomen"
    db.add(c2)
    for parent, released in ((c2, True), (c1, False)):
        db.add(
            Comment(
                section_id=parent.section_id,
                author_id=admin.id,
                parent_id=parent.id,
                official=True,
                body=f"Antwoord op {parent.id}",
                body_html=f"<p>Antwoord op {parent.id}</p>",
                release_at=now - timedelta(hours=1) if released else None,
                created_at=now,
            )
        )
    municipality = db.exec(select(Municipality).where(Municipality.name == "Almere")).one()
    db.add(Position(comment_id=c1.id, municipality_id=municipality.id, author_id=almere.id, stance="oneens"))
    db.commit()
    return {"proposal": proposal, "sections": (first, second), "c": (c1.id, c2.id, c3.id), "municipality": municipality}


def mine(ids: list[int], data: dict) -> list[int]:
    return [i for i in ids if i in data["c"]]


def test_each_filter_narrows_the_dashboard(client, db, data):
    signed_in(client, ADMIN)
    c1, c2, c3 = data["c"]
    first, second = data["sections"]
    pid = data["proposal"].id
    other = find_proposal(db, "contract-terms").id
    provider_id = find_user(db, PROVIDER).provider_id
    today = clock.now().astimezone(ZoneInfo("Europe/Amsterdam")).date()
    cases = {
        "": [c3, c2, c1],
        f"proposal_id={pid}": [c3, c2, c1],
        f"proposal_id={other}": [],
        f"proposal_id={pid}&version=1": [c3, c2, c1],
        f"proposal_id={pid}&version=2": [],
        f"section={first.key}": [c3, c1],
        f"section={second.key}": [c2],
        f"provider_id={provider_id}": [c1],
        "kind=steun": [c2],
        "kind=vraag": [c3],
        "status=overgenomen": [c2],
        "status=nieuw": [c3, c1],
        f"municipality_id={data['municipality'].id}": [c1],
        "answered=yes": [c2, c1],  # SDFL counts its drafted answer too
        "answered=no": [c3],
        f"date_from={today - timedelta(days=2)}": [c3, c2],
        f"date_to={today - timedelta(days=2)}": [c1],
        f"date_from={today}&date_to={today}": [c3],
        "q=wachttijden": [c1],
        "q=dagbehandeling": [c2],
        "sort=oldest": [c1, c2, c3],
    }
    for query, expected in cases.items():
        assert mine(all_ids(client, query), data) == expected, query
    # Municipality reviewers count released answers only.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    signed_in(client, MUNICIPALITY)
    assert mine(all_ids(client, "answered=yes"), data) == [c2]
    assert mine(all_ids(client, f"municipality_id={data['municipality'].id}&kind=zorg"), data) == [c1]


def test_search_takes_any_input_without_failing(client, data):
    signed_in(client, MUNICIPALITY)
    for q in ['"wacht', "wacht* OR (", "NEAR(a b)", "-", "'; DROP TABLE comments; --", "ëé", "AND", "x" * 200]:
        response = client.get("/review", params={"q": q})
        assert response.status_code == 200, q
    assert mine(all_ids(client, "q=" + "Wachttijden%20Urk"), data) == [data["c"][0]]


def test_bad_filter_values_are_explained_and_the_rest_still_applies(client, data):
    signed_in(client, MUNICIPALITY)
    response = client.get("/review", params={"kind": "steun", "date_from": "gisteren", "proposal_id": "abc"})
    assert response.status_code == 422
    assert "Vul een datum in als jjjj-mm-dd." in response.text
    assert "Kies een voorstel uit de lijst." in response.text
    assert mine(ids_on(response.text), data) == [data["c"][1]]


def test_htmx_gets_only_the_results_and_every_filter_has_its_own_url(client, data):
    signed_in(client, MUNICIPALITY)
    fragment = client.get("/review?kind=steun", headers=HTMX)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["vary"].split(", ")
    assert "<html" not in fragment.text and 'id="results"' in fragment.text
    assert len(fragment.content) < 30_000
    assert 'id="f-section" name="section" hx-swap-oob="true"' in fragment.text
    full = client.get("/review?kind=steun")
    assert "<html" in full.text and mine(ids_on(full.text), data) == mine(ids_on(fragment.text), data)
    assert 'hx-push-url="true"' in full.text
    # Export links and paging carry the same filter.
    assert "/review/export?kind=steun&amp;format=csv" in full.text


def test_dashboard_query_count_does_not_grow_with_comments(client, db, data, count_queries):
    signed_in(client, ADMIN)
    client.get("/review")
    with count_queries() as few:
        assert client.get("/review").status_code == 200
    first = data["sections"][0]
    provider, admin, almere = find_user(db, PROVIDER), find_user(db, ADMIN), find_user(db, MUNICIPALITY)
    now = utcnow()
    extra = [
        Comment(
            section_id=first.id,
            author_id=provider.id,
            provider_id=provider.provider_id,
            kind="zorg",
            body=f"Extra {i}",
            body_html=f"<p>Extra {i}</p>",
            created_at=now + timedelta(seconds=i),
        )
        for i in range(300)
    ]
    db.add_all(extra)
    db.flush()
    for comment in extra[-30:]:
        db.add(InternalNote(comment_id=comment.id, author_id=almere.id, body="Notitie"))
        db.add(
            Position(comment_id=comment.id, municipality_id=data["municipality"].id, author_id=almere.id, stance="eens")
        )
        db.add(
            Comment(
                section_id=first.id, author_id=admin.id, parent_id=comment.id, official=True, body="A", body_html="A"
            )
        )
    db.commit()
    with count_queries() as many:
        response = client.get("/review")
    assert response.status_code == 200 and len(ids_on(response.text)) == 25
    assert many.count == few.count, (few.statements, many.statements)


@pytest.mark.parametrize("query", ["", "?q=wachttijd", "?q=wachttijd&group=provider"])
def test_municipality_dashboard_query_count_does_not_grow_with_comments(client, db, data, count_queries, query):
    """As a municipality (with the release card), with and without a search: the same statements for 300 more
    comments, some of them with drafted replies and pending decisions; the counts per group give the total
    (no separate count query) (issue 21)."""
    signed_in(client, MUNICIPALITY)
    client.get("/review" + query)
    with count_queries() as few:
        assert client.get("/review" + query).status_code == 200
    first = data["sections"][0]
    provider, admin = find_user(db, PROVIDER), find_user(db, ADMIN)
    now = utcnow()
    extra = [
        Comment(
            section_id=first.id,
            author_id=provider.id,
            provider_id=provider.provider_id,
            kind="zorg",
            body=f"Extra wachttijd {i}",
            body_html=f"<p>Extra wachttijd {i}</p>",
            created_at=now + timedelta(seconds=i),
            status="overgenomen" if i % 3 == 0 else "nieuw",  # pending decisions
        )
        for i in range(300)
    ]
    db.add_all(extra)
    db.flush()
    for comment in extra[-30:]:
        db.add(
            Comment(
                section_id=first.id, author_id=admin.id, parent_id=comment.id, official=True, body="A", body_html="A"
            )
        )
    db.commit()
    with count_queries() as many:
        response = client.get("/review" + query)
    assert response.status_code == 200 and len(ids_on(response.text)) == 25
    assert many.count == few.count, (few.statements, many.statements)
    assert not [s for s in many.statements if re.search(r"count\(\*\) AS count_1\s+FROM \(SELECT", s)], many.statements


# --- triage -----------------------------------------------------------------------------------------


def status_of(db: Session, comment_id: int) -> str:
    db.expire_all()
    return db.get(Comment, comment_id).status


def test_not_adopted_needs_an_official_reply(client, db, data):
    signed_in(client, ADMIN)
    c1, _c2, c3 = data["c"]
    page = f"/review/comments/{c3}"
    refused = post(client, f"/review/comments/{c3}/triage", {"status": "niet_overgenomen", "reply": ""}, page=page)
    assert refused.status_code == 422
    assert "Bij ‘niet overgenomen’ hoort een officieel antwoord" in refused.text
    assert status_of(db, c3) == "nieuw"
    # Inline on the dashboard, with htmx: the row comes back with the message, nothing saved.
    row = post(
        client,
        f"/review/comments/{c3}/triage",
        {"status": "niet_overgenomen", "inline": "1"},
        headers={**HTMX, "X-CSRF-Token": csrf_from(client.get("/review").text)},
    )
    assert row.status_code == 422 and row.text.lstrip().startswith(f'<tr id="row-{c3}"')
    assert 'role="alert"' in row.text and status_of(db, c3) == "nieuw"
    # With a reply it works, and the reply is a draft.
    done = post(
        client,
        f"/review/comments/{c3}/triage",
        {"status": "niet_overgenomen", "reply": "Dit past niet in de **regionale** afspraken."},
        page=page,
    )
    assert done.status_code == 303 and done.headers["location"].startswith(f"/review/comments/{c3}?done=status")
    assert status_of(db, c3) == "niet_overgenomen"
    reply = db.exec(select(Comment).where(Comment.parent_id == c3, Comment.official == True)).one()  # noqa: E712
    assert reply.release_at is None and "<strong>regionale</strong>" in reply.body_html
    # A comment that has an official reply (c1's draft) may be set to "niet overgenomen" inline.
    inline = post(client, f"/review/comments/{c1}/triage", {"status": "niet_overgenomen", "inline": "1"})
    assert inline.status_code == 303 and status_of(db, c1) == "niet_overgenomen"


def test_bulk_status_is_all_or_nothing(client, db, data):
    signed_in(client, ADMIN)
    c1, _c2, c3 = data["c"]
    refused = post(client, "/review/bulk", {"ids": [c1, c3], "action": "status", "status": "niet_overgenomen"})
    assert refused.status_code == 422 and f"#{c3}" in refused.text
    assert (status_of(db, c1), status_of(db, c3)) == ("nieuw", "nieuw")
    done = post(
        client, "/review/bulk", {"ids": [c1, c3], "action": "status", "status": "in_behandeling", "back": "kind=zorg"}
    )
    assert done.status_code == 303 and done.headers["location"] == "/review?kind=zorg&done=bulk"
    assert (status_of(db, c1), status_of(db, c3)) == ("in_behandeling", "in_behandeling")
    nothing = post(client, "/review/bulk", {"action": "status", "status": "in_behandeling"})
    assert nothing.status_code == 422 and "Selecteer eerst een of meer reacties." in nothing.text


def provider_sees(client: TestClient, comment_id: int) -> str:
    """The provider's section page around ``comment_id``."""
    return client.get(f"/comments/{comment_id}", follow_redirects=True).text


def test_answers_and_decisions_reach_providers_only_at_the_release(client, db, data):
    c1, _c2, _c3 = data["c"]
    signed_in(client, ADMIN)
    post(client, f"/review/comments/{c1}/triage", {"status": "deels_overgenomen", "reply": "We nemen het deels over."})
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})

    signed_in(client, PROVIDER)
    before = provider_sees(client, c1)
    assert "We nemen het deels over." not in before and "Deels overgenomen" not in before
    api_status = client.get("/my/comments").text
    assert "We nemen het deels over." not in api_status
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})

    # Scheduled for tomorrow: still hidden today, shown once the moment has passed.
    signed_in(client, ADMIN)
    tomorrow = clock.now().astimezone(ZoneInfo("Europe/Amsterdam")) + timedelta(days=1)
    done = post(client, "/review/release", {"release_at": tomorrow.strftime("%Y-%m-%dT%H:%M")})
    assert done.status_code == 303 and "done=scheduled" in done.headers["location"]
    again = post(client, "/review/release", {})
    assert again.status_code == 409 and "Er zijn geen conceptantwoorden" in again.text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})

    signed_in(client, PROVIDER)
    assert "We nemen het deels over." not in provider_sees(client, c1)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    clock.freeze(clock.now() + timedelta(days=1, minutes=5))
    signed_in(client, PROVIDER)
    after = provider_sees(client, c1)
    assert "We nemen het deels over." in after and "Deels overgenomen" in after
    mine_page = client.get("/my/comments").text
    assert "We nemen het deels over." in mine_page and "Deels overgenomen" in mine_page


def test_release_now_and_a_later_change_waits_for_the_next_release(client, db, data):
    _c1, _c2, c3 = data["c"]
    signed_in(client, ADMIN)
    post(client, f"/review/comments/{c3}/triage", {"status": "overgenomen"})
    assert post(client, "/review/release", {}).status_code == 303
    post(client, f"/review/comments/{c3}/triage", {"status": "in_behandeling"})
    db.expire_all()
    comment = db.get(Comment, c3)
    assert (comment.status, comment.published_status, comment.status_release_at) == (
        "in_behandeling",
        "overgenomen",
        None,
    )
    past = post(client, "/review/release", {"release_at": "2020-01-01T10:00"})
    assert past.status_code == 422 and "Kies nu of een moment in de toekomst." in past.text


def test_agenda_links_comments_and_items_both_ways(client, db, data):
    c1, _c2, c3 = data["c"]
    signed_in(client, ADMIN)
    planned = db.exec(
        select(DialogueSession).where(DialogueSession.status == "planned").order_by(DialogueSession.starts_at)
    ).first()
    missing = post(client, f"/review/comments/{c1}/agenda", {"session_id": planned.id, "title": ""})
    assert missing.status_code == 422 and "Geef het nieuwe agendapunt een titel." in missing.text
    done = post(
        client, "/review/bulk", {"ids": [c1, c3], "action": "agenda", "session_id": planned.id, "title": "Wachttijden"}
    )
    assert done.status_code == 303
    item = db.exec(select(AgendaItem).where(AgendaItem.title == "Wachttijden")).one()
    assert item.session_id == planned.id and item.proposal_id == data["proposal"].id
    linked = set(db.exec(select(AgendaItemComment.comment_id).where(AgendaItemComment.agenda_item_id == item.id)).all())
    assert linked == {c1, c3}
    assert status_of(db, c1) == status_of(db, c3) == "bespreken_in_sessie"
    session_page = client.get(f"/admin/sessions/{planned.id}").text
    assert f'href="/review/comments/{c1}"' in session_page and f'href="/review/comments/{c3}"' in session_page
    comment_page = client.get(f"/review/comments/{c1}").text
    assert f"#item-{item.id}" in comment_page and "Wachttijden" in comment_page
    # An existing item: linking again does not duplicate.
    assert post(client, f"/review/comments/{c1}/agenda", {"agenda_item_id": item.id}).status_code == 303
    assert len(db.exec(select(AgendaItemComment).where(AgendaItemComment.agenda_item_id == item.id)).all()) == 2


# --- internal notes and positions stay internal -----------------------------------------------------------


def test_notes_and_positions_are_for_reviewers_only(client, db, data):
    c1, _c2, _c3 = data["c"]
    signed_in(client, MUNICIPALITY)
    empty = post(client, f"/review/comments/{c1}/notes", {"note": "  "})
    assert empty.status_code == 422 and "Schrijf de notitie." in empty.text
    assert post(client, f"/review/comments/{c1}/notes", {"note": "GEHEIM-notitie-123"}).status_code == 303
    explained = post(client, f"/review/comments/{c1}/position", {"stance": "toelichting", "position_note": ""})
    assert explained.status_code == 422 and "Schrijf de toelichting." in explained.text
    saved = post(client, f"/review/comments/{c1}/position", {"stance": "eens", "position_note": "GEHEIM-standpunt-456"})
    assert saved.status_code == 303
    position = db.exec(select(Position).where(Position.comment_id == c1)).one()
    assert (position.stance, position.note) == ("eens", "GEHEIM-standpunt-456")
    page = client.get(f"/review/comments/{c1}").text
    assert "GEHEIM-notitie-123" in page and "GEHEIM-standpunt-456" in page
    assert "GEHEIM" in client.get("/review/export?format=csv").content.decode("utf-8-sig")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})

    signed_in(client, PROVIDER)
    pid = data["proposal"].id
    for path in [
        "/proposals",
        f"/proposals/{pid}",
        f"/comments/{c1}",
        "/my/comments",
        f"/proposals/{pid}/sections/{data['sections'][0].key}",
    ]:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert "GEHEIM" not in response.text and "Oneens" not in response.text, path
    for path in [f"/review/comments/{c1}", "/review/export?format=csv", "/review/export?format=xlsx", "/review/report"]:
        assert client.get(path).status_code == 403, path
    # Unmarking removes the position.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})
    signed_in(client, MUNICIPALITY)
    assert post(client, f"/review/comments/{c1}/position", {"stance": ""}).status_code == 303
    assert db.exec(select(Position).where(Position.comment_id == c1)).first() is None


# --- exports and the response report ------------------------------------------------------------------


def test_xlsx_holds_the_same_rows_as_the_csv(client, data):
    signed_in(client, ADMIN)
    for query in ("", "kind=zorg", f"proposal_id={data['proposal'].id}&q=wachttijden"):
        csv_response = client.get(f"/review/export?{query}&format=csv")
        xlsx_response = client.get(f"/review/export?{query}&format=xlsx")
        assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
        assert "attachment" in xlsx_response.headers["content-disposition"]
        csv_rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active
        xlsx_rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        assert csv_rows == xlsx_rows, query
        assert len(csv_rows) - 1 == int(csv_response.headers["x-rows"])
    # A filter that cannot be read exports nothing rather than everything.
    assert client.get("/review/export?kind=xyz&format=csv").status_code == 422
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/review/export?kind=steun&format=csv").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    c2 = next(r for r in rows if r["Nummer"] == str(data["c"][1]))
    assert c2["Officieel antwoord SDFL"] == f"Antwoord op {data['c'][1]}" and c2["Beoordeling"] == "Overgenomen"


def test_response_report_in_html_and_pdf(client, data):
    signed_in(client, MUNICIPALITY)
    pid = data["proposal"].id
    named = client.get(f"/review/report?proposal_id={pid}&version=1")
    assert named.status_code == 200
    assert f"Antwoord op {data['c'][1]}" in named.text  # released
    assert f"Antwoord op {data['c'][0]}" not in named.text  # still a draft
    assert "Triade Vitree" in named.text
    anonymous = client.get(f"/review/report?proposal_id={pid}&version=1&anonymous=1")
    assert "Triade Vitree" not in anonymous.text and "Goed plan voor dagbehandeling." in anonymous.text
    pdf = client.get(f"/review/report.pdf?proposal_id={pid}&version=1&anonymous=1")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    missing = client.get(f"/review/report?proposal_id={pid}&version=9")  # issue 18: the newest, with a note
    assert missing.status_code == 200 and "heeft geen versie 9" in missing.text
    assert client.get(f"/review/report.pdf?proposal_id={pid}&version=9").status_code == 404


def test_overview_counts_per_section_kind_and_status(client, db, data):
    signed_in(client, MUNICIPALITY)
    pid = data["proposal"].id
    page = client.get(f"/review/overview?proposal_id={pid}")
    assert page.status_code == 200
    first, _second = data["sections"]
    expected = db.exec(
        select(Comment).where(Comment.section_id == first.id, Comment.parent_id == None, Comment.official == False)  # noqa: E711,E712
    ).all()
    zorg = sum(1 for c in expected if c.kind == "zorg" and c.deleted_at is None)
    assert (
        f'href="/review?proposal_id={pid}&amp;version=1&amp;section={first.key}&amp;kind=zorg">{zorg}</a>' in page.text
    )
    assert "Deelname per aanbieder" in page.text and "Re-care" in page.text


# --- feedback into the next version -----------------------------------------------------------------------


def test_an_applied_suggestion_ends_up_in_the_next_version_with_its_link(client, db, data):
    proposal = data["proposal"]
    first = data["sections"][0]
    passage = first.body.split(".")[0].strip()
    provider = find_user(db, PROVIDER)
    suggestion = feedback(
        db,
        first,
        provider,
        "Maak dit concreter.",
        kind="suggestie",
        quote=passage,
        suggested_text="Een VOORGESTELDE nieuwe zin",
    )
    suggestion.status = "overgenomen"
    db.add(suggestion)
    db.commit()
    signed_in(client, ADMIN)
    page = f"/admin/proposals/{proposal.id}"
    assert post(client, f"/admin/proposals/{proposal.id}/versions", {}, page=page).status_code == 303
    editor = client.get(page).text
    assert f'id="feedback-{suggestion.id}"' in editor
    draft_section = db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == 2, Section.key == first.key)
    ).one()
    applied = post(
        client,
        f"/admin/proposals/{proposal.id}/sections/{draft_section.id}/feedback/{suggestion.id}",
        {"mode": "apply"},
        page=page,
    )
    assert applied.status_code == 303
    db.expire_all()
    assert "Een VOORGESTELDE nieuwe zin" in db.get(Section, draft_section.id).body
    assert passage not in db.get(Section, draft_section.id).body
    # Applying twice finds nothing to apply.
    twice = post(
        client,
        f"/admin/proposals/{proposal.id}/sections/{draft_section.id}/feedback/{suggestion.id}",
        {"mode": "apply"},
        page=page,
    )
    assert twice.status_code == 409
    summary = {"change_summary": "Suggesties verwerkt."}
    check = post(client, f"/admin/proposals/{proposal.id}/publish", summary, page=page)  # asks first
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', check.text).group(1)
    published = post(
        client, f"/admin/proposals/{proposal.id}/publish", {**summary, "confirm": "1", "digest": digest}, page=page
    )
    assert published.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})

    signed_in(client, PROVIDER)
    version_page = client.get(f"/proposals/{proposal.id}").text
    assert "Verwerkt in versie 2 naar aanleiding van reacties" in version_page
    assert f'href="/comments/{suggestion.id}"' in version_page
    assert "Een VOORGESTELDE nieuwe zin" in version_page
    thread = client.get(f"/proposals/{proposal.id}/versions/1").text
    assert f'href="/proposals/{proposal.id}/versions/2#section-{first.key}">Verwerkt in versie 2</a>' in thread
    assert "Verwerkt in versie 2" in client.get("/my/comments").text


def test_a_changed_passage_cannot_be_replaced_blindly(client, db, data):
    proposal = data["proposal"]
    first = data["sections"][0]
    suggestion = feedback(
        db,
        first,
        find_user(db, PROVIDER),
        "Anders.",
        kind="suggestie",
        quote="tekst die er niet staat",
        suggested_text="Nieuw",
    )
    suggestion.status = "deels_overgenomen"
    db.add(suggestion)
    db.commit()
    signed_in(client, ADMIN)
    page = f"/admin/proposals/{proposal.id}"
    post(client, f"/admin/proposals/{proposal.id}/versions", {}, page=page)
    draft_section = db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == 2, Section.key == first.key)
    ).one()
    url = f"/admin/proposals/{proposal.id}/sections/{draft_section.id}/feedback/{suggestion.id}"
    refused = post(client, url, {"mode": "apply"}, page=page)
    assert refused.status_code == 409 and "staat niet (meer) letterlijk" in refused.text
    assert post(client, url, {"mode": "link"}, page=page).status_code == 303
    db.expire_all()
    assert db.get(Comment, suggestion.id).applied_in_version_id == draft_section.version_id
    assert post(client, url, {"mode": "unlink"}, page=page).status_code == 303
    db.expire_all()
    assert db.get(Comment, suggestion.id).applied_in_version_id is None


def test_the_api_shows_providers_the_released_decision_and_reviewers_the_current_one(client, db, data):
    from app.accounts import service as accounts

    c1 = data["c"][0]
    keys = {}
    for email in (PROVIDER, MUNICIPALITY):
        _row, key = accounts.create_api_key(db, owner=find_user(db, email), scope="read", name="test", actor=None)
        keys[email] = {"Authorization": f"Bearer {key}"}
    db.commit()
    signed_in(client, ADMIN)
    post(client, f"/review/comments/{c1}/triage", {"status": "overgenomen"})

    def status(email: str, **params) -> tuple[str, list[int]]:
        one = client.get(f"/api/v1/comments/{c1}", headers=keys[email]).json()["status"]
        listed = client.get("/api/v1/comments", headers=keys[email], params={"page_size": 200, **params}).json()
        return one, [item["id"] for item in listed["items"]]

    assert status(PROVIDER)[0] == "nieuw" and c1 not in status(PROVIDER, status="overgenomen")[1]
    assert status(MUNICIPALITY)[0] == "overgenomen" and c1 in status(MUNICIPALITY, status="overgenomen")[1]
    assert post(client, "/review/release", {}).status_code == 303
    assert status(PROVIDER)[0] == "overgenomen" and c1 in status(PROVIDER, status="overgenomen")[1]


@pytest.mark.parametrize(("email", "expected"), [(None, 303), (PROVIDER, 403), (MUNICIPALITY, 403), (ADMIN, 303)])
def test_only_admins_work_feedback_into_a_draft(client, db, data, email, expected):
    proposal = data["proposal"]
    first = data["sections"][0]
    adopted = feedback(db, first, find_user(db, PROVIDER), "Neem dit over.", kind="suggestie", suggested_text="Nieuw")
    adopted.status = "overgenomen"
    db.add(adopted)
    db.commit()
    draft = manage.new_version(db, proposal, actor=find_user(db, ADMIN))
    db.commit()
    section = next(s for s in manage_sections(db, draft) if s.key == first.key)
    if email:
        signed_in(client, email)
    response = post(
        client,
        f"/admin/proposals/{proposal.id}/sections/{section.id}/feedback/{adopted.id}",
        {"mode": "link"},
        page="/login" if email is None else "/",
    )
    assert response.status_code == expected
    if email is None:
        assert response.headers["location"].startswith("/login?next=")
    db.expire_all()
    linked = db.get(Comment, adopted.id).applied_in_version_id
    assert linked == (draft.id if email == ADMIN else None)


def manage_sections(db: Session, version: ProposalVersion) -> list[Section]:
    return list(db.exec(select(Section).where(Section.version_id == version.id)).all())
