"""Providers and municipalities: queries live here, routers stay thin."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, func, select

from app.kit.errors import NotFound
from app.kit.pagination import PageParams, paginate
from app.models import Municipality, Provider, ProviderMunicipality, User, is_valid_id


def list_providers(
    session: Session,
    *,
    params: PageParams,
    tag: str | None = None,
    size: str | None = None,
    archived: bool = False,
) -> tuple[list[Provider], int]:
    """Providers by name; archived ones only with ``archived`` (then all of them, archived or not)."""
    stmt = select(Provider).order_by(Provider.name, col(Provider.id))
    if not archived:
        stmt = stmt.where(col(Provider.archived_at).is_(None))
    if size:
        stmt = stmt.where(Provider.size == size)
    if tag is None:
        return paginate(session, stmt, params)
    # Tags are a JSON list and a dialogue has tens of providers: filter after loading them.
    matching = [p for p in session.exec(stmt).all() if tag in (p.tags or [])]
    return matching[params.offset : params.offset + params.page_size], len(matching)


def active_providers(session: Session) -> list[Provider]:
    """The providers that are not archived, by name: the choice for new invitations and new contacts."""
    return list(session.exec(select(Provider).where(col(Provider.archived_at).is_(None)).order_by(Provider.name)).all())


def get_provider(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id) if is_valid_id(provider_id) else None
    if provider is None:
        raise NotFound(f"Provider {provider_id} does not exist.")
    return provider


def contracted_municipalities(session: Session, provider_ids: list[int]) -> dict[int, list[Municipality]]:
    """Municipalities per provider, in one query for any number of providers."""
    if not provider_ids:
        return {}
    rows = session.exec(
        select(ProviderMunicipality.provider_id, Municipality)
        .join(Municipality, col(Municipality.id) == ProviderMunicipality.municipality_id)
        .where(col(ProviderMunicipality.provider_id).in_(provider_ids))
        .order_by(Municipality.name)
    ).all()
    out: dict[int, list[Municipality]] = defaultdict(list)
    for provider_id, municipality in rows:
        out[provider_id].append(municipality)
    return out


def list_municipalities(
    session: Session, *, params: PageParams, archived: bool = False
) -> tuple[list[Municipality], int]:
    stmt = select(Municipality).order_by(Municipality.name, col(Municipality.id))
    if not archived:
        stmt = stmt.where(col(Municipality.archived_at).is_(None))
    return paginate(session, stmt, params)


def all_municipalities(session: Session, *, archived: bool = False) -> list[Municipality]:
    stmt = select(Municipality).order_by(Municipality.name, col(Municipality.id))
    if not archived:
        stmt = stmt.where(col(Municipality.archived_at).is_(None))
    return list(session.exec(stmt).all())


def get_municipality(session: Session, municipality_id: int) -> Municipality:
    municipality = session.get(Municipality, municipality_id) if is_valid_id(municipality_id) else None
    if municipality is None:
        raise NotFound(f"Municipality {municipality_id} does not exist.")
    return municipality


def all_providers(
    session: Session, *, tag: str | None = None, size: str | None = None, archived: bool = False
) -> list[Provider]:
    """Every provider by name (for the admin list: tens, not thousands), filtered like ``list_providers``."""
    stmt = select(Provider).order_by(Provider.name, col(Provider.id))
    if not archived:
        stmt = stmt.where(col(Provider.archived_at).is_(None))
    if size:
        stmt = stmt.where(Provider.size == size)
    rows = list(session.exec(stmt).all())
    return [p for p in rows if tag in (p.tags or [])] if tag else rows


def contact_counts(session: Session, provider_ids: list[int]) -> dict[int, int]:
    """The number of active users (contact persons) per provider."""
    if not provider_ids:
        return {}
    rows = session.exec(
        select(User.provider_id, func.count())
        .where(col(User.provider_id).in_(provider_ids), col(User.active).is_(True))
        .group_by(col(User.provider_id))
    ).all()
    return {pid: int(n) for pid, n in rows if pid is not None}
