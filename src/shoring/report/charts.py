"""Plotly figures of the report: cost waterfalls, scenario deltas, break-even, wages.

Every function returns a :class:`plotly.graph_objects.Figure` built from result tables
(it computes nothing itself). Figures with one view per scenario carry a dropdown that
switches between them. The world map is in :mod:`shoring.report.worldmap`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from shoring.costs import COMPONENTS

COMPONENT_COLOURS = {
    "materials": "#4c78a8",
    "labour": "#f58518",
    "overhead": "#bab0ac",
    "production": "#9ecae9",
    "packaging": "#d6a5c9",
    "freight": "#54a24b",
    "lane": "#88d27a",
    "duties": "#e45756",
    "customs_fees": "#ff9d98",
    "inventory": "#72b7b2",
    "safety_stock": "#9ecae9",
    "obsolescence": "#b7e1dd",
    "prepayment": "#ffbf79",
    "quality": "#79706e",
    "oversight": "#d8b5a5",
    "ip_risk": "#8b5e9e",
    "risk": "#b279a2",
    "carbon": "#9d755d",
    "incentives": "#eeca3b",
}
"""One colour per cost component, the same in every chart."""

SCENARIO_COLOURS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip

_LAYOUT = {
    "template": "plotly_white",
    "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    "margin": {"l": 60, "r": 20, "t": 60, "b": 50},
}


WAGE_PANEL_PX = 240
"""Height of one row of wage panels, pixels."""


def chart_text(value: object) -> str:
    """User text (an id, a name) for a Plotly label, shown as written.

    Plotly reads ``<b>``, ``<br>``, ``<a href>`` in labels as markup and decodes
    ``&lt;``, ``&gt;`` and ``&amp;`` back, so escaping them shows the text as it is.

    Parameters
    ----------
    value : object
        Any value; its string form is used.

    Returns
    -------
    str
        The text with ``&``, ``<`` and ``>`` escaped.
    """
    return html.escape(str(value), quote=False)


_t = chart_text


def _short(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (long names in chart labels)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(value: float) -> str:
    """Whole dollars, without a negative zero."""
    rounded = round(float(value))
    return f"{rounded + 0:,d}" if rounded != 0 else "0"


def _dropdown(
    fig: go.Figure,
    scenarios: Sequence[str],
    per_scenario: int,
    active: int,
    layouts: dict[str, dict] | None = None,
) -> None:
    """Show one scenario's traces at a time (traces are grouped by scenario, in order);
    ``layouts`` holds layout changes per scenario (e.g. its axis range and title)."""
    n = len(scenarios) * per_scenario
    buttons = []
    for i, name in enumerate(scenarios):
        visible = [i * per_scenario <= k < (i + 1) * per_scenario for k in range(n)]
        args: list[dict] = [{"visible": visible}]
        if layouts and name in layouts:
            args.append(layouts[name])
        buttons.append({"label": _t(name), "method": "update", "args": args})
    fig.update_layout(
        updatemenus=[
            {
                "buttons": buttons,
                "active": active,
                "x": 1.0,
                "xanchor": "right",
                "y": 1.01,
                "yanchor": "bottom",
                "showactive": True,
                "bgcolor": "#f7f7f7",
            }
        ],
        annotations=[
            *fig.layout.annotations,
            {
                "text": "scenario:",
                "x": 0.82,
                "xref": "paper",
                "xanchor": "right",
                "y": 1.03,
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
            },
        ],
        margin={**_LAYOUT["margin"], "t": 90},
    )


def cost_stack(ds: xr.Dataset, product: str, market: str, year: int, reference: str) -> go.Figure:
    """Stacked components per site, sites ranked by total (cheapest on top).

    One view per scenario (dropdown), the reference scenario shown first.
    Negative components (incentives) stack below zero; the total is marked.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.
    product, market : str
        The pair shown.
    year : int
        Year shown.
    reference : str
        Scenario shown first (must be a scenario of ``ds``).

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal bars in USD/unit; sites that cannot serve the market are left out.

    Raises
    ------
    KeyError
        If ``product``, ``market`` or ``year`` is not in ``ds`` (from xarray).
    """
    scenarios = [str(s) for s in ds["scenario"].to_numpy()]
    cost = ds["cost"].sel(product=product, market=market, year=year)
    fig = go.Figure()
    title = f"Landed cost by site, {_t(product)} for {_t(market)}, {year} (USD/unit"
    layouts: dict[str, dict] = {}
    for scenario in scenarios:
        frame = (
            cost.sel(scenario=scenario).to_pandas().dropna(how="all")  # (site, component)
        )
        low = float(frame["materials"].min()) if not frame.empty else np.nan
        high = float(frame.clip(lower=0).sum(axis=1).max()) if not frame.empty else np.nan
        if low > 0 and high > 0:
            # materials dominate: start the axis below the smallest so the rest shows
            start = 0.85 * low
            layouts[scenario] = {
                "xaxis.range": [start, high + 0.08 * (high - start)],
                "title.text": f"{title}; axis from {start:,.0f})",
            }
        else:
            layouts[scenario] = {"xaxis.autorange": True, "title.text": f"{title})"}
        frame = frame.loc[frame.sum(axis=1).sort_values(ascending=False).index]
        labels = [f"{_t(s)} ({ds['site_country'].sel(site=s).item()})" for s in frame.index]
        shown = scenario == reference
        for component in COMPONENTS:
            fig.add_trace(
                go.Bar(
                    y=labels,
                    x=frame[component],
                    name=component,
                    orientation="h",
                    marker_color=COMPONENT_COLOURS[component],
                    legendgroup=component,
                    visible=shown,
                    hovertemplate=f"{component}: %{{x:,.0f}} USD<extra>%{{y}}</extra>",
                )
            )
        fig.add_trace(
            go.Scatter(
                y=labels,
                x=frame.sum(axis=1),
                mode="markers+text",
                marker={"symbol": "line-ns-open", "size": 18, "color": "black"},
                text=[f" {v:,.0f}" for v in frame.sum(axis=1)],
                textposition="middle right",
                name="total",
                visible=shown,
                hovertemplate="total: %{x:,.0f} USD<extra>%{y}</extra>",
            )
        )
    fig.update_layout(
        barmode="relative",
        height=max(280, 110 + 45 * ds.sizes["site"]),
        legend={"orientation": "h", "y": -0.1, "yanchor": "top"},
        **_LAYOUT,
    )
    first = layouts.get(reference, {})
    fig.update_layout({"title": {"text": first.get("title.text", f"{title})")}})
    if "xaxis.range" in first:
        fig.update_xaxes(range=first["xaxis.range"])
    if len(scenarios) > 1:
        _dropdown(fig, scenarios, len(COMPONENTS) + 1, scenarios.index(reference), layouts)
    return fig


def cost_waterfall(
    ds: xr.Dataset, best: pd.DataFrame, product: str, market: str, year: int, reference: str
) -> go.Figure:
    """Waterfall of the cheapest site's landed cost, component by component.

    One view per scenario (dropdown); ``best`` is
    :func:`shoring.costs.compare.cheapest` of ``ds``.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.
    best : pandas.DataFrame
        Cheapest site per product, market, year and scenario.
    product, market : str
        The pair shown.
    year : int
        Year shown.
    reference : str
        Scenario shown first (the first with a cheapest site if it has none).

    Returns
    -------
    plotly.graph_objects.Figure
        Steps in USD/unit; scenarios with no site serving the pair are left out (an
        empty figure when none serves it).
    """
    scenarios = [str(s) for s in ds["scenario"].to_numpy()]
    rows = best[(best["product"] == product) & (best["market"] == market) & (best["year"] == year)]
    rows = rows.set_index("scenario")
    fig = go.Figure()
    shown_scenarios: list[str] = []
    layouts: dict[str, dict] = {}
    head = f"Cheapest option, {_t(product)} for {_t(market)}, {year}: waterfall (USD/unit"
    for scenario in scenarios:
        if scenario not in rows.index:
            continue
        site = rows.at[scenario, "site"]
        values = (
            ds["cost"]
            .sel(product=product, market=market, year=year, scenario=scenario, site=site)
            .to_numpy()
        )
        fig.add_trace(
            go.Waterfall(
                x=[*COMPONENTS, "total"],
                y=[*values.tolist(), 0.0],
                measure=["relative"] * len(COMPONENTS) + ["total"],
                text=[_label(v) for v in values] + [_label(values.sum())],
                textposition="outside",
                name=f"{_t(scenario)}: {_t(site)}",
                visible=scenario == reference,
                connector={"line": {"color": "#999", "width": 1}},
                increasing={"marker": {"color": "#4c78a8"}},
                decreasing={"marker": {"color": "#eeca3b"}},
                totals={"marker": {"color": "#333333"}},
                meta=_t(site),  # a value, not template text: a name may hold "%{"
                hovertemplate="%{x}: %{y:,.2f} USD<extra>%{meta}</extra>",
            )
        )
        shown_scenarios.append(scenario)
        levels = np.cumsum(values)
        low, high = float(levels.min()), float(levels.max())
        shown = f"{_t(scenario)}: {_t(site)}"
        layout: dict = {"title.text": f"{head}) — {shown}", "yaxis.autorange": True}
        if low > 0:
            # zoom on the steps: the axis does not start at zero (said in the title)
            span = max(high - low, 0.05 * high)
            bottom = max(0.0, low - 0.6 * span)
            layout = {
                "title.text": f"{head}; axis from {bottom:,.0f}) — {shown}",
                "yaxis.range": [bottom, high + 0.15 * span],
            }
        layouts[scenario] = layout
    fig.update_layout(yaxis_title="USD per unit", showlegend=False, height=420, **_LAYOUT)
    active = shown_scenarios.index(reference) if reference in shown_scenarios else 0
    if shown_scenarios:
        first = layouts[shown_scenarios[active]]
        fig.update_layout({"title": {"text": first["title.text"]}})
        if "yaxis.range" in first:
            fig.update_yaxes(range=first["yaxis.range"])
    if len(shown_scenarios) > 1:
        _dropdown(fig, shown_scenarios, 1, active, layouts)
    return fig


def scenario_deltas(comparison: pd.DataFrame, product: str, market: str) -> go.Figure:
    """Component deltas of the cheapest option, each scenario against the reference.

    ``comparison`` is :func:`shoring.report.findings.comparison_table` for one year:
    a bar per scenario stacking ``delta_<component>``, and the total change marked.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Rows of one year with ``scenario_a, scenario_b, site_a, site_b, changed,
        total_a, total_b`` and ``delta_<component>`` columns.
    product, market : str
        The pair shown.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars in USD/unit; an empty figure when ``comparison`` has no row for the pair.
    """
    rows = comparison[(comparison["product"] == product) & (comparison["market"] == market)]
    fig = go.Figure()
    if rows.empty:
        return fig
    labels = [
        f"{_t(r.scenario_b)}<br>({_t(r.site_b) or 'no site'})" if r.changed else _t(r.scenario_b)
        for r in rows.itertuples()
    ]
    for component in COMPONENTS:
        fig.add_trace(
            go.Bar(
                x=labels,
                y=rows[f"delta_{component}"],
                name=component,
                marker_color=COMPONENT_COLOURS[component],
                hovertemplate=f"{component}: %{{y:+,.1f}} USD<extra>%{{x}}</extra>",
            )
        )
    change = rows["total_b"] - rows["total_a"]
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=change,
            mode="markers+text",
            marker={"symbol": "diamond", "size": 9, "color": "black"},
            text=[f"{v:+,.0f}" for v in change],
            textposition="top center",
            name="total change",
            hovertemplate="total: %{y:+,.1f} USD<extra>%{x}</extra>",
        )
    )
    reference, year = rows["scenario_a"].iloc[0], int(rows["year"].iloc[0])
    fig.update_layout(
        barmode="relative",
        title=f"Cheapest option vs {_t(reference)} ({_t(rows['site_a'].iloc[0])}), "
        f"{_t(product)} for {_t(market)}, {year}: change by component (USD/unit)",
        yaxis_title="USD per unit vs " + _t(reference),
        height=440,
        legend={"orientation": "h", "y": -0.25},
        **_LAYOUT,
    )
    return fig


def breakeven_chart(table: pd.DataFrame, product: str, market: str, scenario: str) -> go.Figure:
    """Tariff and wage break-even per year for one pair of sites.

    ``table`` is :func:`shoring.costs.compare.breakeven`: left, the extra ad valorem
    tariff on the incumbent's lane that equalizes the two options (percent); right,
    the incumbent country's wage against the wage that equalizes them (USD/hour).

    Parameters
    ----------
    table : pandas.DataFrame
        Break-even rows of one pair of sites, one per year (``from_site, to_site, year,
        tariff_breakeven, wage_from, wage_breakeven, cost_from, cost_to``).
    product, market : str
        The pair shown.
    scenario : str
        Scenario name for the title.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels; a note says so where no wage equalizes the two sites.

    Raises
    ------
    IndexError
        If ``table`` is empty.
    """
    src, dst = _t(table["from_site"].iloc[0]), _t(table["to_site"].iloc[0])
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(
            f"Extra tariff on {src} that equalizes with {dst} (%)",
            f"Wage at {src}: actual and break-even (USD/hour)",
        ),
        horizontal_spacing=0.12,
    )
    years = table["year"]
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["tariff_breakeven"] * 100,
            mode="lines+markers",
            name="tariff break-even",
            line={"color": "#e45756"},
            hovertemplate="%{x}: %{y:+.1f}%<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_hline(y=0, line={"color": "#999", "dash": "dot"}, row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=years,
            y=table["wage_from"],
            mode="lines+markers",
            name=f"wage at {src}",
            line={"color": "#f58518"},
            hovertemplate="%{x}: %{y:.2f} USD/h<extra></extra>",
        ),
        row=1,
        col=2,
    )
    if table["wage_breakeven"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=years,
                y=table["wage_breakeven"],
                mode="lines+markers",
                name="break-even wage",
                line={"color": "#333", "dash": "dash"},
                hovertemplate="%{x}: %{y:.2f} USD/h<extra></extra>",
            ),
            row=1,
            col=2,
        )
    missing = table["wage_breakeven"].isna()
    if "unserved" in table:
        missing &= table["unserved"] == ""  # no cost at all: nothing to equalize
    if missing.any():
        dearer = bool((table.loc[missing, "cost_from"] > table.loc[missing, "cost_to"]).all())
        fig.add_annotation(
            text="no wage equalizes the two"
            + (" in some years" if not missing.all() else "")
            + (f":<br>{src} is dearer even at a zero wage" if dearer else ""),
            xref="x2 domain",
            yref="y2 domain",
            x=0.5,
            y=0.15,
            showarrow=False,
            font={"color": "#555"},
        )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(
        title=f"Break-even, {_t(product)} for {_t(market)} under {_t(scenario)}: {src} vs {dst}",
        height=400,
        legend={"orientation": "h", "y": -0.2},
        **{**_LAYOUT, "margin": {**_LAYOUT["margin"], "t": 100}},
    )
    return fig


def wage_trajectories(wages: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """Labour cost per hour by country (one panel each) and year, a line per scenario.

    ``wages`` is :func:`shoring.report.findings.wages_long`.

    Parameters
    ----------
    wages : pandas.DataFrame
        Columns ``country, year, scenario, usd_per_hour``.
    names : dict, optional
        Display names of the ISO3 codes (panel titles).

    Returns
    -------
    plotly.graph_objects.Figure
        Three panels per row (four beyond nine countries), lines in USD/hour; the grid
        grows with the number of countries at a fixed panel height.
    """
    names = names or {}
    countries = list(dict.fromkeys(wages["country"]))
    scenarios = list(dict.fromkeys(wages["scenario"]))
    cols = min(3 if len(countries) <= 9 else 4, max(1, len(countries)))
    rows = max(1, math.ceil(len(countries) / cols))
    height = 120 + WAGE_PANEL_PX * rows
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[_short(f"{names.get(c, c)} ({c})", 32) for c in countries],
        # a fixed gap in pixels between rows (a fraction would overlap or fail with many)
        vertical_spacing=min(0.18, 70 / height) if rows > 1 else 0.1,
    )
    for i, country in enumerate(countries):
        r, c = divmod(i, cols)
        for j, scenario in enumerate(scenarios):
            part = wages[(wages["country"] == country) & (wages["scenario"] == scenario)]
            fig.add_trace(
                go.Scatter(
                    x=part["year"],
                    y=part["usd_per_hour"],
                    mode="lines",
                    name=_t(scenario),
                    legendgroup=scenario,
                    showlegend=i == 0,
                    line={"color": SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)]},
                    hovertemplate=f"{_t(scenario)} %{{x}}: %{{y:.2f}} USD/h"
                    f"<extra>{country}</extra>",
                ),
                row=r + 1,
                col=c + 1,
            )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(
        title="Manufacturing labour cost used, by site country and scenario (USD/hour)",
        height=height,
        **_LAYOUT,
    )
    return fig


def breakeven_by_scenario(table: pd.DataFrame, year: int, reference: str) -> go.Figure:
    """Tariff break-even of one pair of sites in ``year``, a bar per scenario.

    ``table`` stacks :func:`shoring.costs.compare.breakeven` of each scenario, with a
    ``scenario`` column.

    Parameters
    ----------
    table : pandas.DataFrame
        Break-even rows with ``scenario, year, from_site, to_site, tariff_breakeven``.
    year : int
        Year shown.
    reference : str
        Scenario whose bar is highlighted.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars in percent (extra ad valorem tariff on the incumbent's lane).

    Raises
    ------
    IndexError
        If ``table`` has no row for ``year``.
    """
    rows = table[table["year"] == year]
    src, dst = _t(rows["from_site"].iloc[0]), _t(rows["to_site"].iloc[0])
    values = rows["tariff_breakeven"] * 100
    fig = go.Figure(
        go.Bar(
            x=[_t(w) for w in rows["scenario"]],
            y=values,
            marker_color=["#1f3b57" if s == reference else "#e45756" for s in rows["scenario"]],
            text=["not served" if pd.isna(v) else f"{v:+.1f}%" for v in values],
            textposition="outside",
            hovertemplate="%{x}: %{y:+.1f}%<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#999"})
    fig.update_layout(
        title=f"Extra tariff on {src} that equalizes with {dst}, {year}, by scenario (%)",
        yaxis_title="percentage points",
        height=340,
        showlegend=False,
        **_LAYOUT,
    )
    return fig
