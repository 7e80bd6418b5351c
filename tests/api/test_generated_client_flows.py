"""The other two integrations of issue 20 through the client generated from the served OpenAPI document (every
call of a flow goes through the generated code; see conftest.py):

- a municipality's BI tool syncs the comments incrementally: a full first sync read as a feed over several pages
  (an edit during it is delivered again, nothing is skipped), then between two syncs a provider edits, withdraws
  and posts, SDFL triages and releases an official reply at a later moment; the next sync from the stored
  ``cursor`` returns exactly what changed, and the event log from its stored cursor the matching typed events;
- SDFL's systems create a session with two agenda items and upload a document (multipart, the generated
  ``File``) released later: a provider cannot see it before that moment and downloads the exact bytes after it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from io import BytesIO
from typing import Any

import pytest
from sqlmodel import select

from app.kit import clock
from app.models import Comment, Dialogue, User
from tests import factories
from tests.api.conftest import generated
from tests.conftest import PRINCIPALS
from tests.helpers import find_section, find_user, pdf_bytes

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)  # a first full sync starts before anything was written


@pytest.fixture
def start() -> datetime:
    """The clock frozen a day after the data was made."""
    moment = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    clock.freeze(moment)
    return moment


def tick(seconds: int = 1) -> None:
    clock.advance(timedelta(seconds=seconds))


def ok(response: Any, status: HTTPStatus = HTTPStatus.OK) -> Any:
    assert response.status_code == status, response.content
    return response.parsed


def is_set(value: Any) -> bool:
    return not isinstance(value, generated("types").Unset) and value is not None


# --- the BI tool's incremental sync -------------------------------------------------------------------------


def feed_pages(client: Any, *, since: datetime | None = None, cursor: str | None = None, between=None, size: int = 3):
    """Read GET /comments as a feed, following next_cursor; ``between(n, items)`` runs after page n. Returns every
    item delivered (in order) and the ``cursor`` of the last page (where this sync ended)."""
    list_comments = generated("api.proposals.list_comments")
    delivered: list[Any] = []
    kwargs: dict[str, Any] = {"updated_since": since} if since is not None else {"cursor": cursor}
    for n in range(1, 100):
        page = ok(list_comments.sync_detailed(client=client, page_size=size, **kwargs))
        assert isinstance(page, generated("models").PageCommentOut)
        delivered.extend(page.items)
        if between:
            between(n, page.items)
        if not is_set(page.next_cursor):
            return delivered, page.cursor if is_set(page.cursor) else cursor
        kwargs = {"cursor": page.next_cursor}
    raise AssertionError("the feed never ended")


def events_after(client: Any, after: str | None) -> tuple[list[Any], str | None]:
    """Every event after ``after`` (all pages) and the cursor to store."""
    list_events = generated("api.events.list_events")
    seen: list[Any] = []
    cursor = after
    for _ in range(100):
        page = ok(list_events.sync_detailed(client=client, page_size=2, **({"after": cursor} if cursor else {})))
        seen.extend(page.items)
        cursor = page.cursor if is_set(page.cursor) else cursor
        if not is_set(page.next_cursor):
            return seen, cursor
    raise AssertionError("the event log never ended")


def etag(client: Any, comment_id: int) -> str:
    answer = generated("api.proposals.get_comment").sync_detailed(comment_id, client=client)
    ok(answer)
    return answer.headers["ETag"]


def edit(client: Any, comment_id: int, body: str) -> Any:
    tick()
    patch = generated("models").CommentPatch.from_dict({"body": body})
    edit_comment = generated("api.proposals.edit_comment")
    return ok(edit_comment.sync_detailed(comment_id, client=client, body=patch, if_match=etag(client, comment_id)))


def post(client: Any, section_id: int, body: str) -> Any:
    tick()
    new = generated("models").CommentCreate.from_dict({"section_id": section_id, "kind": "zorg", "body": body})
    return ok(generated("api.proposals.create_comment").sync_detailed(client=client, body=new), HTTPStatus.CREATED)


def test_bi_sync_gets_exactly_the_changes_between_syncs_and_their_events(db, api_client, start):
    factories.demo_world(db)
    db.commit()
    provider_user = find_user(db, PRINCIPALS["provider"][0])
    provider, bi, sdfl = (
        api_client(provider_user),
        api_client(find_user(db, PRINCIPALS["municipality"][0])),
        api_client(find_user(db, PRINCIPALS["admin"][0])),
    )
    section_id = find_section(db, "product-structure", "productoverzicht").id or 0
    mine = [post(provider, section_id, f"Reactie {i} van het BI-scenario.").id for i in range(4)]
    tick()

    # Everything the municipality may read, as a plain (numbered) list: what a full sync must deliver.
    everything = ok(generated("api.proposals.list_comments").sync_detailed(client=bi, page_size=100))
    assert everything.total == len(everything.items) > 6 and set(mine) <= {c.id for c in everything.items}

    # 1. The first full sync, three per page; right after page 1 the author of its first comment edits it.
    changed_midway: list[int] = []

    def meanwhile(page: int, items: list[Any]) -> None:
        if page == 1:
            first = db.get(Comment, items[0].id)
            author = db.get(User, first.author_id)
            edit(api_client(author), items[0].id, "Gewijzigd terwijl de BI-tool synchroniseerde.")
            changed_midway.append(items[0].id)

    delivered, stored = feed_pages(bi, since=LONG_AGO, between=meanwhile)
    assert stored is not None
    counts = Counter(c.id for c in delivered)
    assert set(counts) == {c.id for c in everything.items}, "a full sync delivers every comment"
    assert counts == Counter({c.id: 1 for c in everything.items}) + Counter(changed_midway)  # the edit again
    moments = [c.updated_at for c in delivered]
    assert moments == sorted(moments)
    again = [c for c in delivered if c.id == changed_midway[0]]
    assert again[0].body != again[1].body == "Gewijzigd terwijl de BI-tool synchroniseerde."
    assert feed_pages(bi, cursor=stored)[0] == []  # nothing changed since the stored cursor

    tick(3)  # the event log shows an event a settle time after it happened
    _seen, stored_events = events_after(bi, None)
    assert stored_events is not None

    # 2. Between two syncs: a provider edits, withdraws and posts; SDFL triages and releases in an hour.
    edited, withdrawn, answered, untouched = mine
    edit(provider, edited, "Nieuwe tekst na de eerste sync.")
    tick()
    withdraw = generated("api.proposals.withdraw_comment")
    assert withdraw.sync_detailed(withdrawn, client=provider, if_match=etag(provider, withdrawn)).status_code == 204
    new = post(provider, section_id, "Een nieuwe reactie na de eerste sync.").id
    tick()
    triage = generated("models").ReviewPatch.from_dict(
        {"status": "niet_overgenomen", "official_reply": "Dat past niet in de **productstructuur**."}
    )
    review = generated("api.proposals.review_comment")
    ok(review.sync_detailed(answered, client=sdfl, body=triage, if_match=etag(sdfl, answered)))
    dialogue_id = db.exec(select(Dialogue.id)).first()
    check = ok(generated("api.proposals.get_release_check").sync_detailed(dialogue_id, client=sdfl))
    assert check.decisions == [answered] and len(check.replies) == 1
    [reply_id] = check.replies
    release_at = clock.now() + timedelta(hours=1)
    release = generated("models").ReleaseCreate(
        digest=check.digest, release_at=release_at, override_reason="Akkoord van de gemeenten in het overleg."
    )
    ok(generated("api.proposals.release_replies").sync_detailed(dialogue_id, client=sdfl, body=release))

    # Before the release moment the provider sees neither the decision nor the reply; the municipality the
    # triage at once (not the reply, which is not out yet).
    seen_by_provider = ok(generated("api.proposals.get_comment").sync_detailed(answered, client=provider))
    assert seen_by_provider.status == "nieuw" and not is_set(seen_by_provider.official_reply)
    early, _ = feed_pages(bi, cursor=stored)
    assert [c.id for c in early] == [edited, withdrawn, new, answered]
    assert early[-1].status == "niet_overgenomen" and not is_set(early[-1].official_reply)
    early_events, _ = events_after(bi, stored_events)
    assert "comment.answered" not in {e.type_ for e in early_events}

    # 3. After the release moment: the next sync from the stored cursor gets exactly the changed comments.
    clock.advance(timedelta(hours=1, seconds=3))
    seen_by_provider = ok(generated("api.proposals.get_comment").sync_detailed(answered, client=provider))
    assert seen_by_provider.status == "niet_overgenomen" and seen_by_provider.official_reply.released is True
    changes, next_stored = feed_pages(bi, cursor=stored)
    by_id = {c.id: c for c in changes}
    # The answered comment and its reply changed at the release moment (the same moment: by id).
    assert [c.id for c in changes] == [edited, withdrawn, new, answered, reply_id]
    assert untouched not in by_id and not (by_id.keys() & ({c.id for c in everything.items} - set(mine)))
    assert by_id[edited].body == "Nieuwe tekst na de eerste sync." and by_id[edited].withdrawn is False
    assert by_id[withdrawn].withdrawn is True and by_id[withdrawn].body is None
    assert by_id[new].body == "Een nieuwe reactie na de eerste sync."
    assert by_id[answered].status == "niet_overgenomen"
    assert by_id[answered].official_reply.released is True and by_id[answered].official_reply.id == reply_id
    assert by_id[answered].updated_at == release_at
    assert by_id[reply_id].official is True and by_id[reply_id].parent_id == answered
    assert by_id[reply_id].updated_at == release_at
    assert next_stored != stored and feed_pages(bi, cursor=next_stored)[0] == []

    # The event log from its stored cursor: the same changes, typed, the answer at its release moment.
    later, _ = events_after(bi, stored_events)
    assert [(e.type_, e.subject.id) for e in later] == [
        ("comment.edited", edited),
        ("comment.withdrawn", withdrawn),
        ("comment.created", new),
        ("comment.answered", answered),
    ]
    assert all(e.subject.type_ == "comment" and e.subject.url.endswith(f"/comments/{e.subject.id}") for e in later)
    assert later[-1].created_at == release_at


# --- SDFL's sessions, agenda and documents ---------------------------------------------------------------------


def test_sdfl_creates_a_session_with_an_agenda_and_a_document_a_provider_gets_at_its_moment(db, api_client, start):
    dialogue = factories.dialogue(db)
    sdfl = api_client(factories.admin(db))
    provider = api_client(factories.provider_user(db))  # of a provider that accepted the invitation
    db.commit()
    models, types = generated("models"), generated("types")
    begins = (clock.now() + timedelta(days=14)).replace(hour=9, minute=0, second=0)

    session = ok(
        generated("api.sessions.create_session").sync_detailed(
            client=sdfl,
            body=models.SessionCreate(
                dialogue_id=dialogue.id,
                title="Tarieven en bekostiging",
                starts_at=begins,
                ends_at=begins + timedelta(hours=3),
                location="Provinciehuis, Lelystad",
            ),
        ),
        HTTPStatus.CREATED,
    )
    assert isinstance(session, models.SessionOut) and session.dialogue_id == dialogue.id
    create_item = generated("api.sessions.create_agenda_item")
    closing = ok(
        create_item.sync_detailed(
            session.id,
            client=sdfl,
            body=models.AgendaItemCreate(
                title="Afsluiting", starts_at=begins + timedelta(hours=2), ends_at=begins + timedelta(hours=3)
            ),
        ),
        HTTPStatus.CREATED,
    )
    opening = ok(
        create_item.sync_detailed(
            session.id,
            client=sdfl,
            body=models.AgendaItemCreate(
                title="Welkom en doel", starts_at=begins, ends_at=begins + timedelta(hours=1), position=1
            ),
        ),
        HTTPStatus.CREATED,
    )
    agenda = ok(generated("api.sessions.list_agenda_items").sync_detailed(session.id, client=provider))
    assert [(i.id, i.title) for i in agenda.items] == [(opening.id, "Welkom en doel"), (closing.id, "Afsluiting")]
    assert [(i.starts_at, i.ends_at) for i in agenda.items] == [
        (begins, begins + timedelta(hours=1)),
        (begins + timedelta(hours=2), begins + timedelta(hours=3)),
    ]

    content = pdf_bytes("Notitie tarieven voor de dialoogsessie")
    release_at = clock.now() + timedelta(days=2)
    upload = models.BodyCreateDocument(
        file=types.File(payload=BytesIO(content), file_name="tarieven.pdf", mime_type="application/pdf"),
        title="Notitie tarieven",
        session_id=session.id,
        audience=models.BodyCreateDocumentAudience.PARTICIPANTS,
        release_at=release_at,
    )
    created = generated("api.documents.create_document").sync_detailed(client=sdfl, body=upload)
    document = ok(created, HTTPStatus.CREATED)
    assert created.headers["Location"] == f"/api/v1/documents/{document.id}"
    assert document.session_id == session.id and document.dialogue_id == dialogue.id
    assert document.size == len(content) and document.released is False and document.release_at == release_at

    list_documents = generated("api.documents.list_documents")
    get_document = generated("api.documents.get_document")
    download = generated("api.documents.download")

    def provider_sees() -> list[int]:
        return [d.id for d in ok(list_documents.sync_detailed(client=provider, session_id=session.id)).items]

    assert [d.id for d in ok(list_documents.sync_detailed(client=sdfl, session_id=session.id)).items] == [document.id]
    assert provider_sees() == []
    assert get_document.sync_detailed(document.id, client=provider).status_code == HTTPStatus.NOT_FOUND
    hidden = download.sync_detailed(document.id, client=provider)
    assert hidden.status_code == HTTPStatus.NOT_FOUND and isinstance(hidden.parsed, models.Problem)

    clock.advance(timedelta(days=2, seconds=1))
    assert provider_sees() == [document.id]
    shown = ok(get_document.sync_detailed(document.id, client=provider))
    assert shown.released is True and shown.title == "Notitie tarieven"
    got = ok(download.sync_detailed(document.id, client=provider))
    assert isinstance(got, types.File)
    assert got.payload.read() == content
