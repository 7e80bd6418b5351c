"""Notifications: each thing a user is told of is one row (``Notification``), unique per (user, kind, key), made
in the transaction of its cause. Its mail goes through the outbox like every mail.

- ``notify`` inserts the row with INSERT ... ON CONFLICT DO NOTHING: the same subject for the same user is never
  made twice, whoever asks (a second admin, a second worker, a restart running a scheduled task again).
- A row whose moment has come is *handled* by a compare-and-set UPDATE from ``pending`` (only the transaction whose
  rowcount is 1 goes on): by the user's choice for its kind (``app.accounts.notification_settings``) it becomes
  a mail of its own (``sent``), waits for the digest (``digest``) or is dropped (``skipped``). A row due now is
  handled at once, in its cause's transaction; a row due later (answers released at a later moment) by the
  scheduled task ``deliver_due_notifications``.
- ``send_daily_digests`` (scheduled) sends each user with waiting rows one mail per local day, from
  ``notification_digest_hour`` (07:00 Europe/Amsterdam), listing what came before that hour. The day's
  ``NotificationDigest`` row is unique per (user, day) and claims the rows, so two workers send one digest.

Texts are written in the user's language (``User.locale``) when the row is made.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.accounts.notification_settings import Kind, Mode, mode_of
from app.config import get_settings
from app.dialogues.following import mail_locale, mail_template
from app.kit import clock, i18n
from app.kit.i18n import TIMEZONE
from app.mail.service import queue_mail
from app.models import Notification, NotificationDigest, NotificationStatus, User, id_of

SETTINGS_PATH = "/account#berichten"


@dataclass(frozen=True)
class Line:
    """One line of a notification, with an optional link (a path)."""

    text: str
    path: str = ""


@dataclass
class Message:
    """What a notification says, in the user's language."""

    title: str  # the subject of its own mail, one line in the digest
    intro: str
    path: str  # the place it is about
    lines: list[Line] = field(default_factory=list)
    # A mail of its own in an existing template instead of the generic one (Dutch mails kept as they were).
    template: str | None = None
    context: dict[str, Any] | None = None
    attachments: list[dict[str, Any]] | None = None  # with bytes content; only on the mail of its own


def text(locale: str | None, nl: str, en: str) -> str:
    """The Dutch or English text of a notification (its words are the mail's, not the page's catalog)."""
    return en if mail_locale(locale) == "en" else nl


@contextmanager
def in_locale(locale: str | None) -> Iterator[None]:
    """Translate (``_``) and format dates in ``locale`` for a while: a mail is in its reader's language, not in
    the language of the request that caused it."""
    before = i18n.get_locale()
    i18n.set_locale(mail_locale(locale))
    try:
        yield
    finally:
        i18n.set_locale(before)


def _insert_once(db: Session, values: dict[str, Any]) -> int | None:
    """Insert the notification unless one with its (user, kind, key) exists: its id, or None."""
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Notification)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "key"])
        .returning(col(Notification.id))
    )
    return db.exec(statement).scalar_one_or_none()


