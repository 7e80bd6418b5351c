"""JSON API: providers and municipalities. Public data, no key needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.db import SessionDep
from app.kit.pagination import Page, PageDep
from app.models import Municipality, Provider
from app.providers import service
from app.providers.schemas import MunicipalityOut, MunicipalityRef, ProviderOut

router = APIRouter(tags=["providers"])


def _provider_out(provider: Provider, municipalities: list[Municipality]) -> ProviderOut:
    return ProviderOut(
        id=provider.id or 0,
        name=provider.name,
        slug=provider.slug,
        size=provider.size,
        tags=list(provider.tags or []),
        contracted_in=[MunicipalityRef(code=m.code, name=m.name) for m in municipalities],
        active_outside_flevoland=provider.active_outside_flevoland,
        website=provider.website,
        illustrative=provider.illustrative,
    )


def _municipality_out(m: Municipality) -> MunicipalityOut:
    return MunicipalityOut(id=m.id or 0, code=m.code, name=m.name, in_procurement=m.in_procurement)


@router.get("/providers", response_model=Page[ProviderOut], summary="List care providers")
def list_providers(
    session: SessionDep,
    params: PageDep,
    tag: Annotated[str | None, Query(max_length=60, description="Only providers with this tag")] = None,
) -> Page[ProviderOut]:
    """Providers ordered by name, then id."""
    providers, total = service.list_providers(session, params=params, tag=tag)
    by_provider = service.contracted_municipalities(session, [p.id for p in providers if p.id])
    items = [_provider_out(p, by_provider.get(p.id or 0, [])) for p in providers]
    return Page[ProviderOut].build(items, total, params)


@router.get("/providers/{provider_id}", response_model=ProviderOut, summary="One care provider")
def get_provider(session: SessionDep, provider_id: int) -> ProviderOut:
    provider = service.get_provider(session, provider_id)
    return _provider_out(provider, service.contracted_municipalities(session, [provider_id]).get(provider_id, []))


@router.get("/municipalities", response_model=Page[MunicipalityOut], summary="List municipalities")
def list_municipalities(session: SessionDep, params: PageDep) -> Page[MunicipalityOut]:
    """Municipalities ordered by name, then id."""
    items, total = service.list_municipalities(session, params=params)
    return Page[MunicipalityOut].build([_municipality_out(m) for m in items], total, params)


@router.get("/municipalities/{municipality_id}", response_model=MunicipalityOut, summary="One municipality")
def get_municipality(session: SessionDep, municipality_id: int) -> MunicipalityOut:
    return _municipality_out(service.get_municipality(session, municipality_id))
