"""Load and durability test: many writers against a real server on loopback, with and without a crash.

Builds the benchmark data set (``bench/dataset.py``) in a fresh database, creates ``write`` API keys, then starts
the app as production does (``python -m app serve``: migrations, uvicorn with ``app.main:create_app``, one
process, its log in the data directory) on a free loopback port and runs two scenarios against it, one after
the other:

* ``steady``: ``--clients`` provider users (each a different account) post ``--comments`` comments each, half
  through the HTML form (sign in, fetch the section page, post its form with the CSRF token and the once-only
  ``form_token``; plain posts expect 303, htmx posts 200) and half through the JSON API (``POST /api/v1/comments``
  with an ``Idempotency-Key``), while ``--reviewers`` municipality users keep reading ``/review``.
* ``kill``: the same, but after a third of the posts are acknowledged the server gets SIGKILL and is started
  again on the same port a second later; the clients retry through the outage.

A client that sees a connection error, a timeout or a 5xx sends the same request again (same ``form_token`` or
``Idempotency-Key``) until it gets an answer below 500. Every 5xx counts as an error, even when a retry succeeds.
Afterwards the database is read directly: every acknowledged comment (each body carries a unique marker) must be
stored exactly once, nothing unacknowledged may be stored, each has its one audit event, and the database's own
integrity check must pass (SQLite ``PRAGMA integrity_check`` and ``foreign_key_check``; PostgreSQL ``amcheck``
on every btree index, with heap verification). An exception in the server log fails the scenario too. When no
comment is acknowledged for 15 s the server writes a thread dump into its log (faulthandler, SIGUSR1).

    python bench/load.py                           # SQLite, 50 clients x 20 comments, both scenarios
    python bench/load.py --database-url postgresql://postgres@127.0.0.1:5432/load   # its schema is dropped
    python bench/load.py --both                    # SQLite, then PostgreSQL (--pg-url)
    python bench/load.py --short --both            # CI: 10 clients x 5 comments on a data set of 2,000 comments

Per scenario one line ``<db>/<scenario>: acknowledged=N stored=N duplicates=N errors_5xx=N lost=N`` (stored:
comment rows carrying a marker of the scenario) plus timings; the exit status is 1 when any scenario lost,
duplicated or invented a comment, saw a 5xx or failed a check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import httpx  # noqa: E402
from dataset import COMMENTS, MUNICIPALITIES, PROPOSALS, PROVIDERS, SECTIONS, build  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from app.accounts.service import create_api_key  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.demo import DEMO_PASSWORD  # noqa: E402
from app.models import ProposalVersion, Section, User  # noqa: E402

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/load"
CURRENT_VERSION = 3  # every proposal of the data set has three published versions
KINDS = ["steun", "zorg", "vraag"]  # "suggestie" needs replacement text; not what this test is about
SEARCHES = ["wachttijd", "tarief", "Almere", "contract gemeente", "load"]
MARKER = re.compile(r"load-[a-z]+-c\d{3}-n\d{3}\b")
HEALTH_TIMEOUT = 60.0
STALL = 15.0  # seconds without a new acknowledgement before the server is asked for a thread dump


def log(message: str) -> None:
    print(message, flush=True)


# --- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# `python -m app serve`, plus a thread dump into the server log on SIGUSR1 (sent when the load stalls). The
# first argument is --worker-threads: 0 keeps anyio's default (40 threads for sync endpoints and dependencies).
SERVE = """
import faulthandler, signal, sys
faulthandler.register(signal.SIGUSR1, all_threads=True)
threads = int(sys.argv.pop(1))
if threads:
    import anyio.to_thread
    import app.main

    factory = app.main.create_app

    def create_app(*args, **kwargs):
        application = factory(*args, **kwargs)

        async def with_threads(scope, receive, send):
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
            await application(scope, receive, send)

        return with_threads

    app.main.create_app = create_app
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


# The per-user and per-key write limits (issue 14) would turn the load test's writers into 429s.
NO_WRITE_LIMITS = {
    "DIALOOG_WRITE_LIMIT_PER_MINUTE": "0",
    "DIALOOG_WRITE_LIMIT_PER_HOUR": "0",
    "DIALOOG_API_WRITE_LIMIT_PER_MINUTE": "0",
    "DIALOOG_API_WRITE_LIMIT_PER_HOUR": "0",
}


