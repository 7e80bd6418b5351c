"""Settings from environment variables with the prefix ``DIALOOG_``.

Defaults give a working local install: an SQLite file in the data directory and a secret key that is
generated once and kept there. Outside development a missing secret refuses to start.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me"  # noqa: S105 - the value that must never reach production


class ConfigError(RuntimeError):
    """Settings that cannot work; the message says what to change."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DIALOOG_", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Europe/Amsterdam"
    default_locale: str = "nl"

    # Mail: without smtp_host, mail is logged and kept in the outbox for admins to read.
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "Dialoog SDFL <dialoog@example.org>"
    # Seconds between the mail worker's passes (each runs the scheduled tasks, then sends due mail): how late a
    # release mail or a webhook may be at most, beyond its moment.
    worker_interval: float = Field(default=5.0, gt=0, le=3600)
    # Notifications: the local (Europe/Amsterdam) hour of the daily digest; how many days before a comment window
    # closes a participant who has not answered a question section is reminded.
    notification_digest_hour: int = Field(default=7, ge=0, le=23)
    comment_window_reminder_days: int = Field(default=3, ge=1, le=30)

    # Limits
    max_request_bytes: int = Field(default=25 * 1024 * 1024, ge=1024)
    # Comments, replies, notes and questions per user (browser) and per API key; 0 switches a limit off.
    write_limit_per_minute: int = Field(default=10, ge=0)
    write_limit_per_hour: int = Field(default=120, ge=0)
    api_write_limit_per_minute: int = Field(default=30, ge=0)
    api_write_limit_per_hour: int = Field(default=600, ge=0)
    # Every change made through the API (POST, PUT, PATCH, DELETE) per key, whatever it changes; 0 switches it off.
    api_change_limit_per_minute: int = Field(default=120, ge=0)
    api_change_limit_per_hour: int = Field(default=3000, ge=0)

    # Webhooks (issue 20): targets on private, loopback, link-local or reserved addresses are refused unless this
    # allows them (a receiver on the same machine or network; the tests' receivers on 127.0.0.1).
    webhook_allow_private: bool = False

    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are trusted: comma-separated addresses or networks
    # (uvicorn's --forwarded-allow-ips). Empty: none, the client address is the connection's.
    forwarded_allow_ips: str = ""

    # CORS for the API (/api/v1): comma-separated origins (https://bi.example.org) whose browser scripts may call
    # it; empty: none (the default), "*": any origin (keys are bearer tokens, never cookies).
    api_cors_origins: str = ""

    # Identity of this installation: the organisation in the header and in the statements (accessibility, privacy,
    # contact). The logo is a path on this site (e.g. /static/logo.svg served by the proxy) or a data:image URL: the
    # Content-Security-Policy loads images from this site only. Empty: the name alone.
    organisation_name: str = Field(default="Sociaal Domein Flevoland", min_length=1, max_length=200)
    organisation_short_name: str = Field(default="SDFL", max_length=40)
    logo_url: str = Field(default="", max_length=100_000)
    contact_email: str = Field(default="dialoog@sdflevoland.nl", max_length=320)
    contact_phone: str = Field(default="", max_length=40)
    contact_address: str = Field(default="", max_length=300)  # postal address, one line
    privacy_email: str = Field(default="", max_length=320)  # the data protection officer; empty: contact_email

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'dialoog.db').as_posix()}"
        logo = self.logo_url.strip()
        if logo and not (logo.startswith("data:image/") or (logo.startswith("/") and not logo.startswith("//"))):
            raise ValueError(
                "DIALOOG_LOGO_URL must be a path on this site (for example /static/logo.svg) or a data:image URL: "
                "the Content-Security-Policy loads images from this site only."
            )
        self.logo_url = logo
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def api_cors_origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.api_cors_origins.split(",") if o.strip()]

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The secret key; in development generated once and kept in the data directory."""
        if self.secret_key and self.secret_key != DEFAULT_SECRET:
            return self.secret_key
        if self.env != "development":
            raise ConfigError(
                "DIALOOG_SECRET_KEY is missing or still the default. Set it to a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))') "
                "before starting Dialoog with DIALOOG_ENV=production."
            )
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            # Several processes may start at the same moment: each writes a key of its own to a file of its own
            # and links it into place; a link never replaces a file, so the first one wins and every process
            # reads that one (never a half-written file).
            self.data_dir.mkdir(parents=True, exist_ok=True)
            mine = self.data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
            mine.write_text(secrets.token_urlsafe(48))
            mine.chmod(0o600)
            with contextlib.suppress(FileExistsError):
                os.link(mine, key_file)
            mine.unlink()
        return key_file.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL came in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
