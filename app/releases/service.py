"""Release packages: what goes out to every participant of a trajectory at one moment, by default a week before a
session: documents, draft proposal versions (with their questions to the providers) and a nota van inlichtingen.

Until the package is released nothing in it is visible to anyone but the reviewers (SDFL and the municipalities):
its documents count as released only once the package is (app.documents.service), its versions stay drafts and its
nota stays a draft. The release happens once, in one transaction: a compare-and-set UPDATE on the package's status
(``... WHERE id = :id AND status = :seen``; rowcount 1 wins) guards it, so two workers or two admins release once.
It sets ``released_at`` to the scheduled moment, publishes the versions at that moment without their own mails,
marks the documents announced, releases the nota, writes ONE audit event ``package.released`` with the ids and
queues one mail per participant listing everything released.

Before it goes out the required municipalities sign off (app.signoff, subject "package") on a digest of exactly
what goes out (``digest``): any change afterwards withdraws their approvals. A scheduled package whose sign-off is
not cleared at its moment does not go out: it becomes ``blocked`` with the reason, and the admins get a mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.audit.service import record
from app.events import service as events
from app.kit import clock
from app.kit.dates import parse_local_datetime
from app.kit.errors import AppError, Conflict, NotFound, field_errors, invalid
from app.kit.i18n import fmt_datetime
from app.kit.i18n import gettext as _
from app.mail.service import queue_mail
from app.meetings.manage import package_release_default
from app.models import (
    Dialogue,
    DialogueSession,
    Document,
    Nota,
    Proposal,
    ProposalVersion,
    ReleasePackage,
    ReleaseStatus,
    Section,
    SessionStatus,
    SignoffSubject,
    User,
    VersionStatus,
    id_of,
    is_valid_id,
)
from app.notifications import events as notifications
from app.policy import Action, Principal, authorize, can
from app.proposals import manage as proposals
from app.questions import notas as question_notas
from app.signoff import service as signoff

ENTITY = "package"
SUBJECT = SignoffSubject.package
UNRELEASED = (ReleaseStatus.draft, ReleaseStatus.scheduled, ReleaseStatus.blocked)
MAX_TITLE = 200
KINDS = ("document", "version", "nota")


# --- reading -------------------------------------------------------------------------------------


def get_package(db: Session, package_id: int) -> ReleasePackage:
    package = db.get(ReleasePackage, package_id) if is_valid_id(package_id) else None
    if package is None:
        raise NotFound(_("Dit pakket bestaat niet."), user_message=True)
    return package


def dialogue_of(db: Session, package: ReleasePackage) -> Dialogue:
    dialogue = db.get(Dialogue, package.dialogue_id)
    assert dialogue is not None
    return dialogue


@dataclass
class PackageRow:
    package: ReleasePackage
    meeting: DialogueSession | None
    documents: int = 0
    versions: int = 0
    nota: Nota | None = None


def list_packages(db: Session, principal: Principal, dialogue: Dialogue) -> list[PackageRow]:
    """The trajectory's packages with their session and what is in them: four queries, however many packages."""
    authorize(principal, Action.view_prepared)
    rows = db.exec(
        select(ReleasePackage, DialogueSession)
        .outerjoin(DialogueSession, col(DialogueSession.id) == ReleasePackage.session_id)
        .where(ReleasePackage.dialogue_id == dialogue.id)
        .order_by(col(ReleasePackage.release_at), col(ReleasePackage.id))
    ).all()
    ids = [id_of(p) for p, _m in rows]
    if not ids:
        return []
    documents = dict(
        db.exec(
            select(Document.package_id, func.count())
            .where(col(Document.package_id).in_(ids))
            .group_by(col(Document.package_id))
        ).all()
    )
    versions = dict(
        db.exec(
            select(ProposalVersion.package_id, func.count())
            .where(col(ProposalVersion.package_id).in_(ids))
            .group_by(col(ProposalVersion.package_id))
        ).all()
    )
    notas = {n.package_id: n for n in db.exec(select(Nota).where(col(Nota.package_id).in_(ids))).all()}
    return [
        PackageRow(
            package=p,
            meeting=m,
            documents=int(documents.get(p.id, 0)),
            versions=int(versions.get(p.id, 0)),
            nota=notas.get(p.id),
        )
        for p, m in rows
    ]


