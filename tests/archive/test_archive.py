"""The Woo archive on factory data: what it holds, that it checks, that it is byte-identical for the same data,
what stays internal, and what is left out without personal data."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, func, select

from app.archive.export import MANIFEST, README, build_archive
from app.archive.service import export_to_file
from app.archive.verify import verify_archive
from app.kit import clock
from app.models import AuditEvent, Comment, Proposal, ProposalVersion, Section
from tests import factories
from tests.archive.world import EMAIL, NOTE_TEXT, NOW, POSITION_TEXT, build_world, members, readable, rezip


def export(db: Session, dialogue, path: Path, **options) -> bytes:
    build_archive(db, dialogue, path, **options)
    return path.read_bytes()


def comments_in_db(db: Session, dialogue_id: int) -> int:
    return db.exec(
        select(func.count())
        .select_from(Comment)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(col(ProposalVersion.proposal_id).in_(select(Proposal.id).where(Proposal.dialogue_id == dialogue_id)))
    ).one()


def test_the_archive_holds_the_trajectory_and_verifies(db, tmp_path):
    world = build_world(db)
    data = export(db, world.dialogue, tmp_path / "a.zip")
    files = members(data)

    assert verify_archive(tmp_path / "a.zip").ok
    manifest = json.loads(files[MANIFEST])
    assert manifest["tender_reference"] == "SDFL-WOO-2026"
    assert manifest["software"]["version"]
    assert manifest["exported_at_basis"] == "newest_change" and manifest["personal_data"] is True
    assert sorted(f["path"] for f in manifest["files"]) == sorted(set(files) - {MANIFEST})
    # every comment of the trajectory, none of another
    comments = json.loads(files["gegevens/reacties.json"])
    assert len(comments) == comments_in_db(db, world.dialogue.id) == len(world.comments)
    assert b"ANDER-TRAJECT" not in b"".join(files.values())
    # the full edit history, the official reply with its release moment, the decision
    revisions = json.loads(files["gegevens/reactie_wijzigingen.json"])
    assert [r["body"] for r in revisions] == ["Eerste tekst van Karim."]
    official = json.loads(files["gegevens/officiele_antwoorden.json"])
    assert [(o["body"], o["release_at"]) for o in official] == [
        ("Dank u, we nemen dit mee.", world.comments[2].release_at.isoformat())
    ]
    decided = next(c for c in comments if c["id"] == world.comments[0].id)
    assert decided["status"] == "overgenomen" and decided["status_release_at"]
    assert decided["author_name"] == "Petra Bakker"
    # the audit trail, approvals, questions and the nota, the session with its report
    audit = json.loads(files["gegevens/audittrail.json"])
    assert "dialogue.updated" in {e["action"] for e in audit}
    assert len(json.loads(files["gegevens/akkoorden.json"])) == 1
    assert json.loads(files["gegevens/vragen.json"])[0]["text"] == "Wat is de planning?"
    assert json.loads(files["gegevens/sessies.json"])[0]["report"].startswith("# Verslag")
    # the document itself, and every report, response report and nota as PDF
    document = json.loads(files["gegevens/documenten.json"])[0]
    assert files[document["archive_path"]] == world.document_content
    assert document["archive_path"].startswith("documenten/") and " " not in document["archive_path"]
    pdfs = sorted(name for name in files if name.startswith("pdf/"))
    assert pdfs == [
        "pdf/notas/nota-01.pdf",
        f"pdf/reactierapporten/{_proposal_slug(db, world)}-v1.pdf",
        "pdf/verslagen/sessie-01.pdf",
    ]
    assert all(files[name].startswith(b"%PDF") for name in pdfs)
    assert b"Dank u, we nemen dit mee." in readable(pdfs[1], files[pdfs[1]])  # the released answer
    # CSV beside every JSON, with the same number of rows
    for name in [n for n in files if n.endswith(".json") and n != MANIFEST]:
        csv_text = files[name[: -len(".json")] + ".csv"].decode("utf-8-sig")
        assert csv_text.startswith(("id;", "criterion_id;", "agenda_item_id;", "dialogue_id;", "comment_id;"))
    assert "LEESMIJ" in README and "intern/" in files[README].decode()


def _proposal_slug(db, world) -> str:
    return db.exec(select(Proposal.slug).where(Proposal.dialogue_id == world.dialogue.id)).one()


def test_two_exports_of_the_same_data_are_byte_identical_and_a_change_shows(db, tmp_path):
    world = build_world(db)
    first = export(db, world.dialogue, tmp_path / "a.zip")
    clock.advance(timedelta(hours=5))  # time passing changes nothing in the archive
    second = export(db, world.dialogue, tmp_path / "b.zip")
    assert first == second
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert len({i.date_time for i in infos}) == 1
    assert {i.external_attr >> 16 for i in infos} == {0o100644}

    factories.comment(db, factories.section(db, _proposal(db, world)), world.providers[1], "Een nieuwe reactie.")
    third = export(db, world.dialogue, tmp_path / "c.zip")
    assert third != first
    assert json.loads(members(third)[MANIFEST])["exported_at"] > json.loads(members(first)[MANIFEST])["exported_at"]


def _proposal(db, world):
    return db.exec(select(Proposal).where(Proposal.dialogue_id == world.dialogue.id)).one()


def test_a_release_moment_passing_makes_another_archive_and_only_then(db, tmp_path):
    world = build_world(db)
    later = factories.reply(
        db,
        world.comments[1],
        world.admin,
        "Later antwoord van SDFL.",
        official=True,
        release_at=NOW + timedelta(hours=2),
    )
    before = export(db, world.dialogue, tmp_path / "a.zip")
    report = next(n for n in members(before) if n.startswith("pdf/reactierapporten/"))
    assert b"Later antwoord" not in readable(report, members(before)[report])  # not released yet
    clock.advance(timedelta(hours=3))
    after = export(db, world.dialogue, tmp_path / "b.zip")
    assert after != before
    assert b"Later antwoord" in readable(report, members(after)[report])
    assert json.loads(members(after)[MANIFEST])["exported_at"] == later.release_at.isoformat()
    clock.advance(timedelta(days=1))
    assert export(db, world.dialogue, tmp_path / "c.zip") == after


def test_the_export_time_can_be_given(db, tmp_path):
    world = build_world(db)
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    files = members(export(db, world.dialogue, tmp_path / "a.zip", at=at))
    manifest = json.loads(files[MANIFEST])
    assert (manifest["exported_at"], manifest["exported_at_basis"]) == (at.isoformat(), "given")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 12, 1, 12, 0, 0)}


def test_verify_names_a_changed_a_missing_and_an_extra_file(db, tmp_path):
    world = build_world(db)
    data = export(db, world.dialogue, tmp_path / "a.zip")
    files = members(data)
    changed = bytearray(files["gegevens/reacties.csv"])
    changed[10] ^= 0x01  # one byte
    cases = {
        "gegevens/reacties.csv": {"gegevens/reacties.csv": bytes(changed)},
        "pdf/notas/nota-01.pdf": {"pdf/notas/nota-01.pdf": None},
        "extra.txt": {"extra.txt": b"toegevoegd"},
    }
    for name, change in cases.items():
        path = tmp_path / f"bad-{len(name)}.zip"
        path.write_bytes(rezip(data, change))
        result = verify_archive(path)
        assert not result.ok
        assert [p.path for p in result.problems] == [name], result.problems


def test_verify_names_a_member_damaged_inside_the_zip(db, tmp_path):
    world = build_world(db)
    data = bytearray(export(db, world.dialogue, tmp_path / "a.zip"))
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        info = archive.getinfo("gegevens/secties.json")
    # the member's compressed bytes start after its local header (30 bytes, the name, the extra field)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path = tmp_path / "damaged.zip"
    path.write_bytes(bytes(data))
    result = verify_archive(path)
    assert [p.path for p in result.problems] == ["gegevens/secties.json"]


def test_internal_notes_and_positions_are_only_under_intern(db, tmp_path):
    world = build_world(db)
    files = members(export(db, world.dialogue, tmp_path / "a.zip"))
    holding = {
        text: sorted(n for n, content in files.items() if text.encode() in readable(n, content))
        for text in (NOTE_TEXT, POSITION_TEXT)
    }
    assert holding[NOTE_TEXT] == [
        "intern/audittrail_intern.csv",
        "intern/audittrail_intern.json",
        "intern/interne_notities.csv",
        "intern/interne_notities.json",
    ]
    assert all(name.startswith("intern/") for name in holding[POSITION_TEXT]) and holding[POSITION_TEXT]
    public_audit = json.loads(files["gegevens/audittrail.json"])
    assert not {e["entity_type"] for e in public_audit} & {"internal_note", "position"}


def test_without_personal_data_no_email_address_and_stable_pseudonyms(db, tmp_path):
    world = build_world(db)
    files = members(export(db, world.dialogue, tmp_path / "a.zip", personal_data=False))
    assert verify_archive(tmp_path / "a.zip").ok
    for name, content in files.items():
        if not name.startswith("documenten/"):
            text = readable(name, content)
            assert not EMAIL.search(text), (name, EMAIL.search(text))
            for person in (world.admin, world.reviewer, *world.providers):
                assert person.name.encode() not in text, (name, person.name)
    petra, karim = world.providers
    comments = {c["id"]: c for c in json.loads(files["gegevens/reacties.json"])}
    assert comments[world.comments[0].id]["author_name"] == f"Deelnemer {petra.id}"
    assert comments[world.comments[3].id]["author_name"] == f"Deelnemer {petra.id}"  # the same person, the same name
    assert comments[world.comments[2].id]["author_name"] == f"Medewerker SDFL {world.admin.id}"
    assert comments[world.comments[1].id]["body"] == f"Wij steunen dit, zegt Deelnemer {karim.id}."
    revision = json.loads(files["gegevens/reactie_wijzigingen.json"])[0]
    assert revision["edited_by_name"] == f"Deelnemer {karim.id}"
    people = {p["id"]: p for p in json.loads(files["gegevens/personen.json"])}
    assert "email" not in people[petra.id] and people[petra.id]["name"] == f"Deelnemer {petra.id}"
    audit = json.loads(files["gegevens/audittrail.json"])
    assert {e["actor_label"] for e in audit if e["actor_id"] == world.admin.id} == {f"Medewerker SDFL {world.admin.id}"}
    assert "ZONDER PERSOONSGEGEVENS" in files[README].decode()
    # with personal data, the addresses are there
    full = members(export(db, world.dialogue, tmp_path / "b.zip"))
    assert b"petra@zorgaanbieder.example.org" in full["gegevens/personen.json"]


def test_the_export_reads_without_a_query_per_row(db, tmp_path, count_queries):
    world = build_world(db)
    with count_queries() as few:
        build_archive(db, world.dialogue, tmp_path / "a.zip")
    more = factories.section(db, _proposal(db, world))
    factories.comments(db, more, world.providers[0], 60)
    with count_queries() as many:
        build_archive(db, world.dialogue, tmp_path / "b.zip")
    assert many.count == few.count


def test_the_audit_trail_of_the_archive_is_not_in_the_next_archive(db, tmp_path):
    world = build_world(db)
    first = export_to_file(db, world.dialogue, tmp_path / "a.zip", actor=world.admin)
    db.flush()
    assert db.exec(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "archive.exported")).one()
    second = export_to_file(db, world.dialogue, tmp_path / "b.zip", actor=world.admin)
    assert first.sha256 == second.sha256


def test_an_empty_trajectory_and_a_missing_document_file(db, tmp_path):
    dialogue = factories.dialogue(db, new=True, title="Leeg traject")
    lost = factories.document(db, dialogue_=dialogue, storage_path="files/00/bestaat-niet")
    files = members(export(db, dialogue, tmp_path / "a.zip"))
    assert verify_archive(tmp_path / "a.zip").ok
    assert files["gegevens/reacties.json"] == b"[]\n"
    assert files["gegevens/reacties.csv"].decode("utf-8-sig").startswith("id;section_id;author_id;")
    assert json.loads(files["gegevens/documenten.json"])[0]["archive_path"] == ""
    assert f"(document-id's): {lost.id}" in files[README].decode()
    assert not [name for name in files if name.startswith(("documenten/", "pdf/"))]
