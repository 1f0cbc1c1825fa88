"""Assemble the study report: one self-contained HTML file plus CSV tables.

:func:`build_report` reads a landed-cost Dataset and recomputes nothing (even the
break-even points are read from it with :func:`shoring.costs.compare.breakeven_table`)
and writes ``report.html`` with Plotly's JS inlined once, so the file works
offline, and beside it ``landed_cost.csv``, ``cheapest.csv``, ``comparison.csv``,
``breakeven.csv`` and ``wages.csv``. Given network-design results (a
:class:`~shoring.report.design.DesignStudy`), it adds the "Network design" section and
``design_footprints.csv``, ``design_costs.csv`` and ``design_frontier.csv``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from shoring import __version__
from shoring.costs import CostSettings
from shoring.costs.compare import breakeven_table, cheapest, unserved, unserved_message
from shoring.data.cards import data_cards
from shoring.data.countries import countries
from shoring.errors import ShoringError
from shoring.network import Network, summarize
from shoring.report import charts
from shoring.report.design import (
    DESIGN_SECTION,
    DesignStudy,
    design_findings,
    design_section,
    design_tables,
)
from shoring.report.findings import (
    PairFinding,
    breakeven_pair,
    breakeven_sentence,
    comparison_table,
    landed_cost_long,
    pair_finding,
    reference_scenario,
    served_pairs,
    site_label,
    wages_long,
)
from shoring.report.layout import esc, figure, page, table
from shoring.report.sources import map_card, sources_section
from shoring.report.worldmap import network_map
from shoring.scenario import Scenario

SECTIONS = (
    ("summary", "Summary"),
    ("map", "Network map"),
    ("waterfalls", "Cost waterfalls"),
    ("comparison", "Scenario comparison"),
    ("breakeven", "Break-even"),
    ("wages", "Wage trajectories"),
    ("sources", "Data sources and scenario definitions"),
)
"""(anchor, heading) of every section, in order."""

REPORT_FILE = "report.html"
MAX_BREAKEVEN_PAIRS = 6


def study_findings(
    network: Network, dataset: xr.Dataset, year: int | None = None, reference: str | None = None
) -> list[PairFinding]:
    """The headline conclusion for every product and market the network serves.

    Parameters
    ----------
    network : Network
        The firm's network (for the demand that says which pairs matter).
    dataset : xarray.Dataset
        :func:`shoring.costs.landed_cost` output.
    year : int, optional
        Focus year; the last year of the dataset by default.
    reference : str, optional
        Reference scenario; ``current-law`` or ``baseline`` if present, else the first.
    """
    year, reference = _focus(dataset, year, reference)
    best = cheapest(dataset)
    names = _names(network)
    return [
        pair_finding(dataset, best, p, m, year, reference, names)
        for p, m in served_pairs(network, dataset)
    ]


def _focus(ds: xr.Dataset, year: int | None, reference: str | None) -> tuple[int, str]:
    years = [int(y) for y in ds["year"].to_numpy()]
    names = [str(s) for s in ds["scenario"].to_numpy()]
    if not years or not names:
        raise ShoringError("the landed-cost results are empty: nothing to report")
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ShoringError(f"year {year} is not in the results ({years[0]}-{years[-1]})")
    reference = reference or reference_scenario(names)
    if reference not in names:
        raise ShoringError(f"scenario {reference!r} is not in the results: {', '.join(names)}")
    return year, reference


def _names(network: Network) -> dict[str, str]:
    return {
        **network.products["name"].astype(str).to_dict(),
        **network.markets["name"].astype(str).to_dict(),
    }


def _money(value: float) -> str:
    return "" if pd.isna(value) else f"{value:,.0f}"


def _fmt(value: float, spec: str, missing: str = "n/a") -> str:
    """``value`` formatted, or ``missing`` where it is undefined (never ``nan``)."""
    return missing if pd.isna(value) or not np.isfinite(value) else f"{value:{spec}}"


def _unserved(gaps: pd.DataFrame) -> str:
    """The summary's list of products and markets no site can serve, and why."""
    if gaps.empty:
        return ""
    items = "".join(f"<li>{esc(unserved_message(r))}</li>" for r in gaps.to_dict("records"))
    return (
        '<h3 id="not-served">Not served</h3><p class="note">No cost is shown (nor counted '
        "as zero) where no site can serve a market:</p>"
        f"<ul>{items}</ul>"
    )


