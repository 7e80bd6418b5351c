"""Two versions of a proposal compared section by section."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.kit.diff import SectionChange, SectionText, compare_sections, summary
from app.kit.errors import NotFound
from app.models import Proposal, ProposalVersion
from app.policy import Principal
from app.proposals.reading import pick_version, proposal_versions, sections_of


@dataclass
class Comparison:
    proposal: Proposal
    versions: list[ProposalVersion]
    old: ProposalVersion
    new: ProposalVersion
    changes: list[SectionChange]
    counts: dict[str, int]


def compare(session: Session, principal: Principal, proposal_id: int, from_: int | None, to: int | None) -> Comparison:
    """Version ``from_`` (the one before ``to`` by default) against ``to`` (the newest readable by default):
    added, removed, moved and changed sections, changes word by word."""
    proposal, all_versions = proposal_versions(session, principal, proposal_id)
    if len(all_versions) < 2:
        raise NotFound("Er is nog maar één versie van dit voorstel.", user_message=True)
    new = pick_version(all_versions, to or all_versions[-1].number)
    old = pick_version(all_versions, from_ or max(1, new.number - 1))
    texts: dict[int | None, list[SectionText]] = {v.id: [] for v in (old, new)}
    for s in sections_of(session, [old.id or 0, new.id or 0]):
        texts[s.version_id].append(SectionText(key=s.key, heading=s.heading, body=s.body, position=s.position))
    changes = compare_sections(texts[old.id], texts[new.id])
    return Comparison(
        proposal=proposal, versions=all_versions, old=old, new=new, changes=changes, counts=summary(changes)
    )
