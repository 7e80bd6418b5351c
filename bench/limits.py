"""Benchmark: the largest inputs a provider or an admin may send, and what they cost (issue 14, point 10).

1. ``word_diff`` on maximal suggestions: a 2,000-character quote against a 10,000-character replacement, built
   to be hard for a diff (few distinct words, repeated and shuffled, one-token matches that chain, lines that
   repeat), and a suggestion without a quote against a 100,000-character section.
2. A full suggestion post through the app (``POST /api/v1/comments`` in-process, httpx over ASGI, a fresh
   SQLite database with the demo data) with the worst of those inputs.
3. ``import_sections`` on generated Word files of 2,000 and 8,000 paragraphs (python-docx, already a
   dependency), and the same files through the admin import form.

    python bench/limits.py                  # everything
    python bench/limits.py --skip-import    # only the diff and the suggestion post
    python bench/limits.py --repeat 1       # each figure from one run (the old code needs seconds per run)

Figures are wall-clock milliseconds on this machine: the median of ``--repeat`` runs and the slowest run.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUOTE_MAX = 2_000  # app/feedback/writing.py MAX_QUOTE, app/proposals/schemas.py
SUGGESTION_MAX = 10_000  # app/proposals/schemas.py suggested_text
SECTION_MAX = 100_000  # app/proposals/importer.py MAX_BODY


def _fill(words: Callable[[], str], size: int) -> str:
    out: list[str] = []
    length = 0
    while length < size:
        word = words()
        out.append(word)
        length += len(word)
    return "".join(out)[:size].strip() or "x"


def suggestion_cases() -> dict[str, tuple[str, str]]:
    """Name -> (old text, new text): the quote (or section) and the suggested replacement."""
    rng = random.Random(14)
    vocab = ["de", "het", "een", "zorg", "jeugd", "regio", "budget,", "plan.", "en", "of"]

    def shuffled(seps: list[str]) -> Callable[[], str]:
        return lambda: rng.choice(vocab) + rng.choice(seps)

    return {
        # One repeated word; the separators differ, so every match is one token long and they chain.
        "chained one-token matches": (("x " * 400)[:800], ("x  " * 600)[:1_800]),
        "chained, replacement longest": (("x " * 250)[:500], ("x  " * SUGGESTION_MAX)[:3_000]),
        # Whole lines that repeat: the line-level fallback has the same chain.
        "repeated lines": (("x\n" * QUOTE_MAX)[:QUOTE_MAX], ("x\ny\n" * SUGGESTION_MAX)[:QUOTE_MAX]),
        # Smaller versions of the two above that the new code spends its whole comparison budget on.
        "budget-spending words and lines": ("x y\n" * 100, "x  y\n" * 200),
        "budget-spending lines": ("x\n" * 100, "x\ny\n" * 200),
        "shuffled words, max sizes": (_fill(shuffled([" "]), QUOTE_MAX), _fill(shuffled([" "]), SUGGESTION_MAX)),
        "shuffled words and lines": (
            _fill(shuffled([" ", " ", "\n"]), QUOTE_MAX),
            _fill(shuffled([" ", " ", "\n"]), SUGGESTION_MAX),
        ),
        "no quote: 100,000-char section": (
            _fill(shuffled([" ", " ", " ", "\n"]), SECTION_MAX),
            _fill(shuffled([" ", " ", " ", "\n"]), SUGGESTION_MAX),
        ),
    }


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(median ms, max ms, last result)."""
    timings = []
    result: object = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings), result


