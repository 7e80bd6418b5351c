"""Turn a Word (.docx) or Markdown file into the sections of a draft proposal version.

SDFL writes its draft proposals in Word. Each heading of the top level used in the file starts a section;
deeper headings stay inside the body as Markdown headings. The format is decided by the content, not the name:
a .docx is a ZIP with ``word/document.xml``, Markdown is any UTF-8 text. Every refusal is a
:class:`SectionImportError` whose message can be shown to the user as it is.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE

log = logging.getLogger("dialoog.proposals.importer")

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


def _nl(number: int) -> str:
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
    f"Het Word-bestand is te lang om in te lezen: hoogstens {_nl(MAX_PARAGRAPHS)} alinea's (koppen, "
    "opsommingen en tabelcellen meegeteld). Verdeel de tekst over meer voorstellen of maak hem korter."
)
MSG_TOO_MANY_RUNS = (
    f"Het Word-bestand bevat te veel opmaakwisselingen om in te lezen: hoogstens {_nl(MAX_RUNS)} stukken tekst "
    "met eigen opmaak. Verwijder overbodige opmaak (of sla de tekst op als nieuw document) en probeer het nog eens."
)
MSG_TABLE_TOO_BIG = (
    f"Een tabel in het Word-bestand is te groot om in te lezen: hoogstens {_nl(MAX_TABLE_CELLS)} cellen."
)
MSG_TOO_MANY_LINES = f"Het bestand is te lang om in te lezen: hoogstens {_nl(MAX_LINES)} regels."
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


def import_sections(filename: str, content: bytes) -> list[ImportedSection]:
    """The sections in a .docx or Markdown file, in order; SectionImportError if it has none or cannot be read."""
    if not content:
        raise SectionImportError(MSG_EMPTY)
    if len(content) > MAX_IMPORT_BYTES:
        raise SectionImportError(MSG_TOO_BIG)
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raw = _docx_sections(content)
    elif b"%PDF-" in content[:1024]:
        raise SectionImportError(MSG_PDF)
    elif content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise SectionImportError(MSG_OLE)
    elif content.lstrip().startswith(b"{\\rtf"):
        raise SectionImportError(MSG_RTF)
    elif filename.lower().endswith(".docx"):
        raise SectionImportError(MSG_BROKEN_DOCX)  # named .docx, but not a ZIP at all
    else:
        raw = _markdown_sections(_decode_text(content))
    return _finish(raw)


# --- shared -----------------------------------------------------------------------------------------------------

_QUESTION_START = re.compile(r"(?:\d+(?:\.\d+)*\.?\s+)?vraag\b", re.IGNORECASE)


def section_kind(heading: str) -> str:
    """The kind: "question" for "Vraag …" (also "3. Vraag …") or a heading ending in "?", else "text"."""
    heading = heading.strip()
    return "question" if _QUESTION_START.match(heading) or heading.endswith("?") else "text"


def _preview(heading: str) -> str:
    return heading if len(heading) <= 60 else heading[:60].rstrip() + "…"


def _finish(raw: list[tuple[str, str]]) -> list[ImportedSection]:
    if not raw:
        raise SectionImportError(MSG_NO_HEADINGS)
    if len(raw) > MAX_SECTIONS:
        raise SectionImportError(
            f"Het bestand bevat {len(raw)} onderdelen; er kunnen er hoogstens {MAX_SECTIONS} worden ingelezen."
        )
    sections = []
    for heading, body in raw:
        if len(heading) > MAX_HEADING:
            raise SectionImportError(
                f"De kop „{_preview(heading)}” is te lang: hoogstens {MAX_HEADING} tekens. Maak de kop korter."
            )
        if len(body) > MAX_BODY:
            raise SectionImportError(
                f"Het onderdeel „{_preview(heading)}” is te lang: hoogstens {_nl(MAX_BODY)} tekens. "
                + "Verdeel het over meer koppen."
            )
        sections.append(ImportedSection(heading=heading, body=body, kind=section_kind(heading)))
    return sections


# --- Markdown ---------------------------------------------------------------------------------------------------

# Unicode category Cc (U+0000-U+001F, U+007F-U+009F) except tab, newline, form feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_ATX = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)(.*)$")
_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})(.*)$")


def _decode_text(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SectionImportError(MSG_NOT_UTF8) from None
    if _CONTROL.search(text):
        raise SectionImportError(MSG_BINARY)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.count("\n") >= MAX_LINES:
        raise SectionImportError(MSG_TOO_MANY_LINES)
    return text


def _atx_heading(line: str) -> tuple[int, str] | None:
    """(level, text) when the line is an ATX heading with text, else None."""
    m = _ATX.match(line)
    if not m:
        return None
    text = m[2].strip()
    # A closing run of #, alone or after a space or tab, is not part of the heading. (Not a regular expression:
    # "[ \t]+#+$" searched from every space of a long line is quadratic.)
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.strip()
    return (len(m[1]), text) if text else None


def _clean_md_heading(text: str) -> str:
    """The heading as plain text: a heading wholly in **bold** or *italic* loses the markers."""
    for marker in ("**", "__", "*", "_"):
        n = len(marker)
        if len(text) > 2 * n and text.startswith(marker) and text.endswith(marker):
            text = text[n:-n].strip()
            break
    return " ".join(text.split())


def _md_lines(text: str) -> Iterator[tuple[str, tuple[int, str] | None]]:
    """Each line with its ATX heading, None inside fenced code blocks and for other lines."""
    fence: tuple[str, int] | None = None
    for line in text.split("\n"):
        if fence is not None:
            char, size = fence
            if re.fullmatch(rf" {{0,3}}{re.escape(char)}{{{size},}}[ \t]*", line):
                fence = None
            yield line, None
            continue
        m = _FENCE_OPEN.match(line)
        if m and not (m[1][0] == "`" and "`" in m[2]):
            fence = (m[1][0], len(m[1]))
            yield line, None
            continue
        yield line, _atx_heading(line)


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def _markdown_sections(text: str) -> list[tuple[str, str]]:
    lines = list(_md_lines(text))
    levels = [heading[0] for _, heading in lines if heading]
    if not levels:
        raise SectionImportError(MSG_NO_HEADINGS)
    top = min(levels)
    raw: list[tuple[str, list[str]]] = [(INTRO_HEADING, [])]
    for line, heading in lines:
        if heading and heading[0] == top:
            raw.append((_clean_md_heading(heading[1]), []))
        else:
            raw[-1][1].append(line)
    sections = [(heading, _trim_blank_lines(body)) for heading, body in raw]
    if not sections[0][1]:
        sections.pop(0)
    return sections


# --- Word -------------------------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_INLINE_CONTAINERS = {f"{_W}{tag}" for tag in ("ins", "moveTo", "smartTag", "customXml", "fldSimple", "dir", "bdo")}
_HEADING_STYLE = re.compile(r"(?:heading|kop)\s*([1-9])")
_LIST_LEVEL = re.compile(r"\s*([1-9])$")
_LINK_SCHEMES = ("http://", "https://", "mailto:")
_RUN_TEXT = tuple(f"{_W}{tag}" for tag in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))


@dataclass(frozen=True)
class _Piece:
    text: str
    bold: bool
    italic: bool
    url: str | None


@dataclass(frozen=True)
class _StyleInfo:
    heading: int | None = None  # 1-9; 0 for Title
    list_kind: str | None = None  # "bullet" or "number"
    list_level: int = 0
    skip: bool = False  # table of contents


def _docx_sections(content: bytes) -> list[tuple[str, str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise SectionImportError(MSG_BROKEN_DOCX) from None
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise SectionImportError(MSG_ODT if "content.xml" in names and "mimetype" in names else MSG_NOT_DOCX)
    if sum(info.file_size for info in infos) > MAX_DOCX_UNPACKED_BYTES or any(
        info.file_size > MAX_XML_PART_BYTES for info in infos if info.filename.endswith((".xml", ".rels"))
    ):
        raise SectionImportError(MSG_DOCX_TOO_BIG)
    try:
        document = docx.Document(io.BytesIO(content))
    except Exception:
        raise SectionImportError(MSG_BROKEN_DOCX) from None
    try:
        return _DocxReader(document).sections()
    except SectionImportError:
        raise
    except Exception:
        log.warning("a .docx could not be turned into sections", exc_info=True)
        raise SectionImportError(MSG_BROKEN_DOCX) from None


# \ ` * [ ] always; _ unless between two letters or digits ([^\W_] is exactly str.isalnum).
_INLINE_SPECIAL = re.compile(r"[\\`*\[\]]|(?<![^\W_])_|_(?![^\W_])")


def _on_off(element: Any) -> bool | None:
    """An on/off property (w:b, w:i) as python-docx reads it: None when absent, on unless w:val says off."""
    if element is None:
        return None
    value = element.get(f"{_W}val")
    if value is None or value in ("1", "true", "on"):
        return True
    if value in ("0", "false", "off"):
        return False
    raise ValueError(f"not an on/off value: {value!r}")


def _escape_inline(text: str) -> str:
    return _INLINE_SPECIAL.sub(lambda m: "\\" + m[0], text)


_BLOCK_START = re.compile(r"([#>\-+=~])|(\d{1,9})([.)])(?=\s|$)")


def _escape_line_start(line: str) -> str:
    """Keep text that starts like a heading, quote, list or rule from becoming one."""
    m = _BLOCK_START.match(line)
    if not m:
        return line
    if m[1]:
        return "\\" + line
    return m[2] + "\\" + line[len(m[2]) :]


def _split_outer_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def _wrap(text: str, marker: str) -> str:
    lead, core, trail = _split_outer_space(text)
    return f"{lead}{marker}{core}{marker}{trail}" if core else text


def _groups(pieces: list[_Piece], key: Any) -> Iterator[tuple[Any, list[_Piece]]]:
    group: list[_Piece] = []
    for piece in pieces:
        if group and key(group[-1]) != key(piece):
            yield key(group[0]), group
            group = []
        group.append(piece)
    if group:
        yield key(group[0]), group


def _render_formatting(pieces: list[_Piece]) -> str:
    """Bold outside, italic inside: "**a *b* c**" stays unambiguous Markdown."""
    out = []
    for bold, bold_group in _groups(pieces, lambda p: p.bold):
        inner = []
        for italic, group in _groups(bold_group, lambda p: p.italic):
            text = _escape_inline("".join(p.text for p in group))
            inner.append(_wrap(text, "*") if italic else text)
        out.append(_wrap("".join(inner), "**") if bold else "".join(inner))
    return "".join(out)


def _render_line(pieces: list[_Piece]) -> str:
    out = []
    for url, group in _groups(pieces, lambda p: p.url):
        text = _render_formatting(group)
        if url and text.strip():
            lead, core, trail = _split_outer_space(text)
            out.append(f"{lead}[{core}]({url}){trail}")
        else:
            out.append(text)
    return "".join(out)


def _lines(pieces: list[_Piece]) -> list[list[_Piece]]:
    """The pieces per line (a line break in Word starts a new one), without surrounding blanks or empty lines."""
    lines: list[list[_Piece]] = [[]]
    for piece in pieces:
        parts = piece.text.replace("\t", " ").split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append(_Piece(part, piece.bold, piece.italic, piece.url))
    result = []
    for line in lines:
        while line and not line[0].text.strip():
            line.pop(0)
        while line and not line[-1].text.strip():
            line.pop()
        if line:
            first, last = line[0], line[-1]
            line[0] = _Piece(first.text.lstrip(), first.bold, first.italic, first.url)
            last = line[-1]
            line[-1] = _Piece(last.text.rstrip(), last.bold, last.italic, last.url)
            result.append(line)
    return result


def _safe_url(url: str) -> str | None:
    url = url.strip()
    if not url.lower().startswith(_LINK_SCHEMES) or any(ch.isspace() or ch in "<>\"'\\" for ch in url):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("|", "%7C")


class _DocxReader:
    def __init__(self, document: Any) -> None:
        self.document = document
        self.part = document.part
        self._styles: dict[str | None, _StyleInfo] = {}
        self._run_styles: dict[str | None, tuple[bool | None, bool | None]] = {}
        self._paragraphs = 0
        self._runs = 0

    def _count_paragraph(self) -> None:
        self._paragraphs += 1
        if self._paragraphs > MAX_PARAGRAPHS:
            raise SectionImportError(MSG_TOO_MANY_PARAGRAPHS)
        self._numbering: dict[tuple[str, str], str | None] = {}

    # structure

    def _blocks(self, parent: Any) -> Iterator[Any]:
        """Paragraphs (w:p) and tables (w:tbl) in document order, through content controls."""
        for child in parent.iterchildren():
            if child.tag in (f"{_W}p", f"{_W}tbl"):
                yield child
            elif child.tag == f"{_W}sdt":
                gallery = child.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
                if gallery is not None and "table of contents" in (gallery.get(f"{_W}val") or "").lower():
                    continue
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    yield from self._blocks(content)
            elif child.tag == f"{_W}customXml":
                yield from self._blocks(child)

    def sections(self) -> list[tuple[str, str]]:
        items: list[tuple[str, Any, str]] = []  # ("heading", level, text) or (block kind, list level, markdown)
        list_stack: list[int] = []
        for element in self._blocks(self.document.element.body):
            self._count_paragraph()  # a table counts as one, and each paragraph in its cells too
            if element.tag == f"{_W}tbl":
                list_stack = []
                table = self._table(element)
                if table:
                    items.append(("table", None, table))
                continue
            info = self._style(element)
            if info.skip:
                continue
            pieces = list(self._pieces(element))
            if info.heading is not None:
                text = " ".join("".join(p.text for p in pieces).split())
                if text:
                    list_stack = []
                    items.append(("heading", info.heading, text))
                continue
            lines = self._line_strings(pieces)
            if not lines:
                continue
            list_kind, level = self._list_of(element, info)
            if list_kind is None:
                list_stack = []
                items.append(("paragraph", None, "\\\n".join(lines)))
                continue
            marker = "- " if list_kind == "bullet" else "1. "
            level = min(level, len(list_stack))
            indent = " " * sum(list_stack[:level])
            list_stack = [*list_stack[:level], len(marker)]
            continuation = " " * (len(indent) + len(marker))
            items.append(("list", None, indent + marker + ("\\\n" + continuation).join(lines)))
        return self._assemble(items)

    def _assemble(self, items: list[tuple[str, Any, str]]) -> list[tuple[str, str]]:
        levels = [level for kind, level, _ in items if kind == "heading" and level]
        if not any(kind == "heading" for kind, _, _ in items):
            raise SectionImportError(MSG_NO_HEADINGS)
        top = min(levels) if levels else 1
        raw: list[tuple[str, list[tuple[str, str]]]] = [(INTRO_HEADING, [])]
        for kind, level, text in items:
            if kind == "heading" and level <= top:  # Title (0) and the top level start a section
                raw.append((text, []))
            elif kind == "heading":
                hashes = "#" * min(6, level - top + 2)
                heading = re.sub(r"#+$", lambda m: "\\" + m[0], _escape_inline(text))
                raw[-1][1].append(("heading", f"{hashes} {heading}"))
            else:
                raw[-1][1].append((kind, text))
        sections = [(heading, self._join(blocks)) for heading, blocks in raw]
        if not sections[0][1]:
            sections.pop(0)
        return sections

    @staticmethod
    def _join(blocks: list[tuple[str, str]]) -> str:
        out = []
        for i, (kind, text) in enumerate(blocks):
            if i:
                out.append("\n" if kind == "list" and blocks[i - 1][0] == "list" else "\n\n")
            out.append(text)
        return "".join(out).strip("\n")

    # paragraphs

    def _line_strings(self, pieces: list[_Piece]) -> list[str]:
        return [_escape_line_start(_render_line(line)) for line in _lines(pieces)]

    def _pieces(self, p: Any) -> Iterator[_Piece]:
        yield from self._inline(p, None)

    def _inline(self, parent: Any, url: str | None) -> Iterator[_Piece]:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == f"{_W}r":
                self._runs += 1
                if self._runs > MAX_RUNS:
                    raise SectionImportError(MSG_TOO_MANY_RUNS)
                # python-docx's Run.text, read directly (it compiles an XPath for that on every run)
                text = "".join(str(e) for e in child.iterchildren(*_RUN_TEXT))
                if text:
                    bold, italic = self._run_flags(child)
                    yield _Piece(text, bold, italic, url)
            elif tag == f"{_W}hyperlink":
                yield from self._inline(child, self._link(child))
            elif tag in _INLINE_CONTAINERS:
                yield from self._inline(child, url)
            elif tag == f"{_W}sdt":
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    yield from self._inline(content, url)
            # w:del and w:moveFrom (tracked deletions), w:pPr, bookmarks, comments: no text

    def _run_flags(self, r: Any) -> tuple[bool, bool]:
        """(bold, italic) of a run: its own w:b and w:i, else those of its character style (python-docx's
        ``run.font.bold`` then ``run.style.font.bold``, read directly: per run, those cost a style lookup)."""
        rpr = r.find(f"{_W}rPr")
        bold = italic = style_id = None
        if rpr is not None:
            bold, italic = _on_off(rpr.find(f"{_W}b")), _on_off(rpr.find(f"{_W}i"))
            r_style = rpr.find(f"{_W}rStyle")
            style_id = r_style.get(f"{_W}val") if r_style is not None else None
        if bold is None or italic is None:
            style_bold, style_italic = self._run_style_flags(style_id)
            bold = style_bold if bold is None else bold
            italic = style_italic if italic is None else italic
        return bool(bold), bool(italic)

    def _run_style_flags(self, style_id: str | None) -> tuple[bool | None, bool | None]:
        """Bold and italic of a character style (the default one for None), looked up once per style:
        python-docx scans every style of the document for a lookup."""
        if style_id not in self._run_styles:
            style = self.part.get_style(style_id, WD_STYLE_TYPE.CHARACTER)
            font = style.font if style is not None else None
            self._run_styles[style_id] = (font.bold, font.italic) if font is not None else (None, None)
        return self._run_styles[style_id]

    def _link(self, hyperlink: Any) -> str | None:
        rel_id = hyperlink.get(_R_ID)
        rel = self.part.rels.get(rel_id) if rel_id else None
        if rel is None or not rel.is_external:
            return None
        return _safe_url(rel.target_ref)

    # styles and lists

    def _style(self, p: Any) -> _StyleInfo:
        style_id = p.style
        if style_id not in self._styles:
            self._styles[style_id] = self._classify(self.part.get_style(style_id, WD_STYLE_TYPE.PARAGRAPH))
        return self._styles[style_id]

    @staticmethod
    def _classify(style: Any) -> _StyleInfo:
        name = " ".join((style.name or "").lower().split()) if style is not None else ""
        if name in ("toc heading", "kop van inhoudsopgave") or re.match(r"(?:toc|inhopg)\s*\d", name):
            return _StyleInfo(skip=True)
        level_match = _LIST_LEVEL.search(name)
        level = int(level_match[1]) - 1 if level_match else 0
        if "list bullet" in name or "lijstopsommingsteken" in name:
            return _StyleInfo(list_kind="bullet", list_level=level)
        if "list number" in name or "lijstnummering" in name:
            return _StyleInfo(list_kind="number", list_level=level)
        for _ in range(5):  # a custom style based on a heading is a heading too
            if style is None:
                break
            name = " ".join((style.name or "").lower().split())
            if name in ("title", "titel"):
                return _StyleInfo(heading=0)
            m = _HEADING_STYLE.fullmatch(name)
            if m:
                return _StyleInfo(heading=int(m[1]))
            style = style.base_style
        return _StyleInfo()

    def _list_of(self, p: Any, info: _StyleInfo) -> tuple[str | None, int]:
        """("bullet" | "number" | None, level from 0) from the style name, else from the paragraph's numbering."""
        if info.list_kind:
            return info.list_kind, info.list_level
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        if num_pr is None:
            return None, 0
        num_id = num_pr.find(f"{_W}numId")
        ilvl = num_pr.find(f"{_W}ilvl")
        num = num_id.get(f"{_W}val") if num_id is not None else None
        lvl = (ilvl.get(f"{_W}val") if ilvl is not None else None) or "0"
        if not num or num == "0" or not lvl.isdigit():
            return None, 0
        return self._num_format(num, lvl), int(lvl)

    def _num_format(self, num_id: str, ilvl: str) -> str | None:
        key = (num_id, ilvl)
        if key not in self._numbering:
            self._numbering[key] = self._lookup_num_format(num_id, ilvl)
        return self._numbering[key]

    def _lookup_num_format(self, num_id: str, ilvl: str) -> str | None:
        try:
            numbering = self.part.part_related_by(RELATIONSHIP_TYPE.NUMBERING).element
        except (KeyError, ValueError):
            return "bullet"
        if not re.fullmatch(r"\d+", num_id):
            return None
        formats = numbering.xpath(f"w:num[@w:numId='{num_id}']/w:lvlOverride[@w:ilvl='{ilvl}']/w:lvl/w:numFmt/@w:val")
        if not formats:
            abstract = numbering.xpath(f"w:num[@w:numId='{num_id}']/w:abstractNumId/@w:val")
            if abstract and re.fullmatch(r"\d+", abstract[0]):
                formats = numbering.xpath(
                    f"w:abstractNum[@w:abstractNumId='{abstract[0]}']/w:lvl[@w:ilvl='{ilvl}']/w:numFmt/@w:val"
                )
        if not formats:
            return "bullet"
        if formats[0] == "none":
            return None
        return "bullet" if formats[0] == "bullet" else "number"

    # tables

    def _table(self, tbl: Any) -> str:
        rows: list[list[str]] = []
        cells = 0
        for tr in tbl.iterchildren(f"{_W}tr"):
            if len(rows) >= MAX_TABLE_CELLS:
                raise SectionImportError(MSG_TABLE_TOO_BIG)
            row: list[str] = []
            for tc in tr.iterchildren(f"{_W}tc"):
                span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
                span_val = span_el.get(f"{_W}val") if span_el is not None else None
                span = int(span_val) if span_val and span_val.isdigit() else 1
                merge = tc.find(f"{_W}tcPr/{_W}vMerge")
                continued = merge is not None and (merge.get(f"{_W}val") or "continue") == "continue"
                cells += min(span, 64)
                if cells > MAX_TABLE_CELLS:
                    raise SectionImportError(MSG_TABLE_TOO_BIG)
                row.append("" if continued else self._cell(tc))
                row.extend([""] * (min(span, 64) - 1))
            rows.append(row)
        width = max((len(row) for row in rows), default=0)
        if not width:
            return ""
        if width * len(rows) > MAX_TABLE_CELLS:  # short rows are filled up to the widest
            raise SectionImportError(MSG_TABLE_TOO_BIG)
        lines = []
        for i, row in enumerate(rows):
            cells = row + [""] * (width - len(row))
            lines.append("| " + " | ".join(cells) + " |")
            if i == 0:
                lines.append("|" + "|".join([" --- "] * width) + "|")
        return "\n".join(lines)

    def _cell(self, tc: Any) -> str:
        texts = []
        for p in tc.iter(f"{_W}p"):  # nested tables flatten into the cell
            self._count_paragraph()
            if self._style(p).skip:
                continue
            for line in _lines(list(self._pieces(p))):
                texts.append(_render_line(line))
        return " ".join(texts).replace("|", "\\|")
