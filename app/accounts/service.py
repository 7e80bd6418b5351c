"""Accounts: sign-in with brute-force protection, server-side sessions, invitations, users and API keys
(setting a password through a one-time link: app.accounts.password_links). Every change writes an audit event
in the same transaction. What only admins do is checked here against app.policy, whoever calls."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, func, select

from app.accounts.passwords import hash_password, needs_rehash, verify_password
from app.audit.service import record
from app.config import get_settings
from app.kit import clock
from app.kit.errors import N_, Conflict, NotFound, TooManyRequests, ValidationFailed
from app.kit.i18n import fmt_datetime, ngettext
from app.kit.pagination import PageParams, paginate
from app.mail.service import queue_mail
from app.models import (
    USER_LINK,
    ApiKey,
    ApiScope,
    Invitation,
    InvitationStatus,
    LoginAttempt,
    Municipality,
    Participation,
    Provider,
    Role,
    TokenPurpose,
    User,
    UserSession,
    UserToken,
    id_of,
    is_valid_id,
)
from app.policy import INVITED_ROLE, PARTICIPATION_AS_INVITATION, USER_FORM_ROLES, Action, Principal, authorize

SESSION_IDLE = timedelta(hours=8)  # signed out after 8 hours without a request
SESSION_MAX = timedelta(days=7)  # and after 7 days whatever happens
SESSION_TOUCH = timedelta(minutes=1)  # write last_seen_at at most once a minute
TOKEN_TTL = {TokenPurpose.invite: timedelta(days=7), TokenPurpose.reset: timedelta(days=1)}
# Sign-in failures. Per address and client: a few free tries, then a delay that doubles with every further
# failure (so a typo costs nothing, and guessing gets slow). Per address over all clients the same, from a much
# higher count (guessing from many clients); per client over all addresses a plain limit per window. An attacker
# elsewhere thus slows down only themselves, unless many clients guess one address; the owner can then always
# set a new password through "wachtwoord vergeten", which clears the address's failures.
FAILURE_MEMORY = timedelta(hours=24)  # failures older than this no longer count towards a delay
FREE_FAILURES_PER_PAIR = 5  # address + client
FREE_FAILURES_PER_EMAIL = 100  # address, over all clients
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(minutes=15)
LOCK_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_CLIENT = 50  # per client over all addresses, within LOCK_WINDOW
API_KEY_PREFIX = "dlg"

# What a role is called on the pages (translated there) and in the mails (Dutch, within a sentence).
ROLE_NAMES: dict[str, str] = {
    Role.provider: N_("Zorgaanbieder"),
    Role.municipality: N_("Gemeente"),
    Role.admin: N_("Beheerder (SDFL)"),
    Role.participant: N_("Deelnemer consultatie"),
}
ROLE_LABELS: dict[str, str] = {
    Role.admin: "beheerder (SDFL)",
    Role.municipality: "gemeente",
    Role.provider: "zorgaanbieder",
    Role.participant: "deelnemer consultatie",
}

# Verifying against this when an address is unknown makes a failed sign-in take as long either way.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _authorize_admin_work(actor: User | None) -> None:
    """What only admins do (users, invitations, API keys) is done by an admin; ``None``: by the system itself
    (the command line, the demo seeder), on the machine, which needs no permission.

    An API key's scope is the API route's to check (the key is not passed here): the role is checked here."""
    if actor is not None:
        authorize(Principal(user=actor), Action.manage)


def _field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}], user_message=True)


# --- sign-in -------------------------------------------------------------------------------------


class LoginFailed(Exception):
    """Wrong address or password; deliberately the same either way."""


def failure_delay(failures: int, free: int) -> timedelta | None:
    """The wait after ``failures`` failures in a row of which ``free`` cost nothing: 1, 2, 4 ... minutes."""
    if failures < free:
        return None
    return min(FIRST_DELAY * 2 ** min(failures - free, 16), MAX_DELAY)


def _failures_since_success(session: Session, *conditions: Any, since: datetime) -> tuple[int, datetime | None]:
    """How many failed sign-ins match ``conditions`` after the last successful one (and after ``since``), and
    when the newest of them was."""
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(*conditions, col(LoginAttempt.success).is_(True))
    ).one()
    count, newest = session.exec(
        select(func.count(), func.max(LoginAttempt.at)).where(
            *conditions,
            col(LoginAttempt.success).is_(False),
            LoginAttempt.at > max(since, last_success) if last_success else LoginAttempt.at > since,
        )
    ).one()
    return count, newest


def _retry_after(session: Session, *, email: str, ip: str, now: datetime) -> timedelta | None:
    """How long this address, this client or the two together must wait, or None when they may try."""
    since = now - FAILURE_MEMORY
    waits = []
    for conditions, free in (
        ((LoginAttempt.email == email, LoginAttempt.ip == ip), FREE_FAILURES_PER_PAIR),
        ((LoginAttempt.email == email,), FREE_FAILURES_PER_EMAIL),
    ):
        count, newest = _failures_since_success(session, *conditions, since=since)
        delay = failure_delay(count, free)
        if delay is not None and newest is not None:
            waits.append(newest + delay - now)
    client_failures = session.exec(
        select(LoginAttempt.at)
        .where(LoginAttempt.ip == ip, LoginAttempt.at > now - LOCK_WINDOW, col(LoginAttempt.success).is_(False))
        .order_by(col(LoginAttempt.at).desc())
        .limit(MAX_FAILURES_PER_CLIENT)
    ).all()
    if len(client_failures) >= MAX_FAILURES_PER_CLIENT:
        # Free again when the oldest of the last MAX_FAILURES_PER_CLIENT failures leaves the window.
        waits.append(client_failures[-1] + LOCK_WINDOW - now)
    wait = max(waits, default=None)
    return wait if wait is not None and wait > timedelta(0) else None


def authenticate(session: Session, *, email: str, password: str, ip: str) -> User:
    """The user with this address and password; raises TooManyRequests or LoginFailed."""
    now = clock.now()
    email = normalise_email(email)[:320]
    wait = _retry_after(session, email=email, ip=ip, now=now)
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        raise TooManyRequests(
            ngettext(
                "Te veel mislukte inlogpogingen. Probeer het over %(num)s minuut opnieuw (na %(time)s). "
                "Weet u uw wachtwoord niet meer? Kies dan 'Wachtwoord vergeten': daarmee stelt u meteen een nieuw in.",
                "Te veel mislukte inlogpogingen. Probeer het over %(num)s minuten opnieuw (na %(time)s). "
                "Weet u uw wachtwoord niet meer? Kies dan 'Wachtwoord vergeten': daarmee stelt u meteen een nieuw in.",
                minutes,
                num=minutes,
                time=fmt_datetime(now + wait, "HH:mm"),
            ),
            headers={"Retry-After": str(max(1, math.ceil(wait.total_seconds())))},
            user_message=True,
        )
    user = session.exec(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and user.active
    session.add(LoginAttempt(at=now, email=email, ip=ip, success=ok))
    if not ok or user is None:
        record(
            session,
            action="auth.login_failed",
            entity_type="user",
            entity_id=user.id if user else "",
            summary=f"Mislukte inlogpoging voor {email}",
            ip=ip,
        )
        raise LoginFailed
    user.last_login_at = now
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    record(session, action="auth.login", entity_type="user", entity_id=user.id, actor=user, summary="Ingelogd", ip=ip)
    return user


def start_session(session: Session, user: User, *, ip: str | None, user_agent: str | None) -> str:
    """A new server-side session; returns the token for the cookie (only its hash is stored)."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=id_of(user),
            created_at=now,
            last_seen_at=now,
            expires_at=now + SESSION_IDLE,
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    return token