class Server:
    """``python -m app serve`` in a subprocess: the production entry point, one process."""

    def __init__(self, url: str, data_dir: Path, port: int, worker_threads: int = 0) -> None:
        self.url = url
        self.worker_threads = worker_threads
        self.data_dir = data_dir
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOOG_")}
        env.update(DIALOOG_DATA_DIR=str(self.data_dir), DIALOOG_DATABASE_URL=self.url, DIALOOG_ENV="development")
        env.update(NO_WRITE_LIMITS)  # the load test writes far faster than any person: it measures the server
        with self.log_path.open("ab") as out:
            out.write(f"\n=== start {self.starts + 1} at {time.strftime('%H:%M:%S')}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    SERVE,
                    str(self.worker_threads),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        self.starts += 1

    async def wait_ready(self) -> float:
        """Poll ``/readyz`` (database reachable, schema at head) until it answers 200; returns the seconds."""
        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=self.base, timeout=2.0) as http:
            while True:
                assert self.proc is not None
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/readyz")).status_code == 200:
                        return time.perf_counter() - started
                if time.perf_counter() - started > HEALTH_TIMEOUT:
                    raise RuntimeError(f"the server did not become ready in {HEALTH_TIMEOUT:.0f} s:\n{self.log_tail()}")
                await asyncio.sleep(0.05)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def errors_in_log(self, since: int = 0) -> Counter[str]:
        """The last line of every traceback in the server log after byte ``since`` (the exception), counted."""
        found: Counter[str] = Counter()
        with self.log_path.open("rb") as f:
            f.seek(since)
            text_lines = f.read().decode(errors="replace").splitlines()
        in_tb = False
        last = ""
        for line in text_lines:
            if line.startswith("Traceback"):
                in_tb, last = True, ""
            elif in_tb and line and not line.startswith((" ", "\t", "During handling", "The above exception")):
                if line.startswith("Traceback"):
                    continue
                last = line
                found[last[:300]] += 1
                in_tb = False
        return found


# --- statistics --------------------------------------------------------------------------------------


@dataclass
class Stats:
    planned: int = 0
    acknowledged: list[str] = field(default_factory=list)
    rejected: Counter[str] = field(default_factory=Counter)  # definitive 4xx or odd answers, by reason
    gave_up: list[str] = field(default_factory=list)
    errors_5xx: Counter[str] = field(default_factory=Counter)  # "status METHOD route"
    transport_errors: Counter[str] = field(default_factory=Counter)
    anomalies: Counter[str] = field(default_factory=Counter)  # fail the scenario
    notes: Counter[str] = field(default_factory=Counter)  # reported only
    responses: int = 0
    post_latency: list[float] = field(default_factory=list)  # the answered attempt
    post_end_to_end: list[float] = field(default_factory=list)  # first attempt to acknowledgement
    review_latency: list[float] = field(default_factory=list)
    by_route: dict[str, list[float]] = field(default_factory=dict)  # "METHOD route" -> seconds of each answer
    in_flight: set[str] = field(default_factory=set)  # markers posted without a final answer (yet)
    retries: int = 0


def route_of(path: str) -> str:
    return re.sub(r"/\d+", "/{id}", re.sub(r"/sections/[^/]+", "/sections/{key}", path.split("?")[0]))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


class Gone(Exception):
    """A request that got no answer below 500 within the retry window."""


