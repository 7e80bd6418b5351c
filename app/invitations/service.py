"""Invitations and participation: selecting providers, inviting and reminding them, their answers
(RSVP) and the participation record. Every page here runs a constant number of queries, however many
providers there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from sqlalchemy.orm import aliased
from sqlmodel import Session, and_, col, func, or_, select

from app.audit.service import record
from app.config import get_settings
from app.dialogues import manage as dialogues
from app.dialogues.service import list_sessions
from app.documents.service import notify_released_so_far
from app.kit import clock
from app.kit.errors import Conflict, NotFound, ValidationFailed
from app.kit.feed import FeedParams, feed_rows
from app.kit.feed import Position as FeedPosition
from app.kit.i18n import TIMEZONE
from app.kit.pagination import PageParams
from app.mail.service import queue_mail
from app.meetings.manage import send_save_the_dates
from app.models import (
    TARGET_GROUPS,
    Attendance,
    CriterionAssessment,
    CriterionBasis,
    Dialogue,
    DialogueKind,
    DialogueSession,
    DialogueStatus,
    Invitation,
    InvitationStatus,
    Municipality,
    Provider,
    ProviderMunicipality,
    ProviderSize,
    SelectionCriterion,
    SessionStatus,
    User,
    id_of,
    is_valid_id,
)
from app.policy import Action, Principal, authorize, can

NOTE_MAX = 2000
NOT_INVITED = "none"
ANSWERS = (InvitationStatus.accepted, InvitationStatus.declined)
SIZES = (ProviderSize.small, ProviderSize.medium, ProviderSize.large)


def invitation_link() -> str:
    """Where a provider answers its invitation (the address in the mails)."""
    return f"{get_settings().base_url.rstrip('/')}/invitation"


def _nl_datetime(value: datetime, fmt: str = "EEEE d MMMM y 'om' HH:mm") -> str:
    """A moment in Dutch and Amsterdam time, for mail (mail is always Dutch)."""
    return format_datetime(value, fmt, tzinfo=TIMEZONE, locale="nl")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _snapshot(invitation: Invitation) -> dict[str, Any]:
    """The answer's state for the audit trail."""
    return {
        "status": invitation.status,
        "note": invitation.note,
        "responded_at": _iso(invitation.responded_at),
        "responded_by_id": invitation.responded_by_id,
    }


# --- which trajectory ---------------------------------------------------------------------------


def chosen_dialogue(session: Session, raw: str | None) -> Dialogue:
    """The trajectory a page works on: the one ``raw`` names (slug or id), else the current one."""
    return dialogues.pick(session, raw)


def dialogue_choices(session: Session) -> list[Dialogue]:
    """The trajectories to pick from (not archived)."""
    return dialogues.choices(session)


def _no_invitations(dialogue: Dialogue) -> None:
    if dialogue.kind == DialogueKind.consultation:
        raise Conflict(
            "A consultation has no invitations: its participants ask to take part.",
            errors=[{"field": "provider_id", "message": "Een consultatie heeft geen uitnodigingen."}],
        )
    if dialogue.status == DialogueStatus.archived:
        raise Conflict(
            "This trajectory is archived.",
            errors=[{"field": "provider_id", "message": "Dit traject is gearchiveerd."}],
        )


# --- the selection overview ---------------------------------------------------------------------


@dataclass(frozen=True)
class SelectionRow:
    """One provider with what SDFL selects on and its invitation (if any)."""

    provider: Provider
    municipalities: list[Municipality]
    invitation: Invitation | None

    @property
    def status(self) -> str:
        return self.invitation.status if self.invitation else NOT_INVITED

    @property
    def invited(self) -> bool:
        return self.invitation is not None

    @property
    def accepted(self) -> bool:
        return self.invitation is not None and self.invitation.status == InvitationStatus.accepted


@dataclass(frozen=True)
class MixCount:
    """How many providers of one kind (a target group, a size, a municipality) exist, are invited, take part."""

    key: str
    label: str
    providers: int = 0
    invited: int = 0
    accepted: int = 0

    @property
    def missing(self) -> bool:
        """Nobody of this kind takes part: a gap in the mix."""
        return self.accepted == 0


