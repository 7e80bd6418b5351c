"""The feedback export: every comment that matches a filter as CSV or XLSX rows."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from html import unescape
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlmodel import Session, select

from app.dialogues.participants import group_label
from app.feedback.visibility import sees_names
from app.kit import clock
from app.kit.errors import N_, invalid
from app.kit.i18n import gettext as _
from app.kit.markdown import plain_text
from app.models import (
    Comment,
    Dialogue,
)
from app.policy import Action, Principal, authorize
from app.review.filters import ReviewFilter
from app.review.query import feedback_query
from app.review.rows import FeedbackRow, feedback_rows, thread_replies

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MAX_EXPORT_ROWS = 50_000


EXPORT_COLUMNS = [
    ("id", N_("Nummer")),
    ("proposal", N_("Voorstel")),
    ("version", N_("Versie")),
    ("section_key", N_("Onderdeel (sleutel)")),
    ("section", N_("Onderdeel")),
    ("created_at", N_("Geplaatst")),
    ("provider", N_("Aanbieder")),
    ("author", N_("Schrijver")),
    ("group", N_("Groep belanghebbenden")),
    ("dialogue", N_("Traject")),
    ("kind", N_("Soort")),
    ("status", N_("Beoordeling")),
    ("quote", N_("Citaat")),
    ("comment", N_("Reactie")),
    ("suggested_text", N_("Vervangende tekst")),
    ("thread", N_("Draad (antwoorden van deelnemers)")),
    ("official_reply", N_("Officieel antwoord SDFL")),
    ("official_reply_released_at", N_("Antwoord vrijgegeven")),
    ("positions", N_("Standpunten gemeenten")),
    ("internal_notes", N_("Interne notities")),
    ("agenda", N_("Op de agenda")),
]


def export_rows(session: Session, principal: Principal, filters: ReviewFilter) -> list[dict[str, str]]:
    """Every comment that matches ``filters`` (up to MAX_EXPORT_ROWS), one dict per row with the columns of
    EXPORT_COLUMNS. Reviewers only: internal notes and positions are part of it."""
    authorize(principal, Action.review)
    now = clock.now()
    raw = session.exec(feedback_query(session, principal, filters, now).limit(MAX_EXPORT_ROWS)).all()
    rows = feedback_rows(session, principal, list(raw), now)
    threads = thread_replies(session, [r.comment.id or 0 for r in rows], names=sees_names(principal))
    titles = dict(session.exec(select(Dialogue.id, Dialogue.title)).all())
    return [_export_row(r, threads.get(r.comment.id or 0, []), titles.get(r.dialogue_id, "")) for r in rows]


def _export_row(r: FeedbackRow, thread: list[tuple[Comment, str, str]], dialogue: str = "") -> dict[str, str]:
    """One row of the export: the columns of EXPORT_COLUMNS."""
    c = r.comment
    return {
        "id": str(c.id),
        "proposal": r.proposal_title,
        "version": str(r.version),
        "section_key": r.section_key,
        "section": r.section_heading,
        "created_at": c.created_at.astimezone(AMSTERDAM).isoformat(timespec="seconds"),
        "provider": r.organisation,
        "author": r.author_name,
        "group": group_label(r.stakeholder_group),
        "dialogue": dialogue,
        "kind": r.kind_label and _(r.kind_label),
        "status": _(r.status_label),
        "quote": plain_text(c.quote),
        "comment": plain_text(c.body),
        "suggested_text": plain_text(c.suggested_text),
        "thread": "\n".join(f"{author} ({org}): {plain_text(reply.body)}" for reply, author, org in thread),
        "official_reply": "\n\n".join(plain_text(reply.body) for reply in r.replies),
        "official_reply_released_at": ", ".join(
            reply.release_at.astimezone(AMSTERDAM).isoformat(timespec="seconds")
            for reply in r.replies
            if reply.released and reply.release_at
        ),
        "positions": "\n".join(
            f"{p.municipality}: {_(p.stance_label)}{' - ' + p.note if p.note else ''}" for p in r.positions
        ),
        "internal_notes": "\n".join(f"{n.author_name} ({n.organisation}): {plain_text(n.body)}" for n in r.notes),
        "agenda": "\n".join(f"Sessie {a.session_number}: {a.title}" for a in r.agenda),
    }


def plain(html: str) -> str:
    """The text an HTML fragment shows: tags dropped, then every entity decoded once (``&amp;lt;`` is ``&lt;``)."""
    return unescape(re.sub(r"\s+\n", "\n", re.sub(r"<[^>]+>", "", html))).strip()


def _safe_cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: keep such text as text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_(label) for _key, label in EXPORT_COLUMNS])
    for row in rows:
        writer.writerow([_safe_cell(row[key]) for key, _label in EXPORT_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Reacties")
    sheet.append([_(label) for _key, label in EXPORT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(_xlsx_text(row[key])) for key, _label in EXPORT_COLUMNS])
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    widths = {"comment": 60, "thread": 50, "official_reply": 50, "internal_notes": 40, "quote": 40}
    for index, (key, _label) in enumerate(EXPORT_COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(key, 18)
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = wrap
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_text(value: str) -> str:
    return _ILLEGAL_XLSX.sub("", value)


XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFile:
    """An export as the routes send it: the file, its type and name, and how many rows it holds."""

    body: bytes
    media_type: str
    filename: str
    rows: int

    @property
    def headers(self) -> dict[str, str]:
        """A download, never cached, with the number of rows."""
        return {
            "Content-Disposition": f'attachment; filename="{self.filename}"',
            "Cache-Control": "no-store",
            "X-Rows": str(self.rows),
        }


def export_file(session: Session, principal: Principal, filters: ReviewFilter, fmt: str) -> ExportFile:
    """The feedback that matches ``filters`` as a CSV or XLSX file (``fmt``); 422 for another format."""
    if fmt not in ("csv", "xlsx"):
        raise invalid({"format": "Choose csv or xlsx."})
    rows = export_rows(session, principal, filters)
    stamp = clock.now().astimezone(AMSTERDAM).strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body, media = to_xlsx(rows), XLSX_MEDIA_TYPE
    else:
        body, media = to_csv(rows), "text/csv; charset=utf-8"
    return ExportFile(body=body, media_type=media, filename=f"reacties-{stamp}.{fmt}", rows=len(rows))
