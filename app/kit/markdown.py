"""Markdown to sanitised HTML: CommonMark plus tables, raw HTML off, then nh3 as the last word."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

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
