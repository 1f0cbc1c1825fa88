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
import xarray as xr

from shoring.costs.compare import cheapest
from shoring.outputs import OutputFolder
from shoring.report import charts
from shoring.report.findings import comparison_table, reference_scenario, served_pairs
from shoring.report.sections import largest
from shoring.report.worldmap import network_map
from shoring.study import Study
from shoring.textsafe import json_text

MAX_EXPLAINED = 8
"""Most lanes (sites) of a product and market whose duty a run explains."""
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
    manifest: dict[str, object] | None = None,
    today: object | None = None,
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
    manifest : dict, optional
        Entries of the run's manifest (:class:`~shoring.outputs.OutputFolder` of command
        ``serve``): its ``inputs`` (the uploaded network's name, size and SHA-256) and
        the ``run`` request; the report adds the scenario definitions.
    today : DesignResult, optional
        The plan of today's sites (the flows "before" on the design's flow map).

    Returns
    -------
    dict
        ``report`` (html), ``manifest`` (json), one ``table`` per CSV the report writes
        (``landed_cost``, ``cheapest``, ``comparison``, ``breakeven``, ...), ``map``,
        ``waterfall-i``, ``stack-i`` and ``deltas-i`` figures, ``explain-i-k`` lane
        explanations (site ``k`` of pair ``i``), ``pairs`` (json index of the charted
        products and markets) and, with a design, :func:`shoring.web.design.design_results`.
    """
    ds = study.landed_costs
    check()
    folder = OutputFolder(work / "report", "serve", arguments=[])
    folder.details.update(manifest or {})  # "inputs" replaces the (empty) input files
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
        lanes = lanes_to_explain(ds, product, market, year, reference)
        for k, lane in enumerate(lanes):
            check()
            explained = study.explain_lane(product, lane["site"], market, years=[year])
            lane["explain"] = f"explain-{i}-{k}"
            out[lane["explain"]] = ("json", json_text(explained, indent=None))
        if lanes:
            entry["lanes"] = lanes
            entry["explain"] = next(
                (lane["explain"] for lane in lanes if lane["duties"] > 0), lanes[0]["explain"]
            )
        index.append(entry)
    _breakevens(out, index, reference)
    extra: dict[str, object] = {}
    if design is not None:
        from shoring.web.design import design_results

        extra = design_results(out, study.network, design, today, reference, year)
    out["pairs"] = (
        "json",
        json.dumps(
            {"year": year, "reference": reference, "scenarios": names, "pairs": index, **extra}
        ),
    )
    return out


def lanes_to_explain(
    ds: xr.Dataset, product: str, market: str, year: int, reference: str
) -> list[dict[str, object]]:
    """The lanes of one (product, market) whose duty a run explains: every site that can
    serve it (cheapest first, at most :data:`MAX_EXPLAINED`) with its landed cost and
    duties under the reference scenario in the focus year.

    Parameters
    ----------
    ds : xarray.Dataset
        The study's landed costs (``total`` and ``cost`` by component, USD per unit).
    product, market : str
        The pair.
    year : int
        Focus year.
    reference : str
        Reference scenario.

    Returns
    -------
    list of dict
        ``site, country, total, duties`` (USD per unit); the sites without a landed cost
        (cannot serve) are left out.
    """
    at = {"product": product, "market": market, "year": year, "scenario": reference}
    total = ds["total"].sel(at).to_pandas()
    duties = ds["cost"].sel({**at, "component": "duties"}).to_pandas()
    served = total[total.notna()].sort_values(kind="stable").head(MAX_EXPLAINED)
    countries = ds["site_country"].to_pandas() if "site_country" in ds.coords else None
    return [
        {
            "site": str(site),
            "country": None if countries is None else str(countries[site]),
            "total": float(value),
            "duties": float(duties[site]),
        }
        for site, value in served.items()
    ]


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
