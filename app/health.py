"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app import migrate
from app.db import request_engine

router = APIRouter(include_in_schema=False)
log = logging.getLogger("dialoog.health")


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the newest migration."""
    checks: dict[str, str] = {}
    engine = request_engine(request)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
        checks["migrations"] = "ok" if migrate.is_at_head(engine) else "pending"
    except Exception as exc:  # a probe reports, it does not raise
        log.warning("readiness check failed: %s", exc)
        checks.setdefault("database", "unreachable")
    ready = all(v == "ok" for v in checks.values()) and len(checks) == 2
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
    )
