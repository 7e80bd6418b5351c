"""The statements: ``/toegankelijkheidsverklaring``, ``/privacy`` and ``/contact``.

Dialoog ships a text for each, in Dutch and English (Markdown files in ``app/templates/sitepages/defaults``). An
admin may replace a text per language (``SitePage`` rows); "reset to default" deletes the row, so the shipped text
shows again. Texts may name the installation's details as placeholders (``{organisatie}``, ``{e-mail}``, ...), filled
in from the settings when the page is shown, so a changed setting shows everywhere at once.

A page in English without an English text of the admin's, but with a Dutch one, shows the Dutch text (marked as
Dutch): what the admin wrote outranks the shipped translation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from app.audit.service import record
from app.config import get_settings
from app.kit import clock
from app.kit.errors import NotFound, invalid
from app.kit.i18n import SUPPORTED_LOCALES
from app.kit.i18n import gettext as _
from app.kit.markdown import render_markdown
from app.models import SitePage, User
from app.policy import Action, Principal, authorize

_TAG = re.compile(r"<[^>]*>")
DEFAULTS_DIR = Path(__file__).resolve().parent.parent / "templates" / "sitepages" / "defaults"
DEFAULT_LOCALE = "nl"
MAX_BODY = 30_000  # characters of Markdown: a long statement is about 8,000
SLUGS = ("toegankelijkheidsverklaring", "privacy", "contact")
# The page's title per language (the admin edits the text below it, not the title).
TITLES: dict[str, dict[str, str]] = {
    "toegankelijkheidsverklaring": {"nl": "Toegankelijkheidsverklaring", "en": "Accessibility statement"},
    "privacy": {"nl": "Privacyverklaring", "en": "Privacy statement"},
    "contact": {"nl": "Contact", "en": "Contact"},
}


@dataclass(frozen=True)
class Identity:
    """Who runs this installation: from the settings (``DIALOOG_ORGANISATION_NAME``, ``DIALOOG_LOGO_URL``, ...)."""

    organisation: str
    short_name: str
    logo_url: str
    email: str
    phone: str
    address: str
    privacy_email: str
    url: str


def identity() -> Identity:
    settings = get_settings()
    return Identity(
        organisation=settings.organisation_name,
        short_name=settings.organisation_short_name or settings.organisation_name,
        logo_url=settings.logo_url,
        email=settings.contact_email,
        phone=settings.contact_phone,
        address=settings.contact_address,
        privacy_email=settings.privacy_email or settings.contact_email,
        url=settings.base_url.rstrip("/"),
    )


def placeholders(who: Identity) -> dict[str, str]:
    """What a text may name in braces, and its value."""
    return {
        "organisatie": who.organisation,
        "afkorting": who.short_name,
        "website": who.url,
        "e-mail": who.email,
        "telefoon": who.phone or "-",
        "adres": who.address or "-",
        "privacy-e-mail": who.privacy_email,
    }


def fill(text: str, who: Identity) -> str:
    for name, value in placeholders(who).items():
        text = text.replace("{" + name + "}", value)
    return text


@lru_cache(maxsize=16)
def default_text(slug: str, locale: str) -> str:
    """The shipped Markdown of a page in a language (Dutch when there is no translation)."""
    path = DEFAULTS_DIR / f"{slug}.{locale}.md"
    if not path.exists():
        path = DEFAULTS_DIR / f"{slug}.{DEFAULT_LOCALE}.md"
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=64)
def _html(markdown: str) -> str:
    return render_markdown(markdown, heading_offset=0)


def _check_slug(slug: str) -> None:
    if slug not in SLUGS:
        raise NotFound("No such page.")


def _check_locale(locale: str) -> None:
    if locale not in SUPPORTED_LOCALES:
        raise NotFound("No such language.")


def _stored(db: Session, slug: str, locale: str) -> SitePage | None:
    return db.exec(select(SitePage).where(SitePage.slug == slug, SitePage.locale == locale)).first()


@dataclass(frozen=True)
class ShownPage:
    slug: str
    title: str
    html: str  # sanitised
    lang: str  # the language of the text (may differ from the interface's)
    updated_at: datetime | None  # None: the shipped text


def shown_page(db: Session, slug: str, locale: str) -> ShownPage:
    """A statement as the public reads it, in ``locale`` (see the module's docstring for the language rule).
    One query."""
    _check_slug(slug)
    locale = locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE
    rows = {
        row.locale: row
        for row in db.exec(
            select(SitePage).where(SitePage.slug == slug, col(SitePage.locale).in_({locale, DEFAULT_LOCALE}))
        ).all()
    }
    row = rows.get(locale) or rows.get(DEFAULT_LOCALE)
    text = row.body if row else default_text(slug, locale)
    lang = row.locale if row else (locale if (DEFAULTS_DIR / f"{slug}.{locale}.md").exists() else DEFAULT_LOCALE)
    return ShownPage(
        slug=slug,
        title=TITLES[slug].get(locale, TITLES[slug][DEFAULT_LOCALE]),
        html=_html(fill(text, identity())),
        lang=lang,
        updated_at=row.updated_at if row else None,
    )


# --- admins ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageRow:
    slug: str
    locale: str
    title: str
    row: SitePage | None  # None: the shipped text shows
    by: User | None


def admin_list(db: Session, principal: Principal) -> list[PageRow]:
    """Every page in every language, with whether an admin changed it and who last did. Two queries."""
    authorize(principal, Action.edit_site_pages)
    rows = {(r.slug, r.locale): r for r in db.exec(select(SitePage)).all()}
    user_ids = {r.updated_by_id for r in rows.values() if r.updated_by_id}
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()} if user_ids else {}
    out = []
    for slug in SLUGS:
        for locale in SUPPORTED_LOCALES:
            row = rows.get((slug, locale))
            out.append(
                PageRow(
                    slug=slug,
                    locale=locale,
                    title=TITLES[slug].get(locale, slug),
                    row=row,
                    by=users.get(row.updated_by_id) if row and row.updated_by_id else None,
                )
            )
    return out


@dataclass(frozen=True)
class EditPage:
    slug: str
    locale: str
    title: str
    body: str  # what the textarea shows: the admin's text, else the shipped one
    customised: bool
    updated_at: datetime | None
    placeholders: dict[str, str]


def edit_page(db: Session, principal: Principal, slug: str, locale: str) -> EditPage:
    authorize(principal, Action.edit_site_pages)
    _check_slug(slug)
    _check_locale(locale)
    row = _stored(db, slug, locale)
    return EditPage(
        slug=slug,
        locale=locale,
        title=TITLES[slug].get(locale, slug),
        body=row.body if row else default_text(slug, locale),
        customised=row is not None,
        updated_at=row.updated_at if row else None,
        placeholders=placeholders(identity()),
    )


def _clean(body: str) -> str:
    """Line ends as \\n, no trailing spaces at the end, no NUL (the middleware refuses those already)."""
    return body.replace("\r\n", "\n").replace("\r", "\n").strip()


def save(db: Session, principal: Principal, slug: str, locale: str, body: str, *, actor: User) -> SitePage:
    """An admin's text for a page in a language; an audit event with the text before and after."""
    authorize(principal, Action.edit_site_pages)
    _check_slug(slug)
    _check_locale(locale)
    text = _clean(body)
    if not text:
        raise invalid({"body": _("Vul de tekst in, of zet de standaardtekst terug.")})
    if len(text) > MAX_BODY:
        raise invalid({"body": _("De tekst is te lang: %(n)s tekens, ten hoogste %(max)s.", n=len(text), max=MAX_BODY)})
    if not _TAG.sub("", render_markdown(text)).strip():
        raise invalid({"body": _("Deze tekst houdt niets over om te tonen. Schrijf gewone tekst in Markdown.")})
    row = _stored(db, slug, locale)
    before = row.body if row else None
    if row is None:
        row = SitePage(slug=slug, locale=locale, body=text)
    row.body = text
    row.updated_by_id = actor.id
    row.updated_at = clock.now()
    db.add(row)
    db.flush()
    record(
        db,
        action="site_page.updated",
        entity_type="site_page",
        entity_id=f"{slug}.{locale}",
        actor=actor,
        summary=f"Tekst van '{TITLES[slug][DEFAULT_LOCALE]}' ({locale}) gewijzigd",
        before={"body": before, "default": before is None},
        after={"body": text},
    )
    return row


def reset(db: Session, principal: Principal, slug: str, locale: str, *, actor: User) -> bool:
    """Back to the shipped text: the admin's row goes (its text stays in the audit trail). False: it was shipped."""
    authorize(principal, Action.edit_site_pages)
    _check_slug(slug)
    _check_locale(locale)
    row = _stored(db, slug, locale)
    if row is None:
        return False
    record(
        db,
        action="site_page.reset",
        entity_type="site_page",
        entity_id=f"{slug}.{locale}",
        actor=actor,
        summary=f"Standaardtekst van '{TITLES[slug][DEFAULT_LOCALE]}' ({locale}) teruggezet",
        before={"body": row.body},
        after={"default": True},
    )
    db.delete(row)
    db.flush()
    return True
