"""The municipalities of the purchase: those the review filters offer."""

from __future__ import annotations

from dataclasses import replace

from app.review.filters import Options


def purchase_options(options: Options, chosen: int | None) -> Options:
    """``options`` offering only the municipalities taking part in the purchase (``in_procurement``, not
    archived: ``Options.in_purchase``, read with them), and the one ``chosen`` (an old link to another keeps
    showing what it filters on). A municipality of the region that buys on its own (the demo's Lelystad) is not
    among them."""
    keep = options.in_purchase
    return replace(
        options, municipalities=[(mid, name) for mid, name in options.municipalities if mid in keep or mid == chosen]
    )
