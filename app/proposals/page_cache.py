"""A shared cache for the heavy part of the proposal page: its table of contents and sections with threads.

Every reader of the same kind (public, provider, participant, municipality, admin; sees participants' names
behind their pseudonyms or not; may comment or not; language) sees the
same sections and threads of a version: the same comments, the same released answers and decisions. Only a
few things are the reader's own: the "nieuw" badges (since *their* last visit), the edit and withdraw buttons
on *their* comments, and the tokens in the forms (CSRF, once-only form token). So that part is rendered once
per kind of reader with neutral marks where readers differ (``<!--dlg:KIND:ARG-->``, written where templates call
``reader_mark``; a placeholder CSRF token and form token), kept, and made personal for each request by replacing
the marks: two small queries and a regular expression instead of loading and rendering hundreds of comments
(``bench/run.py``: figures in the README).

An entry is used only while all of these hold:

- nothing it shows has changed in this process: every flush or commit that touches a comment, section, version,
  proposal, user, provider or municipality moves the process's generation on (SQLAlchemy session events, so no
  service can forget it; the request that writes sees its own change before it commits);
- nothing it shows has changed in any other process: every transaction that changes one of those moves the
  database's counter ``change_counters.pages`` on, at its commit and in it (an upsert just before the COMMIT,
  so the row is locked for one statement); each request reads the counter once (one primary-key read) and an
  entry rendered at another value is not used. So a change made through one worker or replica is on the page
  through every other one at the next request;
- no scheduled moment has passed since it was rendered: the release of an answer or decision, the opening or
  closing of the comment window (``valid_until``);
- it is younger than ``TTL`` seconds: the bound on staleness for changes that pass by the ORM session (SQL typed
  into the database by hand).

The views call one function, ``render_page``: it renders the page around the sections, takes the sections
from the cache (rendering them on a miss), makes them personal and joins the page once.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2_fragments import render_block
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase
from sqlmodel import Session as DbSession
from sqlmodel import select

from app.feedback.applied import applied_in
from app.feedback.marks import ReaderMarks, reader_marks
from app.feedback.window import next_change
from app.kit import clock, i18n
from app.models import ChangeCounter, Comment, Municipality, Proposal, ProposalVersion, Provider, Section, User
from app.proposals.pages import ProposalPage, section_views
from app.proposals.reading import mark_visited
from app.web.security import csrf_token
from app.web.templates import render, templates

TTL = 10.0  # seconds
MAX_ENTRIES = 64  # of about 0.1-0.5 MB each
# Placeholders that no comment can spell: everything a reader wrote reaches the HTML escaped, so a "&" in it
# is always followed by "amp;", and "<!--" cannot occur in it. (Templates get them as Markup, unescaped.)
CSRF_PLACEHOLDER = "&dlg-csrf-d1a10065;"
FORM_TOKEN_PLACEHOLDER = "&dlg-form-token-d1a10065;"  # noqa: S105 - a placeholder, replaced per form
MARK = re.compile(r"<!--dlg:(own|new|tnew|snew|toc):([^<>]*?)-->")
TOKEN = re.compile(f"({re.escape(CSRF_PLACEHOLDER)}|{re.escape(FORM_TOKEN_PLACEHOLDER)})")
WATCHED = (Comment, Section, ProposalVersion, Proposal, User, Provider, Municipality)
WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)


@dataclass(frozen=True)
class Entry:
    html: str
    generation: int  # the process's generation when it was rendered
    shared: int  # the database's change counter when it was rendered
    rendered_at: datetime  # the app clock's time of rendering
    valid_until: datetime | None  # the next scheduled change, if any
    sections: tuple[tuple[int, str], ...]  # (id, key) of the version's sections, for the reader's own marks
    changed_keys: frozenset[str]  # sections added or changed since the version before
    stored: float = field(default_factory=time.monotonic)
    # The HTML cut once at its marks and at its token placeholders: the text between them, an empty slot per
    # mark and per token, and where each slot is. A request fills only the slots that are its reader's (a
    # few marks, the tokens), not every mark (hundreds). Kept as UTF-8 pieces: the response is bytes, and the
    # page is joined from them once, without copying or searching the whole text per request.
    pieces: tuple[bytes, ...] = field(init=False)
    slots: dict[tuple[str, str], int] = field(init=False)
    csrf_slots: tuple[int, ...] = field(init=False)
    form_token_slots: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        pieces: list[bytes] = []
        slots: dict[tuple[str, str], int] = {}
        token_slots: dict[str, list[int]] = {CSRF_PLACEHOLDER: [], FORM_TOKEN_PLACEHOLDER: []}

        def add_text(text: str) -> None:
            for i, part in enumerate(TOKEN.split(text)):
                if i % 2:
                    token_slots[part].append(len(pieces))
                    pieces.append(b"")
                elif part:
                    pieces.append(part.encode())

        parts = MARK.split(self.html)  # text, kind, arg, text, kind, arg, ..., text
        add_text(parts[0])
        for i in range(1, len(parts), 3):
            slots[(parts[i], parts[i + 1])] = len(pieces)
            pieces.append(b"")
            add_text(parts[i + 2])
        object.__setattr__(self, "pieces", tuple(pieces))
        object.__setattr__(self, "slots", slots)
        object.__setattr__(self, "csrf_slots", tuple(token_slots[CSRF_PLACEHOLDER]))
        object.__setattr__(self, "form_token_slots", tuple(token_slots[FORM_TOKEN_PLACEHOLDER]))


class PageCache:
    """A small thread-safe LRU of entries."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._renderers: dict[tuple[Any, ...], threading.Lock] = {}
        self._generation = 0
        self.hits = 0
        self.misses = 0

    @property
    def generation(self) -> int:
        return self._generation

    def changed(self) -> None:
        """Something an entry may show has changed: no entry made before now is used again."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def clear(self) -> None:
        self.changed()

    def get(self, key: tuple[Any, ...], now: datetime, shared: int) -> Entry | None:
        """The entry for ``key`` if it may still be shown at ``now`` with the database's counter at ``shared``."""
        with self._lock:
            entry = self._entries.get(key)
            fresh = (
                entry is not None
                and entry.generation == self._generation
                and entry.shared == shared
                and time.monotonic() - entry.stored < TTL
                and entry.rendered_at <= now
                and (entry.valid_until is None or now < entry.valid_until)
            )
            if not fresh:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def lock(self, key: tuple[Any, ...]) -> threading.Lock:
        """One renderer per key: requests that miss together wait for the first one's entry instead of each
        rendering the same page (the sync views run in a thread pool, so waiting blocks a thread, not the
        event loop)."""
        with self._lock:
            return self._renderers.setdefault(key, threading.Lock())

    def put(self, key: tuple[Any, ...], entry: Entry) -> None:
        with self._lock:
            if entry.generation != self._generation:  # something changed while it was rendered
                return
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


