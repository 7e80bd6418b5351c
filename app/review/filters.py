"""The review dashboard's filters: one state per URL, read from a query string, and what they offer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.dialogues.participants import GROUP_LABELS
from app.kit import dates
from app.kit.errors import N_
from app.kit.i18n import gettext as _
from app.models import (
    MAX_ID,
    CommentKind,
    CommentStatus,
    Dialogue,
    Municipality,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    StakeholderGroup,
    VersionStatus,
)

MAX_SEARCH = 200
SORT_LABELS = {
    "newest": N_("Nieuwste eerst"),
    "oldest": N_("Oudste eerst"),
    "section": N_("Volgorde van het voorstel"),
    "status": N_("Beoordeling"),
    "provider": N_("Aanbieder"),
}


@dataclass(frozen=True)
class ReviewFilter:
    """One state of the dashboard's filters; every state has its own URL (``query_string``)."""

    dialogue_id: int | None = None  # of this trajectory only
    group: str | None = None  # by authors of this stakeholder group (a provider's users count as provider)
    proposal_id: int | None = None
    version: int | None = None
    section: str | None = None  # section key
    provider_id: int | None = None
    kind: str | None = None
    status: str | None = None
    municipality_id: int | None = None  # marked relevant by this municipality
    answered: bool | None = None  # has an official reply (that the reader may see)
    date_from: date | None = None
    date_to: date | None = None
    since: datetime | None = None  # the API's filter
    q: str = ""
    sort: str = "newest"

    def params(self, **overrides: Any) -> dict[str, str]:
        values = {f.name: getattr(self, f.name) for f in fields(self)} | overrides
        out: dict[str, str] = {}
        for name, value in values.items():
            if value is None or value == "" or (name == "sort" and value == "newest"):
                continue
            if isinstance(value, bool):
                out[name] = "yes" if value else "no"
            elif isinstance(value, date | datetime):
                out[name] = value.isoformat()
            else:
                out[name] = str(value)
        return out

    def query_string(self, **overrides: Any) -> str:
        return urlencode(self.params(**overrides))

    @property
    def active(self) -> bool:
        return bool(self.params(sort="newest"))


def _int(raw: str, name: str, errors: dict[str, str], message: str) -> int | None:
    if not raw:
        return None
    if raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw)
    errors[name] = message
    return None


