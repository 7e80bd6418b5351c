"""No Markdown syntax where text is shown as plain text (issue 18): review excerpts, exports, suggestion diffs and
the version comparison show ``6 weken``, never ``**6 weken**``."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session, select

from app import migrate
from app.db import make_engine
from app.models import Comment, Section
from tests import factories
from tests.conftest import Browser, scratch_database_url
from tests.helpers import csrf_from
from tests.review.old_rows import comment_at_0013

SECTIONS = (
    ("termijnen", "Termijnen", "De behandelwachttijd is **6 weken** (zie [de regeling](https://example.org/r))."),
    ("tarieven", "Tarieven", "Per product een tarief.\n\n- *ambulant*\n- `dagbehandeling`"),
)
MARKS = ("**", "](", "`", "<strong>", "&lt;strong")


@pytest.fixture
def proposal(db: Session):
    made = factories.proposal(db, sections=SECTIONS)
    db.commit()
    return made


def feedback(db: Session, proposal, **fields) -> Comment:
    author = factories.provider_user(db)
    made = factories.comment(db, factories.section(db, proposal, "termijnen"), author, **fields)
    db.commit()
    return made


def test_review_rows_show_the_comment_as_plain_text(browser: Browser, db: Session, proposal):
    long = "Een **lange** reactie " + " ".join(["over *wachttijden*"] * 40)
    short = feedback(db, proposal, body="Wij vinden **6 weken** te kort, zie [de brief](https://example.org/b).")
    cut = feedback(db, proposal, body=long)
    page = browser("municipality").get("/review").text
    row = page.split(f'id="row-{short.id}"')[1].split("</th>")[0]
    assert "Wij vinden 6 weken te kort, zie de brief." in row
    row = page.split(f'id="row-{cut.id}"')[1].split("</th>")[0]
    excerpt = re.search(r'<p class="note">(.*?)</p>', row).group(1)
    assert excerpt.startswith("Een lange reactie over wachttijden") and excerpt.endswith("…") and len(excerpt) <= 160
    assert not any(mark in excerpt for mark in MARKS)


@pytest.fixture
def exported(db: Session, proposal) -> Comment:
    made = feedback(
        db,
        proposal,
        kind="suggestie",
        body="Wij stellen **10 weken** voor.\n\n- eerste punt\n- tweede punt",
        quote="De behandelwachttijd is **6 weken**",
        suggested_text="De behandelwachttijd is **10 weken**",
    )
    admin = factories.admin(db)
    factories.reply(db, made, admin, "Dank, we nemen het **mee**.", official=True, release_at=None)
    factories.reply(db, made, factories.provider_user(db), "Eens met _dit_ voorstel.")
    db.commit()
    return made


def test_the_csv_export_holds_plain_text(browser: Browser, exported: Comment):
    response = browser("admin").get("/review/export", params={"format": "csv"})
    assert response.status_code == 200
    rows = [r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")]
    row = next(r for r in rows if r["Nummer"] == str(exported.id))
    assert row["Citaat"] == "De behandelwachttijd is 6 weken"
    assert row["Vervangende tekst"] == "De behandelwachttijd is 10 weken"
    assert row["Reactie"] == "Wij stellen 10 weken voor.\n\n• eerste punt\n• tweede punt"
    assert row["Officieel antwoord SDFL"] == "Dank, we nemen het mee."
    assert row["Draad (antwoorden van deelnemers)"].endswith(": Eens met dit voorstel.")
    assert not any(mark in value for value in row.values() for mark in MARKS)


def test_the_xlsx_export_holds_plain_text(browser: Browser, exported: Comment):
    response = browser("admin").get("/review/export", params={"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, [cell.value for cell in r], strict=True)) for r in sheet.iter_rows(min_row=2)]
    row = next(r for r in rows if r["Nummer"] == str(exported.id))
    assert row["Citaat"] == "De behandelwachttijd is 6 weken"
    assert row["Vervangende tekst"] == "De behandelwachttijd is 10 weken"
    assert not any(mark in str(value) for value in row.values() for mark in MARKS)


def test_a_suggestion_is_shown_as_a_plain_word_diff(browser: Browser, db: Session, proposal):
    client = browser("provider")
    page = client.get(f"/proposals/{proposal.id}/sections/termijnen").text
    form = page.split('id="form-new-termijnen"')[1].split("</form>")[0]
    token = re.search(r'name="form_token" value="([A-Za-z0-9_-]{16,})"', form).group(1)
    response = client.post(
        f"/proposals/{proposal.id}/sections/termijnen/comments",
        data={
            "kind": "suggestie",
            "body": "Langer graag.",
            "quote": "De behandelwachttijd is **6 weken**",
            "suggested_text": "De behandelwachttijd is **10 weken**",
            "form_token": token,
            "csrf_token": csrf_from(page),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    made = db.exec(select(Comment).where(Comment.body == "Langer graag.")).one()
    assert made.suggestion_diff == "De behandelwachttijd is <del>6</del><ins>10</ins> weken"
    shown = client.get(f"/proposals/{proposal.id}/sections/termijnen").text
    assert "De behandelwachttijd is <del>6</del><ins>10</ins> weken" in shown


def test_the_version_comparison_shows_plain_text(browser: Browser, db: Session, proposal):
    second = factories.publish_next_version(db, proposal)
    termijnen = factories.section(db, proposal, "termijnen", second.number)
    termijnen.body = "De behandelwachttijd is **10 weken** (zie [de regeling](https://example.org/r))."
    db.add(termijnen)
    db.add(Section(version_id=second.id, key="nieuw", heading="Nieuw", body="Een **nieuw** onderdeel.", position=9))
    db.commit()
    page = browser("admin").get(f"/proposals/{proposal.id}/compare", params={"from": 1, "to": second.number})
    assert page.status_code == 200
    html = page.text
    assert "De behandelwachttijd is <del>6</del><ins>10</ins> weken (zie de regeling)." in html
    assert "<ins>Een nieuw onderdeel.</ins>" in html
    assert "• ambulant\n• dagbehandeling" in html  # unchanged, behind "Tekst tonen"
    main = html.split("<main")[1]
    assert not any(mark in main for mark in ("**", "](", "`"))


def test_a_quote_is_shown_as_plain_text(browser: Browser, db: Session, proposal):
    made = feedback(db, proposal, kind="vraag", body="Waarom?", quote="De behandelwachttijd is **6 weken**")
    page = browser("admin").get(f"/proposals/{proposal.id}/sections/termijnen").text
    comment = page.split(f'id="comment-{made.id}"')[1].split("</article>")[0]
    quote = comment.split('<blockquote class="comment__quote">')[1].split("</blockquote>")[0]
    assert "De behandelwachttijd is 6 weken" in quote and "**" not in quote


def test_the_migration_makes_existing_suggestion_diffs_plain():
    url = scratch_database_url("plaindiff")
    # The proposal and its author are made at head (the factories write today's columns), then the database goes
    # back to 0013 and the comments are written as they were then.
    migrate.upgrade(url, "head")
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            proposal = factories.proposal(db, sections=SECTIONS)
            author = factories.provider_user(db)
            section = factories.section(db, proposal, "termijnen")
            db.commit()
        command.downgrade(migrate.alembic_config(url), "0013")
        with Session(engine, expire_on_commit=False) as db:
            # Written with the columns comments had at 0013 only (the ORM's model has later ones).
            quoted_id = comment_at_0013(
                db,
                section,
                author,
                "Wachttijden lopen op.",
                kind="suggestie",
                quote="is **6 weken**",
                suggested_text="is **8 weken**",
                suggestion_diff="is <del>**6</del><ins>**8</ins> weken**",  # as made before
            )
            whole_id = comment_at_0013(
                db, section, author, "Wachttijden lopen op.", kind="suggestie", suggested_text="Alles **anders**."
            )
            db.commit()
        migrate.upgrade(url, "head")
        with engine.connect() as conn:
            diffs = dict(conn.execute(text("SELECT id, suggestion_diff FROM comments")).all())
        assert diffs[quoted_id] == "is <del>6</del><ins>8</ins> weken"
        assert "**" not in diffs[whole_id] and "<ins>Alles anders.</ins>" in diffs[whole_id]
    finally:
        engine.dispose()
