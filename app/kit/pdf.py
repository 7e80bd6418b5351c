"""PDF documents for TenderNed: A4 in the core fonts (Latin-1), a reference line in every page's footer, and
Markdown written as plain text (headings, paragraphs, list items; never raw HTML).

A report starts with ``new_document``, writes with ``pdf_lines`` (and ``markdown_to_pdf``), and ends with
``bytes(pdf.output())``. Text goes through ``to_latin1`` before it is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token

if TYPE_CHECKING:
    from fpdf import FPDF

# fpdf (with fontTools and Pillow) is imported when the first PDF is made, not when the app starts: it is ~35 MB
# of resident memory in every server process, and most processes never make a PDF (issue 21). Not to hide an
# import cycle: app.kit imports nothing of the app.

AUTHOR = "Sociaal Domein Flevoland"

_md = MarkdownIt("commonmark")

_LATIN1 = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u20ac": "EUR",
    }
)


# Set by ``fixed_documents`` (the Woo archive): the creation date of the PDFs made, and a filter every text passes.
_created_at: ContextVar[datetime | None] = ContextVar("pdf_created_at", default=None)
_text_filter: ContextVar[Callable[[str], str] | None] = ContextVar("pdf_text_filter", default=None)


@contextmanager
def fixed_documents(created_at: datetime, text_filter: Callable[[str], str] | None = None) -> Iterator[None]:
    """PDFs made inside (in this thread) carry ``created_at`` as their creation date instead of the wall clock,
    so the same content gives the same bytes; their text passes through ``text_filter`` first (the archive
    without personal data). The PDF functions themselves stay as they are."""
    tokens = (_created_at.set(created_at), _text_filter.set(text_filter))
    try:
        yield
    finally:
        _created_at.reset(tokens[0])
        _text_filter.reset(tokens[1])


def to_latin1(text: str) -> str:
    """The core PDF fonts speak Latin-1; typographic quotes and dashes are mapped, the rest replaced."""
    text_filter = _text_filter.get()
    if text_filter is not None:
        text = text_filter(text)
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")


def new_document(title: str, reference: str) -> FPDF:
    """An A4 document with its first page added, ``title`` in its properties (as given) and ``reference`` with
    the page number in every page's footer."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    created_at = _created_at.get()
    if created_at is not None:
        pdf.set_creation_date(created_at)
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.footer = lambda: pdf_footer(pdf, reference)  # type: ignore[method-assign]
    pdf.add_page()
    return pdf


def pdf_lines(pdf: FPDF, height: float, text: str) -> None:
    """A paragraph from the current x to the right margin; the next one starts on the left margin."""
    from fpdf.enums import XPos, YPos

    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def pdf_footer(pdf: FPDF, reference: str) -> None:
    """The footer line: the reference and the page number, centred."""
    pdf.set_y(-12)
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 6, to_latin1(f"{reference} - pagina {pdf.page_no()}"), align="C")


def _plain(token: Token) -> str:
    """The text of an inline token without its markup; a line break becomes a space."""
    plain = "".join(
        " " if child.type in ("softbreak", "hardbreak") else child.content
        for child in token.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    )
    return plain or token.content


def _write_inline(pdf: FPDF, text: str, heading_level: int, bullet: str) -> None:
    if heading_level:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 14 if heading_level <= 2 else 12)
        pdf_lines(pdf, 7, to_latin1(text))
    else:
        pdf.set_font("Helvetica", size=11)
        pdf.set_x(pdf.l_margin + (5 if bullet else 0))
        pdf_lines(pdf, 6, to_latin1(bullet + text))


def markdown_to_pdf(pdf: FPDF, text: str) -> None:
    """Headings, paragraphs and list items from the Markdown, as plain text (no raw HTML is ever used)."""
    tokens = _md.parse(text or "")
    heading_level = 0
    bullet = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type == "list_item_open":
            bullet = "- "
        elif token.type == "inline":
            _write_inline(pdf, _plain(token), heading_level, bullet)
            if not heading_level:
                bullet = ""
        elif token.type == "paragraph_close" and tokens[i - 1].type == "inline" and not token.hidden:
            pdf.ln(2)
