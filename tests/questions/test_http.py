"""The questions pages and API per role: asking (and the deadline), who sees what before and after a nota's
release, SDFL's and the municipalities' pages, the check page with approvals, objections and an override."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.kit import clock
from app.models import AuditEvent, Nota, Question
from tests.helpers import assert_problem, bearer, csrf_from, make_key
from tests.questions.conftest import answer, approve_all, ask, nota

TEXT = "Hoe worden de tarieven in 2027 geïndexeerd?"


def post(c, path: str, data: dict, page: str):
    return c.post(path, data={**data, "csrf_token": csrf_from(c.get(page).text)}, follow_redirects=False)


# --- the API: the done-when -------------------------------------------------------------------------------


def test_a_question_by_api_is_seen_by_others_only_as_published(client, db, world):
    rodante = bearer(make_key(db, "rodante@example.org"))
    other = bearer(make_key(db, "re-care@example.org"))
    created = client.post("/api/v1/questions", json={"dialogue_id": world.dialogue.id, "text": TEXT}, headers=rodante)
    assert created.status_code == 201, created.text
    qid = created.json()["id"]
    assert created.headers["Location"] == f"/api/v1/questions/{qid}"
    assert created.json()["original_text"] == TEXT and created.json()["status"] == "open"
    listed = client.get(f"/api/v1/questions?dialogue_id={world.dialogue.id}", headers=other).json()
    assert listed["items"] == [] and listed["total"] == 0
    assert_problem(client.get(f"/api/v1/questions/{qid}", headers=other), 404)

    q = db.get(Question, qid)
    answer(db, world, q, "Met de OVA-index van 2026.", text="Hoe worden de tarieven geïndexeerd?")
    n = nota(db, world, [q])
    approve_all(db, world, n)
    db.commit()  # a request that fails rolls the test's session back
    assert client.get(f"/api/v1/notas/{n.id}", headers=other).status_code == 404
    from app.questions import notas

    notas.release_now(db, world.principal(db, "sdfl"), n, actor=world.people["sdfl"])
    db.commit()
    listed = client.get(f"/api/v1/questions?dialogue_id={world.dialogue.id}", headers=other).json()
    assert listed["total"] == 1
    item = listed["items"][0]
    assert item["text"] == "Hoe worden de tarieven geïndexeerd?" and item["answer"] == "Met de OVA-index van 2026."
    assert item["nota_number"] == 1 and item["number"] == 1 and item["status"] == "answered"
    assert item["asker"] is None and item["original_text"] is None and not item["own"]
    assert "Rodante" not in str(item) and "rodante" not in str(item)
    one = client.get(f"/api/v1/questions/{qid}", headers=other)
    assert one.status_code == 200 and one.headers["ETag"]
    assert (
        client.get(f"/api/v1/questions/{qid}", headers={**other, "If-None-Match": one.headers["ETag"]}).status_code
        == 304
    )
    # The asker's ETag differs: it sees its original text too.
    assert client.get(f"/api/v1/questions/{qid}", headers=rodante).headers["ETag"] != one.headers["ETag"]
    notas_listed = client.get(f"/api/v1/notas?dialogue_id={world.dialogue.id}", headers=other).json()
    assert [x["number"] for x in notas_listed["items"]] == [1]
    assert client.get(f"/api/v1/notas/{n.id}/pdf", headers=other).headers["content-type"] == "application/pdf"


def test_reviewers_see_everything_by_api_with_the_asker(client, db, world):
    q = ask(db, world)
    db.commit()
    for who in ("sdfl@example.org", "almere@example.org"):
        item = client.get("/api/v1/questions", headers=bearer(make_key(db, who))).json()["items"][0]
        assert item["id"] == q.id and item["asker"]["name"] and item["original_text"] == q.original_text
    draft = nota(db, world, [])
    db.commit()
    assert (
        client.get(f"/api/v1/notas/{draft.id}", headers=bearer(make_key(db, "almere@example.org"))).status_code == 200
    )
    assert (
        client.get(f"/api/v1/notas/{draft.id}", headers=bearer(make_key(db, "rodante@example.org"))).status_code == 404
    )


@pytest.mark.parametrize(
    ("who", "scope", "status"),
    [(None, None, 401), ("afgemeld@example.org", "write", 403), ("rodante@example.org", "read", 403),
     ("almere@example.org", "write", 403), ("sdfl@example.org", "write", 403)],
)  # fmt: skip
def test_who_may_not_ask_by_api(client, db, world, who, scope, status):
    headers = bearer(make_key(db, who, scope)) if who else {}
    response = client.post("/api/v1/questions", json={"dialogue_id": world.dialogue.id, "text": TEXT}, headers=headers)
    assert_problem(response, status)


def test_the_public_lists_nothing(client, world):
    assert_problem(client.get("/api/v1/questions"), 401)
    assert_problem(client.get("/api/v1/notas"), 401)


def test_after_the_deadline_the_api_names_it(client, db, world):
    clock.freeze(world.meeting.starts_at - timedelta(days=8) + timedelta(seconds=1))
    response = client.post(
        "/api/v1/questions",
        json={"dialogue_id": world.dialogue.id, "text": TEXT, "session_id": world.meeting.id},
        headers=bearer(make_key(db, "rodante@example.org")),
    )
    body = assert_problem(response, 422)
    assert body["detail"].startswith(f"Vragen over sessie {world.meeting.number} konden tot ")
    assert body["errors"][0]["field"] == "session_id"


# --- the participants' page -----------------------------------------------------------------------------------------


def test_the_trajectory_page_links_to_the_questions_only_for_who_may_open_them(as_, world):
    """The link on /dialogues/{slug} leads where the reader is let in (a 403 behind a link is a dead end)."""
    path, target = f"/dialogues/{world.dialogue.slug}", f'href="/dialogues/{world.dialogue.slug}/vragen"'
    for who in (None, "declined", "refused"):
        page = as_(who).get(path)
        assert page.status_code == 200 and target not in page.text, who
        assert "zijn te lezen voor wie deelneemt" in page.text
    for who in ("rodante", "participant", "almere", "sdfl"):
        page = as_(who).get(path)
        assert page.status_code == 200 and target in page.text, who
        assert as_(who).get(f"{path}/vragen").status_code == 200


def test_the_questions_page_per_role(as_, world):
    path = f"/dialogues/{world.dialogue.slug}/vragen"
    public = as_(None).get(path, follow_redirects=False)
    assert public.status_code == 303 and public.headers["location"].startswith("/login")
    assert as_("declined").get(path).status_code == 403
    assert as_("refused").get(path).status_code == 403
    for who in ("rodante", "participant"):
        page = as_(who).get(path)
        assert page.status_code == 200 and 'name="text"' in page.text
    for who in ("almere", "sdfl"):
        page = as_(who).get(path)
        assert page.status_code == 200 and 'name="text"' not in page.text


def test_asking_on_the_page_and_after_the_deadline(as_, db, world):
    path = f"/dialogues/{world.dialogue.slug}/vragen"
    rodante = as_("rodante")
    done = post(rodante, path, {"text": TEXT, "subject": f"session:{world.meeting.id}"}, path)
    assert done.status_code == 303
    q = db.exec(select(Question)).one()
    assert q.session_id == world.meeting.id and q.provider_id == world.people["rodante"].provider_id
    assert TEXT in rodante.get(path).text
    assert TEXT not in as_("re-care").get(path).text
    world.meeting.questions_until = clock.now() + timedelta(hours=1)
    db.add(world.meeting)
    db.commit()
    clock.advance(timedelta(hours=2))
    late = post(
        rodante, path, {"text": "Nog een vraag over de sessie.", "subject": f"session:{world.meeting.id}"}, path
    )
    assert late.status_code == 422
    assert f"Vragen over sessie {world.meeting.number} konden tot" in late.text
    assert "Nog een vraag over de sessie." in late.text


def test_the_nota_page_is_not_found_before_release_except_for_reviewers(as_, db, world):
    q = ask(db, world)
    answer(db, world, q)
    n = nota(db, world, [q])
    db.commit()
    path = f"/dialogues/{world.dialogue.slug}/nota/{n.number}"
    assert as_("rodante").get(path).status_code == 404
    assert as_("rodante").get(path + ".pdf").status_code == 404
    assert as_("almere").get(path).status_code == 200
    assert as_(None).get(path, follow_redirects=False).status_code == 303
    from app.questions import notas

    notas.release_nota(db, n, at=clock.now(), actor=None)
    db.commit()
    page = as_("re-care").get(path)
    assert page.status_code == 200 and world.dialogue.tender_reference in page.text
    assert "Jaarlijks, met de OVA." in page.text and world.people["rodante"].name not in page.text
    pdf = as_("participant").get(path + ".pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert as_("declined").get(path).status_code == 403


# --- SDFL's and the municipalities' pages ---------------------------------------------------------------------------


def test_sdfl_pages_per_role(as_, db, world):
    q = ask(db, world)
    db.commit()
    path = f"/admin/questions?dialogue={world.dialogue.slug}"
    assert as_(None).get(path, follow_redirects=False).status_code == 303
    assert as_("rodante").get(path).status_code == 403
    assert as_("participant").get(f"/admin/questions/{q.id}").status_code == 403
    for who in ("almere", "sdfl"):
        listing = as_(who).get(path)
        assert listing.status_code == 200 and q.text in listing.text and world.people["rodante"].name in listing.text
    assert as_("almere").get(f"/admin/notas/new?dialogue={world.dialogue.slug}").status_code == 403
    assert as_("rodante").get("/review/questions.csv").status_code == 403
    csv = as_("almere").get(f"/review/questions.csv?dialogue={world.dialogue.slug}")
    assert csv.status_code == 200 and csv.text.splitlines()[1].startswith(f"{q.id};")
    assert world.people["rodante"].name in csv.text


def test_a_municipality_drafts_the_answer_and_sdfl_releases_with_an_override(as_, db, world):
    q = ask(db, world, text=TEXT)
    db.commit()
    almere = as_("almere")
    qpath = f"/admin/questions/{q.id}"
    saved = post(almere, qpath, {"text": "Hoe worden de tarieven geïndexeerd?", "answer": "Met de **OVA**."}, qpath)
    assert saved.status_code == 303
    page = almere.get(qpath).text
    assert "Beleidsadviseur Almere" in page and TEXT in page  # who wrote it; the original kept
    sdfl = as_("sdfl")
    new = f"/admin/notas/new?dialogue={world.dialogue.slug}"
    empty = post(sdfl, new, {"title": "Nota 1"}, new)
    assert empty.status_code == 303
    empty_id = int(empty.headers["location"].split("/")[3].split("?")[0])
    refused = post(sdfl, f"/admin/notas/{empty_id}/release", {}, f"/admin/notas/{empty_id}")
    assert refused.status_code == 422
    made = post(
        sdfl, f"/admin/notas/{empty_id}", {"title": "Nota 1", "question_ids": [str(q.id)]}, f"/admin/notas/{empty_id}"
    )
    assert made.status_code == 303
    n = db.get(Nota, empty_id)
    check = f"/admin/notas/{n.id}/check"
    for name in ("almere", "dronten"):
        c = as_(name)
        assert (
            post(c, f"{check}/decide", {"decision": "approve", "digest": _digest(c, check)}, check).status_code == 303
        )
    urk = as_("urk")
    no_note = post(urk, f"{check}/decide", {"decision": "object", "digest": _digest(urk, check)}, check)
    assert no_note.status_code == 422
    assert (
        post(
            urk, f"{check}/decide", {"decision": "object", "note": "Te stellig.", "digest": _digest(urk, check)}, check
        ).status_code
        == 303
    )
    assert as_("rodante").get(check).status_code == 403
    blocked = post(sdfl, f"/admin/notas/{n.id}/release", {}, f"/admin/notas/{n.id}")
    assert blocked.status_code == 409 and "Noordoostpolder" in blocked.text and "Urk" in blocked.text
    assert (
        post(as_("almere"), f"{check}/override", {"reason": "Mag niet", "digest": "x" * 64}, check).status_code == 403
    )
    reason = "De sessie is morgen; de antwoorden zijn feitelijk."
    assert post(sdfl, f"{check}/override", {"reason": reason, "digest": _digest(sdfl, check)}, check).status_code == 303
    assert reason in sdfl.get(check).text
    assert post(sdfl, f"/admin/notas/{n.id}/release", {}, f"/admin/notas/{n.id}").status_code == 303
    db.refresh(n)
    assert n.status == "released"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "nota.released")).one()
    assert event.after["questions"] == [q.id]
    again = post(sdfl, f"/admin/notas/{n.id}", {"title": "Anders", "question_ids": [str(q.id)]}, f"/admin/notas/{n.id}")
    assert again.status_code == 409
    page = as_("re-care").get(f"/dialogues/{world.dialogue.slug}/nota/1")
    assert page.status_code == 200 and "<strong>OVA</strong>" in page.text


def _digest(c, check: str) -> str:
    import re

    found = re.search(r'name="digest" value="([0-9a-f]{64})"', c.get(check).text)
    assert found
    return found.group(1)


# --- query counts ---------------------------------------------------------------------------------------------------


def test_list_pages_do_not_grow_with_the_number_of_questions(as_, db, world, count_queries):
    sdfl, rodante = as_("sdfl"), as_("rodante")
    admin_path = f"/admin/questions?dialogue={world.dialogue.slug}"
    page_path = f"/dialogues/{world.dialogue.slug}/vragen"

    def counts() -> tuple[int, int, int]:
        out = []
        for c, path in ((sdfl, admin_path), (rodante, page_path), (sdfl, "/api/v1/questions")):
            with count_queries() as q:
                assert c.get(path).status_code in (200, 401)
            out.append(q.count)
        return tuple(out)

    from app.questions import notas

    def add(n: int, title: str) -> None:
        made = [
            ask(db, world, who, text=f"{title}: vraag {i} over de tarieven")
            for i in range(n)
            for who in ("rodante", "participant")
        ]
        for q in made[:n]:
            answer(db, world, q)
        notas.release_nota(db, nota(db, world, made[:n], title=title), at=clock.now(), actor=None)
        db.commit()

    add(1, "Eerste")
    few = counts()
    add(6, "Tweede")
    assert counts() == few
