"""Helpers shared by the test modules: signing in through the real form, posting forms with their CSRF token,
reading problem responses, and a few look-ups. Fixtures live in conftest.py, data in factories.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from fpdf import FPDF
from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.db import utcnow
from app.demo import DEMO_PASSWORD
from app.kit.i18n import TIMEZONE
from app.kit.markdown import render_markdown
from app.models import Comment, Proposal, ProposalVersion, Provider, Section, User
from app.proposals import manage

PROBLEM = "application/problem+json"
CSRF_RE = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
TOKENS_RE = re.compile(r'(name="csrf_token" value="|"X-CSRF-Token": ")[A-Za-z0-9_-]+')


# --- browsers -------------------------------------------------------------------------------------------------


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def same_page(html: str) -> str:
    """``html`` with its CSRF token (masked afresh for every response) taken out: two answers that say the
    same compare equal."""
    return TOKENS_RE.sub(r"\1CSRF", html)


def login(client: TestClient, email: str, password: str = DEMO_PASSWORD, next_url: str = "/"):
    """Sign in through the real form; returns the POST's response (303 on success)."""
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )


def signed_in(client: TestClient, email: str, password: str = DEMO_PASSWORD) -> TestClient:
    """``client``, signed in as ``email`` (asserts the sign-in worked)."""
    assert login(client, email, password).status_code == 303
    return client


def post_form(client: TestClient, path: str, data: dict | None = None, *, page: str = "/", **kwargs):
    """POST a form with the CSRF token from ``page``, as a browser would."""
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False, **kwargs)


def local(value: datetime) -> str:
    """A datetime-local form value in Amsterdam time."""
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def pdf_bytes(text: str = "Stuk voor de dialoog") -> bytes:
    """A small real PDF with ``text`` on its page."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


# --- the API --------------------------------------------------------------------------------------------------


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_key(db: Session, email: str, scope: str = "write") -> str:
    """A fresh API key of the user at ``email``."""
    _row, key = accounts.create_api_key(db, owner=find_user(db, email), scope=scope, name="test", actor=None)
    db.commit()
    return key


def key_headers(db: Session, owner: User, scope: str = "write", name: str = "test") -> dict[str, str]:
    """Request headers with a fresh API key of ``owner``."""
    _row, key = accounts.create_api_key(db, owner=owner, scope=scope, name=name, actor=None)
    db.commit()
    return bearer(key)


def assert_problem(response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with this status, a title and a detail; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def error_fields(response) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]


# --- look-ups by natural key ----------------------------------------------------------------------------------


def find_user(db: Session, email: str) -> User:
    return db.exec(select(User).where(User.email == email)).one()


def find_provider(db: Session, slug: str) -> Provider:
    return db.exec(select(Provider).where(Provider.slug == slug)).one()


def find_proposal(db: Session, slug: str) -> Proposal:
    return db.exec(select(Proposal).where(Proposal.slug == slug)).one()


def find_section(db: Session, slug: str, key: str, number: int = 1) -> Section:
    """Section ``key`` of version ``number`` of the proposal ``slug``."""
    return db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
        .where(Proposal.slug == slug, ProposalVersion.number == number, Section.key == key)
    ).one()


def publish_next_version(db: Session, slug: str = "product-structure") -> ProposalVersion:
    """Start and publish the next version of a proposal, as SDFL (sdfl@example.org) does (same section keys)."""
    admin = find_user(db, "sdfl@example.org")
    p = find_proposal(db, slug)
    manage.new_version(db, p, actor=admin)
    db.flush()
    version = manage.publish(db, p, change_summary="Tweede concept na de eerste reacties.", actor=admin)
    db.commit()
    return version


# --- proposal pages -------------------------------------------------------------------------------------------

HTMX = {"HX-Request": "true"}


def section_of(db: Session, proposal: Proposal, key: str) -> Section:
    return db.exec(
        select(Section)
        .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
        .where(ProposalVersion.proposal_id == proposal.id, Section.key == key)
        .order_by(col(ProposalVersion.number).desc())
    ).first()


def post_comment(client: TestClient, pid: int, key: str, data: dict, *, htmx: bool = False):
    token = csrf_from(client.get(f"/proposals/{pid}").text)
    headers = {**HTMX, "X-CSRF-Token": token} if htmx else {}
    return client.post(
        f"/proposals/{pid}/sections/{key}/comments",
        data={**data, "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


def add_comments(db: Session, section: Section, author: User, n: int, *, text: str = "Reactie") -> list[Comment]:
    now = utcnow()
    comments = [
        Comment(
            section_id=section.id,
            author_id=author.id,
            provider_id=author.provider_id,
            kind="steun",
            body=f"{text} {i}",
            body_html=render_markdown(f"{text} {i}"),
            created_at=now - timedelta(minutes=n - i),
        )
        for i in range(n)
    ]
    db.add_all(comments)
    db.commit()
    return comments
