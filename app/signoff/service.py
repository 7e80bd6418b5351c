"""Sign-off: the municipalities decide, SDFL executes.

Before SDFL releases official replies and decisions, a nota van inlichtingen or a release package, each
municipality a trajectory requires (``required``; by default every municipality in the procurement) approves or
objects to exactly what will go out. What will go out is summed up by the subject's owner as a ``digest`` (see
``digest_of``): an approval counts only for the content it was given for, so any change afterwards withdraws it.
The release is blocked until every required municipality approved the current content (``status().cleared``);
an admin may override with a written reason, recorded in the audit trail and shown on the check page.

This module knows no subject: the domains that release (app.questions, app.releases, app.feedback) compute the
digest and list the items, and ask ``status`` / ``require_cleared`` before they release.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from app.audit.service import record
from app.kit import clock
from app.kit.errors import Conflict, Forbidden, invalid
from app.kit.i18n import fmt_datetime
from app.mail.service import queue_mail
from app.models import (
    Approval,
    Dialogue,
    Municipality,
    SignoffDecision,
    SignoffMunicipality,
    SignoffOverride,
    SignoffSubject,
    User,
    id_of,
)
from app.policy import ROLES, Action, Principal, authorize

SUBJECT_LABELS: dict[str, str] = {
    SignoffSubject.nota: "nota van inlichtingen",
    SignoffSubject.package: "vrijgavepakket",
    SignoffSubject.replies: "officiële reacties en besluiten",
}
MAX_NOTE = 5_000
MIN_REASON = 10  # an override's reason says why, in a sentence


def digest_of(content: Any) -> str:
    """A SHA-256 over ``content`` (JSON-serialisable: the ids, texts and moments that will go out)."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def required(session: Session, dialogue: Dialogue) -> list[Municipality]:
    """The municipalities that must approve this trajectory's releases, by name."""
    if dialogue.signoff_chosen:
        stmt = select(Municipality).join(
            SignoffMunicipality,
            (col(SignoffMunicipality.municipality_id) == Municipality.id)
            & (col(SignoffMunicipality.dialogue_id) == dialogue.id),
        )
    else:
        stmt = select(Municipality).where(
            col(Municipality.in_procurement).is_(True), col(Municipality.archived_at).is_(None)
        )
    return list(session.exec(stmt.order_by(Municipality.name)).all())


def set_required(
    session: Session, principal: Principal, dialogue: Dialogue, municipality_ids: Iterable[int], *, actor: User
) -> list[Municipality]:
    """SDFL chooses which municipalities must approve (possibly none)."""
    authorize(principal, Action.manage)
    wanted = sorted(set(municipality_ids))
    found = session.exec(select(Municipality).where(col(Municipality.id).in_(wanted))).all() if wanted else []
    if len(found) != len(wanted):
        raise invalid({"municipality_id": "Een gekozen gemeente bestaat niet."})
    before = [m.name for m in required(session, dialogue)]
    session.exec(delete(SignoffMunicipality).where(col(SignoffMunicipality.dialogue_id) == dialogue.id))
    session.add_all(SignoffMunicipality(dialogue_id=id_of(dialogue), municipality_id=m) for m in wanted)
    dialogue.signoff_chosen = True
    dialogue.updated_at = clock.now()
    session.add(dialogue)
    session.flush()
    after = required(session, dialogue)
    record(
        session,
        action="signoff.required_changed",
        entity_type="dialogue",
        entity_id=dialogue.id,
        actor=actor,
        summary=f"Akkoord vereist van: {', '.join(m.name for m in after) or 'geen gemeente'}",
        before={"municipalities": before},
        after={"municipalities": [m.name for m in after]},
    )
    return after


@dataclass
class Standing:
    """One required municipality's decision on the subject (None: none yet)."""

    municipality: Municipality
    approval: Approval | None = None
    by: User | None = None
    current: bool = False  # given for the content as it is now (a change since withdraws it)

    @property
    def decision(self) -> str | None:
        return self.approval.decision if self.approval and self.current else None

    @property
    def approved(self) -> bool:
        return self.decision == SignoffDecision.approve


@dataclass
class Signoff:
    subject_type: str
    subject_id: int
    digest: str
    standings: list[Standing] = field(default_factory=list)
    override: SignoffOverride | None = None  # an admin's override for the current content
    override_by: User | None = None
    history: list[tuple[Approval, User | None, Municipality | None]] = field(default_factory=list)

    @property
    def missing(self) -> list[Municipality]:
        """Required municipalities that have not approved the current content."""
        return [s.municipality for s in self.standings if not s.approved]

    @property
    def approved(self) -> bool:
        return not self.missing

    @property
    def cleared(self) -> bool:
        """May go out: every required municipality approved, or an admin overrode for this content."""
        return self.approved or self.override is not None


def status(session: Session, subject_type: str, subject_id: int, dialogue: Dialogue, digest: str) -> Signoff:
    """Where the sign-off of the subject stands for the content ``digest`` (three queries, whatever its size)."""
    municipalities = required(session, dialogue)
    approvals = session.exec(
        select(Approval)
        .where(Approval.subject_type == subject_type, Approval.subject_id == subject_id)
        .order_by(col(Approval.created_at).desc(), col(Approval.id).desc())
    ).all()
    overrides = session.exec(
        select(SignoffOverride)
        .where(
            SignoffOverride.subject_type == subject_type,
            SignoffOverride.subject_id == subject_id,
            SignoffOverride.digest == digest,
        )
        .order_by(col(SignoffOverride.created_at).desc(), col(SignoffOverride.id).desc())
    ).all()
    user_ids = {a.user_id for a in approvals} | {o.user_id for o in overrides}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(user_ids))).all()} if user_ids else {}
    by_id = {m.id: m for m in municipalities}
    newest: dict[int, Approval] = {}
    for approval in approvals:
        newest.setdefault(approval.municipality_id, approval)
    standings = [
        Standing(
            municipality=m,
            approval=newest.get(id_of(m)),
            by=users.get(newest[id_of(m)].user_id) if id_of(m) in newest else None,
            current=id_of(m) in newest and newest[id_of(m)].digest == digest,
        )
        for m in municipalities
    ]
    override = overrides[0] if overrides else None
    return Signoff(
        subject_type=subject_type,
        subject_id=subject_id,
        digest=digest,
        standings=standings,
        override=override,
        override_by=users.get(override.user_id) if override else None,
        history=[(a, users.get(a.user_id), by_id.get(a.municipality_id)) for a in approvals],
    )