def resolve_session(session: Session, token: str | None) -> User | None:
    """The signed-in user for a session cookie, or None (expired, signed out, deactivated)."""
    found = resolve_signed_in(session, token)
    return found[0] if found else None


def _memberships_column() -> Any:
    """For the user a statement selects: every trajectory it is a member of with its status, as one string
    ``"dialogue_id:status,..."`` (its provider's invitations and its own consultation participations), read with
    the sign-in in the same query; ``parse_memberships`` reads it. Access follows it (app.policy)."""

    def listed(row: Any, *where: Any) -> Any:
        entry = cast(row.dialogue_id, String) + ":" + row.status
        return func.coalesce(
            select(func.aggregate_strings(entry, ",")).where(*where).correlate(User).scalar_subquery(), ""
        )

    invitations = listed(
        Invitation, col(User.role) == INVITED_ROLE, col(Invitation.provider_id) == col(User.provider_id)
    )
    participations = listed(Participation, col(Participation.user_id) == col(User.id))
    return (invitations + "," + participations).label("memberships")


def parse_memberships(value: str | None) -> dict[int, str]:
    """``_memberships_column``'s string as dialogue id -> invitation status (a participation's status as the
    invitation status it counts as; one not yet confirmed counts as nothing)."""
    out: dict[int, str] = {}
    for part in (value or "").split(","):
        dialogue, _, status = part.partition(":")
        if not dialogue.isdigit():
            continue
        status = PARTICIPATION_AS_INVITATION.get(status, status)
        if status in InvitationStatus.__members__:
            out[int(dialogue)] = status
    return out


