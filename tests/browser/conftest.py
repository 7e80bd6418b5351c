"""Browser harness: a real uvicorn server on loopback and Debian's Chromium driven by Playwright.

The server runs on its own database, so what a browser test changes never reaches the transaction-per-test
suite. That database is built with the factories (tests/factories.py) in the demo's shape, not seeded with the
demo: the browser tests sign in as the demo's people and name its providers, proposals and meetings, but they test
the app, not the demo. Tests skip, saying why, only where no Chromium is installed.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import migrate
from app.db import make_engine
from app.main import create_app
from tests import factories
from tests.conftest import scratch_database_url

CHROMIUM = os.environ.get("DIALOOG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(fast_password_hashing) -> Iterator[str]:
    """The server's database holds the demo's world made by factories (passwords hashed with the cheap test
    hasher: the hash carries its parameters, so the server's sign-in verifies them as any other)."""
    url = scratch_database_url("browser")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        world = factories.demo_world(session)
        factories.demo_meeting_details(
            session, world["meetings"], world["providers"], uploaded_by=world["people"]["sdfl@example.org"]
        )
        session.commit()
    with _serving(engine) as url_of_server:
        yield url_of_server
    engine.dispose()


@pytest.fixture(scope="session")
def empty_server() -> Iterator[str]:
    """A new installation: a migrated database without any data."""
    url = scratch_database_url("browser_empty")
    migrate.upgrade(url)
    engine = make_engine(url)
    with _serving(engine) as url_of_server:
        yield url_of_server
    engine.dispose()


@contextmanager
def _serving(engine: Engine) -> Iterator[str]:
    """The app on ``engine``, served by uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine=engine), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: browser tests skipped (install it: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="nl-NL")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors  # CSP violations and script errors show up here
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA) on the page; returns the violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']}: {v['help']} ({len(v['nodes'])}x) {v['nodes'][0]['target']}" for v in violations)
