"""Benchmark: the review dashboard's first page with 10,000 comments.

Builds a fresh database (SQLite file by default, or ``--database-url postgresql://...``, whose ``public`` schema
is dropped), applies the migrations, seeds the demo and adds ``--comments`` top-level comments spread over the
demo's sections with replies, official replies, internal notes and positions. Then it signs in as a municipality
reviewer and asks the dashboard in-process (httpx over ASGI, no network) for a few filter states, printing the
median and 95th percentile time, the SQL queries per request and the response size.

    python bench/review_dashboard.py                  # SQLite, 10,000 comments
    python bench/review_dashboard.py --database-url postgresql://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dataset import PLACES, WORDS  # noqa: E402


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
    from sqlalchemy import event, text
    from sqlmodel import Session, select

    from app import migrate
    from app.db import make_engine, set_engine, utcnow
    from app.demo import DEMO_PASSWORD, seed_demo
    from app.main import create_app
    from app.models import Comment, InternalNote, Municipality, Position, Section, User

    engine = make_engine(url)
    if url.startswith("postgres"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(url)
    started = time.perf_counter()
    rng = random.Random(6)
    words = WORDS + PLACES
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
        sections = session.exec(select(Section)).all()
        providers = session.exec(select(User).where(User.role == "provider")).all()
        admin = session.exec(select(User).where(User.role == "admin")).first()
        reviewer = session.exec(select(User).where(User.email == "almere@example.org")).one()
        municipality = session.exec(select(Municipality).where(Municipality.name == "Almere")).one()
        now = utcnow()
        rows = []
        for _ in range(args.comments):
            author = rng.choice(providers)
            body = " ".join(rng.choice(words) for _ in range(30))
            rows.append(
                Comment(
                    section_id=rng.choice(sections).id,
                    author_id=author.id,
                    provider_id=author.provider_id,
                    kind=rng.choice(["steun", "zorg", "vraag", "suggestie"]),
                    status=rng.choice(["nieuw", "nieuw", "in_behandeling", "overgenomen", "niet_overgenomen"]),
                    body=body,
                    body_html=f"<p>{body}</p>",
                    created_at=now,
                )
            )
        session.add_all(rows)
        session.flush()
        extra = []
        for comment in rows[::5]:
            extra.append(
                Comment(
                    section_id=comment.section_id,
                    author_id=admin.id,
                    parent_id=comment.id,
                    official=True,
                    body="Antwoord",
                    body_html="<p>Antwoord</p>",
                    release_at=now,
                    created_at=now,
                )
            )
            extra.append(InternalNote(comment_id=comment.id, author_id=reviewer.id, body="Notitie", created_at=now))
            extra.append(
                Position(comment_id=comment.id, municipality_id=municipality.id, author_id=reviewer.id, stance="eens")
            )
        session.add_all(extra)
        session.commit()
        municipality_id = municipality.id
    print(
        f"database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}, {args.comments} comments "
        f"(+{len(extra) // 3} official replies, notes and positions), built in {time.perf_counter() - started:.1f} s"
    )

    set_engine(engine)
    app = create_app(engine=engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post("/login", data={"email": "almere@example.org", "password": DEMO_PASSWORD, "csrf_token": token})
        print(f"{'request':<48} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KB':>6} {'rows':>6}")
        for label, path in [
            ("first page, no filter", "/review"),
            ("first page, htmx fragment", "/review?kind=zorg"),
            ("full text search 'wachttijd'", "/review?q=wachttijd"),
            ("status + kind + relevance", f"/review?status=nieuw&kind=vraag&municipality_id={municipality_id}"),
            ("answered=no, sorted by section", "/review?answered=no&sort=section"),
            ("page 100", "/review?page=100"),
        ]:
            headers = {"HX-Request": "true"} if "htmx" in label else {}
            client.get(path, headers=headers)  # warm up
            timings = []
            for _ in range(args.repeat):
                statements.clear()
                t0 = time.perf_counter()
                response = client.get(path, headers=headers)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text[:500]
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            total = response.text.split('<p role="status">')[1].split(" ")[0].strip()
            print(
                f"{label:<48} {statistics.median(timings):>10.1f} {p95:>8.1f} {len(statements):>8} "
                f"{len(response.content) / 1024:>6.1f} {total:>6}"
            )


if __name__ == "__main__":
    main()
