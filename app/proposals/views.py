"""HTML for reading proposals and commenting on them.

Without JavaScript every form posts and redirects back to the section (303). With htmx, posting, editing and
withdrawing answer with the section's thread only; an invalid comment answers 422 with its form, the error
next to the field and the text as typed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from app.accounts.deps import WebPrincipal, client_ip
from app.db import SessionDep, commit_now
from app.dialogues.service import trajectory_choice, trajectory_of
from app.feedback.context import CommentContext
from app.feedback.labels import KIND_LABELS
from app.feedback.window import window_message
from app.feedback.writing import CommentInput, reply_target
from app.kit import clock
from app.kit.errors import AppError, NotFound, field_errors
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.kit.tables import stacked_tables
from app.models import MAX_ID, Comment, CommentKind
from app.policy import Principal
from app.proposals import commenting, comparing, page_cache, pages, reading
from app.proposals.commenting import Changed, CommentRefused, ThreadPlace
from app.web.templates import is_htmx, render, templates

router = APIRouter()
# The proposal page's tables (a section's Markdown) stack on a phone: ``{{ html|stacked_tables(label) }}``.
templates.env.filters["stacked_tables"] = stacked_tables

KINDS = [(k.value, KIND_LABELS[k]) for k in CommentKind]
FORM_LIMIT = 50_000  # the service gives the real limits with a clear message


@dataclass(frozen=True)
class CommentForm:
    """The comment form as typed: shown again on an error, and the service's input."""

    kind: str = ""
    body: str = ""
    quote: str = ""
    suggested_text: str = ""
    parent_id: str = ""
    form_token: str = ""  # once-only: a resubmission returns the comment the first one made

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    @property
    def parent(self) -> int | None:
        return int(self.parent_id) if re.fullmatch(r"[0-9]{1,10}", self.parent_id.strip()) else None

    def to_input(self) -> CommentInput:
        parent = self.parent
        return CommentInput(
            body=self.body,
            kind=self.kind or None,
            quote=self.quote,
            suggested_text=self.suggested_text,
            parent_id=parent,
        )


def comment_form(
    kind: Annotated[str, Form(max_length=20)] = "",
    body: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
    quote: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
    suggested_text: Annotated[str, Form(max_length=FORM_LIMIT)] = "",
    parent_id: Annotated[str, Form(max_length=20)] = "",
    form_token: Annotated[str, Form(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")] = "",
) -> CommentForm:
    return CommentForm(
        kind=kind, body=body, quote=quote, suggested_text=suggested_text, parent_id=parent_id, form_token=form_token
    )


CommentFormDep = Annotated[CommentForm, Depends(comment_form)]


@dataclass(frozen=True)
class CommentFormState(FormState):
    """A comment form shown again: which one (a new comment on ``section_key``, a reply to ``parent_id``, or the
    edit of ``comment_id``), where it posts, and whether it stands on a page of its own."""

    section_key: str = ""
    parent_id: int | None = None
    comment_id: int | None = None  # an edit
    action: str = ""
    reply: bool = False  # the edited comment is a reply
    standalone: bool = False  # a page of its own (no htmx): the form posts as a plain form

    @property
    def edit(self) -> bool:
        return self.comment_id is not None

    @property
    def prefix(self) -> str:
        """The stem of the form's ids: "new-KEY", "reply-ID" or "edit-ID"."""
        if self.comment_id is not None:
            return f"edit-{self.comment_id}"
        return f"reply-{self.parent_id}" if self.parent_id else f"new-{self.section_key}"


def _form_errors(request: Request, exc: AppError) -> tuple[dict[str, str], int]:
    """Field errors (422), or for htmx a message for the whole form (e.g. the window just closed), so that
    it shows next to what was typed instead of nowhere; anything else goes to the error handler."""
    if exc.errors:
        errors = field_errors(exc)
        if "Idempotency-Key" in errors:  # the form was sent before with other text: say so above the form
            errors["form"] = errors.pop("Idempotency-Key")
        return errors, exc.status_code  # 422, or 429 when the writer's budget is spent
    if exc.user_message and is_htmx(request):
        return {"form": exc.detail}, exc.status_code
    raise exc


def _common(proposal_id: int) -> dict[str, object]:
    return {"kinds": KINDS, "pid": proposal_id}


# --- reading -------------------------------------------------------------------------------------


@router.get("/proposals", include_in_schema=False)
def proposals(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100, description="A trajectory's slug or id")] = "",
) -> Response:
    """The proposals (of one trajectory, or of all) with their status, topic and how long the comment window is
    still open."""
    choice = trajectory_choice(session, principal, dialogue or None)
    return render(
        request,
        "proposals/index.html",
        {
            "title": _("Voorstellen"),
            "rows": reading.list_proposals(session, principal, choice.dialogue_id),
            "now": clock.now(),
            "choice": choice,
        },
    )


def _with_trajectory(session: SessionDep, page: pages.ProposalPage) -> dict[str, object]:
    """The page's context with the trajectory the proposal belongs to (shown above its title)."""
    return {**_common(page.proposal.id or 0), "trajectory": trajectory_of(session, page.proposal.dialogue_id)}


