"""What a landed-cost study concludes, as tables and plain sentences.

Pure functions of a landed-cost Dataset (see :func:`shoring.costs.landed_cost`) and
the tables of :mod:`shoring.costs.compare`; the report and ``shoring demo`` print
them. Nothing here recomputes costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from shoring.costs import COMPONENTS
from shoring.network import Network
from shoring.report.layout import money


@dataclass(frozen=True)
class PairFinding:
    """The conclusion for one product sold in one market in the focus year.

    Attributes
    ----------
    product, market : str
        Ids in the network.
    market_country : str
        ISO3 of the market.
    year : int
        The focus year.
    table : pandas.DataFrame
        One row per scenario (``scenario, site, site_country, total, runner_up,
        runner_up_total, margin, margin_share``), the reference scenario first.
    sentences : tuple of str
        The conclusion in words.
    """

    product: str
    market: str
    market_country: str
    year: int
    table: pd.DataFrame
    sentences: tuple[str, ...]


def reference_scenario(names: Sequence[str]) -> str:
    """The scenario others are compared with: ``current-law``, ``baseline``, or the first.

    Parameters
    ----------
    names : sequence of str
        Scenario names (at least one).

    Returns
    -------
    str
        The reference scenario name.

    Raises
    ------
    IndexError
        If ``names`` is empty.
    """
    names = list(names)
    for default in ("current-law", "baseline"):
        if default in names:
            return default
    return names[0]


def served_pairs(network: Network, ds: xr.Dataset) -> list[tuple[str, str]]:
    """(product, market) pairs with demand in the network that the dataset prices.

    Falls back to every pair with at least one finite cost when the network has no
    demand for any priced product (e.g. a network of components only).

    Parameters
    ----------
    network : Network
        The network (its demand table).
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.

    Returns
    -------
    list of (str, str)
        ``(product, market)`` pairs, in the dataset's product then market order.
    """
    demand = network.demand
    demand = demand[demand["units"] > 0]
    priced = (
        ds["total"].notnull().any([d for d in ds["total"].dims if d not in ("product", "market")])
    )
    pairs = [
        (str(p), str(m))
        for p, m in demand[["product", "market"]].drop_duplicates().itertuples(index=False)
        if p in ds["product"].to_numpy()
        and m in ds["market"].to_numpy()
        and bool(priced.sel(product=p, market=m))
    ]
    if pairs:
        return sorted(
            pairs,
            key=lambda pm: (
                list(ds["product"].to_numpy()).index(pm[0]),
                list(ds["market"].to_numpy()).index(pm[1]),
            ),
        )
    stacked = priced.to_series()
    return [(str(p), str(m)) for (p, m), ok in stacked.items() if ok]


def site_label(ds: xr.Dataset, site: str) -> str:
    """``"site (ISO3)"``.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.
    site : str
        Site id in ``ds``.

    Returns
    -------
    str
        The site id followed by its country code in parentheses.
    """
    country = str(ds["site_country"].sel(site=site).item())
    return f"{site} ({country})"


def _runs(years: Sequence[int], sites: Sequence[str]) -> list[tuple[str, int, int]]:
    """Collapse a yearly series of cheapest sites into (site, first year, last year) runs."""
    runs: list[tuple[str, int, int]] = []
    for year, site in zip(years, sites, strict=True):
        if runs and runs[-1][0] == site:
            runs[-1] = (site, runs[-1][1], year)
        else:
            runs.append((site, year, year))
    return runs


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def pair_finding(
    ds: xr.Dataset,
    best: pd.DataFrame,
    product: str,
    market: str,
    year: int,
    reference: str,
    names: dict[str, str] | None = None,
) -> PairFinding:
    """Conclusion for one product and market in ``year``.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs.
    best : pandas.DataFrame
        :func:`shoring.costs.compare.cheapest` of ``ds``.
    product, market : str
        The pair.
    year : int
        Focus year.
    reference : str
        Reference scenario (listed first, and the yardstick for changes).
    names : dict, optional
        Display names of products and markets.

    Returns
    -------
    PairFinding
        The table (empty when no site serves the pair) and the sentences.
    """
    names = names or {}
    market_country = str(ds["market_country"].sel(market=market).item())
    rows = best[(best["product"] == product) & (best["market"] == market)]
    scenarios = [str(s) for s in ds["scenario"].to_numpy()]
    order = [reference] + [s for s in scenarios if s != reference]
    table = (
        rows[rows["year"] == year]
        .set_index("scenario")
        .reindex([s for s in order if s in set(rows.loc[rows["year"] == year, "scenario"])])
        .reset_index()
    )
    table["margin"] = table["runner_up_total"] - table["total"]
    table["margin_share"] = table["margin"] / table["runner_up_total"]
    table = table[
        [
            "scenario",
            "site",
            "site_country",
            "total",
            "runner_up",
            "runner_up_total",
            "margin",
            "margin_share",
        ]
    ]
    title = f"{names.get(product, product)} for {names.get(market, market)} ({market_country})"
    if table.empty:
        return PairFinding(
            product,
            market,
            market_country,
            year,
            table,
            (f"{title}, {year}: no site can serve this market.",),
        )
    ref = table.iloc[0]
    lead = (
        f"{title}, {year}: under {ref['scenario']} the cheapest site is "
        f"{site_label(ds, ref['site'])} at {money(ref['total'])}/unit"
    )
    if np.isfinite(ref["runner_up_total"]):
        lead += (
            f", {money(ref['margin'])} ({ref['margin_share']:.1%}) below the runner-up "
            f"{site_label(ds, ref['runner_up'])}."
        )
    else:
        lead += "; no other site can serve it."
    sentences = [lead]
    missing = [s for s in order if s not in set(table["scenario"])]
    if missing:
        sentences.append(
            f"No site can serve it under {', '.join(missing)} (see the sites not served)."
        )
    same = table[table["site"] == ref["site"]]
    others = table[table["site"] != ref["site"]]
    if len(table) > 1:
        if others.empty:
            sentences.append(
                f"{ref['site']} stays cheapest in all {len(table)} scenarios; the ranking "
                "of the first place does not change."
            )
        else:
            changes = "; ".join(
                f"{r.scenario}: {site_label(ds, r.site)} at {money(r.total)}"
                for r in others.itertuples()
            )
            sentences.append(
                f"{ref['site']} is cheapest in {len(same)} of {len(table)} scenarios; the "
                f"ranking changes under {changes}."
            )
    yearly = rows[rows["scenario"] == reference].set_index("year")["site"]
    yearly = yearly.reindex([int(y) for y in ds["year"].to_numpy()], fill_value="no site")
    runs = _runs(yearly.index.tolist(), yearly.tolist())
    if len(runs) > 1:
        path = ", then ".join(f"{site} {_span(a, b)}" for site, a, b in runs)
        sentences.append(f"Over the years under {reference}, the cheapest site moves: {path}.")
    return PairFinding(product, market, market_country, year, table, tuple(sentences))


def comparison_table(ds: xr.Dataset, reference: str, year: int | None = None) -> pd.DataFrame:
    """:func:`shoring.costs.compare.compare_scenarios` of the reference against each other
    scenario, stacked, with columns ``scenario_a`` and ``scenario_b`` in front and the
    component that moves the total most in ``driver``.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.
    reference : str
        Scenario every other scenario is compared with.
    year : int, optional
        Keep only this year (default: every year).

    Returns
    -------
    pandas.DataFrame
        The columns of ``compare_scenarios`` plus ``scenario_a``, ``scenario_b`` and
        ``driver`` (empty when a change is below 0.005 USD/unit); an empty frame when
        there is no other scenario.

    Raises
    ------
    shoring.errors.ShoringError
        If ``reference`` is not a scenario of ``ds`` (and another scenario is).
    """
    from shoring.costs.compare import compare_scenarios

    frames = []
    for other in [str(s) for s in ds["scenario"].to_numpy()]:
        if other == reference:
            continue
        frame = compare_scenarios(ds, reference, other)
        if frame.empty:
            continue
        frame.insert(0, "scenario_b", other)
        frame.insert(0, "scenario_a", reference)
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    if year is not None:
        out = out[out["year"] == year].reset_index(drop=True)
    moves = np.abs(out[[f"delta_{c}" for c in COMPONENTS]].to_numpy())
    defined = ~np.isnan(moves).any(axis=1)  # a side with no option: no driver
    moves = np.where(defined[:, None], moves, 0.0)
    strongest = moves.argmax(axis=1)
    out["driver"] = np.where(
        defined & (moves.max(axis=1) > 0.005), np.array(COMPONENTS)[strongest], ""
    )
    return out


def breakeven_pair(
    network: Network, ds: xr.Dataset, product: str, market: str, year: int, reference: str
) -> tuple[str, str] | None:
    """The most relevant pair of sites for a break-even analysis.

    The incumbent (the cheapest existing site that can serve the market) against the
    best alternative (the cheapest candidate site), under the reference scenario in
    ``year``. ``None`` when either is missing.

    Parameters
    ----------
    network : Network
        The network (site status).
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.
    product, market : str
        The pair.
    year : int
        Year of the comparison (a year of ``ds``).
    reference : str
        Scenario of the comparison.

    Returns
    -------
    tuple of (str, str) or None
        ``(incumbent site, candidate site)``.

    Raises
    ------
    KeyError
        If a label is not in ``ds`` (from xarray).
    """
    total = ds["total"].sel(product=product, market=market, year=year, scenario=reference)
    status = network.sites["status"].reindex(total["site"].to_numpy())
    values = pd.Series(total.to_numpy(), index=total["site"].to_numpy()).dropna()
    existing = values[(status.reindex(values.index) == "existing").to_numpy()]
    candidate = values[(status.reindex(values.index) != "existing").to_numpy()]
    if existing.empty or candidate.empty:
        return None
    return str(existing.idxmin()), str(candidate.idxmin())


def landed_cost_long(ds: xr.Dataset) -> pd.DataFrame:
    """Landed costs in long format, one row per (product, site, market, year, scenario,
    component) that can be served: ``usd_per_unit`` plus the site's and market's
    countries, lead time and mode.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.

    Returns
    -------
    pandas.DataFrame
        Columns ``product, site, site_country, market, market_country, year, scenario,
        component, usd_per_unit, lead_time_days, mode``; unserved (NaN) cells dropped.
    """
    cost = ds["cost"].to_dataframe(name="usd_per_unit")[["usd_per_unit"]]
    cost = cost.dropna().reset_index()
    sites = ds["site_country"].to_series()
    markets = ds["market_country"].to_series()
    cost.insert(2, "site_country", cost["site"].map(sites))
    cost.insert(4, "market_country", cost["market"].map(markets))
    lanes = ds[["lead_time_days", "mode"]].to_dataframe()[["lead_time_days", "mode"]]
    cost = cost.join(lanes, on=["product", "site", "market"])
    return cost


def wages_long(ds: xr.Dataset) -> pd.DataFrame:
    """Labour cost per hour used by the engine, by site country, year and scenario.

    Parameters
    ----------
    ds : xarray.Dataset
        Landed costs from :func:`shoring.costs.landed_cost`.

    Returns
    -------
    pandas.DataFrame
        Columns ``country, year, scenario, usd_per_hour`` (USD per hour) and
        ``productivity_index`` (output per hour, USA = 1; the first site's of the
        country), one row per site country; empty when ``ds`` holds no
        ``wage_usd_per_hour``.
    """
    columns = ["country", "year", "scenario", "usd_per_hour", "productivity_index"]
    if "wage_usd_per_hour" not in ds:
        return pd.DataFrame(columns=columns)
    names = [v for v in ("wage_usd_per_hour", "productivity_index") if v in ds]
    wage = ds[names].to_dataframe()[names].reset_index()
    wage["country"] = wage["site"].map(ds["site_country"].to_series())
    wage = wage.drop_duplicates(["country", "year", "scenario"])
    wage = wage.rename(columns={"wage_usd_per_hour": "usd_per_hour"})
    return wage.reindex(columns=columns).reset_index(drop=True)


def breakeven_sentence(frame: pd.DataFrame, year: int, market: str) -> str:
    """The break-even of ``year`` in words; ``frame`` is
    :func:`shoring.costs.compare.breakeven` output.

    Parameters
    ----------
    frame : pandas.DataFrame
        Break-even table of one pair of sites (its first row for ``year`` is used).
    year : int
        The year to describe.
    market : str
        Market name used in the sentence.

    Returns
    -------
    str
        One sentence (tariff break-even as a percentage, labour cost in USD/h); ``""``
        when ``frame`` has no row for ``year``.
    """
    rows = frame[frame["year"] == year]
    if rows.empty:
        return ""
    r = rows.iloc[0]
    src, dst = r["from_site"], r["to_site"]
    if r.get("unserved"):
        return f"In {year}, no break-even for {market}: {r['unserved']}."
    gap = float(r["cost_to"] - r["cost_from"])
    wage = (
        f"or a labour cost at {src} of {r['wage_breakeven']:.2f} USD/h (now {r['wage_from']:.2f})"
        if pd.notna(r["wage_breakeven"])
        else f"and no labour cost at {src} would close the gap"
    )
    if gap >= 0:
        return (
            f"In {year}, {src} is {money(gap)}/unit cheaper than {dst} for {market}; an extra "
            f"tariff of {r['tariff_breakeven']:.1%} on its lane would erase that, {wage}."
        )
    duty = float(r.get("duty_rate_from", float("nan")))
    if pd.notna(duty) and -r["tariff_breakeven"] > duty:
        return (
            f"In {year}, {src} is already {money(-gap)}/unit dearer than {dst} for {market}, "
            f"and would stay dearer even duty-free (its duties are {duty:.1%} of the customs "
            f"value; equalizing would take a cut of {-r['tariff_breakeven']:.1%}), {wage}."
        )
    return (
        f"In {year}, {src} is already {money(-gap)}/unit dearer than {dst} for {market}: it "
        f"would take a tariff cut of {-r['tariff_breakeven']:.1%} (ad valorem) on its lane to "
        f"equalize them, {wage}."
    )
