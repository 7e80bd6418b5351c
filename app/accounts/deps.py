"""Who is asking: the signed-in user (session cookie) for pages, the API key's owner for the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from app import ratelimit
from app.accounts import service
from app.db import SessionDep
from app.kit.errors import Unauthorized
from app.models import User
from app.policy import ANONYMOUS, Action, Principal, authorize
from app.web.security import SESSION_COOKIE  # one name for the cookie the CSRF token is bound to

__all__ = ["SESSION_COOKIE"]

BEARER_CHALLENGE = 'Bearer realm="dialoog"'


async def load_user(request: Request, session: SessionDep) -> User | None:
    """Resolve the session cookie once per request; templates read ``request.state.user`` (and
    ``request.state.principal``, who that user is for the policy).

    Async, so that a request without a session cookie (the public, every API call) asks nothing of the database
    and does not wait for a worker thread; with a cookie the one query (``resolve_signed_in``) runs in the
    thread pool, as a sync dependency would."""
    if not hasattr(request.state, "user"):
        token = request.cookies.get(SESSION_COOKIE)
        found = await run_in_threadpool(service.resolve_signed_in, session, token) if token else None
        user, memberships = found if found else (None, {})
        request.state.user = user
        request.state.principal = Principal(user=user, memberships=memberships)
    return request.state.user


CurrentUser = Annotated[User | None, Depends(load_user)]


# Pure functions of what load_user found: async, so FastAPI runs them on the event loop instead of handing
# each to the thread pool (a thread switch per dependency per request).
async def web_principal(request: Request, user: CurrentUser) -> Principal:
    # ``user``: so that load_user has run and set request.state.principal (the user with its invitation).
    principal: Principal = request.state.principal
    return principal


WebPrincipal = Annotated[Principal, Depends(web_principal)]


async def require_user(user: CurrentUser) -> User:
    if user is None:
        raise Unauthorized("Sign in first.")
    return user


SignedInUser = Annotated[User, Depends(require_user)]


async def require_admin(principal: WebPrincipal) -> User:
    authorize(principal, Action.manage)
    assert principal.user is not None
    return principal.user


AdminUser = Annotated[User, Depends(require_admin)]


async def require_drafter(principal: WebPrincipal) -> User:
    """A co-author (``Action.draft``: SDFL and the municipalities' reviewers): agenda items, proposal sections."""
    authorize(principal, Action.draft)
    assert principal.user is not None
    return principal.user


DrafterUser = Annotated[User, Depends(require_drafter)]


CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def api_principal(request: Request, session: SessionDep) -> Principal:
    """The key's owner with the key's scope; no header is the public; a bad key is 401."""
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Unauthorized(
            "Use 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="invalid_request"'},
        )
    resolved = service.resolve_api_key(session, presented.strip())
    if resolved is None:
        raise Unauthorized(
            "The API key is not valid, or it has been revoked.",
            headers={"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="invalid_token"'},
        )
    key, user, memberships = resolved
    principal = Principal(user=user, scope=key.scope, memberships=memberships, api_key_id=key.id)
    if request.method in CHANGES:
        ratelimit.check_api_change(session, principal)  # limits on every write, per key
    return principal


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


def require_api_user(principal: ApiPrincipal) -> Principal:
    if not principal.is_authenticated:
        raise Unauthorized(
            "An API key is required: send 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": BEARER_CHALLENGE},
        )
    return principal


ApiUser = Annotated[Principal, Depends(require_api_user)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""
