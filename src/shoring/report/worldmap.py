"""The network on a world map that renders offline.

Plotly's geo maps fetch their base layers (coastlines, land) from a CDN. This map turns
all of them off and draws Natural Earth 1:110m country shapes shipped with the package
(:func:`shoring.report.topojson.world_countries`) as filled ``Scattergeo`` polygons, so
the HTML file needs no network access. Sites, suppliers and markets sit at their
location (city or coordinates) or, where none is given, at their country's capital
(CEPII GeoDist coordinates, :func:`shoring.data.countries.countries`), nudged apart by
role; the hover text says which. Lines join each market to its cheapest site.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from shoring.costs.places import location_basis, place_labels
from shoring.data.countries import countries
from shoring.network import Network
from shoring.report.charts import _LAYOUT, SCENARIO_COLOURS, chart_text
from shoring.report.topojson import world_countries

LAND = "#e6e6e6"
NETWORK_LAND = "#cfe0f1"
BORDER = "#ffffff"
OFFSETS = {"site": (0.0, 0.0), "supplier": (-2.2, -1.6), "market": (2.2, 1.6)}
"""Degrees (lon, lat) by which markers of each role are moved off the capital."""
ASPECT = 2.0
"""Widest longitude : latitude span of the map frame."""
STYLES = {
    "existing site": {"symbol": "square", "color": "#b2182b", "size": 13},
    "candidate site": {"symbol": "square-open", "color": "#d6604d", "size": 13},
    "supplier": {"symbol": "triangle-up", "color": "#1b7837", "size": 11},
    "market": {"symbol": "circle", "color": "#2166ac", "size": 13},
}


def _outlines(iso3s: set[str]) -> tuple[dict[str, list], dict[str, list]]:
    """Outer rings of every country (Antarctica left out), None-separated, split into
    (network countries, the rest)."""
    inside: dict[str, list] = {"lon": [], "lat": []}
    outside: dict[str, list] = {"lon": [], "lat": []}
    for feature in world_countries()["features"]:
        geom, iso3 = feature["geometry"], feature["properties"].get("iso3", "")
        if geom is None or iso3 == "ATA":
            continue
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        target = inside if iso3 in iso3s else outside
        for polygon in polygons:
            ring = polygon[0]  # holes are not drawn at this scale
            target["lon"].extend([p[0] for p in ring] + [None])
            target["lat"].extend([p[1] for p in ring] + [None])
    return inside, outside


def _view(points: pd.DataFrame) -> dict[str, list[float]]:
    """Longitude and latitude ranges framing the network's capitals with a margin."""
    if points.empty:
        return {"lataxis_range": [-58.0, 90.0], "lonaxis_range": [-180.0, 180.0]}
    lon = [max(-180.0, points["lon"].min() - 25.0), min(180.0, points["lon"].max() + 25.0)]
    lat = [points["lat"].min() - 18.0, points["lat"].max() + 18.0]
    wanted = (lon[1] - lon[0]) / ASPECT  # keep the frame no wider than ASPECT : 1
    if lat[1] - lat[0] < wanted:
        middle = (lat[0] + lat[1]) / 2
        lat = [middle - wanted / 2, middle + wanted / 2]
    lat = [max(-58.0, lat[0]), min(90.0, lat[1])]
    return {"lataxis_range": lat, "lonaxis_range": lon}


