"""Administering trajectories: create, change, archive or delete a trajectory with its selection criteria,
frameworks (kaders) and milestones; SDFL's assessment of a provider against a criterion; the warnings an admin
sees (a milestone passed unmet, a dialogue with fewer than 10 or more than 15 accepted providers).

Every write asks ``Action.manage`` and leaves an audit event with the trajectory's state before and after. The
admin pages and the API (``POST/PATCH /api/v1/dialogues``) share these functions and so their validation: one
``invalid`` (422) with a message per field; a slug that is taken is a ``Conflict`` (409).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from app.audit.service import record
from app.dialogues.service import current_dialogue
from app.kit import clock
from app.kit.dates import FIRST_YEAR, LAST_YEAR
from app.kit.errors import Conflict, NotFound, ValidationFailed, invalid
from app.kit.i18n import gettext as _
from app.kit.pagination import PageParams, paginate
from app.models import (
    CareForm,
    CriterionAssessment,
    CriterionBasis,
    Dialogue,
    DialogueKind,
    DialogueSession,
    DialogueStatus,
    Document,
    Framework,
    Invitation,
    InvitationStatus,
    Milestone,
    MilestoneKind,
    Participation,
    Proposal,
    Provider,
    SelectionCriterion,
    id_of,
    is_valid_id,
)
from app.policy import Action, Principal, authorize, can

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED_SLUGS = frozenset({"new"})  # /admin/dialogues/new is the form for a new trajectory
MAX_SLUG = 100
MAX_TITLE = 200
MAX_TEXT = 20_000  # description, selection intro
MAX_CRITERION_TEXT = 5_000
MAX_TENDER_REFERENCE = 100
MAX_URL = 500
MAX_FRAMEWORK_DESCRIPTION = 1_000
MAX_NOTE = 500
MAX_CRITERIA = 30
MAX_FRAMEWORKS = 30
MAX_MILESTONES = 50
# The intensive dialogue is meant for 10 to 15 selected providers (the issue; SDFL's plan).
DIALOGUE_PARTICIPANTS = (10, 15)

KINDS = tuple(k.value for k in DialogueKind)
STATUSES = tuple(s.value for s in DialogueStatus)
BASES = tuple(b.value for b in CriterionBasis)
MILESTONE_KINDS = tuple(k.value for k in MilestoneKind)
PUBLIC_STATUSES = (DialogueStatus.active.value, DialogueStatus.closed.value)


# --- input ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    title: str
    text: str = ""
    basis: str = CriterionBasis.assessment.value
    id: int | None = None  # an existing criterion of the trajectory (keeps SDFL's assessments)


@dataclass(frozen=True)
class FrameworkInput:
    title: str
    url: str = ""
    document_id: int | None = None
    description: str = ""
    id: int | None = None


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    kind: str = MilestoneKind.other.value
    due_at: datetime | None = None
    session_id: int | None = None
    met_at: datetime | None = None
    id: int | None = None
    due_invalid: bool = False  # the field held something that is not a date and time
    met_invalid: bool = False


@dataclass(frozen=True)
class DialogueInput:
    """A trajectory's fields; ``None`` keeps what is stored (a PATCH), lists replace the whole list."""

    slug: str | None = None
    kind: str | None = None
    title: str | None = None
    description: str | None = None
    care_form_id: int | None = None
    care_form_given: bool = False  # care_form_id was given (None then clears it)
    selection_intro: str | None = None
    tender_reference: str | None = None
    status: str | None = None
    criteria: list[CriterionInput] | None = None
    frameworks: list[FrameworkInput] | None = None
    milestones: list[MilestoneInput] | None = None


# --- reading ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogueDetail:
    """A trajectory with everything its administration and its API representation show."""

    dialogue: Dialogue
    care_form: CareForm | None
    criteria: list[SelectionCriterion]
    frameworks: list[Framework]
    milestones: list[Milestone]


def sees_all(principal: Principal) -> bool:
    """Staff (SDFL and the municipalities) see every trajectory; everyone else the active and closed ones."""
    return can(principal, Action.review) or can(principal, Action.view_admin)


def _visible(stmt: Any, principal: Principal) -> Any:
    return stmt if sees_all(principal) else stmt.where(col(Dialogue.status).in_(PUBLIC_STATUSES))


