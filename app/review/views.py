"""HTML for reviewers: the review dashboard, a comment's review page, overviews, exports and the response report.

Municipality reviewers and SDFL read everything here, add internal notes and (municipalities) positions; only
SDFL admins triage: status, official replies, the release, the agenda. Every form works without JavaScript
(POST, then 303 back to where it came from); htmx swaps the dashboard's results and a row in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import WebPrincipal, client_ip
from app.db import SessionDep, rollback_now
from app.dialogues import manage as dialogues
from app.feedback import notes, positions
from app.feedback import release as releasing
from app.feedback import triage as triaging
from app.feedback.labels import KIND_LABELS, STANCE_LABELS, STATUS_LABELS
from app.kit import clock
from app.kit.dates import parse_local
from app.kit.errors import N_, AppError, Unauthorized, field_errors, invalid
from app.kit.i18n import gettext as _
from app.kit.notices import announce
from app.kit.pagination import PageParams
from app.models import CommentKind, CommentStatus, Dialogue, StakeholderGroup, Stance, is_valid_id
from app.policy import Action, Principal, authorize, can
from app.review import agenda
from app.review import dashboard as boards
from app.review import filters as filtering
from app.review import overview as overviews
from app.review import report as reports
from app.review.export import export_file
from app.review.purchase import purchase_options
from app.web.templates import is_htmx, render

router = APIRouter(prefix="/review")
mine = APIRouter()

KINDS = [(k.value, KIND_LABELS[k]) for k in CommentKind]
STATUSES = [(s.value, STATUS_LABELS[s.value]) for s in CommentStatus]
STANCES = [(s.value, STANCE_LABELS[s]) for s in Stance]
PAGE_SIZE = 25


def require_reviewer(principal: WebPrincipal) -> Principal:
    authorize(principal, Action.review)
    return principal


Reviewer = Annotated[Principal, Depends(require_reviewer)]


def _common(principal: Principal) -> dict[str, object]:
    return {
        "kinds": KINDS,
        "statuses": STATUSES,
        "stances": STANCES,
        "sort_labels": filtering.SORT_LABELS,
        "may_triage": can(principal, Action.triage),
        "may_position": can(principal, Action.take_position),
        "my_municipality": principal.user.municipality_id if principal.user else None,
    }


def _safe_back(back: str) -> str:
    """Only a query string of the dashboard: never an address elsewhere."""
    back = (back or "").lstrip("?")
    filters, _errors = filtering.parse_filter(dict(_pairs(back)))
    return "/review" + (f"?{filters.query_string()}" if filters.active or filters.sort != "newest" else "")


def _pairs(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=False)[:40]


def _page_number(query: Mapping[str, str]) -> int:
    raw = query.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100_000 else 1


def _dashboard(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    query: Mapping[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    """The dashboard for ``query`` (the request's own by default; after a failed POST, the filter it came from)."""
    query = request.query_params if query is None else query
    filters, filter_errors = filtering.parse_filter(query)
    page = PageParams(page=_page_number(query), page_size=PAGE_SIZE)
    shown = boards.dashboard_page(session, principal, filters, page)
    context = {
        "title": dashboard_title(filters, shown.options, page.page),
        "board": shown.board,
        "filters": filters,
        "filter_errors": filter_errors,
        "errors": errors or {},
        "notice": notice or _notice(request),
        "options": purchase_options(shown.options, filters.municipality_id),
        "pending": shown.pending,
        "agenda_choices": shown.agenda_choices,
        **_common(principal),
    }
    # htmx pushes the form as sent (every empty field too); push the clean address of this filter instead.
    clean = "/review" + (f"?{filters.query_string()}" if filters.params() else "")
    return render(
        request,
        "review/dashboard.html",
        context,
        block="results",
        status_code=422 if filter_errors and status_code == 200 else status_code,
        headers={"HX-Push-Url": clean} if is_htmx(request) and request.method == "GET" else None,
    )


def dashboard_title(filters: filtering.ReviewFilter, options: filtering.Options, page: int) -> str:
    """The dashboard's page title: "Beoordelen" and what the filter chose, so that every filtered list (each has
    its own URL) has a title of its own."""
    named = {
        "dialogue_id": dict(options.dialogues),
        "proposal_id": {pid: title for pid, title, _newest in options.proposals},
        "provider_id": dict(options.providers),
        "municipality_id": dict(options.municipalities),
    }
    parts: list[str] = [f"“{filters.q}”"] if filters.q else []
    for name, names in named.items():
        value = getattr(filters, name)
        if value is not None:
            parts.append(names.get(value, str(value)))
    if filters.version:
        parts.append(_("versie %(n)s", n=filters.version))
    if filters.section:
        parts.append(dict(options.sections).get(filters.section, filters.section))
    labels = {"group": dict(options.groups), "kind": dict(KINDS), "status": dict(STATUSES)}
    for name, known in labels.items():
        value = getattr(filters, name)
        if value:
            parts.append(_(known[value]) if value in known else value)
    if filters.answered is not None:
        parts.append(_("beantwoord") if filters.answered else _("niet beantwoord"))
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or ''}–{filters.date_to or ''}")
    if filters.sort != "newest":
        parts.append(_(filtering.SORT_LABELS.get(filters.sort, filters.sort)))
    if page > 1:
        parts.append(_("pagina %(n)s", n=page))
    return _("Beoordelen") + (f": {', '.join(parts)}" if parts else "")


