"""Benchmark: the app under uvicorn on the large data set, measured over real HTTP from a second process.

Builds ``bench/dataset.py``'s data set (10,000 comments) in a fresh database, starts the app with uvicorn (one
process, as ``dialoog serve`` runs it, access log off) and, for each endpoint in turn, runs
``bench/loadgen.py`` in a separate process: ``--concurrency`` keep-alive connections in a closed loop for
``--duration`` seconds after a warm-up. Prints requests per second, p50/p95/p99 latency, each against the
bare baseline endpoint, SQL statements per request (counted in the server, ``bench/server.py``), response
bytes and the server's peak resident memory.

    python bench/run.py                                   # SQLite in a temporary directory
    python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/bench   # drops that schema
    python bench/run.py --json figures.json               # also write the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from dataset import build  # noqa: E402
from load import NO_WRITE_LIMITS  # noqa: E402

from app.demo import DEMO_PASSWORD  # noqa: E402

PROVIDER = "aanbieder-01@example.org"
POSTER = "aanbieder-02@example.org"
REVIEWER = "almere@example.org"
ADMIN = "sdfl@example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def sign_in(base: str, email: str) -> tuple[str, str]:
    """A signed-in browser: its Cookie header and CSRF token."""
    with httpx.Client(base_url=base) as client:
        token = csrf_from(client.get("/login").text)
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
        if response.status_code != 303:
            raise RuntimeError(f"could not sign in as {email}")
        token = csrf_from(client.get("/proposals/1/sections/onderdeel-01").text)
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return cookie, token


def api_key(url: str, email: str) -> str:
    """A read key for ``email``, made in the database (as ``dialoog create-api-key`` does)."""
    from sqlmodel import Session, select

    from app.accounts.service import create_api_key
    from app.db import make_engine
    from app.models import User

    engine = make_engine(url)
    with Session(engine) as session:
        owner = session.exec(select(User).where(User.email == email)).one()
        _key, secret = create_api_key(session, owner=owner, scope="read", name="benchmark", actor=None)
        session.commit()
    engine.dispose()
    return secret


def start_server(url: str, data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "DIALOOG_DATA_DIR": str(data_dir), "DIALOOG_DATABASE_URL": url, "DIALOOG_ENV": "development"}
    env.update(NO_WRITE_LIMITS)  # the comment-post endpoint posts far faster than any person
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server:app",
            "--app-dir",
            str(BENCH),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024, 1)


def measure(port: int, spec: dict[str, Any]) -> dict[str, Any]:
    spec = {"host": "127.0.0.1", "port": port, "method": "GET", "headers": {}, "body": None, **spec}
    done = subprocess.run(
        [sys.executable, str(BENCH / "loadgen.py")], input=json.dumps(spec), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary directory")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--concurrency", type=int, default=8, help="connections per endpoint")
    parser.add_argument("--json", dest="json_path", help="write the figures to this file as JSON")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-bench-"))
    url = args.database_url or f"sqlite:///{data_dir / 'bench.db'}"
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    summary = build(url)
    print(f"{database}: {summary.line()}")
    key = api_key(url, PROVIDER)
    port = free_port()
    server = start_server(url, data_dir, port)
    try:
        base = f"http://127.0.0.1:{port}"
        provider_cookie, _ = sign_in(base, PROVIDER)
        reviewer_cookie, _ = sign_in(base, REVIEWER)
        poster_cookie, poster_csrf = sign_in(base, POSTER)
        with httpx.Client(base_url=base, headers={"Cookie": provider_cookie}) as client:
            page = client.get("/proposals/1")
            threads = page.text.count('class="comment ') + page.text.count('class="comment"')
        print(
            f"proposal page: {threads} comments on the page of proposal 1 "
            f"({len(page.content) // 1024} KB); server pid {server.pid}, "
            f"{args.concurrency} connections, {args.duration:g} s per endpoint after {args.warmup:g} s warm-up"
        )
        common = {"concurrency": args.concurrency, "duration": args.duration, "warmup": args.warmup}
        endpoints: list[tuple[str, str, dict[str, Any]]] = [
            ("baseline", "GET /bench/baseline (no work)", {"path": "/bench/baseline"}),
            ("raw", "  (middleware only, for reference)", {"path": "/bench/raw/"}),
            ("home", "GET / (home page, public)", {"path": "/"}),
            (
                "proposal_page",
                "GET /proposals/1 (1,000 comments)",
                {"path": "/proposals/1", "headers": {"Cookie": provider_cookie}},
            ),
            (
                "review_dashboard",
                "GET /review (municipality)",
                {"path": "/review", "headers": {"Cookie": reviewer_cookie}},
            ),
            (
                "api_comments",
                "GET /api/v1/comments (page of 50)",
                {"path": "/api/v1/comments?page_size=50", "headers": {"Authorization": f"Bearer {key}"}},
            ),
            (
                "post_comment_htmx",
                "POST comment with htmx",
                {
                    "method": "POST",
                    "path": "/proposals/1/sections/onderdeel-02/comments",
                    "headers": {
                        "Cookie": poster_cookie,
                        "HX-Request": "true",
                        "X-CSRF-Token": poster_csrf,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                    "body": f"kind=steun&body=Benchmarkreactie+{{n}}&csrf_token={poster_csrf}"
                    f"&form_token=bench-{{n}}-{port}",
                },
            ),
        ]
        results: dict[str, dict[str, Any]] = {}
        labels = {}
        for name, label, spec in endpoints:
            results[name] = measure(port, {**common, **spec})
            labels[name] = label
            bad = {s: n for s, n in results[name]["statuses"].items() if not s.startswith("2")}
            if bad or results[name]["errors"]:
                print(f"warning: {name} answered {bad} with {results[name]['errors']} connection errors")
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    base_rps, base_p95 = results["baseline"]["rps"], results["baseline"]["p95_ms"]
    for figures in results.values():
        # Answers that were not 2xx, and requests whose connection failed: a fast error is no result.
        figures["failed"] = sum(n for s, n in figures["statuses"].items() if not s.startswith("2")) + figures["errors"]
        figures["rps_ratio"] = round(figures["rps"] / base_rps, 3) if base_rps else None
        figures["p95_ratio"] = round(figures["p95_ms"] / base_p95, 1) if base_p95 else None
    header = (
        f"{'endpoint':<36} {'rps':>8} {'× base':>7} {'p50 ms':>8} {'p95 ms':>8} {'× base':>7} {'p99 ms':>8} "
        f"{'queries':>8} {'bytes':>8} {'not 2xx':>8}"
    )
    print(f"\n{database}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(header)
    print("-" * len(header))
    for name, figures in results.items():
        print(
            f"{labels[name]:<36} {figures['rps']:>8.1f} {figures['rps_ratio']:>7.3f} {figures['p50_ms']:>8.1f} "
            f"{figures['p95_ms']:>8.1f} {figures['p95_ratio']:>7.1f} {figures['p99_ms']:>8.1f} "
            f"{figures['queries'] if figures['queries'] is not None else '-':>8} {figures['bytes']:>8} "
            f"{figures['failed']:>8}"
        )
    print(f"server peak RSS: {rss} MB")
    proposal = results["proposal_page"]
    targets = proposal["rps_ratio"] >= 0.1 and proposal["p95_ratio"] < 10 and not proposal["failed"]
    print(
        f"targets for the proposal page (rps ≥ 0.1 × baseline, p95 < 10 × baseline): "
        f"{'met' if targets else 'NOT met'} ({proposal['rps_ratio']:.3f}, {proposal['p95_ratio']:.1f})"
    )
    if args.json_path:
        keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "rps_ratio", "queries", "bytes", "failed")
        out: dict[str, Any] = {name: {k: figures[k] for k in keys} for name, figures in results.items()}
        out["peak_rss_mb"] = rss
        out["database"] = database
        Path(args.json_path).write_text(json.dumps(out, indent=2) + "\n")
        print(f"figures written to {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
