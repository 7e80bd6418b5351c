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
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import migrate
from app.accounts import passwords
from app.accounts import service as accounts
from app.config import (
    Settings,
    get_settings,
    normalise_database_url,
)
from app.db import get_session, make_engine, set_engine
from app.demo import SeedResult, seed_demo
from app.kit import clock
from app.main import create_app
from app.models import User
from app.proposals import page_cache
from tests import factories
from tests.helpers import signed_in


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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "demo: runs on the database holding the demo data set")
    config.addinivalue_line("markers", "signed_in(role): the client fixture is signed in as a new user of role")


def pytest_report_header(config: pytest.Config) -> str:
    return f"dialoog test database: {'PostgreSQL' if is_postgres(TEST_DATABASE_URL) else 'SQLite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests last: they start a server and a browser, and fail fast tests should come first.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# argon2 with the smallest parameters: a sign-in costs microseconds instead of a tenth of a second. Hashes made
# with other parameters still verify (argon2 reads them from the hash) and are rehashed with these on sign-in.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[PasswordHasher]:
    """Every test (and the demo seed) hashes passwords with ``FAST_HASHER``; the real hasher comes back after."""
    previous = passwords.use_hasher(FAST_HASHER)
    yield FAST_HASHER
    passwords.use_hasher(previous)


@pytest.fixture(scope="session")
def empty_engine(fast_password_hashing: PasswordHasher) -> Iterator[Engine]:
    """The test database with every migration and no data: tests build theirs with tests/factories.py."""
    engine = reset_database(TEST_DATABASE_URL)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_engine(fast_password_hashing: PasswordHasher) -> Iterator[Engine]:
    """A second database beside the test database, holding the demo data set (seeded once, when first asked)."""
    engine = reset_database(scratch_database_url("demo"))
    with Session(engine) as session:
        _seeded.append(seed_demo(session))
        session.commit()
    yield engine
    engine.dispose()


_seeded: list[SeedResult] = []


@pytest.fixture
def engine(request: pytest.FixtureRequest, empty_engine: Engine) -> Iterator[Engine]:
    """The database of this test: the demo database for tests marked ``demo`` (the tests of the demo, and modules
    not yet re-based on factories: ``pytestmark = pytest.mark.demo``), else the empty one."""
    chosen = request.getfixturevalue("demo_engine") if request.node.get_closest_marker("demo") else empty_engine
    set_engine(chosen)
    yield chosen
    set_engine(None)


@pytest.fixture
def demo(demo_engine: Engine, engine: Engine) -> SeedResult:
    """What seeding the demo made (for tests marked ``demo``)."""
    assert engine is demo_engine, "mark the test with pytest.mark.demo to use the demo data"
    return _seeded[0]


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


class _AppCache:
    """One app per database, built once and handed to every test whose settings are the same.

    Building the app is cheap, but its first requests are not: FastAPI works out each route's dependencies per app
    instance, lazily, on the first request that reaches a router (about half of the suite's time when every test
    built its own app). The app keeps nothing of a test: the test's session is a dependency override, removed
    after it; the database is rolled back. An app a test changed (a route or middleware added, its state) is not
    handed out again, and settings that differ from those the app was built with (a test that sets ``DIALOOG_*``
    and clears ``get_settings``) get a fresh app, as before."""

    def __init__(self) -> None:
        self.apps: dict[int, tuple[Settings, FastAPI, tuple]] = {}

    @staticmethod
    def shape(application: FastAPI) -> tuple:
        """What a test could change on an app: its routes, middleware and state, and the API's."""
        return tuple(
            (tuple(map(id, a.router.routes)), tuple(map(id, a.user_middleware)), tuple(a.state._state.items()))
            for a in (application, application.state.api)
        )

    def get(self, engine: Engine) -> FastAPI:
        settings = get_settings()
        cached = self.apps.get(id(engine))
        if cached is not None and cached[0] == settings:
            return cached[1]
        application = create_app(engine=engine)
        self.apps[id(engine)] = (settings.model_copy(), application, self.shape(application))
        return application

    def give_back(self, engine: Engine, application: FastAPI) -> None:
        """After the test: an app the test changed is built afresh for the next one."""
        cached = self.apps.get(id(engine))
        if cached is not None and cached[1] is application and cached[2] != self.shape(application):
            del self.apps[id(engine)]


_app_cache = _AppCache()


@pytest.fixture
def app(engine: Engine, db: Session):
    """The app on the test's database, its sessions this test's ``db`` (built once per database and settings, see
    ``_AppCache``)."""
    application = _app_cache.get(engine)

    def session_override() -> Iterator[Session]:
        try:
            yield db
            db.commit()
        except Exception:
            db.rollback()
            raise

    targets = (application, application.state.api)
    for target in targets:
        target.dependency_overrides.clear()
        target.dependency_overrides[get_session] = session_override
    yield application
    for target in targets:
        target.dependency_overrides.clear()
    _app_cache.give_back(engine, application)


@pytest.fixture
def client(app, db: Session, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A browser on the app; ``@pytest.mark.signed_in("admin")`` (or "provider", "municipality") signs it in as a
    fresh factory-made user of that role, kept as ``client.user``."""
    with TestClient(app, base_url="http://testserver") as c:
        marker = request.node.get_closest_marker("signed_in")
        c.user = None  # type: ignore[attr-defined]
        if marker is not None:
            c.user = factories.user(db, marker.args[0], **marker.kwargs)  # type: ignore[attr-defined]
            db.commit()
            signed_in(c, c.user.email, factories.PASSWORD)  # type: ignore[attr-defined]
        yield c


Browser = Callable[..., TestClient]


@pytest.fixture
def browser(app, db: Session) -> Iterator[Browser]:
    """``browser(user)``: a browser of its own signed in as ``user`` (a User, or a role name for a fresh factory
    user of that role, with factory keywords); ``browser()`` is the public. The user is ``.user`` on it."""
    opened: list[TestClient] = []

    def make(who: User | str | None = None, **overrides) -> TestClient:
        c = TestClient(app, base_url="http://testserver")
        opened.append(c)
        user = factories.user(db, who, **overrides) if isinstance(who, str) else who
        c.user = user  # type: ignore[attr-defined]
        if user is not None:
            db.commit()
            signed_in(c, user.email, factories.PASSWORD)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def as_admin(browser: Browser) -> TestClient:
    """A browser signed in as a fresh admin (``.user``)."""
    return browser("admin")


@pytest.fixture
def as_municipality(browser: Browser) -> TestClient:
    """A browser signed in as a fresh municipality's user (``.user``)."""
    return browser("municipality")


@pytest.fixture
def as_provider(browser: Browser) -> TestClient:
    """A browser signed in as the user of a fresh provider that accepted the invitation (``.user``)."""
    return browser("provider")


@pytest.fixture
def anonymous(browser: Browser) -> TestClient:
    """A browser of the public: nobody signed in."""
    return browser()


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
    """``auth(role)`` -> request headers with a fresh API key for that role (none for "public"): the key of the
    demo account at the role's address, made by factories when the test does not run on the demo."""
    made: dict[str, dict[str, str]] = {}

    def headers(role: str) -> dict[str, str]:
        if role == "public":
            return {}
        if role not in made:
            email, scope = PRINCIPALS[role]
            owner = db.exec(select(User).where(User.email == email)).first() or factories.account(db, email)
            _row, key = accounts.create_api_key(db, owner=owner, scope=scope, name=f"test {role}", actor=None)
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
