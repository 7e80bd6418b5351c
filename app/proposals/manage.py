"""Writing proposals (admins): the proposal itself, a draft version as sections, importing a draft from a
file, publishing (immutable from then on, with a mail to every participant) and starting the next version."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, func, select

from app.audit.service import record
from app.dialogues import manage as dialogues
from app.dialogues.participants import members
from app.events import service as events
from app.feedback.labels import ADOPTED
from app.feedback.window import window_state
from app.kit import clock
from app.kit.errors import AppError, Conflict, NotFound, field_errors, invalid
from app.kit.i18n import fmt_datetime
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.mail.service import queue_mail
from app.models import (
    MAX_ID,
    Comment,
    Dialogue,
    Municipality,
    Proposal,
    ProposalStatus,
    ProposalTopic,
    ProposalVersion,
    Provider,
    Section,
    SectionKind,
    User,
    VersionStatus,
)
from app.policy import ALWAYS_TOLD_OF_RELEASES
from app.proposals.import_rules import ImportedSection
from app.proposals.reading import TOPIC_LABELS, sections_of

MAX_SECTIONS = 200
MAX_SECTION_BODY = 100_000


def slugify(text: str, *, limit: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-") or "onderdeel"


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key = f"{base}-{n}"
        n += 1
    taken.add(key)
    return key


# --- the proposal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalInput:
    topic: str
    title: str
    summary: str
    opens_at: datetime | None
    closes_at: datetime | None
    public: bool
    opens_invalid: bool = False  # the field held something that is not a date and time
    closes_invalid: bool = False


def _validate(data: ProposalInput) -> None:
    errors: dict[str, str] = {}
    if data.topic not in ProposalTopic.__members__:
        errors["topic"] = _("Kies een onderwerp.")
    if not data.title.strip():
        errors["title"] = _("Geef het voorstel een titel.")
    elif len(data.title.strip()) > 200:
        errors["title"] = _("De titel is te lang: maximaal 200 tekens.")
    if data.opens_invalid:
        errors["opens_at"] = _("Vul een geldige datum en tijd in.")
    if data.closes_invalid:
        errors["closes_at"] = _("Vul een geldige datum en tijd in.")
    if not errors and (data.opens_at is None) != (data.closes_at is None):
        field = "closes_at" if data.closes_at is None else "opens_at"
        errors[field] = _("Vul zowel het begin als het einde van de reactietermijn in, of geen van beide.")
    if not errors and data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        errors["closes_at"] = _("De reactietermijn moet eindigen na het begin.")
    if errors:
        raise invalid(errors)


def _proposal_snapshot(p: Proposal) -> dict[str, Any]:
    return {
        "topic": p.topic,
        "title": p.title,
        "summary": p.summary,
        "status": p.status,
        "opens_at": p.opens_at.isoformat() if p.opens_at else None,
        "closes_at": p.closes_at.isoformat() if p.closes_at else None,
        "public": p.public,
    }


def create_proposal(session: Session, data: ProposalInput, *, actor: User, dialogue_ref: str = "") -> Proposal:
    """A new proposal in the trajectory ``dialogue_ref`` names (its id or slug; empty: the current one), with an
    empty draft version 1."""
    try:
        dialogue: Dialogue | None = dialogues.chosen(session, dialogue_ref)
        dialogue_error: dict[str, str] = {}
    except AppError as exc:
        dialogue, dialogue_error = None, field_errors(exc)
    try:
        _validate(data)
    except AppError as exc:
        raise invalid({**dialogue_error, **field_errors(exc)}) from exc
    if dialogue is None:
        raise invalid(dialogue_error)
    taken = set(session.exec(select(Proposal.slug)).all())
    proposal = Proposal(
        dialogue_id=dialogue.id or 0,
        slug=_unique(slugify(data.title), taken),
        topic=data.topic,
        title=data.title.strip(),
        summary=data.summary.strip(),
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        public=data.public,
        status=ProposalStatus.draft,
    )
    session.add(proposal)
    session.flush()
    session.add(ProposalVersion(proposal_id=proposal.id or 0, number=1, status=VersionStatus.draft))
    record(
        session,
        action="proposal.created",
        entity_type="proposal",
        entity_id=proposal.id,
        actor=actor,
        summary=proposal.title,
        after={**_proposal_snapshot(proposal), "dialogue_id": proposal.dialogue_id},
    )
    return proposal


def update_proposal(session: Session, proposal: Proposal, data: ProposalInput, *, actor: User) -> Proposal:
    _validate(data)
    before = _proposal_snapshot(proposal)
    proposal.topic = data.topic
    proposal.title = data.title.strip()
    proposal.summary = data.summary.strip()
    proposal.opens_at = data.opens_at
    proposal.closes_at = data.closes_at
    proposal.public = data.public
    proposal.updated_at = clock.now()
    session.add(proposal)
    record(
        session,
        action="proposal.updated",
        entity_type="proposal",
        entity_id=proposal.id,
        actor=actor,
        summary=proposal.title,
        before=before,
        after=_proposal_snapshot(proposal),
    )
    return proposal


def get_proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id) if 0 < proposal_id <= MAX_ID else None
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def all_versions(session: Session, proposal: Proposal) -> list[ProposalVersion]:
    return list(
        session.exec(
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal.id)
            .order_by(col(ProposalVersion.number))
        ).all()
    )


def draft_of(versions: list[ProposalVersion]) -> ProposalVersion | None:
    return next((v for v in versions if v.status == VersionStatus.draft), None)


def _draft(session: Session, proposal: Proposal) -> ProposalVersion:
    draft = draft_of(all_versions(session, proposal))
    if draft is None:
        raise Conflict(
            _("Er is geen conceptversie: een gepubliceerde versie verandert niet meer. Begin een nieuwe versie."),
            user_message=True,
        )
    return draft


@dataclass
class AdminRow:
    proposal: Proposal
    topic_label: str
    published: int | None
    draft: int | None


def admin_rows(session: Session) -> list[AdminRow]:
    proposals = list(session.exec(select(Proposal).order_by(col(Proposal.title), col(Proposal.id))).all())
    versions: dict[int, list[ProposalVersion]] = {}
    for v in session.exec(select(ProposalVersion).order_by(col(ProposalVersion.number))).all():
        versions.setdefault(v.proposal_id, []).append(v)
    rows = []
    for p in proposals:
        vs = versions.get(p.id or 0, [])
        published = [v.number for v in vs if v.status == VersionStatus.published]
        draft = draft_of(vs)
        rows.append(
            AdminRow(
                p,
                TOPIC_LABELS.get(p.topic, p.topic),  # type: ignore[call-overload]
                published[-1] if published else None,
                draft.number if draft else None,
            )
        )
    return rows


# --- sections of the draft ------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionInput:
    heading: str
    body: str
    kind: str


def _validate_section(data: SectionInput) -> SectionInput:
    heading, body = data.heading.strip(), data.body.replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if not heading:
        errors["heading"] = _("Geef het onderdeel een kop.")
    elif len(heading) > 300:
        errors["heading"] = _("De kop is te lang: maximaal 300 tekens.")
    if len(body) > MAX_SECTION_BODY:
        errors["body"] = _("De tekst is te lang: maximaal %(n)s tekens.", n=MAX_SECTION_BODY)
    if data.kind not in SectionKind.__members__:
        errors["kind"] = _("Kies tekst of vraag aan aanbieders.")
    if errors:
        raise invalid(errors)
    return SectionInput(heading=heading, body=body, kind=data.kind)


def get_section(session: Session, draft: ProposalVersion, section_id: int) -> Section:
    section = session.get(Section, section_id) if 0 < section_id <= MAX_ID else None
    if section is None or section.version_id != draft.id:
        raise NotFound("No such section in the draft.")
    return section


def add_section(session: Session, proposal: Proposal, data: SectionInput, *, actor: User) -> Section:
    draft = _draft(session, proposal)
    clean = _validate_section(data)
    existing = sections_of(session, [draft.id or 0])
    if len(existing) >= MAX_SECTIONS:
        raise invalid({"heading": _("Een versie heeft hoogstens %(n)s onderdelen.", n=MAX_SECTIONS)})
    section = Section(
        version_id=draft.id or 0,
        key=_unique(slugify(clean.heading), {s.key for s in existing}),
        position=max((s.position for s in existing), default=0) + 1,
        heading=clean.heading,
        body=clean.body,
        kind=clean.kind,
        created_by_id=actor.id,  # SDFL or a municipality's user: the draft says who wrote it
    )
    session.add(section)
    session.flush()
    record(
        session,
        action="section.created",
        entity_type="section",
        entity_id=section.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}: {section.heading}",
    )
    return section


def update_section(
    session: Session,
    proposal: Proposal,
    section_id: int,
    data: SectionInput,
    *,
    actor: User,
    only_changed: bool = False,
) -> Section:
    """Change a section of the draft; its key stays, so threads keep lining up across versions.
    ``only_changed``: nothing is written (nor audited) when the text is as it was (a reorder saving the form)."""
    draft = _draft(session, proposal)
    section = get_section(session, draft, section_id)
    clean = _validate_section(data)
    before = {"heading": section.heading, "body": section.body, "kind": section.kind}
    if only_changed and before == {"heading": clean.heading, "body": clean.body, "kind": clean.kind}:
        return section
    section.heading, section.body, section.kind = clean.heading, clean.body, clean.kind
    section.updated_by_id = actor.id
    session.add(section)
    record(
        session,
        action="section.updated",
        entity_type="section",
        entity_id=section.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}: {section.heading}",
        before=before,
        after={"heading": section.heading, "body": section.body, "kind": section.kind},
    )
    return section


def draft_section(session: Session, proposal: Proposal, section_id: int) -> Section:
    """A section of the draft (to ask before deleting it)."""
    return get_section(session, _draft(session, proposal), section_id)


def delete_section(session: Session, proposal: Proposal, section_id: int, *, actor: User) -> None:
    draft = _draft(session, proposal)
    section = get_section(session, draft, section_id)
    record(
        session,
        action="section.deleted",
        entity_type="section",
        entity_id=section.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}: {section.heading}",
        before={"key": section.key, "heading": section.heading, "body": section.body},
    )
    session.delete(section)


def move_section(session: Session, proposal: Proposal, section_id: int, direction: str, *, actor: User) -> None:
    """Swap a section with its neighbour (up or down): reordering that works without JavaScript."""
    draft = _draft(session, proposal)
    section = get_section(session, draft, section_id)
    ordered = sections_of(session, [draft.id or 0])
    index = next(i for i, s in enumerate(ordered) if s.id == section.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, s in enumerate(ordered, start=1):
        s.position = position
        session.add(s)
    record(
        session,
        action="section.moved",
        entity_type="section",
        entity_id=section.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}: {section.heading} ({direction})",
    )


def import_into_draft(
    session: Session, proposal: Proposal, imported: list[ImportedSection], *, filename: str, actor: User
) -> int:
    """Replace the draft's sections with those of an imported file. A heading that matches a section of the
    draft (or of the version before) keeps that section's key, so its threads still line up."""
    draft = _draft(session, proposal)
    if len(imported) > MAX_SECTIONS:
        raise invalid({"file": _("Een versie heeft hoogstens %(n)s onderdelen.", n=MAX_SECTIONS)})
    versions = all_versions(session, proposal)
    known = {s.heading.strip().lower(): s.key for s in sections_of(session, [v.id or 0 for v in versions])}
    checked = []  # every section is checked before anything of the draft is removed
    for number, item in enumerate(imported, start=1):
        try:
            checked.append(_validate_section(SectionInput(heading=item.heading, body=item.body, kind=item.kind)))
        except AppError as exc:
            raise invalid({"file": _("Onderdeel %(n)s: %(problem)s", n=number, problem=exc.detail)}) from exc
    for old in sections_of(session, [draft.id or 0]):
        session.delete(old)
    session.flush()
    taken: set[str] = set()
    for position, clean in enumerate(checked, start=1):
        base = known.get(clean.heading.lower()) or slugify(clean.heading)
        session.add(
            Section(
                version_id=draft.id or 0,
                key=_unique(base, taken),
                position=position,
                heading=clean.heading,
                body=clean.body,
                kind=clean.kind,
                created_by_id=actor.id,
            )
        )
    record(
        session,
        action="version.imported",
        entity_type="proposal_version",
        entity_id=draft.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}: {len(imported)} onderdelen uit {filename}",
    )
    return len(imported)


