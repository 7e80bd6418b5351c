"""Importing providers and their contact persons from a CSV file (SDFL only).

One row per contact person: ``naam`` (name), ``website``, ``omvang`` (size: klein|middelgroot|groot or
small|medium|large), ``doelgroepen`` (tags: slugs or labels of ``TARGET_GROUPS``, separated by ``;`` or ``|``),
``gemeenten`` (municipalities: names or CBS codes, separated the same way), ``buiten_flevoland`` (ja/nee),
``beschrijving`` (description), ``contact_naam`` and ``contact_email``; the English column names work too. Rows
with the same provider name form one provider with several contacts; a provider that exists (by name or by the
slug of the name) is updated, not duplicated; an empty cell leaves an existing provider's attribute as it is.

Everything is checked first (``check_import``): one bad row and nothing is imported; ``ImportRejected`` lists
every bad row with its line number. ``apply_import`` then makes the changes through ``app.providers.manage``
(each audited) and creates the contacts through ``app.accounts.service.create_user`` (with the set-password mail
through the outbox when ``invite``). The file is UTF-8 (with or without BOM), separated by ``;`` or ``,``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, cast

from sqlmodel import Session, select

from app.accounts.service import normalise_email
from app.audit.service import record
from app.kit.errors import ValidationFailed
from app.kit.i18n import gettext as _
from app.models import TARGET_GROUPS, Provider, ProviderSize, User
from app.providers import manage

MAX_BYTES = 1_000_000
MAX_ROWS = 2_000

COLUMNS: dict[str, str] = {
    "naam": "name",
    "name": "name",
    "aanbieder": "name",
    "website": "website",
    "omvang": "size",
    "size": "size",
    "doelgroepen": "tags",
    "tags": "tags",
    "gemeenten": "municipalities",
    "municipalities": "municipalities",
    "buiten_flevoland": "outside",
    "active_outside_flevoland": "outside",
    "beschrijving": "description",
    "description": "description",
    "contact_naam": "contact_name",
    "contact_name": "contact_name",
    "contact_email": "contact_email",
    "contact_e-mail": "contact_email",
}
SIZES: dict[str, str] = {
    "klein": ProviderSize.small,
    "small": ProviderSize.small,
    "middelgroot": ProviderSize.medium,
    "middel": ProviderSize.medium,
    "medium": ProviderSize.medium,
    "groot": ProviderSize.large,
    "large": ProviderSize.large,
}
YES = {"ja", "j", "yes", "y", "true", "1", "waar"}
NO = {"nee", "n", "no", "false", "0", "onwaar"}
TAGS_BY_LABEL: dict[str, str] = {
    **{label.lower(): slug for slug, label in TARGET_GROUPS.items()},
    **{slug: slug for slug in TARGET_GROUPS},
}
_LIST_SPLIT = re.compile(r"[;|]")


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    field: str
    message: str

    def as_problem(self) -> dict[str, str]:
        where = f"line {self.line}" if self.line else "file"
        return cast(dict[str, str], {"field": f"{where}: {self.field}", "line": self.line, "message": self.message})


class ImportRejected(ValidationFailed):
    """Nothing was imported: ``rows`` says what is wrong where."""

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(
            _("Het bestand is niet geïmporteerd: %(n)s fout(en). Er is niets veranderd.", n=len(rows)),
            errors=[r.as_problem() for r in rows],
            user_message=True,
        )
        self.rows = rows


@dataclass
class PlannedContact:
    line: int
    name: str
    email: str


@dataclass
class PlannedProvider:
    line: int
    name: str
    existing: Provider | None
    data: manage.ProviderInput
    contacts: list[PlannedContact] = field(default_factory=list)
    known_contacts: int = 0  # rows whose contact already is a user of this provider


@dataclass
class ImportPlan:
    providers: list[PlannedProvider]

    @property
    def new_providers(self) -> int:
        return sum(1 for p in self.providers if p.existing is None)

    @property
    def updated_providers(self) -> int:
        return sum(1 for p in self.providers if p.existing is not None)

    @property
    def new_contacts(self) -> int:
        return sum(len(p.contacts) for p in self.providers)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    contacts: int


def _split(value: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(value) if part.strip()]


def read_rows(content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The rows of the file as (line number, canonical column -> cell); raises ``ImportRejected`` when the file
    itself cannot be read (too large, not UTF-8, no name column, too many rows)."""
    if len(content) > MAX_BYTES:
        raise ImportRejected([RowError(0, "file", _("Het bestand is groter dan %(n)s MB.", n=MAX_BYTES // 1_000_000))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            [RowError(0, "file", _("Het bestand is geen UTF-8-tekst. Sla het op als CSV UTF-8."))]
        ) from None
    if "\x00" in text:
        raise ImportRejected([RowError(0, "file", _("Het bestand bevat een ongeldig teken (NUL)."))])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    if not header or not any(h.strip() for h in header):
        raise ImportRejected([RowError(1, "file", _("Het bestand is leeg of heeft geen kopregel."))])
    columns = [COLUMNS.get(h.strip().lower().replace(" ", "_")) for h in header]
    if "name" not in columns:
        raise ImportRejected([RowError(1, "naam", _("De kolom ‘naam’ ontbreekt in de kopregel."))])
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportRejected([RowError(0, "file", _("Het bestand heeft meer dan %(n)s regels.", n=MAX_ROWS))])
            row: dict[str, str] = {}
            for column, cell in zip(columns, cells, strict=False):
                if column is not None:
                    row[column] = cell.strip()
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ImportRejected(
            [RowError(reader.line_num, "file", _("De regel is geen geldige CSV (%(e)s).", e=exc))]
        ) from None
    return rows


def _valid_email(email: str) -> bool:
    local, _at, domain = email.partition("@")
    return bool(local) and "." in domain and len(email) <= 320 and not any(c.isspace() for c in email)


def check_import(session: Session, content: bytes) -> ImportPlan:
    """Read and check the whole file against the database; returns what importing would do."""
    rows = read_rows(content)
    errors: list[RowError] = []
    if not rows:
        raise ImportRejected([RowError(0, "file", _("Het bestand bevat geen regels onder de kopregel."))])
    municipalities = manage.municipalities_by_code_or_name(session)
    providers = list(session.exec(select(Provider)).all())
    by_name = {p.name.strip().lower(): p for p in providers}
    by_slug = {p.slug: p for p in providers}
    users = {u.email: u for u in session.exec(select(User)).all()}
    planned: dict[str, PlannedProvider] = {}
    seen_values: dict[tuple[str, str], tuple[int, str]] = {}
    emails_in_file: dict[str, tuple[int, str]] = {}

    for line, row in rows:
        name = " ".join(row.get("name", "").split())
        if not name:
            errors.append(RowError(line, "naam", _("De naam van de zorgaanbieder ontbreekt.")))
            continue
        if len(name) > manage.MAX_NAME:
            errors.append(RowError(line, "naam", _("De naam is te lang (hoogstens %(n)s tekens).", n=manage.MAX_NAME)))
            continue
        key = name.lower()
        existing = by_name.get(key) or by_slug.get(manage.slugify(name))
        plan = planned.get(key)
        if plan is None:
            plan = planned[key] = PlannedProvider(line=line, name=name, existing=existing, data=manage.ProviderInput())
            if existing is None:
                plan.data.name = name
        values: dict[str, Any] = {}
        if size := row.get("size", ""):
            if size.lower() not in SIZES:
                errors.append(
                    RowError(line, "omvang", _("Onbekende omvang ‘%(v)s’: klein, middelgroot of groot.", v=size))
                )
            else:
                values["size"] = SIZES[size.lower()]
        if tags_cell := row.get("tags", ""):
            tags = _split(tags_cell)
            unknown = [t for t in tags if t.lower() not in TAGS_BY_LABEL]
            if unknown:
                errors.append(RowError(line, "doelgroepen", _("Onbekende doelgroep: %(v)s.", v=", ".join(unknown))))
            else:
                values["tags"] = sorted({TAGS_BY_LABEL[t.lower()] for t in tags})
        if municipalities_cell := row.get("municipalities", ""):
            wanted = _split(municipalities_cell)
            unknown = [m for m in wanted if (municipalities.get(m) or municipalities.get(m.lower())) is None]
            if unknown:
                errors.append(RowError(line, "gemeenten", _("Onbekende gemeente: %(v)s.", v=", ".join(unknown))))
            else:
                found = [municipalities.get(m) or municipalities[m.lower()] for m in wanted]
                archived = [m.name for m in found if m.archived_at is not None]
                if archived:
                    errors.append(
                        RowError(line, "gemeenten", _("Gearchiveerde gemeente: %(v)s.", v=", ".join(archived)))
                    )
                else:
                    values["municipalities"] = sorted({m.code for m in found})
        if outside := row.get("outside", ""):
            if outside.lower() in YES:
                values["active_outside_flevoland"] = True
            elif outside.lower() in NO:
                values["active_outside_flevoland"] = False
            else:
                errors.append(RowError(line, "buiten_flevoland", _("Vul ‘ja’ of ‘nee’ in, niet ‘%(v)s’.", v=outside)))
        if website_cell := row.get("website", ""):
            website = manage.check_website(website_cell)
            if website is None:
                errors.append(RowError(line, "website", _("Ongeldig webadres ‘%(v)s’.", v=website_cell[:100])))
            else:
                values["website"] = website
        if description := row.get("description", ""):
            if len(description) > manage.MAX_DESCRIPTION:
                errors.append(RowError(line, "beschrijving", _("De beschrijving is te lang.")))
            else:
                values["description"] = description
        for attribute, value in values.items():
            first = seen_values.get((key, attribute))
            if first is not None and first[1] != repr(value):
                errors.append(
                    RowError(
                        line,
                        attribute,
                        _("Wijkt af van regel %(first)s voor dezelfde zorgaanbieder.", first=first[0]),
                    )
                )
                continue
            seen_values[(key, attribute)] = (line, repr(value))
            setattr(plan.data, attribute, value)

        contact_name = " ".join(row.get("contact_name", "").split())
        contact_email = normalise_email(row.get("contact_email", ""))
        if not contact_email:
            if contact_name:
                errors.append(RowError(line, "contact_email", _("Het e-mailadres van de contactpersoon ontbreekt.")))
            continue
        if not _valid_email(contact_email):
            errors.append(RowError(line, "contact_email", _("Ongeldig e-mailadres ‘%(v)s’.", v=contact_email[:100])))
            continue
        if len(contact_name) > manage.MAX_NAME:
            errors.append(
                RowError(line, "contact_naam", _("De naam is te lang (hoogstens %(n)s tekens).", n=manage.MAX_NAME))
            )
            continue
        earlier = emails_in_file.get(contact_email)
        if earlier is not None:
            if earlier[1] != key:
                errors.append(
                    RowError(
                        line,
                        "contact_email",
                        _("Dit e-mailadres staat op regel %(first)s bij een andere zorgaanbieder.", first=earlier[0]),
                    )
                )
            continue
        emails_in_file[contact_email] = (line, key)
        user = users.get(contact_email)
        if user is not None:
            if existing is not None and user.provider_id == existing.id:  # already one of its contacts
                plan.known_contacts += 1
            else:
                errors.append(
                    RowError(
                        line,
                        "contact_email",
                        _("%(v)s is al een gebruiker van een andere organisatie.", v=contact_email),
                    )
                )
            continue
        plan.contacts.append(PlannedContact(line=line, name=contact_name, email=contact_email))

    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return ImportPlan(providers=list(planned.values()))


def apply_import(session: Session, plan: ImportPlan, *, actor: User | None, invite: bool) -> ImportResult:
    """Make the checked changes (each audited); contacts get the set-password mail when ``invite``."""
    manage.authorize_actor(actor)
    contacts = 0
    for item in plan.providers:
        if item.existing is None:
            provider = manage.create_provider(session, item.data, actor=actor)
        else:
            provider = manage.update_provider(session, item.existing, item.data, actor=actor)
        for contact in item.contacts:
            manage.add_contact(
                session, provider, name=contact.name or contact.email, email=contact.email, actor=actor, invite=invite
            )
            contacts += 1
    result = ImportResult(created=plan.new_providers, updated=plan.updated_providers, contacts=contacts)
    record(
        session,
        action="provider.imported",
        entity_type="provider",
        actor=actor,
        summary=(
            f"CSV-import: {result.created} zorgaanbieder(s) aangemaakt, {result.updated} bijgewerkt, "
            f"{result.contacts} contactperso(o)n(en) toegevoegd"
        ),
        after={"created": result.created, "updated": result.updated, "contacts": result.contacts, "invite": invite},
    )
    return result


def import_providers(session: Session, content: bytes, *, actor: User | None, invite: bool) -> ImportResult:
    """Check the whole file, then import it: all or nothing."""
    manage.authorize_actor(actor)
    return apply_import(session, check_import(session, content), actor=actor, invite=invite)