def _summary(
    network: Network,
    ds: xr.Dataset,
    scenarios: Sequence[Scenario],
    found: list[PairFinding],
    year: int,
    reference: str,
    gaps: pd.DataFrame,
) -> str:
    s = summarize(network)
    statuses = network.sites["status"].value_counts()
    years = s["years"]
    span = f"{years[0]}-{years[1]}" if years else "none"
    out = [
        f"<p><b>{esc(s['name'])}</b>: {esc(network.meta.description or '')}</p>",
        table(
            ["network", ""],
            [
                [
                    "products",
                    f"{s['products']} in {s['tiers']} BOM tier(s); sold: "
                    f"{', '.join(s['finished_products']) or 'none'}",
                ],
                [
                    "sites",
                    f"{s['sites']} (" + ", ".join(f"{n} {k}" for k, n in statuses.items()) + ")",
                ],
                ["suppliers", str(s["suppliers"])],
                ["markets", f"{s['markets']} ({', '.join(network.markets['country'])})"],
                ["countries", ", ".join(s["countries"])],
                ["demand", f"{span}, {s['total_units']:,.0f} units in total"],
                ["years costed", ", ".join(str(int(y)) for y in ds["year"].to_numpy())],
            ],
        ),
        "<h3>Scenarios</h3>",
        table(
            ["scenario", "kind", "title"],
            [[sc.name, sc.kind, sc.title] for sc in scenarios],
        ),
        f"<h3>Conclusions ({year}, landed cost per unit at the market)</h3>",
    ]
    for finding in found:
        out.append(
            '<div class="finding">'
            + "".join(f"<p>{esc(text)}</p>" for text in finding.sentences)
            + "</div>"
        )
    if found:
        out.append(f"<h3>Cheapest site per scenario, {year} (USD/unit; margin over runner-up)</h3>")
        header = ["scenario"] + [f"{f.product} → {f.market}" for f in found]
        order = [reference] + [str(s) for s in ds["scenario"].to_numpy() if s != reference]
        rows = []
        for scenario in order:
            row = [scenario]
            for f in found:
                hit = f.table[f.table["scenario"] == scenario]
                if hit.empty:
                    row.append("no site can serve")
                    continue
                r = hit.iloc[0]
                margin = "" if pd.isna(r["margin"]) else f" (−{r['margin_share']:.1%})"
                row.append(f"{site_label(ds, r['site'])} {_money(r['total'])}{margin}")
            rows.append(row)
        out.append(table(header, rows))
    out.append(_unserved(gaps))
    out.append(
        f'<p class="note">Reference scenario: {esc(reference)}. Costs include materials, '
        "labour, overhead, freight, duties, inventory carrying, risk and carbon, minus "
        "incentives; see the sections below for the components and the sources.</p>"
    )
    return "".join(out)


def _map(
    network: Network,
    ds: xr.Dataset,
    best: pd.DataFrame,
    pairs: list[tuple[str, str]],
    year: int,
    reference: str,
) -> str:
    names = [str(s) for s in ds["scenario"].to_numpy()]
    fig = network_map(network, best, pairs, year, reference, names)
    sites = network.sites
    card = map_card()
    return "".join(
        [
            figure(fig, "map-network"),
            '<p class="note">Lines join each market to its cheapest site under '
            f"{esc(reference)}; click a scenario in the legend to show its lanes. Country shapes: "
            f"{esc(card.sources[0].name)} ({esc(card.sources[0].licence)}), shipped with the "
            "package; markers at capital coordinates.</p>",
            table(
                ["site", "name", "country", "status", "products", "capacity (units/yr)"],
                [
                    [
                        sid,
                        r["name"],
                        r["country"],
                        r["status"],
                        ", ".join(r["products"]),
                        f"{r['capacity_units']:,.0f}",
                    ]
                    for sid, r in sites.iterrows()
                ],
                numeric=[5],
            ),
        ]
    )


