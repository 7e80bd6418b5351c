"""HTML for documents: the admin's upload and edit pages, the participants' page and downloads."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from app.accounts.deps import AdminUser, CurrentUser, WebPrincipal, client_ip
from app.db import SessionDep
from app.dialogues import manage as dialogues
from app.dialogues.service import trajectory_choice
from app.documents import service
from app.documents.download import download_response
from app.kit.dates import local_input
from app.kit.errors import N_, AppError
from app.kit.i18n import babel_locale
from app.kit.i18n import gettext as _
from app.models import Audience, DialogueSession
from app.policy import Action, authorize, can
from app.web.templates import render

router = APIRouter()

AUDIENCE_OPTIONS = [
    (Audience.participants.value, N_("Deelnemers: zorgaanbieders, gemeenten en SDFL (na inloggen)")),
    (Audience.public.value, N_("Iedereen: openbaar, ook zonder inloggen")),
]


def file_size(size: int) -> str:
    """A size for people: "1,2 MB", "340 kB" (in the page's language)."""
    if size >= 1024 * 1024:
        return f"{format_decimal(size / (1024 * 1024), '#,##0.0', locale=babel_locale())} MB"
    if size >= 1024:
        return f"{format_decimal(round(size / 1024), '#,##0', locale=babel_locale())} kB"
    return _("%(n)s bytes", n=size)


def session_label(ds: DialogueSession) -> str:
    return _("Sessie %(n)s: %(title)s", n=ds.number, title=ds.title)


# --- the form ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentForm:
    """The fields as typed (to show again after an error) and as service input."""

    title: str
    audience: str
    release_at: str
    session_id: str
    dialogue_id: str = ""

    @property
    def values(self) -> dict[str, str]:
        return asdict(self)

    def to_input(self) -> service.DocumentInput:
        return service.DocumentInput(
            title=self.title,
            audience=self.audience,
            release_at=self.release_at,
            session_id=self.session_id,
            dialogue_id=self.dialogue_id,
        )


def document_form(
    title: Annotated[str, Form(max_length=1000)] = "",
    audience: Annotated[str, Form(max_length=20)] = Audience.participants.value,
    release_at: Annotated[str, Form(max_length=40)] = "",
    session_id: Annotated[str, Form(max_length=20)] = "",
    dialogue_id: Annotated[str, Form(max_length=100)] = "",
) -> DocumentForm:
    return DocumentForm(
        title=title, audience=audience, release_at=release_at, session_id=session_id, dialogue_id=dialogue_id
    )


DocumentFormDep = Annotated[DocumentForm, Depends(document_form)]


def _read_upload(file: UploadFile | None) -> service.FileUpload | None:
    """At most one byte over the limit is read: enough to refuse a file that is too large."""
    if file is None:
        return None
    return service.FileUpload(filename=file.filename or "", content=file.file.read(service.MAX_DOCUMENT_BYTES + 1))


def _field_errors(exc: AppError) -> dict[str, str]:
    if not exc.errors:
        raise exc
    errors: dict[str, str] = {}
    for error in exc.errors:
        errors.setdefault(error["field"], error["message"])
    return errors


# --- admin ---------------------------------------------------------------------------------------


def _admin_list(
    request: Request,
    session: SessionDep,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    options = dialogues.choice_options(session)
    default = {"audience": Audience.participants.value, "dialogue_id": str(options[0][0]) if options else ""}
    return render(
        request,
        "documents/admin_list.html",
        {
            "title": _("Stukken"),
            "rows": service.admin_rows(session),
            "sessions": [(ds.id, session_label(ds)) for ds in service.session_choices(session)],
            "dialogue_options": options,
            "audiences": [(key, _(label)) for key, label in AUDIENCE_OPTIONS],
            "values": values or default,
            "errors": errors or {},
            "type_labels": service.TYPE_LABELS,
            "file_size": file_size,
            "session_label": session_label,
            "max_mb": service.MAX_DOCUMENT_BYTES // (1024 * 1024),
        },
        status_code=status_code,
        block="content" if errors else None,
    )


@router.get("/admin/documents", include_in_schema=False)
def admin_documents(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    return _admin_list(request, session)


@router.post("/admin/documents", include_in_schema=False)
def upload_document(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    form: DocumentFormDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        document = service.create_document(session, form.to_input(), _read_upload(file), actor=admin)
    except AppError as exc:
        return _admin_list(request, session, values=form.values, errors=_field_errors(exc), status_code=exc.status_code)
    return RedirectResponse(f"/admin/documents/{document.id}?created=1", status_code=303)


def _admin_detail(
    request: Request,
    session: SessionDep,
    document_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    document, ds = service.get_document(session, document_id)
    released = service.is_released(document, package=service.package_of(session, document))
    return render(
        request,
        "documents/admin_detail.html",
        {
            "title": document.title,
            "document": document,
            "ds": ds,
            "released": released,
            "audiences": [(key, _(label)) for key, label in AUDIENCE_OPTIONS],
            "values": values
            or {
                "title": document.title,
                "audience": document.audience,
                "release_at": local_input(document.release_at),
            },
            "errors": errors or {},
            "type_labels": service.TYPE_LABELS,
            "file_size": file_size,
            "session_label": session_label,
            "downloads": service.download_counts(session, [document_id]).get(document_id, 0),
        },
        status_code=status_code,
        block="content" if errors else None,
    )


@router.get("/admin/documents/{document_id}", include_in_schema=False)
def admin_document(request: Request, session: SessionDep, admin: AdminUser, document_id: int) -> Response:
    return _admin_detail(request, session, document_id)


@router.post("/admin/documents/{document_id}", include_in_schema=False)
def update_document(
    request: Request, session: SessionDep, admin: AdminUser, document_id: int, form: DocumentFormDep
) -> Response:
    document, _ds = service.get_document(session, document_id)
    try:
        service.update_document(session, document, form.to_input(), actor=admin)
    except AppError as exc:
        return _admin_detail(
            request, session, document_id, values=form.values, errors=_field_errors(exc), status_code=exc.status_code
        )
    return RedirectResponse(f"/admin/documents/{document_id}?saved=1", status_code=303)


# --- participants --------------------------------------------------------------------------------


@router.get("/documents", include_in_schema=False)
def documents(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    dialogue: Annotated[str, Query(max_length=100, description="A trajectory's slug or id")] = "",
) -> Response:
    """Signed-in users: released documents by trajectory and session (of one trajectory with ``?dialogue=``);
    admins also see what is still to come. A provider that does not (yet) take part sees the public ones and is
    told why (access follows the invitation)."""
    if not principal.is_authenticated:
        authorize(principal, Action.view_released_documents)  # the public: sign in first
    choice = trajectory_choice(session, principal, dialogue or None)
    return render(
        request,
        "documents/index.html",
        {
            "title": _("Stukken"),
            "participant_documents": can(principal, Action.view_released_documents),
            "groups": service.documents_by_session(session, principal, choice.dialogue_id),
            "choice": choice,
            "type_labels": service.TYPE_LABELS,
            "file_size": file_size,
            "session_label": session_label,
        },
    )


@router.get("/documents/{document_id}/download", include_in_schema=False)
def download(
    request: Request, session: SessionDep, principal: WebPrincipal, user: CurrentUser, document_id: int
) -> Response:
    """404 (never a sign-in prompt) for a document that is not visible to you now, as if it did not exist."""
    document = service.visible_document(session, principal, document_id)
    response = download_response(document)
    service.record_download(session, document, actor=user, ip=client_ip(request))
    return response
