"""The `dialoog` command, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import scratch_database_url


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