@dataclass
class VersionItem:
    version: ProposalVersion
    proposal: Proposal
    sections: list[Section] = field(default_factory=list)


@dataclass
class NotaItem:
    nota: Nota
    questions: list[question_notas.NotaItem] = field(default_factory=list)


@dataclass
class Contents:
    """Everything a package releases."""

    documents: list[Document] = field(default_factory=list)
    versions: list[VersionItem] = field(default_factory=list)
    nota: NotaItem | None = None

    @property
    def empty(self) -> bool:
        return not self.documents and not self.versions and self.nota is None


def contents(db: Session, package: ReleasePackage) -> Contents:
    """What is in the package (documents by title, versions by proposal, the nota with its questions)."""
    documents = list(
        db.exec(
            select(Document).where(Document.package_id == package.id).order_by(col(Document.title), col(Document.id))
        ).all()
    )
    pairs = db.exec(
        select(ProposalVersion, Proposal)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(ProposalVersion.package_id == package.id)
        .order_by(col(Proposal.title), col(ProposalVersion.id))
    ).all()
    sections: dict[int, list[Section]] = {}
    if pairs:
        for s in db.exec(
            select(Section)
            .where(col(Section.version_id).in_([id_of(v) for v, _p in pairs]))
            .order_by(col(Section.position), col(Section.id))
        ).all():
            sections.setdefault(s.version_id, []).append(s)
    nota = db.exec(select(Nota).where(Nota.package_id == package.id)).first()
    return Contents(
        documents=documents,
        versions=[VersionItem(version=v, proposal=p, sections=sections.get(id_of(v), [])) for v, p in pairs],
        nota=NotaItem(nota=nota, questions=question_notas.nota_items(db, nota)) if nota else None,
    )


def digest_content(package: ReleasePackage, items: Contents, nota: str | None) -> dict[str, Any]:
    return {
        "package": package.id,
        "title": package.title,
        "release_at": package.release_at.isoformat(),
        "documents": [
            {"id": d.id, "title": d.title, "sha256": d.sha256, "audience": d.audience} for d in items.documents
        ],
        "versions": [
            {
                "id": v.version.id,
                "proposal_id": v.proposal.id,
                "number": v.version.number,
                "change_summary": v.version.change_summary,
                "sections": [{"id": s.id, "heading": s.heading, "body": s.body, "kind": s.kind} for s in v.sections],
            }
            for v in items.versions
        ],
        "nota": nota,
    }


def digest(db: Session, package: ReleasePackage, items: Contents | None = None) -> str:
    """A SHA-256 over exactly what goes out and when: any change withdraws earlier approvals."""
    items = items or contents(db, package)
    nota = question_notas.nota_digest(db, items.nota.nota) if items.nota else None
    return signoff.digest_of(digest_content(package, items, nota))


@dataclass
class Candidates:
    """What can still be put in the package: unreleased documents, drafts and draft notas of the trajectory."""

    documents: list[Document]
    versions: list[tuple[ProposalVersion, Proposal]]
    notas: list[Nota]


def candidates(db: Session, package: ReleasePackage) -> Candidates:
    now = clock.now()
    return Candidates(
        documents=list(
            db.exec(
                select(Document)
                .where(
                    Document.dialogue_id == package.dialogue_id,
                    col(Document.package_id).is_(None),
                    col(Document.release_at) > now,
                )
                .order_by(col(Document.title), col(Document.id))
            ).all()
        ),
        versions=list(
            db.exec(
                select(ProposalVersion, Proposal)
                .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
                .where(
                    Proposal.dialogue_id == package.dialogue_id,
                    ProposalVersion.status == VersionStatus.draft,
                    col(ProposalVersion.package_id).is_(None),
                )
                .order_by(col(Proposal.title), col(ProposalVersion.id))
            ).all()
        ),
        notas=list(
            db.exec(
                select(Nota)
                .where(
                    Nota.dialogue_id == package.dialogue_id,
                    Nota.status == ReleaseStatus.draft,
                    col(Nota.package_id).is_(None),
                )
                .order_by(col(Nota.number))
            ).all()
        ),
    )