def base_map(iso3s: set[str]) -> go.Figure:
    """A figure holding only the country shapes (the network's countries shaded).

    Parameters
    ----------
    iso3s : set of str
        Countries drawn in the network colour.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    inside, outside = _outlines(iso3s)
    fig = go.Figure()
    for ring, colour, name in (
        (outside, LAND, "other countries"),
        (inside, NETWORK_LAND, "network countries"),
    ):
        fig.add_trace(
            go.Scattergeo(
                lon=ring["lon"],
                lat=ring["lat"],
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"color": BORDER, "width": 0.6},
                hoverinfo="skip",
                name=name,
                showlegend=False,
            )
        )
    return fig


def frame_map(fig: go.Figure, points: pd.DataFrame, title: str, height: int) -> None:
    """Turn off Plotly's CDN base layers, frame ``points`` (``lon``, ``lat``), title the
    map and put the legend at its right."""
    fig.update_geos(
        projection_type="natural earth",
        showland=False,
        showocean=False,
        showlakes=False,
        showrivers=False,
        showcountries=False,
        showcoastlines=False,
        showsubunits=False,
        showframe=False,
        bgcolor="white",
        **_view(points),
    )
    layout = dict(_LAYOUT)
    layout["margin"] = {"l": 0, "r": 0, "t": 50, "b": 0}
    fig.update_layout(
        title=title,
        height=height,
        legend={"x": 1.01, "xanchor": "left", "y": 0.5, "yanchor": "middle", "font": {"size": 11}},
        **layout,
    )


def _few(items: Sequence[str], limit: int = 6) -> str:
    """``"a, b, c"``, or the first few and how many more."""
    items = list(items)
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def _located(table: pd.DataFrame) -> pd.DataFrame:
    """Longitude, latitude, place label and location basis of each node of a table."""
    capital = countries().reindex(table["country"])
    return pd.DataFrame(
        {
            "lon": table["lon"].fillna(pd.Series(capital["lon"].to_numpy(), table.index)),
            "lat": table["lat"].fillna(pd.Series(capital["lat"].to_numpy(), table.index)),
            "place": place_labels(table),
            "basis": location_basis(table),
        },
        index=table.index,
    )


def _entities(network: Network) -> pd.DataFrame:
    """One row per site, supplier and market: role, id, label, country and location."""
    sites = network.sites
    rows = [
        {
            "role": f"{status} site",
            "kind": "site",
            "id": sid,
            "country": sites.at[sid, "country"],
            "text": chart_text(
                f"{sid}: {sites.at[sid, 'name']} ({status}; makes "
                f"{_few(sites.at[sid, 'products'])})"
            ),
        }
        for sid, status in sites["status"].items()
    ]
    sup = network.suppliers
    rows += [
        {
            "role": "supplier",
            "kind": "supplier",
            "id": uid,
            "country": sup.at[uid, "country"],
            "text": chart_text(
                f"{uid}: {sup.at[uid, 'name']} ({sup.at[uid, 'component']}, "
                f"{sup.at[uid, 'unit_price_usd']:,.2f} USD)"
            ),
        }
        for uid in sup.index
    ]
    mk = network.markets
    rows += [
        {
            "role": "market",
            "kind": "market",
            "id": mid,
            "country": mk.at[mid, "country"],
            "text": chart_text(f"{mid}: {mk.at[mid, 'name']}"),
        }
        for mid in mk.index
    ]
    frame = pd.DataFrame(rows, columns=["role", "kind", "id", "country", "text"])
    where = pd.concat([_located(t) for t in (sites, sup, mk)], ignore_index=True)
    basis = where["basis"].map({"capital": " [at the capital]", "city": " [city]"})
    frame["text"] = frame["text"] + basis.fillna(" [coordinates]")
    return pd.concat([frame, where], axis=1)


def network_map(
    network: Network,
    best: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    year: int,
    reference: str,
    scenarios: Sequence[str],
) -> go.Figure:
    """World map of the network and the cheapest lanes.

    Parameters
    ----------
    network : Network
        Sites, suppliers and markets to place.
    best : pandas.DataFrame
        :func:`shoring.costs.compare.cheapest` of the study.
    pairs : sequence of (product, market)
        The pairs whose cheapest lane is drawn.
    year : int
        Focus year.
    reference : str
        Scenario whose lanes are shown at first; the others are one click away in
        the legend.
    scenarios : sequence of str
        Scenario names, in display order.
    """
    geo = countries()
    entities = _entities(network)
    fig = base_map(set(entities["country"]))
    # cheapest lanes: market capital <- cheapest site's capital, per scenario
    lanes = best[(best["year"] == year)]
    keys = set(pairs)
    lanes = lanes[[(p, m) in keys for p, m in zip(lanes["product"], lanes["market"], strict=True)]]
    site_at = _located(network.sites)
    market_at = _located(network.markets)
    for j, scenario in enumerate(scenarios):
        part = lanes[lanes["scenario"] == scenario]
        if part.empty:
            continue
        lon, lat, text = [], [], []
        for row in part.itertuples():
            a, b = site_at.loc[row.site], market_at.loc[row.market]
            ox, oy = OFFSETS["market"]
            label = chart_text(
                f"{scenario}: {row.product} for {row.market} from {row.site}, "
                f"{row.total:,.0f} USD/unit"
            )
            lon += [a["lon"], b["lon"] + ox, None]
            lat += [a["lat"], b["lat"] + oy, None]
            text += [label, label, None]
        fig.add_trace(
            go.Scattergeo(
                lon=lon,
                lat=lat,
                mode="lines",
                line={"width": 2.5, "color": SCENARIO_COLOURS[j % len(SCENARIO_COLOURS)]},
                opacity=0.85,
                name=f"cheapest lanes: {chart_text(scenario)}",
                text=text,
                hoverinfo="text",
                visible=True if scenario == reference else "legendonly",
                legendgroup="lanes",
            )
        )
    for role, style in STYLES.items():
        part = entities[entities["role"] == role]
        if part.empty:
            continue
        grouped = part.groupby("place", sort=True)
        first = grouped[["country", "lon", "lat"]].first()
        grouped = grouped["text"].apply(list)
        ox, oy = OFFSETS[part["kind"].iloc[0]]
        fig.add_trace(
            go.Scattergeo(
                lon=(first["lon"] + ox).tolist(),
                lat=(first["lat"] + oy).tolist(),
                mode="markers",
                marker={
                    "symbol": style["symbol"],
                    "color": style["color"],
                    "size": style["size"],
                    "line": {
                        "width": 2 if "open" in style["symbol"] else 0.8,
                        "color": style["color"] if "open" in style["symbol"] else "white",
                    },
                },
                name=f"{role}s",
                text=[
                    f"<b>{geo.at[first.at[p, 'country'], 'name']} ({first.at[p, 'country']})</b>"
                    "<br>" + "<br>".join(items)
                    for p, items in grouped.items()
                ],
                hoverinfo="text",
            )
        )
    title = f"Network and cheapest lanes ({year}; markers at node locations or capitals)"
    frame_map(fig, entities[["lon", "lat"]], title, 520)
    return fig
