"""Tables in rendered Markdown made readable on a phone.

A table in a proposal's section (the product table: code, name, category, unit, financing) is five columns wide;
at 320 px it would widen the page. ``stacked_tables`` puts each table in a named, keyboard-reachable scroll region
and gives every body cell its column's name (``data-label``), so dialoog.css can stack the rows as cards on a
narrow screen, each value under its column's name. The table roles are written out, because a table shown as
blocks loses them in some browsers.

The input is HTML already sanitised by ``app.kit.markdown`` (markdown-it's regular table markup); only the table
tags get attributes, every value escaped, and the text between them is passed through unchanged.
"""

from __future__ import annotations

import re
from html import unescape
from itertools import count

from markupsafe import Markup, escape

_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<(td|th)\b([^>]*)>")
_TAG = re.compile(r"<[^>]+>")
_HEAD_OPEN = re.compile(r"<th\b")
HEADER = '<th role="columnheader"'


def stacked_tables(html: str, label: str) -> Markup:
    """``html`` with each ``<table>`` in a scroll region named ``label``, its body cells labelled by their column."""

    def one(table: re.Match[str]) -> str:
        head, has_head, body = table[1].partition("</thead>")
        names = [unescape(_TAG.sub("", cell)).strip() for cell in _HEAD_CELL.findall(head)] if has_head else []

        def row(match: re.Match[str]) -> str:
            column = count()

            def cell(c: re.Match[str]) -> str:
                n = next(column)
                role = "cell" if c[1] == "td" else "rowheader"
                name = f' data-label="{escape(names[n])}"' if n < len(names) and names[n] else ""
                return f'<{c[1]}{c[2]} role="{role}"{name}>'

            return '<tr role="row">' + _CELL.sub(cell, match[1]) + "</tr>"

        if has_head:
            head = _ROW.sub(lambda m: f'<tr role="row">{_HEAD_OPEN.sub(HEADER, m[1])}</tr>', head)
            head = head.replace("<thead>", '<thead role="rowgroup">') + "</thead>"
        body = _ROW.sub(row, body).replace("<tbody>", '<tbody role="rowgroup">')
        return (
            f'<div class="table-scroll table-scroll--stack" role="region" aria-label="{escape(label)}" tabindex="0">'
            f'<table class="table table--stack" role="table">{head}{body}</table></div>'
        )

    return Markup(_TABLE.sub(one, str(html)))  # noqa: S704 - sanitised input; every added value is escaped