def problems(items: Contents) -> list[str]:
    """Why the package cannot go out as it is (empty; a version that could not be published)."""
    found = []
    if items.empty:
        found.append(_("Het pakket is leeg."))
    for v in items.versions:
        if not v.sections:
            found.append(_("%(title)s versie %(n)s heeft geen onderdelen.", title=v.proposal.title, n=v.version.number))
        if v.version.number > 1 and not v.version.change_summary.strip():
            found.append(
                _(
                    "Bij %(title)s versie %(n)s staat niet wat er veranderd is.",
                    title=v.proposal.title,
                    n=v.version.number,
                )
            )
    if items.nota is not None and not items.nota.questions:
        found.append(_("De nota bevat geen vragen."))
    return found


# --- writing -------------------------------------------------------------------------------------


def _snapshot(package: ReleasePackage) -> dict[str, Any]:
    return {
        "title": package.title,
        "session_id": package.session_id,
        "release_at": package.release_at.isoformat(),
        "status": package.status,
    }


def _moment(raw: str, *, default: datetime | None) -> datetime:
    if not raw.strip():
        if default is None:
            raise invalid({"release_at": _("Vul een datum en tijd in.")})
        moment = default
    else:
        try:
            moment = parse_local_datetime(raw)
        except ValueError:
            raise invalid(
                {"release_at": _("Vul een geldige datum en tijd in, bijvoorbeeld 1-12-2026 13:00.")}
            ) from None
    if moment <= clock.now():
        raise invalid({"release_at": _("Kies een moment in de toekomst.")})
    return moment


def next_session(db: Session, dialogue: Dialogue) -> DialogueSession | None:
    """The trajectory's next session to come (not cancelled), for the new package form."""
    return db.exec(
        select(DialogueSession)
        .where(
            DialogueSession.dialogue_id == dialogue.id,
            DialogueSession.status != SessionStatus.cancelled,
            col(DialogueSession.starts_at) > clock.now(),
        )
        .order_by(col(DialogueSession.starts_at))
    ).first()


def default_title(meeting: DialogueSession) -> str:
    return _("Stukken voor sessie %(n)s", n=meeting.number)


def create_package(
    db: Session, principal: Principal, dialogue: Dialogue, *, session_id: str, title: str, release_at: str
) -> ReleasePackage:
    """A new (draft) package for one session of the trajectory; title and moment default to "Stukken voor sessie
    N" and seven days before the session's start (local time)."""
    authorize(principal, Action.manage)
    raw = session_id.strip()
    meeting = db.get(DialogueSession, int(raw)) if raw.isdigit() and len(raw) <= 9 else None
    errors: dict[str, str] = {}
    if meeting is None or meeting.dialogue_id != dialogue.id:
        errors["session_id"] = _("Kies een sessie van dit traject.")
    title = " ".join(title.split()) or (default_title(meeting) if meeting else "")
    if len(title) > MAX_TITLE:
        errors["title"] = _("De titel is te lang: hoogstens %(n)s tekens.", n=MAX_TITLE)
    moment: datetime | None = None
    try:
        moment = _moment(release_at, default=package_release_default(meeting.starts_at) if meeting else None)
    except AppError as exc:  # reported together with the other fields
        errors.update(field_errors(exc))
    if errors or meeting is None or moment is None:
        raise invalid(errors)
    now = clock.now()
    package = ReleasePackage(
        dialogue_id=id_of(dialogue),
        session_id=meeting.id,
        title=title,
        release_at=moment,
        status=ReleaseStatus.draft,
        created_by_id=principal.user.id if principal.user else None,
        created_at=now,
        updated_at=now,
    )
    db.add(package)
    db.flush()
    record(
        db,
        action="package.created",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=principal.user,
        summary=f"Vrijgavepakket '{package.title}' aangemaakt (vrijgave {fmt_datetime(moment)})",
        after=_snapshot(package),
    )
    return package


def _editable(package: ReleasePackage) -> None:
    if package.status not in UNRELEASED:
        raise Conflict(_("Dit pakket is vrijgegeven en ligt vast."), user_message=True)


def _touch(db: Session, package: ReleasePackage) -> None:
    package.updated_at = clock.now()
    db.add(package)


