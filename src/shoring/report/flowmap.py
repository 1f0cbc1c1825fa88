"""Lanes and flows on the offline world map (:func:`shoring.report.worldmap.network_map`).

:func:`lanes_map` draws every lane the network allows: each supplier to the sites that
make a product using its component, and each site to the markets that demand a product
it makes. :func:`flows_map` draws a network design's flows before (today's sites only)
and after (the optimized plan), line width by units. Lines join the same points the
markers sit on (node location or capital, nudged by role) and are drawn under them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from shoring.network import Network
from shoring.report.charts import chart_text
from shoring.report.worldmap import OFFSETS, STYLES, _located, network_map

BASE_TRACES = 2
"""Traces of :func:`network_map` that draw the country shapes (lines go above them)."""
MAX_WIDTH = 9.0
"""Line width of the largest flow (pixels); the others in proportion, at least 1."""
LANE_STYLES = {
    "supply lanes": {"color": STYLES["supplier"]["color"], "width": 1.2, "dash": "dot"},
    "delivery lanes": {"color": STYLES["market"]["color"], "width": 1.6, "dash": "solid"},
}


def _empty_map(network: Network) -> go.Figure:
    no_lanes = pd.DataFrame(columns=["product", "market", "year", "scenario", "site"])
    return network_map(network, no_lanes, [], 0, "", [])


def _points(network: Network) -> dict[str, pd.DataFrame]:
    """Marker positions of sites, suppliers and markets (as :func:`network_map` puts them)."""
    out = {}
    for kind, table in (
        ("site", network.sites),
        ("supplier", network.suppliers),
        ("market", network.markets),
    ):
        where = _located(table)[["lon", "lat"]].copy()
        dx, dy = OFFSETS[kind]
        out[kind] = where.assign(lon=where["lon"] + dx, lat=where["lat"] + dy)
    return out


def _under_markers(fig: go.Figure, lines: Iterable[go.Scattergeo]) -> go.Figure:
    """The map with ``lines`` drawn above the country shapes and below the markers."""
    data = list(fig.data)
    return go.Figure(data=data[:BASE_TRACES] + list(lines) + data[BASE_TRACES:], layout=fig.layout)


def _segments(
    pairs: Sequence[tuple[str, str, str]], start: pd.DataFrame, end: pd.DataFrame
) -> dict[str, list[Any]]:
    """One None-separated polyline of ``(from, to, hover text)`` pairs."""
    lon: list[Any] = []
    lat: list[Any] = []
    text: list[Any] = []
    for a, b, label in pairs:
        lon += [start.at[a, "lon"], end.at[b, "lon"], None]
        lat += [start.at[a, "lat"], end.at[b, "lat"], None]
        text += [label, label, None]
    return {"lon": lon, "lat": lat, "text": text}


def network_lanes(network: Network) -> dict[str, list[tuple[str, str, str]]]:
    """The lanes the network allows, by kind.

    Parameters
    ----------
    network : Network
        The network.

    Returns
    -------
    dict
        ``"supply lanes"``: ``(supplier, site, text)`` for each supplier and each site
        making a product whose bill of materials holds the supplier's component;
        ``"delivery lanes"``: ``(site, market, text)`` for each site and each market
        with demand for a product the site makes.
    """
    sites, bom = network.sites, network.bom
    uses = bom.groupby("component")["parent"].apply(set).to_dict()
    makes = {s: set(p) for s, p in sites["products"].items()}
    supply = [
        (u, s, chart_text(f"{u} → {s}: {c}"))
        for u, c in network.suppliers["component"].items()
        for s in sites.index
        if makes[s] & uses.get(c, set())
    ]
    demand = network.demand
    wanted = demand[demand["units"] > 0].groupby("market")["product"].apply(set).to_dict()
    delivery = [
        (s, m, chart_text(f"{s} → {m}: {', '.join(sorted(makes[s] & wanted[m]))}"))
        for s in sites.index
        for m in network.markets.index
        if makes[s] & wanted.get(m, set())
    ]
    return {"supply lanes": supply, "delivery lanes": delivery}


def lanes_map(network: Network) -> go.Figure:
    """World map of the network with every lane it allows (supply and delivery; each
    kind can be hidden from the legend).

    Parameters
    ----------
    network : Network
        The network.

    Returns
    -------
    plotly.graph_objects.Figure
        Works offline (country shapes included).
    """
    points = _points(network)
    ends = {"supply lanes": ("supplier", "site"), "delivery lanes": ("site", "market")}
    lines = []
    for kind, pairs in network_lanes(network).items():
        if not pairs:
            continue
        a, b = ends[kind]
        style = LANE_STYLES[kind]
        lines.append(
            go.Scattergeo(
                **_segments(pairs, points[a], points[b]),
                mode="lines",
                line={"color": style["color"], "width": style["width"], "dash": style["dash"]},
                opacity=0.6,
                hoverinfo="text",
                name=f"{kind} ({len(pairs)})",
            )
        )
    fig = _under_markers(_empty_map(network), lines)
    fig.update_layout(title_text="Sites, suppliers, markets and the lanes between them")
    return fig


def plan_flows(result: Any, scenario: str, period: int) -> pd.DataFrame:
    """A design result's flows of one scenario and period, summed over products.

    Parameters
    ----------
    result : DesignResult
        Its ``flows`` (product, site, market, scenario, period, units per year).
    scenario : str
        Scenario.
    period : int
        Period (year).

    Returns
    -------
    pandas.DataFrame
        ``site, market, units, products`` with units > 0.
    """
    rows = [
        (f.site, f.market, f.product, f.units)
        for f in result.flows
        if f.scenario == scenario and f.period == period and f.units > 0
    ]
    frame = pd.DataFrame(rows, columns=["site", "market", "product", "units"])
    return (
        frame.groupby(["site", "market"], as_index=False)
        .agg(units=("units", "sum"), products=("product", lambda p: ", ".join(sorted(set(p)))))
        .sort_values(["site", "market"], ignore_index=True)
    )


def flows_map(
    network: Network, plans: Sequence[tuple[str, str, Any]], scenario: str, period: int
) -> go.Figure:
    """World map of a network design's flows, one layer per plan (e.g. today's sites
    and the optimized plan); line width in proportion to units per year.

    Parameters
    ----------
    network : Network
        The network.
    plans : sequence of (name, colour, DesignResult)
        The plans to draw; the first (the "before") is dashed and drawn on top, so that
        a flow both plans share shows both.
    scenario : str
        Scenario whose flows are drawn.
    period : int
        Period (year).

    Returns
    -------
    plotly.graph_objects.Figure
        Works offline.
    """
    points = _points(network)
    flows = [(name, colour, plan_flows(r, scenario, period)) for name, colour, r in plans]
    largest = max((float(f["units"].max()) for *_, f in flows if not f.empty), default=1.0)
    lines = []
    for k, (name, colour, frame) in reversed(list(enumerate(flows))):
        for i, row in enumerate(frame.itertuples(index=False)):
            label = chart_text(
                f"{name}: {row.site} → {row.market}, {row.units:,.0f} units/year ({row.products})"
            )
            lines.append(
                go.Scattergeo(
                    **_segments([(row.site, row.market, label)], points["site"], points["market"]),
                    mode="lines",
                    line={
                        "color": colour,
                        "width": max(1.0, MAX_WIDTH * row.units / largest),
                        "dash": "dash" if k == 0 else "solid",
                    },
                    opacity=0.75,
                    hoverinfo="text",
                    name=chart_text(name),
                    legendgroup=name,
                    showlegend=i == 0,
                )
            )
    fig = _under_markers(_empty_map(network), lines)
    fig.update_layout(
        title_text=chart_text(
            f"Flows before and after, {scenario}, {period} (line width: units per year)"
        )
    )
    return fig
