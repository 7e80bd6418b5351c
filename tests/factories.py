"""Factories: the rows a test needs, made with sensible defaults that any keyword overrides.

Each factory takes the test's database session first, adds and flushes its row (so it has an id) and returns it;
the test's transaction is rolled back afterwards, so nothing needs cleaning up. Rows are built on app.models the
way the app would leave them (published sections are rendered, suggestions carry their word diff); publishing a
further version goes through the proposals service, the only correct way.

Within one test every factory that needs a dialogue uses the same one (``dialogue(db)`` makes it on first use);
it is the newest, so it is the dialogue the site is about. Users sign in with ``PASSWORD``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import demo_content
from app.accounts import service as accounts_service
from app.accounts.passwords import hash_password
from app.demo import DEMO_PASSWORD
from app.kit import clock
from app.kit.diff import word_diff
from app.kit.i18n import TIMEZONE
from app.kit.markdown import render_markdown
from app.kit.storage import store_bytes
from app.models import (
    AgendaFormat,
    AgendaItem,
    ApiKey,
    Attendance,
    Comment,
    Dialogue,
    DialogueSession,
    Document,
    Framework,
    Invitation,
    InvitationStatus,
    Milestone,
    Municipality,
    Participation,
    Proposal,
    ProposalStatus,
    ProposalTopic,
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
)
from app.proposals import manage

PASSWORD = "factory-wachtwoord-2026"
_numbers = itertools.count(1)


def number() -> int:
    """A number no other factory row in this run has (for unique slugs, e-mail addresses, codes)."""
    return next(_numbers)


def _save(db: Session, row: Any) -> Any:
    db.add(row)
    db.flush()
    return row


# --- the dialogue and who takes part --------------------------------------------------------------------------


def dialogue(db: Session, **overrides: Any) -> Dialogue:
    """The test's dialogue: made on first use, the same one after. Given fields (or ``new=True``) make another one,
    which from then on is the test's dialogue."""
    if not overrides.pop("new", False) and "factory_dialogue" in db.info and not overrides:
        return db.info["factory_dialogue"]
    n = number()
    made = _save(
        db,
        Dialogue(
            **{
                "slug": f"dialoog-{n}",
                "title": f"Marktdialoog jeugdhulp {n}",
                "tender_reference": f"SDFL-TEST-{n}",
                "description": "Een marktdialoog over de inkoop van jeugdhulp.",
                **overrides,
            }
        ),
    )
    db.info["factory_dialogue"] = made
    return made


def municipality(db: Session, **overrides: Any) -> Municipality:
    n = number()
    return _save(db, Municipality(**{"code": f"T{n % 1000:03d}", "name": f"Gemeente {n}", **overrides}))


def provider(
    db: Session,
    *,
    invitation: str | None = InvitationStatus.accepted,
    dialogue_: Dialogue | None = None,
    contracted_in: Iterable[Municipality] = (),
    **overrides: Any,
) -> Provider:
    """A provider, invited to the test's dialogue with status ``invitation`` (None: not invited), contracted in
    the municipalities ``contracted_in``."""
    n = number()
    made = _save(db, Provider(**{"name": f"Zorgaanbieder {n}", "slug": f"aanbieder-{n}", **overrides}))
    for m in contracted_in:
        db.add(ProviderMunicipality(provider_id=made.id, municipality_id=m.id))
    if invitation is not None:
        invite(db, made, status=invitation, dialogue_=dialogue_)
    return made


def invite(
    db: Session,
    provider_: Provider,
    *,
    status: str = InvitationStatus.accepted,
    dialogue_: Dialogue | None = None,
    **overrides: Any,
) -> Invitation:
    """An invitation of ``provider_`` to the dialogue, with ``status`` (answered a day ago unless pending)."""
    now = clock.now()
    answered = status in (InvitationStatus.accepted, InvitationStatus.declined)
    return _save(
        db,
        Invitation(
            **{
                "dialogue_id": (dialogue_ or dialogue(db)).id,
                "provider_id": provider_.id,
                "status": status,
                "invited_at": now - timedelta(days=7),
                "responded_at": now - timedelta(days=1) if answered else None,
                **overrides,
            }
        ),
    )