def add_item(db: Session, principal: Principal, package: ReleasePackage, kind: str, item_id: int) -> None:
    """Put a document (not yet released), a draft proposal version or a draft nota of the trajectory in the
    package. A package has at most one nota."""
    authorize(principal, Action.manage)
    _editable(package)
    now = clock.now()
    if kind == "document":
        document = db.get(Document, item_id) if is_valid_id(item_id) else None
        if document is None or document.dialogue_id != package.dialogue_id:
            raise invalid({"document_id": _("Kies een stuk van dit traject.")})
        if document.package_id is not None:
            raise invalid({"document_id": _("Dit stuk zit al in een pakket.")})
        if document.release_at <= now:
            raise invalid({"document_id": _("Dit stuk is al vrijgegeven.")})
        document.package_id = package.id
        document.release_at = package.release_at  # shown as its moment; the package's release decides
        document.updated_at = now  # its release_at changed (the change feed)
        db.add(document)
        label = f"stuk '{document.title}'"
    elif kind == "version":
        version = db.get(ProposalVersion, item_id) if is_valid_id(item_id) else None
        proposal = db.get(Proposal, version.proposal_id) if version else None
        if version is None or proposal is None or proposal.dialogue_id != package.dialogue_id:
            raise invalid({"version_id": _("Kies een conceptversie van een voorstel van dit traject.")})
        if version.status != VersionStatus.draft:
            raise invalid({"version_id": _("Alleen een conceptversie kan in een pakket.")})
        if version.package_id is not None:
            raise invalid({"version_id": _("Deze versie zit al in een pakket.")})
        version.package_id = package.id
        version.publish_at = None  # goes out with the package, not on its own
        db.add(version)
        label = f"{proposal.title} versie {version.number}"
    elif kind == "nota":
        nota = db.get(Nota, item_id) if is_valid_id(item_id) else None
        if nota is None or nota.dialogue_id != package.dialogue_id or nota.status != ReleaseStatus.draft:
            raise invalid({"nota_id": _("Kies een conceptnota van dit traject.")})
        if nota.package_id is not None:
            raise invalid({"nota_id": _("Deze nota zit al in een pakket.")})
        if db.exec(select(Nota.id).where(Nota.package_id == package.id)).first() is not None:
            raise invalid({"nota_id": _("Een pakket bevat hoogstens één nota; haal de andere eerst weg.")})
        nota.package_id = package.id
        db.add(nota)
        label = f"nota {nota.number} '{nota.title}'"
    else:
        raise NotFound("No such kind of item.")
    _touch(db, package)
    record(
        db,
        action="package.item_added",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=principal.user,
        summary=f"Aan pakket '{package.title}' toegevoegd: {label}",
        after={"kind": kind, "id": item_id},
    )


def remove_item(db: Session, principal: Principal, package: ReleasePackage, kind: str, item_id: int) -> None:
    """Take an item out of the package again (before its release). A document gets back a moment of its own: the
    package's, so it is not out at once (give it another on the documents page)."""
    authorize(principal, Action.manage)
    _editable(package)
    model: Any = {"document": Document, "version": ProposalVersion, "nota": Nota}.get(kind)
    item = db.get(model, item_id) if model is not None and is_valid_id(item_id) else None
    if item is None or item.package_id != package.id:
        raise NotFound(_("Dit staat niet in het pakket."), user_message=True)
    if isinstance(item, Document) and package.release_at <= clock.now():
        raise Conflict(
            _("Het moment van dit pakket is voorbij: kies eerst een nieuw moment, dan kan het stuk eruit."),
            user_message=True,
        )
    item.package_id = None
    db.add(item)
    _touch(db, package)
    record(
        db,
        action="package.item_removed",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=principal.user,
        summary=f"Uit pakket '{package.title}' gehaald: {kind} {item_id}",
        before={"kind": kind, "id": item_id},
    )


def set_release_at(db: Session, principal: Principal, package: ReleasePackage, raw: str) -> ReleasePackage:
    """Change the moment (in the future). A blocked package with a new moment is scheduled again."""
    authorize(principal, Action.manage)
    _editable(package)
    moment = _moment(raw, default=None)
    return _move(db, package, moment, actor=principal.user)


def _move(db: Session, package: ReleasePackage, moment: datetime, *, actor: User | None) -> ReleasePackage:
    before = _snapshot(package)
    package.release_at = moment
    if package.status == ReleaseStatus.blocked:
        package.status = ReleaseStatus.scheduled
        package.blocked_reason = ""
    db.exec(
        update(Document)
        .where(col(Document.package_id) == package.id)
        .values(release_at=moment, updated_at=clock.now())  # the change feed: its moment changed
    )
    _touch(db, package)
    record(
        db,
        action="package.moved",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=actor,
        summary=f"Vrijgave van pakket '{package.title}' verzet naar {fmt_datetime(moment)}",
        before=before,
        after=_snapshot(package),
    )
    return package