NOTICES = {
    "status": N_("De beoordeling is opgeslagen."),
    "bulk": N_("De beoordeling van de geselecteerde reacties is opgeslagen."),
    "agenda": N_("De reacties staan op de agenda en hebben de beoordeling ‘bespreken in sessie’."),
    "released": N_("De antwoorden en beoordelingen zijn vrijgegeven."),
    "scheduled": N_("De antwoorden en beoordelingen worden op het gekozen moment vrijgegeven."),
    "note": N_("De notitie is opgeslagen."),
    "position": N_("Het standpunt is opgeslagen."),
}


def _notice(request: Request) -> str:
    key = request.query_params.get("done", "")
    return _(NOTICES[key]) if key in NOTICES else ""


@router.get("", include_in_schema=False)
def dashboard(request: Request, session: SessionDep, principal: Reviewer) -> Response:
    """All feedback, filtered; htmx gets the results only (the URL is pushed, so it can be shared)."""
    return _dashboard(request, session, principal)


@router.get("/export", include_in_schema=False)
def export(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    format: Annotated[str, Query(max_length=10)] = "csv",
) -> Response:
    """The current filter as CSV or XLSX."""
    filters, errors = filtering.parse_filter(request.query_params)
    if errors:  # never export more than the filter asked for
        raise invalid(errors)
    export = export_file(session, principal, filters, format)
    return Response(export.body, media_type=export.media_type, headers=export.headers)


# --- one comment ---------------------------------------------------------------------------------


def _comment_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    comment_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shown = boards.comment_page(session, principal, comment_id)
    return render(
        request,
        "review/comment.html",
        {
            "title": _("Reactie %(id)s beoordelen", id=comment_id),
            "row": shown.row,
            "thread": shown.thread,
            "draft": shown.draft,
            "errors": errors or {},
            "values": values or {},
            "notice": _notice(request),
            "back": _safe_back(request.query_params.get("back", "")),
            "agenda_choices": shown.agenda_choices,
            **_common(principal),
        },
        status_code=status_code,
    )


@router.get("/comments/{comment_id}", include_in_schema=False)
def comment(request: Request, session: SessionDep, principal: Reviewer, comment_id: int) -> Response:
    return _comment_page(request, session, principal, comment_id)


def _back_to_comment(comment_id: int, done: str, back: str) -> RedirectResponse:
    query = urlencode({"done": done, **({"back": back.split("?", 1)[1]} if "?" in back else {})})
    return RedirectResponse(f"/review/comments/{comment_id}?{query}", status_code=303)


def _row_fragment(
    request: Request, session: SessionDep, principal: Principal, comment_id: int, *, error: str = "", code: int = 200
) -> Response:
    row = boards.get_feedback(session, principal, comment_id)
    status = _(STATUS_LABELS.get(row.comment.status, row.comment.status))
    message = error or _("Status gewijzigd naar ‘%(status)s’.", status=status)
    return render(
        request,
        "review/_row.html",
        {"row": row, "row_error": error, "back": "", **_common(principal)},
        status_code=code,
        headers=announce(message, focus=f"#status-{comment_id}"),
    )


