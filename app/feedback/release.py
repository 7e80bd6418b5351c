"""The release (admins): every drafted official reply and every pending decision of one trajectory published at
one moment, so every provider learns SDFL's answers at the same time; and, before it, the municipalities'
sign-off (``app.signoff``, subject "replies", subject id the trajectory's id).

The check page lists exactly what the release would publish (``content``); its digest is taken over the ids and
texts of those replies, the ids and new statuses of those decisions and the agenda links, so any change to a reply
or a decision after an approval withdraws it. The moment is chosen at the release itself (now or later): it is
not part of what the municipalities approve, as nothing plans it before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, literal, union, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, select

from app.audit.service import record
from app.events import service as events
from app.feedback import feed
from app.feedback.labels import STATUS_LABELS
from app.kit import clock
from app.kit.errors import Conflict, invalid
from app.kit.i18n import gettext as _
from app.models import (
    AgendaItem,
    AgendaItemComment,
    Comment,
    Dialogue,
    DialogueSession,
    Proposal,
    ProposalVersion,
    Section,
    SignoffSubject,
    id_of,
)
from app.notifications import events as notifications
from app.policy import Action, Principal, authorize
from app.signoff import service as signoff

SUBJECT = SignoffSubject.replies


@dataclass
class Pending:
    replies: int
    decisions: int
    moment: datetime | None = None  # of a release: when it goes out


def _drafted_replies() -> ColumnElement[bool]:
    return and_(col(Comment.official).is_(True), col(Comment.deleted_at).is_(None), col(Comment.release_at).is_(None))


def _pending_decisions() -> ColumnElement[bool]:
    return and_(col(Comment.status) != col(Comment.published_status), col(Comment.status_release_at).is_(None))


def _with_decision() -> ColumnElement[bool]:
    """Comments with a pending decision or an unreleased agenda link (putting a comment on the agenda is a
    decision too), as a set of ids: read from the partial index of pending decisions
    (``ix_comments_pending_decisions``, migration 0022) and the agenda links instead of from every comment."""
    return col(Comment.id).in_(
        union(
            select(Comment.id).where(_pending_decisions()),
            select(AgendaItemComment.comment_id).where(col(AgendaItemComment.released_at).is_(None)),
        )
    )


def _in_trajectory(dialogue_id: int) -> ColumnElement[bool]:
    """Comments on a proposal of the trajectory."""
    return col(Comment.section_id).in_(
        select(Section.id)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(Proposal.dialogue_id == dialogue_id)
    )


def pending(session: Session, dialogue_id: int | None = None) -> Pending:
    """What the next release (of one trajectory, or of all) would publish (a comment put on the agenda counts
    as a decision)."""
    where = [_in_trajectory(dialogue_id)] if dialogue_id is not None else []
    replies = session.exec(select(func.count()).where(_drafted_replies(), *where)).one()
    decisions = session.exec(select(func.count()).select_from(Comment).where(_with_decision(), *where)).one()
    return Pending(replies=int(replies), decisions=int(decisions))


def pending_per_trajectory(session: Session, dialogues: list[Dialogue]) -> list[tuple[Dialogue, Pending]]:
    """The trajectories with something to release, with what (the review dashboard's release card). One query,
    however many trajectories."""

    def per_trajectory(what: str, condition: ColumnElement[bool]) -> Any:
        return (
            select(literal(what).label("what"), Proposal.dialogue_id, func.count(col(Comment.id)).label("n"))
            .join(Section, col(Section.id) == Comment.section_id)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(condition)
            .group_by(col(Proposal.dialogue_id))
        )

    counts: dict[str, dict[int, int]] = {"replies": {}, "decisions": {}}
    both = union_all(per_trajectory("replies", _drafted_replies()), per_trajectory("decisions", _with_decision()))
    for what, dialogue_id, n in session.execute(both).all():
        counts[what][dialogue_id] = int(n)
    out = []
    for dialogue in dialogues:
        pending = Pending(
            replies=counts["replies"].get(id_of(dialogue), 0), decisions=counts["decisions"].get(id_of(dialogue), 0)
        )
        if pending.replies or pending.decisions:
            out.append((dialogue, pending))
    return out


# --- what goes out ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyItem:
    reply: Comment
    parent_id: int
    proposal: str
    heading: str


@dataclass(frozen=True)
class DecisionItem:
    comment: Comment
    proposal: str
    heading: str


@dataclass(frozen=True)
class AgendaLinkItem:
    link: AgendaItemComment
    item_title: str
    session_number: int


@dataclass
class ReleaseContent:
    """Exactly what the release of one trajectory would publish, and the digest the sign-off is given for."""

    dialogue: Dialogue
    replies: list[ReplyItem] = field(default_factory=list)
    decisions: list[DecisionItem] = field(default_factory=list)
    agenda: list[AgendaLinkItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.replies or self.decisions or self.agenda)

    @property
    def digest(self) -> str:
        return signoff.digest_of(self.summary())

    def summary(self) -> dict[str, Any]:
        """The ids and texts that go out (what the digest is taken over; also the audit event's content)."""
        return {
            "replies": [[r.reply.id, r.parent_id, r.reply.body] for r in self.replies],
            "decisions": [[d.comment.id, d.comment.status] for d in self.decisions],
            "agenda": [[a.link.comment_id, a.link.agenda_item_id] for a in self.agenda],
        }


def content(session: Session, dialogue: Dialogue) -> ReleaseContent:
    """Every drafted official reply, pending decision and unreleased agenda link of the trajectory, in order.
    Three queries."""
    dialogue_id = id_of(dialogue)

    def located(stmt: Any) -> Any:
        return (
            stmt.join(Section, col(Section.id) == Comment.section_id)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(Proposal.dialogue_id == dialogue_id)
        )

    replies = [
        ReplyItem(reply=c, parent_id=c.parent_id or 0, proposal=title, heading=heading)
        for c, title, heading in session.exec(
            located(select(Comment, Proposal.title, Section.heading))
            .where(_drafted_replies())
            .order_by(col(Comment.parent_id), col(Comment.id))
        ).all()
    ]
    decisions = [
        DecisionItem(comment=c, proposal=title, heading=heading)
        for c, title, heading in session.exec(
            located(select(Comment, Proposal.title, Section.heading))
            .where(_pending_decisions())
            .order_by(col(Comment.id))
        ).all()
    ]
    linked = aliased(Comment)
    agenda = [
        AgendaLinkItem(link=link, item_title=item_title, session_number=number)
        for link, item_title, number in session.exec(
            select(AgendaItemComment, AgendaItem.title, DialogueSession.number)
            .join(AgendaItem, col(AgendaItem.id) == AgendaItemComment.agenda_item_id)
            .join(DialogueSession, col(DialogueSession.id) == AgendaItem.session_id)
            .join(linked, col(linked.id) == AgendaItemComment.comment_id)
            .join(Section, col(Section.id) == linked.section_id)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(Proposal.dialogue_id == dialogue_id, col(AgendaItemComment.released_at).is_(None))
            .order_by(col(AgendaItemComment.comment_id), col(AgendaItemComment.agenda_item_id))
        ).all()
    ]
    return ReleaseContent(dialogue=dialogue, replies=replies, decisions=decisions, agenda=agenda)


@dataclass
class ReleaseCheck:
    """The "check before you release" page: what goes out and where its sign-off stands."""

    content: ReleaseContent
    signoff: signoff.Signoff


def check(session: Session, principal: Principal, dialogue: Dialogue) -> ReleaseCheck:
    """For reviewers (SDFL and the municipalities): what the release would publish and who approved it."""
    authorize(principal, Action.view_prepared)
    shown = content(session, dialogue)
    return ReleaseCheck(
        content=shown, signoff=signoff.status(session, SUBJECT, id_of(dialogue), dialogue, shown.digest)
    )


def _current(session: Session, dialogue: Dialogue, digest: str) -> ReleaseContent:
    """The content, if it is still what the reader was shown (``digest``); else a 409: check it again."""
    shown = content(session, dialogue)
    if shown.empty:
        raise Conflict(_("Er zijn geen conceptantwoorden of beoordelingen om vrij te geven."), user_message=True)
    if digest != shown.digest:
        raise Conflict(
            _("Er is iets veranderd sinds u de pagina opende. Bekijk wat er nu vrijkomt en beslis opnieuw."),
            user_message=True,
        )
    return shown


def _title(dialogue: Dialogue) -> str:
    return f"({dialogue.title})"


def decide(
    session: Session, principal: Principal, dialogue: Dialogue, *, digest: str, decision: str, note: str = ""
) -> None:
    """A required municipality's reviewer approves, or objects with a note, to exactly what was shown."""
    authorize(principal, Action.sign_off)
    _current(session, dialogue, digest)
    signoff.decide(
        session,
        principal,
        subject_type=SUBJECT,
        subject_id=id_of(dialogue),
        dialogue=dialogue,
        digest=digest,
        decision=decision,
        note=note,
        title=_title(dialogue),
    )


def override(session: Session, principal: Principal, dialogue: Dialogue, *, digest: str, reason: str) -> None:
    """SDFL releases without every approval: the written reason is recorded (audit trail, check page)."""
    authorize(principal, Action.override_signoff)
    _current(session, dialogue, digest)
    signoff.override(
        session,
        principal,
        subject_type=SUBJECT,
        subject_id=id_of(dialogue),
        digest=digest,
        reason=reason,
        title=_title(dialogue),
    )


def ask(session: Session, principal: Principal, dialogue: Dialogue) -> int:
    """SDFL asks the required municipalities to check the release: one mail per reviewer; how many."""
    authorize(principal, Action.manage)
    shown = content(session, dialogue)
    if shown.empty:
        raise Conflict(_("Er zijn geen conceptantwoorden of beoordelingen om vrij te geven."), user_message=True)
    sent = signoff.ask_for_signoff(
        session,
        dialogue,
        subject_type=SUBJECT,
        title=_title(dialogue),
        link=f"/review/release/check?dialogue={dialogue.slug}",
        release_at=None,
    )
    record(
        session,
        action="signoff.requested",
        entity_type=SUBJECT,
        entity_id=dialogue.id,
        actor=principal.user,
        summary=f"Akkoord gevraagd op de officiële reacties en besluiten {_title(dialogue)} ({sent} e-mails)",
        after={"digest": shown.digest, "mails": sent},
    )
    return sent


def release(
    session: Session,
    principal: Principal,
    at: datetime | None,
    *,
    dialogue: Dialogue,
    ip: str | None = None,
    digest: str | None = None,
) -> Pending:
    """Release every drafted official reply and every pending decision of the trajectory at ``at`` (now by
    default), together; refused (409, naming them) until every required municipality approved exactly this, or
    an admin overrode with a reason. ``digest`` (the API): refused (409) unless it is the digest of what would go
    out now (what the caller checked)."""
    authorize(principal, Action.triage)
    now = clock.now()
    moment = at or now
    if moment < now - timedelta(minutes=1):
        raise invalid({"release_at": _("Kies nu of een moment in de toekomst.")})
    # A moment a few seconds ago counts as now: the change feed (app.feedback.feed) must not get a moment behind
    # what a reader may already have synced.
    moment = max(moment, now)
    shown = content(session, dialogue) if digest is None else _current(session, dialogue, digest)
    if shown.empty:
        raise Conflict(_("Er zijn geen conceptantwoorden of beoordelingen om vrij te geven."), user_message=True)
    cleared = signoff.require_cleared(session, SUBJECT, id_of(dialogue), dialogue, shown.digest)
    replies = [r.reply for r in shown.replies]
    decided = [d.comment for d in shown.decisions]
    links = [a.link for a in shown.agenda]
    parents = _parents(session, replies)
    for reply in replies:
        reply.release_at = moment
        session.add(reply)
        if (parent := parents.get(reply.parent_id or 0)) is not None:
            feed.reply_released(parent, moment, now)
            session.add(parent)
    for comment in decided:
        comment.status_release_at = moment
        session.add(comment)
    for link in links:  # "op de agenda van sessie N" is shown from the same moment
        link.released_at = moment
        session.add(link)
    record(
        session,
        action="review.released",
        entity_type="review",
        entity_id=dialogue.id,
        actor=principal.user,
        summary=f"{len(replies)} antwoorden en {len(decided)} beoordelingen vrijgegeven per {moment.isoformat()}"
        f" ({dialogue.title})",
        after={
            "release_at": moment.isoformat(),
            "dialogue_id": dialogue.id,
            "replies": [r.id for r in replies],
            "decisions": [c.id for c in decided],
            "agenda": [link.comment_id for link in links],
            "digest": shown.digest,
            "signoff": "overridden" if cleared.override is not None and not cleared.approved else "approved",
        },
        ip=ip,
    )
    _notify_authors(session, shown, moment, actor_id=principal.user.id if principal.user else None)
    events.comments_answered(session, id_of(dialogue), [r.parent_id for r in replies] + [c.id for c in decided], moment)
    return Pending(replies=len(replies), decisions=len(decided), moment=moment)


def _parents(session: Session, replies: list[Comment]) -> dict[int, Comment]:
    """The comments ``replies`` answer, by id (one query)."""
    ids = sorted({r.parent_id for r in replies if r.parent_id})
    if not ids:
        return {}
    return {id_of(c): c for c in session.exec(select(Comment).where(col(Comment.id).in_(ids))).all()}


def _notify_authors(session: Session, shown: ReleaseContent, moment: datetime, *, actor_id: int | None) -> None:
    """Each author whose comments got an answer or a decision hears of it once, at the release's moment, in one
    notification listing them (``app.notifications``; key: the release's digest)."""
    parent_ids = sorted({r.parent_id for r in shown.replies if r.parent_id})
    parents = (
        {c.id: c for c in session.exec(select(Comment).where(col(Comment.id).in_(parent_ids))).all()}
        if parent_ids
        else {}
    )
    items = [
        notifications.ReleasedItem(
            author_id=parent.author_id, comment_id=id_of(parent), proposal=r.proposal, heading=r.heading
        )
        for r in shown.replies
        if (parent := parents.get(r.parent_id)) is not None
    ] + [
        notifications.ReleasedItem(
            author_id=d.comment.author_id,
            comment_id=id_of(d.comment),
            proposal=d.proposal,
            heading=d.heading,
            status_label=STATUS_LABELS.get(d.comment.status, d.comment.status),
        )
        for d in shown.decisions
    ]
    notifications.replies_released(
        session, shown.dialogue, items, moment=moment, key=shown.digest[:32], actor_id=actor_id
    )