def resolve_signed_in(session: Session, token: str | None) -> tuple[User, dict[int, str]] | None:
    """The signed-in user for a session cookie with its memberships (``_memberships_column``), in one query;
    None when expired, signed out or deactivated."""
    if not token:
        return None
    now = clock.now()
    row = session.exec(
        select(UserSession, User, _memberships_column())
        .join(User, col(User.id) == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    user_session, user, memberships = row
    if not user.active or now >= user_session.expires_at or now >= user_session.created_at + SESSION_MAX:
        return None
    if now - user_session.last_seen_at >= SESSION_TOUCH:
        user_session.last_seen_at = now
        user_session.expires_at = min(now + SESSION_IDLE, user_session.created_at + SESSION_MAX)
        session.add(user_session)
    return user, parse_memberships(memberships)


def end_session(session: Session, token: str | None, *, user: User | None = None, ip: str | None = None) -> None:
    if token:
        for row in session.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).all():
            session.delete(row)
    if user is not None:
        record(
            session, action="auth.logout", entity_type="user", entity_id=user.id, actor=user, summary="Uitgelogd", ip=ip
        )


def end_all_sessions(session: Session, user: User) -> None:
    for row in session.exec(select(UserSession).where(UserSession.user_id == user.id)).all():
        session.delete(row)


# --- one-time links: invitations and password resets --------------------------------------------


def issue_token(session: Session, user: User, purpose: TokenPurpose) -> tuple[str, datetime]:
    """A new one-time link token; earlier unused links of the same purpose stop working."""
    now = clock.now()
    for old in session.exec(
        select(UserToken).where(
            UserToken.user_id == user.id, UserToken.purpose == purpose, col(UserToken.used_at).is_(None)
        )
    ).all():
        old.used_at = now
        session.add(old)
    token = secrets.token_urlsafe(32)
    expires_at = now + TOKEN_TTL[purpose]
    session.add(
        UserToken(
            token_hash=token_hash(token), user_id=id_of(user), purpose=purpose, created_at=now, expires_at=expires_at
        )
    )
    return token, expires_at


def _organisation(session: Session, user: User) -> str:
    if user.provider_id:
        provider = session.get(Provider, user.provider_id)
        return provider.name if provider else ""
    if user.municipality_id:
        municipality = session.get(Municipality, user.municipality_id)
        return f"gemeente {municipality.name}" if municipality else ""
    return "Sociaal Domein Flevoland"


def mail_link(session: Session, user: User, purpose: TokenPurpose, template: str, **context: str) -> str:
    """Queue a mail with a fresh one-time link of ``purpose`` for ``user``; returns the link."""
    token, expires_at = issue_token(session, user, purpose)
    link = f"{get_settings().base_url.rstrip('/')}/account/set-password/{token}"
    queue_mail(
        session,
        to=user.email,
        template=template,
        context={
            "user_name": user.name or user.email,
            "link": link,
            "expires_at_text": fmt_datetime(expires_at, "d MMMM y 'om' HH:mm"),
            **context,
        },
    )
    return link


def send_invitation(session: Session, user: User, *, actor: User | None) -> str:
    """Mail a link (valid 7 days) with which the user sets a password; returns the link (the command line shows
    it where no mail server is set up)."""
    _authorize_admin_work(actor)
    link = mail_link(
        session,
        user,
        TokenPurpose.invite,
        "invite",
        role_text=ROLE_LABELS.get(user.role, user.role),
        organisation=_organisation(session, user),
    )
    record(
        session,
        action="user.invited",
        entity_type="user",
        entity_id=user.id,
        actor=actor,
        summary=f"Uitnodiging gestuurd aan {user.email}",
    )
    return link


# --- users ---------------------------------------------------------------------------------------


@dataclass
class UserInput:
    email: str | None = None
    name: str | None = None
    role: str | None = None
    provider_id: int | None = None
    municipality_id: int | None = None
    active: bool | None = None


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "provider_id": user.provider_id,
        "municipality_id": user.municipality_id,
        "active": user.active,
    }


