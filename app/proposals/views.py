"""HTML for reading proposals and commenting on them.

Without JavaScript every form posts and redirects back to the section (303). With htmx, posting, editing and
withdrawing answer with the section's thread only; an invalid comment answers 422 with its form, the error
next to the field and the text as typed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2_fragments import render_block
from markupsafe import Markup
from sqlmodel import Session

from app.accounts.deps import WebPrincipal, client_ip
from app.db import SessionDep
from app.kit import i18n
from app.kit.errors import AppError, NotFound, field_errors
from app.kit.forms import FormState
from app.kit.i18n import gettext as _
from app.kit.pagination import PageParams
from app.models import Comment, CommentKind
from app.policy import Action, Principal, authorize
from app.proposals import page_cache, service
from app.proposals.diff import SectionText, compare_sections, summary
from app.web.security import csrf_token
from app.web.templates import is_htmx, render, templates

router = APIRouter()

KINDS = [(k.value, service.KIND_LABELS[k]) for k in CommentKind]
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

    def to_input(self) -> service.CommentInput:
        parent = self.parent
        return service.CommentInput(
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
def proposals(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """The proposals with their status, topic and how long the comment window is still open."""
    return render(
        request,
        "proposals/index.html",
        {"title": _("Voorstellen"), "rows": service.list_proposals(session, principal), "now": service.clock.now()},
    )


def _proposal_page(
    request: Request, session: Session, principal: Principal, proposal_id: int, number: int | None
) -> Response:
    proposal, all_versions, last_seen = service.proposal_with_versions(session, principal, proposal_id)
    page = service.proposal_page(principal, proposal, all_versions, number=number, last_seen=last_seen)
    sections_html, news = _sections_html(request, session, page)
    # Remember the visit when it changes what the next one marks "nieuw": the first visit, or one that showed
    # something new. A visit with nothing new leaves the row as it is, and the next visit marks the same.
    if page.is_current and (last_seen is None or news):
        service.mark_visited(session, principal, proposal)
        # Commit now: on SQLite the visit holds the database's write lock, which would otherwise last while
        # the page renders and make every other request that writes wait for it.
        session.commit()
    response = render(
        request,
        "proposals/detail.html",
        {"title": proposal.title, "page": page, "sections_html": Markup(SECTIONS_SLOT), **_common(proposal_id)},  # noqa: S704 - a constant
    )
    # The page around the sections is rendered as usual; the sections go in as the bytes they already are,
    # and the page is joined once.
    head, _slot, tail = bytes(response.body).partition(SECTIONS_SLOT.encode())
    response.body = b"".join([head, *sections_html, tail])
    response.headers["content-length"] = str(len(response.body))
    return response


SECTIONS_SLOT = "<!--dlg-sections-->"


def _render_sections(session: Session, page: service.ProposalPage, now: datetime) -> page_cache.Entry:
    """The cached part of the proposal page for ``page``'s kind of reader: no reader's own marks filled in."""
    generation = page_cache.cache.generation  # before reading: a change from now on makes this entry stale
    neutral = replace(page, reader=replace(page.reader, last_seen=None))
    views = service.section_views(session, neutral)
    html = render_block(
        templates.env,
        "proposals/detail.html",
        "sections",
        page=replace(neutral, sections=views, applied=service.applied_in(session, page.version)),
        form_state=None,
        cache_render=True,
        csrf_token=Markup(page_cache.CSRF_PLACEHOLDER),  # noqa: S704 - constants
        form_token_placeholder=Markup(page_cache.FORM_TOKEN_PLACEHOLDER),  # noqa: S704
        current_user=None,
        **_common(page.proposal.id or 0),
    )
    return page_cache.Entry(
        html=html,
        generation=generation,
        rendered_at=now,
        valid_until=service.next_change(session, page.proposal, now),
        sections=tuple((view.section.id or 0, view.section.key) for view in views),
        changed_keys=frozenset(view.section.key for view in views if view.changed),
    )


def _sections_html(request: Request, session: Session, page: service.ProposalPage) -> tuple[list[bytes], bool]:
    """The table of contents and the sections with their threads, from the shared cache (rendered on a miss),
    made personal for this reader; and whether anything on it is new to them."""
    now = service.clock.now()
    key = (
        page.version.id,
        page.reader.principal.role,
        page.may_comment,
        page.shows_comments,
        page.is_current,
        i18n.get_locale(),
    )
    entry = page_cache.cache.get(key, now)
    if entry is None:
        with page_cache.cache.lock(key):
            entry = page_cache.cache.get(key, now)  # rendered meanwhile by the request this one waited for
            if entry is None:
                entry = _render_sections(session, page, now)
                page_cache.cache.put(key, entry)
    token = csrf_token(request)
    marks = (
        service.reader_marks(session, page.reader, [sid for sid, _key in entry.sections])
        if page.shows_comments
        else service.ReaderMarks()
    )
    last_seen, published_at = page.reader.last_seen, page.version.published_at
    published_since = bool(last_seen and published_at and published_at > last_seen)
    fill: dict[tuple[str, str], str] = {}
    if marks.own or marks.new or published_since:
        macros = templates.env.get_template("proposals/_macros.html").make_module({"csrf_token": token})
        keys = dict(entry.sections)
        for comment_id, section_id in marks.own.items():
            fill[("own", f"{comment_id} {keys.get(section_id, '')}")] = str(
                macros.own_actions(comment_id, keys.get(section_id, ""))
            )
        for comment_id in marks.new:
            fill[("new", str(comment_id))] = str(macros.new_badge())
        for section_id, count in marks.new_per_section.items():
            key = keys.get(section_id, "")
            fill[("toc", key)] = fill[("tnew", key)] = str(macros.new_count(count))
        if published_since:
            for key in entry.changed_keys:
                fill[("snew", key)] = str(macros.section_new_badge())
                fill[("toc", key)] = str(macros.changed_badge())
    return page_cache.personalise(entry, token, fill), bool(marks.new or published_since)


@router.get("/proposals/{proposal_id}", include_in_schema=False)
def proposal(request: Request, session: SessionDep, principal: WebPrincipal, proposal_id: int) -> Response:
    """The current version: table of contents, sections, and the newest threads of each section."""
    return _proposal_page(request, session, principal, proposal_id, None)


@router.get("/proposals/{proposal_id}/versions/{number}", include_in_schema=False)
def proposal_version(
    request: Request, session: SessionDep, principal: WebPrincipal, proposal_id: int, number: int
) -> Response:
    """An earlier version (admins: also the draft), as it was published."""
    if not 0 < number <= service.MAX_ID:
        raise NotFound("No such version.")
    return _proposal_page(request, session, principal, proposal_id, number)


def _section_page(
    request: Request,
    session: Session,
    principal: Principal,
    proposal_id: int,
    key: str,
    *,
    page: int = 1,
    version: int | None = None,
    form_state: CommentFormState | None = None,
    status_code: int = 200,
) -> Response:
    proposal = service.get_proposal(session, principal, proposal_id)
    sp = service.section_thread(
        session, principal, proposal, key, number=version, page=PageParams(page=page, page_size=50)
    )
    return render(
        request,
        "proposals/section.html",
        {
            "title": f"{sp.section.heading} · {proposal.title}",
            "sp": sp,
            "form_state": form_state,
            **_common(proposal_id),
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
    return _section_page(request, session, principal, proposal_id, key, page=page, version=version)


@router.get("/proposals/{proposal_id}/history", include_in_schema=False)
def version_history(request: Request, session: SessionDep, principal: WebPrincipal, proposal_id: int) -> Response:
    proposal = service.get_proposal(session, principal, proposal_id)
    all_versions = service.versions(session, principal, proposal)
    return render(
        request,
        "proposals/history.html",
        {
            "title": _("Versies van %(title)s", title=proposal.title),
            "proposal": proposal,
            "versions": all_versions,
            "current": service.current_of(all_versions),
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
    proposal = service.get_proposal(session, principal, proposal_id)
    all_versions = service.versions(session, principal, proposal)
    if len(all_versions) < 2:
        raise NotFound("Er is nog maar één versie van dit voorstel.", user_message=True)
    new = service.pick_version(all_versions, to or all_versions[-1].number)
    old = service.pick_version(all_versions, from_ or max(1, new.number - 1))
    texts = {v.id: [] for v in (old, new)}  # type: dict[int | None, list[SectionText]]
    for s in service.sections_of(session, [old.id or 0, new.id or 0]):
        texts[s.version_id].append(SectionText(key=s.key, heading=s.heading, body=s.body, position=s.position))
    changes = compare_sections(texts[old.id], texts[new.id])
    return render(
        request,
        "proposals/compare.html",
        {
            "title": _("Versies vergelijken"),
            "proposal": proposal,
            "versions": all_versions,
            "old": old,
            "new": new,
            "changes": changes,
            "counts": summary(changes),
        },
    )


# --- writing ---------------------------------------------------------------------------------------


def _thread_fragment(
    request: Request, session: Session, principal: Principal, context: service.CommentContext, comment: Comment
) -> Response:
    """The section's thread after a change to ``comment``, as the browser shows it: on the section's own page
    (htmx sends its address as HX-Current-URL) that page of all threads, elsewhere the newest threads, with
    ``comment``'s thread among them however old it is (it was on the screen: it must not vanish)."""
    # The change is stored before the thread renders: on SQLite it holds the database's write lock, which
    # would otherwise last through the rendering and keep every other writer waiting (bench/load.py).
    session.commit()
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    on_section_page = current.path == f"/proposals/{context.proposal.id}/sections/{context.section.key}"
    page = parse_qs(current.query).get("page", ["1"])[0]
    sp = service.section_thread(
        session,
        principal,
        context.proposal,
        context.section.key,
        number=context.version.number,
        newest=None if on_section_page else service.NEWEST_THREADS,
        include=comment.parent_id or comment.id,
        page=PageParams(page=int(page) if page.isdecimal() and len(page) < 6 else 1, page_size=50),
    )
    return render(
        request,
        "proposals/thread.html",
        {"sp": sp, "form_state": None, "full": on_section_page, **_common(context.proposal.id or 0)},
    )