def follow_session(db: Session, principal: Principal, package: ReleasePackage) -> ReleasePackage:
    """The session moved: move the package's release to seven days before its new start (SDFL chose to)."""
    authorize(principal, Action.manage)
    _editable(package)
    meeting = db.get(DialogueSession, package.session_id) if package.session_id else None
    if meeting is None:
        raise Conflict(_("Dit pakket hoort bij geen sessie."), user_message=True)
    moment = package_release_default(meeting.starts_at)
    if moment <= clock.now():
        raise Conflict(
            _("Zeven dagen voor de nieuwe start is al voorbij: kies zelf een moment op de pagina van het pakket."),
            user_message=True,
        )
    return _move(db, package, moment, actor=principal.user)


def schedule(db: Session, principal: Principal, package: ReleasePackage) -> ReleasePackage:
    """It goes out at its moment (if the sign-off is cleared by then)."""
    authorize(principal, Action.manage)
    if package.status not in (ReleaseStatus.draft, ReleaseStatus.blocked):
        raise Conflict(_("Dit pakket is al gepland of vrijgegeven."), user_message=True)
    if package.release_at <= clock.now():
        raise invalid({"release_at": _("Het moment is voorbij: kies een moment in de toekomst.")})
    found = problems(contents(db, package))
    if found:
        raise Conflict(" ".join(found), user_message=True)
    package.status = ReleaseStatus.scheduled
    package.blocked_reason = ""
    _touch(db, package)
    record(
        db,
        action="package.scheduled",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=principal.user,
        summary=f"Pakket '{package.title}' gepland voor {fmt_datetime(package.release_at)}",
        after=_snapshot(package),
    )
    return package


def unschedule(db: Session, principal: Principal, package: ReleasePackage) -> ReleasePackage:
    authorize(principal, Action.manage)
    if package.status not in (ReleaseStatus.scheduled, ReleaseStatus.blocked):
        raise Conflict(_("Dit pakket is niet gepland."), user_message=True)
    package.status = ReleaseStatus.draft
    package.blocked_reason = ""
    _touch(db, package)
    record(
        db,
        action="package.unscheduled",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=principal.user,
        summary=f"Pakket '{package.title}' niet meer gepland",
        after=_snapshot(package),
    )
    return package


# --- sign-off ------------------------------------------------------------------------------------


@dataclass
class Check:
    """The "check before you release" page: every item, the standings, what this reader may do."""

    package: ReleasePackage
    dialogue: Dialogue
    meeting: DialogueSession | None
    items: Contents
    digest: str
    signoff: signoff.Signoff
    problems: list[str]
    may_decide: bool  # a municipality user whose municipality is required
    may_override: bool
    may_manage: bool


def check(db: Session, principal: Principal, package: ReleasePackage) -> Check:
    authorize(principal, Action.view_prepared)
    dialogue = dialogue_of(db, package)
    items = contents(db, package)
    current = digest(db, package, items)
    state = signoff.status(db, SUBJECT, id_of(package), dialogue, current)
    user = principal.user
    required = {s.municipality.id for s in state.standings}
    unreleased = package.status in UNRELEASED
    return Check(
        package=package,
        dialogue=dialogue,
        meeting=db.get(DialogueSession, package.session_id) if package.session_id else None,
        items=items,
        digest=current,
        signoff=state,
        problems=problems(items),
        may_decide=unreleased
        and can(principal, Action.sign_off)
        and user is not None
        and user.municipality_id in required,
        may_override=unreleased and can(principal, Action.override_signoff),
        may_manage=can(principal, Action.manage),
    )


def _same_content(db: Session, package: ReleasePackage, seen: str) -> str:
    """The current digest; a conflict when the content changed since the reviewer's page showed ``seen``."""
    current = digest(db, package)
    if seen and seen != current:
        raise Conflict(
            _("De inhoud van het pakket is veranderd sinds u de pagina opende. Bekijk het opnieuw."), user_message=True
        )
    return current


