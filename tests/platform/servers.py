"""Real server processes for the multi-process tests (issue 21): start them, wait for them, stop them; and
databases of their own on a PostgreSQL server.

The PostgreSQL cases make databases of their own beside the one in ``DIALOOG_TEST_DATABASE_URL`` (when that is a
PostgreSQL URL), else beside ``DIALOOG_TEST_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/postgres);
they are skipped when that server cannot be reached.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.config import normalise_database_url
from app.db import make_engine
from tests.conftest import TEST_DATABASE_URL, is_postgres


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)

    @property
    def log(self) -> str:
        return "".join(self.output)


def start(args: list[str], env: dict[str, str], port: int = 0) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
    )
    server = Server(process, port)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            server.output.append(line)

    threading.Thread(target=read, daemon=True).start()
    return server


def wait_until_ready(server: Server, deadline: float) -> None:
    """Until the server's ``/readyz`` answers 200; fails if it exits first or the (generous) deadline passes."""
    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=5) as client:
        while time.monotonic() < deadline:
            assert server.process.poll() is None, f"exited with {server.process.returncode}:\n{server.log}"
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    pytest.fail(f"not ready:\n{server.log}")


def wait_for_line(server: Server, words: str, deadline: float) -> None:
    while words not in server.log:
        assert server.process.poll() is None, f"exited with {server.process.returncode}:\n{server.log}"
        assert time.monotonic() < deadline, server.log
        time.sleep(0.05)


@pytest.fixture
def stop_afterwards() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        if server.process.poll() is None:
            server.process.terminate()
    for server in started:
        try:
            server.process.wait(30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(30)


POSTGRES_SERVER = (
    TEST_DATABASE_URL
    if is_postgres(TEST_DATABASE_URL)
    else os.environ.get("DIALOOG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
)


def fresh_postgres_database(name: str) -> str:
    """An empty database of its own beside ``POSTGRES_SERVER``'s (skips the test if that server is unreachable)."""
    base = make_url(normalise_database_url(POSTGRES_SERVER))
    scratch = base.set(database=f"{base.database}_{name}")
    admin = make_engine(base.set(query={**base.query, "connect_timeout": "5"}).render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{scratch.database}"'))
    except OperationalError as exc:  # no server there (a refused CREATE DATABASE is an error, not a skip)
        pytest.skip(f"PostgreSQL at {POSTGRES_SERVER} is not reachable ({exc.__class__.__name__})")
    finally:
        admin.dispose()
    return scratch.render_as_string(hide_password=False)
