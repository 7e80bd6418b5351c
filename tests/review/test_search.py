"""Searching the review dashboard (issue 18): parts of Dutch words, inflections, quotes and suggested texts,
on SQLite (FTS5 word index + trigram index) and PostgreSQL (Dutch full text + pg_trgm), over HTTP."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from alembic import command
from sqlmodel import Session, col, select

from app import migrate
from app.db import make_engine
from app.models import Comment
from app.review.query import full_text_condition, search_terms
from tests import factories
from tests.conftest import Browser, scratch_database_url
from tests.review.old_rows import comment_at_0013


@dataclass
class World:
    body: Comment  # "behandelwachttijd" in its body
    quote: Comment  # "verlengen" in its quote only
    suggestion: Comment  # "verlengen" in its suggested text only
    other: Comment  # none of it
    admin: object
    reviewer: object


@pytest.fixture
def world(db: Session) -> World:
    proposal = factories.proposal(db)
    first, second, third = factories.sections(db, proposal)
    author = factories.provider_user(db)
    made = World(
        body=factories.comment(db, first, author, "De behandelwachttijd in Urk is te lang."),
        quote=factories.comment(
            db,
            second,
            author,
            "Dit is onduidelijk.",
            kind="vraag",
            quote="Het contract kan eenmaal worden verlengen met twee jaar.",
        ),
        suggestion=factories.comment(
            db,
            second,
            author,
            "Maak het ruimer.",
            kind="suggestie",
            quote="Het contract loopt vier jaar.",
            suggested_text="Het contract loopt vier jaar; partijen mogen het verlengen.",
        ),
        other=factories.comment(db, third, author, "Goed plan voor dagbehandeling.", kind="steun"),
        admin=factories.admin(db),
        reviewer=factories.municipality_user(db),
    )
    db.commit()
    return made


def found(client, q: str, path: str = "/review") -> list[int]:
    response = client.get(path, params={"q": q})
    assert response.status_code == 200, response.text[:500]
    return sorted(int(m) for m in re.findall(r'<tr id="row-(\d+)"', response.text))


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_a_part_of_a_word_finds_the_longer_word(browser: Browser, world: World, role: str):
    client = browser(getattr(world, role))
    assert found(client, "wachttijd") == [world.body.id]
    assert found(client, "WACHTTIJD") == [world.body.id]
    assert found(client, "behandel") == sorted([world.body.id, world.other.id])  # also in "dagbehandeling"


@pytest.mark.parametrize("role", ["reviewer", "admin"])
def test_quotes_and_suggested_texts_are_searched(browser: Browser, world: World, role: str):
    client = browser(getattr(world, role))
    assert found(client, "verlengen") == sorted([world.quote.id, world.suggestion.id])
    assert found(client, "eenmaal") == [world.quote.id]  # in the quote only
    assert found(client, "partijen") == [world.suggestion.id]  # in the suggested text only


def test_every_term_must_be_found(browser: Browser, world: World):
    client = browser(world.reviewer)
    assert found(client, "wachttijd Urk") == [world.body.id]
    assert found(client, "wachttijd dagbehandeling") == []
    assert found(client, "contract verlengen partijen") == [world.suggestion.id]


def test_short_terms_match_the_start_of_a_word(browser: Browser, world: World):
    client = browser(world.reviewer)
    assert found(client, "Ur") == [world.body.id]  # "Urk"
    assert found(client, "ij") == []  # inside "wachttijd": too short for a part of a word
    assert found(client, "ve") == sorted([world.quote.id, world.suggestion.id])  # "verlengen", "vier"
    assert found(client, "ve eenmaal") == [world.quote.id]


def test_inflections(browser: Browser, db: Session, world: World):
    """A longer form of the term is found anywhere; on PostgreSQL Dutch stemming finds other forms too."""
    author = factories.provider_user(db)
    section = factories.section(db, factories.proposal(db))
    plain = factories.comment(db, section, author, "Lange wachttijd.")
    accented = factories.comment(db, section, author, "Zorg voor continuïteit.")
    db.commit()
    client = browser(world.reviewer)
    assert found(client, "wachttijd") == sorted([world.body.id, plain.id])
    if db.get_bind().dialect.name == "postgresql":
        assert found(client, "wachttijden") == [plain.id]  # both "wachttijd" to the stemmer
        assert found(client, "verlenging") == sorted([world.quote.id, world.suggestion.id])  # "verleng"
    # Words without accents find words with them (the word index removes them) and the other way round.
    assert found(client, "continuiteit") == [accented.id]
    assert found(client, "continuïteit") == [accented.id]


def test_the_index_follows_edits(browser: Browser, db: Session, world: World):
    client = browser(world.reviewer)
    world.body.body = "Nu over de doorlooptijd."
    world.quote.quote = "Het contract loopt af."
    db.add_all([world.body, world.quote])
    db.commit()
    assert found(client, "wachttijd") == []
    assert found(client, "looptijd") == sorted([world.body.id])
    assert found(client, "verlengen") == [world.suggestion.id]
    assert world.quote.id in found(client, "loopt")


def test_what_a_reviewer_may_not_see_is_not_found(browser: Browser, db: Session, world: World):
    """Search narrows the dashboard's rows; it never adds rows: not withdrawn comments, not comments on a draft
    version, not replies or SDFL's drafted answers."""
    author = factories.provider_user(db)
    withdrawn = factories.comment(db, factories.section(db, factories.proposal(db)), author, "x")
    withdrawn.body = "Ingetrokken: verlengen"
    withdrawn.deleted_at = withdrawn.created_at
    draft = factories.proposal(db, published=False)
    on_draft = factories.comment(db, factories.section(db, draft), author, "Over verlengen in een concept.")
    factories.reply(db, world.other, world.admin, "Wij gaan verlengen.", official=True, release_at=None)
    factories.reply(db, world.other, author, "Ik wil ook verlengen.")
    db.add(withdrawn)
    db.commit()
    for who in (world.reviewer, world.admin):
        ids = found(browser(who), "verlengen")
        assert ids == sorted([world.quote.id, world.suggestion.id])
        assert withdrawn.id not in ids and on_draft.id not in ids and world.other.id not in ids
    # Providers and the public have no dashboard to search.
    assert browser(author).get("/review", params={"q": "verlengen"}).status_code in (403, 404)
    assert browser().get("/review", params={"q": "verlengen"}, follow_redirects=False).status_code in (303, 401)