def decide(db: Session, principal: Principal, package: ReleasePackage, *, decision: str, note: str, seen: str) -> None:
    """A municipality approves or objects to exactly the content it was shown (``seen``: its digest)."""
    authorize(principal, Action.sign_off)
    _editable(package)
    current = _same_content(db, package, seen)
    signoff.decide(
        db,
        principal,
        subject_type=SUBJECT,
        subject_id=id_of(package),
        dialogue=dialogue_of(db, package),
        digest=current,
        decision=decision,
        note=note,
        title=package.title,
    )


def override(db: Session, principal: Principal, package: ReleasePackage, *, reason: str, seen: str) -> None:
    """An admin clears this content for release without every approval, with a written reason."""
    authorize(principal, Action.override_signoff)
    _editable(package)
    current = _same_content(db, package, seen)
    signoff.override(
        db,
        principal,
        subject_type=SUBJECT,
        subject_id=id_of(package),
        digest=current,
        reason=reason,
        title=package.title,
    )


def ask_for_signoff(db: Session, principal: Principal, package: ReleasePackage) -> int:
    """Mail the required municipalities' reviewers that the package waits for their check."""
    authorize(principal, Action.manage)
    _editable(package)
    sent = signoff.ask_for_signoff(
        db,
        dialogue_of(db, package),
        subject_type=SUBJECT,
        title=package.title,
        link=f"/admin/packages/{package.id}/check",
        release_at=package.release_at,
    )
    record(
        db,
        action="package.signoff_requested",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=principal.user,
        summary=f"Akkoord gevraagd voor pakket '{package.title}' ({sent} e-mails)",
        after={"mails": sent},
    )
    return sent


# --- releasing -----------------------------------------------------------------------------------


def release_now(db: Session, principal: Principal, package: ReleasePackage) -> ReleasePackage:
    """SDFL releases now: the same transition as at the scheduled moment, at ``now``; a 409 naming the
    municipalities whose approval is missing (unless overridden), or when someone else released it first."""
    authorize(principal, Action.manage)
    if package.status not in UNRELEASED:
        raise Conflict(_("Dit pakket is al vrijgegeven."), user_message=True)
    items = contents(db, package)
    found = problems(items)
    if found:
        raise Conflict(" ".join(found), user_message=True)
    # The content as approved (with its planned moment): releasing it earlier is SDFL's call, the content is not.
    signoff.require_cleared(db, SUBJECT, id_of(package), dialogue_of(db, package), digest(db, package, items))
    if not _release(db, package, items, at=clock.now(), seen=package.status, actor=principal.user):
        raise Conflict(_("Dit pakket is zojuist al vrijgegeven."), user_message=True)
    return package


def _claim(db: Session, package: ReleasePackage, *, seen: str, values: dict[str, Any]) -> bool:
    """The compare-and-set: change the package only if its status is still ``seen`` (rowcount 1 wins)."""
    result = db.exec(
        update(ReleasePackage)
        .where(col(ReleasePackage.id) == package.id, col(ReleasePackage.status) == seen)
        .values(**values)
    )
    if result.rowcount != 1:
        db.refresh(package)
        return False
    db.refresh(package)
    return True


def _release(
    db: Session, package: ReleasePackage, items: Contents, *, at: datetime, seen: str, actor: User | None
) -> bool:
    """Release everything in the package at ``at`` once; False when another release got there first."""
    if not _claim(
        db,
        package,
        seen=seen,
        values={
            "status": ReleaseStatus.released,
            "released_at": at,
            "release_at": at,
            "blocked_reason": "",
            "updated_at": clock.now(),
        },
    ):
        return False
    version_ids = []
    for item in items.versions:
        proposals.publish(
            db,
            item.proposal,
            change_summary=item.version.change_summary,
            actor=actor,
            notify=False,
            at=at,
            in_package=True,
        )
        version_ids.append(id_of(item.version))
    document_ids = [id_of(d) for d in items.documents]
    if document_ids:
        db.exec(
            update(Document)
            .where(col(Document.id).in_(document_ids))
            .values(release_at=at, notified_at=at)  # the package's mail announces them
        )
    nota_id = None
    question_ids: list[int] = []
    if items.nota is not None:
        question_ids = question_notas.release_nota(db, items.nota.nota, at=at, actor=actor)
        nota_id = items.nota.nota.id
    record(
        db,
        action="package.released",
        entity_type=ENTITY,
        entity_id=package.id,
        actor=actor,
        summary=f"Pakket '{package.title}' vrijgegeven: {len(document_ids)} stukken, {len(version_ids)} "
        f"voorstelversies{', nota ' + str(items.nota.nota.number) if items.nota else ''}",
        after={"documents": document_ids, "versions": version_ids, "nota": nota_id, "questions": question_ids},
    )
    events.package_released(db, package.dialogue_id, id_of(package), document_ids, at)  # issue 20
    _mail_participants(db, package, items)
    return True


