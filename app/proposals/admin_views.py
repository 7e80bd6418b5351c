"""HTML for admins: writing proposals as sections, importing a draft, publishing, the next version, and who
answered the questions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.accounts.deps import AdminUser, DrafterUser
from app.db import SessionDep, rollback_now
from app.dialogues import manage as dialogues
from app.documents.service import MAX_DOCUMENT_BYTES
from app.feedback import drafted
from app.kit.dates import local_input, parse_local
from app.kit.errors import N_, AppError, field_errors, invalid
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.kit.notices import Notices
from app.models import Proposal, ProposalTopic, SectionKind
from app.proposals import manage, pages, questions
from app.proposals.import_rules import SectionImportError
from app.proposals.importer import import_sections
from app.proposals.reading import TOPIC_LABELS
from app.web.templates import render

router = APIRouter(prefix="/admin/proposals")

TOPICS = [(t.value, TOPIC_LABELS[t]) for t in ProposalTopic]
SECTION_KINDS = [(SectionKind.text.value, N_("Tekst")), (SectionKind.question.value, N_("Vraag aan aanbieders"))]
# What the draft's page says after a form led back to it (``?saved=CODE``).
NOTICES = Notices(
    {
        "1": N_("Het voorstel is aangemaakt. Voeg nu de onderdelen toe."),
        "details": N_("De gegevens zijn opgeslagen."),
        "section": N_("Het onderdeel is opgeslagen."),
        "deleted": N_("Het onderdeel is verwijderd."),
        "feedback": N_("Opgeslagen."),
        "imported": N_("Het bestand is ingelezen: de onderdelen van het concept zijn vervangen."),
        "published": N_("Gepubliceerd. Alle deelnemers krijgen een e-mail."),
        "version": N_("Nieuwe conceptversie begonnen als kopie van de vorige."),
        "scheduled": N_("De planning van de publicatie is opgeslagen."),
    }
)


@dataclass(frozen=True)
class ProposalForm:
    topic: str
    title: str
    summary: str
    opens_at: str
    closes_at: str
    public: str

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self) -> manage.ProposalInput:
        opens, closes = parse_local(self.opens_at), parse_local(self.closes_at)
        return manage.ProposalInput(
            topic=self.topic,
            title=self.title,
            summary=self.summary,
            opens_at=opens,
            closes_at=closes,
            public=self.public == "1",
            opens_invalid=bool(self.opens_at.strip()) and opens is None,
            closes_invalid=bool(self.closes_at.strip()) and closes is None,
        )


def proposal_form(
    topic: Annotated[str, Form(max_length=40)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
    summary: Annotated[str, Form(max_length=20_000)] = "",
    opens_at: Annotated[str, Form(max_length=30)] = "",
    closes_at: Annotated[str, Form(max_length=30)] = "",
    public: Annotated[str, Form(max_length=5)] = "",
) -> ProposalForm:
    return ProposalForm(
        topic=topic, title=title, summary=summary, opens_at=opens_at, closes_at=closes_at, public=public
    )


@dataclass(frozen=True)
class SectionForm:
    heading: str
    body: str
    kind: str

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self) -> manage.SectionInput:
        return manage.SectionInput(heading=self.heading, body=self.body, kind=self.kind)


def section_form(
    heading: Annotated[str, Form(max_length=1000)] = "",
    body: Annotated[str, Form(max_length=200_000)] = "",
    kind: Annotated[str, Form(max_length=20)] = "text",
) -> SectionForm:
    return SectionForm(heading=heading, body=body, kind=kind)


ProposalFormDep = Annotated[ProposalForm, Depends(proposal_form)]
SectionFormDep = Annotated[SectionForm, Depends(section_form)]


@dataclass(frozen=True)
class SectionFormState(FormState):
    """A section form shown again: the one of the draft's section ``section_id``, or (None) the one adding a
    section."""

    section_id: int | None = None


def _values(p: Proposal) -> dict[str, str]:
    return {
        "topic": p.topic,
        "title": p.title,
        "summary": p.summary,
        "opens_at": local_input(p.opens_at),
        "closes_at": local_input(p.closes_at),
        "public": "1" if p.public else "",
    }


@router.get("", include_in_schema=False)
def proposals(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return render(request, "proposals/admin_list.html", {"title": _("Voorstellen"), "rows": manage.admin_rows(session)})


def _new_form(
    request: Request, session: Session, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "proposals/admin_new.html",
        {
            "title": _("Nieuw voorstel"),
            "values": values,
            "errors": errors,
            "topics": TOPICS,
            "dialogue_options": dialogues.choice_options(session),
        },
        status_code=status_code,
    )


@router.get("/new", include_in_schema=False)
def new_proposal(
    request: Request, session: SessionDep, admin: AdminUser, dialogue: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    chosen = dialogues.pick(session, dialogue)
    return _new_form(
        request, session, {"topic": ProposalTopic.product_structure.value, "dialogue_id": str(chosen.id)}, {}
    )


@router.post("", include_in_schema=False)
def create_proposal(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    form: ProposalFormDep,
    dialogue_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """A new proposal in the trajectory chosen in the form."""
    try:
        proposal = manage.create_proposal(session, form.to_input(), actor=admin, dialogue_ref=dialogue_id)
    except AppError as exc:
        values = {**form.values, "dialogue_id": dialogue_id}
        return _new_form(request, session, values, field_errors(exc), status_code=422)
    return RedirectResponse(f"/admin/proposals/{proposal.id}?saved=1", status_code=303)


def _detail(
    request: Request,
    session: Session,
    proposal: Proposal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    section_state: SectionFormState | None = None,
    feedback_error: tuple[int, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = pages.admin_page(session, proposal)
    return render(
        request,
        "proposals/admin_detail.html",
        {
            "title": proposal.title,
            "p": proposal,
            "versions": page.versions,
            "draft": page.draft,
            "sections": page.sections,
            "values": values or _values(proposal),
            "errors": errors or {},
            "section_state": section_state,
            "topics": TOPICS,
            "section_kinds": SECTION_KINDS,
            "notice": NOTICES.message(request.query_params.get("saved")),
            "window": page.window,
            "adoptable": page.adoptable,
            "feedback_error": feedback_error,
            "authorship": drafted.authorship(session, page.sections),
            "draft_publish_at": local_input(page.draft.publish_at) if page.draft else "",
        },
        status_code=status_code,
    )


@router.get("/{proposal_id}", include_in_schema=False)
def proposal(request: Request, session: SessionDep, drafter: DrafterUser, proposal_id: int) -> Response:
    """The proposal's details, its versions, and the draft being written."""
    return _detail(request, session, manage.get_proposal(session, proposal_id))


