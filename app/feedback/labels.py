"""The names of comment kinds, review statuses and stances, as shown (translated at rendering)."""

from __future__ import annotations

from app.kit.errors import N_
from app.models import CommentKind, CommentStatus, Stance

KIND_LABELS = {
    CommentKind.steun: N_("Steun"),
    CommentKind.zorg: N_("Zorg"),
    CommentKind.vraag: N_("Vraag"),
    CommentKind.suggestie: N_("Suggestie"),
}
STATUS_LABELS = {
    "nieuw": N_("Nieuw"),
    "in_behandeling": N_("In behandeling"),
    "overgenomen": N_("Overgenomen"),
    "deels_overgenomen": N_("Deels overgenomen"),
    "niet_overgenomen": N_("Niet overgenomen"),
    "bespreken_in_sessie": N_("Bespreken in sessie"),
}
STANCE_LABELS = {
    Stance.eens: N_("Eens"),
    Stance.oneens: N_("Oneens"),
    Stance.neutraal: N_("Neutraal"),
    Stance.toelichting: N_("Toelichting"),
}

# Decisions whose comment is to be worked into the next version.
ADOPTED = (CommentStatus.overgenomen, CommentStatus.deels_overgenomen)


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind, "") if kind else ""  # type: ignore[call-overload]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