def _count(key: str, label: str, rows: list[SelectionRow]) -> MixCount:
    return MixCount(
        key=key,
        label=label,
        providers=len(rows),
        invited=sum(r.invited for r in rows),
        accepted=sum(r.accepted for r in rows),
    )


@dataclass(frozen=True)
class AssessmentRow:
    """SDFL's assessment of one invited provider against an assessment criterion (None: not assessed yet)."""

    row: SelectionRow
    assessment: CriterionAssessment | None


@dataclass(frozen=True)
class CriterionCoverage:
    """How the invited and accepted providers cover one selection criterion of the trajectory."""

    criterion: SelectionCriterion
    counts: list[MixCount] = field(default_factory=list)  # size, target_groups, contracting
    assessments: list[AssessmentRow] = field(default_factory=list)  # assessment

    @property
    def gaps(self) -> list[MixCount]:
        return [c for c in self.counts if c.missing]


@dataclass(frozen=True)
class Selection:
    dialogue: Dialogue
    rows: list[SelectionRow]
    target_groups: list[MixCount]
    sizes: list[MixCount]
    municipalities: list[MixCount]
    status_counts: dict[str, int] = field(default_factory=dict)
    coverage: list[CriterionCoverage] = field(default_factory=list)

    @property
    def missing_target_groups(self) -> list[MixCount]:
        return [m for m in self.target_groups if m.missing]

    @property
    def illustrative(self) -> bool:
        return any(r.provider.illustrative for r in self.rows)