def decide(
    session: Session,
    principal: Principal,
    *,
    subject_type: str,
    subject_id: int,
    dialogue: Dialogue,
    digest: str,
    decision: str,
    note: str = "",
    title: str = "",
) -> Approval:
    """A municipality's reviewer approves or objects (with a note) for their municipality, for the content
    ``digest`` they were shown. An objection needs a note saying what should change."""
    authorize(principal, Action.sign_off)
    user = principal.user
    assert user is not None
    note = (note or "").strip()
    if decision not in set(SignoffDecision):
        raise invalid({"decision": "Kies akkoord of bezwaar."})
    if decision == SignoffDecision.object and not note:
        raise invalid({"note": "Schrijf bij een bezwaar wat er anders moet."})
    if len(note) > MAX_NOTE:
        raise invalid({"note": f"Houd de toelichting onder {MAX_NOTE} tekens."})
    if user.municipality_id not in {m.id for m in required(session, dialogue)}:
        raise Forbidden("Your municipality's approval is not required for this trajectory.")
    approval = Approval(
        subject_type=subject_type,
        subject_id=subject_id,
        municipality_id=user.municipality_id or 0,
        user_id=id_of(user),
        decision=decision,
        note=note,
        digest=digest,
        created_at=clock.now(),
    )
    session.add(approval)
    session.flush()
    word = "akkoord" if decision == SignoffDecision.approve else "bezwaar"
    record(
        session,
        action=f"signoff.{decision}",
        entity_type=subject_type,
        entity_id=subject_id,
        actor=user,
        summary=f"{word.capitalize()} op {SUBJECT_LABELS.get(subject_type, subject_type)} {title}".strip()
        + (f": {note}" if note else ""),
        after={"decision": decision, "note": note, "digest": digest, "municipality_id": user.municipality_id},
    )
    return approval


def override(
    session: Session,
    principal: Principal,
    *,
    subject_type: str,
    subject_id: int,
    digest: str,
    reason: str,
    title: str = "",
) -> SignoffOverride:
    """An admin releases without every approval: the written reason is kept and shown in the audit trail."""
    authorize(principal, Action.override_signoff)
    user = principal.user
    assert user is not None
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise invalid({"reason": "Schrijf op waarom u vrijgeeft zonder akkoord van alle gemeenten."})
    if len(reason) > MAX_NOTE:
        raise invalid({"reason": f"Houd de reden onder {MAX_NOTE} tekens."})
    row = SignoffOverride(
        subject_type=subject_type,
        subject_id=subject_id,
        user_id=id_of(user),
        reason=reason,
        digest=digest,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    record(
        session,
        action="signoff.overridden",
        entity_type=subject_type,
        entity_id=subject_id,
        actor=user,
        summary=f"Vrijgegeven zonder akkoord van alle gemeenten ({SUBJECT_LABELS.get(subject_type, subject_type)}"
        f"{' ' + title if title else ''}): {reason}",
        after={"reason": reason, "digest": digest},
    )
    return row


def require_cleared(session: Session, subject_type: str, subject_id: int, dialogue: Dialogue, digest: str) -> Signoff:
    """The sign-off, or a 409 naming the municipalities whose approval of the current content is missing."""
    signoff = status(session, subject_type, subject_id, dialogue, digest)
    if not signoff.cleared:
        names = ", ".join(m.name for m in signoff.missing)
        raise Conflict(
            f"Nog geen akkoord van: {names}. Vraag de gemeenten om akkoord, of geef vrij met een reden.",
            user_message=True,
        )
    return signoff


def reviewers(session: Session, dialogue: Dialogue) -> list[User]:
    """The active users of the required municipalities (they are asked to check)."""
    ids = [m.id for m in required(session, dialogue)]
    if not ids:
        return []
    return list(
        session.exec(
            select(User).where(col(User.municipality_id).in_(ids), col(User.active).is_(True)).order_by(User.email)
        ).all()
    )


def releasers(session: Session) -> list[User]:
    """The active users who may release or reschedule (told by mail when a release is blocked)."""
    return list(
        session.exec(
            select(User)
            .where(col(User.role).in_(ROLES[Action.manage]), col(User.active).is_(True))
            .order_by(col(User.email))
        ).all()
    )


def ask_for_signoff(
    session: Session, dialogue: Dialogue, *, subject_type: str, title: str, link: str, release_at: datetime | None
) -> int:
    """Mail the required municipalities' reviewers that something waits for their check; how many mails."""
    sent = 0
    for user in reviewers(session, dialogue):
        queue_mail(
            session,
            to=user.email,
            template="signoff_request",
            context={
                "user_name": user.name or user.email,
                "what": SUBJECT_LABELS.get(subject_type, subject_type),
                "title": title,
                "dialogue_title": dialogue.title,
                "link": link,
                "release_at": fmt_datetime(release_at) if release_at else "",
            },
        )
        sent += 1
    return sent
