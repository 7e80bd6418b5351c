"""The proposal page and a section's page: what they show of a version, its sections and their threads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.feedback.applied import AppliedLink
from app.feedback.threads import (
    NEWEST_THREADS,
    REPLIES_ON_PROPOSAL_PAGE,
    Reader,
    Thread,
    load_threads,
    thread_counts,
)
from app.feedback.window import window_message, window_state
from app.kit.pagination import PageParams
from app.models import Proposal, ProposalVersion, Section, VersionStatus
from app.policy import Action, Principal, authorize, can
from app.proposals.manage import Adoptable, adoptable_feedback, all_versions, draft_of
from app.proposals.reading import (
    TOPIC_LABELS,
    current_of,
    find_section,
    get_proposal,
    pick_version,
    proposal_with_versions,
    sections_of,
    versions,
)


@dataclass
class SectionView:
    section: Section
    thread: Thread | None  # None when the reader may not see comments
    changed: bool  # added or changed since the version before
    earlier: list[tuple[int, int]]  # (version number, comments) on the same key in earlier versions


@dataclass
class ProposalPage:
    proposal: Proposal
    topic_label: str
    version: ProposalVersion
    versions: list[ProposalVersion]
    is_current: bool
    sections: list[SectionView]
    reader: Reader
    window: str
    window_message: str
    may_comment: bool
    shows_comments: bool
    applied: list[AppliedLink] = field(default_factory=list)


def may_comment(
    principal: Principal, proposal: Proposal, version: ProposalVersion, all_versions: list[ProposalVersion]
) -> bool:
    return (
        can(principal.in_dialogue(proposal.dialogue_id), Action.comment)
        and version.status == VersionStatus.published
        and current_of(all_versions) is version
        and window_state(proposal) == "open"
    )


def proposal_page(
    principal: Principal,
    proposal: Proposal,
    all_versions: list[ProposalVersion],
    *,
    number: int | None = None,
    last_seen: datetime | None = None,
) -> ProposalPage:
    """A version (the current one by default) of ``proposal`` with its readable ``all_versions``: what the page
    says about it. Its sections come from ``section_views`` and ``applied_in`` (the proposal page caches them).
    The reader counts as it takes part in the proposal's trajectory."""
    principal = principal.in_dialogue(proposal.dialogue_id)
    version = pick_version(all_versions, number)
    is_current = current_of(all_versions) is version
    reader = Reader(
        principal=principal,
        last_seen=last_seen,
        window_open=is_current and window_state(proposal) == "open" and can(principal, Action.comment),
    )
    return ProposalPage(
        proposal=proposal,
        topic_label=TOPIC_LABELS.get(proposal.topic, proposal.topic),  # type: ignore[call-overload]
        version=version,
        versions=all_versions,
        is_current=is_current,
        sections=[],
        reader=reader,
        window=window_state(proposal),
        window_message=window_message(proposal),
        may_comment=may_comment(principal, proposal, version, all_versions),
        shows_comments=can(principal, Action.view_comments),
    )


def section_views(session: Session, page: ProposalPage) -> list[SectionView]:
    """The page's sections with their newest threads, and under each section how many comments the same key
    had in earlier versions (their threads are on the section page of that version: a page with 1,000
    comments stays readable and quick). Five queries, whatever the numbers."""
    version = page.version
    earlier_versions = [v for v in page.versions if v.number < version.number and v.status == VersionStatus.published]
    sections = sections_of(session, [version.id or 0] + [v.id or 0 for v in earlier_versions])
    own = [s for s in sections if s.version_id == version.id]
    older = [s for s in sections if s.version_id != version.id]
    threads, older_counts = _threads_and_counts(session, page, own, older)
    previous = {s.key: s for s in older if earlier_versions and s.version_id == earlier_versions[-1].id}
    number_of = {v.id: v.number for v in page.versions}
    return [
        SectionView(
            section=s,
            thread=threads.get(s.id or 0),
            changed=_changed(s, previous.get(s.key)),
            earlier=_earlier(s, older, older_counts, number_of),
        )
        for s in own
    ]


