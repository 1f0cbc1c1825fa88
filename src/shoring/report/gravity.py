"""HTML report of a general-equilibrium counterfactual (``shoring gravity report``).

Same offline page as the firm report (:func:`shoring.report.layout.page`: Plotly's JS
inlined, no CDN): a world map of the change in real GDP drawn from the shipped Natural
Earth shapes, the export effects by country, the import-share diversion in each
diversion market, and the table of every country's effects.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shoring.macro.ge_run import Counterfactual
from shoring.report.charts import _LAYOUT, chart_text
from shoring.report.layout import esc, figure, page, table
from shoring.report.worldmap import BORDER, LAND, _outlines

DIVERGING = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")
"""Colours of the map classes, most negative to most positive (ColorBrewer RdBu)."""

COLUMNS = {
    "exports_change_pct_conditional": "exports, conditional (%)",
    "exports_change_pct_full": "exports, full endowment (%)",
    "producer_price_change_pct": "factory-gate price (%)",
    "omr_change_pct": "outward resistance (%)",
    "imr_change_pct": "inward resistance (%)",
    "real_gdp_change_pct": "real GDP (%)",
}


def _classes(values: np.ndarray) -> list[tuple[float, float]]:
    """Seven symmetric classes around 0 spanning the largest absolute value."""
    top = float(np.max(np.abs(values))) or 1.0
    edges = np.array([-1, -0.5, -0.15, -0.02, 0.02, 0.15, 0.5, 1]) * top
    return list(itertools.pairwise(edges.tolist()))


def change_map(frame: pd.DataFrame, column: str, title: str) -> go.Figure:
    """World map of one percentage change by country, in seven classes.

    Parameters
    ----------
    frame : pandas.DataFrame
        :meth:`Counterfactual.country_table`.
    column : str
        The change to map.
    title : str
        Chart title.
    """
    fig = go.Figure()
    rest, _ = _outlines(set())
    fig.add_trace(
        go.Scattergeo(
            lon=rest["lon"], lat=rest["lat"], mode="lines", fill="toself", fillcolor=LAND,
            line={"color": BORDER, "width": 0.5}, hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    values = frame[column].to_numpy(dtype=float)
    for k, (low, high) in enumerate(_classes(values)):
        last = k == len(DIVERGING) - 1
        inside = (values >= low) & ((values <= high) if last else (values < high))
        members = set(frame.loc[inside, "country"])
        if not members:
            continue
        ring, _ = _outlines(members)
        fig.add_trace(
            go.Scattergeo(
                lon=ring["lon"], lat=ring["lat"], mode="lines", fill="toself",
                fillcolor=DIVERGING[k], line={"color": "#888", "width": 0.5},
                name=f"{low:+.2f} to {high:+.2f}", hoverinfo="name",
            )
        )  # fmt: skip
    fig.update_geos(
        projection_type="natural earth", showland=False, showocean=False, showlakes=False,
        showrivers=False, showcountries=False, showcoastlines=False, showsubunits=False,
        showframe=False, bgcolor="white", lataxis_range=[-58, 85],
    )  # fmt: skip
    fig.update_layout(**_LAYOUT, title=chart_text(title), height=460, legend_title_text="%")
    return fig


def exports_chart(frame: pd.DataFrame) -> go.Figure:
    """Conditional and full-endowment export changes by country (horizontal bars)."""
    data = frame.sort_values("exports_change_pct_full")
    fig = go.Figure()
    for column, colour in (
        ("exports_change_pct_conditional", "#9ecae1"),
        ("exports_change_pct_full", "#08519c"),
    ):
        fig.add_trace(
            go.Bar(
                y=[chart_text(c) for c in data["country"]], x=data[column], orientation="h",
                name=COLUMNS[column], marker_color=colour,
            )
        )  # fmt: skip
    fig.update_layout(
        **_LAYOUT, barmode="group", height=max(360, 18 * len(data)),
        title="International exports by country, percent change", xaxis_title="%",
    )  # fmt: skip
    return fig


def diversion_chart(market: dict, top: int = 12) -> go.Figure:
    """Largest gains and losses of import share in one market (percentage points)."""
    rows = pd.DataFrame(market["suppliers"])
    rows = pd.concat([rows.head(top), rows.tail(top)]).drop_duplicates("exporter")
    rows = rows.sort_values("change_pp")
    colours = np.where(rows["change_pp"] >= 0, "#2166ac", "#b2182b")
    fig = go.Figure(
        go.Bar(
            y=[chart_text(c) for c in rows["exporter"]], x=rows["change_pp"], orientation="h",
            marker_color=colours, showlegend=False,
        )
    )  # fmt: skip
    fig.update_layout(
        **_LAYOUT, height=max(320, 20 * len(rows)), xaxis_title="percentage points",
        title=chart_text(f"Import shares in {market['market']}: who gains, who loses"),
    )  # fmt: skip
    return fig


def _tariff_section(shock: dict) -> str:
    """The duties a tariff shock applied, per (importer, exporter), and their source."""
    note = (
        f"<p class='note'>Additional ad valorem duties of scenario {esc(shock['scenario'])} "
        f"in force on {esc(shock['when'])} (beyond the duties without its measures), mean "
        f"over the HS6 codes {esc(', '.join(shock['hs6']))}, {esc(shock['weighting'])}.</p>"
    )
    rows = [[d["importer"], d["exporter"], f"{d['duty_pct']:.2f}"] for d in shock["duties"]]
    if not rows:
        return note + "<p>No pair pays a duty.</p>"
    return note + table(["importer", "exporter", "duty %"], rows, numeric=[2])


def gravity_report(result: Counterfactual, title: str, description: str) -> str:
    """The whole HTML page of a counterfactual.

    Parameters
    ----------
    result : Counterfactual
        A solved counterfactual.
    title, description : str
        From the spec (escaped).

    Returns
    -------
    str
        A self-contained HTML document.
    """
    frame = result.country_table()
    direction = (
        "from the counterfactual without the agreement to the baseline with it"
        if result.report == "agreement"
        else "from the baseline to the counterfactual"
    )
    summary = (
        f"<p>{esc(description)}</p><p class='note'>Changes are {esc(direction)}; "
        f"elasticity of substitution {result.sigma:g}; {len(result.countries)} countries; "
        f"general equilibrium solved in {result.seconds:.2f} s "
        f"({result.full.iterations} price iterations). Method: Yotov, Piermartini, Monteiro "
        "&amp; Larch (2016), An Advanced Guide to Trade Policy Analysis, WTO/UNCTAD, ch. 2. "
        "Map shapes: Natural Earth 1:110m (public domain).</p>"
    )
    sections = [
        ("summary", "Summary", summary),
        ("gdp", "Real GDP", figure(change_map(frame, "real_gdp_change_pct", "Real GDP, %"), "gdp")),
        ("exports", "Exports", figure(exports_chart(frame), "exports")),
    ]
    for k, market in enumerate(result.diversion()):
        sections.append(
            (
                f"diversion-{k}",
                f"Diversion: {market['market']}",
                figure(diversion_chart(market), f"div{k}"),
            )
        )
    rows = [
        [row["country"], *(f"{row[c]:+.3f}" for c in COLUMNS)]
        for row in frame.sort_values("real_gdp_change_pct", ascending=False).to_dict("records")
    ]
    if result.tariffs is not None:
        sections.insert(1, ("tariffs", "Tariff shock", _tariff_section(result.tariffs)))
    header = ["country", *COLUMNS.values()]
    sections.append(("table", "All countries", table(header, rows, numeric=range(1, 7))))
    return page(title or "General-equilibrium counterfactual", "shoring gravity report", sections)