def _waterfalls(
    ds: xr.Dataset, best: pd.DataFrame, pairs: list[tuple[str, str]], year: int, reference: str
) -> str:
    out = [
        f'<p class="note">Every option for each product and market in {year}, ranked '
        "(cheapest on top), component by component; the dropdown switches scenario. "
        "Incentives are negative. Below each, the waterfall of the cheapest option.</p>"
    ]
    for i, (product, market) in enumerate(pairs):
        out.append(f"<h3>{esc(product)} for {esc(market)}</h3>")
        out.append(figure(charts.cost_stack(ds, product, market, year, reference), f"stack-{i}"))
        out.append(
            figure(
                charts.cost_waterfall(ds, best, product, market, year, reference), f"waterfall-{i}"
            )
        )
    return "".join(out)


def _comparison(
    ds: xr.Dataset, comparison: pd.DataFrame, found: list[PairFinding], year: int, reference: str
) -> str:
    if comparison.empty:
        return f"<p>Only one scenario ({esc(reference)}) was costed: nothing to compare.</p>"
    out = [
        f'<p class="note">For each scenario, the cheapest option in {year} against the '
        f"cheapest under {esc(reference)}: the change of each component (cost of the new "
        "cheapest site under the scenario minus cost of the reference's cheapest site under "
        "the reference). The driver is the component that moves most.</p>"
    ]
    for i, f in enumerate(found):
        rows = comparison[(comparison["product"] == f.product) & (comparison["market"] == f.market)]
        if rows.empty:
            continue
        out.append(f"<h3>{esc(f.product)} for {esc(f.market)}</h3>")
        body = []
        for r in rows.itertuples():
            change = r.total_b - r.total_a
            if not r.site_b:
                site_b = "no site can serve"
            else:
                site_b = site_label(ds, r.site_b) + (" (changed)" if r.changed else "")
            if not r.site_a:
                ranked = f"none under {reference}"
            elif pd.isna(r.rank_of_a_in_b):
                ranked = f"{r.site_a} cannot serve"
            else:
                ranked = "" if r.rank_of_a_in_b == 1 else f"{r.site_a} now #{r.rank_of_a_in_b}"
            body.append(
                [
                    r.scenario_b,
                    site_b,
                    _money(r.total_b),
                    _fmt(change, "+,.0f"),
                    _fmt(change / r.total_a, "+.1%"),
                    r.driver,
                    ranked,
                ]
            )
        out.append(
            table(
                [
                    "scenario",
                    "cheapest site",
                    "total",
                    f"vs {reference}",
                    "%",
                    "driver",
                    "reference's site",
                ],
                body,
                numeric=[2, 3, 4],
            )
        )
        out.append(figure(charts.scenario_deltas(comparison, f.product, f.market), f"delta-{i}"))
    return "".join(out)


