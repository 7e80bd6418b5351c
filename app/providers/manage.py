"""Managing the organisations (SDFL only): providers with their contact persons and attributes, municipalities and
care forms. Create, update, archive (out of the lists and out of the selection for new invitations, history kept)
and delete (only while nothing depends on the record; else 409 with the reason: archive instead).

Every function checks everything before it changes anything, raises ``ValidationFailed`` with field errors (422)
or ``Conflict`` (409: a slug, name, code or key taken; a delete with history) and writes an audit event. The
actor is the admin who acts (``None``: the system itself, the command line or the demo seeder).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, func, select

from app.accounts.service import UserInput, create_user
from app.audit.service import record
from app.kit import clock
from app.kit.errors import N_, Conflict, NotFound, ValidationFailed
from app.kit.i18n import gettext as _
from app.models import (
    TARGET_GROUPS,
    Attendance,
    CareForm,
    Comment,
    CriterionAssessment,
    Dialogue,
    Invitation,
    Municipality,
    Position,
    Provider,
    ProviderMunicipality,
    ProviderSize,
    Role,
    SubgroupAssignment,
    User,
    is_valid_id,
)
from app.policy import Action, Principal, authorize

MAX_NAME = 200
MAX_SLUG = 100
MAX_WEBSITE = 300
MAX_DESCRIPTION = 10_000
MAX_MUNICIPALITY_NAME = 100
MAX_CARE_FORM_KEY = 60
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[0-9]{4}$")
SIZE_LABELS: dict[str, str] = {
    ProviderSize.small: N_("Klein"),
    ProviderSize.medium: N_("Middelgroot"),
    ProviderSize.large: N_("Groot"),
}


def slugify(text: str, *, limit: int = MAX_SLUG) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def authorize_actor(actor: User | None) -> None:
    """Only admins manage organisations; ``None`` is the system itself (command line, demo)."""
    if actor is not None:
        authorize(Principal(user=actor), Action.manage)


def _invalid(errors: dict[str, str]) -> ValidationFailed:
    return ValidationFailed(
        next(iter(errors.values())), user_message=True, errors=[{"field": f, "message": m} for f, m in errors.items()]
    )


def _taken(field_name: str, message: str) -> Conflict:
    return Conflict(message, errors=[{"field": field_name, "message": message}], user_message=True)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: after[k] for k in after if after[k] != before.get(k)}


# --- providers ----------------------------------------------------------------------------------


@dataclass
class ProviderInput:
    """What a form, the API or an import row gives; ``None``: leave as it is (on update)."""

    name: str | None = None
    slug: str | None = None
    size: str | None = None
    tags: list[str] | None = None
    municipalities: list[str] | None = None  # CBS codes of the contracted municipalities
    active_outside_flevoland: bool | None = None
    website: str | None = None
    description: str | None = None


def provider_snapshot(session: Session, provider: Provider) -> dict[str, Any]:
    return {
        "name": provider.name,
        "slug": provider.slug,
        "size": provider.size,
        "tags": list(provider.tags or []),
        "municipalities": contracted_codes(session, provider),
        "active_outside_flevoland": provider.active_outside_flevoland,
        "website": provider.website,
        "description": provider.description,
        "archived": provider.archived_at is not None,
    }


def contracted_codes(session: Session, provider: Provider) -> list[str]:
    if provider.id is None:
        return []
    return list(
        session.exec(
            select(Municipality.code)
            .join(ProviderMunicipality, col(ProviderMunicipality.municipality_id) == Municipality.id)
            .where(ProviderMunicipality.provider_id == provider.id)
            .order_by(Municipality.code)
        ).all()
    )


def municipalities_by_code_or_name(session: Session) -> dict[str, Municipality]:
    """Every municipality under its code and under its lower-cased name (the import accepts either)."""
    out: dict[str, Municipality] = {}
    for m in session.exec(select(Municipality)).all():
        out[m.code] = m
        out[m.name.strip().lower()] = m
    return out


def check_website(value: str) -> str | None:
    """The website as stored, or ``None`` when it is not a web address."""
    value = value.strip()
    if not value:
        return ""
    if len(value) > MAX_WEBSITE or any(c.isspace() for c in value):
        return None
    if not re.match(r"^https?://[^/\s.]+\.[^\s]+$", value, re.IGNORECASE):
        if re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", value, re.IGNORECASE):
            return "https://" + value
        return None
    return value


def _provider_by(session: Session, *, name: str | None = None, slug: str | None = None) -> Provider | None:
    if name is not None:
        return session.exec(select(Provider).where(func.lower(Provider.name) == name.strip().lower())).first()
    return session.exec(select(Provider).where(Provider.slug == slug)).first()


def _free_slug(session: Session, base: str, *, except_id: int | None) -> str:
    slug, n = base, 2
    while (found := _provider_by(session, slug=slug)) is not None and found.id != except_id:
        suffix = f"-{n}"
        slug = base[: MAX_SLUG - len(suffix)] + suffix
        n += 1
    return slug


@dataclass
class _CheckedProvider:
    values: dict[str, Any] = field(default_factory=dict)
    municipality_ids: list[int] | None = None


def _check_provider(
    session: Session, data: ProviderInput, *, provider: Provider | None, known_codes: set[str] | None = None
) -> _CheckedProvider:
    """The values to set, checked; raises with every field error at once (409 for a name or slug taken)."""
    errors: dict[str, str] = {}
    out = _CheckedProvider()
    except_id = provider.id if provider else None
    if data.name is not None or provider is None:
        name = " ".join((data.name or "").split())
        if not name:
            errors["name"] = _("Vul de naam van de zorgaanbieder in.")
        elif len(name) > MAX_NAME:
            errors["name"] = _("De naam is te lang (hoogstens %(n)s tekens).", n=MAX_NAME)
        else:
            out.values["name"] = name
    if data.slug is not None and data.slug.strip():
        slug = data.slug.strip().lower()
        if len(slug) > MAX_SLUG or not SLUG_RE.match(slug):
            errors["slug"] = _("Een korte naam bestaat uit kleine letters, cijfers en streepjes (hoogstens 100).")
        else:
            out.values["slug"] = slug
    if data.size is not None or provider is None:
        size = (data.size or ProviderSize.medium).strip().lower()
        if size not in set(ProviderSize):
            errors["size"] = _("Kies de omvang: klein, middelgroot of groot.")
        else:
            out.values["size"] = size
    if data.tags is not None:
        tags = [t.strip().lower() for t in data.tags if t.strip()]
        unknown = [t for t in tags if t not in TARGET_GROUPS]
        if unknown:
            errors["tags"] = _("Onbekende doelgroep of expertise: %(tags)s.", tags=", ".join(unknown))
        else:
            out.values["tags"] = [t for t in TARGET_GROUPS if t in set(tags)]
    if data.municipalities is not None:
        wanted = list(dict.fromkeys(c.strip() for c in data.municipalities if c.strip()))
        found = {m.code: m for m in session.exec(select(Municipality).where(col(Municipality.code).in_(wanted))).all()}
        current = set(contracted_codes(session, provider)) if provider else set()
        unknown = [c for c in wanted if c not in found]
        archived = [c for c in wanted if c in found and found[c].archived_at is not None and c not in current]
        if unknown:
            errors["municipalities"] = _("Onbekende gemeente: %(codes)s.", codes=", ".join(unknown))
        elif archived:
            errors["municipalities"] = _("Gearchiveerde gemeente: %(codes)s.", codes=", ".join(archived))
        else:
            out.municipality_ids = [found[c].id or 0 for c in wanted]
    if data.active_outside_flevoland is not None:
        out.values["active_outside_flevoland"] = bool(data.active_outside_flevoland)
    if data.website is not None:
        website = check_website(data.website)
        if website is None:
            errors["website"] = _("Vul een webadres in, zoals https://www.voorbeeld.nl.")
        else:
            out.values["website"] = website
    if data.description is not None:
        description = data.description.strip()
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = _("De beschrijving is te lang (hoogstens %(n)s tekens).", n=MAX_DESCRIPTION)
        else:
            out.values["description"] = description
    if errors:
        raise _invalid(errors)
    if "name" in out.values:
        same = _provider_by(session, name=out.values["name"])
        if same is not None and same.id != except_id:
            raise _taken("name", _("Er bestaat al een zorgaanbieder met deze naam."))
    if "slug" in out.values:
        same = _provider_by(session, slug=out.values["slug"])
        if same is not None and same.id != except_id:
            raise _taken("slug", _("Deze korte naam is al in gebruik."))
    elif provider is None:
        base = slugify(out.values["name"]) or "aanbieder"
        out.values["slug"] = _free_slug(session, base, except_id=None)
    return out


def _set_municipalities(session: Session, provider: Provider, municipality_ids: list[int]) -> None:
    existing = {
        link.municipality_id: link
        for link in session.exec(
            select(ProviderMunicipality).where(ProviderMunicipality.provider_id == provider.id)
        ).all()
    }
    for mid, link in existing.items():
        if mid not in municipality_ids:
            session.delete(link)
    for mid in municipality_ids:
        if mid not in existing:
            session.add(ProviderMunicipality(provider_id=provider.id or 0, municipality_id=mid))
    session.flush()


def create_provider(session: Session, data: ProviderInput, *, actor: User | None) -> Provider:
    authorize_actor(actor)
    checked = _check_provider(session, data, provider=None)
    now = clock.now()
    provider = Provider(**checked.values, created_at=now, updated_at=now)
    session.add(provider)
    session.flush()
    if checked.municipality_ids:
        _set_municipalities(session, provider, checked.municipality_ids)
    record(
        session,
        action="provider.created",
        entity_type="provider",
        entity_id=provider.id,
        actor=actor,
        summary=f"Zorgaanbieder {provider.name} aangemaakt",
        after=provider_snapshot(session, provider),
    )
    return provider


def update_provider(session: Session, provider: Provider, data: ProviderInput, *, actor: User | None) -> Provider:
    authorize_actor(actor)
    checked = _check_provider(session, data, provider=provider)
    before = provider_snapshot(session, provider)
    for key, value in checked.values.items():
        setattr(provider, key, value)
    if checked.municipality_ids is not None:
        _set_municipalities(session, provider, checked.municipality_ids)
    after = provider_snapshot(session, provider)
    changed = _changes(before, after)
    if not changed:
        return provider
    provider.updated_at = clock.now()
    session.add(provider)
    session.flush()
    record(
        session,
        action="provider.updated",
        entity_type="provider",
        entity_id=provider.id,
        actor=actor,
        summary=f"Zorgaanbieder {provider.name} gewijzigd: {', '.join(changed)}",
        before={k: before[k] for k in changed},
        after=changed,
    )
    return provider


def archive_provider(session: Session, provider: Provider, *, archived: bool, actor: User | None) -> Provider:
    """Archive (out of the lists and of new invitations; history and sign-in of its users stay) or restore."""
    authorize_actor(actor)
    if (provider.archived_at is not None) == archived:
        return provider
    provider.archived_at = clock.now() if archived else None
    provider.updated_at = clock.now()
    session.add(provider)
    session.flush()
    record(
        session,
        action="provider.archived" if archived else "provider.restored",
        entity_type="provider",
        entity_id=provider.id,
        actor=actor,
        summary=f"Zorgaanbieder {provider.name} {'gearchiveerd' if archived else 'teruggezet'}",
    )
    return provider


def _count(session: Session, model: Any, column: Any, value: int) -> int:
    return int(session.exec(select(func.count()).select_from(model).where(column == value)).one())


def provider_history(session: Session, provider: Provider) -> list[str]:
    """What depends on the provider (Dutch, for the 409): empty when it may be deleted."""
    pid = provider.id or 0
    checks = [
        (Invitation, Invitation.provider_id, _("uitnodigingen")),
        (Comment, Comment.provider_id, _("reacties")),
        (User, User.provider_id, _("gebruikers (contactpersonen)")),
        (Attendance, Attendance.provider_id, _("aanwezigheid bij sessies")),
        (SubgroupAssignment, SubgroupAssignment.provider_id, _("indelingen in subgroepen")),
        (CriterionAssessment, CriterionAssessment.provider_id, _("beoordelingen op selectiecriteria")),
    ]
    return [label for model, column, label in checks if _count(session, model, column, pid)]


def delete_provider(session: Session, provider: Provider, *, actor: User | None) -> None:
    authorize_actor(actor)
    history = provider_history(session, provider)
    if history:
        raise Conflict(
            _(
                "De zorgaanbieder heeft %(what)s; archiveer de aanbieder in plaats van hem te verwijderen.",
                what=", ".join(history),
            ),
            user_message=True,
        )
    before = provider_snapshot(session, provider)
    for link in session.exec(select(ProviderMunicipality).where(ProviderMunicipality.provider_id == provider.id)):
        session.delete(link)
    session.flush()
    session.delete(provider)
    session.flush()
    record(
        session,
        action="provider.deleted",
        entity_type="provider",
        entity_id=provider.id,
        actor=actor,
        summary=f"Zorgaanbieder {provider.name} verwijderd",
        before=before,
    )


# --- contact persons ------------------------------------------------------------------------------


def contacts(session: Session, provider: Provider) -> list[User]:
    """The provider's users (active and deactivated), by name."""
    return list(session.exec(select(User).where(User.provider_id == provider.id).order_by(User.name, User.email)).all())