def _validate_links(
    session: Session,
    role: str,
    provider_id: int | None,
    municipality_id: int | None,
    *,
    roles: frozenset[str] = USER_FORM_ROLES,
) -> None:
    """``roles``: the roles this caller may give (the users form's, unless app.consultations makes a participant)."""
    if role not in set(Role):
        raise _field_error("role", "Kies een rol: beheerder, gemeente of zorgaanbieder.")
    if role not in roles:
        # A participant belongs to a consultation with a stakeholder group: added on its participants page.
        raise _field_error(
            "role", "Deelnemers aan een consultatie voegt u toe op de deelnemerspagina van die consultatie."
        )
    link = USER_LINK.get(role)
    if link == "provider_id" and (not is_valid_id(provider_id) or session.get(Provider, provider_id) is None):
        raise _field_error("provider_id", "Kies de zorgaanbieder waarvoor deze gebruiker optreedt.")
    if link == "municipality_id" and (
        not is_valid_id(municipality_id) or session.get(Municipality, municipality_id) is None
    ):
        raise _field_error("municipality_id", "Kies de gemeente van deze gebruiker.")


def _validate_email(session: Session, email: str, *, except_id: int | None = None) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 320 or any(c.isspace() for c in email):
        raise _field_error("email", "Vul een geldig e-mailadres in.")
    existing = session.exec(select(User).where(User.email == email)).first()
    if existing is not None and existing.id != except_id:
        raise Conflict(
            "Er bestaat al een gebruiker met dit e-mailadres.",
            errors=[{"field": "email", "message": "Er bestaat al een gebruiker met dit e-mailadres."}],
            user_message=True,
        )
    return email