class Client:
    """One user with its own connection pool and cookie jar; every request retried on 5xx and network errors."""

    def __init__(self, base: str, stats: Stats, retry_window: float, timeout: float) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=timeout, follow_redirects=False)
        self.stats = stats
        self.retry_window = retry_window

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, method: str, url: str, **kwargs: object) -> tuple[httpx.Response, float]:
        """The first answer below 500 and the seconds it took; raises Gone after the retry window."""
        deadline = time.monotonic() + self.retry_window
        delay = 0.05
        while True:
            started = time.perf_counter()
            try:
                response = await self.http.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.TransportError as exc:
                self.stats.transport_errors[type(exc).__name__] += 1
            else:
                self.stats.responses += 1
                took = time.perf_counter() - started
                self.stats.by_route.setdefault(f"{method} {route_of(url)}", []).append(took)
                if response.status_code < 500:
                    return response, took
                self.stats.errors_5xx[f"{response.status_code} {method} {route_of(url)}"] += 1
            if time.monotonic() > deadline:
                raise Gone(f"{method} {url}")
            self.stats.retries += 1
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    async def sign_in(self, email: str) -> None:
        page, _ = await self.send("GET", "/login")
        token = hidden(page.text, "csrf_token")
        response, _ = await self.send(
            "POST",
            "/login",
            data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token or "", "next": "/"},
        )
        if response.status_code != 303:
            raise RuntimeError(f"sign-in of {email} answered {response.status_code}")


def hidden(html: str, name: str) -> str | None:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    return found.group(1) if found else None


def comment_form(html: str, key: str) -> tuple[str | None, str | None]:
    """csrf_token and form_token of the section's own comment form."""
    start = html.find(f'id="form-new-{key}"')
    if start < 0:
        return None, None
    form = html[start : html.find("</form>", start)]
    return hidden(form, "csrf_token"), hidden(form, "form_token")


# --- the clients -----------------------------------------------------------------------------------


@dataclass
class Plan:
    """What one scenario does, fixed before it starts."""

    scenario: str
    writers: list[tuple[str, str]]  # (e-mail, "form" | "api")
    api_keys: dict[str, str]  # e-mail -> key
    section_ids: dict[tuple[int, str], int]  # (proposal, key) -> section id of the current version
    comments: int
    reviewers: list[str]
    seed: int


def comment_text(marker: str, rng: random.Random) -> str:
    words = ["wachttijd", "tarief", "regie", "gezin", "school", "budget", "indicatie", "caseload", "maatwerk"]
    return f"{marker} " + " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + "."


def targets(rng: random.Random) -> tuple[int, str]:
    # The first proposal (1,000 comments on its current version) gets a fair share: it is the busy one.
    pid = 1 if rng.random() < 0.3 else rng.randint(1, PROPOSALS)
    return pid, f"onderdeel-{rng.randint(1, SECTIONS):02d}"


async def form_writer(server: Server, plan: Plan, n: int, email: str, stats: Stats, args: argparse.Namespace) -> None:
    rng = random.Random(plan.seed * 1000 + n)
    client = Client(server.base, stats, args.retry_window, args.timeout)
    try:
        await client.sign_in(email)
        for i in range(plan.comments):
            marker = f"load-{plan.scenario}-c{n:03d}-n{i:03d}"
            pid, key = targets(rng)
            section_url = f"/proposals/{pid}/sections/{key}"
            htmx = i % 2 == 1
            kind = rng.choice(KINDS)
            body = comment_text(marker, rng)
            first = time.perf_counter()
            try:
                page, _ = await client.send("GET", section_url)
                csrf, form_token = comment_form(page.text, key)
                if page.status_code != 200 or not csrf or not form_token:
                    stats.rejected[f"section page {page.status_code} without a comment form"] += 1
                    continue
                data = {"kind": kind, "body": body, "quote": "", "suggested_text": "", "csrf_token": csrf}
                data["form_token"] = form_token
                stats.in_flight.add(marker)
                refreshed = 0
                while True:
                    headers = {"HX-Request": "true", "X-CSRF-Token": csrf} if htmx else {}
                    response, took = await client.send("POST", f"{section_url}/comments", data=data, headers=headers)
                    if response.status_code == 403 and refreshed < 3:
                        # The CSRF token did not match (e.g. a lost cookie): a fresh page, the same form_token.
                        refreshed += 1
                        page, _ = await client.send("GET", section_url)
                        csrf = comment_form(page.text, key)[0] or ""
                        data["csrf_token"] = csrf
                        continue
                    break
            except Gone as exc:
                stats.gave_up.append(f"{marker}: {exc}")
                continue
            stats.in_flight.discard(marker)
            if not htmx and response.status_code == 303 and "#comment-" in response.headers.get("location", ""):
                acknowledge(stats, marker, took, first)
            elif htmx and response.status_code == 200:
                acknowledge(stats, marker, took, first)
                if marker not in response.text:  # possible: the fragment shows the section's 5 newest threads
                    stats.notes["htmx answer without the new comment (5 newer threads on its section)"] += 1
            else:
                where = response.headers.get("location", "")
                stats.rejected[f"{'htmx' if htmx else 'form'} post {response.status_code} {where}".strip()] += 1
    finally:
        await client.close()


