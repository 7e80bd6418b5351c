"""The API's representation of a comment as one reader sees it (``CommentOut``): used by the comments API and
the reviewers' JSON export."""

from __future__ import annotations

from app.feedback.details import Details
from app.feedback.listing import CommentRow
from app.proposals.schemas import (
    AuthorOut,
    CommentOut,
    NoteAuthorOut,
    NoteOut,
    OfficialReplyOut,
    PositionOut,
    ProviderRef,
)


def comment_out(row: CommentRow) -> CommentOut:
    c = row.comment
    withdrawn = c.deleted_at is not None
    details = row.details or Details()
    reply = details.official_reply
    return CommentOut(
        id=c.id or 0,
        dialogue_id=row.proposal.dialogue_id,
        proposal_id=row.proposal.id or 0,
        version=row.version.number,
        section_id=row.section.id or 0,
        section_key=row.section.key,
        parent_id=c.parent_id,
        author=AuthorOut(
            id=c.author_id,
            name=row.author_name,
            organisation=row.organisation,
            stakeholder_group=row.stakeholder_group,  # type: ignore[arg-type]
        ),
        provider=ProviderRef(id=c.provider_id, name=row.provider_name or "") if c.provider_id else None,
        kind=c.kind,  # type: ignore[arg-type]
        body=None if withdrawn else c.body,
        body_html=None if withdrawn else c.body_html,
        quote=None if withdrawn else c.quote,
        suggested_text=None if withdrawn else c.suggested_text,
        official=c.official,
        status=row.status,  # type: ignore[arg-type]
        created_at=c.created_at,
        edited_at=c.edited_at,
        withdrawn_at=c.deleted_at,
        withdrawn=withdrawn,
        updated_at=row.updated_at or c.created_at,
        official_reply=OfficialReplyOut(
            id=reply.id,
            body=reply.body,
            body_html=reply.body_html,
            release_at=reply.release_at,
            released=reply.released,
            author_name=reply.author_name,
        )
        if reply
        else None,
        positions=None
        if details.positions is None
        else [
            PositionOut(
                municipality_id=p.municipality_id,
                municipality=p.municipality,
                stance=p.stance,  # type: ignore[arg-type]
                note=p.note,
                updated_at=p.updated_at,
            )
            for p in details.positions
        ],
        notes=None
        if details.notes is None
        else [
            NoteOut(
                id=n.id,
                author=NoteAuthorOut(name=n.author_name, organisation=n.organisation),
                body=n.body,
                body_html=n.body_html,
                created_at=n.created_at,
            )
            for n in details.notes
        ],
    )
