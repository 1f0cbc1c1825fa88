"""Offline HTML report of MRIO value-chain indicators (``shoring mrio report``).

Reads the JSON-ready summary of :func:`shoring.macro.mrio_summary.summary` and recomputes
nothing. Same page shell, style and inlined Plotly JS as the firm report
(:mod:`shoring.report.layout`): one self-contained file, nothing loaded from the network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from shoring.errors import Problem, ShoringInputError
from shoring.outputs import write_text_atomic
from shoring.report.charts import SCENARIO_COLOURS, chart_text
from shoring.report.layout import esc, figure, page, table

__all__ = ["TOP_DEPENDENCIES", "build_html", "write_report"]

TOP_DEPENDENCIES = 10
"""Rows per country in the dependency tables (largest total shares first)."""

_LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 50}}


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.2%}"


def _money(value: float | None) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:,.1f}"


def participation_chart(countries: Sequence[dict[str, Any]]) -> go.Figure:
    """Backward and forward GVC participation per country, stacked bars.

    Parameters
    ----------
    countries : sequence of dict
        The ``countries`` rows of the summary.

    Returns
    -------
    plotly.graph_objects.Figure
        Shares of gross exports in percent; countries without exports are left out.
    """
    rows = [r for r in countries if r["backward_participation"] is not None]
    names = [chart_text(r["country"]) for r in rows]
    fig = go.Figure()
    for key, label, colour in (
        ("backward_participation", "backward (foreign value added in exports)", 0),
        ("forward_participation", "forward (own value added in others' exports)", 1),
    ):
        values = [100 * r[key] for r in rows]
        fig.add_bar(
            x=names,
            y=values,
            name=label,
            marker_color=SCENARIO_COLOURS[colour],
            hovertemplate="%{x}: %{y:.2f}% of gross exports<extra>" + label + "</extra>",
        )
    fig.update_layout(
        barmode="stack",
        title="GVC participation (share of gross exports, %)",
        yaxis_title="% of gross exports",
        legend={"orientation": "h", "y": -0.2},
        **_LAYOUT,
    )
    return fig


def value_added_chart(countries: Sequence[dict[str, Any]], unit: str) -> go.Figure:
    """Gross exports split into domestic and foreign value added, per country.

    Parameters
    ----------
    countries : sequence of dict
        The ``countries`` rows of the summary.
    unit : str
        Money unit of the table (axis title).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    names = [chart_text(r["country"]) for r in countries]
    fig = go.Figure()
    for key, label, colour in (("dva", "DVA", 2), ("fva", "FVA", 3)):
        fig.add_bar(
            x=names,
            y=[r[key] for r in countries],
            name=label,
            marker_color=SCENARIO_COLOURS[colour],
        )
    fig.update_layout(
        barmode="stack",
        title="Value added in gross exports (DVA + FVA = gross exports)",
        yaxis_title=chart_text(unit or "table unit"),
        **_LAYOUT,
    )
    return fig


def sector_heatmap(sectors: Sequence[dict[str, Any]]) -> go.Figure:
    """Backward participation by country (rows) and sector (columns).

    Parameters
    ----------
    sectors : sequence of dict
        The ``sectors`` rows of the summary.

    Returns
    -------
    plotly.graph_objects.Figure
        Blank cells where a sector exports nothing (undefined).
    """
    frame = pd.DataFrame(sectors)
    grid = frame.pivot(index="country", columns="sector", values="backward_participation")
    grid = grid.reindex(columns=list(dict.fromkeys(frame["sector"])))
    grid = grid.reindex(index=list(dict.fromkeys(frame["country"])))
    z = 100 * grid.to_numpy(dtype=float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[chart_text(c) for c in grid.columns],
            y=[chart_text(c) for c in grid.index],
            colorscale="Blues",
            colorbar={"title": "%"},
            hovertemplate="%{y} %{x}: %{z:.2f}% foreign value added<extra></extra>",
        )
    )
    fig.update_layout(
        title="Backward participation by sector (FVA, % of the sector's gross exports)",
        height=max(300, 40 * len(grid.index) + 150),
        **_LAYOUT,
    )
    return fig


def country_dependency(data: dict[str, Any]) -> pd.DataFrame:
    """Output-weighted foreign value-added share of each country on each supplier country.

    Parameters
    ----------
    data : dict
        The summary.

    Returns
    -------
    pandas.DataFrame
        Rows ``country``, columns ``on``: ``sum_s x_cs T[k, cs] / sum_s x_cs`` over the
        sectors listed, i.e. ``k``'s share of the value added in ``c``'s gross output.
    """
    dep = pd.DataFrame(data["dependency"])
    if dep.empty:
        return pd.DataFrame()
    output = pd.DataFrame(data["sectors"])[["country", "sector", "gross_output"]]
    dep = dep.merge(output, on=["country", "sector"])
    dep["weighted"] = dep["total"] * dep["gross_output"]
    sums = dep.groupby(["country", "on"], sort=False)[["weighted", "gross_output"]].sum()
    share = (sums["weighted"] / sums["gross_output"]).unstack("on")
    regions = data["system"]["regions"]
    return share.reindex(index=[r for r in regions if r in share.index], columns=regions)


