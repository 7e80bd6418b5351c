"""The `dialoog` command, run as a real process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlmodel import Session, select

from app.accounts.password_links import token_user
from app.db import make_engine
from app.models import AuditEvent, LoginAttempt, OutboxMessage
from tests.conftest import free_port, scratch_database_url
from tests.helpers import csrf_from


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def test_seed_demo_prints_accounts_and_is_idempotent(tmp_path):
    url = scratch_database_url("cli")
    env = {"DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path)}
    first = run_cli("seed-demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "sdfl@example.org" in first.stdout and "rodante@example.org" in first.stdout
    assert "dialoog-demo-2025" in first.stdout
    second = run_cli("seed-demo", env=env)
    assert second.returncode == 0, second.stderr
    assert "Demodata geladen: 0 nieuwe records." in second.stdout


def test_serve_refuses_production_without_a_secret(tmp_path):
    result = run_cli(
        "serve", env={"DIALOOG_ENV": "production", "DIALOOG_SECRET_KEY": "", "DIALOOG_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert "DIALOOG_SECRET_KEY" in result.stderr


def test_create_api_key_prints_the_key_alone_on_the_last_line(tmp_path):
    url = scratch_database_url("cli_keys")
    env = {"DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path)}
    assert run_cli("seed-demo", env=env).returncode == 0
    result = run_cli("create-api-key", "--email", "SDFL@example.org", "--scope", "write", "--name", "CI", env=env)
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("dlg_") and " " not in key

    from fastapi.testclient import TestClient

    from app.db import make_engine
    from app.main import create_app

    engine = make_engine(url)
    try:
        with TestClient(create_app(engine=engine)) as client:
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
            assert me.status_code == 200 and me.json()["user"]["email"] == "sdfl@example.org"
            assert me.json()["scope"] == "write"
    finally:
        engine.dispose()
    unknown = run_cli("create-api-key", "--email", "nobody@example.org", "--scope", "read", env=env)
    assert unknown.returncode == 1 and "nobody@example.org" in unknown.stderr
    bad_scope = run_cli("create-api-key", "--email", "sdfl@example.org", "--scope", "admin", env=env)
    assert bad_scope.returncode == 2


def test_create_user_queues_the_invitation(tmp_path):
    url = scratch_database_url("cli_users")
    env = {"DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("create-user", "--email", "beheer@sdfl.example.org", "--role", "admin", env=env)
    assert result.returncode == 0, result.stderr
    again = run_cli("create-user", "--email", "beheer@sdfl.example.org", "--role", "admin", env=env)
    assert again.returncode == 1 and "bestaat al" in again.stderr
    worker = run_cli("worker", "--once", env=env)
    assert worker.returncode == 0, worker.stderr


def test_create_user_prints_the_link_where_no_mail_server_is_set_up(tmp_path):
    """A first install has no mail server: the first admin gets the set-password link on the command line (the
    same one-time link as in the queued mail); with a mail server the link only goes by mail."""
    url = scratch_database_url("cli_first_admin")
    env = {"DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path), "DIALOOG_SMTP_HOST": ""}
    assert run_cli("migrate", env=env).returncode == 0
    result = run_cli("create-user", "--email", "eerste@sdfl.example.org", "--role", "admin", env=env)
    assert result.returncode == 0, result.stderr
    match = re.search(r"Wachtwoord kiezen via: (\S+/account/set-password/(\S+))", result.stdout)
    assert match, result.stdout
    engine = make_engine(url)
    with Session(engine) as session:
        _token, user = token_user(session, match.group(2))
        assert user.email == "eerste@sdfl.example.org"
        mailed = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == user.email)).one()
        assert match.group(1) in mailed.body_text
    engine.dispose()
    with_mail = run_cli(
        "create-user",
        "--email",
        "tweede@sdfl.example.org",
        "--role",
        "admin",
        env={**env, "DIALOOG_SMTP_HOST": "mail.example.org"},
    )
    assert with_mail.returncode == 0, with_mail.stderr
    assert "set-password" not in with_mail.stdout


# --- forwarded headers: who the client is, behind a proxy or not -----------------------------------


@contextmanager
def running_server(tmp_path: Path, name: str, env: dict[str, str]) -> Iterator[tuple[httpx.Client, str]]:
    """``dialoog serve --no-worker`` in its own process on a free port, against a scratch database with one
    user (admin@example.org); yields an HTTP client on it and the database URL."""
    url = scratch_database_url(name)
    env = {**env, "DIALOOG_DATABASE_URL": url, "DIALOOG_DATA_DIR": str(tmp_path / name)}
    assert run_cli("migrate", env=env).returncode == 0
    assert run_cli("create-user", "--email", "admin@example.org", "--role", "admin", env=env).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--no-worker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            output.append(line)
            if "Uvicorn running on" in line:
                ready.set()
        ready.set()  # the server stopped

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(120) and server.poll() is None, "".join(output)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client, url
    finally:
        server.terminate()
        server.wait(30)


def wrong_passwords_from_30_forwarded_addresses(client: httpx.Client) -> tuple[list[int], list[str]]:
    token = csrf_from(client.get("/login").text)
    forwarded = [f"198.51.100.{i}" for i in range(1, 31)]
    statuses = [
        client.post(
            "/login",
            data={"email": "admin@example.org", "password": f"gok-{i}", "csrf_token": token},
            headers={"X-Forwarded-For": address},
        ).status_code
        for i, address in enumerate(forwarded)
    ]
    return statuses, forwarded


def recorded_addresses(url: str) -> tuple[set[str], set[str | None]]:
    """The client addresses in the sign-in attempts and in the audit trail's failed sign-ins."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            attempts = set(session.exec(select(LoginAttempt.ip)).all())
            audited = set(session.exec(select(AuditEvent.ip).where(AuditEvent.action == "auth.login_failed")).all())
    finally:
        engine.dispose()
    return attempts, audited


def test_serve_trusts_no_forwarded_header_by_default(tmp_path):
    # Not DIALOOG_FORWARDED_ALLOW_IPS, and not uvicorn's own FORWARDED_ALLOW_IPS either.
    env = {"DIALOOG_FORWARDED_ALLOW_IPS": "", "FORWARDED_ALLOW_IPS": "*"}
    with running_server(tmp_path, "serve_untrusted", env) as (client, url):
        token = csrf_from(client.get("/password-reset").text)
        reset = client.post("/password-reset", data={"email": "admin@example.org", "csrf_token": token})
        assert reset.status_code == 200
        statuses, _forwarded = wrong_passwords_from_30_forwarded_addresses(client)
        assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}
    attempts, audited = recorded_addresses(url)
    assert attempts == audited == {"127.0.0.1"}  # the connection's address, not the claimed ones
    engine = make_engine(url)
    try:
        with Session(engine) as session:  # the reset mail was queued after the answer, by the real server
            subjects = session.exec(
                select(OutboxMessage.subject).where(OutboxMessage.to_address == "admin@example.org")
            ).all()
    finally:
        engine.dispose()
    assert len(subjects) == 2 and any("wachtwoord" in s.lower() for s in subjects)


def test_serve_trusts_forwarded_headers_from_the_proxies_in_the_setting(tmp_path):
    with running_server(tmp_path, "serve_trusted", {"DIALOOG_FORWARDED_ALLOW_IPS": "127.0.0.1"}) as (client, url):
        statuses, forwarded = wrong_passwords_from_30_forwarded_addresses(client)
        assert statuses == [400] * 30  # 30 clients with one failure each
    attempts, audited = recorded_addresses(url)
    assert attempts == audited == set(forwarded)