def add_contact(
    session: Session, provider: Provider, *, name: str, email: str, actor: User | None, invite: bool = True
) -> User:
    """A contact person: a user with role provider for this provider; ``invite`` mails the set-password link."""
    authorize_actor(actor)
    name = " ".join((name or "").split())
    if not name:
        raise _invalid({"contact_name": _("Vul de naam van de contactpersoon in.")})
    if len(name) > MAX_NAME:
        raise _invalid({"contact_name": _("De naam is te lang (hoogstens %(n)s tekens).", n=MAX_NAME)})
    try:
        return create_user(
            session,
            UserInput(email=email, name=name, role=Role.provider, provider_id=provider.id),
            actor=actor,
            invite=invite,
        )
    except (ValidationFailed, Conflict) as exc:
        exc.errors = [{**e, "field": "contact_email" if e["field"] == "email" else e["field"]} for e in exc.errors]
        raise


# --- municipalities -------------------------------------------------------------------------------


@dataclass
class MunicipalityInput:
    code: str | None = None
    name: str | None = None
    in_procurement: bool | None = None


def municipality_snapshot(m: Municipality) -> dict[str, Any]:
    return {"code": m.code, "name": m.name, "in_procurement": m.in_procurement, "archived": m.archived_at is not None}


def _check_municipality(
    session: Session, data: MunicipalityInput, *, municipality: Municipality | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if data.code is not None or municipality is None:
        code = (data.code or "").strip()
        if not CODE_RE.match(code):
            errors["code"] = _("De CBS-code bestaat uit vier cijfers, zoals 0034.")
        else:
            values["code"] = code
    if data.name is not None or municipality is None:
        name = " ".join((data.name or "").split())
        if not name:
            errors["name"] = _("Vul de naam van de gemeente in.")
        elif len(name) > MAX_MUNICIPALITY_NAME:
            errors["name"] = _("De naam is te lang (hoogstens %(n)s tekens).", n=MAX_MUNICIPALITY_NAME)
        else:
            values["name"] = name
    if data.in_procurement is not None:
        values["in_procurement"] = bool(data.in_procurement)
    if errors:
        raise _invalid(errors)
    except_id = municipality.id if municipality else None
    if "code" in values:
        same = session.exec(select(Municipality).where(Municipality.code == values["code"])).first()
        if same is not None and same.id != except_id:
            raise _taken("code", _("Er bestaat al een gemeente met deze CBS-code."))
    if "name" in values:
        same = session.exec(select(Municipality).where(func.lower(Municipality.name) == values["name"].lower())).first()
        if same is not None and same.id != except_id:
            raise _taken("name", _("Er bestaat al een gemeente met deze naam."))
    return values


def create_municipality(session: Session, data: MunicipalityInput, *, actor: User | None) -> Municipality:
    authorize_actor(actor)
    values = _check_municipality(session, data, municipality=None)
    municipality = Municipality(**values)
    session.add(municipality)
    session.flush()
    record(
        session,
        action="municipality.created",
        entity_type="municipality",
        entity_id=municipality.id,
        actor=actor,
        summary=f"Gemeente {municipality.name} aangemaakt",
        after=municipality_snapshot(municipality),
    )
    return municipality


def update_municipality(
    session: Session, municipality: Municipality, data: MunicipalityInput, *, actor: User | None
) -> Municipality:
    authorize_actor(actor)
    values = _check_municipality(session, data, municipality=municipality)
    before = municipality_snapshot(municipality)
    for key, value in values.items():
        setattr(municipality, key, value)
    changed = _changes(before, municipality_snapshot(municipality))
    if changed:
        municipality.updated_at = clock.now()
        session.add(municipality)
        session.flush()
        record(
            session,
            action="municipality.updated",
            entity_type="municipality",
            entity_id=municipality.id,
            actor=actor,
            summary=f"Gemeente {municipality.name} gewijzigd: {', '.join(changed)}",
            before={k: before[k] for k in changed},
            after=changed,
        )
    return municipality


def archive_municipality(
    session: Session, municipality: Municipality, *, archived: bool, actor: User | None
) -> Municipality:
    authorize_actor(actor)
    if (municipality.archived_at is not None) == archived:
        return municipality
    municipality.archived_at = clock.now() if archived else None
    municipality.updated_at = clock.now()
    session.add(municipality)
    session.flush()
    record(
        session,
        action="municipality.archived" if archived else "municipality.restored",
        entity_type="municipality",
        entity_id=municipality.id,
        actor=actor,
        summary=f"Gemeente {municipality.name} {'gearchiveerd' if archived else 'teruggezet'}",
    )
    return municipality


def municipality_history(session: Session, municipality: Municipality) -> list[str]:
    mid = municipality.id or 0
    checks = [
        (User, User.municipality_id, _("gebruikers")),
        (ProviderMunicipality, ProviderMunicipality.municipality_id, _("gecontracteerde zorgaanbieders")),
        (Position, Position.municipality_id, _("standpunten bij reacties")),
    ]
    return [label for model, column, label in checks if _count(session, model, column, mid)]


def delete_municipality(session: Session, municipality: Municipality, *, actor: User | None) -> None:
    authorize_actor(actor)
    history = municipality_history(session, municipality)
    if history:
        raise Conflict(
            _(
                "De gemeente heeft %(what)s; archiveer de gemeente in plaats van haar te verwijderen.",
                what=", ".join(history),
            ),
            user_message=True,
        )
    before = municipality_snapshot(municipality)
    session.delete(municipality)
    session.flush()
    record(
        session,
        action="municipality.deleted",
        entity_type="municipality",
        entity_id=municipality.id,
        actor=actor,
        summary=f"Gemeente {municipality.name} verwijderd",
        before=before,
    )


# --- care forms -----------------------------------------------------------------------------------


@dataclass
class CareFormInput:
    key: str | None = None
    name: str | None = None
    description: str | None = None


def care_form_snapshot(c: CareForm) -> dict[str, Any]:
    return {"key": c.key, "name": c.name, "description": c.description, "archived": c.archived_at is not None}


def _check_care_form(session: Session, data: CareFormInput, *, care_form: CareForm | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if data.name is not None or care_form is None:
        name = " ".join((data.name or "").split())
        if not name:
            errors["name"] = _("Vul de naam van de zorgvorm in.")
        elif len(name) > MAX_NAME:
            errors["name"] = _("De naam is te lang (hoogstens %(n)s tekens).", n=MAX_NAME)
        else:
            values["name"] = name
    if data.key is not None and data.key.strip():
        key = data.key.strip().lower()
        if len(key) > MAX_CARE_FORM_KEY or not SLUG_RE.match(key):
            errors["key"] = _("Een sleutel bestaat uit kleine letters, cijfers en streepjes (hoogstens 60).")
        else:
            values["key"] = key
    elif care_form is None and "name" in values:
        values["key"] = slugify(values["name"], limit=MAX_CARE_FORM_KEY) or "zorgvorm"
    if data.description is not None:
        description = data.description.strip()
        if len(description) > MAX_DESCRIPTION:
            errors["description"] = _("De beschrijving is te lang (hoogstens %(n)s tekens).", n=MAX_DESCRIPTION)
        else:
            values["description"] = description
    if errors:
        raise _invalid(errors)
    except_id = care_form.id if care_form else None
    if "key" in values:
        same = session.exec(select(CareForm).where(CareForm.key == values["key"])).first()
        if same is not None and same.id != except_id:
            raise _taken("key", _("Deze sleutel is al in gebruik."))
    return values


def create_care_form(session: Session, data: CareFormInput, *, actor: User | None) -> CareForm:
    authorize_actor(actor)
    values = _check_care_form(session, data, care_form=None)
    care_form = CareForm(**values)
    session.add(care_form)
    session.flush()
    record(
        session,
        action="care_form.created",
        entity_type="care_form",
        entity_id=care_form.id,
        actor=actor,
        summary=f"Zorgvorm {care_form.name} aangemaakt",
        after=care_form_snapshot(care_form),
    )
    return care_form


def update_care_form(session: Session, care_form: CareForm, data: CareFormInput, *, actor: User | None) -> CareForm:
    authorize_actor(actor)
    values = _check_care_form(session, data, care_form=care_form)
    before = care_form_snapshot(care_form)
    for key, value in values.items():
        setattr(care_form, key, value)
    changed = _changes(before, care_form_snapshot(care_form))
    if changed:
        care_form.updated_at = clock.now()
        session.add(care_form)
        session.flush()
        record(
            session,
            action="care_form.updated",
            entity_type="care_form",
            entity_id=care_form.id,
            actor=actor,
            summary=f"Zorgvorm {care_form.name} gewijzigd: {', '.join(changed)}",
            before={k: before[k] for k in changed},
            after=changed,
        )
    return care_form


def archive_care_form(session: Session, care_form: CareForm, *, archived: bool, actor: User | None) -> CareForm:
    authorize_actor(actor)
    if (care_form.archived_at is not None) == archived:
        return care_form
    care_form.archived_at = clock.now() if archived else None
    care_form.updated_at = clock.now()
    session.add(care_form)
    session.flush()
    record(
        session,
        action="care_form.archived" if archived else "care_form.restored",
        entity_type="care_form",
        entity_id=care_form.id,
        actor=actor,
        summary=f"Zorgvorm {care_form.name} {'gearchiveerd' if archived else 'teruggezet'}",
    )
    return care_form


def delete_care_form(session: Session, care_form: CareForm, *, actor: User | None) -> None:
    authorize_actor(actor)
    if _count(session, Dialogue, Dialogue.care_form_id, care_form.id or 0):
        raise Conflict(
            _("De zorgvorm hoort bij trajecten; archiveer de zorgvorm in plaats van haar te verwijderen."),
            user_message=True,
        )
    before = care_form_snapshot(care_form)
    session.delete(care_form)
    session.flush()
    record(
        session,
        action="care_form.deleted",
        entity_type="care_form",
        entity_id=care_form.id,
        actor=actor,
        summary=f"Zorgvorm {care_form.name} verwijderd",
        before=before,
    )


def get_care_form(session: Session, care_form_id: int) -> CareForm:
    care_form = session.get(CareForm, care_form_id) if is_valid_id(care_form_id) else None
    if care_form is None:
        raise NotFound(f"Care form {care_form_id} does not exist.")
    return care_form


def list_care_forms(session: Session, *, archived: bool = False) -> list[CareForm]:
    stmt = select(CareForm).order_by(CareForm.name, col(CareForm.id))
    if not archived:
        stmt = stmt.where(col(CareForm.archived_at).is_(None))
    return list(session.exec(stmt).all())
