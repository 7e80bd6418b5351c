"""JSON API for reviewers: the feedback export, with the same filters as ``GET /api/v1/comments``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.accounts.deps import ApiUser
from app.db import SessionDep
from app.kit.api_route import ApiRoute
from app.kit.api_types import NoNulStr, UtcMoment
from app.proposals.schemas import KindName, StakeholderGroupName, StatusName
from app.review.export import export_file
from app.review.filters import ReviewFilter

router = APIRouter(tags=["review"], route_class=ApiRoute)


@router.get(
    "/comments/export",
    summary="Export feedback as CSV or XLSX",
    response_class=Response,
    responses={
        200: {
            "description": "One row per top-level comment (replies in the `thread` column), with SDFL's official "
            "reply, the municipalities' positions and internal notes",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
def export_comments(
    session: SessionDep,
    principal: ApiUser,
    format: Literal["csv", "xlsx"] = "csv",
    dialogue_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Of this trajectory only")] = None,
    group: Annotated[
        StakeholderGroupName | None,
        Query(description="By authors of this stakeholder group (provider contacts: provider)"),
    ] = None,
    proposal_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    version: Annotated[int | None, Query(ge=1, le=10_000, description="Version number (with proposal_id)")] = None,
    section_key: Annotated[NoNulStr | None, Query(max_length=100)] = None,
    provider_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    kind: KindName | None = None,
    status: StatusName | None = None,
    since: Annotated[
        UtcMoment | None, Query(description="Created at or after this moment (ISO 8601 with offset)")
    ] = None,
) -> Response:
    """Reviewers only (municipalities and SDFL): the export holds internal notes and positions. Withdrawn
    comments and SDFL's own replies are not rows; the filters are those of `GET /api/v1/comments`."""
    filters = ReviewFilter(
        dialogue_id=dialogue_id,
        group=group,
        proposal_id=proposal_id,
        version=version,
        section=section_key,
        provider_id=provider_id,
        kind=kind,
        status=status,
        since=since,
        sort="oldest",
    )
    export = export_file(session, principal, filters, format)
    return Response(export.body, media_type=export.media_type, headers=export.headers)