def list_dialogues(session: Session, principal: Principal, params: PageParams) -> tuple[list[DialogueDetail], int]:
    """The trajectories this reader may see, newest first (then by id)."""
    stmt = _visible(select(Dialogue), principal).order_by(col(Dialogue.created_at).desc(), col(Dialogue.id).desc())
    rows, total = paginate(session, stmt, params)
    return details(session, rows), total


def details(session: Session, dialogues: list[Dialogue]) -> list[DialogueDetail]:
    """Each trajectory with its care form, criteria, frameworks and milestones, in four queries."""
    ids = [id_of(d) for d in dialogues]
    if not ids:
        return []
    care_ids = {d.care_form_id for d in dialogues if d.care_form_id}
    care_forms = (
        {c.id: c for c in session.exec(select(CareForm).where(col(CareForm.id).in_(care_ids))).all()}
        if care_ids
        else {}
    )
    criteria = session.exec(
        select(SelectionCriterion)
        .where(col(SelectionCriterion.dialogue_id).in_(ids))
        .order_by(col(SelectionCriterion.position), col(SelectionCriterion.id))
    ).all()
    frameworks = session.exec(
        select(Framework)
        .where(col(Framework.dialogue_id).in_(ids))
        .order_by(col(Framework.position), col(Framework.id))
    ).all()
    milestones = session.exec(
        select(Milestone).where(col(Milestone.dialogue_id).in_(ids)).order_by(col(Milestone.due_at), col(Milestone.id))
    ).all()
    return [
        DialogueDetail(
            dialogue=d,
            care_form=care_forms.get(d.care_form_id) if d.care_form_id else None,
            criteria=[c for c in criteria if c.dialogue_id == d.id],
            frameworks=[f for f in frameworks if f.dialogue_id == d.id],
            milestones=[m for m in milestones if m.dialogue_id == d.id],
        )
        for d in dialogues
    ]


def get_detail(session: Session, principal: Principal, dialogue_id: int) -> DialogueDetail:
    """One trajectory as this reader may see it (a draft or archived one is not found for the public)."""
    dialogue = session.get(Dialogue, dialogue_id) if is_valid_id(dialogue_id) else None
    if dialogue is None or not (sees_all(principal) or dialogue.status in PUBLIC_STATUSES):
        raise NotFound(f"Dialogue {dialogue_id} does not exist.")
    return details(session, [dialogue])[0]


def by_slug(session: Session, principal: Principal, slug: str) -> DialogueDetail:
    """A trajectory for its administration (admins only)."""
    authorize(principal, Action.manage)
    dialogue = session.exec(select(Dialogue).where(Dialogue.slug == slug)).first() if len(slug) <= MAX_SLUG else None
    if dialogue is None:
        raise NotFound(_("Dit traject bestaat niet."), user_message=True)
    return details(session, [dialogue])[0]


def choices(session: Session) -> list[Dialogue]:
    """The trajectories new work can belong to (every one that is not archived), active first, newest first."""
    return list(
        session.exec(
            select(Dialogue)
            .where(Dialogue.status != DialogueStatus.archived)
            .order_by(col(Dialogue.status) != DialogueStatus.active, col(Dialogue.id).desc())
        ).all()
    )


def chosen(session: Session, raw: str, *, field_name: str = "dialogue_id") -> Dialogue:
    """The trajectory a form's select names (an id, or a slug; empty: the current one); a field error when it is
    unknown or archived."""
    raw = raw.strip()
    if not raw:
        return current_dialogue(session)[0]
    dialogue: Dialogue | None = None
    if raw.isascii() and raw.isdigit() and len(raw) <= 10:
        dialogue = session.get(Dialogue, int(raw)) if is_valid_id(int(raw)) else None
    elif raw and len(raw) <= MAX_SLUG:
        dialogue = session.exec(select(Dialogue).where(Dialogue.slug == raw)).first()
    if dialogue is None or dialogue.status == DialogueStatus.archived:
        raise invalid({field_name: _("Kies een traject uit de lijst.")})
    return dialogue


def care_forms(session: Session) -> list[CareForm]:
    return list(session.exec(select(CareForm).order_by(col(CareForm.name), col(CareForm.id))).all())


# --- warnings ---------------------------------------------------------------------------------------------------


