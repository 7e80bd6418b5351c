"""JSON API for reviewers: the feedback export, with the same filters as ``GET /api/v1/comments``: CSV and XLSX
for people (Dutch headers, local time, one row per top-level comment), JSON and NDJSON for machines (the comments
API's representation: English keys, ISO 8601 UTC, every comment and reply including withdrawn ones, read as a
change feed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.accounts.deps import ApiUser
from app.db import SessionDep
from app.feedback.listing import CommentFilter, read_comments
from app.kit.api_route import ApiRoute
from app.kit.api_types import NoNulStr, UtcMoment
from app.kit.errors import ValidationFailed
from app.kit.feed import FeedDep, FeedParams, check_paging, decode_cursor, feed_page
from app.kit.pagination import MAX_PAGE_SIZE, Page, PageDep, PageParams
from app.policy import Action, Principal, authorize
from app.proposals.representation import comment_out
from app.proposals.schemas import CommentOut, KindName, StakeholderGroupName, StatusName
from app.review.export import export_file
from app.review.filters import ReviewFilter

router = APIRouter(tags=["review"], route_class=ApiRoute)

NDJSON = "application/x-ndjson"
MAX_NDJSON_ITEMS = 50_000  # as the spreadsheet export; more: continue with the cursor of the Link header


@router.get(
    "/comments/export",
    summary="Export feedback as CSV or XLSX",
    response_class=Response,
    responses={
        200: {
            "description": "One row per top-level comment (replies in the `thread` column), with SDFL's official "
            "reply, the municipalities' positions and internal notes",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Page_CommentOut_"}},
                NDJSON: {
                    "schema": {"type": "string", "description": "One CommentOut (JSON) per line"},
                    "example": '{"id": 12, "updated_at": "2026-12-04T10:00:00Z", "withdrawn": false}\n',
                },
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
def export_comments(
    request: Request,
    session: SessionDep,
    principal: ApiUser,
    params: PageDep,
    feed: FeedDep,
    format: Annotated[
        Literal["csv", "xlsx", "json", "ndjson"],
        Query(description="csv/xlsx for people; json (one page, with next_cursor) or ndjson for machines"),
    ] = "csv",
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
    """Reviewers only (municipalities and SDFL): the export holds internal notes and positions; the filters are
    those of `GET /api/v1/comments`.

    - `csv`, `xlsx`: one row per top-level comment (replies in the `thread` column), Dutch headers, local time;
      withdrawn comments and SDFL's own replies are not rows.
    - `json`: one page of `CommentOut` (English keys, ISO 8601 UTC, withdrawn comments included with
      `withdrawn: true`, with `official_reply`, `positions` and `notes`), ordered by (`updated_at`, id) like the
      change feed of `GET /api/v1/comments`: continue with `next_cursor`; `updated_since` for what changed.
    - `ndjson` (`application/x-ndjson`): the same items, all of them (up to 50,000; then a `Link: rel="next"`
      with the cursor to continue), one JSON object per line."""
    authorize(principal, Action.review)
    if format in ("json", "ndjson"):
        comment_filter = CommentFilter(
            dialogue_id=dialogue_id,
            proposal_id=proposal_id,
            version=version,
            section_key=section_key,
            provider_id=provider_id,
            kind=kind,
            status=status,
            since=since,
            group=group,
        )
        if format == "json":
            return _json_page(session, principal, comment_filter, params, feed)
        return _ndjson(request, session, principal, comment_filter, feed)
    if feed.active:
        message = "updated_since, updated_until and cursor go with format json or ndjson."
        raise ValidationFailed(message, errors=[{"field": "format", "message": message}])
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


def _as_feed(feed: FeedParams) -> FeedParams:
    """The machine export is always read in feed order: from the beginning when no feed parameter is given."""
    return feed if feed.active else FeedParams(updated_since=datetime(1970, 1, 1, tzinfo=UTC))


def _json_page(
    session: SessionDep, principal: Principal, filters: CommentFilter, params: PageParams, feed: FeedParams
) -> Response:
    check_paging(params, feed)
    rows, total, next_cursor = read_comments(session, principal, filters, params, feed=_as_feed(feed))
    page = feed_page(Page[CommentOut], [comment_out(r) for r in rows], total, params, next_cursor)
    return Response(page.model_dump_json(), media_type="application/json", headers={"Cache-Control": "no-store"})


def _ndjson(
    request: Request, session: SessionDep, principal: Principal, filters: CommentFilter, feed: FeedParams
) -> Response:
    """Every matching comment, one per line, read a page of MAX_PAGE_SIZE at a time (a fixed number of queries
    per page)."""
    lines: list[str] = []
    current = _as_feed(feed)
    chunk = PageParams(page=1, page_size=MAX_PAGE_SIZE)
    next_cursor: str | None = None
    while len(lines) < MAX_NDJSON_ITEMS:
        rows, _total, next_cursor = read_comments(session, principal, filters, chunk, feed=current)
        lines.extend(comment_out(r).model_dump_json() for r in rows)
        if next_cursor is None:
            break
        current = FeedParams(current.updated_since, current.updated_until, decode_cursor(next_cursor))
    headers = {"Cache-Control": "no-store", "X-Rows": str(len(lines))}
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    body = "".join(line + "\n" for line in lines)
    return Response(body, media_type=NDJSON, headers=headers)
