"""Report sections on scenario comparison, break-even and wages, and the formatting
helpers every section shares (missing figures shown as missing, long lists shortened,
large networks charted for their largest products and markets).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from shoring.costs import CostSettings
from shoring.costs.compare import breakeven_table
from shoring.data.cards import data_cards
from shoring.data.countries import countries
from shoring.network import Network
from shoring.report import charts
from shoring.report.findings import PairFinding, breakeven_pair, breakeven_sentence, site_label
from shoring.report.layout import esc, figure, money, table
from shoring.scenario import Scenario

MAX_BREAKEVEN_PAIRS = 6
"""Pairs of sites with a break-even analysis."""
MAX_DETAIL_PAIRS = 12
"""Products and markets with their own charts (waterfalls, comparison) and conclusions
shown unfolded, the largest by demand; the CSV tables hold every one."""


def largest(network: Network, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The :data:`MAX_DETAIL_PAIRS` pairs with the most demand, in their given order.

    Parameters
    ----------
    network : Network
        The network (its demand, units over all years).
    pairs : list of (str, str)
        ``(product, market)`` pairs.

    Returns
    -------
    list of (str, str)
        All of ``pairs`` when there are few, else the largest.
    """
    if len(pairs) <= MAX_DETAIL_PAIRS:
        return pairs
    units = network.demand.groupby(["product", "market"])["units"].sum()
    ranked = sorted(pairs, key=lambda pm: -float(units.get(pm, 0.0)))[:MAX_DETAIL_PAIRS]
    return [pm for pm in pairs if pm in set(ranked)]


def listing(items: Sequence[str], limit: int = 8) -> str:
    """``"a, b, c"``; beyond ``limit`` items the first ones and how many more.

    Parameters
    ----------
    items : sequence of str
        The items.
    limit : int
        Most items named.

    Returns
    -------
    str
        E.g. ``"a, b and 12 more"``.
    """
    items = list(items)
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:limit])} and {len(items) - limit} more"


def only_some(shown: int, total: int, csv: str) -> str:
    """A note when a section charts only some of the products and markets.

    Parameters
    ----------
    shown, total : int
        Pairs charted and pairs served.
    csv : str
        The CSV file beside the report that holds every pair.

    Returns
    -------
    str
        An HTML paragraph, or ``""`` when every pair is charted.
    """
    if shown >= total:
        return ""
    return (
        f'<p class="note">Charts for the {shown} products and markets with the most demand '
        f"(of {total}); <code>{esc(csv)}</code> beside this report holds every one.</p>"
    )


def _fmt(value: float, spec: str, missing: str = "n/a") -> str:
    """``value`` formatted, or ``missing`` where it is undefined (never ``nan``)."""
    return missing if pd.isna(value) or not np.isfinite(value) else f"{value:{spec}}"


def comparison_section(
    network: Network,
    ds: xr.Dataset,
    comparison: pd.DataFrame,
    found: list[PairFinding],
    year: int,
    reference: str,
) -> str:
    """The "Scenario comparison" section: each scenario's cheapest option against the
    reference's, component by component, for the largest products and markets.

    Parameters
    ----------
    network : Network
        The network (demand ranks the pairs charted).
    ds : xarray.Dataset
        Landed costs.
    comparison : pandas.DataFrame
        :func:`shoring.report.findings.comparison_table` of the focus year.
    found : list of PairFinding
        The conclusions, one per served pair.
    year : int
        Focus year.
    reference : str
        Reference scenario.

    Returns
    -------
    str
        HTML; a scenario with no option shows "no site can serve", never a number.
    """
    if comparison.empty:
        return f"<p>Only one scenario ({esc(reference)}) was costed: nothing to compare.</p>"
    out = [
        f'<p class="note">For each scenario, the cheapest option in {year} against the '
        f"cheapest under {esc(reference)}: the change of each component (cost of the new "
        "cheapest site under the scenario minus cost of the reference's cheapest site under "
        "the reference). The driver is the component that moves most.</p>"
    ]
    shown = set(largest(network, [(f.product, f.market) for f in found]))
    out.append(only_some(len(shown), len(found), "comparison.csv"))
    for i, f in enumerate(x for x in found if (x.product, x.market) in shown):
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
                    money(r.total_b, missing="", symbol=""),
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


def breakevens_section(
    network: Network,
    ds: xr.Dataset,
    scenarios: Sequence[Scenario],
    pairs: list[tuple[str, str]],
    year: int,
    reference: str,
    settings: CostSettings | None,
) -> tuple[str, pd.DataFrame]:
    """The "Break-even" section: incumbent against the best candidate, per market.

    Parameters
    ----------
    network : Network
        The network (site status).
    ds : xarray.Dataset
        Landed costs.
    scenarios : sequence of Scenario
        The scenarios of ``ds`` (to say which measure closes a lane).
    pairs : list of (str, str)
        Served ``(product, market)`` pairs; at most :data:`MAX_BREAKEVEN_PAIRS` shown.
    year : int
        Focus year.
    reference : str
        Reference scenario.
    settings : CostSettings or None
        Engine settings of ``ds``.

    Returns
    -------
    tuple of (str, pandas.DataFrame)
        The HTML and the rows shown (``breakeven.csv``); where a site cannot serve, the
        break-even is missing and the reason is listed.
    """
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
                        money(r.cost_from, missing="", symbol=""),
                        money(r.cost_to, missing="", symbol=""),
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


def wages_section(wages: pd.DataFrame, reference: str, year: int) -> str:
    """The "Wage trajectories" section: the labour cost the engine used, by country.

    Parameters
    ----------
    wages : pandas.DataFrame
        :func:`shoring.report.findings.wages_long`.
    reference : str
        Reference scenario.
    year : int
        Focus year.

    Returns
    -------
    str
        HTML: the chart (a panel per country) and a table; missing figures as "n/a".
    """
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
    index = wages[(wages["scenario"] == reference) & (wages["year"] == year)]
    index = index.set_index("country")["productivity_index"]
    return "".join(
        [
            figure(charts.wage_trajectories(wages, names), "wages"),
            '<p class="note">Manufacturing labour cost per hour worked in each site country, as '
            "the engine used it: the embedded table (extrapolated after its last cited "
            "figure at the series' stated trend, data card) or, where a site gives "
            "wage_usd_per_hour, that figure (the first such site of the country; the same "
            "every year), times each scenario's wage paths; scenarios without wage paths lie "
            "on top of one another."
            f"{source} Labour per unit divides it by the productivity index (output per hour, "
            "USA = 1: the site's productivity_index, else 1, the same hours as a US plant, "
            "or, where the network sets meta.labour_productivity to national, its country's "
            "manufacturing value added per person at market exchange rates relative to the "
            "US, GGDC Productivity Level Database 2023, data card "
            "<code>labour_productivity</code>); "
            "wage / index is the unit labour cost relative to a US plant.</p>",
            f"<p>USD per hour in {first} ({esc(reference)}) and in {year} by scenario, and "
            f"the productivity index in {year}:</p>",
            table(
                [
                    "country",
                    f"{first}",
                    *[f"{year} {s}" for s in focus.columns],
                    f"index {year} (USA = 1)",
                ],
                [
                    [
                        f"{names.get(c, c)} ({c})",
                        _fmt(start.get(c, float("nan")), ".2f"),
                        *[_fmt(v, ".2f") for v in focus.loc[c]],
                        _fmt(index.get(c, float("nan")), ".3f"),
                    ]
                    for c in focus.index
                ],
                numeric=list(range(1, 3 + len(focus.columns))),
            ),
        ]
    )