# --- publishing and the next version ----------------------------------------------------------------


def publish(
    session: Session,
    proposal: Proposal,
    *,
    change_summary: str,
    actor: User | None,
    notify: bool = True,
    at: datetime | None = None,
    in_package: bool = False,
) -> ProposalVersion:
    """Publish the draft: from now on it never changes. Sections are rendered once, here; every participant
    gets one mail (``notify``; a release package sends one mail for everything it releases). ``at``: the moment
    it counts as published (a scheduled moment; default now). A draft in a release package goes out only with
    its package (``in_package``: the package's release is publishing it)."""
    draft = _draft(session, proposal)
    if draft.package_id is not None and not in_package:
        raise Conflict(
            _("Deze versie gaat mee met een vrijgavepakket en wordt gepubliceerd als het pakket wordt vrijgegeven."),
            user_message=True,
        )
    summary = _clean_summary(change_summary)
    sections = sections_of(session, [draft.id or 0])
    _check_publishable(draft, sections, summary)
    now = at or clock.now()
    for s in sections:
        s.body_html = render_markdown(s.body, heading_offset=2)
        session.add(s)
    draft.status = VersionStatus.published
    draft.published_at = now
    draft.publish_at = None
    draft.change_summary = summary
    proposal.status = ProposalStatus.published
    proposal.updated_at = now
    session.add_all([draft, proposal])
    record(
        session,
        action="version.published",
        entity_type="proposal_version",
        entity_id=draft.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}",
        after={"sections": len(sections), "change_summary": summary, "published_at": now.isoformat()},
    )
    events.proposal_published(session, proposal, draft, now)  # issue 20
    if notify:
        _notify(session, proposal, draft)
    return draft