def make_docx(paragraphs: int, per_section: int = 40) -> bytes:
    """A Word file of ``paragraphs`` paragraphs: a Heading 1 every ``per_section``, body text with a bold run and
    now and then a bulleted list item in between."""
    import docx

    document = docx.Document()
    for i in range(paragraphs):
        if i % per_section == 0:
            document.add_heading(f"Onderdeel {i // per_section + 1}: jeugdhulp in de regio", level=1)
        elif i % 7 == 0:
            document.add_paragraph(f"Punt {i}: wachttijden en doorlooptijden", style="List Bullet")
        else:
            paragraph = document.add_paragraph(f"Alinea {i}. De aanbieder levert ")
            paragraph.add_run("multidisciplinaire jeugdhulp").bold = True
            paragraph.add_run(" binnen de afgesproken termijn, in overleg met de gemeente en het gezin.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-diff", action="store_true")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="dialoog-bench-"))
    url = f"sqlite:///{data_dir / 'bench.db'}"
    os.environ.update(DIALOOG_DATA_DIR=str(data_dir), DIALOOG_DATABASE_URL=url, DIALOOG_ENV="development")

    from fastapi.testclient import TestClient
    from sqlmodel import Session, col, select

    from app import migrate
    from app.accounts import service as accounts
    from app.db import make_engine, set_engine
    from app.demo import DEMO_PASSWORD, seed_demo
    from app.kit.diff import word_diff
    from app.main import create_app
    from app.models import Proposal, ProposalTopic, ProposalVersion, Section, User
    from app.proposals import manage
    from app.proposals.import_rules import SectionImportError
    from app.proposals.importer import import_sections

    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_demo(session)
        session.commit()
        provider = session.exec(select(User).where(User.email == "re-care@example.org")).one()
        _row, key = accounts.create_api_key(session, owner=provider, scope="write", name="bench", actor=None)
        session.commit()
        section_id = session.exec(
            select(Section.id)
            .join(ProposalVersion, col(ProposalVersion.id) == Section.version_id)
            .join(Proposal, col(Proposal.id) == ProposalVersion.proposal_id)
            .where(Proposal.slug == "product-structure", ProposalVersion.number == 1, Section.key == "productoverzicht")
        ).one()
        admin = session.exec(select(User).where(User.email == "sdfl@example.org")).one()
        draft = manage.create_proposal(
            session,
            manage.ProposalInput(
                topic=next(iter(ProposalTopic)).value,
                title="Benchmark import",
                summary="",
                opens_at=None,
                closes_at=None,
                public=False,
            ),
            actor=admin,
        )
        session.commit()
        draft_id = draft.id
    set_engine(engine)
    app = create_app(engine=engine)

    with TestClient(app, base_url="http://testserver") as client:
        if not args.skip_diff:
            cases = suggestion_cases()
            print(f"word_diff, {args.repeat} runs each")
            print(f"{'case':<34} {'old':>7} {'new':>7} {'median ms':>10} {'max ms':>8} {'out KB':>7}")
            worst = ("", 0.0)
            for name, (old, new) in cases.items():
                median, slowest, out = timed(lambda old=old, new=new: word_diff(old, new), args.repeat)
                print(f"{name:<34} {len(old):>7} {len(new):>7} {median:>10.1f} {slowest:>8.1f} {len(out) / 1024:>7.1f}")
                if slowest > worst[1] and len(old) <= QUOTE_MAX:
                    worst = (name, slowest)

            headers = {"Authorization": f"Bearer {key}"}
            # The worst input for the old code and the slowest one of this run.
            print()
            for name in dict.fromkeys(["repeated lines", worst[0]]):
                old, new = cases[name]
                payload = {"section_id": section_id, "kind": "suggestie", "body": "Zo beter.", "quote": old}

                def post(payload: dict = payload, new: str = new) -> None:
                    response = client.post("/api/v1/comments", headers=headers, json={**payload, "suggested_text": new})
                    assert response.status_code == 201, response.text

                median, slowest, _ = timed(post, args.repeat)
                print(f"POST /api/v1/comments with '{name}' ({len(old)} + {len(new)} chars): ", end="")
                print(f"median {median:.1f} ms, max {slowest:.1f} ms")

        if not args.skip_import:
            page = client.get("/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            form = {"email": "sdfl@example.org", "password": DEMO_PASSWORD, "csrf_token": token}
            assert client.post("/login", data=form, follow_redirects=False).status_code == 303
            print(f"\n{'import':<34} {'KB':>7} {'import_sections ms':>19} {'result':<24}", end=" ")
            print(f"{'admin form ms':>14} {'HTTP':>5}")
            for paragraphs in (2_000, 8_000):
                content = make_docx(paragraphs)

                def run(content: bytes = content) -> str:
                    try:
                        return f"{len(import_sections('concept.docx', content))} sections"
                    except SectionImportError as exc:
                        return f"refused: {str(exc)[:60]}"

                median, _slowest, result = timed(run, 1)
                token = client.get(f"/admin/proposals/{draft_id}").text.split('name="csrf_token" value="')[1]
                started = time.perf_counter()
                response = client.post(
                    f"/admin/proposals/{draft_id}/import",
                    data={"csrf_token": token.split('"')[0]},
                    files={"file": ("concept.docx", content, "application/octet-stream")},
                    follow_redirects=False,
                )
                form_ms = (time.perf_counter() - started) * 1000
                label = f"{paragraphs:,} paragraphs".replace(",", ".")
                print(
                    f"{label:<34} {len(content) / 1024:>7.0f} {median:>19.0f} {result!s:<24.24} "
                    f"{form_ms:>14.0f} {response.status_code:>5}"
                )
    set_engine(None)
    engine.dispose()


if __name__ == "__main__":
    main()
