"""HTML: sign in and out, the account page, setting a password from a mailed link, password reset."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.accounts import notification_settings, password_links, service
from app.accounts.deps import SESSION_COOKIE, CurrentUser, SignedInUser, client_ip
from app.config import get_settings
from app.db import SessionDep, commit_now, rollback_now
from app.kit.errors import AppError, TooManyRequests, field_errors
from app.kit.i18n import gettext as _
from app.models import Municipality, Provider, Role
from app.policy import Action, Principal, can
from app.web.templates import render

log = logging.getLogger("dialoog.accounts")
router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only paths on this site: no other hosts, no scheme tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


# Where signing in lands when no page asked for it: the personal overview of what waits for the user.
AFTER_SIGN_IN = "/overzicht"


def landing(target: str | None) -> str:
    """Where to go after signing in: the page that sent the user here (``next``, on this site), else the overview."""
    return safe_next(target) if target else AFTER_SIGN_IN


def _login_page(
    request: Request,
    *,
    email: str = "",
    next_url: str = "/",
    error: str = "",
    reset_hint: bool = False,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "accounts/login.html",
        {"title": _("Inloggen"), "email": email, "next": next_url, "error": error, "reset_hint": reset_hint},
        status_code=status_code,
        headers=headers,
        block="content",
    )


@router.get("/login", include_in_schema=False)
def login_form(request: Request, user: CurrentUser, next: str | None = None) -> Response:
    if user is not None:
        return RedirectResponse(landing(next), status_code=303)
    return _login_page(request, next_url=safe_next(next) if next else "")


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    next_url = safe_next(next) if next else ""  # kept in the form when signing in fails
    try:
        user = service.authenticate(session, email=email, password=password, ip=client_ip(request))
    except TooManyRequests as exc:
        return _login_page(
            request,
            email=email,
            next_url=next_url,
            error=exc.detail,
            reset_hint=True,
            status_code=429,
            headers=exc.headers,
        )
    except service.LoginFailed:
        return _login_page(
            request,
            email=email,
            next_url=next_url,
            status_code=400,
            error=_("Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw."),
        )
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        service.end_session(session, previous)  # a new session id at every sign-in
    token = service.start_session(session, user, ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    response = RedirectResponse(landing(next_url), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        max_age=int(service.SESSION_MAX.total_seconds()),
        path="/",
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    service.end_session(session, request.cookies.get(SESSION_COOKIE), user=user, ip=client_ip(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=get_settings().secure_cookies
    )
    return response


def _account_page(
    request: Request,
    session: Session,
    user: SignedInUser,
    *,
    chosen: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    principal: Principal = request.state.principal  # with its invitation: access follows it
    allowed = {action.value: can(principal, action, provider_id=user.provider_id) for action in Action}
    return render(
        request,
        "accounts/account.html",
        {
            "title": _("Mijn account"),
            "user": user,
            "allowed": allowed,
            "role_name": service.ROLE_NAMES.get(user.role, service.ROLE_NAMES[Role.provider]),
            "provider": session.get(Provider, user.provider_id) if user.provider_id else None,
            "municipality": session.get(Municipality, user.municipality_id) if user.municipality_id else None,
            "notification_kinds": [
                (info, notification_settings.modes_for(info.kind)) for info in notification_settings.KINDS
            ],
            "notification_modes": notification_settings.MODE_LABELS,
            "notification_choices": chosen or notification_settings.preferences(session, user.id or 0),
            "notification_errors": errors or {},
            "notifications_saved": request.query_params.get("saved") == "notifications",
        },
        status_code=status_code,
    )


@router.get("/account", include_in_schema=False)
def account(request: Request, session: SessionDep, user: SignedInUser) -> Response:
    return _account_page(request, session, user)


@router.post("/account/notifications", include_in_schema=False)
async def save_notification_settings(request: Request, session: SessionDep, user: SignedInUser) -> Response:
    """Per kind of notification: at once, in the daily digest, or off (not for what procurement requires)."""
    form = await request.form()
    choices = {
        info.kind: str(form.get(f"notify_{info.kind}"))[:20]
        for info in notification_settings.KINDS
        if form.get(f"notify_{info.kind}") is not None
    }
    try:
        notification_settings.save(session, user, choices, ip=client_ip(request))
    except AppError as exc:
        if exc.status_code != 422:
            raise
        rollback_now(session)
        current = notification_settings.preferences(session, user.id or 0)
        return _account_page(
            request, session, user, chosen={**current, **choices}, errors=field_errors(exc), status_code=422
        )
    return RedirectResponse("/account?saved=notifications#berichten", status_code=303)


@router.get("/account/set-password/{token}", include_in_schema=False)
def set_password_form(request: Request, session: SessionDep, token: str) -> Response:
    _token, user = password_links.token_user(session, token)
    return render(
        request,
        "accounts/set_password.html",
        {"title": _("Wachtwoord instellen"), "token": token, "user": user, "errors": {}},
    )


@router.post("/account/set-password/{token}", include_in_schema=False)
def set_password(
    request: Request,
    session: SessionDep,
    token: str,
    password: Annotated[str, Form(max_length=2048)] = "",
    password_confirm: Annotated[str, Form(max_length=2048)] = "",
) -> Response:
    try:
        password_links.set_password_with_token(session, token, password, password_confirm)
    except AppError as exc:
        if exc.status_code != 422:
            raise
        _token, user = password_links.token_user(session, token)
        errors = field_errors(exc)
        return render(
            request,
            "accounts/set_password.html",
            {"title": _("Wachtwoord instellen"), "token": token, "user": user, "errors": errors},
            status_code=422,
            block="content",
        )
    return RedirectResponse("/login?password=set", status_code=303)


@router.get("/password-reset", include_in_schema=False)
def password_reset_form(request: Request) -> Response:
    return render(
        request,
        "accounts/password_reset.html",
        {"title": _("Wachtwoord vergeten"), "sent": False, "email": "", "errors": {}},
    )


@router.post("/password-reset", include_in_schema=False)
def password_reset(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    ip = client_ip(request)
    try:
        password_links.count_password_reset(session, email=email, ip=ip)
    except TooManyRequests as exc:
        return render(
            request,
            "accounts/password_reset.html",
            {"title": _("Wachtwoord vergeten"), "sent": False, "email": email, "errors": field_errors(exc)},
            status_code=429,
            headers=exc.headers,
            block="content",
        )
    # The same answer whether or not the address is known (no user enumeration), and at the same moment: the
    # lookup, the link and the mail happen after it has been sent.
    background.add_task(_mail_reset_link, session, email=email, ip=ip)
    return render(
        request, "accounts/password_reset.html", {"title": _("Wachtwoord vergeten"), "sent": True}, block="content"
    )


def _mail_reset_link(session: Session, *, email: str, ip: str) -> None:
    """Queue the reset mail, after the answer. ``session`` is the request's: it committed before the answer
    was sent, and using it again starts a new transaction (in tests it is the test's session, whose
    transaction the mail then joins)."""
    try:
        password_links.request_password_reset(session, email=email, ip=ip)
        commit_now(session)  # after the answer: the session dependency has already ended its transaction
    except Exception:
        rollback_now(session)
        log.exception("the password reset mail could not be queued")