def _clean_summary(change_summary: str) -> str:
    return change_summary.replace("\r\n", "\n").strip()


def _check_publishable(draft: ProposalVersion, sections: list[Section], summary: str) -> None:
    errors: dict[str, str] = {}
    if not sections:
        errors["sections"] = _("Een versie zonder onderdelen kan niet worden gepubliceerd.")
    if draft.number > 1 and not summary:
        errors["change_summary"] = _("Beschrijf wat er in deze versie is veranderd.")
    if errors:
        raise invalid(errors)


@dataclass
class PublishCheck:
    """Exactly what publishing the draft sends out, and to whom: shown before the one button that publishes.
    ``digest`` stands for this content; publishing with another digest (the draft changed meanwhile) asks again."""

    proposal: Proposal
    draft: ProposalVersion
    change_summary: str
    sections: list[Section]
    changed: set[str]  # keys of sections added or changed since the version before
    removed: list[str]  # headings of the version before that are gone
    recipients: int
    organisations: list[str]  # the recipients' providers and municipalities, by name
    without_organisation: int  # recipients who take part in person (consultation participants)
    digest: str
    notes: list[str] = field(default_factory=list)


def publish_check(session: Session, proposal: Proposal, *, change_summary: str) -> PublishCheck:
    """What publishing the draft with ``change_summary`` would send out (refused as ``publish`` refuses it)."""
    draft = _draft(session, proposal)
    if draft.package_id is not None:
        raise Conflict(
            _("Deze versie gaat mee met een vrijgavepakket en wordt gepubliceerd als het pakket wordt vrijgegeven."),
            user_message=True,
        )
    summary = _clean_summary(change_summary)
    sections = sections_of(session, [draft.id or 0])
    _check_publishable(draft, sections, summary)
    published = [v for v in all_versions(session, proposal) if v.status == VersionStatus.published]
    before = sections_of(session, [published[-1].id or 0]) if published else []
    prior = {s.key: s for s in before}
    changed = {
        s.key
        for s in sections
        if s.key not in prior or (prior[s.key].heading, prior[s.key].body) != (s.heading, s.body)
    }
    keys = {s.key for s in sections}
    recipients = participants_to_notify(session, proposal.dialogue_id)
    provider_ids = {u.provider_id for u in recipients if u.provider_id}
    municipality_ids = {u.municipality_id for u in recipients if u.municipality_id}
    names = [p.name for p in session.exec(select(Provider).where(col(Provider.id).in_(provider_ids))).all()]
    names += [m.name for m in session.exec(select(Municipality).where(col(Municipality.id).in_(municipality_ids)))]
    notes = []
    if window_state(proposal) != "open":
        notes.append(_("Let op: de reactietermijn is nu niet open; deelnemers kunnen nu niet reageren."))
    return PublishCheck(
        proposal=proposal,
        draft=draft,
        change_summary=summary,
        sections=sections,
        changed=changed,
        removed=[s.heading for s in before if s.key not in keys],
        recipients=len(recipients),
        organisations=sorted(names, key=str.casefold),
        without_organisation=sum(1 for u in recipients if not (u.provider_id or u.municipality_id)),
        digest=_publish_digest(draft, sections, summary, len(recipients)),
        notes=notes,
    )


