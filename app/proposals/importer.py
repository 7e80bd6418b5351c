"""Turn a Word (.docx) or Markdown file into the sections of a draft proposal version.

SDFL writes its draft proposals in Word. Each heading of the top level used in the file starts a section;
deeper headings stay inside the body as Markdown headings. The format is decided by the content, not the name:
a .docx is a ZIP with ``word/document.xml``, Markdown is any UTF-8 text. Every refusal is a
:class:`SectionImportError` whose message can be shown to the user as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.proposals.docx_reader import docx_sections
from app.proposals.import_rules import (
    INTRO_HEADING,
    MAX_BODY,
    MAX_HEADING,
    MAX_IMPORT_BYTES,
    MAX_LINES,
    MAX_SECTIONS,
    MSG_BINARY,
    MSG_BROKEN_DOCX,
    MSG_EMPTY,
    MSG_NO_HEADINGS,
    MSG_NOT_UTF8,
    MSG_OLE,
    MSG_PDF,
    MSG_RTF,
    MSG_TOO_BIG,
    MSG_TOO_MANY_LINES,
    ImportedSection,
    SectionImportError,
    nl,
)


def import_sections(filename: str, content: bytes) -> list[ImportedSection]:
    """The sections in a .docx or Markdown file, in order; SectionImportError if it has none or cannot be read."""
    if not content:
        raise SectionImportError(MSG_EMPTY)
    if len(content) > MAX_IMPORT_BYTES:
        raise SectionImportError(MSG_TOO_BIG)
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raw = docx_sections(content)
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
                f"Het onderdeel „{_preview(heading)}” is te lang: hoogstens {nl(MAX_BODY)} tekens. "
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
