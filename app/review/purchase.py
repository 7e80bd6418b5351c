"""The municipalities of the purchase: those the review filters offer."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, col, select

from app.models import Municipality
from app.review.filters import Options


def in_purchase(session: Session) -> set[int]:
    """The ids of the municipalities taking part in the purchase (``in_procurement``, not archived). A
    municipality of the region that buys on its own (the demo's Lelystad) is not among them."""
    return {
        mid or 0
        for mid in session.exec(
            select(Municipality.id).where(
                col(Municipality.in_procurement).is_(True), col(Municipality.archived_at).is_(None)
            )
        ).all()
    }


def purchase_options(session: Session, options: Options, chosen: int | None) -> Options:
    """``options`` offering only the municipalities of the purchase, and the one ``chosen`` (an old link to
    another keeps showing what it filters on)."""
    keep = in_purchase(session)
    return replace(
        options, municipalities=[(mid, name) for mid, name in options.municipalities if mid in keep or mid == chosen]
    )