async def api_writer(server: Server, plan: Plan, n: int, email: str, stats: Stats, args: argparse.Namespace) -> None:
    rng = random.Random(plan.seed * 1000 + n)
    client = Client(server.base, stats, args.retry_window, args.timeout)
    client.http.headers["Authorization"] = f"Bearer {plan.api_keys[email]}"
    sections: dict[int, dict[str, int]] = {}
    try:
        for i in range(plan.comments):
            marker = f"load-{plan.scenario}-c{n:03d}-n{i:03d}"
            pid, key = targets(rng)
            body = comment_text(marker, rng)
            first = time.perf_counter()
            try:
                if pid not in sections:  # as an integration would: the current version's sections, once
                    listing, _ = await client.send(
                        "GET", f"/api/v1/proposals/{pid}/versions/{CURRENT_VERSION}/sections"
                    )
                    if listing.status_code != 200:
                        stats.rejected[f"api sections {listing.status_code}"] += 1
                        continue
                    sections[pid] = {s["key"]: s["id"] for s in listing.json()}
                    if sections[pid].get(key) != plan.section_ids[(pid, key)]:
                        stats.anomalies["api section id differs from the database"] += 1
                payload = {"section_id": sections[pid][key], "kind": rng.choice(KINDS), "body": body}
                idempotency_key = f"{marker}-{secrets.token_hex(6)}"
                stats.in_flight.add(marker)
                response, took = await client.send(
                    "POST", "/api/v1/comments", json=payload, headers={"Idempotency-Key": idempotency_key}
                )
            except Gone as exc:
                stats.gave_up.append(f"{marker}: {exc}")
                continue
            stats.in_flight.discard(marker)
            if response.status_code in (200, 201):
                acknowledge(stats, marker, took, first)
                if marker not in (response.json().get("body") or ""):
                    stats.anomalies["API answered with another comment than the one sent"] += 1
            else:
                stats.rejected[f"api post {response.status_code} {response.text[:120]}"] += 1
    finally:
        await client.close()


def acknowledge(stats: Stats, marker: str, took: float, first: float) -> None:
    stats.acknowledged.append(marker)
    stats.post_latency.append(took)
    stats.post_end_to_end.append(time.perf_counter() - first)


async def reviewer(
    server: Server, email: str, n: int, stats: Stats, stop: asyncio.Event, args: argparse.Namespace
) -> None:
    rng = random.Random(n)
    client = Client(server.base, stats, args.retry_window, args.timeout)
    try:
        try:
            await client.sign_in(email)
        except (Gone, RuntimeError) as exc:
            stats.gave_up.append(f"reviewer {email}: {exc}")
            return
        while not stop.is_set():
            choice = rng.random()
            if choice < 0.5:
                url = "/review"
            elif choice < 0.8:
                url = f"/review?q={rng.choice(SEARCHES)}"
            else:
                url = f"/review?page={rng.randint(2, 5)}"
            try:
                response, took = await client.send("GET", url)
            except Gone as exc:
                stats.gave_up.append(f"reviewer {email}: {exc}")
                return
            if response.status_code != 200:
                stats.rejected[f"review {response.status_code}"] += 1
            stats.review_latency.append(took)
    finally:
        await client.close()


# --- one scenario ----------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    acknowledged: int
    stored: int
    duplicates: int
    errors_5xx: int
    lost: int
    unacknowledged_stored: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return (
            self.duplicates == 0
            and self.errors_5xx == 0
            and self.lost == 0
            and self.acknowledged == self.stored
            and not self.problems
        )

    def line(self) -> str:
        return (
            f"{self.name}: acknowledged={self.acknowledged} stored={self.stored} duplicates={self.duplicates} "
            f"errors_5xx={self.errors_5xx} lost={self.lost}"
        )


