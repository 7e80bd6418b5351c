"""Never twice: two ``dialoog worker --once`` processes started together on one database, then a third (a
restart), against a real SMTP server (aiosmtpd): every notification, reminder and digest arrives exactly once.

The processes run with the clock moved to the next morning (07:30 in Amsterdam), so in their pass the released
answers are due, a comment window closes within three days and the digest hour has come."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from app import migrate
from app.accounts import notification_settings
from app.accounts.notification_settings import Kind, Mode
from app.db import make_engine
from app.feedback import release as releasing
from app.kit.i18n import TIMEZONE
from app.models import Notification, NotificationDigest, NotificationStatus
from app.policy import Principal
from tests import factories
from tests.conftest import scratch_database_url

ROOT = Path(__file__).resolve().parents[2]
WORKER_PROCESS = ROOT / "tests" / "mail" / "mail_worker_process.py"
SECTIONS = (
    ("reikwijdte", "Reikwijdte", "Dit voorstel gaat over jeugdhulp."),
    ("wachttijd", "Vraag: wachttijden", "Hoe lang zijn de wachttijden nu?", "question"),
)


def worker(url: str, port: int, data_dir: Path, ahead: float) -> subprocess.Popen:
    env = {
        **os.environ,
        "DIALOOG_DATABASE_URL": url,
        "DIALOOG_SMTP_HOST": "127.0.0.1",
        "DIALOOG_SMTP_PORT": str(port),
        "DIALOOG_DATA_DIR": str(data_dir),
        "DIALOOG_ENV": "development",
    }
    return subprocess.Popen(
        [sys.executable, str(WORKER_PROCESS), str(ahead), "worker", "--once"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_worker_processes_and_a_restart_send_each_notification_once(engine, smtp, tmp_path):
    url = scratch_database_url("notifytwice")
    migrate.upgrade(url)
    scratch = make_engine(url)
    real_now = datetime.now(UTC)
    local = real_now.astimezone(TIMEZONE)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=TIMEZONE)
    ahead = (tomorrow + timedelta(hours=7, minutes=30) - real_now).total_seconds()
    try:
        with Session(scratch, expire_on_commit=False) as db:
            dialogue = factories.dialogue(db, new=True, signoff_chosen=True)
            admin = factories.admin(db)
            people = [factories.provider_user(db) for _ in range(5)]
            digesting = people[0]
            proposal = factories.proposal(
                db, sections=SECTIONS, dialogue_=dialogue, closes_at=real_now + timedelta(seconds=ahead, days=2)
            )
            section = factories.section(db, proposal, "reikwijdte")
            for person in people:
                mine = factories.comment(db, section, person)
                factories.reply(db, mine, admin, "Dank u.", official=True)
            notification_settings.save(db, digesting, {Kind.replies_released: Mode.digest})
            db.commit()
            releasing.release(db, Principal(user=admin), real_now + timedelta(minutes=5), dialogue=dialogue)
            db.commit()
            emails = {p.email for p in people}

        collector, port = smtp
        first, second = worker(url, port, tmp_path, ahead), worker(url, port, tmp_path, ahead)
        for process in (first, second):
            _out, log = process.communicate(timeout=120)
            assert process.returncode == 0, log
            assert "job" not in log and "pass failed" not in log, log
        restart = worker(url, port, tmp_path, ahead + 60)
        _out, log = restart.communicate(timeout=120)
        assert restart.returncode == 0 and "pass failed" not in log, log

        # (A long subject is folded onto its own line by Python's email package: unfolded, it starts with a space.)
        sent = Counter((m["To"], str(m["Subject"]).strip()) for m in collector.messages)
        assert set(sent.values()) == {1}, sent
        answers = f"Antwoorden en besluiten op uw reacties: {dialogue.title}"
        assert {to for to, subject in sent if subject == answers} == emails - {digesting.email}
        assert {to for to, subject in sent if subject.startswith("Reactietermijn sluit op")} == emails, sent
        [(to, _subject)] = [key for key in sent if key[1].startswith("Uw dagelijkse overzicht")]
        assert to == digesting.email
        with Session(scratch) as db:
            rows = db.exec(select(Notification)).all()
            assert Counter(r.status for r in rows) == {NotificationStatus.sent: 9, NotificationStatus.digested: 1}
            assert len(db.exec(select(NotificationDigest)).all()) == 1
    finally:
        scratch.dispose()
