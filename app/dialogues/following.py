"""Following a trajectory by mail: anyone may subscribe with an address (double opt-in), is told when a report,
a recording or a public document is published, and unsubscribes with one click from every such mail.

The address is kept only for this. A confirmation link's token is stored only as its SHA-256 hash; the
unsubscribe link carries the follower's id with an HMAC of it under the application's secret key, so it is not
stored at all and stays valid for as long as the follower exists. Unsubscribing deletes the row.

This module sits low (beside the trajectory itself) so that meetings and documents can call
``notify_followers`` where they publish something.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app import ratelimit
from app.audit.service import record
from app.config import get_settings
from app.kit import clock
from app.kit.errors import N_, ValidationFailed
from app.kit.i18n import DEFAULT_LOCALE, SUPPORTED_LOCALES
from app.kit.i18n import gettext as _
from app.mail.service import queue_mail
from app.models import Dialogue, DialogueStatus, Follower

ENTITY = "follower"
EMAIL_MAX = 320
CONFIRM_TTL = timedelta(days=7)  # a confirmation link works this long after the (latest) request
# The public form: per client and per address (counted whether or not the address is known).
FOLLOW_PER_CLIENT = ratelimit.Limit("follow:client", 20, timedelta(hours=1))
FOLLOW_PER_EMAIL = ratelimit.Limit("follow:email", 3, timedelta(hours=1))
TOO_MANY = N_(
    "Er zijn al te veel aanmeldingen verstuurd voor dit e-mailadres of vanaf deze verbinding. Kijk in uw e-mail "
    "(ook bij ongewenste e-mail) of probeer het later opnieuw."
)

# What was published (``notify_followers``'s ``kind``): the words in the mail, Dutch and English.
KINDS: dict[str, dict[str, str]] = {
    "report": {"nl": "een verslag", "en": "a report"},
    "recording": {"nl": "een opname", "en": "a recording"},
    "document": {"nl": "een openbaar stuk", "en": "a public document"},
}


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def valid_email(email: str) -> bool:
    """A plausible address: one @, a dot in the domain, no spaces, not too long."""
    local, at, domain = email.partition("@")
    return bool(
        local and at and "." in domain.strip(".") and "@" not in domain and len(email) <= EMAIL_MAX
    ) and not any(c.isspace() or c in "<>,;\"'" for c in email)


def check_email(email: str, field: str = "email") -> str:
    """The address lower-cased, or ValidationFailed with the message next to ``field``."""
    email = normalise_email(email)
    if not email:
        message = _("Vul uw e-mailadres in.")
    elif not valid_email(email):
        message = _("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")
    else:
        return email
    raise ValidationFailed(message, errors=[{"field": field, "message": message}], user_message=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def mail_locale(locale: str | None) -> str:
    return locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE


def mail_template(name: str, locale: str | None) -> str:
    """The mail template ``name`` in the reader's language (Dutch: ``name``, English: ``name_en``)."""
    return name if mail_locale(locale) == DEFAULT_LOCALE else f"{name}_{mail_locale(locale)}"


def _base_url() -> str:
    return get_settings().base_url.rstrip("/")


def dialogue_url(dialogue: Dialogue) -> str:
    return f"{_base_url()}/dialogues/{dialogue.slug}"


def followable(dialogue: Dialogue | None) -> bool:
    """Whether the public may follow this trajectory (it is public: active or closed)."""
    return dialogue is not None and dialogue.status in (DialogueStatus.active, DialogueStatus.closed)


# --- subscribing ---------------------------------------------------------------------------------------------


def count_request(db: Session, *, email: str, ip: str) -> None:
    """Count one request of the form against the limits per client and per address, or raise a 429."""
    ratelimit.check(
        db,
        [(FOLLOW_PER_CLIENT, ip or "unknown"), (FOLLOW_PER_EMAIL, normalise_email(email)[:EMAIL_MAX])],
        _(TOO_MANY),
        field="email",
    )


def subscribe(db: Session, dialogue: Dialogue, *, email: str, locale: str | None, ip: str = "") -> None:
    """Ask to follow ``dialogue``: a confirmation mail goes to the address. The answer is the same whether the
    address already follows (then nothing is sent), waits for its confirmation (a new link is sent) or is new."""
    address = check_email(email)
    count_request(db, email=address, ip=ip)
    follower = db.exec(select(Follower).where(Follower.dialogue_id == dialogue.id, Follower.email == address)).first()
    if follower is not None and follower.confirmed_at is not None:
        return
    token = secrets.token_urlsafe(32)
    now = clock.now()
    if follower is None:
        follower = Follower(dialogue_id=dialogue.id or 0, email=address, token_hash=token_hash(token))
        record(
            db,
            action="follower.requested",
            entity_type=ENTITY,
            entity_id=dialogue.id,
            summary=f"Aanmelding om '{dialogue.title}' te volgen (nog te bevestigen)",
            ip=ip or None,
        )
    follower.token_hash, follower.locale, follower.created_at = token_hash(token), mail_locale(locale), now
    db.add(follower)
    queue_mail(
        db,
        to=address,
        template=mail_template("follow_confirm", follower.locale),
        context={
            "dialogue_title": dialogue.title,
            "dialogue_url": dialogue_url(dialogue),
            "link": f"{_base_url()}/volgen/bevestigen/{token}",
        },
    )


