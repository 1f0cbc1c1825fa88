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
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import xarray as xr

from shoring import __version__
from shoring.costs import CostSettings
from shoring.costs.compare import cheapest, unserved, unserved_message
from shoring.errors import ShoringError
from shoring.network import Network, summarize
from shoring.outputs import OutputFolder, run_details, write_csv
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
    comparison_table,
    landed_cost_long,
    pair_finding,
    reference_scenario,
    served_pairs,
    site_label,
    wages_long,
)
from shoring.report.layout import esc, figure, money, page, table
from shoring.report.macro_view import MACRO_SECTION, macro_section, macro_tables
from shoring.report.reconcile import reconcile_sentences
from shoring.report.resilience import risk_section
from shoring.report.sections import (
    MAX_DETAIL_PAIRS,
    breakevens_section,
    comparison_section,
    largest,
    listing,
    only_some,
    wages_section,
)
from shoring.report.sources import map_card, sources_section
from shoring.report.worldmap import network_map
from shoring.scenario import Scenario

if TYPE_CHECKING:
    from shoring.macro.firm_view import MacroView
    from shoring.report.policy_map import PolicyMap

SECTIONS = (
    ("summary", "Summary"),
    ("map", "Network map"),
    ("waterfalls", "Cost waterfalls"),
    ("comparison", "Scenario comparison"),
    ("breakeven", "Break-even"),
    ("risk", "Disruption risk"),
    ("wages", "Wage trajectories"),
    ("sources", "Data sources and scenario definitions"),
)
"""(anchor, heading) of every section, in order."""

REPORT_FILE = "report.html"


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
                    f"{listing(s['finished_products']) or 'none'}",
                ],
                [
                    "sites",
                    f"{s['sites']} (" + ", ".join(f"{n} {k}" for k, n in statuses.items()) + ")",
                ],
                ["suppliers", str(s["suppliers"])],
                ["markets", f"{s['markets']} ({', '.join(network.markets['country'])})"],
                ["countries", listing(s["countries"], 40)],
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
    shown = [
        '<div class="finding">' + "".join(f"<p>{esc(t)}</p>" for t in f.sentences) + "</div>"
        for f in found
    ]
    out.extend(shown[:MAX_DETAIL_PAIRS])
    if len(shown) > MAX_DETAIL_PAIRS:  # many products and markets: the rest folded away
        out.append(
            f"<details><summary>The other {len(shown) - MAX_DETAIL_PAIRS} products and "
            f"markets</summary>{''.join(shown[MAX_DETAIL_PAIRS:])}</details>"
        )
    if found:
        out.append(f"<h3>Cheapest site per scenario, {year} (USD/unit; margin over runner-up)</h3>")
        order = [reference] + [str(s) for s in ds["scenario"].to_numpy() if s != reference]
        cells = {}
        for f in found:
            for scenario in order:
                hit = f.table[f.table["scenario"] == scenario]
                if hit.empty:
                    cells[f.product, f.market, scenario] = "no site can serve"
                    continue
                r = hit.iloc[0]
                margin = "" if pd.isna(r["margin"]) else f" (−{r['margin_share']:.1%})"
                cells[f.product, f.market, scenario] = (
                    f"{site_label(ds, r['site'])} "
                    f"{money(r['total'], missing='', symbol='')}{margin}"
                )
        if len(found) <= len(order):  # a column per product and market
            header = ["scenario"] + [f"{f.product} → {f.market}" for f in found]
            rows = [[w] + [cells[f.product, f.market, w] for f in found] for w in order]
        else:  # many products and markets: a row each, so the table stays narrow
            header = ["product → market", *order]
            rows = [
                [f"{f.product} → {f.market}"] + [cells[f.product, f.market, w] for w in order]
                for f in found
            ]
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
                        listing(r["products"]),
                        f"{r['capacity_units']:,.0f}",
                    ]
                    for sid, r in sites.iterrows()
                ],
                numeric=[5],
            ),
        ]
    )


def _waterfalls(
    network: Network,
    ds: xr.Dataset,
    best: pd.DataFrame,
    pairs: list[tuple[str, str]],
    year: int,
    reference: str,
) -> str:
    out = [
        f'<p class="note">Every option for each product and market in {year}, ranked '
        "(cheapest on top), component by component; the dropdown switches scenario. "
        "Incentives are negative. Below each, the waterfall of the cheapest option.</p>"
    ]
    shown = largest(network, pairs)
    out.append(only_some(len(shown), len(pairs), "landed_cost.csv"))
    for i, (product, market) in enumerate(shown):
        out.append(f"<h3>{esc(product)} for {esc(market)}</h3>")
        out.append(figure(charts.cost_stack(ds, product, market, year, reference), f"stack-{i}"))
        out.append(
            figure(
                charts.cost_waterfall(ds, best, product, market, year, reference), f"waterfall-{i}"
            )
        )
    return "".join(out)


