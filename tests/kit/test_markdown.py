from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.kit.markdown import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[klik](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class ElementCollector(HTMLParser):
    """The elements and attributes a browser would build from the HTML (text stays text)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_inert(payload):
    parser = ElementCollector()
    parser.feed(render_markdown(payload))
    assert parser.elements, "the payload should still be shown, as text"
    for tag, attrs in parser.elements:
        assert tag not in {"script", "img", "iframe", "svg", "object", "embed", "style"}
        assert not any(name.startswith("on") for name in attrs)
        assert not (attrs.get("href") or "").strip().lower().startswith(("javascript:", "data:"))


def test_tables_and_emphasis_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | **2** |")
    assert "<table>" in html and "<strong>2</strong>" in html


def test_links_get_rel_and_h1_becomes_h2():
    html = render_markdown("# Kop\n\n[SDFL](https://example.org)")
    assert "<h2>Kop</h2>" in html
    assert 'rel="noopener noreferrer nofollow"' in html
