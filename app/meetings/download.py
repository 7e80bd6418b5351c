"""A session's uploaded recording as an HTTP response, the same for the pages and the JSON API (no HTML here)."""

from __future__ import annotations

from fastapi.responses import FileResponse, RedirectResponse, Response

from app.meetings.recordings import recording_path
from app.models import DialogueSession


def recording_response(meeting: DialogueSession) -> Response:
    """The file inline under its own name and canonical type (never cached by others), or a redirect to the
    link. The caller checked that the reader may see it (``service.visible_recording``)."""
    if meeting.recording_url:
        return RedirectResponse(meeting.recording_url, status_code=303, headers={"Cache-Control": "private, no-cache"})
    return FileResponse(
        recording_path(meeting),
        media_type=meeting.recording_content_type or "application/octet-stream",
        filename=meeting.recording_filename or f"opname-sessie-{meeting.number}",
        content_disposition_type="inline",
        headers={"Cache-Control": "private, no-cache"},
    )