def confirm(db: Session, token: str) -> Dialogue | None:
    """Confirm the address behind a link: the trajectory it now follows, or None for an unknown or expired link.
    A link used again still answers its trajectory."""
    if not token or len(token) > 100:
        return None
    follower = db.exec(select(Follower).where(Follower.token_hash == token_hash(token))).first()
    if follower is None:
        return None
    if follower.confirmed_at is None:
        if clock.now() - follower.created_at > CONFIRM_TTL:
            return None
        follower.confirmed_at = clock.now()
        db.add(follower)
        db.flush()
        record(
            db,
            action="follower.confirmed",
            entity_type=ENTITY,
            entity_id=follower.id,
            summary=f"Volger {follower.id} bevestigd voor traject {follower.dialogue_id}",
        )
    return db.get(Dialogue, follower.dialogue_id)


# --- unsubscribing -------------------------------------------------------------------------------------------


def _signature(follower_id: int, email: str) -> str:
    key = get_settings().resolved_secret_key().encode()
    return hmac.new(key, f"unfollow:{follower_id}:{email}".encode(), hashlib.sha256).hexdigest()[:40]


def unsubscribe_token(follower: Follower) -> str:
    """The token of ``follower``'s unsubscribe link: its id and an HMAC of id and address (never stored)."""
    assert follower.id is not None
    return f"{follower.id}-{_signature(follower.id, follower.email)}"


def unsubscribe_url(follower: Follower) -> str:
    return f"{_base_url()}/volgen/afmelden/{unsubscribe_token(follower)}"


@dataclass(frozen=True)
class Subscription:
    follower: Follower
    dialogue: Dialogue


def by_unsubscribe_token(db: Session, token: str) -> Subscription | None:
    """The follower an unsubscribe link is for, or None (unknown, tampered with, or already unsubscribed)."""
    ident, _sep, signature = (token or "").partition("-")
    if not ident.isdigit() or len(ident) > 12 or not signature:
        return None
    follower = db.get(Follower, int(ident))
    if follower is None or not hmac.compare_digest(signature, _signature(int(ident), follower.email)):
        return None
    dialogue = db.get(Dialogue, follower.dialogue_id)
    return Subscription(follower, dialogue) if dialogue is not None else None


def unsubscribe(db: Session, token: str) -> Dialogue | None:
    """Stop following: the address is deleted. The trajectory, or None when the link is unknown (also when it
    was used before: the follower is gone)."""
    found = by_unsubscribe_token(db, token)
    if found is None:
        return None
    record(
        db,
        action="follower.removed",
        entity_type=ENTITY,
        entity_id=found.follower.id,
        summary=f"Volger {found.follower.id} afgemeld voor traject {found.dialogue.id}; het adres is verwijderd",
    )
    db.delete(found.follower)
    db.flush()
    return found.dialogue


# --- telling the followers -----------------------------------------------------------------------------------


def notify_followers(db: Session, dialogue_id: int, kind: str, title: str, url: str) -> int:
    """Queue one mail per confirmed follower of the trajectory that ``kind`` ("report", "recording",
    "document") titled ``title`` is published at ``url`` (a path or a full address). Every mail carries its
    unsubscribe link in the text and in ``List-Unsubscribe`` (one click, RFC 8058). Returns the number of mails."""
    dialogue = db.get(Dialogue, dialogue_id)
    if dialogue is None or kind not in KINDS:
        return 0
    link = url if url.startswith(("http://", "https://")) else f"{_base_url()}/{url.lstrip('/')}"
    followers = db.exec(
        select(Follower)
        .where(Follower.dialogue_id == dialogue_id, col(Follower.confirmed_at).is_not(None))
        .order_by(col(Follower.id))
    ).all()
    for follower in followers:
        locale = mail_locale(follower.locale)
        unsubscribe = unsubscribe_url(follower)
        queue_mail(
            db,
            to=follower.email,
            template=mail_template("follow_update", locale),
            context={
                "dialogue_title": dialogue.title,
                "dialogue_url": dialogue_url(dialogue),
                "kind_text": KINDS[kind][locale],
                "title": title,
                "link": link,
                "unsubscribe_url": unsubscribe,
            },
            headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
    if followers:
        record(
            db,
            action="followers.notified",
            entity_type="dialogue",
            entity_id=dialogue_id,
            summary=f"{len(followers)} volgers van '{dialogue.title}' bericht over {KINDS[kind]['nl']}: {title}",
        )
    return len(followers)
