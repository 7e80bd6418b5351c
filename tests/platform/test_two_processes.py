"""Issue 21: two server processes on one database behave as one server.

Two real ``dialoog serve`` processes (A and B, each with its mail worker) run on one PostgreSQL database and on one
SQLite file. Whatever is changed through A is on the proposal page through B at the very next request, for the
one who changed it and for everyone else: B keeps the page's sections in its own cache (app/proposals/page_cache.py),
and only the database's change counter tells it that A changed something. Before every change each reader loads
the page through B, so B holds an entry that would be stale without the counter.

A release moment that passes while both run sends each mail once: both workers run the scheduled tasks every
half second (DIALOOG_WORKER_INTERVAL), the scheduler lock (app/locks.py) lets one process at a time run them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from app import migrate
from app.accounts.service import FREE_FAILURES_PER_PAIR
from app.db import make_engine
from app.documents.service import release_recipients
from app.kit import clock
from app.models import Dialogue
from tests import factories
from tests.conftest import Collector, free_port
from tests.platform.servers import Server, fresh_postgres_database, start, wait_until_ready

WORKER_INTERVAL = 0.5  # seconds between the workers' passes in both processes


@dataclass
class Pair:
    url: str
    a: str  # base URLs of the two processes
    b: str
    servers: list[Server]
    mail: Collector
    data: dict[str, Any]


def seed(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            admin = factories.admin(db)
            first = factories.provider_user(db)
            second = factories.provider_user(db)
            municipality = factories.municipality_user(db)
            throttled = factories.municipality_user(db)
            proposal = factories.proposal(db)
            section = factories.section(db, proposal)
            keys = {
                "admin": factories.api_key(db, admin)[1],
                "first": factories.api_key(db, first)[1],
            }
            db.commit()
            return {
                "keys": keys,
                "emails": {"first": first.email, "second": second.email, "municipality": municipality.email},
                "throttled": throttled.email,
                "proposal_id": proposal.id,
                "section_id": section.id,
                "dialogue_id": proposal.dialogue_id,
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    tmp: Path = tmp_path_factory.mktemp(f"two-{request.param}")
    url = fresh_postgres_database("two_processes") if request.param == "postgresql" else f"sqlite:///{tmp / 'd.db'}"
    migrate.upgrade(url)
    data = seed(url)
    mail = Collector()
    smtp_port = free_port()
    smtp = Controller(mail, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = {
        "DIALOOG_DATABASE_URL": url,
        "DIALOOG_DATA_DIR": str(tmp / "data"),  # one data directory: one secret key, one file store
        "DIALOOG_ENV": "development",
        "DIALOOG_SMTP_HOST": "127.0.0.1",
        "DIALOOG_SMTP_PORT": str(smtp_port),
        "DIALOOG_WORKER_INTERVAL": str(WORKER_INTERVAL),
    }
    servers = []
    try:
        for _ in range(2):
            port = free_port()
            servers.append(start(["serve", "--port", str(port)], env, port))
        deadline = time.monotonic() + 180  # a safety net for a stuck start, not a measure
        for server in servers:
            wait_until_ready(server, deadline)
        a, b = (f"http://127.0.0.1:{server.port}" for server in servers)
        yield Pair(url, a, b, servers, mail, data)
        for server in servers:
            assert "Traceback" not in server.log, server.log
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            server.process.wait(30)
        smtp.stop()


def browser(base: str, email: str) -> httpx.Client:
    """A browser signed in as ``email`` through the process at ``base``."""
    client = httpx.Client(base_url=base, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    signed = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token[1]})
    assert signed.status_code == 303, signed.text
    return client


@pytest.fixture(scope="module")
def readers(pair: Pair) -> Iterator[dict[str, httpx.Client]]:
    """The two providers and a municipality, each reading through B."""
    clients = {who: browser(pair.b, email) for who, email in pair.data["emails"].items()}
    yield clients
    for client in clients.values():
        client.close()


def api(pair: Pair, who: str) -> httpx.Client:
    """``who``'s API key, through A."""
    key = pair.data["keys"][who]
    return httpx.Client(base_url=f"{pair.a}/api/v1", headers={"Authorization": f"Bearer {key}"}, timeout=30)


def page(pair: Pair, reader: httpx.Client) -> str:
    response = reader.get(f"/proposals/{pair.data['proposal_id']}")
    assert response.status_code == 200
    return response.text


def everyone_sees(pair: Pair, readers: dict[str, httpx.Client], text: str, *, present: bool = True) -> None:
    for who, reader in readers.items():
        assert (text in page(pair, reader)) is present, f"{who} through B: {text!r} {'missing' if present else 'shown'}"


def warm(pair: Pair, readers: dict[str, httpx.Client]) -> None:
    """Every reader loads the page through B: B keeps the rendering, which the next change through A outdates."""
    for reader in readers.values():
        page(pair, reader)
        page(pair, reader)


