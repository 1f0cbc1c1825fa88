"""HTML building blocks of the report: page shell, style, tables, escaping.

Plain string assembly with :func:`html.escape` on every value; no template engine.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

import plotly.graph_objects as go
import plotly.offline

PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
"""Plotly config for every embedded figure (no link out, no logo)."""

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#222;
 background:#fafafa;line-height:1.45}
header{background:#1f3b57;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px 0;font-size:1.6em}
header p{margin:0;opacity:.85}
nav{background:#fff;border-bottom:1px solid #ddd;padding:8px 32px;position:sticky;top:0;z-index:10}
nav a{margin-right:18px;color:#1f3b57;text-decoration:none;font-size:.92em}
main{padding:8px 32px 40px 32px;max-width:1280px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px 22px;margin:18px 0}
h2{color:#1f3b57;border-bottom:2px solid #e8eef4;padding-bottom:4px}
h3{color:#333;margin-top:22px}
table{border-collapse:collapse;margin:8px 0 14px 0;font-size:.88em}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f4f8}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.finding{margin:6px 0 10px 0}
.note{color:#555;font-size:.9em}
.figure{margin:6px 0 18px 0}
code{background:#f3f3f3;padding:1px 4px;border-radius:3px}
"""


def money(value: Any, missing: str = "–", symbol: str = "$") -> str:
    """An amount of US dollars, its scale chosen by its size: the report's one formatter.

    Parameters
    ----------
    value : float
        USD (a per-unit cost, a yearly saving, a plan's expected cost).
    missing : str
        Shown where the value is undefined (None, NaN, infinite).
    symbol : str
        Currency symbol in front; ``""`` in a column whose header names the unit.

    Returns
    -------
    str
        Whole dollars below a million (``"$980"``, ``"$200,000"``), millions with one
        decimal from a million on (``"$4.7 M"``, ``"$4,722.3 M"``); the sign in front
        (``"-$1.2 M"``). Never ``"$0.0 M"`` for a non-zero amount, never ``"-$0"``.
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        return missing
    if not math.isfinite(x):
        return missing
    size = abs(x)
    sign = "-" if x < 0 and size >= 0.5 else ""
    if size >= 1e6:
        return f"{sign}{symbol}{size / 1e6:,.1f} M"
    return f"{sign}{symbol}{size:,.0f}"


def esc(value: Any) -> str:
    """HTML-escape any value's string form.

    Parameters
    ----------
    value : Any
        Any value; ``None`` gives an empty string.

    Returns
    -------
    str
        ``str(value)`` with ``&``, ``<``, ``>`` and quotes escaped.
    """
    return html.escape("" if value is None else str(value))


LINK_SCHEMES = ("http", "https")
"""The only URL schemes that become links; anything else (``javascript:``, ``data:``,
``file:``) from a scenario file is shown as text."""


def link(url: str, text: str | None = None) -> str:
    """An anchor to an external page (a reference, not a resource the page loads).

    Parameters
    ----------
    url : str
        Target address (escaped); only ``http`` and ``https`` addresses become links.
    text : str, optional
        Link text (escaped); default the URL.

    Returns
    -------
    str
        An ``<a>`` element with ``rel="noreferrer noopener"``; for any other scheme
        the text and the address, escaped, as plain text.
    """
    address = str(url or "").strip()
    try:
        parts = urlsplit(address)
        web = parts.scheme.lower() in LINK_SCHEMES and bool(parts.netloc)
    except ValueError:  # e.g. a malformed IPv6 host
        web = False
    if not web:
        return esc(text or address) + ("" if text is None else f" ({esc(address)})")
    return f'<a href="{esc(address)}" rel="noreferrer noopener">{esc(text or address)}</a>'


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Sequence[int] = (),
    raw: Sequence[int] = (),
) -> str:
    """An HTML table; cells are escaped except the columns listed in ``raw``.

    ``numeric`` columns are right-aligned.

    Parameters
    ----------
    header : sequence of str
        Column headings (escaped).
    rows : iterable of sequence
        Cell values, one sequence per row.
    numeric : sequence of int
        Positions of right-aligned (numeric) columns.
    raw : sequence of int
        Positions of columns holding trusted HTML, inserted unescaped.

    Returns
    -------
    str
        A ``<table>`` element.
    """
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>")
        for i, cell in enumerate(row):
            cls = ' class="num"' if i in numeric else ""
            out.append(f"<td{cls}>{cell if i in raw else esc(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def figure(fig: go.Figure, div_id: str) -> str:
    """A figure as an HTML fragment (element id ``fig-<div_id>``, apart from section ids);
    Plotly's JS must already be on the page.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure.
    div_id : str
        Suffix of the element id.

    Returns
    -------
    str
        A ``<div class="figure">`` holding the figure's div and script.
    """
    body = fig.to_html(
        full_html=False, include_plotlyjs=False, config=PLOTLY_CONFIG, div_id=f"fig-{div_id}"
    )
    return f'<div class="figure">{body}</div>'


def page(title: str, subtitle: str, sections: Sequence[tuple[str, str, str]]) -> str:
    """The whole page: Plotly's bundled JS inlined once in the head, a navigation bar,
    and ``(anchor, heading, body)`` sections.

    Parameters
    ----------
    title, subtitle : str
        Page header text (escaped).
    sections : sequence of (str, str, str)
        ``(anchor, heading, body)``; ``body`` is trusted HTML, inserted unescaped.

    Returns
    -------
    str
        A complete, self-contained HTML document (no external resources loaded).
    """
    nav = "".join(f'<a href="#{esc(a)}">{esc(h)}</a>' for a, h, _ in sections)
    body = "".join(
        f'<section id="{esc(a)}"><h2>{esc(h)}</h2>{content}</section>' for a, h, content in sections
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{plotly.offline.get_plotlyjs()}</script>'
        f"</head><body><header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main></body></html>"
    )
