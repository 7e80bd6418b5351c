"""Demo data: the SDFL dialogue on multidisciplinaire jeugdhulp, with dates relative to today.

Every record is found by its natural key before it is created, so seeding twice adds nothing.
Provider tags and contact names are illustrative and shown as demo data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from fpdf import FPDF
from sqlmodel import Session, SQLModel, select

from app import demo_content as content
from app.accounts.passwords import hash_password
from app.audit.service import record
from app.feedback.writing import suggestion_diff
from app.kit.i18n import TIMEZONE
from app.kit.markdown import render_markdown
from app.kit.storage import store_bytes
from app.models import (
    AgendaFormat,
    AgendaItem,
    Attendance,
    CareForm,
    Comment,
    Dialogue,
    DialogueSession,
    DialogueStatus,
    Document,
    Invitation,
    InvitationStatus,
    Municipality,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Provider,
    ProviderMunicipality,
    Role,
    Section,
    SelectionCriterion,
    SessionStatus,
    SubgroupAssignment,
    User,
    VersionStatus,
    id_of,
)

DEMO_PASSWORD = "dialoog-demo-2025"  # noqa: S105 - documented demo password
ADMIN_EMAIL = "sdfl@example.org"
DIALOGUE_SLUG = "multi-2027"
CARE_FORM_KEY = "multi-complex"
# Days from today: one session held, one coming up with its documents released, one later.
SESSION_OFFSETS = {1: -21, 2: 5, 3: 40}  # overrides day_offset in demo_content

M = TypeVar("M", bound=SQLModel)


@dataclass
class SeedResult:
    created: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role, organisation)


def _get_or_create(
    session: Session, model: type[M], result: SeedResult, *, defaults: dict[str, Any] | None = None, **key: Any
) -> tuple[M, bool]:
    stmt = select(model)
    for name, value in key.items():
        stmt = stmt.where(getattr(model, name) == value)
    existing = session.exec(stmt).first()
    if existing is not None:
        return existing, False
    obj = model(**key, **(defaults or {}))
    session.add(obj)
    session.flush()
    result.created += 1
    return obj, True


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=TIMEZONE).astimezone(UTC)


def _demo_pdf(title: str, reference: str) -> bytes:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, title)
    pdf.set_font("Helvetica", size=11)
    pdf.ln(4)
    pdf.multi_cell(
        0,
        6,
        f"Kenmerk TenderNed: {reference}\n\n"
        "Demodocument van Dialoog. Dit stuk is gemaakt voor de demonstratie en bevat "
        "geen echte afspraken.",
    )
    return bytes(pdf.output())


def seed_demo(session: Session, *, today: date | None = None, now: datetime | None = None) -> SeedResult:
    """Create the demo data set (idempotent). The caller commits."""
    now = now or datetime.now(UTC)
    today = today or now.astimezone(TIMEZONE).date()
    result = SeedResult()
    password_hash = hash_password(DEMO_PASSWORD)

    municipalities: dict[str, Municipality] = {}
    for m in content.MUNICIPALITIES:
        municipalities[m["name"]], _ = _get_or_create(
            session,
            Municipality,
            result,
            code=m["code"],
            defaults={"name": m["name"], "in_procurement": m["in_procurement"]},
        )

    care_forms: dict[str, CareForm] = {}
    for cf in content.CARE_FORMS:
        care_forms[cf["key"]], _ = _get_or_create(
            session,
            CareForm,
            result,
            key=cf["key"],
            defaults={"name": cf["name"], "description": cf.get("description", "")},
        )

    d = content.DIALOGUE
    dialogue, _ = _get_or_create(
        session,
        Dialogue,
        result,
        slug=DIALOGUE_SLUG,
        defaults={
            "title": d["title"],
            "tender_reference": d["tender_reference"],
            "description": d["description"],
            "selection_intro": d["selection_intro"],
            "status": DialogueStatus.active,
            "care_form_id": care_forms[CARE_FORM_KEY].id if CARE_FORM_KEY in care_forms else None,
        },
    )
    for position, criterion in enumerate(d["criteria"], start=1):
        _get_or_create(
            session,
            SelectionCriterion,
            result,
            dialogue_id=dialogue.id,
            title=criterion["title"],
            defaults={"position": position, "text": criterion["text"], "basis": criterion["basis"]},
        )

    admin, _ = _get_or_create(
        session,
        User,
        result,
        email=ADMIN_EMAIL,
        defaults={"name": "Team inkoop SDFL", "role": Role.admin, "password_hash": password_hash},
    )
    result.accounts.append((admin.email, Role.admin, "Sociaal Domein Flevoland"))
    for m in content.MUNICIPALITIES:
        if not m["in_procurement"]:
            continue
        email = f"{m['name'].lower()}@example.org"
        _get_or_create(
            session,
            User,
            result,
            email=email,
            defaults={
                "name": f"Beleidsadviseur {m['name']}",
                "role": Role.municipality,
                "municipality_id": municipalities[m["name"]].id,
                "password_hash": password_hash,
            },
        )
        result.accounts.append((email, Role.municipality, m["name"]))

    providers: dict[str, Provider] = {}
    provider_users: dict[str, User] = {}
    for p in content.PROVIDERS:
        provider, created = _get_or_create(
            session,
            Provider,
            result,
            slug=p["slug"],
            defaults={
                "name": p["name"],
                "size": p["size"],
                "tags": list(p["tags"]),
                "active_outside_flevoland": p["active_outside_flevoland"],
                "website": p["website"],
                "illustrative": True,
            },
        )
        providers[p["slug"]] = provider
        if created:
            for name in p["contracted_in"]:
                session.add(
                    ProviderMunicipality(provider_id=id_of(provider), municipality_id=id_of(municipalities[name]))
                )
        email = f"{p['slug']}@example.org"
        provider_users[p["slug"]], _ = _get_or_create(
            session,
            User,
            result,
            email=email,
            defaults={
                "name": p["contact_name"],
                "role": Role.provider,
                "provider_id": provider.id,
                "password_hash": password_hash,
            },
        )
        result.accounts.append((email, Role.provider, p["name"]))
        accepted = p["invitation"] == InvitationStatus.accepted
        _get_or_create(
            session,
            Invitation,
            result,
            dialogue_id=dialogue.id,
            provider_id=provider.id,
            defaults={
                "status": p["invitation"],
                "invited_at": now - timedelta(days=42),
                "responded_at": now - timedelta(days=38) if accepted else None,
                "responded_by_id": provider_users[p["slug"]].id if accepted else None,
                "note": "",
                "reminded_at": now - timedelta(days=30) if not accepted else None,
            },
        )

    proposals = _seed_proposals(
        session, result, dialogue=dialogue, providers=providers, provider_users=provider_users, now=now
    )
    _seed_sessions(
        session, result, dialogue=dialogue, providers=providers, proposals=proposals, admin=admin, today=today, now=now
    )

    if result.created:
        record(
            session,
            action="demo.seeded",
            entity_type="dialogue",
            entity_id=dialogue.id,
            summary=f"Demodata geladen ({result.created} records).",
        )
    return result


def _seed_sessions(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    providers: dict[str, Provider],
    proposals: dict[str, Proposal],
    admin: User,
    today: date,
    now: datetime,
) -> None:
    accepted = [p["slug"] for p in content.PROVIDERS if p["invitation"] == InvitationStatus.accepted]
    for s in content.SESSIONS:
        day = today + timedelta(days=SESSION_OFFSETS.get(s["number"], s["day_offset"]))
        starts_at, ends_at = _at(day, s["start"]), _at(day, s["end"])
        held = s["status"] == SessionStatus.held
        meeting, created = _get_or_create(
            session,
            DialogueSession,
            result,
            dialogue_id=dialogue.id,
            number=s["number"],
            defaults={
                "title": s["title"],
                "starts_at": starts_at,
                "ends_at": ends_at,
                "location": s["location"],
                "status": s["status"],
                "documents_release_at": starts_at - timedelta(days=7),
                "recording_url": s.get("recording_url"),
                "report": s.get("report") or "",
                "report_published_at": (ends_at + timedelta(days=3)) if held and s.get("report") else None,
                "ics_uid": f"dialoog-{DIALOGUE_SLUG}-sessie-{s['number']}@sdfl.example.org",
            },
        )
        if not created:
            continue
        for position, item in enumerate(s["agenda"], start=1):
            agenda_item = AgendaItem(
                session_id=id_of(meeting),
                position=position,
                starts_at=_at(day, item["start"]),
                ends_at=_at(day, item["end"]),
                title=item["title"],
                description=item["description"],
                format=item["format"],
                proposal_id=proposals[item["proposal"]].id if item["proposal"] in proposals else None,
            )
            session.add(agenda_item)
            if item["format"] == AgendaFormat.subgroups:
                session.flush()
                # Every invited provider in one of three subgroups, for the demo.
                for i, p in enumerate(content.PROVIDERS):
                    session.add(
                        SubgroupAssignment(
                            agenda_item_id=id_of(agenda_item),
                            provider_id=id_of(providers[p["slug"]]),
                            subgroup=f"Groep {'ABC'[i % 3]}",
                        )
                    )
        if held:
            for i, slug in enumerate(accepted):
                came = i % 5 != 4  # most accepted providers came
                session.add(
                    Attendance(
                        session_id=id_of(meeting),
                        provider_id=id_of(providers[slug]),
                        attended=came,
                        people=(1 + i % 3) if came else 0,
                    )
                )
        for doc in s.get("documents", []):
            stored = store_bytes(_demo_pdf(doc["title"], dialogue.tender_reference))
            session.add(
                Document(
                    dialogue_id=id_of(dialogue),
                    session_id=meeting.id,
                    title=doc["title"],
                    filename=doc["filename"],
                    content_type="application/pdf",
                    size=stored.size,
                    sha256=stored.sha256,
                    storage_path=stored.path,
                    audience=doc["audience"],
                    release_at=min(meeting.documents_release_at or starts_at, now - timedelta(hours=1)),
                    notified_at=now - timedelta(hours=1),  # released before the demo began: no mail now
                    uploaded_by_id=admin.id,
                )
            )
            result.created += 1


def _seed_proposals(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    providers: dict[str, Provider],
    provider_users: dict[str, User],
    now: datetime,
) -> dict[str, Proposal]:
    proposals: dict[str, Proposal] = {}
    sections: dict[tuple[str, str], Section] = {}
    new_proposals: set[str] = set()
    for p in content.PROPOSALS:
        proposal, created = _get_or_create(
            session,
            Proposal,
            result,
            slug=p["key"],
            defaults={
                "dialogue_id": dialogue.id,
                "topic": p["topic"],
                "title": p["title"],
                "summary": p.get("summary", ""),
                "status": ProposalStatus.published,
                "opens_at": now - timedelta(days=7),
                "closes_at": now + timedelta(days=21),
                "public": p["public"],
            },
        )
        proposals[p["key"]] = proposal
        if not created:
            continue
        new_proposals.add(p["key"])
        version = ProposalVersion(
            proposal_id=id_of(proposal),
            number=1,
            status=VersionStatus.published,
            published_at=now - timedelta(days=7),
            change_summary=p["change_summary"],
        )
        session.add(version)
        session.flush()
        for position, sec in enumerate(p["sections"], start=1):
            section = Section(
                version_id=id_of(version),
                key=sec["key"],
                position=position,
                heading=sec["heading"],
                body=sec["body"],
                body_html=render_markdown(sec["body"], heading_offset=2),
                kind=sec["kind"],
            )
            session.add(section)
            sections[(p["key"], sec["key"])] = section
        result.created += 1 + len(p["sections"])
    session.flush()

    created_comments: dict[int, Comment] = {}  # index in content.COMMENTS -> comment
    for index, c in enumerate(content.COMMENTS):
        if c["proposal"] not in new_proposals:
            continue
        parent = created_comments.get(c["reply_to"]) if c["reply_to"] is not None else None
        comment = Comment(
            section_id=id_of(sections[(c["proposal"], c["section"])]),
            author_id=id_of(provider_users[c["provider"]]),
            provider_id=providers[c["provider"]].id,
            parent_id=parent.id if parent else None,
            kind=c["kind"],
            body=c["body"],
            body_html=render_markdown(c["body"], heading_offset=3),
            quote=c.get("quote"),
            suggested_text=c.get("suggested_text"),
            suggestion_diff=suggestion_diff(
                sections[(c["proposal"], c["section"])], c.get("quote"), c.get("suggested_text")
            ),
            created_at=now - timedelta(days=c["days_ago"], hours=2),
        )
        session.add(comment)
        session.flush()
        created_comments[index] = comment
        result.created += 1
    return proposals


def format_accounts(result: SeedResult) -> str:
    lines = [f"Demo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):"]
    width = max(len(email) for email, _, _ in result.accounts)
    for email, role, organisation in result.accounts:
        lines.append(f"  {email.ljust(width)}  {role:<12}  {organisation}")
    return "\n".join(lines)