@router.get("/proposals/{proposal_id}", include_in_schema=False)
def proposal(request: Request, session: SessionDep, principal: WebPrincipal, proposal_id: int) -> Response:
    """The current version: table of contents, sections, and the newest threads of each section."""
    page = pages.open_proposal_page(session, principal, proposal_id, None)
    return page_cache.render_page(request, session, page, _with_trajectory(session, page))


@router.get("/proposals/{proposal_id}/versions/{number}", include_in_schema=False)
def proposal_version(
    request: Request, session: SessionDep, principal: WebPrincipal, proposal_id: int, number: int
) -> Response:
    """An earlier version (admins: also the draft), as it was published."""
    if not 0 < number <= MAX_ID:
        raise NotFound("No such version.")
    page = pages.open_proposal_page(session, principal, proposal_id, number)
    return page_cache.render_page(request, session, page, _with_trajectory(session, page))


def _section_page(
    request: Request,
    sp: pages.SectionPage,
    *,
    form_state: CommentFormState | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "proposals/section.html",
        {
            "title": f"{sp.section.heading} · {sp.proposal.title}",
            "sp": sp,
            "form_state": form_state,
            **_common(sp.proposal.id or 0),
        },
        block="thread",
        status_code=status_code,
    )


@router.get("/proposals/{proposal_id}/sections/{key}", include_in_schema=False)
def section(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    proposal_id: int,
    key: str,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    version: Annotated[int | None, Query(ge=1, le=10_000, description="An earlier version")] = None,
) -> Response:
    """One section (of the current version, or of ``version``) with all its threads (50 per page); htmx gets
    the thread only."""
    return _section_page(request, pages.section_page(session, principal, proposal_id, key, number=version, page=page))


@router.get("/proposals/{proposal_id}/history", include_in_schema=False)
def version_history(request: Request, session: SessionDep, principal: WebPrincipal, proposal_id: int) -> Response:
    proposal, all_versions = reading.proposal_versions(session, principal, proposal_id)
    return render(
        request,
        "proposals/history.html",
        {
            "title": _("Versies van %(title)s", title=proposal.title),
            "proposal": proposal,
            "versions": all_versions,
            "current": reading.current_of(all_versions),
        },
    )


@router.get("/proposals/{proposal_id}/compare", include_in_schema=False)
def compare(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    proposal_id: int,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=10_000)] = None,
    to: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> Response:
    """Two versions section by section: added, removed, moved and changed sections, changes word by word."""
    c = comparing.compare(session, principal, proposal_id, from_, to)
    return render(
        request,
        "proposals/compare.html",
        {
            "title": _("Versies vergelijken"),
            "proposal": c.proposal,
            "versions": c.versions,
            "old": c.old,
            "new": c.new,
            "changes": c.changes,
            "counts": c.counts,
        },
    )


# --- writing ---------------------------------------------------------------------------------------


def _place(request: Request) -> ThreadPlace | None:
    """Where the browser shows the thread to answer with (htmx sends its address as HX-Current-URL); None for
    a plain browser, which is sent back to the thread instead."""
    if not is_htmx(request):
        return None
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    page = parse_qs(current.query).get("page", ["1"])[0]
    return ThreadPlace(path=current.path, page=int(page) if page.isdecimal() and len(page) < 6 else 1)


def _after_change(request: Request, session: SessionDep, changed: Changed) -> Response:
    """A plain browser goes back to the section, at the comment; htmx gets the section's thread as the
    browser shows it, with the changed comment's thread among it however old it is (it was on the screen: it
    must not vanish)."""
    if changed.thread is None:
        return RedirectResponse(_back(changed), status_code=303)
    commit_now(session)  # stored before the thread renders (see commit_now)
    return render(
        request,
        "proposals/thread.html",
        {
            "sp": changed.thread,
            "form_state": None,
            "full": changed.on_section_page,
            **_common(changed.context.proposal.id or 0),
        },
    )


def _back(changed: Changed) -> str:
    """Back to the section, at the comment: the page of the section's threads that holds it."""
    context, comment = changed.context, changed.comment
    version = f"&version={context.version.number}"
    return (
        f"/proposals/{context.proposal.id}/sections/{context.section.key}"
        f"?page={changed.thread_page}{version}#comment-{comment.id}"
    )


def _invalid_form(
    request: Request,
    session: SessionDep,
    principal: Principal,
    context: CommentContext,
    *,
    state: CommentFormState,
    status_code: int = 422,
    headers: dict[str, str] | None = None,
) -> Response:
    """An invalid comment: htmx gets its form again, a plain browser the section page with the form (422; 429
    with ``Retry-After`` when the writer posts too much too fast)."""
    prefix = state.prefix
    if is_htmx(request):
        return render(
            request,
            "proposals/comment_form.html",
            {"section": context.section, "state": state, **_common(context.proposal.id or 0)},
            status_code=status_code,
            headers={"HX-Retarget": f"#form-{prefix}", "HX-Reswap": "outerHTML", **(headers or {})},
        )
    sp = pages.section_page(session, principal, context.proposal.id or 0, context.section.key)
    page = _section_page(request, sp, form_state=state, status_code=status_code if status_code == 429 else 422)
    page.headers.update(headers or {})
    return page


