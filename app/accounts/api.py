"""JSON API for accounts: who am I, and (admins) users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from app.accounts import service
from app.accounts.deps import ApiUser
from app.accounts.schemas import MeOut, UserCreate, UserOut, UserPatch
from app.db import SessionDep
from app.kit.api_route import ApiRoute
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_slice
from app.kit.pagination import Page, PageDep, PageParams
from app.models import User
from app.policy import Action, authorize

router = APIRouter(tags=["accounts"], route_class=ApiRoute)


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id or 0,
        email=user.email,
        name=user.name,
        role=user.role,  # type: ignore[arg-type]
        provider_id=user.provider_id,
        municipality_id=user.municipality_id,
        stakeholder_group=user.stakeholder_group,  # type: ignore[arg-type]
        organisation=user.organisation,
        pseudonym=user.pseudonym,
        active=user.active,
        invitation_pending=user.password_hash is None,
        last_login_at=user.last_login_at,
        created_at=user.created_at,
        updated_at=user.updated_at,
    )


def etag(user: User) -> str:
    """Of the representation admins read (only admins read users)."""
    return etag_of_model(user_out(user))


@router.get("/me", response_model=MeOut, summary="The user whose API key this is")
def me(principal: ApiUser) -> MeOut:
    assert principal.user is not None
    return MeOut(user=user_out(principal.user), scope=principal.scope)  # type: ignore[arg-type]


@router.get("/users", response_model=Page[UserOut], summary="List users (admins)")
def list_users(
    session: SessionDep,
    principal: ApiUser,
    params: PageDep,
    role: Annotated[str | None, Query(pattern="^(admin|municipality|provider|participant)$")] = None,
    *,
    feed: FeedDep,
) -> Page[UserOut]:
    """Users ordered by e-mail address, then id; read as a feed (`updated_since`, `cursor`): by `updated_at`
    (changes of their details, role, activity or password; not sign-ins), then id."""
    authorize(principal, Action.view_admin)
    check_paging(params, feed)
    if feed.active:
        every, _total = service.list_users(session, principal, role=role, params=PageParams(page=1, page_size=10**9))
        rows, total, nxt = feed_slice(every, feed, params, key=lambda u: Position(u.updated_at, u.id or 0))
        return feed_page(Page[UserOut], [user_out(u) for u in rows], total, params, nxt)
    users, total = service.list_users(session, principal, role=role, params=params)
    return Page[UserOut].build([user_out(u) for u in users], total, params)


@router.get("/users/{user_id}", response_model=UserOut, summary="One user (admins)")
def get_user(session: SessionDep, principal: ApiUser, user_id: int, response: Response) -> UserOut:
    authorize(principal, Action.view_admin)
    user = service.get_user(session, principal, user_id)
    response.headers["ETag"] = etag(user)
    return user_out(user)


@router.post("/users", response_model=UserOut, status_code=201, summary="Create a user and mail the invitation")
def create_user(session: SessionDep, principal: ApiUser, body: UserCreate, response: Response) -> UserOut:
    authorize(principal, Action.manage)
    assert principal.user is not None
    user = service.create_user(session, service.UserInput(**body.model_dump()), actor=principal.user)
    response.headers["Location"] = f"/api/v1/users/{user.id}"
    response.headers["ETag"] = etag(user)
    return user_out(user)


@router.patch(
    "/users/{user_id}",
    response_model=UserOut,
    summary="Change a user (admins)",
    responses={
        412: {"description": "If-Match does not match the current ETag"},
        428: {"description": "If-Match is missing"},
    },
)
def update_user(
    session: SessionDep,
    principal: ApiUser,
    user_id: int,
    body: UserPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> UserOut:
    """Send the ETag from GET as `If-Match` so you never overwrite someone else's change."""
    authorize(principal, Action.manage)
    assert principal.user is not None
    user = service.get_user(session, principal, user_id)
    require_if_match(if_match, etag(user), what="user")
    service.update_user(session, user, service.UserInput(**body.model_dump(exclude_unset=True)), actor=principal.user)
    response.headers["ETag"] = etag(user)
    return user_out(user)
