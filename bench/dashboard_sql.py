"""Benchmark: the review dashboard's database time, old code against new, on a busy machine.

Wall-clock figures of ``bench/review_dashboard.py`` swing by a factor of three when other work shares the
CPUs. This compares database work alone, with both sides under the same load: ``capture`` signs in as a
municipality reviewer on a data set that ``bench/review_dashboard.py`` built (run it from the checkout whose
code you measure), asks the dashboard for a few searches and stores the SELECT statements with their parameters;
``replay`` runs the captured statements of two checkouts against their own databases, alternately, and prints
per request the fastest and the median total time.

    # in the old checkout and in the new one, each on the database it built
    python bench/dashboard_sql.py capture sqlite:////tmp/dialoog-bench-x/bench.db old.pickle
    python bench/dashboard_sql.py capture sqlite:////tmp/dialoog-bench-y/bench.db new.pickle
    python bench/dashboard_sql.py replay old.pickle sqlite:////tmp/dialoog-bench-x/bench.db \\
        new.pickle sqlite:////tmp/dialoog-bench-y/bench.db --runs 60
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))

PATHS = [
    ("first page, no filter", "/review"),
    ("full text search 'wachttijd'", "/review?q=wachttijd"),
    ("word part 'behandel'", "/review?q=behandel"),
    ("two words 'caseload urk'", "/review?q=caseload+urk"),
    ("word part 'indicatie' + kind", "/review?q=indicatie&kind=vraag"),
    ("short term 'LV'", "/review?q=LV"),
]


def capture(url: str, out: str) -> None:
    os.environ.update(DIALOOG_DATABASE_URL=url, DIALOOG_ENV="development")
    os.environ.setdefault("DIALOOG_DATA_DIR", str(Path(url.removeprefix("sqlite:///")).parent))
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from app.db import make_engine, set_engine
    from app.demo import DEMO_PASSWORD
    from app.main import create_app

    engine = make_engine(url)
    set_engine(engine)
    app = create_app(engine=engine)
    seen: list[tuple[str, Any]] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, params, _x, _m: seen.append((stmt, params)))
    captured: dict[str, list[tuple[str, Any]]] = {}
    with TestClient(app, base_url="http://testserver") as client:
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"email": "almere@example.org", "password": DEMO_PASSWORD, "csrf_token": token})
        for label, path in PATHS:
            client.get(path)
            seen.clear()
            assert client.get(path).status_code == 200
            captured[label] = [(s, p) for s, p in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    Path(out).write_bytes(pickle.dumps(captured))
    print(out, {label: len(statements) for label, statements in captured.items()})


def _connect(url: str) -> Any:
    if url.startswith("sqlite:///"):
        import sqlite3

        return sqlite3.connect(url.removeprefix("sqlite:///"))
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


def replay(old: str, old_url: str, new: str, new_url: str, runs: int) -> None:
    sides = {
        "old": (pickle.loads(Path(old).read_bytes()), _connect(old_url)),
        "new": (pickle.loads(Path(new).read_bytes()), _connect(new_url)),
    }

    def run(side: str, label: str) -> float:
        statements, conn = sides[side]
        start = time.perf_counter()
        for statement, params in statements[label]:
            cursor = conn.cursor()
            cursor.execute(statement, params)
            cursor.fetchall()
        return (time.perf_counter() - start) * 1000

    print(
        f"{'request':<32} {'old min':>8} {'new min':>8} {'old med':>8} {'new med':>8}  (ms database time, {runs} runs)"
    )
    for label in sides["old"][0]:
        times: dict[str, list[float]] = {"old": [], "new": []}
        run("old", label), run("new", label)  # warm up
        for i in range(runs):
            for side in ("old", "new") if i % 2 else ("new", "old"):
                times[side].append(run(side, label))
        o, n = times["old"], times["new"]
        print(f"{label:<32} {min(o):>8.1f} {min(n):>8.1f} {statistics.median(o):>8.1f} {statistics.median(n):>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cap = commands.add_parser("capture")
    cap.add_argument("database_url")
    cap.add_argument("out")
    rep = commands.add_parser("replay")
    for name in ("old", "old_url", "new", "new_url"):
        rep.add_argument(name)
    rep.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.database_url, args.out)
    else:
        replay(args.old, args.old_url, args.new, args.new_url, args.runs)


if __name__ == "__main__":
    main()