def invitation_of(db: Session, provider_: Provider) -> Invitation:
    return db.exec(
        select(Invitation).where(Invitation.provider_id == provider_.id).order_by(col(Invitation.dialogue_id).desc())
    ).first()


# --- a trajectory's criteria, frameworks, milestones and consultation participants -------------------------------


def criterion(db: Session, *, dialogue_: Dialogue | None = None, **overrides: Any) -> SelectionCriterion:
    """A selection criterion of the dialogue, after the ones it has (``position`` by number)."""
    n = number()
    fields: dict[str, Any] = {"position": n, "title": f"Criterium {n}", "text": f"De toelichting bij criterium {n}."}
    return _save(db, SelectionCriterion(**{"dialogue_id": (dialogue_ or dialogue(db)).id, **fields, **overrides}))


def framework(db: Session, *, dialogue_: Dialogue | None = None, **overrides: Any) -> Framework:
    """A framework (kader) of the dialogue with a link."""
    n = number()
    fields: dict[str, Any] = {"position": n, "title": f"Kader {n}", "url": f"https://example.org/kader-{n}"}
    return _save(db, Framework(**{"dialogue_id": (dialogue_ or dialogue(db)).id, **fields, **overrides}))


def milestone(
    db: Session, *, due_in: timedelta = timedelta(days=7), dialogue_: Dialogue | None = None, **overrides: Any
) -> Milestone:
    """A milestone of the dialogue, due ``due_in`` from now (negative: in the past), not met."""
    n = number()
    fields: dict[str, Any] = {"title": f"Mijlpaal {n}", "due_at": clock.now() + due_in}
    return _save(db, Milestone(**{"dialogue_id": (dialogue_ or dialogue(db)).id, **fields, **overrides}))


def user(
    db: Session,
    role: str = Role.provider,
    *,
    provider_: Provider | None = None,
    municipality_: Municipality | None = None,
    invitation: str | None = InvitationStatus.accepted,
    password: str | None = PASSWORD,
    **overrides: Any,
) -> User:
    """A user of ``role``. A provider's user gets a provider of its own (invited with ``invitation``) unless one is
    given; a municipality's user a municipality of its own."""
    n = number()
    if role == Role.provider and provider_ is None and "provider_id" not in overrides:
        provider_ = provider(db, invitation=invitation)
    if role == Role.municipality and municipality_ is None and "municipality_id" not in overrides:
        municipality_ = municipality(db)
    fields: dict[str, Any] = {
        "email": f"{role}-{n}@test.example.org",
        "name": f"{Role(role).name.capitalize()} {n}",
        "role": role,
        "password_hash": hash_password(password) if password else None,
        "provider_id": provider_.id if provider_ else None,
        "municipality_id": municipality_.id if municipality_ else None,
    }
    return _save(db, User(**{**fields, **overrides}))


def participant(
    db: Session,
    *,
    dialogue_: Dialogue | None = None,
    status: str = "approved",
    group: str = "local_referrer",
    pseudonym: str | None = None,
    organisation: str = "",
    **overrides: Any,
) -> User:
    """A consultation participant (role participant) with a participation in ``dialogue_`` (the test's dialogue
    when None) of ``status``, in stakeholder ``group`` (under ``pseudonym`` when given)."""
    made = user(
        db,
        "participant",
        stakeholder_group=group,
        pseudonym=pseudonym,
        organisation=organisation,
        **overrides,
    )
    join(db, made, dialogue_=dialogue_, status=status)
    return made


