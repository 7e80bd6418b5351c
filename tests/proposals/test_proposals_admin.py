"""Writing proposals (admins): create, edit a draft as sections, import, publish with mail, next version,
compare versions; and who may do it (issue 5)."""

from __future__ import annotations

import io
import re

import docx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.kit.errors import ValidationFailed, field_errors
from app.models import (
    AuditEvent,
    Comment,
    OutboxMessage,
    Proposal,
    ProposalVersion,
    Section,
)
from app.proposals import manage
from app.proposals.import_rules import ImportedSection
from tests import factories
from tests.helpers import csrf_from, find_user, login


@pytest.fixture(autouse=True)
def world(db) -> dict:
    """The demo's dialogue, providers, accounts, proposals and comments, made by factories."""
    made = factories.demo_world(db)
    db.commit()
    return made


ADMIN = "sdfl@example.org"
PROVIDER = "re-care@example.org"
MUNICIPALITY = "almere@example.org"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def admin(client: TestClient) -> TestClient:
    assert login(client, ADMIN).status_code == 303
    return client


def form(client: TestClient, path: str, data: dict | None = None, files: dict | None = None):
    token = csrf_from(client.get("/admin/proposals/new").text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, files=files, follow_redirects=False)


def new_proposal(client: TestClient, db: Session, title: str = "Concept eisen aan de hulp", **extra) -> Proposal:
    data = {
        "topic": "requirements",
        "title": title,
        "summary": "Eisen aan *kwaliteit*.",
        "opens_at": "2026-11-01T09:00",
        "closes_at": "2027-01-15T17:00",
        "public": "1",
        **extra,
    }
    response = form(client, "/admin/proposals", data)
    assert response.status_code == 303, response.text
    return db.exec(select(Proposal).where(Proposal.title == title)).one()


def sections(db: Session, proposal: Proposal, number: int) -> list[Section]:
    version = db.exec(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.number == number)
    ).one()
    return list(db.exec(select(Section).where(Section.version_id == version.id).order_by(col(Section.position))).all())


def publish(client: TestClient, proposal: Proposal, change_summary: str = ""):
    """Publish as an admin does: the check page first (200), then its one button (303); else the refusal."""
    path = f"/admin/proposals/{proposal.id}/publish"
    check = form(client, path, {"change_summary": change_summary})
    if check.status_code != 200:
        return check
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', check.text).group(1)
    return form(client, path, {"change_summary": change_summary, "confirm": "1", "digest": digest})


def add_section(client: TestClient, proposal: Proposal, heading: str, body: str, kind: str = "text"):
    return form(client, f"/admin/proposals/{proposal.id}/sections", {"heading": heading, "body": body, "kind": kind})


def docx_bytes(*parts: tuple[str, str]) -> bytes:
    document = docx.Document()
    for style, text in parts:
        if style == "h1":
            document.add_heading(text, level=1)
        else:
            document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- creating and editing --------------------------------------------------------------------------


def test_create_proposal_starts_an_empty_draft(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    assert proposal.status == "draft" and proposal.public and proposal.slug == "concept-eisen-aan-de-hulp"
    versions = db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).all()
    assert [(v.number, v.status) for v in versions] == [(1, "draft")]
    page = admin.get(f"/admin/proposals/{proposal.id}").text
    assert "Concept versie 1: onderdelen" in page
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "proposal.created")).first()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "Geef het voorstel een titel."),
        ({"topic": "iets"}, "topic", "Kies een onderwerp."),
        ({"opens_at": "gisteren"}, "opens_at", "Vul een geldige datum en tijd in."),
        ({"closes_at": "2026-10-01T09:00"}, "closes_at", "De reactietermijn moet eindigen na het begin."),
        ({"closes_at": ""}, "closes_at", "Vul zowel het begin als het einde"),
    ],
)
def test_invalid_proposal_form_is_shown_again(
    admin: TestClient, db: Session, data: dict, field: str, message: str
) -> None:
    values = {
        "topic": "requirements",
        "title": "Ongeldig voorstel",
        "opens_at": "2026-11-01T09:00",
        "closes_at": "2027-01-15T17:00",
        **data,
    }
    response = form(admin, "/admin/proposals", values)
    assert response.status_code == 422
    assert message in response.text
    assert f'id="field-{field}"' in response.text and 'aria-invalid="true"' in response.text
    assert not db.exec(select(Proposal).where(Proposal.title == "Ongeldig voorstel")).first()