@router.post("/{proposal_id}", include_in_schema=False)
def update_proposal(
    request: Request, session: SessionDep, admin: AdminUser, proposal_id: int, form: ProposalFormDep
) -> Response:
    proposal = manage.get_proposal(session, proposal_id)
    try:
        manage.update_proposal(session, proposal, form.to_input(), actor=admin)
    except AppError as exc:
        session.refresh(proposal)
        return _detail(request, session, proposal, values=form.values, errors=field_errors(exc), status_code=422)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=details", status_code=303)


def _section_error(
    request: Request, session: Session, proposal: Proposal, section_id: int | None, form: SectionForm, exc: AppError
) -> Response:
    state = SectionFormState(values=form.values, errors=field_errors(exc), section_id=section_id)
    return _detail(request, session, proposal, section_state=state, status_code=422)


@router.post("/{proposal_id}/sections", include_in_schema=False)
def add_section(
    request: Request, session: SessionDep, drafter: DrafterUser, proposal_id: int, form: SectionFormDep
) -> Response:
    proposal = manage.get_proposal(session, proposal_id)
    try:
        section = manage.add_section(session, proposal, form.to_input(), actor=drafter)
    except AppError as exc:
        return _section_error(request, session, proposal, None, form, exc)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=section#edit-{section.id}", status_code=303)


@router.post("/{proposal_id}/sections/{section_id}", include_in_schema=False)
def update_section(
    request: Request, session: SessionDep, drafter: DrafterUser, proposal_id: int, section_id: int, form: SectionFormDep
) -> Response:
    proposal = manage.get_proposal(session, proposal_id)
    try:
        manage.update_section(session, proposal, section_id, form.to_input(), actor=drafter)
    except AppError as exc:
        return _section_error(request, session, proposal, section_id, form, exc)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=section#edit-{section_id}", status_code=303)


