"""What the Woo archive holds of one trajectory: one entry per entity, with the rows that belong to the trajectory.

Every entity is one table read in one streaming query (``where`` takes the trajectory's id and narrows the table
with subqueries, never with a list of ids read first), ordered by its key. ``intern`` entities go to the folder
``intern/``: what SDFL and the municipalities keep among themselves (internal notes, positions, and the audit
events about them). The audit trail of a trajectory is every event about one of its entities
(``audit_where``); events about people, organisations or the archive itself are not the trajectory's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, Table, and_, cast, false, or_, union
from sqlmodel import SQLModel, col, select

from app.models import (
    AgendaItem,
    AgendaItemComment,
    Approval,
    Attendance,
    AuditEvent,
    Comment,
    CommentRevision,
    CriterionAssessment,
    Dialogue,
    DialogueSession,
    Document,
    Follower,
    Framework,
    InternalNote,
    Invitation,
    Milestone,
    Municipality,
    Nota,
    Participation,
    Position,
    Proposal,
    ProposalVersion,
    Provider,
    Question,
    RecordingConsent,
    ReleasePackage,
    Section,
    SelectionCriterion,
    SignoffMunicipality,
    SignoffOverride,
    SignoffSubject,
    SubgroupAssignment,
    User,
)

INTERN = "intern"
DATA = "gegevens"


# --- the trajectory's rows, as subqueries of ids ------------------------------------------------------------


def sessions_of(did: int) -> Any:
    return select(DialogueSession.id).where(DialogueSession.dialogue_id == did)


def agenda_of(did: int) -> Any:
    return select(AgendaItem.id).where(col(AgendaItem.session_id).in_(sessions_of(did)))


def proposals_of(did: int) -> Any:
    return select(Proposal.id).where(Proposal.dialogue_id == did)


def versions_of(did: int) -> Any:
    return select(ProposalVersion.id).where(col(ProposalVersion.proposal_id).in_(proposals_of(did)))


def sections_of(did: int) -> Any:
    return select(Section.id).where(col(Section.version_id).in_(versions_of(did)))


def comments_of(did: int) -> Any:
    return select(Comment.id).where(col(Comment.section_id).in_(sections_of(did)))


def notas_of(did: int) -> Any:
    return select(Nota.id).where(Nota.dialogue_id == did)


def packages_of(did: int) -> Any:
    return select(ReleasePackage.id).where(ReleasePackage.dialogue_id == did)


def _ids(model: type[SQLModel], where: ColumnElement[bool]) -> Any:
    return select(cast(model.id, String)).where(where)  # type: ignore[attr-defined]


def signoff_subjects(model: type[Approval] | type[SignoffOverride], did: int) -> ColumnElement[bool]:
    """Approvals and overrides of the trajectory's replies, notas and packages."""
    return or_(
        and_(col(model.subject_type) == SignoffSubject.replies, col(model.subject_id) == did),
        and_(col(model.subject_type) == SignoffSubject.nota, col(model.subject_id).in_(notas_of(did))),
        and_(col(model.subject_type) == SignoffSubject.package, col(model.subject_id).in_(packages_of(did))),
    )


# The audit events of a trajectory: entity type -> the ids (as text) of its entities of that type.
def _audit_entities(did: int) -> dict[str, Any]:
    return {
        "selection_criterion": _ids(SelectionCriterion, col(SelectionCriterion.dialogue_id) == did),
        "session": _ids(DialogueSession, col(DialogueSession.dialogue_id) == did),
        "agenda_item": _ids(AgendaItem, col(AgendaItem.session_id).in_(sessions_of(did))),
        "document": _ids(Document, col(Document.dialogue_id) == did),
        "invitation": _ids(Invitation, col(Invitation.dialogue_id) == did),
        "participation": _ids(Participation, col(Participation.dialogue_id) == did),
        "follower": _ids(Follower, col(Follower.dialogue_id) == did),
        "proposal": _ids(Proposal, col(Proposal.dialogue_id) == did),
        "proposal_version": _ids(ProposalVersion, col(ProposalVersion.proposal_id).in_(proposals_of(did))),
        "section": _ids(Section, col(Section.version_id).in_(versions_of(did))),
        "comment": _ids(Comment, col(Comment.section_id).in_(sections_of(did))),
        "package": _ids(ReleasePackage, col(ReleasePackage.dialogue_id) == did),
        "nota": _ids(Nota, col(Nota.dialogue_id) == did),
        "question": _ids(Question, col(Question.dialogue_id) == did),
    }


# Events about what is internal: in intern/, never in the audit trail beside the data for everyone.
_INTERNAL_AUDIT: dict[str, Callable[[int], Any]] = {
    "internal_note": lambda did: _ids(InternalNote, col(InternalNote.comment_id).in_(comments_of(did))),
    "position": lambda did: _ids(Position, col(Position.comment_id).in_(comments_of(did))),
}
# Events whose entity is the trajectory itself (its settings, the release of its replies, their sign-off).
_TRAJECTORY_AUDIT = ("dialogue", "review", SignoffSubject.replies.value)


