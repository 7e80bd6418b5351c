"""JSON API for documents: the same visibility as the pages (no key: public documents only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile

from app.accounts.deps import ApiPrincipal, ApiUser, client_ip
from app.db import SessionDep
from app.documents import service
from app.documents.download import download_response
from app.documents.schemas import AudienceName, DocumentOut, DocumentPatch
from app.kit import clock
from app.kit.api_route import ApiRoute
from app.kit.api_types import NoNulStr, UtcMoment
from app.kit.errors import ValidationFailed
from app.kit.etags import etag_of_model, require_if_match
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_rows
from app.kit.pagination import Page, PageDep
from app.models import Document, ReleasePackage, User, id_of
from app.policy import Action, Principal, authorize

router = APIRouter(tags=["documents"], route_class=ApiRoute)

PRECONDITIONS: dict[int | str, dict[str, Any]] = {
    412: {"description": "If-Match does not match the current ETag"},
    428: {"description": "If-Match is missing"},
}


def document_out(document: Document, package: ReleasePackage | None = None, now: datetime | None = None) -> DocumentOut:
    """``package``: the release package the document is in, if any (it is released with it)."""
    now = now or clock.now()
    return DocumentOut(
        id=document.id or 0,
        dialogue_id=document.dialogue_id,
        session_id=document.session_id,
        title=document.title,
        filename=document.filename,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        audience=document.audience,  # type: ignore[arg-type]
        release_at=document.release_at.astimezone(UTC),  # the form's local moment, until read back
        released=service.is_released(document, now, package=package),
        download_url=f"/api/v1/documents/{document.id}/download",
        updated_at=service.feed_moment(document, now, package).astimezone(UTC),
    )


def etag(out: DocumentOut) -> str:
    return etag_of_model(out)


@router.get("/documents", response_model=Page[DocumentOut], summary="List the documents you may see")
def list_documents(
    session: SessionDep,
    principal: ApiPrincipal,
    params: PageDep,
    session_id: Annotated[int | None, Query(ge=1, le=2_000_000_000, description="Only this session's")] = None,
    audience: Annotated[Literal["participants", "public"] | None, Query()] = None,
    dialogue_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Of this trajectory only")] = None,
    *,
    feed: FeedDep,
) -> Page[DocumentOut]:
    """Ordered by release moment, then id. Without a key: released public documents; providers and consultation
    participants also see released participants' documents of the trajectories they take part in, municipalities
    those of every trajectory; reviewers (admins and municipalities) see everything, also before release (a document
    in a release package is released with its package). Read as a feed (`updated_since`, `cursor`): by `updated_at`
    (its last change, or its release once released), then id."""
    check_paging(params, feed)
    if feed.active:
        now = clock.now()
        stmt = service.visible_documents(
            principal, session_id=session_id, audience=audience, dialogue_id=dialogue_id, now=now
        )
        rows, total, nxt = feed_rows(
            session,
            stmt,
            updated=service.feed_moment_clause(now),
            item_id=Document.id,
            feed=feed,
            params=params,
            key=lambda d: Position(service.feed_moment(d, now, service.package_of(session, d)), id_of(d)),
        )
        packages = service.packages_of(session, rows)
        items = [document_out(d, packages.get(d.package_id or 0), now) for d in rows]
        return feed_page(Page[DocumentOut], items, total, params, nxt)
    documents, total = service.list_documents(
        session, principal, params, session_id=session_id, audience=audience, dialogue_id=dialogue_id
    )
    packages = service.packages_of(session, documents)
    return Page[DocumentOut].build([document_out(d, packages.get(d.package_id or 0)) for d in documents], total, params)


@router.get(
    "/documents/{document_id}",
    response_model=DocumentOut,
    summary="One document",
    responses={304: {"description": "Not modified (If-None-Match matches the ETag)"}},
)
def get_document(
    session: SessionDep,
    principal: ApiPrincipal,
    document_id: int,
    response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> DocumentOut | Response:
    """404 for a document you may not see (yet), as if it did not exist."""
    document = service.visible_document(session, principal, document_id)
    out = document_out(document, service.package_of(session, document))
    tag = etag(out)
    if if_none_match is not None and tag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return out


@router.get(
    "/documents/{document_id}/download",
    summary="Download a document's file",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment, with the content type found at upload",
            # Every type an upload can have (checked by content), so a client knows what it may get.
            "content": {
                t.content_type: {"schema": {"type": "string", "format": "binary"}} for t in service.FILE_TYPES.values()
            },
        }
    },
)
def download(request: Request, session: SessionDep, principal: ApiPrincipal, document_id: int) -> Response:
    """The file with its content type; the download is logged with the key's owner."""
    document = service.visible_document(session, principal, document_id)
    response = download_response(document)
    service.record_download(session, document, actor=principal.user, ip=client_ip(request))
    return response


