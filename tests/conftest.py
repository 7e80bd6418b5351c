"""Test harness: a fresh database per run, a transaction rolled back per test, httpx on the ASGI app.

SQLite by default. Set ``DIALOOG_TEST_DATABASE_URL`` (e.g. postgresql://postgres@127.0.0.1:5432/test) to run
the same suite on PostgreSQL; that database's ``public`` schema is dropped and rebuilt at the start of the
run. When that server cannot be reached, every test is skipped with a message saying so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Settings are read once: point them at throw-away places before the app is imported.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="dialoog-test-"))
os.environ["DIALOOG_DATA_DIR"] = str(_DATA_DIR)
os.environ["DIALOOG_ENV"] = "development"
TEST_DATABASE_URL = os.environ.get("DIALOOG_TEST_DATABASE_URL") or f"sqlite:///{_DATA_DIR / 'test.db'}"
os.environ["DIALOOG_DATABASE_URL"] = TEST_DATABASE_URL

import email
import email.policy
import re
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import migrate
from app.accounts import service as accounts
from app.config import (
    Settings,
    normalise_database_url,
)
from app.db import get_session, make_engine, set_engine
from app.demo import (
    DEMO_PASSWORD,
    seed_demo,
)
from app.kit import clock
from app.main import create_app
from app.models import User
from app.proposals import page_cache


def is_postgres(url: str) -> bool:
    return url.startswith("postgres")


def reset_database(url: str) -> Engine:
    """An empty database at ``url`` with every migration applied; skips the run if it is unreachable."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(
            f"PostgreSQL at {url} is not reachable ({exc.__class__.__name__}); skipping the PostgreSQL run",
            allow_module_level=True,
        )
    if is_postgres(url):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(url)
    return engine


def pytest_report_header(config: pytest.Config) -> str:
    return f"dialoog test database: {'PostgreSQL' if is_postgres(TEST_DATABASE_URL) else 'SQLite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests last: they start a server and a browser, and fail fast tests should come first.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    engine = reset_database(TEST_DATABASE_URL)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
    set_engine(engine)
    yield engine
    set_engine(None)
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test; the app's commits become savepoints."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def app(engine: Engine, db: Session):
    application = create_app(engine=engine)

    def session_override() -> Iterator[Session]:
        try:
            yield db
            db.commit()
        except Exception:
            db.rollback()
            raise

    for target in (application, application.state.api):
        target.dependency_overrides[get_session] = session_override
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(engine: Engine):
    """``with count_queries() as q: ...`` then ``q.count`` is the number of SQL statements run."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return counting


def scratch_database_url(name: str) -> str:
    """A second, empty database beside the test database (a file on SQLite, a database on PostgreSQL)."""
    if not is_postgres(TEST_DATABASE_URL):
        path = _DATA_DIR / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy.engine import make_url

    base = make_url(normalise_database_url(TEST_DATABASE_URL))
    scratch = base.set(database=f"{base.database}_{name}")
    admin = make_engine(base.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    admin.dispose()
    return scratch.render_as_string(hide_password=False)


# Who makes a request: a role name -> (owner of the API key, scope); "public" sends no key.
PRINCIPALS: dict[str, tuple[str, str]] = {
    "provider": ("re-care@example.org", "write"),
    "other-provider": ("triade-vitree@example.org", "write"),
    "municipality": ("almere@example.org", "write"),
    "admin": ("sdfl@example.org", "write"),
    "provider-read": ("re-care@example.org", "read"),
    "municipality-read": ("almere@example.org", "read"),
    "admin-read": ("sdfl@example.org", "read"),
}

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def auth(db: Session) -> Auth:
    """``auth(role)`` -> request headers with a fresh API key for that role (none for "public")."""
    made: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role == "public":
            return {}
        if role not in made:
            email, scope = PRINCIPALS[role]
            _row, key = accounts.create_api_key(
                db,
                owner=db.exec(select(User).where(User.email == email)).one(),
                scope=scope,
                name=f"test {role}",
                actor=None,
            )
            db.commit()
            made[role] = {"Authorization": f"Bearer {key}"}
        return made[role]

    return headers


# --- time, mail and signing in ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    """Tests may freeze or advance ``app.kit.clock``; every test starts and ends on real time."""
    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _empty_page_cache() -> Iterator[None]:
    """The proposal page cache lives in the process; each test rolls the database back underneath it."""
    page_cache.cache.clear()
    yield
    page_cache.cache.clear()


REJECTED = "onbekend@example.org"


class Collector:
    """An aiosmtpd handler that keeps every message it accepts and refuses one recipient."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address: str, rcpt_options) -> str:
        if address == REJECTED:
            return "550 5.1.1 Onbekende ontvanger"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_settings(smtp: tuple[Collector, int], tmp_path: Path) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=smtp[1], data_dir=tmp_path)


CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token on the page"
    return match.group(1)


def login(client: TestClient, email: str, password: str = DEMO_PASSWORD, next_url: str = "/"):
    """Sign in through the real form; returns the POST's response (303 on success)."""
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )


def post_form(client: TestClient, path: str, data: dict | None = None, *, page: str = "/", **kwargs):
    """POST a form with the CSRF token from ``page``, as a browser would."""
    token = csrf_from(client.get(page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False, **kwargs)
