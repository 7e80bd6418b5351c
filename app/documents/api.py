"""JSON API for documents: the same visibility as the pages (no key: public documents only)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request, Response

from app.accounts.deps import ApiPrincipal, client_ip
from app.db import SessionDep
from app.documents import service
from app.documents.download import download_response
from app.documents.schemas import DocumentOut
from app.kit.api_route import ApiRoute
from app.kit.etags import etag_of_model
from app.kit.pagination import Page, PageDep
from app.models import Document, ReleasePackage

router = APIRouter(tags=["documents"], route_class=ApiRoute)


def document_out(document: Document, package: ReleasePackage | None = None) -> DocumentOut:
    """``package``: the release package the document is in, if any (it is released with it)."""
    return DocumentOut(
        id=document.id or 0,
        session_id=document.session_id,
        title=document.title,
        filename=document.filename,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        audience=document.audience,  # type: ignore[arg-type]
        release_at=document.release_at,
        released=service.is_released(document, package=package),
        download_url=f"/api/v1/documents/{document.id}/download",
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
) -> Page[DocumentOut]:
    """Ordered by release moment, then id. Without a key: released public documents; providers and consultation
    participants also see released participants' documents of the trajectories they take part in, municipalities
    those of every trajectory; reviewers (admins and municipalities) see everything, also before release (a document
    in a release package is released with its package)."""
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