def test_a_comment_edit_and_withdrawal_through_one_process_are_on_the_page_through_the_other(pair, readers):
    with api(pair, "first") as first:
        warm(pair, readers)
        posted = first.post(
            "/comments",
            json={"section_id": pair.data["section_id"], "kind": "zorg", "body": "Wachtlijsten via proces A."},
        )
        assert posted.status_code == 201, posted.text
        everyone_sees(pair, readers, "Wachtlijsten via proces A.")  # the very next request, for every reader

        comment = posted.json()
        warm(pair, readers)
        edited = first.patch(
            f"/comments/{comment['id']}",
            json={"body": "Wachtlijsten, aangepast via proces A."},
            headers={"If-Match": posted.headers["ETag"]},
        )
        assert edited.status_code == 200, edited.text
        everyone_sees(pair, readers, "Wachtlijsten, aangepast via proces A.")
        everyone_sees(pair, readers, "Wachtlijsten via proces A.", present=False)

        warm(pair, readers)
        withdrawn = first.delete(f"/comments/{comment['id']}", headers={"If-Match": edited.headers["ETag"]})
        assert withdrawn.status_code == 204, withdrawn.text
        everyone_sees(pair, readers, "Wachtlijsten, aangepast via proces A.", present=False)


def test_a_release_of_official_replies_through_one_process_is_on_the_page_through_the_other(pair, readers):
    with api(pair, "first") as first, api(pair, "admin") as sdfl:
        posted = first.post(
            "/comments",
            json={"section_id": pair.data["section_id"], "kind": "zorg", "body": "Hoe zit het met de tarieven?"},
        )
        assert posted.status_code == 201, posted.text
        comment_id = posted.json()["id"]
        tag = sdfl.get(f"/comments/{comment_id}").headers["ETag"]
        reply = "De tarieven volgen in versie 2, via proces A."
        triaged = sdfl.patch(
            f"/comments/{comment_id}/review",
            json={"status": "overgenomen", "official_reply": reply},
            headers={"If-Match": tag},
        )
        assert triaged.status_code == 200, triaged.text
        warm(pair, readers)
        assert reply not in page(pair, readers["first"]) and reply not in page(pair, readers["second"])  # drafted

        dialogue_id = pair.data["dialogue_id"]
        check = sdfl.get(f"/dialogues/{dialogue_id}/release").json()
        released = sdfl.post(
            f"/dialogues/{dialogue_id}/release",
            json={"digest": check["digest"], "override_reason": "Akkoord in het overleg van vandaag."},
        )
        assert released.status_code in (200, 201), released.text
        everyone_sees(pair, readers, reply)


def test_a_release_moment_passing_while_both_run_sends_each_mail_once(pair):
    engine = make_engine(pair.url)
    try:
        with Session(engine, expire_on_commit=False) as db:
            factories.document(
                db,
                dialogue_=db.get(Dialogue, pair.data["dialogue_id"]),
                title="Agenda van de tweede sessie",
                release_at=clock.now() + timedelta(seconds=2),  # passes while both processes run
                notified_at=None,
            )
            db.commit()
            expected = sorted(user.email for user in release_recipients(db, pair.data["dialogue_id"]))
    finally:
        engine.dispose()
    assert len(expected) >= 3  # the two providers' contacts and the municipality

    def announced() -> list[str]:
        return sorted(
            address
            for message, addresses in zip(pair.mail.messages, pair.mail.recipients, strict=True)
            if "Agenda van de tweede sessie" in message.get_body(("plain",)).get_content()
            for address in addresses
        )

    deadline = time.monotonic() + 60  # a safety net, not a measure
    while len(announced()) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(10 * WORKER_INTERVAL)  # ten more passes of each worker: none of them may send it again
    counts = Counter(announced())
    assert sorted(counts) == expected
    assert set(counts.values()) == {1}, counts


def test_failed_sign_ins_count_across_both_processes(pair):
    """The sign-in throttle counts in the database: five free failures for an address from one client in all,
    not five per process."""
    email = pair.data["throttled"]
    answers = []
    for attempt in range(FREE_FAILURES_PER_PAIR + 1):
        with httpx.Client(base_url=pair.a if attempt % 2 else pair.b, timeout=30) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            answers.append(
                client.post("/login", data={"email": email, "password": "fout-wachtwoord", "csrf_token": token[1]})
            )
    assert [a.status_code for a in answers[:FREE_FAILURES_PER_PAIR]] == [400] * FREE_FAILURES_PER_PAIR
    assert answers[-1].status_code == 429 and "Te veel mislukte inlogpogingen" in answers[-1].text
    for base in (pair.a, pair.b):  # the right password does not help now, through either process
        with httpx.Client(base_url=base, timeout=30) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            assert token is not None
            again = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token[1]})
            assert again.status_code == 429


def test_serve_with_workers_runs_that_many_server_processes(tmp_path: Path, stop_afterwards: list[Server]):
    port = free_port()
    env = {"DIALOOG_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}", "DIALOOG_DATA_DIR": str(tmp_path)}
    server = start(["serve", "--workers", "2", "--port", str(port)], env, port)
    stop_afterwards.append(server)
    deadline = time.monotonic() + 120  # a safety net for a stuck start, not a measure
    while server.log.count("Application startup complete") < 2:
        assert server.process.poll() is None and time.monotonic() < deadline, server.log
        time.sleep(0.1)
    wait_until_ready(server, deadline)
    pids = set(re.findall(r"Started server process \[(\d+)\]", server.log))
    assert len(pids) == 2 and str(server.process.pid) not in pids, server.log
    assert "met 2 processen" in server.log


def test_serve_refuses_a_number_of_workers_below_one(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--workers", "0"],
        capture_output=True,
        text=True,
        env={**os.environ, "DIALOOG_DATA_DIR": str(tmp_path)},
        timeout=60,
    )
    assert done.returncode == 2 and "--workers: must be a whole number of at least 1, not '0'" in done.stderr
