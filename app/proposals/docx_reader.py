"""The Word reader of the importer: the headings and text of a .docx as sections (heading, Markdown body),
with the limits that keep a hostile file from costing more than a normal one."""

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

from app.proposals.import_rules import (
    INTRO_HEADING,
    MAX_DOCX_UNPACKED_BYTES,
    MAX_PARAGRAPHS,
    MAX_RUNS,
    MAX_TABLE_CELLS,
    MAX_XML_PART_BYTES,
    MSG_BROKEN_DOCX,
    MSG_DOCX_TOO_BIG,
    MSG_NO_HEADINGS,
    MSG_NOT_DOCX,
    MSG_ODT,
    MSG_TABLE_TOO_BIG,
    MSG_TOO_MANY_PARAGRAPHS,
    MSG_TOO_MANY_RUNS,
    SectionImportError,
)

log = logging.getLogger("dialoog.proposals.importer")

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


def docx_sections(content: bytes) -> list[tuple[str, str]]:
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
        lines: list[str] = []
        for i, row in enumerate(rows):
            padded = row + [""] * (width - len(row))
            lines.append("| " + " | ".join(padded) + " |")
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
