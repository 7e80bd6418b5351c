"""Setting a password through a one-time link (an invitation or a reset), and asking for a reset link.

The links themselves are issued and mailed by app.accounts.service (``issue_token``, ``mail_link``)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, delete, select

from app import ratelimit
from app.accounts.passwords import hash_password
from app.accounts.service import end_all_sessions, mail_link, normalise_email, token_hash
from app.audit.service import record
from app.kit import clock
from app.kit.errors import NotFound, invalid
from app.kit.i18n import gettext as _
from app.models import LoginAttempt, TokenPurpose, User, UserToken

# Password-reset links: per address and per client, counted whether or not the address exists.
RESET_PER_EMAIL = ratelimit.Limit("password_reset:email", 3, timedelta(hours=1))
RESET_PER_CLIENT = ratelimit.Limit("password_reset:client", 20, timedelta(hours=1))
MIN_PASSWORD_LENGTH = 10


def count_password_reset(session: Session, *, email: str, ip: str) -> None:
    """Count a reset request against the limits per address and per client, or raise TooManyRequests.

    Known and unknown addresses are counted alike, so neither the answer nor its timing tells them apart."""
    ratelimit.check(
        session,
        [(RESET_PER_EMAIL, normalise_email(email)[:320]), (RESET_PER_CLIENT, ip)],
        _(
            "Er zijn al te veel links aangevraagd voor dit e-mailadres of vanaf deze verbinding. Kijk in uw "
            "e-mail (ook bij ongewenste e-mail) of probeer het later opnieuw."
        ),
        field="email",
    )


def request_password_reset(session: Session, *, email: str, ip: str | None = None) -> None:
    """Mail a reset link if an active account has this address. The web page does this after its answer
    (which is the same either way) and counts the request with ``count_password_reset`` before it."""
    user = session.exec(select(User).where(User.email == normalise_email(email)[:320])).first()
    if user is None or not user.active:
        return
    mail_link(session, user, TokenPurpose.reset, "password_reset")
    record(
        session,
        action="user.password_reset_requested",
        entity_type="user",
        entity_id=user.id,
        summary=f"Wachtwoordherstel aangevraagd voor {user.email}",
        ip=ip,
    )


def token_user(session: Session, token: str) -> tuple[UserToken, User]:
    """The unused, unexpired link and its user; NotFound otherwise (never saying which)."""
    now = clock.now()
    row = session.exec(
        select(UserToken, User)
        .join(User, col(User.id) == UserToken.user_id)
        .where(UserToken.token_hash == token_hash(token))
    ).first()
    if row is None or row[0].used_at is not None or now >= row[0].expires_at or not row[1].active:
        raise NotFound("Deze link is ongeldig of verlopen. Vraag een nieuwe aan.", user_message=True)
    return row


def validate_password(password: str, confirm: str | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid({"password": f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens."})
    if len(password) > 1024:
        raise invalid({"password": "Dit wachtwoord is te lang (hoogstens 1024 tekens)."})
    if confirm is not None and password != confirm:
        raise invalid({"password_confirm": "De twee wachtwoorden zijn niet gelijk."})


def set_password_with_token(session: Session, token: str, password: str, confirm: str | None = None) -> User:
    user_token, user = token_user(session, token)
    validate_password(password, confirm)
    user_token.used_at = clock.now()
    user.password_hash = hash_password(password)
    user.updated_at = clock.now()
    session.add(user_token)
    session.add(user)
    end_all_sessions(session, user)
    # Whoever reads this address's mail is its owner: earlier failed sign-ins (theirs or a guesser's) stop
    # delaying them.
    session.exec(
        delete(LoginAttempt).where(col(LoginAttempt.email) == user.email, col(LoginAttempt.success).is_(False))
    )
    record(
        session,
        action="user.password_set",
        entity_type="user",
        entity_id=user.id,
        actor=user,
        summary="Wachtwoord ingesteld via " + ("uitnodiging" if user_token.purpose == "invite" else "herstel"),
    )
    return user