def _admin(principal: Principal) -> User:
    authorize(principal, Action.manage)
    assert principal.user is not None
    return principal.user


def _one(session: SessionDep, document: Document, response: Response) -> DocumentOut:
    out = document_out(document, service.package_of(session, document))
    response.headers["ETag"] = etag(out)
    return out


@router.post(
    "/documents",
    response_model=DocumentOut,
    status_code=201,
    summary="Upload a document (admins)",
    responses={
        201: {
            "description": "Uploaded",
            "headers": {
                "Location": {"description": "The new document", "schema": {"type": "string"}},
                "ETag": {"description": "Send as If-Match to change it", "schema": {"type": "string"}},
            },
        },
        413: {"description": "The request is larger than the upload limit"},
        422: {"description": "A field or the file is wrong (each named in errors): type, size, name, trajectory"},
    },
)
def create_document(
    session: SessionDep,
    principal: ApiUser,
    response: Response,
    file: Annotated[
        UploadFile,
        File(
            description="PDF, Word (DOCX), Excel (XLSX) or OpenDocument (ODT), at most 20 MB; the name's extension "
            "must match the content",
            json_schema_extra={"format": "binary"},  # generated clients (openapi-python-client) send it as a File
        ),
    ],
    title: Annotated[NoNulStr, Form(min_length=1, max_length=200)],
    dialogue_id: Annotated[
        int | None, Form(ge=1, le=2_147_483_647, description="The trajectory (left out: the session's)")
    ] = None,
    session_id: Annotated[
        int | None,
        Form(ge=1, le=2_147_483_647, description="The session it belongs to (left out: the whole trajectory)"),
    ] = None,
    audience: Annotated[AudienceName, Form(description="Who sees it once released")] = "participants",
    release_at: Annotated[
        UtcMoment | None,
        Form(description="ISO 8601 with offset; left out: the session's release moment (a week before it), else now"),
    ] = None,
) -> DocumentOut:
    """`multipart/form-data`, as the admin upload form and with its checks (every wrong field named at once).
    Needs an admin's `write` key. Before `release_at` only reviewers see it."""
    actor = _admin(principal)
    if dialogue_id is None and session_id is None:
        message = "Name the trajectory (dialogue_id) or a session (session_id)."
        raise ValidationFailed(message, errors=[{"field": "dialogue_id", "message": message}])
    data = service.DocumentInput(
        title=title,
        audience=audience,
        release_at=release_at.isoformat() if release_at else "",
        session_id=str(session_id or ""),
        dialogue_id=str(dialogue_id or ""),
    )
    upload = service.FileUpload(filename=file.filename or "", content=file.file.read(service.MAX_DOCUMENT_BYTES + 1))
    document = service.create_document(session, data, upload, actor=actor)
    response.headers["Location"] = f"/api/v1/documents/{document.id}"
    return _one(session, document, response)


@router.patch(
    "/documents/{document_id}",
    response_model=DocumentOut,
    summary="Change a document's title, audience or release moment (admins)",
    responses={
        **PRECONDITIONS,
        404: {"description": "No such document"},
        409: {"description": "The document is released: it cannot be changed any more"},
        422: {"description": "A field is wrong (each named in errors)"},
    },
)
def update_document(
    session: SessionDep,
    principal: ApiUser,
    document_id: int,
    body: DocumentPatch,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> DocumentOut:
    """Send the ETag from GET as `If-Match`. Only before the release (409 afterwards: participants rely on it);
    a document in a release package goes out with the package (change the package's moment instead)."""
    actor = _admin(principal)
    document, _ds = service.get_document(session, document_id)
    require_if_match(if_match, etag(document_out(document, service.package_of(session, document))), what="document")
    changes = body.model_dump(exclude_unset=True)
    for name in ("title", "audience", "release_at"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be null.", errors=[{"field": name, "message": "May not be null"}])
    release_at = changes.get("release_at", document.release_at)
    data = service.DocumentInput(
        title=changes.get("title", document.title),
        audience=changes.get("audience", document.audience),
        release_at=release_at.isoformat(),
    )
    service.update_document(session, document, data, actor=actor)
    return _one(session, document, response)
