"""Benchmark: the app under uvicorn on the large data set, measured over real HTTP from a second process.

Builds ``bench/dataset.py``'s data set (10,000 comments) in a fresh database, starts the app with uvicorn (one
process, as ``dialoog serve`` runs it, access log off; ``--workers N``: N worker processes) and, for each endpoint
in turn, runs ``bench/loadgen.py`` in a separate process: ``--concurrency`` keep-alive connections in a closed
loop for ``--duration`` seconds after a warm-up. Prints requests per second, p50/p95/p99 latency, each against
the bare baseline endpoint, the server's CPU time per request (read from /proc: steadier than requests per
second when other work shares the machine), SQL statements per request (counted in the server,
``bench/server.py``), response bytes, the peak resident memory of each server process (VmHWM; with workers the
largest worker's is the figure, the sum is shown beside it) and issue 21's targets, met or not.

    python bench/run.py                                   # SQLite in a temporary directory
    python bench/run.py --database-url postgresql://postgres@127.0.0.1:5432/bench   # drops that schema
    python bench/run.py --json figures.json               # also write the figures as JSON (--json -: print it)
    python bench/run.py --duration 5 --warmup 1 --only home,trajectory   # a quick look at a few endpoints
    python bench/run.py --workers 2                       # the table with two worker processes
    python bench/run.py --scaling --only baseline         # only the proposal page with 1 and with 2 workers

``--scaling`` first measures the baseline and the proposal page with one worker process and then with two, on the
same database, and prints the ratio of the proposal page's rps (issue 21: at least 1.4 on PostgreSQL); then the
table as usual, unless ``--only`` leaves nothing but the baseline.
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

from app.demo import DEMO_PASSWORD, DIALOGUE_SLUG  # noqa: E402

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


def start_server(url: str, data_dir: Path, port: int, workers: int = 1) -> subprocess.Popen:
    """uvicorn serving ``bench/server.py``'s app: one process, or a supervisor with ``workers`` worker processes."""
    env = {**os.environ, "DIALOOG_DATA_DIR": str(data_dir), "DIALOOG_DATABASE_URL": url, "DIALOOG_ENV": "development"}
    env.update(NO_WRITE_LIMITS)  # the comment-post endpoint posts far faster than any person
    command = [sys.executable, "-m", "uvicorn", "server:app", "--app-dir", str(BENCH), "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning", "--no-access-log"]
    if workers > 1:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            # Every worker must answer: a few rounds of requests on fresh connections reach each of them.
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200 and (
                workers == 1 or len(server_pids(server)) > workers
            ):
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def children(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:
            continue
    return [grandchild for child in found for grandchild in (child, *children(child))]


def server_pids(server: subprocess.Popen) -> list[int]:
    """The server's processes: the one uvicorn process, or its supervisor and the worker processes."""
    return [server.pid, *children(server.pid)]


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024, 1)


