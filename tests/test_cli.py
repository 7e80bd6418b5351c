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