def _mail_participants(db: Session, package: ReleasePackage, items: Contents) -> int:
    """One mail per participant (the trajectory's members and the municipalities' reviewers) listing it all."""
    dialogue = dialogue_of(db, package)
    meeting = db.get(DialogueSession, package.session_id) if package.session_id else None
    lines = (
        [{"kind": "Stuk", "title": d.title, "path": f"/documents/{d.id}/download"} for d in items.documents]
        + [
            {
                "kind": "Voorstel",
                "title": f"{v.proposal.title} (versie {v.version.number})",
                "path": f"/proposals/{v.proposal.id}",
            }
            for v in items.versions
        ]
        + (
            [
                {
                    "kind": "Nota van inlichtingen",
                    "title": f"{items.nota.nota.number}: {items.nota.nota.title}",
                    "path": f"/dialogues/{dialogue.slug}/nota/{items.nota.nota.number}",
                }
            ]
            if items.nota
            else []
        )
    )
    recipients = {u.id: u for u in proposals.participants_to_notify(db, package.dialogue_id)}
    context = {
        "package_title": package.title,
        "dialogue_title": dialogue.title,
        "session": f"sessie {meeting.number}: {meeting.title}" if meeting else "",
        "session_date": fmt_datetime(meeting.starts_at) if meeting else "",
        "items": lines,
    }
    # Required in the procurement: at once or in the digest by each user's choice, never off (app.notifications).
    for user in sorted(recipients.values(), key=lambda u: (u.email, u.id or 0)):
        notifications.package_released(
            db,
            user,
            dialogue,
            package_id=id_of(package),
            package_title=package.title,
            lines=[f"{line['kind']}: {line['title']}" for line in lines],
            context=context,
        )
    return len(recipients)


def _block(db: Session, package: ReleasePackage, reason: str) -> bool:
    """Its moment came but it may not go out: blocked with the reason, the admins told by mail."""
    if not _claim(
        db,
        package,
        seen=ReleaseStatus.scheduled,
        values={"status": ReleaseStatus.blocked, "blocked_reason": reason, "updated_at": clock.now()},
    ):
        return False
    record(
        db,
        action="package.blocked",
        entity_type=ENTITY,
        entity_id=package.id,
        summary=f"Pakket '{package.title}' niet vrijgegeven: {reason}",
        after={"reason": reason},
    )
    dialogue = dialogue_of(db, package)
    for admin in signoff.releasers(db):  # who may release it now or give it a new moment
        queue_mail(
            db,
            to=admin.email,
            template="package_blocked",
            context={
                "user_name": admin.name or admin.email,
                "package_title": package.title,
                "dialogue_title": dialogue.title,
                "release_at": fmt_datetime(package.release_at),
                "reason": reason,
                "path": f"/admin/packages/{package.id}",
            },
        )
    return True


def release_due_packages(session: Session) -> int:
    """A scheduler task: every scheduled package whose moment has come is released at that moment if its sign-off
    is cleared, else blocked (the admins are told why). Returns how many packages were released."""
    now = clock.now()
    due = session.exec(
        select(ReleasePackage)
        .where(ReleasePackage.status == ReleaseStatus.scheduled, col(ReleasePackage.release_at) <= now)
        .order_by(col(ReleasePackage.release_at), col(ReleasePackage.id))
    ).all()
    released = 0
    for package in due:
        items = contents(session, package)
        found = problems(items)
        if found:
            _block(session, package, " ".join(found))
            continue
        state = signoff.status(
            session, SUBJECT, id_of(package), dialogue_of(session, package), digest(session, package, items)
        )
        if not state.cleared:
            names = ", ".join(m.name for m in state.missing)
            _block(session, package, f"Nog geen akkoord van: {names}.")
            continue
        if _release(session, package, items, at=package.release_at, seen=ReleaseStatus.scheduled, actor=None):
            released += 1
    return released
