"""Admin services ask app.policy themselves, whoever calls them: per role, admins may, everyone else is refused
(the public is asked to sign in). The routes check too; these tests call the services directly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.admin import service as admin
from app.audit.service import AuditFilter, list_events
from app.kit.errors import Forbidden, Unauthorized
from app.kit.pagination import PageParams
from app.models import ApiKey, OutboxMessage, User
from app.policy import ANONYMOUS, Principal
from tests import factories

ROLES = ["admin", "municipality", "provider", "public"]
PAGE = PageParams(page=1, page_size=10)
MAKERS = {"admin": factories.admin, "municipality": factories.municipality_user, "provider": factories.provider_user}


def _once(db: Session, name: str, make: Callable[[Session], User]) -> User:
    """One user per name and test (the test's session lives as long as the test)."""
    key = f"test_admin_policy.{name}"
    if key not in db.info:
        db.info[key] = make(db)
    return db.info[key]


def user(db: Session, role: str) -> User | None:
    return None if role == "public" else _once(db, role, MAKERS[role])


def principal(db: Session, role: str) -> Principal:
    found = user(db, role)
    # A provider whose invitation is accepted: taking part does not make admin work allowed.
    return Principal(user=found, memberships={1: "accepted"}) if found else ANONYMOUS


def target(db: Session) -> User:
    """The user the admin work is about: a municipality's user."""
    return _once(db, "target", factories.municipality_user)


def outbox_id(db: Session) -> int:
    accounts.send_invitation(db, target(db), actor=None)
    db.flush()
    message = db.exec(select(OutboxMessage).order_by(col(OutboxMessage.id).desc())).first()
    assert message is not None and message.id is not None
    return message.id


def key_id(db: Session) -> int:
    row, _key = accounts.create_api_key(db, owner=target(db), scope="read", name="t", actor=None)
    assert row.id is not None
    return row.id


# What is read: with the principal of the request.
READS: dict[str, Callable[[Session, Principal], object]] = {
    "admin.list_users": lambda db, p: admin.list_users(db, p),
    "admin.list_outbox": lambda db, p: admin.list_outbox(db, p, status="", params=PAGE),
    "admin.outbox_message": lambda db, p: admin.outbox_message(db, p, outbox_id(db)),
    "audit.list_events": lambda db, p: list_events(db, p, AuditFilter(), PAGE),
    "accounts.list_users": lambda db, p: accounts.list_users(db, p, role=None, params=PAGE),
    "accounts.get_user": lambda db, p: accounts.get_user(db, p, target(db).id or 0),
    "accounts.pending_invitation": lambda db, p: accounts.pending_invitation(db, p, [target(db).id or 0]),
    "accounts.list_api_keys": lambda db, p: accounts.list_api_keys(db, p),
    "accounts.get_api_key": lambda db, p: accounts.get_api_key(db, p, key_id(db)),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(READS))
def test_admin_reads_per_role(db, name, role):
    read = READS[name]
    who = principal(db, role)
    if role == "admin":
        read(db, who)
        return
    with pytest.raises(Unauthorized if role == "public" else Forbidden):
        read(db, who)


# What is changed: by an actor (a user; None is the system itself, e.g. the command line).
WRITES: dict[str, Callable[[Session, User], object]] = {
    "create_user": lambda db, actor: accounts.create_user(
        db, accounts.UserInput(email="nieuw@example.org", name="Nieuw", role="admin"), actor=actor
    ),
    "update_user": lambda db, actor: accounts.update_user(
        db, target(db), accounts.UserInput(name="Andere naam"), actor=actor
    ),
    "send_invitation": lambda db, actor: accounts.send_invitation(db, target(db), actor=actor),
    "create_api_key": lambda db, actor: accounts.create_api_key(
        db, owner=target(db), scope="write", name="t", actor=actor
    ),
    "revoke_api_key": lambda db, actor: accounts.revoke_api_key(
        db, db.get(ApiKey, key_id(db)) or ApiKey(), actor=actor
    ),
}


@pytest.mark.parametrize("role", ["admin", "municipality", "provider"])
@pytest.mark.parametrize("name", sorted(WRITES))
def test_admin_writes_per_role(db, name, role):
    actor = user(db, role)
    assert actor is not None
    before = target(db).name
    if role == "admin":
        WRITES[name](db, actor)
        return
    with pytest.raises(Forbidden):
        WRITES[name](db, actor)
    assert target(db).name == before


@pytest.mark.parametrize("name", sorted(WRITES))
def test_admin_writes_by_a_deactivated_admin_are_refused(db, name):
    gone = User(id=999_999, email="weg@example.org", role="admin", active=False)
    with pytest.raises(Unauthorized):
        WRITES[name](db, gone)
