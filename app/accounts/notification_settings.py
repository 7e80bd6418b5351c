"""How each user wants to hear of things (``/account``): per kind of notification at once, in a daily digest,
or not at all. Mails that the procurement requires (release packages; calendar invitations, which are always
sent at once and are not a choice here) cannot be switched off.

This module sits with the accounts so the account page can show and save the choices; ``app.notifications``
reads them when it delivers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, select

from app.audit.service import record
from app.kit import clock
from app.kit.errors import N_, invalid
from app.kit.i18n import gettext as _
from app.models import NotificationPreference, User, id_of


class Kind(StrEnum):
    replies_released = "replies_released"  # SDFL's answers and decisions on my comments released
    published = "published"  # a report, recording or nota published in my trajectory
    subgroups = "subgroups"  # the subgroups of my organisation set or changed
    window_closing = "window_closing"  # a comment window closes soon and a question is unanswered by me
    question_answered = "question_answered"  # my question answered in a nota
    package_released = "package_released"  # a release package released (required)


class Mode(StrEnum):
    now = "now"
    digest = "digest"
    off = "off"


# What procurement requires the participants to receive: never "off".
REQUIRED: frozenset[str] = frozenset({Kind.package_released})
DEFAULT_MODE = Mode.now


@dataclass(frozen=True)
class KindInfo:
    kind: str
    label: str  # Dutch source text (translated when shown)
    hint: str


KINDS: list[KindInfo] = [
    KindInfo(Kind.replies_released, N_("Antwoorden en besluiten op mijn reacties"), N_("Eén bericht per vrijgave.")),
    KindInfo(Kind.question_answered, N_("Mijn vraag is beantwoord"), N_("In een nota van inlichtingen.")),
    KindInfo(Kind.published, N_("Verslag, opname of nota gepubliceerd"), N_("In de trajecten waaraan u deelneemt.")),
    KindInfo(Kind.subgroups, N_("Indeling in subgroepen van mijn organisatie"), N_("Vastgesteld of gewijzigd.")),
    KindInfo(
        Kind.window_closing,
        N_("Reactietermijn sluit bijna"),
        N_("Als u een vraag in een voorstel nog niet hebt beantwoord."),
    ),
    KindInfo(
        Kind.package_released,
        N_("Vrijgavepakket vrijgegeven"),
        N_("Verplicht in de aanbesteding: kan niet worden uitgezet."),
    ),
]
MODE_LABELS: dict[str, str] = {
    Mode.now: N_("Direct"),
    Mode.digest: N_("Dagelijks overzicht"),
    Mode.off: N_("Uit (geen e-mail)"),
}


def modes_for(kind: str) -> list[str]:
    """The choices for a kind: a required one cannot be off."""
    return [Mode.now, Mode.digest] if kind in REQUIRED else [Mode.now, Mode.digest, Mode.off]


def effective(mode: str | None, kind: str) -> str:
    """The mode that applies: the default for no choice, never "off" for a required kind."""
    if mode not in set(Mode) or (mode == Mode.off and kind in REQUIRED):
        return DEFAULT_MODE
    return mode


def preferences(db: Session, user_id: int) -> dict[str, str]:
    """kind -> mode for every kind, the defaults filled in."""
    stored = {
        p.kind: p.mode for p in db.exec(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    }
    return {info.kind: effective(stored.get(info.kind), info.kind) for info in KINDS}


def mode_of(db: Session, user_id: int, kind: str) -> str:
    row = db.get(NotificationPreference, (user_id, kind))
    return effective(row.mode if row else None, kind)


def save(db: Session, user: User, choices: Mapping[str, str], *, ip: str | None = None) -> dict[str, str]:
    """Store the user's choices (every kind from ``choices``; a missing kind keeps its mode). A required kind
    set to "off" or an unknown mode is refused (422) with the message next to the field. One audit event."""
    user_id = id_of(user)
    before = preferences(db, user_id)
    errors: dict[str, str] = {}
    for info in KINDS:
        value = choices.get(info.kind)
        if value is None:
            continue
        if value not in modes_for(info.kind):
            errors[f"notify_{info.kind}"] = (
                _("Deze berichten zijn verplicht en kunnen niet worden uitgezet.")
                if value == Mode.off
                else _("Kies direct, dagelijks overzicht of uit.")
            )
    if errors:
        raise invalid(errors)
    after = dict(before)
    now = clock.now()
    for info in KINDS:
        value = choices.get(info.kind)
        if value is None or value == before[info.kind]:
            continue
        row = db.get(NotificationPreference, (user_id, info.kind))
        if row is None:
            row = NotificationPreference(user_id=user_id, kind=info.kind, mode=value, updated_at=now)
        row.mode, row.updated_at = value, now
        db.add(row)
        after[info.kind] = value
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        record(
            db,
            action="user.notification_preferences",
            entity_type="user",
            entity_id=user_id,
            actor=user,
            summary=f"Berichtinstellingen gewijzigd: {', '.join(f'{k}={v}' for k, v in changed.items())}",
            before={k: before[k] for k in changed},
            after=changed,
            ip=ip,
        )
    return after
