"""A trajectory with something of everything the Woo archive holds, from the factories (and the feedback
services where they write the audit trail: internal notes, positions, edits)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.audit.service import record
from app.feedback import notes, positions
from app.kit import clock
from app.models import (
    Approval,
    Comment,
    CommentRevision,
    Dialogue,
    Nota,
    Question,
    QuestionStatus,
    ReleaseStatus,
    SessionStatus,
    SignoffSubject,
    User,
)
from app.policy import Principal
from tests import factories
from tests.helpers import pdf_bytes

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
NOTE_TEXT = "GEHEIM-NOTITIE Deze aanbieder bellen over de wachtlijst."
POSITION_TEXT = "GEHEIM-STANDPUNT Onze gemeente deelt deze zorg."
EMAIL = re.compile(rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


@dataclass
class World:
    dialogue: Dialogue
    other: Dialogue
    admin: User
    reviewer: User
    providers: list[User]
    comments: list[Comment]
    document_content: bytes


def build_world(db: Session, *, extra_comments: int = 0) -> World:
    clock.freeze(NOW)
    dialogue = factories.dialogue(db, title="Marktdialoog multi (archief)", tender_reference="SDFL-WOO-2026")
    admin = factories.admin(db, name="Sanne de Vries", email="sanne.devries@sdfl.example.org")
    reviewer = factories.municipality_user(db, name="Gert Jansen", email="g.jansen@almere.example.org")
    first = factories.provider_user(db, name="Petra Bakker", email="petra@zorgaanbieder.example.org")
    second = factories.provider_user(db, name="Karim El Amrani", email="karim@jeugdhulp.example.org")
    proposal = factories.proposal(db, dialogue_=dialogue)
    section = factories.section(db, proposal)
    c1 = factories.comment(db, section, first, "De wachttijden lopen op; mail mij op petra@zorgaanbieder.example.org.")
    c2 = factories.comment(db, section, second, "Wij steunen dit, zegt Karim El Amrani.", kind="steun")
    answer = factories.reply(
        db, c1, admin, "Dank u, we nemen dit mee.", official=True, release_at=NOW - timedelta(hours=1)
    )
    c1.status = c1.published_status = "overgenomen"
    c1.status_release_at = NOW - timedelta(hours=1)
    follow_up = factories.reply(db, answer, first, "Fijn, dank.")
    c2.edited_at = NOW - timedelta(minutes=30)
    db.add(CommentRevision(comment_id=c2.id, kind="steun", body="Eerste tekst van Karim.", edited_by_id=second.id))
    made = [c1, c2, answer, follow_up]
    made += factories.comments(db, section, second, extra_comments, text="Nog een reactie")
    db.flush()
    reviewer_principal = Principal(user=reviewer)
    notes.add_note(db, reviewer_principal, c1.id, NOTE_TEXT)
    positions.set_position(db, reviewer_principal, c1.id, "eens", POSITION_TEXT)
    db.add(
        Approval(
            subject_type=SignoffSubject.replies,
            subject_id=dialogue.id,
            municipality_id=reviewer.municipality_id,
            user_id=reviewer.id,
            decision="approve",
            digest="0" * 64,
            created_at=NOW - timedelta(hours=2),
        )
    )
    meeting = factories.meeting(
        db,
        dialogue_=dialogue,
        starts_at=NOW - timedelta(days=3),
        status=SessionStatus.held,
        report="# Verslag\n\nWe spraken over **wachttijden**.",
        report_published_at=NOW - timedelta(days=1),
    )
    content = pdf_bytes("Programma van de sessie")
    factories.document(db, content=content, meeting_=meeting, dialogue_=dialogue, filename="programma sessie 1.pdf")
    nota = Nota(
        dialogue_id=dialogue.id,
        number=1,
        title="Eerste nota",
        intro="Antwoorden op de vragen.",
        status=ReleaseStatus.released,
        released_at=NOW - timedelta(days=1),
        created_by_id=admin.id,
    )
    db.add(nota)
    db.flush()
    db.add(
        Question(
            dialogue_id=dialogue.id,
            asker_id=first.id,
            provider_id=first.provider_id,
            original_text="Wat is de planning? Groet, Petra Bakker",
            text="Wat is de planning?",
            answer="Zie de tijdlijn.",
            answer_html="<p>Zie de tijdlijn.</p>",
            status=QuestionStatus.answered,
            nota_id=nota.id,
            number=1,
        )
    )
    record(
        db,
        action="dialogue.updated",
        entity_type="dialogue",
        entity_id=dialogue.id,
        actor=admin,
        summary=f"Traject gewijzigd door {admin.email}",
    )
    # Another trajectory: none of it is in the archive.
    other = factories.dialogue(db, new=True, title="Ander traject")
    other_proposal = factories.proposal(db, dialogue_=other)
    factories.comment(db, factories.section(db, other_proposal), first, "ANDER-TRAJECT reactie")
    db.flush()
    return World(dialogue, other, admin, reviewer, [first, second], made, content)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def readable(name: str, content: bytes) -> bytes:
    """A member's text as a reader finds it: a PDF's compressed streams unpacked."""
    if not name.endswith(".pdf"):
        return content
    parts = [content]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", content, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            parts.append(match.group(1))
    return b"\n".join(parts)


def rezip(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The archive with members replaced (None: left out) or added, entries as they were otherwise."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    target.writestr(info, change[info.filename])
                continue
            target.writestr(info, source.read(info))
        for name, content in change.items():
            if content is not None and name not in source.namelist():
                target.writestr(name, content)
    return out.getvalue()
