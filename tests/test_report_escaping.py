"""User text reaches the report only escaped for its medium, in every section and chart
(the network-design section included): HTML text and attributes, Plotly's JSON inside
``<script>`` (a name holding ``</script>`` cannot end the script), Plotly's label markup
(``<b>``, ``<a href>``) and its hover templates (``%{...}``).

The checks are by kind, not by example: the page's elements, attributes and links are
read with an HTML parser, and every string of every chart's data and layout is walked.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

MARK = "%{y}zz"
"""In a site id: a hover template holding user text would show the y value here."""

HOSTILE = """\
meta: {name: 'net </script><script>alert(1)</script>', base_year: 2025,
       description: '<svg onload=alert(7)>'}
products:
  - {id: '<i>w</i>', name: '<a href="javascript:alert(6)">w</a>', hs_code: '850760',
     unit_value_usd: 100, weight_kg: 2, labour_hours: 1}
sites:
  - {id: '</script><script>alert(2)</script>', name: '<b>bold</b> & co', country: MEX,
     status: existing, products: ['<i>w</i>'], capacity_units: 1000, fixed_cost_usd: 1000}
  - {id: '<img src=x onerror=alert(3)> MARK', country: CHN, status: candidate,
     products: ['<i>w</i>'], capacity_units: 1000, fixed_cost_usd: 1000,
     opening_capex_usd: 5000}
markets:
  - {id: '"><a href=javascript:alert(4)>m</a>', name: '<u>US</u>', country: USA}
demand:
  - {market: '"><a href=javascript:alert(4)>m</a>', product: '<i>w</i>',
     units: {2025: 500}}
""".replace("MARK", MARK)
SCENARIO = """\
name: hostile
title: '<script>alert(5)</script>'
measures:
  - {id: '<b>m</b>', type: tariff, importers: USA, exporters: CHN, ad_valorem: 0.5,
     start: 2025-06-01, source: {name: '<i>Decree</i>', year: 2025, url: 'javascript:alert(8)'}}
"""

PAGE_TAGS = {
    "html", "head", "meta", "title", "style", "script", "body", "header", "h1", "h2", "h3",
    "p", "nav", "a", "main", "section", "div", "table", "thead", "tbody", "tr", "th", "td",
    "ul", "li", "b", "code", "details", "summary", "br", "span", "i", "em", "small",
}  # fmt: skip
"""Elements the report itself writes; any other element came from user text."""

CHART_MARKUP = re.compile(r"</?(?:br|b|i|extra|sup|sub)\s*/?>")
"""Plotly label markup the report's own labels use."""


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str, str | None]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def _figures(script: str) -> list[Any]:
    """The JSON arguments (data, layout) of every ``Plotly.newPlot`` call in a script."""
    out = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]*\",\s*", script):
        data, end = decoder.raw_decode(script, match.end())
        rest = script[end:].lstrip()
        assert rest.startswith(","), rest[:80]
        layout, _ = decoder.raw_decode(script, end + len(script[end:]) - len(rest) + 1 + (
            len(rest[1:]) - len(rest[1:].lstrip())))  # fmt: skip
        out.append((data, layout))
    return out


def _strings(value: Any, key: str = "") -> list[tuple[str, str]]:
    """(key, text) of every string in a JSON value."""
    if isinstance(value, str):
        return [(key, value)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v, key)]
    return []


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from shoring.cli import main

    root = tmp_path_factory.mktemp("hostile")
    (root / "net.yaml").write_text(HOSTILE, encoding="utf-8")
    (root / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    out = root / "out"
    args = ["report", str(root / "net.yaml"), "-s", str(root / "s.yaml"), "--optimize",
            "--points", "1", "--out", str(out)]  # fmt: skip
    try:
        main(args)
    except SystemExit as exc:
        assert not exc.code, exc.code
    return out / "report.html"


def test_page_holds_only_its_own_elements_and_links(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert 'id="design"' in page  # the design section is there, with its frontier chart
    assert 'id="fig-design-frontier"' in page
    parsed = _Page()
    parsed.feed(page)
    assert parsed.tags <= PAGE_TAGS, parsed.tags - PAGE_TAGS
    events = [(t, k) for t, k, _ in parsed.attrs if k.startswith("on")]
    assert not events, events
    links = [v for t, k, v in parsed.attrs if k in ("href", "src")]
    assert all(re.match(r"(https?://|#)", v or "") for v in links), links
    # no script of the user's: the Plotly library, then one script per chart
    assert parsed.scripts and all("Plotly" in s for s in parsed.scripts)
    assert len(parsed.scripts) == 1 + page.count('<div class="figure">')
    # the names are shown, as text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_chart_text_carries_no_markup_or_template(report: Path) -> None:
    parsed = _Page()
    parsed.feed(report.read_text(encoding="utf-8"))
    figures = [f for s in parsed.scripts for f in _figures(s)]
    assert len(figures) >= 5  # map, stacks, waterfalls, comparison, frontier ...
    texts = [s for data, layout in figures for s in _strings([data, layout])]
    user = [t for _, t in texts if "alert(" in t or "bold" in t or "zz" in t]
    assert user, "the user's names should reach the charts"
    for key, text in texts:
        if key == "template" or text.startswith(("#", "rgb")):
            continue
        left = CHART_MARKUP.sub("", text)
        assert "<" not in left and ">" not in left, (key, text)
        if key == "hovertemplate":
            assert MARK not in text, text  # user text goes in as a value, never a template
    frontier = [
        t for data, _ in figures for trace in data if trace.get("name") == "λ sweep"
        for t in _strings(trace.get("customdata"))
    ]  # fmt: skip
    assert frontier and all("&lt;" in t and "<" not in t for _, t in frontier), frontier


def test_frontier_chart_escapes_site_sets() -> None:
    from shoring.report.design import frontier_chart

    frontier = pd.DataFrame(
        {
            "sweep": ["lambda", "lambda", "cap"],
            "lambda": [0.0, 1.0, None],
            "cap": [None, None, 0.5],
            "feasible": [True, True, True],
            "expected_cost": [1e6, 1.1e6, 1.2e6],
            "cvar": [2e6, 1.5e6, 1.6e6],
            "max_country_share": [1.0, 1.0, 0.5],
            "open_sites": ["<b>a</b>+b", "</script>+%{x}", "<img src=x>"],
        }
    )
    fig = frontier_chart(frontier)
    shown = [str(v) for trace in fig.data for row in (trace.customdata or []) for v in row]
    assert shown and all("<" not in s for s in shown), shown
    assert "&lt;/script&gt;+%{x}" in shown
