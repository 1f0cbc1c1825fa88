"""The policy map of a sweep as heatmaps: an offline page, a report section, web figures.

A finished (or partly finished) sweep folder (:func:`shoring.sweep.run_sweep`) is read
with :func:`shoring.sweep.policy_map.read_results`; the map shows each outcome (cheapest
site, its cost, the optimal footprint, ...) over two parameters, ``x`` across and ``y``
down, the other parameters held at one value each (``at``, else their first grid value),
and the footprint's regret when the sweep measured one.

- :func:`policy_map` reads the folder and builds the Plotly figures (the web app renders
  them with its own page);
- :func:`policy_map_sections` gives them as HTML sections of a page that already loads
  Plotly (the study report, ``shoring report --sweep FOLDER``);
- :func:`policy_map_page` / :func:`write_policy_map`: one self-contained offline page
  (``shoring sweep show --html``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from shoring.report.layout import esc, figure, page, table
from shoring.sweep.policy_map import (
    SweepResults,
    map_axes,
    matrix,
    read_results,
    regret_summary,
)

__all__ = [
    "PolicyMap",
    "policy_map",
    "policy_map_page",
    "policy_map_sections",
    "write_policy_map",
]


@dataclass(frozen=True)
class PolicyMap:
    """A sweep's policy map over two parameters.

    Attributes
    ----------
    x, y : str
        Parameters across and down (``y`` None: a sweep of one parameter, one row).
    held : dict
        Values the other parameters are held at.
    shown : SweepResults
        The variants at ``held`` (one per (x, y) grid point computed so far).
    regret : pandas.DataFrame
        :func:`~shoring.sweep.policy_map.regret_summary` over every variant (empty when
        the sweep measured no regret).
    figures : tuple of (str, str, plotly.graph_objects.Figure)
        ``(column, title, heatmap)`` per outcome, then per regret column.
    """

    x: str
    y: str | None
    held: dict[str, Any]
    shown: SweepResults
    regret: pd.DataFrame
    figures: tuple[tuple[str, str, go.Figure], ...]

    @property
    def subtitle(self) -> str:
        """What the map shows: the sweep, its base, the variants and the held values."""
        info = self.shown.manifest
        held = ", ".join(f"{k} = {v}" for k, v in self.held.items()) or "no other parameter"
        return (
            f"{info['analysis']} sweep of {info['network']} from {info['base_scenario']} "
            f"({len(self.shown.rows)} variants shown; {held})"
        )

    @property
    def title(self) -> str:
        """``Policy map: <grid title or network>``."""
        info = self.shown.manifest
        return f"Policy map: {info.get('grid_title') or info['network']}"


def policy_map(
    folder: str | Path,
    x: str | None = None,
    y: str | None = None,
    at: Mapping[str, Any] | None = None,
) -> PolicyMap:
    """Read a sweep folder and draw its policy map (the function the web app calls).

    Parameters
    ----------
    folder : str or Path
        A sweep's results folder.
    x, y : str, optional
        Parameters across and down (default: the grid's first and second).
    at : mapping, optional
        Values of the other parameters (default: their first grid value), typed as on
        the grid (:func:`shoring.sweep.policy_map.parse_at` turns ``NAME=VALUE`` text
        into them).

    Returns
    -------
    PolicyMap

    Raises
    ------
    ShoringError
        No sweep in the folder, an unknown parameter or a value not on the grid.
    """
    every = read_results(folder)
    x, y, held = map_axes(every, x, y, at or {})
    shown = read_results(folder, where=held)
    columns = shown.outcomes + [
        c for c in shown.rows.columns if c == "regret" or c.startswith("regret__")
    ]
    figures = tuple((c, _title(c), _heatmap(shown.rows, x, y, c)) for c in columns)
    return PolicyMap(x, y, held, shown, regret_summary(every), figures)


def policy_map_sections(pmap: PolicyMap, anchor: str = "policy-map") -> list[tuple[str, str, str]]:
    """The map as ``(anchor, heading, body)`` sections of a page that loads Plotly's JS
    (:func:`shoring.report.layout.page`): one section holding every heatmap and, when
    measured, the regret table.

    Parameters
    ----------
    pmap : PolicyMap
    anchor : str
        Section anchor; figure ids are derived from it.

    Returns
    -------
    list of (str, str, str)
    """
    parts = [f"<p>{esc(pmap.subtitle)}</p>"]
    for i, (_, title, fig) in enumerate(pmap.figures):
        parts.append(f"<h3>{esc(title)}</h3>{figure(fig, f'{anchor}-{i}')}")
    if not pmap.regret.empty:
        footprint = ", ".join(pmap.shown.manifest.get("footprint") or [])
        rows = [
            (r["column"].replace("__", " "), r["variants"], f"{r['max']:,.2f}",
             f"{r['mean']:,.2f}", f"{r['zero_share']:.0%}")
            for r in pmap.regret.to_dict("records")
        ]  # fmt: skip
        parts.append(f"<h3>Regret of footprint {esc(footprint)} across the grid (USD)</h3>")
        parts.append(table(["of", "variants", "max", "mean", "optimal in"], rows, (1, 2, 3, 4)))
    return [(anchor, pmap.title, "".join(parts))]


def policy_map_page(pmap: PolicyMap) -> str:
    """The map as one self-contained offline HTML page (Plotly's JS inlined).

    Parameters
    ----------
    pmap : PolicyMap

    Returns
    -------
    str
        The HTML document.
    """
    figures = enumerate(pmap.figures)
    sections = [(f"map-{i}", title, figure(fig, f"map-{i}")) for i, (_, title, fig) in figures]
    return page(pmap.title, pmap.subtitle, sections)


def write_policy_map(pmap: PolicyMap, path: str | Path) -> Path:
    """Write :func:`policy_map_page` to ``path`` (atomically); returns the path."""
    from shoring.outputs import write_text_atomic

    return write_text_atomic(path, policy_map_page(pmap))


def _heatmap(rows: pd.DataFrame, x: str, y: str | None, column: str) -> go.Figure:
    """One outcome over (x, y): numbers on a red scale, names on qualitative colours."""
    grid = matrix(rows, x, y, column)
    labels = grid.astype(object).where(grid.notna(), None)
    if pd.api.types.is_numeric_dtype(rows[column]):
        z = grid.astype(float)
        text = [[_number(v) for v in row] for row in labels.to_numpy()]
        trace = go.Heatmap(z=z.to_numpy(), colorscale="Reds")
    else:
        names = sorted({v for v in labels.to_numpy().ravel() if v is not None})
        code = {n: k for k, n in enumerate(names)}
        z = [[code.get(v) for v in row] for row in labels.to_numpy()]
        text = [["" if v is None else str(v) for v in row] for row in labels.to_numpy()]
        trace = go.Heatmap(
            z=z, colorscale=_discrete(len(names)), showscale=False, zmin=0, zmax=len(names) - 1
        )
    trace.update(
        x=[str(v) for v in grid.columns],
        y=[str(v) for v in grid.index] if y else [""],
        text=text,
        texttemplate="%{text}",
        hovertemplate=f"{x}=%{{x}}<br>{y or ''}=%{{y}}<br>%{{text}}<extra></extra>",
    )
    fig = go.Figure(trace)
    fig.update_layout(
        xaxis_title=x, yaxis_title=y or "", xaxis_type="category", yaxis_type="category"
    )
    return fig


def _title(column: str) -> str:
    what, *lane = column.split("__")
    where = " / ".join(lane)
    names = {
        "site": "cheapest site",
        "footprint": "optimal footprint",
        "regret": "regret of the footprint, USD",
        "annual_expected_loss": "expected disruption loss per year, USD",
        "cvar": "CVaR 95% of the loss over the horizon, USD",
        "service_level_mean": "mean service level",
    }
    return f"{names.get(what, what)}{': ' + where if where else ''}"


def _number(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return f"{number:,.0f}" if abs(number) >= 100 else f"{number:.3g}"


def _discrete(n: int) -> list[list[Any]]:
    """A stepped colour scale of ``n`` qualitative colours for category codes 0..n-1."""
    from plotly.colors import qualitative

    palette = qualitative.Safe + qualitative.Pastel
    if n <= 1:
        return [[0.0, palette[0]], [1.0, palette[0]]]
    scale: list[list[Any]] = []
    for k in range(n):
        color = palette[k % len(palette)]
        scale += [[k / n, color], [(k + 1) / n, color]]
    return scale
