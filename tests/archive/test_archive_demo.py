"""Issue 19's "Done when" for the Woo archive, on the demo: the multi dialogue exported and verified through the
``dialoog`` command (app.cli.main), a changed byte found and named, two exports byte-identical, every comment and
the audit trail in it."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import col, func, select

from app.archive.export import MANIFEST
from app.cli import main
from app.demo import DIALOGUE_SLUG
from app.models import AuditEvent, Comment, Dialogue, Proposal, ProposalVersion, Section
from tests.archive.world import EMAIL, members, readable, rezip

pytestmark = pytest.mark.demo


def test_done_when_on_the_demo(db, tmp_path, capsys):
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    started = time.perf_counter()
    assert main(["export-archive", "--dialogue", DIALOGUE_SLUG, "--out", str(a)]) == 0
    seconds = time.perf_counter() - started
    print(f"demo archive: {a.stat().st_size} bytes in {seconds:.2f} s")
    assert main(["verify-archive", str(a)]) == 0
    assert "Het archief klopt" in capsys.readouterr().out

    # one byte changed inside one file of the ZIP: non-zero, and the file is named
    data = a.read_bytes()
    files = members(data)
    changed = bytearray(files["gegevens/reacties.json"])
    changed[len(changed) // 2] ^= 0x20
    bad = tmp_path / "bad.zip"
    bad.write_bytes(rezip(data, {"gegevens/reacties.json": bytes(changed)}))
    assert main(["verify-archive", str(bad)]) != 0
    out = capsys.readouterr()
    assert "gegevens/reacties.json" in out.out + out.err

    # the same data, the same bytes
    assert main(["export-archive", "--dialogue", DIALOGUE_SLUG, "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()

    # every comment of the dialogue, and the audit trail
    dialogue = db.exec(select(Dialogue).where(Dialogue.slug == DIALOGUE_SLUG)).one()
    in_db = db.exec(
        select(func.count())
        .select_from(Comment)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(Proposal.dialogue_id == dialogue.id)
    ).one()
    assert in_db > 0
    assert len(json.loads(files["gegevens/reacties.json"])) == in_db
    audit = json.loads(files["gegevens/audittrail.json"])
    assert audit and "gegevens/audittrail.csv" in files
    assert {e["action"] for e in audit} <= set(db.exec(select(AuditEvent.action)).all())
    manifest = json.loads(files[MANIFEST])
    assert manifest["tender_reference"] == dialogue.tender_reference
    assert any(name.startswith("pdf/verslagen/") for name in files)
    assert any(name.startswith("documenten/") for name in files)


def test_the_demo_without_personal_data_holds_no_email_address(engine, tmp_path, capsys):
    out = tmp_path / "anoniem.zip"
    assert main(["export-archive", "--dialogue", DIALOGUE_SLUG, "--out", str(out), "--without-personal-data"]) == 0
    for name, content in members(out.read_bytes()).items():
        assert not EMAIL.search(readable(name, content)), name
    assert main(["verify-archive", str(out)]) == 0


def test_an_unknown_trajectory_and_a_missing_file_are_errors(engine, tmp_path, capsys):
    assert main(["export-archive", "--dialogue", "bestaat-niet", "--out", str(tmp_path / "x.zip")]) == 1
    assert "bestaat-niet" in capsys.readouterr().err
    assert main(["verify-archive", str(tmp_path / "er-is-niets.zip")]) == 1
    assert "er-is-niets.zip" in capsys.readouterr().out
