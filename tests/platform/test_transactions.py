"""Transactions end in one place: the request's session dependency (app.db.get_session) commits after the route
and rolls back on an error; a route that must end its transaction earlier says so through app.db.commit_now or
rollback_now. Only the units of work that own their sessions (the mail worker, the scheduler, the command line,
the demo seeder) commit themselves."""

from __future__ import annotations

import re
from pathlib import Path

import app

APP = Path(app.__file__).resolve().parent
OWN_THEIR_SESSIONS = {"db.py", "cli.py", "demo.py", "jobs.py", "mail/service.py"}
ENDS_A_TRANSACTION = re.compile(r"\.(commit|rollback)\(\)")


def test_no_route_or_service_commits_or_rolls_back_itself():
    found = [
        f"app/{path.relative_to(APP)}:{number}: {line.strip()}"
        for path in sorted(APP.rglob("*.py"))
        if str(path.relative_to(APP)) not in OWN_THEIR_SESSIONS
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ENDS_A_TRANSACTION.search(line)
    ]
    assert found == [], "use app.db.commit_now / rollback_now (or let the session dependency do it):\n" + "\n".join(
        found
    )


def test_the_scan_sees_a_commit():
    assert ENDS_A_TRANSACTION.search("    session.commit()")
    assert not ENDS_A_TRANSACTION.search("    commit_now(session)")
