"""create_app(): routers, static files, middleware and error handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.engine import Engine
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts import api as accounts_api
from app.accounts import views as account_views
from app.accounts.deps import api_principal, load_user, require_api_user
from app.admin import views as admin_views
from app.archive import admin_views as archive_admin_views
from app.config import get_settings
from app.consultations import admin_views as consultation_admin_views
from app.consultations import views as consultation_views
from app.db import get_engine
from app.dialogues import admin_views as dialogue_admin_views
from app.dialogues import api as dialogues_api
from app.dialogues import views as dialogue_views
from app.documents import api as documents_api
from app.documents import views as document_views
from app.health import router as health_router
from app.invitations import api as invitations_api
from app.invitations import views as invitation_views
from app.kit import i18n
from app.meetings import admin_views as meeting_admin_views
from app.meetings import api as meetings_api
from app.meetings import views as meeting_views
from app.openapi import camel_case_id, install_openapi
from app.overview import views as overview_views
from app.proposals import admin_views as proposal_admin_views
from app.proposals import api as proposals_api
from app.proposals import views as proposal_views
from app.providers import admin_views as provider_admin_views
from app.providers import api as providers_api
from app.questions import admin_views as question_admin_views
from app.questions import api as questions_api
from app.questions import views as question_views
from app.releases import admin_views as release_admin_views
from app.review import api as review_api
from app.review import views as review_views
from app.signoff import admin_views as signoff_admin_views
from app.signoff import api as signoff_api
from app.sitepages import views as sitepage_views
from app.web import api_page
from app.web.assets import HashedStaticFiles
from app.web.errors import install_error_handlers
from app.web.routing import index_routes
from app.web.security import CSRFMiddleware
from app.web.templates import assets, templates
from app.webhooks import admin_views as webhook_admin_views
from app.webhooks import api as webhooks_api

log = logging.getLogger("dialoog")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
# Swagger UI sets style attributes from its scripts; only its page allows that.
CSP_API_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SecurityHeadersMiddleware:
    """Adds the security headers to every response: pages, fragments, API answers, errors, files.

    An HTML answer to a signed-in user (``request.state.user``, set by app.accounts.deps.load_user) also gets
    ``Cache-Control: no-store``, so that no cache, nor the browser's back button after signing out, keeps a
    page meant for that user; a route that sets its own Cache-Control keeps it. Files under /static and the
    API are left alone.
    """

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        csp = CSP_API_DOCS if path.startswith("/api/docs") else CSP
        personal_pages = not path.startswith(("/static/", "/api/"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"content-security-policy", b"x-frame-options")
                ]
                if personal_pages and _signed_in_html(scope, headers):
                    headers.append((b"cache-control", b"no-store"))
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if self.hsts:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _signed_in_html(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bool:
    """An HTML answer for a signed-in user that has no Cache-Control of its own."""
    if scope.get("state", {}).get("user") is None:
        return False
    names = {k.lower(): v for k, v in headers}
    return b"cache-control" not in names and names.get(b"content-type", b"").startswith(b"text/html")


class LocaleMiddleware:
    """Picks nl or en: ``?lang=`` (remembered in a cookie), then the cookie, then Dutch."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        requested = request.query_params.get("lang")
        api = scope["path"].startswith("/api/")  # the API sets no cookies
        locale = i18n.pick_locale(requested, request.cookies.get(i18n.LOCALE_COOKIE))
        i18n.set_locale(locale)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and requested in i18n.SUPPORTED_LOCALES and not api:
                cookie = f"{i18n.LOCALE_COOKIE}={locale}; Path=/; Max-Age=31536000; SameSite=Lax"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def create_api() -> FastAPI:
    """The JSON API, mounted at /api/v1: its own OpenAPI document and problem+json errors."""
    api = FastAPI(
        title="Dialoog API",
        version="1",
        description=(
            "JSON API of Dialoog, the consultation platform of Sociaal Domein Flevoland. "
            "Lists share one pagination shape (`items`, `total`, `page`, `page_size`, `pages`); "
            "errors are `application/problem+json` (RFC 9457); timestamps are ISO 8601 with offset."
        ),
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        servers=[{"url": "/api/v1"}],
        # operationIds from the endpoint function names: list_comments -> listComments (unique over the API)
        generate_unique_id_function=camel_case_id,
    )
    install_error_handlers(api, api=True)
    install_openapi(api, reads_key=[api_principal], needs_key=[require_api_user])
    origins = get_settings().api_cors_origin_list
    if origins:  # off by default: browsers of other origins may call the API only from these (DIALOOG_API_CORS_ORIGINS)
        api.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
            expose_headers=CORS_EXPOSED,
            allow_credentials=False,
            max_age=600,
        )
    api.include_router(accounts_api.router)
    api.include_router(providers_api.router)
    api.include_router(dialogues_api.router)
    api.include_router(meetings_api.router)
    api.include_router(invitations_api.router)
    api.include_router(documents_api.router)
    api.include_router(review_api.router)  # before proposals: /comments/export is not /comments/{id}
    api.include_router(proposals_api.router)
    api.include_router(questions_api.router)
    api.include_router(signoff_api.router)
    api.include_router(webhooks_api.router)  # issue 20: /events and /webhooks
    index_routes(api.router)
    return api


