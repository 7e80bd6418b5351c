"""HTML: the public home page of the dialogue."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.dialogues import service
from app.models import TARGET_GROUPS
from app.web.templates import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, session: SessionDep) -> Response:
    dialogue, care_form = service.current_dialogue(session)
    participants = service.participants(session, dialogue.id or 0)
    counts = Counter(p.invitation.status for p in participants)
    return render(
        request,
        "dialogues/home.html",
        {
            "dialogue": dialogue,
            "care_form": care_form,
            "sessions": service.list_sessions(session, dialogue.id or 0),
            "participants": participants,
            "counts": counts,
            "target_groups": TARGET_GROUPS,
        },
    )