def create_user(
    session: Session,
    data: UserInput,
    *,
    actor: User | None,
    invite: bool = True,
    roles: frozenset[str] = USER_FORM_ROLES,
) -> User:
    """Create a user without a password and (``invite``) mail the invitation to set one. ``roles``: the roles
    the caller may give (app.consultations gives the participant role)."""
    _authorize_admin_work(actor)
    email = _validate_email(session, data.email or "")
    role = data.role or ""
    _validate_links(session, role, data.provider_id, data.municipality_id, roles=roles)
    now = clock.now()
    link = USER_LINK.get(role)
    user = User(
        email=email,
        name=(data.name or "").strip()[:200],
        role=role,
        provider_id=data.provider_id if link == "provider_id" else None,
        municipality_id=data.municipality_id if link == "municipality_id" else None,
        active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    record(
        session,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        actor=actor,
        summary=f"Gebruiker {email} aangemaakt ({ROLE_LABELS.get(role, role)})",
        after=_snapshot(user),
    )
    if invite:
        send_invitation(session, user, actor=actor)
    return user


def update_user(session: Session, user: User, data: UserInput, *, actor: User) -> User:
    """Change name, e-mail, role and link, or (de)activate; deactivation signs the user out everywhere.

    Everything is checked before anything changes, so a refused change leaves the user as it was."""
    _authorize_admin_work(actor)
    before = _snapshot(user)
    email = _validate_email(session, data.email, except_id=user.id) if data.email is not None else user.email
    role = data.role if data.role is not None else user.role
    provider_id = data.provider_id if data.provider_id is not None else user.provider_id
    municipality_id = data.municipality_id if data.municipality_id is not None else user.municipality_id
    _validate_links(session, role, provider_id, municipality_id, roles=USER_FORM_ROLES | {user.role})
    if data.active is False and user.id == actor.id:
        raise _field_error("active", "U kunt uw eigen account niet deactiveren.")
    user.email = email
    if data.name is not None:
        user.name = data.name.strip()[:200]
    user.role = role
    link = USER_LINK.get(role)
    user.provider_id = provider_id if link == "provider_id" else None
    user.municipality_id = municipality_id if link == "municipality_id" else None
    if data.active is not None:
        user.active = data.active
    after = _snapshot(user)
    if after == before:
        return user
    user.updated_at = clock.now()
    session.add(user)
    if not user.active:
        end_all_sessions(session, user)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    record(
        session,
        action="user.updated",
        entity_type="user",
        entity_id=user.id,
        actor=actor,
        summary=f"Gebruiker {user.email} gewijzigd: {', '.join(changed)}",
        before={k: before[k] for k in changed},
        after=changed,
    )
    return user


def get_user(session: Session, principal: Principal, user_id: int) -> User:
    authorize(principal, Action.view_admin)
    user = session.get(User, user_id) if is_valid_id(user_id) else None
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


def list_users(
    session: Session, principal: Principal, *, role: str | None, params: PageParams
) -> tuple[list[User], int]:
    """Users ordered by e-mail address, then id."""
    authorize(principal, Action.view_admin)
    stmt = select(User).order_by(User.email, col(User.id))
    if role:
        stmt = stmt.where(col(User.role) == role)
    return paginate(session, stmt, params)


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


def pending_invitation(session: Session, principal: Principal, user_ids: list[int]) -> set[int]:
    """The users (of ``user_ids``) who have not set a password yet."""
    authorize(principal, Action.view_admin)
    if not user_ids:
        return set()
    pending = select(User.id).where(col(User.id).in_(user_ids), col(User.password_hash).is_(None))
    return {user_id for user_id in session.exec(pending).all() if user_id is not None}


# --- API keys ------------------------------------------------------------------------------------


def create_api_key(session: Session, *, owner: User, scope: str, name: str, actor: User | None) -> tuple[ApiKey, str]:
    """A new key; returns the row and the key itself, which is shown once and never stored."""
    _authorize_admin_work(actor)
    if scope not in set(ApiScope):
        raise _field_error("scope", "Kies de reikwijdte read of write.")
    name = (name or "").strip()[:100] or f"Sleutel van {owner.email}"
    if not owner.active:
        raise _field_error("email", "Deze gebruiker is niet actief.")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    row = ApiKey(
        name=name, prefix=prefix, key_hash=token_hash(key), user_id=id_of(owner), scope=scope, created_at=clock.now()
    )
    session.add(row)
    session.flush()
    record(
        session,
        action="api_key.created",
        entity_type="api_key",
        entity_id=row.id,
        actor=actor,
        summary=f"API-sleutel {prefix} ({scope}) aangemaakt voor {owner.email}",
        after={"name": name, "prefix": prefix, "scope": scope, "user_id": owner.id},
    )
    return row, key


def revoke_api_key(session: Session, key: ApiKey, *, actor: User) -> None:
    _authorize_admin_work(actor)
    if key.revoked_at is not None:
        return
    key.revoked_at = clock.now()
    session.add(key)
    record(
        session,
        action="api_key.revoked",
        entity_type="api_key",
        entity_id=key.id,
        actor=actor,
        summary=f"API-sleutel {key.prefix} ingetrokken",
    )


def resolve_api_key(session: Session, presented: str) -> tuple[ApiKey, User, dict[int, str]] | None:
    """The active key, its active owner and the owner's memberships (``_memberships_column``) for a presented
    key, in one query; or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    row = session.exec(
        select(ApiKey, User, _memberships_column())
        .join(User, col(User.id) == ApiKey.user_id)
        .where(ApiKey.prefix == parts[1])
    ).first()
    if row is None:
        return None
    key, user, memberships = row
    if not hmac.compare_digest(key.key_hash, token_hash(presented)) or key.revoked_at or not user.active:
        return None
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at >= SESSION_TOUCH:
        key.last_used_at = now
        session.add(key)
    return key, user, parse_memberships(memberships)


def get_api_key(session: Session, principal: Principal, key_id: int) -> ApiKey:
    authorize(principal, Action.view_admin)
    key = session.get(ApiKey, key_id) if is_valid_id(key_id) else None
    if key is None:
        raise NotFound("API key not found.")
    return key


def list_api_keys(session: Session, principal: Principal) -> list[tuple[ApiKey, User]]:
    authorize(principal, Action.view_admin)
    return list(
        session.exec(
            select(ApiKey, User).join(User, col(User.id) == ApiKey.user_id).order_by(col(ApiKey.created_at).desc())
        ).all()
    )