cache = PageCache()


def personalise(entry: Entry, csrf_token: str, fill: dict[tuple[str, str], str]) -> list[bytes]:
    """The entry's HTML for one reader as UTF-8 pieces to join: the mark ``<!--dlg:KIND:ARG-->`` becomes
    ``fill[(KIND, ARG)]`` (nothing when absent), with their CSRF token, and a fresh once-only token per form."""
    pieces = list(entry.pieces)
    for mark, html in fill.items():
        slot = entry.slots.get(mark)
        if slot is not None:
            pieces[slot] = html.encode()
    token = csrf_token.encode()
    for slot in entry.csrf_slots:
        pieces[slot] = token
    for slot, form_token in zip(entry.form_token_slots, _form_tokens(len(entry.form_token_slots)), strict=True):
        pieces[slot] = form_token
    return pieces


def _form_tokens(n: int) -> list[bytes]:
    """``n`` once-only form tokens like ``secrets.token_urlsafe(16)``, from one call to the system's random
    source instead of one per form (150 forms on a page with 1,000 comments)."""
    raw = secrets.token_bytes(16 * n)
    return [base64.urlsafe_b64encode(raw[i : i + 16]).rstrip(b"=") for i in range(0, 16 * n, 16)]


# --- rendering the proposal page ----------------------------------------------------------------------

TEMPLATE = "proposals/detail.html"
SECTIONS_SLOT = "<!--dlg-sections-->"  # where the page's ``sections_html`` goes