def dependency_heatmap(share: pd.DataFrame) -> go.Figure:
    """Heat map of :func:`country_dependency` in percent.

    Parameters
    ----------
    share : pandas.DataFrame
        From :func:`country_dependency`.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure(
        go.Heatmap(
            z=100 * share.to_numpy(dtype=float),
            x=[chart_text(c) for c in share.columns],
            y=[chart_text(c) for c in share.index],
            colorscale="Oranges",
            colorbar={"title": "%"},
            hovertemplate="%{y} on %{x}: %{z:.3f}% of gross output<extra></extra>",
        )
    )
    fig.update_layout(
        title="Value added from each supplier country in a country's gross output (%)",
        xaxis_title="value added from",
        height=max(300, 40 * len(share.index) + 150),
        **_LAYOUT,
    )
    return fig


def _dependency_tables(data: dict[str, Any]) -> str:
    dep = pd.DataFrame(data["dependency"])
    if dep.empty:
        return '<p class="note">No foreign dependency rows.</p>'
    parts = []
    for country, rows in dep.groupby("country", sort=False):
        top = rows.sort_values("total", ascending=False, kind="stable").head(TOP_DEPENDENCIES)
        parts.append(f"<h3>{esc(country)}: largest foreign value-added shares</h3>")
        parts.append(
            table(
                ["sector", "value added from", "total", "direct", "via domestic", "via third"],
                (
                    [
                        r.sector,
                        r.on,
                        _pct(r.total),
                        _pct(r.direct),
                        _pct(r.via_domestic),
                        _pct(r.via_third),
                    ]
                    for r in top.itertuples(index=False)
                ),
                numeric=(2, 3, 4, 5),
            )
        )
    return "".join(parts)


def build_html(data: dict[str, Any]) -> str:
    """The report page.

    Parameters
    ----------
    data : dict
        The summary (``shoring mrio indicators --json`` shape).

    Returns
    -------
    str
        A complete HTML document with Plotly's JS inlined once.
    """
    system = data["system"]
    unit = system["unit"]
    countries = data["countries"]
    summary_rows = (
        [
            r["country"],
            _money(r["gross_exports"]),
            _money(r["dva"]),
            _money(r["fva"]),
            _money(r["dvx"]),
            _pct(r["backward_participation"]),
            _pct(r["forward_participation"]),
            _pct(r["gvc_participation"]),
        ]
        for r in countries
    )
    overview = (
        f"<p>{esc(system['n_regions'])} regions x {esc(system['n_sectors'])} sectors, "
        f"money in {esc(unit or 'the table unit')}. Value added is output minus "
        "intermediate inputs.</p>"
        + table(
            ["country", "gross exports", "DVA", "FVA", "DVX", "backward", "forward", "GVC"],
            summary_rows,
            numeric=tuple(range(1, 8)),
        )
    )
    gap = system.get("stated_value_added_max_gap")
    if gap is not None and gap > 1e-6:
        overview += (
            '<p class="note">The value added stated in the table differs from output minus '
            f"intermediate inputs by up to {esc(f'{gap:.1%}')} of a sector (an unbalanced "
            "table); the residual is used so that DVA + FVA = gross exports.</p>"
        )
    sections = [
        ("overview", "Overview", overview),
        (
            "participation",
            "GVC participation",
            figure(participation_chart(countries), "participation")
            + figure(value_added_chart(countries, unit), "value-added"),
        ),
    ]
    if data["sectors"]:
        sections.append(
            ("sectors", "Sectors", figure(sector_heatmap(data["sectors"]), "sector-backward"))
        )
    share = country_dependency(data)
    dependency = (
        "<p>Share of one unit of a sector's gross output that is value added in another "
        "country, split by where the sector buys its inputs: <i>direct</i> (from that "
        "country), <i>via domestic</i> suppliers, <i>via third</i> countries.</p>"
    )
    if not share.empty:
        dependency += figure(dependency_heatmap(share), "dependency")
    dependency += _dependency_tables(data)
    sections.append(("dependency", "Dependency on foreign value added", dependency))
    method = "".join(f"<p><b>{esc(k)}</b>: {esc(v)}</p>" for k, v in data["method"].items()) + (
        f"<p><b>data</b>: {esc(system['name'])}, read from <code>{esc(system['source'])}</code>."
        " Formats other than pymrio's test layout are parsed by pymrio (Stadler 2021, "
        "Journal of Open Research Software 9(1):8; GPL-3.0, the optional extra "
        "shoring[mrio]).</p>"
    )
    sections.append(("method", "Method and sources", method))
    return page(
        f"Value chains: {system['name'] or 'MRIO system'}",
        "Value added in exports, GVC participation and foreign dependency from an "
        "input-output table",
        sections,
    )


def write_report(data: dict[str, Any], path: str | Path) -> Path:
    """Write the report atomically (complete or absent under its name).

    Parameters
    ----------
    data : dict
        The summary.
    path : str or Path
        The HTML file.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    shoring.errors.ShoringInputError
        When the file or its folder cannot be written.
    """
    path = Path(path)
    text = build_html(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_text_atomic(path, text)
    except OSError as exc:
        raise ShoringInputError(
            [Problem(str(path), f"cannot write the report: {exc.strerror or exc}")]
        ) from None
