"""A large, realistic, deterministic data set for benchmarks and load tests.

One dialogue for multidisciplinaire jeugdhulp, 4 municipalities with a reviewer each, 40 providers with two
contact persons each (all invited and accepted), 3 sessions with agendas, 8 proposals with 3 published
versions of 25 sections each, and 10,000 comments: top-level feedback with replies from other providers,
SDFL's official replies and released decisions, internal notes and municipal positions. The first proposal's
current version carries exactly ``--hot`` (1,000) of them: the "proposal page with 1,000 comments".

Everything but the timestamps comes from a seeded random generator, so two builds with the same seed hold
the same rows; timestamps are relative to the moment of building (the comment windows must be open when the
server runs). Rows are written with bulk INSERTs and explicit ids (PostgreSQL's sequences are moved past
them afterwards), so a build takes seconds.

    python bench/dataset.py                                   # a new SQLite file in a temporary directory
    python bench/dataset.py --database-url postgresql://postgres@127.0.0.1:5432/bench   # drops its schema

Every account uses the demo password ``dialoog-demo-2025``: ``sdfl@example.org`` (admin), ``almere@example.org``
and the other municipalities, ``aanbieder-01@example.org`` … ``aanbieder-40@example.org`` and a second contact
``aanbieder-01-b@example.org`` … per provider.
"""

from __future__ import annotations

import argparse
import html
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from app import migrate  # noqa: E402
from app.accounts.passwords import hash_password  # noqa: E402
from app.db import make_engine, metadata  # noqa: E402
from app.demo import ADMIN_EMAIL, CARE_FORM_KEY, DEMO_PASSWORD, DIALOGUE_SLUG  # noqa: E402
from app.kit.markdown import render_markdown  # noqa: E402
from app.models import (  # noqa: E402
    AgendaItem,
    CareForm,
    Comment,
    Dialogue,
    DialogueSession,
    InternalNote,
    Invitation,
    Municipality,
    Position,
    Proposal,
    ProposalVersion,
    Provider,
    ProviderMunicipality,
    Section,
    User,
)

MUNICIPALITIES = [("0034", "Almere"), ("0303", "Dronten"), ("0184", "Urk"), ("0171", "Noordoostpolder")]
PROVIDERS = 40
PROPOSALS = 8
VERSIONS = 3
SECTIONS = 25
COMMENTS = 10_000
HOT = 1_000  # comments on the first proposal's current version
TOPICS = ["product_structure", "contract_terms", "requirements", "preconditions", "procurement_process"]
KINDS = ["steun", "zorg", "vraag", "suggestie"]
# Released decisions; "niet overgenomen" and the adopted ones always come with an official reply.
STATUSES = ["nieuw"] * 4 + ["in_behandeling"] * 2 + ["overgenomen", "deels_overgenomen", "niet_overgenomen"]
ANSWERED = {"overgenomen", "deels_overgenomen", "niet_overgenomen"}
WORDS = [
    "wachttijd",
    "tarief",
    "productcode",
    "verblijf",
    "ambulant",
    "dagbehandeling",
    "GGZ",
    "LVB",
    "regie",
    "gezin",
    "school",
    "budget",
    "uren",
    "resultaat",
    "verantwoording",
    "contract",
    "gemeente",
    "jeugdige",
    "ouders",
    "wijkteam",
    "verwijzing",
    "zorgaanbieder",
    "onderaannemer",
    "kwaliteit",
    "indicatie",
    "herindicatie",
    "doorlooptijd",
    "caseload",
    "behandelaar",
    "opschaling",
    "afschaling",
    "maatwerk",
    "administratie",
    "declaratie",
    "monitoring",
    "evaluatie",
    "perspectief",
    "veiligheid",
    "netwerk",
    "samenwerking",
    "continuiteit",
]
PLACES = ["Almere", "Dronten", "Urk", "Noordoostpolder", "Flevoland"]


@dataclass
class Summary:
    url: str
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    hot_proposal_id: int = 1
    hot_section_key: str = "onderdeel-01"

    def line(self) -> str:
        rows = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        return f"data set built in {self.seconds:.1f} s: {rows}"