def audit_where(did: int, *, internal: bool | None = False) -> ColumnElement[bool]:
    """The trajectory's audit events: ``internal`` False those for everyone, True those for intern/, None both."""
    entity_type, entity_id = col(AuditEvent.entity_type), col(AuditEvent.entity_id)
    parts: list[ColumnElement[bool]] = []
    if internal is not True:
        parts.append(and_(entity_type.in_(_TRAJECTORY_AUDIT), entity_id == str(did)))
        parts += [and_(entity_type == kind, entity_id.in_(ids)) for kind, ids in _audit_entities(did).items()]
    if internal is not False:
        parts += [and_(entity_type == kind, entity_id.in_(ids(did))) for kind, ids in _INTERNAL_AUDIT.items()]
    return or_(false(), *parts)


def people_of(did: int) -> Any:
    """The ids of every user the trajectory's rows name (authors, editors, askers, deciders, actors)."""
    in_comments = col(Comment.section_id).in_(sections_of(did))
    return union(
        select(Comment.author_id).where(in_comments),
        select(CommentRevision.edited_by_id).where(col(CommentRevision.comment_id).in_(comments_of(did))),
        select(InternalNote.author_id).where(col(InternalNote.comment_id).in_(comments_of(did))),
        select(Position.author_id).where(col(Position.comment_id).in_(comments_of(did))),
        select(Question.asker_id).where(Question.dialogue_id == did),
        select(Question.text_edited_by_id).where(Question.dialogue_id == did),
        select(Question.answer_by_id).where(Question.dialogue_id == did),
        select(Participation.user_id).where(Participation.dialogue_id == did),
        select(Participation.decided_by_id).where(Participation.dialogue_id == did),
        select(Invitation.responded_by_id).where(Invitation.dialogue_id == did),
        select(Document.uploaded_by_id).where(Document.dialogue_id == did),
        select(Approval.user_id).where(signoff_subjects(Approval, did)),
        select(SignoffOverride.user_id).where(signoff_subjects(SignoffOverride, did)),
        select(AgendaItem.created_by_id).where(col(AgendaItem.session_id).in_(sessions_of(did))),
        select(AgendaItem.updated_by_id).where(col(AgendaItem.session_id).in_(sessions_of(did))),
        select(Section.created_by_id).where(col(Section.version_id).in_(versions_of(did))),
        select(Section.updated_by_id).where(col(Section.version_id).in_(versions_of(did))),
        select(Nota.created_by_id).where(Nota.dialogue_id == did),
        select(ReleasePackage.created_by_id).where(ReleasePackage.dialogue_id == did),
        select(AuditEvent.actor_id).where(audit_where(did, internal=None)),
    )


def providers_of(did: int) -> ColumnElement[bool]:
    """The providers invited to the trajectory or speaking in it (comments, questions, attendance)."""
    return or_(
        col(Provider.id).in_(select(Invitation.provider_id).where(Invitation.dialogue_id == did)),
        col(Provider.id).in_(select(Comment.provider_id).where(col(Comment.section_id).in_(sections_of(did)))),
        col(Provider.id).in_(select(Question.provider_id).where(Question.dialogue_id == did)),
        col(Provider.id).in_(select(Attendance.provider_id).where(col(Attendance.session_id).in_(sessions_of(did)))),
    )


# --- the entities -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """One file pair (``<folder>/<name>.json`` and ``.csv``) of the archive."""

    name: str  # the file name, Dutch (the archive is read by Dutch requesters)
    model: type[SQLModel]
    where: Callable[[int], ColumnElement[bool]]
    description: str  # for LEESMIJ.txt
    folder: str = DATA
    order: tuple[str, ...] = ("id",)

    @property
    def table(self) -> Table:
        return self.model.__table__  # type: ignore[attr-defined]

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"


def _is(column: Any) -> Callable[[int], ColumnElement[bool]]:
    return lambda did: col(column) == did


def _in(column: Any, ids: Callable[[int], Any]) -> Callable[[int], ColumnElement[bool]]:
    return lambda did: col(column).in_(ids(did))