def accepted_count(session: Session, dialogue_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.dialogue_id == dialogue_id, Invitation.status == InvitationStatus.accepted)
        ).one()
    )


def warnings(session: Session, detail: DialogueDetail, *, accepted: int | None = None) -> list[str]:
    """What an admin should act on: milestones passed while not met, a dialogue outside 10-15 providers."""
    out: list[str] = []
    if detail.dialogue.status == DialogueStatus.archived:
        return out  # history: nothing to act on
    now = clock.now()
    for m in detail.milestones:
        if m.met_at is None and m.due_at < now:
            out.append(
                _("De mijlpaal \u201c%(title)s\u201d is verstreken maar niet als gehaald gemarkeerd.", title=m.title)
            )
    d = detail.dialogue
    if d.kind == DialogueKind.dialogue and d.status in (DialogueStatus.draft, DialogueStatus.active):
        n = accepted_count(session, id_of(d)) if accepted is None else accepted
        low, high = DIALOGUE_PARTICIPANTS
        if not low <= n <= high:
            out.append(
                _(
                    "Er nemen %(n)s aanbieders deel; voor deze dialoog zijn %(low)s tot %(high)s deelnemers beoogd.",
                    n=n,
                    low=low,
                    high=high,
                )
            )
    return out


@dataclass(frozen=True)
class ListRow:
    detail: DialogueDetail
    warnings: list[str] = field(default_factory=list)


def admin_list(session: Session, principal: Principal) -> list[ListRow]:
    """Every trajectory with its warnings (the admin's overview), active first."""
    authorize(principal, Action.manage)
    dialogues = list(
        session.exec(
            select(Dialogue).order_by(col(Dialogue.status) == DialogueStatus.archived, col(Dialogue.id).desc())
        ).all()
    )
    counts = dict(
        session.exec(
            select(Invitation.dialogue_id, func.count())
            .where(Invitation.status == InvitationStatus.accepted)
            .group_by(col(Invitation.dialogue_id))
        ).all()
    )
    return [
        ListRow(detail=d, warnings=warnings(session, d, accepted=int(counts.get(id_of(d.dialogue), 0))))
        for d in details(session, dialogues)
    ]


# --- snapshots for the audit trail ------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def snapshot(detail: DialogueDetail) -> dict[str, Any]:
    d = detail.dialogue
    return {
        "slug": d.slug,
        "kind": d.kind,
        "title": d.title,
        "description": d.description,
        "care_form_id": d.care_form_id,
        "selection_intro": d.selection_intro,
        "tender_reference": d.tender_reference,
        "status": d.status,
        "criteria": [{"id": c.id, "title": c.title, "text": c.text, "basis": c.basis} for c in detail.criteria],
        "frameworks": [
            {"id": f.id, "title": f.title, "url": f.url, "document_id": f.document_id, "description": f.description}
            for f in detail.frameworks
        ],
        "milestones": [
            {
                "id": m.id,
                "kind": m.kind,
                "title": m.title,
                "due_at": _iso(m.due_at),
                "session_id": m.session_id,
                "met_at": _iso(m.met_at),
            }
            for m in detail.milestones
        ],
    }


def _reload(session: Session, dialogue: Dialogue) -> DialogueDetail:
    session.flush()
    return details(session, [dialogue])[0]


def _audit(
    session: Session, principal: Principal, action: str, before: DialogueDetail | None, after: DialogueDetail | None
) -> None:
    state = after or before
    subject = state.dialogue if state else None
    record(
        session,
        action=action,
        entity_type="dialogue",
        entity_id=subject.id if subject else "",
        actor=principal.user,
        summary=subject.title if subject else "",
        before=snapshot(before) if before else None,
        after=snapshot(after) if after else None,
    )


# --- validation -------------------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _check_text(errors: dict[str, str], name: str, value: str, limit: int, *, required: str = "") -> None:
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = _("Te lang: ten hoogste %(max)s tekens.", max=limit)


def _check_url(errors: dict[str, str], name: str, url: str) -> None:
    if len(url) > MAX_URL:
        errors[name] = _("Te lang: ten hoogste %(max)s tekens.", max=MAX_URL)
    elif url and (not re.match(r"^https?://[^\s/]+", url) or any(ch.isspace() for ch in url)):
        errors[name] = _("Geef een webadres dat begint met https:// of http://.")


