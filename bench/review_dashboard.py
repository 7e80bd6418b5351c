"""Benchmark: the review dashboard's first page with 10,000 comments.

Builds ``bench/dataset.py``'s data set in a fresh database (SQLite file by default, or ``--database-url
postgresql://...``, whose ``public`` schema is dropped): ``--comments`` comments with replies, official replies,
decisions, internal notes and positions. Then it signs in as a municipality reviewer and asks the dashboard
in-process (httpx over ASGI, no network) for a few filter states, printing the median, 95th percentile and
fastest time, the median CPU time of this process (on SQLite the database's work included; steadier than the
wall clock on a busy machine), the SQL queries per request, the response size and the number of matching rows.

    python bench/review_dashboard.py                  # SQLite, 10,000 comments
    python bench/review_dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dataset import build  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-bench-"))
    url = args.database_url or f"sqlite:///{data_dir / 'bench.db'}"
    os.environ.update(DIALOOG_DATA_DIR=str(data_dir), DIALOOG_DATABASE_URL=url, DIALOOG_ENV="development")

    from fastapi.testclient import TestClient
    from sqlalchemy import event
    from sqlmodel import Session, select

    from app.db import make_engine, set_engine
    from app.demo import DEMO_PASSWORD
    from app.main import create_app
    from app.models import Municipality

    summary = build(url, comments=args.comments)
    print(f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, {summary.line()}")
    engine = make_engine(url)
    with Session(engine) as session:
        municipality_id = session.exec(select(Municipality.id).where(Municipality.name == "Almere")).one()

    set_engine(engine)
    app = create_app(engine=engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"email": "almere@example.org", "password": DEMO_PASSWORD, "csrf_token": token})
        print(
            f"{'request':<48} {'median ms':>10} {'p95 ms':>8} {'min ms':>8} {'cpu ms':>8} {'queries':>8} {'KB':>6} "
            f"{'rows':>6}"
        )
        for label, path in [
            ("first page, no filter", "/review"),
            ("first page, htmx fragment", "/review?kind=zorg"),
            ("full text search 'wachttijd'", "/review?q=wachttijd"),
            ("word part 'behandel'", "/review?q=behandel"),
            ("two words 'caseload urk'", "/review?q=caseload+urk"),
            ("word part 'indicatie' + kind", "/review?q=indicatie&kind=vraag"),
            ("short term 'LV'", "/review?q=LV"),
            ("status + kind + relevance", f"/review?status=nieuw&kind=vraag&municipality_id={municipality_id}"),
            ("answered=no, sorted by section", "/review?answered=no&sort=section"),
            ("page 100", "/review?page=100"),
        ]:
            headers = {"HX-Request": "true"} if "htmx" in label else {}
            client.get(path, headers=headers)  # warm up
            timings, cpu = [], []
            for _ in range(args.repeat):
                statements.clear()
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.get(path, headers=headers)
                timings.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
                assert response.status_code == 200, response.text[:500]
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            total = response.text.split('<p role="status">')[1].split(" ")[0].strip()
            print(
                f"{label:<48} {statistics.median(timings):>10.1f} {p95:>8.1f} {timings[0]:>8.1f} "
                f"{statistics.median(cpu):>8.1f} "
                f"{len(statements):>8} "
                f"{len(response.content) / 1024:>6.1f} {total:>6}"
            )


if __name__ == "__main__":
    main()
