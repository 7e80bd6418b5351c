"""bench/dataset.py: the benchmark data set is what it says, and the same seed builds the same rows."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from dataset import build

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TABLES = ("users", "providers", "proposals", "proposal_versions", "sections", "comments", "internal_notes")


def dump(url: str) -> dict[str, list[dict]]:
    """Every row of the main tables, but the password hashes (salted: different every time)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = {
            table: [
                {k: v for k, v in row.items() if k != "password_hash"}
                for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings()
            ]
            for table in TABLES
        }
    engine.dispose()
    return rows


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar_one()
    engine.dispose()
    return value


def test_the_data_set_has_the_promised_shape_and_is_deterministic(tmp_path: Path) -> None:
    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("a", "b", "c")]
    summary = build(urls[0], seed=3, comments=600, hot=200, now=NOW)
    build(urls[1], seed=3, comments=600, hot=200, now=NOW)
    build(urls[2], seed=4, comments=600, hot=200, now=NOW)

    counts = summary.counts
    assert (counts["municipalities"], counts["providers"], counts["users"]) == (4, 40, 85)
    assert (counts["dialogue_sessions"], counts["proposals"], counts["proposal_versions"]) == (3, 8, 24)
    assert counts["sections"] == 8 * 3 * 25
    assert counts["comments"] == scalar(urls[0], "SELECT count(*) FROM comments") == 600
    url = urls[0]
    hot = scalar(url, "SELECT count(*) FROM comments c JOIN sections s ON s.id = c.section_id WHERE s.version_id = 3")
    assert hot == 200  # the first proposal's current version
    assert scalar(url, "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL AND official = 0") > 0  # replies
    assert scalar(url, "SELECT count(*) FROM comments WHERE official = 1") > 0
    unanswered_refusals = scalar(
        url,
        "SELECT count(*) FROM comments c WHERE c.status = 'niet_overgenomen' AND NOT EXISTS "
        "(SELECT 1 FROM comments r WHERE r.parent_id = c.id AND r.official = 1)",
    )
    assert unanswered_refusals == 0  # "niet overgenomen" always comes with SDFL's answer

    assert dump(urls[0]) == dump(urls[1])  # the same seed: the same rows
    assert dump(urls[0])["comments"] != dump(urls[2])["comments"]