def _publish_digest(draft: ProposalVersion, sections: list[Section], summary: str, recipients: int) -> str:
    content = [str(draft.id), summary, str(recipients)] + [
        f"{s.key}\0{s.kind}\0{s.heading}\0{s.body}" for s in sections
    ]
    return hashlib.sha256("\x1e".join(content).encode()).hexdigest()[:32]


def participants_to_notify(session: Session, dialogue_id: int) -> list[User]:
    """The trajectory's members (contact persons of the providers that accepted, approved consultation
    participants), and the municipalities' reviewers."""
    reviewers = session.exec(
        select(User).where(col(User.role).in_(ALWAYS_TOLD_OF_RELEASES), col(User.active)).order_by(User.email)
    ).all()
    return members(session, dialogue_id) + list(reviewers)


def _notify(session: Session, proposal: Proposal, version: ProposalVersion) -> int:
    recipients = participants_to_notify(session, proposal.dialogue_id)
    context = {
        "proposal": proposal,
        "version": version,
        "topic": TOPIC_LABELS.get(proposal.topic, proposal.topic),  # type: ignore[call-overload]
        "closes": fmt_datetime(proposal.closes_at) if proposal.closes_at else "",
        "path": f"/proposals/{proposal.id}",
    }
    for user in recipients:
        queue_mail(session, to=user.email, template="proposal_published", context={**context, "user": user})
    return len(recipients)