def join(
    db: Session, participant_: User, *, dialogue_: Dialogue | None = None, status: str = "approved"
) -> Participation:
    """A participation of ``participant_`` (a user of role participant) in ``dialogue_`` with ``status``."""
    return _save(
        db,
        Participation(
            dialogue_id=(dialogue_ or dialogue(db)).id,
            user_id=participant_.id,
            name=participant_.name,
            email=participant_.email,
            organisation=participant_.organisation,
            stakeholder_group=participant_.stakeholder_group or "other",
            pseudonym=participant_.pseudonym,
            status=status,
        ),
    )


def admin(db: Session, **overrides: Any) -> User:
    return user(db, Role.admin, **overrides)


def municipality_user(db: Session, **overrides: Any) -> User:
    return user(db, Role.municipality, **overrides)


def provider_user(db: Session, **overrides: Any) -> User:
    return user(db, Role.provider, **overrides)


def api_key(db: Session, owner: User, *, scope: str = "write", name: str = "test") -> tuple[ApiKey, str]:
    """An API key of ``owner`` (made by the accounts service: only it knows how keys are hashed); returns the
    row and the key."""
    return accounts_service.create_api_key(db, owner=owner, scope=scope, name=name, actor=None)


# --- proposals ------------------------------------------------------------------------------------------------

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("reikwijdte", "Reikwijdte", "Dit voorstel gaat over **jeugdhulp** in Flevoland."),
    ("tarieven", "Tarieven", "De tarieven worden per product vastgesteld.\n\nEen tweede alinea."),
    ("vragen", "Vragen aan de markt", "Hoe lang zijn de wachttijden nu?"),
)


def proposal(
    db: Session,
    *,
    sections: Iterable[tuple[str, str, str] | tuple[str, str, str, str]] = SECTIONS,
    published: bool = True,
    dialogue_: Dialogue | None = None,
    **overrides: Any,
) -> Proposal:
    """A proposal with version 1: ``sections`` as (key, heading, Markdown body[, kind]). Published (and open for
    comments from a week ago to three weeks ahead) unless ``published=False``: then version 1 is a draft."""
    n = number()
    now = clock.now()
    made = _save(
        db,
        Proposal(
            **{
                "dialogue_id": (dialogue_ or dialogue(db)).id,
                "slug": f"voorstel-{n}",
                "topic": ProposalTopic.product_structure,
                "title": f"Voorstel {n}",
                "summary": "Een voorstel om op te reageren.",
                "status": ProposalStatus.published if published else ProposalStatus.draft,
                "opens_at": now - timedelta(days=7),
                "closes_at": now + timedelta(days=21),
                **overrides,
            }
        ),
    )
    made_version = _save(
        db,
        ProposalVersion(
            proposal_id=made.id,
            number=1,
            status=VersionStatus.published if published else VersionStatus.draft,
            published_at=now - timedelta(days=7) if published else None,
        ),
    )
    for position, item in enumerate(sections, start=1):
        key, heading, body = item[:3]
        kind = item[3] if len(item) > 3 else "text"
        db.add(
            Section(
                version_id=made_version.id,
                key=key,
                position=position,
                heading=heading,
                body=body,
                body_html=render_markdown(body, heading_offset=2) if published else "",
                kind=kind,
            )
        )
    db.flush()
    return made


def version(db: Session, proposal_: Proposal, number_: int | None = None) -> ProposalVersion:
    """Version ``number_`` of the proposal (the newest when None)."""
    query = select(ProposalVersion).where(ProposalVersion.proposal_id == proposal_.id)
    if number_ is not None:
        return db.exec(query.where(ProposalVersion.number == number_)).one()
    return db.exec(query.order_by(col(ProposalVersion.number).desc())).first()


def sections(db: Session, proposal_: Proposal, number_: int | None = None) -> list[Section]:
    """The sections of a version of the proposal (the newest when None), in order."""
    v = version(db, proposal_, number_)
    return list(db.exec(select(Section).where(Section.version_id == v.id).order_by(Section.position)).all())


