"""Markdown to sanitised HTML: CommonMark plus tables, raw HTML off, then nh3 as the last word."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


_HEADING = re.compile(r"<(/?)h([1-6])>")


def render_markdown(text: str | None, heading_offset: int = 1) -> str:
    """Render untrusted Markdown to HTML that is safe to insert into a page.

    Headings move ``heading_offset`` levels down (at most h6), so a body fits under the page's own headings."""
    if not text:
        return ""
    html = _md.render(text)
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + heading_offset)}>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


BULLET = "• "
TABLE_CELL_SEPARATOR = " · "


def _inline_text(children: list[Token] | None) -> str:
    """The text an inline token shows: emphasis, links and code marks dropped, an image's alternative text
    kept, a soft line break a space, a hard one a new line."""
    parts: list[str] = []
    for child in children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline_text(child.children))
    return "".join(parts)


def plain_text(text: str | None) -> str:
    """Markdown as the plain text a reader sees, without Markdown syntax: for excerpts, quotes, diffs and
    exports. Parsed with the same parser as ``render_markdown`` (raw HTML stays text, as it is shown).

    Blocks (paragraphs, headings, code) are separated by an empty line; list items and table rows each start a
    line, a bullet list's items with "• ", an ordered list's with their number; table cells are separated by
    " · ". Emphasis, link and code marks go; escaped characters and entities become what they stand for."""
    if not text:
        return ""
    blocks: list[tuple[str, int]] = []  # text, and the outermost list or table it is in (0: none)
    lists: list[bool] = []  # per open list: ordered?
    group = groups = depth = 0  # the outermost open list or table, how many were opened, how many are open
    marker = ""  # the list item's number or bullet, for its first block
    row: list[str] | None = None
    for token in _md.parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open", "table_open"):
            if not depth:
                groups += 1
                group = groups
            depth += 1
            if kind != "table_open":
                lists.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close", "table_close"):
            depth -= 1
            group = group if depth else 0
            if kind != "table_close":
                lists.pop()
        elif kind == "list_item_open":
            marker = f"{token.info}{token.markup} " if lists and lists[-1] else BULLET
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            blocks.append((TABLE_CELL_SEPARATOR.join(row), group))
            row = None
        elif kind == "inline" and row is not None:
            row.append(_inline_text(token.children).strip())
        elif kind in ("inline", "fence", "code_block"):
            content = _inline_text(token.children) if kind == "inline" else token.content.rstrip("\n")
            indent = "  " * max(0, len(lists) - 1)
            lead = marker or ("  " if lists else "")
            blocks.append((indent + lead + content, group))
            marker = ""
    out = ""
    for i, (block, in_group) in enumerate(blocks):
        if i:
            out += "\n" if in_group and in_group == blocks[i - 1][1] else "\n\n"
        out += block
    return out.strip()