def peak_rss(server: subprocess.Popen) -> dict[str, Any]:
    """Peak RSS per process (MB): the largest of the processes that serve, and the sum over all of them."""
    per_process = {pid: peak_rss_mb(pid) for pid in server_pids(server)}
    serving = [mb for pid, mb in per_process.items() if pid != server.pid] or list(per_process.values())
    return {"per_process_mb": per_process, "max_mb": max(serving), "sum_mb": round(sum(per_process.values()), 1)}


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def measure(port: int, spec: dict[str, Any]) -> dict[str, Any]:
    spec = {"host": "127.0.0.1", "port": port, "method": "GET", "headers": {}, "body": None, **spec}
    done = subprocess.run(
        [sys.executable, str(BENCH / "loadgen.py")], input=json.dumps(spec), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


# Issue 21's targets: (endpoint, its rps at least this × the baseline's); "baseline" is against "raw".
RPS_TARGETS = {
    "baseline": 0.5,
    "home": 0.25,
    "trajectory": 0.25,
    "proposal_page": 0.25,
    "review_dashboard": 0.15,
    "review_search": 0.15,
    "api_comments": 0.20,
    "post_comment_htmx": 0.12,
}
P95_TARGETS = {"proposal_page": 5.0}  # p95 at most this × the baseline's
RSS_TARGET_MB = 150
SCALING_TARGET = 1.4  # proposal page: 2 workers' rps at least this × one worker's (PostgreSQL)
SEARCH_WORD = "wachttijd"  # a word of bench/dataset.py's comments


def endpoints(port: int, url: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, label, load generator spec) of every endpoint, in the order they are measured; signs in as needed."""
    base = f"http://127.0.0.1:{port}"
    provider_cookie, _ = sign_in(base, PROVIDER)
    reviewer_cookie, _ = sign_in(base, REVIEWER)
    poster_cookie, poster_csrf = sign_in(base, POSTER)
    key = api_key(url, PROVIDER)
    return [
        ("baseline", "GET /bench/baseline (no work)", {"path": "/bench/baseline"}),
        ("raw", "  (middleware only, for reference)", {"path": "/bench/raw/"}),
        ("home", "GET / (home page, public)", {"path": "/"}),
        ("trajectory", f"GET /dialogues/{DIALOGUE_SLUG} (public)", {"path": f"/dialogues/{DIALOGUE_SLUG}"}),
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
            "review_search",
            f"GET /review?q={SEARCH_WORD} (municipality)",
            {"path": f"/review?q={SEARCH_WORD}", "headers": {"Cookie": reviewer_cookie}},
        ),
        (
            "api_comments",
            "GET /api/v1/comments (page of 50)",
            {"path": "/api/v1/comments?page_size=50", "headers": {"Authorization": f"Bearer {key}"}},
        ),
        (
            "post_comment_htmx",  # last: it adds comments to proposal 1
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


def run_endpoints(
    url: str, data_dir: Path, workers: int, names: set[str] | None, common: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], dict[str, Any]]:
    """Start a server, measure the endpoints (``names``: only these), stop it: figures, labels, peak RSS."""
    port = free_port()
    server = start_server(url, data_dir, port, workers)
    try:
        results: dict[str, dict[str, Any]] = {}
        labels: dict[str, str] = {}
        pids = server_pids(server)
        for name, label, spec in endpoints(port, url):
            if names is not None and name not in names:
                continue
            results[name] = measure(port, {**common, **spec, "server_pids": pids})
            labels[name] = label
            bad = {s: n for s, n in results[name]["statuses"].items() if not s.startswith("2")}
            if bad or results[name]["errors"]:
                print(f"warning: {name} answered {bad} with {results[name]['errors']} connection errors")
        rss = peak_rss(server)
    finally:
        stop(server)
    base = results.get("baseline", {})
    for name, figures in results.items():
        # Answers that were not 2xx, and requests whose connection failed: a fast error is no result.
        figures["failed"] = sum(n for s, n in figures["statuses"].items() if not s.startswith("2")) + figures["errors"]
        reference = results.get("raw", {}) if name == "baseline" else base
        figures["rps_ratio"] = round(figures["rps"] / base["rps"], 3) if base.get("rps") else None
        figures["p95_ratio"] = round(figures["p95_ms"] / base["p95_ms"], 1) if base.get("p95_ms") else None
        figures["target_ratio"] = round(figures["rps"] / reference["rps"], 3) if reference.get("rps") else None
    return results, labels, rss


def print_table(title: str, results: dict[str, dict[str, Any]], labels: dict[str, str], rss: dict[str, Any]) -> None:
    header = (
        f"{'endpoint':<40} {'rps':>8} {'× base':>7} {'p50 ms':>8} {'p95 ms':>8} {'× base':>7} {'p99 ms':>8} "
        f"{'cpu ms':>7} {'queries':>8} {'bytes':>8} {'not 2xx':>8}"
    )
    print(f"\n{title}")
    print(header)
    print("-" * len(header))

    def fmt(value: Any, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    for name, figures in results.items():
        print(
            f"{labels[name]:<40} {figures['rps']:>8.1f} {fmt(figures['rps_ratio'], '>7.3f')} "
            f"{figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f} {fmt(figures['p95_ratio'], '>7.1f')} "
            f"{figures['p99_ms']:>8.1f} {fmt(figures['cpu_ms'], '>7.2f')} {fmt(figures['queries'], '>8')} "
            f"{figures['bytes']:>8} {figures['failed']:>8}"
        )
    per_process = ", ".join(f"{mb} MB" for mb in rss["per_process_mb"].values())
    print(f"server peak RSS: {rss['max_mb']} MB per serving process ({per_process}; sum {rss['sum_mb']} MB)")
    print("cpu ms: the server's CPU time per request (all its processes), steadier than rps on a busy machine")


def check_targets(results: dict[str, dict[str, Any]], rss: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each of issue 21's targets that this run measured: the figure, the target and whether it is met."""
    checks: dict[str, dict[str, Any]] = {}
    for name, target in RPS_TARGETS.items():
        figures = results.get(name)
        if figures and figures["target_ratio"] is not None:
            what = "rps × middleware-only" if name == "baseline" else "rps × baseline"
            checks[f"{name} {what}"] = {
                "value": figures["target_ratio"],
                "target": f">= {target}",
                "met": figures["target_ratio"] >= target and not figures["failed"],
            }
    for name, target in P95_TARGETS.items():
        figures = results.get(name)
        if figures and figures["p95_ratio"] is not None:
            checks[f"{name} p95 × baseline"] = {
                "value": figures["p95_ratio"],
                "target": f"<= {target}",
                "met": figures["p95_ratio"] <= target,
            }
    checks["peak RSS MB per process"] = {
        "value": rss["max_mb"],
        "target": f"<= {RSS_TARGET_MB}",
        "met": rss["max_mb"] <= RSS_TARGET_MB,
    }
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary directory")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--concurrency", type=int, default=8, help="connections per endpoint")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default: one process)")
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="first measure the proposal page with 1 worker and with 2 workers and print the ratio",
    )
    parser.add_argument("--only", default="", help="comma-separated endpoint names (baseline is always measured)")
    parser.add_argument("--json", dest="json_path", help="write the figures to this file as JSON ('-': print it)")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-bench-"))
    url = args.database_url or f"sqlite:///{data_dir / 'bench.db'}"
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    summary = build(url)
    print(f"{database}: {summary.line()}")
    common = {"concurrency": args.concurrency, "duration": args.duration, "warmup": args.warmup}
    names = {"baseline", *args.only.split(",")} - {""} if args.only else None
    print(
        f"{args.concurrency} connections, {args.duration:g} s per endpoint after {args.warmup:g} s warm-up; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    out: dict[str, Any] = {"database": database, "workers": args.workers}

    if args.scaling:  # before the main table: its comment post adds comments to the proposal page
        scaling: dict[str, Any] = {}
        for workers in (1, 2):
            results, labels, rss = run_endpoints(url, data_dir, workers, {"baseline", "proposal_page"}, common)
            print_table(f"{database}, {workers} worker process{'es' if workers > 1 else ''}", results, labels, rss)
            scaling[f"{workers}_workers"] = {"endpoints": results, "peak_rss": rss}
        one = scaling["1_workers"]["endpoints"]["proposal_page"]["rps"]
        two = scaling["2_workers"]["endpoints"]["proposal_page"]["rps"]
        scaling["proposal_page_ratio"] = round(two / one, 2) if one else None
        met = scaling["proposal_page_ratio"] is not None and scaling["proposal_page_ratio"] >= SCALING_TARGET
        print(
            f"\nproposal page, 2 workers / 1 worker: {scaling['proposal_page_ratio']} "
            f"(target >= {SCALING_TARGET} on PostgreSQL: {'met' if met else 'NOT met'})"
        )
        out["scaling"] = scaling

    if names is None or names - {"baseline"} or not args.scaling:
        results, labels, rss = run_endpoints(url, data_dir, args.workers, names, common)
        workers = f", {args.workers} worker processes" if args.workers > 1 else ""
        print_table(f"{database}{workers}", results, labels, rss)
        checks = check_targets(results, rss)
        print("\ntargets (issue 21):")
        for what, check in checks.items():
            print(f"  {what:<45} {check['value']:>8} {check['target']:<8} {'met' if check['met'] else 'NOT met'}")
        keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "rps_ratio", "p95_ratio", "cpu_ms", "queries", "bytes", "failed")
        out["endpoints"] = {name: {k: figures[k] for k in keys} for name, figures in results.items()}
        out["peak_rss"] = rss
        out["peak_rss_mb"] = rss["max_mb"]
        out["targets"] = checks
    if args.json_path == "-":
        print(json.dumps(out, indent=2))
    elif args.json_path:
        Path(args.json_path).write_text(json.dumps(out, indent=2) + "\n")
        print(f"figures written to {args.json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
