"""A document's file as an HTTP download, the same for the pages and the JSON API (no HTML here)."""

from __future__ import annotations

import logging

from fastapi.responses import FileResponse

from app.documents import service
from app.kit.errors import AppError
from app.models import Document

log = logging.getLogger("dialoog.documents")


def download_response(document: Document) -> FileResponse:
    """The stored file as an attachment under its own name and canonical type; never cached by others."""
    try:
        path = service.file_path(document)
    except AppError:
        log.error("file of document %s is missing at %s", document.id, document.storage_path)
        raise
    return FileResponse(
        path,
        media_type=document.content_type,
        headers={
            "Content-Disposition": service.content_disposition(document.filename),
            "Cache-Control": "private, no-cache",
        },
    )
