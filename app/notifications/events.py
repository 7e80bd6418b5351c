"""The kinds of notification, as the domains report them. Each function makes the notifications of one event
(``service.notify``: once per user, kind and key) in its cause's transaction; the mails follow each user's choice.

Who calls what:
- ``replies_released``: ``app.feedback.release.release`` (SDFL's answers and decisions on my comments);
- ``notify_published``: a report or recording (``app.meetings.manage.save_report``; the recordings' own publishing
  calls it too) and a nota (``app.questions.notas.release_nota``): the trajectory's members, and for reports and
  recordings its followers by mail (``app.dialogues.following``);
- ``subgroups_changed``: ``app.meetings.manage`` (the division of an agenda item, an agenda item's times);
- ``question_answered``, ``package_released``: ``app.questions.notas``, ``app.releases.service``;
- ``remind_closing_windows``: a scheduled task (``app.cli.SCHEDULED_TASKS``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.accounts.notification_settings import Kind
from app.config import get_settings
from app.dialogues.following import notify_followers
from app.dialogues.participants import accepted_contacts, members
from app.kit import clock
from app.kit.i18n import fmt_datetime
from app.kit.i18n import gettext as _
from app.models import (
    AgendaItem,
    Comment,
    Dialogue,
    DialogueSession,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    Section,
    SectionKind,
    SubgroupAssignment,
    User,
    VersionStatus,
    id_of,
)
from app.notifications.service import Line, Message, in_locale, notify, text, told


def _fingerprint(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:24]


# --- answers and decisions released on my comments -------------------------------------------------------


@dataclass(frozen=True)
class ReleasedItem:
    """One of the released things, on the comment of ``author_id``: an official reply, or a decision."""

    author_id: int
    comment_id: int  # the author's comment (the link goes there)
    proposal: str
    heading: str
    status_label: str | None = None  # a decision: its label (Dutch source text, translated per reader)


def replies_released(
    db: Session, dialogue: Dialogue, items: Sequence[ReleasedItem], *, moment: datetime, key: str, actor_id: int | None
) -> int:
    """One notification per author whose comments got an answer or a decision in this release, listing them; at
    the release's moment. Returns how many were made."""
    by_author: dict[int, list[ReleasedItem]] = {}
    for item in items:
        if item.author_id != actor_id:
            by_author.setdefault(item.author_id, []).append(item)
    made = 0
    for author_id, own in sorted(by_author.items()):
        user = db.get(User, author_id)
        if user is None:
            continue
        locale = user.locale
        lines = []
        seen: set[tuple[int, str | None]] = set()
        with in_locale(locale):
            for item in own:
                if (item.comment_id, item.status_label) in seen:
                    continue
                seen.add((item.comment_id, item.status_label))
                where = f"{item.proposal}, {item.heading}"
                if item.status_label:
                    line = text(locale, "Beoordeling: {s} ({w})", "Decision: {s} ({w})")
                    line = line.format(s=_(item.status_label), w=where)
                else:
                    line = text(locale, "Antwoord van SDFL ({w})", "Answer from SDFL ({w})").format(w=where)
                lines.append(Line(line, f"/comments/{item.comment_id}"))
        message = Message(
            title=text(
                locale,
                f"Antwoorden en besluiten op uw reacties: {dialogue.title}",
                f"Answers and decisions on your comments: {dialogue.title}",
            ),
            intro=text(
                locale,
                "Sociaal Domein Flevoland heeft antwoorden en besluiten op uw reacties vrijgegeven, voor alle "
                "deelnemers tegelijk:",
                "Sociaal Domein Flevoland has released answers and decisions on your comments, to every participant "
                "at the same moment:",
            ),
            path=f"/comments/{own[0].comment_id}",
            lines=lines,
        )
        made += notify(
            db, user, Kind.replies_released, f"release:{dialogue.id}:{key}", message,
            dialogue_id=dialogue.id, due_at=moment,
        )  # fmt: skip
    return made


# --- report, recording or nota published ----------------------------------------------------------------

PUBLISHED_WORDS: dict[str, tuple[str, str]] = {
    "report": ("Verslag gepubliceerd", "Report published"),
    "recording": ("Opname gepubliceerd", "Recording published"),
    "nota": ("Nota van inlichtingen gepubliceerd", "Nota van inlichtingen published"),
}