def _check_criteria(errors: dict[str, str], items: list[CriterionInput], prefix: str) -> None:
    if len(items) > MAX_CRITERIA:
        errors[prefix.rstrip(".") or "criteria"] = _("Ten hoogste %(max)s criteria.", max=MAX_CRITERIA)
    for i, c in enumerate(items):
        p = f"{prefix}{i}." if prefix else ""
        _check_text(errors, f"{p}title", _clean(c.title), MAX_TITLE, required=_("Geef het criterium een titel."))
        _check_text(errors, f"{p}text", _clean(c.text), MAX_CRITERION_TEXT)
        if c.basis not in BASES:
            errors[f"{p}basis"] = _("Kies waarop de dekking wordt geteld.")


def _check_frameworks(
    session: Session, errors: dict[str, str], dialogue_id: int | None, items: list[FrameworkInput], prefix: str
) -> None:
    if len(items) > MAX_FRAMEWORKS:
        errors[prefix.rstrip(".") or "frameworks"] = _("Ten hoogste %(max)s kaders.", max=MAX_FRAMEWORKS)
    for i, f in enumerate(items):
        p = f"{prefix}{i}." if prefix else ""
        _check_text(errors, f"{p}title", _clean(f.title), MAX_TITLE, required=_("Geef het kader een titel."))
        _check_url(errors, f"{p}url", _clean(f.url))
        _check_text(errors, f"{p}description", _clean(f.description), MAX_FRAMEWORK_DESCRIPTION)
        if f.document_id is not None:
            doc = session.get(Document, f.document_id) if is_valid_id(f.document_id) else None
            if doc is None or doc.dialogue_id != dialogue_id:
                errors[f"{p}document_id"] = _("Kies een stuk van dit traject.")


