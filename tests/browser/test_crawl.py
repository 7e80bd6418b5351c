"""The whole site, crawled as each kind of user, at 320 px and at 1366 px.

For every role (the public; a provider's contact whose organisation accepted, is invited or declined; a consultation
participant; a municipality; an admin) the crawl starts from the home page, the main menu and the README's routes
with real ids, and follows every same-origin link it finds (GET only; not sign-out, downloads, feeds, the API,
exports or the language switch), a few pages per kind of URL and at most ``PER_ROLE`` pages per role. Each page, at
both widths: no sideways scrolling (WCAG 1.4.10 reflow), axe-core finds no WCAG 2.1 A/AA violation, and every id
in the DOM is unique (a duplicate id leaves a label pointing at the wrong field, which axe does not always see).

One browser, one context per role, one page per role re-used for every URL; the width changes by resizing the
viewport, so a page is loaded once and checked twice. The number of pages checked is printed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import axe_playwright_python
import pytest
from sqlmodel import Session, select

from app import migrate
from app.db import make_engine
from app.demo import DEMO_PASSWORD
from app.kit import clock
from app.models import (
    Comment,
    Dialogue,
    DialogueKind,
    DialogueSession,
    Document,
    InvitationStatus,
    Proposal,
    ProposalVersion,
    Provider,
    Section,
    User,
)
from app.proposals import manage
from tests import factories
from tests.browser.conftest import WCAG_TAGS, _serving, describe
from tests.conftest import scratch_database_url

WIDTHS = (1366, 320)
PER_ROLE = 90  # pages per role at most
PER_PATTERN = 1  # pages per kind of URL (the same path with other ids, the same query keys) beyond the routes given
PER_PATH = 3  # pages per path with other ids and other queries (a list's filters and sorting)
MINIMUM = 100  # pages checked in all

PROVIDER_ACCEPTED = "re-care@example.org"
PROVIDER_INVITED = "its4sure@example.org"
PROVIDER_DECLINED = "omega-groep@example.org"
PARTICIPANT = "deelnemer@example.org"
MUNICIPALITY = "almere@example.org"
ADMIN = "sdfl@example.org"
ROLES = {
    "public": None,
    "provider, accepted": PROVIDER_ACCEPTED,
    "provider, invited": PROVIDER_INVITED,
    "provider, declined": PROVIDER_DECLINED,
    "consultation participant": PARTICIPANT,
    "municipality": MUNICIPALITY,
    "admin": ADMIN,
}

# Not pages (or not pages to load in a crawl): sign-out, files, feeds, the API, exports, the language switch.
SKIP = re.compile(
    r"^/(logout|api|static)(/|$)|/download$|\.(pdf|ics|atom|csv|xlsx|docx|odt|xml|json)$|/export|/feed|^/sessions\.ics"
)
SKIP_QUERY = {"lang", "format"}
SAME_PAGE_QUERY = {"back", "saved", "page"}  # where to go back to, a notice, a page of a list: the same template

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-scroll') && e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string'
       ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))
  .slice(0, 4)"""
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const e of document.querySelectorAll('[id]')) seen[e.id] = (seen[e.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""
LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"
# axe-core as conftest's axe_violations runs it (the same script, the same WCAG tags), but loaded once per page
# and asked for violations only (no list of what passed): the crawl runs it twice on a few hundred pages.
AXE_SCRIPT = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_RUN = (
    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
    ".then(r => r.violations)"
)


def crawl_world(db: Session) -> None:
    """The demo's world (as the live server has it) plus a provider that declined, a consultation with a
    participant, and a second version of the product proposal (one section changed) to compare."""
    world = factories.demo_world(db)
    sdfl = world["people"][ADMIN]
    factories.demo_meeting_details(db, world["meetings"], world["providers"], uploaded_by=sdfl)
    declined = factories.invitation_of(db, world["providers"]["omega-groep"])
    declined.status = InvitationStatus.declined
    declined.responded_at = clock.now() - timedelta(days=2)
    declined.note = "Wij hebben deze periode geen capaciteit."
    db.add(declined)
    products = world["proposals"]["product-structure"]
    manage.new_version(db, products, actor=sdfl)
    db.flush()
    changed = factories.sections(db, products)[0]
    changed.body += "\n\nDe producten gelden vanaf 1 januari 2027 voor alle vier de gemeenten."
    db.add(changed)
    manage.publish(db, products, change_summary="Tweede concept na de eerste reacties.", actor=sdfl)
    consultation = factories.dialogue(
        db, kind=DialogueKind.consultation, slug="logeren-2027", title="Consultatie kortdurend verblijf (logeren)"
    )
    factories.participant(db, dialogue_=consultation, email=PARTICIPANT, name="Sanne Bakker", password=DEMO_PASSWORD)
    db.commit()


@pytest.fixture(scope="module")
def crawl_server(fast_password_hashing) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """A server on ``crawl_world``; yields its base URL and the README's routes with real ids per role."""
    url = scratch_database_url("browser_crawl")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        crawl_world(db)
        routes = _routes(db)
    with _serving(engine) as base:
        yield base, routes
    engine.dispose()


def _routes(db: Session) -> dict[str, list[str]]:
    """The README's routes with real ids: what every role may try, and what only staff or providers see."""
    proposals = db.exec(select(Proposal).order_by(Proposal.id)).all()
    public = next(p for p in proposals if p.public)
    closed = next((p for p in proposals if not p.public), public)
    section, version = db.exec(
        select(Section, ProposalVersion).join(ProposalVersion).where(ProposalVersion.proposal_id == closed.id)
    ).first() or (None, None)
    meeting = db.exec(select(DialogueSession).order_by(DialogueSession.id)).first()
    document = db.exec(select(Document).order_by(Document.id)).first()
    author = db.exec(select(User).where(User.email == PROVIDER_ACCEPTED)).one()
    own = db.exec(select(Comment).where(Comment.author_id == author.id).order_by(Comment.id)).first()
    comment = db.exec(select(Comment).where(Comment.parent_id.is_(None)).order_by(Comment.id)).first()  # type: ignore[union-attr]
    provider = db.exec(select(Provider).order_by(Provider.id)).first()
    dialogue = db.exec(select(Dialogue).where(Dialogue.kind == DialogueKind.dialogue)).first()
    assert section and version and meeting and document and comment and own and provider and dialogue
    everyone = [
        "/",
        "/proposals",
        f"/proposals/{public.id}",
        f"/proposals/{public.id}/history",
        f"/proposals/{public.id}/versions/1",
        f"/proposals/{public.id}/compare?from=1&to=2",
        f"/sessions/{meeting.id}",
        f"/dialogues/{dialogue.slug}",
        "/dialogues/logeren-2027",
        "/dialogues/logeren-2027/deelnemen",
        "/dialogues/logeren-2027/volgen",
        "/login",
        "/password-reset",
    ]
    participants = [
        f"/proposals/{closed.id}",
        f"/proposals/{version.proposal_id}/sections/{section.key}",
        f"/comments/{comment.id}/history",
        "/documents",
        "/my/comments",
        "/account",
    ]
    providers = ["/invitation", f"/comments/{own.id}/edit"]
    staff = [
        "/review",
        "/review/overview",
        "/review/report",
        f"/review/comments/{comment.id}",
        "/admin/participation",
        f"/admin/participation?dialogue={dialogue.slug}",
        "/admin/drafts",
    ]
    admin = [
        "/admin/users",
        "/admin/users/new",
        "/admin/api-keys",
        "/admin/audit",
        "/admin/outbox",
        "/admin/invitations",
        f"/admin/invitations?dialogue={dialogue.slug}",
        f"/admin/dialogues/{dialogue.slug}",
        "/admin/sessions",
        f"/admin/sessions/{meeting.id}",
        "/admin/documents",
        f"/admin/documents/{document.id}",
        "/admin/providers",
        f"/admin/providers/{provider.id}",
        "/admin/providers/import",
        "/admin/municipalities",
        "/admin/care-forms",
        "/admin/proposals",
        f"/admin/proposals/{public.id}",
        f"/admin/proposals/{public.id}/answers",
        "/admin/dialogues",
        "/admin/dialogues/logeren-2027",
        "/admin/dialogues/logeren-2027/deelnemers",
        "/admin/packages",
        "/admin/questions",
    ]
    return {
        "public": everyone,
        "provider, accepted": everyone + participants + providers,
        "provider, invited": everyone + participants + ["/invitation"],
        "provider, declined": everyone + participants + ["/invitation"],
        "consultation participant": everyone + participants,
        "municipality": everyone + participants + staff,
        "admin": everyone + participants + staff + admin,
    }


def _pattern(path: str, query: str) -> tuple[str, str]:
    """The kind of URL: its path with numbers as N, and that with the names of its query parameters."""
    keys = sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)} - SAME_PAGE_QUERY)
    general = re.sub(r"/sections/[^/]+$", "/sections/KEY", re.sub(r"/\d+(?=/|$)", "/N", path))
    return general, general + ("?" + "&".join(keys) if keys else "")


