"""Helpers of the consultation tests: a consultation, the mails in the outbox and the links in them."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from app.models import Dialogue, DialogueKind, OutboxMessage
from tests import factories


def consultation(db: Session, **overrides) -> Dialogue:
    """A new active consultation (the test's trajectory from then on)."""
    n = factories.number()
    return factories.dialogue(
        db,
        new=True,
        kind=DialogueKind.consultation,
        slug=f"consultatie-{n}",
        title=f"Consultatie logeren {n}",
        **overrides,
    )


def mails_to(db: Session, address: str) -> list[OutboxMessage]:
    return list(
        db.exec(select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(col(OutboxMessage.id))).all()
    )


def link_in(message: OutboxMessage, path: str) -> str:
    """The path (from ``path`` on) of the first link in the mail's text that contains ``path``."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}[\w./?=&-]*)", message.body_text)
    assert match, f"no link with {path} in: {message.body_text}"
    return match.group(1)
