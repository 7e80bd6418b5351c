"""Templates, htmx helpers and template filters.

A full page and its htmx fragment come from one template: ``render`` answers an htmx request with the
named block only and adds ``Vary: HX-Request`` so caches keep the two apart.

Templates get the answers, not the roles: every page rendered here has ``may(action, **resource)``, which asks
``app.policy.can`` about whoever makes the request (``request.state.principal``; the public when nobody signed
in), e.g. ``{% if may("manage") %}``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup

from app.kit import i18n
from app.kit.markdown import plain_text, render_markdown
from app.kit.tables import stacked_tables
from app.policy import ANONYMOUS, Action, Principal, can
from app.web.assets import Assets
from app.web.security import csrf_token

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# The static files' hashes, read once at start-up: ``static_url("dialoog.css")`` in templates (app.web.assets).
assets = Assets(STATIC_DIR)

templates = Jinja2Blocks(directory=str(TEMPLATE_DIR))
env = templates.env
env.autoescape = True
env.add_extension("jinja2.ext.i18n")
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
env.filters.update(
    datetime=i18n.fmt_datetime,
    date=i18n.fmt_date,
    time=i18n.fmt_time,
    iso=i18n.local_iso,
    markdown=lambda text, heading_offset=1: Markup(render_markdown(text, heading_offset)),  # noqa: S704 - sanitised by nh3
    plain=plain_text,
    stacked_tables=stacked_tables,  # a section's Markdown tables stack on a phone: {{ html|stacked_tables(label) }}
)
env.globals.update(
    get_locale=i18n.get_locale,
    static_url=assets.url,
    content_lang=lambda: content_lang(),
    SUPPORTED_LOCALES=i18n.SUPPORTED_LOCALES,
    # A once-only token per rendered form that creates something: a resubmission (double click, a retry
    # after a lost connection, the back button) returns what the first submission made instead of a copy.
    new_form_token=lambda: secrets.token_urlsafe(16),
    # Where a page shows something of the reader's own (their edit buttons, "nieuw" badges). Outside the proposal
    # page's cache it marks nothing; the cache (app.proposals.page_cache) marks those places to fill per reader.
    reader_mark=lambda kind, arg="": "",
)


CONTENT_LANGUAGE = "nl"  # proposals, comments, documents, agendas: written in Dutch, whatever the reader's language


def content_lang() -> Markup:
    """`` lang="nl"`` for an element holding text people entered (in Dutch) when the page is in another
    language, so a screen reader reads it as Dutch; nothing on a Dutch page.
    ``<div class="prose"{{ content_lang() }}>``."""
    if i18n.get_locale() == CONTENT_LANGUAGE:
        return Markup("")
    return Markup(f' lang="{CONTENT_LANGUAGE}"')  # noqa: S704 - a constant


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def may_for(request: Request) -> Callable[..., bool]:
    """``may(action, **resource)`` for the templates: what ``can`` answers for the principal of ``request``."""
    principal: Principal = getattr(request.state, "principal", ANONYMOUS)

    def may(
        action: str,
        *,
        provider_id: int | None = None,
        author_id: int | None = None,
        proposal_public: bool | None = None,
    ) -> bool:
        return can(
            principal, Action(action), provider_id=provider_id, author_id=author_id, proposal_public=proposal_public
        )

    return may


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a page, or only ``block`` of it when htmx asks."""
    context = dict(context or {})
    context.setdefault("request", request)
    context.setdefault("current_user", getattr(request.state, "user", None))
    context.setdefault("csrf_token", csrf_token(request))
    context.setdefault("may", may_for(request))
    headers = dict(headers or {})
    headers["Vary"] = "HX-Request"
    if block and is_htmx(request):
        return templates.TemplateResponse(
            request, template, context, status_code=status_code, headers=headers, block_name=block
        )
    return templates.TemplateResponse(request, template, context, status_code=status_code, headers=headers)