@router.post("/proposals/{proposal_id}/sections/{key}/comments", include_in_schema=False)
def post_comment(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    proposal_id: int,
    key: str,
    form: CommentFormDep,
) -> Response:
    """A comment on a section, or a reply in one of its threads."""
    try:
        changed = commenting.post_comment(
            session,
            principal,
            proposal_id,
            key,
            form.to_input(),
            form_token=form.form_token,
            place=_place(request),
            ip=client_ip(request),
        )
    except CommentRefused as refused:
        errors, status_code = _form_errors(request, refused.error)
        # A reply whose comment is gone: show the message on the section's own form.
        state = CommentFormState(
            values=form.values,
            errors=errors,
            section_key=refused.context.section.key,
            parent_id=None if "parent_id" in errors else form.parent,
            action=str(request.url.path),
        )
        return _invalid_form(
            request,
            session,
            principal,
            refused.context,
            state=state,
            status_code=status_code,
            headers=refused.error.headers,
        )
    return _after_change(request, session, changed)


@router.get("/comments/{comment_id}", include_in_schema=False)
def comment_link(session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """A stable link to a comment: its place on the section's page."""
    return RedirectResponse(_back(commenting.locate(session, principal, comment_id)), status_code=303)


@router.get("/comments/{comment_id}/reply", include_in_schema=False)
def reply_form(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """The reply form of a thread. The proposal page loads it with htmx when "Reageren" opens (it does not
    carry 125 forms nobody opened); without JavaScript "Reageren" leads here, a page with the form."""
    try:
        comment, context = reply_target(session, principal, comment_id)
    except AppError as exc:
        if not (exc.user_message and is_htmx(request)):
            raise
        # In place of the form that cannot be: the reason, announced (not an error page inside the thread).
        return HTMLResponse(
            Markup('<p class="notice notice--warning" role="alert">{}</p>').format(exc.detail),
            status_code=exc.status_code,
        )
    return render(
        request,
        "proposals/comment_reply.html",
        {
            "title": _("Antwoorden"),
            "context": context,
            "comment": comment,
            "section": context.section,
            "state": CommentFormState(parent_id=comment.id, standalone=not is_htmx(request)),
            **_common(context.proposal.id or 0),
        },
        block="editor",
    )


@router.get("/comments/{comment_id}/edit", include_in_schema=False)
def edit_form(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """The edit form of one's own comment; htmx puts it in place of the comment."""
    comment, context = commenting.editable(session, principal, comment_id)
    form = CommentForm(
        kind=comment.kind or "",
        body=comment.body,
        quote=comment.quote or "",
        suggested_text=comment.suggested_text or "",
    )
    return _edit_page(request, context, comment, form, {})


def _edit_page(
    request: Request,
    context: CommentContext,
    comment: Comment,
    form: CommentForm,
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    state = CommentFormState(
        values=form.values,
        errors=errors,
        comment_id=comment.id,
        action=f"/comments/{comment.id}/edit",
        reply=comment.parent_id is not None,
        standalone=not is_htmx(request),
    )
    return render(
        request,
        "proposals/comment_edit.html",
        {
            "title": _("Reactie bewerken"),
            "context": context,
            "comment": comment,
            "section": context.section,
            "state": state,
            "message": window_message(context.proposal),
            **_common(context.proposal.id or 0),
        },
        block="editor",
        status_code=status_code,
        headers={"HX-Retarget": f"#form-{state.prefix}", "HX-Reswap": "outerHTML"} if errors else None,
    )


@router.post("/comments/{comment_id}/edit", include_in_schema=False)
def edit(
    request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int, form: CommentFormDep
) -> Response:
    """Save the edit (the text before is kept in the history)."""
    try:
        changed = commenting.edit(
            session, principal, comment_id, form.to_input(), place=_place(request), ip=client_ip(request)
        )
    except CommentRefused as refused:
        errors, status_code = _form_errors(request, refused.error)
        assert refused.comment is not None
        return _edit_page(request, refused.context, refused.comment, form, errors, status_code=status_code)
    return _after_change(request, session, changed)


@router.post("/comments/{comment_id}/withdraw", include_in_schema=False)
def withdraw(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """Withdraw one's own comment; the thread keeps a marker in its place."""
    changed = commenting.withdraw(session, principal, comment_id, place=_place(request), ip=client_ip(request))
    return _after_change(request, session, changed)


@router.get("/comments/{comment_id}/history", include_in_schema=False)
def comment_history(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """Earlier texts of an edited comment."""
    comment, context, revisions = commenting.history(session, principal, comment_id)
    return render(
        request,
        "proposals/comment_history.html",
        {
            "title": _("Geschiedenis van een reactie"),
            "comment": comment,
            "context": context,
            "revisions": revisions,
            "kind_labels": KIND_LABELS,
        },
    )