# Response headers a browser script of an allowed origin may read.
CORS_EXPOSED = [
    "ETag",
    "Link",
    "Location",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "Idempotent-Replayed",
    "Deprecation",
    "Sunset",
]


# More worker threads than requests in flight. The sync endpoints and dependencies run in anyio's thread pool
# (default 40 threads). On SQLite a request that writes waits for the one write lock while holding its thread;
# with 40 such requests queued, the request holding the lock could not get a thread to finish in (a JSON answer
# is validated in a worker thread before the commit) and everything stood still until the lock timeout: 500s
# (bench/load.py, 50 writers). Idle threads cost nothing; they are made when needed.
WORKER_THREADS = 200


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
    yield


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the app; ``engine`` defaults to the one from the settings."""
    settings = get_settings()
    # Every page knows who is signed in (request.state.user), for the header and the policy.
    app = FastAPI(
        title="Dialoog",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(load_user)],
        lifespan=lifespan,
    )
    app.state.secret_key = settings.resolved_secret_key()
    # Jinja looks at every template file's modification time on each use unless told not to: in development a
    # changed template shows at once; elsewhere the files do not change while the process runs (issue 21: about a
    # tenth of the review dashboard's time went to those checks).
    templates.env.auto_reload = settings.env == "development"
    install_error_handlers(app, api=False)
    api = create_api()
    app.state.api = api
    app.state.engine = api.state.engine = engine or get_engine()

    app.mount("/static", HashedStaticFiles(assets=assets), name="static")
    app.mount("/api/v1", api, name="api")
    app.include_router(health_router)
    app.include_router(api_page.router)
    app.include_router(dialogue_views.router)
    app.include_router(dialogue_admin_views.router)
    app.include_router(signoff_admin_views.router)
    dialogue_admin_views.register_panel(signoff_admin_views.settings_panel)  # issue 17: the sign-off settings
    app.include_router(archive_admin_views.router)
    dialogue_admin_views.register_panel(archive_admin_views.archive_panel)  # issue 19: the Woo archive
    app.include_router(account_views.router)
    app.include_router(admin_views.router)
    app.include_router(provider_admin_views.router)
    app.include_router(meeting_views.router)
    app.include_router(meeting_admin_views.router)
    app.include_router(invitation_views.router)
    app.include_router(document_views.router)
    app.include_router(proposal_views.router)
    app.include_router(proposal_admin_views.router)
    app.include_router(review_views.router)
    app.include_router(review_views.mine)
    app.include_router(consultation_views.router)
    app.include_router(consultation_admin_views.router)
    app.include_router(release_admin_views.router)
    app.include_router(question_views.router)
    app.include_router(question_admin_views.router)
    app.include_router(sitepage_views.router)
    app.include_router(overview_views.router)
    app.include_router(webhook_admin_views.router)  # issue 20: /admin/webhooks

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    api_docs_html = API_DOCS_HTML.format(
        css=assets.url("swagger/swagger-ui.css"),
        bundle=assets.url("swagger/swagger-ui-bundle.js"),
        start=assets.url("api-docs.js"),
    )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(api_docs_html)

    app.add_middleware(LocaleMiddleware)
    app.add_middleware(
        CSRFMiddleware, secret=app.state.secret_key, secure=settings.secure_cookies, max_body=settings.max_request_bytes
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    # Outermost: pages, fragments, JSON, CSS and scripts go out gzipped when the client accepts it. Pages are safe
    # to compress because the one secret in them, the CSRF token, is masked afresh per response
    # (app.web.security.mask_token; BREACH). Files that are compressed already are not compressed again.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM, compresslevel=6, exclude_content_types=GZIP_EXCLUDED)
    index_routes(app.router)  # a request is matched only against the routes of its first path segment
    return app


GZIP_MINIMUM = 1024  # bytes: below this the gzip header and the CPU cost more than they save
GZIP_EXCLUDED = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/pdf",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
)


API_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dialoog API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{css}"></head>
<body><main><div id="swagger-ui" data-spec-url="/api/v1/openapi.json"></div></main>
<script src="{bundle}"></script>
<script src="{start}"></script></body></html>
"""


def __getattr__(name: str) -> Any:
    # `uvicorn app.main:app` works without building the app at import time for tests and the CLI.
    if name == "app":
        return create_app()
    raise AttributeError(name)
