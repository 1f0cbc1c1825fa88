"""A web run's results, taken from a finished :class:`~shoring.study.Study`.

The study's HTML report and its CSV tables (written by :func:`shoring.report.build_report`,
exactly as ``shoring report`` writes them), the report's own charts as Plotly JSON (map,
waterfalls, scenario comparison) and the duty explanation of each charted lane. Nothing
here computes a cost: every figure is read from the study.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from shoring.costs.compare import cheapest
from shoring.outputs import OutputFolder
from shoring.report import charts
from shoring.report.findings import comparison_table, reference_scenario, served_pairs
from shoring.report.sections import largest
from shoring.report.worldmap import network_map
from shoring.study import Study
from shoring.textsafe import json_text

Results = dict[str, tuple[str, str]]
"""name -> (kind, content); kinds ``html``, ``table`` (CSV text), ``figure`` (Plotly
JSON) and ``json``."""


def _figure(fig: object) -> tuple[str, str]:
    return "figure", fig.to_json()  # type: ignore[attr-defined]


def study_results(
    study: Study,
    work: Path,
    design: object | None = None,
    check: Callable[[], None] = lambda: None,
) -> Results:
    """Every result of a finished study, ready to store.

    Parameters
    ----------
    study : Study
        The study (its landed costs are computed here if not yet).
    work : Path
        An empty folder for the report's files (inside the data directory).
    design : DesignStudy, optional
        Network-design results for the report's design section.
    check : callable
        Called between steps; raises to stop (a cancelled run).

    Returns
    -------
    dict
        ``report`` (html), ``manifest`` (json), one ``table`` per CSV the report writes
        (``landed_cost``, ``cheapest``, ``comparison``, ``breakeven``, ...), ``map``,
        ``waterfall-i``, ``stack-i`` and ``deltas-i`` figures, ``explain-i`` lane
        explanations and ``pairs`` (json index of the charted products and markets).
    """
    ds = study.landed_costs
    check()
    folder = OutputFolder(work / "report", "report", arguments=[])
    path = study.report(folder, design=design)  # type: ignore[arg-type]
    check()
    out: Results = {"report": ("html", path.read_text(encoding="utf-8"))}
    for csv in sorted(path.parent.glob("*.csv")):
        out[csv.stem] = ("table", csv.read_text(encoding="utf-8"))
    out["manifest"] = ("json", (path.parent / "manifest.json").read_text(encoding="utf-8"))

    names = [str(s) for s in ds["scenario"].to_numpy()]
    year = int(ds["year"].to_numpy()[-1])
    reference = reference_scenario(names)
    best = cheapest(ds)
    pairs = served_pairs(study.network, ds)
    out["map"] = _figure(network_map(study.network, best, pairs, year, reference, names))
    comparison = comparison_table(ds, reference, year)
    index = []
    for i, (product, market) in enumerate(largest(study.network, pairs)):
        check()
        row = best[
            (best["product"] == product)
            & (best["market"] == market)
            & (best["year"] == year)
            & (best["scenario"] == reference)
        ]
        site = str(row["site"].iloc[0]) if not row.empty else None
        out[f"waterfall-{i}"] = _figure(
            charts.cost_waterfall(ds, best, product, market, year, reference)
        )
        out[f"stack-{i}"] = _figure(charts.cost_stack(ds, product, market, year, reference))
        entry = {"index": i, "product": product, "market": market, "site": site}
        if len(names) > 1 and not comparison.empty:
            out[f"deltas-{i}"] = _figure(charts.scenario_deltas(comparison, product, market))
            entry["deltas"] = f"deltas-{i}"
        if site is not None:
            explained = study.explain_lane(product, site, market, years=[year])
            out[f"explain-{i}"] = ("json", json_text(explained, indent=None))
            entry["explain"] = f"explain-{i}"
        index.append(entry)
    _breakevens(out, index, reference)
    extra: dict[str, object] = {}
    if design is not None:
        extra = _design(out, design)
    out["pairs"] = (
        "json",
        json.dumps(
            {"year": year, "reference": reference, "scenarios": names, "pairs": index, **extra}
        ),
    )
    return out


def _breakevens(out: Results, index: list[dict], reference: str) -> None:
    """Break-even charts of the pairs the report shows, from its own ``breakeven`` table
    (incumbent against the best candidate, every year of the reference scenario)."""
    from shoring.web.api_runs import read_table

    table = read_table(out["breakeven"][1]) if "breakeven" in out else pd.DataFrame()
    if table.empty:
        return
    table["unserved"] = table["unserved"].fillna("") if "unserved" in table else ""
    for entry in index:
        rows = table[
            (table["product"] == entry["product"])
            & (table["market"] == entry["market"])
            & (table["scenario"] == reference)
        ]
        if rows.empty:
            continue
        name = f"breakeven-{entry['index']}"
        fig = charts.breakeven_chart(rows, entry["product"], entry["market"], reference)
        out[name] = _figure(fig)
        entry["breakeven"] = name


def _design(out: Results, design: object) -> dict[str, object]:
    """The network-design results: the cost-risk frontier chart and the findings."""
    from shoring.report.design import design_findings, frontier_chart

    found: dict[str, object] = {"design_findings": design_findings(design)}  # type: ignore[arg-type]
    frontier = design.frontier  # type: ignore[attr-defined]
    if not frontier.empty:
        out["frontier"] = _figure(frontier_chart(frontier, design.robust))  # type: ignore[attr-defined]
        found["frontier"] = "frontier"
    return found