def new_version(session: Session, proposal: Proposal, *, actor: User) -> ProposalVersion:
    """Start the next version as a copy of the last published one: every section keeps its key."""
    versions = all_versions(session, proposal)
    if draft_of(versions) is not None:
        raise Conflict(_("Er is al een conceptversie; publiceer die eerst."), user_message=True)
    last = versions[-1] if versions else None
    number = (
        session.exec(select(func.max(ProposalVersion.number)).where(ProposalVersion.proposal_id == proposal.id)).one()
        or 0
    ) + 1
    draft = ProposalVersion(proposal_id=proposal.id or 0, number=number, status=VersionStatus.draft)
    session.add(draft)
    session.flush()
    for s in sections_of(session, [last.id or 0] if last else []):
        session.add(
            Section(
                version_id=draft.id or 0,
                key=s.key,
                position=s.position,
                heading=s.heading,
                body=s.body,
                kind=s.kind,
                created_by_id=s.created_by_id,  # the copied text keeps who wrote it
                updated_by_id=s.updated_by_id,
            )
        )
    record(
        session,
        action="version.created",
        entity_type="proposal_version",
        entity_id=draft.id,
        actor=actor,
        summary=f"{proposal.title} v{number}",
    )
    return draft


# --- feedback into the next version ----------------------------------------------------------------