@router.post("/{proposal_id}/sections/{section_id}/delete", include_in_schema=False)
def delete_section(
    request: Request,
    session: SessionDep,
    drafter: DrafterUser,
    proposal_id: int,
    section_id: int,
    confirm: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Delete a section of the draft, after a page that asks (``confirm`` absent): its text is gone then."""
    proposal = manage.get_proposal(session, proposal_id)
    if confirm != "1":
        section = manage.draft_section(session, proposal, section_id)
        return render(
            request,
            "proposals/admin_section_delete.html",
            {"title": _("Onderdeel verwijderen"), "p": proposal, "section": section},
        )
    manage.delete_section(session, proposal, section_id, actor=drafter)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=deleted#sections", status_code=303)


@router.post("/{proposal_id}/sections/{section_id}/move", include_in_schema=False)
def move_section(
    request: Request,
    session: SessionDep,
    drafter: DrafterUser,
    proposal_id: int,
    section_id: int,
    form: SectionFormDep,
    direction: Annotated[str, Form(max_length=10)] = "",
    save: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Move a section up or down. The buttons sit in the section's form (``save``): what was typed in it is
    saved first, so reordering never loses an edit; when it cannot be saved, nothing moves and the form shows
    why."""
    proposal = manage.get_proposal(session, proposal_id)
    try:
        if save == "1":
            manage.update_section(session, proposal, section_id, form.to_input(), actor=drafter, only_changed=True)
    except AppError as exc:
        return _section_error(request, session, proposal, section_id, form, exc)
    manage.move_section(session, proposal, section_id, direction, actor=drafter)
    return RedirectResponse(f"/admin/proposals/{proposal_id}#edit-{section_id}", status_code=303)


@router.post("/{proposal_id}/sections/{section_id}/feedback/{comment_id}", include_in_schema=False)
def apply_feedback(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    proposal_id: int,
    section_id: int,
    comment_id: int,
    mode: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Put an adopted suggestion's text into the draft, or link/unlink a comment as worked in."""
    proposal = manage.get_proposal(session, proposal_id)
    try:
        manage.apply_feedback(session, proposal, section_id, comment_id, mode=mode, actor=admin)
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        rollback_now(session)
        message = next(iter(field_errors(exc).values())) if exc.errors else exc.detail
        return _detail(request, session, proposal, feedback_error=(comment_id, message), status_code=exc.status_code)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=feedback#edit-{section_id}", status_code=303)


@router.post("/{proposal_id}/import", include_in_schema=False)
def import_file(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    proposal_id: int,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Replace the draft's sections with the headings and text of a .docx or Markdown file."""
    proposal = manage.get_proposal(session, proposal_id)
    try:
        if file is None or not file.filename:
            raise SectionImportError(_("Kies een bestand: een Word-document (.docx) of Markdown (.md)."))
        content = file.file.read(MAX_DOCUMENT_BYTES + 1)
        imported = import_sections(file.filename, content)
        count = manage.import_into_draft(session, proposal, imported, filename=file.filename, actor=admin)
    except SectionImportError as exc:
        return _detail(request, session, proposal, errors={"file": str(exc)}, status_code=422)
    except AppError as exc:
        return _detail(request, session, proposal, errors=field_errors(exc), status_code=422)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=imported&count={count}#sections", status_code=303)


@router.post("/{proposal_id}/publish", include_in_schema=False)
def publish(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    proposal_id: int,
    change_summary: Annotated[str, Form(max_length=20_000)] = "",
    confirm: Annotated[str, Form(max_length=5)] = "",
    digest: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Publish the draft: immutable from now on; every participant gets a mail. Not undone, so first a page
    that shows exactly what goes out and to whom (``confirm`` absent); its one button publishes that content
    (``digest``). Changed meanwhile (a section edited, a participant added): the page again, saying so."""
    proposal = manage.get_proposal(session, proposal_id)
    try:
        check = manage.publish_check(session, proposal, change_summary=change_summary)
        if confirm != "1" or digest != check.digest:
            changed = confirm == "1"
            return render(
                request,
                "proposals/admin_publish_check.html",
                {"title": _("Controleer voor u publiceert"), "check": check, "changed": changed},
                status_code=409 if changed else 200,
            )
        manage.publish(session, proposal, change_summary=change_summary, actor=admin)
    except AppError as exc:
        values = {**_values(proposal), "change_summary": change_summary}
        return _detail(request, session, proposal, values=values, errors=field_errors(exc), status_code=422)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=published", status_code=303)


@router.post("/{proposal_id}/versions", include_in_schema=False)
def new_version(session: SessionDep, admin: AdminUser, proposal_id: int) -> Response:
    """Start the next version as a copy of the last one."""
    proposal = manage.get_proposal(session, proposal_id)
    manage.new_version(session, proposal, actor=admin)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=version#sections", status_code=303)


@router.post("/{proposal_id}/preview", include_in_schema=False)
def preview(drafter: DrafterUser, proposal_id: int, body: Annotated[str, Form(max_length=200_000)] = "") -> Response:
    """The Markdown of a section as it will look (sanitised): the live preview of the editor."""
    html = render_markdown(body, heading_offset=2) or f'<p class="note">{_("Nog geen tekst.")}</p>'
    return HTMLResponse(html, headers={"Vary": "HX-Request"})


@router.get("/{proposal_id}/answers", include_in_schema=False)
def answers(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    proposal_id: int,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> Response:
    """Per question to the providers: which participating providers answered and which did not."""
    answers_page = questions.answers_page(session, proposal_id, version)
    return render(
        request,
        "proposals/admin_answers.html",
        {
            "title": _("Antwoorden op de vragen"),
            "p": answers_page.proposal,
            "version": answers_page.version,
            "versions": answers_page.versions,
            "questions": answers_page.questions,
        },
    )


# --- publishing at a set moment (issue 17: releases) --------------------------------------------------------


@router.post("/{proposal_id}/publish-at", include_in_schema=False)
def schedule_publication(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    proposal_id: int,
    publish_at: Annotated[str, Form(max_length=40)] = "",
    change_summary: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Schedule the draft to be published on its own at ``publish_at`` (empty: no longer scheduled); the scheduler
    publishes it then, with the usual mail."""
    proposal = manage.get_proposal(session, proposal_id)
    moment = parse_local(publish_at)
    try:
        if publish_at.strip() and moment is None:
            raise invalid({"publish_at": _("Vul een geldige datum en tijd in.")})
        manage.schedule_publication(session, proposal, publish_at=moment, change_summary=change_summary, actor=admin)
    except AppError as exc:
        values = {**_values(proposal), "change_summary": change_summary, "publish_at": publish_at}
        return _detail(request, session, proposal, values=values, errors=field_errors(exc), status_code=422)
    return RedirectResponse(f"/admin/proposals/{proposal_id}?saved=scheduled", status_code=303)
