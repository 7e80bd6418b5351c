"""Taking part in a consultation: the public request, confirming the address, SDFL's decision, adding someone
directly and ending a participation.

A request is a ``Participation`` with the person's details; its confirmation token is stored only as its
SHA-256 hash. Approval makes (or finds) the person's user: an existing user with that address is linked (a
provider's user keeps its role and provider), anyone else becomes a user of role ``participant`` with the
stakeholder group, organisation and pseudonym of the request, and gets a link to set a password. Access then
follows the participation (``app.policy``: approved counts as accepted), read with every sign-in.

Answers of the public form never say whether an address is known: a second request with the same address
gets the same answer (and, while unconfirmed, a new confirmation link).
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import ratelimit
from app.accounts.service import UserInput, create_user, mail_link
from app.audit.service import record
from app.config import get_settings
from app.dialogues.following import check_email, dialogue_url, mail_locale, mail_template, token_hash
from app.dialogues.participants import GROUP_LABELS
from app.kit import clock
from app.kit.errors import N_, Conflict, NotFound, ValidationFailed, invalid
from app.kit.i18n import get_locale
from app.kit.i18n import gettext as _
from app.mail.service import queue_mail
from app.models import (
    Dialogue,
    DialogueKind,
    DialogueStatus,
    Participation,
    ParticipationStatus,
    StakeholderGroup,
    TokenPurpose,
    User,
    is_valid_id,
)
from app.policy import PARTICIPANT_ROLE, Action, Principal, authorize

ENTITY = "participation"
NAME_MAX = 200
ORGANISATION_MAX = 200
PSEUDONYM_MAX = 100
MOTIVATION_MAX = 2000
NOTE_MAX = 2000
TOKEN_MAX = 100
CONFIRM_TTL = timedelta(days=7)
# The public form: per client and per address (counted whether or not the address is known).
REQUEST_PER_CLIENT = ratelimit.Limit("participate:client", 10, timedelta(hours=1))
REQUEST_PER_EMAIL = ratelimit.Limit("participate:email", 3, timedelta(hours=1))
TOO_MANY = N_(
    "Er zijn al te veel aanmeldingen verstuurd voor dit e-mailadres of vanaf deze verbinding. Kijk in uw e-mail "
    "(ook bij ongewenste e-mail) of probeer het later opnieuw."
)
DECISIONS = ("approve", "refuse")
# What SDFL can decide on, per decision.
DECIDABLE = {
    "approve": (ParticipationStatus.requested, ParticipationStatus.refused, ParticipationStatus.withdrawn),
    "refuse": (ParticipationStatus.requested,),
}
STATUS_ORDER = (
    ParticipationStatus.requested,
    ParticipationStatus.approved,
    ParticipationStatus.unconfirmed,
    ParticipationStatus.refused,
    ParticipationStatus.withdrawn,
)


@dataclass
class ParticipationForm:
    """What the form (or SDFL adding someone) sends, as typed."""

    name: str = ""
    organisation: str = ""
    stakeholder_group: str = ""
    email: str = ""
    pseudonym: str = ""
    motivation: str = ""

    def values(self) -> dict[str, str]:
        return {
            "name": self.name,
            "organisation": self.organisation,
            "stakeholder_group": self.stakeholder_group,
            "email": self.email,
            "pseudonym": self.pseudonym,
            "motivation": self.motivation,
        }


@dataclass(frozen=True)
class _Clean:
    name: str
    organisation: str
    group: str
    email: str
    pseudonym: str | None
    motivation: str


def _line(value: str) -> str:
    """One line of text: whitespace (including line breaks) collapsed."""
    return " ".join((value or "").split())


def validate(form: ParticipationForm) -> _Clean:
    """The form's values cleaned, or ValidationFailed with a message next to every field that is wrong."""
    errors: dict[str, str] = {}
    name, organisation, pseudonym = _line(form.name), _line(form.organisation), _line(form.pseudonym)
    if not name:
        errors["name"] = _("Vul uw naam in.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("De naam is te lang: ten hoogste %(max)s tekens.", max=NAME_MAX)
    if len(organisation) > ORGANISATION_MAX:
        errors["organisation"] = _("De organisatie is te lang: ten hoogste %(max)s tekens.", max=ORGANISATION_MAX)
    group = form.stakeholder_group.strip()
    if group not in GROUP_LABELS:
        errors["stakeholder_group"] = _("Kies de groep waarvoor u meedoet.")
    email = ""
    try:
        email = check_email(form.email)
    except ValidationFailed as exc:
        errors["email"] = exc.errors[0]["message"]
    if pseudonym:
        if group != StakeholderGroup.experience_expert:
            errors["pseudonym"] = _("Alleen ervaringsdeskundigen kunnen onder een schuilnaam meedoen.")
        elif len(pseudonym) > PSEUDONYM_MAX:
            errors["pseudonym"] = _("De schuilnaam is te lang: ten hoogste %(max)s tekens.", max=PSEUDONYM_MAX)
        elif pseudonym.casefold() == name.casefold():
            errors["pseudonym"] = _("Kies een schuilnaam die anders is dan uw naam.")
    motivation = (form.motivation or "").strip().replace("\r\n", "\n")
    if len(motivation) > MOTIVATION_MAX:
        errors["motivation"] = _("De toelichting is te lang: ten hoogste %(max)s tekens.", max=MOTIVATION_MAX)
    if errors:
        raise invalid(errors)
    return _Clean(name, organisation, group, email, pseudonym or None, motivation)


def _snapshot(participation: Participation) -> dict[str, Any]:
    return {
        "status": participation.status,
        "stakeholder_group": participation.stakeholder_group,
        "organisation": participation.organisation,
        "pseudonym": participation.pseudonym,
        "user_id": participation.user_id,
        "decision_note": participation.decision_note,
    }


# --- finding the consultation -----------------------------------------------------------------------------------


def find_dialogue(db: Session, slug: str) -> Dialogue | None:
    """The trajectory (dialogue or consultation) at ``slug``, any status."""
    return db.exec(select(Dialogue).where(Dialogue.slug == slug[:100])).first() if slug else None


def consultation(db: Session, slug: str) -> Dialogue:
    """The consultation at ``slug`` (any status: for staff), or NotFound (also for a dialogue)."""
    found = find_dialogue(db, slug)
    if found is None or found.kind != DialogueKind.consultation:
        raise NotFound("No consultation at this address.")
    return found


def open_consultation(db: Session, slug: str) -> Dialogue:
    """The consultation at ``slug`` that takes requests (active), or NotFound."""
    found = consultation(db, slug)
    if found.status != DialogueStatus.active:
        raise NotFound("This consultation does not take requests to take part.")
    return found


# --- the public request ----------------------------------------------------------------------------------------


def _send_confirmation(db: Session, dialogue: Dialogue, participation: Participation) -> None:
    token = secrets.token_urlsafe(32)
    participation.confirm_token_hash = token_hash(token)
    participation.updated_at = clock.now()  # the link's validity counts from here
    db.add(participation)
    queue_mail(
        db,
        to=participation.email,
        template=mail_template("participation_confirm", participation.locale),
        context={
            "name": participation.name,
            "dialogue_title": dialogue.title,
            "dialogue_url": dialogue_url(dialogue),
            "link": f"{get_settings().base_url.rstrip('/')}/deelnemen/bevestigen/{token}",
        },
    )


def request_participation(db: Session, dialogue: Dialogue, form: ParticipationForm, *, ip: str = "") -> None:
    """Ask to take part in ``dialogue`` (an open consultation): the address gets a link to confirm it.

    The answer is the same for an address that asked before: while it is unconfirmed a new link is sent,
    otherwise nothing happens (a decision already taken or awaited is not repeated)."""
    if dialogue.kind != DialogueKind.consultation or dialogue.status != DialogueStatus.active:
        raise NotFound("This consultation does not take requests to take part.")
    clean = validate(form)
    ratelimit.check(
        db, [(REQUEST_PER_CLIENT, ip or "unknown"), (REQUEST_PER_EMAIL, clean.email)], _(TOO_MANY), field="email"
    )
    existing = db.exec(
        select(Participation).where(Participation.dialogue_id == dialogue.id, Participation.email == clean.email)
    ).first()
    if existing is not None:
        if existing.status == ParticipationStatus.unconfirmed:
            _send_confirmation(db, dialogue, existing)
        return
    now = clock.now()
    participation = Participation(
        dialogue_id=dialogue.id or 0,
        name=clean.name,
        email=clean.email,
        organisation=clean.organisation,
        stakeholder_group=clean.group,
        pseudonym=clean.pseudonym,
        motivation=clean.motivation,
        locale=mail_locale(get_locale()),
        status=ParticipationStatus.unconfirmed,
        created_at=now,
        updated_at=now,
    )
    db.add(participation)
    db.flush()
    record(
        db,
        action="participation.requested",
        entity_type=ENTITY,
        entity_id=participation.id,
        summary=f"Aanmelding van {clean.name} voor '{dialogue.title}' (nog te bevestigen)",
        after=_snapshot(participation),
        ip=ip or None,
    )
    _send_confirmation(db, dialogue, participation)


def confirm_participation(db: Session, token: str) -> tuple[Participation, Dialogue] | None:
    """Confirm the address of a request: it then waits for SDFL's decision. None for an unknown or expired link;
    a link used again answers the request as it stands."""
    if not token or len(token) > TOKEN_MAX:
        return None
    participation = db.exec(select(Participation).where(Participation.confirm_token_hash == token_hash(token))).first()
    if participation is None:
        return None
    dialogue = db.get(Dialogue, participation.dialogue_id)
    if dialogue is None:
        return None
    if participation.status != ParticipationStatus.unconfirmed:
        return participation, dialogue
    now = clock.now()
    if now - participation.updated_at > CONFIRM_TTL:
        return None
    participation.status, participation.confirmed_at, participation.updated_at = (
        ParticipationStatus.requested,
        now,
        now,
    )
    db.add(participation)
    record(
        db,
        action="participation.confirmed",
        entity_type=ENTITY,
        entity_id=participation.id,
        summary=f"{participation.name} bevestigde het e-mailadres voor '{dialogue.title}'",
        before={"status": ParticipationStatus.unconfirmed},
        after={"status": participation.status},
    )
    return participation, dialogue


# --- SDFL's decision -------------------------------------------------------------------------------------------


def _get(db: Session, participation_id: int, dialogue_id: int | None) -> tuple[Participation, Dialogue]:
    """The participation and its consultation; NotFound if unknown or (``dialogue_id``) of another one."""
    participation = db.get(Participation, participation_id) if is_valid_id(participation_id) else None
    dialogue = db.get(Dialogue, participation.dialogue_id) if participation else None
    if participation is None or dialogue is None or dialogue_id not in (None, dialogue.id):
        raise NotFound("No such participation.")
    return participation, dialogue


def _note(note: str) -> str:
    note = (note or "").strip().replace("\r\n", "\n")
    if len(note) > NOTE_MAX:
        raise invalid({"note": _("De toelichting is te lang: ten hoogste %(max)s tekens.", max=NOTE_MAX)})
    return note


def _user_for(db: Session, participation: Participation, actor: User) -> tuple[User, bool]:
    """The user the approved participation belongs to, made if there is none; and whether it was made.

    A known address is linked as it is: a provider's user keeps its role and provider; a user that speaks for
    itself gets the request's group, organisation and pseudonym where it has none yet."""
    user = db.exec(select(User).where(User.email == participation.email)).first()
    made = user is None
    if user is None:
        user = create_user(
            db,
            UserInput(email=participation.email, name=participation.name, role=PARTICIPANT_ROLE),
            actor=actor,
            invite=False,
            roles=frozenset({PARTICIPANT_ROLE}),
        )
    if user.provider_id is None and user.municipality_id is None:  # speaks for itself, not for an organisation
        user.stakeholder_group = user.stakeholder_group or participation.stakeholder_group
        user.organisation = user.organisation or participation.organisation
        user.pseudonym = user.pseudonym or participation.pseudonym
        user.locale = user.locale or participation.locale
        user.updated_at = clock.now()
        db.add(user)
    return user, made


def _mail_approved(db: Session, dialogue: Dialogue, participation: Participation, user: User, note: str) -> None:
    """Tell the person they take part: with a link to set a password when the account has none yet."""
    template = mail_template("participation_approved", participation.locale)
    context = {"dialogue_title": dialogue.title, "dialogue_url": dialogue_url(dialogue), "note": note}
    if user.password_hash is None:
        mail_link(db, user, TokenPurpose.invite, template, **context)
        return
    queue_mail(
        db,
        to=user.email,
        template=template,
        context={**context, "user_name": user.name or user.email, "link": "", "expires_at_text": ""},
    )


def _approve(db: Session, dialogue: Dialogue, participation: Participation, actor: User, note: str) -> User:
    before = _snapshot(participation)
    user, made = _user_for(db, participation, actor)
    now = clock.now()
    participation.user_id = user.id
    participation.status = ParticipationStatus.approved
    participation.decided_at, participation.decided_by_id, participation.decision_note = now, actor.id, note
    participation.updated_at = now
    db.add(participation)
    db.flush()
    record(
        db,
        action="participation.approved",
        entity_type=ENTITY,
        entity_id=participation.id,
        actor=actor,
        summary=(
            f"{participation.name} neemt deel aan '{dialogue.title}'"
            f" ({'nieuwe gebruiker' if made else 'bestaande gebruiker'} {user.email})"
        ),
        before=before,
        after=_snapshot(participation),
    )
    _mail_approved(db, dialogue, participation, user, note)
    return user


def decide(
    db: Session,
    principal: Principal,
    participation_id: int,
    decision: str,
    note: str = "",
    *,
    dialogue_id: int | None = None,
) -> Participation:
    """Approve or refuse a confirmed request (``decision``: "approve" or "refuse"); the person gets a mail.

    Approval makes or finds the user (see the module's docstring); a refused or ended participation may be
    approved later. Anything else is a Conflict."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    participation, dialogue = _get(db, participation_id, dialogue_id)
    if decision not in DECISIONS:
        raise invalid({"decision": _("Kies: toelaten of afwijzen.")})
    note = _note(note)
    if participation.status not in DECIDABLE[decision]:
        raise Conflict(
            f"A participation with status '{participation.status}' cannot be given the decision '{decision}'.",
            errors=[
                {"field": "decision", "message": _("Over deze aanmelding is al beslist of ze is nog niet bevestigd.")}
            ],
        )
    if decision == "approve":
        _approve(db, dialogue, participation, principal.user, note)
        return participation
    before = _snapshot(participation)
    now = clock.now()
    participation.status = ParticipationStatus.refused
    participation.decided_at, participation.decided_by_id, participation.decision_note = now, principal.user.id, note
    participation.updated_at = now
    db.add(participation)
    record(
        db,
        action="participation.refused",
        entity_type=ENTITY,
        entity_id=participation.id,
        actor=principal.user,
        summary=f"Aanmelding van {participation.name} voor '{dialogue.title}' afgewezen",
        before=before,
        after=_snapshot(participation),
    )
    queue_mail(
        db,
        to=participation.email,
        template=mail_template("participation_refused", participation.locale),
        context={
            "name": participation.name,
            "dialogue_title": dialogue.title,
            "dialogue_url": dialogue_url(dialogue),
            "note": note,
        },
    )
    return participation


def add_participant(
    db: Session, principal: Principal, dialogue: Dialogue, form: ParticipationForm, note: str = ""
) -> Participation:
    """SDFL adds someone directly: approved at once (a mail with a link to set a password if needed).

    An address with a request of its own is approved with the details given here; one that takes part already
    is a Conflict (409, next to the address)."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    if dialogue.kind != DialogueKind.consultation:
        raise NotFound("No consultation at this address.")
    clean = validate(form)
    note = _note(note)
    participation = db.exec(
        select(Participation).where(Participation.dialogue_id == dialogue.id, Participation.email == clean.email)
    ).first()
    if participation is not None and participation.status == ParticipationStatus.approved:
        message = _("Dit e-mailadres neemt al deel aan deze consultatie.")
        raise Conflict(message, errors=[{"field": "email", "message": message}], user_message=True)
    now = clock.now()
    if participation is None:
        participation = Participation(
            dialogue_id=dialogue.id or 0, email=clean.email, created_at=now, name="", stakeholder_group=""
        )
    participation.name, participation.organisation = clean.name, clean.organisation
    participation.stakeholder_group, participation.pseudonym = clean.group, clean.pseudonym
    participation.motivation = clean.motivation
    participation.locale = participation.locale or mail_locale(get_locale())
    participation.confirm_token_hash = None
    db.add(participation)
    db.flush()
    _approve(db, dialogue, participation, principal.user, note)
    return participation


def withdraw(
    db: Session, principal: Principal, participation_id: int, note: str = "", *, dialogue_id: int | None = None
) -> Participation:
    """End a participation (or a request): the person no longer takes part from now on."""
    authorize(principal, Action.manage)
    participation, dialogue = _get(db, participation_id, dialogue_id)
    note = _note(note)
    if participation.status not in (ParticipationStatus.approved, ParticipationStatus.requested):
        raise Conflict(
            f"A participation with status '{participation.status}' cannot be ended.",
            errors=[{"field": "decision", "message": _("Deze deelname is al beëindigd of nooit begonnen.")}],
        )
    before = _snapshot(participation)
    now = clock.now()
    participation.status = ParticipationStatus.withdrawn
    participation.decided_at, participation.decision_note, participation.updated_at = now, note, now
    participation.decided_by_id = principal.user.id if principal.user else None
    db.add(participation)
    record(
        db,
        action="participation.withdrawn",
        entity_type=ENTITY,
        entity_id=participation.id,
        actor=principal.user,
        summary=f"Deelname van {participation.name} aan '{dialogue.title}' beëindigd",
        before=before,
        after=_snapshot(participation),
    )
    return participation


# --- the admin overview ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupCount:
    group: str
    label: str
    approved: int
    requested: int


@dataclass
class Overview:
    dialogue: Dialogue
    by_status: dict[str, list[Participation]] = field(default_factory=dict)
    counts: list[GroupCount] = field(default_factory=list)
    users: dict[int, User] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.by_status.values())


def overview(db: Session, principal: Principal, dialogue: Dialogue) -> Overview:
    """Every request and participation of the consultation by status (the ones to decide first), and how many
    take part (and wait) per stakeholder group."""
    authorize(principal, Action.manage)
    rows = db.exec(
        select(Participation)
        .where(Participation.dialogue_id == dialogue.id)
        .order_by(col(Participation.created_at), col(Participation.id))
    ).all()
    by_status: dict[str, list[Participation]] = {status.value: [] for status in STATUS_ORDER}
    for row in rows:
        by_status.setdefault(row.status, []).append(row)
    approved = Counter(p.stakeholder_group for p in by_status[ParticipationStatus.approved])
    requested = Counter(p.stakeholder_group for p in by_status[ParticipationStatus.requested])
    counts = [GroupCount(g, _(label), approved[g], requested[g]) for g, label in GROUP_LABELS.items()]
    user_ids = [p.user_id for p in rows if p.user_id]
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all() if u.id} if user_ids else {}
    return Overview(dialogue=dialogue, by_status=by_status, counts=counts, users=users)