def notify(
    db: Session,
    user: User,
    kind: Kind | str,
    key: str,
    message: Message,
    *,
    dialogue_id: int | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Tell ``user`` of ``message`` once (per ``kind`` and ``key``), at ``due_at`` (now by default). Whether a
    new notification was made (False: it exists already, or the user is inactive)."""
    if not user.active:
        return False
    now = clock.now()
    if len(key) > 200:  # a long subject (a URL): its start and a hash of the whole, still unique
        key = f"{key[:150]}#{hashlib.sha256(key.encode()).hexdigest()[:40]}"
    payload: dict[str, Any] = {
        "intro": message.intro,
        "path": message.path,
        "lines": [{"text": line.text, "path": line.path} for line in message.lines],
    }
    if message.template:
        payload["template"], payload["context"] = message.template, message.context or {}
    if message.attachments:
        payload["attachments"] = [
            {**a, "content": base64.b64encode(a["content"]).decode("ascii")} for a in message.attachments
        ]
    row_id = _insert_once(
        db,
        {
            "user_id": id_of(user),
            "kind": str(kind),
            "key": key,
            "dialogue_id": dialogue_id,
            "title": " ".join(message.title.split())[:300],
            "payload": payload,
            "status": NotificationStatus.pending,
            "due_at": due_at or now,
            "created_at": now,
        },
    )
    if row_id is None:
        return False
    if (due_at or now) <= now:
        handle(db, row_id, now)
    return True


def _mail_of_its_own(db: Session, user: User, row: Notification) -> int:
    payload = row.payload
    locale = mail_locale(user.locale)
    attachments = [{**a, "content": base64.b64decode(a["content"])} for a in payload.get("attachments") or []]
    if payload.get("template") and locale == i18n.DEFAULT_LOCALE:
        template, context = payload["template"], dict(payload.get("context") or {})
        context.setdefault("user_name", user.name or user.email)
    else:
        template = mail_template("notification", locale)
        context = {
            "user_name": user.name or user.email,
            "title": row.title,
            "intro": payload.get("intro", ""),
            "lines": payload.get("lines", []),
            "path": payload.get("path", ""),
            "settings_path": SETTINGS_PATH,
        }
    message = queue_mail(db, to=user.email, template=template, context=context, attachments=attachments or None)
    db.flush()
    return id_of(message)


def handle(db: Session, row_id: int, now: datetime | None = None) -> str | None:
    """Handle one due notification by its user's choice; None if another transaction handled it first."""
    now = now or clock.now()
    row = db.get(Notification, row_id, populate_existing=True)
    if row is None or row.status != NotificationStatus.pending:
        return None
    user = db.get(User, row.user_id)
    mode = mode_of(db, row.user_id, row.kind) if user is not None and user.active else Mode.off
    status = {
        Mode.now: NotificationStatus.sent,
        Mode.digest: NotificationStatus.digest,
        Mode.off: NotificationStatus.skipped,
    }[Mode(mode)]
    claimed = db.exec(
        update(Notification)
        .where(col(Notification.id) == row_id, col(Notification.status) == NotificationStatus.pending)
        .values(status=status, handled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    if status == NotificationStatus.sent:
        assert user is not None
        outbox_id = _mail_of_its_own(db, user, row)
        db.exec(
            update(Notification)
            .where(col(Notification.id) == row_id)
            .values(outbox_message_id=outbox_id)
            .execution_options(synchronize_session=False)
        )
    db.expire(row)
    return status


def told(db: Session, kind: str, key: str) -> set[int]:
    """The users who have (or had) the notification of ``kind`` and ``key``: a scheduled task that runs every pass
    asks once instead of trying each user again."""
    return set(db.exec(select(Notification.user_id).where(Notification.kind == kind, Notification.key == key)).all())


def deliver_due_notifications(session: Session) -> int:
    """A scheduled task: handle every notification whose moment has come (answers released at a later moment).
    Returns how many this run handled."""
    now = clock.now()
    due = session.exec(
        select(Notification.id)
        .where(Notification.status == NotificationStatus.pending, col(Notification.due_at) <= now)
        .order_by(col(Notification.due_at), col(Notification.id))
        .limit(500)
    ).all()
    return sum(1 for row_id in due if row_id is not None and handle(session, row_id, now) is not None)


# --- the daily digest -----------------------------------------------------------------------------------


def digest_cutoff(now: datetime) -> tuple[date, datetime] | None:
    """Today's (local) date and the moment of today's digest, once that moment has come; else None."""
    local = now.astimezone(TIMEZONE)
    moment = datetime.combine(local.date(), datetime.min.time(), tzinfo=TIMEZONE) + timedelta(
        hours=get_settings().notification_digest_hour
    )
    if local < moment:
        return None
    return local.date(), moment


def _claim_day(db: Session, user_id: int, day: date, now: datetime) -> int | None:
    dialect = db.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(NotificationDigest)
        .values(user_id=user_id, day=day.isoformat(), created_at=now)
        .on_conflict_do_nothing(index_elements=["user_id", "day"])
        .returning(col(NotificationDigest.id))
    )
    return db.exec(statement).scalar_one_or_none()


def send_daily_digests(session: Session) -> int:
    """A scheduled task: from the digest hour on, one mail per user per local day listing every notification
    waiting for the digest that came before that hour. Returns how many digests it queued."""
    now = clock.now()
    today = digest_cutoff(now)
    if today is None:
        return 0
    day, cutoff = today
    waiting = (col(Notification.status) == NotificationStatus.digest, col(Notification.due_at) <= cutoff)
    user_ids = session.exec(select(Notification.user_id).where(*waiting).distinct()).all()
    sent = 0
    for user_id in sorted(user_ids):
        user = session.get(User, user_id)
        if user is None:
            continue
        digest_id = _claim_day(session, user_id, day, now)
        if digest_id is None:  # today's digest went out (this or another worker): the rest waits for tomorrow
            continue
        session.exec(
            update(Notification)
            .where(col(Notification.user_id) == user_id, *waiting, col(Notification.digest_id).is_(None))
            .values(status=NotificationStatus.digested, digest_id=digest_id, handled_at=now)
            .execution_options(synchronize_session=False)
        )
        rows = session.exec(
            select(Notification)
            .where(Notification.digest_id == digest_id)
            .order_by(col(Notification.due_at), col(Notification.id))
            .execution_options(populate_existing=True)
        ).all()
        if not rows:
            continue
        locale = mail_locale(user.locale)
        with in_locale(locale):
            day_text = i18n.fmt_date(day, "EEEE d MMMM y")
        message = queue_mail(
            session,
            to=user.email,
            template=mail_template("notification_digest", locale),
            context={
                "user_name": user.name or user.email,
                "day": day_text,
                "items": [
                    {
                        "title": r.title,
                        "intro": r.payload.get("intro", ""),
                        "lines": r.payload.get("lines", []),
                        "path": r.payload.get("path", ""),
                    }
                    for r in rows
                ],
                "settings_path": SETTINGS_PATH,
            },
        )
        session.flush()
        digest = session.get(NotificationDigest, digest_id)
        assert digest is not None
        digest.outbox_message_id = message.id
        session.add(digest)
        sent += 1
    return sent
