"""A Markdown table made readable on a phone: a named scroll region, and every body cell with its column's name."""

from __future__ import annotations

from app.kit.markdown import render_markdown
from app.kit.tables import stacked_tables

PRODUCTS = """Het concept bevat twee producten.

| Code | Naam | Eenheid |
|---|---|---|
| 43M01 | Behandelverblijf *complex* | Etmaal |
| 45M02 | Diagnostiek | Stuks (output) |
"""


def test_each_cell_carries_its_column_name_inside_a_named_region():
    html = stacked_tables(render_markdown(PRODUCTS, 2), "Tabel bij ‘Producten’")
    assert html.startswith("<p>Het concept bevat twee producten.</p>")
    region = (
        '<div class="table-scroll table-scroll--stack" role="region" aria-label="Tabel bij ‘Producten’" tabindex="0">'
    )
    assert region in html
    assert '<td role="cell" data-label="Code">43M01</td>' in html
    assert '<td role="cell" data-label="Naam">Behandelverblijf <em>complex</em></td>' in html
    assert '<td role="cell" data-label="Eenheid">Stuks (output)</td>' in html
    assert html.count('role="columnheader"') == 3 and html.count('role="row"') == 3
    assert html.endswith("</table></div>\n")


def test_names_and_labels_are_escaped():
    source = '| <b>x</b> | "y" |\n|---|---|\n| 1 | 2 |\n'
    html = stacked_tables(render_markdown(source, 2), 'Tabel "z" <i>')
    assert 'aria-label="Tabel &#34;z&#34; &lt;i&gt;"' in html
    assert 'data-label="&lt;b&gt;x&lt;/b&gt;"' in html  # the header's text as shown, escaped again
    assert 'data-label="&#34;y&#34;"' in html
    assert "<b>" not in html and "<i>" not in html


def test_text_without_a_table_is_unchanged():
    html = render_markdown("Geen tabel, wel een | streep.", 2)
    assert stacked_tables(html, "Tabel") == html
