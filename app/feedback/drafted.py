"""Who wrote a draft: SDFL and the municipalities co-author agenda items and proposal sections, and the draft
pages say who drafted each one and who changed it last ("Opgesteld door X (Gemeente Almere) · laatst gewijzigd
door Y (SDFL)")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlmodel import Session, col, select

from app.feedback.visibility import organisation
from app.models import Municipality, Provider, User


class Drafted(Protocol):
    """A drafted thing: an agenda item or a proposal section."""

    id: int | None
    created_by_id: int | None
    updated_by_id: int | None


@dataclass(frozen=True)
class Authorship:
    """Labels ("Naam (organisatie)") of who drafted a thing and who changed it last (None: not known, e.g.
    drafted before this was recorded, or not changed since)."""

    created_by: str | None
    updated_by: str | None


def labels(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """user id -> "Naam (organisatie)": SDFL for admins, "Gemeente X" for a municipality's users. One query."""
    ids = {i for i in user_ids if i}
    if not ids:
        return {}
    rows = session.exec(
        select(User, Municipality.name, Provider.name)
        .outerjoin(Municipality, col(Municipality.id) == User.municipality_id)
        .outerjoin(Provider, col(Provider.id) == User.provider_id)
        .where(col(User.id).in_(ids))
    ).all()
    out: dict[int, str] = {}
    for user, municipality, provider in rows:
        org = organisation(user.role, provider, municipality)
        name = user.name or user.email
        out[user.id or 0] = f"{name} ({org})" if org else name
    return out


def authorship(session: Session, things: Iterable[Drafted]) -> dict[int, Authorship]:
    """thing id -> who drafted it and who changed it last, for a list of agenda items or sections."""
    things = list(things)
    named = labels(session, [i for t in things for i in (t.created_by_id, t.updated_by_id)])
    return {
        t.id or 0: Authorship(
            created_by=named.get(t.created_by_id or 0),
            updated_by=named.get(t.updated_by_id or 0),
        )
        for t in things
    }