def sentence(rng: random.Random, lo: int = 8, hi: int = 20) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def section_body(rng: random.Random) -> str:
    """About 150-250 words of Markdown: paragraphs, a list, sometimes emphasis."""
    parts = [paragraph(rng, rng.randint(3, 5))]
    parts.append("\n".join(f"- {sentence(rng, 4, 9)}" for _ in range(rng.randint(2, 5))))
    parts.append(f"**{sentence(rng, 3, 6)}** {paragraph(rng, rng.randint(2, 4))}")
    return "\n\n".join(parts)


def comment_html(body: str) -> str:
    # Comment bodies are plain sentences in paragraphs: the same HTML render_markdown makes, without its cost.
    return "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split("\n\n"))


def ensure_pg_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it does not exist (connecting to ``postgres`` on the same
    server); refuses ``test``, which the test suite owns."""
    target = make_url(url)
    name = target.database or ""
    if name == "test":
        raise SystemExit("refusing to use the database 'test': the test suite owns it")
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                print(f"created PostgreSQL database {name}", file=sys.stderr, flush=True)
    finally:
        admin.dispose()


def reset(url: str) -> Engine:
    """An empty database at ``url`` (created on PostgreSQL when missing) with every migration applied."""
    if url.startswith("postgres"):
        ensure_pg_database(url)
    engine = make_engine(url)
    if url.startswith("postgres"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(url)
    return engine


def build(url: str, *, seed: int = 7, comments: int = COMMENTS, hot: int = HOT, now: datetime | None = None) -> Summary:
    """Reset the database at ``url`` and fill it; returns what was made."""
    started = time.perf_counter()
    engine = reset(url)
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    summary = Summary(url=url)
    rows: dict[Any, list[dict[str, Any]]] = {}

    def add(model: Any, **values: Any) -> int:
        table = model.__table__
        batch = rows.setdefault(table, [])
        if "id" in table.c:
            values["id"] = len(batch) + 1
        batch.append(values)
        return values.get("id", 0)

    password = hash_password(DEMO_PASSWORD)
    account = {"password_hash": password, "active": True, "created_at": now, "updated_at": now}
    care_form = add(CareForm, key=CARE_FORM_KEY, name="Multidisciplinaire jeugdhulp (complex)", description="")
    dialogue = add(
        Dialogue,
        slug=DIALOGUE_SLUG,
        title="Dialoog multidisciplinaire jeugdhulp 2027",
        care_form_id=care_form,
        description=paragraph(rng, 4),
        selection_criteria=paragraph(rng, 3),
        tender_reference="SDFL-2026-MULTI-BENCH",
        status="active",
        created_at=now,
        updated_at=now,
    )
    admin = add(User, email=ADMIN_EMAIL, name="Team inkoop SDFL", role="admin", **account)
    municipalities = []
    reviewers = []
    for code, name in MUNICIPALITIES:
        municipality = add(Municipality, code=code, name=name, in_procurement=True)
        municipalities.append(municipality)
        reviewers.append(
            add(
                User,
                email=f"{name.lower()}@example.org",
                name=f"Beleidsadviseur {name}",
                role="municipality",
                municipality_id=municipality,
                **account,
            )
        )
    provider_users: list[tuple[int, int]] = []  # (user id, provider id)
    for n in range(1, PROVIDERS + 1):
        slug = f"aanbieder-{n:02d}"
        provider = add(
            Provider,
            name=f"Zorgaanbieder {n:02d} {rng.choice(['Jeugd', 'Gezin', 'Zorg', 'Groei'])}",
            slug=slug,
            size=rng.choice(["small", "medium", "large"]),
            tags=rng.sample(["lvb", "ggz", "jo", "autisme", "forensisch", "intercultureel"], 2),
            active_outside_flevoland=rng.random() < 0.5,
            website=f"https://{slug}.example.org",
            description="",
            illustrative=True,
            created_at=now,
            updated_at=now,
        )
        for municipality in rng.sample(municipalities, rng.randint(1, 4)):
            add(ProviderMunicipality, provider_id=provider, municipality_id=municipality)
        first = add(
            User,
            email=f"{slug}@example.org",
            name=f"Contactpersoon {n:02d}",
            role="provider",
            provider_id=provider,
            **account,
        )
        second = add(
            User,
            email=f"{slug}-b@example.org",
            name=f"Tweede contact {n:02d}",
            role="provider",
            provider_id=provider,
            **account,
        )
        provider_users += [(first, provider), (second, provider)]
        add(
            Invitation,
            dialogue_id=dialogue,
            provider_id=provider,
            status="accepted",
            invited_at=now - timedelta(days=60),
            responded_at=now - timedelta(days=55),
            responded_by_id=first,
            note="",
        )

    # Three sessions: one held, one coming up, one later; five agenda items each.
    for number, days in [(1, -21), (2, 5), (3, 40)]:
        starts = (now + timedelta(days=days)).replace(hour=8, minute=30, second=0, microsecond=0)
        ends = starts + timedelta(hours=4)
        session_id = add(
            DialogueSession,
            dialogue_id=dialogue,
            number=number,
            title=f"Dialoogsessie {number}",
            starts_at=starts,
            ends_at=ends,
            location="Stadhuis Almere, Stadhuisplein 1",
            status="held" if days < 0 else "planned",
            documents_release_at=starts - timedelta(days=7),
            report=paragraph(rng, 12) if days < 0 else "",
            report_published_at=ends + timedelta(days=3) if days < 0 else None,
            ics_uid=f"bench-sessie-{number}@sdfl.example.org",
            ics_sequence=0,
            created_at=now,
            updated_at=now,
        )
        for position in range(1, 6):
            add(
                AgendaItem,
                session_id=session_id,
                position=position,
                starts_at=starts + timedelta(minutes=45 * (position - 1)),
                ends_at=starts + timedelta(minutes=45 * position),
                title=sentence(rng, 3, 6).rstrip("."),
                description=paragraph(rng, 2),
                format="subgroups" if position == 3 else "plenary",
                proposal_id=position if position <= PROPOSALS else None,
            )

    # Proposals, versions and sections. Section texts change a little between versions.
    current_sections: dict[int, list[int]] = {}  # proposal -> its current version's section ids
    all_sections: list[int] = []
    for p in range(1, PROPOSALS + 1):
        proposal = add(
            Proposal,
            dialogue_id=dialogue,
            slug=f"voorstel-{p}",
            topic=TOPICS[(p - 1) % len(TOPICS)],
            title=f"Voorstel {p}: {sentence(rng, 3, 5).rstrip('.')}",
            summary=paragraph(rng, 2),
            status="published",
            opens_at=now - timedelta(days=60),
            closes_at=now + timedelta(days=60),
            public=p <= PROPOSALS // 2,
            created_at=now,
            updated_at=now,
        )
        bodies = [section_body(rng) for _ in range(SECTIONS)]
        for number in range(1, VERSIONS + 1):
            published = now - timedelta(days=30 * (VERSIONS - number) + 7)
            version = add(
                ProposalVersion,
                proposal_id=proposal,
                number=number,
                status="published",
                published_at=published,
                change_summary=paragraph(rng, 2) if number > 1 else "",
                created_at=published,
            )
            ids = []
            for s in range(SECTIONS):
                if number > 1 and rng.random() < 0.3:
                    bodies[s] = bodies[s] + "\n\n" + paragraph(rng, 2)
                ids.append(
                    add(
                        Section,
                        version_id=version,
                        key=f"onderdeel-{s + 1:02d}",
                        position=s + 1,
                        heading=f"{s + 1}. {sentence(rng, 2, 5).rstrip('.')}",
                        body=bodies[s],
                        body_html=render_markdown(bodies[s], heading_offset=2),
                        kind="question" if s % 6 == 5 else "text",
                    )
                )
            all_sections += ids
            current_sections[proposal] = ids

    # Comments: threads of a top-level comment, replies from participants and sometimes SDFL's answer.
    hot_sections = current_sections[1]
    other_sections = [s for s in all_sections if s not in set(hot_sections)]

    def thread(section_id: int, budget: int, created: datetime) -> int:
        """One thread on ``section_id`` of at most ``budget`` comments; returns how many it made."""
        user, provider = rng.choice(provider_users)
        status = rng.choice(STATUSES)
        if status in ANSWERED and budget < 2:  # no room for SDFL's answer, which such a decision needs
            status = "in_behandeling"
        answered = status in ANSWERED
        kind = rng.choice(KINDS)
        body = "\n\n".join(paragraph(rng, rng.randint(1, 3)) for _ in range(rng.randint(1, 2)))
        quoted = kind == "suggestie" or rng.random() < 0.2
        root = add(
            Comment,
            section_id=section_id,
            author_id=user,
            provider_id=provider,
            parent_id=None,
            kind=kind,
            body=body,
            body_html=comment_html(body),
            quote=sentence(rng, 4, 8) if quoted else None,
            suggested_text=sentence(rng, 6, 12) if kind == "suggestie" else None,
            suggestion_diff="",
            official=False,
            visibility="participants",
            status=status,
            published_status=status,
            status_release_at=created + timedelta(days=2) if status != "nieuw" else None,
            created_at=created,
        )
        made = 1
        for r in range(min(budget - made - answered, rng.choice([0, 0, 0, 1, 1, 2, 3]))):
            user, provider = rng.choice(provider_users)
            reply = paragraph(rng, rng.randint(1, 2))
            add(
                Comment,
                section_id=section_id,
                author_id=user,
                provider_id=provider,
                parent_id=root,
                kind=None,
                body=reply,
                body_html=comment_html(reply),
                suggestion_diff="",
                official=False,
                visibility="participants",
                status="nieuw",
                published_status="nieuw",
                created_at=created + timedelta(hours=r + 1),
            )
            made += 1
        if answered:
            answer = paragraph(rng, 2)
            add(
                Comment,
                section_id=section_id,
                author_id=admin,
                parent_id=root,
                body=answer,
                body_html=comment_html(answer),
                suggestion_diff="",
                official=True,
                visibility="participants",
                status="nieuw",
                published_status="nieuw",
                release_at=created + timedelta(days=2),
                created_at=created + timedelta(days=1),
            )
            made += 1
        if rng.random() < 0.15:
            reviewer = rng.randrange(len(reviewers))
            add(InternalNote, comment_id=root, author_id=reviewers[reviewer], body=sentence(rng), created_at=created)
            add(
                Position,
                comment_id=root,
                municipality_id=municipalities[reviewer],
                author_id=reviewers[reviewer],
                stance=rng.choice(["eens", "oneens", "neutraal"]),
                note="",
                created_at=created,
                updated_at=created,
            )
        return made

    def fill(sections: list[int], total: int, days: int) -> None:
        made = 0
        while made < total:
            created = now - timedelta(minutes=rng.randint(60, days * 24 * 60))
            made += thread(rng.choice(sections), total - made, created)

    fill(hot_sections, hot, 7)
    fill(other_sections, comments - hot, 60)

    with engine.begin() as conn:
        for table in metadata.sorted_tables:  # parents before children
            if table not in rows:
                continue
            batch = rows[table]
            columns = {name for values in batch for name in values}
            batch = [{name: values.get(name) for name in columns} for values in batch]  # one shape per INSERT
            for start in range(0, len(batch), 2_000):
                conn.execute(insert(table), batch[start : start + 2_000])
            summary.counts[table.name] = len(batch)
        if engine.dialect.name == "postgresql":
            for table in rows:
                if "id" in table.c:
                    sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                    conn.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table.name}))"))
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    summary.seconds = time.perf_counter() - started
    summary.hot_proposal_id = 1
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: a new SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--comments", type=int, default=COMMENTS)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='dialoog-dataset-')) / 'bench.db'}"
    summary = build(url, seed=args.seed, comments=args.comments)
    print(summary.line())
    print(f"database: {url}")


if __name__ == "__main__":
    main()