def _date(raw: str, name: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return dates.parse_date(raw)
    except dates.YearOutOfRange:
        errors[name] = _("Vul een datum tussen 2000 en 2100 in.")
    except ValueError:
        errors[name] = _("Vul een datum in als jjjj-mm-dd.")
    return None


def parse_filter(query: Mapping[str, str]) -> tuple[ReviewFilter, dict[str, str]]:
    """The filter a query string describes, and a message per field that could not be read (that field is
    then ignored, the others still apply)."""
    errors: dict[str, str] = {}

    def raw(name: str, limit: int = 100) -> str:
        return (query.get(name) or "").strip()[:limit]

    kind = raw("kind") or None
    if kind and kind not in CommentKind.__members__:
        errors["kind"] = _("Onbekende soort reactie.")
        kind = None
    status = raw("status") or None
    if status and status not in CommentStatus.__members__:
        errors["status"] = _("Onbekende beoordeling.")
        status = None
    answered_raw = raw("answered")
    answered = {"yes": True, "no": False}.get(answered_raw)
    if answered_raw and answered is None:
        errors["answered"] = _("Kies beantwoord of niet beantwoord.")
    sort = raw("sort") or "newest"
    if sort not in SORT_LABELS:
        errors["sort"] = _("Onbekende sortering.")
        sort = "newest"
    q = (query.get("q") or "").strip()
    if len(q) > MAX_SEARCH:
        errors["q"] = _("Zoek op maximaal %(n)s tekens.", n=MAX_SEARCH)
        q = q[:MAX_SEARCH]
    date_from, date_to = _date(raw("date_from"), "date_from", errors), _date(raw("date_to"), "date_to", errors)
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = _("De einddatum ligt voor de begindatum.")
        date_to = None
    group = raw("group") or None
    if group and group not in StakeholderGroup.__members__:
        errors["group"] = _("Onbekende groep belanghebbenden.")
        group = None
    version = _int(raw("version"), "version", errors, _("Kies een versienummer."))
    if version is not None and version > 10_000:
        errors["version"] = _("Kies een versienummer.")
        version = None
    filters = ReviewFilter(
        dialogue_id=_int(raw("dialogue_id"), "dialogue_id", errors, _("Kies een traject uit de lijst.")),
        group=group,
        proposal_id=_int(raw("proposal_id"), "proposal_id", errors, _("Kies een voorstel uit de lijst.")),
        version=version,
        section=raw("section") or None,
        provider_id=_int(raw("provider_id"), "provider_id", errors, _("Kies een aanbieder uit de lijst.")),
        kind=kind,
        status=status,
        municipality_id=_int(raw("municipality_id"), "municipality_id", errors, _("Kies een gemeente uit de lijst.")),
        answered=answered,
        date_from=date_from,
        date_to=date_to,
        q=q,
        sort=sort,
    )
    return filters, errors


@dataclass
class Options:
    """What the filters offer."""

    dialogues: list[tuple[int, str]]  # id, title of every trajectory
    groups: list[tuple[str, str]]  # stakeholder group, its label
    proposals: list[tuple[int, str, int]]  # id, title, newest published version number
    sections: list[tuple[str, str]]  # key, heading (of the chosen proposal)
    providers: list[tuple[int, str]]
    municipalities: list[tuple[int, str]]
    in_purchase: frozenset[int] = frozenset()  # of ``municipalities``: those taking part in the purchase


def filter_options(session: Session, filters: ReviewFilter) -> Options:
    """What the filters offer: the trajectories, the stakeholder groups, the published proposals (of the chosen
    trajectory), the chosen proposal's sections, the providers and the municipalities."""
    dialogues = [
        (did or 0, title)
        for did, title in session.exec(
            select(Dialogue.id, Dialogue.title).order_by(col(Dialogue.created_at).desc(), col(Dialogue.id).desc())
        ).all()
    ]
    proposals = [
        (pid or 0, title, int(newest or 0))
        for pid, title, newest in session.exec(
            select(Proposal.id, Proposal.title, func.max(ProposalVersion.number))
            .join(ProposalVersion, col(ProposalVersion.proposal_id) == Proposal.id)
            .where(
                ProposalVersion.status == VersionStatus.published,
                *([Proposal.dialogue_id == filters.dialogue_id] if filters.dialogue_id else []),
            )
            .group_by(col(Proposal.id), col(Proposal.title))
            .order_by(col(Proposal.title))
        ).all()
    ]
    sections: list[tuple[str, str]] = []
    if filters.proposal_id is not None:
        seen: dict[str, str] = {}
        for key, heading in session.exec(
            select(Section.key, Section.heading)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .where(
                ProposalVersion.proposal_id == filters.proposal_id,
                ProposalVersion.status == VersionStatus.published,
                *([ProposalVersion.number == filters.version] if filters.version else []),
            )
            .order_by(col(ProposalVersion.number).desc(), col(Section.position))
        ).all():
            seen.setdefault(key, heading)
        sections = list(seen.items())
    providers = [
        (pid or 0, name) for pid, name in session.exec(select(Provider.id, Provider.name).order_by(Provider.name))
    ]
    rows = session.exec(
        select(Municipality.id, Municipality.name, Municipality.in_procurement, Municipality.archived_at).order_by(
            Municipality.name
        )
    ).all()
    municipalities = [(mid or 0, name) for mid, name, _in, _archived in rows]
    return Options(
        dialogues=dialogues,
        groups=[(group, label) for group, label in GROUP_LABELS.items()],
        proposals=proposals,
        sections=sections,
        providers=providers,
        municipalities=municipalities,
        in_purchase=frozenset(mid or 0 for mid, _name, taking_part, archived in rows if taking_part and not archived),
    )
