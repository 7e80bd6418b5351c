"""Providers and municipalities: queries live here, routers stay thin."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, col, select

from app.kit.errors import NotFound
from app.kit.pagination import PageParams, paginate
from app.models import Municipality, Provider, ProviderMunicipality, is_valid_id


def list_providers(session: Session, *, params: PageParams, tag: str | None = None) -> tuple[list[Provider], int]:
    stmt = select(Provider).order_by(Provider.name, col(Provider.id))
    if tag is None:
        return paginate(session, stmt, params)
    # Tags are a JSON list and a dialogue has tens of providers: filter after loading them.
    matching = [p for p in session.exec(stmt).all() if tag in (p.tags or [])]
    return matching[params.offset : params.offset + params.page_size], len(matching)


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


def list_municipalities(session: Session, *, params: PageParams) -> tuple[list[Municipality], int]:
    return paginate(session, select(Municipality).order_by(Municipality.name, col(Municipality.id)), params)


def get_municipality(session: Session, municipality_id: int) -> Municipality:
    municipality = session.get(Municipality, municipality_id) if is_valid_id(municipality_id) else None
    if municipality is None:
        raise NotFound(f"Municipality {municipality_id} does not exist.")
    return municipality