def render_page(request: Request, session: DbSession, page: ProposalPage, context: dict[str, Any]) -> Response:
    """The proposal page for ``page``: the page around the sections rendered as usual (``context`` besides the
    page), the sections from the shared cache made personal, joined once. Remembers the visit when it changes
    what the next one marks "nieuw": the first visit, or one that showed something new (a visit with nothing
    new leaves the row as it is, and the next visit marks the same). The visit is written after rendering,
    so that on SQLite the write lock it takes lasts only until the request's commit."""
    token = csrf_token(request)  # masked once for this response: the page around the sections and the sections
    sections_html, news = _sections_html(session, page, context, token)
    response = render(
        request,
        TEMPLATE,
        {
            "title": page.proposal.title,
            "page": page,
            "sections_html": Markup(SECTIONS_SLOT),  # noqa: S704 - a constant
            "csrf_token": token,
            **context,
        },
    )
    if page.is_current and (page.reader.last_seen is None or news):
        mark_visited(session, page.reader.principal, page.proposal)
    # The sections go in as the bytes they already are.
    head, _slot, tail = bytes(response.body).partition(SECTIONS_SLOT.encode())
    response.body = b"".join([head, *sections_html, tail])
    response.headers["content-length"] = str(len(response.body))
    return response


def _reader_mark(kind: str, arg: object = "") -> Markup:
    """The neutral mark ``personalise`` replaces with what is the reader's own (``MARK``)."""
    return Markup(f"<!--dlg:{kind}:{escape(str(arg))}-->")  # noqa: S704 - kind is ours, arg escaped


def _render_sections(
    session: DbSession, page: ProposalPage, now: datetime, context: dict[str, Any], shared: int
) -> Entry:
    """The cached part of the proposal page for ``page``'s kind of reader: no reader's own marks filled in."""
    generation = cache.generation  # before reading: a change from now on makes this entry stale
    neutral = replace(page, reader=replace(page.reader, last_seen=None))
    views = section_views(session, neutral)
    html = render_block(
        templates.env,
        TEMPLATE,
        "sections",
        page=replace(neutral, sections=views, applied=applied_in(session, page.version)),
        form_state=None,
        reader_mark=_reader_mark,
        csrf_token=Markup(CSRF_PLACEHOLDER),  # noqa: S704 - constants
        new_form_token=lambda: Markup(FORM_TOKEN_PLACEHOLDER),  # noqa: S704
        current_user=None,
        **context,
    )
    return Entry(
        html=html,
        generation=generation,
        shared=shared,
        rendered_at=now,
        valid_until=next_change(session, page.proposal, now),
        sections=tuple((view.section.id or 0, view.section.key) for view in views),
        changed_keys=frozenset(view.section.key for view in views if view.changed),
    )


def _cached_entry(session: DbSession, page: ProposalPage, context: dict[str, Any], now: datetime) -> Entry:
    """The entry for ``page``'s kind of reader, rendered on a miss (once, however many requests miss)."""
    key = (
        page.version.id,
        page.reader.principal.role,
        page.reader.sees_names,  # an experience expert's name, or only the pseudonym
        page.may_comment,
        page.shows_comments,
        page.is_current,
        i18n.get_locale(),
    )
    shared = shared_generation(session)  # before reading what the entry shows
    entry = cache.get(key, now, shared)
    if entry is None:
        with cache.lock(key):
            entry = cache.get(key, now, shared)  # rendered meanwhile by the request this one waited for
            if entry is None:
                entry = _render_sections(session, page, now, context, shared)
                cache.put(key, entry)
    return entry


def _sections_html(
    session: DbSession, page: ProposalPage, context: dict[str, Any], token: str
) -> tuple[list[bytes], bool]:
    """The table of contents and the sections with their threads, from the shared cache, made personal for
    this reader (``token``: their CSRF token, masked for this response); and whether anything on it is new to
    them."""
    entry = _cached_entry(session, page, context, clock.now())
    marks = (
        reader_marks(session, page.reader, [sid for sid, _key in entry.sections])
        if page.shows_comments
        else ReaderMarks()
    )
    last_seen, published_at = page.reader.last_seen, page.version.published_at
    published_since = bool(last_seen and published_at and published_at > last_seen)
    fill = _fill(entry, marks, published_since, token) if marks.own or marks.new or published_since else {}
    return personalise(entry, token, fill), bool(marks.new or published_since)


