"""Settings from environment variables with the prefix ``DIALOOG_``.

Defaults give a working local install: an SQLite file in the data directory and a secret key that is
generated once and kept there. Outside development a missing secret refuses to start.
"""

from __future__ import annotations

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

    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are trusted: comma-separated addresses or networks
    # (uvicorn's --forwarded-allow-ips). Empty: none, the client address is the connection's.
    forwarded_allow_ips: str = ""

    @model_validator(mode="after")
    def _derive(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'dialoog.db').as_posix()}"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

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
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL came in."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
