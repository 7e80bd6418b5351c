from __future__ import annotations

import subprocess
import sys
import time

import pytest

from app.config import ConfigError, Settings, normalise_database_url


def test_production_refuses_a_missing_or_default_secret(tmp_path):
    for secret in ("", "change-me"):
        settings = Settings(env="production", secret_key=secret, data_dir=tmp_path)
        with pytest.raises(ConfigError, match="DIALOOG_SECRET_KEY"):
            settings.resolved_secret_key()


def test_production_accepts_a_real_secret(tmp_path):
    assert Settings(env="production", secret_key="x" * 40, data_dir=tmp_path).resolved_secret_key() == "x" * 40


def test_development_generates_a_secret_once_and_keeps_it(tmp_path):
    first = Settings(env="development", data_dir=tmp_path).resolved_secret_key()
    second = Settings(env="development", data_dir=tmp_path).resolved_secret_key()
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_processes_starting_together_in_development_agree_on_one_secret(tmp_path):
    """Replicas or workers started at the same moment on an empty data directory: one key for all of them (a
    session cookie or CSRF token signed by one process must hold in another), and no key file left half-written."""
    script = (
        "import sys, time; from pathlib import Path; from app.config import Settings;"
        "t = float(sys.argv[1]); time.sleep(max(0.0, t - time.time()));"
        f"print(Settings(env='development', data_dir=Path({str(tmp_path)!r})).resolved_secret_key())"
    )
    start = time.time() + 2  # all of them read the directory at the same moment, after their imports
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(start)], stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    keys = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert len(keys) == 1 and len(keys.pop()) >= 40
    assert sorted(path.name for path in tmp_path.iterdir()) == ["secret_key"]


def test_defaults_to_sqlite_in_the_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path, database_url="").database_url == f"sqlite:///{tmp_path}/dialoog.db"


def test_environment_variables_are_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DIALOOG_DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("DIALOOG_ENV", "production")
    settings = Settings()
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.env == "production"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
