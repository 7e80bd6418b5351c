from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import make_engine
from app.main import create_app
from tests.conftest import scratch_database_url


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_when_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_reports_pending_migrations():
    engine = make_engine(scratch_database_url("unmigrated"))
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    with TestClient(create_app(engine=engine)) as c:
        response = c.get("/readyz")
    engine.dispose()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "pending"}
