"""What an imported proposal file may hold, what the importer says when it cannot read one, and what it makes of
one (``ImportedSection``): shared by the importer (app/proposals/importer.py) and the Word reader
(app/proposals/docx_reader.py)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # the same 20 MB as an uploaded document
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024  # a .docx larger than this unpacked is a zip bomb, not a proposal
MAX_SECTIONS = 200
MAX_HEADING = 300
MAX_BODY = 100_000
# What one import may contain, so that reading a file costs a bounded time (issue 14): a proposal of 10,000
# paragraphs is some 300 pages; Word's XML for one paragraph is rarely over 2 KB.
MAX_XML_PART_BYTES = 20 * 1024 * 1024  # one XML part of a .docx, unpacked (word/document.xml holds the text)
MAX_PARAGRAPHS = 10_000  # paragraphs of a .docx: headings, list items and paragraphs in table cells included
MAX_RUNS = 100_000  # pieces of text with their own formatting (w:r) in a .docx
MAX_TABLE_CELLS = 10_000  # cells of one table, merged cells counted as the columns they span
MAX_LINES = 100_000  # lines of a Markdown file


def nl(number: int) -> str:
    """A number as Dutch text writes it: 10.000."""
    return f"{number:,}".replace(",", ".")


INTRO_HEADING = "Inleiding"

_SUPPORTED = "Gebruik een Word-bestand (.docx) of een Markdown-bestand (.md)."
MSG_EMPTY = "Het bestand is leeg."
MSG_TOO_BIG = f"Het bestand is te groot: hoogstens {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
MSG_PDF = f"Een PDF kan niet worden ingelezen. {_SUPPORTED}"
MSG_OLE = (
    "Dit is een oud Word-bestand (.doc) of een met een wachtwoord beveiligd bestand; dat kan niet worden "
    "ingelezen. Sla het in Word op als Word-document (.docx), zonder wachtwoord."
)
MSG_RTF = "Een RTF-bestand kan niet worden ingelezen. Sla het in Word op als Word-document (.docx)."
MSG_ODT = "Een OpenDocument-bestand (.odt) kan niet worden ingelezen. Sla het op als Word-document (.docx)."
MSG_NOT_DOCX = f"Dit ZIP-bestand is geen Word-document. {_SUPPORTED}"
MSG_BROKEN_DOCX = (
    "Het Word-bestand kan niet worden gelezen: het is beschadigd of geen gewoon Word-document. "
    "Sla het in Word opnieuw op als Word-document (.docx) en probeer het nog eens."
)
MSG_DOCX_TOO_BIG = "Het Word-bestand is uitgepakt te groot om in te lezen."
MSG_TOO_MANY_PARAGRAPHS = (
    f"Het Word-bestand is te lang om in te lezen: hoogstens {nl(MAX_PARAGRAPHS)} alinea's (koppen, "
    "opsommingen en tabelcellen meegeteld). Verdeel de tekst over meer voorstellen of maak hem korter."
)
MSG_TOO_MANY_RUNS = (
    f"Het Word-bestand bevat te veel opmaakwisselingen om in te lezen: hoogstens {nl(MAX_RUNS)} stukken tekst "
    "met eigen opmaak. Verwijder overbodige opmaak (of sla de tekst op als nieuw document) en probeer het nog eens."
)
MSG_TABLE_TOO_BIG = f"Een tabel in het Word-bestand is te groot om in te lezen: hoogstens {nl(MAX_TABLE_CELLS)} cellen."
MSG_TOO_MANY_LINES = f"Het bestand is te lang om in te lezen: hoogstens {nl(MAX_LINES)} regels."
MSG_NOT_UTF8 = f"Het bestand is geen tekst in UTF-8. Sla het op als UTF-8-tekst. {_SUPPORTED}"
MSG_BINARY = f"Dit bestandstype kan niet worden ingelezen. {_SUPPORTED}"
MSG_NO_HEADINGS = (
    "Het bestand bevat geen koppen: elke kop wordt een onderdeel. Geef in Word de titel van elk onderdeel "
    "de stijl Kop 1; begin in Markdown een regel met # en een spatie."
)


class SectionImportError(ValueError):
    """The file cannot become sections; the message is Dutch and meant for the user."""


@dataclass(frozen=True)
class ImportedSection:
    heading: str
    body: str  # Markdown
    kind: str  # "text" or "question"
