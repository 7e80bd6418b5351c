"""The response report: every comment on a version with SDFL's released answer, by section, as HTML or PDF."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.feedback.labels import STATUS_LABELS
from app.feedback.visibility import (
    shown_status,
)
from app.kit import clock
from app.kit.errors import NotFound
from app.kit.i18n import gettext as _
from app.kit.markdown import plain_text
from app.kit.pdf import new_document, pdf_lines, to_latin1
from app.models import (
    Dialogue,
    Proposal,
    ProposalVersion,
    Section,
)
from app.policy import Action, Principal, authorize
from app.proposals.reading import sections_of
from app.review.export import AMSTERDAM, plain
from app.review.filters import ReviewFilter, filter_options
from app.review.overview import published_version
from app.review.query import feedback_query
from app.review.rows import FeedbackRow, feedback_rows


@dataclass
class ReportSection:
    section: Section
    rows: list[FeedbackRow]


@dataclass
class ResponseReport:
    proposal: Proposal
    version: ProposalVersion
    sections: list[ReportSection]
    anonymous: bool
    generated_at: datetime
    versions: list[ProposalVersion] = field(default_factory=list)  # the proposal's published versions
    asked_version: int | None = None  # the version asked for (None: the newest)
    missing_version: int | None = None  # asked for, but the proposal has no such published version

    @property
    def count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


def response_report(
    session: Session,
    principal: Principal,
    proposal_id: int,
    number: int | None,
    *,
    anonymous: bool,
    fallback: bool = False,
) -> ResponseReport:
    """Every comment on a version with SDFL's released answer, grouped by section in the proposal's order.
    Only released answers are in it, so the report can be shared without running ahead of the release.
    Version ``number``, the newest when None; a version the proposal does not have is NotFound, or with
    ``fallback`` the newest with ``missing_version`` set (the page's form: another proposal chosen, and the
    version of the one before came along)."""
    authorize(principal, Action.review)
    proposal, versions, version, sections = published_version(session, proposal_id, None)
    missing = None
    if number is not None and number != version.number:
        chosen = next((v for v in versions if v.number == number), None)
        if chosen is None and not fallback:
            raise NotFound("No such version.")
        if chosen is None:
            missing = number
        else:
            version, sections = chosen, sections_of(session, [chosen.id or 0])
    now = clock.now()
    raw = session.exec(
        feedback_query(
            session, principal, ReviewFilter(proposal_id=proposal_id, version=version.number, sort="section"), now
        )
    ).all()
    rows = feedback_rows(session, principal, list(raw), now)
    by_section: dict[str, list[FeedbackRow]] = defaultdict(list)
    for row in rows:
        row.replies = [r for r in row.replies if r.released]
        by_section[row.section_key].append(row)
    return ResponseReport(
        proposal=proposal,
        version=version,
        sections=[ReportSection(section=s, rows=by_section.get(s.key, [])) for s in sections],
        anonymous=anonymous,
        generated_at=now,
        versions=versions,
        asked_version=number if missing is None else None,
        missing_version=missing,
    )


def proposal_choices(session: Session) -> list[tuple[int, str]]:
    """The proposals a report can be made of (those with a published version): id and title."""
    proposals = filter_options(session, ReviewFilter()).proposals
    return [(pid, title) for pid, title, _newest in proposals]


def report_pdf(report: ResponseReport, tender_reference: str) -> bytes:
    now = report.generated_at
    title = f"Reactierapport {report.proposal.title}, versie {report.version.number}"
    reference = f"Kenmerk TenderNed {tender_reference}" if tender_reference else "Sociaal Domein Flevoland"
    pdf = new_document(to_latin1(title), reference)
    pdf.set_font("Helvetica", "B", 16)
    pdf_lines(pdf, 8, to_latin1(title))
    pdf.set_font("Helvetica", size=10)
    pdf_lines(pdf, 6, to_latin1(f"{report.count} reacties · opgesteld {now.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}"))
    for part in report.sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf_lines(pdf, 7, to_latin1(part.section.heading))
        if not part.rows:
            pdf.set_font("Helvetica", "I", 10)
            pdf_lines(pdf, 6, "Geen reacties.")
        for row in part.rows:
            c = row.comment
            who = "" if report.anonymous else f" - {row.organisation}"
            pdf.set_font("Helvetica", "B", 10)
            status = STATUS_LABELS.get(shown_status(c, now), c.status)
            pdf_lines(pdf, 6, to_latin1(f"Reactie {c.id}{who} ({row.kind_label}; {status})"))
            pdf.set_font("Helvetica", size=10)
            if c.quote:
                pdf_lines(pdf, 5, to_latin1(f"Citaat: {plain_text(c.quote)}"))
            pdf_lines(pdf, 5, to_latin1(c.body))
            if c.suggested_text:
                pdf_lines(pdf, 5, to_latin1(f"Voorgestelde tekst: {c.suggested_text}"))
            pdf.set_font("Helvetica", "I", 10)
            answer = (
                "\n".join(plain_text(r.body) if r.body else plain(r.body_html) for r in row.replies)
                or "Nog geen antwoord van SDFL."
            )
            pdf_lines(pdf, 5, to_latin1(f"Antwoord SDFL: {answer}"))
            pdf.ln(2)
    return bytes(pdf.output())


def report_for(
    session: Session,
    principal: Principal,
    proposal_id: int | None,
    number: int | None,
    *,
    anonymous: bool,
    dialogue_id: int | None = None,
    fallback: bool = False,
) -> ResponseReport:
    """``response_report`` of proposal ``proposal_id``, or of the first published proposal (of trajectory
    ``dialogue_id`` when given; as the overview); ``fallback`` as there."""
    if proposal_id is None:
        proposals = filter_options(session, ReviewFilter(dialogue_id=dialogue_id)).proposals
        if not proposals:
            raise NotFound(_("Er is nog geen gepubliceerd voorstel."), user_message=True)
        proposal_id = proposals[0][0]
    return response_report(session, principal, proposal_id, number, anonymous=anonymous, fallback=fallback)


def report_file(
    session: Session, principal: Principal, proposal_id: int | None, number: int | None, *, anonymous: bool
) -> tuple[bytes, str]:
    """The report as a PDF, with its file name."""
    report = report_for(session, principal, proposal_id, number, anonymous=anonymous)
    dialogue = session.get(Dialogue, report.proposal.dialogue_id)  # the tender reference of the proposal's trajectory
    name = f"reactierapport-{report.proposal.slug}-v{report.version.number}.pdf"
    return report_pdf(report, dialogue.tender_reference if dialogue else ""), name