ODD = [
    '"',
    '"wacht',
    "*",
    "wacht*",
    "wacht* OR (",
    "NEAR(a b)",
    "-wachttijd",
    "a:b",
    "%",
    "_",
    "%_%",
    "\\",
    "'",
    "'; DROP TABLE comments; --",
    "wachttijd:*",
    "!&|<->",
    "ëé",
    "½",
    "𝔘𝔯𝔨",
    "ab_cd",
    "AND OR NOT",
    "x" * 200,
    "wachttijd " * 20,
    " ".join(str(i) for i in range(60)),  # 60 terms in 169 characters
    "ａｂｃ",
    "\t\n",
]


def test_odd_input_never_fails(browser: Browser, world: World):
    client = browser(world.admin)
    for q in ODD:
        response = client.get("/review", params={"q": q})
        assert response.status_code == 200, q
        assert client.get("/review", params={"q": q}, headers={"HX-Request": "true"}).status_code == 200, q
        assert client.get("/review/export", params={"q": q, "format": "csv"}).status_code == 200, q
    too_long = client.get("/review", params={"q": "wachttijd" + "z" * 500})
    assert too_long.status_code == 422 and "Zoek op maximaal 200 tekens." in too_long.text
    # Characters that are syntax elsewhere only separate terms here.
    assert found(client, '"wachttijd"') == [world.body.id]
    assert found(client, "wacht*tijd") == [world.body.id]
    assert found(client, "%wacht%") == [world.body.id]
    assert found(client, "100%") == []
    assert found(client, "_") == found(client, "") != []  # no terms: no search


def test_the_export_searches_the_same_way(browser: Browser, world: World):
    client = browser(world.reviewer)
    response = client.get("/review/export", params={"q": "wachttijd", "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 and "behandelwachttijd" in str(rows[0])


def test_search_terms():
    assert search_terms('"wacht*tijd" OR (x)') == ["wacht", "tijd", "OR", "x"]
    assert search_terms("Urk urk URK") == ["Urk"]
    assert search_terms("ab_cd 100%") == ["ab", "cd", "100"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(100)))) == 20
    assert search_terms("x" * 300) == ["x" * 100]
    assert search_terms("-*\"'") == []


def test_the_migration_indexes_existing_comments():
    """Comments written before migration 0014 are found by part of a word and by quote after it."""
    url = scratch_database_url("search")
    # Made at head (the factories write today's columns), then back to 0013 to write the comment as it was then.
    migrate.upgrade(url, "head")
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            section = factories.section(db, factories.proposal(db))
            author = factories.provider_user(db)
            db.commit()
        command.downgrade(migrate.alembic_config(url), "0013")
        with Session(engine, expire_on_commit=False) as db:
            old_id = comment_at_0013(db, section, author, "De behandelwachttijd.", quote="Wij verlengen niet.")
            db.commit()
        migrate.upgrade(url, "head")
        with Session(engine) as db:
            for q in ("wachttijd", "verlengen", "behandelwachttijd"):
                condition = full_text_condition(db, q)
                assert db.exec(select(Comment.id).where(condition)).all() == [old_id], q
            # Still kept current after the migration.
            db.add(factories.comment(db, section, author, "Nieuwe wachttijdklacht."))
            db.commit()
            ids = db.exec(select(Comment.id).where(full_text_condition(db, "wachttijd")).order_by(col(Comment.id)))
            assert len(ids.all()) == 2
        command.downgrade(migrate.alembic_config(url), "0013")
        migrate.upgrade(url, "head")
        with Session(engine) as db:
            assert len(db.exec(select(Comment.id).where(full_text_condition(db, "verlengen"))).all()) == 1
    finally:
        engine.dispose()
