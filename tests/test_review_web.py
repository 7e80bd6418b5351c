"""The review dashboard and triage in the browser's HTTP (issue 6): filters, permissions, triage, release."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app import clock
from app.db import utcnow
from app.markdown import render_markdown
from app.models import (
    AgendaItem,
    AgendaItemComment,
    Comment,
    DialogueSession,
    InternalNote,
    Municipality,
    Position,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    User,
)
from tests.conftest import csrf_from, login

PROVIDER = "re-care@example.org"
MUNICIPALITY = "almere@example.org"
ADMIN = "sdfl@example.org"
HTMX = {"HX-Request": "true"}


def user(db: Session, email: str) -> User:
    return db.exec(select(User).where(User.email == email)).one()


def signed_in(client: TestClient, email: str) -> TestClient:
    assert login(client, email).status_code == 303
    return client


def demo_proposal(db: Session, slug: str = "product-structure") -> Proposal:
    return db.exec(select(Proposal).where(Proposal.slug == slug)).one()


def sections(db: Session, proposal: Proposal) -> list[Section]:
    return list(
        db.exec(
            select(Section)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .where(ProposalVersion.proposal_id == proposal.id)
            .order_by(Section.position)
        ).all()
    )


def feedback(db: Session, section: Section, author: User, body: str, **extra) -> Comment:
    comment = Comment(
        section_id=section.id,
        author_id=author.id,
        provider_id=author.provider_id,
        kind=extra.pop("kind", "zorg"),
        body=body,
        body_html=render_markdown(body, heading_offset=3),
        created_at=extra.pop("created_at", utcnow()),
        **extra,
    )
    db.add(comment)
    db.commit()
    return comment


def ids_on(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<tr id="row-(\d+)"', html)]


def post(client: TestClient, path: str, data: dict, *, page: str = "/review", headers: dict | None = None):
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, headers=headers or {}, follow_redirects=False)


def test_smoke_pages(client, db):
    signed_in(client, ADMIN)
    page = client.get("/review")
    assert page.status_code == 200, page.text
    assert ids_on(page.text)
    first = ids_on(page.text)[0]
    assert client.get(f"/review/comments/{first}").status_code == 200
    assert client.get("/review/overview").status_code == 200
    assert client.get("/review/report").status_code == 200
    assert client.get("/review/report.pdf").content.startswith(b"%PDF")
    assert client.get("/review/export?format=xlsx").status_code == 200
    fragment = client.get("/review?kind=zorg", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