def _local(href: str, origin: str) -> str | None:
    """``href`` as a same-origin path with its query (no fragment), or None when it is not a page to crawl."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k in SKIP_QUERY for k, _ in query):
        return None
    return parts.path + ("?" + urlencode(query) if query else "")


def _sign_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/login" not in url)


def _check(page, where: str) -> list[str]:
    """What is wrong with the page as shown now."""
    problems = []
    if not page.evaluate(NO_SIDEWAYS_SCROLL):
        width = page.evaluate("document.documentElement.scrollWidth")
        problems.append(f"{where}: scrolls sideways ({width} px): {page.evaluate(WIDE_ELEMENTS)}")
    duplicates = page.evaluate(DUPLICATE_IDS)
    if duplicates:
        problems.append(f"{where}: duplicate ids {duplicates}")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate(AXE_RUN, WCAG_TAGS)
    if violations:
        problems.append(f"{where}: axe: {describe(violations)}")
    return problems


def _crawl(browser, base: str, role: str, email: str | None, seeds: list[str]) -> tuple[int, list[str], list[str]]:
    """Crawl as ``role``; returns the number of pages checked, the problems and the error pages met."""
    context = browser.new_context(base_url=base, locale="nl-NL", viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    try:
        if email:
            _sign_in(page, email)
        origin = base
        queue = list(dict.fromkeys(seeds))
        given = set(queue)  # the routes given are visited whatever their kind
        seen = set(queue)
        per_pattern: Counter[str] = Counter()
        per_path: Counter[str] = Counter()
        problems: list[str] = []
        errors: list[str] = []
        checked = 0
        while queue and checked < PER_ROLE:
            path = queue.pop(0)
            parts = urlsplit(path)
            general, pattern = _pattern(parts.path, parts.query)
            if path not in given and (per_pattern[pattern] >= PER_PATTERN or per_path[general] >= PER_PATH):
                continue
            per_pattern[pattern] += 1
            per_path[general] += 1
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = page.goto(path, wait_until="load")
            status = response.status if response else 0
            assert status < 500, f"{role} {path}: {status}"
            if status >= 400:
                errors.append(f"{role} {path}: {status}")
            checked += 1
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                problems += _check(page, f"{role} {path} at {width} px")
            for href in page.evaluate(LINKS):
                found = _local(href, origin)
                if found and found not in seen:
                    seen.add(found)
                    queue.append(found)
        kinds = [_pattern(urlsplit(q).path, urlsplit(q).query) for q in queue]
        left = {kind for general, kind in kinds if kind not in per_pattern and per_path[general] < PER_PATH}
        if left:
            print(f"crawl: {role}: stopped at {PER_ROLE} pages; kinds of page not visited: {sorted(left)}")
        return checked, problems, errors
    finally:
        context.close()


def test_every_page_of_every_role_reflows_passes_axe_and_has_unique_ids(browser, crawl_server):
    base, routes = crawl_server
    started = time.monotonic()
    total = 0
    problems: list[str] = []
    errors: list[str] = []
    for role, email in ROLES.items():
        checked, found, error_pages = _crawl(browser, base, role, email, routes[role])
        print(f"crawl: {role}: {checked} pages")
        total += checked
        problems += found
        errors += error_pages
    widths = " and ".join(f"{w} px" for w in WIDTHS)
    print(f"crawl: {total} pages checked at {widths} in {time.monotonic() - started:.0f} s")
    if errors:
        print("crawl: error pages met (checked too):\n" + "\n".join(errors))
    assert problems == [], "\n".join(problems)
    assert total >= MINIMUM
