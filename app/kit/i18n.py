"""Locale selection and translations.

Dutch is the source language: templates and code carry Dutch text in ``_()``, and the English catalog
(``app/locale/en/LC_MESSAGES/messages.po``, kept with Babel: see README) translates it. Catalogs are
read with Babel at start-up, so there is no compile step.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.pofile import read_po

SUPPORTED_LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"
LOCALE_COOKIE = "dialoog_lang"
TIMEZONE = ZoneInfo("Europe/Amsterdam")
_LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current_locale: ContextVar[str] = ContextVar("dialoog_locale", default=DEFAULT_LOCALE)


@lru_cache
def _catalog(locale: str) -> dict[str, str | tuple[str, ...]]:
    path = _LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    out: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        out[key] = tuple(message.string) if isinstance(message.string, tuple | list) else message.string
    return out


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE)


def get_locale() -> str:
    return _current_locale.get()


def pick_locale(requested: str | None, cookie: str | None) -> str:
    for candidate in (requested, cookie):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return DEFAULT_LOCALE


def gettext(message: str, **variables: object) -> str:
    translated = _catalog(get_locale()).get(message, message) if get_locale() != DEFAULT_LOCALE else message
    if isinstance(translated, tuple):
        translated = translated[0]
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Singular or plural form. Templates (Jinja's new-style gettext) fill in the variables themselves,
    so without ``variables`` the text comes back unformatted; Python callers pass them."""
    translated = _catalog(get_locale()).get(singular) if get_locale() != DEFAULT_LOCALE else None
    if isinstance(translated, tuple) and len(translated) >= 2:
        text = translated[0] if n == 1 else translated[1]
    else:
        text = singular if n == 1 else plural
    return text % {"num": n, **variables} if variables else text


_ = gettext


@lru_cache(maxsize=8)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def babel_locale() -> Locale:
    """The request's Babel locale. One object per language: a new one would load its CLDR data again on every
    formatted date (7 % of the proposal page's time in bench/run.py)."""
    return _babel_locale(get_locale())


def fmt_datetime(value: datetime | None, fmt: str = "EEEE d MMMM y, HH:mm") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt, tzinfo=TIMEZONE, locale=babel_locale())


def fmt_date(value: date | datetime | None, fmt: str = "EEEE d MMMM y") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, fmt, tzinfo=TIMEZONE, locale=babel_locale())
    return format_date(value, fmt, locale=babel_locale())


def fmt_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_time(value, "HH:mm", tzinfo=TIMEZONE, locale=babel_locale())


def local_iso(value: datetime | None) -> str:
    """ISO 8601 with the Amsterdam offset, for <time datetime=...>."""
    return value.astimezone(TIMEZONE).isoformat() if value else ""