def notify_published(
    db: Session,
    dialogue_id: int,
    kind: str,
    title: str,
    path: str,
    *,
    key: str,
    exclude_user_ids: Sequence[int] = (),
    followers: bool | None = None,
    audience_members_only: bool = False,
) -> int:
    """A report, recording or nota (``kind``) titled ``title`` is published at ``path``: tell the trajectory's
    members (each by their choice; once per ``key``, e.g. "report:12") and, for a report or a recording (unless
    ``followers`` is False, or ``audience_members_only``: a recording for participants only), its followers by
    mail. Returns how many members were told."""
    dialogue = db.get(Dialogue, dialogue_id)
    if dialogue is None or kind not in PUBLISHED_WORDS:
        return 0
    if followers is None:
        followers = kind in ("report", "recording") and not audience_members_only
    if followers:
        notify_followers(db, dialogue_id, kind, title, path)
    excluded = set(exclude_user_ids)
    made = 0
    nl, en = PUBLISHED_WORDS[kind]
    for user in members(db, dialogue_id):
        if user.id in excluded:
            continue
        locale = user.locale
        message = Message(
            title=f"{text(locale, nl, en)}: {title}",
            intro=text(
                locale,
                f"In het traject {dialogue.title} is gepubliceerd:",
                f"Published in the trajectory {dialogue.title}:",
            ),
            path=path,
            lines=[Line(title, path)],
        )
        made += notify(db, user, Kind.published, f"{kind}:{key}", message, dialogue_id=dialogue_id)
    return made


# --- subgroups ------------------------------------------------------------------------------------------


def _provider_subgroups(db: Session, meeting: DialogueSession, provider_id: int) -> list[tuple[AgendaItem, str]]:
    return [
        (item, name)
        for item, name in db.exec(
            select(AgendaItem, SubgroupAssignment.subgroup)
            .join(SubgroupAssignment, col(SubgroupAssignment.agenda_item_id) == AgendaItem.id)
            .where(AgendaItem.session_id == meeting.id, SubgroupAssignment.provider_id == provider_id)
            .order_by(col(AgendaItem.starts_at), col(AgendaItem.position), col(AgendaItem.id))
        ).all()
    ]


def subgroups_changed(
    db: Session,
    meeting: DialogueSession,
    dialogue: Dialogue,
    provider_ids: Sequence[int],
    *,
    calendar: Any = None,
) -> int:
    """The subgroups of these providers in ``meeting`` were set or changed (or the times of an agenda item in
    subgroups): each contact of each provider is told their organisation's division now (once per division: the
    key is taken over what it says). ``calendar(user) -> bytes``: the session's iCalendar update to attach
    where times changed. Returns how many were made."""
    made = 0
    for provider_id in sorted(set(provider_ids)):
        division = _provider_subgroups(db, meeting, provider_id)
        state = [[i.id, i.starts_at.isoformat(), i.ends_at.isoformat(), name] for i, name in division]
        # What it says, and when: the same division saved twice at one moment is told once; a change back later
        # is a change of its own.
        key = f"subgroups:{meeting.id}:{provider_id}:{_fingerprint(state)}:{clock.now().isoformat()}"
        for user in accepted_contacts(db, id_of(dialogue), provider_id):
            locale = user.locale
            with in_locale(locale):
                when = fmt_datetime(meeting.starts_at, "EEEE d MMMM y")
                lines = [
                    Line(
                        f"{fmt_datetime(i.starts_at, 'HH:mm')}–{fmt_datetime(i.ends_at, 'HH:mm')} {i.title}: "
                        + text(locale, f"subgroep {name}", f"subgroup {name}")
                    )
                    for i, name in division
                ] or [
                    Line(
                        text(
                            locale,
                            "Uw organisatie is in geen subgroep ingedeeld.",
                            "Your organisation is in no subgroup.",
                        )
                    )
                ]
            message = Message(
                title=text(
                    locale,
                    f"Indeling in subgroepen voor sessie {meeting.number}: {meeting.title}",
                    f"Subgroups for session {meeting.number}: {meeting.title}",
                ),
                intro=text(
                    locale,
                    f"De indeling van uw organisatie in subgroepen voor sessie {meeting.number} ({when}) is "
                    "vastgesteld of gewijzigd:",
                    f"The subgroups of your organisation for session {meeting.number} ({when}) have been set or "
                    "changed:",
                ),
                path=f"/sessions/{meeting.id}",
                lines=lines,
                attachments=(
                    [
                        {
                            "filename": f"dialoogsessie-{meeting.number}.ics",
                            "content": calendar(user),
                            "content_type": "text/calendar; method=REQUEST; charset=utf-8",
                        }
                    ]
                    if calendar is not None
                    else None
                ),
            )
            made += notify(db, user, Kind.subgroups, key, message, dialogue_id=dialogue.id)
    return made


# --- my question answered; a release package released ---------------------------------------------------


