"""One pagination shape for every API list.

``GET ...?page=2&page_size=50`` answers ``{"items": [...], "total": 120, "page": 2, "page_size": 50,
"pages": 3}``. Lists have a stable order (documented per endpoint, always ending in ``id``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.kit.api_route import remember_page

MAX_PAGE_SIZE = 200
T = TypeVar("T")


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = 50,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(ge=0, description="Number of items over all pages")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=0, description="Number of pages")
    next_cursor: str | None = Field(
        default=None,
        description="Read as a feed (updated_since, updated_until or cursor): pass this as cursor for the items "
        "after these; null at the end",
    )
    cursor: str | None = Field(
        default=None,
        description="Read as a feed: where this answer ends (after its last item). Keep it and pass it as cursor "
        "next time to get only what changed since; null when the answer has no items (keep the one you have)",
    )

    def model_post_init(self, context: Any, /) -> None:
        remember_page(self)  # the route adds the Link header of this page

    @classmethod
    def build(cls, items: list[Any], total: int, params: PageParams) -> Page[T]:
        return cls(
            items=items,
            total=total,
            page=params.page,
            page_size=params.page_size,
            pages=math.ceil(total / params.page_size) if total else 0,
        )


def paginate(session: Session, stmt: SelectOfScalar[Any], params: PageParams) -> tuple[list[Any], int]:
    """Run ``stmt`` (ordered) for one page; returns the page's rows and the total count."""
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    rows = session.exec(stmt.offset(params.offset).limit(params.page_size)).all()
    return list(rows), int(total)
