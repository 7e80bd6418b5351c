"""The real thing: ``dialoog serve`` with its in-process worker; a comment posted over HTTP reaches a webhook
receiver on 127.0.0.1 within 10 seconds, signed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import migrate
from app.db import make_engine
from tests import factories
from tests.conftest import free_port, scratch_database_url
from tests.webhooks.receiver import Receiver, verify


def seed(engine: Engine) -> dict:
    with Session(engine, expire_on_commit=False) as db:
        admin = factories.admin(db)
        provider = factories.provider_user(db)
        section = factories.section(db, factories.proposal(db))
        _row, admin_key = factories.api_key(db, admin)
        _row, provider_key = factories.api_key(db, provider)
        db.commit()
        return {"admin_key": admin_key, "provider_key": provider_key, "section_id": section.id}


def test_a_comment_reaches_the_receiver_of_a_running_server_within_10_seconds(
    engine: Engine, receiver: Receiver, tmp_path: Path
):
    url = scratch_database_url("webhookserve")
    migrate.upgrade(url)
    scratch = make_engine(url)
    data = seed(scratch)
    scratch.dispose()
    port = free_port()
    env = {
        **os.environ,
        "DIALOOG_DATABASE_URL": url,
        "DIALOOG_DATA_DIR": str(tmp_path),
        "DIALOOG_WEBHOOK_ALLOW_PRIVATE": "true",
        "DIALOOG_BASE_URL": f"http://127.0.0.1:{port}",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            output.append(line)
            if "Uvicorn running on" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.wait(120) and server.poll() is None, "".join(output)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as client:
            admin = {"Authorization": f"Bearer {data['admin_key']}"}
            made = client.post(
                "/webhooks", headers=admin, json={"url": receiver.url, "event_types": ["comment.created"]}
            )
            assert made.status_code == 201, made.text
            comment = client.post(
                "/comments",
                headers={"Authorization": f"Bearer {data['provider_key']}"},
                json={"section_id": data["section_id"], "kind": "zorg", "body": "Wachttijden?"},
            )
            assert comment.status_code == 201, comment.text
            posted = time.monotonic()
            assert receiver.wait_for(1, timeout=10), "no delivery within 10 s:\n" + "".join(output[-30:])
            assert time.monotonic() - posted <= 10
            got = receiver.requests[0]
            assert verify(made.json()["secret"], got)
            event = json.loads(got.body)
            assert event["type"] == "comment.created" and event["subject"]["id"] == comment.json()["id"]
            time.sleep(2.5)  # the feed's settle time
            feed = client.get("/events", headers=admin).json()["items"]
            assert [e for e in feed if e["id"] == event["id"]] == [event]
    finally:
        server.terminate()
        server.wait(30)