def question_answered(
    db: Session, user: User, dialogue: Dialogue, *, nota_id: int, nota_number: int, nota_title: str, path: str
) -> bool:
    locale = user.locale
    message = Message(
        title=text(
            locale,
            f"Uw vraag is beantwoord in nota van inlichtingen {nota_number}",
            f"Your question has been answered in nota van inlichtingen {nota_number}",
        ),
        intro=text(
            locale,
            f"Sociaal Domein Flevoland heeft nota van inlichtingen {nota_number} ({nota_title}) van het traject "
            f"{dialogue.title} vrijgegeven. Uw vraag is daarin beantwoord, neutraal geformuleerd en zonder uw naam.",
            f"Sociaal Domein Flevoland has released nota van inlichtingen {nota_number} ({nota_title}) of the "
            f"trajectory {dialogue.title}. Your question is answered in it, worded neutrally and without your name.",
        ),
        path=path,
        lines=[Line(f"{nota_number}. {nota_title}", path)],
        template="question_answered",
        context={
            "user_name": user.name or user.email,
            "dialogue_title": dialogue.title,
            "nota_number": nota_number,
            "nota_title": nota_title,
            "link": path,
        },
    )
    return notify(db, user, Kind.question_answered, f"nota:{nota_id}", message, dialogue_id=dialogue.id)


def package_released(
    db: Session,
    user: User,
    dialogue: Dialogue,
    *,
    package_id: int,
    package_title: str,
    lines: Sequence[str],
    context: dict[str, Any],
) -> bool:
    """A release package went out (required: at once or in the digest, never off)."""
    locale = user.locale
    path = f"/dialogues/{dialogue.slug}"
    message = Message(
        title=text(
            locale, f"Vrijgegeven: {package_title} ({dialogue.title})", f"Released: {package_title} ({dialogue.title})"
        ),
        intro=text(
            locale,
            "Sociaal Domein Flevoland heeft voor alle deelnemers tegelijk vrijgegeven:",
            "Sociaal Domein Flevoland has released to every participant at the same moment:",
        ),
        path=path,
        lines=[Line(line) for line in lines],
        template="package_released",
        context={**context, "user_name": user.name or user.email},
    )
    return notify(db, user, Kind.package_released, f"package:{package_id}", message, dialogue_id=dialogue.id)


# --- the comment window closes soon ---------------------------------------------------------------------


def remind_closing_windows(session: Session) -> int:
    """A scheduled task: for every published proposal whose comment window closes within
    ``comment_window_reminder_days`` (3), each member of its trajectory who has not commented on every section
    marked as a question of its current version is reminded, once per person per version. Returns how many
    reminders were made."""
    now = clock.now()
    horizon = now + timedelta(days=get_settings().comment_window_reminder_days)
    proposals = session.exec(
        select(Proposal)
        .where(
            Proposal.status == ProposalStatus.published,
            col(Proposal.opens_at) <= now,
            col(Proposal.closes_at) > now,
            col(Proposal.closes_at) <= horizon,
        )
        .order_by(col(Proposal.id))
    ).all()
    made = 0
    for proposal in proposals:
        version = session.exec(
            select(ProposalVersion)
            .where(ProposalVersion.proposal_id == proposal.id, ProposalVersion.status == VersionStatus.published)
            .order_by(col(ProposalVersion.number).desc())
        ).first()
        if version is None:
            continue
        questions = session.exec(
            select(Section)
            .where(Section.version_id == version.id, Section.kind == SectionKind.question)
            .order_by(col(Section.position), col(Section.id))
        ).all()
        if not questions:
            continue
        answered: dict[int, set[int]] = {}
        for author_id, section_id in session.exec(
            select(Comment.author_id, Comment.section_id).where(
                col(Comment.section_id).in_([id_of(s) for s in questions]),
                col(Comment.parent_id).is_(None),
                col(Comment.deleted_at).is_(None),
            )
        ).all():
            answered.setdefault(author_id, set()).add(section_id)
        dialogue = session.get(Dialogue, proposal.dialogue_id)
        assert dialogue is not None and proposal.closes_at is not None
        key = f"version:{version.id}"
        reminded = told(session, Kind.window_closing, key)
        for user in members(session, proposal.dialogue_id):
            if user.id in reminded:
                continue
            open_questions = [s for s in questions if s.id not in answered.get(id_of(user), set())]
            if not open_questions:
                continue
            locale = user.locale
            with in_locale(locale):
                closes = fmt_datetime(proposal.closes_at)
            message = Message(
                title=text(
                    locale,
                    f"Reactietermijn sluit op {closes}: {proposal.title}",
                    f"Comment window closes on {closes}: {proposal.title}",
                ),
                intro=text(
                    locale,
                    "U hebt deze vragen in het voorstel nog niet beantwoord:",
                    "You have not yet answered these questions in the proposal:",
                ),
                path=f"/proposals/{proposal.id}",
                lines=[Line(s.heading, f"/proposals/{proposal.id}/sections/{s.key}") for s in open_questions],
            )
            made += notify(session, user, Kind.window_closing, key, message, dialogue_id=dialogue.id)
    return made
