"""The ``dialoog`` command (also ``python -m app``)."""

from __future__ import annotations

import argparse
import logging
import sys

from sqlmodel import Session, select

from app.config import ConfigError, get_settings


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def cmd_migrate(_args: argparse.Namespace) -> int:
    from app import migrate

    migrate.upgrade()
    print("Database is bijgewerkt tot de nieuwste migratie.")
    return 0


def _seed(only_if_empty: bool) -> None:
    from app.db import get_engine
    from app.demo import format_accounts, seed_demo
    from app.models import Dialogue

    with Session(get_engine()) as session:
        if only_if_empty and session.exec(select(Dialogue)).first() is not None:
            print("De database bevat al gegevens; demodata niet opnieuw geladen.")
            return
        result = seed_demo(session)
        session.commit()
    print(f"Demodata geladen: {result.created} nieuwe records.")
    print(format_accounts(result))


def cmd_seed_demo(_args: argparse.Namespace) -> int:
    from app import migrate

    migrate.upgrade()
    _seed(only_if_empty=False)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app import migrate

    settings = get_settings()
    settings.resolved_secret_key()  # refuse to start without a real secret outside development
    migrate.upgrade()
    if args.demo:
        _seed(only_if_empty=True)
    print(f"Dialoog draait op http://{args.host}:{args.port}/ (stoppen met Ctrl+C)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level="info",
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dialoog", description="Dialoog: consultatieplatform van SDFL")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="apply migrations and start the web server")
    serve.add_argument("--demo", action="store_true", help="load the demo data into an empty database")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--forwarded-allow-ips", default="127.0.0.1", help="proxies whose X-Forwarded-* headers are trusted"
    )
    serve.set_defaults(func=cmd_serve)

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