def selection(session: Session, dialogue: Dialogue) -> Selection:
    """Every provider with its tags, contracts and invitation to ``dialogue``, the mix, and the coverage of each
    of the trajectory's selection criteria."""
    pairs = session.exec(
        select(Provider, Invitation)
        .outerjoin(
            Invitation,
            and_(col(Invitation.provider_id) == Provider.id, col(Invitation.dialogue_id) == dialogue.id),
        )
        # an archived provider takes part in nothing new: listed only where it was invited already
        .where(or_(col(Provider.archived_at).is_(None), col(Invitation.id).is_not(None)))
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    contracts: dict[int, list[Municipality]] = defaultdict(list)
    for provider_id, municipality in session.exec(
        select(ProviderMunicipality.provider_id, Municipality)
        .join(Municipality, col(Municipality.id) == ProviderMunicipality.municipality_id)
        .order_by(Municipality.name)
    ).all():
        contracts[provider_id].append(municipality)
    municipalities = session.exec(select(Municipality).order_by(col(Municipality.name), col(Municipality.id))).all()

    rows = [SelectionRow(provider=p, municipalities=contracts.get(p.id or 0, []), invitation=i) for p, i in pairs]
    by_tag: dict[str, list[SelectionRow]] = defaultdict(list)
    by_size: dict[str, list[SelectionRow]] = defaultdict(list)
    by_municipality: dict[int, list[SelectionRow]] = defaultdict(list)
    status_counts: dict[str, int] = defaultdict(int)
    for row in rows:
        for tag in set(row.provider.tags or []):
            by_tag[tag].append(row)
        by_size[row.provider.size].append(row)
        for m in row.municipalities:
            by_municipality[m.id or 0].append(row)
        status_counts[row.status] += 1
    sizes = [s.value for s in SIZES] + sorted(set(by_size) - {s.value for s in SIZES})
    target_groups = [_count(key, label, by_tag[key]) for key, label in TARGET_GROUPS.items()]
    size_counts = [_count(size, size, by_size[size]) for size in sizes]
    municipality_counts = [
        _count(str(m.id), m.name, by_municipality[m.id or 0])
        for m in municipalities
        if m.in_procurement or by_municipality[m.id or 0]
    ]
    outside = _count(OUTSIDE_FLEVOLAND, OUTSIDE_FLEVOLAND, [r for r in rows if r.provider.active_outside_flevoland])
    return Selection(
        dialogue=dialogue,
        rows=rows,
        target_groups=target_groups,
        sizes=size_counts,
        municipalities=municipality_counts,
        status_counts=dict(status_counts),
        coverage=_coverage(session, dialogue, rows, size_counts, target_groups, [*municipality_counts, outside]),
    )


OUTSIDE_FLEVOLAND = "outside_flevoland"  # the row of the contracting coverage for activity outside Flevoland


def _coverage(
    session: Session,
    dialogue: Dialogue,
    rows: list[SelectionRow],
    sizes: list[MixCount],
    target_groups: list[MixCount],
    contracting: list[MixCount],
) -> list[CriterionCoverage]:
    criteria = session.exec(
        select(SelectionCriterion)
        .where(SelectionCriterion.dialogue_id == dialogue.id)
        .order_by(col(SelectionCriterion.position), col(SelectionCriterion.id))
    ).all()
    assessed = dialogues.assessments(session, [c.id or 0 for c in criteria if c.basis == CriterionBasis.assessment])
    invited = [r for r in rows if r.invited]
    out = []
    for c in criteria:
        if c.basis == CriterionBasis.size:
            out.append(CriterionCoverage(criterion=c, counts=sizes))
        elif c.basis == CriterionBasis.target_groups:
            out.append(CriterionCoverage(criterion=c, counts=target_groups))
        elif c.basis == CriterionBasis.contracting:
            out.append(CriterionCoverage(criterion=c, counts=contracting))
        else:
            out.append(
                CriterionCoverage(
                    criterion=c,
                    assessments=[
                        AssessmentRow(row=r, assessment=assessed.get((c.id or 0, r.provider.id or 0))) for r in invited
                    ],
                )
            )
    return out


def assess(
    session: Session,
    principal: Principal,
    dialogue: Dialogue,
    *,
    criterion_id: int,
    provider_id: int,
    meets: bool | None,
    note: str,
) -> None:
    """SDFL's assessment of a provider against one of ``dialogue``'s assessment criteria."""
    criterion = session.get(SelectionCriterion, criterion_id) if is_valid_id(criterion_id) else None
    if criterion is None or criterion.dialogue_id != dialogue.id:
        raise NotFound("Dit criterium hoort niet bij dit traject.", user_message=True)
    dialogues.assess(session, principal, criterion_id=criterion_id, provider_id=provider_id, meets=meets, note=note)


# --- inviting and reminding ---------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    invited: list[Provider]
    already: int  # selected providers that had an invitation already
    mails: int
    without_contact: list[Provider]  # invited, but no active user to mail


def _users_by_provider(session: Session, provider_ids: list[int]) -> dict[int, list[User]]:
    """Active users per provider, in one query."""
    if not provider_ids:
        return {}
    users = session.exec(
        select(User).where(col(User.provider_id).in_(provider_ids), col(User.active).is_(True)).order_by(User.email)
    ).all()
    out: dict[int, list[User]] = defaultdict(list)
    for user in users:
        out[user.provider_id or 0].append(user)
    return out


def _mail_context(
    dialogue: Dialogue, sessions: list[DialogueSession], provider: Provider, user: User
) -> dict[str, Any]:
    return {
        "user_name": user.name or user.email,
        "provider_name": provider.name,
        "dialogue_title": dialogue.title,
        "tender_reference": dialogue.tender_reference,
        "sessions": [
            {
                "number": s.number,
                "title": s.title,
                "when": f"{_nl_datetime(s.starts_at, 'EEEE d MMMM y, HH:mm')}–{_nl_datetime(s.ends_at, 'HH:mm')}",
                "location": s.location,
            }
            for s in sessions
            if s.status == SessionStatus.planned  # the sessions still to come
        ],
        "link": invitation_link(),
    }


def invite(session: Session, dialogue: Dialogue, *, provider_ids: list[int], actor: User) -> InviteResult:
    """Invite providers to ``dialogue`` and mail their active users; already invited ones are skipped."""
    _no_invitations(dialogue)
    wanted = sorted(set(provider_ids))
    if not wanted:
        raise ValidationFailed(
            "Select at least one provider.",
            errors=[{"field": "provider_id", "message": "Kies ten minste één zorgaanbieder."}],
        )
    providers = session.exec(select(Provider).where(col(Provider.id).in_(wanted)).order_by(Provider.name)).all()
    if len(providers) != len(wanted):
        raise ValidationFailed(
            "Unknown provider.",
            errors=[{"field": "provider_id", "message": "Een gekozen zorgaanbieder bestaat niet (meer)."}],
        )
    archived = [p.name for p in providers if p.archived_at is not None]
    if archived:
        raise ValidationFailed(
            "Archived provider.",
            errors=[
                {
                    "field": "provider_id",
                    "message": f"Gearchiveerd, dus niet uit te nodigen: {', '.join(archived)}.",
                }
            ],
        )
    existing = set(
        session.exec(
            select(Invitation.provider_id).where(
                Invitation.dialogue_id == dialogue.id, col(Invitation.provider_id).in_(wanted)
            )
        ).all()
    )
    new = [p for p in providers if p.id not in existing]
    if not new:
        return InviteResult(invited=[], already=len(existing), mails=0, without_contact=[])
    now = clock.now()
    invitations = [
        Invitation(dialogue_id=dialogue.id or 0, provider_id=p.id or 0, status=InvitationStatus.pending, invited_at=now)
        for p in new
    ]
    session.add_all(invitations)
    session.flush()
    sessions = list_sessions(session, dialogue.id or 0)
    users = _users_by_provider(session, [p.id or 0 for p in new])
    mails = 0
    for provider, invitation in zip(new, invitations, strict=True):
        for user in users.get(provider.id or 0, []):
            queue_mail(
                session, to=user.email, template="invitation", context=_mail_context(dialogue, sessions, provider, user)
            )
            mails += 1
        record(
            session,
            action="invitation.created",
            entity_type="invitation",
            entity_id=invitation.id,
            actor=actor,
            summary=f"{provider.name} uitgenodigd voor {dialogue.title}",
            after={"dialogue_id": dialogue.id, "provider_id": provider.id, "status": invitation.status},
        )
    return InviteResult(
        invited=new,
        already=len(existing),
        mails=mails,
        without_contact=[p for p in new if not users.get(p.id or 0)],
    )


@dataclass(frozen=True)
class ReminderResult:
    providers: int
    mails: int


def send_reminders(session: Session, dialogue: Dialogue, *, actor: User) -> ReminderResult:
    """Mail a reminder to the users of every provider that has not answered the invitation to ``dialogue`` yet;
    sets ``reminded_at``."""
    pending = session.exec(
        select(Invitation, Provider)
        .join(Provider, col(Provider.id) == Invitation.provider_id)
        .where(Invitation.dialogue_id == dialogue.id, Invitation.status == InvitationStatus.pending)
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    if not pending:
        return ReminderResult(providers=0, mails=0)
    sessions = list_sessions(session, dialogue.id or 0)
    users = _users_by_provider(session, [p.id or 0 for _i, p in pending])
    now = clock.now()
    mails = 0
    for invitation, provider in pending:
        for user in users.get(provider.id or 0, []):
            context = _mail_context(dialogue, sessions, provider, user)
            context["invited_on"] = _nl_datetime(invitation.invited_at, "d MMMM y")
            queue_mail(session, to=user.email, template="invitation_reminder", context=context)
            mails += 1
        before = _iso(invitation.reminded_at)
        invitation.reminded_at = now
        session.add(invitation)
        record(
            session,
            action="invitation.reminded",
            entity_type="invitation",
            entity_id=invitation.id,
            actor=actor,
            summary=f"Herinnering gestuurd aan {provider.name}",
            before={"reminded_at": before},
            after={"reminded_at": _iso(now)},
        )
    return ReminderResult(providers=len(pending), mails=mails)


# --- one invitation and its answer --------------------------------------------------------------


@dataclass(frozen=True)
class InvitationDetail:
    """An invitation with what its page and its API representation show."""

    invitation: Invitation
    provider: Provider
    responded_by: User | None


@dataclass(frozen=True)
class InvitationPage:
    detail: InvitationDetail
    dialogue: Dialogue
    sessions: list[DialogueSession]
    # The provider's invitations to every trajectory (on its own page, to switch between them).
    others: list[tuple[Invitation, Dialogue]] = field(default_factory=list)


Responder = aliased(User)


def _detail_query() -> Any:
    return (
        select(Invitation, Provider, Responder)
        .join(Provider, col(Provider.id) == Invitation.provider_id)
        .outerjoin(Responder, col(Responder.id) == Invitation.responded_by_id)
    )


def find_invitation(session: Session, dialogue_id: int, provider_id: int) -> InvitationDetail | None:
    """The provider's invitation to the trajectory, if any."""
    row = session.exec(
        _detail_query().where(Invitation.dialogue_id == dialogue_id, Invitation.provider_id == provider_id)
    ).first()
    return InvitationDetail(invitation=row[0], provider=row[1], responded_by=row[2]) if row else None


def get_invitation(session: Session, invitation_id: int) -> InvitationDetail:
    if not is_valid_id(invitation_id):
        raise NotFound(f"Invitation {invitation_id} does not exist.")
    row = session.exec(_detail_query().where(Invitation.id == invitation_id)).first()
    if row is None:
        raise NotFound(f"Invitation {invitation_id} does not exist.")
    return InvitationDetail(invitation=row[0], provider=row[1], responded_by=row[2])


def _page(session: Session, detail: InvitationDetail) -> InvitationPage:
    dialogue = session.get(Dialogue, detail.invitation.dialogue_id)
    if dialogue is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("Dialogue not found.")
    return InvitationPage(detail=detail, dialogue=dialogue, sessions=list_sessions(session, dialogue.id or 0))


def invitation_page(session: Session, invitation_id: int) -> InvitationPage:
    """An invitation with its dialogue and sessions (admins answering for a provider)."""
    return _page(session, get_invitation(session, invitation_id))


def own_invitations(session: Session, provider_id: int | None) -> list[tuple[Invitation, Dialogue]]:
    """Every invitation of ``provider_id``, one per trajectory (newest trajectory first), archived ones left out."""
    if provider_id is None:
        return []
    return [
        (i, d)
        for i, d in session.exec(
            select(Invitation, Dialogue)
            .join(Dialogue, col(Dialogue.id) == Invitation.dialogue_id)
            .where(Invitation.provider_id == provider_id, Dialogue.status != DialogueStatus.archived)
            .order_by(col(Dialogue.id).desc())
        ).all()
    ]


def own_invitation_page(session: Session, provider_id: int | None, dialogue_ref: str = "") -> InvitationPage:
    """The invitation of ``provider_id`` to the trajectory ``dialogue_ref`` names (slug or id; empty: its
    newest invitation); a Dutch 404 when there is none."""
    row = None
    if provider_id is not None:
        stmt = _detail_query().where(Invitation.provider_id == provider_id)
        if dialogue_ref.strip():
            stmt = stmt.where(Invitation.dialogue_id == chosen_dialogue(session, dialogue_ref).id)
        else:
            stmt = stmt.join(Dialogue, col(Dialogue.id) == Invitation.dialogue_id).order_by(
                col(Dialogue.status) == DialogueStatus.archived, col(Invitation.dialogue_id).desc()
            )
        row = session.exec(stmt).first()
    if row is None:
        raise NotFound(
            "Uw organisatie is (nog) niet uitgenodigd voor dit dialoogtraject. Verwacht u wel een uitnodiging? "
            "Neem dan contact op met Sociaal Domein Flevoland.",
            user_message=True,
        )
    detail = InvitationDetail(invitation=row[0], provider=row[1], responded_by=row[2])
    return replace(_page(session, detail), others=own_invitations(session, provider_id))


def clean_note(note: str) -> str:
    """A note as stored: trimmed, with browser line ends (CRLF, which count double) as single newlines."""
    return note.replace("\r\n", "\n").strip()


def authorize_answer(principal: Principal, detail: InvitationDetail) -> None:
    """Only the provider's own users and admins answer; a read key never does."""
    authorize(principal, Action.rsvp, provider_id=detail.invitation.provider_id)


def answer(
    session: Session, detail: InvitationDetail, *, principal: Principal, status: str, note: str | None = None
) -> InvitationDetail:
    """Accept or decline for a provider (its own users, or an admin); may be changed later.

    ``note=None`` keeps the note as it is. Raises Forbidden, Conflict (status ``pending``) or
    ValidationFailed.
    """
    invitation = detail.invitation
    authorize_answer(principal, detail)
    assert principal.user is not None
    if status == InvitationStatus.pending:
        raise Conflict(
            "An answered invitation cannot be set back to pending; answer 'accepted' or 'declined'.",
            errors=[{"field": "status", "message": "Kies aanmelden of afmelden."}],
        )
    if status not in ANSWERS:
        raise ValidationFailed(
            "Answer 'accepted' or 'declined'.",
            errors=[{"field": "status", "message": "Kies aanmelden of afmelden."}],
        )
    if note is not None:
        note = clean_note(note)
        if len(note) > NOTE_MAX:
            raise ValidationFailed(
                f"The note is longer than {NOTE_MAX} characters.",
                errors=[{"field": "note", "message": f"De toelichting is te lang: ten hoogste {NOTE_MAX} tekens."}],
            )
    before = _snapshot(invitation)
    invitation.status = status
    invitation.responded_at = invitation.updated_at = clock.now()
    invitation.responded_by_id = principal.user.id
    if note is not None:
        invitation.note = note
    session.add(invitation)
    record(
        session,
        action="invitation.answered",
        entity_type="invitation",
        entity_id=invitation.id,
        actor=principal.user,
        summary=(
            f"{detail.provider.name}: {'aangemeld' if status == InvitationStatus.accepted else 'afgemeld'}"
            f" door {principal.user.email}"
        ),
        before=before,
        after=_snapshot(invitation),
    )
    if status == InvitationStatus.accepted and before.get("status") != InvitationStatus.accepted:
        _send_save_the_dates(session, invitation)
        _send_released_so_far(session, invitation, detail.provider)
    return replace(detail, responded_by=principal.user)


def _send_released_so_far(session: Session, invitation: Invitation, provider: Provider) -> None:
    """What the others received before this provider took part: from now on it sees it too, and is told so."""
    users = _users_by_provider(session, [invitation.provider_id]).get(invitation.provider_id, [])
    notify_released_so_far(session, dialogue_id=invitation.dialogue_id, provider=provider, users=users)


def withdraw(session: Session, detail: InvitationDetail, *, principal: Principal) -> InvitationDetail:
    """SDFL withdraws an invitation: from now on the provider no longer takes part (app.policy); its earlier
    comments stay, readable for it. An admin's answer on its behalf reinstates it."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    invitation = detail.invitation
    if invitation.status == InvitationStatus.withdrawn:
        raise Conflict(
            "This invitation is withdrawn already.",
            errors=[{"field": "confirm", "message": "Deze uitnodiging is al ingetrokken."}],
        )
    before = _snapshot(invitation)
    invitation.status = InvitationStatus.withdrawn
    invitation.updated_at = clock.now()
    session.add(invitation)
    record(
        session,
        action="invitation.withdrawn",
        entity_type="invitation",
        entity_id=invitation.id,
        actor=principal.user,
        summary=f"{detail.provider.name}: uitnodiging ingetrokken door {principal.user.email}",
        before=before,
        after=_snapshot(invitation),
    )
    return detail


def _send_save_the_dates(session: Session, invitation: Invitation) -> None:
    """A provider that accepts gets the save-the-dates of the sessions still to come, like everyone else."""
    dialogue = session.get(Dialogue, invitation.dialogue_id)
    now = clock.now()
    for meeting in list_sessions(session, invitation.dialogue_id):
        if dialogue is not None and meeting.status == SessionStatus.planned and meeting.starts_at > now:
            send_save_the_dates(session, meeting, dialogue, provider_id=invitation.provider_id)


def may_see_answer_details(principal: Principal, provider_id: int) -> bool:
    """The note and who answered: for those who may answer for the provider (a read key may read them)."""
    return can(replace(principal, scope=None), Action.rsvp, provider_id=provider_id)


def _conditions(status: str | None, dialogue_id: int | None) -> list[Any]:
    conditions = []
    if status:
        conditions.append(Invitation.status == status)
    if dialogue_id is not None:
        conditions.append(Invitation.dialogue_id == dialogue_id)
    return conditions


def invitation_feed(
    session: Session,
    *,
    feed: FeedParams,
    params: PageParams,
    status: str | None = None,
    dialogue_id: int | None = None,
) -> tuple[list[InvitationDetail], int, str | None]:
    """The invitations changed in the feed's window, by updated_at then id (two queries)."""
    rows, total, nxt = feed_rows(
        session,
        select(Invitation).where(*_conditions(status, dialogue_id)),
        updated=col(Invitation.updated_at),
        item_id=col(Invitation.id),
        feed=feed,
        params=params,
        key=lambda i: FeedPosition(i.updated_at, id_of(i)),
    )
    ids = [id_of(i) for i in rows]
    details = {
        id_of(i): InvitationDetail(invitation=i, provider=p, responded_by=u)
        for i, p, u in (session.exec(_detail_query().where(col(Invitation.id).in_(ids))).all() if ids else [])
    }
    return [details[i] for i in ids], total, nxt


def list_invitations(
    session: Session, *, params: PageParams, status: str | None = None, dialogue_id: int | None = None
) -> tuple[list[InvitationDetail], int]:
    """Invitations by provider name, then id."""
    conditions = _conditions(status, dialogue_id)
    total = session.exec(select(func.count()).select_from(Invitation).where(*conditions)).one()
    rows = session.exec(
        _detail_query()
        .where(*conditions)
        .order_by(Provider.name, Invitation.id)
        .offset(params.offset)
        .limit(params.page_size)
    ).all()
    return [InvitationDetail(invitation=i, provider=p, responded_by=u) for i, p, u in rows], int(total)


# --- the participation record -------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipationRow:
    provider: Provider
    invitation: Invitation | None
    responded_by: User | None
    attendance: dict[int, Attendance]  # by session id


@dataclass(frozen=True)
class SessionTotal:
    session: DialogueSession
    providers: int  # providers that attended
    people: int


@dataclass(frozen=True)
class Participation:
    dialogue: Dialogue
    sessions: list[DialogueSession]
    rows: list[ParticipationRow]
    totals: list[SessionTotal]


def participation(session: Session, dialogue: Dialogue) -> Participation:
    """Per provider: invited when, answered what (when, by whom), attended which sessions with how many."""
    sessions = list_sessions(session, dialogue.id or 0)
    attendances = session.exec(
        select(Attendance)
        .join(DialogueSession, col(DialogueSession.id) == Attendance.session_id)
        .where(DialogueSession.dialogue_id == dialogue.id)
    ).all()
    by_provider: dict[int, dict[int, Attendance]] = defaultdict(dict)
    for a in attendances:
        by_provider[a.provider_id][a.session_id] = a
    rows = session.exec(
        select(Provider, Invitation, Responder)
        .outerjoin(
            Invitation,
            and_(col(Invitation.provider_id) == Provider.id, col(Invitation.dialogue_id) == dialogue.id),
        )
        .outerjoin(Responder, col(Responder.id) == Invitation.responded_by_id)
        .where(or_(col(Invitation.id).is_not(None), col(Provider.id).in_(list(by_provider))))
        .order_by(col(Provider.name), col(Provider.id))
    ).all()
    totals = [
        SessionTotal(
            session=s,
            providers=sum(1 for a in attendances if a.session_id == s.id and a.attended),
            people=sum(a.people for a in attendances if a.session_id == s.id and a.attended),
        )
        for s in sessions
    ]
    return Participation(
        dialogue=dialogue,
        sessions=sessions,
        rows=[
            ParticipationRow(provider=p, invitation=i, responded_by=u, attendance=by_provider.get(p.id or 0, {}))
            for p, i, u in rows
        ],
        totals=totals,
    )
