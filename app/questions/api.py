"""JSON API for questions and notas van inlichtingen: the same visibility as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Header, Query, Response
from sqlmodel import Session

from app.accounts.deps import ApiPrincipal
from app.db import SessionDep
from app.dialogues.service import get_trajectory
from app.kit.api_route import ApiRoute
from app.kit.errors import NotFound
from app.kit.etags import etag_of_model
from app.kit.feed import FeedDep, Position, check_paging, feed_page, feed_slice
from app.kit.pagination import Page, PageDep
from app.meetings.schemas import TenderNedOut
from app.models import Dialogue, id_of
from app.policy import Principal
from app.questions import asking, notas
from app.questions.schemas import AskerOut, NotaOut, NotaQuestionOut, QuestionIn, QuestionOut

router = APIRouter(tags=["questions"], route_class=ApiRoute)
Out = TypeVar("Out", QuestionOut, NotaOut)

EVERY = 1_000_000  # a feed is cut from the whole (short) list in memory: the same queries however long it is
DialogueId = Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Of this trajectory only")]


def question_out(view: asking.QuestionView) -> QuestionOut:
    q = view.question
    private = view.own or view.reviewer
    answer = view.answer
    nota = view.nota if view.published or view.reviewer else None
    if answer is not None and answer is not q:  # a merged question: answered in the other one's nota
        nota = view.answered_in
    return QuestionOut(
        id=id_of(q),
        dialogue_id=q.dialogue_id,
        status=view.reader_status,  # type: ignore[arg-type]
        text=view.text,
        answer=answer.answer if answer is not None and (view.reviewer or answer.answer) else None,
        answer_html=answer.answer_html if answer is not None and (view.reviewer or answer.answer) else None,
        nota_id=nota.id if nota else None,
        nota_number=nota.number if nota else None,
        number=(answer.number if answer is not None else None) if nota else None,
        released_at=nota.released_at if nota else None,
        session_id=q.session_id,
        document_id=q.document_id,
        section_id=q.section_id,
        own=view.own,
        original_text=q.original_text if private else None,
        asked_at=q.created_at if private else None,
        merged_into_id=q.merged_into_id if private else None,
        asker=AskerOut(id=view.asker.id or 0, name=view.asker.name, provider_id=view.asker.provider_id)
        if view.reviewer and view.asker
        else None,
        text_edited_by_id=q.text_edited_by_id if view.reviewer else None,
        answer_by_id=q.answer_by_id if view.reviewer else None,
        updated_at=_question_moment(view, nota.released_at if nota else None),
    )


def _question_moment(view: asking.QuestionView, released_at: datetime | None) -> datetime:
    """A question's updated_at as its reader sees it: reviewers every change; the asker from the moment asked,
    everyone once its answer is released (what is drafted in between is no one else's to see)."""
    if view.reviewer:
        return view.question.updated_at
    moments = [view.question.created_at] if view.own else []
    if released_at is not None:
        moments.append(released_at)
    return max(moments, default=view.question.created_at)


def nota_out(entry: notas.NotaWithItems, reviewer: bool = True) -> NotaOut:
    """``reviewer``: the reader sees drafts (and every change); others see a nota from its release on."""
    n = entry.nota
    moment = n.updated_at if reviewer or n.released_at is None else max(n.updated_at, n.released_at)
    return NotaOut(
        id=id_of(n),
        dialogue_id=n.dialogue_id,
        number=n.number,
        title=n.title,
        intro=n.intro,
        status=n.status,  # type: ignore[arg-type]
        release_at=n.release_at,
        released_at=n.released_at,
        corrects_id=n.corrects_id,
        questions=[
            NotaQuestionOut(
                number=i.number, question_id=i.question_id, text=i.text, answer=i.answer, answer_html=i.answer_html
            )
            for i in entry.items
        ],
        pdf_url=f"/api/v1/notas/{n.id}/pdf",
        tenderned=TenderNedOut(
            published_on=n.tenderned_published_on, reference=n.tenderned_reference or "", url=n.tenderned_url
        )
        if n.tenderned_published_on and n.tenderned_url
        else None,
        updated_at=moment,
    )


def _conditional(out: Out, response: Response, if_none_match: str | None) -> Out | Response:
    tag = etag_of_model(out)
    if if_none_match is not None and tag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return out


def _dialogue(db: Session, principal: Principal, dialogue_id: int) -> Dialogue:
    try:
        return get_trajectory(db, principal, str(dialogue_id))
    except NotFound:
        raise NotFound(f"Dialogue {dialogue_id} does not exist.") from None


@router.post(
    "/questions",
    response_model=QuestionOut,
    status_code=201,
    summary="Ask a question",
    responses={201: {"headers": {"Location": {"description": "The new question", "schema": {"type": "string"}}}}},
)
def ask(db: SessionDep, principal: ApiPrincipal, body: QuestionIn, response: Response) -> QuestionOut:
    """An accepted provider (as its own provider) or an approved consultation participant asks, until the
    deadline (422 naming it). Only the asker and SDFL/the municipalities see it until its nota is released."""
    dialogue = _dialogue(db, principal, body.dialogue_id)
    question = asking.ask(
        db,
        principal,
        dialogue,
        asking.QuestionInput(
            text=body.text, session_id=body.session_id, document_id=body.document_id, section_id=body.section_id
        ),
    )
    out = question_out(asking.views_of(db, principal, [question])[0])
    response.headers["Location"] = f"/api/v1/questions/{question.id}"
    response.headers["ETag"] = etag_of_model(out)
    return out


@router.get("/questions", response_model=Page[QuestionOut], summary="List the questions you may see")
def list_questions(
    db: SessionDep, principal: ApiPrincipal, params: PageDep, feed: FeedDep, dialogue_id: DialogueId = None
) -> Page[QuestionOut]:
    """Oldest first (then id). Participants: their own questions (original text, status) and the published ones
    (published wording, answer, nota number; never who asked). Reviewers: every question with its asker. Read as a
    feed (`updated_since`, `cursor`): by `updated_at` as you see it, then id."""
    asking.require_signed_in(principal)
    check_paging(params, feed)
    if feed.active:
        every, _total = asking.list_questions(db, principal, dialogue_id=dialogue_id, offset=0, limit=EVERY)
        rows, total, nxt = feed_slice(
            [question_out(v) for v in every], feed, params, key=lambda o: Position(o.updated_at, o.id)
        )
        return feed_page(Page[QuestionOut], rows, total, params, nxt)
    views, total = asking.list_questions(
        db, principal, dialogue_id=dialogue_id, offset=params.offset, limit=params.page_size
    )
    return Page[QuestionOut].build([question_out(v) for v in views], total, params)


@router.get(
    "/questions/{question_id}",
    response_model=QuestionOut,
    summary="One question",
    responses={304: {"description": "Not modified (If-None-Match matches the ETag)"}},
)
def get_question(
    db: SessionDep,
    principal: ApiPrincipal,
    question_id: int,
    response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> QuestionOut | Response:
    """404 for a question you may not see (yet)."""
    asking.require_signed_in(principal)
    out = question_out(asking.visible_question(db, principal, question_id))
    return _conditional(out, response, if_none_match)


@router.get("/notas", response_model=Page[NotaOut], summary="List the notas van inlichtingen you may see")
def list_notas(
    db: SessionDep, principal: ApiPrincipal, params: PageDep, feed: FeedDep, dialogue_id: DialogueId = None
) -> Page[NotaOut]:
    """By trajectory and number. Participants: the released notas of the trajectories they take part in;
    reviewers: every nota, also drafts. Read as a feed (`updated_since`, `cursor`): by `updated_at` as you see it,
    then id."""
    check_paging(params, feed)
    reviewer = asking.is_reviewer(principal)
    if feed.active:
        every, _total = notas.list_notas(db, principal, dialogue_id=dialogue_id, offset=0, limit=EVERY)
        outs, total, nxt = feed_slice(
            [nota_out(r, reviewer) for r in every], feed, params, key=lambda o: Position(o.updated_at, o.id)
        )
        return feed_page(Page[NotaOut], outs, total, params, nxt)
    rows, total = notas.list_notas(db, principal, dialogue_id=dialogue_id, offset=params.offset, limit=params.page_size)
    return Page[NotaOut].build([nota_out(r, reviewer) for r in rows], total, params)


@router.get(
    "/notas/{nota_id}",
    response_model=NotaOut,
    summary="One nota van inlichtingen",
    responses={304: {"description": "Not modified (If-None-Match matches the ETag)"}},
)
def get_nota(
    db: SessionDep,
    principal: ApiPrincipal,
    nota_id: int,
    response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> NotaOut | Response:
    """404 before its release for everyone but the reviewers."""
    nota = notas.nota_by_id(db, principal, nota_id)
    out = nota_out(notas.with_items(db, [nota])[0], asking.is_reviewer(principal))
    return _conditional(out, response, if_none_match)


@router.get(
    "/notas/{nota_id}/pdf",
    summary="A nota van inlichtingen as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}},
)
def nota_pdf(db: SessionDep, principal: ApiPrincipal, nota_id: int) -> Response:
    nota = notas.nota_by_id(db, principal, nota_id)
    entry = notas.with_items(db, [nota])[0]
    dialogue = db.get(Dialogue, nota.dialogue_id)
    assert dialogue is not None
    return Response(
        notas.nota_pdf(dialogue, nota, entry.items, entry.corrects),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="nota-van-inlichtingen-{nota.number}.pdf"'},
    )
