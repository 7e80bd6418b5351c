"""Demo data: SDFL's dialogue on multidisciplinaire jeugdhulp ("multi") and its consultation on kortdurend verblijf
(logeren), with dates relative to today.

Every record is found by its natural key before it is created, so seeding twice adds nothing. Invented facts
(provider tags, contact names, the tender reference, dates, venues, attendance, participants) say they are demo
data. The multi dialogue's timeline is relative to an *anchor day*: today, but never so late that a session or
the tender would fall after the tender publication in 2026 (``TENDER_LATEST``) or the contract start on
1 January 2027. Seeded later than that, the whole dialogue lies in the past: its sessions are held, with reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select

from app import demo_content as content
from app.accounts.passwords import hash_password
from app.audit.service import record
from app.dialogues.participants import GROUP_LABELS
from app.feedback.writing import suggestion_diff
from app.kit.i18n import TIMEZONE
from app.kit.markdown import render_markdown
from app.kit.storage import store_bytes
from app.models import (
    AgendaFormat,
    AgendaItem,
    Approval,
    Attendance,
    CareForm,
    Comment,
    Dialogue,
    DialogueKind,
    DialogueSession,
    DialogueStatus,
    Document,
    Framework,
    Invitation,
    InvitationStatus,
    Milestone,
    MilestoneKind,
    Municipality,
    Nota,
    Participation,
    ParticipationStatus,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Provider,
    ProviderMunicipality,
    Question,
    QuestionStatus,
    ReleaseStatus,
    Role,
    Section,
    SelectionCriterion,
    SessionStatus,
    SignoffDecision,
    SignoffSubject,
    SubgroupAssignment,
    User,
    VersionStatus,
    id_of,
)
from app.questions.notas import nota_digest

DEMO_PASSWORD = "dialoog-demo-2025"  # noqa: S105 - documented demo password
ADMIN_EMAIL = "sdfl@example.org"
DIALOGUE_SLUG = "multi-2027"
CARE_FORM_KEY = "multi-complex"
CONSULTATION_SLUG = content.CONSULTATION["slug"]
CONTRACT_START = date(2027, 1, 1)  # the region buys the four WVBJ forms jointly from this day (a fact)
# The latest (demo) day the multi tender is published: in 2026, half a year before the contracts start.
TENDER_LATEST = date(2026, 7, 1)
# Proposals' comment windows, in days from the anchor day: (opens, closes).
WINDOW = (-7, 21)


def anchor_day(today: date) -> date:
    """The multi dialogue's anchor day: today, or earlier so that the tender milestone (and every session before
    it) stays on or before ``TENDER_LATEST``. Anchored on today: session 1 held, session 2 coming up with its
    documents released, session 3 later, the comment window open."""
    tender_offset = max(m["day_offset"] for m in content.MILESTONES if m["kind"] == MilestoneKind.tender)
    return min(today, TENDER_LATEST - timedelta(days=tender_offset))


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
    from fpdf import FPDF  # here, not at the top: ~30 MB that a server only needs when it loads the demo

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
    anchor = anchor_day(today)
    # The multi dialogue's "now": the moment its timeline was at when seeded on the anchor day.
    multi_now = now - (today - anchor)
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

    # The consultation's row first: the multi dialogue stays the newest trajectory, the one that code still
    # asking for "the current dialogue" (app.dialogues.service.current_dialogue) finds.
    consultation = _consultation_row(session, result, care_forms=care_forms)
    d = content.DIALOGUE
    dialogue, _ = _get_or_create(
        session,
        Dialogue,
        result,
        slug=DIALOGUE_SLUG,
        defaults={
            "kind": DialogueKind.dialogue,
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
    _seed_frameworks(session, result, dialogue=dialogue, frameworks=content.FRAMEWORKS)

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
                "invited_at": multi_now - timedelta(days=42),
                "responded_at": multi_now - timedelta(days=38) if accepted else None,
                "responded_by_id": provider_users[p["slug"]].id if accepted else None,
                "note": "",
                "reminded_at": multi_now - timedelta(days=30) if not accepted else None,
            },
        )

    proposals, sections, new_proposals = _seed_proposals(
        session, result, dialogue=dialogue, data=content.PROPOSALS, anchor=anchor, published_at=multi_now
    )
    _seed_provider_comments(
        session,
        result,
        sections=sections,
        new_proposals=new_proposals,
        providers=providers,
        provider_users=provider_users,
        now=multi_now,
    )
    meetings = _seed_sessions(
        session,
        result,
        dialogue=dialogue,
        providers=providers,
        proposals=proposals,
        admin=admin,
        anchor=anchor,
        now=now,
    )
    _seed_milestones(session, result, dialogue=dialogue, milestones=content.MILESTONES, anchor=anchor, now=now)
    for meeting in meetings:
        release_at = meeting.documents_release_at or meeting.starts_at - timedelta(days=7)
        _milestone(
            session,
            result,
            dialogue=dialogue,
            kind=MilestoneKind.package_release,
            title=content.PACKAGE_RELEASE_TITLE.format(number=meeting.number),
            due_at=release_at,
            session_id=meeting.id,
            now=now,
        )
    _milestone(
        session,
        result,
        dialogue=dialogue,
        kind=MilestoneKind.contract_start,
        title=content.CONTRACT_START_TITLE,
        due_at=datetime.combine(CONTRACT_START, time(0, 0), tzinfo=TIMEZONE).astimezone(UTC),
        now=now,
    )

    _seed_questions(session, result, dialogue=dialogue, meetings=meetings, provider_users=provider_users, admin=admin)

    _seed_consultation(
        session,
        result,
        consultation=consultation,
        admin=admin,
        providers=providers,
        provider_users=provider_users,
        password_hash=password_hash,
        today=today,
        now=now,
    )

    if result.created:
        record(
            session,
            action="demo.seeded",
            entity_type="dialogue",
            entity_id=dialogue.id,
            summary=f"Demodata geladen ({result.created} records; trajecten {dialogue.slug} en {consultation.slug}).",
        )
    return result


def _seed_questions(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    meetings: list[DialogueSession],
    provider_users: dict[str, User],
    admin: User,
) -> None:
    """Questions of providers before session 1: three answered in nota 1, released with that session's documents
    a week before it and approved by the four municipalities; one still open (only its asker and the reviewers
    see it)."""
    first = next((m for m in meetings if m.number == 1), None)
    if first is None:
        return
    moment = first.documents_release_at or first.starts_at - timedelta(days=7)
    nota, created = _get_or_create(
        session,
        Nota,
        result,
        dialogue_id=id_of(dialogue),
        number=1,
        defaults={
            "title": content.NOTA_TITLE,
            "intro": content.NOTA_INTRO,
            "status": ReleaseStatus.released,
            "release_at": moment,
            "released_at": moment,
            "created_by_id": admin.id,
            "created_at": moment - timedelta(days=2),
            "updated_at": moment - timedelta(days=1),
        },
    )
    number = 0
    for q in content.QUESTIONS:
        asker = provider_users[q["asker"]]
        number += q["in_nota"]
        asked = moment - timedelta(days=5 - number) if q["in_nota"] else moment + timedelta(days=10)
        _get_or_create(
            session,
            Question,
            result,
            dialogue_id=id_of(dialogue),
            asker_id=id_of(asker),
            original_text=q["original"],
            defaults={
                "provider_id": asker.provider_id,
                "session_id": first.id if q["in_nota"] else None,
                "text": q["text"],
                "text_edited_by_id": admin.id if q["in_nota"] else None,
                "answer": q["answer"],
                "answer_html": render_markdown(q["answer"]) if q["answer"] else "",
                "answer_by_id": admin.id if q["answer"] else None,
                "status": QuestionStatus.answered if q["in_nota"] else QuestionStatus.open,
                "nota_id": nota.id if q["in_nota"] else None,
                "number": number if q["in_nota"] else None,
                "created_at": asked,
                "updated_at": asked,
            },
        )
    if not created:
        return
    session.flush()
    digest = nota_digest(session, nota)  # the approvals are for exactly what went out
    reviewers = session.exec(select(User).where(User.role == Role.municipality).order_by(User.email)).all()
    for reviewer in reviewers:
        _get_or_create(
            session,
            Approval,
            result,
            subject_type=SignoffSubject.nota,
            subject_id=id_of(nota),
            municipality_id=reviewer.municipality_id,
            defaults={
                "user_id": id_of(reviewer),
                "decision": SignoffDecision.approve,
                "digest": digest,
                "created_at": moment - timedelta(days=1),
            },
        )


def _seed_frameworks(
    session: Session, result: SeedResult, *, dialogue: Dialogue, frameworks: list[content.FrameworkData]
) -> None:
    for position, f in enumerate(frameworks, start=1):
        _get_or_create(
            session,
            Framework,
            result,
            dialogue_id=dialogue.id,
            title=f["title"],
            defaults={"position": position, "url": f["url"], "description": f["description"]},
        )


def _milestone(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    kind: str,
    title: str,
    due_at: datetime,
    now: datetime,
    session_id: int | None = None,
) -> None:
    """A milestone (found by trajectory, kind and title); one already due counts as met when it fell due."""
    _get_or_create(
        session,
        Milestone,
        result,
        dialogue_id=dialogue.id,
        kind=kind,
        title=title,
        defaults={"due_at": due_at, "session_id": session_id, "met_at": due_at if due_at <= now else None},
    )


def _seed_milestones(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    milestones: list[content.MilestoneData],
    anchor: date,
    now: datetime,
) -> None:
    for m in milestones:
        due_at = _at(anchor + timedelta(days=m["day_offset"]), m["time"])
        _milestone(session, result, dialogue=dialogue, kind=m["kind"], title=m["title"], due_at=due_at, now=now)


def _seed_sessions(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    providers: dict[str, Provider],
    proposals: dict[str, Proposal],
    admin: User,
    anchor: date,
    now: datetime,
) -> list[DialogueSession]:
    """The dialogue's sessions around the anchor day; one that has ended is held, with its attendance and its
    report (published three days later, or just now)."""
    accepted = [p["slug"] for p in content.PROVIDERS if p["invitation"] == InvitationStatus.accepted]
    meetings: list[DialogueSession] = []
    for s in content.SESSIONS:
        day = anchor + timedelta(days=s["day_offset"])
        starts_at, ends_at = _at(day, s["start"]), _at(day, s["end"])
        held = ends_at < now
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
                "status": SessionStatus.held if held else s["status"],
                "documents_release_at": starts_at - timedelta(days=7),
                "recorded": bool(s.get("recording_url")),
                "recording_url": s.get("recording_url") if held else None,
                "report": (s.get("report") or "") if held else "",
                "report_published_at": (
                    min(ends_at + timedelta(days=3), now - timedelta(hours=1)) if held and s.get("report") else None
                ),
                "ics_uid": f"dialoog-{DIALOGUE_SLUG}-sessie-{s['number']}@sdfl.example.org",
            },
        )
        meetings.append(meeting)
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
            # The attendance the report states (demo numbers): who came and with how many; the rest was absent.
            for slug in accepted:
                people = s["attendance"].get(slug, 0)
                session.add(
                    Attendance(
                        session_id=id_of(meeting),
                        provider_id=id_of(providers[slug]),
                        attended=people > 0,
                        people=people,
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
    return meetings


def _seed_proposals(
    session: Session,
    result: SeedResult,
    *,
    dialogue: Dialogue,
    data: list[content.ProposalData],
    anchor: date,
    published_at: datetime,
) -> tuple[dict[str, Proposal], dict[tuple[str, str], Section], set[str]]:
    """The trajectory's proposals with a published version 1, open for comments from ``WINDOW[0]`` to
    ``WINDOW[1]`` days around ``anchor``: (proposals by key, sections by (proposal key, section key), the keys
    of the proposals made now)."""
    proposals: dict[str, Proposal] = {}
    sections: dict[tuple[str, str], Section] = {}
    new_proposals: set[str] = set()
    opens_at = _at(anchor + timedelta(days=WINDOW[0]), "09:00")
    for p in data:
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
                "opens_at": opens_at,
                "closes_at": _at(anchor + timedelta(days=WINDOW[1]), "17:00"),
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
            published_at=min(opens_at, published_at),
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
    return proposals, sections, new_proposals


def _comment(
    session: Session,
    result: SeedResult,
    *,
    section: Section,
    author: User,
    parent: Comment | None,
    kind: str | None,
    body: str,
    quote: str | None,
    suggested_text: str | None,
    created_at: datetime,
) -> Comment:
    comment = Comment(
        section_id=id_of(section),
        author_id=id_of(author),
        provider_id=author.provider_id,
        parent_id=parent.id if parent else None,
        kind=kind,
        body=body,
        body_html=render_markdown(body, heading_offset=3),
        quote=quote,
        suggested_text=suggested_text,
        suggestion_diff=suggestion_diff(section, quote, suggested_text),
        created_at=created_at,
    )
    session.add(comment)
    session.flush()
    result.created += 1
    return comment


def _seed_provider_comments(
    session: Session,
    result: SeedResult,
    *,
    sections: dict[tuple[str, str], Section],
    new_proposals: set[str],
    providers: dict[str, Provider],
    provider_users: dict[str, User],
    now: datetime,
) -> None:
    created: dict[int, Comment] = {}  # index in content.COMMENTS -> comment
    for index, c in enumerate(content.COMMENTS):
        if c["proposal"] not in new_proposals:
            continue
        created[index] = _comment(
            session,
            result,
            section=sections[(c["proposal"], c["section"])],
            author=provider_users[c["provider"]],
            parent=created.get(c["reply_to"]) if c["reply_to"] is not None else None,
            kind=c["kind"],
            body=c["body"],
            quote=c.get("quote"),
            suggested_text=c.get("suggested_text"),
            created_at=now - timedelta(days=c["days_ago"], hours=2),
        )


def _consultation_row(session: Session, result: SeedResult, *, care_forms: dict[str, CareForm]) -> Dialogue:
    c = content.CONSULTATION
    care_form = care_forms.get(c["care_form"])
    consultation, _ = _get_or_create(
        session,
        Dialogue,
        result,
        slug=c["slug"],
        defaults={
            "kind": DialogueKind.consultation,
            "title": c["title"],
            "description": c["description"],
            "selection_intro": c["selection_intro"],
            "tender_reference": "",
            "status": DialogueStatus.active,
            "care_form_id": care_form.id if care_form else None,
        },
    )
    return consultation


def _seed_consultation(
    session: Session,
    result: SeedResult,
    *,
    consultation: Dialogue,
    admin: User,
    providers: dict[str, Provider],
    provider_users: dict[str, User],
    password_hash: str,
    today: date,
    now: datetime,
) -> None:
    """The consultation on logeren, open now: its frameworks and timeline, two proposals (one public, one for
    participants only), approved participants from four stakeholder groups and their comments."""
    _seed_frameworks(session, result, dialogue=consultation, frameworks=content.CONSULTATION_FRAMEWORKS)
    _seed_milestones(
        session, result, dialogue=consultation, milestones=content.CONSULTATION_MILESTONES, anchor=today, now=now
    )

    authors: dict[str, User] = {}
    for p in content.PARTICIPANTS:
        if p["provider"]:
            user = provider_users[p["provider"]]
            name, organisation = user.name, providers[p["provider"]].name
        else:
            user, _ = _get_or_create(
                session,
                User,
                result,
                email=p["email"],
                defaults={
                    "name": p["name"],
                    "role": Role.participant,
                    "stakeholder_group": p["stakeholder_group"],
                    "organisation": p["organisation"],
                    "pseudonym": p["pseudonym"],
                    "password_hash": password_hash,
                },
            )
            name, organisation = p["name"], p["organisation"]
            group = GROUP_LABELS[p["stakeholder_group"]]
            shown = f"{organisation}, {group.lower()}" if organisation else group
            if p["pseudonym"]:
                shown += " onder pseudoniem"
            result.accounts.append((user.email, Role.participant, f"{shown} (consultatie logeren)"))
        authors[p["email"]] = user
        _get_or_create(
            session,
            Participation,
            result,
            dialogue_id=consultation.id,
            email=p["email"],
            defaults={
                "user_id": user.id,
                "name": name,
                "organisation": organisation,
                "stakeholder_group": p["stakeholder_group"],
                "pseudonym": p["pseudonym"],
                "motivation": p["motivation"],
                "status": ParticipationStatus.approved,
                "confirmed_at": now - timedelta(days=20),
                "decided_at": now - timedelta(days=19),
                "decided_by_id": admin.id,
                "decision_note": "",
            },
        )
    taking_part = {p["email"] for p in content.PARTICIPANTS if p["provider"]}
    result.accounts = [
        (email, role, f"{org}; ook deelnemer consultatie logeren" if email in taking_part else org)
        for email, role, org in result.accounts
    ]

    _proposals, sections, new_proposals = _seed_proposals(
        session,
        result,
        dialogue=consultation,
        data=content.CONSULTATION_PROPOSALS,
        anchor=today,  # opened a week ago, closes in three weeks (as its timeline says)
        published_at=now,
    )
    created: dict[int, Comment] = {}  # index in content.CONSULTATION_COMMENTS -> comment
    for index, cc in enumerate(content.CONSULTATION_COMMENTS):
        if cc["proposal"] not in new_proposals:
            continue
        created[index] = _comment(
            session,
            result,
            section=sections[(cc["proposal"], cc["section"])],
            author=authors[cc["author"]],
            parent=created.get(cc["reply_to"]) if cc["reply_to"] is not None else None,
            kind=cc["kind"],
            body=cc["body"],
            quote=cc["quote"],
            suggested_text=cc["suggested_text"],
            created_at=now - timedelta(days=cc["days_ago"], hours=2),
        )


def format_accounts(result: SeedResult) -> str:
    lines = [f"Demo-accounts (wachtwoord voor allemaal: {DEMO_PASSWORD}):"]
    width = max(len(email) for email, _, _ in result.accounts)
    for email, role, organisation in result.accounts:
        lines.append(f"  {email.ljust(width)}  {role:<12}  {organisation}")
    return "\n".join(lines)