def _check_milestones(
    session: Session, errors: dict[str, str], dialogue_id: int | None, items: list[MilestoneInput], prefix: str
) -> None:
    if len(items) > MAX_MILESTONES:
        errors[prefix.rstrip(".") or "milestones"] = _("Ten hoogste %(max)s mijlpalen.", max=MAX_MILESTONES)
    for i, m in enumerate(items):
        p = f"{prefix}{i}." if prefix else ""
        _check_text(errors, f"{p}title", _clean(m.title), MAX_TITLE, required=_("Geef de mijlpaal een titel."))
        if m.kind not in MILESTONE_KINDS:
            errors[f"{p}kind"] = _("Kies een soort mijlpaal.")
        if m.due_invalid:
            errors[f"{p}due_at"] = _("Vul een geldige datum en tijd in, bijvoorbeeld 1-12-2026 13:00.")
        elif m.due_at is None:
            errors[f"{p}due_at"] = _("Vul de datum en tijd in.")
        elif not FIRST_YEAR <= m.due_at.year <= LAST_YEAR:
            errors[f"{p}due_at"] = _("Kies een jaar tussen %(first)s en %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        if m.met_at is not None and not FIRST_YEAR <= m.met_at.year <= LAST_YEAR:
            errors[f"{p}met_at"] = _("Kies een jaar tussen %(first)s en %(last)s.", first=FIRST_YEAR, last=LAST_YEAR)
        if m.met_invalid:
            errors[f"{p}met_at"] = _("Vul een geldige datum en tijd in, bijvoorbeeld 1-12-2026 13:00.")
        if m.session_id is not None:
            meeting = session.get(DialogueSession, m.session_id) if is_valid_id(m.session_id) else None
            if meeting is None or meeting.dialogue_id != dialogue_id:
                errors[f"{p}session_id"] = _("Kies een sessie van dit traject.")


def _check_fields(session: Session, data: DialogueInput, current: Dialogue | None, errors: dict[str, str]) -> None:
    if data.slug is not None:
        slug = data.slug.strip()
        if not slug:
            errors["slug"] = _("Geef het traject een korte naam voor het webadres.")
        elif len(slug) > MAX_SLUG:
            errors["slug"] = _("Te lang: ten hoogste %(max)s tekens.", max=MAX_SLUG)
        elif not SLUG_RE.match(slug):
            errors["slug"] = _("Alleen kleine letters, cijfers en streepjes (bijvoorbeeld logeren-2027).")
        elif slug in RESERVED_SLUGS:
            errors["slug"] = _("Deze korte naam is gereserveerd; kies een andere.")
    if data.kind is not None and data.kind not in KINDS:
        errors["kind"] = _("Kies dialoog of consultatie.")
    if data.title is not None:
        _check_text(errors, "title", _clean(data.title), MAX_TITLE, required=_("Geef het traject een titel."))
    if data.description is not None:
        _check_text(errors, "description", _clean(data.description), MAX_TEXT)
    if data.selection_intro is not None:
        _check_text(errors, "selection_intro", _clean(data.selection_intro), MAX_TEXT)
    if data.tender_reference is not None:
        _check_text(errors, "tender_reference", _clean(data.tender_reference), MAX_TENDER_REFERENCE)
    if data.status is not None and data.status not in STATUSES:
        errors["status"] = _("Kies een status.")
    if (
        data.care_form_given
        and data.care_form_id is not None
        and (not is_valid_id(data.care_form_id) or session.get(CareForm, data.care_form_id) is None)
    ):
        errors["care_form_id"] = _("Kies een zorgvorm uit de lijst.")
    dialogue_id = current.id if current else None
    if data.criteria is not None:
        _check_criteria(errors, data.criteria, "criteria.")
        _check_ids(session, errors, SelectionCriterion, data.criteria, dialogue_id, "criteria")
    if data.frameworks is not None:
        _check_frameworks(session, errors, dialogue_id, data.frameworks, "frameworks.")
        _check_ids(session, errors, Framework, data.frameworks, dialogue_id, "frameworks")
    if data.milestones is not None:
        _check_milestones(session, errors, dialogue_id, data.milestones, "milestones.")
        _check_ids(session, errors, Milestone, data.milestones, dialogue_id, "milestones")


def _check_ids(
    session: Session, errors: dict[str, str], model: Any, items: list[Any], dialogue_id: int | None, name: str
) -> None:
    """An item given with an id must be one of this trajectory's (each at most once)."""
    seen: set[int] = set()
    for i, item in enumerate(items):
        if item.id is None:
            continue
        row = session.get(model, item.id) if is_valid_id(item.id) else None
        if row is None or row.dialogue_id != dialogue_id or item.id in seen:
            errors[f"{name}.{i}.id"] = _("Dit onderdeel hoort niet bij dit traject.")
        seen.add(item.id)


def _slug_taken(session: Session, slug: str, except_id: int | None) -> None:
    other = session.exec(select(Dialogue.id).where(Dialogue.slug == slug)).first()
    if other is not None and other != except_id:
        raise Conflict(
            f"The slug {slug!r} is taken by another trajectory.",
            errors=[{"field": "slug", "message": _("Deze korte naam is al in gebruik bij een ander traject.")}],
            user_message=True,
        )


# --- writing ----------------------------------------------------------------------------------------------------


def _apply(dialogue: Dialogue, data: DialogueInput) -> None:
    if data.slug is not None:
        dialogue.slug = data.slug.strip()
    if data.kind is not None:
        dialogue.kind = data.kind
    if data.title is not None:
        dialogue.title = _clean(data.title)
    if data.description is not None:
        dialogue.description = _clean(data.description)
    if data.care_form_given:
        dialogue.care_form_id = data.care_form_id
    if data.selection_intro is not None:
        dialogue.selection_intro = _clean(data.selection_intro)
    if data.tender_reference is not None:
        dialogue.tender_reference = _clean(data.tender_reference)
    if data.status is not None:
        dialogue.status = data.status


def create_dialogue(session: Session, principal: Principal, data: DialogueInput) -> DialogueDetail:
    """A new trajectory (with its lists, when given)."""
    authorize(principal, Action.manage)
    errors: dict[str, str] = {}
    required = {"slug": data.slug, "title": data.title}
    for name, value in required.items():
        if value is None:
            errors[name] = _("Verplicht.")
    _check_fields(session, data, None, errors)
    if errors:
        raise invalid(errors)
    _slug_taken(session, (data.slug or "").strip(), None)
    dialogue = Dialogue(slug="", title="", status=DialogueStatus.draft, kind=DialogueKind.dialogue)
    _apply(dialogue, data)
    session.add(dialogue)
    session.flush()
    _replace_lists(session, dialogue, data)
    after = _reload(session, dialogue)
    _audit(session, principal, "dialogue.created", None, after)
    return after


def update_dialogue(
    session: Session, principal: Principal, detail: DialogueDetail, data: DialogueInput
) -> DialogueDetail:
    """Change a trajectory: the fields given, and each list given as a whole."""
    authorize(principal, Action.manage)
    dialogue = detail.dialogue
    errors: dict[str, str] = {}
    _check_fields(session, data, dialogue, errors)
    if errors:
        raise invalid(errors)
    if data.slug is not None:
        _slug_taken(session, data.slug.strip(), dialogue.id)
    before = snapshot(detail)
    _apply(dialogue, data)
    dialogue.updated_at = clock.now()
    session.add(dialogue)
    _replace_lists(session, dialogue, data)
    after = _reload(session, dialogue)
    if snapshot(after) != before:
        record(
            session,
            action="dialogue.updated",
            entity_type="dialogue",
            entity_id=dialogue.id,
            actor=principal.user,
            summary=dialogue.title,
            before=before,
            after=snapshot(after),
        )
    return after


def _replace_lists(session: Session, dialogue: Dialogue, data: DialogueInput) -> None:
    did = id_of(dialogue)
    if data.criteria is not None:
        keep = _sync(session, SelectionCriterion, did, data.criteria)
        for position, (row, item) in enumerate(keep, start=1):
            row.position, row.title, row.text, row.basis = position, _clean(item.title), _clean(item.text), item.basis
            session.add(row)
    if data.frameworks is not None:
        for position, (frow, fitem) in enumerate(_sync(session, Framework, did, data.frameworks), start=1):
            frow.position, frow.title, frow.url = position, _clean(fitem.title), _clean(fitem.url)
            frow.document_id, frow.description = fitem.document_id, _clean(fitem.description)
            session.add(frow)
    if data.milestones is not None:
        for mrow, mitem in _sync(session, Milestone, did, data.milestones):
            _fill_milestone(mrow, mitem)
            session.add(mrow)


def _sync(session: Session, model: Any, dialogue_id: int, items: list[Any]) -> list[tuple[Any, Any]]:
    """The rows for ``items``: the existing one for an item with an id, a new one otherwise; rows of the
    trajectory not named are deleted (a criterion with SDFL's assessments of it)."""
    existing = {r.id: r for r in session.exec(select(model).where(model.dialogue_id == dialogue_id)).all()}
    named = {item.id for item in items if item.id is not None}
    for row_id, row in existing.items():
        if row_id not in named:
            _delete_row(session, row)
    out = []
    for item in items:
        row = existing.get(item.id) if item.id is not None else None
        if row is None:
            row = model(dialogue_id=dialogue_id, title="")
            if model is Milestone:
                row.due_at = item.due_at
        out.append((row, item))
    return out


def _delete_row(session: Session, row: Any) -> None:
    if isinstance(row, SelectionCriterion):
        for a in session.exec(select(CriterionAssessment).where(CriterionAssessment.criterion_id == row.id)).all():
            session.delete(a)
    session.delete(row)


def _fill_milestone(row: Milestone, item: MilestoneInput) -> None:
    row.kind, row.title = item.kind, _clean(item.title)
    if item.due_at is not None:
        row.due_at = item.due_at
    row.session_id, row.met_at = item.session_id, item.met_at


# --- one item at a time (the admin pages) -----------------------------------------------------------------------

LISTS: dict[str, Any] = {"criteria": SelectionCriterion, "frameworks": Framework, "milestones": Milestone}


def _as_inputs(detail: DialogueDetail, name: str) -> list[Any]:
    if name == "criteria":
        return [CriterionInput(id=c.id, title=c.title, text=c.text, basis=c.basis) for c in detail.criteria]
    if name == "frameworks":
        return [
            FrameworkInput(id=f.id, title=f.title, url=f.url, document_id=f.document_id, description=f.description)
            for f in detail.frameworks
        ]
    return [
        MilestoneInput(id=m.id, title=m.title, kind=m.kind, due_at=m.due_at, session_id=m.session_id, met_at=m.met_at)
        for m in detail.milestones
    ]


def _with_list(name: str, items: list[Any]) -> DialogueInput:
    if name == "criteria":
        return DialogueInput(criteria=items)
    if name == "frameworks":
        return DialogueInput(frameworks=items)
    return DialogueInput(milestones=items)


def _index(items: list[Any], item_id: int) -> int:
    for i, item in enumerate(items):
        if item.id == item_id:
            return i
    raise NotFound(_("Dit onderdeel bestaat niet (meer)."), user_message=True)


def _item_errors(exc: ValidationFailed, name: str, index: int) -> ValidationFailed:
    """The list's field errors as the one item form's (``criteria.3.title`` -> ``title``)."""
    prefix = f"{name}.{index}."
    errors = {}
    for e in exc.errors:
        f = e["field"]
        if f.startswith(prefix):
            errors[f.removeprefix(prefix)] = e["message"]
        elif f == name:
            errors["title"] = e["message"]
    return invalid(errors) if errors else exc


def save_item(session: Session, principal: Principal, detail: DialogueDetail, name: str, item: Any) -> DialogueDetail:
    """Add (``item.id`` None) or change one criterion, framework or milestone."""
    items = _as_inputs(detail, name)
    if item.id is None:
        items.append(item)
        index = len(items) - 1
    else:
        index = _index(items, item.id)
        items[index] = item
    try:
        return update_dialogue(session, principal, detail, _with_list(name, items))
    except ValidationFailed as exc:
        raise _item_errors(exc, name, index) from exc


def remove_item(
    session: Session, principal: Principal, detail: DialogueDetail, name: str, item_id: int
) -> DialogueDetail:
    items = _as_inputs(detail, name)
    items.pop(_index(items, item_id))
    return update_dialogue(session, principal, detail, _with_list(name, items))


def move_item(
    session: Session, principal: Principal, detail: DialogueDetail, name: str, item_id: int, up: bool
) -> DialogueDetail:
    """Move a criterion or framework one place up or down (milestones keep the order of their dates)."""
    items = _as_inputs(detail, name)
    i = _index(items, item_id)
    j = i - 1 if up else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    return update_dialogue(session, principal, detail, _with_list(name, items))


def mark_met(
    session: Session, principal: Principal, detail: DialogueDetail, milestone_id: int, met: bool
) -> DialogueDetail:
    """Mark a milestone met now (or not met again)."""
    items = _as_inputs(detail, "milestones")
    i = _index(items, milestone_id)
    m = items[i]
    items[i] = MilestoneInput(
        id=m.id,
        title=m.title,
        kind=m.kind,
        due_at=m.due_at,
        session_id=m.session_id,
        met_at=clock.now() if met else None,
    )
    return update_dialogue(session, principal, detail, _with_list("milestones", items))


# --- deleting ---------------------------------------------------------------------------------------------------


def delete_dialogue(session: Session, principal: Principal, detail: DialogueDetail) -> None:
    """Delete an empty draft; a trajectory with history (sessions, proposals, documents, invitations,
    participants) is refused with the reason: archive it instead."""
    authorize(principal, Action.manage)
    dialogue = detail.dialogue
    did = id_of(dialogue)
    reasons = []
    for model, label in (
        (DialogueSession, _("sessies")),
        (Proposal, _("voorstellen")),
        (Document, _("stukken")),
        (Invitation, _("uitnodigingen")),
        (Participation, _("deelnemers")),
    ):
        n = session.exec(select(func.count()).select_from(model).where(model.dialogue_id == did)).one()
        if n:
            reasons.append(f"{n} {label}")
    if reasons:
        message = _(
            "Dit traject heeft %(what)s en kan daarom niet worden verwijderd; archiveer het in plaats daarvan.",
            what=", ".join(reasons),
        )
        raise Conflict(message, errors=[{"field": "delete", "message": message}], user_message=True)
    if dialogue.status != DialogueStatus.draft:
        message = _("Alleen een concepttraject kan worden verwijderd; archiveer dit traject in plaats daarvan.")
        raise Conflict(message, errors=[{"field": "delete", "message": message}], user_message=True)
    before = snapshot(detail)
    for part in (SelectionCriterion, Framework, Milestone):
        for row in session.exec(select(part).where(part.dialogue_id == did)).all():
            _delete_row(session, row)
    session.flush()
    session.delete(dialogue)
    record(
        session,
        action="dialogue.deleted",
        entity_type="dialogue",
        entity_id=did,
        actor=principal.user,
        summary=dialogue.title,
        before=before,
    )


# --- SDFL's assessment of providers against a criterion ---------------------------------------------------------


def assessments(session: Session, criterion_ids: list[int]) -> dict[tuple[int, int], CriterionAssessment]:
    """(criterion id, provider id) -> assessment."""
    if not criterion_ids:
        return {}
    rows = session.exec(
        select(CriterionAssessment).where(col(CriterionAssessment.criterion_id).in_(criterion_ids))
    ).all()
    return {(a.criterion_id, a.provider_id): a for a in rows}


def assess(
    session: Session, principal: Principal, *, criterion_id: int, provider_id: int, meets: bool | None, note: str
) -> CriterionAssessment | None:
    """Record whether a provider meets an assessment criterion, with a note; ``meets=None`` clears it."""
    authorize(principal, Action.manage)
    criterion = session.get(SelectionCriterion, criterion_id) if is_valid_id(criterion_id) else None
    if criterion is None or criterion.basis != CriterionBasis.assessment:
        raise NotFound(_("Dit criterium bestaat niet (meer)."), user_message=True)
    if not is_valid_id(provider_id) or session.get(Provider, provider_id) is None:
        raise NotFound(_("Deze zorgaanbieder bestaat niet."), user_message=True)
    note = _clean(note)
    if len(note) > MAX_NOTE:
        raise invalid({"note": _("Te lang: ten hoogste %(max)s tekens.", max=MAX_NOTE)})
    row = session.get(CriterionAssessment, (criterion_id, provider_id))
    before = {"meets": row.meets, "note": row.note} if row else None
    if meets is None:
        if row is not None:
            session.delete(row)
        after = None
    else:
        row = row or CriterionAssessment(criterion_id=criterion_id, provider_id=provider_id)
        row.meets, row.note = meets, note
        session.add(row)
        after = {"meets": meets, "note": note}
    if before != after:
        record(
            session,
            action="criterion.assessed",
            entity_type="selection_criterion",
            entity_id=criterion_id,
            actor=principal.user,
            summary=f"{criterion.title}: provider {provider_id}",
            before=before,
            after=after,
        )
    return row if meets is not None else None


def care_form_id(session: Session, key: str | None) -> int | None:
    """The id of the care form with ``key`` (the API names care forms by key); None for none."""
    if key is None or not key.strip():
        return None
    found = session.exec(select(CareForm.id).where(CareForm.key == key.strip())).first()
    if found is None:
        raise invalid({"care_form": _("Onbekende zorgvorm: kies een bestaande sleutel.")})
    return found


def meetings_of(session: Session, dialogue_id: int) -> list[DialogueSession]:
    """The sessions a milestone of this trajectory can name."""
    return list(
        session.exec(
            select(DialogueSession)
            .where(DialogueSession.dialogue_id == dialogue_id)
            .order_by(col(DialogueSession.number), col(DialogueSession.id))
        ).all()
    )


def documents_of(session: Session, dialogue_id: int) -> list[Document]:
    """The documents a framework of this trajectory can name."""
    return list(
        session.exec(
            select(Document).where(Document.dialogue_id == dialogue_id).order_by(col(Document.title), col(Document.id))
        ).all()
    )


def pick(session: Session, raw: str | None) -> Dialogue:
    """The trajectory an admin page works on: the one ``raw`` names (slug or id), else the current one."""
    raw = (raw or "").strip()
    if not raw:
        return current_dialogue(session)[0]
    dialogue: Dialogue | None = None
    if raw.isascii() and raw.isdigit() and len(raw) <= 10:
        dialogue = session.get(Dialogue, int(raw)) if is_valid_id(int(raw)) else None
    if dialogue is None and len(raw) <= MAX_SLUG:
        dialogue = session.exec(select(Dialogue).where(Dialogue.slug == raw)).first()
    if dialogue is None:
        raise NotFound(_("Dit traject bestaat niet."), user_message=True)
    return dialogue


def choice_options(session: Session) -> list[tuple[int, str]]:
    """(id, title) of the trajectories new work can belong to, for a select."""
    return [(id_of(d), d.title) for d in choices(session)]