def _breakevens(
    network: Network,
    ds: xr.Dataset,
    scenarios: Sequence[Scenario],
    pairs: list[tuple[str, str]],
    year: int,
    reference: str,
    settings: CostSettings | None,
) -> tuple[str, pd.DataFrame]:
    by_name = {s.name: s for s in scenarios}
    out = [
        '<p class="note">For each market, the incumbent (cheapest existing site) against '
        f"the best alternative (cheapest candidate site) under {esc(reference)} in {year}. "
        "Left: the extra ad valorem tariff on the incumbent's lane at which both cost the "
        "same (negative: the incumbent is already dearer by that much). Right: the "
        "incumbent country's wage and the wage at which both cost the same (missing where "
        "no wage closes the gap).</p>"
    ]
    tables, done = [], set()
    for product, market in pairs:
        if len(done) >= MAX_BREAKEVEN_PAIRS or reference not in by_name:
            break
        pair = breakeven_pair(network, ds, product, market, year, reference)
        if pair is None or pair[0] == pair[1] or (product, market, pair) in done:
            continue
        done.add((product, market, pair))
        # read from the results, nothing recomputed: every year of the reference,
        # the focus year of the other scenarios
        points = breakeven_table(
            network, ds, product, market, pair[0], pair[1], settings, scenarios=scenarios
        )
        keep = (points["scenario"] == reference) | (points["year"] == year)
        keep &= points["scenario"].isin(list(by_name))
        frame = points[keep].assign(other=lambda t: t["scenario"] != reference)
        frame = frame.sort_values(["other", "scenario", "year"]).drop(columns="other")
        frame = frame.reset_index(drop=True)
        frame.insert(0, "market", market)
        frame.insert(0, "product", product)
        tables.append(frame)
        by_scenario = frame[(frame["year"] == year)]
        frame = frame[frame["scenario"] == reference]
        out.append(
            f"<h3>{esc(product)} for {esc(market)}: {esc(site_label(ds, pair[0]))} vs "
            f"{esc(site_label(ds, pair[1]))}</h3>"
        )
        out.append(f"<p>{esc(breakeven_sentence(frame, year, market))}</p>")
        out.append(
            figure(
                charts.breakeven_chart(frame, product, market, reference),
                f"breakeven-{len(tables)}",
            )
        )
        out.append(
            table(
                [
                    "year",
                    f"cost {pair[0]}",
                    f"cost {pair[1]}",
                    "tariff break-even",
                    f"wage {pair[0]} (USD/h)",
                    "break-even wage (USD/h)",
                ],
                [
                    [
                        int(r.year),
                        _money(r.cost_from),
                        _money(r.cost_to),
                        _fmt(r.tariff_breakeven, "+.1%", "not served" if r.unserved else "n/a"),
                        _fmt(r.wage_from, ".2f"),
                        _fmt(r.wage_breakeven, ".2f", ""),
                    ]
                    for r in frame.itertuples()
                ],
                numeric=[1, 2, 3, 4, 5],
            )
        )
        if len(by_scenario) > 1:
            out.append(
                figure(
                    charts.breakeven_by_scenario(by_scenario, year, reference),
                    f"breakeven-scenarios-{len(tables)}",
                )
            )
        shown = pd.concat([frame, by_scenario]).drop_duplicates(["scenario", "year"])
        gaps = [f"{r.scenario}, {r.year}: {r.unserved}" for r in shown.itertuples() if r.unserved]
        if gaps:
            out.append(
                '<p class="note">No break-even where a site cannot serve the market:</p><ul>'
                + "".join(f"<li>{esc(g)}</li>" for g in gaps)
                + "</ul>"
            )
    if not tables:
        out.append(
            "<p>No pair of an existing and a candidate site serves the same market: "
            "no break-even to show.</p>"
        )
    return "".join(out), (pd.concat(tables, ignore_index=True) if tables else pd.DataFrame())


def _wages(wages: pd.DataFrame, reference: str, year: int) -> str:
    if wages.empty:
        return "<p>The results carry no wages.</p>"
    names = countries()["name"].to_dict()
    first = int(wages["year"].min())
    start = wages[(wages["scenario"] == reference) & (wages["year"] == first)]
    start = start.set_index("country")["usd_per_hour"]
    focus = wages[wages["year"] == year].pivot(
        index="country", columns="scenario", values="usd_per_hour"
    )
    order = [reference] + [s for s in dict.fromkeys(wages["scenario"]) if s != reference]
    focus = focus[[s for s in order if s in focus.columns]]
    card = data_cards().get("labour_cost")
    source = (
        f" Base figures: {esc(card.title)} (data card <code>labour_cost</code>)." if card else ""
    )
    return "".join(
        [
            figure(charts.wage_trajectories(wages, names), "wages"),
            '<p class="note">Manufacturing labour cost per hour worked in each site country, as '
            "the engine used it: the embedded table (flat beyond its last year) times each "
            f"scenario's wage paths; scenarios without wage paths lie on top of one another."
            f"{source}</p>",
            f"<p>USD per hour in {first} ({esc(reference)}) and in {year} by scenario:</p>",
            table(
                ["country", f"{first}", *[f"{year} {s}" for s in focus.columns]],
                [
                    [
                        f"{names.get(c, c)} ({c})",
                        _fmt(start.get(c, float("nan")), ".2f"),
                        *[_fmt(v, ".2f") for v in focus.loc[c]],
                    ]
                    for c in focus.index
                ],
                numeric=list(range(1, 2 + len(focus.columns))),
            ),
        ]
    )