def _fill(entry: Entry, marks: ReaderMarks, published_since: bool, token: str) -> dict[tuple[str, str], str]:
    """What goes into the reader's marks: their own buttons, the "nieuw" badges and counts. Each macro is called
    once (``_mark_html``), not once per mark: the marks differ only in the comment, the section and the token."""
    html = _mark_html(templates.env.get_template("proposals/_macros.html"), i18n.get_locale())
    keys = dict(entry.sections)
    fill: dict[tuple[str, str], str] = {}
    if marks.own:
        own = html.own_actions.replace(CSRF_PLACEHOLDER, token)
        for comment_id, section_id in marks.own.items():
            key = keys.get(section_id, "")
            fill[("own", f"{comment_id} {key}")] = own.replace(_COMMENT, str(comment_id)).replace(
                _SECTION, str(escape(key))
            )
    for comment_id in marks.new:
        fill[("new", str(comment_id))] = html.new_badge
    counts: dict[int, str] = {}
    for section_id, count in marks.new_per_section.items():
        key = keys.get(section_id, "")
        if count not in counts:
            counts[count] = str(html.macros.new_count(count))
        fill[("toc", key)] = fill[("tnew", key)] = counts[count]
    if published_since:
        for key in entry.changed_keys:
            fill[("snew", key)] = html.section_new_badge
            fill[("toc", key)] = html.changed_badge
    return fill


# Stand-ins for a comment's id and a section's key in ``own_actions``: nothing the macro escapes, nothing a
# comment id or an escaped key contains.
_COMMENT, _SECTION = "\x00comment\x00", "\x00section\x00"


@dataclass(frozen=True)
class _MarkHtml:
    macros: Any
    own_actions: str  # with _COMMENT, _SECTION and CSRF_PLACEHOLDER in it
    new_badge: str
    changed_badge: str
    section_new_badge: str


@lru_cache(maxsize=16)
def _mark_html(template: Any, locale: str) -> _MarkHtml:
    """The reader's marks of ``proposals/_macros.html`` in ``locale``, rendered once (per template: a template
    reloaded in development is a new object)."""
    macros: Any = template.make_module({"csrf_token": Markup(CSRF_PLACEHOLDER)})  # noqa: S704 - a constant
    return _MarkHtml(
        macros=macros,
        own_actions=str(macros.own_actions(_COMMENT, _SECTION)),
        new_badge=str(macros.new_badge()),
        changed_badge=str(macros.changed_badge()),
        section_new_badge=str(macros.section_new_badge()),
    )


# --- knowing when something changed ------------------------------------------------------------------


def _touches_watched(session: Session) -> bool:
    return any(isinstance(obj, WATCHED) for objs in (session.new, session.dirty, session.deleted) for obj in objs)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if _touches_watched(session):
        session.info["page_cache_changed"] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # The same session may read what it flushed before it commits (a request that writes, then renders).
    if session.info.get("page_cache_changed"):
        cache.changed()


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: Any) -> None:
    """``session.execute(update(Comment)...)`` and the like: no flush sees those."""
    if isinstance(state.statement, UpdateBase):
        # update(Comment) names an annotated copy of the table, not the table itself: compare by name.
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table in WATCHED_TABLES:
            state.session.info["page_cache_changed"] = True
            cache.changed()


COUNTER = "pages"  # the row of ``change_counters`` this cache follows


def shared_generation(session: DbSession) -> int:
    """The database's change counter: moved on by every committed change an entry may show, in any process."""
    value = session.exec(select(ChangeCounter.value).where(ChangeCounter.name == COUNTER)).first()
    return value or 0


def _bump_shared(session: Session) -> None:
    """Move the database's counter on, in the committing transaction (an upsert: the row need not exist)."""
    table = ChangeCounter.metadata.tables["change_counters"]
    connection = session.connection()
    dialect_insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(table).values(name=COUNTER, value=1)
    connection.execute(
        statement.on_conflict_do_update(index_elements=[table.c.name], set_={"value": table.c.value + 1})
    )


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # The commit's own flush happens after this event: flush now, so what it writes moves the counter too. The
    # upsert is the transaction's last statement before COMMIT: the counter's row is locked only that long.
    if _touches_watched(session):
        session.flush()
    # A session that writes into a schema from before migration 0022 (a migration's test) says so in its info.
    if session.info.get("page_cache_changed") and session.info.get("change_counter", True):
        _bump_shared(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Again at the commit: a reader that rendered between the flush and the commit saw the old rows.
    if session.info.pop("page_cache_changed", False):
        cache.changed()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    if session.info.pop("page_cache_changed", False):
        cache.changed()  # what was flushed and read is gone again
