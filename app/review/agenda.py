"""Feedback onto a meeting's agenda (admins): the meetings to choose from, and putting comments on an item."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlmodel import Session, col, select

from app.audit.service import record
from app.feedback.triage import apply_status, selection
from app.kit import clock
from app.kit.errors import Conflict, invalid
from app.kit.i18n import gettext as _
from app.models import (
    MAX_ID,
    AgendaItem,
    AgendaItemComment,
    Comment,
    CommentStatus,
    DialogueSession,
    Proposal,
    ProposalVersion,
    Section,
    SessionStatus,
)
from app.policy import Action, Principal, authorize


def agenda_choices(session: Session) -> list[tuple[DialogueSession, list[AgendaItem]]]:
    """Sessions still to be held, each with its agenda."""
    sessions = list(
        session.exec(
            select(DialogueSession)
            .where(DialogueSession.status == SessionStatus.planned)
            .order_by(col(DialogueSession.starts_at), col(DialogueSession.id))
        ).all()
    )
    items: dict[int, list[AgendaItem]] = defaultdict(list)
    if sessions:
        for item in session.exec(
            select(AgendaItem)
            .where(col(AgendaItem.session_id).in_([s.id for s in sessions]))
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        ).all():
            items[item.session_id].append(item)
    return [(s, items.get(s.id or 0, [])) for s in sessions]


def put_on_agenda(
    session: Session,
    principal: Principal,
    comment_ids: list[int],
    *,
    agenda_item_id: int | None = None,
    session_id: int | None = None,
    title: str = "",
    ip: str | None = None,
) -> AgendaItem:
    """Link the comments to an agenda item (an existing one, or a new one at the end of a session's programme)
    and give them the status "bespreken in sessie"."""
    authorize(principal, Action.triage)
    assert principal.user is not None
    comments = selection(session, comment_ids)
    item: AgendaItem | None = None
    if agenda_item_id is not None:
        item, meeting = _existing_item(session, agenda_item_id)
    else:
        meeting = _meeting_for_new_item(session, session_id, (title or "").strip())
    if meeting is None or meeting.status != SessionStatus.planned:
        raise Conflict(_("Deze sessie is al gehouden of afgelast: kies een geplande sessie."), user_message=True)
    _same_trajectory(session, meeting, comments)
    if item is None:
        item = _new_item(session, principal, meeting, (title or "").strip(), comments[0], ip=ip)
    _link(session, principal, item, meeting, comments, ip=ip)
    return item


def _same_trajectory(session: Session, meeting: DialogueSession, comments: list[Comment]) -> None:
    """Feedback goes only on the agenda of a meeting of its own trajectory (nothing crosses trajectories): 422."""
    trajectories = set(
        session.exec(
            select(Proposal.dialogue_id)
            .join(ProposalVersion, col(ProposalVersion.proposal_id) == Proposal.id)
            .join(Section, col(Section.version_id) == ProposalVersion.id)
            .where(col(Section.id).in_({c.section_id for c in comments}))
        ).all()
    )
    if trajectories - {meeting.dialogue_id}:
        message = _("Kies een sessie van het traject van de reacties: reacties gaan niet naar een ander traject.")
        raise invalid({"agenda_item_id": message})


def _existing_item(session: Session, agenda_item_id: int) -> tuple[AgendaItem, DialogueSession | None]:
    item = session.get(AgendaItem, agenda_item_id) if 0 < agenda_item_id <= MAX_ID else None
    if item is None:
        raise invalid({"agenda_item_id": _("Dit agendapunt bestaat niet.")})
    return item, session.get(DialogueSession, item.session_id)


def _meeting_for_new_item(session: Session, session_id: int | None, title: str) -> DialogueSession:
    """The meeting a new agenda item titled ``title`` goes to; 422 without a meeting or a good title."""
    meeting = session.get(DialogueSession, session_id) if session_id and 0 < session_id <= MAX_ID else None
    errors = {}
    if meeting is None:
        errors["agenda_item_id"] = _("Kies een agendapunt, of een sessie en een titel voor een nieuw agendapunt.")
    if not title:
        errors["title"] = _("Geef het nieuwe agendapunt een titel.")
    elif len(title) > 200:
        errors["title"] = _("De titel is te lang: maximaal 200 tekens.")
    if errors:
        raise invalid(errors)
    assert meeting is not None
    return meeting


def _new_item(
    session: Session, principal: Principal, meeting: DialogueSession, title: str, first: Comment, *, ip: str | None
) -> AgendaItem:
    """A new agenda item at the end of ``meeting``'s programme (half an hour, within the meeting)."""
    last = session.exec(
        select(AgendaItem).where(AgendaItem.session_id == meeting.id).order_by(col(AgendaItem.position).desc())
    ).first()
    starts = min(last.ends_at if last else meeting.starts_at, meeting.ends_at)
    item = AgendaItem(
        session_id=meeting.id or 0,
        position=(last.position + 1) if last else 1,
        starts_at=starts,
        ends_at=min(starts + timedelta(minutes=30), meeting.ends_at),
        title=title,
        description=_("Naar aanleiding van de reacties op de voorstellen."),
        proposal_id=_proposal_of(session, first),
    )
    session.add(item)
    session.flush()
    record(
        session,
        action="agenda_item.created",
        entity_type="agenda_item",
        entity_id=item.id,
        actor=principal.user,
        summary=f"Sessie {meeting.number}: {title} (uit reacties)",
        ip=ip,
    )
    return item


def _link(
    session: Session,
    principal: Principal,
    item: AgendaItem,
    meeting: DialogueSession,
    comments: list[Comment],
    *,
    ip: str | None,
) -> None:
    """Link ``comments`` to ``item`` (once each) and give them the status "bespreken in sessie"."""
    linked = set(
        session.exec(
            select(AgendaItemComment.comment_id).where(
                AgendaItemComment.agenda_item_id == item.id,
                col(AgendaItemComment.comment_id).in_([c.id for c in comments]),
            )
        ).all()
    )
    now = clock.now()
    for comment in comments:
        if comment.id not in linked:
            session.add(AgendaItemComment(agenda_item_id=item.id or 0, comment_id=comment.id or 0))
        before = comment.status
        apply_status(session, comment, CommentStatus.bespreken_in_sessie, now)
        record(
            session,
            action="comment.put_on_agenda",
            entity_type="comment",
            entity_id=comment.id,
            actor=principal.user,
            summary=f"Sessie {meeting.number}: {item.title}",
            before={"status": before},
            after={"status": comment.status, "agenda_item_id": item.id},
            ip=ip,
        )


def _proposal_of(session: Session, comment: Comment) -> int | None:
    return session.exec(
        select(ProposalVersion.proposal_id)
        .join(Section, col(Section.version_id) == ProposalVersion.id)
        .where(Section.id == comment.section_id)
    ).first()