@router.post("/comments/{comment_id}/triage", include_in_schema=False)
def triage(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    comment_id: int,
    status: Annotated[str, Form(max_length=40)] = "",
    reply: Annotated[str | None, Form(max_length=20_000)] = None,
    back: Annotated[str, Form(max_length=2_000)] = "",
    inline: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Set the status and/or the drafted official reply. ``inline`` forms come from a dashboard row."""
    try:
        triaging.triage(session, principal, comment_id, status=status or None, reply=reply, ip=client_ip(request))
    except AppError as exc:
        errors = field_errors(exc)
        rollback_now(session)
        if inline and is_htmx(request):
            message = errors.get("reply") or errors.get("status") or next(iter(errors.values()))
            return _row_fragment(request, session, principal, comment_id, error=message, code=422)
        values = {"status": status, "reply": reply or ""}
        return _comment_page(request, session, principal, comment_id, errors=errors, values=values, status_code=422)
    if inline and is_htmx(request):
        session.flush()
        return _row_fragment(request, session, principal, comment_id)
    if inline:
        return RedirectResponse(_with_done(_safe_back(back), "status") + f"#row-{comment_id}", status_code=303)
    return _back_to_comment(comment_id, "status", _safe_back(back))


def _on_comment_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    comment_id: int,
    action: Callable[[], object],
    *,
    values: dict[str, str],
    done: str,
    back: str,
) -> Response:
    """Run a form's ``action`` for one comment: back to its page with a notice, or (field errors) that page
    again with the errors next to the fields and the values as typed. Other errors go to the error pages."""
    try:
        action()
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(session)
        errors = field_errors(exc)
        # 422 for a field to correct; 429 (with Retry-After) when the writer's budget is spent: the text stays.
        page = _comment_page(
            request, session, principal, comment_id, errors=errors, values=values, status_code=exc.status_code
        )
        page.headers.update(exc.headers)
        return page
    return _back_to_comment(comment_id, done, _safe_back(back))


def _with_done(url: str, done: str) -> str:
    return url + ("&" if "?" in url else "?") + f"done={done}"


@router.post("/comments/{comment_id}/notes", include_in_schema=False)
def add_note(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    comment_id: int,
    note: Annotated[str, Form(max_length=20_000)] = "",
    back: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    return _on_comment_page(
        request,
        session,
        principal,
        comment_id,
        lambda: notes.add_note(session, principal, comment_id, note, ip=client_ip(request)),
        values={"note": note},
        done="note",
        back=back,
    )


@router.post("/comments/{comment_id}/position", include_in_schema=False)
def set_position(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    comment_id: int,
    stance: Annotated[str, Form(max_length=20)] = "",
    position_note: Annotated[str, Form(max_length=20_000)] = "",
    back: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Mark the comment relevant for the reviewer's municipality with a stance; an empty stance unmarks it."""
    return _on_comment_page(
        request,
        session,
        principal,
        comment_id,
        lambda: positions.set_position(session, principal, comment_id, stance, position_note, ip=client_ip(request)),
        values={"stance": stance, "position_note": position_note},
        done="position",
        back=back,
    )


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() and is_valid_id(int(raw)) else None


@router.post("/comments/{comment_id}/agenda", include_in_schema=False)
def to_agenda(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    comment_id: int,
    agenda_item_id: Annotated[str, Form(max_length=20)] = "",
    session_id: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=1_000)] = "",
    back: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    return _on_comment_page(
        request,
        session,
        principal,
        comment_id,
        lambda: agenda.put_on_agenda(
            session,
            principal,
            [comment_id],
            agenda_item_id=_int_or_none(agenda_item_id),
            session_id=_int_or_none(session_id),
            title=title,
            ip=client_ip(request),
        ),
        values={"agenda_item_id": agenda_item_id, "session_id": session_id, "title": title},
        done="agenda",
        back=back,
    )