def section(db: Session, proposal_: Proposal, key: str | None = None, number_: int | None = None) -> Section:
    """Section ``key`` (the first when None) of a version of the proposal (the newest when None)."""
    found = sections(db, proposal_, number_)
    return next(s for s in found if key is None or s.key == key)


def publish_next_version(db: Session, proposal_: Proposal, *, actor: User | None = None) -> ProposalVersion:
    """Start and publish the next version (same section keys), through the proposals service as SDFL does."""
    actor = actor or admin(db)
    manage.new_version(db, proposal_, actor=actor)
    db.flush()
    return manage.publish(db, proposal_, change_summary="Tweede concept na de eerste reacties.", actor=actor)


# --- feedback -------------------------------------------------------------------------------------------------


def comment(
    db: Session,
    section_: Section,
    author: User,
    body: str = "Wachttijden lopen op.",
    *,
    parent: Comment | None = None,
    kind: str | None = "zorg",
    **overrides: Any,
) -> Comment:
    """A comment by ``author`` on ``section_`` (a reply to ``parent`` when given: then without a kind unless
    one is given), written now, for the author's provider."""
    quote, suggested = overrides.get("quote"), overrides.get("suggested_text")
    fields: dict[str, Any] = {
        "section_id": section_.id,
        "author_id": author.id,
        "provider_id": author.provider_id if author.role == Role.provider else None,
        "parent_id": parent.id if parent else None,
        "kind": None if parent is not None and kind == "zorg" else kind,
        "body": body,
        "body_html": render_markdown(body, heading_offset=3),
        "suggestion_diff": word_diff(quote or section_.body, suggested) if suggested else "",
        "created_at": clock.now(),
    }
    return _save(db, Comment(**{**fields, **overrides}))


def reply(db: Session, parent: Comment, author: User, body: str = "Dank voor uw reactie.", **overrides: Any) -> Comment:
    section_ = db.get(Section, parent.section_id)
    assert section_ is not None
    return comment(db, section_, author, body, parent=parent, kind=overrides.pop("kind", None), **overrides)


def comments(db: Session, section_: Section, author: User, count: int, *, text: str = "Reactie") -> list[Comment]:
    """``count`` comments on one section, one second apart (oldest first)."""
    start = clock.now() - timedelta(seconds=count)
    return [comment(db, section_, author, f"{text} {i}", created_at=start + timedelta(seconds=i)) for i in range(count)]


# --- meetings and documents -----------------------------------------------------------------------------------

AGENDA: tuple[str, ...] = ("Welkom en doel van de sessie", "Bespreking van het voorstel", "Afsluiting")