def _threads_and_counts(
    session: Session, page: ProposalPage, own: list[Section], older: list[Section]
) -> tuple[dict[int, Thread], dict[int, tuple[int, int]]]:
    """The newest threads of ``own`` sections, and the counts of the ``older`` ones: nothing when the reader
    may not see comments."""
    if not page.shows_comments:
        return {}, {}
    threads = load_threads(session, page.reader, own, newest=NEWEST_THREADS, replies=REPLIES_ON_PROPOSAL_PAGE)
    older_counts = thread_counts(session, page.reader, [s.id for s in older]) if older else {}
    return threads, older_counts


def _earlier(
    section: Section,
    older: list[Section],
    older_counts: dict[int, tuple[int, int]],
    number_of: dict[int | None, int],
) -> list[tuple[int, int]]:
    """(version number, comments) of the same key in earlier versions that had threads, newest first."""
    return [
        (number_of[o.version_id], older_counts[o.id or 0][1])
        for o in reversed(older)
        if o.key == section.key and older_counts.get(o.id or 0, (0, 0))[0]
    ]


def _changed(section: Section, prior: Section | None) -> bool:
    """Added or changed since the version before."""
    return prior is None or prior.body != section.body or prior.heading != section.heading


@dataclass
class SectionPage:
    proposal: Proposal
    version: ProposalVersion
    section: Section
    thread: Thread
    page: PageParams
    may_comment: bool
    window_message: str
    is_current: bool


def section_thread(
    session: Session,
    principal: Principal,
    proposal: Proposal,
    key: str,
    *,
    number: int | None = None,
    page: PageParams | None = None,
    newest: int | None = None,
    include: int | None = None,
    known: tuple[list[ProposalVersion], Section] | None = None,
) -> SectionPage:
    """One section with its threads: a page of all of them, or only the newest ones (and thread ``include``).
    ``known``: the versions ``principal`` may read and the section of version ``number``, when the caller read
    them already."""
    principal = principal.in_dialogue(proposal.dialogue_id)
    authorize(principal, Action.view_comments)
    if known is None:
        all_versions = versions(session, principal, proposal)
        version = pick_version(all_versions, number)
        section = find_section(session, version, key)
    else:
        all_versions, section = known
        version = pick_version(all_versions, number)
        if section.version_id != version.id or section.key != key:
            section = find_section(session, version, key)
    allowed = may_comment(principal, proposal, version, all_versions)
    reader = Reader(principal=principal, window_open=allowed)
    page = page or PageParams(page=1, page_size=50)
    thread = load_threads(session, reader, [section], newest=newest, page=page, include=include)[section.id or 0]
    return SectionPage(
        proposal=proposal,
        version=version,
        section=section,
        thread=thread,
        page=page,
        may_comment=allowed,
        window_message=window_message(proposal) if current_of(all_versions) is version else "",
        is_current=current_of(all_versions) is version,
    )


# --- writing comments ----------------------------------------------------------------------------


def open_proposal_page(session: Session, principal: Principal, proposal_id: int, number: int | None) -> ProposalPage:
    """The proposal page of version ``number`` (the current one by default) for ``principal``; its sections
    come from the page cache (app/proposals/page_cache.py)."""
    proposal, all_versions, last_seen = proposal_with_versions(session, principal, proposal_id)
    return proposal_page(principal, proposal, all_versions, number=number, last_seen=last_seen)


def section_page(
    session: Session,
    principal: Principal,
    proposal_id: int,
    key: str,
    *,
    number: int | None = None,
    page: int = 1,
) -> SectionPage:
    """A section's own page: one page (50) of all its threads."""
    proposal = get_proposal(session, principal, proposal_id)
    return section_thread(session, principal, proposal, key, number=number, page=PageParams(page=page, page_size=50))


# --- the admin's page of one proposal ------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminPage:
    """What the admin's page of a proposal shows: its versions, the draft being written with its sections, the
    state of the comment window, and (from version 2 on) the feedback the draft can take in."""

    proposal: Proposal
    versions: list[ProposalVersion]
    draft: ProposalVersion | None
    sections: list[Section]
    window: str
    adoptable: dict[str, list[Adoptable]]


def admin_page(session: Session, proposal: Proposal) -> AdminPage:
    versions = all_versions(session, proposal)
    draft = draft_of(versions)
    return AdminPage(
        proposal=proposal,
        versions=versions,
        draft=draft,
        sections=sections_of(session, [draft.id or 0]) if draft else [],
        window=window_state(proposal),
        adoptable=adoptable_feedback(session, proposal, draft) if draft and draft.number > 1 else {},
    )