def build_report(
    network: Network,
    dataset: xr.Dataset,
    scenarios: Sequence[Scenario],
    out_dir: str | Path | OutputFolder,
    *,
    year: int | None = None,
    reference: str | None = None,
    settings: CostSettings | None = None,
    title: str | None = None,
    run_date: dt.date | None = None,
    design: DesignStudy | None = None,
    macro: MacroView | None = None,
    policy_map: PolicyMap | None = None,
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
    out_dir : str, Path or OutputFolder
        Folder of the outputs: the whole folder is replaced when the report is complete
        (written beside it first, with a ``manifest.json``; see
        :class:`shoring.outputs.OutputFolder`), or an open :class:`OutputFolder` that
        the caller commits.
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
    macro : MacroView, optional
        The scenarios in general equilibrium (:meth:`shoring.study.Study.macro_view`);
        adds the "Macro view" section and ``macro_duties.csv``, ``macro_countries.csv``,
        ``macro_diversion.csv``.
    policy_map : PolicyMap, optional
        A sweep's policy map (:func:`shoring.report.policy_map.policy_map`); adds the
        "Policy map" section (its heatmaps and regret).

    Returns
    -------
    Path
        The HTML file (under its final name). Beside it: ``landed_cost.csv`` (long
        format), ``cheapest.csv``, ``comparison.csv``, ``breakeven.csv``, ``wages.csv``,
        ``unserved.csv`` and ``manifest.json``; with ``design`` also
        ``design_footprints.csv``, ``design_costs.csv`` and ``design_frontier.csv``.

    Raises
    ------
    ShoringError
        When the dataset is empty, ``year`` or ``reference`` is not in it, or the
        folder cannot be written (another run writes into it, it holds other files,
        the disk is full); the folder's previous contents are then left as they were.
    """
    year, reference = _focus(dataset, year, reference)
    run_date = run_date or dt.date.today()
    folder = out_dir if isinstance(out_dir, OutputFolder) else OutputFolder(out_dir, "report")
    with folder:
        risk = dataset.attrs.get("risk_model")
        folder.details.update(run_details(scenarios, None if risk is None else json.loads(risk)))
        try:
            _write_report(
                folder.path, network, dataset, scenarios, year, reference, settings, title,
                run_date, design, macro, policy_map,
            )  # fmt: skip
        except OSError as exc:
            raise ShoringError(
                f"cannot write the report into {folder.target}: {exc.strerror or exc}; "
                "its previous contents are unchanged"
            ) from None
    return folder.target / REPORT_FILE


def _write_report(
    out: Path,
    network: Network,
    dataset: xr.Dataset,
    scenarios: Sequence[Scenario],
    year: int,
    reference: str,
    settings: CostSettings | None,
    title: str | None,
    run_date: dt.date,
    design: DesignStudy | None,
    macro: MacroView | None = None,
    policy_map: PolicyMap | None = None,
) -> None:
    """Write the report's files into ``out`` (a run's temporary folder)."""
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
    gaps = unserved(network, dataset, scenarios)
    be_html, be_table = breakevens_section(
        network, dataset, scenarios, pairs, year, reference, settings
    )
    bodies = {
        "summary": _summary(network, dataset, scenarios, found, year, reference, gaps),
        "map": _map(network, dataset, best, pairs, year, reference),
        "waterfalls": _waterfalls(network, dataset, best, pairs, year, reference),
        "comparison": comparison_section(network, dataset, comparison, found, year, reference),
        "breakeven": be_html,
        "risk": risk_section(dataset, year, reference),
        "wages": wages_section(wages, reference, year),
        "sources": sources_section(dataset, scenarios, year, reference, run_date),
    }
    sections = list(SECTIONS)
    extra_csv: dict[str, pd.DataFrame] = {}
    if design is not None:
        bodies["design"] = design_section(
            design, network.sites, reconcile_sentences(network, dataset, design)
        )
        bodies["summary"] += "<h3>Network design (optimized)</h3>" + "".join(
            f"<p>{esc(s)}</p>" for s in design_findings(design)[:3]
        )
        sections.insert(sections.index(("wages", "Wage trajectories")), DESIGN_SECTION)
        extra_csv.update(design_tables(design))
    if macro is not None:
        bodies["macro"] = macro_section(macro)
        sections.insert(len(sections) - 1, MACRO_SECTION)  # before the sources
        extra_csv.update(macro_tables(macro))
    if policy_map is not None:
        from shoring.report.policy_map import policy_map_sections

        for anchor, heading, body in policy_map_sections(policy_map):
            bodies[anchor] = body
            sections.insert(len(sections) - 1, (anchor, heading))  # before the sources
    title = title or f"shoring study: {network.name}"
    subtitle = (
        f"{len(scenarios)} scenario(s), years {int(dataset['year'].min())}-"
        f"{int(dataset['year'].max())}, focus {year}; shoring {__version__}, run "
        f"{run_date.isoformat()}"
    )
    html_text = page(title, subtitle, [(a, h, bodies[a]) for a, h in sections])
    tables = {
        "landed_cost": landed_cost_long(dataset),
        "cheapest": best,
        "comparison": comparison_all,
        "breakeven": be_table,
        "wages": wages,
        "unserved": gaps,
        **extra_csv,
    }
    (out / REPORT_FILE).write_text(html_text, encoding="utf-8")
    for name, frame in tables.items():
        write_csv(frame, out / f"{name}.csv")
