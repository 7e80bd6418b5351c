"""Test harness: a fresh database per run, a transaction rolled back per test, httpx on the ASGI app.

SQLite by default. Set ``DIALOOG_TEST_DATABASE_URL`` (e.g. postgresql://postgres@127.0.0.1:5432/test) to run
the same suite on PostgreSQL; that database's ``public`` schema is dropped and rebuilt at the start of the
run. When that server cannot be reached, every test is skipped with a message saying so.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Settings are read once: point them at throw-away places before the app is imported.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="dialoog-test-"))
os.environ["DIALOOG_DATA_DIR"] = str(_DATA_DIR)
os.environ["DIALOOG_ENV"] = "development"
TEST_DATABASE_URL = os.environ.get("DIALOOG_TEST_DATABASE_URL") or f"sqlite:///{_DATA_DIR / 'test.db'}"
os.environ["DIALOOG_DATABASE_URL"] = TEST_DATABASE_URL

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import event, text  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import migrate  # noqa: E402
from app.config import normalise_database_url  # noqa: E402
from app.db import get_session, make_engine, set_engine  # noqa: E402
from app.demo import seed_demo  # noqa: E402
from app.main import create_app  # noqa: E402


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