@router.post("/bulk", include_in_schema=False)
def bulk(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    ids: Annotated[list[str] | None, Form(max_length=20)] = None,
    action: Annotated[str, Form(max_length=20)] = "status",
    status: Annotated[str, Form(max_length=40)] = "",
    agenda_item_id: Annotated[str, Form(max_length=20)] = "",
    session_id: Annotated[str, Form(max_length=20)] = "",
    title: Annotated[str, Form(max_length=1_000)] = "",
    back: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """A status, or a place on a session's agenda, for every selected comment at once (all or nothing)."""
    authorize(principal, Action.triage)
    chosen = [i for i in (_int_or_none(raw) for raw in ids or []) if i is not None]
    target = _safe_back(back)
    try:
        if action == "agenda":
            agenda.put_on_agenda(
                session,
                principal,
                chosen,
                agenda_item_id=_int_or_none(agenda_item_id),
                session_id=_int_or_none(session_id),
                title=title,
                ip=client_ip(request),
            )
            done = "agenda"
        else:
            if not status:
                raise invalid({"status": _("Kies de beoordeling voor de geselecteerde reacties.")})
            triaging.bulk_status(session, principal, chosen, status, ip=client_ip(request))
            done = "bulk"
    except AppError as exc:
        if not exc.errors:
            raise
        rollback_now(session)
        query = dict(_pairs(target.partition("?")[2]))
        return _dashboard(request, session, principal, query=query, errors=field_errors(exc), status_code=422)
    return RedirectResponse(_with_done(target, done), status_code=303)


# --- the release and its sign-off (issue 17) ----------------------------------------------------------------

CHECK_NOTICES = {
    "released": N_("De antwoorden en beoordelingen zijn vrijgegeven."),
    "scheduled": N_("De antwoorden en beoordelingen worden op het gekozen moment vrijgegeven."),
    "approve": N_("Uw akkoord is vastgelegd."),
    "object": N_("Uw bezwaar is vastgelegd. SDFL ziet het bij de vrijgave."),
    "override": N_("Vrijgegeven zonder akkoord van alle gemeenten: de reden staat in het auditlog."),
    "asked": N_("De gemeenten is per e-mail om akkoord gevraagd."),
}


def _check_url(slug: str, done: str = "") -> str:
    return f"/review/release/check?dialogue={slug}" + (f"&done={done}" if done else "")


def _check_page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    dialogue: Dialogue,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    shown = releasing.check(session, principal, dialogue)
    done = request.query_params.get("done", "") if request.method == "GET" else ""
    user = principal.user
    required_ids = {s.municipality.id for s in shown.signoff.standings}
    return render(
        request,
        "review/release_check.html",
        {
            "title": _("Vrijgave controleren"),
            "dialogue": dialogue,
            "check": shown,
            "dialogue_options": [(d.slug, d.title) for d in dialogues.choices(session)],
            "errors": errors or {},
            "values": values or {},
            "notice": _(CHECK_NOTICES[done]) if done in CHECK_NOTICES else "",
            # A municipality's reviewer decides when their municipality's approval is required.
            "may_decide": can(principal, Action.sign_off) and user is not None and user.municipality_id in required_ids,
            "statuses": dict(STATUSES),
        },
        status_code=status_code,
    )


def _check_failed(
    request: Request,
    session: SessionDep,
    principal: Principal,
    dialogue: Dialogue,
    exc: AppError,
    field: str,
    values: dict[str, str],
) -> Response:
    """The check page again after a refused form: the error next to the field it is about, the text kept."""
    rollback_now(session)
    errors = field_errors(exc) if exc.errors else {field: exc.detail}
    return _check_page(request, session, principal, dialogue, errors=errors, values=values, status_code=exc.status_code)


@router.get("/release/check", include_in_schema=False)
def release_check(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Check before you release: exactly what the release of one trajectory would publish, the standings of the
    required municipalities, their approve/object form, and SDFL's override and release."""
    authorize(principal, Action.view_prepared)
    return _check_page(request, session, principal, dialogues.pick(session, dialogue))


@router.post("/release/check/decision", include_in_schema=False)
def release_decision(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue_id: Annotated[str, Form(max_length=20)] = "",
    digest: Annotated[str, Form(max_length=64)] = "",
    decision: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """A required municipality approves, or objects with a note, to what it was shown."""
    authorize(principal, Action.sign_off)
    chosen = dialogues.chosen(session, dialogue_id)
    try:
        releasing.decide(session, principal, chosen, digest=digest, decision=decision, note=note)
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return _check_failed(request, session, principal, chosen, exc, "decision", {"note": note})
    return RedirectResponse(_check_url(chosen.slug, decision), status_code=303)


@router.post("/release/check/override", include_in_schema=False)
def release_override(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue_id: Annotated[str, Form(max_length=20)] = "",
    digest: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """SDFL releases without every approval, with a written reason (recorded in the audit trail)."""
    authorize(principal, Action.override_signoff)
    chosen = dialogues.chosen(session, dialogue_id)
    try:
        releasing.override(session, principal, chosen, digest=digest, reason=reason)
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return _check_failed(request, session, principal, chosen, exc, "reason", {"reason": reason})
    return RedirectResponse(_check_url(chosen.slug, "override"), status_code=303)


@router.post("/release/check/ask", include_in_schema=False)
def release_ask(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """SDFL asks the required municipalities by mail to check and approve."""
    authorize(principal, Action.manage)
    chosen = dialogues.chosen(session, dialogue_id)
    try:
        releasing.ask(session, principal, chosen)
    except AppError as exc:
        if exc.status_code != 409:
            raise
        return _check_failed(request, session, principal, chosen, exc, "ask", {})
    return RedirectResponse(_check_url(chosen.slug, "asked"), status_code=303)


@router.post("/release", include_in_schema=False)
def release(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    release_at: Annotated[str, Form(max_length=30)] = "",
    dialogue_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Release every drafted official reply and pending decision of one trajectory (``dialogue_id``; empty: the
    current one) together, now or at a chosen moment; refused until the required municipalities approved."""
    authorize(principal, Action.triage)
    chosen = dialogues.chosen(session, dialogue_id)
    moment = parse_local(release_at) if release_at.strip() else None
    try:
        if release_at.strip() and moment is None:
            raise invalid({"release_at": _("Vul een geldige datum en tijd in.")})
        releasing.release(session, principal, moment, dialogue=chosen, ip=client_ip(request))
    except AppError as exc:
        if exc.status_code not in (409, 422):
            raise
        return _check_failed(request, session, principal, chosen, exc, "release_at", {"release_at": release_at})
    done = "scheduled" if moment and moment > clock.now() else "released"
    return RedirectResponse(_check_url(chosen.slug, done), status_code=303)


# --- overviews and the response report ---------------------------------------------------------------


def _version_param(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= 10_000 else None


@router.get("/overview", include_in_schema=False)
def overview(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    proposal_id: Annotated[str, Query(max_length=20)] = "",
    version: Annotated[str, Query(max_length=10)] = "",
    dialogue_id: Annotated[str, Query(max_length=20)] = "",
    group: Annotated[str, Query(max_length=30)] = "",
) -> Response:
    """Counts per section × kind and × status, what is unreviewed, participation per provider and feedback per
    stakeholder group (of one trajectory's proposals, of one group's feedback when chosen)."""
    chosen_dialogue = _int_or_none(dialogue_id)
    view, options = overviews.overview_page(
        session,
        principal,
        _int_or_none(proposal_id),
        _version_param(version),
        dialogue_id=chosen_dialogue,
        group=group if group in StakeholderGroup.__members__ else None,
    )
    return render(
        request,
        "review/overview.html",
        {
            "title": _("Overzicht van de reacties"),
            "view": view,
            "options": options,
            "dialogue_id": chosen_dialogue,
            **_common(principal),
        },
    )


@router.get("/report", include_in_schema=False)
def report(
    request: Request,
    session: SessionDep,
    principal: Reviewer,
    proposal_id: Annotated[str, Query(max_length=20)] = "",
    version: Annotated[str, Query(max_length=10)] = "",
    anonymous: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    """Every comment on a version with SDFL's released answer, grouped by section (optionally without names)."""
    rep = reports.report_for(
        session,
        principal,
        _int_or_none(proposal_id),
        _version_param(version),
        anonymous=anonymous == "1",
        fallback=True,  # the form's version may be of the proposal chosen before: its newest, with a note
    )
    query = urlencode({"proposal_id": rep.proposal.id, "version": rep.version.number, "anonymous": anonymous or ""})
    return render(
        request,
        "review/report.html",
        {
            "title": _("Reactierapport"),
            "report": rep,
            "pdf_query": query,
            "proposals": reports.proposal_choices(session),
            "versions": [(v.number, _("Versie %(n)s", n=v.number)) for v in rep.versions],
            **_common(principal),
        },
    )


@router.get("/report.pdf", include_in_schema=False)
def report_pdf(
    session: SessionDep,
    principal: Reviewer,
    proposal_id: Annotated[str, Query(max_length=20)] = "",
    version: Annotated[str, Query(max_length=10)] = "",
    anonymous: Annotated[str, Query(max_length=5)] = "",
) -> Response:
    body, name = reports.report_file(
        session, principal, _int_or_none(proposal_id), _version_param(version), anonymous=anonymous == "1"
    )
    return Response(
        body, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# --- what became of my comments (every participant) -------------------------------------------------


@mine.get("/my/comments", include_in_schema=False)
def my_comments(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    """A participant's own feedback with what SDFL did with it: decision, answer, agenda, next version."""
    if principal.user is None:
        raise Unauthorized("Sign in first.")
    board = boards.my_feedback(session, principal, PageParams(page=_page_number(request.query_params), page_size=50))
    return render(request, "review/mine.html", {"title": _("Mijn reacties"), "board": board})