ENTITIES: tuple[Entity, ...] = (
    Entity("traject", Dialogue, _is(Dialogue.id), "het traject zelf (titel, kenmerk TenderNed, status)"),
    Entity(
        "selectiecriteria",
        SelectionCriterion,
        _is(SelectionCriterion.dialogue_id),
        "de selectiecriteria van het traject",
    ),
    Entity(
        "beoordelingen",
        CriterionAssessment,
        lambda did: col(CriterionAssessment.criterion_id).in_(
            select(SelectionCriterion.id).where(SelectionCriterion.dialogue_id == did)
        ),
        "de beoordeling door SDFL van aanbieders per criterium",
        order=("criterion_id", "provider_id"),
    ),
    Entity("kaders", Framework, _is(Framework.dialogue_id), "de kaders waarbinnen het traject werkt"),
    Entity("mijlpalen", Milestone, _is(Milestone.dialogue_id), "de tijdlijn van het traject"),
    Entity("aanbieders", Provider, providers_of, "de zorgaanbieders die zijn uitgenodigd of reageerden"),
    Entity(
        "personen",
        User,
        lambda did: col(User.id).in_(people_of(did)),
        "de mensen die in de gegevens voorkomen (auteurs, beslissers, wie iets wijzigde)",
    ),
    Entity("gemeenten", Municipality, lambda did: col(Municipality.id).is_not(None), "de gemeenten"),
    Entity("uitnodigingen", Invitation, _is(Invitation.dialogue_id), "de uitnodigingen aan aanbieders en hun antwoord"),
    Entity("deelnames", Participation, _is(Participation.dialogue_id), "aanvragen om deel te nemen (consultaties)"),
    Entity("sessies", DialogueSession, _is(DialogueSession.dialogue_id), "de dialoogsessies, met verslag in Markdown"),
    Entity("agenda", AgendaItem, _in(AgendaItem.session_id, sessions_of), "de agendapunten van de sessies"),
    Entity(
        "subgroepen",
        SubgroupAssignment,
        _in(SubgroupAssignment.agenda_item_id, agenda_of),
        "de indeling van aanbieders in subgroepen per agendapunt",
    ),
    Entity(
        "agenda_reacties",
        AgendaItemComment,
        _in(AgendaItemComment.agenda_item_id, agenda_of),
        "reacties die op de agenda zijn gezet, met het moment van vrijgeven",
        order=("agenda_item_id", "comment_id"),
    ),
    Entity("aanwezigheid", Attendance, _in(Attendance.session_id, sessions_of), "de aanwezigheid per sessie"),
    Entity(
        "toestemming_opname",
        RecordingConsent,
        _in(RecordingConsent.session_id, sessions_of),
        "de toestemming voor de opname van een sessie, per persoon",
    ),
    Entity(
        "documenten",
        Document,
        _is(Document.dialogue_id),
        "de stukken, met hun plaats in dit archief (kolom archive_path)",
    ),
    Entity("vrijgavepakketten", ReleasePackage, _is(ReleasePackage.dialogue_id), "de vrijgavepakketten"),
    Entity("voorstellen", Proposal, _is(Proposal.dialogue_id), "de voorstellen"),
    Entity(
        "voorstelversies",
        ProposalVersion,
        _in(ProposalVersion.proposal_id, proposals_of),
        "de versies van de voorstellen",
    ),
    Entity("secties", Section, _in(Section.version_id, versions_of), "de secties (tekst) van elke versie"),
    Entity(
        "reacties",
        Comment,
        _in(Comment.section_id, sections_of),
        "alle reacties en antwoorden, met de officiële antwoorden van SDFL (official) en de besluiten (status, "
        "published_status en status_release_at: het moment van vrijgeven)",
    ),
    Entity(
        "officiele_antwoorden",
        Comment,
        lambda did: and_(col(Comment.section_id).in_(sections_of(did)), col(Comment.official).is_(True)),
        "de officiële antwoorden van SDFL (ook in reacties.json), met release_at: het moment van vrijgeven",
    ),
    Entity(
        "reactie_wijzigingen",
        CommentRevision,
        _in(CommentRevision.comment_id, comments_of),
        "de volledige bewerkingsgeschiedenis: de tekst van een reactie vóór elke wijziging",
    ),
    Entity("vragen", Question, _is(Question.dialogue_id), "de schriftelijke vragen en hun antwoorden"),
    Entity("notas", Nota, _is(Nota.dialogue_id), "de nota's van inlichtingen"),
    Entity(
        "akkoord_gemeenten",
        SignoffMunicipality,
        _is(SignoffMunicipality.dialogue_id),
        "de gemeenten die akkoord moeten geven op wat wordt vrijgegeven",
        order=("dialogue_id", "municipality_id"),
    ),
    Entity(
        "akkoorden",
        Approval,
        lambda did: signoff_subjects(Approval, did),
        "akkoorden en bezwaren van gemeenten (subject_type: replies, nota of package)",
    ),
    Entity(
        "overrulingen",
        SignoffOverride,
        lambda did: signoff_subjects(SignoffOverride, did),
        "vrijgaven door SDFL zonder alle akkoorden, met de reden",
    ),
    Entity(
        "audittrail",
        AuditEvent,
        lambda did: audit_where(did, internal=False),
        "elke wijziging aan het traject en zijn onderdelen",
        order=("at", "id"),
    ),
    Entity(
        "interne_notities",
        InternalNote,
        _in(InternalNote.comment_id, comments_of),
        "interne notities van SDFL en gemeenten bij reacties",
        folder=INTERN,
    ),
    Entity(
        "standpunten",
        Position,
        _in(Position.comment_id, comments_of),
        "standpunten van gemeenten bij reacties",
        folder=INTERN,
    ),
    Entity(
        "audittrail_intern",
        AuditEvent,
        lambda did: audit_where(did, internal=True),
        "de audittrail van de interne notities en standpunten",
        folder=INTERN,
        order=("at", "id"),
    ),
)

# Columns never in the archive: secrets and technical keys that say nothing about the dialogue.
NEVER: dict[str, frozenset[str]] = {
    "users": frozenset({"password_hash"}),
    "participations": frozenset({"confirm_token_hash"}),
    "comments": frozenset({"idempotency_key", "idempotency_fingerprint"}),
}