@dataclass
class Adoptable:
    """An adopted (or partly adopted) comment on an earlier version, to work into the draft."""

    comment: Comment
    organisation: str
    version: int  # the version it was written on
    applied: bool  # already linked to the draft


def adoptable_feedback(session: Session, proposal: Proposal, draft: ProposalVersion) -> dict[str, list[Adoptable]]:
    """Per section key: the adopted and partly adopted comments on the proposal's published versions that no
    earlier version took in yet. One query."""
    out: dict[str, list[Adoptable]] = {}
    for comment, key, number, provider in session.exec(
        select(Comment, Section.key, ProposalVersion.number, Provider.name)
        .join(Section, col(Section.id) == Comment.section_id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .outerjoin(Provider, col(Provider.id) == Comment.provider_id)
        .where(
            ProposalVersion.proposal_id == proposal.id,
            ProposalVersion.status == VersionStatus.published,
            col(Comment.status).in_(ADOPTED),
            col(Comment.parent_id).is_(None),
            col(Comment.official).is_(False),
            col(Comment.deleted_at).is_(None),
            or_(col(Comment.applied_in_version_id).is_(None), col(Comment.applied_in_version_id) == draft.id),
        )
        .order_by(col(Comment.id))
    ).all():
        out.setdefault(key, []).append(
            Adoptable(
                comment=comment,
                organisation=provider or "",
                version=number,
                applied=comment.applied_in_version_id == draft.id,
            )
        )
    return out


def apply_feedback(
    session: Session, proposal: Proposal, section_id: int, comment_id: int, *, mode: str, actor: User
) -> Section:
    """Work an adopted comment into the draft's section: ``apply`` puts its suggested text in place of the
    quoted passage (or of the whole text without a quote) and links it, ``link`` only links it (the text was
    changed by hand), ``unlink`` undoes the link. The link shows as "verwerkt in versie N" once published."""
    draft = _draft(session, proposal)
    section = get_section(session, draft, section_id)
    adoptable = {a.comment.id: a for a in adoptable_feedback(session, proposal, draft).get(section.key, [])}
    item = adoptable.get(comment_id)
    if item is None:
        raise NotFound(_("Deze reactie is niet (deels) overgenomen bij dit onderdeel."), user_message=True)
    comment = item.comment
    before = {"body": section.body, "applied_in_version_id": comment.applied_in_version_id}
    if mode == "apply":
        if not comment.suggested_text:
            raise invalid({"mode": _("Deze reactie heeft geen vervangende tekst; pas de tekst zelf aan.")})
        if comment.quote:
            if comment.quote not in section.body:
                raise Conflict(
                    _(
                        "De geciteerde passage staat niet (meer) letterlijk in dit onderdeel. Pas de tekst zelf aan "
                        "en markeer de reactie daarna als verwerkt."
                    ),
                    user_message=True,
                )
            section.body = section.body.replace(comment.quote, comment.suggested_text, 1)
        else:
            section.body = comment.suggested_text
        section.updated_by_id = actor.id
        session.add(section)
        comment.applied_in_version_id = draft.id
    elif mode == "link":
        comment.applied_in_version_id = draft.id
    elif mode == "unlink":
        comment.applied_in_version_id = None
    else:
        raise invalid({"mode": _("Kies toepassen, koppelen of ontkoppelen.")})
    session.add(comment)
    record(
        session,
        action=f"comment.feedback_{mode}",
        entity_type="comment",
        entity_id=comment.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}: {section.heading}",
        before=before,
        after={"body": section.body, "applied_in_version_id": comment.applied_in_version_id},
    )
    return section