def test_sections_are_added_edited_moved_and_deleted_on_the_draft(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    assert add_section(admin, proposal, "Kwaliteit", "Eerste tekst").status_code == 303
    assert (
        add_section(admin, proposal, "Vraag aan aanbieders: wat mist?", "Zeg het maar.", "question").status_code == 303
    )
    assert add_section(admin, proposal, "Kwaliteit", "Tweede met dezelfde kop").status_code == 303
    first, question, third = sections(db, proposal, 1)
    assert [s.key for s in (first, question, third)] == ["kwaliteit", "vraag-aan-aanbieders-wat-mist", "kwaliteit-2"]
    assert question.kind == "question"

    response = form(
        admin,
        f"/admin/proposals/{proposal.id}/sections/{first.id}",
        {"heading": "Kwaliteit en veiligheid", "body": "Nieuwe tekst", "kind": "text"},
    )
    assert response.status_code == 303
    db.refresh(first)
    assert (first.heading, first.body, first.key) == ("Kwaliteit en veiligheid", "Nieuwe tekst", "kwaliteit")

    assert (
        form(admin, f"/admin/proposals/{proposal.id}/sections/{third.id}/move", {"direction": "up"}).status_code == 303
    )
    assert [s.key for s in sections(db, proposal, 1)] == ["kwaliteit", "kwaliteit-2", "vraag-aan-aanbieders-wat-mist"]
    assert (
        form(admin, f"/admin/proposals/{proposal.id}/sections/{third.id}/delete", {"confirm": "1"}).status_code == 303
    )
    assert [s.key for s in sections(db, proposal, 1)] == ["kwaliteit", "vraag-aan-aanbieders-wat-mist"]


def test_invalid_section_keeps_what_was_typed(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    response = add_section(admin, proposal, "", "Een tekst zonder kop & meer")
    assert response.status_code == 422
    assert "Geef het onderdeel een kop." in response.text
    assert "Een tekst zonder kop &amp; meer</textarea>" in response.text
    assert sections(db, proposal, 1) == []


def test_live_preview_renders_sanitised_markdown(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    token = csrf_from(admin.get(f"/admin/proposals/{proposal.id}").text)
    response = admin.post(
        f"/admin/proposals/{proposal.id}/preview",
        data={"body": "| a | b |\n|---|---|\n| 1 | 2 |\n\n**vet** <script>alert(1)</script>"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert "<table>" in response.text and "<strong>vet</strong>" in response.text
    assert "<script" not in response.text


# --- importing -----------------------------------------------------------------------------------------


def test_import_docx_replaces_the_draft_sections(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    add_section(admin, proposal, "Oud onderdeel", "Gaat weg")
    content = docx_bytes(
        ("h1", "Toegang"), ("p", "Via het lokale team."), ("h1", "Vraag: werkt dit?"), ("p", "Graag uw mening.")
    )
    response = form(admin, f"/admin/proposals/{proposal.id}/import", files={"file": ("concept.docx", content, DOCX)})
    assert response.status_code == 303
    imported = sections(db, proposal, 1)
    assert [(s.key, s.heading, s.body, s.kind) for s in imported] == [
        ("toegang", "Toegang", "Via het lokale team.", "text"),
        ("vraag-werkt-dit", "Vraag: werkt dit?", "Graag uw mening.", "question"),
    ]
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "version.imported")).first()


def test_import_markdown_and_refuse_other_files(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    markdown = b"# Eerste\n\nTekst een.\n\n# Tweede\n\n- punt\n"
    response = form(
        admin, f"/admin/proposals/{proposal.id}/import", files={"file": ("concept.md", markdown, "text/markdown")}
    )
    assert response.status_code == 303
    assert [s.heading for s in sections(db, proposal, 1)] == ["Eerste", "Tweede"]
    bad = form(admin, f"/admin/proposals/{proposal.id}/import", files={"file": ("stuk.docx", b"%PDF-1.7 nep", DOCX)})
    assert bad.status_code == 422
    assert 'id="error-file"' in bad.text
    assert [s.heading for s in sections(db, proposal, 1)] == ["Eerste", "Tweede"]  # nothing lost


# --- publishing -----------------------------------------------------------------------------------------


def test_publish_renders_once_makes_immutable_and_mails_participants(admin: TestClient, db: Session) -> None:
    proposal = new_proposal(admin, db)
    empty = form(admin, f"/admin/proposals/{proposal.id}/publish", {"change_summary": ""})
    assert empty.status_code == 422 and "zonder onderdelen" in empty.text
    add_section(admin, proposal, "Kwaliteit", "Een **sterke** tekst\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    mails_before = len(db.exec(select(OutboxMessage)).all())
    response = publish(admin, proposal, "Eerste versie.")
    assert response.status_code == 303
    db.refresh(proposal)
    (section,) = sections(db, proposal, 1)
    version = db.get(ProposalVersion, section.version_id)
    assert version.status == "published" and version.published_at is not None and proposal.status == "published"
    assert "<strong>sterke</strong>" in section.body_html and "<table>" in section.body_html

    mails = db.exec(select(OutboxMessage)).all()[mails_before:]
    recipients = {m.to_address for m in mails}
    assert PROVIDER in recipients and MUNICIPALITY in recipients
    assert "rodante@example.org" in recipients
    assert "its4sure@example.org" not in recipients  # not accepted: not a participant
    assert all(m.subject == "Nieuw voorstel: Concept eisen aan de hulp" for m in mails)
    assert f"/proposals/{proposal.id}" in mails[0].body_text

    # Published means immutable: no draft to change any more.
    changed = form(
        admin, f"/admin/proposals/{proposal.id}/sections/{section.id}", {"heading": "X", "body": "Y", "kind": "text"}
    )
    assert changed.status_code == 409
    db.refresh(section)
    assert section.heading == "Kwaliteit"
    again = form(admin, f"/admin/proposals/{proposal.id}/publish", {"change_summary": "nog eens"})
    assert again.status_code == 409


def test_next_version_keeps_keys_needs_a_change_summary_and_compares(
    admin: TestClient, db: Session, client: TestClient
) -> None:
    proposal = new_proposal(admin, db)
    add_section(admin, proposal, "Kwaliteit", "De aanbieder levert goede zorg.")
    add_section(admin, proposal, "Toegang", "Via het lokale team.")
    publish(admin, proposal, "")
    comment_section = sections(db, proposal, 1)[0]

    assert form(admin, f"/admin/proposals/{proposal.id}/versions").status_code == 303
    assert form(admin, f"/admin/proposals/{proposal.id}/versions").status_code == 409  # one draft at a time
    draft_sections = sections(db, proposal, 2)
    assert [s.key for s in draft_sections] == ["kwaliteit", "toegang"]
    kwaliteit, toegang = draft_sections
    form(
        admin,
        f"/admin/proposals/{proposal.id}/sections/{kwaliteit.id}",
        {"heading": "Kwaliteit", "body": "De aanbieder levert aantoonbaar goede zorg.", "kind": "text"},
    )
    form(admin, f"/admin/proposals/{proposal.id}/sections/{toegang.id}/delete", {"confirm": "1"})
    add_section(admin, proposal, "Looptijd", "Vier jaar.")

    refused = form(admin, f"/admin/proposals/{proposal.id}/publish", {"change_summary": " "})
    assert refused.status_code == 422 and "Beschrijf wat er in deze versie is veranderd." in refused.text
    assert publish(admin, proposal, "Aangescherpt.").status_code == 303
    assert sections(db, proposal, 1)[0].body == "De aanbieder levert goede zorg."  # version 1 unchanged

    compare = admin.get(f"/proposals/{proposal.id}/compare?from=1&to=2")
    assert compare.status_code == 200
    assert "<ins>aantoonbaar </ins>" in compare.text
    assert "Toegevoegd: 1 · verwijderd: 1 · gewijzigd: 1" in compare.text
    history = admin.get(f"/proposals/{proposal.id}/history").text
    assert "Aangescherpt." in history and "Huidige versie" in history

    # Comments on version 1 can no longer be added: the current version is 2.
    token = csrf_from(admin.get("/proposals").text)
    assert comment_section.key == "kwaliteit"
    sdfl = find_user(db, ADMIN)
    db.add(Comment(section_id=comment_section.id, author_id=sdfl.id, kind="steun", body="oud", body_html="<p>oud</p>"))
    db.commit()
    page = admin.get(f"/proposals/{proposal.id}").text
    assert "Eerdere discussie: 1 reactie in versie 1" in page and "oud" in page
    old_page = admin.get(f"/proposals/{proposal.id}/versions/1").text
    assert "U leest een eerdere versie" in old_page and 'class="comment-form"' not in old_page
    old_section = admin.get(f"/proposals/{proposal.id}/sections/kwaliteit?version=1").text
    assert "De aanbieder levert goede zorg." in old_section and "oud" in old_section
    assert f'href="/proposals/{proposal.id}/versions/1#section-kwaliteit"' in old_section
    mail = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).first()
    assert mail.subject == "Nieuwe versie van Concept eisen aan de hulp (versie 2)"
    assert "Aangescherpt." in mail.body_text
    assert token


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", [None, PROVIDER])
def test_only_admins_write_proposals(client: TestClient, db: Session, email: str | None) -> None:
    """(A municipality co-authors the draft's sections: tests/proposals/test_section_coauthoring.py.)"""
    proposal = db.exec(select(Proposal).where(Proposal.slug == "product-structure")).one()
    if email:
        assert login(client, email).status_code == 303
    token = csrf_from(client.get("/login" if not email else "/proposals").text)
    expected = 303 if email is None else 403  # the public is sent to sign in
    assert client.get("/admin/proposals", follow_redirects=False).status_code == expected
    assert client.get(f"/admin/proposals/{proposal.id}", follow_redirects=False).status_code == expected
    for path, data in [
        ("/admin/proposals", {"topic": "requirements", "title": "Niet van mij"}),
        (f"/admin/proposals/{proposal.id}", {"topic": "requirements", "title": "Gekaapt"}),
        (f"/admin/proposals/{proposal.id}/versions", {}),
        (f"/admin/proposals/{proposal.id}/publish", {}),
        (f"/admin/proposals/{proposal.id}/sections", {"heading": "x", "kind": "text"}),
        (f"/admin/proposals/{proposal.id}/preview", {"body": "x"}),
    ]:
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == expected, path
    db.refresh(proposal)
    assert proposal.title == "Productstructuur multidisciplinaire jeugdhulp"
    assert not db.exec(select(Proposal).where(Proposal.title == "Niet van mij")).first()
    assert len(db.exec(select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)).all()) == 1


def test_admin_list_shows_versions(admin: TestClient, db: Session) -> None:
    page = admin.get("/admin/proposals").text
    assert re.search(
        r"Productstructuur multidisciplinaire jeugdhulp</a></th>\s*<td>Productstructuur</td>\s*<td>versie 1</td>", page
    )


def test_import_into_draft_names_the_section_it_refuses(db: Session) -> None:
    """The draft import checks every section again (the importer checks the same limits first, so a file never
    gets here with a heading too long, but another caller could): the refusal names the section and says why,
    as a field error on the file; it used to raise TypeError (mypy found it)."""
    proposal = factories.proposal(db, published=False)
    kept = [s.heading for s in sections(db, proposal, 1)]
    too_long = ImportedSection(heading="K" * 301, body="Tekst.", kind="text")
    fine = ImportedSection(heading="Goed", body="Tekst.", kind="text")
    with pytest.raises(ValidationFailed) as refused:
        manage.import_into_draft(db, proposal, [fine, too_long], filename="voorstel.md", actor=factories.admin(db))
    assert field_errors(refused.value) == {"file": "Onderdeel 2: De kop is te lang: maximaal 300 tekens."}
    assert [s.heading for s in sections(db, proposal, 1)] == kept  # nothing of the draft removed
