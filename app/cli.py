"""The ``dialoog`` command (also ``python -m app``)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from app import jobs, migrate
from app.accounts import service as accounts
from app.archive import service as archive
from app.archive.verify import verify_archive
from app.config import ConfigError, get_settings
from app.db import get_engine
from app.demo import format_accounts, seed_demo
from app.documents.service import notify_released_documents
from app.kit.errors import AppError
from app.mail.service import run_worker, start_background_worker
from app.models import Dialogue, Municipality, Provider
from app.notifications.events import remind_closing_windows
from app.notifications.service import deliver_due_notifications, send_daily_digests
from app.proposals.manage import publish_due_versions
from app.questions.notas import release_due_notas
from app.releases.service import release_due_packages
from app.webhooks.delivery import deliver_webhooks, dispatch_due_events

# What the scheduler runs (app.jobs knows no domain; this is where the tasks are put together). The mail worker
# runs them at the start of every pass, so the mail they queue goes out in the same pass.
SCHEDULED_TASKS: list[jobs.Task] = [
    release_due_packages,  # before the documents' own mails: a package's documents are announced by the package
    publish_due_versions,
    release_due_notas,  # notas scheduled on their own (a nota in a package goes out with the package)
    notify_released_documents,
    deliver_due_notifications,  # answers released at a later moment: told when it comes
    remind_closing_windows,  # a comment window closes within N days and a question is not answered
    send_daily_digests,  # after the notifications above: one mail per user per day from the digest hour
    dispatch_due_events,  # issue 20: events whose moment came -> one delivery per webhook that may read them
    deliver_webhooks,  # then their POSTs (signed, retried with backoff for 24 hours)
    jobs.forget_old_rate_limit_hits,
    jobs.forget_old_login_attempts,
    archive.build_queued_archives,  # last: a large Woo archive takes a while, the mails of this pass go first
]


def run_scheduled_tasks(session: Session) -> int:
    """One run of every scheduled task (the mail worker's ``before_send``)."""
    return jobs.run_scheduled(session, SCHEDULED_TASKS)


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_migrate(_args: argparse.Namespace) -> int:
    migrate.upgrade()
    print("Database is bijgewerkt tot de nieuwste migratie.")
    return 0


def _seed(only_if_empty: bool) -> None:
    """Load the demo data; the caller holds the start-up lock, so the check below sees every other process's
    seeding (the demo is loaded once however many processes start with ``--demo`` at the same moment)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        if only_if_empty and session.exec(select(Dialogue)).first() is not None:
            print("De database bevat al gegevens; demodata niet opnieuw geladen.")
            return
        result = seed_demo(session)
        session.commit()
    print(f"Demodata geladen: {result.created} nieuwe records.")
    print(format_accounts(result))


def cmd_seed_demo(_args: argparse.Namespace) -> int:
    with migrate.startup_lock():
        migrate.upgrade()
        _seed(only_if_empty=False)
    return 0


def trusted_proxies(flag: str | None, setting: str) -> str:
    """The proxies whose forwarded headers are trusted: the flag if given, else DIALOOG_FORWARDED_ALLOW_IPS.
    Empty: none, every client's address is its connection's (a forwarded header could be anyone's claim)."""
    value = setting if flag is None else flag
    return ",".join(part.strip() for part in value.split(",") if part.strip())


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    settings.resolved_secret_key()  # refuse to start without a real secret outside development
    with migrate.startup_lock():  # other processes starting now wait here, then find the work done
        migrate.upgrade()
        if args.demo:
            _seed(only_if_empty=True)
    stop_worker = None
    if not args.no_worker:
        # One machine: the mail worker (and with it the scheduled tasks) runs in this process.
        stop_worker = start_background_worker(before_send=run_scheduled_tasks, interval=settings.worker_interval)
    trusted = trusted_proxies(args.forwarded_allow_ips, settings.forwarded_allow_ips)
    processes = f" met {args.workers} processen" if args.workers > 1 else ""
    print(f"Dialoog draait op http://{args.host}:{args.port}/{processes} (stoppen met Ctrl+C)")
    if trusted:
        print(f"X-Forwarded-For en X-Forwarded-Proto worden vertrouwd van: {trusted}")
    if "*" in trusted.split(","):
        print("Let op: '*' vertrouwt iedereen; elke client kan dan een ander adres opgeven.", file=sys.stderr)
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            # Without trusted proxies uvicorn gets no proxy middleware at all, and an explicit value keeps it
            # from falling back to its own FORWARDED_ALLOW_IPS environment variable.
            proxy_headers=bool(trusted),
            forwarded_allow_ips=trusted,
            # N processes, each with the whole app and its own connection pool; the database coordinates them
            # (the page cache's generation, the scheduler lock, rate limits, sessions). The mail worker and
            # the scheduled tasks run once in this supervising process, not in every worker.
            workers=args.workers,
            log_level="info",
        )
    finally:
        if stop_worker is not None:
            stop_worker.set()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    print("Mailworker gestart (stoppen met Ctrl+C).")
    with contextlib.suppress(KeyboardInterrupt):
        interval = get_settings().worker_interval if args.interval is None else args.interval
        run_worker(interval=interval, once=args.once, before_send=run_scheduled_tasks)
    return 0


def cmd_create_api_key(args: argparse.Namespace) -> int:
    with Session(get_engine(), expire_on_commit=False) as session:
        owner = accounts.get_user_by_email(session, args.email)
        if owner is None:
            print(f"Geen gebruiker met e-mailadres {args.email}.", file=sys.stderr)
            return 1
        try:
            row, key = accounts.create_api_key(session, owner=owner, scope=args.scope, name=args.name or "", actor=None)
        except AppError as exc:
            print(exc.detail, file=sys.stderr)
            return 1
        session.commit()
    print(f"API-sleutel {row.prefix} ({row.scope}) voor {owner.email}. Bewaar hem nu: hij wordt niet opgeslagen.")
    print(key)
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    with Session(get_engine(), expire_on_commit=False) as session:
        provider = (
            session.exec(select(Provider).where(Provider.slug == args.provider)).first() if args.provider else None
        )
        municipality = (
            session.exec(select(Municipality).where(Municipality.name == args.municipality)).first()
            if args.municipality
            else None
        )
        data = accounts.UserInput(
            email=args.email,
            name=args.name,
            role=args.role,
            provider_id=provider.id if provider else None,
            municipality_id=municipality.id if municipality else None,
        )
        admin = accounts.get_user_by_email(session, args.by) if args.by else None
        try:
            user = accounts.create_user(session, data, actor=admin, invite=False)
            link = accounts.send_invitation(session, user, actor=admin)
        except AppError as exc:
            print(exc.detail, file=sys.stderr)
            return 1
        session.commit()
    print(f"Gebruiker {user.email} aangemaakt; de uitnodiging staat in de mailwachtrij.")
    if not get_settings().smtp_host:
        # A first install has no mail server yet: the link itself, to open in a browser (valid 7 days, once).
        print(f"Er is geen mailserver ingesteld (DIALOOG_SMTP_HOST). Wachtwoord kiezen via: {link}")
    return 0


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return number


def _moment(value: str) -> datetime:
    """An ISO 8601 moment; without an offset it is read as UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"geen ISO 8601-tijdstip: {value}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_export_archive(args: argparse.Namespace) -> int:
    with Session(get_engine(), expire_on_commit=False) as session:
        dialogue = session.exec(select(Dialogue).where(Dialogue.slug == args.dialogue)).first()
        if dialogue is None:
            print(f"Geen traject met slug {args.dialogue}.", file=sys.stderr)
            return 1
        result = archive.export_to_file(
            session, dialogue, Path(args.out), personal_data=not args.without_personal_data, at=args.at, actor=None
        )
        session.commit()
    print(
        f"Woo-archief geschreven: {result.path} ({result.files} bestanden, {result.size} bytes, "
        f"stand van {result.exported_at.isoformat()}, SHA-256 {result.sha256})."
    )
    return 0


def cmd_verify_archive(args: argparse.Namespace) -> int:
    result = verify_archive(Path(args.file))
    for problem in result.problems:
        print(problem)
    if result.problems:
        print(f"Het archief klopt niet: {len(result.problems)} probleem/problemen.", file=sys.stderr)
        return 1
    print(f"Het archief klopt: {result.checked} bestanden hebben de SHA-256 en grootte uit het manifest.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dialoog", description="Dialoog: consultatieplatform van SDFL")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations and start the web server")
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty database")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="comma-separated proxies (addresses or networks) whose X-Forwarded-* headers are trusted; "
        "default DIALOOG_FORWARDED_ALLOW_IPS, empty: none",
    )
    serve.add_argument("--no-worker", action="store_true", help="do not run the mail worker in this process")
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="web server processes (default 1; about one per CPU core, see README 'Production')",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="send queued mail (retries with backoff)")
    worker.add_argument(
        "--interval", type=float, default=None, help="seconds between passes (default DIALOOG_WORKER_INTERVAL, 5)"
    )
    worker.add_argument("--once", action="store_true", help="one pass, then stop")
    worker.set_defaults(func=cmd_worker)

    key = sub.add_parser("create-api-key", help="create an API key; the key is the last line of the output")
    key.add_argument("--email", required=True, help="the user whose role the key acts with")
    key.add_argument("--scope", required=True, choices=["read", "write"])
    key.add_argument("--name", default="")
    key.set_defaults(func=cmd_create_api_key)

    user = sub.add_parser("create-user", help="create a user and queue the invitation mail")
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=["admin", "municipality", "provider"])
    user.add_argument("--name", default="")
    user.add_argument("--provider", help="provider slug, for role provider")
    user.add_argument("--municipality", help="municipality name, for role municipality")
    user.add_argument("--by", help="e-mail of the admin doing this (for the audit trail)")
    user.set_defaults(func=cmd_create_user)

    export = sub.add_parser("export-archive", help="write the Woo archive (ZIP) of a trajectory")
    export.add_argument("--dialogue", required=True, metavar="SLUG", help="the trajectory's slug")
    export.add_argument("--out", required=True, metavar="FILE.zip")
    export.add_argument(
        "--without-personal-data",
        action="store_true",
        help="leave out e-mail addresses and replace people's names by stable pseudonyms",
    )
    export.add_argument(
        "--at",
        type=_moment,
        default=None,
        metavar="ISO-8601",
        help="the export time written in the archive (default: the newest change in the trajectory, so two "
        "exports of the same data are byte-identical)",
    )
    export.set_defaults(func=cmd_export_archive)

    verify = sub.add_parser("verify-archive", help="check every file of a Woo archive against its manifest")
    verify.add_argument("file", metavar="FILE.zip")
    verify.set_defaults(func=cmd_verify_archive)

    sub.add_parser("migrate", help="apply pending database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("seed-demo", help="load the demo data (idempotent)").set_defaults(func=cmd_seed_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    _setup_logging()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"Configuratiefout: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