# --- publishing at a set moment -------------------------------------------------------------------------


def schedule_publication(
    session: Session, proposal: Proposal, *, publish_at: datetime | None, change_summary: str, actor: User
) -> ProposalVersion:
    """Schedule the draft to be published on its own at ``publish_at`` (None: no longer scheduled); the
    scheduler's ``publish_due_versions`` publishes it then, with the usual mail. Checked now as publishing
    would be, so it does not fail at its moment for a reason that could be known today."""
    draft = _draft(session, proposal)
    if draft.package_id is not None:
        raise Conflict(
            _("Deze versie gaat mee met een vrijgavepakket; plan het pakket in plaats van de versie."),
            user_message=True,
        )
    summary = change_summary.replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if publish_at is not None:
        if publish_at <= clock.now():
            errors["publish_at"] = _("Kies een moment in de toekomst.")
        if not sections_of(session, [draft.id or 0]):
            errors["sections"] = _("Een versie zonder onderdelen kan niet worden gepubliceerd.")
        if draft.number > 1 and not summary:
            errors["change_summary"] = _("Beschrijf wat er in deze versie is veranderd.")
    if errors:
        raise invalid(errors)
    before = {"publish_at": draft.publish_at.isoformat() if draft.publish_at else None}
    draft.publish_at = publish_at
    draft.change_summary = summary
    session.add(draft)
    record(
        session,
        action="version.scheduled" if publish_at else "version.unscheduled",
        entity_type="proposal_version",
        entity_id=draft.id,
        actor=actor,
        summary=f"{proposal.title} v{draft.number}"
        + (f": publiceren op {fmt_datetime(publish_at)}" if publish_at else ": niet meer gepland"),
        before=before,
        after={"publish_at": publish_at.isoformat() if publish_at else None},
    )
    return draft


def publish_due_versions(session: Session) -> int:
    """A scheduler task: publish every draft whose ``publish_at`` has come (not those in a release package, which
    go out with it), at that moment, with the usual mail. Each is claimed first with a conditional UPDATE
    (``publish_at`` still set, still a draft), so two workers publish it once. Returns how many were published."""
    now = clock.now()
    due = session.exec(
        select(ProposalVersion, Proposal)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(
            col(ProposalVersion.publish_at).is_not(None),
            col(ProposalVersion.publish_at) <= now,
            ProposalVersion.status == VersionStatus.draft,
            col(ProposalVersion.package_id).is_(None),
        )
        .order_by(col(ProposalVersion.publish_at), col(ProposalVersion.id))
    ).all()
    done = 0
    for version, proposal in due:
        moment = version.publish_at
        claimed = session.exec(
            update(ProposalVersion)
            .where(
                col(ProposalVersion.id) == version.id,
                col(ProposalVersion.publish_at) == moment,
                col(ProposalVersion.status) == VersionStatus.draft,
            )
            .values(publish_at=None)
        )
        if claimed.rowcount != 1:
            continue
        session.refresh(version)
        try:
            with session.begin_nested():
                publish(session, proposal, change_summary=version.change_summary, actor=None, at=moment)
        except AppError as exc:  # e.g. its sections were removed after it was scheduled: it stays a draft
            record(
                session,
                action="version.publication_failed",
                entity_type="proposal_version",
                entity_id=version.id,
                summary=f"{proposal.title} v{version.number} niet gepubliceerd: {exc.detail}",
            )
            continue
        done += 1
    return done