def _back(session: Session, principal: Principal, comment: Comment, context: service.CommentContext) -> str:
    """Back to the section, at the comment: the page of the section's threads that holds it."""
    page = service.thread_page(session, principal, comment)
    version = f"&version={context.version.number}"
    return f"/proposals/{context.proposal.id}/sections/{context.section.key}?page={page}{version}#comment-{comment.id}"


def _invalid_form(
    request: Request,
    session: Session,
    principal: Principal,
    context: service.CommentContext,
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
    page = _section_page(
        request,
        session,
        principal,
        context.proposal.id or 0,
        context.section.key,
        form_state=state,
        status_code=status_code if status_code == 429 else 422,
    )
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
    proposal = service.get_proposal(session, principal, proposal_id)
    all_versions = service.versions(session, principal, proposal)
    current = service.current_of(all_versions)
    if current is None:
        raise NotFound("No published version.")
    context = service.section_context(session, service.find_section(session, current, key).id or 0)
    try:
        comment, _new = service.create_comment(
            session,
            principal,
            context.section.id or 0,
            form.to_input(),
            idempotency_key=f"form:{form.form_token}" if form.form_token else None,
            ip=client_ip(request),
        )
    except AppError as exc:
        errors, status_code = _form_errors(request, exc)
        # A reply whose comment is gone: show the message on the section's own form.
        state = CommentFormState(
            values=form.values,
            errors=errors,
            section_key=context.section.key,
            parent_id=None if "parent_id" in errors else form.parent,
            action=str(request.url.path),
        )
        return _invalid_form(
            request,
            session,
            principal,
            context,
            state=state,
            status_code=status_code,
            headers=exc.headers,
        )
    if not is_htmx(request):
        return RedirectResponse(_back(session, principal, comment, context), status_code=303)
    return _thread_fragment(request, session, principal, context, comment)


@router.get("/comments/{comment_id}", include_in_schema=False)
def comment_link(session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """A stable link to a comment: its place on the section's page."""
    comment, context = service.get_comment(session, principal, comment_id)
    return RedirectResponse(_back(session, principal, comment, context), status_code=303)


@router.get("/comments/{comment_id}/reply", include_in_schema=False)
def reply_form(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """The reply form of a thread. The proposal page loads it with htmx when "Reageren" opens (it does not
    carry 125 forms nobody opened); without JavaScript "Reageren" leads here, a page with the form."""
    try:
        comment, context = service.reply_target(session, principal, comment_id)
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
    comment, context = service.get_comment(session, principal, comment_id)
    authorize(principal, Action.edit_own_comment, author_id=comment.author_id)
    form = CommentForm(
        kind=comment.kind or "",
        body=comment.body,
        quote=comment.quote or "",
        suggested_text=comment.suggested_text or "",
    )
    return _edit_page(request, context, comment, form, {})


def _edit_page(
    request: Request,
    context: service.CommentContext,
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
            "message": service.window_message(context.proposal),
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
    comment, context = service.get_comment(session, principal, comment_id)
    try:
        service.edit_comment(session, principal, comment, context, form.to_input(), ip=client_ip(request))
    except AppError as exc:
        errors, status_code = _form_errors(request, exc)
        return _edit_page(request, context, comment, form, errors, status_code=status_code)
    if not is_htmx(request):
        return RedirectResponse(_back(session, principal, comment, context), status_code=303)
    return _thread_fragment(request, session, principal, context, comment)


@router.post("/comments/{comment_id}/withdraw", include_in_schema=False)
def withdraw(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """Withdraw one's own comment; the thread keeps a marker in its place."""
    comment, context = service.get_comment(session, principal, comment_id)
    service.withdraw_comment(session, principal, comment, context, ip=client_ip(request))
    if not is_htmx(request):
        return RedirectResponse(_back(session, principal, comment, context), status_code=303)
    return _thread_fragment(request, session, principal, context, comment)


@router.get("/comments/{comment_id}/history", include_in_schema=False)
def comment_history(request: Request, session: SessionDep, principal: WebPrincipal, comment_id: int) -> Response:
    """Earlier texts of an edited comment."""
    comment, context = service.get_comment(session, principal, comment_id)
    return render(
        request,
        "proposals/comment_history.html",
        {
            "title": _("Geschiedenis van een reactie"),
            "comment": comment,
            "context": context,
            "revisions": service.comment_history(session, principal, comment),
            "kind_labels": service.KIND_LABELS,
        },
    )
