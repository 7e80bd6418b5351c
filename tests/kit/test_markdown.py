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


# --- plain text (issue 18: no Markdown syntax in excerpts, quotes, diffs and exports) ---------------------------

from app.kit.markdown import plain_text  # noqa: E402


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        (
            "behandelwachttijd (van intake tot start van de hulp): **6 weken**",
            "behandelwachttijd (van intake tot start van de hulp): 6 weken",
        ),
        ("*nadruk*, _ook_ en __sterk__", "nadruk, ook en sterk"),
        (
            "zie [de handreiking](https://example.org/h) en <https://example.org>",
            "zie de handreiking en https://example.org",
        ),
        ("`code` en ![logo SDFL](logo.png)", "code en logo SDFL"),
        ("## Tarieven\n\nPer product.", "Tarieven\n\nPer product."),
        ("- een\n- twee\n  - drie", "• een\n• twee\n  • drie"),
        ("1. een\n2. twee", "1. een\n2. twee"),
        ("> geciteerd\n> verder", "geciteerd verder"),
        ("| a | b |\n|---|---|\n| 1 | **2** |", "a · b\n1 · 2"),
        ("```\nx = **1**\n```", "x = **1**"),  # code stays as written
        ("regel  \nbreuk\nzacht", "regel\nbreuk zacht"),
        ("\\*geen nadruk\\* &amp; &lt;b&gt;", "*geen nadruk* & <b>"),
        ("<script>alert(1)</script> <b>x</b>", "<script>alert(1)</script> <b>x</b>"),  # text, escaped where shown
        ("Alinea een.\n\n---\n\nAlinea twee.", "Alinea een.\n\nAlinea twee."),
        ("6 weken**, met", "6 weken**, met"),  # an unmatched mark is text
        ("", ""),
        (None, ""),
    ],
)
def test_plain_text(markdown, plain):
    assert plain_text(markdown) == plain


def test_plain_text_of_a_list_keeps_its_blocks_apart():
    text = "Inleiding.\n\n- een\n\n  met een tweede alinea\n- twee\n\nSlot."
    assert plain_text(text) == "Inleiding.\n\n• een\n  met een tweede alinea\n• twee\n\nSlot."


class TextCollector(HTMLParser):
    """The text a browser shows of HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def test_plain_text_is_the_text_the_rendering_shows():
    """The words of the rendered HTML, in order, are those of the plain text (less its bullets)."""
    text = "# Kop\n\nDe **termijn** is *6 weken*; zie [hier](https://example.org) &amp; `x*y`.\n\n- `a`\n- b &lt;c&gt;"
    collector = TextCollector()
    collector.feed(render_markdown(text))
    plain = plain_text(text)
    assert plain.replace("•", " ").split() == "".join(collector.parts).split()
    assert not any(mark in plain for mark in ("**", "#", "[", "](", "`", "&amp;"))