async def run_scenario(
    server: Server, plan: Plan, name: str, args: argparse.Namespace
) -> tuple[Stats, dict[str, float]]:
    stats = Stats(planned=len(plan.writers) * plan.comments)
    stop = asyncio.Event()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    async def killer() -> None:
        threshold = max(1, stats.planned // 3)
        while len(stats.acknowledged) < threshold:
            await asyncio.sleep(0.01)
        log(f"{name}: {len(stats.acknowledged)} acknowledged; SIGKILL to the server (pid {server.proc.pid})")  # type: ignore[union-attr]
        down = time.perf_counter()
        server.kill()
        await asyncio.sleep(1.0)
        server.start()
        await server.wait_ready()
        timings["outage"] = time.perf_counter() - down
        log(f"{name}: the server is back after {timings['outage']:.1f} s")

    async def progress() -> None:
        last, still = -1, 0.0
        while True:
            await asyncio.sleep(args.progress)
            still = still + args.progress if len(stats.acknowledged) == last else 0.0
            last = len(stats.acknowledged)
            if still >= STALL and server.proc is not None and server.proc.poll() is None:
                log(f"{name}: no progress for {still:.0f} s; thread dump of the server in {server.log_path}")
                server.proc.send_signal(signal.SIGUSR1)
                still = -1e9  # once
            log(
                f"{name}: {len(stats.acknowledged)}/{stats.planned} acknowledged, {stats.responses} responses, "
                f"5xx={sum(stats.errors_5xx.values())}, network errors={sum(stats.transport_errors.values())}"
            )

    writers = [
        asyncio.create_task((form_writer if mode == "form" else api_writer)(server, plan, n, email, stats, args))
        for n, (email, mode) in enumerate(plan.writers, start=1)
    ]
    readers = [
        asyncio.create_task(reviewer(server, email, n, stats, stop, args)) for n, email in enumerate(plan.reviewers)
    ]
    kill_task = asyncio.create_task(killer()) if plan.scenario == "kill" else None
    progress_task = asyncio.create_task(progress())
    try:
        _done, late = await asyncio.wait(writers, timeout=args.deadline)
        if late:
            stats.anomalies[f"{len(late)} writers stopped at the deadline ({args.deadline:.0f} s)"] += 1
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        for task in writers:
            if not task.cancelled() and task.exception() is not None:
                exc = task.exception()
                stats.rejected[f"client failed: {type(exc).__name__}: {exc}"] += 1
        timings["writers"] = time.perf_counter() - started
        if kill_task is not None:
            if not kill_task.done():
                stats.anomalies["the writers finished before the server was killed"] += 1
                kill_task.cancel()
            elif kill_task.exception() is not None:
                stats.anomalies[f"restart failed: {kill_task.exception()}"] += 1
        stop.set()
        await asyncio.wait(readers, timeout=args.timeout + 5)  # a page in progress may finish
    finally:
        progress_task.cancel()
        for task in [*readers, kill_task]:
            if task is not None and not task.done():
                task.cancel()
        timings["total"] = time.perf_counter() - started
    return stats, timings


# --- checking the database --------------------------------------------------------------------------------


def stored_markers(engine: Engine, scenario: str) -> tuple[Counter[str], dict[str, int], list[str]]:
    """Markers of this scenario in comment bodies, counted; comment id per marker; comments whose audit event
    is missing or doubled."""
    prefix = f"load-{scenario}-"
    counts: Counter[str] = Counter()
    ids: dict[str, int] = {}
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, body FROM comments WHERE body LIKE :p"), {"p": f"%{prefix}%"}).all()
        audits = Counter(
            entity_id
            for (entity_id,) in conn.execute(
                text("SELECT entity_id FROM audit_events WHERE action = 'comment.created' AND entity_type = 'comment'")
            )
        )
    for comment_id, body in rows:
        for marker in MARKER.findall(body):
            if marker.startswith(prefix):
                counts[marker] += 1
                ids[marker] = comment_id
    audit_problems = [m for m, cid in ids.items() if audits.get(str(cid), 0) != 1]
    return counts, ids, audit_problems


def integrity(engine: Engine) -> list[str]:
    """Problems the database itself finds; empty when it is healthy."""
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check").all()]
            if result != ["ok"]:
                problems.append(f"PRAGMA integrity_check: {result[:5]}")
            fks = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if fks:
                problems.append(f"PRAGMA foreign_key_check: {len(fks)} rows, e.g. {fks[:3]}")
            return problems
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        try:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            amcheck = True
        except Exception as exc:
            log(f"amcheck is not available ({type(exc).__name__}); checking the comments' foreign keys instead")
            amcheck = False
        if amcheck:
            indexes = conn.execute(
                text(
                    "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam "
                    "WHERE n.nspname = 'public' AND a.amname = 'btree' AND i.indisvalid AND i.indisready"
                )
            ).all()
            for oid, relname in indexes:
                try:
                    conn.execute(text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
                except Exception as exc:
                    problems.append(f"bt_index_check({relname}): {exc}")
            log(f"  amcheck: bt_index_check (with heapallindexed) on {len(indexes)} btree indexes")
        dangling = conn.execute(
            text(
                "SELECT count(*) FROM comments c "
                "LEFT JOIN sections s ON s.id = c.section_id LEFT JOIN users u ON u.id = c.author_id "
                "LEFT JOIN providers p ON p.id = c.provider_id LEFT JOIN comments r ON r.id = c.parent_id "
                "WHERE s.id IS NULL OR u.id IS NULL OR (c.provider_id IS NOT NULL AND p.id IS NULL) "
                "OR (c.parent_id IS NOT NULL AND r.id IS NULL)"
            )
        ).scalar_one()
        if dangling:
            problems.append(f"{dangling} comments whose section, author, provider or parent does not exist")
    return problems


def check(url: str, plan: Plan, stats: Stats, name: str) -> Result:
    engine = make_engine(url)
    try:
        counts, _ids, audit_problems = stored_markers(engine, plan.scenario)
        problems = integrity(engine)
    finally:
        engine.dispose()
    acked = Counter(stats.acknowledged)
    if any(n > 1 for n in acked.values()):
        problems.append("the load generator acknowledged a marker twice (a bug in bench/load.py)")
    lost = [m for m in acked if m not in counts]
    extra = [m for m in counts if m not in acked]
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    unknown = [m for m in extra if m in stats.in_flight or any(g.startswith(f"{m}:") for g in stats.gave_up)]
    if unknown:
        problems.append(f"{len(unknown)} comments stored whose post never got a final answer, e.g. {unknown[:3]}")
    invented = [m for m in extra if m not in unknown]
    if invented:
        problems.append(f"{len(invented)} comments stored that were refused or never sent, e.g. {invented[:3]}")
    if audit_problems:
        problems.append(f"{len(audit_problems)} comments without exactly one audit event, e.g. {audit_problems[:3]}")
    if stats.gave_up:
        problems.append(f"{len(stats.gave_up)} requests never got an answer below 500, e.g. {stats.gave_up[:2]}")
    if stats.rejected:
        problems.append(f"refused or unexpected answers: {dict(stats.rejected.most_common(5))}")
    if stats.anomalies:
        problems.append(f"anomalies: {dict(stats.anomalies)}")
    if len(stats.acknowledged) < stats.planned:
        problems.append(f"only {len(stats.acknowledged)} of {stats.planned} comments were acknowledged")
    if lost:
        problems.append(f"lost, e.g. {lost[:5]}")
    return Result(
        name=name,
        acknowledged=len(stats.acknowledged),
        stored=sum(counts.values()),
        duplicates=duplicates,
        errors_5xx=sum(stats.errors_5xx.values()),
        lost=len(lost),
        unacknowledged_stored=len(extra),
        problems=problems,
    )


# --- one database ----------------------------------------------------------------------------------------


def provider_emails() -> list[str]:
    first = [f"aanbieder-{n:02d}@example.org" for n in range(1, PROVIDERS + 1)]
    second = [f"aanbieder-{n:02d}-b@example.org" for n in range(1, PROVIDERS + 1)]
    return first + second


def prepare(url: str, args: argparse.Namespace) -> tuple[dict[str, str], dict[tuple[int, str], int]]:
    """Build the data set; API keys for the API writers; section ids of the current versions."""
    summary = build(url, seed=7, comments=args.dataset_comments)
    log(summary.line())
    emails = provider_emails()[: args.clients]
    api_users = [email for n, email in enumerate(emails, start=1) if n % 2 == 0]
    engine = make_engine(url)
    keys: dict[str, str] = {}
    try:
        with Session(engine) as session:
            users = {u.email: u for u in session.exec(select(User).where(col(User.email).in_(api_users))).all()}
            for email in api_users:
                _row, key = create_api_key(
                    session, owner=users[email], scope="write", name=f"load test {email}", actor=None
                )
                keys[email] = key
            section_ids = {
                (pid, key): sid
                for pid, key, sid in session.exec(
                    select(ProposalVersion.proposal_id, Section.key, Section.id)
                    .join(Section, col(Section.version_id) == ProposalVersion.id)
                    .where(ProposalVersion.number == CURRENT_VERSION)
                ).all()
            }
            session.commit()
    finally:
        engine.dispose()
    return keys, section_ids  # type: ignore[return-value]


def report(result: Result, stats: Stats, timings: dict[str, float]) -> None:
    log(result.line())
    wall = timings.get("total", 0.0) or 1e-9
    posts = len(stats.post_latency)
    outage = f", outage {timings['outage']:.1f} s" if "outage" in timings else ""
    extra = [
        f"  time {timings.get('total', 0):.1f} s (writers {timings.get('writers', 0):.1f} s{outage})",
        f"  {stats.responses} responses, {stats.responses / wall:.0f} requests/s; "
        f"{posts} posts, {posts / (timings.get('writers') or 1e-9):.1f} posts/s",
        f"  post latency p50 {percentile(stats.post_latency, 50) * 1000:.0f} ms, "
        f"p95 {percentile(stats.post_latency, 95) * 1000:.0f} ms, "
        f"max {max(stats.post_latency, default=0) * 1000:.0f} ms; "
        f"page + post incl. retries p95 {percentile(stats.post_end_to_end, 95) * 1000:.0f} ms, "
        f"max {max(stats.post_end_to_end, default=0) * 1000:.0f} ms",
        f"  /review: {len(stats.review_latency)} pages, p50 {percentile(stats.review_latency, 50) * 1000:.0f} ms, "
        f"p95 {percentile(stats.review_latency, 95) * 1000:.0f} ms",
        f"  retries {stats.retries}; network errors {dict(stats.transport_errors) or 0}; "
        f"unacknowledged but stored {result.unacknowledged_stored}",
    ]
    for route, times in sorted(stats.by_route.items(), key=lambda item: -len(item[1])):
        extra.append(
            f"  {route}: {len(times)}, p50 {percentile(times, 50) * 1000:.0f} ms, "
            f"p95 {percentile(times, 95) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
    for note, n in stats.notes.items():
        extra.append(f"  note: {note}: {n}")
    if stats.errors_5xx:
        extra.append(f"  5xx: {dict(stats.errors_5xx.most_common(8))}")
    for line in extra:
        log(line)
    for problem in result.problems:
        log(f"  PROBLEM: {problem}")


async def run_database(url: str, label: str, args: argparse.Namespace) -> list[Result]:
    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-load-"))
    if not url:
        url = f"sqlite:///{data_dir / 'load.db'}"
    log(f"== {label}: {make_url(url).render_as_string(hide_password=True)}; data dir {data_dir}")
    keys, section_ids = prepare(url, args)
    emails = provider_emails()[: args.clients]
    writers = [(email, "api" if n % 2 == 0 else "form") for n, email in enumerate(emails, start=1)]
    municipal = [f"{name.lower()}@example.org" for _code, name in MUNICIPALITIES]
    reviewers = [municipal[n % len(municipal)] for n in range(args.reviewers)]
    server = Server(url, data_dir, args.port or free_port(), args.worker_threads)
    results: list[Result] = []
    finished = False
    try:
        server.start()  # one server for the scenarios (the kill scenario restarts it)
        startup = await server.wait_ready()
        log(f"{label}: server ready in {startup:.1f} s on port {server.port}; log {server.log_path}")
        for n, scenario in enumerate(args.scenarios):
            plan = Plan(scenario, writers, keys, section_ids, args.comments, reviewers, seed=n + 1)
            name = f"{label}/{scenario}"
            log(
                f"{name}: {len(writers)} writers x {args.comments} comments "
                f"({sum(m == 'form' for _e, m in writers)} HTML form, {sum(m == 'api' for _e, m in writers)} API), "
                f"{len(reviewers)} reviewers"
            )
            log_from = server.log_size()
            stats, timings = await run_scenario(server, plan, name, args)
            result = check(url, plan, stats, name)
            tracebacks = server.errors_in_log(log_from)
            if tracebacks:
                result.problems.append(f"exceptions in the server log: {dict(tracebacks.most_common(5))}")
            report(result, stats, timings)
            results.append(result)
        finished = True
    finally:
        server.stop()
        if args.keep or not finished or not all(r.ok for r in results):
            log(f"   kept {data_dir} (server logs{', SQLite file' if url.startswith('sqlite') else ''})")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="", help="default: a new SQLite file; a PostgreSQL URL drops its schema"
    )
    parser.add_argument("--both", action="store_true", help="run on SQLite and on PostgreSQL (--pg-url)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"PostgreSQL for --both (default {DEFAULT_PG_URL})")
    parser.add_argument("--clients", type=int, default=50, help="writers, each a different provider user (max 80)")
    parser.add_argument("--comments", type=int, default=20, help="comments per writer")
    parser.add_argument("--reviewers", type=int, default=4, help="municipality users reading /review meanwhile")
    parser.add_argument(
        "--short",
        action="store_true",
        help="for CI: 10 clients x 5 comments, 2 reviewers, a data set of 2,000 comments",
    )
    parser.add_argument("--scenario", choices=["steady", "kill", "all"], default="all")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request before it is retried")
    parser.add_argument("--retry-window", type=float, default=120.0, help="seconds a request is retried at most")
    parser.add_argument("--progress", type=float, default=5.0, help="seconds between progress lines")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds a scenario's writers may take")
    parser.add_argument(
        "--worker-threads",
        type=int,
        default=0,
        help="start the server with this many worker threads instead of anyio's 40 (to try a fix)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data directory (server logs, SQLite file)")
    args = parser.parse_args()
    args.dataset_comments = COMMENTS
    if args.short:
        args.clients, args.comments, args.reviewers, args.progress, args.deadline = 10, 5, 2, 2.0, 180.0
        args.dataset_comments = 2_000
    if not 2 <= args.clients <= 2 * PROVIDERS:
        parser.error(f"--clients must be between 2 and {2 * PROVIDERS}")
    if not 1 <= args.comments <= 999:
        parser.error("--comments must be between 1 and 999")
    args.scenarios = ["steady", "kill"] if args.scenario == "all" else [args.scenario]
    databases = [("sqlite", "")]
    if args.database_url:
        databases = [("postgresql" if args.database_url.startswith("postgres") else "sqlite", args.database_url)]
    if args.both:
        databases = [("sqlite", ""), ("postgresql", args.pg_url)]
    if any(url and make_url(url).database == "test" for _l, url in databases):
        parser.error("the database 'test' belongs to the test suite; use another (e.g. 'load')")

    # Terminated (CI timeout, Ctrl+C): leave through the finally blocks, which stop the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    results: list[Result] = []
    for label, url in databases:
        results += asyncio.run(run_database(url, label, args))
    log(f"== {len(results)} scenarios in {time.perf_counter() - started:.1f} s")
    failed = [r.name for r in results if not r.ok]
    log(f"FAILED: {', '.join(failed)}" if failed or not results else f"all {len(results)} scenarios passed")
    sys.exit(0 if results and all(r.ok for r in results) else 1)


if __name__ == "__main__":
    main()