def meeting(
    db: Session,
    *,
    starts_at: datetime | None = None,
    hours: int = 3,
    agenda: Sequence[str | dict[str, Any]] = AGENDA,
    dialogue_: Dialogue | None = None,
    **overrides: Any,
) -> DialogueSession:
    """A dialogue meeting (DialogueSession), planned a week ahead unless ``starts_at`` says otherwise, with one
    agenda item per entry of ``agenda`` (a title, or the item's fields), splitting the time evenly."""
    d = dialogue_ or dialogue(db)
    n = number()
    starts_at = starts_at or (clock.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    ends_at = overrides.pop("ends_at", starts_at + timedelta(hours=hours))
    existing = db.exec(select(DialogueSession.number).where(DialogueSession.dialogue_id == d.id)).all()
    made = _save(
        db,
        DialogueSession(
            **{
                "dialogue_id": d.id,
                "number": max(existing, default=0) + 1,
                "title": f"Dialoogsessie {n}",
                "starts_at": starts_at,
                "ends_at": ends_at,
                "location": "Provinciehuis, Lelystad",
                "status": SessionStatus.planned,
                "documents_release_at": starts_at - timedelta(days=7),
                "ics_uid": f"dialoog-test-sessie-{n}@sdfl.example.org",
                **overrides,
            }
        ),
    )
    step = (ends_at - starts_at) / max(len(agenda), 1)
    for position, item in enumerate(agenda, start=1):
        fields = {"title": item} if isinstance(item, str) else dict(item)
        agenda_item(
            db,
            made,
            **{
                "position": position,
                "starts_at": starts_at + step * (position - 1),
                "ends_at": starts_at + step * position,
                **fields,
            },
        )
    return made


def agenda_item(db: Session, meeting_: DialogueSession, **overrides: Any) -> AgendaItem:
    fields: dict[str, Any] = {
        "session_id": meeting_.id,
        "title": "Agendapunt",
        "starts_at": meeting_.starts_at,
        "ends_at": meeting_.ends_at,
    }
    return _save(db, AgendaItem(**{**fields, **overrides}))


def agenda(db: Session, meeting_: DialogueSession) -> list[AgendaItem]:
    return list(
        db.exec(select(AgendaItem).where(AgendaItem.session_id == meeting_.id).order_by(AgendaItem.position)).all()
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def document(
    db: Session,
    *,
    content: bytes = PDF,
    meeting_: DialogueSession | None = None,
    dialogue_: Dialogue | None = None,
    **overrides: Any,
) -> Document:
    """A stored document of the dialogue (of ``meeting_`` when given), for participants, released an hour ago
    and already announced (no release mail pending)."""
    n = number()
    now = clock.now()
    stored = store_bytes(content)
    fields: dict[str, Any] = {
        "dialogue_id": (dialogue_ or dialogue(db)).id,
        "session_id": meeting_.id if meeting_ else None,
        "title": f"Stuk {n}",
        "filename": f"stuk-{n}.pdf",
        "content_type": "application/pdf",
        "size": stored.size,
        "sha256": stored.sha256,
        "storage_path": stored.path,
        "release_at": now - timedelta(hours=1),
        "notified_at": now - timedelta(hours=1),
    }
    return _save(db, Document(**{**fields, **overrides}))


# --- accounts under the demo's addresses ------------------------------------------------------------------------


def account(db: Session, email: str, *, invitation: str | None = InvitationStatus.accepted, **overrides: Any) -> User:
    """A user at one of the demo's addresses, made as the demo makes it but on its own and with the demo's
    password: sdfl@ is an admin, <municipality>@ a municipality's user (with its CBS code), <slug>@ the user of
    the provider ``slug`` (the demo's name for it, invited with ``invitation``). For tests whose texts name the
    demo's people."""
    local = email.split("@", 1)[0]
    defaults: dict[str, Any] = {"email": email, "password": DEMO_PASSWORD}
    if local == "sdfl":
        return admin(db, **{**defaults, "name": "Team inkoop SDFL", **overrides})
    municipalities = {m["name"].lower(): m for m in demo_content.MUNICIPALITIES}
    if local in municipalities:
        m = municipalities[local]
        place = demo_municipalities(db)[m["name"]]
        return municipality_user(
            db, **{**defaults, "name": f"Beleidsadviseur {m['name']}", "municipality_": place, **overrides}
        )
    known = next((p for p in demo_content.PROVIDERS if p["slug"] == local), None)
    found_provider = db.exec(select(Provider).where(Provider.slug == local)).first()
    organisation = found_provider or provider(
        db,
        invitation=invitation,
        slug=local,
        name=known["name"] if known else local.capitalize(),
        tags=list(known["tags"]) if known else [],
    )
    name = known["contact_name"] if known else f"Contactpersoon {organisation.name}"
    return provider_user(db, **{**defaults, "name": name, "provider_": organisation, **overrides})


def accounts(db: Session, *emails: str) -> dict[str, User]:
    """``account`` for each address, by address."""
    return {email: account(db, email) for email in emails}


def demo_dialogue(db: Session) -> Dialogue:
    """The test's dialogue under the demo's title, tender reference and texts (call it before anything that
    needs the dialogue)."""
    d = demo_content.DIALOGUE
    return dialogue(
        db,
        title=d["title"],
        tender_reference=d["tender_reference"],
        description=d["description"],
        selection_intro=d["selection_intro"],
    )


def demo_municipalities(db: Session) -> dict[str, Municipality]:
    """The demo's municipalities (name -> row), made here (or found, when made before in this test)."""
    made = {}
    for m in demo_content.MUNICIPALITIES:
        found = db.exec(select(Municipality).where(Municipality.code == m["code"])).first()
        made[m["name"]] = found or municipality(db, code=m["code"], name=m["name"], in_procurement=m["in_procurement"])
    return made


def demo_providers(db: Session) -> dict[str, Provider]:
    """Every provider of the demo's texts (slug -> row) as the demo makes it: size, tags (illustrative), the
    municipalities it is contracted in, its answer to the invitation and its contact at <slug>@example.org with
    the demo's password. For tests that count or name the demo's providers."""
    places = demo_municipalities(db)
    made = {}
    for p in demo_content.PROVIDERS:
        made[p["slug"]] = provider(
            db,
            invitation=p["invitation"],
            contracted_in=[places[name] for name in p["contracted_in"]],
            name=p["name"],
            slug=p["slug"],
            size=p["size"],
            tags=list(p["tags"]),
            active_outside_flevoland=p["active_outside_flevoland"],
            website=p["website"],
            illustrative=True,
        )
        contact = {"email": f"{p['slug']}@example.org", "name": p["contact_name"], "password": DEMO_PASSWORD}
        person = provider_user(db, provider_=made[p["slug"]], **contact)
        if p["invitation"] == InvitationStatus.accepted:  # the contact answered
            answered = invitation_of(db, made[p["slug"]])
            answered.responded_by_id = person.id
            db.add(answered)
    return made


def demo_proposals(db: Session, providers: dict[str, Provider]) -> dict[str, Proposal]:
    """The demo's proposals (key -> row) as the demo makes them: version 1 published a week ago, open for three
    more weeks, with the demo's sections and the comments of the demo's ``providers`` (from ``demo_providers``)."""
    now = clock.now()
    made: dict[str, Proposal] = {}
    for p in demo_content.PROPOSALS:
        made[p["key"]] = proposal(
            db,
            sections=[(s["key"], s["heading"], s["body"], s["kind"]) for s in p["sections"]],
            slug=p["key"],
            topic=p["topic"],
            title=p["title"],
            summary=p.get("summary", ""),
            public=p["public"],
        )
        v = version(db, made[p["key"]], 1)
        v.change_summary = p["change_summary"]
        db.add(v)
    written: dict[int, Comment] = {}
    for index, c in enumerate(demo_content.COMMENTS):
        target = section(db, made[c["proposal"]], c["section"])
        author = db.exec(select(User).where(User.provider_id == providers[c["provider"]].id)).first()
        assert author is not None
        parent = written.get(c["reply_to"]) if c.get("reply_to") is not None else None
        written[index] = comment(
            db,
            target,
            author,
            c["body"],
            kind=c["kind"],
            parent_id=parent.id if parent else None,
            quote=c.get("quote"),
            suggested_text=c.get("suggested_text"),
            created_at=now - timedelta(days=c["days_ago"], hours=2),
        )
    return made


def demo_meetings(db: Session, proposals: dict[str, Proposal]) -> list[DialogueSession]:
    """The demo's three meetings on the demo's days (the first held, with its published report), with their
    agenda items, linked to the ``proposals`` they discuss; no documents, attendance or subgroups."""
    today = clock.now().astimezone(TIMEZONE).date()
    made = []
    for s in demo_content.SESSIONS:
        day = today + timedelta(days=s["day_offset"])

        def at(hhmm: str, day: date = day) -> datetime:
            hour, minute = (int(x) for x in hhmm.split(":"))
            return datetime.combine(day, time(hour, minute), tzinfo=TIMEZONE).astimezone(UTC)

        held = s["status"] == SessionStatus.held
        items = [
            {
                "title": item["title"],
                "description": item["description"],
                "format": item["format"],
                "starts_at": at(item["start"]),
                "ends_at": at(item["end"]),
                "proposal_id": proposals[item["proposal"]].id if item.get("proposal") in proposals else None,
            }
            for item in s["agenda"]
        ]
        made.append(
            meeting(
                db,
                starts_at=at(s["start"]),
                ends_at=at(s["end"]),
                agenda=items,
                title=s["title"],
                location=s["location"],
                status=s["status"],
                recorded=bool(s.get("recording_url")),
                recording_url=s.get("recording_url"),
                report=(s.get("report") or "") if held else "",
                report_published_at=at(s["end"]) + timedelta(days=3) if held and s.get("report") else None,
            )
        )
    return made


def demo_world(db: Session) -> dict[str, Any]:
    """The demo's dialogue, providers (with their contacts), SDFL, the municipalities' users, proposals with
    their comments and meetings with their agendas, made by factories (no documents, subgroups or attendance:
    ``demo_meeting_details`` makes the demo's, ``document`` any other)."""
    demo_dialogue(db)
    providers = demo_providers(db)
    people = accounts(db, "sdfl@example.org", *(f"{m['name'].lower()}@example.org" for m in _procuring()))
    proposals = demo_proposals(db, providers)
    return {"providers": providers, "people": people, "proposals": proposals, "meetings": demo_meetings(db, proposals)}


def _procuring() -> list[dict[str, Any]]:
    return [m for m in demo_content.MUNICIPALITIES if m["in_procurement"]]


def demo_meeting_details(
    db: Session, meetings: Sequence[DialogueSession], providers: dict[str, Provider], *, uploaded_by: User | None = None
) -> list[Document]:
    """What the demo adds to its meetings (from ``demo_meetings``) beyond the agendas: every one of the demo's
    ``providers`` (from ``demo_providers``) in subgroup A, B or C of each agenda item in subgroups, the attendance
    of the accepted providers at a held meeting, and the demo's documents of each meeting (already released and
    announced, uploaded by ``uploaded_by``). Returns the documents."""
    now = clock.now()
    by_number = {m.number: m for m in meetings}
    accepted = [p["slug"] for p in demo_content.PROVIDERS if p["invitation"] == InvitationStatus.accepted]
    made: list[Document] = []
    for s in demo_content.SESSIONS:
        made_meeting = by_number[s["number"]]
        for item in agenda(db, made_meeting):
            if item.format == AgendaFormat.subgroups:
                for i, p in enumerate(demo_content.PROVIDERS):
                    db.add(
                        SubgroupAssignment(
                            agenda_item_id=item.id,
                            provider_id=providers[p["slug"]].id,
                            subgroup=f"Groep {'ABC'[i % 3]}",
                        )
                    )
        if made_meeting.status == SessionStatus.held:
            for slug in accepted:
                people = s["attendance"].get(slug, 0)  # the demo's attendance, as its report states
                db.add(
                    Attendance(
                        session_id=made_meeting.id, provider_id=providers[slug].id, attended=people > 0, people=people
                    )
                )
        release_at = min(made_meeting.documents_release_at or made_meeting.starts_at, now - timedelta(hours=1))
        for doc in s.get("documents", []):
            made.append(
                document(
                    db,
                    meeting_=made_meeting,
                    title=doc["title"],
                    filename=doc["filename"],
                    audience=doc["audience"],
                    release_at=release_at,
                    uploaded_by_id=uploaded_by.id if uploaded_by else None,
                )
            )
    db.flush()
    return made