def build_report(
    network: Network,
    dataset: xr.Dataset,
    scenarios: Sequence[Scenario],
    out_dir: str | Path,
    *,
    year: int | None = None,
    reference: str | None = None,
    settings: CostSettings | None = None,
    title: str | None = None,
    run_date: dt.date | None = None,
    design: DesignStudy | None = None,
) -> Path:
    """Write the study report (``report.html``) and its CSV tables into ``out_dir``.

    Parameters
    ----------
    network : Network
        The network the dataset was computed for.
    dataset : xarray.Dataset
        :func:`shoring.costs.landed_cost` output.
    scenarios : sequence of Scenario
        The scenarios of the dataset (their definitions go in the report).
    out_dir : str or Path
        Folder to write into (created if missing; files of the same names overwritten).
    year : int, optional
        Focus year of the conclusions, waterfalls and comparison; the last year by default.
    reference : str, optional
        Scenario the others are compared with; ``current-law`` or ``baseline`` if present, else
        the first.
    settings : CostSettings, optional
        Engine settings the dataset was computed with (used for the break-even points).
    title : str, optional
        Page title; by default from the network's name.
    run_date : datetime.date, optional
        Date printed as the date of the run; today by default.
    design : DesignStudy, optional
        Finished network-design results (each scenario alone, the robust plan, the
        frontier); adds the "Network design" section and its CSV tables.

    Returns
    -------
    Path
        The HTML file. Beside it: ``landed_cost.csv`` (long format), ``cheapest.csv``,
        ``comparison.csv``, ``breakeven.csv`` and ``wages.csv``; with ``design`` also
        ``design_footprints.csv``, ``design_costs.csv`` and ``design_frontier.csv``.

    Raises
    ------
    ShoringError
        When the dataset is empty, ``year`` or ``reference`` is not in it, or the
        folder cannot be written.
    """
    year, reference = _focus(dataset, year, reference)
    run_date = run_date or dt.date.today()
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ShoringError(f"cannot create {out}: {exc.strerror}") from None
    best = cheapest(dataset)
    pairs = served_pairs(network, dataset)
    names = _names(network)
    found = [pair_finding(dataset, best, p, m, year, reference, names) for p, m in pairs]
    comparison_all = comparison_table(dataset, reference)
    comparison = (
        comparison_all[comparison_all["year"] == year]
        if not comparison_all.empty
        else comparison_all
    )
    wages = wages_long(dataset)
    gaps = unserved(network, dataset, scenarios, settings)
    be_html, be_table = _breakevens(network, dataset, scenarios, pairs, year, reference, settings)
    bodies = {
        "summary": _summary(network, dataset, scenarios, found, year, reference, gaps),
        "map": _map(network, dataset, best, pairs, year, reference),
        "waterfalls": _waterfalls(dataset, best, pairs, year, reference),
        "comparison": _comparison(dataset, comparison, found, year, reference),
        "breakeven": be_html,
        "wages": _wages(wages, reference, year),
        "sources": sources_section(dataset, scenarios, year, reference, run_date),
    }
    sections = list(SECTIONS)
    design_csv: dict[str, pd.DataFrame] = {}
    if design is not None:
        bodies["design"] = design_section(design, network.sites)
        bodies["summary"] += "<h3>Network design (optimized)</h3>" + "".join(
            f"<p>{esc(s)}</p>" for s in design_findings(design)[:3]
        )
        sections.insert(sections.index(("wages", "Wage trajectories")), DESIGN_SECTION)
        design_csv = design_tables(design)
    title = title or f"shoring study: {network.name}"
    subtitle = (
        f"{len(scenarios)} scenario(s), years {int(dataset['year'].min())}-"
        f"{int(dataset['year'].max())}, focus {year}; shoring {__version__}, run "
        f"{run_date.isoformat()}"
    )
    html_text = page(title, subtitle, [(a, h, bodies[a]) for a, h in sections])
    path = out / REPORT_FILE
    try:
        path.write_text(html_text, encoding="utf-8")
        landed_cost_long(dataset).to_csv(out / "landed_cost.csv", index=False)
        best.to_csv(out / "cheapest.csv", index=False)
        comparison_all.to_csv(out / "comparison.csv", index=False)
        be_table.to_csv(out / "breakeven.csv", index=False)
        wages.to_csv(out / "wages.csv", index=False)
        gaps.to_csv(out / "unserved.csv", index=False)
        for name, frame in design_csv.items():
            frame.to_csv(out / f"{name}.csv", index=False)
    except OSError as exc:
        raise ShoringError(f"cannot write the report into {out}: {exc.strerror}") from None
    return path
